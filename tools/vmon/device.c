// SPDX-License-Identifier: GPL-2.0-only
/*
 * Opening /dev/vmon, with hints for the ways it commonly fails, and
 * refusing a module that speaks another ABI: every command of the tool
 * that opens /dev/vmon opens it here.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "device.h"
#include "libvmon.h"
#include "version.h"
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

/* fd's module speaks this vmon's ABI: 0, or -errno after a line unless quiet */
static int check_api(int fd, bool quiet)
{
	char release[64];
	int api = libvmon_get_api_version(fd);

	if (api < 0) {
		if (!quiet)
			vmon_err("%s: VMON_GET_API_VERSION failed: %s (see 'vmon doctor')",
				 VMON_DEVICE_PATH, strerror(-api));
		return api;
	}
	return vmon_check_api(api, vmon_module_release(release, sizeof(release)), quiet);
}

static int open_device(bool quiet)
{
	int fd = libvmon_open_system(), err;

	if (fd < 0) {
		if (!quiet)
			vmon_err("cannot open %s: %s (%s)", VMON_DEVICE_PATH, strerror(-fd),
				 open_hint(fd));
		return fd;
	}
	err = check_api(fd, quiet);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int vmon_open_device(void)
{
	return open_device(false);
}

int vmon_open_device_quiet(void)
{
	return open_device(true);
}

void vmon_explain_vm_create(int err)
{
	if (err == -EPROTO) {
		int fd = libvmon_open_system();

		/* which versions differ (a module reloaded since the first check?) */
		if (fd < 0 || !check_api(fd, false))
			vmon_err("%s speaks another ABI than this vmon (%d): %s", VMON_DEVICE_PATH,
				 VMON_API_VERSION, VMON_API_ADVICE);
		if (fd >= 0)
			close(fd);
		return;
	}
	if (err == -ENOENT || err == -EACCES || err == -EPERM || err == -ENODEV) {
		vmon_err("cannot open %s: %s (%s)", VMON_DEVICE_PATH, strerror(-err),
			 open_hint(err));
		return;
	}
	vmon_err("cannot create a VM: %s (see 'dmesg' for the module's reason)", strerror(-err));
}
