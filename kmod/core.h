/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The objects every part of vmon.ko shares: VM, vCPU, memory slot,
 * two-dimensional page tables, and the decoded VM exit that a backend
 * hands to the common exit handlers.
 */
#ifndef VMON_CORE_H
#define VMON_CORE_H

#include <linux/bits.h>
#include <linux/hashtable.h>
#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/sched.h>
#include <linux/vmon.h>
#include <asm/fpu/types.h>

#include "backend.h"
#include "../tools/lib/decode.h"
#include "lapic.h"

/*
 * The functions a VM exit runs, from the exit to the next entry and
 * through a return to userspace, are packed in one section: the round
 * trip then fetches from a few code pages, not from one page per file
 * (fewer iTLB entries; under an emulator, which flushes its TLB at every
 * world switch, fewer page walks per exit).  vmrun.S/vmenter.S put the
 * world switch there too.
 */
#define __vmon_hot	__section(".text.vmon_hot")

#define VMON_MAX_VCPUS		64
#define VMON_MAX_SLOTS		32
#define VMON_MAX_CPUID_ENTRIES	256
#define VMON_MAX_MSRS		64	/* entries per GET/SET_MSRS call */
/* buckets of the ioeventfd lookup (ioeventfd.c): 2^7 */
#define VMON_IOEVENTFD_HASH_BITS	7
/* guest-physical space a VM may use: 64 TiB, well inside 4-level EPT/NPT */
#define VMON_MAX_GUEST_PHYS	BIT_ULL(46)

/* ------------------------------------------------------------------ */
/* Two-dimensional paging (tdp.c): one table builder, two formats      */
/* ------------------------------------------------------------------ */

#define VMON_TDP_READ		BIT(0)
#define VMON_TDP_WRITE		BIT(1)
#define VMON_TDP_EXEC		BIT(2)

/* How one backend spells its second-level page-table entries */
struct vmon_tdp_format {
	const char *name;		/* "EPT" or "NPT" */
	unsigned int levels;		/* 4 or 5 */
	/* entry pointing to the next-level table at physical address pa */
	u64 (*table_entry)(phys_addr_t pa);
	/* 4 KiB leaf mapping the page at pa with VMON_TDP_* permissions */
	u64 (*leaf_entry)(phys_addr_t pa, unsigned int perms);
	bool (*is_present)(u64 entry);
	/* physical address an entry points at */
	phys_addr_t (*entry_address)(u64 entry);
};

struct vmon_tdp {
	const struct vmon_tdp_format *fmt;
	u64 *root;			/* one zeroed page */
	phys_addr_t root_pa;
	unsigned long nr_tables;	/* table pages allocated, root included */
};

int vmon_tdp_init(struct vmon_tdp *tdp, const struct vmon_tdp_format *fmt);
void vmon_tdp_destroy(struct vmon_tdp *tdp);
/* map one 4 KiB guest page; under vm->mem_lock of the VM the tables are in */
int vmon_tdp_map(struct vmon_tdp *tdp, u64 gpa, phys_addr_t hpa, unsigned int perms);
/* remove every mapping in [gpa, gpa + size); under vm->mem_lock */
void vmon_tdp_unmap(struct vmon_tdp *tdp, u64 gpa, u64 size);

/* ------------------------------------------------------------------ */
/* Memory slots (mem.c)                                                */
/* ------------------------------------------------------------------ */

struct vmon_slot {
	u32 id;
	u32 flags;			/* VMON_MEM_* */
	u64 gpa;
	u64 npages;
	unsigned long uaddr;
	struct page **pages;		/* pinned at registration */
	bool pinned_writable;		/* pinned with FOLL_WRITE: dirty on unpin */
};

/* ------------------------------------------------------------------ */
/* VM (vm.c)                                                           */
/* ------------------------------------------------------------------ */

/*
 * Locking (Documentation/locking.rst has the order): each field says
 * what guards it.  "const" fields are set before the VM is published
 * and never change.
 */
struct vmon_vm {
	refcount_t users;		/* atomic: VM fd + one per vCPU */
	struct mm_struct *mm;		/* const; owner: other processes get -EIO */
	pid_t pid;			/* const */
	/*
	 * const: the TSC offset every vCPU starts with, so that all of a
	 * VM's TSCs read 0 at its creation and stay in step, as on one
	 * machine (SDM Vol. 3B 17.17.1 "Invariant TSC"); a guest or
	 * userspace write of IA32_TIME_STAMP_COUNTER moves only its vCPU.
	 */
	u64 tsc_offset;
	kuid_t uid;			/* const */
	u32 id;				/* const; small number for tools */

	struct mutex lock;		/* vCPU creation, name */
	/* written under lock, read locklessly with smp_load_acquire() */
	struct vmon_vcpu *vcpus[VMON_MAX_VCPUS];
	unsigned int nr_vcpus;		/* lock */
	/* the vcpus[] slot a PAUSE loop tries first (spin.c): a lockless hint */
	unsigned int spin_next;

	struct mutex mem_lock;		/* memory slots, TDP tables */
	/* written under mem_lock; read under RCU by vmon_read_guest() */
	struct vmon_slot *slots[VMON_MAX_SLOTS];
	struct vmon_tdp tdp;		/* mem_lock; the hardware walks it unlocked */

	/* observability (observe.h): VMON_SET_NAME */
	char name[VMON_NAME_LEN];	/* lock */
	/* exit-event tracers (trace.c) */
	spinlock_t trace_lock;
	struct list_head tracers;	/* RCU list, changed under trace_lock */
	unsigned int nr_tracers;	/* trace_lock; read locklessly once per exit */

	/* notifications without exits (ioeventfd.c, irqfd.c) */
	struct mutex ioeventfd_lock;	/* changes to ioeventfds */
	/* RCU hash by address: changed under ioeventfd_lock, read at exits */
	DECLARE_HASHTABLE(ioeventfds, VMON_IOEVENTFD_HASH_BITS);
	unsigned int nr_ioeventfds;	/* ioeventfd_lock; read locklessly at exits */
	struct mutex irqfd_mutex;	/* one VMON_IRQFD assign/deassign at a time */
	spinlock_t irqfd_lock;		/* irqs off: taken in eventfd wakeups */
	struct list_head irqfds;	/* irqfd_lock */
	unsigned int nr_irqfds;		/* irqfd_lock */
	/* backend state follows (vmon_ops->vm_size) */
};

/* ------------------------------------------------------------------ */
/* A VM exit as the backend decoded it (backend -> exit.c)             */
/* ------------------------------------------------------------------ */

enum vmon_exit_kind {
	VMON_X_CONTINUE = 0,	/* handled inside the backend: enter again */
	VMON_X_IO,
	VMON_X_TDP_FAULT,	/* EPT violation / nested page fault */
	VMON_X_HLT,
	VMON_X_CPUID,
	VMON_X_RDMSR,		/* index in RCX */
	VMON_X_WRMSR,		/* index in RCX, value in EDX:EAX */
	VMON_X_HYPERCALL,
	VMON_X_XSETBV,
	VMON_X_SHUTDOWN,
	VMON_X_FAIL_ENTRY,
	VMON_X_UNHANDLED,	/* becomes VMON_EXIT_INTERNAL_ERROR */
	VMON_X_IRQ_WINDOW,	/* the guest can take an external interrupt (events.c) */
	VMON_X_NMI_WINDOW,	/* the guest no longer blocks NMIs (events.c) */
	VMON_X_PAUSE,		/* a PAUSE loop: yield to a sibling (spin.c) */
};

struct vmon_exit {
	enum vmon_exit_kind kind;
	u32 hw_reason;		/* raw VMX exit reason / SVM exit code */
	u64 qualification;	/* raw exit qualification / EXITINFO1 */
	union {
		struct {
			u16 port;
			u8 size;	/* 1, 2, 4 */
			bool in;
			bool string;
			bool rep;
			u8 addr_size;	/* 2, 4, 8 */
			u8 seg;		/* enum vmon_seg */
			u8 insn_len;
		} io;
		struct {
			u64 gpa;
			bool write;
			bool fetch;
			/* the CPU read a guest paging-structure entry at gpa */
			bool walk;
			u8 insn_len;	/* guest bytes the hardware gave, or 0 */
			u8 insn[15];
		} tdp;
		struct {
			u32 kind;	/* enum vmon_fail_kind */
			u64 code;
			u64 qualification;
			const char *reason;	/* from the decode tables */
			u32 rule;	/* guest-state rule broken, 0 unknown (entry_checks.c) */
		} fail;
	};
};

/* ------------------------------------------------------------------ */
/* vCPU (vcpu.c)                                                       */
/* ------------------------------------------------------------------ */

enum vmon_vcpu_mode {
	VMON_OUTSIDE_GUEST = 0,
	VMON_IN_GUEST,
};

/* bits in vcpu->requests, checked with interrupts off before entry */
#define VMON_REQ_TLB_FLUSH	0
#define VMON_REQ_EVENT		1	/* the APIC accepted an interrupt (irq.c) */
#define VMON_REQ_NMI		2	/* an NMI message: latch it */
#define VMON_REQ_INIT		3	/* an INIT message: to wait-for-SIPI */
#define VMON_REQ_SIPI		4	/* a SIPI: lapic.sipi_vector */
/* requests that change whether the vCPU runs: served outside guest mode */
#define VMON_REQ_YIELD		5	/* our IPI woke a sibling from HLT (spin.c) */
#define VMON_REQ_MP_MASK	(BIT(VMON_REQ_INIT) | BIT(VMON_REQ_SIPI))
/* what vmon_lapic_block() serves before the next entry */
#define VMON_REQ_LEAVE_MASK	(VMON_REQ_MP_MASK | BIT(VMON_REQ_YIELD))

/* a userspace exit that the next VMON_RUN must complete */
enum vmon_pending {
	VMON_PENDING_NONE = 0,
	VMON_PENDING_IO_IN,	/* merge run->io.data into RAX */
	VMON_PENDING_RDMSR,	/* run->msr.data -> EDX:EAX, or #GP */
	VMON_PENDING_WRMSR,	/* skip, or #GP */
	VMON_PENDING_MMIO_LOAD,	/* run->mmio.data -> vcpu->mmio_load's register */
};

/* events userspace handed the kernel, waiting for the guest (events.c) */
struct vmon_events {
	bool irq_queued;		/* VMON_INTERRUPT: irq_vector waits */
	u8 irq_vector;
	bool nmi_latched;		/* VMON_NMI; other threads: VMON_REQ_NMI */
	bool user_window;		/* run->request_interrupt_window at entry */
};

/* MSRs the module emulates for both backends (msr.c) */
#define VMON_MTRR_VAR		8	/* variable-range MTRR pairs */
#define VMON_MTRR_FIXED		11	/* fixed-range MTRRs */

struct vmon_msr_state {
	u64 apic_base;
	u64 ucode_rev;			/* IA32_BIOS_SIGN_ID / PATCH_LEVEL */
	u64 mcg_status;
	u64 mtrr_def_type;
	u64 mtrr_var[2 * VMON_MTRR_VAR];	/* PHYSBASEn, PHYSMASKn */
	u64 mtrr_fixed[VMON_MTRR_FIXED];
	u64 feature_control;		/* Intel */
	u64 misc_enable;		/* Intel */
	u64 hwcr, de_cfg, nb_cfg, syscfg;	/* AMD */
};

/*
 * Everything below mutex is guarded by it (one ioctl, VMON_RUN or a
 * netlink GET_STATE at a time) unless the field says otherwise.
 */
struct vmon_vcpu {
	struct vmon_vm *vm;		/* const */
	u32 id;				/* const */
	struct mutex mutex;
	struct vmon_run *run;		/* const page, shared with userspace */

	/* GPRs, RIP, RFLAGS: authoritative between exits; backends sync */
	struct vmon_regs regs;

	int mode;			/* lockless, ordered: vmon_vm_kick_all() */
	/*
	 * CPU the vCPU was last loaded on, -1 none.  The common code
	 * writes it after every vcpu_load() returns, so a backend's
	 * vcpu_load() still sees the previous CPU (to detect migration).
	 */
	int cpu;			/* lockless, as mode */
	/*
	 * Registered while an ioctl of the owner holds the vCPU loaded
	 * (vmon_vcpu_load()): the scheduler puts it when it takes the
	 * CPU away and loads it again when the task runs, on whichever CPU.
	 */
	struct preempt_notifier preempt_notifier;
	bool loaded;			/* between vmon_vcpu_load() and _put() */
	unsigned long requests;		/* atomic bit ops: vmon_vcpu_request() */
	struct vmon_exit exit;
	enum vmon_pending pending;
	/* pending == VMON_PENDING_MMIO_LOAD: the decoded load (emulate.c) */
	struct vmon_insn mmio_load;
	u64 exit_count;

	/* CPUID table the guest sees */
	struct vmon_cpuid_entry *cpuid;
	u32 cpuid_nent;

	struct vmon_msr_state msr;	/* msr.c */

	/* guest extended state, kept apart from the host task's (fpu.c) */
	struct fpu_guest guest_fpu;	/* the task's FPU state during VMON_RUN */
	u64 guest_xcr0;

	struct vmon_events events;
	struct vmon_lapic lapic;	/* lapic.h says what guards each field */

	/* userspace set registers: check them before the next entry (entry_checks.c) */
	bool state_dirty;
	/* jiffies at the last RCU note of an entry (vcpu.c); vCPU thread */
	unsigned long rcu_noted;

	/* exit statistics (stats.c): written by the vCPU thread, read by netlink */
	struct vmon_vcpu_stats *stats;
	/*
	 * The task of the last VMON_RUN, for a sibling spinning on PAUSE to
	 * yield to (spin.c): written under mutex, read under RCU.
	 */
	struct pid __rcu *spin_pid;
	/* the sibling VMON_REQ_YIELD yields to (spin.c); under mutex */
	struct vmon_vcpu *spin_woken;
	/* backend state follows (vmon_ops->vcpu_size) */
};

/* spin.c: PAUSE loops yield to a sibling vCPU */
extern bool vmon_pause_exiting;
void vmon_spin_set_runner(struct vmon_vcpu *vcpu);

/*
 * VMON_RUN, before each entry: a halted vCPU or one waiting for a SIPI
 * sleeps until something changes that (vmon_lapic_wait(), irq.c).  A
 * running vCPU with no INIT, SIPI or yield posted, the usual case, has
 * nothing to do here, and costs two loads; one posted after this look
 * makes vmon_enter_guest() back out (-EAGAIN) and come here again.
 */
static inline int vmon_lapic_block(struct vmon_vcpu *vcpu)
{
	if (likely(vcpu->lapic.mp_state == VMON_MP_RUNNABLE &&
		   !(READ_ONCE(vcpu->requests) & VMON_REQ_LEAVE_MASK)))
		return 0;
	return vmon_lapic_wait(vcpu);
}

/* VMON_RUN, vcpu->mutex held: the task a sibling may yield to */
static inline void vmon_spin_note_runner(struct vmon_vcpu *vcpu)
{
	if (rcu_access_pointer(vcpu->spin_pid) != task_pid(current))
		vmon_spin_set_runner(vcpu);
}

void vmon_spin_vcpu_destroy(struct vmon_vcpu *vcpu);
int vmon_exit_pause(struct vmon_vcpu *vcpu);
void vmon_spin_note_wake(struct vmon_vcpu *src, struct vmon_vcpu *woken);
void vmon_spin_yield_woken(struct vmon_vcpu *vcpu);

/* vcpu.c */
struct vmon_vcpu *vmon_vcpu_create(struct vmon_vm *vm, u32 id);
void vmon_vcpu_destroy(struct vmon_vcpu *vcpu);
int vmon_vcpu_run(struct vmon_vcpu *vcpu);
/* vcpu->mutex held: the vCPU stays loaded for the calling task (ioctls) */
void vmon_vcpu_load(struct vmon_vcpu *vcpu);
void vmon_vcpu_put(struct vmon_vcpu *vcpu);
/* vcpu->mutex held, not loaded (netlink): a short access, preempt off */
void vmon_vcpu_access_begin(struct vmon_vcpu *vcpu);
void vmon_vcpu_access_end(struct vmon_vcpu *vcpu);
void vmon_vcpu_request(struct vmon_vcpu *vcpu, int req);
/* make every vCPU of vm leave guest mode and see its requests */
void vmon_vm_kick_all(struct vmon_vm *vm);

/*
 * cr.c: the architectural rules of CR0/CR4/EFER writes and the CPL, for
 * both backends.  0 or -EINVAL (#GP for a guest's write).
 */
struct vmon_cr_state {
	u64 cr0, cr3, cr4, efer;	/* as the guest sees them */
	bool mode64;			/* 64-bit mode: EFER.LMA and CS.L */
};

u64 vmon_efer_derive_lma(u64 efer, u64 cr0);
int vmon_efer_write(u64 old, u64 *efer, u64 cr0, u64 allowed);
int vmon_cr0_write(const struct vmon_cr_state *now, u64 val, u64 *efer);
int vmon_cr4_write(const struct vmon_cr_state *now, u64 val, u64 allowed);
int vmon_sregs_check(const struct vmon_sregs *sregs, u64 efer_allowed);
u8 vmon_cpl(const struct vmon_sregs *sregs);

/* exit.c: 1 = enter again, 0 = return to userspace, <0 = error */
int vmon_handle_exit(struct vmon_vcpu *vcpu);
bool vmon_handle_exit_fast(struct vmon_vcpu *vcpu);	/* irqs off, loaded */
void vmon_complete_user_exit(struct vmon_vcpu *vcpu);
/* the segment and control registers, the vCPU loaded around the read */
void vmon_get_sregs(struct vmon_vcpu *vcpu, struct vmon_sregs *sregs);
/* fill the run page with VMON_EXIT_INTERNAL_ERROR; returns 0 (to userspace) */
int vmon_internal_error(struct vmon_vcpu *vcpu, u32 kind, u64 code, u64 qual,
			const char *reason);

/* events.c */
int vmon_ioctl_interrupt(struct vmon_vcpu *vcpu, void __user *argp);
int vmon_ioctl_nmi(struct vmon_vcpu *vcpu, unsigned long arg);
int vmon_ioctl_inject_exception(struct vmon_vcpu *vcpu, void __user *argp);
void vmon_events_prepare_entry(struct vmon_vcpu *vcpu);	/* irqs off, loaded */
bool vmon_events_busy(struct vmon_vcpu *vcpu, int *busy);	/* irqs off, loaded */
int vmon_events_window_exit(struct vmon_vcpu *vcpu);
bool vmon_events_wake_from_hlt(struct vmon_vcpu *vcpu);
void vmon_events_report(struct vmon_vcpu *vcpu);

/*
 * State dumps (dump.c).  vmon_vcpu_dump_state() takes vcpu->mutex (it
 * waits while VMON_RUN is in progress, killable), writes up to cap
 * fields, sets *nfields to the number the backend has and returns
 * -E2BIG when that is more than cap.  Host addresses are redacted
 * unless show_host (the caller's CAP_SYS_ADMIN test).  VMON_MAX_STATE_FIELDS bounds
 * every backend's table.
 */
#define VMON_MAX_STATE_FIELDS	256
int vmon_vcpu_dump_state(struct vmon_vcpu *vcpu, struct vmon_state_field *fields,
			 u32 cap, u32 *nfields, bool show_host);
const char *vmon_state_field_name(u32 id);	/* NULL: no such field */
int vmon_ioctl_state_dump(struct vmon_vcpu *vcpu, void __user *argp);

/*
 * Guest-state rules (entry_checks.c; tables/vmx_guest_checks.h,
 * tables/svm_vmrun_checks.h): one row of a backend's table.
 */
struct vmon_state_rule {
	u32 id;
	const char *section;	/* "SDM Vol. 3C 27.3.1.2", "APM Vol. 2 15.5.1" */
	const char *text;	/* "CS.L and CS.D both set in 64-bit mode" */
};

/* before an entry with state_dirty: true when a rule is broken (run page filled) */
bool vmon_check_user_state(struct vmon_vcpu *vcpu);
/* the kernel log line for a broken rule, by a backend or the common code */
void vmon_report_rule(struct vmon_vcpu *vcpu, const struct vmon_state_rule *rule,
		      bool before_entry);

/* cpuid.c */
int vmon_cpuid_init_default(struct vmon_vcpu *vcpu);
int vmon_cpuid_set(struct vmon_vcpu *vcpu, const struct vmon_cpuid_entry *e, u32 nent);
void vmon_cpuid_lookup(struct vmon_vcpu *vcpu, u32 function, u32 index,
		       u32 *eax, u32 *ebx, u32 *ecx, u32 *edx);

/*
 * msr.c: the MSRs the kernel owns, the backend's then the emulated ones;
 * 0, -ENOENT (userspace's MSR) or -EINVAL (#GP).  host: from SET_MSRS.
 */
void vmon_msr_reset(struct vmon_vcpu *vcpu);
int vmon_get_msr(struct vmon_vcpu *vcpu, u32 index, u64 *data);
int vmon_set_msr(struct vmon_vcpu *vcpu, u32 index, u64 data, bool host);
bool vmon_msr_fast(u32 index);		/* the fast path may access it */

/* fpu.c */
int vmon_fpu_setup(void);		/* module init: host XCR0, area size */
u64 vmon_fpu_guest_xfeatures(void);	/* XCR0 bits a guest may enable */
int vmon_fpu_init(struct vmon_vcpu *vcpu);
void vmon_fpu_free(struct vmon_vcpu *vcpu);
/* vmon_fpu_run_begin/end(), vmon_fpu_load_guest/put_guest(): inline in fpu.h */
int vmon_set_xcr0(struct vmon_vcpu *vcpu, u32 index, u64 value);

/* mem.c */
int vmon_set_memory(struct vmon_vm *vm, const struct vmon_memory_region *r);
/* 0: mapped; -ENOENT: no slot (MMIO); -EACCES: write to a read-only slot */
int vmon_mem_fault(struct vmon_vm *vm, u64 gpa, bool write);
/* any context, no lock: 0, or -EFAULT when part of the range is in no slot */
int vmon_read_guest(struct vmon_vm *vm, u64 gpa, void *data, unsigned int len);
void vmon_mem_destroy(struct vmon_vm *vm);

/*
 * ioeventfd.c: guest writes that signal an eventfd (VMON_IOEVENTFD).
 * The exit hooks run on the vCPU thread: vmon_ioeventfd_mmio() returns
 * 1 when a registration took the TDP-fault write (RIP advanced) and
 * -ENOENT when userspace gets the exit; vmon_ioeventfd_pio() is true
 * when one took the OUT (the caller advances RIP).
 */
void vmon_ioeventfd_vm_init(struct vmon_vm *vm);
void vmon_ioeventfd_vm_destroy(struct vmon_vm *vm);
int vmon_ioctl_ioeventfd(struct vmon_vm *vm, void __user *argp);
int vmon_ioeventfd_mmio(struct vmon_vcpu *vcpu);
bool vmon_ioeventfd_pio(struct vmon_vcpu *vcpu, u16 port, u8 size, u32 val);

/* irqfd.c: eventfds that send an MSI when signalled (VMON_IRQFD) */
int vmon_irqfd_setup(void);		/* module init: the teardown workqueue */
void vmon_irqfd_unsetup(void);
void vmon_irqfd_vm_init(struct vmon_vm *vm);
void vmon_irqfd_vm_destroy(struct vmon_vm *vm);	/* before the vCPUs go */
int vmon_ioctl_irqfd(struct vmon_vm *vm, void __user *argp);

/* vm.c */
struct vmon_vm *vmon_vm_create(void);
void vmon_vm_put(struct vmon_vm *vm);

/* dev.c */
int vmon_dev_init(void);
void vmon_dev_exit(void);

#endif /* VMON_CORE_H */
