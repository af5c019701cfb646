/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A fake virtio driver for the unit tests of devices/virtio_pci.c and
 * devices/virtqueue.c: guest RAM in a buffer between two inaccessible
 * guard pages (a device that reaches outside it crashes the test), a
 * test device on the machine's PCI bus, and helpers that program the
 * transport through its BAR and build split rings in that RAM.
 */
#ifndef VMON_TEST_VIRTIO_UTIL_H
#define VMON_TEST_VIRTIO_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices/devices.h"
#include "devices/virtio_priv.h"
#include "machine.h"

#define VT_RAM_SIZE	(1u << 20)
#define VT_PAGE		4096u
#define VT_QSIZE	16
#define VT_NR_QUEUES	2
/* where the rings of queue q go, and the data buffers */
#define VT_DESC(q)	(0x10000u + (q) * 0x4000u)
#define VT_AVAIL(q)	(VT_DESC(q) + 0x1000u)
#define VT_USED(q)	(VT_DESC(q) + 0x2000u)
#define VT_DATA		0x40000u
#define VT_INDIRECT	0x80000u

#define VT_FEATURE_TEST	5	/* a device feature bit the test device offers */

struct vt {
	struct vmon_machine m;
	int pipe[2];
	uint8_t *map;		/* guard page, RAM, guard page */
	uint8_t *ram;
	struct virtio_device v;
	uint8_t config[8];
	unsigned int starts, resets;
	bool defer_reset;	/* ops->reset() leaves virtio_reset_done() to the test */
	bool refuse_features;
	/* the fake hooks' record */
	unsigned int msis;
	uint64_t msi_addr;
	uint32_t msi_data;
	int ioeventfd_ret;
	unsigned int ioeventfd_assigned, ioeventfd_deassigned;
	uint64_t ioeventfd_addr;
	int irqfd_ret;		/* what the irqfd hook answers: -ENOTTY unless a test says */
	unsigned int irqfds_bound, irqfds_unbound;
	int irqfd_fd;
	uint32_t irqfd_data;
};

static inline void vt_config_read(struct virtio_device *v, unsigned int off, void *data,
				  unsigned int len)
{
	struct vt *t = v->priv;

	memcpy(data, t->config + off, len);
}

static inline void vt_config_write(struct virtio_device *v, unsigned int off,
				   const void *data, unsigned int len)
{
	struct vt *t = v->priv;

	memcpy(t->config + off, data, len);
}

static inline bool vt_features_ok(struct virtio_device *v, uint64_t f)
{
	return !((struct vt *)v->priv)->refuse_features;
}

static inline void vt_start(struct virtio_device *v)
{
	((struct vt *)v->priv)->starts++;
}

static inline void vt_reset(struct virtio_device *v)
{
	struct vt *t = v->priv;

	t->resets++;
	if (!t->defer_reset)
		virtio_reset_done(v);	/* from inside ops->reset() */
}

static const struct virtio_device_ops vt_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.nr_queues = VT_NR_QUEUES,
	.queue_size = VT_QSIZE,
	.features = 1ull << VT_FEATURE_TEST,
	.config_size = 8,
	.config_read = vt_config_read,
	.config_write = vt_config_write,
	.features_ok = vt_features_ok,
	.start = vt_start,
	.reset = vt_reset,
};

static inline int vt_send_msi(void *opaque, uint64_t addr, uint32_t data)
{
	struct vt *t = opaque;

	t->msis++;
	t->msi_addr = addr;
	t->msi_data = data;
	return 0;
}

static inline int vt_ioeventfd(void *opaque, uint64_t addr, unsigned int len, int fd,
			       bool deassign)
{
	struct vt *t = opaque;

	if (t->ioeventfd_ret)
		return t->ioeventfd_ret;
	if (deassign) {
		t->ioeventfd_deassigned++;
	} else {
		t->ioeventfd_assigned++;
		t->ioeventfd_addr = addr;
	}
	return 0;
}

static inline int vt_irqfd(void *opaque, int fd, uint64_t addr, uint32_t data, bool deassign)
{
	struct vt *t = opaque;

	if (t->irqfd_ret)
		return t->irqfd_ret;
	if (deassign) {
		t->irqfds_unbound++;
	} else {
		t->irqfds_bound++;
		t->irqfd_fd = fd;
		t->irqfd_data = data;
	}
	return 0;
}

static const struct machine_hooks vt_hooks = {
	.send_msi = vt_send_msi,
	.ioeventfd = vt_ioeventfd,
	.irqfd = vt_irqfd,
};

static inline int vt_init(struct vt *t)
{
	if (pipe2(t->pipe, O_NONBLOCK))
		return -errno;
	machine_init(&t->m, t->pipe[1]);
	if (machine_add_devices(&t->m))
		return -1;
	t->map = mmap(NULL, VT_RAM_SIZE + 2 * VT_PAGE, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->map == MAP_FAILED)
		return -errno;
	t->ram = t->map + VT_PAGE;
	if (mprotect(t->ram, VT_RAM_SIZE, PROT_READ | PROT_WRITE))
		return -errno;
	if (machine_add_ram(&t->m, 0, VT_RAM_SIZE, t->ram))
		return -1;
	machine_set_hooks(&t->m, &vt_hooks, t);
	t->irqfd_ret = -ENOTTY;
	t->v.ops = &vt_ops;
	t->v.priv = t;
	return virtio_pci_register(&t->m, &t->v);
}

static inline void vt_fini(struct vt *t)
{
	machine_destroy(&t->m);		/* joins the device threads first */
	munmap(t->map, VT_RAM_SIZE + 2 * VT_PAGE);
	close(t->pipe[0]);
	close(t->pipe[1]);
}

/* the transport's BAR and configuration space, as the guest sees them */
static inline uint64_t vt_bar(struct vt *t)
{
	return t->v.pci.bars[2].addr;
}

static inline uint64_t vt_rd(struct vt *t, uint64_t off, unsigned int size)
{
	uint64_t v = 0;

	machine_mmio(&t->m, vt_bar(t) + off, &v, size, false);
	return v;
}

static inline void vt_wr(struct vt *t, uint64_t off, unsigned int size, uint64_t v)
{
	machine_mmio(&t->m, vt_bar(t) + off, &v, size, true);
}

static inline uint32_t vt_cfg_rd(struct vt *t, unsigned int off, unsigned int size)
{
	return pci_config_read(&t->m, t->v.pci.slot << 3, off, size);
}

static inline void vt_cfg_wr(struct vt *t, unsigned int off, unsigned int size, uint32_t v)
{
	pci_config_write(&t->m, t->v.pci.slot << 3, off, size, v);
}

/* the offset of the first capability of id (and cfg_type for vendor ones) */
static inline unsigned int vt_find_cap(struct vt *t, uint8_t id, int type)
{
	unsigned int c = vt_cfg_rd(t, 0x34, 1), n;

	for (n = 0; c && n < 48; n++, c = vt_cfg_rd(t, c + 1, 1))
		if (vt_cfg_rd(t, c, 1) == id && (type < 0 || vt_cfg_rd(t, c + 3, 1) == type))
			return c;
	return 0;
}

#define CC_STATUS	0x14
#define CC_QSELECT	0x16
#define VT_ISR		0x1000
#define VT_NOTIFY	0x3000

static inline uint8_t vt_status(struct vt *t)
{
	return vt_rd(t, CC_STATUS, 1);
}

static inline void vt_set_features(struct vt *t, uint64_t f)
{
	vt_wr(t, 0x08, 4, 0);
	vt_wr(t, 0x0c, 4, (uint32_t)f);
	vt_wr(t, 0x08, 4, 1);
	vt_wr(t, 0x0c, 4, f >> 32);
}

/* queue q's ring addresses (32-bit halves for the driver area), not enabled */
static inline void vt_queue_addrs(struct vt *t, unsigned int q)
{
	vt_wr(t, CC_QSELECT, 2, q);
	vt_wr(t, 0x20, 8, VT_DESC(q));
	vt_wr(t, 0x28, 4, VT_AVAIL(q));
	vt_wr(t, 0x2c, 4, 0);
	vt_wr(t, 0x30, 8, VT_USED(q));
}

static inline void vt_setup_queue(struct vt *t, unsigned int q)
{
	vt_queue_addrs(t, q);
	vt_wr(t, 0x1c, 2, 1);
}

/* 3.1.1: the driver's initialisation, with features f and both queues */
static inline uint8_t vt_driver_init(struct vt *t, uint64_t f)
{
	unsigned int q;

	vt_wr(t, CC_STATUS, 1, 0);
	vt_wr(t, CC_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	vt_wr(t, CC_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vt_set_features(t, f);
	vt_wr(t, CC_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	      VIRTIO_STATUS_FEATURES_OK);
	for (q = 0; q < VT_NR_QUEUES; q++)
		vt_setup_queue(t, q);
	vt_wr(t, CC_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	      VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	return vt_status(t);
}

#define VT_F_BASE	(1ull << VIRTIO_F_VERSION_1)
#define VT_F_ALL	(VT_F_BASE | (1ull << VIRTIO_F_RING_INDIRECT_DESC) | \
			 (1ull << VIRTIO_F_RING_EVENT_IDX))

/* the rings of queue q in the fake RAM */
static inline struct virtq_desc *vt_desc(struct vt *t, unsigned int q)
{
	return (struct virtq_desc *)(t->ram + VT_DESC(q));
}

static inline struct virtq_avail *vt_avail(struct vt *t, unsigned int q)
{
	return (struct virtq_avail *)(t->ram + VT_AVAIL(q));
}

static inline struct virtq_used *vt_used(struct vt *t, unsigned int q)
{
	return (struct virtq_used *)(t->ram + VT_USED(q));
}

static inline void vt_set_desc(struct virtq_desc *d, uint64_t addr, uint32_t len,
			       uint16_t flags, uint16_t next)
{
	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

/* make head available on queue q */
static inline void vt_kick(struct vt *t, unsigned int q, uint16_t head)
{
	struct virtq_avail *a = vt_avail(t, q);

	a->ring[a->idx % VT_QSIZE] = head;
	__atomic_store_n(&a->idx, a->idx + 1, __ATOMIC_RELEASE);
}

#endif /* VMON_TEST_VIRTIO_UTIL_H */
