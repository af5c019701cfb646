// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ACPI tables of a vmon machine (ACPI 6.5, chapter 5), built in
 * guest memory before the kernel starts.  vmon has no firmware, so it
 * plays the part of one: it describes the machine as it is and leaves
 * nothing for the OS to run but a few names.
 *
 *   RSDP  at the start of the region, 16-byte aligned: found through
 *         boot_params.acpi_rsdp_addr by Linux, by the BIOS-area scan of
 *         5.2.5.1 by anything else (the region lies in 0xE0000-0xFFFFF).
 *         Revision 2, so it points to the XSDT; its RSDT pointer serves
 *         ACPI 1.0 readers, which many hobby kernels are.
 *   FACS  64-byte aligned, as 5.2.10 requires; nothing in it is used
 *         (no S4BIOS, no global lock contention: one OS, no firmware).
 *   DSDT  hand-assembled AML (20.2): \_SB with one processor device
 *         (ACPI0007) per vCPU whose _UID is the MADT's processor UID,
 *         with PCI the host bridge PCI0 (acpi_pci.c), and \_S5, the
 *         SLP_TYP devices/acpi_pm.c takes for soft off.
 *   FADT  revision 6: the PM1a event and control blocks and the PM
 *         timer at ACPI_PM_BASE, SCI on IRQ 9, the reset register at
 *         port 0xCF9, IAPC_BOOT_ARCH saying legacy devices and an 8042
 *         exist (the PIC, PIT, RTC and i8042 are there) and VGA does
 *         not.  Not HW_REDUCED_ACPI: the fixed hardware exists.  No
 *         SMI_CMD: the machine is always in ACPI mode (SCI_EN reads 1).
 *   MADT  the local APIC address, PCAT_COMPAT (there is a pair of
 *         8259s), one enabled processor local APIC per vCPU, the I/O
 *         APIC (GSI base 0) when the machine has one, the interrupt
 *         source overrides of QEMU's pc machine that apply here (ISA
 *         IRQ 0 -> GSI 2, edge; the SCI, IRQ 9 -> GSI 9, level, active
 *         high), and LINT1 as NMI on every processor.
 *   MCFG  with PCI: the ECAM window (acpi_pci.c, which also writes
 *         the PCI0 host bridge into the DSDT's \_SB).
 *   XSDT, RSDT  point to the FADT, the MADT and the MCFG.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "acpi.h"
#include "acpi_aml.h"
#include "loaders/loaders.h"

#define SZ_4G			0x100000000ULL

/* RSDP, 5.2.5.3 */
#define RSDP_LEN		36
#define RSDP_V1_LEN		20
#define RSDP_REVISION		2

/* FACS, 5.2.10 */
#define FACS_LEN		64
#define FACS_VERSION		2

/* FADT, 5.2.9: revision 6, minor 5 (ACPI 6.5), 276 bytes */
#define FADT_LEN		276
#define FADT_REVISION		6
#define FADT_MINOR		5
#define FADT_FIRMWARE_CTRL	36
#define FADT_DSDT		40
#define FADT_SCI_INT		46
#define FADT_PM1A_EVT_BLK	56
#define FADT_PM1A_CNT_BLK	64
#define FADT_PM_TMR_BLK		76
#define FADT_PM1_EVT_LEN	88
#define FADT_PM1_CNT_LEN	89
#define FADT_PM_TMR_LEN		91
#define FADT_P_LVL2_LAT		96
#define FADT_P_LVL3_LAT		98
#define FADT_CENTURY		108
#define FADT_IAPC_BOOT_ARCH	109
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_MINOR_VERSION	131
#define FADT_X_DSDT		140
#define FADT_X_PM1A_EVT_BLK	148
#define FADT_X_PM1A_CNT_BLK	172
#define FADT_X_PM_TMR_BLK	208
#define FADT_HYPERVISOR_ID	268
/* no C2/C3: latencies above 100 and 1000 us say so (5.2.9) */
#define P_LVL2_NONE		101
#define P_LVL3_NONE		1001
/* the RTC's century byte (devices/rtc.c) */
#define RTC_CENTURY_INDEX	0x32
/* IAPC_BOOT_ARCH, 5.2.9.3 */
#define BOOT_ARCH_LEGACY_DEVICES	0x0001
#define BOOT_ARCH_8042			0x0002
#define BOOT_ARCH_VGA_NOT_PRESENT	0x0004
/* fixed feature flags, 5.2.9 */
#define FADT_WBINVD		0x0001u
#define FADT_PROC_C1		0x0004u
#define FADT_PWR_BUTTON		0x0010u	/* no fixed power button */
#define FADT_SLP_BUTTON		0x0020u	/* no fixed sleep button */
#define FADT_TMR_VAL_EXT	0x0100u	/* 32-bit PM timer */
#define FADT_RESET_REG_SUP	0x0400u

/* generic address structure, 5.2.3.2 */
#define GAS_LEN			12
#define GAS_SYSTEM_IO		1
#define GAS_ACCESS_BYTE		1
#define GAS_ACCESS_WORD		2
#define GAS_ACCESS_DWORD	3

/* MADT, 5.2.12 */
#define MADT_FIXED_LEN		44
#define MADT_REVISION		5
#define MADT_PCAT_COMPAT	1u
#define MADT_LAPIC		0
#define MADT_LAPIC_LEN		8
#define MADT_LAPIC_ENABLED	1u
#define MADT_IOAPIC		1
#define MADT_IOAPIC_LEN		12
#define MADT_ISO		2
#define MADT_ISO_LEN		10
#define MADT_LAPIC_NMI		4
#define MADT_LAPIC_NMI_LEN	6
#define MADT_ALL_PROCESSORS	0xff
/* MPS INTI flags, 5.2.12.5 */
#define INTI_ACTIVE_HIGH	0x0001
#define INTI_EDGE		0x0004
#define INTI_LEVEL		0x000c
#define ISA_BUS			0

/* the DSDT: ACPI 2.0+ so that integers are 64 bits (5.2.11.1) */
#define DSDT_REVISION		2

/*
 * Device (Cxxx) { Name (_HID, "ACPI0007") Name (_UID, id) }: the
 * processor device of 8.4 (Processor () objects are deprecated since
 * ACPI 6.0); Linux's processor driver pairs it with the MADT entry of
 * the same UID.
 */
static void aml_cpu(struct acpi_out *o, unsigned int id)
{
	static const char hex[] = "0123456789ABCDEF";
	char seg[4] = { 'C', hex[(id >> 8) & 0xf], hex[(id >> 4) & 0xf], hex[id & 0xf] };
	uint64_t pkg;

	aml_byte(o, AML_EXT_PREFIX);
	aml_byte(o, AML_DEVICE);
	pkg = aml_open(o);
	aml_bytes(o, seg, 4);
	aml_name_string(o, "_HID", "ACPI0007");
	aml_name_integer(o, "_UID", id);
	aml_close(o, pkg);
}

/*
 * \_S5 (7.4, "\_Sx (System States)"): Package { PM1a SLP_TYP, PM1b SLP_TYP, reserved,
 * reserved }.  The only sleeping state the machine has besides S0.
 */
static void aml_s5(struct acpi_out *o)
{
	uint64_t pkg;

	aml_byte(o, AML_NAME);
	aml_bytes(o, "_S5_", 4);
	aml_byte(o, AML_PACKAGE);
	pkg = aml_open(o);
	aml_byte(o, 4);			/* NumElements */
	aml_integer(o, ACPI_SLP_TYP_S5);
	aml_integer(o, ACPI_SLP_TYP_S5);
	aml_integer(o, 0);
	aml_integer(o, 0);
	aml_close(o, pkg);
}

static uint64_t build_dsdt(struct acpi_out *o, const struct vmon_acpi_config *cfg)
{
	uint64_t at = out_take(o, SDT_HEADER_LEN, 16), pkg;
	unsigned int i;

	aml_byte(o, AML_SCOPE);
	pkg = aml_open(o);
	aml_byte(o, AML_ROOT_CHAR);
	aml_bytes(o, "_SB_", 4);
	for (i = 0; i < cfg->nr_cpus; i++)
		aml_cpu(o, i);
	if (cfg->pci)
		acpi_aml_pci_root(o);
	aml_close(o, pkg);
	aml_s5(o);
	if (o->overflow)
		return 0;
	sdt_header(o->mem + at, "DSDT", (uint32_t)(o->pos - at), DSDT_REVISION, "DSDT");
	sdt_finish(o->mem + at);
	return at;
}

static uint64_t build_facs(struct acpi_out *o)
{
	uint64_t at = out_take(o, FACS_LEN, 64);
	uint8_t *t = o->mem + at;

	if (!at)
		return 0;
	memcpy(t, "FACS", 4);
	put_le32(t + 4, FACS_LEN);
	t[32] = FACS_VERSION;
	return at;
}

static void put_gas_io(uint8_t *g, uint16_t port, unsigned int bytes, uint8_t access)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = (uint8_t)(8 * bytes);	/* bit width */
	g[2] = 0;			/* bit offset */
	g[3] = access;
	put_le64(g + 4, port);
}

static uint64_t build_fadt(struct acpi_out *o, uint64_t facs, uint64_t dsdt)
{
	uint64_t at = out_take(o, FADT_LEN, 16);
	uint8_t *t = o->mem + at;

	if (!at)
		return 0;
	sdt_header(t, "FACP", FADT_LEN, FADT_REVISION, "FACP");
	/*
	 * The FACS in the 32-bit field only: X_FIRMWARE_CTRL must be zero
	 * when FIRMWARE_CTRL is not (5.2.9), or Linux installs it twice.
	 * The DSDT in both, as an ACPI 1.0 reader needs the 32-bit one.
	 */
	put_le32(t + FADT_FIRMWARE_CTRL, (uint32_t)facs);
	put_le32(t + FADT_DSDT, (uint32_t)dsdt);
	put_le64(t + FADT_X_DSDT, dsdt);
	put_le16(t + FADT_SCI_INT, ACPI_SCI_IRQ);
	/* SMI_CMD, ACPI_ENABLE, ACPI_DISABLE stay 0: no legacy mode */
	put_le32(t + FADT_PM1A_EVT_BLK, ACPI_PM1_EVT_BLK);
	put_le32(t + FADT_PM1A_CNT_BLK, ACPI_PM1_CNT_BLK);
	put_le32(t + FADT_PM_TMR_BLK, ACPI_PM_TMR_BLK);
	t[FADT_PM1_EVT_LEN] = ACPI_PM1_EVT_LEN;
	t[FADT_PM1_CNT_LEN] = ACPI_PM1_CNT_LEN;
	t[FADT_PM_TMR_LEN] = ACPI_PM_TMR_LEN;
	/* the event block is two 16-bit registers: word accesses */
	put_gas_io(t + FADT_X_PM1A_EVT_BLK, ACPI_PM1_EVT_BLK, ACPI_PM1_EVT_LEN,
		   GAS_ACCESS_WORD);
	put_gas_io(t + FADT_X_PM1A_CNT_BLK, ACPI_PM1_CNT_BLK, ACPI_PM1_CNT_LEN,
		   GAS_ACCESS_WORD);
	put_gas_io(t + FADT_X_PM_TMR_BLK, ACPI_PM_TMR_BLK, ACPI_PM_TMR_LEN,
		   GAS_ACCESS_DWORD);
	put_le16(t + FADT_P_LVL2_LAT, P_LVL2_NONE);
	put_le16(t + FADT_P_LVL3_LAT, P_LVL3_NONE);
	t[FADT_CENTURY] = RTC_CENTURY_INDEX;
	put_le16(t + FADT_IAPC_BOOT_ARCH, BOOT_ARCH_LEGACY_DEVICES | BOOT_ARCH_8042 |
		 BOOT_ARCH_VGA_NOT_PRESENT);
	put_le32(t + FADT_FLAGS, FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON |
		 FADT_SLP_BUTTON | FADT_TMR_VAL_EXT | FADT_RESET_REG_SUP);
	put_gas_io(t + FADT_RESET_REG, ACPI_RESET_PORT, 1, GAS_ACCESS_BYTE);
	t[FADT_RESET_VALUE] = ACPI_RESET_VALUE;
	t[FADT_MINOR_VERSION] = FADT_MINOR;
	memcpy(t + FADT_HYPERVISOR_ID, "VMON\0\0\0\0", 8);
	sdt_finish(t);
	return at;
}

static uint8_t *madt_entry(struct acpi_out *o, uint8_t type, uint8_t len)
{
	uint64_t at = out_take(o, len, 1);

	if (!at)
		return NULL;
	memset(o->mem + at, 0, len);
	o->mem[at] = type;
	o->mem[at + 1] = len;
	return o->mem + at;
}

static void madt_iso(struct acpi_out *o, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	uint8_t *e = madt_entry(o, MADT_ISO, MADT_ISO_LEN);

	if (!e)
		return;
	e[2] = ISA_BUS;
	e[3] = irq;
	put_le32(e + 4, gsi);
	put_le16(e + 8, flags);
}

static uint64_t build_madt(struct acpi_out *o, const struct vmon_acpi_config *cfg)
{
	uint64_t at = out_take(o, MADT_FIXED_LEN, 16);
	unsigned int i;
	uint8_t *e;

	for (i = 0; i < cfg->nr_cpus; i++) {
		e = madt_entry(o, MADT_LAPIC, MADT_LAPIC_LEN);
		if (!e)
			break;
		e[2] = (uint8_t)i;	/* ACPI processor UID: the DSDT's _UID */
		e[3] = (uint8_t)i;	/* APIC ID: the vCPU id */
		put_le32(e + 4, MADT_LAPIC_ENABLED);
	}
	if (cfg->ioapic_addr) {
		e = madt_entry(o, MADT_IOAPIC, MADT_IOAPIC_LEN);
		if (e) {
			e[2] = cfg->ioapic_id;
			put_le32(e + 4, cfg->ioapic_addr);
			put_le32(e + 8, 0);	/* GSI base: pins 0-23 are GSIs 0-23 */
		}
		/*
		 * The PIT drives pin 2 of the I/O APIC (pin 0 is the 8259's
		 * INTR, as in the MP spec's virtual wire configuration), and
		 * the SCI is a level (5.2.9, SCI_INT: "sharable, level").
		 */
		madt_iso(o, 0, 2, INTI_ACTIVE_HIGH | INTI_EDGE);
		madt_iso(o, ACPI_SCI_IRQ, ACPI_SCI_IRQ, INTI_ACTIVE_HIGH | INTI_LEVEL);
	}
	/* LINT1 is wired to NMI on every processor, as on a PC */
	e = madt_entry(o, MADT_LAPIC_NMI, MADT_LAPIC_NMI_LEN);
	if (e) {
		e[2] = MADT_ALL_PROCESSORS;
		put_le16(e + 3, INTI_ACTIVE_HIGH | INTI_EDGE);
		e[5] = 1;		/* LINT1 */
	}
	if (o->overflow)
		return 0;
	sdt_header(o->mem + at, "APIC", (uint32_t)(o->pos - at), MADT_REVISION, "APIC");
	put_le32(o->mem + at + 36, cfg->lapic_addr);
	put_le32(o->mem + at + 40, MADT_PCAT_COMPAT);
	sdt_finish(o->mem + at);
	return at;
}

/* RSDT (32-bit entries) or XSDT (64-bit) listing the tables */
static uint64_t build_sdt_list(struct acpi_out *o, const char *sig, unsigned int entry,
			       const uint64_t *tables, unsigned int n)
{
	uint32_t len = SDT_HEADER_LEN + entry * n;
	uint64_t at = out_take(o, len, 16);
	unsigned int i;

	if (!at)
		return 0;
	sdt_header(o->mem + at, sig, len, 1, sig);
	for (i = 0; i < n; i++) {
		uint8_t *p = o->mem + at + SDT_HEADER_LEN + i * entry;

		if (entry == 8)
			put_le64(p, tables[i]);
		else
			put_le32(p, (uint32_t)tables[i]);
	}
	sdt_finish(o->mem + at);
	return at;
}

static void build_rsdp(uint8_t *p, uint64_t rsdt, uint64_t xsdt)
{
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, OEM_ID, 6);
	p[15] = RSDP_REVISION;
	put_le32(p + 16, (uint32_t)rsdt);
	put_le32(p + 20, RSDP_LEN);
	put_le64(p + 24, xsdt);
	p[8] = acpi_checksum(p, RSDP_V1_LEN);	/* the ACPI 1.0 part */
	p[32] = acpi_checksum(p, RSDP_LEN);		/* the whole structure */
}

static int check_config(uint64_t mem_size, const struct vmon_acpi_config *cfg)
{
	uint64_t end = cfg->region_gpa + cfg->region_size;

	if (!cfg->nr_cpus || cfg->nr_cpus > ACPI_MAX_CPUS)
		return -EINVAL;
	/* 0 is no place: out_take() says 0 for "did not fit" */
	if (!cfg->region_gpa || cfg->region_gpa & 15 || end < cfg->region_gpa ||
	    end > mem_size || end > SZ_4G)
		return -EINVAL;
	/* 82093AA datasheet 3.2.1: IOAPICID is bits 27:24 */
	if (cfg->ioapic_addr && cfg->ioapic_id > 15)
		return -EINVAL;
	return 0;
}

int vmon_acpi_build(void *mem, uint64_t mem_size, const struct vmon_acpi_config *cfg,
		    uint64_t *rsdp_gpa)
{
	struct acpi_out o = {
		.mem = mem, .pos = cfg->region_gpa,
		.end = cfg->region_gpa + cfg->region_size,
	};
	uint64_t rsdp, facs, dsdt, tables[3], rsdt, xsdt;
	unsigned int n = 2;
	int ret = check_config(mem_size, cfg);

	if (ret)
		return ret;
	memset(o.mem + o.pos, 0, cfg->region_size);
	rsdp = out_take(&o, RSDP_LEN, 16);
	facs = build_facs(&o);
	dsdt = build_dsdt(&o, cfg);
	tables[0] = build_fadt(&o, facs, dsdt);
	tables[1] = build_madt(&o, cfg);
	if (cfg->pci)
		tables[n++] = acpi_build_mcfg(&o);
	xsdt = build_sdt_list(&o, "XSDT", 8, tables, n);
	rsdt = build_sdt_list(&o, "RSDT", 4, tables, n);
	if (o.overflow)
		return -ENOSPC;
	build_rsdp(o.mem + rsdp, rsdt, xsdt);
	*rsdp_gpa = rsdp;
	return 0;
}
