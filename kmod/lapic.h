/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local APIC of each vCPU (SDM Vol. 3A chapter 11), kept in the
 * kernel: the register page (lapic.c), the timer (lapic_timer.c) and
 * the delivery of interrupt messages to the VM's APICs (IPIs, MSIs).
 */
#ifndef VMON_LAPIC_H
#define VMON_LAPIC_H

#include <linux/hrtimer.h>
#include <linux/types.h>
#include <linux/wait.h>

struct vmon_vcpu;
struct vmon_vm;

/* register offsets of the xAPIC page (SDM Vol. 3A Table 11-1) */
#define VMON_APIC_ID		0x020
#define VMON_APIC_LVR		0x030
#define VMON_APIC_TPR		0x080
#define VMON_APIC_PPR		0x0a0
#define VMON_APIC_EOI		0x0b0
#define VMON_APIC_LDR		0x0d0
#define VMON_APIC_DFR		0x0e0
#define VMON_APIC_SVR		0x0f0
#define VMON_APIC_ISR		0x100
#define VMON_APIC_TMR		0x180
#define VMON_APIC_IRR		0x200
#define VMON_APIC_ESR		0x280
#define VMON_APIC_ICR		0x300
#define VMON_APIC_ICR2		0x310
#define VMON_APIC_LVTT		0x320
#define VMON_APIC_LVTTHMR	0x330
#define VMON_APIC_LVTPC		0x340
#define VMON_APIC_LVT0		0x350
#define VMON_APIC_LVT1		0x360
#define VMON_APIC_LVTERR	0x370
#define VMON_APIC_TMICT		0x380
#define VMON_APIC_TMCCT		0x390
#define VMON_APIC_TDCR		0x3e0
#define VMON_APIC_SELF_IPI	0x3f0	/* x2APIC only */

/* LVT timer mode, bits 18:17 (SDM Vol. 3A 11.5.1) */
#define VMON_APIC_LVTT_ONESHOT		(0u << 17)
#define VMON_APIC_LVTT_PERIODIC		BIT(17)
#define VMON_APIC_LVTT_TSCDEADLINE	(2u << 17)
#define VMON_APIC_LVTT_MODE		(3u << 17)
#define VMON_APIC_LVT_MASKED		BIT(16)

/* delivery modes of the ICR, the LVT entries and MSI data (SDM Vol. 3A 11.6.1) */
#define VMON_APIC_DM_FIXED	0
#define VMON_APIC_DM_LOWEST	1
#define VMON_APIC_DM_SMI	2
#define VMON_APIC_DM_NMI	4
#define VMON_APIC_DM_INIT	5
#define VMON_APIC_DM_SIPI	6
#define VMON_APIC_DM_EXTINT	7

/*
 * The timer (lapic_timer.c).  Its hrtimer callback runs in hard-irq
 * context on whatever CPU it was armed on; it only calls
 * vmon_lapic_timer_fired(), which posts the interrupt and kicks or
 * wakes the vCPU.  The APIC bus runs at VMON_APIC_BUS_HZ and the count
 * is kept against the host TSC (which is the guest's TSC plus the
 * backend's offset), so the guest's RDTSC never sees the timer early.
 *
 * Fields: the vCPU thread's (vcpu->mutex), and written only while the
 * hrtimer is not queued (after hrtimer_cancel()); the callback reads
 * them, and owns target_tsc while the hrtimer is queued.  expired is
 * written by the callback and read by the vCPU thread.
 */
#define VMON_APIC_BUS_HZ	1000000000ULL	/* 1 ns per bus cycle, as KVM */

struct vmon_lapic_timer {
	struct hrtimer hrtimer;
	u32 mode;			/* VMON_APIC_LVTT_* the timer runs in */
	u32 divide;			/* 1, 2, ... 128 (TDCR decoded) */
	u32 initial;			/* TMICT at the last load; 0 stopped */
	u64 start_tsc;			/* host TSC when the count was loaded */
	u64 period_tsc;			/* periodic: one (clamped) period; else 0 */
	u64 target_tsc;			/* host TSC of the next expiry */
	u64 tsc_deadline;		/* IA32_TSC_DEADLINE (guest TSC), 0 disarmed */
	bool expired;			/* one-shot/deadline fired (WRITE_ONCE) */
};

/* lapic_timer.c: called by lapic.c, vCPU thread, vcpu->mutex held */
void vmon_lapic_timer_init(struct vmon_vcpu *vcpu);
void vmon_lapic_timer_destroy(struct vmon_vcpu *vcpu);	/* cancels, waits */
/*
 * The register page already holds the new value of reg (LVTT, TMICT or
 * TDCR), written by the guest: (re)arm or stop.
 */
void vmon_lapic_timer_write(struct vmon_vcpu *vcpu, u32 reg);
u32 vmon_lapic_timer_current_count(struct vmon_vcpu *vcpu);	/* TMCCT */
/* MSR 0x6e0: 0 outside TSC-deadline mode and once the deadline fired */
u64 vmon_lapic_timer_get_deadline(struct vmon_vcpu *vcpu);
/* MSR 0x6e0 write (guest or SET_MSRS); the vCPU is loaded (guest TSC) */
void vmon_lapic_timer_set_deadline(struct vmon_vcpu *vcpu, u64 tsc);
/*
 * VMON_SET_LAPIC, after the register page was replaced: restart the
 * timer from LVTT, TDCR, TMICT, the saved current count (one-shot,
 * periodic; 0: expired or stopped) and the saved deadline.  The vCPU is
 * loaded (vmon_vcpu_load()), as the deadline is in guest TSC.
 */
void vmon_lapic_timer_restore(struct vmon_vcpu *vcpu, u32 current_count, u64 tsc_deadline);
/* vcpu_load() on another CPU than last time: keep the hrtimer near the vCPU */
void vmon_lapic_timer_migrate(struct vmon_vcpu *vcpu);

/*
 * Per-vCPU local APIC state (lapic.c, irq.c).  Locking (see
 * Documentation/locking.rst):
 *  - regs[], isr[], mp_state, eoi_vector, cr8_synced: the vCPU thread
 *    (vcpu->mutex).  Senders on other threads read the addressing
 *    registers (ID, LDR, DFR, SVR) and vcpu->msr.apic_base with
 *    READ_ONCE(): a message racing with the guest's own reprogramming of
 *    its destination hits the old or the new one, as on hardware.
 *  - irr[], tmr[], esr_pending, sipi_vector: written from any context
 *    (other vCPUs, VMON_SIGNAL_MSI, the timer's hard irq) with atomic
 *    bit operations, read by the vCPU thread; followed by a request bit
 *    and a kick (irq.c explains the ordering).
 */
struct vmon_lapic {
	u32 regs[1024 / 4];		/* the xAPIC page; IRR/ISR/TMR live below */
	unsigned long irr[BITS_TO_LONGS(256)];	/* atomic */
	unsigned long tmr[BITS_TO_LONGS(256)];	/* atomic */
	unsigned long isr[BITS_TO_LONGS(256)];	/* vCPU thread */
	unsigned long esr_pending;	/* atomic: receive-side error bits */
	u8 sipi_vector;			/* written before VMON_REQ_SIPI */
	u32 mp_state;			/* enum vmon_mp_state_value */
	int eoi_vector;			/* level EOI for userspace, -1 none */
	u8 cr8_synced;			/* CR8 as last written to the backend */
	wait_queue_head_t wq;		/* a halted / waiting vCPU sleeps here */
	struct vmon_lapic_timer timer;	/* lapic_timer.c */
};

/* lapic.c: the register file */
void vmon_lapic_init(struct vmon_vcpu *vcpu);	/* creation: power-up state */
void vmon_lapic_destroy(struct vmon_vcpu *vcpu);
void vmon_lapic_reset(struct vmon_vcpu *vcpu, bool init);
bool vmon_lapic_hw_enabled(struct vmon_vcpu *vcpu);	/* IA32_APIC_BASE.EN */
bool vmon_lapic_sw_enabled(struct vmon_vcpu *vcpu);	/* and SVR bit 8 */
bool vmon_lapic_x2apic(struct vmon_vcpu *vcpu);
int vmon_lapic_set_base(struct vmon_vcpu *vcpu, u64 data, bool host);
/* a TDP fault: 1 handled, 0 userspace exit prepared, -ENOENT not the APIC page */
int vmon_lapic_mmio(struct vmon_vcpu *vcpu, u64 gpa);
/* MSRs 0x800-0x8ff: 0, -EINVAL (#GP) */
int vmon_lapic_rdmsr(struct vmon_vcpu *vcpu, u32 index, u64 *data);
int vmon_lapic_wrmsr(struct vmon_vcpu *vcpu, u32 index, u64 data);
void vmon_lapic_update_ppr(struct vmon_vcpu *vcpu);
/* irqs off or loaded: keep CR8 and TPR[7:4] equal (SDM Vol. 3A 11.8.6) */
void vmon_lapic_sync_cr8(struct vmon_vcpu *vcpu);
struct vmon_lapic_state;
int vmon_lapic_read_state(struct vmon_vcpu *vcpu, struct vmon_lapic_state *s, u32 *mp_state);
int vmon_ioctl_get_lapic(struct vmon_vcpu *vcpu, void __user *argp);
int vmon_ioctl_set_lapic(struct vmon_vcpu *vcpu, void __user *argp);
/* the local error interrupt for an error the vCPU itself caused */
void vmon_lapic_error(struct vmon_vcpu *vcpu, u32 esr_bit);

/* irq.c: interrupt messages and their delivery */
struct vmon_apic_msg {
	u32 dest;			/* physical ID or logical mask */
	u8 vector;
	u8 mode;			/* VMON_APIC_DM_* */
	u8 shorthand;			/* ICR bits 19:18 */
	bool logical;
	bool level;			/* level-triggered (TMR) */
	bool assert;			/* INIT: level assert (de-assert ignored) */
	bool broadcast;			/* dest is the sender's "all" ID */
};

/* any context; returns the number of local APICs that accepted it */
int vmon_apic_deliver(struct vmon_vm *vm, struct vmon_vcpu *src,
		      const struct vmon_apic_msg *msg);
/* any context: this APIC accepts an interrupt (IRR, NMI, INIT, SIPI) */
bool vmon_lapic_accept(struct vmon_vcpu *vcpu, u8 mode, u8 vector, bool level);
void vmon_lapic_eoi(struct vmon_vcpu *vcpu);
/* irqs off, loaded: the APIC's part of vmon_events_prepare_entry() */
void vmon_lapic_inject(struct vmon_vcpu *vcpu, int *busy, bool *window);
/* whether VMON_INTERRUPT (the INTR pin) may be taken: ExtINT through LINT0 */
bool vmon_lapic_accepts_extint(struct vmon_vcpu *vcpu);
/* the highest deliverable vector, -1 none (vCPU thread) */
int vmon_lapic_pending_vector(struct vmon_vcpu *vcpu);
/* VMON_RUN: wait while halted or waiting for SIPI; 0 or -EINTR (core.h) */
int vmon_lapic_wait(struct vmon_vcpu *vcpu);
/* a HLT exit with RIP past it: true when the vCPU now waits in the kernel */
bool vmon_lapic_halt(struct vmon_vcpu *vcpu);
/* an MSI's address and data as a message: 0 or -EINVAL (irq.c) */
int vmon_msi_to_apic_msg(u64 address, u32 data, struct vmon_apic_msg *m);
int vmon_ioctl_signal_msi(struct vmon_vm *vm, void __user *argp);
int vmon_ioctl_get_mp_state(struct vmon_vcpu *vcpu, void __user *argp);
int vmon_ioctl_set_mp_state(struct vmon_vcpu *vcpu, void __user *argp);

/*
 * lapic.c: the timer expired (any context, hard irq included): post the
 * LVTT vector unless LVTT is masked, and kick or wake the vCPU.
 */
void vmon_lapic_timer_fired(struct vmon_vcpu *vcpu);
/* lapic.c: a register of the page, for the timer (vcpu->mutex held) */
u32 vmon_lapic_get_reg(struct vmon_vcpu *vcpu, u32 reg);

#endif /* VMON_LAPIC_H */
