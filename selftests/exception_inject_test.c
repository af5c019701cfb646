// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMON_INJECT_EXCEPTION: #GP with an error code reaches the guest's
 * handler with that code on its stack and the RIP it was injected at;
 * #UD pushes no code; one event per entry (-EBUSY while one is queued)
 * and an interrupt queued alongside comes after the exception; real
 * mode pushes no error code; the argument checks (reserved vectors and
 * error codes wider than 16 bits are refused); every vector that is
 * accepted is delivered, so no accepted injection can leave the vCPU
 * unable to enter; an exception whose delivery faults on an unmapped
 * stack page is delivered again, once.
 */
#include "kselftest_harness.h"
#include "test_vm.h"
#include "guest_events.h"

#define IRQ_VECTOR		0x20
#define PORT_ON_FRESH_STACK	0x2002

volatile uint64_t exc_count, exc_vector, exc_code, exc_rip, exc_cr2;
volatile uint64_t irq_count, irq_saw_exc;
volatile uint64_t soft_count, soft_rip;

extern char gp_handler[], ud_handler[], pf_handler[], irq_handler[], soft_handler[];
__asm__(".text\n"
	".globl gp_handler, ud_handler, pf_handler, irq_handler, soft_handler\n"
	/* INT3 and INT n: count, note the return RIP */
	"soft_handler:\n"
	"	pushq %rax\n"
	"	movq 8(%rsp), %rax\n"
	"	movq %rax, soft_rip(%rip)\n"
	"	incq soft_count(%rip)\n"
	"	popq %rax\n"
	"	iretq\n"
	"pf_handler:\n"
	"	pushq %rax\n"
	"	movq %cr2, %rax\n"
	"	movq %rax, exc_cr2(%rip)\n"
	"	movq $14, exc_vector(%rip)\n"
	"	jmp 1f\n"
	/* stack: error code, RIP, CS, RFLAGS, RSP, SS (SDM 3A 6.14.1) */
	"gp_handler:\n"
	"	pushq %rax\n"
	"	movq $13, exc_vector(%rip)\n"
	"1:	movq 8(%rsp), %rax\n"
	"	movq %rax, exc_code(%rip)\n"
	"	movq 16(%rsp), %rax\n"
	"	movq %rax, exc_rip(%rip)\n"
	"	incq exc_count(%rip)\n"
	"	popq %rax\n"
	"	addq $8, %rsp\n"
	"	iretq\n"
	/* no error code: RIP is on top */
	"ud_handler:\n"
	"	pushq %rax\n"
	"	movq 8(%rsp), %rax\n"
	"	movq %rax, exc_rip(%rip)\n"
	"	movq $6, exc_vector(%rip)\n"
	"	movq $-1, exc_code(%rip)\n"
	"	incq exc_count(%rip)\n"
	"	popq %rax\n"
	"	iretq\n"
	"irq_handler:\n"
	"	pushq %rax\n"
	"	movq exc_count(%rip), %rax\n"
	"	movq %rax, irq_saw_exc(%rip)\n"
	"	incq irq_count(%rip)\n"
	"	popq %rax\n"
	"	iretq\n");

static void setup(struct __test_metadata *_metadata, struct test_vm *t,
		  void (*guest)(uint64_t), uint64_t arg)
{
	exc_count = exc_vector = exc_code = exc_rip = exc_cr2 = 0;
	irq_count = irq_saw_exc = 0;
	ASSERT_OK(test_vm_create_c(t, guest, arg));
	ASSERT_OK(test_set_gate(t, 13, gp_handler));
	ASSERT_OK(test_set_gate(t, 6, ud_handler));
	ASSERT_OK(test_set_gate(t, 14, pf_handler));
	ASSERT_OK(test_set_gate(t, IRQ_VECTOR, irq_handler));
}

static void guest_wait(uint64_t want_irq)
{
	__asm__ volatile("sti");
	GUEST_SYNC(1);
	while (!exc_count || (want_irq && !irq_count))
		__asm__ volatile("pause");
	GUEST_SYNC_ARGS(2, exc_vector, exc_code, exc_rip);
	GUEST_SYNC_ARGS(3, exc_count, irq_count, irq_saw_exc);
	GUEST_DONE();
}

TEST(gp_with_error_code)
{
	struct test_vm t;
	struct ucall uc;
	__u64 rip;

	SKIP_IF_NO_VMON();
	setup(_metadata, &t, guest_wait, 0);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	rip = t.cpu.run->regs.rip;
	ASSERT_OK(test_exception(&t.cpu, 13, 1, 0x1234));
	EXPECT_ERRNO(EBUSY, test_exception(&t.cpu, 6, 0, 0));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(13, uc.args[1]);
	EXPECT_EQ(0x1234, uc.args[2]) TH_LOG("error code 0x%llx on the stack",
					     (unsigned long long)uc.args[2]);
	EXPECT_EQ(rip, uc.args[3]) TH_LOG("faulting RIP 0x%llx, injected at 0x%llx",
					  (unsigned long long)uc.args[3],
					  (unsigned long long)rip);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("#GP delivered %llu times",
					(unsigned long long)uc.args[1]);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

static void guest_wait_pf(uint64_t arg)
{
	GUEST_SYNC(1);
	while (!exc_count)
		__asm__ volatile("pause");
	GUEST_SYNC_ARGS(2, exc_vector, exc_code, exc_cr2);
	GUEST_DONE();
}

/* the faulting address comes from CR2, which userspace sets through SREGS */
TEST(pf_with_cr2_from_sregs)
{
	struct vmon_sregs sregs;
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	setup(_metadata, &t, guest_wait_pf, 0);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_OK(libvmon_get_sregs(&t.cpu, &sregs));
	sregs.cr2 = 0xdead5000;
	ASSERT_OK(libvmon_set_sregs(&t.cpu, &sregs));
	ASSERT_OK(test_exception(&t.cpu, 14, 1, 0x6));	/* user-mode write, not present */
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(14, uc.args[1]);
	EXPECT_EQ(0x6, uc.args[2]);
	EXPECT_EQ(0xdead5000, uc.args[3]) TH_LOG("CR2 0x%llx in the handler",
						 (unsigned long long)uc.args[3]);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

TEST(ud_without_code_then_the_queued_interrupt)
{
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	setup(_metadata, &t, guest_wait, 1);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_OK(test_interrupt(&t.cpu, IRQ_VECTOR));
	ASSERT_OK(test_exception(&t.cpu, 6, 0, 0));
	EXPECT_ERRNO(EBUSY, test_exception(&t.cpu, 13, 1, 0));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(6, uc.args[1]);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(3, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]);
	EXPECT_EQ(1, uc.args[2]);
	/* the exception went in with the entry, the interrupt after its IRET */
	EXPECT_EQ(1, uc.args[3]) TH_LOG("the interrupt came before the exception");
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

TEST(bad_arguments)
{
	struct vmon_exception exc = { .vector = 13, .has_error_code = 1 };
	struct test_vm t;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_LONG));
	EXPECT_ERRNO(EINVAL, test_exception(&t.cpu, 32, 0, 0));
	EXPECT_ERRNO(EINVAL, test_exception(&t.cpu, 2, 0, 0));		/* NMI */
	EXPECT_ERRNO(EINVAL, test_exception(&t.cpu, 13, 0, 0));	/* #GP has a code */
	EXPECT_ERRNO(EINVAL, test_exception(&t.cpu, 14, 0, 0));	/* #PF too */
	EXPECT_ERRNO(EINVAL, test_exception(&t.cpu, 6, 1, 0));		/* #UD has none */
	EXPECT_ERRNO(EINVAL, test_exception(&t.cpu, 13, 2, 0));
	/* reserved vectors, and #CP: no CET for guests (SDM Vol. 3A Table 6-1) */
	EXPECT_ERRNO(EINVAL, test_exception(&t.cpu, 9, 0, 0));
	EXPECT_ERRNO(EINVAL, test_exception(&t.cpu, 15, 0, 0));
	EXPECT_ERRNO(EINVAL, test_exception(&t.cpu, 21, 1, 0));
	EXPECT_ERRNO(EINVAL, test_exception(&t.cpu, 22, 0, 0));
	EXPECT_ERRNO(EINVAL, test_exception(&t.cpu, 29, 0, 0));
	EXPECT_ERRNO(EINVAL, test_exception(&t.cpu, 31, 0, 0));
	/* error codes are 16 bits; no code, no value */
	EXPECT_ERRNO(EINVAL, test_exception(&t.cpu, 13, 1, 0x10000));
	EXPECT_ERRNO(EINVAL, test_exception(&t.cpu, 6, 0, 1));
	exc.reserved[1] = 1;
	EXPECT_ERRNO(EINVAL, test_ioctl(t.cpu.fd, VMON_INJECT_EXCEPTION, &exc));
	exc.reserved[1] = 0;
	exc.padding[0] = 1;
	EXPECT_ERRNO(EINVAL, test_ioctl(t.cpu.fd, VMON_INJECT_EXCEPTION, &exc));
	EXPECT_ERRNO(EFAULT, test_ioctl(t.cpu.fd, VMON_INJECT_EXCEPTION, (void *)8));
	/* every vector of Table 6-1 with a code, and none below 32 without */
	EXPECT_OK(test_exception(&t.cpu, 17, 1, 0));
	EXPECT_ERRNO(EBUSY, test_exception(&t.cpu, 0, 0, 0));
	test_vm_destroy(&t);
}

/*
 * The error code is the architecture's business at delivery, not at
 * queueing: an exception queued while the vCPU was in real mode (where
 * it pushes no code) and delivered after SET_SREGS put it in long mode
 * pushes its code.  (VMX refuses an entry whose error-code bit does not
 * match CR0.PE, SDM Vol. 3C 26.2.1.3.)
 */
TEST(error_code_follows_the_mode_at_delivery)
{
	struct vmon_sregs good, real;
	struct test_vm t;
	struct ucall uc;
	__u64 rip;

	SKIP_IF_NO_VMON();
	setup(_metadata, &t, guest_wait, 0);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	rip = t.cpu.run->regs.rip;
	ASSERT_OK(libvmon_get_sregs(&t.cpu, &good));
	real = good;
	real.cr0 &= ~(1ULL << 31 | 1ULL << 0);		/* PG, PE */
	real.efer &= ~(1ULL << 8 | 1ULL << 10);		/* LME, LMA */
	ASSERT_OK(libvmon_set_sregs(&t.cpu, &real));
	ASSERT_OK(test_exception(&t.cpu, 13, 1, 0x1234));
	ASSERT_OK(libvmon_set_sregs(&t.cpu, &good));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(13, uc.args[1]);
	EXPECT_EQ(0x1234, uc.args[2]) TH_LOG("error code 0x%llx on the stack",
					     (unsigned long long)uc.args[2]);
	EXPECT_EQ(rip, uc.args[3]);
	test_vm_destroy(&t);
}

/* reports exc_count each time it changes */
static void guest_count_exceptions(uint64_t unused)
{
	uint64_t seen = 0;

	for (;;) {
		GUEST_SYNC_ARGS(seen, exc_count, 0, 0);
		while (exc_count == seen)
			__asm__ volatile("pause");
		seen = exc_count;
	}
}

/*
 * Every vector the ioctl accepts reaches the guest's handler, one after
 * the other in one vCPU: none makes the entry fail, none leaves the vCPU
 * unable to run (an entry the CPU refuses would fail again at every
 * VMON_RUN).  The handlers count; gp_handler pops an error code.
 */
TEST(every_accepted_vector_is_delivered)
{
	unsigned int vector, has_code, accepted = 0;
	struct test_vm t;
	struct ucall uc;
	int r;

	SKIP_IF_NO_VMON();
	setup(_metadata, &t, guest_count_exceptions, 0);
	for (vector = 0; vector < 32; vector++) {
		has_code = vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
		ASSERT_OK(test_set_gate(&t, vector, has_code ? gp_handler : ud_handler));
	}
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	for (vector = 0; vector < 32; vector++) {
		has_code = vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
		r = test_exception(&t.cpu, vector, has_code, has_code ? 0xfffe : 0);
		if (r == -EINVAL)
			continue;
		ASSERT_EQ(0, r) TH_LOG("vector %u: %d", vector, r);
		accepted++;
		RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
		EXPECT_EQ(accepted, uc.args[1]) TH_LOG("vector %u: not delivered", vector);
	}
	/* Table 6-1 less NMI, #CP and the reserved ones */
	EXPECT_EQ(18, accepted);
	test_vm_destroy(&t);
}

/* real mode: IVT[13]; the handler reports SP and the IP on its stack */
#define RM_ADDR(label)	"(rm_gp_" #label " - rm_gp + " CODE_GPA_S ")"

GUEST_BLOB(rm_gp, 16,
	   "xor %ax, %ax\n"
	   "mov %ax, %ds\n"
	   "movw $" RM_ADDR(handler) ", 0x34\n"	/* IVT[13] */
	   "movw $0, 0x36\n"
	   "out %al, $0x11\n"
	   "1: jmp 1b\n"
	   "rm_gp_handler:\n"
	   "mov %sp, %ax\n"
	   "out %ax, $0x10\n"
	   "mov %sp, %bx\n"
	   "mov (%bx), %ax\n"
	   "out %ax, $0x12\n"
	   "hlt\n");

TEST(real_mode_pushes_no_error_code)
{
	struct test_vm t;
	struct vmon_run *run;
	__u64 sp, ip;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_REAL));
	ASSERT_OK(test_vm_load_blob(&t, rm_gp, rm_gp_end));
	run = t.cpu.run;
	RUN_EXPECT_EXIT(&t, VMON_EXIT_IO);
	ASSERT_IO(&t, 0x11, 1, VMON_IO_OUT);
	sp = run->regs.rsp & 0xffff;
	ip = run->regs.rip & 0xffff;
	/* accepted as for protected mode, the code is dropped on delivery */
	ASSERT_OK(test_exception(&t.cpu, 13, 1, 0x1234));
	RUN_EXPECT_EXIT(&t, VMON_EXIT_IO);
	ASSERT_IO(&t, 0x10, 2, VMON_IO_OUT);
	EXPECT_EQ(sp - 6, run->io.data) TH_LOG("SP 0x%x in the handler, 0x%llx before",
					       run->io.data, (unsigned long long)sp);
	RUN_EXPECT_EXIT(&t, VMON_EXIT_IO);
	ASSERT_IO(&t, 0x12, 2, VMON_IO_OUT);
	EXPECT_EQ(ip, run->io.data);
	test_vm_destroy(&t);
}

static void guest_fresh_stack(uint64_t stack)
{
	__asm__ volatile("mov %%rsp, %%rbx\n\t"
			 "mov %0, %%rsp\n\t"
			 "movw $0x2002, %%dx\n\t"
			 "outl %%eax, %%dx\n\t"
			 "1: cmpq $0, exc_count(%%rip)\n\t"
			 "je 1b\n\t"
			 "mov %%rbx, %%rsp\n\t"
			 : : "r"(stack) : "rax", "rbx", "rdx", "memory", "cc");
	GUEST_SYNC_ARGS(1, exc_count, exc_code, 0);
	GUEST_DONE();
}

TEST(redelivered_after_fault_during_delivery)
{
	struct test_vm t;
	struct ucall uc;
	__u64 *frame;

	SKIP_IF_NO_VMON();
	setup(_metadata, &t, guest_fresh_stack, FRESH_GPA + 0xc000);
	ASSERT_OK(test_add_fresh_slot(&t));
	RUN_EXPECT_EXIT(&t, VMON_EXIT_IO);
	ASSERT_IO(&t, PORT_ON_FRESH_STACK, 4, VMON_IO_OUT);
	ASSERT_OK(test_exception(&t.cpu, 13, 1, 0x55));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("#GP delivered %llu times", (unsigned long long)uc.args[1]);
	EXPECT_EQ(0x55, uc.args[2]);
	/* error code, RIP, CS, RFLAGS, RSP, SS on the fresh stack */
	frame = libvmon_gpa_to_hva(&t.vm, FRESH_GPA + 0xc000 - 48, 48);
	ASSERT_NE(NULL, frame);
	EXPECT_EQ(0x55, frame[0]);
	EXPECT_EQ(VMON_SETUP_SEL_CODE64, frame[2]);
	EXPECT_EQ(FRESH_GPA + 0xc000, frame[4]);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/* #BP from userspace has no INT3 behind it: delivered again, not re-executed */
TEST(injected_bp_redelivered_after_fault)
{
	struct test_vm t;
	struct ucall uc;
	__u64 *frame, rip;

	SKIP_IF_NO_VMON();
	setup(_metadata, &t, guest_fresh_stack, FRESH_GPA + 0xe000);
	ASSERT_OK(test_set_gate(&t, 3, ud_handler));	/* counts, no error code */
	ASSERT_OK(test_add_fresh_slot(&t));
	RUN_EXPECT_EXIT(&t, VMON_EXIT_IO);
	ASSERT_IO(&t, PORT_ON_FRESH_STACK, 4, VMON_IO_OUT);
	rip = t.cpu.run->regs.rip;
	ASSERT_OK(test_exception(&t.cpu, 3, 0, 0));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("#BP delivered %llu times", (unsigned long long)uc.args[1]);
	frame = libvmon_gpa_to_hva(&t.vm, FRESH_GPA + 0xe000 - 40, 40);
	ASSERT_NE(NULL, frame);
	EXPECT_EQ(rip, frame[0]) TH_LOG("#BP returned to 0x%llx, injected at 0x%llx",
					(unsigned long long)frame[0], (unsigned long long)rip);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/*
 * INT3 and INT n whose delivery faults on a fresh stack page: delivered
 * once, returning after the instruction (a re-delivery that pushed the
 * instruction's own address would run it again).
 */
extern char after_int3[], after_intn[];

static void guest_soft_fresh_stack(uint64_t stack)
{
	__asm__ volatile("mov %%rsp, %%rbx\n\t"
			 "mov %0, %%rsp\n\t"
			 "int3\n\t"
			 ".globl after_int3\n"
			 "after_int3:\n\t"
			 "mov %%rbx, %%rsp\n\t"
			 : : "r"(stack) : "rbx", "memory");
	GUEST_SYNC_ARGS(1, soft_count, soft_rip, 0);
	__asm__ volatile("mov %%rsp, %%rbx\n\t"
			 "mov %0, %%rsp\n\t"
			 "int $0x21\n\t"
			 ".globl after_intn\n"
			 "after_intn:\n\t"
			 "mov %%rbx, %%rsp\n\t"
			 : : "r"(stack + 0x1000) : "rbx", "memory");
	GUEST_SYNC_ARGS(2, soft_count, soft_rip, 0);
	GUEST_DONE();
}

TEST(int3_and_intn_redelivered_after_fault)
{
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	soft_count = soft_rip = 0;
	setup(_metadata, &t, guest_soft_fresh_stack, FRESH_GPA + 0x6000);
	ASSERT_OK(test_set_gate(&t, 3, soft_handler));
	ASSERT_OK(test_set_gate(&t, 0x21, soft_handler));
	ASSERT_OK(test_add_fresh_slot(&t));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("INT3 delivered %llu times", (unsigned long long)uc.args[1]);
	EXPECT_EQ((uintptr_t)after_int3, uc.args[2])
		TH_LOG("INT3 returned to 0x%llx, expected %p", (unsigned long long)uc.args[2],
		       after_int3);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(2, uc.args[1]) TH_LOG("INT n delivered %llu times",
					(unsigned long long)uc.args[1] - 1);
	EXPECT_EQ((uintptr_t)after_intn, uc.args[2])
		TH_LOG("INT n returned to 0x%llx, expected %p", (unsigned long long)uc.args[2],
		       after_intn);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
