// SPDX-License-Identifier: GPL-2.0
/*
 * Event injection, common part: the interrupt, NMI and exception that
 * userspace hands the kernel (VMON_INTERRUPT, VMON_NMI,
 * VMON_INJECT_EXCEPTION), and the decision taken before every entry of
 * what the guest gets and which window exit it needs.
 *
 * Userspace models the PIC and queues one vector at a time on the INTR
 * pin, which the local APIC passes through while it is hardware-
 * disabled or LINT0 is an unmasked ExtINT; the kernel keeps it until the
 * guest can take it (RFLAGS.IF = 1, no STI/MOV SS shadow, nothing else
 * being delivered), opening an interrupt window itself when it cannot
 * (SDM Vol. 3C 26.7.5 interrupt-window exiting; APM Vol. 2 15.21.4
 * virtual interrupts with the VINTR intercept).  An NMI is latched like
 * the NMI pin and delivered when the guest does not block NMIs (SDM
 * Vol. 3C 26.7.6 NMI-window exiting; on SVM the backend watches the
 * guest's IRET).  One event goes in per entry; an event whose delivery
 * a VM exit interrupted is delivered again first (the backends keep it,
 * SDM Vol. 3C 28.2.4 IDT-vectoring information, APM Vol. 2 15.7.2
 * EXITINTINFO), so it blocks new injection for that entry.
 *
 * The local APIC's own interrupts (irq.c) go in here too, after the
 * INTR pin's.
 *
 * Priority, highest first (SDM Vol. 3A 7.9 "Priority among concurrent
 * events", simplified to what vmon can have at once): an exception or a
 * re-delivered event, then the NMI, then the external interrupt (the
 * INTR pin, then the highest APIC vector above the PPR).
 */
#include <linux/uaccess.h>
#include <asm/processor-flags.h>

#include "core.h"
#include "observe.h"

/*
 * The exceptions userspace may inject, and whether each pushes an error
 * code (SDM Vol. 3A 6.15, Table 6-1; APM Vol. 2 8.2).  Left out: vector
 * 2 (an NMI is not an exception: VMON_NMI), 9 (coprocessor segment
 * overrun, reserved since the i486), 15 and 22-31 (reserved; 28-30 are
 * AMD's #HV, #VC and #SX, which exist only with SEV), and 21 (#CP,
 * which exists only with CET, a feature guests are not offered; VMX
 * without CET refuses an error code for it, SDM Vol. 3C 26.2.1.3).  A
 * processor may refuse to inject a reserved vector, and an entry it
 * refuses would fail again at every VMON_RUN.
 */
enum { VMON_EXC_NONE, VMON_EXC_PLAIN, VMON_EXC_ERROR_CODE };

static const u8 vmon_exceptions[32] = {
	[0] = VMON_EXC_PLAIN,		/* #DE */
	[1] = VMON_EXC_PLAIN,		/* #DB */
	[3] = VMON_EXC_PLAIN,		/* #BP */
	[4] = VMON_EXC_PLAIN,		/* #OF */
	[5] = VMON_EXC_PLAIN,		/* #BR */
	[6] = VMON_EXC_PLAIN,		/* #UD */
	[7] = VMON_EXC_PLAIN,		/* #NM */
	[8] = VMON_EXC_ERROR_CODE,	/* #DF */
	[10] = VMON_EXC_ERROR_CODE,	/* #TS */
	[11] = VMON_EXC_ERROR_CODE,	/* #NP */
	[12] = VMON_EXC_ERROR_CODE,	/* #SS */
	[13] = VMON_EXC_ERROR_CODE,	/* #GP */
	[14] = VMON_EXC_ERROR_CODE,	/* #PF */
	[16] = VMON_EXC_PLAIN,		/* #MF */
	[17] = VMON_EXC_ERROR_CODE,	/* #AC */
	[18] = VMON_EXC_PLAIN,		/* #MC */
	[19] = VMON_EXC_PLAIN,		/* #XM */
	[20] = VMON_EXC_PLAIN,		/* #VE */
};

/*
 * SDM Vol. 3C 26.2.1.3: bits 31:16 of the VM-entry exception error code
 * must be 0, or the entry fails; every architectural error code fits in
 * 16 bits.
 */
#define VMON_EXC_ERROR_CODE_MAX	0xffff

/*
 * VMON_INTERRUPT.  Like every vCPU ioctl it waits for a running
 * VMON_RUN to return (vcpu->mutex): userspace kicks it with a signal.
 */
int __vmon_hot vmon_ioctl_interrupt(struct vmon_vcpu *vcpu, void __user *argp)
{
	struct vmon_events *ev = &vcpu->events;
	struct vmon_interrupt irq;
	int r = 0;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	if (irq.flags || irq.vector > 255)
		return -EINVAL;
	if (ev->irq_queued) {
		r = -EBUSY;
	} else {
		ev->irq_vector = irq.vector;
		ev->irq_queued = true;
	}
	return r;
}

/* VMON_NMI: NMIs raised while one is latched merge into it, as on the pin */
int vmon_ioctl_nmi(struct vmon_vcpu *vcpu, unsigned long arg)
{
	if (arg)
		return -EINVAL;
	vcpu->events.nmi_latched = true;
	return 0;
}

/*
 * VMON_INJECT_EXCEPTION.  The exception goes through the backend's
 * queue_exception(), the path the kernel's own #GP and #UD take, so at
 * most one exception waits for an entry.  Real mode pushes no error
 * code (SDM Vol. 3B "Real-Address Mode Interrupt and Exception
 * Handling"): the backend drops it at the entry that delivers the
 * exception, in whatever mode the guest is then (userspace may switch
 * modes with SET_SREGS in between).
 */
int vmon_ioctl_inject_exception(struct vmon_vcpu *vcpu, void __user *argp)
{
	struct vmon_exception exc;
	int r = 0;

	if (copy_from_user(&exc, argp, sizeof(exc)))
		return -EFAULT;
	if (exc.padding[0] || exc.padding[1] || exc.reserved[0] || exc.reserved[1])
		return -EINVAL;
	if (exc.vector >= ARRAY_SIZE(vmon_exceptions) || exc.has_error_code > 1)
		return -EINVAL;
	switch (vmon_exceptions[exc.vector]) {
	case VMON_EXC_PLAIN:
		if (exc.has_error_code || exc.error_code)
			return -EINVAL;
		break;
	case VMON_EXC_ERROR_CODE:
		if (!exc.has_error_code || exc.error_code > VMON_EXC_ERROR_CODE_MAX)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	if (vmon_call(event_pending)(vcpu))
		r = -EBUSY;
	else
		vmon_ops->queue_exception(vcpu, exc.vector, exc.has_error_code, exc.error_code);
	return r;
}

/*
 * Whether an event goes in with this entry already (*busy: -1 not yet
 * known, else 0/1).  The backend is asked only when something waits to
 * be injected, not at every entry.  Irqs off, loaded.
 */
bool __vmon_hot vmon_events_busy(struct vmon_vcpu *vcpu, int *busy)
{
	if (*busy < 0)
		*busy = vmon_call(event_pending)(vcpu);
	return *busy;
}

/*
 * Irqs off, loaded, right before the backend's run(): inject at most
 * one event and open the windows for what has to wait.  The window
 * exits come back as VMON_X_IRQ_WINDOW / VMON_X_NMI_WINDOW and land in
 * vmon_events_window_exit(); the next entry then injects.
 */
void __vmon_hot vmon_events_prepare_entry(struct vmon_vcpu *vcpu)
{
	struct vmon_events *ev = &vcpu->events;
	bool irq_window = false, nmi_window = false;
	int busy = -1;

	/* an NMI message from another thread (irq.c) latches like VMON_NMI */
	if (test_bit(VMON_REQ_NMI, &vcpu->requests) &&
	    test_and_clear_bit(VMON_REQ_NMI, &vcpu->requests))
		ev->nmi_latched = true;
	if (ev->nmi_latched) {
		if (!vmon_events_busy(vcpu, &busy) && vmon_call(nmi_allowed)(vcpu)) {
			vmon_call(inject_nmi)(vcpu);
			vmon_stats_irq(vcpu, VMON_IRQ_NMI);
			ev->nmi_latched = false;
			busy = 1;
		} else {
			nmi_window = true;
		}
	}
	/* the INTR pin (ExtINT) before the APIC's vectors, as KVM orders them */
	if (ev->irq_queued && vmon_lapic_accepts_extint(vcpu)) {
		if (!vmon_events_busy(vcpu, &busy) && vmon_call(interrupt_allowed)(vcpu)) {
			vmon_call(inject_irq)(vcpu, ev->irq_vector);
			vmon_stats_irq(vcpu, VMON_IRQ_EXTINT);
			ev->irq_queued = false;
			busy = 1;
		} else {
			irq_window = true;
		}
	}
	vmon_lapic_inject(vcpu, &busy, &irq_window);
	/*
	 * Userspace's window: if the guest is interruptible already, the
	 * hardware exits before the first guest instruction (SDM Vol. 3C
	 * 26.7.5; APM Vol. 2 15.21.4), so no case is needed here for it.
	 */
	ev->user_window = READ_ONCE(vcpu->run->request_interrupt_window);
	vmon_call(set_event_windows)(vcpu, irq_window || ev->user_window, nmi_window);
}

/*
 * VMON_X_IRQ_WINDOW / VMON_X_NMI_WINDOW: the guest can take what it
 * could not at the last entry.  The kernel's own windows only need the
 * next entry, which injects; userspace hears of the interrupt window
 * only when nothing of the kernel's is still queued for it, since then
 * a VMON_INTERRUPT would be delivered at once.
 */
int vmon_events_window_exit(struct vmon_vcpu *vcpu)
{
	struct vmon_events *ev = &vcpu->events;

	if (vcpu->exit.kind != VMON_X_IRQ_WINDOW || !ev->user_window || ev->irq_queued)
		return 1;
	vcpu->run->exit_reason = VMON_EXIT_IRQ_WINDOW_OPEN;
	return 0;
}

/*
 * After a HLT exit, once RIP is past the HLT: true when a queued event
 * would wake the halted CPU, in which case the kernel enters again
 * instead of returning VMON_EXIT_HLT.  An interrupt wakes it only with
 * RFLAGS.IF = 1 (the skip ended any STI shadow); an NMI whenever the
 * guest is not blocking NMIs (SDM Vol. 3A 9.10.2 / Vol. 2B HLT).
 */
bool vmon_events_wake_from_hlt(struct vmon_vcpu *vcpu)
{
	struct vmon_events *ev = &vcpu->events;
	bool wake;

	if (ev->irq_queued && (vcpu->regs.rflags & X86_EFLAGS_IF) &&
	    vmon_lapic_accepts_extint(vcpu))
		return true;
	if (!ev->nmi_latched)
		return false;
	wake = vmon_call(nmi_allowed)(vcpu);
	return wake;
}

/* every return from VMON_RUN: the interrupt fields of the run page */
void __vmon_hot vmon_events_report(struct vmon_vcpu *vcpu)
{
	struct vmon_run *run = vcpu->run;
	bool ready = false;

	if (!vcpu->events.irq_queued)
		ready = !vmon_call(event_pending)(vcpu) && vmon_call(interrupt_allowed)(vcpu);
	run->ready_for_interrupt_injection = ready;
	run->if_flag = !!(vcpu->regs.rflags & X86_EFLAGS_IF);
}
