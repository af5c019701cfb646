// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exit events over generic netlink (VMON_CMD_TRACE_START): the guest's
 * exits arrive in order with the right reason, port and RIP; a reason
 * filter keeps other exits out; TRACE_STOP and closing the socket stop
 * the events; a tracer that does not read loses events without slowing
 * the vCPU, and the loss is reported exactly (EV_LOST and
 * STAT_EVENTS_LOST); the "exits" multicast group receives every VM's
 * exits.
 */
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "test_vm.h"
#include "exit_codes.h"
#include "libvmon_nl.h"

#define PORT		0x32
#define ROUNDS		16
#define MANY		1500	/* more events than a small socket buffer holds */

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* the addresses of the two exiting instructions, for the RIP checks */
extern const char trace_cpuid_rip[], trace_out_rip[];

static void guest_rounds(uint64_t n)
{
	uint32_t i, a, b, c, d;

	for (i = 0; i < n; i++) {
		__asm__ volatile(".globl trace_cpuid_rip\n"
				 "trace_cpuid_rip: cpuid"
				 : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
		__asm__ volatile(".globl trace_out_rip\n"
				 "trace_out_rip: outl %%eax, %%dx"
				 : : "a"(i), "d"((uint16_t)PORT));
	}
	GUEST_DONE();
}

/* n CPUIDs, a sync, one more CPUID, done */
static void guest_many(uint64_t n)
{
	uint32_t i, a, b, c, d;

	for (i = 0; i < n; i++)
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	GUEST_SYNC(1);
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	GUEST_DONE();
}

FIXTURE(trace) {
	struct test_vm t;
	struct libvmon_nl v, tr;
	uint32_t id, cpuid, io;
	struct libvmon_exit_event ev[2 * MANY];
};

FIXTURE_VARIANT(trace) {
	void (*guest)(uint64_t);
	uint64_t arg;
};

FIXTURE_VARIANT_ADD(trace, rounds) {
	.guest = guest_rounds,
	.arg = ROUNDS,
};

FIXTURE_VARIANT_ADD(trace, many) {
	.guest = guest_many,
	.arg = MANY,
};

FIXTURE_SETUP(trace)
{
	struct libvmon_vm_info info;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&self->t, variant->guest, variant->arg));
	ASSERT_OK(libvmon_nl_open(&self->v));
	ASSERT_OK(libvmon_nl_open(&self->tr));
	ASSERT_OK(libvmon_nl_find_vm(&self->v, getpid(), &info));
	self->id = info.id;
	self->cpuid = exit_code_cpuid(self->t.vm.caps.backend);
	self->io = exit_code_io(self->t.vm.caps.backend);
}

FIXTURE_TEARDOWN(trace)
{
	if (!test_have_vmon())
		return;
	libvmon_nl_close(&self->tr);
	libvmon_nl_close(&self->v);
	test_vm_destroy(&self->t);
}

/* run the guest to its end: rounds answers ROUNDS OUTs, many one SYNC */
static void run_to_done(struct __test_metadata *_metadata, struct test_vm *t)
{
	struct ucall uc;
	int r;

	for (;;) {
		RUN_EXPECT_EXIT(t, VMON_EXIT_IO);
		if (t->cpu.run->io.port == PORT)
			continue;
		r = test_get_ucall(t, &uc);
		if (r == UCALL_DONE)
			return;
		ASSERT_EQ(UCALL_SYNC, r) TH_LOG("%s", test_describe_exit(&t->cpu));
	}
}

TEST_F(trace, events_in_order)
{
	uint32_t filter[2] = { self->cpuid, self->io };
	struct libvmon_exit_event *ev = self->ev;
	int i, n;

	if (variant->guest != guest_rounds)
		SKIP(return, "for the rounds guest");
	ASSERT_OK(libvmon_nl_trace_start(&self->tr, self->id, filter, 2));
	run_to_done(_metadata, &self->t);

	n = libvmon_nl_read_events(&self->tr, ev, 2 * MANY);
	ASSERT_EQ(2 * ROUNDS + 1, n) TH_LOG("events received");
	for (i = 0; i < n; i++) {
		EXPECT_EQ(self->id, ev[i].vm_id);
		EXPECT_EQ(0, ev[i].vcpu_id);
		EXPECT_EQ(0, ev[i].lost);
		if (i) {
			EXPECT_LT(ev[i - 1].seq, ev[i].seq) TH_LOG("event %d out of order", i);
			EXPECT_LT(ev[i - 1].guest_tsc, ev[i].guest_tsc);
		}
		if (i == n - 1)
			break;
		if (i % 2 == 0) {
			EXPECT_EQ(self->cpuid, ev[i].reason) TH_LOG("event %d", i);
			EXPECT_EQ((uintptr_t)trace_cpuid_rip, ev[i].rip) TH_LOG("event %d", i);
			EXPECT_FALSE(ev[i].has & LIBVMON_EV_HAS_PORT);
		} else {
			EXPECT_EQ(self->io, ev[i].reason) TH_LOG("event %d", i);
			EXPECT_EQ((uintptr_t)trace_out_rip, ev[i].rip) TH_LOG("event %d", i);
			EXPECT_TRUE(ev[i].has & LIBVMON_EV_HAS_PORT);
			EXPECT_EQ(PORT, ev[i].port);
		}
	}
	/* the last: GUEST_DONE's write to the ucall port, the vCPU's last exit */
	EXPECT_EQ(self->io, ev[n - 1].reason);
	EXPECT_EQ(UCALL_PORT, ev[n - 1].port);
	EXPECT_EQ(self->t.cpu.run->exit_count, ev[n - 1].seq);
	TH_LOG("CPUID event: seq %llu rip 0x%llx guest TSC %llu, handled in %llu ns",
	       (unsigned long long)ev[0].seq, (unsigned long long)ev[0].rip,
	       (unsigned long long)ev[0].guest_tsc, (unsigned long long)ev[0].latency_ns);
	EXPECT_OK(libvmon_nl_trace_stop(&self->tr, self->id));
	EXPECT_ERRNO(ENOENT, libvmon_nl_trace_stop(&self->tr, self->id));
}

TEST_F(trace, stop_ends_events)
{
	uint32_t filter[1] = { self->io };
	int n;

	if (variant->guest != guest_rounds)
		SKIP(return, "for the rounds guest");
	ASSERT_OK(libvmon_nl_trace_start(&self->tr, self->id, filter, 1));
	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_IO);
	/* before the next request on this socket, which would skip them */
	n = libvmon_nl_read_events(&self->tr, self->ev, 2 * MANY);
	ASSERT_EQ(1, n);
	EXPECT_EQ(PORT, self->ev[0].port);
	ASSERT_OK(libvmon_nl_trace_stop(&self->tr, self->id));
	run_to_done(_metadata, &self->t);
	n = libvmon_nl_read_events(&self->tr, self->ev, 2 * MANY);
	EXPECT_EQ(0, n);
}

TEST_F(trace, close_ends_tracing)
{
	struct libvmon_vm_stats st;

	if (variant->guest != guest_rounds)
		SKIP(return, "for the rounds guest");
	ASSERT_OK(libvmon_nl_trace_start(&self->tr, self->id, NULL, 0));
	libvmon_nl_close(&self->tr);
	run_to_done(_metadata, &self->t);
	/* a tracer left behind would count every event it cannot get */
	ASSERT_OK(libvmon_nl_get_stats(&self->v, self->id, -1, &st));
	EXPECT_EQ(0, st.total.events_lost);
	EXPECT_LT(2 * ROUNDS, st.total.exits);
	libvmon_vm_stats_free(&st);
}

TEST_F(trace, slow_tracer_loses_events)
{
	uint32_t filter[1] = { self->cpuid };
	struct libvmon_vm_stats st;
	int small = 1, n, m;

	if (variant->guest != guest_many)
		SKIP(return, "for the many guest");
	/* the kernel rounds this up to its minimum: a few events fit */
	ASSERT_EQ(0, setsockopt(libvmon_nl_fd(&self->tr), SOL_SOCKET, SO_RCVBUF,
				&small, sizeof(small)));
	ASSERT_OK(libvmon_nl_trace_start(&self->tr, self->id, filter, 1));

	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_IO);	/* GUEST_SYNC after MANY CPUIDs */
	n = libvmon_nl_read_events(&self->tr, self->ev, 2 * MANY);
	ASSERT_OK(libvmon_nl_get_stats(&self->v, self->id, 0, &st));
	TH_LOG("%d CPUID events received, %llu lost", n, (unsigned long long)st.total.events_lost);
	EXPECT_LT(0, n);
	EXPECT_LT(0, st.total.events_lost);
	EXPECT_EQ(MANY, n + st.total.events_lost);

	/* room again: the next event says how many this tracer lost */
	run_to_done(_metadata, &self->t);
	m = libvmon_nl_read_events(&self->tr, self->ev, 2 * MANY);
	ASSERT_EQ(1, m);
	EXPECT_EQ(st.total.events_lost, self->ev[0].lost);
	EXPECT_EQ(self->cpuid, self->ev[0].reason);
	libvmon_vm_stats_free(&st);
}

/*
 * Half of a tracer's buffer is kept for replies: a socket that traces a
 * busy VM and reads no events can still ask for statistics on that same
 * socket.  Without the room the reply would be dropped and the request
 * would wait forever; the receive timeout turns that into a failure.
 */
TEST_F(trace, flooded_tracer_still_gets_replies)
{
	struct timeval tv = { .tv_sec = 10 };
	struct libvmon_vm_stats st;
	int small = 16 << 10;	/* the kernel doubles it: some 40 events */

	if (variant->guest != guest_many)
		SKIP(return, "for the many guest");
	ASSERT_EQ(0, setsockopt(libvmon_nl_fd(&self->tr), SOL_SOCKET, SO_RCVBUF,
				&small, sizeof(small)));
	ASSERT_EQ(0, setsockopt(libvmon_nl_fd(&self->tr), SOL_SOCKET, SO_RCVTIMEO,
				&tv, sizeof(tv)));
	ASSERT_OK(libvmon_nl_trace_start(&self->tr, self->id, NULL, 0));

	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_IO);	/* GUEST_SYNC after MANY CPUIDs */
	ASSERT_OK(libvmon_nl_get_stats(&self->tr, self->id, 0, &st));
	TH_LOG("%llu events lost, the reply came", (unsigned long long)st.total.events_lost);
	EXPECT_LT(0, st.total.events_lost);
	EXPECT_LT(MANY, st.total.exits);
	libvmon_vm_stats_free(&st);
	ASSERT_OK(libvmon_nl_trace_stop(&self->tr, self->id));
}

TEST_F(trace, multicast_group)
{
	int big = 8 << 20, n, i;
	struct libvmon_exit_event *ev = self->ev;

	if (variant->guest != guest_many)
		SKIP(return, "for the many guest");
	ASSERT_LT(0, self->tr.exits_group);
	setsockopt(libvmon_nl_fd(&self->tr), SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	ASSERT_OK(libvmon_nl_join_exits(&self->tr));
	run_to_done(_metadata, &self->t);
	n = libvmon_nl_read_events(&self->tr, ev, 2 * MANY);
	/*
	 * The listener was there before the VM's first VMON_RUN: every exit
	 * arrives, from the first, in order (a listener that joins while
	 * the VM runs is noticed within 1024 exits of each vCPU, as Linux
	 * 6.1 genetlink cannot tell the module when a socket joins).
	 */
	ASSERT_LT(MANY, n);
	EXPECT_EQ(1, ev[0].seq) TH_LOG("the first exit of the VM was not sent");
	for (i = 1; i < n; i++)
		ASSERT_EQ(ev[i - 1].seq + 1, ev[i].seq) TH_LOG("event %d", i);
	EXPECT_EQ(self->t.cpu.run->exit_count, ev[n - 1].seq);
	EXPECT_EQ(UCALL_PORT, ev[n - 1].port);
}

TEST_HARNESS_MAIN
