/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host side of the guest console: vmon's stdin feeds the UART.
 * A terminal is put in raw mode (every key goes to the guest, Ctrl-C
 * included) and restored on every way out; "Ctrl-A x" quits and
 * "Ctrl-A Ctrl-A" sends one Ctrl-A, as in QEMU.  Pipes and files are
 * passed through untouched, escapes included, and their end stops the
 * reading (the guest sees no more input; vmon does not spin on EOF).
 */
#ifndef VMON_CONSOLE_H
#define VMON_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

struct vmon_machine;

#define CONSOLE_ESCAPE	0x01	/* Ctrl-A */
#define CONSOLE_PENDING	256	/* typed ahead of the UART, on a terminal */

struct console {
	int fd;			/* -1: no input (none, at EOF, or in the background) */
	int tty_fd;		/* the terminal to restore, when raw */
	bool escapes;		/* Ctrl-A commands: only on a terminal */
	bool raw;		/* the terminal was switched and must be restored */
	bool escape_pending;	/* Ctrl-A seen, command byte next */
	bool quit;		/* Ctrl-A x */
	struct termios saved;
	/*
	 * Bytes read but not yet taken by the UART.  A terminal is read
	 * even while the guest does not drain the UART, so that Ctrl-A x
	 * always works; what does not fit here is dropped, as a full UART
	 * would.  A pipe is read only as fast as the UART drains: nothing
	 * is lost.
	 */
	uint8_t pending[CONSOLE_PENDING];
	unsigned int pending_len;
};

/*
 * Take fd (stdin) as the console input.  A terminal goes raw only when
 * vmon is its foreground process (a background vmon leaves it alone and
 * reads nothing).  Returns 0 or -errno.
 */
int console_open(struct console *c, int fd);
/* restore the terminal; safe to call twice */
void console_close(struct console *c);
/*
 * Should fd be polled for input: not at EOF, and (on a terminal) always,
 * (on a pipe) when the UART has room and nothing is pending?
 */
bool console_readable(const struct console *c, struct vmon_machine *m);
/* hand pending bytes to the UART, as far as it has room */
void console_flush(struct console *c, struct vmon_machine *m);
/*
 * Read what is available and feed the UART.  Call when poll() said fd
 * is readable.  Sets c->quit on Ctrl-A x.
 */
void console_pump(struct console *c, struct vmon_machine *m);
/*
 * The escape filter on its own (for tests): in -> out, returns the
 * bytes written to out (never more than n).
 */
size_t console_filter(struct console *c, const uint8_t *in, size_t n, uint8_t *out);

#endif /* VMON_CONSOLE_H */
