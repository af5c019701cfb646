/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the watching commands (vmon ps, stat, top, trace, dump) share.
 * They fetch with libvmon's netlink client (libvmon_nl.h), which hands
 * them the replies as plain structs, then print from those with the
 * helpers here (watch_format.c); the unit tests feed the printers
 * canned replies.
 */
#ifndef VMON_WATCH_H
#define VMON_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/vmon.h>

#include "libvmon_nl.h"

/*
 * watch_nl.c: opening the netlink client with a message that says what
 * to do, and one line on stderr for a failed request about VM vm_id (and
 * vCPU vcpu_id unless it is -1): what was refused and what to do.
 */
int watch_nl_open(struct libvmon_nl *nl);
void watch_nl_explain(const struct libvmon_nl *nl, int err, const char *what,
		      int64_t vm_id, int64_t vcpu_id);

/* watch_format.c */
/* "850ns", "12.3us", "4.56ms", "1.23s" */
const char *format_ns(uint64_t ns, char *buf, size_t len);
/*
 * Estimate the q-quantile (0 < q <= 1) of a log2 histogram: bucket i
 * holds values in [2^i, 2^(i+1)) (bucket 0 also 0); the value is
 * interpolated linearly inside the bucket that holds the q-th sample.
 * Returns 0 for an empty histogram.
 */
uint64_t hist_quantile(const uint64_t hist[VMON_HIST_BUCKETS], double q);
/* user name of uid from /etc/passwd (static vmon: no NSS), else the number */
const char *format_user(uint32_t uid, char *buf, size_t len);
/*
 * The name of a reason of VM statistics: the decode table's (the same
 * on every backend and in every command), the module's only for a code
 * the table lacks.
 */
const char *reason_stats_name(const char *backend, const struct libvmon_reason_stats *r);
/* total of a reason over the histogram, for checking it against count */
uint64_t hist_total(const uint64_t hist[VMON_HIST_BUCKETS]);

/*
 * watch_nl.c: a VM argument: an id ("3") or a name given with VMON_SET_NAME ("web").
 * Prints why not and returns -errno when no (single) VM matches.
 */
int resolve_vm(struct libvmon_nl *nl, const char *cmd, const char *arg, uint32_t *id);
/* a number for an option; prints "<cmd>: <opt> <arg>: ..." and returns -EINVAL when not */
int parse_count(const char *cmd, const char *opt, const char *arg, uint64_t max, uint64_t *v);

/* the commands' options and printers, for the unit tests */
struct ps_row {
	struct libvmon_vm_info vm;
	uint64_t exits;			/* UINT64_MAX: unknown (the VM went away) */
};
void ps_print(FILE *f, const struct ps_row *rows, unsigned int n, bool json);

struct stat_options {
	bool json;
	bool help;
	const char *vm;			/* NULL: every VM */
	int64_t vcpu;			/* --vcpu N, else -1 */
};
int stat_parse_options(int argc, char **argv, struct stat_options *o);
void stat_print_text(FILE *f, const struct libvmon_vm_stats *st, int64_t vcpu);
struct json_writer;
void stat_print_json(struct json_writer *w, const struct libvmon_vm_stats *st);

struct top_options {
	bool json;
	bool help;
	uint64_t iterations;		/* 0: until Ctrl-C */
	double delay;			/* seconds between refreshes */
};
int top_parse_options(int argc, char **argv, struct top_options *o);
/* one sample of one VM, and the rate since the previous one */
/* one vCPU's share of a top_row */
struct top_vcpu_row {
	uint32_t id;
	double rate;			/* exits per second */
	double guest_pct;		/* share of the interval in the guest */
};

struct top_row {
	struct libvmon_vm_info vm;
	uint64_t exits;
	uint64_t guest_ns;
	double rate;			/* exits per second */
	double guest_pct;		/* share of the interval in the guest, all vCPUs */
	char top_reason[40];		/* the reason with the most exits in the interval */
	double top_rate;
	unsigned int nr_vcpu_rows;
	struct top_vcpu_row *vcpu_rows;	/* malloc'd, or NULL */
};
void top_sort(struct top_row *rows, unsigned int n);
void top_print(FILE *f, const struct top_row *rows, unsigned int n, double interval,
	       bool json);

#define TRACE_MAX_REASONS	64
struct trace_options {
	bool json;
	bool help;
	bool list_reasons;		/* --reason list */
	const char *vm;			/* --vm VM, else every VM */
	uint64_t count;			/* --count N, 0: until Ctrl-C */
	uint64_t buffer;		/* --buffer SIZE: socket receive buffer */
	unsigned int nr_reasons;
	const char *reasons[TRACE_MAX_REASONS];	/* resolved once the backend is known */
};
int trace_parse_options(int argc, char **argv, struct trace_options *o);
/* what one line of the trace says about an exit (decoded port, GPA, ...) */
void trace_format_detail(unsigned int backend, const struct libvmon_exit_event *ev, char *buf,
			 size_t len);
void trace_print_event(FILE *f, unsigned int backend, const struct libvmon_exit_event *ev,
		       double t, bool json);

struct dump_options {
	bool json;
	bool help;
	const char *vm;
	uint64_t vcpu;
};
int dump_parse_options(int argc, char **argv, struct dump_options *o);
void dump_print(FILE *f, const struct libvmon_state_dump *d, bool json);
struct json_writer;
/* dump_lapic.c: after the fields; w: inside dump_print()'s JSON object */
void dump_print_lapic(FILE *f, const struct libvmon_state_dump *d, struct json_writer *w);

#endif /* VMON_WATCH_H */
