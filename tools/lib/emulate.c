// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * MMIO and string-I/O emulation in userspace (as NVMM does it): a bug
 * here can only hurt the guest.  The decoder is in decode.c.
 */
#include <errno.h>
#include <string.h>

#include "emulate.h"
#include "gva.h"

#define X86_EFLAGS_DF	(1ULL << 10)

static int read_gpa(void *opaque, __u64 gpa, void *buf, unsigned int len)
{
	void *hva = libvmon_gpa_to_hva(opaque, gpa, len);

	if (!hva)
		return -EFAULT;
	memcpy(buf, hva, len);
	return 0;
}

int libvmon_gva_to_gpa(struct vmon_cpu *cpu, const struct vmon_sregs *sregs,
		    __u64 gva, bool write, __u64 *gpa)
{
	return libvmon_walk_gva(sregs, gva, write, read_gpa, cpu->vm, gpa);
}

static const struct vmon_segment *seg_reg(const struct vmon_sregs *sregs, int seg)
{
	switch (seg) {
	case VMON_SEG_ES: return &sregs->es;
	case VMON_SEG_CS: return &sregs->cs;
	case VMON_SEG_SS: return &sregs->ss;
	case VMON_SEG_FS: return &sregs->fs;
	case VMON_SEG_GS: return &sregs->gs;
	}
	return &sregs->ds;
}

/* In 64-bit mode only FS and GS have a base (SDM 3A 3.4.4). */
static __u64 seg_base(const struct vmon_sregs *sregs, unsigned int mode, int seg)
{
	if (mode == 8 && seg != VMON_SEG_FS && seg != VMON_SEG_GS)
		return 0;
	return seg_reg(sregs, seg)->base;
}

/* Copy len bytes between buf and guest-virtual gva, page by page. */
static int copy_guest(struct vmon_cpu *cpu, const struct vmon_sregs *sregs,
		      __u64 gva, void *buf, unsigned int len, bool write)
{
	while (len) {
		unsigned int chunk;
		__u64 gpa;
		void *hva;
		int ret;

		ret = libvmon_gva_to_gpa(cpu, sregs, gva, write, &gpa);
		if (ret)
			return ret;
		chunk = 4096 - (gpa & 4095);
		if (chunk > len)
			chunk = len;
		hva = libvmon_gpa_to_hva(cpu->vm, gpa, chunk);
		if (!hva)
			return -EFAULT;	/* not RAM */
		if (write)
			memcpy(hva, buf, chunk);
		else
			memcpy(buf, hva, chunk);
		buf = (char *)buf + chunk;
		gva += chunk;
		len -= chunk;
	}
	return 0;
}

/* Fetch up to 15 instruction bytes at CS:RIP; returns how many were readable. */
static int fetch_insn(struct vmon_cpu *cpu, const struct vmon_sregs *sregs,
		      unsigned int mode, __u8 *buf)
{
	__u64 gva = seg_base(sregs, mode, VMON_SEG_CS) +
		    (cpu->run->regs.rip & libvmon_ip_mask(mode));
	unsigned int got = 0;

	if (mode != 8)
		gva &= 0xffffffffULL;
	while (got < VMON_INSN_MAX) {
		unsigned int chunk = 4096 - ((gva + got) & 4095);

		if (chunk > VMON_INSN_MAX - got)
			chunk = VMON_INSN_MAX - got;
		if (copy_guest(cpu, sregs, gva + got, buf + got, chunk, false))
			break;
		got += chunk;
	}
	return got ? (int)got : -EFAULT;
}

/*
 * An exit the kernel decoded (VMON_MMIO_DECODED): RIP is past the
 * instruction already; a store's value is in run->mmio.data, a load's
 * goes there and the next VMON_RUN writes it to the register.  No
 * ioctl, no page walk.
 */
static int emulate_decoded(struct vmon_run *run, vmon_mmio_access_fn access, void *opaque)
{
	unsigned int len = run->mmio.len;
	__u64 val;
	int ret;

	if (len != 1 && len != 2 && len != 4 && len != 8)
		return -EINVAL;
	if (run->mmio.flags & VMON_MMIO_WRITE) {
		val = run->mmio.data;
		return access(opaque, run->mmio.gpa, &val, len, true);
	}
	val = 0;
	ret = access(opaque, run->mmio.gpa, &val, len, false);
	if (!ret)
		run->mmio.data = val;
	return ret;
}

int libvmon_emulate_mmio_sregs(struct vmon_cpu *cpu, const struct vmon_sregs *sregs,
			    vmon_mmio_access_fn access, void *opaque)
{
	struct vmon_run *run = cpu->run;
	unsigned int mode = libvmon_code_size(sregs);
	bool is_write = run->mmio.flags & VMON_MMIO_WRITE;
	__u8 buf[VMON_INSN_MAX];
	struct vmon_insn insn;
	__u64 val = 0;
	int n, ret;

	if (run->exit_reason != VMON_EXIT_MMIO)
		return -EINVAL;
	if (run->mmio.flags & VMON_MMIO_DECODED)
		return emulate_decoded(run, access, opaque);
	if (run->mmio.insn_len) {
		n = run->mmio.insn_len > VMON_INSN_MAX ? VMON_INSN_MAX : run->mmio.insn_len;
		memcpy(buf, run->mmio.insn, n);
	} else {
		n = fetch_insn(cpu, sregs, mode, buf);
		if (n < 0)
			return n;
	}
	ret = libvmon_decode_mov(buf, n, mode, &run->regs, &insn);
	if (ret)
		return ret;
	/* the decoded direction must match what the hardware reported */
	if (is_write != (insn.kind != VMON_INSN_LOAD))
		return -EINVAL;

	switch (insn.kind) {
	case VMON_INSN_STORE_REG:
		val = libvmon_read_gpr(&run->regs, insn.reg, insn.mem_bytes, insn.rex);
		ret = access(opaque, run->mmio.gpa, &val, insn.mem_bytes, true);
		break;
	case VMON_INSN_STORE_IMM:
		val = insn.imm;
		ret = access(opaque, run->mmio.gpa, &val, insn.mem_bytes, true);
		break;
	case VMON_INSN_LOAD:
		ret = access(opaque, run->mmio.gpa, &val, insn.mem_bytes, false);
		if (ret)
			break;
		libvmon_write_gpr(&run->regs, insn.reg, insn.op_bytes, insn.rex,
			       mode == 8, libvmon_insn_load_value(&insn, val));
		break;
	}
	if (ret)
		return ret;
	run->regs.rip = (run->regs.rip + insn.len) & libvmon_ip_mask(mode);
	run->regs_dirty = 1;
	return 0;
}

int libvmon_emulate_mmio(struct vmon_cpu *cpu, vmon_mmio_access_fn access, void *opaque)
{
	struct vmon_run *run = cpu->run;
	struct vmon_sregs sregs;
	int ret;

	if (run->exit_reason == VMON_EXIT_MMIO && (run->mmio.flags & VMON_MMIO_DECODED))
		return emulate_decoded(run, access, opaque);
	ret = libvmon_get_sregs(cpu, &sregs);
	if (ret)
		return ret;
	return libvmon_emulate_mmio_sregs(cpu, &sregs, access, opaque);
}

/* Update an address/count register at address size ad (SDM 2A 3.3.7). */
static __u64 update_ad(__u64 old, __u64 new, unsigned int ad)
{
	if (ad == 2)
		return (old & ~0xffffULL) | (new & 0xffff);
	if (ad == 4)
		return new & 0xffffffffULL;
	return new;
}

int libvmon_emulate_string_io_sregs(struct vmon_cpu *cpu, const struct vmon_sregs *sregs,
				 vmon_pio_access_fn io, void *opaque)
{
	struct vmon_run *run = cpu->run;
	struct vmon_regs *regs = &run->regs;
	unsigned int mode = libvmon_code_size(sregs);
	unsigned int size = run->io.size, ad = run->io.addr_size;
	bool in = run->io.direction == VMON_IO_IN;
	__u64 amask, count, base;
	int seg, ret = 0;

	if (run->exit_reason != VMON_EXIT_IO || !(run->io.flags & VMON_IO_STRING))
		return -EINVAL;
	if ((size != 1 && size != 2 && size != 4) || (ad != 2 && ad != 4 && ad != 8))
		return -EINVAL;
	amask = ad == 8 ? ~0ULL : (1ULL << (ad * 8)) - 1;
	count = run->io.flags & VMON_IO_REP ? regs->rcx & amask : 1;
	/* INS always writes ES:rDI; OUTS reads seg:rSI (override allowed) */
	seg = in ? VMON_SEG_ES : run->io.seg;
	base = seg_base(sregs, mode, seg);

	for (; count; count--) {
		__u64 *idx = in ? &regs->rdi : &regs->rsi;
		__u64 gva = base + (*idx & amask);
		__u8 data[4];

		if (mode != 8)
			gva &= 0xffffffffULL;
		if (in) {
			ret = io(opaque, run->io.port, data, size, true);
			if (!ret)
				ret = copy_guest(cpu, sregs, gva, data, size, true);
		} else {
			ret = copy_guest(cpu, sregs, gva, data, size, false);
			if (!ret)
				ret = io(opaque, run->io.port, data, size, false);
		}
		if (ret)
			break;
		if (regs->rflags & X86_EFLAGS_DF)
			*idx = update_ad(*idx, *idx - size, ad);
		else
			*idx = update_ad(*idx, *idx + size, ad);
		if (run->io.flags & VMON_IO_REP)
			regs->rcx = update_ad(regs->rcx, regs->rcx - 1, ad);
	}
	/* on error the guest resumes at the same instruction with the progress made */
	if (!ret)
		regs->rip = (regs->rip + run->io.insn_len) & libvmon_ip_mask(mode);
	run->regs_dirty = 1;
	return ret;
}

int libvmon_emulate_string_io(struct vmon_cpu *cpu, vmon_pio_access_fn io, void *opaque)
{
	struct vmon_sregs sregs;
	int ret = libvmon_get_sregs(cpu, &sregs);

	if (ret)
		return ret;
	return libvmon_emulate_string_io_sregs(cpu, &sregs, io, opaque);
}
