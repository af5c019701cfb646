// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host interrupts reach the host while a guest runs, and the vCPU thread
 * can be preempted in the middle of VMON_RUN: with the vCPU thread and a
 * busy host thread pinned to the same CPU, the host thread must make
 * progress while the guest spins through a long loop that never exits.
 */
#include <pthread.h>
#include <sched.h>

#include "kselftest_harness.h"
#include "test_vm.h"

#define SPIN_ITERS	(40ULL * 1000 * 1000)

static volatile uint64_t guest_counter;
static volatile uint64_t host_counter;
static volatile int stop;
/* the guest's copy of guest_counter, and what the host thread saw of it */
static volatile uint64_t *guest_counter_hva;
static volatile uint64_t seen_mid_loop;

static void guest_spin_n(uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		guest_counter++;
	GUEST_DONE();
}

static void *host_busy(void *arg)
{
	while (!stop) {
		uint64_t v = *guest_counter_hva;

		host_counter++;
		if (v > 0 && v < SPIN_ITERS)
			seen_mid_loop = v;
	}
	return NULL;
}

FIXTURE(preempt) {
	int unused;
};

FIXTURE_SETUP(preempt)
{
}

FIXTURE_TEARDOWN(preempt)
{
}

/* a long guest loop in an emulator: allow 10 minutes */
TEST_F_TIMEOUT(preempt, vcpu_thread_is_preempted, 600)
{
	struct test_vm t;
	struct ucall uc;
	cpu_set_t cpus;
	uint64_t before;
	pthread_t th;
	int cpu;

	SKIP_IF_NO_VMON();
	cpu = test_allowed_cpu(-1);
	ASSERT_LE(0, cpu);
	CPU_ZERO(&cpus);
	CPU_SET(cpu, &cpus);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));
	ASSERT_OK(test_vm_create_c(&t, guest_spin_n, SPIN_ITERS));
	guest_counter_hva = libvmon_gpa_to_hva(&t.vm, (uintptr_t)&guest_counter, 8);
	ASSERT_NE(NULL, guest_counter_hva);
	ASSERT_EQ(0, pthread_create(&th, NULL, host_busy, NULL));	/* inherits the CPU */
	while (!host_counter)
		sched_yield();

	before = host_counter;
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	EXPECT_LT(before, host_counter)
		TH_LOG("the host thread on the vCPU's CPU did not run during %llu guest "
		       "iterations: host interrupts or preemption are blocked in guest mode",
		       SPIN_ITERS);
	/* and it ran while the guest was in the middle of its loop */
	EXPECT_NE(0, seen_mid_loop)
		TH_LOG("the host thread never ran while the guest was inside its loop");
	TH_LOG("host thread saw the guest at iteration %llu of %llu; %llu exits in all",
	       (unsigned long long)seen_mid_loop, SPIN_ITERS,
	       (unsigned long long)t.cpu.run->exit_count);
	stop = 1;
	pthread_join(th, NULL);
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
