/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Protected mode, paging off: a guest with a known exit count for the
 * watching commands (vmon ps/stat/trace/dump, test/e2e.sh).  It runs
 * exactly 10 CPUIDs and 5 OUTs to port 0x80, then forever: a delay
 * loop and one read of 0x10000000, far above --mem 64M, which no device
 * claims (an EPT violation / nested page fault that vmon answers with
 * all ones).  Those reads bring the vCPU back to userspace regularly,
 * which VMON_CMD_GET_STATE (vmon dump) waits for.
 */
#define NR_CPUID	10
#define NR_OUT		5
#define MMIO_ADDR	0x10000000
#define DELAY		200000

	.code32
	.globl _start
_start:
	movl	$NR_CPUID, %esi
1:	xorl	%eax, %eax
	cpuid				/* clobbers eax, ebx, ecx, edx */
	decl	%esi
	jnz	1b

	movl	$NR_OUT, %ecx
	movw	$0x80, %dx
	movb	$0x42, %al
2:	outb	%al, %dx
	loop	2b

3:	movl	$DELAY, %ecx
4:	loop	4b
	movl	MMIO_ADDR, %eax
	jmp	3b
