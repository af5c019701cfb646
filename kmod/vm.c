// SPDX-License-Identifier: GPL-2.0
/*
 * The VM object: created by VMON_CREATE_VM, destroyed when its last
 * reference goes.  The VM fd holds one reference and every vCPU fd holds
 * one more, so a vCPU never outlives the VM it points to, and the VM
 * (with all its vCPUs, memory pins and tables) goes away when the last
 * of those fds is closed, in whatever order that happens.
 */
#include <linux/cred.h>
#include <linux/idr.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "core.h"

/* small VM numbers for tools; never reused while the VM lives */
static DEFINE_IDA(vmon_vm_ida);

struct vmon_vm *vmon_vm_create(void)
{
	size_t size = max(vmon_ops->vm_size, sizeof(struct vmon_vm));
	struct vmon_vm *vm;
	int r;

	vm = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!vm)
		return ERR_PTR(-ENOMEM);

	refcount_set(&vm->users, 1);
	mutex_init(&vm->lock);
	mutex_init(&vm->mem_lock);
	vm->pid = task_tgid_nr(current);
	vm->uid = current_uid();
	/* bind the VM to the caller's address space (see dev.c) */
	mmgrab(current->mm);
	vm->mm = current->mm;

	r = ida_alloc(&vmon_vm_ida, GFP_KERNEL);
	if (r < 0)
		goto err_free;
	vm->id = r;

	r = vmon_tdp_init(&vm->tdp, vmon_ops->tdp_format());
	if (r)
		goto err_ida;

	r = vmon_ops->vm_init(vm);
	if (r)
		goto err_tdp;

	return vm;

err_tdp:
	vmon_tdp_destroy(&vm->tdp);
err_ida:
	ida_free(&vmon_vm_ida, vm->id);
err_free:
	mmdrop(vm->mm);
	kfree(vm);
	return ERR_PTR(r);
}

/*
 * The last reference went: no fd refers to the VM any more, so no
 * ioctl, RUN or mmap can be in progress, and no vCPU is in guest mode.
 * Tear down in the reverse order of construction.  This may run in any
 * task (an fd can be passed on, and the final fput() may be deferred to
 * a kernel thread), so nothing here uses current.
 */
static void vmon_vm_destroy(struct vmon_vm *vm)
{
	unsigned int i;

	for (i = 0; i < VMON_MAX_VCPUS; i++) {
		if (vm->vcpus[i])
			vmon_vcpu_destroy(vm->vcpus[i]);
		vm->vcpus[i] = NULL;
	}
	vmon_ops->vm_destroy(vm);
	vmon_mem_destroy(vm);		/* unpin and unaccount the slots */
	vmon_tdp_destroy(&vm->tdp);
	ida_free(&vmon_vm_ida, vm->id);
	mmdrop(vm->mm);
	mutex_destroy(&vm->mem_lock);
	mutex_destroy(&vm->lock);
	kfree(vm);
}

void vmon_vm_put(struct vmon_vm *vm)
{
	if (refcount_dec_and_test(&vm->users))
		vmon_vm_destroy(vm);
}
