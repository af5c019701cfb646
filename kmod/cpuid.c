// SPDX-License-Identifier: GPL-2.0
/*
 * The CPUID table a vCPU sees (leaf layouts: Intel SDM Vol. 2A, CPUID,
 * Table 3-8 and following; AMD APM Vol. 3, Appendix E).
 *
 * CPUID always exits to the hypervisor (VMX unconditionally, SVM with the
 * CPUID intercept), and the answer comes from vcpu->cpuid.  Lookup rules:
 *  - an entry matches on function, and also on index when it has
 *    VMON_CPUID_SIGNIFICANT_INDEX; the first match wins;
 *  - a leaf that is not in the table reads as all zeros.  Real CPUs
 *    answer an out-of-range leaf with the highest basic leaf instead;
 *    zeros are simpler to reason about, and a guest that follows the
 *    rules (check leaf 0 / 80000000H first) never notices.
 *  - two fields are computed at lookup time, as hardware does:
 *    CPUID.01H:ECX.OSXSAVE follows the guest's CR4 (exit.c), and
 *    CPUID.(EAX=0DH,ECX=0/1):EBX follow the guest's XCR0 (here).
 *
 * The default table is the host's CPUID with what vmon does not virtualize
 * taken away (cpuid_hidden[], one line per reason), the topology of one
 * single-threaded core per vCPU, and the hypervisor leaf; the invariant
 * TSC bit stays when the host has it, as the guest reads the host's TSC
 * plus an offset.  Documentation/msrs-cpuid.rst explains the policy.
 * VMON_SET_CPUID replaces the table wholesale.
 */
#include <linux/gcd.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#include "core.h"

#define HYPERVISOR_LEAF		VMON_CPUID_HYPERVISOR_LEAF
#define BASIC_MAX		0x1f
#define EXTENDED_MAX		0x80000021
#define MAX_SUBLEAF		63

enum { R_EAX, R_EBX, R_ECX, R_EDX };

/* CPUID.01H:ECX feature bits that are computed or set, not masked */
#define C1_ECX_TSC_DEADLINE	BIT(24)
#define C1_ECX_XSAVE		BIT(26)
#define C1_ECX_OSXSAVE		BIT(27)
#define C1_ECX_AVX		BIT(28)
#define C1_ECX_HYPERVISOR	BIT(31)
#define C1_ECX_X2APIC		BIT(21)
#define C1_EDX_APIC		BIT(9)
/* CPUID.80000007H:EDX[8]: invariant TSC */
#define C87_EDX_INVARIANT_TSC	BIT(8)
/* CPUID.80000008H:EBX: CLZERO, XSAVEERPTR, WBNOINVD (no MSR, no state) */
#define C88_EBX_KEEP		(BIT(0) | BIT(2) | BIT(9))

/*
 * Feature bits the default table clears, one line per reason.  vmon has
 * no PMU, no power management, switches no speculation-
 * control MSR, SPEC_CTRL, PRED_CMD, TSC_AUX, PKRU, IA32_XSS or TSC_ADJUST,
 * and sets none of the optional VM-execution controls that INVPCID,
 * RDTSCP, RDPID or WAITPKG need under VMX.  A bit left set must work on
 * both backends without an intercept.  Leaf layouts: SDM Vol. 2A, CPUID,
 * Table 3-8; AMD APM Vol. 3, Appendix E.
 */
struct cpuid_mask {
	u32 function;
	u32 index;
	u8 reg;
	u32 bits;
};

static const struct cpuid_mask cpuid_hidden[] = {
	/* 01H:ECX */
	{ 0x1, 0, R_ECX, BIT(2) | BIT(4) },	/* DTES64, DS-CPL: debug store, no PMU */
	{ 0x1, 0, R_ECX, BIT(3) },		/* MONITOR/MWAIT: would idle the host CPU */
	{ 0x1, 0, R_ECX, BIT(5) | BIT(6) },	/* VMX, SMX: no nested virtualization */
	{ 0x1, 0, R_ECX, BIT(7) | BIT(8) },	/* EIST, TM2: power/thermal MSRs */
	{ 0x1, 0, R_ECX, BIT(11) },		/* SDBG: IA32_DEBUG_INTERFACE */
	{ 0x1, 0, R_ECX, BIT(14) },		/* xTPR update control: no such MSR */
	{ 0x1, 0, R_ECX, BIT(15) },		/* PDCM: IA32_PERF_CAPABILITIES, no PMU */
	{ 0x1, 0, R_ECX, BIT(17) },		/* PCID: not offered on both backends */
	{ 0x1, 0, R_ECX, BIT(18) },		/* DCA: platform DMA cache MSRs */
	{ 0x1, 0, R_ECX, C1_ECX_OSXSAVE },	/* computed from CR4 per lookup */
	/* 01H:EDX */
	{ 0x1, 0, R_EDX, BIT(21) },		/* DS: debug store, no PMU */
	{ 0x1, 0, R_EDX, BIT(22) | BIT(29) },	/* ACPI, TM: thermal monitor MSRs */
	{ 0x1, 0, R_EDX, BIT(28) },		/* HTT: one logical processor */
	{ 0x1, 0, R_EDX, BIT(31) },		/* PBE: pending break enable, thermal */
	/* 07H.0:EBX */
	{ 0x7, 0, R_EBX, BIT(1) },		/* IA32_TSC_ADJUST: not emulated */
	{ 0x7, 0, R_EBX, BIT(2) },		/* SGX: not virtualized */
	{ 0x7, 0, R_EBX, BIT(10) },		/* INVPCID: needs "enable INVPCID" (VMX) */
	{ 0x7, 0, R_EBX, BIT(12) | BIT(15) },	/* RDT monitoring/allocation MSRs */
	{ 0x7, 0, R_EBX, BIT(14) },		/* MPX: IA32_BNDCFGS is not switched */
	{ 0x7, 0, R_EBX, BIT(25) },		/* Intel PT: not virtualized */
	/* 07H.0:ECX */
	{ 0x7, 0, R_ECX, BIT(3) | BIT(4) },	/* PKU, OSPKE: PKRU is not switched */
	{ 0x7, 0, R_ECX, BIT(5) },		/* WAITPKG: needs a VMX control, TSC deadline */
	{ 0x7, 0, R_ECX, BIT(7) },		/* CET shadow stacks: IA32_XSS state */
	{ 0x7, 0, R_ECX, BIT(13) },		/* TME: memory encryption MSRs */
	{ 0x7, 0, R_ECX, BIT(16) },		/* LA57: guest 5-level paging untested */
	{ 0x7, 0, R_ECX, BIT(22) },		/* RDPID: reads TSC_AUX, not switched */
	{ 0x7, 0, R_ECX, BIT(23) },		/* Key Locker: not virtualized */
	{ 0x7, 0, R_ECX, BIT(24) },		/* bus-lock detection: DEBUGCTL bit */
	{ 0x7, 0, R_ECX, BIT(29) },		/* ENQCMD: IA32_PASID MSR */
	{ 0x7, 0, R_ECX, BIT(30) },		/* SGX launch control */
	{ 0x7, 0, R_ECX, BIT(31) },		/* PKS: IA32_PKRS is not switched */
	/* 07H.0:EDX */
	{ 0x7, 0, R_EDX, BIT(5) },		/* user interrupts: need an APIC */
	{ 0x7, 0, R_EDX, BIT(9) },		/* SRBDS_CTRL: IA32_MCU_OPT_CTRL */
	{ 0x7, 0, R_EDX, BIT(13) },		/* TSX_FORCE_ABORT MSR */
	{ 0x7, 0, R_EDX, BIT(15) },		/* hybrid: topology is one plain CPU */
	{ 0x7, 0, R_EDX, BIT(18) },		/* PCONFIG: not virtualized */
	{ 0x7, 0, R_EDX, BIT(19) },		/* architectural LBRs: no PMU */
	{ 0x7, 0, R_EDX, BIT(20) },		/* CET IBT: IA32_S_CET not switched */
	{ 0x7, 0, R_EDX, BIT(22) | BIT(24) | BIT(25) },	/* AMX: state not switched */
	{ 0x7, 0, R_EDX, BIT(26) | BIT(27) },	/* IBRS/IBPB, STIBP: SPEC_CTRL, PRED_CMD */
	{ 0x7, 0, R_EDX, BIT(28) },		/* L1D_FLUSH: IA32_FLUSH_CMD */
	{ 0x7, 0, R_EDX, BIT(29) },		/* IA32_ARCH_CAPABILITIES: not emulated */
	{ 0x7, 0, R_EDX, BIT(30) },		/* IA32_CORE_CAPABILITIES: not emulated */
	{ 0x7, 0, R_EDX, BIT(31) },		/* SSBD: SPEC_CTRL */
	/* 07H.1:EAX */
	{ 0x7, 1, R_EAX, BIT(26) },		/* LAM: needs VMX/SVM support for CR3 bits */
	/* 07H.2:EDX: PSFD, IPRED/RRSBA/BHI_CTRL, DDPD_U are SPEC_CTRL bits */
	{ 0x7, 2, R_EDX, ~0u },
	/* 0DH.1:EAX */
	{ 0xd, 1, R_EAX, BIT(3) },		/* XSAVES/XRSTORS: IA32_XSS not switched */
	{ 0xd, 1, R_EAX, BIT(4) },		/* XFD: IA32_XFD not switched */
	/* 80000001H:ECX */
	{ 0x80000001, 0, R_ECX, BIT(1) },	/* CmpLegacy: one core */
	{ 0x80000001, 0, R_ECX, BIT(2) },	/* SVM: no nested virtualization */
	{ 0x80000001, 0, R_ECX, BIT(3) },	/* extended APIC space: not emulated */
	{ 0x80000001, 0, R_ECX, BIT(9) },	/* OSVW: OS-visible workaround MSRs */
	{ 0x80000001, 0, R_ECX, BIT(10) },	/* IBS: no PMU */
	{ 0x80000001, 0, R_ECX, BIT(12) },	/* SKINIT: secure init, not virtualized */
	{ 0x80000001, 0, R_ECX, BIT(13) },	/* watchdog timer MSRs */
	{ 0x80000001, 0, R_ECX, BIT(15) },	/* LWP: lightweight profiling */
	{ 0x80000001, 0, R_ECX, BIT(19) },	/* NodeId MSR */
	{ 0x80000001, 0, R_ECX, BIT(22) },	/* TOPOEXT: 8000001DH/1EH not relied on */
	{ 0x80000001, 0, R_ECX, BIT(23) | BIT(24) | BIT(28) },	/* core/NB/LLC perfctrs */
	{ 0x80000001, 0, R_ECX, BIT(26) },	/* data breakpoint extension MSRs */
	{ 0x80000001, 0, R_ECX, BIT(27) },	/* performance TSC */
	{ 0x80000001, 0, R_ECX, BIT(29) },	/* MONITORX/MWAITX: would idle the host */
	/* 80000001H:EDX */
	{ 0x80000001, 0, R_EDX, BIT(27) },	/* RDTSCP: TSC_AUX not switched */
	/* 80000007H: RAS, power management, APM; only invariant TSC is kept */
	{ 0x80000007, 0, R_EAX, ~0u },
	{ 0x80000007, 0, R_EBX, ~0u },		/* SMCA, MCA overflow recovery: no banks */
	{ 0x80000007, 0, R_ECX, ~0u },
	{ 0x80000007, 0, R_EDX, ~(u32)C87_EDX_INVARIANT_TSC },	/* CPB, HWP, ... MSRs */
	/* 80000008H:EBX: IBPB, IBRS, STIBP, SSBD..., IRPERF, RDPRU, INVLPGB, PPIN */
	{ 0x80000008, 0, R_EBX, ~(u32)C88_EBX_KEEP },
	/* 80000008H:ECX: one core (NC = 0, ApicIdCoreIdSize = 0), no PerfTsc */
	{ 0x80000008, 0, R_ECX, ~0u },
	{ 0x80000008, 0, R_EDX, ~0u },		/* INVLPGB count, RDPRU: not offered */
	/* 80000021H:EAX */
	{ 0x80000021, 0, R_EAX, BIT(8) },	/* automatic IBRS: an EFER bit */
	{ 0x80000021, 0, R_EAX, BIT(27) | BIT(28) },	/* SBPB, IBPB_BRTYPE: PRED_CMD */
};

struct cpuid_builder {
	struct vmon_cpuid_entry *e;
	u32 n;
};

static struct vmon_cpuid_entry *cpuid_add(struct cpuid_builder *b, u32 function, u32 index,
					  bool significant)
{
	struct vmon_cpuid_entry *e;

	if (WARN_ON_ONCE(b->n >= VMON_MAX_CPUID_ENTRIES))
		return NULL;
	e = &b->e[b->n++];
	memset(e, 0, sizeof(*e));
	e->function = function;
	e->index = index;
	e->flags = significant ? VMON_CPUID_SIGNIFICANT_INDEX : 0;
	cpuid_count(function, index, &e->eax, &e->ebx, &e->ecx, &e->edx);
	return e;
}

/* add the subleaves of a leaf whose subleaf 0 EAX gives the highest subleaf */
static void cpuid_add_counted(struct cpuid_builder *b, u32 function)
{
	struct vmon_cpuid_entry *e = cpuid_add(b, function, 0, true);
	u32 i, max;

	if (!e)
		return;
	max = min_t(u32, e->eax, MAX_SUBLEAF);
	for (i = 1; i <= max; i++)
		cpuid_add(b, function, i, true);
}

/*
 * Cache leaves 4 and 8000001DH: subleaves until cache type (EAX[4:0])
 * 0.  The geometry is the host's; the sharing fields say one logical
 * processor per cache (EAX[25:14] = 0) and, in leaf 4, one core per
 * package (EAX[31:26] = 0), as every vCPU is its own package.
 */
static void cpuid_add_caches(struct cpuid_builder *b, u32 function)
{
	struct vmon_cpuid_entry *e;
	u32 i;

	for (i = 0; i <= MAX_SUBLEAF; i++) {
		e = cpuid_add(b, function, i, true);
		if (!e)
			break;
		e->eax &= function == 0x4 ? GENMASK(13, 0) : ~GENMASK(25, 14);
		if (!(e->eax & 0x1f))
			break;
	}
}

/*
 * Topology leaves 0BH and 1FH, written rather than copied (SDM Vol. 2A,
 * CPUID leaf 0BH): an SMT level and a core level that each hold one
 * logical processor (EBX = 1, no APIC ID bits to shift away: EAX = 0),
 * then the invalid level that ends the list.  EDX is the x2APIC ID,
 * the vCPU id, in every subleaf.
 */
static void cpuid_add_topology(struct cpuid_builder *b, u32 function, u32 apic_id)
{
	static const u32 level_type[] = { 1, 2, 0 };	/* SMT, core, invalid */
	struct vmon_cpuid_entry *e;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(level_type); i++) {
		e = cpuid_add(b, function, i, true);
		if (!e)
			break;
		e->eax = 0;
		e->ebx = level_type[i] ? 1 : 0;
		e->ecx = (level_type[i] << 8) | i;
		e->edx = apic_id;
	}
}

/* leaf 0DH: only the state components vmon switches (fpu.c) */
static void cpuid_add_xsave(struct cpuid_builder *b)
{
	u64 xfeatures = vmon_fpu_guest_xfeatures();
	struct vmon_cpuid_entry *e;
	u32 i;

	if (!xfeatures)
		return;
	e = cpuid_add(b, 0xd, 0, true);
	if (e) {
		e->eax = (u32)xfeatures;
		e->edx = xfeatures >> 32;
	}
	e = cpuid_add(b, 0xd, 1, true);
	if (e) {
		e->ecx = 0;	/* no IA32_XSS state is offered */
		e->edx = 0;
	}
	for (i = 2; i < 64; i++) {
		if (xfeatures & BIT_ULL(i))
			cpuid_add(b, 0xd, i, true);
	}
}

static void cpuid_add_basic(struct cpuid_builder *b, u32 max, u32 apic_id)
{
	u32 leaf;

	for (leaf = 0; leaf <= max; leaf++) {
		switch (leaf) {
		case 0x4:
			cpuid_add_caches(b, leaf);
			break;
		case 0x7:
		case 0x17:
		case 0x18:
			cpuid_add_counted(b, leaf);
			break;
		case 0xb:
		case 0x1f:
			cpuid_add_topology(b, leaf, apic_id);
			break;
		case 0xd:
			cpuid_add_xsave(b);
			break;
		/*
		 * Features vmon does not virtualize read as absent (zeros):
		 * MONITOR/MWAIT (05H), thermal and power management (06H:
		 * digital thermal sensor, turbo, ARAT, HWP, APERF/MPERF and
		 * EPB all live in MSRs), architectural performance monitoring
		 * (0AH), resource director technology (0FH, 10H), SGX (12H),
		 * processor trace (14H), Key Locker (19H), hybrid core type
		 * (1AH), PCONFIG (1BH), architectural LBRs (1CH), AMX tiles
		 * (1DH, 1EH).
		 */
		case 0x5:
		case 0x6:
		case 0xa:
		case 0xf:
		case 0x10:
		case 0x12:
		case 0x14:
		case 0x19:
		case 0x1a:
		case 0x1b:
		case 0x1c:
		case 0x1d:
		case 0x1e:
			break;
		default:
			cpuid_add(b, leaf, 0, false);
			break;
		}
	}
}

static void cpuid_add_extended(struct cpuid_builder *b, u32 max, u32 apic_id)
{
	struct vmon_cpuid_entry *e;
	u32 leaf;

	for (leaf = 0x80000000; leaf <= max; leaf++) {
		switch (leaf) {
		case 0x8000001d:
			cpuid_add_caches(b, leaf);
			break;
		/*
		 * SVM features (0AH), IBS (1BH), LWP (1CH), SEV (1FH),
		 * platform QoS (20H): not virtualized.
		 */
		case 0x8000000a:
		case 0x8000001b:
		case 0x8000001c:
		case 0x8000001f:
		case 0x80000020:
			break;
		/*
		 * AMD extended APIC ID: the vCPU id; compute unit (core) 0
		 * with one thread (EBX = 0), node 0 of one (ECX = 0).
		 */
		case 0x8000001e:
			e = cpuid_add(b, leaf, 0, false);
			if (e) {
				e->eax = apic_id;
				e->ebx = 0;
				e->ecx = 0;
				e->edx = 0;
			}
			break;
		default:
			cpuid_add(b, leaf, 0, false);
			break;
		}
	}
}

static struct vmon_cpuid_entry *cpuid_find(struct vmon_cpuid_entry *e, u32 n, u32 function,
					   u32 index)
{
	u32 i;

	for (i = 0; i < n; i++) {
		if (e[i].function == function &&
		    (!(e[i].flags & VMON_CPUID_SIGNIFICANT_INDEX) || e[i].index == index))
			return &e[i];
	}
	return NULL;
}

static u32 *cpuid_reg(struct vmon_cpuid_entry *e, u8 reg)
{
	switch (reg) {
	case R_EAX:
		return &e->eax;
	case R_EBX:
		return &e->ebx;
	case R_ECX:
		return &e->ecx;
	default:
		return &e->edx;
	}
}

/*
 * Leaves 15H (TSC / core crystal clock) and 16H (frequencies), when the
 * host has them (SDM Vol. 2A, CPUID): they describe the guest's clocks,
 * not the host's.  The "crystal" is the APIC bus of the emulated local
 * APIC, VMON_APIC_BUS_HZ, and the TSC (the host's, unscaled) runs at
 * crystal * EBX / EAX = tsc_khz.  Linux takes both its TSC frequency and
 * its APIC timer period (crystal / HZ) from leaf 15H, so the two agree
 * with what the timer does.  Without a measured tsc_khz the leaves read
 * 0 and the guest calibrates.
 */
static void cpuid_tsc_leaves(struct cpuid_builder *b)
{
	const u32 bus_khz = VMON_APIC_BUS_HZ / 1000;
	struct vmon_cpuid_entry *e;
	u32 g = tsc_khz ? gcd(tsc_khz, bus_khz) : 1;

	e = cpuid_find(b->e, b->n, 0x15, 0);
	if (e) {
		e->eax = tsc_khz ? bus_khz / g : 0;	/* denominator */
		e->ebx = tsc_khz ? tsc_khz / g : 0;	/* numerator */
		e->ecx = tsc_khz ? VMON_APIC_BUS_HZ : 0;	/* crystal Hz */
		e->edx = 0;
	}
	e = cpuid_find(b->e, b->n, 0x16, 0);
	if (e) {
		/* base and maximum MHz: the TSC's; bus (reference) MHz */
		e->eax = tsc_khz / 1000;
		e->ebx = tsc_khz / 1000;
		e->ecx = tsc_khz ? VMON_APIC_BUS_HZ / 1000000 : 0;
		e->edx = 0;
	}
}

/* take away what vmon does not virtualize; announce a hypervisor */
static void cpuid_hide(struct cpuid_builder *b, u32 apic_id)
{
	const struct cpuid_mask *m;
	struct vmon_cpuid_entry *e;

	for (m = cpuid_hidden; m < cpuid_hidden + ARRAY_SIZE(cpuid_hidden); m++) {
		e = cpuid_find(b->e, b->n, m->function, m->index);
		if (e)
			*cpuid_reg(e, m->reg) &= ~m->bits;
	}

	e = cpuid_find(b->e, b->n, 1, 0);
	if (e) {
		/*
		 * EBX: initial APIC ID [31:24] = vCPU id, one addressable
		 * logical processor ID [23:16]; CLFLUSH size and brand index
		 * stay the host's.
		 */
		e->ebx = (e->ebx & 0xffff) | (1 << 16) | (apic_id << 24);
		if (!vmon_fpu_guest_xfeatures())
			e->ecx &= ~(C1_ECX_XSAVE | C1_ECX_AVX);
		/* the APIC timer's TSC-deadline mode is emulated (lapic_timer.c) */
		e->ecx |= C1_ECX_HYPERVISOR | C1_ECX_TSC_DEADLINE;
		/* the in-kernel local APIC, xAPIC and x2APIC (lapic.c), on any host */
		e->edx |= C1_EDX_APIC;
		e->ecx |= C1_ECX_X2APIC;
	}
	e = cpuid_find(b->e, b->n, 0x80000001, 0);
	if (e && (boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
		  boot_cpu_data.x86_vendor == X86_VENDOR_HYGON))
		e->edx |= C1_EDX_APIC;	/* AMD repeats the APIC bit (APM Vol. 3 E.4.2) */
	cpuid_tsc_leaves(b);
}

/*
 * The default table: the host's leaves up to min(max, 1FH) and
 * min(max, 80000021H), subleaf-indexed leaves enumerated with
 * VMON_CPUID_SIGNIFICANT_INDEX, and a hypervisor leaf 40000000H with the
 * signature "vmonvmonvmon".  The vCPU id is the APIC ID everywhere the
 * CPUID reports one.
 */
int vmon_cpuid_init_default(struct vmon_vcpu *vcpu)
{
	struct cpuid_builder b = { };
	struct vmon_cpuid_entry *e;
	u32 basic, extended;

	b.e = kcalloc(VMON_MAX_CPUID_ENTRIES, sizeof(*b.e), GFP_KERNEL_ACCOUNT);
	if (!b.e)
		return -ENOMEM;

	basic = min_t(u32, cpuid_eax(0), BASIC_MAX);
	cpuid_add_basic(&b, basic, vcpu->id);
	e = cpuid_find(b.e, b.n, 0, 0);
	if (e)
		e->eax = basic;

	/* hypervisor leaves 40000000H+: the highest one, then the signature */
	e = cpuid_add(&b, HYPERVISOR_LEAF, 0, false);
	if (e) {
		BUILD_BUG_ON(sizeof(VMON_CPUID_SIGNATURE) != 13);
		e->eax = HYPERVISOR_LEAF;
		memcpy(&e->ebx, VMON_CPUID_SIGNATURE, 4);
		memcpy(&e->ecx, VMON_CPUID_SIGNATURE + 4, 4);
		memcpy(&e->edx, VMON_CPUID_SIGNATURE + 8, 4);
	}

	extended = cpuid_eax(0x80000000);
	if (extended >= 0x80000000) {
		extended = min_t(u32, extended, EXTENDED_MAX);
		cpuid_add_extended(&b, extended, vcpu->id);
		e = cpuid_find(b.e, b.n, 0x80000000, 0);
		if (e)
			e->eax = extended;
	}

	cpuid_hide(&b, vcpu->id);

	kfree(vcpu->cpuid);
	vcpu->cpuid = b.e;
	vcpu->cpuid_nent = b.n;
	return 0;
}

/*
 * VMON_SET_CPUID; the caller checked nent <= VMON_MAX_CPUID_ENTRIES.  -EINVAL for a flag other than
 * VMON_CPUID_SIGNIFICANT_INDEX or non-zero padding; the old table stays.
 */
int vmon_cpuid_set(struct vmon_vcpu *vcpu, const struct vmon_cpuid_entry *e, u32 nent)
{
	struct vmon_cpuid_entry *table = NULL;
	u32 i;

	lockdep_assert_held(&vcpu->mutex);

	if (nent > VMON_MAX_CPUID_ENTRIES)
		return -E2BIG;
	for (i = 0; i < nent; i++) {
		if ((e[i].flags & ~VMON_CPUID_SIGNIFICANT_INDEX) || e[i].padding)
			return -EINVAL;
	}
	if (nent) {
		table = kmemdup(e, array_size(nent, sizeof(*e)), GFP_KERNEL_ACCOUNT);
		if (!table)
			return -ENOMEM;
	}
	kfree(vcpu->cpuid);
	vcpu->cpuid = table;
	vcpu->cpuid_nent = nent;
	return 0;
}

/*
 * CPUID.(EAX=0DH,ECX=0):EBX is the XSAVE area size for the features
 * enabled in XCR0 (and ECX=1 adds IA32_XSS, which is always 0 here), so
 * it changes when the guest executes XSETBV (SDM Vol. 2A, Table 3-8).
 */
static u32 cpuid_xsave_size(const struct vmon_vcpu *vcpu)
{
	u32 eax, ebx, ecx, edx, size = 512 + 64;
	unsigned int i;

	for (i = 2; i < 64; i++) {
		if (!(vcpu->guest_xcr0 & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &eax, &ebx, &ecx, &edx);
		size = max(size, ebx + eax);
	}
	return size;
}

void __vmon_hot vmon_cpuid_lookup(struct vmon_vcpu *vcpu, u32 function, u32 index,
				  u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	const struct vmon_cpuid_entry *e;

	e = cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, function, index);
	if (!e) {
		*eax = *ebx = *ecx = *edx = 0;
		return;
	}
	*eax = e->eax;
	*ebx = e->ebx;
	*ecx = e->ecx;
	*edx = e->edx;
	if (function == 0xd && index <= 1 && *ebx)
		*ebx = cpuid_xsave_size(vcpu);
}
