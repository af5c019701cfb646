// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the 16550 UART (devices/uart8250.c), through the port
 * bus as a guest sees it, including the probes Linux's 8250 driver runs
 * (drivers/tty/serial/8250/8250_port.c: autoconfig).
 */
#include <fcntl.h>

#include "kselftest_harness.h"
#include "devices/devices.h"
#include "machine.h"

#define COM1	0x3f8
#define THR	0
#define DLL	0
#define IER	1
#define DLM	1
#define IIR	2
#define FCR	2
#define LCR	3
#define MCR	4
#define LSR	5
#define MSR	6
#define SCR	7

FIXTURE(uart) {
	struct vmon_machine m;
	int pipe[2];
};

FIXTURE_SETUP(uart)
{
	ASSERT_EQ(0, pipe2(self->pipe, O_NONBLOCK));
	machine_init(&self->m, self->pipe[1]);
	ASSERT_EQ(0, machine_add_devices(&self->m));
}

FIXTURE_TEARDOWN(uart)
{
	machine_destroy(&self->m);
	close(self->pipe[0]);
	close(self->pipe[1]);
}

static uint8_t in8(struct vmon_machine *m, unsigned int reg)
{
	uint8_t v = 0;

	bus_access(&m->pio, COM1 + reg, &v, 1, false);
	return v;
}

static void out8(struct vmon_machine *m, unsigned int reg, uint8_t v)
{
	bus_access(&m->pio, COM1 + reg, &v, 1, true);
}

/* what reached the console so far */
static char *console(int fd)
{
	static char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = 0;
	return buf;
}

TEST_F(uart, reset_state)
{
	EXPECT_EQ(0x60, in8(&self->m, LSR));	/* THRE | TEMT, no data */
	EXPECT_EQ(0x01, in8(&self->m, IIR));	/* no interrupt, no FIFO */
	EXPECT_EQ(0, in8(&self->m, IER));
	EXPECT_EQ(0, in8(&self->m, LCR));
	EXPECT_EQ(0, in8(&self->m, MCR));
	/* a ready terminal: CTS, DSR, DCD; no deltas */
	EXPECT_EQ(0xb0, in8(&self->m, MSR));
}

TEST_F(uart, transmit_goes_to_console)
{
	const char *s = "hi\n";

	while (*s) {
		EXPECT_TRUE(in8(&self->m, LSR) & 0x20);
		out8(&self->m, THR, (uint8_t)*s++);
	}
	EXPECT_STREQ("hi\n", console(self->pipe[0]));
	EXPECT_EQ(0x60, in8(&self->m, LSR) & 0x60);
}

TEST_F(uart, divisor_latch)
{
	out8(&self->m, LCR, 0x83);	/* DLAB, 8N1 */
	out8(&self->m, DLL, 0x01);
	out8(&self->m, DLM, 0x02);
	EXPECT_EQ(0x01, in8(&self->m, DLL));
	EXPECT_EQ(0x02, in8(&self->m, DLM));
	EXPECT_STREQ("", console(self->pipe[0]));	/* not a transmit */
	EXPECT_EQ(0x02, in8(&self->m, IER));		/* DLM while DLAB is set */
	out8(&self->m, LCR, 0x03);
	EXPECT_EQ(0x03, in8(&self->m, LCR));
	EXPECT_EQ(0, in8(&self->m, IER));		/* IER untouched by DLM */
	out8(&self->m, THR, 'x');
	EXPECT_STREQ("x", console(self->pipe[0]));
}

TEST_F(uart, scratch_and_ier_readback)
{
	/* Linux: serial_out(UART_SCR, 0xa5) then 0x5a, reading each back */
	out8(&self->m, SCR, 0xa5);
	EXPECT_EQ(0xa5, in8(&self->m, SCR));
	out8(&self->m, SCR, 0x5a);
	EXPECT_EQ(0x5a, in8(&self->m, SCR));
	/* Linux: IER = 0x0f must read back 0x0f (upper bits are zero) */
	out8(&self->m, IER, 0xff);
	EXPECT_EQ(0x0f, in8(&self->m, IER));
	out8(&self->m, IER, 0);
	EXPECT_EQ(0, in8(&self->m, IER));
}

TEST_F(uart, fifo_makes_it_a_16550a)
{
	out8(&self->m, FCR, 0x01);
	EXPECT_EQ(0xc1, in8(&self->m, IIR));	/* FIFO bits: 16550A */
	out8(&self->m, FCR, 0x00);
	EXPECT_EQ(0x01, in8(&self->m, IIR));
}

TEST_F(uart, thre_interrupt_identification)
{
	/* enabling the THRE interrupt with an empty holding register raises it */
	out8(&self->m, IER, 0x02);
	EXPECT_EQ(0x02, in8(&self->m, IIR));
	/* reading IIR acknowledged it */
	EXPECT_EQ(0x01, in8(&self->m, IIR));
	/* a transmitted byte empties the register again at once */
	out8(&self->m, THR, 'a');
	EXPECT_EQ(0x02, in8(&self->m, IIR));
	EXPECT_EQ(0x01, in8(&self->m, IIR));
	/* disabled: never reported */
	out8(&self->m, IER, 0);
	out8(&self->m, THR, 'b');
	EXPECT_EQ(0x01, in8(&self->m, IIR));
	EXPECT_STREQ("ab", console(self->pipe[0]));
}

TEST_F(uart, loopback_as_linux_probes_it)
{
	/* Linux: MCR = LOOP | 0x0a (RTS, OUT2) must give MSR & 0xf0 == 0x90 */
	out8(&self->m, MCR, 0x10 | 0x0a);
	EXPECT_EQ(0x90, in8(&self->m, MSR) & 0xf0);
	out8(&self->m, MCR, 0x10 | 0x05);	/* DTR, OUT1 -> DSR, RI */
	EXPECT_EQ(0x60, in8(&self->m, MSR) & 0xf0);
	out8(&self->m, MCR, 0x10);
	/* RI fell: trailing edge; DSR fell: delta */
	EXPECT_EQ(0x06, in8(&self->m, MSR));
	EXPECT_EQ(0x00, in8(&self->m, MSR));	/* deltas clear on read */

	/* loopback: transmitted bytes come back, nothing reaches the console */
	out8(&self->m, THR, 'L');
	EXPECT_EQ(0x61, in8(&self->m, LSR));	/* DR */
	EXPECT_EQ('L', in8(&self->m, THR));
	EXPECT_EQ(0x60, in8(&self->m, LSR));
	EXPECT_STREQ("", console(self->pipe[0]));
	out8(&self->m, MCR, 0);
	EXPECT_EQ(0xb0, in8(&self->m, MSR) & 0xf0);
}

TEST_F(uart, receive_overrun_and_interrupts)
{
	out8(&self->m, MCR, 0x10);
	out8(&self->m, THR, '1');
	out8(&self->m, THR, '2');		/* no FIFO: one byte holds, this is lost */
	out8(&self->m, IER, 0x05);		/* RDI + RLSI */
	EXPECT_EQ(0x06, in8(&self->m, IIR));	/* line status first */
	EXPECT_EQ(0x63, in8(&self->m, LSR));	/* OE | DR; reading clears OE */
	EXPECT_EQ(0x04, in8(&self->m, IIR));	/* then data available */
	EXPECT_EQ('1', in8(&self->m, THR));
	EXPECT_EQ(0x01, in8(&self->m, IIR));

	/* with the FIFO, 16 bytes fit */
	out8(&self->m, FCR, 0x01);
	for (int i = 0; i < 16; i++)
		out8(&self->m, THR, (uint8_t)('a' + i));
	EXPECT_EQ(0x61, in8(&self->m, LSR));
	for (int i = 0; i < 16; i++)
		EXPECT_EQ('a' + i, in8(&self->m, THR));
	EXPECT_EQ(0x60, in8(&self->m, LSR));
	/* FCR bit 1 clears the receive FIFO */
	out8(&self->m, THR, 'z');
	out8(&self->m, FCR, 0x03);
	EXPECT_EQ(0x60, in8(&self->m, LSR));
}

TEST_F(uart, word_access_reaches_two_registers)
{
	uint16_t v = 0x0300 | 'w';	/* THR = 'w', IER = 0x03 */

	bus_access(&self->m.pio, COM1, &v, 2, true);
	EXPECT_STREQ("w", console(self->pipe[0]));
	EXPECT_EQ(0x03, in8(&self->m, IER));
}

TEST_HARNESS_MAIN
