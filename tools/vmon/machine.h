/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machine vmon emulates around the vCPU: the two buses, where guest
 * output goes, and how a device asks for the run to end.
 */
#ifndef VMON_MACHINE_H
#define VMON_MACHINE_H

#include <stdbool.h>

#include "devices/bus.h"

struct vmon_machine {
	struct bus pio;
	struct bus mmio;
	int console_fd;		/* guest console output (stdout) */
	bool stop;		/* a device ended the run */
	int exit_status;	/* valid when stop is set */
};

void machine_init(struct vmon_machine *m, int console_fd);
/* attaches every device of devices/devices.c; 0 or -errno (printed) */
int machine_add_devices(struct vmon_machine *m);
void machine_destroy(struct vmon_machine *m);
/* a device ends the run; vmon exits with status */
void machine_request_exit(struct vmon_machine *m, int status);
/* guest output: written at once, unbuffered */
void machine_console_write(struct vmon_machine *m, const void *buf, unsigned int len);

#endif /* VMON_MACHINE_H */
