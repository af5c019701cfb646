// SPDX-License-Identifier: GPL-2.0-only
/*
 * The in-kernel local APIC of one vCPU (SDM Vol. 3A chapter 11): the
 * IA32_APIC_BASE modes and transitions, the x2APIC registers and their
 * #GP rules, ESR, self IPIs with priority and EOI order (nested
 * interrupts), TPR/CR8 masking, a level-triggered EOI reaching
 * userspace, HLT waiting in the kernel for an MSI, the HLT exit of a
 * guest whose APIC is software-disabled, VMON_GET/SET_LAPIC,
 * VMON_SIGNAL_MSI's bad inputs and the MP state ioctls.
 */
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "apic.h"

/* guest state, in the guest's copy of the image */
volatile uint64_t nirq;
volatile uint64_t irq_log[16];
volatile uint64_t isr_seen[16];
volatile uint64_t nest_done;

APIC_IRQ_STUB(0x35);
APIC_IRQ_STUB(0x41);
APIC_IRQ_STUB(0x45);
APIC_IRQ_STUB(0x51);
APIC_IRQ_STUB(0x55);
APIC_IRQ_STUB(0x56);
APIC_IRQ_STUB(0x62);
APIC_IRQ_STUB(0x80);
APIC_IRQ_STUB(0xe5);

/*
 * Every handler logs its vector and whether ISR had it.  0x41 nests:
 * it sends 0x35 (a lower class: waits for the EOI of 0x41) and 0x62
 * (a higher class: preempts 0x41 as soon as IF = 1), then EOIs.
 */
void apic_guest_irq(uint64_t v)
{
	uint64_t n = nirq;

	if (n < 16) {
		irq_log[n] = v;
		isr_seen[n] = x2apic_bit(APIC_ISR, v);
	}
	nirq = n + 1;
	if (v == 0x41 && !nest_done) {
		nest_done = 1;
		x2apic_write(APIC_SELF_IPI, 0x35);
		x2apic_write(APIC_SELF_IPI, 0x62);
		__asm__ volatile("sti; nop; cli" ::: "memory");
	}
	x2apic_write(APIC_EOI, 0);
}

static void set_gates(struct __test_metadata *_metadata, struct test_vm *t)
{
	EXPECT_OK(test_set_gate(t, 0x35, apic_irq_0x35));
	EXPECT_OK(test_set_gate(t, 0x41, apic_irq_0x41));
	EXPECT_OK(test_set_gate(t, 0x45, apic_irq_0x45));
	EXPECT_OK(test_set_gate(t, 0x51, apic_irq_0x51));
	EXPECT_OK(test_set_gate(t, 0x55, apic_irq_0x55));
	EXPECT_OK(test_set_gate(t, 0x56, apic_irq_0x56));
	EXPECT_OK(test_set_gate(t, 0x62, apic_irq_0x62));
	EXPECT_OK(test_set_gate(t, 0x80, apic_irq_0x80));
	EXPECT_OK(test_set_gate(t, 0xe5, apic_irq_0xe5));
}

static int create(struct __test_metadata *_metadata, struct test_vm *t,
		  void (*guest)(uint64_t))
{
	int r = test_vm_create_c(t, guest, 0);

	if (!r)
		set_gates(_metadata, t);
	return r;
}

static uint32_t guest_cpuid1_edx(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return d;
}

/* ---- IA32_APIC_BASE and the x2APIC registers ---- */

static void guest_registers(uint64_t arg)
{
	uint64_t base = guest_rdmsr(MSR_APIC_BASE);

	GUEST_ASSERT_EQ(0xfee00000 | APIC_BASE_EN | APIC_BASE_BSP, base);
	GUEST_ASSERT(guest_cpuid1_edx() & (1 << 9));
	guest_gp_skip = 1;
	guest_rdmsr(X2APIC_MSR(APIC_ID));		/* xAPIC mode: #GP */
	guest_wrmsr(MSR_APIC_BASE, 0xfee00000 | APIC_BASE_EXTD);	/* invalid state */
	GUEST_ASSERT_EQ(2, guest_gp_count);

	guest_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
	GUEST_ASSERT_EQ(base | APIC_BASE_EXTD, guest_rdmsr(MSR_APIC_BASE));
	GUEST_ASSERT_EQ(0, x2apic_read(APIC_ID));
	GUEST_ASSERT_EQ(0x50014, x2apic_read(APIC_LVR));
	GUEST_ASSERT_EQ(1, x2apic_read(APIC_LDR));	/* cluster 0, bit 0 */
	GUEST_ASSERT_EQ(0xff, x2apic_read(APIC_SVR));
	GUEST_ASSERT_EQ(0x700, x2apic_read(APIC_LVT0));	/* the BSP's virtual wire */
	GUEST_ASSERT_EQ(0x10000, x2apic_read(APIC_LVT1));
	GUEST_ASSERT_EQ(0x10000, x2apic_read(APIC_LVTT));
	GUEST_ASSERT_EQ(0x10000, x2apic_read(APIC_LVTERR));
	/* software-disabled: the LVT mask cannot be cleared (11.4.7.2) */
	x2apic_write(APIC_LVTERR, 0xfe);
	GUEST_ASSERT_EQ(0x100fe, x2apic_read(APIC_LVTERR));
	x2apic_write(APIC_SVR, 0x1ff);
	GUEST_ASSERT_EQ(0x1ff, x2apic_read(APIC_SVR));
	x2apic_write(APIC_LVTERR, 0xfe);
	GUEST_ASSERT_EQ(0xfe, x2apic_read(APIC_LVTERR));
	x2apic_write(APIC_LVTERR, 0x100fe);
	x2apic_write(APIC_TPR, 0x5f);
	GUEST_ASSERT_EQ(0x5f, x2apic_read(APIC_TPR));
	GUEST_ASSERT_EQ(0x5f, x2apic_read(APIC_PPR));
	x2apic_write(APIC_TPR, 0);

	/* #GP: read-only, reserved, write-only and DFR (SDM Vol. 3A 11.12.1.2) */
	x2apic_write(APIC_ID, 1);
	x2apic_write(APIC_LDR, 1);
	x2apic_write(APIC_LVR, 0);
	x2apic_write(APIC_PPR, 0);
	x2apic_write(APIC_ISR, 0);
	x2apic_read(APIC_DFR);
	x2apic_write(APIC_DFR, 0);
	guest_rdmsr(0x804);
	guest_wrmsr(0x804, 0);
	x2apic_read(APIC_EOI);
	x2apic_read(APIC_SELF_IPI);
	x2apic_write(APIC_EOI, 1);
	x2apic_write(APIC_ESR, 1);
	x2apic_write(APIC_TPR, 1ULL << 32);
	x2apic_write(APIC_SELF_IPI, 0x100);
	GUEST_ASSERT_EQ(17, guest_gp_count);
	GUEST_ASSERT_EQ(0, x2apic_read(APIC_TPR));

	/* ESR: errors show after the next write (11.5.3) */
	x2apic_write(APIC_ESR, 0);
	GUEST_ASSERT_EQ(0, x2apic_read(APIC_ESR));
	x2apic_write(APIC_ICR, ICR_SELF | 3);		/* illegal vector: send error */
	GUEST_ASSERT_EQ(0, x2apic_read(APIC_ESR));
	x2apic_write(APIC_ESR, 0);
	GUEST_ASSERT_EQ(0x20, x2apic_read(APIC_ESR));
	x2apic_write(APIC_ESR, 0);
	GUEST_ASSERT_EQ(0, x2apic_read(APIC_ESR));

	/* transitions (11.12.5): x2APIC -> xAPIC and disabled -> x2APIC #GP */
	guest_wrmsr(MSR_APIC_BASE, base);
	GUEST_ASSERT_EQ(18, guest_gp_count);
	guest_wrmsr(MSR_APIC_BASE, 0xfee00000);		/* disable; BSP stays */
	GUEST_ASSERT_EQ(0xfee00000 | APIC_BASE_BSP, guest_rdmsr(MSR_APIC_BASE));
	GUEST_ASSERT(!(guest_cpuid1_edx() & (1 << 9)));
	guest_wrmsr(MSR_APIC_BASE, 0xfee00000 | APIC_BASE_EN | APIC_BASE_EXTD);
	GUEST_ASSERT_EQ(19, guest_gp_count);
	guest_wrmsr(MSR_APIC_BASE, 0xfed00000 | APIC_BASE_EN);	/* relocated xAPIC */
	GUEST_ASSERT_EQ(0xfed00000 | APIC_BASE_EN | APIC_BASE_BSP, guest_rdmsr(MSR_APIC_BASE));
	guest_wrmsr(MSR_APIC_BASE, 0xfed00000 | APIC_BASE_EN | APIC_BASE_EXTD);
	/* disabling reset the APIC (11.4.3) */
	GUEST_ASSERT_EQ(0xff, x2apic_read(APIC_SVR));
	GUEST_ASSERT_EQ(19, guest_gp_count);
	GUEST_DONE();
}

TEST(x2apic_registers_and_base_transitions)
{
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	ASSERT_OK(create(_metadata, &t, guest_registers));
	ASSERT_TRUE(t.vm.caps.flags & VMON_CAP_LAPIC);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/* ---- self IPIs: priority order, nesting, EOI ---- */

static void guest_priority(uint64_t arg)
{
	unsigned int i;

	guest_x2apic_enable();
	__asm__ volatile("cli");
	x2apic_write(APIC_SELF_IPI, 0x41);
	x2apic_write(APIC_ICR, ICR_SELF | 0x51);
	GUEST_ASSERT(x2apic_bit(APIC_IRR, 0x41));
	GUEST_ASSERT(x2apic_bit(APIC_IRR, 0x51));
	GUEST_ASSERT_EQ(0, nirq);
	__asm__ volatile("sti; nop; cli" ::: "memory");
	GUEST_ASSERT_EQ(4, nirq);
	for (i = 0; i < 8; i++) {
		GUEST_ASSERT_EQ(0, x2apic_read(APIC_IRR + 0x10 * i));
		GUEST_ASSERT_EQ(0, x2apic_read(APIC_ISR + 0x10 * i));
	}
	GUEST_ASSERT_EQ(0, x2apic_read(APIC_PPR));
	GUEST_DONE();
}

TEST(self_ipi_priority_nesting_and_eoi_order)
{
	static const uint64_t want[] = { 0x51, 0x41, 0x62, 0x35 };
	struct test_vm t;
	struct ucall uc;
	unsigned int i;

	SKIP_IF_NO_VMON();
	ASSERT_OK(create(_metadata, &t, guest_priority));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	ASSERT_OK(test_sync_from_guest(&t, (void *)irq_log, sizeof(irq_log)));
	ASSERT_OK(test_sync_from_guest(&t, (void *)isr_seen, sizeof(isr_seen)));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(want[i], irq_log[i]) TH_LOG("interrupt %u: vector 0x%llx", i,
						      (unsigned long long)irq_log[i]);
		EXPECT_EQ(1, isr_seen[i]) TH_LOG("ISR bit of vector 0x%llx not set in its handler",
						 (unsigned long long)irq_log[i]);
	}
	test_vm_destroy(&t);
}

/* ---- TPR and CR8 ---- */

static uint64_t guest_cr8(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}

static void guest_tpr(uint64_t arg)
{
	guest_x2apic_enable();
	__asm__ volatile("cli");
	x2apic_write(APIC_TPR, 0x50);
	GUEST_ASSERT_EQ(5, guest_cr8());
	x2apic_write(APIC_SELF_IPI, 0x45);		/* class 4 <= 5: masked */
	__asm__ volatile("sti; nop; nop; cli" ::: "memory");
	GUEST_ASSERT_EQ(0, nirq);
	GUEST_ASSERT(x2apic_bit(APIC_IRR, 0x45));
	__asm__ volatile("mov %0, %%cr8" : : "r"(3ULL));
	GUEST_ASSERT_EQ(0x30, x2apic_read(APIC_TPR));
	GUEST_ASSERT_EQ(0x30, x2apic_read(APIC_PPR));
	__asm__ volatile("sti; nop; cli" ::: "memory");
	GUEST_ASSERT_EQ(1, nirq);

	__asm__ volatile("mov %0, %%cr8" : : "r"(15ULL));
	x2apic_write(APIC_SELF_IPI, 0xe5);
	__asm__ volatile("sti; nop; nop; cli" ::: "memory");
	GUEST_ASSERT_EQ(1, nirq);
	x2apic_write(APIC_TPR, 0);
	GUEST_ASSERT_EQ(0, guest_cr8());
	__asm__ volatile("sti; nop; cli" ::: "memory");
	GUEST_ASSERT_EQ(2, nirq);
	GUEST_DONE();
}

TEST(tpr_and_cr8_mask_interrupts)
{
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	ASSERT_OK(create(_metadata, &t, guest_tpr));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/* ---- MSIs: level-triggered EOI to userspace, waking a halted vCPU ---- */

static void guest_msi(uint64_t arg)
{
	guest_x2apic_enable();
	GUEST_SYNC(1);
	__asm__ volatile("sti; nop; cli" ::: "memory");
	GUEST_SYNC_ARGS(2, nirq, 0, 0);
	__asm__ volatile("sti; nop; cli" ::: "memory");
	GUEST_SYNC_ARGS(3, nirq, 0, 0);
	/* HLT waits in the kernel until the MSI of the other thread */
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	GUEST_SYNC_ARGS(4, nirq, 0, 0);
	GUEST_DONE();
}

static struct test_vm *msi_vm;

static void *msi_later(void *arg)
{
	usleep(200 * 1000);
	return (void *)(intptr_t)test_msi(msi_vm, MSI_ADDR(0), 0x56);
}

TEST(level_eoi_exit_and_halt_woken_by_msi)
{
	struct vmon_lapic_state s;
	struct test_vm t;
	struct ucall uc;
	pthread_t th;
	void *ret;

	SKIP_IF_NO_VMON();
	ASSERT_OK(create(_metadata, &t, guest_msi));
	/* software-disabled at reset: nobody accepts a fixed MSI */
	EXPECT_EQ(0, test_msi(&t, MSI_ADDR(0), 0x55));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(1, test_msi(&t, MSI_ADDR(0), 0x55 | 1 << 15 | 1 << 14));
	ASSERT_OK(test_get_lapic(&t.cpu, &s));
	EXPECT_EQ(1u << (0x55 % 32), lapic_reg(&s, APIC_IRR + 0x20));
	EXPECT_EQ(1u << (0x55 % 32), lapic_reg(&s, APIC_TMR + 0x20));
	RUN_EXPECT_EXIT(&t, VMON_EXIT_EOI);
	EXPECT_EQ(0x55, t.cpu.run->eoi.vector);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(2, uc.args[0]);
	EXPECT_EQ(1, uc.args[1]);
	/* edge: no EOI exit */
	EXPECT_EQ(1, test_msi(&t, MSI_ADDR(0), 0x56));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	EXPECT_EQ(3, uc.args[0]);
	EXPECT_EQ(2, uc.args[1]);

	msi_vm = &t;
	ASSERT_EQ(0, pthread_create(&th, NULL, msi_later, NULL));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	pthread_join(th, &ret);
	EXPECT_EQ(1, (intptr_t)ret);
	EXPECT_EQ(4, uc.args[0]);
	EXPECT_EQ(3, uc.args[1]);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/* the APIC software-disabled (reset): HLT is userspace's, as before */
static void guest_hlt_disabled(uint64_t arg)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
	GUEST_DONE();
}

TEST(hlt_exits_with_apic_software_disabled)
{
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	ASSERT_OK(create(_metadata, &t, guest_hlt_disabled));
	RUN_EXPECT_EXIT(&t, VMON_EXIT_HLT);
	EXPECT_EQ(VMON_MP_RUNNABLE, test_mp_state(&t.cpu, 0, 0));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/* ---- VMON_SIGNAL_MSI: bad inputs are refused and queue nothing ---- */

TEST(signal_msi_bad_inputs)
{
	static const struct { uint64_t addr; uint32_t data; } bad[] = {
		{ 0xfed00000, 0x40 },			/* not the interrupt range */
		{ 0x1fee00000ULL, 0x40 },		/* address bits 63:32 */
		{ MSI_ADDR(0) | 1, 0x40 },		/* bits 1:0 */
		{ MSI_ADDR(0) | 0x10, 0x40 },		/* reserved bits 11:4 */
		{ MSI_ADDR(0), 0x240 },			/* SMI */
		{ MSI_ADDR(0), 0x340 },			/* reserved mode */
		{ MSI_ADDR(0), 0x640 },			/* SIPI: not an MSI mode */
		{ MSI_ADDR(0), 0x740 },			/* ExtINT */
		{ MSI_ADDR(0), 0x0f },			/* vector below 16 */
		{ MSI_ADDR(0), 0x1040 },		/* reserved data bit 12 */
		{ MSI_ADDR(0), 0x10040 },		/* data bits 31:16 */
	};
	struct vmon_lapic_state s;
	struct vmon_msi msi = { .address = MSI_ADDR(0), .data = 0x40 };
	struct test_vm t;
	unsigned int i;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_LONG));
	ASSERT_OK(test_get_lapic(&t.cpu, &s));
	memcpy(s.regs + APIC_SVR, &(uint32_t){ 0x1ff }, 4);	/* software-enabled */
	ASSERT_OK(test_set_lapic(&t.cpu, &s));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-EINVAL, test_msi(&t, bad[i].addr, bad[i].data))
			TH_LOG("address 0x%llx data 0x%x", (unsigned long long)bad[i].addr,
			       bad[i].data);
	msi.flags = 1;
	EXPECT_ERRNO(EINVAL, test_ioctl(t.vm.fd, VMON_SIGNAL_MSI, &msi));
	msi.flags = 0;
	msi.reserved[1] = 1;
	EXPECT_ERRNO(EINVAL, test_ioctl(t.vm.fd, VMON_SIGNAL_MSI, &msi));
	EXPECT_ERRNO(EFAULT, test_ioctl(t.vm.fd, VMON_SIGNAL_MSI, NULL));
	ASSERT_OK(test_get_lapic(&t.cpu, &s));
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0, lapic_reg(&s, APIC_IRR + 0x10 * i)) TH_LOG("IRR word %u", i);
	/* no such APIC: accepted by none; then one that exists */
	EXPECT_EQ(0, test_msi(&t, MSI_ADDR(7), 0x40));
	EXPECT_EQ(1, test_msi(&t, MSI_ADDR(0), 0x40));
	ASSERT_OK(test_get_lapic(&t.cpu, &s));
	EXPECT_EQ(1, lapic_reg(&s, APIC_IRR + 0x20));
	test_vm_destroy(&t);
}

/* ---- VMON_GET/SET_LAPIC ---- */

static void guest_after_set(uint64_t arg)
{
	GUEST_ASSERT_EQ(0x20, guest_cr8() << 4);
	__asm__ volatile("sti; nop; cli" ::: "memory");
	GUEST_ASSERT_EQ(1, nirq);
	GUEST_ASSERT_EQ(0x80, irq_log[0]);
	GUEST_DONE();
}

TEST(get_set_lapic_round_trip_and_bad_input)
{
	struct vmon_lapic_state s, s2, bad;
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	ASSERT_OK(create(_metadata, &t, guest_after_set));
	ASSERT_OK(test_get_lapic(&t.cpu, &s));
	EXPECT_EQ(0xfee00900, s.apic_base);
	EXPECT_EQ(0, lapic_reg(&s, APIC_ID));
	EXPECT_EQ(0x50014, lapic_reg(&s, APIC_LVR));
	EXPECT_EQ(0xffffffff, lapic_reg(&s, APIC_DFR));
	EXPECT_EQ(0xff, lapic_reg(&s, APIC_SVR));
	EXPECT_EQ(0x700, lapic_reg(&s, APIC_LVT0));
	EXPECT_EQ(0x10000, lapic_reg(&s, APIC_LVT1));

	/* x2APIC (the guest's handler uses it), enabled, TPR 0x20, IRR 0x80 */
	s.apic_base |= APIC_BASE_EXTD;
	memcpy(s.regs + APIC_LDR, &(uint32_t){ 1 }, 4);
	memcpy(s.regs + APIC_SVR, &(uint32_t){ 0x1ff }, 4);
	memcpy(s.regs + APIC_TPR, &(uint32_t){ 0x20 }, 4);
	memcpy(s.regs + APIC_IRR + 0x40, &(uint32_t){ 1 }, 4);	/* vector 0x80 */
	ASSERT_OK(test_set_lapic(&t.cpu, &s));
	ASSERT_OK(test_get_lapic(&t.cpu, &s2));
	EXPECT_EQ(0x20, lapic_reg(&s2, APIC_PPR));		/* recomputed */
	memcpy(s.regs + APIC_PPR, &(uint32_t){ 0x20 }, 4);
	EXPECT_EQ(0, memcmp(&s, &s2, sizeof(s)));

	bad = s;
	bad.flags = 1;
	EXPECT_ERRNO(EINVAL, test_set_lapic(&t.cpu, &bad));
	bad = s;
	bad.padding = 1;
	EXPECT_ERRNO(EINVAL, test_set_lapic(&t.cpu, &bad));
	bad = s;
	bad.reserved[4] = 1;
	EXPECT_ERRNO(EINVAL, test_set_lapic(&t.cpu, &bad));
	bad = s;
	memcpy(bad.regs + APIC_SVR, &(uint32_t){ 0x11ff }, 4);
	EXPECT_ERRNO(EINVAL, test_set_lapic(&t.cpu, &bad));
	bad = s;
	bad.apic_base = 0xfee00000 | APIC_BASE_EXTD;		/* invalid mode */
	EXPECT_ERRNO(EINVAL, test_set_lapic(&t.cpu, &bad));
	bad = s;
	memcpy(bad.regs + APIC_IRR, &(uint32_t){ 1 << 3 }, 4);	/* vector 3 */
	EXPECT_ERRNO(EINVAL, test_set_lapic(&t.cpu, &bad));
	bad = s;						/* x2APIC ID must be 0 */
	memcpy(bad.regs + APIC_ID, &(uint32_t){ 5 }, 4);
	EXPECT_ERRNO(EINVAL, test_set_lapic(&t.cpu, &bad));
	EXPECT_ERRNO(EFAULT, test_ioctl(t.cpu.fd, VMON_SET_LAPIC, NULL));
	ASSERT_OK(test_get_lapic(&t.cpu, &s2));
	EXPECT_EQ(0, memcmp(&s, &s2, sizeof(s))) TH_LOG("a refused SET changed the APIC");

	/* the restored IRR bit is delivered, above the restored TPR */
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/* ---- MP state ---- */

static void on_alarm(int sig)
{
}

TEST(mp_state_ioctls_and_wait_for_sipi_is_killable)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct vmon_mp_state bad = { .state = VMON_MP_RUNNABLE, .padding = 1 };
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	ASSERT_OK(create(_metadata, &t, guest_hlt_disabled));
	EXPECT_EQ(VMON_MP_RUNNABLE, test_mp_state(&t.cpu, 0, 0));
	EXPECT_ERRNO(EINVAL, test_mp_state(&t.cpu, 1, 3));
	EXPECT_ERRNO(EINVAL, test_ioctl(t.cpu.fd, VMON_SET_MP_STATE, &bad));
	ASSERT_EQ(0, test_mp_state(&t.cpu, 1, VMON_MP_WAIT_SIPI));
	EXPECT_EQ(VMON_MP_WAIT_SIPI, test_mp_state(&t.cpu, 0, 0));

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	alarm(1);
	EXPECT_ERRNO(EINTR, libvmon_cpu_run(&t.cpu));
	EXPECT_EQ(VMON_EXIT_INTR, t.cpu.run->exit_reason);
	EXPECT_EQ(VMON_MP_WAIT_SIPI, test_mp_state(&t.cpu, 0, 0));

	ASSERT_EQ(0, test_mp_state(&t.cpu, 1, VMON_MP_RUNNABLE));
	RUN_EXPECT_EXIT(&t, VMON_EXIT_HLT);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
