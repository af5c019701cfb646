// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtio over PCI transport, modern devices only (virtio 1.2
 * section 4.1): the PCI identity, the vendor-specific capabilities that
 * locate the common, notification, ISR and device configuration
 * structures in a memory BAR (4.1.4), the PCI configuration access
 * window (4.1.4.9), the device status state machine (2.1, 3.1), feature
 * negotiation (2.2), the queue registers (4.1.4.3), notifications
 * (4.1.4.4) and interrupts: one MSI-X vector per queue plus one for
 * configuration changes, or INTx with the ISR status register (4.1.4.5,
 * 4.1.5.3, 4.1.5.4).
 *
 * Everything here runs under the device lock, except the functions of
 * virtio.h that say they take it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../machine.h"
#include "virtio_priv.h"

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define PCI_VENDOR_ID_REDHAT_QUMRANET	0x1af4
#define VIRTIO_PCI_DEVICE_ID_BASE	0x1040

/* the BAR holding the virtio structures, and the MSI-X BAR */
#define VIRTIO_BAR		2
#define VIRTIO_BAR_SIZE		0x4000
#define MSIX_BAR		1
/* where each structure sits in VIRTIO_BAR, one page each */
#define COMMON_OFF		0x0000
#define COMMON_LEN		0x38	/* struct virtio_pci_common_cfg, 4.1.4.3 */
#define ISR_OFF			0x1000
#define DEVICE_OFF		0x2000
#define DEVICE_MAX		0x1000
#define NOTIFY_OFF		0x3000
#define NOTIFY_MULTIPLIER	4	/* queue n's notify address: NOTIFY_OFF + 4n */

/* vendor-specific capabilities, cfg_type values of 4.1.4 */
#define PCI_CAP_ID_VNDR		0x09
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define VIRTIO_PCI_CAP_PCI_CFG		5
#define VIRTIO_CAP_LEN		16	/* struct virtio_pci_cap */

/* ISR status bits, 4.1.4.5 */
#define VIRTIO_ISR_QUEUE	0x1
#define VIRTIO_ISR_CONFIG	0x2

/* the transport's state of one device; device lock */
struct virtio_pci_state {
	struct vmon_machine *m;
	struct virtio_device *v;
	uint64_t offered;		/* device features, set once */
	uint64_t driver_features;
	uint32_t device_feature_select;
	uint32_t driver_feature_select;
	uint16_t msix_config;
	uint16_t nr_vectors;		/* MSI-X table entries, set once */
	uint16_t queue_select;
	uint8_t status;
	uint8_t config_generation;
	uint8_t isr;
	/* ops->start() called, no reset since */
	bool started;
	/* ops->reset() called, virtio_reset_done() not yet */
	bool resetting;
	/* virtio_reset_done() was called from inside ops->reset() */
	bool reset_done_early;
	unsigned int cfg_cap;		/* the PCI_CFG capability, set once */
};

/* the transport whose ops->reset() this thread is running, with the device lock */
static __thread struct virtio_pci_state *reset_caller;

static struct virtio_device *dev_of(struct pci_device *d)
{
	return (struct virtio_device *)((char *)d - offsetof(struct virtio_device, pci));
}

static struct virtqueue *selected(struct virtio_pci_state *t)
{
	return virtio_queue(t->v, t->queue_select);
}

struct virtqueue *virtio_queue(struct virtio_device *v, unsigned int index)
{
	return index < v->ops->nr_queues ? &v->queues[index] : NULL;
}

uint64_t virtio_features(const struct virtio_device *v)
{
	return v->transport->driver_features;
}

static void config_interrupt(struct virtio_pci_state *t)
{
	struct pci_device *d = &t->v->pci;

	if (pci_msix_enabled(d)) {
		if (t->msix_config != VIRTIO_MSI_NO_VECTOR)
			pci_msix_notify(d, t->msix_config);
		return;
	}
	t->isr |= VIRTIO_ISR_CONFIG;
	pci_set_intx(d, true);
}

void virtio_pci_queue_interrupt(struct virtqueue *vq)
{
	struct virtio_pci_state *t = vq->vdev->transport;
	struct pci_device *d = &vq->vdev->pci;

	if (!(t->status & VIRTIO_STATUS_DRIVER_OK) || t->resetting)
		return;
	if (pci_msix_enabled(d)) {
		if (vq->msix_vector != VIRTIO_MSI_NO_VECTOR)
			pci_msix_notify(d, vq->msix_vector);
		return;
	}
	t->isr |= VIRTIO_ISR_QUEUE;
	pci_set_intx(d, true);
}

/*
 * Interrupts without the device lock (virtqueue_notify()): while the
 * queue's vector is bound to its call eventfd, signalling the eventfd
 * has the kernel send the MSI.  The transport may unbind it meanwhile
 * (the driver masked the vector): unbind_irqfd() stores false before it
 * drains the eventfd, and here the load follows the signal, so either
 * the drain finds the signal or this load sees false and the interrupt
 * goes the locked way (twice at worst: a spurious interrupt, which a
 * virtio driver tolerates).
 */
void virtio_pci_queue_interrupt_unlocked(struct virtqueue *vq)
{
	struct vmon_machine *m = vq->vdev->pci.machine;

	if (__atomic_load_n(&vq->irqfd, __ATOMIC_SEQ_CST)) {
		eventfd_write(vq->call_fd, 1);
		if (__atomic_load_n(&vq->irqfd, __ATOMIC_SEQ_CST))
			return;
	}
	machine_lock(m);
	virtio_pci_queue_interrupt(vq);
	machine_unlock(m);
}

static void unbind_irqfd(struct virtio_pci_state *t, struct virtqueue *vq)
{
	const struct machine_hooks *h = t->m->hooks;
	eventfd_t n = 0;

	if (!vq->irqfd)
		return;
	__atomic_store_n(&vq->irqfd, false, __ATOMIC_SEQ_CST);
	h->irqfd(t->m->hooks_opaque, vq->call_fd, vq->irqfd_addr, vq->irqfd_data, true);
	/* a signal the kernel no longer takes: deliver it (pending if masked) */
	if (!eventfd_read(vq->call_fd, &n) && n)
		virtio_pci_queue_interrupt(vq);
}

/*
 * Bind each queue's vector to its call eventfd while MSI-X is enabled,
 * the vector unmasked (else its pending bit must be set: the locked way)
 * and the driver running; rebind when the guest reprograms the entry.
 */
static void update_irqfds(struct virtio_pci_state *t)
{
	const struct machine_hooks *h = t->m->hooks;
	unsigned int i;

	for (i = 0; i < t->v->ops->nr_queues; i++) {
		struct virtqueue *vq = &t->v->queues[i];
		bool want = h && h->irqfd && vq->call_fd >= 0 &&
			    (t->status & VIRTIO_STATUS_DRIVER_OK) && !t->resetting &&
			    vq->msix_vector != VIRTIO_MSI_NO_VECTOR;
		uint64_t addr;
		uint32_t data;
		eventfd_t n;

		want = want && pci_msix_message(&t->v->pci, vq->msix_vector, &addr, &data);
		if (vq->irqfd && (!want || addr != vq->irqfd_addr || data != vq->irqfd_data))
			unbind_irqfd(t, vq);
		if (!want || vq->irqfd)
			continue;
		eventfd_read(vq->call_fd, &n);	/* nothing stale */
		if (h->irqfd(t->m->hooks_opaque, vq->call_fd, addr, data, false))
			continue;	/* -ENOTTY: the locked way */
		vq->irqfd_addr = addr;
		vq->irqfd_data = data;
		__atomic_store_n(&vq->irqfd, true, __ATOMIC_SEQ_CST);
	}
}

static void msix_changed(struct pci_device *d, unsigned int vector)
{
	update_irqfds(dev_of(d)->transport);
}

/* 2.1.2: set DEVICE_NEEDS_RESET, and tell a running driver */
static void needs_reset_locked(struct virtio_pci_state *t)
{
	if (t->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	t->status |= VIRTIO_STATUS_NEEDS_RESET;
	if ((t->status & VIRTIO_STATUS_DRIVER_OK) && !t->resetting)
		config_interrupt(t);
}

void virtio_needs_reset(struct virtio_device *v)
{
	machine_lock(v->pci.machine);
	needs_reset_locked(v->transport);
	machine_unlock(v->pci.machine);
}

void virtio_config_changed(struct virtio_device *v)
{
	struct virtio_pci_state *t = v->transport;

	machine_lock(v->pci.machine);
	t->config_generation++;
	if ((t->status & VIRTIO_STATUS_DRIVER_OK) && !t->resetting)
		config_interrupt(t);
	machine_unlock(v->pci.machine);
}

/*
 * Notifications without exits: have the kernel signal the kick eventfd
 * of each enabled queue on a write to its notification address, while
 * the driver runs and the BAR is where it was registered.  The hook may
 * be missing or refuse (-ENOTTY): the MMIO exit then does the same.
 */
static void bind_ioeventfds(struct virtio_pci_state *t)
{
	const struct machine_hooks *h = t->m->hooks;
	const struct pci_bar *bar = &t->v->pci.bars[VIRTIO_BAR];
	bool want = (t->status & VIRTIO_STATUS_DRIVER_OK) && !t->resetting && bar->mapped;
	unsigned int i;

	for (i = 0; i < t->v->ops->nr_queues; i++) {
		struct virtqueue *vq = &t->v->queues[i];
		uint64_t addr = bar->addr + NOTIFY_OFF + NOTIFY_MULTIPLIER * i;

		if (vq->ioeventfd_addr && (!want || vq->ioeventfd_addr != addr) && h) {
			h->ioeventfd(t->m->hooks_opaque, vq->ioeventfd_addr, 0, vq->kick_fd, true);
			vq->ioeventfd_addr = 0;
		}
		if (want && vq->enabled && !vq->ioeventfd_addr && h && h->ioeventfd &&
		    !h->ioeventfd(t->m->hooks_opaque, addr, 0, vq->kick_fd, false))
			vq->ioeventfd_addr = addr;
	}
}

static void finish_reset(struct virtio_pci_state *t)
{
	const struct virtio_device_ops *ops = t->v->ops;
	unsigned int i;

	if (!t->resetting)
		return;
	t->resetting = false;
	t->started = false;
	t->status = 0;
	t->driver_features = 0;
	t->device_feature_select = 0;
	t->driver_feature_select = 0;
	t->msix_config = VIRTIO_MSI_NO_VECTOR;
	t->queue_select = 0;
	t->isr = 0;
	pci_set_intx(&t->v->pci, false);
	for (i = 0; i < ops->nr_queues; i++) {
		struct virtqueue *vq = &t->v->queues[i];

		vq->size = ops->queue_size;
		vq->msix_vector = VIRTIO_MSI_NO_VECTOR;
		vq->enabled = false;
		vq->desc_gpa = 0;
		vq->driver_gpa = 0;
		vq->device_gpa = 0;
		vq->broken = true;	/* no ring until the next DRIVER_OK */
	}
}

/*
 * 4.1.4.3.1: the driver wrote 0 to device_status.  The device threads
 * stop first (ops->reset()); the registers clear and device_status
 * reads 0 once they have (virtio_reset_done()).  A device that was not
 * started has no thread on its rings: its reset completes at once,
 * which is also what the driver sees (status already 0) when it resets
 * a device it just found.
 */
static void start_reset(struct virtio_pci_state *t)
{
	if (t->resetting)
		return;
	t->resetting = true;
	bind_ioeventfds(t);
	update_irqfds(t);
	if (!t->started || !t->v->ops->reset) {
		finish_reset(t);
		return;
	}
	t->reset_done_early = false;
	reset_caller = t;
	t->v->ops->reset(t->v);
	reset_caller = NULL;
	if (t->reset_done_early)
		finish_reset(t);
}

void virtio_reset_done(struct virtio_device *v)
{
	struct virtio_pci_state *t = v->transport;

	if (reset_caller == t) {	/* inside ops->reset(): the lock is ours */
		t->reset_done_early = true;
		return;
	}
	machine_lock(v->pci.machine);
	finish_reset(t);
	machine_unlock(v->pci.machine);
}

/* 2.2.1, 6.1: a subset of what was offered, and VERSION_1 (no legacy) */
static bool features_acceptable(struct virtio_pci_state *t)
{
	uint64_t f = t->driver_features;

	if ((f & ~t->offered) || !(f & (1ull << VIRTIO_F_VERSION_1)))
		return false;
	return !t->v->ops->features_ok || t->v->ops->features_ok(t->v, f);
}

static void driver_ok(struct virtio_pci_state *t)
{
	unsigned int i;

	for (i = 0; i < t->v->ops->nr_queues; i++) {
		struct virtqueue *vq = &t->v->queues[i];

		if (vq->enabled && !virtqueue_setup(vq, t->driver_features))
			needs_reset_locked(t);
	}
	bind_ioeventfds(t);
	update_irqfds(t);
	t->started = true;
	if (t->v->ops->start)
		t->v->ops->start(t->v);
}

/* 2.1, 3.1.1: the driver only sets bits; NEEDS_RESET is the device's */
static void write_status(struct virtio_pci_state *t, uint8_t val)
{
	uint8_t old = t->status;

	if (!val) {
		start_reset(t);
		return;
	}
	if (t->resetting)
		return;		/* 2.4.1: the driver waits for 0 first */
	val = (val & ~VIRTIO_STATUS_NEEDS_RESET) | old;
	if ((val & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK) &&
	    !features_acceptable(t))
		val &= ~VIRTIO_STATUS_FEATURES_OK;	/* 2.2.2: the driver sees it refused */
	if (!(val & VIRTIO_STATUS_FEATURES_OK))
		val &= ~VIRTIO_STATUS_DRIVER_OK;
	t->status = val;
	if ((val & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK))
		driver_ok(t);
}

/* 4.1.4.3: an MSI-X vector the device cannot map reads back as NO_VECTOR */
static uint16_t vector(struct virtio_pci_state *t, uint16_t v)
{
	return v < t->nr_vectors ? v : VIRTIO_MSI_NO_VECTOR;
}

static void put(uint8_t *buf, unsigned int off, unsigned int len, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		buf[off + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t common_read(struct virtio_pci_state *t, unsigned int off, unsigned int size)
{
	struct virtqueue *vq = selected(t);
	uint8_t buf[0x40] = { 0 };
	uint64_t v = 0;
	unsigned int i;

	put(buf, 0x00, 4, t->device_feature_select);
	if (t->device_feature_select < 2)
		put(buf, 0x04, 4, t->offered >> (32 * t->device_feature_select));
	put(buf, 0x08, 4, t->driver_feature_select);
	if (t->driver_feature_select < 2)
		put(buf, 0x0c, 4, t->driver_features >> (32 * t->driver_feature_select));
	put(buf, 0x10, 2, t->msix_config);
	put(buf, 0x12, 2, t->v->ops->nr_queues);
	put(buf, 0x14, 1, t->status);
	put(buf, 0x15, 1, t->config_generation);
	put(buf, 0x16, 2, t->queue_select);
	if (vq) {	/* 4.1.4.3: queue_size 0 for a queue that does not exist */
		put(buf, 0x18, 2, vq->size);
		put(buf, 0x1a, 2, vq->msix_vector);
		put(buf, 0x1c, 2, vq->enabled);
		put(buf, 0x1e, 2, vq->index);
		put(buf, 0x20, 8, vq->desc_gpa);
		put(buf, 0x28, 8, vq->driver_gpa);
		put(buf, 0x30, 8, vq->device_gpa);
	}
	if (off >= COMMON_LEN || size > COMMON_LEN - off)
		return 0;
	for (i = 0; i < size; i++)
		v |= (uint64_t)buf[off + i] << (8 * i);
	return v;
}

/* a queue address, written as a whole or one 32-bit half at a time */
static void write_addr(uint64_t *reg, unsigned int off, unsigned int size, uint64_t val)
{
	if (size == 8 && !(off & 7))
		*reg = val;
	else if (size == 4 && (off & 4))
		*reg = (*reg & 0xffffffffull) | (val << 32);
	else if (size == 4)
		*reg = (*reg & ~0xffffffffull) | (uint32_t)val;
}

static void queue_write(struct virtio_pci_state *t, unsigned int off, unsigned int size,
			uint64_t val)
{
	struct virtqueue *vq = selected(t);
	uint16_t max = t->v->ops->queue_size;

	if (!vq)
		return;
	if (off == 0x1a && size == 2) {
		vq->msix_vector = vector(t, val);
		update_irqfds(t);
		return;
	}
	/* 4.1.4.3.2: configured before queue_enable, never changed after */
	if (vq->enabled || (t->status & VIRTIO_STATUS_DRIVER_OK))
		return;
	if (off == 0x18 && size == 2) {
		if (val && val <= max && !(val & (val - 1)))	/* 2.7: a power of 2 */
			vq->size = val;
	} else if (off == 0x1c && size == 2) {
		vq->enabled = val == 1;
	} else if (off >= 0x20 && off < 0x28) {
		write_addr(&vq->desc_gpa, off, size, val);
	} else if (off >= 0x28 && off < 0x30) {
		write_addr(&vq->driver_gpa, off, size, val);
	} else if (off >= 0x30 && off < 0x38) {
		write_addr(&vq->device_gpa, off, size, val);
	}
}

/* 4.1.3.1: the driver accesses each field with its own width */
static void common_write(struct virtio_pci_state *t, unsigned int off, unsigned int size,
			 uint64_t val)
{
	if (off == 0x14 && size == 1) {
		write_status(t, val);
		return;
	}
	if (t->resetting)
		return;
	if (off == 0x00 && size == 4) {
		t->device_feature_select = val;
	} else if (off == 0x08 && size == 4) {
		t->driver_feature_select = val;
	} else if (off == 0x0c && size == 4) {
		unsigned int shift = 32 * t->driver_feature_select;

		/* 3.1.1: features are fixed once FEATURES_OK is set */
		if (t->driver_feature_select < 2 && !(t->status & VIRTIO_STATUS_FEATURES_OK))
			t->driver_features = (t->driver_features & ~(0xffffffffull << shift)) |
					     ((uint64_t)(uint32_t)val << shift);
	} else if (off == 0x10 && size == 2) {
		t->msix_config = vector(t, val);
	} else if (off == 0x16 && size == 2) {
		t->queue_select = val;
	} else if (off >= 0x18) {
		queue_write(t, off, size, val);
	}
}

/* 4.1.4.5: reading the ISR status clears it and deasserts INTx */
static uint64_t isr_read(struct virtio_pci_state *t)
{
	uint8_t v = t->isr;

	t->isr = 0;
	pci_set_intx(&t->v->pci, false);
	return v;
}

static uint64_t bar_read(void *dev, uint64_t off, unsigned int size)
{
	struct virtio_pci_state *t = dev;
	const struct virtio_device_ops *ops = t->v->ops;
	uint64_t v = 0;

	if (off < COMMON_OFF + COMMON_LEN)
		return common_read(t, off - COMMON_OFF, size);
	if (off == ISR_OFF)
		return isr_read(t);
	if (off >= DEVICE_OFF && off < DEVICE_OFF + DEVICE_MAX) {
		off -= DEVICE_OFF;
		if (ops->config_read && off < ops->config_size && size <= ops->config_size - off)
			ops->config_read(t->v, off, &v, size);
		return v;
	}
	return 0;
}

static void bar_write(void *dev, uint64_t off, unsigned int size, uint64_t val)
{
	struct virtio_pci_state *t = dev;
	const struct virtio_device_ops *ops = t->v->ops;

	if (off < COMMON_OFF + COMMON_LEN) {
		common_write(t, off - COMMON_OFF, size, val);
	} else if (off >= DEVICE_OFF && off < DEVICE_OFF + DEVICE_MAX) {
		off -= DEVICE_OFF;
		if (ops->config_write && off < ops->config_size && size <= ops->config_size - off)
			ops->config_write(t->v, off, &val, size);
	} else if (off >= NOTIFY_OFF && (off - NOTIFY_OFF) / NOTIFY_MULTIPLIER < ops->nr_queues) {
		/* 4.1.4.4: the queue is the address, not the value written */
		struct virtqueue *vq = &t->v->queues[(off - NOTIFY_OFF) / NOTIFY_MULTIPLIER];

		/* fails only when the counter is full: the thread will look anyway */
		eventfd_write(vq->kick_fd, 1);
	}
}

static const struct bus_ops virtio_bar_ops = {
	.read = bar_read,
	.write = bar_write,
};

/*
 * 4.1.4.9: the VIRTIO_PCI_CAP_PCI_CFG window, an access to the BAR
 * through configuration space: bar, offset and length say where, and
 * pci_cfg_data holds the bytes.
 */
static bool window(struct pci_device *d, unsigned int off, unsigned int size,
		   uint32_t *where, uint32_t *len)
{
	struct virtio_pci_state *t = dev_of(d)->transport;
	unsigned int data = t->cfg_cap + VIRTIO_CAP_LEN;

	if (off >= data + 4 || off + size <= data)
		return false;
	*where = pci_config_get(d, t->cfg_cap + 8, 4);
	*len = pci_config_get(d, t->cfg_cap + 12, 4);
	return pci_config_get(d, t->cfg_cap + 4, 1) == VIRTIO_BAR &&
	       (*len == 1 || *len == 2 || *len == 4) && !(*where % *len) &&
	       *where < VIRTIO_BAR_SIZE;
}

static void config_reading(struct pci_device *d, unsigned int off, unsigned int size)
{
	struct virtio_pci_state *t = dev_of(d)->transport;
	uint32_t where, len;

	if (window(d, off, size, &where, &len))
		pci_config_set(d, t->cfg_cap + VIRTIO_CAP_LEN, len, bar_read(t, where, len));
}

static void config_written(struct pci_device *d, unsigned int off, unsigned int size)
{
	struct virtio_pci_state *t = dev_of(d)->transport;
	uint32_t where, len;

	if (window(d, off, size, &where, &len))
		bar_write(t, where, len, pci_config_get(d, t->cfg_cap + VIRTIO_CAP_LEN, len));
	/* the command register or a BAR: the notification addresses may have moved */
	if (off < 0x28 && off + size > 0x04)
		bind_ioeventfds(t);
}

static unsigned int add_cap(struct pci_device *d, uint8_t type, unsigned int len,
			    uint32_t offset, uint32_t length)
{
	unsigned int c = pci_add_capability(d, PCI_CAP_ID_VNDR, len);

	if (!c)
		return 0;
	pci_config_set(d, c + 2, 1, len);	/* cap_len */
	pci_config_set(d, c + 3, 1, type);	/* cfg_type */
	pci_config_set(d, c + 4, 1, VIRTIO_BAR);
	pci_config_set(d, c + 8, 4, offset);
	pci_config_set(d, c + 12, 4, length);
	return c;
}

static int add_caps(struct virtio_pci_state *t)
{
	struct pci_device *d = &t->v->pci;
	const struct virtio_device_ops *ops = t->v->ops;
	unsigned int c;

	if (!add_cap(d, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_CAP_LEN, COMMON_OFF, COMMON_LEN) ||
	    !add_cap(d, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_CAP_LEN, ISR_OFF, 1))
		return -ENOSPC;
	if (ops->config_size &&
	    !add_cap(d, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_CAP_LEN, DEVICE_OFF, ops->config_size))
		return -ENOSPC;
	c = add_cap(d, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_CAP_LEN + 4, NOTIFY_OFF,
		    NOTIFY_MULTIPLIER * ops->nr_queues);
	if (!c)
		return -ENOSPC;
	pci_config_set(d, c + VIRTIO_CAP_LEN, 4, NOTIFY_MULTIPLIER);
	/* the window: bar, offset, length and data are the driver's to write */
	c = add_cap(d, VIRTIO_PCI_CAP_PCI_CFG, VIRTIO_CAP_LEN + 4, 0, 0);
	if (!c)
		return -ENOSPC;
	pci_config_set(d, c + 4, 1, 0);
	pci_set_wmask(d, c + 4, 1, 0xff);
	pci_set_wmask(d, c + 8, 4, 0xffffffff);
	pci_set_wmask(d, c + 12, 4, 0xffffffff);
	pci_set_wmask(d, c + VIRTIO_CAP_LEN, 4, 0xffffffff);
	t->cfg_cap = c;
	return 0;
}

static const char *const names[] = {
	[VIRTIO_ID_NET] = "virtio-net",
	[VIRTIO_ID_BLOCK] = "virtio-blk",
	[VIRTIO_ID_RNG] = "virtio-rng",
};

/* 4.1.2.1: class codes as the driver's other tools expect them */
static uint32_t class_code(uint16_t id)
{
	switch (id) {
	case VIRTIO_ID_NET:
		return 0x020000;	/* network controller, Ethernet */
	case VIRTIO_ID_BLOCK:
		return 0x010000;	/* mass storage, SCSI */
	default:
		return 0xff0000;	/* unassigned class */
	}
}

static int init_queues(struct virtio_device *v)
{
	const struct virtio_device_ops *ops = v->ops;
	unsigned int i;

	v->queues = calloc(ops->nr_queues, sizeof(*v->queues));
	if (!v->queues)
		return -ENOMEM;
	for (i = 0; i < ops->nr_queues; i++) {
		struct virtqueue *vq = &v->queues[i];

		vq->vdev = v;
		vq->index = i;
		vq->size = ops->queue_size;
		vq->msix_vector = VIRTIO_MSI_NO_VECTOR;
		vq->broken = true;
		vq->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		vq->call_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (vq->kick_fd < 0 || vq->call_fd < 0)
			return -errno;
	}
	return 0;
}

int virtio_pci_register(struct vmon_machine *m, struct virtio_device *v)
{
	const struct virtio_device_ops *ops = v->ops;
	struct pci_device *d = &v->pci;
	struct virtio_pci_state *t;
	int ret;

	if (!ops->nr_queues || ops->nr_queues > 0xfff || !ops->queue_size ||
	    ops->queue_size > VIRTQ_MAX_SIZE || (ops->queue_size & (ops->queue_size - 1)) ||
	    ops->config_size > DEVICE_MAX || NOTIFY_MULTIPLIER * ops->nr_queues > 0x1000)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->m = m;
	t->v = v;
	t->offered = ops->features | (1ull << VIRTIO_F_VERSION_1) |
		     (1ull << VIRTIO_F_RING_INDIRECT_DESC) | (1ull << VIRTIO_F_RING_EVENT_IDX);
	t->msix_config = VIRTIO_MSI_NO_VECTOR;
	t->nr_vectors = ops->nr_queues + 1;
	v->transport = t;
	ret = init_queues(v);
	if (ret)
		return ret;

	d->name = "virtio";
	if (ops->device_id < ARRAY_SIZE(names) && names[ops->device_id])
		d->name = names[ops->device_id];
	d->vendor_id = PCI_VENDOR_ID_REDHAT_QUMRANET;
	d->device_id = VIRTIO_PCI_DEVICE_ID_BASE + ops->device_id;
	d->subsystem_vendor_id = PCI_VENDOR_ID_REDHAT_QUMRANET;
	d->subsystem_id = v->subsystem_id ? v->subsystem_id : ops->device_id;
	d->revision = 1;	/* 4.1.2.1: a modern-only device */
	d->class_code = class_code(ops->device_id);
	d->has_intx = true;
	d->bars[VIRTIO_BAR] = (struct pci_bar){
		.kind = PCI_BAR_MEM32, .size = VIRTIO_BAR_SIZE, .ops = &virtio_bar_ops, .dev = t,
	};
	d->config_written = config_written;
	d->config_reading = config_reading;
	d->msix_changed = msix_changed;
	ret = pci_msix_init(d, MSIX_BAR, t->nr_vectors);
	if (ret)
		return ret;
	ret = pci_device_register(m, d);
	if (ret)
		return ret;
	return add_caps(t);
}
