// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the request machinery (libvmon's tools/lib/nl.c) against the one generic
 * netlink family every Linux kernel has, "nlctrl": a dump ends with
 * NLMSG_DONE, a "do" gets its reply and then an ACK, a refusal comes
 * back as the kernel's -errno.  Plus the message when vmon.ko is
 * missing (skipped where it is loaded).
 */
#include <errno.h>

#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include "kselftest_harness.h"
#include "test_util.h"
#include "watch.h"

static int count_msg(struct nl_msg *msg, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int fail_msg(struct nl_msg *msg, void *arg)
{
	(*(int *)arg)++;
	return -EBADMSG;
}

FIXTURE(ctrl) {
	struct libvmon_nl nl;
};

FIXTURE_SETUP(ctrl)
{
	int one = 1;

	memset(&self->nl, 0, sizeof(self->nl));
	self->nl.sk = nl_socket_alloc();
	ASSERT_NE(NULL, self->nl.sk);
	if (genl_connect(self->nl.sk))
		SKIP(return, "no generic netlink on this host");
	setsockopt(nl_socket_get_fd(self->nl.sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/* as libvmon_nl_open() sets it up: requests check sequence numbers */
	nl_socket_disable_seq_check(self->nl.sk);
	nl_socket_enable_msg_peek(self->nl.sk);
	self->nl.family = GENL_ID_CTRL;
}

FIXTURE_TEARDOWN(ctrl)
{
	libvmon_nl_close(&self->nl);
}

TEST_F(ctrl, dump_ends_with_done)
{
	struct nl_msg *req = libvmon_nl_new(&self->nl, CTRL_CMD_GETFAMILY, NLM_F_DUMP);
	int n = 0;

	ASSERT_NE(NULL, req);
	ASSERT_EQ(0, libvmon_nl_request(&self->nl, req, count_msg, &n));
	EXPECT_GE(n, 1);	/* at least nlctrl itself */
}

TEST_F(ctrl, do_gets_one_reply_then_ack)
{
	struct nl_msg *req;
	int n = 0, i;

	/* twice on one socket: nothing of the first answer is left over */
	for (i = 0; i < 2; i++) {
		req = libvmon_nl_new(&self->nl, CTRL_CMD_GETFAMILY, 0);
		ASSERT_NE(NULL, req);
		ASSERT_EQ(0, nla_put_string(req, CTRL_ATTR_FAMILY_NAME, "nlctrl"));
		ASSERT_EQ(0, libvmon_nl_request(&self->nl, req, count_msg, &n));
	}
	EXPECT_EQ(2, n);
}

/*
 * The answer of a request nobody waited for (sent, never read) comes
 * first on the socket: the next request skips it by its sequence number
 * and neither counts its messages nor ends at its NLMSG_DONE.
 */
TEST_F(ctrl, answers_of_an_abandoned_request_are_skipped)
{
	struct nl_msg *req = libvmon_nl_new(&self->nl, CTRL_CMD_GETFAMILY, NLM_F_DUMP);
	int n = 0;

	ASSERT_NE(NULL, req);
	ASSERT_LE(0, nl_send_auto(self->nl.sk, req));
	nlmsg_free(req);
	req = libvmon_nl_new(&self->nl, CTRL_CMD_GETFAMILY, 0);
	ASSERT_NE(NULL, req);
	ASSERT_EQ(0, nla_put_string(req, CTRL_ATTR_FAMILY_NAME, "nlctrl"));
	ASSERT_EQ(0, libvmon_nl_request(&self->nl, req, count_msg, &n));
	EXPECT_EQ(1, n);
}

TEST_F(ctrl, request_with_a_deadline)
{
	struct nl_msg *req = libvmon_nl_new(&self->nl, CTRL_CMD_GETFAMILY, 0);
	int n = 0;

	ASSERT_NE(NULL, req);
	ASSERT_EQ(0, nla_put_string(req, CTRL_ATTR_FAMILY_NAME, "nlctrl"));
	EXPECT_EQ(0, libvmon_nl_request_timeout(&self->nl, req, count_msg, &n, 2000));
	EXPECT_EQ(1, n);
}

TEST_F(ctrl, refusal_is_the_kernels_errno)
{
	struct nl_msg *req = libvmon_nl_new(&self->nl, CTRL_CMD_GETFAMILY, 0);
	int n = 0;

	ASSERT_NE(NULL, req);
	ASSERT_EQ(0, nla_put_string(req, CTRL_ATTR_FAMILY_NAME, "no-such-fam"));
	EXPECT_EQ(-ENOENT, libvmon_nl_request(&self->nl, req, count_msg, &n));
	EXPECT_EQ(0, n);
}

TEST_F(ctrl, extended_ack_text_is_kept)
{
	struct nl_msg *req = libvmon_nl_new(&self->nl, CTRL_CMD_GETFAMILY, 0);
	int n = 0;

	/* longer than GENL_NAMSIZ: the policy check refuses it with a reason */
	ASSERT_NE(NULL, req);
	ASSERT_EQ(0, nla_put_string(req, CTRL_ATTR_FAMILY_NAME, "a-name-longer-than-16"));
	EXPECT_EQ(-EINVAL, libvmon_nl_request(&self->nl, req, count_msg, &n));
	EXPECT_NE(0, self->nl.errmsg[0]);
	TH_LOG("the kernel said: %s", self->nl.errmsg);
}

TEST_F(ctrl, parser_error_stops_the_request_but_drains_it)
{
	struct nl_msg *req = libvmon_nl_new(&self->nl, CTRL_CMD_GETFAMILY, NLM_F_DUMP);
	int n = 0;

	ASSERT_NE(NULL, req);
	EXPECT_EQ(-EBADMSG, libvmon_nl_request(&self->nl, req, fail_msg, &n));
	EXPECT_EQ(1, n);
	/* the socket is still usable: the rest of the dump was read */
	req = libvmon_nl_new(&self->nl, CTRL_CMD_GETFAMILY, 0);
	ASSERT_EQ(0, nla_put_string(req, CTRL_ATTR_FAMILY_NAME, "nlctrl"));
	n = 0;
	EXPECT_EQ(0, libvmon_nl_request(&self->nl, req, count_msg, &n));
	EXPECT_EQ(1, n);
}

TEST(explanations_say_what_to_do)
{
	struct libvmon_nl nl = { .errmsg = "" };
	char *err;
	int saved;

	saved = capture_begin(2);
	watch_nl_explain(&nl, -EPERM, "trace: starting the trace of", 3, -1);
	watch_nl_explain(&nl, -ENOENT, "dump", 3, 1);
	snprintf(nl.errmsg, sizeof(nl.errmsg), "VM 9 is owned by uid 1000");
	watch_nl_explain(&nl, -EPERM, "stat", 9, -1);
	err = capture_end(2, saved);
	EXPECT_STREQ("vmon: trace: starting the trace of VM 3: permission denied: the VM belongs to another user, and watching other users' VMs needs CAP_SYS_ADMIN (run as root, or as the user who started the VM)\n"
		     "vmon: dump VM 3 vCPU 1: no such VM or vCPU (see 'vmon ps' for VMs and 'vmon stat 3' for their vCPUs)\n"
		     "vmon: stat VM 9: permission denied (vmon.ko: VM 9 is owned by uid 1000): the VM belongs to another user, and watching other users' VMs needs CAP_SYS_ADMIN (run as root, or as the user who started the VM)\n",
		     err);
	free(err);
}

TEST(missing_module_says_modprobe)
{
	struct libvmon_nl nl;
	char *err;
	int saved, ret;

	saved = capture_begin(2);
	ret = watch_nl_open(&nl);
	err = capture_end(2, saved);
	if (!ret) {
		libvmon_nl_close(&nl);
		free(err);
		SKIP(return, "vmon.ko is loaded here");
	}
	EXPECT_EQ(-ENOENT, ret);
	EXPECT_STREQ("vmon: vmon.ko is not loaded or too old (no generic netlink family \"vmon\"): run modprobe vmon\n",
		     err);
	free(err);
}

TEST_HARNESS_MAIN
