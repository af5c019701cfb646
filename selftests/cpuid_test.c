// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPUID comes from the vCPU's table: the default one hides VMX and SVM
 * and sets the hypervisor bit; after SET_CPUID the guest sees exactly
 * the table (index matched only for SIGNIFICANT_INDEX entries, leaves
 * not in the table read as zeros).  64-bit C guest.
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

	ASSERT_OK(vmon_set_cpuid(&self->t.cpu, table, sizeof(table) / sizeof(table[0])));
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
	EXPECT_NE(0, vmon_set_cpuid(&self->t.cpu, e, n));
	EXPECT_OK(vmon_set_cpuid(&self->t.cpu, e, n - 1));
	free(e);
}

TEST_HARNESS_MAIN
