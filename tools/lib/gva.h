/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The guest page-table walker (gva.c), shared by libvmon
 * (vmon_gva_to_gpa()) and the kernel's MMIO emulator (kmod/emulate.c):
 * one source, compiled into both.  Each reads guest-physical memory its
 * own way, through read_gpa.
 */
#ifndef VMON_GVA_H
#define VMON_GVA_H

#include "shared_env.h"

/* copy len bytes of guest-physical memory at gpa to buf: 0 or -errno */
typedef int (*vmon_read_gpa_fn)(void *opaque, __u64 gpa, void *buf, unsigned int len);

/*
 * Translate gva with the paging mode of sregs (CR0.PG, CR4.PAE/PSE/LA57,
 * EFER.LMA).  0, -EFAULT (not present or not readable), -EACCES (a write
 * that CR0.WP forbids) or -EINVAL (non-canonical).
 */
int vmon_walk_gva(const struct vmon_sregs *sregs, __u64 gva, bool write,
		  vmon_read_gpa_fn read_gpa, void *opaque, __u64 *gpa);

#endif /* VMON_GVA_H */
