// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interrupt latency of an in-kernel local APIC: vmon's beside KVM's.
 *
 *   lapic_latency vmon|kvm [-n SAMPLES] [-o FILE] [-c FILE] [-t SECONDS] [-m MACHINE]
 *
 * One program, two small backends (/dev/vmon through libvmon, /dev/kvm
 * with KVM_CREATE_IRQCHIP), the same guest memory image and the same
 * guest code: this binary's own C functions, copied into guest RAM at
 * their link addresses and run in 64-bit mode with the x2APIC on.
 *
 *   timer-busy    vCPU 0 arms the TSC-deadline timer 100 us ahead and
 *                 spins; the handler's RDTSC minus the deadline
 *   timer-halted  the same with vCPU 0 in HLT (the wake-up path)
 *   ipi-busy      vCPU 0 sends a fixed IPI to vCPU 1, whose handler
 *                 sends one back; RDTSC in vCPU 0's handler minus RDTSC
 *                 before the ICR write.  vCPU 1 spins between IPIs.
 *   ipi-halted    the same with vCPU 1 in HLT between IPIs
 *
 * Figures are guest TSC cycles (the guest's TSC runs at the host's
 * rate under both hypervisors): median, 10th and 90th percentile.
 * -o FILE writes the medians and percentiles, -c FILE reads the other
 * backend's and prints the ratio vmon / KVM per figure, and the line
 * "lapic FIGURE vmon NS kvm NS ratio R vmon-spread P10..P90 kvm-spread
 * P10..P90 machine M" (ns; -m names the machine) that make bench prints.
 *
 * Every wait is bounded: a sample that takes longer than -w SECONDS
 * (default 30) ends the run with a message naming the figure and the
 * sample; so does -t, the whole run longer than SECONDS (default 100).
 * -p: a progress line every SECONDS (default 10; 0: none), so that the
 * rig's console-silence limit tells a slow run from a hung one.
 *
 * The two modules cannot be loaded together (each takes VMX/SVM):
 * rig/bench.sh runs the vmon half, unloads vmon, loads Debian's kvm
 * modules and runs the KVM half in the same emulated machine.  Not a test: it prints figures.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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
#define STACK0_TOP	0x7f000ULL
#define STACK1_TOP	0x6f000ULL

#define SEL_CODE	0x08
#define SEL_DATA	0x10
#define SEL_TSS		0x18

#define DONE_PORT	0x1000	/* OUT: the vCPU finished */
#define EXC_PORT	0x1001	/* OUT: unexpected exception, vector */

#define TIMER_VECTOR	0xec
#define IPI_VECTOR	0xed	/* vCPU 0 -> vCPU 1 */
#define REPLY_VECTOR	0xee	/* vCPU 1 -> vCPU 0 */
#define MAX_SAMPLES	1000
#define NR_FIGURES	4

static const char *const figure_name[NR_FIGURES] = {
	"timer-busy", "timer-halted", "ipi-busy", "ipi-halted",
};

/* ------------------------------------------------------------------ */
/* guest side: runs from the guest's copy of this image                 */
/* ------------------------------------------------------------------ */

/* set by the host before the image is copied */
uint64_t g_samples;
uint64_t g_timer_ahead;			/* TSC cycles: 100 us */

/* written by the guest, read by the host after the run */
volatile uint64_t g_lat[NR_FIGURES][MAX_SAMPLES];
volatile uint64_t g_timer_tsc, g_timer_seen;
volatile uint64_t g_reply_tsc, g_reply_seen;
volatile uint64_t g_ap_ready, g_ap_halt, g_ap_stop;
/* progress, read by the host's watchdog: the figure and sample in hand */
volatile uint64_t g_figure, g_sample;

static inline uint64_t g_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
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

#define GUEST_ISR __attribute__((target("general-regs-only"), used)) static void

GUEST_ISR timer_isr(void)
{
	g_timer_tsc = g_rdtsc();
	g_timer_seen = 1;
	g_wrmsr(0x80b, 0);			/* EOI */
}

GUEST_ISR ipi_isr(void)
{
	/* x2APIC ICR: destination 0, fixed, physical, assert (SDM Vol. 3A 11.12.9) */
	g_wrmsr(0x830, (1u << 14) | REPLY_VECTOR);
	g_wrmsr(0x80b, 0);
}

GUEST_ISR reply_isr(void)
{
	g_reply_tsc = g_rdtsc();
	g_reply_seen = 1;
	g_wrmsr(0x80b, 0);
}

/* 5 words pushed by the CPU + 9 here: the call is 16-byte aligned */
#define ISR_STUB(name, fn)						\
	__asm__(".text\n.globl " #name "\n" #name ":\n"		\
		"pushq %rax; pushq %rcx; pushq %rdx; pushq %rsi; pushq %rdi\n" \
		"pushq %r8; pushq %r9; pushq %r10; pushq %r11\n"	\
		"cld\ncall " #fn "\n"					\
		"popq %r11; popq %r10; popq %r9; popq %r8\n"		\
		"popq %rdi; popq %rsi; popq %rdx; popq %rcx; popq %rax\n" \
		"iretq\n")
extern char timer_stub[], ipi_stub[], reply_stub[], exc_stub[];
ISR_STUB(timer_stub, timer_isr);
ISR_STUB(ipi_stub, ipi_isr);
ISR_STUB(reply_stub, reply_isr);
/* any exception: report vector-less and stop */
__asm__(".text\n.globl exc_stub\nexc_stub:\n"
	"movl $0xee, %eax\nmovw $0x1001, %dx\noutl %eax, %dx\n1: hlt\njmp 1b\n");

/* xAPIC, then x2APIC (SDM Vol. 3A 11.12.5), software-enabled, IF = 1 */
static void g_apic_on(void)
{
	uint64_t base = g_rdmsr(0x1b);

	if (!(base & (1u << 11)))
		g_wrmsr(0x1b, base | (1u << 11));
	g_wrmsr(0x1b, base | (1u << 11) | (1u << 10));
	g_wrmsr(0x80f, 0x1ff);			/* SVR: enabled, spurious 0xff */
	__asm__ volatile("sti");
}

/*
 * Wait for *flag with interrupts open all the time: spinning with IF = 1,
 * or in HLT (STI; HLT: the STI shadow covers the HLT, so an interrupt
 * that came after the check wakes it, SDM Vol. 2B "STI").  IF is never
 * 1 for one instruction only: an interrupt must be able to arrive at
 * any boundary of the loop, or its delivery depends on where the
 * hypervisor happens to look (an emulator may never see that window).
 */
static void g_wait(volatile uint64_t *flag, int halt)
{
	while (!*flag) {
		if (halt) {
			__asm__ volatile("cli" ::: "memory");
			if (!*flag)
				__asm__ volatile("sti; hlt" ::: "memory");
			__asm__ volatile("sti" ::: "memory");
		} else {
			__asm__ volatile("pause" ::: "memory");
		}
	}
}

static void guest_bsp(uint64_t arg)
{
	uint64_t i, dl, t0;
	int halt;

	g_apic_on();
	g_wrmsr(0x832, (2u << 17) | TIMER_VECTOR);	/* LVTT: TSC-deadline */
	for (halt = 0; halt < 2; halt++) {
		g_figure = halt;
		for (i = 0; i < g_samples; i++) {
			g_sample = i;
			g_timer_seen = 0;
			dl = g_rdtsc() + g_timer_ahead;
			g_wrmsr(0x6e0, dl);
			g_wait(&g_timer_seen, halt);
			g_lat[halt][i] = g_timer_tsc - dl;
		}
	}

	g_figure = 2;
	g_sample = 0;
	g_wait(&g_ap_ready, 0);
	for (halt = 0; halt < 2; halt++) {
		g_figure = 2 + halt;
		g_ap_halt = halt;
		for (i = 0; i < g_samples; i++) {
			g_sample = i;
			g_reply_seen = 0;
			t0 = g_rdtsc();
			g_wrmsr(0x830, (1ULL << 32) | (1u << 14) | IPI_VECTOR);
			g_wait(&g_reply_seen, 0);
			g_lat[2 + halt][i] = g_reply_tsc - t0;
		}
	}
	g_figure = NR_FIGURES;
	g_ap_stop = 1;
	g_wrmsr(0x830, (1ULL << 32) | (1u << 14) | IPI_VECTOR);	/* out of HLT */
	g_out(DONE_PORT, 0);
}

/*
 * vCPU 1 takes the IPIs: spinning on PAUSE or in HLT as g_ap_halt says,
 * with IF = 1 throughout, until vCPU 0 sets g_ap_stop.
 */
static void guest_ap(uint64_t arg)
{
	g_apic_on();
	g_ap_ready = 1;
	while (!g_ap_stop) {
		if (!g_ap_halt) {
			__asm__ volatile("pause" ::: "memory");
			continue;
		}
		/* the stop IPI may come between the check and the HLT */
		__asm__ volatile("cli" ::: "memory");
		if (!g_ap_stop)
			__asm__ volatile("sti; hlt" ::: "memory");
		__asm__ volatile("sti" ::: "memory");
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

static uint64_t image_end(void)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long i, n = getauxval(AT_PHNUM);
	uint64_t end = 0;

	for (i = 0; ph && i < n; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr + ph[i].p_memsz > end)
			end = ph[i].p_vaddr + ph[i].p_memsz;
	return end;
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
	uint64_t *gdt, *pml4, *pdpt, *pd, *idt;
	unsigned int v;

	im->high_size = ((image_end() + (2ULL << 20) - 1) & ~((2ULL << 20) - 1)) - HIGH_GPA;
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
	set_gate(idt, TIMER_VECTOR, timer_stub);
	set_gate(idt, IPI_VECTOR, ipi_stub);
	set_gate(idt, REPLY_VECTOR, reply_stub);
	return 0;
}

/* a guest global's address in the host's copy of guest memory */
static volatile void *guest_ptr(struct image *im, volatile void *var)
{
	return (char *)im->high + ((uintptr_t)var - HIGH_GPA);
}

/* ------------------------------------------------------------------ */
/* backends                                                            */
/* ------------------------------------------------------------------ */

struct vcpu {
	int id;
	const char *err;		/* set when the run failed */
	/* backend */
	struct vmon_cpu vmon;
	int kvm_fd;
	struct kvm_run *kvm_run;
};

struct backend {
	const char *name;
	int (*create)(struct image *im, struct vcpu *v, int nr);
	int (*run)(struct vcpu *v);	/* until DONE_PORT: 0 */
};

/* the same fields in struct vmon_segment and struct kvm_segment */
#define SEG(D, S) do {							\
	(D).base = (S).base; (D).limit = (S).limit;			\
	(D).selector = (S).selector; (D).type = (S).type;		\
	(D).present = (S).present; (D).dpl = (S).dpl; (D).db = (S).db;	\
	(D).s = (S).s; (D).l = (S).l; (D).g = (S).g; (D).avl = (S).avl;	\
	(D).unusable = (S).unusable;					\
} while (0)

static struct vmon_vm vmon_vm;

static int vmon_create(struct image *im, struct vcpu *v, int nr)
{
	const struct cpu_setup *c = &setup64;
	struct vmon_sregs sr;
	struct vmon_regs regs;
	int i, r;

	r = libvmon_vm_create(&vmon_vm);
	if (!r)
		r = libvmon_vm_set_memory(&vmon_vm, 0, 0, 0, LOW_SIZE, im->low);
	if (!r)
		r = libvmon_vm_set_memory(&vmon_vm, 1, 0, HIGH_GPA, im->high_size, im->high);
	for (i = 0; !r && i < nr; i++) {
		r = libvmon_cpu_create(&vmon_vm, i, &v[i].vmon);
		if (r)
			break;
		memset(&sr, 0, sizeof(sr));
		SEG(sr.cs, c->cs);
		SEG(sr.ds, c->ds);
		SEG(sr.es, c->ds);
		SEG(sr.fs, c->ds);
		SEG(sr.gs, c->ds);
		SEG(sr.ss, c->ds);
		SEG(sr.tr, c->tr);
		SEG(sr.ldt, c->ldt);
		sr.gdt.base = c->gdt_base;
		sr.gdt.limit = c->gdt_limit;
		sr.idt.base = c->idt_base;
		sr.idt.limit = c->idt_limit;
		sr.cr0 = c->cr0;
		sr.cr3 = c->cr3;
		sr.cr4 = c->cr4;
		sr.efer = c->efer;
		r = libvmon_set_sregs(&v[i].vmon, &sr);
		if (r)
			break;
		memset(&regs, 0, sizeof(regs));
		regs.rip = (uintptr_t)(i ? guest_ap : guest_bsp);
		regs.rsp = i ? STACK1_TOP : STACK0_TOP;
		regs.rflags = 2;
		r = libvmon_set_regs(&v[i].vmon, &regs);
	}
	return r;
}

static int vmon_run_vcpu(struct vcpu *v)
{
	struct vmon_run *run = v->vmon.run;
	static char why[64];
	int r;

	for (;;) {
		r = libvmon_cpu_run(&v->vmon);
		if (r == -EINTR)
			continue;
		if (r) {
			v->err = strerror(-r);
			return r;
		}
		if (run->exit_reason == VMON_EXIT_IO && run->io.port == DONE_PORT)
			return 0;
		snprintf(why, sizeof(why), "%s (I/O port %#x)",
			 libvmon_exit_reason_name(run->exit_reason), run->io.port);
		v->err = why;
		return -EIO;
	}
}

static int kvm_vm_fd;

static int kvm_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* CPUID as KVM offers it, with the x2APIC and TSC-deadline bits KVM emulates */
static int kvm_cpuid(int sys, int fd)
{
	struct kvm_cpuid2 *c;
	unsigned int i;
	int r;

	c = calloc(1, sizeof(*c) + 256 * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	c->nent = 256;
	r = kvm_ioctl(sys, KVM_GET_SUPPORTED_CPUID, c);
	for (i = 0; !r && i < c->nent; i++)
		if (c->entries[i].function == 1)
			c->entries[i].ecx |= (1u << 21) | (1u << 24);
	if (!r)
		r = kvm_ioctl(fd, KVM_SET_CPUID2, c);
	free(c);
	return r;
}

static int kvm_create(struct image *im, struct vcpu *v, int nr)
{
	const struct cpu_setup *c = &setup64;
	struct kvm_userspace_memory_region mr = { 0 };
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	struct kvm_sregs sr;
	struct kvm_regs regs;
	int sys, i, r, size;

	sys = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (sys < 0)
		return -errno;
	kvm_vm_fd = ioctl(sys, KVM_CREATE_VM, 0);
	if (kvm_vm_fd < 0)
		return -errno;
	ioctl(kvm_vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000UL);	/* VMX real mode only */
	r = kvm_ioctl(kvm_vm_fd, KVM_CREATE_IRQCHIP, NULL);
	mr.slot = 0;
	mr.memory_size = LOW_SIZE;
	mr.userspace_addr = (uintptr_t)im->low;
	if (!r)
		r = kvm_ioctl(kvm_vm_fd, KVM_SET_USER_MEMORY_REGION, &mr);
	mr.slot = 1;
	mr.guest_phys_addr = HIGH_GPA;
	mr.memory_size = im->high_size;
	mr.userspace_addr = (uintptr_t)im->high;
	if (!r)
		r = kvm_ioctl(kvm_vm_fd, KVM_SET_USER_MEMORY_REGION, &mr);
	size = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	for (i = 0; !r && i < nr; i++) {
		v[i].kvm_fd = ioctl(kvm_vm_fd, KVM_CREATE_VCPU, i);
		if (v[i].kvm_fd < 0)
			return -errno;
		v[i].kvm_run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
				    v[i].kvm_fd, 0);
		if (v[i].kvm_run == MAP_FAILED)
			return -errno;
		r = kvm_cpuid(sys, v[i].kvm_fd);
		if (!r)
			r = kvm_ioctl(v[i].kvm_fd, KVM_GET_SREGS, &sr);
		if (r)
			break;
		SEG(sr.cs, c->cs);
		SEG(sr.ds, c->ds);
		SEG(sr.es, c->ds);
		SEG(sr.fs, c->ds);
		SEG(sr.gs, c->ds);
		SEG(sr.ss, c->ds);
		SEG(sr.tr, c->tr);
		SEG(sr.ldt, c->ldt);
		sr.gdt.base = c->gdt_base;
		sr.gdt.limit = c->gdt_limit;
		sr.idt.base = c->idt_base;
		sr.idt.limit = c->idt_limit;
		sr.cr0 = c->cr0;
		sr.cr3 = c->cr3;
		sr.cr4 = c->cr4;
		sr.efer = c->efer;
		r = kvm_ioctl(v[i].kvm_fd, KVM_SET_SREGS, &sr);
		memset(&regs, 0, sizeof(regs));
		regs.rip = (uintptr_t)(i ? guest_ap : guest_bsp);
		regs.rsp = i ? STACK1_TOP : STACK0_TOP;
		regs.rflags = 2;
		if (!r)
			r = kvm_ioctl(v[i].kvm_fd, KVM_SET_REGS, &regs);
		/* with the in-kernel irqchip an AP waits for INIT/SIPI: start it */
		if (!r)
			r = kvm_ioctl(v[i].kvm_fd, KVM_SET_MP_STATE, &mp);
	}
	return r;
}

static int kvm_run_vcpu(struct vcpu *v)
{
	struct kvm_run *run = v->kvm_run;
	static char why[64];

	for (;;) {
		if (ioctl(v->kvm_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			v->err = strerror(errno);
			return -errno;
		}
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == DONE_PORT)
			return 0;
		snprintf(why, sizeof(why), "KVM exit %u (I/O port %#x; internal error %u)",
			 run->exit_reason, run->io.port, run->internal.suberror);
		v->err = why;
		return -EIO;
	}
}

static const struct backend backends[] = {
	{ "vmon", vmon_create, vmon_run_vcpu },
	{ "kvm", kvm_create, kvm_run_vcpu },
};

/* ------------------------------------------------------------------ */
/* figures                                                             */
/* ------------------------------------------------------------------ */

static const struct backend *be;
static const char *g_machine = "unknown";	/* -m: named in the comparison lines */
static struct image g_im;
static int g_vcpus_done;			/* vCPU threads that returned */

/* vCPU 0's progress: figure * MAX_SAMPLES + sample */
static uint64_t progress(void)
{
	uint64_t f = *(volatile uint64_t *)guest_ptr(&g_im, &g_figure);

	return f * MAX_SAMPLES + *(volatile uint64_t *)guest_ptr(&g_im, &g_sample);
}

/* where vCPU 0 is: "ipi-busy sample 17 of 200" */
static const char *where(void)
{
	static char buf[64];
	uint64_t p = progress();

	if (p >= NR_FIGURES * MAX_SAMPLES)
		return "the end";
	snprintf(buf, sizeof(buf), "%s sample %llu of %llu", figure_name[p / MAX_SAMPLES],
		 (unsigned long long)p % MAX_SAMPLES + 1, (unsigned long long)g_samples);
	return buf;
}

/* a vCPU that stopped leaves the other waiting for it forever: end here */
static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;

	if (be->run(v)) {
		fprintf(stderr, "lapic_latency: %s: vCPU %d stopped at %s: %s\n", be->name,
			v->id, where(), v->err);
		exit(1);
	}
	__atomic_add_fetch(&g_vcpus_done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * Until both vCPUs are done: a progress line every progress_s seconds
 * (the rig ends a machine whose console stays silent), and a clear end,
 * naming the figure and sample in hand, when one sample takes longer
 * than wait_s seconds (a lost interrupt: a halted vCPU cannot time
 * itself out) or the whole run longer than timeout_s.
 */
static int watch(unsigned int timeout_s, unsigned int wait_s, unsigned int progress_s)
{
	struct timespec t0, now;
	unsigned int s, last = 0, moved = 0;
	uint64_t p, seen = progress();

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (__atomic_load_n(&g_vcpus_done, __ATOMIC_SEQ_CST) < 2) {
		usleep(100000);
		clock_gettime(CLOCK_MONOTONIC, &now);
		s = now.tv_sec - t0.tv_sec;
		p = progress();
		if (p != seen) {
			seen = p;
			moved = s;
		}
		if (s >= moved + wait_s) {
			fprintf(stderr, "lapic_latency: %s: no progress for %u s (-w) at %s: "
				"an interrupt was lost\n", be->name, s - moved, where());
			return -ETIMEDOUT;
		}
		if (s >= timeout_s) {
			fprintf(stderr, "lapic_latency: %s: timed out after %u s (-t) at %s\n",
				be->name, s, where());
			return -ETIMEDOUT;
		}
		if (progress_s && s >= last + progress_s) {
			last = s;
			printf("lapic_latency: %s: %u s, at %s\n", be->name, s, where());
			fflush(stdout);
		}
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * "name median p10 p90 khz" lines of the other backend's run (cycles);
 * 0 when the figure is absent
 */
static int other_figure(const char *file, const char *name, char *other, double v[4])
{
	char line[160], n[32];
	double t[4];
	int found = 0;
	FILE *f = fopen(file, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "backend %31s", n) == 1) {
			strcpy(other, n);
		} else if (sscanf(line, "%31s %lf %lf %lf %lf", n, &t[0], &t[1], &t[2],
				  &t[3]) == 5 && !strcmp(n, name)) {
			memcpy(v, t, sizeof(t));
			found = 1;
		}
	}
	fclose(f);
	return found;
}

/*
 * The comparison line, stable for comparing commits (as exit_cost's):
 * medians and 10th..90th percentiles in ns, each backend's cycles turned
 * into ns with the TSC rate its own run measured.
 */
static void compare_line(unsigned int f, const double me[4], const double them[4])
{
	const double *v = strcmp(be->name, "vmon") ? them : me;
	const double *k = v == me ? them : me;
	double vs = 1e6 / v[3], ks = 1e6 / k[3];

	printf("lapic %s vmon %.0f kvm %.0f ratio %.2f vmon-spread %.0f..%.0f "
	       "kvm-spread %.0f..%.0f machine %s\n", figure_name[f], v[0] * vs, k[0] * ks,
	       v[0] * vs / (k[0] * ks), v[1] * vs, v[2] * vs, k[1] * ks, k[2] * ks, g_machine);
}

static void report(struct image *im, uint64_t khz, const char *out, const char *cmp)
{
	static uint64_t s[MAX_SAMPLES];
	FILE *o = out ? fopen(out, "w") : NULL;
	char other[32] = "";
	unsigned int f, n = g_samples;
	double me[4], them[4];

	printf("lapic_latency: %s, %u samples per figure, TSC %llu kHz (cycles; us)\n",
	       be->name, n, (unsigned long long)khz);
	printf("%-14s %10s %10s %10s %9s\n", "figure", "median", "p10", "p90", "median");
	if (o)
		fprintf(o, "backend %s\n", be->name);
	for (f = 0; f < NR_FIGURES; f++) {
		memcpy(s, (void *)guest_ptr(im, g_lat[f]), n * sizeof(s[0]));
		qsort(s, n, sizeof(s[0]), cmp_u64);
		printf("%-14s %10llu %10llu %10llu %9.2f\n", figure_name[f],
		       (unsigned long long)s[n / 2], (unsigned long long)s[n / 10],
		       (unsigned long long)s[n * 9 / 10], s[n / 2] * 1000.0 / khz);
		if (o)
			fprintf(o, "%s %llu %llu %llu %llu\n", figure_name[f],
				(unsigned long long)s[n / 2], (unsigned long long)s[n / 10],
				(unsigned long long)s[n * 9 / 10], (unsigned long long)khz);
		if (!cmp || !other_figure(cmp, figure_name[f], other, them) || them[0] <= 0)
			continue;
		me[0] = s[n / 2];
		me[1] = s[n / 10];
		me[2] = s[n * 9 / 10];
		me[3] = khz;
		/* always vmon / KVM */
		printf("%-14s ratio vmon/kvm %.2f (%s median %.0f)\n", figure_name[f],
		       strcmp(be->name, "vmon") ? them[0] / me[0] : me[0] / them[0], other,
		       them[0]);
		compare_line(f, me, them);
	}
	if (o)
		fclose(o);
}

int main(int argc, char **argv)
{
	const char *out = NULL, *cmp = NULL;
	struct vcpu v[2] = { { .id = 0 }, { .id = 1 } };
	pthread_t th[2];
	struct image *im = &g_im;
	uint64_t khz;
	unsigned int timeout_s = 100, wait_s = 30, progress_s = 10;
	int opt, i, r;

	g_samples = 200;
	for (i = 0; argc > 1 && i < (int)(sizeof(backends) / sizeof(backends[0])); i++)
		if (!strcmp(argv[1], backends[i].name))
			be = &backends[i];
	while (be && (opt = getopt(argc - 1, argv + 1, "n:o:c:t:m:w:p:")) != -1) {
		if (opt == 'm')
			g_machine = optarg;
		else if (opt == 'w')
			wait_s = strtoul(optarg, NULL, 0);
		else if (opt == 'p')
			progress_s = strtoul(optarg, NULL, 0);
		else if (opt == 't')
			timeout_s = strtoul(optarg, NULL, 0);
		else if (opt == 'n')
			g_samples = strtoull(optarg, NULL, 0);
		else if (opt == 'o')
			out = optarg;
		else if (opt == 'c')
			cmp = optarg;
		else
			be = NULL;
	}
	if (!be || !g_samples || g_samples > MAX_SAMPLES || !wait_s || !timeout_s) {
		fprintf(stderr,
			"usage: %s vmon|kvm [-n SAMPLES<=%d] [-o FILE] [-c FILE] [-t SECONDS]\n"
			"       [-w SECONDS] [-p SECONDS] [-m MACHINE]\n",
			argv[0], MAX_SAMPLES);
		return 2;
	}
	khz = test_tsc_khz(200);
	g_timer_ahead = khz / 10;		/* 100 us */
	r = build_image(im);
	if (!r)
		r = be->create(im, v, 2);
	if (r) {
		fprintf(stderr, "lapic_latency: %s: cannot create the VM: %s\n", be->name,
			strerror(-r));
		return 1;
	}
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, vcpu_thread, &v[i]);
	/* a hung vCPU thread is not joined: exit() ends it */
	if (watch(timeout_s, wait_s, progress_s))
		return 1;
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	report(im, khz, out, cmp);
	return 0;
}
