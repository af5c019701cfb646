// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fuzzer's bookkeeping: the seeded PRNG, the ring of the last ops
 * (text, in the page the parent shares), the documented errno sets of
 * Documentation/api.rst and the check of every result against them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>

#include "fuzz.h"

#define B(e)	((unsigned __int128)1 << (e))

/* set in racing threads: they share the op ring with the main thread */
__thread bool fz_quiet;

/*
 * Errors every ioctl may return (api.rst "Errors common to all
 * ioctls"): EFAULT for the argument pointer, EINTR while waiting for the
 * vCPU's lock.  ENOTTY only when the fd is of another kind.
 */
#define COMMON	(B(EFAULT) | B(EINTR))

static const struct {
	const char *name;
	unsigned __int128 errnos;	/* documented for this ioctl */
} kinds[FK_NR] = {
	[FK_API_VERSION] = { "GET_API_VERSION", 0 },
	[FK_GET_CAPS]	 = { "GET_CAPS", 0 },
	[FK_CREATE_VM]	 = { "CREATE_VM", B(EINVAL) | B(EIO) | B(ENOMEM) | B(EMFILE) |
			     B(ENFILE) },
	[FK_SET_MEMORY]	 = { "SET_MEMORY", B(EINVAL) | B(ENOMEM) | B(ENOENT) | B(EEXIST) |
			     B(EIO) },
	[FK_SET_NAME]	 = { "SET_NAME", B(EINVAL) | B(EIO) },
	[FK_CREATE_VCPU] = { "CREATE_VCPU", B(EINVAL) | B(EEXIST) | B(ENOMEM) |
			     B(EMFILE) | B(ENFILE) | B(EIO) },
	[FK_GET_REGS]	 = { "GET_REGS", B(EIO) },
	[FK_SET_REGS]	 = { "SET_REGS", B(EIO) },
	[FK_GET_SREGS]	 = { "GET_SREGS", B(EIO) },
	[FK_SET_SREGS]	 = { "SET_SREGS", B(EINVAL) | B(EIO) },
	[FK_SET_CPUID]	 = { "SET_CPUID", B(E2BIG) | B(EINVAL) | B(ENOMEM) | B(EIO) },
	[FK_GET_MSRS]	 = { "GET_MSRS", B(E2BIG) | B(EINVAL) | B(ENOMEM) | B(EIO) },
	[FK_SET_MSRS]	 = { "SET_MSRS", B(E2BIG) | B(EINVAL) | B(ENOMEM) | B(EIO) },
	[FK_RUN]	 = { "RUN", B(EINVAL) | B(EIO) },
	[FK_INTERRUPT]	 = { "INTERRUPT", B(EINVAL) | B(EBUSY) | B(EIO) },
	[FK_NMI]	 = { "NMI", B(EINVAL) | B(EIO) },
	[FK_INJECT]	 = { "INJECT_EXCEPTION", B(EINVAL) | B(EBUSY) | B(EIO) },
	[FK_STATE_DUMP]	 = { "GET_STATE_DUMP", B(E2BIG) | B(EINVAL) | B(ENOMEM) | B(EIO) },
	[FK_UNKNOWN]	 = { "unknown ioctl", B(ENOTTY) },
	/* api.rst: the local APIC ioctls */
	[FK_GET_LAPIC]	 = { "GET_LAPIC", B(ENOMEM) | B(EIO) },
	[FK_SET_LAPIC]	 = { "SET_LAPIC", B(EINVAL) | B(ENOMEM) | B(EIO) },
	[FK_MP_STATE]	 = { "GET/SET_MP_STATE", B(EINVAL) | B(EIO) },
	[FK_SIGNAL_MSI]	 = { "SIGNAL_MSI", B(EINVAL) | B(EIO) },
	/* api.rst: notifications without exits */
	[FK_IOEVENTFD]	 = { "IOEVENTFD", B(EINVAL) | B(EBADF) | B(EEXIST) | B(ENOENT) |
			     B(ENOSPC) | B(ENOMEM) | B(EIO) },
	[FK_IRQFD]	 = { "IRQFD", B(EINVAL) | B(EBADF) | B(ENOENT) | B(ENOSPC) |
			     B(ENOMEM) | B(EIO) },
	/* api.rst "mmap: the run page"; ENOMEM: the caller's address space */
	[FK_MMAP]	 = { "mmap", B(EINVAL) | B(EPERM) | B(EIO) | B(ENOMEM) },
	/*
	 * netlink.rst: permission, bad attributes, a vCPU id out of range,
	 * unknown VM or vCPU, a second tracer, a tracer's full buffer; EIO
	 * is what libvmon's netlink client (tools/lib/nl.c) makes of a
	 * libnl error it has no errno for.
	 */
	[FK_NETLINK]	 = { "netlink", B(EPERM) | B(EINVAL) | B(ERANGE) | B(ENOENT) |
			     B(ENOMEM) | B(EBUSY) | B(ENOBUFS) | B(EIO) },
};

const char *fz_kind_name(enum fz_kind kind)
{
	return kinds[kind].name;
}

/* splitmix64: one 64-bit state, every seed a full-period stream */
uint64_t fz_rand(struct fz *f)
{
	uint64_t z = (f->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t fz_below(struct fz *f, uint64_t n)
{
	return n ? fz_rand(f) % n : 0;
}

bool fz_chance(struct fz *f, unsigned int percent)
{
	return fz_below(f, 100) < percent;
}

uint64_t fz_boundary(struct fz *f)
{
	unsigned int k = fz_below(f, 64);

	switch (fz_below(f, 8)) {
	case 0: return 0;
	case 1: return ~0ULL;
	case 2: return 1ULL << k;
	case 3: return (1ULL << k) - 1;
	case 4: return ~0ULL << k;
	case 5: return fz_below(f, 256);
	case 6: return (uint32_t)fz_rand(f);
	default: return fz_rand(f);
	}
}

uint64_t fz_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* a new op: its text goes into the ring (and to stdout with --replay) */
void fz_op(struct fz *f, const char *fmt, ...)
{
	struct fz_shared *sh = f->sh;
	char *slot = sh->ring[sh->ops % FZ_RING];
	va_list ap;
	int n;

	n = snprintf(slot, FZ_OPLEN, "op %llu: ", (unsigned long long)sh->ops);
	va_start(ap, fmt);
	vsnprintf(slot + n, FZ_OPLEN - n, fmt, ap);
	va_end(ap);
	sh->op_start_ns = fz_now_ns();
	sh->ops++;
	if (f->o->replay)
		printf("# %s\n", slot);
}

/* more text for the current op (results, exits) */
void fz_note(struct fz *f, const char *fmt, ...)
{
	struct fz_shared *sh = f->sh;
	char *slot;
	size_t n;
	va_list ap;

	if (!sh->ops || fz_quiet)
		return;
	slot = sh->ring[(sh->ops - 1) % FZ_RING];
	n = strlen(slot);
	if (n + 2 >= FZ_OPLEN)
		return;
	va_start(ap, fmt);
	vsnprintf(slot + n, FZ_OPLEN - n, fmt, ap);
	va_end(ap);
	if (f->o->replay) {
		va_start(ap, fmt);
		printf("#   ");
		vprintf(fmt, ap);
		printf("\n");
		va_end(ap);
	}
}

void fz_print_ring(struct fz_shared *sh, const char *prefix)
{
	uint64_t first = sh->ops > FZ_RING ? sh->ops - FZ_RING : 0;
	uint64_t i;

	printf("# %slast %llu ops of seed %llu:\n", prefix,
	       (unsigned long long)(sh->ops - first), (unsigned long long)sh->seed);
	for (i = first; i < sh->ops; i++)
		printf("#   %s\n", sh->ring[i % FZ_RING]);
}

void fz_fail(struct fz *f, uint32_t cls, const char *fmt, ...)
{
	struct fz_shared *sh = f->sh;
	va_list ap;

	sh->fail_class |= cls;
	if (sh->nfail < FZ_NFAIL) {
		va_start(ap, fmt);
		vsnprintf(sh->fail[sh->nfail], FZ_FAILLEN, fmt, ap);
		va_end(ap);
		/* the ops that led here, while the ring still holds them */
		printf("# FAIL seed %llu op %llu: %s\n", (unsigned long long)sh->seed,
		       (unsigned long long)(sh->ops ? sh->ops - 1 : 0), sh->fail[sh->nfail]);
		if (sh->nfail < 2)
			fz_print_ring(sh, "");
		fflush(stdout);
	}
	sh->nfail++;
}

void fz_check(struct fz *f, enum fz_kind kind, long ret, unsigned int flags)
{
	unsigned __int128 allowed = kinds[kind].errnos | COMMON;
	int e;

	if (ret >= 0) {
		__atomic_fetch_add(&f->sh->ok[kind], 1, __ATOMIC_RELAXED);
		return;
	}
	e = -ret;
	__atomic_fetch_add(&f->sh->errnos[kind][e < FZ_ERRNOS ? e : 0], 1, __ATOMIC_RELAXED);
	if (flags & FZ_WRONG_FD)
		allowed |= B(ENOTTY) | B(EBADF) | B(EIO);
	if (flags & FZ_FOREIGN)
		allowed |= B(EIO);
	if (flags & FZ_RACING)
		allowed |= B(EBADF);
	if (e >= FZ_ERRNOS || !(allowed & B(e)))
		fz_fail(f, FZ_FC_ERRNO, "%s returned %s (%d), not in its documented set",
			kinds[kind].name, strerrorname_np(e) ?: "?", e);
}

long fz_ioctl(struct fz *f, int fd, unsigned long req, unsigned long arg,
	      enum fz_kind kind, unsigned int flags)
{
	long r;

	__atomic_fetch_add(&f->sh->ioctls, 1, __ATOMIC_RELAXED);
	r = ioctl(fd, req, arg);
	if (r < 0)
		r = -errno;
	fz_check(f, kind, r, flags);
	fz_note(f, " -> %ld%s%s", r, r < 0 ? " " : "",
		r < 0 ? (strerrorname_np(-r) ?: "?") : "");
	return r;
}

/*
 * The argument pointer: mostly the scratch buffer; sometimes NULL, a
 * kernel or non-canonical address, a PROT_NONE page, a struct that runs
 * into the PROT_NONE page, or a read-only page (bad only for output).
 */
void *fz_argp(struct fz *f, size_t len, bool written_by_kernel, bool *bad)
{
	*bad = false;
	if (len > 4096 || fz_chance(f, 90))
		return f->buf;
	*bad = true;
	switch (fz_below(f, 7)) {
	case 0: return NULL;
	case 1: return (void *)0xffff888000000000ULL;
	case 2: return (void *)0x8000000000000000ULL;
	case 3: return f->none;
	case 4: return f->edge + 4096 - (len > 1 ? fz_below(f, len - 1) + 1 : 1);
	case 5:
		*bad = written_by_kernel;
		return f->ro;
	default:
		return (void *)(uintptr_t)fz_below(f, 4096);
	}
}

/*
 * Copy the argument built in val to p as far as p is writable memory of
 * ours (all of it for the scratch buffer, up to the PROT_NONE page for a
 * pointer near it), so that a good pointer always holds the real struct.
 */
void fz_put(struct fz *f, void *p, const void *val, size_t len)
{
	char *c = p;

	if (c >= f->buf && c + len <= f->buf + 65536)
		memcpy(c, val, len);
	else if (c >= f->edge && c < f->edge + 4096)
		memcpy(c, val, len < (size_t)(f->edge + 4096 - c) ?
		       len : (size_t)(f->edge + 4096 - c));
}
