// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 8254 programmable interval timer at 0x40-0x43 and the PC's
 * "system control port B" at 0x61 that gates its channel 2, after the
 * Intel 8254 data sheet (231164) and the PIIX4 data sheet (NMI status
 * and control register, 4.2.1).
 *
 * The counters run at 1.193182 MHz derived from CLOCK_MONOTONIC: a
 * counter is not stepped, its value is computed from the time since it
 * was loaded, so reads between exits see it move as on hardware.
 * Channel 0's output is IRQ 0: each rising edge is a machine timer
 * deadline, and the run loop fires it (several periods missed while the
 * host was busy give one edge, as a PIC would latch only one).
 *
 * Modes 0-5, binary and BCD counting, LSB/MSB/LSB-then-MSB access, the
 * counter latch command and the read-back command are modelled.  Linux
 * uses channel 0 in mode 2 (periodic clockevent) and mode 4 (oneshot;
 * drivers/clocksource/i8253.c), and channel 2 in mode 0 gated by port
 * 0x61 bit 0, polling OUT2 at 0x61 bit 5 or the counter's MSB, to
 * calibrate the TSC (arch/x86/kernel/tsc.c: pit_calibrate_tsc() and
 * quick_pit_calibrate()).  Simplification: a new count written while a
 * mode 2 or 3 counter runs takes effect at once rather than at the end
 * of the current period.
 */
#include <errno.h>
#include <stdlib.h>

#include "../machine.h"
#include "devices.h"

#define PIT_BASE	0x40
#define PIT_CONTROL	3
#define PORT_B		0x61
#define PIT_HZ		1193182ull
#define NS_PER_SEC	1000000000ull
#define PIT_IRQ		0

/* control word */
#define CW_BCD		0x01
#define CW_MODE(v)	(((v) >> 1) & 7)
#define CW_RW(v)	(((v) >> 4) & 3)
#define CW_SC(v)	(((v) >> 6) & 3)
#define RW_LATCH	0
#define RW_LSB		1
#define RW_MSB		2
#define RW_BOTH		3
#define SC_READBACK	3
/* read-back command: bits are active low */
#define RB_NO_COUNT	0x20
#define RB_NO_STATUS	0x10
/* status byte */
#define ST_OUT		0x80
#define ST_NULL		0x40

/* port 0x61 */
#define PB_GATE2	0x01
#define PB_SPEAKER	0x02
#define PB_RW_MASK	0x0f	/* gate, speaker, parity and IOCHK check enables */
#define PB_REFRESH	0x10	/* toggles every 15.085 us (DRAM refresh request) */
#define PB_OUT2		0x20
#define REFRESH_NS	15085ull

struct pit_channel {
	uint8_t control;	/* RW, mode, BCD bits of the last control word */
	uint8_t mode;
	uint32_t count;		/* the count in effect: 1..65536 (10000 in BCD) */
	uint16_t next;		/* the count being written */
	bool write_msb;		/* RW_BOTH: the next byte written is the MSB */
	bool read_msb;		/* RW_BOTH: the next byte read is the MSB */
	bool loaded;		/* a full count has been written */
	bool running;		/* counting (modes 1 and 5 wait for a gate edge) */
	bool gate;
	uint64_t start_ns;	/* when counting (re)started */
	uint64_t frozen;	/* ticks counted before start_ns (gate pauses) */
	bool paused;		/* gate low in mode 0 or 4: counting held */
	uint16_t latch;
	unsigned int latched;	/* latched count bytes still to read */
	bool latch_msb;		/* RW_BOTH: the next latched byte is the MSB */
	uint8_t status;
	bool status_latched;
};

struct i8254 {
	struct vmon_machine *machine;
	struct machine_timer *timer;	/* channel 0's next rising edge */
	struct pit_channel ch[3];
	uint8_t port_b;
};

static uint64_t ticks_of(uint64_t ns)
{
	return (uint64_t)((__uint128_t)ns * PIT_HZ / NS_PER_SEC);
}

/* the first ns by which ticks have elapsed */
static uint64_t ns_of(uint64_t ticks)
{
	return (uint64_t)(((__uint128_t)ticks * NS_PER_SEC + PIT_HZ - 1) / PIT_HZ);
}

static uint64_t elapsed(const struct pit_channel *c, uint64_t now)
{
	if (c->paused || now < c->start_ns)
		return c->frozen;
	return c->frozen + ticks_of(now - c->start_ns);
}

static uint32_t modulus(const struct pit_channel *c)
{
	return c->control & CW_BCD ? 10000 : 65536;
}

/* the counting element's value at now */
static uint32_t counter_value(const struct pit_channel *c, uint64_t now)
{
	uint64_t e = elapsed(c, now), n = c->count;

	if (!c->running)
		return c->count % modulus(c);
	switch (c->mode) {
	case 2:
		return (uint32_t)(n - e % n);
	case 3:
		/* counts down by two, twice per period */
		n &= ~1ull;
		if (n < 2)
			n = 2;
		return (uint32_t)(n - (2 * e) % n);
	default:	/* 0, 1, 4, 5: down to 0, then wraps and keeps counting */
		return (uint32_t)((n + modulus(c) * 2 - e % modulus(c)) % modulus(c));
	}
}

static bool output(const struct pit_channel *c, uint64_t now)
{
	uint64_t e = elapsed(c, now), n = c->count;

	switch (c->mode) {
	case 0:
		return c->running && e >= n;
	case 1:
		return !c->running || e >= n;
	case 2:
		return !c->running || !c->gate || e % n != n - 1;
	case 3:
		return !c->running || !c->gate || e % n < (n + 1) / 2;
	default:	/* 4, 5: one tick low at terminal count */
		return !c->running || e != n;
	}
}

/*
 * The next rising edge of OUT after now, for channel 0's IRQ, or
 * MACHINE_NO_DEADLINE.  One-shot modes have one edge per count.
 */
static uint64_t next_edge(const struct pit_channel *c, uint64_t now)
{
	uint64_t e = elapsed(c, now), n = c->count, target;

	if (!c->running || c->paused)
		return MACHINE_NO_DEADLINE;
	switch (c->mode) {
	case 0:
	case 1:
		if (e >= n)
			return MACHINE_NO_DEADLINE;
		target = n;
		break;
	case 2:
	case 3:
		if (!c->gate)
			return MACHINE_NO_DEADLINE;
		target = (e / n + 1) * n;
		break;
	default:
		if (e > n)
			return MACHINE_NO_DEADLINE;
		target = n + 1;
		break;
	}
	return c->start_ns + ns_of(target - c->frozen);
}

static void arm_irq_timer(struct i8254 *pit, uint64_t now)
{
	pit->timer->deadline = next_edge(&pit->ch[0], now);
}

static void pit_timer_fire(void *dev, uint64_t now)
{
	struct i8254 *pit = dev;

	machine_pulse_irq(pit->machine, PIT_IRQ);
	arm_irq_timer(pit, now);
}

static void restart(struct pit_channel *c, uint64_t now)
{
	c->start_ns = now;
	c->frozen = 0;
	c->paused = (c->mode == 0 || c->mode == 4) && !c->gate;
	c->running = true;
}

static uint32_t from_bcd(uint16_t v)
{
	return (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 +
	       ((v >> 12) & 0xf) * 1000;
}

static uint16_t to_bcd(uint32_t v)
{
	return (uint16_t)((v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 |
			  (v / 1000 % 10) << 12);
}

/* a complete count was written */
static void load_count(struct pit_channel *c, uint64_t now)
{
	uint32_t n = c->control & CW_BCD ? from_bcd(c->next) : c->next;

	c->count = n ? n : modulus(c);
	c->loaded = true;
	c->status &= ~ST_NULL;
	if (c->mode == 1 || c->mode == 5)
		c->running = false;	/* armed: the gate's rising edge starts it */
	else
		restart(c, now);
}

static void write_control(struct i8254 *pit, uint8_t v, uint64_t now)
{
	struct pit_channel *c;
	unsigned int i;

	if (CW_SC(v) == SC_READBACK) {
		for (i = 0; i < 3; i++) {
			if (!(v & (2u << i)))
				continue;
			c = &pit->ch[i];
			if (!(v & RB_NO_STATUS) && !c->status_latched) {
				c->status = (c->status & ST_NULL) | c->control |
					    (output(c, now) ? ST_OUT : 0);
				c->status_latched = true;
			}
			if (!(v & RB_NO_COUNT) && !c->latched) {
				uint32_t val = counter_value(c, now);

				c->latch = c->control & CW_BCD ? to_bcd(val) : (uint16_t)val;
				c->latched = CW_RW(c->control) == RW_BOTH ? 2 : 1;
				c->latch_msb = CW_RW(c->control) == RW_MSB;
			}
		}
		return;
	}
	c = &pit->ch[CW_SC(v)];
	if (CW_RW(v) == RW_LATCH) {
		if (!c->latched) {
			uint32_t val = counter_value(c, now);

			c->latch = c->control & CW_BCD ? to_bcd(val) : (uint16_t)val;
			c->latched = CW_RW(c->control) == RW_BOTH ? 2 : 1;
			c->latch_msb = CW_RW(c->control) == RW_MSB;
		}
		return;
	}
	c->control = v & 0x3f;
	c->mode = CW_MODE(v) > 5 ? CW_MODE(v) - 4 : CW_MODE(v);	/* 6, 7 are 2, 3 */
	c->write_msb = false;
	c->read_msb = false;
	c->latched = 0;
	c->status_latched = false;
	c->status = ST_NULL;
	/* a control word stops the counter until a new count arrives */
	c->running = false;
	c->loaded = false;
}

static void write_counter(struct pit_channel *c, uint8_t v, uint64_t now)
{
	switch (CW_RW(c->control)) {
	case RW_LSB:
		c->next = v;
		load_count(c, now);
		break;
	case RW_MSB:
		c->next = (uint16_t)(v << 8);
		load_count(c, now);
		break;
	case RW_BOTH:
		if (!c->write_msb) {
			c->next = v;
			c->write_msb = true;
			/* mode 0: writing the first byte stops the count */
			if (c->mode == 0)
				c->running = false;
		} else {
			c->next |= (uint16_t)(v << 8);
			c->write_msb = false;
			load_count(c, now);
		}
		break;
	}
}

static uint8_t read_counter(struct pit_channel *c, uint64_t now)
{
	uint16_t val;
	uint8_t byte;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latched) {
		byte = c->latch_msb ? c->latch >> 8 : c->latch & 0xff;
		c->latch_msb = !c->latch_msb;
		c->latched--;
		return byte;
	}
	val = (uint16_t)counter_value(c, now);
	if (c->control & CW_BCD)
		val = to_bcd(counter_value(c, now));
	switch (CW_RW(c->control)) {
	case RW_MSB:
		return val >> 8;
	case RW_BOTH:
		c->read_msb = !c->read_msb;
		return c->read_msb ? val & 0xff : val >> 8;
	default:
		return val & 0xff;
	}
}

static void set_gate(struct pit_channel *c, bool gate, uint64_t now)
{
	bool rising = gate && !c->gate;

	if (gate == c->gate)
		return;
	if (!gate && (c->mode == 0 || c->mode == 4) && c->running && !c->paused) {
		c->frozen = elapsed(c, now);	/* hold the count */
		c->paused = true;
	}
	c->gate = gate;
	if (!rising || !c->loaded)
		return;
	switch (c->mode) {
	case 0:
	case 4:
		if (c->running && c->paused) {
			c->start_ns = now;	/* resume where it stopped */
			c->paused = false;
		}
		break;
	default:	/* 1, 2, 3, 5: a rising gate (re)triggers from the count */
		restart(c, now);
		break;
	}
}

static uint64_t pit_read(void *dev, uint64_t offset, unsigned int size)
{
	struct i8254 *pit = dev;

	if (offset == PIT_CONTROL)
		return 0xff;	/* the control register cannot be read */
	return read_counter(&pit->ch[offset], machine_now(pit->machine));
}

static void pit_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	struct i8254 *pit = dev;
	uint64_t now = machine_now(pit->machine);

	if (offset == PIT_CONTROL)
		write_control(pit, (uint8_t)value, now);
	else
		write_counter(&pit->ch[offset], (uint8_t)value, now);
	arm_irq_timer(pit, now);
}

/*
 * Port 0x61: bit 5 is OUT2, bit 4 the refresh toggle some delay loops
 * watch; IOCHK and SERR (bits 6, 7) stay 0: no device raises an NMI.
 */
static uint64_t port_b_read(void *dev, uint64_t offset, unsigned int size)
{
	struct i8254 *pit = dev;
	uint64_t now = machine_now(pit->machine);
	uint8_t v = pit->port_b & PB_RW_MASK;

	if (output(&pit->ch[2], now))
		v |= PB_OUT2;
	if ((now / REFRESH_NS) & 1)
		v |= PB_REFRESH;
	return v;
}

static void port_b_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	struct i8254 *pit = dev;

	/* bit 1 would drive the PC speaker: there is none, the write is kept only */
	pit->port_b = (uint8_t)value & PB_RW_MASK;
	set_gate(&pit->ch[2], value & PB_GATE2, machine_now(pit->machine));
}

static void pit_release(void *dev)
{
	free(dev);
}

static const struct bus_ops pit_ops = {
	.read = pit_read,
	.write = pit_write,
	.release = pit_release,
};

static const struct bus_ops port_b_ops = {
	.read = port_b_read,
	.write = port_b_write,
};

static int pit_attach(struct vmon_machine *m)
{
	struct i8254 *pit = calloc(1, sizeof(*pit));
	unsigned int i;
	int ret;

	if (!pit)
		return -ENOMEM;
	pit->machine = m;
	pit->timer = machine_add_timer(m, pit_timer_fire, pit);
	if (!pit->timer) {
		free(pit);
		return -ENOSPC;
	}
	/* channels 0 and 1 are gated high on a PC; 2 follows port 0x61 bit 0 */
	for (i = 0; i < 3; i++) {
		pit->ch[i].gate = i != 2;
		pit->ch[i].count = 65536;
		pit->ch[i].control = RW_BOTH << 4;
	}
	ret = bus_register(&m->pio, PIT_BASE, 4, "i8254", &pit_ops, pit);
	if (ret) {
		free(pit);
		return ret;
	}
	return bus_register(&m->pio, PORT_B, 1, "port-b", &port_b_ops, pit);
}

const struct vmon_device i8254_device = {
	.name = "i8254",
	.attach = pit_attach,
};
