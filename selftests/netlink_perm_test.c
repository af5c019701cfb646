// SPDX-License-Identifier: GPL-2.0-only
/*
 * Who may watch a VM over generic netlink: its owner (the uid that
 * created it) and CAP_SYS_ADMIN.  Anyone else does not see the VM in
 * VMON_CMD_LIST_VMS and gets -EPERM from every command naming it, and
 * cannot join the "exits" multicast group.
 *
 * The test runs as root.  A child creates a VM as uid 65534 (its real
 * uid when VMON_CREATE_VM runs; the effective uid 0 opens /dev/vmon),
 * then drops to 65534 for good and traces its own VM.  Meanwhile the
 * root parent (CAP_SYS_ADMIN) sees and traces both VMs, and two more
 * children check the refusals: uid 65533, and uid 0 without
 * CAP_SYS_ADMIN (capset).
 *
 * CAP_SYS_ADMIN counts for the sender and for the socket's opener
 * alike when the request names no destination (write() on a socket: the
 * way a privileged program handed a socket as its stdout would send): a
 * socket opened without it reads the host addresses of a state dump as
 * 0, flagged redacted, although the writer has the capability.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "test_vm.h"
#include "libvmon_nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

#define NOBODY		65534
#define OTHER		65533
#define PORT		0x33

static void guest_outs(uint64_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		guest_outl(PORT, i);
	GUEST_DONE();
}

/* checks in a child process: print what failed, count it */
static int failures;

#define CHILD_EXPECT(cond, ...) do {					\
	if (!(cond)) {							\
		printf("# child %d, line %d: %s: ", getpid(), __LINE__, #cond); \
		printf(__VA_ARGS__);					\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

static int listed(struct libvmon_nl *v, uint32_t id)
{
	struct libvmon_vm_info *vms;
	unsigned int i, n;
	int found = 0;

	if (libvmon_nl_list_vms(v, &vms, &n))
		return 0;
	for (i = 0; i < n; i++)
		if (vms[i].id == id)
			found = 1;
	free(vms);
	return found;
}

/* one field of a vCPU's state dump: its value and VMON_STATE_FIELD_* flags */
static int state_field(struct libvmon_nl *v, uint32_t vm_id, uint32_t id, uint64_t *value,
		       uint32_t *flags)
{
	const struct libvmon_state_value *f;
	struct libvmon_state_dump d;
	int r = libvmon_nl_get_state(v, vm_id, 0, &d);

	if (r)
		return r;
	f = libvmon_state_field(&d, id);
	if (f) {
		*value = f->value;
		*flags = f->flags;
	}
	libvmon_state_dump_free(&d);
	return f ? 0 : -ENOENT;
}

/* a process that may not watch VM id */
static void check_refused(uint32_t id, const char *who)
{
	struct libvmon_state_dump d;
	struct libvmon_vm_stats st;
	struct libvmon_nl v;
	int r;

	r = libvmon_nl_open(&v);
	CHILD_EXPECT(!r, "%s: libvmon_nl_open: %d", who, r);
	if (r)
		return;
	CHILD_EXPECT(!listed(&v, id), "%s: VM %u listed", who, id);
	r = libvmon_nl_get_stats(&v, id, -1, &st);
	CHILD_EXPECT(r == -EPERM, "%s: GET_STATS gave %d", who, r);
	r = libvmon_nl_trace_start(&v, id, NULL, 0);
	CHILD_EXPECT(r == -EPERM, "%s: TRACE_START gave %d", who, r);
	r = libvmon_nl_trace_stop(&v, id);
	CHILD_EXPECT(r == -EPERM, "%s: TRACE_STOP gave %d", who, r);
	r = libvmon_nl_get_state(&v, id, 0, &d);
	CHILD_EXPECT(r == -EPERM, "%s: GET_STATE gave %d", who, r);
	r = libvmon_nl_join_exits(&v);
	CHILD_EXPECT(r == -EPERM, "%s: joining \"exits\" gave %d", who, r);
	libvmon_nl_close(&v);
}

static int drop_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	data[CAP_TO_INDEX(CAP_SYS_ADMIN)].permitted &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	data[CAP_TO_INDEX(CAP_SYS_ADMIN)].inheritable &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) ? -errno : 0;
}

/* child 1: owns a VM as uid 65534; tells id on to_parent, waits for go */
static int owner_child(int to_parent, int from_parent, uint32_t root_vm)
{
	struct test_vm t;
	struct libvmon_vm_stats st;
	struct libvmon_vm_info info;
	struct libvmon_exit_event ev[8];
	struct ucall uc;
	struct libvmon_nl v;
	char go;
	int r, i;

	if (setresuid(NOBODY, 0, 0))
		return 100;
	r = test_vm_create_c(&t, guest_outs, 3);
	if (r)
		return 101;
	/* for good: no capability left from here on */
	if (setresuid(NOBODY, NOBODY, NOBODY))
		return 102;
	r = libvmon_nl_open(&v);
	CHILD_EXPECT(!r, "libvmon_nl_open: %d", r);
	if (r)
		return failures;
	r = libvmon_nl_find_vm(&v, getpid(), &info);
	CHILD_EXPECT(!r && info.uid == NOBODY, "own VM listed: %d, uid %u", r, info.uid);
	if (write(to_parent, &info.id, sizeof(info.id)) != sizeof(info.id))
		return 103;

	/* the owner stats and traces its VM */
	r = libvmon_nl_get_stats(&v, info.id, 0, &st);
	CHILD_EXPECT(!r, "GET_STATS of own VM: %d", r);
	if (!r)
		libvmon_vm_stats_free(&st);
	r = libvmon_nl_trace_start(&v, info.id, NULL, 0);
	CHILD_EXPECT(!r, "TRACE_START of own VM: %d", r);
	for (i = 0; i < 3; i++) {
		r = libvmon_cpu_run(&t.cpu);
		CHILD_EXPECT(!r && t.cpu.run->exit_reason == VMON_EXIT_IO &&
			     t.cpu.run->io.port == PORT, "run %d: %s", i, test_describe_exit(&t.cpu));
	}
	r = libvmon_nl_read_events(&v, ev, 8);
	for (i = 0; i < r; i++)
		if ((ev[i].has & LIBVMON_EV_HAS_PORT) && ev[i].port == PORT)
			break;
	CHILD_EXPECT(i < r, "no event of the guest's OUT among %d", r);
	r = libvmon_cpu_run(&t.cpu);
	CHILD_EXPECT(!r && test_get_ucall(&t, &uc) == UCALL_DONE, "%s",
		     test_describe_exit(&t.cpu));

	/* but not root's */
	check_refused(root_vm, "uid 65534 on root's VM");

	/* stay alive until the parent has looked */
	if (read(from_parent, &go, 1) != 1)
		return 104;
	libvmon_nl_close(&v);
	test_vm_destroy(&t);
	return failures;
}

static int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

TEST(owner_and_admin_only)
{
	int to_parent[2], from_parent[2];
	struct libvmon_vm_info info, root_info;
	struct libvmon_vm_stats st;
	struct test_vm t;
	uint32_t id;
	struct libvmon_nl v;
	pid_t owner, pid;

	SKIP_IF_NO_VMON();
	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_OK(test_vm_create_c(&t, guest_outs, 1));
	ASSERT_OK(libvmon_nl_open(&v));
	ASSERT_OK(libvmon_nl_find_vm(&v, getpid(), &root_info));
	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, pipe(from_parent));

	owner = fork();
	ASSERT_LE(0, owner);
	if (!owner)
		_exit(owner_child(to_parent[1], from_parent[0], root_info.id));
	ASSERT_EQ(sizeof(id), read(to_parent[0], &id, sizeof(id)));

	/* root with CAP_SYS_ADMIN sees and traces the other user's VM */
	ASSERT_OK(libvmon_nl_find_vm(&v, owner, &info));
	EXPECT_EQ(id, info.id);
	EXPECT_EQ(NOBODY, info.uid);
	EXPECT_OK(libvmon_nl_get_stats(&v, id, -1, &st));
	libvmon_vm_stats_free(&st);
	EXPECT_OK(libvmon_nl_trace_start(&v, id, NULL, 0));
	EXPECT_OK(libvmon_nl_trace_stop(&v, id));

	/* another unprivileged user */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setresuid(OTHER, OTHER, OTHER))
			_exit(100);
		check_refused(id, "uid 65533 on uid 65534's VM");
		check_refused(root_info.id, "uid 65533 on root's VM");
		_exit(failures);
	}
	EXPECT_EQ(0, wait_child(pid));

	/* root without CAP_SYS_ADMIN: its own uid's VM only */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct libvmon_nl v2;
		int r;

		if (drop_cap_sys_admin())
			_exit(100);
		check_refused(id, "uid 0 without CAP_SYS_ADMIN on uid 65534's VM");
		r = libvmon_nl_open(&v2);
		CHILD_EXPECT(!r, "libvmon_nl_open: %d", r);
		if (!r) {
			r = libvmon_nl_get_stats(&v2, root_info.id, -1, &st);
			CHILD_EXPECT(!r, "GET_STATS of a VM of uid 0: %d", r);
			if (!r)
				libvmon_vm_stats_free(&st);
			CHILD_EXPECT(listed(&v2, root_info.id), "VM of uid 0 not listed");
			libvmon_nl_close(&v2);
		}
		_exit(failures);
	}
	EXPECT_EQ(0, wait_child(pid));

	ASSERT_EQ(1, write(from_parent[1], "g", 1));
	EXPECT_EQ(0, wait_child(owner)) TH_LOG("the VM owner's checks failed (see above)");
	libvmon_nl_close(&v);
	test_vm_destroy(&t);
}

TEST(state_dump_redaction_asks_the_socket_opener)
{
	struct libvmon_vm_info info;
	struct libvmon_nl admin, weak;
	struct test_vm t;
	uint32_t flags, host_id;
	uint64_t value;

	SKIP_IF_NO_VMON();
	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_OK(test_vm_create_c(&t, guest_outs, 1));
	ASSERT_OK(libvmon_nl_open(&admin));
	ASSERT_OK(libvmon_nl_find_vm(&admin, getpid(), &info));
	/* VMX HOST_RIP: vmon's exit handler; SVM N_CR3: the NPT root */
	host_id = !strcmp(info.backend, "vmx") ? 0x6c16 : 0x0b0;

	ASSERT_OK(state_field(&admin, info.id, host_id, &value, &flags));
	EXPECT_EQ(0, flags);
	EXPECT_NE(0, value) TH_LOG("field 0x%x read 0 with CAP_SYS_ADMIN", host_id);

	/* the same request with write(): the opener has the capability */
	admin.implicit_dest = true;
	ASSERT_OK(state_field(&admin, info.id, host_id, &value, &flags));
	EXPECT_EQ(0, flags);
	EXPECT_NE(0, value);

	/* opened without the capability, written to with it */
	ASSERT_OK(test_set_effective_cap(CAP_SYS_ADMIN, 0));
	ASSERT_OK(libvmon_nl_open(&weak));
	ASSERT_OK(test_set_effective_cap(CAP_SYS_ADMIN, 1));
	weak.implicit_dest = true;
	ASSERT_OK(state_field(&weak, info.id, host_id, &value, &flags));
	EXPECT_EQ(VMON_STATE_FIELD_REDACTED, flags)
		TH_LOG("a socket opened without CAP_SYS_ADMIN read field 0x%x unredacted",
		       host_id);
	EXPECT_EQ(0, value);

	libvmon_nl_close(&weak);
	libvmon_nl_close(&admin);
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
