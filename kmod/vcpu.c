// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU object and the common run loop.
 *
 * If you read one function of vmon, read vmon_vcpu_run().  It is the
 * same on Intel and AMD: everything vendor specific happens behind
 * vmon_ops (backend.h), and everything a VM exit means is decided in
 * vmon_handle_exit() (exit.c).
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/vtime.h>

#include "compat.h"
#include "core.h"
#include "fpu.h"
#include "observe.h"

/* caller holds vm->lock; dev.c publishes the vCPU in vm->vcpus[] */
struct vmon_vcpu *vmon_vcpu_create(struct vmon_vm *vm, u32 id)
{
	size_t size = max(vmon_ops->vcpu_size, sizeof(struct vmon_vcpu));
	struct vmon_vcpu *vcpu;
	struct page *page;
	int r;

	lockdep_assert_held(&vm->lock);
	if (id >= VMON_MAX_VCPUS)
		return ERR_PTR(-EINVAL);
	if (vm->vcpus[id])
		return ERR_PTR(-EEXIST);

	vcpu = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return ERR_PTR(-ENOMEM);
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	vcpu->mode = VMON_OUTSIDE_GUEST;
	vcpu->rcu_noted = jiffies - 1;	/* the first entry notes */
	mutex_init(&vcpu->mutex);
	/* RFLAGS bit 1 is reserved and reads as 1 (SDM Vol. 1 3.4.3) */
	vcpu->regs.rflags = 2;

	r = -ENOMEM;
	vcpu->stats = vmon_stats_alloc();
	if (!vcpu->stats)
		goto err_free;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		goto err_free;
	vcpu->run = page_address(page);

	r = vmon_cpuid_init_default(vcpu);
	if (r)
		goto err_run;
	vmon_msr_reset(vcpu);
	vmon_lapic_init(vcpu);
	r = vmon_fpu_init(vcpu);
	if (r)
		goto err_cpuid;
	r = vmon_ops->vcpu_init(vcpu);
	if (r)
		goto err_fpu;

	vcpu->run->regs = vcpu->regs;
	return vcpu;

err_fpu:
	vmon_fpu_free(vcpu);
err_cpuid:
	vmon_lapic_destroy(vcpu);
	kfree(vcpu->cpuid);
err_run:
	free_page((unsigned long)vcpu->run);
err_free:
	vmon_stats_free(vcpu->stats);
	kfree(vcpu);
	return ERR_PTR(r);
}

/* the vCPU is not running and no fd refers to it (vm.c) */
void vmon_vcpu_destroy(struct vmon_vcpu *vcpu)
{
	vmon_spin_vcpu_destroy(vcpu);
	vmon_lapic_destroy(vcpu);
	vmon_ops->vcpu_destroy(vcpu);
	vmon_fpu_free(vcpu);
	kfree(vcpu->cpuid);
	/* a user mapping of the run page holds its own page reference */
	free_page((unsigned long)vcpu->run);
	mutex_destroy(&vcpu->mutex);
	vmon_stats_free(vcpu->stats);
	kfree(vcpu);
}

/*
 * Preempt off: make this CPU the vCPU's.  The backend looks at
 * vcpu->cpu to see a migration, so it is written after vcpu_load();
 * the APIC timer's hrtimer follows the vCPU (lapic_timer.c).
 */
static void __vmon_hot vmon_vcpu_load_here(struct vmon_vcpu *vcpu)
{
	int cpu = smp_processor_id();

	vmon_call(vcpu_load)(vcpu);
	if (READ_ONCE(vcpu->cpu) != cpu) {
		WRITE_ONCE(vcpu->cpu, cpu);
		vmon_lapic_timer_migrate(vcpu);
	}
}

static struct vmon_vcpu *vmon_notifier_to_vcpu(struct preempt_notifier *pn)
{
	return container_of(pn, struct vmon_vcpu, preempt_notifier);
}

/* preempt off, irqs on: the task runs again, maybe on another CPU */
static void vmon_sched_in(struct preempt_notifier *pn, int cpu)
{
	vmon_vcpu_load_here(vmon_notifier_to_vcpu(pn));
}

/* preempt and irqs off: the task leaves the CPU (preempted or sleeping) */
static void vmon_sched_out(struct preempt_notifier *pn, struct task_struct *next)
{
	vmon_call(vcpu_put)(vmon_notifier_to_vcpu(pn));
}

static struct preempt_ops vmon_preempt_ops = {
	.sched_in	= vmon_sched_in,
	.sched_out	= vmon_sched_out,
};

/*
 * The prologue and epilogue of every vCPU ioctl (dev.c), as KVM's
 * vcpu_load()/vcpu_put().  From here until vmon_vcpu_put() the backend
 * state is this task's: the VMCS current on its CPU, the host state the
 * backend saved for it.  A VMCS can be accessed only on the CPU where
 * it is current, so the preempt notifier puts the vCPU whenever the
 * scheduler takes the CPU away and loads it wherever the task runs
 * again.  Code in between runs with preemption enabled and may sleep
 * (a TDP fault allocating a table, vmon_lapic_block(), netlink); every
 * backend operation marked "loaded" may be called directly.
 */
void __vmon_hot vmon_vcpu_load(struct vmon_vcpu *vcpu)
{
	lockdep_assert_held(&vcpu->mutex);
	preempt_notifier_init(&vcpu->preempt_notifier, &vmon_preempt_ops);
	preempt_disable();
	preempt_notifier_register(&vcpu->preempt_notifier);
	vmon_vcpu_load_here(vcpu);
	vcpu->loaded = true;
	preempt_enable();
}

void __vmon_hot vmon_vcpu_put(struct vmon_vcpu *vcpu)
{
	lockdep_assert_held(&vcpu->mutex);
	preempt_disable();
	vmon_call(vcpu_put)(vcpu);
	preempt_notifier_unregister(&vcpu->preempt_notifier);
	vcpu->loaded = false;
	preempt_enable();
}

/*
 * Register access from another task (netlink's GET_STATE, with
 * vcpu->mutex held, so the owner is in no ioctl): the backend state is
 * loaded on this CPU and the task is kept from migrating until the
 * access ends.
 */
void vmon_vcpu_access_begin(struct vmon_vcpu *vcpu)
{
	lockdep_assert_held(&vcpu->mutex);
	WARN_ON_ONCE(vcpu->loaded);
	preempt_disable();
	vmon_vcpu_load_here(vcpu);
}

void vmon_vcpu_access_end(struct vmon_vcpu *vcpu)
{
	vmon_call(vcpu_put)(vcpu);
	preempt_enable();
}

/*
 * Requests and kicks (the pattern of KVM's kvm_make_request() and
 * kvm_vcpu_kick()).  The requester sets a bit and then reads vcpu->mode;
 * the vCPU sets vcpu->mode to VMON_IN_GUEST and then reads the bits,
 * with interrupts off (vmon_enter_guest()).  With a full barrier on both
 * sides at least one of them sees the other's write:
 *  - the vCPU sees the bit and serves it before entering, or
 *  - the requester sees VMON_IN_GUEST and interrupts that CPU.
 */
void vmon_vcpu_request(struct vmon_vcpu *vcpu, int req)
{
	set_bit(req, &vcpu->requests);
	/* the bit before the requester's read of vcpu->mode (vmon_vm_kick_all()) */
	smp_mb__after_atomic();
}

static void vmon_kick_ipi(void *info)
{
	/* nothing to do: receiving the IPI made the guest exit */
}

/*
 * Why kick-and-wait is enough: a vCPU in guest mode runs with host
 * interrupts disabled, and external interrupts cause a VM exit.  The IPI
 * therefore either forces an exit or, if it arrives during the entry
 * window, stays pending and forces an exit right after entry.  The IPI
 * handler runs only after the vCPU left guest mode and enabled
 * interrupts, and smp_call_function_single(..., wait = 1) returns only
 * after the handler ran.  So when this returns, every vCPU that was in
 * guest mode has left it, and its next entry will see the requests
 * posted before the kick.  A vCPU that was not in guest mode will see
 * them anyway (see vmon_vcpu_request()).  Emulators do not always honour
 * the architecture here (Bochs ignores external-interrupt exiting while
 * the guest has RFLAGS.IF clear), so the VMX backend also arms the
 * VMX-preemption timer: no guest stint outlasts about 1 ms, whatever
 * the guest does (kmod/vmx/vmx.c).  Caller: process context, irqs
 * enabled.
 */
void vmon_vm_kick_all(struct vmon_vm *vm)
{
	struct vmon_vcpu *vcpu;
	unsigned int i;
	int cpu;

	smp_mb();	/* the requests before the reads of vcpu->mode */
	for (i = 0; i < VMON_MAX_VCPUS; i++) {
		/* pairs with the publication in vmon_ioctl_create_vcpu() */
		vcpu = smp_load_acquire(&vm->vcpus[i]);
		if (!vcpu)
			continue;
		/* pairs with smp_store_mb() in vmon_enter_guest(): mode, then cpu */
		if (smp_load_acquire(&vcpu->mode) != VMON_IN_GUEST)
			continue;
		cpu = READ_ONCE(vcpu->cpu);
		if (cpu >= 0)
			smp_call_function_single(cpu, vmon_kick_ipi, NULL, 1);
	}
}

/* irqs off, loaded, mode == VMON_IN_GUEST */
static void vmon_serve_requests(struct vmon_vcpu *vcpu)
{
	/*
	 * Clear the bit before flushing: a request posted after the clear
	 * sees VMON_IN_GUEST and kicks us, so it is served on the next
	 * round and never lost.
	 */
	if (test_and_clear_bit(VMON_REQ_TLB_FLUSH, &vcpu->requests))
		vmon_ops->flush_tlb(vcpu);
}

/*
 * For the rest of the kernel, guest mode is like user mode: the guest
 * cannot be inside an RCU read-side critical section, so entering it is
 * a quiescent state, and the scheduler tick counts the time as guest time
 * (PF_VCPU).  Without the RCU note, a vCPU spinning in the guest would
 * hold up grace periods: the host interrupts it sees are taken with
 * preemption disabled, where the tick cannot report a quiescent state.
 * (KVM also enters a context-tracking extended quiescent state here on
 * nohz_full CPUs; vmon does not, so that RCU keeps watching while the
 * backend's run() decodes the exit.)  One note per jiffy is all RCU
 * needs: a grace period waits for a quiescent state of every CPU, and
 * the tick that advances jiffies ends the guest's run with an interrupt
 * exit, after which the next entry notes again.  A vCPU that comes back
 * through userspace many times a tick (port I/O) calls into RCU once,
 * as a guest spinning in the fast path does.  An expedited grace period
 * does not wait for the note: its IPI finds preemption off and asks for
 * a reschedule, which vmon_must_leave() sees.  Irqs off.
 */
static __always_inline void vmon_guest_enter_irqoff(struct vmon_vcpu *vcpu)
{
	vtime_account_guest_enter();
	if (time_after(jiffies, vcpu->rcu_noted)) {
		vcpu->rcu_noted = jiffies;
		vmon_rcu_note_guest_entry();
	}
}

/*
 * Irqs off, in guest mode: something the loop must look at before the
 * next entry.  A signal sent to this task from another CPU IPIs this
 * CPU; a reschedule request does the same.  Either may have arrived
 * while interrupts were off.  So may an INIT or a SIPI, which the loop
 * serves outside guest mode (vmon_lapic_block()), as it does the yield
 * to a sibling this vCPU's IPI woke (VMON_REQ_YIELD, spin.c).  signal_pending()
 * and need_resched() are one load of the thread flags here: the fast
 * path asks after every exit.
 */
static bool vmon_must_leave(struct vmon_vcpu *vcpu)
{
	const unsigned long work = _TIF_SIGPENDING | _TIF_NOTIFY_SIGNAL | _TIF_NEED_RESCHED;

	return (read_thread_flags() & work) ||
	       (READ_ONCE(vcpu->requests) & VMON_REQ_LEAVE_MASK);
}

/*
 * Irqs off, right after an exit: the fast path, as KVM's.  True when
 * the exit is finished here and the guest may be entered again without
 * enabling interrupts for longer than a host interrupt needs: the exits
 * vmon_handle_exit_fast() takes, and the exits for a host interrupt or
 * the VMX-preemption timer, which only need the host to take what is
 * pending (the guest would exit again at once otherwise).  PF_VCPU is
 * still set then, so a tick is guest time, as in the full path.  Not
 * while someone traces the VM: exit events are sent by the full path.
 */
static bool __vmon_hot vmon_exit_fastpath(struct vmon_vcpu *vcpu, bool *irq_window)
{
	if (unlikely(vmon_trace_wanted(vcpu->vm)))
		return false;
	if (vcpu->exit.kind == VMON_X_CONTINUE) {
		local_irq_enable();
		local_irq_disable();
		*irq_window = true;
	} else if (!vmon_handle_exit_fast(vcpu)) {
		return false;
	}
	vcpu->exit_count++;
	vmon_stats_handled_fast(vcpu);
	return true;
}

/*
 * The most exits the fast path finishes in a row without a host
 * interrupt before it opens interrupts for the host itself.  On
 * hardware a host interrupt pending at entry makes the guest exit at
 * once, and the fast path lets it in; Bochs does not exit for it while
 * the guest has RFLAGS.IF = 0 (see vmx_setup_preemption_timer()), and
 * the VMX-preemption timer never fires in a guest that exits every few
 * hundred nanoseconds: without this bound such a guest would keep the
 * host's tick, IPIs and scheduler out for as long as it exits quickly.
 * The window is opened in place, as for a host interrupt's exit: what
 * it lets in (a reschedule, a signal, a kick) is then looked at by
 * vmon_must_leave(), so the loop leaves only when there is a reason.
 */
#define VMON_FAST_EXITS_MAX	64

/*
 * Enter the guest, and again after each exit the fast path finishes.
 * Returns 0 after a VM exit for vmon_handle_exit() (vcpu->exit holds
 * it), 1 when the last exit was finished in the fast path and the loop
 * must look at something (vmon_must_leave()), or -EAGAIN when the
 * entry was abandoned because the host needs the CPU.
 */
static int __vmon_hot vmon_enter_guest(struct vmon_vcpu *vcpu)
{
	unsigned int fast = 0;
	bool irq_window = true;
	int r;

	/*
	 * The vCPU, loaded since the ioctl began, stays on this CPU until
	 * the exit is taken; the interrupt window after it (below) must not
	 * reschedule while the task is still accounted as a guest.
	 */
	preempt_disable();

	/*
	 * With interrupts off, an interrupt arriving now stays pending and
	 * makes the guest exit as soon as it is entered (VMX external-
	 * interrupt exiting, SVM INTR intercept).  Announce guest mode
	 * first, then look at what could have been posted for us, so that
	 * nothing posted from now on can be missed (vmon_vcpu_request()).
	 * The mode stays VMON_IN_GUEST across the fast path's re-entries:
	 * a kicker's IPI is taken in its interrupt window or makes the next
	 * entry exit, and vmon_must_leave() sees the request either way.
	 */
	local_irq_disable();
	smp_wmb();	/* vcpu->cpu before vcpu->mode, for vmon_vm_kick_all() */
	smp_store_mb(vcpu->mode, VMON_IN_GUEST);

	if (vmon_must_leave(vcpu)) {
		/* orders nothing we rely on; kickers seeing it late only IPI us */
		smp_store_release(&vcpu->mode, VMON_OUTSIDE_GUEST);
		local_irq_enable();
		preempt_enable();
		return -EAGAIN;
	}

	for (;;) {
		if (READ_ONCE(vcpu->requests))
			vmon_serve_requests(vcpu);
		/* what the guest gets with this entry, and the windows it needs */
		vmon_events_prepare_entry(vcpu);

		vmon_fpu_load_guest(vcpu);
		/*
		 * The guest-mode notes (vmon_guest_enter_irqoff()) at the
		 * first entry and after each host interrupt the fast path
		 * let in: PF_VCPU stays set across its re-entries, and one
		 * RCU quiescent state per tick is all RCU needs (the tick
		 * is such an interrupt), where one per exit cost a call
		 * into RCU on every CPUID.
		 */
		if (irq_window) {
			vmon_guest_enter_irqoff(vcpu);
			irq_window = false;
		}
		vmon_stats_enter(vcpu);		/* exit statistics (stats.c) */
		vmon_call(run)(vcpu);		/* the world switch: guest runs until a VM exit */
		vmon_stats_exit(vcpu);
		vmon_fpu_put_guest(vcpu);

		if (!vmon_exit_fastpath(vcpu, &irq_window)) {
			r = 0;
			break;
		}
		if (irq_window) {
			fast = 0;
		} else if (++fast == VMON_FAST_EXITS_MAX) {
			local_irq_enable();
			local_irq_disable();
			irq_window = true;
			fast = 0;
		}
		if (vmon_must_leave(vcpu)) {
			r = 1;
			break;
		}
	}

	/* the exit is complete before a kicker can see us outside */
	smp_store_release(&vcpu->mode, VMON_OUTSIDE_GUEST);

	/*
	 * The host interrupt that caused the exit, if any, is taken now.
	 * PF_VCPU is still set, so a timer tick among them is accounted
	 * as guest time; only then does the task leave guest accounting.
	 */
	local_irq_enable();
	local_irq_disable();
	vtime_account_guest_exit();
	local_irq_enable();

	preempt_enable();
	return r;
}

/*
 * VMON_RUN.
 * Returns 0 with run->exit_reason telling userspace what to do, or
 * -EINTR (run->exit_reason = VMON_EXIT_INTR) when a signal or
 * run->immediate_exit stopped it, or another -errno on an error.  In
 * every case run->regs holds the guest registers afterwards.
 */
int __vmon_hot vmon_vcpu_run(struct vmon_vcpu *vcpu)
{
	struct vmon_run *run = vcpu->run;
	int r;

	lockdep_assert_held(&vcpu->mutex);

	/*
	 * What userspace did since the last exit comes first, whatever
	 * happens next: its register edits (the RIP advance after an
	 * emulated MMIO or string I/O, a hypercall's result) and the
	 * completion of the IN or RDMSR/WRMSR it emulated.  Returning
	 * before this would let the copy-out below overwrite its edits,
	 * and the guest would run the instruction again.
	 */
	if (READ_ONCE(run->regs_dirty)) {
		memcpy(&vcpu->regs, &run->regs, sizeof(vcpu->regs));
		WRITE_ONCE(run->regs_dirty, 0);
	}
	vmon_complete_user_exit(vcpu);

	/*
	 * immediate_exit closes the race of a signal arriving just before
	 * the RUN ioctl: userspace sets it in its signal handler (KVM
	 * semantics).  The guest does not run, but the state above is
	 * already the guest's.
	 */
	if (READ_ONCE(run->immediate_exit)) {
		run->exit_reason = VMON_EXIT_INTR;
		run->hw_exit_reason = 0;
		r = -EINTR;
		goto out;
	}

	/*
	 * A socket may have joined the "exits" group since the gate was
	 * last looked at: one that was there before a vCPU's first
	 * VMON_RUN sees all of its exits.  Later joins are noticed every
	 * 1024 exits (stats.c), not at every VMON_RUN, where the lookup
	 * was a good part of a port I/O round trip's own cost.
	 */
	if (unlikely(!vcpu->exit_count))
		vmon_trace_refresh_mcast();

	/* registers set by userspace: name a broken rule instead of entering */
	if (vcpu->state_dirty && vmon_check_user_state(vcpu)) {
		r = 0;
		goto out;
	}

	/* the guest's FPU state is the task's until the loop ends (fpu.c) */
	vmon_fpu_run_begin(vcpu);
	for (;;) {
		/* deliver signals promptly, even to a guest spinning in a loop */
		if (signal_pending(current)) {
			run->exit_reason = VMON_EXIT_INTR;
			run->hw_exit_reason = 0;
			r = -EINTR;
			break;
		}

		/* halted, or waiting for a SIPI: sleep until the APIC has something */
		if (vmon_lapic_block(vcpu)) {
			run->exit_reason = VMON_EXIT_INTR;
			run->hw_exit_reason = 0;
			r = -EINTR;
			break;
		}

		/* give up the CPU if the scheduler asks; we may wake up elsewhere */
		if (need_resched())
			cond_resched();

		r = vmon_enter_guest(vcpu);
		if (r)
			continue;	/* backed out, or done in the fast path */

		vcpu->exit_count++;
		r = vmon_handle_exit(vcpu);
		vmon_stats_handled(vcpu);	/* and exit events for tracers */
		if (r > 0)
			continue;	/* handled in the kernel: enter again */
		break;			/* 0: userspace's turn; < 0: error */
	}
	vmon_fpu_run_end(vcpu);

out:
	run->regs = vcpu->regs;
	run->exit_count = vcpu->exit_count;
	vmon_events_report(vcpu);
	vmon_stats_user_return(vcpu);	/* ends the last exit's host time */
	return r;
}
