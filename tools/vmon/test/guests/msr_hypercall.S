/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Long mode: RDMSR of an MSR nobody owns must raise #GP(0), and a
 * hypercall must return -ENOSYS (-38) in RAX.  A one-entry IDT catches
 * the #GP.  Exit value 0x10 (status 33) on success; 0x11 (status 35) if
 * the hypercall result is wrong; 0x12 (status 37) if RDMSR did not fault.
 */
#define SEL_CODE64	0x18	/* libvmon's GDT */

	.code64
	.globl _start
_start:
	/* IDT gate 13 (#GP): 64-bit interrupt gate to gp_handler (SDM 3A 6.14.1) */
	leaq	idt(%rip), %rdi
	leaq	gp_handler(%rip), %rax
	movw	%ax, 13 * 16(%rdi)
	movw	$SEL_CODE64, 13 * 16 + 2(%rdi)
	movw	$0x8e00, 13 * 16 + 4(%rdi)	/* present, DPL 0, type 0xE */
	shrq	$16, %rax
	movw	%ax, 13 * 16 + 6(%rdi)
	shrq	$16, %rax
	movl	%eax, 13 * 16 + 8(%rdi)
	lidt	idtr(%rip)

	movl	$0x40001234, %ecx		/* no such MSR */
	rdmsr
	movb	$0x12, %al			/* it did not fault */
	jmp	out

gp_handler:
	addq	$8, %rsp			/* the error code */
	/* VMMCALL on AMD, VMCALL on Intel: ask CPUID who we run on */
	xorl	%eax, %eax
	cpuid
	movq	$99, %rax
	cmpl	$0x68747541, %ebx		/* "Auth" */
	jne	1f
	vmmcall
	jmp	2f
1:	vmcall
2:	cmpq	$-38, %rax
	movb	$0x10, %al
	je	out
	movb	$0x11, %al
out:	movw	$0xf4, %dx
	outb	%al, %dx
	hlt

	.balign	16
idtr:	.word	16 * 14 - 1
	.quad	idt
	.balign	16
idt:	.fill	16 * 14, 1, 0
