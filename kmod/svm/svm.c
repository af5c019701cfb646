// SPDX-License-Identifier: GPL-2.0
/*
 * AMD-V (SVM) backend: detection, per-CPU enable/disable, capabilities,
 * the ASID allocator and the vCPU life cycle.  The VMCB and the world
 * switch are in vmcb.c and vmrun.S, exit decoding in exit.c, nested
 * page table entries in npt.c, register state in state.c, the guard
 * against QEMU TCG's EFER.LME #VMEXIT bug in lme_guard.c.
 *
 * Section numbers refer to the AMD64 Architecture Programmer's Manual
 * Vol. 2 (APM), chapter 15 "Secure Virtual Machine".
 */
#define pr_fmt(fmt) "vmon: " fmt

#include <linux/build_bug.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/pgtable.h>
#include <asm/processor.h>

#include "compat.h"
#include "core.h"
#include "spec.h"
#include "svm.h"

DEFINE_PER_CPU(struct svm_cpu_data, svm_cpu_data);
struct svm_features svm_features;

/* CPUID Fn8000_000A_EDX feature bits (APM Vol. 3, appendix E.4.9) */
#define SVM_CPUID_NP		BIT(0)
#define SVM_CPUID_NRIPS		BIT(3)
#define SVM_CPUID_FLUSH_BY_ASID	BIT(6)
#define SVM_CPUID_DECODE_ASSISTS	BIT(7)
#define SVM_CPUID_PAUSE_FILTER	BIT(10)
#define SVM_CPUID_PAUSE_THRESHOLD	BIT(12)
/* CPUID Fn8000_0001_ECX[2]: SVM */
#define SVM_CPUID_SVM		BIT(2)

/*
 * APM 15.4 "Enabling SVM": the CPU must have SVM (CPUID 8000_0001h
 * ECX[2]) and firmware must not have set VM_CR.SVMDIS.  vmon also
 * requires nested paging (CPUID 8000_000Ah EDX[0], APM 15.25): guest
 * memory is only ever reached through the NPT built by tdp.c.
 */
static int svm_check_support(void)
{
	u64 vm_cr, efer;

	if (cpuid_eax(0x80000000) < 0x8000000a ||
	    !(cpuid_ecx(0x80000001) & SVM_CPUID_SVM)) {
		/* not an error: on an Intel host the VMX backend is the one */
		pr_info("the CPU has no AMD-V (SVM)\n");
		return -ENODEV;
	}
	if (!(cpuid_edx(0x8000000a) & SVM_CPUID_NP)) {
		pr_info("AMD-V without nested paging (NPT) is not supported\n");
		return -ENODEV;
	}
	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & SVM_VM_CR_SVM_DIS_MASK) {
		pr_err("AMD-V is disabled by firmware (enable SVM in the BIOS setup)\n");
		return -EPERM;
	}
	/* EFER.SVME set by someone else: their VMCBs and HSAVE are live */
	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		pr_err("AMD-V is in use by another hypervisor (EFER.SVME is set, e.g. by kvm_amd): "
		       VMON_KVM_ADVICE("kvm_amd") "\n");
		return -EBUSY;
	}
	return 0;
}

static void svm_free_cpu_data(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu_data *sd = per_cpu_ptr(&svm_cpu_data, cpu);

		if (sd->hsave)
			__free_page(sd->hsave);
		if (sd->host_save)
			__free_page(sd->host_save);
		sd->hsave = NULL;
		sd->host_save = NULL;
	}
}

/*
 * APM Vol. 2 15.14.4: with the pause filter, the PAUSE intercept exits
 * only after PAUSE_FILTER_COUNT PAUSEs (reloaded at each VMRUN); with
 * the threshold as well, a gap of more than PAUSE_FILTER_THRESHOLD
 * cycles between two PAUSEs starts the count again, so only a tight
 * loop exits.  spin.c then yields to a sibling vCPU.  Without the
 * filter every PAUSE would exit, which costs a guest's spinlocks an
 * exit per iteration: vmon, as KVM, does not intercept PAUSE then.
 */
static void svm_setup_pause_filter(u32 edx)
{
	svm_features.pause_filter = vmon_pause_exiting && (edx & SVM_CPUID_PAUSE_FILTER);
	svm_features.pause_threshold = svm_features.pause_filter &&
				       (edx & SVM_CPUID_PAUSE_THRESHOLD);
	if (svm_features.pause_filter) {
		pr_info("AMD-V pause filter: count %u, threshold %u cycles\n",
			SVM_PAUSE_FILTER_COUNT,
			svm_features.pause_threshold ? SVM_PAUSE_FILTER_THRESHOLD : 0);
		return;
	}
	if (vmon_pause_exiting)
		pr_info("AMD-V has no pause filter (CPUID Fn8000_000A_EDX[10]): a vCPU spinning on PAUSE keeps its CPU until the host's tick\n");
	vmon_pause_exiting = false;
}

static int svm_hardware_setup(void)
{
	u32 edx = cpuid_edx(0x8000000a);
	u32 nasid = cpuid_ebx(0x8000000a);
	int cpu, ret;

	/* ASID 0 is the host's (APM 15.16); VMRUN with ASID 0 fails */
	if (nasid < 2) {
		pr_err("AMD-V reports %u ASIDs, need at least 2\n", nasid);
		return -ENODEV;
	}
	svm_features.max_asid = nasid - 1;
	svm_features.nrips = edx & SVM_CPUID_NRIPS;
	svm_features.flush_by_asid = edx & SVM_CPUID_FLUSH_BY_ASID;
	svm_features.decode_assists = edx & SVM_CPUID_DECODE_ASSISTS;
	svm_features.host_levels = pgtable_l5_enabled() ? 5 : 4;
	svm_setup_pause_filter(edx);

	for_each_possible_cpu(cpu) {
		struct svm_cpu_data *sd = per_cpu_ptr(&svm_cpu_data, cpu);
		int node = cpu_to_node(cpu);

		sd->hsave = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO, 0);
		sd->host_save = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO, 0);
		if (!sd->hsave || !sd->host_save) {
			ret = -ENOMEM;
			goto free_cpu_data;
		}
		sd->host_save_pa = page_to_phys(sd->host_save);
	}
	ret = svm_alloc_permission_maps();
	if (ret)
		goto free_cpu_data;
	svm_npt_setup();
	return 0;

free_cpu_data:
	svm_free_cpu_data();
	return ret;
}

static void svm_hardware_unsetup(void)
{
	svm_free_permission_maps();
	svm_free_cpu_data();
}

/* APM 15.4: EFER.SVME on, then VM_HSAVE_PA (APM 15.30.4) */
static int svm_cpu_enable(void)
{
	struct svm_cpu_data *sd = this_cpu_ptr(&svm_cpu_data);
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		pr_err("CPU %d: EFER.SVME is already set: another hypervisor (kvm_amd?) owns AMD-V; 'rmmod kvm_amd' first\n",
		       smp_processor_id());
		return -EBUSY;
	}
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(sd->hsave));
	/*
	 * Whatever another user of SVM left tagged in the TLB: start a new
	 * ASID generation whose first allocation flushes every ASID.
	 */
	sd->asid_generation++;
	sd->next_asid = svm_features.max_asid + 1;
	sd->enabled = true;
	return 0;
}

static void svm_cpu_disable(void)
{
	struct svm_cpu_data *sd = this_cpu_ptr(&svm_cpu_data);
	u64 efer;

	if (!sd->enabled)
		return;
	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	sd->enabled = false;
}

/*
 * Called with interrupts off before each entry.  A vCPU keeps its ASID
 * while it stays on one CPU within one generation; a new ASID never
 * holds stale translations of this generation, but the entry flushes
 * it anyway (flush-by-ASID, or everything when the CPU lacks that) so
 * that correctness does not hinge on the generation bookkeeping.
 */
void __vmon_hot svm_assign_asid(struct svm_vcpu *svm, struct svm_cpu_data *sd)
{
	struct vmcb_control_area *ctl = &svm->vmcb->control;

	if (svm->asid_generation != sd->asid_generation) {
		if (sd->next_asid > svm_features.max_asid) {
			sd->asid_generation++;
			sd->next_asid = 1;
			ctl->tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
		}
		ctl->asid = sd->next_asid++;
		svm->asid_generation = sd->asid_generation;
		svm->flush_asid = true;
	}
	if (svm->flush_asid) {
		/* APM 15.16.1: TLB_CONTROL 3 flushes this guest's ASID only */
		if (ctl->tlb_ctl != TLB_CONTROL_FLUSH_ALL_ASID)
			ctl->tlb_ctl = svm_features.flush_by_asid ?
				       TLB_CONTROL_FLUSH_ASID : TLB_CONTROL_FLUSH_ALL_ASID;
		svm->flush_asid = false;
	}
}

static void svm_get_caps(struct vmon_caps *caps)
{
	caps->backend = VMON_BACKEND_SVM;
	/* the run loop (fpu.c) switches XCR0 and the XSAVE state */
	caps->flags |= VMON_CAP_TDP | VMON_CAP_ASID | VMON_CAP_XSAVE;
	if (svm_features.nrips)
		caps->flags |= VMON_CAP_NRIPS;
	caps->tdp_levels = svm_features.host_levels;
	caps->host_paging_levels = svm_features.host_levels;
}

static int svm_vm_init(struct vmon_vm *vm)
{
	/* nCR3 must name a page-aligned root (APM 15.25.4) */
	if (!vm->tdp.root || !PAGE_ALIGNED(vm->tdp.root_pa))
		return -EINVAL;
	return 0;
}

static void svm_vm_destroy(struct vmon_vm *vm)
{
}

static int svm_vcpu_init(struct vmon_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct page *page;

	BUILD_BUG_ON(offsetof(struct svm_vcpu, vcpu) != 0);
	BUILD_BUG_ON(offsetof(struct vmon_regs, rbx) != SVM_REGS_RBX);
	BUILD_BUG_ON(offsetof(struct vmon_regs, rcx) != SVM_REGS_RCX);
	BUILD_BUG_ON(offsetof(struct vmon_regs, rdx) != SVM_REGS_RDX);
	BUILD_BUG_ON(offsetof(struct vmon_regs, rsi) != SVM_REGS_RSI);
	BUILD_BUG_ON(offsetof(struct vmon_regs, rdi) != SVM_REGS_RDI);
	BUILD_BUG_ON(offsetof(struct vmon_regs, rbp) != SVM_REGS_RBP);
	BUILD_BUG_ON(offsetof(struct vmon_regs, r8) != SVM_REGS_R8);
	BUILD_BUG_ON(offsetof(struct vmon_regs, r9) != SVM_REGS_R9);
	BUILD_BUG_ON(offsetof(struct vmon_regs, r10) != SVM_REGS_R10);
	BUILD_BUG_ON(offsetof(struct vmon_regs, r11) != SVM_REGS_R11);
	BUILD_BUG_ON(offsetof(struct vmon_regs, r12) != SVM_REGS_R12);
	BUILD_BUG_ON(offsetof(struct vmon_regs, r13) != SVM_REGS_R13);
	BUILD_BUG_ON(offsetof(struct vmon_regs, r14) != SVM_REGS_R14);
	BUILD_BUG_ON(offsetof(struct vmon_regs, r15) != SVM_REGS_R15);
	BUILD_BUG_ON(sizeof(struct vmcb) > PAGE_SIZE);

	/* the VMCB is one 4 KiB aligned page (APM 15.5.1) */
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	svm->last_cpu = -1;
	svm->asid_generation = 0;
	svm_init_vmcb(svm);
	return 0;
}

static void svm_vcpu_destroy(struct vmon_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	if (svm->vmcb)
		free_page((unsigned long)svm->vmcb);
	svm->vmcb = NULL;
}

/*
 * A VMCB is not tied to a CPU the way a VMCS is, but what surrounds it
 * is: the host save area of the new CPU is picked up by svm_run(), the
 * ASID is per CPU, and the VMCB's cached state must not be trusted on
 * another CPU (APM 15.15.1: clean bits; vmon keeps them zero anyway).
 */
static void __vmon_hot svm_vcpu_load(struct vmon_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	int cpu = smp_processor_id();

	vmon_spec_vcpu_load(vcpu);
	if (svm->last_cpu != cpu) {
		svm->last_cpu = cpu;
		svm->asid_generation = 0;	/* new ASID on this CPU */
		svm->flush_asid = true;
		svm->vmcb->control.clean = 0;
	}
}

static void __vmon_hot svm_vcpu_put(struct vmon_vcpu *vcpu)
{
}

static void svm_flush_tlb(struct vmon_vcpu *vcpu)
{
	to_svm(vcpu)->flush_asid = true;
}

const struct vmon_backend_ops svm_backend_ops = {
	.name			= "svm",
	.id			= VMON_BACKEND_SVM,
	.vm_size		= sizeof(struct vmon_vm),
	.vcpu_size		= sizeof(struct svm_vcpu),

	.check_support		= svm_check_support,
	.hardware_setup		= svm_hardware_setup,
	.hardware_unsetup	= svm_hardware_unsetup,
	.cpu_enable		= svm_cpu_enable,
	.cpu_disable		= svm_cpu_disable,
	.get_caps		= svm_get_caps,
	.tdp_format		= svm_npt_format,
	.exit_name		= svm_exit_name,

	.vm_init		= svm_vm_init,
	.vm_destroy		= svm_vm_destroy,

	.vcpu_init		= svm_vcpu_init,
	.vcpu_destroy		= svm_vcpu_destroy,
	.vcpu_load		= svm_vcpu_load,
	.vcpu_put		= svm_vcpu_put,
	.flush_tlb		= svm_flush_tlb,
	.run			= svm_run,

	.skip_instruction	= svm_skip_instruction,
	.queue_exception	= svm_queue_exception,
	.event_pending		= svm_event_pending,
	.interrupt_allowed	= svm_interrupt_allowed,
	.nmi_allowed		= svm_nmi_allowed,
	.inject_irq		= svm_inject_irq,
	.inject_nmi		= svm_inject_nmi,
	.set_event_windows	= svm_set_event_windows,
	.dump_state		= svm_dump_state,
	.state_field_name	= svm_state_field_name,
	.check_guest_state	= svm_check_guest_state,

	.get_sregs		= svm_get_sregs,
	.set_sregs		= svm_set_sregs,
	.get_fetch_state	= svm_get_fetch_state,
	.get_msr		= svm_get_msr,
	.set_msr		= svm_set_msr,
	.get_cr8		= svm_get_cr8,
	.set_cr8		= svm_set_cr8,
};
