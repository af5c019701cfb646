// SPDX-License-Identifier: GPL-2.0-only
/*
 * A long run of exits: 100,000 port I/O exits, each carrying its own
 * sequence number, all arrive in order, and exit_count agrees.
 */
#include <time.h>

#include "kselftest_harness.h"
#include "test_vm.h"

#define EXITS	100000u
#define PORT	0x30

static void guest_loop(uint64_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		guest_outl(PORT, i);
	GUEST_DONE();
}

FIXTURE(loop) {
	struct test_vm t;
};

FIXTURE_SETUP(loop)
{
	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&self->t, guest_loop, EXITS));
}

FIXTURE_TEARDOWN(loop)
{
	if (test_have_vmon())
		test_vm_destroy(&self->t);
}

/* emulated machines are slow: allow 15 minutes */
TEST_F_TIMEOUT(loop, hundred_thousand_exits, 900)
{
	struct vmon_run *run = self->t.cpu.run;
	struct timespec a, b;
	struct ucall uc;
	uint32_t i;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < EXITS; i++) {
		r = libvmon_cpu_run(&self->t.cpu);
		if (r || run->exit_reason != VMON_EXIT_IO || run->io.port != PORT ||
		    run->io.data != i) {
			ASSERT_TRUE(0) TH_LOG("exit %u: expected OUT port 0x%x data 0x%x, got %d %s",
					      i, PORT, i, r, test_describe_exit(&self->t.cpu));
		}
	}
	RUN_EXPECT_UCALL(&self->t, &uc, UCALL_DONE);
	clock_gettime(CLOCK_MONOTONIC, &b);
	EXPECT_LE(EXITS + 1, run->exit_count);	/* plus host interrupts */
	TH_LOG("%u exits in %.2f s", EXITS + 1,
	       (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
}

TEST_HARNESS_MAIN
