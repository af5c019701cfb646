/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The 82093AA I/O APIC (devices/ioapic.c) as the machine sees it: ISA
 * and ACPI interrupt lines (global system interrupts, GSIs) go in, MSI
 * messages to the local APICs come out (machine_send_msi()), EOIs of
 * level-triggered vectors come back from the vCPUs (VMON_EXIT_EOI).
 */
#ifndef VMON_IOAPIC_H
#define VMON_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

struct ioapic;

#define IOAPIC_BASE		0xfec00000ull	/* the PC's default (MP spec 4.3.3) */
#define IOAPIC_MMIO_LEN		0x1000ull
#define IOAPIC_PINS		24
#define IOAPIC_VERSION		0x11	/* 82093AA: no EOI register */

/* IOREGSEL and IOWIN, offsets in the MMIO page (82093AA 3.1) */
#define IOAPIC_REGSEL		0x00
#define IOAPIC_WIN		0x10

/* registers behind IOWIN (82093AA 3.2) */
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VER		0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDTBL	0x10	/* entry n: 0x10 + 2n (low), 0x11 + 2n (high) */

/* redirection table entry (82093AA 3.2.4) */
#define IOAPIC_RTE_VECTOR	0x000000ffull
#define IOAPIC_RTE_DELMODE	0x00000700ull	/* bits 10:8 */
#define IOAPIC_RTE_DESTMODE	(1ull << 11)	/* 1: logical */
#define IOAPIC_RTE_DELIVS	(1ull << 12)	/* delivery status, read-only */
#define IOAPIC_RTE_POLARITY	(1ull << 13)	/* 1: active low */
#define IOAPIC_RTE_REMOTE_IRR	(1ull << 14)	/* read-only */
#define IOAPIC_RTE_LEVEL	(1ull << 15)	/* trigger mode 1: level */
#define IOAPIC_RTE_MASK		(1ull << 16)
#define IOAPIC_RTE_DEST_SHIFT	56
#define IOAPIC_RTE_RO		(IOAPIC_RTE_DELIVS | IOAPIC_RTE_REMOTE_IRR)
#define IOAPIC_RTE_WRITABLE	0xff0000000001ffffull	/* not the reserved 55:17 */

/* delivery modes, bits 10:8 of an entry and of MSI data */
enum ioapic_delmode {
	IOAPIC_DM_FIXED		= 0,
	IOAPIC_DM_LOWEST	= 1,
	IOAPIC_DM_SMI		= 2,
	IOAPIC_DM_NMI		= 4,
	IOAPIC_DM_INIT		= 5,
	IOAPIC_DM_EXTINT	= 7,
};

/* the GSI an ISA IRQ arrives on: IRQ 0 (the PIT) on pin 2, the rest on pin n */
unsigned int ioapic_isa_gsi(unsigned int irq);

/*
 * The MSI (SDM Vol. 3A 11.11) that redirection entry rte sends: false
 * for the delivery modes that are no message to a local APIC (SMI,
 * ExtINT, reserved).
 */
bool ioapic_rte_to_msi(uint64_t rte, uint64_t *address, uint32_t *data);

/* drive input pin to level (true: electrically high); the caller holds the device lock */
void ioapic_set_irq(struct ioapic *io, unsigned int pin, bool level);
/* a local APIC ended level-triggered vector: clear Remote IRR, re-send */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

#endif /* VMON_IOAPIC_H */
