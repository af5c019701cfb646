/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Long mode: MMIO to an address no device claims (inside the identity
 * map, above RAM).  Reads must give all ones, writes must be dropped.
 * Exit value 0x10 (status 33) on success, 0x11 (status 35) otherwise.
 */
	.code64
	.globl _start
_start:
	movl	$0xfed00000, %ebx
	movl	$0x12345678, (%rbx)		/* dropped */
	movl	(%rbx), %eax			/* 0xffffffff */
	cmpl	$0xffffffff, %eax
	jne	fail
	movq	8(%rbx), %rcx			/* 8 bytes of ones */
	cmpq	$-1, %rcx
	jne	fail
	movzbl	3(%rbx), %edx			/* 0xff */
	cmpl	$0xff, %edx
	jne	fail
	movb	$0x10, %al
	jmp	out
fail:	movb	$0x11, %al
out:	movw	$0xf4, %dx
	outb	%al, %dx
	hlt
