// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vCPU run loop of "vmon run": enter the guest, and for each exit
 * the module hands to userspace either emulate what the guest asked
 * for and re-enter, or end the run with a status (see vmon.h).
 *
 * Interrupts follow the userspace-irqchip pattern of KVM users: before
 * each entry, if the PIC has an unmasked request and the guest can take
 * it now (run->ready_for_interrupt_injection), the loop runs the PIC's
 * acknowledge cycle and hands the vector to VMON_INTERRUPT; if the
 * guest cannot, it sets run->request_interrupt_window and the module
 * exits as soon as it can.  Device time comes from one POSIX timer
 * armed at the earliest device deadline: its signal (no SA_RESTART)
 * makes VMON_RUN return, the deadline's device raises its line, and the
 * request is injected on the way back in.  A guest that halts with
 * interrupts enabled is waited for in ppoll(), until the next deadline
 * or console input.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "machine.h"
#include "run.h"
#include "vmon.h"

#define X86_RFLAGS_IF	(1ULL << 9)
/* the POSIX timer's signal: device deadlines interrupt VMON_RUN */
#define TIMER_SIGNAL	SIGALRM

/* the value RAX gets for every hypercall: no hypercalls exist yet */
#define HYPERCALL_ENOSYS	((__u64)-ENOSYS)

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t timer_signal;
static struct vmon_run *volatile signal_run;

/*
 * A signal that arrives between the loop's checks and the VMON_RUN
 * ioctl would be lost until the next exit; immediate_exit makes that
 * VMON_RUN return at once instead (the KVM pattern).  The loop clears
 * immediate_exit before it looks at the flags, never after.
 */
static void on_stop_signal(int sig)
{
	stop_signal = sig;
	if (signal_run)
		signal_run->immediate_exit = 1;
}

/* the device timer (the PIT's next edge) is due: leave the guest */
static void on_timer_signal(int sig)
{
	timer_signal = 1;
	if (signal_run)
		signal_run->immediate_exit = 1;
}

static void catch_signals(struct vmon_run *run)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: VMON_RUN and ppoll() must return -EINTR */
	signal_run = run;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_timer_signal;
	sigaction(TIMER_SIGNAL, &sa, NULL);
	/* a closed stdout drops guest output (machine.c), it does not kill vmon */
	signal(SIGPIPE, SIG_IGN);
}

static int pio_access(void *opaque, __u16 port, void *data, unsigned int size, bool is_in)
{
	struct vmon_machine *m = opaque;

	bus_access(&m->pio, port, data, size, !is_in);
	return 0;
}

static int mmio_access(void *opaque, __u64 gpa, void *data, unsigned int len, bool is_write)
{
	struct vmon_machine *m = opaque;

	bus_access(&m->mmio, gpa, data, len, is_write);
	return 0;
}

static int handle_io(struct vmon_cpu *cpu, struct vmon_machine *m)
{
	struct vmon_run *run = cpu->run;
	__u32 data = run->io.data;
	int ret;

	if (run->io.flags & VMON_IO_STRING) {
		ret = vmon_emulate_string_io(cpu, pio_access, m);
		if (ret) {
			vmon_err("cannot emulate string I/O on port 0x%x at RIP=0x%llx: %s",
				 run->io.port, (unsigned long long)run->regs.rip, strerror(-ret));
			return VMON_STATUS_VM_FAILED;
		}
		return RUN_REENTER;
	}
	if (run->io.size != 1 && run->io.size != 2 && run->io.size != 4) {
		vmon_err("port I/O exit with size %u at RIP=0x%llx (vmon and vmon.ko from different versions?)",
			 run->io.size, (unsigned long long)run->regs.rip);
		return VMON_STATUS_VM_FAILED;
	}
	if (run->io.direction == VMON_IO_IN)
		data = 0;
	/* little endian: the low bytes of data are the access */
	bus_access(&m->pio, run->io.port, &data, run->io.size,
		   run->io.direction == VMON_IO_OUT);
	if (run->io.direction == VMON_IO_IN)
		run->io.data = data;
	return RUN_REENTER;
}

static void print_insn(char *buf, size_t len, const __u8 *insn, unsigned int n)
{
	unsigned int i;
	size_t used = 0;

	buf[0] = 0;
	for (i = 0; i < n && used + 4 < len; i++)
		used += snprintf(buf + used, len - used, "%s%02x", i ? " " : "", insn[i]);
	if (!n)
		snprintf(buf, len, "not available");
}

static int handle_mmio(struct vmon_cpu *cpu, struct vmon_machine *m)
{
	struct vmon_run *run = cpu->run;
	unsigned long long rip = run->regs.rip, gpa = run->mmio.gpa;
	char insn[64];
	int ret;

	if (run->mmio.flags & VMON_MMIO_FETCH) {
		vmon_err("guest executes at 0x%llx, outside its memory (RIP=0x%llx; raise --mem, or check --entry)",
			 gpa, rip);
		return VMON_STATUS_VM_FAILED;
	}
	ret = vmon_emulate_mmio(cpu, mmio_access, m);
	if (!ret)
		return RUN_REENTER;
	print_insn(insn, sizeof(insn), run->mmio.insn, run->mmio.insn_len);
	if (ret == -EOPNOTSUPP)
		vmon_err("cannot emulate the instruction at RIP=0x%llx (bytes: %s) that %s MMIO address 0x%llx: not one of the MOV forms vmon decodes",
			 rip, insn, run->mmio.flags & VMON_MMIO_WRITE ? "writes" : "reads", gpa);
	else
		vmon_err("cannot emulate the MMIO access to 0x%llx at RIP=0x%llx (bytes: %s): %s",
			 gpa, rip, insn, strerror(-ret));
	return VMON_STATUS_VM_FAILED;
}

/*
 * HLT.  With interrupts enabled the guest waits for one: the loop
 * sleeps until a device raises it (wait_for_interrupt()).  With them
 * disabled nothing can wake it, since vmon has no NMI source: the CPU is
 * stopped for good, which is how Linux powers off a PC without ACPI
 * (reboot(2) turns POWER_OFF into HALT when no power-off handler exists,
 * and machine_halt() ends in "cli; hlt" on every CPU), so the run ends
 * with status 0.
 */
static int handle_hlt(struct vmon_cpu *cpu)
{
	struct vmon_run *run = cpu->run;

	if (run->regs.rflags & X86_RFLAGS_IF)
		return RUN_HALTED;
	vmon_err("guest halted with interrupts disabled at RIP=0x%llx",
		 (unsigned long long)run->regs.rip);
	return VMON_STATUS_OK;
}

static const char *fail_kind_name(__u32 kind)
{
	switch (kind) {
	case VMON_FAIL_VMINSTR_ERROR:
		return "VM-instruction error";
	case VMON_FAIL_GUEST_STATE:
		return "invalid guest state";
	case VMON_FAIL_MSR_LOAD:
		return "MSR loading";
	case VMON_FAIL_VMCB_INVALID:
		return "invalid VMCB";
	}
	return "other";
}

static const char *internal_kind_name(__u32 kind)
{
	switch (kind) {
	case VMON_INTERNAL_UNHANDLED_EXIT:
		return "unhandled exit";
	case VMON_INTERNAL_EMULATION:
		return "emulation failure";
	case VMON_INTERNAL_NO_MEMORY:
		return "out of memory";
	}
	return "other";
}

static int handle_fail_entry(struct vmon_cpu *cpu)
{
	struct vmon_run *run = cpu->run;

	const char *reason = run->fail_entry.reason;

	vmon_err("VM entry failed: %.*s (%s, code 0x%llx, qualification 0x%llx)",
		 VMON_REASON_LEN, reason[0] ? reason : "no reason given",
		 fail_kind_name(run->fail_entry.kind),
		 (unsigned long long)run->fail_entry.code,
		 (unsigned long long)run->fail_entry.qualification);
	return VMON_STATUS_VM_FAILED;
}

static int handle_internal_error(struct vmon_cpu *cpu)
{
	struct vmon_run *run = cpu->run;

	vmon_err("vmon.ko could not handle exit %s (%s 0x%x) at RIP=0x%llx: %s%s%.*s",
		 vmon_hw_exit_name(cpu->vm->caps.backend, run->hw_exit_reason),
		 vmon_backend_name(cpu->vm->caps.backend), run->hw_exit_reason,
		 (unsigned long long)run->regs.rip,
		 internal_kind_name(run->internal.kind),
		 run->internal.reason[0] ? ", " : "",
		 VMON_REASON_LEN, run->internal.reason);
	return VMON_STATUS_VM_FAILED;
}

int run_handle_exit(struct vmon_cpu *cpu, struct vmon_machine *m)
{
	struct vmon_run *run = cpu->run;

	switch (run->exit_reason) {
	case VMON_EXIT_IO:
		return handle_io(cpu, m);
	case VMON_EXIT_MMIO:
		return handle_mmio(cpu, m);
	case VMON_EXIT_HLT:
		return handle_hlt(cpu);
	case VMON_EXIT_SHUTDOWN:
		vmon_err("guest triple-faulted (shutdown) at RIP=0x%llx",
			 (unsigned long long)run->regs.rip);
		return VMON_STATUS_SHUTDOWN;
	case VMON_EXIT_FAIL_ENTRY:
		return handle_fail_entry(cpu);
	case VMON_EXIT_INTERNAL_ERROR:
		return handle_internal_error(cpu);
	case VMON_EXIT_MSR:
		/* no MSR beyond the module's own exists: #GP(0), as on hardware */
		run->msr.error = 1;
		return RUN_REENTER;
	case VMON_EXIT_HYPERCALL:
		run->regs.rax = HYPERCALL_ENOSYS;
		run->regs_dirty = 1;
		return RUN_REENTER;
	case VMON_EXIT_INTR:		/* the loop checks for signals and timers */
	case VMON_EXIT_IRQ_WINDOW_OPEN:	/* the loop injects */
		return RUN_REENTER;
	}
	vmon_err("unknown exit reason %u from vmon.ko (vmon and vmon.ko from different versions?)",
		 run->exit_reason);
	return VMON_STATUS_VM_FAILED;
}

/* the one POSIX timer of the run, armed at the machine's next deadline */
struct run_timer {
	timer_t id;
	bool created;
	uint64_t armed;		/* the deadline it is set for */
};

static int run_timer_create(struct run_timer *t)
{
	struct sigevent sev;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = TIMER_SIGNAL;
	t->armed = MACHINE_NO_DEADLINE;
	if (timer_create(CLOCK_MONOTONIC, &sev, &t->id)) {
		vmon_err("cannot create the device timer: %s", strerror(errno));
		return -errno;
	}
	t->created = true;
	return 0;
}

static void run_timer_arm(struct run_timer *t, uint64_t deadline)
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
	timer_settime(t->id, TIMER_ABSTIME, &its, NULL);
	t->armed = deadline;
}

static void run_timer_delete(struct run_timer *t)
{
	if (t->created)
		timer_delete(t->id);
	t->created = false;
}

/* console input that is already there, without waiting */
static void poll_console(struct console *con, struct vmon_machine *m)
{
	struct pollfd pfd = { .fd = con->fd, .events = POLLIN };

	m->console_input_wanted = false;
	console_flush(con, m);
	if (!console_readable(con, m))
		return;
	if (poll(&pfd, 1, 0) > 0)
		console_pump(con, m);
}

/*
 * Run the device timers and read console input; returns the next
 * deadline.  The console is looked at on every timer signal, and when
 * the UART asked (its FIFO drained, or the guest polls LSR for data) at
 * most once a millisecond: a poll() per LSR read would double the cost
 * of every byte of output.
 */
#define CONSOLE_POLL_NS	1000000ull

/* how often a terminal is looked at for Ctrl-A x when nothing else wakes vmon */
#define CONSOLE_ESCAPE_NS	50000000ull

static uint64_t service_devices(struct vmon_machine *m, struct console *con)
{
	static uint64_t last_poll;
	uint64_t next = machine_run_timers(m), now = 0;

	if (timer_signal) {
		timer_signal = 0;
		poll_console(con, m);
	} else if (m->console_input_wanted) {
		now = machine_now(m);
		if (now - last_poll >= CONSOLE_POLL_NS) {
			last_poll = now;
			poll_console(con, m);
		}
	}
	/*
	 * A guest that never exits must still let the user quit.  The
	 * wake-ups sit on a fixed 50 ms grid, so that the timer is not
	 * re-armed on every exit.
	 */
	if (con->escapes && con->fd >= 0) {
		if (!now)
			now = machine_now(m);
		now = (now / CONSOLE_ESCAPE_NS + 1) * CONSOLE_ESCAPE_NS;
		if (next > now)
			next = now;
	}
	return next;
}

/*
 * Hand the PIC's next vector to the module when the guest can take it
 * now, else ask for an exit when it can.  A vector the module refused
 * with -EBUSY (one still queued) stays in *held and goes first next time:
 * the PIC has already moved it to in-service.  0, or a run status.
 */
static int deliver_interrupt(struct vmon_cpu *cpu, struct vmon_machine *m, int *held)
{
	struct vmon_run *run = cpu->run;
	struct vmon_interrupt irq;

	run->request_interrupt_window = 0;
	if (*held < 0 && !machine_irq_pending(m))
		return 0;
	if (!run->ready_for_interrupt_injection) {
		run->request_interrupt_window = 1;
		return 0;
	}
	if (*held < 0)
		*held = machine_irq_ack(m);
	memset(&irq, 0, sizeof(irq));
	irq.vector = (__u32)*held;
	if (!ioctl(cpu->fd, VMON_INTERRUPT, &irq)) {
		*held = -1;
		return 0;
	}
	if (errno == EBUSY) {
		run->request_interrupt_window = 1;
		return 0;
	}
	vmon_err("cannot inject interrupt vector 0x%x: VMON_INTERRUPT failed: %s (vmon.ko without interrupt injection? rebuild and reload it)",
		 (unsigned int)irq.vector, strerror(errno));
	return VMON_STATUS_VM_FAILED;
}

/*
 * The guest executed HLT with interrupts enabled: sleep until a device
 * raises an interrupt (a timer deadline passes, console input arrives),
 * or a signal stops vmon.  RUN_REENTER to go on, or a status when
 * nothing at all could ever wake the guest.
 */
static int wait_for_interrupt(struct vmon_cpu *cpu, struct vmon_machine *m,
			      struct console *con, struct run_timer *timer)
{
	for (;;) {
		struct pollfd pfd = { .fd = -1, .events = POLLIN };
		struct timespec ts, *timeout = NULL;
		uint64_t next, now;

		next = service_devices(m, con);
		if (stop_signal || m->stop || con->quit || machine_irq_pending(m))
			return RUN_REENTER;
		if (console_readable(con, m))
			pfd.fd = con->fd;
		if (next == MACHINE_NO_DEADLINE && pfd.fd < 0) {
			vmon_err("guest halted at RIP=0x%llx with no timer running and no console input to come; nothing can wake it, stopping",
				 (unsigned long long)cpu->run->regs.rip);
			return VMON_STATUS_OK;
		}
		run_timer_arm(timer, next);
		if (next != MACHINE_NO_DEADLINE) {
			now = machine_now(m);
			next = next > now ? next - now : 0;
			ts.tv_sec = (time_t)(next / 1000000000ull);
			ts.tv_nsec = (long)(next % 1000000000ull);
			timeout = &ts;
		}
		if (ppoll(&pfd, 1, timeout, NULL) > 0 && pfd.revents)
			console_pump(con, m);
	}
}

static int stop_status(struct vmon_cpu *cpu, struct console *con)
{
	if (con->quit) {
		vmon_err("quit by Ctrl-A x");
		return VMON_STATUS_OK;
	}
	vmon_err("stopped by SIG%s at RIP=0x%llx", sigabbrev_np(stop_signal),
		 (unsigned long long)cpu->run->regs.rip);
	return VMON_STATUS_SIGNAL_BASE + stop_signal;
}

static bool env_verbose(void)
{
	const char *v = getenv("VMON_VERBOSE");

	return v && *v && strcmp(v, "0");
}

int run_loop(struct vmon_cpu *cpu, struct vmon_machine *m)
{
	struct vmon_run *run = cpu->run;
	struct run_timer timer = { .created = false };
	struct console con;
	int ret, status, held = -1;

	if (env_verbose() && machine_set_verbose(m, true))
		return VMON_STATUS_USAGE;
	if (run_timer_create(&timer))
		return VMON_STATUS_USAGE;
	ret = console_open(&con, STDIN_FILENO);
	if (ret) {
		vmon_err("cannot put the terminal on stdin into raw mode: %s (redirect stdin from a file or pipe)",
			 strerror(-ret));
		run_timer_delete(&timer);
		return VMON_STATUS_USAGE;
	}
	catch_signals(run);
	for (;;) {
		run->immediate_exit = 0;
		if (stop_signal || con.quit) {
			status = stop_status(cpu, &con);
			break;
		}
		run_timer_arm(&timer, service_devices(m, &con));
		if (m->stop) {
			status = m->exit_status;
			break;
		}
		status = deliver_interrupt(cpu, m, &held);
		if (status)
			break;
		ret = vmon_cpu_run(cpu);
		if (ret == -EINTR)
			continue;
		if (ret < 0) {
			vmon_err("running vCPU %u failed: %s (see 'dmesg' for the module's reason)",
				 cpu->id, strerror(-ret));
			status = VMON_STATUS_VM_FAILED;
			break;
		}
		m->rip = run->regs.rip;
		status = run_handle_exit(cpu, m);
		if (status == RUN_HALTED)
			status = wait_for_interrupt(cpu, m, &con, &timer);
		if (m->stop) {
			status = m->exit_status;
			break;
		}
		if (status >= 0)
			break;
	}
	signal_run = NULL;	/* the run page goes away after this */
	run_timer_delete(&timer);
	console_close(&con);
	if (m->verbose)
		machine_report_unclaimed(m);
	return status;
}
