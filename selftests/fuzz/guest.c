// SPDX-License-Identifier: GPL-2.0-only
/*
 * Random guest code in real, protected and long mode, and VMON_RUN:
 * every RUN is bounded by a timer signal (a RUN that does not return
 * soon after it is a hung vCPU), every exit is answered with random
 * data, every failed entry is counted by the rule it names.
 *
 * Guest-physical layout of a fuzzed guest:
 *   slot 0  [0, 0xc000)        RAM: IVT, libvmon_setup_mode() tables at 0x1000
 *   slot 1  [0xc000, 0xe000)   code, read-only to the guest (stores to it are
 *                              MMIO exits, so the guest cannot write itself
 *                              instructions the scrub below took out)
 *   slot 2  [0xe000, 0x20000)  RAM, stacks
 * Everything else is MMIO.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>

#include "fuzz.h"
#include "libvmon.h"

#define CODE_GPA	0xc000ULL
#define CODE_SIZE	0x2000ULL
#define RAM2_GPA	0xe000ULL
#define RAM2_SIZE	(0x20000ULL - RAM2_GPA)
#define TABLES		0x1000ULL

struct emit {
	unsigned char *p;
	size_t n, cap;
	unsigned int bits;
};

static void b(struct emit *e, unsigned int byte)
{
	if (e->n < e->cap)
		e->p[e->n++] = byte;
}

static void imm(struct emit *e, uint64_t v, unsigned int bytes)
{
	while (bytes--) {
		b(e, v & 0xff);
		v >>= 8;
	}
}

/* mov r32, imm32 (reg 0 eax, 1 ecx, 2 edx, ...) in any mode */
static void mov32(struct emit *e, unsigned int reg, uint32_t v)
{
	if (e->bits == 16)
		b(e, 0x66);
	b(e, 0xb8 + reg);
	imm(e, v, 4);
}

static const uint64_t data_addrs[] = {
	0x500, 0x8000, CODE_GPA + 0x10, 0xf000, 0x1fff8, 0x100000, 0xa0000000,
	0xfee00030, 0xfec00000, 0xfffffff0,
};

/* an absolute memory operand: moffs of the mode's address size */
static void moffs(struct emit *e, uint64_t addr)
{
	imm(e, addr, e->bits == 16 ? 2 : e->bits == 32 ? 4 : 8);
}

static void modrm_abs(struct emit *e, unsigned int reg, uint64_t addr)
{
	if (e->bits == 16) {
		b(e, 0x06 | reg << 3);
		imm(e, addr, 2);
	} else if (e->bits == 32) {
		b(e, 0x05 | reg << 3);
		imm(e, addr, 4);
	} else {
		b(e, 0x04 | reg << 3);	/* SIB, no base: absolute disp32 */
		b(e, 0x25);
		imm(e, addr, 4);
	}
}

static void snippet(struct fz *f, struct emit *e)
{
	static const uint32_t msrs[] = { 0x10, 0x1b, 0x3a, 0xfe, 0x174, 0x277, 0x2ff,
		0xc0000080, 0xc0000082, 0xc0000100, 0xc0010015, 0x8b, 0x12345678 };
	uint64_t addr = data_addrs[fz_below(f, sizeof(data_addrs) / sizeof(data_addrs[0]))];
	unsigned int i;

	switch (fz_below(f, 30)) {
	case 0: b(e, 0xe6); b(e, fz_below(f, 256)); break;		/* out imm8, al */
	case 1: b(e, 0xe5); b(e, fz_below(f, 256)); break;		/* in eax, imm8 */
	case 2:								/* out/in dx */
		mov32(e, 2, fz_chance(f, 50) ? 0x3f8 + fz_below(f, 8) : fz_below(f, 0x10000));
		b(e, 0xec + fz_below(f, 4));
		break;
	case 3:								/* cpuid */
		mov32(e, 0, fz_chance(f, 50) ? fz_below(f, 0x20) : 0x80000000 + fz_below(f, 0x20));
		mov32(e, 1, fz_below(f, 3));
		b(e, 0x0f); b(e, 0xa2);
		break;
	case 4: case 5:							/* rdmsr, wrmsr */
		mov32(e, 1, msrs[fz_below(f, sizeof(msrs) / sizeof(msrs[0]))]);
		mov32(e, 0, fz_rand(f));
		mov32(e, 2, fz_chance(f, 50) ? 0 : fz_rand(f));
		b(e, 0x0f); b(e, fz_chance(f, 50) ? 0x32 : 0x30);
		break;
	case 6: b(e, 0x0f); b(e, 0x31); break;				/* rdtsc */
	case 7: b(e, 0xcc); break;					/* int3 */
	case 8: b(e, 0xcd); b(e, fz_below(f, 256)); break;		/* int n */
	case 9: b(e, 0x0f); b(e, 0x0b); break;				/* ud2 */
	case 10:							/* vmcall, vmmcall, vmrun, vmlaunch */
		b(e, 0x0f); b(e, 0x01);
		b(e, (const unsigned char[]){ 0xc1, 0xd9, 0xd8, 0xc2, 0xdc, 0xdd }[fz_below(f, 6)]);
		break;
	case 11: b(e, fz_chance(f, 50) ? 0xfb : 0xfa); break;		/* sti, cli */
	case 12: b(e, 0xfb); b(e, 0xf4); break;				/* sti; hlt */
	case 13: b(e, 0xf4); break;					/* hlt */
	case 14:							/* store to RAM/MMIO/RO */
		if (e->bits == 64 && fz_chance(f, 50))
			b(e, 0x48);
		b(e, 0xa3); moffs(e, addr);
		break;
	case 15: b(e, 0xa1); moffs(e, addr); break;			/* load */
	case 16:							/* lidt/lgdt [addr] */
		b(e, 0x0f); b(e, 0x01); modrm_abs(e, fz_chance(f, 70) ? 3 : 2, addr & 0xffff);
		break;
	case 17: b(e, 0x0f); b(e, 0x20); b(e, 0xc0 | fz_below(f, 5) << 3); break; /* mov r, crN */
	case 18: b(e, 0x31); b(e, 0xc9); b(e, 0xf7); b(e, 0xf1); break;	/* div by 0 */
	case 19: b(e, 0xeb); b(e, fz_below(f, 256)); break;		/* jmp rel8 */
	case 20: b(e, fz_chance(f, 50) ? 0xcf : 0xcb); break;		/* iret, retf */
	case 21:							/* rep outsb / insb */
		mov32(e, 1, fz_below(f, 64));
		mov32(e, 2, fz_below(f, 0x400));
		b(e, 0xf3); b(e, fz_chance(f, 50) ? 0x6e : 0x6c);
		break;
	case 22:							/* set TF: single step */
		b(e, 0x9c); b(e, 0x58);
		if (e->bits == 16)
			imm(e, 0x01000d, 3);
		else
			imm(e, 0x0000010d, 5);
		b(e, 0x50); b(e, 0x9d);
		break;
	case 23:							/* mov ss: shadow */
		mov32(e, 0, fz_below(f, 0x40)); b(e, 0x8e); b(e, 0xd0);
		break;
	case 24: b(e, 0x31); b(e, 0xc9); b(e, 0x0f); b(e, 0x01); b(e, 0xd0); break; /* xgetbv */
	case 25:							/* syscall, sysenter, swapgs, wbinvd, clts */
		b(e, 0x0f);
		i = fz_below(f, 5);
		b(e, (const unsigned char[]){ 0x05, 0x34, 0x09, 0x06, 0x08 }[i]);
		break;
	case 26: b(e, 0x0f); b(e, 0x01); b(e, 0xc8 + fz_below(f, 2)); break; /* monitor, mwait */
	case 27: b(e, 0x68); imm(e, fz_rand(f), 4); b(e, 0xc3); break;	/* push imm; ret */
	case 28: b(e, 0x0f); b(e, 0x01); b(e, 0xf0); break;		/* lmsw ax */
	default:
		for (i = 1 + fz_below(f, 8); i; i--)
			b(e, fz_below(f, 256));
		break;
	}
}

/*
 * Take out what crashes the emulators or floods their logs, wherever it
 * could be decoded (any offset: jumps land anywhere), see testing.rst:
 * MOV to CR (a CR8 write with an interrupt window open aborts QEMU),
 * MOV to DR (a data breakpoint firing during event delivery aborts QEMU),
 * XSETBV (Bochs logs every #UD of it), and on SVM SYSRET/SYSEXIT (ring 3
 * with a busy TR aborts QEMU).
 */
static void scrub(struct fz *f, unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		if (p[i] != 0x0f)
			continue;
		if (p[i + 1] == 0x22 || p[i + 1] == 0x23 ||
		    (f->svm && (p[i + 1] == 0x07 || p[i + 1] == 0x35)) ||
		    (p[i + 1] == 0x01 && i + 2 < n && p[i + 2] == 0xd1))
			p[i] = 0x90;
	}
}

static int prepare_slots(struct fz *f, struct fz_vm *vm)
{
	struct fz_slot *s = vm->slots;
	int i;

	if (vm->guest_ok && s[0].used && !s[0].gone && s[0].gpa == 0 && s[0].size == CODE_GPA &&
	    s[1].used && !s[1].gone && s[1].gpa == CODE_GPA && s[1].size == CODE_SIZE &&
	    s[2].used && !s[2].gone && s[2].gpa == RAM2_GPA && s[2].size == RAM2_SIZE &&
	    s[0].flags == 0 && s[2].flags == 0)
		return 0;
	/* whatever the fuzzing left in the low megabyte goes */
	for (i = 0; i < FZ_SLOTS; i++) {
		if (s[i].used && (i < 3 || s[i].gpa < RAM2_GPA + RAM2_SIZE || s[i].gone))
			fz_set_slot(f, vm, i, 0, 0, 0);
	}
	if (fz_set_slot(f, vm, 0, 0, 0, CODE_GPA) ||
	    fz_set_slot(f, vm, 1, VMON_MEM_READONLY, CODE_GPA, CODE_SIZE) ||
	    fz_set_slot(f, vm, 2, 0, RAM2_GPA, RAM2_SIZE))
		return -1;
	vm->guest_ok = true;
	return 0;
}

/* a libvmon view of our bookkeeping, for libvmon_setup_mode() */
static int setup_mode(struct fz *f, struct fz_vm *vm, struct fz_vcpu *c,
		      enum vmon_guest_mode mode)
{
	struct vmon_vm lv = { .sys_fd = f->sys_fd, .fd = vm->fd, .caps = f->caps };
	struct vmon_cpu lc = { .vm = &lv, .fd = c->fd, .id = c->id, .run = c->run,
			       .run_size = f->caps.run_size };
	int i, r;

	for (i = 0; i < 3; i++) {
		lv.slots[i] = (struct vmon_mem_slot){ .used = true, .flags = vm->slots[i].flags,
			.gpa = vm->slots[i].gpa, .size = vm->slots[i].size,
			.hva = vm->slots[i].map };
	}
	fz_op(f, "setup %s mode vcpu fd %d", mode == VMON_GUEST_REAL ? "real" :
	      mode == VMON_GUEST_PROT ? "protected" : "long", c->fd);
	/* SET_SREGS and SET_REGS through libvmon: counted as ioctls too */
	__atomic_fetch_add(&f->sh->ioctls, 2, __ATOMIC_RELAXED);
	r = libvmon_setup_mode(&lc, mode, TABLES, 4ULL << 30, CODE_GPA,
			    mode == VMON_GUEST_REAL ? 0xf000 : 0x1f000);
	fz_note(f, " -> %d", r);
	return r;
}

/*
 * Periodic: a signal that lands before the ioctl enters the guest is
 * followed by another one, so a RUN that does not return is a hang.
 */
static void timer_arm(unsigned int us)
{
	struct timeval tv = { .tv_sec = us / 1000000, .tv_usec = us % 1000000 };
	struct itimerval it = { .it_value = tv, .it_interval = tv };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void on_signal(int sig)
{
	(void)sig;
}

void fz_signals_init(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* no SA_RESTART: RUN returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
}

/*
 * The event and interruptibility fields of the VMCS/VMCB, from a state
 * dump: VMX VM-entry interruption information, error code, instruction
 * length, guest interruptibility, activity state, pending debug
 * exceptions (SDM 3C Appendix B); SVM EVENTINJ, V_INTR control and
 * interrupt shadow (APM 2 Appendix B).
 */
static void describe_events(struct fz *f, struct fz_vcpu *c, char *out, size_t len)
{
	static const uint32_t vmx_ids[] = { 0x4016, 0x4018, 0x401a, 0x4824, 0x4826, 0x6822 };
	static const char * const vmx_names[] = { "entry_intr_info", "entry_errcode",
		"entry_insn_len", "interruptibility", "activity", "pending_dbg" };
	static const uint32_t svm_ids[] = { 0xa8, 0x60, 0x68 };
	static const char * const svm_names[] = { "event_inj", "int_ctl", "int_state" };
	const uint32_t *ids = f->svm ? svm_ids : vmx_ids;
	const char * const *names = f->svm ? svm_names : vmx_names;
	unsigned int nids = f->svm ? 3 : 6, i, j;
	static char buf[sizeof(struct vmon_state_dump) + 256 * sizeof(struct vmon_state_field)];
	struct vmon_state_dump *d = (struct vmon_state_dump *)buf;
	size_t n = 0;

	memset(d, 0, sizeof(*d));
	d->nfields = 256;
	if (ioctl(c->fd, VMON_GET_STATE_DUMP, d))
		return;
	for (i = 0; i < d->nfields; i++) {
		for (j = 0; j < nids && n < len; j++) {
			if (d->fields[i].id == ids[j])
				n += snprintf(out + n, len - n, " %s %#llx", names[j],
					      (unsigned long long)d->fields[i].value);
		}
	}
}

/* print what a refused state has that a valid one of its mode has not */
static void describe_state(struct fz *f, struct fz_vcpu *c, char *out, size_t len)
{
	struct vmon_regs r;
	struct vmon_sregs s;
	size_t n;

	if (ioctl(c->fd, VMON_GET_REGS, &r) || ioctl(c->fd, VMON_GET_SREGS, &s)) {
		snprintf(out, len, "(state unreadable)");
		return;
	}
	n = snprintf(out, len,
		     "rip %#llx rflags %#llx cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx cr8 %llu",
		     (unsigned long long)r.rip, (unsigned long long)r.rflags,
		     (unsigned long long)s.cr0, (unsigned long long)s.cr3,
		     (unsigned long long)s.cr4, (unsigned long long)s.efer,
		     (unsigned long long)s.cr8);
	const char *names[] = { "cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt" };
	struct vmon_segment *seg = &s.cs;

	for (int i = 0; i < 8 && n < len; i++, seg++) {
		n += snprintf(out + n, len - n,
			      " %s=%#x/b%#llx/l%#x/t%u/p%u/dpl%u/db%u/s%u/L%u/g%u/u%u", names[i],
			      seg->selector, (unsigned long long)seg->base, seg->limit, seg->type,
			      seg->present, seg->dpl, seg->db, seg->s, seg->l, seg->g,
			      seg->unusable);
	}
	if (n < len)
		n += snprintf(out + n, len - n, " gdt %#llx/%#x idt %#llx/%#x",
			      (unsigned long long)s.gdt.base, s.gdt.limit,
			      (unsigned long long)s.idt.base, s.idt.limit);
	if (n < len)
		describe_events(f, c, out + n, len - n);
}

/* a failed entry that names no rule: a finding */
static void unnamed_entry_failure(struct fz *f, struct fz_vcpu *c, struct vmon_run *run)
{
	char state[900];

	describe_state(f, c, state, sizeof(state));
	f->sh->unnamed++;
	fz_fail(f, FZ_FC_UNNAMED, "entry failure names no rule: kind %u code %llu qual %#llx \"%s\"; state: %s",
		run->fail_entry.kind, (unsigned long long)run->fail_entry.code,
		(unsigned long long)run->fail_entry.qualification, run->fail_entry.reason, state);
}

/*
 * One VMON_RUN, bounded; returns the exit reason, or -errno.  What
 * happens in a RUN depends on timing (a timer signal or an exit first),
 * so everything random in it comes from a stream of its own seeded by
 * one draw of the main one: the ops after it are the same whatever the
 * outcome, and a seed replays.
 */
static int run_once_stream(struct fz *f, struct fz_vcpu *c);

static int run_once(struct fz *f, struct fz_vcpu *c)
{
	uint64_t own = fz_rand(f), main_stream = f->rng;
	int r;

	f->rng = own;
	r = run_once_stream(f, c);
	f->rng = main_stream;
	return r;
}

static int run_once_stream(struct fz *f, struct fz_vcpu *c)
{
	struct vmon_run *run = c->run;
	unsigned long arg = fz_chance(f, 98) ? 0 : fz_boundary(f);
	/*
	 * Mostly short: a guest in a loop runs until the timer fires.  In
	 * ticks of --tick-us, which is shorter on Bochs, where every
	 * microsecond of a spinning guest costs its emulator a lot.
	 */
	unsigned int ticks = fz_chance(f, 80) ? 1 : 2 + fz_below(f, fz_chance(f, 80) ? 4 : 20);
	unsigned int us = ticks * f->o->tick_us;
	uint64_t t0, dt;
	long r;

	run->immediate_exit = fz_chance(f, 2);
	run->request_interrupt_window = fz_chance(f, 10);
	fz_op(f, "RUN vcpu fd %d arg %#lx ie %u irqwin %u timer %u us", c->fd, arg,
	      run->immediate_exit, run->request_interrupt_window, us);
	f->sh->runs++;
	timer_arm(us);
	t0 = fz_now_ns();
	f->sh->run_start_ns = t0;
	r = fz_ioctl(f, c->fd, VMON_RUN, arg, FK_RUN, 0);
	f->sh->run_start_ns = 0;
	dt = fz_now_ns() - t0;
	timer_arm(0);
	if (dt > f->sh->max_run_ns)
		f->sh->max_run_ns = dt;
	if (dt > us * 1000ULL + f->o->run_limit_ms * 1000000ULL) {
		char state[900];

		/* where the guest was: what held the CPU, or what it looped in */
		describe_state(f, c, state, sizeof(state));
		fz_fail(f, FZ_FC_HANG, "RUN returned %llu ms after its %u us timer signal (limit %u ms), exit %u; state: %s",
			(unsigned long long)((dt - us * 1000ULL) / 1000000), us, f->o->run_limit_ms,
			run->exit_reason, state);
	}
	if (r == 0 && arg)
		fz_fail(f, FZ_FC_OTHER, "RUN accepted argument %#lx", arg);
	if (r < 0)
		return r;
	fz_note(f, " exit %u hw %#x", run->exit_reason, run->hw_exit_reason);
	f->sh->exits[run->exit_reason < VMON_EXIT_NR ? run->exit_reason : VMON_EXIT_NR]++;
	switch (run->exit_reason) {
	case VMON_EXIT_IO:
		if (run->io.direction == VMON_IO_IN)
			run->io.data = fz_rand(f);
		if (run->io.flags & VMON_IO_STRING) {
			/* not emulated: step over it */
			run->regs.rip += run->io.insn_len ? run->io.insn_len : 1;
			run->regs_dirty = 1;
		}
		break;
	case VMON_EXIT_MMIO:
		if (fz_chance(f, 70)) {
			run->regs.rip += 1 + fz_below(f, run->mmio.insn_len ? run->mmio.insn_len : 6);
			run->regs_dirty = 1;
		}
		break;
	case VMON_EXIT_MSR:
		run->msr.data = fz_rand(f);
		run->msr.error = fz_chance(f, 30);
		break;
	case VMON_EXIT_HYPERCALL:
		run->regs.rax = fz_rand(f);
		run->regs_dirty = fz_chance(f, 50);
		break;
	case VMON_EXIT_FAIL_ENTRY:
		f->sh->fail_kind[run->fail_entry.kind & 7]++;
		if (run->fail_entry.rule && run->fail_entry.rule < FZ_RULES)
			f->sh->rule[run->fail_entry.rule]++;
		else
			unnamed_entry_failure(f, c, run);
		if (strnlen(run->fail_entry.reason, VMON_REASON_LEN) == VMON_REASON_LEN)
			fz_fail(f, FZ_FC_OTHER, "fail_entry.reason not NUL-terminated");
		break;
	case VMON_EXIT_INTERNAL_ERROR:
	case VMON_EXIT_SHUTDOWN:
	case VMON_EXIT_HLT:
	case VMON_EXIT_INTR:
	case VMON_EXIT_IRQ_WINDOW_OPEN:
		break;
	default:
		fz_fail(f, FZ_FC_OTHER, "RUN returned exit reason %u", run->exit_reason);
		break;
	}
	return run->exit_reason;
}

void fz_run_once(struct fz *f, struct fz_vcpu *c, const char *why)
{
	(void)why;
	if (c && c->fd >= 0 && c->run)
		run_once(f, c);
}

void fz_op_guest(struct fz *f)
{
	static const enum vmon_guest_mode modes[] = { VMON_GUEST_REAL, VMON_GUEST_PROT,
						      VMON_GUEST_LONG };
	struct fz_vm *vm;
	struct fz_vcpu *c = fz_pick_vcpu(f, &vm, true);
	enum vmon_guest_mode mode = modes[fz_below(f, 3)];
	struct emit e;
	unsigned int i, n;
	int r;

	if (!c || vm->fd < 0)
		return;
	if (fz_chance(f, 30) || !vm->guest_ok) {
		if (prepare_slots(f, vm))
			return;
		e = (struct emit){ .p = vm->slots[1].map, .cap = CODE_SIZE,
				   .bits = mode == VMON_GUEST_REAL ? 16 :
					   mode == VMON_GUEST_PROT ? 32 : 64 };
		if (fz_chance(f, 10)) {
			while (e.n < 256)
				b(&e, fz_below(f, 256));
		} else {
			for (n = 1 + fz_below(f, 24); n; n--)
				snippet(f, &e);
		}
		b(&e, 0xf4);		/* hlt; jmp back to the hlt */
		b(&e, 0xeb);
		b(&e, 0xfd);
		/* the rest: HLTs or junk, 8 bytes per random number */
		if (fz_chance(f, 50)) {
			memset(e.p + e.n, 0xf4, e.cap - e.n);
		} else {
			for (; e.n + 8 <= e.cap; e.n += 8) {
				uint64_t v = fz_rand(f);

				memcpy(e.p + e.n, &v, 8);
			}
		}
		scrub(f, e.p, e.cap);
		if (f->o->replay) {
			printf("#   code:");
			for (i = 0; i < 48; i++)
				printf(" %02x", e.p[i]);
			printf("\n");
		}
		if (setup_mode(f, vm, c, mode))
			return;
		/* and sometimes a state that breaks a rule */
		if (fz_chance(f, 10)) {
			struct vmon_sregs s;

			if (ioctl(c->fd, VMON_GET_SREGS, &s) == 0) {
				fz_random_sregs(f, &s);
				fz_op(f, "SET_SREGS (guest) cr0 %#llx cr4 %#llx efer %#llx",
				      (unsigned long long)s.cr0, (unsigned long long)s.cr4,
				      (unsigned long long)s.efer);
				fz_ioctl(f, c->fd, VMON_SET_SREGS, (unsigned long)&s,
					 FK_SET_SREGS, 0);
			}
		}
	}
	/* as many draws whatever the RUNs return: one per turn (run_once) */
	for (n = 1 + fz_below(f, 6), i = 0, r = 0; i < n; i++) {
		bool events = fz_chance(f, 10);

		if (r == VMON_EXIT_FAIL_ENTRY || r == VMON_EXIT_SHUTDOWN ||
		    r == VMON_EXIT_INTERNAL_ERROR) {
			fz_rand(f);
			continue;
		}
		if (events)
			fz_op_events(f);
		r = run_once(f, c);
	}
}
