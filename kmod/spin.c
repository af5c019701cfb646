// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU spinning on PAUSE gives its CPU to a sibling vCPU of the same
 * VM that is waiting for one.
 *
 * A guest spinning in a PAUSE loop waits for something another vCPU
 * must do: release a lock, answer an IPI, set a flag.  When that vCPU's
 * thread is runnable but not running (fewer host CPUs than vCPUs), the
 * spinner only burns the CPU the other one needs until the scheduler's
 * tick preempts it.  Both backends exit on such a loop (VMX "PAUSE-loop
 * exiting", SDM Vol. 3C 25.6.2 and 26.1.3; the SVM pause filter, APM
 * Vol. 2 15.14.4) and the common code then yields the CPU to a sibling
 * whose thread is runnable and not on a CPU, with yield_to(), as KVM's
 * kvm_vcpu_on_spin() does.
 *
 * Policy, kept simple and bounded: the siblings are tried in a round
 * after the one that was last given the CPU (vm->spin_next, a hint),
 * at most once each; the first yield_to() that succeeds ends the round.
 * yield_to() itself refuses a task that is running or sleeping (a
 * halted vCPU waits in vmon_lapic_block() and is woken by its event,
 * not by a yield).  Nothing here sleeps with a lock held but the
 * spinner's own vcpu->mutex, which only its owner's ioctls take; a
 * guest can gain nothing but the CPU time its own VM already had.
 * When no sibling can take the CPU, the spinner goes back to its guest
 * (after cond_resched()).
 *
 * An IPI that wakes a halted sibling makes the sender yield to it at
 * once (vmon_spin_note_wake()): the scheduler does not preempt the
 * waker for a thread whose vruntime is within its wake-up granularity,
 * and vCPUs that hand the CPU over with yield_to() stay that close, so
 * a sender spinning for the answer would otherwise burn a whole PLE
 * window and take a PAUSE exit first, on every IPI.
 */
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>

#include "core.h"

/*
 * The backends clear it at load when the CPU has no PAUSE-loop exiting
 * (VMX) or no pause filter (SVM); pause_exiting=0 at insmod turns it off.
 * Read-only afterwards: the selftests read it to know what to expect.
 */
bool vmon_pause_exiting = true;
module_param_named(pause_exiting, vmon_pause_exiting, bool, 0444);
MODULE_PARM_DESC(pause_exiting,
		 "exit on guest PAUSE loops and yield to a sibling vCPU (cleared when the CPU lacks it)");

/* vmon_spin_note_runner(): a task other than the last one runs the vCPU */
void vmon_spin_set_runner(struct vmon_vcpu *vcpu)
{
	struct pid *old, *new;

	lockdep_assert_held(&vcpu->mutex);
	old = rcu_access_pointer(vcpu->spin_pid);
	new = get_task_pid(current, PIDTYPE_PID);
	rcu_assign_pointer(vcpu->spin_pid, new);
	/* a sibling may still be looking at the old one (vmon_spin_yield_to()) */
	if (old)
		synchronize_rcu();
	put_pid(old);
}

/* the vCPU is not running and no fd refers to it: no sibling looks either */
void vmon_spin_vcpu_destroy(struct vmon_vcpu *vcpu)
{
	put_pid(rcu_dereference_protected(vcpu->spin_pid, 1));
	RCU_INIT_POINTER(vcpu->spin_pid, NULL);
}

/* > 0: the CPU went to other's thread */
static int vmon_spin_yield_to(struct vmon_vcpu *other)
{
	struct task_struct *task = NULL;
	struct pid *pid;
	int r;

	/* in guest mode its thread is on a CPU: yield_to() would refuse it */
	if (READ_ONCE(other->mode) == VMON_IN_GUEST)
		return 0;
	rcu_read_lock();
	pid = rcu_dereference(other->spin_pid);
	if (pid)
		task = get_pid_task(pid, PIDTYPE_PID);
	rcu_read_unlock();
	if (!task)
		return 0;
	r = yield_to(task, true);
	put_task_struct(task);
	return r;
}

/*
 * src's IPI (its own thread, vcpu->mutex held) woke woken from HLT onto
 * a run queue: src yields to it before its next entry (VMON_REQ_YIELD,
 * served by vmon_lapic_block()).
 */
void vmon_spin_note_wake(struct vmon_vcpu *src, struct vmon_vcpu *woken)
{
	lockdep_assert_held(&src->mutex);
	if (!vmon_pause_exiting || src == woken)
		return;
	src->spin_woken = woken;
	set_bit(VMON_REQ_YIELD, &src->requests);
}

/* VMON_REQ_YIELD, vcpu->mutex held, preemption enabled */
void vmon_spin_yield_woken(struct vmon_vcpu *vcpu)
{
	struct vmon_vcpu *other = vcpu->spin_woken;

	lockdep_assert_held(&vcpu->mutex);
	vcpu->spin_woken = NULL;
	if (other)
		vmon_spin_yield_to(other);
}

/*
 * The exit of a PAUSE loop (VMON_X_PAUSE), preemption enabled, the vCPU
 * loaded: yield to one sibling, then enter the guest again.  RIP still
 * points at the PAUSE, which the guest executes again: it only hints,
 * and not skipping it needs no instruction length (SVM without next-RIP
 * saving would have to decode its prefixes).  Always 1 (enter again).
 */
int vmon_exit_pause(struct vmon_vcpu *vcpu)
{
	struct vmon_vm *vm = vcpu->vm;
	unsigned int i, n, start = READ_ONCE(vm->spin_next);
	struct vmon_vcpu *other;

	for (i = 0; i < VMON_MAX_VCPUS; i++) {
		n = (start + i) % VMON_MAX_VCPUS;
		/* pairs with the release that publishes a vCPU (dev.c) */
		other = smp_load_acquire(&vm->vcpus[n]);
		if (!other || other == vcpu)
			continue;
		if (vmon_spin_yield_to(other) > 0) {
			WRITE_ONCE(vm->spin_next, (n + 1) % VMON_MAX_VCPUS);
			return 1;
		}
	}
	cond_resched();
	return 1;
}
