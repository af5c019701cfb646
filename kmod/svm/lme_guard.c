// SPDX-License-Identifier: GPL-2.0
/*
 * Keep a guest from wedging the host through QEMU TCG's #VMEXIT.
 *
 * QEMU (seen with 7.2, target/i386/tcg/sysemu/svm_helper.c do_vmexit())
 * reloads the host CR0 while EFER still holds the guest's value, and only
 * then the host EFER.  Its cpu_x86_update_cr0() treats the host's
 * CR0.PG 0->1 as "enter long mode" when the guest had EFER.LME set, and
 * when the guest's CR4.PAE is clear it returns without writing CR0 at
 * all ("XXX: generate an exception").  So a #VMEXIT taken while the
 * guest has EFER.LME=1, CR0.PG=0 and CR4.PAE=0 leaves the host CPU
 * running its kernel with the guest's CR0, paging off: the host is gone
 * (RCU stall, no signal can help).  The state is architecturally legal
 * (APM Vol. 2 14.6.1: LME may be set before PAE while paging is off) and
 * real CPUs run it fine, so it is not refused; instead the VMCB never
 * holds it across an exit:
 *
 * - svm->guest_lme is the guest's EFER.LME; the VMCB shows LME only
 *   while CR0.PG or CR4.PAE is set, where the bug cannot trigger.  With
 *   paging off LME does nothing until the guest sets CR0.PG.
 * - While LME is shown, the CR0/CR4 writes (APM 15.9, CR write
 *   intercepts) that could take the guest to PG=0/PAE=0 without an
 *   exit are intercepted.  An intercepted write has not happened yet:
 *   the next entry re-runs it with that one intercept off, having first
 *   hidden LME if that write alone could reach the bad state, and the
 *   entry after that decides again.  No instruction is emulated.
 *
 * The price is an extra exit per CR0/CR4 write of a guest with LME set,
 * so the guard only runs where SVM is itself virtual (CPUID.1:ECX
 * hypervisor bit), never on bare metal.  Setting CR0.PG while LME is set
 * and CR4.PAE clear, which should raise #GP (APM 14.6.1), enters legacy
 * paging under the guard: only that guest is hurt.
 */
#include <asm/cpufeature.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/svm.h>

#include "core.h"
#include "svm.h"

#define LME_GUARD_CR0	BIT(INTERCEPT_CR0_WRITE)
#define LME_GUARD_CR4	BIT(INTERCEPT_CR4_WRITE)

static bool svm_lme_guard_on(void)
{
	return boot_cpu_has(X86_FEATURE_HYPERVISOR);
}

/* before each entry: set the VMCB's EFER.LME and the CR write intercepts */
void __vmon_hot svm_lme_guard_entry(struct svm_vcpu *svm)
{
	struct vmcb *vmcb = svm->vmcb;
	u32 *cr = &vmcb->control.intercepts[INTERCEPT_CR];
	bool pg = vmcb->save.cr0 & X86_CR0_PG;
	bool pae = vmcb->save.cr4 & X86_CR4_PAE;
	u32 pass = svm->lme_guard_pass;
	u32 watch;
	bool show;

	svm->lme_guard_pass = 0;
	*cr &= ~(LME_GUARD_CR0 | LME_GUARD_CR4);
	if (!svm->guest_lme || !svm_lme_guard_on()) {
		if (svm->guest_lme)
			vmcb->save.efer |= EFER_LME;
		else
			vmcb->save.efer &= ~EFER_LME;
		return;
	}

	/* the writes that would reach PG=0 with PAE=0 in one step */
	if (pg && pae) {
		watch = LME_GUARD_CR0 | LME_GUARD_CR4;	/* two steps away */
		show = true;
	} else if (pae) {
		watch = LME_GUARD_CR4;
		show = !(pass & LME_GUARD_CR4);
	} else if (pg) {
		watch = LME_GUARD_CR0;
		show = !(pass & LME_GUARD_CR0);
	} else {
		watch = 0;
		show = false;
	}
	/* hidden: catch the writes after which LME may be shown again */
	if (!show)
		watch = LME_GUARD_CR0 | LME_GUARD_CR4;
	*cr |= watch & ~pass;

	if (show)
		vmcb->save.efer |= EFER_LME;
	else
		vmcb->save.efer &= ~EFER_LME;
}

/* SVM_EXIT_WRITE_CR0/CR4: let the intercepted write run on the next entry */
void svm_lme_guard_exit(struct svm_vcpu *svm, u32 code)
{
	svm->lme_guard_pass = code == SVM_EXIT_WRITE_CR0 ? LME_GUARD_CR0 : LME_GUARD_CR4;
}
