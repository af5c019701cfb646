// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmon doctor: one screen that says whether this machine can run vmon
 * guests and, where it cannot, what is wrong and what to do.  The
 * checks run in the order a user fixes things: the CPU, the firmware,
 * other hypervisors, the module's build, its signature, loading it,
 * /dev/vmon, the ABI.  The verdict is 0 only when a guest could run.
 */
#include <stdarg.h>
#include <string.h>

#include <linux/vmon.h>

#include "doctor.h"
#include "vmon.h"

static const char *const level_words[] = {
	[DOCTOR_OK] = "ok",
	[DOCTOR_NOTE] = "note",
	[DOCTOR_UNKNOWN] = "?",
	[DOCTOR_FAIL] = "FAIL",
};

void doctor_line(struct doctor *d, enum doctor_level level, const char *topic,
		 const char *fmt, ...)
{
	va_list ap;

	if (level == DOCTOR_FAIL)
		d->failures++;
	fprintf(d->out, "%-5s %-10s ", level_words[level], topic);
	va_start(ap, fmt);
	vfprintf(d->out, fmt, ap);
	va_end(ap);
	fputc('\n', d->out);
}

void doctor_todo(struct doctor *d, const char *fmt, ...)
{
	va_list ap;

	fprintf(d->out, "%-16s -> ", "");
	va_start(ap, fmt);
	vfprintf(d->out, fmt, ap);
	va_end(ap);
	fputc('\n', d->out);
}

int doctor_run(const struct doctor_sys *sys, FILE *out)
{
	struct doctor d = { .sys = sys, .out = out };

	fprintf(out, "vmon doctor: can this machine run vmon guests?\n");
	doctor_line(&d, DOCTOR_OK, "tool", "vmon %s, ABI version %d", VMON_VERSION,
		    VMON_API_VERSION);
	/* a loaded module answers some questions before they are asked */
	d.loaded = doctor_module_live(sys);
	doctor_check_cpu(&d);
	doctor_check_firmware(&d);
	doctor_check_hypervisors(&d);
	doctor_check_build(&d);
	doctor_check_lockdown(&d);
	doctor_check_loaded(&d);
	doctor_check_device(&d);
	doctor_check_abi(&d);
	if (!d.failures) {
		fprintf(out, "verdict: vmon can run guests on this machine\n");
		return VMON_STATUS_OK;
	}
	fprintf(out, "verdict: vmon cannot run guests here: %u problem%s above (FAIL)\n",
		d.failures, d.failures == 1 ? "" : "s");
	return VMON_STATUS_USAGE;
}

int cmd_doctor(int argc, char **argv)
{
	if (argc > 1) {
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			printf("usage: vmon doctor\n\n"
			       "Whether this machine can run vmon guests, one check a line:\n"
			       "VT-x or AMD-V in the CPU (and nested virtualization in a VM),\n"
			       "enabled in the firmware, not held by another hypervisor (KVM),\n"
			       "vmon.ko built for this kernel (DKMS), signed where Secure Boot\n"
			       "lockdown requires it, loaded, %s and its group, the ABI.\n"
			       "Each failing line says what to do.\n"
			       "\n"
			       "Exit status 0 when a guest could run, 2 otherwise.\n",
			       "/dev/vmon");
			return VMON_STATUS_OK;
		}
		vmon_err("doctor: unexpected argument '%s' (vmon doctor takes none)", argv[1]);
		return VMON_STATUS_USAGE;
	}
	return doctor_run(&doctor_host, stdout);
}
