// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSI-X (PCI Local Bus 3.0, 6.8.2): a capability in configuration space
 * that points at a table of message address/data/vector-control entries
 * and at a pending-bit array (PBA), both in one memory BAR.  A vector
 * that fires while its entry or the whole function is masked sets its
 * pending bit instead; unmasking sends it then (6.8.2.9).  The messages
 * go to the local APICs through machine_send_msi() (SDM Vol. 3A 11.11
 * gives them their meaning; the I/O APIC sends the same kind).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../machine.h"
#include "pci.h"

#define PCI_CAP_ID_MSIX		0x11
#define MSIX_CAP_LEN		12
/* the capability's registers, from its start (6.8.2.1 - 6.8.2.5) */
#define MSIX_CTRL		2
#define MSIX_TABLE		4
#define MSIX_PBA		8
#define MSIX_CTRL_ENABLE	0x8000
#define MSIX_CTRL_MASKALL	0x4000
#define MSIX_MAX_VECTORS	2048	/* the table size field holds N - 1 in 11 bits */

/* a table entry (6.8.2.6 - 6.8.2.9) */
#define ENTRY_SIZE		16
#define ENTRY_ADDR_LO		0
#define ENTRY_ADDR_HI		4
#define ENTRY_DATA		8
#define ENTRY_CTRL		12
#define ENTRY_CTRL_MASKED	0x1

struct pci_msix {
	struct pci_device *d;
	unsigned int cap;	/* offset of the capability */
	unsigned int nr;
	uint64_t pba_offset;	/* in the BAR; the table is at 0 */
	bool was_active;	/* enabled and not function-masked, at the last look */
	uint8_t *table;		/* nr entries of ENTRY_SIZE bytes */
	uint64_t *pba;		/* one bit per vector */
};

static uint32_t entry_get(const struct pci_msix *x, unsigned int vector, unsigned int reg)
{
	uint32_t v;

	memcpy(&v, x->table + vector * ENTRY_SIZE + reg, 4);
	return v;
}

static bool vector_masked(const struct pci_msix *x, unsigned int vector)
{
	return entry_get(x, vector, ENTRY_CTRL) & ENTRY_CTRL_MASKED;
}

static uint16_t msix_ctrl(const struct pci_device *d)
{
	return pci_config_get(d, d->msix->cap + MSIX_CTRL, 2);
}

bool pci_msix_enabled(const struct pci_device *d)
{
	return d->msix && (msix_ctrl(d) & (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL)) ==
			  MSIX_CTRL_ENABLE;
}

bool pci_msix_message(const struct pci_device *d, unsigned int vector, uint64_t *addr,
		      uint32_t *data)
{
	const struct pci_msix *x = d->msix;

	if (!pci_msix_enabled(d) || vector >= x->nr || vector_masked(x, vector))
		return false;
	*addr = (uint64_t)entry_get(x, vector, ENTRY_ADDR_HI) << 32 |
		entry_get(x, vector, ENTRY_ADDR_LO);
	*data = entry_get(x, vector, ENTRY_DATA);
	return true;
}

static bool pending(const struct pci_msix *x, unsigned int vector)
{
	return x->pba[vector / 64] >> (vector % 64) & 1;
}

static void set_pending(struct pci_msix *x, unsigned int vector, bool on)
{
	if (on)
		x->pba[vector / 64] |= 1ull << (vector % 64);
	else
		x->pba[vector / 64] &= ~(1ull << (vector % 64));
}

/* send vector if it may go now, else leave it pending */
static void deliver(struct pci_msix *x, unsigned int vector)
{
	uint64_t addr;
	uint32_t data;

	if (!pci_msix_message(x->d, vector, &addr, &data)) {
		set_pending(x, vector, true);
		return;
	}
	set_pending(x, vector, false);
	machine_send_msi(x->d->machine, addr, data);
}

void pci_msix_notify(struct pci_device *d, unsigned int vector)
{
	struct pci_msix *x = d->msix;

	/* without MSI-X enabled the function signals INTx instead (6.8.2) */
	if (!x || vector >= x->nr || !(msix_ctrl(d) & MSIX_CTRL_ENABLE))
		return;
	deliver(x, vector);
}

static void changed(struct pci_msix *x, unsigned int vector)
{
	if (x->d->msix_changed)
		x->d->msix_changed(x->d, vector);
}

/* enable or function mask written: pending vectors go once both allow */
void pci_msix_config_written(struct pci_device *d, unsigned int offset, unsigned int size)
{
	struct pci_msix *x = d->msix;
	bool active = pci_msix_enabled(d);
	unsigned int v;

	if (offset >= x->cap + MSIX_CAP_LEN || offset + size <= x->cap || active == x->was_active)
		return;
	x->was_active = active;
	if (active)
		for (v = 0; v < x->nr; v++)
			if (pending(x, v) && !vector_masked(x, v))
				deliver(x, v);
	changed(x, PCI_MSIX_ALL);
}

/* the BAR: the table at 0, the PBA at pba_offset, nothing else */
static uint64_t msix_read(void *dev, uint64_t offset, unsigned int size)
{
	struct pci_msix *x = dev;
	uint64_t v = 0;

	if (offset + size <= (uint64_t)x->nr * ENTRY_SIZE)
		memcpy(&v, x->table + offset, size);
	else if (offset >= x->pba_offset &&
		 offset + size <= x->pba_offset + 8 * ((x->nr + 63) / 64))
		memcpy(&v, (uint8_t *)x->pba + (offset - x->pba_offset), size);
	return v;
}

static void msix_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	struct pci_msix *x = dev;
	unsigned int vector = offset / ENTRY_SIZE, i;
	bool was_masked;
	uint8_t *e;

	/* the PBA is read-only (6.8.2.10); an access straddling entries is not valid */
	if (offset + size > (uint64_t)x->nr * ENTRY_SIZE ||
	    (offset % ENTRY_SIZE) + size > ENTRY_SIZE)
		return;
	was_masked = vector_masked(x, vector);
	e = x->table + vector * ENTRY_SIZE;
	for (i = 0; i < size; i++) {
		unsigned int reg = offset % ENTRY_SIZE + i;
		uint8_t b = (uint8_t)(value >> 8 * i);

		/* vector control: only the mask bit is defined, the rest reads 0 */
		if (reg >= ENTRY_CTRL)
			b = reg == ENTRY_CTRL ? b & ENTRY_CTRL_MASKED : 0;
		e[reg] = b;
	}
	if (was_masked && !vector_masked(x, vector) && pending(x, vector))
		deliver(x, vector);
	changed(x, vector);
}

static const struct bus_ops msix_ops = {
	.read = msix_read,
	.write = msix_write,
};

int pci_msix_init(struct pci_device *d, unsigned int bar, unsigned int nr_vectors)
{
	uint64_t table_size, pba_size, size;
	struct pci_msix *x;
	unsigned int cap, v;

	if (d->msix || bar >= PCI_NUM_BARS || d->bars[bar].kind != PCI_BAR_NONE ||
	    (bar && d->bars[bar - 1].kind == PCI_BAR_MEM64) ||
	    !nr_vectors || nr_vectors > MSIX_MAX_VECTORS)
		return -EINVAL;
	table_size = (uint64_t)nr_vectors * ENTRY_SIZE;
	/* the PBA is made of qwords, aligned to one (6.8.2.5) */
	pba_size = 8 * ((nr_vectors + 63) / 64);
	for (size = 4096; size < table_size + pba_size; size *= 2)
		;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->table = calloc(nr_vectors, ENTRY_SIZE);
	x->pba = calloc(pba_size / 8, 8);
	if (!x->table || !x->pba) {
		pci_msix_free(x);
		return -ENOMEM;
	}
	cap = pci_add_capability(d, PCI_CAP_ID_MSIX, MSIX_CAP_LEN);
	if (!cap) {
		pci_msix_free(x);
		return -EINVAL;
	}
	x->d = d;
	x->cap = cap;
	x->nr = nr_vectors;
	x->pba_offset = table_size;
	/* every vector starts masked (6.8.2.9) */
	for (v = 0; v < nr_vectors; v++)
		x->table[v * ENTRY_SIZE + ENTRY_CTRL] = ENTRY_CTRL_MASKED;
	pci_config_set(d, cap + MSIX_CTRL, 2, nr_vectors - 1);
	pci_set_wmask(d, cap + MSIX_CTRL, 2, MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL);
	pci_config_set(d, cap + MSIX_TABLE, 4, bar);
	pci_config_set(d, cap + MSIX_PBA, 4, (uint32_t)x->pba_offset | bar);
	d->bars[bar] = (struct pci_bar){
		.kind = PCI_BAR_MEM32, .size = size, .ops = &msix_ops, .dev = x,
	};
	d->msix = x;
	return 0;
}

void pci_msix_free(struct pci_msix *msix)
{
	if (!msix)
		return;
	free(msix->table);
	free(msix->pba);
	free(msix);
}
