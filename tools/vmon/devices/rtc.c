// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CMOS real-time clock and its 128 bytes of RAM at 0x70 (index) and
 * 0x71 (data), after the Motorola MC146818A data sheet.  The clock is
 * the host's (CLOCK_REALTIME, UTC as Linux expects of a PC's RTC) plus
 * an offset the guest changes by writing the time registers.
 *
 * Register B selects BCD or binary and 12- or 24-hour format for every
 * time and alarm register; register A's update-in-progress bit is set
 * during the last 244 us of each second, as the chip sets it before an
 * update, which is the window Linux's mc146818_get_time() waits out;
 * register D reports valid RAM and time.  The century is at 0x32, the
 * byte the ACPI FADT usually names.  Bit 7 of the index port disables
 * the NMI on a PC: vmon raises no NMI, so it is ignored.
 *
 * Interrupts (IRQ 8): the periodic interrupt at the rate of register
 * A's RS bits, the update-ended interrupt at each second boundary of the
 * guest's clock, and the alarm when the time matches the alarm registers
 * (a value of 0xC0-0xFF there matches anything).  While an interrupt is
 * enabled in register B a machine timer sets its flag on time; while it
 * is not, its flag is computed when register C is read (UF: a second
 * boundary passed since the last read; PF: a period did; AF: the alarm
 * matches now).  Reading register C clears the flags and the IRQ line.
 *
 * Not modelled: the divider chain of register A (DV bits; the clock
 * always runs), and the SET bit's freezing of updates (each write to a
 * time register adjusts the clock at once).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../machine.h"
#include "devices.h"

#define RTC_PORT	0x70
#define CMOS_SIZE	128

#define RTC_SECONDS	0x00
#define RTC_MINUTES	0x02
#define RTC_HOURS	0x04
#define RTC_HOURS_ALARM	0x05
#define RTC_WEEKDAY	0x06
#define RTC_DAY		0x07
#define RTC_MONTH	0x08
#define RTC_YEAR	0x09
#define RTC_REG_A	0x0a
#define RTC_REG_B	0x0b
#define RTC_REG_C	0x0c
#define RTC_REG_D	0x0d
#define RTC_CENTURY	0x32

#define REG_A_UIP	0x80
#define REG_A_RW_MASK	0x7f
#define REG_A_RS_MASK	0x0f	/* periodic rate select */
#define REG_B_SET	0x80
#define REG_B_PIE	0x40	/* enables: same bits as the flags in C */
#define REG_B_AIE	0x20
#define REG_B_UIE	0x10
#define REG_B_INT_MASK	0x70
#define REG_B_DM_BINARY	0x04
#define REG_B_24H	0x02
#define REG_C_IRQF	0x80
#define REG_C_PF	0x40
#define REG_C_AF	0x20
#define REG_C_UF	0x10
#define REG_D_VRT	0x80
#define ALARM_ANY	0xc0	/* an alarm register at 0xC0-0xFF matches every value */
#define RTC_IRQ		8
#define NS_PER_SEC	1000000000ull
#define HOUR_PM		0x80
#define UIP_NS		244000ull	/* t_BUC: UIP rises 244 us before the update */

struct rtc {
	struct vmon_machine *machine;
	struct machine_timer *timer;	/* next flag to set while enabled */
	uint8_t index;
	uint8_t ram[CMOS_SIZE];
	int64_t offset;		/* guest time - host time, in seconds */
	uint8_t flags;		/* register C */
	uint64_t next_periodic;	/* machine clock, while PIE is set */
	uint64_t next_update;	/* machine clock of the next second boundary */
	int64_t last_read_sec;	/* guest second of the last read of C */
	uint64_t last_read_ns;	/* machine clock of the last read of C */
};

static bool is_time_register(unsigned int reg)
{
	return reg <= RTC_YEAR || reg == RTC_CENTURY;
}

static uint8_t encode(const struct rtc *r, unsigned int v)
{
	if (r->ram[RTC_REG_B] & REG_B_DM_BINARY)
		return (uint8_t)v;
	return (uint8_t)((v / 10) << 4 | v % 10);
}

static unsigned int decode(const struct rtc *r, uint8_t v)
{
	if (r->ram[RTC_REG_B] & REG_B_DM_BINARY)
		return v;
	return (v >> 4) * 10 + (v & 0xf);
}

static uint8_t encode_hour(const struct rtc *r, unsigned int hour)
{
	uint8_t pm = 0;

	if (r->ram[RTC_REG_B] & REG_B_24H)
		return encode(r, hour);
	if (hour >= 12)
		pm = HOUR_PM;
	hour %= 12;
	return encode(r, hour ? hour : 12) | pm;
}

static unsigned int decode_hour(const struct rtc *r, uint8_t v)
{
	unsigned int hour;

	if (r->ram[RTC_REG_B] & REG_B_24H)
		return decode(r, v);
	hour = decode(r, v & ~HOUR_PM) % 12;
	return v & HOUR_PM ? hour + 12 : hour;
}

static void host_time(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

static void guest_tm(const struct rtc *r, struct tm *tm)
{
	struct timespec ts;
	time_t t;

	host_time(&ts);
	t = (time_t)(ts.tv_sec + r->offset);
	gmtime_r(&t, tm);
}

static uint8_t read_time_register(const struct rtc *r, unsigned int reg)
{
	struct tm tm;

	guest_tm(r, &tm);
	switch (reg) {
	case RTC_SECONDS:
		return encode(r, (unsigned int)tm.tm_sec);
	case RTC_MINUTES:
		return encode(r, (unsigned int)tm.tm_min);
	case RTC_HOURS:
		return encode_hour(r, (unsigned int)tm.tm_hour);
	case RTC_WEEKDAY:
		return encode(r, (unsigned int)tm.tm_wday + 1);	/* Sunday is 1 */
	case RTC_DAY:
		return encode(r, (unsigned int)tm.tm_mday);
	case RTC_MONTH:
		return encode(r, (unsigned int)tm.tm_mon + 1);
	case RTC_YEAR:
		return encode(r, (unsigned int)(tm.tm_year + 1900) % 100);
	case RTC_CENTURY:
		return encode(r, (unsigned int)(tm.tm_year + 1900) / 100);
	}
	return r->ram[reg];	/* the alarm registers are plain storage */
}

/* the guest sets one field of the clock: move the offset accordingly */
static void write_time_register(struct rtc *r, unsigned int reg, uint8_t v)
{
	struct timespec ts;
	struct tm tm;
	time_t t;

	if (reg & 1 && reg < RTC_WEEKDAY) {
		r->ram[reg] = v;	/* alarms */
		return;
	}
	guest_tm(r, &tm);
	switch (reg) {
	case RTC_SECONDS:
		tm.tm_sec = (int)decode(r, v);
		break;
	case RTC_MINUTES:
		tm.tm_min = (int)decode(r, v);
		break;
	case RTC_HOURS:
		tm.tm_hour = (int)decode_hour(r, v);
		break;
	case RTC_WEEKDAY:
		return;		/* derived from the date */
	case RTC_DAY:
		tm.tm_mday = (int)decode(r, v);
		break;
	case RTC_MONTH:
		tm.tm_mon = (int)decode(r, v) - 1;
		break;
	case RTC_YEAR:
		tm.tm_year = (tm.tm_year + 1900) / 100 * 100 + (int)decode(r, v) - 1900;
		break;
	case RTC_CENTURY:
		tm.tm_year = (int)decode(r, v) * 100 + (tm.tm_year + 1900) % 100 - 1900;
		break;
	}
	t = timegm(&tm);
	if (t == (time_t)-1)
		return;		/* a date the host cannot represent: ignored */
	host_time(&ts);
	r->offset = (int64_t)t - (int64_t)ts.tv_sec;
}

/* the periodic rate: 0 for none; RS 1 and 2 give 256 and 128 Hz (data sheet table 3) */
static uint64_t periodic_ns(const struct rtc *r)
{
	unsigned int rs = r->ram[RTC_REG_A] & REG_A_RS_MASK;

	if (!rs)
		return 0;
	if (rs < 3)
		rs += 7;
	return NS_PER_SEC / (32768u >> (rs - 1));
}

static int64_t guest_second(const struct rtc *r)
{
	struct timespec ts;

	host_time(&ts);
	return (int64_t)ts.tv_sec + r->offset;
}

/* the machine clock at the guest's next second boundary */
static uint64_t next_second_boundary(uint64_t now)
{
	struct timespec ts;

	host_time(&ts);
	return now + NS_PER_SEC - (uint64_t)ts.tv_nsec;
}

static bool alarm_matches(const struct rtc *r)
{
	static const unsigned int alarm[3][2] = {
		{ 0x01, RTC_SECONDS }, { 0x03, RTC_MINUTES }, { RTC_HOURS_ALARM, RTC_HOURS },
	};
	unsigned int i;

	for (i = 0; i < 3; i++) {
		uint8_t want = r->ram[alarm[i][0]];

		if ((want & ALARM_ANY) != ALARM_ANY && want != read_time_register(r, alarm[i][1]))
			return false;
	}
	return true;
}

/* IRQF, and IRQ 8, follow "a flag is set whose interrupt is enabled" */
static void rtc_update_irq(struct rtc *r)
{
	if (r->flags & r->ram[RTC_REG_B] & REG_B_INT_MASK)
		r->flags |= REG_C_IRQF;
	else
		r->flags &= ~REG_C_IRQF;
	machine_set_irq(r->machine, RTC_IRQ, r->flags & REG_C_IRQF);
}

static void rtc_arm(struct rtc *r)
{
	uint64_t deadline = MACHINE_NO_DEADLINE;
	uint8_t b = r->ram[RTC_REG_B];

	if ((b & REG_B_PIE) && periodic_ns(r))
		deadline = r->next_periodic;
	if ((b & (REG_B_UIE | REG_B_AIE)) && r->next_update < deadline)
		deadline = r->next_update;
	r->timer->deadline = deadline;
}

static void rtc_timer_fire(void *dev, uint64_t now)
{
	struct rtc *r = dev;
	uint64_t period = periodic_ns(r);

	if (period && now >= r->next_periodic) {
		r->flags |= REG_C_PF;
		/* periods missed while the host was busy give one flag */
		r->next_periodic = now + period - (now - r->next_periodic) % period;
	}
	if (now >= r->next_update) {
		r->flags |= REG_C_UF;
		if (alarm_matches(r))
			r->flags |= REG_C_AF;
		r->next_update = next_second_boundary(now);
	}
	rtc_update_irq(r);
	rtc_arm(r);
}

/* restart the periodic and update schedules after A or B changed */
static void rtc_reschedule(struct rtc *r)
{
	uint64_t now = machine_now(r->machine);

	r->next_periodic = now + periodic_ns(r);
	r->next_update = next_second_boundary(now);
	rtc_update_irq(r);
	rtc_arm(r);
}

/* reading C: the flags, including those of disabled interrupts, then clear */
static uint8_t rtc_read_flags(struct rtc *r)
{
	uint64_t now = machine_now(r->machine), period = periodic_ns(r);
	int64_t sec = guest_second(r);
	uint8_t b = r->ram[RTC_REG_B], v;

	if (!(b & REG_B_UIE) && sec != r->last_read_sec)
		r->flags |= REG_C_UF;
	if (!(b & REG_B_PIE) && period && now - r->last_read_ns >= period)
		r->flags |= REG_C_PF;
	if (!(b & REG_B_AIE) && alarm_matches(r))
		r->flags |= REG_C_AF;
	r->last_read_sec = sec;
	r->last_read_ns = now;
	v = r->flags;
	if (v & b & REG_B_INT_MASK)
		v |= REG_C_IRQF;
	r->flags = 0;
	rtc_update_irq(r);
	return v;
}

static uint8_t rtc_read_data(struct rtc *r)
{
	unsigned int reg = r->index;
	struct timespec ts;

	if (is_time_register(reg))
		return read_time_register(r, reg);
	switch (reg) {
	case RTC_REG_A:
		host_time(&ts);
		if ((uint64_t)ts.tv_nsec >= 1000000000ull - UIP_NS)
			return r->ram[reg] | REG_A_UIP;
		return r->ram[reg];
	case RTC_REG_C:
		return rtc_read_flags(r);
	case RTC_REG_D:
		return REG_D_VRT;
	}
	return r->ram[reg];
}

static void rtc_write_data(struct rtc *r, uint8_t v)
{
	unsigned int reg = r->index;

	if (is_time_register(reg)) {
		write_time_register(r, reg, v);
		return;
	}
	switch (reg) {
	case RTC_REG_A:
		r->ram[reg] = v & REG_A_RW_MASK;
		rtc_reschedule(r);
		break;
	case RTC_REG_B:
		r->ram[reg] = v;
		rtc_reschedule(r);
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break;		/* read-only */
	default:
		r->ram[reg] = v;
		break;
	}
}

static uint64_t rtc_read(void *dev, uint64_t offset, unsigned int size)
{
	struct rtc *r = dev;

	if (!offset)
		return 0xff;	/* the index register is write-only */
	return rtc_read_data(r);
}

static void rtc_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	struct rtc *r = dev;

	if (!offset)
		r->index = (uint8_t)value & (CMOS_SIZE - 1);	/* bit 7: NMI mask */
	else
		rtc_write_data(r, (uint8_t)value);
}

static void rtc_release(void *dev)
{
	free(dev);
}

static const struct bus_ops rtc_ops = {
	.read = rtc_read,
	.write = rtc_write,
	.release = rtc_release,
};

static int rtc_attach(struct vmon_machine *m)
{
	struct rtc *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return -ENOMEM;
	r->machine = m;
	/* as a PC BIOS leaves it: 32.768 kHz time base, 1024 Hz rate; BCD, 24 h */
	r->ram[RTC_REG_A] = 0x26;
	r->ram[RTC_REG_B] = REG_B_24H;
	r->timer = machine_add_timer(m, rtc_timer_fire, r);
	if (!r->timer) {
		free(r);
		return -ENOSPC;
	}
	r->last_read_sec = guest_second(r);
	r->last_read_ns = machine_now(m);
	ret = bus_register(&m->pio, RTC_PORT, 2, "rtc", &rtc_ops, r);
	if (ret)
		free(r);
	return ret;
}

const struct vmon_device rtc_device = {
	.name = "rtc",
	.attach = rtc_attach,
};
