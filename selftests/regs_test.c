// SPDX-License-Identifier: GPL-2.0-only
/*
 * Register state: GET/SET_REGS and GET/SET_SREGS round trips, registers
 * surviving a trip through the guest, and run->regs with regs_dirty.
 */
#include "kselftest_harness.h"
#include "test_vm.h"

/* hlt; then report RBX and R15 on port 0x11; hlt */
GUEST_BLOB(regs_guest64, 64,
	   "hlt\n"
	   "mov %rbx, %rax\n"
	   "outl %eax, $0x11\n"
	   "mov %r15, %rax\n"
	   "shr $32, %rax\n"
	   "outl %eax, $0x11\n"
	   "hlt\n");

FIXTURE(regs) {
	struct test_vm t;
};

FIXTURE_SETUP(regs)
{
	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&self->t, VMON_GUEST_LONG));
	ASSERT_OK(test_vm_load_blob(&self->t, regs_guest64, regs_guest64_end));
}

FIXTURE_TEARDOWN(regs)
{
	if (test_have_vmon())
		test_vm_destroy(&self->t);
}

static void fill_pattern(struct vmon_regs *r)
{
	__u64 *p = (__u64 *)r;
	unsigned int i;

	for (i = 0; i < 16; i++)
		p[i] = 0x0101010101010101ULL * (i + 1) ^ 0x8000000000000000ULL;
	r->rsp = STACK_TOP - 0x100;
	r->rip = CODE_GPA;
	r->rflags = 0x2 | 0x4 | 0x40 | 0x80 | 0x800;	/* PF ZF SF OF */
}

TEST_F(regs, regs_round_trip_and_through_guest)
{
	struct vmon_run *run = self->t.cpu.run;
	struct vmon_regs set, got;

	fill_pattern(&set);
	ASSERT_OK(libvmon_set_regs(&self->t.cpu, &set));
	ASSERT_OK(libvmon_get_regs(&self->t.cpu, &got));
	EXPECT_EQ(0, memcmp(&set, &got, sizeof(set))) TH_LOG("GET_REGS differs from SET_REGS");

	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_HLT);
	set.rip = CODE_GPA + 1;
	EXPECT_EQ(0, memcmp(&set, &run->regs, sizeof(set)))
		TH_LOG("run->regs after HLT: rax 0x%llx rbx 0x%llx r15 0x%llx rip 0x%llx rflags 0x%llx",
		       (unsigned long long)run->regs.rax, (unsigned long long)run->regs.rbx,
		       (unsigned long long)run->regs.r15, (unsigned long long)run->regs.rip,
		       (unsigned long long)run->regs.rflags);
	ASSERT_OK(libvmon_get_regs(&self->t.cpu, &got));
	EXPECT_EQ(0, memcmp(&set, &got, sizeof(set))) TH_LOG("GET_REGS after HLT differs");
}

TEST_F(regs, regs_dirty_loads_run_regs)
{
	struct vmon_run *run = self->t.cpu.run;

	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_HLT);
	run->regs.rbx = 0x5eed1234;
	run->regs.r15 = 0xabcdef0000000000ULL;
	run->regs_dirty = 1;
	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_IO);
	EXPECT_EQ(0x5eed1234, run->io.data) TH_LOG("guest saw RBX 0x%x", run->io.data);
	EXPECT_EQ(0, run->regs_dirty);
	/* without regs_dirty, edits to run->regs are ignored */
	run->regs.r15 = 0;
	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_IO);
	EXPECT_EQ(0xabcdef00, run->io.data) TH_LOG("guest saw R15[63:32] 0x%x", run->io.data);
}

TEST_F(regs, sregs_round_trip)
{
	struct vmon_sregs set, got;

	ASSERT_OK(libvmon_get_sregs(&self->t.cpu, &set));
	EXPECT_EQ(TABLES_GPA + 0x1000, set.cr3);
	EXPECT_EQ(1, set.cs.l);
	EXPECT_NE(0, set.efer & (1 << 10)) TH_LOG("EFER 0x%llx: LMA clear in long mode",
						  (unsigned long long)set.efer);
	set.fs.base = 0x7fff12345000ULL;
	set.gs.base = 0xffff888000001000ULL;
	set.cr2 = 0xdead000;
	set.gdt.limit = 0x7f;
	set.idt.base = 0x9000;
	set.idt.limit = 0xfff;
	set.ds.selector = 0;	/* a null selector in 64-bit mode is fine */
	set.efer |= 1;		/* SCE */
	ASSERT_OK(libvmon_set_sregs(&self->t.cpu, &set));
	ASSERT_OK(libvmon_get_sregs(&self->t.cpu, &got));
#define SAME(f) EXPECT_EQ(set.f, got.f) TH_LOG(#f ": set 0x%llx, got 0x%llx",	\
					       (unsigned long long)set.f,	\
					       (unsigned long long)got.f)
	SAME(fs.base);
	SAME(gs.base);
	SAME(cr0);
	SAME(cr2);
	SAME(cr3);
	SAME(cr4);
	SAME(efer);
	SAME(gdt.base);
	SAME(gdt.limit);
	SAME(idt.base);
	SAME(idt.limit);
	SAME(cs.selector);
	SAME(cs.base);
	SAME(cs.l);
	SAME(cs.type);
	SAME(ss.selector);
	SAME(tr.selector);
	SAME(tr.base);
	SAME(tr.limit);
	SAME(tr.type);
#undef SAME
	/* still runnable after the round trip */
	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_HLT);
}

TEST_HARNESS_MAIN
