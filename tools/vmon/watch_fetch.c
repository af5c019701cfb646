// SPDX-License-Identifier: GPL-2.0-only
/*
 * The requests of the watching commands: list VMs, get a VM's exit
 * statistics, get a vCPU's state; plus resolving a VM argument.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "nl.h"
#include "vmon.h"
#include "watch.h"

struct vm_list {
	struct vm_info *vms;
	unsigned int n, cap;
};

static int add_vm(struct nl_msg *msg, void *arg)
{
	struct vm_list *l = arg;
	struct vm_info *p;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		p = realloc(l->vms, l->cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		l->vms = p;
	}
	if (parse_vm_info(msg, &l->vms[l->n]))
		return -EBADMSG;
	l->n++;
	return 0;
}

int fetch_vm_list(struct vmon_nl *nl, struct vm_info **vms, unsigned int *n)
{
	struct vm_list l = { 0 };
	struct nl_msg *req;
	int ret;

	req = vmon_nl_new(nl, VMON_CMD_LIST_VMS, NLM_F_DUMP);
	if (!req)
		return -ENOMEM;
	ret = vmon_nl_request(nl, req, add_vm, &l);
	if (ret) {
		free(l.vms);
		return ret;
	}
	*vms = l.vms;
	*n = l.n;
	return 0;
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
	return parse_vm_stats(msg, out);
}

static int parse_dump_cb(struct nl_msg *msg, void *out)
{
	return parse_state_dump(msg, out);
}

int fetch_vm_stats(struct vmon_nl *nl, uint32_t vm_id, int64_t vcpu, struct vm_stats *st)
{
	struct one_reply r = { .out = st, .parse = parse_stats_cb };
	struct nl_msg *req;
	int ret;

	memset(st, 0, sizeof(*st));
	req = vmon_nl_new(nl, VMON_CMD_GET_STATS, 0);
	if (!req || nla_put_u32(req, VMON_A_VM_ID, vm_id) ||
	    (vcpu >= 0 && nla_put_u32(req, VMON_A_VCPU_ID, (uint32_t)vcpu))) {
		nlmsg_free(req);
		return -ENOMEM;
	}
	ret = vmon_nl_request(nl, req, take_one, &r);
	if (!ret && !r.seen)
		ret = -EBADMSG;
	if (ret)
		vm_stats_free(st);
	return ret;
}

int fetch_state_dump(struct vmon_nl *nl, uint32_t vm_id, uint32_t vcpu, struct state_dump *d)
{
	struct one_reply r = { .out = d, .parse = parse_dump_cb };
	struct nl_msg *req;
	int ret;

	memset(d, 0, sizeof(*d));
	req = vmon_nl_new(nl, VMON_CMD_GET_STATE, 0);
	if (!req || nla_put_u32(req, VMON_A_VM_ID, vm_id) ||
	    nla_put_u32(req, VMON_A_VCPU_ID, vcpu)) {
		nlmsg_free(req);
		return -ENOMEM;
	}
	ret = vmon_nl_request(nl, req, take_one, &r);
	if (!ret && !r.seen)
		ret = -EBADMSG;
	if (ret)
		state_dump_free(d);
	return ret;
}

int parse_count(const char *cmd, const char *opt, const char *arg, uint64_t max, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!arg || arg[0] < '0' || arg[0] > '9')
		goto bad;
	errno = 0;
	x = strtoull(arg, &end, 0);
	if (*end || errno || x > max)
		goto bad;
	*v = x;
	return 0;

bad:
	vmon_err("%s: %s %s: not a number from 0 to %llu", cmd, opt, arg ? arg : "",
		 (unsigned long long)max);
	return -EINVAL;
}

int resolve_vm(struct vmon_nl *nl, const char *cmd, const char *arg, uint32_t *id)
{
	struct vm_info *vms = NULL;
	unsigned int n = 0, i, found = 0;
	uint64_t v;
	int ret;

	if (arg[0] >= '0' && arg[0] <= '9') {
		ret = parse_count(cmd, "VM", arg, UINT32_MAX, &v);
		if (!ret)
			*id = (uint32_t)v;
		return ret;
	}
	ret = fetch_vm_list(nl, &vms, &n);
	if (ret) {
		vmon_nl_explain(nl, ret, cmd, -1, -1);
		return ret;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(vms[i].name, arg))
			continue;
		if (found++)
			break;
		*id = vms[i].id;
	}
	free(vms);
	if (found == 1)
		return 0;
	if (found)
		vmon_err("%s: more than one VM is called '%s' (give its id; see 'vmon ps')",
			 cmd, arg);
	else
		vmon_err("%s: no VM called '%s' that you may watch (see 'vmon ps'; names come from 'vmon run --name')",
			 cmd, arg);
	return -ENOENT;
}
