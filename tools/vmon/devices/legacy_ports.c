// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ports a PC guest touches that vmon answers on purpose with nothing:
 * writes that only matter for their side effect on real hardware, and
 * chips that vmon's PC does not have, which Linux probes at boot and
 * gives up on when it reads all ones (the answer of an empty ISA bus,
 * the same as for a port nobody claims).  Each is claimed with the
 * reason, so that verbose mode's report of unclaimed ports (VMON_VERBOSE)
 * lists only what nobody has thought about yet.  The list is what
 * Debian's 6.1 kernel was seen to touch while booting under vmon.
 */
#include <stddef.h>

#include "../machine.h"
#include "../vmon.h"
#include "devices.h"

struct legacy_port {
	uint16_t base;
	uint16_t len;
	uint8_t read_value;	/* what a read returns, byte by byte */
	const char *name;
};

static const struct legacy_port legacy_ports[] = {
	/*
	 * POST code port: firmware progress codes for a diagnostic card,
	 * and Linux's io_delay (outb to 0x80 waits about 1 us on ISA): a
	 * VM exit is delay enough.
	 */
	{ 0x80, 1, 0xff, "post" },
	/* the other io_delay port ("io_delay=0xed"), unused by any chip */
	{ 0xed, 1, 0xff, "io-delay" },
	/*
	 * No 8237 DMA controller (no ISA DMA device exists): Linux's
	 * i8237A_init_ops() reads the channel 0 page register at 0x87 and
	 * leaves the chip alone when it reads 0xFF.
	 */
	{ 0x87, 1, 0xff, "no-i8237-dma" },
	/*
	 * No Super I/O chip: the 8250 driver's fintek_8250_probe() writes
	 * the Fintek "enter configuration" key to the index ports 0x2E and
	 * 0x4E and reads no chip ID back.
	 */
	{ 0x2e, 2, 0xff, "no-superio" },
	{ 0x4e, 2, 0xff, "no-superio" },
	/*
	 * Only COM1 exists: the 8250 driver probes COM2-COM4 from its
	 * legacy table (a scratch-register and IER test) and finds nothing.
	 */
	{ 0x2f8, 8, 0xff, "no-com2" },
	{ 0x3e8, 8, 0xff, "no-com3" },
	{ 0x2e8, 8, 0xff, "no-com4" },
};

static uint64_t legacy_read(void *dev, uint64_t offset, unsigned int size)
{
	const struct legacy_port *p = dev;
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		v |= (uint64_t)p->read_value << (8 * i);
	return v;
}

static void legacy_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
}

static const struct bus_ops legacy_ops = {
	.read = legacy_read,
	.write = legacy_write,
};

static int legacy_attach(struct vmon_machine *m)
{
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(legacy_ports); i++) {
		const struct legacy_port *p = &legacy_ports[i];

		ret = bus_register(&m->pio, p->base, p->len, p->name, &legacy_ops, (void *)p);
		if (ret)
			return ret;
	}
	return 0;
}

const struct vmon_device legacy_ports_device = {
	.name = "legacy-ports",
	.attach = legacy_attach,
};
