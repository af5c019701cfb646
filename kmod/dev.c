// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vmon and the file descriptors it hands out:
 *
 *   /dev/vmon  --VMON_CREATE_VM-->  VM fd  --VMON_CREATE_VCPU-->  vCPU fd
 *
 * Every handler has the same shape, as in NVMM:
 *   1. find the object (file->private_data);
 *   2. check the owner: a VM belongs to the address space that created
 *      it; any other process (one that received the fd, or a child after
 *      fork()) gets -EIO, because guest memory is that mm's memory;
 *   3. validate the input: reserved, padding and unknown flag bits must be
 *      zero (-EINVAL), user memory must be readable (-EFAULT);
 *   4. do the work, under the object's lock where it has one;
 *   5. return.
 * An unknown ioctl number gets -ENOTTY.
 *
 * Each fops has .owner = THIS_MODULE: creating a file takes a reference
 * on the module and releasing it drops it, so vmon.ko cannot be unloaded
 * while any /dev/vmon, VM or vCPU fd is open.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pgtable.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>

#include "compat.h"
#include "core.h"

static bool vmon_mm_owns(const struct vmon_vm *vm)
{
	return current->mm == vm->mm;
}

static bool vmon_all_zero(const void *p, size_t n)
{
	return !memchr_inv(p, 0, n);
}

/* ------------------------------------------------------------------ */
/* vCPU fd                                                             */
/* ------------------------------------------------------------------ */

static int __vmon_hot vmon_ioctl_run(struct vmon_vcpu *vcpu, unsigned long arg)
{
	if (arg)
		return -EINVAL;
	vmon_spin_note_runner(vcpu);
	return vmon_vcpu_run(vcpu);
}

/* vcpu->regs is authoritative between exits: no backend call needed */
static int vmon_ioctl_get_regs(struct vmon_vcpu *vcpu, void __user *argp)
{
	return copy_to_user(argp, &vcpu->regs, sizeof(vcpu->regs)) ? -EFAULT : 0;
}

static int vmon_ioctl_set_regs(struct vmon_vcpu *vcpu, void __user *argp)
{
	struct vmon_regs regs;

	if (copy_from_user(&regs, argp, sizeof(regs)))
		return -EFAULT;
	vcpu->regs = regs;
	vcpu->run->regs = regs;
	vcpu->state_dirty = true;	/* checked before the next entry */
	return 0;
}

static int vmon_ioctl_get_sregs(struct vmon_vcpu *vcpu, void __user *argp)
{
	struct vmon_sregs sregs;

	memset(&sregs, 0, sizeof(sregs));	/* no stack bytes reach userspace */
	vmon_ops->get_sregs(vcpu, &sregs);
	return copy_to_user(argp, &sregs, sizeof(sregs)) ? -EFAULT : 0;
}

static bool vmon_segment_valid(const struct vmon_segment *s)
{
	return vmon_all_zero(s->padding, sizeof(s->padding));
}

static bool vmon_sregs_valid(const struct vmon_sregs *s)
{
	const struct vmon_segment *segs[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		if (!vmon_segment_valid(segs[i]))
			return false;
	}
	return vmon_all_zero(s->gdt.padding, sizeof(s->gdt.padding)) &&
	       vmon_all_zero(s->idt.padding, sizeof(s->idt.padding)) &&
	       vmon_all_zero(s->reserved, sizeof(s->reserved));
}

static int vmon_ioctl_set_sregs(struct vmon_vcpu *vcpu, void __user *argp)
{
	struct vmon_sregs sregs;
	int r;

	if (copy_from_user(&sregs, argp, sizeof(sregs)))
		return -EFAULT;
	if (!vmon_sregs_valid(&sregs))
		return -EINVAL;
	r = vmon_ops->set_sregs(vcpu, &sregs);
	if (!r)
		vcpu->state_dirty = true;	/* checked before the next entry */
	return r;
}

static int vmon_ioctl_set_cpuid(struct vmon_vcpu *vcpu, void __user *argp)
{
	struct vmon_cpuid __user *ucpuid = argp;
	struct vmon_cpuid_entry *entries;
	struct vmon_cpuid hdr;
	int r;

	if (copy_from_user(&hdr, ucpuid, sizeof(hdr)))
		return -EFAULT;
	if (hdr.padding)
		return -EINVAL;
	if (hdr.nent > VMON_MAX_CPUID_ENTRIES)
		return -E2BIG;
	entries = NULL;
	if (hdr.nent) {
		entries = memdup_user(ucpuid->entries, array_size(hdr.nent, sizeof(*entries)));
		if (IS_ERR(entries))
			return PTR_ERR(entries);
	}
	r = vmon_cpuid_set(vcpu, entries, hdr.nent);
	kfree(entries);
	return r;
}

/*
 * GET_MSRS / SET_MSRS: entries are processed in order; the return value
 * is the number processed.  Processing stops at the first MSR the kernel
 * does not own (-ENOENT: neither the backend's nor msr.c's) and, for SET,
 * at the first value the MSR cannot hold (-EINVAL).  GET copies back the
 * entries processed.
 */
static int vmon_ioctl_msrs(struct vmon_vcpu *vcpu, void __user *argp, bool write)
{
	struct vmon_msrs __user *umsrs = argp;
	struct vmon_msr_entry *e;
	struct vmon_msrs hdr;
	u32 i, n = 0;
	int r;

	if (copy_from_user(&hdr, umsrs, sizeof(hdr)))
		return -EFAULT;
	if (hdr.pad)
		return -EINVAL;
	if (hdr.nmsrs > VMON_MAX_MSRS)
		return -E2BIG;
	if (!hdr.nmsrs)
		return 0;
	e = memdup_user(umsrs->entries, array_size(hdr.nmsrs, sizeof(*e)));
	if (IS_ERR(e))
		return PTR_ERR(e);
	r = -EINVAL;
	for (i = 0; i < hdr.nmsrs; i++) {
		if (e[i].reserved)
			goto out;
	}

	for (n = 0; n < hdr.nmsrs; n++) {
		if (write)
			r = vmon_set_msr(vcpu, e[n].index, e[n].data, true);
		else
			r = vmon_get_msr(vcpu, e[n].index, &e[n].data);
		if (r)
			break;
		if (write && e[n].index == VMON_MSR_EFER)
			vcpu->state_dirty = true;	/* checked before the next entry */
	}

	r = n;
	if (!write && n && copy_to_user(umsrs->entries, e, array_size(n, sizeof(*e))))
		r = -EFAULT;
out:
	kfree(e);
	return r;
}

/* vcpu->mutex held (vmon_vcpu_ioctl()) */
static long __vmon_hot vmon_vcpu_ioctl_locked(struct vmon_vcpu *vcpu, unsigned int cmd,
					      unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case VMON_RUN:
		return vmon_ioctl_run(vcpu, arg);
	case VMON_GET_REGS:
		return vmon_ioctl_get_regs(vcpu, argp);
	case VMON_SET_REGS:
		return vmon_ioctl_set_regs(vcpu, argp);
	case VMON_GET_SREGS:
		return vmon_ioctl_get_sregs(vcpu, argp);
	case VMON_SET_SREGS:
		return vmon_ioctl_set_sregs(vcpu, argp);
	case VMON_SET_CPUID:
		return vmon_ioctl_set_cpuid(vcpu, argp);
	case VMON_GET_MSRS:
		return vmon_ioctl_msrs(vcpu, argp, false);
	case VMON_SET_MSRS:
		return vmon_ioctl_msrs(vcpu, argp, true);
	case VMON_GET_STATE_DUMP:
		return vmon_ioctl_state_dump(vcpu, argp);
	case VMON_INTERRUPT:
		return vmon_ioctl_interrupt(vcpu, argp);
	case VMON_NMI:
		return vmon_ioctl_nmi(vcpu, arg);
	case VMON_INJECT_EXCEPTION:
		return vmon_ioctl_inject_exception(vcpu, argp);
	case VMON_GET_LAPIC:
		return vmon_ioctl_get_lapic(vcpu, argp);
	case VMON_SET_LAPIC:
		return vmon_ioctl_set_lapic(vcpu, argp);
	case VMON_GET_MP_STATE:
		return vmon_ioctl_get_mp_state(vcpu, argp);
	case VMON_SET_MP_STATE:
		return vmon_ioctl_set_mp_state(vcpu, argp);
	default:
		return -ENOTTY;
	}
}

/*
 * The one prologue of every vCPU ioctl, as KVM's kvm_vcpu_ioctl():
 * the owner check, then vcpu->mutex (killable: a VMON_RUN in another
 * thread may hold it for long) and the vCPU loaded for this task
 * (vmon_vcpu_load(): it follows the task across reschedules), for the
 * whole handler, so handlers call "loaded" backend operations directly.  Netlink readers
 * take the same mutex (dump.c, lapic.c), so they see a vCPU between two
 * ioctls, never in the middle of one.
 */
static long __vmon_hot vmon_vcpu_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct vmon_vcpu *vcpu = filp->private_data;
	long r;

	if (!vmon_mm_owns(vcpu->vm))
		return -EIO;
	if (_IOC_TYPE(cmd) != VMONIO)
		return -ENOTTY;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	vmon_vcpu_load(vcpu);
	r = vmon_vcpu_ioctl_locked(vcpu, cmd, arg);
	vmon_vcpu_put(vcpu);
	mutex_unlock(&vcpu->mutex);
	return r;
}

/*
 * The run page: one kernel page, shared.  Only offset 0 and one page can
 * be mapped, and only MAP_SHARED (a private mapping would give userspace
 * a copy the kernel never sees).  The page is handed out by the fault
 * handler, so that it comes back after the mapping's page-table entry
 * went away (madvise(MADV_DONTNEED), a racing zap) instead of raising
 * SIGBUS; each entry holds its own page reference, and the mapping holds
 * the file and so the vCPU.
 */
static vm_fault_t vmon_run_page_fault(struct vm_fault *vmf)
{
	struct vmon_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff)
		return VM_FAULT_SIGBUS;
	page = virt_to_page(vcpu->run);
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct vmon_run_page_vm_ops = {
	.fault = vmon_run_page_fault,
};

static int vmon_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct vmon_vcpu *vcpu = filp->private_data;

	if (!vmon_mm_owns(vcpu->vm))
		return -EIO;
	if (vma->vm_pgoff || vma_pages(vma) != 1)
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	vm_flags_clear(vma, VM_MAYEXEC);
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &vmon_run_page_vm_ops;
	return 0;
}

static int vmon_vcpu_release(struct inode *inode, struct file *filp)
{
	struct vmon_vcpu *vcpu = filp->private_data;

	vmon_vm_put(vcpu->vm);	/* the vCPU goes with the VM (vm.c) */
	return 0;
}

static const struct file_operations vmon_vcpu_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vmon_vcpu_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= vmon_vcpu_mmap,
	.release	= vmon_vcpu_release,
	.llseek		= noop_llseek,
};

/* ------------------------------------------------------------------ */
/* VM fd                                                               */
/* ------------------------------------------------------------------ */

/*
 * The vCPU is published in vm->vcpus[] before its fd exists, and nothing
 * can fail after publication: vmon_vm_kick_all() (memory slot changes)
 * must see every vCPU that userspace could run.
 */
static int vmon_ioctl_create_vcpu(struct vmon_vm *vm, unsigned long arg)
{
	struct vmon_vcpu *vcpu;
	struct file *file;
	int fd, r;

	if (arg >= VMON_MAX_VCPUS)
		return -EINVAL;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;

	mutex_lock(&vm->lock);
	vcpu = vmon_vcpu_create(vm, arg);
	if (IS_ERR(vcpu)) {
		r = PTR_ERR(vcpu);
		goto err_unlock;
	}

	/* the vCPU fd's reference; the VM fd of our caller keeps users > 0 */
	refcount_inc(&vm->users);
	file = anon_inode_getfile("vmon-vcpu", &vmon_vcpu_fops, vcpu, O_RDWR);
	if (IS_ERR(file)) {
		r = PTR_ERR(file);
		refcount_dec(&vm->users);
		vmon_vcpu_destroy(vcpu);
		goto err_unlock;
	}

	/* a fully built vCPU for lockless readers (vmon_vm_kick_all()) */
	smp_store_release(&vm->vcpus[vcpu->id], vcpu);
	vm->nr_vcpus++;
	mutex_unlock(&vm->lock);

	fd_install(fd, file);
	return fd;

err_unlock:
	mutex_unlock(&vm->lock);
	put_unused_fd(fd);
	return r;
}

static int vmon_ioctl_set_memory(struct vmon_vm *vm, void __user *argp)
{
	struct vmon_memory_region region;

	if (copy_from_user(&region, argp, sizeof(region)))
		return -EFAULT;
	return vmon_set_memory(vm, &region);
}

/* a name for vmon ps: NUL within VMON_NAME_LEN, printable ASCII before it */
static int vmon_ioctl_set_name(struct vmon_vm *vm, void __user *argp)
{
	struct vmon_vm_name n;
	size_t len, i;

	if (copy_from_user(&n, argp, sizeof(n)))
		return -EFAULT;
	len = strnlen(n.name, sizeof(n.name));
	if (len == sizeof(n.name))
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (n.name[i] < 0x20 || n.name[i] > 0x7e)
			return -EINVAL;
	memset(n.name + len, 0, sizeof(n.name) - len);

	mutex_lock(&vm->lock);		/* netlink copies it under the lock */
	memcpy(vm->name, n.name, sizeof(vm->name));
	mutex_unlock(&vm->lock);
	return 0;
}

static long vmon_vm_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct vmon_vm *vm = filp->private_data;

	if (!vmon_mm_owns(vm))
		return -EIO;

	switch (cmd) {
	case VMON_SET_MEMORY:
		return vmon_ioctl_set_memory(vm, (void __user *)arg);
	case VMON_CREATE_VCPU:
		return vmon_ioctl_create_vcpu(vm, arg);
	case VMON_SET_NAME:
		return vmon_ioctl_set_name(vm, (void __user *)arg);
	case VMON_SIGNAL_MSI:
		return vmon_ioctl_signal_msi(vm, (void __user *)arg);
	case VMON_IOEVENTFD:
		return vmon_ioctl_ioeventfd(vm, (void __user *)arg);
	case VMON_IRQFD:
		return vmon_ioctl_irqfd(vm, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static int vmon_vm_release(struct inode *inode, struct file *filp)
{
	vmon_vm_put(filp->private_data);
	return 0;
}

static const struct file_operations vmon_vm_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vmon_vm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.release	= vmon_vm_release,
	.llseek		= noop_llseek,
};

/* ------------------------------------------------------------------ */
/* /dev/vmon                                                           */
/* ------------------------------------------------------------------ */

static int vmon_ioctl_get_caps(void __user *argp)
{
	const struct vmon_tdp_format *fmt = vmon_ops->tdp_format();
	struct vmon_caps caps;

	memset(&caps, 0, sizeof(caps));
	caps.backend = vmon_ops->id;
	caps.tdp_levels = fmt->levels;
	caps.host_paging_levels = pgtable_l5_enabled() ? 5 : 4;
	vmon_ops->get_caps(&caps);	/* flags, and corrections of the above */
	caps.flags |= VMON_CAP_LAPIC;	/* lapic.c, irq.c: the same on both backends */
	caps.flags |= VMON_CAP_IOEVENTFD | VMON_CAP_IRQFD;	/* common code too */

	caps.run_size = PAGE_SIZE;
	caps.max_vcpus = VMON_MAX_VCPUS;
	caps.max_mem_slots = VMON_MAX_SLOTS;
	caps.max_cpuid_entries = VMON_MAX_CPUID_ENTRIES;
	caps.max_guest_phys = VMON_MAX_GUEST_PHYS;
	caps.tsc_khz = tsc_khz;
	return copy_to_user(argp, &caps, sizeof(caps)) ? -EFAULT : 0;
}

static int vmon_ioctl_create_vm(unsigned long arg)
{
	struct vmon_vm *vm;
	int fd;

	if (arg)
		return -EINVAL;
	if (!current->mm)
		return -EIO;
	vm = vmon_vm_create();
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	fd = anon_inode_getfd("vmon-vm", &vmon_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		vmon_vm_put(vm);
	return fd;
}

static long vmon_dev_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case VMON_GET_API_VERSION:
		return VMON_API_VERSION;
	case VMON_GET_CAPS:
		return vmon_ioctl_get_caps((void __user *)arg);
	case VMON_CREATE_VM:
		return vmon_ioctl_create_vm(arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vmon_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= vmon_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice vmon_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vmon",
	.fops	= &vmon_dev_fops,
	.mode	= 0660,		/* group vmon via the udev rule */
};

int vmon_dev_init(void)
{
	return misc_register(&vmon_miscdev);
}

void vmon_dev_exit(void)
{
	misc_deregister(&vmon_miscdev);
}
