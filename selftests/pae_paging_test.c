// SPDX-License-Identifier: GPL-2.0-only
/*
 * 32-bit PAE paging: CR0.PG and CR4.PAE set, EFER.LME clear (SDM Vol. 3A
 * 4.4).  Linear addresses go through four PDPTE registers that the CPU
 * loads from the 32-byte table at CR3[31:5] when a MOV to CR0/CR3/CR4
 * enters PAE paging or changes CR3 (SDM 3A 4.4.1); a present PDPTE with a
 * reserved bit set makes that MOV raise #GP and loads nothing.  Under EPT
 * a VM entry takes the PDPTEs from the VMCS, not from memory (SDM Vol. 3C
 * 27.3.2.4), so whenever vmon itself changes CR0/CR3/CR4 (a MOV to CR0
 * that exits, SET_SREGS) it must do the load; and a paging change the CPU
 * did not see must flush the vCPU's VPID-tagged translations.
 *
 * Which MOVs exit on VMX: CR0.NE is vmon's (the VMX fixed bits force it,
 * so it sits in the CR0 guest/host mask), so a MOV that sets PG together
 * with NE exits and vmon emulates it; a MOV that sets PG alone runs in
 * the CPU.  The guests below use both.  On SVM no CR0 write of a PAE
 * guest is intercepted: the same guests show that the CPU does it all.
 *
 * The window at linear 0x40000000 (PDPTE 1) maps a different page under
 * each table, so a wrong or stale PDPTE reads the wrong magic; PDPTE 0
 * identity-maps the first 2 MiB for the code, stack and tables.
 */
#include "kselftest_harness.h"
#include "test_vm.h"

#define PORT		0x10
#define FAULT_PORT	0x11

/* three PDPTs in one page: CR3[11:5] selects the table */
#define PDPT_A		0x20000ULL	/* window -> DATA_A */
#define PDPT_B		0x20020ULL	/* window -> DATA_B */
#define PDPT_BAD	0x20040ULL	/* PDPTE 2 present with reserved bit 63 */
#define PD_LOW		0x21000ULL	/* one 2 MiB page: identity 0-2 MiB */
#define PD_A		0x22000ULL
#define PT_A		0x23000ULL
#define PD_B		0x24000ULL
#define PT_B		0x25000ULL
#define DATA_A		0x30000ULL
#define DATA_B		0x31000ULL
#define NO_SLOT_GPA	0x90000ULL	/* the MMIO hole of test_vm.h */

#define WINDOW		0x40000000ULL
#define BAD_WINDOW	0x80000000ULL	/* through the reserved PDPTE */
#define MAGIC_A		0xaaaa0001u
#define MAGIC_B		0xbbbb0002u
#define MAGIC_STORE	0x5a5a5a5au

#define CR0_PE		(1ULL << 0)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define PF_RSVD		(1u << 3)
#define VEC_GP		13
#define VEC_PF		14

#define S(x)		#x
#define XS(x)		S(x)

/* guest-physical address of a label of blob n (the blob runs at CODE_GPA) */
#define ADDR(n, label)	"(" #n "_" #label " - " #n " + " CODE_GPA_S ")"

/* real mode -> flat 32-bit protected mode, with the blob's GDT and IDT */
#define TO_PROT32(n, cr0_bits)						\
	"cli\n"								\
	"lgdtl " ADDR(n, gdtr) "\n"					\
	"mov %cr0, %eax\n"						\
	"or $" cr0_bits ", %eax\n"					\
	"mov %eax, %cr0\n"						\
	"ljmpl $0x08, $" ADDR(n, prot32) "\n"				\
	".code32\n"							\
	#n "_prot32:\n"							\
	"mov $0x10, %ax\n"						\
	"mov %ax, %ds\n"						\
	"mov %ax, %es\n"						\
	"mov %ax, %ss\n"						\
	"mov $0xf000, %esp\n"						\
	"lidtl " ADDR(n, idtr) "\n"

#define LOAD_CR3(pdpt)	"mov $" XS(pdpt) ", %eax\n mov %eax, %cr3\n"
#define SET_PAE		"mov %cr4, %eax\n bts $5, %eax\n mov %eax, %cr4\n"
/* PG with NE in one MOV: exits on VMX (NE is vmon's) */
#define PG_NE_ON	"mov %cr0, %eax\n or $0x80000020, %eax\n mov %eax, %cr0\n"
#define PG_NE_OFF	"mov %cr0, %eax\n and $0x7fffffdf, %eax\n mov %eax, %cr0\n"
/* PG alone, NE unchanged: the CPU's own MOV on both backends */
#define PG_ON		"mov %cr0, %eax\n bts $31, %eax\n mov %eax, %cr0\n"
#define REPORT_WINDOW	"mov 0x40000000, %eax\n out %eax, $0x10\n"

/*
 * #GP and #PF report vector, error code (EBX), faulting EIP (ECX) and,
 * for #PF, CR2 (EDX) on FAULT_PORT; any other vector reports 0xff.
 */
#define STUBS(n)							\
	#n "_unexp:\n"							\
	"mov $0xff, %eax\n out %eax, $0x11\n hlt\n"			\
	#n "_gp:\n"							\
	"pop %ebx\n mov (%esp), %ecx\n"					\
	"mov $13, %eax\n out %eax, $0x11\n hlt\n"			\
	#n "_pf:\n"							\
	"pop %ebx\n mov (%esp), %ecx\n mov %cr2, %edx\n"		\
	"mov $14, %eax\n out %eax, $0x11\n hlt\n"

/* 32-bit interrupt gates, CS 0x08 (SDM 3A 6.11) */
#define GATE(n, label)							\
	".word " ADDR(n, label) " & 0xffff, 0x08, 0x8e00, "		\
	ADDR(n, label) " >> 16\n"

#define TABLES(n)							\
	STUBS(n)							\
	".p2align 3\n"							\
	#n "_idt:\n"							\
	".rept 13\n" GATE(n, unexp) ".endr\n"				\
	GATE(n, gp) GATE(n, pf)						\
	".rept 17\n" GATE(n, unexp) ".endr\n"				\
	#n "_idtr:\n"							\
	".word 32 * 8 - 1\n"						\
	".long " ADDR(n, idt) "\n"					\
	".p2align 3\n"							\
	#n "_gdt:\n"							\
	".quad 0\n"							\
	".quad 0x00cf9b000000ffff\n"					\
	".quad 0x00cf93000000ffff\n"					\
	#n "_gdtr:\n"							\
	".word 3 * 8 - 1\n"						\
	".long " ADDR(n, gdt) "\n"

/* (a) PAE paging entered by a MOV to CR0 that vmon emulates on VMX */
GUEST_BLOB(pae_emulated, 16,
	   TO_PROT32(pae_emulated, "1") LOAD_CR3(PDPT_A) SET_PAE PG_NE_ON
	   REPORT_WINDOW
	   "movl $" XS(MAGIC_STORE) ", 0x40000004\n"
	   "hlt\n"
	   TABLES(pae_emulated));

/* (a) the same by the CPU's own MOV (NE set with PE already) */
GUEST_BLOB(pae_native, 16,
	   TO_PROT32(pae_native, "0x21") LOAD_CR3(PDPT_A) SET_PAE PG_ON
	   REPORT_WINDOW
	   "hlt\n"
	   TABLES(pae_native));

/*
 * (c) Another PDPT: by the CPU's MOV to CR3, back, then through vmon's
 * path (paging off and on by exiting MOVs, CR3 changed in between)
 * after the window's translation under A was used, so a stale PDPTE or
 * a stale TLB entry reads MAGIC_A.
 */
GUEST_BLOB(pae_switch, 16,
	   TO_PROT32(pae_switch, "1") LOAD_CR3(PDPT_A) SET_PAE PG_NE_ON
	   REPORT_WINDOW
	   LOAD_CR3(PDPT_B) REPORT_WINDOW
	   LOAD_CR3(PDPT_A) REPORT_WINDOW
	   PG_NE_OFF LOAD_CR3(PDPT_B) PG_NE_ON REPORT_WINDOW
	   "hlt\n"
	   TABLES(pae_switch));

/* (d) a reserved bit in a present PDPTE, entering PAE paging through vmon */
GUEST_BLOB(pae_bad_emulated, 16,
	   TO_PROT32(pae_bad_emulated, "1") LOAD_CR3(PDPT_BAD) SET_PAE
	   "mov %cr0, %eax\n"
	   "or $0x80000020, %eax\n"
	   ".globl pae_bad_emulated_mov\n"
	   "pae_bad_emulated_mov:\n"
	   "mov %eax, %cr0\n"
	   ".globl pae_bad_emulated_access\n"
	   "pae_bad_emulated_access:\n"
	   "mov 0x80000000, %eax\n"
	   "out %eax, $0x10\n"
	   "hlt\n"
	   TABLES(pae_bad_emulated));
extern const unsigned char pae_bad_emulated_mov[], pae_bad_emulated_access[];

/* (d) the same by the CPU's MOV to CR3 while in PAE paging */
GUEST_BLOB(pae_bad_native, 16,
	   TO_PROT32(pae_bad_native, "1") LOAD_CR3(PDPT_A) SET_PAE PG_NE_ON
	   REPORT_WINDOW
	   "mov $" XS(PDPT_BAD) ", %eax\n"
	   ".globl pae_bad_native_mov\n"
	   "pae_bad_native_mov:\n"
	   "mov %eax, %cr3\n"
	   ".globl pae_bad_native_access\n"
	   "pae_bad_native_access:\n"
	   "mov 0x80000000, %eax\n"
	   "out %eax, $0x10\n"
	   "hlt\n"
	   TABLES(pae_bad_native));
extern const unsigned char pae_bad_native_mov[], pae_bad_native_access[];

/* (b) entered by SET_SREGS: report the window forever */
GUEST_BLOB(pae_loop, 32,
	   "1: mov 0x40000000, %eax\n"
	   "out %eax, $0x10\n"
	   "jmp 1b\n");

FIXTURE(pae) {
	struct test_vm t;
	bool vmx;
};

static __u64 *gpa_u64(struct test_vm *t, __u64 gpa)
{
	return libvmon_gpa_to_hva(&t->vm, gpa, 4096 - (gpa & 0xfff));
}

static int place_tables(struct test_vm *t)
{
	__u64 *pdpt = gpa_u64(t, PDPT_A & ~0xfffULL);
	__u64 *pd_low = gpa_u64(t, PD_LOW), *pd_a = gpa_u64(t, PD_A), *pd_b = gpa_u64(t, PD_B);
	__u64 *pt_a = gpa_u64(t, PT_A), *pt_b = gpa_u64(t, PT_B);
	__u32 *data_a = libvmon_gpa_to_hva(&t->vm, DATA_A, 4096);
	__u32 *data_b = libvmon_gpa_to_hva(&t->vm, DATA_B, 4096);
	__u64 *a, *b, *bad;

	if (!pdpt || !pd_low || !pd_a || !pd_b || !pt_a || !pt_b || !data_a || !data_b)
		return -EFAULT;
	memset(pdpt, 0, 4096);
	memset(pd_low, 0, 4096);
	memset(pd_a, 0, 4096);
	memset(pd_b, 0, 4096);
	memset(pt_a, 0, 4096);
	memset(pt_b, 0, 4096);
	a = pdpt;
	b = pdpt + (PDPT_B - PDPT_A) / 8;
	bad = pdpt + (PDPT_BAD - PDPT_A) / 8;
	/* SDM 3A Table 4-8: a PDPTE has P, PWT, PCD and the address only */
	a[0] = PD_LOW | 1;
	a[1] = PD_A | 1;
	b[0] = PD_LOW | 1;
	b[1] = PD_B | 1;
	bad[0] = PD_LOW | 1;
	bad[1] = PD_A | 1;
	/* bits 63:MAXPHYADDR are reserved in a PAE PDPTE (no XD there) */
	bad[2] = PD_A | 1 | (1ULL << 63);
	pd_low[0] = 0x83;		/* P, R/W, PS: 2 MiB at 0 */
	pd_a[0] = PT_A | 3;
	pd_b[0] = PT_B | 3;
	pt_a[0] = DATA_A | 3;
	pt_b[0] = DATA_B | 3;
	data_a[0] = MAGIC_A;
	data_a[1] = 0;
	data_b[0] = MAGIC_B;
	data_b[1] = 0;
	return 0;
}

FIXTURE_SETUP(pae)
{
	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_reset(&self->t));
	ASSERT_OK(place_tables(&self->t));
	self->vmx = self->t.vm.caps.backend == VMON_BACKEND_VMX;
}

FIXTURE_TEARDOWN(pae)
{
	if (test_have_vmon())
		test_vm_destroy(&self->t);
}

static __u32 blob_addr(const unsigned char *blob, const unsigned char *label)
{
	return CODE_GPA + (label - blob);
}

/* run to the next OUT to PORT and return its data */
#define EXPECT_WINDOW(t, magic) do {					\
	RUN_EXPECT_EXIT(t, VMON_EXIT_IO);				\
	ASSERT_EQ(PORT, (t)->cpu.run->io.port)				\
		TH_LOG("expected an OUT to port 0x%x, got %s",	\
		       PORT, test_describe_exit(&(t)->cpu));		\
	EXPECT_EQ((magic), (t)->cpu.run->io.data)			\
		TH_LOG("window at 0x%llx: expected 0x%x, read 0x%x",	\
		       WINDOW, (magic), (t)->cpu.run->io.data);		\
} while (0)

static void expect_pae_state(struct __test_metadata *_metadata, struct test_vm *t, __u64 cr3)
{
	struct vmon_sregs sregs;

	ASSERT_OK(libvmon_get_sregs(&t->cpu, &sregs));
	EXPECT_EQ(CR0_PG | CR0_PE, sregs.cr0 & (CR0_PG | CR0_PE))
		TH_LOG("CR0 0x%llx", (unsigned long long)sregs.cr0);
	EXPECT_EQ(CR4_PAE, sregs.cr4 & CR4_PAE);
	EXPECT_EQ(0, sregs.efer & (EFER_LME | EFER_LMA));
	EXPECT_EQ(cr3, sregs.cr3);
}

TEST_F(pae, guest_enters_pae_through_emulated_mov_cr0)
{
	__u32 *data_a = libvmon_gpa_to_hva(&self->t.vm, DATA_A, 8);

	ASSERT_OK(test_vm_load_blob(&self->t, pae_emulated, pae_emulated_end));
	EXPECT_WINDOW(&self->t, MAGIC_A);
	expect_pae_state(_metadata, &self->t, PDPT_A);
	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_HLT);
	/* the store went through the window too, to DATA_A and nowhere else */
	EXPECT_EQ(MAGIC_STORE, data_a[1]);
	EXPECT_EQ(MAGIC_A, data_a[0]);
}

TEST_F(pae, guest_enters_pae_by_its_own_mov_cr0)
{
	ASSERT_OK(test_vm_load_blob(&self->t, pae_native, pae_native_end));
	EXPECT_WINDOW(&self->t, MAGIC_A);
	expect_pae_state(_metadata, &self->t, PDPT_A);
	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_HLT);
}

TEST_F(pae, guest_switches_pdpt)
{
	ASSERT_OK(test_vm_load_blob(&self->t, pae_switch, pae_switch_end));
	EXPECT_WINDOW(&self->t, MAGIC_A);
	/* the CPU's MOV to CR3 */
	EXPECT_WINDOW(&self->t, MAGIC_B);
	EXPECT_WINDOW(&self->t, MAGIC_A);
	/* paging off and on again through vmon, CR3 changed in between */
	EXPECT_WINDOW(&self->t, MAGIC_B);
	expect_pae_state(_metadata, &self->t, PDPT_B);
	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_HLT);
}

/* the exception the guest reported on FAULT_PORT, with EBX/ECX/EDX */
struct guest_exc {
	__u32 vector, error_code, eip, cr2;
};

static void get_exception(struct __test_metadata *_metadata, struct test_vm *t,
			  struct guest_exc *e)
{
	struct vmon_run *run = t->cpu.run;

	RUN_EXPECT_EXIT(t, VMON_EXIT_IO);
	ASSERT_EQ(FAULT_PORT, run->io.port)
		TH_LOG("expected an exception report, got %s (data 0x%x)",
		       test_describe_exit(&t->cpu), run->io.data);
	e->vector = run->io.data;
	e->error_code = run->regs.rbx;
	e->eip = run->regs.rcx;
	e->cr2 = run->regs.rdx;
}

/*
 * A present PDPTE with a reserved bit: the MOV that would load it raises
 * #GP(0) and changes nothing (SDM 3A 4.4.1, "MOV—Move to/from Control
 * Registers").  That is the rule on VMX, where vmon or the CPU performs
 * the load.  On SVM with nested paging vmon has no part in it; the test
 * accepts what the CPU does: the #GP, or a #PF with RSVD when the entry
 * is used.  QEMU TCG does the latter (it reads the PDPTEs on each walk)
 * and reports error code 0x8, RSVD without P.
 */
static void expect_reserved_pdpte_fault(struct __test_metadata *_metadata, struct test_vm *t,
					bool vmx, __u32 mov, __u32 access, __u64 cr0_mask,
					__u64 cr0_before, __u64 cr3_before)
{
	struct vmon_sregs sregs;
	struct guest_exc e;

	get_exception(_metadata, t, &e);
	if (vmx || e.vector == VEC_GP) {
		ASSERT_EQ(VEC_GP, e.vector) TH_LOG("expected #GP, got vector %u", e.vector);
		EXPECT_EQ(0, e.error_code);
		EXPECT_EQ(mov, e.eip) TH_LOG("#GP at 0x%x, expected at the MOV 0x%x", e.eip, mov);
		/* the MOV did not happen */
		ASSERT_OK(libvmon_get_sregs(&t->cpu, &sregs));
		EXPECT_EQ(cr0_before, sregs.cr0 & cr0_mask);
		EXPECT_EQ(cr3_before, sregs.cr3);
		return;
	}
	ASSERT_EQ(VEC_PF, e.vector) TH_LOG("expected #GP or #PF, got vector %u", e.vector);
	EXPECT_EQ(PF_RSVD, e.error_code & PF_RSVD) TH_LOG("#PF error code 0x%x", e.error_code);
	EXPECT_EQ(BAD_WINDOW, e.cr2);
	EXPECT_EQ(access, e.eip);
	ksft_print_msg("SVM: the reserved PDPTE faults when used (#PF 0x%x), not at the MOV\n",
		       e.error_code);
}

TEST_F(pae, reserved_pdpte_faults_emulated_mov_cr0)
{
	ASSERT_OK(test_vm_load_blob(&self->t, pae_bad_emulated, pae_bad_emulated_end));
	expect_reserved_pdpte_fault(_metadata, &self->t, self->vmx,
				    blob_addr(pae_bad_emulated, pae_bad_emulated_mov),
				    blob_addr(pae_bad_emulated, pae_bad_emulated_access),
				    CR0_PG | CR0_NE, 0, PDPT_BAD);
}

TEST_F(pae, reserved_pdpte_faults_cpu_mov_cr3)
{
	ASSERT_OK(test_vm_load_blob(&self->t, pae_bad_native, pae_bad_native_end));
	EXPECT_WINDOW(&self->t, MAGIC_A);
	expect_reserved_pdpte_fault(_metadata, &self->t, self->vmx,
				    blob_addr(pae_bad_native, pae_bad_native_mov),
				    blob_addr(pae_bad_native, pae_bad_native_access),
				    CR0_PG, CR0_PG, PDPT_A);
}

static void flat32(struct vmon_segment *s, __u16 selector, __u8 type)
{
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = selector;
	s->type = type;
	s->present = 1;
	s->dpl = 0;
	s->db = 1;
	s->s = 1;
	s->l = 0;
	s->g = 1;
	s->avl = 0;
	s->unusable = 0;
}

/* from the reset state straight into 32-bit PAE paging with CR3 = cr3 */
static int set_pae_sregs(struct test_vm *t, __u64 cr3)
{
	struct vmon_sregs sregs;
	int r = libvmon_get_sregs(&t->cpu, &sregs);

	if (r)
		return r;
	flat32(&sregs.cs, 0x08, 0xb);
	flat32(&sregs.ds, 0x10, 0x3);
	flat32(&sregs.es, 0x10, 0x3);
	flat32(&sregs.fs, 0x10, 0x3);
	flat32(&sregs.gs, 0x10, 0x3);
	flat32(&sregs.ss, 0x10, 0x3);
	sregs.cr0 = CR0_PG | CR0_NE | CR0_ET | CR0_PE;
	sregs.cr4 = CR4_PAE;
	sregs.cr3 = cr3;
	sregs.efer = 0;
	return libvmon_set_sregs(&t->cpu, &sregs);
}

static int set_cr3(struct test_vm *t, __u64 cr3)
{
	struct vmon_sregs sregs;
	int r = libvmon_get_sregs(&t->cpu, &sregs);

	if (r)
		return r;
	sregs.cr3 = cr3;
	return libvmon_set_sregs(&t->cpu, &sregs);
}

static int round_trip_sregs(struct test_vm *t)
{
	struct vmon_sregs sregs;
	int r = libvmon_get_sregs(&t->cpu, &sregs);

	return r ? r : libvmon_set_sregs(&t->cpu, &sregs);
}

TEST_F(pae, set_sregs_enters_pae_and_switches_pdpt)
{
	__u64 *pdpt_a = gpa_u64(&self->t, PDPT_A);

	ASSERT_OK(test_vm_load_blob(&self->t, pae_loop, pae_loop_end));
	ASSERT_OK(set_pae_sregs(&self->t, PDPT_A));
	EXPECT_WINDOW(&self->t, MAGIC_A);
	expect_pae_state(_metadata, &self->t, PDPT_A);

	/*
	 * GET_SREGS then SET_SREGS of the same values keeps the PDPTE
	 * registers in use, as the CPU would: change the table in memory
	 * without a MOV to CR3, round-trip, still window A (VMX: the
	 * registers live in the VMCS; the nested walk of SVM reads memory).
	 */
	pdpt_a[1] = PD_B | 1;
	ASSERT_OK(round_trip_sregs(&self->t));
	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_IO);
	if (self->vmx)
		EXPECT_EQ(MAGIC_A, self->t.cpu.run->io.data);
	pdpt_a[1] = PD_A | 1;
	ASSERT_OK(round_trip_sregs(&self->t));
	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_IO);
	if (self->vmx)
		EXPECT_EQ(MAGIC_A, self->t.cpu.run->io.data);

	/* a new CR3 loads that table's PDPTEs, and nothing of A stays cached */
	EXPECT_WINDOW(&self->t, MAGIC_A);
	ASSERT_OK(set_cr3(&self->t, PDPT_B));
	EXPECT_WINDOW(&self->t, MAGIC_B);
	expect_pae_state(_metadata, &self->t, PDPT_B);
	ASSERT_OK(set_cr3(&self->t, PDPT_A));
	EXPECT_WINDOW(&self->t, MAGIC_A);
}

TEST_F(pae, set_sregs_reserved_pdpte_and_no_slot)
{
	struct vmon_sregs sregs;
	struct vmon_run *run = self->t.cpu.run;

	ASSERT_OK(test_vm_load_blob(&self->t, pae_loop, pae_loop_end));
	ASSERT_OK(set_pae_sregs(&self->t, PDPT_A));
	EXPECT_WINDOW(&self->t, MAGIC_A);

	/* CR3 outside every slot: VMX cannot load the PDPTEs and refuses */
	if (self->vmx) {
		EXPECT_ERRNO(EINVAL, set_cr3(&self->t, NO_SLOT_GPA));
		ASSERT_OK(libvmon_get_sregs(&self->t.cpu, &sregs));
		EXPECT_EQ(PDPT_A, sregs.cr3) TH_LOG("a refused SET_SREGS changed CR3");
		EXPECT_WINDOW(&self->t, MAGIC_A);
	}

	/*
	 * A reserved bit in a present PDPTE is stored: on VMX the entry
	 * check names it (SDM 3C 27.3.1.6) and the vCPU does not enter; on
	 * SVM the entry is fine and the loop never uses PDPTE 2.
	 */
	ASSERT_OK(set_cr3(&self->t, PDPT_BAD));
	if (self->vmx) {
		RUN_EXPECT_EXIT(&self->t, VMON_EXIT_FAIL_ENTRY);
		EXPECT_EQ(VMON_FAIL_GUEST_STATE, run->fail_entry.kind);
		EXPECT_STREQ("a present PDPTE has reserved bits set (PAE paging)",
			     run->fail_entry.reason);
	} else {
		EXPECT_WINDOW(&self->t, MAGIC_A);
	}
	/* and a good table makes it run again */
	ASSERT_OK(set_cr3(&self->t, PDPT_B));
	EXPECT_WINDOW(&self->t, MAGIC_B);
}

TEST_HARNESS_MAIN
