/* SPDX-License-Identifier: GPL-2.0-only */
/* Real mode: spin forever; only a signal stops vmon (status 130 for SIGINT). */
	.code16
	.globl _start
_start:
	jmp	_start
