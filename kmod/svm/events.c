// SPDX-License-Identifier: GPL-2.0
/*
 * SVM event injection: EVENTINJ for exceptions, external interrupts and
 * NMIs, the interrupt window through a virtual interrupt, NMI masking
 * tracked in software with the IRET intercept, and the re-delivery of
 * an event whose delivery a #VMEXIT interrupted.
 *
 * References (AMD64 APM Vol. 2): 15.7.2 (EXITINTINFO), 15.9 (intercepts),
 * 15.20 (event injection), 15.21.1 (V_INTR_MASKING), 15.21.4 (virtual
 * interrupt: V_IRQ, V_INTR_PRIO, V_IGN_TPR and the VINTR intercept),
 * 15.21.5 (interrupt shadow).
 *
 * NMI masking.  SVM has no NMI-window exit and does not report whether
 * the guest blocks NMIs, so the backend tracks it: injecting an NMI
 * masks NMIs and sets the IRET intercept; the intercept fires before
 * the guest's IRET executes, so NMIs count as unmasked only once a later
 * exit finds RIP elsewhere (the guest has moved past the IRET).  If
 * another NMI is waiting and the guest's RFLAGS.IF is clear at the
 * IRET, a virtual interrupt makes the exit come as soon as the IRET has
 * restored IF = 1 (the common case: the handler runs with IF = 0 after
 * an interrupt gate).  Otherwise the latency is that of the next exit of
 * any kind, at most one host timer tick (the INTR intercept).  An IRET
 * at the same address reached again before any exit keeps NMIs masked
 * until the exit after it: late, never early.
 */
#include <asm/processor-flags.h>
#include <asm/svm.h>
#include <asm/trapnr.h>

#include "core.h"
#include "svm.h"

static void svm_intercept(struct svm_vcpu *svm, unsigned int bit, bool on)
{
	u32 *word = &svm->vmcb->control.intercepts[bit / 32];

	if (on)
		*word |= BIT(bit % 32);
	else
		*word &= ~BIT(bit % 32);
}

/*
 * Whether EXITINTINFO holds an event to deliver again.  An event that an
 * instruction raised is raised again when the instruction runs again:
 * RIP still points at it.  That is INTn (type SOFT) and INT3/INTO, which
 * the hardware reports as exceptions #BP/#OF (APM 15.7.2; QEMU reports
 * them as SOFT).  Re-delivering those would push the instruction's own
 * address as the return RIP; a #BP or #OF that vmon injected itself
 * (VMON_INJECT_EXCEPTION) has no instruction behind it and is delivered
 * again.
 */
static bool svm_exitintinfo_pending(const struct svm_vcpu *svm)
{
	u32 info = svm->vmcb->control.exit_int_info;
	u32 type = info & SVM_EXITINTINFO_TYPE_MASK;
	u32 vector = info & SVM_EXITINTINFO_VEC_MASK;

	if (!(info & SVM_EXITINTINFO_VALID) || type == SVM_EXITINTINFO_TYPE_SOFT)
		return false;
	if (type == SVM_EXITINTINFO_TYPE_EXEPT &&
	    (vector == X86_TRAP_BP || vector == X86_TRAP_OF))
		return svm->injected_bp_of;
	return true;
}

bool __vmon_hot svm_event_pending(struct vmon_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	return svm->exception_pending || (svm->event_inj & SVM_EVTINJ_VALID) ||
	       svm_exitintinfo_pending(svm);
}

/* APM 15.20: EVENTINJ ignores RFLAGS.IF and the shadow; check them here */
bool __vmon_hot svm_interrupt_allowed(struct vmon_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	return (vcpu->regs.rflags & X86_EFLAGS_IF) &&
	       !(svm->vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK);
}

bool svm_nmi_allowed(struct vmon_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	return !svm->nmi_masked &&
	       !(svm->vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK);
}

void __vmon_hot svm_inject_irq(struct vmon_vcpu *vcpu, u8 vector)
{
	to_svm(vcpu)->event_inj = vector | SVM_EVTINJ_TYPE_INTR | SVM_EVTINJ_VALID;
}

void svm_inject_nmi(struct vmon_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm->event_inj = X86_TRAP_NMI | SVM_EVTINJ_TYPE_NMI | SVM_EVTINJ_VALID;
	svm->nmi_masked = true;
	svm->iret_seen = false;
}

/*
 * APM 15.21.4: a virtual interrupt of the highest priority that ignores
 * the virtual TPR is taken as soon as the guest's RFLAGS.IF is set and
 * no shadow is in force (V_INTR_MASKING, vmcb.c); the VINTR intercept
 * turns that moment into a #VMEXIT before the guest's IDT is touched.
 */
void __vmon_hot svm_set_event_windows(struct vmon_vcpu *vcpu, bool irq, bool nmi)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *ctl = &svm->vmcb->control;
	bool vintr = irq;

	if (nmi && !svm->nmi_masked)
		vintr = true;	/* blocked by a shadow or an event: exits after it */
	else if (nmi && svm->iret_seen && !(vcpu->regs.rflags & X86_EFLAGS_IF))
		vintr = true;	/* exits once the IRET restored IF = 1 */

	/*
	 * QEMU TCG before 9.1 does not load the interrupt shadow at VMRUN
	 * (APM 15.21.5, the VMCB's INTERRUPT_SHADOW): a window opened in a shadow
	 * exits before the shadowed instruction runs, and the event goes in
	 * one instruction early.  After STI; HLT the handler's IRET returns
	 * to the HLT, and the vCPU sleeps with nothing pending.  Where SVM
	 * is emulated (CPUID hypervisor bit, as for lme_guard.c) the
	 * shadowed instruction runs first: its own exit (HLT) or the next
	 * host interrupt's opens the window, the shadow over by then.
	 */
	if (vintr && (ctl->int_state & SVM_INTERRUPT_SHADOW_MASK) &&
	    boot_cpu_has(X86_FEATURE_HYPERVISOR))
		vintr = false;

	svm_intercept(svm, INTERCEPT_IRET, svm->nmi_masked && !svm->iret_seen);
	svm_intercept(svm, INTERCEPT_VINTR, vintr);
	ctl->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
	if (vintr)
		ctl->int_ctl |= V_IRQ_MASK | V_INTR_PRIO_MASK | V_IGN_TPR_MASK;
	ctl->int_vector = 0;
}

/*
 * Irqs off, loaded, from svm_run(): program EVENTINJ (APM 15.20) with at
 * most one event.  A queued exception goes first, then an event whose
 * delivery the last exit interrupted (EXITINTINFO has the EVENTINJ
 * layout, APM 15.7.2), then the interrupt or NMI of the common code,
 * which injected it only when neither of the others was pending.  Real
 * mode pushes no error code.
 */
void __vmon_hot svm_events_entry(struct svm_vcpu *svm)
{
	struct vmcb_control_area *ctl = &svm->vmcb->control;

	ctl->event_inj = 0;
	ctl->event_inj_err = 0;
	if (svm->exception_pending) {
		ctl->event_inj = svm->exception_vector | SVM_EVTINJ_TYPE_EXEPT |
				 SVM_EVTINJ_VALID;
		if (svm->exception_has_error && (svm->vmcb->save.cr0 & X86_CR0_PE)) {
			ctl->event_inj |= SVM_EVTINJ_VALID_ERR;
			ctl->event_inj_err = svm->exception_error;
		}
		svm->exception_pending = false;
	} else if (svm_exitintinfo_pending(svm)) {
		ctl->event_inj = ctl->exit_int_info;
		ctl->event_inj_err = ctl->exit_int_info_err;
	} else if (svm->event_inj & SVM_EVTINJ_VALID) {
		ctl->event_inj = svm->event_inj;
	}
	svm->event_inj = 0;
	svm->injected_bp_of = (ctl->event_inj & SVM_EVTINJ_VALID) &&
			      (ctl->event_inj & SVM_EVTINJ_TYPE_MASK) == SVM_EVTINJ_TYPE_EXEPT &&
			      ((ctl->event_inj & SVM_EVTINJ_VEC_MASK) == X86_TRAP_BP ||
			       (ctl->event_inj & SVM_EVTINJ_VEC_MASK) == X86_TRAP_OF);
	/* consumed: a failed entry or an ioctl must not inject it twice */
	ctl->exit_int_info = 0;
}

/* after every #VMEXIT, once vcpu->regs holds the guest's RIP */
void __vmon_hot svm_events_exit(struct svm_vcpu *svm, u32 code)
{
	struct vmcb_control_area *ctl = &svm->vmcb->control;

	switch (code) {
	case SVM_EXIT_IRET:
		/* the IRET has not run yet: NMIs stay masked until RIP moves */
		svm->iret_seen = true;
		svm->iret_rip = svm->vcpu.regs.rip;
		svm_intercept(svm, INTERCEPT_IRET, false);
		return;
	case SVM_EXIT_VINTR:
		svm_intercept(svm, INTERCEPT_VINTR, false);
		ctl->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
		break;
	}
	if (svm->iret_seen && svm->vcpu.regs.rip != svm->iret_rip) {
		svm->nmi_masked = false;
		svm->iret_seen = false;
	}
}
