/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The environment of a source file compiled into both libvmon and
 * vmon.ko (decode.c, gva.c; kmod/decode.c and kmod/gva.c include them):
 * errno names, memset/memcpy, bool and the uapi types come from the
 * kernel under __KERNEL__ and from libc otherwise.  Such a file includes
 * only this header and its own, and uses only what is named here.
 */
#ifndef VMON_SHARED_ENV_H
#define VMON_SHARED_ENV_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#endif
#include <linux/vmon.h>

/*
 * Kernel functions are vmon_*, libvmon's libvmon_* (design.rst, "Names"):
 * no global name is defined on both sides.  The shared files spell the
 * kernel's names; in user space they compile to the library's.
 */
#ifndef __KERNEL__
#define vmon_code_size		libvmon_code_size
#define vmon_ip_mask		libvmon_ip_mask
#define vmon_decode_mov		libvmon_decode_mov
#define vmon_insn_load_value	libvmon_insn_load_value
#define vmon_read_gpr		libvmon_read_gpr
#define vmon_write_gpr		libvmon_write_gpr
#define vmon_walk_gva		libvmon_walk_gva
#endif

/*
 * Architectural bits the shared files test, named apart from the
 * kernel's <asm/processor-flags.h> and <asm/msr-index.h> macros.
 */
#define VMON_X86_CR0_WP		(1ULL << 16)	/* SDM 3A 2.5 */
#define VMON_X86_CR0_PG		(1ULL << 31)
#define VMON_X86_CR4_PSE	(1ULL << 4)
#define VMON_X86_CR4_PAE	(1ULL << 5)
#define VMON_X86_CR4_LA57	(1ULL << 12)
#define VMON_X86_EFER_LMA	(1ULL << 10)	/* SDM 3A 2.2.1 */

#endif /* VMON_SHARED_ENV_H */
