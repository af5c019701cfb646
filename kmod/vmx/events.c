// SPDX-License-Identifier: GPL-2.0
/*
 * VMX event injection: external interrupts and NMIs through the VM-entry
 * interruption-information field, the interrupt and NMI windows, and
 * the re-delivery of an event whose delivery a VM exit interrupted.
 *
 * References: Intel SDM Vol. 3C 25.4.2 (guest interruptibility state),
 * 25.6.1/25.6.2 (virtual NMIs, interrupt- and NMI-window exiting),
 * 25.8.3 (VM-entry controls for event injection), 26.3.1.5 (checks on
 * the interruptibility state), 26.6 (event injection), 26.7.5/26.7.6
 * (window exits), 28.2.1/28.2.4 (exit qualification bit 12 "NMI
 * unblocking due to IRET", IDT-vectoring information), 28.3 (NMI
 * blocking on exits during NMI delivery).  Section numbers follow the
 * 2023 SDM; older editions number these chapters one lower.
 */
#include <asm/msr.h>
#include <asm/trapnr.h>

#include "vmx_priv.h"

/* which window exits this CPU offers (SDM A.3.2: allowed 1-settings) */
static bool vmx_has_irq_window;
static bool vmx_has_nmi_window;

/*
 * Called by vmx_setup_config() once the pin-based controls are chosen.
 * NMI-window exiting needs "virtual NMIs" (SDM 26.2.1.1).  Without a
 * window control the VMX-preemption timer still ends every guest stint
 * within about 1 ms (vmx.c), and every entry looks again, so a waiting
 * event is delivered then: later, never lost.
 */
void vmx_events_setup(void)
{
	u64 caps;

	rdmsrl(MSR_IA32_VMX_PROCBASED_CTLS, caps);
	vmx_has_irq_window = (caps >> 32) & CPU_BASED_INTR_WINDOW_EXITING;
	vmx_has_nmi_window = ((caps >> 32) & CPU_BASED_NMI_WINDOW_EXITING) &&
			     (vmx_config.pin & PIN_BASED_VIRTUAL_NMIS);
	if (!vmx_has_irq_window || !vmx_has_nmi_window)
		pr_info("vmon: VT-x without %s-window exiting: waiting events are polled at each exit\n",
			vmx_has_irq_window ? "NMI" : "interrupt");
}

bool __vmon_hot vmx_event_pending(struct vmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	return vmx->exception.pending || (vmx->entry_intr_info & INTR_INFO_VALID_MASK);
}

/*
 * SDM 26.3.1.5: an external interrupt cannot be injected under an STI
 * or MOV SS shadow; RFLAGS.IF = 0 blocks it as on bare metal.
 * vcpu->regs.rflags is what vmx_run() writes to GUEST_RFLAGS.
 */
bool __vmon_hot vmx_interrupt_allowed(struct vmon_vcpu *vcpu)
{
	u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);

	return (vcpu->regs.rflags & X86_EFLAGS_IF) &&
	       !(intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

/*
 * Blocking by NMI is set by NMI delivery and cleared by the guest's
 * IRET (virtual NMIs, or the real NMI blocking without them: SDM
 * 25.4.2).  MOV SS blocking forbids NMI injection (26.3.1.5); STI
 * blocking may block NMIs on some processors (25.4.2), so wait it out.
 */
bool vmx_nmi_allowed(struct vmon_vcpu *vcpu)
{
	u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);

	return !(intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS |
			 GUEST_INTR_STATE_NMI));
}

void __vmon_hot vmx_inject_irq(struct vmon_vcpu *vcpu, u8 vector)
{
	vmx_set_entry_intr_info(to_vmx(vcpu), vector | INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK);
}

void vmx_inject_nmi(struct vmon_vcpu *vcpu)
{
	vmx_set_entry_intr_info(to_vmx(vcpu),
				X86_TRAP_NMI | INTR_TYPE_NMI_INTR | INTR_INFO_VALID_MASK);
}

/*
 * SDM 26.7.5 / 26.7.6: with the control set, the exit comes before the
 * first guest instruction at which the guest can take the event, after
 * any event injected with the same entry.
 */
void __vmon_hot vmx_set_event_windows(struct vmon_vcpu *vcpu, bool irq, bool nmi)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 want = vmx->proc_ctl & ~(CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING);

	if (irq && vmx_has_irq_window)
		want |= CPU_BASED_INTR_WINDOW_EXITING;
	if (nmi && vmx_has_nmi_window)
		want |= CPU_BASED_NMI_WINDOW_EXITING;
	if (want != vmx->proc_ctl) {
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL, want);
		vmx->proc_ctl = want;
	}
}

/* SDM Vol. 3A 6.15, Table 6-1: the exceptions that push an error code */
bool vmx_exception_has_error_code(u8 vector)
{
	return vector == X86_TRAP_DF || (vector >= X86_TRAP_TS && vector <= X86_TRAP_PF) ||
	       vector == X86_TRAP_AC;
}

/*
 * After every VM exit that loaded guest state (irqs off, loaded).
 *
 * An exit in the middle of delivering an event (an EPT violation on the
 * guest's IDT, GDT or stack page, which vmon maps only when first
 * touched) leaves that event in the IDT-vectoring information field.
 * It has not happened as far as the guest is concerned: deliver it
 * again with the next entry, in the VM-entry interruption-information
 * format (same layout, bits 30:12 reserved: SDM 25.8.3).  Software
 * interrupts and exceptions need the instruction length, which the exit
 * reports for them (SDM 28.2.5).  The event then counts as pending, so
 * nothing new is injected with it (vmx_event_pending()); an exception
 * queued afterwards replaces it, since only userspace can queue one
 * then (exits during delivery are EPT violations and task switches).
 *
 * NMI blocking: an exit during NMI delivery can leave blocking by NMI
 * set, and an entry that injects an NMI with it set fails (26.3.1.5):
 * clear it, the re-delivery sets it again.  An EPT violation during an IRET that unblocked NMIs
 * (qualification bit 12, virtual NMIs only) leaves NMIs unblocked although
 * the IRET will execute again: block them until it does.
 */
void __vmon_hot vmx_events_after_exit(struct vmon_vcpu *vcpu, u32 reason, u64 qual)
{
	u32 info = vmcs_read(IDT_VECTORING_INFO_FIELD);
	u32 type = info & VECTORING_INFO_TYPE_MASK;

	if (!(info & VECTORING_INFO_VALID_MASK)) {
		if ((reason & 0xffff) == EXIT_REASON_EPT_VIOLATION &&
		    (qual & INTR_INFO_UNBLOCK_NMI) &&
		    (vmx_config.pin & PIN_BASED_VIRTUAL_NMIS))
			vmcs_set_bits(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
		return;
	}
	if (info & VECTORING_INFO_DELIVER_CODE_MASK)
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, vmcs_read(IDT_VECTORING_ERROR_CODE));
	if (type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	    type == INTR_TYPE_SOFT_EXCEPTION)
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN, vmcs_read(VM_EXIT_INSTRUCTION_LEN));
	if (type == INTR_TYPE_NMI_INTR)
		vmcs_clear_bits(GUEST_INTERRUPTIBILITY_INFO, GUEST_INTR_STATE_NMI);
	vmx_set_entry_intr_info(to_vmx(vcpu), info & (VECTORING_INFO_VECTOR_MASK |
				VECTORING_INFO_TYPE_MASK | VECTORING_INFO_DELIVER_CODE_MASK |
				VECTORING_INFO_VALID_MASK));
}
