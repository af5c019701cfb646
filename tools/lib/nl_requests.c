// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The requests of libvmon's watching API (libvmon_nl.h): list VMs, get
 * a VM's exit statistics, get a vCPU's state, start and stop a trace,
 * join the exits multicast group.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "libvmon_nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct vm_list {
	struct libvmon_vm_info *vms;
	unsigned int n, cap;
};

static int add_vm(struct nl_msg *msg, void *arg)
{
	struct vm_list *l = arg;
	struct libvmon_vm_info *p;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		p = realloc(l->vms, l->cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		l->vms = p;
	}
	if (libvmon_parse_vm_info(msg, &l->vms[l->n]))
		return -EBADMSG;
	l->n++;
	return 0;
}

int libvmon_nl_list_vms(struct libvmon_nl *nl, struct libvmon_vm_info **vms,
			unsigned int *n)
{
	struct vm_list l = { 0 };
	struct nl_msg *req;
	int ret;

	*vms = NULL;
	*n = 0;
	req = libvmon_nl_new(nl, VMON_CMD_LIST_VMS, NLM_F_DUMP);
	if (!req)
		return -ENOMEM;
	ret = libvmon_nl_request(nl, req, add_vm, &l);
	if (ret) {
		free(l.vms);
		return ret;
	}
	*vms = l.vms;
	*n = l.n;
	return 0;
}

int libvmon_nl_find_vm(struct libvmon_nl *nl, uint32_t pid, struct libvmon_vm_info *info)
{
	struct libvmon_vm_info *vms;
	unsigned int n, i;
	int ret;

	ret = libvmon_nl_list_vms(nl, &vms, &n);
	if (ret)
		return ret;
	ret = -ENOENT;
	for (i = 0; i < n && ret; i++) {
		if (vms[i].pid == pid) {
			*info = vms[i];
			ret = 0;
		}
	}
	free(vms);
	return ret;
}

struct one_reply {
	void *out;
	int (*parse)(struct nl_msg *msg, void *out);
	bool seen;
};

static int take_one(struct nl_msg *msg, void *arg)
{
	struct one_reply *r = arg;

	if (r->seen)		/* one reply per request: ignore a second */
		return 0;
	r->seen = true;
	return r->parse(msg, r->out) ? -EBADMSG : 0;
}

static int parse_stats_cb(struct nl_msg *msg, void *out)
{
	return libvmon_parse_vm_stats(msg, out);
}

static int parse_dump_cb(struct nl_msg *msg, void *out)
{
	return libvmon_parse_state_dump(msg, out);
}

int libvmon_nl_get_stats(struct libvmon_nl *nl, uint32_t vm_id, int64_t vcpu,
			 struct libvmon_vm_stats *st)
{
	struct one_reply r = { .out = st, .parse = parse_stats_cb };
	struct nl_msg *req;
	int ret;

	memset(st, 0, sizeof(*st));
	req = libvmon_nl_new(nl, VMON_CMD_GET_STATS, 0);
	if (!req || nla_put_u32(req, VMON_A_VM_ID, vm_id) ||
	    (vcpu >= 0 && nla_put_u32(req, VMON_A_VCPU_ID, (uint32_t)vcpu))) {
		nlmsg_free(req);
		return -ENOMEM;
	}
	ret = libvmon_nl_request(nl, req, take_one, &r);
	if (!ret && !r.seen)
		ret = -EBADMSG;
	if (!ret && vcpu >= 0 && !libvmon_stats_vcpu(st, (uint32_t)vcpu))
		ret = -ENOENT;
	if (ret)
		libvmon_vm_stats_free(st);
	return ret;
}

int libvmon_nl_get_state(struct libvmon_nl *nl, uint32_t vm_id, uint32_t vcpu,
			 struct libvmon_state_dump *d)
{
	struct one_reply r = { .out = d, .parse = parse_dump_cb };
	struct nl_msg *req;
	int ret;

	memset(d, 0, sizeof(*d));
	req = libvmon_nl_new(nl, VMON_CMD_GET_STATE, 0);
	if (!req || nla_put_u32(req, VMON_A_VM_ID, vm_id) ||
	    nla_put_u32(req, VMON_A_VCPU_ID, vcpu)) {
		nlmsg_free(req);
		return -ENOMEM;
	}
	ret = libvmon_nl_request(nl, req, take_one, &r);
	if (!ret && !r.seen)
		ret = -EBADMSG;
	if (ret)
		libvmon_state_dump_free(d);
	return ret;
}

int libvmon_nl_trace_start(struct libvmon_nl *nl, uint32_t vm_id, const uint32_t *reasons,
			   unsigned int nr)
{
	struct nl_msg *req = libvmon_nl_new(nl, VMON_CMD_TRACE_START, 0);
	unsigned int i;

	if (!req || nla_put_u32(req, VMON_A_VM_ID, vm_id))
		goto nomem;
	for (i = 0; i < nr; i++)
		if (nla_put_u32(req, VMON_A_REASON, reasons[i]))
			goto nomem;
	return libvmon_nl_request(nl, req, NULL, NULL);
nomem:
	nlmsg_free(req);
	return -ENOMEM;
}

int libvmon_nl_trace_stop(struct libvmon_nl *nl, uint32_t vm_id)
{
	struct nl_msg *req = libvmon_nl_new(nl, VMON_CMD_TRACE_STOP, 0);

	if (!req || nla_put_u32(req, VMON_A_VM_ID, vm_id)) {
		nlmsg_free(req);
		return -ENOMEM;
	}
	return libvmon_nl_request(nl, req, NULL, NULL);
}

int libvmon_nl_join_exits(struct libvmon_nl *nl)
{
	int grp = nl->exits_group;

	if (grp <= 0)
		return grp < 0 ? grp : -ENOENT;
	if (setsockopt(libvmon_nl_fd(nl), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		       sizeof(grp)))
		return -errno;
	return 0;
}
