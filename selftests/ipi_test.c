// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interprocessor interrupts between the in-kernel local APICs of
 * several vCPUs, each run by its own thread (SDM Vol. 3A 11.6): a fixed
 * IPI waking a vCPU halted in the kernel, the shorthands, the physical
 * broadcast, logical (x2APIC cluster) destinations, lowest priority,
 * an NMI IPI waking a vCPU halted with IF = 0, and INIT / SIPI starting
 * application processors in real mode at vector << 12 (SDM Vol. 3A
 * 9.4.4), each reporting its APIC ID from there.
 */
#include <unistd.h>

#include "kselftest_harness.h"
#include "apic.h"

#define NR_CPUS		3
#define REPORT_PORT	0x2000	/* the real-mode APs' report: APIC ID in EAX */
#define SIPI_VECTOR	0x70	/* trampoline at 0x70000 */

/* per-vCPU guest state, indexed by x2APIC ID, in the guest's image */
volatile uint64_t nirq[NR_CPUS + 1];
volatile uint64_t seen[NR_CPUS + 1];	/* bit (vector - 0x50) per vector taken */
volatile uint64_t nnmi[NR_CPUS + 1];

APIC_IRQ_STUB(2);
APIC_IRQ_STUB(0x50);
APIC_IRQ_STUB(0x51);
APIC_IRQ_STUB(0x52);
APIC_IRQ_STUB(0x53);
APIC_IRQ_STUB(0x54);

void apic_guest_irq(uint64_t v)
{
	uint64_t id = x2apic_read(APIC_ID);

	if (v == 2) {
		nnmi[id]++;
		return;
	}
	seen[id] |= 1ULL << (v - 0x50);
	nirq[id]++;
	x2apic_write(APIC_EOI, 0);
}

static void check_ap(struct __test_metadata *_metadata, struct test_ap *ap)
{
	EXPECT_EQ(0, ap->r) TH_LOG("vCPU %u: VMON_RUN %d", ap->cpu.id, ap->r);
	EXPECT_EQ(UCALL_DONE, ap->cmd)
		TH_LOG("vCPU %u: %s; guest assertion %s:%llu %s: 0x%llx / 0x%llx", ap->cpu.id,
		       test_describe_exit(&ap->cpu), ap->uc.file ? ap->uc.file : "",
		       (unsigned long long)ap->uc.line, ap->uc.expr ? ap->uc.expr : "",
		       (unsigned long long)ap->uc.args[0], (unsigned long long)ap->uc.args[1]);
}

static void set_gates(struct __test_metadata *_metadata, struct test_vm *t)
{
	EXPECT_OK(test_set_gate(t, 2, apic_irq_2));
	EXPECT_OK(test_set_gate(t, 0x50, apic_irq_0x50));
	EXPECT_OK(test_set_gate(t, 0x51, apic_irq_0x51));
	EXPECT_OK(test_set_gate(t, 0x52, apic_irq_0x52));
	EXPECT_OK(test_set_gate(t, 0x53, apic_irq_0x53));
	EXPECT_OK(test_set_gate(t, 0x54, apic_irq_0x54));
}

/*
 * An AP: x2APIC on, TPR as arg says, report ready, then halt with IF = 1
 * until the vectors in arg's low byte mask have all arrived.
 */
static void guest_ap_wait(uint64_t arg)
{
	uint64_t id, want = arg & 0xff;

	guest_x2apic_enable();
	id = x2apic_read(APIC_ID);
	x2apic_write(APIC_TPR, arg >> 8);
	GUEST_SYNC(1);
	while ((seen[id] & want) != want)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	GUEST_ASSERT_EQ(want, seen[id]);
	GUEST_DONE();
}

static void start_aps(struct __test_metadata *_metadata, struct test_vm *t, struct test_ap *ap,
		      unsigned int n, const uint64_t *args, void (*guest)(uint64_t),
		      pthread_t *th)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		ap[i].t = t;
		ASSERT_OK(test_add_cpu(t, i + 1, &ap[i].cpu, guest, args[i]));
	}
	for (i = 0; i < n; i++) {
		/* the first report in this thread: the AP is set up */
		ap[i].r = libvmon_cpu_run(&ap[i].cpu);
		ASSERT_EQ(0, ap[i].r);
		ASSERT_EQ(UCALL_SYNC, test_cpu_get_ucall(t, &ap[i].cpu, &ap[i].uc))
			TH_LOG("vCPU %u: %s", i + 1, test_describe_exit(&ap[i].cpu));
		ASSERT_EQ(0, pthread_create(&th[i], NULL, test_ap_thread, &ap[i]));
	}
}

/* ---- a fixed IPI to another vCPU wakes it from HLT ---- */

static void guest_bsp_fixed(uint64_t arg)
{
	guest_x2apic_enable();
	x2apic_write(APIC_ICR, (1ULL << 32) | ICR_DM_FIXED | 0x50);
	GUEST_DONE();
}

TEST(fixed_ipi_wakes_halted_vcpu)
{
	const uint64_t args[] = { 1 << 0 };
	struct test_vm t;
	struct test_ap ap[1];
	pthread_t th[1];
	struct ucall uc;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_bsp_fixed, 0));
	set_gates(_metadata, &t);
	start_aps(_metadata, &t, ap, 1, args, guest_ap_wait, th);
	usleep(100 * 1000);	/* let the AP reach its HLT */
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	pthread_join(th[0], NULL);
	check_ap(_metadata, &ap[0]);
	libvmon_cpu_destroy(&ap[0].cpu);
	test_vm_destroy(&t);
}

/* ---- shorthands, broadcast, logical, lowest priority ---- */

static void guest_bsp_many(uint64_t arg)
{
	guest_x2apic_enable();
	__asm__ volatile("cli");
	/* first, while both APs are idle: ID 1 and 2; 1 has TPR 0x40, 2 wins */
	x2apic_write(APIC_ICR, (6ULL << 32) | ICR_LOGICAL | ICR_DM_LOWEST | 0x54);
	x2apic_write(APIC_ICR, ICR_OTHERS | 0x50);			/* 1, 2 */
	x2apic_write(APIC_ICR, (0xffffffffULL << 32) | 0x51);		/* all */
	x2apic_write(APIC_ICR, (4ULL << 32) | ICR_LOGICAL | 0x52);	/* cluster 0, ID 2 */
	x2apic_write(APIC_ICR, ICR_SELF | 0x53);			/* 0 */
	__asm__ volatile("sti; nop; cli" ::: "memory");
	GUEST_ASSERT_EQ(2, nirq[0]);
	GUEST_ASSERT_EQ((1 << 1) | (1 << 3), seen[0]);
	GUEST_DONE();
}

TEST(shorthands_broadcast_logical_and_lowest_priority)
{
	/* AP 1: 0x50, 0x51 with TPR 0x40; AP 2: 0x50, 0x51, 0x52, 0x54 */
	const uint64_t args[] = { 0x4000 | 0x03, 0x17 };
	struct test_vm t;
	struct test_ap ap[2];
	pthread_t th[2];
	struct ucall uc;
	unsigned int i;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_bsp_many, 0));
	set_gates(_metadata, &t);
	start_aps(_metadata, &t, ap, 2, args, guest_ap_wait, th);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		check_ap(_metadata, &ap[i]);
		libvmon_cpu_destroy(&ap[i].cpu);
	}
	test_vm_destroy(&t);
}

/* ---- an NMI IPI wakes a vCPU halted with IF = 0 ---- */

static void guest_ap_nmi(uint64_t arg)
{
	uint64_t id;

	guest_x2apic_enable();
	id = x2apic_read(APIC_ID);
	GUEST_SYNC(1);
	while (!nnmi[id])
		__asm__ volatile("cli; hlt" ::: "memory");
	GUEST_DONE();
}

static void guest_bsp_nmi(uint64_t arg)
{
	guest_x2apic_enable();
	x2apic_write(APIC_ICR, (1ULL << 32) | ICR_DM_NMI);
	GUEST_DONE();
}

TEST(nmi_ipi_wakes_vcpu_halted_with_interrupts_off)
{
	const uint64_t args[] = { 0 };
	struct test_vm t;
	struct test_ap ap[1];
	pthread_t th[1];
	struct ucall uc;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_bsp_nmi, 0));
	set_gates(_metadata, &t);
	start_aps(_metadata, &t, ap, 1, args, guest_ap_nmi, th);
	usleep(100 * 1000);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	pthread_join(th[0], NULL);
	check_ap(_metadata, &ap[0]);
	libvmon_cpu_destroy(&ap[0].cpu);
	test_vm_destroy(&t);
}

/* ---- INIT / SIPI ---- */

/* real mode at 0x7000:0000: report CPUID.01H:EBX[31:24] (the APIC ID), then halt */
GUEST_BLOB(trampoline, 16,
	"	movl $1, %eax\n"
	"	cpuid\n"
	"	shrl $24, %ebx\n"
	"	movl %ebx, %eax\n"
	"	movw $0x2000, %dx\n"
	"	outl %eax, %dx\n"
	"1:	hlt\n"
	"	jmp 1b\n");

static void guest_bsp_init_sipi(uint64_t arg)
{
	guest_x2apic_enable();
	/* SDM Vol. 3A 9.4.4.1: INIT assert, INIT de-assert, SIPI, SIPI */
	x2apic_write(APIC_ICR, ICR_OTHERS | ICR_DM_INIT | ICR_ASSERT | ICR_LEVEL);
	x2apic_write(APIC_ICR, ICR_OTHERS | ICR_DM_INIT | ICR_LEVEL);
	x2apic_write(APIC_ICR, ICR_OTHERS | ICR_DM_SIPI | SIPI_VECTOR);
	x2apic_write(APIC_ICR, ICR_OTHERS | ICR_DM_SIPI | SIPI_VECTOR);
	GUEST_DONE();
}

static void *ap_sipi_thread(void *arg)
{
	struct test_ap *ap = arg;

	ap->r = libvmon_cpu_run(&ap->cpu);
	return NULL;
}

TEST(init_sipi_start_application_processors)
{
	struct vmon_sregs sregs;
	struct test_vm t;
	struct test_ap ap[NR_CPUS];
	pthread_t th[NR_CPUS];
	struct ucall uc;
	unsigned int i;
	void *dst;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_bsp_init_sipi, 0));
	dst = libvmon_gpa_to_hva(&t.vm, SIPI_VECTOR << 12, trampoline_end - trampoline);
	ASSERT_TRUE(dst != NULL);
	memcpy(dst, trampoline, trampoline_end - trampoline);
	for (i = 0; i < NR_CPUS; i++) {
		ap[i].t = &t;
		ASSERT_OK(libvmon_cpu_create(&t.vm, i + 1, &ap[i].cpu));
		/* as at power-up: application processors wait for a SIPI */
		ASSERT_EQ(0, test_mp_state(&ap[i].cpu, 1, VMON_MP_WAIT_SIPI));
		ASSERT_EQ(0, pthread_create(&th[i], NULL, ap_sipi_thread, &ap[i]));
	}
	usleep(100 * 1000);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	for (i = 0; i < NR_CPUS; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, ap[i].r);
		ASSERT_IO(&(struct test_vm){ .cpu = ap[i].cpu }, REPORT_PORT, 4, VMON_IO_OUT);
		EXPECT_EQ(i + 1, ap[i].cpu.run->io.data);
		ASSERT_OK(libvmon_get_sregs(&ap[i].cpu, &sregs));
		EXPECT_EQ(SIPI_VECTOR << 8, sregs.cs.selector);
		EXPECT_EQ(SIPI_VECTOR << 12, sregs.cs.base);
		EXPECT_EQ(0, sregs.cr0 & 1) TH_LOG("CR0 0x%llx", (unsigned long long)sregs.cr0);
		EXPECT_EQ(VMON_MP_RUNNABLE, test_mp_state(&ap[i].cpu, 0, 0));
		/* the APIC of an AP after INIT is software-disabled: HLT exits */
		RUN_EXPECT_EXIT(&(struct test_vm){ .cpu = ap[i].cpu }, VMON_EXIT_HLT);
		libvmon_cpu_destroy(&ap[i].cpu);
	}
	/* the BSP got no INIT: it is still running */
	EXPECT_EQ(VMON_MP_RUNNABLE, test_mp_state(&t.cpu, 0, 0));
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
