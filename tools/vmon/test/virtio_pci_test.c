// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the virtio PCI transport (devices/virtio_pci.c): the
 * PCI identity and capabilities (virtio 1.2 4.1.2, 4.1.4), feature
 * negotiation (2.2), the device status machine and the asynchronous
 * reset (2.1, 2.4, 3.1), the queue registers (4.1.4.3), notifications
 * into the kick eventfd and the ioeventfd hook (4.1.4.4), interrupts
 * through MSI-X (a fake send_msi hook) and INTx with the ISR register
 * (4.1.4.5), configuration changes, and the PCI_CFG window (4.1.4.9).
 */
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>

#include "kselftest_harness.h"
#include "virtio_util.h"

#define MSIX_BAR	1
#define PCI_CAP_ID_MSIX	0x11

FIXTURE(vp) {
	struct vt t;
	struct virtq_elem *elem;
};

FIXTURE_SETUP(vp)
{
	ASSERT_EQ(0, vt_init(&self->t));
	self->elem = calloc(1, sizeof(*self->elem));
	ASSERT_NE(NULL, self->elem);
}

FIXTURE_TEARDOWN(vp)
{
	free(self->elem);
	vt_fini(&self->t);
}

static uint64_t eventfd_count(int fd)
{
	eventfd_t n = 0;

	if (eventfd_read(fd, &n))
		return 0;
	return n;
}

TEST_F(vp, identity)
{
	EXPECT_EQ(0x10421af4, vt_cfg_rd(&self->t, 0x00, 4));	/* 0x1040 + block */
	EXPECT_EQ(1, vt_cfg_rd(&self->t, 0x08, 1));		/* 4.1.2.1: revision 1 */
	EXPECT_EQ(0x010000, vt_cfg_rd(&self->t, 0x09, 4) & 0xffffff);
	EXPECT_EQ(0x00021af4, vt_cfg_rd(&self->t, 0x2c, 4));
	EXPECT_EQ(1, vt_cfg_rd(&self->t, 0x3d, 1));		/* INTA# */
	/* virtio-rng, attached by machine_add_devices() */
	EXPECT_EQ(0x10441af4, pci_config_read(&self->t.m, 1 << 3, 0, 4));
	EXPECT_EQ(0xff, pci_config_read(&self->t.m, 1 << 3, 0x0b, 1));
}

/* 4.1.4: the five structures in BAR 2, the notify multiplier, MSI-X */
TEST_F(vp, capabilities)
{
	static const struct { uint8_t type; uint32_t off, min_len; } caps[] = {
		{ 1, 0x0000, 0x38 }, { 2, 0x3000, 8 }, { 3, 0x1000, 1 }, { 4, 0x2000, 8 },
	};
	unsigned int i, c;

	for (i = 0; i < 4; i++) {
		c = vt_find_cap(&self->t, 0x09, caps[i].type);
		ASSERT_NE(0, c) TH_LOG("no capability of cfg_type %u", caps[i].type);
		EXPECT_EQ(2, vt_cfg_rd(&self->t, c + 4, 1));
		EXPECT_EQ(caps[i].off, vt_cfg_rd(&self->t, c + 8, 4));
		EXPECT_LE(caps[i].min_len, vt_cfg_rd(&self->t, c + 12, 4));
	}
	c = vt_find_cap(&self->t, 0x09, 2);
	EXPECT_EQ(20, vt_cfg_rd(&self->t, c + 2, 1));
	EXPECT_EQ(4, vt_cfg_rd(&self->t, c + 16, 4));
	EXPECT_NE(0, vt_find_cap(&self->t, 0x09, 5));
	c = vt_find_cap(&self->t, PCI_CAP_ID_MSIX, -1);
	ASSERT_NE(0, c);
	EXPECT_EQ(VT_NR_QUEUES, vt_cfg_rd(&self->t, c + 2, 2) & 0x7ff);	/* N - 1 */
	EXPECT_EQ(MSIX_BAR, vt_cfg_rd(&self->t, c + 4, 4) & 7);
}

TEST_F(vp, device_features)
{
	vt_wr(&self->t, 0x00, 4, 0);
	EXPECT_EQ((1u << VT_FEATURE_TEST) | (1u << VIRTIO_F_RING_INDIRECT_DESC) |
		  (1u << VIRTIO_F_RING_EVENT_IDX), vt_rd(&self->t, 0x04, 4));
	vt_wr(&self->t, 0x00, 4, 1);
	EXPECT_EQ(1, vt_rd(&self->t, 0x04, 4));		/* VERSION_1 */
	vt_wr(&self->t, 0x00, 4, 2);
	EXPECT_EQ(0, vt_rd(&self->t, 0x04, 4));
	EXPECT_EQ(2, vt_rd(&self->t, 0x00, 4));
}

static uint8_t negotiate(struct vt *t, uint64_t f)
{
	vt_wr(t, CC_STATUS, 1, 0);
	vt_wr(t, CC_STATUS, 1, 3);
	vt_set_features(t, f);
	vt_wr(t, CC_STATUS, 1, 0xb);
	return vt_status(t);
}

/* 2.2.2, 6.1: FEATURES_OK only for an offered set with VERSION_1 */
TEST_F(vp, features_ok)
{
	EXPECT_EQ(3, negotiate(&self->t, 1ull << VT_FEATURE_TEST));
	EXPECT_EQ(3, negotiate(&self->t, VT_F_BASE | (1ull << 6)));
	EXPECT_EQ(3, negotiate(&self->t, VT_F_BASE | (1ull << 40)));
	self->t.refuse_features = true;
	EXPECT_EQ(3, negotiate(&self->t, VT_F_BASE));
	self->t.refuse_features = false;
	EXPECT_EQ(0xb, negotiate(&self->t, VT_F_ALL | (1ull << VT_FEATURE_TEST)));
	EXPECT_TRUE(virtio_has_feature(&self->t.v, VT_FEATURE_TEST));
	EXPECT_TRUE(virtio_has_feature(&self->t.v, VIRTIO_F_RING_EVENT_IDX));
	/* fixed once FEATURES_OK is set */
	vt_wr(&self->t, 0x08, 4, 0);
	vt_wr(&self->t, 0x0c, 4, 0);
	EXPECT_EQ((1u << VT_FEATURE_TEST) | (3u << 28), vt_rd(&self->t, 0x0c, 4));
}

TEST_F(vp, status_machine)
{
	/* DRIVER_OK without FEATURES_OK: refused, no start */
	vt_wr(&self->t, CC_STATUS, 1, 3);
	vt_wr(&self->t, CC_STATUS, 1, 7);
	EXPECT_EQ(3, vt_status(&self->t));
	EXPECT_EQ(0, self->t.starts);
	EXPECT_EQ(0xf, vt_driver_init(&self->t, VT_F_BASE));
	EXPECT_EQ(1, self->t.starts);
	/* the driver cannot clear bits, nor set NEEDS_RESET */
	vt_wr(&self->t, CC_STATUS, 1, 0x41);
	EXPECT_EQ(0xf, vt_status(&self->t));
	/* the device sets it, with a configuration interrupt; reset clears it */
	virtio_needs_reset(&self->t.v);
	EXPECT_EQ(0x4f, vt_status(&self->t));
	EXPECT_EQ(2, vt_rd(&self->t, VT_ISR, 1));
	vt_wr(&self->t, CC_STATUS, 1, 0);
	EXPECT_EQ(0, vt_status(&self->t));
	EXPECT_EQ(1, self->t.resets);
}

/* 4.1.4.3.1: device_status reads non-zero until the device has stopped */
TEST_F(vp, asynchronous_reset)
{
	EXPECT_EQ(0xf, vt_driver_init(&self->t, VT_F_ALL));
	vt_wr(&self->t, 0x10, 2, 2);
	self->t.defer_reset = true;
	vt_wr(&self->t, CC_STATUS, 1, 0);
	EXPECT_EQ(1, self->t.resets);
	EXPECT_EQ(0xf, vt_status(&self->t));
	vt_wr(&self->t, CC_STATUS, 1, 1);	/* ignored meanwhile */
	vt_wr(&self->t, CC_STATUS, 1, 0);	/* no second ops->reset() */
	EXPECT_EQ(1, self->t.resets);
	EXPECT_EQ(0xf, vt_status(&self->t));
	virtio_reset_done(&self->t.v);		/* from the device's thread */
	EXPECT_EQ(0, vt_status(&self->t));
	EXPECT_EQ(0xffff, vt_rd(&self->t, 0x10, 2));
	vt_wr(&self->t, 0x08, 4, 1);
	EXPECT_EQ(0, vt_rd(&self->t, 0x0c, 4));
	vt_wr(&self->t, CC_QSELECT, 2, 1);
	EXPECT_EQ(VT_QSIZE, vt_rd(&self->t, 0x18, 2));
	EXPECT_EQ(0, vt_rd(&self->t, 0x1c, 2));
	EXPECT_EQ(0, vt_rd(&self->t, 0x20, 8));
	EXPECT_EQ(-EIO, virtqueue_pop(virtio_queue(&self->t.v, 1), self->elem));
}

/*
 * Before DRIVER_OK no thread uses the rings: the reset completes at
 * once, without ops->reset(), and the driver that goes on at once (it
 * saw status 0) is heard.
 */
TEST_F(vp, reset_before_driver_ok_is_immediate)
{
	self->t.defer_reset = true;
	vt_wr(&self->t, CC_STATUS, 1, 3);
	vt_wr(&self->t, 0x00, 4, 1);
	vt_wr(&self->t, CC_STATUS, 1, 0);
	EXPECT_EQ(0, vt_status(&self->t));
	EXPECT_EQ(0, vt_rd(&self->t, 0x00, 4));
	vt_wr(&self->t, CC_STATUS, 1, 1);
	EXPECT_EQ(1, vt_status(&self->t));
	vt_wr(&self->t, 0x00, 4, 1);
	EXPECT_EQ(1, vt_rd(&self->t, 0x04, 4));		/* VERSION_1 */
	EXPECT_EQ(0, self->t.resets);
	EXPECT_EQ(0xf, vt_driver_init(&self->t, VT_F_BASE));
	EXPECT_EQ(0, self->t.resets);
}

TEST_F(vp, queue_registers)
{
	EXPECT_EQ(VT_NR_QUEUES, vt_rd(&self->t, 0x12, 2));
	vt_wr(&self->t, CC_QSELECT, 2, 1);
	EXPECT_EQ(VT_QSIZE, vt_rd(&self->t, 0x18, 2));
	EXPECT_EQ(1, vt_rd(&self->t, 0x1e, 2));		/* queue_notify_off */
	vt_wr(&self->t, 0x18, 2, 8);
	EXPECT_EQ(8, vt_rd(&self->t, 0x18, 2));
	vt_wr(&self->t, 0x18, 2, 12);			/* not a power of 2 */
	vt_wr(&self->t, 0x18, 2, 2 * VT_QSIZE);		/* above the maximum */
	vt_wr(&self->t, 0x18, 2, 0);
	EXPECT_EQ(8, vt_rd(&self->t, 0x18, 2));
	vt_wr(&self->t, 0x1a, 2, VT_NR_QUEUES + 1);	/* beyond the MSI-X table */
	EXPECT_EQ(0xffff, vt_rd(&self->t, 0x1a, 2));
	vt_wr(&self->t, 0x1a, 2, 1);
	EXPECT_EQ(1, vt_rd(&self->t, 0x1a, 2));
	vt_wr(&self->t, 0x20, 4, 0x1000);
	vt_wr(&self->t, 0x24, 4, 0x2);
	EXPECT_EQ(0x200001000ull, vt_rd(&self->t, 0x20, 8));
	vt_wr(&self->t, 0x1c, 2, 1);
	EXPECT_EQ(1, vt_rd(&self->t, 0x1c, 2));
	/* fixed once enabled */
	vt_wr(&self->t, 0x18, 2, 4);
	vt_wr(&self->t, 0x20, 8, 0x3000);
	vt_wr(&self->t, 0x1c, 2, 0);
	EXPECT_EQ(8, vt_rd(&self->t, 0x18, 2));
	EXPECT_EQ(0x200001000ull, vt_rd(&self->t, 0x20, 8));
	EXPECT_EQ(1, vt_rd(&self->t, 0x1c, 2));
	EXPECT_TRUE(virtqueue_enabled(virtio_queue(&self->t.v, 1)));
	EXPECT_FALSE(virtqueue_enabled(virtio_queue(&self->t.v, 0)));
	/* a queue that does not exist */
	vt_wr(&self->t, CC_QSELECT, 2, VT_NR_QUEUES);
	EXPECT_EQ(0, vt_rd(&self->t, 0x18, 2));
	EXPECT_EQ(NULL, virtio_queue(&self->t.v, VT_NR_QUEUES));
}

/* 4.1.4.4: the address says the queue; the kick eventfd is signalled */
TEST_F(vp, notify_signals_the_kick_eventfd)
{
	int fd0 = virtqueue_kick_fd(virtio_queue(&self->t.v, 0));
	int fd1 = virtqueue_kick_fd(virtio_queue(&self->t.v, 1));

	EXPECT_EQ(0xf, vt_driver_init(&self->t, VT_F_BASE));
	vt_wr(&self->t, VT_NOTIFY + 4, 2, 0);
	vt_wr(&self->t, VT_NOTIFY + 4, 2, 1);
	EXPECT_EQ(0, eventfd_count(fd0));
	EXPECT_EQ(2, eventfd_count(fd1));
	vt_wr(&self->t, VT_NOTIFY, 2, 0);
	EXPECT_EQ(1, eventfd_count(fd0));
	vt_wr(&self->t, VT_NOTIFY + 4 * VT_NR_QUEUES, 2, 0);	/* no such queue */
	EXPECT_EQ(0, eventfd_count(fd0));
	EXPECT_EQ(0, eventfd_count(fd1));
}

TEST_F(vp, ioeventfd_at_driver_ok_and_reset)
{
	EXPECT_EQ(0xf, vt_driver_init(&self->t, VT_F_BASE));
	EXPECT_EQ(VT_NR_QUEUES, self->t.ioeventfd_assigned);
	EXPECT_EQ(vt_bar(&self->t) + VT_NOTIFY + 4 * (VT_NR_QUEUES - 1),
		  self->t.ioeventfd_addr);
	vt_wr(&self->t, CC_STATUS, 1, 0);
	EXPECT_EQ(VT_NR_QUEUES, self->t.ioeventfd_deassigned);
	/* a module without VMON_IOEVENTFD: the exit path does the work */
	self->t.ioeventfd_ret = -ENOTTY;
	EXPECT_EQ(0xf, vt_driver_init(&self->t, VT_F_BASE));
	self->t.ioeventfd_ret = 0;
	vt_wr(&self->t, CC_STATUS, 1, 0);
	EXPECT_EQ(VT_NR_QUEUES, self->t.ioeventfd_assigned);
	EXPECT_EQ(VT_NR_QUEUES, self->t.ioeventfd_deassigned);
}

/* MSI-X table entry v: address 0xfee00000, data, mask */
static void msix_entry(struct vt *t, unsigned int v, uint32_t data, bool masked)
{
	uint64_t base = t->v.pci.bars[MSIX_BAR].addr + 16 * v;
	uint32_t x;

	x = 0xfee00000;
	machine_mmio(&t->m, base, &x, 4, true);
	x = 0;
	machine_mmio(&t->m, base + 4, &x, 4, true);
	machine_mmio(&t->m, base + 8, &data, 4, true);
	x = masked;
	machine_mmio(&t->m, base + 12, &x, 4, true);
}

static void one_request(struct vt *t, struct virtq_elem *elem)
{
	struct virtqueue *vq = virtio_queue(&t->v, 0);

	vt_set_desc(&vt_desc(t, 0)[0], VT_DATA, 8, VIRTQ_DESC_F_WRITE, 0);
	vt_kick(t, 0, 0);
	if (virtqueue_pop(vq, elem) == 1) {
		virtqueue_push(vq, elem, 8);
		virtqueue_notify(vq);
	}
}

TEST_F(vp, msix_vectors)
{
	unsigned int c = vt_find_cap(&self->t, PCI_CAP_ID_MSIX, -1);

	vt_cfg_wr(&self->t, c + 2, 2, 0x8000);		/* MSI-X enable */
	msix_entry(&self->t, 0, 0x40, false);
	msix_entry(&self->t, 1, 0x41, true);
	EXPECT_EQ(0xf, vt_driver_init(&self->t, VT_F_BASE));
	vt_wr(&self->t, 0x10, 2, 0);			/* configuration: vector 0 */
	vt_wr(&self->t, CC_QSELECT, 2, 0);
	vt_wr(&self->t, 0x1a, 2, 1);			/* queue 0: vector 1 */
	one_request(&self->t, self->elem);
	EXPECT_EQ(0, self->t.msis);			/* masked: pending */
	msix_entry(&self->t, 1, 0x41, false);
	EXPECT_EQ(1, self->t.msis);
	EXPECT_EQ(0x41, self->t.msi_data);
	EXPECT_EQ(0xfee00000, self->t.msi_addr);
	one_request(&self->t, self->elem);
	EXPECT_EQ(2, self->t.msis);
	virtio_config_changed(&self->t.v);
	EXPECT_EQ(3, self->t.msis);
	EXPECT_EQ(0x40, self->t.msi_data);
	/* no INTx, no ISR with MSI-X */
	EXPECT_FALSE(self->t.v.pci.intx_level);
	EXPECT_EQ(0, vt_rd(&self->t, VT_ISR, 1));
	/* VIRTIO_MSI_NO_VECTOR: nothing at all */
	vt_wr(&self->t, 0x1a, 2, 0xffff);
	one_request(&self->t, self->elem);
	EXPECT_EQ(3, self->t.msis);
	EXPECT_FALSE(self->t.v.pci.intx_level);
}

/* vectors bound to the kernel's irqfd while unmasked; masked ones pend */
TEST_F(vp, msix_through_irqfd)
{
	unsigned int c = vt_find_cap(&self->t, PCI_CAP_ID_MSIX, -1);
	int call;

	self->t.irqfd_ret = 0;
	vt_cfg_wr(&self->t, c + 2, 2, 0x8000);
	msix_entry(&self->t, 1, 0x41, false);
	vt_wr(&self->t, CC_STATUS, 1, 3);
	vt_wr(&self->t, CC_QSELECT, 2, 0);
	vt_wr(&self->t, 0x1a, 2, 1);
	EXPECT_EQ(0, self->t.irqfds_bound);		/* not before DRIVER_OK */
	vt_set_features(&self->t, VT_F_BASE);
	vt_wr(&self->t, CC_STATUS, 1, 0xb);
	vt_setup_queue(&self->t, 0);
	vt_wr(&self->t, CC_STATUS, 1, 0xf);
	ASSERT_EQ(1, self->t.irqfds_bound);
	EXPECT_EQ(0x41, self->t.irqfd_data);
	call = self->t.irqfd_fd;
	one_request(&self->t, self->elem);
	EXPECT_EQ(1, eventfd_count(call));		/* the kernel's to send */
	EXPECT_EQ(0, self->t.msis);
	/* reprogrammed: bound again with the new message */
	msix_entry(&self->t, 1, 0x42, false);
	EXPECT_EQ(1, self->t.irqfds_unbound);
	EXPECT_EQ(2, self->t.irqfds_bound);
	EXPECT_EQ(0x42, self->t.irqfd_data);
	/* a signal the kernel had not taken when the driver masks: pending */
	eventfd_write(call, 1);
	msix_entry(&self->t, 1, 0x42, true);
	EXPECT_EQ(2, self->t.irqfds_unbound);
	EXPECT_EQ(0, self->t.msis);
	one_request(&self->t, self->elem);		/* masked: the locked way */
	EXPECT_EQ(0, eventfd_count(call));
	msix_entry(&self->t, 1, 0x42, false);		/* the pending one goes */
	EXPECT_EQ(1, self->t.msis);
	EXPECT_EQ(0x42, self->t.msi_data);
	EXPECT_EQ(3, self->t.irqfds_bound);
	/* reset unbinds */
	vt_wr(&self->t, CC_STATUS, 1, 0);
	EXPECT_EQ(3, self->t.irqfds_unbound);
}

/* 4.1.4.5, 4.1.5.3: INTx and the ISR, read to clear */
TEST_F(vp, intx_and_isr)
{
	uint8_t gen = vt_rd(&self->t, 0x15, 1);

	EXPECT_EQ(0xf, vt_driver_init(&self->t, VT_F_BASE));
	one_request(&self->t, self->elem);
	virtio_config_changed(&self->t.v);
	EXPECT_EQ((uint8_t)(gen + 1), vt_rd(&self->t, 0x15, 1));
	EXPECT_TRUE(self->t.v.pci.intx_level);
	EXPECT_EQ(3, vt_rd(&self->t, VT_ISR, 1));
	EXPECT_FALSE(self->t.v.pci.intx_level);
	EXPECT_EQ(0, vt_rd(&self->t, VT_ISR, 1));
	EXPECT_EQ(0, self->t.msis);
}

TEST_F(vp, device_configuration)
{
	memcpy(self->t.config, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	EXPECT_EQ(0x44332211, vt_rd(&self->t, 0x2000, 4));
	EXPECT_EQ(0x88776655, vt_rd(&self->t, 0x2004, 4));
	vt_wr(&self->t, 0x2006, 2, 0xabcd);
	EXPECT_EQ(0xcd, self->t.config[6]);
	EXPECT_EQ(0, vt_rd(&self->t, 0x2008, 4));	/* past config_size */
	EXPECT_EQ(0, vt_rd(&self->t, 0x2ffc, 4));
}

/* 4.1.4.9: the BAR through configuration space */
TEST_F(vp, pci_cfg_window)
{
	unsigned int c = vt_find_cap(&self->t, 0x09, 5);

	ASSERT_NE(0, c);
	vt_cfg_wr(&self->t, c + 4, 1, 2);
	vt_cfg_wr(&self->t, c + 8, 4, 0x12);		/* num_queues */
	vt_cfg_wr(&self->t, c + 12, 4, 2);
	EXPECT_EQ(VT_NR_QUEUES, vt_cfg_rd(&self->t, c + 16, 2));
	vt_cfg_wr(&self->t, c + 8, 4, 0x14);		/* device_status */
	vt_cfg_wr(&self->t, c + 12, 4, 1);
	vt_cfg_wr(&self->t, c + 16, 1, 1);
	EXPECT_EQ(1, vt_status(&self->t));
	/* another BAR, a bad length or a misaligned offset: no access */
	vt_cfg_wr(&self->t, c + 12, 4, 3);
	vt_cfg_wr(&self->t, c + 16, 1, 3);
	EXPECT_EQ(1, vt_status(&self->t));
	vt_cfg_wr(&self->t, c + 4, 1, 0);
	vt_cfg_wr(&self->t, c + 12, 4, 1);
	vt_cfg_wr(&self->t, c + 16, 1, 3);
	EXPECT_EQ(1, vt_status(&self->t));
}

TEST_HARNESS_MAIN
