/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * 64-bit guest exception stubs for vectors 0..31, installed in the IDT by
 * test_vm_install_idt().  #GP with guest_gp_skip set counts the fault and
 * skips the 2-byte faulting instruction (RDMSR/WRMSR); any other
 * exception reports its vector on EXC_PORT and halts.
 */
#define EXC_PORT 0x1001

	.text
	.code64

/* vectors that push an error code (SDM 3A Table 6-1) */
.macro exc_stub vec
	.p2align 4
exc_stub_\vec:
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || \
	    (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq $0			/* same frame for every vector */
	.endif
	pushq $\vec
	jmp exc_common
.endm

	.p2align 4
	.globl exc_stubs
exc_stubs:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	exc_stub \v
.endr

exc_common:
	cmpq $13, (%rsp)
	jne 1f
	cmpb $0, guest_gp_skip(%rip)
	je 1f
	incq guest_gp_count(%rip)
	addq $16, %rsp			/* vector and error code */
	addq $2, (%rsp)			/* RIP past RDMSR/WRMSR */
	iretq
1:	movl (%rsp), %eax
	movw $EXC_PORT, %dx
	outl %eax, %dx
2:	hlt
	jmp 2b

	.data
	.globl guest_gp_skip, guest_gp_count
guest_gp_skip:
	.byte 0
	.p2align 3
guest_gp_count:
	.quad 0

	.section .note.GNU-stack,"",@progbits
