// SPDX-License-Identifier: GPL-2.0-only
/*
 * A VM that runs until it is killed, for the storms of storm.sh: one
 * real-mode vCPU in one of four loops, each keeping the vCPU's process in
 * a different place when the kill comes.
 *
 *   storm_guest MODE [--stop-after N] [--exits N] [--cpu C]
 *
 *   spin   "jmp ." -- VMON_RUN never returns on its own: the kill finds
 *          the task in the kernel, in or around guest mode
 *   hlt    "hlt; jmp" with nothing to wake it: every HLT exits to us
 *          and we enter again at once
 *   mmio   loads from the MMIO hole, emulated with libvmon_emulate_mmio()
 *   in     "inb $0x10" forever, answered through run->io.data
 *
 * Prints "ready" once the vCPU exists (before the first VMON_RUN).
 * --stop-after N: after the Nth exit of the mode's kind, print "stopped"
 * and stop with SIGSTOP, so that the process sits between an exit and the
 * next VMON_RUN (the MMIO or IN is half done: the kernel waits for its
 * completion) until it is killed.  --exits N: leave with status 0 after N
 * exits.  SIGTERM: print "exits N" and leave with status 0.  --cpu C:
 * run on host CPU C only (the hotplug storm takes that CPU away).
 *
 * Exit status: 0 as above, 1 on a usage or setup error, 2 on an
 * unexpected exit or VMON_RUN error (printed).
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test_vm.h"

#define IN_PORT		0x10

GUEST_BLOB(storm_spin, 16, "1: jmp 1b\n");
GUEST_BLOB(storm_hlt, 16, "1: hlt\n jmp 1b\n");
/* real mode reaches MMIO_GPA (0xa0000) through ES = 0xa000 */
GUEST_BLOB(storm_mmio, 16,
	   "mov $0xa000, %bx\n mov %bx, %es\n"
	   "1: mov %es:0x10, %eax\n mov %eax, %es:0x20\n jmp 1b\n");
GUEST_BLOB(storm_in, 16, "1: inb $0x10, %al\n jmp 1b\n");

static const struct mode {
	const char *name;
	const unsigned char *start, *end;
	__u32 exit;		/* the exit this loop makes */
} modes[] = {
	{ "spin", storm_spin, storm_spin_end, VMON_EXIT_INTR },
	{ "hlt", storm_hlt, storm_hlt_end, VMON_EXIT_HLT },
	{ "mmio", storm_mmio, storm_mmio_end, VMON_EXIT_MMIO },
	{ "in", storm_in, storm_in_end, VMON_EXIT_IO },
};

static volatile sig_atomic_t term;

static void on_term(int sig)
{
	term = 1;
}

/* a device that reads as a counter and drops writes */
static int mmio_access(void *opaque, __u64 gpa, void *data, unsigned int len,
		       bool is_write)
{
	unsigned long long *reads = opaque;

	if (!is_write) {
		memcpy(data, reads, len);
		(*reads)++;
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: storm_guest spin|hlt|mmio|in [--stop-after N] [--exits N] [--cpu C]\n");
	return 1;
}

static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("storm_guest: sched_setaffinity");
		return -1;
	}
	return 0;
}

/* one exit handled; 0 to go on, -1 on something the loop never makes */
static int handle_exit(struct test_vm *t, const struct mode *m, unsigned long long *reads)
{
	struct vmon_run *run = t->cpu.run;
	int r;

	if (run->exit_reason != m->exit) {
		printf("unexpected exit: %s\n", test_describe_exit(&t->cpu));
		return -1;
	}
	switch (run->exit_reason) {
	case VMON_EXIT_MMIO:
		r = libvmon_emulate_mmio(&t->cpu, mmio_access, reads);
		if (r) {
			printf("libvmon_emulate_mmio: %s\n", strerror(-r));
			return -1;
		}
		break;
	case VMON_EXIT_IO:
		run->io.data = 0x5a;	/* the IN's value, merged by the next RUN */
		break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long n = 0, stop_after = 0, max_exits = 0, reads = 0;
	struct sigaction sa = { .sa_handler = on_term };	/* no SA_RESTART */
	const struct mode *m = NULL;
	struct test_vm t;
	unsigned int i;
	int r;

	if (argc < 2)
		return usage();
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(argv[1], modes[i].name))
			m = &modes[i];
	if (!m)
		return usage();
	for (i = 2; i + 1 < (unsigned int)argc; i += 2) {
		unsigned long long v = strtoull(argv[i + 1], NULL, 0);

		if (!strcmp(argv[i], "--stop-after"))
			stop_after = v;
		else if (!strcmp(argv[i], "--exits"))
			max_exits = v;
		else if (!strcmp(argv[i], "--cpu")) {
			if (pin_to(v))
				return 1;
		} else {
			return usage();
		}
	}
	if (i != (unsigned int)argc)
		return usage();
	setvbuf(stdout, NULL, _IONBF, 0);
	sigaction(SIGTERM, &sa, NULL);

	r = test_vm_create(&t, VMON_GUEST_REAL);
	if (!r)
		r = test_vm_load_blob(&t, m->start, m->end);
	if (r) {
		printf("cannot create the VM: %s\n", strerror(-r));
		return 1;
	}
	printf("ready\n");

	while (!term) {
		r = libvmon_cpu_run(&t.cpu);
		if (r == -EINTR)
			continue;
		if (r) {
			printf("VMON_RUN: %s\n", strerror(-r));
			return 2;
		}
		if (handle_exit(&t, m, &reads))
			return 2;
		n++;
		if (max_exits && n >= max_exits)
			break;
		if (stop_after && n == stop_after) {
			printf("stopped\n");
			raise(SIGSTOP);
		}
	}
	printf("exits %llu\n", n);
	test_vm_destroy(&t);
	return 0;
}
