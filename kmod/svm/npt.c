// SPDX-License-Identifier: GPL-2.0
/*
 * Nested page table entries for the common table builder (tdp.c).
 *
 * APM Vol. 2, 15.25.5: nested page tables use the x86 long-mode page
 * table format and the host's paging mode, so with CR4.LA57 set in the
 * host they have five levels (a PML5 root), otherwise four.  Every
 * nested walk is a user-mode access (APM 15.25.5), so every level needs
 * U/S=1; NX is honoured because the host runs with EFER.NXE=1.
 */
#include <linux/types.h>
#include <asm/pgtable_types.h>

#include "core.h"
#include "svm.h"

#define NPT_ADDR_MASK	PTE_PFN_MASK	/* bits 51:12 */

static u64 npt_table_entry(phys_addr_t pa)
{
	/* permissions are decided at the leaf: upper levels allow all */
	return (pa & NPT_ADDR_MASK) | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER;
}

static u64 npt_leaf_entry(phys_addr_t pa, unsigned int perms)
{
	u64 entry = (pa & NPT_ADDR_MASK) | _PAGE_PRESENT | _PAGE_USER;

	/* NPT cannot express write-only or execute-only: present = readable */
	if (perms & VMON_TDP_WRITE)
		entry |= _PAGE_RW;
	if (!(perms & VMON_TDP_EXEC))
		entry |= _PAGE_NX;
	return entry;
}

static bool npt_is_present(u64 entry)
{
	return entry & _PAGE_PRESENT;
}

static phys_addr_t npt_entry_address(u64 entry)
{
	return entry & NPT_ADDR_MASK;
}

static struct vmon_tdp_format npt_format = {
	.name		= "NPT",
	.levels		= 4,
	.table_entry	= npt_table_entry,
	.leaf_entry	= npt_leaf_entry,
	.is_present	= npt_is_present,
	.entry_address	= npt_entry_address,
};

/* hardware_setup(): the depth follows the host's CR4.LA57 */
void svm_npt_setup(void)
{
	npt_format.levels = svm_features.host_levels;
}

const struct vmon_tdp_format *svm_npt_format(void)
{
	return &npt_format;
}
