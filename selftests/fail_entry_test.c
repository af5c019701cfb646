// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest state that VM entry refuses, set through SET_SREGS, is a
 * VMON_EXIT_FAIL_ENTRY with a decoded, non-empty reason (never an oops),
 * and the vCPU runs again once the state is fixed.
 *   - CS.L and CS.D both set in 64-bit mode (SDM 3C 26.3.1.2; APM 15.5.1)
 *   - EFER.LME and CR0.PG without CR4.PAE (SDM 3C 26.3.1.1; APM 15.5.1)
 */
#include "kselftest_harness.h"
#include "test_vm.h"

GUEST_BLOB(hlt_guest64, 64, "hlt\n");

FIXTURE(fail) {
	struct test_vm t;
	struct vmon_sregs good;
};

FIXTURE_SETUP(fail)
{
	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&self->t, VMON_GUEST_LONG));
	ASSERT_OK(test_vm_load_blob(&self->t, hlt_guest64, hlt_guest64_end));
	ASSERT_OK(libvmon_get_sregs(&self->t.cpu, &self->good));
}

FIXTURE_TEARDOWN(fail)
{
	if (test_have_vmon())
		test_vm_destroy(&self->t);
}

static void expect_fail_entry_then_recover(struct __test_metadata *_metadata,
					   struct test_vm *t, const struct vmon_sregs *good)
{
	struct vmon_run *run = t->cpu.run;
	size_t len;

	RUN_EXPECT_EXIT(t, VMON_EXIT_FAIL_ENTRY);
	/* run->regs are valid after every VMON_RUN: nothing ran */
	EXPECT_EQ(CODE_GPA, run->regs.rip) TH_LOG("run->regs.rip after a failed entry: 0x%llx, "
						  "expected 0x%llx", (unsigned long long)run->regs.rip,
						  CODE_GPA);
	EXPECT_EQ(STACK_TOP, run->regs.rsp);
	EXPECT_TRUE(run->fail_entry.kind >= VMON_FAIL_VMINSTR_ERROR &&
		    run->fail_entry.kind <= VMON_FAIL_OTHER)
		TH_LOG("fail_entry.kind %u is not a vmon_fail_kind", run->fail_entry.kind);
	len = strnlen(run->fail_entry.reason, VMON_REASON_LEN);
	EXPECT_LT(0, len) TH_LOG("empty fail_entry.reason");
	EXPECT_GT(VMON_REASON_LEN, len) TH_LOG("fail_entry.reason not NUL-terminated");
	/* both states break a rule vmon knows: it is named (entry_checks_test.c has more) */
	EXPECT_NE(0, run->fail_entry.rule) TH_LOG("no guest-state rule named: %s",
						  run->fail_entry.reason);
	TH_LOG("entry failure: %s", test_describe_exit(&t->cpu));
	/* again: still failing, still no oops */
	RUN_EXPECT_EXIT(t, VMON_EXIT_FAIL_ENTRY);

	ASSERT_OK(libvmon_set_sregs(&t->cpu, good));
	ASSERT_OK(test_vm_set_entry(t, CODE_GPA, 0));
	RUN_EXPECT_EXIT(t, VMON_EXIT_HLT);
}

TEST_F(fail, cs_l_and_cs_d_in_long_mode)
{
	struct vmon_sregs bad = self->good;

	bad.cs.db = 1;
	ASSERT_OK(libvmon_set_sregs(&self->t.cpu, &bad));
	expect_fail_entry_then_recover(_metadata, &self->t, &self->good);
}

TEST_F(fail, long_mode_paging_without_pae)
{
	struct vmon_sregs bad = self->good;

	bad.cr4 &= ~(1ULL << 5);
	ASSERT_OK(libvmon_set_sregs(&self->t.cpu, &bad));
	expect_fail_entry_then_recover(_metadata, &self->t, &self->good);
}

TEST_HARNESS_MAIN
