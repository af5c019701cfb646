// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM and vCPU fds belong to the process (mm) that created them: a forked
 * child that uses them gets -EIO, and the parent's VM is unharmed, also
 * after the child closes its copies of the fds by exiting.
 */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "test_vm.h"

GUEST_BLOB(hlt_loop16, 16, "1: hlt\n jmp 1b\n");

enum { R_SET_MEMORY, R_CREATE_VCPU, R_RUN, R_GET_REGS, R_SET_SREGS, R_GET_MSRS, R_NR };
static const char * const what[R_NR] = {
	"VM fd SET_MEMORY", "VM fd CREATE_VCPU", "vCPU fd RUN", "vCPU fd GET_REGS",
	"vCPU fd SET_SREGS", "vCPU fd GET_MSRS",
};

static int err_of(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

TEST(child_gets_eio)
{
	int *res = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct test_vm t;
	int status, i;
	pid_t pid;

	SKIP_IF_NO_VMON();
	ASSERT_NE(MAP_FAILED, res);
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_REAL));
	ASSERT_OK(test_vm_load_blob(&t, hlt_loop16, hlt_loop16_end));
	RUN_EXPECT_EXIT(&t, VMON_EXIT_HLT);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct vmon_memory_region r = {
			.slot = SLOT_TEST, .guest_phys = 0x80000, .size = 4096,
			.user_addr = (uintptr_t)t.high,
		};
		struct vmon_regs regs;
		struct vmon_sregs sregs = { 0 };
		struct { struct vmon_msrs h; struct vmon_msr_entry e; } m = {
			.h.nmsrs = 1, .e.index = VMON_MSR_STAR,
		};

		res[R_SET_MEMORY] = err_of(t.vm.fd, VMON_SET_MEMORY, &r);
		res[R_CREATE_VCPU] = err_of(t.vm.fd, VMON_CREATE_VCPU, (void *)1);
		res[R_RUN] = err_of(t.cpu.fd, VMON_RUN, NULL);
		res[R_GET_REGS] = err_of(t.cpu.fd, VMON_GET_REGS, &regs);
		res[R_SET_SREGS] = err_of(t.cpu.fd, VMON_SET_SREGS, &sregs);
		res[R_GET_MSRS] = err_of(t.cpu.fd, VMON_GET_MSRS, &m);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (i = 0; i < R_NR; i++) {
		EXPECT_EQ(EIO, res[i]) TH_LOG("child's %s: expected EIO, got %s", what[i],
					      res[i] ? strerrorname_np(res[i]) : "success");
	}

	/* the parent's VM still works after the child closed its copies */
	RUN_EXPECT_EXIT(&t, VMON_EXIT_HLT);
	EXPECT_LE(2, t.cpu.run->exit_count);
	test_vm_destroy(&t);
	munmap(res, 4096);
}

TEST_HARNESS_MAIN
