// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's own MMIO emulation (kmod/emulate.c) on the xAPIC page:
 * every access below is a TDP fault the kernel completes without a
 * userspace exit, so a wrong fetch, decode, register write or RIP
 * shows up as a wrong value, an unexpected exit or a guest that runs
 * off.  The guest reads the APIC ID and version registers and writes
 * and reads back the TPR (SDM Vol. 3A Table 11-1: ID 0x20, version
 * 0x30, TPR 0x80; the TPR keeps bits 7:0, 11.8.3.1) through many MOV
 * forms, and reports each value with OUT to port 0x10.  The expected
 * values come from VMON_GET_LAPIC, so the test does not depend on the
 * version the APIC chose.
 *
 * Modes: real mode with a CS base that is not 0 and ES based at the APIC
 * (16- and 32-bit addressing); 32-bit paging, PAE paging, 4-level and
 * 5-level long mode with page tables built here that map the APIC page
 * at odd virtual addresses (never identity), and an instruction that
 * straddles two virtual pages whose physical pages are in the opposite
 * order.  An instruction the decoder does not know ends in
 * VMON_EXIT_INTERNAL_ERROR with RIP still at it.
 *
 * Needs the in-kernel local APIC (VMON_CAP_LAPIC): without it the test
 * fails, saying so.
 */
#include <cpuid.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "test_vm.h"

#define REPORT		0x10
#define MSR_APIC_BASE	0x1b
#define APIC_BASE_EN	(1ULL << 11)
#define APIC_ID		0x20
#define APIC_LVR	0x30
#define APIC_TPR	0x80

#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define CR4_LA57	(1ULL << 12)
#define PTE_P		1ULL
#define PTE_RW		2ULL
#define PTE_PCD		(1ULL << 4)

/* page tables built by the tests, and the two pages of the straddling code */
#define PT_POOL		0x20000ULL
#define PT_POOL_END	0x30000ULL
#define CODE_PAGE_HI	0x30000ULL	/* mapped at STRADDLE_VA + 0x1000 */
#define CODE_PAGE_LO	0x31000ULL	/* mapped at STRADDLE_VA */
#define STRADDLE_VA	0x40000000ULL
#define LOW_MAP		0x200000ULL	/* identity-mapped: code, stack, tables */

/* where the APIC page appears; none is its physical address */
#define ALIAS32		0x12345000ULL
#define ALIAS_HIGH	0x7fabcdef5000ULL	/* 4-level: PML4 index 255 */
#define ALIAS_LA57	0xff5abcdef0123000ULL	/* 5-level only: bits 56:48 used */

#define S(x)		#x
#define XS(x)		S(x)

/*
 * The common body: A(off) is the memory operand of APIC register off.
 * Reports ID, version (dword, byte, word), TPR after a C7 store, TPR
 * (sign-extended) after an 89 store.  B holds the page's base, SI/DI
 * index registers.
 */
#define BODY(A, AB, AIX, AIX2, R)					\
	"mov " A(0x20) ", %eax\n"					\
	"out %eax, $0x10\n"						\
	"mov " AB(0x30) ", %ecx\n"					\
	"mov %ecx, %eax\n"						\
	"out %eax, $0x10\n"						\
	"mov $0x30, %" R "si\n"						\
	"movzbl " AIX ", %edx\n"					\
	"mov %edx, %eax\n"						\
	"out %eax, $0x10\n"						\
	"mov $0x10, %" R "di\n"						\
	"movzwl " AIX2 ", %ebp\n"					\
	"mov %ebp, %eax\n"						\
	"out %eax, $0x10\n"						\
	"movl $0x5a, " AB(0x80) "\n"					\
	"mov " A(0x80) ", %esi\n"					\
	"mov %esi, %eax\n"						\
	"out %eax, $0x10\n"						\
	"mov $0xc3, %edi\n"						\
	"mov %edi, " AB(0x80) "\n"					\
	"movsbl " A(0x80) ", %eax\n"					\
	"out %eax, $0x10\n"						\
	"movl $0, " A(0x80) "\n"

/* real mode: ES is based at the APIC page (SET_SREGS), BX = 0 */
#define R_A(x)		"%es:" #x
#define R_AB(x)		"%es:" #x "(%bx)"
GUEST_BLOB(emul_real, 16,
	   "xor %bx, %bx\n"
	   BODY(R_A, R_AB, "%es:(%bx,%si)", "%es:0x20(%bx,%di)", "")
	   /* 32-bit addressing in 16-bit code: 67 prefix, SIB */
	   "xor %ebx, %ebx\n"
	   "mov $0x8, %ecx\n"
	   "mov %es:0x20(%ebx,%ecx,2), %eax\n"
	   "out %eax, $0x10\n"
	   "hlt\n");

/* 32-bit paging or PAE: the APIC at ALIAS32, EBX = ALIAS32 */
#define P_A(x)		XS(ALIAS32) " + " #x
#define P_AB(x)		#x "(%ebx)"
GUEST_BLOB(emul_prot, 32,
	   "mov $" XS(ALIAS32) ", %ebx\n"
	   BODY(P_A, P_AB, "(%ebx,%esi)", "0x10(%ebx,%edi,2)", "e")
	   "mov $0x8, %ecx\n"
	   "mov 0x20(%ebx,%ecx,2), %eax\n"
	   "out %eax, $0x10\n"
	   "hlt\n");

/*
 * Long mode: RBX = ALIAS32 as above, plus RIP-relative, REX registers
 * and a 64-bit moffs through the high alias (R10 = its base).
 */
#define L_A(x)		XS(ALIAS32) " + " #x
#define L_AB(x)		#x "(%rbx)"
#define LONG_EXTRA(name, high)						\
	"mov (" #name " + " XS(ALIAS32) " + 0x30 - " CODE_GPA_S ")(%rip), %r9d\n" \
	"mov %r9d, %eax\n"						\
	"out %eax, $0x10\n"						\
	"movabs $" XS(high) ", %r10\n"					\
	"mov 0x20(%r10), %r11d\n"					\
	"mov %r11d, %eax\n"						\
	"out %eax, $0x10\n"						\
	"movabs " XS(high) " + 0x30, %eax\n"				\
	"out %eax, $0x10\n"						\
	"mov $0x71, %r12d\n"						\
	"mov %r12d, 0x80(%r10)\n"					\
	"movzbq 0x80(%r10), %r13\n"					\
	"mov %r13d, %eax\n"						\
	"out %eax, $0x10\n"						\
	"movl $0, 0x80(%r10)\n"
#define LONG_BODY(name, high)						\
	"mov $" XS(ALIAS32) ", %ebx\n"					\
	BODY(L_A, L_AB, "(%rbx,%rsi)", "0x10(%rbx,%rdi,2)", "r")	\
	"mov $0x8, %ecx\n"						\
	"mov 0x20(%rbx,%rcx,2), %eax\n"					\
	"out %eax, $0x10\n"						\
	LONG_EXTRA(name, high)						\
	"hlt\n"
GUEST_BLOB(emul_long, 64, LONG_BODY(emul_long, ALIAS_HIGH));
/* the same at an alias that only 5-level paging can express */
GUEST_BLOB(emul_la57, 64, LONG_BODY(emul_la57, ALIAS_LA57));

/*
 * An instruction the decoder does not know on the APIC page (ADD to
 * memory), from flat 32-bit mode at the APIC's physical address.
 */
GUEST_BLOB(emul_unknown, 32,
	   "mov $0xfee00000, %ebx\n"
	   ".globl emul_unknown_add\n"
	   "emul_unknown_add:\n"
	   "addl $1, 0x80(%ebx)\n"
	   "hlt\n");
extern const unsigned char emul_unknown_add[];

/* page tables in PT_POOL; levels 2 (32-bit), 3 (PAE), 4, 5 */
struct pager {
	struct test_vm *t;
	int levels;
	__u64 root;
	__u64 next;
};

static void *hva(struct test_vm *t, __u64 gpa)
{
	return libvmon_gpa_to_hva(&t->vm, gpa, 4096);
}

static __u64 new_table(struct pager *p)
{
	__u64 gpa = p->next;

	if (gpa >= PT_POOL_END)
		return 0;
	p->next += 4096;
	memset(hva(p->t, gpa), 0, 4096);
	return gpa;
}

/* the index of va at a level (1 = PT), and how entries are sized */
static unsigned int pt_index(const struct pager *p, __u64 va, int level)
{
	if (p->levels == 2)
		return (va >> (12 + 10 * (level - 1))) & 0x3ff;
	if (p->levels == 3 && level == 3)
		return (va >> 30) & 3;
	return (va >> (12 + 9 * (level - 1))) & 0x1ff;
}

static void write_entry(const struct pager *p, __u64 table, unsigned int i, __u64 val)
{
	if (p->levels == 2)
		((__u32 *)hva(p->t, table))[i] = (__u32)val;
	else
		((__u64 *)hva(p->t, table))[i] = val;
}

static __u64 read_entry(const struct pager *p, __u64 table, unsigned int i)
{
	if (p->levels == 2)
		return ((__u32 *)hva(p->t, table))[i];
	return ((__u64 *)hva(p->t, table))[i];
}

/* map one 4 KiB page; 0 or -ENOMEM when the pool is used up */
static int map4k(struct pager *p, __u64 va, __u64 pa, __u64 flags)
{
	__u64 table = p->root;
	int level;

	for (level = p->levels; level > 1; level--) {
		unsigned int i = pt_index(p, va, level);
		__u64 e = read_entry(p, table, i);

		if (!(e & PTE_P)) {
			__u64 sub = new_table(p);

			if (!sub)
				return -ENOMEM;
			/* PAE PDPTEs have no RW bit (SDM Vol. 3A 4.4.1) */
			e = sub | PTE_P | (p->levels == 3 && level == 3 ? 0 : PTE_RW);
			write_entry(p, table, i, e);
		}
		table = e & 0x000ffffffffff000ULL;
	}
	write_entry(p, table, pt_index(p, va, 1), pa | flags | PTE_P);
	return 0;
}

/*
 * Tables for levels: identity for the low 2 MiB, the APIC at ALIAS32 and
 * the extra alias, the two straddle pages swapped.
 */
static int build_tables(struct pager *p, struct test_vm *t, int levels, __u64 apic,
			__u64 extra_alias)
{
	__u64 va;
	int r = 0;

	p->t = t;
	p->levels = levels;
	p->next = PT_POOL;
	p->root = new_table(p);
	for (va = 0; va < LOW_MAP && !r; va += 4096)
		r = map4k(p, va, va, PTE_RW);
	if (!r)
		r = map4k(p, ALIAS32, apic, PTE_RW | PTE_PCD);
	if (!r && extra_alias)
		r = map4k(p, extra_alias, apic, PTE_RW | PTE_PCD);
	if (!r)
		r = map4k(p, STRADDLE_VA, CODE_PAGE_LO, 0);
	if (!r)
		r = map4k(p, STRADDLE_VA + 0x1000, CODE_PAGE_HI, 0);
	return r;
}

struct lapic_expect {
	__u64 base;
	__u32 id, version;
};

/* the APIC enabled at its default base; what its registers hold */
static int lapic_setup(struct test_vm *t, struct lapic_expect *e)
{
	struct vmon_lapic_state *st;
	int r;

	if (!(t->vm.caps.flags & VMON_CAP_LAPIC))
		return -EOPNOTSUPP;
	r = libvmon_set_msr(&t->cpu, MSR_APIC_BASE, 0xfee00000ULL | APIC_BASE_EN | (1 << 8));
	if (r)
		return r;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	r = ioctl(t->cpu.fd, VMON_GET_LAPIC, st) ? -errno : 0;
	if (!r) {
		e->base = st->apic_base & ~0xfffULL;
		memcpy(&e->id, &st->regs[APIC_ID], 4);
		memcpy(&e->version, &st->regs[APIC_LVR], 4);
	}
	free(st);
	return r;
}

/* the values BODY reports, then the extras of a mode */
static unsigned int body_expect(const struct lapic_expect *e, __u32 *v)
{
	v[0] = e->id;
	v[1] = e->version;
	v[2] = e->version & 0xff;
	v[3] = e->version & 0xffff;
	v[4] = 0x5a;
	v[5] = 0xffffffc3;
	v[6] = e->version;	/* SIB with an index */
	return 7;
}

static unsigned int long_expect(const struct lapic_expect *e, __u32 *v)
{
	unsigned int n = body_expect(e, v);

	v[n++] = e->version;	/* RIP-relative */
	v[n++] = e->id;		/* REX base register, high alias */
	v[n++] = e->version;	/* moffs64 */
	v[n++] = 0x71;		/* REX store, MOVZX to a 64-bit register */
	return n;
}

/*
 * Run until HLT: every exit must be a report of the next expected value
 * (each access was emulated in the kernel, no MMIO exit reaches us).
 */
static void run_reports(struct __test_metadata *_metadata, struct test_vm *t,
			const __u32 *want, unsigned int n)
{
	struct vmon_run *run = t->cpu.run;
	unsigned int i;

	for (i = 0; i < n; i++) {
		RUN_EXPECT_EXIT(t, VMON_EXIT_IO);
		ASSERT_EQ(REPORT, run->io.port)
			TH_LOG("report %u: %s", i, test_describe_exit(&t->cpu));
		EXPECT_EQ(want[i], (__u32)run->io.data)
			TH_LOG("report %u: expected 0x%x, got 0x%x", i, want[i],
			       (__u32)run->io.data);
	}
	RUN_EXPECT_EXIT(t, VMON_EXIT_HLT);
}

#define LAPIC_OR_FAIL(t, e) do {					\
	int __r = lapic_setup(t, e);					\
	ASSERT_EQ(0, __r) TH_LOG("the in-kernel local APIC is needed "	\
				 "(VMON_CAP_LAPIC, VMON_GET_LAPIC): %s", \
				 strerror(-__r));			\
} while (0)

FIXTURE(emul) {
	struct test_vm t;
	struct lapic_expect e;
	__u32 want[16];
};

FIXTURE_SETUP(emul)
{
	memset(&self->t, 0, sizeof(self->t));
}

FIXTURE_TEARDOWN(emul)
{
	if (self->t.low)
		test_vm_destroy(&self->t);
}

/* real mode: the fetch adds CS base 0xa000 to IP 0, ES reaches the APIC */
TEST_F(emul, real_mode_segment_bases)
{
	struct test_vm *t = &self->t;
	struct vmon_sregs sregs;
	unsigned int n;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(t, VMON_GUEST_REAL));
	LAPIC_OR_FAIL(t, &self->e);
	ASSERT_OK(test_vm_load_blob(t, emul_real, emul_real_end));
	ASSERT_OK(test_vm_set_entry(t, 0, 0));
	ASSERT_OK(libvmon_get_sregs(&t->cpu, &sregs));
	sregs.cs.selector = CODE_GPA >> 4;
	sregs.cs.base = CODE_GPA;
	/* "unreal" ES: a 64 KiB segment at the APIC page */
	sregs.es.base = self->e.base;
	ASSERT_OK(libvmon_set_sregs(&t->cpu, &sregs));

	n = body_expect(&self->e, self->want);
	run_reports(_metadata, t, self->want, n);
}

static void paged_prot(struct __test_metadata *_metadata, struct test_vm *t,
		       struct lapic_expect *e, __u32 *want, bool pae)
{
	struct vmon_sregs sregs;
	struct pager p;

	ASSERT_OK(test_vm_create(t, VMON_GUEST_PROT));
	LAPIC_OR_FAIL(t, e);
	ASSERT_OK(build_tables(&p, t, pae ? 3 : 2, e->base, 0));
	ASSERT_OK(test_vm_load_blob(t, emul_prot, emul_prot_end));
	ASSERT_OK(libvmon_get_sregs(&t->cpu, &sregs));
	sregs.cr3 = p.root;
	sregs.cr4 = pae ? sregs.cr4 | CR4_PAE : sregs.cr4 & ~CR4_PAE;
	sregs.cr0 |= CR0_PG;
	ASSERT_OK(libvmon_set_sregs(&t->cpu, &sregs));
	run_reports(_metadata, t, want, body_expect(e, want));
}

TEST_F(emul, paging_32bit)
{
	SKIP_IF_NO_VMON();
	paged_prot(_metadata, &self->t, &self->e, self->want, false);
}

TEST_F(emul, paging_pae)
{
	SKIP_IF_NO_VMON();
	paged_prot(_metadata, &self->t, &self->e, self->want, true);
}

/* long mode on the tables built here */
static void paged_long(struct __test_metadata *_metadata, struct test_vm *t,
		       struct lapic_expect *e, struct pager *p, bool la57)
{
	struct vmon_sregs sregs;

	ASSERT_OK(test_vm_create(t, VMON_GUEST_LONG));
	LAPIC_OR_FAIL(t, e);
	ASSERT_OK(build_tables(p, t, la57 ? 5 : 4, e->base, la57 ? ALIAS_LA57 : ALIAS_HIGH));
	ASSERT_OK(libvmon_get_sregs(&t->cpu, &sregs));
	sregs.cr3 = p->root;
	if (la57)
		sregs.cr4 |= CR4_LA57;
	ASSERT_OK(libvmon_set_sregs(&t->cpu, &sregs));
}

TEST_F(emul, long_mode_4level)
{
	struct test_vm *t = &self->t;
	struct pager p;

	SKIP_IF_NO_VMON();
	paged_long(_metadata, t, &self->e, &p, false);
	ASSERT_OK(test_vm_load_blob(t, emul_long, emul_long_end));
	run_reports(_metadata, t, self->want, long_expect(&self->e, self->want));
}

/* CPUID.(EAX=07H,ECX=0):ECX[16] (SDM Vol. 2A, CPUID) */
static bool cpu_has_la57(void)
{
	unsigned int a, b, c, d;

	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (c & (1u << 16));
}

/*
 * 5-level paging where the CPU has it (QEMU's -cpu max, not Bochs'):
 * CR4.LA57 set by SET_SREGS, which the hardware takes on entry.
 */
TEST_F(emul, long_mode_5level)
{
	struct test_vm *t = &self->t;
	struct pager p;

	SKIP_IF_NO_VMON();
	if (!cpu_has_la57())
		SKIP(return, "the CPU has no 5-level paging (LA57)");
	paged_long(_metadata, t, &self->e, &p, true);
	ASSERT_OK(test_vm_load_blob(t, emul_la57, emul_la57_end));
	run_reports(_metadata, t, self->want, long_expect(&self->e, self->want));
}

/*
 * mov ALIAS32 + 0x30, %ecx (8B 0D disp32) starting 3 bytes before the end
 * of STRADDLE_VA's page; the next virtual page is the physical page
 * below.  Then mov %ecx, %eax; out %eax, $0x10; hlt.
 */
static void write_straddle(struct test_vm *t, bool rip_rel)
{
	__u8 insn[6] = { 0x8b, 0x0d };
	__u32 target = ALIAS32 + APIC_LVR;
	static const __u8 tail[] = { 0x89, 0xc8, 0xe7, REPORT, 0xf4 };
	__u8 *lo = hva(t, CODE_PAGE_LO), *hi = hva(t, CODE_PAGE_HI);

	/* in 64-bit mode 8B 0D is RIP-relative: disp32 from the next RIP */
	if (rip_rel)
		target -= STRADDLE_VA + 0xffd + sizeof(insn);
	memcpy(insn + 2, &target, 4);
	memcpy(lo + 0xffd, insn, 3);
	memcpy(hi, insn + 3, 3);
	memcpy(hi + 3, tail, sizeof(tail));
}

TEST_F(emul, straddle_32bit_paging)
{
	struct test_vm *t = &self->t;
	struct vmon_sregs sregs;
	struct pager p;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(t, VMON_GUEST_PROT));
	LAPIC_OR_FAIL(t, &self->e);
	ASSERT_OK(build_tables(&p, t, 2, self->e.base, 0));
	write_straddle(t, false);
	ASSERT_OK(test_vm_set_entry(t, STRADDLE_VA + 0xffd, 0));
	ASSERT_OK(libvmon_get_sregs(&t->cpu, &sregs));
	sregs.cr3 = p.root;
	sregs.cr0 |= CR0_PG;
	ASSERT_OK(libvmon_set_sregs(&t->cpu, &sregs));
	self->want[0] = self->e.version;
	run_reports(_metadata, t, self->want, 1);
}

TEST_F(emul, straddle_long_mode)
{
	struct test_vm *t = &self->t;
	struct pager p;

	SKIP_IF_NO_VMON();
	paged_long(_metadata, t, &self->e, &p, false);
	write_straddle(t, true);
	ASSERT_OK(test_vm_set_entry(t, STRADDLE_VA + 0xffd, 0));
	self->want[0] = self->e.version;
	run_reports(_metadata, t, self->want, 1);
}

/*
 * What the kernel cannot emulate comes to userspace as an internal
 * error naming the instruction's bytes and the address, with the
 * guest's RIP still at the instruction.
 */
TEST_F(emul, unknown_instruction_is_an_internal_error)
{
	struct test_vm *t = &self->t;
	struct vmon_run *run;
	struct vmon_regs regs;
	__u64 add_rip = CODE_GPA + (emul_unknown_add - emul_unknown);

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(t, VMON_GUEST_PROT));
	LAPIC_OR_FAIL(t, &self->e);
	ASSERT_EQ(0xfee00000ULL, self->e.base);
	ASSERT_OK(test_vm_load_blob(t, emul_unknown, emul_unknown_end));
	run = t->cpu.run;
	RUN_EXPECT_EXIT(t, VMON_EXIT_INTERNAL_ERROR);
	EXPECT_EQ(VMON_INTERNAL_EMULATION, run->internal.kind);
	EXPECT_EQ(0xfee00080ULL, run->internal.qualification);
	/* 83 83 80 00 00 00 01: add imm8 to [ebx + disp32] */
	EXPECT_EQ(0x01000000808383ULL, run->internal.code & 0xffffffffffffffULL);
	EXPECT_STREQ("MMIO instruction not emulated", run->internal.reason);
	ASSERT_OK(libvmon_get_regs(&t->cpu, &regs));
	EXPECT_EQ(add_rip, regs.rip);
}

TEST_HARNESS_MAIN
