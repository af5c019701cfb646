/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Real mode: program the master PIC (vectors 0x20-0x27, only IRQ 0
 * unmasked) and PIT channel 0 in mode 2 at 100 Hz, then halt until ten
 * IRQ 0 ticks have come through the interrupt vector, sending an EOI
 * for each, and report through the exit port.  Expect status 33 after
 * about 0.1 s: vmon's timer, PIC, injection and HLT wait at work.
 */
	.code16
	.globl _start
_start:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	movw	$tick, 0x20 * 4		/* IVT entry 0x20: IRQ 0 */
	movw	%cs, 0x20 * 4 + 2
	mov	$0x11, %al		/* ICW1: edge, cascade, ICW4 */
	out	%al, $0x20
	mov	$0x20, %al		/* ICW2: vector base 0x20 */
	out	%al, $0x21
	mov	$0x04, %al		/* ICW3: slave on IR2 */
	out	%al, $0x21
	mov	$0x01, %al		/* ICW4: 8086 mode */
	out	%al, $0x21
	mov	$0xfe, %al		/* OCW1: IRQ 0 only */
	out	%al, $0x21
	mov	$0x34, %al		/* channel 0, LSB then MSB, mode 2 */
	out	%al, $0x43
	mov	$(11932 & 0xff), %al	/* 1193182 Hz / 100 */
	out	%al, $0x40
	mov	$(11932 >> 8), %al
	out	%al, $0x40
	sti
1:	hlt
	cmpw	$10, ticks
	jb	1b
	cli
	mov	$0x10, %al		/* exit port: status (0x10 << 1) | 1 */
	out	%al, $0xf4
	hlt

tick:
	push	%ax
	incw	%cs:ticks
	mov	$0x20, %al		/* non-specific EOI */
	out	%al, $0x20
	pop	%ax
	iret

ticks:	.word 0
