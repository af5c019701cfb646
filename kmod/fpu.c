// SPDX-License-Identifier: GPL-2.0
/*
 * Guest x87/SSE/AVX state, kept apart from the host's.
 *
 * The guest's state lives in a struct fpstate of the kernel's own
 * (fpu_alloc_guest_fpstate(), the API KVM uses), and for the length of
 * one VMON_RUN it is the vCPU task's FPU state: vmon_fpu_run_begin()
 * saves the task's user registers and makes the guest's fpstate the
 * task's (fpu_swap_kvm_fpstate()), vmon_fpu_run_end() swaps them back.
 * In between, whatever the kernel does to the task's FPU state is done
 * to the guest's, and correctly so: a context switch saves the guest's
 * registers into the guest's fpstate, a softirq's kernel_fpu_begin()
 * saves them there too and sets TIF_NEED_FPU_LOAD, and the next entry
 * (vmon_fpu_load_guest()) reloads them.  Registers merely left loaded
 * by hand across exits would be lost to the first of these.
 *
 * So the registers are swapped once per VMON_RUN, not once per exit.
 * Only XCR0 is switched around every entry, with interrupts off: the
 * kernel saves and restores with the host's XCR0 in force.
 *
 * Only user state components that need no further host cooperation are
 * offered to the guest: x87, SSE, AVX and AVX-512.  PKRU is left out
 * because the host's value must stay in force while the kernel accesses
 * user memory (a backend must therefore not let the guest set CR4.PKE;
 * fpu_swap_kvm_fpstate() does not touch PKRU); AMX is left out because
 * its use is gated per task by XFD.  The fpstate holds every component
 * the host enables; the guest can reach only those its XCR0 enables.
 */
#define pr_fmt(fmt) "vmon: " fmt

#include <linux/sched.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>
#include <asm/processor.h>

#include "core.h"
#include "fpu.h"

#define VMON_XFEATURES_OFFERED	(XFEATURE_MASK_FPSSE | XFEATURE_MASK_YMM | XFEATURE_MASK_AVX512)

bool vmon_use_xsave __read_mostly;
u64 vmon_host_xcr0 __read_mostly;
static u64 vmon_guest_xfeatures __read_mostly;	/* subset of the host XCR0 */

int vmon_fpu_setup(void)
{
	if (!boot_cpu_has(X86_FEATURE_FXSR)) {
		pr_err("the CPU lacks FXSAVE/FXRSTOR\n");
		return -ENODEV;
	}
	vmon_use_xsave = boot_cpu_has(X86_FEATURE_OSXSAVE);
	if (vmon_use_xsave) {
		vmon_host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		vmon_guest_xfeatures = vmon_host_xcr0 & VMON_XFEATURES_OFFERED;
	} else {
		vmon_host_xcr0 = 0;
		vmon_guest_xfeatures = 0;
	}
	return 0;
}

u64 vmon_fpu_guest_xfeatures(void)
{
	return vmon_guest_xfeatures;
}

/*
 * The kernel's initial FPU state is the one RESET establishes (SDM Vol.
 * 3A Table 9-1): FCW 037FH, MXCSR 1F80H, everything else zero.
 */
int vmon_fpu_init(struct vmon_vcpu *vcpu)
{
	if (!fpu_alloc_guest_fpstate(&vcpu->guest_fpu))
		return -ENOMEM;
	vcpu->guest_xcr0 = XFEATURE_MASK_FP;	/* XCR0 at RESET: x87 only */
	return 0;
}

/* not inside VMON_RUN: the fpstate is nobody's task state */
void vmon_fpu_free(struct vmon_vcpu *vcpu)
{
	fpu_free_guest_fpstate(&vcpu->guest_fpu);
}

/*
 * XSETBV by the guest (SDM Vol. 2C XSETBV, Vol. 1 13.3).  -EINVAL means
 * the instruction raises #GP(0):
 *  - only XCR0 (index 0) exists here;
 *  - bit 0 (x87) must be set;
 *  - AVX (bit 2) needs SSE (bit 1);
 *  - the AVX-512 bits 5..7 are set together or not at all, and need AVX;
 *  - no bit the host did not enable for guests (vmon_fpu_guest_xfeatures()).
 * The new value takes effect at the next entry (vmon_fpu_load_guest()).
 */
int vmon_set_xcr0(struct vmon_vcpu *vcpu, u32 index, u64 value)
{
	u64 avx512 = value & XFEATURE_MASK_AVX512;

	if (!vmon_use_xsave || index != XCR_XFEATURE_ENABLED_MASK)
		return -EINVAL;
	if (!(value & XFEATURE_MASK_FP))
		return -EINVAL;
	if ((value & XFEATURE_MASK_YMM) && !(value & XFEATURE_MASK_SSE))
		return -EINVAL;
	if (avx512 && (avx512 != XFEATURE_MASK_AVX512 || !(value & XFEATURE_MASK_YMM)))
		return -EINVAL;
	if (value & ~vmon_guest_xfeatures)
		return -EINVAL;
	vcpu->guest_xcr0 = value;
	return 0;
}
