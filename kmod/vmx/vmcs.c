// SPDX-License-Identifier: GPL-2.0
/*
 * The VMCS of a vCPU: allocation, execution/exit/entry controls, host
 * state, the architectural reset state of the guest, and the "loaded
 * VMCS" bookkeeping that lets a vCPU thread migrate between CPUs.
 *
 * A VMCS is active on at most one CPU at a time (SDM 25.1): before it
 * can be made current elsewhere it must be VMCLEARed on the CPU that
 * last used it, which flushes the processor's cached copy to memory.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <asm/cpu_entry_area.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "spec.h"
#include "vmx_priv.h"

/* VMCSs active on each CPU, so that cpu_disable can VMCLEAR them */
static DEFINE_PER_CPU(struct list_head, vmx_loaded_vmcss);
/* the current VMCS of each CPU (VMPTRLD), to skip redundant loads */
static DEFINE_PER_CPU(struct vmx_vcpu *, vmx_current);

static const u32 vmx_switched_msr_index[VMX_NR_SWITCHED_MSRS] = {
	[VMX_MSR_STAR] = MSR_STAR,
	[VMX_MSR_LSTAR] = MSR_LSTAR,
	[VMX_MSR_CSTAR] = MSR_CSTAR,
	[VMX_MSR_SFMASK] = MSR_SYSCALL_MASK,
	[VMX_MSR_KERNEL_GS_BASE] = MSR_KERNEL_GS_BASE,
};

/* cpu_enable: runs on the CPU concerned */
void vmx_vmcs_init_percpu(void)
{
	INIT_LIST_HEAD(this_cpu_ptr(&vmx_loaded_vmcss));
	this_cpu_write(vmx_current, NULL);
}

static bool vmx_vmptrld(phys_addr_t pa)
{
	bool fail;

	asm volatile("vmptrld %1" CC_SET(na) : CC_OUT(na)(fail) : "m"(pa) : "memory", "cc");
	return !fail;
}

/* irqs off, on the CPU where the VMCS is active */
static void __vmx_vmcs_clear(struct vmx_vcpu *vmx)
{
	if (!vmx_vmclear(vmx->vmcs_pa))
		pr_err_ratelimited("vmon: VMCLEAR of vCPU %u failed\n", vmx->vcpu.id);
	if (this_cpu_read(vmx_current) == vmx)
		this_cpu_write(vmx_current, NULL);
	list_del(&vmx->loaded_link);
	vmx->launched = false;
	/* the list update must be visible before another CPU sees -1 and loads it */
	smp_wmb();
	WRITE_ONCE(vmx->loaded_cpu, -1);
}

static void vmx_vmcs_clear_ipi(void *arg)
{
	struct vmx_vcpu *vmx = arg;

	/* cpu_disable may have cleared it already */
	if (READ_ONCE(vmx->loaded_cpu) == smp_processor_id())
		__vmx_vmcs_clear(vmx);
}

/* irqs on: VMCLEAR the vCPU's VMCS on the CPU where it is active */
static void vmx_vmcs_clear(struct vmx_vcpu *vmx)
{
	int cpu = READ_ONCE(vmx->loaded_cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_vmcs_clear_ipi, vmx, 1);
}

/* cpu_disable: VMCLEAR everything active here before VMXOFF (SDM 24.11) */
void vmx_clear_cpu_vmcss(void)
{
	struct list_head *head = this_cpu_ptr(&vmx_loaded_vmcss);
	struct vmx_vcpu *vmx, *tmp;
	unsigned long flags;

	local_irq_save(flags);
	list_for_each_entry_safe(vmx, tmp, head, loaded_link)
		__vmx_vmcs_clear(vmx);
	local_irq_restore(flags);
}

/* SDM 26.2.1.1 / 26.2.1.2: the controls chosen at load time */
static void vmx_write_controls(struct vmx_vcpu *vmx)
{
	struct vmx_vm *vm = to_vmx_vm(vmx->vcpu.vm);
	unsigned long cr0_mask, cr4_mask;

	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_config.pin);
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx_config.proc);
	vmx->proc_ctl = vmx_config.proc;
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, vmx_config.proc2);
	if (vmx_config.proc2 & SECONDARY_EXEC_PAUSE_LOOP_EXITING) {
		vmcs_write(PLE_GAP, VMX_PLE_GAP);
		vmcs_write(PLE_WINDOW, VMX_PLE_WINDOW);
	}
	vmcs_write(VM_EXIT_CONTROLS, vmx_config.exit);
	vmcs_write(VM_ENTRY_CONTROLS, vmx_config.entry);
	/*
	 * A full stint at each entry: every VM entry loads the timer from
	 * this field (SDM 26.5.1), and no exit writes it back without the
	 * "save VMX-preemption timer value" exit control, which vmon does
	 * not set (25.7.1), so the value written once holds.
	 */
	if (vmx_config.preemption_timer)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, vmx_config.preemption_timer);
	vmcs_write(EXCEPTION_BITMAP, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(EPT_POINTER, vm->eptp);
	if (vmx->vpid)
		vmcs_write(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	/* SDM 25.4.2: no VMCS shadowing, the link pointer must be all ones */
	vmcs_write(VMCS_LINK_POINTER, -1ull);

	/*
	 * SDM 25.6.6: bits set in a guest/host mask are owned by vmon: the
	 * guest reads them from the read shadow and a MOV that would change
	 * them exits.  Own exactly the bits VMX forces (CR0.NE and, without
	 * unrestricted guest, PE/PG; CR4.VMXE) and the bits the CPU cannot
	 * hold, so the guest sees its own values and writes of unsupported
	 * bits become #GP in exit.c.
	 */
	cr0_mask = (vmx_config.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG)) |
		   (~vmx_config.cr0_fixed1 & 0xffffffffull);
	cr4_mask = vmx_config.cr4_fixed0 | (~vmx_config.cr4_fixed1 & 0xffffffffull);
	vmcs_write(CR0_GUEST_HOST_MASK, cr0_mask);
	vmcs_write(CR4_GUEST_HOST_MASK, cr4_mask);

	/* SDM 25.7.2, 25.8.2: guest values in, guest values out, host values back */
	vmcs_write(VM_ENTRY_MSR_LOAD_ADDR, __pa(vmx->guest_msrs));
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, VMX_NR_SWITCHED_MSRS);
	vmcs_write(VM_EXIT_MSR_STORE_ADDR, __pa(vmx->guest_msrs));
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, VMX_NR_SWITCHED_MSRS);
	vmcs_write(VM_EXIT_MSR_LOAD_ADDR, __pa(vmx->host_msrs));
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, VMX_NR_SWITCHED_MSRS);
}

/* SDM 25.5 / 26.2.2-26.2.4: host state that is the same on every CPU */
static void vmx_write_constant_host_state(void)
{
	vmcs_write(HOST_CR0, read_cr0());
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	/*
	 * The 64-bit kernel uses neither DS nor ES, and a 64-bit task's
	 * are null: exit with null ones (allowed, SDM 26.2.3), so that
	 * vcpu_put() reloads them only for a task that has others.
	 */
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmcs_write(HOST_RIP, (unsigned long)vmx_vmexit);
	vmcs_write(HOST_IA32_PAT, vmx_config.host_pat);
}

/*
 * Host state that depends on the CPU: written when the vCPU arrives on
 * a CPU.  The GDT and IDT descriptors are kept to undo the 0xFFFF
 * limits a VM exit leaves behind (SDM 28.5.2).
 */
static void vmx_write_percpu_host_state(struct vmx_vcpu *vmx, int cpu)
{
	u64 sysenter_cs, sysenter_esp, sysenter_eip, gs_base;

	native_store_gdt(&vmx->host_gdt);
	store_idt(&vmx->host_idt);
	vmcs_write(HOST_GDTR_BASE, vmx->host_gdt.address);
	vmcs_write(HOST_IDTR_BASE, vmx->host_idt.address);
	vmcs_write(HOST_TR_BASE, (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	/* in the kernel, GS.base is this CPU's per-CPU area */
	rdmsrl(MSR_GS_BASE, gs_base);
	vmcs_write(HOST_GS_BASE, gs_base);
	/* SDM 28.5.1: VM exits always load these; Linux sets SYSENTER_ESP per CPU */
	rdmsrl(MSR_IA32_SYSENTER_CS, sysenter_cs);
	rdmsrl(MSR_IA32_SYSENTER_ESP, sysenter_esp);
	rdmsrl(MSR_IA32_SYSENTER_EIP, sysenter_eip);
	vmcs_write(HOST_IA32_SYSENTER_CS, sysenter_cs);
	vmcs_write(HOST_IA32_SYSENTER_ESP, sysenter_esp);
	vmcs_write(HOST_IA32_SYSENTER_EIP, sysenter_eip);
}

/*
 * Per arrival on a CPU: the host values of the MSRs the kernel sets up
 * once per CPU and never changes (EFER, the SYSCALL MSRs), for the exit
 * to load (SDM 28.5.1, 28.6).
 */
static void vmx_write_cpu_host_msrs(struct vmx_vcpu *vmx)
{
	u64 efer;
	int i;

	rdmsrl(MSR_EFER, efer);
	vmcs_write(HOST_IA32_EFER, efer);
	for (i = 0; i < VMX_NR_SWITCHED_MSRS; i++) {
		vmx->host_msrs[i].index = vmx_switched_msr_index[i];
		if (i != VMX_MSR_KERNEL_GS_BASE)
			rdmsrl(vmx_switched_msr_index[i], vmx->host_msrs[i].value);
	}
}

/*
 * Per load: the current task's segment state, FS base and user GS base
 * (KERNEL_GS_BASE while in the kernel), and the host's DEBUGCTL, which
 * a VM exit clears (SDM 28.5.1).  Nothing changes them between
 * vcpu_load() and vcpu_put(): the task runs in the kernel, and the
 * preempt notifier puts the vCPU before any other task runs.
 */
static void vmx_write_task_host_state(struct vmx_vcpu *vmx)
{
	u16 fs_sel, gs_sel;
	u64 fs_base;

	savesegment(ds, vmx->host_ds);
	savesegment(es, vmx->host_es);
	savesegment(fs, vmx->host_fs);
	savesegment(gs, vmx->host_gs);
	asm volatile("sldt %0" : "=rm"(vmx->host_ldt));
	/*
	 * SDM 26.2.3: host selectors need RPL = TI = 0.  A 32-bit task's
	 * TLS selectors do not qualify: exit with a null selector and
	 * reload the real one in vcpu_put().  The same task loads the
	 * same values at each VMON_RUN: write only what changed.
	 */
	fs_sel = (vmx->host_fs & 7) ? 0 : vmx->host_fs;
	gs_sel = (vmx->host_gs & 7) ? 0 : vmx->host_gs;
	rdmsrl(MSR_FS_BASE, fs_base);
	if (unlikely(fs_sel != vmx->vmcs_host_fs_sel)) {
		vmcs_write(HOST_FS_SELECTOR, fs_sel);
		vmx->vmcs_host_fs_sel = fs_sel;
	}
	if (unlikely(gs_sel != vmx->vmcs_host_gs_sel)) {
		vmcs_write(HOST_GS_SELECTOR, gs_sel);
		vmx->vmcs_host_gs_sel = gs_sel;
	}
	if (unlikely(fs_base != vmx->vmcs_host_fs_base)) {
		vmcs_write(HOST_FS_BASE, fs_base);
		vmx->vmcs_host_fs_base = fs_base;
	}
	rdmsrl(MSR_KERNEL_GS_BASE, vmx->host_msrs[VMX_MSR_KERNEL_GS_BASE].value);
	rdmsrl(MSR_IA32_DEBUGCTLMSR, vmx->host_debugctl);
}

/*
 * At vcpu_put(), not after every exit (as KVM does): the exits set the
 * GDTR and IDTR limits to 0xFFFF and the TR limit to 0x67 (SDM 28.5.2).
 * Larger descriptor-table limits change nothing for the kernel, which
 * uses no selector or vector beyond the real tables; what needs the
 * real limits is user mode (the GDT's limit is visible to SGDT, the
 * TSS's I/O bitmap lies beyond 0x67), and vcpu_put() runs before the
 * task returns to it or leaves the CPU.  The TSS limit is refreshed
 * lazily by the kernel when a task with an I/O bitmap needs it.
 */
static void vmx_restore_host_tables(struct vmx_vcpu *vmx)
{
	native_load_gdt(&vmx->host_gdt);
	load_idt(&vmx->host_idt);
	invalidate_tss_limit();
}

/* "IA-32e mode guest" entry control = EFER.LMA (SDM 26.2.4, 26.3.1.1) */
void vmx_update_ia32e_mode(struct vmx_vcpu *vmx)
{
	if (vmcs_read(GUEST_IA32_EFER) & EFER_LMA)
		vmcs_set_bits(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
	else
		vmcs_clear_bits(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
}

/*
 * The architectural reset state as the common code wants it (real
 * mode, CS base 0, RIP 0, RFLAGS 2, guest-visible CR0 0x60000010),
 * legal under unrestricted guest (SDM 26.3.1.2); the segments are
 * written by vmx_write_reset_segments() (state.c).
 */
static void vmx_write_reset_state(struct vmx_vcpu *vmx)
{
	vmx_write_reset_segments();
	vmcs_write(GUEST_GDTR_BASE, 0);
	vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_IDTR_BASE, 0);
	vmcs_write(GUEST_IDTR_LIMIT, 0xffff);

	vmx_set_guest_cr0(vmx, X86_CR0_ET | X86_CR0_CD | X86_CR0_NW);
	vmcs_write(GUEST_CR3, 0);
	vmx_set_guest_cr4(vmx, 0);
	vmcs_write(GUEST_IA32_EFER, 0);
	vmx_update_ia32e_mode(vmx);
	vmcs_write(GUEST_IA32_PAT, 0x0007040600070406ull);	/* SDM 13.12.4 power-up value */
	vmcs_write(GUEST_DR7, VMX_DR7_RESET);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_RSP, 0);
	vmcs_write(GUEST_RIP, 0);
	vmcs_write(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmx_set_entry_intr_info(vmx, 0);
	/* guest TSC = host TSC + offset (SDM 25.6.5), 0 at the VM's creation */
	vmcs_write(TSC_OFFSET, vmx->vcpu.vm->tsc_offset);

	vmx->dr6 = VMX_DR6_RESET;
	vmx->dr7 = VMX_DR7_RESET;
	vmx->vcpu.regs.rip = 0;
	vmx->vcpu.regs.rflags = X86_EFLAGS_FIXED;
	vmx->vmcs_rip = 0;
	vmx->vmcs_rsp = 0;
	vmx->vmcs_rflags = X86_EFLAGS_FIXED;
}

int vmx_vcpu_init(struct vmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct page *msr_page;
	int i;

	vmx->vmcs = (void *)__get_free_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vmx->vmcs)
		return -ENOMEM;
	msr_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!msr_page) {
		free_page((unsigned long)vmx->vmcs);
		return -ENOMEM;
	}
	/* SDM 25.2: the VMCS region starts with the revision identifier */
	*(u32 *)vmx->vmcs = vmx_config.revision_id;
	vmx->vmcs_pa = __pa(vmx->vmcs);
	vmx->guest_msrs = page_address(msr_page);
	vmx->host_msrs = vmx->guest_msrs + PAGE_SIZE / 2 / sizeof(struct vmx_msr_entry);
	for (i = 0; i < VMX_NR_SWITCHED_MSRS; i++)
		vmx->guest_msrs[i].index = vmx_switched_msr_index[i];
	vmx->loaded_cpu = -1;
	INIT_LIST_HEAD(&vmx->loaded_link);
	/* nothing written yet: no value a task has matches */
	vmx->vmcs_host_fs_sel = U32_MAX;
	vmx->vmcs_host_gs_sel = U32_MAX;
	vmx->vmcs_host_fs_base = U64_MAX;
	vmx->vpid = vmx_vpid_alloc();

	preempt_disable();
	vmx_vcpu_load(vcpu);
	vmx_write_controls(vmx);
	vmx_write_constant_host_state();
	vmx_write_reset_state(vmx);
	vmx_vcpu_put(vcpu);
	preempt_enable();
	return 0;
}

/* process context: the VMCS may still be active on another CPU */
void vmx_vcpu_destroy(struct vmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (!vmx->vmcs)
		return;
	vmx_vmcs_clear(vmx);
	vmx_vpid_free(vmx->vpid);
	free_page((unsigned long)vmx->guest_msrs);
	free_page((unsigned long)vmx->vmcs);
	vmx->vmcs = NULL;
}

/*
 * Preempt off: make this CPU the vCPU's.  If the VMCS is active on
 * another CPU, VMCLEAR it there first (an IPI, waiting for it), then
 * VMPTRLD it here; the next entry is then a VMLAUNCH (SDM 25.1, 25.11.3).
 */
void __vmon_hot vmx_vcpu_load(struct vmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int cpu = smp_processor_id();
	bool arrived = READ_ONCE(vmx->loaded_cpu) != cpu;

	vmon_spec_vcpu_load(vcpu);
	if (arrived) {
		vmx_vmcs_clear(vmx);
		/* pairs with smp_wmb() in __vmx_vmcs_clear() */
		smp_rmb();
		local_irq_disable();
		list_add(&vmx->loaded_link, this_cpu_ptr(&vmx_loaded_vmcss));
		WRITE_ONCE(vmx->loaded_cpu, cpu);
		local_irq_enable();
	}
	if (this_cpu_read(vmx_current) != vmx) {
		if (!vmx_vmptrld(vmx->vmcs_pa))
			pr_err_ratelimited("vmon: VMPTRLD of vCPU %u failed\n", vcpu->id);
		this_cpu_write(vmx_current, vmx);
	}
	if (arrived) {
		vmx_write_percpu_host_state(vmx, cpu);
		vmx_write_cpu_host_msrs(vmx);
		/* translations cached here may predate changes made elsewhere */
		vmx->need_flush = true;
	}
	vmx_write_task_host_state(vmx);
}

/*
 * Preempt off, before the caller enables preemption: the VM exits
 * loaded null LDTR and the VMCS's DS/ES/FS/GS selectors, and left the
 * descriptor-table limits above; give the task back its own (SDM
 * 28.5.2).  FS/GS bases were loaded by the exit.
 */
void __vmon_hot vmx_vcpu_put(struct vmon_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_restore_host_tables(vmx);
	if (vmx->host_ldt)
		asm volatile("lldt %0" : : "rm"(vmx->host_ldt));
	/* the exit loaded null DS and ES (vmx_write_constant_host_state()) */
	if (unlikely(vmx->host_ds))
		loadsegment(ds, vmx->host_ds);
	if (unlikely(vmx->host_es))
		loadsegment(es, vmx->host_es);
	if (vmx->host_fs & 7)
		loadsegment(fs, vmx->host_fs);
	if (vmx->host_gs & 7)
		load_gs_index(vmx->host_gs);
}
