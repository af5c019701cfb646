/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Real mode: reboot the way Linux does first (reboot=kbd): wait for the
 * i8042's input buffer to empty, then pulse the reset line with command
 * 0xFE.  Expect status 0 and "reset the machine through the i8042".
 */
	.code16
	.globl _start
_start:
	cli
1:	in	$0x64, %al
	test	$0x02, %al
	jnz	1b
	mov	$0xfe, %al
	out	%al, $0x64
	/* not reached: status 3 would show that the reset was ignored */
	mov	$0x01, %al
	out	%al, $0xf4
	hlt
