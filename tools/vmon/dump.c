// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmon dump VM VCPU: the vCPU's VMCS fields or VMCB, grouped as the
 * manuals group them (control, exit information, guest state, host
 * state), with the names of tables/vmcs_fields.h and vmcb_fields.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "decode_tables.h"
#include "json.h"
#include "vmon.h"
#include "watch.h"

static void dump_usage(FILE *f)
{
	fprintf(f,
		"usage: vmon dump VM VCPU [--json]\n"
		"\n"
		"The current state of vCPU VCPU of VM (an id or a name from 'vmon ps'): every\n"
		"VMCS field (VMX) or VMCB field (SVM) as NAME = value, grouped into control,\n"
		"exit information, guest state and host state.  Field names and groups come\n"
		"from tables/vmcs_fields.h (Intel SDM Vol. 3C App. B) and tables/vmcb_fields.h\n"
		"(AMD APM Vol. 2 App. B).  A running vCPU is dumped as of its last exit.\n"
		"\n"
		"  --json   one JSON document: {\"vm\":..,\"vcpu\":..,\"backend\":..,\n"
		"           \"fields\":{\"guest\":{\"GUEST_RIP\":..,...},...}}\n");
}

static const struct option dump_long_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

int dump_parse_options(int argc, char **argv, struct dump_options *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	optind = 0;
	/* options may follow the operands: "vmon dump 1 0 --json" */
	while ((c = getopt_long(argc, argv, ":h", dump_long_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'h':
			o->help = true;
			return 0;
		default:
			vmon_err("dump: unknown option '%s' (see 'vmon dump --help')",
				 argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (argc - optind != 2) {
		vmon_err("dump: %s (usage: vmon dump VM VCPU, e.g. vmon dump 1 0; see 'vmon ps')",
			 argc - optind < 2 ? "give a VM and a vCPU number" : "too many arguments");
		return -EINVAL;
	}
	o->vm = argv[optind];
	return parse_count("dump", "VCPU", argv[optind + 1], UINT32_MAX, &o->vcpu);
}

struct sorted_field {
	const struct libvmon_state_value *v;
	const struct state_field_desc *desc;	/* NULL: not in the table */
};

static int by_group_then_table(const void *a, const void *b)
{
	const struct sorted_field *x = a, *y = b;
	enum state_group gx = x->desc ? x->desc->group : STATE_GROUP_OTHER;
	enum state_group gy = y->desc ? y->desc->group : STATE_GROUP_OTHER;

	if (gx != gy)
		return gx < gy ? -1 : 1;
	/* within a group, the order of the table (the manual's order) */
	if (x->desc && y->desc && x->desc != y->desc)
		return x->desc < y->desc ? -1 : 1;
	return x->v->id < y->v->id ? -1 : x->v->id > y->v->id;
}

static const char *field_name(const struct sorted_field *s, char *buf, size_t len)
{
	if (s->desc)
		return s->desc->name;
	if (s->v->name[0])
		return s->v->name;
	snprintf(buf, len, "FIELD_%#x", s->v->id);
	return buf;
}

void dump_print(FILE *f, const struct libvmon_state_dump *d, bool json)
{
	unsigned int backend = backend_from_name(d->backend), i, bytes;
	enum state_group g, last = STATE_GROUP_NR;
	struct sorted_field *s;
	struct json_writer w;
	char name[32];
	int name_w = 0;

	s = calloc(d->nr_fields ? d->nr_fields : 1, sizeof(*s));
	if (!s) {
		vmon_err("dump: out of memory");
		return;
	}
	for (i = 0; i < d->nr_fields; i++) {
		s[i].v = &d->fields[i];
		s[i].desc = state_field_find(backend, d->fields[i].id);
		if ((int)strlen(field_name(&s[i], name, sizeof(name))) > name_w)
			name_w = (int)strlen(field_name(&s[i], name, sizeof(name)));
	}
	qsort(s, d->nr_fields, sizeof(*s), by_group_then_table);

	if (json) {
		json_init(&w, f);
		json_begin_object(&w, NULL);
		json_u64(&w, "vm", d->vm_id);
		json_u64(&w, "vcpu", d->vcpu_id);
		json_str(&w, "backend", d->backend);
		json_begin_object(&w, "fields");
		for (i = 0; i < d->nr_fields; i++) {
			g = s[i].desc ? s[i].desc->group : STATE_GROUP_OTHER;
			if (g != last) {
				if (last != STATE_GROUP_NR)
					json_end_object(&w);
				json_begin_object(&w, state_group_key(g));
				last = g;
			}
			json_u64(&w, field_name(&s[i], name, sizeof(name)), s[i].v->value);
		}
		if (last != STATE_GROUP_NR)
			json_end_object(&w);
		json_end_object(&w);
		dump_print_lapic(f, d, &w);
		json_end_object(&w);
		free(s);
		return;
	}

	fprintf(f, "VM %u vCPU %u: %s, %u %s fields\n", d->vm_id, d->vcpu_id, d->backend,
		d->nr_fields, backend == VMON_BACKEND_VMX ? "VMCS" : "VMCB");
	for (i = 0; i < d->nr_fields; i++) {
		g = s[i].desc ? s[i].desc->group : STATE_GROUP_OTHER;
		if (g != last) {
			fprintf(f, "%s%s:\n", last == STATE_GROUP_NR ? "" : "\n",
				state_group_title(g));
			last = g;
		}
		bytes = s[i].desc ? s[i].desc->bytes : 8;
		fprintf(f, "  %-*s = 0x%0*llx%s\n", name_w, field_name(&s[i], name, sizeof(name)),
			(int)(bytes ? bytes * 2 : 16), (unsigned long long)s[i].v->value,
			s[i].v->flags & VMON_STATE_FIELD_REDACTED ?
			" (redacted: needs CAP_SYS_ADMIN)" : "");
	}
	dump_print_lapic(f, d, NULL);
	free(s);
}

int cmd_dump(int argc, char **argv)
{
	struct dump_options o;
	struct libvmon_state_dump d;
	struct libvmon_nl nl;
	uint32_t id;
	int ret, status = VMON_STATUS_USAGE;

	if (dump_parse_options(argc, argv, &o))
		return VMON_STATUS_USAGE;
	if (o.help) {
		dump_usage(stdout);
		return VMON_STATUS_OK;
	}
	if (watch_nl_open(&nl))
		return VMON_STATUS_USAGE;
	if (resolve_vm(&nl, "dump", o.vm, &id))
		goto out;
	ret = libvmon_nl_get_state(&nl, id, (uint32_t)o.vcpu, &d);
	if (ret) {
		watch_nl_explain(&nl, ret, "dump", id, (int64_t)o.vcpu);
		goto out;
	}
	dump_print(stdout, &d, o.json);
	libvmon_state_dump_free(&d);
	status = VMON_STATUS_OK;
out:
	libvmon_nl_close(&nl);
	return status;
}
