/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The 64-bit guest of the benchmark programs that drive both /dev/vmon
 * and /dev/kvm (lapic_latency.c, exit_cost.c): the program's own image
 * copied into guest memory at its link addresses, identity-mapped with
 * 2 MiB pages below 4 GiB, entered in long mode at one of its C
 * functions.  The same memory image and the same CPU state for both
 * hypervisors, so that only the hypervisor differs.
 *
 *   0x0      - 0x80000    low memory: GDT, page tables, TSS, IDT, stacks
 *   0x100000 - ...        the program's PT_LOAD segments, 2 MiB-rounded
 */
#ifndef BENCH_GUEST64_H
#define BENCH_GUEST64_H

#include <stdint.h>

#include "libvmon.h"

#define LOW_SIZE	0x80000ULL
#define HIGH_GPA	0x100000ULL
#define GDT_GPA		0x1000ULL
#define PML4_GPA	0x2000ULL
#define PDPT_GPA	0x3000ULL
#define PD_GPA		0x4000ULL	/* 4 pages: 4 GiB of 2 MiB pages */
#define TSS_GPA		0x8000ULL
#define IDT_GPA		0x9000ULL

#define SEL_CODE	0x08
#define SEL_DATA	0x10
#define SEL_TSS		0x18

#define DONE_PORT	0x1000	/* OUT: the guest finished */
#define EXC_PORT	0x1001	/* OUT: unexpected exception (exc_stub) */

/* guest side: inline in the caller's guest code */
static inline uint64_t g_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* RDTSC after every earlier instruction has completed (SDM Vol. 2B RDTSC) */
static inline uint64_t g_rdtsc_fenced(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t g_rdmsr(uint32_t idx)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(idx) : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void g_wrmsr(uint32_t idx, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(idx), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline void g_out(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %w1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint32_t g_in(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %w1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

/* any exception: 0xee to EXC_PORT, then halt for good */
extern char exc_stub[];

/* host side */
struct image {
	void *low, *high;
	uint64_t high_size;
};

/*
 * Guest memory with the program copied in, the GDT (code, data, TSS),
 * the page tables, and exc_stub behind vectors 0-31: 0 or -ENOMEM.
 */
int build_image(struct image *im);
/* an interrupt gate for vector v to the guest function fn */
void set_gate(struct image *im, unsigned int v, const void *fn);
/* a guest global's address in the host's copy of guest memory */
volatile void *guest_ptr(struct image *im, volatile void *var);

/* a vmon VM with the image's two memory slots */
int g64_vmon_vm(struct image *im, struct vmon_vm *vm);
/* vCPU id of vm in 64-bit mode at rip with rsp */
int g64_vmon_cpu(struct vmon_vm *vm, unsigned int id, struct vmon_cpu *cpu,
		 uint64_t rip, uint64_t rsp);

/* ioctl(), returning 0 or -errno */
int g64_kvm_ioctl(int fd, unsigned long cmd, void *arg);
/* the image's two memory slots in KVM VM vm */
int g64_kvm_memory(int vm, struct image *im);
/*
 * KVM vCPU fd: CPUID as KVM offers it (with cpuid1_ecx ORed into leaf
 * 1's ECX), then 64-bit mode at rip with rsp.
 */
int g64_kvm_cpu(int sys, int fd, uint32_t cpuid1_ecx, uint64_t rip, uint64_t rsp);

#endif /* BENCH_GUEST64_H */
