/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hello64.S: the same greeting as hello.S, from 64-bit long mode.
 *
 * Run:    vmon run --mode long --flat samples/hello64.bin
 *
 * In long mode vmon loads the image at 0x100000 (1 MiB) and starts it
 * with paging on: a GDT with a 64-bit code segment and page tables that
 * identity-map the first 4 GiB (virtual address = physical address) sit
 * in the top 32 KiB of guest memory, and RSP points just below them.
 * Port I/O works the same in every mode; only the registers are wider.
 */

#define COM1		0x3f8
#define UART_THR	0
#define UART_LSR	5
#define LSR_THRE	0x20	/* transmit holding register empty */
#define DEBUGCON	0xe9
#define DEBUG_EXIT	0xf4

	.code64
	.text
	.globl _start
_start:
	cli

	/* vmon's UART needs no programming to transmit: skip the baud rate */
	leaq	uart_msg(%rip), %rsi
	call	uart_puts

	movw	$DEBUGCON, %dx
	leaq	debugcon_msg(%rip), %rsi
	movq	$debugcon_msg_len, %rcx
	cld
	rep outsb

	movw	$DEBUG_EXIT, %dx	/* exit code 0: vmon exits with status 1 */
	xorl	%eax, %eax
	outb	%al, %dx
1:	hlt
	jmp	1b

/* Send the NUL-terminated string at RSI through COM1. */
uart_puts:
	lodsb
	testb	%al, %al
	jz	2f
	movb	%al, %ah
	movw	$COM1 + UART_LSR, %dx
1:	inb	%dx, %al
	testb	$LSR_THRE, %al
	jz	1b
	movw	$COM1 + UART_THR, %dx
	movb	%ah, %al
	outb	%al, %dx
	jmp	uart_puts
2:	ret

uart_msg:
	.asciz	"Hello from a 64-bit long-mode guest, through the 16550 UART at 0x3F8!\n"
debugcon_msg:
	.ascii	"...and through the debug console at port 0xE9.\n"
	.set	debugcon_msg_len, . - debugcon_msg
