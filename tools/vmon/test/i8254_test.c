// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the 8254 PIT and port 0x61 (devices/i8254.c) on a
 * machine clock the test moves by hand: counter values, OUT, IRQ 0
 * deadlines, and the sequences Linux runs (drivers/clocksource/i8253.c,
 * arch/x86/kernel/tsc.c).
 */
#include <fcntl.h>

#include "kselftest_harness.h"
#include "devices/devices.h"
#include "machine.h"

#define T0	1000000000000ull	/* an arbitrary start, 1000 s */

static uint64_t fake_now;

static uint64_t fake_clock(void)
{
	return fake_now;
}

/* ns after T0 at which n ticks of 1.193182 MHz have passed */
static uint64_t ticks_ns(uint64_t n)
{
	return T0 + (n * 1000000000ull + 1193181) / 1193182;
}

FIXTURE(pit) {
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

static uint16_t latch_read(struct vmon_machine *m, unsigned int ch)
{
	uint16_t v;

	out8(m, 0x43, ch << 6);
	v = in8(m, 0x40 + ch);
	return v | in8(m, 0x40 + ch) << 8;
}

/* Linux's PIC setup, IRQ 0 unmasked, so that edges can be counted */
static void pic_init(struct vmon_machine *m)
{
	static const uint8_t seq[][2] = {
		{ 0x20, 0x11 }, { 0x21, 0x30 }, { 0x21, 0x04 }, { 0x21, 0x01 },
		{ 0x21, 0xfe },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(seq); i++)
		out8(m, seq[i][0], seq[i][1]);
}

/* run the timers at t; count the IRQ 0 edges that reached the PIC */
static unsigned int run_to(struct vmon_machine *m, uint64_t t)
{
	unsigned int n = 0;

	fake_now = t;
	machine_run_timers(m);
	while (machine_irq_pending(m)) {
		machine_irq_ack(m);
		out8(m, 0x20, 0x20);
		n++;
	}
	return n;
}

FIXTURE_SETUP(pit)
{
	ASSERT_EQ(0, pipe2(self->pipe, O_NONBLOCK));
	machine_init(&self->m, self->pipe[1]);
	self->m.clock = fake_clock;
	fake_now = T0;
	ASSERT_EQ(0, machine_add_devices(&self->m));
	pic_init(&self->m);
}

FIXTURE_TEARDOWN(pit)
{
	machine_destroy(&self->m);
	close(self->pipe[0]);
	close(self->pipe[1]);
}

TEST_F(pit, idle_until_programmed)
{
	EXPECT_EQ(MACHINE_NO_DEADLINE, machine_run_timers(&self->m));
	EXPECT_EQ(0, run_to(&self->m, T0 + 1000000000));
}

/* init_pit_timer(PERIODIC): mode 2, LATCH = 1193182 / HZ */
TEST_F(pit, mode2_periodic_irq0)
{
	out8(&self->m, 0x43, 0x34);
	out8(&self->m, 0x40, 4772 & 0xff);
	out8(&self->m, 0x40, 4772 >> 8);
	EXPECT_EQ(ticks_ns(4772), machine_run_timers(&self->m));
	EXPECT_EQ(0, run_to(&self->m, ticks_ns(4771)));
	EXPECT_EQ(1, run_to(&self->m, ticks_ns(4772)));
	EXPECT_EQ(ticks_ns(2 * 4772), machine_run_timers(&self->m));
	EXPECT_EQ(1, run_to(&self->m, ticks_ns(2 * 4772)));
	/* periods missed while the host was busy give one edge */
	EXPECT_EQ(1, run_to(&self->m, ticks_ns(10 * 4772 + 5)));
	EXPECT_EQ(ticks_ns(11 * 4772), machine_run_timers(&self->m));
}

TEST_F(pit, counter_latch_reads_the_count)
{
	out8(&self->m, 0x43, 0x34);
	out8(&self->m, 0x40, 0x00);
	out8(&self->m, 0x40, 0x10);		/* 4096 */
	fake_now = ticks_ns(1000);
	EXPECT_EQ(4096 - 1000, latch_read(&self->m, 0));
	fake_now = ticks_ns(4096 + 96);		/* reloaded: second period */
	EXPECT_EQ(4096 - 96, latch_read(&self->m, 0));
	/* the latched value holds while the counter moves on */
	out8(&self->m, 0x43, 0x00);
	fake_now = ticks_ns(4096 + 500);
	EXPECT_EQ((4096 - 96) & 0xff, in8(&self->m, 0x40));
	EXPECT_EQ((4096 - 96) >> 8, in8(&self->m, 0x40));
}

/* the oneshot clockevent: mode 4, then one count per event */
TEST_F(pit, mode4_oneshot_fires_once)
{
	out8(&self->m, 0x43, 0x38);
	out8(&self->m, 0x40, 100);
	out8(&self->m, 0x40, 0);
	EXPECT_EQ(0, run_to(&self->m, ticks_ns(100)));
	EXPECT_EQ(1, run_to(&self->m, ticks_ns(101)));
	EXPECT_EQ(MACHINE_NO_DEADLINE, machine_run_timers(&self->m));
	EXPECT_EQ(0, run_to(&self->m, ticks_ns(70000)));
	/* the next event: a new count restarts it */
	out8(&self->m, 0x40, 50);
	out8(&self->m, 0x40, 0);
	EXPECT_EQ(1, run_to(&self->m, ticks_ns(70000 + 51)));
}

TEST_F(pit, mode0_out_rises_at_terminal_count)
{
	out8(&self->m, 0x43, 0x30);
	out8(&self->m, 0x40, 10);
	out8(&self->m, 0x40, 0);
	EXPECT_EQ(0, run_to(&self->m, ticks_ns(9)));
	EXPECT_EQ(1, run_to(&self->m, ticks_ns(10)));
	/* the counter wraps and keeps counting, OUT stays high: no more edges */
	EXPECT_EQ(0xffff, latch_read(&self->m, 0) + 0 * run_to(&self->m, ticks_ns(11)));
	EXPECT_EQ(0, run_to(&self->m, ticks_ns(200000)));
}

/* pit_calibrate_tsc(): channel 2, mode 0, gate and OUT2 through port 0x61 */
TEST_F(pit, channel2_gate_and_out2)
{
	out8(&self->m, 0x61, (in8(&self->m, 0x61) & ~0x02) | 0x01);
	out8(&self->m, 0x43, 0xb0);
	out8(&self->m, 0x42, 59659 & 0xff);
	out8(&self->m, 0x42, 59659 >> 8);
	fake_now = ticks_ns(59658);
	EXPECT_EQ(0, in8(&self->m, 0x61) & 0x20);
	fake_now = ticks_ns(59659);
	EXPECT_EQ(0x20, in8(&self->m, 0x61) & 0x20);
	EXPECT_EQ(0x01, in8(&self->m, 0x61) & 0x0f);
	EXPECT_EQ(0, run_to(&self->m, ticks_ns(60000)));	/* not IRQ 0 */
}

TEST_F(pit, gate_low_holds_mode0_count)
{
	out8(&self->m, 0x61, 0x01);
	out8(&self->m, 0x43, 0xb0);
	out8(&self->m, 0x42, 0x00);
	out8(&self->m, 0x42, 0x20);		/* 8192 */
	fake_now = ticks_ns(100);
	out8(&self->m, 0x61, 0x00);
	fake_now = ticks_ns(5000);
	EXPECT_EQ(8192 - 100, latch_read(&self->m, 2));
	out8(&self->m, 0x61, 0x01);
	fake_now = ticks_ns(5200);
	/* resumed at a ns boundary: the 200 ticks since may round to 199 */
	EXPECT_LE(8192 - 300, latch_read(&self->m, 2));
	EXPECT_GE(8192 - 299, latch_read(&self->m, 2));
}

/* quick_pit_calibrate(): mode 0, 0xffff, reads LSB then MSB with no latch */
TEST_F(pit, unlatched_lsb_msb_reads)
{
	out8(&self->m, 0x61, 0x01);
	out8(&self->m, 0x43, 0xb0);
	out8(&self->m, 0x42, 0xff);
	out8(&self->m, 0x42, 0xff);
	fake_now = ticks_ns(0x1234);
	EXPECT_EQ((0xffff - 0x1234) & 0xff, in8(&self->m, 0x42));
	EXPECT_EQ((0xffff - 0x1234) >> 8, in8(&self->m, 0x42));
}

TEST_F(pit, readback_status_and_count)
{
	out8(&self->m, 0x43, 0x34);
	out8(&self->m, 0x40, 0x00);
	EXPECT_EQ(0x40 | 0x34, (out8(&self->m, 0x43, 0xe2), in8(&self->m, 0x40)) & 0x7f);
	out8(&self->m, 0x40, 0x01);		/* 256 */
	fake_now = ticks_ns(6);
	out8(&self->m, 0x43, 0xc2);		/* latch status and count of channel 0 */
	EXPECT_EQ(0x80 | 0x34, in8(&self->m, 0x40));	/* OUT high, count valid */
	EXPECT_EQ(250, in8(&self->m, 0x40));
	EXPECT_EQ(0, in8(&self->m, 0x40));
}

TEST_F(pit, lsb_only_access_and_bcd)
{
	out8(&self->m, 0x43, 0x14);		/* channel 0, LSB only, mode 2 */
	out8(&self->m, 0x40, 200);
	fake_now = ticks_ns(50);
	EXPECT_EQ(150, in8(&self->m, 0x40));
	fake_now = T0;
	out8(&self->m, 0x43, 0x35);		/* BCD, mode 2 */
	out8(&self->m, 0x40, 0x00);
	out8(&self->m, 0x40, 0x10);		/* 1000 in BCD */
	fake_now = ticks_ns(1);
	EXPECT_EQ(0x0999, latch_read(&self->m, 0));
	EXPECT_EQ(ticks_ns(1000), machine_run_timers(&self->m));
}

TEST_F(pit, mode3_square_wave_period)
{
	out8(&self->m, 0x61, 0x01);
	out8(&self->m, 0x43, 0xb6);		/* channel 2, mode 3 */
	out8(&self->m, 0x42, 100);
	out8(&self->m, 0x42, 0);
	fake_now = ticks_ns(10);
	EXPECT_EQ(0x20, in8(&self->m, 0x61) & 0x20);
	fake_now = ticks_ns(60);
	EXPECT_EQ(0, in8(&self->m, 0x61) & 0x20);
	fake_now = ticks_ns(110);
	EXPECT_EQ(0x20, in8(&self->m, 0x61) & 0x20);
}

TEST_HARNESS_MAIN
