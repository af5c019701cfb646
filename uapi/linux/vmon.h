/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmon: the ABI between vmon.ko and its userspace (libvmon, vmon, selftests).
 *
 * Object hierarchy, as in KVM:
 *   open("/dev/vmon")  -> system fd
 *   VMON_CREATE_VM     -> VM fd      (bound to the creating process's mm)
 *   VMON_CREATE_VCPU   -> vCPU fd    (mmap() it for struct vmon_run)
 *
 * Every struct has explicit padding; every flags/reserved field must be
 * zero on input, so that the ABI can grow without breaking old callers.
 */
#ifndef _UAPI_LINUX_VMON_H
#define _UAPI_LINUX_VMON_H

#include <linux/types.h>
#include <linux/ioctl.h>

/*
 * 2: VMON_EXIT_MMIO arrives decoded by the kernel (VMON_MMIO_DECODED,
 * RIP already past the instruction); a userspace of version 1 would
 * emulate the next instruction instead.
 */
#define VMON_API_VERSION	2

/* unassigned in Documentation/userspace-api/ioctl/ioctl-number.rst (6.1) */
#define VMONIO			0xB2

/* ------------------------------------------------------------------ */
/* System fd                                                           */
/* ------------------------------------------------------------------ */

enum vmon_backend {
	VMON_BACKEND_NONE = 0,
	VMON_BACKEND_VMX = 1,		/* Intel VT-x */
	VMON_BACKEND_SVM = 2,		/* AMD-V */
};

/* struct vmon_caps.flags */
#define VMON_CAP_TDP			(1u << 0)  /* EPT or NPT in use */
#define VMON_CAP_UNRESTRICTED_GUEST	(1u << 1)  /* real mode without emulation */
#define VMON_CAP_VPID			(1u << 2)  /* VMX VPID tagged TLB */
#define VMON_CAP_ASID			(1u << 3)  /* SVM ASID tagged TLB */
#define VMON_CAP_NRIPS			(1u << 4)  /* SVM next-RIP save */
#define VMON_CAP_TDP_AD			(1u << 5)  /* accessed/dirty bits in TDP */
#define VMON_CAP_XSAVE			(1u << 6)  /* guest XSAVE state switched */
#define VMON_CAP_LAPIC			(1u << 7)  /* in-kernel local APIC per vCPU */
#define VMON_CAP_IOEVENTFD		(1u << 8)  /* VMON_IOEVENTFD */
#define VMON_CAP_IRQFD			(1u << 9)  /* VMON_IRQFD */

struct vmon_caps {
	__u32 backend;			/* enum vmon_backend */
	__u32 flags;			/* VMON_CAP_* */
	__u32 tdp_levels;		/* levels of the EPT/NPT tables: 4 or 5 */
	__u32 host_paging_levels;	/* 4 or 5 (CR4.LA57) */
	__u32 max_vcpus;		/* per VM */
	__u32 max_mem_slots;		/* per VM */
	__u32 max_cpuid_entries;
	__u32 run_size;			/* bytes to mmap() from a vCPU fd */
	__u64 max_guest_phys;		/* highest guest-physical address + 1 */
	/*
	 * The host TSC frequency the kernel measured; the guest's TSC is
	 * the host's (no scaling), so it is the guest's too.  0: unknown.
	 */
	__u32 tsc_khz;
	__u32 padding;
	__u64 reserved[7];
};

/* _IO(VMONIO, 0x00): returns VMON_API_VERSION */
#define VMON_GET_API_VERSION	_IO(VMONIO, 0x00)
#define VMON_GET_CAPS		_IOR(VMONIO, 0x01, struct vmon_caps)
/* argument must be 0; returns a new VM fd */
#define VMON_CREATE_VM		_IO(VMONIO, 0x02)

/* ------------------------------------------------------------------ */
/* VM fd                                                               */
/* ------------------------------------------------------------------ */

/* struct vmon_memory_region.flags */
#define VMON_MEM_READONLY	(1u << 0)  /* guest writes become MMIO exits */

/*
 * Create, replace or delete (size == 0) one memory slot.
 * guest_phys, size and user_addr must be page aligned; slots may not
 * overlap other slots in guest-physical space.
 */
struct vmon_memory_region {
	__u32 slot;
	__u32 flags;			/* VMON_MEM_* */
	__u64 guest_phys;
	__u64 size;
	__u64 user_addr;
	__u64 reserved[2];
};

#define VMON_SET_MEMORY		_IOW(VMONIO, 0x10, struct vmon_memory_region)

/* A name for the tools (vmon ps); NUL terminated, printable ASCII */
#define VMON_NAME_LEN		32
struct vmon_vm_name {
	char name[VMON_NAME_LEN];
};

#define VMON_SET_NAME		_IOW(VMONIO, 0x12, struct vmon_vm_name)
/* argument: the vCPU id (0 .. max_vcpus - 1); returns a new vCPU fd */
#define VMON_CREATE_VCPU	_IO(VMONIO, 0x11)

/*
 * Interrupts (Documentation/interrupts.rst).  Every vCPU has a local
 * APIC in the kernel (SDM Vol. 3A chapter 11): xAPIC through the page
 * at IA32_APIC_BASE, x2APIC through MSRs 0x800-0x8ff, its timer, and
 * the IPIs it sends.  The vCPU id is its APIC ID.  The I/O APIC and the
 * PIC are userspace's: the I/O APIC raises interrupts with
 * VMON_SIGNAL_MSI, the PIC with VMON_INTERRUPT (the INTR pin, taken
 * when the APIC is hardware-disabled or LVT0 is an unmasked ExtINT).
 *
 * VMON_SIGNAL_MSI delivers one message-signalled interrupt to the
 * VM's local APICs, from any thread, without waiting for VMON_RUN.
 * address: 0xFEEx_xxxx with the destination ID in bits 19:12 (bits
 * 11:5 of the x2APIC ID, if any, in address bits 63:32 are refused),
 * RH bit 3, DM bit 2, bits 1:0 zero (SDM Vol. 3A 11.11.1).  data:
 * vector 7:0, delivery mode 10:8 (fixed, lowest priority, NMI, INIT;
 * SMI, ExtINT and the reserved modes are refused), level 14, trigger
 * mode 15, other bits zero (11.11.2).  Returns the number of local
 * APICs that accepted it (0: no destination, or all disabled), or
 * -EINVAL with nothing delivered.
 */
struct vmon_msi {
	__u64 address;
	__u32 data;
	__u32 flags;			/* must be 0 */
	__u64 reserved[2];		/* must be 0 */
};

#define VMON_SIGNAL_MSI		_IOW(VMONIO, 0x13, struct vmon_msi)

/*
 * Notifications without exits (Documentation/api.rst).
 *
 * VMON_IOEVENTFD: a guest write of len bytes (0: any length) to MMIO
 * address addr, or an OUT to port addr with VMON_IOEVENTFD_PIO, adds 1
 * to eventfd fd and resumes the guest after the instruction, without
 * returning from VMON_RUN.  With VMON_IOEVENTFD_DATAMATCH only a write
 * of the value datamatch (len bytes of it) matches; len must then be
 * 1, 2, 4 or 8 (PIO: 1, 2 or 4).  A write nothing matches exits to
 * userspace as before.  Two registrations of one address may not both
 * match a write: same addr and kind, and a len of 0 on either side or
 * equal lens with a wildcard on either side or equal datamatch values
 * is -EEXIST.  VMON_IOEVENTFD_DEASSIGN removes the registration with
 * the same fd, addr, len, flags and datamatch (-ENOENT if none).
 * At most VMON_MAX_IOEVENTFDS per VM (-ENOSPC).
 */
#define VMON_IOEVENTFD_DATAMATCH	(1u << 0)
#define VMON_IOEVENTFD_PIO		(1u << 1)
#define VMON_IOEVENTFD_DEASSIGN		(1u << 2)
#define VMON_MAX_IOEVENTFDS		1000

struct vmon_ioeventfd {
	__u64 addr;			/* guest-physical address or port */
	__u32 len;			/* 0 (any), 1, 2, 4, 8 */
	__s32 fd;			/* an eventfd */
	__u64 datamatch;
	__u32 flags;			/* VMON_IOEVENTFD_* */
	__u32 pad;			/* must be 0 */
	__u64 reserved[2];		/* must be 0 */
};

#define VMON_IOEVENTFD		_IOW(VMONIO, 0x14, struct vmon_ioeventfd)

/*
 * VMON_IRQFD: every time eventfd fd is signalled, the kernel reads it
 * (the counter drops to 0) and delivers the MSI (msi_address,
 * msi_data) as VMON_SIGNAL_MSI does (the same rules: -EINVAL).
 * Assigning an fd already bound replaces its message (an MSI-X vector
 * reprogrammed by the guest); the signals after the ioctl returns use
 * the new one.  VMON_IRQFD_DEASSIGN unbinds fd (-ENOENT if it is not
 * bound); once it returns, fd raises nothing.  Closing the eventfd's
 * last file unbinds it too.  At most VMON_MAX_IRQFDS per VM (-ENOSPC).
 */
#define VMON_IRQFD_DEASSIGN		(1u << 0)
#define VMON_MAX_IRQFDS			1024

struct vmon_irqfd {
	__s32 fd;			/* an eventfd */
	__u32 flags;			/* VMON_IRQFD_* */
	__u64 msi_address;
	__u32 msi_data;
	__u32 pad;			/* must be 0 */
	__u64 reserved[2];		/* must be 0 */
};

#define VMON_IRQFD		_IOW(VMONIO, 0x15, struct vmon_irqfd)

/* ------------------------------------------------------------------ */
/* vCPU fd                                                             */
/* ------------------------------------------------------------------ */

struct vmon_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
};

struct vmon_segment {
	__u64 base;
	__u32 limit;			/* byte granular, as the CPU uses it */
	__u16 selector;
	__u8  type;			/* 4-bit type field of the descriptor */
	__u8  present, dpl, db, s, l, g, avl;
	__u8  unusable;			/* VMX "unusable" / null selector */
	__u8  padding[9];		/* 32 bytes on every ABI */
};

struct vmon_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];
};

struct vmon_sregs {
	struct vmon_segment cs, ds, es, fs, gs, ss;
	struct vmon_segment tr, ldt;
	struct vmon_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 reserved[4];
};

#define VMON_GET_REGS		_IOR(VMONIO, 0x20, struct vmon_regs)
#define VMON_SET_REGS		_IOW(VMONIO, 0x21, struct vmon_regs)
#define VMON_GET_SREGS		_IOR(VMONIO, 0x22, struct vmon_sregs)
#define VMON_SET_SREGS		_IOW(VMONIO, 0x23, struct vmon_sregs)

/* struct vmon_cpuid_entry.flags */
#define VMON_CPUID_SIGNIFICANT_INDEX	(1u << 0)  /* match on index too */

/*
 * The default CPUID table announces vmon (CPUID.01H:ECX[31] set):
 * CPUID.40000000H returns EAX = the highest hypervisor leaf (40000000H)
 * and the 12-byte signature in EBX, ECX, EDX, in that order.
 */
#define VMON_CPUID_HYPERVISOR_LEAF	0x40000000u
#define VMON_CPUID_SIGNATURE		"vmonvmonvmon"

struct vmon_cpuid_entry {
	__u32 function;
	__u32 index;
	__u32 flags;
	__u32 eax, ebx, ecx, edx;
	__u32 padding;
};

/*
 * Replace the CPUID table the guest sees.  A leaf that is not in the
 * table reads as zeros.  Until this is called the vCPU sees the host's
 * leaves with VMX, SVM and the hypervisor-unsafe features hidden.
 */
struct vmon_cpuid {
	__u32 nent;
	__u32 padding;
	struct vmon_cpuid_entry entries[];
};

#define VMON_SET_CPUID		_IOW(VMONIO, 0x24, struct vmon_cpuid)

struct vmon_msr_entry {
	__u32 index;
	__u32 reserved;
	__u64 data;
};

/*
 * Read or write up to nmsrs MSRs.  Returns the number of entries
 * processed; processing stops at the first MSR the kernel does not own.
 */
struct vmon_msrs {
	__u32 nmsrs;
	__u32 pad;
	struct vmon_msr_entry entries[];
};

#define VMON_GET_MSRS		_IOWR(VMONIO, 0x25, struct vmon_msrs)
#define VMON_SET_MSRS		_IOW(VMONIO, 0x26, struct vmon_msrs)

/* Enter the guest until an exit needs userspace; see struct vmon_run */
#define VMON_RUN		_IO(VMONIO, 0x27)

/*
 * Events.  vmon has no in-kernel interrupt controller: userspace models
 * the PIC and hands the kernel one vector at a time.
 *
 * VMON_INTERRUPT queues an external interrupt.  The kernel delivers it
 * through the guest's IDT as soon as the guest is interruptible, opening
 * an interrupt window itself if needed (no userspace round trip).  At
 * most one interrupt is queued: -EBUSY while the previous one has not
 * been delivered (run->ready_for_interrupt_injection tells when it has).
 * A HLT with a deliverable event queued does not exit to userspace.
 */
struct vmon_interrupt {
	__u32 vector;			/* 0..255 */
	__u32 flags;			/* must be 0 */
};

#define VMON_INTERRUPT		_IOW(VMONIO, 0x28, struct vmon_interrupt)

/*
 * VMON_NMI latches one NMI, delivered when the guest is not blocking
 * NMIs (SDM Vol. 3C 25.3 / 26.7.6; APM Vol. 2 15.20).  Like the NMI pin
 * it does not count: NMIs raised while one is latched merge into it.
 */
#define VMON_NMI		_IO(VMONIO, 0x29)

/*
 * Raise an exception in the guest on the next entry, as if the
 * instruction at RIP had faulted.  vector: an architectural exception,
 * 0-20 less 2 (use VMON_NMI), 9 and 15 (reserved); has_error_code must
 * match the architecture (set for 8, 10-14 and 17, clear otherwise; SDM
 * Vol. 3A 6.15), error_code < 0x10000 and 0 without one.  The error code
 * is not pushed in real mode.  -EBUSY when an event is already queued
 * for the next entry.
 */
struct vmon_exception {
	__u8  vector;
	__u8  has_error_code;
	__u8  padding[2];
	__u32 error_code;
	__u64 reserved[2];		/* must be 0 */
};

#define VMON_INJECT_EXCEPTION	_IOW(VMONIO, 0x2a, struct vmon_exception)

/*
 * The backend's guest state (VMCS fields or VMCB save/control area) as
 * id/value pairs.  Ids and names come from one decode table
 * (tables/vmcs_fields.h, tables/vmcb_fields.h) shared by the module, the
 * tools and the documentation: VMX ids are VMCS field encodings (SDM
 * Vol. 3C Appendix B), SVM ids are VMCB byte offsets (APM Vol. 2
 * Appendix B).  In: nfields = capacity of fields[]; out: the number
 * written.  -E2BIG with nfields = the number needed when it is too small.
 */
struct vmon_state_field {
	__u32 id;
	__u32 flags;			/* VMON_STATE_FIELD_* */
	__u64 value;
};

/*
 * vmon_state_field.flags: the field holds a host address (host-state
 * area, physical addresses of vmon's tables) and the caller lacks
 * CAP_SYS_ADMIN, so value is 0 instead (no KASLR or physical-layout leak).
 */
#define VMON_STATE_FIELD_REDACTED	(1u << 0)

struct vmon_state_dump {
	__u32 nfields;
	__u32 backend;			/* out: enum vmon_backend */
	__u64 reserved[2];		/* must be 0 */
	struct vmon_state_field fields[];
};

#define VMON_GET_STATE_DUMP	_IOWR(VMONIO, 0x2b, struct vmon_state_dump)

/*
 * The whole local APIC, for debuggers and snapshots.  regs: the first
 * KiB of the xAPIC page, each register at its xAPIC offset (SDM Vol. 3A
 * Table 11-1: ID at 0x20, ISR at 0x100-0x170, IRR at 0x200-0x270, the
 * timer's current count at 0x390 as of the GET).  SET checks
 * apic_base as a guest WRMSR would be checked, rewrites the read-only
 * registers (version) and recomputes PPR; the timer restarts from the
 * current count (one-shot, periodic) or from tsc_deadline.  -EINVAL for
 * a state no APIC can be in, and nothing changes.
 */
#define VMON_LAPIC_REGS_SIZE	1024

struct vmon_lapic_state {
	__u64 apic_base;		/* IA32_APIC_BASE */
	__u64 tsc_deadline;		/* IA32_TSC_DEADLINE: 0 = disarmed */
	__u32 flags;			/* must be 0 */
	__u32 padding;			/* must be 0 */
	__u64 reserved[5];		/* must be 0 */
	__u8  regs[VMON_LAPIC_REGS_SIZE];
};

#define VMON_GET_LAPIC		_IOR(VMONIO, 0x2c, struct vmon_lapic_state)
#define VMON_SET_LAPIC		_IOW(VMONIO, 0x2d, struct vmon_lapic_state)

/*
 * Whether the vCPU runs.  A vCPU is created runnable.  INIT (an IPI or
 * an MSI) puts it in VMON_MP_WAIT_SIPI: VMON_RUN then blocks, killably
 * and until a signal (VMON_EXIT_INTR), until a SIPI starts it in real
 * mode at CS:IP = vector << 8 : 0 (SDM Vol. 3A 9.4.4.1).  With its APIC
 * software-enabled, a vCPU that executes HLT waits in the kernel
 * (VMON_MP_HALTED) for an interrupt its APIC accepts, an NMI or a
 * signal; with the APIC disabled HLT returns VMON_EXIT_HLT as it
 * always did.  A VMM starting a multiprocessor guest sets its
 * application processors to VMON_MP_WAIT_SIPI before their first
 * VMON_RUN, as the hardware does at power-on.
 */
enum vmon_mp_state_value {
	VMON_MP_RUNNABLE	= 0,
	VMON_MP_HALTED		= 1,
	VMON_MP_WAIT_SIPI	= 2,
};

struct vmon_mp_state {
	__u32 state;			/* enum vmon_mp_state_value */
	__u32 padding;			/* must be 0 */
	__u64 reserved;			/* must be 0 */
};

#define VMON_GET_MP_STATE	_IOR(VMONIO, 0x2e, struct vmon_mp_state)
#define VMON_SET_MP_STATE	_IOW(VMONIO, 0x2f, struct vmon_mp_state)

/* ------------------------------------------------------------------ */
/* The run page: mmap(vcpu_fd, 0, caps.run_size)                       */
/* ------------------------------------------------------------------ */

enum vmon_exit_reason {
	VMON_EXIT_NONE		= 0,
	VMON_EXIT_IO		= 1,	/* port I/O: run->io */
	VMON_EXIT_MMIO		= 2,	/* access outside RAM: run->mmio */
	VMON_EXIT_HLT		= 3,
	VMON_EXIT_SHUTDOWN	= 4,	/* triple fault */
	VMON_EXIT_FAIL_ENTRY	= 5,	/* VM entry failed: run->fail_entry */
	VMON_EXIT_HYPERCALL	= 6,	/* VMCALL/VMMCALL: run->hypercall */
	VMON_EXIT_MSR		= 7,	/* RDMSR/WRMSR of an MSR the kernel does not own */
	VMON_EXIT_INTR		= 8,	/* signal pending or immediate_exit */
	VMON_EXIT_INTERNAL_ERROR = 9,	/* exit the module cannot handle */
	VMON_EXIT_IRQ_WINDOW_OPEN = 10,	/* asked for by run->request_interrupt_window */
	VMON_EXIT_EOI		= 11,	/* EOI of a level-triggered vector: run->eoi */
	VMON_EXIT_NR
};

/* run->io.direction */
#define VMON_IO_OUT		0
#define VMON_IO_IN		1

/* run->io.flags */
#define VMON_IO_STRING		(1u << 0)  /* INS/OUTS: userspace emulates */
#define VMON_IO_REP		(1u << 1)  /* with a REP prefix: count in RCX */

/* run->mmio.flags */
#define VMON_MMIO_WRITE		(1u << 0)
#define VMON_MMIO_FETCH		(1u << 1)  /* instruction fetch */
#define VMON_MMIO_READONLY_SLOT	(1u << 2)  /* write to a read-only slot */
#define VMON_MMIO_DECODED	(1u << 3)  /* the kernel decoded it: len, data */

/* run->fail_entry.kind */
enum vmon_fail_kind {
	VMON_FAIL_VMINSTR_ERROR	= 1,	/* VMX VMfailValid: code = VM-instruction error */
	VMON_FAIL_GUEST_STATE	= 2,	/* VMX exit 33: qualification as in SDM 27.8 */
	VMON_FAIL_MSR_LOAD	= 3,	/* VMX exit 34: code = failing MSR entry */
	VMON_FAIL_VMCB_INVALID	= 4,	/* SVM VMEXIT_INVALID (APM 15.5.1) */
	VMON_FAIL_OTHER		= 5,
};

/* run->internal.kind */
enum vmon_internal_kind {
	VMON_INTERNAL_UNHANDLED_EXIT	= 1,	/* hardware exit reason in code */
	VMON_INTERNAL_EMULATION		= 2,
	VMON_INTERNAL_NO_MEMORY		= 3,
};

#define VMON_REASON_LEN		96

struct vmon_run {
	/* in: set by userspace before VMON_RUN */
	__u8  immediate_exit;		/* return VMON_EXIT_INTR without entering */
	__u8  regs_dirty;		/* load run->regs before entering */
	/*
	 * Exit with VMON_EXIT_IRQ_WINDOW_OPEN as soon as the guest can take
	 * an external interrupt (RFLAGS.IF = 1, no STI/MOV SS shadow, no
	 * event being delivered): VMX interrupt-window exiting, SVM V_IRQ
	 * with the VINTR intercept.
	 */
	__u8  request_interrupt_window;
	/*
	 * out, valid after every return from VMON_RUN: a VMON_INTERRUPT
	 * issued now would be delivered on the next entry, before any guest
	 * instruction runs (the guest is interruptible and nothing is
	 * queued); and the guest's RFLAGS.IF.
	 */
	__u8  ready_for_interrupt_injection;
	__u8  if_flag;
	__u8  padding1[3];

	/* out: valid after VMON_RUN returns */
	__u32 exit_reason;		/* enum vmon_exit_reason */
	__u32 hw_exit_reason;		/* backend's raw exit code */
	__u64 exit_count;		/* exits taken by this vCPU so far */

	/*
	 * Guest registers at the exit, valid after every return from
	 * VMON_RUN.  Userspace that emulates an instruction edits them
	 * and sets regs_dirty instead of calling VMON_SET_REGS.
	 */
	struct vmon_regs regs;

	union {
		/* VMON_EXIT_IO */
		struct {
			__u16 port;
			__u8  size;		/* 1, 2 or 4 */
			__u8  direction;	/* VMON_IO_IN / VMON_IO_OUT */
			__u32 flags;		/* VMON_IO_* */
			/*
			 * OUT: the value written.  IN: userspace stores
			 * the value here; the kernel merges it into RAX on
			 * the next VMON_RUN.  Not used for string I/O.
			 */
			__u32 data;
			__u8  insn_len;		/* instruction length */
			__u8  addr_size;	/* string I/O: 2, 4 or 8 */
			__u8  seg;		/* string OUTS: source segment, VMON_SEG_* */
			__u8  padding;
		} io;
		/*
		 * VMON_EXIT_MMIO, a data access outside guest RAM (or a
		 * write to a read-only slot).
		 *
		 * With VMON_MMIO_DECODED the kernel decoded a MOV form
		 * (MOV, MOV imm, MOV moffs, MOVZX, MOVSX) and RIP is
		 * already past it: userspace performs an access of len
		 * bytes at gpa and does nothing else.  A store
		 * (VMON_MMIO_WRITE): data holds the value.  A load:
		 * userspace stores the value in data (the low len bytes
		 * count) and the next VMON_RUN writes it to the
		 * destination register, with the instruction's size,
		 * zero- or sign-extension; that RUN completes it even if
		 * it returns at once (immediate_exit, a signal).
		 * insn[] holds the instruction's insn_len bytes.
		 *
		 * Without it (an instruction the kernel does not decode:
		 * string moves, other opcodes, code outside RAM; a fetch;
		 * the CPU's own access to the guest's page tables or, while
		 * delivering an event, to its IDT or stack) userspace
		 * decodes and emulates the instruction at run->regs.rip,
		 * then advances run->regs.rip and sets regs_dirty.  insn[]
		 * holds the bytes at RIP where the hardware supplied them
		 * (SVM decode assists), insn_len 0 if none; len, data and
		 * padding are 0.
		 */
		struct {
			__u64 gpa;
			__u32 flags;		/* VMON_MMIO_* */
			__u8  insn_len;		/* bytes valid in insn[], 0 if none */
			__u8  insn[15];
			__u8  len;		/* DECODED: 1, 2, 4 or 8 */
			__u8  padding[3];	/* 0 */
			__u64 data;		/* DECODED: the value, little-endian */
		} mmio;
		/* VMON_EXIT_FAIL_ENTRY */
		struct {
			__u32 kind;		/* enum vmon_fail_kind */
			/*
			 * Guest-state rule the state breaks (ids of
			 * tables/vmx_guest_checks.h, svm_vmrun_checks.h;
			 * Documentation/entry-checks.rst), 0 if none is
			 * known.  With hw_exit_reason 0 and kind
			 * VMON_FAIL_GUEST_STATE the module found it before
			 * entering: the CPU was not asked.
			 */
			__u32 rule;
			__u64 code;		/* instruction error, exit reason, ... */
			__u64 qualification;
			char  reason[VMON_REASON_LEN];	/* decoded, NUL terminated */
		} fail_entry;
		/*
		 * VMON_EXIT_HYPERCALL: RIP is already past the instruction;
		 * the result goes to run->regs.rax (set regs_dirty).
		 */
		struct {
			__u64 nr;		/* RAX */
			__u64 args[4];		/* RBX, RCX, RDX, RSI */
		} hypercall;
		/*
		 * VMON_EXIT_MSR: for a read, store the value in data; set
		 * error to make the instruction raise #GP(0) instead.
		 * The kernel completes the access on the next VMON_RUN.
		 */
		struct {
			__u32 index;
			__u8  is_write;
			__u8  error;
			__u8  padding[2];
			__u64 data;
		} msr;
		/*
		 * VMON_EXIT_EOI: the guest ended a level-triggered
		 * interrupt (its TMR bit was set).  The I/O APIC clears
		 * Remote IRR of the pins with this vector and raises a
		 * line that is still asserted again.  Nothing to complete:
		 * the guest continues at the next VMON_RUN.
		 */
		struct {
			__u32 vector;
			__u32 padding;
		} eoi;
		/* VMON_EXIT_INTERNAL_ERROR */
		struct {
			__u32 kind;		/* enum vmon_internal_kind */
			__u32 padding;
			__u64 code;
			__u64 qualification;
			char  reason[VMON_REASON_LEN];
		} internal;
		__u8 exit_padding[256];
	};
};

/* run->io.seg */
enum vmon_seg {
	VMON_SEG_ES = 0, VMON_SEG_CS, VMON_SEG_SS, VMON_SEG_DS,
	VMON_SEG_FS, VMON_SEG_GS,
};

/* MSRs the kernel owns (switched by hardware or by the module) */
#define VMON_MSR_TSC			0x00000010
#define VMON_MSR_SYSENTER_CS		0x00000174
#define VMON_MSR_SYSENTER_ESP		0x00000175
#define VMON_MSR_SYSENTER_EIP		0x00000176
#define VMON_MSR_PAT			0x00000277
#define VMON_MSR_EFER			0xc0000080
#define VMON_MSR_STAR			0xc0000081
#define VMON_MSR_LSTAR			0xc0000082
#define VMON_MSR_CSTAR			0xc0000083
#define VMON_MSR_SFMASK			0xc0000084
#define VMON_MSR_FS_BASE		0xc0000100
#define VMON_MSR_GS_BASE		0xc0000101
#define VMON_MSR_KERNEL_GS_BASE		0xc0000102

/* ------------------------------------------------------------------ */
/* Generic netlink family "vmon": watching VMs (vmon ps/stat/top/...)  */
/* ------------------------------------------------------------------ */

#define VMON_GENL_NAME		"vmon"
#define VMON_GENL_VERSION	1
/* exit events of every VM; joining needs CAP_SYS_ADMIN */
#define VMON_GENL_MCGRP_EXITS	"exits"

/*
 * Who may see what: a VM's owner (the uid that created it) sees its
 * list entry, statistics, state and exit events; anyone else needs
 * CAP_SYS_ADMIN (-EPERM otherwise; VMON_CMD_LIST_VMS just leaves such
 * VMs out).
 */
enum vmon_genl_cmd {
	VMON_CMD_UNSPEC,
	/* dump; reply per VM: VM_ID PID UID NAME NR_VCPUS MEM_BYTES BACKEND */
	VMON_CMD_LIST_VMS,
	/*
	 * do: VM_ID [VCPU_ID]; reply: the VM attributes, STATS for the
	 * whole VM, then one nested VCPU (VCPU_ID + STATS) per vCPU
	 * (only the one asked for when VCPU_ID is given).
	 */
	VMON_CMD_GET_STATS,
	/*
	 * do: VM_ID [REASON ...]: this socket receives VMON_CMD_EXIT_EVENT
	 * messages for the VM's exits (only the listed hardware reasons if
	 * any) until VMON_CMD_TRACE_STOP or until the socket closes.
	 * Events never block a vCPU: when the socket's buffer is half
	 * full the event is dropped and counted (EV_LOST in the next event,
	 * and STAT_EVENTS_LOST); the other half stays free for the replies
	 * to requests sent on the same socket.
	 */
	VMON_CMD_TRACE_START,
	VMON_CMD_TRACE_STOP,		/* do: VM_ID */
	VMON_CMD_EXIT_EVENT,		/* notification: EV_* attributes */
	/* do: VM_ID VCPU_ID; reply: VM_ID VCPU_ID BACKEND + FIELD per field */
	VMON_CMD_GET_STATE,
	__VMON_CMD_MAX
};

#define VMON_CMD_MAX		(__VMON_CMD_MAX - 1)

enum vmon_genl_attr {
	VMON_A_UNSPEC,
	VMON_A_VM_ID,			/* u32 */
	VMON_A_VCPU_ID,			/* u32 */
	VMON_A_PID,			/* u32: process that created the VM */
	VMON_A_UID,			/* u32 */
	VMON_A_NAME,			/* string (VMON_SET_NAME) */
	VMON_A_NR_VCPUS,		/* u32 */
	VMON_A_MEM_BYTES,		/* u64: guest memory in slots */
	VMON_A_BACKEND,			/* string: "vmx" or "svm" */
	VMON_A_STATS,			/* nested: VMON_STAT_* */
	VMON_A_VCPU,			/* nested: VMON_A_VCPU_ID, VMON_A_STATS */
	VMON_A_REASON,			/* u32 hardware exit reason (TRACE_START filter) */
	VMON_A_FIELD,			/* nested: VMON_FIELD_* */
	VMON_A_PAD,
	VMON_A_LAPIC,			/* nested: VMON_LAPIC_A_* (GET_STATE) */
	__VMON_A_MAX
};

#define VMON_A_MAX		(__VMON_A_MAX - 1)

/* inside VMON_A_STATS */
enum vmon_stat_attr {
	VMON_STAT_UNSPEC,
	VMON_STAT_EXITS,		/* u64: all VM exits */
	VMON_STAT_USER_EXITS,		/* u64: round trips to userspace */
	VMON_STAT_GUEST_NS,		/* u64: time in the guest */
	VMON_STAT_HOST_NS,		/* u64: from each exit to the next entry or return */
	VMON_STAT_EVENTS_LOST,		/* u64: exit events dropped */
	VMON_STAT_REASON,		/* nested VMON_RSTAT_*, one per reason seen */
	VMON_STAT_PAD,
	/*
	 * u64: interrupts delivered by the in-kernel local APICs, by kind:
	 * fixed and lowest-priority IPIs (the ICR, self IPIs included) and
	 * MSIs as the receiving APICs accepted them, local timer
	 * interrupts as they were posted, NMIs and ExtINTs (VMON_INTERRUPT)
	 * as they were injected, INITs and SIPIs as the vCPU acted on them
	 */
	VMON_STAT_IRQ_IPI,
	VMON_STAT_IRQ_MSI,
	VMON_STAT_IRQ_TIMER,
	VMON_STAT_IRQ_NMI,
	VMON_STAT_IRQ_EXTINT,
	VMON_STAT_IRQ_INIT,
	VMON_STAT_IRQ_SIPI,
	__VMON_STAT_MAX
};

#define VMON_STAT_MAX		(__VMON_STAT_MAX - 1)

/* inside VMON_STAT_REASON */
enum vmon_reason_stat_attr {
	VMON_RSTAT_UNSPEC,
	VMON_RSTAT_CODE,		/* u32: hardware exit reason / exit code */
	VMON_RSTAT_NAME,		/* string, from the decode tables */
	VMON_RSTAT_COUNT,		/* u64 */
	VMON_RSTAT_GUEST_NS,		/* u64: guest time ended by this reason */
	VMON_RSTAT_HOST_NS,		/* u64: host time of these exits (as STAT_HOST_NS) */
	/*
	 * binary: __u64[VMON_HIST_BUCKETS]; bucket i counts handlings that
	 * took [2^i, 2^(i+1)) ns (bucket 0 also counts 0 ns)
	 */
	VMON_RSTAT_HIST,
	VMON_RSTAT_PAD,
	__VMON_RSTAT_MAX
};

#define VMON_RSTAT_MAX		(__VMON_RSTAT_MAX - 1)
#define VMON_HIST_BUCKETS	32
/*
 * VMON_RSTAT_CODE: VMX counts by basic exit reason (bits 15:0, so an
 * entry failure "33 | bit 31" is counted as 33), SVM by exit code; codes
 * outside 0x000-0x0ff, 0x400-0x41f and the negative SVM codes (and the
 * VMX VMfailValid marker 0x80000000) are counted together under
 * VMON_RSTAT_CODE_OTHER.  Events (VMON_EV_REASON) carry the raw code.
 */
#define VMON_RSTAT_CODE_OTHER	0xffffffefu

/* VMON_CMD_EXIT_EVENT attributes */
enum vmon_event_attr {
	VMON_EV_UNSPEC,
	VMON_EV_VM_ID,			/* u32 */
	VMON_EV_VCPU_ID,		/* u32 */
	VMON_EV_SEQ,			/* u64: the vCPU's exit number */
	VMON_EV_REASON,			/* u32: hardware exit reason */
	VMON_EV_QUALIFICATION,		/* u64: exit qualification / EXITINFO1 */
	VMON_EV_GPA,			/* u64: TDP faults */
	VMON_EV_PORT,			/* u32: port I/O */
	VMON_EV_RIP,			/* u64 */
	VMON_EV_GUEST_TSC,		/* u64: guest TSC at the exit */
	VMON_EV_LATENCY_NS,		/* u64: time to handle the exit */
	VMON_EV_LOST,			/* u64: events this listener lost so far */
	VMON_EV_PAD,
	__VMON_EV_MAX
};

#define VMON_EV_MAX		(__VMON_EV_MAX - 1)

/* inside VMON_A_FIELD */
enum vmon_field_attr {
	VMON_FIELD_UNSPEC,
	VMON_FIELD_ID,			/* u32: as in struct vmon_state_field */
	VMON_FIELD_NAME,		/* string, from the decode table */
	VMON_FIELD_VALUE,		/* u64 */
	VMON_FIELD_PAD,
	VMON_FIELD_FLAGS,		/* u32 VMON_STATE_FIELD_*, only when not 0 */
	__VMON_FIELD_MAX
};

#define VMON_FIELD_MAX		(__VMON_FIELD_MAX - 1)

/* inside VMON_A_LAPIC: the local APIC as VMON_GET_LAPIC returns it */
enum vmon_lapic_attr {
	VMON_LAPIC_A_UNSPEC,
	VMON_LAPIC_A_APIC_BASE,		/* u64: IA32_APIC_BASE */
	VMON_LAPIC_A_MP_STATE,		/* u32: enum vmon_mp_state_value */
	VMON_LAPIC_A_REGS,		/* binary: VMON_LAPIC_REGS_SIZE bytes */
	VMON_LAPIC_A_PAD,
	__VMON_LAPIC_A_MAX
};

#define VMON_LAPIC_A_MAX	(__VMON_LAPIC_A_MAX - 1)

#endif /* _UAPI_LINUX_VMON_H */
