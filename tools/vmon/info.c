// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmon info: is everything in place to run guests, and what can the
 * hardware backend do?  Answers in words, with the next step to take
 * where something is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libvmon.h"
#include "modstate.h"
#include "version.h"
#include "vmon.h"

#define VMON_GROUP	"vmon"
#define DOCTOR_HINT	"see also:      'vmon doctor' checks everything a guest needs\n"

static const struct {
	__u32 flag;
	const char *name;
	const char *meaning;
} cap_words[] = {
	{ VMON_CAP_TDP, "tdp", "two-dimensional paging (EPT/NPT) maps guest memory" },
	{ VMON_CAP_UNRESTRICTED_GUEST, "unrestricted-guest",
	  "real mode and unpaged protected mode run without emulation" },
	{ VMON_CAP_VPID, "vpid", "VMX tags TLB entries per vCPU (no flush on entry/exit)" },
	{ VMON_CAP_ASID, "asid", "SVM tags TLB entries per guest (no flush on VMRUN)" },
	{ VMON_CAP_NRIPS, "nrips", "SVM saves the next RIP on exits" },
	{ VMON_CAP_TDP_AD, "tdp-ad", "accessed/dirty bits in the EPT/NPT tables" },
	{ VMON_CAP_XSAVE, "xsave", "guest XSAVE state (AVX, ...) is switched" },
	{ VMON_CAP_IOEVENTFD, "ioeventfd", "guest writes signal an eventfd without an exit" },
	{ VMON_CAP_IRQFD, "irqfd", "a signalled eventfd sends an MSI" },
};

static const char *const state_words[] = {
	[MODULE_NOT_LOADED] = "not loaded",
	[MODULE_BUILTIN] = "built into the kernel",
	[MODULE_LIVE] = "loaded",
	[MODULE_COMING] = "loading (its init is still running)",
	[MODULE_GOING] = "unloading",
};

/* group name of gid from /etc/group, without NSS (vmon may be static) */
static const char *group_name(gid_t gid, char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen("/etc/group", "r");

	snprintf(buf, len, "%u", (unsigned int)gid);
	if (!f)
		return buf;
	while (fgets(line, sizeof(line), f)) {
		char *name = strtok(line, ":"), *gid_str;

		if (!name || !strtok(NULL, ":"))
			continue;
		gid_str = strtok(NULL, ":\n");
		if (gid_str && (gid_t)strtoul(gid_str, NULL, 10) == gid) {
			snprintf(buf, len, "%s", name);
			break;
		}
	}
	fclose(f);
	return buf;
}

static void report_module(void)
{
	enum module_state state;
	const char *source, *release;
	char buf[64];
	int ret = module_state("vmon", &state, &source);

	release = vmon_module_release(buf, sizeof(buf));
	if (ret) {
		printf("module:        unknown (%s: %s)\n", source, strerror(-ret));
		return;
	}
	printf("module:        vmon %s%s%s (asked %s)\n", state_words[state],
	       release ? ", release " : "", release ? release : "", source);
	if (state == MODULE_NOT_LOADED)
		printf("               load it: 'modprobe vmon' after 'make install',\n"
		       "               or 'insmod kmod/vmon.ko' in the source tree\n");
}

/* the system fd, or -1 after saying why there is none */
static int report_device(void)
{
	char group[64];
	struct stat st;
	int fd;

	if (stat(VMON_DEVICE_PATH, &st) < 0) {
		printf("device:        %s missing (%s): it appears when the module loads\n",
		       VMON_DEVICE_PATH, strerror(errno));
		return -1;
	}
	printf("device:        %s mode %04o group %s", VMON_DEVICE_PATH,
	       (unsigned int)(st.st_mode & 07777), group_name(st.st_gid, group, sizeof(group)));
	fd = libvmon_open_system();
	if (fd >= 0) {
		printf(", accessible\n");
		return fd;
	}
	printf(", not accessible: %s\n", strerror(-fd));
	if (fd == -EACCES || fd == -EPERM)
		printf("               join the %s group ('usermod -aG %s USER', log in again)\n"
		       "               or run as root ('make install' adds the udev rule that\n"
		       "               gives %s to group %s)\n",
		       VMON_GROUP, VMON_GROUP, VMON_DEVICE_PATH, VMON_GROUP);
	return -1;
}

static void report_caps(const struct vmon_caps *caps)
{
	__u32 known = 0;
	unsigned int i;

	printf("backend:       %s (%s)\n", libvmon_backend_name(caps->backend),
	       caps->backend == VMON_BACKEND_VMX ? "Intel VT-x" :
	       caps->backend == VMON_BACKEND_SVM ? "AMD-V" : "no hardware virtualization");
	printf("capabilities:\n");
	for (i = 0; i < ARRAY_SIZE(cap_words); i++) {
		known |= cap_words[i].flag;
		printf("  %-20s %-3s  %s\n", cap_words[i].name,
		       caps->flags & cap_words[i].flag ? "yes" : "no", cap_words[i].meaning);
	}
	for (i = 0; i < 32; i++)
		if (caps->flags & ~known & (1u << i))
			printf("  bit %-16u yes  (unknown to this vmon: a newer module?)\n", i);
	printf("paging:        host %u-level, EPT/NPT %u-level\n",
	       caps->host_paging_levels, caps->tdp_levels);
	printf("limits:        %u vCPUs per VM, %u memory slots, %u CPUID entries,\n",
	       caps->max_vcpus, caps->max_mem_slots, caps->max_cpuid_entries);
	printf("               guest-physical addresses below 0x%llx, run page %u bytes\n",
	       (unsigned long long)caps->max_guest_phys, caps->run_size);
}

int cmd_info(int argc, char **argv)
{
	struct vmon_caps caps;
	int fd, version, ret, err;

	if (argc > 1) {
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			printf("usage: vmon info\n\n"
			       "Whether the vmon module is loaded, whether %s is accessible,\n"
			       "the API version, the backend and its capabilities.\n"
			       "Exit status 0 when guests can run, 2 otherwise.\n",
			       VMON_DEVICE_PATH);
			return VMON_STATUS_OK;
		}
		vmon_err("info: unexpected argument '%s' (vmon info takes none)", argv[1]);
		return VMON_STATUS_USAGE;
	}
	printf("vmon:          %s, API version %d\n", VMON_VERSION, VMON_API_VERSION);
	report_module();
	fd = report_device();
	if (fd < 0) {
		printf(DOCTOR_HINT);
		return VMON_STATUS_USAGE;
	}

	ret = VMON_STATUS_USAGE;
	version = libvmon_get_api_version(fd);
	if (version < 0) {
		printf("API version:   unknown: %s\n", strerror(-version));
		goto out;
	}
	if (version != VMON_API_VERSION) {
		char msg[256], release[64];

		vmon_api_mismatch_msg(msg, sizeof(msg), version,
				      vmon_module_release(release, sizeof(release)));
		printf("API version:   %d, not this vmon's: %s\n               %s\n", version, msg,
		       VMON_API_ADVICE);
		goto out;
	}
	printf("API version:   %d\n", version);
	err = libvmon_get_caps(fd, &caps);
	if (err < 0) {
		printf("capabilities:  unknown: %s\n", strerror(-err));
		goto out;
	}
	report_caps(&caps);
	ret = VMON_STATUS_OK;
out:
	if (ret)
		printf(DOCTOR_HINT);
	close(fd);
	return ret;
}
