// SPDX-License-Identifier: GPL-2.0
/*
 * The VMCB control area: intercepts, I/O and MSR permission maps,
 * nested paging, event injection, and the entry itself.
 *
 * Section numbers refer to the AMD64 Architecture Programmer's Manual
 * Vol. 2 (APM), chapter 15 "Secure Virtual Machine".
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/svm.h>

#include "core.h"
#include "spec.h"
#include "svm.h"

/*
 * APM 15.10.1: the IOPM is 12 KiB (one bit per port, plus the bits an
 * access that wraps past port 0xFFFF reads), physically contiguous and
 * 4 KiB aligned.  APM 15.11: the MSRPM is 8 KiB.  Both are all ones, so
 * every port and every MSR access exits, and can therefore be shared by
 * all vCPUs; MSRs outside the map's three ranges always exit anyway.
 */
#define SVM_IOPM_ORDER	2	/* 16 KiB allocated, 12 KiB used */
#define SVM_MSRPM_ORDER	1	/* 8 KiB */

static struct page *svm_iopm;
static struct page *svm_msrpm;

int svm_alloc_permission_maps(void)
{
	svm_iopm = alloc_pages(GFP_KERNEL, SVM_IOPM_ORDER);
	svm_msrpm = alloc_pages(GFP_KERNEL, SVM_MSRPM_ORDER);
	if (!svm_iopm || !svm_msrpm) {
		svm_free_permission_maps();
		return -ENOMEM;
	}
	memset(page_address(svm_iopm), 0xff, PAGE_SIZE << SVM_IOPM_ORDER);
	memset(page_address(svm_msrpm), 0xff, PAGE_SIZE << SVM_MSRPM_ORDER);
	return 0;
}

void svm_free_permission_maps(void)
{
	if (svm_iopm)
		__free_pages(svm_iopm, SVM_IOPM_ORDER);
	if (svm_msrpm)
		__free_pages(svm_msrpm, SVM_MSRPM_ORDER);
	svm_iopm = NULL;
	svm_msrpm = NULL;
}

static void svm_set_intercept(struct vmcb_control_area *ctl, unsigned int bit)
{
	ctl->intercepts[bit / 32] |= 1u << (bit % 32);
}

/* the intercepts every vmon guest runs with (APM 15.9-15.14) */
static const unsigned int svm_intercepts[] = {
	/* 15.9.1: physical interrupts and NMIs belong to the host */
	INTERCEPT_INTR,
	INTERCEPT_NMI,
	/* 15.12: exits the run loop hands to userspace or handles */
	INTERCEPT_CPUID,
	INTERCEPT_HLT,
	INTERCEPT_IOIO_PROT,
	INTERCEPT_MSR_PROT,
	INTERCEPT_XSETBV,
	INTERCEPT_VMMCALL,
	/* reported as unhandled: vmon does not emulate these */
	INTERCEPT_INVD,
	INTERCEPT_TASK_SWITCH,
	/*
	 * 15.12.2: an unintercepted shutdown (triple fault) shuts down the
	 * whole physical machine.
	 */
	INTERCEPT_SHUTDOWN,
	/* 15.5.1: VMRUN must be intercepted or VMRUN fails */
	INTERCEPT_VMRUN,
	/* the guest sees no SVM: these raise #UD (exit.c) */
	INTERCEPT_VMLOAD,
	INTERCEPT_VMSAVE,
	INTERCEPT_STGI,
	INTERCEPT_CLGI,
	INTERCEPT_SKINIT,
	INTERCEPT_INVLPGA,
	/* MWAIT would park the physical CPU with the host's timer pending */
	INTERCEPT_MONITOR,
	INTERCEPT_MWAIT,
	INTERCEPT_MWAIT_COND,
};

/* #MC in the guest is the host's machine check (APM 15.12.1) */
#define SVM_MC_VECTOR	18

void svm_init_vmcb(struct svm_vcpu *svm)
{
	struct vmcb_control_area *ctl = &svm->vmcb->control;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(svm_intercepts); i++)
		svm_set_intercept(ctl, svm_intercepts[i]);
	ctl->intercepts[INTERCEPT_EXCEPTION] = BIT(SVM_MC_VECTOR);
	if (svm_features.pause_filter) {
		svm_set_intercept(ctl, INTERCEPT_PAUSE);
		ctl->pause_filter_count = SVM_PAUSE_FILTER_COUNT;
		if (svm_features.pause_threshold)
			ctl->pause_filter_thresh = SVM_PAUSE_FILTER_THRESHOLD;
	}

	ctl->iopm_base_pa = page_to_phys(svm_iopm);
	ctl->msrpm_base_pa = page_to_phys(svm_msrpm);

	/*
	 * APM 15.21.1: with V_INTR_MASKING the guest's RFLAGS.IF and CR8
	 * act on virtual interrupts only; physical interrupts stay under
	 * the host RFLAGS.IF saved at VMRUN, which svm_run() sets to 1
	 * while GIF holds them off.
	 */
	ctl->int_ctl = V_INTR_MASKING_MASK;

	/* APM 15.25.3: nested paging, nCR3 = the TDP root from tdp.c */
	ctl->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	ctl->nested_cr3 = svm->vcpu.vm->tdp.root_pa;

	/* APM 15.30.5: guest TSC = host TSC + offset, 0 at the VM's creation */
	ctl->tsc_offset = svm->vcpu.vm->tsc_offset;

	/* a real ASID is assigned before the first entry (svm.c) */
	ctl->asid = 0;
	ctl->tlb_ctl = TLB_CONTROL_DO_NOTHING;

	/*
	 * APM 15.15: the clean bits tell the CPU which VMCB areas it may
	 * take from its cache.  vmon always clears all of them, so every
	 * VMRUN reloads the whole VMCB and no write below needs tracking.
	 */
	ctl->clean = 0;

	svm_reset_state(svm);
}

/*
 * The controls that keep the host's interrupts the host's, written
 * before every VMRUN instead of trusted to stay as svm_init_vmcb() left
 * them: with V_INTR_MASKING clear the guest's RFLAGS.IF would mask
 * physical interrupts (APM 15.21.1), and a guest spinning with IF = 0
 * would hold the CPU until an NMI.  QEMU 7.2 writes 0 into the
 * interrupt control of the VMCB when it refuses a VMRUN
 * (VMEXIT_INVALID).  The value given to VMRUN is kept for that case.
 */
void __vmon_hot svm_keep_host_interrupts(struct svm_vcpu *svm)
{
	struct vmcb_control_area *ctl = &svm->vmcb->control;

	svm_set_intercept(ctl, INTERCEPT_INTR);
	svm_set_intercept(ctl, INTERCEPT_NMI);
	ctl->int_ctl |= V_INTR_MASKING_MASK;
	svm->int_ctl_at_entry = ctl->int_ctl;
}

void svm_queue_exception(struct vmon_vcpu *vcpu, u8 vector,
			 bool has_error_code, u32 error_code)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm->exception_pending = true;
	svm->exception_vector = vector;
	svm->exception_has_error = has_error_code;
	svm->exception_error = error_code;
}

/*
 * The XSETBV intercept (APM 15.9, exit 8Dh) keeps a guest from changing
 * XCR0 behind fpu.c's back, so on hardware this finds nothing to do.
 * QEMU TCG (7.2) has no XSETBV intercept: the guest's XSETBV writes the
 * real XCR0.  Adopt that value, so that fpu.c restores the host's XCR0
 * after the exit and gives the guest its own on the next entry.
 */
static void __vmon_hot svm_sync_guest_xcr0(struct vmon_vcpu *vcpu)
{
	u64 xcr0;

	if (!boot_cpu_has(X86_FEATURE_OSXSAVE))
		return;
	xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	if (unlikely(xcr0 != vcpu->guest_xcr0))
		vcpu->guest_xcr0 = xcr0;
}

/*
 * Interrupts are off (the run loop did local_irq_disable()).  CLGI
 * holds host interrupts and NMIs from before VMSAVE of the host state
 * until after VMLOAD has put it back (APM 15.17: GIF); between those
 * two, FS/GS/TR hold guest values and no host code may run.  RFLAGS.IF
 * is set across VMRUN only because the host IF saved at VMRUN decides
 * whether physical interrupts exit the guest (APM 15.21.1, 15.21.4);
 * GIF=0 keeps them pending in the host meanwhile.
 */
void __vmon_hot svm_run(struct vmon_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;
	struct svm_cpu_data *sd = this_cpu_ptr(&svm_cpu_data);

	svm_assign_asid(svm, sd);

	vmcb->save.rax = vcpu->regs.rax;
	vmcb->save.rsp = vcpu->regs.rsp;
	vmcb->save.rip = vcpu->regs.rip;
	vmcb->save.rflags = vcpu->regs.rflags;
	svm_events_entry(svm);
	svm_lme_guard_entry(svm);
	svm_keep_save_area(svm);	/* checks.c: QEMU rewrites it on VMEXIT_INVALID */
	svm_keep_host_interrupts(svm);
	vmcb->control.clean = 0;

	vmon_spec_before_entry(vcpu);
	asm volatile("clgi" ::: "memory");
	raw_local_irq_enable();
	svm_enter_guest(svm->vmcb_pa, &vcpu->regs, sd->host_save_pa);
	raw_local_irq_disable();
	/* NMIs that arrived in the guest are taken by the host here */
	asm volatile("stgi" ::: "memory");
	vmon_spec_after_exit(vcpu);

	/* #VMEXIT set DR7 to its reset value (APM 15.7.2) */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();

	svm_sync_guest_xcr0(vcpu);

	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	vmcb->control.event_inj = 0;
	if (vmcb->control.exit_code == (u32)SVM_EXIT_ERR) {
		/*
		 * No guest instruction ran.  QEMU TCG writes a half-loaded
		 * RIP into the save area here, and 0 into the interrupt
		 * control; keep what the caller set.
		 */
		svm_restore_save_area(svm);
		vmcb->control.int_ctl = svm->int_ctl_at_entry;
		vmcb->save.rax = vcpu->regs.rax;
		vmcb->save.rsp = vcpu->regs.rsp;
		vmcb->save.rip = vcpu->regs.rip;
		vmcb->save.rflags = vcpu->regs.rflags;
	} else {
		vcpu->regs.rax = vmcb->save.rax;
		vcpu->regs.rsp = vmcb->save.rsp;
		vcpu->regs.rip = vmcb->save.rip;
		vcpu->regs.rflags = vmcb->save.rflags;
	}

	svm_decode_exit(svm);
	if (vmcb->control.exit_code != (u32)SVM_EXIT_ERR)
		svm_events_exit(svm, vmcb->control.exit_code);
}
