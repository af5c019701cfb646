// SPDX-License-Identifier: GPL-2.0
/*
 * Per-vCPU exit statistics: exits, guest time and handling time per
 * hardware exit reason, a log2 histogram of handling latency, round
 * trips to userspace.  See observe.h for when the hooks run and why the
 * readers need no lock.
 *
 * The clock is the TSC, read with plain RDTSC and converted to ns with
 * the kernel's tsc_khz: three reads per exit, no function call, no
 * per-CPU data.  RDTSC is not ordered with the instructions around it,
 * but the world switch itself is serializing (VMLAUNCH/VMRESUME, VMRUN
 * and the exits they end with), so the reads next to it are in order.
 * The host TSC is invariant on the machines vmon supports (it keeps
 * counting at one rate across C- and P-states, SDM Vol. 3B 18.17.1), so
 * a stint that started on one CPU and ended on another after a migration
 * is still measured right as long as the kernel keeps the TSCs in sync;
 * a negative difference (unsynchronised TSCs) is counted as 0.
 */
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "observe.h"

/* ns = cycles * mult >> VMON_NS_SHIFT */
#define VMON_NS_SHIFT	22
static u32 vmon_ns_mult;

int vmon_stats_setup(void)
{
	/* 0 only without a usable TSC: then assume 1 GHz */
	u64 khz = tsc_khz ? tsc_khz : 1000000;

	/* NSEC_PER_MSEC / kHz = ns per cycle; fits u32 for any TSC above 1 MHz */
	vmon_ns_mult = div_u64((u64)NSEC_PER_MSEC << VMON_NS_SHIFT, khz);
	return 0;
}

u64 vmon_cycles_to_ns(u64 cycles)
{
	return mul_u64_u32_shr(cycles, vmon_ns_mult, VMON_NS_SHIFT);
}

unsigned int vmon_exit_index(u32 hw_reason)
{
	u32 basic;

	if (hw_reason >= (u32)-VMON_XIDX_NEG)
		return VMON_XIDX_LOW + VMON_XIDX_HIGH + (~hw_reason);
	/* VMX: an entry that failed before any exit (VMfailValid) has no basic reason */
	if (hw_reason == BIT(31))
		return VMON_XIDX_OTHER;
	basic = hw_reason & 0xffff;
	if (basic < VMON_XIDX_LOW)
		return basic;
	if (basic >= VMON_XIDX_HIGH_BASE && basic < VMON_XIDX_HIGH_BASE + VMON_XIDX_HIGH)
		return VMON_XIDX_LOW + basic - VMON_XIDX_HIGH_BASE;
	return VMON_XIDX_OTHER;
}

u32 vmon_exit_index_code(unsigned int idx)
{
	BUILD_BUG_ON(VMON_RSTAT_CODE_OTHER != (u32)-VMON_XIDX_NEG - 1);

	if (idx < VMON_XIDX_LOW)
		return idx;
	idx -= VMON_XIDX_LOW;
	if (idx < VMON_XIDX_HIGH)
		return VMON_XIDX_HIGH_BASE + idx;
	idx -= VMON_XIDX_HIGH;
	if (idx < VMON_XIDX_NEG)
		return ~idx;
	return VMON_RSTAT_CODE_OTHER;
}

struct vmon_vcpu_stats *vmon_stats_alloc(void)
{
	/* about 85 KiB: more than kmalloc should be asked for */
	return kvzalloc(sizeof(struct vmon_vcpu_stats), GFP_KERNEL_ACCOUNT);
}

void vmon_stats_free(struct vmon_vcpu_stats *stats)
{
	kvfree(stats);
}

/* single writer (the vCPU thread): a plain add, published whole */
static __always_inline void vmon_stat_add(u64 *counter, u64 v)
{
	WRITE_ONCE(*counter, *counter + v);
}

static __always_inline u64 vmon_elapsed(u64 from, u64 to)
{
	return to > from ? to - from : 0;
}

#ifndef VMON_NO_EXIT_STATS
static unsigned int vmon_hist_bucket(u64 ns);

/* the last exit's host time ends at t (an entry, or the return to userspace) */
static __always_inline void vmon_stats_close_host(struct vmon_vcpu_stats *s, u64 t)
{
	struct vmon_reason_stats *rs = &s->reason[s->exit_idx];
	u64 ns = vmon_cycles_to_ns(vmon_elapsed(s->t_exit, t));

	s->host_open = false;
	vmon_stat_add(&s->host_ns, ns);
	vmon_stat_add(&rs->host_ns, ns);
	/* handled in the fast path: handling ended with this entry */
	if (s->hist_open) {
		s->hist_open = false;
		vmon_stat_add(&rs->hist[vmon_hist_bucket(ns)], 1);
	}
}

/* irqs off, loaded: the guest is entered right after this */
void __vmon_hot vmon_stats_enter(struct vmon_vcpu *vcpu)
{
	struct vmon_vcpu_stats *s = vcpu->stats;

	s->t_entry = rdtsc();
	if (s->host_open)
		vmon_stats_close_host(s, s->t_entry);
}

/* irqs off, loaded: vcpu->exit was just decoded */
void __vmon_hot vmon_stats_exit(struct vmon_vcpu *vcpu)
{
	struct vmon_vcpu_stats *s = vcpu->stats;
	struct vmon_reason_stats *rs;
	u64 guest_ns;

	s->t_exit = rdtsc();
	s->exit_idx = vmon_exit_index(vcpu->exit.hw_reason);
	rs = &s->reason[s->exit_idx];
	guest_ns = vmon_cycles_to_ns(vmon_elapsed(s->t_entry, s->t_exit));

	vmon_stat_add(&s->exits, 1);
	vmon_stat_add(&s->guest_ns, guest_ns);
	vmon_stat_add(&rs->count, 1);
	vmon_stat_add(&rs->guest_ns, guest_ns);

	/*
	 * What an exit event reports must be taken now: handling moves RIP
	 * past the instruction.  The guest TSC is the host TSC plus the
	 * vCPU's offset (SDM Vol. 3C 26.6.5, APM Vol. 2 15.30.5), which the
	 * backend reports as the guest's IA32_TIME_STAMP_COUNTER: read
	 * within a few cycles of the exit.
	 */
	if (unlikely(vmon_trace_wanted(vcpu->vm))) {
		s->exit_rip = vcpu->regs.rip;
		if (vmon_ops->get_msr(vcpu, VMON_MSR_TSC, &s->exit_guest_tsc))
			s->exit_guest_tsc = 0;
	}
}

/* log2 bucket of a latency: [2^i, 2^(i+1)) ns, 0 ns in bucket 0 */
static unsigned int vmon_hist_bucket(u64 ns)
{
	unsigned int b = ns ? fls64(ns) - 1 : 0;

	return min_t(unsigned int, b, VMON_HIST_BUCKETS - 1);
}

/* preemptible: vmon_handle_exit() is done with the exit */
void __vmon_hot vmon_stats_handled(struct vmon_vcpu *vcpu)
{
	struct vmon_vcpu_stats *s = vcpu->stats;
	struct vmon_reason_stats *rs = &s->reason[s->exit_idx];
	u64 ns = vmon_cycles_to_ns(vmon_elapsed(s->t_exit, rdtsc()));

	/* its host time runs on until the next entry or the return */
	s->host_open = true;
	vmon_stat_add(&rs->hist[vmon_hist_bucket(ns)], 1);

	/*
	 * The "exits" multicast group cannot tell us when someone joins
	 * (Linux 6.1 genetlink has no bind callback for families), so the
	 * gate is refreshed at a vCPU's first VMON_RUN, every 1024 exits of
	 * each vCPU and when a netlink socket closes: a listener that joins
	 * while a VM runs may miss up to 1023 exits of each vCPU, one that
	 * was there before a vCPU first ran misses none.
	 */
	if (unlikely(!(vcpu->exit_count & 1023)))
		vmon_trace_refresh_mcast();

	if (unlikely(vmon_trace_wanted(vcpu->vm)))
		vmon_trace_exit(vcpu, ns);
}

/* VMON_RUN returns: a round trip to userspace, whatever the reason */
void __vmon_hot vmon_stats_user_return(struct vmon_vcpu *vcpu)
{
	struct vmon_vcpu_stats *s = vcpu->stats;

	vmon_stat_add(&s->user_exits, 1);
	if (s->host_open)
		vmon_stats_close_host(s, rdtsc());
}
#endif /* VMON_NO_EXIT_STATS */

/* readers: netlink, any task, the vCPU may be running */
void vmon_stats_read(const struct vmon_vcpu_stats *s, struct vmon_vcpu_stats *sum)
{
	unsigned int i, b;

	sum->exits += READ_ONCE(s->exits);
	sum->user_exits += READ_ONCE(s->user_exits);
	sum->guest_ns += READ_ONCE(s->guest_ns);
	sum->host_ns += READ_ONCE(s->host_ns);
	sum->events_lost += READ_ONCE(s->events_lost);
	for (i = 0; i < VMON_IRQ_NR; i++)
		atomic64_add(atomic64_read(&s->irqs[i]), &sum->irqs[i]);
	for (i = 0; i < VMON_XIDX_NR; i++) {
		const struct vmon_reason_stats *rs = &s->reason[i];
		struct vmon_reason_stats *t = &sum->reason[i];

		if (!READ_ONCE(rs->count))
			continue;
		t->count += READ_ONCE(rs->count);
		t->guest_ns += READ_ONCE(rs->guest_ns);
		t->host_ns += READ_ONCE(rs->host_ns);
		for (b = 0; b < VMON_HIST_BUCKETS; b++)
			t->hist[b] += READ_ONCE(rs->hist[b]);
	}
}
