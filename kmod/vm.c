// SPDX-License-Identifier: GPL-2.0
/*
 * The VM object: created by VMON_CREATE_VM, destroyed when its last
 * reference goes.  The VM fd holds one reference and every vCPU fd holds
 * one more, so a vCPU never outlives the VM it points to, and the VM
 * (with all its vCPUs, memory pins and tables) goes away when the last
 * of those fds is closed, in whatever order that happens.
 */
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <asm/msr.h>

#include "core.h"
#include "observe.h"
#include "spec.h"

/*
 * Registry of live VMs by id, for the tools (netlink.c): small numbers,
 * never reused while the VM lives.  An id is reserved (NULL entry) while
 * the VM is built and points to it once it is complete; destruction
 * removes it first.  Lookups take a reference under the xarray lock
 * with refcount_inc_not_zero(): a VM whose last reference is gone is
 * skipped, and it is not freed before it has left the registry.
 */
static DEFINE_XARRAY_ALLOC(vmon_vms);

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
	vm->tsc_offset = -rdtsc();
	vm->uid = current_uid();
	/* bind the VM to the caller's address space (see dev.c) */
	mmgrab(current->mm);
	vm->mm = current->mm;

	vmon_trace_vm_init(vm);
	vmon_ioeventfd_vm_init(vm);
	vmon_irqfd_vm_init(vm);
	r = xa_alloc(&vmon_vms, &vm->id, NULL, xa_limit_31b, GFP_KERNEL);
	if (r < 0)
		goto err_free;

	r = vmon_tdp_init(&vm->tdp, vmon_ops->tdp_format());
	if (r)
		goto err_ida;

	r = vmon_ops->vm_init(vm);
	if (r)
		goto err_tdp;

	/* the reserved slot needs no memory: this cannot fail */
	xa_store(&vmon_vms, vm->id, vm, GFP_KERNEL);
	return vm;

err_tdp:
	vmon_tdp_destroy(&vm->tdp);
err_ida:
	xa_erase(&vmon_vms, vm->id);
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

	/* no new lookups; then no tracer (nothing runs any more) */
	xa_erase(&vmon_vms, vm->id);
	vmon_trace_vm_destroy(vm);
	/* no eventfd may deliver to the vCPUs about to go, or be signalled */
	vmon_irqfd_vm_destroy(vm);
	vmon_ioeventfd_vm_destroy(vm);
	for (i = 0; i < VMON_MAX_VCPUS; i++) {
		if (vm->vcpus[i])
			vmon_vcpu_destroy(vm->vcpus[i]);
		vm->vcpus[i] = NULL;
	}
	vmon_ops->vm_destroy(vm);
	vmon_spec_vm_destroy(vm);	/* no CPU may remember it as its last VM */
	vmon_mem_destroy(vm);		/* unpin and unaccount the slots */
	vmon_tdp_destroy(&vm->tdp);
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

/* a reference on a live VM, under the registry lock (see vmon_vms) */
static struct vmon_vm *vmon_vm_tryget(struct vmon_vm *vm)
{
	return vm && refcount_inc_not_zero(&vm->users) ? vm : NULL;
}

struct vmon_vm *vmon_vm_get_by_id(u32 id)
{
	struct vmon_vm *vm;

	xa_lock(&vmon_vms);
	vm = vmon_vm_tryget(xa_load(&vmon_vms, id));
	xa_unlock(&vmon_vms);
	return vm;
}

struct vmon_vm *vmon_vm_get_next(u32 *id)
{
	unsigned long index = *id;
	struct vmon_vm *vm, *got = NULL;

	xa_lock(&vmon_vms);
	xa_for_each_start(&vmon_vms, index, vm, *id) {
		got = vmon_vm_tryget(vm);
		if (got) {
			*id = index;
			break;
		}
	}
	xa_unlock(&vmon_vms);
	return got;
}

/* a socket closed (trace.c): whatever it traced, it traces no more */
void vmon_vms_trace_stop(u32 portid)
{
	unsigned long index;
	struct vmon_vm *vm;

	/* a VM found here is not freed before it leaves the registry */
	xa_lock(&vmon_vms);
	xa_for_each(&vmon_vms, index, vm)
		vmon_trace_stop(vm, portid);
	xa_unlock(&vmon_vms);
}
