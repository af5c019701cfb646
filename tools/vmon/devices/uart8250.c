// SPDX-License-Identifier: GPL-2.0-only
/*
 * A 16550A UART as COM1 (ports 0x3F8-0x3FF), after the National
 * Semiconductor PC16550D data sheet.  Transmitted bytes go to stdout at
 * once, so the transmitter is always empty (LSR.THRE and LSR.TEMT set).
 * The registers behave as the chip's do, which is what Linux's 8250
 * driver probes: scratch register, IER read-back, FIFO bits in IIR,
 * and loopback mode (MCR.LOOP) with its MCR -> MSR wiring and
 * transmit -> receive path.
 *
 * Receiving: the host console (console.c) pushes bytes into the receive
 * FIFO, 16 bytes deep with FCR.FIFO_ENABLE and 1 without, and only as
 * many as fit, so that nothing typed or piped in is lost; reading RBR
 * makes room and asks the console for more.  The interrupt for received
 * data is raised while any byte waits (the FIFO trigger level and the
 * character timeout are not modelled: the driver drains the FIFO either
 * way).
 *
 * IRQ 4 follows the interrupt identification, gated by MCR.OUT2 as on
 * every PC serial port, and cut in loopback mode, where the chip forces
 * its outputs inactive.  THRE behaves as the 8250 driver's startup test
 * expects of a 16550A: enabling IER.THRI with the transmitter empty
 * raises the interrupt at once, reading IIR while it is reported clears
 * it, and every transmitted byte raises it again (the byte left at
 * once, the holding register is empty).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../machine.h"
#include "devices.h"

#define UART_BASE	0x3f8
#define UART_NR_PORTS	8
#define UART_IRQ	4

/* register offsets; with LCR.DLAB set, 0 and 1 are the divisor latch */
#define UART_RBR	0	/* in: receive buffer */
#define UART_THR	0	/* out: transmit holding */
#define UART_DLL	0
#define UART_IER	1
#define UART_DLM	1
#define UART_IIR	2	/* in: interrupt identification */
#define UART_FCR	2	/* out: FIFO control */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define UART_IER_RDI	0x01	/* received data available */
#define UART_IER_THRI	0x02	/* transmit holding register empty */
#define UART_IER_RLSI	0x04	/* receiver line status */
#define UART_IER_MSI	0x08	/* modem status */

#define UART_IIR_NO_INT	0x01
#define UART_IIR_MSI	0x00
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_RLSI	0x06
#define UART_IIR_FIFO	0xc0	/* both bits: FIFOs enabled (16550A) */

#define UART_FCR_ENABLE	0x01
#define UART_FCR_CLEAR_RCVR 0x02

#define UART_LCR_DLAB	0x80

#define UART_MCR_DTR	0x01
#define UART_MCR_RTS	0x02
#define UART_MCR_OUT1	0x04
#define UART_MCR_OUT2	0x08
#define UART_MCR_LOOP	0x10
#define UART_MCR_MASK	0x1f

#define UART_LSR_DR	0x01	/* data ready */
#define UART_LSR_OE	0x02	/* overrun error */
#define UART_LSR_THRE	0x20
#define UART_LSR_TEMT	0x40

#define UART_MSR_DCTS	0x01
#define UART_MSR_DDSR	0x02
#define UART_MSR_TERI	0x04
#define UART_MSR_DDCD	0x08
#define UART_MSR_CTS	0x10
#define UART_MSR_DSR	0x20
#define UART_MSR_RI	0x40
#define UART_MSR_DCD	0x80

#define UART_FIFO_LEN	16

struct uart8250 {
	struct vmon_machine *machine;
	uint8_t ier, lcr, mcr, lsr, msr, scr;
	uint8_t dll, dlm;
	bool fifo_enabled;
	bool thr_int_pending;	/* THRE interrupt until IIR read or THR write */
	uint8_t rx[UART_FIFO_LEN];
	unsigned int rx_head, rx_count;
	bool irq_line;		/* level of IRQ 4 as last driven */
};

/*
 * Modem status inputs.  With nothing attached on the host side vmon
 * reports a ready terminal (CTS, DSR, DCD), as QEMU does; in loopback
 * the chip wires RTS -> CTS, DTR -> DSR, OUT1 -> RI, OUT2 -> DCD.
 */
static uint8_t uart_modem_inputs(const struct uart8250 *u)
{
	uint8_t in = 0;

	if (!(u->mcr & UART_MCR_LOOP))
		return UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
	if (u->mcr & UART_MCR_RTS)
		in |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_DTR)
		in |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_OUT1)
		in |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2)
		in |= UART_MSR_DCD;
	return in;
}

/* latch new inputs and set the delta bits the data sheet defines */
static void uart_update_msr(struct uart8250 *u)
{
	uint8_t in = uart_modem_inputs(u);
	uint8_t changed = (u->msr ^ in) & 0xf0;

	if (changed & UART_MSR_CTS)
		u->msr |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		u->msr |= UART_MSR_DDSR;
	if ((changed & UART_MSR_RI) && !(in & UART_MSR_RI))
		u->msr |= UART_MSR_TERI;	/* trailing edge only */
	if (changed & UART_MSR_DCD)
		u->msr |= UART_MSR_DDCD;
	u->msr = (u->msr & 0x0f) | in;
}

/* highest-priority pending interrupt, as IIR reports it (data sheet table 4) */
static uint8_t uart_iir(const struct uart8250 *u)
{
	uint8_t fifo = u->fifo_enabled ? UART_IIR_FIFO : 0;

	if ((u->ier & UART_IER_RLSI) && (u->lsr & UART_LSR_OE))
		return fifo | UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && (u->lsr & UART_LSR_DR))
		return fifo | UART_IIR_RDI;
	if ((u->ier & UART_IER_THRI) && u->thr_int_pending)
		return fifo | UART_IIR_THRI;
	if ((u->ier & UART_IER_MSI) && (u->msr & 0x0f))
		return fifo | UART_IIR_MSI;
	return fifo | UART_IIR_NO_INT;
}

/* the interrupt output, through OUT2 to IRQ 4 */
static void uart_update_irq(struct uart8250 *u)
{
	bool line = !(uart_iir(u) & UART_IIR_NO_INT) && (u->mcr & UART_MCR_OUT2) &&
		    !(u->mcr & UART_MCR_LOOP);

	if (line != u->irq_line) {
		u->irq_line = line;
		machine_set_irq(u->machine, UART_IRQ, line);
	}
}

static unsigned int uart_rx_capacity(const struct uart8250 *u)
{
	return u->fifo_enabled ? UART_FIFO_LEN : 1;
}

static void uart_rx_push(struct uart8250 *u, uint8_t c)
{
	if (u->rx_count == uart_rx_capacity(u)) {
		u->lsr |= UART_LSR_OE;	/* the new byte is lost */
		return;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_LEN] = c;
	u->rx_count++;
	u->lsr |= UART_LSR_DR;
}

static uint8_t uart_rx_pop(struct uart8250 *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_FIFO_LEN;
	if (!--u->rx_count)
		u->lsr &= ~UART_LSR_DR;
	machine_console_wants_input(u->machine);
	return c;
}

static void uart_transmit(struct uart8250 *u, uint8_t c)
{
	if (u->mcr & UART_MCR_LOOP)
		uart_rx_push(u, c);	/* loopback: the line is cut */
	else
		machine_console_write(u->machine, &c, 1);
	/* the byte left at once: the holding register is empty again */
	u->thr_int_pending = true;
}

static uint8_t uart_read8(struct uart8250 *u, unsigned int reg)
{
	uint8_t v;

	switch (reg) {
	case UART_RBR:
		if (u->lcr & UART_LCR_DLAB)
			return u->dll;
		return uart_rx_pop(u);
	case UART_IER:
		if (u->lcr & UART_LCR_DLAB)
			return u->dlm;
		return u->ier;
	case UART_IIR:
		v = uart_iir(u);
		/* reading IIR while it reports THRE clears that interrupt */
		if ((v & 0x0f) == UART_IIR_THRI)
			u->thr_int_pending = false;
		return v;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = u->lsr | UART_LSR_THRE | UART_LSR_TEMT;
		u->lsr &= ~UART_LSR_OE;		/* error bits clear on read */
		/* a guest polling for input (no interrupts) gets it too */
		if (!(v & UART_LSR_DR))
			machine_console_wants_input(u->machine);
		return v;
	case UART_MSR:
		v = u->msr;
		u->msr &= 0xf0;			/* delta bits clear on read */
		return v;
	default:
		return u->scr;
	}
}

static void uart_write8(struct uart8250 *u, unsigned int reg, uint8_t v)
{
	switch (reg) {
	case UART_THR:
		if (u->lcr & UART_LCR_DLAB)
			u->dll = v;
		else
			uart_transmit(u, v);
		break;
	case UART_IER:
		if (u->lcr & UART_LCR_DLAB) {
			u->dlm = v;
			break;
		}
		/* enabling THRE with the holding register empty raises it */
		if (!(u->ier & UART_IER_THRI) && (v & UART_IER_THRI))
			u->thr_int_pending = true;
		u->ier = v & 0x0f;
		break;
	case UART_FCR:
		if (!!(v & UART_FCR_ENABLE) != u->fifo_enabled) {
			/* switching FIFO mode empties the FIFOs */
			u->rx_count = 0;
			u->lsr &= ~UART_LSR_DR;
		}
		u->fifo_enabled = v & UART_FCR_ENABLE;
		if (v & UART_FCR_CLEAR_RCVR) {
			u->rx_count = 0;
			u->lsr &= ~UART_LSR_DR;
		}
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v & UART_MCR_MASK;
		uart_update_msr(u);
		break;
	case UART_LSR:
	case UART_MSR:
		break;		/* read-only (writes are "factory test" only) */
	default:
		u->scr = v;
		break;
	}
}

/* wider accesses reach consecutive registers, one byte each */
static uint64_t uart_read(void *dev, uint64_t offset, unsigned int size)
{
	uint64_t value = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		value |= (uint64_t)uart_read8(dev, (unsigned int)(offset + i) % UART_NR_PORTS)
			 << (8 * i);
	uart_update_irq(dev);
	return value;
}

static void uart_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		uart_write8(dev, (unsigned int)(offset + i) % UART_NR_PORTS,
			    (uint8_t)(value >> (8 * i)));
	uart_update_irq(dev);
}

/* console input: what fits in the receive FIFO (nothing in loopback) */
static unsigned int uart_console_room(void *dev)
{
	struct uart8250 *u = dev;

	if (u->mcr & UART_MCR_LOOP)
		return 0;
	return uart_rx_capacity(u) - u->rx_count;
}

static void uart_console_push(void *dev, const uint8_t *buf, unsigned int len)
{
	struct uart8250 *u = dev;

	while (len--)
		uart_rx_push(u, *buf++);
	uart_update_irq(u);
}

static const struct console_sink_ops uart_console_ops = {
	.room = uart_console_room,
	.push = uart_console_push,
};

static void uart_release(void *dev)
{
	free(dev);
}

static const struct bus_ops uart_ops = {
	.read = uart_read,
	.write = uart_write,
	.release = uart_release,
};

static int uart_attach(struct vmon_machine *m)
{
	struct uart8250 *u = calloc(1, sizeof(*u));
	int ret;

	if (!u)
		return -ENOMEM;
	u->machine = m;
	/* the divisor is undefined after reset; start at 9600 baud (1.8432 MHz / 16 / 12) */
	u->dll = 12;
	u->msr = uart_modem_inputs(u);
	ret = bus_register(&m->pio, UART_BASE, UART_NR_PORTS, "uart8250", &uart_ops, u);
	if (ret) {
		free(u);
		return ret;
	}
	machine_set_console_sink(m, &uart_console_ops, u);
	return 0;
}

const struct vmon_device uart8250_device = {
	.name = "uart8250",
	.attach = uart_attach,
};
