// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC's register file (SDM Vol. 3A chapter 11): the modes
 * IA32_APIC_BASE selects, the registers as the xAPIC page and the
 * x2APIC MSRs show them, TPR/PPR and CR8, ESR, the LVT, and the
 * VMON_GET/SET_LAPIC ioctls.  Accepting, injecting and sending
 * interrupts is irq.c's; the timer is lapic_timer.c's.
 *
 * IRR, ISR and TMR are kept as 256-bit maps beside the page (irr[] and
 * tmr[] are set from any context); the page holds every other register
 * at its xAPIC offset, in x2APIC mode too (MSR 0x800 + offset / 16).
 */
#include <linux/bitmap.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>

#include "core.h"
#include "emulate.h"
#include "observe.h"

#define REG(off)		((off) >> 2)
#define APIC_BASE_RESERVED	(GENMASK_ULL(7, 0) | BIT_ULL(9))
#define APIC_BASE_ADDR_MASK	(~(u64)0xfff)
/* SDM Vol. 3A 11.4.8: version 0x14 (integrated APIC), 6 LVT entries (max LVT 5) */
#define APIC_VERSION_VALUE	(0x14 | (5 << 16))
#define SVR_WRITABLE		0x3ff	/* vector, APIC enable (8), focus (9) */
#define SVR_ENABLE		BIT(8)
#define ESR_SEND_ILLEGAL	BIT(5)
/* SDM Vol. 3A Figure 11-12, low half: delivery status (12) is read-only */
#define ICR_WRITABLE		0xccfff
/* x2APIC ICR bits that #GP (11.12.9): 13, 17:16, 31:20 */
#define X2_ICR_RESERVED		(BIT_ULL(13) | GENMASK_ULL(17, 16) | GENMASK_ULL(31, 20))
/* CPUID.01H:ECX[21]: x2APIC (SDM Vol. 3A 11.12.1) */
#define CPUID_1_ECX_X2APIC	BIT(21)

/* bits software may write in each LVT entry (SDM Vol. 3A Figure 11-8) */
static u32 lapic_lvt_mask(u32 reg)
{
	switch (reg) {
	case VMON_APIC_LVTT:
		return 0xff | VMON_APIC_LVT_MASKED | VMON_APIC_LVTT_MODE;
	case VMON_APIC_LVTTHMR:
	case VMON_APIC_LVTPC:
		return 0x7ff | VMON_APIC_LVT_MASKED;
	case VMON_APIC_LVT0:
	case VMON_APIC_LVT1:
		/* vector, delivery mode, polarity (13), trigger (15), mask */
		return 0x7ff | BIT(13) | BIT(15) | VMON_APIC_LVT_MASKED;
	default:	/* LVTERR */
		return 0xff | VMON_APIC_LVT_MASKED;
	}
}

static const u32 lapic_lvts[] = {
	VMON_APIC_LVTT, VMON_APIC_LVTTHMR, VMON_APIC_LVTPC,
	VMON_APIC_LVT0, VMON_APIC_LVT1, VMON_APIC_LVTERR,
};

static u32 *lapic_reg(struct vmon_vcpu *vcpu, u32 off)
{
	return &vcpu->lapic.regs[REG(off)];
}

bool __vmon_hot vmon_lapic_hw_enabled(struct vmon_vcpu *vcpu)
{
	return READ_ONCE(vcpu->msr.apic_base) & MSR_IA32_APICBASE_ENABLE;
}

bool __vmon_hot vmon_lapic_sw_enabled(struct vmon_vcpu *vcpu)
{
	return vmon_lapic_hw_enabled(vcpu) &&
	       (READ_ONCE(vcpu->lapic.regs[REG(VMON_APIC_SVR)]) & SVR_ENABLE);
}

bool vmon_lapic_x2apic(struct vmon_vcpu *vcpu)
{
	return READ_ONCE(vcpu->msr.apic_base) & X2APIC_ENABLE;
}

/* word i (0-7) of a 256-bit map, as the register at offset base + 16 * i */
static u32 lapic_map_word(const unsigned long *map, unsigned int i)
{
	return READ_ONCE(map[i / 2]) >> (32 * (i % 2));
}

/* SET_LAPIC only: the vCPU's thread, nothing is being delivered to it yet */
static void lapic_map_set_word(unsigned long *map, unsigned int i, u32 val)
{
	unsigned int shift = 32 * (i % 2);

	map[i / 2] = (map[i / 2] & ~(0xffffffffUL << shift)) | ((unsigned long)val << shift);
}

/* 32-bit ID field per mode (SDM Vol. 3A 11.4.6, 11.12.5.1) */
static void lapic_set_mode_ids(struct vmon_vcpu *vcpu)
{
	u32 id = vcpu->id;

	if (vmon_lapic_x2apic(vcpu)) {
		WRITE_ONCE(*lapic_reg(vcpu, VMON_APIC_ID), id);
		/* SDM Vol. 3A 11.12.10.2: cluster ID 31:16, one bit of 16 */
		WRITE_ONCE(*lapic_reg(vcpu, VMON_APIC_LDR), ((id >> 4) << 16) | BIT(id & 0xf));
	} else {
		WRITE_ONCE(*lapic_reg(vcpu, VMON_APIC_ID), id << 24);
	}
}

void __vmon_hot vmon_lapic_update_ppr(struct vmon_vcpu *vcpu)
{
	struct vmon_lapic *l = &vcpu->lapic;
	u32 tpr = l->regs[REG(VMON_APIC_TPR)] & 0xff;
	int isrv = find_last_bit(l->isr, 256);
	u32 ppr;

	if (isrv >= 256)
		isrv = 0;
	/* SDM Vol. 3A 11.8.3.1 */
	if ((tpr & 0xf0) >= (isrv & 0xf0))
		ppr = tpr;
	else
		ppr = isrv & 0xf0;
	WRITE_ONCE(l->regs[REG(VMON_APIC_PPR)], ppr);
}

/*
 * The power-up state (SDM Vol. 3A 11.4.7.1), or the state an INIT
 * leaves (init: the ID and IA32_APIC_BASE are kept, 11.4.7.3).
 */
void vmon_lapic_reset(struct vmon_vcpu *vcpu, bool init)
{
	struct vmon_lapic *l = &vcpu->lapic;
	unsigned int i;

	memset(l->regs, 0, sizeof(l->regs));
	bitmap_zero(l->irr, 256);
	bitmap_zero(l->tmr, 256);
	bitmap_zero(l->isr, 256);
	l->esr_pending = 0;
	l->eoi_vector = -1;
	l->regs[REG(VMON_APIC_LVR)] = APIC_VERSION_VALUE;
	l->regs[REG(VMON_APIC_DFR)] = 0xffffffff;
	l->regs[REG(VMON_APIC_SVR)] = 0xff;
	for (i = 0; i < ARRAY_SIZE(lapic_lvts); i++)
		l->regs[REG(lapic_lvts[i])] = VMON_APIC_LVT_MASKED;
	/*
	 * The BSP's LINT0 starts as an unmasked ExtINT, the "virtual wire"
	 * firmware sets up (MP spec 3.6.2.2; KVM's LINT0-reenabled quirk):
	 * the INTR pin (VMON_INTERRUPT, the userspace PIC) then reaches a
	 * guest that never touches its APIC.
	 */
	if (!vcpu->id && !init)
		l->regs[REG(VMON_APIC_LVT0)] = VMON_APIC_DM_EXTINT << 8;
	lapic_set_mode_ids(vcpu);
	vmon_lapic_update_ppr(vcpu);
	/* TMICT is 0 again: the timer stops, in the reset LVTT's mode */
	vmon_lapic_timer_restore(vcpu, 0, 0);
}

void vmon_lapic_init(struct vmon_vcpu *vcpu)
{
	init_waitqueue_head(&vcpu->lapic.wq);
	vcpu->lapic.mp_state = VMON_MP_RUNNABLE;
	vmon_lapic_timer_init(vcpu);
	vmon_lapic_reset(vcpu, false);
}

void vmon_lapic_destroy(struct vmon_vcpu *vcpu)
{
	vmon_lapic_timer_destroy(vcpu);
}

/*
 * IA32_APIC_BASE (SDM Vol. 3A 11.4.4, 11.12.5, Figure 11-27): disabled
 * (EN = 0, EXTD = 0), xAPIC (1, 0), x2APIC (1, 1); (0, 1) is invalid,
 * x2APIC -> xAPIC and disabled -> x2APIC are illegal transitions, and
 * x2APIC needs CPUID.01H:ECX.x2APIC.  Every illegal write is a #GP.
 * The BSP flag is the vCPU's role: only userspace (host) changes it.
 */
int vmon_lapic_set_base(struct vmon_vcpu *vcpu, u64 data, bool host)
{
	u64 old = vcpu->msr.apic_base;
	u64 reserved = APIC_BASE_RESERVED;
	bool en = data & MSR_IA32_APICBASE_ENABLE, x2 = data & X2APIC_ENABLE;
	bool old_en = old & MSR_IA32_APICBASE_ENABLE, old_x2 = old & X2APIC_ENABLE;
	u32 eax, ebx, ecx, edx;

	vmon_cpuid_lookup(vcpu, 0x80000008, 0, &eax, &ebx, &ecx, &edx);
	eax &= 0xff;
	reserved |= GENMASK_ULL(63, eax >= 36 && eax <= 52 ? eax : 36);
	if (data & reserved)
		return -EINVAL;
	if (x2 && !en)
		return -EINVAL;
	vmon_cpuid_lookup(vcpu, 1, 0, &eax, &ebx, &ecx, &edx);
	if (x2 && !(ecx & CPUID_1_ECX_X2APIC))
		return -EINVAL;
	if (!host && ((old_x2 && en && !x2) || (!old_en && x2)))
		return -EINVAL;
	if (!host)
		data = (data & ~(u64)MSR_IA32_APICBASE_BSP) | (old & MSR_IA32_APICBASE_BSP);

	WRITE_ONCE(vcpu->msr.apic_base, data);
	if (!en && old_en) {
		/* 11.4.3: disabling the APIC resets it; re-enabling starts from there */
		vmon_lapic_reset(vcpu, true);
	} else if (en && (!old_en || x2 != old_x2)) {
		if (!old_en)
			vmon_lapic_reset(vcpu, true);
		lapic_set_mode_ids(vcpu);
	}
	return 0;
}

/* vCPU thread: an error the APIC found itself (SDM Vol. 3A 11.5.3) */
void vmon_lapic_error(struct vmon_vcpu *vcpu, u32 esr_bit)
{
	u32 lvt = vcpu->lapic.regs[REG(VMON_APIC_LVTERR)];

	set_bit(__ffs(esr_bit), &vcpu->lapic.esr_pending);
	if (!(lvt & VMON_APIC_LVT_MASKED))
		vmon_lapic_accept(vcpu, VMON_APIC_DM_FIXED, lvt & 0xff, false);
}

/*
 * irqs off or loaded: CR8 = TPR[7:4] (SDM Vol. 3A 11.8.6).  A CR8 that
 * differs from what was last written here was written by the guest (a
 * MOV to CR8) or by SET_SREGS: it goes into the TPR first.
 */
void __vmon_hot vmon_lapic_sync_cr8(struct vmon_vcpu *vcpu)
{
	struct vmon_lapic *l = &vcpu->lapic;
	u8 cr8 = vmon_call(get_cr8)(vcpu);
	u8 tpr;

	if (cr8 != l->cr8_synced) {
		l->regs[REG(VMON_APIC_TPR)] = cr8 << 4;
		vmon_lapic_update_ppr(vcpu);
	}
	/* nothing above writes CR8: the value read is still the backend's */
	tpr = l->regs[REG(VMON_APIC_TPR)] >> 4;
	if (tpr != cr8)
		vmon_call(set_cr8)(vcpu, tpr);
	l->cr8_synced = tpr;
}

static u32 lapic_read(struct vmon_vcpu *vcpu, u32 off)
{
	struct vmon_lapic *l = &vcpu->lapic;

	switch (off) {
	case VMON_APIC_ISR ... VMON_APIC_ISR + 0x70:
		return lapic_map_word(l->isr, (off - VMON_APIC_ISR) >> 4);
	case VMON_APIC_TMR ... VMON_APIC_TMR + 0x70:
		return lapic_map_word(l->tmr, (off - VMON_APIC_TMR) >> 4);
	case VMON_APIC_IRR ... VMON_APIC_IRR + 0x70:
		return lapic_map_word(l->irr, (off - VMON_APIC_IRR) >> 4);
	case VMON_APIC_TMCCT:
		return vmon_lapic_timer_current_count(vcpu);
	}
	return l->regs[REG(off)];
}

/* the ICR was written: send (SDM Vol. 3A 11.6.1) */
static void lapic_send_icr(struct vmon_vcpu *vcpu, u32 low, u32 high)
{
	struct vmon_apic_msg m = {
		.vector = low & 0xff,
		.mode = (low >> 8) & 7,
		.logical = low & BIT(11),
		.assert = low & BIT(14),
		.level = low & BIT(15),
		.shorthand = (low >> 18) & 3,
	};

	if (vmon_lapic_x2apic(vcpu)) {
		m.dest = high;
		m.broadcast = high == 0xffffffff;
	} else {
		m.dest = high >> 24;
		m.broadcast = m.dest == 0xff;
	}
	/* 11.5.3: a fixed or lowest-priority IPI with a vector below 16 */
	if ((m.mode == VMON_APIC_DM_FIXED || m.mode == VMON_APIC_DM_LOWEST) && m.vector < 16) {
		vmon_lapic_error(vcpu, ESR_SEND_ILLEGAL);
		return;
	}
	vmon_apic_deliver(vcpu->vm, vcpu, &m);
}

/*
 * A register write, from the xAPIC page or an x2APIC MSR (already
 * checked against the x2APIC rules).  The register and the side effect.
 */
static void lapic_write(struct vmon_vcpu *vcpu, u32 off, u32 val)
{
	struct vmon_lapic *l = &vcpu->lapic;
	bool x2 = vmon_lapic_x2apic(vcpu);
	unsigned int i;

	switch (off) {
	case VMON_APIC_ID:
		/* writable in xAPIC mode on most processors (11.4.6) */
		if (!x2)
			WRITE_ONCE(l->regs[REG(off)], val & 0xff000000);
		return;
	case VMON_APIC_TPR:
		l->regs[REG(off)] = val & 0xff;
		vmon_lapic_update_ppr(vcpu);
		return;
	case VMON_APIC_EOI:
		vmon_lapic_eoi(vcpu);
		return;
	case VMON_APIC_LDR:
		if (!x2)
			WRITE_ONCE(l->regs[REG(off)], val & 0xff000000);
		return;
	case VMON_APIC_DFR:
		/* bits 27:0 read as ones (11.6.2.2) */
		if (!x2)
			WRITE_ONCE(l->regs[REG(off)], val | 0x0fffffff);
		return;
	case VMON_APIC_SVR:
		WRITE_ONCE(l->regs[REG(off)], val & SVR_WRITABLE);
		/* 11.4.7.2: software disable masks every LVT entry */
		if (!(val & SVR_ENABLE)) {
			for (i = 0; i < ARRAY_SIZE(lapic_lvts); i++)
				l->regs[REG(lapic_lvts[i])] |= VMON_APIC_LVT_MASKED;
			vmon_lapic_timer_write(vcpu, VMON_APIC_LVTT);
		}
		return;
	case VMON_APIC_ESR:
		/* 11.5.3: the write latches the errors since the last write */
		l->regs[REG(off)] = xchg(&l->esr_pending, 0);
		return;
	case VMON_APIC_ICR:
		l->regs[REG(off)] = val & ICR_WRITABLE;
		lapic_send_icr(vcpu, val, l->regs[REG(VMON_APIC_ICR2)]);
		return;
	case VMON_APIC_ICR2:
		l->regs[REG(off)] = x2 ? val : val & 0xff000000;
		return;
	case VMON_APIC_LVTT:
	case VMON_APIC_LVTTHMR:
	case VMON_APIC_LVTPC:
	case VMON_APIC_LVT0:
	case VMON_APIC_LVT1:
	case VMON_APIC_LVTERR:
		val &= lapic_lvt_mask(off);
		if (!(l->regs[REG(VMON_APIC_SVR)] & SVR_ENABLE))
			val |= VMON_APIC_LVT_MASKED;
		l->regs[REG(off)] = val;
		if (off == VMON_APIC_LVTT)
			vmon_lapic_timer_write(vcpu, off);
		return;
	case VMON_APIC_TMICT:
		l->regs[REG(off)] = val;
		vmon_lapic_timer_write(vcpu, off);
		return;
	case VMON_APIC_TDCR:
		l->regs[REG(off)] = val & 0xb;	/* bits 0, 1, 3 (Figure 11-10) */
		vmon_lapic_timer_write(vcpu, off);
		return;
	case VMON_APIC_SELF_IPI:
		/* x2APIC only (11.12.11): a fixed, edge interrupt to this APIC */
		if (x2 && vmon_lapic_accept(vcpu, VMON_APIC_DM_FIXED, val & 0xff, false))
			vmon_stats_irq(vcpu, VMON_IRQ_IPI);
		return;
	}
	/* read-only and reserved registers of the xAPIC page ignore writes */
}

u32 vmon_lapic_get_reg(struct vmon_vcpu *vcpu, u32 reg)
{
	return vcpu->lapic.regs[REG(reg)];
}

/* registers that exist in x2APIC mode, by offset (SDM Vol. 3A Table 11-6) */
enum { X2_NONE, X2_RO, X2_WO, X2_RW };

static int lapic_x2_access(u32 off)
{
	switch (off) {
	case VMON_APIC_ID:
	case VMON_APIC_LVR:
	case VMON_APIC_PPR:
	case VMON_APIC_LDR:
	case VMON_APIC_ISR ... VMON_APIC_IRR + 0x70:
	case VMON_APIC_TMCCT:
		return X2_RO;
	case VMON_APIC_EOI:
	case VMON_APIC_SELF_IPI:
		return X2_WO;
	case VMON_APIC_TPR:
	case VMON_APIC_SVR:
	case VMON_APIC_ESR:
	case VMON_APIC_ICR:
	case VMON_APIC_LVTT ... VMON_APIC_LVTERR:
	case VMON_APIC_TMICT:
	case VMON_APIC_TDCR:
		return X2_RW;
	}
	return X2_NONE;
}

/* MSR 0x800 + n is the register at offset 16 * n (11.12.1.2) */
int __vmon_hot vmon_lapic_rdmsr(struct vmon_vcpu *vcpu, u32 index, u64 *data)
{
	u32 off = (index - 0x800) << 4;
	int acc = lapic_x2_access(off);

	if (!vmon_lapic_x2apic(vcpu) || (acc != X2_RO && acc != X2_RW))
		return -EINVAL;
	if (off == VMON_APIC_TPR || off == VMON_APIC_PPR)
		vmon_lapic_sync_cr8(vcpu);	/* a MOV to CR8 without an exit (SVM) */
	*data = lapic_read(vcpu, off);
	if (off == VMON_APIC_ICR)
		*data |= (u64)vcpu->lapic.regs[REG(VMON_APIC_ICR2)] << 32;
	return 0;
}

/*
 * x2APIC writes (11.12.1.2, 11.12.1.3): #GP for read-only and reserved
 * registers, reserved bits 63:32 (the ICR has 64), a non-zero EOI or
 * ESR, and a self IPI vector above 255.
 */
int __vmon_hot vmon_lapic_wrmsr(struct vmon_vcpu *vcpu, u32 index, u64 data)
{
	u32 off = (index - 0x800) << 4;
	int acc = lapic_x2_access(off);

	if (!vmon_lapic_x2apic(vcpu) || (acc != X2_WO && acc != X2_RW))
		return -EINVAL;
	if (off == VMON_APIC_ICR) {
		if (data & X2_ICR_RESERVED)
			return -EINVAL;
		vcpu->lapic.regs[REG(VMON_APIC_ICR2)] = data >> 32;
		lapic_write(vcpu, off, (u32)data);
		return 0;
	}
	if (data >> 32)
		return -EINVAL;
	if ((off == VMON_APIC_EOI || off == VMON_APIC_ESR) && data)
		return -EINVAL;
	if (off == VMON_APIC_SELF_IPI && data > 0xff)
		return -EINVAL;
	lapic_write(vcpu, off, data);
	if (off == VMON_APIC_TPR)
		vmon_lapic_sync_cr8(vcpu);	/* the MSR path runs loaded */
	return 0;
}

/* an access to the xAPIC page: 32-bit registers on 16-byte boundaries (11.4.1) */
static int lapic_mmio_access(struct vmon_vcpu *vcpu, u64 gpa, unsigned int size, bool write,
			     u64 *val, void *opaque)
{
	u32 off = gpa & 0xfff;
	unsigned int shift = (off & 3) * 8;

	if (off >= 0x400 || (off & 3) + size > 4) {
		if (!write)
			*val = 0;
		return 0;
	}
	if (write) {
		if (!(off & 0xf) && size == 4)
			lapic_write(vcpu, off, *val);
		return 0;
	}
	*val = lapic_read(vcpu, off & ~3u) >> shift;
	if (size < 4)
		*val &= (1u << (size * 8)) - 1;
	return 0;
}

/*
 * TDP fault at gpa: the APIC page in xAPIC mode is the APIC's, emulated
 * in the kernel (SDM Vol. 3A 11.4.1); in x2APIC mode or with the APIC
 * disabled it is ordinary MMIO (11.12.1.2: the page is not decoded).
 */
int vmon_lapic_mmio(struct vmon_vcpu *vcpu, u64 gpa)
{
	u64 base = vcpu->msr.apic_base;
	int r;

	if (!(base & MSR_IA32_APICBASE_ENABLE) || (base & X2APIC_ENABLE) ||
	    (gpa & PAGE_MASK) != (base & APIC_BASE_ADDR_MASK & PAGE_MASK))
		return -ENOENT;
	r = vmon_emulate_mmio(vcpu, lapic_mmio_access, NULL);
	if (r > 0)
		vmon_lapic_sync_cr8(vcpu);
	return r;
}

/* ------------------------------------------------------------------ */
/* VMON_GET_LAPIC / VMON_SET_LAPIC                                     */
/* ------------------------------------------------------------------ */

static void lapic_render(struct vmon_vcpu *vcpu, u8 *page)
{
	u32 *w = (u32 *)page;
	unsigned int i;

	memcpy(page, vcpu->lapic.regs, VMON_LAPIC_REGS_SIZE);
	for (i = 0; i < 8; i++) {
		w[REG(VMON_APIC_ISR + 16 * i)] = lapic_map_word(vcpu->lapic.isr, i);
		w[REG(VMON_APIC_TMR + 16 * i)] = lapic_map_word(vcpu->lapic.tmr, i);
		w[REG(VMON_APIC_IRR + 16 * i)] = lapic_map_word(vcpu->lapic.irr, i);
	}
	w[REG(VMON_APIC_TMCCT)] = vmon_lapic_timer_current_count(vcpu);
}

/*
 * The whole APIC between two runs (vcpu->mutex, killable): for
 * VMON_GET_LAPIC and netlink's GET_STATE.  s is zeroed by the caller.
 */
static void lapic_read_state_locked(struct vmon_vcpu *vcpu, struct vmon_lapic_state *s,
				    u32 *mp_state)
{
	lockdep_assert_held(&vcpu->mutex);
	vmon_lapic_sync_cr8(vcpu);
	s->apic_base = vcpu->msr.apic_base;
	s->tsc_deadline = vmon_lapic_timer_get_deadline(vcpu);
	lapic_render(vcpu, s->regs);
	if (mp_state)
		*mp_state = vcpu->lapic.mp_state;
}

int vmon_lapic_read_state(struct vmon_vcpu *vcpu, struct vmon_lapic_state *s, u32 *mp_state)
{
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	vmon_vcpu_access_begin(vcpu);
	lapic_read_state_locked(vcpu, s, mp_state);
	vmon_vcpu_access_end(vcpu);
	mutex_unlock(&vcpu->mutex);
	return 0;
}

int vmon_ioctl_get_lapic(struct vmon_vcpu *vcpu, void __user *argp)
{
	struct vmon_lapic_state *s;
	int r;

	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	lapic_read_state_locked(vcpu, s, NULL);
	r = copy_to_user(argp, s, sizeof(*s)) ? -EFAULT : 0;
	kfree(s);
	return r;
}

/* a register image no APIC can hold: -EINVAL */
static bool lapic_state_valid(struct vmon_vcpu *vcpu, const struct vmon_lapic_state *s)
{
	const u32 *w = (const u32 *)s->regs;
	bool x2 = s->apic_base & X2APIC_ENABLE;
	unsigned int i;

	if (s->flags || s->padding || memchr_inv(s->reserved, 0, sizeof(s->reserved)))
		return false;
	if (w[REG(VMON_APIC_SVR)] & ~SVR_WRITABLE || w[REG(VMON_APIC_TPR)] & ~0xffu)
		return false;
	for (i = 0; i < ARRAY_SIZE(lapic_lvts); i++)
		if (w[REG(lapic_lvts[i])] & ~(lapic_lvt_mask(lapic_lvts[i]) | BIT(12) | BIT(14)))
			return false;
	if (w[REG(VMON_APIC_TDCR)] & ~0xbu)
		return false;
	/* vectors 0-15 are never accepted (11.5.3): no IRR, ISR or TMR bit */
	if ((w[REG(VMON_APIC_IRR)] | w[REG(VMON_APIC_ISR)] | w[REG(VMON_APIC_TMR)]) & 0xffff)
		return false;
	/* the ID is the vCPU's in x2APIC mode (11.12.5.1) */
	if (x2 && w[REG(VMON_APIC_ID)] != vcpu->id)
		return false;
	return true;
}

int vmon_ioctl_set_lapic(struct vmon_vcpu *vcpu, void __user *argp)
{
	struct vmon_lapic_state *s;
	struct vmon_lapic *l = &vcpu->lapic;
	const u32 *w;
	unsigned int i;
	int r;

	s = memdup_user(argp, sizeof(*s));
	if (IS_ERR(s))
		return PTR_ERR(s);
	w = (const u32 *)s->regs;
	r = -EINVAL;
	if (!lapic_state_valid(vcpu, s))
		goto out;
	r = vmon_lapic_set_base(vcpu, s->apic_base, true);
	if (r)
		goto out;
	memcpy(l->regs, s->regs, sizeof(l->regs));
	l->regs[REG(VMON_APIC_LVR)] = APIC_VERSION_VALUE;
	l->regs[REG(VMON_APIC_DFR)] |= 0x0fffffff;
	if (vmon_lapic_x2apic(vcpu))
		lapic_set_mode_ids(vcpu);
	for (i = 0; i < 8; i++) {
		lapic_map_set_word(l->isr, i, w[REG(VMON_APIC_ISR + 16 * i)]);
		lapic_map_set_word(l->tmr, i, w[REG(VMON_APIC_TMR + 16 * i)]);
		lapic_map_set_word(l->irr, i, w[REG(VMON_APIC_IRR + 16 * i)]);
	}
	vmon_lapic_update_ppr(vcpu);
	vmon_call(set_cr8)(vcpu, l->regs[REG(VMON_APIC_TPR)] >> 4);
	l->cr8_synced = l->regs[REG(VMON_APIC_TPR)] >> 4;
	/* the timer goes on from the saved count or deadline (guest TSC: loaded) */
	vmon_lapic_timer_restore(vcpu, w[REG(VMON_APIC_TMCCT)], s->tsc_deadline);
	vmon_vcpu_request(vcpu, VMON_REQ_EVENT);
	r = 0;
out:
	kfree(s);
	return r;
}
