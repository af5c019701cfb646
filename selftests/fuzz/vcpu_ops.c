// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPU state ioctls with random and boundary arguments: registers,
 * segment and control registers (every kind of invalid guest state),
 * CPUID tables, MSR lists with huge counts and random indices, event
 * injection with random vectors, state dumps of every capacity.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "fuzz.h"

/* MSRs the kernel owns or emulates, and some it does not (api.rst) */
static const uint32_t msr_list[] = {
	0x10, 0x174, 0x175, 0x176, 0x277, 0xc0000080, 0xc0000081, 0xc0000082,
	0xc0000083, 0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102,
	0x1b, 0x8b, 0x179, 0x17a, 0xfe, 0x2ff, 0x250, 0x258, 0x259, 0x268, 0x26f,
	0x200, 0x201, 0x20e, 0x20f, 0x3a, 0x1a0, 0xc0010015, 0xc0010114, 0xc001001f,
	0xc0011029, 0x48, 0x49, 0x1d9, 0x6e0, 0xc0000103, 0x40000000, 0xffffffff, 0,
};

static uint32_t random_msr(struct fz *f)
{
	if (fz_chance(f, 85))
		return msr_list[fz_below(f, sizeof(msr_list) / sizeof(msr_list[0]))];
	return fz_chance(f, 50) ? (uint32_t)fz_boundary(f) : 0xc0000000 + fz_below(f, 0x200);
}

static uint64_t random_msr_value(struct fz *f, uint32_t index)
{
	if (fz_chance(f, 40))
		return fz_boundary(f);
	switch (index) {
	case 0xc0000080: /* EFER: SCE, LME, LMA, NXE, SVME, ... */
		return fz_rand(f) & 0x1d01;
	case 0x277:	 /* PAT: random memory types per byte */
		return fz_rand(f) & 0x0707070707070707ULL;
	case 0x1b:	 /* APIC base */
		return 0xfee00000 | (fz_rand(f) & 0xd00);
	default:
		return fz_rand(f) & (fz_chance(f, 50) ? 0xffffffffULL : 0x00007fffffffffffULL);
	}
}

static const char *bad_str(bool bad)
{
	return bad ? " (bad pointer)" : "";
}

void fz_op_regs(struct fz *f)
{
	struct fz_vcpu *c = fz_pick_vcpu(f, NULL, true);
	struct vmon_regs regs;
	uint64_t *r = (uint64_t *)&regs;
	unsigned int i;
	bool bad;
	void *p;

	if (!c)
		return;
	if (fz_chance(f, 40)) {
		p = fz_argp(f, sizeof(regs), true, &bad);
		fz_op(f, "GET_REGS vcpu fd %d%s", c->fd, bad_str(bad));
		fz_ioctl(f, c->fd, VMON_GET_REGS, (unsigned long)p, FK_GET_REGS, 0);
		return;
	}
	for (i = 0; i < sizeof(regs) / 8; i++)
		r[i] = fz_chance(f, 50) ? fz_below(f, 0x10000) : fz_boundary(f);
	regs.rip = fz_chance(f, 70) ? 0xc000 + fz_below(f, 0x100) : fz_boundary(f);
	/* RFLAGS: bit 1 mostly set; TF, VM, IF, reserved bits at random */
	regs.rflags = fz_chance(f, 60) ? 2 | (fz_rand(f) & 0x3f7fd5) : fz_boundary(f);
	if (f->svm)
		regs.rflags &= ~(1ULL << 17);	/* VM86: ring 3, QEMU aborts (testing.rst) */
	p = fz_argp(f, sizeof(regs), false, &bad);
	fz_put(f, p, &regs, sizeof(regs));
	fz_op(f, "SET_REGS vcpu fd %d rip %#llx rsp %#llx rflags %#llx%s", c->fd,
	      (unsigned long long)regs.rip, (unsigned long long)regs.rsp,
	      (unsigned long long)regs.rflags, bad_str(bad));
	fz_ioctl(f, c->fd, VMON_SET_REGS, (unsigned long)p, FK_SET_REGS, 0);
}

static void random_segment(struct fz *f, struct vmon_segment *s)
{
	switch (fz_below(f, 10)) {
	case 0: s->base = fz_boundary(f); break;
	case 1: s->limit = fz_boundary(f); break;
	case 2: s->selector = fz_rand(f); break;
	case 3: s->type = fz_below(f, fz_chance(f, 90) ? 16 : 256); break;
	case 4: s->present = fz_below(f, fz_chance(f, 90) ? 2 : 256); break;
	case 5: s->dpl = fz_below(f, fz_chance(f, 90) ? 4 : 256); break;
	case 6: s->db = fz_below(f, 2); s->l = fz_below(f, 2); break;
	case 7: s->s = fz_below(f, 2); s->g = fz_below(f, 2); s->avl = fz_below(f, 2); break;
	case 8: s->unusable = fz_below(f, fz_chance(f, 90) ? 2 : 256); break;
	default: s->padding[fz_below(f, 9)] = fz_chance(f, 50) ? 0 : fz_rand(f); break;
	}
}

/* CR0/CR4/EFER bits that name the modes, the reserved ones, and junk */
void fz_random_sregs(struct fz *f, struct vmon_sregs *s)
{
	struct vmon_segment *segs = &s->cs;
	unsigned int n = 1 + fz_below(f, 4);

	while (n--) {
		switch (fz_below(f, 12)) {
		case 0: case 1: case 2:
			random_segment(f, &segs[fz_below(f, 8)]);
			break;
		case 3:
			s->cr0 ^= fz_chance(f, 80) ? 1ULL << fz_below(f, 32) : fz_boundary(f);
			break;
		case 4:
			s->cr4 ^= fz_chance(f, 80) ? 1ULL << fz_below(f, 32) : fz_boundary(f);
			break;
		case 5:
			s->efer ^= fz_chance(f, 80) ? 1ULL << fz_below(f, 16) : fz_boundary(f);
			break;
		case 6:
			s->cr3 ^= fz_chance(f, 60) ? 1ULL << fz_below(f, 64) : fz_boundary(f);
			break;
		case 7:
			s->cr8 = fz_chance(f, 80) ? fz_below(f, 16) : fz_boundary(f);
			s->cr2 = fz_boundary(f);
			break;
		case 8:
			s->gdt.base = fz_boundary(f);
			s->gdt.limit = fz_rand(f);
			break;
		case 9:
			s->idt.base = fz_boundary(f);
			s->idt.limit = fz_rand(f);
			if (fz_chance(f, 10))
				s->idt.padding[fz_below(f, 3)] = fz_rand(f);
			break;
		case 10:
			if (fz_chance(f, 20))
				s->reserved[fz_below(f, 4)] = fz_boundary(f);
			break;
		default:
			/* a whole mode flip: paging or long mode on or off */
			s->cr0 ^= 1ULL << 31;
			if (fz_chance(f, 50))
				s->efer ^= 1ULL << 8 | 1ULL << 10;
			break;
		}
	}
	fz_avoid_emulator_sregs(f, s);
}

/*
 * Keep the state away from what crashes the emulators themselves (not
 * vmon; Documentation/testing.rst, "Fuzzing").
 */
void fz_avoid_emulator_sregs(struct fz *f, struct vmon_sregs *s)
{
	bool long_mode = s->efer & (1ULL << 8) && s->cr0 & (1ULL << 31);

	if (!f->svm)
		return;
	/*
	 * QEMU 7.2 aborts ("invalid tss type", "invalid tss") on an
	 * exception from ring 3 unless TR is present and, outside long
	 * mode, of an available TSS type.
	 */
	if (s->cs.dpl || s->ss.dpl) {
		s->tr.present = 1;
		s->tr.type = long_mode ? 11 : 9;
	}
}

void fz_op_sregs(struct fz *f)
{
	struct fz_vcpu *c = fz_pick_vcpu(f, NULL, true);
	struct vmon_sregs s;
	bool bad;
	void *p;

	if (!c)
		return;
	p = fz_argp(f, sizeof(s), true, &bad);
	fz_op(f, "GET_SREGS vcpu fd %d%s", c->fd, bad_str(bad));
	if (fz_ioctl(f, c->fd, VMON_GET_SREGS, (unsigned long)p, FK_GET_SREGS, 0) || bad ||
	    fz_chance(f, 30))
		return;
	memcpy(&s, p, sizeof(s));
	fz_random_sregs(f, &s);
	p = fz_argp(f, sizeof(s), false, &bad);
	fz_put(f, p, &s, sizeof(s));
	fz_op(f, "SET_SREGS vcpu fd %d cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx cs %#x/%u/dpl%u/l%u/db%u%s",
	      c->fd, (unsigned long long)s.cr0, (unsigned long long)s.cr3,
	      (unsigned long long)s.cr4, (unsigned long long)s.efer, s.cs.selector, s.cs.type,
	      s.cs.dpl, s.cs.l, s.cs.db, bad_str(bad));
	fz_ioctl(f, c->fd, VMON_SET_SREGS, (unsigned long)p, FK_SET_SREGS, 0);
}

void fz_op_cpuid(struct fz *f)
{
	struct fz_vcpu *c = fz_pick_vcpu(f, NULL, true);
	struct vmon_cpuid *cp = (struct vmon_cpuid *)f->buf;
	static const uint32_t leaves[] = { 0, 1, 4, 7, 0xb, 0xd, 0x14, 0x40000000,
					   0x80000000, 0x80000001, 0x80000008, 0x8000000a };
	uint32_t nent, i, room = (65536 - sizeof(*cp)) / sizeof(cp->entries[0]);
	bool bad = false;
	void *p = cp;

	if (!c)
		return;
	nent = fz_chance(f, 85) ? fz_below(f, 300) : fz_boundary(f);
	memset(cp, 0, sizeof(*cp));
	for (i = 0; i < nent && i < room; i++) {
		struct vmon_cpuid_entry *e = &cp->entries[i];

		e->function = fz_chance(f, 80) ? leaves[fz_below(f, 12)] : fz_boundary(f);
		e->index = fz_below(f, 4);
		e->flags = fz_chance(f, 95) ? fz_below(f, 2) : fz_boundary(f);
		e->eax = fz_rand(f);
		e->ebx = fz_rand(f);
		e->ecx = fz_rand(f);
		e->edx = fz_rand(f);
		e->padding = fz_chance(f, 98) ? 0 : fz_rand(f);
	}
	cp->nent = nent;
	cp->padding = fz_chance(f, 97) ? 0 : fz_rand(f);
	if (fz_chance(f, 5)) {
		/* the entries run into the PROT_NONE page */
		p = f->edge + 4096 - sizeof(*cp) - fz_below(f, 3) * sizeof(cp->entries[0]);
		memcpy(p, cp, sizeof(*cp));
		bad = true;
	} else if (fz_chance(f, 3)) {
		p = fz_argp(f, 4096, false, &bad);
	}
	fz_op(f, "SET_CPUID vcpu fd %d nent %u%s", c->fd, nent, bad_str(bad));
	fz_ioctl(f, c->fd, VMON_SET_CPUID, (unsigned long)p, FK_SET_CPUID, 0);
}

void fz_op_msrs(struct fz *f)
{
	struct fz_vcpu *c = fz_pick_vcpu(f, NULL, true);
	struct vmon_msrs *m = (struct vmon_msrs *)f->buf;
	uint32_t n, i, room = (65536 - sizeof(*m)) / sizeof(m->entries[0]);
	bool set = fz_chance(f, 50), bad = false;
	void *p = m;
	long r;

	if (!c)
		return;
	n = fz_chance(f, 85) ? fz_below(f, 70) : fz_boundary(f);
	memset(m, 0, sizeof(*m));
	for (i = 0; i < n && i < room; i++) {
		m->entries[i].index = random_msr(f);
		m->entries[i].reserved = fz_chance(f, 98) ? 0 : fz_rand(f);
		m->entries[i].data = random_msr_value(f, m->entries[i].index);
	}
	m->nmsrs = n;
	m->pad = fz_chance(f, 97) ? 0 : fz_rand(f);
	if (fz_chance(f, 5)) {
		p = f->edge + 4096 - sizeof(*m) - fz_below(f, 3) * sizeof(m->entries[0]);
		memcpy(p, m, sizeof(*m));
		bad = true;
	} else if (fz_chance(f, 3)) {
		p = fz_argp(f, 4096, !set, &bad);
	}
	fz_op(f, "%s vcpu fd %d nmsrs %u first %#x=%#llx%s", set ? "SET_MSRS" : "GET_MSRS",
	      c->fd, n, n ? m->entries[0].index : 0,
	      n ? (unsigned long long)m->entries[0].data : 0ULL, bad_str(bad));
	r = fz_ioctl(f, c->fd, set ? VMON_SET_MSRS : VMON_GET_MSRS, (unsigned long)p,
		     set ? FK_SET_MSRS : FK_GET_MSRS, 0);
	if (r > (long)n)
		fz_fail(f, FZ_FC_OTHER, "%s processed %ld of %u entries", set ? "SET_MSRS" :
			"GET_MSRS", r, n);
}

void fz_op_events(struct fz *f)
{
	struct fz_vcpu *c = fz_pick_vcpu(f, NULL, true);
	struct vmon_interrupt irq = { 0 };
	struct vmon_exception ex = { 0 };
	unsigned long arg;
	bool bad;
	void *p;

	if (!c)
		return;
	switch (fz_below(f, 3)) {
	case 0:
		irq.vector = fz_chance(f, 90) ? fz_below(f, 256) : fz_boundary(f);
		irq.flags = fz_chance(f, 95) ? 0 : fz_boundary(f);
		p = fz_argp(f, sizeof(irq), false, &bad);
		fz_put(f, p, &irq, sizeof(irq));
		fz_op(f, "INTERRUPT vcpu fd %d vector %u flags %#x%s", c->fd, irq.vector,
		      irq.flags, bad_str(bad));
		fz_ioctl(f, c->fd, VMON_INTERRUPT, (unsigned long)p, FK_INTERRUPT, 0);
		break;
	case 1:
		arg = fz_chance(f, 90) ? 0 : fz_boundary(f);
		fz_op(f, "NMI vcpu fd %d arg %#lx", c->fd, arg);
		fz_ioctl(f, c->fd, VMON_NMI, arg, FK_NMI, 0);
		break;
	default:
		ex.vector = fz_chance(f, 90) ? fz_below(f, 33) : fz_rand(f);
		/* mostly the error code the architecture wants, sometimes not */
		ex.has_error_code = (ex.vector == 8 || (ex.vector >= 10 && ex.vector <= 14) ||
				     ex.vector == 17 || ex.vector == 21);
		if (fz_chance(f, 10))
			ex.has_error_code = fz_below(f, 256);
		ex.error_code = fz_boundary(f);
		if (fz_chance(f, 3))
			ex.padding[fz_below(f, 2)] = fz_rand(f);
		if (fz_chance(f, 3))
			ex.reserved[fz_below(f, 2)] = fz_boundary(f);
		p = fz_argp(f, sizeof(ex), false, &bad);
		fz_put(f, p, &ex, sizeof(ex));
		fz_op(f, "INJECT_EXCEPTION vcpu fd %d vector %u ec %u/%#x%s", c->fd, ex.vector,
		      ex.has_error_code, ex.error_code, bad_str(bad));
		fz_ioctl(f, c->fd, VMON_INJECT_EXCEPTION, (unsigned long)p, FK_INJECT, 0);
		break;
	}
}

void fz_op_state_dump(struct fz *f)
{
	struct fz_vcpu *c = fz_pick_vcpu(f, NULL, true);
	struct vmon_state_dump *d = (struct vmon_state_dump *)f->buf;
	uint32_t n;
	bool bad = false;
	void *p = d;
	long r;

	if (!c)
		return;
	n = fz_chance(f, 80) ? fz_below(f, 300) : fz_boundary(f);
	memset(d, 0, sizeof(*d));
	d->nfields = n;
	d->backend = fz_rand(f);		/* output only: any value */
	if (fz_chance(f, 3))
		d->reserved[fz_below(f, 2)] = fz_boundary(f);
	if (fz_chance(f, 5)) {
		p = f->edge + 4096 - sizeof(*d) - fz_below(f, 4) * sizeof(d->fields[0]);
		memcpy(p, d, sizeof(*d));
		bad = true;
	} else if (fz_chance(f, 3)) {
		p = f->ro;
		bad = true;
	}
	fz_op(f, "GET_STATE_DUMP vcpu fd %d nfields %u%s", c->fd, n, bad_str(bad));
	r = fz_ioctl(f, c->fd, VMON_GET_STATE_DUMP, (unsigned long)p, FK_STATE_DUMP, 0);
	if (r == 0 && p == d && (d->nfields > n || d->nfields > 256))
		fz_fail(f, FZ_FC_OTHER, "GET_STATE_DUMP wrote %u fields into room for %u",
			d->nfields, n);
}

/*
 * The local APIC: GET_LAPIC, SET_LAPIC of what GET returned with a
 * register, the base or a reserved field changed, the MP state (a
 * vCPU left waiting for a SIPI blocks VMON_RUN until the run's alarm),
 * and SIGNAL_MSI with mostly well-formed messages.
 */
void fz_op_lapic(struct fz *f)
{
	struct vmon_lapic_state *s = (struct vmon_lapic_state *)(f->buf + 8192);
	struct fz_vm *vm = NULL;
	struct fz_vcpu *c = fz_pick_vcpu(f, &vm, true);
	struct vmon_mp_state mp = { 0 };
	struct vmon_msi msi = { 0 };
	uint32_t v, off;
	bool bad;
	void *p;

	if (!c || !vm)
		return;
	switch (fz_below(f, 4)) {
	case 0:
		p = fz_argp(f, sizeof(*s), true, &bad);
		fz_op(f, "GET_LAPIC vcpu fd %d%s", c->fd, bad_str(bad));
		fz_ioctl(f, c->fd, VMON_GET_LAPIC, (unsigned long)p, FK_GET_LAPIC, 0);
		break;
	case 1:
		memset(s, 0, sizeof(*s));
		ioctl(c->fd, VMON_GET_LAPIC, s);
		off = fz_below(f, VMON_LAPIC_REGS_SIZE / 16) * 16;
		v = fz_chance(f, 50) ? fz_rand(f) : fz_boundary(f);
		memcpy(s->regs + off, &v, sizeof(v));
		if (fz_chance(f, 10))
			s->apic_base = fz_chance(f, 50) ? fz_boundary(f) : s->apic_base ^ (1 << 10);
		if (fz_chance(f, 3))
			s->reserved[fz_below(f, 5)] = fz_boundary(f);
		if (fz_chance(f, 3))
			s->flags = fz_boundary(f);
		s->tsc_deadline = fz_chance(f, 90) ? 0 : fz_boundary(f);
		p = fz_argp(f, sizeof(*s), false, &bad);
		if (!bad)
			p = s;
		fz_op(f, "SET_LAPIC vcpu fd %d reg %#x = %#x base %#llx%s", c->fd, off, v,
		      (unsigned long long)s->apic_base, bad_str(bad));
		fz_ioctl(f, c->fd, VMON_SET_LAPIC, (unsigned long)p, FK_SET_LAPIC, 0);
		break;
	case 2:
		mp.state = fz_chance(f, 90) ? fz_below(f, 3) : fz_boundary(f);
		if (fz_chance(f, 3))
			mp.padding = fz_boundary(f);
		p = fz_argp(f, sizeof(mp), false, &bad);
		fz_put(f, p, &mp, sizeof(mp));
		v = fz_chance(f, 50);
		fz_op(f, "%s_MP_STATE vcpu fd %d state %u%s", v ? "SET" : "GET", c->fd,
		      mp.state, bad_str(bad));
		fz_ioctl(f, c->fd, v ? VMON_SET_MP_STATE : VMON_GET_MP_STATE, (unsigned long)p,
			 FK_MP_STATE, 0);
		break;
	default:
		msi.address = 0xfee00000ULL | fz_below(f, 256) << 12 | fz_below(f, 2) << 2;
		if (fz_chance(f, 10))
			msi.address = fz_boundary(f);
		msi.data = fz_below(f, 256) | (fz_chance(f, 70) ? 0 : fz_below(f, 8)) << 8 |
			   fz_below(f, 4) << 14;
		if (fz_chance(f, 5))
			msi.data = fz_boundary(f);
		if (fz_chance(f, 3))
			msi.reserved[fz_below(f, 2)] = fz_boundary(f);
		p = fz_argp(f, sizeof(msi), false, &bad);
		fz_put(f, p, &msi, sizeof(msi));
		fz_op(f, "SIGNAL_MSI vm fd %d address %#llx data %#x%s", vm->fd,
		      (unsigned long long)msi.address, msi.data, bad_str(bad));
		fz_ioctl(f, vm->fd, VMON_SIGNAL_MSI, (unsigned long)p, FK_SIGNAL_MSI, 0);
		break;
	}
}
