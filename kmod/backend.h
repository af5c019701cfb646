/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct vmon_backend_ops: the only door between the common code and
 * the VMX or SVM backend.  The common code never looks inside a VMCS or
 * a VMCB; a backend never touches file descriptors or the run page
 * except through struct vmon_exit.
 *
 * Calling context is part of the contract and is stated per operation:
 *   "preempt off"  the caller holds preempt_disable()
 *   "irqs off"     the caller holds local_irq_disable()
 *   "loaded"       vcpu_load() ran on this CPU and vcpu_put() has not.
 *                  The common code keeps a vCPU loaded for the whole of
 *                  each vCPU ioctl, VMON_RUN included, with preemption
 *                  enabled: a preempt notifier calls vcpu_put() when the
 *                  task leaves the CPU and vcpu_load() where it runs
 *                  again (vcpu.c).  A "loaded" operation may therefore
 *                  be called from code that sleeps in between, but each
 *                  call is atomic with respect to the notifier only if
 *                  it keeps no per-CPU state across a sleep of its own.
 */
#ifndef VMON_BACKEND_H
#define VMON_BACKEND_H

#include <linux/static_call.h>
#include <linux/types.h>
#include <linux/vmon.h>

struct vmon_vm;
struct vmon_vcpu;
struct vmon_tdp_format;
struct vmon_state_rule;

struct vmon_backend_ops {
	const char *name;		/* "vmx" or "svm" */
	enum vmon_backend id;
	size_t vm_size;			/* bytes to allocate, embeds struct vmon_vm first */
	size_t vcpu_size;		/* bytes to allocate, embeds struct vmon_vcpu first */

	/*
	 * Module scope.  check_support() tells whether this CPU family's
	 * extension exists and is usable; when it is not, it prints one
	 * pr_err() line naming the cause and returns -errno (-ENODEV: not
	 * this vendor, so the next backend may be tried; -EBUSY: another
	 * hypervisor owns it; -EPERM: disabled by firmware).
	 */
	int (*check_support)(void);
	int (*hardware_setup)(void);
	void (*hardware_unsetup)(void);
	/* cpuhp callbacks: run on the CPU concerned, preempt off */
	int (*cpu_enable)(void);
	void (*cpu_disable)(void);
	void (*get_caps)(struct vmon_caps *caps);
	/* valid after hardware_setup() */
	const struct vmon_tdp_format *(*tdp_format)(void);
	/* name of a raw exit code for messages, from the shared tables */
	const char *(*exit_name)(u32 hw_exit_reason);

	/* VM scope: called with vm->tdp ready (root allocated) */
	int (*vm_init)(struct vmon_vm *vm);
	void (*vm_destroy)(struct vmon_vm *vm);

	/*
	 * vCPU scope.  vcpu_init() allocates the VMCS/VMCB and puts the
	 * vCPU in the architectural reset state (real mode, CS:IP =
	 * F000:FFF0 style values are not required: CS base 0, RIP 0,
	 * RFLAGS 2, CR0 = 0x60000010 as seen by the guest).
	 */
	int (*vcpu_init)(struct vmon_vcpu *vcpu);
	void (*vcpu_destroy)(struct vmon_vcpu *vcpu);	/* process context */
	/*
	 * preempt off, irqs on: make this CPU the vCPU's (migration is
	 * handled here).  Also called from the scheduler's sched_in
	 * preempt notifier, so it must not sleep.
	 */
	void (*vcpu_load)(struct vmon_vcpu *vcpu);
	/*
	 * preempt off, loaded: give the task back the host state the
	 * exits clobber.  Also called from the sched_out notifier, with
	 * irqs off, before the scheduler switches tasks.
	 */
	void (*vcpu_put)(struct vmon_vcpu *vcpu);
	/* irqs off, loaded: drop guest TLB and TDP translations before entry */
	void (*flush_tlb)(struct vmon_vcpu *vcpu);
	/*
	 * irqs off, loaded: enter the guest once with vcpu->regs, return
	 * on the next VM exit with vcpu->regs updated and vcpu->exit
	 * decoded.  External interrupts stay pending in the host and are
	 * taken when the caller enables interrupts; host NMIs are
	 * delivered before returning.
	 */
	void (*run)(struct vmon_vcpu *vcpu);

	/* loaded: advance RIP past the exiting instruction, drop STI/MOV SS blocking */
	void (*skip_instruction)(struct vmon_vcpu *vcpu);
	/* loaded: deliver the exception on the next entry */
	void (*queue_exception)(struct vmon_vcpu *vcpu, u8 vector,
				bool has_error_code, u32 error_code);

	/*
	 * Event injection (events.c), all "loaded".  event_pending: an
	 * exception from queue_exception() or an event whose delivery an
	 * exit interrupted (re-delivered by the backend) goes in with the
	 * next entry, so nothing else can.  interrupt_allowed: RFLAGS.IF
	 * set and no STI/MOV SS shadow.  nmi_allowed: the guest blocks no
	 * NMI.  inject_irq/inject_nmi (irqs off, only when allowed and
	 * nothing is pending): deliver with the next entry.
	 * set_event_windows (irqs off): exit as soon as the guest can take
	 * an interrupt / an NMI (VMON_X_IRQ_WINDOW / VMON_X_NMI_WINDOW),
	 * or stop asking; called before every entry.
	 */
	bool (*event_pending)(struct vmon_vcpu *vcpu);
	bool (*interrupt_allowed)(struct vmon_vcpu *vcpu);
	bool (*nmi_allowed)(struct vmon_vcpu *vcpu);
	void (*inject_irq)(struct vmon_vcpu *vcpu, u8 vector);
	void (*inject_nmi)(struct vmon_vcpu *vcpu);
	void (*set_event_windows)(struct vmon_vcpu *vcpu, bool irq, bool nmi);

	/*
	 * State dumps and guest-state checks (dump.c, entry_checks.c).
	 * dump_state (loaded): write up to cap fields of the VMCS/VMCB
	 * table (current values: RIP/RSP/RFLAGS from vcpu->regs), return
	 * how many the backend has; host addresses only if show_host, else
	 * 0 with VMON_STATE_FIELD_REDACTED.  state_field_name: the table's name
	 * of a field id, NULL if none.  check_guest_state (loaded): the
	 * first guest-state rule the state set from userspace breaks, or
	 * NULL; never a rule about state the backend itself owns.
	 */
	int (*dump_state)(struct vmon_vcpu *vcpu, struct vmon_state_field *fields, u32 cap,
			  bool show_host);
	const char *(*state_field_name)(u32 id);
	const struct vmon_state_rule *(*check_guest_state)(struct vmon_vcpu *vcpu);

	/*
	 * loaded; set_sregs returns -EINVAL only for values no entry could
	 * use, as vmon_sregs_check() (cr.c) states them with the backend's
	 * EFER bits.
	 */
	void (*get_sregs)(struct vmon_vcpu *vcpu, struct vmon_sregs *sregs);
	int (*set_sregs)(struct vmon_vcpu *vcpu, const struct vmon_sregs *sregs);
	/*
	 * loaded: the part of get_sregs that fetching and decoding the
	 * instruction at RIP needs (emulate.c): cs.base, cs.l, cs.db, CR0,
	 * CR3, CR4 and EFER, as get_sregs gives them.  Every other field of
	 * *sregs is left as the caller had it: a few VMCS reads instead of
	 * some fifty.
	 */
	void (*get_fetch_state)(struct vmon_vcpu *vcpu, struct vmon_sregs *sregs);
	/*
	 * loaded: MSRs the hardware switches (VMON_MSR_* in the uapi).
	 * Return -ENOENT for an MSR the kernel does not own, -EINVAL for a
	 * value the MSR cannot hold (the guest then gets #GP).  An EFER
	 * write obeys vmon_efer_write() (cr.c), for the guest's WRMSR and
	 * SET_MSRS alike.  A backend that completes a guest's MOV to CR0
	 * or CR4 itself (VMX) applies vmon_cr0_write()/vmon_cr4_write()
	 * before its own bits; the architectural rules live only in cr.c.
	 */
	int (*get_msr)(struct vmon_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct vmon_vcpu *vcpu, u32 index, u64 data);
	/*
	 * loaded: the guest's CR8 (bits 3:0), which the common code keeps
	 * equal to the local APIC's TPR[7:4] (lapic.c).  VMX: the value
	 * the CR8 load/store exits emulate; SVM: V_TPR.
	 */
	u8 (*get_cr8)(struct vmon_vcpu *vcpu);
	void (*set_cr8)(struct vmon_vcpu *vcpu, u8 cr8);
};

extern const struct vmon_backend_ops vmx_backend_ops;
extern const struct vmon_backend_ops svm_backend_ops;

/* the backend chosen at module load */
extern const struct vmon_backend_ops *vmon_ops;

/*
 * The operations of every entry, exit and VMON_RUN are static calls, as
 * KVM's kvm_x86_ops are: a direct CALL that module load patches to the
 * chosen backend's function (main.c), where vmon_ops->op() would be an
 * indirect call, through a retpoline where the host has them (and,
 * under an emulator that flushes its TLB at every world switch, a code
 * lookup each time).  vmon_call(run)(vcpu) calls vmon_ops->run(vcpu).
 * The same list is in main.c twice: its definitions, and the updates
 * vmon_set_static_ops() makes.
 */
DECLARE_STATIC_CALL(vmon_op_vcpu_load, *vmon_ops->vcpu_load);
DECLARE_STATIC_CALL(vmon_op_vcpu_put, *vmon_ops->vcpu_put);
DECLARE_STATIC_CALL(vmon_op_run, *vmon_ops->run);
DECLARE_STATIC_CALL(vmon_op_skip_instruction, *vmon_ops->skip_instruction);
DECLARE_STATIC_CALL(vmon_op_event_pending, *vmon_ops->event_pending);
DECLARE_STATIC_CALL(vmon_op_interrupt_allowed, *vmon_ops->interrupt_allowed);
DECLARE_STATIC_CALL(vmon_op_nmi_allowed, *vmon_ops->nmi_allowed);
DECLARE_STATIC_CALL(vmon_op_inject_irq, *vmon_ops->inject_irq);
DECLARE_STATIC_CALL(vmon_op_inject_nmi, *vmon_ops->inject_nmi);
DECLARE_STATIC_CALL(vmon_op_set_event_windows, *vmon_ops->set_event_windows);
DECLARE_STATIC_CALL(vmon_op_get_cr8, *vmon_ops->get_cr8);
DECLARE_STATIC_CALL(vmon_op_set_cr8, *vmon_ops->set_cr8);

#define vmon_call(op)	static_call(vmon_op_##op)

#endif /* VMON_BACKEND_H */
