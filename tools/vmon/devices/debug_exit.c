// SPDX-License-Identifier: GPL-2.0-only
/*
 * Exit port at 0xF4, compatible with QEMU's isa-debug-exit (iobase
 * 0xf4, iosize 4): writing value v ends the run and vmon exits with
 * status (v << 1) | 1.  The status is always odd, so a test guest
 * written for QEMU can tell success from "vmon stopped": QEMU's guests
 * usually pick an odd status for success, e.g. v = 0x10 -> 33.
 * The exit status is truncated to 8 bits by the operating system, as it
 * is for QEMU.
 */
#include "../machine.h"
#include "devices.h"

#define DEBUG_EXIT_PORT		0xf4
#define DEBUG_EXIT_LEN		4

int debug_exit_status(uint64_t value)
{
	return (int)((((uint32_t)value << 1) | 1) & 0xff);
}

static uint64_t debug_exit_read(void *dev, uint64_t offset, unsigned int size)
{
	return ~0ull;
}

static void debug_exit_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	machine_request_exit(dev, debug_exit_status(value));
}

static const struct bus_ops debug_exit_ops = {
	.read = debug_exit_read,
	.write = debug_exit_write,
};

static int debug_exit_attach(struct vmon_machine *m)
{
	return bus_register(&m->pio, DEBUG_EXIT_PORT, DEBUG_EXIT_LEN, "debug-exit",
			    &debug_exit_ops, m);
}

const struct vmon_device debug_exit_device = {
	.name = "debug-exit",
	.attach = debug_exit_attach,
};
