// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmon: run small guests on the vmon hypervisor module.
 *
 * One table of subcommands; each lives in its own file.  Adding one
 * (ps, stat, top, trace, dump, ...) is one line in commands[] and one
 * file.
 */
#include <stdio.h>
#include <string.h>

#include <linux/vmon.h>

#include "version.h"
#include "vmon.h"

static int cmd_help(int argc, char **argv);

static const struct vmon_command commands[] = {
	{ "run",  "--kernel|--flat FILE", "boot a kernel, or run a guest image, on one vCPU",
	  cmd_run },
	{ "info", "",		"module state, /dev/vmon access, backend and capabilities",
	  cmd_info },
	{ "doctor", "",		"can this machine run guests? if not, why and what to do",
	  cmd_doctor },
	{ "ps",   "[--json]",	"the VMs you may watch: id, name, owner, vCPUs, memory, exits",
	  cmd_ps },
	{ "stat", "[VM] [--json]", "exits by reason with guest/host time and latency, per vCPU",
	  cmd_stat },
	{ "top",  "[--delay S]", "VMs sorted by exit rate, refreshed every second", cmd_top },
	{ "trace", "[--vm VM] [--reason R]", "one line per VM exit, until Ctrl-C or --count N",
	  cmd_trace },
	{ "dump", "VM VCPU [--json]", "a vCPU's VMCS or VMCB fields, grouped, by name",
	  cmd_dump },
	{ "help", "[COMMAND]",	"this text, or the options of COMMAND", cmd_help },
};

#define NR_COMMANDS ARRAY_SIZE(commands)

/*
 * Two spaces at least between synopsis and summary: tools/vmon/gen-man.sh
 * and gen-completion.sh split the lines there.
 */
static void usage(FILE *f)
{
	char synopsis[NR_COMMANDS][64];
	int i, width = 0;

	fprintf(f, "usage: vmon COMMAND [ARGS]\n       vmon --version\n\ncommands:\n");
	for (i = 0; i < (int)NR_COMMANDS; i++) {
		snprintf(synopsis[i], sizeof(synopsis[i]), "%s %s", commands[i].name,
			 commands[i].args);
		if ((int)strlen(synopsis[i]) > width)
			width = strlen(synopsis[i]);
	}
	for (i = 0; i < (int)NR_COMMANDS; i++)
		fprintf(f, "  %-*s  %s\n", width, synopsis[i], commands[i].summary);
	fprintf(f, "\nRun 'vmon COMMAND --help' for the options of a command.\n");
}

static const struct vmon_command *find_command(const char *name)
{
	unsigned int i;

	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	const struct vmon_command *c;
	char *help_argv[] = { NULL, "--help", NULL };

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return VMON_STATUS_OK;
	}
	c = find_command(argv[1]);
	if (!c || c->run == cmd_help) {
		if (!c)
			vmon_err("help: no command '%s' (see 'vmon help')", argv[1]);
		else
			usage(stdout);
		return c ? VMON_STATUS_OK : VMON_STATUS_USAGE;
	}
	help_argv[0] = (char *)c->name;
	return c->run(2, help_argv);
}

int main(int argc, char **argv)
{
	const struct vmon_command *c;

	if (argc < 2) {
		usage(stderr);
		return VMON_STATUS_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		vmon_print_versions(stdout);
		return VMON_STATUS_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return VMON_STATUS_OK;
	}
	c = find_command(argv[1]);
	if (!c) {
		vmon_err("no command '%s' (see 'vmon help')", argv[1]);
		return VMON_STATUS_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
