// SPDX-License-Identifier: GPL-2.0-only
/*
 * Opening /dev/vmon, with hints for the ways it commonly fails.
 */
#include <errno.h>
#include <string.h>

#include "device.h"
#include "libvmon.h"
#include "vmon.h"

static const char *open_hint(int err)
{
	switch (err) {
	case -ENOENT:
	case -ENODEV:
	case -ENXIO:
		return "is the module loaded? try 'modprobe vmon' or 'insmod kmod/vmon.ko'";
	case -EACCES:
	case -EPERM:
		return "join group vmon ('usermod -aG vmon USER', log in again) or run as root";
	case -EBUSY:
		return "another process holds it; try again";
	}
	return "see 'vmon info'";
}

int vmon_open_device(void)
{
	int fd = vmon_open_system();

	if (fd < 0)
		vmon_err("cannot open %s: %s (%s)", VMON_DEVICE_PATH, strerror(-fd),
			 open_hint(fd));
	return fd;
}

void vmon_explain_vm_create(int err)
{
	if (err == -EPROTO) {
		vmon_err("%s speaks a different API version than this vmon (%d): build vmon and vmon.ko from the same tree",
			 VMON_DEVICE_PATH, VMON_API_VERSION);
		return;
	}
	if (err == -ENOENT || err == -EACCES || err == -EPERM || err == -ENODEV) {
		vmon_err("cannot open %s: %s (%s)", VMON_DEVICE_PATH, strerror(-err),
			 open_hint(err));
		return;
	}
	vmon_err("cannot create a VM: %s (see 'dmesg' for the module's reason)", strerror(-err));
}
