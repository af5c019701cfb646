/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the watching commands (vmon ps, stat, top, trace, dump) share:
 * the replies of the generic netlink family "vmon" (uapi/linux/vmon.h)
 * as plain structs, the parsers that fill them from netlink messages
 * (watch_parse.c), and the formatting helpers (watch_format.c).
 *
 * Commands fetch with nl.c, parse into these structs, then print from
 * them; the unit tests feed the parsers and printers canned messages.
 */
#ifndef VMON_WATCH_H
#define VMON_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/vmon.h>

struct nl_msg;

/* VMON_CMD_LIST_VMS: one VM */
struct vm_info {
	uint32_t id;
	uint32_t pid;
	uint32_t uid;
	uint32_t nr_vcpus;
	uint64_t mem_bytes;
	char name[VMON_NAME_LEN + 1];
	char backend[8];		/* "vmx" or "svm" */
};

/* VMON_STAT_REASON: one hardware exit reason */
struct reason_stats {
	uint32_t code;
	char name[40];
	uint64_t count;
	uint64_t guest_ns;
	uint64_t host_ns;
	uint64_t hist[VMON_HIST_BUCKETS];
};

/* VMON_A_STATS */
struct exit_stats {
	uint64_t exits;
	uint64_t user_exits;
	uint64_t guest_ns;
	uint64_t host_ns;
	uint64_t events_lost;
	unsigned int nr_reasons;
	struct reason_stats *reasons;	/* malloc'd */
};

struct vcpu_stats {
	uint32_t id;
	struct exit_stats s;
};

/* VMON_CMD_GET_STATS reply */
struct vm_stats {
	struct vm_info info;
	struct exit_stats total;
	unsigned int nr_vcpus;
	struct vcpu_stats *vcpus;	/* malloc'd */
};

/* VMON_CMD_EXIT_EVENT */
#define EV_HAS_QUAL	(1u << 0)
#define EV_HAS_GPA	(1u << 1)
#define EV_HAS_PORT	(1u << 2)
#define EV_HAS_RIP	(1u << 3)
#define EV_HAS_TSC	(1u << 4)
#define EV_HAS_LATENCY	(1u << 5)
#define EV_HAS_LOST	(1u << 6)
#define EV_HAS_SEQ	(1u << 7)
struct exit_event {
	unsigned int has;		/* EV_HAS_* */
	uint32_t vm_id;
	uint32_t vcpu_id;
	uint32_t reason;
	uint32_t port;
	uint64_t seq;
	uint64_t qual;
	uint64_t gpa;
	uint64_t rip;
	uint64_t guest_tsc;
	uint64_t latency_ns;
	uint64_t lost;
};

/* VMON_CMD_GET_STATE reply */
struct state_value {
	uint32_t id;
	char name[48];
	uint64_t value;
	uint32_t flags;		/* VMON_STATE_FIELD_* */
};

struct state_dump {
	uint32_t vm_id;
	uint32_t vcpu_id;
	char backend[8];
	unsigned int nr_fields;
	struct state_value *fields;	/* malloc'd */
	/* the local APIC (VMON_A_LAPIC), when the module sent it */
	bool has_lapic;
	uint32_t mp_state;
	uint64_t apic_base;
	uint8_t lapic_regs[VMON_LAPIC_REGS_SIZE];
};

/*
 * watch_parse.c: each returns 0, or -EINVAL when the message breaks the
 * contract (a missing required attribute, a wrong type or size), or
 * -ENOMEM.  The struct is overwritten (stats/dump: appended to, see below).
 */
int parse_vm_info(struct nl_msg *msg, struct vm_info *vi);
/* fills *st from scratch; free with vm_stats_free() */
int parse_vm_stats(struct nl_msg *msg, struct vm_stats *st);
void vm_stats_free(struct vm_stats *st);
int parse_exit_event(struct nl_msg *msg, struct exit_event *ev);
/* fills *d from scratch; free with state_dump_free() */
int parse_state_dump(struct nl_msg *msg, struct state_dump *d);
void state_dump_free(struct state_dump *d);

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
const char *reason_stats_name(const char *backend, const struct reason_stats *r);
/* total of a reason over the histogram, for checking it against count */
uint64_t hist_total(const uint64_t hist[VMON_HIST_BUCKETS]);

/*
 * watch_fetch.c: requests through nl.c.  Each returns 0 or -errno; the
 * caller explains failures with vmon_nl_explain().
 */
struct vmon_nl;
/* every VM the caller may watch; *vms malloc'd (NULL when there are none) */
int fetch_vm_list(struct vmon_nl *nl, struct vm_info **vms, unsigned int *n);
/* vcpu < 0: all vCPUs */
int fetch_vm_stats(struct vmon_nl *nl, uint32_t vm_id, int64_t vcpu, struct vm_stats *st);
int fetch_state_dump(struct vmon_nl *nl, uint32_t vm_id, uint32_t vcpu, struct state_dump *d);
/*
 * A VM argument: an id ("3") or a name given with VMON_SET_NAME ("web").
 * Prints why not and returns -errno when no (single) VM matches.
 */
int resolve_vm(struct vmon_nl *nl, const char *cmd, const char *arg, uint32_t *id);
/* a number for an option; prints "<cmd>: <opt> <arg>: ..." and returns -EINVAL when not */
int parse_count(const char *cmd, const char *opt, const char *arg, uint64_t max, uint64_t *v);

/* the commands' options and printers, for the unit tests */
struct ps_row {
	struct vm_info vm;
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
void stat_print_text(FILE *f, const struct vm_stats *st, int64_t vcpu);
struct json_writer;
void stat_print_json(struct json_writer *w, const struct vm_stats *st);

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
	struct vm_info vm;
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
void trace_format_detail(unsigned int backend, const struct exit_event *ev, char *buf,
			 size_t len);
void trace_print_event(FILE *f, unsigned int backend, const struct exit_event *ev,
		       double t, bool json);

struct dump_options {
	bool json;
	bool help;
	const char *vm;
	uint64_t vcpu;
};
int dump_parse_options(int argc, char **argv, struct dump_options *o);
void dump_print(FILE *f, const struct state_dump *d, bool json);
struct json_writer;
/* dump_lapic.c: after the fields; w: inside dump_print()'s JSON object */
void dump_print_lapic(FILE *f, const struct state_dump *d, struct json_writer *w);

#endif /* VMON_WATCH_H */
