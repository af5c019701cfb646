// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Decoder for the MOV forms compilers emit for device access, and the
 * general-register accessors with x86 partial-register semantics.
 * Encoding facts: Intel SDM Vol. 2A, chapter 2 (prefixes, REX, ModRM,
 * SIB, Tables 2-1 to 2-3) and the MOV/MOVZX/MOVSX pages of Vol. 2B.
 *
 * Compiled into libvmon and, through kmod/decode.c, into vmon.ko: it
 * includes only decode.h and shared_env.h.
 */
#include "decode.h"

#define REX_B		0x1
#define REX_X		0x2
#define REX_R		0x4
#define REX_W		0x8

unsigned int vmon_code_size(const struct vmon_sregs *sregs)
{
	if ((sregs->efer & VMON_X86_EFER_LMA) && sregs->cs.l)
		return 8;
	return sregs->cs.db ? 4 : 2;
}

__u64 vmon_ip_mask(unsigned int mode)
{
	return mode == 8 ? ~0ULL : mode == 4 ? 0xffffffffULL : 0xffffULL;
}

/* register numbers as in ModRM/SIB: rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8.. */
static __u64 *gpr_ptr(struct vmon_regs *regs, int reg)
{
	switch (reg) {
	case 0: return &regs->rax;
	case 1: return &regs->rcx;
	case 2: return &regs->rdx;
	case 3: return &regs->rbx;
	case 4: return &regs->rsp;
	case 5: return &regs->rbp;
	case 6: return &regs->rsi;
	case 7: return &regs->rdi;
	}
	return &regs->r8 + (reg - 8);
}

static __u64 gpr(const struct vmon_regs *regs, int reg)
{
	return *gpr_ptr((struct vmon_regs *)regs, reg);
}

static __u64 size_mask(unsigned int bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (bytes * 8)) - 1;
}

/* Without REX, byte registers 4..7 are AH, CH, DH, BH (SDM 2A 3.1.1.1). */
static bool is_high_byte(int reg, unsigned int size, bool rex)
{
	return size == 1 && !rex && reg >= 4 && reg < 8;
}

__u64 vmon_read_gpr(const struct vmon_regs *regs, int reg, unsigned int size, bool rex)
{
	if (is_high_byte(reg, size, rex))
		return (gpr(regs, reg - 4) >> 8) & 0xff;
	return gpr(regs, reg) & size_mask(size);
}

/*
 * 8- and 16-bit writes keep the other bits; 32-bit writes zero-extend
 * into bits 63:32 in 64-bit mode (SDM 1 3.4.1.1) and keep them otherwise.
 */
void vmon_write_gpr(struct vmon_regs *regs, int reg, unsigned int size, bool rex,
		    bool long_mode, __u64 value)
{
	__u64 *p;

	if (is_high_byte(reg, size, rex)) {
		p = gpr_ptr(regs, reg - 4);
		*p = (*p & ~0xff00ULL) | (value & 0xff) << 8;
		return;
	}
	p = gpr_ptr(regs, reg);
	if (size == 8 || (size == 4 && long_mode))
		*p = value & size_mask(size);
	else
		*p = (*p & ~size_mask(size)) | (value & size_mask(size));
}

__u64 vmon_insn_load_value(const struct vmon_insn *insn, __u64 val)
{
	unsigned int bits = insn->mem_bytes * 8;

	val &= size_mask(insn->mem_bytes);
	if (insn->sign_extend && bits < 64 && (val & (1ULL << (bits - 1))))
		val |= ~0ULL << bits;
	return val;
}

struct cursor {
	const __u8 *b;
	unsigned int n;
	unsigned int i;
};

/* little-endian immediate/displacement of size bytes, sign-extended */
static int fetch_signed(struct cursor *c, unsigned int size, __s64 *val)
{
	__u64 v = 0;
	unsigned int k;

	if (c->i + size > c->n || c->i + size > VMON_INSN_MAX)
		return -ENODATA;
	for (k = 0; k < size; k++)
		v |= (__u64)c->b[c->i + k] << (8 * k);
	c->i += size;
	if (size < 8 && (v & (1ULL << (size * 8 - 1))))
		v |= ~size_mask(size);
	*val = (__s64)v;
	return 0;
}

static int fetch_u8(struct cursor *c, __u8 *val)
{
	if (c->i >= c->n || c->i >= VMON_INSN_MAX)
		return -ENODATA;
	*val = c->b[c->i++];
	return 0;
}

/* 16-bit addressing forms (SDM 2A Table 2-1) */
static int decode_modrm16(struct cursor *c, __u8 modrm, const struct vmon_regs *regs,
			  struct vmon_insn *insn, int *def_seg)
{
	static const signed char base16[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };
	static const signed char index16[8] = { 6, 7, 6, 7, -1, -1, -1, -1 };
	unsigned int mod = modrm >> 6, rm = modrm & 7;
	__s64 disp = 0;
	__u64 ea = 0;
	int ret = 0;

	if (mod == 0 && rm == 6) {
		ret = fetch_signed(c, 2, &disp);
	} else {
		ea = gpr(regs, base16[rm]);
		if (index16[rm] >= 0)
			ea += gpr(regs, index16[rm]);
		if (base16[rm] == 5)
			*def_seg = VMON_SEG_SS;	/* BP-based forms use SS */
		if (mod == 1)
			ret = fetch_signed(c, 1, &disp);
		else if (mod == 2)
			ret = fetch_signed(c, 2, &disp);
	}
	insn->ea = ea + disp;
	return ret;
}

/* 32/64-bit addressing forms with SIB and RIP-relative (SDM 2A Tables 2-2, 2-3) */
static int decode_modrm32(struct cursor *c, __u8 modrm, const struct vmon_regs *regs,
			  struct vmon_insn *insn, int *def_seg)
{
	unsigned int mod = modrm >> 6, rm = modrm & 7;
	__u8 rex = insn->rex;
	__s64 disp = 0;
	__u64 ea = 0;
	int base = -1;
	int ret;

	if (rm == 4) {
		__u8 sib;
		int index;

		ret = fetch_u8(c, &sib);
		if (ret)
			return ret;
		index = ((sib >> 3) & 7) | (rex & REX_X ? 8 : 0);
		if (index != 4)		/* RSP cannot be an index: "none" */
			ea += gpr(regs, index) << (sib >> 6);
		if ((sib & 7) == 5 && mod == 0) {
			ret = fetch_signed(c, 4, &disp);
			if (ret)
				return ret;
		} else {
			base = (sib & 7) | (rex & REX_B ? 8 : 0);
		}
	} else if (rm == 5 && mod == 0) {
		ret = fetch_signed(c, 4, &disp);
		if (ret)
			return ret;
		insn->rip_relative = insn->mode == 8;
	} else {
		base = rm | (rex & REX_B ? 8 : 0);
	}

	if (base >= 0) {
		ea += gpr(regs, base);
		if (base == 4 || base == 5)
			*def_seg = VMON_SEG_SS;
	}
	if (mod == 1)
		ret = fetch_signed(c, 1, &disp);
	else if (mod == 2)
		ret = fetch_signed(c, 4, &disp);
	else
		ret = 0;
	insn->ea = ea + disp;
	return ret;
}

static int decode_modrm(struct cursor *c, const struct vmon_regs *regs,
			struct vmon_insn *insn, int *def_seg, __u8 *modrm)
{
	int ret = fetch_u8(c, modrm);

	if (ret)
		return ret;
	if ((*modrm >> 6) == 3)
		return -EINVAL;		/* register operand: cannot be MMIO */
	insn->reg = ((*modrm >> 3) & 7) | (insn->rex & REX_R ? 8 : 0);
	if (insn->ad_bytes == 2)
		return decode_modrm16(c, *modrm, regs, insn, def_seg);
	return decode_modrm32(c, *modrm, regs, insn, def_seg);
}

static int legacy_prefix_seg(__u8 b)
{
	switch (b) {
	case 0x26: return VMON_SEG_ES;
	case 0x2e: return VMON_SEG_CS;
	case 0x36: return VMON_SEG_SS;
	case 0x3e: return VMON_SEG_DS;
	case 0x64: return VMON_SEG_FS;
	case 0x65: return VMON_SEG_GS;
	}
	return -1;
}

static bool is_legacy_prefix(__u8 b)
{
	return b == 0x66 || b == 0x67 || b == 0xf0 || b == 0xf2 || b == 0xf3 ||
	       legacy_prefix_seg(b) >= 0;
}

int vmon_decode_mov(const __u8 *bytes, unsigned int n, unsigned int mode,
		    const struct vmon_regs *regs, struct vmon_insn *insn)
{
	struct cursor c = { .b = bytes, .n = n };
	bool opsize = false, adsize = false;
	int seg_override = -1, def_seg = VMON_SEG_DS;
	__u8 op, modrm = 0;
	__s64 imm;
	int ret;

	if (mode != 2 && mode != 4 && mode != 8)
		return -EINVAL;
	memset(insn, 0, sizeof(*insn));
	insn->mode = mode;

	/* legacy prefixes, then REX, which only counts right before the opcode */
	for (;;) {
		ret = fetch_u8(&c, &op);
		if (ret)
			return ret;
		if (mode == 8 && (op & 0xf0) == 0x40) {
			insn->rex = op;
			continue;
		}
		if (!is_legacy_prefix(op))
			break;
		insn->rex = 0;		/* a REX followed by a prefix is ignored */
		if (op == 0x66)
			opsize = true;
		else if (op == 0x67)
			adsize = true;
		else if (legacy_prefix_seg(op) >= 0)
			seg_override = legacy_prefix_seg(op);
		/* LOCK, REPNE, REP (F0, F2, F3): no effect on MOV */
	}

	if (mode == 8)
		insn->op_bytes = insn->rex & REX_W ? 8 : opsize ? 2 : 4;
	else
		insn->op_bytes = (mode == 4) != opsize ? 4 : 2;
	if (mode == 8)
		insn->ad_bytes = adsize ? 4 : 8;
	else
		insn->ad_bytes = (mode == 4) != adsize ? 4 : 2;

	switch (op) {
	case 0x88: case 0x89: case 0x8a: case 0x8b:
		insn->kind = op & 2 ? VMON_INSN_LOAD : VMON_INSN_STORE_REG;
		if (!(op & 1))
			insn->op_bytes = 1;
		insn->mem_bytes = insn->op_bytes;
		ret = decode_modrm(&c, regs, insn, &def_seg, &modrm);
		break;
	case 0xc6: case 0xc7:
		insn->kind = VMON_INSN_STORE_IMM;
		if (op == 0xc6)
			insn->op_bytes = 1;
		insn->mem_bytes = insn->op_bytes;
		ret = decode_modrm(&c, regs, insn, &def_seg, &modrm);
		if (ret)
			return ret;
		if ((modrm >> 3) & 7)
			return -EOPNOTSUPP;	/* only /0 is MOV */
		insn->reg = -1;
		/* imm8, imm16 or imm32; imm32 is sign-extended in a 64-bit MOV */
		ret = fetch_signed(&c, insn->op_bytes > 4 ? 4 : insn->op_bytes, &imm);
		insn->imm = (__u64)imm & size_mask(insn->op_bytes);
		insn->sign_extend = insn->op_bytes == 8;
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		/* moffs: an offset of the address size, no ModRM */
		insn->kind = op & 2 ? VMON_INSN_STORE_REG : VMON_INSN_LOAD;
		if (!(op & 1))
			insn->op_bytes = 1;
		insn->mem_bytes = insn->op_bytes;
		insn->reg = 0;
		ret = fetch_signed(&c, insn->ad_bytes, &imm);
		insn->ea = (__u64)imm;
		break;
	case 0x0f:
		ret = fetch_u8(&c, &op);
		if (ret)
			return ret;
		if (op != 0xb6 && op != 0xb7 && op != 0xbe && op != 0xbf)
			return -EOPNOTSUPP;
		insn->kind = VMON_INSN_LOAD;
		insn->mem_bytes = op & 1 ? 2 : 1;
		insn->sign_extend = op & 8;
		ret = decode_modrm(&c, regs, insn, &def_seg, &modrm);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (ret)
		return ret;

	insn->len = c.i;
	if (insn->rip_relative)
		insn->ea += regs->rip + insn->len;
	insn->ea &= size_mask(insn->ad_bytes);
	insn->seg = seg_override >= 0 ? seg_override : def_seg;
	return 0;
}
