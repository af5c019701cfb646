/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PCI bus of a vmon machine (devices/pci.c, devices/pci_msix.c): one
 * bus 0 behind a host bridge at 00:00.0, reached through configuration
 * mechanism #1 (ports 0xCF8/0xCFC) and ECAM (ACPI MCFG).  A device model
 * embeds a struct pci_device, fills in its identity and BARs, and calls
 * pci_device_register(); the bus gives it a slot, places its BARs in the
 * PCI hole below 4 GiB, serves its configuration space, and maps and
 * unmaps its BARs on the MMIO and port buses as the guest moves them or
 * switches decoding on and off (PCI Local Bus 3.0, 6.2.2 and 6.2.5).
 *
 * Locking: everything here is guarded by the machine's device lock
 * (struct vmon_machine.lock) like any device state; every function
 * below is called with it held, except pci_device_register(), which is
 * called at attach time before the vCPU threads exist.
 */
#ifndef VMON_PCI_H
#define VMON_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"

struct vmon_machine;
struct pci_msix;

/*
 * The PCI hole: guest-physical [PCI_HOLE_START, 4 GiB) is never RAM.
 * 32-bit memory BARs (and 64-bit ones: they fit there too) are placed
 * in [PCI_MMIO_START, PCI_MMIO_END), the ECAM window of bus 0 sits at
 * PCI_ECAM_BASE, and the rest of the hole holds the I/O APIC and the
 * local APIC page.
 * Guest RAM beyond PCI_HOLE_START continues at 4 GiB.  I/O BARs are
 * placed in [PCI_IO_START, PCI_IO_END).
 */
#define PCI_HOLE_START		0xc0000000ull
#define PCI_MMIO_START		0xc0000000ull
#define PCI_MMIO_END		0xf0000000ull
#define PCI_ECAM_BASE		0xf0000000ull
#define PCI_ECAM_SIZE		0x00100000ull	/* bus 0 only: 32 devices x 8 functions x 4 KiB */
#define PCI_IO_START		0xc000u
#define PCI_IO_END		0x10000u
#define PCI_RAM_HIGH_START	0x100000000ull	/* RAM beyond the hole continues here */

/* of ram_size bytes of guest RAM, those below the hole (from 0) */
static inline uint64_t pci_ram_below_hole(uint64_t ram_size)
{
	return ram_size < PCI_HOLE_START ? ram_size : PCI_HOLE_START;
}

/* where guest RAM of ram_size bytes ends, the hole left out */
static inline uint64_t pci_ram_end(uint64_t ram_size)
{
	return ram_size <= PCI_HOLE_START ? ram_size :
	       PCI_RAM_HIGH_START + (ram_size - PCI_HOLE_START);
}

#define PCI_MAX_SLOTS		32	/* devices on bus 0, slot 0 is the host bridge */
#define PCI_NUM_BARS		6
#define PCI_CONFIG_SIZE		4096	/* PCI Express extended space, ECAM */

/* BAR kinds (PCI Local Bus 3.0, 6.2.5.1) */
enum pci_bar_kind {
	PCI_BAR_NONE = 0,
	PCI_BAR_IO,		/* port I/O */
	PCI_BAR_MEM32,		/* 32-bit memory */
	PCI_BAR_MEM64,		/* 64-bit memory: takes this BAR and the next */
};

struct pci_bar {
	enum pci_bar_kind kind;
	bool prefetchable;
	uint64_t size;		/* a power of two; memory BARs at least 4 KiB */
	/* accesses with the offset into the BAR; dev is the argument */
	const struct bus_ops *ops;
	void *dev;
	/* private to pci.c: where the guest has put it, whether it is mapped */
	uint64_t addr;
	bool mapped;
};

struct pci_device {
	/* filled in by the device model before pci_device_register() */
	const char *name;		/* for messages and bus ranges */
	uint16_t vendor_id;
	uint16_t device_id;
	uint16_t subsystem_vendor_id;
	uint16_t subsystem_id;
	uint8_t revision;
	uint32_t class_code;		/* base class << 16 | subclass << 8 | prog-if */
	bool has_intx;			/* INTA#, routed to an I/O APIC pin */
	struct pci_bar bars[PCI_NUM_BARS];
	/*
	 * Optional: told after the guest wrote size bytes at offset of
	 * configuration space (the bytes are already in config[]).
	 */
	void (*config_written)(struct pci_device *d, unsigned int offset, unsigned int size);
	/*
	 * Optional: called before the guest reads size bytes at offset, so
	 * that the device can refresh config[] (a window capability).
	 */
	void (*config_reading)(struct pci_device *d, unsigned int offset, unsigned int size);
	/*
	 * Optional: the guest changed the MSI-X table entry of vector (its
	 * address, data or mask), or PCI_MSIX_ALL when it changed the enable
	 * or function mask bit; pci_msix_message() tells the new message.
	 * For the transport that binds vectors to irqfds.
	 */
	void (*msix_changed)(struct pci_device *d, unsigned int vector);

	/* set by pci_device_register(); read-only afterwards */
	struct vmon_machine *machine;
	unsigned int slot;		/* device number on bus 0 */
	unsigned int gsi;		/* the I/O APIC pin of INTA#, when has_intx */

	/* private to pci.c and pci_msix.c */
	uint8_t config[PCI_CONFIG_SIZE];
	uint8_t wmask[PCI_CONFIG_SIZE];	/* bits the guest may write */
	uint8_t w1cmask[PCI_CONFIG_SIZE];	/* bits a 1 clears (status) */
	uint8_t last_cap;		/* offset of the last capability, 0: none */
	unsigned int cap_end;		/* first byte after the capabilities */
	bool intx_level;		/* the device asserts INTA# */
	struct pci_msix *msix;		/* NULL: no MSI-X capability */
};

/*
 * Give d the next free slot, place its BARs, build the header of its
 * configuration space (d starts zeroed but for the fields above; its
 * capabilities may be added before or after).  Called at attach time,
 * after pci_conf1_device made the bus.  0, -ENOSPC (no free slot, or
 * the hole is full), -EINVAL (a BAR of a bad size or kind), -ENODEV (no
 * bus).
 */
int pci_device_register(struct vmon_machine *m, struct pci_device *d);

/*
 * Append a capability of len bytes (ID and next pointer included) to
 * d's list; returns its offset in configuration space (the caller fills
 * in bytes 2..len-1 and marks writable bits with pci_set_wmask()), or 0
 * when it does not fit below offset 0x100.
 */
unsigned int pci_add_capability(struct pci_device *d, uint8_t cap_id, unsigned int len);
/* the guest may write the bits of mask at offset (len bytes, little endian) */
void pci_set_wmask(struct pci_device *d, unsigned int offset, unsigned int len, uint64_t mask);

/* little-endian helpers on d->config */
uint32_t pci_config_get(const struct pci_device *d, unsigned int offset, unsigned int len);
void pci_config_set(struct pci_device *d, unsigned int offset, unsigned int len, uint32_t val);

/*
 * MSI-X (PCI Local Bus 3.0, 6.8.2): nr_vectors table entries in BAR
 * bar, which pci_msix_init() defines itself (a 32-bit memory BAR that
 * holds the table at offset 0 and the pending-bit array after it).
 * Called before pci_device_register().  0, -EINVAL, -ENOMEM.
 */
int pci_msix_init(struct pci_device *d, unsigned int bar, unsigned int nr_vectors);
/* MSI-X enabled and the function not masked as a whole */
bool pci_msix_enabled(const struct pci_device *d);
/*
 * Signal vector: the MSI of its table entry when MSI-X is enabled and
 * the entry unmasked; its pending bit when masked (sent on unmask);
 * nothing for a vector beyond the table.  Without MSI-X enabled, the
 * caller uses INTx instead.
 */
void pci_msix_notify(struct pci_device *d, unsigned int vector);
/*
 * The message vector sends now: false when MSI-X is disabled, the
 * function or the vector masked, or vector beyond the table.
 */
bool pci_msix_message(const struct pci_device *d, unsigned int vector, uint64_t *addr,
		      uint32_t *data);
#define PCI_MSIX_ALL		(~0u)	/* msix_changed(): enable or function mask */

/* assert (true) or deassert INTA#: level triggered, through the I/O APIC */
void pci_set_intx(struct pci_device *d, bool level);

/* the function's bus-master enable: may it read and write guest memory? */
bool pci_bus_master(const struct pci_device *d);

/*
 * The bus side (pci_conf1.c, pci_msix.c, the unit tests).
 *
 * pci_bus_create() makes bus 0 with its host bridge at 00:00.0 and
 * stores it in m->pci (the configuration mechanisms attach it);
 * pci_bus_destroy() frees it and the MSI-X state of its functions.
 */
int pci_bus_create(struct vmon_machine *m);
void pci_bus_destroy(struct vmon_machine *m);
/*
 * A configuration access of size 1, 2 or 4 (naturally aligned) to
 * function devfn (device << 3 | function) of bus 0; an absent function
 * reads all ones and drops writes (PCI Local Bus 3.0, 6.1).
 */
uint32_t pci_config_read(struct vmon_machine *m, unsigned int devfn, unsigned int offset,
			 unsigned int size);
void pci_config_write(struct vmon_machine *m, unsigned int devfn, unsigned int offset,
		      unsigned int size, uint32_t val);
/*
 * The I/O APIC input of INTx pin (0: INTA# .. 3: INTD#) of slot: the
 * _PRT of the DSDT says the same.
 */
#define PCI_INTX_GSI_BASE	16
#define PCI_INTX_GSIS		8
unsigned int pci_intx_gsi(unsigned int slot, unsigned int pin);

/* pci.c tells pci_msix.c of a configuration write; frees the state */
void pci_msix_config_written(struct pci_device *d, unsigned int offset, unsigned int size);
void pci_msix_free(struct pci_msix *msix);

#endif /* VMON_PCI_H */
