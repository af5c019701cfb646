// SPDX-License-Identifier: GPL-2.0
/*
 * #VMEXIT decoding: VMCB EXITCODE/EXITINFO1/EXITINFO2 -> struct
 * vmon_exit for the common handlers, instruction lengths, and the
 * reasons a VMRUN was refused.
 *
 * Section numbers refer to the AMD64 Architecture Programmer's Manual
 * Vol. 2 (APM), chapter 15 "Secure Virtual Machine", and appendix C.
 */
#define pr_fmt(fmt) "vmon: " fmt

#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <asm/mce.h>
#include <asm/processor-flags.h>
#include <asm/svm.h>
#include <asm/traps.h>

#include "core.h"
#include "svm.h"

struct svm_exit_code_name {
	u32 code;
	const char *name;
	const char *desc;
};

static const struct svm_exit_code_name svm_exit_codes[] = {
#define SVM_EXIT_CODE(code, name, desc) { code, #name, desc },
#include "svm_exit_codes.h"
#undef SVM_EXIT_CODE
};

const char *svm_exit_name(u32 code)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(svm_exit_codes); i++)
		if (svm_exit_codes[i].code == code)
			return svm_exit_codes[i].name;
	return "UNKNOWN";
}

/*
 * Instruction lengths for the intercepts that advance RIP.  Without
 * nRIP save (APM 15.7.1; QEMU TCG does not offer it) the next RIP must
 * come from somewhere: IOIO has it in EXITINFO2 (APM 15.10.2), the rest
 * are the lengths of the unprefixed opcodes.
 */
#define SVM_LEN_HLT	1	/* F4 */
#define SVM_LEN_CPUID	2	/* 0F A2 */
#define SVM_LEN_MSR	2	/* 0F 32 (RDMSR), 0F 30 (WRMSR) */
#define SVM_LEN_VMMCALL	3	/* 0F 01 D9 */
#define SVM_LEN_XSETBV	3	/* 0F 01 D1 */

static void svm_set_next_rip(struct svm_vcpu *svm, unsigned int len)
{
	struct vmcb *vmcb = svm->vmcb;

	if (svm_features.nrips && vmcb->control.next_rip)
		svm->next_rip = vmcb->control.next_rip;
	else
		svm->next_rip = vmcb->save.rip + len;
}

void __vmon_hot svm_skip_instruction(struct vmon_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	if (!svm->next_rip) {
		pr_warn_ratelimited("cannot skip the instruction of exit %s: length unknown\n",
				    svm_exit_name(vcpu->exit.hw_reason));
		return;
	}
	vcpu->regs.rip = svm->next_rip;
	svm->next_rip = 0;
	/* APM 15.20: the skipped instruction's STI/MOV SS shadow ends */
	svm->vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
}

/* APM 15.10.2, figure 15-2: EXITINFO1 of an IOIO intercept */
#define SVM_IOIO_IN		BIT(0)
#define SVM_IOIO_SEG_SHIFT	10
#define SVM_IOIO_SEG_MASK	(7u << SVM_IOIO_SEG_SHIFT)
#define SVM_IOIO_PORT_SHIFT	16

/*
 * QEMU TCG (7.2) leaves A16/A32/A64 clear: fall back to the default
 * address size of the current code segment, which is right unless the
 * instruction has an address-size prefix.
 */
static u8 svm_default_addr_size(const struct vmcb *vmcb)
{
	if ((vmcb->save.efer & EFER_LMA) && (vmcb->save.cs.attrib & SVM_SELECTOR_L_MASK))
		return 8;
	return vmcb->save.cs.attrib & SVM_SELECTOR_DB_MASK ? 4 : 2;
}

static void svm_decode_io(struct svm_vcpu *svm, struct vmon_exit *exit)
{
	struct vmcb *vmcb = svm->vmcb;
	u64 info = vmcb->control.exit_info_1;
	u32 asize = (info & SVM_IOIO_ASIZE_MASK) >> SVM_IOIO_ASIZE_SHIFT;
	u32 size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;

	exit->kind = VMON_X_IO;
	exit->io.port = info >> SVM_IOIO_PORT_SHIFT;
	exit->io.in = info & SVM_IOIO_IN;
	exit->io.string = info & SVM_IOIO_STR_MASK;
	exit->io.rep = info & SVM_IOIO_REP_MASK;
	/* SZ8/SZ16/SZ32 and A16/A32/A64 are one-hot */
	exit->io.size = size & 4 ? 4 : size & 2 ? 2 : 1;
	if (asize)
		exit->io.addr_size = asize & 4 ? 8 : asize & 2 ? 4 : 2;
	else
		exit->io.addr_size = svm_default_addr_size(vmcb);
	/*
	 * OUTS reads from a segment that a prefix may override; decode
	 * assists report it in bits 12:10 (APM 15.33.2), else the default
	 * DS applies.  INS always writes ES:rDI.
	 */
	if (exit->io.in)
		exit->io.seg = VMON_SEG_ES;
	else if (svm_features.decode_assists)
		exit->io.seg = (info & SVM_IOIO_SEG_MASK) >> SVM_IOIO_SEG_SHIFT;
	else
		exit->io.seg = VMON_SEG_DS;
	/* EXITINFO2: RIP of the next instruction, with or without nRIP */
	svm->next_rip = vmcb->control.exit_info_2;
	exit->io.insn_len = svm->next_rip - vmcb->save.rip;
}

/* APM 15.25.6: EXITINFO1 of a nested page fault is a #PF error code */
#define SVM_NPF_WRITE	BIT_ULL(1)
#define SVM_NPF_FETCH	BIT_ULL(4)
/* the fault hit the guest's page tables, not the final address */
#define SVM_NPF_GUEST_WALK	BIT_ULL(33)

static void svm_decode_npf(struct svm_vcpu *svm, struct vmon_exit *exit)
{
	struct vmcb_control_area *ctl = &svm->vmcb->control;

	exit->kind = VMON_X_TDP_FAULT;
	exit->tdp.gpa = ctl->exit_info_2;
	exit->tdp.write = ctl->exit_info_1 & SVM_NPF_WRITE;
	exit->tdp.fetch = ctl->exit_info_1 & SVM_NPF_FETCH;
	exit->tdp.walk = ctl->exit_info_1 & SVM_NPF_GUEST_WALK;
	/* APM 15.33.4: decode assists fetched up to 15 instruction bytes */
	if (svm_features.decode_assists && ctl->insn_len) {
		exit->tdp.insn_len = min_t(u8, ctl->insn_len, sizeof(exit->tdp.insn));
		memcpy(exit->tdp.insn, ctl->insn_bytes, exit->tdp.insn_len);
	}
}

/*
 * A machine check in guest mode is the host's (APM 15.12.1, exception
 * intercepts): hand it to the host's handler as if it hit user mode,
 * so that the kernel does not treat it as fatal to itself.
 */
static void svm_machine_check(void)
{
#ifdef CONFIG_X86_MCE
	struct pt_regs regs = {
		.cs = 3,
		.flags = X86_EFLAGS_IF,
	};

	do_machine_check(&regs);
#endif
}

/* instructions of SVM itself: the guest was told there is no SVM */
static bool svm_is_svm_insn(u32 code)
{
	switch (code) {
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
		return true;
	}
	return false;
}

void __vmon_hot svm_decode_exit(struct svm_vcpu *svm)
{
	struct vmon_exit *exit = &svm->vcpu.exit;
	const struct vmon_state_rule *rule;
	struct vmcb *vmcb = svm->vmcb;
	/*
	 * EXITCODE is 64 bits, but every code of appendix C fits in the low
	 * 32 once the negative ones are read as u32; QEMU TCG stores
	 * VMEXIT_INVALID as 0x00000000ffffffff, so EXITCODE_HI is ignored.
	 */
	u32 code = vmcb->control.exit_code;

	memset(exit, 0, sizeof(*exit));
	exit->hw_reason = code;
	exit->qualification = vmcb->control.exit_info_1;
	svm->next_rip = 0;

	switch (code) {
	case SVM_EXIT_IOIO:
		svm_decode_io(svm, exit);
		break;
	case SVM_EXIT_NPF:
		svm_decode_npf(svm, exit);
		break;
	case SVM_EXIT_HLT:
		exit->kind = VMON_X_HLT;
		svm_set_next_rip(svm, SVM_LEN_HLT);
		break;
	case SVM_EXIT_PAUSE:
		/* the pause filter ran out (svm.c): spin.c yields */
		exit->kind = VMON_X_PAUSE;
		break;
	case SVM_EXIT_CPUID:
		exit->kind = VMON_X_CPUID;
		svm_set_next_rip(svm, SVM_LEN_CPUID);
		break;
	case SVM_EXIT_MSR:
		/* APM 15.11: EXITINFO1 is 0 for RDMSR, 1 for WRMSR */
		exit->kind = vmcb->control.exit_info_1 ? VMON_X_WRMSR : VMON_X_RDMSR;
		svm_set_next_rip(svm, SVM_LEN_MSR);
		break;
	case SVM_EXIT_VMMCALL:
		exit->kind = VMON_X_HYPERCALL;
		svm_set_next_rip(svm, SVM_LEN_VMMCALL);
		break;
	case SVM_EXIT_XSETBV:
		exit->kind = VMON_X_XSETBV;
		svm_set_next_rip(svm, SVM_LEN_XSETBV);
		break;
	case SVM_EXIT_WRITE_CR0:
	case SVM_EXIT_WRITE_CR4:
		/* only lme_guard.c intercepts CR writes */
		svm_lme_guard_exit(svm, code);
		exit->kind = VMON_X_CONTINUE;
		break;
	case SVM_EXIT_SHUTDOWN:
		exit->kind = VMON_X_SHUTDOWN;
		break;
	case SVM_EXIT_VINTR:
		/* the virtual interrupt of svm_set_event_windows() was about to be taken */
		exit->kind = VMON_X_IRQ_WINDOW;
		break;
	case SVM_EXIT_IRET:
		/* NMI masking, tracked by svm_events_exit() */
		exit->kind = VMON_X_CONTINUE;
		break;
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
		/* taken by the host at STGI / local_irq_enable() */
		exit->kind = VMON_X_CONTINUE;
		break;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_MC:
		svm_machine_check();
		exit->kind = VMON_X_CONTINUE;
		break;
	case (u32)SVM_EXIT_ERR:
		exit->kind = VMON_X_FAIL_ENTRY;
		exit->fail.kind = VMON_FAIL_VMCB_INVALID;
		exit->fail.code = ((u64)vmcb->control.exit_code_hi << 32) | code;
		exit->fail.qualification = vmcb->control.exit_info_1;
		/* name the APM 15.5.1 rule the VMCB breaks (checks.c) */
		rule = svm_check_vmrun(svm);
		exit->fail.reason = rule ? rule->text :
				    "VMRUN refused the VMCB (VMEXIT_INVALID), no known rule broken";
		exit->fail.rule = rule ? rule->id : 0;
		break;
	default:
		if (svm_is_svm_insn(code)) {
			svm_queue_exception(&svm->vcpu, X86_TRAP_UD, false, 0);
			exit->kind = VMON_X_CONTINUE;
			break;
		}
		exit->kind = VMON_X_UNHANDLED;
		break;
	}
}
