// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Guest-virtual to guest-physical translation by walking the guest's own
 * page tables in guest RAM: 32-bit (SDM 3A 4.3), PAE (4.4) and 4/5-level
 * (4.5).  Used by the instruction fetch of the MMIO emulators (libvmon's
 * and the kernel's) and by string I/O emulation.
 *
 * Compiled into libvmon and, through kmod/gva.c, into vmon.ko: it
 * includes only gva.h and shared_env.h.
 */
#include "gva.h"

/* what one walk reads guest memory with */
struct walker {
	const struct vmon_sregs *sregs;
	vmon_read_gpa_fn read_gpa;
	void *opaque;
};

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PS		(1ULL << 7)
#define PTE_ADDR_MASK	0x000ffffffffff000ULL	/* bits 51:12 */

/* a 4- or 8-byte entry; x86 is little-endian, so a 4-byte one lands low */
static int read_pte(const struct walker *w, __u64 gpa, unsigned int size, __u64 *pte)
{
	*pte = 0;
	return w->read_gpa(w->opaque, gpa, pte, size) ? -EFAULT : 0;
}

/* Check one level's entry; writes need RW at every level when CR0.WP. */
static int check_pte(const struct vmon_sregs *sregs, __u64 pte, bool write)
{
	if (!(pte & PTE_P))
		return -EFAULT;
	if (write && !(pte & PTE_RW) && (sregs->cr0 & VMON_X86_CR0_WP))
		return -EACCES;
	return 0;
}

static int walk_32bit(const struct walker *w, __u32 va, bool write, __u64 *gpa)
{
	__u64 pde, pte;
	int ret;

	ret = read_pte(w, (w->sregs->cr3 & 0xfffff000) + (va >> 22) * 4, 4, &pde);
	if (!ret)
		ret = check_pte(w->sregs, pde, write);
	if (ret)
		return ret;
	if ((pde & PTE_PS) && (w->sregs->cr4 & VMON_X86_CR4_PSE)) {
		/* 4 MiB page; bits 20:13 of the PDE are PA bits 39:32 */
		*gpa = (pde & 0xffc00000) | ((pde >> 13) & 0xffULL) << 32 |
		       (va & 0x3fffff);
		return 0;
	}
	ret = read_pte(w, (pde & 0xfffff000) + ((va >> 12) & 0x3ff) * 4, 4, &pte);
	if (!ret)
		ret = check_pte(w->sregs, pte, write);
	if (ret)
		return ret;
	*gpa = (pte & 0xfffff000) | (va & 0xfff);
	return 0;
}

/*
 * Walk from a table at table_gpa, level down to 1; index bits start at
 * 12 + 9 * (level - 1).  Large pages are allowed at levels 2 and 3.
 */
static int walk_64bit(const struct walker *w, __u64 table_gpa, int level, __u64 va,
		      bool write, __u64 *gpa)
{
	for (; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		__u64 pte;
		int ret;

		ret = read_pte(w, table_gpa + ((va >> shift) & 0x1ff) * 8, 8, &pte);
		if (!ret)
			ret = check_pte(w->sregs, pte, write);
		if (ret)
			return ret;
		if (level == 1 || ((level == 2 || level == 3) && (pte & PTE_PS))) {
			__u64 mask = (1ULL << shift) - 1;

			*gpa = (pte & PTE_ADDR_MASK & ~mask) | (va & mask);
			return 0;
		}
		table_gpa = pte & PTE_ADDR_MASK;
	}
	return -EFAULT;
}

static int walk_pae(const struct walker *w, __u32 va, bool write, __u64 *gpa)
{
	__u64 pdpte;
	int ret;

	/* the four PDPTEs: CR3 bits 31:5 (SDM 3A 4.4.1); no RW bit in them */
	ret = read_pte(w, (w->sregs->cr3 & 0xffffffe0) + (va >> 30) * 8, 8, &pdpte);
	if (ret)
		return ret;
	if (!(pdpte & PTE_P))
		return -EFAULT;
	return walk_64bit(w, pdpte & PTE_ADDR_MASK, 2, va, write, gpa);
}

int vmon_walk_gva(const struct vmon_sregs *sregs, __u64 gva, bool write,
		  vmon_read_gpa_fn read_gpa, void *opaque, __u64 *gpa)
{
	const struct walker w = { .sregs = sregs, .read_gpa = read_gpa, .opaque = opaque };

	if (!(sregs->cr0 & VMON_X86_CR0_PG)) {
		*gpa = gva;
		return 0;
	}
	if (sregs->efer & VMON_X86_EFER_LMA) {
		int levels = (sregs->cr4 & VMON_X86_CR4_LA57) ? 5 : 4;
		int bits = levels == 5 ? 57 : 48;
		__s64 sext = (__s64)(gva << (64 - bits)) >> (64 - bits);

		if ((__u64)sext != gva)
			return -EINVAL;	/* non-canonical */
		return walk_64bit(&w, sregs->cr3 & PTE_ADDR_MASK, levels, gva, write, gpa);
	}
	if (sregs->cr4 & VMON_X86_CR4_PAE)
		return walk_pae(&w, (__u32)gva, write, gpa);
	return walk_32bit(&w, (__u32)gva, write, gpa);
}
