// SPDX-License-Identifier: GPL-2.0
/*
 * PAE paging under EPT: the PDPTE registers, and the flushes the CPU
 * does on paging changes that vmon makes for it.
 *
 * With PAE paging (CR0.PG and CR4.PAE set, not IA-32e mode) linear
 * addresses go through four PDPTE registers, loaded from the 32-byte
 * table at CR3[31:5] by a MOV to CR0 or CR4 that enters PAE paging or
 * changes a paging bit, and by any MOV to CR3 while in PAE paging; a
 * present entry with a reserved bit makes the MOV raise #GP(0) and load
 * nothing (SDM Vol. 3A 4.4.1, Table 4-8).  The guest's own MOVs do this
 * in the CPU.  But with EPT, VM entry loads the registers from the
 * VMCS guest PDPTE fields, not from memory (Vol. 3C 27.3.2.4), and VM
 * exit stores the ones in use there (28.3.4).  So when vmon itself
 * completes a MOV to CR that exited, or SET_SREGS writes CR0/CR3/CR4,
 * vmon must do the load: read the table from guest memory, check it,
 * fill the fields.
 *
 * The CPU also drops cached translations on those MOVs (Vol. 3A
 * 4.10.4.1).  With VPID the translations tagged with the vCPU's VPID
 * survive VM exit and entry (Vol. 3C 29.4.3.3), so a change vmon makes
 * asks for a flush (INVVPID, with INVEPT, before the next entry).
 */
#include <asm/pgtable_types.h>
#include <asm/processor-flags.h>

#include "vmx_priv.h"

/* a change of these, into PAE paging, reloads the PDPTEs (SDM 3A 4.4.1) */
#define VMX_CR0_PDPTE_BITS	(X86_CR0_PG | X86_CR0_CD | X86_CR0_NW)
#define VMX_CR4_PDPTE_BITS	(X86_CR4_PAE | X86_CR4_PGE | X86_CR4_PSE | X86_CR4_SMEP)

/* bits that change how linear addresses translate: flush when they change */
#define VMX_CR0_PAGING_BITS	(VMX_CR0_PDPTE_BITS | X86_CR0_PE | X86_CR0_WP)
#define VMX_CR4_PAGING_BITS	(VMX_CR4_PDPTE_BITS | X86_CR4_PCIDE | X86_CR4_LA57 | \
				 X86_CR4_SMAP | X86_CR4_PKE)
#define VMX_EFER_PAGING_BITS	(EFER_LME | EFER_LMA | EFER_NX)

/* loaded: the guest's paging registers as it sees them */
void vmx_read_paging(struct vmx_paging *p)
{
	p->cr0 = vmx_guest_cr0();
	p->cr3 = vmcs_read(GUEST_CR3);
	p->cr4 = vmx_guest_cr4();
	p->efer = vmcs_read(GUEST_IA32_EFER);
}

/*
 * PAE paging.  The SDM states it with EFER.LME (3A 4.1.1); an entry
 * decides with the "IA-32e mode guest" control (3C 27.3.1.6), which
 * vmon keeps equal to EFER.LMA (vmx_update_ia32e_mode()).
 */
bool vmx_pae_paging(const struct vmx_paging *p)
{
	return (p->cr0 & X86_CR0_PG) && (p->cr4 & X86_CR4_PAE) && !(p->efer & EFER_LMA);
}

/* going from old to new, would the CPU load the PDPTEs? (not MOV to CR3) */
bool vmx_pdptes_reload(const struct vmx_paging *old, const struct vmx_paging *new)
{
	if (!vmx_pae_paging(new))
		return false;
	return !vmx_pae_paging(old) || old->cr3 != new->cr3 ||
	       ((old->cr0 ^ new->cr0) & VMX_CR0_PDPTE_BITS) ||
	       ((old->cr4 ^ new->cr4) & VMX_CR4_PDPTE_BITS);
}

/* bits 2:1, 8:5 and 63:MAXPHYADDR of a present PDPTE (SDM 3A Table 4-8) */
u64 vmx_pdpte_reserved(void)
{
	return vmx_phys_reserved() | GENMASK_ULL(2, 1) | GENMASK_ULL(8, 5);
}

/*
 * Read the four PDPTEs of the table at cr3 from guest memory.  0: all
 * usable; -EINVAL: read, but a present one has reserved bits; -EFAULT:
 * the table is not in guest RAM (no slot), pdptes[] is undefined.
 */
int vmx_read_pdptes(struct vmon_vcpu *vcpu, u64 cr3, u64 pdptes[VMX_NR_PDPTES])
{
	u64 reserved = vmx_pdpte_reserved();
	int i, r;

	/* CR3[31:5]: a 32-byte aligned table below 4 GiB (SDM 3A Table 4-7) */
	r = vmon_read_guest(vcpu->vm, cr3 & GENMASK_ULL(31, 5), pdptes,
			    VMX_NR_PDPTES * sizeof(u64));
	if (r)
		return r;
	for (i = 0; i < VMX_NR_PDPTES; i++) {
		if ((pdptes[i] & _PAGE_PRESENT) && (pdptes[i] & reserved))
			return -EINVAL;
	}
	return 0;
}

/* loaded: what the next entry loads into the PDPTE registers */
void vmx_write_pdptes(const u64 pdptes[VMX_NR_PDPTES])
{
	int i;

	for (i = 0; i < VMX_NR_PDPTES; i++)
		vmcs_write(GUEST_PDPTR0 + 2 * i, pdptes[i]);
}

/*
 * Loaded: the load of a MOV to CR that vmon completes.  Nonzero means
 * the MOV raises #GP(0) and the fields are left alone: a reserved bit
 * as on the CPU, or a table outside guest RAM, which vmon cannot read
 * from here (KVM answers the same).
 */
int vmx_load_pdptes(struct vmon_vcpu *vcpu, u64 cr3)
{
	u64 pdptes[VMX_NR_PDPTES];
	int r = vmx_read_pdptes(vcpu, cr3, pdptes);

	if (!r)
		vmx_write_pdptes(pdptes);
	return r;
}

/* loaded: vmon moved the paging registers from old to new; flush if they differ */
void vmx_paging_changed(struct vmx_vcpu *vmx, const struct vmx_paging *old,
			const struct vmx_paging *new)
{
	if (old->cr3 != new->cr3 ||
	    ((old->cr0 ^ new->cr0) & VMX_CR0_PAGING_BITS) ||
	    ((old->cr4 ^ new->cr4) & VMX_CR4_PAGING_BITS) ||
	    ((old->efer ^ new->efer) & VMX_EFER_PAGING_BITS))
		vmx->need_flush = true;		/* served by vmx_run() */
}
