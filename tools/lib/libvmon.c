// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvmon: ioctl wrappers, guest memory and slot bookkeeping, name tables.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "libvmon.h"

static int sys_ret(long ret)
{
	return ret < 0 ? -errno : (int)ret;
}

int libvmon_open_system(void)
{
	return sys_ret(open(VMON_DEVICE_PATH, O_RDWR | O_CLOEXEC));
}

int libvmon_get_api_version(int sys_fd)
{
	return sys_ret(ioctl(sys_fd, VMON_GET_API_VERSION, 0));
}

int libvmon_get_caps(int sys_fd, struct vmon_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	return sys_ret(ioctl(sys_fd, VMON_GET_CAPS, caps));
}

const char *libvmon_backend_name(__u32 backend)
{
	switch (backend) {
	case VMON_BACKEND_NONE:
		return "none";
	case VMON_BACKEND_VMX:
		return "vmx";
	case VMON_BACKEND_SVM:
		return "svm";
	}
	return "unknown";
}

static const char * const exit_reason_names[VMON_EXIT_NR] = {
	[VMON_EXIT_NONE]		= "NONE",
	[VMON_EXIT_IO]			= "IO",
	[VMON_EXIT_MMIO]		= "MMIO",
	[VMON_EXIT_HLT]			= "HLT",
	[VMON_EXIT_SHUTDOWN]		= "SHUTDOWN",
	[VMON_EXIT_FAIL_ENTRY]		= "FAIL_ENTRY",
	[VMON_EXIT_HYPERCALL]		= "HYPERCALL",
	[VMON_EXIT_MSR]			= "MSR",
	[VMON_EXIT_INTR]		= "INTR",
	[VMON_EXIT_INTERNAL_ERROR]	= "INTERNAL_ERROR",
	[VMON_EXIT_IRQ_WINDOW_OPEN]	= "IRQ_WINDOW_OPEN",
	[VMON_EXIT_EOI]			= "EOI",
};

const char *libvmon_exit_reason_name(__u32 exit_reason)
{
	if (exit_reason < VMON_EXIT_NR && exit_reason_names[exit_reason])
		return exit_reason_names[exit_reason];
	return "UNKNOWN";
}

/* The decode tables are X-macro lists shared with the module (tables/). */
static const char *vmx_exit_name(__u32 reason)
{
	/* bits 15:0 are the basic exit reason (SDM 3C 25.9.1) */
	switch (reason & 0xffff) {
#define VMX_EXIT_REASON(nr, name, text) case nr: return #name;
#include "vmx_exit_reasons.h"
#undef VMX_EXIT_REASON
	}
	return "UNKNOWN";
}

static const char *svm_exit_name(__u32 code)
{
	switch (code) {
#define SVM_EXIT_CODE(nr, name, text) case nr: return #name;
#include "svm_exit_codes.h"
#undef SVM_EXIT_CODE
	}
	return "UNKNOWN";
}

const char *libvmon_hw_exit_name(__u32 backend, __u32 hw_exit_reason)
{
	switch (backend) {
	case VMON_BACKEND_VMX:
		return vmx_exit_name(hw_exit_reason);
	case VMON_BACKEND_SVM:
		return svm_exit_name(hw_exit_reason);
	}
	return "UNKNOWN";
}

int libvmon_vm_create(struct vmon_vm *vm)
{
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->fd = -1;
	vm->sys_fd = libvmon_open_system();
	if (vm->sys_fd < 0)
		return vm->sys_fd;

	ret = libvmon_get_api_version(vm->sys_fd);
	if (ret < 0)
		goto err_close;
	if (ret != VMON_API_VERSION) {
		ret = -EPROTO;
		goto err_close;
	}
	ret = libvmon_get_caps(vm->sys_fd, &vm->caps);
	if (ret < 0)
		goto err_close;
	ret = sys_ret(ioctl(vm->sys_fd, VMON_CREATE_VM, 0));
	if (ret < 0)
		goto err_close;
	vm->fd = ret;
	return 0;

err_close:
	close(vm->sys_fd);
	vm->sys_fd = -1;
	return ret;
}

void libvmon_vm_destroy(struct vmon_vm *vm)
{
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	vm->fd = -1;
	vm->sys_fd = -1;
	memset(vm->slots, 0, sizeof(vm->slots));
}

void *libvmon_alloc_guest_memory(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void libvmon_free_guest_memory(void *hva, size_t size)
{
	if (hva)
		munmap(hva, size);
}

int libvmon_vm_set_memory(struct vmon_vm *vm, __u32 slot, __u32 flags,
		       __u64 gpa, __u64 size, void *hva)
{
	struct vmon_memory_region r = {
		.slot = slot,
		.flags = flags,
		.guest_phys = gpa,
		.size = size,
		.user_addr = (__u64)(unsigned long)hva,
	};
	int ret;

	ret = sys_ret(ioctl(vm->fd, VMON_SET_MEMORY, &r));
	if (ret < 0 || slot >= LIBVMON_MAX_SLOTS)
		return ret;
	if (size == 0) {
		memset(&vm->slots[slot], 0, sizeof(vm->slots[slot]));
		return 0;
	}
	vm->slots[slot].used = true;
	vm->slots[slot].flags = flags;
	vm->slots[slot].gpa = gpa;
	vm->slots[slot].size = size;
	vm->slots[slot].hva = hva;
	return 0;
}

int libvmon_vm_ioeventfd(struct vmon_vm *vm, __u64 addr, __u32 len, int fd,
		      __u64 datamatch, __u32 flags)
{
	struct vmon_ioeventfd io = {
		.addr = addr,
		.len = len,
		.fd = fd,
		.datamatch = datamatch,
		.flags = flags,
	};

	return sys_ret(ioctl(vm->fd, VMON_IOEVENTFD, &io));
}

int libvmon_vm_irqfd(struct vmon_vm *vm, int fd, __u64 msi_address, __u32 msi_data,
		  __u32 flags)
{
	struct vmon_irqfd irqfd = {
		.fd = fd,
		.flags = flags,
		.msi_address = msi_address,
		.msi_data = msi_data,
	};

	return sys_ret(ioctl(vm->fd, VMON_IRQFD, &irqfd));
}

void *libvmon_gpa_to_hva(struct vmon_vm *vm, __u64 gpa, __u64 len)
{
	unsigned int i;

	for (i = 0; i < LIBVMON_MAX_SLOTS; i++) {
		struct vmon_mem_slot *s = &vm->slots[i];

		if (!s->used || gpa < s->gpa || gpa - s->gpa >= s->size)
			continue;
		if (len > s->size - (gpa - s->gpa))
			return NULL;
		return (char *)s->hva + (gpa - s->gpa);
	}
	return NULL;
}

int libvmon_cpu_create(struct vmon_vm *vm, unsigned int id, struct vmon_cpu *cpu)
{
	size_t size = vm->caps.run_size;
	void *run;
	int fd;

	memset(cpu, 0, sizeof(*cpu));
	cpu->fd = -1;
	if (size < sizeof(struct vmon_run))
		return -EPROTO;
	fd = sys_ret(ioctl(vm->fd, VMON_CREATE_VCPU, (unsigned long)id));
	if (fd < 0)
		return fd;
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (run == MAP_FAILED) {
		int err = -errno;

		close(fd);
		return err;
	}
	cpu->vm = vm;
	cpu->fd = fd;
	cpu->id = id;
	cpu->run = run;
	cpu->run_size = size;
	return 0;
}

void libvmon_cpu_destroy(struct vmon_cpu *cpu)
{
	if (cpu->run)
		munmap(cpu->run, cpu->run_size);
	if (cpu->fd >= 0)
		close(cpu->fd);
	cpu->run = NULL;
	cpu->fd = -1;
}

int libvmon_cpu_run(struct vmon_cpu *cpu)
{
	return sys_ret(ioctl(cpu->fd, VMON_RUN, 0));
}

int libvmon_get_regs(struct vmon_cpu *cpu, struct vmon_regs *regs)
{
	return sys_ret(ioctl(cpu->fd, VMON_GET_REGS, regs));
}

int libvmon_set_regs(struct vmon_cpu *cpu, const struct vmon_regs *regs)
{
	return sys_ret(ioctl(cpu->fd, VMON_SET_REGS, regs));
}

int libvmon_get_sregs(struct vmon_cpu *cpu, struct vmon_sregs *sregs)
{
	return sys_ret(ioctl(cpu->fd, VMON_GET_SREGS, sregs));
}

int libvmon_set_sregs(struct vmon_cpu *cpu, const struct vmon_sregs *sregs)
{
	return sys_ret(ioctl(cpu->fd, VMON_SET_SREGS, sregs));
}

int libvmon_set_cpuid(struct vmon_cpu *cpu, const struct vmon_cpuid_entry *entries,
		   unsigned int nent)
{
	struct vmon_cpuid *c;
	int ret;

	c = calloc(1, sizeof(*c) + (size_t)nent * sizeof(*entries));
	if (!c)
		return -ENOMEM;
	c->nent = nent;
	if (nent)
		memcpy(c->entries, entries, nent * sizeof(*entries));
	ret = sys_ret(ioctl(cpu->fd, VMON_SET_CPUID, c));
	free(c);
	return ret;
}

/* One-entry MSR buffer; the kernel returns how many entries it processed. */
struct msr_one {
	struct vmon_msrs hdr;
	struct vmon_msr_entry e;
};

int libvmon_get_msr(struct vmon_cpu *cpu, __u32 index, __u64 *value)
{
	struct msr_one m = { .hdr.nmsrs = 1, .e.index = index };
	int ret = sys_ret(ioctl(cpu->fd, VMON_GET_MSRS, &m));

	if (ret < 0)
		return ret;
	if (ret != 1)
		return -ENOENT;	/* not an MSR the kernel owns */
	*value = m.e.data;
	return 0;
}

int libvmon_set_msr(struct vmon_cpu *cpu, __u32 index, __u64 value)
{
	struct msr_one m = { .hdr.nmsrs = 1, .e.index = index, .e.data = value };
	int ret = sys_ret(ioctl(cpu->fd, VMON_SET_MSRS, &m));

	if (ret < 0)
		return ret;
	return ret == 1 ? 0 : -ENOENT;
}

int libvmon_parse_guest_mode(const char *name, enum vmon_guest_mode *mode)
{
	if (!strcmp(name, "real"))
		*mode = VMON_GUEST_REAL;
	else if (!strcmp(name, "prot"))
		*mode = VMON_GUEST_PROT;
	else if (!strcmp(name, "long"))
		*mode = VMON_GUEST_LONG;
	else
		return -EINVAL;
	return 0;
}
