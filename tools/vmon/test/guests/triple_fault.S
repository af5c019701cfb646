/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Long mode with an empty IDT (limit 0): #UD cannot be delivered, nor
 * the #GP that raises, nor the #DF: shutdown.  Expect status 6.
 */
	.code64
	.globl _start
_start:
	ud2
