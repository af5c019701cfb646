// SPDX-License-Identifier: GPL-2.0-only
/* Guest creation for the selftests: RAM layout, blobs, the C-guest image, IDT. */
#include <elf.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "test_vm.h"

#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((__u64)(a) - 1))

int test_module_refcnt(void)
{
	FILE *f = fopen("/sys/module/vmon/refcnt", "r");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

int test_allowed_cpu(int not)
{
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (cpu != not && CPU_ISSET(cpu, &set))
			return cpu;
	return -1;
}

int test_set_effective_cap(int cap, int on)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	if (on && !(data[CAP_TO_INDEX(cap)].permitted & CAP_TO_MASK(cap)))
		return -EPERM;
	if (on)
		data[CAP_TO_INDEX(cap)].effective |= CAP_TO_MASK(cap);
	else
		data[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

int test_have_vmon(void)
{
	return access(VMON_DEVICE_PATH, F_OK) == 0;
}

/* end of this binary's highest PT_LOAD segment */
static __u64 image_end(void)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long i, n = getauxval(AT_PHNUM);
	__u64 end = 0;

	for (i = 0; ph && i < n; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr + ph[i].p_memsz > end)
			end = ph[i].p_vaddr + ph[i].p_memsz;
	return end;
}

/* setup: put the vCPU into mode with libvmon_setup_mode(), else leave vmon's reset state */
static int create(struct test_vm *t, enum vmon_guest_mode mode, bool setup)
{
	__u64 high_end = ALIGN_UP(image_end(), 2ULL << 20) + (2ULL << 20);
	__u64 entry = CODE_GPA;
	int ret;

	memset(t, 0, sizeof(*t));
	t->mode = mode;
	t->cpu.fd = -1;
	if (high_end < HIGH_RAM_GPA + (4ULL << 20))
		high_end = HIGH_RAM_GPA + (4ULL << 20);
	t->high_size = high_end - HIGH_RAM_GPA;

	ret = libvmon_vm_create(&t->vm);
	if (ret)
		return ret;
	t->low = libvmon_alloc_guest_memory(LOW_RAM_SIZE);
	t->high = libvmon_alloc_guest_memory(t->high_size);
	ret = -ENOMEM;
	if (!t->low || !t->high)
		goto err;
	ret = libvmon_vm_set_memory(&t->vm, SLOT_LOW, 0, 0, LOW_RAM_SIZE, t->low);
	if (ret)
		goto err;
	ret = libvmon_vm_set_memory(&t->vm, SLOT_HIGH, 0, HIGH_RAM_GPA, t->high_size, t->high);
	if (ret)
		goto err;
	ret = libvmon_cpu_create(&t->vm, 0, &t->cpu);
	if (ret)
		goto err;
	if (!setup)
		return 0;
	ret = libvmon_setup_mode(&t->cpu, mode, TABLES_GPA, LONG_MAP_SIZE, entry,
			      mode == VMON_GUEST_REAL ? REAL_STACK_TOP : STACK_TOP);
	if (ret)
		goto err;
	return 0;

err:
	test_vm_destroy(t);
	return ret;
}

int test_vm_create(struct test_vm *t, enum vmon_guest_mode mode)
{
	return create(t, mode, true);
}

int test_vm_create_reset(struct test_vm *t)
{
	return create(t, VMON_GUEST_REAL, false);
}

void test_vm_destroy(struct test_vm *t)
{
	libvmon_cpu_destroy(&t->cpu);
	libvmon_vm_destroy(&t->vm);
	libvmon_free_guest_memory(t->low, LOW_RAM_SIZE);
	libvmon_free_guest_memory(t->high, t->high_size);
	t->low = NULL;
	t->high = NULL;
}

int test_vm_set_entry(struct test_vm *t, uint64_t rip, uint64_t rdi)
{
	struct vmon_regs regs;
	int ret = libvmon_get_regs(&t->cpu, &regs);

	if (ret)
		return ret;
	regs.rip = rip;
	regs.rdi = rdi;
	return libvmon_set_regs(&t->cpu, &regs);
}

int test_vm_load_blob(struct test_vm *t, const void *start, const void *end)
{
	size_t len = (const char *)end - (const char *)start;
	void *dst = libvmon_gpa_to_hva(&t->vm, CODE_GPA, len);

	if (!dst || len > CODE_MAX)
		return -E2BIG;
	memcpy(dst, start, len);
	return test_vm_set_entry(t, CODE_GPA, 0);
}

/*
 * Copy every PT_LOAD segment of this (static, non-PIE) binary from our own
 * address space to the same guest-physical addresses: the guest then runs
 * the test's C functions with the globals as they are now.
 */
static int load_image(struct test_vm *t)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long i, n = getauxval(AT_PHNUM);

	if (!ph)
		return -ENOEXEC;
	for (i = 0; i < n; i++) {
		void *dst;

		if (ph[i].p_type != PT_LOAD)
			continue;
		dst = libvmon_gpa_to_hva(&t->vm, ph[i].p_vaddr, ph[i].p_memsz);
		if (!dst)
			return -E2BIG;
		memcpy(dst, (const void *)ph[i].p_vaddr, ph[i].p_memsz);
	}
	return 0;
}

/* 64-bit interrupt gates to exc_stubs[16 * vector] (SDM 3A 6.14.1) */
static int install_idt(struct test_vm *t)
{
	__u64 *idt = libvmon_gpa_to_hva(&t->vm, IDT_GPA, 32 * 16);
	struct vmon_sregs sregs;
	unsigned int v;
	int ret;

	if (!idt)
		return -EFAULT;
	for (v = 0; v < 32; v++) {
		__u64 addr = (__u64)(uintptr_t)exc_stubs + 16 * v;

		idt[2 * v] = (addr & 0xffff) | (__u64)VMON_SETUP_SEL_CODE64 << 16 |
			     0x8eULL << 40 |		/* P, DPL 0, type 0xE */
			     ((addr >> 16) & 0xffff) << 48;
		idt[2 * v + 1] = addr >> 32;
	}
	ret = libvmon_get_sregs(&t->cpu, &sregs);
	if (ret)
		return ret;
	sregs.idt.base = IDT_GPA;
	sregs.idt.limit = 32 * 16 - 1;
	return libvmon_set_sregs(&t->cpu, &sregs);
}

int test_vm_create_c(struct test_vm *t, void (*guest)(uint64_t), uint64_t arg)
{
	int ret = test_vm_create(t, VMON_GUEST_LONG);

	if (ret)
		return ret;
	ret = load_image(t);
	if (!ret)
		ret = install_idt(t);
	if (!ret)
		ret = test_vm_set_entry(t, (uint64_t)(uintptr_t)guest, arg);
	if (ret)
		test_vm_destroy(t);
	return ret;
}

int test_sync_to_guest(struct test_vm *t, const void *host_addr, size_t len)
{
	void *dst = libvmon_gpa_to_hva(&t->vm, (uintptr_t)host_addr, len);

	if (!dst)
		return -EFAULT;
	memcpy(dst, host_addr, len);
	return 0;
}

int test_sync_from_guest(struct test_vm *t, void *host_addr, size_t len)
{
	void *src = libvmon_gpa_to_hva(&t->vm, (uintptr_t)host_addr, len);

	if (!src)
		return -EFAULT;
	memcpy(host_addr, src, len);
	return 0;
}

const char *ucall_name(int cmd)
{
	static const char * const names[] = { "NONE", "SYNC", "DONE", "ASSERT" };

	return cmd >= 0 && cmd <= UCALL_ASSERT ? names[cmd] : "?";
}

int test_get_ucall(struct test_vm *t, struct ucall *uc)
{
	return test_cpu_get_ucall(t, &t->cpu, uc);
}

/* the ucall of any vCPU of t's VM (several vCPUs share its memory) */
int test_cpu_get_ucall(struct test_vm *t, struct vmon_cpu *cpu, struct ucall *uc)
{
	struct vmon_run *run = cpu->run;
	void *p;

	memset(uc, 0, sizeof(*uc));
	if (run->exit_reason != VMON_EXIT_IO || run->io.port != UCALL_PORT ||
	    run->io.direction != VMON_IO_OUT || run->io.size != 4)
		return UCALL_NONE;
	p = libvmon_gpa_to_hva(&t->vm, run->io.data, sizeof(*uc));
	if (!p)
		return UCALL_NONE;
	memcpy(uc, p, sizeof(*uc));
	if (uc->cmd == UCALL_ASSERT && (!uc->file || !uc->expr)) {
		uc->file = "?";
		uc->expr = "?";
	}
	return uc->cmd;
}

const char *test_describe_exit(struct vmon_cpu *cpu)
{
	static char buf[512];
	struct vmon_run *run = cpu->run;
	int n;

	if (run->exit_reason == VMON_EXIT_FAIL_ENTRY && !run->hw_exit_reason)
		/* the module's guest-state check refused it: no hardware exit */
		n = snprintf(buf, sizeof(buf), "%s (checked before entry) at rip 0x%llx",
			     libvmon_exit_reason_name(run->exit_reason),
			     (unsigned long long)run->regs.rip);
	else
		n = snprintf(buf, sizeof(buf), "%s (hw %s 0x%x) at rip 0x%llx",
			     libvmon_exit_reason_name(run->exit_reason),
			     libvmon_hw_exit_name(cpu->vm->caps.backend, run->hw_exit_reason),
			     run->hw_exit_reason, (unsigned long long)run->regs.rip);
	switch (run->exit_reason) {
	case VMON_EXIT_IO:
		n += snprintf(buf + n, sizeof(buf) - n,
			      ": %s port 0x%x size %u data 0x%x flags 0x%x",
			      run->io.direction == VMON_IO_IN ? "IN" : "OUT", run->io.port,
			      run->io.size, run->io.data, run->io.flags);
		if (run->io.port == EXC_PORT) {
			/* exceptions.S: vector, error code, then the CPU's frame */
			__u64 *frame = libvmon_gpa_to_hva(cpu->vm, run->regs.rsp, 24);

			snprintf(buf + n, sizeof(buf) - n,
				 " = guest exception %u, error code 0x%llx, at rip 0x%llx",
				 run->io.data, frame ? (unsigned long long)frame[1] : 0ULL,
				 frame ? (unsigned long long)frame[2] : 0ULL);
		}
		break;
	case VMON_EXIT_MMIO:
		snprintf(buf + n, sizeof(buf) - n, ": gpa 0x%llx flags 0x%x len %u data 0x%llx",
			 (unsigned long long)run->mmio.gpa, run->mmio.flags, run->mmio.len,
			 (unsigned long long)run->mmio.data);
		break;
	case VMON_EXIT_FAIL_ENTRY:
		snprintf(buf + n, sizeof(buf) - n,
			 ": kind %u rule %u code 0x%llx qual 0x%llx: %.*s",
			 run->fail_entry.kind, run->fail_entry.rule,
			 (unsigned long long)run->fail_entry.code,
			 (unsigned long long)run->fail_entry.qualification,
			 VMON_REASON_LEN, run->fail_entry.reason);
		break;
	case VMON_EXIT_INTERNAL_ERROR:
		snprintf(buf + n, sizeof(buf) - n, ": kind %u code 0x%llx qual 0x%llx: %.*s",
			 run->internal.kind, (unsigned long long)run->internal.code,
			 (unsigned long long)run->internal.qualification,
			 VMON_REASON_LEN, run->internal.reason);
		break;
	case VMON_EXIT_MSR:
		snprintf(buf + n, sizeof(buf) - n, ": %s msr 0x%x data 0x%llx",
			 run->msr.is_write ? "WRMSR" : "RDMSR", run->msr.index,
			 (unsigned long long)run->msr.data);
		break;
	case VMON_EXIT_HYPERCALL:
		snprintf(buf + n, sizeof(buf) - n, ": nr 0x%llx",
			 (unsigned long long)run->hypercall.nr);
		break;
	}
	return buf;
}
