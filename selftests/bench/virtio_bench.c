// SPDX-License-Identifier: GPL-2.0-only
/*
 * The I/O figures of rig/bench-virtio.sh, measured the same way under
 * vmon and under QEMU+KVM: the same static binary runs in the Linux
 * guest (disk and one side of the network) and in the emulated machine
 * (the other side of the network).
 *
 *   virtio_bench blk DEV MIB OPS REPS  REPS times: sequential write and
 *                                      read of MIB MiB in 1 MiB O_DIRECT
 *                                      requests, then OPS random 4 KiB
 *                                      O_DIRECT reads within them
 *   virtio_bench recv PORT REPS NAME   accept REPS TCP connections on PORT
 *                                      (IPv6) one after the other, read
 *                                      each to the end
 *   virtio_bench send ADDR PORT MIB REPS  REPS times: connect to
 *                                      [ADDR]:PORT, send MIB MiB, close
 *
 * Every sample is one line "bench: NAME VALUE UNIT"; the scripts take
 * the median and spread of the REPS samples of each figure.  The
 * receiver of a transfer reports it, timed from the first byte to the
 * end of stream.  O_DIRECT keeps the guest's page cache out of the disk
 * figures, so each request reaches the device.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MIB		(1024 * 1024)
#define SECTOR_4K	4096

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "virtio_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* all of len at off, or die: a short transfer on a block device is an error */
static void xpio(int fd, void *buf, size_t len, off_t off, int write)
{
	ssize_t n = write ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);

	if (n != (ssize_t)len) {
		if (n >= 0)
			errno = EIO;
		die(write ? "pwrite" : "pread");
	}
}

/* one repetition of the three disk figures; seed carries on across them */
static void blk_once(int fd, void *buf, unsigned long mib, unsigned long ops,
		     uint64_t *seed)
{
	unsigned long i;
	double t0, t;

	t0 = now_s();
	for (i = 0; i < mib; i++)
		xpio(fd, buf, MIB, (off_t)i * MIB, 1);
	if (fdatasync(fd))
		die("fdatasync");
	t = now_s() - t0;
	printf("bench: blk-seq-write %.1f MB/s\n", mib * MIB / t / 1e6);

	t0 = now_s();
	for (i = 0; i < mib; i++)
		xpio(fd, buf, MIB, (off_t)i * MIB, 0);
	t = now_s() - t0;
	printf("bench: blk-seq-read %.1f MB/s\n", mib * MIB / t / 1e6);

	t0 = now_s();
	for (i = 0; i < ops; i++) {
		*seed ^= *seed << 13;
		*seed ^= *seed >> 7;
		*seed ^= *seed << 17;
		xpio(fd, buf, SECTOR_4K,
		     (off_t)(*seed % (mib * (MIB / SECTOR_4K))) * SECTOR_4K, 0);
	}
	t = now_s() - t0;
	printf("bench: blk-rand-read-4k %.0f IOPS\n", ops / t);
}

static int bench_blk(const char *dev, unsigned long mib, unsigned long ops,
		     unsigned long reps)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;	/* a fixed sequence: same offsets in every run */
	unsigned long r;
	void *buf;
	int fd;

	if (!mib || !reps)
		return 2;
	fd = open(dev, O_RDWR | O_DIRECT);
	if (fd < 0)
		die(dev);
	if (posix_memalign(&buf, SECTOR_4K, MIB))
		die("posix_memalign");
	memset(buf, 0xa5, MIB);
	for (r = 0; r < reps; r++)
		blk_once(fd, buf, mib, ops, &seed);
	close(fd);
	return 0;
}

static int bench_recv(int port, unsigned long reps, const char *name)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	static char buf[256 * 1024];
	unsigned long long total;
	int one = 1, ls, s;
	unsigned long r;
	double t0, t;
	ssize_t n;

	ls = socket(AF_INET6, SOCK_STREAM, 0);
	if (ls < 0)
		die("socket");
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 1))
		die("bind/listen");
	printf("bench: listening on %d\n", port);
	for (r = 0; r < reps; r++) {
		s = accept(ls, NULL, NULL);
		if (s < 0)
			die("accept");
		total = 0;
		t0 = 0;
		while ((n = read(s, buf, sizeof(buf))) != 0) {
			if (n < 0) {
				if (errno == EINTR)
					continue;
				die("read");
			}
			if (!total)
				t0 = now_s();
			total += n;
		}
		t = now_s() - t0;
		printf("bench: %s %.1f MB/s (%llu bytes)\n", name,
		       t > 0 ? total / t / 1e6 : 0.0, total);
		close(s);
	}
	close(ls);
	return 0;
}

/* one connection: MIB MiB to sa, then close */
static void send_once(const struct sockaddr_in6 *sa, const char *buf,
		      size_t size, unsigned long mib)
{
	unsigned long long left = (unsigned long long)mib * MIB;
	int s, tries;

	/* the receiver may still be starting: retry for about 30 s */
	for (tries = 0;; tries++) {
		s = socket(AF_INET6, SOCK_STREAM, 0);
		if (s < 0)
			die("socket");
		if (!connect(s, (const struct sockaddr *)sa, sizeof(*sa)))
			break;
		if (tries == 300)
			die("connect");
		close(s);
		usleep(100000);
	}
	while (left) {
		size_t len = left < size ? left : size;
		ssize_t n = write(s, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		left -= n;
	}
	close(s);
}

static int bench_send(const char *addr, int port, unsigned long mib,
		      unsigned long reps)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	static char buf[256 * 1024];
	unsigned long r;

	if (inet_pton(AF_INET6, addr, &sa.sin6_addr) != 1) {
		fprintf(stderr, "virtio_bench: %s: not an IPv6 address\n", addr);
		return 2;
	}
	memset(buf, 0x5a, sizeof(buf));
	for (r = 0; r < reps; r++)
		send_once(&sa, buf, sizeof(buf), mib);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 6 && !strcmp(argv[1], "blk"))
		return bench_blk(argv[2], strtoul(argv[3], NULL, 0),
				 strtoul(argv[4], NULL, 0), strtoul(argv[5], NULL, 0));
	if (argc == 5 && !strcmp(argv[1], "recv"))
		return bench_recv(atoi(argv[2]), strtoul(argv[3], NULL, 0), argv[4]);
	if (argc == 6 && !strcmp(argv[1], "send"))
		return bench_send(argv[2], atoi(argv[3]), strtoul(argv[4], NULL, 0),
				  strtoul(argv[5], NULL, 0));
	fprintf(stderr, "usage: virtio_bench blk DEV MIB OPS REPS | recv PORT REPS NAME |\n"
		"       virtio_bench send ADDR PORT MIB REPS\n");
	return 2;
}
