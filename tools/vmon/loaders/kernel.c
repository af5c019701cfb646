// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmon run --kernel: tell the kernel's format from its content and hand
 * it to the loader for that format.  In the order checked:
 *   multiboot v1   header magic 0x1BADB002 in the first 8 KiB (the
 *                  multiboot specification 0.6.96, section 3.1.1); checked
 *                  first because a multiboot kernel may be any ELF file
 *   bzImage        0xAA55 at 0x1FE and "HdrS" at 0x202 (Linux boot
 *                  protocol, Documentation/x86/boot.rst)
 *   vmlinux        an ELF64 x86-64 executable: Linux entered at startup_64
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../acpi.h"
#include "../devices/pci.h"
#include "../parse.h"
#include "../vmon.h"
#include "loaders.h"

static const char *const format_names[] = {
	[KERNEL_BZIMAGE] = "bzImage",
	[KERNEL_VMLINUX] = "ELF vmlinux",
	[KERNEL_MULTIBOOT] = "multiboot",
};

const char *kernel_format_name(enum kernel_format f)
{
	return f < ARRAY_SIZE(format_names) ? format_names[f] : "unknown";
}

#define KERNEL_FORMATS "give --kernel a bzImage, vmlinux or multiboot kernel"

static const struct input_file kernel_input = {
	.what = "kernel", .option = "--kernel",
	.type_hint = KERNEL_FORMATS, .empty_hint = KERNEL_FORMATS,
	.empty_error = -ENOEXEC,
};

static int map_kernel(const char *path, struct kernel_file *f)
{
	uint64_t size;
	void *p;
	int fd, ret;

	f->path = path;
	fd = open_input_file(path, &kernel_input, &size);
	if (fd < 0)
		return fd;
	/* mapped, not read: a 60 MiB vmlinux in a small emulated machine */
	p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	ret = p == MAP_FAILED ? -errno : 0;
	close(fd);
	if (ret) {
		vmon_err("cannot map kernel %s: %s", path, strerror(-ret));
		return ret;
	}
	f->data = p;
	f->size = size;
	return 0;
}

static bool overlaps_acpi(uint64_t start, uint64_t end)
{
	return start < ACPI_TABLES_GPA + ACPI_TABLES_SIZE && end > ACPI_TABLES_GPA;
}

/*
 * The ACPI tables are written after the kernel (run.c, once the devices
 * exist): a kernel or module loaded over their place would be overwritten.
 */
static int check_acpi_room(const char *path, const struct kernel_boot *boot)
{
	if (overlaps_acpi(boot->kernel_start, boot->kernel_end)) {
		vmon_err("kernel %s loads at 0x%llx-0x%llx, over the ACPI tables vmon puts at 0x%llx-0x%llx (link the kernel at 1 MiB or above)",
			 path, (unsigned long long)boot->kernel_start,
			 (unsigned long long)boot->kernel_end, ACPI_TABLES_GPA,
			 ACPI_TABLES_GPA + ACPI_TABLES_SIZE);
		return -EINVAL;
	}
	if (boot->initrd_size &&
	    overlaps_acpi(boot->initrd_gpa, boot->initrd_gpa + boot->initrd_size)) {
		vmon_err("the --initrd lands at 0x%llx, over the ACPI tables vmon puts at 0x%llx-0x%llx (link the kernel at 1 MiB or above)",
			 (unsigned long long)boot->initrd_gpa, ACPI_TABLES_GPA,
			 ACPI_TABLES_GPA + ACPI_TABLES_SIZE);
		return -EINVAL;
	}
	return 0;
}

int kernel_load(const struct kernel_request *req, void *mem, uint64_t mem_size,
		struct kernel_boot *boot)
{
	struct kernel_request r = *req;
	struct kernel_file f;
	char buf[32];
	bool is64;
	long off;
	int ret;

	memset(boot, 0, sizeof(*boot));
	if (mem_size < KERNEL_MIN_MEM) {
		vmon_err("--mem %s: too small for a kernel, which loads at 1 MiB or above (give at least 2M)",
			 format_size(mem_size, buf, sizeof(buf)));
		return -EINVAL;
	}
	ret = map_kernel(req->kernel, &f);
	if (ret)
		return ret;
	/* the kernel and its boot data go below the hole */
	r.ram_size = mem_size;
	req = &r;
	mem_size = pci_ram_below_hole(mem_size);

	off = multiboot_find_header(&f);
	if (off >= 0) {
		ret = multiboot_load(&f, off, req, mem, mem_size, boot);
	} else if (linux_is_bzimage(&f)) {
		ret = linux_load_bzimage(&f, req, mem, mem_size, boot);
	} else if (!elf_probe(&f, &is64)) {
		if (is64) {
			ret = linux_load_vmlinux(&f, req, mem, mem_size, boot);
		} else {
			vmon_err("kernel %s is a 32-bit ELF file without a %smultiboot header: vmon boots 32-bit ELF kernels through multiboot only (add a multiboot header)",
				 f.path, off == -EBADMSG ? "valid " : "");
			ret = -ENOEXEC;
		}
	} else if (off == -EBADMSG) {
		vmon_err("kernel %s has the multiboot magic 0x1BADB002 but no header with a valid checksum in its first 8 KiB (fix the header: magic + flags + checksum must be 0)",
			 f.path);
		ret = -ENOEXEC;
	} else {
		vmon_err("kernel %s is not a format vmon boots: give a Linux bzImage, an uncompressed ELF vmlinux (rig/extract-vmlinux.sh makes one), or a multiboot kernel",
			 f.path);
		ret = -ENOEXEC;
	}
	munmap((void *)f.data, (size_t)f.size);
	return ret ? ret : check_acpi_room(f.path, boot);
}
