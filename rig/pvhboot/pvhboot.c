// SPDX-License-Identifier: GPL-2.0-only
/*
 * pvhboot: start an uncompressed Linux vmlinux through its PVH entry
 * point, from a Multiboot (v1) loader such as syslinux's mboot.c32.
 *
 * Why: Bochs interprets every instruction, and a stock bzImage spends
 * about 70 of its 100 seconds to /init decompressing itself.  Booting
 * the vmlinux that rig/extract-vmlinux.sh takes out of the bzImage skips
 * that.  QEMU does the same for "-kernel vmlinux"; this file is the few
 * steps of it that Bochs' BIOS and isolinux cannot do:
 *
 *   1. find the two modules, vmlinux and the initramfs, and move them
 *      above everything the kernel will occupy;
 *   2. copy vmlinux's PT_LOAD segments to their physical addresses and
 *      zero the rest of each segment (.bss);
 *   3. describe the machine in a struct hvm_start_info (version 1: with
 *      the BIOS memory map, so that Linux needs no Xen hypercall) and
 *      jump to the address in the XEN_ELFNOTE_PHYS32_ENTRY note, in
 *      32-bit protected mode with paging off and EBX pointing at it.
 *
 * References: Multiboot Specification 0.6.96 (sections 3.1-3.3); Xen
 * public header arch-x86/hvm/start_info.h (the PVH boot ABI, as Linux's
 * arch/x86/platform/pvh/ implements it); the ELF gABI.
 *
 * Command line ("append" of isolinux.cfg):
 *   mboot.c32 pvhboot.elf KERNEL-ARGS --- vmlinux --- initrd
 */
#include <stdint.h>
#include <stddef.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define MB_BOOTLOADER_MAGIC	0x2badb002
#define MB_INFO_CMDLINE		(1u << 2)
#define MB_INFO_MODS		(1u << 3)
#define MB_INFO_MMAP		(1u << 6)

struct mb_info {
	u32 flags;
	u32 mem_lower, mem_upper;
	u32 boot_device;
	u32 cmdline;
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
};

struct mb_module {
	u32 mod_start, mod_end;
	u32 string;
	u32 reserved;
};

/* "size" does not count itself: the next entry is at +size+4 */
struct mb_mmap {
	u32 size;
	u64 addr;
	u64 len;
	u32 type;
} __attribute__((packed));

#define HVM_START_MAGIC		0x336ec578
#define XEN_ELFNOTE_PHYS32_ENTRY 18

struct hvm_start_info {
	u32 magic;
	u32 version;
	u32 flags;
	u32 nr_modules;
	u64 modlist_paddr;
	u64 cmdline_paddr;
	u64 rsdp_paddr;		/* 0: Linux scans the BIOS areas for ACPI */
	u64 memmap_paddr;
	u32 memmap_entries;
	u32 reserved;
};

struct hvm_modlist_entry {
	u64 paddr;
	u64 size;
	u64 cmdline_paddr;
	u64 reserved;
};

struct hvm_memmap_table_entry {
	u64 addr;
	u64 size;
	u32 type;		/* E820 type: 1 = RAM */
	u32 reserved;
};

struct elf64_ehdr {
	u8  e_ident[16];
	u16 e_type, e_machine;
	u32 e_version;
	u64 e_entry, e_phoff, e_shoff;
	u32 e_flags;
	u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	u32 p_type, p_flags;
	u64 p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

struct elf_note {
	u32 n_namesz, n_descsz, n_type;
};

#define PT_LOAD		1
#define PT_NOTE		4
#define MAX_MMAP	128
#define CMDLINE_MAX	2048
#define PAGE_ALIGN(x)	(((x) + 0xfffu) & ~0xfffu)

void pvh_enter(u32 entry, u32 start_info) __attribute__((noreturn));

static struct hvm_start_info start_info;
static struct hvm_modlist_entry modlist[1];
static struct hvm_memmap_table_entry memmap[MAX_MMAP];
static char cmdline[CMDLINE_MAX];

/* ---------------------------------------------------------------- I/O */

static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* COM1 at 115200 8N1: Bochs' BIOS leaves the line control register at 0 */
static void init_serial(void)
{
	outb(0x3f9, 0x00);	/* no interrupts */
	outb(0x3fb, 0x80);	/* divisor latch access */
	outb(0x3f8, 0x01);	/* divisor 1: 115200 baud */
	outb(0x3f9, 0x00);
	outb(0x3fb, 0x03);	/* 8 data bits, no parity, 1 stop bit */
	outb(0x3fa, 0xc7);	/* FIFOs on and cleared */
	outb(0x3fc, 0x03);	/* DTR, RTS */
}

static void putc_serial(char c)
{
	int spin = 100000;

	if (c == '\n')
		putc_serial('\r');
	while (!(inb(0x3fd) & 0x20) && --spin)
		;
	outb(0x3f8, c);
}

static void puts_serial(const char *s)
{
	while (*s)
		putc_serial(*s++);
}

static void puthex(u64 v)
{
	int i;

	puts_serial("0x");
	for (i = 60; i >= 0; i -= 4)
		putc_serial("0123456789abcdef"[(v >> i) & 0xf]);
}

static void fail(const char *why)
{
	puts_serial("pvhboot: ");
	puts_serial(why);
	puts_serial("\n");
	for (;;)
		asm volatile("cli; hlt");
}

/* ------------------------------------------------------------ memory */

static void copy(u32 dst, u32 src, u32 len)
{
	u32 dwords = len / 4;

	asm volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(dwords) : : "memory");
	len &= 3;
	asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(len) : : "memory");
}

static void zero(u32 dst, u32 len)
{
	u32 dwords = len / 4;

	asm volatile("rep stosl" : "+D"(dst), "+c"(dwords) : "a"(0) : "memory");
	len &= 3;
	asm volatile("rep stosb" : "+D"(dst), "+c"(len) : "a"(0) : "memory");
}

static int overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/* is [addr, addr + len) inside one RAM range of the memory map? */
static int is_ram(u64 addr, u64 len, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (memmap[i].type == 1 && addr >= memmap[i].addr &&
		    addr + len <= memmap[i].addr + memmap[i].size)
			return 1;
	return 0;
}

/* ----------------------------------------------------------- the work */

static u32 read_mmap(const struct mb_info *mbi)
{
	u32 off = 0, n = 0;

	if (!(mbi->flags & MB_INFO_MMAP))
		fail("the loader gave no memory map");
	while (off < mbi->mmap_length && n < MAX_MMAP) {
		const struct mb_mmap *e = (const void *)(mbi->mmap_addr + off);

		memmap[n].addr = e->addr;
		memmap[n].size = e->len;
		memmap[n].type = e->type;
		n++;
		off += e->size + 4;
	}
	return n;
}

static int same(const void *a, const char *b, u32 len)
{
	const char *p = a;

	while (len--)
		if (*p++ != *b++)
			return 0;
	return 1;
}

/*
 * The loader passes our own file name first; the kernel's arguments
 * follow (the rig always starts them with "console=...").
 */
static void read_cmdline(const struct mb_info *mbi)
{
	const char *s = "", *w;
	u32 i = 0;

	if (mbi->flags & MB_INFO_CMDLINE)
		s = (const char *)mbi->cmdline;
	while (*s == ' ')
		s++;
	for (w = s; *w && *w != ' ' && *w != '='; w++)
		;
	if (*w != '=')
		s = w;
	while (*s == ' ')
		s++;
	while (*s && i < CMDLINE_MAX - 1)
		cmdline[i++] = *s++;
	cmdline[i] = 0;
}

/* physical address of the PVH entry, from the kernel's ELF notes */
static u32 pvh_entry(u32 image)
{
	const struct elf64_ehdr *eh = (const void *)image;
	const struct elf64_phdr *ph = (const void *)(image + (u32)eh->e_phoff);
	u32 i;

	for (i = 0; i < eh->e_phnum; i++) {
		u32 p = image + (u32)ph[i].p_offset;
		u32 end = p + (u32)ph[i].p_filesz;

		if (ph[i].p_type != PT_NOTE)
			continue;
		while (p + sizeof(struct elf_note) <= end) {
			const struct elf_note *n = (const void *)p;
			u32 name = p + sizeof(*n);
			u32 desc = name + ((n->n_namesz + 3) & ~3u);

			if (n->n_type == XEN_ELFNOTE_PHYS32_ENTRY && n->n_namesz == 4 &&
			    same((const void *)name, "Xen", 4))
				return *(const u32 *)desc;
			p = desc + ((n->n_descsz + 3) & ~3u);
		}
	}
	fail("vmlinux has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): CONFIG_PVH=n?");
	return 0;
}

void pvhboot_main(u32 magic, const struct mb_info *mbi)
{
	const struct mb_module *mods;
	const struct elf64_ehdr *eh;
	const struct elf64_phdr *ph;
	u32 n, i, image, image_len, initrd, initrd_len, scratch, entry;
	u64 kstart = ~0ull, kend = 0, top = 0;

	init_serial();
	if (magic != MB_BOOTLOADER_MAGIC)
		fail("not started by a Multiboot loader");
	if (!(mbi->flags & MB_INFO_MODS) || mbi->mods_count < 2)
		fail("need two modules: vmlinux and the initramfs");
	n = read_mmap(mbi);
	read_cmdline(mbi);
	mods = (const void *)mbi->mods_addr;

	image = mods[0].mod_start;
	image_len = mods[0].mod_end - mods[0].mod_start;
	eh = (const void *)image;
	if (image_len < sizeof(*eh) || !same(eh->e_ident, "\177ELF\2", 5) ||
	    eh->e_machine != 62)
		fail("module 1 is not an x86-64 ELF vmlinux");
	ph = (const void *)(image + (u32)eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (ph[i].p_paddr < kstart)
			kstart = ph[i].p_paddr;
		if (ph[i].p_paddr + ph[i].p_memsz > kend)
			kend = ph[i].p_paddr + ph[i].p_memsz;
	}
	if (kend > 0xffffffffull || kstart >= kend)
		fail("vmlinux loads outside the first 4 GiB");

	/* move both modules above everything, so nothing overlaps below */
	for (i = 0; i < mbi->mods_count; i++)
		if (mods[i].mod_end > top)
			top = mods[i].mod_end;
	if (kend > top)
		top = kend;
	scratch = PAGE_ALIGN((u32)top);
	initrd_len = mods[1].mod_end - mods[1].mod_start;
	if (!is_ram(scratch, PAGE_ALIGN(image_len) + initrd_len, n))
		fail("not enough memory above the kernel for vmlinux and the initramfs");
	copy(scratch, image, image_len);
	image = scratch;
	initrd = scratch + PAGE_ALIGN(image_len);
	copy(initrd, mods[1].mod_start, initrd_len);

	eh = (const void *)image;
	ph = (const void *)(image + (u32)eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (!is_ram(ph[i].p_paddr, ph[i].p_memsz, n))
			fail("a vmlinux segment is not in RAM");
		copy((u32)ph[i].p_paddr, image + (u32)ph[i].p_offset, (u32)ph[i].p_filesz);
		zero((u32)(ph[i].p_paddr + ph[i].p_filesz), (u32)(ph[i].p_memsz - ph[i].p_filesz));
	}
	entry = pvh_entry(image);
	if (overlaps(initrd, initrd_len, kstart, kend - kstart))
		fail("internal error: the initramfs overlaps the kernel");

	modlist[0].paddr = initrd;
	modlist[0].size = initrd_len;
	start_info.magic = HVM_START_MAGIC;
	start_info.version = 1;
	start_info.nr_modules = 1;
	start_info.modlist_paddr = (u32)modlist;
	start_info.cmdline_paddr = (u32)cmdline;
	start_info.memmap_paddr = (u32)memmap;
	start_info.memmap_entries = n;

	puts_serial("pvhboot: vmlinux ");
	puthex(kstart);
	puts_serial("-");
	puthex(kend);
	puts_serial(", PVH entry ");
	puthex(entry);
	puts_serial(", initramfs ");
	puthex(initrd_len);
	puts_serial(" bytes\n");
	pvh_enter(entry, (u32)&start_info);
}
