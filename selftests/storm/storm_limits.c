// SPDX-License-Identifier: GPL-2.0-only
/*
 * Create VMs, vCPUs and memory slots until a limit says no, and check
 * that the limit comes back as a clean errno (storm.sh, "limits" storm).
 * The limits vmon has:
 *
 *   vCPUs per VM   caps.max_vcpus (64): the id 64 gets -EINVAL, an id
 *                  used twice -EEXIST;
 *   VMs            none of vmon's own: every VM and vCPU is a file
 *                  descriptor, so RLIMIT_NOFILE bounds them (-EMFILE);
 *                  beyond that, kernel memory (charged to the memory
 *                  cgroup, GFP_KERNEL_ACCOUNT);
 *   guest memory   pinned slots are charged to RLIMIT_MEMLOCK unless the
 *                  caller has CAP_IPC_LOCK: -ENOMEM beyond it.
 *
 *   storm_limits [NOFILE]   (RLIMIT_NOFILE for the VM part, default 256)
 *
 * Prints the figures as TAP diagnostics ("# ..."), a "FAIL: ..." line
 * for each expectation not met, and exits 0 when all were met.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "test_vm.h"

#define MEMLOCK_LIMIT	(1UL << 20)
#define SLOT_SIZE	(256UL << 10)
#define MAX_FDS		8192
#define MAX_VCPUS	1024	/* more than caps.max_vcpus can say here */

static int failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("FAIL: " __VA_ARGS__);				\
		printf("\n");						\
		failures++;						\
	}								\
} while (0)

static const char *errname(int err)
{
	return err ? strerrorname_np(err) : "none";
}

/*
 * The module's reference count: one per open /dev/vmon, VM or vCPU file.
 * The sysfs file stays open: it is read at the fd limit too.
 */
static int refcnt_fd = -1;

static long module_refcnt(void)
{
	char buf[32];
	ssize_t len;

	if (refcnt_fd < 0)
		refcnt_fd = open("/sys/module/vmon/refcnt", O_RDONLY | O_CLOEXEC);
	len = pread(refcnt_fd, buf, sizeof(buf) - 1, 0);
	if (len <= 0)
		return -1;
	buf[len] = 0;
	return strtol(buf, NULL, 10);
}

/* VmLck of this process in kB: what account_locked_vm() charged */
static long vmlck_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void close_all(int *fds, int n)
{
	while (n > 0)
		close(fds[--n]);
}

static int create_vm(int sys)
{
	int fd = ioctl(sys, VMON_CREATE_VM, 0);

	return fd < 0 ? -errno : fd;
}

static int create_vcpu(int vm, unsigned long id)
{
	int fd = ioctl(vm, VMON_CREATE_VCPU, id);

	return fd < 0 ? -errno : fd;
}

/* one VM, vCPUs 0, 1, ... until the kernel refuses */
static void vcpu_limit(int sys)
{
	static int fds[MAX_VCPUS + 1];
	struct vmon_caps caps;
	int vm, n = 0, err = 0, max, r;
	long ref;

	r = libvmon_get_caps(sys, &caps);
	CHECK(!r && caps.max_vcpus && caps.max_vcpus <= MAX_VCPUS,
	      "VMON_GET_CAPS: %s, max_vcpus %u", errname(-r), caps.max_vcpus);
	if (r || !caps.max_vcpus || caps.max_vcpus > MAX_VCPUS)
		return;
	max = caps.max_vcpus;
	vm = create_vm(sys);
	CHECK(vm >= 0, "VMON_CREATE_VM: %s", errname(-vm));
	if (vm < 0)
		return;
	while (n <= max) {
		r = create_vcpu(vm, n);
		if (r < 0) {
			err = -r;
			break;
		}
		fds[n++] = r;
	}
	ref = module_refcnt();
	printf("# vcpus: %d created in one VM, then %s; module refcnt %ld with them\n",
	       n, errname(err), ref);
	CHECK(n == max && err == EINVAL,
	      "expected %d vCPUs (caps.max_vcpus) then EINVAL, got %d then %s", max, n,
	      errname(err));
	CHECK(ref == n + 2, "module refcnt %ld, expected %d (/dev/vmon, VM, vCPUs)", ref, n + 2);
	r = create_vcpu(vm, 0);
	CHECK(r == -EEXIST, "vCPU id 0 twice: expected EEXIST, got %s", errname(r < 0 ? -r : 0));
	r = create_vcpu(vm, ~0UL);
	CHECK(r == -EINVAL, "vCPU id ~0: expected EINVAL, got %s", errname(r < 0 ? -r : 0));
	close_all(fds, n);
	close(vm);
}

/* VMs with one vCPU each until RLIMIT_NOFILE */
static void vm_limit(int sys, long nofile)
{
	static int fds[MAX_FDS];
	struct rlimit old, rl;
	int n = 0, vms = 0, vcpus = 0, err = 0, r;
	long ref;

	getrlimit(RLIMIT_NOFILE, &old);
	rl = old;
	rl.rlim_cur = nofile;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		CHECK(0, "setrlimit(RLIMIT_NOFILE, %ld): %s", nofile, errname(errno));
		return;
	}
	while (n + 2 <= MAX_FDS) {
		r = create_vm(sys);
		if (r < 0) {
			err = -r;
			break;
		}
		fds[n++] = r;
		vms++;
		r = create_vcpu(r, 0);
		if (r < 0) {
			err = -r;
			break;
		}
		fds[n++] = r;
		vcpus++;
	}
	ref = module_refcnt();
	printf("# vms: %d VMs and %d vCPUs with RLIMIT_NOFILE %ld, then %s; module refcnt %ld with them\n",
	       vms, vcpus, nofile, errname(err), ref);
	CHECK(err == EMFILE, "expected EMFILE at the fd limit, got %s", errname(err));
	CHECK(n >= nofile - 8, "only %d fds of %ld before the limit", n, nofile);
	CHECK(ref == n + 1, "module refcnt %ld, expected %d", ref, n + 1);
	close_all(fds, n);
	setrlimit(RLIMIT_NOFILE, &old);
}

/* 256 KiB slots under a 1 MiB RLIMIT_MEMLOCK: four fit, the fifth is -ENOMEM */
static void memlock_limit(void)
{
	struct rlimit old, rl = { MEMLOCK_LIMIT, MEMLOCK_LIMIT };
	long during, after, before = vmlck_kb();
	struct vmon_vm vm;
	int slots = 0, err = 0, r;
	char *mem;

	mem = libvmon_alloc_guest_memory(8 * SLOT_SIZE);
	CHECK(mem, "mmap of guest memory failed");
	if (!mem)
		return;
	r = libvmon_vm_create(&vm);
	CHECK(!r, "libvmon_vm_create: %s", errname(-r));
	if (r)
		goto out_mem;
	getrlimit(RLIMIT_MEMLOCK, &old);
	r = test_set_effective_cap(CAP_IPC_LOCK, 0);
	CHECK(!r, "capset without CAP_IPC_LOCK: %s", errname(-r));
	CHECK(!setrlimit(RLIMIT_MEMLOCK, &rl), "setrlimit(RLIMIT_MEMLOCK): %s", errname(errno));
	while (slots < 8) {
		r = libvmon_vm_set_memory(&vm, slots, 0, slots * SLOT_SIZE, SLOT_SIZE,
				       mem + slots * SLOT_SIZE);
		if (r) {
			err = -r;
			break;
		}
		slots++;
	}
	during = vmlck_kb();
	libvmon_vm_destroy(&vm);
	after = vmlck_kb();
	setrlimit(RLIMIT_MEMLOCK, &old);
	test_set_effective_cap(CAP_IPC_LOCK, 1);
	printf("# memlock: %d slots of %lu KiB under RLIMIT_MEMLOCK %lu KiB, then %s; VmLck %ld kB before, %ld kB with them, %ld kB after\n",
	       slots, SLOT_SIZE >> 10, MEMLOCK_LIMIT >> 10, errname(err), before, during, after);
	CHECK(slots == MEMLOCK_LIMIT / SLOT_SIZE && err == ENOMEM,
	      "expected %lu slots then ENOMEM, got %d then %s",
	      MEMLOCK_LIMIT / SLOT_SIZE, slots, errname(err));
	CHECK(during == before + (long)(slots * (SLOT_SIZE >> 10)),
	      "VmLck %ld kB with %d slots, expected %ld", during, slots,
	      before + (long)(slots * (SLOT_SIZE >> 10)));
	CHECK(after == before, "VmLck %ld kB after the VM closed, %ld before", after, before);
out_mem:
	libvmon_free_guest_memory(mem, 8 * SLOT_SIZE);
}

int main(int argc, char **argv)
{
	long nofile = argc > 1 ? strtol(argv[1], NULL, 0) : 256;
	int sys;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (nofile < 16 || nofile > MAX_FDS) {
		fprintf(stderr, "usage: storm_limits [NOFILE, 16..%d]\n", MAX_FDS);
		return 1;
	}
	module_refcnt();	/* opens the sysfs file while fds are left */
	sys = libvmon_open_system();
	if (sys < 0) {
		printf("FAIL: open %s: %s\n", VMON_DEVICE_PATH, errname(-sys));
		return 1;
	}
	vcpu_limit(sys);
	vm_limit(sys, nofile);
	close(sys);
	memlock_limit();
	return failures ? 1 : 0;
}
