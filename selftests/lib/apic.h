/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers of the local APIC selftests (lapic_test, ipi_test): the guest
 * side (MSR access, x2APIC registers, interrupt stubs that call a C
 * function with the vector) and the host side (more vCPUs in a
 * test_vm, each with its own stack, a thread per vCPU, the APIC and
 * MSI ioctls as -errno calls).
 */
#ifndef SELFTEST_APIC_H
#define SELFTEST_APIC_H

#include <pthread.h>
#include <sys/ioctl.h>

#include "test_vm.h"
#include "guest_events.h"
#include "guest_msr.h"

/* ---- host side: an AP of a test VM on a thread of its own ---- */

struct test_ap {
	struct test_vm *t;
	struct vmon_cpu cpu;
	int r;			/* last VMON_RUN */
	int cmd;		/* ucall of the last exit, UCALL_NONE after an error */
	struct ucall uc;
};

/* pthread body: run the AP until it reports DONE/ASSERT or exits otherwise */
static inline void *test_ap_thread(void *arg)
{
	struct test_ap *ap = arg;

	do {
		ap->r = libvmon_cpu_run(&ap->cpu);
		ap->cmd = ap->r ? UCALL_NONE : test_cpu_get_ucall(ap->t, &ap->cpu, &ap->uc);
	} while (!ap->r && ap->cmd == UCALL_SYNC);
	return NULL;
}

/* SDM Vol. 3A 11.4.4, 11.12.1.2 */
#define MSR_APIC_BASE		0x1b
#define APIC_BASE_BSP		(1ULL << 8)
#define APIC_BASE_EXTD		(1ULL << 10)
#define APIC_BASE_EN		(1ULL << 11)
#define X2APIC_MSR(off)		(0x800 + ((off) >> 4))
#define APIC_ID			0x20
#define APIC_LVR		0x30
#define APIC_TPR		0x80
#define APIC_PPR		0xa0
#define APIC_EOI		0xb0
#define APIC_LDR		0xd0
#define APIC_DFR		0xe0
#define APIC_SVR		0xf0
#define APIC_ISR		0x100
#define APIC_TMR		0x180
#define APIC_IRR		0x200
#define APIC_ESR		0x280
#define APIC_ICR		0x300
#define APIC_LVTT		0x320
#define APIC_LVT0		0x350
#define APIC_LVT1		0x360
#define APIC_LVTERR		0x370
#define APIC_SELF_IPI		0x3f0

#define ICR_DM_FIXED		(0 << 8)
#define ICR_DM_LOWEST		(1 << 8)
#define ICR_DM_NMI		(4 << 8)
#define ICR_DM_INIT		(5 << 8)
#define ICR_DM_SIPI		(6 << 8)
#define ICR_LOGICAL		(1 << 11)
#define ICR_ASSERT		(1 << 14)
#define ICR_LEVEL		(1 << 15)
#define ICR_SELF		(1 << 18)
#define ICR_ALL			(2 << 18)
#define ICR_OTHERS		(3 << 18)

/* ---- guest side ---- */


static inline uint64_t x2apic_read(uint32_t off)
{
	return guest_rdmsr(X2APIC_MSR(off));
}

static inline void x2apic_write(uint32_t off, uint64_t v)
{
	guest_wrmsr(X2APIC_MSR(off), v);
}

/* xAPIC -> x2APIC (SDM Vol. 3A 11.12.5), software-enabled, spurious 0xff */
static inline void guest_x2apic_enable(void)
{
	uint64_t base = guest_rdmsr(MSR_APIC_BASE);

	guest_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
	x2apic_write(APIC_SVR, 0x1ff);
}

/* whether vector v is set in the 256-bit register at off (ISR, TMR, IRR) */
static inline int x2apic_bit(uint32_t off, unsigned int v)
{
	return (x2apic_read(off + 0x10 * (v / 32)) >> (v % 32)) & 1;
}

/*
 * APIC_IRQ_STUB(vec): an interrupt gate target named apic_irq_<vec>
 * that calls apic_guest_irq(vec) (defined by the test) with the
 * caller-saved registers preserved and returns with IRETQ.  Entry
 * leaves RSP 8 mod 16 (5 qwords on a 16-aligned stack, SDM Vol. 3A
 * 6.14.2); nine pushes make the call ABI-aligned.
 */
#define APIC_IRQ_STUB(vec)						\
	extern char apic_irq_##vec[];					\
	__asm__(".text\n"						\
		".globl apic_irq_" #vec "\n"				\
		"apic_irq_" #vec ":\n"					\
		"	pushq %rax\n pushq %rcx\n pushq %rdx\n"		\
		"	pushq %rsi\n pushq %rdi\n pushq %r8\n"		\
		"	pushq %r9\n pushq %r10\n pushq %r11\n"		\
		"	movl $" #vec ", %edi\n"				\
		"	call apic_guest_irq\n"				\
		"	popq %r11\n popq %r10\n popq %r9\n"		\
		"	popq %r8\n popq %rdi\n popq %rsi\n"		\
		"	popq %rdx\n popq %rcx\n popq %rax\n"		\
		"	iretq\n")

void apic_guest_irq(uint64_t vector);

/* ---- host side ---- */

static inline int test_get_lapic(struct vmon_cpu *cpu, struct vmon_lapic_state *s)
{
	return test_ioctl(cpu->fd, VMON_GET_LAPIC, s);
}

static inline int test_set_lapic(struct vmon_cpu *cpu, struct vmon_lapic_state *s)
{
	return test_ioctl(cpu->fd, VMON_SET_LAPIC, s);
}

static inline uint32_t lapic_reg(const struct vmon_lapic_state *s, uint32_t off)
{
	uint32_t v;

	memcpy(&v, s->regs + off, 4);
	return v;
}

static inline int test_mp_state(struct vmon_cpu *cpu, int set, uint32_t state)
{
	struct vmon_mp_state s = { .state = state };
	int r = test_ioctl(cpu->fd, set ? VMON_SET_MP_STATE : VMON_GET_MP_STATE, &s);

	return r ? r : set ? 0 : (int)s.state;
}

/* VMON_SIGNAL_MSI: accepting APICs, or -errno */
static inline int test_msi(struct test_vm *t, uint64_t address, uint32_t data)
{
	struct vmon_msi msi = { .address = address, .data = data };
	int r = ioctl(t->vm.fd, VMON_SIGNAL_MSI, &msi);

	return r < 0 ? -errno : r;
}

#define MSI_ADDR(dest)		(0xfee00000ULL | ((uint64_t)(dest) << 12))

/*
 * Another vCPU of t in long mode, sharing vCPU 0's tables and IDT (set
 * the gates first), at guest(arg) on a stack of its own below vCPU 0's.
 */
static inline int test_add_cpu(struct test_vm *t, unsigned int id, struct vmon_cpu *cpu,
			       void (*guest)(uint64_t), uint64_t arg)
{
	struct vmon_sregs sregs;
	struct vmon_regs regs = { .rflags = 2 };
	int r;

	r = libvmon_cpu_create(&t->vm, id, cpu);
	if (r)
		return r;
	r = libvmon_get_sregs(&t->cpu, &sregs);
	if (!r)
		r = libvmon_set_sregs(cpu, &sregs);
	regs.rip = (uintptr_t)guest;
	regs.rdi = arg;
	regs.rsp = STACK_TOP - 0x2000 * id;
	if (!r)
		r = libvmon_set_regs(cpu, &regs);
	return r;
}

/* the ucall of any vCPU's last exit, as test_get_ucall(); thread safe */
#endif /* SELFTEST_APIC_H */
