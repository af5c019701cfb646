// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exits of "vmon run": for each exit the module hands to userspace,
 * emulate what the guest asked for and re-enter, or end the run with a
 * status (see vmon.h).  Called on the exiting vCPU's own thread
 * (run_vcpus.c); device accesses take the device lock (machine.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "machine.h"
#include "run.h"
#include "vmon.h"

#define X86_RFLAGS_IF	(1ULL << 9)
/* the value RAX gets for every hypercall: no hypercalls exist yet */
#define HYPERCALL_ENOSYS	((__u64)-ENOSYS)

static int pio_access(void *opaque, __u16 port, void *data, unsigned int size, bool is_in)
{
	machine_pio(opaque, port, data, size, !is_in);
	return 0;
}

static int mmio_access(void *opaque, __u64 gpa, void *data, unsigned int len, bool is_write)
{
	machine_mmio(opaque, gpa, data, len, is_write);
	return 0;
}

static int handle_io(struct vmon_cpu *cpu, struct vmon_machine *m)
{
	struct vmon_run *run = cpu->run;
	__u32 data = run->io.data;
	int ret;

	if (run->io.flags & VMON_IO_STRING) {
		ret = libvmon_emulate_string_io(cpu, pio_access, m);
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
	machine_pio(m, run->io.port, &data, run->io.size, run->io.direction == VMON_IO_OUT);
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
	ret = libvmon_emulate_mmio(cpu, mmio_access, m);
	if (!ret)
		return RUN_REENTER;
	/* the kernel decoded it and moved RIP past it already */
	if (run->mmio.flags & VMON_MMIO_DECODED)
		rip -= run->mmio.insn_len;
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
 * HLT that reached userspace (the vCPU's local APIC is not
 * software-enabled; otherwise the kernel waits).  With interrupts
 * enabled the guest waits for one: the loop sleeps until a device
 * raises it (run_vcpus.c).  On vCPU 0 with them disabled nothing can
 * wake it, since vmon has no NMI source of its own: the machine is
 * stopped for good, which is how Linux halts or powers off a PC without
 * ACPI (reboot(2) turns POWER_OFF into HALT when no power-off handler
 * exists; machine_halt() stops the other CPUs, then "cli; hlt"), so the
 * run ends with status 0.  An application processor that does the same
 * is a CPU being parked or taken offline: it waits for an NMI or INIT
 * from another CPU's local APIC.
 */
static int handle_hlt(struct vmon_cpu *cpu)
{
	struct vmon_run *run = cpu->run;

	if ((run->regs.rflags & X86_RFLAGS_IF) || cpu->id)
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
		 libvmon_hw_exit_name(cpu->vm->caps.backend, run->hw_exit_reason),
		 libvmon_backend_name(cpu->vm->caps.backend), run->hw_exit_reason,
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
	case VMON_EXIT_EOI:
		machine_lock(m);
		machine_eoi(m, (uint8_t)run->eoi.vector);
		machine_unlock(m);
		return RUN_REENTER;
	case VMON_EXIT_INTR:		/* the loop checks for a stop, and injects */
	case VMON_EXIT_IRQ_WINDOW_OPEN:	/* the loop injects */
		return RUN_REENTER;
	}
	vmon_err("unknown exit reason %u from vmon.ko (vmon and vmon.ko from different versions?)",
		 run->exit_reason);
	return VMON_STATUS_VM_FAILED;
}

static bool env_verbose(void)
{
	const char *v = getenv("VMON_VERBOSE");

	return v && *v && strcmp(v, "0");
}

int run_loop(struct run_ctx *ctx)
{
	struct vmon_machine *m = ctx->m;
	int status;

	if (env_verbose() && machine_set_verbose(m, true))
		return VMON_STATUS_USAGE;
	ctx->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ctx->wake_fd < 0) {
		vmon_err("cannot create the I/O thread's eventfd: %s", strerror(errno));
		return VMON_STATUS_USAGE;
	}
	pthread_cond_init(&ctx->halt_cond, NULL);
	run_vcpus_hooks(ctx);
	status = run_io_thread(ctx);
	machine_set_hooks(m, NULL, NULL);
	if (ctx->quit)
		vmon_err("quit by Ctrl-A x");
	else if (ctx->stop_signal)
		vmon_err("stopped by SIG%s at RIP=0x%llx", sigabbrev_np(ctx->stop_signal),
			 (unsigned long long)ctx->vcpus[0].cpu.run->regs.rip);
	pthread_cond_destroy(&ctx->halt_cond);
	close(ctx->wake_fd);
	if (m->verbose)
		machine_report_unclaimed(m);
	return status;
}
