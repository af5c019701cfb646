// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmon_fuzz: runs seed after seed, each in a child process, and says in
 * TAP what went wrong: a crash or hang of the fuzzer, an errno outside
 * the documented set, an entry failure that names no rule, a kernel
 * splat or unnamed-rule line in the kernel log, the module's reference
 * count not back to 0.
 *
 *   vmon_fuzz [--seed N] [--ops N] [--ioctls N] [--chunk N] [--seconds N] [--replay]
 *             [--no-races] [--run-limit-ms N] [--hang-s N]
 *
 * Without options: the short form "make check" runs.  A failing seed is
 * replayed with --seed SEED --chunk OPS --ops OPS --replay, which prints
 * every op as it is issued.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cpuid.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "fuzz.h"
#include "test_vm.h"
#include "libvmon_nl.h"

#define KMSG_SHOW	12	/* kernel lines printed per chunk */

struct totals {
	uint64_t chunks, ops, crashes, hangs, errno_bad, unnamed_bad, other_bad;
	uint64_t splats, unnamed_log, first_seed, last_seed;
	uint64_t bad_seeds[16];
	unsigned int nbad;
};

/* n op records (what the ring and --replay number), not loop turns */
static void child_ops(struct fz *f, uint64_t n)
{
	while (f->sh->ops < n) {
		unsigned int x = fz_below(f, 1000);

		if (x < 90)
			fz_op_objects(f);
		else if (x < 190)
			fz_op_memory(f);
		else if (x < 205)
			fz_op_mem_games(f);
		else if (x < 240)
			fz_op_unknown(f);
		else if (x < 242)
			fz_op_fork(f);
		else if (x < 320)
			fz_op_regs(f);
		else if (x < 420)
			fz_op_sregs(f);
		else if (x < 470)
			fz_op_cpuid(f);
		else if (x < 550)
			fz_op_msrs(f);
		else if (x < 600)
			fz_op_events(f);
		else if (x < 620)
			fz_op_lapic(f);
		else if (x < 660)
			fz_op_state_dump(f);
		else if (x < 680)
			fz_op_notify(f);
		else if (x < 997)
			fz_op_guest(f);
		else
			fz_op_race(f);
	}
}

static void run_child(const struct fz_opts *o, struct fz_shared *sh, uint64_t seed,
		      uint64_t nops, unsigned int maxphy)
{
	static struct fz f;
	int i, j;

	fz_signals_init();
	memset(&f, 0, sizeof(f));
	f.rng = seed;
	f.o = o;
	f.sh = sh;
	f.maxphy = maxphy;
	fz_objects_init(&f);
	child_ops(&f, nops);
	/* the end: everything closed, in a random order */
	fz_op(&f, "close everything");
	for (i = 0; i < FZ_VMS; i++) {
		struct fz_vm *vm = &f.vms[fz_below(&f, FZ_VMS)];

		if (fz_chance(&f, 50))
			fz_close_vm(&f, vm);
		for (j = 0; j < FZ_VCPUS; j++)
			fz_close_vcpu(&f, &vm->vcpus[j]);
		fz_close_vm(&f, vm);
	}
	for (i = 0; i < FZ_VMS; i++)
		fz_close_vm(&f, &f.vms[i]);
	close(f.sys_fd);
	fflush(stdout);
	_exit(sh->nfail ? 1 : 0);
}

static bool kmsg_all;		/* print every kernel line of this chunk (a hang) */

/* kernel log lines since the last call that the rig or we count as failures */
static void scan_kmsg(int fd, struct totals *t, uint64_t seed)
{
	static const char * const splat[] = { "BUG:", "Oops", "WARNING: CPU",
		"general protection fault", "Call Trace", "Kernel panic" };
	static const char * const unnamed[] = { "no known rule", "no rule of",
		"invalid control field" };
	char rec[1024];
	unsigned int shown = 0, i;
	ssize_t n;

	if (fd < 0)
		return;
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		char *msg;
		bool bad = false;

		if (n < 0)
			continue;	/* records were overwritten: go on */
		rec[n] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		for (i = 0; i < sizeof(splat) / sizeof(splat[0]); i++) {
			if (strstr(msg, splat[i])) {
				t->splats++;
				bad = true;
			}
		}
		for (i = 0; i < sizeof(unnamed) / sizeof(unnamed[0]); i++) {
			if (strstr(msg, unnamed[i])) {
				t->unnamed_log++;
				bad = true;
			}
		}
		if ((bad && shown++ < KMSG_SHOW) || (kmsg_all && shown++ < 80))
			printf("# kernel (seed %llu): %s", (unsigned long long)seed, msg);
	}
	kmsg_all = false;
}

/* where a hung child's threads are: /proc/PID/task/TID/stack (root) */
static void print_stacks(pid_t pid)
{
	char path[300], line[256];
	struct dirent *de;
	DIR *d;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", pid, de->d_name);
		fp = fopen(path, "r");
		if (!fp)
			continue;
		printf("# task %s:\n", de->d_name);
		while (fgets(line, sizeof(line), fp))
			printf("#   %s", line);
		fclose(fp);
		/* the system call it is in ("running": none, in user space) */
		snprintf(path, sizeof(path), "/proc/%d/task/%s/syscall", pid, de->d_name);
		fp = fopen(path, "r");
		if (fp) {
			if (fgets(line, sizeof(line), fp))
				printf("#   syscall: %s", line);
			fclose(fp);
		}
		/* whether a signal is pending for it, and what it blocks */
		snprintf(path, sizeof(path), "/proc/%d/task/%s/status", pid, de->d_name);
		fp = fopen(path, "r");
		if (!fp)
			continue;
		while (fgets(line, sizeof(line), fp))
			if (!strncmp(line, "SigPnd:", 7) || !strncmp(line, "ShdPnd:", 7) ||
			    !strncmp(line, "SigBlk:", 7) || !strncmp(line, "State:", 6))
				printf("#   %s", line);
		fclose(fp);
	}
	closedir(d);
}

/* the stacks of pid and of its children (a forked op's child) */
static void print_tree_stacks(pid_t pid)
{
	char path[300], line[256];
	struct dirent *de;
	DIR *d = opendir("/proc");
	FILE *fp;
	int ppid;

	print_stacks(pid);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", de->d_name);
		fp = fopen(path, "r");
		if (!fp)
			continue;
		ppid = -1;
		while (fgets(line, sizeof(line), fp))
			if (sscanf(line, "PPid: %d", &ppid) == 1)
				break;
		fclose(fp);
		if (ppid == pid) {
			printf("# child %s of %d:\n", de->d_name, pid);
			print_stacks(atoi(de->d_name));
		}
	}
	if (d)
		closedir(d);
}

/*
 * A hang seen from outside: are the hung process's vCPUs stuck in the
 * guest (their exit counts stand still) or looping through exits the
 * kernel handles (they climb, and the reasons say which)?  Exit counts
 * of every VM one second apart (a forked child of the chunk may own the
 * one that hangs).
 */
static void report_exit_counts(pid_t pid)
{
	struct libvmon_vm_stats *before, now;
	const struct libvmon_exit_stats *b, *c = &now.total;
	const struct libvmon_reason_stats *was;
	struct libvmon_vm_info *vms;
	struct libvmon_nl v;
	unsigned int n, i, r;
	int ret;

	ret = libvmon_nl_open(&v);
	if (ret) {
		printf("# hung: no netlink (%d): exit counts unknown\n", ret);
		return;
	}
	if (libvmon_nl_list_vms(&v, &vms, &n))
		n = 0;
	before = calloc(n ? n : 1, sizeof(*before));
	for (i = 0; i < n && before; i++)
		libvmon_nl_get_stats(&v, vms[i].id, -1, &before[i]);
	sleep(1);
	for (i = 0; i < n && before; i++) {
		b = &before[i].total;
		if (libvmon_nl_get_stats(&v, vms[i].id, -1, &now))
			continue;
		printf("# hung: VM %u of pid %u%s: %llu exits (%llu to userspace), +%llu in 1 s:",
		       vms[i].id, vms[i].pid, vms[i].pid == (uint32_t)pid ? " (the chunk)" : "",
		       (unsigned long long)c->exits, (unsigned long long)c->user_exits,
		       (unsigned long long)(c->exits - b->exits));
		for (r = 0; r < c->nr_reasons; r++) {
			was = libvmon_stats_reason(b, c->reasons[r].code);
			if (c->reasons[r].count != (was ? was->count : 0))
				printf(" %#x+%llu", c->reasons[r].code,
				       (unsigned long long)(c->reasons[r].count -
							    (was ? was->count : 0)));
		}
		printf("\n");
		libvmon_vm_stats_free(&now);
	}
	for (i = 0; i < n && before; i++)
		libvmon_vm_stats_free(&before[i]);
	free(before);
	free(vms);
	libvmon_nl_close(&v);
}

static void sysrq_backtrace(void)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, "l", 1) == 1)
		kmsg_all = true;
	close(fd);
	usleep(500000);
}

static void note_bad_seed(struct totals *t, uint64_t seed)
{
	if (t->nbad < 16 && (!t->nbad || t->bad_seeds[t->nbad - 1] != seed))
		t->bad_seeds[t->nbad++] = seed;
}

/* one seed in a child; the parent watches for a crash or a hung op */
/*
 * How long the chunk's current op has been running.  The chunk writes
 * op_start_ns at every op, hundreds of times a second: read it first,
 * then the clock.  The other order (or C's unspecified order within
 * "now - start") lets a newer start land between the two reads, and
 * the unsigned difference wraps to a huge age: a healthy chunk, busy
 * outside VMON_RUN, would be reported as hung.
 */
static uint64_t op_age_ns(struct fz_shared *sh)
{
	uint64_t start = __atomic_load_n(&sh->op_start_ns, __ATOMIC_ACQUIRE);
	uint64_t now = fz_now_ns();

	return now > start ? now - start : 0;
}

static void run_chunk(const struct fz_opts *o, struct fz_shared *sh, uint64_t seed,
		      uint64_t nops, unsigned int maxphy, struct totals *t)
{
	uint64_t hang_ns = o->hang_s * 1000000000ULL;
	pid_t pid;
	int st = 0;

	sh->seed = seed;
	sh->ops = 0;
	sh->nfail = 0;
	sh->fail_class = 0;
	memset(sh->ring, 0, sizeof(sh->ring));
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0)
		run_child(o, sh, seed, nops, maxphy);
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			break;
		if (sh->ops && op_age_ns(sh) > hang_ns) {
			uint64_t in_run = sh->run_start_ns;

			printf("# HANG seed %llu: op %llu has not finished in %u s; %s%llu ms\n",
			       (unsigned long long)seed, (unsigned long long)sh->ops - 1, o->hang_s,
			       in_run ? "inside VMON_RUN for " : "not inside VMON_RUN, ",
			       in_run ? (unsigned long long)((fz_now_ns() - in_run) / 1000000) : 0ULL);
			printf("# the op: %s\n", sh->ring[(sh->ops - 1) % FZ_RING]);
			fz_print_ring(sh, "hung: ");
			print_tree_stacks(pid);
			report_exit_counts(pid);
			/* the kernel stacks of the running CPUs: the hung task is one */
			sysrq_backtrace();
			fflush(stdout);
			sh->fail_class |= FZ_FC_HANG;
			/*
			 * The backtrace NMI ends a guest stint that nothing else
			 * could: give the child time to report the late RUN with
			 * the guest's state before it goes.
			 */
			for (int i = 0; i < 1500 && waitpid(pid, &st, WNOHANG) == 0; i++)
				usleep(20000);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		usleep(20000);
	}
	if (WIFSIGNALED(st) && !(sh->fail_class & FZ_FC_HANG)) {
		printf("# CRASH seed %llu: the fuzzer died of signal %d (%s) at op %llu\n",
		       (unsigned long long)seed, WTERMSIG(st), strsignal(WTERMSIG(st)),
		       (unsigned long long)(sh->ops ? sh->ops - 1 : 0));
		fz_print_ring(sh, "crashed: ");
		sh->fail_class |= FZ_FC_CRASH;
	}
	t->chunks++;
	t->ops += sh->ops;
	if (sh->fail_class & FZ_FC_CRASH)
		t->crashes++;
	if (sh->fail_class & FZ_FC_HANG)
		t->hangs++;
	if (sh->fail_class & FZ_FC_ERRNO)
		t->errno_bad++;
	if (sh->fail_class & FZ_FC_UNNAMED)
		t->unnamed_bad++;
	if (sh->fail_class & FZ_FC_OTHER)
		t->other_bad++;
	if (sh->fail_class) {
		note_bad_seed(t, seed);
		printf("# replay: vmon_fuzz --seed %llu --chunk %llu --ops %llu --replay%s\n",
		       (unsigned long long)seed, (unsigned long long)sh->ops,
		       (unsigned long long)sh->ops, o->races ? "" : " --no-races");
	}
}

static void print_figures(const struct fz_opts *o, struct fz_shared *sh, struct totals *t,
			  const char *be, double secs)
{
	int k, e;

	printf("# %s: %llu ioctls (%llu from race threads) in %llu ops, %llu seeds (%llu..%llu), %.1f s, %.0f ioctls/s\n",
	       be, (unsigned long long)sh->ioctls, (unsigned long long)sh->race_ioctls,
	       (unsigned long long)t->ops,
	       (unsigned long long)t->chunks, (unsigned long long)t->first_seed,
	       (unsigned long long)t->last_seed, secs, secs > 0 ? sh->ioctls / secs : 0);
	printf("# %s: %llu RUNs (longest %.1f ms), %llu forks, %llu races, %llu memory games\n",
	       be, (unsigned long long)sh->runs, sh->max_run_ns / 1e6,
	       (unsigned long long)sh->forks, (unsigned long long)sh->races,
	       (unsigned long long)sh->mem_games);
	printf("# %s: exits:", be);
	for (k = 0; k <= VMON_EXIT_NR; k++)
		if (sh->exits[k])
			printf(" %d:%llu", k, (unsigned long long)sh->exits[k]);
	printf("\n# %s: VMON_EXIT_FAIL_ENTRY by kind:", be);
	for (k = 0; k < 8; k++)
		if (sh->fail_kind[k])
			printf(" %d:%llu", k, (unsigned long long)sh->fail_kind[k]);
	printf("; by rule:");
	for (k = 0; k < FZ_RULES; k++)
		if (sh->rule[k])
			printf(" %d:%llu", k, (unsigned long long)sh->rule[k]);
	printf("; unnamed %llu\n", (unsigned long long)sh->unnamed);
	for (k = 0; k < FK_NR; k++) {
		bool any = false;

		for (e = 0; e < FZ_ERRNOS; e++) {
			if (!sh->errnos[k][e])
				continue;
			if (!any)
				printf("# %s: %-16s ok %llu;", be, fz_kind_name(k),
				       (unsigned long long)sh->ok[k]);
			any = true;
			printf(" %s %llu", e ? strerrorname_np(e) ?: "?" : "E>=128",
			       (unsigned long long)sh->errnos[k][e]);
		}
		if (any)
			printf("\n");
	}
	if (t->nbad) {
		printf("# %s: failing seeds:", be);
		for (k = 0; k < (int)t->nbad; k++)
			printf(" %llu", (unsigned long long)t->bad_seeds[k]);
		printf("\n");
	}
	(void)o;
}

static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [--seed N] [--ops N] [--ioctls N] [--chunk N] [--seconds N] [--replay]\n"
		"       [--no-races] [--run-limit-ms N] [--hang-s N] [--tick-us N]\n", argv0);
	exit(2);
}

static void parse(int argc, char **argv, struct fz_opts *o)
{
	static const struct option lo[] = {
		{ "seed", 1, NULL, 's' }, { "ops", 1, NULL, 'n' }, { "chunk", 1, NULL, 'c' },
		{ "ioctls", 1, NULL, 'i' },
		{ "seconds", 1, NULL, 't' }, { "replay", 0, NULL, 'r' },
		{ "verbose", 0, NULL, 'r' }, { "no-races", 0, NULL, 'R' },
		{ "run-limit-ms", 1, NULL, 'l' }, { "hang-s", 1, NULL, 'h' },
		{ "tick-us", 1, NULL, 'T' }, { 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "s:n:c:t:rv", lo, NULL)) != -1) {
		switch (c) {
		case 's': o->seed = strtoull(optarg, NULL, 0); break;
		case 'n': o->ops = strtoull(optarg, NULL, 0); break;
		case 'i': o->ioctls = strtoull(optarg, NULL, 0); o->ops = ~0ULL; break;
		case 'c': o->chunk = strtoull(optarg, NULL, 0); break;
		case 't': o->seconds = strtoul(optarg, NULL, 0); break;
		case 'r': case 'v': o->replay = true; break;
		case 'R': o->races = false; break;
		case 'l': o->run_limit_ms = strtoul(optarg, NULL, 0); break;
		case 'h': o->hang_s = strtoul(optarg, NULL, 0); break;
		case 'T': o->tick_us = strtoul(optarg, NULL, 0) ?: 1; break;
		default: usage(argv[0]);
		}
	}
}

int main(int argc, char **argv)
{
	/* the short form of "make check" (Documentation/testing.rst) */
	struct fz_opts o = { .seed = 1, .races = true };
	struct totals t = { 0 };
	struct fz_shared *sh;
	struct vmon_caps caps;
	unsigned int a, b, c, d, maxphy = 0;
	uint64_t seed, t0;
	const char *be;
	double secs;
	int kmsg, sys, ref = -1, i, fails = 0;

	parse(argc, argv, &o);
	/* the rig's way to size a run without arguments (rig/check.sh) */
	if (!o.ops && !o.ioctls && getenv("VMON_FUZZ_OPS"))
		o.ops = strtoull(getenv("VMON_FUZZ_OPS"), NULL, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	sys = open("/dev/vmon", O_RDWR);
	if (sys < 0 || ioctl(sys, VMON_GET_CAPS, &caps)) {
		printf("1..0 # SKIP no /dev/vmon: vmon.ko not loaded\n");
		return 4;
	}
	close(sys);
	be = caps.backend == VMON_BACKEND_VMX ? "vmx" : "svm";
	/*
	 * The short form of "make check", sized to about 30 s of wall time
	 * in QEMU (SVM) and 60 s in Bochs (VMX).  Bochs' clock is emulated
	 * and runs about 100 times slower than the wall clock there, so its
	 * limits in guest seconds are shorter (Documentation/testing.rst).
	 */
	if (caps.backend == VMON_BACKEND_VMX) {
		o.ops = o.ops ?: 1500;
		o.chunk = o.chunk ?: 750;
		o.run_limit_ms = o.run_limit_ms ?: 500;
		o.hang_s = o.hang_s ?: 3;
		o.tick_us = o.tick_us ?: 100;
	} else {
		o.ops = o.ops ?: 20000;
		o.chunk = o.chunk ?: 2500;
		o.run_limit_ms = o.run_limit_ms ?: 10000;
		o.hang_s = o.hang_s ?: 15;
		o.tick_us = o.tick_us ?: 1000;
	}
	if (__get_cpuid(0x80000008, &a, &b, &c, &d))
		maxphy = a & 0xff;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	memset(sh, 0, sizeof(*sh));
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	printf("1..6\n");
	printf("# %s: seed %llu, %llu ops (%llu ioctls) in chunks of %llu, ticks of %u us%s%s\n", be,
	       (unsigned long long)o.seed, (unsigned long long)o.ops,
	       (unsigned long long)o.ioctls,
	       (unsigned long long)o.chunk, o.tick_us, o.seconds ? ", time limit" : "",
	       o.races ? "" : ", no races");
	t0 = fz_now_ns();
	t.first_seed = o.seed;
	for (seed = o.seed; t.ops < o.ops && (!o.ioctls || sh->ioctls < o.ioctls); seed++) {
		uint64_t n = o.ops - t.ops < o.chunk ? o.ops - t.ops : o.chunk;

		if (o.seconds && fz_now_ns() - t0 > o.seconds * 1000000000ULL)
			break;
		t.last_seed = seed;
		run_chunk(&o, sh, seed, n, maxphy, &t);
		scan_kmsg(kmsg, &t, seed);
		/* progress: the rig ends a machine whose console stays silent */
		printf("# seed %llu done: %llu ops, %llu ioctls, %.0f s\n",
		       (unsigned long long)seed, (unsigned long long)t.ops,
		       (unsigned long long)sh->ioctls, (fz_now_ns() - t0) / 1e9);
		/* the short form gives up on a machine that keeps hanging */
		if (!o.ioctls && t.crashes + t.hangs > 8)
			break;
	}
	secs = (fz_now_ns() - t0) / 1e9;
	/* every fd of every chunk is closed: the module must be free again */
	for (i = 0; i < 50 && (ref = test_module_refcnt()) > 0; i++)
		usleep(100000);
	print_figures(&o, sh, &t, be, secs);

#define TAP(cond, fmt, ...) do {						\
	bool __ok = (cond);							\
	fails += !__ok;								\
	printf("%sok %d - %s: " fmt "\n", __ok ? "" : "not ", ++i, be, ##__VA_ARGS__); \
} while (0)
	i = 0;
	TAP(!t.crashes && !t.other_bad, "%llu seeds ran without a fuzzer crash or wrong result "
	    "(%llu crashed, %llu wrong)", (unsigned long long)t.chunks,
	    (unsigned long long)t.crashes, (unsigned long long)t.other_bad);
	TAP(!t.hangs, "no hung vCPU, RUN or thread (%llu)", (unsigned long long)t.hangs);
	TAP(!t.errno_bad, "every errno in the documented set (%llu seeds broke it)",
	    (unsigned long long)t.errno_bad);
	TAP(!t.unnamed_bad, "every entry failure names a rule (%llu unnamed)",
	    (unsigned long long)sh->unnamed);
	TAP(!t.splats && !t.unnamed_log,
	    "kernel log: %llu splat lines, %llu unnamed-rule lines",
	    (unsigned long long)t.splats, (unsigned long long)t.unnamed_log);
	TAP(ref == 0 || ref == -1, "module refcount back to 0 (%d)", ref);
	return fails ? 1 : 0;
}
