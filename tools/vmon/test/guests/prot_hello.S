/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * 32-bit protected mode: one line through the UART, one through port
 * 0xE9 with REP OUTSB, then exit value 0x10 (status 33).
 */
	.code32
	.globl _start
_start:
	movl	$uart_msg, %esi
1:	lodsb
	testb	%al, %al
	jz	2f
	movw	$0x3f8, %dx
	outb	%al, %dx
	jmp	1b
2:	movw	$0xe9, %dx
	movl	$e9_msg, %esi
	movl	$e9_len, %ecx
	cld
	rep outsb
	movb	$0x10, %al
	movw	$0xf4, %dx
	outb	%al, %dx
	hlt
uart_msg:
	.asciz	"prot: uart\n"
e9_msg:	.ascii	"prot: e9\n"
	.set	e9_len, . - e9_msg
