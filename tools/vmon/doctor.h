/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmon doctor: can this machine run vmon guests, and if not, why and
 * what to do.
 *
 * Every probe reads the system through struct doctor_sys: file paths
 * are taken below sys->root, and what is not a file (CPUID, MSRs, the
 * caller's groups, external commands, the ioctl on /dev/vmon) goes
 * through its function pointers.  doctor_host is the running system;
 * the unit tests (test/doctor_test.c) give a directory tree of their
 * own and fake functions, and check the verdict.
 */
#ifndef VMON_DOCTOR_H
#define VMON_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

struct doctor_sys {
	const char *root;	/* prefix of every path read: "" for this system */
	/* CPUID leaf.subleaf: regs = EAX, EBX, ECX, EDX */
	void (*cpuid)(const struct doctor_sys *sys, unsigned int leaf, unsigned int subleaf,
		      unsigned int regs[4]);
	/* an MSR of CPU 0 into *val, or -errno (-ENOENT: no msr driver) */
	int (*rdmsr)(const struct doctor_sys *sys, unsigned int msr, uint64_t *val);
	/* stat() of root + path, or -errno */
	int (*stat)(const struct doctor_sys *sys, const char *path, struct stat *st);
	/*
	 * Run argv (argv[0] found in $PATH), its stdout into buf (NUL
	 * ended): its exit status, or -ENOENT when it is not installed.
	 */
	int (*run)(const struct doctor_sys *sys, const char *const *argv, char *buf, size_t len);
	/* the caller's effective uid, and gids (effective and supplementary) */
	uid_t (*euid)(const struct doctor_sys *sys);
	int (*groups)(const struct doctor_sys *sys, gid_t *list, int max);
	/* open /dev/vmon and ask VMON_GET_API_VERSION: the version, or -errno */
	int (*api_version)(const struct doctor_sys *sys);
	void *priv;		/* the fakes' state */
};

extern const struct doctor_sys doctor_host;

/* how a line of the report counts toward the verdict */
enum doctor_level {
	DOCTOR_OK,
	DOCTOR_NOTE,		/* worth knowing; does not stop a guest */
	DOCTOR_UNKNOWN,		/* could not be checked; does not stop a guest */
	DOCTOR_FAIL,		/* a guest cannot run until this is fixed */
};

enum doctor_vendor { DOCTOR_OTHER, DOCTOR_INTEL, DOCTOR_AMD };

/* what the checks found, for the checks after them */
struct doctor {
	const struct doctor_sys *sys;
	FILE *out;
	unsigned int failures;
	enum doctor_vendor vendor;
	bool has_hw;		/* CPUID offers VMX or SVM */
	bool in_vm;		/* CPUID's hypervisor bit */
	bool loaded;		/* /sys/module/vmon is live */
	bool device_ok;		/* the caller may open /dev/vmon */
	char release[128];	/* uname -r */
	char ko[1024];		/* vmon.ko for this release, "" if none */
};

/* one line of the report; each DOCTOR_FAIL line is followed by doctor_todo() */
void doctor_line(struct doctor *d, enum doctor_level level, const char *topic,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* what to do, indented under the line before */
void doctor_todo(struct doctor *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ROOT/path into buf, first line only when first_line; length, or -errno */
int doctor_read(const struct doctor_sys *sys, const char *path, char *buf, size_t len,
		bool first_line);
/* root + path, for opendir() and the like */
const char *doctor_path(const struct doctor_sys *sys, const char *path, char *buf, size_t len);

/* the hardware: CPU, nested virtualization, firmware, other hypervisors (doctor_cpu.c) */
void doctor_check_cpu(struct doctor *d);
void doctor_check_firmware(struct doctor *d);
void doctor_check_hypervisors(struct doctor *d);
/* the module: built, signed, loaded; the device and the ABI (doctor_module.c) */
/* is /sys/module/vmon live (or built in)? */
bool doctor_module_live(const struct doctor_sys *sys);
void doctor_check_build(struct doctor *d);
void doctor_check_lockdown(struct doctor *d);
void doctor_check_loaded(struct doctor *d);
void doctor_check_device(struct doctor *d);
void doctor_check_abi(struct doctor *d);

/* every check, then the verdict: 0 when a guest could run, else VMON_STATUS_USAGE */
int doctor_run(const struct doctor_sys *sys, FILE *out);

#endif /* VMON_DOCTOR_H */
