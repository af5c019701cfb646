// SPDX-License-Identifier: GPL-2.0
/*
 * One trip into the guest and back (vmx_run), and the decoding of
 * every VM exit into struct vmon_exit.  Exits that only concern the
 * virtualization itself (control- and debug-register accesses, host
 * interrupts and NMIs, VMX instructions, cache flushes) are finished
 * here and reported as VMON_X_CONTINUE.
 */
#include <linux/stddef.h>
#include <linux/percpu.h>
#include <asm/msr.h>
#include <asm/debugreg.h>
#include <asm/special_insns.h>
#include <asm/trapnr.h>

#include "spec.h"
#include "vmx_priv.h"

/*
 * No exit reason exists when VMLAUNCH/VMRESUME fails without a current
 * VMCS; report this value, which no VM exit can produce (SDM 28.2.1:
 * bits 30:28 and 26:16 are 0).
 */
#define VMX_EXIT_VMFAIL_INVALID	0xffffffffu

static const char *const vmx_exit_names[] = {
#define VMX_EXIT_REASON(nr, name, text) \
	[nr] = text,
#include "vmx_exit_reasons.h"
#undef VMX_EXIT_REASON
};

static const char *const vmx_insn_errors[] = {
#define VMX_INSN_ERROR(nr, text) \
	[nr] = text,
#include "vmx_insn_errors.h"
#undef VMX_INSN_ERROR
};

/* bits 15:0 of the exit reason are the basic exit reason (SDM 25.9.1) */
const char *vmx_exit_name(u32 hw_exit_reason)
{
	u16 basic = hw_exit_reason & 0xffff;

	if (hw_exit_reason == VMX_EXIT_VMFAIL_INVALID)
		return "VM entry failed with VMfailInvalid (no current VMCS: a vmon bug)";

	if (basic < ARRAY_SIZE(vmx_exit_names) && vmx_exit_names[basic])
		return vmx_exit_names[basic];
	return "unknown VMX exit reason";
}

const char *vmx_insn_error_text(u32 error)
{
	if (error < ARRAY_SIZE(vmx_insn_errors) && vmx_insn_errors[error])
		return vmx_insn_errors[error];
	return "unknown VM-instruction error";
}

/* SDM Table 28-3 / 28-4: register numbers 0-15 in exit qualifications */
static u64 *vmx_gpr(struct vmon_vcpu *vcpu, unsigned int nr)
{
	struct vmon_regs *r = &vcpu->regs;
	u64 *const map[16] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
		&r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
	};

	return map[nr & 15];
}

/*
 * Outside 64-bit mode RIP wraps at 4 GiB (EIP, SDM Vol. 1 3.5); a RIP
 * that stays below 4 GiB needs no look at the mode (two VMREADs).
 */
void __vmon_hot vmx_skip_instruction(struct vmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 rip = vcpu->regs.rip + (vmx->exit_insn_len ?: vmcs_read(VM_EXIT_INSTRUCTION_LEN));
	u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);

	if (unlikely(upper_32_bits(rip)) && !vmx_guest_64bit_mode())
		rip = (u32)rip;
	vcpu->regs.rip = rip;
	/* the blocking an STI or MOV SS set ends with the next instruction */
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
			   intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

void vmx_queue_exception(struct vmon_vcpu *vcpu, u8 vector, bool has_error_code,
			 u32 error_code)
{
	struct vmx_pending_exception *e = &to_vmx(vcpu)->exception;

	e->pending = true;
	e->vector = vector;
	e->has_error_code = has_error_code;
	e->error_code = error_code;
}

/*
 * SDM 26.6.1.1: VM-entry event injection.  A queued exception is raised
 * as if the instruction at RIP faulted, so it is a hardware exception
 * even for #BP and #OF (no instruction length: RIP is not advanced; the
 * kernel never queues those, userspace may).  An error code is
 * delivered only for the vectors that have one, and never in real mode
 * under unrestricted guest (SDM 26.2.1.3), whatever the caller asked:
 * vmx_events_before_entry() makes sure of it.
 */
static void vmx_inject_exception(struct vmx_vcpu *vmx)
{
	struct vmx_pending_exception *e = &vmx->exception;
	u32 info = e->vector | INTR_INFO_VALID_MASK;
	bool error_code = e->has_error_code && vmx_exception_has_error_code(e->vector);

	info |= INTR_TYPE_HARD_EXCEPTION;
	if (error_code) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, e->error_code);
	}
	vmx_set_entry_intr_info(vmx, info);
	e->pending = false;
}

static void vmx_queue_gp(struct vmon_vcpu *vcpu)
{
	vmx_queue_exception(vcpu, X86_TRAP_GP, true, 0);
}

/* the registers the common rules (kmod/cr.c) look at */
static void vmx_cr_state(struct vmon_cr_state *now)
{
	now->cr0 = vmx_guest_cr0();
	now->cr3 = vmcs_read(GUEST_CR3);
	now->cr4 = vmx_guest_cr4();
	now->efer = vmcs_read(GUEST_IA32_EFER);
	now->mode64 = vmx_guest_64bit_mode();
}

/*
 * MOV to CR0 / CLTS / LMSW: the architectural rules are common
 * (vmon_cr0_write()); VMX adds the CR0 bits its CPU cannot hold
 * (SDM Vol. 3C A.7; unrestricted guest frees PE and PG, 26.3.1.1) and
 * the PDPTEs that entering PAE paging loads, or #GP (pae.c).
 */
static void vmx_write_cr0(struct vmon_vcpu *vcpu, u64 val)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_paging before, after;
	struct vmon_cr_state now;
	u64 efer;

	vmx_cr_state(&now);
	if (vmon_cr0_write(&now, val, &efer) ||
	    (val & ~vmx_config.cr0_fixed1 & ~(u64)(X86_CR0_PE | X86_CR0_PG) & 0xffffffffull)) {
		vmx_queue_gp(vcpu);
		return;
	}
	vmx_read_paging(&before);
	after = before;
	after.cr0 = val;
	after.efer = efer;
	if (vmx_pdptes_reload(&before, &after) && vmx_load_pdptes(vcpu, after.cr3)) {
		vmx_queue_gp(vcpu);
		return;
	}
	vmx_set_guest_cr0(vmx, val);
	vmcs_write(GUEST_IA32_EFER, efer);
	vmx_update_ia32e_mode(vmx);
	vmx_paging_changed(vmx, &before, &after);
	vmx_skip_instruction(vcpu);
}

/* MOV to CR4: common rules, CR4 bits per IA32_VMX_CR4_FIXED1 (SDM A.8), PDPTEs */
static void vmx_write_cr4(struct vmon_vcpu *vcpu, u64 val)
{
	struct vmx_paging before, after;
	struct vmon_cr_state now;

	vmx_cr_state(&now);
	/* no CR4 bit above 31 is virtualized */
	if (vmon_cr4_write(&now, val, vmx_config.cr4_fixed1 & 0xffffffffull)) {
		vmx_queue_gp(vcpu);
		return;
	}
	vmx_read_paging(&before);
	after = before;
	after.cr4 = val;
	if (vmx_pdptes_reload(&before, &after) && vmx_load_pdptes(vcpu, after.cr3)) {
		vmx_queue_gp(vcpu);
		return;
	}
	vmx_set_guest_cr4(to_vmx(vcpu), val);
	vmx_paging_changed(to_vmx(vcpu), &before, &after);
	vmx_skip_instruction(vcpu);
}

/* MOV to CR3: in PAE paging it loads the PDPTEs, and it always flushes */
static void vmx_write_cr3(struct vmon_vcpu *vcpu, u64 val)
{
	struct vmx_paging now;

	vmx_read_paging(&now);
	if (vmx_pae_paging(&now) && vmx_load_pdptes(vcpu, val)) {
		vmx_queue_gp(vcpu);
		return;
	}
	vmcs_write(GUEST_CR3, val);
	to_vmx(vcpu)->need_flush = true;
	vmx_skip_instruction(vcpu);
}

/* exit 28, qualification in SDM Table 28-3 */
static void vmx_handle_cr_access(struct vmon_vcpu *vcpu, u64 qual)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	/* bits 3:0 (CONTROL_REG_ACCESS_NUM covers only 2:0, too few for CR8) */
	unsigned int cr = qual & 0xf;
	unsigned int type = (qual & CONTROL_REG_ACCESS_TYPE) >> 4;
	u64 *reg = vmx_gpr(vcpu, (qual >> 8) & 15);
	u64 val;

	switch (type) {
	case 0:		/* MOV to CR */
		val = *reg;
		if (!vmx_guest_64bit_mode())
			val = (u32)val;
		if (cr == 0) {
			vmx_write_cr0(vcpu, val);
		} else if (cr == 4) {
			vmx_write_cr4(vcpu, val);
		} else if (cr == 3) {
			vmx_write_cr3(vcpu, val);
		} else if (cr == 8) {
			if (val & ~0xfull) {
				vmx_queue_gp(vcpu);
				return;
			}
			vmx->cr8 = val;
			vmx_skip_instruction(vcpu);
		}
		return;
	case 1:		/* MOV from CR: only CR3 and CR8 can exit */
		*reg = cr == 3 ? vmcs_read(GUEST_CR3) : vmx->cr8;
		vmx_skip_instruction(vcpu);
		return;
	case 2:		/* CLTS */
		vmx_write_cr0(vcpu, vmx_guest_cr0() & ~X86_CR0_TS);
		return;
	case 3:		/* LMSW: bits 3:0 only, and it cannot clear PE */
		val = (qual >> LMSW_SOURCE_DATA_SHIFT) & 0xf;
		val |= vmx_guest_cr0() & (~0xfull | X86_CR0_PE);
		vmx_write_cr0(vcpu, val);
		return;
	}
}

/*
 * Exit 29, SDM Table 28-4.  The guest's debug registers live in
 * software: the hardware DR0-DR3/DR6 are the host's (ptrace, perf).
 * A guest's breakpoints therefore never fire; it only loses itself.
 */
static void vmx_handle_dr_access(struct vmon_vcpu *vcpu, u64 qual)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned int dr = qual & DEBUG_REG_ACCESS_NUM;
	u64 *reg = vmx_gpr(vcpu, DEBUG_REG_ACCESS_REG(qual));
	u64 *slot = dr < 4 ? &vmx->dr[dr] : (dr == 6 || dr == 4) ? &vmx->dr6 : &vmx->dr7;

	if (qual & TYPE_MOV_FROM_DR) {
		*reg = *slot;
	} else {
		if ((dr == 6 || dr == 7 || dr == 4 || dr == 5) && (*reg >> 32)) {
			vmx_queue_gp(vcpu);
			return;
		}
		*slot = *reg;
	}
	vmx_skip_instruction(vcpu);
}

/* exit 30, SDM Table 28-5; string form: SDM 28.2.5 instruction information */
static void vmx_decode_io(struct vmon_vcpu *vcpu, u64 qual)
{
	struct vmon_exit *x = &vcpu->exit;

	x->kind = VMON_X_IO;
	x->io.size = (qual & 7) + 1;
	x->io.in = qual & BIT(3);
	x->io.string = qual & BIT(4);
	x->io.rep = qual & BIT(5);
	x->io.port = qual >> 16;
	x->io.insn_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	to_vmx(vcpu)->exit_insn_len = x->io.insn_len;
	x->io.addr_size = 0;
	x->io.seg = VMON_SEG_ES;
	if (!x->io.string)
		return;
	if (vmx_config.io_insn_info) {
		u32 info = vmcs_read(VMX_INSTRUCTION_INFO);

		/* bits 9:7 address size, 17:15 segment (OUTS only; INS uses ES) */
		x->io.addr_size = 2 << ((info >> 7) & 7);
		if (!x->io.in)
			x->io.seg = (info >> 15) & 7;
	} else {
		u32 cs_ar = vmcs_read(GUEST_CS_AR_BYTES);

		/* no information: the default address size of the mode, DS */
		if (vmx_guest_64bit_mode())
			x->io.addr_size = 8;
		else
			x->io.addr_size = (cs_ar & VMX_AR_DB_MASK) ? 4 : 2;
		if (!x->io.in)
			x->io.seg = VMON_SEG_DS;
	}
}

static void vmx_fail_entry(struct vmon_vcpu *vcpu, u32 kind, u64 code, u64 qual,
			   const char *reason)
{
	struct vmon_exit *x = &vcpu->exit;

	x->kind = VMON_X_FAIL_ENTRY;
	x->fail.kind = kind;
	x->fail.code = code;
	x->fail.qualification = qual;
	x->fail.reason = reason;
}

/*
 * An NMI that arrived while the guest ran caused this exit instead of
 * being delivered (NMI exiting, SDM 25.2); it is gone unless the host
 * handles it now.  Do so with interrupts still off, so that nothing
 * runs before it: INT 2 enters the kernel's NMI handler through its
 * IDT gate (and IST stack), as KVM did for years.  Its IRET reopens
 * nothing early: an exit caused by an NMI leaves NMIs unblocked in the
 * host, unlike NMI delivery.
 */
static void vmx_deliver_host_nmi(void)
{
	asm volatile("int $2" ::: "memory");
}

/*
 * Exits caused by executing an instruction that has no exit
 * qualification (SDM Vol. 3C 28.2.1: the field is cleared for them) and
 * cannot happen during event delivery, so the IDT-vectoring information
 * is invalid (28.2.4): neither field needs a VMREAD.
 */
static bool vmx_exit_is_plain_insn(u32 reason)
{
	switch (reason) {
	case EXIT_REASON_CPUID:
	case EXIT_REASON_MSR_READ:
	case EXIT_REASON_MSR_WRITE:
	case EXIT_REASON_HLT:
	case EXIT_REASON_XSETBV:
	case EXIT_REASON_VMCALL:
		return true;
	default:
		return false;
	}
}

/*
 * The same, and I/O instructions: exits that cannot happen while an
 * event is delivered (SDM 28.2.4), so the IDT-vectoring information
 * needs no VMREAD after them (vmx_events_after_exit()).
 */
static bool __vmon_hot vmx_exit_no_vectoring(u32 reason)
{
	return vmx_exit_is_plain_insn(reason) || reason == EXIT_REASON_IO_INSTRUCTION;
}

static void __vmon_hot vmx_decode_exit(struct vmon_vcpu *vcpu, u32 reason)
{
	struct vmon_exit *x = &vcpu->exit;
	u64 qual = vmx_exit_is_plain_insn(reason) ? 0 : vmcs_read(EXIT_QUALIFICATION);
	u32 intr;

	x->hw_reason = reason;
	x->qualification = qual;

	/* SDM 27.8: bit 31 set means the entry failed while loading guest state */
	if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		switch (reason & 0xffff) {
		case EXIT_REASON_MSR_LOAD_FAIL:
			vmx_fail_entry(vcpu, VMON_FAIL_MSR_LOAD, qual, qual,
				       vmx_exit_name(reason));
			return;
		case EXIT_REASON_INVALID_STATE:
			vmx_fail_entry(vcpu, VMON_FAIL_GUEST_STATE, reason, qual,
				       vmx_exit_name(reason));
			vmx_name_broken_rule(vcpu);	/* checks.c */
			return;
		default:	/* 41: machine check during entry */
			vmx_fail_entry(vcpu, VMON_FAIL_OTHER, reason, qual,
				       vmx_exit_name(reason));
			return;
		}
	}

	x->kind = VMON_X_CONTINUE;
	switch (reason & 0xffff) {
	case EXIT_REASON_EXCEPTION_NMI:
		intr = vmcs_read(VM_EXIT_INTR_INFO);
		if ((intr & INTR_INFO_VALID_MASK) &&
		    (intr & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
			vmx_deliver_host_nmi();
		else
			x->kind = VMON_X_UNHANDLED;	/* the exception bitmap is 0 */
		break;
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		/* the interrupt is still pending: taken when the run loop enables irqs */
		break;
	case EXIT_REASON_INTERRUPT_WINDOW:
		x->kind = VMON_X_IRQ_WINDOW;
		break;
	case EXIT_REASON_NMI_WINDOW:
		x->kind = VMON_X_NMI_WINDOW;
		break;
	case EXIT_REASON_PREEMPTION_TIMER:
		/* the guest's stint is over (vmx_setup_preemption_timer()) */
		break;
	case EXIT_REASON_TRIPLE_FAULT:
		x->kind = VMON_X_SHUTDOWN;
		break;
	case EXIT_REASON_CPUID:
		x->kind = VMON_X_CPUID;
		break;
	case EXIT_REASON_HLT:
		x->kind = VMON_X_HLT;
		break;
	case EXIT_REASON_PAUSE_INSTRUCTION:
		/* PAUSE-loop exiting (SDM 26.1.3): spin.c yields */
		x->kind = VMON_X_PAUSE;
		break;
	case EXIT_REASON_INVD:
	case EXIT_REASON_WBINVD:
		/* guest memory is write-back and coherent: nothing to write back */
		vmx_skip_instruction(vcpu);
		break;
	case EXIT_REASON_VMCALL:
		x->kind = VMON_X_HYPERCALL;
		break;
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMOFF:
	case EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
		/* no nested VMX: the guest sees an invalid opcode */
		vmx_queue_exception(vcpu, X86_TRAP_UD, false, 0);
		break;
	case EXIT_REASON_CR_ACCESS:
		vmx_handle_cr_access(vcpu, qual);
		break;
	case EXIT_REASON_DR_ACCESS:
		vmx_handle_dr_access(vcpu, qual);
		break;
	case EXIT_REASON_IO_INSTRUCTION:
		vmx_decode_io(vcpu, qual);
		break;
	case EXIT_REASON_MSR_READ:
		x->kind = VMON_X_RDMSR;
		break;
	case EXIT_REASON_MSR_WRITE:
		x->kind = VMON_X_WRMSR;
		break;
	case EXIT_REASON_EPT_VIOLATION:
		/*
		 * SDM Table 28-7: bit 1 data write, bit 2 instruction fetch;
		 * bit 7 set with bit 8 clear: an access to a guest
		 * paging-structure entry, not to the linear address
		 */
		x->kind = VMON_X_TDP_FAULT;
		x->tdp.gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
		x->tdp.write = qual & EPT_VIOLATION_ACC_WRITE;
		x->tdp.fetch = qual & EPT_VIOLATION_ACC_INSTR;
		x->tdp.walk = (qual & EPT_VIOLATION_GVA_IS_VALID) &&
			      !(qual & EPT_VIOLATION_GVA_TRANSLATED);
		x->tdp.insn_len = 0;
		break;
	case EXIT_REASON_XSETBV:
		x->kind = VMON_X_XSETBV;
		break;
	default:
		/* EPT misconfiguration, RDPMC, MWAIT, task switch, ... */
		x->kind = VMON_X_UNHANDLED;
		break;
	}
}

/*
 * Irqs off, loaded.  Debug state: the exit cleared IA32_DEBUGCTL and
 * set DR7 to 0x400 (SDM 28.5.1); CR2 is not switched by VMX at all.
 */
void __vmon_hot vmx_run(struct vmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 reason;
	int fail;

	BUILD_BUG_ON(offsetof(struct vmon_regs, rax) != 0);
	BUILD_BUG_ON(offsetof(struct vmon_regs, rdi) != 40);
	BUILD_BUG_ON(offsetof(struct vmon_regs, rbp) != 56);
	BUILD_BUG_ON(offsetof(struct vmon_regs, r8) != 64);
	BUILD_BUG_ON(offsetof(struct vmon_regs, r15) != 120);

	if (vmx->need_flush)
		vmx_flush_tlb(vcpu);
	vmx_refresh_host_state(vmx);
	/* what the last exit left there, unless an exit handler or userspace changed it */
	if (vcpu->regs.rip != vmx->vmcs_rip) {
		vmcs_write(GUEST_RIP, vcpu->regs.rip);
		vmx->vmcs_rip = vcpu->regs.rip;
	}
	if (vcpu->regs.rsp != vmx->vmcs_rsp) {
		vmcs_write(GUEST_RSP, vcpu->regs.rsp);
		vmx->vmcs_rsp = vcpu->regs.rsp;
	}
	if (vcpu->regs.rflags != vmx->vmcs_rflags) {
		vmcs_write(GUEST_RFLAGS, vcpu->regs.rflags);
		vmx->vmcs_rflags = vcpu->regs.rflags;
	}
	if (vmx->exception.pending)
		vmx_inject_exception(vmx);
	vmx_events_before_entry(vmx);

	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);

	vmon_spec_before_entry(vcpu);
	fail = vmx_vmenter(&vcpu->regs, vmx->launched, &vmx->host_rsp);
	vmon_spec_after_exit(vcpu);

	vmx->cr2 = native_read_cr2();
	/* the exit set DR7 to 0x400 and cleared DEBUGCTL (SDM 28.5.1) */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	if (vmx->host_debugctl)
		wrmsrl(MSR_IA32_DEBUGCTLMSR, vmx->host_debugctl);

	memset(&vcpu->exit, 0, sizeof(vcpu->exit));
	if (unlikely(fail)) {
		/*
		 * No VM exit happened, so nothing cleared the injection
		 * (SDM Vol. 3C 28.2.4 does so only on exits): drop it, so
		 * that an event the CPU refused cannot make every later
		 * entry fail the same way.
		 */
		vmx_set_entry_intr_info(vmx, 0);
		if (fail == VMX_ENTER_FAIL_VALID) {
			u32 err = vmcs_read(VM_INSTRUCTION_ERROR);

			vcpu->exit.hw_reason = VMX_EXIT_REASONS_FAILED_VMENTRY;
			vmx_fail_entry(vcpu, VMON_FAIL_VMINSTR_ERROR, err, 0,
				       vmx_insn_error_text(err));
		} else {
			/* no current VMCS: a bug in vmon, not the caller's doing */
			pr_err_ratelimited("vmon: vCPU %u: VM entry failed with VMfailInvalid (no current VMCS)\n",
					   vcpu->id);
			vcpu->exit.kind = VMON_X_UNHANDLED;
			vcpu->exit.hw_reason = VMX_EXIT_VMFAIL_INVALID;
		}
		return;
	}

	/* interrupt information of the entry is cleared by every exit (SDM 28.2.4) */
	vcpu->regs.rip = vmcs_read(GUEST_RIP);
	vcpu->regs.rsp = vmcs_read(GUEST_RSP);
	vcpu->regs.rflags = vmcs_read(GUEST_RFLAGS);
	vmx->vmcs_rip = vcpu->regs.rip;
	vmx->vmcs_rsp = vcpu->regs.rsp;
	vmx->vmcs_rflags = vcpu->regs.rflags;
	reason = vmcs_read(VM_EXIT_REASON);
	/*
	 * The exit cleared the valid bit of the injection (SDM 25.8.3);
	 * after an entry that failed while loading guest state (27.8) the
	 * field is read back rather than assumed.
	 */
	if (unlikely(reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
		vmx->entry_intr_info = vmcs_read(VM_ENTRY_INTR_INFO_FIELD);
	else
		vmx->entry_intr_info = 0;
	vmx->exit_insn_len = 0;		/* not read yet */
	vmx_decode_exit(vcpu, reason);
	if (vcpu->exit.kind != VMON_X_FAIL_ENTRY &&
	    !vmx_exit_no_vectoring(vcpu->exit.hw_reason))
		vmx_events_after_exit(vcpu, vcpu->exit.hw_reason, vcpu->exit.qualification);
	/* after a failure while loading guest state the VMCS is still clear */
	if (vcpu->exit.kind != VMON_X_FAIL_ENTRY)
		vmx->launched = true;
}
