// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the console input (console.c): Ctrl-A escapes on a
 * terminal, pass-through and EOF on a pipe, and the UART as its sink.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

#include "kselftest_harness.h"
#include "console.h"
#include "devices/devices.h"
#include "machine.h"
#include "test_util.h"

FIXTURE(con) {
	struct vmon_machine m;
	struct console c;
	int out[2], in[2];
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

FIXTURE_SETUP(con)
{
	ASSERT_EQ(0, pipe2(self->out, O_NONBLOCK));
	ASSERT_EQ(0, pipe(self->in));
	machine_init(&self->m, self->out[1]);
	ASSERT_EQ(0, machine_add_devices(&self->m));
	ASSERT_EQ(0, console_open(&self->c, self->in[0]));
}

FIXTURE_TEARDOWN(con)
{
	console_close(&self->c);
	machine_destroy(&self->m);
	close(self->out[0]);
	close(self->out[1]);
	close(self->in[0]);
	if (self->in[1] >= 0)
		close(self->in[1]);
}

TEST_F(con, terminal_escapes)
{
	const uint8_t in[] = { 'a', 0x01, 0x01, 'b', 0x01, 'z', 'c', 0x01 };
	uint8_t out[16];

	self->c.escapes = true;
	EXPECT_EQ(4, console_filter(&self->c, in, sizeof(in), out));
	EXPECT_EQ(0, memcmp(out, "a\001bc", 4));
	EXPECT_TRUE(self->c.escape_pending);	/* across reads */
	EXPECT_EQ(0, console_filter(&self->c, (const uint8_t *)"x", 1, out));
	EXPECT_TRUE(self->c.quit);
}

TEST_F(con, pipe_passes_everything)
{
	const uint8_t in[] = { 0x01, 'x' };
	uint8_t out[4];

	EXPECT_FALSE(self->c.escapes);
	EXPECT_EQ(2, console_filter(&self->c, in, sizeof(in), out));
	EXPECT_FALSE(self->c.quit);
}

/* bytes go to the UART only as far as its FIFO has room */
TEST_F(con, uart_receives_with_flow_control)
{
	char buf[40];
	unsigned int i;

	memset(buf, 'q', sizeof(buf));
	ASSERT_EQ(sizeof(buf), write(self->in[1], buf, sizeof(buf)));
	EXPECT_EQ(1, machine_console_room(&self->m));	/* no FIFO: one byte */
	out8(&self->m, 0x3fa, 0x07);			/* FIFO on */
	EXPECT_TRUE(console_readable(&self->c, &self->m));
	console_pump(&self->c, &self->m);
	EXPECT_EQ(0, machine_console_room(&self->m));
	EXPECT_FALSE(console_readable(&self->c, &self->m));
	for (i = 0; i < 16; i++) {
		EXPECT_EQ(0x01, in8(&self->m, 0x3fd) & 0x01);
		EXPECT_EQ('q', in8(&self->m, 0x3f8));
	}
	EXPECT_EQ(0, in8(&self->m, 0x3fd) & 0x03);	/* empty, no overrun */
	EXPECT_TRUE(self->m.console_input_wanted);
}

/* a terminal is read past a full UART, so that Ctrl-A x always works */
TEST_F(con, terminal_escape_reaches_past_a_full_uart)
{
	char buf[20];

	self->c.escapes = true;
	memset(buf, 'w', sizeof(buf));
	ASSERT_EQ(sizeof(buf), write(self->in[1], buf, sizeof(buf)));
	ASSERT_EQ(2, write(self->in[1], "\001x", 2));
	EXPECT_EQ(1, machine_console_room(&self->m));	/* no FIFO: one byte */
	EXPECT_TRUE(console_readable(&self->c, &self->m));
	console_pump(&self->c, &self->m);
	EXPECT_TRUE(self->c.quit);
	EXPECT_EQ(19, self->c.pending_len);		/* the rest waits */
	EXPECT_EQ('w', in8(&self->m, 0x3f8));
	console_flush(&self->c, &self->m);
	EXPECT_EQ(18, self->c.pending_len);
}

TEST_F(con, eof_stops_reading)
{
	close(self->in[1]);
	self->in[1] = -1;
	out8(&self->m, 0x3fa, 0x01);
	EXPECT_TRUE(console_readable(&self->c, &self->m));
	console_pump(&self->c, &self->m);
	EXPECT_FALSE(console_readable(&self->c, &self->m));
	EXPECT_EQ(-1, self->c.fd);
}

/* received data raises IRQ 4 through OUT2, as the 8250 driver enables it */
TEST_F(con, receive_interrupt)
{
	static const uint8_t pic[][2] = {
		{ 0x20, 0x11 }, { 0x21, 0x30 }, { 0x21, 0x04 }, { 0x21, 0x01 },
		{ 0x21, 0xef },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pic); i++)
		out8(&self->m, pic[i][0], pic[i][1]);
	out8(&self->m, 0x3f9, 0x01);			/* IER: received data */
	ASSERT_EQ(1, write(self->in[1], "k", 1));
	console_pump(&self->c, &self->m);
	EXPECT_FALSE(machine_irq_pending(&self->m));	/* OUT2 still off */
	EXPECT_EQ(0x04, in8(&self->m, 0x3fa) & 0x0f);
	out8(&self->m, 0x3fc, 0x08);			/* MCR.OUT2 */
	EXPECT_TRUE(machine_irq_pending(&self->m));
	EXPECT_EQ(0x34, machine_irq_ack(&self->m));
	EXPECT_EQ('k', in8(&self->m, 0x3f8));
	EXPECT_EQ(0x01, in8(&self->m, 0x3fa) & 0x0f);
	out8(&self->m, 0x20, 0x64);
	EXPECT_FALSE(machine_irq_pending(&self->m));
}

/* serial8250_do_startup()'s THRE test: the interrupt is re-asserted */
TEST_F(con, thre_interrupt_reasserts)
{
	uint8_t iir1, iir;

	out8(&self->m, 0x3fc, 0x08);
	out8(&self->m, 0x3f9, 0x02);
	iir1 = in8(&self->m, 0x3fa);
	out8(&self->m, 0x3f9, 0x00);
	out8(&self->m, 0x3f9, 0x02);
	iir = in8(&self->m, 0x3fa);
	out8(&self->m, 0x3f9, 0x00);
	EXPECT_EQ(0x02, iir1 & 0x0f);
	EXPECT_EQ(0x02, iir & 0x0f);
}

/* field by field: struct termios has padding */
static bool same_termios(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag &&
	       a->c_cflag == b->c_cflag && a->c_lflag == b->c_lflag &&
	       !memcmp(a->c_cc, b->c_cc, sizeof(a->c_cc));
}

/*
 * In a child that owns a pseudo-terminal as its controlling terminal:
 * 0 when console_open() made it raw (no echo, no canonical mode, no
 * signals, Ctrl-A escapes on) and console_close() restored it.
 */
static int raw_mode_round_trip(int slave)
{
	struct termios before, during, after;
	struct console c;

	if (tcgetattr(slave, &before) || console_open(&c, slave) || !c.raw || !c.escapes)
		return 1;
	if (tcgetattr(slave, &during))
		return 2;
	if (during.c_lflag & (ICANON | ECHO | ISIG) || during.c_iflag & (ICRNL | IXON))
		return 3;
	if (during.c_oflag != before.c_oflag)	/* output processing kept */
		return 4;
	console_close(&c);
	console_close(&c);			/* twice is harmless */
	if (tcgetattr(slave, &after))
		return 5;
	return same_termios(&before, &after) ? 0 : 6;
}

static int open_ctty(void)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY), slave;

	if (master < 0 || grantpt(master) || unlockpt(master))
		return -1;
	if (setsid() < 0)
		return -1;
	slave = open(ptsname(master), O_RDWR);
	if (slave < 0 || ioctl(slave, TIOCSCTTY, 0))
		return -1;
	return slave;
}

TEST(terminal_goes_raw_and_is_restored)
{
	int status, slave;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		slave = open_ctty();
		_exit(slave < 0 ? 10 : raw_mode_round_trip(slave));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* a vmon in the background must not touch the terminal (SIGTTOU would stop it) */
TEST(background_leaves_the_terminal_alone)
{
	int status, slave;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		struct termios before, after;
		struct console c;

		pid_t inner;

		slave = open_ctty();
		if (slave < 0 || tcgetattr(slave, &before))
			_exit(10);
		inner = fork();
		if (!inner) {
			setpgid(0, 0);	/* no longer the terminal's foreground group */
			if (console_open(&c, slave) || c.raw || c.fd != -1)
				_exit(1);
			_exit(0);
		}
		if (waitpid(inner, &status, 0) != inner || WEXITSTATUS(status))
			_exit(2);
		if (tcgetattr(slave, &after) || !same_termios(&before, &after))
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* exit() without console_close() still restores the terminal (atexit) */
TEST(exit_restores_the_terminal)
{
	int status, slave;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		pid_t inner;
		struct termios before, after;
		struct console c;

		slave = open_ctty();
		if (slave < 0 || tcgetattr(slave, &before))
			_exit(10);
		inner = fork();
		if (!inner) {
			if (console_open(&c, slave) || !c.raw)
				_exit(1);
			exit(0);	/* no console_close() */
		}
		if (waitpid(inner, &status, 0) != inner || WEXITSTATUS(status))
			_exit(2);
		if (tcgetattr(slave, &after) || !same_termios(&before, &after))
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
