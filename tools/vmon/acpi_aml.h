/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The table and AML writers shared by acpi.c and acpi_pci.c: tables go
 * one after the other into a region of guest memory, AML is written
 * where it will be run, each PkgLength patched in once known.
 */
#ifndef VMON_ACPI_AML_H
#define VMON_ACPI_AML_H

#include <stdbool.h>
#include <stdint.h>

/* the system description table header, 5.2.6 */
#define SDT_HEADER_LEN		36
#define SDT_LENGTH		4
#define SDT_CHECKSUM		9
#define OEM_ID			"VMON  "
#define OEM_REVISION		1
#define CREATOR_ID		"VMON"
#define CREATOR_REVISION	1

/* AML encodings, 20.2 */
#define AML_ZERO		0x00
#define AML_ONE			0x01
#define AML_NAME		0x08
#define AML_BYTE		0x0a
#define AML_WORD		0x0b
#define AML_DWORD		0x0c
#define AML_STRING		0x0d
#define AML_QWORD		0x0e
#define AML_SCOPE		0x10
#define AML_BUFFER		0x11
#define AML_PACKAGE		0x12
#define AML_ROOT_CHAR		0x5c
#define AML_EXT_PREFIX		0x5b
#define AML_DEVICE		0x82
#define PKG_LEN_MAX		4	/* bytes of the longest PkgLength */

/* where the tables are being written: [base, end) of guest memory */
struct acpi_out {
	uint8_t *mem;		/* guest memory at guest-physical 0 */
	uint64_t pos, end;	/* guest-physical */
	bool overflow;
};

/* reserve len bytes, aligned; their guest-physical address, 0 on overflow */
uint64_t out_take(struct acpi_out *o, uint64_t len, uint64_t align);
/* the byte that makes len bytes at p sum to 0 */
uint8_t acpi_checksum(const uint8_t *p, uint64_t len);
/* the header of a table (its OEM table ID is "VMON"), and its checksum */
void sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev, const char *table_id);
void sdt_finish(uint8_t *t);

void aml_bytes(struct acpi_out *o, const void *p, uint64_t len);
void aml_byte(struct acpi_out *o, uint8_t b);
/* an object with a PkgLength: open returns what close wants */
uint64_t aml_open(struct acpi_out *o);
void aml_close(struct acpi_out *o, uint64_t start);
/* an Integer in its shortest encoding */
void aml_integer(struct acpi_out *o, uint64_t v);
/* Name (seg, "s"), Name (seg, v), seg a 4-character name segment */
void aml_name_string(struct acpi_out *o, const char *seg, const char *s);
void aml_name_integer(struct acpi_out *o, const char *seg, uint64_t v);

/* acpi_pci.c: Device (PCI0), inside \_SB; the MCFG table, its address */
void acpi_aml_pci_root(struct acpi_out *o);
uint64_t acpi_build_mcfg(struct acpi_out *o);

#endif /* VMON_ACPI_AML_H */
