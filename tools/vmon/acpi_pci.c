// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PCI part of the ACPI tables (devices/pci.h has the machine's
 * side): the host bridge of bus 0 in the DSDT and the MCFG table.
 *
 *   \_SB.PCI0  a PCI Express root bridge (_HID PNP0A08) that older
 *              readers take for a PCI one (_CID PNP0A03): segment 0,
 *              bus 0 (_SEG, _BBN), and _CRS, what it decodes (ACPI 6.5
 *              6.4: address space descriptors it produces): bus 0, the
 *              I/O ports but the configuration ports 0xCF8-0xCFF, which
 *              it consumes itself, and the MMIO window of the PCI hole.
 *              _PRT (6.2.13) gives the GSI of INTA#-INTD# of each slot,
 *              as pci_intx_gsi() wires them: no link devices, the I/O
 *              APIC inputs are fixed.
 *   MCFG       the ECAM window of segment 0, bus 0 (PCI Firmware 3.0,
 *              4.1.2); the e820 map reserves it (loaders/kernel_common.c).
 */
#include <string.h>

#include "acpi.h"
#include "acpi_aml.h"
#include "devices/pci.h"
#include "loaders/loaders.h"

/* MCFG, PCI Firmware 3.0 table 4-2 and 4-3 */
#define MCFG_REVISION		1
#define MCFG_ENTRIES		(SDT_HEADER_LEN + 8)
#define MCFG_ENTRY_LEN		16
#define MCFG_LEN		(MCFG_ENTRIES + MCFG_ENTRY_LEN)

/* resource descriptors, ACPI 6.5 6.4.2.5 (I/O port) and 6.4.3.5 (address space) */
#define RES_IO			0x47
#define RES_IO_DECODE16		0x01
#define RES_DWORD_ADDR		0x87
#define RES_DWORD_ADDR_LEN	26
#define RES_WORD_ADDR		0x88
#define RES_WORD_ADDR_LEN	16
#define RES_END_TAG		0x79
#define RES_TYPE_MEMORY		0
#define RES_TYPE_IO		1
#define RES_TYPE_BUS		2
/* general flags: a producer with fixed minimum and maximum, positive decode */
#define RES_MIN_MAX_FIXED	0x0c
#define RES_IO_ENTIRE_RANGE	0x03	/* type-specific flags of I/O: ISA and non-ISA */
#define RES_MEM_READ_WRITE	0x01	/* and not cacheable */

#define CONF1_PORT		0xcf8
#define CONF1_LEN		8
#define PCI_SLOTS_WITH_INTX	(PCI_MAX_SLOTS - 1)	/* slot 0: the host bridge */

/* EisaId ("PNP0A08"): three 5-bit letters and four hex digits (6.1.5) */
static void aml_eisa_id(struct acpi_out *o, const char *id)
{
	uint16_t letters = (uint16_t)((id[0] - '@') << 10 | (id[1] - '@') << 5 | (id[2] - '@'));
	uint8_t b[5] = { AML_DWORD, (uint8_t)(letters >> 8), (uint8_t)letters };
	unsigned int i, digit;

	for (i = 0; i < 4; i++) {
		digit = id[3 + i] <= '9' ? id[3 + i] - '0' : id[3 + i] - 'A' + 10;
		b[3 + i / 2] |= (uint8_t)(digit << (i % 2 ? 0 : 4));
	}
	aml_bytes(o, b, sizeof(b));
}

static void aml_name_eisa_id(struct acpi_out *o, const char *seg, const char *id)
{
	aml_byte(o, AML_NAME);
	aml_bytes(o, seg, 4);
	aml_eisa_id(o, id);
}

/* WordBusNumber or WordIO: [min, max] produced, translation 0 */
static void res_word(uint8_t *r, uint8_t type, uint8_t type_flags, uint16_t min, uint16_t max)
{
	r[0] = RES_WORD_ADDR;
	put_le16(r + 1, RES_WORD_ADDR_LEN - 3);
	r[3] = type;
	r[4] = RES_MIN_MAX_FIXED;
	r[5] = type_flags;
	put_le16(r + 6, 0);			/* granularity */
	put_le16(r + 8, min);
	put_le16(r + 10, max);
	put_le16(r + 12, 0);			/* translation offset */
	put_le16(r + 14, (uint16_t)(max - min + 1));
}

/* DWordMemory: [min, max] produced */
static void res_dword_mem(uint8_t *r, uint32_t min, uint32_t max)
{
	r[0] = RES_DWORD_ADDR;
	put_le16(r + 1, RES_DWORD_ADDR_LEN - 3);
	r[3] = RES_TYPE_MEMORY;
	r[4] = RES_MIN_MAX_FIXED;
	r[5] = RES_MEM_READ_WRITE;
	put_le32(r + 6, 0);
	put_le32(r + 10, min);
	put_le32(r + 14, max);
	put_le32(r + 18, 0);
	put_le32(r + 22, max - min + 1);
}

/* Name (_CRS, ResourceTemplate () { ... }) */
static void aml_pci_crs(struct acpi_out *o)
{
	uint8_t crs[3 * RES_WORD_ADDR_LEN + 8 + RES_DWORD_ADDR_LEN + 2], *r = crs;
	uint64_t pkg;

	res_word(r, RES_TYPE_BUS, 0, 0, 0);
	r += RES_WORD_ADDR_LEN;
	/* IO (Decode16, 0xCF8, 0xCF8, 1, 8): the bridge's own ports */
	r[0] = RES_IO;
	r[1] = RES_IO_DECODE16;
	put_le16(r + 2, CONF1_PORT);
	put_le16(r + 4, CONF1_PORT);
	r[6] = 1;
	r[7] = CONF1_LEN;
	r += 8;
	res_word(r, RES_TYPE_IO, RES_IO_ENTIRE_RANGE, 0, CONF1_PORT - 1);
	r += RES_WORD_ADDR_LEN;
	res_word(r, RES_TYPE_IO, RES_IO_ENTIRE_RANGE, CONF1_PORT + CONF1_LEN, 0xffff);
	r += RES_WORD_ADDR_LEN;
	res_dword_mem(r, (uint32_t)PCI_MMIO_START, (uint32_t)(PCI_MMIO_END - 1));
	r += RES_DWORD_ADDR_LEN;
	r[0] = RES_END_TAG;
	r[1] = 0;				/* checksum 0: treated as valid (6.4.2.9) */

	aml_byte(o, AML_NAME);
	aml_bytes(o, "_CRS", 4);
	aml_byte(o, AML_BUFFER);
	pkg = aml_open(o);
	aml_integer(o, sizeof(crs));
	aml_bytes(o, crs, sizeof(crs));
	aml_close(o, pkg);
}

/*
 * Name (_PRT, Package () { Package () { 0xSSSSFFFF, pin, Zero, gsi },
 * ... }): address with function 0xFFFF (any), pin 0-3 for INTA#-INTD#,
 * source Zero, so the last element is a GSI (6.2.13).
 */
static void aml_pci_prt(struct acpi_out *o)
{
	unsigned int slot, pin;
	uint64_t prt, entry;

	aml_byte(o, AML_NAME);
	aml_bytes(o, "_PRT", 4);
	aml_byte(o, AML_PACKAGE);
	prt = aml_open(o);
	aml_byte(o, 4 * PCI_SLOTS_WITH_INTX);	/* NumElements */
	for (slot = 1; slot < PCI_MAX_SLOTS; slot++) {
		for (pin = 0; pin < 4; pin++) {
			aml_byte(o, AML_PACKAGE);
			entry = aml_open(o);
			aml_byte(o, 4);
			aml_integer(o, (uint64_t)slot << 16 | 0xffff);
			aml_integer(o, pin);
			aml_integer(o, 0);
			aml_integer(o, pci_intx_gsi(slot, pin));
			aml_close(o, entry);
		}
	}
	aml_close(o, prt);
}

void acpi_aml_pci_root(struct acpi_out *o)
{
	uint64_t pkg;

	aml_byte(o, AML_EXT_PREFIX);
	aml_byte(o, AML_DEVICE);
	pkg = aml_open(o);
	aml_bytes(o, "PCI0", 4);
	aml_name_eisa_id(o, "_HID", "PNP0A08");
	aml_name_eisa_id(o, "_CID", "PNP0A03");
	aml_name_integer(o, "_SEG", 0);
	aml_name_integer(o, "_BBN", 0);
	aml_name_integer(o, "_UID", 0);
	aml_pci_crs(o);
	aml_pci_prt(o);
	aml_close(o, pkg);
}

uint64_t acpi_build_mcfg(struct acpi_out *o)
{
	uint64_t at = out_take(o, MCFG_LEN, 16);
	uint8_t *t = o->mem + at, *e = t + MCFG_ENTRIES;

	if (!at)
		return 0;
	sdt_header(t, "MCFG", MCFG_LEN, MCFG_REVISION, "MCFG");
	memset(t + SDT_HEADER_LEN, 0, 8);	/* reserved */
	put_le64(e, PCI_ECAM_BASE);
	put_le16(e + 8, 0);			/* PCI segment group */
	e[10] = 0;				/* start bus */
	e[11] = (uint8_t)(PCI_ECAM_SIZE >> 20) - 1;	/* end bus: 1 MiB per bus */
	memset(e + 12, 0, 4);
	sdt_finish(t);
	return at;
}
