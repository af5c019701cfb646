// SPDX-License-Identifier: GPL-2.0-only
/*
 * What every kernel loader does alike: the memory map, the command
 * line, the initial ramdisk.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../acpi.h"
#include "../devices/pci.h"
#include "../parse.h"
#include "../vmon.h"
#include "loaders.h"

#define SZ_1M		0x100000ULL
#define PAGE_SIZE	4096ULL
/*
 * A PC's firmware keeps the last KiB below 640 KiB (the EBDA) and the
 * BIOS ROM at 0xF0000-0xFFFFF; 0xA0000-0xEFFFF is VGA memory and option
 * ROMs.  vmon has no firmware, but a kernel that scans those areas (Linux
 * looks for MP and ACPI tables there) must find them reserved, not RAM.
 * vmon's ACPI tables fill 0xE0000-0xEFFFF (acpi.h): ACPI NVS (ACPI 6.5
 * 15.1), memory an OS keeps, because the FACS must lie in it (5.2.10)
 * and the other tables may.
 */
#define EBDA_START	0x9fc00ULL
#define BIOS_START	0xf0000ULL

unsigned int boot_memory_map(uint64_t ram_size, struct boot_mem_range *r)
{
	uint64_t below = pci_ram_below_hole(ram_size);
	uint64_t low = below < EBDA_START ? below : EBDA_START;
	unsigned int n = 0;

	r[n++] = (struct boot_mem_range){ 0, low, BOOT_MEM_RAM };
	r[n++] = (struct boot_mem_range){ EBDA_START, 0xa0000 - EBDA_START, BOOT_MEM_RESERVED };
	r[n++] = (struct boot_mem_range){ ACPI_TABLES_GPA, ACPI_TABLES_SIZE, BOOT_MEM_ACPI_NVS };
	r[n++] = (struct boot_mem_range){ BIOS_START, SZ_1M - BIOS_START, BOOT_MEM_RESERVED };
	if (below > SZ_1M)
		r[n++] = (struct boot_mem_range){ SZ_1M, below - SZ_1M, BOOT_MEM_RAM };
	/*
	 * Linux uses the ECAM window of the MCFG table only when the
	 * firmware reserved it (arch/x86/pci/mmconfig-shared.c,
	 * pci_mmcfg_reserved(): an E820 entry or ACPI motherboard
	 * resources); the rest of the hole is left out, as a PC BIOS does.
	 */
	r[n++] = (struct boot_mem_range){ PCI_ECAM_BASE, PCI_ECAM_SIZE, BOOT_MEM_RESERVED };
	if (ram_size > below)
		r[n++] = (struct boot_mem_range){ PCI_RAM_HIGH_START, ram_size - below,
						  BOOT_MEM_RAM };
	return n;
}

int kernel_put_cmdline(const struct kernel_request *req, uint8_t *mem, uint64_t max,
		       uint64_t gpa)
{
	const char *cmdline = req->cmdline ? req->cmdline : "";
	size_t len = strlen(cmdline);

	if (max > KERNEL_CMDLINE_MAX)
		max = KERNEL_CMDLINE_MAX;
	if (len + 1 > max) {
		vmon_err("--append: the command line has %zu bytes, kernel %s takes at most %llu (shorten --append)",
			 len, req->kernel, (unsigned long long)max - 1);
		return -E2BIG;
	}
	memcpy(mem + gpa, cmdline, len + 1);
	return 0;
}

int open_input_file(const char *path, const struct input_file *in, uint64_t *size)
{
	struct stat st;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		vmon_err("cannot open %s %s: %s (check the %s path)", in->what, path,
			 strerror(errno), in->option);
		return ret;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		vmon_err("%s %s is not a regular file (%s)", in->what, path, in->type_hint);
		close(fd);
		return -EINVAL;
	}
	if (!st.st_size) {
		vmon_err("%s %s is empty (%s)", in->what, path, in->empty_hint);
		close(fd);
		return in->empty_error;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

int load_file_contents(int fd, void *dst, uint64_t size, const char *what, const char *path)
{
	uint64_t done = 0;

	while (done < size) {
		ssize_t n = pread(fd, (char *)dst + done, size - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			vmon_err("cannot read %s %s: %s", what, path,
				 n < 0 ? strerror(errno) : "file shrank while loading");
			return n < 0 ? -errno : -EIO;
		}
		done += (uint64_t)n;
	}
	return 0;
}

static const struct input_file initrd_file = {
	.what = "initrd", .option = "--initrd",
	.type_hint = "give --initrd a cpio archive",
	.empty_hint = "build it first, or leave out --initrd",
	.empty_error = -EINVAL,
};

int kernel_put_initrd(const char *path, uint8_t *mem, uint64_t mem_size, uint64_t low,
		      uint64_t limit, bool at_top, uint64_t *gpa, uint64_t *size)
{
	char sz[32], room[32];
	uint64_t top, addr, n_size;
	int fd, ret;

	*gpa = 0;
	*size = 0;
	if (!path)
		return 0;
	fd = open_input_file(path, &initrd_file, &n_size);
	if (fd < 0)
		return fd;
	top = limit < mem_size ? limit : mem_size;
	addr = top >= n_size ? (top - n_size) & ~(PAGE_SIZE - 1) : 0;
	if (!at_top && top >= n_size && addr >= low)
		addr = low;
	if (top < n_size || addr < low) {
		vmon_err("initrd %s (%s) does not fit in guest memory: %s are free between the kernel's end at 0x%llx and 0x%llx (raise --mem)",
			 path, format_size(n_size, sz, sizeof(sz)),
			 format_size(top > low ? top - low : 0, room, sizeof(room)),
			 (unsigned long long)low, (unsigned long long)top);
		ret = -EFBIG;
		goto out;
	}
	ret = load_file_contents(fd, mem + addr, n_size, "initrd", path);
	if (ret)
		goto out;
	*gpa = addr;
	*size = n_size;
	ret = 0;
out:
	close(fd);
	return ret;
}
