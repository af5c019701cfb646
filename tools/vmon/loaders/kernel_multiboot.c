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
#define MBI_GPA			KERNEL_PARAMS_GPA
#define MBI_MMAP_GPA		(MBI_GPA + 0x100)
#define MBI_MMAP_ENTRY		24		/* size field + 20 bytes */
#define MBI_MODS_GPA		(MBI_GPA + 0x200)
#define MBI_NAME_GPA		(MBI_GPA + 0x300)
#define MBI_MOD_STRING_GPA	(MBI_GPA + 0x400)
#define MBI_MOD_STRING_MAX	0xc00
#define LOADER_NAME		"vmon"
#define PAGE_SIZE		4096ULL
#define SZ_4G			(1ULL << 32)

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
	if (load_addr < KERNEL_LOW_END) {
		vmon_err("kernel %s: multiboot load_addr 0x%llx overlaps vmon's boot data below 0x%llx (link the kernel at 1 MiB or above)",
			 f->path, (unsigned long long)load_addr,
			 (unsigned long long)KERNEL_LOW_END);
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

static void put_mmap(uint8_t *mem, uint64_t mem_size, uint8_t *mbi)
{
	struct boot_mem_range r[BOOT_MEM_MAX_RANGES];
	unsigned int i, n = boot_memory_map(mem_size, r);

	for (i = 0; i < n; i++) {
		uint8_t *e = mem + MBI_MMAP_GPA + i * MBI_MMAP_ENTRY;

		put_le32(e, MBI_MMAP_ENTRY - 4);	/* size excludes itself */
		put_le64(e + 4, r[i].addr);
		put_le64(e + 12, r[i].size);
		put_le32(e + 20, r[i].type);		/* 1 available, 2 reserved */
	}
	put_le32(mbi + 44, n * MBI_MMAP_ENTRY);
	put_le32(mbi + 48, (uint32_t)MBI_MMAP_GPA);
}

int multiboot_load(const struct kernel_file *f, long hdr_off, const struct kernel_request *req,
		   uint8_t *mem, uint64_t mem_size, struct kernel_boot *boot)
{
	const uint8_t *h = f->data + hdr_off;
	uint32_t flags = get_le32(h + 4), info_flags;
	uint8_t *mbi = mem + MBI_GPA;
	struct elf_info ei;
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
		ret = elf_load(f, mem, mem_size, &ei);
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

	ret = kernel_put_cmdline(req, mem, KERNEL_CMDLINE_MAX);
	if (ret)
		return ret;
	/*
	 * The module goes right above the kernel, page aligned whether or
	 * not flag 0 asks for it, where GRUB and QEMU put modules too: a
	 * small kernel may map only its first megabytes.
	 */
	ret = kernel_put_initrd(req->initrd, mem, mem_size,
				(ei.end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1), SZ_4G, false,
				&boot->initrd_gpa, &boot->initrd_size);
	if (ret)
		return ret;

	memset(mem + MBI_GPA, 0, MBI_MOD_STRING_GPA + MBI_MOD_STRING_MAX - MBI_GPA);
	info_flags = MBI_MEM | MBI_CMDLINE | MBI_MMAP | MBI_LOADER_NAME;
	/* KiB below 640 KiB, and from 1 MiB to the first hole (3.3) */
	put_le32(mbi + 4, 639);
	put_le32(mbi + 8, (uint32_t)((mem_size > 0x100000 ? mem_size - 0x100000 : 0) >> 10));
	put_le32(mbi + 16, (uint32_t)KERNEL_CMDLINE_GPA);
	put_mmap(mem, mem_size, mbi);
	memcpy(mem + MBI_NAME_GPA, LOADER_NAME, sizeof(LOADER_NAME));
	put_le32(mbi + 64, (uint32_t)MBI_NAME_GPA);
	if (req->initrd) {
		uint8_t *mod = mem + MBI_MODS_GPA;
		size_t len = strnlen(req->initrd, MBI_MOD_STRING_MAX - 1);

		/* the module's string: its file name, as GRUB's "module FILE" gives */
		memcpy(mem + MBI_MOD_STRING_GPA, req->initrd, len);
		put_le32(mod, (uint32_t)boot->initrd_gpa);
		put_le32(mod + 4, (uint32_t)(boot->initrd_gpa + boot->initrd_size));
		put_le32(mod + 8, (uint32_t)MBI_MOD_STRING_GPA);
		put_le32(mbi + 20, 1);
		put_le32(mbi + 24, (uint32_t)MBI_MODS_GPA);
		info_flags |= MBI_MODS;
	}
	put_le32(mbi, info_flags);

	boot->mode = VMON_GUEST_PROT;
	boot->entry = ei.entry;
	boot->stack = KERNEL_STACK_TOP;
	boot->tables_gpa = KERNEL_TABLES_GPA;
	boot->rax = MB_BOOT_MAGIC;
	boot->rbx = MBI_GPA;
	boot->kernel_start = ei.start;
	boot->kernel_end = ei.end;
	return 0;
}
