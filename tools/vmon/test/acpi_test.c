// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the ACPI tables (acpi.c): the RSDP and its two
 * checksums, the RSDT and XSDT, every table's checksum and length, the
 * FADT's fields, every MADT entry, the DSDT's AML byte for byte, the
 * refusals of a bad configuration, the PCI host bridge and the MCFG
 * table (acpi_pci.c), and, when Debian's acpica-tools are
 * installed, a round trip through iasl: each table disassembled, and the
 * DSDT compiled back to the same AML.
 */
#include <errno.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "acpi.h"
#include "loaders/loaders.h"
#include "test_util.h"

#define MEM_SIZE	(2ULL << 20)

static uint8_t *mem;

static uint8_t sum(const uint8_t *p, uint64_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

static struct vmon_acpi_config config(unsigned int cpus, bool ioapic)
{
	return (struct vmon_acpi_config){
		.nr_cpus = cpus,
		.region_gpa = ACPI_TABLES_GPA,
		.region_size = ACPI_TABLES_SIZE,
		.lapic_addr = ACPI_LAPIC_ADDR,
		.ioapic_addr = ioapic ? ACPI_IOAPIC_ADDR : 0,
		.ioapic_id = 0,
	};
}

static uint64_t build_cfg(struct __test_metadata *_metadata, const struct vmon_acpi_config *c)
{
	uint64_t rsdp = 0;

	if (!mem)
		mem = malloc(MEM_SIZE);
	memset(mem, 0xcc, MEM_SIZE);
	EXPECT_EQ(0, vmon_acpi_build(mem, MEM_SIZE, c, &rsdp));
	return rsdp;
}

static uint64_t build(struct __test_metadata *_metadata, unsigned int cpus, bool ioapic)
{
	struct vmon_acpi_config c = config(cpus, ioapic);
	uint64_t rsdp = 0;

	if (!mem)
		mem = malloc(MEM_SIZE);
	memset(mem, 0xcc, MEM_SIZE);
	EXPECT_EQ(0, vmon_acpi_build(mem, MEM_SIZE, &c, &rsdp));
	return rsdp;
}

/* a table's checksum, and that it lies inside the region */
static void check_table(struct __test_metadata *_metadata, uint64_t at, const char *sig)
{
	uint32_t len;

	ASSERT_LE(ACPI_TABLES_GPA, at);
	ASSERT_GT(ACPI_TABLES_GPA + ACPI_TABLES_SIZE, at + 36);
	EXPECT_EQ(0, memcmp(mem + at, sig, 4));
	len = get_le32(mem + at + 4);
	EXPECT_LE(at + len, ACPI_TABLES_GPA + ACPI_TABLES_SIZE);
	EXPECT_EQ(0, sum(mem + at, len));
	EXPECT_EQ(0, memcmp(mem + at + 10, "VMON  ", 6));
}

/* the address of the table with signature sig in the XSDT, 0 if none */
static uint64_t xsdt_find(uint64_t rsdp, const char *sig)
{
	uint64_t xsdt = get_le64(mem + rsdp + 24);
	uint32_t len = get_le32(mem + xsdt + 4), off;

	for (off = 36; off + 8 <= len; off += 8) {
		uint64_t t = get_le64(mem + xsdt + off);

		if (!memcmp(mem + t, sig, 4))
			return t;
	}
	return 0;
}

TEST(rsdp_rsdt_xsdt)
{
	uint64_t rsdp = build(_metadata, 1, false), rsdt, xsdt;

	/* at the region's start, where the BIOS-area scan finds it */
	EXPECT_EQ(ACPI_TABLES_GPA, rsdp);
	EXPECT_EQ(0, rsdp & 15);
	EXPECT_EQ(0, memcmp(mem + rsdp, "RSD PTR ", 8));
	EXPECT_EQ(0, sum(mem + rsdp, 20));		/* ACPI 1.0 checksum */
	EXPECT_EQ(0, sum(mem + rsdp, 36));		/* extended checksum */
	EXPECT_EQ(2, mem[rsdp + 15]);
	EXPECT_EQ(36, get_le32(mem + rsdp + 20));
	EXPECT_EQ(0, memcmp(mem + rsdp + 9, "VMON  ", 6));
	rsdt = get_le32(mem + rsdp + 16);
	xsdt = get_le64(mem + rsdp + 24);
	check_table(_metadata, rsdt, "RSDT");
	check_table(_metadata, xsdt, "XSDT");
	/* both list the FADT and the MADT, in the same order */
	ASSERT_EQ(36 + 2 * 4, get_le32(mem + rsdt + 4));
	ASSERT_EQ(36 + 2 * 8, get_le32(mem + xsdt + 4));
	EXPECT_EQ(get_le32(mem + rsdt + 36), get_le64(mem + xsdt + 36));
	EXPECT_EQ(get_le32(mem + rsdt + 40), get_le64(mem + xsdt + 44));
	check_table(_metadata, get_le64(mem + xsdt + 36), "FACP");
	check_table(_metadata, get_le64(mem + xsdt + 44), "APIC");
	/* the rest of the region is zeroed, memory outside it untouched */
	EXPECT_EQ(0, mem[ACPI_TABLES_GPA + ACPI_TABLES_SIZE - 1]);
	EXPECT_EQ(0xcc, mem[ACPI_TABLES_GPA + ACPI_TABLES_SIZE]);
	EXPECT_EQ(0xcc, mem[ACPI_TABLES_GPA - 1]);
}

/* a GAS in system I/O space: width in bits, access size, port */
static void check_gas(struct __test_metadata *_metadata, const uint8_t *g, unsigned int bits,
		      unsigned int access, uint64_t port)
{
	EXPECT_EQ(1, g[0]);
	EXPECT_EQ(bits, g[1]);
	EXPECT_EQ(0, g[2]);
	EXPECT_EQ(access, g[3]);
	EXPECT_EQ(port, get_le64(g + 4));
}

TEST(fadt_and_facs)
{
	uint64_t rsdp = build(_metadata, 1, false);
	uint64_t fadt = xsdt_find(rsdp, "FACP"), facs, dsdt;
	const uint8_t *f = mem + fadt;

	ASSERT_NE(0, fadt);
	EXPECT_EQ(276, get_le32(f + 4));
	EXPECT_EQ(6, f[8]);				/* revision */
	EXPECT_EQ(5, f[131]);				/* minor: ACPI 6.5 */
	facs = get_le32(f + 36);
	dsdt = get_le32(f + 40);
	EXPECT_EQ(0, get_le64(f + 132));		/* X_FIRMWARE_CTRL: 0 (5.2.9) */
	EXPECT_EQ(dsdt, get_le64(f + 140));		/* X_DSDT */
	check_table(_metadata, dsdt, "DSDT");
	/* FACS: 64-byte aligned, no checksum */
	EXPECT_EQ(0, facs & 63);
	EXPECT_EQ(0, memcmp(mem + facs, "FACS", 4));
	EXPECT_EQ(64, get_le32(mem + facs + 4));
	EXPECT_EQ(2, mem[facs + 32]);

	EXPECT_EQ(9, get_le16(f + 46));			/* SCI_INT */
	EXPECT_EQ(0, get_le32(f + 48));			/* no SMI_CMD: ACPI mode only */
	EXPECT_EQ(0x600, get_le32(f + 56));		/* PM1a_EVT_BLK */
	EXPECT_EQ(0, get_le32(f + 60));			/* no PM1b */
	EXPECT_EQ(0x604, get_le32(f + 64));		/* PM1a_CNT_BLK */
	EXPECT_EQ(0x608, get_le32(f + 76));		/* PM_TMR_BLK */
	EXPECT_EQ(0, get_le32(f + 80));			/* no GPE0 */
	EXPECT_EQ(4, f[88]);
	EXPECT_EQ(2, f[89]);
	EXPECT_EQ(4, f[91]);
	check_gas(_metadata, f + 148, 32, 2, 0x600);
	check_gas(_metadata, f + 172, 16, 2, 0x604);
	check_gas(_metadata, f + 208, 32, 3, 0x608);
	EXPECT_LT(100, get_le16(f + 96));		/* no C2 */
	EXPECT_LT(1000, get_le16(f + 98));		/* no C3 */
	EXPECT_EQ(0x32, f[108]);			/* RTC century byte */
	/* legacy devices, 8042, no VGA; MSI allowed */
	EXPECT_EQ(0x0007, get_le16(f + 109));
	/* WBINVD, C1, no fixed buttons, 32-bit timer, reset register; not HW-reduced */
	EXPECT_EQ(0x535, get_le32(f + 112));
	check_gas(_metadata, f + 116, 8, 1, 0xcf9);
	EXPECT_EQ(6, f[128]);				/* RESET_VALUE */
}

/* walk the MADT's entries, checking each one's length adds up */
TEST(madt_every_entry)
{
	uint64_t rsdp = build(_metadata, 4, true), madt = xsdt_find(rsdp, "APIC");
	const uint8_t *t = mem + madt, *e;
	uint32_t len = get_le32(t + 4), off;
	unsigned int lapics = 0, iso = 0, ioapics = 0, nmis = 0;

	ASSERT_NE(0, madt);
	EXPECT_EQ(0xfee00000, get_le32(t + 36));
	EXPECT_EQ(1, get_le32(t + 40));			/* PCAT_COMPAT */
	EXPECT_EQ(44 + 4 * 8 + 12 + 2 * 10 + 6, len);
	for (off = 44; off < len; off += e[1]) {
		e = t + off;
		ASSERT_LE(2, e[1]);
		switch (e[0]) {
		case 0:		/* processor local APIC: UID = APIC ID = vCPU, enabled */
			EXPECT_EQ(8, e[1]);
			EXPECT_EQ(lapics, e[2]);
			EXPECT_EQ(lapics, e[3]);
			EXPECT_EQ(1, get_le32(e + 4));
			lapics++;
			break;
		case 1:		/* I/O APIC */
			EXPECT_EQ(12, e[1]);
			EXPECT_EQ(0, e[2]);			/* ID 0, as QEMU's */
			EXPECT_EQ(0, e[3]);
			EXPECT_EQ(0xfec00000, get_le32(e + 4));
			EXPECT_EQ(0, get_le32(e + 8));		/* GSI base */
			ioapics++;
			break;
		case 2:		/* interrupt source overrides */
			EXPECT_EQ(10, e[1]);
			EXPECT_EQ(0, e[2]);			/* ISA */
			if (iso == 0) {
				EXPECT_EQ(0, e[3]);		/* IRQ 0 -> GSI 2 */
				EXPECT_EQ(2, get_le32(e + 4));
				EXPECT_EQ(0x5, get_le16(e + 8));	/* edge, high */
			} else {
				EXPECT_EQ(9, e[3]);		/* SCI: IRQ 9 -> GSI 9 */
				EXPECT_EQ(9, get_le32(e + 4));
				EXPECT_EQ(0xd, get_le16(e + 8));	/* level, high */
			}
			iso++;
			break;
		case 4:		/* local APIC NMI: LINT1 of all processors */
			EXPECT_EQ(6, e[1]);
			EXPECT_EQ(0xff, e[2]);
			EXPECT_EQ(0x5, get_le16(e + 3));
			EXPECT_EQ(1, e[5]);
			nmis++;
			break;
		default:
			TH_LOG("unexpected MADT entry type %u", e[0]);
			EXPECT_TRUE(false);
		}
	}
	EXPECT_EQ(len, off);
	EXPECT_EQ(4, lapics);
	EXPECT_EQ(1, ioapics);
	EXPECT_EQ(2, iso);
	EXPECT_EQ(1, nmis);
}

/* without an I/O APIC: the processors and LINT1 only, no overrides */
TEST(madt_without_ioapic)
{
	uint64_t rsdp = build(_metadata, 1, false), madt = xsdt_find(rsdp, "APIC");
	const uint8_t *t = mem + madt;

	ASSERT_EQ(44 + 8 + 6, get_le32(t + 4));
	EXPECT_EQ(0, t[44]);
	EXPECT_EQ(4, t[52]);
}

/* the DSDT of one vCPU, byte for byte (ACPI 6.5 20.2) */
TEST(dsdt_aml_one_cpu)
{
	static const uint8_t aml[] = {
		0x10, 0x22, '\\', '_', 'S', 'B', '_',		/* Scope (\_SB) */
		0x5b, 0x82, 0x1a, 'C', '0', '0', '0',		/* Device (C000) */
		0x08, '_', 'H', 'I', 'D', 0x0d, 'A', 'C', 'P', 'I', '0', '0', '0', '7', 0,
		0x08, '_', 'U', 'I', 'D', 0x00,			/* _UID Zero */
		0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,	/* Name (_S5, Package (4) */
		0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00,		/* { 5, 5, 0, 0 }) */
	};
	uint64_t rsdp = build(_metadata, 1, false);
	uint64_t dsdt = get_le32(mem + xsdt_find(rsdp, "FACP") + 40);

	ASSERT_EQ(36 + sizeof(aml), get_le32(mem + dsdt + 4));
	EXPECT_EQ(2, mem[dsdt + 8]);			/* revision 2: 64-bit integers */
	EXPECT_EQ(0, memcmp(mem + dsdt + 36, aml, sizeof(aml)));
}

/* a PkgLength (20.2.4): its value and how many bytes it took */
static uint32_t pkg_length(const uint8_t *p, unsigned int *n)
{
	unsigned int follow = p[0] >> 6, i;
	uint32_t len;

	if (!follow) {
		*n = 1;
		return p[0] & 0x3f;
	}
	len = p[0] & 0x0f;
	for (i = 1; i <= follow; i++)
		len |= (uint32_t)p[i] << (4 + 8 * (i - 1));
	*n = follow + 1;
	return len;
}

/* many vCPUs: multi-byte PkgLengths that end exactly where \_S5 begins */
TEST(dsdt_aml_many_cpus)
{
	uint64_t rsdp = build(_metadata, 200, true);
	uint64_t dsdt = get_le32(mem + xsdt_find(rsdp, "FACP") + 40);
	const uint8_t *a = mem + dsdt + 36, *dev;
	uint32_t len = get_le32(mem + dsdt + 4), scope, dlen;
	unsigned int n, dn, cpus = 0;

	ASSERT_EQ(0x10, a[0]);
	scope = pkg_length(a + 1, &n);
	EXPECT_EQ(3, n);				/* about 5 KiB: 2 bytes follow */
	/* the scope covers the devices, then \_S5 follows, then the table ends */
	EXPECT_EQ(0, memcmp(a + 1 + scope, "\x08_S5_", 5));
	EXPECT_EQ(len, 36 + 1 + scope + 14);
	for (dev = a + 1 + n + 5; dev < a + 1 + scope; dev += 2 + dlen) {
		char name[5];

		ASSERT_EQ(0x5b, dev[0]);
		ASSERT_EQ(0x82, dev[1]);
		dlen = pkg_length(dev + 2, &dn);
		snprintf(name, sizeof(name), "C%03X", cpus);
		EXPECT_EQ(0, memcmp(dev + 2 + dn, name, 4));
		cpus++;
	}
	EXPECT_EQ(a + 1 + scope, dev);
	EXPECT_EQ(200, cpus);
	check_table(_metadata, dsdt, "DSDT");
}

/* bytes needle somewhere in [p, p + len) */
static bool has_bytes(const uint8_t *p, uint32_t len, const void *needle, uint32_t n)
{
	return memmem(p, len, needle, n);
}

/* with PCI: \_SB.PCI0 in the DSDT, the MCFG listed in the XSDT and RSDT */
TEST(pci_root_and_mcfg)
{
	struct vmon_acpi_config c = config(2, true);
	uint64_t rsdp, dsdt, mcfg, rsdt;
	uint32_t len;

	c.pci = true;
	rsdp = build_cfg(_metadata, &c);
	mcfg = xsdt_find(rsdp, "MCFG");
	ASSERT_NE(0, mcfg);
	check_table(_metadata, mcfg, "MCFG");
	EXPECT_EQ(60, get_le32(mem + mcfg + 4));
	EXPECT_EQ(0xf0000000, get_le64(mem + mcfg + 44));
	EXPECT_EQ(0, get_le16(mem + mcfg + 52));	/* segment 0 */
	EXPECT_EQ(0, mem[mcfg + 54]);			/* buses 0-0 */
	EXPECT_EQ(0, mem[mcfg + 55]);
	rsdt = get_le32(mem + rsdp + 16);
	ASSERT_EQ(36 + 3 * 4, get_le32(mem + rsdt + 4));
	EXPECT_EQ(mcfg, get_le32(mem + rsdt + 36 + 8));

	dsdt = get_le32(mem + xsdt_find(rsdp, "FACP") + 40);
	len = get_le32(mem + dsdt + 4);
	check_table(_metadata, dsdt, "DSDT");
	EXPECT_TRUE(has_bytes(mem + dsdt, len, "\x5b\x82", 2));
	/* _HID EisaId ("PNP0A08"), _CID EisaId ("PNP0A03") */
	EXPECT_TRUE(has_bytes(mem + dsdt, len, "_HID\x0c\x41\xd0\x0a\x08", 9));
	EXPECT_TRUE(has_bytes(mem + dsdt, len, "_CID\x0c\x41\xd0\x0a\x03", 9));
	/* the window of the PCI hole: DWordMemory 0xC0000000-0xEFFFFFFF */
	EXPECT_TRUE(has_bytes(mem + dsdt, len,
			      "\x87\x17\x00\x00\x0c\x01\0\0\0\0\0\0\0\xc0\xff\xff\xff\xef", 18));
	/* _PRT: slot 1 INTA# on GSI 17, slot 31 INTD# on GSI 16 + (31 + 3) % 8 */
	EXPECT_TRUE(has_bytes(mem + dsdt, len,
			      "\x12\x0b\x04\x0c\xff\xff\x01\x00\x00\x00\x0a\x11", 12));
	EXPECT_TRUE(has_bytes(mem + dsdt, len,
			      "\x12\x0c\x04\x0c\xff\xff\x1f\x00\x0a\x03\x00\x0a\x12", 13));
	/* without PCI: neither */
	c.pci = false;
	rsdp = build_cfg(_metadata, &c);
	EXPECT_EQ(0, xsdt_find(rsdp, "MCFG"));
	dsdt = get_le32(mem + xsdt_find(rsdp, "FACP") + 40);
	EXPECT_FALSE(has_bytes(mem + dsdt, get_le32(mem + dsdt + 4), "PCI0", 4));
}

TEST(bad_configs)
{
	struct vmon_acpi_config c = config(1, true);
	uint64_t rsdp = 0x1234;

	if (!mem)
		mem = malloc(MEM_SIZE);
	memset(mem, 0xcc, MEM_SIZE);
	c.nr_cpus = 0;
	EXPECT_EQ(-EINVAL, vmon_acpi_build(mem, MEM_SIZE, &c, &rsdp));
	c.nr_cpus = ACPI_MAX_CPUS + 1;
	EXPECT_EQ(-EINVAL, vmon_acpi_build(mem, MEM_SIZE, &c, &rsdp));
	c = config(4, true);
	c.ioapic_id = 16;				/* the ID register has 4 bits */
	EXPECT_EQ(-EINVAL, vmon_acpi_build(mem, MEM_SIZE, &c, &rsdp));
	c.ioapic_id = 15;
	c.region_gpa = 0;				/* and 0 is no place for tables */
	EXPECT_EQ(-EINVAL, vmon_acpi_build(mem, MEM_SIZE, &c, &rsdp));
	c = config(1, false);
	c.region_gpa += 8;				/* RSDP must be 16-byte aligned */
	EXPECT_EQ(-EINVAL, vmon_acpi_build(mem, MEM_SIZE, &c, &rsdp));
	c = config(1, false);
	c.region_gpa = MEM_SIZE - 0x1000;		/* runs past guest memory */
	EXPECT_EQ(-EINVAL, vmon_acpi_build(mem, MEM_SIZE, &c, &rsdp));
	c.region_gpa = 1ULL << 32;			/* above 4 GiB */
	EXPECT_EQ(-EINVAL, vmon_acpi_build(mem, 8ULL << 32, &c, &rsdp));
	c = config(1, false);
	c.region_size = ~0ULL;				/* wraps */
	EXPECT_EQ(-EINVAL, vmon_acpi_build(mem, MEM_SIZE, &c, &rsdp));
	EXPECT_EQ(0x1234, rsdp);
	/* too small a region: -ENOSPC, and nothing written past it or at 0 */
	c = config(ACPI_MAX_CPUS, true);
	c.region_size = 0x400;
	EXPECT_EQ(-ENOSPC, vmon_acpi_build(mem, MEM_SIZE, &c, &rsdp));
	EXPECT_EQ(0xcc, mem[ACPI_TABLES_GPA + 0x400]);
	EXPECT_EQ(0xcc, mem[0]);
	EXPECT_EQ(0x1234, rsdp);
	/* the most vCPUs fit in the 64 KiB vmon gives */
	c.region_size = ACPI_TABLES_SIZE;
	EXPECT_EQ(0, vmon_acpi_build(mem, MEM_SIZE, &c, &rsdp));
}

/* iasl (Debian's acpica-tools), if installed: the tables disassemble */
static bool have_iasl(void)
{
	return !system("iasl -v >/dev/null 2>&1");
}

static void write_table(const char *dir, const char *name, uint64_t at, uint32_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "w");
	fwrite(mem + at, 1, len, f);
	fclose(f);
}

/* grep -F needle dir/name.dsl */
static bool dsl_has(const char *dir, const char *name, const char *needle)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "grep -qF -- '%s' %s/%s.dsl", needle, dir, name);
	return !system(cmd);
}

TEST(iasl_round_trip)
{
	char dir[] = "/tmp/vmon-acpi-test-XXXXXX", cmd[512];
	struct vmon_acpi_config c = config(3, true);
	uint64_t rsdp, fadt, madt, dsdt, facs, mcfg;

	if (!have_iasl())
		SKIP(return, "no iasl: apt-get install acpica-tools (make deps)");
	c.pci = true;
	rsdp = build_cfg(_metadata, &c);
	ASSERT_NE(NULL, mkdtemp(dir));
	fadt = xsdt_find(rsdp, "FACP");
	madt = xsdt_find(rsdp, "APIC");
	dsdt = get_le32(mem + fadt + 40);
	facs = get_le32(mem + fadt + 36);
	write_table(dir, "FACP", fadt, get_le32(mem + fadt + 4));
	write_table(dir, "APIC", madt, get_le32(mem + madt + 4));
	write_table(dir, "DSDT", dsdt, get_le32(mem + dsdt + 4));
	write_table(dir, "FACS", facs, 64);
	mcfg = xsdt_find(rsdp, "MCFG");
	write_table(dir, "MCFG", mcfg, get_le32(mem + mcfg + 4));
	write_table(dir, "XSDT", get_le64(mem + rsdp + 24), 36 + 24);
	/* and not a word of error or warning from the disassembler */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && for t in FACP APIC DSDT FACS MCFG XSDT; do iasl -d $t.dat >iasl-$t.log 2>&1 || exit 1; done && ! grep -qiE 'error|warning' iasl-*.log",
		 dir);
	ASSERT_EQ(0, system(cmd));
	EXPECT_TRUE(dsl_has(dir, "FACP", "Reset Register Supported (V2) : 1"));
	EXPECT_TRUE(dsl_has(dir, "FACP", "8042 Present on ports 60/64 (V2) : 1"));
	EXPECT_TRUE(dsl_has(dir, "FACP", "Hardware Reduced (V5) : 0"));
	EXPECT_TRUE(dsl_has(dir, "FACP", "Address : 0000000000000CF9"));
	EXPECT_TRUE(dsl_has(dir, "APIC", "Local Apic Address : FEE00000"));
	EXPECT_TRUE(dsl_has(dir, "APIC", "[I/O APIC]"));
	EXPECT_TRUE(dsl_has(dir, "APIC", "Interrupt Input LINT : 01"));
	EXPECT_TRUE(dsl_has(dir, "DSDT", "Device (C002)"));
	EXPECT_TRUE(dsl_has(dir, "DSDT", "Name (_S5, Package (0x04)"));
	EXPECT_TRUE(dsl_has(dir, "FACS", "Signature : \"FACS\""));
	EXPECT_TRUE(dsl_has(dir, "DSDT", "Device (PCI0)"));
	EXPECT_TRUE(dsl_has(dir, "DSDT", "Name (_HID, EisaId (\"PNP0A08\")"));
	EXPECT_TRUE(dsl_has(dir, "DSDT", "Name (_CID, EisaId (\"PNP0A03\")"));
	EXPECT_TRUE(dsl_has(dir, "DSDT",
			    "WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,"));
	EXPECT_TRUE(dsl_has(dir, "DSDT", "0x0CF7,             // Range Maximum"));
	EXPECT_TRUE(dsl_has(dir, "DSDT", "0x0D00,             // Range Minimum"));
	EXPECT_TRUE(dsl_has(dir, "DSDT", "0xEFFFFFFF,         // Range Maximum"));
	EXPECT_TRUE(dsl_has(dir, "DSDT", "Name (_PRT, Package (0x7C)"));
	EXPECT_TRUE(dsl_has(dir, "MCFG", "Base Address : 00000000F0000000"));
	/*
	 * and back: iasl compiles the disassembled DSDT to the same AML
	 * (-oa: without the optimizer, which would drop the root prefix of
	 * \\_SB; the header differs: iasl puts its own compiler ID and checksum)
	 */
	snprintf(cmd, sizeof(cmd),
		 "cd %s && iasl -oa -p DSDT2 DSDT.dsl >iasl-compile.log 2>&1 && cmp -s -i 36:36 DSDT.dat DSDT2.aml",
		 dir);
	EXPECT_EQ(0, system(cmd));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	EXPECT_EQ(0, system(cmd));
}

TEST_HARNESS_MAIN
