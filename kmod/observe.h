/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Watching VMs from outside: per-vCPU exit statistics (stats.c), exit
 * events for tracers (trace.c), the generic netlink family "vmon"
 * (netlink.c) and the registry of live VMs it lists (vm.c).
 *
 * The run loop (vcpu.c) calls three hooks per exit, and one when
 * VMON_RUN returns to userspace:
 *
 *	vmon_stats_enter(vcpu);		irqs off, just before the world switch
 *	vmon_call(run)(vcpu);
 *	vmon_stats_exit(vcpu);		irqs off, just after it
 *	r = vmon_handle_exit(vcpu);
 *	vmon_stats_handled(vcpu);	preemptible, the exit is handled
 *	...
 *	vmon_stats_user_return(vcpu);	VMON_RUN returns
 *
 * Guest time of a reason: the stints that ended with it (entry to exit).
 * Host time of a reason: from its exit to the next entry, or to the
 * return to userspace.  Handling latency (histogram, exit events): from
 * the exit until vmon_handle_exit() returned.
 *
 * Only the vCPU's own thread writes its counters (it holds vcpu->mutex),
 * with WRITE_ONCE() of whole aligned u64s; readers (netlink) use
 * READ_ONCE() and never stop the vCPU.  On x86-64 each counter is read
 * tear free, but a reader may see one exit counted in "exits" and not
 * yet in its histogram: the figures of one reply agree to within the
 * exit being handled at that moment.
 */
#ifndef VMON_OBSERVE_H
#define VMON_OBSERVE_H

#include <linux/atomic.h>
#include <linux/types.h>
#include <linux/vmon.h>

#include "core.h"

struct sk_buff;

/*
 * Dense index of hardware exit reasons.  Both vendors' codes fall in a
 * few ranges once the VMX exit-reason modifier bits (SDM Vol. 3C 25.9.1:
 * bits 31:16, e.g. bit 31 "VM-entry failure") are dropped:
 *   0x000-0x0ff  VMX basic exit reasons (< 80 today), SVM codes 00h-FFh
 *   0x400-0x41f  SVM 400h.. (NPF, AVIC, VMGEXIT; APM Vol. 2 Table C-1)
 *   -1 .. -16    SVM VMEXIT_INVALID (-1), VMEXIT_BUSY (-2), ...; also
 *                vmon's "VMfailInvalid" marker 0xffffffff on VMX
 * Anything else, and vmon's VMX marker 0x80000000 for an entry that
 * failed with VMfailValid, is counted in one last "other" slot.
 */
#define VMON_XIDX_LOW		0x100
#define VMON_XIDX_HIGH_BASE	0x400
#define VMON_XIDX_HIGH		0x20
#define VMON_XIDX_NEG		0x10
#define VMON_XIDX_OTHER		(VMON_XIDX_LOW + VMON_XIDX_HIGH + VMON_XIDX_NEG)
#define VMON_XIDX_NR		(VMON_XIDX_OTHER + 1)

unsigned int vmon_exit_index(u32 hw_reason);
/* the code reported for a slot (VMON_RSTAT_CODE); the "other" slot: VMON_RSTAT_CODE_OTHER */
u32 vmon_exit_index_code(unsigned int idx);

/* one hardware exit reason of one vCPU */
struct vmon_reason_stats {
	u64 count;
	u64 guest_ns;			/* guest stints that ended with this reason */
	u64 host_ns;			/* from the exit until it was handled */
	u64 hist[VMON_HIST_BUCKETS];	/* handling latency, log2 ns buckets */
};

/* interrupts by kind (VMON_STAT_IRQ_*, in that order) */
enum vmon_irq_kind {
	VMON_IRQ_IPI,
	VMON_IRQ_MSI,
	VMON_IRQ_TIMER,
	VMON_IRQ_NMI,
	VMON_IRQ_EXTINT,
	VMON_IRQ_INIT,
	VMON_IRQ_SIPI,
	VMON_IRQ_NR
};

struct vmon_vcpu_stats {
	/* interrupts: counted by whichever thread delivers them (atomic) */
	atomic64_t irqs[VMON_IRQ_NR];
	u64 exits;
	u64 user_exits;			/* returns to userspace after an exit */
	u64 guest_ns;
	u64 host_ns;
	u64 events_lost;

	/* scratch of the exit being handled (the vCPU thread only) */
	u64 t_entry;			/* TSC at the last entry */
	u64 t_exit;			/* TSC at the last exit */
	bool host_open;			/* its host time runs until entry or return */
	bool hist_open;			/* fast path: the entry closes the histogram too */
	u64 exit_rip;
	u64 exit_guest_tsc;
	unsigned int exit_idx;

	struct vmon_reason_stats reason[VMON_XIDX_NR];
};

/* stats.c */
int vmon_stats_setup(void);			/* module init: TSC -> ns */
struct vmon_vcpu_stats *vmon_stats_alloc(void);
void vmon_stats_free(struct vmon_vcpu_stats *stats);
#ifdef VMON_NO_EXIT_STATS
/*
 * Measurement builds only (make ... KCFLAGS=-DVMON_NO_EXIT_STATS): the
 * run loop without the hooks, to weigh what statistics and the event
 * gate cost per exit (selftests/bench/trace_cost.c).
 */
static inline void vmon_stats_enter(struct vmon_vcpu *vcpu) { }
static inline void vmon_stats_exit(struct vmon_vcpu *vcpu) { }
static inline void vmon_stats_handled(struct vmon_vcpu *vcpu) { }
static inline void vmon_stats_handled_fast(struct vmon_vcpu *vcpu) { }
static inline void vmon_stats_user_return(struct vmon_vcpu *vcpu) { }
#else
void vmon_stats_enter(struct vmon_vcpu *vcpu);
void vmon_stats_exit(struct vmon_vcpu *vcpu);
void vmon_stats_handled(struct vmon_vcpu *vcpu);
void vmon_stats_user_return(struct vmon_vcpu *vcpu);
void vmon_trace_refresh_mcast(void);

/*
 * Irqs off: the exit was handled in the run loop's fast path and the
 * guest is entered again at once, so the entry's TSC read ends both
 * the host time and the handling time (vmon_stats_close_host()): no
 * TSC read of its own.  Tracers get their events from the full path
 * (the fast path is not taken while anyone traces the VM).  Inline: it
 * runs on every fast exit.
 */
static inline void vmon_stats_handled_fast(struct vmon_vcpu *vcpu)
{
	struct vmon_vcpu_stats *s = vcpu->stats;

	s->host_open = true;
	s->hist_open = true;
	if (unlikely(!(vcpu->exit_count & 1023)))
		vmon_trace_refresh_mcast();
}
#endif
u64 vmon_cycles_to_ns(u64 cycles);
/* one interrupt of a kind reached vcpu (any context) */
static inline void vmon_stats_irq(struct vmon_vcpu *vcpu, enum vmon_irq_kind kind)
{
	atomic64_inc(&vcpu->stats->irqs[kind]);
}

/* sum of vCPU counters into *sum (zeroed by the caller); tear-free reads */
void vmon_stats_read(const struct vmon_vcpu_stats *s, struct vmon_vcpu_stats *sum);

/* trace.c: the exit-event gate and the tracers of each VM */
extern int vmon_trace_mcast_on;			/* "exits" group may have listeners */
/* any tracer or listener: checked once per exit, predicted false */
static inline bool vmon_trace_wanted(const struct vmon_vm *vm)
{
	return READ_ONCE(vm->nr_tracers) | READ_ONCE(vmon_trace_mcast_on);
}

void vmon_trace_exit(struct vmon_vcpu *vcpu, u64 latency_ns);
struct sock;
int vmon_trace_start(struct vmon_vm *vm, struct sock *sk, u32 portid, const u32 *reasons,
		     unsigned int nr_reasons);
int vmon_trace_stop(struct vmon_vm *vm, u32 portid);
void vmon_trace_vm_init(struct vmon_vm *vm);
void vmon_trace_vm_destroy(struct vmon_vm *vm);
int vmon_trace_init(void);
void vmon_trace_exit_module(void);

/* vm.c: registry of live VMs; both return a VM with a reference (vmon_vm_put) */
struct vmon_vm *vmon_vm_get_by_id(u32 id);
/* the live VM with the lowest id >= *id, or NULL; *id is set to its id */
struct vmon_vm *vmon_vm_get_next(u32 *id);
/* stop portid's tracing of every VM (its socket closed) */
void vmon_vms_trace_stop(u32 portid);

/* netlink.c */
int vmon_netlink_init(void);
void vmon_netlink_exit(void);
/* exit-event messages are built in netlink.c, which owns the family */
struct sk_buff *vmon_netlink_event(struct vmon_vcpu *vcpu, u64 latency_ns, u64 lost);
int vmon_netlink_unicast(struct sk_buff *skb, u32 portid);
int vmon_netlink_multicast(struct sk_buff *skb);
bool vmon_netlink_has_listeners(void);

#endif /* VMON_OBSERVE_H */
