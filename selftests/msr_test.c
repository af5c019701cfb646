// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSRs: SET/GET_MSRS round trips of every MSR the kernel owns; a guest
 * RDMSR of an owned MSR sees what SET_MSRS wrote (and a guest WRMSR is
 * seen by GET_MSRS); RDMSR/WRMSR of an MSR the kernel does not own is a
 * VMON_EXIT_MSR that userspace completes, or turns into #GP(0) with
 * msr.error (the guest's #GP handler counts it).  64-bit C guests.
 */
#include "kselftest_harness.h"
#include "test_vm.h"

#define UNOWNED_RD	0x40000010u
#define UNOWNED_WR	0x40000011u

static inline uint64_t guest_rdmsr(uint32_t idx)
{
	uint32_t lo = 0, hi = 0;

	__asm__ volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(idx) : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline void guest_wrmsr(uint32_t idx, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(idx), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static const struct { uint32_t index; uint64_t value; } owned[] = {
	{ VMON_MSR_SYSENTER_CS, 0x10 },
	{ VMON_MSR_SYSENTER_ESP, 0xffffc90000123000ULL },
	{ VMON_MSR_SYSENTER_EIP, 0xffffffff81234560ULL },
	{ VMON_MSR_PAT, 0x0007010600070106ULL },
	{ VMON_MSR_STAR, 0x0023001000000000ULL },
	{ VMON_MSR_LSTAR, 0xffffffff81a00000ULL },
	{ VMON_MSR_CSTAR, 0xffffffff81a00100ULL },
	{ VMON_MSR_SFMASK, 0x47700 },
	{ VMON_MSR_FS_BASE, 0x00007f1234567000ULL },
	{ VMON_MSR_GS_BASE, 0xffff888012345000ULL },
	{ VMON_MSR_KERNEL_GS_BASE, 0x00007ffdeadbe000ULL },
	{ VMON_MSR_EFER, 0xd01 },	/* SCE LME LMA NXE: consistent with long mode */
};
#define NOWNED (sizeof(owned) / sizeof(owned[0]))

static void guest_read_owned(uint64_t arg)
{
	unsigned int i;
	uint64_t tsc;

	for (i = 0; i < NOWNED; i++)
		GUEST_ASSERT_EQ(owned[i].value, guest_rdmsr(owned[i].index));
	tsc = guest_rdmsr(VMON_MSR_TSC);
	GUEST_ASSERT(tsc >= arg);
	GUEST_ASSERT(tsc - arg < (1ULL << 50));
	guest_wrmsr(VMON_MSR_LSTAR, 0xffffffff80001000ULL);
	guest_wrmsr(VMON_MSR_KERNEL_GS_BASE, 0x1234000);
	GUEST_DONE();
}

static void guest_unowned(uint64_t arg)
{
	GUEST_ASSERT_EQ(0x1122334455667788ULL, guest_rdmsr(UNOWNED_RD));
	guest_wrmsr(UNOWNED_WR, 0xabcdef0123456789ULL);
	GUEST_DONE();
}

static void guest_unowned_gp(uint64_t arg)
{
	guest_gp_skip = 1;
	guest_rdmsr(UNOWNED_RD);
	GUEST_ASSERT_EQ(1, guest_gp_count);
	guest_wrmsr(UNOWNED_WR, 1);
	GUEST_ASSERT_EQ(2, guest_gp_count);
	GUEST_DONE();
}

TEST(owned_msrs_round_trip)
{
	struct test_vm t;
	unsigned int i;
	__u64 v;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_LONG));
	for (i = 0; i < NOWNED; i++) {
		ASSERT_OK(vmon_set_msr(&t.cpu, owned[i].index, owned[i].value));
		ASSERT_OK(vmon_get_msr(&t.cpu, owned[i].index, &v));
		EXPECT_EQ(owned[i].value, v) TH_LOG("MSR 0x%x: set 0x%llx, got 0x%llx",
						    owned[i].index,
						    (unsigned long long)owned[i].value,
						    (unsigned long long)v);
	}
	ASSERT_OK(vmon_set_msr(&t.cpu, VMON_MSR_TSC, 1ULL << 40));
	ASSERT_OK(vmon_get_msr(&t.cpu, VMON_MSR_TSC, &v));
	EXPECT_TRUE(v >= 1ULL << 40 && v < (1ULL << 40) + (1ULL << 36))
		TH_LOG("TSC: set 0x%llx, read back 0x%llx", 1ULL << 40, (unsigned long long)v);
	/* an MSR the kernel does not own is not processed */
	EXPECT_ERRNO(ENOENT, vmon_get_msr(&t.cpu, UNOWNED_RD, &v));
	EXPECT_ERRNO(ENOENT, vmon_set_msr(&t.cpu, UNOWNED_RD, 0));
	test_vm_destroy(&t);
}

TEST(guest_rdmsr_sees_set_msrs)
{
	struct test_vm t;
	struct ucall uc;
	unsigned int i;
	__u64 v;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_read_owned, 1ULL << 40));
	for (i = 0; i < NOWNED; i++)
		ASSERT_OK(vmon_set_msr(&t.cpu, owned[i].index, owned[i].value));
	ASSERT_OK(vmon_set_msr(&t.cpu, VMON_MSR_TSC, 1ULL << 40));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	ASSERT_OK(vmon_get_msr(&t.cpu, VMON_MSR_LSTAR, &v));
	EXPECT_EQ(0xffffffff80001000ULL, v);
	ASSERT_OK(vmon_get_msr(&t.cpu, VMON_MSR_KERNEL_GS_BASE, &v));
	EXPECT_EQ(0x1234000, v);
	test_vm_destroy(&t);
}

TEST(unowned_msr_exits_to_userspace)
{
	struct test_vm t;
	struct ucall uc;
	struct vmon_run *run;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_unowned, 0));
	run = t.cpu.run;
	RUN_EXPECT_EXIT(&t, VMON_EXIT_MSR);
	EXPECT_EQ(UNOWNED_RD, run->msr.index);
	EXPECT_EQ(0, run->msr.is_write);
	run->msr.data = 0x1122334455667788ULL;
	RUN_EXPECT_EXIT(&t, VMON_EXIT_MSR);
	EXPECT_EQ(UNOWNED_WR, run->msr.index);
	EXPECT_EQ(1, run->msr.is_write);
	EXPECT_EQ(0xabcdef0123456789ULL, run->msr.data)
		TH_LOG("WRMSR data: expected 0xabcdef0123456789, got 0x%llx",
		       (unsigned long long)run->msr.data);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

TEST(unowned_msr_error_injects_gp)
{
	struct test_vm t;
	struct ucall uc;
	struct vmon_run *run;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_unowned_gp, 0));
	run = t.cpu.run;
	RUN_EXPECT_EXIT(&t, VMON_EXIT_MSR);
	EXPECT_EQ(0, run->msr.is_write);
	run->msr.error = 1;
	RUN_EXPECT_EXIT(&t, VMON_EXIT_MSR);
	EXPECT_EQ(1, run->msr.is_write);
	run->msr.error = 1;
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
