// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMON_IOEVENTFD: a guest write that matches a registration (MMIO
 * address or port, length, optional value) adds 1 to the eventfd and the
 * guest goes on with no exit to userspace; every other write exits as
 * before.  The guest's writes are followed by one ucall: when VMON_RUN
 * returns that ucall, no write in between reached userspace, and the
 * eventfd's count says how many the kernel took.  Then the argument
 * checks: -EEXIST, -ENOENT, -EBADF, -EINVAL, -EFAULT, -ENOSPC.
 */
#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "test_vm.h"
#include "guest_events.h"

#define NOTIFY_GPA	MMIO_GPA		/* no slot: MMIO */
#define MATCH_GPA	(MMIO_GPA + 0x100)
#define ANY_GPA		(MMIO_GPA + 0x200)
#define NOTIFY_PORT	0x710

static inline void guest_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void guest_outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

#define MMIO32(a)	(*(volatile uint32_t *)(uintptr_t)(a))
#define MMIO16(a)	(*(volatile uint16_t *)(uintptr_t)(a))
#define MMIO8(a)	(*(volatile uint8_t *)(uintptr_t)(a))
#define MMIO64(a)	(*(volatile uint64_t *)(uintptr_t)(a))

/* ---- host helpers ---- */

static int new_eventfd(void)
{
	return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

/* the eventfd's count (reading it resets it), 0 when nothing was signalled */
static uint64_t drain(int efd)
{
	uint64_t v = 0;

	if (read(efd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static int ioeventfd(struct test_vm *t, uint64_t addr, uint32_t len, int fd,
		     uint64_t datamatch, uint32_t flags)
{
	return libvmon_vm_ioeventfd(&t->vm, addr, len, fd, datamatch, flags);
}

/* userspace's part of an MMIO write that was not the kernel's: drop it */
static int mmio_sink(void *opaque, __u64 gpa, void *data, unsigned int len, bool is_write)
{
	uint64_t *seen = opaque;

	if (is_write)
		memcpy(seen, data, len < 8 ? len : 8);
	return 0;
}

/* the next exit must be an MMIO write of len bytes at gpa; emulate it */
#define EXPECT_MMIO_WRITE(t, _gpa, _len, _val) do {			\
	uint64_t __mmio_val = 0;						\
	RUN_EXPECT_EXIT(t, VMON_EXIT_MMIO);				\
	ASSERT_EQ((_gpa), (t)->cpu.run->mmio.gpa)			\
		TH_LOG("expected the MMIO write at 0x%llx, got %s",	\
		       (unsigned long long)(_gpa), test_describe_exit(&(t)->cpu)); \
	ASSERT_TRUE((t)->cpu.run->mmio.flags & VMON_MMIO_WRITE);	\
	ASSERT_OK(libvmon_emulate_mmio(&(t)->cpu, mmio_sink, &__mmio_val));	\
	EXPECT_EQ((uint64_t)(_val), __mmio_val);				\
} while (0)

/* the next exit must be an OUT of size bytes to port with data */
#define EXPECT_OUT(t, _port, _size, _val) do {				\
	RUN_EXPECT_EXIT(t, VMON_EXIT_IO);				\
	ASSERT_IO(t, _port, _size, VMON_IO_OUT);			\
	EXPECT_EQ((uint32_t)(_val), (t)->cpu.run->io.data);		\
} while (0)

/* ---- MMIO ---- */

static void guest_mmio(uint64_t arg)
{
	uint32_t i;

	for (i = 0; i < 5; i++)
		MMIO32(NOTIFY_GPA) = i;		/* the kernel's: no exit */
	GUEST_SYNC(1);
	MMIO16(NOTIFY_GPA) = 0x1234;		/* another length: userspace */
	MMIO32(NOTIFY_GPA + 4) = 7;		/* another address: userspace */
	GUEST_SYNC(2);
	MMIO32(NOTIFY_GPA) = 9;			/* deassigned: userspace */
	GUEST_DONE();
}

TEST(mmio_write_signals_without_exit)
{
	struct test_vm t;
	struct ucall uc;
	uint64_t before;
	int efd;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_mmio, 0));
	ASSERT_TRUE(t.vm.caps.flags & VMON_CAP_IOEVENTFD);
	efd = new_eventfd();
	ASSERT_LE(0, efd);
	ASSERT_OK(ioeventfd(&t, NOTIFY_GPA, 4, efd, 0, 0));

	before = t.cpu.run->exit_count;
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]);
	EXPECT_EQ(5, drain(efd)) TH_LOG("five 4-byte writes should have signalled the eventfd");
	/* the writes were exits all the same, handled in the kernel */
	EXPECT_LE(before + 6, t.cpu.run->exit_count);

	EXPECT_MMIO_WRITE(&t, NOTIFY_GPA, 2, 0x1234);
	EXPECT_MMIO_WRITE(&t, NOTIFY_GPA + 4, 4, 7);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(2, uc.args[0]);
	EXPECT_EQ(0, drain(efd));

	ASSERT_OK(ioeventfd(&t, NOTIFY_GPA, 4, efd, 0, VMON_IOEVENTFD_DEASSIGN));
	EXPECT_MMIO_WRITE(&t, NOTIFY_GPA, 4, 9);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	EXPECT_EQ(0, drain(efd));
	close(efd);
	test_vm_destroy(&t);
}

static void guest_mmio_match(uint64_t arg)
{
	MMIO64(MATCH_GPA) = 0x1122334455667788ULL;	/* matches */
	MMIO64(MATCH_GPA) = 0x1122334455667789ULL;	/* another value */
	MMIO32(MATCH_GPA) = 0x55667788;			/* another length */
	MMIO16(MATCH_GPA + 0x10) = 3;			/* the second registration */
	MMIO16(MATCH_GPA + 0x10) = 4;			/* the third */
	MMIO8(ANY_GPA) = 1;				/* len 0: any length */
	MMIO32(ANY_GPA) = 2;
	MMIO64(ANY_GPA) = 3;
	GUEST_DONE();
}

TEST(mmio_datamatch_and_any_length)
{
	struct test_vm t;
	struct ucall uc;
	int efd, efd3, efd4, efdany;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_mmio_match, 0));
	efd = new_eventfd();
	efd3 = new_eventfd();
	efd4 = new_eventfd();
	efdany = new_eventfd();
	ASSERT_OK(ioeventfd(&t, MATCH_GPA, 8, efd, 0x1122334455667788ULL,
			    VMON_IOEVENTFD_DATAMATCH));
	/* two values at one address, each with its own eventfd */
	ASSERT_OK(ioeventfd(&t, MATCH_GPA + 0x10, 2, efd3, 3, VMON_IOEVENTFD_DATAMATCH));
	ASSERT_OK(ioeventfd(&t, MATCH_GPA + 0x10, 2, efd4, 4, VMON_IOEVENTFD_DATAMATCH));
	ASSERT_OK(ioeventfd(&t, ANY_GPA, 0, efdany, 0, 0));

	EXPECT_MMIO_WRITE(&t, MATCH_GPA, 8, 0x1122334455667789ULL);
	EXPECT_MMIO_WRITE(&t, MATCH_GPA, 4, 0x55667788);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	EXPECT_EQ(1, drain(efd));
	EXPECT_EQ(1, drain(efd3));
	EXPECT_EQ(1, drain(efd4));
	EXPECT_EQ(3, drain(efdany));
	close(efd);
	close(efd3);
	close(efd4);
	close(efdany);
	test_vm_destroy(&t);
}

/* ---- port I/O ---- */

static void guest_pio(uint64_t arg)
{
	guest_outb(NOTIFY_PORT, 0x42);		/* matches */
	guest_outb(NOTIFY_PORT, 0x42);		/* matches */
	guest_outb(NOTIFY_PORT, 0x43);		/* another value: userspace */
	guest_outw(NOTIFY_PORT, 0x42);		/* another length: userspace */
	guest_outl(NOTIFY_PORT + 4, 0xabcd0001);	/* wildcard, 4 bytes */
	GUEST_SYNC(1);
	guest_outb(NOTIFY_PORT, 0x42);		/* deassigned: userspace */
	GUEST_DONE();
}

TEST(port_out_signals_without_exit)
{
	struct test_vm t;
	struct ucall uc;
	int efd, efd2;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_pio, 0));
	efd = new_eventfd();
	efd2 = new_eventfd();
	ASSERT_OK(ioeventfd(&t, NOTIFY_PORT, 1, efd, 0x42,
			    VMON_IOEVENTFD_PIO | VMON_IOEVENTFD_DATAMATCH));
	ASSERT_OK(ioeventfd(&t, NOTIFY_PORT + 4, 4, efd2, 0, VMON_IOEVENTFD_PIO));
	/* the MMIO address with the port's number is another registration */
	ASSERT_OK(ioeventfd(&t, NOTIFY_PORT, 1, efd2, 0x42, VMON_IOEVENTFD_DATAMATCH));

	EXPECT_OUT(&t, NOTIFY_PORT, 1, 0x43);
	EXPECT_EQ(2, drain(efd));
	EXPECT_OUT(&t, NOTIFY_PORT, 2, 0x42);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(0, drain(efd));
	EXPECT_EQ(1, drain(efd2));

	ASSERT_OK(ioeventfd(&t, NOTIFY_PORT, 1, efd, 0x42,
			    VMON_IOEVENTFD_PIO | VMON_IOEVENTFD_DATAMATCH |
			    VMON_IOEVENTFD_DEASSIGN));
	EXPECT_OUT(&t, NOTIFY_PORT, 1, 0x42);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	EXPECT_EQ(0, drain(efd));
	close(efd);
	close(efd2);
	test_vm_destroy(&t);
}

/* ---- the arguments ---- */

TEST(duplicates_and_unknown)
{
	struct test_vm t;
	int a, b;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_LONG));
	a = new_eventfd();
	b = new_eventfd();
	ASSERT_OK(ioeventfd(&t, NOTIFY_GPA, 4, a, 0, 0));
	ASSERT_OK(ioeventfd(&t, NOTIFY_PORT, 4, a, 0, VMON_IOEVENTFD_PIO));
	/* anything that could match the same write */
	EXPECT_ERRNO(EEXIST, ioeventfd(&t, NOTIFY_PORT, 0, b, 0, VMON_IOEVENTFD_PIO));
	EXPECT_ERRNO(EEXIST, ioeventfd(&t, NOTIFY_GPA, 4, a, 0, 0));
	EXPECT_ERRNO(EEXIST, ioeventfd(&t, NOTIFY_GPA, 4, b, 0, 0));
	EXPECT_ERRNO(EEXIST, ioeventfd(&t, NOTIFY_GPA, 0, b, 0, 0));
	EXPECT_ERRNO(EEXIST, ioeventfd(&t, NOTIFY_GPA, 4, b, 5, VMON_IOEVENTFD_DATAMATCH));
	/* what cannot */
	EXPECT_OK(ioeventfd(&t, NOTIFY_GPA, 2, b, 0, 0));
	EXPECT_OK(ioeventfd(&t, NOTIFY_PORT, 4, b, 0, 0));	/* MMIO, not the port */
	EXPECT_OK(ioeventfd(&t, MATCH_GPA, 4, a, 1, VMON_IOEVENTFD_DATAMATCH));
	EXPECT_OK(ioeventfd(&t, MATCH_GPA, 4, a, 2, VMON_IOEVENTFD_DATAMATCH));
	EXPECT_ERRNO(EEXIST, ioeventfd(&t, MATCH_GPA, 4, b, 2, VMON_IOEVENTFD_DATAMATCH));

	/* deassign needs the very registration: fd, address, length, match */
	EXPECT_ERRNO(ENOENT, ioeventfd(&t, NOTIFY_GPA, 4, b, 0, VMON_IOEVENTFD_DEASSIGN));
	EXPECT_ERRNO(ENOENT, ioeventfd(&t, NOTIFY_GPA, 8, a, 0, VMON_IOEVENTFD_DEASSIGN));
	EXPECT_ERRNO(ENOENT, ioeventfd(&t, NOTIFY_PORT, 4, b, 0,
				       VMON_IOEVENTFD_DEASSIGN | VMON_IOEVENTFD_PIO));
	EXPECT_OK(ioeventfd(&t, NOTIFY_PORT, 4, a, 0,
			    VMON_IOEVENTFD_DEASSIGN | VMON_IOEVENTFD_PIO));
	EXPECT_ERRNO(ENOENT, ioeventfd(&t, MATCH_GPA, 4, a, 3,
				       VMON_IOEVENTFD_DEASSIGN | VMON_IOEVENTFD_DATAMATCH));
	EXPECT_OK(ioeventfd(&t, MATCH_GPA, 4, a, 2,
			    VMON_IOEVENTFD_DEASSIGN | VMON_IOEVENTFD_DATAMATCH));
	EXPECT_ERRNO(ENOENT, ioeventfd(&t, MATCH_GPA, 4, a, 2,
				       VMON_IOEVENTFD_DEASSIGN | VMON_IOEVENTFD_DATAMATCH));
	EXPECT_OK(ioeventfd(&t, NOTIFY_GPA, 4, a, 0, VMON_IOEVENTFD_DEASSIGN));
	/* gone: the address is free again */
	EXPECT_OK(ioeventfd(&t, NOTIFY_GPA, 4, b, 0, 0));
	/* the VM goes with registrations left: they go with it */
	test_vm_destroy(&t);
	close(a);
	close(b);
}

TEST(bad_arguments)
{
	struct vmon_ioeventfd io;
	struct test_vm t;
	int efd, pfd[2], closed;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_LONG));
	efd = new_eventfd();
	ASSERT_EQ(0, pipe(pfd));
	closed = new_eventfd();
	close(closed);

	EXPECT_ERRNO(EBADF, ioeventfd(&t, NOTIFY_GPA, 4, -1, 0, 0));
	EXPECT_ERRNO(EBADF, ioeventfd(&t, NOTIFY_GPA, 4, closed, 0, 0));
	EXPECT_ERRNO(EINVAL, ioeventfd(&t, NOTIFY_GPA, 4, pfd[0], 0, 0));	/* not an eventfd */
	EXPECT_ERRNO(EINVAL, ioeventfd(&t, NOTIFY_GPA, 3, efd, 0, 0));
	EXPECT_ERRNO(EINVAL, ioeventfd(&t, NOTIFY_GPA, 16, efd, 0, 0));
	EXPECT_ERRNO(EINVAL, ioeventfd(&t, NOTIFY_GPA, 4, efd, 0, 1u << 3));
	EXPECT_ERRNO(EINVAL, ioeventfd(&t, NOTIFY_GPA, 4, efd, 0, 1u << 31));
	/* a value needs a length; and must fit in it */
	EXPECT_ERRNO(EINVAL, ioeventfd(&t, NOTIFY_GPA, 0, efd, 1, VMON_IOEVENTFD_DATAMATCH));
	EXPECT_ERRNO(EINVAL, ioeventfd(&t, NOTIFY_GPA, 1, efd, 0x100, VMON_IOEVENTFD_DATAMATCH));
	/* ports: 16 bits, OUT of 1, 2 or 4 bytes */
	EXPECT_ERRNO(EINVAL, ioeventfd(&t, 0x10000, 1, efd, 0, VMON_IOEVENTFD_PIO));
	EXPECT_ERRNO(EINVAL, ioeventfd(&t, 0xffff, 2, efd, 0, VMON_IOEVENTFD_PIO));
	EXPECT_ERRNO(EINVAL, ioeventfd(&t, ~0ULL, 1, efd, 0, VMON_IOEVENTFD_PIO));
	EXPECT_ERRNO(EINVAL, ioeventfd(&t, 0x700, 8, efd, 0, VMON_IOEVENTFD_PIO));
	EXPECT_OK(ioeventfd(&t, 0xffff, 1, efd, 0, VMON_IOEVENTFD_PIO));
	/* MMIO: inside the guest-physical space */
	EXPECT_ERRNO(EINVAL, ioeventfd(&t, t.vm.caps.max_guest_phys, 1, efd, 0, 0));
	EXPECT_ERRNO(EINVAL, ioeventfd(&t, t.vm.caps.max_guest_phys - 4, 8, efd, 0, 0));
	EXPECT_ERRNO(EINVAL, ioeventfd(&t, ~0ULL - 3, 8, efd, 0, 0));
	EXPECT_OK(ioeventfd(&t, t.vm.caps.max_guest_phys - 8, 8, efd, 0, 0));

	/* padding and reserved fields */
	memset(&io, 0, sizeof(io));
	io.addr = ANY_GPA;
	io.len = 4;
	io.fd = efd;
	io.pad = 1;
	EXPECT_ERRNO(EINVAL, test_ioctl(t.vm.fd, VMON_IOEVENTFD, &io));
	io.pad = 0;
	io.reserved[0] = 1;
	EXPECT_ERRNO(EINVAL, test_ioctl(t.vm.fd, VMON_IOEVENTFD, &io));
	io.reserved[0] = 0;
	io.reserved[1] = 1ULL << 63;
	EXPECT_ERRNO(EINVAL, test_ioctl(t.vm.fd, VMON_IOEVENTFD, &io));
	io.reserved[1] = 0;
	EXPECT_OK(test_ioctl(t.vm.fd, VMON_IOEVENTFD, &io));
	EXPECT_ERRNO(EFAULT, test_ioctl(t.vm.fd, VMON_IOEVENTFD, NULL));

	close(pfd[0]);
	close(pfd[1]);
	close(efd);
	test_vm_destroy(&t);
}

TEST(limit_per_vm)
{
	struct test_vm t;
	unsigned int i;
	int efd;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_LONG));
	efd = new_eventfd();
	for (i = 0; i < VMON_MAX_IOEVENTFDS; i++)
		ASSERT_OK(ioeventfd(&t, 0x100000000ULL + 8 * i, 4, efd, 0, 0));
	EXPECT_ERRNO(ENOSPC, ioeventfd(&t, 0x200000000ULL, 4, efd, 0, 0));
	/* a free place is usable again */
	ASSERT_OK(ioeventfd(&t, 0x100000000ULL, 4, efd, 0, VMON_IOEVENTFD_DEASSIGN));
	EXPECT_OK(ioeventfd(&t, 0x200000000ULL, 4, efd, 0, 0));
	/* the eventfd's file may go first: the registrations keep its context */
	close(efd);
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
