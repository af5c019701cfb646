// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmon stat [VM]: a VM's exits by reason, with the time spent in the
 * guest before and in the host after each, and the handling latency
 * (mean exact; p50 and p99 estimated from the module's log2 histogram),
 * then one line per vCPU.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "decode_tables.h"
#include "json.h"
#include "vmon.h"
#include "watch.h"

static void stat_usage(FILE *f)
{
	fprintf(f,
		"usage: vmon stat [VM] [--vcpu N] [--json]\n"
		"\n"
		"Exit statistics of VM (an id or a name from 'vmon ps'), or of every VM you\n"
		"may watch: per exit reason the count, guest time before and host time after\n"
		"the exits, the mean, p50 and p99 handling latency; then per vCPU the exits,\n"
		"round trips to userspace, guest and host time and lost trace events.\n"
		"p50/p99 are estimates from log2 buckets: within a factor of 2 of the truth.\n"
		"\n"
		"  --vcpu N   the reasons table of vCPU N only\n"
		"  --json     one JSON document: {\"vms\":[{\"id\":..,\"stats\":{..},\"vcpus\":[..]}]}\n");
}

static const struct option stat_long_options[] = {
	{ "json", no_argument,	     NULL, 'j' },
	{ "vcpu", required_argument, NULL, 'c' },
	{ "help", no_argument,	     NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

int stat_parse_options(int argc, char **argv, struct stat_options *o)
{
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->vcpu = -1;
	opterr = 0;
	optind = 0;
	/* permuting: "vmon stat web --vcpu 1" */
	while ((c = getopt_long(argc, argv, ":h", stat_long_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'c':
			if (parse_count("stat", "--vcpu", optarg, UINT32_MAX, &v))
				return -EINVAL;
			o->vcpu = (int64_t)v;
			break;
		case 'h':
			o->help = true;
			return 0;
		case ':':
			vmon_err("stat: %s needs a value (see 'vmon stat --help')", argv[optind - 1]);
			return -EINVAL;
		default:
			vmon_err("stat: unknown option '%s' (see 'vmon stat --help')",
				 argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc)
		o->vm = argv[optind++];
	if (optind < argc) {
		vmon_err("stat: unexpected argument '%s' (one VM at a time, or none for all)",
			 argv[optind]);
		return -EINVAL;
	}
	if (o->vcpu >= 0 && !o->vm) {
		vmon_err("stat: --vcpu needs a VM (vmon stat VM --vcpu N)");
		return -EINVAL;
	}
	return 0;
}

static int by_count_desc(const void *a, const void *b)
{
	const struct libvmon_reason_stats *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->code < y->code ? -1 : x->code > y->code;
}

static const char *reason_name(const struct libvmon_vm_stats *st, const struct libvmon_reason_stats *r)
{
	return reason_stats_name(st->info.backend, r);
}

static void print_reasons(FILE *f, const struct libvmon_vm_stats *st, const struct libvmon_exit_stats *s)
{
	char g[16], h[16], mean[16], p50[16], p99[16];
	struct libvmon_reason_stats *sorted;
	unsigned int i;

	fprintf(f, "  %-28s %10s %12s %10s %10s %10s %10s %10s\n", "REASON", "CODE", "COUNT",
		"GUEST", "HOST", "MEAN", "P50", "P99");
	if (!s->nr_reasons) {
		fprintf(f, "  (no exits yet)\n");
		return;
	}
	sorted = malloc(s->nr_reasons * sizeof(*sorted));
	if (!sorted)
		return;
	memcpy(sorted, s->reasons, s->nr_reasons * sizeof(*sorted));
	qsort(sorted, s->nr_reasons, sizeof(*sorted), by_count_desc);
	for (i = 0; i < s->nr_reasons; i++) {
		const struct libvmon_reason_stats *r = &sorted[i];

		fprintf(f, "  %-28s %#10x %12llu %10s %10s %10s %10s %10s\n",
			reason_name(st, r), r->code, (unsigned long long)r->count,
			format_ns(r->guest_ns, g, sizeof(g)), format_ns(r->host_ns, h, sizeof(h)),
			format_ns(r->count ? r->host_ns / r->count : 0, mean, sizeof(mean)),
			format_ns(hist_quantile(r->hist, 0.50), p50, sizeof(p50)),
			format_ns(hist_quantile(r->hist, 0.99), p99, sizeof(p99)));
	}
	free(sorted);
}

void stat_print_text(FILE *f, const struct libvmon_vm_stats *st, int64_t vcpu)
{
	const struct libvmon_exit_stats *t = &st->total;
	char user[64], g[16], h[16];
	unsigned int i;

	fprintf(f, "VM %u %s (pid %u, user %s, %s, %u vCPU%s): %llu exits, %llu round trips to userspace, %llu trace events lost\n",
		st->info.id, st->info.name[0] ? st->info.name : "-", st->info.pid,
		format_user(st->info.uid, user, sizeof(user)), st->info.backend,
		st->info.nr_vcpus, st->info.nr_vcpus == 1 ? "" : "s",
		(unsigned long long)t->exits, (unsigned long long)t->user_exits,
		(unsigned long long)t->events_lost);
	fprintf(f, "  time in the guest %s, handling exits in the host %s\n",
		format_ns(t->guest_ns, g, sizeof(g)), format_ns(t->host_ns, h, sizeof(h)));
	if (vcpu >= 0) {
		for (i = 0; i < st->nr_vcpus; i++)
			if (st->vcpus[i].id == vcpu)
				break;
		if (i == st->nr_vcpus) {
			fprintf(f, "  (vmon.ko sent no statistics for vCPU %lld)\n", (long long)vcpu);
			return;
		}
		fprintf(f, "vCPU %lld:\n", (long long)vcpu);
		print_reasons(f, st, &st->vcpus[i].s);
	} else {
		print_reasons(f, st, t);
	}
	if (!st->nr_vcpus)
		return;
	fprintf(f, "  %-6s %12s %12s %10s %10s %10s  %s\n", "VCPU", "EXITS", "USER",
		"GUEST", "HOST", "LOST", "TOP REASON");
	for (i = 0; i < st->nr_vcpus; i++) {
		const struct libvmon_exit_stats *s = &st->vcpus[i].s;
		const struct libvmon_reason_stats *top = NULL;
		unsigned int k;

		for (k = 0; k < s->nr_reasons; k++)
			if (!top || s->reasons[k].count > top->count)
				top = &s->reasons[k];
		fprintf(f, "  %-6u %12llu %12llu %10s %10s %10llu  %s\n", st->vcpus[i].id,
			(unsigned long long)s->exits, (unsigned long long)s->user_exits,
			format_ns(s->guest_ns, g, sizeof(g)), format_ns(s->host_ns, h, sizeof(h)),
			(unsigned long long)s->events_lost, top ? reason_name(st, top) : "-");
	}
}

static void json_stats(struct json_writer *w, const char *key, const struct libvmon_vm_stats *st,
		       const struct libvmon_exit_stats *s)
{
	unsigned int i, b;

	json_begin_object(w, key);
	json_u64(w, "exits", s->exits);
	json_u64(w, "user_exits", s->user_exits);
	json_u64(w, "guest_ns", s->guest_ns);
	json_u64(w, "host_ns", s->host_ns);
	json_u64(w, "events_lost", s->events_lost);
	json_begin_array(w, "reasons");
	for (i = 0; i < s->nr_reasons; i++) {
		const struct libvmon_reason_stats *r = &s->reasons[i];

		json_begin_object(w, NULL);
		json_u64(w, "code", r->code);
		json_str(w, "name", reason_name(st, r));
		json_u64(w, "count", r->count);
		json_u64(w, "guest_ns", r->guest_ns);
		json_u64(w, "host_ns", r->host_ns);
		json_u64(w, "mean_ns", r->count ? r->host_ns / r->count : 0);
		json_u64(w, "p50_ns", hist_quantile(r->hist, 0.50));
		json_u64(w, "p99_ns", hist_quantile(r->hist, 0.99));
		json_begin_array(w, "hist_log2_ns");
		for (b = 0; b < VMON_HIST_BUCKETS; b++)
			json_u64(w, NULL, r->hist[b]);
		json_end_array(w);
		json_end_object(w);
	}
	json_end_array(w);
	json_end_object(w);
}

void stat_print_json(struct json_writer *w, const struct libvmon_vm_stats *st)
{
	char user[64];
	unsigned int i;

	json_begin_object(w, NULL);
	json_u64(w, "id", st->info.id);
	json_str(w, "name", st->info.name);
	json_u64(w, "pid", st->info.pid);
	json_u64(w, "uid", st->info.uid);
	json_str(w, "user", format_user(st->info.uid, user, sizeof(user)));
	json_str(w, "backend", st->info.backend);
	json_u64(w, "vcpus_total", st->info.nr_vcpus);
	json_stats(w, "stats", st, &st->total);
	json_begin_array(w, "vcpus");
	for (i = 0; i < st->nr_vcpus; i++) {
		json_begin_object(w, NULL);
		json_u64(w, "id", st->vcpus[i].id);
		json_stats(w, "stats", st, &st->vcpus[i].s);
		json_end_object(w);
	}
	json_end_array(w);
	json_end_object(w);
}

int cmd_stat(int argc, char **argv)
{
	struct libvmon_vm_info *vms = NULL;
	struct stat_options o;
	struct json_writer w;
	struct libvmon_vm_stats st;
	struct libvmon_nl nl;
	unsigned int n = 0, i, shown = 0;
	uint32_t id;
	int ret, status = VMON_STATUS_OK;

	if (stat_parse_options(argc, argv, &o))
		return VMON_STATUS_USAGE;
	if (o.help) {
		stat_usage(stdout);
		return VMON_STATUS_OK;
	}
	if (watch_nl_open(&nl))
		return VMON_STATUS_USAGE;

	if (o.vm) {
		if (resolve_vm(&nl, "stat", o.vm, &id)) {
			status = VMON_STATUS_USAGE;
			goto out;
		}
		vms = calloc(1, sizeof(*vms));
		if (!vms) {
			vmon_err("stat: out of memory");
			status = VMON_STATUS_USAGE;
			goto out;
		}
		vms[0].id = id;
		n = 1;
	} else {
		ret = libvmon_nl_list_vms(&nl, &vms, &n);
		if (ret) {
			watch_nl_explain(&nl, ret, "stat: listing VMs", -1, -1);
			status = VMON_STATUS_USAGE;
			goto out;
		}
	}

	json_init(&w, stdout);
	if (o.json) {
		json_begin_object(&w, NULL);
		json_begin_array(&w, "vms");
	}
	for (i = 0; i < n; i++) {
		ret = libvmon_nl_get_stats(&nl, vms[i].id, o.vcpu, &st);
		if (ret) {
			/* a VM of the list that ended meanwhile is no error */
			if (o.vm || ret != -ENOENT) {
				watch_nl_explain(&nl, ret, "stat", vms[i].id, o.vcpu);
				status = VMON_STATUS_USAGE;
			}
			continue;
		}
		if (o.json) {
			stat_print_json(&w, &st);
		} else {
			if (shown)
				putchar('\n');
			stat_print_text(stdout, &st, o.vcpu);
		}
		shown++;
		libvmon_vm_stats_free(&st);
	}
	if (o.json) {
		json_end_array(&w);
		json_end_object(&w);
	} else if (!shown && !o.vm) {
		printf("no VMs you may watch are running (start one with 'vmon run')\n");
	}
out:
	free(vms);
	libvmon_nl_close(&nl);
	return status;
}
