// SPDX-License-Identifier: GPL-2.0-only
/*
 * The vCPU threads of "vmon run": one per vCPU, each entering its guest
 * with VMON_RUN and handling its own exits (run_loop.c).
 *
 * Interrupts from the PIC follow the userspace-irqchip pattern of KVM
 * users: the 8259A's INTR output is wired to vCPU 0's LINT0, so before
 * each entry vCPU 0 asks the PIC for an unmasked request; when the
 * guest can take it now (run->ready_for_interrupt_injection) it runs the
 * PIC's acknowledge cycle and hands the vector to VMON_INTERRUPT, else
 * it sets run->request_interrupt_window and the module exits as soon as
 * it can.  A device on another thread (the I/O thread's timers, another
 * vCPU's port write) that makes the PIC's output rise kicks vCPU 0 out
 * of VMON_RUN with a signal (the pic_intr hook).  The I/O APIC needs no
 * kick: VMON_SIGNAL_MSI reaches the local APICs from any thread.
 *
 * A kick is a thread-directed KICK_SIGNAL whose handler sets
 * immediate_exit in that thread's run page: one that arrives between a
 * thread's checks and its VMON_RUN ioctl makes the ioctl return at once
 * instead of being lost (the KVM pattern).  The loop clears
 * immediate_exit before it looks at anything, never after.  Stopping
 * the run is the same: the I/O thread sets the machine's stop flag and
 * kicks every vCPU thread (a vCPU waiting for its SIPI in the kernel
 * returns VMON_EXIT_INTR too).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "machine.h"
#include "run.h"
#include "vmon.h"

#define KICK_SIGNAL	SIGUSR1

/* the run page of the vCPU this thread runs, for the kick handler */
static __thread struct vmon_run *volatile kick_run;

static void on_kick(int sig)
{
	if (kick_run)
		kick_run->immediate_exit = 1;
}

void run_wake_io(struct run_ctx *ctx)
{
	uint64_t one = 1;
	ssize_t n;

	/* EAGAIN: the counter is full, so the I/O thread is woken anyway */
	n = write(ctx->wake_fd, &one, sizeof(one));
	(void)n;
}

static int hook_send_msi(void *opaque, uint64_t address, uint32_t data)
{
	struct run_ctx *ctx = opaque;
	struct vmon_msi msi;
	int ret;

	memset(&msi, 0, sizeof(msi));
	msi.address = address;
	msi.data = data;
	ret = ioctl(ctx->vm->fd, VMON_SIGNAL_MSI, &msi);
	return ret < 0 ? -errno : ret;
}

/*
 * A virtio queue's notify address: the kernel signals fd on a guest
 * write and resumes the guest (VMON_IOEVENTFD).  -ENOTTY from a module
 * without the capability, so the device keeps taking the MMIO exit.
 */
static int hook_ioeventfd(void *opaque, uint64_t addr, unsigned int len, int fd,
			  bool deassign)
{
	struct run_ctx *ctx = opaque;

	if (!(ctx->vm->caps.flags & VMON_CAP_IOEVENTFD))
		return -ENOTTY;
	return libvmon_vm_ioeventfd(ctx->vm, addr, len, fd, 0,
				 deassign ? VMON_IOEVENTFD_DEASSIGN : 0);
}

/* an MSI-X vector: the kernel sends (address, data) when fd is signalled */
static int hook_irqfd(void *opaque, int fd, uint64_t address, uint32_t data, bool deassign)
{
	struct run_ctx *ctx = opaque;

	if (!(ctx->vm->caps.flags & VMON_CAP_IRQFD))
		return -ENOTTY;
	return libvmon_vm_irqfd(ctx->vm, fd, address, data, deassign ? VMON_IRQFD_DEASSIGN : 0);
}

/* the PIC's output rose: vCPU 0 must look (called without the device lock) */
static void hook_pic_intr(void *opaque)
{
	struct run_ctx *ctx = opaque;
	struct run_vcpu *bsp = &ctx->vcpus[0];

	/* a BSP halted in userspace re-checks the PIC under the lock */
	pthread_cond_broadcast(&ctx->halt_cond);
	if (bsp->started && !pthread_equal(bsp->thread, pthread_self()))
		pthread_kill(bsp->thread, KICK_SIGNAL);
}

static void hook_wake_io(void *opaque)
{
	run_wake_io(opaque);
}

static const struct machine_hooks run_hooks = {
	.send_msi = hook_send_msi,
	.pic_intr = hook_pic_intr,
	.wake_io = hook_wake_io,
	.ioeventfd = hook_ioeventfd,
	.irqfd = hook_irqfd,
};

void run_vcpus_hooks(struct run_ctx *ctx)
{
	machine_set_hooks(ctx->m, &run_hooks, ctx);
}

/*
 * Hand the PIC's next vector to the module when the guest can take it
 * now, else ask for an exit when it can.  A vector the module refused
 * with -EBUSY (one still queued) stays in *held and goes first next time:
 * the PIC has already moved it to in-service.  0, or a run status.
 * Called on vCPU 0 with the device lock held.
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

static int bsp_interrupts(struct run_vcpu *v, int *held)
{
	struct vmon_machine *m = v->ctx->m;
	int status;

	machine_lock(m);
	status = deliver_interrupt(&v->cpu, m, held);
	/* still waiting (window requested): no new kick needed until it is taken */
	m->pic_notified = *held >= 0 || machine_irq_pending(m);
	machine_unlock(m);
	return status;
}

/*
 * HLT reached userspace.  An application processor is handed back to
 * the kernel as halted (VMON_MP_HALTED): its local APIC wakes it on an
 * IPI, NMI or INIT, which userspace never sees.  vCPU 0 (and every vCPU
 * of a module without the local APIC) sleeps here until the PIC has a
 * request for it or the run ends; the I/O thread is told when every
 * vCPU sleeps here, to end a run that nothing can wake.
 */
static int wait_halted(struct run_vcpu *v)
{
	struct run_ctx *ctx = v->ctx;
	struct vmon_machine *m = ctx->m;
	struct vmon_mp_state mp = { .state = VMON_MP_HALTED };

	if (v->cpu.id && ctx->lapic && !ioctl(v->cpu.fd, VMON_SET_MP_STATE, &mp))
		return RUN_REENTER;
	machine_lock(m);
	v->halted = true;
	if (++ctx->nr_halted == ctx->nr_vcpus)
		run_wake_io(ctx);
	while (!machine_stopped(m) && !(v->cpu.id == 0 && machine_irq_pending(m)))
		pthread_cond_wait(&ctx->halt_cond, &m->lock);
	ctx->nr_halted--;
	v->halted = false;
	machine_unlock(m);
	return RUN_REENTER;
}

/* until the run stops: -1 when another thread stopped it, else the status */
static int vcpu_loop(struct run_vcpu *v)
{
	struct vmon_machine *m = v->ctx->m;
	struct vmon_cpu *cpu = &v->cpu;
	struct vmon_run *run = cpu->run;
	int ret, status, held = -1;

	for (;;) {
		run->immediate_exit = 0;
		if (machine_stopped(m))
			return -1;
		if (cpu->id == 0) {
			status = bsp_interrupts(v, &held);
			if (status)
				return status;
		}
		ret = libvmon_cpu_run(cpu);
		if (ret == -EINTR)
			continue;
		if (ret < 0) {
			vmon_err("running vCPU %u failed: %s (see 'dmesg' for the module's reason)",
				 cpu->id, strerror(-ret));
			return VMON_STATUS_VM_FAILED;
		}
		machine_set_exit_rip(run->regs.rip);
		status = run_handle_exit(cpu, m);
		if (status == RUN_HALTED)
			status = wait_halted(v);
		if (status >= 0)
			return status;
	}
}

static void *vcpu_thread(void *arg)
{
	struct run_vcpu *v = arg;
	struct vmon_machine *m = v->ctx->m;
	sigset_t kick;
	int status;

	kick_run = v->cpu.run;
	sigemptyset(&kick);
	sigaddset(&kick, KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	status = vcpu_loop(v);
	kick_run = NULL;
	if (status >= 0) {
		/* the first status wins; the I/O thread is woken and stops the others */
		machine_lock(m);
		machine_request_exit(m, status);
		machine_unlock(m);
	}
	return NULL;
}

/*
 * Called with every signal blocked but the I/O thread's; the vCPU
 * threads inherit that and unblock only KICK_SIGNAL.
 */
int run_vcpus_start(struct run_ctx *ctx)
{
	struct sigaction sa;
	unsigned int i;
	int ret;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: VMON_RUN must return -EINTR */
	sigaction(KICK_SIGNAL, &sa, NULL);
	/* the threads read ->started: all are set before any runs */
	machine_lock(ctx->m);
	for (i = 0; i < ctx->nr_vcpus; i++) {
		struct run_vcpu *v = &ctx->vcpus[i];

		v->ctx = ctx;
		ret = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (ret) {
			vmon_err("cannot start the thread of vCPU %u: %s (lower --cpus)",
				 i, strerror(ret));
			machine_request_exit(ctx->m, VMON_STATUS_USAGE);
			break;
		}
		v->started = true;
	}
	machine_unlock(ctx->m);
	return i == ctx->nr_vcpus ? 0 : -ret;
}

/* the run has stopped (machine_stopped()): get every thread out and wait */
void run_vcpus_stop(struct run_ctx *ctx)
{
	unsigned int i;

	pthread_cond_broadcast(&ctx->halt_cond);
	for (i = 0; i < ctx->nr_vcpus; i++)
		if (ctx->vcpus[i].started)
			pthread_kill(ctx->vcpus[i].thread, KICK_SIGNAL);
	for (i = 0; i < ctx->nr_vcpus; i++) {
		if (!ctx->vcpus[i].started)
			continue;
		pthread_join(ctx->vcpus[i].thread, NULL);
		ctx->vcpus[i].started = false;
	}
}
