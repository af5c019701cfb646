/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SVM world switch: only what C cannot express.
 *
 * VMRUN switches RAX, RSP, RIP, RFLAGS, the control registers, EFER and
 * the segment registers CS/SS/DS/ES with GDTR/IDTR (APM Vol. 2, 15.5.1);
 * the other GPRs are not touched, and FS, GS, TR, LDTR with their hidden
 * state, KernelGSBase, STAR/LSTAR/CSTAR/SFMASK and the SYSENTER MSRs are
 * switched with VMSAVE/VMLOAD (APM 15.5.2).  The caller runs this with
 * GIF=0 (CLGI): from the VMSAVE of the host state to the VMLOAD that
 * restores it, GS holds the guest's base, so no interrupt, NMI or C code
 * may run in between; that is why the whole sequence is one function.
 *
 * A plain function with a balanced stack: objtool validates it like any
 * other, so the object is not marked OBJECT_FILES_NON_STANDARD.  VMRUN
 * "returns" at the next instruction with host RSP and RAX restored from
 * the host save area (APM 15.6), which objtool rightly sees as straight
 * line code.
 *
 * Speculation (Documentation/security.rst): VERW right before VMRUN;
 * after the exit, once the host's GS is back and before the first RET,
 * the RSB fill, vmon_spec_restore_host() (kmod/spec.c), return
 * untraining and IBPB.  They are alternatives the kernel patches in at
 * module load, on the feature bits its own mitigations set.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#include "svm.h"

	.section .text.vmon_hot, "ax"	/* core.h: __vmon_hot */

/*
 * void svm_enter_guest(phys_addr_t vmcb_pa, struct vmon_regs *regs,
 *			phys_addr_t host_save_pa)
 *
 * %rdi = vmcb_pa, %rsi = regs (guest GPRs other than RAX and RSP, which
 * are in the VMCB), %rdx = physical address of this CPU's host save area.
 */
SYM_FUNC_START(svm_enter_guest)
	push	%rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx

	/* needed after the exit, in the order they are needed */
	push	%rdx			/* 16(%rsp): host save area */
	push	%rsi			/*  8(%rsp): regs */
	push	%rdi			/*  0(%rsp): VMCB */

	/* host FS/GS/TR/LDTR + syscall MSRs, not switched by VMRUN */
	mov	%rdx, %rax
	vmsave	%rax

	/* guest FS/GS/TR/LDTR + syscall MSRs from the VMCB */
	mov	%rdi, %rax
	vmload	%rax

	mov	SVM_REGS_RBX(%rsi), %rbx
	mov	SVM_REGS_RCX(%rsi), %rcx
	mov	SVM_REGS_RDX(%rsi), %rdx
	mov	SVM_REGS_RDI(%rsi), %rdi
	mov	SVM_REGS_RBP(%rsi), %rbp
	mov	SVM_REGS_R8(%rsi), %r8
	mov	SVM_REGS_R9(%rsi), %r9
	mov	SVM_REGS_R10(%rsi), %r10
	mov	SVM_REGS_R11(%rsi), %r11
	mov	SVM_REGS_R12(%rsi), %r12
	mov	SVM_REGS_R13(%rsi), %r13
	mov	SVM_REGS_R14(%rsi), %r14
	mov	SVM_REGS_R15(%rsi), %r15
	mov	SVM_REGS_RSI(%rsi), %rsi

	/*
	 * TSA: overwrite the CPU buffers with VERW (AMD, "Technical
	 * Guidance for Mitigating Transient Scheduler Attacks");
	 * X86_FEATURE_CLEAR_CPU_BUF_VM.  Clobbers ZF only.
	 */
	VM_CLEAR_CPU_BUFFERS

	/* RAX = VMCB; #VMEXIT restores host RAX (still the VMCB) and RSP */
	vmrun	%rax

	vmsave	%rax

	mov	8(%rsp), %rax		/* regs */
	mov	%rbx, SVM_REGS_RBX(%rax)
	mov	%rcx, SVM_REGS_RCX(%rax)
	mov	%rdx, SVM_REGS_RDX(%rax)
	mov	%rsi, SVM_REGS_RSI(%rax)
	mov	%rdi, SVM_REGS_RDI(%rax)
	mov	%rbp, SVM_REGS_RBP(%rax)
	mov	%r8, SVM_REGS_R8(%rax)
	mov	%r9, SVM_REGS_R9(%rax)
	mov	%r10, SVM_REGS_R10(%rax)
	mov	%r11, SVM_REGS_R11(%rax)
	mov	%r12, SVM_REGS_R12(%rax)
	mov	%r13, SVM_REGS_R13(%rax)
	mov	%r14, SVM_REGS_R14(%rax)
	mov	%r15, SVM_REGS_R15(%rax)

	/* host FS/GS/TR/LDTR back: per-CPU data works again after this */
	mov	16(%rsp), %rax
	vmload	%rax

	/*
	 * Leave no guest value in any register for speculation to play
	 * with, not even in those about to be restored from the stack.
	 */
	xor	%eax, %eax
	xor	%ebx, %ebx
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
	 * have left RSB entries a host RET would follow (SpectreRSB); then
	 * SPEC_CTRL, the Retbleed/SRSO return untraining (AMD, "Technical
	 * Guidance for Mitigating Branch Type Confusion"; "Speculative
	 * Return Stack Overflow") and the SRSO IBPB, as the host asks.
	 */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE
	/* only where the host runs with KERNEL_IBRS (spec.c) */
	ALTERNATIVE "", "call vmon_spec_restore_host", X86_FEATURE_KERNEL_IBRS
	UNTRAIN_RET
	ALTERNATIVE "", "call entry_ibpb", X86_FEATURE_IBPB_ON_VMEXIT
	CLEAR_BRANCH_HISTORY_VMEXIT

	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(svm_enter_guest)
