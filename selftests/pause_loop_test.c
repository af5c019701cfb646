// SPDX-License-Identifier: GPL-2.0-only
/*
 * PAUSE-loop exiting (VMX, SDM Vol. 3C 25.6.2 and 26.1.3) and the pause
 * filter (SVM, APM Vol. 2 15.14.4): a vCPU spinning on PAUSE exits and
 * the kernel yields its CPU to a sibling vCPU (kmod/spin.c).
 *
 *   sibling_handoff_is_prompt: two vCPUs whose threads share one host
 *     CPU hand a flag back and forth, each spinning on PAUSE for its
 *     turn.  Without the yield each handoff waits for the scheduler's
 *     tick to preempt the spinner (4 ms at 250 Hz); with it, the median
 *     round trip stays under 1 ms, and the VM's PAUSE exits are counted
 *     in its exit statistics.
 *   woken_sibling_gets_the_cpu: the same two threads; vCPU 1 halts and
 *     vCPU 0 wakes it with a fixed IPI, then spins on PAUSE until its
 *     handler answers.  The sender yields to the vCPU its IPI woke
 *     before it enters its guest again, so it does not spin a PAUSE-loop
 *     window and exit first: far fewer PAUSE exits than rounds.
 *   lone_spinner_runs_on: one vCPU spinning on PAUSE with no sibling to
 *     yield to keeps running in its guest (far fewer exits than PAUSEs)
 *     and lets a host thread on the same CPU run: the host thread is
 *     what ends the loop.
 *
 * Where the CPU lacks the feature (the module parameter pause_exiting
 * reads N, and the module said why at load), the guests still run to
 * the end but what depends on the exits is skipped.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "apic.h"
#include "exit_codes.h"
#include "libvmon_nl.h"
#include "tsc.h"

#define ROUNDS		64
#define PARAM		"/sys/module/vmon/parameters/pause_exiting"

/* guest memory: written by the guests, read by the host after the run */
volatile uint64_t turn;
volatile uint64_t round_trip[ROUNDS];
volatile uint64_t lone_stop, lone_pauses;
volatile uint64_t answered;

#define WAKE_VECTOR	0x50

APIC_IRQ_STUB(0x50);

/* vCPU 1's handler: the answer vCPU 0 spins for */
void apic_guest_irq(uint64_t v)
{
	if (v == WAKE_VECTOR)
		answered++;
	x2apic_write(APIC_EOI, 0);
}

static inline uint64_t guest_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static void spin_for(volatile uint64_t *v, uint64_t want)
{
	while (*v != want)
		__asm__ volatile("pause" ::: "memory");
}

/* vCPU 0: hand the turn over, time until it comes back */
static void guest_ping(uint64_t arg)
{
	uint64_t i, t0;

	for (i = 0; i < ROUNDS; i++) {
		t0 = guest_rdtsc();
		turn = 2 * i + 1;
		spin_for(&turn, 2 * i + 2);
		round_trip[i] = guest_rdtsc() - t0;
	}
	GUEST_DONE();
}

/* vCPU 1: wait for the turn, hand it back */
static void guest_pong(uint64_t arg)
{
	uint64_t i;

	for (i = 0; i < ROUNDS; i++) {
		spin_for(&turn, 2 * i + 1);
		turn = 2 * i + 2;
	}
	GUEST_DONE();
}

/* vCPU 0 wakes vCPU 1 with an IPI and spins for its answer */
static uint64_t wake_and_wait(uint64_t want)
{
	uint64_t t0 = guest_rdtsc();

	x2apic_write(APIC_ICR, (1ULL << 32) | ICR_DM_FIXED | WAKE_VECTOR);
	spin_for(&answered, want);
	return guest_rdtsc() - t0;
}

/*
 * One round, then the host reads the PAUSE exits so far: the first
 * round is not counted (on Bochs it spins for 2 ms, with or without
 * the yield, before vCPU 1's thread first takes the CPU).
 */
static void guest_waker(uint64_t arg)
{
	uint64_t i;

	guest_x2apic_enable();
	wake_and_wait(1);
	GUEST_SYNC(0);
	for (i = 0; i < ROUNDS; i++)
		round_trip[i] = wake_and_wait(i + 2);
	GUEST_DONE();
}

/* vCPU 1: halted with IF = 1 until every IPI has been answered */
static void guest_sleeper(uint64_t arg)
{
	guest_x2apic_enable();
	while (answered < ROUNDS + 1)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	GUEST_DONE();
}

/* spin on PAUSE until the host says stop; count the PAUSEs */
static void guest_lone(uint64_t arg)
{
	uint64_t n = 0;

	while (!lone_stop) {
		__asm__ volatile("pause" ::: "memory");
		n++;
	}
	lone_pauses = n;
	GUEST_DONE();
}

/* 1: the module exits on PAUSE loops, 0: it does not (the CPU lacks it) */
static int pause_exiting(void)
{
	char c = 0;
	FILE *f = fopen(PARAM, "r");

	if (!f)
		return -1;
	if (fscanf(f, "%c", &c) != 1)
		c = 0;
	fclose(f);
	return c == 'Y';
}

/* the calling thread, and the threads it creates, on one CPU */
static int pin_to_one_cpu(void)
{
	int cpu = test_allowed_cpu(-1);
	cpu_set_t set;

	if (cpu < 0)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -1 : cpu;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* the VM's PAUSE exits, all vCPUs, from its netlink statistics */
static uint64_t pause_exits(struct __test_metadata *_metadata, struct test_vm *t)
{
	const struct libvmon_reason_stats *r;
	struct libvmon_vm_info info;
	struct libvmon_vm_stats st;
	struct libvmon_nl nl;
	uint64_t n;

	EXPECT_OK(libvmon_nl_open(&nl));
	EXPECT_OK(libvmon_nl_find_vm(&nl, getpid(), &info));
	EXPECT_OK(libvmon_nl_get_stats(&nl, info.id, -1, &st));
	r = libvmon_stats_reason(&st.total, exit_code_pause(t->vm.caps.backend));
	n = r ? r->count : 0;
	TH_LOG("PAUSE exits: %llu of %llu exits", (unsigned long long)n,
	       (unsigned long long)st.total.exits);
	libvmon_vm_stats_free(&st);
	libvmon_nl_close(&nl);
	return n;
}

TEST(sibling_handoff_is_prompt)
{
	uint64_t s[ROUNDS], khz, median_us, exits;
	struct test_vm t;
	struct test_ap ap = { 0 };
	struct ucall uc;
	pthread_t th;
	int on, cpu;

	SKIP_IF_NO_VMON();
	on = pause_exiting();
	ASSERT_LE(0, on) TH_LOG("cannot read %s", PARAM);
	cpu = pin_to_one_cpu();
	ASSERT_LE(0, cpu) TH_LOG("cannot pin to one CPU");
	khz = test_tsc_khz(100);
	ASSERT_OK(test_vm_create_c(&t, guest_ping, 0));
	ap.t = &t;
	ASSERT_OK(test_add_cpu(&t, 1, &ap.cpu, guest_pong, 0));
	ASSERT_EQ(0, pthread_create(&th, NULL, test_ap_thread, &ap));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	pthread_join(th, NULL);
	ASSERT_EQ(0, ap.r) TH_LOG("vCPU 1: VMON_RUN %d", ap.r);
	ASSERT_EQ(UCALL_DONE, ap.cmd) TH_LOG("vCPU 1: %s", test_describe_exit(&ap.cpu));

	ASSERT_OK(test_sync_from_guest(&t, (void *)round_trip, sizeof(round_trip)));
	memcpy(s, (void *)round_trip, sizeof(s));
	qsort(s, ROUNDS, sizeof(s[0]), cmp_u64);
	median_us = s[ROUNDS / 2] * 1000 / khz;
	TH_LOG("CPU %d, TSC %llu kHz: round trip median %llu us, 10th %llu us, 90th %llu us",
	       cpu, (unsigned long long)khz, (unsigned long long)median_us,
	       (unsigned long long)(s[ROUNDS / 10] * 1000 / khz),
	       (unsigned long long)(s[ROUNDS * 9 / 10] * 1000 / khz));
	exits = pause_exits(_metadata, &t);
	libvmon_cpu_destroy(&ap.cpu);
	test_vm_destroy(&t);
	if (!on)
		SKIP(return, "pause_exiting is N: the CPU has no PAUSE-loop exiting / pause filter (dmesg says which)");
	EXPECT_NE(0, exits) TH_LOG("no PAUSE exit counted with pause_exiting on");
	/* a tick of a 250 Hz kernel is 4000 us; one yield per handoff is far less */
	EXPECT_GT(1000, median_us) TH_LOG("the spinner kept the CPU until the tick");
}

TEST(woken_sibling_gets_the_cpu)
{
	uint64_t s[ROUNDS], khz, before, exits;
	struct test_vm t;
	struct test_ap ap = { 0 };
	struct ucall uc;
	pthread_t th;
	int on, cpu;

	SKIP_IF_NO_VMON();
	on = pause_exiting();
	ASSERT_LE(0, on) TH_LOG("cannot read %s", PARAM);
	cpu = pin_to_one_cpu();
	ASSERT_LE(0, cpu) TH_LOG("cannot pin to one CPU");
	khz = test_tsc_khz(100);
	ASSERT_OK(test_vm_create_c(&t, guest_waker, 0));
	ASSERT_OK(test_set_gate(&t, WAKE_VECTOR, apic_irq_0x50));
	ap.t = &t;
	ASSERT_OK(test_add_cpu(&t, 1, &ap.cpu, guest_sleeper, 0));
	ASSERT_EQ(0, pthread_create(&th, NULL, test_ap_thread, &ap));
	usleep(100 * 1000);	/* let vCPU 1 reach its HLT */
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	before = pause_exits(_metadata, &t);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	pthread_join(th, NULL);
	ASSERT_EQ(0, ap.r) TH_LOG("vCPU 1: VMON_RUN %d", ap.r);
	ASSERT_EQ(UCALL_DONE, ap.cmd) TH_LOG("vCPU 1: %s", test_describe_exit(&ap.cpu));

	ASSERT_OK(test_sync_from_guest(&t, (void *)round_trip, sizeof(round_trip)));
	memcpy(s, (void *)round_trip, sizeof(s));
	qsort(s, ROUNDS, sizeof(s[0]), cmp_u64);
	TH_LOG("CPU %d: IPI to answer median %llu ns, 10th %llu ns, 90th %llu ns", cpu,
	       (unsigned long long)(s[ROUNDS / 2] * 1000000 / khz),
	       (unsigned long long)(s[ROUNDS / 10] * 1000000 / khz),
	       (unsigned long long)(s[ROUNDS * 9 / 10] * 1000000 / khz));
	exits = pause_exits(_metadata, &t) - before;
	libvmon_cpu_destroy(&ap.cpu);
	test_vm_destroy(&t);
	if (!on)
		SKIP(return, "pause_exiting is N: the CPU has no PAUSE-loop exiting / pause filter (dmesg says which)");
	TH_LOG("%llu PAUSE exits in %d rounds", (unsigned long long)exits, ROUNDS);
	/* a sender that spins a window before yielding exits once a round */
	EXPECT_GT(ROUNDS / 4, exits) TH_LOG("the sender spun for the woken vCPU");
}

struct stopper {
	struct test_vm *t;
	volatile uint64_t loops;	/* host progress while the guest spins */
};

/* on the spinner's CPU: runs only if the spinner lets the host have it */
static void *stop_the_spinner(void *arg)
{
	struct stopper *st = arg;
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		st->loops++;
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 100);
	lone_stop = 1;
	test_sync_to_guest(st->t, (void *)&lone_stop, sizeof(lone_stop));
	return NULL;
}

TEST(lone_spinner_runs_on)
{
	struct stopper st = { 0 };
	struct test_vm t;
	struct ucall uc;
	uint64_t pauses, exits;
	pthread_t th;
	int on;

	SKIP_IF_NO_VMON();
	on = pause_exiting();
	ASSERT_LE(0, on) TH_LOG("cannot read %s", PARAM);
	ASSERT_LE(0, pin_to_one_cpu()) TH_LOG("cannot pin to one CPU");
	ASSERT_OK(test_vm_create_c(&t, guest_lone, 0));
	st.t = &t;
	ASSERT_EQ(0, pthread_create(&th, NULL, stop_the_spinner, &st));
	/* the guest ends only when the host thread on its CPU has run */
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	pthread_join(th, NULL);
	ASSERT_OK(test_sync_from_guest(&t, (void *)&lone_pauses, sizeof(lone_pauses)));
	pauses = lone_pauses;
	exits = pause_exits(_metadata, &t);
	TH_LOG("%llu PAUSEs in the guest, %llu host loops",
	       (unsigned long long)pauses, (unsigned long long)st.loops);
	test_vm_destroy(&t);
	EXPECT_NE(0, st.loops);
	EXPECT_NE(0, pauses);
	if (!on) {
		EXPECT_EQ(0, exits) TH_LOG("PAUSE exits with pause_exiting off");
		return;
	}
	EXPECT_NE(0, exits) TH_LOG("no PAUSE exit counted with pause_exiting on");
	/* the loop runs in the guest: an exit per window, not per PAUSE */
	EXPECT_GT(pauses, 4 * exits);
}

TEST_HARNESS_MAIN
