// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI bus 0 of a vmon machine: a host bridge at 00:00.0 and the
 * functions the device models register, each with a type 0 header
 * (PCI Local Bus 3.0, 6.1), BARs placed in the PCI hole (6.2.5) and
 * mapped on the port and MMIO buses while the command register lets
 * them decode (6.2.2), a capability list (6.7) and INTA# on an I/O APIC
 * pin.  Configuration cycles arrive from pci_conf1.c (mechanism #1 and
 * ECAM); this file does not care which.
 *
 * vmon is the firmware: the BARs are assigned and decoding is switched
 * on before the guest runs, as a BIOS would leave them, so a guest that
 * keeps the firmware's assignment (Linux does) finds every BAR in the
 * root bridge's _CRS window.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../machine.h"
#include "ioapic.h"
#include "pci.h"

/* type 0 header registers (PCI Local Bus 3.0, 6.1) */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CACHE_LINE		0x0c
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_SUBSYS_VENDOR	0x2c
#define PCI_SUBSYS_ID		0x2e
#define PCI_CAP_PTR		0x34
#define PCI_INT_LINE		0x3c
#define PCI_INT_PIN		0x3d
#define PCI_HEADER_END		0x40
#define PCI_CAP_END		0x100	/* capabilities live in the first 256 bytes */

#define CMD_IO			0x0001
#define CMD_MEMORY		0x0002
#define CMD_MASTER		0x0004
#define CMD_INTX_DISABLE	0x0400
#define CMD_WRITABLE		(CMD_IO | CMD_MEMORY | CMD_MASTER | CMD_INTX_DISABLE)
#define STATUS_INTERRUPT	0x0008
#define STATUS_CAP_LIST		0x0010
/* parity, system error, aborts: write 1 to clear (6.2.3) */
#define STATUS_W1C		0xf900

/* the low bits of a BAR (6.2.5.1) */
#define BAR_IO			0x1
#define BAR_MEM_64		0x4
#define BAR_MEM_PREFETCH	0x8
#define BAR_IO_MASK		0xfffcu
#define BAR_MEM_MASK		0xfffffff0u

/* the host bridge of QEMU's pc machine: an i440FX (82441FX PMC) */
#define HOST_VENDOR		0x8086
#define HOST_DEVICE		0x1237
#define HOST_CLASS		0x060000

struct pci_bus {
	struct vmon_machine *machine;
	struct pci_device *slots[PCI_MAX_SLOTS];
	struct pci_msix *msix[PCI_MAX_SLOTS];	/* freed with the bus */
	uint64_t mmio_next;	/* where the next memory BAR may go */
	uint32_t io_next;	/* and the next I/O BAR */
	struct pci_device host_bridge;
};

uint32_t pci_config_get(const struct pci_device *d, unsigned int offset, unsigned int len)
{
	uint32_t v = 0;

	while (len--)
		v = v << 8 | d->config[offset + len];
	return v;
}

void pci_config_set(struct pci_device *d, unsigned int offset, unsigned int len, uint32_t val)
{
	for (; len; len--, offset++, val >>= 8)
		d->config[offset] = (uint8_t)val;
}

void pci_set_wmask(struct pci_device *d, unsigned int offset, unsigned int len, uint64_t mask)
{
	for (; len; len--, offset++, mask >>= 8)
		d->wmask[offset] = (uint8_t)mask;
}

static void set_w1cmask(struct pci_device *d, unsigned int offset, unsigned int len,
			uint32_t mask)
{
	for (; len; len--, offset++, mask >>= 8)
		d->w1cmask[offset] = (uint8_t)mask;
}

unsigned int pci_add_capability(struct pci_device *d, uint8_t cap_id, unsigned int len)
{
	/* a capability starts on a dword (6.7: the pointer's low bits are reserved) */
	unsigned int offset = d->cap_end ? (d->cap_end + 3) & ~3u : PCI_HEADER_END;

	if (len < 2 || offset + len > PCI_CAP_END)
		return 0;
	d->config[offset] = cap_id;
	d->config[offset + 1] = 0;
	if (d->last_cap)
		d->config[d->last_cap + 1] = (uint8_t)offset;
	else
		d->config[PCI_CAP_PTR] = (uint8_t)offset;
	d->config[PCI_STATUS] |= STATUS_CAP_LIST;
	d->last_cap = (uint8_t)offset;
	d->cap_end = offset + len;
	return offset;
}

unsigned int pci_intx_gsi(unsigned int slot, unsigned int pin)
{
	/*
	 * The swizzle of a PCI-to-PCI bridge (PCI-to-PCI Bridge 1.2,
	 * 9.1): INTA# of neighbouring slots lands on different inputs, so
	 * single-function devices share a pin only every eighth slot.
	 */
	return PCI_INTX_GSI_BASE + (slot + pin) % PCI_INTX_GSIS;
}

bool pci_bus_master(const struct pci_device *d)
{
	return pci_config_get(d, PCI_COMMAND, 2) & CMD_MASTER;
}

/* BAR access from the buses, with the offset into the BAR */
static uint64_t bar_read(void *dev, uint64_t offset, unsigned int size)
{
	struct pci_bar *b = dev;

	return b->ops->read(b->dev, offset, size);
}

static void bar_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	struct pci_bar *b = dev;

	b->ops->write(b->dev, offset, size, value);
}

/* no release: the device model owns its state, the bus outlives no BAR */
static const struct bus_ops bar_ops = {
	.read = bar_read,
	.write = bar_write,
};

/* the address in BAR register i, as the guest last wrote it */
static uint64_t bar_address(const struct pci_device *d, unsigned int i)
{
	const struct pci_bar *b = &d->bars[i];
	uint32_t lo = pci_config_get(d, PCI_BAR0 + 4 * i, 4);

	if (b->kind == PCI_BAR_IO)
		return lo & BAR_IO_MASK;
	if (b->kind == PCI_BAR_MEM64)
		return (uint64_t)pci_config_get(d, PCI_BAR0 + 4 * i + 4, 4) << 32 |
		       (lo & BAR_MEM_MASK);
	return lo & BAR_MEM_MASK;
}

/*
 * Does the BAR decode at addr?  Its space must be enabled in the
 * command register (6.2.2).  Address 0 is where a BAR sits unassigned
 * (and where sizing leaves no BAR of 4 GiB or less), a range that wraps
 * or leaves the 64 KiB of port space cannot be claimed.
 */
static bool bar_decodes(const struct pci_device *d, const struct pci_bar *b, uint64_t addr)
{
	uint16_t cmd = pci_config_get(d, PCI_COMMAND, 2);

	if (!(cmd & (b->kind == PCI_BAR_IO ? CMD_IO : CMD_MEMORY)) || !addr)
		return false;
	if (addr + b->size - 1 < addr)
		return false;
	return b->kind != PCI_BAR_IO || addr + b->size <= 0x10000;
}

/*
 * Bring the buses in line with the BARs and the command register.  A
 * BAR that would overlap another device stays unmapped: a guest that
 * puts two BARs on each other loses both, and nobody else.
 */
static void update_mappings(struct pci_device *d)
{
	struct vmon_machine *m = d->machine;
	unsigned int i;

	for (i = 0; i < PCI_NUM_BARS; i++) {
		struct pci_bar *b = &d->bars[i];
		struct bus *bus = b->kind == PCI_BAR_IO ? &m->pio : &m->mmio;
		uint64_t addr;
		bool decodes;

		if (b->kind == PCI_BAR_NONE)
			continue;
		addr = bar_address(d, i);
		decodes = bar_decodes(d, b, addr);
		if (b->mapped && (!decodes || addr != b->addr)) {
			bus_unregister(bus, b->addr, b);
			b->mapped = false;
		}
		b->addr = addr;
		if (decodes && !b->mapped)
			b->mapped = !bus_register(bus, addr, b->size, d->name, &bar_ops, b);
		if (b->kind == PCI_BAR_MEM64)
			i++;
	}
}

/*
 * INTx# lines are open-drain and active low, and several functions may
 * share one: the I/O APIC input is low while any function on it
 * asserts and has not disabled INTx in its command register (6.2.2).
 */
static void update_intx_pin(struct pci_bus *bus, unsigned int gsi)
{
	bool asserted = false;
	unsigned int slot;

	for (slot = 0; slot < PCI_MAX_SLOTS; slot++) {
		const struct pci_device *d = bus->slots[slot];

		if (d && d->has_intx && d->gsi == gsi && d->intx_level &&
		    !(pci_config_get(d, PCI_COMMAND, 2) & CMD_INTX_DISABLE))
			asserted = true;
	}
	ioapic_set_irq(bus->machine->ioapic, gsi, !asserted);
}

void pci_set_intx(struct pci_device *d, bool level)
{
	if (!d->has_intx || !d->machine || d->intx_level == level)
		return;
	d->intx_level = level;
	/* the status register's Interrupt Status bit follows the device */
	if (level)
		d->config[PCI_STATUS] |= STATUS_INTERRUPT;
	else
		d->config[PCI_STATUS] &= ~STATUS_INTERRUPT;
	update_intx_pin(d->machine->pci, d->gsi);
}

static bool overlaps(unsigned int offset, unsigned int size, unsigned int start,
		     unsigned int len)
{
	return offset < start + len && start < offset + size;
}

static struct pci_device *find_function(struct vmon_machine *m, unsigned int devfn)
{
	struct pci_bus *bus = m->pci;

	/* single-function devices: functions 1-7 are absent */
	if (!bus || devfn >= 8 * PCI_MAX_SLOTS || devfn & 7)
		return NULL;
	return bus->slots[devfn >> 3];
}

uint32_t pci_config_read(struct vmon_machine *m, unsigned int devfn, unsigned int offset,
			 unsigned int size)
{
	struct pci_device *d = find_function(m, devfn);

	if (!d || offset >= PCI_CONFIG_SIZE || size > PCI_CONFIG_SIZE - offset)
		return size == 4 ? 0xffffffffu : (1u << 8 * size) - 1;
	if (d->config_reading)
		d->config_reading(d, offset, size);
	return pci_config_get(d, offset, size);
}

void pci_config_write(struct vmon_machine *m, unsigned int devfn, unsigned int offset,
		      unsigned int size, uint32_t val)
{
	struct pci_device *d = find_function(m, devfn);
	uint16_t old_cmd;
	unsigned int i;

	if (!d || offset >= PCI_CONFIG_SIZE || size > PCI_CONFIG_SIZE - offset)
		return;
	old_cmd = pci_config_get(d, PCI_COMMAND, 2);
	for (i = 0; i < size; i++) {
		uint8_t *c = &d->config[offset + i];
		uint8_t v = (uint8_t)(val >> 8 * i);

		*c = (*c & ~d->wmask[offset + i]) | (v & d->wmask[offset + i]);
		*c &= ~(v & d->w1cmask[offset + i]);
	}
	if (overlaps(offset, size, PCI_COMMAND, 2) ||
	    overlaps(offset, size, PCI_BAR0, 4 * PCI_NUM_BARS))
		update_mappings(d);
	if (d->has_intx && (old_cmd ^ pci_config_get(d, PCI_COMMAND, 2)) & CMD_INTX_DISABLE)
		update_intx_pin(m->pci, d->gsi);
	if (d->msix)
		pci_msix_config_written(d, offset, size);
	if (d->config_written)
		d->config_written(d, offset, size);
}

/* check BAR i and give it a place in the hole; 0, -EINVAL, -ENOSPC */
static int place_bar(struct pci_bus *bus, struct pci_device *d, unsigned int i)
{
	struct pci_bar *b = &d->bars[i];
	unsigned int reg = PCI_BAR0 + 4 * i;
	uint64_t size = b->size, addr, mask = ~(size - 1);

	if (!size || size & (size - 1))
		return -EINVAL;
	switch (b->kind) {
	case PCI_BAR_IO:
		/* at most 256 bytes (6.2.5.1) */
		if (size < 4 || size > 256)
			return -EINVAL;
		addr = (bus->io_next + size - 1) & mask;
		if (addr + size > PCI_IO_END)
			return -ENOSPC;
		bus->io_next = (uint32_t)(addr + size);
		pci_config_set(d, reg, 4, (uint32_t)addr | BAR_IO);
		pci_set_wmask(d, reg, 4, mask & BAR_IO_MASK);
		break;
	case PCI_BAR_MEM32:
	case PCI_BAR_MEM64:
		if (size < 4096 || (b->kind == PCI_BAR_MEM64 &&
				    (i == PCI_NUM_BARS - 1 || d->bars[i + 1].kind != PCI_BAR_NONE)))
			return -EINVAL;
		if (size > PCI_MMIO_END - PCI_MMIO_START)
			return -ENOSPC;
		addr = (bus->mmio_next + size - 1) & mask;
		if (addr + size > PCI_MMIO_END)
			return -ENOSPC;
		bus->mmio_next = addr + size;
		pci_config_set(d, reg, 4, (uint32_t)addr |
			       (b->kind == PCI_BAR_MEM64 ? BAR_MEM_64 : 0) |
			       (b->prefetchable ? BAR_MEM_PREFETCH : 0));
		pci_set_wmask(d, reg, 4, mask & BAR_MEM_MASK);
		if (b->kind == PCI_BAR_MEM64) {
			pci_config_set(d, reg + 4, 4, (uint32_t)(addr >> 32));
			pci_set_wmask(d, reg + 4, 4, mask >> 32);
		}
		break;
	default:
		return -EINVAL;
	}
	b->mapped = false;
	return 0;
}

static int place_bars(struct pci_bus *bus, struct pci_device *d)
{
	uint64_t mmio_next = bus->mmio_next;
	uint32_t io_next = bus->io_next;
	unsigned int i;
	int ret;

	for (i = 0; i < PCI_NUM_BARS; i++) {
		if (d->bars[i].kind == PCI_BAR_NONE)
			continue;
		ret = place_bar(bus, d, i);
		if (ret) {
			/* leave the hole as it was */
			bus->mmio_next = mmio_next;
			bus->io_next = io_next;
			return ret;
		}
		if (d->bars[i].kind == PCI_BAR_MEM64)
			i++;
	}
	return 0;
}

/* the type 0 header: IDs and class read-only, decoding on as firmware leaves it */
static void build_header(struct pci_device *d)
{
	uint16_t cmd = 0;
	unsigned int i;

	pci_config_set(d, PCI_VENDOR_ID, 2, d->vendor_id);
	pci_config_set(d, PCI_DEVICE_ID, 2, d->device_id);
	pci_config_set(d, PCI_REVISION, 1, d->revision);
	pci_config_set(d, PCI_CLASS_PROG, 3, d->class_code);
	pci_config_set(d, PCI_HEADER_TYPE, 1, 0);
	pci_config_set(d, PCI_SUBSYS_VENDOR, 2, d->subsystem_vendor_id);
	pci_config_set(d, PCI_SUBSYS_ID, 2, d->subsystem_id);
	for (i = 0; i < PCI_NUM_BARS; i++) {
		if (d->bars[i].kind == PCI_BAR_IO)
			cmd |= CMD_IO;
		else if (d->bars[i].kind != PCI_BAR_NONE)
			cmd |= CMD_MEMORY;
	}
	pci_config_set(d, PCI_COMMAND, 2, cmd);
	pci_set_wmask(d, PCI_COMMAND, 2, CMD_WRITABLE);
	set_w1cmask(d, PCI_STATUS, 2, STATUS_W1C);
	/* Linux writes the cache line size; it means nothing here */
	pci_set_wmask(d, PCI_CACHE_LINE, 1, 0xff);
	if (d->has_intx) {
		/* the firmware's routing: the line register holds the GSI */
		pci_config_set(d, PCI_INT_LINE, 1, d->gsi);
		pci_config_set(d, PCI_INT_PIN, 1, 1);	/* INTA# */
		pci_set_wmask(d, PCI_INT_LINE, 1, 0xff);
	} else {
		pci_config_set(d, PCI_INT_LINE, 1, 0xff);	/* unknown, no connection */
	}
}

int pci_device_register(struct vmon_machine *m, struct pci_device *d)
{
	struct pci_bus *bus = m->pci;
	unsigned int slot;
	int ret;

	if (!bus)
		return -ENODEV;
	for (slot = 0; slot < PCI_MAX_SLOTS && bus->slots[slot]; slot++)
		;
	if (slot == PCI_MAX_SLOTS)
		return -ENOSPC;
	ret = place_bars(bus, d);
	if (ret)
		return ret;
	d->machine = m;
	d->slot = slot;
	d->gsi = pci_intx_gsi(slot, 0);
	d->intx_level = false;
	build_header(d);
	bus->slots[slot] = d;
	bus->msix[slot] = d->msix;
	update_mappings(d);
	return 0;
}

int pci_bus_create(struct vmon_machine *m)
{
	struct pci_bus *bus = calloc(1, sizeof(*bus));
	unsigned int gsi;
	int ret;

	if (!bus)
		return -ENOMEM;
	bus->machine = m;
	bus->mmio_next = PCI_MMIO_START;
	bus->io_next = PCI_IO_START;
	m->pci = bus;
	bus->host_bridge = (struct pci_device){
		.name = "pci-host-bridge",
		.vendor_id = HOST_VENDOR,
		.device_id = HOST_DEVICE,
		.revision = 0x02,
		.class_code = HOST_CLASS,
	};
	ret = pci_device_register(m, &bus->host_bridge);
	if (ret) {
		m->pci = NULL;
		free(bus);
		return ret;
	}
	/* the INTx inputs rest high: nothing asserts them (active low) */
	for (gsi = PCI_INTX_GSI_BASE; gsi < PCI_INTX_GSI_BASE + PCI_INTX_GSIS; gsi++)
		ioapic_set_irq(m->ioapic, gsi, true);
	return 0;
}

void pci_bus_destroy(struct vmon_machine *m)
{
	struct pci_bus *bus = m->pci;
	unsigned int slot;

	if (!bus)
		return;
	for (slot = 0; slot < PCI_MAX_SLOTS; slot++)
		pci_msix_free(bus->msix[slot]);
	free(bus);
	m->pci = NULL;
}
