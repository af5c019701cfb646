/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A multiboot v1 test kernel that reads QEMU's fw_cfg interface (ports
 * 0x510 selector, 0x511 data; QEMU's docs/specs/fw_cfg.txt) the way
 * test kernels written for QEMU do, and prints through the debug
 * console at 0xE9:
 *   fw_cfg: signature QEMU, id N, cpus N, max N
 *   fw_cfg: cmdline <the command line, from its size and bytes>
 * then exits through port 0xF4 with 0 (vmon's status 1).
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000000
#define FW_CFG_SEL	0x510
#define FW_CFG_DATA	0x511

	.code32
	.text
	.globl	_start
_start:
	jmp	start
	.align	4
	.long	MB_MAGIC
	.long	MB_FLAGS
	.long	-(MB_MAGIC + MB_FLAGS)

start:
	movl	$stack_top, %esp
	movl	$s_sig, %esi
	call	puts
	movw	$0x0000, %ax		/* FW_CFG_SIGNATURE */
	call	select
	movl	$4, %ecx
	call	copy
	movl	$s_id, %esi
	call	puts
	movw	$0x0001, %ax		/* FW_CFG_ID, 32-bit */
	movl	$4, %ecx
	call	read_le
	call	putdec
	movl	$s_cpus, %esi
	call	puts
	movw	$0x0005, %ax		/* FW_CFG_NB_CPUS, 16-bit */
	movl	$2, %ecx
	call	read_le
	call	putdec
	movl	$s_max, %esi
	call	puts
	movw	$0x000f, %ax		/* FW_CFG_MAX_CPUS, 16-bit */
	movl	$2, %ecx
	call	read_le
	call	putdec
	movl	$s_cmdline, %esi
	call	puts
	movw	$0x0014, %ax		/* FW_CFG_CMDLINE_SIZE, with the NUL */
	movl	$4, %ecx
	call	read_le
	movl	%eax, %ecx
	jecxz	1f
	decl	%ecx
	movw	$0x0015, %ax		/* FW_CFG_CMDLINE_DATA */
	call	select
	call	copy
1:	movl	$s_nl, %esi
	call	puts
	xorl	%eax, %eax
	movw	$0xf4, %dx
	outb	%al, %dx
	cli
	hlt

/* select item AX */
select:
	pushl	%edx
	movw	$FW_CFG_SEL, %dx
	outw	%ax, %dx
	popl	%edx
	ret

/* item AX's first ECX (1-4) bytes, little-endian, in EAX */
read_le:
	pushl	%edi
	pushl	%edx
	call	select
	movl	$0, value
	movl	$value, %edi
	movw	$FW_CFG_DATA, %dx
	cld
1:	inb	%dx, %al
	stosb
	loop	1b
	movl	value, %eax
	popl	%edx
	popl	%edi
	ret

/* copy ECX bytes from the data port to the debug console */
copy:
	pushl	%eax
	pushl	%edx
	jecxz	2f
1:	movw	$FW_CFG_DATA, %dx
	inb	%dx, %al
	movw	$0xe9, %dx
	outb	%al, %dx
	loop	1b
2:	popl	%edx
	popl	%eax
	ret

/* print the NUL-terminated string at ESI */
puts:
	pushl	%eax
	pushl	%edx
	movw	$0xe9, %dx
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

	.data
s_sig:		.asciz	"fw_cfg: signature "
s_id:		.asciz	", id "
s_cpus:		.asciz	", cpus "
s_max:		.asciz	", max "
s_cmdline:	.asciz	"\nfw_cfg: cmdline "
s_nl:		.asciz	"\n"

	.bss
value:		.skip	4
numbuf:		.skip	12
numbuf_end:	.skip	4
		.align	16
		.skip	4096
stack_top:
