// SPDX-License-Identifier: GPL-2.0-only
/*
 * The devices of a vmon machine.  Adding a device: write its file and
 * add one line here.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "../machine.h"
#include "../vmon.h"
#include "devices.h"

const struct vmon_device *const vmon_devices[] = {
	&i8259_device,		/* first: the others drive its lines */
	&ioapic_device,		/* and these, from the same lines */
	&i8254_device,
	&rtc_device,
	&i8042_device,
	&pci_conf1_device,	/* before the PCI functions: it makes bus 0 */
	&virtio_rng_device,
	&virtio_blk_device,	/* one per --disk: /dev/vda, vdb, ... in slot order */
	&virtio_net_device,	/* --net */
	&acpi_pm_device,
	&legacy_ports_device,
	&fw_cfg_device,
	&debugcon_device,
	&debug_exit_device,
	&uart8250_device,
	NULL
};

int machine_add_devices(struct vmon_machine *m)
{
	const struct vmon_device *const *d;
	int ret;

	for (d = vmon_devices; *d; d++) {
		ret = (*d)->attach(m);
		if (ret == -DEVICE_EXPLAINED)
			return ret;
		if (ret) {
			vmon_err("cannot attach device %s: %s (a device claims a range another already holds?)",
				 (*d)->name, strerror(-ret));
			return ret;
		}
	}
	return 0;
}
