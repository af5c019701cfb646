/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A multiboot v1 test kernel (ELF, linked at 1 MiB): checks the boot
 * loader's magic in EAX, then prints through the UART at 0x3F8 what the
 * multiboot information at EBX says:
 *   multiboot: loader vmon
 *   multiboot: cmdline <the command line>
 *   multiboot: mem_lower 639 KiB, mem_upper N KiB, mmap N bytes
 *   multiboot: modules N, first N bytes, first byte 0xNN
 *   multiboot: rsdp 0xNNNNNN, revision N, rsdt SIG SIG...
 * (the last found as a multiboot kernel finds ACPI: by scanning the BIOS
 * area 0xE0000-0xFFFFF for the RSDP, ACPI 6.5 5.2.5.1, then reading the
 * ACPI 1.0 RSDT it points to)
 * and exits through port 0xF4: 0 (status 1) when all was there, 1
 * (status 3) for a wrong EAX, 2 (status 5) for a missing information flag.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000003	/* page-aligned modules, memory info */
#define MB_BOOT_MAGIC	0x2badb002
#define MBI_WANTED	0x245		/* mem, cmdline, mmap, loader name */

	.code32
	.text
	.globl	_start
_start:
	jmp	start
	.align	4
mb_header:				/* within the first 8 KiB of the file */
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)

start:
	movl	$stack_top, %esp
	cmpl	$MB_BOOT_MAGIC, %eax
	movb	$1, %al
	jne	exit
	movl	%ebx, %ebp
	movl	(%ebp), %eax
	andl	$MBI_WANTED, %eax
	cmpl	$MBI_WANTED, %eax
	movb	$2, %al
	jne	exit

	movl	$s_loader, %esi
	call	puts
	movl	64(%ebp), %esi
	call	puts
	movl	$s_cmdline, %esi
	call	puts
	movl	16(%ebp), %esi
	call	puts
	movl	$s_lower, %esi
	call	puts
	movl	4(%ebp), %eax
	call	putdec
	movl	$s_upper, %esi
	call	puts
	movl	8(%ebp), %eax
	call	putdec
	movl	$s_mmap, %esi
	call	puts
	movl	44(%ebp), %eax
	call	putdec
	movl	$s_modules, %esi
	call	puts
	xorl	%eax, %eax
	testl	$8, (%ebp)		/* MBI_MODS */
	jz	1f
	movl	20(%ebp), %eax
1:	call	putdec
	testl	%eax, %eax
	jz	2f
	movl	$s_first, %esi
	call	puts
	movl	24(%ebp), %edi
	movl	4(%edi), %eax		/* mod_end - mod_start */
	subl	(%edi), %eax
	call	putdec
	movl	$s_byte, %esi
	call	puts
	movl	(%edi), %edi
	movzbl	(%edi), %eax
	call	puthex8
2:	movl	$s_nl, %esi
	call	puts
	call	find_rsdp
	xorl	%eax, %eax
exit:
	movw	$0xf4, %dx
	outb	%al, %dx
	cli
	hlt

/* the RSDP: "RSD PTR " on a 16-byte boundary, first 20 bytes summing to 0 */
find_rsdp:
	pushal
	movl	$s_rsdp, %esi
	call	puts
	movl	$0xe0000, %edi
1:	cmpl	$0x20445352, (%edi)		/* "RSD " */
	jne	3f
	cmpl	$0x20525450, 4(%edi)		/* "PTR " */
	jne	3f
	xorl	%eax, %eax
	xorl	%ecx, %ecx
2:	addb	(%edi,%ecx), %al
	incl	%ecx
	cmpl	$20, %ecx
	jb	2b
	testb	%al, %al
	jz	4f
3:	addl	$16, %edi
	cmpl	$0x100000, %edi
	jb	1b
	movl	$s_none, %esi
	call	puts
	jmp	6f
4:	movl	$s_hex, %esi
	call	puts
	movl	%edi, %eax
	shrl	$16, %eax
	call	puthex8
	movl	%edi, %eax
	shrl	$8, %eax
	call	puthex8
	movl	%edi, %eax
	call	puthex8
	movl	$s_rev, %esi
	call	puts
	movzbl	15(%edi), %eax
	call	putdec
	movl	$s_rsdt, %esi
	call	puts
	/* the RSDT's entries: print each table's signature */
	movl	16(%edi), %ebx
	movl	4(%ebx), %ecx
	addl	%ebx, %ecx
	addl	$36, %ebx
5:	cmpl	%ecx, %ebx
	jae	6f
	movl	(%ebx), %eax
	movl	(%eax), %eax
	movb	$' ', numbuf
	movl	%eax, numbuf + 1
	movb	$0, numbuf + 5
	movl	$numbuf, %esi
	call	puts
	addl	$4, %ebx
	jmp	5b
6:	movl	$s_nl, %esi
	call	puts
	popal
	ret

/* print the NUL-terminated string at ESI */
puts:
	pushl	%eax
	pushl	%edx
	movw	$0x3f8, %dx
1:	lodsb
	testb	%al, %al
	jz	2f
	outb	%al, %dx
	jmp	1b
2:	popl	%edx
	popl	%eax
	ret

/* print EAX in decimal */
putdec:
	pushal
	movl	$10, %ecx
	movl	$numbuf_end, %edi
	movb	$0, (%edi)
1:	xorl	%edx, %edx
	divl	%ecx
	addb	$'0', %dl
	decl	%edi
	movb	%dl, (%edi)
	testl	%eax, %eax
	jnz	1b
	movl	%edi, %esi
	call	puts
	popal
	ret

/* print AL as two hex digits */
puthex8:
	pushal
	movl	$hexdigits, %ebx
	movl	%eax, %ecx
	shrb	$4, %al
	andl	$0xf, %eax
	movb	(%ebx,%eax), %al
	movb	%al, numbuf
	movl	%ecx, %eax
	andl	$0xf, %eax
	movb	(%ebx,%eax), %al
	movb	%al, numbuf + 1
	movb	$0, numbuf + 2
	movl	$numbuf, %esi
	call	puts
	popal
	ret

	.section .rodata
s_loader:	.asciz	"multiboot: loader "
s_cmdline:	.asciz	"\nmultiboot: cmdline "
s_lower:	.asciz	"\nmultiboot: mem_lower "
s_upper:	.asciz	" KiB, mem_upper "
s_mmap:		.asciz	" KiB, mmap "
s_modules:	.asciz	" bytes\nmultiboot: modules "
s_first:	.asciz	", first "
s_byte:		.asciz	" bytes, first byte 0x"
s_nl:		.asciz	"\n"
s_rsdp:		.asciz	"multiboot: rsdp "
s_none:		.asciz	"none"
s_hex:		.asciz	"0x"
s_rev:		.asciz	", revision "
s_rsdt:		.asciz	", rsdt"
hexdigits:	.ascii	"0123456789abcdef"

	.bss
numbuf:		.space	16
numbuf_end:	.space	4
	.align	16
		.space	4096
stack_top:
