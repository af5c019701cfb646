/* SPDX-License-Identifier: GPL-2.0-only */
/* Real mode: stop with interrupts off.  Expect status 0. */
	.code16
	.globl _start
_start:
	cli
	hlt
