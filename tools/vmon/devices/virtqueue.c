// SPDX-License-Identifier: GPL-2.0-only
/*
 * Split virtqueues (virtio 1.2 section 2.7), device side.
 *
 * The rings live in guest RAM, written by a driver running on vCPUs on
 * other host CPUs while the device thread reads them, and the driver
 * may be hostile: every index is checked against the queue size, every
 * buffer must lie wholly inside guest RAM (machine_gpa_to_hva() checks
 * without overflow), a chain is bounded by the queue size, by its
 * indirect table and by VIRTQ_MAX_SEGS, and each descriptor is copied
 * once into a local before it is looked at, so that a driver changing
 * it meanwhile changes nothing we already checked.  A broken ring makes
 * virtqueue_pop() return -EIO and the device DEVICE_NEEDS_RESET (2.1.2).
 *
 * Ordering (2.7.7, 2.7.13): the driver writes the ring entries and
 * descriptors before it increments avail->idx (with a write barrier),
 * so avail->idx is read with acquire order before them; the device
 * writes the used ring element before used->idx, which it stores with
 * release order.  The interrupt decision reads avail->flags or
 * used_event after the used->idx store, and the "kick me again"
 * decision reads avail->idx after storing used->flags or avail_event:
 * each is a store followed by a load of another location, which needs a
 * full fence (the driver has the mirror-image fence on its side).
 */
#include <errno.h>
#include <string.h>

#include "../machine.h"
#include "virtio_priv.h"

/* vring_need_event(): has new passed event since old?  2.7.10, on 16 bits */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

static uint16_t *used_event(struct virtqueue *vq)
{
	return &vq->avail->ring[vq->num];
}

static uint16_t *avail_event(struct virtqueue *vq)
{
	return (uint16_t *)&vq->used->ring[vq->num];
}

bool virtqueue_setup(struct virtqueue *vq, uint64_t features)
{
	struct vmon_machine *m = vq->vdev->pci.machine;
	uint64_t n = vq->size;

	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
	vq->num = vq->size;
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->signalled_used = 0;
	vq->used_flags = 0;
	vq->event_idx = features & (1ull << VIRTIO_F_RING_EVENT_IDX);
	vq->indirect = features & (1ull << VIRTIO_F_RING_INDIRECT_DESC);
	vq->broken = true;
	/* alignments and sizes: the table of 2.7 (16, 2, 4; 16n, 6 + 2n, 6 + 8n) */
	if (!n || (n & (n - 1)) || vq->desc_gpa % 16 || vq->driver_gpa % 2 ||
	    vq->device_gpa % 4)
		return false;
	vq->desc = machine_gpa_to_hva(m, vq->desc_gpa, 16 * n);
	vq->avail = machine_gpa_to_hva(m, vq->driver_gpa, 6 + 2 * n);
	vq->used = machine_gpa_to_hva(m, vq->device_gpa, 6 + 8 * n);
	if (!vq->desc || !vq->avail || !vq->used)
		return false;
	vq->broken = false;
	return true;
}

/* the driver broke the ring: stop using it, tell the driver (2.1.2) */
static int ring_broken(struct virtqueue *vq)
{
	vq->broken = true;
	virtio_needs_reset(vq->vdev);
	return -EIO;
}

/* one buffer of a chain: in guest RAM, readable ones before writable ones */
static bool add_buffer(struct virtqueue *vq, struct virtq_elem *elem,
		       const struct virtq_desc *d)
{
	struct vmon_machine *m = vq->vdev->pci.machine;
	unsigned int i = elem->nr_out + elem->nr_in;
	void *hva;

	if (i >= VIRTQ_MAX_SEGS)
		return false;
	hva = machine_gpa_to_hva(m, d->addr, d->len);
	if (!hva)
		return false;
	elem->iov[i].iov_base = hva;
	elem->iov[i].iov_len = d->len;
	if (d->flags & VIRTQ_DESC_F_WRITE) {
		elem->nr_in++;
		elem->in_len += d->len;
	} else {
		if (elem->nr_in)
			return false;	/* 2.7.4.2: writable ones come last */
		elem->nr_out++;
		elem->out_len += d->len;
	}
	return true;
}

/*
 * Walk the chain at head into elem.  The direct chain is bounded by the
 * queue size, an indirect one by its table (2.7.5.3.1: at most one
 * indirect table, which neither chains on nor holds another).
 */
static bool walk_chain(struct virtqueue *vq, uint16_t head, struct virtq_elem *elem)
{
	struct vmon_machine *m = vq->vdev->pci.machine;
	const struct virtq_desc *table = vq->desc;
	unsigned int max = vq->num, seen = 0, idx = head;
	bool in_indirect = false;
	struct virtq_desc d;

	elem->head = head;
	elem->nr_out = 0;
	elem->nr_in = 0;
	elem->out_len = 0;
	elem->in_len = 0;
	for (;;) {
		if (idx >= max || ++seen > max)
			return false;
		memcpy(&d, &table[idx], sizeof(d));	/* once: the driver may change it */
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (!vq->indirect || in_indirect || (d.flags & VIRTQ_DESC_F_NEXT) ||
			    !d.len || d.len % sizeof(d))
				return false;
			table = machine_gpa_to_hva(m, d.addr, d.len);
			if (!table)
				return false;
			max = d.len / sizeof(d);
			in_indirect = true;
			idx = 0;
			seen = 0;
			continue;
		}
		if (!add_buffer(vq, elem, &d))
			return false;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return true;
		idx = d.next;
	}
}

int virtqueue_pop(struct virtqueue *vq, struct virtq_elem *elem)
{
	uint16_t avail_idx, head;

	if (vq->broken)
		return -EIO;
	avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	if (avail_idx == vq->last_avail)
		return 0;
	/* 2.7.13.3: the driver never runs more than a queue ahead */
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->num)
		return ring_broken(vq);
	head = __atomic_load_n(&vq->avail->ring[vq->last_avail % vq->num], __ATOMIC_RELAXED);
	if (!walk_chain(vq, head, elem))
		return ring_broken(vq);
	vq->last_avail++;
	/* 2.7.10: with EVENT_IDX, avail_event tells how far we have looked */
	if (vq->event_idx && !(vq->used_flags & VIRTQ_USED_F_NO_NOTIFY))
		__atomic_store_n(avail_event(vq), vq->last_avail, __ATOMIC_RELAXED);
	return 1;
}

void virtqueue_push(struct virtqueue *vq, const struct virtq_elem *elem, uint32_t len)
{
	struct virtq_used_elem *e;

	if (vq->broken)
		return;
	if (len > elem->in_len)
		len = elem->in_len;	/* 2.7.8.2: never more than the writable bytes */
	e = &vq->used->ring[vq->used_idx % vq->num];
	__atomic_store_n(&e->id, elem->head, __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, len, __ATOMIC_RELAXED);
	vq->used_idx++;
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
}

void virtqueue_notify(struct virtqueue *vq)
{
	uint16_t old = vq->signalled_used, new_idx = vq->used_idx;
	bool need;

	if (vq->broken || old == new_idx)
		return;
	/* the used->idx store before the load of flags or used_event (2.7.7.2) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->event_idx)
		need = need_event(__atomic_load_n(used_event(vq), __ATOMIC_RELAXED),
				  new_idx, old);
	else
		need = !(__atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED) &
			 VIRTQ_AVAIL_F_NO_INTERRUPT);
	vq->signalled_used = new_idx;
	if (need)
		virtio_pci_queue_interrupt_unlocked(vq);
}

bool virtqueue_enable_kick(struct virtqueue *vq)
{
	if (vq->broken)
		return false;
	vq->used_flags &= ~VIRTQ_USED_F_NO_NOTIFY;
	if (vq->event_idx)
		__atomic_store_n(avail_event(vq), vq->last_avail, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&vq->used->flags, vq->used_flags, __ATOMIC_RELAXED);
	/* the store above before the load of avail->idx (2.7.10) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) != vq->last_avail;
}

/*
 * With EVENT_IDX the driver kicks only when it passes avail_event, which
 * we stop moving (virtqueue_pop()); without it, VIRTQ_USED_F_NO_NOTIFY.
 */
void virtqueue_disable_kick(struct virtqueue *vq)
{
	if (vq->broken)
		return;
	vq->used_flags |= VIRTQ_USED_F_NO_NOTIFY;
	if (!vq->event_idx)
		__atomic_store_n(&vq->used->flags, vq->used_flags, __ATOMIC_RELAXED);
}

bool virtqueue_enabled(const struct virtqueue *vq)
{
	return vq->enabled;
}

int virtqueue_kick_fd(const struct virtqueue *vq)
{
	return vq->kick_fd;
}

/* the loop of virtq_iov_to_buf() and virtq_buf_to_iov(): to_iov picks the direction */
static size_t iov_copy(const struct iovec *iov, unsigned int n, uint64_t off, void *buf,
		       size_t len, bool to_iov)
{
	size_t done = 0, chunk;

	for (; n && done < len; iov++, n--) {
		if (off >= iov->iov_len) {
			off -= iov->iov_len;
			continue;
		}
		chunk = iov->iov_len - off;
		if (chunk > len - done)
			chunk = len - done;
		if (to_iov)
			memcpy((char *)iov->iov_base + off, (char *)buf + done, chunk);
		else
			memcpy((char *)buf + done, (char *)iov->iov_base + off, chunk);
		done += chunk;
		off = 0;
	}
	return done;
}

size_t virtq_iov_to_buf(const struct iovec *iov, unsigned int n, uint64_t off, void *buf,
			size_t len)
{
	return iov_copy(iov, n, off, buf, len, false);
}

size_t virtq_buf_to_iov(const struct iovec *iov, unsigned int n, uint64_t off,
			const void *buf, size_t len)
{
	return iov_copy(iov, n, off, (void *)buf, len, true);
}
