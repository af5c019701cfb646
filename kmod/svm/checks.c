// SPDX-License-Identifier: GPL-2.0
/*
 * VMRUN's consistency checks, in software: AMD APM Vol. 2 15.5.1
 * "Canonicalization and Consistency Checks", each rule a row of
 * tables/svm_vmrun_checks.h, evaluated in the table's order.
 *
 * Two callers: before an entry with state userspace set (only the
 * GUEST rules, on the guest's view: EFER with the guest's own LME,
 * which lme_guard.c may hide from the VMCB), and after VMRUN exited
 * with VMEXIT_INVALID (every rule, on the VMCB exactly as VMRUN saw
 * it).  Where the APM leaves a reserved-bit set to the CPU model, the
 * check takes the CPU's CPUID leaves, so that it is never stricter
 * than the CPU.
 */
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/irq_vectors.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/svm.h>

#include "core.h"
#include "svm.h"

enum svm_rule_index {
#define SVM_VMRUN_CHECK(id, name, scope, section, text) SVM_RULE_##name,
#include "svm_vmrun_checks.h"
#undef SVM_VMRUN_CHECK
	SVM_NR_RULES
};

static const struct vmon_state_rule svm_rules[SVM_NR_RULES] = {
#define SVM_VMRUN_CHECK(_id, name, scope, _section, _text) \
	[SVM_RULE_##name] = { .id = _id, .section = "APM Vol. 2 " _section, .text = _text },
#include "svm_vmrun_checks.h"
#undef SVM_VMRUN_CHECK
};

#define SVM_BROKEN(name)	(&svm_rules[SVM_RULE_##name])

/*
 * EFER bits APM Vol. 2 3.1.7 defines: SCE, LME, LMA, NXE, SVME, LMSLE,
 * FFXSR, TCE, MCOMMIT, INTWB, UAIE, AIBRSE; the others must be zero.
 */
#define SVM_EFER_DEFINED	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX | EFER_SVME | \
				 EFER_LMSLE | EFER_FFXSR | BIT_ULL(15) | BIT_ULL(17) | \
				 BIT_ULL(18) | BIT_ULL(20) | BIT_ULL(21))

/* APM 15.10.1, 15.11: sizes of the permission maps VMRUN reads */
#define SVM_IOPM_BYTES		(12 * 1024)
#define SVM_MSRPM_BYTES		(8 * 1024)

/* CR4 bits this CPU implements (APM 3.1.3, CPUID leaves 1 and 7) */
static u64 svm_cr4_supported(void)
{
	u64 ok = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE | X86_CR4_PSE |
		 X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE |
		 X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	u32 eax, ebx, ecx, edx;

	cpuid(1, &eax, &ebx, &ecx, &edx);
	if (ecx & BIT(17))
		ok |= X86_CR4_PCIDE;
	if (ecx & BIT(26))
		ok |= X86_CR4_OSXSAVE;
	if (cpuid_eax(0) >= 7) {
		cpuid_count(7, 0, &eax, &ebx, &ecx, &edx);
		if (ebx & BIT(0))
			ok |= X86_CR4_FSGSBASE;
		if (ebx & BIT(7))
			ok |= X86_CR4_SMEP;
		if (ebx & BIT(20))
			ok |= X86_CR4_SMAP;
		if (ecx & BIT(2))
			ok |= X86_CR4_UMIP;
		if (ecx & BIT(3))
			ok |= X86_CR4_PKE;
		if (ecx & BIT(7))
			ok |= X86_CR4_CET;
		if (ecx & BIT(16))
			ok |= X86_CR4_LA57;
	}
	return ok;
}

/* MAXPHYADDR: CPUID 8000_0008h EAX[7:0] */
static u64 svm_max_phys(void)
{
	return 1ull << (cpuid_eax(0x80000008) & 0xff);
}

/* APM 15.20: exceptions use vectors 0-31 but not 2; types 1 and 5-7 do not exist */
static bool svm_event_inj_illegal(u32 inj)
{
	u32 type = inj & SVM_EVTINJ_TYPE_MASK;
	u32 vector = inj & SVM_EVTINJ_VEC_MASK;

	if (!(inj & SVM_EVTINJ_VALID))
		return false;
	if (type == SVM_EVTINJ_TYPE_EXEPT)
		return vector == NMI_VECTOR || vector > 31;
	return type != SVM_EVTINJ_TYPE_INTR && type != SVM_EVTINJ_TYPE_NMI &&
	       type != SVM_EVTINJ_TYPE_SOFT;
}

static const struct vmon_state_rule *svm_check(const struct vmcb *vmcb, u64 efer,
					       bool control)
{
	const struct vmcb_save_area *s = &vmcb->save;
	const struct vmcb_control_area *c = &vmcb->control;
	bool lme_pg = (efer & EFER_LME) && (s->cr0 & X86_CR0_PG);

	if (!(efer & EFER_SVME))
		return SVM_BROKEN(EFER_SVME);
	if (!(s->cr0 & X86_CR0_CD) && (s->cr0 & X86_CR0_NW))
		return SVM_BROKEN(CR0_NW_WITHOUT_CD);
	if (s->cr0 >> 32)
		return SVM_BROKEN(CR0_HIGH);
	/*
	 * APM 3.1.2: in long mode CR3 bits 51:MAXPHYADDR are reserved, MBZ;
	 * outside it CR3 is a 32-bit register.  Only SET_SREGS can set the
	 * high half there (a MOV writes 32 bits), and QEMU refuses VMRUN
	 * for any CR3 bit at or above its address width in every mode.
	 */
	if (s->cr3 & ~(lme_pg ? svm_max_phys() - 1 : U32_MAX))
		return SVM_BROKEN(CR3_MBZ);
	if (s->cr4 & ~svm_cr4_supported())
		return SVM_BROKEN(CR4_MBZ);
	if (s->dr6 >> 32)
		return SVM_BROKEN(DR6_HIGH);
	if (s->dr7 >> 32)
		return SVM_BROKEN(DR7_HIGH);
	if (efer & ~SVM_EFER_DEFINED)
		return SVM_BROKEN(EFER_MBZ);
	if ((efer & (EFER_LME | EFER_LMA)) && !boot_cpu_has(X86_FEATURE_LM))
		return SVM_BROKEN(EFER_NO_LONG_MODE);
	if (lme_pg && !(s->cr4 & X86_CR4_PAE))
		return SVM_BROKEN(LME_PG_WITHOUT_PAE);
	if (lme_pg && !(s->cr0 & X86_CR0_PE))
		return SVM_BROKEN(LME_PG_WITHOUT_PE);
	if (lme_pg && (s->cr4 & X86_CR4_PAE) &&
	    (s->cs.attrib & SVM_SELECTOR_L_MASK) && (s->cs.attrib & SVM_SELECTOR_DB_MASK))
		return SVM_BROKEN(CS_L_AND_D);
	if (!control)
		return NULL;

	if (!(c->intercepts[INTERCEPT_WORD4] & BIT(INTERCEPT_VMRUN - 128)))
		return SVM_BROKEN(VMRUN_INTERCEPT);
	if (c->iopm_base_pa + SVM_IOPM_BYTES > svm_max_phys() ||
	    c->msrpm_base_pa + SVM_MSRPM_BYTES > svm_max_phys())
		return SVM_BROKEN(PERMISSION_MAP);
	if (svm_event_inj_illegal(c->event_inj))
		return SVM_BROKEN(EVENTINJ);
	if (!c->asid)
		return SVM_BROKEN(ASID_ZERO);
	return NULL;
}

/* loaded: the state userspace set, as the guest sees it */
const struct vmon_state_rule *svm_check_guest_state(struct vmon_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	u64 efer = svm->vmcb->save.efer & ~EFER_LME;

	if (svm->guest_lme)
		efer |= EFER_LME;
	return svm_check(svm->vmcb, efer, false);
}

/*
 * After VMEXIT_INVALID: the first rule the VMCB broke, reported in the
 * kernel log; NULL when none of the table's rules explains the refusal.
 */
const struct vmon_state_rule *svm_check_vmrun(struct svm_vcpu *svm)
{
	const struct vmon_state_rule *rule;

	rule = svm_check(svm->vmcb, svm->vmcb->save.efer, true);
	if (rule)
		vmon_report_rule(&svm->vcpu, rule, false);
	else
		pr_info_ratelimited("vmon: VM %u vCPU %u: VMRUN refused the VMCB (VMEXIT_INVALID); no rule of APM 15.5.1 found broken\n",
				    svm->vcpu.vm->id, svm->vcpu.id);
	return rule;
}

/* after VMEXIT_INVALID: what svm_keep_save_area() kept goes back */
void svm_restore_save_area(struct svm_vcpu *svm)
{
	const struct svm_vmexit_saved *kept = &svm->save_at_entry;
	struct vmcb_save_area *save = &svm->vmcb->save;

	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR))
		return;
	save->es = kept->es;
	save->cs = kept->cs;
	save->ss = kept->ss;
	save->ds = kept->ds;
	save->gdtr = kept->gdtr;
	save->idtr = kept->idtr;
	save->efer = kept->efer;
	save->cr4 = kept->cr4;
	save->cr3 = kept->cr3;
	save->cr2 = kept->cr2;
	save->cr0 = kept->cr0;
	save->dr7 = kept->dr7;
	save->dr6 = kept->dr6;
	save->cpl = kept->cpl;
}
