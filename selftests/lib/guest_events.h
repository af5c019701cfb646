/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the event-injection selftests (interrupt_test, nmi_test,
 * exception_inject_test): the three injection ioctls as -errno calls,
 * IDT gates for 64-bit C guests, and a guest memory slot that no guest
 * instruction has touched yet (vmon maps guest pages into the EPT/NPT
 * only on first access, so an event delivered onto such a stack exits
 * in the middle of its delivery and must be delivered again).
 */
#ifndef SELFTEST_GUEST_EVENTS_H
#define SELFTEST_GUEST_EVENTS_H

#include <errno.h>
#include <sys/ioctl.h>

#include "test_vm.h"

#define FRESH_GPA	0x10000000ULL	/* inside the 4 GiB identity map */
#define FRESH_SIZE	0x10000ULL	/* 16 untouched pages */

static inline int test_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static inline int test_interrupt(struct vmon_cpu *cpu, unsigned int vector)
{
	struct vmon_interrupt irq = { .vector = vector };

	return test_ioctl(cpu->fd, VMON_INTERRUPT, &irq);
}

static inline int test_nmi(struct vmon_cpu *cpu)
{
	return ioctl(cpu->fd, VMON_NMI, 0) < 0 ? -errno : 0;
}

static inline int test_exception(struct vmon_cpu *cpu, unsigned int vector, int has_code,
				 unsigned int code)
{
	struct vmon_exception exc = {
		.vector = vector,
		.has_error_code = has_code,
		.error_code = code,
	};

	return test_ioctl(cpu->fd, VMON_INJECT_EXCEPTION, &exc);
}

/*
 * A 64-bit interrupt gate (SDM 3A 6.14.1) for vector to handler in the
 * test's image; the IDT (IDT_GPA, one page) grows to all 256 vectors.
 */
static inline int test_set_gate(struct test_vm *t, unsigned int vector, const void *handler)
{
	__u64 *idt = libvmon_gpa_to_hva(&t->vm, IDT_GPA, 256 * 16);
	__u64 addr = (__u64)(uintptr_t)handler;
	struct vmon_sregs sregs;
	int ret;

	if (!idt || vector > 255)
		return -EINVAL;
	idt[2 * vector] = (addr & 0xffff) | (__u64)VMON_SETUP_SEL_CODE64 << 16 |
			  0x8eULL << 40 | ((addr >> 16) & 0xffff) << 48;
	idt[2 * vector + 1] = addr >> 32;
	ret = libvmon_get_sregs(&t->cpu, &sregs);
	if (ret)
		return ret;
	sregs.idt.limit = 256 * 16 - 1;
	return libvmon_set_sregs(&t->cpu, &sregs);
}

/* FRESH_SIZE bytes at FRESH_GPA that the guest has never touched */
static inline int test_add_fresh_slot(struct test_vm *t)
{
	void *mem = libvmon_alloc_guest_memory(FRESH_SIZE);

	if (!mem)
		return -ENOMEM;
	return libvmon_vm_set_memory(&t->vm, SLOT_TEST, 0, FRESH_GPA, FRESH_SIZE, mem);
}

#endif /* SELFTEST_GUEST_EVENTS_H */
