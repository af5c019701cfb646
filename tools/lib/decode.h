/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The MOV decoder (decode.c), shared by libvmon's MMIO emulator and the
 * kernel's (kmod/emulate.c): one source, compiled into both.
 */
#ifndef VMON_DECODE_H
#define VMON_DECODE_H

#include "shared_env.h"

#define VMON_INSN_MAX	15	/* SDM 2A 2.3.11: the longest instruction */

/* what a decoded MOV-family instruction does */
enum vmon_insn_kind {
	VMON_INSN_STORE_REG,	/* 88, 89, A2, A3: memory <- register */
	VMON_INSN_STORE_IMM,	/* C6, C7: memory <- immediate */
	VMON_INSN_LOAD,		/* 8A, 8B, A0, A1, 0F B6/B7/BE/BF: register <- memory */
};

struct vmon_insn {
	enum vmon_insn_kind kind;
	unsigned int len;	/* total length in bytes */
	unsigned int mode;	/* code size: 2, 4 or 8 bytes */
	unsigned int op_bytes;	/* register / destination size */
	unsigned int ad_bytes;	/* address size */
	unsigned int mem_bytes;	/* size of the memory access */
	bool sign_extend;	/* MOVSX (or C7 imm32 in a 64-bit op) */
	__u8 rex;		/* 0 if none */
	int reg;		/* register operand number, 0..15 */
	int seg;		/* enum vmon_seg of the memory operand */
	bool rip_relative;
	__u64 ea;		/* effective address (offset, masked to ad_bytes) */
	__u64 imm;
};

/* code size of the vCPU from CS and EFER: 2, 4 or 8 */
unsigned int vmon_code_size(const struct vmon_sregs *sregs);
/* the bits of RIP an instruction pointer of that code size keeps */
__u64 vmon_ip_mask(unsigned int mode);

/* decode bytes[0..n) at regs->rip; -EOPNOTSUPP if not a MOV form we know */
int vmon_decode_mov(const __u8 *bytes, unsigned int n, unsigned int mode,
		    const struct vmon_regs *regs, struct vmon_insn *insn);

/*
 * The value a load puts in its destination register: the access's
 * value, sign-extended from mem_bytes for MOVSX.
 */
__u64 vmon_insn_load_value(const struct vmon_insn *insn, __u64 val);

/* general registers with x86 partial-register semantics */
__u64 vmon_read_gpr(const struct vmon_regs *regs, int reg, unsigned int size, bool rex);
void vmon_write_gpr(struct vmon_regs *regs, int reg, unsigned int size, bool rex,
		    bool long_mode, __u64 value);

#endif /* VMON_DECODE_H */
