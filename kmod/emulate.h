/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-kernel emulation of the one instruction that touched a device the
 * kernel models (the local APIC's xAPIC page, an ioeventfd): fetch it at
 * the guest's RIP, decode it with the MOV decoder libvmon also uses
 * (tools/lib/decode.c), perform the access through a handler, write the
 * result back and advance RIP.  For userspace's devices the same decode
 * turns the MMIO exit into an access (vmon_mmio_user_exit()).
 */
#ifndef VMON_EMULATE_H
#define VMON_EMULATE_H

#include <linux/types.h>

struct vmon_vcpu;

/*
 * One access of size bytes (1, 2, 4 or 8) at gpa.  write: *val holds
 * the value written; read: the handler stores the value in *val.
 * Returns 0, or -errno (the exit becomes VMON_EXIT_INTERNAL_ERROR).
 */
typedef int (*vmon_mmio_handler_t)(struct vmon_vcpu *vcpu, u64 gpa, unsigned int size,
				   bool write, u64 *val, void *opaque);

/*
 * After a TDP-fault exit (vcpu->exit.tdp) on gpa: emulate the
 * instruction at RIP.  Process context, vcpu->mutex held, preemption
 * enabled (it may read guest memory and page tables).  Returns 1 when
 * the instruction was emulated (registers written, RIP advanced), 0
 * when the run page now holds VMON_EXIT_INTERNAL_ERROR
 * (VMON_INTERNAL_EMULATION: an instruction the decoder does not know,
 * or guest code that cannot be read), or -errno.
 */
int vmon_emulate_mmio(struct vmon_vcpu *vcpu, vmon_mmio_handler_t fn, void *opaque);

/*
 * The same for a write a device may decline: 1 when fn took the store
 * (RIP advanced); -ENOENT, or fn's error, with the vCPU untouched when
 * the exit is not a data write, the instruction cannot be read or
 * decoded, or fn refused it.  Nothing is written to the run page.
 */
int vmon_emulate_mmio_store(struct vmon_vcpu *vcpu, vmon_mmio_handler_t fn, void *opaque);

/*
 * An MMIO exit to userspace after a TDP fault (exit.c): fill run->mmio
 * as the uapi describes it, decoded (VMON_MMIO_DECODED: RIP advanced,
 * a load left pending for the next VMON_RUN) when the instruction is a
 * MOV form the decoder knows whose direction is the hardware's, else
 * undecoded.  Never fails: what cannot be decoded is userspace's.
 * vcpu->mutex held, loaded, preemption enabled.
 */
void vmon_mmio_user_exit(struct vmon_vcpu *vcpu, bool readonly_slot);

/* VMON_PENDING_MMIO_LOAD: write data, as the load would have, to its register */
void vmon_mmio_complete_load(struct vmon_vcpu *vcpu, u64 data);

#endif /* VMON_EMULATE_H */
