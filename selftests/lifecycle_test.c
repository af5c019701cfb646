// SPDX-License-Identifier: GPL-2.0-only
/*
 * Object lifetimes: many VMs and vCPUs, fds closed in every order, a run
 * page mapping that outlives its fd, vCPU ids.  "Nothing leaked" is
 * checked with the module's reference count and our open fd count.
 */
#include <dirent.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "test_vm.h"

#define NR_VMS		24
#define VCPUS_PER_VM	4

/* hlt; jmp back: in real mode */
static const unsigned char hlt_blob[] = { 0xf4, 0xeb, 0xfd };

static int count_fds(void)
{
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;

	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.';
	closedir(dir);
	return n - 1;	/* the DIR's own fd */
}

TEST(many_vms_and_vcpus)
{
	static struct vmon_vm vms[NR_VMS];
	static struct vmon_cpu cpus[NR_VMS][VCPUS_PER_VM];
	int fds = count_fds(), ref = test_module_refcnt();
	unsigned int round, i, j, nvcpu;
	struct vmon_regs regs;

	SKIP_IF_NO_VMON();
	for (round = 0; round < 3; round++) {
		for (i = 0; i < NR_VMS; i++) {
			ASSERT_OK(libvmon_vm_create(&vms[i]));
			nvcpu = vms[i].caps.max_vcpus < VCPUS_PER_VM ?
				vms[i].caps.max_vcpus : VCPUS_PER_VM;
			for (j = 0; j < nvcpu; j++)
				ASSERT_OK(libvmon_cpu_create(&vms[i], j, &cpus[i][j]));
		}
		/* the last vCPU of the largest id works */
		ASSERT_OK(libvmon_get_regs(&cpus[NR_VMS - 1][0], &regs));
		for (i = 0; i < NR_VMS; i++) {
			nvcpu = vms[i].caps.max_vcpus < VCPUS_PER_VM ?
				vms[i].caps.max_vcpus : VCPUS_PER_VM;
			/* alternate the order: VM first, or vCPUs first */
			if ((i + round) & 1)
				libvmon_vm_destroy(&vms[i]);
			for (j = 0; j < nvcpu; j++)
				libvmon_cpu_destroy(&cpus[i][j]);
			libvmon_vm_destroy(&vms[i]);
		}
	}
	EXPECT_EQ(fds, count_fds());
	EXPECT_EQ(ref, test_module_refcnt()) TH_LOG("module refcnt: %d before, %d after", ref,
					      test_module_refcnt());
}

TEST(close_vm_fd_before_vcpu)
{
	int ref = test_module_refcnt();
	struct test_vm t;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_REAL));
	ASSERT_OK(test_vm_load_blob(&t, hlt_blob, hlt_blob + sizeof(hlt_blob)));
	close(t.vm.fd);
	close(t.vm.sys_fd);
	t.vm.fd = t.vm.sys_fd = -1;
	/* the vCPU holds the VM: memory and all still work */
	RUN_EXPECT_EXIT(&t, VMON_EXIT_HLT);
	RUN_EXPECT_EXIT(&t, VMON_EXIT_HLT);
	test_vm_destroy(&t);
	EXPECT_EQ(ref, test_module_refcnt());
}

TEST(close_vcpu_fd_before_vm)
{
	int ref = test_module_refcnt();
	struct vmon_cpu cpu2;
	struct test_vm t;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_REAL));
	libvmon_cpu_destroy(&t.cpu);
	/* the VM goes on: slots and new vCPUs */
	ASSERT_OK(libvmon_vm_set_memory(&t.vm, SLOT_TEST, 0, 0x80000, 0x10000,
				     (char *)t.high));
	ASSERT_OK(libvmon_vm_set_memory(&t.vm, SLOT_TEST, 0, 0x80000, 0, NULL));
	if (t.vm.caps.max_vcpus > 1) {
		ASSERT_OK(libvmon_cpu_create(&t.vm, 1, &cpu2));
		libvmon_cpu_destroy(&cpu2);
	}
	test_vm_destroy(&t);
	EXPECT_EQ(ref, test_module_refcnt());
}

TEST(run_page_outlives_fds)
{
	int ref = test_module_refcnt();
	struct vmon_run *run;
	struct test_vm t;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_REAL));
	ASSERT_OK(test_vm_load_blob(&t, hlt_blob, hlt_blob + sizeof(hlt_blob)));
	RUN_EXPECT_EXIT(&t, VMON_EXIT_HLT);
	run = t.cpu.run;
	close(t.cpu.fd);
	close(t.vm.fd);
	close(t.vm.sys_fd);
	/* the mapping keeps the page: still readable and writable */
	EXPECT_EQ(VMON_EXIT_HLT, run->exit_reason);
	run->immediate_exit = 1;
	EXPECT_EQ(1, run->immediate_exit);
	EXPECT_LE(1, run->exit_count);
	EXPECT_EQ(0, munmap(run, t.cpu.run_size));
	t.cpu.run = NULL;
	t.cpu.fd = t.vm.fd = t.vm.sys_fd = -1;
	test_vm_destroy(&t);
	EXPECT_EQ(ref, test_module_refcnt()) TH_LOG("module refcnt: %d before, %d after", ref,
					      test_module_refcnt());
}

/*
 * The run page comes back after its page-table entry went away
 * (madvise(MADV_DONTNEED)), the same page the kernel writes, not a fresh
 * zero page or SIGBUS; a second mapping shows the same page.
 */
TEST(run_page_survives_dontneed)
{
	struct vmon_run *run, *again;
	struct test_vm t;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_REAL));
	ASSERT_OK(test_vm_load_blob(&t, hlt_blob, hlt_blob + sizeof(hlt_blob)));
	RUN_EXPECT_EXIT(&t, VMON_EXIT_HLT);
	run = t.cpu.run;
	ASSERT_EQ(0, madvise(run, t.cpu.run_size, MADV_DONTNEED));
	EXPECT_EQ(VMON_EXIT_HLT, run->exit_reason) TH_LOG("run page lost its contents");
	EXPECT_LE(1, run->exit_count);

	/* what userspace writes now is what the kernel reads */
	run->immediate_exit = 1;
	EXPECT_ERRNO(EINTR, libvmon_cpu_run(&t.cpu));
	EXPECT_EQ(VMON_EXIT_INTR, run->exit_reason);
	run->immediate_exit = 0;

	again = mmap(NULL, t.cpu.run_size, PROT_READ | PROT_WRITE, MAP_SHARED, t.cpu.fd, 0);
	ASSERT_NE(MAP_FAILED, again);
	ASSERT_EQ(0, madvise(again, t.cpu.run_size, MADV_DONTNEED));
	EXPECT_EQ(VMON_EXIT_INTR, again->exit_reason);
	again->request_interrupt_window = 1;
	EXPECT_EQ(1, run->request_interrupt_window) TH_LOG("two mappings, two pages");
	again->request_interrupt_window = 0;
	EXPECT_EQ(0, munmap(again, t.cpu.run_size));
	test_vm_destroy(&t);
}

TEST(vcpu_ids)
{
	struct vmon_cpu a, b;
	struct vmon_vm vm;

	SKIP_IF_NO_VMON();
	ASSERT_OK(libvmon_vm_create(&vm));
	EXPECT_ERRNO(EINVAL, libvmon_cpu_create(&vm, vm.caps.max_vcpus, &a));
	EXPECT_ERRNO(EINVAL, libvmon_cpu_create(&vm, ~0u, &a));
	ASSERT_OK(libvmon_cpu_create(&vm, 0, &a));
	EXPECT_ERRNO(EEXIST, libvmon_cpu_create(&vm, 0, &b));
	if (vm.caps.max_vcpus > 1) {
		ASSERT_OK(libvmon_cpu_create(&vm, vm.caps.max_vcpus - 1, &b));
		libvmon_cpu_destroy(&b);
	}
	libvmon_cpu_destroy(&a);
	libvmon_vm_destroy(&vm);
}

TEST_HARNESS_MAIN
