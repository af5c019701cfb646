// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMON_IRQFD: signalling a bound eventfd delivers its MSI, as
 * VMON_SIGNAL_MSI does, from whichever thread writes the eventfd.  A
 * halted guest wakes with the MSI's vector; a re-assign changes the
 * vector; deassign stops the MSIs; closing the eventfd unbinds it (its
 * place under the per-VM limit comes back); a VM destroyed with live
 * irqfds leaves eventfds that can still be written.  Then the argument
 * checks.
 */
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "apic.h"

/* guest state, in the guest's copy of the image */
volatile uint64_t nirq;
volatile uint64_t last_vector;

APIC_IRQ_STUB(0x56);
APIC_IRQ_STUB(0x57);

void apic_guest_irq(uint64_t v)
{
	last_vector = v;
	nirq = nirq + 1;
	x2apic_write(APIC_EOI, 0);
}

static int create(struct __test_metadata *_metadata, struct test_vm *t,
		  void (*guest)(uint64_t))
{
	int r = test_vm_create_c(t, guest, 0);

	if (!r) {
		EXPECT_OK(test_set_gate(t, 0x56, apic_irq_0x56));
		EXPECT_OK(test_set_gate(t, 0x57, apic_irq_0x57));
	}
	return r;
}

static int irqfd(struct test_vm *t, int fd, uint64_t address, uint32_t data, uint32_t flags)
{
	return libvmon_vm_irqfd(&t->vm, fd, address, data, flags);
}

static void signal_fd(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) != sizeof(one))
		abort();
}

/* a write to the eventfd from another thread, once the vCPU had time to halt */
static void *signal_later(void *arg)
{
	usleep(200 * 1000);
	signal_fd((int)(intptr_t)arg);
	return NULL;
}

/*
 * Each stage halts with interrupts enabled and reports what woke it:
 * the MSIs taken so far and the last vector.  Stage 3 does not halt (a
 * deassigned irqfd would never wake it): it opens an interrupt window.
 */
static void guest_wait(uint64_t arg)
{
	guest_x2apic_enable();
	GUEST_SYNC(0);
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	GUEST_SYNC_ARGS(1, nirq, last_vector, 0);
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	GUEST_SYNC_ARGS(2, nirq, last_vector, 0);
	__asm__ volatile("sti; nop; cli" ::: "memory");
	GUEST_SYNC_ARGS(3, nirq, last_vector, 0);
	GUEST_DONE();
}

TEST(signal_wakes_halted_guest_then_reassign_and_deassign)
{
	struct test_vm t;
	struct ucall uc;
	pthread_t th;
	int efd;

	SKIP_IF_NO_VMON();
	ASSERT_OK(create(_metadata, &t, guest_wait));
	ASSERT_TRUE(t.vm.caps.flags & VMON_CAP_IRQFD);
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_OK(irqfd(&t, efd, MSI_ADDR(0), 0x56, 0));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(0, uc.args[0]);

	ASSERT_EQ(0, pthread_create(&th, NULL, signal_later, (void *)(intptr_t)efd));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	pthread_join(th, NULL);
	EXPECT_EQ(1, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("one MSI expected");
	EXPECT_EQ(0x56, uc.args[2]);

	/* the guest moved the vector: the same fd, a new message */
	ASSERT_OK(irqfd(&t, efd, MSI_ADDR(0), 0x57, 0));
	ASSERT_EQ(0, pthread_create(&th, NULL, signal_later, (void *)(intptr_t)efd));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	pthread_join(th, NULL);
	EXPECT_EQ(2, uc.args[0]);
	EXPECT_EQ(2, uc.args[1]);
	EXPECT_EQ(0x57, uc.args[2]);

	/* deassigned: a signal raises nothing */
	ASSERT_OK(irqfd(&t, efd, 0, 0, VMON_IRQFD_DEASSIGN));
	EXPECT_ERRNO(ENOENT, irqfd(&t, efd, 0, 0, VMON_IRQFD_DEASSIGN));
	signal_fd(efd);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(3, uc.args[0]);
	EXPECT_EQ(2, uc.args[1]) TH_LOG("no MSI expected after deassign");
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	close(efd);
	test_vm_destroy(&t);
}

/* a signal before the binding counts: its MSI comes at assign */
static void guest_pending(uint64_t arg)
{
	guest_x2apic_enable();
	GUEST_SYNC(0);
	__asm__ volatile("sti; nop; cli" ::: "memory");
	GUEST_SYNC_ARGS(1, nirq, last_vector, 0);
	GUEST_DONE();
}

TEST(signal_before_assign_is_delivered)
{
	struct test_vm t;
	struct ucall uc;
	uint64_t cnt;
	int efd;

	SKIP_IF_NO_VMON();
	ASSERT_OK(create(_metadata, &t, guest_pending));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);	/* APIC enabled */
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	signal_fd(efd);
	ASSERT_OK(irqfd(&t, efd, MSI_ADDR(0), 0x56, 0));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[1]);
	EXPECT_EQ(0x56, uc.args[2]);
	/* the kernel consumes the count of the signals it delivers */
	signal_fd(efd);
	EXPECT_EQ(-1, read(efd, &cnt, sizeof(cnt)));
	EXPECT_EQ(EAGAIN, errno);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	close(efd);
	test_vm_destroy(&t);
}

/*
 * One eventfd as both ioeventfd and irqfd: the guest's write to the
 * MMIO address raises its own MSI, and VMON_RUN returns only at the
 * ucall that reports it.
 */
#define DOORBELL_GPA	MMIO_GPA

static void guest_doorbell(uint64_t arg)
{
	guest_x2apic_enable();
	*(volatile uint32_t *)DOORBELL_GPA = 1;
	__asm__ volatile("sti; nop; cli" ::: "memory");
	GUEST_SYNC_ARGS(1, nirq, last_vector, 0);
	GUEST_DONE();
}

TEST(guest_write_raises_msi_without_exit)
{
	struct test_vm t;
	struct ucall uc;
	int efd;

	SKIP_IF_NO_VMON();
	ASSERT_OK(create(_metadata, &t, guest_doorbell));
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_OK(libvmon_vm_ioeventfd(&t.vm, DOORBELL_GPA, 4, efd, 0, 0));
	ASSERT_OK(irqfd(&t, efd, MSI_ADDR(0), 0x57, 0));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("the write should have raised one MSI");
	EXPECT_EQ(0x57, uc.args[2]);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	close(efd);
	test_vm_destroy(&t);
}

/*
 * Closing an eventfd unbinds it at once: VMON_MAX_IRQFDS bindings,
 * all closed, then as many new ones fit again.
 */
TEST(close_unbinds)
{
	static int fds[VMON_MAX_IRQFDS];
	struct test_vm t;
	unsigned int i, round;
	int extra;

	struct rlimit rl;

	SKIP_IF_NO_VMON();
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	if (rl.rlim_max < VMON_MAX_IRQFDS + 64)
		SKIP(return, "RLIMIT_NOFILE %lu: too few fds", (unsigned long)rl.rlim_max);
	rl.rlim_cur = rl.rlim_max;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_LONG));
	for (round = 0; round < 2; round++) {
		for (i = 0; i < VMON_MAX_IRQFDS; i++) {
			fds[i] = eventfd(0, EFD_CLOEXEC);
			ASSERT_LE(0, fds[i]) TH_LOG("eventfd %u: %s", i, strerror(errno));
			ASSERT_OK(irqfd(&t, fds[i], MSI_ADDR(0), 0x56, 0));
		}
		extra = eventfd(0, EFD_CLOEXEC);
		EXPECT_ERRNO(ENOSPC, irqfd(&t, extra, MSI_ADDR(0), 0x56, 0));
		/* re-assigning a bound fd is no new binding */
		EXPECT_OK(irqfd(&t, fds[0], MSI_ADDR(0), 0x57, 0));
		close(extra);
		for (i = 0; i < VMON_MAX_IRQFDS; i++)
			close(fds[i]);
	}
	test_vm_destroy(&t);
}

/* the VM goes first: its eventfds stay writable, and nothing is delivered */
TEST(vm_destroy_with_live_irqfds)
{
	struct test_vm t;
	int efd[4], i;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_LONG));
	for (i = 0; i < 4; i++) {
		efd[i] = eventfd(0, EFD_CLOEXEC);
		ASSERT_OK(irqfd(&t, efd[i], MSI_ADDR(0), 0x56 + (i & 1), 0));
	}
	signal_fd(efd[0]);
	test_vm_destroy(&t);
	for (i = 0; i < 4; i++) {
		signal_fd(efd[i]);
		close(efd[i]);
	}
}

TEST(bad_arguments)
{
	struct vmon_irqfd a;
	struct test_vm t;
	int efd, pfd[2], closed;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_LONG));
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_EQ(0, pipe(pfd));
	closed = eventfd(0, EFD_CLOEXEC);
	close(closed);

	EXPECT_ERRNO(EBADF, irqfd(&t, -1, MSI_ADDR(0), 0x56, 0));
	EXPECT_ERRNO(EBADF, irqfd(&t, closed, MSI_ADDR(0), 0x56, 0));
	EXPECT_ERRNO(EINVAL, irqfd(&t, pfd[0], MSI_ADDR(0), 0x56, 0));
	EXPECT_ERRNO(EBADF, irqfd(&t, -1, 0, 0, VMON_IRQFD_DEASSIGN));
	EXPECT_ERRNO(ENOENT, irqfd(&t, efd, 0, 0, VMON_IRQFD_DEASSIGN));
	EXPECT_ERRNO(EINVAL, irqfd(&t, efd, MSI_ADDR(0), 0x56, 1u << 1));
	/* the rules of VMON_SIGNAL_MSI */
	EXPECT_ERRNO(EINVAL, irqfd(&t, efd, 0xfec00000, 0x56, 0));
	EXPECT_ERRNO(EINVAL, irqfd(&t, efd, MSI_ADDR(0) | 1, 0x56, 0));
	EXPECT_ERRNO(EINVAL, irqfd(&t, efd, MSI_ADDR(0), 0x0f, 0));
	EXPECT_ERRNO(EINVAL, irqfd(&t, efd, MSI_ADDR(0), 0x756, 0));	/* ExtINT */
	EXPECT_ERRNO(EINVAL, irqfd(&t, efd, MSI_ADDR(0), 0x10056, 0));
	/* a bad message leaves a bound fd's old one in place */
	ASSERT_OK(irqfd(&t, efd, MSI_ADDR(0), 0x56, 0));
	EXPECT_ERRNO(EINVAL, irqfd(&t, efd, MSI_ADDR(0), 0x0f, 0));

	memset(&a, 0, sizeof(a));
	a.fd = efd;
	a.msi_address = MSI_ADDR(0);
	a.msi_data = 0x57;
	a.pad = 1;
	EXPECT_ERRNO(EINVAL, test_ioctl(t.vm.fd, VMON_IRQFD, &a));
	a.pad = 0;
	a.reserved[0] = 1;
	EXPECT_ERRNO(EINVAL, test_ioctl(t.vm.fd, VMON_IRQFD, &a));
	a.reserved[0] = 0;
	a.reserved[1] = 1;
	EXPECT_ERRNO(EINVAL, test_ioctl(t.vm.fd, VMON_IRQFD, &a));
	a.reserved[1] = 0;
	a.flags = VMON_IRQFD_DEASSIGN;
	a.pad = 1;
	EXPECT_ERRNO(EINVAL, test_ioctl(t.vm.fd, VMON_IRQFD, &a));
	a.pad = 0;
	EXPECT_OK(test_ioctl(t.vm.fd, VMON_IRQFD, &a));
	EXPECT_ERRNO(EFAULT, test_ioctl(t.vm.fd, VMON_IRQFD, NULL));

	close(pfd[0]);
	close(pfd[1]);
	close(efd);
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
