// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmon run: build a one-vCPU machine around a flat guest image and run
 * it.  The steps, in order: parse options, create the VM, allocate and
 * fill guest memory, register it, put vCPU 0 into the chosen mode,
 * attach the devices, run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "device.h"
#include "loaders/loaders.h"
#include "machine.h"
#include "parse.h"
#include "run.h"
#include "vmon.h"

static const char *const mode_names[] = {
	[VMON_GUEST_REAL] = "real",
	[VMON_GUEST_PROT] = "prot",
	[VMON_GUEST_LONG] = "long",
};

int cmd_run(int argc, char **argv)
{
	int ret, status = VMON_STATUS_USAGE;
	struct run_options o;
	struct run_layout layout;
	struct vmon_machine m;
	struct vmon_cpu cpu;
	struct vmon_vm vm;
	uint64_t image_size;
	char buf[32], max[32];
	void *mem;
	int fd;

	if (run_parse_options(argc, argv, &o))
		return VMON_STATUS_USAGE;
	if (o.help) {
		run_usage(stdout);
		return VMON_STATUS_OK;
	}

	/* open once on its own, for the precise hint when that fails */
	fd = vmon_open_device();
	if (fd < 0)
		return VMON_STATUS_USAGE;
	close(fd);
	ret = vmon_vm_create(&vm);
	if (ret) {
		vmon_explain_vm_create(ret);
		return VMON_STATUS_USAGE;
	}
	if (vm.caps.max_guest_phys && o.mem > vm.caps.max_guest_phys) {
		vmon_err("--mem %s: more than the %s of guest-physical space the %s backend offers (lower --mem)",
			 format_size(o.mem, buf, sizeof(buf)),
			 format_size(vm.caps.max_guest_phys, max, sizeof(max)),
			 vmon_backend_name(vm.caps.backend));
		goto out_vm;
	}
	mem = vmon_alloc_guest_memory(o.mem);
	if (!mem) {
		vmon_err("cannot allocate %s of guest memory: %s (lower --mem)",
			 format_size(o.mem, buf, sizeof(buf)), strerror(errno));
		goto out_vm;
	}
	if (flat_load(o.flat, mem, o.mem, o.load, &image_size))
		goto out_mem;
	if (run_plan_layout(&o, image_size, &layout))
		goto out_mem;
	ret = vmon_vm_set_memory(&vm, 0, 0, 0, o.mem, mem);
	if (ret) {
		vmon_err("cannot give %s of guest memory to the VM: %s (lower --mem, or raise the locked-memory limit: 'ulimit -l')",
			 format_size(o.mem, buf, sizeof(buf)), strerror(-ret));
		goto out_mem;
	}
	ret = vmon_cpu_create(&vm, 0, &cpu);
	if (ret) {
		vmon_err("cannot create vCPU 0: %s (see 'dmesg' for the module's reason)",
			 strerror(-ret));
		goto out_mem;
	}
	ret = vmon_setup_mode(&cpu, o.mode, layout.tables_gpa, layout.map_size,
			      o.entry, layout.stack);
	if (ret) {
		vmon_err("cannot put vCPU 0 into %s mode: %s (see 'dmesg' for the module's reason)",
			 mode_names[o.mode], strerror(-ret));
		goto out_cpu;
	}
	machine_init(&m, STDOUT_FILENO);
	if (!machine_add_devices(&m))
		status = run_loop(&cpu, &m);
	machine_destroy(&m);
out_cpu:
	vmon_cpu_destroy(&cpu);
out_mem:
	/* the VM goes first: the module may still hold the pages */
	vmon_vm_destroy(&vm);
	vmon_free_guest_memory(mem, o.mem);
	return status;
out_vm:
	vmon_vm_destroy(&vm);
	return status;
}
