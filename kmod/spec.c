// SPDX-License-Identifier: GPL-2.0
/*
 * Speculative-execution hygiene around VM entry and exit, for both
 * backends.  vmon follows what the host kernel decided at boot (its
 * feature bits and exported state, the same ones its own entry code and
 * KVM use) and adds no policy of its own; Documentation/security.rst
 * maps each file of /sys/devices/system/cpu/vulnerabilities/ to what is
 * done here and in the entry assembly.
 *
 * One function per moment of the world switch:
 *
 *   vmon_spec_vcpu_load()     IBPB when this CPU last ran another VM
 *   vmon_spec_before_entry()  L1D flush (VMX), divider clear (SVM), inline
 *   [vmenter.S / vmrun.S]     VERW just before the entry; after the exit
 *                             RSB fill, then vmon_spec_restore_host(),
 *                             return untraining, IBPB, BHB clear
 *   vmon_spec_after_exit()    IBPB before the return to user mode (VMSCAPE), inline
 *
 * The instructions in the assembly are alternatives the kernel patches
 * when it loads the module, keyed to the same feature bits that
 * vmon_spec_setup() records; what was recorded is printed once at load
 * and readable in /sys/module/vmon/parameters/mitigations.
 */
#define pr_fmt(fmt) "vmon: " fmt

#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/processor.h>
#include <asm/vmx.h>

#include "core.h"
#include "spec.h"

/* what vmon does, one bit each, named in /sys/module/vmon/parameters/mitigations */
enum {
	SPEC_RSB_FILL,		/* RSB_VMEXIT: 32 CALLs after every exit */
	SPEC_RSB_LITE,		/* RSB_VMEXIT_LITE: one CALL retired (PBRSB) */
	SPEC_IBRS_EXIT,		/* KERNEL_IBRS: SPEC_CTRL written after every exit */
	SPEC_UNTRAIN_RET,	/* UNRET/SRSO_ALIAS/ENTRY_IBPB: the kernel's UNTRAIN_RET */
	SPEC_IBPB_EXIT,		/* IBPB_ON_VMEXIT: IBPB after every exit */
	SPEC_IBPB_VM_SWITCH,	/* USE_IBPB: IBPB when a CPU switches VMs */
	SPEC_BHB_CLEAR,		/* CLEAR_BHB_LOOP_ON_VMEXIT: BHI software loop */
	SPEC_VERW,		/* CLEAR_CPU_BUF (VMX) / CLEAR_CPU_BUF_VM (SVM) */
	SPEC_L1D_FLUSH,		/* L1TF: IA32_FLUSH_CMD before every VMX entry */
	SPEC_L1D_FLUSH_SW,	/* L1TF: the same by reading a 64 KiB buffer */
	SPEC_IBPB_TO_USER,	/* IBPB_EXIT_TO_USER: VMSCAPE */
	SPEC_DIV0,		/* X86_BUG_DIV0: clear the divider before VMRUN */
	SPEC_NR
};

static const char * const vmon_spec_names[SPEC_NR] = {
	[SPEC_RSB_FILL]		= "rsb_fill",
	[SPEC_RSB_LITE]		= "rsb_lite",
	[SPEC_IBRS_EXIT]	= "ibrs_exit",
	[SPEC_UNTRAIN_RET]	= "untrain_ret",
	[SPEC_IBPB_EXIT]	= "ibpb_exit",
	[SPEC_IBPB_VM_SWITCH]	= "ibpb_vm_switch",
	[SPEC_BHB_CLEAR]	= "bhb_clear",
	[SPEC_VERW]		= "verw",
	[SPEC_L1D_FLUSH]	= "l1d_flush",
	[SPEC_L1D_FLUSH_SW]	= "l1d_flush_sw",
	[SPEC_IBPB_TO_USER]	= "ibpb_to_user",
	[SPEC_DIV0]		= "div0",
};

static unsigned long vmon_spec_active __read_mostly;
/* some of vmon_spec_entry_flush() applies: SPEC_L1D_FLUSH*, SPEC_DIV0 */
bool vmon_spec_entry_work __read_mostly;

static bool vmon_spec(unsigned int bit)
{
	return test_bit(bit, &vmon_spec_active);
}

/*
 * The VM whose vCPU this CPU ran last.  Only compared, never
 * dereferenced; vmon_spec_vm_destroy() clears it before the VM is
 * freed, so a later VM allocated at the same address still gets its
 * IBPB.
 */
static DEFINE_PER_CPU(const struct vmon_vm *, vmon_spec_last_vm);

/*
 * L1TF without IA32_FLUSH_CMD: reading 64 KiB, twice the L1D of the
 * affected Intel cores, replaces every line of the L1D (Intel, "Deep
 * Dive: Intel Analysis of L1 Terminal Fault", software sequence).
 */
#define VMON_L1D_FLUSH_ORDER	4
#define VMON_L1D_FLUSH_SIZE	(PAGE_SIZE << VMON_L1D_FLUSH_ORDER)
static struct page *vmon_l1d_pages;
/* l1tf_vmx_mitigation was AUTO (no kvm_intel) and vmon wrote it */
static bool vmon_spec_wrote_l1tf;

/* the decisions as one line of words, "none" for none */
static int vmon_spec_format(char *buf, size_t size)
{
	int n = 0;
	unsigned int i;

	for_each_set_bit(i, &vmon_spec_active, SPEC_NR)
		n += scnprintf(buf + n, size - n, "%s%s", n ? " " : "", vmon_spec_names[i]);
	if (!n)
		n = scnprintf(buf, size, "none");
	return n + scnprintf(buf + n, size - n, "\n");
}

static int vmon_spec_param_get(char *buf, const struct kernel_param *kp)
{
	return vmon_spec_format(buf, PAGE_SIZE);
}

static int vmon_spec_param_set(const char *val, const struct kernel_param *kp)
{
	return -EPERM;		/* the host's mitigations decide, not a parameter */
}

static const struct kernel_param_ops vmon_spec_param_ops = {
	.set = vmon_spec_param_set,
	.get = vmon_spec_param_get,
};
module_param_cb(mitigations, &vmon_spec_param_ops, NULL, 0444);
MODULE_PARM_DESC(mitigations,
		 "read-only: speculation mitigations applied around VM entry and exit");

/*
 * What KVM's vmx_setup_l1d_flush() derives from the same inputs, except
 * that vmon has no "conditional" mode: whenever the host asks for L1D
 * flushes (l1tf= anything but off) vmon flushes before every entry.
 * vmon requires EPT, so "EPT disabled" cannot arise.
 */
static enum vmx_l1d_flush_state vmon_l1d_policy(void)
{
	u64 cap = 0;

	if (!boot_cpu_has_bug(X86_BUG_L1TF))
		return VMENTER_L1D_FLUSH_NOT_REQUIRED;
	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES))
		rdmsrl_safe(MSR_IA32_ARCH_CAPABILITIES, &cap);
	/* SDM Vol. 4, IA32_ARCH_CAPABILITIES bit 3: no flush needed on VM entry */
	if (cap & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH)
		return VMENTER_L1D_FLUSH_NOT_REQUIRED;
	/* l1tf_mitigation is exported only when kvm_intel is configured */
#if IS_ENABLED(CONFIG_KVM_INTEL)
	if (l1tf_mitigation == L1TF_MITIGATION_OFF)
		return VMENTER_L1D_FLUSH_NEVER;
#else
	if (cpu_mitigations_off())
		return VMENTER_L1D_FLUSH_NEVER;
#endif
	return VMENTER_L1D_FLUSH_ALWAYS;
}

static int vmon_spec_setup_l1d(void)
{
	enum vmx_l1d_flush_state state = vmon_l1d_policy();

	if (state == VMENTER_L1D_FLUSH_ALWAYS) {
		if (boot_cpu_has(X86_FEATURE_FLUSH_L1D)) {
			__set_bit(SPEC_L1D_FLUSH, &vmon_spec_active);
		} else {
			vmon_l1d_pages = alloc_pages(GFP_KERNEL, VMON_L1D_FLUSH_ORDER);
			if (!vmon_l1d_pages)
				return -ENOMEM;
			/* not zero: a hypervisor below could merge zero pages */
			memset(page_address(vmon_l1d_pages), 0x5a, VMON_L1D_FLUSH_SIZE);
			__set_bit(SPEC_L1D_FLUSH_SW, &vmon_spec_active);
		}
	}
	/*
	 * The host's l1tf file reports the VMX flush policy of whoever
	 * drives VMX; kvm_intel sets it when it loads.  Set it only when
	 * nobody has, and put it back at unload.
	 */
	if (l1tf_vmx_mitigation == VMENTER_L1D_FLUSH_AUTO) {
		l1tf_vmx_mitigation = state;
		vmon_spec_wrote_l1tf = true;
	}
	return 0;
}

int vmon_spec_setup(enum vmon_backend backend)
{
	char line[160];
	int r;

	vmon_spec_active = 0;
	if (boot_cpu_has(X86_FEATURE_RSB_VMEXIT))
		__set_bit(SPEC_RSB_FILL, &vmon_spec_active);
	else if (boot_cpu_has(X86_FEATURE_RSB_VMEXIT_LITE))
		__set_bit(SPEC_RSB_LITE, &vmon_spec_active);
	if (boot_cpu_has(X86_FEATURE_KERNEL_IBRS))
		__set_bit(SPEC_IBRS_EXIT, &vmon_spec_active);
	if (IS_ENABLED(CONFIG_CPU_UNRET_ENTRY) &&
	    (boot_cpu_has(X86_FEATURE_UNRET) || boot_cpu_has(X86_FEATURE_SRSO_ALIAS) ||
	     boot_cpu_has(X86_FEATURE_ENTRY_IBPB)))
		__set_bit(SPEC_UNTRAIN_RET, &vmon_spec_active);
	/* IBPB after every exit already separates the VMs */
	if (boot_cpu_has(X86_FEATURE_IBPB_ON_VMEXIT))
		__set_bit(SPEC_IBPB_EXIT, &vmon_spec_active);
	else if (boot_cpu_has(X86_FEATURE_USE_IBPB))
		__set_bit(SPEC_IBPB_VM_SWITCH, &vmon_spec_active);
	if (boot_cpu_has(X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT))
		__set_bit(SPEC_BHB_CLEAR, &vmon_spec_active);
	if (boot_cpu_has(X86_FEATURE_IBPB_EXIT_TO_USER))
		__set_bit(SPEC_IBPB_TO_USER, &vmon_spec_active);

	if (backend == VMON_BACKEND_VMX) {
		if (boot_cpu_has(X86_FEATURE_CLEAR_CPU_BUF))
			__set_bit(SPEC_VERW, &vmon_spec_active);
		r = vmon_spec_setup_l1d();
		if (r)
			return r;
	} else {
		if (boot_cpu_has(X86_FEATURE_CLEAR_CPU_BUF_VM))
			__set_bit(SPEC_VERW, &vmon_spec_active);
		if (boot_cpu_has_bug(X86_BUG_DIV0))
			__set_bit(SPEC_DIV0, &vmon_spec_active);
	}

	vmon_spec_entry_work = vmon_spec(SPEC_L1D_FLUSH) || vmon_spec(SPEC_L1D_FLUSH_SW) ||
			       vmon_spec(SPEC_DIV0);
	vmon_spec_format(line, sizeof(line));
	pr_info("speculation mitigations at VM entry/exit: %s", line);
	return 0;
}

void vmon_spec_unsetup(void)
{
	if (vmon_spec_wrote_l1tf)
		l1tf_vmx_mitigation = VMENTER_L1D_FLUSH_AUTO;
	vmon_spec_wrote_l1tf = false;
	vmon_spec_entry_work = false;
	if (vmon_l1d_pages)
		__free_pages(vmon_l1d_pages, VMON_L1D_FLUSH_ORDER);
	vmon_l1d_pages = NULL;
}

void vmon_spec_vm_destroy(const struct vmon_vm *vm)
{
	int cpu;

	for_each_possible_cpu(cpu)
		cmpxchg(per_cpu_ptr(&vmon_spec_last_vm, cpu), vm, NULL);
}

/*
 * A vCPU of another VM may have trained the indirect branch predictors
 * on this CPU (Spectre v2 between guests): IBPB, as KVM does when it
 * switches VMCS/VMCB, but only when the VM changes (vCPUs of one VM
 * trust each other).
 */
void __vmon_hot vmon_spec_vcpu_load(struct vmon_vcpu *vcpu)
{
	if (likely(this_cpu_read(vmon_spec_last_vm) == vcpu->vm))
		return;
	this_cpu_write(vmon_spec_last_vm, vcpu->vm);
	if (vmon_spec(SPEC_IBPB_VM_SWITCH))
		indirect_branch_prediction_barrier();
}

static void vmon_l1d_flush(void)
{
	const u8 *buf;
	unsigned int i;

	if (vmon_spec(SPEC_L1D_FLUSH)) {
		native_wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
		return;
	}
	buf = page_address(vmon_l1d_pages);
	/* the TLB first, so that the line reads below only fill the L1D */
	for (i = 0; i < VMON_L1D_FLUSH_SIZE; i += PAGE_SIZE)
		(void)READ_ONCE(buf[i]);
	for (i = 0; i < VMON_L1D_FLUSH_SIZE; i += L1_CACHE_BYTES)
		(void)READ_ONCE(buf[i]);
	/* the entry must not overtake the reads */
	rmb();
}

/*
 * Irqs off, right before the entry, when vmon_spec_entry_work says so
 * (vmon_spec_before_entry()).  The VERW that clears the CPU buffers
 * sits in the assembly, after the last load of host data; the L1D flush
 * includes that clear where the CPU has it.
 */
void vmon_spec_entry_flush(struct vmon_vcpu *vcpu)
{
	if (vmon_spec(SPEC_L1D_FLUSH) || vmon_spec(SPEC_L1D_FLUSH_SW))
		vmon_l1d_flush();
	/* AMD erratum 1507: a DIV's quotient could reach the guest (DIV0) */
	if (vmon_spec(SPEC_DIV0))
		amd_clear_divider();
}

/*
 * Called from the entry assembly after the RSB fill, before its RET,
 * where the kernel patched the call in (X86_FEATURE_KERNEL_IBRS).
 * The guest never writes SPEC_CTRL (every MSR access exits: VMX runs
 * without MSR bitmaps, SVM's permission map intercepts all), so the
 * MSR still holds the host's value; but legacy IBRS protects only
 * against predictions made before it was last written, so with
 * KERNEL_IBRS it is written again after every exit (Intel, "Speculative
 * Execution Side Channel Mitigations", IBRS).
 */
void vmon_spec_restore_host(void)
{
	if (cpu_feature_enabled(X86_FEATURE_KERNEL_IBRS)) {
		native_wrmsrl(MSR_IA32_SPEC_CTRL, this_cpu_read(x86_spec_ctrl_current));
		/* no RET may run speculatively before the write */
		barrier_nospec();
	}
}
