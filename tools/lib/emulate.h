/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvmon internals of the MMIO/string-I/O emulator, exposed for the
 * host-only unit tests in tools/lib/test/.  Not part of the library API.
 */
#ifndef LIBVMON_EMULATE_H
#define LIBVMON_EMULATE_H

#include "libvmon.h"

#define VMON_INSN_MAX	15

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

/* decode bytes[0..n) at regs->rip; -EOPNOTSUPP if not a MOV form we know */
int vmon_decode_mov(const __u8 *bytes, unsigned int n, unsigned int mode,
		    const struct vmon_regs *regs, struct vmon_insn *insn);

/* general registers with x86 partial-register semantics */
__u64 vmon_read_gpr(const struct vmon_regs *regs, int reg, unsigned int size, bool rex);
void vmon_write_gpr(struct vmon_regs *regs, int reg, unsigned int size, bool rex,
		    bool long_mode, __u64 value);

/* the bodies of vmon_emulate_mmio / vmon_emulate_string_io, given sregs */
int vmon_emulate_mmio_sregs(struct vmon_cpu *cpu, const struct vmon_sregs *sregs,
			    vmon_mmio_access_fn access, void *opaque);
int vmon_emulate_string_io_sregs(struct vmon_cpu *cpu, const struct vmon_sregs *sregs,
				 vmon_pio_access_fn io, void *opaque);

#endif /* LIBVMON_EMULATE_H */
