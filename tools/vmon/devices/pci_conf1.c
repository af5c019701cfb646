// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI configuration mechanism #1 (PCI Local Bus Specification 3.0,
 * 3.2.2.3.2) with nothing behind it: CONFIG_ADDRESS at 0xCF8 holds what
 * the guest writes, CONFIG_DATA at 0xCFC-0xCFF reads all ones, the
 * answer of a bus where no function decodes the cycle.
 *
 * Linux's pci_check_type1() (arch/x86/pci/direct.c) sees the address
 * register work, then its sanity check finds no host bridge on bus 0
 * and PCI is given up after 512 reads: "PCI: System does not support
 * PCI".  Only dword accesses reach CONFIG_ADDRESS, as on Intel chipsets;
 * narrower ones at 0xCF8-0xCFB read all ones, which also fails the
 * mechanism #2 probe at once, except the reset control register at
 * 0xCF9 (PIIX4 data sheet, RC register): setting "reset CPU" there
 * resets the machine, Linux's BOOT_CF9 reboot, and ends the run with
 * status 0 as the i8042 reset does.
 */
#include <errno.h>
#include <stdlib.h>

#include "../machine.h"
#include "../vmon.h"
#include "devices.h"

#define PCI_CONF_ADDR	0xcf8
#define PCI_CONF_LEN	8
#define RST_CNT		1	/* 0xCF9 */
#define RST_CPU		0x04
#define ADDR_MASK	0x80fffffcu	/* enable, bus, device, function, register */

struct pci_conf1 {
	struct vmon_machine *machine;
	uint32_t address;
	uint8_t rst_cnt;
};

static uint64_t pci_read(void *dev, uint64_t offset, unsigned int size)
{
	struct pci_conf1 *p = dev;

	if (offset == 0 && size == 4)
		return p->address;
	if (offset == RST_CNT && size == 1)
		return p->rst_cnt;
	return ~0ull;	/* no function answers the configuration cycle */
}

static void pci_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	struct pci_conf1 *p = dev;

	if (offset == 0 && size == 4) {
		p->address = (uint32_t)value & ADDR_MASK;
	} else if (offset == RST_CNT && size == 1) {
		p->rst_cnt = (uint8_t)value & ~RST_CPU;
		if (value & RST_CPU) {
			vmon_err("guest reset the machine through port 0xCF9 (reboot)");
			machine_request_exit(p->machine, VMON_STATUS_OK);
		}
	}
	/* CONFIG_DATA writes and other byte writes: no function takes them */
}

static void pci_release(void *dev)
{
	free(dev);
}

static const struct bus_ops pci_ops = {
	.read = pci_read,
	.write = pci_write,
	.release = pci_release,
};

static int pci_attach(struct vmon_machine *m)
{
	struct pci_conf1 *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	p->machine = m;
	ret = bus_register(&m->pio, PCI_CONF_ADDR, PCI_CONF_LEN, "pci-conf1", &pci_ops, p);
	if (ret)
		free(p);
	return ret;
}

const struct vmon_device pci_conf1_device = {
	.name = "pci-conf1",
	.attach = pci_attach,
};
