// SPDX-License-Identifier: GPL-2.0-only
/*
 * The system fd: API version, capabilities, CREATE_VM's argument, and
 * ENOTTY for every ioctl number a fd does not know.
 */
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "test_vm.h"

#define KNOWN_CAP_FLAGS	(VMON_CAP_TDP | VMON_CAP_UNRESTRICTED_GUEST | VMON_CAP_VPID | \
			 VMON_CAP_ASID | VMON_CAP_NRIPS | VMON_CAP_TDP_AD | VMON_CAP_XSAVE | \
			 VMON_CAP_LAPIC | VMON_CAP_IOEVENTFD | VMON_CAP_IRQFD)

static int ioctl_err(int fd, unsigned long cmd, unsigned long arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

TEST(api_version)
{
	int fd;

	SKIP_IF_NO_VMON();
	fd = libvmon_open_system();
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", VMON_DEVICE_PATH, strerror(-fd));
	EXPECT_EQ(VMON_API_VERSION, libvmon_get_api_version(fd));
	/* GET_API_VERSION takes no argument: anything else is ignored or EINVAL */
	close(fd);
}

TEST(caps_sane)
{
	struct vmon_caps caps;
	unsigned int i;
	int fd;

	SKIP_IF_NO_VMON();
	fd = libvmon_open_system();
	ASSERT_LE(0, fd);
	memset(&caps, 0xa5, sizeof(caps));
	ASSERT_OK(libvmon_get_caps(fd, &caps));
	TH_LOG("backend %s flags 0x%x tdp_levels %u host_paging_levels %u max_vcpus %u "
	       "max_mem_slots %u max_cpuid_entries %u run_size %u max_guest_phys 0x%llx "
	       "tsc_khz %u",
	       libvmon_backend_name(caps.backend), caps.flags, caps.tdp_levels,
	       caps.host_paging_levels, caps.max_vcpus, caps.max_mem_slots,
	       caps.max_cpuid_entries, caps.run_size,
	       (unsigned long long)caps.max_guest_phys, caps.tsc_khz);
	EXPECT_TRUE(caps.backend == VMON_BACKEND_VMX || caps.backend == VMON_BACKEND_SVM)
		TH_LOG("expected backend vmx or svm, got %u", caps.backend);
	EXPECT_EQ(0, caps.flags & ~KNOWN_CAP_FLAGS)
		TH_LOG("unknown capability bits 0x%x", caps.flags & ~KNOWN_CAP_FLAGS);
	EXPECT_TRUE(caps.flags & VMON_CAP_TDP) TH_LOG("expected EPT/NPT in use");
	if (caps.backend == VMON_BACKEND_SVM) {
		EXPECT_FALSE(caps.flags & VMON_CAP_VPID) TH_LOG("VPID is a VMX capability");
		/* NPT walks with the host's paging depth */
		EXPECT_EQ(caps.host_paging_levels, caps.tdp_levels);
	} else {
		EXPECT_FALSE(caps.flags & (VMON_CAP_ASID | VMON_CAP_NRIPS))
			TH_LOG("ASID/NRIPS are SVM capabilities");
	}
	EXPECT_TRUE(caps.tdp_levels == 4 || caps.tdp_levels == 5)
		TH_LOG("expected 4 or 5 TDP levels, got %u", caps.tdp_levels);
	EXPECT_TRUE(caps.host_paging_levels == 4 || caps.host_paging_levels == 5)
		TH_LOG("expected 4 or 5 host paging levels, got %u", caps.host_paging_levels);
	EXPECT_TRUE(caps.max_vcpus >= 1 && caps.max_vcpus <= 4096);
	EXPECT_TRUE(caps.max_mem_slots >= 3 && caps.max_mem_slots <= 4096);
	EXPECT_LE(32, caps.max_cpuid_entries);
	EXPECT_LE(sizeof(struct vmon_run), caps.run_size);
	EXPECT_EQ(0, caps.run_size % getpagesize());
	EXPECT_LE(4ULL << 30, caps.max_guest_phys);
	EXPECT_EQ(0, caps.max_guest_phys & 0xfff);
	/* the host kernel measured its TSC (every x86-64 CPU vmon runs on has one) */
	EXPECT_NE(0, caps.tsc_khz);
	EXPECT_EQ(0, caps.padding);
	for (i = 0; i < ARRAY_SIZE(caps.reserved); i++) {
		EXPECT_EQ(0, caps.reserved[i]) TH_LOG("reserved[%u] = 0x%llx", i,
						      (unsigned long long)caps.reserved[i]);
	}
	close(fd);
}

TEST(create_vm_argument_must_be_zero)
{
	int fd, vm;

	SKIP_IF_NO_VMON();
	fd = libvmon_open_system();
	ASSERT_LE(0, fd);
	EXPECT_ERRNO(EINVAL, ioctl_err(fd, VMON_CREATE_VM, 1));
	vm = ioctl(fd, VMON_CREATE_VM, 0);
	EXPECT_LE(0, vm) TH_LOG("CREATE_VM(0): %s", strerror(errno));
	close(vm);
	close(fd);
}

/* numbers no fd knows, and real numbers sent to the wrong kind of fd */
TEST(unknown_ioctls_are_enotty)
{
	struct test_vm t;
	char buf[4096] = { 0 };
	int sys;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_REAL));
	sys = t.vm.sys_fd;

	EXPECT_ERRNO(ENOTTY, ioctl_err(sys, _IO(VMONIO, 0x7f), 0));
	EXPECT_ERRNO(ENOTTY, ioctl_err(sys, _IO(0xAE, 0x00), 0));	/* KVM_GET_API_VERSION */
	EXPECT_ERRNO(ENOTTY, ioctl_err(sys, VMON_RUN, 0));
	EXPECT_ERRNO(ENOTTY, ioctl_err(sys, VMON_SET_MEMORY, (unsigned long)buf));
	/* same number, different size: a different ioctl */
	EXPECT_ERRNO(ENOTTY, ioctl_err(sys, _IOR(VMONIO, 0x01, __u32), (unsigned long)buf));

	EXPECT_ERRNO(ENOTTY, ioctl_err(t.vm.fd, _IO(VMONIO, 0x7f), 0));
	EXPECT_ERRNO(ENOTTY, ioctl_err(t.vm.fd, VMON_CREATE_VM, 0));
	EXPECT_ERRNO(ENOTTY, ioctl_err(t.vm.fd, VMON_RUN, 0));
	EXPECT_ERRNO(ENOTTY, ioctl_err(t.vm.fd, VMON_GET_REGS, (unsigned long)buf));
	EXPECT_ERRNO(ENOTTY, ioctl_err(t.vm.fd, _IOW(VMONIO, 0x10, __u64),
				       (unsigned long)buf));

	EXPECT_ERRNO(ENOTTY, ioctl_err(t.cpu.fd, _IO(VMONIO, 0x7f), 0));
	EXPECT_ERRNO(ENOTTY, ioctl_err(t.cpu.fd, VMON_CREATE_VCPU, 1));
	EXPECT_ERRNO(ENOTTY, ioctl_err(t.cpu.fd, VMON_SET_MEMORY, (unsigned long)buf));
	EXPECT_ERRNO(ENOTTY, ioctl_err(t.cpu.fd, VMON_GET_CAPS, (unsigned long)buf));
	EXPECT_ERRNO(ENOTTY, ioctl_err(t.cpu.fd, _IOR(VMONIO, 0x20, __u64),
				       (unsigned long)buf));
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
