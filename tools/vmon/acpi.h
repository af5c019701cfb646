/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ACPI tables vmon gives a kernel (acpi.c) and the fixed hardware
 * they describe (devices/acpi_pm.c): where each table and register is,
 * and the one call that builds them in guest memory.
 *
 * The tables (ACPI 6.5, chapter 5): RSDP -> RSDT and XSDT -> FADT (->
 * FACS, DSDT), MADT and, with PCI, MCFG.  The FADT's fixed hardware is a PIIX4-style
 * block of I/O ports at ACPI_PM_BASE, the same ports as QEMU's pc
 * machine: PM1a event (status, enable), PM1a control, the PM timer.
 * The reset register is port 0xCF9 (devices/pci_conf1.c), the SCI is
 * ISA IRQ 9, level triggered, active high.
 */
#ifndef VMON_ACPI_H
#define VMON_ACPI_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Where vmon puts the tables for a kernel: the first 64 KiB of the BIOS
 * area 0xE0000-0xFFFFF, which the e820 map marks as ACPI tables, so
 * that the RSDP at its start is found both through boot_params (Linux)
 * and by the BIOS-area scan of ACPI 6.5 5.2.5.1 (multiboot kernels).
 */
#define ACPI_TABLES_GPA		0xe0000ULL
#define ACPI_TABLES_SIZE	0x10000ULL

/* the interrupt controllers' standard addresses (MADT) */
#define ACPI_LAPIC_ADDR		0xfee00000u
#define ACPI_IOAPIC_ADDR	0xfec00000u

/*
 * One processor local APIC entry per vCPU, APIC ID = ACPI processor
 * UID = vCPU id: the 8-bit entries hold IDs 0-254 (255 is the xAPIC
 * broadcast; vmon run's --cpus stops at 254 too).
 */
#define ACPI_MAX_CPUS		254

/* the fixed hardware (FADT), ACPI 6.5 4.8 */
#define ACPI_PM_BASE		0x600
#define ACPI_PM1_EVT_BLK	(ACPI_PM_BASE + 0)	/* PM1a_STS, PM1a_EN */
#define ACPI_PM1_EVT_LEN	4
#define ACPI_PM1_CNT_BLK	(ACPI_PM_BASE + 4)	/* PM1a_CNT */
#define ACPI_PM1_CNT_LEN	2
#define ACPI_PM_TMR_BLK		(ACPI_PM_BASE + 8)	/* PM_TMR, 32 bits */
#define ACPI_PM_TMR_LEN		4
#define ACPI_PM_LEN		12
#define ACPI_PM_TIMER_HZ	3579545u
#define ACPI_SCI_IRQ		9
#define ACPI_RESET_PORT		0xcf9
#define ACPI_RESET_VALUE	0x06	/* PIIX4 RC: system reset + reset CPU */

/* PM1 register bits, ACPI 6.5 tables 4.11 (status), 4.12 (enable), 4.13 (control) */
#define ACPI_PM1_TMR_STS	0x0001
#define ACPI_PM1_PWRBTN_STS	0x0100
#define ACPI_PM1_WAK_STS	0x8000
#define ACPI_PM1_TMR_EN		0x0001
#define ACPI_PM1_PWRBTN_EN	0x0100
#define ACPI_PM1_SCI_EN		0x0001
#define ACPI_PM1_SLP_TYP_SHIFT	10
#define ACPI_PM1_SLP_TYP_MASK	0x1c00
#define ACPI_PM1_SLP_EN		0x2000
/* the SLP_TYP value the DSDT's \_S5 package gives: soft off */
#define ACPI_SLP_TYP_S5		5

struct vmon_acpi_config {
	unsigned int nr_cpus;	/* 1 .. ACPI_MAX_CPUS */
	uint64_t region_gpa;	/* the tables go in [region_gpa, + region_size) */
	uint64_t region_size;
	uint32_t lapic_addr;	/* ACPI_LAPIC_ADDR */
	uint32_t ioapic_addr;	/* 0: the machine has no I/O APIC */
	uint8_t ioapic_id;	/* the I/O APIC's ID register at reset, 0-15 */
	bool pci;		/* PCI bus 0 (devices/pci.h): \_SB.PCI0, MCFG */
};

/*
 * Build every table in guest memory mem (mem_size bytes at
 * guest-physical 0) inside cfg's region, the RSDP first (16-byte
 * aligned at region_gpa, so *rsdp_gpa == region_gpa), and zero the rest
 * of the region.  Returns 0, -EINVAL for a bad cfg (no CPUs or too
 * many, a region outside memory or above 4 GiB, an unaligned region, an
 * I/O APIC ID wider than the 82093AA's 4 bits), -ENOSPC when the
 * tables do not fit in the region.  Prints nothing.
 */
int vmon_acpi_build(void *mem, uint64_t mem_size, const struct vmon_acpi_config *cfg,
		    uint64_t *rsdp_gpa);

#endif /* VMON_ACPI_H */
