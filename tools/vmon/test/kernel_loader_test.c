// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the kernel loaders (loaders/kernel*.c) with synthetic
 * images: a bzImage made of a setup header and a marked payload, an ELF64
 * "vmlinux", and multiboot kernels (ELF and a.out kludge), each also
 * damaged in the ways users meet (truncated, wrong magic, too old, too
 * big for --mem, an initrd that does not fit).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>

#include "kselftest_harness.h"
#include "loaders/loaders.h"
#include "test_util.h"

#define MEM_SIZE	(64ULL << 20)
#define PAYLOAD		0x3000
#define SETUP_SECTS	4
#define SETUP_SIZE	((SETUP_SECTS + 1) * 512)

static uint8_t *guest_mem(void)
{
	static uint8_t *mem;

	if (!mem)
		mem = malloc(MEM_SIZE);
	memset(mem, 0xcc, MEM_SIZE);
	return mem;
}

static char *write_file(const void *data, size_t len)
{
	char *p = strdup("/tmp/vmon-kernel-test-XXXXXX");
	int fd = mkstemp(p);

	if (write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
	return p;
}

/* a bzImage: protocol version, xloadflags, init_size as given */
static uint8_t *make_bzimage(size_t *len, uint16_t version, uint16_t xlf, uint32_t init_size)
{
	uint8_t *b = calloc(1, SETUP_SIZE + PAYLOAD);
	size_t i;

	b[0x1f1] = SETUP_SECTS;
	put_le32(b + 0x1f4, PAYLOAD / 16);		/* syssize */
	put_le16(b + 0x1fa, 0xffff);			/* vid_mode: normal */
	put_le16(b + 0x1fe, 0xaa55);
	b[0x200] = 0xeb;				/* jmp over the header */
	b[0x201] = 0x6a;				/* header ends at 0x26c */
	memcpy(b + 0x202, "HdrS", 4);
	put_le16(b + 0x206, version);
	b[0x211] = 0x01;				/* LOADED_HIGH */
	put_le32(b + 0x214, 0x100000);			/* code32_start */
	put_le32(b + 0x22c, 0x7fffffff);		/* initrd_addr_max */
	put_le32(b + 0x230, 0x200000);			/* kernel_alignment */
	b[0x234] = 1;					/* relocatable */
	put_le16(b + 0x236, xlf);
	put_le32(b + 0x238, 2047);			/* cmdline_size */
	put_le64(b + 0x258, 0x1000000);			/* pref_address */
	put_le32(b + 0x260, init_size);
	b[0x1ef] = 0xff;				/* sentinel: must not be copied */
	for (i = 0; i < PAYLOAD; i++)
		b[SETUP_SIZE + i] = (uint8_t)(i * 7 + 1);
	*len = SETUP_SIZE + PAYLOAD;
	return b;
}

/* like make_image(), each byte its offset & 0xff, but in one write */
static char *initrd_of(size_t size)
{
	uint8_t *b = malloc(size);
	char *path;
	size_t i;

	for (i = 0; i < size; i++)
		b[i] = (uint8_t)i;
	path = write_file(b, size);
	free(b);
	return path;
}

/* load, expecting failure with ret; returns the message */
static char *load_err(const char *kernel, const char *initrd, const char *cmdline,
		      uint64_t mem_size, int *ret)
{
	struct kernel_request req = { .kernel = kernel, .initrd = initrd, .cmdline = cmdline };
	struct kernel_boot boot;
	int saved = capture_begin(2);

	*ret = kernel_load(&req, guest_mem(), mem_size, &boot);
	return capture_end(2, saved);
}

TEST(memory_map)
{
	struct boot_mem_range r[BOOT_MEM_MAX_RANGES];

	ASSERT_EQ(6, boot_memory_map(MEM_SIZE, r));
	EXPECT_EQ(0, r[0].addr);
	EXPECT_EQ(0x9fc00, r[0].size);
	EXPECT_EQ(BOOT_MEM_RAM, r[0].type);
	EXPECT_EQ(0x9fc00, r[1].addr);
	EXPECT_EQ(0x400, r[1].size);
	EXPECT_EQ(BOOT_MEM_RESERVED, r[1].type);
	/* the ACPI tables (acpi.h): kept by the OS */
	EXPECT_EQ(0xe0000, r[2].addr);
	EXPECT_EQ(0x10000, r[2].size);
	EXPECT_EQ(BOOT_MEM_ACPI_NVS, r[2].type);
	EXPECT_EQ(4, BOOT_MEM_ACPI_NVS);		/* e820 and multiboot type 4 */
	EXPECT_EQ(0xf0000, r[3].addr);
	EXPECT_EQ(0x10000, r[3].size);
	EXPECT_EQ(BOOT_MEM_RESERVED, r[3].type);
	EXPECT_EQ(0x100000, r[4].addr);
	EXPECT_EQ(MEM_SIZE - 0x100000, r[4].size);
	EXPECT_EQ(BOOT_MEM_RAM, r[4].type);
	/* the ECAM window, which Linux wants reserved */
	EXPECT_EQ(0xf0000000, r[5].addr);
	EXPECT_EQ(0x100000, r[5].size);
	EXPECT_EQ(BOOT_MEM_RESERVED, r[5].type);
	/* no RAM above 1 MiB to report */
	ASSERT_EQ(5, boot_memory_map(0x100000, r));
	EXPECT_EQ(0xf0000000, r[4].addr);
}

/* RAM up to the PCI hole stays below it; the rest continues at 4 GiB */
TEST(memory_map_around_the_pci_hole)
{
	struct boot_mem_range r[BOOT_MEM_MAX_RANGES];

	ASSERT_EQ(6, boot_memory_map(0xc0000000ull, r));
	EXPECT_EQ(0x100000, r[4].addr);
	EXPECT_EQ(0xc0000000ull - 0x100000, r[4].size);
	EXPECT_EQ(0xf0000000, r[5].addr);
	ASSERT_EQ(7, boot_memory_map(4ull << 30, r));
	EXPECT_EQ(0xc0000000ull - 0x100000, r[4].size);
	EXPECT_EQ(BOOT_MEM_RESERVED, r[5].type);
	EXPECT_EQ(1ull << 32, r[6].addr);
	EXPECT_EQ(1ull << 30, r[6].size);
	EXPECT_EQ(BOOT_MEM_RAM, r[6].type);
	/* one page beyond the hole */
	ASSERT_EQ(7, boot_memory_map(0xc0001000ull, r));
	EXPECT_EQ(1ull << 32, r[6].addr);
	EXPECT_EQ(0x1000, r[6].size);
}

TEST(bzimage_zero_page_and_placement)
{
	size_t len;
	uint8_t *img = make_bzimage(&len, 0x020f, 0x1, 0x100000);
	char *kpath = write_file(img, len), *rd = initrd_of(5000);
	struct kernel_request req = {
		.kernel = kpath, .initrd = rd, .cmdline = "console=ttyS0 quiet"
	};
	struct kernel_boot boot;
	uint8_t *mem = guest_mem(), *bp = mem + KERNEL_PARAMS_GPA, *e;
	uint64_t rd_gpa = (MEM_SIZE - 5000) & ~0xfffULL;

	ASSERT_EQ(0, kernel_load(&req, mem, MEM_SIZE, &boot));
	EXPECT_EQ(KERNEL_BZIMAGE, boot.format);
	EXPECT_EQ(0x20f, boot.protocol);
	/* the protected-mode kernel at pref_address, entered at +0x200 in long mode */
	EXPECT_EQ(0, memcmp(mem + 0x1000000, img + SETUP_SIZE, PAYLOAD));
	EXPECT_EQ(0x1000200, boot.entry);
	EXPECT_EQ(VMON_GUEST_LONG, boot.mode);
	EXPECT_EQ(0x10, boot.code_sel);
	EXPECT_EQ(0x18, boot.data_sel);
	EXPECT_EQ(KERNEL_PARAMS_GPA, boot.rsi);
	EXPECT_EQ(KERNEL_TABLES_GPA, boot.tables_gpa);
	EXPECT_LE(1ULL << 32, boot.map_size);
	/* zero page: header copied, loader fields filled, the rest zero */
	EXPECT_EQ(0, bp[0x1ef]);			/* sentinel not copied */
	EXPECT_EQ(0, bp[0]);
	EXPECT_EQ(0, memcmp(bp + 0x202, "HdrS", 4));
	EXPECT_EQ(0x020f, get_le16(bp + 0x206));
	EXPECT_EQ(0xff, bp[0x210]);			/* type_of_loader */
	EXPECT_EQ(1, bp[0x211] & 1);			/* LOADED_HIGH */
	EXPECT_EQ(0x1000000, get_le32(bp + 0x214));	/* code32_start */
	EXPECT_EQ(KERNEL_CMDLINE_GPA, get_le32(bp + 0x228));
	EXPECT_STREQ("console=ttyS0 quiet no_timer_check", (char *)mem + KERNEL_CMDLINE_GPA);
	/* initrd as high as possible, page aligned, bytes intact */
	EXPECT_EQ(rd_gpa, get_le32(bp + 0x218));
	EXPECT_EQ(5000, get_le32(bp + 0x21c));
	EXPECT_EQ(rd_gpa, boot.initrd_gpa);
	EXPECT_EQ(0, mem[rd_gpa]);
	EXPECT_EQ(4999 & 0xff, mem[rd_gpa + 4999]);
	/* e820: 6 entries, RAM from 1 MiB to the end, then the ECAM window */
	EXPECT_EQ(6, bp[0x1e8]);
	EXPECT_EQ(0xf0000000, get_le64(bp + 0x2d0 + 5 * 20));
	EXPECT_EQ(2, get_le32(bp + 0x2d0 + 5 * 20 + 16));
	e = bp + 0x2d0 + 4 * 20;
	EXPECT_EQ(0x100000, get_le64(e));
	EXPECT_EQ(MEM_SIZE - 0x100000, get_le64(e + 8));
	EXPECT_EQ(1, get_le32(e + 16));
	EXPECT_EQ(2, get_le32(bp + 0x2d0 + 20 + 16));	/* EBDA reserved */
	EXPECT_EQ(4, get_le32(bp + 0x2d0 + 2 * 20 + 16));	/* ACPI NVS */
	/* boot_params.acpi_rsdp_addr: where run.c puts the RSDP */
	EXPECT_EQ(0xe0000, get_le64(bp + 0x070));
	unlink(kpath);
	unlink(rd);
}

TEST(bzimage_initrd_below_initrd_addr_max)
{
	size_t len;
	uint8_t *img = make_bzimage(&len, 0x020f, 0x1, 0x100000);
	char *kpath, *rd = initrd_of(8192);
	struct kernel_request req;
	struct kernel_boot boot;
	uint8_t *mem = guest_mem();

	put_le32(img + 0x22c, 0x1ffffff);		/* initrd below 32 MiB */
	kpath = write_file(img, len);
	req = (struct kernel_request){ .kernel = kpath, .initrd = rd };
	ASSERT_EQ(0, kernel_load(&req, mem, MEM_SIZE, &boot));
	EXPECT_EQ(0x2000000 - 8192, boot.initrd_gpa);
	/* no command line: only what vmon adds */
	EXPECT_STREQ("no_timer_check", (char *)mem + KERNEL_CMDLINE_GPA);
	unlink(kpath);
	unlink(rd);
}

TEST(bzimage_errors_name_file_and_remedy)
{
	size_t len;
	uint8_t *img;
	char *kpath, *msg, *rd, big[3000];
	int ret;

	img = make_bzimage(&len, 0x0209, 0x1, 0x100000);
	kpath = write_file(img, len);
	msg = load_err(kpath, NULL, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-ENOEXEC, ret);
	EXPECT_NE(NULL, strstr(msg, "boot protocol 2.09 is too old; vmon needs 2.12"));
	EXPECT_NE(NULL, strstr(msg, kpath));
	unlink(kpath);

	img = make_bzimage(&len, 0x020f, 0, 0x100000);
	kpath = write_file(img, len);
	msg = load_err(kpath, NULL, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-ENOEXEC, ret);
	EXPECT_NE(NULL, strstr(msg, "XLF_KERNEL_64 clear"));
	unlink(kpath);

	img = make_bzimage(&len, 0x020f, 1, 0x100000);
	kpath = write_file(img, len - 16);		/* cut short */
	msg = load_err(kpath, NULL, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-ENOEXEC, ret);
	EXPECT_NE(NULL, strstr(msg, "truncated bzImage"));
	unlink(kpath);
	kpath = write_file(img, 0x230);			/* cut inside the header */
	msg = load_err(kpath, NULL, NULL, MEM_SIZE, &ret);
	EXPECT_NE(NULL, strstr(msg, "truncated bzImage"));
	unlink(kpath);

	img = make_bzimage(&len, 0x020f, 1, 60 << 20);	/* 16 MiB + 60 MiB > 64 MiB */
	kpath = write_file(img, len);
	msg = load_err(kpath, NULL, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-EFBIG, ret);
	EXPECT_NE(NULL, strstr(msg, "needs 76 MiB of memory"));
	EXPECT_NE(NULL, strstr(msg, "raise --mem"));
	unlink(kpath);

	img = make_bzimage(&len, 0x020f, 1, 40 << 20);	/* 8 MiB free above it */
	kpath = write_file(img, len);
	rd = initrd_of(9 << 20);
	msg = load_err(kpath, rd, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-EFBIG, ret);
	EXPECT_NE(NULL, strstr(msg, "(9 MiB) does not fit in guest memory: 8 MiB are free"));
	EXPECT_NE(NULL, strstr(msg, "raise --mem"));
	unlink(rd);

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	msg = load_err(kpath, NULL, big, MEM_SIZE, &ret);
	EXPECT_EQ(-E2BIG, ret);
	EXPECT_NE(NULL, strstr(msg, "has 2999 bytes"));
	EXPECT_NE(NULL, strstr(msg, "takes at most 2047 (shorten --append)"));
	/* a line that fits only without vmon's additions goes without them */
	big[2047 - 5] = 0;
	{
		struct kernel_request req = { .kernel = kpath, .cmdline = big };
		struct kernel_boot boot;
		uint8_t *mem = guest_mem();

		EXPECT_EQ(0, kernel_load(&req, mem, MEM_SIZE, &boot));
		EXPECT_STREQ(big, (char *)mem + KERNEL_CMDLINE_GPA);
	}

	rd = write_file("", 0);
	msg = load_err(kpath, rd, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-EINVAL, ret);
	EXPECT_NE(NULL, strstr(msg, "is empty (build it first, or leave out --initrd)"));
	unlink(rd);

	msg = load_err(kpath, "/nonexistent-initrd", NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-ENOENT, ret);
	EXPECT_NE(NULL, strstr(msg, "cannot open initrd /nonexistent-initrd"));

	msg = load_err(kpath, NULL, NULL, 64 << 10, &ret);
	EXPECT_EQ(-EINVAL, ret);
	EXPECT_NE(NULL, strstr(msg, "--mem 64 KiB: too small for a kernel"));

	unlink(kpath);
}

/* an ELF executable with PT_LOAD segments (paddr, filesz, memsz) */
struct seg {
	uint64_t paddr, filesz, memsz;
};

static uint8_t *make_elf64(size_t *len, uint64_t entry, const struct seg *s, unsigned int n)
{
	size_t off = 0x1000, size = off;
	unsigned int i;
	uint8_t *b;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;

	for (i = 0; i < n; i++)
		size += s[i].filesz;
	b = calloc(1, size);
	eh = (Elf64_Ehdr *)b;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_entry = entry;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = n;
	ph = (Elf64_Phdr *)(b + sizeof(*eh));
	for (i = 0; i < n; i++) {
		ph[i].p_type = PT_LOAD;
		ph[i].p_offset = off;
		ph[i].p_vaddr = 0xffffffff80000000ULL + s[i].paddr;
		ph[i].p_paddr = s[i].paddr;
		ph[i].p_filesz = s[i].filesz;
		ph[i].p_memsz = s[i].memsz;
		memset(b + off, 0x40 + i, s[i].filesz);
		off += s[i].filesz;
	}
	*len = size;
	return b;
}

TEST(vmlinux_segments_and_zero_page)
{
	const struct seg segs[] = { { 0x1000000, 0x2000, 0x2000 }, { 0x1200000, 0x100, 0x3000 } };
	size_t len;
	uint8_t *img = make_elf64(&len, 0x1000000, segs, 2), *mem = guest_mem();
	uint8_t *bp = mem + KERNEL_PARAMS_GPA;
	char *kpath = write_file(img, len), *rd = initrd_of(4096);
	struct kernel_request req = { .kernel = kpath, .initrd = rd, .cmdline = "root=/dev/ram0" };
	struct kernel_boot boot;

	ASSERT_EQ(0, kernel_load(&req, mem, MEM_SIZE, &boot));
	EXPECT_EQ(KERNEL_VMLINUX, boot.format);
	EXPECT_EQ(0x1000000, boot.entry);
	EXPECT_EQ(VMON_GUEST_LONG, boot.mode);
	EXPECT_EQ(0x10, boot.code_sel);
	EXPECT_EQ(KERNEL_PARAMS_GPA, boot.rsi);
	EXPECT_EQ(0x40, mem[0x1000000]);
	EXPECT_EQ(0x40, mem[0x1001fff]);
	EXPECT_EQ(0x41, mem[0x12000ff]);
	EXPECT_EQ(0, mem[0x1200100]);			/* bss zeroed */
	EXPECT_EQ(0, mem[0x1202fff]);
	EXPECT_EQ(0xcc, mem[0x1203000]);		/* and no further */
	EXPECT_EQ(0x1203000, boot.kernel_end);
	EXPECT_EQ(0xaa55, get_le16(bp + 0x1fe));
	EXPECT_EQ(0, memcmp(bp + 0x202, "HdrS", 4));
	EXPECT_EQ(0xff, bp[0x210]);
	EXPECT_EQ(KERNEL_CMDLINE_GPA, get_le32(bp + 0x228));
	EXPECT_STREQ("root=/dev/ram0 no_timer_check", (char *)mem + KERNEL_CMDLINE_GPA);
	EXPECT_EQ(MEM_SIZE - 4096, get_le32(bp + 0x218));
	EXPECT_EQ(4096, get_le32(bp + 0x21c));
	EXPECT_EQ(6, bp[0x1e8]);
	EXPECT_EQ(0xe0000, get_le64(bp + 0x070));	/* acpi_rsdp_addr */
	unlink(kpath);
	unlink(rd);
}

/* what vmon adds to a Linux command line, and what it leaves to the user */
static const char *linux_cmdline_of(const char *cmdline, unsigned int tsc_khz, bool reliable)
{
	static const struct seg segs[] = { { 0x1000000, 0x1000, 0x1000 } };
	static char got[256];
	size_t len;
	uint8_t *img = make_elf64(&len, 0x1000000, segs, 1), *mem = guest_mem();
	char *kpath = write_file(img, len);
	struct kernel_request req = {
		.kernel = kpath, .cmdline = cmdline, .tsc_khz = tsc_khz, .tsc_reliable = reliable
	};
	struct kernel_boot boot;

	got[0] = 0;
	if (!kernel_load(&req, mem, MEM_SIZE, &boot))
		snprintf(got, sizeof(got), "%s", (char *)mem + KERNEL_CMDLINE_GPA);
	unlink(kpath);
	return got;
}

TEST(linux_cmdline_additions)
{
	EXPECT_STREQ("no_timer_check", linux_cmdline_of(NULL, 0, false));
	EXPECT_STREQ("no_timer_check", linux_cmdline_of("", 0, false));
	EXPECT_STREQ("console=ttyS0 no_timer_check tsc_early_khz=2400000 tsc=reliable",
		     linux_cmdline_of("console=ttyS0", 2400000, true));
	EXPECT_STREQ("quiet no_timer_check tsc_early_khz=2400000",
		     linux_cmdline_of("quiet", 2400000, false));
	/* the user's choices win, and nothing is said twice */
	EXPECT_STREQ("no_timer_check tsc=unstable tsc_early_khz=2400000",
		     linux_cmdline_of("no_timer_check tsc=unstable", 2400000, true));
	EXPECT_STREQ("tsc_early_khz=1000 no_timer_check",
		     linux_cmdline_of("tsc_early_khz=1000", 2400000, true));
}

TEST(vmlinux_errors)
{
	const struct seg low[] = { { 0x8000, 0x100, 0x100 } };
	const struct seg high[] = { { 0x3f00000, 0x100, 0x200000 } };
	const struct seg ok[] = { { 0x1000000, 0x100, 0x100 } };
	size_t len;
	uint8_t *img;
	char *kpath, *msg;
	int ret;

	img = make_elf64(&len, 0x3f00000, high, 1);
	kpath = write_file(img, len);
	msg = load_err(kpath, NULL, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-EFBIG, ret);
	EXPECT_NE(NULL, strstr(msg, "segment 0 at 0x3f00000-0x4100000 lies beyond the 64 MiB"));
	EXPECT_NE(NULL, strstr(msg, "of guest memory (raise --mem)"));
	unlink(kpath);

	img = make_elf64(&len, 0x8000, low, 1);
	kpath = write_file(img, len);
	msg = load_err(kpath, NULL, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-EINVAL, ret);
	EXPECT_NE(NULL, strstr(msg, "where vmon keeps its boot data"));
	unlink(kpath);

	img = make_elf64(&len, 0x2000000, ok, 1);
	kpath = write_file(img, len);
	msg = load_err(kpath, NULL, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-ENOEXEC, ret);
	EXPECT_NE(NULL, strstr(msg, "entry point 0x2000000 is outside the loaded segments"));
	unlink(kpath);

	img = make_elf64(&len, 0x1000000, ok, 1);
	kpath = write_file(img, len - 0x80);		/* segment data cut short */
	msg = load_err(kpath, NULL, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-ENOEXEC, ret);
	EXPECT_NE(NULL, strstr(msg, "lies outside the file (truncated"));
	unlink(kpath);
	kpath = write_file(img, 0x50);			/* program headers cut */
	msg = load_err(kpath, NULL, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-ENOEXEC, ret);
	EXPECT_NE(NULL, strstr(msg, "program headers lie outside the file"));
	unlink(kpath);

	/* a 32-bit ELF without a multiboot header */
	img = make_elf64(&len, 0x1000000, ok, 1);
	img[EI_CLASS] = ELFCLASS32;
	put_le16(img + 18, EM_386);
	kpath = write_file(img, len);
	msg = load_err(kpath, NULL, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-ENOEXEC, ret);
	EXPECT_NE(NULL, strstr(msg, "32-bit ELF file without a multiboot header"));
	unlink(kpath);
}

TEST(unknown_empty_and_missing_files)
{
	char *kpath, *msg;
	int ret;

	kpath = make_image(4096);
	msg = load_err(kpath, NULL, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-ENOEXEC, ret);
	EXPECT_NE(NULL, strstr(msg, "is not a format vmon boots: give a Linux bzImage"));
	EXPECT_NE(NULL, strstr(msg, kpath));
	unlink(kpath);

	kpath = write_file("", 0);
	msg = load_err(kpath, NULL, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-ENOEXEC, ret);
	EXPECT_NE(NULL, strstr(msg, "is empty"));
	unlink(kpath);

	msg = load_err("/nonexistent-kernel", NULL, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-ENOENT, ret);
	EXPECT_NE(NULL, strstr(msg, "cannot open kernel /nonexistent-kernel"));
	EXPECT_NE(NULL, strstr(msg, "check the --kernel path"));
}

/* a multiboot header at off: magic, flags, checksum, a.out fields */
static void put_mb_header(uint8_t *b, size_t off, uint32_t flags, const uint32_t *addr)
{
	unsigned int i;

	put_le32(b + off, 0x1badb002);
	put_le32(b + off + 4, flags);
	put_le32(b + off + 8, (uint32_t)-(0x1badb002 + flags));
	for (i = 0; addr && i < 5; i++)
		put_le32(b + off + 12 + 4 * i, addr[i]);
}

/* one PT_LOAD segment of filesz bytes from file offset 0x1000 at paddr */
static uint8_t *make_mb_elf32_at(size_t *len, uint32_t flags, uint32_t paddr,
				 uint32_t filesz, uint32_t memsz)
{
	size_t size = 0x1000 + filesz;
	uint8_t *b = calloc(1, size);
	Elf32_Ehdr *eh = (Elf32_Ehdr *)b;
	Elf32_Phdr *ph = (Elf32_Phdr *)(b + sizeof(*eh));

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_386;
	eh->e_entry = paddr + 0x10;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph->p_type = PT_LOAD;
	ph->p_offset = 0x1000;
	ph->p_paddr = paddr;
	ph->p_vaddr = paddr;
	ph->p_filesz = filesz;
	ph->p_memsz = memsz;
	put_mb_header(b, 0x1000, flags, NULL);
	*len = size;
	return b;
}

static uint8_t *make_mb_elf32(size_t *len, uint32_t flags)
{
	return make_mb_elf32_at(len, flags, 0x100000, 0x1000, 0x1800);
}

TEST(multiboot_elf_info)
{
	size_t len;
	uint8_t *img = make_mb_elf32(&len, 0x3), *mem = guest_mem(), *mbi, *mod, *mm;
	char *kpath = write_file(img, len), *rd = initrd_of(3000);
	struct kernel_request req = { .kernel = kpath, .initrd = rd, .cmdline = "hello world" };
	struct kernel_boot boot;

	ASSERT_EQ(0, kernel_load(&req, mem, MEM_SIZE, &boot));
	EXPECT_EQ(KERNEL_MULTIBOOT, boot.format);
	EXPECT_EQ(VMON_GUEST_PROT, boot.mode);
	EXPECT_EQ(0x100010, boot.entry);
	EXPECT_EQ(0x2badb002, boot.rax);
	EXPECT_EQ(0, boot.code_sel);
	EXPECT_EQ(0x1badb002, get_le32(mem + 0x100000));	/* segment loaded */
	EXPECT_EQ(0, mem[0x1017ff]);				/* bss zeroed */
	mbi = mem + boot.rbx;
	EXPECT_EQ(1 | 4 | 8 | 64 | 512, get_le32(mbi));
	EXPECT_EQ(639, get_le32(mbi + 4));
	EXPECT_EQ((MEM_SIZE >> 10) - 1024, get_le32(mbi + 8));
	EXPECT_STREQ("hello world", (char *)mem + get_le32(mbi + 16));
	EXPECT_EQ(1, get_le32(mbi + 20));
	mod = mem + get_le32(mbi + 24);
	/* the module right above the kernel, page aligned */
	EXPECT_EQ(0x102000, get_le32(mod));
	EXPECT_EQ(0x102000 + 3000, get_le32(mod + 4));
	EXPECT_STREQ(rd, (char *)mem + get_le32(mod + 8));
	EXPECT_EQ(2999 & 0xff, mem[0x102000 + 2999]);
	EXPECT_EQ(6 * 24, get_le32(mbi + 44));
	mm = mem + get_le32(mbi + 48);
	EXPECT_EQ(20, get_le32(mm));
	EXPECT_EQ(0, get_le64(mm + 4));
	EXPECT_EQ(0x9fc00, get_le64(mm + 12));
	EXPECT_EQ(1, get_le32(mm + 20));
	EXPECT_EQ(0xe0000, get_le64(mm + 2 * 24 + 4));
	EXPECT_EQ(4, get_le32(mm + 2 * 24 + 20));		/* ACPI NVS */
	EXPECT_EQ(0x100000, get_le64(mm + 4 * 24 + 4));
	EXPECT_STREQ("vmon", (char *)mem + get_le32(mbi + 64));
	unlink(kpath);
	unlink(rd);
}

TEST(multiboot_aout_kludge)
{
	/* header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr */
	const uint32_t addr[5] = { 0x200040, 0x200000, 0x200400, 0x201000, 0x200100 };
	uint8_t img[0x400], *mem = guest_mem();
	char *kpath;
	struct kernel_request req;
	struct kernel_boot boot;
	size_t i;

	for (i = 0; i < sizeof(img); i++)
		img[i] = (uint8_t)i;
	put_mb_header(img, 0x40, 0x10002, addr);
	kpath = write_file(img, sizeof(img));
	req = (struct kernel_request){ .kernel = kpath };
	ASSERT_EQ(0, kernel_load(&req, mem, MEM_SIZE, &boot));
	EXPECT_EQ(0x200100, boot.entry);
	EXPECT_EQ(0, mem[0x200000]);
	EXPECT_EQ(0x3ff & 0xff, mem[0x2003ff]);
	EXPECT_EQ(0, mem[0x200fff]);			/* bss */
	EXPECT_EQ(0xcc, mem[0x201000]);
	EXPECT_EQ(1 | 4 | 64 | 512, get_le32(mem + boot.rbx));	/* no module */
	EXPECT_EQ(0, mem[get_le32(mem + boot.rbx + 16)]);	/* empty command line */
	unlink(kpath);
}

/* does [a, a + an) overlap [b, b + bn)? */
static bool overlaps(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

/*
 * A kernel linked at 0x1000 and reaching over where vmon used to keep
 * its boot data (0x8000-0x30000): every byte of it survives, and vmon's
 * stack, tables, information and command line lie above it and above
 * the module, in RAM above 1 MiB.
 */
TEST(multiboot_kernel_linked_low)
{
	const uint32_t filesz = 0x40000, memsz = 0x48000;
	size_t len, i;
	uint8_t *img = make_mb_elf32_at(&len, 0x3, 0x1000, filesz, memsz), *mem = guest_mem();
	char *kpath, *rd = initrd_of(5000);
	struct kernel_request req = { .kernel = NULL, .initrd = rd, .cmdline = "low kernel" };
	struct kernel_boot boot;
	uint64_t mbi, cmdline, mods, mmap, rd_end;

	for (i = 0x10; i < filesz; i++)		/* after the multiboot header */
		img[0x1000 + i] = (uint8_t)(i * 13 + 5);
	kpath = write_file(img, len);
	req.kernel = kpath;
	ASSERT_EQ(0, kernel_load(&req, mem, MEM_SIZE, &boot));
	EXPECT_EQ(0x1010, boot.entry);
	EXPECT_EQ(0x1000, boot.kernel_start);
	EXPECT_EQ(0x1000 + memsz, boot.kernel_end);
	for (i = 0x10; i < filesz; i++) {
		if (mem[0x1000 + i] != (uint8_t)(i * 13 + 5))
			break;
	}
	EXPECT_EQ(filesz, i) TH_LOG("kernel byte at 0x%zx overwritten", 0x1000 + i);
	EXPECT_EQ(0, mem[0x1000 + memsz - 1]);		/* bss zeroed */

	/* the module: 1 MiB, not in the low RAM the e820 map ends at 0x9fc00 */
	EXPECT_EQ(0x100000, boot.initrd_gpa);
	rd_end = boot.initrd_gpa + boot.initrd_size;
	mbi = boot.rbx;
	cmdline = get_le32(mem + mbi + 16);
	mods = get_le32(mem + mbi + 24);
	mmap = get_le32(mem + mbi + 48);
	EXPECT_STREQ("low kernel", (char *)mem + cmdline);
	EXPECT_EQ(boot.initrd_gpa, get_le32(mem + mods));
	EXPECT_EQ(rd_end, get_le32(mem + mods + 4));
	EXPECT_EQ(4999 & 0xff, mem[rd_end - 1]);
	EXPECT_EQ(0x100000, get_le64(mem + mmap + 4 * 24 + 4));

	/* vmon's data: above kernel and module, inside memory, apart */
	EXPECT_GE(boot.tables_gpa, rd_end);
	EXPECT_EQ(0, boot.tables_gpa & 0xfff);
	EXPECT_GE(boot.stack - 0x1000, boot.tables_gpa + VMON_SETUP_TABLES_SIZE);
	EXPECT_GE(mbi, boot.stack);
	EXPECT_GE(cmdline, mbi + 0x1000);
	EXPECT_LE(cmdline + sizeof("low kernel"), MEM_SIZE);
	EXPECT_FALSE(overlaps(mbi, 0x1000, 0x1000, memsz));
	EXPECT_FALSE(overlaps(boot.tables_gpa, cmdline + 11 - boot.tables_gpa,
			      boot.initrd_gpa, boot.initrd_size));
	unlink(kpath);
	unlink(rd);
}

/* the a.out kludge at 0x1000; page 0 stays refused */
TEST(multiboot_kludge_low_and_page0)
{
	/* header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr */
	uint32_t addr[5] = { 0x1040, 0x1000, 0x1400, 0x2000, 0x1100 };
	uint8_t img[0x400], *mem = guest_mem();
	struct kernel_request req = { .kernel = NULL, .initrd = NULL, .cmdline = "x" };
	struct kernel_boot boot;
	char *kpath, *msg;
	int ret;

	memset(img, 0x5a, sizeof(img));
	put_mb_header(img, 0x40, 0x10002, addr);
	kpath = write_file(img, sizeof(img));
	req.kernel = kpath;
	ASSERT_EQ(0, kernel_load(&req, mem, MEM_SIZE, &boot));
	EXPECT_EQ(0x1100, boot.entry);
	EXPECT_EQ(0x5a, mem[0x13ff]);
	EXPECT_EQ(0, mem[0x1fff]);			/* bss */
	EXPECT_GE(boot.tables_gpa, 0x100000);
	EXPECT_STREQ("x", (char *)mem + get_le32(mem + boot.rbx + 16));
	unlink(kpath);

	addr[0] = 0x840;
	addr[1] = 0x800;
	addr[2] = 0xc00;
	addr[3] = 0xc00;
	addr[4] = 0x900;
	put_mb_header(img, 0x40, 0x10002, addr);
	kpath = write_file(img, sizeof(img));
	msg = load_err(kpath, NULL, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-EINVAL, ret);
	EXPECT_NE(NULL, strstr(msg, "link the kernel at 0x1000 or above"));
	unlink(kpath);
}

/* a kernel in the place of the ACPI tables would be overwritten: refused */
TEST(multiboot_over_acpi_tables)
{
	const uint32_t addr[5] = { 0xd0040, 0xd0000, 0xd0400, 0xe1000, 0xd0100 };
	uint8_t img[0x400] = { 0 };
	char *kpath, *msg;
	int ret;

	put_mb_header(img, 0x40, 0x10002, addr);
	kpath = write_file(img, sizeof(img));
	msg = load_err(kpath, NULL, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-EINVAL, ret);
	EXPECT_NE(NULL, strstr(msg, "over the ACPI tables vmon puts at 0xe0000-0xf0000"));
	unlink(kpath);
}

TEST(multiboot_errors)
{
	size_t len;
	uint8_t *img;
	char *kpath, *msg;
	int ret;

	img = make_mb_elf32(&len, 0x3);
	put_le32(img + 0x1008, 0x12345678);		/* bad checksum */
	kpath = write_file(img, len);
	msg = load_err(kpath, NULL, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-ENOEXEC, ret);
	EXPECT_NE(NULL, strstr(msg, "without a valid multiboot header"));
	unlink(kpath);

	img = make_mb_elf32(&len, 0x8);			/* unknown required flag 3 */
	kpath = write_file(img, len);
	msg = load_err(kpath, NULL, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-ENOEXEC, ret);
	EXPECT_NE(NULL, strstr(msg, "requires features 0x8 that vmon does not know"));
	unlink(kpath);

	img = make_mb_elf32(&len, 0x3);
	put_le32(img + sizeof(Elf32_Ehdr) + 20, 0x200000);	/* p_memsz: bss to 3 MiB */
	kpath = write_file(img, len);
	msg = load_err(kpath, NULL, NULL, 0x200000, &ret);	/* beyond memory */
	EXPECT_EQ(-EFBIG, ret);
	EXPECT_NE(NULL, strstr(msg, "raise --mem"));
	unlink(kpath);

	/* the kernel fits, vmon's data above it does not */
	img = make_mb_elf32_at(&len, 0x3, 0x100000, 0x1000, 0x100000 - 0x4000);
	kpath = write_file(img, len);
	msg = load_err(kpath, NULL, NULL, 0x200000, &ret);
	EXPECT_EQ(-EFBIG, ret);
	EXPECT_NE(NULL, strstr(msg, "vmon's multiboot data goes above the kernel"));
	EXPECT_NE(NULL, strstr(msg, "raise --mem"));
	unlink(kpath);

	/* header past the first 8 KiB: not multiboot, not anything else */
	img = calloc(1, 0x3000);
	put_mb_header(img, 0x2000, 0x3, NULL);
	kpath = write_file(img, 0x3000);
	msg = load_err(kpath, NULL, NULL, MEM_SIZE, &ret);
	EXPECT_EQ(-ENOEXEC, ret);
	EXPECT_NE(NULL, strstr(msg, "is not a format vmon boots"));
	unlink(kpath);
}

TEST_HARNESS_MAIN
