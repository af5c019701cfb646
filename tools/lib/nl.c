// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The socket side of libvmon's watching API (libvmon_nl.h), on
 * libnl-genl-3.
 *
 * Requests are answered in one of three ways (netlink(7)): a "do"
 * request with NLM_F_ACK gets its reply message(s) and then an ACK; a
 * dump gets multipart messages ended by NLMSG_DONE, whose payload holds
 * the dump's error if it failed; a refused request gets NLMSG_ERROR
 * with -errno.  With NETLINK_EXT_ACK set the kernel appends the
 * extended-ack text (NL_SET_ERR_MSG) to the error, which we keep.
 *
 * One socket may carry requests and exit events at once (the module
 * sends a trace to the port that started it), so a request picks its
 * own messages by sequence number and hands events to nl->on_event;
 * libnl's own sequence check is off, as events carry sequence number 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "libvmon_nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int libvmon_nl_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case 0:			return 0;
	case NLE_INTR:		return -EINTR;
	case NLE_BAD_SOCK:	return -EBADF;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_EXIST:		return -EEXIST;
	case NLE_INVAL:		return -EINVAL;
	case NLE_RANGE:		return -ERANGE;
	case NLE_MSGSIZE:	return -EMSGSIZE;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	case NLE_BUSY:		return -EBUSY;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_PERM:		return -EPERM;
	case NLE_NODEV:		return -ENODEV;
	case NLE_DUMP_INTR:	return -EINTR;
	case NLE_SEQ_MISMATCH:	return -EPROTO;
	case NLE_MSG_TRUNC:	return -EMSGSIZE;
	case NLE_AF_NOSUPPORT:	return -EAFNOSUPPORT;
	case NLE_PROTO_MISMATCH: return -EPROTONOSUPPORT;
	}
	return -EIO;
}

/* the family's id and version, and the id of its exits group */
static int resolve_family(struct libvmon_nl *nl)
{
	struct genl_family *fam;
	struct nl_cache *cache;
	int ret;

	ret = genl_ctrl_alloc_cache(nl->sk, &cache);
	if (ret < 0)
		return libvmon_nl_errno(ret);
	fam = genl_ctrl_search_by_name(cache, VMON_GENL_NAME);
	if (!fam) {
		nl_cache_free(cache);
		return -ENOENT;
	}
	nl->family = genl_family_get_id(fam);
	nl->version = genl_family_get_version(fam);
	genl_family_put(fam);
	nl_cache_free(cache);
	if (nl->version < VMON_GENL_VERSION)
		return -EPROTO;
	ret = genl_ctrl_resolve_grp(nl->sk, VMON_GENL_NAME, VMON_GENL_MCGRP_EXITS);
	nl->exits_group = ret < 0 ? libvmon_nl_errno(ret) : ret;
	return 0;
}

int libvmon_nl_open(struct libvmon_nl *nl)
{
	int one = 1, fd, ret;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		ret = libvmon_nl_errno(ret);
		goto err;
	}
	fd = nl_socket_get_fd(nl->sk);
	/* the kernel's own words for a refusal; harmless if unsupported */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/*
	 * A full buffer drops events, which the module counts and reports
	 * in the next event (VMON_EV_LOST); the socket's ENOBUFS error would
	 * only say it twice, and fail a request's receive for it.
	 */
	setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	/* replies bigger than a page (statistics of many reasons) */
	nl_socket_enable_msg_peek(nl->sk);
	/* requests check sequence numbers themselves; events have none */
	nl_socket_disable_seq_check(nl->sk);
	ret = resolve_family(nl);
	if (ret)
		goto err;
	return 0;

err:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return ret < 0 ? ret : -EIO;
}

void libvmon_nl_close(struct libvmon_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

int libvmon_nl_fd(const struct libvmon_nl *nl)
{
	return nl->sk ? nl_socket_get_fd(nl->sk) : -EBADF;
}

struct nl_msg *libvmon_nl_new(struct libvmon_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags, cmd,
			 VMON_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* an exit event to nl->on_event, parsed */
static int deliver_event(struct libvmon_nl *nl, struct nl_msg *msg)
{
	struct libvmon_exit_event ev;
	int err;

	if (!nl->on_event)
		return NL_SKIP;
	err = libvmon_parse_exit_event(msg, &ev);
	nl->on_event(&ev, err, nl->event_arg);
	return NL_OK;
}

static bool is_event(struct libvmon_nl *nl, struct nl_msg *msg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct genlmsghdr *g = nlmsg_data(h);

	return h->nlmsg_type == nl->family && nlmsg_datalen(h) >= (int)sizeof(*g) &&
	       g->cmd == VMON_CMD_EXIT_EVENT;
}

struct request {
	struct libvmon_nl *nl;
	int (*parse)(struct nl_msg *msg, void *arg);
	void *arg;
	uint32_t seq;
	int err;
	bool done;
};

/*
 * Only the messages of this request count: exit events are not
 * replies, and neither is what is left over from an earlier request
 * that ended in an error or a timeout.
 */
static bool not_ours(struct request *r, struct nl_msg *msg)
{
	return nlmsg_hdr(msg)->nlmsg_seq != r->seq;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *r = arg;
	int ret;

	if (is_event(r->nl, msg))
		return deliver_event(r->nl, msg);
	if (not_ours(r, msg) || r->err || !r->parse)
		return NL_SKIP;		/* keep reading to the end of the answer */
	ret = r->parse(msg, r->arg);
	if (ret)
		r->err = ret;
	return NL_OK;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct request *r = arg;
	int e;

	if (not_ours(r, msg))
		return NL_SKIP;
	/* a failed dump ends with NLMSG_DONE carrying -errno */
	if (nlmsg_datalen(h) >= (int)sizeof(int)) {
		memcpy(&e, nlmsg_data(h), sizeof(e));
		if (e < 0 && !r->err)
			r->err = e;
	}
	r->done = true;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct request *r = arg;

	if (not_ours(r, msg))
		return NL_SKIP;
	r->done = true;
	return NL_STOP;
}

/* the NLMSGERR_ATTR_MSG of an extended ACK, if the kernel sent one */
static void save_extack(struct libvmon_nl *nl, struct nlmsgerr *e)
{
	struct nlmsghdr *h = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);
	int len;

	nl->errmsg[0] = '\0';
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	len = (int)h->nlmsg_len - NLMSG_HDRLEN - (int)off;
	if (len <= 0)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off), len, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG] && nla_len(tb[NLMSGERR_ATTR_MSG]) > 0)
		snprintf(nl->errmsg, sizeof(nl->errmsg), "%.*s",
			 nla_len(tb[NLMSGERR_ATTR_MSG]), (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	/* nla_len counts the NUL; drop it and any trailing newline */
	len = (int)strlen(nl->errmsg);
	while (len && (nl->errmsg[len - 1] == '\n' || nl->errmsg[len - 1] == '\0'))
		nl->errmsg[--len] = '\0';
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct request *r = arg;

	if (e->msg.nlmsg_seq != r->seq)
		return NL_SKIP;
	r->err = e->error < 0 ? e->error : -EIO;
	save_extack(r->nl, e);
	r->done = true;
	return NL_STOP;
}

/* callbacks starting from the socket's (libnl's defaults for the rest) */
static struct nl_cb *clone_cb(struct libvmon_nl *nl)
{
	struct nl_cb *sk_cb = nl_socket_get_cb(nl->sk);
	struct nl_cb *cb = nl_cb_clone(sk_cb);

	nl_cb_put(sk_cb);
	return cb;
}

static int send_request(struct libvmon_nl *nl, struct nl_msg *req, uint32_t *seq)
{
	struct nlmsghdr *h = nlmsg_hdr(req);
	ssize_t n;
	int ret;

	/* port, sequence number, NLM_F_REQUEST and NLM_F_ACK */
	nl_complete_msg(nl->sk, req);
	*seq = h->nlmsg_seq;
	if (!nl->implicit_dest) {
		ret = nl_send(nl->sk, req);
		return ret < 0 ? libvmon_nl_errno(ret) : 0;
	}
	n = write(nl_socket_get_fd(nl->sk), h, h->nlmsg_len);
	return n < 0 ? -errno : 0;
}

/* milliseconds left until end, for poll() */
static int ms_left(const struct timespec *end)
{
	struct timespec now;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &now);
	left = (end->tv_sec - now.tv_sec) * 1000 + (end->tv_nsec - now.tv_nsec) / 1000000;
	return left > 0 ? (int)left : 0;
}

int libvmon_nl_request(struct libvmon_nl *nl, struct nl_msg *req,
		       int (*parse)(struct nl_msg *msg, void *arg), void *arg)
{
	return libvmon_nl_request_timeout(nl, req, parse, arg, -1);
}

int libvmon_nl_request_timeout(struct libvmon_nl *nl, struct nl_msg *req,
			       int (*parse)(struct nl_msg *msg, void *arg), void *arg,
			       int timeout_ms)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };
	struct request r = { .nl = nl, .parse = parse, .arg = arg };
	struct timespec end;
	struct nl_cb *cb;
	int ret;

	nl->errmsg[0] = '\0';
	cb = clone_cb(nl);
	if (!cb) {
		nlmsg_free(req);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &r);

	ret = send_request(nl, req, &r.seq);
	nlmsg_free(req);
	if (ret) {
		r.err = ret;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	while (!r.done) {
		if (timeout_ms >= 0) {
			ret = poll(&pfd, 1, ms_left(&end));
			if (ret < 0 && errno == EINTR)
				continue;
			if (ret <= 0) {
				r.err = ret ? -errno : -ETIMEDOUT;
				break;
			}
		}
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !r.done) {
			if (!r.err)
				r.err = libvmon_nl_errno(ret);
			break;
		}
	}
out:
	nl_cb_put(cb);
	return r.err;
}

static int on_event_msg(struct nl_msg *msg, void *arg)
{
	struct libvmon_nl *nl = arg;

	if (!is_event(nl, msg))
		return NL_SKIP;		/* a late answer to an abandoned request */
	return deliver_event(nl, msg);
}

struct counter {
	libvmon_nl_event_fn fn;
	void *arg;
	unsigned int n;
};

static void count_event(const struct libvmon_exit_event *ev, int err, void *arg)
{
	struct counter *c = arg;

	c->n++;
	if (c->fn)
		c->fn(ev, err, c->arg);
}

/* receive what is queued, without waiting, until max events came */
static int recv_events(struct libvmon_nl *nl, unsigned int max)
{
	int fd = nl_socket_get_fd(nl->sk);
	int flags = fcntl(fd, F_GETFL);
	struct counter c = { .fn = nl->on_event, .arg = nl->event_arg };
	struct nl_cb *cb;
	int ret;

	cb = clone_cb(nl);
	if (!cb || flags < 0) {
		if (cb)
			nl_cb_put(cb);
		return cb ? -errno : -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_event_msg, nl);
	nl->on_event = count_event;
	nl->event_arg = &c;
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	do {
		ret = nl_recvmsgs(nl->sk, cb);
	} while (ret >= 0 && c.n < max);
	fcntl(fd, F_SETFL, flags);
	nl->on_event = c.fn;
	nl->event_arg = c.arg;
	nl_cb_put(cb);
	if (ret == -NLE_AGAIN || ret >= 0)
		return (int)c.n;
	/* libnl reports the socket's ENOBUFS as out of memory */
	return ret == -NLE_NOMEM ? -ENOBUFS : libvmon_nl_errno(ret);
}

/* a bounded batch: a flood of events must not keep the caller from its timers */
#define DISPATCH_BATCH	256

int libvmon_nl_dispatch_events(struct libvmon_nl *nl)
{
	return recv_events(nl, DISPATCH_BATCH);
}

struct event_array {
	struct libvmon_exit_event *ev;
	unsigned int max, n;
};

static void store_event(const struct libvmon_exit_event *ev, int err, void *arg)
{
	struct event_array *a = arg;

	if (!err && a->n < a->max)
		a->ev[a->n++] = *ev;
}

int libvmon_nl_read_events(struct libvmon_nl *nl, struct libvmon_exit_event *ev,
			   unsigned int max)
{
	struct event_array a = { .ev = ev, .max = max };
	libvmon_nl_event_fn fn = nl->on_event;
	void *arg = nl->event_arg;
	int ret;

	if (!max)
		return 0;
	nl->on_event = store_event;
	nl->event_arg = &a;
	ret = recv_events(nl, max);
	nl->on_event = fn;
	nl->event_arg = arg;
	return ret < 0 ? ret : (int)a.n;
}
