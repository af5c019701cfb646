/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvhboot: entry from a Multiboot (v1) loader.  The loader leaves us in
 * 32-bit protected mode with flat segments and paging off, EAX holding
 * the Multiboot magic and EBX the physical address of the Multiboot
 * information structure (Multiboot Specification 0.6.96, section 3.2).
 */
#define MB_MAGIC	0x1badb002
/* bit 0: modules page aligned; bit 1: give us the memory map */
#define MB_FLAGS	0x00000003

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.globl _start
_start:
	cli
	cld
	movl	$stack_top, %esp
	pushl	%ebx			/* struct mb_info * */
	pushl	%eax			/* magic */
	call	pvhboot_main		/* only returns on error */
1:	hlt
	jmp	1b

	.globl pvh_enter
/* void pvh_enter(u32 entry, u32 start_info): never returns */
pvh_enter:
	movl	4(%esp), %eax
	movl	8(%esp), %ebx
	/* PVH boot ABI: EBX = start_info, flat 32-bit segments, paging off */
	jmp	*%eax

	.bss
	.align 16
	.space 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
