// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest switches modes itself, as every OS boot does: from vmon's
 * reset state (real mode, CS base 0; TR a busy 32-bit TSS, as long mode
 * wants: SDM Vol. 3C 26.3.1.2, and Bochs refuses CR0.PG with a 16-bit
 * one) it loads its own GDT, sets CR0.PE and far-jumps to 32-bit code, loads
 * CR3 with identity page tables the host placed in guest RAM, enables
 * long mode (CR4.PAE, EFER.LME by WRMSR, CR0.PG, in both orders the
 * architecture allows) and far-jumps into a 64-bit code segment
 * (SDM Vol. 3A 9.8.5, APM Vol. 2 14.6.1).  The host sees the guest's OUT
 * and HLT and checks the resulting state with GET_SREGS.
 *
 * Two more cases: the way back from 64-bit to 32-bit protected mode by
 * clearing CR0.PG in a compatibility-mode segment (SDM 3A 9.8.5.4), and
 * a hostile guest that spins with EFER.LME=1, CR4.PAE=0 and paging off,
 * the state that wedges a host under QEMU 7.2 TCG at #VMEXIT (see
 * kmod/svm/lme_guard.c): a signal must still stop it.
 *
 * And the order the architecture forbids: setting EFER.LME by WRMSR
 * while PAE paging is already on raises #GP(0) and changes nothing
 * (SDM Vol. 3A 10.8.5, APM Vol. 2 14.6.1); the guest's own IDT reports
 * the vector.
 */
#include <signal.h>
#include <sys/time.h>

#include "kselftest_harness.h"
#include "test_vm.h"

#define PORT		0x10
#define LONG_MAGIC	0x1122334455667788ULL	/* only a 64-bit MOV sets all of RAX */
#define PROT_MAGIC	0x32323232
#define HOSTILE_MAGIC	0xbad1e3e0

/* identity page tables for the guest's CR3: PML4, PDPT, PD of 2 MiB pages */
#define PML4_GPA	0x20000ULL
#define PDPT_GPA	0x21000ULL
#define PD_GPA		0x22000ULL
#define PML4_GPA_S	"0x20000"
/* a PAE page-directory-pointer table: entry 0 -> PD_GPA (SDM 3A 4.4.1) */
#define PAE_PDPT_GPA	0x23000ULL
#define PAE_PDPT_GPA_S	"0x23000"
#define GP_MAGIC	0x0d0d0d0d
#define OTHER_EXC_MAGIC	0xdead0000

#define SEL_CODE32	0x08
#define SEL_DATA	0x10
#define SEL_CODE64	0x18

#define CR0_PE		(1ULL << 0)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

/* guest-physical address of a label of blob n (the blob runs at CODE_GPA) */
#define ADDR(n, label)	"(" #n "_" #label " - " #n " + " CODE_GPA_S ")"

/* real mode -> flat 32-bit protected mode with the blob's own GDT */
#define TO_PROT32(n)							\
	"cli\n"								\
	"lgdtl " ADDR(n, gdtr) "\n"					\
	"mov %cr0, %eax\n"						\
	"or $1, %eax\n"			/* CR0.PE */			\
	"mov %eax, %cr0\n"						\
	"ljmpl $0x08, $" ADDR(n, prot32) "\n"				\
	".code32\n"							\
	#n "_prot32:\n"							\
	"mov $0x10, %ax\n"						\
	"mov %ax, %ds\n"						\
	"mov %ax, %es\n"						\
	"mov %ax, %ss\n"						\
	"mov $0xf000, %esp\n"						\
	"mov $" PML4_GPA_S ", %eax\n"					\
	"mov %eax, %cr3\n"

#define SET_PAE		"mov %cr4, %eax\n bts $5, %eax\n mov %eax, %cr4\n"
#define CLEAR_PAE	"mov %cr4, %eax\n btr $5, %eax\n mov %eax, %cr4\n"
#define SET_LME		"mov $0xc0000080, %ecx\n rdmsr\n bts $8, %eax\n wrmsr\n"
#define SET_PG		"mov %cr0, %eax\n bts $31, %eax\n mov %eax, %cr0\n"
#define CLEAR_PG	"mov %cr0, %eax\n btr $31, %eax\n mov %eax, %cr0\n"

/* compatibility mode (LMA=1 after CR0.PG) -> 64-bit code segment, report */
#define TO_LONG64(n)							\
	"ljmpl $0x18, $" ADDR(n, long64) "\n"				\
	".code64\n"							\
	#n "_long64:\n"							\
	"movabs $0x1122334455667788, %rax\n"				\
	"out %eax, $0x10\n"

/* null, 32-bit code, data, 64-bit code (SDM 3A 3.4.5), all flat */
#define GDT(n)								\
	#n "_gdt:\n"							\
	".quad 0\n"							\
	".quad 0x00cf9b000000ffff\n"					\
	".quad 0x00cf93000000ffff\n"					\
	".quad 0x00af9b000000ffff\n"					\
	#n "_gdtr:\n"							\
	".word 4 * 8 - 1\n"						\
	".long " ADDR(n, gdt) "\n"

GUEST_BLOB(ms_pae_first, 16,
	   TO_PROT32(ms_pae_first) SET_PAE SET_LME SET_PG
	   TO_LONG64(ms_pae_first) "hlt\n" GDT(ms_pae_first));

GUEST_BLOB(ms_lme_first, 16,
	   TO_PROT32(ms_lme_first) SET_LME SET_PAE SET_PG
	   TO_LONG64(ms_lme_first) "hlt\n" GDT(ms_lme_first));

/* 64-bit -> compatibility mode (far return) -> CR0.PG=0: 32-bit protected mode */
GUEST_BLOB(ms_back, 16,
	   TO_PROT32(ms_back) SET_PAE SET_LME SET_PG TO_LONG64(ms_back)
	   "pushq $0x08\n"
	   "pushq $" ADDR(ms_back, compat) "\n"
	   "lretq\n"
	   ".code32\n"
	   "ms_back_compat:\n"
	   CLEAR_PG
	   "mov $0x32323232, %eax\n"
	   "out %eax, $0x10\n"
	   "hlt\n"
	   GDT(ms_back));

/* LME on, PAE off again with paging off, then spin: only a signal ends it */
GUEST_BLOB(ms_hostile, 16,
	   TO_PROT32(ms_hostile) SET_PAE SET_LME CLEAR_PAE
	   "mov $0xbad1e3e0, %eax\n"
	   "out %eax, $0x10\n"
	   ".globl ms_hostile_spin\n"
	   "ms_hostile_spin:\n"
	   "jmp ms_hostile_spin\n"
	   GDT(ms_hostile));
extern const unsigned char ms_hostile_spin[];

/* a 32-bit interrupt gate to handler, code segment 0x08 (SDM 3A 6.11) */
#define GATE32(n, handler)						\
	".word " ADDR(n, handler) "\n"					\
	".word 0x08, 0x8e00, 0\n"

/*
 * PAE paging on, then WRMSR EFER.LME: #GP(0), which reports GP_MAGIC;
 * reaching the OUT after the WRMSR reports PROT_MAGIC instead.
 */
GUEST_BLOB(ms_lme_paging, 16,
	   TO_PROT32(ms_lme_paging)
	   "lidt " ADDR(ms_lme_paging, idtr) "\n"
	   "mov $" PAE_PDPT_GPA_S ", %eax\n"
	   "mov %eax, %cr3\n"
	   SET_PAE SET_PG SET_LME
	   "mov $0x32323232, %eax\n"
	   "out %eax, $0x10\n"
	   "hlt\n"
	   "ms_lme_paging_gp:\n"
	   "mov $0x0d0d0d0d, %eax\n"
	   "out %eax, $0x10\n"
	   "hlt\n"
	   "ms_lme_paging_other:\n"
	   "mov $0xdead0000, %eax\n"
	   "out %eax, $0x10\n"
	   "hlt\n"
	   ".p2align 3\n"
	   "ms_lme_paging_idt:\n"
	   ".rept 13\n" GATE32(ms_lme_paging, other) ".endr\n"
	   GATE32(ms_lme_paging, gp)
	   "ms_lme_paging_idtr:\n"
	   ".word 14 * 8 - 1\n"
	   ".long " ADDR(ms_lme_paging, idt) "\n"
	   GDT(ms_lme_paging));

FIXTURE(mode_switch) {
	struct test_vm t;
};

/* identity-map the first GiB with 2 MiB pages (SDM 3A 4.5), as a loader would */
static int place_page_tables(struct test_vm *t)
{
	__u64 *pml4 = libvmon_gpa_to_hva(&t->vm, PML4_GPA, 4096);
	__u64 *pdpt = libvmon_gpa_to_hva(&t->vm, PDPT_GPA, 4096);
	__u64 *pd = libvmon_gpa_to_hva(&t->vm, PD_GPA, 4096);
	__u64 *pae_pdpt = libvmon_gpa_to_hva(&t->vm, PAE_PDPT_GPA, 4096);
	unsigned int i;

	if (!pml4 || !pdpt || !pd || !pae_pdpt)
		return -EFAULT;
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	memset(pae_pdpt, 0, 4096);
	pml4[0] = PDPT_GPA | 0x3;		/* P, RW */
	pdpt[0] = PD_GPA | 0x3;
	pae_pdpt[0] = PD_GPA | 0x1;		/* P only: RW is reserved in a PDPTE */
	for (i = 0; i < 512; i++)
		pd[i] = ((__u64)i << 21) | 0x83;	/* P, RW, PS */
	return 0;
}

FIXTURE_SETUP(mode_switch)
{
	struct vmon_sregs sregs;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_reset(&self->t));
	ASSERT_OK(place_page_tables(&self->t));
	/* the guest really starts in real mode */
	ASSERT_OK(libvmon_get_sregs(&self->t.cpu, &sregs));
	ASSERT_EQ(0, sregs.cr0 & (CR0_PE | CR0_PG));
	ASSERT_EQ(0, sregs.efer & (EFER_LME | EFER_LMA));
	ASSERT_EQ(0, sregs.cs.base);
}

FIXTURE_TEARDOWN(mode_switch)
{
	if (test_have_vmon())
		test_vm_destroy(&self->t);
}

/* (val & mask) == want, what names the register */
static void expect_bits(struct __test_metadata *_metadata, __u64 want, __u64 mask, __u64 val,
			const char *what)
{
	EXPECT_EQ(want, val & mask)
		TH_LOG("%s: expected 0x%llx under mask 0x%llx, got 0x%llx", what,
		       (unsigned long long)want, (unsigned long long)mask,
		       (unsigned long long)val);
}

/* run to the 64-bit OUT, check it and the long-mode state */
static void expect_long_mode(struct __test_metadata *_metadata, struct test_vm *t)
{
	struct vmon_run *run = t->cpu.run;
	struct vmon_sregs sregs;

	RUN_EXPECT_EXIT(t, VMON_EXIT_IO);
	ASSERT_IO(t, PORT, 4, VMON_IO_OUT);
	EXPECT_EQ((__u32)LONG_MAGIC, run->io.data);
	EXPECT_EQ(LONG_MAGIC, run->regs.rax)
		TH_LOG("expected RAX 0x%llx from a 64-bit MOV, got 0x%llx",
		       LONG_MAGIC, (unsigned long long)run->regs.rax);
	ASSERT_OK(libvmon_get_sregs(&t->cpu, &sregs));
	expect_bits(_metadata, EFER_LME | EFER_LMA, EFER_LME | EFER_LMA, sregs.efer, "EFER");
	expect_bits(_metadata, CR0_PG | CR0_PE, CR0_PG | CR0_PE, sregs.cr0, "CR0");
	expect_bits(_metadata, CR4_PAE, CR4_PAE, sregs.cr4, "CR4");
	EXPECT_EQ(PML4_GPA, sregs.cr3 & ~0xfffULL);
	EXPECT_EQ(1, sregs.cs.l) TH_LOG("CS.L clear: not in 64-bit mode");
	EXPECT_EQ(0, sregs.cs.db);
	EXPECT_EQ(SEL_CODE64, sregs.cs.selector);
}

static void expect_hlt_after_long(struct __test_metadata *_metadata, struct test_vm *t)
{
	struct vmon_sregs sregs;

	RUN_EXPECT_EXIT(t, VMON_EXIT_HLT);
	ASSERT_OK(libvmon_get_sregs(&t->cpu, &sregs));
	expect_bits(_metadata, EFER_LME | EFER_LMA, EFER_LME | EFER_LMA, sregs.efer, "EFER at HLT");
	EXPECT_EQ(1, sregs.cs.l);
}

TEST_F(mode_switch, pae_then_lme_to_long)
{
	ASSERT_OK(test_vm_load_blob(&self->t, ms_pae_first, ms_pae_first_end));
	expect_long_mode(_metadata, &self->t);
	expect_hlt_after_long(_metadata, &self->t);
}

TEST_F(mode_switch, lme_then_pae_to_long)
{
	ASSERT_OK(test_vm_load_blob(&self->t, ms_lme_first, ms_lme_first_end));
	expect_long_mode(_metadata, &self->t);
	expect_hlt_after_long(_metadata, &self->t);
}

TEST_F(mode_switch, long_back_to_prot32)
{
	struct vmon_run *run = self->t.cpu.run;
	struct vmon_sregs sregs;

	ASSERT_OK(test_vm_load_blob(&self->t, ms_back, ms_back_end));
	expect_long_mode(_metadata, &self->t);

	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_IO);
	ASSERT_IO(&self->t, PORT, 4, VMON_IO_OUT);
	EXPECT_EQ(PROT_MAGIC, run->io.data);
	ASSERT_OK(libvmon_get_sregs(&self->t.cpu, &sregs));
	/* LME stays set; LMA follows CR0.PG (APM 14.6.2) */
	expect_bits(_metadata, EFER_LME, EFER_LME | EFER_LMA, sregs.efer, "EFER");
	expect_bits(_metadata, CR0_PE, CR0_PG | CR0_PE, sregs.cr0, "CR0");
	EXPECT_EQ(0, sregs.cs.l);
	EXPECT_EQ(1, sregs.cs.db) TH_LOG("CS.D clear: not 32-bit code");
	EXPECT_EQ(SEL_CODE32, sregs.cs.selector);

	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_HLT);
}

TEST_F(mode_switch, wrmsr_lme_with_paging_on_is_gp)
{
	struct vmon_run *run = self->t.cpu.run;
	struct vmon_sregs sregs;

	ASSERT_OK(test_vm_load_blob(&self->t, ms_lme_paging, ms_lme_paging_end));
	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_IO);
	ASSERT_IO(&self->t, PORT, 4, VMON_IO_OUT);
	EXPECT_EQ(GP_MAGIC, run->io.data)
		TH_LOG("expected #GP from the WRMSR (0x%x), got 0x%x (0x%x: it went through; "
		       "0x%x: another exception)", GP_MAGIC, run->io.data, PROT_MAGIC,
		       OTHER_EXC_MAGIC);
	ASSERT_OK(libvmon_get_sregs(&self->t.cpu, &sregs));
	expect_bits(_metadata, 0, EFER_LME | EFER_LMA, sregs.efer, "EFER after the #GP");
	expect_bits(_metadata, CR0_PG | CR0_PE, CR0_PG | CR0_PE, sregs.cr0, "CR0 after the #GP");
	expect_bits(_metadata, CR4_PAE, CR4_PAE, sregs.cr4, "CR4 after the #GP");
	EXPECT_EQ(PAE_PDPT_GPA, sregs.cr3);
	EXPECT_EQ(0, sregs.cs.l);
	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_HLT);
}

static void on_sigalrm(int sig)
{
}

TEST_F(mode_switch, lme_without_pae_spin_is_interruptible)
{
	struct sigaction sa = { .sa_handler = on_sigalrm };	/* no SA_RESTART */
	struct itimerval once = { .it_value = { .tv_usec = 50000 } };
	struct vmon_run *run = self->t.cpu.run;
	__u64 spin = CODE_GPA + (ms_hostile_spin - ms_hostile);
	struct vmon_sregs sregs;
	int r;

	ASSERT_OK(test_vm_load_blob(&self->t, ms_hostile, ms_hostile_end));
	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_IO);
	ASSERT_IO(&self->t, PORT, 4, VMON_IO_OUT);
	EXPECT_EQ(HOSTILE_MAGIC, run->io.data);
	ASSERT_OK(libvmon_get_sregs(&self->t.cpu, &sregs));
	expect_bits(_metadata, EFER_LME, EFER_LME | EFER_LMA, sregs.efer, "EFER at the OUT");
	expect_bits(_metadata, CR0_PE, CR0_PG | CR0_PE, sregs.cr0, "CR0 at the OUT");
	expect_bits(_metadata, 0, CR4_PAE, sregs.cr4, "CR4 at the OUT");

	/* the guest now spins in that state; a signal must end VMON_RUN */
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &once, NULL));
	r = libvmon_cpu_run(&self->t.cpu);
	ASSERT_EQ(-EINTR, r) TH_LOG("VMON_RUN: expected -EINTR, got %d (%s); exit %s", r,
				    strerror(-r), test_describe_exit(&self->t.cpu));
	EXPECT_EQ(VMON_EXIT_INTR, run->exit_reason)
		TH_LOG("expected exit INTR, got %s", test_describe_exit(&self->t.cpu));
	ASSERT_OK(libvmon_get_sregs(&self->t.cpu, &sregs));
	expect_bits(_metadata, EFER_LME, EFER_LME | EFER_LMA, sregs.efer, "EFER after the signal");
	expect_bits(_metadata, 0, CR4_PAE, sregs.cr4, "CR4 after the signal");
	expect_bits(_metadata, CR0_PE, CR0_PG | CR0_PE, sregs.cr0, "CR0 after the signal");
	EXPECT_EQ(spin, run->regs.rip)
		TH_LOG("expected RIP at the spin loop 0x%llx, got 0x%llx",
		       (unsigned long long)spin, (unsigned long long)run->regs.rip);
}

TEST_HARNESS_MAIN
