// SPDX-License-Identifier: GPL-2.0-only
/*
 * ptyrun: run a command on a new pseudo-terminal, as a user at a
 * terminal would (its controlling terminal, foreground), type bytes
 * into it once it is ready for them, copy what it prints to stdout, and
 * exit with its status.  For the end-to-end checks of vmon's console (test/e2e.sh):
 * raw mode, Ctrl-A x, and the terminal's state after vmon exits.
 *
 *   ptyrun DELAY_MS HEX -- COMMAND [ARG...]
 *
 * HEX is the bytes to type, two digits a byte (0378: Ctrl-C, then
 * 'x').  They are typed DELAY_MS after the start, and not before the
 * command has put the terminal in raw mode (ICANON and ISIG off), so
 * that a slow start cannot turn a typed Ctrl-C into SIGINT; a command
 * that never does gets them after RAW_WAIT_MS anyway.  Before exiting, ptyrun checks that the terminal is back in
 * canonical mode with echo (vmon restored it) and prints
 * "ptyrun: terminal restored" or "ptyrun: terminal left raw".  A
 * command still running 30 s after the bytes were typed is killed
 * (status 137).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define WATCHDOG_MS	30000
#define RAW_WAIT_MS	30000

/* the terminal is in raw mode: typed control characters are bytes */
static bool is_raw(int fd)
{
	struct termios t;

	return !tcgetattr(fd, &t) && !(t.c_lflag & (ICANON | ISIG));
}

static int parse_hex(const char *hex, unsigned char *out, size_t max)
{
	size_t n = 0;
	unsigned int b;

	while (hex[0] && hex[1] && n < max) {
		if (sscanf(hex, "%2x", &b) != 1)
			return -1;
		out[n++] = (unsigned char)b;
		hex += 2;
	}
	return *hex ? -1 : (int)n;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void child(const char *slave_name, char **argv)
{
	int slave;

	setsid();
	slave = open(slave_name, O_RDWR);
	if (slave < 0 || ioctl(slave, TIOCSCTTY, 0)) {
		perror("ptyrun: slave");
		_exit(126);
	}
	dup2(slave, 0);
	dup2(slave, 1);
	dup2(slave, 2);
	if (slave > 2)
		close(slave);
	execvp(argv[0], argv);
	perror("ptyrun: exec");
	_exit(127);
}

int main(int argc, char **argv)
{
	unsigned char keys[256];
	struct termios t;
	long start, delay;
	int master, slave, nkeys, status = 0;
	bool typed = false;
	pid_t pid;
	char buf[4096];

	if (argc < 5 || strcmp(argv[3], "--")) {
		fprintf(stderr, "usage: ptyrun DELAY_MS HEX -- COMMAND [ARG...]\n");
		return 2;
	}
	delay = atol(argv[1]);
	nkeys = parse_hex(argv[2], keys, sizeof(keys));
	if (nkeys < 0) {
		fprintf(stderr, "ptyrun: %s: not hex bytes\n", argv[2]);
		return 2;
	}
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master)) {
		perror("ptyrun: pty");
		return 2;
	}
	/* keep a slave open: the master sees no EOF/EIO between child's opens */
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	pid = fork();
	if (pid < 0)
		return 2;
	if (!pid)
		child(ptsname(master), argv + 4);
	start = now_ms();
	for (;;) {
		struct pollfd pfd = { .fd = master, .events = POLLIN };
		long t = now_ms() - start;
		ssize_t n;

		if (!typed && t >= delay && (is_raw(slave) || t >= delay + RAW_WAIT_MS)) {
			if (write(master, keys, (size_t)nkeys) != nkeys)
				perror("ptyrun: typing");
			typed = true;
		}
		if (t >= delay + RAW_WAIT_MS + WATCHDOG_MS) {
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&pfd, 1, 50) > 0) {
			n = read(master, buf, sizeof(buf));
			if (n > 0)
				fwrite(buf, 1, (size_t)n, stdout);
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pid = 0;
			break;
		}
	}
	if (pid)
		waitpid(pid, &status, 0);
	fflush(stdout);
	if (!tcgetattr(slave, &t) && (t.c_lflag & (ICANON | ECHO)) == (ICANON | ECHO))
		printf("\nptyrun: terminal restored\n");
	else
		printf("\nptyrun: terminal left raw\n");
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
