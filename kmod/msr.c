// SPDX-License-Identifier: GPL-2.0
/*
 * Model-specific registers that the module emulates itself, the same way
 * on both backends: the ones a stock Linux kernel reads or writes while
 * it boots and that neither VMX nor SVM switches.  They are plain per-
 * vCPU storage with the architectural reserved-bit checks; none of them
 * changes what the hardware does.
 *
 * Lookup order for RDMSR/WRMSR exits (exit.c) and GET/SET_MSRS (dev.c):
 * the backend's MSRs first (VMON_MSR_* in the uapi: EFER, PAT, TSC,
 * SYSCALL/SYSENTER, segment bases), then this file's, and anything else
 * is a VMON_EXIT_MSR that userspace answers (vmon run answers #GP).
 * -EINVAL from here means #GP(0) for the guest and -EINVAL for
 * SET_MSRS.  Documentation/msrs-cpuid.rst lists every MSR Linux 6.1
 * touches and what vmon does with it.
 *
 * Which MSRs exist follows the host's vendor, which is the vendor the
 * default CPUID table reports: IA32_FEATURE_CONTROL and IA32_MISC_ENABLE
 * are Intel's, HWCR, SYSCFG, NB_CFG, DE_CFG and the interrupt pending
 * message register are AMD's.
 */
#include <linux/bits.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/processor.h>

#include "core.h"

/*
 * IA32_APIC_BASE (SDM Vol. 3A 11.4.4): the APIC enabled in xAPIC mode
 * at 0xFEE00000, as at power-up (lapic.c owns its transitions).  The
 * x2APIC registers are MSRs 0x800-0x8ff (SDM Vol. 3A 11.12.1.2).
 */
#define APIC_BASE_DEFAULT	(0xfee00000ULL | MSR_IA32_APICBASE_ENABLE)
#define X2APIC_MSR_FIRST	0x800
#define X2APIC_MSR_LAST		0x8ff

/*
 * IA32_MISC_ENABLE (SDM Vol. 4, Table 2-2): fast strings on, branch
 * trace store and PEBS unavailable (no PMU), xTPR messages off (no
 * APIC).  Fast strings and xTPR disable may be written (they change
 * nothing: REP MOVS/STOS run as the host configured them); BTS/PEBS
 * unavailable are read-only and ignore writes; every other bit is
 * treated as reserved: in particular "limit CPUID maxval" (22) and
 * "XD bit disable" (34), which Linux only ever clears, are not emulated.
 */
#define MISC_ENABLE_RESET	(MSR_IA32_MISC_ENABLE_FAST_STRING |	\
				 MSR_IA32_MISC_ENABLE_BTS_UNAVAIL |	\
				 MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL |	\
				 MSR_IA32_MISC_ENABLE_XTPR_DISABLE)
#define MISC_ENABLE_WRITABLE	(MSR_IA32_MISC_ENABLE_FAST_STRING |	\
				 MSR_IA32_MISC_ENABLE_XTPR_DISABLE)
#define MISC_ENABLE_READ_ONLY	(MSR_IA32_MISC_ENABLE_BTS_UNAVAIL |	\
				 MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL)

/*
 * IA32_MCG_CAP (SDM Vol. 3B, "IA32_MCG_CAP MSR"): zero error-reporting banks, no
 * IA32_MCG_CTL, no extended state, no LMCE.  Linux then sets up an MCE
 * handler with nothing to poll.  IA32_MCG_STATUS holds RIPV, EIPV and
 * MCIP; bit 3 (LMCE_S) needs LMCE and is reserved here.
 */
#define MCG_CAP_VALUE		0ULL
#define MCG_STATUS_VALID	GENMASK_ULL(2, 0)

/*
 * MTRRs (SDM Vol. 3A, "Memory Type Range Registers"): 8 variable
 * ranges, fixed ranges and write combining supported, no SMRR (MTRRcap
 * 508H).  vmon starts the vCPU as firmware would
 * leave it: MTRRs enabled with write-back as the default type, fixed
 * ranges off, no variable range valid.  Linux 6.1 disables PAT when the
 * MTRRs are disabled (mtrr_bp_init), and trims memory an enabled set of
 * MTRRs does not mark write-back, so this is the one reset value under
 * which it uses PAT and keeps all its RAM.
 *
 * The values are storage only.  Under EPT the memory type comes from the
 * EPT entry and the guest PAT, never the guest's MTRRs (SDM Vol. 3C, "EPT
 * and Memory Typing"); under NPT the guest PAT combines with the nested
 * page tables and the host's MTRRs, not the guest's (APM Vol. 2, "Nested
 * Paging", combining memory types).
 */
/* MTRR MSR indexes (msr-index.h spells them in CamelCase) */
#define MSR_MTRR_CAP		0x0fe
#define MSR_MTRR_DEF_TYPE	0x2ff
#define MSR_MTRR_FIX_64K_00000	0x250
#define MSR_MTRR_FIX_16K_80000	0x258
#define MSR_MTRR_FIX_16K_A0000	0x259
#define MSR_MTRR_FIX_4K_C0000	0x268
#define MSR_MTRR_FIX_4K_F8000	0x26f
#define MTRR_CAP_VCNT		VMON_MTRR_VAR
#define MTRR_CAP_FIX		BIT_ULL(8)
#define MTRR_CAP_WC		BIT_ULL(10)
#define MTRR_CAP_VALUE		(MTRR_CAP_VCNT | MTRR_CAP_FIX | MTRR_CAP_WC)
#define MTRR_DEF_TYPE_FE	BIT_ULL(10)
#define MTRR_DEF_TYPE_E		BIT_ULL(11)
#define MTRR_TYPE_WB		6
#define MTRR_DEF_TYPE_RESET	(MTRR_DEF_TYPE_E | MTRR_TYPE_WB)
#define MTRR_PHYS_BASE_FIRST	0x200
#define MTRR_PHYS_LAST		(MTRR_PHYS_BASE_FIRST + 2 * VMON_MTRR_VAR - 1)
/* UC, WC, WT, WP, WB: the memory types an MTRR may hold */
#define MTRR_VALID_TYPES	(BIT(0) | BIT(1) | BIT(4) | BIT(5) | BIT(6))

/*
 * AMD HWCR (MSRC001_0015 in the BIOS and Kernel Developer's Guides):
 * TscFreqSel (24) set, as Linux checks that the TSC counts at the P0
 * frequency; FFDIS (6, TLB flush filter disable, set by Linux on family
 * 0FH) writable and without effect.
 * TscFreqSel is read-only; other bits are reserved here.
 */
#define HWCR_FFDIS		BIT_ULL(6)
#define HWCR_TSC_FREQ_SEL	BIT_ULL(24)
#define HWCR_RESET		HWCR_TSC_FREQ_SEL
#define HWCR_WRITABLE		HWCR_FFDIS
#define HWCR_READ_ONLY		HWCR_TSC_FREQ_SEL

/*
 * AMD DE_CFG: LFENCE is dispatch serializing (bit 1).  It reads as set
 * because it is set on the host (Linux sets it on every AMD CPU with
 * SSE2 and the guest runs on that CPU); writes are stored but do not
 * make LFENCE non-serializing.  Bit 9 (Zen 2 FP backup fix) is storage.
 */
#define DE_CFG_FP_BACKUP_FIX	BIT_ULL(9)
#define DE_CFG_RESET		MSR_AMD64_DE_CFG_LFENCE_SERIALIZE
#define DE_CFG_WRITABLE		(MSR_AMD64_DE_CFG_LFENCE_SERIALIZE | DE_CFG_FP_BACKUP_FIX)

/*
 * AMD NB_CFG: EnableCf8ExtCfg (46), which Linux sets on families 10H-16H
 * for extended PCI configuration through 0xCF8 (storage: the PCI model
 * is userspace's), and InitApicIdCpuIdLo (54).
 */
#define NB_CFG_WRITABLE		(BIT_ULL(46) | BIT_ULL(54))

/*
 * AMD SYSCFG (APM Vol. 2, "Memory-Typing MSRs"): MtrrFixDramEn (18) and MtrrVarDramEn
 * (20) as firmware leaves them, MtrrFixDramModEn (19) clear as Linux
 * expects.  Linux reads SYSCFG whenever it reads the fixed MTRRs on
 * family 0FH and later.  Tom2 (21, 22) and memory encryption (23) are
 * reserved here: TOP_MEM2 is not emulated and there is no SME.
 */
#define SYSCFG_MTRR_VAR_DRAM_EN	BIT_ULL(20)
#define SYSCFG_RESET		(K8_MTRRFIXRANGE_DRAM_ENABLE | SYSCFG_MTRR_VAR_DRAM_EN)
#define SYSCFG_WRITABLE		(SYSCFG_RESET | K8_MTRRFIXRANGE_DRAM_MODIFY)

/*
 * AMD interrupt pending message register (BKDG for family 0FH-10H): Linux
 * reads it on CPUs with erratum 400 (QEMU TCG's family 0FH model 6BH is
 * one) to see whether C1E is active (bits 27-28).  There is no C1E and
 * no APIC to send such messages: it reads as 0 and only 0 may be written.
 */
#define INT_PENDING_MSG_VALUE	0ULL

static bool msr_vendor_amd(void)
{
	return boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
	       boot_cpu_data.x86_vendor == X86_VENDOR_HYGON;
}

/* bits at and above the guest's MAXPHYADDR (CPUID.80000008H:EAX[7:0]) */
static u64 msr_phys_reserved(struct vmon_vcpu *vcpu)
{
	u32 eax, ebx, ecx, edx;
	unsigned int bits;

	vmon_cpuid_lookup(vcpu, 0x80000008, 0, &eax, &ebx, &ecx, &edx);
	bits = eax & 0xff;
	if (bits < 36 || bits > 52)
		bits = 36;	/* SDM Vol. 3A 4.1.4: the value without the leaf */
	return GENMASK_ULL(63, bits);
}

static bool mtrr_type_valid(u64 type)
{
	return type < 8 && (MTRR_VALID_TYPES & BIT(type));
}

/* all eight type bytes of a fixed-range MTRR */
static bool mtrr_fixed_valid(u64 data)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		if (!mtrr_type_valid((data >> (i * 8)) & 0xff))
			return false;
	}
	return true;
}

/* index into vcpu->msr.mtrr_fixed[], or -1 */
static int mtrr_fixed_slot(u32 index)
{
	switch (index) {
	case MSR_MTRR_FIX_64K_00000:
		return 0;
	case MSR_MTRR_FIX_16K_80000:
	case MSR_MTRR_FIX_16K_A0000:
		return 1 + index - MSR_MTRR_FIX_16K_80000;
	case MSR_MTRR_FIX_4K_C0000 ... MSR_MTRR_FIX_4K_F8000:
		return 3 + index - MSR_MTRR_FIX_4K_C0000;
	}
	return -1;
}

static int mtrr_set_var(struct vmon_vcpu *vcpu, u32 index, u64 data)
{
	u64 reserved = msr_phys_reserved(vcpu);
	bool is_mask = (index - MTRR_PHYS_BASE_FIRST) & 1;

	if (is_mask) {
		/* PHYSMASKn: mask [MAXPHYADDR-1:12], V (11); bits 10:0 reserved */
		reserved |= GENMASK_ULL(10, 0);
	} else {
		/* PHYSBASEn: base [MAXPHYADDR-1:12], type [7:0]; 11:8 reserved */
		reserved |= GENMASK_ULL(11, 8);
		if (!mtrr_type_valid(data & 0xff))
			return -EINVAL;
	}
	if (data & reserved)
		return -EINVAL;
	vcpu->msr.mtrr_var[index - MTRR_PHYS_BASE_FIRST] = data;
	return 0;
}

/*
 * A value that replaces read-only bits: the guest's write keeps them as
 * they are (hardware ignores such writes); userspace restoring state
 * must write them as they read.
 */
static int msr_merge(u64 old, u64 data, u64 writable, u64 read_only, bool host, u64 *out)
{
	if (data & ~(writable | read_only))
		return -EINVAL;
	if (host && (data & read_only) != (old & read_only))
		return -EINVAL;
	*out = (data & writable) | (old & read_only);
	return 0;
}

/* registers that exist on both vendors */
static int msr_get_common(struct vmon_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmon_msr_state *m = &vcpu->msr;
	int slot;

	switch (index) {
	case MSR_IA32_APICBASE:
		*data = m->apic_base;
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		*data = vmon_lapic_timer_get_deadline(vcpu);
		return 0;
	case X2APIC_MSR_FIRST ... X2APIC_MSR_LAST:
		return vmon_lapic_rdmsr(vcpu, index, data);
	case MSR_IA32_UCODE_REV:	/* also MSR_AMD64_PATCH_LEVEL */
		*data = m->ucode_rev;
		return 0;
	case MSR_IA32_MCG_CAP:
		*data = MCG_CAP_VALUE;
		return 0;
	case MSR_IA32_MCG_STATUS:
		*data = m->mcg_status;
		return 0;
	case MSR_MTRR_CAP:
		*data = MTRR_CAP_VALUE;
		return 0;
	case MSR_MTRR_DEF_TYPE:
		*data = m->mtrr_def_type;
		return 0;
	case MTRR_PHYS_BASE_FIRST ... MTRR_PHYS_LAST:
		*data = m->mtrr_var[index - MTRR_PHYS_BASE_FIRST];
		return 0;
	}
	slot = mtrr_fixed_slot(index);
	if (slot < 0)
		return -ENOENT;
	*data = m->mtrr_fixed[slot];
	return 0;
}

static int msr_set_common(struct vmon_vcpu *vcpu, u32 index, u64 data, bool host)
{
	struct vmon_msr_state *m = &vcpu->msr;
	int slot;

	switch (index) {
	case MSR_IA32_APICBASE:
		/* the local APIC's mode and base: its transitions (lapic.c) */
		return vmon_lapic_set_base(vcpu, data, host);
	case X2APIC_MSR_FIRST ... X2APIC_MSR_LAST:
		return vmon_lapic_wrmsr(vcpu, index, data);
	case MSR_IA32_TSC_DEADLINE:
		/* the APIC timer's (lapic_timer.c): any value, by guest or host */
		vmon_lapic_timer_set_deadline(vcpu, data);
		return 0;
	case MSR_IA32_UCODE_REV:
		/*
		 * Intel: software writes 0, executes CPUID, then reads the
		 * revision (SDM Vol. 3A, "Microcode Update Facilities"); it is accepted
		 * and the revision stays.  AMD's PATCH_LEVEL is read-only.
		 */
		if (host)
			m->ucode_rev = data;
		else if (msr_vendor_amd())
			return -EINVAL;
		return 0;
	case MSR_IA32_MCG_CAP:
	case MSR_MTRR_CAP:
		/* read-only: #GP; userspace may write back what it read */
		if (!host || data != (index == MSR_MTRR_CAP ? MTRR_CAP_VALUE : MCG_CAP_VALUE))
			return -EINVAL;
		return 0;
	case MSR_IA32_MCG_STATUS:
		if (data & ~MCG_STATUS_VALID)
			return -EINVAL;
		m->mcg_status = data;
		return 0;
	case MSR_MTRR_DEF_TYPE:
		if ((data & ~(GENMASK_ULL(7, 0) | MTRR_DEF_TYPE_FE | MTRR_DEF_TYPE_E)) ||
		    !mtrr_type_valid(data & 0xff))
			return -EINVAL;
		m->mtrr_def_type = data;
		return 0;
	case MTRR_PHYS_BASE_FIRST ... MTRR_PHYS_LAST:
		return mtrr_set_var(vcpu, index, data);
	}
	slot = mtrr_fixed_slot(index);
	if (slot < 0)
		return -ENOENT;
	if (!mtrr_fixed_valid(data))
		return -EINVAL;
	m->mtrr_fixed[slot] = data;
	return 0;
}

static int msr_get_intel(struct vmon_vcpu *vcpu, u32 index, u64 *data)
{
	switch (index) {
	case MSR_IA32_FEAT_CTL:
		*data = vcpu->msr.feature_control;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*data = vcpu->msr.misc_enable;
		return 0;
	}
	return -ENOENT;
}

static int msr_set_intel(struct vmon_vcpu *vcpu, u32 index, u64 data, bool host)
{
	struct vmon_msr_state *m = &vcpu->msr;

	switch (index) {
	case MSR_IA32_FEAT_CTL:
		/*
		 * Locked with VMX and SGX off, as firmware leaves it when
		 * neither is offered: a guest write #GPs while the lock bit
		 * is set (SDM Vol. 3C, "Enabling and Entering VMX Operation").
		 * Only the lock bit exists here.
		 */
		if ((data & ~(u64)FEAT_CTL_LOCKED) ||
		    (!host && (m->feature_control & FEAT_CTL_LOCKED)))
			return -EINVAL;
		m->feature_control = data;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		return msr_merge(m->misc_enable, data, MISC_ENABLE_WRITABLE,
				 MISC_ENABLE_READ_ONLY, host, &m->misc_enable);
	}
	return -ENOENT;
}

static int msr_get_amd(struct vmon_vcpu *vcpu, u32 index, u64 *data)
{
	switch (index) {
	case MSR_K7_HWCR:
		*data = vcpu->msr.hwcr;
		return 0;
	case MSR_AMD64_DE_CFG:
		*data = vcpu->msr.de_cfg;
		return 0;
	case MSR_AMD64_NB_CFG:
		*data = vcpu->msr.nb_cfg;
		return 0;
	case MSR_AMD64_SYSCFG:
		*data = vcpu->msr.syscfg;
		return 0;
	case MSR_K8_INT_PENDING_MSG:
		*data = INT_PENDING_MSG_VALUE;
		return 0;
	}
	return -ENOENT;
}

static int msr_set_amd(struct vmon_vcpu *vcpu, u32 index, u64 data, bool host)
{
	struct vmon_msr_state *m = &vcpu->msr;

	switch (index) {
	case MSR_K7_HWCR:
		return msr_merge(m->hwcr, data, HWCR_WRITABLE, HWCR_READ_ONLY, host, &m->hwcr);
	case MSR_AMD64_DE_CFG:
		return msr_merge(m->de_cfg, data, DE_CFG_WRITABLE, 0, host, &m->de_cfg);
	case MSR_AMD64_NB_CFG:
		return msr_merge(m->nb_cfg, data, NB_CFG_WRITABLE, 0, host, &m->nb_cfg);
	case MSR_AMD64_SYSCFG:
		return msr_merge(m->syscfg, data, SYSCFG_WRITABLE, 0, host, &m->syscfg);
	case MSR_K8_INT_PENDING_MSG:
		return data == INT_PENDING_MSG_VALUE ? 0 : -EINVAL;
	}
	return -ENOENT;
}

/* the emulated MSRs' values at vCPU creation (after the CPUID table) */
void vmon_msr_reset(struct vmon_vcpu *vcpu)
{
	struct vmon_msr_state *m = &vcpu->msr;

	memset(m, 0, sizeof(*m));
	m->apic_base = APIC_BASE_DEFAULT | (vcpu->id ? 0 : MSR_IA32_APICBASE_BSP);
	m->mtrr_def_type = MTRR_DEF_TYPE_RESET;
	if (msr_vendor_amd()) {
		m->ucode_rev = boot_cpu_data.microcode;
		m->hwcr = HWCR_RESET;
		m->de_cfg = DE_CFG_RESET;
		m->syscfg = SYSCFG_RESET;
	} else {
		m->ucode_rev = (u64)boot_cpu_data.microcode << 32;
		m->misc_enable = MISC_ENABLE_RESET;
		m->feature_control = FEAT_CTL_LOCKED;
	}
}

/*
 * May the run loop's fast path (irqs off) access this MSR?  All but the
 * local APIC's: IA32_APIC_BASE changes the APIC's mode, the x2APIC
 * registers send IPIs and EOIs that userspace hears of, the deadline
 * arms an hrtimer; the full path handles those.
 */
bool __vmon_hot vmon_msr_fast(u32 index)
{
	return index != MSR_IA32_APICBASE && index != MSR_IA32_TSC_DEADLINE &&
	       (index < X2APIC_MSR_FIRST || index > X2APIC_MSR_LAST);
}

/*
 * Read an MSR the kernel owns: the backend's, then the emulated ones.
 * Loaded (vmon_vcpu_load()): the backend state is this CPU's.
 * 0, -ENOENT (not the kernel's: userspace answers) or -EINVAL (#GP).
 */
int vmon_get_msr(struct vmon_vcpu *vcpu, u32 index, u64 *data)
{
	int r;

	lockdep_assert_held(&vcpu->mutex);
	r = vmon_ops->get_msr(vcpu, index, data);

	if (r != -ENOENT)
		return r;
	r = msr_get_common(vcpu, index, data);
	if (r != -ENOENT)
		return r;
	return msr_vendor_amd() ? msr_get_amd(vcpu, index, data) :
				  msr_get_intel(vcpu, index, data);
}

/*
 * Write an MSR the kernel owns.  host: the write comes from SET_MSRS
 * (userspace restoring state), which may set what a guest WRMSR may not
 * (a locked FEATURE_CONTROL, the BSP flag, the microcode revision).
 */
int vmon_set_msr(struct vmon_vcpu *vcpu, u32 index, u64 data, bool host)
{
	int r;

	lockdep_assert_held(&vcpu->mutex);
	r = vmon_ops->set_msr(vcpu, index, data);

	if (r != -ENOENT)
		return r;
	r = msr_set_common(vcpu, index, data, host);
	if (r != -ENOENT)
		return r;
	return msr_vendor_amd() ? msr_set_amd(vcpu, index, data, host) :
				  msr_set_intel(vcpu, index, data, host);
}
