// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMIO exits the kernel decodes (VMON_MMIO_DECODED, kmod/emulate.c):
 * the run page names the access (gpa, len, the data of a store) with
 * RIP already past the instruction, and a load's value, left by
 * userspace in run->mmio.data, reaches the destination register on the
 * next VMON_RUN with the instruction's size and extension rules.
 *
 * Every store and load form the decoder knows, in 64-bit mode (mmio_test
 * covers real and protected mode through libvmon): sizes 1/2/4/8,
 * high-byte registers (AH) and REX byte registers (SIL), REX.R/REX.B
 * registers, immediates (a 64-bit MOV's imm32 sign-extended), moffs,
 * MOVZX/MOVSX, 32-bit destinations that zero-extend; an instruction that
 * straddles two pages; a load whose completing RUN returns at once
 * (immediate_exit) and one later interrupted by a signal: the value is
 * written once.  What the kernel does not decode (MOVS, a
 * read-modify-write ADD) arrives as before: no VMON_MMIO_DECODED, RIP
 * at the instruction, len, data and padding 0, and libvmon's own
 * emulator says -EOPNOTSUPP without touching the registers; so does
 * the CPU's read of guest page tables that are not in RAM, whatever
 * instruction is at RIP.
 */
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <time.h>

#include "kselftest_harness.h"
#include "test_vm.h"

/* the uapi layout of run->mmio: the old fields where they were */
_Static_assert(offsetof(struct vmon_run, mmio.gpa) == offsetof(struct vmon_run, io), "gpa");
#define MMIO_OFF(f)	(offsetof(struct vmon_run, mmio.f) - offsetof(struct vmon_run, mmio))
_Static_assert(MMIO_OFF(flags) == 8 && MMIO_OFF(insn_len) == 12 && MMIO_OFF(insn) == 13,
	       "old fields");
_Static_assert(MMIO_OFF(len) == 28 && MMIO_OFF(padding) == 29 && MMIO_OFF(data) == 32,
	       "new fields");

/* what every load gets from "the device"; its low bytes make MOVSX negative */
#define LOAD_VALUE	0x89abcdeffedcba98ULL

struct access {
	__u64 gpa;
	unsigned int len;
	__u64 data;		/* store: the value; load: unused */
};

/* ---- stores ---- */

static void guest_stores(uint64_t arg)
{
	asm volatile("mov $0x1122334455667788, %%rax\n"
		     "movb %%al, 0xa0000\n"		/* 88 /r, SIB disp32 */
		     "movb %%ah, 0xa0001\n"		/* AH: no REX */
		     "mov $0xa0000, %%rbx\n"
		     "movw %%ax, 2(%%rbx)\n"		/* 66 89 /r, disp8 */
		     "movl %%eax, 4(%%rbx)\n"
		     "mov %%rax, %%r9\n"
		     "movq %%r9, 8(%%rbx)\n"		/* REX.WR */
		     "mov $0x9a, %%esi\n"
		     "movb %%sil, 0x10(%%rbx)\n"	/* REX 40: SIL, not DH */
		     "movb $0x5a, 0x11(%%rbx)\n"	/* C6 /0 ib */
		     "movw $0x1234, 0x12(%%rbx)\n"	/* 66 C7 /0 iw */
		     "movl $0xdeadbeef, 0x14(%%rbx)\n"	/* C7 /0 id */
		     "movq $-2, 0x18(%%rbx)\n"		/* REX.W C7: imm32 sign-extended */
		     "mov $0xa0000, %%r12\n"
		     "movl %%eax, 0x20(%%r12)\n"	/* REX.B base R12: SIB needed */
		     "movabs %%al, 0xa0028\n"		/* A2 moffs64 */
		     "movabs %%rax, 0xa0030\n"		/* REX.W A3 moffs64 */
		     ::: "rax", "rbx", "rsi", "r9", "r12", "memory");
	GUEST_DONE();
}

static const struct access stores[] = {
	{ MMIO_GPA + 0x00, 1, 0x88 },
	{ MMIO_GPA + 0x01, 1, 0x77 },
	{ MMIO_GPA + 0x02, 2, 0x7788 },
	{ MMIO_GPA + 0x04, 4, 0x55667788 },
	{ MMIO_GPA + 0x08, 8, 0x1122334455667788ULL },
	{ MMIO_GPA + 0x10, 1, 0x9a },
	{ MMIO_GPA + 0x11, 1, 0x5a },
	{ MMIO_GPA + 0x12, 2, 0x1234 },
	{ MMIO_GPA + 0x14, 4, 0xdeadbeef },
	{ MMIO_GPA + 0x18, 8, 0xfffffffffffffffeULL },
	{ MMIO_GPA + 0x20, 4, 0x55667788 },
	{ MMIO_GPA + 0x28, 1, 0x88 },
	{ MMIO_GPA + 0x30, 8, 0x1122334455667788ULL },
};

/* ---- loads: each destination saved to load_out[] after its load ---- */

static uint64_t load_out[12];

static void guest_loads(uint64_t arg)
{
	uint64_t *o = load_out;

	asm volatile("mov $0x1111111111111111, %%rax\n"
		     "movb 0xa0000, %%al\n"		/* 8A: keeps bits 63:8 */
		     "mov %%rax, 0(%[o])\n"
		     "mov $0x1111111111111111, %%rax\n"
		     "movb 0xa0001, %%ah\n"		/* AH: bits 15:8 only */
		     "mov %%rax, 8(%[o])\n"
		     "mov $0x2222222222222222, %%rcx\n"
		     "movw 0xa0002, %%cx\n"		/* 66 8B: keeps bits 63:16 */
		     "mov %%rcx, 16(%[o])\n"
		     "mov $-1, %%rdx\n"
		     "movl 0xa0004, %%edx\n"		/* 32-bit: zero-extends */
		     "mov %%rdx, 24(%[o])\n"
		     "movq 0xa0008, %%r10\n"		/* REX.WR */
		     "mov %%r10, 32(%[o])\n"
		     "mov $-1, %%r11\n"
		     "movzbl 0xa0010, %%r11d\n"		/* 0F B6 with REX.R */
		     "mov %%r11, 40(%[o])\n"
		     "movsbq 0xa0011, %%rbx\n"		/* REX.W 0F BE */
		     "mov %%rbx, 48(%[o])\n"
		     "mov $-1, %%rsi\n"
		     "movswl 0xa0012, %%esi\n"		/* 0F BF to 32 bits: upper 0 */
		     "mov %%rsi, 56(%[o])\n"
		     "mov $-1, %%rdi\n"
		     "movzwl 0xa0014, %%edi\n"		/* 0F B7 */
		     "mov %%rdi, 64(%[o])\n"
		     "movabs 0xa0018, %%rax\n"		/* REX.W A1 moffs64 */
		     "mov %%rax, 72(%[o])\n"
		     "mov $0x3333333333333333, %%rax\n"
		     "movabs 0xa0020, %%al\n"		/* A0 moffs64 */
		     "mov %%rax, 80(%[o])\n"
		     "mov $0x4444444444444444, %%r8\n"
		     "movb 0xa0021, %%r8b\n"		/* REX.R byte register */
		     "mov %%r8, 88(%[o])\n"
		     : : [o] "r"(o)
		     : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r10", "r11", "memory");
	GUEST_DONE();
}

static const struct access loads[] = {
	{ MMIO_GPA + 0x00, 1 }, { MMIO_GPA + 0x01, 1 }, { MMIO_GPA + 0x02, 2 },
	{ MMIO_GPA + 0x04, 4 }, { MMIO_GPA + 0x08, 8 }, { MMIO_GPA + 0x10, 1 },
	{ MMIO_GPA + 0x11, 1 }, { MMIO_GPA + 0x12, 2 }, { MMIO_GPA + 0x14, 2 },
	{ MMIO_GPA + 0x18, 8 }, { MMIO_GPA + 0x20, 1 }, { MMIO_GPA + 0x21, 1 },
};

/* the registers after each load of LOAD_VALUE (SDM Vol. 1 3.4.1.1) */
static const uint64_t load_want[12] = {
	0x1111111111111198ULL,		/* AL */
	0x1111111111119811ULL,		/* AH */
	0x222222222222ba98ULL,		/* CX */
	0x00000000fedcba98ULL,		/* EDX zero-extended */
	LOAD_VALUE,			/* R10 */
	0x0000000000000098ULL,		/* MOVZX byte to R11D */
	0xffffffffffffff98ULL,		/* MOVSX byte to RBX */
	0x00000000ffffba98ULL,		/* MOVSX word to ESI, zero-extended */
	0x000000000000ba98ULL,		/* MOVZX word to EDI */
	LOAD_VALUE,			/* RAX, moffs */
	0x3333333333333398ULL,		/* AL, moffs */
	0x4444444444444498ULL,		/* R8B */
};

/* the guest's bytes at gva (this binary's image, loaded at its link address) */
static bool insn_is_at(const struct vmon_run *run, uint64_t gva)
{
	return run->mmio.insn_len && run->mmio.insn_len <= 15 &&
	       !memcmp((const void *)(uintptr_t)gva, run->mmio.insn, run->mmio.insn_len);
}

/* the next exit: a decoded access a; RIP past the instruction in insn[] */
static void expect_decoded(struct __test_metadata *_metadata, struct test_vm *t,
			   const struct access *a, bool write, unsigned int i)
{
	struct vmon_run *run = t->cpu.run;
	unsigned int k;

	/*
	 * What the kernel must overwrite or clear; data may still hold the
	 * value of the previous load, which the RUN below completes.
	 */
	memset(&run->mmio, 0xff, offsetof(typeof(run->mmio), data));
	RUN_EXPECT_EXIT(t, VMON_EXIT_MMIO);
	ASSERT_EQ(VMON_MMIO_DECODED | (write ? VMON_MMIO_WRITE : 0), run->mmio.flags)
		TH_LOG("access %u: %s", i, test_describe_exit(&t->cpu));
	EXPECT_EQ(a->gpa, run->mmio.gpa) TH_LOG("access %u", i);
	EXPECT_EQ(a->len, run->mmio.len) TH_LOG("access %u", i);
	if (write) {
		EXPECT_EQ(a->data, run->mmio.data)
			TH_LOG("access %u: stored 0x%llx, expected 0x%llx", i,
			       (unsigned long long)run->mmio.data,
			       (unsigned long long)a->data);
	} else {
		EXPECT_EQ(0, run->mmio.data) TH_LOG("access %u: a load's data starts at 0", i);
	}
	for (k = 0; k < sizeof(run->mmio.padding); k++) {
		EXPECT_EQ(0, run->mmio.padding[k]) TH_LOG("access %u: padding[%u]", i, k);
	}
	EXPECT_TRUE(insn_is_at(run, run->regs.rip - run->mmio.insn_len))
		TH_LOG("access %u: insn[%u] are not the bytes before RIP 0x%llx", i,
		       run->mmio.insn_len, (unsigned long long)run->regs.rip);
}

static int record_access(void *opaque, __u64 gpa, void *data, unsigned int len, bool is_write)
{
	struct access *a = opaque;

	a->gpa = gpa;
	a->len = len;
	a->data = 0;
	memcpy(&a->data, data, len);
	return 0;
}

TEST(stores_are_decoded)
{
	struct test_vm t;
	struct ucall uc;
	unsigned int i;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_stores, 0));
	for (i = 0; i < ARRAY_SIZE(stores); i++) {
		struct access seen = { 0 };

		expect_decoded(_metadata, &t, &stores[i], true, i);
		/* libvmon: one access() and no register edits */
		ASSERT_OK(libvmon_emulate_mmio(&t.cpu, record_access, &seen));
		EXPECT_EQ(0, t.cpu.run->regs_dirty);
		EXPECT_TRUE(seen.gpa == stores[i].gpa && seen.len == stores[i].len &&
			    seen.data == stores[i].data)
			TH_LOG("store %u: libvmon gave gpa 0x%llx len %u data 0x%llx", i,
			       (unsigned long long)seen.gpa, seen.len,
			       (unsigned long long)seen.data);
	}
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

TEST(loads_complete_into_their_register)
{
	struct test_vm t;
	struct ucall uc;
	unsigned int i;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_loads, 0));
	for (i = 0; i < ARRAY_SIZE(loads); i++) {
		expect_decoded(_metadata, &t, &loads[i], false, i);
		/* all eight bytes: the kernel must take only len of them */
		t.cpu.run->mmio.data = LOAD_VALUE;
	}
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	ASSERT_OK(test_sync_from_guest(&t, load_out, sizeof(load_out)));
	for (i = 0; i < ARRAY_SIZE(load_want); i++) {
		EXPECT_EQ(load_want[i], load_out[i])
			TH_LOG("load %u: register 0x%llx, expected 0x%llx", i,
			       (unsigned long long)load_out[i],
			       (unsigned long long)load_want[i]);
	}
	test_vm_destroy(&t);
}

/* libvmon's part of a load: the value goes to run->mmio.data */
static int answer_load(void *opaque, __u64 gpa, void *data, unsigned int len, bool is_write)
{
	uint64_t v = LOAD_VALUE;

	if (is_write)
		return -EINVAL;
	memcpy(data, &v, len);
	return 0;
}

TEST(loads_through_libvmon)
{
	struct test_vm t;
	struct ucall uc;
	unsigned int i;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_loads, 0));
	for (i = 0; i < ARRAY_SIZE(loads); i++) {
		expect_decoded(_metadata, &t, &loads[i], false, i);
		ASSERT_OK(libvmon_emulate_mmio(&t.cpu, answer_load, NULL));
		EXPECT_EQ(0, t.cpu.run->regs_dirty);
	}
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	ASSERT_OK(test_sync_from_guest(&t, load_out, sizeof(load_out)));
	for (i = 0; i < ARRAY_SIZE(load_want); i++) {
		EXPECT_EQ(load_want[i], load_out[i]) TH_LOG("load %u", i);
	}
	test_vm_destroy(&t);
}

/* ---- a store whose 7 bytes straddle two pages (3 + 4) ---- */

static void guest_straddle(uint64_t arg)
{
	asm volatile("mov $0x5566, %%eax\n"
		     "jmp 1f\n"
		     ".p2align 12\n"
		     ".skip 4093, 0xcc\n"
		     "1: movl %%eax, 0xa0040\n"	/* 89 04 25 disp32 */
		     ::: "rax", "memory");
	GUEST_DONE();
}

TEST(instruction_straddling_two_pages)
{
	const struct access want = { MMIO_GPA + 0x40, 4, 0x5566 };
	struct test_vm t;
	struct ucall uc;
	uint64_t start;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_straddle, 0));
	expect_decoded(_metadata, &t, &want, true, 0);
	EXPECT_EQ(7, t.cpu.run->mmio.insn_len);
	start = t.cpu.run->regs.rip - t.cpu.run->mmio.insn_len;
	EXPECT_EQ(4093, start & 4095) TH_LOG("the store starts at 0x%llx",
					     (unsigned long long)start);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/* ---- a load whose completing RUN returns early ---- */

static volatile uint64_t go_on;

static void guest_load_then_spin(uint64_t arg)
{
	uint64_t v;

	asm volatile("movq 0xa0000, %0" : "=b"(v) : : "memory");
	GUEST_SYNC_ARGS(1, v, 0, 0);
	while (!go_on)
		;
	GUEST_SYNC_ARGS(2, v, 0, 0);
	GUEST_DONE();
}

static void on_signal(int sig)
{
}

static void *kick(void *arg)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	pthread_kill(*(pthread_t *)arg, SIGUSR1);
	return NULL;
}

TEST(load_completed_once_across_interrupted_runs)
{
	const struct access want = { MMIO_GPA, 8 };
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	struct vmon_run *run;
	pthread_t self_th = pthread_self(), th;
	struct test_vm t;
	struct ucall uc;
	uint64_t rip;
	int r;

	SKIP_IF_NO_VMON();
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_OK(test_vm_create_c(&t, guest_load_then_spin, 0));
	run = t.cpu.run;
	expect_decoded(_metadata, &t, &want, false, 0);
	rip = run->regs.rip;

	/* the RUN that completes the load returns before entering */
	run->mmio.data = 0x1234567887654321ULL;
	run->immediate_exit = 1;
	EXPECT_EQ(-EINTR, libvmon_cpu_run(&t.cpu));
	EXPECT_EQ(VMON_EXIT_INTR, run->exit_reason);
	EXPECT_EQ(0x1234567887654321ULL, run->regs.rbx) TH_LOG("the load was not completed");
	EXPECT_EQ(rip, run->regs.rip);
	run->immediate_exit = 0;

	/* a value left in the page now is not the load's: it went in once */
	run->mmio.data = 0xbad;
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(0x1234567887654321ULL, uc.args[1]);

	/* a signal stops the spinning guest; the next RUN writes nothing either */
	run->mmio.data = 0xbad;
	ASSERT_EQ(0, pthread_create(&th, NULL, kick, &self_th));
	r = libvmon_cpu_run(&t.cpu);
	pthread_join(th, NULL);
	EXPECT_EQ(-EINTR, r);
	EXPECT_EQ(VMON_EXIT_INTR, run->exit_reason);
	go_on = 1;
	ASSERT_OK(test_sync_to_guest(&t, (const void *)&go_on, sizeof(go_on)));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(2, uc.args[0]);
	EXPECT_EQ(0x1234567887654321ULL, uc.args[1]);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/* ---- what the kernel leaves to userspace ---- */

static uint8_t movs_dst[4];

static void guest_undecoded(uint64_t arg)
{
	asm volatile("mov $0xa0000, %%rsi\n"
		     "mov %[d], %%rdi\n"
		     "movsb\n"				/* A4: string move */
		     : : [d] "r"(movs_dst) : "rsi", "rdi", "memory");
	GUEST_SYNC(1);
	asm volatile("addl $1, 0xa0004\n" ::: "memory", "cc");	/* 83 /0: read first */
	GUEST_DONE();
}

/*
 * An undecoded exit at the instruction whose first byte is op; rmw: a
 * read-modify-write, which VMX may report as a write (Bochs does) and
 * SVM as a read.
 */
static void expect_undecoded(struct __test_metadata *_metadata, struct test_vm *t,
			     __u64 gpa, uint8_t op, bool rmw)
{
	struct vmon_run *run = t->cpu.run;
	struct access seen = { 0 };
	struct vmon_regs before;
	unsigned int k;

	memset(&run->mmio, 0xff, sizeof(run->mmio));
	RUN_EXPECT_EXIT(t, VMON_EXIT_MMIO);
	EXPECT_EQ(0, run->mmio.flags & ~(rmw ? VMON_MMIO_WRITE : 0))
		TH_LOG("%s", test_describe_exit(&t->cpu));
	EXPECT_EQ(gpa, run->mmio.gpa);
	EXPECT_EQ(0, run->mmio.len);
	EXPECT_EQ(0, run->mmio.data);
	for (k = 0; k < sizeof(run->mmio.padding); k++) {
		EXPECT_EQ(0, run->mmio.padding[k]);
	}
	/* RIP still at the instruction; insn[] only if the hardware gave bytes */
	EXPECT_EQ(op, *(uint8_t *)(uintptr_t)run->regs.rip);
	if (run->mmio.insn_len)
		EXPECT_TRUE(insn_is_at(run, run->regs.rip));
	before = run->regs;
	EXPECT_EQ(-EOPNOTSUPP, libvmon_emulate_mmio(&t->cpu, record_access, &seen));
	EXPECT_EQ(0, memcmp(&before, &run->regs, sizeof(before)));
	EXPECT_EQ(0, seen.len);
}

TEST(string_and_other_forms_stay_undecoded)
{
	struct test_vm t;
	struct ucall uc;
	struct vmon_run *run;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_undecoded, 0));
	run = t.cpu.run;
	expect_undecoded(_metadata, &t, MMIO_GPA, 0xa4, false);
	/* userspace emulates MOVSB itself: one byte, RSI/RDI forward */
	movs_dst[0] = 0x42;
	ASSERT_OK(test_sync_to_guest(&t, movs_dst, 1));
	run->regs.rsi++;
	run->regs.rdi++;
	run->regs.rip++;
	run->regs_dirty = 1;
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);

	expect_undecoded(_metadata, &t, MMIO_GPA + 4, 0x83, true);
	run->regs.rip += 8;		/* 83 04 25 disp32 ib */
	run->regs_dirty = 1;
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/*
 * The guest's page tables reach outside RAM: the CPU's read of the PDPT
 * entry is the access, not the load at RIP, and must not be reported as
 * the load's (SDM Vol. 3C Table 28-7 bits 7/8; APM Vol. 2 15.25.6
 * EXITINFO1 bit 33).
 */
#define WALK_VA		(1ULL << 39)	/* PML4 entry 1 */

static void guest_walk(uint64_t arg)
{
	uint32_t v;

	asm volatile("mov (%1), %0" : "=a"(v) : "b"(WALK_VA) : "memory");
	GUEST_DONE();
}

TEST(page_walk_outside_ram_is_not_the_instruction)
{
	struct vmon_sregs sregs;
	struct vmon_run *run;
	struct test_vm t;
	uint64_t *pml4;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_walk, 0));
	run = t.cpu.run;
	ASSERT_OK(libvmon_get_sregs(&t.cpu, &sregs));
	pml4 = libvmon_gpa_to_hva(&t.vm, sregs.cr3 & ~0xfffULL, 4096);
	ASSERT_NE(NULL, pml4);
	ASSERT_EQ(0, pml4[1]);
	pml4[1] = MMIO_GPA | 3;		/* present, writable: a PDPT at MMIO_GPA */

	RUN_EXPECT_EXIT(&t, VMON_EXIT_MMIO);
	EXPECT_EQ(MMIO_GPA, run->mmio.gpa) TH_LOG("%s", test_describe_exit(&t.cpu));
	EXPECT_EQ(0, run->mmio.flags & (VMON_MMIO_DECODED | VMON_MMIO_FETCH))
		TH_LOG("%s", test_describe_exit(&t.cpu));
	EXPECT_EQ(0, run->mmio.len);
	/* RIP at the load: 8B 03, mov (%rbx),%eax */
	EXPECT_EQ(0x8b, *(uint8_t *)(uintptr_t)run->regs.rip);
	EXPECT_EQ(WALK_VA, run->regs.rbx);
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
