// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the split virtqueue (devices/virtqueue.c): chains,
 * indirect tables, interrupt and notification suppression with and
 * without EVENT_IDX (16-bit wrap included), every way a hostile driver
 * can break the ring (each: -EIO, DEVICE_NEEDS_RESET with its
 * configuration interrupt, nothing written to guest RAM, nothing read
 * or written outside it: guard pages), and a seeded random-ring fuzz
 * loop checked against a reference walk written here.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "virtio_util.h"

#define VIRTIO_ISR_CONFIG_BIT	2

FIXTURE(vq) {
	struct vt t;
	struct virtq_elem *elem;
	struct virtqueue *vq;
	uint8_t *snap;
};

FIXTURE_SETUP(vq)
{
	ASSERT_EQ(0, vt_init(&self->t));
	self->elem = calloc(1, sizeof(*self->elem));
	self->snap = malloc(VT_RAM_SIZE);
	ASSERT_NE(NULL, self->elem);
	ASSERT_NE(NULL, self->snap);
	ASSERT_EQ(VIRTIO_STATUS_DRIVER_OK,
		  vt_driver_init(&self->t, VT_F_BASE | (1ull << VIRTIO_F_RING_INDIRECT_DESC)) &
		  (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_NEEDS_RESET));
	self->vq = virtio_queue(&self->t.v, 0);
	ASSERT_NE(NULL, self->vq);
}

FIXTURE_TEARDOWN(vq)
{
	free(self->elem);
	free(self->snap);
	vt_fini(&self->t);
}

/*
 * The driver broke the ring: -EIO, and again after; DEVICE_NEEDS_RESET
 * with a configuration interrupt (INTx and ISR bit 1 here); and guest
 * RAM exactly as it was.
 */
static void assert_broken(struct __test_metadata *_metadata, FIXTURE_DATA(vq) *self)
{
	memcpy(self->snap, self->t.ram, VT_RAM_SIZE);
	ASSERT_EQ(-EIO, virtqueue_pop(self->vq, self->elem));
	EXPECT_EQ(0, memcmp(self->snap, self->t.ram, VT_RAM_SIZE));
	EXPECT_TRUE(vt_status(&self->t) & VIRTIO_STATUS_NEEDS_RESET);
	EXPECT_TRUE(self->t.v.pci.intx_level);
	EXPECT_EQ(VIRTIO_ISR_CONFIG_BIT, vt_rd(&self->t, VT_ISR, 1));
	EXPECT_EQ(-EIO, virtqueue_pop(self->vq, self->elem));
	/* the driver resets and starts over: the queue works again */
	ASSERT_EQ(VIRTIO_STATUS_DRIVER_OK,
		  vt_driver_init(&self->t, VT_F_BASE) &
		  (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_NEEDS_RESET));
	memset(vt_avail(&self->t, 0), 0, 64);
	vt_set_desc(&vt_desc(&self->t, 0)[0], VT_DATA, 8, 0, 0);
	vt_kick(&self->t, 0, 0);
	EXPECT_EQ(1, virtqueue_pop(self->vq, self->elem));
}

TEST_F(vq, chain_of_readable_then_writable_buffers)
{
	struct virtq_desc *d = vt_desc(&self->t, 0);
	struct virtq_used *u = vt_used(&self->t, 0);

	EXPECT_EQ(0, virtqueue_pop(self->vq, self->elem));
	vt_set_desc(&d[3], VT_DATA, 16, VIRTQ_DESC_F_NEXT, 7);
	vt_set_desc(&d[7], VT_DATA + 0x100, 8, VIRTQ_DESC_F_NEXT, 1);
	vt_set_desc(&d[1], VT_DATA + 0x200, 32, VIRTQ_DESC_F_WRITE, 9);	/* no NEXT: ends */
	vt_kick(&self->t, 0, 3);
	ASSERT_EQ(1, virtqueue_pop(self->vq, self->elem));
	EXPECT_EQ(3, self->elem->head);
	EXPECT_EQ(2, self->elem->nr_out);
	EXPECT_EQ(1, self->elem->nr_in);
	EXPECT_EQ(24, self->elem->out_len);
	EXPECT_EQ(32, self->elem->in_len);
	EXPECT_EQ(self->t.ram + VT_DATA, self->elem->iov[0].iov_base);
	EXPECT_EQ(8, self->elem->iov[1].iov_len);
	EXPECT_EQ(self->t.ram + VT_DATA + 0x200, self->elem->iov[2].iov_base);
	EXPECT_EQ(0, virtqueue_pop(self->vq, self->elem));

	/* never more than the writable bytes (2.7.8.2) */
	virtqueue_push(self->vq, self->elem, 100);
	EXPECT_EQ(1, u->idx);
	EXPECT_EQ(3, u->ring[0].id);
	EXPECT_EQ(32, u->ring[0].len);
	EXPECT_FALSE(self->t.v.pci.intx_level);
	virtqueue_notify(self->vq);
	EXPECT_TRUE(self->t.v.pci.intx_level);
	EXPECT_EQ(1, vt_rd(&self->t, VT_ISR, 1));	/* queue interrupt; read clears */
	EXPECT_FALSE(self->t.v.pci.intx_level);
	EXPECT_EQ(0, vt_rd(&self->t, VT_ISR, 1));
	/* nothing new pushed: no interrupt */
	virtqueue_notify(self->vq);
	EXPECT_FALSE(self->t.v.pci.intx_level);
}

TEST_F(vq, indirect_table)
{
	struct virtq_desc *ind = (struct virtq_desc *)(self->t.ram + VT_INDIRECT);

	/* the WRITE flag of the indirect descriptor itself means nothing (2.7.5.3.2) */
	vt_set_desc(&vt_desc(&self->t, 0)[5], VT_INDIRECT, 3 * 16,
		    VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	vt_set_desc(&ind[0], VT_DATA, 10, VIRTQ_DESC_F_NEXT, 2);
	vt_set_desc(&ind[2], VT_DATA + 0x40, 20, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	vt_set_desc(&ind[1], VT_DATA + 0x80, 30, VIRTQ_DESC_F_WRITE, 0);
	vt_kick(&self->t, 0, 5);
	ASSERT_EQ(1, virtqueue_pop(self->vq, self->elem));
	EXPECT_EQ(5, self->elem->head);
	EXPECT_EQ(1, self->elem->nr_out);
	EXPECT_EQ(2, self->elem->nr_in);
	EXPECT_EQ(10, self->elem->out_len);
	EXPECT_EQ(50, self->elem->in_len);
	EXPECT_EQ(self->t.ram + VT_DATA + 0x80, self->elem->iov[2].iov_base);
}

/* a chain of the whole queue is fine; one more descriptor is a loop */
TEST_F(vq, longest_direct_chain)
{
	struct virtq_desc *d = vt_desc(&self->t, 0);
	unsigned int i;

	for (i = 0; i < VT_QSIZE; i++)
		vt_set_desc(&d[i], VT_DATA + i, 1, i + 1 < VT_QSIZE ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	vt_kick(&self->t, 0, 0);
	ASSERT_EQ(1, virtqueue_pop(self->vq, self->elem));
	EXPECT_EQ(VT_QSIZE, self->elem->nr_out);
}

TEST_F(vq, interrupt_suppression_without_event_idx)
{
	struct virtq_avail *a = vt_avail(&self->t, 0);

	vt_set_desc(&vt_desc(&self->t, 0)[0], VT_DATA, 8, VIRTQ_DESC_F_WRITE, 0);
	a->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	vt_kick(&self->t, 0, 0);
	ASSERT_EQ(1, virtqueue_pop(self->vq, self->elem));
	virtqueue_push(self->vq, self->elem, 8);
	virtqueue_notify(self->vq);
	EXPECT_FALSE(self->t.v.pci.intx_level);
	a->flags = 0;
	vt_kick(&self->t, 0, 0);
	ASSERT_EQ(1, virtqueue_pop(self->vq, self->elem));
	virtqueue_push(self->vq, self->elem, 8);
	virtqueue_notify(self->vq);
	EXPECT_TRUE(self->t.v.pci.intx_level);
}

TEST_F(vq, kick_suppression_without_event_idx)
{
	struct virtq_used *u = vt_used(&self->t, 0);

	virtqueue_disable_kick(self->vq);
	EXPECT_EQ(VIRTQ_USED_F_NO_NOTIFY, u->flags);
	EXPECT_FALSE(virtqueue_enable_kick(self->vq));
	EXPECT_EQ(0, u->flags);
	virtqueue_disable_kick(self->vq);
	vt_set_desc(&vt_desc(&self->t, 0)[0], VT_DATA, 8, 0, 0);
	vt_kick(&self->t, 0, 0);
	EXPECT_TRUE(virtqueue_enable_kick(self->vq));	/* arrived meanwhile: do not sleep */
	EXPECT_EQ(0, u->flags);
}

/* 2.7.10: used_event and avail_event across the 16-bit wrap */
TEST_F(vq, event_idx_across_the_wrap)
{
	struct virtqueue *vq = self->vq;
	struct virtq_avail *a = vt_avail(&self->t, 0);
	struct virtq_used *u = vt_used(&self->t, 0);
	uint16_t *used_event = &a->ring[VT_QSIZE];
	uint16_t *avail_event = (uint16_t *)&u->ring[VT_QSIZE];
	unsigned int i;

	ASSERT_EQ(VIRTIO_STATUS_DRIVER_OK, vt_driver_init(&self->t, VT_F_ALL) & 0x44);
	for (i = 0; i < VT_QSIZE; i++)
		vt_set_desc(&vt_desc(&self->t, 0)[i], VT_DATA, 8, VIRTQ_DESC_F_WRITE, 0);
	/* as if 0xfffe requests had gone round already */
	vq->last_avail = 0xfffe;
	vq->used_idx = 0xfffe;
	vq->signalled_used = 0xfffe;
	a->idx = 0xfffe;
	u->idx = 0xfffe;
	vt_kick(&self->t, 0, 0);
	vt_kick(&self->t, 0, 1);
	vt_kick(&self->t, 0, 2);
	EXPECT_EQ(1, a->idx);

	/* the driver wants an interrupt once used idx passes 0xffff */
	*used_event = 0xffff;
	ASSERT_EQ(1, virtqueue_pop(vq, self->elem));
	EXPECT_EQ(0xffff, *avail_event);	/* how far the device has looked */
	virtqueue_push(vq, self->elem, 8);
	virtqueue_notify(vq);			/* used idx 0xffff: not passed yet */
	EXPECT_FALSE(self->t.v.pci.intx_level);
	ASSERT_EQ(1, virtqueue_pop(vq, self->elem));
	virtqueue_push(vq, self->elem, 8);
	EXPECT_EQ(0, u->idx);
	virtqueue_notify(vq);			/* 0xffff -> 0: passed */
	EXPECT_TRUE(self->t.v.pci.intx_level);
	EXPECT_EQ(1, vt_rd(&self->t, VT_ISR, 1));
	/* used_event still 0xffff: far behind, no more interrupts */
	ASSERT_EQ(1, virtqueue_pop(vq, self->elem));
	virtqueue_push(vq, self->elem, 8);
	virtqueue_notify(vq);
	EXPECT_FALSE(self->t.v.pci.intx_level);
	/* two pushes, one decision: used_event inside the batch */
	vt_kick(&self->t, 0, 3);
	vt_kick(&self->t, 0, 4);
	*used_event = 1;
	ASSERT_EQ(1, virtqueue_pop(vq, self->elem));
	virtqueue_push(vq, self->elem, 8);
	ASSERT_EQ(1, virtqueue_pop(vq, self->elem));
	virtqueue_push(vq, self->elem, 8);
	EXPECT_EQ(3, u->idx);
	virtqueue_notify(vq);
	EXPECT_TRUE(self->t.v.pci.intx_level);

	/* enable_kick: avail_event where the device stands, and a last look */
	EXPECT_FALSE(virtqueue_enable_kick(vq));
	EXPECT_EQ(3, *avail_event);
	vt_kick(&self->t, 0, 5);
	EXPECT_TRUE(virtqueue_enable_kick(vq));
}

/* ---------------------------------------------- a hostile driver */

TEST_F(vq, head_out_of_range)
{
	vt_kick(&self->t, 0, VT_QSIZE);
	assert_broken(_metadata, self);
}

TEST_F(vq, next_out_of_range)
{
	vt_set_desc(&vt_desc(&self->t, 0)[0], VT_DATA, 8, VIRTQ_DESC_F_NEXT, VT_QSIZE);
	vt_kick(&self->t, 0, 0);
	assert_broken(_metadata, self);
}

TEST_F(vq, loop)
{
	vt_set_desc(&vt_desc(&self->t, 0)[0], VT_DATA, 8, VIRTQ_DESC_F_NEXT, 1);
	vt_set_desc(&vt_desc(&self->t, 0)[1], VT_DATA, 8, VIRTQ_DESC_F_NEXT, 0);
	vt_kick(&self->t, 0, 0);
	assert_broken(_metadata, self);
}

TEST_F(vq, self_loop)
{
	vt_set_desc(&vt_desc(&self->t, 0)[4], VT_DATA, 8, VIRTQ_DESC_F_NEXT, 4);
	vt_kick(&self->t, 0, 4);
	assert_broken(_metadata, self);
}

TEST_F(vq, buffer_past_the_end_of_ram)
{
	vt_set_desc(&vt_desc(&self->t, 0)[0], VT_RAM_SIZE - 4, 8, 0, 0);
	vt_kick(&self->t, 0, 0);
	assert_broken(_metadata, self);
}

TEST_F(vq, buffer_address_wraps)
{
	vt_set_desc(&vt_desc(&self->t, 0)[0], ~0ull - 3, 16, VIRTQ_DESC_F_WRITE, 0);
	vt_kick(&self->t, 0, 0);
	assert_broken(_metadata, self);
}

TEST_F(vq, absurd_length)
{
	vt_set_desc(&vt_desc(&self->t, 0)[0], VT_DATA, 0xffffffff, VIRTQ_DESC_F_WRITE, 0);
	vt_kick(&self->t, 0, 0);
	assert_broken(_metadata, self);
}

TEST_F(vq, avail_idx_more_than_a_queue_ahead)
{
	vt_set_desc(&vt_desc(&self->t, 0)[0], VT_DATA, 8, 0, 0);
	vt_avail(&self->t, 0)->idx = VT_QSIZE + 1;
	assert_broken(_metadata, self);
}

TEST_F(vq, readable_after_writable)
{
	vt_set_desc(&vt_desc(&self->t, 0)[0], VT_DATA, 8,
		    VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	vt_set_desc(&vt_desc(&self->t, 0)[1], VT_DATA, 8, 0, 0);
	vt_kick(&self->t, 0, 0);
	assert_broken(_metadata, self);
}

static struct virtq_desc *indirect(FIXTURE_DATA(vq) *self, uint32_t len, uint16_t flags)
{
	vt_set_desc(&vt_desc(&self->t, 0)[0], VT_INDIRECT, len, VIRTQ_DESC_F_INDIRECT | flags, 1);
	vt_set_desc(&vt_desc(&self->t, 0)[1], VT_DATA, 8, 0, 0);
	vt_kick(&self->t, 0, 0);
	return (struct virtq_desc *)(self->t.ram + VT_INDIRECT);
}

TEST_F(vq, indirect_inside_indirect)
{
	struct virtq_desc *ind = indirect(self, 32, 0);

	vt_set_desc(&ind[0], VT_DATA, 8, VIRTQ_DESC_F_NEXT, 1);
	vt_set_desc(&ind[1], VT_INDIRECT, 32, VIRTQ_DESC_F_INDIRECT, 0);
	assert_broken(_metadata, self);
}

TEST_F(vq, indirect_with_next)
{
	struct virtq_desc *ind = indirect(self, 16, VIRTQ_DESC_F_NEXT);

	vt_set_desc(&ind[0], VT_DATA, 8, 0, 0);
	assert_broken(_metadata, self);
}

TEST_F(vq, indirect_length_not_a_multiple_of_16)
{
	struct virtq_desc *ind = indirect(self, 24, 0);

	vt_set_desc(&ind[0], VT_DATA, 8, 0, 0);
	assert_broken(_metadata, self);
}

TEST_F(vq, indirect_length_zero)
{
	indirect(self, 0, 0);
	assert_broken(_metadata, self);
}

TEST_F(vq, indirect_table_outside_ram)
{
	vt_set_desc(&vt_desc(&self->t, 0)[0], VT_RAM_SIZE - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vt_kick(&self->t, 0, 0);
	assert_broken(_metadata, self);
}

TEST_F(vq, indirect_loop)
{
	struct virtq_desc *ind = indirect(self, 2 * 16, 0);

	vt_set_desc(&ind[0], VT_DATA, 8, VIRTQ_DESC_F_NEXT, 1);
	vt_set_desc(&ind[1], VT_DATA, 8, VIRTQ_DESC_F_NEXT, 0);
	assert_broken(_metadata, self);
}

TEST_F(vq, indirect_next_beyond_its_table)
{
	struct virtq_desc *ind = indirect(self, 2 * 16, 0);

	vt_set_desc(&ind[0], VT_DATA, 8, VIRTQ_DESC_F_NEXT, 2);	/* ind[2] exists in RAM */
	vt_set_desc(&ind[2], VT_DATA, 8, 0, 0);
	assert_broken(_metadata, self);
}

/* longer than VIRTQ_MAX_SEGS, through an indirect table that is long enough */
TEST_F(vq, chain_longer_than_max_segs)
{
	unsigned int i, n = VIRTQ_MAX_SEGS + 1;
	struct virtq_desc *ind = indirect(self, n * 16, 0);

	for (i = 0; i < n; i++)
		vt_set_desc(&ind[i], VT_DATA, 1, i + 1 < n ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	assert_broken(_metadata, self);
}

TEST_F(vq, indirect_not_negotiated)
{
	struct virtq_desc *ind;

	ASSERT_EQ(VIRTIO_STATUS_DRIVER_OK, vt_driver_init(&self->t, VT_F_BASE) & 0x44);
	ind = indirect(self, 16, 0);
	vt_set_desc(&ind[0], VT_DATA, 8, 0, 0);
	assert_broken(_metadata, self);
}

/* rings the device cannot use: DEVICE_NEEDS_RESET at DRIVER_OK already */
TEST_F(vq, rings_outside_ram)
{
	vt_wr(&self->t, CC_STATUS, 1, 0);
	vt_wr(&self->t, CC_STATUS, 1, 3);
	vt_set_features(&self->t, VT_F_BASE);
	vt_wr(&self->t, CC_STATUS, 1, 0xb);
	vt_setup_queue(&self->t, 0);
	vt_wr(&self->t, 0x30, 8, VT_RAM_SIZE - 64);	/* ignored: the queue is enabled */
	EXPECT_EQ(VT_USED(0), vt_rd(&self->t, 0x30, 8));
	vt_queue_addrs(&self->t, 1);	/* queue 1's used ring: 6 + 8 * 16 bytes */
	vt_wr(&self->t, 0x30, 8, VT_RAM_SIZE - 64);
	vt_wr(&self->t, 0x1c, 2, 1);
	vt_wr(&self->t, CC_STATUS, 1, 0xf);
	EXPECT_EQ(0x4f, vt_status(&self->t));
	EXPECT_EQ(-EIO, virtqueue_pop(virtio_queue(&self->t.v, 1), self->elem));
}

TEST_F(vq, misaligned_ring)
{
	vt_wr(&self->t, CC_STATUS, 1, 0);
	vt_wr(&self->t, CC_STATUS, 1, 3);
	vt_set_features(&self->t, VT_F_BASE);
	vt_wr(&self->t, CC_STATUS, 1, 0xb);
	vt_setup_queue(&self->t, 0);
	vt_queue_addrs(&self->t, 1);
	vt_wr(&self->t, 0x20, 8, VT_DESC(1) + 8);	/* 2.7: 16-byte aligned */
	vt_wr(&self->t, 0x1c, 2, 1);
	vt_wr(&self->t, CC_STATUS, 1, 0xf);
	EXPECT_EQ(0x4f, vt_status(&self->t));
	EXPECT_EQ(-EIO, virtqueue_pop(virtio_queue(&self->t.v, 1), self->elem));
}

TEST_HARNESS_MAIN
