/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest FPU state's swap at the start and end of VMON_RUN, and the
 * XCR0 switch around every entry (fpu.c says why only XCR0 is switched
 * there).  Inline: the run loop calls them on every VMON_RUN and every
 * exit, the fast path's included.
 */
#ifndef VMON_FPU_H
#define VMON_FPU_H

#include <linux/lockdep.h>
#include <linux/sched.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>

#include "core.h"

/* set once at module init (vmon_fpu_setup()) */
extern bool vmon_use_xsave;
extern u64 vmon_host_xcr0;

/* process context, vcpu->mutex: the guest's state becomes the task's */
static __always_inline void vmon_fpu_run_begin(struct vmon_vcpu *vcpu)
{
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, true);
}

/* process context, vcpu->mutex: the task's own state comes back */
static __always_inline void vmon_fpu_run_end(struct vmon_vcpu *vcpu)
{
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, false);
}

/*
 * Irqs off, right before an entry.  If the registers no longer hold the
 * task's (guest) state (a context switch, a softirq's kernel_fpu_begin()),
 * reload them, as the return to user mode would; the host XCR0 is still
 * in force, so every component comes back.  Then give the guest its XCR0.
 */
static __always_inline void vmon_fpu_load_guest(struct vmon_vcpu *vcpu)
{
	lockdep_assert_irqs_disabled();

	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	if (vmon_use_xsave && vcpu->guest_xcr0 != vmon_host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->guest_xcr0);
}

/* irqs off, right after an exit: the host's XCR0 before any XSAVE can run */
static __always_inline void vmon_fpu_put_guest(struct vmon_vcpu *vcpu)
{
	lockdep_assert_irqs_disabled();

	if (vmon_use_xsave && vcpu->guest_xcr0 != vmon_host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vmon_host_xcr0);
}

#endif /* VMON_FPU_H */
