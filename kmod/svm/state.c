// SPDX-License-Identifier: GPL-2.0
/*
 * Guest register state kept in the VMCB save area: segments, control
 * registers, EFER and the MSRs VMRUN/VMLOAD switch.
 *
 * Section numbers refer to the AMD64 Architecture Programmer's Manual
 * Vol. 2 (APM): 15.5.1 (VMRUN, the save area and its consistency
 * checks), appendix B (VMCB layout and segment attribute format).
 */
#include <linux/errno.h>
#include <linux/string.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include <asm/svm.h>

#include "core.h"
#include "svm.h"

/* power-on values (APM 14.1.3 / Vol. 2 table 14-1) */
#define SVM_RESET_PAT	0x0007040600070406ULL
#define SVM_RESET_DR6	0xffff0ff0ULL
#define SVM_RESET_DR7	0x400ULL
#define SVM_RESET_CR0	(X86_CR0_CD | X86_CR0_NW | X86_CR0_ET)

static void svm_reset_seg(struct vmcb_seg *seg, u16 attrib)
{
	seg->selector = 0;
	seg->attrib = attrib;
	seg->limit = 0xffff;
	seg->base = 0;
}

/*
 * The reset state backend.h asks for: real mode, every segment at base
 * 0 with a 64 KiB limit, RIP 0, RFLAGS 2, CR0 = 0x60000010.  Attribute
 * bytes are P|S|type (APM B "segment attributes").
 */
void svm_reset_state(struct svm_vcpu *svm)
{
	struct vmcb_save_area *save = &svm->vmcb->save;

	memset(save, 0, sizeof(*save));
	svm_reset_seg(&save->cs, 0x9b);		/* code, read, accessed */
	svm_reset_seg(&save->ds, 0x93);		/* data, write, accessed */
	svm_reset_seg(&save->es, 0x93);
	svm_reset_seg(&save->ss, 0x93);
	svm_reset_seg(&save->fs, 0x93);
	svm_reset_seg(&save->gs, 0x93);
	svm_reset_seg(&save->ldtr, 0x82);	/* LDT */
	svm_reset_seg(&save->tr, 0x8b);		/* busy TSS */
	svm_reset_seg(&save->gdtr, 0);
	svm_reset_seg(&save->idtr, 0);
	save->cr0 = SVM_RESET_CR0;
	save->dr6 = SVM_RESET_DR6;
	save->dr7 = SVM_RESET_DR7;
	/* APM 15.5.1: VMRUN requires EFER.SVME in the guest's EFER */
	save->efer = EFER_SVME;
	svm->guest_lme = false;
	svm->lme_guard_pass = 0;
	save->g_pat = SVM_RESET_PAT;
	save->rflags = X86_EFLAGS_FIXED;

	memset(&svm->vcpu.regs, 0, sizeof(svm->vcpu.regs));
	svm->vcpu.regs.rflags = X86_EFLAGS_FIXED;
}

/* APM appendix B: attrib[11:0] = G D/B L AVL P DPL[1:0] S TYPE[3:0] */
static void svm_seg_get(const struct vmcb_seg *s, struct vmon_segment *v)
{
	memset(v, 0, sizeof(*v));
	v->base = s->base;
	v->limit = s->limit;
	v->selector = s->selector;
	v->type = s->attrib & SVM_SELECTOR_TYPE_MASK;
	v->s = !!(s->attrib & SVM_SELECTOR_S_MASK);
	v->dpl = (s->attrib & SVM_SELECTOR_DPL_MASK) >> SVM_SELECTOR_DPL_SHIFT;
	v->present = !!(s->attrib & SVM_SELECTOR_P_MASK);
	v->avl = !!(s->attrib & SVM_SELECTOR_AVL_MASK);
	v->l = !!(s->attrib & SVM_SELECTOR_L_MASK);
	v->db = !!(s->attrib & SVM_SELECTOR_DB_MASK);
	v->g = !!(s->attrib & SVM_SELECTOR_G_MASK);
	/* SVM has no "unusable": a segment without P is the closest thing */
	v->unusable = !v->present;
}

/* -EINVAL only for what the attribute field cannot encode */
static int svm_seg_check(const struct vmon_segment *v)
{
	if (v->type > 0xf || v->dpl > 3 || v->present > 1 || v->s > 1 ||
	    v->l > 1 || v->db > 1 || v->g > 1 || v->avl > 1 || v->unusable > 1)
		return -EINVAL;
	return 0;
}

static void svm_seg_set(struct vmcb_seg *s, const struct vmon_segment *v)
{
	bool present = v->present && !v->unusable;

	s->base = v->base;
	s->limit = v->limit;
	s->selector = v->selector;
	s->attrib = v->type |
		    v->s << SVM_SELECTOR_S_SHIFT |
		    v->dpl << SVM_SELECTOR_DPL_SHIFT |
		    present << SVM_SELECTOR_P_SHIFT |
		    v->avl << SVM_SELECTOR_AVL_SHIFT |
		    v->l << SVM_SELECTOR_L_SHIFT |
		    v->db << SVM_SELECTOR_DB_SHIFT |
		    v->g << SVM_SELECTOR_G_SHIFT;
}

/*
 * EFER bits a guest may hold.  SVME is vmon's (always set in the VMCB,
 * never shown: the guest has no SVM), LMA is a status bit the CPU keeps.
 */
static u64 svm_efer_allowed(void)
{
	u64 allowed = EFER_SCE | EFER_LME | EFER_LMA | EFER_NX;

	if (boot_cpu_has(X86_FEATURE_FXSR_OPT))
		allowed |= EFER_FFXSR;
	return allowed;
}

/* the guest's EFER: the VMCB's, with vmon's SVME off and the real LME */
static u64 svm_guest_efer(const struct svm_vcpu *svm)
{
	u64 efer = svm->vmcb->save.efer & ~(EFER_SVME | EFER_LME);

	return svm->guest_lme ? efer | EFER_LME : efer;
}

void svm_get_sregs(struct vmon_vcpu *vcpu, struct vmon_sregs *sregs)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_save_area *save = &vmcb->save;

	memset(sregs, 0, sizeof(*sregs));
	svm_seg_get(&save->cs, &sregs->cs);
	svm_seg_get(&save->ds, &sregs->ds);
	svm_seg_get(&save->es, &sregs->es);
	svm_seg_get(&save->fs, &sregs->fs);
	svm_seg_get(&save->gs, &sregs->gs);
	svm_seg_get(&save->ss, &sregs->ss);
	svm_seg_get(&save->tr, &sregs->tr);
	svm_seg_get(&save->ldtr, &sregs->ldt);
	sregs->gdt.base = save->gdtr.base;
	sregs->gdt.limit = save->gdtr.limit;
	sregs->idt.base = save->idtr.base;
	sregs->idt.limit = save->idtr.limit;
	/* under nested paging these are the guest's real CRs (APM 15.25.1) */
	sregs->cr0 = save->cr0;
	sregs->cr2 = save->cr2;
	sregs->cr3 = save->cr3;
	sregs->cr4 = save->cr4;
	/* APM 15.21.1: with V_INTR_MASKING, CR8 reads V_TPR */
	sregs->cr8 = vmcb->control.int_ctl & V_TPR_MASK;
	sregs->efer = svm_guest_efer(to_svm(vcpu));
}

void svm_get_fetch_state(struct vmon_vcpu *vcpu, struct vmon_sregs *sregs)
{
	const struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;

	sregs->cs.base = save->cs.base;
	sregs->cs.l = !!(save->cs.attrib & SVM_SELECTOR_L_MASK);
	sregs->cs.db = !!(save->cs.attrib & SVM_SELECTOR_DB_MASK);
	sregs->cr0 = save->cr0;
	sregs->cr3 = save->cr3;
	sregs->cr4 = save->cr4;
	sregs->efer = svm_guest_efer(to_svm(vcpu));
}

/*
 * Reject only what the VMCB cannot hold.  Inconsistent combinations
 * (CS.L with CS.D in long mode, EFER.LME+CR0.PG without CR4.PAE, ...)
 * are stored as given: VMRUN refuses them and the run returns
 * VMON_EXIT_FAIL_ENTRY naming the rule (exit.c).
 */
int svm_set_sregs(struct vmon_vcpu *vcpu, const struct vmon_sregs *sregs)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	struct vmcb_save_area *save = &vmcb->save;
	const struct vmon_segment *segs[] = {
		&sregs->cs, &sregs->ds, &sregs->es, &sregs->fs,
		&sregs->gs, &sregs->ss, &sregs->tr, &sregs->ldt,
	};
	unsigned int i;
	u64 efer;

	for (i = 0; i < ARRAY_SIZE(segs); i++)
		if (svm_seg_check(segs[i]))
			return -EINVAL;
	if (vmon_sregs_check(sregs, svm_efer_allowed()))
		return -EINVAL;

	/*
	 * A new CR3 or paging mode: the guest's own MOV to CR would drop
	 * its cached translations; VMRUN keeps the ones tagged with this
	 * ASID unless told to flush them (APM Vol. 2 15.16).  The nested
	 * walk reads the PDPTEs of PAE paging from memory: nothing to load.
	 */
	if (save->cr0 != sregs->cr0 || save->cr3 != sregs->cr3 || save->cr4 != sregs->cr4 ||
	    ((svm_guest_efer(svm) ^ sregs->efer) & (EFER_LME | EFER_NX)))
		svm->flush_asid = true;

	svm_seg_set(&save->cs, &sregs->cs);
	svm_seg_set(&save->ds, &sregs->ds);
	svm_seg_set(&save->es, &sregs->es);
	svm_seg_set(&save->fs, &sregs->fs);
	svm_seg_set(&save->gs, &sregs->gs);
	svm_seg_set(&save->ss, &sregs->ss);
	svm_seg_set(&save->tr, &sregs->tr);
	svm_seg_set(&save->ldtr, &sregs->ldt);
	save->gdtr.base = sregs->gdt.base;
	save->gdtr.limit = sregs->gdt.limit;
	save->idtr.base = sregs->idt.base;
	save->idtr.limit = sregs->idt.limit;
	save->cr0 = sregs->cr0;
	save->cr2 = sregs->cr2;
	save->cr3 = sregs->cr3;
	save->cr4 = sregs->cr4;
	vmcb->control.int_ctl = (vmcb->control.int_ctl & ~V_TPR_MASK) | sregs->cr8;

	/*
	 * LMA is status, not control: it reads 1 exactly when paging is on
	 * with LME set (APM 14.6.2), whatever the caller passed.
	 */
	efer = sregs->efer;
	if (save->cr0 & X86_CR0_PE)
		efer = vmon_efer_derive_lma(efer, save->cr0);
	else
		efer &= ~EFER_LMA;
	save->efer = efer | EFER_SVME;
	svm->guest_lme = efer & EFER_LME;
	svm->lme_guard_pass = 0;

	/* APM 15.5.1: the VMCB's CPL field */
	save->cpl = vmon_cpl(sregs);
	vmcb->control.clean = 0;
	return 0;
}

/* addresses the MSRs hold must be canonical for the host's VA width */
static bool svm_canonical(u64 va)
{
	unsigned int bits = pgtable_l5_enabled() ? 57 : 48;

	return ((s64)(va << (64 - bits)) >> (64 - bits)) == (s64)va;
}

/* APM Vol. 2 7.8.1: each PAT entry is 0 (UC), 1, 4, 5, 6 or 7 */
static bool svm_pat_valid(u64 pat)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		u8 type = pat >> (i * 8);

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

int svm_get_msr(struct vmon_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_save_area *save = &vmcb->save;

	switch (index) {
	case VMON_MSR_EFER:
		*data = svm_guest_efer(to_svm(vcpu));
		break;
	case VMON_MSR_STAR:
		*data = save->star;
		break;
	case VMON_MSR_LSTAR:
		*data = save->lstar;
		break;
	case VMON_MSR_CSTAR:
		*data = save->cstar;
		break;
	case VMON_MSR_SFMASK:
		*data = save->sfmask;
		break;
	case VMON_MSR_KERNEL_GS_BASE:
		*data = save->kernel_gs_base;
		break;
	case VMON_MSR_SYSENTER_CS:
		*data = save->sysenter_cs;
		break;
	case VMON_MSR_SYSENTER_ESP:
		*data = save->sysenter_esp;
		break;
	case VMON_MSR_SYSENTER_EIP:
		*data = save->sysenter_eip;
		break;
	case VMON_MSR_PAT:
		*data = save->g_pat;
		break;
	case VMON_MSR_TSC:
		/* APM 15.30.5: what RDTSC in the guest returns */
		*data = rdtsc() + vmcb->control.tsc_offset;
		break;
	case VMON_MSR_FS_BASE:
		*data = save->fs.base;
		break;
	case VMON_MSR_GS_BASE:
		*data = save->gs.base;
		break;
	default:
		return -ENOENT;
	}
	return 0;
}

static int svm_set_efer(struct svm_vcpu *svm, u64 data)
{
	struct vmcb_save_area *save = &svm->vmcb->save;
	u64 old = svm_guest_efer(svm);

	/* the rules are common: LME fixed while paging is on, LMA derived */
	if (vmon_efer_write(old, &data, save->cr0, svm_efer_allowed()))
		return -EINVAL;
	/* as SET_SREGS: translations cached under the old NXE go (APM 15.16) */
	if ((old ^ data) & EFER_NX)
		svm->flush_asid = true;
	save->efer = data | EFER_SVME;
	svm->guest_lme = data & EFER_LME;
	return 0;
}

static bool svm_msr_holds_address(u32 index)
{
	switch (index) {
	case VMON_MSR_LSTAR:
	case VMON_MSR_CSTAR:
	case VMON_MSR_KERNEL_GS_BASE:
	case VMON_MSR_SYSENTER_ESP:
	case VMON_MSR_SYSENTER_EIP:
	case VMON_MSR_FS_BASE:
	case VMON_MSR_GS_BASE:
		return true;
	}
	return false;
}

int svm_set_msr(struct vmon_vcpu *vcpu, u32 index, u64 data)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_save_area *save = &vmcb->save;

	/* WRMSR of a non-canonical address raises #GP (APM Vol. 3, WRMSR) */
	if (svm_msr_holds_address(index) && !svm_canonical(data))
		return -EINVAL;

	switch (index) {
	case VMON_MSR_EFER:
		if (svm_set_efer(to_svm(vcpu), data))
			return -EINVAL;
		break;
	case VMON_MSR_STAR:
		save->star = data;
		break;
	case VMON_MSR_LSTAR:
		save->lstar = data;
		break;
	case VMON_MSR_CSTAR:
		save->cstar = data;
		break;
	case VMON_MSR_SFMASK:
		/* SFMASK[63:32] are reserved (APM 6.1.1) */
		if (data >> 32)
			return -EINVAL;
		save->sfmask = data;
		break;
	case VMON_MSR_KERNEL_GS_BASE:
		save->kernel_gs_base = data;
		break;
	case VMON_MSR_SYSENTER_CS:
		save->sysenter_cs = data;
		break;
	case VMON_MSR_SYSENTER_ESP:
		save->sysenter_esp = data;
		break;
	case VMON_MSR_SYSENTER_EIP:
		save->sysenter_eip = data;
		break;
	case VMON_MSR_PAT:
		if (!svm_pat_valid(data))
			return -EINVAL;
		save->g_pat = data;
		break;
	case VMON_MSR_TSC:
		vmcb->control.tsc_offset = data - rdtsc();
		break;
	case VMON_MSR_FS_BASE:
		save->fs.base = data;
		break;
	case VMON_MSR_GS_BASE:
		save->gs.base = data;
		break;
	default:
		return -ENOENT;
	}
	vmcb->control.clean = 0;
	return 0;
}

/*
 * APM Vol. 2 15.21.1: with V_INTR_MASKING the guest's MOV to/from CR8
 * reads and writes V_TPR without an intercept; the common code keeps it
 * equal to the local APIC's TPR[7:4] at each entry.
 */
u8 __vmon_hot svm_get_cr8(struct vmon_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->control.int_ctl & V_TPR_MASK;
}

void __vmon_hot svm_set_cr8(struct vmon_vcpu *vcpu, u8 cr8)
{
	struct vmcb_control_area *ctl = &to_svm(vcpu)->vmcb->control;

	ctl->int_ctl = (ctl->int_ctl & ~V_TPR_MASK) | (cr8 & V_TPR_MASK);
}
