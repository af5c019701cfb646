// SPDX-License-Identifier: GPL-2.0
/*
 * Two-dimensional paging: the guest-physical -> host-physical tables the
 * hardware walks after the guest's own page tables (Intel EPT, SDM Vol. 3C
 * 29.3; AMD nested paging, APM Vol. 2 15.25).  Both formats are radix
 * trees of 512-entry pages indexed by 9 bits of the address per level,
 * exactly like ordinary x86-64 paging; only the bits of an entry differ,
 * and struct vmon_tdp_format spells those.  This file builds the tree.
 *
 * Only 4 KiB leaves are used.  Table pages are never freed before the
 * whole tree goes (vmon_tdp_destroy): a table page that the hardware may
 * still hold in a paging-structure cache on another CPU must not be
 * reused until every vCPU flushed, and unmap does not wait for that.
 * Leaves are cleared by unmap; mem.c flushes and kicks every vCPU before
 * the pages they pointed at are released.
 *
 * The hardware walks these tables concurrently with updates, so every
 * entry is written with WRITE_ONCE() and a table is fully zeroed before
 * the entry pointing to it is published.
 */
#include <linux/gfp.h>
#include <linux/mm.h>

#include "core.h"

#define TDP_ENTRIES		512
#define TDP_LEVEL_SHIFT(l)	(PAGE_SHIFT + 9 * ((l) - 1))
#define TDP_INDEX(gpa, l)	(((gpa) >> TDP_LEVEL_SHIFT(l)) & (TDP_ENTRIES - 1))

static u64 *tdp_alloc_table(struct vmon_tdp *tdp, phys_addr_t *pa)
{
	u64 *table = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

	if (!table)
		return NULL;
	tdp->nr_tables++;
	*pa = __pa(table);
	return table;
}

int vmon_tdp_init(struct vmon_tdp *tdp, const struct vmon_tdp_format *fmt)
{
	tdp->fmt = fmt;
	tdp->nr_tables = 0;
	tdp->root = tdp_alloc_table(tdp, &tdp->root_pa);
	return tdp->root ? 0 : -ENOMEM;
}

static u64 *tdp_next_table(const struct vmon_tdp *tdp, u64 entry)
{
	return __va(tdp->fmt->entry_address(entry));
}

static void tdp_free_level(struct vmon_tdp *tdp, u64 *table, unsigned int level)
{
	unsigned int i;

	if (level > 1) {
		for (i = 0; i < TDP_ENTRIES; i++) {
			if (tdp->fmt->is_present(table[i]))
				tdp_free_level(tdp, tdp_next_table(tdp, table[i]), level - 1);
		}
	}
	free_page((unsigned long)table);
	tdp->nr_tables--;
}

/* no vCPU of the VM may run any more */
void vmon_tdp_destroy(struct vmon_tdp *tdp)
{
	if (!tdp->root)
		return;
	tdp_free_level(tdp, tdp->root, tdp->fmt->levels);
	WARN_ON(tdp->nr_tables);
	tdp->root = NULL;
	tdp->root_pa = 0;
}

/* the tables are a VM's (struct vmon_vm.tdp), changed under its mem_lock */
static void vmon_tdp_assert_locked(struct vmon_tdp *tdp)
{
	lockdep_assert_held(&container_of(tdp, struct vmon_vm, tdp)->mem_lock);
}

int vmon_tdp_map(struct vmon_tdp *tdp, u64 gpa, phys_addr_t hpa, unsigned int perms)
{
	const struct vmon_tdp_format *fmt = tdp->fmt;
	u64 *table = tdp->root;
	unsigned int level;
	phys_addr_t pa;
	u64 entry;

	vmon_tdp_assert_locked(tdp);	u64 *next;

	if (gpa >= VMON_MAX_GUEST_PHYS || !PAGE_ALIGNED(gpa) || !PAGE_ALIGNED(hpa))
		return -EINVAL;

	for (level = fmt->levels; level > 1; level--) {
		u64 *slot = &table[TDP_INDEX(gpa, level)];

		entry = READ_ONCE(*slot);
		if (fmt->is_present(entry)) {
			table = tdp_next_table(tdp, entry);
			continue;
		}
		next = tdp_alloc_table(tdp, &pa);
		if (!next)
			return -ENOMEM;
		/* the zeroed page must be visible before the entry to it */
		smp_wmb();
		WRITE_ONCE(*slot, fmt->table_entry(pa));
		table = next;
	}
	WRITE_ONCE(table[TDP_INDEX(gpa, 1)], fmt->leaf_entry(hpa, perms));
	return 0;
}

/* clear the leaves of [start, end) below table, which maps from base */
static void tdp_unmap_level(struct vmon_tdp *tdp, u64 *table, unsigned int level,
			    u64 base, u64 start, u64 end)
{
	u64 span = 1ULL << TDP_LEVEL_SHIFT(level);
	u64 addr = max(base, start & ~(span - 1));

	for (; addr < end && addr < base + span * TDP_ENTRIES; addr += span) {
		u64 *slot = &table[TDP_INDEX(addr, level)];
		u64 entry = READ_ONCE(*slot);

		if (!tdp->fmt->is_present(entry))
			continue;
		if (level == 1)
			WRITE_ONCE(*slot, 0);
		else
			tdp_unmap_level(tdp, tdp_next_table(tdp, entry), level - 1,
					addr, start, end);
	}
}

void vmon_tdp_unmap(struct vmon_tdp *tdp, u64 gpa, u64 size)
{
	u64 end;

	vmon_tdp_assert_locked(tdp);
	if (!tdp->root || gpa >= VMON_MAX_GUEST_PHYS)
		return;
	end = gpa + min(size, VMON_MAX_GUEST_PHYS - gpa);
	tdp_unmap_level(tdp, tdp->root, tdp->fmt->levels, 0, gpa, end);
}
