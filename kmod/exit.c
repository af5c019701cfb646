// SPDX-License-Identifier: GPL-2.0
/*
 * What a VM exit means, independent of the vendor.  The backend decoded
 * the hardware exit into vcpu->exit (struct vmon_exit, core.h); here it
 * is either handled in the kernel (the guest is entered again) or turned
 * into a userspace exit in the run page (struct vmon_run, uapi).
 *
 * vmon_handle_exit() runs with preemption enabled and the vCPU loaded
 * (vmon_vcpu_load(): the preempt notifier puts it when the task leaves
 * the CPU and loads it where the task runs again): it may sleep (a TDP
 * fault allocates table pages) and calls "loaded" backend operations
 * directly.
 *
 * Nothing a guest does is logged: a guest could flood the host log.
 * Rate-limited warnings are printed only for what must be a module bug.
 */
#define pr_fmt(fmt) "vmon: " fmt

#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/processor-flags.h>

#include "core.h"
#include "emulate.h"

#define X86_VEC_UD	6
#define X86_VEC_GP	13
/* CPUID.01H:EDX[9] (APIC), ECX (SDM Vol. 2A, Table 3-10) */
#define CPUID_1_EDX_APIC	BIT(9)
#define CPUID_1_ECX_XSAVE	BIT(26)
#define CPUID_1_ECX_OSXSAVE	BIT(27)

static void vmon_skip_instruction(struct vmon_vcpu *vcpu)
{
	vmon_call(skip_instruction)(vcpu);
}

static void vmon_queue_exception(struct vmon_vcpu *vcpu, u8 vector, bool has_error_code,
				 u32 error_code)
{
	vmon_ops->queue_exception(vcpu, vector, has_error_code, error_code);
}

static void vmon_inject_gp0(struct vmon_vcpu *vcpu)
{
	vmon_queue_exception(vcpu, X86_VEC_GP, true, 0);
}

/* loaded */
void vmon_get_sregs(struct vmon_vcpu *vcpu, struct vmon_sregs *sregs)
{
	memset(sregs, 0, sizeof(*sregs));
	vmon_ops->get_sregs(vcpu, sregs);
}

/* an exit userspace sees as VMON_EXIT_INTERNAL_ERROR */
int vmon_internal_error(struct vmon_vcpu *vcpu, u32 kind, u64 code, u64 qual,
			const char *reason)
{
	struct vmon_run *run = vcpu->run;

	run->exit_reason = VMON_EXIT_INTERNAL_ERROR;
	run->internal.kind = kind;
	run->internal.padding = 0;
	run->internal.code = code;
	run->internal.qualification = qual;
	strscpy(run->internal.reason, reason ? reason : "", sizeof(run->internal.reason));
	return 0;
}

/*
 * Port I/O (SDM Vol. 3C 26.1.3 / APM Vol. 2 15.10.2).
 * - OUT: the value is taken from RAX now and RIP is advanced, so the
 *   guest needs nothing more; userspace performs the write.
 * - IN: RIP is advanced now; userspace stores the value in run->io.data
 *   and the next VMON_RUN merges it into RAX (vmon_complete_user_exit()).
 * - INS/OUTS: userspace emulates the whole instruction (it has to walk
 *   the guest's page tables anyway) and advances RIP itself; the kernel
 *   only tells it the address size, the segment and the length.
 */
static int vmon_exit_io(struct vmon_vcpu *vcpu)
{
	const struct vmon_exit *x = &vcpu->exit;
	struct vmon_run *run = vcpu->run;
	u8 size = x->io.size;

	if (size != 1 && size != 2 && size != 4) {
		pr_warn_ratelimited("%s backend reported an I/O size of %u\n",
				    vmon_ops->name, size);
		return vmon_internal_error(vcpu, VMON_INTERNAL_UNHANDLED_EXIT, x->hw_reason,
					   x->qualification, "bad I/O exit decode");
	}

	memset(&run->io, 0, sizeof(run->io));
	run->exit_reason = VMON_EXIT_IO;
	run->io.port = x->io.port;
	run->io.size = size;
	run->io.direction = x->io.in ? VMON_IO_IN : VMON_IO_OUT;
	run->io.insn_len = x->io.insn_len;

	if (x->io.string) {
		run->io.flags = VMON_IO_STRING | (x->io.rep ? VMON_IO_REP : 0);
		run->io.addr_size = x->io.addr_size;
		run->io.seg = x->io.seg;
		return 0;
	}

	if (x->io.in) {
		vcpu->pending = VMON_PENDING_IO_IN;
	} else {
		run->io.data = (u32)vcpu->regs.rax &
			       (size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1);
		/* an eventfd registered for it: the guest goes on at once */
		if (vmon_ioeventfd_pio(vcpu, x->io.port, size, run->io.data)) {
			vmon_skip_instruction(vcpu);
			return 1;
		}
	}
	vmon_skip_instruction(vcpu);
	return 0;
}

/* EPT violation / nested page fault: RAM is mapped, the rest is MMIO */
static int vmon_exit_tdp_fault(struct vmon_vcpu *vcpu)
{
	const struct vmon_exit *x = &vcpu->exit;
	int r;

	/* the xAPIC page decodes before memory, as on hardware (SDM Vol. 3A 11.4.1) */
	r = vmon_lapic_mmio(vcpu, x->tdp.gpa);
	if (r != -ENOENT)
		return r;
	r = vmon_mem_fault(vcpu->vm, x->tdp.gpa, x->tdp.write);
	if (!r)
		return 1;
	if (r != -ENOENT && r != -EACCES)
		return vmon_internal_error(vcpu, VMON_INTERNAL_NO_MEMORY, -r, x->tdp.gpa,
					   "no memory for the second-level page tables");
	/* a write an eventfd is registered for (ioeventfd.c): no exit */
	if (vmon_ioeventfd_mmio(vcpu) == 1)
		return 1;

	/* userspace's device: decoded by the kernel where it can (emulate.c) */
	vmon_mmio_user_exit(vcpu, r == -EACCES);
	return 0;
}

/*
 * CPUID from the vCPU's table (cpuid.c).  The results are 32-bit values
 * written to the full 64-bit registers, which zero-extends them as the
 * instruction does in 64-bit mode (SDM Vol. 1 3.4.1.1).  CPUID.01H:ECX
 * OSXSAVE reflects the guest's CR4.OSXSAVE, as on hardware.
 */
static int __vmon_hot vmon_exit_cpuid(struct vmon_vcpu *vcpu)
{
	struct vmon_regs *regs = &vcpu->regs;
	u32 function = regs->rax, index = regs->rcx;
	u32 eax, ebx, ecx, edx;

	vmon_cpuid_lookup(vcpu, function, index, &eax, &ebx, &ecx, &edx);
	if (function == 1 && (ecx & CPUID_1_ECX_XSAVE)) {
		struct vmon_sregs sregs;

		vmon_get_sregs(vcpu, &sregs);
		if (sregs.cr4 & X86_CR4_OSXSAVE)
			ecx |= CPUID_1_ECX_OSXSAVE;
		else
			ecx &= ~CPUID_1_ECX_OSXSAVE;
	}
	/* SDM Vol. 3A 11.4.3: with IA32_APIC_BASE.EN clear, CPUID says no APIC */
	if (function == 1 && !vmon_lapic_hw_enabled(vcpu))
		edx &= ~CPUID_1_EDX_APIC;
	regs->rax = eax;
	regs->rbx = ebx;
	regs->rcx = ecx;
	regs->rdx = edx;
	vmon_skip_instruction(vcpu);
	return 1;
}

/* an MSR the kernel does not own: VMON_EXIT_MSR, completed on the next VMON_RUN */
static int __vmon_hot vmon_msr_user_exit(struct vmon_vcpu *vcpu, u32 index, bool is_write, u64 data)
{
	struct vmon_run *run = vcpu->run;

	memset(&run->msr, 0, sizeof(run->msr));
	run->exit_reason = VMON_EXIT_MSR;
	run->msr.index = index;
	run->msr.is_write = is_write;
	run->msr.data = data;
	vcpu->pending = is_write ? VMON_PENDING_WRMSR : VMON_PENDING_RDMSR;
	return 0;
}

/* RDMSR of an MSR the kernel owns, with vmon_get_msr()'s answer: 0 or #GP */
static void __vmon_hot vmon_finish_rdmsr(struct vmon_vcpu *vcpu, int r, u64 data)
{
	if (!r) {
		vcpu->regs.rax = (u32)data;
		vcpu->regs.rdx = data >> 32;
		vmon_call(skip_instruction)(vcpu);
	} else {
		vmon_ops->queue_exception(vcpu, X86_VEC_GP, true, 0);
	}
}

static int vmon_exit_rdmsr(struct vmon_vcpu *vcpu)
{
	u32 index = vcpu->regs.rcx;
	u64 data = 0;
	int r;

	r = vmon_get_msr(vcpu, index, &data);
	if (r != -ENOENT) {
		vmon_finish_rdmsr(vcpu, r, data);
		return 1;
	}

	/* not ours: userspace answers, the next VMON_RUN completes it */
	return vmon_msr_user_exit(vcpu, index, false, 0);
}

static int __vmon_hot vmon_exit_wrmsr(struct vmon_vcpu *vcpu)
{
	u32 index = vcpu->regs.rcx;
	u64 data = (vcpu->regs.rdx << 32) | (u32)vcpu->regs.rax;
	int r;

	r = vmon_set_msr(vcpu, index, data, false);
	if (!r)
		vmon_call(skip_instruction)(vcpu);
	else if (r != -ENOENT)
		vmon_ops->queue_exception(vcpu, X86_VEC_GP, true, 0);
	if (r != -ENOENT)
		return 1;

	return vmon_msr_user_exit(vcpu, index, true, data);
}

/*
 * XSETBV (SDM Vol. 2C): #UD unless CR4.OSXSAVE = 1, #GP(0) unless CPL 0
 * (VMX checks both before the exit, SVM intercepts may come first), and
 * #GP(0) for a value the rules of vmon_set_xcr0() refuse.
 */
static int vmon_exit_xsetbv(struct vmon_vcpu *vcpu)
{
	u64 value = (vcpu->regs.rdx << 32) | (u32)vcpu->regs.rax;
	struct vmon_sregs sregs;

	vmon_get_sregs(vcpu, &sregs);
	if (!(sregs.cr4 & X86_CR4_OSXSAVE))
		vmon_queue_exception(vcpu, X86_VEC_UD, false, 0);
	else if (vmon_cpl(&sregs) != 0 || vmon_set_xcr0(vcpu, vcpu->regs.rcx, value))
		vmon_inject_gp0(vcpu);
	else
		vmon_skip_instruction(vcpu);
	return 1;
}

/* VMCALL / VMMCALL: RIP moves past it; userspace puts the result in RAX */
static int vmon_exit_hypercall(struct vmon_vcpu *vcpu)
{
	struct vmon_run *run = vcpu->run;

	vmon_skip_instruction(vcpu);
	memset(&run->hypercall, 0, sizeof(run->hypercall));
	run->exit_reason = VMON_EXIT_HYPERCALL;
	run->hypercall.nr = vcpu->regs.rax;
	run->hypercall.args[0] = vcpu->regs.rbx;
	run->hypercall.args[1] = vcpu->regs.rcx;
	run->hypercall.args[2] = vcpu->regs.rdx;
	run->hypercall.args[3] = vcpu->regs.rsi;
	return 0;
}

static int vmon_exit_fail_entry(struct vmon_vcpu *vcpu)
{
	const struct vmon_exit *x = &vcpu->exit;
	struct vmon_run *run = vcpu->run;

	memset(&run->fail_entry, 0, sizeof(run->fail_entry));
	run->exit_reason = VMON_EXIT_FAIL_ENTRY;
	run->fail_entry.kind = x->fail.kind;
	run->fail_entry.code = x->fail.code;
	run->fail_entry.qualification = x->fail.qualification;
	run->fail_entry.rule = x->fail.rule;
	strscpy(run->fail_entry.reason, x->fail.reason ? x->fail.reason : "",
		sizeof(run->fail_entry.reason));
	return 0;
}

/* 1 = enter again, 0 = return to userspace, < 0 = error */
static int vmon_dispatch_exit(struct vmon_vcpu *vcpu)
{
	const struct vmon_exit *x = &vcpu->exit;
	struct vmon_run *run = vcpu->run;
	const char *name;

	run->hw_exit_reason = x->hw_reason;

	switch (x->kind) {
	case VMON_X_CONTINUE:
		return 1;
	case VMON_X_IO:
		return vmon_exit_io(vcpu);
	case VMON_X_TDP_FAULT:
		return vmon_exit_tdp_fault(vcpu);
	case VMON_X_HLT:
		vmon_skip_instruction(vcpu);
		/* a queued event wakes the CPU at once: no userspace round trip */
		if (vmon_events_wake_from_hlt(vcpu))
			return 1;
		/* with an enabled APIC the kernel waits (vmon_lapic_block()) */
		if (vmon_lapic_halt(vcpu))
			return 1;
		run->exit_reason = VMON_EXIT_HLT;
		return 0;
	case VMON_X_IRQ_WINDOW:
	case VMON_X_NMI_WINDOW:
		return vmon_events_window_exit(vcpu);
	case VMON_X_PAUSE:
		return vmon_exit_pause(vcpu);
	case VMON_X_CPUID:
		return vmon_exit_cpuid(vcpu);
	case VMON_X_RDMSR:
		return vmon_exit_rdmsr(vcpu);
	case VMON_X_WRMSR:
		return vmon_exit_wrmsr(vcpu);
	case VMON_X_HYPERCALL:
		return vmon_exit_hypercall(vcpu);
	case VMON_X_XSETBV:
		return vmon_exit_xsetbv(vcpu);
	case VMON_X_SHUTDOWN:
		run->exit_reason = VMON_EXIT_SHUTDOWN;
		return 0;
	case VMON_X_FAIL_ENTRY:
		return vmon_exit_fail_entry(vcpu);
	case VMON_X_UNHANDLED:
		name = vmon_ops->exit_name(x->hw_reason);
		return vmon_internal_error(vcpu, VMON_INTERNAL_UNHANDLED_EXIT, x->hw_reason,
					   x->qualification, name ? name : "unknown exit");
	}

	pr_warn_ratelimited("%s backend returned exit kind %d\n", vmon_ops->name, x->kind);
	return vmon_internal_error(vcpu, VMON_INTERNAL_UNHANDLED_EXIT, x->hw_reason,
				   x->qualification, "bad exit decode");
}

/*
 * The fast path (irqs off, loaded, right after run(), see
 * vmon_enter_guest()): the exits the kernel finishes without sleeping,
 * without userspace and without the local APIC's transitions, so that
 * the guest can be entered again without enabling interrupts.  True:
 * handled, exactly as vmon_dispatch_exit() would have (which returns 1
 * for them).  False: nothing was changed, the full path takes it.
 * External-interrupt and VMX-preemption-timer exits (VMON_X_CONTINUE)
 * are left to the caller, which must let the host take the interrupt.
 */
bool __vmon_hot vmon_handle_exit_fast(struct vmon_vcpu *vcpu)
{
	u32 index;
	u64 data;
	int r;

	switch (vcpu->exit.kind) {
	case VMON_X_CPUID:
		return vmon_exit_cpuid(vcpu);
	case VMON_X_XSETBV:
		return vmon_exit_xsetbv(vcpu);
	case VMON_X_RDMSR:
		/* read once: userspace's MSRs (-ENOENT) go to the full path */
		index = vcpu->regs.rcx;
		if (!vmon_msr_fast(index))
			return false;
		data = 0;
		r = vmon_get_msr(vcpu, index, &data);
		if (r == -ENOENT)
			return false;
		vmon_finish_rdmsr(vcpu, r, data);
		return true;
	case VMON_X_WRMSR:
		/* -ENOENT changed nothing: userspace's, through the full path */
		index = vcpu->regs.rcx;
		if (!vmon_msr_fast(index))
			return false;
		/* on -ENOENT the full path fills the run page again, alike */
		return vmon_exit_wrmsr(vcpu) == 1;
	default:
		return false;
	}
}

/*
 * An EOI of a level-triggered vector (a WRMSR or an xAPIC write that
 * completed in the kernel) becomes VMON_EXIT_EOI for the userspace I/O
 * APIC; the guest continues after the EOI at the next VMON_RUN.
 */
int __vmon_hot vmon_handle_exit(struct vmon_vcpu *vcpu)
{
	struct vmon_run *run = vcpu->run;
	int r = vmon_dispatch_exit(vcpu);

	if (r == 1 && vcpu->lapic.eoi_vector >= 0) {
		memset(&run->eoi, 0, sizeof(run->eoi));
		run->exit_reason = VMON_EXIT_EOI;
		run->eoi.vector = vcpu->lapic.eoi_vector;
		vcpu->lapic.eoi_vector = -1;
		return 0;
	}
	return r;
}

/*
 * The next VMON_RUN after a userspace exit finishes the instruction that
 * caused it, with what userspace left in the run page (each field read
 * once: userspace may still be writing the page).
 */
void __vmon_hot vmon_complete_user_exit(struct vmon_vcpu *vcpu)
{
	struct vmon_run *run = vcpu->run;
	struct vmon_regs *regs = &vcpu->regs;
	u64 data;

	switch (vcpu->pending) {
	case VMON_PENDING_NONE:
		return;
	case VMON_PENDING_IO_IN:
		/*
		 * IN AL/AX writes only the low 8/16 bits and keeps the rest
		 * of RAX; IN EAX writes EAX, which zero-extends into RAX
		 * (SDM Vol. 1 3.4.1.1).
		 */
		data = READ_ONCE(run->io.data);
		switch (vcpu->exit.io.size) {
		case 1:
			regs->rax = (regs->rax & ~0xffULL) | (data & 0xff);
			break;
		case 2:
			regs->rax = (regs->rax & ~0xffffULL) | (data & 0xffff);
			break;
		default:
			regs->rax = (u32)data;
			break;
		}
		break;
	case VMON_PENDING_RDMSR:
		if (READ_ONCE(run->msr.error)) {
			vmon_inject_gp0(vcpu);
		} else {
			data = READ_ONCE(run->msr.data);
			regs->rax = (u32)data;
			regs->rdx = data >> 32;
			vmon_skip_instruction(vcpu);
		}
		break;
	case VMON_PENDING_WRMSR:
		if (READ_ONCE(run->msr.error))
			vmon_inject_gp0(vcpu);
		else
			vmon_skip_instruction(vcpu);
		break;
	case VMON_PENDING_MMIO_LOAD:
		/* RIP is past the load already (vmon_mmio_user_exit()) */
		vmon_mmio_complete_load(vcpu, READ_ONCE(run->mmio.data));
		break;
	}
	vcpu->pending = VMON_PENDING_NONE;
}
