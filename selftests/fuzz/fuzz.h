/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmon_fuzz: a struct-aware, seeded ioctl fuzzer for /dev/vmon.
 *
 * One seed drives one "chunk": a child process that opens /dev/vmon and
 * issues a deterministic sequence of operations drawn from the seed
 * (ioctls on system, VM and vCPU fds, random guest code run in real,
 * protected and long mode, memory games with slot memory, fork, threads
 * racing RUN).  The parent watches the child through a shared page: op
 * counter, start time of the current op, the last FZ_RING ops as text and
 * the figures.  See Documentation/testing.rst, "Fuzzing".
 */
#ifndef VMON_FUZZ_H
#define VMON_FUZZ_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/vmon.h>

#define FZ_RING		32	/* ops kept for the failure report */
#define FZ_OPLEN	200
#define FZ_NFAIL	8	/* failure texts kept per chunk */
#define FZ_FAILLEN	1200
#define FZ_RULES	512	/* rule ids: VMX < 200, SVM from 200 */
#define FZ_ERRNOS	128	/* every errno is below 128 */
#define FZ_VMS		3
#define FZ_VCPUS	3
#define FZ_SLOTS	32	/* caps.max_mem_slots */
#define FZ_STALE	8

/* what an ioctl is, for its documented errno set (Documentation/api.rst) */
enum fz_kind {
	FK_API_VERSION, FK_GET_CAPS, FK_CREATE_VM, FK_SET_MEMORY, FK_SET_NAME,
	FK_CREATE_VCPU, FK_GET_REGS, FK_SET_REGS, FK_GET_SREGS, FK_SET_SREGS,
	FK_SET_CPUID, FK_GET_MSRS, FK_SET_MSRS, FK_RUN, FK_INTERRUPT, FK_NMI,
	FK_INJECT, FK_STATE_DUMP, FK_UNKNOWN, FK_MMAP, FK_NETLINK,
	FK_GET_LAPIC, FK_SET_LAPIC, FK_MP_STATE, FK_SIGNAL_MSI, FK_IOEVENTFD, FK_IRQFD,
	FK_NR
};

/* fz_ioctl() flags: why errors outside the ioctl's own set may come */
#define FZ_WRONG_FD	(1u << 0)	/* fd of another kind, or stale: ENOTTY, EBADF */
#define FZ_FOREIGN	(1u << 1)	/* fd of another mm (fork): EIO */
#define FZ_RACING	(1u << 2)	/* another thread may close the fd: EBADF */

/* shared between a chunk's child and the parent (MAP_SHARED) */
struct fz_shared {
	uint64_t seed;
	uint64_t ops;			/* ops started in this chunk */
	uint64_t ioctls;		/* ioctls issued (all chunks) */
	uint64_t race_ioctls;		/* of which by racing threads */
	uint64_t op_start_ns;		/* CLOCK_MONOTONIC of the current op */
	uint64_t run_start_ns;		/* of the VMON_RUN in progress, 0 outside one */
	uint32_t in_op;
	char ring[FZ_RING][FZ_OPLEN];
	/* figures, added over all chunks */
	uint64_t errnos[FK_NR][FZ_ERRNOS];
	uint64_t ok[FK_NR];
	uint64_t fail_kind[8];		/* VMON_EXIT_FAIL_ENTRY by vmon_fail_kind */
	uint64_t rule[FZ_RULES];
	uint64_t unnamed;		/* entry failures with rule 0 */
	uint64_t exits[VMON_EXIT_NR + 1];
	uint64_t runs, max_run_ns, forks, races, mem_games;
	/* failures of this chunk */
	uint32_t nfail;
	uint32_t fail_class;		/* FZ_FC_* bits */
	char fail[FZ_NFAIL][FZ_FAILLEN];
};

#define FZ_FC_ERRNO	(1u << 0)
#define FZ_FC_UNNAMED	(1u << 1)
#define FZ_FC_HANG	(1u << 2)
#define FZ_FC_CRASH	(1u << 3)
#define FZ_FC_OTHER	(1u << 4)

struct fz_opts {
	uint64_t seed;
	uint64_t ops;			/* total ops (all chunks) */
	uint64_t ioctls;		/* or: stop once this many ioctls were issued */
	uint64_t chunk;			/* ops per chunk (per seed) */
	unsigned int seconds;		/* stop starting chunks after this */
	bool replay;			/* print every op as it is issued */
	bool races;			/* threads, fork: not deterministic */
	unsigned int run_limit_ms;	/* a RUN must return within this after a signal */
	unsigned int tick_us;		/* a RUN's timer signal comes after 1-21 ticks */
	unsigned int hang_s;		/* an op running longer is a hang */
};

struct fz_slot {
	bool used;
	uint32_t flags;
	uint64_t gpa, size;
	void *map;			/* our mapping, munmap'ed when replaced */
	size_t map_len;
	bool gone;			/* munmap'ed/mremap'ed while registered */
};

struct fz_vcpu {
	int fd;				/* -1: none */
	unsigned int id;
	struct vmon_run *run;		/* may outlive fd */
};

struct fz_vm {
	int fd;				/* -1: none */
	struct fz_slot slots[FZ_SLOTS];
	struct fz_vcpu vcpus[FZ_VCPUS];
	bool guest_ok;			/* guest slots 0-2 registered as guest.c wants */
};

struct fz {
	uint64_t rng;
	const struct fz_opts *o;
	struct fz_shared *sh;
	int sys_fd;
	struct vmon_caps caps;
	bool svm;
	unsigned int maxphy;
	struct fz_vm vms[FZ_VMS];
	int stale[FZ_STALE];		/* closed fd numbers, to use again */
	/* argument buffers: a page before a PROT_NONE page, a read-only page */
	char *buf;			/* 64 KiB read/write */
	char *edge;			/* last page before a PROT_NONE page */
	char *ro;			/* read-only page */
	char *none;			/* PROT_NONE page */
};

/* log.c: PRNG, op ring, errno sets, failures */
uint64_t fz_rand(struct fz *f);
uint64_t fz_below(struct fz *f, uint64_t n);
bool fz_chance(struct fz *f, unsigned int percent);
uint64_t fz_boundary(struct fz *f);		/* 0, ~0, powers of two, ... */
uint64_t fz_now_ns(void);
void fz_op(struct fz *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fz_note(struct fz *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fz_fail(struct fz *f, uint32_t cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void fz_print_ring(struct fz_shared *sh, const char *prefix);
/* one ioctl, counted and checked: returns ret >= 0 or -errno */
long fz_ioctl(struct fz *f, int fd, unsigned long req, unsigned long arg,
	      enum fz_kind kind, unsigned int flags);
/* check a result of something else (mmap, netlink) against kind's set */
void fz_check(struct fz *f, enum fz_kind kind, long ret, unsigned int flags);
const char *fz_kind_name(enum fz_kind kind);
/* a pointer for an ioctl argument of len bytes: mostly good, sometimes not */
void *fz_argp(struct fz *f, size_t len, bool written_by_kernel, bool *bad);
void fz_put(struct fz *f, void *p, const void *val, size_t len);

/* objects.c: fds, VMs, vCPUs, memory */
void fz_objects_init(struct fz *f);
struct fz_vm *fz_pick_vm(struct fz *f, bool create);
struct fz_vcpu *fz_pick_vcpu(struct fz *f, struct fz_vm **vmp, bool create);
int fz_any_fd(struct fz *f, unsigned int *flags);
void fz_close_vcpu(struct fz *f, struct fz_vcpu *c);
void fz_close_vm(struct fz *f, struct fz_vm *vm);
int fz_set_slot(struct fz *f, struct fz_vm *vm, uint32_t slot, uint32_t flags,
		uint64_t gpa, uint64_t size);
void fz_op_objects(struct fz *f);
void fz_op_memory(struct fz *f);
void fz_op_mem_games(struct fz *f);
void fz_op_unknown(struct fz *f);
void fz_op_fork(struct fz *f);

/* vcpu_ops.c: state and event ioctls */
void fz_op_regs(struct fz *f);
void fz_op_sregs(struct fz *f);
void fz_op_cpuid(struct fz *f);
void fz_op_msrs(struct fz *f);
void fz_op_events(struct fz *f);
void fz_op_state_dump(struct fz *f);
void fz_op_lapic(struct fz *f);
void fz_random_sregs(struct fz *f, struct vmon_sregs *s);
void fz_avoid_emulator_sregs(struct fz *f, struct vmon_sregs *s);

/* notify_ops.c: VMON_IOEVENTFD, VMON_IRQFD, eventfds signalled and closed */
void fz_op_notify(struct fz *f);

/* guest.c: random guest code and VMON_RUN */
void fz_op_guest(struct fz *f);
void fz_run_once(struct fz *f, struct fz_vcpu *c, const char *why);
void fz_signals_init(void);

/* races.c: threads and netlink */
void fz_op_race(struct fz *f);

#endif /* VMON_FUZZ_H */
