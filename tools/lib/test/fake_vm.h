/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A VM without a kernel for the host-only unit tests: one RAM slot backed
 * by host memory, a run page in plain memory, and helpers that build
 * guest page tables in that RAM.
 */
#ifndef FAKE_VM_H
#define FAKE_VM_H

#include <stdlib.h>
#include <string.h>

#include "emulate.h"

#define FAKE_RAM_SIZE	(4u << 20)
#define FAKE_PT_BASE	0x100000	/* page tables are allocated from here */

struct fake_vm {
	struct vmon_vm vm;
	struct vmon_cpu cpu;
	struct vmon_run run;
	struct vmon_sregs sregs;
	__u8 *ram;
	__u64 next_table;
};

static inline void fake_vm_init(struct fake_vm *f)
{
	memset(f, 0, sizeof(*f));
	f->ram = aligned_alloc(4096, FAKE_RAM_SIZE);
	memset(f->ram, 0, FAKE_RAM_SIZE);
	f->vm.fd = -1;
	f->vm.sys_fd = -1;
	f->vm.slots[0].used = true;
	f->vm.slots[0].gpa = 0;
	f->vm.slots[0].size = FAKE_RAM_SIZE;
	f->vm.slots[0].hva = f->ram;
	f->cpu.vm = &f->vm;
	f->cpu.fd = -1;
	f->cpu.run = &f->run;
	f->next_table = FAKE_PT_BASE;
}

static inline void fake_vm_fini(struct fake_vm *f)
{
	free(f->ram);
}

static inline __u64 fake_alloc_table(struct fake_vm *f)
{
	__u64 gpa = f->next_table;

	f->next_table += 4096;
	return gpa;
}

/*
 * Map va -> pa in 64-bit tables rooted at cr3 with `levels` levels (4 or
 * 5), ending with a page at level leaf (1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB).
 */
static inline void fake_map64(struct fake_vm *f, __u64 cr3, int levels, __u64 va,
			      __u64 pa, int leaf, __u64 leaf_flags)
{
	__u64 table = cr3;
	int level;

	for (level = levels; level > leaf; level--) {
		__u64 *e = (__u64 *)(f->ram + table) + ((va >> (12 + 9 * (level - 1))) & 0x1ff);

		if (!(*e & 1))
			*e = fake_alloc_table(f) | 0x3;
		table = *e & 0x000ffffffffff000ULL;
	}
	((__u64 *)(f->ram + table))[(va >> (12 + 9 * (leaf - 1))) & 0x1ff] =
		pa | leaf_flags | (leaf > 1 ? 0x80 : 0);
}

/* long mode sregs with CS.L and CR3 = a fresh PML4 */
static inline void fake_long_mode(struct fake_vm *f)
{
	f->sregs.cr0 = 0x80010033;
	f->sregs.cr4 = 0x20;
	f->sregs.efer = 0x500;
	f->sregs.cs.l = 1;
	f->sregs.cr3 = fake_alloc_table(f);
}

#endif /* FAKE_VM_H */
