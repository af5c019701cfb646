/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvmon internals of the MMIO/string-I/O emulator, exposed for the
 * host-only unit tests in tools/lib/test/.  Not part of the library API.
 */
#ifndef LIBVMON_EMULATE_H
#define LIBVMON_EMULATE_H

#include "libvmon.h"
#include "decode.h"

/* the bodies of libvmon_emulate_mmio / libvmon_emulate_string_io, given sregs */
int libvmon_emulate_mmio_sregs(struct vmon_cpu *cpu, const struct vmon_sregs *sregs,
			    vmon_mmio_access_fn access, void *opaque);
int libvmon_emulate_string_io_sregs(struct vmon_cpu *cpu, const struct vmon_sregs *sregs,
				 vmon_pio_access_fn io, void *opaque);

#endif /* LIBVMON_EMULATE_H */
