// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmon run: build a machine around a flat guest image or a kernel and
 * run it.  The steps, in order: parse options, check them against the
 * module's capabilities, create the VM, allocate and fill guest memory,
 * register it, create the vCPUs (vCPU 0 in the chosen mode, the others
 * waiting for INIT and SIPI), attach the devices, run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "acpi.h"
#include "device.h"
#include "devices/pci.h"
#include "loaders/loaders.h"
#include "machine.h"
#include "parse.h"
#include "run.h"
#include "vmon.h"

/* --name: what vmon ps and the other watching commands show */
#define HOST_CLOCKSOURCE "/sys/devices/system/clocksource/clocksource0/current_clocksource"

/* the host kernel keeps its time with the TSC: it trusts the counter the guest reads */
static bool host_clock_is_tsc(void)
{
	char name[32] = "";
	FILE *f = fopen(HOST_CLOCKSOURCE, "r");

	if (!f)
		return false;
	if (!fgets(name, sizeof(name), f))
		name[0] = 0;
	fclose(f);
	return !strcmp(name, "tsc\n");
}

static int set_vm_name(struct vmon_vm *vm, const char *name)
{
	struct vmon_vm_name n = { { 0 } };

	snprintf(n.name, sizeof(n.name), "%s", name);
	if (!ioctl(vm->fd, VMON_SET_NAME, &n))
		return 0;
	vmon_err("--name %s: the module refused the name: %s (use 1 to %d printable ASCII characters; an old vmon.ko may lack names: modprobe vmon)",
		 name, strerror(errno), VMON_NAME_LEN - 1);
	return -1;
}

static const char *const mode_names[] = {
	[VMON_GUEST_REAL] = "real",
	[VMON_GUEST_PROT] = "prot",
	[VMON_GUEST_LONG] = "long",
};

/*
 * The protocol registers and selectors of a kernel's entry, on top of
 * libvmon_setup_mode()'s mode; then one line saying what boots, with the
 * guest's TSC at the start (the reference for boot-time measurements).
 */
static int start_kernel(struct vmon_cpu *cpu, const struct kernel_boot *b,
			const struct run_options *o)
{
	struct vmon_regs regs;
	char size[32];
	__u64 tsc = 0;
	int ret;

	if (b->code_sel) {
		ret = libvmon_setup_selectors(cpu, b->tables_gpa, b->code_sel, b->data_sel);
		if (ret) {
			vmon_err("cannot load the boot GDT selectors 0x%x/0x%x: %s",
				 b->code_sel, b->data_sel, strerror(-ret));
			return ret;
		}
	}
	ret = libvmon_get_regs(cpu, &regs);
	if (!ret) {
		regs.rsi = b->rsi;
		regs.rax = b->rax;
		regs.rbx = b->rbx;
		ret = libvmon_set_regs(cpu, &regs);
	}
	if (ret) {
		vmon_err("cannot set vCPU 0's boot registers: %s (see 'dmesg' for the module's reason)",
			 strerror(-ret));
		return ret;
	}
	if (libvmon_get_msr(cpu, VMON_MSR_TSC, &tsc))
		tsc = 0;
	fprintf(stderr, "vmon: booting %s %s", kernel_format_name(b->format), o->kernel);
	if (b->protocol)
		fprintf(stderr, " (boot protocol %u.%02u)", b->protocol >> 8, b->protocol & 0xff);
	fprintf(stderr, " at 0x%llx, entry 0x%llx", (unsigned long long)b->kernel_start,
		(unsigned long long)b->entry);
	if (b->initrd_size)
		fprintf(stderr, ", %s %s at 0x%llx",
			b->format == KERNEL_MULTIBOOT ? "module" : "initrd",
			format_size(b->initrd_size, size, sizeof(size)),
			(unsigned long long)b->initrd_gpa);
	fprintf(stderr, ", %s RAM; guest TSC at start %llu\n",
		format_size(o->mem, size, sizeof(size)), (unsigned long long)tsc);
	return 0;
}

/* the module's capabilities against the options, before anything is created */
static int check_module(const struct run_options *o)
{
	struct vmon_caps caps;
	int fd, ret;

	/* open once on its own, for the precise hint when that fails */
	fd = vmon_open_device();
	if (fd < 0)
		return fd;
	ret = libvmon_get_caps(fd, &caps);
	close(fd);
	if (ret) {
		vmon_err("cannot read the module's capabilities: %s (see 'vmon info')",
			 strerror(-ret));
		return ret;
	}
	return run_check_caps(o, &caps);
}

/*
 * Application processors start as the hardware starts them at power-on:
 * waiting for the INIT-SIPI-SIPI sequence the BSP sends through its
 * local APIC (SDM Vol. 3A 9.4; Documentation/interrupts.rst).
 */
static int create_aps(struct vmon_vm *vm, struct run_vcpu *vcpus, unsigned int nr)
{
	struct vmon_mp_state mp;
	unsigned int i;
	int ret;

	for (i = 1; i < nr; i++) {
		ret = libvmon_cpu_create(vm, i, &vcpus[i].cpu);
		if (ret) {
			vmon_err("cannot create vCPU %u: %s (lower --cpus; see 'dmesg' for the module's reason)",
				 i, strerror(-ret));
			return i;
		}
		memset(&mp, 0, sizeof(mp));
		mp.state = VMON_MP_WAIT_SIPI;
		if (ioctl(vcpus[i].cpu.fd, VMON_SET_MP_STATE, &mp)) {
			vmon_err("cannot make vCPU %u wait for SIPI: VMON_SET_MP_STATE: %s (vmon.ko without the local APIC? use --cpus 1)",
				 i, strerror(errno));
			return i + 1;
		}
	}
	return 0;
}

/*
 * A kernel's ACPI tables (acpi.c), built once the devices are attached:
 * the MADT lists an I/O APIC only when one answers at its address.  The
 * loader has already pointed boot_params at the RSDP.
 */
static int put_acpi_tables(struct vmon_machine *m, void *mem, uint64_t mem_size)
{
	struct vmon_acpi_config cfg = {
		.nr_cpus = m->nr_cpus,
		.region_gpa = ACPI_TABLES_GPA,
		.region_size = ACPI_TABLES_SIZE,
		.lapic_addr = ACPI_LAPIC_ADDR,
	};
	uint64_t rsdp;
	int ret;

	/*
	 * ID 0, as the I/O APIC resets it and QEMU's pc machine has it:
	 * without the P6's APIC bus (SDM Vol. 3A 11.1: messages travel on
	 * the system bus) its ID need not differ from the processors', and
	 * its 4 bits could not follow --cpus anyway.
	 */
	if (bus_find(&m->mmio, ACPI_IOAPIC_ADDR))
		cfg.ioapic_addr = ACPI_IOAPIC_ADDR;
	cfg.pci = !!m->pci;
	ret = vmon_acpi_build(mem, mem_size, &cfg, &rsdp);
	if (ret)
		vmon_err("cannot build the ACPI tables for %u vCPUs in 0x%llx-0x%llx: %s",
			 m->nr_cpus, ACPI_TABLES_GPA, ACPI_TABLES_GPA + ACPI_TABLES_SIZE,
			 strerror(-ret));
	return ret;
}

int cmd_run(int argc, char **argv)
{
	int ret, status = VMON_STATUS_USAGE;
	struct run_options o;
	struct run_layout layout;
	struct kernel_request req;
	struct kernel_boot boot;
	struct vmon_machine m;
	struct run_vcpu *vcpus;
	struct vmon_cpu *cpu;
	struct run_ctx ctx;
	struct vmon_vm vm;
	uint64_t image_size, low;
	char buf[32], max[32];
	unsigned int nr_cpus = 1, i;
	void *mem;

	if (run_parse_options(argc, argv, &o))
		return VMON_STATUS_USAGE;
	if (o.help) {
		run_usage(stdout);
		run_free_options(&o);
		return VMON_STATUS_OK;
	}

	if (check_module(&o)) {
		run_free_options(&o);
		return VMON_STATUS_USAGE;
	}
	vcpus = calloc(o.cpus, sizeof(*vcpus));
	if (!vcpus) {
		vmon_err("cannot allocate %u vCPUs: %s (lower --cpus)", o.cpus, strerror(errno));
		run_free_options(&o);
		return VMON_STATUS_USAGE;
	}
	cpu = &vcpus[0].cpu;
	ret = libvmon_vm_create(&vm);
	if (ret) {
		vmon_explain_vm_create(ret);
		free(vcpus);
		run_free_options(&o);
		return VMON_STATUS_USAGE;
	}
	if (o.name && set_vm_name(&vm, o.name))
		goto out_vm;
	low = pci_ram_below_hole(o.mem);
	if (vm.caps.max_guest_phys && pci_ram_end(o.mem) > vm.caps.max_guest_phys) {
		vmon_err("--mem %s: RAM beyond the PCI hole (3-4 GiB) ends above the %s of guest-physical space the %s backend offers (lower --mem)",
			 format_size(o.mem, buf, sizeof(buf)),
			 format_size(vm.caps.max_guest_phys, max, sizeof(max)),
			 libvmon_backend_name(vm.caps.backend));
		goto out_vm;
	}
	mem = libvmon_alloc_guest_memory(o.mem);
	if (!mem) {
		vmon_err("cannot allocate %s of guest memory: %s (lower --mem)",
			 format_size(o.mem, buf, sizeof(buf)), strerror(errno));
		goto out_vm;
	}
	if (o.kernel) {
		req.kernel = o.kernel;
		req.initrd = o.initrd;
		req.cmdline = o.append;
		req.tsc_khz = vm.caps.tsc_khz;
		req.tsc_reliable = host_clock_is_tsc();
		if (kernel_load(&req, mem, o.mem, &boot))
			goto out_mem;
		o.mode = boot.mode;
		o.entry = boot.entry;
		layout.tables_gpa = boot.tables_gpa;
		layout.map_size = boot.map_size;
		layout.stack = boot.stack;
	} else {
		if (flat_load(o.flat, mem, low, o.load, &image_size))
			goto out_mem;
		if (run_plan_layout(&o, image_size, &layout))
			goto out_mem;
	}
	/* the RAM below the PCI hole in slot 0, the rest at 4 GiB in slot 1 */
	ret = libvmon_vm_set_memory(&vm, 0, 0, 0, low, mem);
	if (!ret && o.mem > low)
		ret = libvmon_vm_set_memory(&vm, 1, 0, PCI_RAM_HIGH_START, o.mem - low,
					 (uint8_t *)mem + low);
	if (ret) {
		vmon_err("cannot give %s of guest memory to the VM: %s (lower --mem, or raise the locked-memory limit: 'ulimit -l')",
			 format_size(o.mem, buf, sizeof(buf)), strerror(-ret));
		goto out_mem;
	}
	ret = libvmon_cpu_create(&vm, 0, cpu);
	if (ret) {
		vmon_err("cannot create vCPU 0: %s (see 'dmesg' for the module's reason)",
			 strerror(-ret));
		goto out_mem;
	}
	ret = libvmon_setup_mode(cpu, o.mode, layout.tables_gpa, layout.map_size,
			      o.entry, layout.stack);
	if (ret) {
		vmon_err("cannot put vCPU 0 into %s mode: %s (see 'dmesg' for the module's reason)",
			 mode_names[o.mode], strerror(-ret));
		goto out_cpu;
	}
	if (o.kernel && start_kernel(cpu, &boot, &o))
		goto out_cpu;
	i = create_aps(&vm, vcpus, o.cpus);
	nr_cpus = i ? i : o.cpus;
	if (i)
		goto out_cpu;
	machine_init(&m, STDOUT_FILENO);
	/* the MADT (put_acpi_tables()) lists one local APIC per vCPU */
	m.nr_cpus = o.cpus;
	m.cmdline = o.append;
	m.disks = o.disks;
	m.nr_disks = o.nr_disks;
	m.net = o.net.tap ? &o.net : NULL;
	machine_add_ram(&m, 0, low, mem);
	if (o.mem > low)
		machine_add_ram(&m, PCI_RAM_HIGH_START, o.mem - low, (uint8_t *)mem + low);
	if (!machine_add_devices(&m) && (!o.kernel || !put_acpi_tables(&m, mem, low))) {
		memset(&ctx, 0, sizeof(ctx));
		ctx.m = &m;
		ctx.vm = &vm;
		ctx.vcpus = vcpus;
		ctx.nr_vcpus = o.cpus;
		ctx.lapic = vm.caps.flags & VMON_CAP_LAPIC;
		status = run_loop(&ctx);
	}
	machine_destroy(&m);
out_cpu:
	for (i = 0; i < nr_cpus; i++)
		libvmon_cpu_destroy(&vcpus[i].cpu);
out_mem:
	/* the VM goes first: the module may still hold the pages */
	libvmon_vm_destroy(&vm);
	libvmon_free_guest_memory(mem, o.mem);
	free(vcpus);
	run_free_options(&o);
	return status;
out_vm:
	libvmon_vm_destroy(&vm);
	free(vcpus);
	run_free_options(&o);
	return status;
}
