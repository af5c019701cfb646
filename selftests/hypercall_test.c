// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMCALL (VMX) / VMMCALL (SVM) is a VMON_EXIT_HYPERCALL with the number
 * and arguments from RAX, RBX, RCX, RDX, RSI; RIP is already past the
 * instruction and the result written to run->regs.rax reaches the guest.
 */
#include "kselftest_harness.h"
#include "test_vm.h"

static uint64_t hypercall(uint64_t backend, uint64_t nr, uint64_t a0, uint64_t a1,
			  uint64_t a2, uint64_t a3)
{
	if (backend == VMON_BACKEND_VMX)
		__asm__ volatile("vmcall" : "+a"(nr) : "b"(a0), "c"(a1), "d"(a2), "S"(a3)
				 : "memory");
	else
		__asm__ volatile("vmmcall" : "+a"(nr) : "b"(a0), "c"(a1), "d"(a2), "S"(a3)
				 : "memory");
	return nr;
}

static void guest_hypercall(uint64_t backend)
{
	uint64_t i;

	for (i = 0; i < 3; i++)
		GUEST_ASSERT_EQ(0x900d0000 + i, hypercall(backend, 0x42 + i, 1, 2, 3,
							  0xffffffff00000004ULL));
	GUEST_DONE();
}

TEST(hypercall_exit_and_result)
{
	struct test_vm t;
	struct ucall uc;
	struct vmon_run *run;
	unsigned int i;
	__u32 backend;

	SKIP_IF_NO_VMON();
	/* the guest must know which instruction its CPU has */
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_LONG));
	backend = t.vm.caps.backend;
	test_vm_destroy(&t);
	ASSERT_OK(test_vm_create_c(&t, guest_hypercall, backend));
	run = t.cpu.run;
	for (i = 0; i < 3; i++) {
		RUN_EXPECT_EXIT(&t, VMON_EXIT_HYPERCALL);
		EXPECT_EQ(0x42 + i, run->hypercall.nr);
		EXPECT_EQ(1, run->hypercall.args[0]);
		EXPECT_EQ(2, run->hypercall.args[1]);
		EXPECT_EQ(3, run->hypercall.args[2]);
		EXPECT_EQ(0xffffffff00000004ULL, run->hypercall.args[3]);
		run->regs.rax = 0x900d0000 + i;
		run->regs_dirty = 1;
	}
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
