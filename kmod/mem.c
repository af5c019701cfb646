// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory: slots mapping ranges of guest-physical space onto the
 * owning process's memory.  A slot's pages are pinned when it is
 * registered (charged to RLIMIT_MEMLOCK) and mapped into the TDP tables
 * lazily, one 4 KiB page per TDP fault.  A guest-physical address that
 * no slot covers is MMIO: the access goes to userspace.
 *
 * VMON_SET_MEMORY (struct vmon_memory_region) creates, replaces or
 * deletes (size == 0) slot r->slot.  Errors, in the order checked:
 *   -EINVAL  slot >= VMON_MAX_SLOTS; a flag other than VMON_MEM_READONLY;
 *            reserved[] not zero; guest_phys, size or user_addr not page
 *            aligned; size > VMON_MAX_SLOT_SIZE (64 GiB); guest_phys +
 *            size overflows or exceeds VMON_MAX_GUEST_PHYS (caps
 *            max_guest_phys).
 *   -EFAULT  [user_addr, user_addr + size) is not a user address range,
 *            or part of it is not mapped (or not writable, for a
 *            writable slot), so its pages cannot be pinned.
 *   -ENOMEM  the pages would exceed RLIMIT_MEMLOCK (unless the caller
 *            has CAP_IPC_LOCK), or memory for the bookkeeping ran out.
 *   -EINTR   a fatal signal arrived while pinning a large slot.
 *   -ENOENT  delete (size == 0) of a slot that does not exist.
 *   -EEXIST  the range overlaps another slot in guest-physical space
 *            (replacing a slot may overlap its own old range).
 * On any error the slot is left exactly as it was.
 *
 * Locking: vm->mem_lock (a mutex: faults are handled with preemption
 * enabled) protects vm->slots[] and the TDP tables.  Pinning happens
 * outside it, so a large registration does not stall running vCPUs.
 * vmon_read_guest() reads vm->slots[] without the lock, under RCU: a
 * slot is published with a release store, and a slot taken out is
 * freed only after a grace period.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/io.h>

#include "core.h"

#define VMON_MAX_SLOT_SIZE	(64ULL << 30)
/* pages pinned per pin_user_pages_fast() call, between checks for signals */
#define VMON_PIN_BATCH		4096

/* pages the guest could write are marked dirty, so that their data is kept */
static void vmon_slot_unpin(struct vmon_slot *slot, u64 npinned)
{
	if (slot->pinned_writable && !(slot->flags & VMON_MEM_READONLY))
		unpin_user_pages_dirty_lock(slot->pages, npinned, true);
	else
		unpin_user_pages(slot->pages, npinned);
}

static void vmon_slot_free(struct vmon_vm *vm, struct vmon_slot *slot)
{
	vmon_slot_unpin(slot, slot->npages);
	account_locked_vm(vm->mm, slot->npages, false);
	kvfree(slot->pages);
	kfree(slot);
}

/* pin all pages of the slot, or none (returns how many were pinned on error too) */
static int vmon_slot_pin(struct vmon_slot *slot, unsigned int gup_flags, u64 *npinned)
{
	int r;

	*npinned = 0;
	while (*npinned < slot->npages) {
		int nr = min_t(u64, slot->npages - *npinned, VMON_PIN_BATCH);

		if (fatal_signal_pending(current))
			return -EINTR;
		r = pin_user_pages_fast(slot->uaddr + (*npinned << PAGE_SHIFT), nr,
					gup_flags, slot->pages + *npinned);
		if (r <= 0)
			return r ? r : -EFAULT;
		*npinned += r;
		cond_resched();
	}
	return 0;
}

/*
 * Build a complete new slot: account, allocate the page array, pin.
 * Returns the slot or an ERR_PTR with nothing left behind.
 */
static struct vmon_slot *vmon_slot_build(struct vmon_vm *vm, const struct vmon_memory_region *r)
{
	struct vmon_slot *slot;
	u64 npinned;
	int err;

	slot = kzalloc(sizeof(*slot), GFP_KERNEL_ACCOUNT);
	if (!slot)
		return ERR_PTR(-ENOMEM);
	slot->id = r->slot;
	slot->flags = r->flags;
	slot->gpa = r->guest_phys;
	slot->npages = r->size >> PAGE_SHIFT;
	slot->uaddr = r->user_addr;

	err = account_locked_vm(vm->mm, slot->npages, true);
	if (err)
		goto err_free;

	err = -ENOMEM;
	slot->pages = kvmalloc_array(slot->npages, sizeof(*slot->pages), GFP_KERNEL_ACCOUNT);
	if (!slot->pages)
		goto err_unaccount;

	/*
	 * Pin for writing even a read-only slot when the mapping allows
	 * it: a read-only pin of a private page not yet written could be
	 * the shared zero page, or a page that a later write by the
	 * process replaces with a copy, and the guest would not see the
	 * process's data.  Fall back to read-only pins for mappings that
	 * cannot be written (a file mapped PROT_READ, for example).
	 */
	slot->pinned_writable = true;
	err = vmon_slot_pin(slot, FOLL_WRITE | FOLL_LONGTERM, &npinned);
	if (err && (slot->flags & VMON_MEM_READONLY) && err != -EINTR) {
		vmon_slot_unpin(slot, npinned);
		slot->pinned_writable = false;
		err = vmon_slot_pin(slot, FOLL_LONGTERM, &npinned);
	}
	if (err) {
		vmon_slot_unpin(slot, npinned);
		goto err_pages;
	}
	return slot;

err_pages:
	kvfree(slot->pages);
err_unaccount:
	account_locked_vm(vm->mm, slot->npages, false);
err_free:
	kfree(slot);
	return ERR_PTR(err);
}

static bool vmon_ranges_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

static bool vmon_slot_overlaps(struct vmon_vm *vm, const struct vmon_slot *new)
{
	unsigned int i;

	lockdep_assert_held(&vm->mem_lock);
	for (i = 0; i < VMON_MAX_SLOTS; i++) {
		const struct vmon_slot *s = vm->slots[i];

		if (!s || i == new->id)
			continue;
		if (vmon_ranges_overlap(new->gpa, new->npages << PAGE_SHIFT,
					s->gpa, s->npages << PAGE_SHIFT))
			return true;
	}
	return false;
}

/*
 * Take a slot's range out of the guest's view.  After this, no vCPU can
 * reach the old pages: the TDP leaves are gone, and every vCPU has left
 * guest mode and will flush its TLB (cached TDP translations included)
 * before it enters again.  Only then may the pages be unpinned.
 */
static void vmon_slot_unmap(struct vmon_vm *vm, const struct vmon_slot *slot)
{
	struct vmon_vcpu *vcpu;
	unsigned int i;

	lockdep_assert_held(&vm->mem_lock);
	vmon_tdp_unmap(&vm->tdp, slot->gpa, slot->npages << PAGE_SHIFT);
	for (i = 0; i < VMON_MAX_VCPUS; i++) {
		/* pairs with the publication in vmon_ioctl_create_vcpu() */
		vcpu = smp_load_acquire(&vm->vcpus[i]);
		if (vcpu)
			vmon_vcpu_request(vcpu, VMON_REQ_TLB_FLUSH);
	}
	vmon_vm_kick_all(vm);
}

static int vmon_region_check(const struct vmon_memory_region *r)
{
	if (r->slot >= VMON_MAX_SLOTS)
		return -EINVAL;
	if (r->flags & ~VMON_MEM_READONLY)
		return -EINVAL;
	if (memchr_inv(r->reserved, 0, sizeof(r->reserved)))
		return -EINVAL;
	if (!PAGE_ALIGNED(r->guest_phys) || !PAGE_ALIGNED(r->size) ||
	    !PAGE_ALIGNED(r->user_addr))
		return -EINVAL;
	if (r->size > VMON_MAX_SLOT_SIZE)
		return -EINVAL;
	if (r->guest_phys > VMON_MAX_GUEST_PHYS ||
	    r->size > VMON_MAX_GUEST_PHYS - r->guest_phys)
		return -EINVAL;
	if (r->size && !access_ok((void __user *)(unsigned long)r->user_addr, r->size))
		return -EFAULT;
	return 0;
}

int vmon_set_memory(struct vmon_vm *vm, const struct vmon_memory_region *r)
{
	struct vmon_slot *new = NULL, *old;
	int err;

	err = vmon_region_check(r);
	if (err)
		return err;

	if (r->size) {
		new = vmon_slot_build(vm, r);
		if (IS_ERR(new))
			return PTR_ERR(new);
	}

	mutex_lock(&vm->mem_lock);
	old = vm->slots[r->slot];
	if (!new && !old) {
		err = -ENOENT;
		goto err_unlock;
	}
	if (new && vmon_slot_overlaps(vm, new)) {
		err = -EEXIST;
		goto err_unlock;
	}
	/* the slot's contents before the pointer, for vmon_read_guest() */
	smp_store_release(&vm->slots[r->slot], new);
	if (old)
		vmon_slot_unmap(vm, old);
	mutex_unlock(&vm->mem_lock);

	if (old) {
		/*
		 * vmon_read_guest() may still be copying from the old pages.
		 * Expedited: a normal grace period made replacing slots in a
		 * loop 20 times slower in the emulators.
		 */
		synchronize_rcu_expedited();
		vmon_slot_free(vm, old);
	}
	return 0;

err_unlock:
	mutex_unlock(&vm->mem_lock);
	if (new)
		vmon_slot_free(vm, new);
	return err;
}

/*
 * A TDP fault at gpa: map the one page behind it.  Read-only slots are
 * mapped without write permission, so a guest write to one comes back
 * here and is refused with -EACCES (it becomes an MMIO exit).
 */
int vmon_mem_fault(struct vmon_vm *vm, u64 gpa, bool write)
{
	struct vmon_slot *slot;
	unsigned int perms;
	unsigned int i;
	int r = -ENOENT;

	if (gpa >= VMON_MAX_GUEST_PHYS)
		return -ENOENT;
	gpa &= PAGE_MASK;

	mutex_lock(&vm->mem_lock);
	for (i = 0; i < VMON_MAX_SLOTS; i++) {
		slot = vm->slots[i];
		if (!slot || gpa < slot->gpa ||
		    gpa - slot->gpa >= (slot->npages << PAGE_SHIFT))
			continue;

		if (write && (slot->flags & VMON_MEM_READONLY)) {
			r = -EACCES;
			break;
		}
		perms = VMON_TDP_READ | VMON_TDP_EXEC;
		if (!(slot->flags & VMON_MEM_READONLY))
			perms |= VMON_TDP_WRITE;
		r = vmon_tdp_map(&vm->tdp, gpa,
				 page_to_phys(slot->pages[(gpa - slot->gpa) >> PAGE_SHIFT]), perms);
		break;
	}
	mutex_unlock(&vm->mem_lock);
	return r;
}

/* the pinned page behind gpa, or NULL; rcu_read_lock() or mem_lock held */
static struct page *vmon_gpa_to_page(struct vmon_vm *vm, u64 gpa)
{
	const struct vmon_slot *slot;
	unsigned int i;

	for (i = 0; i < VMON_MAX_SLOTS; i++) {
		/* pairs with the release store in vmon_set_memory() */
		slot = READ_ONCE(vm->slots[i]);
		if (slot && gpa >= slot->gpa &&
		    gpa - slot->gpa < (slot->npages << PAGE_SHIFT))
			return slot->pages[(gpa - slot->gpa) >> PAGE_SHIFT];
	}
	return NULL;
}

/*
 * Copy len bytes of guest-physical memory at gpa into data, for a
 * backend that must do a memory read the CPU would have done (the
 * PDPTE load of an emulated MOV to CR).  Takes no lock and never
 * sleeps, so it may run with interrupts off, in the middle of an exit:
 * slot pages stay pinned while a slot is registered, and a slot that
 * is replaced or deleted is freed only after an RCU grace period.
 * Returns 0, or -EFAULT when a byte of the range is in no slot (MMIO
 * or nothing); data is then partly written.
 */
int vmon_read_guest(struct vmon_vm *vm, u64 gpa, void *data, unsigned int len)
{
	struct page *page;
	unsigned int n;
	int r = 0;

	rcu_read_lock();
	while (len) {
		if (gpa >= VMON_MAX_GUEST_PHYS) {
			r = -EFAULT;
			break;
		}
		n = min_t(u64, len, PAGE_SIZE - offset_in_page(gpa));
		page = vmon_gpa_to_page(vm, gpa);
		if (!page) {
			r = -EFAULT;
			break;
		}
		memcpy_from_page(data, page, offset_in_page(gpa), n);
		data += n;
		gpa += n;
		len -= n;
	}
	rcu_read_unlock();
	return r;
}

/* VM teardown: no vCPU exists any more (vm.c) */
void vmon_mem_destroy(struct vmon_vm *vm)
{
	unsigned int i;

	for (i = 0; i < VMON_MAX_SLOTS; i++) {
		if (vm->slots[i])
			vmon_slot_free(vm, vm->slots[i]);
		vm->slots[i] = NULL;
	}
}
