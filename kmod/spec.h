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

#include <linux/types.h>
#include <linux/vmon.h>

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
/* irqs off, loaded: right before the backend's entry assembly */
void vmon_spec_before_entry(struct vmon_vcpu *vcpu);
/*
 * Called from vmenter.S / vmrun.S after the RSB fill and before the
 * first unbalanced RET, with host GS: the host's SPEC_CTRL back.
 */
void vmon_spec_restore_host(void);
/* irqs off: after the entry assembly returned */
void vmon_spec_after_exit(struct vmon_vcpu *vcpu);

#endif /* VMON_SPEC_H */
