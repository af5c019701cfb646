// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmon doctor, the device: may the caller open /dev/vmon (its mode,
 * its group, the caller's groups), and does the module speak the ABI
 * of this vmon?  /etc/group and /etc/passwd are read as files: the
 * static vmon has no NSS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vmon.h>

#include "doctor.h"
#include "libvmon.h"
#include "version.h"
#include "vmon.h"

#define VMON_GROUP	"vmon"
#define MAX_GROUPS	256

/*
 * The line of /etc/group (or /etc/passwd) whose field 0 is name (or,
 * name NULL, whose field 2 is id) into buf: 0, or -ENOENT.
 */
static int find_entry(struct doctor *d, const char *file, const char *name, unsigned long id,
		      char *buf, size_t len)
{
	static char text[65536];
	char *line, *save = NULL;

	if (doctor_read(d->sys, file, text, sizeof(text), false) < 0)
		return -ENOENT;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *colon = strchr(line, ':'), *gid;

		if (!colon)
			continue;
		if (name) {
			if (strlen(name) != (size_t)(colon - line) ||
			    strncmp(line, name, colon - line))
				continue;
		} else {
			gid = strchr(colon + 1, ':');
			if (!gid || strtoul(gid + 1, NULL, 10) != id)
				continue;
		}
		snprintf(buf, len, "%s", line);
		return 0;
	}
	return -ENOENT;
}

/* field n of a colon-separated line, into buf */
static const char *field(const char *line, int n, char *buf, size_t len)
{
	while (n-- && line)
		line = strchr(line, ':') ? strchr(line, ':') + 1 : NULL;
	snprintf(buf, len, "%.*s", line ? (int)strcspn(line, ":") : 0, line ? line : "");
	return buf;
}

/* is user listed as a member in the /etc/group line? */
static bool listed(const char *group_line, const char *user)
{
	char members[4096], *m, *save = NULL;

	field(group_line, 3, members, sizeof(members));
	for (m = strtok_r(members, ",", &save); m; m = strtok_r(NULL, ",", &save))
		if (!strcmp(m, user))
			return true;
	return false;
}

/* the caller cannot open the device: why, and what to do */
static void no_access(struct doctor *d, const struct stat *st, const char *group)
{
	char line[4096], user[64] = "", passwd[1024];
	uid_t uid = d->sys->euid(d->sys);

	if (!find_entry(d, "/etc/passwd", NULL, uid, passwd, sizeof(passwd)))
		field(passwd, 0, user, sizeof(user));
	if (!user[0])
		snprintf(user, sizeof(user), "%u", (unsigned int)uid);
	if (strcmp(group, VMON_GROUP)) {
		doctor_line(d, DOCTOR_FAIL, "device", "/dev/vmon is mode %04o group %s: only root may open it (the udev rule is not installed)",
			    (unsigned int)(st->st_mode & 07777), group);
		doctor_todo(d, "as root: install udev/60-vmon.rules into /lib/udev/rules.d ('make install' or the vmon-dkms package do), 'groupadd --system vmon', 'udevadm control --reload; udevadm trigger'");
		return;
	}
	if (!find_entry(d, "/etc/group", VMON_GROUP, 0, line, sizeof(line)) && listed(line, user)) {
		doctor_line(d, DOCTOR_FAIL, "device", "%s is in group vmon, but this session started before that",
			    user);
		doctor_todo(d, "log out and in again (or 'newgrp vmon' for one shell)");
		return;
	}
	doctor_line(d, DOCTOR_FAIL, "device", "/dev/vmon is mode %04o group vmon, and %s is not in group vmon",
		    (unsigned int)(st->st_mode & 07777), user);
	doctor_todo(d, "as root: 'usermod -aG vmon %s', then log in again; or run vmon as root", user);
}

/* may the caller read and write a file of this mode, owner and group? */
static bool may_open(struct doctor *d, const struct stat *st)
{
	gid_t groups[MAX_GROUPS];
	uid_t uid = d->sys->euid(d->sys);
	int n, i;

	if (uid == 0 || (st->st_mode & 06) == 06)
		return true;
	if (st->st_uid == uid)
		return (st->st_mode & 0600) == 0600;
	n = d->sys->groups(d->sys, groups, MAX_GROUPS);
	for (i = 0; i < n; i++)
		if (groups[i] == st->st_gid)
			return (st->st_mode & 060) == 060;
	return false;
}

void doctor_check_device(struct doctor *d)
{
	char line[4096], group[64];
	struct stat st;
	int err = d->sys->stat(d->sys, VMON_DEVICE_PATH, &st);

	if (err) {
		if (!d->loaded) {
			doctor_line(d, DOCTOR_FAIL, "device", "no /dev/vmon: it appears when vmon.ko loads");
			doctor_todo(d, "load the module (above)");
		} else {
			doctor_line(d, DOCTOR_FAIL, "device", "no /dev/vmon although vmon.ko is loaded (%s)",
				    strerror(-err));
			doctor_todo(d, "as root: 'udevadm trigger' (udev creates it), or mount devtmpfs on /dev");
		}
		return;
	}
	if (!S_ISCHR(st.st_mode)) {
		doctor_line(d, DOCTOR_FAIL, "device", "/dev/vmon is not a character device");
		doctor_todo(d, "as root: 'rm /dev/vmon', then reload the module ('modprobe -r vmon; modprobe vmon')");
		return;
	}
	if (!find_entry(d, "/etc/group", NULL, st.st_gid, line, sizeof(line)))
		field(line, 0, group, sizeof(group));
	else
		snprintf(group, sizeof(group), "%u", (unsigned int)st.st_gid);
	if (!may_open(d, &st)) {
		no_access(d, &st, group);
		return;
	}
	d->device_ok = true;
	doctor_line(d, DOCTOR_OK, "device", "/dev/vmon mode %04o group %s: you may open it",
		    (unsigned int)(st.st_mode & 07777), group);
}

void doctor_check_abi(struct doctor *d)
{
	char version[64] = "", msg[512];
	int api;

	if (!d->device_ok) {
		doctor_line(d, DOCTOR_UNKNOWN, "abi", "not checked: /dev/vmon cannot be opened");
		return;
	}
	api = d->sys->api_version(d->sys);
	if (api < 0) {
		doctor_line(d, DOCTOR_FAIL, "abi", "VMON_GET_API_VERSION on /dev/vmon failed: %s",
			    strerror(-api));
		doctor_todo(d, "'dmesg | grep vmon' may say why; reload the module ('modprobe -r vmon; modprobe vmon')");
		return;
	}
	doctor_read(d->sys, "/sys/module/vmon/version", version, sizeof(version), true);
	if (api != VMON_API_VERSION) {
		vmon_api_mismatch_msg(msg, sizeof(msg), api, version[0] ? version : NULL);
		doctor_line(d, DOCTOR_FAIL, "abi", "%s", msg);
		doctor_todo(d, "%s", VMON_API_ADVICE);
		return;
	}
	doctor_line(d, DOCTOR_OK, "abi", "vmon.ko speaks ABI version %d, as this vmon does", api);
}
