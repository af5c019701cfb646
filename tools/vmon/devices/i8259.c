// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PC's pair of 8259A programmable interrupt controllers, after the
 * Intel 8259A data sheet: the master at 0x20-0x21 takes ISA IRQs 0-7,
 * the slave at 0xA0-0xA1 takes IRQs 8-15 and is cascaded on the
 * master's IR2.  The edge/level control registers (ELCR) of PCI-era
 * chipsets sit at 0x4D0-0x4D1 (Intel 82371AB PIIX4 data sheet, 4.2.2).
 *
 * What is modelled: initialization (ICW1-4), the mask (OCW1), EOI,
 * specific EOI and priority rotation (OCW2), register read select,
 * poll mode and special mask mode (OCW3), auto-EOI with optional
 * rotation, edge and level triggering (per ELCR; ICW1.LTIM is ignored
 * as PC chipsets ignore it), and the spurious IRQ7/IRQ15 answer of an
 * acknowledge cycle that finds no request.  Not modelled: the MCS-80
 * mode (ICW4.uPM = 0) and buffered mode, which mean nothing to a PC.
 *
 * Linux drives it from arch/x86/kernel/i8259.c: probe_8259A() writes
 * the master's mask and reads it back, init_8259A() runs ICW1-4 with
 * vectors 0x30/0x38, mask_and_ack_8259A() uses specific EOIs, and
 * i8259A_irq_real() reads the ISR through OCW3 to tell a spurious
 * IRQ7 from a real one.
 */
#include <errno.h>
#include <stdlib.h>

#include "../machine.h"
#include "devices.h"

#define PIC_MASTER	0x20
#define PIC_SLAVE	0xa0
#define PIC_ELCR	0x4d0
#define PIC_CASCADE_IR	2

/* ICW1 (command port, bit 4 set) */
#define ICW1_IC4	0x01	/* ICW4 follows */
#define ICW1_SNGL	0x02	/* single chip: no ICW3 */
#define ICW1_INIT	0x10
/* OCW3 (command port, bits 4:3 = 01) */
#define OCW3_SEL	0x08
#define OCW3_RIS	0x01	/* read ISR (else IRR), when RR is set */
#define OCW3_RR		0x02
#define OCW3_POLL	0x04
#define OCW3_SMM	0x20	/* special mask mode value, when ESMM is set */
#define OCW3_ESMM	0x40
/* ICW4 */
#define ICW4_AEOI	0x02
#define ICW4_SFNM	0x10

/* OCW2 commands, bits 7:5 */
enum {
	OCW2_ROTATE_AEOI_CLEAR	= 0,
	OCW2_EOI		= 1,
	OCW2_NOP		= 2,
	OCW2_SPECIFIC_EOI	= 3,
	OCW2_ROTATE_AEOI_SET	= 4,
	OCW2_ROTATE_EOI		= 5,
	OCW2_SET_PRIORITY	= 6,
	OCW2_ROTATE_SPECIFIC_EOI = 7,
};

struct i8259 {
	uint8_t irr, isr, imr;
	uint8_t elcr, elcr_mask;	/* bits that can be level triggered */
	uint8_t lines;			/* input levels, for edge detection */
	uint8_t vector_base;		/* ICW2 & 0xf8 */
	uint8_t lowest;			/* IR of lowest priority (rotation) */
	uint8_t icw3;
	unsigned int init_step;		/* next ICW expected: 0 = none */
	bool icw4_needed, single;
	bool read_isr, poll, special_mask, auto_eoi, rotate_on_aeoi, sfnm;
};

struct i8259_pair {
	struct vmon_machine *machine;
	struct i8259 chip[2];		/* master, slave */
};

/* the requests in mask, by priority: the first IR after the lowest one */
static int highest_priority(const struct i8259 *c, uint8_t mask)
{
	unsigned int i;

	for (i = 1; i <= 8; i++) {
		unsigned int ir = (c->lowest + i) & 7;

		if (mask & (1u << ir))
			return (int)ir;
	}
	return -1;
}

/* priority rank: 0 is the highest */
static unsigned int rank(const struct i8259 *c, int ir)
{
	return ((unsigned int)ir - c->lowest - 1) & 7;
}

/*
 * The IR this chip would raise INT for: the highest-priority unmasked
 * request above every in-service level (in special mask mode, masked
 * in-service levels do not block lower ones; data sheet, OCW3 ESMM).
 * In special fully nested mode the master lets the slave interrupt
 * again while one of its requests is in service.
 */
static int chip_output(const struct i8259 *c, bool is_master)
{
	uint8_t in_service = c->isr;
	int req = highest_priority(c, c->irr & ~c->imr);
	int cur;

	if (req < 0)
		return -1;
	if (c->special_mask)
		in_service &= ~c->imr;
	if (is_master && c->sfnm)
		in_service &= ~(1u << PIC_CASCADE_IR);
	cur = highest_priority(c, in_service);
	if (cur >= 0 && rank(c, cur) <= rank(c, req))
		return -1;
	return req;
}

static void chip_set_line(struct i8259 *c, unsigned int ir, bool level)
{
	uint8_t bit = 1u << ir;

	if (c->elcr & bit) {
		/* level: the request follows the line */
		if (level)
			c->irr |= bit;
		else
			c->irr &= ~bit;
	} else if (level && !(c->lines & bit)) {
		c->irr |= bit;	/* edge: latched on the rising edge */
	}
	if (level)
		c->lines |= bit;
	else
		c->lines &= ~bit;
}

/* the slave's INT output drives the master's IR2 */
static void update_cascade(struct i8259_pair *p)
{
	chip_set_line(&p->chip[0], PIC_CASCADE_IR, chip_output(&p->chip[1], false) >= 0);
}

static void pic_set_irq(void *dev, unsigned int irq, bool level)
{
	struct i8259_pair *p = dev;

	if (irq >= 16)
		return;
	chip_set_line(&p->chip[irq >> 3], irq & 7, level);
	update_cascade(p);
}

static bool pic_pending(void *dev)
{
	struct i8259_pair *p = dev;

	return chip_output(&p->chip[0], true) >= 0;
}

/* first and second INTA pulse on one chip: IRR -> ISR, or auto-EOI */
static void chip_ack(struct i8259 *c, int ir)
{
	uint8_t bit = 1u << ir;

	if (c->auto_eoi) {
		if (c->rotate_on_aeoi)
			c->lowest = ir;
	} else {
		c->isr |= bit;
	}
	/* an edge request is consumed; a level one stays while the line is high */
	if (!(c->elcr & bit))
		c->irr &= ~bit;
}

static uint8_t pic_ack(void *dev)
{
	struct i8259_pair *p = dev;
	struct i8259 *master = &p->chip[0], *slave = &p->chip[1];
	int ir = chip_output(master, true), ir2;
	uint8_t vector;

	if (ir < 0)	/* the request went away: the master answers IR7, ISR untouched */
		return master->vector_base | 7;
	if (ir == PIC_CASCADE_IR && !(master->single)) {
		ir2 = chip_output(slave, false);
		if (ir2 >= 0) {
			chip_ack(slave, ir2);
			vector = slave->vector_base | ir2;
		} else {
			vector = slave->vector_base | 7;	/* spurious IRQ15 */
		}
	} else {
		vector = master->vector_base | ir;
	}
	chip_ack(master, ir);
	update_cascade(p);
	return vector;
}

static void chip_eoi(struct i8259 *c, int ir, bool rotate)
{
	if (ir < 0)
		return;
	c->isr &= ~(1u << ir);
	if (rotate)
		c->lowest = ir;
}

static void chip_write_command(struct i8259 *c, uint8_t v)
{
	unsigned int level = v & 7;

	if (v & ICW1_INIT) {
		/* ICW1 resets the chip's state (data sheet, "Initialization") */
		c->irr &= c->elcr;	/* edge sense latches reset; levels stay */
		c->isr = 0;
		c->imr = 0;
		c->lowest = 7;
		c->read_isr = false;
		c->poll = false;
		c->special_mask = false;
		c->auto_eoi = false;
		c->rotate_on_aeoi = false;
		c->sfnm = false;
		c->icw4_needed = v & ICW1_IC4;
		c->single = v & ICW1_SNGL;
		c->init_step = 2;
		return;
	}
	if (v & OCW3_SEL) {
		if (v & OCW3_POLL)
			c->poll = true;
		if (v & OCW3_RR)
			c->read_isr = v & OCW3_RIS;
		if (v & OCW3_ESMM)
			c->special_mask = v & OCW3_SMM;
		return;
	}
	switch (v >> 5) {
	case OCW2_ROTATE_AEOI_CLEAR:
		c->rotate_on_aeoi = false;
		break;
	case OCW2_ROTATE_AEOI_SET:
		c->rotate_on_aeoi = true;
		break;
	case OCW2_EOI:
	case OCW2_ROTATE_EOI:
		chip_eoi(c, highest_priority(c, c->isr), (v >> 5) == OCW2_ROTATE_EOI);
		break;
	case OCW2_SPECIFIC_EOI:
	case OCW2_ROTATE_SPECIFIC_EOI:
		chip_eoi(c, (int)level, (v >> 5) == OCW2_ROTATE_SPECIFIC_EOI);
		break;
	case OCW2_SET_PRIORITY:
		c->lowest = level;
		break;
	case OCW2_NOP:
		break;
	}
}

static void chip_write_data(struct i8259 *c, uint8_t v)
{
	switch (c->init_step) {
	case 2:		/* ICW2: vector base; the low 3 bits come from the IR */
		c->vector_base = v & 0xf8;
		c->init_step = c->single ? (c->icw4_needed ? 4 : 0) : 3;
		break;
	case 3:		/* ICW3: cascade wiring, fixed on a PC */
		c->icw3 = v;
		c->init_step = c->icw4_needed ? 4 : 0;
		break;
	case 4:
		c->auto_eoi = v & ICW4_AEOI;
		c->sfnm = v & ICW4_SFNM;
		c->init_step = 0;
		break;
	default:	/* OCW1 */
		c->imr = v;
		break;
	}
}

/* poll mode: the next read is an acknowledge without a vector cycle */
static uint8_t chip_poll(struct i8259_pair *p, struct i8259 *c)
{
	int ir = chip_output(c, c == &p->chip[0]);

	c->poll = false;
	if (ir < 0)
		return 0;
	chip_ack(c, ir);
	update_cascade(p);
	return 0x80 | (uint8_t)ir;
}

static uint64_t pic_read(struct i8259_pair *p, struct i8259 *c, uint64_t offset)
{
	if (c->poll)
		return chip_poll(p, c);
	if (offset)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

static void pic_write(struct i8259_pair *p, struct i8259 *c, uint64_t offset, uint8_t v)
{
	if (offset)
		chip_write_data(c, v);
	else
		chip_write_command(c, v);
	update_cascade(p);
}

static uint64_t master_read(void *dev, uint64_t offset, unsigned int size)
{
	struct i8259_pair *p = dev;

	return pic_read(p, &p->chip[0], offset);
}

static void master_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	struct i8259_pair *p = dev;

	pic_write(p, &p->chip[0], offset, (uint8_t)value);
}

static uint64_t slave_read(void *dev, uint64_t offset, unsigned int size)
{
	struct i8259_pair *p = dev;

	return pic_read(p, &p->chip[1], offset);
}

static void slave_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	struct i8259_pair *p = dev;

	pic_write(p, &p->chip[1], offset, (uint8_t)value);
}

static uint64_t elcr_read(void *dev, uint64_t offset, unsigned int size)
{
	struct i8259_pair *p = dev;

	return p->chip[offset].elcr;
}

static void elcr_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	struct i8259_pair *p = dev;
	struct i8259 *c = &p->chip[offset];
	uint8_t old = c->elcr;

	c->elcr = (uint8_t)value & c->elcr_mask;
	/* a line turning level-triggered requests while it is high */
	c->irr = (c->irr & ~(c->elcr & ~old)) | (c->lines & c->elcr & ~old);
	update_cascade(p);
}

static void pic_release(void *dev)
{
	free(dev);
}

static const struct bus_ops master_ops = {
	.read = master_read,
	.write = master_write,
	.release = pic_release,		/* the pair is freed once, with the master */
};

static const struct bus_ops slave_ops = {
	.read = slave_read,
	.write = slave_write,
};

static const struct bus_ops elcr_ops = {
	.read = elcr_read,
	.write = elcr_write,
};

static const struct irqchip_ops pic_irqchip_ops = {
	.set_irq = pic_set_irq,
	.pending = pic_pending,
	.ack = pic_ack,
};

static int pic_attach(struct vmon_machine *m)
{
	struct i8259_pair *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	p->machine = m;
	p->chip[0].lowest = 7;
	p->chip[1].lowest = 7;
	/* IRQ 0, 1, 2 (master) and 8, 13 (slave) are always edge (PIIX4 4.2.2) */
	p->chip[0].elcr_mask = 0xf8;
	p->chip[1].elcr_mask = 0xde;
	ret = bus_register(&m->pio, PIC_MASTER, 2, "i8259-master", &master_ops, p);
	if (ret) {
		free(p);
		return ret;
	}
	/* the master's range owns p now: later failures are freed by bus_destroy() */
	ret = bus_register(&m->pio, PIC_SLAVE, 2, "i8259-slave", &slave_ops, p);
	if (!ret)
		ret = bus_register(&m->pio, PIC_ELCR, 2, "elcr", &elcr_ops, p);
	if (ret)
		return ret;
	m->irqchip = &pic_irqchip_ops;
	m->irqchip_dev = p;
	return 0;
}

const struct vmon_device i8259_device = {
	.name = "i8259",
	.attach = pic_attach,
};
