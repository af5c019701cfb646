// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU's firmware configuration device (fw_cfg), its traditional I/O
 * port interface as QEMU's pc machine has it, after QEMU's
 * docs/specs/fw_cfg.txt: test kernels written for QEMU read the CPU
 * count and the command line there.
 *
 *   0x510  selector, 16-bit, write only: selects an item (a key) and
 *          sets the data offset to 0
 *   0x511  data, 8-bit: each read returns the item's byte at the data
 *          offset and advances it; past the end it returns 0
 *
 * Items: the signature "QEMU" (key 0x0000), the interface ID (0x0001:
 * bit 0, the traditional interface; no DMA, so the DMA ports 0x514 are
 * not claimed), the CPU count (0x0005, 16-bit little-endian) and the
 * maximum (0x000f, the same), the command line's size (0x0014, 32-bit,
 * counting its NUL) and bytes (0x0015, with the NUL), and an empty file
 * directory (0x0019: a big-endian count of 0).  Any other key, the
 * architecture-local ones (bit 15) included, is an empty item.  Writes
 * to the data port are ignored, as QEMU does since 2.4 (bit 14 of a key
 * asks for writing: the item reads the same).
 *
 * Items are built when selected, from the machine (nr_cpus, cmdline).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../machine.h"
#include "devices.h"

#define FW_CFG_PORT		0x510
#define FW_CFG_PORTS		2	/* selector, data */
#define FW_CFG_DATA_OFF		1

#define FW_CFG_SIGNATURE	0x0000
#define FW_CFG_ID		0x0001
#define FW_CFG_NB_CPUS		0x0005
#define FW_CFG_MAX_CPUS		0x000f
#define FW_CFG_CMDLINE_SIZE	0x0014
#define FW_CFG_CMDLINE_DATA	0x0015
#define FW_CFG_FILE_DIR		0x0019
#define FW_CFG_WRITE_CHANNEL	0x4000
#define FW_CFG_ID_TRADITIONAL	0x1

struct fw_cfg {
	struct vmon_machine *machine;
	uint16_t key;
	uint32_t offset;	/* data offset in the selected item */
	uint32_t size;		/* the selected item's size */
	const uint8_t *data;	/* its bytes: small[] or the command line */
	uint8_t small[8];
};

static void put_le(uint8_t *p, uint64_t v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void fw_cfg_small(struct fw_cfg *f, uint64_t v, unsigned int bytes)
{
	put_le(f->small, v, bytes);
	f->data = f->small;
	f->size = bytes;
}

static void fw_cfg_select(struct fw_cfg *f, uint16_t key)
{
	const char *cmdline = f->machine->cmdline;
	unsigned int cpus = f->machine->nr_cpus ? f->machine->nr_cpus : 1;

	f->key = key;
	f->offset = 0;
	f->size = 0;
	f->data = f->small;
	switch (key & ~FW_CFG_WRITE_CHANNEL) {
	case FW_CFG_SIGNATURE:
		memcpy(f->small, "QEMU", 4);
		f->size = 4;
		break;
	case FW_CFG_ID:
		fw_cfg_small(f, FW_CFG_ID_TRADITIONAL, 4);
		break;
	case FW_CFG_NB_CPUS:
	case FW_CFG_MAX_CPUS:
		fw_cfg_small(f, cpus, 2);
		break;
	case FW_CFG_CMDLINE_SIZE:
		fw_cfg_small(f, cmdline ? strlen(cmdline) + 1 : 0, 4);
		break;
	case FW_CFG_CMDLINE_DATA:
		if (cmdline) {
			f->data = (const uint8_t *)cmdline;
			f->size = (uint32_t)strlen(cmdline) + 1;
		}
		break;
	case FW_CFG_FILE_DIR:
		/* struct { be32 count; entries } with no entry */
		fw_cfg_small(f, 0, 4);
		break;
	}
}

static uint64_t fw_cfg_read(void *dev, uint64_t offset, unsigned int size)
{
	struct fw_cfg *f = dev;
	uint64_t v = 0;
	unsigned int i;

	if (offset != FW_CFG_DATA_OFF)
		return 0;		/* the selector reads as nothing */
	/* wider reads return successive bytes, as an array would */
	for (i = 0; i < size; i++) {
		if (f->offset >= f->size)
			break;
		v |= (uint64_t)f->data[f->offset++] << (8 * i);
	}
	return v;
}

static void fw_cfg_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	/* only a 16-bit write selects; data writes are ignored */
	if (offset == 0 && size == 2)
		fw_cfg_select(dev, (uint16_t)value);
}

static void fw_cfg_release(void *dev)
{
	free(dev);
}

static const struct bus_ops fw_cfg_ops = {
	.read = fw_cfg_read,
	.write = fw_cfg_write,
	.release = fw_cfg_release,
};

static int fw_cfg_attach(struct vmon_machine *m)
{
	struct fw_cfg *f = calloc(1, sizeof(*f));
	int ret;

	if (!f)
		return -ENOMEM;
	f->machine = m;
	fw_cfg_select(f, FW_CFG_SIGNATURE);
	ret = bus_register(&m->pio, FW_CFG_PORT, FW_CFG_PORTS, "fw_cfg", &fw_cfg_ops, f);
	if (ret)
		free(f);
	return ret;
}

const struct vmon_device fw_cfg_device = {
	.name = "fw_cfg",
	.attach = fw_cfg_attach,
};
