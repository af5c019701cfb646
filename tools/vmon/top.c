// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmon top: the VMs you may watch, busiest first, refreshed every
 * --delay seconds.  Rates come from the difference of two samples of
 * the module's counters, so the first screen appears after one delay.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decode_tables.h"
#include "json.h"
#include "vmon.h"
#include "watch.h"

static void top_usage(FILE *f)
{
	fprintf(f,
		"usage: vmon top [--delay SECONDS] [--iterations N] [--json]\n"
		"\n"
		"The VMs you may watch sorted by exit rate, refreshed until Ctrl-C: exits per\n"
		"second, total exits, share of the time in the guest (all vCPUs), and the\n"
		"reason with the most exits in the last interval; under a VM with more than\n"
		"one vCPU, the same figures per vCPU.  On a terminal the screen is redrawn;\n"
		"otherwise each refresh is appended.\n"
		"\n"
		"  --delay S        seconds between refreshes (default 1, e.g. 0.5)\n"
		"  --iterations N   stop after N refreshes (default: until Ctrl-C)\n"
		"  --json           one JSON document per refresh and line\n");
}

static const struct option top_long_options[] = {
	{ "json",	no_argument,	   NULL, 'j' },
	{ "delay",	required_argument, NULL, 'd' },
	{ "iterations",	required_argument, NULL, 'n' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

int top_parse_options(int argc, char **argv, struct top_options *o)
{
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->delay = 1.0;
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+:hd:n:", top_long_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'd':
			errno = 0;
			o->delay = strtod(optarg, &end);
			if (end == optarg || *end || errno || !isfinite(o->delay) ||
			    o->delay < 0.01 || o->delay > 3600) {
				vmon_err("top: --delay %s: not a number of seconds from 0.01 to 3600 (e.g. 1 or 0.5)",
					 optarg);
				return -EINVAL;
			}
			break;
		case 'n':
			if (parse_count("top", "--iterations", optarg, UINT32_MAX, &o->iterations))
				return -EINVAL;
			if (!o->iterations) {
				vmon_err("top: --iterations 0: give at least 1 (or leave it out to run until Ctrl-C)");
				return -EINVAL;
			}
			break;
		case 'h':
			o->help = true;
			return 0;
		case ':':
			vmon_err("top: %s needs a value (see 'vmon top --help')", argv[optind - 1]);
			return -EINVAL;
		default:
			vmon_err("top: unknown option '%s' (see 'vmon top --help')", argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		vmon_err("top: unexpected argument '%s' (vmon top watches every VM; see 'vmon stat VM' for one)",
			 argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static int by_rate_desc(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate < y->rate ? 1 : -1;
	if (x->exits != y->exits)
		return x->exits < y->exits ? 1 : -1;
	return x->vm.id < y->vm.id ? -1 : x->vm.id > y->vm.id;
}

void top_sort(struct top_row *rows, unsigned int n)
{
	qsort(rows, n, sizeof(*rows), by_rate_desc);
}

void top_print(FILE *f, const struct top_row *rows, unsigned int n, double interval, bool json)
{
	char user[64], pct[16];
	double total = 0;
	unsigned int i, k;

	for (i = 0; i < n; i++)
		total += rows[i].rate;
	if (json) {
		struct json_writer w;

		json_init(&w, f);
		json_begin_object(&w, NULL);
		json_double(&w, "interval_s", interval);
		json_double(&w, "exits_per_s", total);
		json_begin_array(&w, "vms");
		for (i = 0; i < n; i++) {
			const struct top_row *r = &rows[i];

			json_begin_object(&w, NULL);
			json_u64(&w, "id", r->vm.id);
			json_str(&w, "name", r->vm.name);
			json_str(&w, "user", format_user(r->vm.uid, user, sizeof(user)));
			json_u64(&w, "vcpus", r->vm.nr_vcpus);
			json_u64(&w, "exits", r->exits);
			json_double(&w, "exits_per_s", r->rate);
			json_double(&w, "guest_pct", r->guest_pct);
			json_str(&w, "top_reason", r->top_reason);
			json_double(&w, "top_reason_per_s", r->top_rate);
			json_begin_array(&w, "vcpu_rates");
			for (k = 0; k < r->nr_vcpu_rows; k++) {
				json_begin_object(&w, NULL);
				json_u64(&w, "id", r->vcpu_rows[k].id);
				json_double(&w, "exits_per_s", r->vcpu_rows[k].rate);
				json_double(&w, "guest_pct", r->vcpu_rows[k].guest_pct);
				json_end_object(&w);
			}
			json_end_array(&w);
			json_end_object(&w);
		}
		json_end_array(&w);
		json_end_object(&w);
		return;
	}
	fprintf(f, "vmon top: %u VM%s, %.0f exits/s over the last %.2fs\n\n", n, n == 1 ? "" : "s",
		total, interval);
	fprintf(f, "%4s  %-16s %-10s %5s %12s %14s %7s  %s\n", "ID", "NAME", "USER", "VCPUS",
		"EXITS/S", "EXITS", "GUEST%", "TOP REASON (/S)");
	for (i = 0; i < n; i++) {
		const struct top_row *r = &rows[i];

		snprintf(pct, sizeof(pct), "%.1f", r->guest_pct);
		fprintf(f, "%4u  %-16.16s %-10s %5u %12.0f %14llu %7s  ", r->vm.id,
			r->vm.name[0] ? r->vm.name : "-", format_user(r->vm.uid, user, sizeof(user)),
			r->vm.nr_vcpus, r->rate, (unsigned long long)r->exits, pct);
		if (r->top_reason[0])
			fprintf(f, "%s (%.0f)\n", r->top_reason, r->top_rate);
		else
			fprintf(f, "-\n");
		for (k = 0; r->nr_vcpu_rows > 1 && k < r->nr_vcpu_rows; k++) {
			snprintf(pct, sizeof(pct), "%.1f", r->vcpu_rows[k].guest_pct);
			fprintf(f, "%4s    vCPU %-33u %12.0f %14s %7s\n", "", r->vcpu_rows[k].id,
				r->vcpu_rows[k].rate, "", pct);
		}
	}
	fflush(f);
}

/* one sample of every VM */
struct top_sample {
	unsigned int n;
	struct libvmon_vm_stats *st;
	struct timespec when;
};

static void sample_free(struct top_sample *s)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		libvmon_vm_stats_free(&s->st[i]);
	free(s->st);
	memset(s, 0, sizeof(*s));
}

static int take_sample(struct libvmon_nl *nl, struct top_sample *s)
{
	struct libvmon_vm_info *vms = NULL;
	unsigned int n = 0, i;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = libvmon_nl_list_vms(nl, &vms, &n);
	if (ret) {
		watch_nl_explain(nl, ret, "top: listing VMs", -1, -1);
		return ret;
	}
	s->st = calloc(n ? n : 1, sizeof(*s->st));
	if (!s->st) {
		free(vms);
		vmon_err("top: out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		/* VMs ending between the list and this are just left out */
		if (!libvmon_nl_get_stats(nl, vms[i].id, -1, &s->st[s->n]))
			s->n++;
	}
	clock_gettime(CLOCK_MONOTONIC, &s->when);
	free(vms);
	return 0;
}

static uint64_t reason_count(const struct libvmon_vm_stats *st, uint32_t code)
{
	unsigned int i;

	for (i = 0; st && i < st->total.nr_reasons; i++)
		if (st->total.reasons[i].code == code)
			return st->total.reasons[i].count;
	return 0;
}

/* the per-vCPU rates of c against p (NULL: a VM new in this sample) */
static void make_vcpu_rows(const struct libvmon_vm_stats *p, const struct libvmon_vm_stats *c,
			   struct top_row *r, double dt)
{
	unsigned int i, k;

	r->vcpu_rows = calloc(c->nr_vcpus ? c->nr_vcpus : 1, sizeof(*r->vcpu_rows));
	if (!r->vcpu_rows)
		return;		/* the VM's row alone */
	r->nr_vcpu_rows = c->nr_vcpus;
	for (i = 0; i < c->nr_vcpus; i++) {
		const struct libvmon_exit_stats *s = &c->vcpus[i].s, *ps = NULL;

		for (k = 0; p && k < p->nr_vcpus; k++)
			if (p->vcpus[k].id == c->vcpus[i].id)
				ps = &p->vcpus[k].s;
		r->vcpu_rows[i].id = c->vcpus[i].id;
		r->vcpu_rows[i].rate = (double)(s->exits - (ps ? ps->exits : 0)) / dt;
		r->vcpu_rows[i].guest_pct = (double)(s->guest_ns - (ps ? ps->guest_ns : 0)) /
					    (dt * 1e7);	/* percent of dt seconds */
	}
}

/* rates of cur against prev (a VM new in cur counts from zero) */
static void make_rows(const struct top_sample *prev, const struct top_sample *cur,
		      struct top_row *rows, double dt)
{
	unsigned int i, k;

	for (i = 0; i < cur->n; i++) {
		const struct libvmon_vm_stats *c = &cur->st[i], *p = NULL;
		struct top_row *r = &rows[i];
		uint64_t d, best = 0;
		unsigned int vcpus;

		for (k = 0; k < prev->n; k++)
			if (prev->st[k].info.id == c->info.id &&
			    prev->st[k].info.pid == c->info.pid)
				p = &prev->st[k];
		memset(r, 0, sizeof(*r));
		r->vm = c->info;
		r->exits = c->total.exits;
		r->guest_ns = c->total.guest_ns;
		r->rate = (double)(c->total.exits - (p ? p->total.exits : 0)) / dt;
		vcpus = c->info.nr_vcpus ? c->info.nr_vcpus : 1;
		r->guest_pct = 100.0 * (double)(c->total.guest_ns - (p ? p->total.guest_ns : 0)) /
			       (dt * 1e9 * vcpus);
		for (k = 0; k < c->total.nr_reasons; k++) {
			const struct libvmon_reason_stats *rs = &c->total.reasons[k];

			d = rs->count - reason_count(p, rs->code);
			if (d > best) {
				best = d;
				snprintf(r->top_reason, sizeof(r->top_reason), "%s",
					 reason_stats_name(c->info.backend, rs));
			}
		}
		r->top_rate = (double)best / dt;
		make_vcpu_rows(p, c, r, dt);
	}
}

static volatile sig_atomic_t top_stop;

static void on_sigint(int sig)
{
	top_stop = 1;
}

int cmd_top(int argc, char **argv)
{
	struct top_sample prev, cur;
	struct top_options o;
	struct top_row *rows;
	struct libvmon_nl nl;
	struct sigaction sa;
	struct timespec ts;
	uint64_t iter;
	unsigned int i;
	double dt;
	bool tty;
	int status = VMON_STATUS_OK;

	if (top_parse_options(argc, argv, &o))
		return VMON_STATUS_USAGE;
	if (o.help) {
		top_usage(stdout);
		return VMON_STATUS_OK;
	}
	if (watch_nl_open(&nl))
		return VMON_STATUS_USAGE;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;	/* no SA_RESTART: Ctrl-C ends the sleep */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	tty = !o.json && isatty(STDOUT_FILENO);

	if (take_sample(&nl, &prev)) {
		libvmon_nl_close(&nl);
		return VMON_STATUS_USAGE;
	}
	for (iter = 0; !top_stop && (!o.iterations || iter < o.iterations); iter++) {
		ts.tv_sec = (time_t)o.delay;
		ts.tv_nsec = (long)((o.delay - (double)ts.tv_sec) * 1e9);
		while (!top_stop && nanosleep(&ts, &ts) && errno == EINTR)
			;
		if (top_stop)
			break;
		if (take_sample(&nl, &cur)) {
			status = VMON_STATUS_USAGE;
			break;
		}
		dt = (double)(cur.when.tv_sec - prev.when.tv_sec) +
		     (double)(cur.when.tv_nsec - prev.when.tv_nsec) / 1e9;
		if (dt <= 0)
			dt = o.delay;
		rows = calloc(cur.n ? cur.n : 1, sizeof(*rows));
		if (!rows) {
			sample_free(&cur);
			vmon_err("top: out of memory");
			status = VMON_STATUS_USAGE;
			break;
		}
		make_rows(&prev, &cur, rows, dt);
		top_sort(rows, cur.n);
		if (tty)
			fputs("\033[H\033[2J", stdout);	/* cursor home, clear screen */
		else if (iter && !o.json)
			putchar('\n');
		top_print(stdout, rows, cur.n, dt, o.json);
		for (i = 0; i < cur.n; i++)
			free(rows[i].vcpu_rows);
		free(rows);
		sample_free(&prev);
		prev = cur;
	}
	sample_free(&prev);
	libvmon_nl_close(&nl);
	return status;
}
