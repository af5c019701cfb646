/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmon: declarations shared by the subcommands of the vmon command.
 */
#ifndef VMON_CLI_H
#define VMON_CLI_H

#include <stdint.h>

/* the release, from dkms.conf's PACKAGE_VERSION (Makefile), as the module's */
#ifndef VMON_VERSION
#error "VMON_VERSION comes from the Makefile (dkms.conf's PACKAGE_VERSION)"
#endif

/*
 * Exit statuses of vmon itself.  A guest that stops through the
 * debug-exit port (0xF4) makes vmon exit with (v << 1) | 1, which is
 * always odd, so vmon's own statuses are all even: a script can tell a
 * guest's verdict from vmon's.  Signals follow the shell's 128 + n.
 */
enum vmon_status {
	VMON_STATUS_OK		= 0,	/* guest powered off or reset; success */
	VMON_STATUS_USAGE	= 2,	/* bad command line or setup failure */
	VMON_STATUS_VM_FAILED	= 4,	/* VM entry failed, or an exit vmon cannot handle */
	VMON_STATUS_SHUTDOWN	= 6,	/* the guest triple-faulted */
	VMON_STATUS_SIGNAL_BASE	= 128,	/* + signal number (SIGINT: 130) */
};

struct vmon_command {
	const char *name;
	const char *args;	/* argument synopsis for the usage text */
	const char *summary;
	int (*run)(int argc, char **argv);	/* argv[0] is the subcommand */
};

int cmd_run(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_doctor(int argc, char **argv);	/* doctor.c */
/* the watching commands, over generic netlink (ps.c, stat.c, top.c, trace.c, dump.c) */
int cmd_ps(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_dump(int argc, char **argv);

/* one line on stderr: "vmon: <message>" */
void vmon_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifndef ARRAY_SIZE	/* kselftest_harness.h, in the unit tests, has its own */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

#endif /* VMON_CLI_H */
