// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMON_NMI: the NMI is delivered through IDT vector 2 whatever RFLAGS.IF
 * says; NMIs latched together merge into one; a second NMI waits while
 * the guest is still in its NMI handler and arrives right after the
 * handler's IRET (SDM Vol. 3A 6.7.1); a halted guest wakes without a
 * VMON_EXIT_HLT; an NMI whose delivery faults on an unmapped stack page
 * is delivered again, once.
 */
#include "kselftest_harness.h"
#include "test_vm.h"
#include "guest_events.h"

#define PORT_IN_HANDLER		0x2000	/* first exit inside the handler */
#define PORT_LEAVING_HANDLER	0x2001	/* second one, right before IRET */
#define PORT_ON_FRESH_STACK	0x2002

volatile uint64_t nmi_count;
volatile uint64_t last_nmi_rip, iret_frame;	/* nmi_stays_blocked_when_its_iret_faults */
volatile uint64_t irq_count, irq_saw_nmi;	/* nmi_goes_before_a_queued_interrupt */

extern char nmi_quiet[], nmi_loud[];
__asm__(".text\n"
	".globl nmi_quiet, nmi_loud\n"
	"nmi_quiet:\n"
	"	incq nmi_count(%rip)\n"
	"	iretq\n"
	/* exits twice while NMIs are blocked, reporting the count */
	"nmi_loud:\n"
	"	incq nmi_count(%rip)\n"
	"	pushq %rax\n"
	"	pushq %rdx\n"
	"	movl nmi_count(%rip), %eax\n"
	"	movw $0x2000, %dx\n"
	"	outl %eax, %dx\n"
	"	movw $0x2001, %dx\n"
	"	outl %eax, %dx\n"
	"	popq %rdx\n"
	"	popq %rax\n"
	"	iretq\n");

static void setup(struct __test_metadata *_metadata, struct test_vm *t,
		  void (*guest)(uint64_t), uint64_t arg, const void *handler)
{
	nmi_count = 0;
	ASSERT_OK(test_vm_create_c(t, guest, arg));
	ASSERT_OK(test_set_gate(t, 2, handler));
}

static uint64_t guest_nmi_rip(struct test_vm *t)
{
	return *(volatile uint64_t *)libvmon_gpa_to_hva(&t->vm, (uintptr_t)&last_nmi_rip, 8);
}

static void guest_wait_one(uint64_t arg)
{
	unsigned int i;

	__asm__ volatile("cli");
	GUEST_SYNC(1);
	while (!nmi_count)
		__asm__ volatile("pause");
	GUEST_SYNC_ARGS(2, nmi_count, 0, 0);
	for (i = 0; i < 10000; i++)
		__asm__ volatile("" ::: "memory");
	GUEST_SYNC_ARGS(3, nmi_count, 0, 0);
	GUEST_DONE();
}

TEST(delivered_with_if_clear_and_latched_nmis_merge)
{
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	setup(_metadata, &t, guest_wait_one, 0, nmi_quiet);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_OK(test_nmi(&t.cpu));
	ASSERT_OK(test_nmi(&t.cpu));		/* merges into the first */
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(3, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("latched NMIs were delivered separately");
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/* arg 1: wait with IF = 1 spinning; arg 0: wait with IF = 0 in HLT */
static void guest_wait_two(uint64_t spin)
{
	if (spin)
		__asm__ volatile("sti");
	else
		__asm__ volatile("cli");
	GUEST_SYNC(1);
	while (nmi_count < 2) {
		if (spin)
			__asm__ volatile("pause");
		else
			__asm__ volatile("hlt");
	}
	GUEST_SYNC_ARGS(2, nmi_count, 0, 0);
	GUEST_DONE();
}

static void second_nmi_waits_for_iret(struct __test_metadata *_metadata, uint64_t spin)
{
	struct test_vm t;
	struct vmon_run *run;
	struct ucall uc;

	setup(_metadata, &t, guest_wait_two, spin, nmi_loud);
	run = t.cpu.run;
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_OK(test_nmi(&t.cpu));
	RUN_EXPECT_EXIT(&t, VMON_EXIT_IO);
	ASSERT_IO(&t, PORT_IN_HANDLER, 4, VMON_IO_OUT);
	EXPECT_EQ(1, run->io.data);

	/* inside the handler: NMIs are blocked until its IRET */
	ASSERT_OK(test_nmi(&t.cpu));
	RUN_EXPECT_EXIT(&t, VMON_EXIT_IO);
	EXPECT_NE(PORT_IN_HANDLER, run->io.port) TH_LOG("the second NMI nested into the first");
	ASSERT_IO(&t, PORT_LEAVING_HANDLER, 4, VMON_IO_OUT);
	EXPECT_EQ(1, run->io.data);

	/* past the IRET: the second one comes, without a HLT exit */
	RUN_EXPECT_EXIT(&t, VMON_EXIT_IO);
	ASSERT_IO(&t, PORT_IN_HANDLER, 4, VMON_IO_OUT);
	EXPECT_EQ(2, run->io.data);
	RUN_EXPECT_EXIT(&t, VMON_EXIT_IO);
	ASSERT_IO(&t, PORT_LEAVING_HANDLER, 4, VMON_IO_OUT);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(2, uc.args[1]);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

TEST(second_nmi_waits_for_iret_spinning)
{
	SKIP_IF_NO_VMON();
	second_nmi_waits_for_iret(_metadata, 1);
}

TEST(second_nmi_waits_for_iret_halted)
{
	SKIP_IF_NO_VMON();
	second_nmi_waits_for_iret(_metadata, 0);
}

static void guest_halt(uint64_t arg)
{
	__asm__ volatile("cli");
	GUEST_SYNC(1);
	__asm__ volatile("hlt");
	GUEST_SYNC_ARGS(2, nmi_count, 0, 0);
	GUEST_DONE();
}

TEST(nmi_after_hlt_exit)
{
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	setup(_metadata, &t, guest_halt, 0, nmi_quiet);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	RUN_EXPECT_EXIT(&t, VMON_EXIT_HLT);		/* nothing queued: userspace's turn */
	ASSERT_OK(test_nmi(&t.cpu));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]);
	test_vm_destroy(&t);
}

static void guest_fresh_stack(uint64_t stack)
{
	__asm__ volatile("mov %%rsp, %%rbx\n\t"
			 "mov %0, %%rsp\n\t"
			 "movw $0x2002, %%dx\n\t"
			 "outl %%eax, %%dx\n\t"
			 "1: cmpq $0, nmi_count(%%rip)\n\t"
			 "je 1b\n\t"
			 "mov %%rbx, %%rsp\n\t"
			 : : "r"(stack) : "rax", "rbx", "rdx", "memory", "cc");
	GUEST_SYNC_ARGS(1, nmi_count, 0, 0);
	GUEST_DONE();
}

TEST(redelivered_after_fault_during_delivery)
{
	struct test_vm t;
	struct ucall uc;
	__u64 *frame;

	SKIP_IF_NO_VMON();
	setup(_metadata, &t, guest_fresh_stack, FRESH_GPA + 0x4000, nmi_quiet);
	ASSERT_OK(test_add_fresh_slot(&t));
	RUN_EXPECT_EXIT(&t, VMON_EXIT_IO);
	ASSERT_IO(&t, PORT_ON_FRESH_STACK, 4, VMON_IO_OUT);
	ASSERT_OK(test_nmi(&t.cpu));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("NMI delivered %llu times", (unsigned long long)uc.args[1]);
	frame = libvmon_gpa_to_hva(&t.vm, FRESH_GPA + 0x4000 - 40, 40);
	ASSERT_NE(NULL, frame);
	EXPECT_EQ(VMON_SETUP_SEL_CODE64, frame[1]);
	EXPECT_EQ(FRESH_GPA + 0x4000, frame[3]);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/*
 * The IRET that ends an NMI handler faults (its frame is on a page the
 * guest never touched, filled in by the host).  An NMI latched meanwhile
 * must wait until the IRET has really completed: VMX reports "NMI
 * unblocking due to IRET" with the EPT violation (SDM Vol. 3C 28.2.3)
 * and the kernel blocks NMIs again; on SVM RIP has not moved past the
 * IRET.  A nested NMI would find the handler's IRET as its return RIP.
 */
extern char nmi_iret_handler[], nmi_iret_insn[], nmi_iret_resume[];
__asm__(".text\n"
	".globl nmi_iret_handler, nmi_iret_insn\n"
	"nmi_iret_handler:\n"
	"	pushq %rax\n"
	"	pushq %rdx\n"
	"	movq 16(%rsp), %rax\n"
	"	movq %rax, last_nmi_rip(%rip)\n"
	"	incq nmi_count(%rip)\n"
	"	movl nmi_count(%rip), %eax\n"
	"	movw $0x2000, %dx\n"
	"	outl %eax, %dx\n"
	"	popq %rdx\n"
	"	popq %rax\n"
	"	cmpq $1, nmi_count(%rip)\n"
	"	jne nmi_iret_insn\n"
	"	movq iret_frame(%rip), %rsp\n"
	"nmi_iret_insn:\n"
	"	iretq\n");

static void guest_nmi_iret(uint64_t arg)
{
	__asm__ volatile("sti\n\t"
			 "movw $0x2003, %%dx\n\t"
			 "outl %%eax, %%dx\n\t"
			 ".globl nmi_iret_resume\n"
			 "nmi_iret_resume:\n\t"
			 "cmpq $2, nmi_count(%%rip)\n\t"
			 "jb nmi_iret_resume\n\t"
			 : : : "rax", "rdx", "memory", "cc");
	GUEST_SYNC_ARGS(1, nmi_count, last_nmi_rip, 0);
	GUEST_DONE();
}

TEST(nmi_stays_blocked_when_its_iret_faults)
{
	__u64 frame_gpa = FRESH_GPA + 0x2000 - 40, *frame;
	struct vmon_sregs sregs;
	struct vmon_run *run;
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	iret_frame = frame_gpa;
	setup(_metadata, &t, guest_nmi_iret, 0, nmi_iret_handler);
	run = t.cpu.run;
	ASSERT_OK(test_add_fresh_slot(&t));
	RUN_EXPECT_EXIT(&t, VMON_EXIT_IO);
	ASSERT_IO(&t, 0x2003, 4, VMON_IO_OUT);
	ASSERT_EQ((uintptr_t)nmi_iret_resume, run->regs.rip);

	/* where the first NMI's IRET returns: the main loop, as it was */
	ASSERT_OK(libvmon_get_sregs(&t.cpu, &sregs));
	frame = libvmon_gpa_to_hva(&t.vm, frame_gpa, 40);
	ASSERT_NE(NULL, frame);
	frame[0] = (uintptr_t)nmi_iret_resume;
	frame[1] = sregs.cs.selector;
	frame[2] = run->regs.rflags;
	frame[3] = run->regs.rsp;
	frame[4] = sregs.ss.selector;

	ASSERT_OK(test_nmi(&t.cpu));
	RUN_EXPECT_EXIT(&t, VMON_EXIT_IO);
	ASSERT_IO(&t, PORT_IN_HANDLER, 4, VMON_IO_OUT);
	EXPECT_EQ(1, run->io.data);
	ASSERT_OK(test_nmi(&t.cpu));
	RUN_EXPECT_EXIT(&t, VMON_EXIT_IO);
	ASSERT_IO(&t, PORT_IN_HANDLER, 4, VMON_IO_OUT);
	EXPECT_EQ(2, run->io.data);
	EXPECT_EQ((uintptr_t)nmi_iret_resume, guest_nmi_rip(&t))
		TH_LOG("the second NMI interrupted 0x%llx (the first handler's IRET is at %p)",
		       (unsigned long long)guest_nmi_rip(&t), nmi_iret_insn);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(2, uc.args[1]);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/* an NMI and an interrupt queued together: the NMI first (SDM Vol. 3A 7.9) */
extern char irq_after_nmi[];
__asm__(".text\n"
	".globl irq_after_nmi\n"
	"irq_after_nmi:\n"
	"	pushq %rax\n"
	"	movq nmi_count(%rip), %rax\n"
	"	movq %rax, irq_saw_nmi(%rip)\n"
	"	incq irq_count(%rip)\n"
	"	popq %rax\n"
	"	iretq\n");

static void guest_wait_both(uint64_t arg)
{
	__asm__ volatile("sti");
	GUEST_SYNC(1);
	while (!nmi_count || !irq_count)
		__asm__ volatile("pause");
	GUEST_SYNC_ARGS(2, nmi_count, irq_count, irq_saw_nmi);
	GUEST_DONE();
}

TEST(nmi_goes_before_a_queued_interrupt)
{
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	irq_count = irq_saw_nmi = 0;
	setup(_metadata, &t, guest_wait_both, 0, nmi_quiet);
	ASSERT_OK(test_set_gate(&t, 0x20, irq_after_nmi));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_OK(test_interrupt(&t.cpu, 0x20));
	ASSERT_OK(test_nmi(&t.cpu));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]);
	EXPECT_EQ(1, uc.args[2]);
	EXPECT_EQ(1, uc.args[3]) TH_LOG("the interrupt was delivered before the NMI");
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

TEST(nmi_argument_must_be_zero)
{
	struct test_vm t;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_LONG));
	EXPECT_EQ(-1, ioctl(t.cpu.fd, VMON_NMI, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_OK(test_nmi(&t.cpu));
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
