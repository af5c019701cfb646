/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private state of the VMX backend and the VMX instruction helpers it
 * shares between its files.  Field encodings and control bits come
 * from the kernel's <asm/vmx.h>; MSR numbers from <asm/msr-index.h>.
 */
#ifndef VMON_VMX_PRIV_H
#define VMON_VMX_PRIV_H

#include <linux/bits.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <asm/asm.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/vmx.h>

#include "core.h"

/* VMX capabilities and the controls chosen from them (vmx.c) */
struct vmx_config {
	u32 revision_id;		/* VMCS revision identifier, SDM A.1 */
	u32 vmcs_size;
	bool io_insn_info;		/* VMX_BASIC[54]: INS/OUTS instruction info */
	u32 pin, proc, proc2, exit, entry;
	u64 ept_vpid_cap;
	bool vpid;			/* VPID in use */
	bool invept_single, invept_global;
	bool invvpid_single, invvpid_global;
	/* SDM A.7 / A.8: bits fixed to 1 / allowed to be 1 in CR0 and CR4 */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 host_pat;
	/* VMX-preemption timer value loaded on every entry, 0: not available (vmx.c) */
	u32 preemption_timer;
};

extern struct vmx_config vmx_config;

/* PAUSE-loop exiting (vmx.c): PLE_Gap and PLE_Window, TSC cycles */
#define VMX_PLE_GAP	128
#define VMX_PLE_WINDOW	4096

struct vmx_vm {
	struct vmon_vm vm;		/* first: the common code allocates vm_size */
	u64 eptp;
};

/*
 * Guest MSRs switched with the VM-entry MSR-load area and restored from
 * the VM-exit MSR-store/MSR-load areas (SDM 25.7.2, 26.4, 27.4).
 */
enum vmx_switched_msr {
	VMX_MSR_STAR,
	VMX_MSR_LSTAR,
	VMX_MSR_CSTAR,
	VMX_MSR_SFMASK,
	VMX_MSR_KERNEL_GS_BASE,
	VMX_NR_SWITCHED_MSRS
};

/*
 * Fields of the VMX capability MSRs that vmon reads and the kernel
 * names differently from one release to the next, so vmon names them.
 * SDM A.1: IA32_VMX_BASIC[48] limits VMX structures to 32-bit physical
 * addresses; [53:50] is the memory type of the VMCS (6: write-back).
 * SDM A.6: IA32_VMX_MISC[4:0] is the rate of the VMX-preemption timer
 * (it counts down once every 2^rate TSC ticks).
 */
#define VMX_CAP_BASIC_32BIT_ADDR	BIT_ULL(48)
#define VMX_CAP_BASIC_MEM_TYPE(basic)	(((basic) >> 50) & 0xf)
#define VMX_CAP_MEM_TYPE_WB		6
#define VMX_CAP_MISC_TIMER_RATE(misc)	((misc) & 0x1f)

/* SDM 18.2.3, 18.2.4: power-up values of DR6 and DR7 */
#define VMX_DR6_RESET		0xffff0ff0ull
#define VMX_DR7_RESET		0x400ull

struct vmx_pending_exception {
	bool pending;
	u8 vector;
	bool has_error_code;
	u32 error_code;
};

struct vmx_vcpu {
	struct vmon_vcpu vcpu;		/* first: the common code allocates vcpu_size */

	void *vmcs;			/* one page, revision id in the first word */
	phys_addr_t vmcs_pa;
	/* CPU on which the VMCS is active (VMPTRLD, not yet VMCLEAR), or -1 */
	int loaded_cpu;
	struct list_head loaded_link;	/* on that CPU's vmx_loaded_vmcss */
	bool launched;			/* VMRESUME instead of VMLAUNCH */
	/* flush before entry: moved to another CPU, or vmon changed guest paging */
	bool need_flush;
	u16 vpid;

	/* one page: guest MSR area (entry load + exit store), host area (exit load) */
	struct vmx_msr_entry *guest_msrs;
	struct vmx_msr_entry *host_msrs;

	/* host state written into the VMCS, compared before each entry */
	unsigned long host_cr3, host_cr4, host_rsp;
	struct desc_ptr host_gdt, host_idt;
	u16 host_ds, host_es, host_fs, host_gs, host_ldt;
	/* HOST_FS/GS_SELECTOR and HOST_FS_BASE as written; -1: unknown */
	u32 vmcs_host_fs_sel, vmcs_host_gs_sel;
	u64 vmcs_host_fs_base;
	u64 host_debugctl;		/* read at load, restored after each exit */

	/*
	 * What the VMCS holds, so that an exit reads and an entry writes
	 * only what changed: GUEST_RIP/RSP/RFLAGS as last written or read
	 * (vmx_run()), and the processor-based controls (the event windows
	 * toggle them, events.c).
	 */
	u64 vmcs_rip, vmcs_rsp, vmcs_rflags;
	u32 proc_ctl;

	/* guest state the VMCS does not hold */
	u64 cr2;
	u64 cr8;			/* TPR: MOV CR8 exits, the real TPR is the host's */
	u64 dr[4], dr6, dr7;		/* MOV DR exits: kept in software */
	struct vmx_pending_exception exception;
	/*
	 * The VM-entry interruption-information field as vmon last wrote
	 * it: every VM exit clears its valid bit (SDM 25.8.3), so between
	 * an exit and the next entry it holds only what vmon put there
	 * since, and entry and event code read this copy, not the VMCS.
	 * Written with vmx_set_entry_intr_info(), vCPU thread only.
	 */
	u32 entry_intr_info;
	/* VM_EXIT_INSTRUCTION_LEN of the last exit once read, 0 before */
	u8 exit_insn_len;
};

static inline struct vmx_vcpu *to_vmx(struct vmon_vcpu *vcpu)
{
	return container_of(vcpu, struct vmx_vcpu, vcpu);
}

static inline struct vmx_vm *to_vmx_vm(struct vmon_vm *vm)
{
	return container_of(vm, struct vmx_vm, vm);
}

/*
 * VMREAD/VMWRITE on the current VMCS.  They only fail (VMfailValid:
 * unsupported field, VMfailInvalid: no current VMCS) through a bug in
 * this module; say which field instead of corrupting state silently.
 */
void vmx_vmwrite_error(unsigned long field, unsigned long value);

static __always_inline unsigned long vmcs_read(unsigned long field)
{
	unsigned long value;

	asm volatile("vmread %1, %0" : "=rm"(value) : "r"(field) : "cc");
	return value;
}

static __always_inline void vmcs_write(unsigned long field, unsigned long value)
{
	bool fail;

	asm volatile("vmwrite %2, %1" CC_SET(na)
		     : CC_OUT(na)(fail) : "r"(field), "rm"(value) : "cc");
	if (unlikely(fail))
		vmx_vmwrite_error(field, value);
}

static inline void vmcs_set_bits(unsigned long field, u32 bits)
{
	vmcs_write(field, vmcs_read(field) | bits);
}

static inline void vmcs_clear_bits(unsigned long field, u32 bits)
{
	vmcs_write(field, vmcs_read(field) & ~bits);
}

/* the VM-entry interruption information, and vmon's copy of it */
static inline void vmx_set_entry_intr_info(struct vmx_vcpu *vmx, u32 info)
{
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info);
	vmx->entry_intr_info = info;
}

/* vmenter.S: returns 0 after a VM exit, else one of these */
#define VMX_ENTER_FAIL_VALID	1	/* VMfailValid: VM-instruction error field */
#define VMX_ENTER_FAIL_INVALID	2	/* VMfailInvalid: no current VMCS */
int vmx_vmenter(struct vmon_regs *regs, unsigned int launched, unsigned long *host_rsp);
void vmx_vmexit(void);			/* HOST_RIP: the VM-exit landing */

/* vmx.c */
bool vmx_vmclear(phys_addr_t pa);
u16 vmx_vpid_alloc(void);
void vmx_vpid_free(u16 vpid);

/* vmcs.c */
int vmx_vcpu_init(struct vmon_vcpu *vcpu);
void vmx_vcpu_destroy(struct vmon_vcpu *vcpu);
void vmx_vcpu_load(struct vmon_vcpu *vcpu);
void vmx_vcpu_put(struct vmon_vcpu *vcpu);
void vmx_clear_cpu_vmcss(void);
void vmx_vmcs_init_percpu(void);
void vmx_update_ia32e_mode(struct vmx_vcpu *vmx);

/* exit.c */
void vmx_run(struct vmon_vcpu *vcpu);
void vmx_skip_instruction(struct vmon_vcpu *vcpu);
void vmx_queue_exception(struct vmon_vcpu *vcpu, u8 vector, bool has_error_code,
			 u32 error_code);
const char *vmx_exit_name(u32 hw_exit_reason);
const char *vmx_insn_error_text(u32 error);

/* events.c */
void vmx_events_setup(void);
bool vmx_event_pending(struct vmon_vcpu *vcpu);
bool vmx_interrupt_allowed(struct vmon_vcpu *vcpu);
bool vmx_nmi_allowed(struct vmon_vcpu *vcpu);
void vmx_inject_irq(struct vmon_vcpu *vcpu, u8 vector);
void vmx_inject_nmi(struct vmon_vcpu *vcpu);
void vmx_set_event_windows(struct vmon_vcpu *vcpu, bool irq, bool nmi);
void vmx_events_after_exit(struct vmon_vcpu *vcpu, u32 reason, u64 qual);
bool vmx_exception_has_error_code(u8 vector);

/* dump.c, checks.c */
int vmx_dump_state(struct vmon_vcpu *vcpu, struct vmon_state_field *out, u32 cap,
		   bool show_host);
const char *vmx_state_field_name(u32 id);
const struct vmon_state_rule *vmx_check_guest_state(struct vmon_vcpu *vcpu);
u64 vmx_phys_reserved(void);
void vmx_name_broken_rule(struct vmon_vcpu *vcpu);

/* ept.c */
extern const struct vmon_tdp_format vmx_ept_format;
int vmx_vm_init(struct vmon_vm *vm);
void vmx_vm_destroy(struct vmon_vm *vm);
void vmx_flush_tlb(struct vmon_vcpu *vcpu);
void vmx_ept_flush_all(void);

/* state.c */
void vmx_write_reset_segments(void);
void vmx_get_sregs(struct vmon_vcpu *vcpu, struct vmon_sregs *sregs);
void vmx_get_fetch_state(struct vmon_vcpu *vcpu, struct vmon_sregs *sregs);
int vmx_set_sregs(struct vmon_vcpu *vcpu, const struct vmon_sregs *sregs);
int vmx_get_msr(struct vmon_vcpu *vcpu, u32 index, u64 *data);
int vmx_set_msr(struct vmon_vcpu *vcpu, u32 index, u64 data);
u8 vmx_get_cr8(struct vmon_vcpu *vcpu);
void vmx_set_cr8(struct vmon_vcpu *vcpu, u8 cr8);
void vmx_set_guest_cr0(struct vmx_vcpu *vmx, u64 cr0);
void vmx_set_guest_cr4(struct vmx_vcpu *vmx, u64 cr4);
u64 vmx_guest_cr0(void);
u64 vmx_guest_cr4(void);
bool vmx_guest_64bit_mode(void);

/* pae.c: the registers that select how the guest translates linear addresses */
struct vmx_paging {
	u64 cr0, cr3, cr4, efer;	/* CR0/CR4 as the guest sees them */
};

#define VMX_NR_PDPTES	4

void vmx_read_paging(struct vmx_paging *p);
bool vmx_pae_paging(const struct vmx_paging *p);
bool vmx_pdptes_reload(const struct vmx_paging *old, const struct vmx_paging *new);
u64 vmx_pdpte_reserved(void);
int vmx_read_pdptes(struct vmon_vcpu *vcpu, u64 cr3, u64 pdptes[VMX_NR_PDPTES]);
void vmx_write_pdptes(const u64 pdptes[VMX_NR_PDPTES]);
int vmx_load_pdptes(struct vmon_vcpu *vcpu, u64 cr3);
void vmx_paging_changed(struct vmx_vcpu *vmx, const struct vmx_paging *old,
			const struct vmx_paging *new);

/* the two per-entry steps of vmx_run() that belong to vmcs.c and events.c, inline */

/*
 * Irqs off, before every entry: CR3 changes with the task's mm and
 * PCID, CR4 when the kernel toggles bits (e.g. TSD for seccomp);
 * rewrite the VMCS copy only when the live value differs.
 */
static __always_inline void vmx_refresh_host_state(struct vmx_vcpu *vmx)
{
	unsigned long cr3 = __read_cr3(), cr4 = cr4_read_shadow();

	if (unlikely(cr3 != vmx->host_cr3)) {
		vmcs_write(HOST_CR3, cr3);
		vmx->host_cr3 = cr3;
	}
	if (unlikely(cr4 != vmx->host_cr4)) {
		vmcs_write(HOST_CR4, cr4);
		vmx->host_cr4 = cr4;
	}
}

/*
 * Irqs off, loaded, right before VM entry.  SDM 26.2.1.3: a hardware
 * exception goes in with an error code exactly when its vector has one
 * and, under unrestricted guest, CR0.PE is set; otherwise the entry
 * fails (VMfailValid, invalid control field).  An event delivered again
 * from the IDT-vectoring information carries the error-code bit of the
 * exit that reported it (Bochs sets it even in real mode), an exception
 * may have been queued before userspace changed CR0.PE with SET_SREGS:
 * make the bit match the mode the guest is entered in.  The error code
 * a real-mode event gains in protected mode is 0.
 */
static __always_inline void vmx_events_before_entry(struct vmx_vcpu *vmx)
{
	u32 info = vmx->entry_intr_info;
	bool code;

	if ((info & (INTR_INFO_VALID_MASK | INTR_INFO_INTR_TYPE_MASK)) !=
	    (INTR_INFO_VALID_MASK | INTR_TYPE_HARD_EXCEPTION))
		return;
	code = (vmcs_read(GUEST_CR0) & X86_CR0_PE) &&
	       vmx_exception_has_error_code(info & INTR_INFO_VECTOR_MASK);
	if (code == !!(info & INTR_INFO_DELIVER_CODE_MASK))
		return;
	if (code)
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
	vmx_set_entry_intr_info(vmx, info ^ INTR_INFO_DELIVER_CODE_MASK);
}

#endif /* VMON_VMX_PRIV_H */
