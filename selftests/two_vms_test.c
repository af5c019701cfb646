// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two VMs run at the same time in two threads, each doing port I/O
 * exits with its own sequence; neither sees the other's values.
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "test_vm.h"

#define ITERS	2000
#define PORT	0x20

static void guest_count(uint64_t seed)
{
	uint32_t i;

	for (i = 0; i < ITERS; i++)
		guest_outl(PORT, (uint32_t)seed + i);
	GUEST_DONE();
}

struct worker {
	struct test_vm t;
	uint32_t seed;
	pthread_barrier_t *start;
	char err[256];
};

static void *run_vm(void *arg)
{
	struct worker *w = arg;
	struct vmon_run *run = w->t.cpu.run;
	struct ucall uc;
	uint32_t i;
	int r;

	pthread_barrier_wait(w->start);
	for (i = 0; i < ITERS; i++) {
		r = libvmon_cpu_run(&w->t.cpu);
		if (r || run->exit_reason != VMON_EXIT_IO || run->io.port != PORT ||
		    run->io.data != w->seed + i) {
			snprintf(w->err, sizeof(w->err),
				 "VM %#x exit %u: expected OUT port 0x%x data 0x%x, got %d %s",
				 w->seed, i, PORT, w->seed + i, r, test_describe_exit(&w->t.cpu));
			return NULL;
		}
	}
	r = libvmon_cpu_run(&w->t.cpu);
	if (r || test_get_ucall(&w->t, &uc) != UCALL_DONE)
		snprintf(w->err, sizeof(w->err), "VM %#x: expected DONE, got %d %s",
			 w->seed, r, test_describe_exit(&w->t.cpu));
	return NULL;
}

TEST(two_vms_in_two_threads)
{
	static struct worker w[2];
	pthread_barrier_t start;
	pthread_t th[2];
	int i;

	SKIP_IF_NO_VMON();
	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, 2));
	for (i = 0; i < 2; i++) {
		w[i].seed = (i + 1) << 24;
		w[i].start = &start;
		ASSERT_OK(test_vm_create_c(&w[i].t, guest_count, w[i].seed));
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, run_vm, &w[i]));
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, w[i].err[0]) TH_LOG("%s", w[i].err);
		EXPECT_LE(ITERS + 1, w[i].t.cpu.run->exit_count);
		test_vm_destroy(&w[i].t);
	}
}

TEST_HARNESS_MAIN
