// SPDX-License-Identifier: GPL-2.0-only
/*
 * The machine around the vCPU: buses, console, run-ending requests.
 */
#include <errno.h>
#include <unistd.h>

#include "machine.h"

void machine_init(struct vmon_machine *m, int console_fd)
{
	bus_init(&m->pio, "port");
	bus_init(&m->mmio, "MMIO");
	m->console_fd = console_fd;
	m->stop = false;
	m->exit_status = 0;
}

void machine_destroy(struct vmon_machine *m)
{
	bus_destroy(&m->pio);
	bus_destroy(&m->mmio);
}

void machine_request_exit(struct vmon_machine *m, int status)
{
	if (m->stop)
		return;		/* the first request wins */
	m->stop = true;
	m->exit_status = status;
}

void machine_console_write(struct vmon_machine *m, const void *buf, unsigned int len)
{
	const char *p = buf;

	/*
	 * Output the user cannot see (closed pipe, full disk) must not stop
	 * the guest: drop it, as a UART with no cable attached would.
	 */
	while (len) {
		ssize_t n = write(m->console_fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (unsigned int)n;
	}
}
