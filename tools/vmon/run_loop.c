// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vCPU run loop of "vmon run": enter the guest, and for each exit
 * the module hands to userspace either emulate what the guest asked
 * for and re-enter, or end the run with a status (see vmon.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "machine.h"
#include "run.h"
#include "vmon.h"

#define X86_RFLAGS_IF	(1ULL << 9)

/* the value RAX gets for every hypercall: no hypercalls exist yet */
#define HYPERCALL_ENOSYS	((__u64)-ENOSYS)

static volatile sig_atomic_t stop_signal;
static struct vmon_run *volatile signal_run;

/*
 * A signal that arrives between the check of stop_signal and the
 * VMON_RUN ioctl would be lost until the next exit; immediate_exit makes
 * that VMON_RUN return at once instead (the KVM pattern).
 */
static void on_stop_signal(int sig)
{
	stop_signal = sig;
	if (signal_run)
		signal_run->immediate_exit = 1;
}

static void catch_stop_signals(struct vmon_run *run)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: VMON_RUN must return -EINTR */
	signal_run = run;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
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
		return -1;
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
	return -1;
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
		return -1;
	print_insn(insn, sizeof(insn), run->mmio.insn, run->mmio.insn_len);
	if (ret == -EOPNOTSUPP)
		vmon_err("cannot emulate the instruction at RIP=0x%llx (bytes: %s) that %s MMIO address 0x%llx: not one of the MOV forms vmon decodes",
			 rip, insn, run->mmio.flags & VMON_MMIO_WRITE ? "writes" : "reads", gpa);
	else
		vmon_err("cannot emulate the MMIO access to 0x%llx at RIP=0x%llx (bytes: %s): %s",
			 gpa, rip, insn, strerror(-ret));
	return VMON_STATUS_VM_FAILED;
}

static int handle_hlt(struct vmon_cpu *cpu)
{
	struct vmon_run *run = cpu->run;

	/*
	 * No device can raise an interrupt yet, so a halted guest would
	 * sleep forever: end the run.  HLT with interrupts off (cli; hlt)
	 * is how small guests say "done", hence status 0.
	 */
	if (run->regs.rflags & X86_RFLAGS_IF)
		vmon_err("guest halted at RIP=0x%llx; no device can interrupt it yet, stopping",
			 (unsigned long long)run->regs.rip);
	else
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
		return -1;
	case VMON_EXIT_HYPERCALL:
		run->regs.rax = HYPERCALL_ENOSYS;
		run->regs_dirty = 1;
		return -1;
	case VMON_EXIT_INTR:
		return -1;	/* the loop checks for a stop signal */
	}
	vmon_err("unknown exit reason %u from vmon.ko (vmon and vmon.ko from different versions?)",
		 run->exit_reason);
	return VMON_STATUS_VM_FAILED;
}

int run_loop(struct vmon_cpu *cpu, struct vmon_machine *m)
{
	int ret, status;

	catch_stop_signals(cpu->run);
	for (;;) {
		if (stop_signal) {
			status = VMON_STATUS_SIGNAL_BASE + stop_signal;
			vmon_err("stopped by SIG%s at RIP=0x%llx", sigabbrev_np(stop_signal),
				 (unsigned long long)cpu->run->regs.rip);
			break;
		}
		ret = vmon_cpu_run(cpu);
		if (ret == -EINTR)
			continue;
		if (ret < 0) {
			vmon_err("running vCPU %u failed: %s (see 'dmesg' for the module's reason)",
				 cpu->id, strerror(-ret));
			status = VMON_STATUS_VM_FAILED;
			break;
		}
		status = run_handle_exit(cpu, m);
		if (m->stop) {
			status = m->exit_status;
			break;
		}
		if (status >= 0)
			break;
	}
	signal_run = NULL;	/* the run page goes away after this */
	return status;
}
