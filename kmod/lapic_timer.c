// SPDX-License-Identifier: GPL-2.0
/*
 * TEMPORARY placeholder so that lapic.c links: the APIC timer is
 * written on the ltimer branch, which replaces this file.  Here the
 * timer never fires, its current count reads 0 and IA32_TSC_DEADLINE
 * is only stored.
 */
#include "core.h"

void vmon_lapic_timer_init(struct vmon_vcpu *vcpu)
{
}

void vmon_lapic_timer_destroy(struct vmon_vcpu *vcpu)
{
}

void vmon_lapic_timer_write(struct vmon_vcpu *vcpu, u32 reg)
{
}

u32 vmon_lapic_timer_current_count(struct vmon_vcpu *vcpu)
{
	return 0;
}

u64 vmon_lapic_timer_get_deadline(struct vmon_vcpu *vcpu)
{
	return vcpu->lapic.timer.tsc_deadline;
}

void vmon_lapic_timer_set_deadline(struct vmon_vcpu *vcpu, u64 tsc)
{
	vcpu->lapic.timer.tsc_deadline = tsc;
}

void vmon_lapic_timer_migrate(struct vmon_vcpu *vcpu)
{
}
