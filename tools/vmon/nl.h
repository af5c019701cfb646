/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Talking to the generic netlink family "vmon" through libnl-genl-3:
 * open a socket and resolve the family, send a request and feed each
 * reply message to a parser, explain failures in one line.
 */
#ifndef VMON_NL_H
#define VMON_NL_H

#include <stdbool.h>
#include <stdint.h>

struct nl_sock;
struct nl_msg;

struct vmon_nl {
	struct nl_sock *sk;
	int family;			/* resolved id of "vmon" */
	unsigned int version;		/* the module's VMON_GENL_VERSION */
	char errmsg[256];		/* the kernel's extended-ack text of the last error */
};

/*
 * Connect and resolve the family.  Prints why not and returns a
 * negative value when the module is missing or too old ("run modprobe
 * vmon"), or when no netlink socket could be opened.
 */
int vmon_nl_open(struct vmon_nl *nl);
void vmon_nl_close(struct vmon_nl *nl);

/* a request for cmd (NLM_F_DUMP in flags for a dump); NULL on -ENOMEM */
struct nl_msg *vmon_nl_new(struct vmon_nl *nl, uint8_t cmd, int flags);

/*
 * Send req (consumed) and receive until the request is answered: every
 * reply message goes to parse(msg, arg), which returns 0 or -errno (the
 * first error stops the request).  Returns 0 or -errno, the kernel's
 * own errno for a refused request (-EPERM, -ENOENT, ...), its extended
 * ack message in nl->errmsg.
 */
int vmon_nl_request(struct vmon_nl *nl, struct nl_msg *req,
		    int (*parse)(struct nl_msg *msg, void *arg), void *arg);
/*
 * The same, giving up after timeout_ms with -ETIMEDOUT: a socket flooded
 * with events (vmon trace) may lose the answer, as netlink drops what
 * does not fit in a receive buffer, answers included.
 */
int vmon_nl_request_timeout(struct vmon_nl *nl, struct nl_msg *req,
			    int (*parse)(struct nl_msg *msg, void *arg), void *arg,
			    int timeout_ms);

/*
 * One line on stderr for a failed request about VM vm_id (and vCPU
 * vcpu_id unless it is -1): what was refused and what to do.
 */
void vmon_nl_explain(const struct vmon_nl *nl, int err, const char *what,
		     int64_t vm_id, int64_t vcpu_id);

/* -NLE_* of libnl to -errno, for messages */
int vmon_nl_errno(int nle);

#endif /* VMON_NL_H */
