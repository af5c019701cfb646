// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the 8259A pair (devices/i8259.c) through the port bus
 * and the machine's interrupt interface, as Linux drives it
 * (arch/x86/kernel/i8259.c) and as the data sheet defines the rest.
 */
#include <fcntl.h>

#include "kselftest_harness.h"
#include "devices/devices.h"
#include "machine.h"

FIXTURE(pic) {
	struct vmon_machine m;
	int pipe[2];
};

static uint8_t in8(struct vmon_machine *m, uint16_t port)
{
	uint8_t v = 0;

	bus_access(&m->pio, port, &v, 1, false);
	return v;
}

static void out8(struct vmon_machine *m, uint16_t port, uint8_t v)
{
	bus_access(&m->pio, port, &v, 1, true);
}

/* init_8259A(0) of Linux: vectors 0x30 and 0x38, slave on IR2, all masked */
static void linux_init(struct vmon_machine *m, bool auto_eoi)
{
	out8(m, 0x21, 0xff);
	out8(m, 0xa1, 0xff);
	out8(m, 0x20, 0x11);
	out8(m, 0x21, 0x30);
	out8(m, 0x21, 0x04);
	out8(m, 0x21, auto_eoi ? 0x03 : 0x01);
	out8(m, 0xa0, 0x11);
	out8(m, 0xa1, 0x38);
	out8(m, 0xa1, 0x02);
	out8(m, 0xa1, 0x01);
	/* ICW1 cleared the masks: Linux restores its cached ones */
	out8(m, 0x21, 0xff);
	out8(m, 0xa1, 0xff);
}

static uint8_t read_isr(struct vmon_machine *m, uint16_t cmd)
{
	uint8_t v;

	out8(m, cmd, 0x0b);
	v = in8(m, cmd);
	out8(m, cmd, 0x0a);
	return v;
}

FIXTURE_SETUP(pic)
{
	ASSERT_EQ(0, pipe2(self->pipe, O_NONBLOCK));
	machine_init(&self->m, self->pipe[1]);
	ASSERT_EQ(0, machine_add_devices(&self->m));
}

FIXTURE_TEARDOWN(pic)
{
	machine_destroy(&self->m);
	close(self->pipe[0]);
	close(self->pipe[1]);
}

/* probe_8259A(): the mask written is the mask read */
TEST_F(pic, linux_probe_reads_back_the_mask)
{
	out8(&self->m, 0xa1, 0xff);
	out8(&self->m, 0x21, 0xfb);
	EXPECT_EQ(0xfb, in8(&self->m, 0x21));
	EXPECT_EQ(0xff, in8(&self->m, 0xa1));
}

TEST_F(pic, masked_request_waits_for_unmask)
{
	linux_init(&self->m, false);
	machine_pulse_irq(&self->m, 0);
	EXPECT_FALSE(machine_irq_pending(&self->m));
	EXPECT_EQ(0x01, in8(&self->m, 0x20));	/* IRR has it */
	out8(&self->m, 0x21, 0xfe);
	EXPECT_TRUE(machine_irq_pending(&self->m));
	EXPECT_EQ(0x30, machine_irq_ack(&self->m));
	EXPECT_EQ(0x00, in8(&self->m, 0x20));	/* IRR -> ISR */
	EXPECT_EQ(0x01, read_isr(&self->m, 0x20));
	EXPECT_FALSE(machine_irq_pending(&self->m));
}

TEST_F(pic, in_service_blocks_lower_priority_until_specific_eoi)
{
	linux_init(&self->m, false);
	out8(&self->m, 0x21, 0x00);
	machine_pulse_irq(&self->m, 1);
	EXPECT_EQ(0x31, machine_irq_ack(&self->m));
	machine_pulse_irq(&self->m, 3);
	EXPECT_FALSE(machine_irq_pending(&self->m));
	machine_pulse_irq(&self->m, 0);		/* higher priority nests */
	EXPECT_TRUE(machine_irq_pending(&self->m));
	EXPECT_EQ(0x30, machine_irq_ack(&self->m));
	EXPECT_EQ(0x03, read_isr(&self->m, 0x20));
	out8(&self->m, 0x20, 0x60);		/* specific EOI IR0 */
	out8(&self->m, 0x20, 0x61);		/* specific EOI IR1 */
	EXPECT_EQ(0x33, machine_irq_ack(&self->m));
	out8(&self->m, 0x20, 0x20);		/* non-specific EOI */
	EXPECT_EQ(0, read_isr(&self->m, 0x20));
}

/* mask_and_ack_8259A() for IRQ 12: slave EOI, then the cascade on the master */
TEST_F(pic, slave_interrupt_through_cascade)
{
	linux_init(&self->m, false);
	out8(&self->m, 0x21, 0xfb);
	out8(&self->m, 0xa1, 0xef);
	machine_pulse_irq(&self->m, 12);
	EXPECT_TRUE(machine_irq_pending(&self->m));
	EXPECT_EQ(0x3c, machine_irq_ack(&self->m));
	EXPECT_EQ(0x10, read_isr(&self->m, 0xa0));
	EXPECT_EQ(0x04, read_isr(&self->m, 0x20));
	machine_pulse_irq(&self->m, 12);	/* again, while in service */
	EXPECT_FALSE(machine_irq_pending(&self->m));
	out8(&self->m, 0xa0, 0x64);
	out8(&self->m, 0x20, 0x62);
	EXPECT_TRUE(machine_irq_pending(&self->m));
	EXPECT_EQ(0x3c, machine_irq_ack(&self->m));
}

TEST_F(pic, edge_needs_a_new_rising_edge)
{
	linux_init(&self->m, false);
	out8(&self->m, 0x21, 0x00);
	machine_set_irq(&self->m, 4, true);
	EXPECT_EQ(0x34, machine_irq_ack(&self->m));
	out8(&self->m, 0x20, 0x20);
	machine_set_irq(&self->m, 4, true);	/* still high: no new request */
	EXPECT_FALSE(machine_irq_pending(&self->m));
	machine_set_irq(&self->m, 4, false);
	machine_set_irq(&self->m, 4, true);
	EXPECT_TRUE(machine_irq_pending(&self->m));
}

TEST_F(pic, elcr_level_request_follows_the_line)
{
	linux_init(&self->m, false);
	out8(&self->m, 0x4d0, 0xff);
	EXPECT_EQ(0xf8, in8(&self->m, 0x4d0));	/* IRQ 0-2 are always edge */
	out8(&self->m, 0x4d1, 0xff);
	EXPECT_EQ(0xde, in8(&self->m, 0x4d1));	/* IRQ 8 and 13 too */
	out8(&self->m, 0x21, 0xf7);
	machine_set_irq(&self->m, 3, true);
	EXPECT_EQ(0x33, machine_irq_ack(&self->m));
	out8(&self->m, 0x20, 0x63);
	EXPECT_TRUE(machine_irq_pending(&self->m));	/* the line is still high */
	machine_set_irq(&self->m, 3, false);
	EXPECT_FALSE(machine_irq_pending(&self->m));
}

/* an acknowledge with no request answers IR7 and sets no ISR bit */
TEST_F(pic, spurious_irq7)
{
	linux_init(&self->m, false);
	EXPECT_EQ(0x37, machine_irq_ack(&self->m));
	EXPECT_EQ(0, read_isr(&self->m, 0x20));
}

TEST_F(pic, auto_eoi_leaves_isr_clear)
{
	linux_init(&self->m, true);
	out8(&self->m, 0x21, 0x00);
	machine_pulse_irq(&self->m, 0);
	EXPECT_EQ(0x30, machine_irq_ack(&self->m));
	EXPECT_EQ(0, read_isr(&self->m, 0x20));
	machine_pulse_irq(&self->m, 5);
	EXPECT_TRUE(machine_irq_pending(&self->m));
}

TEST_F(pic, set_priority_rotates)
{
	linux_init(&self->m, false);
	out8(&self->m, 0x21, 0x00);
	out8(&self->m, 0x20, 0xc0 | 3);		/* IR3 lowest: IR4 highest */
	machine_pulse_irq(&self->m, 1);
	machine_pulse_irq(&self->m, 5);
	EXPECT_EQ(0x35, machine_irq_ack(&self->m));
	/* rotate on non-specific EOI: IR5 becomes lowest, IR6 highest */
	out8(&self->m, 0x20, 0xa0);
	machine_pulse_irq(&self->m, 5);
	EXPECT_EQ(0x31, machine_irq_ack(&self->m));
}

TEST_F(pic, poll_mode)
{
	linux_init(&self->m, false);
	out8(&self->m, 0x21, 0x00);
	out8(&self->m, 0x20, 0x0c);
	EXPECT_EQ(0x00, in8(&self->m, 0x20));	/* nothing requested */
	machine_pulse_irq(&self->m, 6);
	out8(&self->m, 0x20, 0x0c);
	EXPECT_EQ(0x86, in8(&self->m, 0x20));
	EXPECT_EQ(0x40, read_isr(&self->m, 0x20));
}

TEST_F(pic, special_mask_mode_lets_lower_levels_in)
{
	linux_init(&self->m, false);
	out8(&self->m, 0x21, 0x00);
	machine_pulse_irq(&self->m, 2 + 1);
	EXPECT_EQ(0x33, machine_irq_ack(&self->m));
	machine_pulse_irq(&self->m, 6);
	EXPECT_FALSE(machine_irq_pending(&self->m));
	out8(&self->m, 0x21, 0x08);		/* mask the in-service IR3 */
	out8(&self->m, 0x20, 0x68);		/* set special mask */
	EXPECT_TRUE(machine_irq_pending(&self->m));
	out8(&self->m, 0x20, 0x48);		/* reset special mask */
	EXPECT_FALSE(machine_irq_pending(&self->m));
}

TEST_F(pic, icw1_resets_mask_and_in_service)
{
	linux_init(&self->m, false);
	out8(&self->m, 0x21, 0x00);
	machine_pulse_irq(&self->m, 0);
	machine_irq_ack(&self->m);
	out8(&self->m, 0x20, 0x11);
	EXPECT_EQ(0, read_isr(&self->m, 0x20));
	out8(&self->m, 0x21, 0x20);		/* ICW2: new base */
	out8(&self->m, 0x21, 0x04);
	out8(&self->m, 0x21, 0x01);
	EXPECT_EQ(0x00, in8(&self->m, 0x21));
	machine_pulse_irq(&self->m, 1);
	EXPECT_EQ(0x21, machine_irq_ack(&self->m));
}

TEST_HARNESS_MAIN
