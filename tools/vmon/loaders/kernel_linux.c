// SPDX-License-Identifier: GPL-2.0-only
/*
 * Linux, through the x86 boot protocol (Documentation/x86/boot.rst),
 * 64-bit entry: no real-mode setup code runs, vmon does its work.
 *
 *   bzImage  The setup header (at 0x1F1) is copied into a zeroed
 *            boot_params ("zero page"), vmon fills in the loader's
 *            fields, and the protected-mode kernel (the file after the
 *            setup sectors) goes to pref_address, or to 1 MiB when the
 *            kernel is not relocatable.  Entry: load address + 0x200, the
 *            64-bit entry point (boot.rst, "64-bit BOOT PROTOCOL").
 *            Requires protocol 2.12 (Linux 3.8) or later: xloadflags,
 *            whose XLF_KERNEL_64 says that entry point exists.
 *   vmlinux  The uncompressed ELF kernel, as Firecracker boots it: the
 *            PT_LOAD segments at their physical addresses, entered at
 *            the ELF entry (startup_64) with the same zero page, built
 *            from nothing since there is no setup header to copy.
 *
 * Both start in 64-bit mode with paging on, the low 4 GiB identity
 * mapped, a GDT where __BOOT_CS (0x10) is flat 64-bit code and __BOOT_DS
 * (0x18) flat data, interrupts off, and RSI = the zero page.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../acpi.h"
#include "../parse.h"
#include "../vmon.h"
#include "loaders.h"

/* boot_params offsets (arch/x86/include/uapi/asm/bootparam.h) */
#define BP_ACPI_RSDP_ADDR	0x070
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_E820_TABLE		0x2d0
#define BP_E820_ENTRY_SIZE	20
#define BP_SIZE			0x1000
/* setup_header, at the same offsets in the file and in boot_params */
#define HDR_START		0x1f1
#define HDR_SETUP_SECTS		0x1f1
#define HDR_SYSSIZE		0x1f4
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP		0x200
#define HDR_HEADER		0x202
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_CODE32_START	0x214
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
#define HDR_END_2_12		0x26c	/* end of the fields of protocol 2.12+ */

#define BOOT_FLAG_MAGIC		0xaa55
#define HEADER_MAGIC		0x53726448	/* "HdrS" */
#define PROTOCOL_MIN		0x020c		/* 2.12: xloadflags */
#define LOADER_UNDEFINED	0xff		/* type_of_loader: "no assigned ID" */
#define LOADED_HIGH		0x01		/* loadflags: kernel at 1 MiB+ */
#define XLF_KERNEL_64		0x0001
#define ENTRY_64_OFFSET		0x200
#define DEFAULT_LOAD		0x100000ULL
/* the x86 COMMAND_LINE_SIZE a vmlinux is built with, NUL included */
#define VMLINUX_CMDLINE_MAX	2048
#define VMLINUX_ALIGN		0x200000ULL	/* CONFIG_PHYSICAL_ALIGN */
#define PAGE_SIZE		4096ULL
#define SZ_4G			(1ULL << 32)

/* GDT selectors of the 64-bit boot protocol (arch/x86/include/asm/segment.h) */
#define BOOT_CS			0x10
#define BOOT_DS			0x18

int linux_is_bzimage(const struct kernel_file *f)
{
	return f->size >= HDR_HEADER + 4 &&
	       get_le16(f->data + HDR_BOOT_FLAG) == BOOT_FLAG_MAGIC &&
	       get_le32(f->data + HDR_HEADER) == HEADER_MAGIC;
}

static void put_e820(uint8_t *bp, uint64_t ram_size)
{
	struct boot_mem_range r[BOOT_MEM_MAX_RANGES];
	unsigned int i, n = boot_memory_map(ram_size, r);

	for (i = 0; i < n; i++) {
		uint8_t *e = bp + BP_E820_TABLE + i * BP_E820_ENTRY_SIZE;

		put_le64(e, r[i].addr);
		put_le64(e + 8, r[i].size);
		put_le32(e + 16, r[i].type);	/* E820_TYPE_RAM 1, RESERVED 2, NVS 4 */
	}
	bp[BP_E820_ENTRIES] = (uint8_t)n;
}

/* the user's command line has PARAM (a word, or the start of NAME=) */
static bool has_param(const char *cmdline, const char *param)
{
	return cmdline && strstr(cmdline, param);
}

/* one more word on out[0..n), after a space unless first; n as snprintf counts */
static int append_word(char *out, size_t size, int n, const char *fmt, ...)
{
	va_list ap;

	if (n < 0 || (size_t)n >= size)
		return n;
	if (n)
		n += snprintf(out + n, size - (size_t)n, " ");
	if ((size_t)n >= size)
		return n;
	va_start(ap, fmt);
	n += vsnprintf(out + n, size - (size_t)n, fmt, ap);
	va_end(ap);
	return n;
}

/*
 * The command line Linux gets: the user's, then what a guest of this
 * hypervisor needs that the user did not choose.  Returns the length
 * written to out (snprintf's: size or more when it did not fit).
 *
 * Linux measures the TSC against the PIT, reading it thousands of
 * times within 10 ms.  Every read is an exit to vmon: under emulation,
 * or on a busy host, too slow for the calibration to succeed, and Linux
 * then marks the TSC unstable and keeps time with jiffies.  The guest's
 * TSC is the host's, so the frequency the host measured is exact: pass
 * it (tsc_early_khz=, Linux's Documentation/admin-guide/
 * kernel-parameters.txt).  And Linux checks the TSC against its only
 * other clock, the PIT's jiffies, which lose ticks whenever vmon is late
 * to inject one: the watchdog then throws the correct TSC away.  When
 * the host itself keeps time with the TSC, it has already vetted the
 * very counter the guest reads, so tsc=reliable (which turns that
 * watchdog off) is the truth, not a shortcut.
 *
 * no_timer_check: with an I/O APIC, Linux checks that the PIT ticks
 * through it by counting jiffies in a busy loop bounded by TSC cycles
 * (timer_irq_works(), arch/x86/kernel/apic/io_apic.c); a vCPU thread
 * or an I/O thread the host schedules late fails it, and Linux then
 * gives up on the I/O APIC's timer.  Every KVM guest skips that check
 * (arch/x86/kernel/kvm.c sets no_timer_check); so does every vmon guest.
 */
static int linux_cmdline(const struct kernel_request *req, char *out, size_t size)
{
	const char *user = req->cmdline ? req->cmdline : "";
	int n = snprintf(out, size, "%s", user);

	if (!has_param(user, "no_timer_check"))
		n = append_word(out, size, n, "no_timer_check");
	if (req->tsc_khz && !has_param(user, "tsc_early_khz=")) {
		n = append_word(out, size, n, "tsc_early_khz=%u", req->tsc_khz);
		if (req->tsc_reliable && !has_param(user, "tsc="))
			n = append_word(out, size, n, "tsc=reliable");
	}
	return n;
}

/*
 * The parts of the zero page every Linux boot shares: loader type,
 * command line, initrd, memory map; then the CPU state of the 64-bit
 * entry.  The initrd goes as high as initrd_max and memory allow, above
 * the kernel's footprint [.., kernel_end).
 */
static int linux_finish(const struct kernel_request *req, uint8_t *mem, uint64_t mem_size,
			uint64_t cmdline_max, uint64_t initrd_max, uint64_t kernel_end,
			struct kernel_boot *boot)
{
	uint8_t *bp = mem + KERNEL_PARAMS_GPA;
	struct kernel_request with_extras = *req;
	static char cmdline[KERNEL_CMDLINE_MAX];
	int ret;

	/*
	 * The additions go only where the kernel takes them: a line too
	 * long with them goes as the user wrote it, and a line too long
	 * without them gets kernel_put_cmdline()'s error about the user's
	 * own line.
	 */
	ret = linux_cmdline(req, cmdline, sizeof(cmdline));
	if (ret > 0 && (size_t)ret < sizeof(cmdline) && (uint64_t)ret < cmdline_max) {
		with_extras.cmdline = cmdline;
		req = &with_extras;
	}
	ret = kernel_put_cmdline(req, mem, cmdline_max, KERNEL_CMDLINE_GPA);
	if (ret)
		return ret;
	ret = kernel_put_initrd(req->initrd, mem, mem_size, kernel_end, initrd_max, true,
				&boot->initrd_gpa, &boot->initrd_size);
	if (ret)
		return ret;

	bp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	bp[HDR_LOADFLAGS] |= LOADED_HIGH;
	put_le32(bp + HDR_CMD_LINE_PTR, (uint32_t)KERNEL_CMDLINE_GPA);
	put_le32(bp + BP_EXT_CMD_LINE_PTR, 0);
	put_le32(bp + HDR_RAMDISK_IMAGE, (uint32_t)boot->initrd_gpa);
	put_le32(bp + HDR_RAMDISK_SIZE, (uint32_t)boot->initrd_size);
	put_le32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(boot->initrd_gpa >> 32));
	put_le32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(boot->initrd_size >> 32));
	/*
	 * heap_end_ptr and CAN_USE_HEAP concern the real-mode setup code,
	 * which the 64-bit entry skips: left as the kernel's header has them.
	 */
	put_e820(bp, req->ram_size);
	/*
	 * run.c builds the ACPI tables, RSDP first, at ACPI_TABLES_GPA
	 * once the devices are attached.  Linux takes the RSDP from here
	 * before it would scan the BIOS area (acpi_os_get_root_pointer()).
	 */
	put_le64(bp + BP_ACPI_RSDP_ADDR, ACPI_TABLES_GPA);

	boot->mode = VMON_GUEST_LONG;
	boot->tables_gpa = KERNEL_TABLES_GPA;
	boot->map_size = SZ_4G;
	boot->code_sel = BOOT_CS;
	boot->data_sel = BOOT_DS;
	boot->stack = KERNEL_STACK_TOP;
	boot->rsi = KERNEL_PARAMS_GPA;
	return 0;
}

int linux_load_bzimage(const struct kernel_file *f, const struct kernel_request *req,
		       uint8_t *mem, uint64_t mem_size, struct kernel_boot *boot)
{
	uint64_t setup_size, pm_size, syssize, load, align, init_size, footprint, hdr_end;
	uint8_t *bp = mem + KERNEL_PARAMS_GPA;
	const uint8_t *d = f->data;
	char need[32], have[32];
	unsigned int version, setup_sects;
	uint16_t xlf;

	boot->format = KERNEL_BZIMAGE;
	if (f->size < HDR_END_2_12) {
		vmon_err("kernel %s: truncated bzImage (%llu bytes, less than its setup header; copy it again)",
			 f->path, (unsigned long long)f->size);
		return -ENOEXEC;
	}
	version = get_le16(d + HDR_VERSION);
	boot->protocol = version;
	if (version < PROTOCOL_MIN) {
		vmon_err("kernel %s: Linux boot protocol %u.%02u is too old; vmon needs 2.12 (Linux 3.8) or later for the 64-bit entry (use a newer kernel)",
			 f->path, version >> 8, version & 0xff);
		return -ENOEXEC;
	}
	xlf = get_le16(d + HDR_XLOADFLAGS);
	if (!(xlf & XLF_KERNEL_64)) {
		vmon_err("kernel %s: a bzImage without a 64-bit entry point (XLF_KERNEL_64 clear: a 32-bit kernel?); vmon boots x86-64 kernels (build with CONFIG_64BIT)",
			 f->path);
		return -ENOEXEC;
	}
	setup_sects = d[HDR_SETUP_SECTS] ? d[HDR_SETUP_SECTS] : 4;	/* 0 means 4 */
	setup_size = (setup_sects + 1ULL) * 512;
	syssize = get_le32(d + HDR_SYSSIZE) * 16ULL;
	if (f->size <= setup_size || f->size - setup_size < syssize) {
		vmon_err("kernel %s: truncated bzImage: %llu bytes, but its header promises %llu (copy it again)",
			 f->path, (unsigned long long)f->size,
			 (unsigned long long)(setup_size + syssize));
		return -ENOEXEC;
	}
	pm_size = f->size - setup_size;

	init_size = get_le32(d + HDR_INIT_SIZE);
	if (init_size < pm_size)
		init_size = pm_size;
	align = get_le32(d + HDR_KERNEL_ALIGNMENT);
	load = DEFAULT_LOAD;
	if (d[HDR_RELOCATABLE]) {
		load = get_le64(d + HDR_PREF_ADDRESS);
		if (!load || (align && (align & (align - 1)) == 0 && (load & (align - 1))))
			load = align > DEFAULT_LOAD ? align : DEFAULT_LOAD;
	}
	footprint = load + init_size;
	if (footprint > mem_size || footprint < load) {
		vmon_err("kernel %s needs %s of memory (it runs in 0x%llx-0x%llx), more than --mem %s (raise --mem)",
			 f->path, format_size(footprint, need, sizeof(need)),
			 (unsigned long long)load, (unsigned long long)footprint,
			 format_size(mem_size, have, sizeof(have)));
		return -EFBIG;
	}

	/* the header runs to 0x202 + the byte at 0x201 (boot.rst) */
	hdr_end = HDR_JUMP + 2 + d[HDR_JUMP + 1];
	if (hdr_end < HDR_END_2_12)
		hdr_end = HDR_END_2_12;
	if (hdr_end > 0x290)		/* boot_params' room for it */
		hdr_end = 0x290;
	memset(bp, 0, BP_SIZE);
	memcpy(bp + HDR_START, d + HDR_START, hdr_end - HDR_START);
	memcpy(mem + load, d + setup_size, pm_size);
	put_le32(bp + HDR_CODE32_START, (uint32_t)load);

	boot->entry = load + ENTRY_64_OFFSET;
	boot->kernel_start = load;
	boot->kernel_end = footprint;
	return linux_finish(req, mem, mem_size, (uint64_t)get_le32(d + HDR_CMDLINE_SIZE) + 1,
			    (uint64_t)get_le32(d + HDR_INITRD_ADDR_MAX) + 1,
			    (footprint + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1), boot);
}

int linux_load_vmlinux(const struct kernel_file *f, const struct kernel_request *req,
		       uint8_t *mem, uint64_t mem_size, struct kernel_boot *boot)
{
	uint8_t *bp = mem + KERNEL_PARAMS_GPA;
	struct elf_info ei;
	int ret;

	boot->format = KERNEL_VMLINUX;
	ret = elf_load(f, mem, mem_size, KERNEL_LOW_END, &ei);
	if (ret)
		return ret;

	/* no setup header in a vmlinux: the fields a loader would find there */
	memset(bp, 0, BP_SIZE);
	put_le16(bp + HDR_BOOT_FLAG, BOOT_FLAG_MAGIC);
	put_le32(bp + HDR_HEADER, HEADER_MAGIC);
	put_le32(bp + HDR_KERNEL_ALIGNMENT, (uint32_t)VMLINUX_ALIGN);
	put_le32(bp + HDR_CMDLINE_SIZE, VMLINUX_CMDLINE_MAX - 1);
	put_le32(bp + HDR_CODE32_START, (uint32_t)ei.start);

	boot->entry = ei.entry;
	boot->kernel_start = ei.start;
	boot->kernel_end = ei.end;
	/* as a protocol 2.12+ kernel would say in initrd_addr_max */
	return linux_finish(req, mem, mem_size, VMLINUX_CMDLINE_MAX, 0x80000000ULL,
			    (ei.end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1), boot);
}
