// SPDX-License-Identifier: GPL-2.0-only
/*
 * The I/O thread of "vmon run" (the thread that started it): device
 * time, console input, signals and the end of the run, independent of
 * what the vCPUs do.  A vCPU that halts with its local APIC enabled
 * waits in the kernel, so device timers cannot wait for its HLT exit.
 *
 * It sleeps in epoll_wait() on
 *   - a timerfd armed at the earliest device deadline (PIT, RTC),
 *   - a signalfd for SIGINT, SIGTERM and SIGHUP (blocked in every thread),
 *   - an eventfd the other threads write when it must look again
 *     (machine_unlock(): a timer moved earlier, the UART has room for
 *     console input, the run was stopped; every vCPU halted),
 *   - the console (stdin), while the UART can take input;
 * and each time it wakes runs the due timers and feeds the console
 * under the device lock.  Interrupts the timers raise go out from here:
 * MSIs straight to the kernel, PIC requests by kicking vCPU 0.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "console.h"
#include "machine.h"
#include "run.h"
#include "vmon.h"

enum { EV_WAKE, EV_TIMER, EV_SIGNAL, EV_CONSOLE };

struct io_thread {
	struct run_ctx *ctx;
	struct console *con;
	int epfd, timer_fd, sig_fd;
	uint64_t armed;		/* what timer_fd is set to */
	bool console_watched;
	int watched_fd;		/* the console fd in the epoll set (console.c may drop it) */
};

static int watch(struct io_thread *t, int fd, int op, int tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)tag };

	return epoll_ctl(t->epfd, op, fd, &ev);
}

static int io_open(struct io_thread *t, const sigset_t *stop_signals)
{
	t->armed = MACHINE_NO_DEADLINE;
	t->epfd = epoll_create1(EPOLL_CLOEXEC);
	t->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	t->sig_fd = signalfd(-1, stop_signals, SFD_CLOEXEC | SFD_NONBLOCK);
	if (t->epfd < 0 || t->timer_fd < 0 || t->sig_fd < 0 ||
	    watch(t, t->ctx->wake_fd, EPOLL_CTL_ADD, EV_WAKE) ||
	    watch(t, t->timer_fd, EPOLL_CTL_ADD, EV_TIMER) ||
	    watch(t, t->sig_fd, EPOLL_CTL_ADD, EV_SIGNAL)) {
		vmon_err("cannot set up the I/O thread (epoll, timerfd, signalfd): %s",
			 strerror(errno));
		return -errno;
	}
	return 0;
}

static void io_close(struct io_thread *t)
{
	if (t->epfd >= 0)
		close(t->epfd);
	if (t->timer_fd >= 0)
		close(t->timer_fd);
	if (t->sig_fd >= 0)
		close(t->sig_fd);
}

static void arm(struct io_thread *t, uint64_t deadline)
{
	struct itimerspec its;

	if (deadline == t->armed)
		return;
	memset(&its, 0, sizeof(its));
	if (deadline != MACHINE_NO_DEADLINE) {
		if (!deadline)
			deadline = 1;	/* 0 would disarm it */
		its.it_value.tv_sec = (time_t)(deadline / 1000000000ull);
		its.it_value.tv_nsec = (long)(deadline % 1000000000ull);
	}
	timerfd_settime(t->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
	t->armed = deadline;
}

static void drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) > 0)
		;
}

static int take_signal(struct io_thread *t)
{
	struct signalfd_siginfo si;
	int sig = 0;

	while (read(t->sig_fd, &si, sizeof(si)) == sizeof(si))
		if (!sig)
			sig = (int)si.ssi_signo;
	return sig;
}

/* watch the console fd only while input can go somewhere; m->lock held */
static void update_console(struct io_thread *t, struct vmon_machine *m)
{
	bool want = console_readable(t->con, m);

	if (want && !t->console_watched) {
		if (!watch(t, t->con->fd, EPOLL_CTL_ADD, EV_CONSOLE)) {
			t->console_watched = true;
			t->watched_fd = t->con->fd;
		}
	} else if (!want && t->console_watched) {
		watch(t, t->watched_fd, EPOLL_CTL_DEL, EV_CONSOLE);
		t->console_watched = false;
	}
	/* room in the UART matters when nothing else would wake us for it */
	m->console_idle = !t->console_watched || t->con->pending_len;
}

/*
 * Every vCPU waits in userspace (none runs, none waits in the kernel,
 * where its APIC timer could wake it), no device timer runs and no
 * console input can come: nothing will ever raise an interrupt.
 */
static bool nothing_can_wake(struct io_thread *t, struct vmon_machine *m, uint64_t next)
{
	struct run_ctx *ctx = t->ctx;

	if (ctx->nr_halted != ctx->nr_vcpus || next != MACHINE_NO_DEADLINE ||
	    t->console_watched)
		return false;
	vmon_err("guest halted at RIP=0x%llx with no timer running and no console input to come; nothing can wake it, stopping",
		 (unsigned long long)ctx->vcpus[0].cpu.run->regs.rip);
	return true;
}

/* one wake-up's work, under the device lock; true when the run is over */
static bool serve(struct io_thread *t, int sig, bool console_ready)
{
	struct run_ctx *ctx = t->ctx;
	struct vmon_machine *m = ctx->m;
	uint64_t next;
	bool stopped;

	machine_lock(m);
	m->io_woken = false;
	if (sig && !m->stop) {
		ctx->stop_signal = sig;
		machine_request_exit(m, VMON_STATUS_SIGNAL_BASE + sig);
	}
	m->console_input_wanted = false;
	if (console_ready)
		console_pump(t->con, m);
	else
		console_flush(t->con, m);
	if (t->con->quit && !m->stop) {
		ctx->quit = true;
		machine_request_exit(m, VMON_STATUS_OK);
	}
	next = machine_run_timers(m);
	arm(t, next);
	m->io_armed = next;
	update_console(t, m);
	if (!m->stop && nothing_can_wake(t, m, next))
		machine_request_exit(m, VMON_STATUS_OK);
	stopped = m->stop;
	m->stop_notified = stopped;
	machine_unlock(m);
	return stopped;
}

static int io_loop(struct io_thread *t)
{
	struct epoll_event ev[4];
	/* a first round before any event: watch the console, arm the timers */
	bool done = serve(t, 0, false);

	while (!done) {
		bool console_ready = false;
		int i, n, sig = 0;

		n = epoll_wait(t->epfd, ev, 4, -1);
		if (n < 0 && errno != EINTR) {
			vmon_err("the I/O thread cannot wait: epoll_wait: %s", strerror(errno));
			return -errno;
		}
		for (i = 0; i < n; i++) {
			switch (ev[i].data.u32) {
			case EV_WAKE:
				drain(t->ctx->wake_fd);
				break;
			case EV_TIMER:
				drain(t->timer_fd);
				break;
			case EV_SIGNAL:
				sig = take_signal(t);
				break;
			case EV_CONSOLE:
				console_ready = true;
				break;
			}
		}
		done = serve(t, sig, console_ready);
	}
	return 0;
}

int run_io_thread(struct run_ctx *ctx)
{
	struct vmon_machine *m = ctx->m;
	struct io_thread t = { .ctx = ctx, .epfd = -1, .timer_fd = -1, .sig_fd = -1 };
	struct console con;
	sigset_t stop_signals, all;
	int ret, status;

	ret = console_open(&con, STDIN_FILENO);
	if (ret) {
		vmon_err("cannot put the terminal on stdin into raw mode: %s (redirect stdin from a file or pipe)",
			 strerror(-ret));
		return VMON_STATUS_USAGE;
	}
	t.con = &con;
	/* a closed stdout drops guest output (machine.c), it does not kill vmon */
	signal(SIGPIPE, SIG_IGN);
	/* the stop signals come through the signalfd; the vCPU threads inherit the mask */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGHUP);
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGABRT);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	status = VMON_STATUS_USAGE;
	if (!io_open(&t, &stop_signals) && !run_vcpus_start(ctx)) {
		ret = io_loop(&t);
		if (ret) {
			machine_lock(m);
			machine_request_exit(m, VMON_STATUS_USAGE);
			machine_unlock(m);
		}
	}
	machine_lock(m);
	machine_request_exit(m, VMON_STATUS_USAGE);	/* no-op if already stopped */
	machine_unlock(m);
	run_vcpus_stop(ctx);
	status = m->exit_status;
	io_close(&t);
	console_close(&con);
	return status;
}
