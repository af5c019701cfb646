// SPDX-License-Identifier: GPL-2.0-only
/*
 * What exit statistics and exit events cost per VM exit.
 *
 *   trace_cost [EXITS]      (default 100000 CPUID exits per phase)
 *
 * One guest does batches of EXITS CPUIDs (each a VM exit handled in the
 * kernel).  Each batch runs under one tracing setup:
 *   off        nobody traces: stats only, the event gate is one branch
 *   filtered   a tracer whose filter excludes CPUID: the gate is open,
 *              the tracer list is walked, no message is built
 *   reading    a tracer that takes every event (a thread reads them)
 *   full       a tracer that never reads: the socket fills, events are
 *              built and dropped (counted as lost)
 * and prints, per exit: wall-clock time as seen from userspace, and
 * the host time of a CPUID exit from the statistics themselves (exit
 * to next entry, the event included).  It also prints what one RDTSC
 * costs here (the statistics read the TSC three times per exit).  Run
 * it under a module built with KCFLAGS=-DVMON_NO_EXIT_STATS too: it
 * then prints the wall time without statistics, which weighs them and
 * the event gate.  Not a test: it prints figures.
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "test_vm.h"
#include "exit_codes.h"
#include "libvmon_nl.h"

static uint64_t exits_per_batch = 100000;

static void guest_batches(uint64_t n)
{
	uint32_t i, a, b, c, d;

	for (;;) {
		for (i = 0; i < n; i++)
			__asm__ volatile("cpuid"
					 : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
		GUEST_SYNC(0);
	}
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

struct reader {
	struct libvmon_nl *v;
	volatile int stop;
	uint64_t events;
};

static void *reader_thread(void *arg)
{
	static struct libvmon_exit_event ev[1024];
	struct reader *rd = arg;
	struct pollfd p = { .fd = libvmon_nl_fd(rd->v), .events = POLLIN };
	int n;

	for (;;) {
		poll(&p, 1, 50);
		n = libvmon_nl_read_events(rd->v, ev, 1024);
		if (n > 0)
			rd->events += n;
		else if (rd->stop)
			return NULL;
	}
}

struct figures {
	double wall_ns;			/* per exit, userspace view */
	double kernel_ns;		/* host ns per CPUID exit, from the statistics */
	uint64_t lost;
};

static int run_batch(struct test_vm *t, struct libvmon_nl *v, uint32_t vm_id, uint32_t cpuid,
		     struct figures *f)
{
	const struct libvmon_reason_stats *rb, *ra;
	struct libvmon_vm_stats before, after;
	struct ucall uc;
	double t0, t1;
	int r;

	r = libvmon_nl_get_stats(v, vm_id, -1, &before);
	if (r)
		return r;
	t0 = now_ns();
	r = libvmon_cpu_run(&t->cpu);
	t1 = now_ns();
	if (r || test_get_ucall(t, &uc) != UCALL_SYNC) {
		fprintf(stderr, "trace_cost: expected the guest's SYNC, got %d %s\n", r,
			test_describe_exit(&t->cpu));
		libvmon_vm_stats_free(&before);
		return -EIO;
	}
	r = libvmon_nl_get_stats(v, vm_id, -1, &after);
	if (r) {
		libvmon_vm_stats_free(&before);
		return r;
	}
	rb = libvmon_stats_reason(&before.total, cpuid);
	ra = libvmon_stats_reason(&after.total, cpuid);
	f->wall_ns = (t1 - t0) / exits_per_batch;
	f->kernel_ns = -1;
	f->lost = 0;
	/* !ra: a build without statistics (KCFLAGS=-DVMON_NO_EXIT_STATS) */
	if (ra) {
		f->kernel_ns = (double)(ra->host_ns - (rb ? rb->host_ns : 0)) /
			       (ra->count - (rb ? rb->count : 0));
		f->lost = after.total.events_lost - before.total.events_lost;
	}
	libvmon_vm_stats_free(&before);
	libvmon_vm_stats_free(&after);
	return 0;
}

static double rdtsc_cost_cycles(void)
{
	uint64_t a, b;
	int i;

	a = __rdtsc();
	for (i = 0; i < 100000; i++)
		(void)__rdtsc();
	b = __rdtsc();
	return (double)(b - a) / 100000;
}

int main(int argc, char **argv)
{
	struct figures off, filtered, reading, full;
	struct libvmon_nl v, tr, tr_full;
	struct libvmon_vm_info info;
	struct reader rd = { 0 };
	struct test_vm t;
	pthread_t th;
	uint32_t cpuid, other;
	int small = 1, r;

	if (argc > 1)
		exits_per_batch = strtoull(argv[1], NULL, 0);
	if (!exits_per_batch) {
		fprintf(stderr, "usage: trace_cost [EXITS]: EXITS must be a positive number\n");
		return 2;
	}
	r = test_vm_create_c(&t, guest_batches, exits_per_batch);
	if (r) {
		fprintf(stderr, "trace_cost: cannot create the VM: %s (is vmon.ko loaded?)\n",
			strerror(-r));
		return 1;
	}
	if (libvmon_nl_open(&v) || libvmon_nl_open(&tr) || libvmon_nl_open(&tr_full) ||
	    libvmon_nl_find_vm(&v, getpid(), &info)) {
		fprintf(stderr, "trace_cost: no \"vmon\" generic netlink family\n");
		return 1;
	}
	cpuid = exit_code_cpuid(t.vm.caps.backend);
	other = exit_code_io(t.vm.caps.backend);

	/* warm up: page faults into guest memory, caches */
	if (run_batch(&t, &v, info.id, cpuid, &off) || run_batch(&t, &v, info.id, cpuid, &off))
		return 1;
	if (off.kernel_ns < 0) {
		printf("# trace_cost: %s backend, %llu CPUID exits, module without statistics\n",
		       libvmon_backend_name(t.vm.caps.backend), (unsigned long long)exits_per_batch);
		printf("# %-10s %14.0f\n", "no-stats", off.wall_ns);
		return 0;
	}

	if (libvmon_nl_trace_start(&tr, info.id, &other, 1) ||
	    run_batch(&t, &v, info.id, cpuid, &filtered) || libvmon_nl_trace_stop(&tr, info.id))
		return 1;

	rd.v = &tr;
	if (libvmon_nl_trace_start(&tr, info.id, NULL, 0) ||
	    pthread_create(&th, NULL, reader_thread, &rd))
		return 1;
	r = run_batch(&t, &v, info.id, cpuid, &reading);
	rd.stop = 1;
	pthread_join(th, NULL);
	if (r)
		return 1;
	libvmon_nl_close(&tr);		/* closing also stops tracing */

	setsockopt(libvmon_nl_fd(&tr_full), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	if (libvmon_nl_trace_start(&tr_full, info.id, NULL, 0) ||
	    run_batch(&t, &v, info.id, cpuid, &full))
		return 1;

	printf("# trace_cost: %s backend, %llu CPUID exits per phase\n",
	       libvmon_backend_name(t.vm.caps.backend), (unsigned long long)exits_per_batch);
	printf("# %-10s %14s %18s %14s %10s\n", "phase", "wall ns/exit", "host ns/exit",
	       "events", "lost");
	printf("# %-10s %14.0f %18.0f %14s %10llu\n", "off", off.wall_ns, off.kernel_ns, "-",
	       (unsigned long long)off.lost);
	printf("# %-10s %14.0f %18.0f %14s %10llu\n", "filtered", filtered.wall_ns,
	       filtered.kernel_ns, "-", (unsigned long long)filtered.lost);
	printf("# %-10s %14.0f %18.0f %14llu %10llu\n", "reading", reading.wall_ns,
	       reading.kernel_ns, (unsigned long long)rd.events,
	       (unsigned long long)reading.lost);
	printf("# %-10s %14.0f %18.0f %14s %10llu\n", "full", full.wall_ns, full.kernel_ns,
	       "-", (unsigned long long)full.lost);
	printf("# tracing on costs %+.0f ns per exit (reading tracer), %+.0f ns (full socket)\n",
	       reading.wall_ns - off.wall_ns, full.wall_ns - off.wall_ns);
	printf("# one RDTSC here: %.1f TSC cycles (the statistics take three per exit)\n",
	       rdtsc_cost_cycles());
	libvmon_nl_close(&tr_full);
	libvmon_nl_close(&v);
	test_vm_destroy(&t);
	return 0;
}
