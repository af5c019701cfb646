// SPDX-License-Identifier: GPL-2.0-only
/*
 * The running system as vmon doctor sees it (doctor_host): files below
 * "/", the CPUID instruction, /dev/cpu/0/msr, $PATH, the caller's
 * groups and /dev/vmon.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "doctor.h"
#include "libvmon.h"

const char *doctor_path(const struct doctor_sys *sys, const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", sys->root, path);
	return buf;
}

int doctor_read(const struct doctor_sys *sys, const char *path, char *buf, size_t len,
		bool first_line)
{
	char full[512];
	ssize_t n, total = 0;
	int fd;

	fd = open(doctor_path(sys, path, full, sizeof(full)), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while ((size_t)total < len - 1) {
		n = read(fd, buf + total, len - 1 - total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
	}
	close(fd);
	buf[total] = 0;
	if (first_line)
		buf[strcspn(buf, "\n")] = 0;
	return (int)strlen(buf);
}

static void host_cpuid(const struct doctor_sys *sys, unsigned int leaf, unsigned int subleaf,
		       unsigned int regs[4])
{
	__cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
}

/* the msr driver: the file offset is the MSR's index */
static int host_rdmsr(const struct doctor_sys *sys, unsigned int msr, uint64_t *val)
{
	char path[512];
	int fd = open(doctor_path(sys, "/dev/cpu/0/msr", path, sizeof(path)),
		      O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, val, sizeof(*val), msr);
	close(fd);
	if (n == sizeof(*val))
		return 0;
	return n < 0 ? -errno : -EIO;
}

static int host_stat(const struct doctor_sys *sys, const char *path, struct stat *st)
{
	char full[512];

	return stat(doctor_path(sys, path, full, sizeof(full)), st) ? -errno : 0;
}

/* argv[0] in $PATH (and the sbin directories, which a user's PATH may lack) */
static bool find_program(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	char dirs[1024], *dir, *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(buf, len, "%s/%s", dir, name);
		if (!access(buf, X_OK))
			return true;
	}
	return false;
}

/*
 * A helper that has not finished within this is killed and counts as
 * failed: a DKMS or mokutil stuck on a lock must not hang the doctor.
 */
#define DOCTOR_RUN_TIMEOUT_MS	10000

static int host_run(const struct doctor_sys *sys, const char *const *argv, char *buf, size_t len)
{
	struct pollfd pfd = { .events = POLLIN };
	int waited = 0, timed_out = 0;
	char prog[512];
	size_t total = 0;
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	buf[0] = 0;
	if (!find_program(argv[0], prog, sizeof(prog)))
		return -ENOENT;
	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (!pid) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 2);
		dup2(pipefd[1], 1);
		execv(prog, (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	pfd.fd = pipefd[0];
	for (;;) {
		char rest[256];
		int p;

		p = poll(&pfd, 1, 100);
		if (p < 0 && errno != EINTR)
			break;
		if (p <= 0) {
			waited += 100;
			if (waited < DOCTOR_RUN_TIMEOUT_MS)
				continue;
			kill(pid, SIGKILL);
			timed_out = 1;
			break;
		}

		/* past len, read on and drop, so that the child never blocks */
		if (total < len - 1)
			n = read(pipefd[0], buf + total, len - 1 - total);
		else
			n = read(pipefd[0], rest, sizeof(rest));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (total < len - 1)
			total += n;
	}
	buf[total] = 0;
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (timed_out)
		return -ETIMEDOUT;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static uid_t host_euid(const struct doctor_sys *sys)
{
	return geteuid();
}

static int host_groups(const struct doctor_sys *sys, gid_t *list, int max)
{
	int n;

	list[0] = getegid();
	n = getgroups(max - 1, list + 1);
	return n < 0 ? 1 : n + 1;
}

static int host_api_version(const struct doctor_sys *sys)
{
	int fd = libvmon_open_system(), version;

	if (fd < 0)
		return fd;
	version = libvmon_get_api_version(fd);
	close(fd);
	return version;
}

const struct doctor_sys doctor_host = {
	.root = "",
	.cpuid = host_cpuid,
	.rdmsr = host_rdmsr,
	.stat = host_stat,
	.run = host_run,
	.euid = host_euid,
	.groups = host_groups,
	.api_version = host_api_version,
};
