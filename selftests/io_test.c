// SPDX-License-Identifier: GPL-2.0-only
/*
 * Port I/O exits in real, 32-bit protected and 64-bit long mode: OUT of
 * sizes 1/2/4 (DX and immediate port forms), IN of sizes 1/2/4 with the
 * value merged into AL/AX/EAX only, then HLT.  The guest reports EAX
 * after each IN on port 0x11.
 */
#include "kselftest_harness.h"
#include "test_vm.h"

#define PORT	0x10
#define REPORT	0x11

/* preset: what is in RAX before each IN */
#define IO_BODY(preset)							\
	"mov $0x10, %dx\n"						\
	"mov $0x5a, %al\n"						\
	"outb %al, %dx\n"						\
	"mov $0x1234, %ax\n"						\
	"outw %ax, $0x10\n"						\
	"mov $0xdeadbeef, %eax\n"					\
	"outl %eax, %dx\n"						\
	preset "\n"							\
	"inb %dx, %al\n"						\
	"outl %eax, $0x11\n"						\
	preset "\n"							\
	"inw $0x10, %ax\n"						\
	"outl %eax, $0x11\n"						\
	preset "\n"							\
	"inl %dx, %eax\n"						\
	"outl %eax, $0x11\n"						\
	"hlt\n"

GUEST_BLOB(io_guest16, 16, IO_BODY("mov $0x11223344, %eax"));
GUEST_BLOB(io_guest32, 32, IO_BODY("mov $0x11223344, %eax"));
GUEST_BLOB(io_guest64, 64, IO_BODY("movabs $0xffffffff11223344, %rax"));

FIXTURE(io) {
	struct test_vm t;
};

FIXTURE_VARIANT(io) {
	enum vmon_guest_mode mode;
	const unsigned char *start, *end;
	__u64 upper;	/* RAX bits 63:32 before each IN (64-bit only) */
};

FIXTURE_VARIANT_ADD(io, real) {
	.mode = VMON_GUEST_REAL, .start = io_guest16, .end = io_guest16_end,
};

FIXTURE_VARIANT_ADD(io, prot) {
	.mode = VMON_GUEST_PROT, .start = io_guest32, .end = io_guest32_end,
};

FIXTURE_VARIANT_ADD(io, long) {
	.mode = VMON_GUEST_LONG, .start = io_guest64, .end = io_guest64_end,
	.upper = 0xffffffff00000000ULL,
};

FIXTURE_SETUP(io)
{
	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&self->t, variant->mode));
	ASSERT_OK(test_vm_load_blob(&self->t, variant->start, variant->end));
}

FIXTURE_TEARDOWN(io)
{
	if (test_have_vmon())
		test_vm_destroy(&self->t);
}

TEST_F(io, out_in_sizes_and_hlt)
{
	static const struct {
		unsigned int size;
		__u32 given;		/* what userspace stores in io.data */
		__u32 expect_eax;
		__u64 expect_upper;	/* 64-bit mode: what bits 63:32 become */
	} ins[] = {
		{ 1, 0xccddeeab, 0x112233ab, 1 },
		{ 2, 0xffffcdef, 0x1122cdef, 1 },
		{ 4, 0x89abcdef, 0x89abcdef, 0 },	/* 32-bit write zero-extends */
	};
	static const struct { unsigned int size; __u32 data; } outs[] = {
		{ 1, 0x5a }, { 2, 0x1234 }, { 4, 0xdeadbeef },
	};
	struct test_vm *t = &self->t;
	struct vmon_run *run = t->cpu.run;
	unsigned int i;

	for (i = 0; i < 3; i++) {
		RUN_EXPECT_EXIT(t, VMON_EXIT_IO);
		ASSERT_IO(t, PORT, outs[i].size, VMON_IO_OUT);
		EXPECT_EQ(outs[i].data, run->io.data)
			TH_LOG("OUT size %u: expected data 0x%x, got 0x%x", outs[i].size,
			       outs[i].data, run->io.data);
		EXPECT_EQ(0, run->io.flags & (VMON_IO_STRING | VMON_IO_REP));
	}
	for (i = 0; i < 3; i++) {
		__u64 rax;

		RUN_EXPECT_EXIT(t, VMON_EXIT_IO);
		ASSERT_IO(t, PORT, ins[i].size, VMON_IO_IN);
		run->io.data = ins[i].given;
		RUN_EXPECT_EXIT(t, VMON_EXIT_IO);
		ASSERT_IO(t, REPORT, 4, VMON_IO_OUT);
		EXPECT_EQ(ins[i].expect_eax, run->io.data)
			TH_LOG("IN size %u given 0x%x: expected EAX 0x%x, got 0x%x",
			       ins[i].size, ins[i].given, ins[i].expect_eax, run->io.data);
		rax = run->regs.rax;
		if (variant->mode == VMON_GUEST_LONG) {
			__u64 want = ins[i].expect_eax |
				     (ins[i].expect_upper ? variant->upper : 0);

			EXPECT_EQ(want, rax) TH_LOG("IN size %u: expected RAX 0x%llx, got 0x%llx",
						    ins[i].size, (unsigned long long)want,
						    (unsigned long long)rax);
		} else {
			EXPECT_EQ(ins[i].expect_eax, (__u32)rax);
		}
	}
	RUN_EXPECT_EXIT(t, VMON_EXIT_HLT);
	EXPECT_EQ(CODE_GPA + (variant->end - variant->start), run->regs.rip)
		TH_LOG("expected RIP past the HLT at 0x%llx, got 0x%llx",
		       CODE_GPA + (variant->end - variant->start),
		       (unsigned long long)run->regs.rip);
	EXPECT_LE(7, run->exit_count);
}

TEST_HARNESS_MAIN
