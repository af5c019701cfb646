// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of PCI bus 0 (devices/pci.c, devices/pci_msix.c) through
 * the guest's ways in: configuration mechanism #1, ECAM, the MMIO and
 * port buses where the BARs land, and the I/O APIC that INTx reaches.
 * A test device stands in for the virtio functions.
 */
#include <errno.h>
#include <fcntl.h>

#include "kselftest_harness.h"
#include "devices/devices.h"
#include "devices/ioapic.h"
#include "devices/pci.h"
#include "machine.h"

#include "msi_log.h"

/* a BAR that records what reaches it */
struct probe {
	uint64_t offset, value;
	unsigned int reads, writes;
};

static uint64_t probe_read(void *dev, uint64_t offset, unsigned int size)
{
	struct probe *p = dev;

	p->offset = offset;
	p->reads++;
	return 0xa5a5a5a500000000ull | offset;
}

static void probe_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	struct probe *p = dev;

	p->offset = offset;
	p->value = value;
	p->writes++;
}

static const struct bus_ops probe_ops = { .read = probe_read, .write = probe_write };

struct changes {
	unsigned int n;
	unsigned int last;
};

static struct changes *changes_of;	/* where test_changed() counts */

static void test_changed(struct pci_device *d, unsigned int vector)
{
	changes_of->n++;
	changes_of->last = vector;
}

FIXTURE(pci) {
	struct vmon_machine m;
	struct msi_log log;
	struct changes changes;
	struct probe io, mem, mem64;
	struct pci_device dev;
	int pipe[2];
};

FIXTURE_SETUP(pci)
{
	struct pci_device *d = &self->dev;

	ASSERT_EQ(0, pipe2(self->pipe, O_NONBLOCK));
	memset(&self->log, 0, sizeof(self->log));
	memset(&self->changes, 0, sizeof(self->changes));
	changes_of = &self->changes;
	memset(&self->io, 0, 3 * sizeof(self->io));
	machine_init(&self->m, self->pipe[1]);
	ASSERT_EQ(0, machine_add_devices(&self->m));
	machine_set_hooks(&self->m, &test_hooks, &self->log);

	memset(d, 0, sizeof(*d));
	d->name = "test";
	d->vendor_id = 0x1af4;
	d->device_id = 0x1044;
	d->subsystem_vendor_id = 0x1af4;
	d->subsystem_id = 0x0004;
	d->revision = 0x01;
	d->class_code = 0x00ff00;
	d->has_intx = true;
	d->msix_changed = test_changed;
	d->bars[0] = (struct pci_bar){ .kind = PCI_BAR_IO, .size = 0x20,
				       .ops = &probe_ops, .dev = &self->io };
	d->bars[1] = (struct pci_bar){ .kind = PCI_BAR_MEM32, .size = 0x1000,
				       .ops = &probe_ops, .dev = &self->mem };
	d->bars[2] = (struct pci_bar){ .kind = PCI_BAR_MEM64, .size = 0x4000,
				       .prefetchable = true,
				       .ops = &probe_ops, .dev = &self->mem64 };
	ASSERT_EQ(0, pci_msix_init(d, 4, 3));
	ASSERT_EQ(0, pci_device_register(&self->m, d));
}

FIXTURE_TEARDOWN(pci)
{
	machine_destroy(&self->m);
	close(self->pipe[0]);
	close(self->pipe[1]);
}

/* configuration mechanism #1 */
static uint32_t cfg_read(struct vmon_machine *m, unsigned int slot, unsigned int reg,
			 unsigned int size)
{
	uint32_t addr = 0x80000000u | slot << 11 | (reg & 0xfc), v = 0;

	machine_pio(m, 0xcf8, &addr, 4, true);
	machine_pio(m, 0xcfc + (reg & 3), &v, size, false);
	return v;
}

static void cfg_write(struct vmon_machine *m, unsigned int slot, unsigned int reg,
		      unsigned int size, uint32_t v)
{
	uint32_t addr = 0x80000000u | slot << 11 | (reg & 0xfc);

	machine_pio(m, 0xcf8, &addr, 4, true);
	machine_pio(m, 0xcfc + (reg & 3), &v, size, true);
}

/* ECAM */
static uint32_t ecam_read(struct vmon_machine *m, unsigned int devfn, unsigned int reg,
			  unsigned int size)
{
	uint32_t v = 0;

	machine_mmio(m, PCI_ECAM_BASE + (devfn << 12) + reg, &v, size, false);
	return v;
}

static void ecam_write(struct vmon_machine *m, unsigned int devfn, unsigned int reg,
		       unsigned int size, uint32_t v)
{
	machine_mmio(m, PCI_ECAM_BASE + (devfn << 12) + reg, &v, size, true);
}

static uint32_t mmio_read(struct vmon_machine *m, uint64_t gpa, unsigned int size)
{
	uint32_t v = 0;

	machine_mmio(m, gpa, &v, size, false);
	return v;
}

static void mmio_write(struct vmon_machine *m, uint64_t gpa, unsigned int size, uint32_t v)
{
	machine_mmio(m, gpa, &v, size, true);
}

TEST_F(pci, header_and_ids)
{
	struct vmon_machine *m = &self->m;
	unsigned int s = self->dev.slot;

	EXPECT_EQ(2, s);	/* the host bridge has slot 0, virtio-rng slot 1 */
	EXPECT_EQ(0x10441af4, cfg_read(m, s, 0x00, 4));
	EXPECT_EQ(0x00ff0001, cfg_read(m, s, 0x08, 4));
	EXPECT_EQ(0x00040000 | 0x1af4, cfg_read(m, s, 0x2c, 4));
	EXPECT_EQ(0, cfg_read(m, s, 0x0e, 1));			/* type 0, one function */
	/* IDs, class and the capability bit are read-only */
	cfg_write(m, s, 0x00, 4, 0);
	cfg_write(m, s, 0x08, 4, 0);
	cfg_write(m, s, 0x06, 2, 0xffff);
	EXPECT_EQ(0x10441af4, cfg_read(m, s, 0x00, 4));
	EXPECT_EQ(0x00ff0001, cfg_read(m, s, 0x08, 4));
	EXPECT_EQ(0x0010, cfg_read(m, s, 0x06, 2));
	/* firmware left decoding on, bus mastering off; the guest may switch it */
	EXPECT_EQ(0x0003, cfg_read(m, s, 0x04, 2));
	EXPECT_FALSE(pci_bus_master(&self->dev));
	cfg_write(m, s, 0x04, 2, 0xffff);
	EXPECT_EQ(0x0407, cfg_read(m, s, 0x04, 2));
	EXPECT_TRUE(pci_bus_master(&self->dev));
	/* INTA#, the line register says the GSI */
	EXPECT_EQ(1, cfg_read(m, s, 0x3d, 1));
	EXPECT_EQ(pci_intx_gsi(s, 0), cfg_read(m, s, 0x3c, 1));
	EXPECT_EQ(18, self->dev.gsi);
	/* the host bridge */
	EXPECT_EQ(0x12378086, cfg_read(m, 0, 0x00, 4));
	EXPECT_EQ(0x060000, cfg_read(m, 0, 0x08, 4) >> 8);
}

TEST_F(pci, bars_placed_in_the_hole_and_sized)
{
	struct vmon_machine *m = &self->m;
	unsigned int s = self->dev.slot;
	uint32_t io = cfg_read(m, s, 0x10, 4), mem = cfg_read(m, s, 0x14, 4);
	uint64_t mem64 = cfg_read(m, s, 0x18, 4) | (uint64_t)cfg_read(m, s, 0x1c, 4) << 32;

	EXPECT_EQ(1, io & 3);				/* I/O */
	EXPECT_GE(io & ~3u, PCI_IO_START);
	EXPECT_EQ(0, io & 0x1c);			/* naturally aligned */
	EXPECT_EQ(0, mem & 0xf);			/* 32-bit, not prefetchable */
	EXPECT_GE(mem, PCI_MMIO_START);
	EXPECT_LT(mem, PCI_MMIO_END);
	EXPECT_EQ(0xc, mem64 & 0xf);			/* 64-bit, prefetchable */
	EXPECT_EQ(0, mem64 & 0x3ff0);
	EXPECT_GE(mem64, PCI_MMIO_START);
	EXPECT_LE((mem64 & ~0xfull) + 0x4000, PCI_MMIO_END);

	/* 6.2.5.1: write all ones, read back the size mask and the type bits */
	cfg_write(m, s, 0x10, 4, 0xffffffff);
	EXPECT_EQ(0x0000ffe1, cfg_read(m, s, 0x10, 4));
	cfg_write(m, s, 0x14, 4, 0xffffffff);
	EXPECT_EQ(0xfffff000, cfg_read(m, s, 0x14, 4));
	cfg_write(m, s, 0x18, 4, 0xffffffff);
	cfg_write(m, s, 0x1c, 4, 0xffffffff);
	EXPECT_EQ(0xffffc00c, cfg_read(m, s, 0x18, 4));
	EXPECT_EQ(0xffffffff, cfg_read(m, s, 0x1c, 4));
	/* the MSI-X BAR: 4 KiB, and unused BARs read 0 whatever is written */
	cfg_write(m, s, 0x20, 4, 0xffffffff);
	EXPECT_EQ(0xfffff000, cfg_read(m, s, 0x20, 4));
	cfg_write(m, s, 0x24, 4, 0xffffffff);
	EXPECT_EQ(0, cfg_read(m, s, 0x24, 4));
	cfg_write(m, s, 0x30, 4, 0xffffffff);		/* no expansion ROM */
	EXPECT_EQ(0, cfg_read(m, s, 0x30, 4));
}

TEST_F(pci, moving_a_bar_remaps_it)
{
	struct vmon_machine *m = &self->m;
	unsigned int s = self->dev.slot;
	uint32_t mem = cfg_read(m, s, 0x14, 4), io = cfg_read(m, s, 0x10, 4) & ~3u;
	uint16_t port_v = 0;

	EXPECT_EQ(0x8, mmio_read(m, mem + 8, 4));
	EXPECT_EQ(1, self->mem.reads);
	machine_pio(m, io + 2, &port_v, 2, false);
	EXPECT_EQ(1, self->io.reads);
	EXPECT_EQ(2, self->io.offset);

	cfg_write(m, s, 0x14, 4, 0xd0000000);
	EXPECT_EQ(0xffffffff, mmio_read(m, mem + 8, 4));	/* nothing left there */
	EXPECT_EQ(1, self->mem.reads);
	mmio_write(m, 0xd0000010, 4, 0x1234);
	EXPECT_EQ(1, self->mem.writes);
	EXPECT_EQ(0x10, self->mem.offset);
	EXPECT_EQ(0x1234, self->mem.value);

	/* the 64-bit BAR moves above 4 GiB with its high dword */
	cfg_write(m, s, 0x18, 4, 0x00200000);
	cfg_write(m, s, 0x1c, 4, 0x1);
	EXPECT_EQ(4, mmio_read(m, 0x100200004ull, 4));
	EXPECT_EQ(4, self->mem64.offset);
	EXPECT_EQ(1, self->mem64.reads);

	/* a BAR put on top of the I/O APIC stays unmapped: the I/O APIC keeps its page */
	cfg_write(m, s, 0x14, 4, (uint32_t)IOAPIC_BASE);
	EXPECT_FALSE(self->dev.bars[1].mapped);
	mmio_write(m, IOAPIC_BASE + IOAPIC_REGSEL, 1, IOAPIC_REG_VER);
	EXPECT_EQ(IOAPIC_VERSION, mmio_read(m, IOAPIC_BASE + IOAPIC_WIN, 4) & 0xff);
	EXPECT_EQ(1, self->mem.reads);
	EXPECT_EQ(1, self->mem.writes);
	/* and maps once moved off it */
	cfg_write(m, s, 0x14, 4, 0xd0001000);
	EXPECT_TRUE(self->dev.bars[1].mapped);
	EXPECT_EQ(0, mmio_read(m, 0xd0001000, 4));
	EXPECT_EQ(2, self->mem.reads);
}

TEST_F(pci, decode_off_unmaps)
{
	struct vmon_machine *m = &self->m;
	unsigned int s = self->dev.slot;
	uint32_t mem = cfg_read(m, s, 0x14, 4), io = cfg_read(m, s, 0x10, 4) & ~3u;
	uint8_t b = 0;

	cfg_write(m, s, 0x04, 2, 0x0001);		/* memory off, I/O on */
	EXPECT_EQ(0xffffffff, mmio_read(m, mem, 4));
	EXPECT_EQ(0, self->mem.reads);
	machine_pio(m, io, &b, 1, false);
	EXPECT_EQ(1, self->io.reads);
	cfg_write(m, s, 0x04, 2, 0x0002);		/* memory on, I/O off */
	machine_pio(m, io, &b, 1, false);
	EXPECT_EQ(0xff, b);
	EXPECT_EQ(1, self->io.reads);
	EXPECT_EQ(0, mmio_read(m, mem, 4));
	EXPECT_EQ(1, self->mem.reads);
	/* sizing with decoding off leaves nothing mapped at the mask */
	cfg_write(m, s, 0x04, 2, 0);
	cfg_write(m, s, 0x14, 4, 0xffffffff);
	EXPECT_FALSE(self->dev.bars[1].mapped);
	cfg_write(m, s, 0x14, 4, mem);
	cfg_write(m, s, 0x04, 2, 0x0002);
	EXPECT_TRUE(self->dev.bars[1].mapped);
	EXPECT_EQ(4, mmio_read(m, mem + 4, 4));
}

TEST_F(pci, capability_chain)
{
	struct pci_device d = { .name = "caps", .vendor_id = 0x1234, .device_id = 1 };
	struct vmon_machine *m = &self->m;
	unsigned int a, b, c;

	a = pci_add_capability(&d, 0x09, 6);
	b = pci_add_capability(&d, 0x09, 0x13);
	EXPECT_EQ(0x40, a);
	EXPECT_EQ(0x48, b);			/* dword aligned after 0x46 */
	pci_config_set(&d, b + 4, 4, 0x11223344);
	pci_set_wmask(&d, b + 4, 2, 0x00ff);
	c = pci_add_capability(&d, 0x05, 0x100 - 0x5c + 1);
	EXPECT_EQ(0, c);			/* does not fit below 0x100 */
	ASSERT_EQ(0, pci_device_register(m, &d));
	EXPECT_EQ(0x10, cfg_read(m, d.slot, 0x06, 2) & 0x10);
	EXPECT_EQ(0x40, cfg_read(m, d.slot, 0x34, 1));
	EXPECT_EQ(0x4809, cfg_read(m, d.slot, 0x40, 2));
	EXPECT_EQ(0x0009, cfg_read(m, d.slot, 0x48, 2));
	cfg_write(m, d.slot, b + 4, 4, 0);
	EXPECT_EQ(0x11223300, cfg_read(m, d.slot, b + 4, 4));
	/* without capabilities: the bit is clear; the MSI-X device's list */
	EXPECT_EQ(0, cfg_read(m, 0, 0x06, 2) & 0x10);
	EXPECT_EQ(0x40, cfg_read(m, self->dev.slot, 0x34, 1));
	EXPECT_EQ(0x11, cfg_read(m, self->dev.slot, 0x40, 1));
}

TEST_F(pci, ecam_and_conf1_agree_absent_functions_read_ones)
{
	struct vmon_machine *m = &self->m;
	unsigned int s = self->dev.slot, reg;

	for (reg = 0; reg < 0x100; reg += 4)
		EXPECT_EQ(cfg_read(m, s, reg, 4), ecam_read(m, s << 3, reg, 4));
	EXPECT_EQ(cfg_read(m, 0, 0, 4), ecam_read(m, 0, 0, 4));
	EXPECT_EQ(0x1af4, ecam_read(m, s << 3, 0, 2));
	EXPECT_EQ(0x00ff0001, ecam_read(m, s << 3, 0x08, 4));
	/* written through one, read through the other */
	ecam_write(m, s << 3, 0x3c, 1, 0x0b);
	EXPECT_EQ(0x0b, cfg_read(m, s, 0x3c, 1));
	cfg_write(m, s, 0x3c, 1, 0x0c);
	EXPECT_EQ(0x0c, ecam_read(m, s << 3, 0x3c, 1));
	/* extended space of a present function: no extended capabilities */
	EXPECT_EQ(0, ecam_read(m, s << 3, 0x100, 4));
	/* absent: empty slot, other functions, bus 1 */
	EXPECT_EQ(0xffffffff, ecam_read(m, 5 << 3, 0, 4));
	EXPECT_EQ(0xffff, ecam_read(m, (s << 3) | 1, 0, 2));
	EXPECT_EQ(0xffffffff, mmio_read(m, PCI_ECAM_BASE + (1 << 20), 4));
	EXPECT_EQ(0xffffffff, cfg_read(m, 31, 0, 4));
	ecam_write(m, 5 << 3, 0x04, 2, 0x7);
	EXPECT_EQ(0xffffffff, ecam_read(m, 5 << 3, 0, 4));
}

/* the MSI-X capability and its BAR */
static uint64_t msix_bar(struct vmon_machine *m, unsigned int slot)
{
	return cfg_read(m, slot, 0x20, 4) & ~0xfu;
}

static void msix_entry(struct vmon_machine *m, uint64_t bar, unsigned int v, uint32_t data,
		       bool masked)
{
	mmio_write(m, bar + 16 * v, 4, 0xfee00000);
	mmio_write(m, bar + 16 * v + 4, 4, 0);
	mmio_write(m, bar + 16 * v + 8, 4, data);
	mmio_write(m, bar + 16 * v + 12, 4, masked);
}

TEST_F(pci, msix_capability_and_table)
{
	struct vmon_machine *m = &self->m;
	unsigned int s = self->dev.slot;
	uint64_t bar = msix_bar(m, s), addr;
	uint32_t data;

	EXPECT_EQ(0x0002, cfg_read(m, s, 0x42, 2));	/* 3 vectors, disabled */
	EXPECT_EQ(4, cfg_read(m, s, 0x44, 4));		/* table: BIR 4, offset 0 */
	EXPECT_EQ(48 | 4, cfg_read(m, s, 0x48, 4));	/* PBA right after */
	/* every vector starts masked; only the mask bit of vector control sticks */
	EXPECT_EQ(1, mmio_read(m, bar + 12, 4));
	mmio_write(m, bar + 16 + 12, 4, 0xfffffffe);
	EXPECT_EQ(0, mmio_read(m, bar + 16 + 12, 4));
	EXPECT_EQ(1, self->changes.n);
	EXPECT_EQ(1, self->changes.last);
	msix_entry(m, bar, 0, 0x4041, false);
	EXPECT_EQ(0x4041, mmio_read(m, bar + 8, 4));
	/* the PBA reads, but does not take writes */
	mmio_write(m, bar + 48, 4, 0xffffffff);
	EXPECT_EQ(0, mmio_read(m, bar + 48, 4));
	/* disabled: pci_msix_message() says so, notify sends nothing */
	EXPECT_FALSE(pci_msix_enabled(&self->dev));
	EXPECT_FALSE(pci_msix_message(&self->dev, 0, &addr, &data));
	pci_msix_notify(&self->dev, 0);
	EXPECT_EQ(0, self->log.n);
	EXPECT_EQ(0, mmio_read(m, bar + 48, 4));
	/* enabled: the entry's message goes out */
	self->changes.n = 0;
	cfg_write(m, s, 0x42, 2, 0x8000);
	EXPECT_EQ(1, self->changes.n);
	EXPECT_EQ(PCI_MSIX_ALL, self->changes.last);
	EXPECT_TRUE(pci_msix_enabled(&self->dev));
	ASSERT_TRUE(pci_msix_message(&self->dev, 0, &addr, &data));
	EXPECT_EQ(0xfee00000, addr);
	EXPECT_EQ(0x4041, data);
	pci_msix_notify(&self->dev, 0);
	ASSERT_EQ(1, self->log.n);
	EXPECT_EQ(0xfee00000, self->log.address[0]);
	EXPECT_EQ(0x4041, self->log.data[0]);
	pci_msix_notify(&self->dev, 3);			/* beyond the table */
	EXPECT_EQ(1, self->log.n);
	EXPECT_FALSE(pci_msix_message(&self->dev, 3, &addr, &data));
}

TEST_F(pci, msix_masks_and_pending_bits)
{
	struct vmon_machine *m = &self->m;
	unsigned int s = self->dev.slot;
	uint64_t bar = msix_bar(m, s), addr;
	uint32_t data;

	msix_entry(m, bar, 0, 0x30, true);
	msix_entry(m, bar, 2, 0x32, false);
	cfg_write(m, s, 0x42, 2, 0x8000);
	/* a masked vector sets its pending bit; unmasking sends it */
	pci_msix_notify(&self->dev, 0);
	EXPECT_EQ(0, self->log.n);
	EXPECT_EQ(1, mmio_read(m, bar + 48, 4));
	EXPECT_FALSE(pci_msix_message(&self->dev, 0, &addr, &data));
	mmio_write(m, bar + 12, 4, 0);
	ASSERT_EQ(1, self->log.n);
	EXPECT_EQ(0x30, self->log.data[0]);
	EXPECT_EQ(0, mmio_read(m, bar + 48, 4));
	/* the function mask holds every vector back, and lets them go together */
	cfg_write(m, s, 0x42, 2, 0xc000);
	EXPECT_FALSE(pci_msix_enabled(&self->dev));
	pci_msix_notify(&self->dev, 0);
	pci_msix_notify(&self->dev, 2);
	EXPECT_EQ(1, self->log.n);
	EXPECT_EQ(5, mmio_read(m, bar + 48, 4));
	cfg_write(m, s, 0x42, 2, 0x8000);
	ASSERT_EQ(3, self->log.n);
	EXPECT_EQ(0x30, self->log.data[1]);
	EXPECT_EQ(0x32, self->log.data[2]);
	EXPECT_EQ(0, mmio_read(m, bar + 48, 4));
	/* a vector masked while the function was masked stays pending */
	cfg_write(m, s, 0x42, 2, 0xc000);
	pci_msix_notify(&self->dev, 2);
	mmio_write(m, bar + 32 + 12, 4, 1);
	cfg_write(m, s, 0x42, 2, 0x8000);
	EXPECT_EQ(3, self->log.n);
	EXPECT_EQ(4, mmio_read(m, bar + 48, 4));
	mmio_write(m, bar + 32 + 12, 4, 0);
	EXPECT_EQ(4, self->log.n);
	/* disabling MSI-X: nothing is sent, nothing becomes pending */
	cfg_write(m, s, 0x42, 2, 0);
	pci_msix_notify(&self->dev, 2);
	EXPECT_EQ(4, self->log.n);
	EXPECT_EQ(0, mmio_read(m, bar + 48, 4));
}

/* program I/O APIC pin gsi: vector, level, active low, unmasked */
static void route_gsi(struct vmon_machine *m, unsigned int gsi, uint8_t vector)
{
	uint32_t lo = vector | 1u << 15 | 1u << 13, hi = 0;

	mmio_write(m, IOAPIC_BASE, 1, 0x10 + 2 * gsi + 1);
	mmio_write(m, IOAPIC_BASE + IOAPIC_WIN, 4, hi);
	mmio_write(m, IOAPIC_BASE, 1, 0x10 + 2 * gsi);
	mmio_write(m, IOAPIC_BASE + IOAPIC_WIN, 4, lo);
}

TEST_F(pci, intx_level_through_the_ioapic)
{
	struct vmon_machine *m = &self->m;
	struct pci_device *d = &self->dev;

	route_gsi(m, d->gsi, 0x51);
	EXPECT_EQ(0, self->log.n);		/* the line rests deasserted */
	pci_set_intx(d, true);
	ASSERT_EQ(1, self->log.n);
	EXPECT_EQ(0x51, self->log.data[0] & 0xff);
	EXPECT_EQ(0x08, cfg_read(m, d->slot, 0x06, 1) & 0x08);	/* interrupt status */
	/* still asserted at EOI: sent again (level triggered) */
	machine_eoi(m, 0x51);
	EXPECT_EQ(2, self->log.n);
	pci_set_intx(d, false);
	machine_eoi(m, 0x51);
	EXPECT_EQ(2, self->log.n);
	EXPECT_EQ(0, cfg_read(m, d->slot, 0x06, 1) & 0x08);
	/* the command register's interrupt disable holds the line back */
	cfg_write(m, d->slot, 0x04, 2, 0x0403);
	pci_set_intx(d, true);
	EXPECT_EQ(2, self->log.n);
	EXPECT_EQ(0x08, cfg_read(m, d->slot, 0x06, 1) & 0x08);
	cfg_write(m, d->slot, 0x04, 2, 0x0003);
	EXPECT_EQ(3, self->log.n);
	pci_set_intx(d, false);
	machine_eoi(m, 0x51);
	EXPECT_EQ(3, self->log.n);
}

/* functions that share a GSI: the line stays asserted while either does */
TEST_F(pci, intx_shared_line)
{
	struct vmon_machine *m = &self->m;
	struct pci_device d[8];
	unsigned int i;

	memset(d, 0, sizeof(d));
	for (i = 0; i < 8; i++) {
		d[i].name = "intx";
		d[i].has_intx = true;
		ASSERT_EQ(0, pci_device_register(m, &d[i]));
	}
	/* slots 2-9: slot 9 swizzles onto slot 1's GSI */
	EXPECT_EQ(self->dev.gsi, d[7].gsi);
	EXPECT_NE(self->dev.gsi, d[6].gsi);
	route_gsi(m, self->dev.gsi, 0x52);
	pci_set_intx(&self->dev, true);
	pci_set_intx(&d[7], true);
	EXPECT_EQ(1, self->log.n);
	pci_set_intx(&self->dev, false);
	machine_eoi(m, 0x52);
	EXPECT_EQ(2, self->log.n);
	pci_set_intx(&d[7], false);
	machine_eoi(m, 0x52);
	EXPECT_EQ(2, self->log.n);
}

TEST_F(pci, register_rejects_and_runs_out)
{
	struct vmon_machine *m = &self->m;
	struct pci_device d[PCI_MAX_SLOTS];
	unsigned int i;

	memset(d, 0, sizeof(d));
	d[0].bars[0] = (struct pci_bar){ .kind = PCI_BAR_MEM32, .size = 0x3000,
					 .ops = &probe_ops };
	EXPECT_EQ(-EINVAL, pci_device_register(m, &d[0]));
	d[0].bars[0].size = 0x800;			/* under 4 KiB */
	EXPECT_EQ(-EINVAL, pci_device_register(m, &d[0]));
	d[0].bars[0] = (struct pci_bar){ .kind = PCI_BAR_MEM64, .size = 0x1000,
					 .ops = &probe_ops };
	d[0].bars[1].kind = PCI_BAR_IO;			/* the high half is taken */
	EXPECT_EQ(-EINVAL, pci_device_register(m, &d[0]));
	d[0].bars[1].kind = PCI_BAR_NONE;
	d[0].bars[0].size = 1ull << 31;			/* more than the hole holds */
	EXPECT_EQ(-ENOSPC, pci_device_register(m, &d[0]));
	EXPECT_EQ(-EINVAL, pci_msix_init(&d[1], 6, 1));
	EXPECT_EQ(-EINVAL, pci_msix_init(&d[1], 0, 0));
	memset(d, 0, sizeof(d));
	for (i = 3; i < PCI_MAX_SLOTS; i++)	/* bridge, virtio-rng, dev */
		ASSERT_EQ(0, pci_device_register(m, &d[i]));
	EXPECT_EQ(-ENOSPC, pci_device_register(m, &d[0]));
}

TEST_HARNESS_MAIN
