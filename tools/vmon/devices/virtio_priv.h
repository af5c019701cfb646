/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the virtio PCI transport (virtio_pci.c) and the split virtqueue
 * (virtqueue.c) share, and no device model sees.
 */
#ifndef VMON_VIRTIO_PRIV_H
#define VMON_VIRTIO_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio.h"

#define VIRTIO_MSI_NO_VECTOR	0xffff

/* device status bits, virtio 1.2 section 2.1 */
#define VIRTIO_STATUS_ACKNOWLEDGE	0x01
#define VIRTIO_STATUS_DRIVER		0x02
#define VIRTIO_STATUS_DRIVER_OK		0x04
#define VIRTIO_STATUS_FEATURES_OK	0x08
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

/* split virtqueue layout, virtio 1.2 sections 2.7.5, 2.7.6 and 2.7.8 */
#define VIRTQ_DESC_F_NEXT	1
#define VIRTQ_DESC_F_WRITE	2
#define VIRTQ_DESC_F_INDIRECT	4
#define VIRTQ_AVAIL_F_NO_INTERRUPT	1
#define VIRTQ_USED_F_NO_NOTIFY		1

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* queue size entries, then used_event */
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];	/* queue size entries, then avail_event */
};

/*
 * One queue.  The registers are guarded by the device lock; the ring
 * state is the device thread's between ops->start() and ops->reset()
 * (virtqueue_setup() fills it in under the device lock before start).
 */
struct virtqueue {
	struct virtio_device *vdev;	/* set once */
	unsigned int index;		/* set once */
	int kick_fd;			/* eventfd, set once */

	/* registers (virtio 1.2 4.1.4.3), device lock */
	uint16_t size;
	uint16_t msix_vector;
	bool enabled;
	uint64_t desc_gpa;
	uint64_t driver_gpa;
	uint64_t device_gpa;
	uint64_t ioeventfd_addr;	/* registered with the kernel, 0: none */
	/*
	 * The queue's MSI-X vector bound to call_fd through the irqfd hook
	 * (VMON_IRQFD): written under the device lock, read by the device
	 * thread without it (virtqueue_notify()).
	 */
	int call_fd;			/* eventfd, set once */
	bool irqfd;
	uint64_t irqfd_addr;		/* the message bound, device lock */
	uint32_t irqfd_data;

	/* ring state: the device thread's */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t num;			/* the queue size in use */
	uint16_t last_avail;		/* the next avail ring entry to take */
	uint16_t used_idx;		/* our copy of used->idx */
	uint16_t signalled_used;	/* used_idx at the last interrupt decision */
	uint16_t used_flags;		/* our copy of used->flags */
	bool event_idx;			/* VIRTIO_F_RING_EVENT_IDX negotiated */
	bool indirect;			/* VIRTIO_F_RING_INDIRECT_DESC negotiated */
	bool broken;			/* the driver broke the ring: -EIO */
};

/*
 * Translate the rings of vq for the device thread at DRIVER_OK; false
 * when they are not wholly inside guest RAM or misaligned.  Device lock
 * held.
 */
bool virtqueue_setup(struct virtqueue *vq, uint64_t features);
/* the queue interrupt of vq (MSI-X vector or ISR + INTx); device lock held */
void virtio_pci_queue_interrupt(struct virtqueue *vq);
/* and without the device lock: through the irqfd when bound, else the above */
void virtio_pci_queue_interrupt_unlocked(struct virtqueue *vq);

#endif /* VMON_VIRTIO_PRIV_H */
