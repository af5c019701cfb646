/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvmon's watching API: the generic netlink family "vmon"
 * (uapi/linux/vmon.h) through libnl-genl-3.  Open the family, ask for
 * the VM list, a VM's exit statistics or a vCPU's state, start and stop
 * exit tracing, read exit events, and get every reply as a plain struct.
 * Used by the watching commands of the vmon tool (ps, stat, top, trace,
 * dump) and by the selftests; libvmon.h is the API for the ioctls.
 *
 * Like the rest of libvmon, every function returns 0 (or a count) on
 * success and -errno on failure, the kernel's own errno for a refused
 * request; none prints anything.  Link with -lnl-genl-3 -lnl-3.
 */
#ifndef LIBVMON_NL_H
#define LIBVMON_NL_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/vmon.h>

struct nl_sock;
struct nl_msg;

/* VMON_CMD_EXIT_EVENT */
#define LIBVMON_EV_HAS_QUAL	(1u << 0)
#define LIBVMON_EV_HAS_GPA	(1u << 1)
#define LIBVMON_EV_HAS_PORT	(1u << 2)
#define LIBVMON_EV_HAS_RIP	(1u << 3)
#define LIBVMON_EV_HAS_TSC	(1u << 4)
#define LIBVMON_EV_HAS_LATENCY	(1u << 5)
#define LIBVMON_EV_HAS_LOST	(1u << 6)
#define LIBVMON_EV_HAS_SEQ	(1u << 7)
struct libvmon_exit_event {
	unsigned int has;		/* LIBVMON_EV_HAS_*: which optional fields came */
	uint32_t vm_id;
	uint32_t vcpu_id;
	uint32_t reason;		/* the backend's raw exit code */
	uint32_t port;
	uint64_t seq;
	uint64_t qual;
	uint64_t gpa;
	uint64_t rip;
	uint64_t guest_tsc;
	uint64_t latency_ns;
	uint64_t lost;
};

/*
 * Called for each exit event that arrives on the socket, while a request
 * waits for its answer and in libvmon_nl_dispatch_events(); err is
 * -EINVAL (ev zeroed) for an event that breaks the netlink contract.
 */
typedef void (*libvmon_nl_event_fn)(const struct libvmon_exit_event *ev, int err,
				    void *arg);

struct libvmon_nl {
	struct nl_sock *sk;
	int family;			/* resolved id of "vmon" */
	unsigned int version;		/* the module's VMON_GENL_VERSION */
	int exits_group;		/* id of VMON_GENL_MCGRP_EXITS, or -errno */
	/*
	 * Send requests with write(), no destination address, as a program
	 * that was handed the socket as a file would: the kernel then checks
	 * the socket opener's capabilities too (netlink_capable()).
	 */
	bool implicit_dest;
	char errmsg[256];		/* the kernel's extended-ack text of the last error */
	libvmon_nl_event_fn on_event;	/* NULL: events are dropped */
	void *event_arg;
};

/* VMON_CMD_LIST_VMS: one VM */
struct libvmon_vm_info {
	uint32_t id;
	uint32_t pid;
	uint32_t uid;
	uint32_t nr_vcpus;
	uint64_t mem_bytes;
	char name[VMON_NAME_LEN + 1];	/* given with VMON_SET_NAME, else "" */
	char backend[8];		/* "vmx" or "svm" */
};

/* VMON_STAT_REASON: one hardware exit reason */
struct libvmon_reason_stats {
	uint32_t code;
	char name[64];			/* the module's name of the code */
	uint64_t count;
	uint64_t guest_ns;
	uint64_t host_ns;
	uint64_t hist[VMON_HIST_BUCKETS];	/* log2 buckets of the handling time */
};

#define LIBVMON_NR_IRQ_KINDS	(VMON_STAT_IRQ_SIPI - VMON_STAT_IRQ_IPI + 1)
/* VMON_A_STATS */
struct libvmon_exit_stats {
	uint64_t exits;
	uint64_t user_exits;
	uint64_t guest_ns;
	uint64_t host_ns;
	uint64_t events_lost;
	uint64_t irqs[LIBVMON_NR_IRQ_KINDS];	/* [VMON_STAT_IRQ_x - VMON_STAT_IRQ_IPI] */
	unsigned int nr_reasons;
	struct libvmon_reason_stats *reasons;	/* malloc'd */
};

struct libvmon_vcpu_stats {
	uint32_t id;
	struct libvmon_exit_stats s;
};

/* VMON_CMD_GET_STATS reply; free with libvmon_vm_stats_free() */
struct libvmon_vm_stats {
	struct libvmon_vm_info info;
	struct libvmon_exit_stats total;
	unsigned int nr_vcpus;
	struct libvmon_vcpu_stats *vcpus;	/* malloc'd */
};

/* VMON_CMD_GET_STATE reply; free with libvmon_state_dump_free() */
struct libvmon_state_value {
	uint32_t id;			/* VMON_STATE_* of tables/state_fields.h */
	char name[48];
	uint64_t value;
	uint32_t flags;			/* VMON_STATE_FIELD_* */
};

struct libvmon_state_dump {
	uint32_t vm_id;
	uint32_t vcpu_id;
	char backend[8];
	unsigned int nr_fields;
	struct libvmon_state_value *fields;	/* malloc'd */
	/* the local APIC (VMON_A_LAPIC), when the module sent it */
	bool has_lapic;
	uint32_t mp_state;
	uint64_t apic_base;
	uint8_t lapic_regs[VMON_LAPIC_REGS_SIZE];
};

/*
 * The socket (nl.c).  libvmon_nl_open() connects, resolves the family
 * and its exits group, and fails with -ENOENT when vmon.ko is not loaded
 * (no family "vmon"), -EPROTO when the module's netlink version (in
 * nl->version) is older than this library's.
 */
int libvmon_nl_open(struct libvmon_nl *nl);
void libvmon_nl_close(struct libvmon_nl *nl);
/* the socket's file descriptor, for poll() and setsockopt() */
int libvmon_nl_fd(const struct libvmon_nl *nl);
/* -NLE_* of libnl to -errno */
int libvmon_nl_errno(int nle);

/* a request for cmd (NLM_F_DUMP in flags for a dump); NULL on -ENOMEM */
struct nl_msg *libvmon_nl_new(struct libvmon_nl *nl, uint8_t cmd, int flags);
/*
 * Send req (consumed) and receive until it is answered: every reply
 * message goes to parse(msg, arg) (may be NULL), which returns 0 or
 * -errno (the first error stops the parsing).  Messages of other
 * requests are skipped, exit events go to nl->on_event.  Returns 0 or
 * -errno, with the kernel's extended ack message in nl->errmsg.
 */
int libvmon_nl_request(struct libvmon_nl *nl, struct nl_msg *req,
		       int (*parse)(struct nl_msg *msg, void *arg), void *arg);
/*
 * The same, giving up after timeout_ms (< 0: never) with -ETIMEDOUT: a
 * socket flooded with events may lose the answer, as netlink drops what
 * does not fit in the receive buffer, answers included.
 */
int libvmon_nl_request_timeout(struct libvmon_nl *nl, struct nl_msg *req,
			       int (*parse)(struct nl_msg *msg, void *arg), void *arg,
			       int timeout_ms);

/* the requests (nl_requests.c) */
/* every VM the caller may watch; *vms malloc'd (NULL when there are none) */
int libvmon_nl_list_vms(struct libvmon_nl *nl, struct libvmon_vm_info **vms,
			unsigned int *n);
/* the VM created by process pid; -ENOENT if not listed */
int libvmon_nl_find_vm(struct libvmon_nl *nl, uint32_t pid, struct libvmon_vm_info *info);
/* vcpu < 0: the VM and all its vCPUs; else the VM and that vCPU (-ENOENT if none) */
int libvmon_nl_get_stats(struct libvmon_nl *nl, uint32_t vm_id, int64_t vcpu,
			 struct libvmon_vm_stats *st);
int libvmon_nl_get_state(struct libvmon_nl *nl, uint32_t vm_id, uint32_t vcpu,
			 struct libvmon_state_dump *d);
/*
 * Exit events of VM vm_id (only of the nr reason codes, if nr > 0) to
 * this socket, until libvmon_nl_trace_stop() or the socket closes.
 */
int libvmon_nl_trace_start(struct libvmon_nl *nl, uint32_t vm_id, const uint32_t *reasons,
			   unsigned int nr);
int libvmon_nl_trace_stop(struct libvmon_nl *nl, uint32_t vm_id);
/* join the multicast group of every VM's exits (needs CAP_SYS_ADMIN) */
int libvmon_nl_join_exits(struct libvmon_nl *nl);

/*
 * Exit events (nl.c).  libvmon_nl_read_events(): the events queued on
 * the socket, without waiting, up to max into ev; returns how many.
 * libvmon_nl_dispatch_events(): the queued events (at most a few
 * hundred, so that a flood cannot starve the caller) to nl->on_event,
 * without waiting; returns how many, -ENOBUFS when the socket overran
 * (only if NETLINK_NO_ENOBUFS was turned off) or another -errno.
 */
int libvmon_nl_read_events(struct libvmon_nl *nl, struct libvmon_exit_event *ev,
			   unsigned int max);
int libvmon_nl_dispatch_events(struct libvmon_nl *nl);

/*
 * The parsers (nl_parse.c): each validates the message against a policy
 * that mirrors uapi/linux/vmon.h and returns 0, -EINVAL when the message
 * breaks the contract (a missing required attribute, a wrong type or
 * size) or -ENOMEM.  The struct is filled from scratch.
 */
int libvmon_parse_vm_info(struct nl_msg *msg, struct libvmon_vm_info *vi);
int libvmon_parse_vm_stats(struct nl_msg *msg, struct libvmon_vm_stats *st);
void libvmon_vm_stats_free(struct libvmon_vm_stats *st);
int libvmon_parse_exit_event(struct nl_msg *msg, struct libvmon_exit_event *ev);
int libvmon_parse_state_dump(struct nl_msg *msg, struct libvmon_state_dump *d);
void libvmon_state_dump_free(struct libvmon_state_dump *d);

/* lookups in parsed replies: NULL when absent */
const struct libvmon_reason_stats *libvmon_stats_reason(const struct libvmon_exit_stats *s,
							uint32_t code);
const struct libvmon_exit_stats *libvmon_stats_vcpu(const struct libvmon_vm_stats *st,
						    uint32_t vcpu);
const struct libvmon_state_value *libvmon_state_field(const struct libvmon_state_dump *d,
						      uint32_t id);

#endif /* LIBVMON_NL_H */
