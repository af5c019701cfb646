// SPDX-License-Identifier: GPL-2.0-only
/*
 * A triple fault is a VMON_EXIT_SHUTDOWN: UD2 with an empty IDT raises
 * #UD, whose delivery faults (#GP, then #DF), which shuts the CPU down.
 */
#include "kselftest_harness.h"
#include "test_vm.h"

GUEST_BLOB(ud2_guest32, 32, "mov $0x1234, %eax\n ud2\n hlt\n");
GUEST_BLOB(ud2_guest64, 64, "mov $0x1234, %eax\n ud2\n hlt\n");
/* real mode: an IVT limit of 0 makes INT3 delivery fault as well */
GUEST_BLOB(int3_guest16, 16, "mov $0x1234, %eax\n int3\n hlt\n");

FIXTURE(shutdown) {
	struct test_vm t;
};

FIXTURE_VARIANT(shutdown) {
	enum vmon_guest_mode mode;
	const unsigned char *start, *end;
};

FIXTURE_VARIANT_ADD(shutdown, real) {
	.mode = VMON_GUEST_REAL, .start = int3_guest16, .end = int3_guest16_end,
};

FIXTURE_VARIANT_ADD(shutdown, prot) {
	.mode = VMON_GUEST_PROT, .start = ud2_guest32, .end = ud2_guest32_end,
};

FIXTURE_VARIANT_ADD(shutdown, long) {
	.mode = VMON_GUEST_LONG, .start = ud2_guest64, .end = ud2_guest64_end,
};

FIXTURE_SETUP(shutdown)
{
	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&self->t, variant->mode));
	ASSERT_OK(test_vm_load_blob(&self->t, variant->start, variant->end));
}

FIXTURE_TEARDOWN(shutdown)
{
	if (test_have_vmon())
		test_vm_destroy(&self->t);
}

TEST_F(shutdown, triple_fault)
{
	struct vmon_sregs sregs;

	ASSERT_OK(libvmon_get_sregs(&self->t.cpu, &sregs));
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	ASSERT_OK(libvmon_set_sregs(&self->t.cpu, &sregs));
	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_SHUTDOWN);
	/* the guest got as far as the faulting instruction */
	EXPECT_EQ(0x1234, self->t.cpu.run->regs.rax & 0xffff);
}

TEST_HARNESS_MAIN
