/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmon run: options, the guest-memory layout, and the vCPU run loop.
 */
#ifndef VMON_RUN_H
#define VMON_RUN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "libvmon.h"
#include "machine.h"

struct vmon_machine;

#define RUN_DEFAULT_MEM		(64ULL << 20)
#define RUN_DEFAULT_MEM_KERNEL	(256ULL << 20)	/* --kernel: enough for Linux and an initrd */
#define RUN_DEFAULT_LOAD_REAL	0x1000ULL
#define RUN_DEFAULT_LOAD_PROT	0x100000ULL	/* 1 MiB, where 32/64-bit kernels go */
/* --cpus: xAPIC IDs are 8 bits and 0xFF is the broadcast ID (SDM Vol. 3A 11.6.2.1) */
#define RUN_MAX_CPUS		254
/* --net tap=IFNAME: a Linux interface name, IFNAMSIZ with its NUL */
#define RUN_NET_NAME_MAX	16

struct run_options {
	const char *flat;		/* --flat FILE */
	const char *kernel;		/* --kernel FILE (instead of --flat) */
	const char *initrd;		/* --initrd FILE */
	const char *append;		/* --append CMDLINE */
	const char *name;		/* --name NAME (VMON_SET_NAME), or NULL */
	uint64_t mem;			/* --mem SIZE */
	uint64_t load;			/* --load ADDR */
	uint64_t entry;			/* --entry ADDR */
	unsigned int cpus;		/* --cpus N: vCPUs, 1 by default */
	enum vmon_guest_mode mode;	/* --mode real|prot|long */
	/* --net tap=IFNAME[,mac=...]: net.tap is NULL without --net, else net_tap */
	struct machine_net net;
	char net_tap[RUN_NET_NAME_MAX];
	bool help;			/* --help: print usage and stop */
	/* --disk FILE[,ro], in order: /dev/vda, vdb, ...; paths are strdup()ed */
	struct machine_disk disks[MACHINE_MAX_DISKS];
	unsigned int nr_disks;
};

/*
 * Parse "run [options]" (argv[0] is "run") and fill in the defaults.
 * Returns 0, or -EINVAL after printing one line naming the problem.
 */
int run_parse_options(int argc, char **argv, struct run_options *o);
/* free what run_parse_options() allocated (the --disk paths) */
void run_free_options(struct run_options *o);
void run_usage(FILE *f);
/* --net's value (run_net.c): 0, or -EINVAL after printing one line */
int run_parse_net(const char *arg, struct run_options *o);
/*
 * The options the module must support (VMON_GET_CAPS): --cpus against
 * caps->max_vcpus and the local APIC.  0, or -EINVAL after one line.
 */
int run_check_caps(const struct run_options *o, const struct vmon_caps *caps);

/* where vmon puts what the guest did not bring (see layout.c) */
struct run_layout {
	uint64_t tables_gpa;	/* GDT and page tables (prot/long) */
	uint64_t map_size;	/* long mode identity map: [0, map_size) */
	uint64_t stack;		/* initial RSP */
};

/*
 * Choose the layout for an image of image_size bytes at o->load.
 * Returns 0, or -EINVAL after printing one line naming the problem.
 */
int run_plan_layout(const struct run_options *o, uint64_t image_size, struct run_layout *l);

/*
 * Handle the exit in cpu->run (run_loop.c): RUN_REENTER to re-enter the
 * guest, RUN_HALTED when it halted waiting for an interrupt (the loop
 * sleeps until a device raises one, run_vcpus.c), else the status that
 * ends the run (a device may also have ended it: machine_stopped()).
 */
#define RUN_REENTER	(-1)
#define RUN_HALTED	(-2)
int run_handle_exit(struct vmon_cpu *cpu, struct vmon_machine *m);

/*
 * The threads of a run: one per vCPU (run_vcpus.c) and the I/O thread
 * (io_thread.c: device timers, console input, signals, the end of the
 * run).  Locking: Documentation/locking.rst, "vmon run".
 */
struct run_ctx;

struct run_vcpu {
	struct vmon_cpu cpu;
	struct run_ctx *ctx;
	pthread_t thread;
	bool started;		/* thread is valid; set before the threads run */
	bool halted;		/* waits in userspace for an interrupt; m->lock */
};

struct run_ctx {
	struct vmon_machine *m;
	struct vmon_vm *vm;
	struct run_vcpu *vcpus;		/* vcpus[0] is the BSP */
	unsigned int nr_vcpus;
	bool lapic;			/* VMON_CAP_LAPIC */
	pthread_cond_t halt_cond;	/* with m->lock: halted vCPUs sleep on it */
	unsigned int nr_halted;		/* m->lock */
	int wake_fd;			/* eventfd: wakes the I/O thread */
	int stop_signal;		/* the signal that ended the run: I/O thread */
	bool quit;			/* Ctrl-A x ended the run: I/O thread */
};

/* run every vCPU until the guest stops; returns vmon's exit status */
int run_loop(struct run_ctx *ctx);
/* run_vcpus.c: the machine hooks, and the vCPU threads */
void run_vcpus_hooks(struct run_ctx *ctx);
int run_vcpus_start(struct run_ctx *ctx);
void run_vcpus_stop(struct run_ctx *ctx);
void run_wake_io(struct run_ctx *ctx);
/* io_thread.c: serve devices, console and signals until the run ends */
int run_io_thread(struct run_ctx *ctx);

#endif /* VMON_RUN_H */
