// SPDX-License-Identifier: GPL-2.0-only
/*
 * ELF kernels: copy each PT_LOAD segment to its physical address
 * (p_paddr) and zero the rest of its p_memsz, as a boot loader does.
 * Linux's vmlinux links at virtual 0xffffffff81000000 but gives the
 * physical load addresses in p_paddr; multiboot kernels give both the
 * same.  Everything read from the file is bounds-checked: the file is
 * the user's, and may be truncated or hostile.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "../parse.h"
#include "../vmon.h"
#include "loaders.h"

int elf_probe(const struct kernel_file *f, bool *is64)
{
	const uint8_t *e = f->data;
	uint16_t machine;

	if (f->size < EI_NIDENT + 4 || memcmp(e, ELFMAG, SELFMAG))
		return -ENOEXEC;
	if (e[EI_DATA] != ELFDATA2LSB)
		return -ENOEXEC;
	machine = get_le16(e + 18);	/* e_machine, same place in both classes */
	if (e[EI_CLASS] == ELFCLASS64 && machine == EM_X86_64)
		*is64 = true;
	else if (e[EI_CLASS] == ELFCLASS32 && machine == EM_386)
		*is64 = false;
	else
		return -ENOEXEC;
	return 0;
}

/* one program header, either class, widened to 64 bits */
static void get_phdr(const uint8_t *p, bool is64, Elf64_Phdr *ph)
{
	if (is64) {
		memcpy(ph, p, sizeof(*ph));
		return;
	}
	ph->p_type = get_le32(p);
	ph->p_offset = get_le32(p + 4);
	ph->p_vaddr = get_le32(p + 8);
	ph->p_paddr = get_le32(p + 12);
	ph->p_filesz = get_le32(p + 16);
	ph->p_memsz = get_le32(p + 20);
	ph->p_flags = get_le32(p + 24);
	ph->p_align = get_le32(p + 28);
}

int elf_load(const struct kernel_file *f, uint8_t *mem, uint64_t mem_size, uint64_t low,
	     struct elf_info *info)
{
	uint64_t phoff, phentsize, phnum, i, end;
	const uint8_t *e = f->data;
	char buf[32];
	bool is64;
	Elf64_Phdr ph;

	if (elf_probe(f, &is64))
		return -ENOEXEC;
	if (f->size < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr))) {
		vmon_err("kernel %s: truncated ELF header (%llu bytes; the file is damaged, copy it again)",
			 f->path, (unsigned long long)f->size);
		return -ENOEXEC;
	}
	if (get_le16(e + 16) != ET_EXEC) {
		vmon_err("kernel %s: ELF type %u is not an executable (link the kernel as ET_EXEC)",
			 f->path, get_le16(e + 16));
		return -ENOEXEC;
	}
	info->is64 = is64;
	if (is64) {
		info->entry = get_le64(e + 24);
		phoff = get_le64(e + 32);
		phentsize = get_le16(e + 54);
		phnum = get_le16(e + 56);
	} else {
		info->entry = get_le32(e + 24);
		phoff = get_le32(e + 28);
		phentsize = get_le16(e + 42);
		phnum = get_le16(e + 44);
	}
	if (phentsize != (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) ||
	    phoff > f->size || phnum * phentsize > f->size - phoff) {
		vmon_err("kernel %s: the ELF program headers lie outside the file (truncated or damaged: copy it again)",
			 f->path);
		return -ENOEXEC;
	}

	info->start = UINT64_MAX;
	info->end = 0;
	for (i = 0; i < phnum; i++) {
		get_phdr(e + phoff + i * phentsize, is64, &ph);
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > f->size ||
		    ph.p_filesz > f->size - ph.p_offset) {
			vmon_err("kernel %s: segment %llu (file offset 0x%llx, %llu bytes) lies outside the file (truncated: copy it again)",
				 f->path, (unsigned long long)i,
				 (unsigned long long)ph.p_offset,
				 (unsigned long long)ph.p_filesz);
			return -ENOEXEC;
		}
		if (ph.p_paddr > mem_size || ph.p_memsz > mem_size - ph.p_paddr) {
			vmon_err("kernel %s: segment %llu at 0x%llx-0x%llx lies beyond the %s of guest memory (raise --mem)",
				 f->path, (unsigned long long)i,
				 (unsigned long long)ph.p_paddr,
				 (unsigned long long)(ph.p_paddr + ph.p_memsz),
				 format_size(mem_size, buf, sizeof(buf)));
			return -EFBIG;
		}
		if (ph.p_paddr < low) {
			vmon_err("kernel %s: segment %llu at 0x%llx lies below 0x%llx, where vmon keeps its boot data (link the kernel at 0x%llx or above)",
				 f->path, (unsigned long long)i,
				 (unsigned long long)ph.p_paddr, (unsigned long long)low,
				 (unsigned long long)low);
			return -EINVAL;
		}
		memcpy(mem + ph.p_paddr, e + ph.p_offset, ph.p_filesz);
		memset(mem + ph.p_paddr + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
		end = ph.p_paddr + ph.p_memsz;
		if (ph.p_paddr < info->start)
			info->start = ph.p_paddr;
		if (end > info->end)
			info->end = end;
	}
	if (!info->end) {
		vmon_err("kernel %s: the ELF file has nothing to load (no PT_LOAD segment)",
			 f->path);
		return -ENOEXEC;
	}
	if (info->entry < info->start || info->entry >= info->end) {
		vmon_err("kernel %s: ELF entry point 0x%llx is outside the loaded segments 0x%llx-0x%llx (is it linked for physical addresses?)",
			 f->path, (unsigned long long)info->entry,
			 (unsigned long long)info->start, (unsigned long long)info->end);
		return -ENOEXEC;
	}
	return 0;
}
