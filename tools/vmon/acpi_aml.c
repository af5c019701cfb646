// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writing ACPI tables and AML (ACPI 6.5 5.2.6, 20.2) straight into guest
 * memory, for acpi.c and acpi_pci.c.
 */
#include <string.h>

#include "acpi_aml.h"
#include "loaders/loaders.h"

/* reserve len bytes, aligned; their guest-physical address, 0 on overflow */
uint64_t out_take(struct acpi_out *o, uint64_t len, uint64_t align)
{
	uint64_t at = (o->pos + align - 1) & ~(align - 1);

	if (o->overflow || at > o->end || len > o->end - at) {
		o->overflow = true;
		return 0;
	}
	o->pos = at + len;
	return at;
}

uint8_t acpi_checksum(const uint8_t *p, uint64_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return (uint8_t)-sum;
}

void sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev, const char *table_id)
{
	memcpy(t, sig, 4);
	put_le32(t + SDT_LENGTH, len);
	t[8] = rev;
	memcpy(t + 10, OEM_ID, 6);
	memcpy(t + 16, "VMON", 4);
	memcpy(t + 20, table_id, 4);	/* OEM table ID: "VMON" + the table */
	put_le32(t + 24, OEM_REVISION);
	memcpy(t + 28, CREATOR_ID, 4);
	put_le32(t + 32, CREATOR_REVISION);
}

void sdt_finish(uint8_t *t)
{
	t[SDT_CHECKSUM] = 0;
	t[SDT_CHECKSUM] = acpi_checksum(t, get_le32(t + SDT_LENGTH));
}

void aml_bytes(struct acpi_out *o, const void *p, uint64_t len)
{
	uint64_t at = out_take(o, len, 1);

	if (at)
		memcpy(o->mem + at, p, len);
}

void aml_byte(struct acpi_out *o, uint8_t b)
{
	aml_bytes(o, &b, 1);
}

/*
 * Open an object with a PkgLength (20.2.4): room for the longest
 * encoding now, the real one when aml_close() knows the length.
 */
uint64_t aml_open(struct acpi_out *o)
{
	return out_take(o, PKG_LEN_MAX, 1);
}

void aml_close(struct acpi_out *o, uint64_t start)
{
	uint64_t body, len;
	unsigned int n, i;

	if (o->overflow)
		return;
	body = o->pos - start - PKG_LEN_MAX;
	/* the length counts its own bytes: 1 byte holds up to 63 */
	for (n = 1; n < PKG_LEN_MAX; n++)
		if (body + n < (n == 1 ? 0x40ULL : 1ULL << (4 + 8 * (n - 1))))
			break;
	len = body + n;
	if (n == 1) {
		o->mem[start] = (uint8_t)len;
	} else {
		o->mem[start] = (uint8_t)((n - 1) << 6 | (len & 0xf));
		for (i = 1; i < n; i++)
			o->mem[start + i] = (uint8_t)(len >> (4 + 8 * (i - 1)));
	}
	memmove(o->mem + start + n, o->mem + start + PKG_LEN_MAX, body);
	o->pos = start + n + body;
}

void aml_integer(struct acpi_out *o, uint64_t v)
{
	uint8_t b[9];
	unsigned int n, i;

	if (v <= AML_ONE) {
		aml_byte(o, v ? AML_ONE : AML_ZERO);
		return;
	}
	/* the shortest of ByteConst, WordConst, DWordConst, QWordConst */
	if (v <= 0xff) {
		b[0] = AML_BYTE;
		n = 1;
	} else if (v <= 0xffff) {
		b[0] = AML_WORD;
		n = 2;
	} else if (v <= 0xffffffff) {
		b[0] = AML_DWORD;
		n = 4;
	} else {
		b[0] = AML_QWORD;
		n = 8;
	}
	for (i = 0; i < n; i++)
		b[1 + i] = (uint8_t)(v >> 8 * i);
	aml_bytes(o, b, 1 + n);
}

/* Name (seg, value) with a 4-character name segment */
void aml_name_string(struct acpi_out *o, const char *seg, const char *s)
{
	aml_byte(o, AML_NAME);
	aml_bytes(o, seg, 4);
	aml_byte(o, AML_STRING);
	aml_bytes(o, s, strlen(s) + 1);
}

void aml_name_integer(struct acpi_out *o, const char *seg, uint64_t v)
{
	aml_byte(o, AML_NAME);
	aml_bytes(o, seg, 4);
	aml_integer(o, v);
}
