// SPDX-License-Identifier: GPL-2.0
/*
 * VMX backend: detection, per-CPU VMX operation (VMXON/VMXOFF), the
 * capabilities and controls chosen at load, the VPID allocator and the
 * ops table the common code calls.
 *
 * References: Intel SDM Vol. 3C chapter 24 (VMX operation), 25 (VMCS),
 * Appendix A (VMX capability reporting).
 */
#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/tsc.h>
#include <asm/tlbflush.h>

#include "compat.h"
#include "vmx_priv.h"

struct vmx_config vmx_config;

/* VMXON region of each CPU (SDM 25.11.5), allocated in hardware_setup */
static DEFINE_PER_CPU(void *, vmxon_region);
static DEFINE_PER_CPU(bool, vmx_on);

void vmx_vmwrite_error(unsigned long field, unsigned long value)
{
	pr_err_ratelimited("vmon: VMWRITE of field 0x%lx (value 0x%lx) failed, VM-instruction error %lu\n",
			   field, value, vmcs_read(VM_INSTRUCTION_ERROR));
}

/*
 * SDM A.3-A.5: the low half of a control MSR is the allowed 0-settings
 * (a 1 there forces the control on), the high half the allowed
 * 1-settings.  Returns the controls to use, or -1 through *ok = false
 * when a required control is not available.
 */
static u32 vmx_adjust_controls(u32 msr, u32 wanted, u32 required, bool *ok)
{
	u64 caps;
	u32 ctl;

	rdmsrl(msr, caps);
	ctl = (wanted | (u32)caps) & (u32)(caps >> 32);
	if ((ctl & required) != required)
		*ok = false;
	return ctl;
}

/*
 * The longest stretch of guest time between two trips through the run
 * loop.  Shorter bounds signal and kick latency on Bochs more tightly at
 * the cost of more exits of a spinning guest; the rig's long fuzzer uses
 * 100 (Documentation/testing.rst, "Fuzzing").
 */
static unsigned int preemption_timer_us = 1000;
module_param(preemption_timer_us, uint, 0444);
MODULE_PARM_DESC(preemption_timer_us,
		 "VMX: longest guest stint in microseconds before the VMX-preemption timer ends it (10-100000, default 1000)");

/*
 * A guest's time on the CPU must end when the host needs the CPU: for
 * a pending signal, a kick (vmon_vm_kick_all()) or the scheduler.  The
 * architecture ends it with the host interrupt that announces the
 * need: with "external-interrupt exiting" set, RFLAGS.IF does not block
 * external interrupts in VMX non-root operation (SDM 26.4.1), so even
 * a guest spinning with interrupts off exits (SDM 26.2).
 *
 * Bochs 2.7, our only VT-x machine, gets this wrong.  It keeps INTR
 * masked per EFLAGS.IF and recomputes the mask only when IF changes
 * (handleInterruptMaskChange() from setEFlags()/CLI/STI).  VM entry
 * loads the guest's RFLAGS before it marks the CPU as in non-root
 * operation, so a guest entered with IF = 0 keeps INTR masked whatever
 * the host's IF was, until the guest itself executes STI: a guest that
 * spins with IF = 0 never exits and the host CPU is lost.  Entering
 * with host IF = 1 under the STI shadow does not help there: the IF
 * 1 -> 0 change at entry is judged as root operation and masks INTR.
 *
 * The VMX-preemption timer (SDM 26.5.1) ends the guest's stint after
 * preemption_timer_us regardless of RFLAGS.IF, with exit reason
 * 52 that exit.c handles like an external interrupt: the run loop
 * enables interrupts, takes what is pending and looks at signals and
 * need_resched().  It bounds the latency of signals, kicks and host
 * scheduling for any guest on any implementation, at the cost of one
 * exit per preemption_timer_us of uninterrupted guest time.  Every
 * entry loads it afresh from the VMCS field written once per vCPU
 * (vmx_write_controls()), so it never fires in a guest that exits more
 * often anyway.  The timer counts down at the
 * TSC rate divided by 2^IA32_VMX_MISC[4:0] (SDM 26.5.1, A.6).
 */
static void vmx_setup_preemption_timer(struct vmx_config *c)
{
	/* the TSC frequency; 0 only without a usable TSC: assume 1 GHz */
	u64 khz = tsc_khz ? tsc_khz : 1000000;
	u64 misc, ticks;

	c->preemption_timer = 0;
	if (!(c->pin & PIN_BASED_VMX_PREEMPTION_TIMER)) {
		pr_info("vmon: VT-x has no VMX-preemption timer: a guest that runs with interrupts off relies on external-interrupt exiting alone\n");
		return;
	}
	rdmsrl(MSR_IA32_VMX_MISC, misc);
	preemption_timer_us = clamp_val(preemption_timer_us, 10, 100000);
	ticks = div_u64(khz * preemption_timer_us, 1000) >>
		VMX_CAP_MISC_TIMER_RATE(misc);
	/* 0 would exit before the guest's first instruction (SDM 27.7.4) */
	c->preemption_timer = clamp_val(ticks, 1, U32_MAX);
	pr_info("vmon: VMX-preemption timer: %u ticks per guest stint (%u us at %llu kHz / 2^%llu)\n",
		c->preemption_timer, preemption_timer_us, khz,
		VMX_CAP_MISC_TIMER_RATE(misc));
}

/*
 * SDM 25.6.2 / 26.1.3: with "PAUSE-loop exiting", a PAUSE at CPL 0 exits
 * when the PAUSEs of one loop (each within PLE_Gap TSC cycles of the
 * last) have gone on for more than PLE_Window cycles; spin.c then
 * yields to a sibling vCPU.  KVM's defaults: a gap of 128 cycles, a
 * window of 4096.
 */
static void vmx_setup_pause_loop(struct vmx_config *c)
{
	if (!vmon_pause_exiting)
		c->proc2 &= ~SECONDARY_EXEC_PAUSE_LOOP_EXITING;
	if (c->proc2 & SECONDARY_EXEC_PAUSE_LOOP_EXITING) {
		pr_info("vmon: VT-x PAUSE-loop exiting: gap %u, window %u TSC cycles\n",
			VMX_PLE_GAP, VMX_PLE_WINDOW);
		return;
	}
	if (vmon_pause_exiting)
		pr_info("vmon: VT-x has no PAUSE-loop exiting: a vCPU spinning on PAUSE keeps its CPU until the host's tick\n");
	vmon_pause_exiting = false;
}

static bool vmx_setup_config(void)
{
	struct vmx_config *c = &vmx_config;
	bool true_ctls, ok = true;
	u64 basic, proc2_caps;
	u32 required;

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	c->revision_id = vmx_basic_vmcs_revision_id(basic);
	c->vmcs_size = vmx_basic_vmcs_size(basic);
	c->io_insn_info = basic & VMX_BASIC_INOUT;
	/* SDM A.1: VMX_BASIC[55] says the IA32_VMX_TRUE_*_CTLS MSRs exist */
	true_ctls = basic & VMX_BASIC_TRUE_CTLS;

	if (c->vmcs_size > PAGE_SIZE || (basic & VMX_CAP_BASIC_32BIT_ADDR) ||
	    VMX_CAP_BASIC_MEM_TYPE(basic) != VMX_CAP_MEM_TYPE_WB) {
		pr_err("vmon: VT-x: unsupported VMX_BASIC 0x%llx (need VMCS <= 4 KiB, write-back, 64-bit addresses)\n",
		       basic);
		return false;
	}

	/*
	 * SDM 25.6.1: exit on host interrupts and NMIs; virtual NMIs and
	 * the VMX-preemption timer (vmx_setup_preemption_timer()) if offered.
	 */
	required = PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING;
	c->pin = vmx_adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
				     MSR_IA32_VMX_PINBASED_CTLS,
				     required | PIN_BASED_VIRTUAL_NMIS |
				     PIN_BASED_VMX_PREEMPTION_TIMER, required, &ok);
	vmx_setup_preemption_timer(c);
	vmx_events_setup();

	/*
	 * SDM 25.6.2.  No MSR bitmap: with "use MSR bitmaps" = 0 every
	 * RDMSR/WRMSR exits (SDM 26.1.3), the same as an all-ones bitmap
	 * without the page; the common code emulates them.  Unconditional
	 * I/O exiting likewise instead of all-ones I/O bitmaps.  MOV CR8
	 * exits because without a TPR shadow it would write the host's
	 * local APIC TPR; MOV DR exits because DR0-3/DR6 are not switched.
	 * RDPMC, MONITOR and MWAIT would reach host hardware: they exit.
	 */
	required = CPU_BASED_HLT_EXITING | CPU_BASED_UNCOND_IO_EXITING |
		   CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING |
		   CPU_BASED_MOV_DR_EXITING | CPU_BASED_USE_TSC_OFFSETTING |
		   CPU_BASED_RDPMC_EXITING | CPU_BASED_MWAIT_EXITING |
		   CPU_BASED_MONITOR_EXITING | CPU_BASED_ACTIVATE_SECONDARY_CONTROLS;
	c->proc = vmx_adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				      MSR_IA32_VMX_PROCBASED_CTLS, required, required, &ok);
	if (!ok) {
		pr_err("vmon: VT-x lacks required pin-based/processor-based controls\n");
		return false;
	}

	rdmsrl(MSR_IA32_VMX_PROCBASED_CTLS2, proc2_caps);
	rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, c->ept_vpid_cap);
	required = SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_UNRESTRICTED_GUEST;
	c->proc2 = vmx_adjust_controls(MSR_IA32_VMX_PROCBASED_CTLS2,
				       required | SECONDARY_EXEC_ENABLE_VPID |
				       SECONDARY_EXEC_WBINVD_EXITING |
				       SECONDARY_EXEC_PAUSE_LOOP_EXITING, required, &ok);
	if (!ok) {
		pr_err("vmon: VT-x lacks EPT or unrestricted guest (secondary controls 0x%llx)\n",
		       proc2_caps >> 32);
		return false;
	}
	/* SDM A.10: 4-level walk, write-back EPT structures, INVEPT */
	if (!(c->ept_vpid_cap & VMX_EPT_PAGE_WALK_4_BIT) ||
	    !(c->ept_vpid_cap & VMX_EPTP_WB_BIT) ||
	    !(c->ept_vpid_cap & VMX_EPT_INVEPT_BIT) ||
	    !(c->ept_vpid_cap & (VMX_EPT_EXTENT_CONTEXT_BIT | VMX_EPT_EXTENT_GLOBAL_BIT))) {
		pr_err("vmon: VT-x EPT lacks a 4-level walk, write-back memory type or INVEPT (IA32_VMX_EPT_VPID_CAP 0x%llx)\n",
		       c->ept_vpid_cap);
		return false;
	}
	c->invept_single = c->ept_vpid_cap & VMX_EPT_EXTENT_CONTEXT_BIT;
	c->invept_global = c->ept_vpid_cap & VMX_EPT_EXTENT_GLOBAL_BIT;

	/* VPID only with INVVPID (SDM 29.4.3.3) to flush what a vCPU left behind */
	c->invvpid_single = (c->ept_vpid_cap >> 32) & VMX_VPID_EXTENT_SINGLE_CONTEXT_BIT;
	c->invvpid_global = (c->ept_vpid_cap >> 32) & VMX_VPID_EXTENT_GLOBAL_CONTEXT_BIT;
	c->vpid = (c->proc2 & SECONDARY_EXEC_ENABLE_VPID) &&
		  ((c->ept_vpid_cap >> 32) & VMX_VPID_INVVPID_BIT) &&
		  (c->invvpid_single || c->invvpid_global);
	if (!c->vpid)
		c->proc2 &= ~SECONDARY_EXEC_ENABLE_VPID;
	vmx_setup_pause_loop(c);

	/*
	 * SDM 25.7.1 / 25.8.1.  No "acknowledge interrupt on exit": a host
	 * interrupt stays pending in the local APIC and is taken through
	 * the host IDT as soon as the run loop enables interrupts.  The
	 * guest's EFER must never reach the host: save and load EFER.
	 */
	required = VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_IA32_EFER |
		   VM_EXIT_LOAD_IA32_EFER | VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT |
		   VM_EXIT_SAVE_DEBUG_CONTROLS;
	c->exit = vmx_adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
				      MSR_IA32_VMX_EXIT_CTLS, required, required, &ok);
	c->exit &= ~VM_EXIT_ACK_INTR_ON_EXIT;
	/* guest DR7/DEBUGCTL come from the VMCS, never from the host */
	required = VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT | VM_ENTRY_LOAD_DEBUG_CONTROLS;
	c->entry = vmx_adjust_controls(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
				       MSR_IA32_VMX_ENTRY_CTLS, required, required, &ok);
	/* set per vCPU from EFER.LMA (SDM 26.3.1.1) */
	c->entry &= ~VM_ENTRY_IA32E_MODE;
	if (!ok) {
		pr_err("vmon: VT-x lacks the VM-exit/VM-entry controls to switch EFER and PAT\n");
		return false;
	}

	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, c->cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, c->cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, c->cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, c->cr4_fixed1);
	rdmsrl(MSR_IA32_CR_PAT, c->host_pat);
	return true;
}

/*
 * SDM 24.7: VMXON needs IA32_FEATURE_CONTROL locked with "VMXON outside
 * SMX" set.  Firmware normally locks it; if it did not, lock it with
 * VMX enabled, as the kernel's own feat_ctl code does at boot.
 */
static int vmx_feature_control(bool report)
{
	u64 fc;

	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &fc))
		return -ENODEV;
	if (!(fc & FEAT_CTL_LOCKED)) {
		fc |= FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX;
		if (wrmsrl_safe(MSR_IA32_FEAT_CTL, fc))
			return -EIO;
	}
	if (!(fc & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		if (report)
			pr_err("vmon: VT-x is disabled by firmware (enable Intel Virtualization Technology in the BIOS setup)\n");
		return -EPERM;
	}
	return 0;
}

static int vmx_check_support(void)
{
	int ret;

	/*
	 * Raw CPUID.1:ECX[5] (SDM 24.6), not X86_FEATURE_VMX: the kernel
	 * clears that flag when firmware disabled VMX, which is a
	 * different error.
	 */
	if (!(cpuid_ecx(1) & BIT(5))) {
		pr_info("vmon: no Intel VT-x on this CPU (CPUID.1:ECX.VMX is clear)\n");
		return -ENODEV;
	}
	ret = vmx_feature_control(true);
	if (ret)
		return ret;
	if (cr4_read_shadow() & X86_CR4_VMXE) {
		pr_err("vmon: VT-x is in use by another hypervisor (CR4.VMXE is set, e.g. by kvm_intel): "
		       VMON_KVM_ADVICE("kvm_intel") "\n");
		return -EBUSY;
	}
	if (!vmx_setup_config())
		return -EOPNOTSUPP;
	return 0;
}

static int vmx_hardware_setup(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct page *page = alloc_pages_node(cpu_to_node(cpu),
						     GFP_KERNEL | __GFP_ZERO, 0);

		if (!page)
			goto fail;
		/* SDM 25.11.5: the VMXON region starts with the revision id */
		*(u32 *)page_address(page) = vmx_config.revision_id;
		per_cpu(vmxon_region, cpu) = page_address(page);
	}
	return 0;
fail:
	for_each_possible_cpu(cpu) {
		free_page((unsigned long)per_cpu(vmxon_region, cpu));
		per_cpu(vmxon_region, cpu) = NULL;
	}
	return -ENOMEM;
}

static void vmx_hardware_unsetup(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		free_page((unsigned long)per_cpu(vmxon_region, cpu));
		per_cpu(vmxon_region, cpu) = NULL;
	}
}

static bool vmx_fixed_ok(u64 value, u64 fixed0, u64 fixed1)
{
	return (value & fixed0) == fixed0 && !(value & ~fixed1);
}

/* cpuhp: enter VMX operation on this CPU (SDM 24.7, 24.8) */
static int vmx_cpu_enable(void)
{
	phys_addr_t pa = __pa(this_cpu_read(vmxon_region));
	int cpu = smp_processor_id();
	int ret;

	if (this_cpu_read(vmx_on))
		return 0;
	ret = vmx_feature_control(false);
	if (ret) {
		pr_err("vmon: CPU %d: VT-x disabled by IA32_FEATURE_CONTROL\n", cpu);
		return ret;
	}
	if (cr4_read_shadow() & X86_CR4_VMXE) {
		pr_err("vmon: CPU %d: CR4.VMXE already set: another hypervisor (kvm_intel?) owns VT-x\n",
		       cpu);
		return -EBUSY;
	}
	cr4_set_bits(X86_CR4_VMXE);
	/* SDM 24.8: CR0 and CR4 must honour the fixed bits while in VMX operation */
	if (!vmx_fixed_ok(read_cr0(), vmx_config.cr0_fixed0, vmx_config.cr0_fixed1) ||
	    !vmx_fixed_ok(__read_cr4(), vmx_config.cr4_fixed0, vmx_config.cr4_fixed1)) {
		pr_err("vmon: CPU %d: CR0 0x%lx / CR4 0x%lx violate the VMX fixed bits\n",
		       cpu, read_cr0(), __read_cr4());
		ret = -EIO;
		goto fail;
	}

	/* a fault (#GP, #UD) lands on 2: like a VMfail */
	asm goto("1: vmxon %[pa]\n\t"
		 "jbe %l[fail_vmxon]\n\t"
		 "jmp 3f\n\t"
		 "2: jmp %l[fail_vmxon]\n\t"
		 "3:\n\t"
		 _ASM_EXTABLE(1b, 2b)
		 : : [pa] "m"(pa) : "memory", "cc" : fail_vmxon);
	this_cpu_write(vmx_on, true);
	vmx_vmcs_init_percpu();
	/* drop whatever guest-physical mappings a previous owner left (SDM 29.4.3.4) */
	vmx_ept_flush_all();
	return 0;

fail_vmxon:
	pr_err("vmon: CPU %d: VMXON failed\n", cpu);
	ret = -EIO;
fail:
	cr4_clear_bits(X86_CR4_VMXE);
	return ret;
}

/* cpuhp: clear every VMCS still active here, then leave VMX operation */
static void vmx_cpu_disable(void)
{
	if (!this_cpu_read(vmx_on))
		return;
	vmx_clear_cpu_vmcss();
	asm volatile("1: vmxoff\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b) : : : "memory", "cc");
	this_cpu_write(vmx_on, false);
	cr4_clear_bits(X86_CR4_VMXE);
}

/* SDM 31.3 VMCLEAR: false on VMfail */
bool vmx_vmclear(phys_addr_t pa)
{
	bool fail;

	asm volatile("vmclear %1" CC_SET(na) : CC_OUT(na)(fail) : "m"(pa) : "memory", "cc");
	return !fail;
}

/* VPIDs 1..65535; 0 tags the host's own translations (SDM 29.1) */
static DECLARE_BITMAP(vmx_vpid_bitmap, VMX_NR_VPIDS);
static DEFINE_SPINLOCK(vmx_vpid_lock);

u16 vmx_vpid_alloc(void)
{
	unsigned long vpid;

	if (!vmx_config.vpid)
		return 0;
	spin_lock(&vmx_vpid_lock);
	vpid = find_next_zero_bit(vmx_vpid_bitmap, VMX_NR_VPIDS, 1);
	if (vpid < VMX_NR_VPIDS)
		__set_bit(vpid, vmx_vpid_bitmap);
	else
		vpid = 0;	/* run untagged: every entry/exit then flushes */
	spin_unlock(&vmx_vpid_lock);
	return vpid;
}

void vmx_vpid_free(u16 vpid)
{
	if (!vpid)
		return;
	spin_lock(&vmx_vpid_lock);
	__clear_bit(vpid, vmx_vpid_bitmap);
	spin_unlock(&vmx_vpid_lock);
}

static void vmx_get_caps(struct vmon_caps *caps)
{
	caps->backend = VMON_BACKEND_VMX;
	caps->flags = VMON_CAP_TDP | VMON_CAP_UNRESTRICTED_GUEST;
	if (vmx_config.vpid)
		caps->flags |= VMON_CAP_VPID;
	if (boot_cpu_has(X86_FEATURE_XSAVE))
		caps->flags |= VMON_CAP_XSAVE;
	caps->tdp_levels = vmx_ept_format.levels;
	caps->host_paging_levels = (__read_cr4() & X86_CR4_LA57) ? 5 : 4;
}

static const struct vmon_tdp_format *vmx_tdp_format(void)
{
	return &vmx_ept_format;
}

const struct vmon_backend_ops vmx_backend_ops = {
	.name = "vmx",
	.id = VMON_BACKEND_VMX,
	.vm_size = sizeof(struct vmx_vm),
	.vcpu_size = sizeof(struct vmx_vcpu),

	.check_support = vmx_check_support,
	.hardware_setup = vmx_hardware_setup,
	.hardware_unsetup = vmx_hardware_unsetup,
	.cpu_enable = vmx_cpu_enable,
	.cpu_disable = vmx_cpu_disable,
	.get_caps = vmx_get_caps,
	.tdp_format = vmx_tdp_format,
	.exit_name = vmx_exit_name,

	.vm_init = vmx_vm_init,
	.vm_destroy = vmx_vm_destroy,

	.vcpu_init = vmx_vcpu_init,
	.vcpu_destroy = vmx_vcpu_destroy,
	.vcpu_load = vmx_vcpu_load,
	.vcpu_put = vmx_vcpu_put,
	.flush_tlb = vmx_flush_tlb,
	.run = vmx_run,
	.skip_instruction = vmx_skip_instruction,
	.queue_exception = vmx_queue_exception,
	.event_pending = vmx_event_pending,
	.interrupt_allowed = vmx_interrupt_allowed,
	.nmi_allowed = vmx_nmi_allowed,
	.inject_irq = vmx_inject_irq,
	.inject_nmi = vmx_inject_nmi,
	.set_event_windows = vmx_set_event_windows,
	.dump_state = vmx_dump_state,
	.state_field_name = vmx_state_field_name,
	.check_guest_state = vmx_check_guest_state,
	.get_sregs = vmx_get_sregs,
	.set_sregs = vmx_set_sregs,
	.get_fetch_state = vmx_get_fetch_state,
	.get_msr = vmx_get_msr,
	.set_msr = vmx_set_msr,
	.get_cr8 = vmx_get_cr8,
	.set_cr8 = vmx_set_cr8,
};
