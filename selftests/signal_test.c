// SPDX-License-Identifier: GPL-2.0-only
/*
 * A signal interrupts a guest that never exits on its own: VMON_RUN
 * returns -EINTR with VMON_EXIT_INTR, and the guest resumes where it was.
 * run->immediate_exit makes VMON_RUN return the same way without entering,
 * and keeps what userspace did since the last exit: the completed IN and
 * the registers it edited (run->regs_dirty) are the guest's afterwards.
 */
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "test_vm.h"

static volatile uint64_t spin_count;

static void guest_spin(uint64_t arg)
{
	for (;;)
		spin_count++;
}

static void on_sigusr1(int sig)
{
}

struct kicker {
	pthread_t target;
	unsigned int delay_ms;
};

static void *kick(void *arg)
{
	struct kicker *k = arg;

	usleep(k->delay_ms * 1000);
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

FIXTURE(sig) {
	struct test_vm t;
};

FIXTURE_SETUP(sig)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };	/* no SA_RESTART */

	SKIP_IF_NO_VMON();
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_OK(test_vm_create_c(&self->t, guest_spin, 0));
}

FIXTURE_TEARDOWN(sig)
{
	if (test_have_vmon())
		test_vm_destroy(&self->t);
}

static uint64_t guest_count(struct test_vm *t)
{
	return *(volatile uint64_t *)libvmon_gpa_to_hva(&t->vm, (uintptr_t)&spin_count, 8);
}

TEST_F(sig, signal_interrupts_spinning_guest)
{
	struct vmon_run *run = self->t.cpu.run;
	struct kicker k = { .target = pthread_self(), .delay_ms = 20 };
	uint64_t before = 0;
	unsigned int round;
	pthread_t th;
	int r;

	for (round = 0; round < 3; round++) {
		ASSERT_EQ(0, pthread_create(&th, NULL, kick, &k));
		r = libvmon_cpu_run(&self->t.cpu);
		pthread_join(th, NULL);
		ASSERT_EQ(-EINTR, r) TH_LOG("VMON_RUN: expected -EINTR, got %d (%s); exit %s", r,
					    strerror(-r), test_describe_exit(&self->t.cpu));
		EXPECT_EQ(VMON_EXIT_INTR, run->exit_reason)
			TH_LOG("expected exit INTR, got %s", test_describe_exit(&self->t.cpu));
		/* the guest ran, and goes on from where it was */
		EXPECT_LT(before, guest_count(&self->t))
			TH_LOG("guest counter did not advance: %llu",
			       (unsigned long long)guest_count(&self->t));
		before = guest_count(&self->t);
	}
}

TEST_F(sig, immediate_exit)
{
	struct vmon_run *run = self->t.cpu.run;
	struct kicker k = { .target = pthread_self(), .delay_ms = 20 };
	__u64 exits = run->exit_count;
	unsigned int i;
	pthread_t th;
	int r;

	run->immediate_exit = 1;
	for (i = 0; i < 3; i++) {
		r = libvmon_cpu_run(&self->t.cpu);
		ASSERT_EQ(-EINTR, r) TH_LOG("VMON_RUN with immediate_exit: expected -EINTR, "
					    "got %d", r);
		EXPECT_EQ(VMON_EXIT_INTR, run->exit_reason);
	}
	EXPECT_EQ(0, guest_count(&self->t)) TH_LOG("the guest ran despite immediate_exit");
	EXPECT_EQ(exits, run->exit_count);

	/* cleared, the guest runs (until a signal) */
	run->immediate_exit = 0;
	ASSERT_EQ(0, pthread_create(&th, NULL, kick, &k));
	r = libvmon_cpu_run(&self->t.cpu);
	pthread_join(th, NULL);
	ASSERT_EQ(-EINTR, r);
	EXPECT_LT(0, guest_count(&self->t));
}

/*
 * A device model completes an IN and emulates an instruction (it moves
 * RIP past a HLT and sets RBX), then a signal makes it set
 * immediate_exit before the next VMON_RUN.  Both edits must survive the
 * -EINTR: the guest reads the IN data, skips the HLT and reports RBX.
 */
GUEST_BLOB(edit_guest, 16,
	"inb $0x42, %al\n"
	"outb %al, $0x11\n"	/* report: the IN data */
	"outb %al, $0x12\n"	/* the host edits RIP and RBX here */
	"hlt\n"		/* skipped by the host's RIP edit */
	"mov %bx, %ax\n"
	"outw %ax, $0x13\n"	/* report: RBX as the host set it */
	"hlt\n");

static void run_immediate_exit(struct __test_metadata *_metadata, struct test_vm *t)
{
	struct vmon_run *run = t->cpu.run;
	int r;

	run->immediate_exit = 1;
	r = libvmon_cpu_run(&t->cpu);
	run->immediate_exit = 0;
	ASSERT_EQ(-EINTR, r) TH_LOG("VMON_RUN with immediate_exit: expected -EINTR, got %d", r);
	ASSERT_EQ(VMON_EXIT_INTR, run->exit_reason);
}

TEST(immediate_exit_keeps_user_edits)
{
	struct test_vm t;
	struct vmon_run *run;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_REAL));
	ASSERT_OK(test_vm_load_blob(&t, edit_guest, edit_guest_end));
	run = t.cpu.run;

	RUN_EXPECT_EXIT(&t, VMON_EXIT_IO);
	ASSERT_IO(&t, 0x42, 1, VMON_IO_IN);
	run->io.data = 0x5a;
	run_immediate_exit(_metadata, &t);
	RUN_EXPECT_EXIT(&t, VMON_EXIT_IO);
	ASSERT_IO(&t, 0x11, 1, VMON_IO_OUT);
	EXPECT_EQ(0x5a, run->io.data) TH_LOG("the IN completed before immediate_exit was lost");

	RUN_EXPECT_EXIT(&t, VMON_EXIT_IO);
	ASSERT_IO(&t, 0x12, 1, VMON_IO_OUT);
	run->regs.rip += 1;		/* past the one-byte HLT */
	run->regs.rbx = 0x1234;
	run->regs_dirty = 1;
	run_immediate_exit(_metadata, &t);
	EXPECT_EQ(0x1234, run->regs.rbx) TH_LOG("run->regs lost the edited RBX");
	EXPECT_EQ(0, run->regs_dirty);

	RUN_EXPECT_EXIT(&t, VMON_EXIT_IO);
	ASSERT_IO(&t, 0x13, 2, VMON_IO_OUT);
	EXPECT_EQ(0x1234, run->io.data) TH_LOG("the guest did not see the edited RBX");
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
