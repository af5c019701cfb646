/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Speculative-execution hygiene around VM entry and exit (spec.c).
 *
 * The host kernel decides which mitigations are in force (its command
 * line, microcode, CPU bugs) and records them as feature bits and a few
 * exported variables; vmon follows those decisions and adds none of its
 * own.  Each moment of the world switch has one function here, called
 * by both backends; the instructions that must sit in the entry/exit
 * assembly (RSB fill, VERW, return untraining) are patched by the
 * kernel's alternatives on the same feature bits, and
 * vmon_spec_setup() records them so that they can be reported.
 * Documentation/security.rst lists every decision with its reference.
 */
#ifndef VMON_SPEC_H
#define VMON_SPEC_H

#include <linux/compiler.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <linux/vmon.h>
#include <asm/cpufeature.h>
#include <asm/nospec-branch.h>

struct vmon_vm;
struct vmon_vcpu;

/* module load, from the backend's hardware_setup() */
int vmon_spec_setup(enum vmon_backend backend);
/* module unload, from the backend's hardware_unsetup() */
void vmon_spec_unsetup(void);
/* a VM is going away: no CPU may keep it as "the last VM it ran" */
void vmon_spec_vm_destroy(const struct vmon_vm *vm);

/* preempt off: the vCPU becomes this CPU's (backend vcpu_load) */
void vmon_spec_vcpu_load(struct vmon_vcpu *vcpu);
/*
 * Irqs off, loaded: right before the backend's entry assembly.  Inline,
 * so that an entry with nothing to do (no L1D flush, no divider clear)
 * costs one load and a branch.
 */
extern bool vmon_spec_entry_work;
void vmon_spec_entry_flush(struct vmon_vcpu *vcpu);

static __always_inline void vmon_spec_before_entry(struct vmon_vcpu *vcpu)
{
	if (unlikely(vmon_spec_entry_work))
		vmon_spec_entry_flush(vcpu);
}

/*
 * Called from vmenter.S / vmrun.S after the RSB fill and before the
 * first unbalanced RET, with host GS: the host's SPEC_CTRL back.
 */
void vmon_spec_restore_host(void);

/*
 * Irqs off: after the entry assembly returned.  VMSCAPE: the guest may
 * have trained the predictors against the host's user space (the VMM);
 * the kernel then issues an IBPB before this CPU next returns to user
 * mode.  A patched branch where the host does not ask for it.
 */
static __always_inline void vmon_spec_after_exit(struct vmon_vcpu *vcpu)
{
	if (cpu_feature_enabled(X86_FEATURE_IBPB_EXIT_TO_USER))
		this_cpu_write(x86_ibpb_exit_to_user, true);
}

#endif /* VMON_SPEC_H */
