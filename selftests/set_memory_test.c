// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMON_SET_MEMORY: every bad input gets its errno (see the order of
 * checks in kmod/mem.c), nothing stays pinned (VmLck back to its
 * baseline), and replace/delete work.
 */
#include <stdio.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "test_vm.h"

#define SZ	0x10000ULL

/* locked (pinned and accounted) memory of this process, in KiB */
static long vm_lck_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static int set_mem_raw(int vm_fd, const struct vmon_memory_region *r)
{
	return ioctl(vm_fd, VMON_SET_MEMORY, r) < 0 ? -errno : 0;
}

FIXTURE(mem) {
	struct vmon_vm vm;
	char *buf;
	long baseline;
};

FIXTURE_SETUP(mem)
{
	SKIP_IF_NO_VMON();
	self->baseline = vm_lck_kb();
	ASSERT_OK(libvmon_vm_create(&self->vm));
	self->buf = libvmon_alloc_guest_memory(4 * SZ);
	ASSERT_NE(NULL, self->buf);
}

FIXTURE_TEARDOWN(mem)
{
	if (!test_have_vmon())
		return;
	libvmon_vm_destroy(&self->vm);
	libvmon_free_guest_memory(self->buf, 4 * SZ);
	EXPECT_EQ(self->baseline, vm_lck_kb()) TH_LOG("VmLck: %ld kB before, %ld kB after",
						      self->baseline, vm_lck_kb());
}

TEST_F(mem, misaligned_is_einval)
{
	struct vmon_vm *vm = &self->vm;

	EXPECT_ERRNO(EINVAL, libvmon_vm_set_memory(vm, 0, 0, 0x1001, SZ, self->buf));
	EXPECT_ERRNO(EINVAL, libvmon_vm_set_memory(vm, 0, 0, 0, SZ + 1, self->buf));
	EXPECT_ERRNO(EINVAL, libvmon_vm_set_memory(vm, 0, 0, 0, 0x800, self->buf));
	EXPECT_ERRNO(EINVAL, libvmon_vm_set_memory(vm, 0, 0, 0, SZ, self->buf + 8));
}

TEST_F(mem, bad_flags_slot_and_reserved_are_einval)
{
	struct vmon_memory_region r = {
		.slot = 0, .guest_phys = 0, .size = SZ, .user_addr = (uintptr_t)self->buf,
	};
	struct vmon_vm *vm = &self->vm;

	EXPECT_ERRNO(EINVAL, libvmon_vm_set_memory(vm, 0, 1u << 31, 0, SZ, self->buf));
	EXPECT_ERRNO(EINVAL, libvmon_vm_set_memory(vm, 0, VMON_MEM_READONLY << 1, 0, SZ,
						self->buf));
	EXPECT_ERRNO(EINVAL, libvmon_vm_set_memory(vm, vm->caps.max_mem_slots, 0, 0, SZ,
						self->buf));
	EXPECT_ERRNO(EINVAL, libvmon_vm_set_memory(vm, ~0u, 0, 0, SZ, self->buf));
	r.reserved[1] = 1;
	EXPECT_ERRNO(EINVAL, set_mem_raw(vm->fd, &r));
	/* the last slot number is valid */
	ASSERT_OK(libvmon_vm_set_memory(vm, vm->caps.max_mem_slots - 1, 0, 0, SZ, self->buf));
}

TEST_F(mem, too_large_or_overflowing_is_einval)
{
	struct vmon_vm *vm = &self->vm;
	__u64 top = vm->caps.max_guest_phys;

	/* gpa + size wraps around */
	EXPECT_ERRNO(EINVAL, libvmon_vm_set_memory(vm, 0, 0, 0xfffffffffffff000ULL, SZ,
						self->buf));
	/* ends past the highest guest-physical address */
	EXPECT_ERRNO(EINVAL, libvmon_vm_set_memory(vm, 0, 0, top - 0x1000, SZ, self->buf));
	EXPECT_ERRNO(EINVAL, libvmon_vm_set_memory(vm, 0, 0, top, SZ, self->buf));
	/* absurd size */
	EXPECT_ERRNO(EINVAL, libvmon_vm_set_memory(vm, 0, 0, 0, 1ULL << 62, self->buf));
	/* exactly up to the top is fine */
	ASSERT_OK(libvmon_vm_set_memory(vm, 0, 0, top - SZ, SZ, self->buf));
}

TEST_F(mem, bad_user_pointer_is_efault)
{
	struct vmon_vm *vm = &self->vm;
	char *hole = libvmon_alloc_guest_memory(2 * SZ);
	long before;

	ASSERT_NE(NULL, hole);
	/* second half unmapped: the first half must not stay pinned */
	ASSERT_EQ(0, munmap(hole + SZ, SZ));
	memset(hole, 1, SZ);
	before = vm_lck_kb();
	EXPECT_ERRNO(EFAULT, libvmon_vm_set_memory(vm, 0, 0, 0, 2 * SZ, hole));
	EXPECT_EQ(before, vm_lck_kb()) TH_LOG("VmLck after a failed registration: %ld kB, "
					      "expected %ld kB", vm_lck_kb(), before);
	EXPECT_ERRNO(EFAULT, libvmon_vm_set_memory(vm, 0, 0, 0, SZ, hole + SZ));
	/* kernel addresses and the top of the address space */
	EXPECT_ERRNO(EFAULT, libvmon_vm_set_memory(vm, 0, 0, 0, SZ,
						(void *)0xffff888000000000ULL));
	EXPECT_ERRNO(EFAULT, libvmon_vm_set_memory(vm, 0, 0, 0, SZ,
						(void *)0xffffffffffff0000ULL));
	/* a read-only mapping cannot back a writable slot */
	ASSERT_EQ(0, mprotect(hole, SZ, PROT_READ));
	EXPECT_ERRNO(EFAULT, libvmon_vm_set_memory(vm, 0, 0, 0, SZ, hole));
	/* ...but a read-only slot is fine */
	ASSERT_OK(libvmon_vm_set_memory(vm, 0, VMON_MEM_READONLY, 0, SZ, hole));
	ASSERT_OK(libvmon_vm_set_memory(vm, 0, 0, 0, 0, NULL));
	munmap(hole, SZ);
}

TEST_F(mem, overlap_is_eexist_and_empty_delete_is_enoent)
{
	struct vmon_vm *vm = &self->vm;

	ASSERT_OK(libvmon_vm_set_memory(vm, 0, 0, 0x100000, SZ, self->buf));
	EXPECT_ERRNO(EEXIST, libvmon_vm_set_memory(vm, 1, 0, 0x100000 + SZ / 2, SZ,
						self->buf + SZ));
	EXPECT_ERRNO(EEXIST, libvmon_vm_set_memory(vm, 1, 0, 0x100000 - SZ / 2, SZ,
						self->buf + SZ));
	EXPECT_ERRNO(EEXIST, libvmon_vm_set_memory(vm, 1, 0, 0x0f0000, 4 * SZ,
						self->buf));
	/* adjacent on both sides is fine */
	ASSERT_OK(libvmon_vm_set_memory(vm, 1, 0, 0x100000 + SZ, SZ, self->buf + SZ));
	ASSERT_OK(libvmon_vm_set_memory(vm, 2, 0, 0x100000 - SZ, SZ, self->buf + 2 * SZ));
	EXPECT_ERRNO(ENOENT, libvmon_vm_set_memory(vm, 3, 0, 0, 0, NULL));
	EXPECT_ERRNO(ENOENT, libvmon_vm_set_memory(vm, vm->caps.max_mem_slots - 1, 0, 0, 0,
						NULL));
}

TEST_F(mem, replace_delete_and_no_leak)
{
	struct vmon_vm *vm = &self->vm;
	long base = vm_lck_kb();
	unsigned int i;

	ASSERT_OK(libvmon_vm_set_memory(vm, 0, 0, 0, SZ, self->buf));
	EXPECT_EQ(base + (long)(SZ / 1024), vm_lck_kb())
		TH_LOG("expected the slot's %llu kB charged to VmLck, got %ld -> %ld kB",
		       SZ / 1024, base, vm_lck_kb());
	/* replace: bigger, moved, may overlap its own old range */
	ASSERT_OK(libvmon_vm_set_memory(vm, 0, 0, SZ / 2, 2 * SZ, self->buf + SZ));
	EXPECT_EQ(base + (long)(2 * SZ / 1024), vm_lck_kb());
	/* the new range is taken */
	EXPECT_ERRNO(EEXIST, libvmon_vm_set_memory(vm, 1, 0, SZ, SZ, self->buf));
	ASSERT_OK(libvmon_vm_set_memory(vm, 1, 0, 0x400000, SZ, self->buf));
	/* delete, delete again */
	ASSERT_OK(libvmon_vm_set_memory(vm, 0, 0, 0, 0, NULL));
	EXPECT_ERRNO(ENOENT, libvmon_vm_set_memory(vm, 0, 0, 0, 0, NULL));
	ASSERT_OK(libvmon_vm_set_memory(vm, 2, 0, SZ / 2, SZ, self->buf + 3 * SZ));
	/* churn */
	for (i = 0; i < 200; i++)
		ASSERT_OK(libvmon_vm_set_memory(vm, 3, i & 1 ? VMON_MEM_READONLY : 0,
					     0x800000 + (i % 7) * SZ, SZ, self->buf));
	ASSERT_OK(libvmon_vm_set_memory(vm, 3, 0, 0, 0, NULL));
	ASSERT_OK(libvmon_vm_set_memory(vm, 1, 0, 0, 0, NULL));
	ASSERT_OK(libvmon_vm_set_memory(vm, 2, 0, 0, 0, NULL));
	EXPECT_EQ(base, vm_lck_kb()) TH_LOG("VmLck after deleting every slot: %ld kB, "
					    "expected %ld kB", vm_lck_kb(), base);
	/* a VM destroyed with slots still registered unpins them (teardown checks) */
	ASSERT_OK(libvmon_vm_set_memory(vm, 0, 0, 0, 4 * SZ, self->buf));
}

TEST_HARNESS_MAIN
