// SPDX-License-Identifier: GPL-2.0-only
/*
 * The time a launcher takes to bring a Linux guest to its /init.
 *
 *   boot_time vmon|kvm [-r RUNS] [-t SECONDS] [-m MACHINE] [-o FILE] [-c FILE]
 *             -- LAUNCHER [ARG...]
 *
 * Starts LAUNCHER RUNS times (default 1), its standard output and error
 * on a pipe, and times on CLOCK_MONOTONIC from the fork until a line
 * holding "BOOT-BENCH: init" arrives (the guest's /init prints it on
 * its console: the kernel booted and ran userspace) and until the
 * launcher exits (the guest powered off).  In the emulated machines of
 * the rig that clock is the machine's: under Bochs an emulated clock
 * that repeats from boot to boot, under QEMU TCG the host's wall clock.
 * A run that does not end within SECONDS (default 600) is killed; one
 * that printed no marker fails the program.
 *
 * Prints per run "boot NAME run N init NS exit NS status S", then the
 * median of the runs; -o FILE writes the medians, -c FILE reads the
 * other backend's and prints the comparison line
 *
 *   boot init vmon NS kvm NS ratio R vmon-spread MIN..MAX
 *        kvm-spread MIN..MAX exit-ratio R machine M
 *
 * (ratio: vmon / KVM of the medians to /init; exit-ratio: the same to
 * the launcher's exit).  Not a test: it prints figures.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MARKER		"BOOT-BENCH: init"
#define MAX_RUNS	32

struct figures {
	double init_med, init_min, init_max, exit_med;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* one boot: 0, or -1 when no marker came; *init and *exit in ns */
static int boot_once(const char *name, char **argv, unsigned int timeout_s, double *init,
		     double *exit_ns, int *status)
{
	char buf[4096], line[512];
	size_t len = 0;
	double t0 = now_ns();
	int fds[2], found = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	*init = 0;
	for (;;) {
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		double left = t0 + timeout_s * 1e9 - now_ns();
		ssize_t i;

		int r;

		/* a launcher that hangs is ended: no marker, or no exit */
		if (left <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		/*
		 * a line every 2 s: the rig ends a machine whose console stays
		 * silent, and under a loaded host Bochs's emulated seconds take
		 * a minute of the host's
		 */
		r = poll(&p, 1, left > 2e9 ? 2000 : (int)(left / 1e6) + 1);
		if (r == 0) {
			printf("boot %s: %.0f s\n", name, (now_ns() - t0) / 1e9);
			fflush(stdout);
			continue;
		}
		n = read(fds[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			if (buf[i] == '\n' || len == sizeof(line) - 1) {
				line[len] = 0;
				/* the guest's console here too: the rig ends a silent machine */
				printf("boot %s: %s\n", name, line);
				fflush(stdout);
				if (!found && strstr(line, MARKER)) {
					*init = now_ns() - t0;
					found = 1;
				}
				len = 0;
			} else if (buf[i] != '\r') {
				line[len++] = buf[i];
			}
		}
	}
	close(fds[0]);
	waitpid(pid, status, 0);
	*exit_ns = now_ns() - t0;
	return found ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* "init MED MIN MAX" and "exit MED" lines of the other backend; 0 when absent */
static int read_other(const char *file, struct figures *f)
{
	char line[128];
	FILE *in = fopen(file, "r");
	int n = 0;

	if (!in)
		return -1;
	while (fgets(line, sizeof(line), in)) {
		if (sscanf(line, "init %lf %lf %lf", &f->init_med, &f->init_min,
			   &f->init_max) == 3)
			n++;
		else if (sscanf(line, "exit %lf", &f->exit_med) == 1)
			n++;
	}
	fclose(in);
	return n == 2 ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *name, *out = NULL, *cmp = NULL, *machine = "unknown";
	double init[MAX_RUNS], ex[MAX_RUNS], tmp[MAX_RUNS];
	unsigned int runs = 1, timeout_s = 600, i;
	struct figures me, other, *v, *k;
	int opt, status = 0, failed = 0;
	FILE *o;

	if (argc < 2 || (strcmp(argv[1], "vmon") && strcmp(argv[1], "kvm")))
		goto usage;
	name = argv[1];
	while ((opt = getopt(argc - 1, argv + 1, "r:t:m:o:c:")) != -1) {
		if (opt == 'r')
			runs = strtoul(optarg, NULL, 0);
		else if (opt == 't')
			timeout_s = strtoul(optarg, NULL, 0);
		else if (opt == 'm')
			machine = optarg;
		else if (opt == 'o')
			out = optarg;
		else if (opt == 'c')
			cmp = optarg;
		else
			goto usage;
	}
	if (!runs || runs > MAX_RUNS || optind + 1 >= argc)
		goto usage;
	argv += optind + 1;

	for (i = 0; i < runs; i++) {
		if (boot_once(name, argv, timeout_s, &init[i], &ex[i], &status)) {
			printf("boot %s run %u: no \"%s\" line (status 0x%x)\n", name, i,
			       MARKER, status);
			failed = 1;
			continue;
		}
		printf("boot %s run %u init %.0f exit %.0f status %d\n", name, i, init[i], ex[i],
		       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		fflush(stdout);
	}
	if (failed)
		return 1;
	memcpy(tmp, init, sizeof(init));
	qsort(tmp, runs, sizeof(tmp[0]), cmp_double);
	me.init_med = tmp[runs / 2];
	me.init_min = tmp[0];
	me.init_max = tmp[runs - 1];
	memcpy(tmp, ex, sizeof(ex));
	qsort(tmp, runs, sizeof(tmp[0]), cmp_double);
	me.exit_med = tmp[runs / 2];
	printf("boot %s median init %.0f ns  min %.0f  max %.0f  exit %.0f ns (%u runs)\n", name,
	       me.init_med, me.init_min, me.init_max, me.exit_med, runs);
	if (out) {
		o = fopen(out, "w");
		if (!o)
			return 1;
		fprintf(o, "init %.0f %.0f %.0f\nexit %.0f\n", me.init_med, me.init_min,
			me.init_max, me.exit_med);
		fclose(o);
	}
	if (cmp) {
		if (read_other(cmp, &other)) {
			printf("boot: no figures of the other backend in %s\n", cmp);
			return 1;
		}
		/* always vmon / KVM */
		v = strcmp(name, "vmon") ? &other : &me;
		k = v == &me ? &other : &me;
		printf("boot init vmon %.0f kvm %.0f ratio %.2f vmon-spread %.0f..%.0f "
		       "kvm-spread %.0f..%.0f exit-ratio %.2f machine %s\n", v->init_med,
		       k->init_med, v->init_med / k->init_med, v->init_min, v->init_max,
		       k->init_min, k->init_max, v->exit_med / k->exit_med, machine);
	}
	return 0;
usage:
	fprintf(stderr, "usage: boot_time vmon|kvm [-r RUNS<=%d] [-t SECONDS] [-m MACHINE] "
		"[-o FILE] [-c FILE] -- LAUNCHER [ARG...]\n", MAX_RUNS);
	return 2;
}
