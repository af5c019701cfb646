// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmon ps: the VMs you may watch, one line each.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "parse.h"
#include "vmon.h"
#include "watch.h"

static void ps_usage(FILE *f)
{
	fprintf(f,
		"usage: vmon ps [--json]\n"
		"\n"
		"List the running VMs you may watch (yours; every VM with CAP_SYS_ADMIN):\n"
		"ID NAME PID USER VCPUS MEM BACKEND EXITS.\n"
		"\n"
		"  --json   one JSON document: {\"vms\":[{\"id\":..,\"name\":..,...}]}\n");
}

void ps_print(FILE *f, const struct ps_row *rows, unsigned int n, bool json)
{
	char user[64], mem[32], exits[24];
	int name_w = 4;
	unsigned int i;

	if (json) {
		struct json_writer w;

		json_init(&w, f);
		json_begin_object(&w, NULL);
		json_begin_array(&w, "vms");
		for (i = 0; i < n; i++) {
			const struct libvmon_vm_info *vm = &rows[i].vm;

			json_begin_object(&w, NULL);
			json_u64(&w, "id", vm->id);
			json_str(&w, "name", vm->name);
			json_u64(&w, "pid", vm->pid);
			json_u64(&w, "uid", vm->uid);
			json_str(&w, "user", format_user(vm->uid, user, sizeof(user)));
			json_u64(&w, "vcpus", vm->nr_vcpus);
			json_u64(&w, "mem_bytes", vm->mem_bytes);
			json_str(&w, "backend", vm->backend);
			if (rows[i].exits == UINT64_MAX)
				json_null(&w, "exits");
			else
				json_u64(&w, "exits", rows[i].exits);
			json_end_object(&w);
		}
		json_end_array(&w);
		json_end_object(&w);
		return;
	}

	for (i = 0; i < n; i++)
		if ((int)strlen(rows[i].vm.name) > name_w)
			name_w = (int)strlen(rows[i].vm.name);
	fprintf(f, "%4s  %-*s %7s  %-10s %5s  %-9s %-7s %12s\n",
		"ID", name_w, "NAME", "PID", "USER", "VCPUS", "MEM", "BACKEND", "EXITS");
	for (i = 0; i < n; i++) {
		const struct libvmon_vm_info *vm = &rows[i].vm;

		if (rows[i].exits == UINT64_MAX)
			snprintf(exits, sizeof(exits), "-");
		else
			snprintf(exits, sizeof(exits), "%llu", (unsigned long long)rows[i].exits);
		fprintf(f, "%4u  %-*s %7u  %-10s %5u  %-9s %-7s %12s\n",
			vm->id, name_w, vm->name[0] ? vm->name : "-", vm->pid,
			format_user(vm->uid, user, sizeof(user)), vm->nr_vcpus,
			format_size(vm->mem_bytes, mem, sizeof(mem)), vm->backend, exits);
	}
}

static const struct option ps_long_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

int cmd_ps(int argc, char **argv)
{
	struct libvmon_vm_info *vms = NULL;
	struct ps_row *rows = NULL;
	struct libvmon_vm_stats st;
	struct libvmon_nl nl;
	unsigned int n = 0, i;
	bool json = false;
	int c, ret;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:h", ps_long_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			ps_usage(stdout);
			return VMON_STATUS_OK;
		default:
			vmon_err("ps: unknown option '%s' (see 'vmon ps --help')", argv[optind - 1]);
			return VMON_STATUS_USAGE;
		}
	}
	if (optind < argc) {
		vmon_err("ps: unexpected argument '%s' (vmon ps takes no arguments; see 'vmon stat VM')",
			 argv[optind]);
		return VMON_STATUS_USAGE;
	}

	if (watch_nl_open(&nl))
		return VMON_STATUS_USAGE;
	ret = libvmon_nl_list_vms(&nl, &vms, &n);
	if (ret) {
		watch_nl_explain(&nl, ret, "ps: listing VMs", -1, -1);
		libvmon_nl_close(&nl);
		return VMON_STATUS_USAGE;
	}
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows) {
		vmon_err("ps: out of memory");
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		rows[i].vm = vms[i];
		/* a VM may go away between the list and this: then "-" */
		rows[i].exits = UINT64_MAX;
		if (!libvmon_nl_get_stats(&nl, vms[i].id, -1, &st)) {
			rows[i].exits = st.total.exits;
			libvmon_vm_stats_free(&st);
		}
	}
	ps_print(stdout, rows, n, json);
out:
	free(rows);
	free(vms);
	libvmon_nl_close(&nl);
	return ret ? VMON_STATUS_USAGE : VMON_STATUS_OK;
}
