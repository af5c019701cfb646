// SPDX-License-Identifier: GPL-2.0
/*
 * VMON_IOEVENTFD: a guest write to a registered MMIO address or I/O port
 * becomes an eventfd signal, and the guest goes on after the instruction
 * without VMON_RUN returning.  A virtio driver's queue notification is
 * such a write: the device model's thread sleeps on the eventfd, so the
 * vCPU thread never leaves the kernel for it.
 *
 * The exit path looks up every MMIO write that reaches no RAM and every
 * OUT, so the lookup is cheap and takes no lock: a hash of the
 * registrations by address, walked under rcu_read_lock().  Changes are
 * made under vm->ioeventfd_lock (a mutex: it waits for RCU readers); a
 * registration taken out is freed after synchronize_rcu(), and so is its
 * eventfd reference, so that a vCPU in the middle of eventfd_signal()
 * still holds a live context.
 *
 * An MMIO write's value and size are not in the exit (SDM Vol. 3C
 * 28.2.3.2 "EPT violations"; APM Vol. 2 15.25.6 "Nested page faults"):
 * the instruction is decoded (emulate.c, the decoder libvmon uses), but
 * only when some registration has the faulting address, so a VM without
 * ioeventfds pays one load per MMIO write.
 */
#include <linux/eventfd.h>
#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/lockdep.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "core.h"
#include "emulate.h"

struct vmon_ioeventfd_entry {
	struct hlist_node node;		/* vm->ioeventfds, RCU */
	struct eventfd_ctx *eventfd;	/* one reference */
	u64 addr;
	u64 datamatch;			/* masked to len bytes */
	u32 len;			/* 0: any */
	bool pio;
	bool wildcard;			/* no VMON_IOEVENTFD_DATAMATCH */
};

/* one bucket per address; the port space and the MMIO space hash apart */
static u32 vmon_ioeventfd_key(u64 addr, bool pio)
{
	return hash_64(addr ^ ((u64)pio << 63), VMON_IOEVENTFD_HASH_BITS);
}

static u64 vmon_len_mask(u32 len)
{
	return len >= 8 || !len ? ~0ULL : (1ULL << (len * 8)) - 1;
}

void vmon_ioeventfd_vm_init(struct vmon_vm *vm)
{
	mutex_init(&vm->ioeventfd_lock);
	hash_init(vm->ioeventfds);
}

/* no vCPU runs any more (vm.c): nothing reads the table */
void vmon_ioeventfd_vm_destroy(struct vmon_vm *vm)
{
	struct vmon_ioeventfd_entry *e;
	struct hlist_node *tmp;
	unsigned int bkt;

	hash_for_each_safe(vm->ioeventfds, bkt, tmp, e, node) {
		hash_del(&e->node);
		eventfd_ctx_put(e->eventfd);
		kfree(e);
	}
	vm->nr_ioeventfds = 0;
	mutex_destroy(&vm->ioeventfd_lock);
}

/* the write (addr, len, val) of a guest matches e; val is len bytes */
static bool vmon_ioeventfd_match(const struct vmon_ioeventfd_entry *e, u64 addr,
				 bool pio, u32 len, u64 val)
{
	if (e->addr != addr || e->pio != pio)
		return false;
	if (e->len && e->len != len)
		return false;
	return e->wildcard || e->datamatch == (val & vmon_len_mask(len));
}

/*
 * Signal the eventfd of the registration a guest write matches; false
 * when there is none.  Registrations never overlap (vmon_ioeventfd_clash()),
 * so the first match is the only one.
 */
static bool vmon_ioeventfd_signal(struct vmon_vm *vm, u64 addr, bool pio, u32 len, u64 val)
{
	struct vmon_ioeventfd_entry *e;
	bool hit = false;

	rcu_read_lock();
	hash_for_each_possible_rcu(vm->ioeventfds, e, node, vmon_ioeventfd_key(addr, pio)) {
		if (vmon_ioeventfd_match(e, addr, pio, len, val)) {
			vmon_eventfd_signal(e->eventfd);
			hit = true;
			break;
		}
	}
	rcu_read_unlock();
	return hit;
}

/* whether any MMIO registration has address gpa (decoding costs more) */
static bool vmon_ioeventfd_has_mmio(struct vmon_vm *vm, u64 gpa)
{
	struct vmon_ioeventfd_entry *e;
	bool found = false;

	if (!READ_ONCE(vm->nr_ioeventfds))
		return false;
	rcu_read_lock();
	hash_for_each_possible_rcu(vm->ioeventfds, e, node, vmon_ioeventfd_key(gpa, false)) {
		if (!e->pio && e->addr == gpa) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

static int vmon_ioeventfd_mmio_write(struct vmon_vcpu *vcpu, u64 gpa, unsigned int size,
				     bool write, u64 *val, void *opaque)
{
	if (!write)
		return -ENOENT;
	return vmon_ioeventfd_signal(vcpu->vm, gpa, false, size, *val) ? 0 : -ENOENT;
}

/*
 * A TDP-fault write outside RAM (exit.c): 1 when a registration took it
 * (eventfd signalled, RIP past the instruction), -ENOENT when the exit
 * is userspace's as before.  vCPU thread, vcpu->mutex held.
 */
int __vmon_hot vmon_ioeventfd_mmio(struct vmon_vcpu *vcpu)
{
	lockdep_assert_held(&vcpu->mutex);
	if (!vcpu->exit.tdp.write || !vmon_ioeventfd_has_mmio(vcpu->vm, vcpu->exit.tdp.gpa))
		return -ENOENT;
	return vmon_emulate_mmio_store(vcpu, vmon_ioeventfd_mmio_write, NULL);
}

/*
 * An OUT of size bytes of val to port (exit.c): true when a
 * registration took it and the eventfd was signalled; the caller
 * advances RIP.  vCPU thread.
 */
bool __vmon_hot vmon_ioeventfd_pio(struct vmon_vcpu *vcpu, u16 port, u8 size, u32 val)
{
	if (!READ_ONCE(vcpu->vm->nr_ioeventfds))
		return false;
	return vmon_ioeventfd_signal(vcpu->vm, port, true, size, val);
}

/* a and b could both match one write (KVM's rule of collision too) */
static bool vmon_ioeventfd_clash(const struct vmon_ioeventfd_entry *a,
				 const struct vmon_ioeventfd_entry *b)
{
	if (a->addr != b->addr || a->pio != b->pio)
		return false;
	if (!a->len || !b->len)
		return true;
	return a->len == b->len &&
	       (a->wildcard || b->wildcard || a->datamatch == b->datamatch);
}

/* the same registration, for deassign: fd, address, length and match */
static bool vmon_ioeventfd_same(const struct vmon_ioeventfd_entry *a,
				const struct vmon_ioeventfd_entry *b)
{
	return a->eventfd == b->eventfd && a->addr == b->addr && a->pio == b->pio &&
	       a->len == b->len && a->wildcard == b->wildcard &&
	       (a->wildcard || a->datamatch == b->datamatch);
}

static int vmon_ioeventfd_check(const struct vmon_ioeventfd *args)
{
	bool pio = args->flags & VMON_IOEVENTFD_PIO;
	u32 len = args->len;

	if (args->pad || args->reserved[0] || args->reserved[1])
		return -EINVAL;
	if (args->flags & ~(VMON_IOEVENTFD_DATAMATCH | VMON_IOEVENTFD_PIO |
			    VMON_IOEVENTFD_DEASSIGN))
		return -EINVAL;
	if (len != 0 && len != 1 && len != 2 && len != 4 && len != 8)
		return -EINVAL;
	/* a value to match needs a width to compare it at */
	if ((args->flags & VMON_IOEVENTFD_DATAMATCH) && !len)
		return -EINVAL;
	if ((args->flags & VMON_IOEVENTFD_DATAMATCH) && (args->datamatch & ~vmon_len_mask(len)))
		return -EINVAL;
	if (pio)	/* OUT writes 1, 2 or 4 bytes to ports 0-0xffff */
		return len == 8 || args->addr > 0xffff ||
		       args->addr + max(len, 1U) > 0x10000 ? -EINVAL : 0;
	if (args->addr >= VMON_MAX_GUEST_PHYS || VMON_MAX_GUEST_PHYS - args->addr < len)
		return -EINVAL;
	return 0;
}

static int vmon_ioeventfd_assign(struct vmon_vm *vm, struct vmon_ioeventfd_entry *n)
{
	struct vmon_ioeventfd_entry *e;
	u32 key = vmon_ioeventfd_key(n->addr, n->pio);

	lockdep_assert_held(&vm->ioeventfd_lock);
	hash_for_each_possible(vm->ioeventfds, e, node, key)
		if (vmon_ioeventfd_clash(e, n))
			return -EEXIST;
	if (vm->nr_ioeventfds >= VMON_MAX_IOEVENTFDS)
		return -ENOSPC;
	hash_add_rcu(vm->ioeventfds, &n->node, key);
	WRITE_ONCE(vm->nr_ioeventfds, vm->nr_ioeventfds + 1);
	return 0;
}

/* the registration like n, taken out of the table (not yet freed), or NULL */
static struct vmon_ioeventfd_entry *vmon_ioeventfd_unlink(struct vmon_vm *vm,
							  const struct vmon_ioeventfd_entry *n)
{
	struct vmon_ioeventfd_entry *e;

	lockdep_assert_held(&vm->ioeventfd_lock);
	hash_for_each_possible(vm->ioeventfds, e, node, vmon_ioeventfd_key(n->addr, n->pio)) {
		if (vmon_ioeventfd_same(e, n)) {
			hash_del_rcu(&e->node);
			WRITE_ONCE(vm->nr_ioeventfds, vm->nr_ioeventfds - 1);
			return e;
		}
	}
	return NULL;
}

int vmon_ioctl_ioeventfd(struct vmon_vm *vm, void __user *argp)
{
	struct vmon_ioeventfd_entry *n, *old = NULL;
	struct vmon_ioeventfd args;
	struct eventfd_ctx *ctx;
	int r;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	r = vmon_ioeventfd_check(&args);
	if (r)
		return r;
	ctx = eventfd_ctx_fdget(args.fd);	/* -EBADF, or -EINVAL: not an eventfd */
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	n = kzalloc(sizeof(*n), GFP_KERNEL_ACCOUNT);
	if (!n) {
		eventfd_ctx_put(ctx);
		return -ENOMEM;
	}
	n->eventfd = ctx;
	n->addr = args.addr;
	n->len = args.len;
	n->pio = args.flags & VMON_IOEVENTFD_PIO;
	n->wildcard = !(args.flags & VMON_IOEVENTFD_DATAMATCH);
	n->datamatch = n->wildcard ? 0 : args.datamatch;

	mutex_lock(&vm->ioeventfd_lock);
	if (args.flags & VMON_IOEVENTFD_DEASSIGN) {
		old = vmon_ioeventfd_unlink(vm, n);
		r = old ? 0 : -ENOENT;
	} else {
		r = vmon_ioeventfd_assign(vm, n);
		if (!r)
			n = NULL;	/* the table's now */
	}
	mutex_unlock(&vm->ioeventfd_lock);

	if (old) {
		/* a vCPU may be signalling it: wait for every reader */
		synchronize_rcu();
		eventfd_ctx_put(old->eventfd);
		kfree(old);
	}
	if (n) {
		eventfd_ctx_put(n->eventfd);
		kfree(n);
	}
	return r;
}
