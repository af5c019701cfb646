// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of the MOV decoder and the partial-register accessors. */
#include <errno.h>

#include "kselftest_harness.h"
#include "emulate.h"

static struct vmon_regs test_regs(void)
{
	struct vmon_regs r = {
		.rax = 0x1111111111111111ULL, .rbx = 0x2000, .rcx = 0x10,
		.rdx = 0x4444, .rsi = 0x300, .rdi = 0x400, .rsp = 0x8000,
		.rbp = 0x9000, .r13 = 0xd000, .rip = 0x401000,
	};
	return r;
}

#define DECODE(mode, ...) ({						\
	static const __u8 b[] = { __VA_ARGS__ };			\
	libvmon_decode_mov(b, sizeof(b), mode, &regs, &insn);		\
})

TEST(long_mode_modrm_forms)
{
	struct vmon_regs regs = test_regs();
	struct vmon_insn insn;

	/* mov %eax,(%rbx) */
	ASSERT_EQ(0, DECODE(8, 0x89, 0x03));
	EXPECT_EQ(2, insn.len);
	EXPECT_EQ(VMON_INSN_STORE_REG, insn.kind);
	EXPECT_EQ(4, insn.mem_bytes);
	EXPECT_EQ(0, insn.reg);
	EXPECT_EQ(0x2000, insn.ea);
	EXPECT_EQ(VMON_SEG_DS, insn.seg);

	/* mov 0x12(%rbx,%rcx,4),%r9d */
	ASSERT_EQ(0, DECODE(8, 0x44, 0x8b, 0x4c, 0x8b, 0x12));
	EXPECT_EQ(5, insn.len);
	EXPECT_EQ(VMON_INSN_LOAD, insn.kind);
	EXPECT_EQ(9, insn.reg);
	EXPECT_EQ(4, insn.op_bytes);
	EXPECT_EQ(0x2000 + 0x10 * 4 + 0x12, insn.ea);

	/* mov -0x10(%rip),%rax: RIP-relative from the next instruction */
	ASSERT_EQ(0, DECODE(8, 0x48, 0x8b, 0x05, 0xf0, 0xff, 0xff, 0xff));
	EXPECT_EQ(7, insn.len);
	EXPECT_EQ(8, insn.op_bytes);
	EXPECT_TRUE(insn.rip_relative);
	EXPECT_EQ(0x401000 + 7 - 0x10, insn.ea);

	/* mov 0x8(%r13),%eax: r13 as base uses DS, not SS */
	ASSERT_EQ(0, DECODE(8, 0x41, 0x8b, 0x45, 0x08));
	EXPECT_EQ(0xd008, insn.ea);
	EXPECT_EQ(VMON_SEG_DS, insn.seg);
	/* mov 0x8(%rbp),%eax uses SS */
	ASSERT_EQ(0, DECODE(8, 0x8b, 0x45, 0x08));
	EXPECT_EQ(0x9008, insn.ea);
	EXPECT_EQ(VMON_SEG_SS, insn.seg);

	/* mov %fs:0x28,%rax (SIB without base and index) */
	ASSERT_EQ(0, DECODE(8, 0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0));
	EXPECT_EQ(9, insn.len);
	EXPECT_EQ(0x28, insn.ea);
	EXPECT_EQ(VMON_SEG_FS, insn.seg);

	/* addr32 mov (%ebx),%eax: 32-bit address size in 64-bit mode */
	regs.rbx = 0x100002000ULL;
	ASSERT_EQ(0, DECODE(8, 0x67, 0x8b, 0x03));
	EXPECT_EQ(4, insn.ad_bytes);
	EXPECT_EQ(0x2000, insn.ea);
}

TEST(long_mode_immediates_and_moffs)
{
	struct vmon_regs regs = test_regs();
	struct vmon_insn insn;

	/* movb $0x5a,0x1000 */
	ASSERT_EQ(0, DECODE(8, 0xc6, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00, 0x5a));
	EXPECT_EQ(8, insn.len);
	EXPECT_EQ(VMON_INSN_STORE_IMM, insn.kind);
	EXPECT_EQ(1, insn.mem_bytes);
	EXPECT_EQ(0x5a, insn.imm);
	EXPECT_EQ(0x1000, insn.ea);

	/* movq $-1,(%rax): imm32 sign-extended to 64 bits */
	ASSERT_EQ(0, DECODE(8, 0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff));
	EXPECT_EQ(7, insn.len);
	EXPECT_EQ(8, insn.mem_bytes);
	EXPECT_EQ(~0ULL, insn.imm);

	/* movw $0x1234,0x10(%rdi) */
	ASSERT_EQ(0, DECODE(8, 0x66, 0xc7, 0x47, 0x10, 0x34, 0x12));
	EXPECT_EQ(6, insn.len);
	EXPECT_EQ(2, insn.mem_bytes);
	EXPECT_EQ(0x1234, insn.imm);
	EXPECT_EQ(0x410, insn.ea);

	/* movabs 0xfee00000,%rax: 64-bit moffs */
	ASSERT_EQ(0, DECODE(8, 0x48, 0xa1, 0x00, 0x00, 0xe0, 0xfe, 0, 0, 0, 0));
	EXPECT_EQ(10, insn.len);
	EXPECT_EQ(VMON_INSN_LOAD, insn.kind);
	EXPECT_EQ(0xfee00000, insn.ea);
	EXPECT_EQ(8, insn.mem_bytes);

	/* C7 /1 is not MOV */
	EXPECT_EQ(-EOPNOTSUPP, DECODE(8, 0xc7, 0x08, 0, 0, 0, 0));
}

TEST(movzx_movsx)
{
	struct vmon_regs regs = test_regs();
	struct vmon_insn insn;

	/* movzbl (%rbx),%eax */
	ASSERT_EQ(0, DECODE(8, 0x0f, 0xb6, 0x03));
	EXPECT_EQ(3, insn.len);
	EXPECT_EQ(1, insn.mem_bytes);
	EXPECT_EQ(4, insn.op_bytes);
	EXPECT_FALSE(insn.sign_extend);
	/* movswq (%rbx),%r8 */
	ASSERT_EQ(0, DECODE(8, 0x4c, 0x0f, 0xbf, 0x03));
	EXPECT_EQ(4, insn.len);
	EXPECT_EQ(2, insn.mem_bytes);
	EXPECT_EQ(8, insn.op_bytes);
	EXPECT_EQ(8, insn.reg);
	EXPECT_TRUE(insn.sign_extend);
	/* 0F AF (imul) is not a MOV */
	EXPECT_EQ(-EOPNOTSUPP, DECODE(8, 0x0f, 0xaf, 0x03));
}

/* what a load leaves in its register: the access's bits, extended */
TEST(load_value)
{
	struct vmon_regs regs = test_regs();
	struct vmon_insn insn;

	/* movsbl (%rbx),%eax: the sign of byte 0x80, and nothing above the byte */
	ASSERT_EQ(0, DECODE(8, 0x0f, 0xbe, 0x03));
	EXPECT_EQ(0xffffffffffffff80ULL, libvmon_insn_load_value(&insn, 0x1280));
	EXPECT_EQ(0x7fULL, libvmon_insn_load_value(&insn, 0x7f));
	/* movzwl (%rbx),%eax: zero-extended, bits above the word dropped */
	ASSERT_EQ(0, DECODE(8, 0x0f, 0xb7, 0x03));
	EXPECT_EQ(0x8000ULL, libvmon_insn_load_value(&insn, 0xffff8000ULL));
	/* mov (%rbx),%rax: all 64 bits */
	ASSERT_EQ(0, DECODE(8, 0x48, 0x8b, 0x03));
	EXPECT_EQ(0x8000000000000001ULL, libvmon_insn_load_value(&insn, 0x8000000000000001ULL));
}

/* the instruction pointer wraps at the code size */
TEST(ip_mask)
{
	EXPECT_EQ(0xffffULL, libvmon_ip_mask(2));
	EXPECT_EQ(0xffffffffULL, libvmon_ip_mask(4));
	EXPECT_EQ(~0ULL, libvmon_ip_mask(8));
}

TEST(prefixes)
{
	struct vmon_regs regs = test_regs();
	struct vmon_insn insn;

	/* mov %ax,(%rbx) */
	ASSERT_EQ(0, DECODE(8, 0x66, 0x89, 0x03));
	EXPECT_EQ(2, insn.op_bytes);
	/* a REX before a legacy prefix is ignored: still 16-bit */
	ASSERT_EQ(0, DECODE(8, 0x48, 0x66, 0x89, 0x03));
	EXPECT_EQ(2, insn.op_bytes);
	EXPECT_EQ(0, insn.rex);
	EXPECT_EQ(4, insn.len);
	/* REX.W wins over 66 */
	ASSERT_EQ(0, DECODE(8, 0x66, 0x48, 0x89, 0x03));
	EXPECT_EQ(8, insn.op_bytes);
	/* rep and lock are ignored; es override */
	ASSERT_EQ(0, DECODE(8, 0xf3, 0x26, 0x88, 0x03));
	EXPECT_EQ(1, insn.op_bytes);
	EXPECT_EQ(VMON_SEG_ES, insn.seg);
	/* 40-4F are INC/DEC, not REX, in 32-bit mode */
	EXPECT_EQ(-EOPNOTSUPP, DECODE(4, 0x48, 0x89, 0x03));
}

TEST(bit16_and_bit32_addressing)
{
	struct vmon_regs regs = test_regs();
	struct vmon_insn insn;

	/* 16-bit: mov 0x2(%bx),%ax */
	ASSERT_EQ(0, DECODE(2, 0x8b, 0x47, 0x02));
	EXPECT_EQ(3, insn.len);
	EXPECT_EQ(2, insn.op_bytes);
	EXPECT_EQ(0x2002, insn.ea);
	/* mov -0x2(%bp),%al: SS */
	ASSERT_EQ(0, DECODE(2, 0x8a, 0x46, 0xfe));
	EXPECT_EQ(0x8ffe, insn.ea);
	EXPECT_EQ(VMON_SEG_SS, insn.seg);
	/* mov 0x1234,%bx (mod 0 rm 6: disp16) */
	ASSERT_EQ(0, DECODE(2, 0x8b, 0x1e, 0x34, 0x12));
	EXPECT_EQ(4, insn.len);
	EXPECT_EQ(0x1234, insn.ea);
	EXPECT_EQ(3, insn.reg);
	/* mov (%bx,%si),%eax with 66 */
	ASSERT_EQ(0, DECODE(2, 0x66, 0x8b, 0x00));
	EXPECT_EQ(4, insn.op_bytes);
	EXPECT_EQ(0x2300, insn.ea);
	/* 16-bit addresses wrap at 64 KiB */
	regs.rbx = 0xffff;
	ASSERT_EQ(0, DECODE(2, 0x8b, 0x47, 0x02));
	EXPECT_EQ(1, insn.ea);
	regs = test_regs();
	/* mov 0x1234,%al (moffs16) */
	ASSERT_EQ(0, DECODE(2, 0xa0, 0x34, 0x12));
	EXPECT_EQ(3, insn.len);
	EXPECT_EQ(0x1234, insn.ea);

	/* 32-bit: mov 0xc0000000,%eax is absolute, not RIP-relative */
	ASSERT_EQ(0, DECODE(4, 0x8b, 0x05, 0x00, 0x00, 0x00, 0xc0));
	EXPECT_EQ(6, insn.len);
	EXPECT_FALSE(insn.rip_relative);
	EXPECT_EQ(0xc0000000, insn.ea);
	/* mov %eax,(%esp): SIB, SS */
	ASSERT_EQ(0, DECODE(4, 0x89, 0x04, 0x24));
	EXPECT_EQ(3, insn.len);
	EXPECT_EQ(0x8000, insn.ea);
	EXPECT_EQ(VMON_SEG_SS, insn.seg);
	/* addr16 in 32-bit mode: mov (%bx),%eax */
	ASSERT_EQ(0, DECODE(4, 0x67, 0x8b, 0x07));
	EXPECT_EQ(2, insn.ad_bytes);
	EXPECT_EQ(0x2000, insn.ea);
	/* mov 0x12345678(,%ecx,8),%edx: SIB, no base, disp32 */
	ASSERT_EQ(0, DECODE(4, 0x8b, 0x14, 0xcd, 0x78, 0x56, 0x34, 0x12));
	EXPECT_EQ(7, insn.len);
	EXPECT_EQ(0x12345678 + 0x80, insn.ea);
}

TEST(malformed)
{
	struct vmon_regs regs = test_regs();
	struct vmon_insn insn;

	EXPECT_EQ(-EOPNOTSUPP, DECODE(8, 0x01, 0x03));	/* add */
	EXPECT_EQ(-EINVAL, DECODE(8, 0x89, 0xc0));		/* register operand */
	EXPECT_EQ(-ENODATA, DECODE(8, 0x8b, 0x05, 0x00));	/* truncated disp32 */
	EXPECT_EQ(-ENODATA, DECODE(8, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
				   0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x89, 0x03));
}

TEST(partial_register_writes)
{
	struct vmon_regs r = test_regs();

	r.rax = 0x1122334455667788ULL;
	libvmon_write_gpr(&r, 4, 1, false, true, 0xab);		/* AH */
	EXPECT_EQ(0x112233445566ab88ULL, r.rax);
	EXPECT_EQ(0xab, libvmon_read_gpr(&r, 4, 1, false));
	libvmon_write_gpr(&r, 4, 1, true, true, 0xcd);		/* SPL */
	EXPECT_EQ(0x80cdULL, r.rsp);
	EXPECT_EQ(0xcd, libvmon_read_gpr(&r, 4, 1, true));
	libvmon_write_gpr(&r, 0, 2, false, true, 0xbeef);	/* AX keeps 63:16 */
	EXPECT_EQ(0x112233445566beefULL, r.rax);
	libvmon_write_gpr(&r, 0, 4, false, false, 0xcafef00d);	/* EAX, 32-bit mode */
	EXPECT_EQ(0x11223344cafef00dULL, r.rax);
	libvmon_write_gpr(&r, 0, 4, false, true, 0xcafef00d);	/* EAX, 64-bit: zero-extend */
	EXPECT_EQ(0xcafef00dULL, r.rax);
	r.r9 = ~0ULL;
	libvmon_write_gpr(&r, 9, 1, true, true, 0x00);		/* R9B */
	EXPECT_EQ(0xffffffffffffff00ULL, r.r9);
	libvmon_write_gpr(&r, 15, 8, true, true, 0x1234);
	EXPECT_EQ(0x1234, r.r15);
	EXPECT_EQ(0x34, libvmon_read_gpr(&r, 15, 1, true));
	EXPECT_EQ(0x1234, libvmon_read_gpr(&r, 15, 2, true));
}

TEST_HARNESS_MAIN
