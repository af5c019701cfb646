// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the i8042 (devices/i8042.c): the controller commands
 * Linux's i8042 driver runs, empty PS/2 ports, and the reset line.
 */
#include <fcntl.h>

#include "kselftest_harness.h"
#include "devices/devices.h"
#include "machine.h"
#include "test_util.h"

FIXTURE(kbc) {
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

FIXTURE_SETUP(kbc)
{
	ASSERT_EQ(0, pipe2(self->pipe, O_NONBLOCK));
	machine_init(&self->m, self->pipe[1]);
	ASSERT_EQ(0, machine_add_devices(&self->m));
}

FIXTURE_TEARDOWN(kbc)
{
	machine_destroy(&self->m);
	close(self->pipe[0]);
	close(self->pipe[1]);
}

/* i8042_controller_check(): the flush finds an empty, writable controller */
TEST_F(kbc, present_and_empty)
{
	uint8_t st = in8(&self->m, 0x64);

	EXPECT_EQ(0, st & 0x03);	/* no output, input buffer free */
	EXPECT_NE(0xff, st);
}

TEST_F(kbc, self_test_and_ctr_round_trip)
{
	out8(&self->m, 0x64, 0xaa);
	EXPECT_EQ(0x01, in8(&self->m, 0x64) & 0x01);
	EXPECT_EQ(0x55, in8(&self->m, 0x60));
	EXPECT_EQ(0, in8(&self->m, 0x64) & 0x01);
	out8(&self->m, 0x64, 0x60);
	out8(&self->m, 0x60, 0x74);
	out8(&self->m, 0x64, 0x20);
	EXPECT_EQ(0x74, in8(&self->m, 0x60));
	out8(&self->m, 0x64, 0xa8);		/* aux enable clears CTR bit 5 */
	out8(&self->m, 0x64, 0x20);
	EXPECT_EQ(0x54, in8(&self->m, 0x60));
}

/* i8042_check_aux(): the loopback answers from the aux port */
TEST_F(kbc, aux_loopback)
{
	out8(&self->m, 0x64, 0xd3);
	out8(&self->m, 0x60, 0x5a);
	EXPECT_EQ(0x21, in8(&self->m, 0x64) & 0x21);	/* OBF | AUXDATA */
	EXPECT_EQ(0x5a, in8(&self->m, 0x60));
}

TEST_F(kbc, empty_ports_time_out)
{
	out8(&self->m, 0x60, 0xf2);		/* GETID to the keyboard */
	EXPECT_EQ(0x41, in8(&self->m, 0x64) & 0x61);	/* OBF | TIMEOUT, not aux */
	EXPECT_EQ(0xfe, in8(&self->m, 0x60));
	out8(&self->m, 0x64, 0xd4);
	out8(&self->m, 0x60, 0xf2);		/* GETID to the mouse */
	EXPECT_EQ(0x61, in8(&self->m, 0x64) & 0x61);
	EXPECT_EQ(0xfe, in8(&self->m, 0x60));
}

/* IRQ 1 follows a full output buffer when CTR enables it */
TEST_F(kbc, output_raises_irq1)
{
	static const uint8_t pic[][2] = {
		{ 0x20, 0x11 }, { 0x21, 0x30 }, { 0x21, 0x04 }, { 0x21, 0x01 },
		{ 0x21, 0xfd },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pic); i++)
		out8(&self->m, pic[i][0], pic[i][1]);
	out8(&self->m, 0x64, 0xd2);
	out8(&self->m, 0x60, 0x1c);
	EXPECT_TRUE(machine_irq_pending(&self->m));
	EXPECT_EQ(0x31, machine_irq_ack(&self->m));
	EXPECT_EQ(0x1c, in8(&self->m, 0x60));
}

TEST_F(kbc, reset_pulse_ends_the_run_with_0)
{
	int saved = capture_begin(2);
	char *msg;

	out8(&self->m, 0x64, 0xfe);
	msg = capture_end(2, saved);
	EXPECT_TRUE(self->m.stop);
	EXPECT_EQ(0, self->m.exit_status);
	EXPECT_NE(NULL, strstr(msg, "reset the machine through the i8042"));
	free(msg);
}

TEST_F(kbc, output_port_reset_bit)
{
	int saved = capture_begin(2);

	out8(&self->m, 0x64, 0xd1);
	out8(&self->m, 0x60, 0x03);		/* reset line high: nothing */
	EXPECT_FALSE(self->m.stop);
	out8(&self->m, 0x64, 0xd1);
	out8(&self->m, 0x60, 0x02);
	free(capture_end(2, saved));
	EXPECT_TRUE(self->m.stop);
}

TEST_HARNESS_MAIN
