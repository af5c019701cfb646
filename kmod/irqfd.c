// SPDX-License-Identifier: GPL-2.0
/*
 * VMON_IRQFD: an eventfd bound to an MSI.  Each time someone signals
 * the eventfd (a device model's thread, another process, the kernel),
 * the eventfd's wait queue calls vmon_irqfd_wakeup(), which consumes the
 * count and delivers the MSI through vmon_apic_deliver() (irq.c), the
 * path of VMON_SIGNAL_MSI: no vCPU has to leave VMON_RUN for it.
 *
 * The wakeup runs in whatever context signalled the eventfd, with the
 * eventfd's wait-queue spinlock held and interrupts off: it may not
 * sleep.  Delivery takes no lock and never sleeps (irq.c); the message
 * is read under a seqcount, so that VMON_IRQFD can change it while the
 * eventfd fires.  When the eventfd's last file is closed the wakeup
 * sees EPOLLHUP; it cannot take itself off the wait queue it is being
 * called from, so, as KVM does, it unlinks the irqfd from the VM and
 * leaves the rest (off the wait queue, the reference dropped, freed) to
 * a work item on vmon_irqfd_wq.  Deassign and VM destruction do the
 * same, then flush the workqueue: once they return, no wakeup of theirs
 * runs any more (eventfd_ctx_remove_wait_queue() takes the wait-queue
 * lock every wakeup holds).
 *
 * Locks (Documentation/locking.rst): vm->irqfd_mutex makes assign and
 * deassign one at a time, so that an irqfd is on the eventfd's wait
 * queue before anyone can tear it down; vm->irqfd_lock (a spinlock,
 * irqs off) guards vm->irqfds and each irqfd's message.  Order: the
 * eventfd's wait-queue lock, then vm->irqfd_lock (the EPOLLHUP path).
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/lockdep.h>
#include <linux/poll.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "core.h"

struct vmon_irqfd_entry {
	struct vmon_vm *vm;		/* const; the VM flushes us before it goes */
	struct eventfd_ctx *eventfd;	/* one reference, dropped by the shutdown work */
	/* the message: written under vm->irqfd_lock, read under msg_seq */
	struct vmon_apic_msg msg;
	seqcount_spinlock_t msg_seq;
	wait_queue_entry_t wait;	/* on the eventfd's wait queue */
	poll_table pt;
	struct list_head list;		/* vm->irqfds (irqfd_lock); empty: deactivated */
	struct work_struct shutdown;
};

/* teardown of irqfds, flushed by deassign and VM destruction */
static struct workqueue_struct *vmon_irqfd_wq;

int vmon_irqfd_setup(void)
{
	vmon_irqfd_wq = alloc_workqueue("vmon-irqfd", 0, 0);
	return vmon_irqfd_wq ? 0 : -ENOMEM;
}

void vmon_irqfd_unsetup(void)
{
	destroy_workqueue(vmon_irqfd_wq);
}

void vmon_irqfd_vm_init(struct vmon_vm *vm)
{
	mutex_init(&vm->irqfd_mutex);
	spin_lock_init(&vm->irqfd_lock);
	INIT_LIST_HEAD(&vm->irqfds);
}

static void vmon_irqfd_shutdown(struct work_struct *work)
{
	struct vmon_irqfd_entry *irqfd = container_of(work, struct vmon_irqfd_entry, shutdown);
	u64 cnt;

	/* after this, no wakeup can find it (the wait-queue lock orders it) */
	eventfd_ctx_remove_wait_queue(irqfd->eventfd, &irqfd->wait, &cnt);
	eventfd_ctx_put(irqfd->eventfd);
	kfree(irqfd);
}

static bool vmon_irqfd_active(struct vmon_irqfd_entry *irqfd)
{
	return !list_empty(&irqfd->list);
}

/* unlink from the VM; the work item does the rest.  Once per irqfd. */
static void vmon_irqfd_deactivate(struct vmon_irqfd_entry *irqfd)
{
	struct vmon_vm *vm = irqfd->vm;

	lockdep_assert_held(&vm->irqfd_lock);
	list_del_init(&irqfd->list);
	vm->nr_irqfds--;
	queue_work(vmon_irqfd_wq, &irqfd->shutdown);
}

static void vmon_irqfd_deliver(struct vmon_irqfd_entry *irqfd)
{
	struct vmon_apic_msg msg;
	unsigned int seq;

	do {
		seq = read_seqcount_begin(&irqfd->msg_seq);
		msg = irqfd->msg;
	} while (read_seqcount_retry(&irqfd->msg_seq, seq));
	vmon_apic_deliver(irqfd->vm, NULL, &msg);
}

/* the eventfd's wait-queue lock held, irqs off: no sleeping */
static int vmon_irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode, int sync, void *key)
{
	struct vmon_irqfd_entry *irqfd = container_of(wait, struct vmon_irqfd_entry, wait);
	__poll_t flags = key_to_poll(key);
	struct vmon_vm *vm = irqfd->vm;
	unsigned long irqflags;
	u64 cnt;

	if (flags & EPOLLIN) {
		/* one MSI per wakeup, however many signals it gathers (edge) */
		eventfd_ctx_do_read(irqfd->eventfd, &cnt);
		vmon_irqfd_deliver(irqfd);
	}
	if (flags & EPOLLHUP) {
		/* the eventfd is going away: so does the binding */
		spin_lock_irqsave(&vm->irqfd_lock, irqflags);
		if (vmon_irqfd_active(irqfd))
			vmon_irqfd_deactivate(irqfd);
		spin_unlock_irqrestore(&vm->irqfd_lock, irqflags);
	}
	return 0;
}

static void vmon_irqfd_queue_proc(struct file *file, wait_queue_head_t *wqh, poll_table *pt)
{
	struct vmon_irqfd_entry *irqfd = container_of(pt, struct vmon_irqfd_entry, pt);

	add_wait_queue(wqh, &irqfd->wait);
}

/* the active irqfd of eventfd ctx, or NULL */
static struct vmon_irqfd_entry *vmon_irqfd_find(struct vmon_vm *vm, struct eventfd_ctx *ctx)
{
	struct vmon_irqfd_entry *irqfd;

	lockdep_assert_held(&vm->irqfd_lock);
	list_for_each_entry(irqfd, &vm->irqfds, list)
		if (irqfd->eventfd == ctx)
			return irqfd;
	return NULL;
}

/*
 * Bind, or rebind with a new message; vm->irqfd_mutex held.  A new
 * irqfd takes over the caller's reference on ctx (*ctx_taken).
 */
static int vmon_irqfd_assign(struct vmon_vm *vm, struct file *file, struct eventfd_ctx *ctx,
			     const struct vmon_apic_msg *msg, bool *ctx_taken)
{
	struct vmon_irqfd_entry *irqfd, *old;
	__poll_t events;

	lockdep_assert_held(&vm->irqfd_mutex);
	irqfd = kzalloc(sizeof(*irqfd), GFP_KERNEL_ACCOUNT);
	if (!irqfd)
		return -ENOMEM;

	spin_lock_irq(&vm->irqfd_lock);
	old = vmon_irqfd_find(vm, ctx);
	if (old) {
		/* the guest moved the vector: later signals use the new message */
		write_seqcount_begin(&old->msg_seq);
		old->msg = *msg;
		write_seqcount_end(&old->msg_seq);
		spin_unlock_irq(&vm->irqfd_lock);
		kfree(irqfd);
		return 0;
	}
	if (vm->nr_irqfds >= VMON_MAX_IRQFDS) {
		spin_unlock_irq(&vm->irqfd_lock);
		kfree(irqfd);
		return -ENOSPC;
	}
	irqfd->vm = vm;
	irqfd->eventfd = ctx;
	*ctx_taken = true;
	irqfd->msg = *msg;
	seqcount_spinlock_init(&irqfd->msg_seq, &vm->irqfd_lock);
	INIT_WORK(&irqfd->shutdown, vmon_irqfd_shutdown);
	init_waitqueue_func_entry(&irqfd->wait, vmon_irqfd_wakeup);
	init_poll_funcptr(&irqfd->pt, vmon_irqfd_queue_proc);
	list_add_tail(&irqfd->list, &vm->irqfds);
	vm->nr_irqfds++;
	spin_unlock_irq(&vm->irqfd_lock);

	/*
	 * On the wait queue from here.  A signal that came before counts
	 * too: its MSI goes now, and the next wakeup consumes its count.
	 * (A signal racing with vfs_poll() may so raise one MSI twice; a
	 * spurious edge-triggered MSI is harmless.)  Nothing can tear the
	 * irqfd down meanwhile: deassign waits for vm->irqfd_mutex, and
	 * EPOLLHUP for the release of the file we hold.
	 */
	events = vfs_poll(file, &irqfd->pt);
	if (events & EPOLLIN)
		vmon_irqfd_deliver(irqfd);
	return 0;
}

static int vmon_irqfd_deassign(struct vmon_vm *vm, struct eventfd_ctx *ctx)
{
	struct vmon_irqfd_entry *irqfd;

	lockdep_assert_held(&vm->irqfd_mutex);
	spin_lock_irq(&vm->irqfd_lock);
	irqfd = vmon_irqfd_find(vm, ctx);
	if (irqfd)
		vmon_irqfd_deactivate(irqfd);
	spin_unlock_irq(&vm->irqfd_lock);
	if (!irqfd)
		return -ENOENT;
	/* off the wait queue when we return: no MSI from it after this */
	flush_workqueue(vmon_irqfd_wq);
	return 0;
}

int vmon_ioctl_irqfd(struct vmon_vm *vm, void __user *argp)
{
	struct vmon_apic_msg msg = {};
	struct vmon_irqfd args;
	struct eventfd_ctx *ctx;
	bool ctx_taken = false;
	struct fd f;
	int r;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.pad || args.reserved[0] || args.reserved[1] ||
	    (args.flags & ~VMON_IRQFD_DEASSIGN))
		return -EINVAL;
	if (!(args.flags & VMON_IRQFD_DEASSIGN) &&
	    vmon_msi_to_apic_msg(args.msi_address, args.msi_data, &msg))
		return -EINVAL;

	f = fdget(args.fd);
	if (!fd_file(f))
		return -EBADF;
	ctx = eventfd_ctx_fileget(fd_file(f));	/* -EINVAL: not an eventfd */
	if (IS_ERR(ctx)) {
		r = PTR_ERR(ctx);
		goto out;
	}
	mutex_lock(&vm->irqfd_mutex);
	if (args.flags & VMON_IRQFD_DEASSIGN)
		r = vmon_irqfd_deassign(vm, ctx);
	else
		r = vmon_irqfd_assign(vm, fd_file(f), ctx, &msg, &ctx_taken);
	mutex_unlock(&vm->irqfd_mutex);
	if (!ctx_taken)
		eventfd_ctx_put(ctx);
out:
	fdput(f);
	return r;
}

/* the VM goes (vm.c): before its vCPUs, which deliveries touch */
void vmon_irqfd_vm_destroy(struct vmon_vm *vm)
{
	struct vmon_irqfd_entry *irqfd, *tmp;

	spin_lock_irq(&vm->irqfd_lock);
	list_for_each_entry_safe(irqfd, tmp, &vm->irqfds, list)
		vmon_irqfd_deactivate(irqfd);
	spin_unlock_irq(&vm->irqfd_lock);
	flush_workqueue(vmon_irqfd_wq);
	mutex_destroy(&vm->irqfd_mutex);
}
