// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmon doctor, the module: is vmon.ko built for the running kernel
 * (and what DKMS says), will lockdown accept it, is it loaded, may the
 * caller open /dev/vmon, and do the module and the tool speak one ABI?
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vmon.h>

#include "doctor.h"
#include "vmon.h"

#define VMON_GROUP	"vmon"
/* kernel/module_signature.h: the end of a module with a signature appended */
#define MODULE_SIG_MAGIC "~Module signature appended~\n"

bool doctor_module_live(const struct doctor_sys *sys)
{
	char state[16];
	struct stat st;

	if (sys->stat(sys, "/sys/module/vmon", &st))
		return false;
	/* built-in modules have a directory but no initstate */
	if (doctor_read(sys, "/sys/module/vmon/initstate", state, sizeof(state), true) == -ENOENT)
		return true;
	return !strcmp(state, "live");
}

/* a file named vmon.ko[.xz|.zst|.gz] below dir, at most depth levels down */
static bool find_ko(const char *dir, int depth, char *found, size_t len)
{
	struct dirent *e;
	bool ret = false;
	struct stat st;
	unsigned char type;
	DIR *dp;

	if (depth < 0)
		return false;
	dp = opendir(dir);
	if (!dp)
		return false;
	while (!ret && (e = readdir(dp))) {
		char path[1024];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		type = e->d_type;
		if (type == DT_UNKNOWN)	/* filesystems that do not fill d_type */
			type = lstat(path, &st) ? DT_UNKNOWN : S_ISDIR(st.st_mode) ? DT_DIR :
			       S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
		/* DT_LNK is not followed: "build" and "source" lead to the headers */
		if (type == DT_DIR) {
			ret = find_ko(path, depth - 1, found, len);
		} else if (type == DT_REG && (!strcmp(e->d_name, "vmon.ko") ||
						   !strncmp(e->d_name, "vmon.ko.", 8))) {
			snprintf(found, len, "%s", path);
			ret = true;
		}
	}
	closedir(dp);
	return ret;
}

/*
 * DKMS's line for this kernel into buf: 0; 1 when DKMS has vmon but not
 * for this kernel (buf: its first line), -errno (-ENOENT: no dkms).
 */
static int dkms_state(struct doctor *d, char *buf, size_t len)
{
	static const char *const argv[] = { "dkms", "status", "vmon", NULL };
	char out[4096], *line, *save = NULL;
	bool known = false;
	int ret = d->sys->run(d->sys, argv, out, sizeof(out));

	if (ret < 0)
		return ret;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *rel = strstr(line, d->release);

		if (strncmp(line, "vmon", 4))
			continue;
		if (!known)	/* for the message: what DKMS has instead */
			snprintf(buf, len, "%s", line);
		known = true;
		/* "vmon/0.1, 6.1.0-57-amd64, x86_64: installed" */
		if (rel && rel[-1] == ' ' && rel[strlen(d->release)] == ',') {
			snprintf(buf, len, "%s", line);
			return 0;
		}
	}
	return known ? 1 : -ESRCH;
}

static void missing_ko(struct doctor *d, const char *dkms, int dkms_ret)
{
	char path[512];
	struct stat st;
	bool headers;

	snprintf(path, sizeof(path), "/lib/modules/%s/build", d->release);
	headers = !d->sys->stat(d->sys, path, &st);
	if (d->loaded) {
		doctor_line(d, DOCTOR_NOTE, "build", "vmon is loaded, but no vmon.ko is installed below /lib/modules/%s: it will not load after a reboot",
			    d->release);
		return;
	}
	doctor_line(d, DOCTOR_FAIL, "build", "no vmon.ko for the running kernel %s (below /lib/modules/%s)%s%s",
		    d->release, d->release, dkms_ret == 1 ? "; DKMS: " : "",
		    dkms_ret == 1 ? dkms : "");
	if (!headers)
		doctor_todo(d, "'apt install linux-headers-%s' (DKMS builds against them), then:",
			    d->release);
	if (dkms_ret == 1)
		doctor_todo(d, "'dkms autoinstall -k %s' builds it (the messages say why if it fails)",
			    d->release);
	else
		doctor_todo(d, "'apt install ./vmon-dkms_*.deb' (from 'make deb') or 'make dkms-install' in the source tree: DKMS builds it for every kernel with headers");
}

void doctor_check_build(struct doctor *d)
{
	char dir[512], full[512], dkms[256] = "";
	int ret;

	ret = doctor_read(d->sys, "/proc/sys/kernel/osrelease", d->release, sizeof(d->release),
			  true);
	if (ret <= 0) {
		doctor_line(d, DOCTOR_UNKNOWN, "build", "cannot read the kernel's release: %s",
			    strerror(ret ? -ret : EIO));
		return;
	}
	snprintf(dir, sizeof(dir), "/lib/modules/%s", d->release);
	if (find_ko(doctor_path(d->sys, dir, full, sizeof(full)), 6, d->ko, sizeof(d->ko)))
		/* without the root prefix, for the messages */
		memmove(d->ko, d->ko + strlen(d->sys->root), strlen(d->ko + strlen(d->sys->root)) + 1);
	else
		d->ko[0] = 0;
	ret = dkms_state(d, dkms, sizeof(dkms));
	if (!d->ko[0]) {
		missing_ko(d, dkms, ret);
		return;
	}
	doctor_line(d, DOCTOR_OK, "build", "%s%s%s", d->ko, ret ? "" : "; DKMS: ", ret ? "" : dkms);
}

/* 1 when the file ends with a module signature, 0 not, -errno, -EMEDIUMTYPE: compressed */
static int ko_signed(struct doctor *d)
{
	char path[512], tail[sizeof(MODULE_SIG_MAGIC)] = "";
	size_t n = sizeof(MODULE_SIG_MAGIC) - 1;
	FILE *f;
	int ret = 0;

	if (strcmp(d->ko + strlen(d->ko) - 3, ".ko"))
		return -EMEDIUMTYPE;
	f = fopen(doctor_path(d->sys, d->ko, path, sizeof(path)), "r");
	if (!f)
		return -errno;
	if (!fseek(f, -(long)n, SEEK_END) && fread(tail, 1, n, f) == n)
		ret = !memcmp(tail, MODULE_SIG_MAGIC, n);
	fclose(f);
	return ret;
}

void doctor_check_lockdown(struct doctor *d)
{
	static const char *const sb_argv[] = { "mokutil", "--sb-state", NULL };
	char lockdown[128] = "", mode[32] = "none", enforce[8] = "", sb[256] = "";
	const char *open, *close;
	int sig;

	if (doctor_read(d->sys, "/sys/kernel/security/lockdown", lockdown, sizeof(lockdown),
			true) > 0) {
		/* "none [integrity] confidentiality": the mode in force is bracketed */
		open = strchr(lockdown, '[');
		close = open ? strchr(open, ']') : NULL;
		if (close)
			snprintf(mode, sizeof(mode), "%.*s", (int)(close - open - 1), open + 1);
	}
	doctor_read(d->sys, "/sys/module/module/parameters/sig_enforce", enforce,
		    sizeof(enforce), true);
	if (d->sys->run(d->sys, sb_argv, sb, sizeof(sb)) >= 0)
		sb[strcspn(sb, "\n")] = 0;
	if (!strcmp(mode, "none") && enforce[0] != 'Y') {
		doctor_line(d, DOCTOR_OK, "lockdown", "unsigned modules load (lockdown: none%s%s)",
			    sb[0] ? "; " : "", sb);
		return;
	}
	if (d->loaded) {
		doctor_line(d, DOCTOR_OK, "lockdown", "the kernel requires signed modules (lockdown: %s, sig_enforce: %s) and accepted vmon's",
			    mode, enforce[0] ? enforce : "-");
		return;
	}
	sig = d->ko[0] ? ko_signed(d) : -ENOENT;
	if (sig == 0) {
		doctor_line(d, DOCTOR_FAIL, "lockdown", "the kernel refuses unsigned modules (lockdown: %s%s%s) and %s is not signed",
			    mode, sb[0] ? "; " : "", sb, d->ko);
		doctor_todo(d, "build it through DKMS, which signs it with /var/lib/dkms/mok.key ('make dkms-install' or the vmon-dkms package), and enroll that key: 'mokutil --import /var/lib/dkms/mok.pub', reboot, confirm in the MOK manager (Documentation/install.rst); or turn Secure Boot off in the firmware");
		return;
	}
	doctor_line(d, DOCTOR_NOTE, "lockdown", "the kernel requires signed modules (lockdown: %s%s%s): %s; its key must be enrolled ('mokutil --test-key /var/lib/dkms/mok.pub')",
		    mode, sb[0] ? "; " : "", sb,
		    sig > 0 ? "vmon.ko is signed" :
		    sig == -EMEDIUMTYPE ? "vmon.ko is compressed, its signature unchecked" :
		    "DKMS signs what it builds with /var/lib/dkms/mok.pub");
}

void doctor_check_loaded(struct doctor *d)
{
	char state[16] = "", version[64] = "";
	struct stat st;

	doctor_read(d->sys, "/sys/module/vmon/version", version, sizeof(version), true);
	if (d->loaded) {
		doctor_line(d, DOCTOR_OK, "module", "vmon.ko %s loaded", version[0] ? version :
			    "(no version)");
		return;
	}
	if (!d->sys->stat(d->sys, "/sys/module/vmon", &st)) {
		doctor_read(d->sys, "/sys/module/vmon/initstate", state, sizeof(state), true);
		doctor_line(d, DOCTOR_FAIL, "module", "vmon.ko is %s", !strcmp(state, "coming") ?
			    "still loading" : "unloading");
		doctor_todo(d, "wait a moment, then 'vmon doctor' again");
		return;
	}
	doctor_line(d, DOCTOR_FAIL, "module", "vmon.ko is not loaded");
	if (d->ko[0])
		doctor_todo(d, "'modprobe vmon' as root; if it refuses, 'dmesg | grep vmon' says why");
	else
		doctor_todo(d, "install it for this kernel (see 'build'), then 'modprobe vmon' as root");
}
