// SPDX-License-Identifier: GPL-2.0-only
/*
 * The generic netlink side of the watching commands, on libnl-genl-3.
 *
 * Requests are answered in one of three ways (netlink(7)): a "do"
 * request with NLM_F_ACK gets its reply message(s) and then an ACK; a
 * dump gets multipart messages ended by NLMSG_DONE, whose payload holds
 * the dump's error if it failed; a refused request gets NLMSG_ERROR
 * with -errno.  With NETLINK_EXT_ACK set the kernel appends the
 * extended-ack text (NL_SET_ERR_MSG) to the error, which we show.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/netlink.h>
#include <linux/vmon.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "nl.h"
#include "vmon.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int vmon_nl_errno(int nle)
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
	}
	return -EIO;
}

int vmon_nl_open(struct vmon_nl *nl)
{
	struct genl_family *fam;
	struct nl_cache *cache;
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		vmon_err("cannot allocate a netlink socket: out of memory");
		return -ENOMEM;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		vmon_err("cannot open a generic netlink socket: %s (is this kernel built with netlink?)",
			 nl_geterror(ret));
		goto err;
	}
	/* the kernel's own words for a refusal; harmless if unsupported */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	ret = genl_ctrl_alloc_cache(nl->sk, &cache);
	if (ret < 0) {
		vmon_err("cannot list the generic netlink families: %s", nl_geterror(ret));
		goto err;
	}
	fam = genl_ctrl_search_by_name(cache, VMON_GENL_NAME);
	if (!fam) {
		nl_cache_free(cache);
		vmon_err("vmon.ko is not loaded or too old (no generic netlink family \"%s\"): run modprobe vmon",
			 VMON_GENL_NAME);
		ret = -ENOENT;
		goto err;
	}
	nl->family = genl_family_get_id(fam);
	nl->version = genl_family_get_version(fam);
	genl_family_put(fam);
	nl_cache_free(cache);
	if (nl->version < VMON_GENL_VERSION) {
		vmon_err("vmon.ko is not loaded or too old (netlink version %u, this vmon needs %u): run modprobe vmon with a current module",
			 nl->version, VMON_GENL_VERSION);
		ret = -EPROTO;
		goto err;
	}
	return 0;

err:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return ret < 0 ? ret : -EIO;
}

void vmon_nl_close(struct vmon_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *vmon_nl_new(struct vmon_nl *nl, uint8_t cmd, int flags)
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

struct request {
	struct vmon_nl *nl;
	int (*parse)(struct nl_msg *msg, void *arg);
	void *arg;
	int err;
	bool done;
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *r = arg;
	int ret;

	if (r->err || !r->parse)
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

	r->done = true;
	return NL_STOP;
}

/* the NLMSGERR_ATTR_MSG of an extended ACK, if the kernel sent one */
static void save_extack(struct vmon_nl *nl, struct nlmsgerr *e)
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

	r->err = e->error < 0 ? e->error : -EIO;
	save_extack(r->nl, e);
	r->done = true;
	return NL_STOP;
}

int vmon_nl_request(struct vmon_nl *nl, struct nl_msg *req,
		    int (*parse)(struct nl_msg *msg, void *arg), void *arg)
{
	return vmon_nl_request_timeout(nl, req, parse, arg, -1);
}

int vmon_nl_request_timeout(struct vmon_nl *nl, struct nl_msg *req,
			    int (*parse)(struct nl_msg *msg, void *arg), void *arg,
			    int timeout_ms)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };
	struct timespec now, end;
	struct request r = { .nl = nl, .parse = parse, .arg = arg };
	struct nl_cb *cb, *sk_cb;
	int ret;

	nl->errmsg[0] = '\0';
	/* start from the socket's callbacks: they say whether to check sequence numbers */
	sk_cb = nl_socket_get_cb(nl->sk);
	cb = nl_cb_clone(sk_cb);
	nl_cb_put(sk_cb);
	if (!cb) {
		nlmsg_free(req);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &r);

	/* nl_send_auto() adds NLM_F_REQUEST and NLM_F_ACK, fills port and seq */
	ret = nl_send_auto(nl->sk, req);
	nlmsg_free(req);
	if (ret < 0) {
		r.err = vmon_nl_errno(ret);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (timeout_ms % 1000) * 1000000L;
	while (!r.done) {
		if (timeout_ms >= 0) {
			long left;

			clock_gettime(CLOCK_MONOTONIC, &now);
			left = (end.tv_sec - now.tv_sec) * 1000 +
			       (end.tv_nsec - now.tv_nsec) / 1000000;
			ret = left > 0 ? poll(&pfd, 1, (int)left) : 0;
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
				r.err = vmon_nl_errno(ret);
			break;
		}
	}
out:
	nl_cb_put(cb);
	return r.err;
}

void vmon_nl_explain(const struct vmon_nl *nl, int err, const char *what,
		     int64_t vm_id, int64_t vcpu_id)
{
	char vm[64] = "", why[300] = "";

	if (vm_id >= 0 && vcpu_id >= 0)
		snprintf(vm, sizeof(vm), " VM %lld vCPU %lld", (long long)vm_id, (long long)vcpu_id);
	else if (vm_id >= 0)
		snprintf(vm, sizeof(vm), " VM %lld", (long long)vm_id);
	if (nl->errmsg[0])
		snprintf(why, sizeof(why), " (vmon.ko: %s)", nl->errmsg);

	switch (err) {
	case -EPERM:
	case -EACCES:
		vmon_err("%s%s: permission denied%s: the VM belongs to another user, and watching other users' VMs needs CAP_SYS_ADMIN (run as root, or as the user who started the VM)",
			 what, vm, why);
		break;
	case -ENOENT:
	case -ESRCH:
		if (vcpu_id >= 0)
			vmon_err("%s%s: no such VM or vCPU%s (see 'vmon ps' for VMs and 'vmon stat %lld' for their vCPUs)",
				 what, vm, why, (long long)vm_id);
		else
			vmon_err("%s%s: no such VM%s (see 'vmon ps' for the VMs you can watch)",
				 what, vm, why);
		break;
	case -EOPNOTSUPP:
		vmon_err("%s%s: not supported by this vmon.ko%s (load a current module: modprobe vmon)",
			 what, vm, why);
		break;
	case -EINVAL:
		vmon_err("%s%s: vmon.ko rejected the request as invalid%s (do vmon and vmon.ko come from the same build?)",
			 what, vm, why);
		break;
	case -EBUSY:
	case -EAGAIN:
		vmon_err("%s%s: busy%s (try again)", what, vm, why);
		break;
	default:
		vmon_err("%s%s: %s%s", what, vm, strerror(-err), why);
		break;
	}
}
