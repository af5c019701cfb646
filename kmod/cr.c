// SPDX-License-Identifier: GPL-2.0
/*
 * The architectural rules of writes to CR0, CR4 and EFER, and the CPL:
 * the same on Intel and AMD, so written once.  The backends call these
 * where they complete a guest's MOV to CR or WRMSR, and where userspace
 * sets the state (SET_SREGS, SET_MSRS); what stays in a backend is only
 * what its hardware adds (VMX: the fixed CR0/CR4 bits, the PDPTE
 * registers of PAE paging; SVM: EFER.SVME and the LME guard for QEMU).
 *
 * Each check returns 0 or -EINVAL: a guest's write then gets #GP(0) and
 * changes nothing; userspace gets EINVAL.
 *
 * Sections: Intel SDM Vol. 3A 2.2.1 (EFER), 2.5 (control registers),
 * 4.10.1 (PCIDs), 10.8.5 (initializing IA-32e mode), Vol. 2B "MOV -
 * Move to/from Control Registers" and "WRMSR"; AMD APM Vol. 2 3.1.1
 * (CR0), 3.1.7 (EFER), 14.6 (enabling and leaving long mode).
 */
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "core.h"

/*
 * EFER.LMA is status, not control: the CPU sets it when CR0.PG turns on
 * with EFER.LME set and clears it with CR0.PG (SDM 10.8.5, APM 14.6.2).
 * WRMSR cannot write it.
 */
u64 vmon_efer_derive_lma(u64 efer, u64 cr0)
{
	efer &= ~EFER_LMA;
	if ((efer & EFER_LME) && (cr0 & X86_CR0_PG))
		efer |= EFER_LMA;
	return efer;
}

/*
 * A write of *efer over old with CR0 = cr0, by the guest's WRMSR or by
 * SET_MSRS (which follows the same rules: SET_SREGS is the way to set
 * CR0 and EFER together).  #GP for a bit the backend does not let a
 * guest hold (allowed, LMA included: it is ignored, not reserved), and
 * for a change of EFER.LME while paging is on (SDM 10.8.5: "WRMSR to
 * EFER.LME while CR0.PG = 1 causes #GP"; APM 14.6.1).  On success
 * *efer holds the value to store, LMA derived.
 */
int vmon_efer_write(u64 old, u64 *efer, u64 cr0, u64 allowed)
{
	if (*efer & ~allowed)
		return -EINVAL;
	if (((old ^ *efer) & EFER_LME) && (cr0 & X86_CR0_PG))
		return -EINVAL;
	*efer = vmon_efer_derive_lma(*efer, cr0);
	return 0;
}

/*
 * MOV to CR0, CLTS and LMSW after the CPU decided to exit.  On success
 * *efer is EFER with LMA following the new CR0.PG.  The backend adds
 * its own CR0 bits (VMX fixed bits) and PDPTE loading.
 */
int vmon_cr0_write(const struct vmon_cr_state *now, u64 val, u64 *efer)
{
	/* SDM 2.5: bits 63:32 are reserved, PG needs PE, NW needs CD */
	if (val >> 32)
		return -EINVAL;
	if ((val & X86_CR0_PG) && !(val & X86_CR0_PE))
		return -EINVAL;
	if ((val & X86_CR0_NW) && !(val & X86_CR0_CD))
		return -EINVAL;
	/* 64-bit mode cannot turn paging off (SDM 10.8.5.4, APM 14.6.3) */
	if (!(val & X86_CR0_PG) && now->mode64)
		return -EINVAL;
	/* paging on with LME activates IA-32e mode, which needs PAE (SDM 10.8.5) */
	if ((val & X86_CR0_PG) && !(now->cr0 & X86_CR0_PG) &&
	    (now->efer & EFER_LME) && !(now->cr4 & X86_CR4_PAE))
		return -EINVAL;
	*efer = vmon_efer_derive_lma(now->efer, val);
	return 0;
}

/*
 * MOV to CR4 after the CPU decided to exit.  allowed: the bits the
 * backend's CPU can hold for a guest; CR4.VMXE never is one (the guest
 * has no VMX; SVM has no CR4 bit, its enable is EFER.SVME).
 */
int vmon_cr4_write(const struct vmon_cr_state *now, u64 val, u64 allowed)
{
	bool lma = now->efer & EFER_LMA;

	if (val & ~(allowed & ~(u64)X86_CR4_VMXE))
		return -EINVAL;
	/* IA-32e mode cannot leave PAE or change the paging depth (SDM MOV CR) */
	if (lma && !(val & X86_CR4_PAE))
		return -EINVAL;
	if (lma && ((val ^ now->cr4) & X86_CR4_LA57))
		return -EINVAL;
	/* PCIDs exist only in IA-32e mode, and start with PCID 0 (SDM 4.10.1) */
	if ((val & X86_CR4_PCIDE) && !(now->cr4 & X86_CR4_PCIDE) &&
	    (!lma || (now->cr3 & 0xfff)))
		return -EINVAL;
	return 0;
}

/*
 * SET_SREGS: only what no register can hold is refused (the other
 * inconsistencies are the VM-entry checks' to name): an EFER bit the
 * backend does not allow, a CR8 above 15 (SDM 2.5: bits 63:4 reserved).
 */
int vmon_sregs_check(const struct vmon_sregs *sregs, u64 efer_allowed)
{
	if (sregs->efer & ~efer_allowed)
		return -EINVAL;
	if (sregs->cr8 & ~0xfull)
		return -EINVAL;
	return 0;
}

/*
 * The CPL: 0 in real mode, else SS.DPL, which both VMX (SDM 26.3.1.2)
 * and SVM (APM 15.5.1, the VMCB's CPL field) keep equal to it.
 */
u8 vmon_cpl(const struct vmon_sregs *sregs)
{
	return (sregs->cr0 & X86_CR0_PE) ? sregs->ss.dpl & 3 : 0;
}
