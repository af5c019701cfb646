/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio 1.2 devices over PCI (devices/virtio_pci.c: the transport of
 * virtio 1.2 section 4.1, modern only) and their split virtqueues
 * (devices/virtqueue.c: section 2.7), as a device model sees them.
 *
 * A device model (virtio_blk.c, virtio_net.c, virtio_rng.c) embeds a
 * struct virtio_device, fills in ops, and calls virtio_pci_register()
 * from its attach function.  The transport owns the PCI function, the
 * feature negotiation, the device status, the queue registers and the
 * interrupts (MSI-X, INTx with the ISR register as a fallback).  The
 * device owns what happens to a request: it runs its own thread(s),
 * which wait on each queue's kick eventfd, take requests with
 * virtqueue_pop(), return them with virtqueue_push() and interrupt the
 * driver with virtqueue_notify().
 *
 * The kick eventfd is signalled either by the transport (a vCPU thread
 * that took an MMIO exit on the notification address) or, when the
 * module offers it, by the kernel itself (VMON_IOEVENTFD): the guest is
 * resumed at once and the vCPU thread never sees the write.
 *
 * Locking (Documentation/locking.rst, "vmon run"):
 * - The transport's registers and the queue configuration are guarded
 *   by the machine's device lock, like every device's state.  ops
 *   callbacks run with it held and must not block.
 * - Between ops->start() and ops->reset(), a queue's rings belong to the
 *   device's thread(s): virtqueue_pop/push/enable_kick are called from
 *   there, without the device lock, one thread per queue.
 * - virtqueue_notify(), virtio_needs_reset(), virtio_config_changed()
 *   and virtio_reset_done() take the device lock themselves: call them
 *   without it, and without any lock of the device's own that a
 *   callback made under the device lock would take (the device lock
 *   comes first).
 * - Reset is asynchronous: ops->reset() tells the threads to stop and
 *   returns; the device_status register reads back non-zero (virtio 1.2
 *   2.4.1: the driver waits for 0) until the device calls
 *   virtio_reset_done(), once no thread touches the rings any more.
 */
#ifndef VMON_VIRTIO_H
#define VMON_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "pci.h"

/* device IDs, virtio 1.2 section 5 */
#define VIRTIO_ID_NET		1
#define VIRTIO_ID_BLOCK		2
#define VIRTIO_ID_RNG		4

/* reserved feature bits, virtio 1.2 section 6 */
#define VIRTIO_F_RING_INDIRECT_DESC	28
#define VIRTIO_F_RING_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32

/* the longest chain a device sees: longer ones break the ring */
#define VIRTQ_MAX_SEGS		1024
#define VIRTQ_MAX_SIZE		1024	/* largest queue size offered */

struct virtio_device;
struct virtqueue;

/*
 * One request: the chain starting at descriptor head, its
 * device-readable buffers first (iov[0 .. nr_out)), then its
 * device-writable ones (iov[nr_out .. nr_out + nr_in)), translated to
 * host addresses inside guest RAM.
 */
struct virtq_elem {
	uint16_t head;
	unsigned int nr_out;
	unsigned int nr_in;
	uint64_t out_len;	/* bytes in the readable buffers */
	uint64_t in_len;	/* bytes in the writable buffers */
	struct iovec iov[VIRTQ_MAX_SEGS];
};

struct virtio_device_ops {
	uint16_t device_id;	/* VIRTIO_ID_*; the PCI device ID is 0x1040 + it */
	uint16_t nr_queues;
	uint16_t queue_size;	/* the maximum offered, a power of two <= VIRTQ_MAX_SIZE */
	/*
	 * The device-specific feature bits offered; the transport adds
	 * VERSION_1, RING_INDIRECT_DESC and RING_EVENT_IDX.
	 */
	uint64_t features;
	uint32_t config_size;	/* bytes of device-specific configuration */
	/* the driver reads or writes device configuration; device lock held */
	void (*config_read)(struct virtio_device *v, unsigned int offset, void *data,
			    unsigned int len);
	void (*config_write)(struct virtio_device *v, unsigned int offset, const void *data,
			     unsigned int len);
	/*
	 * Feature negotiation ended (FEATURES_OK): return false to refuse
	 * the set the driver accepted (the transport then clears
	 * FEATURES_OK).  May be NULL.  Device lock held.
	 */
	bool (*features_ok)(struct virtio_device *v, uint64_t features);
	/* DRIVER_OK: the enabled queues are ready; wake the threads.  Device lock held. */
	void (*start)(struct virtio_device *v);
	/*
	 * The driver reset the device, or the device needs reset and the
	 * driver reset it: stop touching the rings and call
	 * virtio_reset_done() once no thread does (possibly before
	 * returning).  Only after ops->start(): a reset before DRIVER_OK
	 * has nothing to stop and completes at once, without this call.
	 * Device lock held; must not block.
	 */
	void (*reset)(struct virtio_device *v);
};

struct virtio_device {
	/* filled in by the device model */
	const struct virtio_device_ops *ops;
	void *priv;				/* the device model's state */
	uint16_t subsystem_id;			/* 0: the device ID */

	/* the transport's; read-only for the device once registered */
	struct pci_device pci;
	struct virtqueue *queues;		/* ops->nr_queues of them */
	struct virtio_pci_state *transport;	/* private to virtio_pci.c */
};

/* Register v's PCI function at attach time; 0 or -errno. */
int virtio_pci_register(struct vmon_machine *m, struct virtio_device *v);

/* queue index of v */
struct virtqueue *virtio_queue(struct virtio_device *v, unsigned int index);
/* the features the driver accepted; stable from ops->start() on */
uint64_t virtio_features(const struct virtio_device *v);
static inline bool virtio_has_feature(const struct virtio_device *v, unsigned int bit)
{
	return virtio_features(v) & (1ull << bit);
}

/* the driver enabled queue vq (queue_enable) before DRIVER_OK */
bool virtqueue_enabled(const struct virtqueue *vq);
/*
 * The eventfd the driver's notifications for vq signal: the device's
 * thread polls it for POLLIN and reads it to clear it.  Valid from
 * registration to the end of the run.
 */
int virtqueue_kick_fd(const struct virtqueue *vq);

/*
 * Take the next available request: 1 (elem filled in), 0 (none
 * available), -EIO when the driver broke the ring (an index out of
 * range, a loop, a buffer outside guest RAM, a chain longer than
 * VIRTQ_MAX_SEGS or with readable after writable buffers): the device
 * is then marked as needing reset and the caller stops using it.
 */
int virtqueue_pop(struct virtqueue *vq, struct virtq_elem *elem);
/*
 * Return elem to the driver with len bytes written to its writable
 * buffers (the used ring, virtio 1.2 2.7.8).
 */
void virtqueue_push(struct virtqueue *vq, const struct virtq_elem *elem, uint32_t len);
/*
 * After one or more pushes: interrupt the driver unless it asked not to
 * be (VIRTQ_AVAIL_F_NO_INTERRUPT, or used_event with EVENT_IDX, 2.7.10).
 */
void virtqueue_notify(struct virtqueue *vq);
/*
 * Before the thread sleeps on the kick eventfd: ask the driver to kick
 * again (clear VIRTQ_USED_F_NO_NOTIFY, or set avail_event), then look
 * again: true when requests arrived meanwhile (pop them, do not sleep).
 * virtqueue_disable_kick(): while the thread is busy, the driver need
 * not kick.
 */
bool virtqueue_enable_kick(struct virtqueue *vq);
void virtqueue_disable_kick(struct virtqueue *vq);

/*
 * Copy between a request's buffers and a flat buffer: len bytes at
 * offset off of iov[0 .. n) into buf, or from buf into them.  Returns
 * the bytes copied, fewer when the buffers end first.
 */
size_t virtq_iov_to_buf(const struct iovec *iov, unsigned int n, uint64_t off, void *buf,
			size_t len);
size_t virtq_buf_to_iov(const struct iovec *iov, unsigned int n, uint64_t off,
			const void *buf, size_t len);

/* the device found the driver broke its contract: DEVICE_NEEDS_RESET */
void virtio_needs_reset(struct virtio_device *v);
/* the device configuration changed (link status): configuration interrupt */
void virtio_config_changed(struct virtio_device *v);
/* after ops->reset(): no thread touches the rings any more */
void virtio_reset_done(struct virtio_device *v);

#endif /* VMON_VIRTIO_H */
