// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the 82093AA I/O APIC (devices/ioapic.c) through the
 * MMIO bus and the machine's interrupt lines, with the MSIs it sends
 * captured instead of handed to the kernel: register semantics,
 * masking, edge and level triggering, Remote IRR and the re-send after
 * EOI, and the MSI address/data of SDM Vol. 3A 11.11.
 */
#include <fcntl.h>

#include "kselftest_harness.h"
#include "devices/devices.h"
#include "devices/ioapic.h"
#include "machine.h"

#include "msi_log.h"

FIXTURE(ioapic) {
	struct vmon_machine m;
	struct msi_log log;
	int pipe[2];
};

FIXTURE_SETUP(ioapic)
{
	ASSERT_EQ(0, pipe2(self->pipe, O_NONBLOCK));
	memset(&self->log, 0, sizeof(self->log));
	machine_init(&self->m, self->pipe[1]);
	ASSERT_EQ(0, machine_add_devices(&self->m));
	machine_set_hooks(&self->m, &test_hooks, &self->log);
}

FIXTURE_TEARDOWN(ioapic)
{
	machine_destroy(&self->m);
	close(self->pipe[0]);
	close(self->pipe[1]);
}

static void sel(struct vmon_machine *m, uint8_t reg)
{
	uint8_t v = reg;

	machine_mmio(m, IOAPIC_BASE + IOAPIC_REGSEL, &v, 1, true);
}

static uint32_t rd(struct vmon_machine *m, uint8_t reg)
{
	uint32_t v = 0;

	sel(m, reg);
	machine_mmio(m, IOAPIC_BASE + IOAPIC_WIN, &v, 4, false);
	return v;
}

static void wr(struct vmon_machine *m, uint8_t reg, uint32_t v)
{
	sel(m, reg);
	machine_mmio(m, IOAPIC_BASE + IOAPIC_WIN, &v, 4, true);
}

/* as Linux's ioapic_write_entry(): high half first, then low */
static void set_rte(struct vmon_machine *m, unsigned int pin, uint64_t rte)
{
	wr(m, IOAPIC_REG_REDTBL + 2 * pin + 1, (uint32_t)(rte >> 32));
	wr(m, IOAPIC_REG_REDTBL + 2 * pin, (uint32_t)rte);
}

static uint64_t get_rte(struct vmon_machine *m, unsigned int pin)
{
	return (uint64_t)rd(m, IOAPIC_REG_REDTBL + 2 * pin + 1) << 32 |
	       rd(m, IOAPIC_REG_REDTBL + 2 * pin);
}

static void line(struct vmon_machine *m, unsigned int irq, bool level)
{
	machine_lock(m);
	machine_set_irq(m, irq, level);
	machine_unlock(m);
}

static void eoi(struct vmon_machine *m, uint8_t vector)
{
	machine_lock(m);
	machine_eoi(m, vector);
	machine_unlock(m);
}

#define DEST(apic)	((uint64_t)(apic) << IOAPIC_RTE_DEST_SHIFT)
#define LEVEL_HIGH	IOAPIC_RTE_LEVEL

TEST_F(ioapic, version_id_and_arbitration_registers)
{
	/* version 0x11, highest entry 23 (82093AA 3.2.2) */
	EXPECT_EQ(0x00170011, rd(&self->m, IOAPIC_REG_VER));
	wr(&self->m, IOAPIC_REG_VER, 0);
	EXPECT_EQ(0x00170011, rd(&self->m, IOAPIC_REG_VER));
	/* ID 0 at reset, the MADT's I/O APIC ID */
	EXPECT_EQ(0, rd(&self->m, IOAPIC_REG_ID));
	EXPECT_EQ(0, rd(&self->m, IOAPIC_REG_ARB));
	/* only bits 27:24 of the ID exist; ARB is loaded from it */
	wr(&self->m, IOAPIC_REG_ID, 0xffffffff);
	EXPECT_EQ(0x0f000000, rd(&self->m, IOAPIC_REG_ID));
	EXPECT_EQ(0x0f000000, rd(&self->m, IOAPIC_REG_ARB));
	wr(&self->m, IOAPIC_REG_ARB, 0);
	EXPECT_EQ(0x0f000000, rd(&self->m, IOAPIC_REG_ARB));
	/* IOREGSEL reads back; registers that do not exist read 0 */
	sel(&self->m, 0x40);
	EXPECT_EQ(0x40, ({ uint8_t v; machine_mmio(&self->m, IOAPIC_BASE, &v, 1, false); v; }));
	EXPECT_EQ(0, rd(&self->m, 0x40));
	EXPECT_EQ(0, rd(&self->m, 0x03));
}

TEST_F(ioapic, entries_reset_masked_and_keep_read_only_bits)
{
	unsigned int pin;

	for (pin = 0; pin < IOAPIC_PINS; pin++)
		EXPECT_EQ(IOAPIC_RTE_MASK, get_rte(&self->m, pin));
	/* delivery status and Remote IRR are read-only; high half is bits 63:56 only */
	set_rte(&self->m, 5, 0xffffffffffffffffull);
	EXPECT_EQ(0xff0000000001afffull, get_rte(&self->m, 5));
	/* a narrower write to IOWIN is ignored (DWORD only, 3.1) */
	sel(&self->m, IOAPIC_REG_REDTBL + 2 * 6);
	machine_mmio(&self->m, IOAPIC_BASE + IOAPIC_WIN, &(uint8_t){ 0x41 }, 1, true);
	EXPECT_EQ(IOAPIC_RTE_MASK, get_rte(&self->m, 6));
}

TEST_F(ioapic, pit_irq0_arrives_on_pin_2_once_per_edge)
{
	EXPECT_EQ(2, ioapic_isa_gsi(0));
	EXPECT_EQ(4, ioapic_isa_gsi(4));
	set_rte(&self->m, 2, DEST(3) | 0x30);
	machine_lock(&self->m);
	machine_pulse_irq(&self->m, 0);
	machine_pulse_irq(&self->m, 0);
	machine_unlock(&self->m);
	ASSERT_EQ(2, self->log.n);
	/* fixed, physical destination 3, edge: 0xFEE03000 / 0x4030 */
	EXPECT_EQ(0xfee03000, self->log.address[0]);
	EXPECT_EQ(0x4030, self->log.data[0]);
	/* a held line is no new edge; nothing sets Remote IRR for edge */
	line(&self->m, 0, true);
	line(&self->m, 0, true);
	EXPECT_EQ(3, self->log.n);
	EXPECT_EQ(0, get_rte(&self->m, 2) & IOAPIC_RTE_REMOTE_IRR);
}

TEST_F(ioapic, masked_edge_is_lost)
{
	set_rte(&self->m, 4, IOAPIC_RTE_MASK | 0x34);
	line(&self->m, 4, true);
	line(&self->m, 4, false);
	set_rte(&self->m, 4, 0x34);
	EXPECT_EQ(0, self->log.n);
	line(&self->m, 4, true);
	EXPECT_EQ(1, self->log.n);
}

TEST_F(ioapic, level_sets_remote_irr_until_eoi_then_resends)
{
	set_rte(&self->m, 9, DEST(1) | LEVEL_HIGH | 0x49);
	line(&self->m, 9, true);
	ASSERT_EQ(1, self->log.n);
	EXPECT_EQ(0xfee01000, self->log.address[0]);
	EXPECT_EQ(0xc049, self->log.data[0]);		/* level, assert */
	EXPECT_NE(0, get_rte(&self->m, 9) & IOAPIC_RTE_REMOTE_IRR);
	/* in service: no re-send while the line stays up */
	line(&self->m, 9, true);
	EXPECT_EQ(1, self->log.n);
	/* an EOI of another vector changes nothing */
	eoi(&self->m, 0x48);
	EXPECT_EQ(1, self->log.n);
	/* EOI with the line still asserted: sent again */
	eoi(&self->m, 0x49);
	EXPECT_EQ(2, self->log.n);
	EXPECT_NE(0, get_rte(&self->m, 9) & IOAPIC_RTE_REMOTE_IRR);
	/* deasserted before the EOI: Remote IRR clears, nothing is sent */
	line(&self->m, 9, false);
	eoi(&self->m, 0x49);
	EXPECT_EQ(2, self->log.n);
	EXPECT_EQ(0, get_rte(&self->m, 9) & IOAPIC_RTE_REMOTE_IRR);
}

TEST_F(ioapic, unmasking_an_asserted_level_pin_sends_it)
{
	set_rte(&self->m, 10, IOAPIC_RTE_MASK | LEVEL_HIGH | 0x50);
	line(&self->m, 10, true);
	EXPECT_EQ(0, self->log.n);
	EXPECT_EQ(0, get_rte(&self->m, 10) & IOAPIC_RTE_REMOTE_IRR);
	set_rte(&self->m, 10, LEVEL_HIGH | 0x50);
	EXPECT_EQ(1, self->log.n);
	/* masking keeps Remote IRR; EOI while masked sends nothing */
	set_rte(&self->m, 10, IOAPIC_RTE_MASK | LEVEL_HIGH | 0x50);
	EXPECT_NE(0, get_rte(&self->m, 10) & IOAPIC_RTE_REMOTE_IRR);
	eoi(&self->m, 0x50);
	EXPECT_EQ(1, self->log.n);
	EXPECT_EQ(0, get_rte(&self->m, 10) & IOAPIC_RTE_REMOTE_IRR);
}

/* Linux's __eoi_ioapic_pin() without an EOI register: edge, then level again */
TEST_F(ioapic, switching_to_edge_clears_remote_irr)
{
	set_rte(&self->m, 11, LEVEL_HIGH | 0x51);
	line(&self->m, 11, true);
	ASSERT_EQ(1, self->log.n);
	set_rte(&self->m, 11, IOAPIC_RTE_MASK | 0x51);
	EXPECT_EQ(0, get_rte(&self->m, 11) & IOAPIC_RTE_REMOTE_IRR);
	set_rte(&self->m, 11, LEVEL_HIGH | 0x51);
	/* unmasked, still asserted, not in service: sent again */
	EXPECT_EQ(2, self->log.n);
}

TEST_F(ioapic, active_low_polarity_inverts_the_input)
{
	/* an active-low level pin with its line low is asserted */
	set_rte(&self->m, 12, IOAPIC_RTE_POLARITY | LEVEL_HIGH | 0x5c);
	EXPECT_EQ(1, self->log.n);
	line(&self->m, 12, true);		/* deasserts */
	eoi(&self->m, 0x5c);
	EXPECT_EQ(1, self->log.n);
	line(&self->m, 12, false);		/* asserts again */
	EXPECT_EQ(2, self->log.n);
}

TEST_F(ioapic, both_chips_see_every_isa_line)
{
	uint8_t v;

	/* PIC: ICW1-4 with vectors 0x30, IRQ 4 unmasked */
	v = 0x11; machine_pio(&self->m, 0x20, &v, 1, true);
	v = 0x30; machine_pio(&self->m, 0x21, &v, 1, true);
	v = 0x04; machine_pio(&self->m, 0x21, &v, 1, true);
	v = 0x01; machine_pio(&self->m, 0x21, &v, 1, true);
	v = 0xef; machine_pio(&self->m, 0x21, &v, 1, true);
	set_rte(&self->m, 4, DEST(0) | 0x24);
	line(&self->m, 4, true);
	EXPECT_EQ(1, self->log.n);
	EXPECT_TRUE(machine_irq_pending(&self->m));
}

TEST(msi_encoding)
{
	uint64_t a;
	uint32_t d;

	/* lowest priority, logical destination 0x0f, level */
	ASSERT_TRUE(ioapic_rte_to_msi(DEST(0x0f) | IOAPIC_RTE_DESTMODE | LEVEL_HIGH |
				      (uint64_t)IOAPIC_DM_LOWEST << 8 | 0x61, &a, &d));
	EXPECT_EQ(0xfee0f004, a);
	EXPECT_EQ(0xc161, d);
	/* NMI and INIT: edge, the vector field means nothing */
	ASSERT_TRUE(ioapic_rte_to_msi(DEST(2) | LEVEL_HIGH | (uint64_t)IOAPIC_DM_NMI << 8 | 0x99,
				      &a, &d));
	EXPECT_EQ(0xfee02000, a);
	EXPECT_EQ(0x4400, d);
	ASSERT_TRUE(ioapic_rte_to_msi((uint64_t)IOAPIC_DM_INIT << 8, &a, &d));
	EXPECT_EQ(0x4500, d);
	/* broadcast destination 0xff passes through */
	ASSERT_TRUE(ioapic_rte_to_msi(DEST(0xff) | 0x20, &a, &d));
	EXPECT_EQ(0xfeeff000, a);
	/* SMI, ExtINT and the reserved modes are no message to a local APIC */
	EXPECT_FALSE(ioapic_rte_to_msi((uint64_t)IOAPIC_DM_SMI << 8, &a, &d));
	EXPECT_FALSE(ioapic_rte_to_msi((uint64_t)IOAPIC_DM_EXTINT << 8, &a, &d));
	EXPECT_FALSE(ioapic_rte_to_msi(3ull << 8, &a, &d));
	EXPECT_FALSE(ioapic_rte_to_msi(6ull << 8, &a, &d));
}

TEST_F(ioapic, nmi_pin_is_edge_whatever_the_trigger_bit)
{
	set_rte(&self->m, 13, LEVEL_HIGH | (uint64_t)IOAPIC_DM_NMI << 8);
	line(&self->m, 13, true);
	line(&self->m, 13, true);
	EXPECT_EQ(1, self->log.n);
	EXPECT_EQ(0, get_rte(&self->m, 13) & IOAPIC_RTE_REMOTE_IRR);
	line(&self->m, 13, false);
	line(&self->m, 13, true);
	EXPECT_EQ(2, self->log.n);
}

TEST_HARNESS_MAIN
