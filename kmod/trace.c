// SPDX-License-Identifier: GPL-2.0
/*
 * Exit events: one VMON_CMD_EXIT_EVENT message per VM exit, sent to the
 * sockets tracing that VM (VMON_CMD_TRACE_START) and to the "exits"
 * multicast group.
 *
 * Nothing here may block a vCPU.  Messages are allocated with
 * GFP_NOWAIT and sent without waiting for room: when a tracer's socket
 * buffer is full the event is dropped, and the loss is counted for that
 * tracer (VMON_EV_LOST in its next event) and for the vCPU
 * (VMON_STAT_EVENTS_LOST).  Events stop at half of a tracer's receive
 * buffer: the other half is kept for the replies to the requests the
 * same socket sends (GET_STATS, TRACE_STOP, ...).  A reply that finds
 * no room is lost for good (netlink_unicast() does not wait for the
 * kernel's own replies), and the tracing program would wait for it
 * forever.
 *
 * Cost when nobody listens: vmon_trace_wanted() (observe.h) reads two
 * words and takes one branch that is predicted not taken.
 *
 * Lifetime: a VM's tracers are an RCU list; vCPU threads walk it under
 * rcu_read_lock(), and changes are made under vm->trace_lock.  A tracer
 * goes away on VMON_CMD_TRACE_STOP, when its socket closes (the
 * NETLINK_URELEASE notifier) or with the VM.
 */
#define pr_fmt(fmt) "vmon: " fmt

#include <linux/bitmap.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/rculist.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "observe.h"

/* tracing sockets per VM: each costs a message per exit */
#define VMON_MAX_TRACERS	8

struct vmon_tracer {
	struct list_head node;
	struct rcu_head rcu;
	u32 portid;
	struct sock *sk;		/* the tracing socket, held: its buffer fill */
	bool filtered;			/* only the reasons in filter */
	atomic64_t lost;
	DECLARE_BITMAP(filter, VMON_XIDX_NR);
};

int vmon_trace_mcast_on;

/* irqs off or not, any context that may call netlink_has_listeners() */
void __vmon_hot vmon_trace_refresh_mcast(void)
{
	bool on = vmon_netlink_has_listeners();

	if (READ_ONCE(vmon_trace_mcast_on) != on)
		WRITE_ONCE(vmon_trace_mcast_on, on);
}

void vmon_trace_vm_init(struct vmon_vm *vm)
{
	spin_lock_init(&vm->trace_lock);
	INIT_LIST_HEAD(&vm->tracers);
	vm->nr_tracers = 0;
}

static struct vmon_tracer *vmon_tracer_find(struct vmon_vm *vm, u32 portid)
{
	struct vmon_tracer *t;

	list_for_each_entry(t, &vm->tracers, node)
		if (t->portid == portid)
			return t;
	return NULL;
}

static void vmon_tracer_free_rcu(struct rcu_head *head)
{
	struct vmon_tracer *t = container_of(head, struct vmon_tracer, rcu);

	sock_put(t->sk);
	kfree(t);
}

static void vmon_tracer_free(struct vmon_tracer *t)
{
	call_rcu(&t->rcu, vmon_tracer_free_rcu);
}

/*
 * Start tracing vm for the socket sk (portid), or change its filter if
 * it is already tracing.  reasons: hardware exit reasons, none = every
 * exit.
 */
int vmon_trace_start(struct vmon_vm *vm, struct sock *sk, u32 portid, const u32 *reasons,
		     unsigned int nr_reasons)
{
	struct vmon_tracer *t, *old;
	unsigned int i;

	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	sock_hold(sk);
	t->sk = sk;
	t->portid = portid;
	t->filtered = nr_reasons > 0;
	atomic64_set(&t->lost, 0);
	for (i = 0; i < nr_reasons; i++)
		__set_bit(vmon_exit_index(reasons[i]), t->filter);

	spin_lock(&vm->trace_lock);
	old = vmon_tracer_find(vm, portid);
	if (old) {
		atomic64_set(&t->lost, atomic64_read(&old->lost));
		list_replace_rcu(&old->node, &t->node);
		spin_unlock(&vm->trace_lock);
		vmon_tracer_free(old);
		return 0;
	}
	if (vm->nr_tracers >= VMON_MAX_TRACERS) {
		spin_unlock(&vm->trace_lock);
		sock_put(sk);
		kfree(t);
		return -EBUSY;
	}
	list_add_tail_rcu(&t->node, &vm->tracers);
	WRITE_ONCE(vm->nr_tracers, vm->nr_tracers + 1);
	spin_unlock(&vm->trace_lock);
	return 0;
}

static void vmon_tracer_remove(struct vmon_vm *vm, struct vmon_tracer *t)
{
	lockdep_assert_held(&vm->trace_lock);
	list_del_rcu(&t->node);
	WRITE_ONCE(vm->nr_tracers, vm->nr_tracers - 1);
	vmon_tracer_free(t);
}

int vmon_trace_stop(struct vmon_vm *vm, u32 portid)
{
	struct vmon_tracer *t;
	int r = -ENOENT;

	spin_lock(&vm->trace_lock);
	t = vmon_tracer_find(vm, portid);
	if (t) {
		vmon_tracer_remove(vm, t);
		r = 0;
	}
	spin_unlock(&vm->trace_lock);
	return r;
}

/* no vCPU runs any more; RCU readers may still be walking the list */
void vmon_trace_vm_destroy(struct vmon_vm *vm)
{
	struct vmon_tracer *t, *tmp;

	spin_lock(&vm->trace_lock);
	list_for_each_entry_safe(t, tmp, &vm->tracers, node)
		vmon_tracer_remove(vm, t);
	spin_unlock(&vm->trace_lock);
}

/*
 * A netlink socket closed: if it traced VMs, stop.  Called for every
 * generic netlink socket of every namespace; the family lives in the
 * initial namespace only (netnsok = 0).
 */
static int vmon_trace_netlink_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC ||
	    !net_eq(n->net, &init_net) || !n->portid)
		return NOTIFY_DONE;
	vmon_vms_trace_stop(n->portid);
	/* it may have been the last listener of the "exits" group */
	vmon_trace_refresh_mcast();
	return NOTIFY_DONE;
}

static struct notifier_block vmon_trace_notifier = {
	.notifier_call = vmon_trace_netlink_event,
};

int vmon_trace_init(void)
{
	return netlink_register_notifier(&vmon_trace_notifier);
}

void vmon_trace_exit_module(void)
{
	netlink_unregister_notifier(&vmon_trace_notifier);
	/* tracers freed with call_rcu() must be gone before the module */
	rcu_barrier();
}

/*
 * Send one exit's event.  Preemptible, the vCPU thread, right after the
 * exit was handled.  Never waits: GFP_NOWAIT, non-blocking sends.
 */
void vmon_trace_exit(struct vmon_vcpu *vcpu, u64 latency_ns)
{
	struct vmon_vcpu_stats *s = vcpu->stats;
	struct vmon_vm *vm = vcpu->vm;
	struct vmon_tracer *t;
	struct sk_buff *skb;
	u64 lost;

	rcu_read_lock();
	list_for_each_entry_rcu(t, &vm->tracers, node) {
		if (t->filtered && !test_bit(s->exit_idx, t->filter))
			continue;
		lost = atomic64_read(&t->lost);
		/* half the buffer stays free for replies (see the top) */
		skb = NULL;
		if (atomic_read(&t->sk->sk_rmem_alloc) <= READ_ONCE(t->sk->sk_rcvbuf) / 2)
			skb = vmon_netlink_event(vcpu, latency_ns, lost);
		/* on failure the skb is freed; -ECONNREFUSED: closing, notifier comes */
		if (!skb || vmon_netlink_unicast(skb, t->portid)) {
			atomic64_inc(&t->lost);
			WRITE_ONCE(s->events_lost, s->events_lost + 1);
		}
	}
	rcu_read_unlock();

	if (!READ_ONCE(vmon_trace_mcast_on))
		return;
	skb = vmon_netlink_event(vcpu, latency_ns, READ_ONCE(s->events_lost));
	if (!skb) {
		WRITE_ONCE(s->events_lost, s->events_lost + 1);
		return;
	}
	switch (vmon_netlink_multicast(skb)) {
	case 0:
		break;
	case -ESRCH:		/* the last listener left */
		WRITE_ONCE(vmon_trace_mcast_on, 0);
		break;
	default:		/* -ENOBUFS: some listener's buffer was full */
		WRITE_ONCE(s->events_lost, s->events_lost + 1);
		break;
	}
}
