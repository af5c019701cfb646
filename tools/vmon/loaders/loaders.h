/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Loaders put a guest image into guest memory.  They print one line
 * naming the problem and what to do when they fail.
 */
#ifndef VMON_LOADERS_H
#define VMON_LOADERS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Is [load, load + size) inside guest memory [0, mem_size)?  Written
 * without load + size so that huge values cannot wrap around.
 */
static inline int flat_image_fits(uint64_t size, uint64_t load, uint64_t mem_size)
{
	return load <= mem_size && size <= mem_size - load;
}

/*
 * Copy the file at path byte for byte to guest-physical load in the
 * memory mem of mem_size bytes (mapped at guest-physical 0).  Stores the
 * image size.  Returns 0 or -errno.
 */
int flat_load(const char *path, void *mem, uint64_t mem_size, uint64_t load,
	      uint64_t *image_size);

/* ------------------------------------------------------------------ */
/* Kernels: vmon run --kernel FILE [--initrd FILE] [--append CMDLINE]  */

#include "libvmon.h"

/* what the user asked to boot */
struct kernel_request {
	const char *kernel;		/* --kernel FILE */
	const char *initrd;		/* --initrd FILE, or NULL */
	const char *cmdline;		/* --append CMDLINE, or NULL */
	unsigned int tsc_khz;		/* host TSC frequency (vmon_caps), 0 unknown */
	bool tsc_reliable;		/* the host keeps its own time with the TSC */
	/* set by kernel_load(): all guest RAM (mem_size), for the memory map */
	uint64_t ram_size;
};

/* the formats kernel_load() tells apart by content */
enum kernel_format {
	KERNEL_BZIMAGE,		/* Linux x86 boot protocol, 64-bit entry */
	KERNEL_VMLINUX,		/* uncompressed ELF64 Linux, entered at startup_64 */
	KERNEL_MULTIBOOT,	/* multiboot v1 (ELF or a.out kludge) */
};

/* how the vCPU starts once the kernel is in memory (run.c applies it) */
struct kernel_boot {
	enum kernel_format format;
	enum vmon_guest_mode mode;
	uint64_t entry;			/* RIP */
	uint64_t stack;			/* RSP */
	uint64_t tables_gpa;		/* libvmon_setup_mode()'s GDT and page tables */
	uint64_t map_size;		/* long mode: identity map [0, map_size) */
	uint16_t code_sel, data_sel;	/* GDT selectors to use; 0: libvmon's */
	uint64_t rsi, rax, rbx;		/* boot protocol registers */
	uint64_t kernel_start, kernel_end;	/* guest-physical, for messages */
	uint64_t initrd_gpa, initrd_size;
	unsigned int protocol;		/* bzImage: boot protocol version, e.g. 0x20f */
};

/*
 * Guest-physical layout of what vmon builds for a Linux kernel, all below
 * the EBDA at 0x9FC00 (e820 RAM that Linux keeps reserved as "low 1 MiB"):
 *   0x1000 - 0x8000   boot stack (grows down from 0x8000)
 *   0x8000            boot_params (zero page)
 *   0x10000           GDT, TSS and page tables (VMON_SETUP_TABLES_SIZE)
 *   0x20000           kernel command line (at most KERNEL_CMDLINE_MAX bytes)
 * The kernel itself loads at 1 MiB or above, the initrd as high as allowed.
 * A multiboot kernel may load from MULTIBOOT_LOW_END on: its boot data
 * goes above it and its module (kernel_multiboot.c).
 */
#define KERNEL_STACK_TOP	0x8000ULL
#define KERNEL_PARAMS_GPA	0x8000ULL
#define KERNEL_TABLES_GPA	0x10000ULL
#define KERNEL_CMDLINE_GPA	0x20000ULL
#define KERNEL_CMDLINE_MAX	0x10000ULL
#define KERNEL_LOW_END		(KERNEL_CMDLINE_GPA + KERNEL_CMDLINE_MAX)
/* kernels load at 1 MiB or above: less memory cannot hold one */
#define KERNEL_MIN_MEM		(2ULL << 20)

/* the memory map every kernel is given (e820 / multiboot mmap) */
#define BOOT_MEM_RAM		1
#define BOOT_MEM_RESERVED	2
#define BOOT_MEM_ACPI_NVS	4		/* e820 type 4, ACPI 6.5 15.1 */
#define BOOT_MEM_MAX_RANGES	7
struct boot_mem_range {
	uint64_t addr, size;
	uint32_t type;			/* BOOT_MEM_* */
};

/*
 * Of ram_size bytes of guest RAM: RAM below 640 KiB less a 1 KiB EBDA,
 * the ACPI tables at 0xE0000-0xEFFFF, the BIOS area 0xF0000-0xFFFFF
 * reserved, RAM from 1 MiB to the PCI hole, the ECAM window reserved,
 * and the RAM beyond the hole at 4 GiB.  Returns the number of ranges,
 * in address order.
 */
unsigned int boot_memory_map(uint64_t ram_size, struct boot_mem_range *r);

/*
 * Detect the format of req->kernel, load it and req->initrd into guest
 * memory mem (mem_size bytes of RAM: at guest-physical 0 up to the PCI
 * hole, the rest at 4 GiB, which the kernel learns of from the memory
 * map only), and build the boot data its protocol wants.  The format
 * loaders below get the part below the hole as their mem_size.
 * Returns 0, or -errno after one line naming the file, the problem, and
 * what to do.
 */
int kernel_load(const struct kernel_request *req, void *mem, uint64_t mem_size,
		struct kernel_boot *boot);
const char *kernel_format_name(enum kernel_format f);

/* ---- shared by the kernel loaders (loaders/kernel_*.c) ---- */

/* a kernel file, mapped read-only */
struct kernel_file {
	const char *path;
	const uint8_t *data;
	uint64_t size;
};

/* little-endian fields of a file or of guest memory */
static inline uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t get_le64(const uint8_t *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static inline void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

/* kernel_common.c */
/* copy the command line to gpa; max counts the NUL */
int kernel_put_cmdline(const struct kernel_request *req, uint8_t *mem, uint64_t max,
		       uint64_t gpa);
/*
 * How a loader names one of its input files in errors: "cannot open
 * <what> PATH: ... (check the <option> path)", "<what> PATH is not a
 * regular file (<type_hint>)", "<what> PATH is empty (<empty_hint>)".
 */
struct input_file {
	const char *what;		/* "kernel", "initrd", "guest image" */
	const char *option;		/* "--kernel" */
	const char *type_hint;
	const char *empty_hint;
	int empty_error;		/* -errno returned for an empty file */
};

/* open a non-empty regular file: its fd and size, or -errno (printed) */
int open_input_file(const char *path, const struct input_file *in, uint64_t *size);
/* read size bytes of fd from offset 0 to dst; errors name what and path */
int load_file_contents(int fd, void *dst, uint64_t size, const char *what, const char *path);
/*
 * Read the initrd into guest memory between low (page aligned) and
 * limit (and mem_size): page aligned, at the top when at_top, else at low.
 * Stores where.  No initrd (path NULL): 0, and *gpa = *size = 0.
 */
int kernel_put_initrd(const char *path, uint8_t *mem, uint64_t mem_size, uint64_t low,
		      uint64_t limit, bool at_top, uint64_t *gpa, uint64_t *size);

/* kernel_elf.c: PT_LOAD segments at their physical addresses */
struct elf_info {
	bool is64;
	uint64_t entry;
	uint64_t start, end;	/* lowest and highest physical address loaded */
};

/* 0 if file is an x86 ELF executable (32- or 64-bit), else -ENOEXEC (silent) */
int elf_probe(const struct kernel_file *f, bool *is64);
/* load the segments; one below low is refused (vmon's boot data is there) */
int elf_load(const struct kernel_file *f, uint8_t *mem, uint64_t mem_size, uint64_t low,
	     struct elf_info *info);

/* kernel_linux.c: bzImage and vmlinux (Linux boot protocol) */
int linux_is_bzimage(const struct kernel_file *f);
int linux_load_bzimage(const struct kernel_file *f, const struct kernel_request *req,
		       uint8_t *mem, uint64_t mem_size, struct kernel_boot *boot);
int linux_load_vmlinux(const struct kernel_file *f, const struct kernel_request *req,
		       uint8_t *mem, uint64_t mem_size, struct kernel_boot *boot);

/* kernel_multiboot.c */
#define MULTIBOOT_SEARCH	8192
/* the lowest address a multiboot kernel loads at: page 0 is the real-mode IVT */
#define MULTIBOOT_LOW_END	0x1000ULL
/* offset of a valid multiboot v1 header in the file, or -ENOENT */
long multiboot_find_header(const struct kernel_file *f);
int multiboot_load(const struct kernel_file *f, long hdr_off, const struct kernel_request *req,
		   uint8_t *mem, uint64_t mem_size, struct kernel_boot *boot);

#endif /* VMON_LOADERS_H */
