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
 * taken away; VMON_SET_CPUID replaces it wholesale.
 */
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/processor.h>

#include "core.h"

/* CPUID.01H:ECX */
#define C1_ECX_MONITOR		BIT(3)
#define C1_ECX_VMX		BIT(5)
#define C1_ECX_SMX		BIT(6)
#define C1_ECX_PDCM		BIT(15)
#define C1_ECX_X2APIC		BIT(21)
#define C1_ECX_TSC_DEADLINE	BIT(24)
#define C1_ECX_XSAVE		BIT(26)
#define C1_ECX_OSXSAVE		BIT(27)
#define C1_ECX_AVX		BIT(28)
#define C1_ECX_HYPERVISOR	BIT(31)
/* CPUID.(EAX=07H,ECX=0) */
#define C7_EBX_SGX		BIT(2)
#define C7_EBX_INVPCID		BIT(10)
#define C7_EBX_PQM		BIT(12)
#define C7_EBX_PQE		BIT(15)
#define C7_EBX_INTEL_PT		BIT(25)
#define C7_ECX_PKU		BIT(3)
#define C7_ECX_OSPKE		BIT(4)
#define C7_ECX_WAITPKG		BIT(5)
#define C7_ECX_RDPID		BIT(22)
#define C7_EDX_AMX_BF16		BIT(22)
#define C7_EDX_AMX_TILE		BIT(24)
#define C7_EDX_AMX_INT8		BIT(25)
/* CPUID.(EAX=0DH,ECX=1):EAX */
#define CD1_EAX_XSAVES		BIT(3)
#define CD1_EAX_XFD		BIT(4)
/* CPUID.80000001H */
#define C81_ECX_SVM		BIT(2)
#define C81_EDX_RDTSCP		BIT(27)

#define HYPERVISOR_LEAF		0x40000000
#define BASIC_MAX		0x1f
#define EXTENDED_MAX		0x80000021
#define MAX_SUBLEAF		63

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

/* cache leaves 4 and 8000001DH: subleaves until cache type (EAX[4:0]) 0 */
static void cpuid_add_caches(struct cpuid_builder *b, u32 function)
{
	struct vmon_cpuid_entry *e;
	u32 i;

	for (i = 0; i <= MAX_SUBLEAF; i++) {
		e = cpuid_add(b, function, i, true);
		if (!e || !(e->eax & 0x1f))
			break;
	}
}

/*
 * Topology leaves 0BH and 1FH: subleaves until level type (ECX[15:8]) 0,
 * that last one included (it still echoes the index and the x2APIC ID).
 */
static void cpuid_add_topology(struct cpuid_builder *b, u32 function, u32 apic_id)
{
	struct vmon_cpuid_entry *e;
	u32 i;

	for (i = 0; i <= MAX_SUBLEAF; i++) {
		e = cpuid_add(b, function, i, true);
		if (!e)
			break;
		e->edx = apic_id;
		if (!((e->ecx >> 8) & 0xff))
			break;
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
		e->eax &= ~(CD1_EAX_XSAVES | CD1_EAX_XFD);
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
		 * architectural performance monitoring (0AH), resource
		 * director technology (0FH, 10H), SGX (12H), processor trace
		 * (14H), AMX tiles (1DH, 1EH).
		 */
		case 0xa:
		case 0xf:
		case 0x10:
		case 0x12:
		case 0x14:
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
		/* SVM features, SEV, platform QoS: not virtualized */
		case 0x8000000a:
		case 0x8000001f:
		case 0x80000020:
			break;
		case 0x8000001e:	/* AMD extended APIC ID */
			e = cpuid_add(b, leaf, 0, false);
			if (e)
				e->eax = apic_id;
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

/* take away what vmon does not virtualize; announce a hypervisor */
static void cpuid_hide(struct cpuid_builder *b, u32 apic_id)
{
	struct vmon_cpuid_entry *e;

	e = cpuid_find(b->e, b->n, 1, 0);
	if (e) {
		/* initial APIC ID (SDM Vol. 2A Table 3-8, EBX[31:24]) */
		e->ebx = (e->ebx & 0x00ffffff) | (apic_id << 24);
		/*
		 * No nested virtualization (VMX, SMX); no MWAIT (not
		 * intercepted, it would halt the host CPU's view of the
		 * guest); no x2APIC or TSC deadline timer (no APIC is
		 * emulated yet); no perfmon capability MSR.  OSXSAVE is
		 * computed per lookup.
		 */
		e->ecx &= ~(C1_ECX_MONITOR | C1_ECX_VMX | C1_ECX_SMX | C1_ECX_PDCM |
			    C1_ECX_X2APIC | C1_ECX_TSC_DEADLINE | C1_ECX_OSXSAVE);
		if (!vmon_fpu_guest_xfeatures())
			e->ecx &= ~(C1_ECX_XSAVE | C1_ECX_AVX);
		e->ecx |= C1_ECX_HYPERVISOR;
	}

	e = cpuid_find(b->e, b->n, 7, 0);
	if (e) {
		/*
		 * SGX, RDT and PT are not virtualized; PKRU and AMX state are
		 * not switched (fpu.c); INVPCID, RDPID and WAITPKG need VM-
		 * execution controls the backends do not set.
		 */
		e->ebx &= ~(C7_EBX_SGX | C7_EBX_INVPCID | C7_EBX_PQM | C7_EBX_PQE |
			    C7_EBX_INTEL_PT);
		e->ecx &= ~(C7_ECX_PKU | C7_ECX_OSPKE | C7_ECX_WAITPKG | C7_ECX_RDPID);
		e->edx &= ~(C7_EDX_AMX_BF16 | C7_EDX_AMX_TILE | C7_EDX_AMX_INT8);
	}

	e = cpuid_find(b->e, b->n, 0x80000001, 0);
	if (e) {
		e->ecx &= ~C81_ECX_SVM;
		e->edx &= ~C81_EDX_RDTSCP;	/* needs "enable RDTSCP" on VMX */
	}
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

	e = cpuid_add(&b, HYPERVISOR_LEAF, 0, false);
	if (e) {
		e->eax = HYPERVISOR_LEAF;
		memcpy(&e->ebx, "vmon", 4);
		memcpy(&e->ecx, "vmon", 4);
		memcpy(&e->edx, "vmon", 4);
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
 * VMON_SET_CPUID, caller holds vcpu->mutex and checked nent <=
 * VMON_MAX_CPUID_ENTRIES.  -EINVAL for a flag other than
 * VMON_CPUID_SIGNIFICANT_INDEX or non-zero padding; the old table stays.
 */
int vmon_cpuid_set(struct vmon_vcpu *vcpu, const struct vmon_cpuid_entry *e, u32 nent)
{
	struct vmon_cpuid_entry *table = NULL;
	u32 i;

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

void vmon_cpuid_lookup(struct vmon_vcpu *vcpu, u32 function, u32 index,
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
