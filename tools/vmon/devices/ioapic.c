// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 82093AA I/O APIC at 0xFEC00000, after the Intel 82093AA I/O
 * Advanced Programmable Interrupt Controller data sheet (order number
 * 290566): 24 input pins, each with a 64-bit redirection table entry
 * that says which vector goes to which local APIC(s), how (delivery
 * mode) and when (edge or level, active high or low).
 *
 * The chip is reached through two registers in its MMIO page (3.1):
 * IOREGSEL at +0x00 selects a register, IOWIN at +0x10 reads or writes
 * it, always as a 32-bit access.  Behind them (3.2): the ID (bits
 * 27:24), the version (0x11, with the highest entry number, 23, in
 * bits 23:16), the arbitration ID (loaded from the ID when the ID is
 * written) and the redirection table at 0x10-0x3F.
 *
 * What a pin does (3.2.4): an edge-triggered pin sends one message per
 * rising edge (of the input as its polarity reads it) that finds the
 * entry unmasked; an edge on a masked pin is lost.  A level-triggered
 * fixed or lowest-priority pin sends while its input is asserted and
 * Remote IRR is clear, and sets Remote IRR: the line is not sent again
 * until a local APIC ends that vector (the kernel's VMON_EXIT_EOI),
 * and is sent once more then if it is still asserted.  NMI and INIT
 * are edge-triggered whatever the trigger bit says (3.2.4, delivery
 * mode).  The message is an MSI (SDM Vol. 3A 11.11): the same
 * address/data pair a PCI device writes, handed to the kernel's local
 * APICs with VMON_SIGNAL_MSI.
 *
 * ExtINT (the 8259A's INTR through the I/O APIC) sends nothing here:
 * vmon wires the PIC's output to vCPU 0's LINT0 (VMON_INTERRUPT), so the
 * PIC reaches the BSP while its LVT0 is ExtINT, as in virtual-wire mode
 * (MP spec 3.6.2.2); an ExtINT entry adds no second path.  SMI and the
 * reserved modes send nothing either.
 *
 * Delivery is immediate, so the delivery status bit always reads 0.
 * Callers hold the device lock (machine.h); the MSI ioctl runs under it.
 */
#include <errno.h>
#include <stdlib.h>

#include "../machine.h"
#include "devices.h"
#include "ioapic.h"

/* MSI address and data (SDM Vol. 3A 11.11.1, 11.11.2) */
#define MSI_ADDR_BASE		0xfee00000ull
#define MSI_ADDR_DEST_SHIFT	12
#define MSI_ADDR_DM_LOGICAL	(1ull << 2)
#define MSI_DATA_DELMODE_SHIFT	8
#define MSI_DATA_LEVEL_ASSERT	(1u << 14)
#define MSI_DATA_TRIGGER_LEVEL	(1u << 15)

#define IOAPIC_ID_MASK		0x0f000000u	/* bits 27:24 */
#define IOAPIC_REDTBL_END	(IOAPIC_REG_REDTBL + 2 * IOAPIC_PINS)

struct ioapic {
	struct vmon_machine *machine;
	uint32_t regsel;		/* IOREGSEL, bits 7:0 */
	uint32_t id;			/* IOAPICID as read: bits 27:24 */
	uint32_t arb;			/* IOAPICARB as read */
	uint32_t lines;			/* input pins, electrically high */
	uint64_t rte[IOAPIC_PINS];
};

unsigned int ioapic_isa_gsi(unsigned int irq)
{
	/* the MADT's interrupt source override, as on QEMU's pc machine (ACPI 6.x 5.2.12.5) */
	return irq == 0 ? 2 : irq;
}

static unsigned int rte_delmode(uint64_t rte)
{
	return (unsigned int)((rte & IOAPIC_RTE_DELMODE) >> 8);
}

bool ioapic_rte_to_msi(uint64_t rte, uint64_t *address, uint32_t *data)
{
	unsigned int dm = rte_delmode(rte);

	switch (dm) {
	case IOAPIC_DM_FIXED:
	case IOAPIC_DM_LOWEST:
	case IOAPIC_DM_NMI:
	case IOAPIC_DM_INIT:
		break;
	default:
		return false;
	}
	*address = MSI_ADDR_BASE |
		   ((rte >> IOAPIC_RTE_DEST_SHIFT) & 0xff) << MSI_ADDR_DEST_SHIFT;
	if (rte & IOAPIC_RTE_DESTMODE)
		*address |= MSI_ADDR_DM_LOGICAL;
	/* edge messages are always asserts (11.11.2); so are level ones from a pin */
	*data = dm << MSI_DATA_DELMODE_SHIFT | MSI_DATA_LEVEL_ASSERT;
	if (dm == IOAPIC_DM_FIXED || dm == IOAPIC_DM_LOWEST) {
		*data |= (uint32_t)(rte & IOAPIC_RTE_VECTOR);
		if (rte & IOAPIC_RTE_LEVEL)
			*data |= MSI_DATA_TRIGGER_LEVEL;
	}
	return true;
}

/* level semantics apply to fixed and lowest priority only (3.2.4) */
static bool pin_is_level(uint64_t rte)
{
	unsigned int dm = rte_delmode(rte);

	return (rte & IOAPIC_RTE_LEVEL) && (dm == IOAPIC_DM_FIXED || dm == IOAPIC_DM_LOWEST);
}

static bool pin_asserted(const struct ioapic *io, unsigned int pin)
{
	bool high = io->lines & (1u << pin);

	return io->rte[pin] & IOAPIC_RTE_POLARITY ? !high : high;
}

static void send(struct ioapic *io, unsigned int pin)
{
	uint64_t address;
	uint32_t data;

	if (!ioapic_rte_to_msi(io->rte[pin], &address, &data))
		return;
	if (pin_is_level(io->rte[pin]))
		io->rte[pin] |= IOAPIC_RTE_REMOTE_IRR;
	machine_send_msi(io->machine, address, data);
}

/* a level pin that is asserted, unmasked and not in service goes out */
static void service_level(struct ioapic *io, unsigned int pin)
{
	uint64_t rte = io->rte[pin];

	if (pin_is_level(rte) && !(rte & (IOAPIC_RTE_MASK | IOAPIC_RTE_REMOTE_IRR)) &&
	    pin_asserted(io, pin))
		send(io, pin);
}

void ioapic_set_irq(struct ioapic *io, unsigned int pin, bool level)
{
	bool was;

	if (!io || pin >= IOAPIC_PINS)
		return;
	was = pin_asserted(io, pin);
	if (level)
		io->lines |= 1u << pin;
	else
		io->lines &= ~(1u << pin);
	if (pin_is_level(io->rte[pin])) {
		service_level(io, pin);
		return;
	}
	if (!was && pin_asserted(io, pin) && !(io->rte[pin] & IOAPIC_RTE_MASK))
		send(io, pin);
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	unsigned int pin;

	if (!io)
		return;
	for (pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t rte = io->rte[pin];

		if ((rte & IOAPIC_RTE_VECTOR) != vector || !(rte & IOAPIC_RTE_REMOTE_IRR))
			continue;
		io->rte[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
		service_level(io, pin);
	}
}

static uint32_t read_reg(struct ioapic *io)
{
	unsigned int reg = io->regsel, pin;

	switch (reg) {
	case IOAPIC_REG_ID:
		return io->id;
	case IOAPIC_REG_VER:
		return (IOAPIC_PINS - 1) << 16 | IOAPIC_VERSION;
	case IOAPIC_REG_ARB:
		return io->arb;
	}
	if (reg < IOAPIC_REG_REDTBL || reg >= IOAPIC_REDTBL_END)
		return 0;
	pin = (reg - IOAPIC_REG_REDTBL) / 2;
	return (uint32_t)(reg & 1 ? io->rte[pin] >> 32 : io->rte[pin]);
}

static void write_rte(struct ioapic *io, unsigned int pin, bool high, uint32_t value)
{
	uint64_t old = io->rte[pin], rte;

	if (high)
		rte = (old & 0xffffffffull) | (uint64_t)value << 32;
	else
		rte = (old & ~0xffffffffull) | value;
	/* bits 55:17 are reserved (3.2.4) */
	rte &= IOAPIC_RTE_WRITABLE;
	rte = (rte & ~IOAPIC_RTE_RO) | (old & IOAPIC_RTE_RO);
	/*
	 * Remote IRR means nothing to an edge pin and is cleared when the
	 * pin becomes one: Linux's __eoi_ioapic_pin() on I/O APICs without
	 * an EOI register relies on it to clear a stale Remote IRR.
	 */
	if (!pin_is_level(rte))
		rte &= ~IOAPIC_RTE_REMOTE_IRR;
	io->rte[pin] = rte;
	/* unmasking an asserted level pin sends it (an edge was lost when masked) */
	service_level(io, pin);
}

static void write_reg(struct ioapic *io, uint32_t value)
{
	unsigned int reg = io->regsel;

	switch (reg) {
	case IOAPIC_REG_ID:
		io->id = value & IOAPIC_ID_MASK;
		io->arb = io->id;	/* "loaded ... whenever the ID is written" (3.2.3) */
		return;
	case IOAPIC_REG_VER:
	case IOAPIC_REG_ARB:
		return;		/* read-only */
	}
	if (reg < IOAPIC_REG_REDTBL || reg >= IOAPIC_REDTBL_END)
		return;
	write_rte(io, (reg - IOAPIC_REG_REDTBL) / 2, reg & 1, value);
}

static uint64_t ioapic_read(void *dev, uint64_t offset, unsigned int size)
{
	struct ioapic *io = dev;

	if (offset == IOAPIC_REGSEL)
		return io->regsel;
	/* IOWIN is read as a dword; a narrower read sees its low bytes */
	if (offset >= IOAPIC_WIN && offset < IOAPIC_WIN + 4)
		return read_reg(io) >> (8 * (offset - IOAPIC_WIN));
	return 0;
}

static void ioapic_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	struct ioapic *io = dev;

	if (offset == IOAPIC_REGSEL)
		io->regsel = (uint32_t)value & 0xff;
	else if (offset == IOAPIC_WIN && size == 4)
		write_reg(io, (uint32_t)value);
	/* narrower IOWIN writes and the rest of the page are ignored: "DWORD only" (3.1) */
}

static const struct bus_ops ioapic_ops = {
	.read = ioapic_read,
	.write = ioapic_write,
	.release = free,
};

static int ioapic_attach(struct vmon_machine *m)
{
	struct ioapic *io = calloc(1, sizeof(*io));
	unsigned int pin;
	int ret;

	if (!io)
		return -ENOMEM;
	io->machine = m;
	/* every entry masked at reset (3.2.4); ID 0, as the MADT says (and QEMU's pc) */
	for (pin = 0; pin < IOAPIC_PINS; pin++)
		io->rte[pin] = IOAPIC_RTE_MASK;
	ret = bus_register(&m->mmio, IOAPIC_BASE, IOAPIC_MMIO_LEN, "ioapic", &ioapic_ops, io);
	if (ret) {
		free(io);
		return ret;
	}
	m->ioapic = io;
	return 0;
}

const struct vmon_device ioapic_device = {
	.name = "ioapic",
	.attach = ioapic_attach,
};
