// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC timer of a vCPU (SDM Vol. 3A 11.5.4 "APIC Timer" and
 * 11.5.4.1 "TSC-Deadline Mode"): one-shot, periodic and TSC-deadline
 * modes on one host hrtimer per vCPU.
 *
 * Clock.  The APIC bus runs at VMON_APIC_BUS_HZ (1 GHz, the frequency
 * KVM's APIC has); the count register decrements once every "divide"
 * bus cycles (TDCR).  Every expiry is kept as a host TSC value: the
 * guest's TSC is the host's plus the backend's offset (same rate, no
 * scaling), so a deadline in guest TSC and a count in bus cycles both
 * become one host TSC target.  The hrtimer (CLOCK_MONOTONIC) is only the
 * alarm clock: its callback compares RDTSC with the target and sleeps
 * again when the host clock ran ahead of the TSC, so the guest never
 * sees the interrupt before its deadline by its own RDTSC.
 *
 * Periodic mode keeps its expiries on the grid start + k * period, in
 * TSC cycles, whatever the callback's lateness: the period does not
 * drift, and periods the host missed are coalesced into one interrupt
 * (the IRR holds one bit per vector anyway).  A period shorter than
 * VMON_LAPIC_MIN_PERIOD_NS is stretched to it, so that a guest
 * programming a count of 1 cannot keep a host CPU in hard-irq context.
 *
 * Context.  Everything but the callback runs on the vCPU thread with
 * vcpu->mutex held (or at vCPU creation, before anyone else can see the
 * vCPU: the APIC reset restores a stopped timer) and changes the timer's fields only after
 * hrtimer_cancel(), which waits for a running callback; the callback
 * runs in hard-irq context, on any CPU (hrtimers of an offlined CPU are
 * moved by the kernel), reads only the timer and calls
 * vmon_lapic_timer_fired().
 */
#include <linux/hrtimer.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#include "core.h"

/*
 * Shortest period of the periodic mode: a programmed period below it
 * (count * divide bus cycles) is stretched to it.  KVM's default
 * (min_timer_period_us) is the same 200 us.
 */
#define VMON_LAPIC_MIN_PERIOD_NS	200000ULL

/* a far deadline sleeps at most this long (~ minutes) before a new look */
#define TIMER_MAX_SLEEP_NS		BIT_ULL(38)

/* the host TSC in kHz; the timer assumes 1 GHz if the kernel never measured it */
static u32 timer_tsc_khz(void)
{
	return tsc_khz ? tsc_khz : 1000000;
}

/* bus cycles to TSC cycles, rounded up: an expiry is never early */
static u64 bus_to_tsc(u64 bus)
{
	return mul_u64_u32_div(bus, timer_tsc_khz(), VMON_APIC_BUS_HZ / 1000) + 1;
}

/* TSC cycles to whole bus cycles (rounded down: a count is never ahead) */
static u64 tsc_to_bus(u64 tsc)
{
	return mul_u64_u32_div(tsc, VMON_APIC_BUS_HZ / 1000, timer_tsc_khz());
}

/* nanoseconds of host time from the TSC value now to target, rounded up */
static u64 tsc_delta_ns(u64 now, u64 target)
{
	u64 ns;

	if (target <= now)
		return 0;
	ns = mul_u64_u32_div(min(target - now, TIMER_MAX_SLEEP_NS), USEC_PER_SEC,
			     timer_tsc_khz());
	return min(ns + 1, TIMER_MAX_SLEEP_NS);
}

/*
 * The alarm goes off this much before the target, and the callback
 * waits out the rest with the TSC (KVM's lapic_timer_advance_ns does
 * the same at entry): the host's own timer interrupt arrives late by a
 * grain of its clock event device (the local APIC's one-shot count
 * when TSC-deadline mode is off, as on Bochs), which would otherwise
 * add to every expiry, by an amount that shifts with any change of
 * host code timing.  The guest never sees the interrupt early: it is
 * posted once the TSC has reached the target.
 */
static unsigned int lapic_timer_advance_ns = 1000;
module_param(lapic_timer_advance_ns, uint, 0444);
MODULE_PARM_DESC(lapic_timer_advance_ns,
		 "APIC timer: the host timer goes off this many ns before the guest's expiry and waits out the rest (0-10000, default 1000)");

static u64 timer_advance_tsc(void)
{
	return mul_u64_u32_div(min(lapic_timer_advance_ns, 10000u), timer_tsc_khz(),
			       USEC_PER_SEC);
}

/* the alarm for target: tsc_delta_ns() less the advance */
static u64 timer_sleep_ns(u64 now, u64 target)
{
	u64 adv = timer_advance_tsc();

	return tsc_delta_ns(now, target > now + adv ? target - adv : now);
}

/* TDCR bits 3, 1:0 (SDM Vol. 3A Figure 11-10): 000b divides by 2 ... 111b by 1 */
static u32 tdcr_divide(u32 tdcr)
{
	u32 v = (tdcr & 3) | ((tdcr >> 1) & 4);

	return v == 7 ? 1 : 2u << v;
}

/* LVTT timer mode; the reserved mode 11b counts as one-shot */
static u32 lvtt_mode(u32 lvtt)
{
	u32 mode = lvtt & VMON_APIC_LVTT_MODE;

	return mode == VMON_APIC_LVTT_MODE ? VMON_APIC_LVTT_ONESHOT : mode;
}

static struct vmon_vcpu *timer_vcpu(struct vmon_lapic_timer *t)
{
	return container_of(t, struct vmon_vcpu, lapic.timer);
}

/* hard irq: the hrtimer went off */
static enum hrtimer_restart timer_callback(struct hrtimer *h)
{
	struct vmon_lapic_timer *t = container_of(h, struct vmon_lapic_timer, hrtimer);
	u64 now = rdtsc();
	u64 missed;

	if (now < t->target_tsc) {
		if (t->target_tsc - now > timer_advance_tsc()) {
			/* the host clock ran ahead of the TSC, or a far deadline */
			hrtimer_set_expires(h, ktime_add_ns(hrtimer_cb_get_time(h),
							    timer_sleep_ns(now, t->target_tsc)));
			return HRTIMER_RESTART;
		}
		/* within the advance: at most lapic_timer_advance_ns */
		while ((now = rdtsc()) < t->target_tsc)
			cpu_relax();
	}

	if (!t->period_tsc) {
		WRITE_ONCE(t->expired, true);
		/* the MSR reads 0 before the guest can see the interrupt */
		smp_wmb();
		vmon_lapic_timer_fired(timer_vcpu(t));
		return HRTIMER_NORESTART;
	}

	/* periodic: the next point of the grid after now */
	missed = div64_u64(now - t->target_tsc, t->period_tsc);
	t->target_tsc += (missed + 1) * t->period_tsc;
	hrtimer_set_expires(h, ktime_add_ns(hrtimer_cb_get_time(h),
					    timer_sleep_ns(now, t->target_tsc)));
	vmon_lapic_timer_fired(timer_vcpu(t));
	return HRTIMER_RESTART;
}

/* the hrtimer is not queued: go off at host TSC target, on this CPU */
static void timer_arm(struct vmon_lapic_timer *t, u64 target)
{
	t->target_tsc = target;
	WRITE_ONCE(t->expired, false);
	hrtimer_start(&t->hrtimer, ns_to_ktime(timer_sleep_ns(rdtsc(), target)),
		      HRTIMER_MODE_REL_PINNED_HARD);
}

/* stopped: TMCCT reads 0, nothing is queued (hrtimer cancelled) */
static void timer_stop(struct vmon_lapic_timer *t)
{
	t->initial = 0;
	t->period_tsc = 0;
	t->target_tsc = 0;
	WRITE_ONCE(t->expired, false);
}

/*
 * One-shot or periodic: the count was loaded with initial and has
 * count (1 .. initial) left now.  The hrtimer is not queued.
 */
static void timer_load(struct vmon_lapic_timer *t, u32 initial, u32 count)
{
	u64 now = rdtsc();
	u64 bus;

	t->initial = initial;
	t->start_tsc = now - bus_to_tsc((u64)(initial - count) * t->divide);
	if (t->mode == VMON_APIC_LVTT_PERIODIC) {
		bus = max((u64)initial * t->divide,
			  VMON_LAPIC_MIN_PERIOD_NS * VMON_APIC_BUS_HZ / NSEC_PER_SEC);
		t->period_tsc = bus_to_tsc(bus);
		timer_arm(t, t->start_tsc + t->period_tsc);
	} else {
		t->period_tsc = 0;
		timer_arm(t, now + bus_to_tsc((u64)count * t->divide));
	}
}

void vmon_lapic_timer_init(struct vmon_vcpu *vcpu)
{
	struct vmon_lapic_timer *t = &vcpu->lapic.timer;

	memset(t, 0, sizeof(*t));
	hrtimer_init(&t->hrtimer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	t->hrtimer.function = timer_callback;
	t->mode = VMON_APIC_LVTT_ONESHOT;
	t->divide = tdcr_divide(0);	/* TDCR resets to 0: divide by 2 */
}

void vmon_lapic_timer_destroy(struct vmon_vcpu *vcpu)
{
	hrtimer_cancel(&vcpu->lapic.timer.hrtimer);
}

u32 vmon_lapic_timer_current_count(struct vmon_vcpu *vcpu)
{
	struct vmon_lapic_timer *t = &vcpu->lapic.timer;
	u64 elapsed, passed;

	lockdep_assert_held(&vcpu->mutex);
	/* TSC-deadline mode: the count register reads 0 (11.5.4.1) */
	if (t->mode == VMON_APIC_LVTT_TSCDEADLINE || !t->initial)
		return 0;
	elapsed = rdtsc() - t->start_tsc;
	if (t->period_tsc)
		div64_u64_rem(elapsed, t->period_tsc, &elapsed);
	else if (elapsed >= t->target_tsc - t->start_tsc)
		return 0;	/* one-shot: counted down, stays at 0 */
	passed = div_u64(tsc_to_bus(elapsed), t->divide);
	return passed >= t->initial ? 0 : t->initial - passed;
}

/*
 * The hrtimer was cancelled to change the mode or the rate: go on from
 * count (read before the change).  At 0, a running timer that has not
 * fired yet still fires: a periodic one in the tail of a stretched
 * period starts its next period, a one-shot fires at its target.
 */
static void timer_resume(struct vmon_lapic_timer *t, u32 count, bool was_queued)
{
	if (t->mode != VMON_APIC_LVTT_PERIODIC)
		t->period_tsc = 0;
	if (count)
		timer_load(t, t->initial, count);
	else if (was_queued && t->mode == VMON_APIC_LVTT_PERIODIC)
		timer_load(t, t->initial, t->initial);
	else if (was_queued)
		timer_arm(t, t->target_tsc);
}

/*
 * LVTT written.  Moving into or out of TSC-deadline mode disarms the
 * timer (11.5.4.1); between one-shot and periodic the count goes on
 * from where it is (a one-shot that reached 0 stays there).  The mask
 * bit is looked at when the timer fires.
 */
static void timer_write_lvtt(struct vmon_vcpu *vcpu)
{
	struct vmon_lapic_timer *t = &vcpu->lapic.timer;
	u32 mode = lvtt_mode(vmon_lapic_get_reg(vcpu, VMON_APIC_LVTT));
	bool queued;
	u32 count;

	if (mode == t->mode)
		return;
	count = vmon_lapic_timer_current_count(vcpu);
	queued = hrtimer_cancel(&t->hrtimer);
	if (mode == VMON_APIC_LVTT_TSCDEADLINE || t->mode == VMON_APIC_LVTT_TSCDEADLINE) {
		t->mode = mode;
		t->tsc_deadline = 0;
		timer_stop(t);
		return;
	}
	t->mode = mode;
	timer_resume(t, count, queued);
}

/* TDCR written: the count goes on from where it is, at the new rate */
static void timer_write_tdcr(struct vmon_vcpu *vcpu)
{
	struct vmon_lapic_timer *t = &vcpu->lapic.timer;
	u32 divide = tdcr_divide(vmon_lapic_get_reg(vcpu, VMON_APIC_TDCR));
	bool queued;
	u32 count;

	if (divide == t->divide)
		return;
	count = vmon_lapic_timer_current_count(vcpu);
	queued = hrtimer_cancel(&t->hrtimer);
	t->divide = divide;
	if (t->mode != VMON_APIC_LVTT_TSCDEADLINE)
		timer_resume(t, count, queued);
	else if (queued)
		timer_arm(t, t->target_tsc);	/* the deadline does not divide */
}

/* TMICT written: load the count and start, or stop on 0 (11.5.4) */
static void timer_write_tmict(struct vmon_vcpu *vcpu)
{
	struct vmon_lapic_timer *t = &vcpu->lapic.timer;
	u32 initial = vmon_lapic_get_reg(vcpu, VMON_APIC_TMICT);

	/* TSC-deadline mode ignores the initial-count register (11.5.4.1) */
	if (t->mode == VMON_APIC_LVTT_TSCDEADLINE)
		return;
	hrtimer_cancel(&t->hrtimer);
	if (initial)
		timer_load(t, initial, initial);
	else
		timer_stop(t);
}

void vmon_lapic_timer_write(struct vmon_vcpu *vcpu, u32 reg)
{
	switch (reg) {
	case VMON_APIC_LVTT:
		timer_write_lvtt(vcpu);
		break;
	case VMON_APIC_TDCR:
		timer_write_tdcr(vcpu);
		break;
	case VMON_APIC_TMICT:
		timer_write_tmict(vcpu);
		break;
	}
}

u64 vmon_lapic_timer_get_deadline(struct vmon_vcpu *vcpu)
{
	struct vmon_lapic_timer *t = &vcpu->lapic.timer;

	lockdep_assert_held(&vcpu->mutex);
	/* other modes: the MSR reads 0 (11.5.4.1) */
	if (t->mode != VMON_APIC_LVTT_TSCDEADLINE)
		return 0;
	/* the timer disarms itself when it fires: the MSR reads 0 */
	if (READ_ONCE(t->expired))
		t->tsc_deadline = 0;
	return t->tsc_deadline;
}

/*
 * IA32_TSC_DEADLINE written: 0 disarms, a value at or before the guest's
 * TSC fires at once, any other arms (11.5.4.1).  Outside TSC-deadline
 * mode the write is ignored.
 */
void vmon_lapic_timer_set_deadline(struct vmon_vcpu *vcpu, u64 tsc)
{
	struct vmon_lapic_timer *t = &vcpu->lapic.timer;
	u64 guest, host, target;

	lockdep_assert_held(&vcpu->mutex);
	if (t->mode != VMON_APIC_LVTT_TSCDEADLINE)
		return;
	hrtimer_cancel(&t->hrtimer);
	timer_stop(t);
	t->tsc_deadline = tsc;
	if (!tsc)
		return;

	if (vmon_ops->get_msr(vcpu, VMON_MSR_TSC, &guest))
		guest = rdtsc();	/* no offset known: the host's */
	host = rdtsc();
	if (tsc <= guest) {
		WRITE_ONCE(t->expired, true);
		smp_wmb();	/* as in timer_callback() */
		vmon_lapic_timer_fired(vcpu);
		return;
	}
	/* a deadline beyond the end of the host's TSC is never reached */
	target = host + (tsc - guest);
	if (target < host)
		target = U64_MAX;
	timer_arm(t, target);
}

void vmon_lapic_timer_restore(struct vmon_vcpu *vcpu, u32 current_count, u64 tsc_deadline)
{
	struct vmon_lapic_timer *t = &vcpu->lapic.timer;
	u32 initial;

	hrtimer_cancel(&t->hrtimer);
	t->mode = lvtt_mode(vmon_lapic_get_reg(vcpu, VMON_APIC_LVTT));
	t->divide = tdcr_divide(vmon_lapic_get_reg(vcpu, VMON_APIC_TDCR));
	t->tsc_deadline = 0;
	timer_stop(t);

	if (t->mode == VMON_APIC_LVTT_TSCDEADLINE) {
		vmon_lapic_timer_set_deadline(vcpu, tsc_deadline);
		return;
	}
	initial = vmon_lapic_get_reg(vcpu, VMON_APIC_TMICT);
	if (!initial)
		return;
	if (current_count || t->mode == VMON_APIC_LVTT_PERIODIC) {
		timer_load(t, initial, current_count ? min(current_count, initial) : initial);
		return;
	}
	/* a one-shot that already counted down: loaded, at 0, nothing queued */
	t->initial = initial;
	t->target_tsc = rdtsc();
	t->start_tsc = t->target_tsc - bus_to_tsc((u64)initial * t->divide);
	WRITE_ONCE(t->expired, true);
}

/*
 * The vCPU now runs on another CPU: move a queued hrtimer there, so the
 * callback's kick reaches a CPU that is already the vCPU's (KVM's
 * __kvm_migrate_apic_timer()).  Preemption is off; hrtimer_cancel() of a
 * hard-irq timer spins while its callback runs elsewhere.
 */
void vmon_lapic_timer_migrate(struct vmon_vcpu *vcpu)
{
	struct hrtimer *h = &vcpu->lapic.timer.hrtimer;

	if (hrtimer_cancel(h))
		hrtimer_start_expires(h, HRTIMER_MODE_ABS_PINNED_HARD);
}
