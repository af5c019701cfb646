// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multiboot v1 kernels (The Multiboot Specification, version 0.6.96):
 * what GRUB legacy and QEMU's -kernel boot.  The header, 32-bit aligned
 * in the first 8 KiB, says what the kernel needs; the kernel is an ELF
 * file whose PT_LOAD segments are loaded, or, with flag 16, a plain image
 * placed by the header's address fields (the "a.out kludge").  vmon
 * builds the multiboot information (memory sizes, memory map, command
 * line, the --initrd file as the one module, the boot loader name) and
 * enters in 32-bit protected mode, paging off, with EAX = 0x2BADB002 and
 * EBX = the information's address (section 3.2, "Machine state").
 *
 * The kernel may be linked anywhere from 0x1000 on, as QEMU allows:
 * vmon's own boot data (GDT and TSS, a stack, the information, the
 * command line) goes above the kernel and its module and above 1 MiB,
 * where QEMU puts its information too, so it never lies under the
 * kernel, and the e820 map calls it RAM the kernel may reuse once read.
 */
#include <errno.h>
#include <string.h>

#include "../parse.h"
#include "../vmon.h"
#include "loaders.h"

#define MB_HEADER_MAGIC		0x1badb002
#define MB_BOOT_MAGIC		0x2badb002
/* header flags (3.1.2) */
#define MB_PAGE_ALIGN		(1u << 0)	/* modules page aligned */
#define MB_MEMORY_INFO		(1u << 1)	/* mem_* and mmap_* wanted */
#define MB_VIDEO_MODE		(1u << 2)	/* video mode table wanted */
#define MB_AOUT_KLUDGE		(1u << 16)	/* the address fields are valid */
#define MB_KNOWN_REQUIRED	(MB_PAGE_ALIGN | MB_MEMORY_INFO | MB_VIDEO_MODE)
/* information flags (3.3) */
#define MBI_MEM			(1u << 0)
#define MBI_CMDLINE		(1u << 2)
#define MBI_MODS		(1u << 3)
#define MBI_MMAP		(1u << 6)
#define MBI_LOADER_NAME		(1u << 9)
/* information layout: the structure, then its tables, in one page */
#define MBI_SIZE		0x1000
#define MBI_MMAP_OFF		0x100
#define MBI_MMAP_ENTRY		24		/* size field + 20 bytes */
#define MBI_MODS_OFF		0x200
#define MBI_NAME_OFF		0x300
#define MBI_MOD_STRING_OFF	0x400
#define MBI_MOD_STRING_MAX	(MBI_SIZE - MBI_MOD_STRING_OFF)
#define LOADER_NAME		"vmon"
#define BOOT_STACK_SIZE		0x4000
#define PAGE_SIZE		4096ULL
#define SZ_1M			0x100000ULL
#define SZ_4G			(1ULL << 32)

/*
 * Where the boot data goes, page aligned from base up: the tables of
 * libvmon_setup_mode(), the stack (growing down to them), the information
 * page, the command line.
 */
struct mb_layout {
	uint64_t tables, stack_top, mbi, cmdline, end;
};

static void mb_layout(uint64_t above, uint64_t cmdline_size, struct mb_layout *l)
{
	uint64_t base = above > SZ_1M ? above : SZ_1M;

	l->tables = (base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	l->stack_top = l->tables + VMON_SETUP_TABLES_SIZE + BOOT_STACK_SIZE;
	l->mbi = l->stack_top;
	l->cmdline = l->mbi + MBI_SIZE;
	l->end = l->cmdline + cmdline_size;
}

long multiboot_find_header(const struct kernel_file *f)
{
	uint64_t end = f->size < MULTIBOOT_SEARCH ? f->size : MULTIBOOT_SEARCH;
	bool bad_sum = false;
	uint64_t off;

	for (off = 0; off + 12 <= end; off += 4) {
		const uint8_t *h = f->data + off;

		if (get_le32(h) != MB_HEADER_MAGIC)
			continue;
		if ((uint32_t)(get_le32(h) + get_le32(h + 4) + get_le32(h + 8)) == 0)
			return (long)off;
		bad_sum = true;
	}
	return bad_sum ? -EBADMSG : -ENOENT;
}

/* the a.out kludge: file bytes from header_addr's place on go to load_addr */
static int load_kludge(const struct kernel_file *f, long hdr_off, uint8_t *mem,
		       uint64_t mem_size, struct elf_info *info)
{
	const uint8_t *h = f->data + hdr_off;
	uint64_t header_addr = get_le32(h + 12), load_addr = get_le32(h + 16);
	uint64_t load_end = get_le32(h + 20), bss_end = get_le32(h + 24);
	uint64_t file_off, size, end;
	char buf[32];

	if (f->size < (uint64_t)hdr_off + 32 || header_addr < load_addr ||
	    header_addr - load_addr > (uint64_t)hdr_off) {
		vmon_err("kernel %s: multiboot address fields are inconsistent (header_addr 0x%llx, load_addr 0x%llx)",
			 f->path, (unsigned long long)header_addr, (unsigned long long)load_addr);
		return -ENOEXEC;
	}
	file_off = (uint64_t)hdr_off - (header_addr - load_addr);
	size = load_end ? load_end - load_addr : f->size - file_off;
	if (load_end && load_end < load_addr) {
		vmon_err("kernel %s: multiboot load_end_addr 0x%llx lies below load_addr 0x%llx",
			 f->path, (unsigned long long)load_end, (unsigned long long)load_addr);
		return -ENOEXEC;
	}
	if (size > f->size - file_off) {
		vmon_err("kernel %s: truncated: the multiboot header asks for %llu bytes from offset 0x%llx (copy it again)",
			 f->path, (unsigned long long)size, (unsigned long long)file_off);
		return -ENOEXEC;
	}
	end = bss_end > load_addr + size ? bss_end : load_addr + size;
	if (load_addr < MULTIBOOT_LOW_END) {
		vmon_err("kernel %s: multiboot load_addr 0x%llx lies in page 0, the real-mode interrupt table (link the kernel at 0x%llx or above)",
			 f->path, (unsigned long long)load_addr,
			 (unsigned long long)MULTIBOOT_LOW_END);
		return -EINVAL;
	}
	if (end > mem_size) {
		vmon_err("kernel %s: loads at 0x%llx-0x%llx, beyond the %s of guest memory (raise --mem)",
			 f->path, (unsigned long long)load_addr, (unsigned long long)end,
			 format_size(mem_size, buf, sizeof(buf)));
		return -EFBIG;
	}
	memcpy(mem + load_addr, f->data + file_off, size);
	memset(mem + load_addr + size, 0, end - load_addr - size);
	info->entry = get_le32(h + 28);
	info->start = load_addr;
	info->end = end;
	return 0;
}

static void put_mmap(uint64_t ram_size, uint8_t *mbi, uint64_t mbi_gpa)
{
	struct boot_mem_range r[BOOT_MEM_MAX_RANGES];
	unsigned int i, n = boot_memory_map(ram_size, r);

	for (i = 0; i < n; i++) {
		uint8_t *e = mbi + MBI_MMAP_OFF + i * MBI_MMAP_ENTRY;

		put_le32(e, MBI_MMAP_ENTRY - 4);	/* size excludes itself */
		put_le64(e + 4, r[i].addr);
		put_le64(e + 12, r[i].size);
		put_le32(e + 20, r[i].type);		/* 1 available, 2 reserved */
	}
	put_le32(mbi + 44, n * MBI_MMAP_ENTRY);
	put_le32(mbi + 48, (uint32_t)(mbi_gpa + MBI_MMAP_OFF));
}

/* the information structure (3.3) at l->mbi, the command line at l->cmdline */
static void put_info(const struct kernel_request *req, uint8_t *mem, uint64_t mem_size,
		     const struct mb_layout *l, const struct kernel_boot *boot)
{
	uint8_t *mbi = mem + l->mbi;
	uint32_t info_flags = MBI_MEM | MBI_CMDLINE | MBI_MMAP | MBI_LOADER_NAME;

	memset(mbi, 0, MBI_SIZE);
	/* KiB below 640 KiB, and from 1 MiB to the first hole (3.3) */
	put_le32(mbi + 4, 639);
	put_le32(mbi + 8, (uint32_t)((mem_size > SZ_1M ? mem_size - SZ_1M : 0) >> 10));
	put_le32(mbi + 16, (uint32_t)l->cmdline);
	put_mmap(req->ram_size, mbi, l->mbi);
	memcpy(mbi + MBI_NAME_OFF, LOADER_NAME, sizeof(LOADER_NAME));
	put_le32(mbi + 64, (uint32_t)(l->mbi + MBI_NAME_OFF));
	if (req->initrd) {
		uint8_t *mod = mbi + MBI_MODS_OFF;
		size_t len = strnlen(req->initrd, MBI_MOD_STRING_MAX - 1);

		/* the module's string: its file name, as GRUB's "module FILE" gives */
		memcpy(mbi + MBI_MOD_STRING_OFF, req->initrd, len);
		put_le32(mod, (uint32_t)boot->initrd_gpa);
		put_le32(mod + 4, (uint32_t)(boot->initrd_gpa + boot->initrd_size));
		put_le32(mod + 8, (uint32_t)(l->mbi + MBI_MOD_STRING_OFF));
		put_le32(mbi + 20, 1);
		put_le32(mbi + 24, (uint32_t)(l->mbi + MBI_MODS_OFF));
		info_flags |= MBI_MODS;
	}
	put_le32(mbi, info_flags);
}

int multiboot_load(const struct kernel_file *f, long hdr_off, const struct kernel_request *req,
		   uint8_t *mem, uint64_t mem_size, struct kernel_boot *boot)
{
	const uint8_t *h = f->data + hdr_off;
	uint32_t flags = get_le32(h + 4);
	uint64_t cmdline_size;
	struct mb_layout l;
	struct elf_info ei;
	char buf[32];
	bool is64;
	int ret;

	boot->format = KERNEL_MULTIBOOT;
	if (flags & 0xffff & ~MB_KNOWN_REQUIRED) {
		vmon_err("kernel %s: the multiboot header requires features 0x%x that vmon does not know (flags 0x%x; bits 0-2 are supported)",
			 f->path, flags & 0xffff & ~MB_KNOWN_REQUIRED, flags);
		return -ENOEXEC;
	}
	/*
	 * Bit 2 wishes for a video mode: vmon has no display, and says so
	 * by leaving information bit 11 (VBE) clear.
	 */
	if (flags & MB_AOUT_KLUDGE) {
		ret = load_kludge(f, hdr_off, mem, mem_size, &ei);
	} else if (!elf_probe(f, &is64)) {
		ret = elf_load(f, mem, mem_size, MULTIBOOT_LOW_END, &ei);
	} else {
		vmon_err("kernel %s: a multiboot kernel that is neither ELF nor gives load addresses (set flag 16 and the address fields, or link it as ELF)",
			 f->path);
		ret = -ENOEXEC;
	}
	if (ret)
		return ret;
	if (ei.entry >= SZ_4G || ei.end > SZ_4G) {
		vmon_err("kernel %s: multiboot kernels run in 32-bit mode, but this one loads or starts above 4 GiB",
			 f->path);
		return -ENOEXEC;
	}

	/*
	 * The module goes right above the kernel (and 1 MiB), page aligned
	 * whether or not flag 0 asks for it, where GRUB and QEMU put modules
	 * too: a small kernel may map only its first megabytes.
	 */
	ret = kernel_put_initrd(req->initrd, mem, mem_size,
				(ei.end > SZ_1M ? ei.end + PAGE_SIZE - 1 : SZ_1M) & ~(PAGE_SIZE - 1),
				SZ_4G, false, &boot->initrd_gpa, &boot->initrd_size);
	if (ret)
		return ret;

	/* a command line too long for any layout is refused by kernel_put_cmdline() */
	cmdline_size = strlen(req->cmdline ? req->cmdline : "") + 1;
	mb_layout(boot->initrd_size ? boot->initrd_gpa + boot->initrd_size : ei.end,
		  cmdline_size < KERNEL_CMDLINE_MAX ? cmdline_size : KERNEL_CMDLINE_MAX, &l);
	if (l.end > mem_size) {
		vmon_err("kernel %s: vmon's multiboot data goes above the kernel%s at 0x%llx-0x%llx, beyond the %s of guest memory (raise --mem)",
			 f->path, req->initrd ? " and --initrd" : "",
			 (unsigned long long)l.tables, (unsigned long long)l.end,
			 format_size(mem_size, buf, sizeof(buf)));
		return -EFBIG;
	}
	ret = kernel_put_cmdline(req, mem, KERNEL_CMDLINE_MAX, l.cmdline);
	if (ret)
		return ret;
	put_info(req, mem, mem_size, &l, boot);

	boot->mode = VMON_GUEST_PROT;
	boot->entry = ei.entry;
	boot->stack = l.stack_top;
	boot->tables_gpa = l.tables;
	boot->rax = MB_BOOT_MAGIC;
	boot->rbx = l.mbi;
	boot->kernel_start = ei.start;
	boot->kernel_end = ei.end;
	return 0;
}
