// SPDX-License-Identifier: GPL-2.0-only
/*
 * The in-kernel local APIC in xAPIC mode: the register page at
 * IA32_APIC_BASE, accessed with MOVs the kernel emulates (SDM Vol. 3A
 * 11.4.1).  ID in bits 31:24, the version, DFR with its reserved ones,
 * LDR, read-only PPR, the two halves of the ICR, self IPIs and EOI;
 * logical destinations in the flat and the cluster model (11.6.2.2)
 * and the physical broadcast 0xFF, between three vCPUs on their own
 * threads; a relocated APIC page.
 */
#include <unistd.h>

#include "kselftest_harness.h"
#include "apic.h"

#define XAPIC_GPA	0xfee00000ULL
#define MOVED_GPA	0xfed00000ULL

volatile uint64_t apic_page = XAPIC_GPA;	/* where the guest's APIC is */
volatile uint64_t nirq[4];
volatile uint64_t seen[4];	/* bit (vector - 0x50) per vector taken, by xAPIC ID */

static inline uint32_t xapic_read(uint32_t off)
{
	return *(volatile uint32_t *)(uintptr_t)(apic_page + off);
}

static inline void xapic_write(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)(apic_page + off) = v;
}

static inline int xapic_bit(uint32_t off, unsigned int v)
{
	return (xapic_read(off + 0x10 * (v / 32)) >> (v % 32)) & 1;
}

/* ICR2 (destination), then the low half, which sends (11.6.1) */
static inline void xapic_ipi(uint8_t dest, uint32_t low)
{
	xapic_write(APIC_ICR + 0x10, (uint32_t)dest << 24);
	xapic_write(APIC_ICR, low);
}

APIC_IRQ_STUB(0x50);
APIC_IRQ_STUB(0x51);
APIC_IRQ_STUB(0x52);
APIC_IRQ_STUB(0x53);
APIC_IRQ_STUB(0x54);

void apic_guest_irq(uint64_t v)
{
	uint32_t id = xapic_read(APIC_ID) >> 24;

	if (id < 4) {
		seen[id] |= 1ULL << (v - 0x50);
		nirq[id]++;
	}
	xapic_write(APIC_EOI, 0);
}

static void set_gates(struct __test_metadata *_metadata, struct test_vm *t)
{
	EXPECT_OK(test_set_gate(t, 0x50, apic_irq_0x50));
	EXPECT_OK(test_set_gate(t, 0x51, apic_irq_0x51));
	EXPECT_OK(test_set_gate(t, 0x52, apic_irq_0x52));
	EXPECT_OK(test_set_gate(t, 0x53, apic_irq_0x53));
	EXPECT_OK(test_set_gate(t, 0x54, apic_irq_0x54));
}

/* ---- the registers ---- */

static void guest_registers(uint64_t arg)
{
	unsigned int i;

	GUEST_ASSERT_EQ(0, xapic_read(APIC_ID));
	GUEST_ASSERT_EQ(0x50014, xapic_read(APIC_LVR));
	GUEST_ASSERT_EQ(0xffffffff, xapic_read(APIC_DFR));
	GUEST_ASSERT_EQ(0, xapic_read(APIC_LDR));
	GUEST_ASSERT_EQ(0xff, xapic_read(APIC_SVR));
	GUEST_ASSERT_EQ(0x700, xapic_read(APIC_LVT0));
	/* DFR: bits 27:0 read as ones; LDR: only 31:24 */
	xapic_write(APIC_DFR, 0);
	GUEST_ASSERT_EQ(0x0fffffff, xapic_read(APIC_DFR));
	xapic_write(APIC_DFR, 0xffffffff);
	xapic_write(APIC_LDR, 0x01ffffff);
	GUEST_ASSERT_EQ(0x01000000, xapic_read(APIC_LDR));
	/* the version and the PPR ignore writes */
	xapic_write(APIC_LVR, 0);
	xapic_write(APIC_PPR, 0x80);
	GUEST_ASSERT_EQ(0x50014, xapic_read(APIC_LVR));
	GUEST_ASSERT_EQ(0, xapic_read(APIC_PPR));
	xapic_write(APIC_SVR, 0x1ff);
	xapic_write(APIC_TPR, 0x2f);
	GUEST_ASSERT_EQ(0x2f, xapic_read(APIC_TPR));
	GUEST_ASSERT_EQ(0x2f, xapic_read(APIC_PPR));
	xapic_write(APIC_TPR, 0);

	/* a self IPI through ICR2 + ICR, taken, then EOI through the page */
	__asm__ volatile("cli");
	xapic_ipi(0, ICR_SELF | 0x52);
	GUEST_ASSERT(xapic_bit(APIC_IRR, 0x52));
	GUEST_ASSERT_EQ(0x52 | ICR_SELF, xapic_read(APIC_ICR));	/* idle: bit 12 clear */
	/* to the own physical ID, through the destination field */
	xapic_ipi(0, 0x51);
	__asm__ volatile("sti; nop; cli" ::: "memory");
	GUEST_ASSERT_EQ(2, nirq[0]);
	GUEST_ASSERT_EQ((1 << 1) | (1 << 2), seen[0]);
	for (i = 0; i < 8; i++)
		GUEST_ASSERT_EQ(0, xapic_read(APIC_ISR + 0x10 * i));

	/* ESR: an illegal vector shows after the next write (11.5.3) */
	xapic_write(APIC_ESR, 0);
	xapic_ipi(0, ICR_SELF | 7);
	xapic_write(APIC_ESR, 0);
	GUEST_ASSERT_EQ(0x20, xapic_read(APIC_ESR));

	/* the ID is writable in xAPIC mode (11.4.6) */
	xapic_write(APIC_ID, 0x03000000);
	GUEST_ASSERT_EQ(0x03000000, xapic_read(APIC_ID));
	xapic_write(APIC_ID, 0);

	/* relocated: the old page is no longer the APIC's */
	guest_wrmsr(MSR_APIC_BASE, MOVED_GPA | APIC_BASE_EN | APIC_BASE_BSP);
	apic_page = MOVED_GPA;
	GUEST_ASSERT_EQ(0x50014, xapic_read(APIC_LVR));
	GUEST_SYNC(1);
	(void)*(volatile uint32_t *)(uintptr_t)(XAPIC_GPA + APIC_LVR);
	GUEST_DONE();
}

TEST(xapic_registers_through_the_page)
{
	struct test_vm t;
	struct ucall uc;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_registers, 0));
	set_gates(_metadata, &t);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	/* the old APIC page after relocation is userspace's MMIO */
	RUN_EXPECT_EXIT(&t, VMON_EXIT_MMIO);
	EXPECT_EQ(XAPIC_GPA + APIC_LVR, t.cpu.run->mmio.gpa);
	test_vm_destroy(&t);
}

/* ---- logical destinations, flat and cluster; broadcast ---- */

/*
 * An AP: arg = DFR model << 16 | logical ID << 8 | vectors it waits for.
 * The vectors are checked exactly: one more would be misrouted.
 */
static void guest_ap(uint64_t arg)
{
	uint32_t id = xapic_read(APIC_ID) >> 24;
	uint64_t want = arg & 0xff;

	xapic_write(APIC_DFR, (arg >> 16) & 1 ? 0xffffffff : 0x0fffffff);
	xapic_write(APIC_LDR, ((arg >> 8) & 0xff) << 24);
	xapic_write(APIC_SVR, 0x1ff);
	GUEST_SYNC(1);
	while ((seen[id] & want) != want)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	GUEST_ASSERT_EQ(want, seen[id]);
	GUEST_DONE();
}

static void guest_bsp(uint64_t flat)
{
	xapic_write(APIC_SVR, 0x1ff);
	__asm__ volatile("cli");
	if (flat) {
		xapic_ipi(0x06, ICR_LOGICAL | 0x50);	/* flat: IDs 2 and 4 */
		xapic_ipi(0x04, ICR_LOGICAL | 0x51);	/* 4 only */
		xapic_ipi(0x08, ICR_LOGICAL | 0x54);	/* nobody */
	} else {
		xapic_ipi(0x13, ICR_LOGICAL | 0x50);	/* cluster 1, members 0 and 1 */
		xapic_ipi(0x12, ICR_LOGICAL | 0x51);	/* cluster 1, member 1 */
		xapic_ipi(0x21, ICR_LOGICAL | 0x54);	/* cluster 2: nobody */
	}
	xapic_ipi(0xff, 0x53);				/* physical broadcast */
	__asm__ volatile("sti; nop; cli" ::: "memory");
	GUEST_ASSERT_EQ(1 << 3, seen[0]);
	GUEST_DONE();
}

static void logical(struct __test_metadata *_metadata, bool flat)
{
	/* AP 1: 0x50, 0x53; AP 2: 0x50, 0x51, 0x53 */
	const uint64_t args[2] = {
		flat ? 0x10000 | 0x0200 | 0x09 : 0x1100 | 0x09,
		flat ? 0x10000 | 0x0400 | 0x0b : 0x1200 | 0x0b,
	};
	struct test_vm t;
	struct test_ap ap[2];
	pthread_t th[2];
	struct ucall uc;
	unsigned int i;

	ASSERT_OK(test_vm_create_c(&t, guest_bsp, flat));
	set_gates(_metadata, &t);
	for (i = 0; i < 2; i++) {
		ap[i].t = &t;
		ASSERT_OK(test_add_cpu(&t, i + 1, &ap[i].cpu, guest_ap, args[i]));
		ASSERT_EQ(0, libvmon_cpu_run(&ap[i].cpu));
		ASSERT_EQ(UCALL_SYNC, test_cpu_get_ucall(&t, &ap[i].cpu, &ap[i].uc))
			TH_LOG("vCPU %u: %s", i + 1, test_describe_exit(&ap[i].cpu));
		ASSERT_EQ(0, pthread_create(&th[i], NULL, test_ap_thread, &ap[i]));
	}
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0, ap[i].r);
		EXPECT_EQ(UCALL_DONE, ap[i].cmd)
			TH_LOG("vCPU %u: %s (assertion line %llu: 0x%llx, 0x%llx)", i + 1,
			       test_describe_exit(&ap[i].cpu), (unsigned long long)ap[i].uc.line,
			       (unsigned long long)ap[i].uc.args[0],
			       (unsigned long long)ap[i].uc.args[1]);
		libvmon_cpu_destroy(&ap[i].cpu);
	}
	test_vm_destroy(&t);
}

TEST(logical_flat_and_broadcast)
{
	SKIP_IF_NO_VMON();
	logical(_metadata, true);
}

TEST(logical_cluster_and_broadcast)
{
	SKIP_IF_NO_VMON();
	logical(_metadata, false);
}

/* the xAPIC ID of vCPU n is n << 24 (SDM Vol. 3A 11.4.6) */
TEST(xapic_id_of_each_vcpu)
{
	struct vmon_lapic_state s;
	struct vmon_cpu cpu;
	struct test_vm t;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_LONG));
	ASSERT_OK(libvmon_cpu_create(&t.vm, 5, &cpu));
	ASSERT_OK(test_get_lapic(&cpu, &s));
	EXPECT_EQ(5u << 24, lapic_reg(&s, APIC_ID));
	/* not the BSP: no BSP flag, LINT0 masked */
	EXPECT_EQ(0xfee00800, s.apic_base);
	EXPECT_EQ(0x10000, lapic_reg(&s, APIC_LVT0));
	libvmon_cpu_destroy(&cpu);
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
