/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvmon: a thin, typed wrapper of the /dev/vmon ioctls, plus the few
 * pieces every user of them needs: guest memory bookkeeping, putting a
 * vCPU into real/protected/long mode, and MMIO instruction emulation.
 * Used by the vmon command and by the selftests.
 *
 * Every function returns 0 (or a non-negative result) on success and
 * -errno on failure; none prints anything.
 */
#ifndef LIBVMON_H
#define LIBVMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vmon.h>

#define VMON_DEVICE_PATH	"/dev/vmon"
#define LIBVMON_MAX_SLOTS	32
#define LIBVMON_MAX_VCPUS	64

struct vmon_mem_slot {
	bool used;
	__u32 flags;
	__u64 gpa;
	__u64 size;
	void *hva;
};

struct vmon_vm {
	int sys_fd;
	int fd;
	struct vmon_caps caps;
	struct vmon_mem_slot slots[LIBVMON_MAX_SLOTS];
};

struct vmon_cpu {
	struct vmon_vm *vm;
	int fd;
	unsigned int id;
	struct vmon_run *run;
	size_t run_size;
};

/* system */
int libvmon_open_system(void);			/* fd of /dev/vmon */
int libvmon_get_api_version(int sys_fd);
int libvmon_get_caps(int sys_fd, struct vmon_caps *caps);
const char *libvmon_backend_name(__u32 backend);
const char *libvmon_exit_reason_name(__u32 exit_reason);
/* name of a raw hardware exit code of the given backend */
const char *libvmon_hw_exit_name(__u32 backend, __u32 hw_exit_reason);

/* VM: opens /dev/vmon, checks the API version, reads caps, creates the VM */
int libvmon_vm_create(struct vmon_vm *vm);
void libvmon_vm_destroy(struct vmon_vm *vm);
/* anonymous, page-aligned, zeroed guest memory; NULL on failure */
void *libvmon_alloc_guest_memory(size_t size);
void libvmon_free_guest_memory(void *hva, size_t size);
/* register (size > 0) or delete (size == 0) slot; remembered in vm->slots */
int libvmon_vm_set_memory(struct vmon_vm *vm, __u32 slot, __u32 flags,
		       __u64 gpa, __u64 size, void *hva);
/*
 * VMON_IOEVENTFD: a guest write to addr (MMIO, or a port with
 * VMON_IOEVENTFD_PIO) of len bytes (0: any), and of the value datamatch
 * with VMON_IOEVENTFD_DATAMATCH, signals eventfd fd without an exit;
 * VMON_IOEVENTFD_DEASSIGN removes it.  0 or -errno.
 */
int libvmon_vm_ioeventfd(struct vmon_vm *vm, __u64 addr, __u32 len, int fd,
		      __u64 datamatch, __u32 flags);
/*
 * VMON_IRQFD: signalling eventfd fd delivers the MSI (msi_address,
 * msi_data); again on a bound fd changes the message;
 * VMON_IRQFD_DEASSIGN unbinds it.  0 or -errno.
 */
int libvmon_vm_irqfd(struct vmon_vm *vm, int fd, __u64 msi_address, __u32 msi_data,
		  __u32 flags);
/* host address of guest-physical [gpa, gpa + len) if inside one slot */
void *libvmon_gpa_to_hva(struct vmon_vm *vm, __u64 gpa, __u64 len);

/* vCPU */
int libvmon_cpu_create(struct vmon_vm *vm, unsigned int id, struct vmon_cpu *cpu);
void libvmon_cpu_destroy(struct vmon_cpu *cpu);
int libvmon_cpu_run(struct vmon_cpu *cpu);		/* -EINTR on a signal */
int libvmon_get_regs(struct vmon_cpu *cpu, struct vmon_regs *regs);
int libvmon_set_regs(struct vmon_cpu *cpu, const struct vmon_regs *regs);
int libvmon_get_sregs(struct vmon_cpu *cpu, struct vmon_sregs *sregs);
int libvmon_set_sregs(struct vmon_cpu *cpu, const struct vmon_sregs *sregs);
int libvmon_set_cpuid(struct vmon_cpu *cpu, const struct vmon_cpuid_entry *entries,
		   unsigned int nent);
/* one MSR; -ENOENT if it is not one the kernel owns (VMON_MSR_*) */
int libvmon_get_msr(struct vmon_cpu *cpu, __u32 index, __u64 *value);
int libvmon_set_msr(struct vmon_cpu *cpu, __u32 index, __u64 value);

/* guest CPU modes (setup.c) */
enum vmon_guest_mode {
	VMON_GUEST_REAL,	/* 16-bit, CS base 0, paging off */
	VMON_GUEST_PROT,	/* 32-bit flat segments, paging off */
	VMON_GUEST_LONG,	/* 64-bit, identity-mapped with 2 MiB pages */
};

int libvmon_parse_guest_mode(const char *name, enum vmon_guest_mode *mode);
/*
 * Put the vCPU into mode.  PROT and LONG need guest RAM at
 * [tables_gpa, tables_gpa + VMON_SETUP_TABLES_SIZE) for a GDT and, in
 * LONG mode, page tables identity-mapping [0, map_size).
 * Sets RIP = entry, RSP = stack, RFLAGS = 2; other GPRs are zeroed.
 */
#define VMON_SETUP_TABLES_SIZE	(8 * 4096)
/*
 * GDT built by libvmon_setup_mode() for PROT and LONG (selectors), and the
 * largest map_size LONG mode can identity-map from the tables area.
 */
#define VMON_SETUP_SEL_CODE32	0x08
#define VMON_SETUP_SEL_DATA	0x10
#define VMON_SETUP_SEL_CODE64	0x18
#define VMON_SETUP_SEL_TSS	0x20
#define VMON_SETUP_MAX_MAP	(5ULL << 30)
int libvmon_setup_mode(struct vmon_cpu *cpu, enum vmon_guest_mode mode,
		    __u64 tables_gpa, __u64 map_size, __u64 entry, __u64 stack);
/*
 * After libvmon_setup_mode() (PROT or LONG, same tables_gpa): move the flat
 * code and data segments to the GDT selectors a boot protocol demands
 * (Linux's 64-bit entry: __BOOT_CS 0x10, __BOOT_DS 0x18) and load CS and
 * DS/ES/FS/GS/SS with them.  Selectors must be GDT slots below
 * VMON_SETUP_SEL_TSS, RPL 0, and distinct; the slots they name are
 * overwritten.  -EINVAL otherwise.
 */
int libvmon_setup_selectors(struct vmon_cpu *cpu, __u64 tables_gpa, __u16 code_sel,
			 __u16 data_sel);

/* guest-virtual -> guest-physical through the guest's own page tables */
int libvmon_gva_to_gpa(struct vmon_cpu *cpu, const struct vmon_sregs *sregs,
		    __u64 gva, bool write, __u64 *gpa);

/*
 * MMIO emulation (emulate.c).  Call on VMON_EXIT_MMIO.  An exit the
 * kernel decoded (VMON_MMIO_DECODED) costs one access() and nothing
 * else: a store's value comes from run->mmio.data, a load's goes there
 * for the next VMON_RUN.  Otherwise it reads the segment registers
 * (VMON_GET_SREGS), decodes the instruction at RIP (the MOV forms
 * compilers emit for device access), calls access() for the data,
 * updates run->regs and sets regs_dirty.  Returns -EOPNOTSUPP for an
 * instruction it does not know.
 */
typedef int (*vmon_mmio_access_fn)(void *opaque, __u64 gpa, void *data,
				   unsigned int len, bool is_write);
int libvmon_emulate_mmio(struct vmon_cpu *cpu, vmon_mmio_access_fn access,
		      void *opaque);

/*
 * String port I/O (INS/OUTS, with or without REP): performs every
 * iteration through io(), updates RSI/RDI/RCX/RIP in run->regs.
 */
typedef int (*vmon_pio_access_fn)(void *opaque, __u16 port, void *data,
				  unsigned int size, bool is_in);
int libvmon_emulate_string_io(struct vmon_cpu *cpu, vmon_pio_access_fn io,
			   void *opaque);

#endif /* LIBVMON_H */
