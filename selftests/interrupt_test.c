// SPDX-License-Identifier: GPL-2.0-only
/*
 * External interrupts from userspace (VMON_INTERRUPT): a host interval
 * timer drives a guest tick counter; an interrupt queued while the guest
 * has IF = 0 arrives only after STI and the one instruction after it;
 * request_interrupt_window exits exactly when IF = 1; HLT with a
 * deliverable interrupt does not reach userspace; the run page's
 * if_flag / ready_for_interrupt_injection; re-delivery when delivery
 * faults on a stack page not mapped yet; real mode through the IVT.
 */
#include <signal.h>
#include <sys/time.h>

#include "kselftest_harness.h"
#include "test_vm.h"
#include "guest_events.h"

#define TICK_VECTOR	0x20
#define NR_TICKS	20

/* guest state, in the guest's copy of the image */
volatile uint64_t irq_count;
volatile uint64_t marker;
volatile uint64_t marker_at_irq;

/* the guest's handler for TICK_VECTOR: count, note where the guest was */
extern char irq_handler[], window_rip[];
__asm__(".text\n"
	".globl irq_handler\n"
	"irq_handler:\n"
	"	incq irq_count(%rip)\n"
	"	pushq %rax\n"
	"	movq marker(%rip), %rax\n"
	"	movq %rax, marker_at_irq(%rip)\n"
	"	popq %rax\n"
	"	iretq\n");

static struct vmon_run *setup(struct __test_metadata *_metadata, struct test_vm *t,
			      void (*guest)(uint64_t), uint64_t arg)
{
	irq_count = 0;
	marker = 0;
	marker_at_irq = 0;
	EXPECT_OK(test_vm_create_c(t, guest, arg));
	EXPECT_OK(test_set_gate(t, TICK_VECTOR, irq_handler));
	return t->cpu.run;
}

static uint64_t guest_u64(struct test_vm *t, volatile uint64_t *var)
{
	return *(volatile uint64_t *)libvmon_gpa_to_hva(&t->vm, (uintptr_t)var, 8);
}

/* ---- periodic tick: a host timer kicks VMON_RUN out, each kick injects ---- */

static void guest_tick_spin(uint64_t n)
{
	__asm__ volatile("sti");
	while (irq_count < n)
		__asm__ volatile("pause");
	GUEST_SYNC_ARGS(1, irq_count, 0, 0);
	GUEST_DONE();
}

static void on_alarm(int sig)
{
}

TEST(periodic_tick_long_mode)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval tick = { { 0, 2000 }, { 0, 2000 } };
	struct itimerval off = { 0 };
	unsigned int injected = 0, busy = 0;
	struct test_vm t;
	struct ucall uc;
	int r;

	SKIP_IF_NO_VMON();
	setup(_metadata, &t, guest_tick_spin, NR_TICKS);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &tick, NULL));
	for (;;) {
		r = libvmon_cpu_run(&t.cpu);
		if (r == -EINTR) {
			r = test_interrupt(&t.cpu, TICK_VECTOR);
			if (r == -EBUSY) {
				busy++;		/* the last tick has not gone in yet */
				continue;
			}
			ASSERT_EQ(0, r);
			if (++injected == NR_TICKS)
				setitimer(ITIMER_REAL, &off, NULL);
			continue;
		}
		ASSERT_EQ(0, r) TH_LOG("VMON_RUN: %s", strerror(-r));
		break;
	}
	setitimer(ITIMER_REAL, &off, NULL);
	ASSERT_EQ(UCALL_SYNC, test_get_ucall(&t, &uc))
		TH_LOG("expected the guest's report, got %s", test_describe_exit(&t.cpu));
	EXPECT_EQ(NR_TICKS, injected);
	EXPECT_EQ(NR_TICKS, uc.args[1]) TH_LOG("guest counted %llu ticks, %u injected",
					       (unsigned long long)uc.args[1], injected);
	TH_LOG("%u ticks injected, %u refused with EBUSY", injected, busy);
	test_vm_destroy(&t);
}

/* ---- IF = 0: queued, delivered after STI + one instruction ---- */

static void guest_window(uint64_t arg)
{
	unsigned int i;

	__asm__ volatile("cli");
	GUEST_SYNC(1);
	for (i = 0; i < 1000; i++)
		__asm__ volatile("" ::: "memory");
	GUEST_SYNC_ARGS(2, irq_count, 0, 0);
	/* STI blocks for one instruction (SDM Vol. 2B STI): marker is 1 in the handler */
	__asm__ volatile("sti\n\t"
			 "movq $1, marker(%%rip)\n\t"
			 "movq $2, marker(%%rip)\n\t" ::: "memory");
	GUEST_SYNC_ARGS(3, irq_count, marker_at_irq, 0);

	/* userspace's interrupt window: not while IF = 0 */
	__asm__ volatile("cli");
	GUEST_SYNC(4);
	GUEST_SYNC(5);
	__asm__ volatile("sti\n\t"
			 "nop\n\t"
			 ".globl window_rip\n"
			 "window_rip:\n\t"
			 "movq $3, marker(%%rip)\n\t" ::: "memory");
	GUEST_SYNC_ARGS(6, irq_count, marker_at_irq, 0);
	/* already open: the exit comes before the next guest instruction */
	GUEST_SYNC(7);
	GUEST_DONE();
}

TEST(interrupt_window)
{
	struct test_vm t;
	struct vmon_run *run;
	struct ucall uc;
	__u64 rip;

	SKIP_IF_NO_VMON();
	run = setup(_metadata, &t, guest_window, 0);

	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	EXPECT_EQ(0, run->if_flag);
	EXPECT_EQ(0, run->ready_for_interrupt_injection) TH_LOG("ready with IF = 0");
	ASSERT_OK(test_interrupt(&t.cpu, TICK_VECTOR));
	EXPECT_ERRNO(EBUSY, test_interrupt(&t.cpu, TICK_VECTOR));

	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(0, uc.args[1]) TH_LOG("interrupt delivered with IF = 0");
	EXPECT_EQ(0, run->ready_for_interrupt_injection);
	EXPECT_EQ(0, run->if_flag);

	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(3, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("delivered %llu times", (unsigned long long)uc.args[1]);
	EXPECT_EQ(1, uc.args[2]) TH_LOG("handler saw marker %llu: not right after STI + 1",
					(unsigned long long)uc.args[2]);
	EXPECT_EQ(1, run->if_flag);
	EXPECT_EQ(1, run->ready_for_interrupt_injection);

	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(4, uc.args[0]);
	run->request_interrupt_window = 1;
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);		/* IF = 0: no window */
	ASSERT_EQ(5, uc.args[0]);
	EXPECT_EQ(0, run->ready_for_interrupt_injection);
	RUN_EXPECT_EXIT(&t, VMON_EXIT_IRQ_WINDOW_OPEN);
	EXPECT_EQ((uintptr_t)window_rip, run->regs.rip)
		TH_LOG("window opened at 0x%llx, expected STI + 2 insns at %p",
		       (unsigned long long)run->regs.rip, window_rip);
	EXPECT_EQ(1, run->if_flag);
	EXPECT_EQ(1, run->ready_for_interrupt_injection);
	run->request_interrupt_window = 0;
	ASSERT_OK(test_interrupt(&t.cpu, TICK_VECTOR));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(6, uc.args[0]);
	EXPECT_EQ(2, uc.args[1]);
	EXPECT_EQ(2, uc.args[2]) TH_LOG("the interrupt did not come at the window");

	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(7, uc.args[0]);
	rip = run->regs.rip;
	run->request_interrupt_window = 1;
	RUN_EXPECT_EXIT(&t, VMON_EXIT_IRQ_WINDOW_OPEN);
	EXPECT_EQ(rip, run->regs.rip) TH_LOG("the guest ran before the window exit");
	run->request_interrupt_window = 0;
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/* ---- HLT with a deliverable interrupt stays in the kernel ---- */

static void guest_sti_hlt(uint64_t arg)
{
	__asm__ volatile("cli");
	GUEST_SYNC(1);
	/* STI's shadow covers HLT: the CPU halts, then the interrupt wakes it */
	__asm__ volatile("sti\n\thlt" ::: "memory");
	GUEST_SYNC_ARGS(2, irq_count, 0, 0);
	GUEST_DONE();
}

TEST(hlt_with_queued_interrupt)
{
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	setup(_metadata, &t, guest_sti_hlt, 0);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_OK(test_interrupt(&t.cpu, TICK_VECTOR));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);	/* no VMON_EXIT_HLT in between */
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/* ---- re-delivery: the IDT page and the stack are not mapped yet ---- */

static void guest_fresh_stack(uint64_t stack)
{
	__asm__ volatile("mov %%rsp, %%rbx\n\t"
			 "mov %0, %%rsp\n\t"
			 "sti\n\t"
			 "1: cmpq $0, irq_count(%%rip)\n\t"
			 "je 1b\n\t"
			 "cli\n\t"
			 "mov %%rbx, %%rsp\n\t"
			 : : "r"(stack) : "rbx", "memory", "cc");
	GUEST_SYNC_ARGS(1, irq_count, 0, 0);
	GUEST_DONE();
}

TEST(redelivered_after_fault_during_delivery)
{
	__u64 *frame;
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	setup(_metadata, &t, guest_fresh_stack, FRESH_GPA + 0x8000);
	ASSERT_OK(test_add_fresh_slot(&t));
	ASSERT_OK(test_interrupt(&t.cpu, TICK_VECTOR));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(1, uc.args[1]) TH_LOG("interrupt delivered %llu times",
					(unsigned long long)uc.args[1]);
	/* the CPU pushed the frame onto the fresh stack: RIP, CS, RFLAGS, RSP, SS */
	frame = libvmon_gpa_to_hva(&t.vm, FRESH_GPA + 0x8000 - 40, 40);
	ASSERT_NE(NULL, frame);
	EXPECT_EQ(VMON_SETUP_SEL_CODE64, frame[1]);
	EXPECT_EQ(FRESH_GPA + 0x8000, frame[3]);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	EXPECT_EQ(1, guest_u64(&t, &irq_count));
	test_vm_destroy(&t);
}

/*
 * An IDT outside guest RAM: the delivery exits to userspace as MMIO with
 * the interrupt half delivered.  It is still pending in the kernel, so
 * nothing else can be injected; once the IDT is back, it arrives once.
 */
static void guest_spin_if(uint64_t arg)
{
	__asm__ volatile("sti");
	while (!irq_count)
		__asm__ volatile("pause");
	GUEST_SYNC_ARGS(1, irq_count, 0, 0);
	GUEST_DONE();
}

TEST(pending_redelivery_blocks_injection)
{
	struct vmon_sregs sregs;
	struct vmon_run *run;
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	run = setup(_metadata, &t, guest_spin_if, 0);
	ASSERT_OK(libvmon_get_sregs(&t.cpu, &sregs));
	sregs.idt.base = MMIO_GPA;
	ASSERT_OK(libvmon_set_sregs(&t.cpu, &sregs));
	ASSERT_OK(test_interrupt(&t.cpu, TICK_VECTOR));
	RUN_EXPECT_EXIT(&t, VMON_EXIT_MMIO);
	EXPECT_EQ(MMIO_GPA + TICK_VECTOR * 16, run->mmio.gpa & ~7ULL)
		TH_LOG("MMIO exit at 0x%llx, expected the IDT gate",
		       (unsigned long long)run->mmio.gpa);
	EXPECT_EQ(0, run->ready_for_interrupt_injection);
	EXPECT_ERRNO(EBUSY, test_exception(&t.cpu, 6, 0, 0));
	/* the kernel's queue is free again: this one waits behind it */
	ASSERT_OK(test_interrupt(&t.cpu, TICK_VECTOR));

	sregs.idt.base = IDT_GPA;
	ASSERT_OK(libvmon_set_sregs(&t.cpu, &sregs));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_LE(1, uc.args[1]);
	EXPECT_GE(2, uc.args[1]);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	EXPECT_EQ(2, guest_u64(&t, &irq_count)) TH_LOG("two interrupts queued, %llu delivered",
						       (unsigned long long)guest_u64(&t, &irq_count));
	test_vm_destroy(&t);
}

/* ---- real mode: IVT entry 8 (IRQ 0 as the BIOS programs the PIC) ---- */

#define RM_ADDR(label)	"(rm_tick_" #label " - rm_tick + " CODE_GPA_S ")"
#define RM_TICKS	10

GUEST_BLOB(rm_tick, 16,
	   "xor %ax, %ax\n"
	   "mov %ax, %ds\n"
	   "movw $" RM_ADDR(handler) ", 0x20\n"	/* IVT[8]: offset, segment 0 */
	   "movw $0, 0x22\n"
	   "sti\n"
	   "1: hlt\n"
	   "cmpw $10, " RM_ADDR(count) "\n"
	   "jb 1b\n"
	   "mov " RM_ADDR(count) ", %ax\n"
	   "out %ax, $0x10\n"
	   "cli\n"
	   "hlt\n"
	   "rm_tick_handler:\n"
	   "incw %cs:" RM_ADDR(count) "\n"
	   "iret\n"
	   "rm_tick_count: .word 0\n");

/* ---- 32-bit protected mode: an interrupt gate in the IDT at IDT_GPA ---- */

#define PM_ADDR(label)	"(pm_tick_" #label " - pm_tick + " CODE_GPA_S ")"
#define PM_GATE		"(0x9000 + 0x20 * 8)"	/* IDT_GPA, TICK_VECTOR */

GUEST_BLOB(pm_tick, 32,
	   "movl $" PM_ADDR(handler) ", %eax\n"
	   "movw %ax, " PM_GATE "\n"
	   "movw $0x08, " PM_GATE " + 2\n"		/* VMON_SETUP_SEL_CODE32 */
	   "movw $0x8e00, " PM_GATE " + 4\n"	/* P, DPL 0, 32-bit interrupt gate */
	   "shrl $16, %eax\n"
	   "movw %ax, " PM_GATE " + 6\n"
	   "lidt " PM_ADDR(idtr) "\n"
	   "sti\n"
	   "1: hlt\n"
	   "cmpl $10, " PM_ADDR(count) "\n"
	   "jb 1b\n"
	   "movl " PM_ADDR(count) ", %eax\n"
	   "outw %ax, $0x10\n"
	   "cli\n"
	   "hlt\n"
	   "pm_tick_handler:\n"
	   "incl " PM_ADDR(count) "\n"
	   "iret\n"
	   "pm_tick_idtr: .word 0x7ff\n"
	   ".long 0x9000\n"
	   "pm_tick_count: .long 0\n");

/* the guest halts with IF = 1 after every tick; each HLT exit injects one */
static void tick_on_halt(struct __test_metadata *_metadata, enum vmon_guest_mode mode,
			 const unsigned char *blob, const unsigned char *end,
			 unsigned int vector)
{
	struct test_vm t;
	struct vmon_run *run;
	unsigned int halts = 0;

	ASSERT_OK(test_vm_create(&t, mode));
	ASSERT_OK(test_vm_load_blob(&t, blob, end));
	run = t.cpu.run;
	for (;;) {
		ASSERT_EQ(0, libvmon_cpu_run(&t.cpu));
		if (run->exit_reason != VMON_EXIT_HLT)
			break;
		/* halted with IF = 1 and nothing queued: the timer's turn */
		ASSERT_LT(halts, RM_TICKS + 1);
		EXPECT_EQ(1, run->if_flag);
		EXPECT_EQ(1, run->ready_for_interrupt_injection);
		ASSERT_OK(test_interrupt(&t.cpu, vector));
		halts++;
	}
	ASSERT_IO(&t, 0x10, 2, VMON_IO_OUT);
	EXPECT_EQ(RM_TICKS, run->io.data);
	EXPECT_EQ(RM_TICKS, halts);
	test_vm_destroy(&t);
}

TEST(periodic_tick_real_mode)
{
	SKIP_IF_NO_VMON();
	tick_on_halt(_metadata, VMON_GUEST_REAL, rm_tick, rm_tick_end, 8);
}

TEST(periodic_tick_protected_mode)
{
	SKIP_IF_NO_VMON();
	tick_on_halt(_metadata, VMON_GUEST_PROT, pm_tick, pm_tick_end, TICK_VECTOR);
}

/* ---- argument checks ---- */

TEST(interrupt_bad_arguments)
{
	struct vmon_interrupt irq = { .vector = 0x20, .flags = 1 };
	struct test_vm t;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_LONG));
	EXPECT_ERRNO(EINVAL, test_ioctl(t.cpu.fd, VMON_INTERRUPT, &irq));
	irq.flags = 0;
	irq.vector = 256;
	EXPECT_ERRNO(EINVAL, test_ioctl(t.cpu.fd, VMON_INTERRUPT, &irq));
	EXPECT_ERRNO(EFAULT, test_ioctl(t.cpu.fd, VMON_INTERRUPT, (void *)8));
	irq.vector = 255;
	EXPECT_OK(test_ioctl(t.cpu.fd, VMON_INTERRUPT, &irq));
	EXPECT_ERRNO(EBUSY, test_ioctl(t.cpu.fd, VMON_INTERRUPT, &irq));
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
