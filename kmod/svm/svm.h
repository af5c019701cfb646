/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SVM backend's private objects: the per-CPU host state that
 * VMRUN and VMSAVE/VMLOAD need, and the vCPU with its VMCB.
 *
 * References are to the AMD64 Architecture Programmer's Manual Vol. 2,
 * chapter 15 "Secure Virtual Machine" (APM).
 */
#ifndef VMON_SVM_H
#define VMON_SVM_H

/* struct vmon_regs byte offsets, for vmrun.S (checked in svm.c) */
#define SVM_REGS_RBX	8
#define SVM_REGS_RCX	16
#define SVM_REGS_RDX	24
#define SVM_REGS_RSI	32
#define SVM_REGS_RDI	40
#define SVM_REGS_RBP	56
#define SVM_REGS_R8	64
#define SVM_REGS_R9	72
#define SVM_REGS_R10	80
#define SVM_REGS_R11	88
#define SVM_REGS_R12	96
#define SVM_REGS_R13	104
#define SVM_REGS_R14	112
#define SVM_REGS_R15	120

#ifndef __ASSEMBLY__

#include <linux/types.h>
#include <linux/percpu.h>
#include <asm/svm.h>

#include "core.h"

/*
 * Per CPU (APM 15.30.4, 15.5.1): VM_HSAVE_PA names a page where VMRUN
 * stores the host state it switches itself; the host's FS, GS, TR,
 * LDTR, KernelGSBase, STAR/LSTAR/CSTAR/SFMASK and SYSENTER MSRs are
 * not switched by VMRUN, so they go to host_save with VMSAVE before
 * each entry and come back with VMLOAD after the exit (APM 15.5.2).
 *
 * ASIDs (APM 15.16) are handed out per CPU in generations: when a CPU
 * runs out, it starts a new generation and flushes every ASID's TLB
 * entries once.  This lets any number of vCPUs share the few ASIDs
 * some CPUs have (QEMU offers 16).
 */
struct svm_cpu_data {
	struct page *hsave;
	struct page *host_save;
	phys_addr_t host_save_pa;
	u64 asid_generation;
	u32 next_asid;
	bool enabled;
};

DECLARE_PER_CPU(struct svm_cpu_data, svm_cpu_data);

/* what the CPU offers, read once by hardware_setup() (CPUID 8000_000Ah) */
struct svm_features {
	u32 max_asid;		/* highest usable ASID: EBX - 1 */
	bool nrips;		/* EDX[3]: next RIP saved on #VMEXIT */
	bool flush_by_asid;	/* EDX[6]: TLB_CONTROL 3 and 7 */
	bool decode_assists;	/* EDX[7]: instruction bytes, IOIO segment */
	unsigned int host_levels;	/* 5 when the host runs with CR4.LA57 */
	bool pause_filter;	/* EDX[10], and vmon_pause_exiting: intercept PAUSE */
	bool pause_threshold;	/* EDX[12]: PAUSE_FILTER_THRESHOLD */
};

/* pause filter (svm.c): KVM's defaults, PAUSEs and cycles */
#define SVM_PAUSE_FILTER_COUNT		3000
#define SVM_PAUSE_FILTER_THRESHOLD	128

extern struct svm_features svm_features;

/*
 * The save-area fields a #VMEXIT writes (APM Vol. 2 15.6), but for RAX,
 * RSP, RIP and RFLAGS, which vmcb.c keeps in vcpu->regs.  VMSAVE after
 * the exit writes back what VMLOAD loaded, so the rest of the save area
 * survives a refused VMRUN as it was.
 */
struct svm_vmexit_saved {
	struct vmcb_seg es, cs, ss, ds, gdtr, idtr;
	u64 efer, cr4, cr3, cr2, cr0, dr7, dr6;
	u8 cpl;
};

struct svm_vcpu {
	struct vmon_vcpu vcpu;		/* first: the common code allocates us */
	struct vmcb *vmcb;
	phys_addr_t vmcb_pa;

	int last_cpu;			/* CPU of the last vcpu_load(), -1 none */
	u64 asid_generation;		/* svm_cpu_data.asid_generation it is from */
	bool flush_asid;		/* TLB_CONTROL flush on the next entry */

	/* exception queued by queue_exception(), injected on the next entry */
	bool exception_pending;
	bool exception_has_error;
	u8 exception_vector;
	u32 exception_error;

	/* events.c: interrupt or NMI for the next EVENTINJ, NMI masking */
	u32 event_inj;
	bool nmi_masked;		/* an NMI was delivered, its IRET not passed */
	bool iret_seen;			/* the IRET intercept fired at iret_rip */
	u64 iret_rip;
	bool injected_bp_of;		/* this entry's EVENTINJ is a #BP or #OF */

	/* RIP after the exiting instruction, 0 when not known */
	u64 next_rip;

	/* the guest's EFER.LME; the VMCB may hide it (lme_guard.c) */
	bool guest_lme;
	/* CR write intercept the next entry lets through (lme_guard.c) */
	u32 lme_guard_pass;

	/* what VMRUN was given of it, under emulators only (svm_keep_save_area()) */
	struct svm_vmexit_saved save_at_entry;
	/* the interrupt control VMRUN was given (vmcb.c) */
	u32 int_ctl_at_entry;
};

static inline struct svm_vcpu *to_svm(struct vmon_vcpu *vcpu)
{
	return container_of(vcpu, struct svm_vcpu, vcpu);
}

/* vmrun.S: VMSAVE host, VMLOAD guest, VMRUN, VMSAVE guest, VMLOAD host */
void svm_enter_guest(phys_addr_t vmcb_pa, struct vmon_regs *regs,
		     phys_addr_t host_save_pa);

/* svm.c */
void svm_assign_asid(struct svm_vcpu *svm, struct svm_cpu_data *sd);

/* vmcb.c */
int svm_alloc_permission_maps(void);
void svm_free_permission_maps(void);
void svm_init_vmcb(struct svm_vcpu *svm);
void svm_run(struct vmon_vcpu *vcpu);
void svm_keep_host_interrupts(struct svm_vcpu *svm);
void svm_queue_exception(struct vmon_vcpu *vcpu, u8 vector,
			 bool has_error_code, u32 error_code);

/* exit.c */
void svm_decode_exit(struct svm_vcpu *svm);
void svm_skip_instruction(struct vmon_vcpu *vcpu);
const char *svm_exit_name(u32 code);

/* events.c */
bool svm_event_pending(struct vmon_vcpu *vcpu);
bool svm_interrupt_allowed(struct vmon_vcpu *vcpu);
bool svm_nmi_allowed(struct vmon_vcpu *vcpu);
void svm_inject_irq(struct vmon_vcpu *vcpu, u8 vector);
void svm_inject_nmi(struct vmon_vcpu *vcpu);
void svm_set_event_windows(struct vmon_vcpu *vcpu, bool irq, bool nmi);
void svm_events_entry(struct svm_vcpu *svm);
void svm_events_exit(struct svm_vcpu *svm, u32 code);

/* npt.c */
const struct vmon_tdp_format *svm_npt_format(void);
void svm_npt_setup(void);

/* lme_guard.c */
void svm_lme_guard_entry(struct svm_vcpu *svm);
void svm_lme_guard_exit(struct svm_vcpu *svm, u32 code);

/* dump.c, checks.c */
int svm_dump_state(struct vmon_vcpu *vcpu, struct vmon_state_field *out, u32 cap,
		   bool show_host);
const char *svm_state_field_name(u32 id);
const struct vmon_state_rule *svm_check_guest_state(struct vmon_vcpu *vcpu);
const struct vmon_state_rule *svm_check_vmrun(struct svm_vcpu *svm);
void svm_restore_save_area(struct svm_vcpu *svm);

/*
 * A refused VMRUN runs no guest instruction, so the save area should
 * still hold what vmon gave it.  QEMU TCG (7.2) does not keep it: its
 * VMEXIT_INVALID goes through the ordinary #VMEXIT path, which stores
 * the CPU's half-switched registers (the host's CR0, CR3, ... for the
 * checks that fail early) into the save area.  The next VMRUN would
 * then run the guest on the host's page tables, and the rule that
 * failed could not be named.  Where SVM is itself emulated (CPUID
 * hypervisor bit, as for lme_guard.c) keep a copy of what #VMEXIT
 * writes across VMRUN and put it back after VMEXIT_INVALID.  Irqs off.
 */
static __always_inline void svm_keep_save_area(struct svm_vcpu *svm)
{
	const struct vmcb_save_area *save = &svm->vmcb->save;
	struct svm_vmexit_saved *kept = &svm->save_at_entry;

	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR))
		return;
	kept->es = save->es;
	kept->cs = save->cs;
	kept->ss = save->ss;
	kept->ds = save->ds;
	kept->gdtr = save->gdtr;
	kept->idtr = save->idtr;
	kept->efer = save->efer;
	kept->cr4 = save->cr4;
	kept->cr3 = save->cr3;
	kept->cr2 = save->cr2;
	kept->cr0 = save->cr0;
	kept->dr7 = save->dr7;
	kept->dr6 = save->dr6;
	kept->cpl = save->cpl;
}

/* state.c */
void svm_get_sregs(struct vmon_vcpu *vcpu, struct vmon_sregs *sregs);
void svm_get_fetch_state(struct vmon_vcpu *vcpu, struct vmon_sregs *sregs);
int svm_set_sregs(struct vmon_vcpu *vcpu, const struct vmon_sregs *sregs);
int svm_get_msr(struct vmon_vcpu *vcpu, u32 index, u64 *data);
u8 svm_get_cr8(struct vmon_vcpu *vcpu);
void svm_set_cr8(struct vmon_vcpu *vcpu, u8 cr8);
int svm_set_msr(struct vmon_vcpu *vcpu, u32 index, u64 data);
void svm_reset_state(struct svm_vcpu *svm);

#endif /* __ASSEMBLY__ */
#endif /* VMON_SVM_H */
