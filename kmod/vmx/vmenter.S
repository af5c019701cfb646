/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of the world switch C cannot do: keep the host's callee-
 * saved registers, load the guest's general registers (they are not in
 * the VMCS, SDM 27.3.2.1 and 28.5), VMLAUNCH/VMRESUME, and at the
 * VM-exit landing store the guest's registers back.
 *
 *	int vmx_vmenter(struct vmon_regs *regs, unsigned int launched,
 *			unsigned long *host_rsp)
 *
 * Returns 0 after a VM exit, VMX_ENTER_FAIL_VALID (1) or
 * VMX_ENTER_FAIL_INVALID (2) when the VM-entry instruction itself
 * failed (SDM 31.2: ZF resp. CF set).  RSP, RIP and RFLAGS of the guest
 * travel through the VMCS; C writes and reads them.
 *
 * Speculation (Documentation/security.rst): VERW right before the
 * entry, and after the exit, before the first RET that has no CALL of
 * its own in the RSB, the RSB fill and vmon_spec_restore_host() (kmod/
 * spec.c).  They are alternatives: the kernel patches them in when it
 * loads the module, on the feature bits its own mitigations set.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/ibt.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

/* VMCS field encoding of HOST_RSP (SDM Appendix B.4.4) */
#define VMCS_HOST_RSP	0x00006c14

/* offsets in struct vmon_regs, checked with BUILD_BUG_ON in exit.c */
#define REGS_RAX	0
#define REGS_RBX	8
#define REGS_RCX	16
#define REGS_RDX	24
#define REGS_RSI	32
#define REGS_RDI	40
#define REGS_RBP	56
#define REGS_R8		64
#define REGS_R9		72
#define REGS_R10	80
#define REGS_R11	88
#define REGS_R12	96
#define REGS_R13	104
#define REGS_R14	112
#define REGS_R15	120

	.section .text.vmon_hot, "ax"	/* core.h: __vmon_hot */
SYM_FUNC_START(vmx_vmenter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	/* the landing finds the register block here, at 0(%rsp) */
	push	%rdi

	/*
	 * The exit resumes at vmx_vmexit with this very RSP (SDM 28.5.1).
	 * *host_rsp is what this VMCS holds: the run loop enters from the
	 * same depth every time, so the VMWRITE is rarely needed (KVM
	 * keeps the same cache).  A failed VMWRITE would leave a stale
	 * HOST_RSP, but it can only fail without a current VMCS, and then
	 * VMLAUNCH fails too.
	 */
	cmp	%rsp, (%rdx)
	je	1f
	mov	%rsp, (%rdx)
	mov	$VMCS_HOST_RSP, %rax
	vmwrite	%rsp, %rax
1:

	/*
	 * CF from this test survives the MOVs and the VERW below (VERW
	 * writes ZF only) and picks the instruction.
	 */
	bt	$0, %esi

	mov	REGS_RAX(%rdi), %rax
	mov	REGS_RBX(%rdi), %rbx
	mov	REGS_RCX(%rdi), %rcx
	mov	REGS_RDX(%rdi), %rdx
	mov	REGS_RSI(%rdi), %rsi
	mov	REGS_RBP(%rdi), %rbp
	mov	REGS_R8(%rdi), %r8
	mov	REGS_R9(%rdi), %r9
	mov	REGS_R10(%rdi), %r10
	mov	REGS_R11(%rdi), %r11
	mov	REGS_R12(%rdi), %r12
	mov	REGS_R13(%rdi), %r13
	mov	REGS_R14(%rdi), %r14
	mov	REGS_R15(%rdi), %r15
	mov	REGS_RDI(%rdi), %rdi

	/*
	 * MDS, TAA, MMIO stale data: overwrite the CPU buffers with VERW
	 * after the last load of host data (Intel, "Microarchitectural
	 * Data Sampling", VERW; X86_FEATURE_CLEAR_CPU_BUF).
	 */
	CLEAR_CPU_BUFFERS

	/*
	 * A successful entry continues at vmx_vmexit, which no branch
	 * reaches: tell objtool that the stack there is the stack here.
	 */
	UNWIND_HINT_SAVE
	jc	.Lresume
	vmlaunch
	jmp	.Lfail
.Lresume:
	vmresume
	jmp	.Lfail

/*
 * HOST_RIP.  The CPU arrives here with the host's RSP, CR3, segment
 * state and RFLAGS = 2 (interrupts still off), and the guest's
 * general registers.  Not reached by any branch, so not a place for
 * an ENDBR check either; the ENDBR is only there in case of IBT.
 */
SYM_INNER_LABEL(vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	push	%rdi
	mov	8(%rsp), %rdi
	mov	%rax, REGS_RAX(%rdi)
	mov	%rbx, REGS_RBX(%rdi)
	mov	%rcx, REGS_RCX(%rdi)
	mov	%rdx, REGS_RDX(%rdi)
	mov	%rsi, REGS_RSI(%rdi)
	mov	%rbp, REGS_RBP(%rdi)
	mov	%r8, REGS_R8(%rdi)
	mov	%r9, REGS_R9(%rdi)
	mov	%r10, REGS_R10(%rdi)
	mov	%r11, REGS_R11(%rdi)
	mov	%r12, REGS_R12(%rdi)
	mov	%r13, REGS_R13(%rdi)
	mov	%r14, REGS_R14(%rdi)
	mov	%r15, REGS_R15(%rdi)
	popq	REGS_RDI(%rdi)
	/* the return value lives in RBX until the end: calls follow */
	xor	%ebx, %ebx
	jmp	.Lout

.Lfail:
	/* VMfailInvalid sets CF, VMfailValid ZF; MOV changes no flag */
	mov	$1, %ebx
	jnc	.Lout
	mov	$2, %ebx

.Lout:
	/*
	 * Leave no guest value in any register for code after this to
	 * consume speculatively, not even in those about to be restored
	 * from the stack (a slow load would leave the guest's value in
	 * flight).  RSP is the host's; RBX holds the return value.
	 */
	xor	%eax, %eax
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%ebp, %ebp
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	xor	%r12d, %r12d
	xor	%r13d, %r13d
	xor	%r14d, %r14d
	xor	%r15d, %r15d

	/*
	 * Before the first unbalanced RET (ours, below): the guest may
	 * have left entries in the RSB that a host RET would follow
	 * (SpectreRSB), or, with eIBRS and the PBRSB erratum, one CALL
	 * must retire first (Intel, "Post-barrier Return Stack Buffer
	 * Predictions").  Then SPEC_CTRL (KERNEL_IBRS), return untraining,
	 * IBPB and the BHB clear, as the host's mitigations ask.
	 */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE
	/* only where the host runs with KERNEL_IBRS (spec.c) */
	ALTERNATIVE "", "call vmon_spec_restore_host", X86_FEATURE_KERNEL_IBRS
	UNTRAIN_RET
	ALTERNATIVE "", "call entry_ibpb", X86_FEATURE_IBPB_ON_VMEXIT
	CLEAR_BRANCH_HISTORY_VMEXIT

	mov	%ebx, %eax
	pop	%rdi
	xor	%edi, %edi
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(vmx_vmenter)
