// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the ACPI fixed hardware (devices/acpi_pm.c) at the
 * ports the FADT names: the PM timer's rate and width, TMR_STS and its
 * SCI, the PM1 registers' write semantics, S5 ending the run, and the
 * FADT's reset register resetting the machine (devices/pci_conf1.c).
 */
#include <fcntl.h>

#include "kselftest_harness.h"
#include "acpi.h"
#include "devices/devices.h"
#include "loaders/loaders.h"
#include "machine.h"
#include "vmon.h"
#include "test_util.h"

#define NS_PER_SEC	1000000000ULL

static uint64_t fake_now;

static uint64_t fake_clock(void)
{
	return fake_now;
}

/* an interrupt controller that records the SCI's line */
static int sci_level = -1;
static unsigned int sci_changes;

static void fake_set_irq(void *chip, unsigned int irq, bool level)
{
	if (irq != ACPI_SCI_IRQ)
		return;
	sci_level = level;
	sci_changes++;
}

static bool fake_pending(void *chip)
{
	return false;
}

static uint8_t fake_ack(void *chip)
{
	return 0;
}

static const struct irqchip_ops fake_chip = {
	.set_irq = fake_set_irq,
	.pending = fake_pending,
	.ack = fake_ack,
};

FIXTURE(pm) {
	struct vmon_machine m;
	int pipe[2];
};

FIXTURE_SETUP(pm)
{
	ASSERT_EQ(0, pipe2(self->pipe, O_NONBLOCK));
	fake_now = 5 * NS_PER_SEC;
	machine_init(&self->m, self->pipe[1]);
	self->m.clock = fake_clock;
	ASSERT_EQ(0, machine_add_devices(&self->m));
	self->m.irqchip = &fake_chip;
	sci_level = -1;
	sci_changes = 0;
}

FIXTURE_TEARDOWN(pm)
{
	machine_destroy(&self->m);
	close(self->pipe[0]);
	close(self->pipe[1]);
}

static uint32_t in(struct vmon_machine *m, uint16_t port, unsigned int size)
{
	uint32_t v = 0;

	bus_access(&m->pio, port, &v, size, false);
	return v;
}

static void out(struct vmon_machine *m, uint16_t port, unsigned int size, uint32_t v)
{
	bus_access(&m->pio, port, &v, size, true);
}

#define STS	ACPI_PM1_EVT_BLK
#define EN	(ACPI_PM1_EVT_BLK + 2)
#define CNT	ACPI_PM1_CNT_BLK
#define TMR	ACPI_PM_TMR_BLK

/* 3.579545 MHz from the machine clock, 32 bits wide */
TEST_F(pm, timer_rate_and_width)
{
	uint32_t t0 = in(&self->m, TMR, 4), t1;

	EXPECT_EQ(0, t0);				/* counts from attach */
	fake_now += NS_PER_SEC;
	t1 = in(&self->m, TMR, 4);
	EXPECT_EQ(3579545, t1 - t0);
	fake_now += NS_PER_SEC / 1000;			/* 1 ms: 3579.545 ticks */
	EXPECT_EQ(3579545 + 3579, in(&self->m, TMR, 4));
	/* a 16-bit read is the low half, byte reads the bytes */
	EXPECT_EQ((3579545 + 3579) & 0xffff, in(&self->m, TMR, 2));
	EXPECT_EQ(((3579545 + 3579) >> 16) & 0xff, in(&self->m, TMR + 2, 1));
	/* 2^32 ticks later (20 minutes) it has wrapped to the same value */
	fake_now += (uint64_t)((((__uint128_t)1 << 32) * NS_PER_SEC) / ACPI_PM_TIMER_HZ) + 1;
	EXPECT_EQ(3579545 + 3579, in(&self->m, TMR, 4));
	/* read only */
	out(&self->m, TMR, 4, 0);
	EXPECT_NE(0, in(&self->m, TMR, 4));
	/* and after days of host uptime, still exact */
	fake_now = 5 * NS_PER_SEC + 86400 * NS_PER_SEC * 10;
	EXPECT_EQ((uint32_t)(864000ULL * 3579545), in(&self->m, TMR, 4));
}

/* TMR_STS: set when bit 31 changes, write 1 to clear; an SCI with TMR_EN */
TEST_F(pm, timer_status_and_sci)
{
	uint64_t half = (uint64_t)((((__uint128_t)1 << 31) * NS_PER_SEC) /
				   ACPI_PM_TIMER_HZ);
	uint64_t deadline;

	EXPECT_EQ(0, in(&self->m, STS, 2));
	fake_now += half - 1000;
	EXPECT_EQ(0, in(&self->m, STS, 2) & ACPI_PM1_TMR_STS);
	fake_now += 2000;				/* bit 31 set */
	EXPECT_EQ(ACPI_PM1_TMR_STS, in(&self->m, STS, 2));
	EXPECT_NE(1, sci_level);			/* not enabled: no SCI */
	out(&self->m, STS, 2, 0);			/* writing 0 clears nothing */
	EXPECT_EQ(ACPI_PM1_TMR_STS, in(&self->m, STS, 2));
	out(&self->m, STS, 2, ACPI_PM1_TMR_STS);
	EXPECT_EQ(0, in(&self->m, STS, 2));

	/* enabled: the machine timer sets it at the next change of bit 31 */
	out(&self->m, EN, 2, ACPI_PM1_TMR_EN);
	EXPECT_EQ(ACPI_PM1_TMR_EN, in(&self->m, EN, 2));
	EXPECT_NE(1, sci_level);
	/* tick 2^32: the first machine-clock ns at or after it */
	deadline = machine_run_timers(&self->m);
	EXPECT_EQ(5 * NS_PER_SEC + (uint64_t)((((__uint128_t)1 << 32) * NS_PER_SEC +
					       ACPI_PM_TIMER_HZ - 1) / ACPI_PM_TIMER_HZ),
		  deadline);
	fake_now = deadline - 1;
	machine_run_timers(&self->m);
	EXPECT_NE(1, sci_level);
	fake_now = deadline;
	machine_run_timers(&self->m);
	EXPECT_EQ(1, sci_level);
	EXPECT_EQ(ACPI_PM1_TMR_STS, in(&self->m, STS, 2));
	/* the handler clears the status: the level drops */
	out(&self->m, STS, 2, ACPI_PM1_TMR_STS);
	EXPECT_EQ(0, sci_level);
	/* disabling while the status is set also drops the SCI */
	fake_now += 2 * half;
	machine_run_timers(&self->m);
	EXPECT_EQ(1, sci_level);
	out(&self->m, EN, 2, 0);
	EXPECT_EQ(0, sci_level);
}

/* the enable register keeps the defined bits; the status clears per bit */
TEST_F(pm, pm1_enable_and_status_bits)
{
	out(&self->m, EN, 2, 0xffff);
	EXPECT_EQ(0x4721, in(&self->m, EN, 2));
	out(&self->m, EN + 1, 1, 0);			/* a byte write: high half only */
	EXPECT_EQ(0x21, in(&self->m, EN, 2));
	/* a 32-bit write to the event block reaches both registers */
	out(&self->m, STS, 4, 0x01000000);		/* PWRBTN_EN in the high word */
	EXPECT_EQ(0x01000000, in(&self->m, STS, 4));
	/* ports past the registers read all ones */
	EXPECT_EQ(0xffff, in(&self->m, ACPI_PM_BASE + 6, 2));
}

/* SCI_EN reads 1 always; SLP_TYP keeps what is written; SLP_EN reads 0 */
TEST_F(pm, pm1_control)
{
	EXPECT_EQ(ACPI_PM1_SCI_EN, in(&self->m, CNT, 2));
	out(&self->m, CNT, 2, 0);
	EXPECT_EQ(ACPI_PM1_SCI_EN, in(&self->m, CNT, 2));
	out(&self->m, CNT, 2, ACPI_SLP_TYP_S5 << ACPI_PM1_SLP_TYP_SHIFT);
	EXPECT_EQ(ACPI_PM1_SCI_EN | ACPI_SLP_TYP_S5 << ACPI_PM1_SLP_TYP_SHIFT,
		  in(&self->m, CNT, 2));
	EXPECT_FALSE(self->m.stop);			/* no SLP_EN yet */
}

/* ACPICA's S5: SLP_TYP first, then SLP_TYP | SLP_EN; the run ends with 0 */
TEST_F(pm, s5_powers_off)
{
	uint16_t typ = ACPI_SLP_TYP_S5 << ACPI_PM1_SLP_TYP_SHIFT;
	int saved = capture_begin(2);
	char *msg;

	out(&self->m, CNT, 2, ACPI_PM1_SCI_EN | typ);
	EXPECT_FALSE(self->m.stop);
	out(&self->m, CNT, 2, ACPI_PM1_SCI_EN | typ | ACPI_PM1_SLP_EN);
	msg = capture_end(2, saved);
	EXPECT_TRUE(self->m.stop);
	EXPECT_EQ(VMON_STATUS_OK, self->m.exit_status);
	EXPECT_NE(NULL, strstr(msg, "guest powered off through ACPI (S5)"));
	free(msg);
}

/* a sleeping state the DSDT does not offer: ignored, said once */
TEST_F(pm, other_sleep_types_ignored)
{
	int saved = capture_begin(2);
	char *msg;

	out(&self->m, CNT, 2, 1 << ACPI_PM1_SLP_TYP_SHIFT | ACPI_PM1_SLP_EN);
	out(&self->m, CNT, 2, 3 << ACPI_PM1_SLP_TYP_SHIFT | ACPI_PM1_SLP_EN);
	msg = capture_end(2, saved);
	EXPECT_FALSE(self->m.stop);
	EXPECT_NE(NULL, strstr(msg, "SLP_TYP 1, which vmon's DSDT does not offer"));
	EXPECT_EQ(NULL, strstr(msg, "SLP_TYP 3"));
	free(msg);
}

/* the FADT the guest reads names these very ports and the reset register */
TEST_F(pm, fadt_registers_answer)
{
	struct vmon_acpi_config c = {
		.nr_cpus = 1, .region_gpa = ACPI_TABLES_GPA, .region_size = ACPI_TABLES_SIZE,
		.lapic_addr = ACPI_LAPIC_ADDR,
	};
	uint8_t *mem = calloc(1, 1 << 20), *fadt;
	uint64_t rsdp, port;
	uint32_t t0;
	int saved;
	char *msg;

	ASSERT_EQ(0, vmon_acpi_build(mem, 1 << 20, &c, &rsdp));
	fadt = mem + get_le64(mem + get_le64(mem + rsdp + 24) + 36);
	ASSERT_EQ(0, memcmp(fadt, "FACP", 4));
	port = get_le64(fadt + 208 + 4);		/* X_PM_TMR_BLK */
	t0 = in(&self->m, (uint16_t)port, 4);
	fake_now += NS_PER_SEC / 100;
	EXPECT_EQ(35795, in(&self->m, (uint16_t)port, 4) - t0);
	port = get_le64(fadt + 172 + 4);		/* X_PM1a_CNT_BLK */
	EXPECT_EQ(ACPI_PM1_SCI_EN, in(&self->m, (uint16_t)port, 2));
	/* RESET_REG, RESET_VALUE: a byte write resets the machine, status 0 */
	saved = capture_begin(2);
	out(&self->m, (uint16_t)get_le64(fadt + 116 + 4), fadt[116 + 1] / 8, fadt[128]);
	msg = capture_end(2, saved);
	EXPECT_TRUE(self->m.stop);
	EXPECT_EQ(VMON_STATUS_OK, self->m.exit_status);
	EXPECT_NE(NULL, strstr(msg, "guest reset the machine through port 0xCF9 (reboot)"));
	free(msg);
	free(mem);
}

TEST_HARNESS_MAIN
