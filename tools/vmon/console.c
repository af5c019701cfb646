// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest console's input side (see console.h).  The terminal state
 * is restored by console_close() on every return path of the run loop,
 * by an atexit() handler for exit() from anywhere, and by a handler of
 * the fatal signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) that
 * restores it and re-raises the signal.  SIGINT, SIGTERM and SIGHUP
 * already end the run loop normally (run_loop.c).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "machine.h"
#include "vmon.h"

/* the one terminal vmon changed, for the atexit and fatal-signal paths */
static int saved_fd = -1;
static struct termios saved_termios;

static void restore_saved(void)
{
	if (saved_fd >= 0)
		tcsetattr(saved_fd, TCSANOW, &saved_termios);
}

static void on_fatal_signal(int sig)
{
	restore_saved();	/* tcsetattr is async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void restore_on_every_exit(void)
{
	static bool installed;
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	struct sigaction sa;
	unsigned int i;

	if (installed)
		return;
	installed = true;
	atexit(restore_saved);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(fatal); i++)
		sigaction(fatal[i], &sa, NULL);
}

int console_open(struct console *c, int fd)
{
	struct termios raw;

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	if (!isatty(fd))
		return 0;	/* pipe or file: bytes pass as they are */
	if (tcgetpgrp(fd) != getpgrp()) {
		/* in the background: touching the terminal would stop vmon (SIGTTOU/SIGTTIN) */
		c->fd = -1;
		return 0;
	}
	if (tcgetattr(fd, &c->saved))
		return -errno;
	raw = c->saved;
	/* cfmakeraw() for input; output processing stays as the user had it */
	raw.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	raw.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cflag &= ~(CSIZE | PARENB);
	raw.c_cflag |= CS8;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	saved_fd = fd;
	saved_termios = c->saved;
	restore_on_every_exit();
	if (tcsetattr(fd, TCSANOW, &raw))
		return -errno;
	c->raw = true;
	c->tty_fd = fd;
	c->escapes = true;
	return 0;
}

void console_close(struct console *c)
{
	if (c->raw) {
		tcsetattr(c->tty_fd, TCSANOW, &c->saved);
		c->raw = false;
		saved_fd = -1;
	}
}

bool console_readable(const struct console *c, struct vmon_machine *m)
{
	if (c->fd < 0)
		return false;
	return c->escapes || (!c->pending_len && machine_console_room(m) > 0);
}

void console_flush(struct console *c, struct vmon_machine *m)
{
	unsigned int n = machine_console_room(m);

	if (n > c->pending_len)
		n = c->pending_len;
	if (!n)
		return;
	machine_console_input(m, c->pending, n);
	c->pending_len -= n;
	memmove(c->pending, c->pending + n, c->pending_len);
}

size_t console_filter(struct console *c, const uint8_t *in, size_t n, uint8_t *out)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++) {
		uint8_t b = in[i];

		if (!c->escapes) {
			out[len++] = b;
			continue;
		}
		if (!c->escape_pending) {
			if (b == CONSOLE_ESCAPE)
				c->escape_pending = true;
			else
				out[len++] = b;
			continue;
		}
		c->escape_pending = false;
		switch (b) {
		case CONSOLE_ESCAPE:
			out[len++] = b;
			break;
		case 'x':
		case 'X':
			c->quit = true;
			return len;
		case 'h':
		case '?':
			vmon_err("console escapes: Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A\r");
			break;
		default:
			break;	/* unknown command: dropped, as QEMU does */
		}
	}
	return len;
}

void console_pump(struct console *c, struct vmon_machine *m)
{
	uint8_t in[CONSOLE_PENDING], out[CONSOLE_PENDING];
	size_t want, len;
	ssize_t n;

	console_flush(c, m);
	if (c->fd < 0)
		return;
	if (c->escapes)
		want = sizeof(in);	/* scan for Ctrl-A x even when nothing fits */
	else
		want = c->pending_len ? 0 : machine_console_room(m);
	if (want > sizeof(in))
		want = sizeof(in);
	if (!want)
		return;
	n = read(c->fd, in, want);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		/* end of input (or an error reading it): stop watching it */
		c->fd = -1;
		return;
	}
	len = console_filter(c, in, (size_t)n, out);
	if (len > sizeof(c->pending) - c->pending_len)
		len = sizeof(c->pending) - c->pending_len;	/* typed into a stuck guest */
	memcpy(c->pending + c->pending_len, out, len);
	c->pending_len += (unsigned int)len;
	console_flush(c, m);
}
