// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPUID comes from the vCPU's table: the default one hides VMX and SVM
 * and sets the hypervisor bit; after SET_CPUID the guest sees exactly
 * the table (index matched only for SIGNIFICANT_INDEX entries, leaves
 * not in the table read as zeros); the default table is fit for Linux
 * (hypervisor leaf, hidden features, one-CPU topology).  64-bit C guest.
 */
#include <cpuid.h>

#include "kselftest_harness.h"
#include "test_vm.h"

struct query {
	uint32_t leaf, index;
	uint32_t r[4];		/* eax, ebx, ecx, edx as the guest saw them */
};

/* guest reads these; the host reads the results back from guest memory */
static struct query queries[] = {
	{ 0, 0 }, { 1, 0 }, { 1, 5 }, { 7, 0 }, { 7, 1 }, { 7, 2 },
	{ 0x40000000, 0 }, { 0x80000001, 0 }, { 0x12345, 0 },
};
#define NQ (sizeof(queries) / sizeof(queries[0]))

static void guest_cpuid(uint64_t arg)
{
	unsigned int i;

	for (i = 0; i < NQ; i++)
		__asm__ volatile("cpuid"
				 : "=a"(queries[i].r[0]), "=b"(queries[i].r[1]),
				   "=c"(queries[i].r[2]), "=d"(queries[i].r[3])
				 : "a"(queries[i].leaf), "c"(queries[i].index));
	GUEST_DONE();
}

FIXTURE(cpuid) {
	struct test_vm t;
	struct ucall uc;
};

FIXTURE_SETUP(cpuid)
{
	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&self->t, guest_cpuid, 0));
}

FIXTURE_TEARDOWN(cpuid)
{
	if (test_have_vmon())
		test_vm_destroy(&self->t);
}

TEST_F(cpuid, default_table_hides_virtualization)
{
	unsigned int a, b, c, d;
	struct query *q = queries;

	RUN_EXPECT_UCALL(&self->t, &self->uc, UCALL_DONE);
	ASSERT_OK(test_sync_from_guest(&self->t, queries, sizeof(queries)));

	__cpuid(0, a, b, c, d);
	EXPECT_TRUE(q[0].r[1] == b && q[0].r[2] == c && q[0].r[3] == d)
		TH_LOG("leaf 0 vendor: expected the host's %.4s%.4s%.4s, got %.4s%.4s%.4s",
		       (char *)&b, (char *)&d, (char *)&c, (char *)&q[0].r[1],
		       (char *)&q[0].r[3], (char *)&q[0].r[2]);
	EXPECT_LE(1, q[0].r[0]);
	EXPECT_EQ(0, q[1].r[2] & (1u << 5)) TH_LOG("leaf 1 ECX 0x%x: VMX (bit 5) visible",
						   q[1].r[2]);
	EXPECT_NE(0, q[1].r[2] & (1u << 31)) TH_LOG("leaf 1 ECX 0x%x: hypervisor bit 31 clear",
						    q[1].r[2]);
	EXPECT_EQ(0, q[7].r[2] & (1u << 2)) TH_LOG("leaf 0x80000001 ECX 0x%x: SVM (bit 2) visible",
						   q[7].r[2]);
	/* the family/model/stepping are the host's */
	__cpuid(1, a, b, c, d);
	EXPECT_EQ(a, q[1].r[0]);
}

TEST_F(cpuid, set_table_is_what_the_guest_sees)
{
	static const struct vmon_cpuid_entry table[] = {
		{ .function = 0, .eax = 0xd, .ebx = 0x6e6f6d76, .ecx = 0x6e6f6d76,
		  .edx = 0x6e6f6d76 },
		{ .function = 1, .eax = 0x000906ea, .ebx = 0x11, .ecx = 0x80000001,
		  .edx = 0x00000001 },
		{ .function = 7, .index = 0, .flags = VMON_CPUID_SIGNIFICANT_INDEX,
		  .eax = 1, .ebx = 0x1234 },
		{ .function = 7, .index = 1, .flags = VMON_CPUID_SIGNIFICANT_INDEX,
		  .eax = 0, .ebx = 0x5678 },
		{ .function = 0x40000000, .eax = 0x40000001, .ebx = 0x4e4f4d56 },
	};
	static const uint32_t want[NQ][4] = {
		{ 0xd, 0x6e6f6d76, 0x6e6f6d76, 0x6e6f6d76 },
		{ 0x000906ea, 0x11, 0x80000001, 1 },
		{ 0x000906ea, 0x11, 0x80000001, 1 },	/* index ignored */
		{ 1, 0x1234, 0, 0 },
		{ 0, 0x5678, 0, 0 },
		{ 0, 0, 0, 0 },				/* index 2 not in the table */
		{ 0x40000001, 0x4e4f4d56, 0, 0 },
		{ 0, 0, 0, 0 },				/* not in the table */
		{ 0, 0, 0, 0 },
	};
	unsigned int i, j;

	ASSERT_OK(libvmon_set_cpuid(&self->t.cpu, table, sizeof(table) / sizeof(table[0])));
	RUN_EXPECT_UCALL(&self->t, &self->uc, UCALL_DONE);
	ASSERT_OK(test_sync_from_guest(&self->t, queries, sizeof(queries)));
	for (i = 0; i < NQ; i++) {
		for (j = 0; j < 4; j++) {
			EXPECT_EQ(want[i][j], queries[i].r[j])
				TH_LOG("CPUID 0x%x.%u %s: expected 0x%x, got 0x%x",
				       queries[i].leaf, queries[i].index, "eax\0ebx\0ecx\0edx" + 4 * j,
				       want[i][j], queries[i].r[j]);
		}
	}
}

TEST_F(cpuid, too_many_entries_rejected)
{
	unsigned int n = self->t.vm.caps.max_cpuid_entries + 1;
	struct vmon_cpuid_entry *e = calloc(n, sizeof(*e));

	ASSERT_NE(NULL, e);
	EXPECT_NE(0, libvmon_set_cpuid(&self->t.cpu, e, n));
	EXPECT_OK(libvmon_set_cpuid(&self->t.cpu, e, n - 1));
	free(e);
}

/*
 * The default table is fit for Linux: the hypervisor leaf names vmon,
 * what vmon cannot virtualize is absent, and the topology leaves
 * describe one CPU whose APIC ID is the vCPU id (0).
 */
static struct query linux_q[] = {
	{ 0, 0 }, { 1, 0 }, { 4, 0 }, { 5, 0 }, { 6, 0 }, { 7, 0 }, { 7, 2 },
	{ 0xa, 0 }, { 0xb, 0 }, { 0xb, 1 }, { 0xb, 2 }, { 0xd, 1 },
	{ 0x40000000, 0 }, { 0x80000001, 0 }, { 0x80000007, 0 }, { 0x80000008, 0 },
	{ 0x8000000a, 0 }, { 0x8000001e, 0 },
};
#define NLQ (sizeof(linux_q) / sizeof(linux_q[0]))
enum { EAX, EBX, ECX, EDX };

static void guest_linux_cpuid(uint64_t arg)
{
	unsigned int i;

	for (i = 0; i < NLQ; i++)
		__asm__ volatile("cpuid"
				 : "=a"(linux_q[i].r[0]), "=b"(linux_q[i].r[1]),
				   "=c"(linux_q[i].r[2]), "=d"(linux_q[i].r[3])
				 : "a"(linux_q[i].leaf), "c"(linux_q[i].index));
	GUEST_DONE();
}

static const uint32_t *lq(uint32_t leaf, uint32_t index)
{
	unsigned int i;

	for (i = 0; i < NLQ; i++) {
		if (linux_q[i].leaf == leaf && linux_q[i].index == index)
			return linux_q[i].r;
	}
	return NULL;
}

/* feature bits that must read 0, with why */
static const struct {
	uint32_t leaf, index, reg, bits;
	const char *what;
} cleared[] = {
	{ 1, 0, ECX, 1u << 3, "MONITOR" },
	{ 1, 0, ECX, 1u << 5, "VMX" },
	{ 1, 0, ECX, 1u << 15, "PDCM" },
	{ 1, 0, ECX, 1u << 17, "PCID" },
	{ 1, 0, EDX, 1u << 28, "HTT" },
	{ 7, 0, EBX, 1u << 1, "TSC_ADJUST" },
	{ 7, 0, EBX, 1u << 10, "INVPCID" },
	{ 7, 0, ECX, 1u << 3, "PKU" },
	{ 7, 0, ECX, 1u << 5, "WAITPKG" },
	{ 7, 0, ECX, 1u << 16, "LA57" },
	{ 7, 0, ECX, 1u << 22, "RDPID" },
	{ 7, 0, EDX, 0xfc000000u, "IBRS/IBPB/STIBP/L1D_FLUSH/ARCH_CAP/CORE_CAP/SSBD" },
	{ 7, 2, EDX, ~0u, "leaf 7.2 SPEC_CTRL bits" },
	{ 0xd, 1, EAX, 1u << 3, "XSAVES" },
	{ 5, 0, EAX, ~0u, "MONITOR leaf" },
	{ 6, 0, EAX, ~0u, "thermal/power leaf EAX" },
	{ 6, 0, ECX, ~0u, "thermal/power leaf ECX (APERF/MPERF, EPB)" },
	{ 0xa, 0, EAX, ~0u, "architectural PMU" },
	{ 0x80000001, 0, ECX, 1u << 2, "SVM" },
	{ 0x80000001, 0, ECX, 1u << 10, "IBS" },
	{ 0x80000001, 0, ECX, 1u << 22, "TOPOEXT" },
	{ 0x80000001, 0, ECX, 1u << 23, "PERFCTR_CORE" },
	{ 0x80000001, 0, EDX, 1u << 27, "RDTSCP" },
	{ 0x80000007, 0, EDX, ~(1u << 8), "power management, all but invariant TSC" },
	{ 0x80000008, 0, EBX, (1u << 12) | (1u << 14) | (1u << 15) | (1u << 24) | (1u << 25),
	  "AMD IBPB/IBRS/STIBP/SSBD/VIRT_SSBD" },
	{ 0x80000008, 0, ECX, ~0u, "AMD core count" },
	{ 0x8000000a, 0, EDX, ~0u, "SVM leaf" },
};

TEST(default_table_is_fit_for_linux)
{
	unsigned int a, b, c, d, i, max_basic, max_ext;
	const uint32_t *r;
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_linux_cpuid, 0));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	ASSERT_OK(test_sync_from_guest(&t, linux_q, sizeof(linux_q)));
	test_vm_destroy(&t);
	max_basic = lq(0, 0)[EAX];

	/* hypervisor bit and leaf */
	EXPECT_NE(0, lq(1, 0)[ECX] & (1u << 31));
	r = lq(VMON_CPUID_HYPERVISOR_LEAF, 0);
	EXPECT_EQ(VMON_CPUID_HYPERVISOR_LEAF, r[EAX]);
	EXPECT_EQ(0, memcmp(&r[EBX], VMON_CPUID_SIGNATURE, 4));
	EXPECT_EQ(0, memcmp(&r[ECX], VMON_CPUID_SIGNATURE + 4, 4));
	EXPECT_EQ(0, memcmp(&r[EDX], VMON_CPUID_SIGNATURE + 8, 4))
		TH_LOG("signature %.4s%.4s%.4s, expected %s", (const char *)&r[EBX],
		       (const char *)&r[ECX], (const char *)&r[EDX], VMON_CPUID_SIGNATURE);

	/* cleared features (leaves beyond the maximum read as 0 anyway) */
	for (i = 0; i < sizeof(cleared) / sizeof(cleared[0]); i++) {
		r = lq(cleared[i].leaf, cleared[i].index);
		EXPECT_EQ(0, r[cleared[i].reg] & cleared[i].bits)
			TH_LOG("CPUID 0x%x.%u %s = 0x%x: %s visible", cleared[i].leaf,
			       cleared[i].index, "eax\0ebx\0ecx\0edx" + 4 * cleared[i].reg,
			       r[cleared[i].reg], cleared[i].what);
	}

	/* the in-kernel local APIC, xAPIC and x2APIC */
	EXPECT_NE(0, lq(1, 0)[EDX] & (1u << 9)) TH_LOG("APIC not reported");
	EXPECT_NE(0, lq(1, 0)[ECX] & (1u << 21)) TH_LOG("x2APIC not reported");
	EXPECT_NE(0, lq(1, 0)[ECX] & (1u << 24)) TH_LOG("TSC deadline (the APIC timer) not reported");

	/* invariant TSC: kept exactly when the host has it */
	__cpuid(0x80000000, max_ext, b, c, d);
	if (max_ext >= 0x80000007) {
		__cpuid(0x80000007, a, b, c, d);
		EXPECT_EQ(d & (1u << 8), lq(0x80000007, 0)[EDX] & (1u << 8));
	}

	/* one CPU: APIC ID 0, one logical processor, one core */
	r = lq(1, 0);
	EXPECT_EQ(0, r[EBX] >> 24) TH_LOG("initial APIC ID %u", r[EBX] >> 24);
	EXPECT_EQ(1, (r[EBX] >> 16) & 0xff);
	r = lq(4, 0);
	if (max_basic >= 4 && (r[EAX] & 0x1f))
		EXPECT_EQ(0, r[EAX] >> 14) TH_LOG("leaf 4 EAX 0x%x: cache shared or cores > 1",
						   r[EAX]);
	if (max_basic >= 0xb) {
		r = lq(0xb, 0);
		EXPECT_TRUE(r[EAX] == 0 && r[EBX] == 1 && r[ECX] == 0x100 && r[EDX] == 0)
			TH_LOG("leaf 0xb.0: %x %x %x %x", r[EAX], r[EBX], r[ECX], r[EDX]);
		r = lq(0xb, 1);
		EXPECT_TRUE(r[EAX] == 0 && r[EBX] == 1 && r[ECX] == 0x201 && r[EDX] == 0)
			TH_LOG("leaf 0xb.1: %x %x %x %x", r[EAX], r[EBX], r[ECX], r[EDX]);
		r = lq(0xb, 2);
		EXPECT_TRUE(r[EBX] == 0 && (r[ECX] & 0xff00) == 0)
			TH_LOG("leaf 0xb.2: %x %x %x %x", r[EAX], r[EBX], r[ECX], r[EDX]);
	}
	r = lq(0x8000001e, 0);
	EXPECT_TRUE(r[EAX] == 0 && r[EBX] == 0 && r[ECX] == 0)
		TH_LOG("leaf 0x8000001e: %x %x %x", r[EAX], r[EBX], r[ECX]);
}

TEST_HARNESS_MAIN
