// SPDX-License-Identifier: GPL-2.0-only
/*
 * Talking to the "vmon" generic netlink family with libnl-3 (see
 * vmon_nl.h).  Every request asks for an ACK, so its end is known: the
 * ACK, NLMSG_DONE after a dump, or an error carrying the kernel's errno.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/msg.h>
#include <netlink/attr.h>

#include "vmon_nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

int vnl_open(struct vnl *v)
{
	int one = 1;
	int r;

	memset(v, 0, sizeof(*v));
	v->sk = nl_socket_alloc();
	if (!v->sk)
		return -ENOMEM;
	r = genl_connect(v->sk);
	if (r)
		goto err;
	/* replies bigger than a page (stats of many reasons) */
	nl_socket_enable_msg_peek(v->sk);
	/* exit events come with sequence number 0 */
	nl_socket_disable_seq_check(v->sk);
	/* a full buffer drops events; do not also fail the next recv */
	setsockopt(nl_socket_get_fd(v->sk), SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	v->family = genl_ctrl_resolve(v->sk, VMON_GENL_NAME);
	if (v->family < 0) {
		r = v->family;
		goto err;
	}
	v->exits_group = genl_ctrl_resolve_grp(v->sk, VMON_GENL_NAME, VMON_GENL_MCGRP_EXITS);
	return 0;
err:
	nl_socket_free(v->sk);
	v->sk = NULL;
	return r == -NLE_OBJ_NOTFOUND ? -ENOENT : -EIO;
}

void vnl_close(struct vnl *v)
{
	if (v->sk)
		nl_socket_free(v->sk);
	v->sk = NULL;
}

struct nl_msg *vnl_msg(struct vnl *v, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, v->family, 0, flags, cmd,
				VMON_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

struct vnl_req {
	int (*parse)(struct nl_msg *msg, void *arg);
	void *arg;
	uint32_t seq;
	int done;
	int error;
};

/*
 * Only the messages of this request count: exit events of a tracing
 * socket (sequence number 0) are not replies, and neither is what is
 * left over from an earlier request that ended in an error.
 */
static bool vnl_not_ours(struct vnl_req *req, struct nl_msg *msg)
{
	return nlmsg_hdr(msg)->nlmsg_seq != req->seq;
}

static int vnl_valid_cb(struct nl_msg *msg, void *arg)
{
	struct vnl_req *req = arg;
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));

	if (vnl_not_ours(req, msg) || g->cmd == VMON_CMD_EXIT_EVENT)
		return NL_SKIP;
	if (req->parse && !req->error)
		req->error = req->parse(msg, req->arg);
	return NL_OK;
}

static int vnl_finish_cb(struct nl_msg *msg, void *arg)
{
	struct vnl_req *req = arg;

	if (vnl_not_ours(req, msg))
		return NL_SKIP;
	req->done = 1;
	return NL_STOP;
}

static int vnl_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct vnl_req *req = arg;

	if (err->msg.nlmsg_seq != req->seq)
		return NL_SKIP;
	req->error = err->error;
	req->done = 1;
	return NL_STOP;
}

int vnl_request(struct vnl *v, struct nl_msg *msg, int (*parse)(struct nl_msg *, void *),
		void *arg)
{
	struct vnl_req req = { .parse = parse, .arg = arg };
	struct nl_cb *cb;
	int r;

	/* the socket's callbacks: no sequence check (see vnl_open()) */
	cb = nl_cb_clone(nl_socket_get_cb(v->sk));
	nl_cb_put(nl_socket_get_cb(v->sk));
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, vnl_valid_cb, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, vnl_finish_cb, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, vnl_finish_cb, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, vnl_err_cb, &req);

	nl_complete_msg(v->sk, msg);
	req.seq = nlmsg_hdr(msg)->nlmsg_seq;
	if (v->implicit_dest) {
		r = write(nl_socket_get_fd(v->sk), nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len);
		r = r < 0 ? -errno : r;
	} else {
		r = nl_send(v->sk, msg);
	}
	nlmsg_free(msg);
	while (r >= 0 && !req.done)
		r = nl_recvmsgs(v->sk, cb);
	nl_cb_put(cb);
	if (req.error)
		return req.error;
	return r < 0 ? -EIO : 0;
}

/* ---- LIST_VMS ---- */

struct vnl_list {
	struct vnl_vm_info *vms;
	int max, n;
};

static void vnl_parse_vm(struct nlattr **tb, struct vnl_vm_info *vm)
{
	memset(vm, 0, sizeof(*vm));
	if (tb[VMON_A_VM_ID])
		vm->id = nla_get_u32(tb[VMON_A_VM_ID]);
	if (tb[VMON_A_PID])
		vm->pid = nla_get_u32(tb[VMON_A_PID]);
	if (tb[VMON_A_UID])
		vm->uid = nla_get_u32(tb[VMON_A_UID]);
	if (tb[VMON_A_NR_VCPUS])
		vm->nr_vcpus = nla_get_u32(tb[VMON_A_NR_VCPUS]);
	if (tb[VMON_A_MEM_BYTES])
		vm->mem_bytes = nla_get_u64(tb[VMON_A_MEM_BYTES]);
	if (tb[VMON_A_NAME])
		nla_strlcpy(vm->name, tb[VMON_A_NAME], sizeof(vm->name));
	if (tb[VMON_A_BACKEND])
		nla_strlcpy(vm->backend, tb[VMON_A_BACKEND], sizeof(vm->backend));
}

static int vnl_list_parse(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[VMON_A_MAX + 1];
	struct vnl_list *l = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, VMON_A_MAX, NULL))
		return -EPROTO;
	if (l->n < l->max)
		vnl_parse_vm(tb, &l->vms[l->n]);
	l->n++;
	return 0;
}

int vnl_list_vms(struct vnl *v, struct vnl_vm_info *vms, int max)
{
	struct vnl_list l = { .vms = vms, .max = max };
	struct nl_msg *msg = vnl_msg(v, VMON_CMD_LIST_VMS, NLM_F_DUMP);
	int r;

	if (!msg)
		return -ENOMEM;
	r = vnl_request(v, msg, vnl_list_parse, &l);
	return r ? r : (l.n < max ? l.n : max);
}

int vnl_find_vm(struct vnl *v, uint32_t pid, struct vnl_vm_info *info)
{
	struct vnl_vm_info vms[VNL_MAX_VMS];
	int i, n = vnl_list_vms(v, vms, VNL_MAX_VMS);

	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		if (vms[i].pid == pid) {
			*info = vms[i];
			return 0;
		}
	}
	return -ENOENT;
}

/* ---- GET_STATS ---- */

static int vnl_parse_stats(struct nlattr *nest, struct vnl_stats *s)
{
	struct nlattr *tb[VMON_STAT_MAX + 1], *a;
	int rem;

	memset(s, 0, sizeof(*s));
	if (nla_parse_nested(tb, VMON_STAT_MAX, nest, NULL))
		return -EPROTO;
	if (tb[VMON_STAT_EXITS])
		s->exits = nla_get_u64(tb[VMON_STAT_EXITS]);
	if (tb[VMON_STAT_USER_EXITS])
		s->user_exits = nla_get_u64(tb[VMON_STAT_USER_EXITS]);
	if (tb[VMON_STAT_GUEST_NS])
		s->guest_ns = nla_get_u64(tb[VMON_STAT_GUEST_NS]);
	if (tb[VMON_STAT_HOST_NS])
		s->host_ns = nla_get_u64(tb[VMON_STAT_HOST_NS]);
	if (tb[VMON_STAT_EVENTS_LOST])
		s->events_lost = nla_get_u64(tb[VMON_STAT_EVENTS_LOST]);
	for (rem = VMON_STAT_IRQ_IPI; rem <= VMON_STAT_IRQ_SIPI; rem++)
		if (tb[rem])
			s->irqs[rem - VMON_STAT_IRQ_IPI] = nla_get_u64(tb[rem]);

	nla_for_each_nested(a, nest, rem) {
		struct nlattr *rt[VMON_RSTAT_MAX + 1];
		struct vnl_reason *r;

		if (nla_type(a) != VMON_STAT_REASON || s->nr_reasons == VNL_MAX_REASONS)
			continue;
		if (nla_parse_nested(rt, VMON_RSTAT_MAX, a, NULL))
			return -EPROTO;
		r = &s->reasons[s->nr_reasons++];
		if (!rt[VMON_RSTAT_CODE] || !rt[VMON_RSTAT_COUNT] || !rt[VMON_RSTAT_HIST] ||
		    nla_len(rt[VMON_RSTAT_HIST]) != sizeof(r->hist))
			return -EPROTO;
		r->code = nla_get_u32(rt[VMON_RSTAT_CODE]);
		r->count = nla_get_u64(rt[VMON_RSTAT_COUNT]);
		if (rt[VMON_RSTAT_GUEST_NS])
			r->guest_ns = nla_get_u64(rt[VMON_RSTAT_GUEST_NS]);
		if (rt[VMON_RSTAT_HOST_NS])
			r->host_ns = nla_get_u64(rt[VMON_RSTAT_HOST_NS]);
		if (rt[VMON_RSTAT_NAME])
			nla_strlcpy(r->name, rt[VMON_RSTAT_NAME], sizeof(r->name));
		memcpy(r->hist, nla_data(rt[VMON_RSTAT_HIST]), sizeof(r->hist));
	}
	return 0;
}

struct vnl_stats_req {
	int vcpu;
	struct vnl_stats *vm, *vcpu_stats;
	int got_vcpu;
};

static int vnl_stats_parse(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[VMON_A_MAX + 1], *a;
	struct vnl_stats_req *req = arg;
	int rem, r;

	if (genlmsg_parse(nlh, 0, tb, VMON_A_MAX, NULL) || !tb[VMON_A_STATS])
		return -EPROTO;
	r = vnl_parse_stats(tb[VMON_A_STATS], req->vm);
	if (r)
		return r;
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		struct nlattr *vt[VMON_A_MAX + 1];

		if (nla_type(a) != VMON_A_VCPU)
			continue;
		if (nla_parse_nested(vt, VMON_A_MAX, a, NULL) || !vt[VMON_A_VCPU_ID] ||
		    !vt[VMON_A_STATS])
			return -EPROTO;
		if ((int)nla_get_u32(vt[VMON_A_VCPU_ID]) != req->vcpu || !req->vcpu_stats)
			continue;
		r = vnl_parse_stats(vt[VMON_A_STATS], req->vcpu_stats);
		if (r)
			return r;
		req->got_vcpu = 1;
	}
	return 0;
}

int vnl_get_stats(struct vnl *v, uint32_t vm_id, int vcpu, struct vnl_stats *vm_stats,
		  struct vnl_stats *vcpu_stats)
{
	struct vnl_stats_req req = { .vcpu = vcpu, .vm = vm_stats, .vcpu_stats = vcpu_stats };
	struct nl_msg *msg = vnl_msg(v, VMON_CMD_GET_STATS, 0);
	int r;

	if (!msg)
		return -ENOMEM;
	nla_put_u32(msg, VMON_A_VM_ID, vm_id);
	if (vcpu >= 0)
		nla_put_u32(msg, VMON_A_VCPU_ID, vcpu);
	r = vnl_request(v, msg, vnl_stats_parse, &req);
	if (!r && vcpu_stats && !req.got_vcpu)
		r = -ENOENT;
	return r;
}

const struct vnl_reason *vnl_reason(const struct vnl_stats *s, uint32_t code)
{
	unsigned int i;

	for (i = 0; i < s->nr_reasons; i++)
		if (s->reasons[i].code == code)
			return &s->reasons[i];
	return NULL;
}

/* ---- TRACE_START / TRACE_STOP / GET_STATE ---- */

int vnl_trace_start(struct vnl *v, uint32_t vm_id, const uint32_t *reasons, int nr)
{
	struct nl_msg *msg = vnl_msg(v, VMON_CMD_TRACE_START, 0);
	int i;

	if (!msg)
		return -ENOMEM;
	nla_put_u32(msg, VMON_A_VM_ID, vm_id);
	for (i = 0; i < nr; i++)
		nla_put_u32(msg, VMON_A_REASON, reasons[i]);
	return vnl_request(v, msg, NULL, NULL);
}

int vnl_trace_stop(struct vnl *v, uint32_t vm_id)
{
	struct nl_msg *msg = vnl_msg(v, VMON_CMD_TRACE_STOP, 0);

	if (!msg)
		return -ENOMEM;
	nla_put_u32(msg, VMON_A_VM_ID, vm_id);
	return vnl_request(v, msg, NULL, NULL);
}

/* what a GET_STATE reply is read for: the field count, and one field */
struct vnl_state {
	int nfields;
	uint32_t id;
	int found;
	uint64_t value;
	uint32_t flags;
	/* VMON_A_LAPIC, when lapic is set */
	struct vnl_lapic *lapic;
};

static int vnl_lapic_parse(struct nlattr *nest, struct vnl_lapic *l)
{
	struct nlattr *lt[VMON_LAPIC_A_MAX + 1];

	if (nla_parse_nested(lt, VMON_LAPIC_A_MAX, nest, NULL) < 0 ||
	    !lt[VMON_LAPIC_A_APIC_BASE] || !lt[VMON_LAPIC_A_MP_STATE] ||
	    !lt[VMON_LAPIC_A_REGS] || nla_len(lt[VMON_LAPIC_A_REGS]) != VMON_LAPIC_REGS_SIZE)
		return -EPROTO;
	l->found = 1;
	l->apic_base = nla_get_u64(lt[VMON_LAPIC_A_APIC_BASE]);
	l->mp_state = nla_get_u32(lt[VMON_LAPIC_A_MP_STATE]);
	memcpy(l->regs, nla_data(lt[VMON_LAPIC_A_REGS]), VMON_LAPIC_REGS_SIZE);
	return 0;
}

static int vnl_state_parse(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *ftb[VMON_FIELD_MAX + 1];
	struct vnl_state *st = arg;
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		if (nla_type(a) == VMON_A_LAPIC && st->lapic && vnl_lapic_parse(a, st->lapic))
			return NL_STOP;
		if (nla_type(a) != VMON_A_FIELD)
			continue;
		st->nfields++;
		if (nla_parse_nested(ftb, VMON_FIELD_MAX, a, NULL) < 0 || !ftb[VMON_FIELD_ID] ||
		    nla_get_u32(ftb[VMON_FIELD_ID]) != st->id || !ftb[VMON_FIELD_VALUE])
			continue;
		st->found = 1;
		st->value = nla_get_u64(ftb[VMON_FIELD_VALUE]);
		st->flags = ftb[VMON_FIELD_FLAGS] ? nla_get_u32(ftb[VMON_FIELD_FLAGS]) : 0;
	}
	return 0;
}

static int vnl_state_request(struct vnl *v, uint32_t vm_id, uint32_t vcpu, struct vnl_state *st)
{
	struct nl_msg *msg = vnl_msg(v, VMON_CMD_GET_STATE, 0);

	if (!msg)
		return -ENOMEM;
	nla_put_u32(msg, VMON_A_VM_ID, vm_id);
	nla_put_u32(msg, VMON_A_VCPU_ID, vcpu);
	return vnl_request(v, msg, vnl_state_parse, st);
}

int vnl_get_state(struct vnl *v, uint32_t vm_id, uint32_t vcpu, int *nfields)
{
	struct vnl_state st = { .id = ~0u };
	int r = vnl_state_request(v, vm_id, vcpu, &st);

	*nfields = st.nfields;
	return r;
}

int vnl_get_state_field(struct vnl *v, uint32_t vm_id, uint32_t vcpu, uint32_t id,
			uint64_t *value, uint32_t *flags)
{
	struct vnl_state st = { .id = id };
	int r = vnl_state_request(v, vm_id, vcpu, &st);

	if (r)
		return r;
	if (!st.found)
		return -ENOENT;
	*value = st.value;
	*flags = st.flags;
	return 0;
}

int vnl_get_lapic(struct vnl *v, uint32_t vm_id, uint32_t vcpu, struct vnl_lapic *lapic)
{
	struct vnl_state st = { .id = ~0u, .lapic = lapic };
	int r;

	memset(lapic, 0, sizeof(*lapic));
	r = vnl_state_request(v, vm_id, vcpu, &st);
	if (!r && !lapic->found)
		r = -ENOENT;
	return r;
}

/* ---- exit events ---- */

struct vnl_events {
	struct vnl_event *ev;
	int max, n;
};

static int vnl_event_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[VMON_EV_MAX + 1];
	struct vnl_events *e = arg;
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));
	struct vnl_event *ev;

	if (g->cmd != VMON_CMD_EXIT_EVENT || e->n == e->max)
		return NL_SKIP;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, VMON_EV_MAX, NULL))
		return NL_SKIP;
	ev = &e->ev[e->n++];
	memset(ev, 0, sizeof(*ev));
#define GET32(a, f) do { if (tb[a]) ev->f = nla_get_u32(tb[a]); } while (0)
#define GET64(a, f) do { if (tb[a]) ev->f = nla_get_u64(tb[a]); } while (0)
	GET32(VMON_EV_VM_ID, vm_id);
	GET32(VMON_EV_VCPU_ID, vcpu_id);
	GET32(VMON_EV_REASON, reason);
	GET64(VMON_EV_SEQ, seq);
	GET64(VMON_EV_QUALIFICATION, qualification);
	GET64(VMON_EV_RIP, rip);
	GET64(VMON_EV_GUEST_TSC, guest_tsc);
	GET64(VMON_EV_LATENCY_NS, latency_ns);
	GET64(VMON_EV_LOST, lost);
	GET64(VMON_EV_GPA, gpa);
	GET32(VMON_EV_PORT, port);
#undef GET32
#undef GET64
	ev->has_port = !!tb[VMON_EV_PORT];
	ev->has_gpa = !!tb[VMON_EV_GPA];
	return NL_OK;
}

int vnl_read_events(struct vnl *v, struct vnl_event *ev, int max)
{
	struct vnl_events e = { .ev = ev, .max = max };
	struct nl_cb *cb = nl_cb_clone(nl_socket_get_cb(v->sk));
	int r;

	nl_cb_put(nl_socket_get_cb(v->sk));
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, vnl_event_cb, &e);
	nl_socket_set_nonblocking(v->sk);
	do {
		r = nl_recvmsgs(v->sk, cb);
	} while (r >= 0 && e.n < max);
	nl_cb_put(cb);
	/* back to blocking for requests */
	fcntl(nl_socket_get_fd(v->sk), F_SETFL,
	      fcntl(nl_socket_get_fd(v->sk), F_GETFL) & ~O_NONBLOCK);
	if (r < 0 && r != -NLE_AGAIN)
		return -EIO;
	return e.n;
}
