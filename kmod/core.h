/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The objects every part of vmon.ko shares: VM, vCPU, memory slot,
 * two-dimensional page tables, and the decoded VM exit that a backend
 * hands to the common exit handlers.
 */
#ifndef VMON_CORE_H
#define VMON_CORE_H

#include <linux/bits.h>
#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/vmon.h>

#include "backend.h"

#define VMON_MAX_VCPUS		64
#define VMON_MAX_SLOTS		32
#define VMON_MAX_CPUID_ENTRIES	256
#define VMON_MAX_MSRS		64	/* entries per GET/SET_MSRS call */
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
/* map one 4 KiB guest page; caller holds vm->mem_lock */
int vmon_tdp_map(struct vmon_tdp *tdp, u64 gpa, phys_addr_t hpa, unsigned int perms);
/* remove every mapping in [gpa, gpa + size); caller holds vm->mem_lock */
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

struct vmon_vm {
	refcount_t users;		/* VM fd + one per vCPU */
	struct mm_struct *mm;		/* owner: other processes get -EIO */
	pid_t pid;
	kuid_t uid;
	u32 id;				/* small number for tools */

	struct mutex lock;		/* vCPU creation */
	struct vmon_vcpu *vcpus[VMON_MAX_VCPUS];
	unsigned int nr_vcpus;

	struct mutex mem_lock;		/* slots and the TDP tables */
	struct vmon_slot *slots[VMON_MAX_SLOTS];
	struct vmon_tdp tdp;
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
			u8 insn_len;	/* guest bytes the hardware gave, or 0 */
			u8 insn[15];
		} tdp;
		struct {
			u32 kind;	/* enum vmon_fail_kind */
			u64 code;
			u64 qualification;
			const char *reason;	/* from the decode tables */
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

/* a userspace exit that the next VMON_RUN must complete */
enum vmon_pending {
	VMON_PENDING_NONE = 0,
	VMON_PENDING_IO_IN,	/* merge run->io.data into RAX */
	VMON_PENDING_RDMSR,	/* run->msr.data -> EDX:EAX, or #GP */
	VMON_PENDING_WRMSR,	/* skip, or #GP */
};

struct vmon_vcpu {
	struct vmon_vm *vm;
	u32 id;
	struct mutex mutex;		/* one ioctl at a time */
	struct vmon_run *run;		/* shared with userspace (one page) */

	/* GPRs, RIP, RFLAGS: authoritative between exits; backends sync */
	struct vmon_regs regs;

	int mode;			/* enum vmon_vcpu_mode, for kicks */
	/*
	 * CPU the vCPU was last loaded on, -1 none.  The common code
	 * writes it after every vcpu_load() returns, so a backend's
	 * vcpu_load() still sees the previous CPU (to detect migration).
	 */
	int cpu;
	unsigned long requests;
	struct vmon_exit exit;
	enum vmon_pending pending;
	u64 exit_count;

	/* CPUID table the guest sees */
	struct vmon_cpuid_entry *cpuid;
	u32 cpuid_nent;

	/* guest extended state, kept apart from the host task's (fpu.c) */
	void *fpu_area;
	u64 guest_xcr0;
	/* backend state follows (vmon_ops->vcpu_size) */
};

/* vcpu.c */
struct vmon_vcpu *vmon_vcpu_create(struct vmon_vm *vm, u32 id);
void vmon_vcpu_destroy(struct vmon_vcpu *vcpu);
int vmon_vcpu_run(struct vmon_vcpu *vcpu);
/* bracket register access from ioctls: backend state is per CPU */
void vmon_vcpu_access_begin(struct vmon_vcpu *vcpu);
void vmon_vcpu_access_end(struct vmon_vcpu *vcpu);
void vmon_vcpu_request(struct vmon_vcpu *vcpu, int req);
/* make every vCPU of vm leave guest mode and see its requests */
void vmon_vm_kick_all(struct vmon_vm *vm);

/* exit.c: 1 = enter again, 0 = return to userspace, <0 = error */
int vmon_handle_exit(struct vmon_vcpu *vcpu);
void vmon_complete_user_exit(struct vmon_vcpu *vcpu);

/* cpuid.c */
int vmon_cpuid_init_default(struct vmon_vcpu *vcpu);
int vmon_cpuid_set(struct vmon_vcpu *vcpu, const struct vmon_cpuid_entry *e, u32 nent);
void vmon_cpuid_lookup(struct vmon_vcpu *vcpu, u32 function, u32 index,
		       u32 *eax, u32 *ebx, u32 *ecx, u32 *edx);

/* fpu.c */
int vmon_fpu_setup(void);		/* module init: host XCR0, area size */
u64 vmon_fpu_guest_xfeatures(void);	/* XCR0 bits a guest may enable */
int vmon_fpu_init(struct vmon_vcpu *vcpu);
void vmon_fpu_free(struct vmon_vcpu *vcpu);
void vmon_fpu_load_guest(struct vmon_vcpu *vcpu);	/* irqs off */
void vmon_fpu_put_guest(struct vmon_vcpu *vcpu);	/* irqs off */
int vmon_set_xcr0(struct vmon_vcpu *vcpu, u32 index, u64 value);

/* mem.c */
int vmon_set_memory(struct vmon_vm *vm, const struct vmon_memory_region *r);
/* 0: mapped; -ENOENT: no slot (MMIO); -EACCES: write to a read-only slot */
int vmon_mem_fault(struct vmon_vm *vm, u64 gpa, bool write);
void vmon_mem_destroy(struct vmon_vm *vm);

/* vm.c */
struct vmon_vm *vmon_vm_create(void);
void vmon_vm_put(struct vmon_vm *vm);

/* dev.c */
int vmon_dev_init(void);
void vmon_dev_exit(void);

#endif /* VMON_CORE_H */
