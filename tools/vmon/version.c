// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmon --version, and the one check of the module's ABI that every
 * command opening /dev/vmon makes (device.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <linux/vmon.h>

#include "libvmon.h"
#include "version.h"
#include "vmon.h"

const char *vmon_module_release(char *buf, size_t len)
{
	int fd = open("/sys/module/vmon/version", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

void vmon_api_mismatch_msg(char *buf, size_t len, int module_api, const char *module_release)
{
	snprintf(buf, len, "vmon.ko %s speaks ABI version %d, this vmon %s speaks ABI version %d",
		 module_release ? module_release : "(release unknown)", module_api,
		 VMON_VERSION, VMON_API_VERSION);
}

int vmon_check_api(int module_api, const char *module_release, bool quiet)
{
	char msg[256];

	if (module_api == VMON_API_VERSION)
		return 0;
	if (!quiet) {
		vmon_api_mismatch_msg(msg, sizeof(msg), module_api, module_release);
		vmon_err("%s: %s", msg, VMON_API_ADVICE);
	}
	return -EPROTO;
}

void vmon_print_versions(FILE *f)
{
	char release[64];
	const char *rel = vmon_module_release(release, sizeof(release));
	int fd, api;

	fprintf(f, "vmon %s (ABI version %d)\n", VMON_VERSION, VMON_API_VERSION);
	if (access("/sys/module/vmon", F_OK)) {
		fprintf(f, "vmon.ko not loaded\n");
		return;
	}
	fd = libvmon_open_system();
	if (fd < 0) {
		fprintf(f, "vmon.ko %s (ABI version unknown: %s: %s)\n", rel ? rel : "loaded",
			VMON_DEVICE_PATH, strerror(-fd));
		return;
	}
	api = libvmon_get_api_version(fd);
	close(fd);
	if (api < 0)
		fprintf(f, "vmon.ko %s (ABI version unknown: %s)\n", rel ? rel : "loaded",
			strerror(-api));
	else
		fprintf(f, "vmon.ko %s (ABI version %d%s)\n", rel ? rel : "loaded", api,
			api == VMON_API_VERSION ? "" : ": not this vmon's, see 'vmon doctor'");
}
