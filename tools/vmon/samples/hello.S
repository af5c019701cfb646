/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hello.S: the smallest useful vmon guest, in 16-bit real mode.
 *
 * Build:  make -C tools/vmon            (gives samples/hello.bin)
 * Run:    vmon run --flat samples/hello.bin; echo "status $?"
 *
 * vmon copies the bytes of hello.bin to guest-physical 0x1000 and starts
 * the vCPU there in real mode: CS, DS, ES and SS all have base 0, and the
 * stack grows down from 0x1000.  There is no BIOS: the guest talks to
 * (emulated) hardware directly with IN and OUT instructions.  Each IN or
 * OUT leaves the guest (a VM exit), vmon's device model for that port
 * does its work, and the guest continues after the instruction.
 *
 * It says hello twice, through two devices:
 *   1. the 16550 UART at 0x3F8 (COM1), as a PC operating system would:
 *      wait until the transmitter is empty, then write the byte;
 *   2. the debug console at port 0xE9, which needs no setup at all,
 *      with a single REP OUTSB that sends the whole string;
 * then stops through the exit port 0xF4.
 */

#define COM1		0x3f8	/* first serial port */
#define UART_THR	0	/* transmit holding register (write) */
#define UART_DLL	0	/* divisor latch, low byte (when LCR.DLAB = 1) */
#define UART_DLM	1	/* divisor latch, high byte (when LCR.DLAB = 1) */
#define UART_LCR	3	/* line control */
#define UART_LSR	5	/* line status */
#define LCR_DLAB	0x80	/* make registers 0 and 1 the divisor latch */
#define LCR_8N1		0x03	/* 8 data bits, no parity, 1 stop bit */
#define LSR_THRE	0x20	/* transmit holding register empty */

#define DEBUGCON	0xe9	/* Bochs/QEMU debug console */
#define DEBUG_EXIT	0xf4	/* QEMU isa-debug-exit compatible */

	.code16			/* the CPU starts in 16-bit real mode */
	.text
	.globl _start
_start:
	cli			/* no interrupt handlers here: keep them off */

	/* Program COM1 for 115200 baud (divisor 1), 8N1, as firmware would. */
	movw	$COM1 + UART_LCR, %dx
	movb	$LCR_DLAB, %al
	outb	%al, %dx
	movw	$COM1 + UART_DLL, %dx
	movb	$1, %al
	outb	%al, %dx
	movw	$COM1 + UART_DLM, %dx
	xorb	%al, %al
	outb	%al, %dx
	movw	$COM1 + UART_LCR, %dx
	movb	$LCR_8N1, %al
	outb	%al, %dx

	movw	$uart_msg, %si
	call	uart_puts

	/* REP OUTSB: send CX bytes from DS:SI to port DX in one instruction */
	movw	$DEBUGCON, %dx
	movw	$debugcon_msg, %si
	movw	$debugcon_msg_len, %cx
	cld
	rep outsb

	/*
	 * Exit code 0.  Like QEMU's isa-debug-exit, vmon turns the value v
	 * into the exit status (v << 1) | 1, so the shell sees status 1.
	 */
	movw	$DEBUG_EXIT, %dx
	xorb	%al, %al
	outb	%al, %dx

	/* Not reached under vmon.  Elsewhere: halt, with interrupts off. */
1:	hlt
	jmp	1b

/* Send the NUL-terminated string at DS:SI through COM1. */
uart_puts:
	lodsb			/* AL = [SI++] */
	testb	%al, %al
	jz	2f
	movb	%al, %ah
	movw	$COM1 + UART_LSR, %dx
1:	inb	%dx, %al	/* poll until the UART can take a byte */
	testb	$LSR_THRE, %al
	jz	1b
	movw	$COM1 + UART_THR, %dx
	movb	%ah, %al
	outb	%al, %dx
	jmp	uart_puts
2:	ret

uart_msg:
	.asciz	"Hello from a real-mode guest, through the 16550 UART at 0x3F8!\n"
debugcon_msg:
	.ascii	"...and through the debug console at port 0xE9.\n"
	.set	debugcon_msg_len, . - debugcon_msg
