// SPDX-License-Identifier: GPL-2.0
/*
 * Extended page tables: the entry format the common table builder
 * uses (SDM 29.3.2, Tables 29-1..29-6), the EPT pointer of a VM
 * (SDM 25.6.11) and TLB maintenance with INVEPT/INVVPID (SDM 29.4.3).
 */
#include <linux/bits.h>
#include <asm/asm.h>

#include "vmx_priv.h"

#define VMX_EPT_ADDR_MASK	GENMASK_ULL(51, 12)

/* non-leaf: every access allowed, the leaf decides (SDM 29.3.2) */
static u64 vmx_ept_table_entry(phys_addr_t pa)
{
	return (pa & VMX_EPT_ADDR_MASK) | VMX_EPT_RWX_MASK;
}

/*
 * 4 KiB leaf: permissions, memory type write-back in bits 5:3 and
 * "ignore PAT" clear, so the guest's PAT still applies (SDM 29.3.7.2).
 */
static u64 vmx_ept_leaf_entry(phys_addr_t pa, unsigned int perms)
{
	u64 e = (pa & VMX_EPT_ADDR_MASK) | (VMX_EPTP_MT_WB << VMX_EPT_MT_EPTE_SHIFT);

	if (perms & VMON_TDP_READ)
		e |= VMX_EPT_READABLE_MASK;
	if (perms & VMON_TDP_WRITE)
		e |= VMX_EPT_WRITABLE_MASK;
	if (perms & VMON_TDP_EXEC)
		e |= VMX_EPT_EXECUTABLE_MASK;
	return e;
}

/* an entry with none of R/W/X is not present (SDM 29.3.2) */
static bool vmx_ept_is_present(u64 entry)
{
	return entry & VMX_EPT_RWX_MASK;
}

static phys_addr_t vmx_ept_entry_address(u64 entry)
{
	return entry & VMX_EPT_ADDR_MASK;
}

const struct vmon_tdp_format vmx_ept_format = {
	.name = "EPT",
	.levels = 4,
	.table_entry = vmx_ept_table_entry,
	.leaf_entry = vmx_ept_leaf_entry,
	.is_present = vmx_ept_is_present,
	.entry_address = vmx_ept_entry_address,
};

/* EPTP: write-back paging structures, walk length 4 - 1 (SDM 25.6.11) */
int vmx_vm_init(struct vmon_vm *vm)
{
	struct vmx_vm *vmx_vm = to_vmx_vm(vm);

	vmx_vm->eptp = vm->tdp.root_pa | VMX_EPTP_MT_WB | VMX_EPTP_PWL_4;
	return 0;
}

/*
 * Nothing to undo.  Should the root page be reused by a later VM, stale
 * translations tagged with the same EPTP cannot be used: every vCPU
 * flushes its EPTP and VPID before its first entry on each CPU it
 * arrives on (vmx_vcpu_load() sets need_flush).
 */
void vmx_vm_destroy(struct vmon_vm *vm)
{
}

static bool vmx_invept(unsigned long type, u64 eptp)
{
	struct { u64 eptp, reserved; } desc = { eptp, 0 };
	bool fail;

	asm volatile("invept %1, %2" CC_SET(na)
		     : CC_OUT(na)(fail) : "m"(desc), "r"(type) : "memory", "cc");
	return !fail;
}

static bool vmx_invvpid(unsigned long type, u16 vpid)
{
	struct { u64 vpid, gva; } desc = { vpid, 0 };
	bool fail;

	asm volatile("invvpid %1, %2" CC_SET(na)
		     : CC_OUT(na)(fail) : "m"(desc), "r"(type) : "memory", "cc");
	return !fail;
}

/* cpu_enable: forget every guest-physical and combined mapping here */
void vmx_ept_flush_all(void)
{
	if (vmx_config.invept_global)
		vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	if (vmx_config.vpid && vmx_config.invvpid_global)
		vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0);
}

/*
 * Irqs off, loaded: drop the guest-physical mappings of this VM's EPTP
 * and the linear mappings tagged with this vCPU's VPID.  Without VPID
 * the entry/exit itself flushes VPID 0 (SDM 29.4.3.3).
 */
void vmx_flush_tlb(struct vmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 eptp = to_vmx_vm(vcpu->vm)->eptp;
	bool ok;

	if (vmx_config.invept_single)
		ok = vmx_invept(VMX_EPT_EXTENT_CONTEXT, eptp);
	else
		ok = vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	if (ok && vmx->vpid) {
		if (vmx_config.invvpid_single)
			ok = vmx_invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, vmx->vpid);
		else
			ok = vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0);
	}
	if (!ok)
		pr_err_ratelimited("vmon: INVEPT/INVVPID failed for vCPU %u\n", vcpu->id);
	vmx->need_flush = false;
}
