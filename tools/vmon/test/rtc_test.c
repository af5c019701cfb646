// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the CMOS RTC (devices/rtc.c): the host's time in BCD
 * and binary, 12- and 24-hour formats, setting the clock, and the
 * status registers Linux checks (drivers/rtc/rtc-mc146818-lib.c).
 */
#include <fcntl.h>
#include <time.h>

#include "kselftest_harness.h"
#include "devices/devices.h"
#include "machine.h"

static uint64_t fake_now;

static uint64_t fake_clock(void)
{
	return fake_now;
}

FIXTURE(rtc) {
	struct vmon_machine m;
	int pipe[2];
};

static uint8_t cmos_read(struct vmon_machine *m, uint8_t reg)
{
	uint8_t v = reg | 0x80;		/* with the NMI-disable bit, as Linux writes it */

	bus_access(&m->pio, 0x70, &v, 1, true);
	bus_access(&m->pio, 0x71, &v, 1, false);
	return v;
}

static void cmos_write(struct vmon_machine *m, uint8_t reg, uint8_t v)
{
	bus_access(&m->pio, 0x70, &reg, 1, true);
	bus_access(&m->pio, 0x71, &v, 1, true);
}

static unsigned int bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

/* read sec..year as one consistent snapshot (same second before and after) */
static void read_clock(struct vmon_machine *m, uint8_t r[10])
{
	do {
		r[0] = cmos_read(m, 0);
		r[2] = cmos_read(m, 2);
		r[4] = cmos_read(m, 4);
		r[6] = cmos_read(m, 6);
		r[7] = cmos_read(m, 7);
		r[8] = cmos_read(m, 8);
		r[9] = cmos_read(m, 9);
	} while (r[0] != cmos_read(m, 0));
}

FIXTURE_SETUP(rtc)
{
	ASSERT_EQ(0, pipe2(self->pipe, O_NONBLOCK));
	machine_init(&self->m, self->pipe[1]);
	self->m.clock = fake_clock;
	fake_now = 1000000000000ull;
	ASSERT_EQ(0, machine_add_devices(&self->m));
}

/* Linux's PIC setup with IRQ 8 (slave IR0) and the cascade unmasked */
static void pic_init(struct vmon_machine *m)
{
	static const uint8_t seq[][2] = {
		{ 0x20, 0x11 }, { 0x21, 0x30 }, { 0x21, 0x04 }, { 0x21, 0x01 },
		{ 0xa0, 0x11 }, { 0xa1, 0x38 }, { 0xa1, 0x02 }, { 0xa1, 0x01 },
		{ 0x21, 0xfb }, { 0xa1, 0xfe },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(seq); i++)
		bus_access(&m->pio, seq[i][0], (void *)&seq[i][1], 1, true);
}

FIXTURE_TEARDOWN(rtc)
{
	machine_destroy(&self->m);
	close(self->pipe[0]);
	close(self->pipe[1]);
}

/* 1024 Hz periodic interrupt, as "rtc_cmos" sets it up for RTC_PIE_ON */
TEST_F(rtc, periodic_interrupt_on_irq8)
{
	pic_init(&self->m);
	cmos_write(&self->m, 0x0a, 0x26);
	cmos_write(&self->m, 0x0b, 0x42);	/* PIE, 24 h, BCD */
	EXPECT_EQ(fake_now + 976562, machine_run_timers(&self->m));
	EXPECT_FALSE(machine_irq_pending(&self->m));
	fake_now += 976562;
	machine_run_timers(&self->m);
	EXPECT_TRUE(machine_irq_pending(&self->m));
	EXPECT_EQ(0x38, machine_irq_ack(&self->m));
	EXPECT_EQ(0xc0, cmos_read(&self->m, 0x0c) & 0xc0);	/* IRQF | PF */
	EXPECT_EQ(0x00, cmos_read(&self->m, 0x0c) & 0xc0);	/* cleared by the read */
	/* the line dropped on the read: the next period is a new edge */
	bus_access(&self->m.pio, 0xa0, (uint8_t[]){ 0x20 }, 1, true);
	bus_access(&self->m.pio, 0x20, (uint8_t[]){ 0x20 }, 1, true);
	fake_now += 976562;
	machine_run_timers(&self->m);
	EXPECT_TRUE(machine_irq_pending(&self->m));
}

TEST_F(rtc, update_and_alarm_interrupts)
{
	uint64_t deadline;

	pic_init(&self->m);
	cmos_write(&self->m, 0x01, 0xc0);	/* alarm: any second, minute, hour */
	cmos_write(&self->m, 0x03, 0xc0);
	cmos_write(&self->m, 0x05, 0xc0);
	cmos_write(&self->m, 0x0b, 0x32);	/* AIE | UIE */
	deadline = machine_run_timers(&self->m);
	EXPECT_GE(fake_now + 1000000000ull, deadline);
	EXPECT_LT(fake_now, deadline);
	fake_now = deadline;
	machine_run_timers(&self->m);
	EXPECT_TRUE(machine_irq_pending(&self->m));
	/* IRQF, AF, UF (and PF: the 1024 Hz rate runs, only not enabled) */
	EXPECT_EQ(0xf0, cmos_read(&self->m, 0x0c));
}

/* a disabled interrupt still sets its flag, seen when C is read */
TEST_F(rtc, flags_without_interrupts)
{
	pic_init(&self->m);
	cmos_read(&self->m, 0x0c);
	cmos_write(&self->m, 0x0a, 0x2f);	/* 2 Hz */
	fake_now += 500000000;
	EXPECT_EQ(0x40, cmos_read(&self->m, 0x0c) & 0xc0);	/* PF, no IRQF */
	EXPECT_FALSE(machine_irq_pending(&self->m));
	EXPECT_EQ(MACHINE_NO_DEADLINE, machine_run_timers(&self->m));
}

TEST_F(rtc, status_registers)
{
	EXPECT_EQ(0x26, cmos_read(&self->m, 0x0a) & 0x7f);
	EXPECT_EQ(0x02, cmos_read(&self->m, 0x0b));	/* BCD, 24 hours */
	EXPECT_EQ(0x80, cmos_read(&self->m, 0x0d));	/* valid RAM and time */
	cmos_write(&self->m, 0x0d, 0x00);
	EXPECT_EQ(0x80, cmos_read(&self->m, 0x0d));
}

TEST_F(rtc, bcd_time_is_the_hosts_utc)
{
	uint8_t r[10];
	time_t before, after;
	struct tm tm;

	do {
		before = time(NULL);
		read_clock(&self->m, r);
		after = time(NULL);
	} while (before != after);
	gmtime_r(&before, &tm);
	EXPECT_EQ(tm.tm_sec, bcd(r[0]));
	EXPECT_EQ(tm.tm_min, bcd(r[2]));
	EXPECT_EQ(tm.tm_hour, bcd(r[4]));
	EXPECT_EQ(tm.tm_wday + 1, bcd(r[6]));
	EXPECT_EQ(tm.tm_mday, bcd(r[7]));
	EXPECT_EQ(tm.tm_mon + 1, bcd(r[8]));
	EXPECT_EQ(tm.tm_year % 100, bcd(r[9]));
	EXPECT_EQ((tm.tm_year + 1900) / 100, bcd(cmos_read(&self->m, 0x32)));
}

TEST_F(rtc, binary_and_12_hour_formats)
{
	uint8_t r[10], hour;
	time_t before, after;
	struct tm tm;

	cmos_write(&self->m, 0x0b, 0x04);	/* binary, 12 hours */
	do {
		before = time(NULL);
		read_clock(&self->m, r);
		after = time(NULL);
	} while (before != after);
	gmtime_r(&before, &tm);
	EXPECT_EQ(tm.tm_min, r[2]);
	EXPECT_EQ(tm.tm_year % 100, r[9]);
	hour = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
	EXPECT_EQ(hour | (tm.tm_hour >= 12 ? 0x80 : 0), r[4]);
}

TEST_F(rtc, setting_the_clock_moves_it)
{
	/* 24-hour BCD: set the year to 2042 */
	cmos_write(&self->m, 0x0b, 0x82);	/* SET, as hwclock does */
	cmos_write(&self->m, 0x32, 0x20);
	cmos_write(&self->m, 0x09, 0x42);
	cmos_write(&self->m, 0x08, 0x06);
	cmos_write(&self->m, 0x07, 0x15);
	cmos_write(&self->m, 0x0b, 0x02);
	EXPECT_EQ(0x42, cmos_read(&self->m, 0x09));
	EXPECT_EQ(0x20, cmos_read(&self->m, 0x32));
	EXPECT_EQ(0x06, cmos_read(&self->m, 0x08));
	EXPECT_EQ(0x15, cmos_read(&self->m, 0x07));
	/* 2042-06-15 is a Sunday */
	EXPECT_EQ(1, cmos_read(&self->m, 0x06));
}

TEST_F(rtc, nvram_and_alarms_are_storage)
{
	cmos_write(&self->m, 0x01, 0x33);
	cmos_write(&self->m, 0x40, 0x5a);
	cmos_write(&self->m, 0x7f, 0xa5);
	EXPECT_EQ(0x33, cmos_read(&self->m, 0x01));
	EXPECT_EQ(0x5a, cmos_read(&self->m, 0x40));
	EXPECT_EQ(0xa5, cmos_read(&self->m, 0x7f));
}

/* UIP is set only in the last 244 us of a second */
TEST_F(rtc, update_in_progress_is_rare_and_brief)
{
	struct timespec ts;
	unsigned int i, uip = 0;

	for (i = 0; i < 1000; i++) {
		if (cmos_read(&self->m, 0x0a) & 0x80) {
			clock_gettime(CLOCK_REALTIME, &ts);
			EXPECT_LE(999756000 - 1000000, ts.tv_nsec);	/* some slack */
			uip++;
		}
	}
	EXPECT_GT(1000, uip);
}

TEST_HARNESS_MAIN
