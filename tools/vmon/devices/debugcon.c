// SPDX-License-Identifier: GPL-2.0-only
/*
 * Debug console: every byte written to port 0xE9 goes to stdout, as
 * with Bochs' "port e9 hack" and QEMU's -debugcon.  Reading the port
 * returns 0xE9, which is how guests detect that it exists.
 */
#include "../machine.h"
#include "devices.h"

#define DEBUGCON_PORT	0xe9

static uint64_t debugcon_read(void *dev, uint64_t offset, unsigned int size)
{
	return DEBUGCON_PORT;
}

static void debugcon_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	uint8_t c = (uint8_t)value;

	/* only the low byte of a wider OUT reaches an 8-bit port */
	machine_console_write(dev, &c, 1);
}

static const struct bus_ops debugcon_ops = {
	.read = debugcon_read,
	.write = debugcon_write,
};

static int debugcon_attach(struct vmon_machine *m)
{
	return bus_register(&m->pio, DEBUGCON_PORT, 1, "debugcon", &debugcon_ops, m);
}

const struct vmon_device debugcon_device = {
	.name = "debugcon",
	.attach = debugcon_attach,
};
