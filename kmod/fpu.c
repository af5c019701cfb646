// SPDX-License-Identifier: GPL-2.0
/*
 * Guest x87/SSE/AVX state, kept apart from the host's.
 *
 * The run loop brackets each guest entry with kernel_fpu_begin() and
 * kernel_fpu_end().  kernel_fpu_begin() saves the vCPU thread's own user
 * FPU state into its task struct and marks it to be restored on the way
 * back to userspace; from then on the registers are ours.  With
 * interrupts off, vmon_fpu_load_guest() loads the guest's state from its
 * private XSAVE area and switches XCR0 to the guest's value;
 * vmon_fpu_put_guest() switches XCR0 back and saves the guest's state.
 * Nothing of the guest's reaches the host task: the next return to user
 * mode reloads the task's state, and a different task finds the
 * registers marked as not its own (kernel_fpu_begin() invalidated them).
 *
 * Only user state components that need no further host cooperation are
 * offered to the guest: x87, SSE, AVX and AVX-512.  PKRU is left out
 * because the host's value must stay in force while the kernel accesses
 * user memory (a backend must therefore not let the guest set CR4.PKE);
 * AMX is left out because its use is gated per task by XFD.
 *
 * XSAVE areas use the standard (non-compacted) format of SDM Vol. 1
 * 13.4: the legacy region, the XSAVE header at byte 512, then each
 * component at the offset CPUID.(EAX=0DH,ECX=i).EBX reports.
 */
#define pr_fmt(fmt) "vmon: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <asm/cpufeature.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>
#include <asm/processor.h>

#include "core.h"

#define VMON_XFEATURES_OFFERED	(XFEATURE_MASK_FPSSE | XFEATURE_MASK_YMM | XFEATURE_MASK_AVX512)

#define FXSAVE_SIZE		512
#define XSAVE_HDR_SIZE		64
/* legacy region fields (SDM Vol. 1 Table 10-2) */
#define FXSAVE_FCW		0
#define FXSAVE_MXCSR		24
#define FCW_RESET		0x037f
#define MXCSR_RESET		0x1f80

static bool vmon_use_xsave __read_mostly;
static u64 vmon_host_xcr0 __read_mostly;
static u64 vmon_guest_xfeatures __read_mostly;	/* subset of the host XCR0 */
static size_t vmon_fpu_size __read_mostly;

/* the extent of the standard-format area holding the components in mask */
static size_t vmon_xsave_size(u64 mask)
{
	size_t size = FXSAVE_SIZE + XSAVE_HDR_SIZE;
	u32 eax, ebx, ecx, edx;
	unsigned int i;

	for (i = 2; i < 64; i++) {
		if (!(mask & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &eax, &ebx, &ecx, &edx);
		size = max_t(size_t, size, (size_t)ebx + eax);
	}
	return size;
}

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
		vmon_fpu_size = vmon_xsave_size(vmon_guest_xfeatures);
	} else {
		vmon_host_xcr0 = 0;
		vmon_guest_xfeatures = 0;
		vmon_fpu_size = FXSAVE_SIZE;
	}
	return 0;
}

u64 vmon_fpu_guest_xfeatures(void)
{
	return vmon_guest_xfeatures;
}

/*
 * The area is page aligned (XSAVE needs 64 bytes) and starts in the
 * state RESET establishes (SDM Vol. 3A Table 9-1): FCW 037FH, MXCSR
 * 1F80H, everything else zero.  XSTATE_BV = 0 makes the first XRSTOR put
 * every extended component in its initial configuration.
 */
int vmon_fpu_init(struct vmon_vcpu *vcpu)
{
	u8 *area = alloc_pages_exact(vmon_fpu_size, GFP_KERNEL_ACCOUNT | __GFP_ZERO);

	if (!area)
		return -ENOMEM;
	*(u16 *)(area + FXSAVE_FCW) = FCW_RESET;
	*(u32 *)(area + FXSAVE_MXCSR) = MXCSR_RESET;
	vcpu->fpu_area = area;
	vcpu->guest_xcr0 = XFEATURE_MASK_FP;	/* XCR0 at RESET: x87 only */
	return 0;
}

void vmon_fpu_free(struct vmon_vcpu *vcpu)
{
	if (vcpu->fpu_area)
		free_pages_exact(vcpu->fpu_area, vmon_fpu_size);
	vcpu->fpu_area = NULL;
}

static inline void vmon_xsave(void *area, u64 mask)
{
	asm volatile("xsave64 (%[area])"
		     : : [area] "r" (area), "a" ((u32)mask), "d" ((u32)(mask >> 32))
		     : "memory");
}

static inline void vmon_xrstor(const void *area, u64 mask)
{
	asm volatile("xrstor64 (%[area])"
		     : : [area] "r" (area), "a" ((u32)mask), "d" ((u32)(mask >> 32))
		     : "memory");
}

static inline void vmon_fxsave(void *area)
{
	asm volatile("fxsave64 (%[area])" : : [area] "r" (area) : "memory");
}

static inline void vmon_fxrstor(const void *area)
{
	asm volatile("fxrstor64 (%[area])" : : [area] "r" (area) : "memory");
}

/*
 * irqs off, inside kernel_fpu_begin().  XRSTOR runs while the host XCR0
 * is still in force, so it may restore every component the guest could
 * have enabled; the guest XCR0 is only a subset of it.  The area was
 * written by XSAVE or vmon_fpu_init() only, so XRSTOR cannot fault.
 */
void vmon_fpu_load_guest(struct vmon_vcpu *vcpu)
{
	lockdep_assert_irqs_disabled();

	if (!vmon_use_xsave) {
		vmon_fxrstor(vcpu->fpu_area);
		return;
	}
	vmon_xrstor(vcpu->fpu_area, vmon_guest_xfeatures);
	if (vcpu->guest_xcr0 != vmon_host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->guest_xcr0);
}

/* irqs off: the reverse of vmon_fpu_load_guest() */
void vmon_fpu_put_guest(struct vmon_vcpu *vcpu)
{
	lockdep_assert_irqs_disabled();

	if (!vmon_use_xsave) {
		vmon_fxsave(vcpu->fpu_area);
		return;
	}
	if (vcpu->guest_xcr0 != vmon_host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vmon_host_xcr0);
	vmon_xsave(vcpu->fpu_area, vmon_guest_xfeatures);
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
