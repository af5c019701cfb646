// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 64-bit guest of the benchmarks that run the same code under vmon
 * and under KVM: its memory image and its CPU state (guest64.h).
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>

#include "guest64.h"

__asm__(".text\n.globl exc_stub\nexc_stub:\n"
	"movl $0xee, %eax\nmovw $0x1001, %dx\noutl %eax, %dx\n1: hlt\njmp 1b\n");

struct seg {
	uint64_t base;
	uint32_t limit;
	uint16_t selector;
	uint8_t type, present, dpl, db, s, l, g, avl, unusable;
};

/* 64-bit mode as both hypervisors take it in their "sregs" */
struct cpu_setup {
	struct seg cs, ds, tr, ldt;
	uint64_t gdt_base, idt_base;
	uint16_t gdt_limit, idt_limit;
	uint64_t cr0, cr3, cr4, efer;
};

static const struct cpu_setup setup64 = {
	.cs = { 0, 0xffffffff, SEL_CODE, 11, 1, 0, 0, 1, 1, 1, 0, 0 },
	.ds = { 0, 0xffffffff, SEL_DATA, 3, 1, 0, 1, 1, 0, 1, 0, 0 },
	.tr = { TSS_GPA, 0x67, SEL_TSS, 11, 1, 0, 0, 0, 0, 0, 0, 0 },
	.ldt = { 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1 },
	.gdt_base = GDT_GPA, .gdt_limit = 0x27,
	.idt_base = IDT_GPA, .idt_limit = 0xfff,
	.cr0 = 0x80050033,	/* PG WP NE ET MP PE */
	.cr3 = PML4_GPA,
	.cr4 = 0x620,		/* OSXMMEXCPT OSFXSR PAE */
	.efer = 0xd00,		/* NXE LMA LME */
};

/* the same fields in struct vmon_segment and struct kvm_segment */
#define SEG(D, S) do {							\
	(D).base = (S).base; (D).limit = (S).limit;			\
	(D).selector = (S).selector; (D).type = (S).type;		\
	(D).present = (S).present; (D).dpl = (S).dpl; (D).db = (S).db;	\
	(D).s = (S).s; (D).l = (S).l; (D).g = (S).g; (D).avl = (S).avl;	\
	(D).unusable = (S).unusable;					\
} while (0)

/* setup64 into struct vmon_sregs or struct kvm_sregs */
#define SET_SREGS(sr) do {						\
	SEG((sr).cs, setup64.cs); SEG((sr).ds, setup64.ds);		\
	SEG((sr).es, setup64.ds); SEG((sr).fs, setup64.ds);		\
	SEG((sr).gs, setup64.ds); SEG((sr).ss, setup64.ds);		\
	SEG((sr).tr, setup64.tr); SEG((sr).ldt, setup64.ldt);		\
	(sr).gdt.base = setup64.gdt_base; (sr).gdt.limit = setup64.gdt_limit; \
	(sr).idt.base = setup64.idt_base; (sr).idt.limit = setup64.idt_limit; \
	(sr).cr0 = setup64.cr0; (sr).cr3 = setup64.cr3;			\
	(sr).cr4 = setup64.cr4; (sr).efer = setup64.efer;		\
} while (0)

void set_gate(struct image *im, unsigned int v, const void *fn)
{
	uint64_t *idt = (uint64_t *)((char *)im->low + IDT_GPA);
	uint64_t a = (uint64_t)(uintptr_t)fn;

	idt[2 * v] = (a & 0xffff) | (uint64_t)SEL_CODE << 16 | 0x8eULL << 40 |
		     ((a >> 16) & 0xffff) << 48;
	idt[2 * v + 1] = a >> 32;
}

static void *alloc(uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

int build_image(struct image *im)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long i, n = getauxval(AT_PHNUM);
	uint64_t *gdt, *pml4, *pdpt, *pd, end = 0;
	unsigned int v;

	for (i = 0; ph && i < n; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr + ph[i].p_memsz > end)
			end = ph[i].p_vaddr + ph[i].p_memsz;
	im->high_size = ((end + (2ULL << 20) - 1) & ~((2ULL << 20) - 1)) - HIGH_GPA;
	im->low = alloc(LOW_SIZE);
	im->high = alloc(im->high_size);
	if (!im->low || !im->high)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD)
			memcpy((char *)im->high + ph[i].p_vaddr - HIGH_GPA,
			       (const void *)ph[i].p_vaddr, ph[i].p_memsz);

	gdt = (uint64_t *)((char *)im->low + GDT_GPA);
	gdt[SEL_CODE / 8] = 0x00af9b000000ffffULL;	/* 64-bit code, DPL 0 */
	gdt[SEL_DATA / 8] = 0x00cf93000000ffffULL;	/* flat data */
	gdt[SEL_TSS / 8] = 0x00008b0000000067ULL | (TSS_GPA & 0xffffff) << 16;
	pml4 = (uint64_t *)((char *)im->low + PML4_GPA);
	pdpt = (uint64_t *)((char *)im->low + PDPT_GPA);
	pd = (uint64_t *)((char *)im->low + PD_GPA);
	pml4[0] = PDPT_GPA | 3;
	for (i = 0; i < 4; i++)
		pdpt[i] = (PD_GPA + i * 4096) | 3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | 0x83;		/* 2 MiB, present, writable */
	for (v = 0; v < 32; v++)
		set_gate(im, v, exc_stub);
	return 0;
}

volatile void *guest_ptr(struct image *im, volatile void *var)
{
	return (char *)im->high + ((uintptr_t)var - HIGH_GPA);
}

int g64_vmon_vm(struct image *im, struct vmon_vm *vm)
{
	int r = vmon_vm_create(vm);

	if (!r)
		r = vmon_vm_set_memory(vm, 0, 0, 0, LOW_SIZE, im->low);
	if (!r)
		r = vmon_vm_set_memory(vm, 1, 0, HIGH_GPA, im->high_size, im->high);
	return r;
}

int g64_vmon_cpu(struct vmon_vm *vm, unsigned int id, struct vmon_cpu *cpu,
		 uint64_t rip, uint64_t rsp)
{
	struct vmon_sregs sr;
	struct vmon_regs regs;
	int r;

	r = vmon_cpu_create(vm, id, cpu);
	if (r)
		return r;
	memset(&sr, 0, sizeof(sr));
	SET_SREGS(sr);
	r = vmon_set_sregs(cpu, &sr);
	if (r)
		return r;
	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rsp = rsp;
	regs.rflags = 2;
	return vmon_set_regs(cpu, &regs);
}

int g64_kvm_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

int g64_kvm_memory(int vm, struct image *im)
{
	struct kvm_userspace_memory_region mr = { 0 };
	int r;

	mr.slot = 0;
	mr.memory_size = LOW_SIZE;
	mr.userspace_addr = (uintptr_t)im->low;
	r = g64_kvm_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr);
	mr.slot = 1;
	mr.guest_phys_addr = HIGH_GPA;
	mr.memory_size = im->high_size;
	mr.userspace_addr = (uintptr_t)im->high;
	if (!r)
		r = g64_kvm_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr);
	return r;
}

/* CPUID as KVM offers it, with cpuid1_ecx ORed into leaf 1's ECX */
static int kvm_cpuid(int sys, int fd, uint32_t cpuid1_ecx)
{
	struct kvm_cpuid2 *c;
	unsigned int i;
	int r;

	c = calloc(1, sizeof(*c) + 256 * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = 256;
	r = g64_kvm_ioctl(sys, KVM_GET_SUPPORTED_CPUID, c);
	for (i = 0; !r && i < c->nent; i++)
		if (c->entries[i].function == 1)
			c->entries[i].ecx |= cpuid1_ecx;
	if (!r)
		r = g64_kvm_ioctl(fd, KVM_SET_CPUID2, c);
	free(c);
	return r;
}

int g64_kvm_cpu(int sys, int fd, uint32_t cpuid1_ecx, uint64_t rip, uint64_t rsp)
{
	struct kvm_sregs sr;
	struct kvm_regs regs;
	int r;

	r = kvm_cpuid(sys, fd, cpuid1_ecx);
	if (!r)
		r = g64_kvm_ioctl(fd, KVM_GET_SREGS, &sr);
	if (r)
		return r;
	SET_SREGS(sr);
	r = g64_kvm_ioctl(fd, KVM_SET_SREGS, &sr);
	if (r)
		return r;
	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rsp = rsp;
	regs.rflags = 2;
	return g64_kvm_ioctl(fd, KVM_SET_REGS, &regs);
}
