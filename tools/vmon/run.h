/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmon run: options, the guest-memory layout, and the vCPU run loop.
 */
#ifndef VMON_RUN_H
#define VMON_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "libvmon.h"

struct vmon_machine;

#define RUN_DEFAULT_MEM		(64ULL << 20)
#define RUN_DEFAULT_MEM_KERNEL	(256ULL << 20)	/* --kernel: enough for Linux and an initrd */
#define RUN_DEFAULT_LOAD_REAL	0x1000ULL
#define RUN_DEFAULT_LOAD_PROT	0x100000ULL	/* 1 MiB, where 32/64-bit kernels go */

struct run_options {
	const char *flat;		/* --flat FILE */
	const char *kernel;		/* --kernel FILE (instead of --flat) */
	const char *initrd;		/* --initrd FILE */
	const char *append;		/* --append CMDLINE */
	const char *name;		/* --name NAME (VMON_SET_NAME), or NULL */
	uint64_t mem;			/* --mem SIZE */
	uint64_t load;			/* --load ADDR */
	uint64_t entry;			/* --entry ADDR */
	enum vmon_guest_mode mode;	/* --mode real|prot|long */
	bool help;			/* --help: print usage and stop */
};

/*
 * Parse "run [options]" (argv[0] is "run") and fill in the defaults.
 * Returns 0, or -EINVAL after printing one line naming the problem.
 */
int run_parse_options(int argc, char **argv, struct run_options *o);
void run_usage(FILE *f);

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
 * Handle the exit in cpu->run: RUN_REENTER to re-enter the guest,
 * RUN_HALTED when it halted waiting for an interrupt (the loop sleeps
 * until a device raises one), else the status that ends the run (a
 * device may also have set m->stop).
 */
#define RUN_REENTER	(-1)
#define RUN_HALTED	(-2)
int run_handle_exit(struct vmon_cpu *cpu, struct vmon_machine *m);
/* run vCPU 0 until the guest stops; returns vmon's exit status */
int run_loop(struct vmon_cpu *cpu, struct vmon_machine *m);

#endif /* VMON_RUN_H */
