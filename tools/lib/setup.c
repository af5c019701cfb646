// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Put a vCPU into real, flat 32-bit protected or 64-bit long mode.
 *
 * Layout of the tables area (VMON_SETUP_TABLES_SIZE bytes at tables_gpa):
 *   page 0        GDT (offset 0) and a 104-byte TSS (offset 0x800)
 *   page 1        PML4
 *   page 2        PDPT
 *   pages 3..7    page directories, 2 MiB pages, one per GiB mapped
 */
#include <errno.h>
#include <string.h>

#include "libvmon.h"

#define PAGE_SIZE	4096ULL
#define TSS_OFFSET	0x800
#define TSS_LIMIT	0x67		/* 104-byte TSS (SDM 3A 7.7, APM 12.2.5) */
#define GDT_LIMIT	(VMON_SETUP_SEL_TSS + 16 - 1)
#define PD_PAGES	5

#define X86_CR0_PE	(1ULL << 0)
#define X86_CR0_MP	(1ULL << 1)
#define X86_CR0_ET	(1ULL << 4)
#define X86_CR0_NE	(1ULL << 5)
#define X86_CR0_WP	(1ULL << 16)
#define X86_CR0_PG	(1ULL << 31)
#define X86_CR4_PAE	(1ULL << 5)
#define X86_CR4_OSFXSR	(1ULL << 9)
#define X86_CR4_OSXMMEXCPT (1ULL << 10)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_PS		(1ULL << 7)

/* descriptor types (SDM 3A 3.4.5.1 / 3.5) */
#define SEG_TYPE_DATA_RW_A	0x3
#define SEG_TYPE_CODE_XR_A	0xb
#define SEG_TYPE_TSS_BUSY	0xb	/* 32-bit TSS, 64-bit TSS in long mode */
#define SEG_TYPE_LDT		0x2

static void seg_flat(struct vmon_segment *s, __u16 sel, __u8 type, bool code64)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = 0;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code64;
	s->db = !code64;
}

static void seg_real(struct vmon_segment *s, __u8 type)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
}

static void seg_unusable_ldt(struct vmon_segment *s)
{
	memset(s, 0, sizeof(*s));
	s->type = SEG_TYPE_LDT;
	s->unusable = 1;
}

/* Encode a segment as an 8-byte GDT descriptor (SDM 3A Figure 3-8). */
static __u64 seg_to_desc(const struct vmon_segment *s)
{
	__u32 limit = s->g ? s->limit >> 12 : s->limit;
	__u64 d;

	d = limit & 0xffff;
	d |= (s->base & 0xffffffULL) << 16;
	d |= (__u64)(s->type & 0xf) << 40;
	d |= (__u64)(s->s & 1) << 44;
	d |= (__u64)(s->dpl & 3) << 45;
	d |= (__u64)(s->present & 1) << 47;
	d |= (__u64)((limit >> 16) & 0xf) << 48;
	d |= (__u64)(s->avl & 1) << 52;
	d |= (__u64)(s->l & 1) << 53;
	d |= (__u64)(s->db & 1) << 54;
	d |= (__u64)(s->g & 1) << 55;
	d |= ((s->base >> 24) & 0xffULL) << 56;
	return d;
}

static void setup_real(struct vmon_sregs *sr)
{
	seg_real(&sr->cs, SEG_TYPE_CODE_XR_A);
	seg_real(&sr->ds, SEG_TYPE_DATA_RW_A);
	sr->es = sr->ds;
	sr->fs = sr->ds;
	sr->gs = sr->ds;
	sr->ss = sr->ds;
	/*
	 * VM entry wants a usable, busy TSS even in real mode, of type 3 or
	 * 11; once the guest is in IA-32e mode only 11 will do (SDM 3C
	 * 26.3.1.2), and a guest that switches to long mode itself keeps
	 * this TR.  So use the 32-bit busy TSS, as a CPU's reset state does.
	 */
	seg_real(&sr->tr, SEG_TYPE_TSS_BUSY);
	sr->tr.s = 0;
	seg_unusable_ldt(&sr->ldt);
	sr->gdt.limit = 0xffff;
	sr->idt.limit = 0x3ff;		/* the real-mode IVT at 0 */
	sr->cr0 = X86_CR0_ET | X86_CR0_NE;
}

static int setup_gdt(struct vmon_cpu *cpu, struct vmon_sregs *sr, __u64 tables_gpa,
		     bool long_mode)
{
	__u64 *gdt = libvmon_gpa_to_hva(cpu->vm, tables_gpa, PAGE_SIZE);
	struct vmon_segment code32, code64, data;
	__u64 tss_gpa = tables_gpa + TSS_OFFSET;

	if (!gdt)
		return -EFAULT;
	memset(gdt, 0, PAGE_SIZE);

	seg_flat(&code32, VMON_SETUP_SEL_CODE32, SEG_TYPE_CODE_XR_A, false);
	seg_flat(&code64, VMON_SETUP_SEL_CODE64, SEG_TYPE_CODE_XR_A, true);
	seg_flat(&data, VMON_SETUP_SEL_DATA, SEG_TYPE_DATA_RW_A, false);

	memset(&sr->tr, 0, sizeof(sr->tr));
	sr->tr.selector = VMON_SETUP_SEL_TSS;
	sr->tr.base = tss_gpa;
	sr->tr.limit = TSS_LIMIT;
	sr->tr.type = SEG_TYPE_TSS_BUSY;
	sr->tr.present = 1;

	gdt[VMON_SETUP_SEL_CODE32 / 8] = seg_to_desc(&code32);
	gdt[VMON_SETUP_SEL_DATA / 8] = seg_to_desc(&data);
	gdt[VMON_SETUP_SEL_CODE64 / 8] = seg_to_desc(&code64);
	/* a 16-byte system descriptor in long mode: base 63:32 follows */
	gdt[VMON_SETUP_SEL_TSS / 8] = seg_to_desc(&sr->tr);
	gdt[VMON_SETUP_SEL_TSS / 8 + 1] = tss_gpa >> 32;
	/* I/O map base beyond the limit: no I/O permission bitmap */
	((__u16 *)((char *)gdt + TSS_OFFSET))[0x66 / 2] = TSS_LIMIT + 1;

	sr->cs = long_mode ? code64 : code32;
	sr->ds = data;
	sr->es = data;
	sr->fs = data;
	sr->gs = data;
	sr->ss = data;
	seg_unusable_ldt(&sr->ldt);
	sr->gdt.base = tables_gpa;
	sr->gdt.limit = GDT_LIMIT;
	sr->idt.base = 0;
	sr->idt.limit = 0;
	return 0;
}

/* Identity map [0, map_size) with 2 MiB pages, 4-level (SDM 3A 4.5). */
static int setup_page_tables(struct vmon_cpu *cpu, __u64 tables_gpa, __u64 map_size)
{
	__u64 *pml4 = libvmon_gpa_to_hva(cpu->vm, tables_gpa + PAGE_SIZE, PAGE_SIZE);
	__u64 *pdpt = libvmon_gpa_to_hva(cpu->vm, tables_gpa + 2 * PAGE_SIZE, PAGE_SIZE);
	__u64 pd_gpa = tables_gpa + 3 * PAGE_SIZE;
	__u64 *pd = libvmon_gpa_to_hva(cpu->vm, pd_gpa, PD_PAGES * PAGE_SIZE);
	__u64 addr;

	if (!pml4 || !pdpt || !pd)
		return -EFAULT;
	if (map_size == 0 || map_size > VMON_SETUP_MAX_MAP)
		return -EINVAL;

	memset(pml4, 0, PAGE_SIZE);
	memset(pdpt, 0, PAGE_SIZE);
	memset(pd, 0, PD_PAGES * PAGE_SIZE);
	pml4[0] = (tables_gpa + 2 * PAGE_SIZE) | PTE_P | PTE_RW;
	for (addr = 0; addr < map_size; addr += 2ULL << 20) {
		unsigned int gib = addr >> 30;

		pdpt[gib] = (pd_gpa + gib * PAGE_SIZE) | PTE_P | PTE_RW;
		pd[addr >> 21] = addr | PTE_P | PTE_RW | PTE_PS;
	}
	return 0;
}

int libvmon_setup_mode(struct vmon_cpu *cpu, enum vmon_guest_mode mode,
		    __u64 tables_gpa, __u64 map_size, __u64 entry, __u64 stack)
{
	struct vmon_sregs sr;
	struct vmon_regs regs;
	int ret;

	if (tables_gpa & (PAGE_SIZE - 1))
		return -EINVAL;
	memset(&sr, 0, sizeof(sr));
	switch (mode) {
	case VMON_GUEST_REAL:
		setup_real(&sr);
		break;
	case VMON_GUEST_PROT:
		ret = setup_gdt(cpu, &sr, tables_gpa, false);
		if (ret)
			return ret;
		sr.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
		break;
	case VMON_GUEST_LONG:
		ret = setup_gdt(cpu, &sr, tables_gpa, true);
		if (ret)
			return ret;
		ret = setup_page_tables(cpu, tables_gpa, map_size);
		if (ret)
			return ret;
		sr.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
			 X86_CR0_WP | X86_CR0_PG;
		sr.cr3 = tables_gpa + PAGE_SIZE;
		sr.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
		sr.efer = EFER_LME | EFER_LMA | EFER_NXE;
		break;
	default:
		return -EINVAL;
	}

	ret = libvmon_set_sregs(cpu, &sr);
	if (ret)
		return ret;
	memset(&regs, 0, sizeof(regs));
	regs.rip = entry;
	regs.rsp = stack;
	regs.rflags = 2;	/* bit 1 is reserved and always 1 */
	return libvmon_set_regs(cpu, &regs);
}

static bool setup_selector_ok(__u16 sel)
{
	return sel && !(sel & 7) && sel < VMON_SETUP_SEL_TSS;
}

int libvmon_setup_selectors(struct vmon_cpu *cpu, __u64 tables_gpa, __u16 code_sel,
			 __u16 data_sel)
{
	__u64 *gdt = libvmon_gpa_to_hva(cpu->vm, tables_gpa, PAGE_SIZE);
	struct vmon_sregs sr;
	int ret;

	if (!gdt)
		return -EFAULT;
	if (!setup_selector_ok(code_sel) || !setup_selector_ok(data_sel) ||
	    code_sel == data_sel)
		return -EINVAL;
	ret = libvmon_get_sregs(cpu, &sr);
	if (ret)
		return ret;
	if (!(sr.cr0 & X86_CR0_PE) || sr.gdt.base != tables_gpa)
		return -EINVAL;	/* not a GDT libvmon_setup_mode() built there */
	gdt[code_sel / 8] = seg_to_desc(&sr.cs);
	gdt[data_sel / 8] = seg_to_desc(&sr.ds);
	sr.cs.selector = code_sel;
	sr.ds.selector = data_sel;
	sr.es.selector = data_sel;
	sr.fs.selector = data_sel;
	sr.gs.selector = data_sel;
	sr.ss.selector = data_sel;
	return libvmon_set_sregs(cpu, &sr);
}
