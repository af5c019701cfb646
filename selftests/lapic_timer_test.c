// SPDX-License-Identifier: GPL-2.0-only
/*
 * The local APIC timer (SDM Vol. 3A 11.5.4, 11.5.4.1), driven by a 64-bit
 * C guest through the x2APIC MSRs: one-shot fires once, periodic fires
 * on its grid, the shortest period is stretched, TMICT = 0 stops it,
 * TSC-deadline fires at (not before) the deadline by the guest's RDTSC,
 * the current count falls at bus clock / divide and stays at 0, a
 * masked timer counts but posts nothing, HLT is woken by the timer,
 * VMON_GET/SET_LAPIC carry a running timer over, and the timer goes on
 * when the vCPU thread moves to another CPU or its CPU goes offline.
 *
 * vmon's APIC bus runs at 1 GHz: a count of n at divide d lasts n * d ns,
 * which the test turns into TSC cycles with caps.tsc_khz (the guest's
 * TSC is the host's).  Every timing check is "not early" strictly (the
 * guest reads the TSC before the write that starts the timer) and "not
 * absurdly late" loosely (LATE_NS), as the emulators run on a loaded
 * 2-core machine; the figures are printed.
 */
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "test_vm.h"
#include "guest_events.h"

#define TIMER_VECTOR		0xec
#define SPURIOUS_VECTOR		0xff
#define MAX_IRQS		32

#define MSR_APIC_BASE		0x1b
#define APIC_BASE_EXTD		(1ULL << 10)
#define APIC_BASE_EN		(1ULL << 11)
#define MSR_TSC_DEADLINE	0x6e0
#define X2APIC_EOI		0x80b
#define X2APIC_SVR		0x80f
#define X2APIC_LVTT		0x832
#define X2APIC_TMICT		0x838
#define X2APIC_TMCCT		0x839
#define X2APIC_TDCR		0x83e

#define LVT_MASKED		(1u << 16)
#define LVTT_PERIODIC		(1u << 17)
#define LVTT_TSCDEADLINE	(2u << 17)
#define TDCR_DIV_1		0xb
#define TDCR_DIV_8		0x2
#define TDCR_DIV_16		0x3

#define APIC_TMCCT_OFF		0x390
#define MIN_PERIOD_NS		200000ULL	/* kmod/lapic_timer.c */
/* "absurdly late": the emulators may hold a vCPU off its CPU this long */
#define LATE_NS			2000000000ULL

/* set by the host before the guest image is copied */
uint64_t tsc_khz;

/* written by the guest's interrupt handler */
volatile uint64_t irq_count;
volatile uint64_t irq_tsc[MAX_IRQS];

static inline uint64_t rdtsc_g(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdmsr_g(uint32_t idx)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(idx) : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr_g(uint32_t idx, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(idx), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

/* TSC cycles in ns (both sides use the kernel's tsc_khz) */
static inline uint64_t ns_to_tsc(uint64_t ns)
{
	return (unsigned __int128)ns * tsc_khz / 1000000;
}

static inline uint64_t tsc_to_ns(uint64_t tsc)
{
	return (unsigned __int128)tsc * 1000000 / tsc_khz;
}

/* the handler's body: no SSE, it interrupts arbitrary guest code */
__attribute__((target("general-regs-only"), used))
static void timer_isr(void)
{
	uint64_t now = rdtsc_g();
	uint64_t n = irq_count;

	if (n < MAX_IRQS)
		irq_tsc[n] = now;
	irq_count = n + 1;
	wrmsr_g(X2APIC_EOI, 0);
}

/* frame: 5 words pushed by the CPU + 9 here = 16-byte aligned call */
extern char timer_handler[];
__asm__(".text\n"
	".globl timer_handler\n"
	"timer_handler:\n"
	"	pushq %rax; pushq %rcx; pushq %rdx; pushq %rsi; pushq %rdi\n"
	"	pushq %r8; pushq %r9; pushq %r10; pushq %r11\n"
	"	cld\n"
	"	call timer_isr\n"
	"	popq %r11; popq %r10; popq %r9; popq %r8\n"
	"	popq %rdi; popq %rsi; popq %rdx; popq %rcx; popq %rax\n"
	"	iretq\n");

/* xAPIC -> x2APIC (11.12.5: EN first, then EXTD), software-enabled, divide 1 */
static void guest_apic_on(void)
{
	uint64_t base = rdmsr_g(MSR_APIC_BASE);

	if (!(base & APIC_BASE_EN))
		wrmsr_g(MSR_APIC_BASE, base | APIC_BASE_EN);
	wrmsr_g(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
	wrmsr_g(X2APIC_SVR, 0x100 | SPURIOUS_VECTOR);
	wrmsr_g(X2APIC_TDCR, TDCR_DIV_1);
	__asm__ volatile("sti");
}

/* spin until n interrupts came or the TSC passes until; the count */
static uint64_t guest_wait_irqs(uint64_t n, uint64_t until)
{
	while (irq_count < n && rdtsc_g() < until)
		__asm__ volatile("pause");
	return irq_count;
}

static void guest_spin_ns(uint64_t ns)
{
	uint64_t end = rdtsc_g() + ns_to_tsc(ns);

	while (rdtsc_g() < end)
		__asm__ volatile("pause");
}

static void setup(struct __test_metadata *_metadata, struct test_vm *t,
		  void (*guest)(uint64_t), uint64_t arg)
{
	int sys = libvmon_open_system();
	struct vmon_caps caps;

	ASSERT_LE(0, sys);
	ASSERT_OK(libvmon_get_caps(sys, &caps));
	close(sys);
	if (!(caps.flags & VMON_CAP_LAPIC))
		SKIP(return, "vmon.ko has no in-kernel local APIC");
	ASSERT_NE(0, caps.tsc_khz) TH_LOG("the module does not know the TSC frequency");
	tsc_khz = caps.tsc_khz;
	irq_count = 0;
	memset((void *)irq_tsc, 0, sizeof(irq_tsc));
	ASSERT_OK(test_vm_create_c(t, guest, arg));
	ASSERT_OK(test_set_gate(t, TIMER_VECTOR, timer_handler));
}

static void read_irqs(struct test_vm *t, uint64_t *count, uint64_t *tscs)
{
	test_sync_from_guest(t, (void *)&irq_count, sizeof(irq_count));
	test_sync_from_guest(t, (void *)irq_tsc, sizeof(irq_tsc));
	*count = irq_count;
	memcpy(tscs, (void *)irq_tsc, sizeof(irq_tsc));
}

/* ---- one-shot: fires once, not before count * divide bus cycles ---- */

#define ONESHOT_NS	5000000ULL	/* 5 ms */

static void guest_oneshot(uint64_t divide_code)
{
	uint64_t count = ONESHOT_NS / (divide_code == TDCR_DIV_8 ? 8 : 1);
	uint64_t t0;

	guest_apic_on();
	wrmsr_g(X2APIC_TDCR, divide_code);
	wrmsr_g(X2APIC_LVTT, TIMER_VECTOR);
	t0 = rdtsc_g();
	wrmsr_g(X2APIC_TMICT, count);
	guest_wait_irqs(1, t0 + ns_to_tsc(ONESHOT_NS + LATE_NS));
	/* a one-shot stays quiet afterwards (four more of its intervals) */
	guest_spin_ns(4 * ONESHOT_NS);
	GUEST_ASSERT_EQ(0, rdmsr_g(X2APIC_TMCCT));
	GUEST_SYNC_ARGS(1, t0, 0, 0);
	GUEST_DONE();
}

static void check_oneshot(struct __test_metadata *_metadata, uint64_t divide_code)
{
	uint64_t count, tscs[MAX_IRQS], t0, late;
	struct test_vm t;
	struct ucall uc;

	setup(_metadata, &t, guest_oneshot, divide_code);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	t0 = uc.args[1];
	read_irqs(&t, &count, tscs);
	ASSERT_EQ(1, count) TH_LOG("a one-shot timer fired %llu times", (unsigned long long)count);
	ASSERT_LE(t0 + ns_to_tsc(ONESHOT_NS), tscs[0])
		TH_LOG("fired %lld ns early", (long long)(ONESHOT_NS - tsc_to_ns(tscs[0] - t0)));
	late = tsc_to_ns(tscs[0] - t0) - ONESHOT_NS;
	EXPECT_GT(LATE_NS, late);
	TH_LOG("one-shot of %llu ns (divide code %#llx): interrupt %llu ns after the deadline",
	       ONESHOT_NS, (unsigned long long)divide_code, (unsigned long long)late);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

TEST(oneshot_fires_once)
{
	SKIP_IF_NO_VMON();
	check_oneshot(_metadata, TDCR_DIV_1);
}

/* count / 8 at divide 8: the same 5 ms */
TEST(oneshot_divide_8)
{
	SKIP_IF_NO_VMON();
	check_oneshot(_metadata, TDCR_DIV_8);
}

/* ---- periodic: on the grid t0 + k * period; TMICT = 0 stops it ---- */

#define PERIOD_NS	10000000ULL	/* 10 ms */
#define NR_PERIODS	10

static void guest_periodic(uint64_t period_ns)
{
	uint64_t t0, n;

	guest_apic_on();
	wrmsr_g(X2APIC_LVTT, TIMER_VECTOR | LVTT_PERIODIC);
	t0 = rdtsc_g();
	wrmsr_g(X2APIC_TMICT, period_ns);	/* divide 1: 1 ns per count */
	guest_wait_irqs(NR_PERIODS, t0 + ns_to_tsc(NR_PERIODS * period_ns + LATE_NS));
	/* 11.5.4: writing 0 to the initial count stops the timer */
	wrmsr_g(X2APIC_TMICT, 0);
	n = irq_count;
	GUEST_ASSERT_EQ(0, rdmsr_g(X2APIC_TMCCT));
	guest_spin_ns(3 * PERIOD_NS);
	GUEST_SYNC_ARGS(1, t0, n, irq_count);
	GUEST_DONE();
}

static void check_periodic(struct __test_metadata *_metadata, uint64_t asked_ns,
			   uint64_t period_ns)
{
	uint64_t count, tscs[MAX_IRQS], t0, k, span;
	struct test_vm t;
	struct ucall uc;

	setup(_metadata, &t, guest_periodic, asked_ns);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	t0 = uc.args[1];
	read_irqs(&t, &count, tscs);
	ASSERT_LE(NR_PERIODS, uc.args[2])
		TH_LOG("%llu interrupts of a %llu ns periodic timer",
		       (unsigned long long)uc.args[2], (unsigned long long)period_ns);
	EXPECT_EQ(uc.args[2], uc.args[3]) TH_LOG("the timer went on after TMICT = 0");
	for (k = 0; k < NR_PERIODS; k++) {
		ASSERT_LE(t0 + ns_to_tsc((k + 1) * period_ns), tscs[k])
			TH_LOG("interrupt %llu came %lld ns before its point on the grid",
			       (unsigned long long)k,
			       (long long)((k + 1) * period_ns - tsc_to_ns(tscs[k] - t0)));
		if (k)
			TH_LOG("interrupt %llu: %llu ns after the previous one",
			       (unsigned long long)k,
			       (unsigned long long)tsc_to_ns(tscs[k] - tscs[k - 1]));
	}
	/* no drift: the last one is near its point, not NR_PERIODS latenesses away */
	span = tsc_to_ns(tscs[NR_PERIODS - 1] - t0);
	EXPECT_GT(NR_PERIODS * period_ns + LATE_NS, span);
	TH_LOG("%u periods of %llu ns: the last interrupt %llu ns after t0 + %u periods",
	       NR_PERIODS, (unsigned long long)period_ns,
	       (unsigned long long)(span - NR_PERIODS * period_ns), NR_PERIODS);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

TEST(periodic_spacing_and_stop)
{
	SKIP_IF_NO_VMON();
	check_periodic(_metadata, PERIOD_NS, PERIOD_NS);
}

/* a count of 1 would be 1 ns: stretched to the minimum period */
TEST(periodic_min_period)
{
	SKIP_IF_NO_VMON();
	check_periodic(_metadata, 1, MIN_PERIOD_NS);
}

/* ---- TSC-deadline (11.5.4.1) ---- */

#define DEADLINE_NS	5000000ULL
#define DISARM_NS	50000000ULL	/* a deadline the test disarms at once */

static void guest_tsc_deadline(uint64_t arg)
{
	uint64_t dl, v, n;

	guest_apic_on();
	/* other modes: the MSR reads 0 and ignores writes */
	wrmsr_g(MSR_TSC_DEADLINE, rdtsc_g() + ns_to_tsc(DEADLINE_NS));
	GUEST_ASSERT_EQ(0, rdmsr_g(MSR_TSC_DEADLINE));

	wrmsr_g(X2APIC_LVTT, TIMER_VECTOR | LVTT_TSCDEADLINE);
	dl = rdtsc_g() + ns_to_tsc(DEADLINE_NS);
	wrmsr_g(MSR_TSC_DEADLINE, dl);
	v = rdmsr_g(MSR_TSC_DEADLINE);
	GUEST_ASSERT(v == dl || irq_count);
	guest_wait_irqs(1, dl + ns_to_tsc(LATE_NS));
	guest_spin_ns(DEADLINE_NS);
	/* fired: disarmed, the MSR reads 0 */
	GUEST_ASSERT_EQ(0, rdmsr_g(MSR_TSC_DEADLINE));
	GUEST_SYNC_ARGS(1, dl, irq_count, 0);

	/* a deadline already passed fires at once */
	n = irq_count;
	dl = rdtsc_g() - 1000;
	wrmsr_g(MSR_TSC_DEADLINE, dl);
	v = guest_wait_irqs(n + 1, rdtsc_g() + ns_to_tsc(LATE_NS));
	GUEST_SYNC_ARGS(2, dl, v - n, irq_tsc[n]);

	/*
	 * 0 disarms.  Only a disarm that came before the deadline proves
	 * anything: one the host delayed past it reports "late" (args[2]).
	 */
	n = irq_count;
	dl = rdtsc_g() + ns_to_tsc(DISARM_NS);
	wrmsr_g(MSR_TSC_DEADLINE, dl);
	wrmsr_g(MSR_TSC_DEADLINE, 0);
	v = rdtsc_g() >= dl;
	guest_spin_ns(DISARM_NS + 3 * DEADLINE_NS);
	GUEST_SYNC_ARGS(3, irq_count - n, v, 0);

	/* the initial count is ignored, the current count reads 0 */
	n = irq_count;
	wrmsr_g(X2APIC_TMICT, 1000);
	guest_spin_ns(DEADLINE_NS);
	GUEST_ASSERT_EQ(0, rdmsr_g(X2APIC_TMCCT));
	GUEST_ASSERT_EQ(n, irq_count);
	/* leaving TSC-deadline mode disarms */
	dl = rdtsc_g() + ns_to_tsc(DISARM_NS);
	wrmsr_g(MSR_TSC_DEADLINE, dl);
	wrmsr_g(X2APIC_LVTT, TIMER_VECTOR);
	v = rdtsc_g() >= dl;
	guest_spin_ns(DISARM_NS + 3 * DEADLINE_NS);
	wrmsr_g(X2APIC_LVTT, TIMER_VECTOR | LVTT_TSCDEADLINE);
	GUEST_ASSERT_EQ(0, rdmsr_g(MSR_TSC_DEADLINE));
	GUEST_SYNC_ARGS(4, irq_count - n, v, 0);

	/* the divide configuration does not touch an armed deadline */
	n = irq_count;
	dl = rdtsc_g() + ns_to_tsc(DEADLINE_NS);
	wrmsr_g(MSR_TSC_DEADLINE, dl);
	wrmsr_g(X2APIC_TDCR, TDCR_DIV_16);
	v = guest_wait_irqs(n + 1, dl + ns_to_tsc(LATE_NS));
	GUEST_SYNC_ARGS(5, dl, v - n, irq_tsc[n]);
	GUEST_DONE();
}

TEST(tsc_deadline)
{
	uint64_t count, tscs[MAX_IRQS], dl, late;
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	setup(_metadata, &t, guest_tsc_deadline, 0);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	dl = uc.args[1];
	read_irqs(&t, &count, tscs);
	ASSERT_EQ(1, count);
	ASSERT_LE(dl, tscs[0]) TH_LOG("fired %llu TSC cycles before the deadline",
				      (unsigned long long)(dl - tscs[0]));
	late = tsc_to_ns(tscs[0] - dl);
	EXPECT_GT(LATE_NS, late);
	TH_LOG("TSC deadline %llu ns ahead: interrupt %llu ns (%llu cycles) after it",
	       DEADLINE_NS, (unsigned long long)late, (unsigned long long)(tscs[0] - dl));

	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	ASSERT_EQ(1, uc.args[2]) TH_LOG("a deadline in the past did not fire");
	TH_LOG("deadline in the past: interrupt %llu ns after it",
	       (unsigned long long)tsc_to_ns(uc.args[3] - uc.args[1]));

	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(3, uc.args[0]);
	if (uc.args[2])
		TH_LOG("disarm with 0 came after the deadline (host delay): not judged");
	else
		EXPECT_EQ(0, uc.args[1]) TH_LOG("a deadline disarmed with 0 fired");
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(4, uc.args[0]);
	if (uc.args[2])
		TH_LOG("mode change came after the deadline (host delay): not judged");
	else
		EXPECT_EQ(0, uc.args[1]) TH_LOG("a deadline across a mode change fired");
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(5, uc.args[0]);
	ASSERT_EQ(1, uc.args[2]) TH_LOG("a TDCR write disarmed the deadline");
	ASSERT_LE(uc.args[1], uc.args[3]);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/* ---- current count: falls at bus / divide, reaches 0; masked posts nothing ---- */

#define COUNT_NS	30000000ULL	/* 30 ms */
#define RATE_NS		2000000000ULL	/* 2 s */

static void guest_current_count(uint64_t divide_code)
{
	uint32_t divide = divide_code == TDCR_DIV_16 ? 16 : 1;
	uint64_t initial = RATE_NS / divide, a0, a1, b0, b1, c1, c2, t0;

	guest_apic_on();
	wrmsr_g(X2APIC_TDCR, divide_code);
	wrmsr_g(X2APIC_LVTT, TIMER_VECTOR | LVT_MASKED);
	/* the rate, on a count long enough not to run out between the reads */
	wrmsr_g(X2APIC_TMICT, initial);
	a0 = rdtsc_g();
	c1 = rdmsr_g(X2APIC_TMCCT);
	a1 = rdtsc_g();
	guest_spin_ns(COUNT_NS / 6);
	b0 = rdtsc_g();
	c2 = rdmsr_g(X2APIC_TMCCT);
	b1 = rdtsc_g();
	GUEST_ASSERT(c1 <= initial);
	GUEST_SYNC_ARGS(1, c1, c2, 0);
	GUEST_SYNC_ARGS(2, a0, a1, 0);
	GUEST_SYNC_ARGS(3, b0, b1, 0);
	/*
	 * A short count: past its end 0, and it stays there.  The count
	 * starts when the kernel handles the WRMSR exit, after the guest
	 * issued it: take the time after the write, or the exit's latency
	 * is counted as part of the count.
	 */
	wrmsr_g(X2APIC_TMICT, COUNT_NS / divide);
	t0 = rdtsc_g();
	while (rdtsc_g() < t0 + ns_to_tsc(COUNT_NS))
		__asm__ volatile("pause");
	c1 = rdmsr_g(X2APIC_TMCCT);
	guest_spin_ns(COUNT_NS / 3);
	c2 = rdmsr_g(X2APIC_TMCCT);
	/* a masked expiry is lost: unmasking later posts nothing (11.5.1) */
	wrmsr_g(X2APIC_LVTT, TIMER_VECTOR);
	guest_spin_ns(COUNT_NS / 3);
	GUEST_SYNC_ARGS(4, c1, c2, irq_count);
	GUEST_DONE();
}

static void check_current_count(struct __test_metadata *_metadata, uint64_t divide_code,
				uint32_t divide)
{
	uint64_t c1, c2, a0, a1, b0, b1, most, least;
	struct test_vm t;
	struct ucall uc;

	setup(_metadata, &t, guest_current_count, divide_code);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	c1 = uc.args[1];
	c2 = uc.args[2];
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	a0 = uc.args[1];
	a1 = uc.args[2];
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	b0 = uc.args[1];
	b1 = uc.args[2];
	ASSERT_GT(c1, c2) TH_LOG("the current count did not fall: %llu then %llu",
				 (unsigned long long)c1, (unsigned long long)c2);
	/* the reads happened within [a0, a1] and [b0, b1]: 1 count per divide ns */
	most = tsc_to_ns(b1 - a0) / divide + 2;
	least = tsc_to_ns(b0 - a1) / divide;
	least = least > 2 ? least - 2 : 0;
	least = least < c1 ? least : c1;	/* a count that ran out stops at 0 */
	EXPECT_GE(most, c1 - c2);
	EXPECT_LE(least, c1 - c2);
	TH_LOG("divide %u: count fell by %llu while %llu..%llu ns passed",
	       divide, (unsigned long long)(c1 - c2),
	       (unsigned long long)tsc_to_ns(b0 - a1), (unsigned long long)tsc_to_ns(b1 - a0));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(0, uc.args[1]) TH_LOG("count at the end: %llu", (unsigned long long)uc.args[1]);
	EXPECT_EQ(0, uc.args[2]) TH_LOG("count later: %llu", (unsigned long long)uc.args[2]);
	EXPECT_EQ(0, uc.args[3]) TH_LOG("a masked timer posted %llu interrupts",
					(unsigned long long)uc.args[3]);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

TEST(current_count_masked)
{
	SKIP_IF_NO_VMON();
	check_current_count(_metadata, TDCR_DIV_1, 1);
}

TEST(current_count_divide_16)
{
	SKIP_IF_NO_VMON();
	check_current_count(_metadata, TDCR_DIV_16, 16);
}

/* ---- HLT with IF = 1: the timer wakes the vCPU inside the kernel ---- */

static void guest_halt(uint64_t arg)
{
	uint64_t t0, t1;

	guest_apic_on();
	wrmsr_g(X2APIC_LVTT, TIMER_VECTOR);
	/* IF = 0 until STI; HLT, which takes no interrupt in between (STI shadow) */
	__asm__ volatile("cli");
	t0 = rdtsc_g();
	wrmsr_g(X2APIC_TMICT, ONESHOT_NS);
	__asm__ volatile("sti; hlt" ::: "memory");
	t1 = rdtsc_g();
	GUEST_SYNC_ARGS(1, t0, t1, irq_count);
	GUEST_DONE();
}

TEST(halt_woken_by_timer)
{
	uint64_t count, tscs[MAX_IRQS];
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	setup(_metadata, &t, guest_halt, 0);
	/* no VMON_EXIT_HLT: the vCPU sleeps in the kernel until the interrupt */
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	read_irqs(&t, &count, tscs);
	ASSERT_EQ(1, uc.args[3]) TH_LOG("HLT ended with %llu interrupts taken",
					(unsigned long long)uc.args[3]);
	ASSERT_LE(uc.args[1] + ns_to_tsc(ONESHOT_NS), tscs[0]);
	ASSERT_LE(tscs[0], uc.args[2]);
	TH_LOG("halted vCPU: interrupt %llu ns after the deadline",
	       (unsigned long long)(tsc_to_ns(tscs[0] - uc.args[1]) - ONESHOT_NS));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/* ---- VMON_GET/SET_LAPIC: a running timer goes on from the saved state ---- */

#define LONG_COUNT	2500000000ULL	/* divide 4: 10 s */
#define SHORT_COUNT	5000000ULL	/* divide 4: 20 ms */
#define TDCR_DIV_4	0x1

static void guest_get_set(uint64_t arg)
{
	uint64_t t0, dl;

	guest_apic_on();
	wrmsr_g(X2APIC_TDCR, TDCR_DIV_4);
	wrmsr_g(X2APIC_LVTT, TIMER_VECTOR);
	t0 = rdtsc_g();
	wrmsr_g(X2APIC_TMICT, LONG_COUNT);
	GUEST_SYNC_ARGS(1, t0, 0, 0);
	guest_wait_irqs(1, t0 + ns_to_tsc(4 * LONG_COUNT));

	/* a deadline 10 s away, read back and moved by the host */
	wrmsr_g(X2APIC_LVTT, TIMER_VECTOR | LVTT_TSCDEADLINE);
	dl = rdtsc_g() + ns_to_tsc(10 * 1000000000ULL);
	wrmsr_g(MSR_TSC_DEADLINE, dl);
	GUEST_SYNC_ARGS(2, dl, 0, 0);
	guest_wait_irqs(2, dl);
	GUEST_DONE();
}

static uint32_t state_reg(struct vmon_lapic_state *s, unsigned int off)
{
	uint32_t v;

	memcpy(&v, s->regs + off, 4);
	return v;
}

TEST(get_set_lapic_running_timer)
{
	struct vmon_lapic_state s, s2;
	uint64_t count, tscs[MAX_IRQS], t0, dl;
	__u64 tset;
	struct test_vm t;
	struct ucall uc;
	uint32_t c;

	SKIP_IF_NO_VMON();
	setup(_metadata, &t, guest_get_set, 0);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	t0 = uc.args[1];
	ASSERT_OK(test_ioctl(t.cpu.fd, VMON_GET_LAPIC, &s));
	c = state_reg(&s, APIC_TMCCT_OFF);
	ASSERT_TRUE(c > 0 && c <= LONG_COUNT) TH_LOG("GET_LAPIC: current count %u", c);
	EXPECT_EQ(0, s.tsc_deadline);

	/* restart it with 20 ms left */
	c = SHORT_COUNT;
	memcpy(s.regs + APIC_TMCCT_OFF, &c, 4);
	ASSERT_OK(libvmon_get_msr(&t.cpu, VMON_MSR_TSC, &tset));
	ASSERT_OK(test_ioctl(t.cpu.fd, VMON_SET_LAPIC, &s));
	ASSERT_OK(test_ioctl(t.cpu.fd, VMON_GET_LAPIC, &s2));
	c = state_reg(&s2, APIC_TMCCT_OFF);
	EXPECT_TRUE(c <= SHORT_COUNT) TH_LOG("after SET_LAPIC: current count %u", c);

	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	read_irqs(&t, &count, tscs);
	ASSERT_EQ(1, count);
	ASSERT_LE(tset + ns_to_tsc(4 * SHORT_COUNT), tscs[0]);
	ASSERT_GT(t0 + ns_to_tsc(4 * LONG_COUNT), tscs[0])
		TH_LOG("the timer fired at its original count, not the restored one");
	TH_LOG("restored one-shot: interrupt %llu ns after SET_LAPIC (20 ms programmed)",
	       (unsigned long long)tsc_to_ns(tscs[0] - tset));

	dl = uc.args[1];
	ASSERT_OK(test_ioctl(t.cpu.fd, VMON_GET_LAPIC, &s));
	EXPECT_EQ(dl, s.tsc_deadline);
	ASSERT_OK(libvmon_get_msr(&t.cpu, VMON_MSR_TSC, &tset));
	s.tsc_deadline = tset + ns_to_tsc(20000000);
	ASSERT_OK(test_ioctl(t.cpu.fd, VMON_SET_LAPIC, &s));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	read_irqs(&t, &count, tscs);
	ASSERT_EQ(2, count) TH_LOG("the restored deadline did not fire before the old one");
	ASSERT_LE(s.tsc_deadline, tscs[1]);
	ASSERT_GT(dl, tscs[1]);
	TH_LOG("restored deadline: interrupt %llu ns after it",
	       (unsigned long long)tsc_to_ns(tscs[1] - s.tsc_deadline));
	test_vm_destroy(&t);
}

/* ---- the hrtimer follows the vCPU to another CPU, and survives CPU offline ---- */

#define MIGRATE_PERIOD_NS	2000000ULL	/* 2 ms */
#define MIGRATE_STAGES		5
#define PER_STAGE		5

/* periodic interrupts keep coming, stage after stage, wherever the host runs us */
static void guest_migrate(uint64_t arg)
{
	uint64_t k, n;

	guest_apic_on();
	wrmsr_g(X2APIC_LVTT, TIMER_VECTOR | LVTT_PERIODIC);
	wrmsr_g(X2APIC_TMICT, MIGRATE_PERIOD_NS);
	for (k = 0; k < MIGRATE_STAGES; k++) {
		n = irq_count;
		guest_wait_irqs(n + PER_STAGE,
				rdtsc_g() + ns_to_tsc(PER_STAGE * MIGRATE_PERIOD_NS + LATE_NS));
		GUEST_SYNC_ARGS(k, irq_count - n, 0, 0);
	}
	GUEST_DONE();
}

/*
 * CPU 1 is the one taken offline; the other is the first CPU besides it
 * that this test may use (CPU 0, or CPU 2 in the rig's QEMU machines).
 * The calling thread goes to CPU 1 (1), the other (0), or either (-1).
 */
static int other_cpu = -1;

static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	if (cpu != 1)
		CPU_SET(other_cpu, &set);
	if (cpu != 0)
		CPU_SET(1, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static int set_online(int on)
{
	int fd = open("/sys/devices/system/cpu/cpu1/online", O_WRONLY);
	int r;

	if (fd < 0)
		return -errno;
	r = write(fd, on ? "1" : "0", 1) == 1 ? 0 : -errno;
	close(fd);
	return r;
}

TEST(timer_follows_vcpu_across_cpus)
{
	struct test_vm t;
	struct ucall uc;
	uint64_t k;
	int offline = -1;

	SKIP_IF_NO_VMON();
	other_cpu = test_allowed_cpu(1);
	if (other_cpu < 0 || test_allowed_cpu(other_cpu) != 1)
		SKIP(return, "not two host CPUs, one of them CPU 1, to run on");
	setup(_metadata, &t, guest_migrate, 0);
	ASSERT_EQ(0, pin_to(1));
	for (k = 0; k < MIGRATE_STAGES; k++) {
		RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
		ASSERT_LE(PER_STAGE, uc.args[1])
			TH_LOG("stage %llu: %llu periodic interrupts", (unsigned long long)k,
			       (unsigned long long)uc.args[1]);
		if (offline == 0) {
			ASSERT_EQ(0, set_online(1));
			offline = 1;
		}
		if (k == 2) {
			/* armed on CPU 1: take CPU 1 away, the kernel moves the hrtimer */
			ASSERT_EQ(0, pin_to(-1));
			offline = set_online(0);
			TH_LOG("CPU 1 offline: %s", offline ? strerror(-offline) : "done");
		} else if (k < 2) {
			ASSERT_EQ(0, pin_to(k % 2 ? 1 : 0));
		}
	}
	if (offline == 0)
		set_online(1);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/* ---- CPUID: TSC-deadline advertised; leaf 15H agrees with the 1 GHz bus ---- */

static void guest_cpuid(uint64_t arg)
{
	uint32_t a, b, c, d, max;

	__asm__ volatile("cpuid" : "=a"(max), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	GUEST_SYNC_ARGS(1, c, max, 0);
	if (max >= 0x15) {
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
				 : "a"(0x15), "c"(0));
		GUEST_SYNC_ARGS(2, a, b, c);
	}
	GUEST_DONE();
}

TEST(cpuid_tsc_deadline)
{
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	setup(_metadata, &t, guest_cpuid, 0);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_TRUE(uc.args[1] & (1u << 24)) TH_LOG("CPUID.01H:ECX[24] (TSC deadline) clear");
	if (uc.args[2] >= 0x15) {
		RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
		/* crystal Hz * EBX / EAX = TSC Hz, and the crystal is the APIC bus */
		TH_LOG("CPUID.15H: EAX %llu EBX %llu ECX %llu, tsc_khz %llu",
		       (unsigned long long)uc.args[1], (unsigned long long)uc.args[2],
		       (unsigned long long)uc.args[3], (unsigned long long)tsc_khz);
		EXPECT_EQ(1000000000ULL, uc.args[3]);
		EXPECT_EQ(tsc_khz * uc.args[1], 1000000ULL * uc.args[2]);
	}
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
