// SPDX-License-Identifier: GPL-2.0-only
/*
 * The two ways into PCI configuration space of bus 0 (devices/pci.c):
 *
 * Configuration mechanism #1 (PCI Local Bus Specification 3.0,
 * 3.2.2.3.2): CONFIG_ADDRESS at 0xCF8 selects bus, device, function and
 * dword register; CONFIG_DATA at 0xCFC-0xCFF reads and writes bytes,
 * words or the dword of that register.  A cycle to another bus, or with
 * the enable bit clear, finds no function: reads all ones.  Only dword
 * accesses reach CONFIG_ADDRESS, as on Intel chipsets; narrower ones at
 * 0xCF8-0xCFB read all ones, which fails Linux's mechanism #2 probe at
 * once, except the reset control register at 0xCF9 (PIIX4 data sheet,
 * RC register): setting "reset CPU" there resets the machine, Linux's
 * BOOT_CF9 reboot, and ends the run with status 0 as the i8042 reset
 * does.
 *
 * ECAM, the enhanced configuration access mechanism (PCI Express Base
 * 3.0, 7.2.2; PCI Firmware 3.0, 4.1.2 for the ACPI MCFG table that
 * announces it): 4 KiB of MMIO per function at PCI_ECAM_BASE, offset
 * bus << 20 | device << 15 | function << 12 | register, bus 0 only.
 */
#include <errno.h>
#include <stdlib.h>

#include "../machine.h"
#include "../vmon.h"
#include "devices.h"
#include "pci.h"

#define PCI_CONF_ADDR	0xcf8
#define PCI_CONF_LEN	8
#define RST_CNT		1	/* 0xCF9 */
#define CONF_DATA	4	/* 0xCFC */
#define RST_CPU		0x04
#define ADDR_MASK	0x80fffffcu	/* enable, bus, device, function, register */
#define ADDR_ENABLE	0x80000000u
#define ADDR_BUS	0x00ff0000u

struct pci_conf1 {
	struct vmon_machine *machine;
	uint32_t address;
	uint8_t rst_cnt;
};

/* the function and register CONFIG_ADDRESS selects, or false: none */
static bool conf1_target(const struct pci_conf1 *p, uint64_t offset, unsigned int *devfn,
			 unsigned int *reg)
{
	if (!(p->address & ADDR_ENABLE) || (p->address & ADDR_BUS))
		return false;
	*devfn = (p->address >> 8) & 0xff;
	*reg = (p->address & 0xfc) + (unsigned int)(offset - CONF_DATA);
	return true;
}

static uint64_t conf1_read(void *dev, uint64_t offset, unsigned int size)
{
	struct pci_conf1 *p = dev;
	unsigned int devfn, reg;

	if (offset == 0 && size == 4)
		return p->address;
	if (offset == RST_CNT && size == 1)
		return p->rst_cnt;
	if (offset >= CONF_DATA && conf1_target(p, offset, &devfn, &reg))
		return pci_config_read(p->machine, devfn, reg, size);
	return ~0ull;	/* no function answers the configuration cycle */
}

static void conf1_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	struct pci_conf1 *p = dev;
	unsigned int devfn, reg;

	if (offset == 0 && size == 4) {
		p->address = (uint32_t)value & ADDR_MASK;
	} else if (offset == RST_CNT && size == 1) {
		p->rst_cnt = (uint8_t)value & ~RST_CPU;
		if (value & RST_CPU) {
			vmon_err("guest reset the machine through port 0xCF9 (reboot)");
			machine_request_exit(p->machine, VMON_STATUS_OK);
		}
	} else if (offset >= CONF_DATA && conf1_target(p, offset, &devfn, &reg)) {
		pci_config_write(p->machine, devfn, reg, size, (uint32_t)value);
	}
	/* other byte writes to 0xCF8-0xCFB: nothing takes them */
}

static void conf1_release(void *dev)
{
	struct pci_conf1 *p = dev;

	pci_bus_destroy(p->machine);
	free(p);
}

static const struct bus_ops conf1_ops = {
	.read = conf1_read,
	.write = conf1_write,
	.release = conf1_release,
};

/* ECAM: an aligned qword (the bus hands it whole) is two dword cycles */
static uint64_t ecam_read(void *dev, uint64_t offset, unsigned int size)
{
	unsigned int devfn = (unsigned int)(offset >> 12), reg = offset & 0xfff;

	if (size == 8)
		return pci_config_read(dev, devfn, reg, 4) |
		       (uint64_t)pci_config_read(dev, devfn, reg + 4, 4) << 32;
	return pci_config_read(dev, devfn, reg, size);
}

static void ecam_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	unsigned int devfn = (unsigned int)(offset >> 12), reg = offset & 0xfff;

	if (size == 8) {
		pci_config_write(dev, devfn, reg, 4, (uint32_t)value);
		pci_config_write(dev, devfn, reg + 4, 4, (uint32_t)(value >> 32));
		return;
	}
	pci_config_write(dev, devfn, reg, size, (uint32_t)value);
}

/* dev is the machine: nothing to free */
static const struct bus_ops ecam_ops = {
	.read = ecam_read,
	.write = ecam_write,
};

static int pci_attach(struct vmon_machine *m)
{
	struct pci_conf1 *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	p->machine = m;
	ret = pci_bus_create(m);
	if (ret) {
		free(p);
		return ret;
	}
	ret = bus_register(&m->pio, PCI_CONF_ADDR, PCI_CONF_LEN, "pci-conf1", &conf1_ops, p);
	if (ret) {
		pci_bus_destroy(m);
		free(p);
		return ret;
	}
	/* from here on the port range owns the bus: its release frees it */
	return bus_register(&m->mmio, PCI_ECAM_BASE, PCI_ECAM_SIZE, "pci-ecam", &ecam_ops, m);
}

const struct vmon_device pci_conf1_device = {
	.name = "pci-conf1",
	.attach = pci_attach,
};
