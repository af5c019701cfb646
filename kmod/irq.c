// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt messages between local APICs (SDM Vol. 3A 11.6, 11.11):
 * the IPIs a guest sends through its ICR and the MSIs userspace signals
 * (VMON_SIGNAL_MSI) go through one delivery function, which picks the
 * destination APICs and has each accept the message.  Accepting may
 * happen in any context (another vCPU's thread, an ioctl, the timer's
 * hard irq); it sets bits and kicks.  Everything else here runs on the
 * receiving vCPU's own thread: injection before entry, EOI, and the
 * multiprocessor states (halted, wait-for-SIPI) with INIT and SIPI.
 *
 * Posting and kicking (the same pairing as vmon_vcpu_request() in
 * vcpu.c).  The sender sets the IRR bit (or NMI/INIT/SIPI's request
 * bit), sets VMON_REQ_EVENT, then, after a full barrier, reads
 * vcpu->mode and vcpu->cpu:
 *  - VMON_IN_GUEST: the vCPU may have read its bits already, so it is
 *    sent a reschedule IPI, which makes the guest exit (external-
 *    interrupt exiting, SVM's INTR intercept); the next entry injects.
 *    smp_send_reschedule() does not wait, so it serves hard-irq
 *    callers (the timer) as well;
 *  - otherwise the vCPU will set VMON_IN_GUEST, then look at its bits
 *    with interrupts off (vmon_enter_guest()), and see the posting.
 * Then the sender wakes lapic.wq: a vCPU halted or waiting for a SIPI
 * (vmon_lapic_block()) sleeps there with wait_event_interruptible(),
 * whose condition reads the bits after the task state is set, so a
 * posting between the test and the sleep is not lost either.  When the
 * sender is a sibling vCPU whose IPI woke it, the sender yields its CPU
 * to it before its own next entry (VMON_REQ_YIELD, kmod/spin.c).
 */
#include <linux/bitmap.h>
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/apicdef.h>
#include <asm/processor-flags.h>

#include "compat.h"
#include "core.h"
#include "observe.h"

#define REG(off)		((off) >> 2)
#define ESR_RECV_ILLEGAL	BIT(6)	/* SDM Vol. 3A 11.5.3 */
#define SHORTHAND_SELF		1
#define SHORTHAND_ALL		2
#define SHORTHAND_OTHERS	3

static u32 irq_reg(struct vmon_vcpu *vcpu, u32 off)
{
	return READ_ONCE(vcpu->lapic.regs[REG(off)]);
}

/*
 * Any context: make the vCPU see what was just posted for it.  src: the
 * vCPU whose IPI it is, on its own thread (NULL: anyone else).
 */
static void irq_kick(struct vmon_vcpu *vcpu, struct vmon_vcpu *src)
{
	int cpu, me;

	smp_mb();	/* the posted bits before the read of vcpu->mode */
	me = get_cpu();
	/* pairs with smp_store_mb() in vmon_enter_guest(): cpu, then mode */
	if (smp_load_acquire(&vcpu->mode) == VMON_IN_GUEST) {
		cpu = READ_ONCE(vcpu->cpu);
		/* on our own CPU the vCPU cannot be in guest mode while we run */
		if (cpu >= 0 && cpu != me)
			smp_send_reschedule(cpu);
	}
	put_cpu();
	/*
	 * The smp_mb() above orders the posting before the look at the
	 * queue; the sleeper's wait_event_interruptible() queues itself
	 * before it tests irq_should_wake() (the waitqueue_active() pattern
	 * of <linux/wait.h>).  A vCPU that is not asleep costs no wake-up.
	 */
	if (!waitqueue_active(&vcpu->lapic.wq))
		return;
	wake_up_interruptible(&vcpu->lapic.wq);
	if (src)
		vmon_spin_note_wake(src, vcpu);
}

/*
 * Accept one message (SDM Vol. 3A 11.6.1 delivery modes).  A hardware-
 * disabled APIC accepts nothing; a software-disabled one takes NMI,
 * INIT and SIPI only (11.4.7.2).  A fixed vector below 16 is an illegal
 * vector error of the receiver (11.5.3).
 */
static bool irq_accept(struct vmon_vcpu *vcpu, struct vmon_vcpu *src, u8 mode,
		       u8 vector, bool level)
{
	struct vmon_lapic *l = &vcpu->lapic;
	int req;

	if (!vmon_lapic_hw_enabled(vcpu))
		return false;
	switch (mode) {
	case VMON_APIC_DM_FIXED:
	case VMON_APIC_DM_LOWEST:
		if (!vmon_lapic_sw_enabled(vcpu))
			return false;
		if (vector < 16) {
			set_bit(__ffs(ESR_RECV_ILLEGAL), &l->esr_pending);
			return false;
		}
		if (level)
			set_bit(vector, l->tmr);
		else
			clear_bit(vector, l->tmr);
		set_bit(vector, l->irr);
		req = VMON_REQ_EVENT;
		break;
	case VMON_APIC_DM_NMI:
		req = VMON_REQ_NMI;
		break;
	case VMON_APIC_DM_INIT:
		req = VMON_REQ_INIT;
		break;
	case VMON_APIC_DM_SIPI:
		WRITE_ONCE(l->sipi_vector, vector);
		smp_mb__before_atomic();	/* the vector before the request bit */
		req = VMON_REQ_SIPI;
		break;
	default:
		return false;
	}
	vmon_vcpu_request(vcpu, req);
	irq_kick(vcpu, src);
	return true;
}

bool vmon_lapic_accept(struct vmon_vcpu *vcpu, u8 mode, u8 vector, bool level)
{
	return irq_accept(vcpu, NULL, mode, vector, level);
}

/* whether the message addresses this APIC (SDM Vol. 3A 11.6.2, 11.12.10) */
static bool irq_match(struct vmon_vcpu *vcpu, struct vmon_vcpu *src,
		      const struct vmon_apic_msg *m)
{
	bool x2 = vmon_lapic_x2apic(vcpu);
	u32 ldr, ldr8, model;

	switch (m->shorthand) {
	case SHORTHAND_SELF:
		return vcpu == src;
	case SHORTHAND_ALL:
		return true;
	case SHORTHAND_OTHERS:
		return vcpu != src;
	}
	if (m->broadcast)
		return true;
	if (!m->logical)
		return m->dest == (x2 ? irq_reg(vcpu, VMON_APIC_ID) :
					irq_reg(vcpu, VMON_APIC_ID) >> 24);
	ldr = irq_reg(vcpu, VMON_APIC_LDR);
	if (x2)		/* cluster 31:16, member bitmap 15:0 (11.12.10.2) */
		return (m->dest >> 16) == (ldr >> 16) && (m->dest & ldr & 0xffff);
	ldr8 = ldr >> 24;
	model = irq_reg(vcpu, VMON_APIC_DFR) >> 28;
	if (model == 0xf)	/* flat: a bit per APIC (11.6.2.2) */
		return m->dest & ldr8;
	if (model == 0)		/* cluster: cluster 7:4, members 3:0 */
		return (m->dest >> 4) == (ldr8 >> 4) && (m->dest & ldr8 & 0xf);
	return false;
}

/* fixed / lowest-priority messages by source; NMI, INIT, SIPI are counted when served */
static void irq_stat_msg(struct vmon_vcpu *vcpu, struct vmon_vcpu *src, u8 mode)
{
	if (mode == VMON_APIC_DM_FIXED || mode == VMON_APIC_DM_LOWEST)
		vmon_stats_irq(vcpu, src ? VMON_IRQ_IPI : VMON_IRQ_MSI);
}

/*
 * Deliver a message to every APIC it addresses; any context.  Lowest
 * priority goes to the one APIC among the destinations with the lowest
 * PPR (the "arbitration" of SDM Vol. 3A 11.6.2.4 reduced to the PPR;
 * ties go to the lowest APIC ID).  INIT level de-assert is ignored, as
 * by every processor since the Pentium 4 (11.6.1).  src is NULL for an
 * MSI.  Returns how many APICs accepted the message.
 */
int vmon_apic_deliver(struct vmon_vm *vm, struct vmon_vcpu *src,
		      const struct vmon_apic_msg *m)
{
	struct vmon_vcpu *vcpu, *lowest = NULL;
	u32 ppr, lowest_ppr = 0;
	unsigned int i;
	int n = 0;

	if (m->mode == VMON_APIC_DM_INIT && m->level && !m->assert)
		return 0;
	for (i = 0; i < VMON_MAX_VCPUS; i++) {
		/* pairs with the publication in vmon_ioctl_create_vcpu() */
		vcpu = smp_load_acquire(&vm->vcpus[i]);
		if (!vcpu || !vmon_lapic_hw_enabled(vcpu) || !irq_match(vcpu, src, m))
			continue;
		if (m->mode != VMON_APIC_DM_LOWEST) {
			if (irq_accept(vcpu, src, m->mode, m->vector, m->level)) {
				irq_stat_msg(vcpu, src, m->mode);
				n++;
			}
			continue;
		}
		if (!vmon_lapic_sw_enabled(vcpu))
			continue;
		ppr = irq_reg(vcpu, VMON_APIC_PPR) & 0xf0;
		if (!lowest || ppr < lowest_ppr) {
			lowest = vcpu;
			lowest_ppr = ppr;
		}
	}
	if (lowest && irq_accept(lowest, src, VMON_APIC_DM_FIXED, m->vector, m->level)) {
		irq_stat_msg(lowest, src, VMON_APIC_DM_FIXED);
		n++;
	}
	return n;
}

/* the timer's LVT entry fired (lapic_timer.c); any context */
void vmon_lapic_timer_fired(struct vmon_vcpu *vcpu)
{
	u32 lvt = irq_reg(vcpu, VMON_APIC_LVTT);

	if (!(lvt & VMON_APIC_LVT_MASKED) &&
	    vmon_lapic_accept(vcpu, VMON_APIC_DM_FIXED, lvt & 0xff, false))
		vmon_stats_irq(vcpu, VMON_IRQ_TIMER);
}

/* ------------------------------------------------------------------ */
/* the receiving vCPU's thread                                         */
/* ------------------------------------------------------------------ */

/* the highest IRR vector whose class is above the PPR's (11.8.3.1, 11.8.4) */
int __vmon_hot vmon_lapic_pending_vector(struct vmon_vcpu *vcpu)
{
	unsigned int v;

	if (!vmon_lapic_sw_enabled(vcpu))
		return -1;
	v = find_last_bit(vcpu->lapic.irr, 256);
	if (v >= 256 || (v & 0xf0) <= (vcpu->lapic.regs[REG(VMON_APIC_PPR)] & 0xf0))
		return -1;
	return v;
}

/*
 * The INTR pin: the userspace PIC's VMON_INTERRUPT reaches the CPU when
 * the APIC is hardware-disabled, or through LINT0 programmed as an
 * unmasked ExtINT (virtual wire, MP spec 3.6.2.2; the BSP starts so).
 */
bool __vmon_hot vmon_lapic_accepts_extint(struct vmon_vcpu *vcpu)
{
	u32 lvt0 = vcpu->lapic.regs[REG(VMON_APIC_LVT0)];

	if (!vmon_lapic_hw_enabled(vcpu))
		return true;
	return (lvt0 & (VMON_APIC_LVT_MASKED | (7 << 8))) == VMON_APIC_DM_EXTINT << 8;
}

/*
 * Irqs off, loaded, from vmon_events_prepare_entry(): the highest
 * deliverable vector goes in when the guest can take it and no other
 * event is going in; it moves from IRR to ISR and raises the PPR
 * (11.8.4).  Otherwise the interrupt window is opened.  *busy says
 * whether an event goes in with this entry (vmon_events_busy()).
 */
void __vmon_hot vmon_lapic_inject(struct vmon_vcpu *vcpu, int *busy, bool *window)
{
	struct vmon_lapic *l = &vcpu->lapic;
	int v;

	clear_bit(VMON_REQ_EVENT, &vcpu->requests);
	smp_mb__after_atomic();	/* the clear before the reads of IRR */
	vmon_lapic_sync_cr8(vcpu);
	v = vmon_lapic_pending_vector(vcpu);
	if (v < 0)
		return;
	if (vmon_events_busy(vcpu, busy) || !vmon_call(interrupt_allowed)(vcpu)) {
		*window = true;
		return;
	}
	vmon_call(inject_irq)(vcpu, v);
	clear_bit(v, l->irr);
	__set_bit(v, l->isr);
	vmon_lapic_update_ppr(vcpu);
	*busy = 1;
}

/*
 * EOI (11.8.5): the highest ISR bit is cleared and the PPR recomputed;
 * the next entry injects what it unmasked.  A level-triggered vector
 * (TMR set) is reported to userspace, whose I/O APIC clears Remote IRR:
 * vmon_handle_exit() turns eoi_vector into VMON_EXIT_EOI.
 */
void __vmon_hot vmon_lapic_eoi(struct vmon_vcpu *vcpu)
{
	struct vmon_lapic *l = &vcpu->lapic;
	unsigned int v = find_last_bit(l->isr, 256);

	if (v >= 256)
		return;
	__clear_bit(v, l->isr);
	vmon_lapic_update_ppr(vcpu);
	if (test_bit(v, l->tmr))
		l->eoi_vector = v;
}

/*
 * INIT (SDM Vol. 3A 9.1.1, Table 9-1): the APIC and the registers to
 * their INIT values, real mode at F000:FFF0; an application processor
 * then waits for a SIPI (9.4.4), the BSP starts at the reset vector.
 */
static void irq_do_init(struct vmon_vcpu *vcpu)
{
	struct vmon_sregs s;
	struct vmon_segment data = {
		.limit = 0xffff, .type = 3, .present = 1, .s = 1,
	};

	vmon_lapic_reset(vcpu, true);
	memset(&vcpu->regs, 0, sizeof(vcpu->regs));
	vcpu->regs.rflags = 2;
	vcpu->regs.rip = 0xfff0;
	vcpu->events.nmi_latched = false;
	clear_bit(VMON_REQ_NMI, &vcpu->requests);

	memset(&s, 0, sizeof(s));
	s.cs = data;
	s.cs.type = 0xb;
	s.cs.selector = 0xf000;
	s.cs.base = 0xffff0000;
	s.ds = data;
	s.es = data;
	s.fs = data;
	s.gs = data;
	s.ss = data;
	s.tr = data;
	s.tr.type = 0xb;
	s.tr.s = 0;
	s.ldt = data;
	s.ldt.type = 2;
	s.ldt.s = 0;
	s.gdt.limit = 0xffff;
	s.idt.limit = 0xffff;
	s.cr0 = 0x60000010;
	vmon_ops->set_sregs(vcpu, &s);
	vmon_lapic_sync_cr8(vcpu);
	vcpu->state_dirty = true;
	vcpu->lapic.mp_state = (vcpu->msr.apic_base & MSR_IA32_APICBASE_BSP) ?
			       VMON_MP_RUNNABLE : VMON_MP_WAIT_SIPI;
}

/* SIPI (9.4.4.1): real mode at CS = vector << 8, base vector << 12, IP 0 */
static void irq_do_sipi(struct vmon_vcpu *vcpu, u8 vector)
{
	struct vmon_sregs s;

	memset(&s, 0, sizeof(s));
	vmon_ops->get_sregs(vcpu, &s);
	s.cs.selector = vector << 8;
	s.cs.base = (u64)vector << 12;
	vmon_ops->set_sregs(vcpu, &s);
	vcpu->regs.rip = 0;
	vcpu->state_dirty = true;
	vcpu->lapic.mp_state = VMON_MP_RUNNABLE;
}

/*
 * INIT and SIPI requests, in the order INIT first (a SIPI needs the
 * wait), then the yield to a sibling our IPI woke: a running vCPU only,
 * a halted one gives its CPU away by sleeping.
 */
static void irq_serve_mp(struct vmon_vcpu *vcpu)
{
	u8 vector;

	if (test_and_clear_bit(VMON_REQ_INIT, &vcpu->requests)) {
		irq_do_init(vcpu);
		vmon_stats_irq(vcpu, VMON_IRQ_INIT);
	}
	if (test_and_clear_bit(VMON_REQ_SIPI, &vcpu->requests)) {
		smp_mb__after_atomic();	/* pairs with vmon_lapic_accept() */
		vector = READ_ONCE(vcpu->lapic.sipi_vector);
		/* a SIPI to a running processor is ignored (9.4.4) */
		if (vcpu->lapic.mp_state == VMON_MP_WAIT_SIPI) {
			irq_do_sipi(vcpu, vector);
			vmon_stats_irq(vcpu, VMON_IRQ_SIPI);
		}
	}
	if (test_and_clear_bit(VMON_REQ_YIELD, &vcpu->requests) &&
	    vcpu->lapic.mp_state == VMON_MP_RUNNABLE)
		vmon_spin_yield_woken(vcpu);
}

/* what ends HLT: an interrupt the guest takes (RFLAGS.IF) or an NMI (SDM Vol. 2B HLT) */
static bool irq_halt_over(struct vmon_vcpu *vcpu)
{
	bool intf = vcpu->regs.rflags & X86_EFLAGS_IF;

	if (READ_ONCE(vcpu->requests) & VMON_REQ_MP_MASK)
		return true;
	if (test_bit(VMON_REQ_NMI, &vcpu->requests) || vcpu->events.nmi_latched)
		return true;
	if (intf && vcpu->events.irq_queued && vmon_lapic_accepts_extint(vcpu))
		return true;
	return intf && vmon_lapic_pending_vector(vcpu) >= 0;
}

static bool irq_should_wake(struct vmon_vcpu *vcpu)
{
	if (READ_ONCE(vcpu->requests) & VMON_REQ_MP_MASK)
		return true;
	return vcpu->lapic.mp_state == VMON_MP_HALTED && irq_halt_over(vcpu);
}

/*
 * vmon_lapic_block() (core.h) found the vCPU halted, waiting for a SIPI
 * or with an INIT, SIPI or yield posted: serve what was posted, and
 * sleep until something ends the halt or the wait; a signal ends the
 * sleep (-EINTR, VMON_EXIT_INTR) and the state is kept for the next
 * VMON_RUN.
 */
int vmon_lapic_wait(struct vmon_vcpu *vcpu)
{
	struct vmon_lapic *l = &vcpu->lapic;

	for (;;) {
		irq_serve_mp(vcpu);
		if (l->mp_state == VMON_MP_HALTED && irq_halt_over(vcpu))
			l->mp_state = VMON_MP_RUNNABLE;
		if (l->mp_state == VMON_MP_RUNNABLE)
			return 0;
		if (wait_event_interruptible(l->wq, irq_should_wake(vcpu)))
			return -EINTR;
	}
}

/*
 * A HLT exit, RIP past the HLT.  With the APIC software-enabled the
 * vCPU waits in the kernel (VMON_MP_HALTED) for what its APIC accepts;
 * otherwise HLT is userspace's, as for a guest without an APIC.
 */
bool vmon_lapic_halt(struct vmon_vcpu *vcpu)
{
	if (!vmon_lapic_sw_enabled(vcpu))
		return false;
	vcpu->lapic.mp_state = VMON_MP_HALTED;
	return true;
}

/* ------------------------------------------------------------------ */
/* ioctls                                                              */
/* ------------------------------------------------------------------ */

#define MSI_ADDR_BASE		0xfee00000ULL
#define MSI_ADDR_RH		BIT(3)
#define MSI_ADDR_DM		BIT(2)
#define MSI_ADDR_VALID		(GENMASK_ULL(19, 12) | MSI_ADDR_RH | MSI_ADDR_DM)
#define MSI_DATA_LEVEL		BIT(14)
#define MSI_DATA_TRIGGER	BIT(15)
#define MSI_DATA_VALID		(0x7ff | MSI_DATA_LEVEL | MSI_DATA_TRIGGER)

/*
 * An MSI as VMON_SIGNAL_MSI and VMON_IRQFD take it (SDM Vol. 3A 11.11):
 * address 0xFEEx_xxxx with only the destination, RH and DM bits; data
 * with a vector, a delivery mode an MSI may use (fixed, lowest
 * priority, NMI, INIT) and the trigger bits.  RH = 1 with logical
 * destinations picks the lowest-priority APIC among them (11.11.1).
 * 0, or -EINVAL for a message these rules refuse.
 */
int vmon_msi_to_apic_msg(u64 address, u32 data, struct vmon_apic_msg *m)
{
	memset(m, 0, sizeof(*m));
	if ((address & ~MSI_ADDR_VALID) != MSI_ADDR_BASE || (data & ~MSI_DATA_VALID))
		return -EINVAL;
	m->vector = data & 0xff;
	m->mode = (data >> 8) & 7;
	switch (m->mode) {
	case VMON_APIC_DM_FIXED:
	case VMON_APIC_DM_LOWEST:
		if (m->vector < 16)
			return -EINVAL;
		break;
	case VMON_APIC_DM_NMI:
	case VMON_APIC_DM_INIT:
		break;
	default:
		return -EINVAL;
	}
	m->dest = (address >> 12) & 0xff;
	m->logical = address & MSI_ADDR_DM;
	m->broadcast = m->dest == 0xff;
	m->level = data & MSI_DATA_TRIGGER;
	m->assert = true;	/* a message is an assertion */
	if (m->mode == VMON_APIC_DM_FIXED && m->logical && (address & MSI_ADDR_RH))
		m->mode = VMON_APIC_DM_LOWEST;
	return 0;
}

int vmon_ioctl_signal_msi(struct vmon_vm *vm, void __user *argp)
{
	struct vmon_apic_msg m;
	struct vmon_msi msi;

	if (copy_from_user(&msi, argp, sizeof(msi)))
		return -EFAULT;
	if (msi.flags || msi.reserved[0] || msi.reserved[1])
		return -EINVAL;
	if (vmon_msi_to_apic_msg(msi.address, msi.data, &m))
		return -EINVAL;
	return vmon_apic_deliver(vm, NULL, &m);
}

int vmon_ioctl_get_mp_state(struct vmon_vcpu *vcpu, void __user *argp)
{
	struct vmon_mp_state s = {};

	irq_serve_mp(vcpu);
	s.state = vcpu->lapic.mp_state;
	return copy_to_user(argp, &s, sizeof(s)) ? -EFAULT : 0;
}

int vmon_ioctl_set_mp_state(struct vmon_vcpu *vcpu, void __user *argp)
{
	struct vmon_mp_state s;

	if (copy_from_user(&s, argp, sizeof(s)))
		return -EFAULT;
	if (s.padding || s.reserved || s.state > VMON_MP_WAIT_SIPI)
		return -EINVAL;
	vcpu->lapic.mp_state = s.state;
	return 0;
}
