// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every reserved/padding/flags field of an input struct must be zero:
 * non-zero -> EINVAL, and nothing is changed.
 */
#include <stdlib.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "test_vm.h"

static int ioctl_err(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

FIXTURE(rsv) {
	struct test_vm t;
};

FIXTURE_SETUP(rsv)
{
	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&self->t, VMON_GUEST_PROT));
}

FIXTURE_TEARDOWN(rsv)
{
	if (test_have_vmon())
		test_vm_destroy(&self->t);
}

TEST_F(rsv, memory_region)
{
	struct vmon_memory_region r = {
		.slot = SLOT_TEST, .guest_phys = 0x80000, .size = 0x1000,
		.user_addr = (uintptr_t)self->t.high,
	};

	r.reserved[0] = 1;
	EXPECT_ERRNO(EINVAL, ioctl_err(self->t.vm.fd, VMON_SET_MEMORY, &r));
	r.reserved[0] = 0;
	r.reserved[1] = 1ULL << 63;
	EXPECT_ERRNO(EINVAL, ioctl_err(self->t.vm.fd, VMON_SET_MEMORY, &r));
	r.reserved[1] = 0;
	EXPECT_OK(ioctl_err(self->t.vm.fd, VMON_SET_MEMORY, &r));
}

TEST_F(rsv, sregs)
{
	struct vmon_cpu *cpu = &self->t.cpu;
	struct vmon_sregs good, bad, now;

	ASSERT_OK(libvmon_get_sregs(cpu, &good));
	bad = good;
	bad.reserved[3] = 1;
	EXPECT_ERRNO(EINVAL, libvmon_set_sregs(cpu, &bad));
	bad = good;
	bad.cs.padding[0] = 1;
	EXPECT_ERRNO(EINVAL, libvmon_set_sregs(cpu, &bad));
	bad = good;
	bad.tr.padding[2] = 0x80;
	EXPECT_ERRNO(EINVAL, libvmon_set_sregs(cpu, &bad));
	bad = good;
	bad.gdt.padding[1] = 1;
	EXPECT_ERRNO(EINVAL, libvmon_set_sregs(cpu, &bad));
	bad = good;
	bad.idt.padding[0] = 1;
	bad.idt.base = 0x1234000;	/* must not be applied */
	EXPECT_ERRNO(EINVAL, libvmon_set_sregs(cpu, &bad));
	ASSERT_OK(libvmon_get_sregs(cpu, &now));
	EXPECT_EQ(good.idt.base, now.idt.base);
	EXPECT_OK(libvmon_set_sregs(cpu, &good));
}

TEST_F(rsv, cpuid)
{
	struct vmon_cpuid *c = calloc(1, sizeof(*c) + 2 * sizeof(c->entries[0]));
	int fd = self->t.cpu.fd;

	ASSERT_NE(NULL, c);
	c->nent = 2;
	c->entries[0].function = 0;
	c->entries[1].function = 1;
	c->padding = 1;
	EXPECT_ERRNO(EINVAL, ioctl_err(fd, VMON_SET_CPUID, c));
	c->padding = 0;
	c->entries[1].padding = 1;
	EXPECT_ERRNO(EINVAL, ioctl_err(fd, VMON_SET_CPUID, c));
	c->entries[1].padding = 0;
	c->entries[0].flags = 1u << 7;
	EXPECT_ERRNO(EINVAL, ioctl_err(fd, VMON_SET_CPUID, c));
	c->entries[0].flags = VMON_CPUID_SIGNIFICANT_INDEX;
	EXPECT_OK(ioctl_err(fd, VMON_SET_CPUID, c));
	free(c);
}

TEST_F(rsv, msrs)
{
	struct {
		struct vmon_msrs hdr;
		struct vmon_msr_entry e[2];
	} m = { .hdr.nmsrs = 2 };
	int fd = self->t.cpu.fd;
	__u64 v;

	m.e[0].index = VMON_MSR_STAR;
	m.e[0].data = 0x0023001000000000ULL;
	m.e[1].index = VMON_MSR_LSTAR;
	m.e[1].data = 0xffffffff81000000ULL;
	m.hdr.pad = 1;
	EXPECT_ERRNO(EINVAL, ioctl_err(fd, VMON_SET_MSRS, &m));
	m.hdr.pad = 0;
	m.e[1].reserved = 1;
	EXPECT_ERRNO(EINVAL, ioctl_err(fd, VMON_SET_MSRS, &m));
	EXPECT_ERRNO(EINVAL, ioctl_err(fd, VMON_GET_MSRS, &m));
	/* nothing was written by the rejected calls */
	ASSERT_OK(libvmon_get_msr(&self->t.cpu, VMON_MSR_STAR, &v));
	EXPECT_NE(m.e[0].data, v);
	m.e[1].reserved = 0;
	EXPECT_EQ(2, ioctl(fd, VMON_SET_MSRS, &m));
}

TEST_HARNESS_MAIN
