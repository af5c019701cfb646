// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cost of one VM exit, per kind: vmon's beside KVM's.
 *
 *   exit_cost vmon|kvm [-n EXITS] [-r RUNS] [-m MACHINE] [-o FILE] [-c FILE]
 *             [-t SECONDS] [-k KIND]
 *
 * One program, two small backends (/dev/vmon through libvmon, /dev/kvm),
 * the same guest memory image and the same guest code: this binary's
 * own C functions, copied into guest RAM at their link addresses and
 * run in 64-bit mode.  Per exit kind the guest runs RUNS timed loops of
 * EXITS exits each, timing each loop with RDTSC:
 *
 *   cpuid     CPUID leaf 0, answered in the kernel by both
 *   rdmsr     RDMSR of IA32_MTRR_DEF_TYPE (0x2ff), kept in the kernel by both
 *   wrmsr     WRMSR of IA32_MTRR_DEF_TYPE, of the value it holds
 *   out       OUT to a port: exit to userspace, which completes it
 *   in        IN from a port: userspace supplies the value
 *   mmio-w    MOV to an address outside guest RAM: the kernel decodes
 *             it (vmon: VMON_MMIO_DECODED, handled by libvmon's
 *             libvmon_emulate_mmio() as "vmon run" does; KVM:
 *             KVM_EXIT_MMIO) and userspace completes it
 *   mmio-r    MOV from such an address, the same way
 *   hlt       HLT with interrupts on: exit to userspace, which injects
 *             an external interrupt (VMON_INTERRUPT / KVM_INTERRUPT, the
 *             INTR pin a PIC model drives); the guest's handler returns
 *   none      no exit: a fixed amount of guest work (NONE_WORK loop
 *             steps), the yardstick of how fast the host ran each loop
 *
 * The guest hardware-disables its local APIC first, so that on both
 * HLT reaches userspace and the INTR pin goes straight to the CPU; KVM
 * runs without an in-kernel irqchip for the same reason (vmon's I/O APIC
 * and PIC live in userspace too).  Timing in the guest leaves out what
 * is not an exit of the kind measured: creating the VM, the first entry,
 * the OUTs that mark each loop for the exit count and the one that ends
 * the run; the guest TSC runs at the host's rate under both.
 *
 * Figures are ns per exit (guest TSC cycles / host TSC kHz): median,
 * minimum and maximum of the RUNS loops.  -o FILE writes this backend's
 * figures; -c FILE reads the other backend's and prints one comparison
 * line per kind:
 *
 *   exit KIND vmon NS kvm NS ratio R vmon-spread MIN..MAX kvm-spread MIN..MAX
 *        min-ratio R norm-ratio R machine M
 *
 * (on one line; ratio = vmon / KVM of the medians, min-ratio of the
 * minima; norm-ratio of the medians of each run's time over the "none"
 * loop's time in the same run, which cancels how much of the host the
 * emulator had while each half ran: the figure to compare where the
 * host's clock is shared, as QEMU's is).  -t: give up after SECONDS
 * (default 300).  -k: time only the kinds named (comma-separated; add
 * "none" for the norm-ratio), as rig/profile-tcg.sh does to see where
 * one kind's time goes.  rig/bench-exits.sh runs the vmon half, unloads vmon,
 * loads Debian's kvm modules and runs the KVM half in the same emulated
 * machine.  Not a test: it prints figures (and fails only when a run
 * breaks, a value read back is wrong or, under vmon, a loop took fewer
 * exits than it had iterations).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "libvmon.h"
#include "tsc.h"

#define LOW_SIZE	0x80000ULL
#define HIGH_GPA	0x100000ULL
#define GDT_GPA		0x1000ULL
#define PML4_GPA	0x2000ULL
#define PDPT_GPA	0x3000ULL
#define PD_GPA		0x4000ULL	/* 4 pages: 4 GiB of 2 MiB pages */
#define TSS_GPA		0x8000ULL
#define IDT_GPA		0x9000ULL
#define STACK_TOP	0x7f000ULL
#define MMIO_GPA	0xc0000000ULL	/* in no memory slot of either */

#define SEL_CODE	0x08
#define SEL_DATA	0x10
#define SEL_TSS		0x18

#define DONE_PORT	0x1000	/* OUT: the guest finished */
#define EXC_PORT	0x1001	/* OUT: unexpected exception */
#define MARK_PORT	0x1002	/* OUT: a timed loop of kind K begins (K) / ends */
#define MARK_END	0x100	/* (MARK_END | K) */
#define BENCH_PORT	0x1003	/* the OUT and IN figures */

#define IRQ_VECTOR	0x30
#define IN_VALUE	0x1234abcdU	/* what userspace answers to IN and MMIO reads */
#define MSR_DEF_TYPE	0x2ff
#define NONE_WORK	16384	/* steps of a "none" iteration: no exit */
#define MAX_RUNS	15
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum { K_CPUID, K_RDMSR, K_WRMSR, K_OUT, K_IN, K_MMIO_W, K_MMIO_R, K_HLT, K_NONE, NR_KINDS };

static const char *const kind_name[NR_KINDS] = {
	"cpuid", "rdmsr", "wrmsr", "out", "in", "mmio-w", "mmio-r", "hlt", "none",
};

/* ------------------------------------------------------------------ */
/* guest side: runs from the guest's copy of this image                 */
/* ------------------------------------------------------------------ */

/* set by the host before the image is copied */
uint64_t g_exits, g_runs;
uint64_t g_kinds = ~0ULL;	/* -k: the kinds timed (bits of 1 << K_*) */

/* written by the guest, read by the host after the run */
volatile uint64_t g_cycles[NR_KINDS][MAX_RUNS];
volatile uint64_t g_bad;		/* a value read back was wrong */

static inline uint64_t g_rdtsc(void)
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

/* the interrupt of the HLT figure: nothing to acknowledge (no PIC model) */
extern char irq_stub[], exc_stub[];
__asm__(".text\n.globl irq_stub\nirq_stub:\niretq\n");
__asm__(".text\n.globl exc_stub\nexc_stub:\n"
	"movl $0xee, %eax\nmovw $0x1001, %dx\noutl %eax, %dx\n1: hlt\njmp 1b\n");

/* one exit of the given kind; the caller's loop is the same for all */
static inline void g_exit_once(int kind, uint64_t def_type)
{
	volatile uint32_t *mmio = (volatile uint32_t *)MMIO_GPA;
	uint32_t a, b, c, d, j;

	switch (kind) {
	case K_CPUID:
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
		break;
	case K_RDMSR:
		if (g_rdmsr(MSR_DEF_TYPE) != def_type)
			g_bad = 1;
		break;
	case K_WRMSR:
		g_wrmsr(MSR_DEF_TYPE, def_type);
		break;
	case K_OUT:
		g_out(BENCH_PORT, 0);
		break;
	case K_IN:
		if (g_in(BENCH_PORT) != IN_VALUE)
			g_bad = 1;
		break;
	case K_MMIO_W:
		*mmio = 0;
		break;
	case K_MMIO_R:
		if (*mmio != IN_VALUE)
			g_bad = 1;
		break;
	case K_HLT:
		__asm__ volatile("hlt" ::: "memory");
		break;
	case K_NONE:
		for (j = 0; j < NONE_WORK; j++)
			__asm__ volatile("" : "+r"(j));
		break;
	}
}

static void guest_main(void)
{
	uint64_t def_type, i, r, t0;
	int k;

	/* APIC hardware-disabled: HLT exits, INTR is the CPU's pin (SDM Vol. 3A 11.4.3) */
	g_wrmsr(0x1b, g_rdmsr(0x1b) & ~(1ULL << 11));
	def_type = g_rdmsr(MSR_DEF_TYPE);
	__asm__ volatile("sti");
	/* kinds interleaved: a burst of host noise spoils one run of several */
	for (r = 0; r < g_runs; r++) {
		for (k = 0; k < NR_KINDS; k++) {
			if (!(g_kinds & (1ULL << k)))
				continue;
			g_out(MARK_PORT, k);
			t0 = g_rdtsc();
			for (i = 0; i < g_exits; i++)
				g_exit_once(k, def_type);
			g_cycles[k][r] = g_rdtsc() - t0;
			g_out(MARK_PORT, MARK_END | k);
		}
	}
	g_out(DONE_PORT, 0);
}

/* ------------------------------------------------------------------ */
/* the guest memory image, the same for both backends                  */
/* ------------------------------------------------------------------ */

struct image {
	void *low, *high;
	uint64_t high_size;
};

struct seg {
	uint64_t base;
	uint32_t limit;
	uint16_t selector;
	uint8_t type, present, dpl, db, s, l, g, avl, unusable;
};

/* 64-bit mode as both hypervisors take it in their "sregs" */
struct cpu_setup {
	struct seg cs, ds, tr, ldt;
	uint64_t gdt_base, idt_base;
	uint16_t gdt_limit, idt_limit;
	uint64_t cr0, cr3, cr4, efer;
};

static const struct cpu_setup setup64 = {
	.cs = { 0, 0xffffffff, SEL_CODE, 11, 1, 0, 0, 1, 1, 1, 0, 0 },
	.ds = { 0, 0xffffffff, SEL_DATA, 3, 1, 0, 1, 1, 0, 1, 0, 0 },
	.tr = { TSS_GPA, 0x67, SEL_TSS, 11, 1, 0, 0, 0, 0, 0, 0, 0 },
	.ldt = { 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1 },
	.gdt_base = GDT_GPA, .gdt_limit = 0x27,
	.idt_base = IDT_GPA, .idt_limit = 0xfff,
	.cr0 = 0x80050033,	/* PG WP NE ET MP PE */
	.cr3 = PML4_GPA,
	.cr4 = 0x620,		/* OSXMMEXCPT OSFXSR PAE */
	.efer = 0xd00,		/* NXE LMA LME */
};

static void set_gate(uint64_t *idt, unsigned int v, const void *fn)
{
	uint64_t a = (uint64_t)(uintptr_t)fn;

	idt[2 * v] = (a & 0xffff) | (uint64_t)SEL_CODE << 16 | 0x8eULL << 40 |
		     ((a >> 16) & 0xffff) << 48;
	idt[2 * v + 1] = a >> 32;
}

static void *alloc(uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int build_image(struct image *im)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long i, n = getauxval(AT_PHNUM);
	uint64_t *gdt, *pml4, *pdpt, *pd, *idt, end = 0;
	unsigned int v;

	for (i = 0; ph && i < n; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr + ph[i].p_memsz > end)
			end = ph[i].p_vaddr + ph[i].p_memsz;
	im->high_size = ((end + (2ULL << 20) - 1) & ~((2ULL << 20) - 1)) - HIGH_GPA;
	im->low = alloc(LOW_SIZE);
	im->high = alloc(im->high_size);
	if (!im->low || !im->high)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD)
			memcpy((char *)im->high + ph[i].p_vaddr - HIGH_GPA,
			       (const void *)ph[i].p_vaddr, ph[i].p_memsz);

	gdt = (uint64_t *)((char *)im->low + GDT_GPA);
	gdt[SEL_CODE / 8] = 0x00af9b000000ffffULL;	/* 64-bit code, DPL 0 */
	gdt[SEL_DATA / 8] = 0x00cf93000000ffffULL;	/* flat data */
	gdt[SEL_TSS / 8] = 0x00008b0000000067ULL | (TSS_GPA & 0xffffff) << 16;
	pml4 = (uint64_t *)((char *)im->low + PML4_GPA);
	pdpt = (uint64_t *)((char *)im->low + PDPT_GPA);
	pd = (uint64_t *)((char *)im->low + PD_GPA);
	pml4[0] = PDPT_GPA | 3;
	for (i = 0; i < 4; i++)
		pdpt[i] = (PD_GPA + i * 4096) | 3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | 0x83;		/* 2 MiB, present, writable */
	idt = (uint64_t *)((char *)im->low + IDT_GPA);
	for (v = 0; v < 32; v++)
		set_gate(idt, v, exc_stub);
	set_gate(idt, IRQ_VECTOR, irq_stub);
	return 0;
}

/* a guest global's address in the host's copy of guest memory */
static volatile void *guest_ptr(struct image *im, volatile void *var)
{
	return (char *)im->high + ((uintptr_t)var - HIGH_GPA);
}

/* ------------------------------------------------------------------ */
/* backends: create the vCPU, then run it until DONE_PORT               */
/* ------------------------------------------------------------------ */

/* exits each kind's loops took, where the backend counts them (vmon) */
static uint64_t exits_taken[NR_KINDS], loop_start;
static int counted;

/* MARK_PORT: a timed loop of one kind begins or ends */
static void mark(uint32_t what, uint64_t exit_count)
{
	if (what & MARK_END)
		exits_taken[(what & ~MARK_END) % NR_KINDS] += exit_count - loop_start;
	else
		loop_start = exit_count;
}

static const char *err;
static char why[96];

/* the same fields in struct vmon_segment and struct kvm_segment */
#define SEG(D, S) do {							\
	(D).base = (S).base; (D).limit = (S).limit;			\
	(D).selector = (S).selector; (D).type = (S).type;		\
	(D).present = (S).present; (D).dpl = (S).dpl; (D).db = (S).db;	\
	(D).s = (S).s; (D).l = (S).l; (D).g = (S).g; (D).avl = (S).avl;	\
	(D).unusable = (S).unusable;					\
} while (0)

#define SET_SREGS(sr, c) do {						\
	SEG((sr).cs, (c)->cs); SEG((sr).ds, (c)->ds);			\
	SEG((sr).es, (c)->ds); SEG((sr).fs, (c)->ds);			\
	SEG((sr).gs, (c)->ds); SEG((sr).ss, (c)->ds);			\
	SEG((sr).tr, (c)->tr); SEG((sr).ldt, (c)->ldt);		\
	(sr).gdt.base = (c)->gdt_base; (sr).gdt.limit = (c)->gdt_limit;	\
	(sr).idt.base = (c)->idt_base; (sr).idt.limit = (c)->idt_limit;	\
	(sr).cr0 = (c)->cr0; (sr).cr3 = (c)->cr3;			\
	(sr).cr4 = (c)->cr4; (sr).efer = (c)->efer;			\
} while (0)

static struct vmon_vm vmon_vm;
static struct vmon_cpu vmon_cpu;

static int vmon_create(struct image *im)
{
	struct vmon_sregs sr;
	struct vmon_regs regs;
	int r;

	r = libvmon_vm_create(&vmon_vm);
	if (!r)
		r = libvmon_vm_set_memory(&vmon_vm, 0, 0, 0, LOW_SIZE, im->low);
	if (!r)
		r = libvmon_vm_set_memory(&vmon_vm, 1, 0, HIGH_GPA, im->high_size, im->high);
	if (!r)
		r = libvmon_cpu_create(&vmon_vm, 0, &vmon_cpu);
	if (r)
		return r;
	memset(&sr, 0, sizeof(sr));
	SET_SREGS(sr, &setup64);
	r = libvmon_set_sregs(&vmon_cpu, &sr);
	if (r)
		return r;
	memset(&regs, 0, sizeof(regs));
	regs.rip = (uintptr_t)guest_main;
	regs.rsp = STACK_TOP;
	regs.rflags = 2;
	return libvmon_set_regs(&vmon_cpu, &regs);
}

/* libvmon's decoder hands the data of the MOV it decoded */
static int vmon_mmio_access(void *opaque, __u64 gpa, void *data, unsigned int len,
			    bool is_write)
{
	uint32_t v = IN_VALUE;

	if (!is_write)
		memcpy(data, &v, len < sizeof(v) ? len : sizeof(v));
	return 0;
}

static int vmon_run_guest(void)
{
	struct vmon_run *run = vmon_cpu.run;
	struct vmon_interrupt irq = { .vector = IRQ_VECTOR };
	int r;

	counted = 1;
	for (;;) {
		r = libvmon_cpu_run(&vmon_cpu);
		if (r == -EINTR)
			continue;
		if (r) {
			err = strerror(-r);
			return r;
		}
		switch (run->exit_reason) {
		case VMON_EXIT_IO:
			if (run->io.port == BENCH_PORT) {
				if (run->io.direction == VMON_IO_IN)
					run->io.data = IN_VALUE;
				continue;
			}
			if (run->io.port == MARK_PORT) {
				mark(run->io.data, run->exit_count);
				continue;
			}
			if (run->io.port == DONE_PORT)
				return 0;
			break;
		case VMON_EXIT_MMIO:
			if (!libvmon_emulate_mmio(&vmon_cpu, vmon_mmio_access, NULL))
				continue;
			break;
		case VMON_EXIT_HLT:
			if (!ioctl(vmon_cpu.fd, VMON_INTERRUPT, &irq))
				continue;
			err = "VMON_INTERRUPT failed";
			return -errno;
		}
		snprintf(why, sizeof(why), "%s (I/O port %#x, RIP %#llx)",
			 libvmon_exit_reason_name(run->exit_reason), run->io.port,
			 (unsigned long long)run->regs.rip);
		err = why;
		return -EIO;
	}
}

static int kvm_fd;
static struct kvm_run *kvm_run;

static int kvm_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* CPUID as KVM offers it */
static int kvm_cpuid(int sys, int fd)
{
	struct kvm_cpuid2 *c;
	int r;

	c = calloc(1, sizeof(*c) + 256 * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = 256;
	r = kvm_ioctl(sys, KVM_GET_SUPPORTED_CPUID, c);
	if (!r)
		r = kvm_ioctl(fd, KVM_SET_CPUID2, c);
	free(c);
	return r;
}

static int kvm_create(struct image *im)
{
	struct kvm_userspace_memory_region mr = { 0 };
	struct kvm_sregs sr;
	struct kvm_regs regs;
	int sys, vm, r, size;

	sys = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (sys < 0)
		return -errno;
	vm = ioctl(sys, KVM_CREATE_VM, 0);
	if (vm < 0)
		return -errno;
	ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000UL);	/* VMX real mode only */
	mr.slot = 0;
	mr.memory_size = LOW_SIZE;
	mr.userspace_addr = (uintptr_t)im->low;
	r = kvm_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr);
	mr.slot = 1;
	mr.guest_phys_addr = HIGH_GPA;
	mr.memory_size = im->high_size;
	mr.userspace_addr = (uintptr_t)im->high;
	if (!r)
		r = kvm_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr);
	if (r)
		return r;
	size = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	kvm_fd = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (size < 0 || kvm_fd < 0)
		return -errno;
	kvm_run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, kvm_fd, 0);
	if (kvm_run == MAP_FAILED)
		return -errno;
	r = kvm_cpuid(sys, kvm_fd);
	if (!r)
		r = kvm_ioctl(kvm_fd, KVM_GET_SREGS, &sr);
	if (r)
		return r;
	SET_SREGS(sr, &setup64);
	r = kvm_ioctl(kvm_fd, KVM_SET_SREGS, &sr);
	memset(&regs, 0, sizeof(regs));
	regs.rip = (uintptr_t)guest_main;
	regs.rsp = STACK_TOP;
	regs.rflags = 2;
	if (!r)
		r = kvm_ioctl(kvm_fd, KVM_SET_REGS, &regs);
	return r;
}

static int kvm_run_guest(void)
{
	struct kvm_run *run = kvm_run;
	struct kvm_interrupt irq = { .irq = IRQ_VECTOR };
	uint32_t v = IN_VALUE, *io;

	for (;;) {
		if (ioctl(kvm_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			err = strerror(errno);
			return -errno;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			io = (uint32_t *)((char *)run + run->io.data_offset);
			if (run->io.port == BENCH_PORT) {
				if (run->io.direction == KVM_EXIT_IO_IN)
					memcpy(io, &v, run->io.size);
				continue;
			}
			if (run->io.port == MARK_PORT) {
				mark(*io, 0);
				continue;
			}
			if (run->io.port == DONE_PORT)
				return 0;
			break;
		case KVM_EXIT_MMIO:
			if (!run->mmio.is_write)
				memcpy(run->mmio.data, &v, run->mmio.len < 4 ? run->mmio.len : 4);
			continue;
		case KVM_EXIT_HLT:
			if (!ioctl(kvm_fd, KVM_INTERRUPT, &irq))
				continue;
			err = "KVM_INTERRUPT failed";
			return -errno;
		}
		snprintf(why, sizeof(why), "KVM exit %u (I/O port %#x; internal error %u)",
			 run->exit_reason, run->io.port, run->internal.suberror);
		err = why;
		return -EIO;
	}
}

struct backend {
	const char *name;
	int (*create)(struct image *im);
	int (*run)(void);
};

static const struct backend backends[] = {
	{ "vmon", vmon_create, vmon_run_guest },
	{ "kvm", kvm_create, kvm_run_guest },
};

/* ------------------------------------------------------------------ */
/* figures                                                             */
/* ------------------------------------------------------------------ */

struct figure {
	double med, min, max;		/* ns per exit */
	double norm;			/* median of the runs' cycles / "none"'s */
};

static void on_alarm(int sig)
{
	static const char msg[] = "exit_cost: timed out (-t)\n";

	write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* "KIND MEDIAN MIN MAX NORM" lines of the other backend's run */
static int other_figure(const char *file, const char *kind, struct figure *f)
{
	char line[128], n[32];
	struct figure v;
	FILE *in = fopen(file, "r");
	int found = 0;

	if (!in)
		return 0;
	while (fgets(line, sizeof(line), in))
		if (sscanf(line, "%31s %lf %lf %lf %lf", n, &v.med, &v.min, &v.max,
			   &v.norm) == 5 &&
		    !strcmp(n, kind)) {
			*f = v;
			found = 1;
		}
	fclose(in);
	return found;
}

static int report(const struct backend *be, struct image *im, uint64_t khz,
		  const char *machine, const char *out, const char *cmp)
{
	uint64_t s[MAX_RUNS], c[MAX_RUNS], none[MAX_RUNS];
	double q[MAX_RUNS];
	unsigned int i, k, n = g_runs;
	FILE *o = out ? fopen(out, "w") : NULL;
	struct figure f[NR_KINDS], v, kv;
	double per = 1e6 / ((double)khz * g_exits);	/* cycles of a loop -> ns per exit */
	int bad = 0;

	printf("exit_cost: %s on %s, %llu exits x %u runs per figure, TSC %llu kHz\n",
	       be->name, machine, (unsigned long long)g_exits, n, (unsigned long long)khz);
	memcpy(none, (void *)guest_ptr(im, g_cycles[K_NONE]), n * sizeof(none[0]));
	for (k = 0; k < NR_KINDS; k++) {
		if (!(g_kinds & (1ULL << k)))
			continue;
		memcpy(c, (void *)guest_ptr(im, g_cycles[k]), n * sizeof(c[0]));
		/* each run against the no-exit loop of the same run */
		for (i = 0; i < n; i++)
			q[i] = (double)c[i] / (none[i] ? none[i] : 1);
		qsort(q, n, sizeof(q[0]), cmp_double);
		f[k].norm = q[n / 2];
		memcpy(s, c, sizeof(s));
		qsort(s, n, sizeof(s[0]), cmp_u64);
		f[k].med = s[n / 2] * per;
		f[k].min = s[0] * per;
		f[k].max = s[n - 1] * per;
		printf("%s %-7s median %8.0f ns  min %8.0f  max %8.0f", be->name, kind_name[k],
		       f[k].med, f[k].min, f[k].max);
		if (counted && k != K_NONE) {
			/* every iteration must have left the guest at least once */
			printf("  exits/iteration %.2f",
			       (double)exits_taken[k] / (g_exits * g_runs));
			if (exits_taken[k] < g_exits * g_runs)
				bad = 1;
		}
		printf("\n");
		if (o)
			fprintf(o, "%s %.1f %.1f %.1f %.4f\n", kind_name[k], f[k].med,
				f[k].min, f[k].max, f[k].norm);
	}
	if (o)
		fclose(o);
	for (k = 0; cmp && k < K_NONE; k++) {
		if (!(g_kinds & (1ULL << k)) || !other_figure(cmp, kind_name[k], &kv))
			continue;
		/* always vmon, then KVM */
		v = f[k];
		if (strcmp(be->name, "vmon")) {
			v = kv;
			kv = f[k];
		}
		printf("exit %s vmon %.0f kvm %.0f ratio %.2f ", kind_name[k], v.med, kv.med,
		       v.med / kv.med);
		printf("vmon-spread %.0f..%.0f kvm-spread %.0f..%.0f min-ratio %.2f ", v.min,
		       v.max, kv.min, kv.max, v.min / kv.min);
		printf("norm-ratio %.2f machine %s\n", v.norm / kv.norm, machine);
	}
	if (bad)
		fprintf(stderr, "exit_cost: %s: fewer exits than iterations\n", be->name);
	return bad;
}

/* -k KIND[,KIND...]: time only these kinds (a profile of one, say) */
static int parse_kinds(char *list)
{
	char *name, *save = NULL;
	unsigned int k;

	g_kinds = 0;
	for (name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		for (k = 0; k < NR_KINDS && strcmp(name, kind_name[k]); k++)
			;
		if (k == NR_KINDS) {
			fprintf(stderr, "exit_cost: no exit kind '%s'\n", name);
			return -1;
		}
		g_kinds |= 1ULL << k;
	}
	return g_kinds ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *out = NULL, *cmp = NULL, *machine = "unknown";
	const struct backend *be = NULL;
	unsigned int timeout_s = 300, i;
	struct image im;
	uint64_t khz;
	int opt, r;

	g_exits = 2000;
	g_runs = 5;
	for (i = 0; argc > 1 && i < ARRAY_SIZE(backends); i++)
		if (!strcmp(argv[1], backends[i].name))
			be = &backends[i];
	while (be && (opt = getopt(argc - 1, argv + 1, "n:r:m:o:c:t:k:")) != -1) {
		if (opt == 'n')
			g_exits = strtoull(optarg, NULL, 0);
		else if (opt == 'r')
			g_runs = strtoull(optarg, NULL, 0);
		else if (opt == 'm')
			machine = optarg;
		else if (opt == 'o')
			out = optarg;
		else if (opt == 'c')
			cmp = optarg;
		else if (opt == 't')
			timeout_s = strtoul(optarg, NULL, 0);
		else if (opt == 'k' && parse_kinds(optarg))
			be = NULL;
		else if (opt != 'k')
			be = NULL;
	}
	if (!be || !g_exits || !g_runs || g_runs > MAX_RUNS) {
		fprintf(stderr,
			"usage: %s vmon|kvm [-n EXITS] [-r RUNS<=%d] [-m MACHINE] [-o FILE] [-c FILE] [-t SECONDS]\n"
			"       [-k KIND,...]\n",
			argv[0], MAX_RUNS);
		return 2;
	}
	khz = test_tsc_khz(200);
	r = build_image(&im);
	if (!r)
		r = be->create(&im);
	if (r) {
		fprintf(stderr, "exit_cost: %s: cannot create the VM: %s\n", be->name,
			strerror(-r));
		return 1;
	}
	signal(SIGALRM, on_alarm);
	alarm(timeout_s);
	r = be->run();
	alarm(0);
	if (r) {
		fprintf(stderr, "exit_cost: %s: the guest stopped: %s\n", be->name, err);
		return 1;
	}
	if (*(volatile uint64_t *)guest_ptr(&im, &g_bad)) {
		fprintf(stderr, "exit_cost: %s: the guest read a wrong value back\n", be->name);
		return 1;
	}
	return report(be, &im, khz, machine, out, cmp);
}
