// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-blk (virtio 1.2 section 5.2): one PCI function per --disk, in
 * command-line order, each with a request queue per vCPU (VIRTIO_BLK_F_MQ
 * when more than one), each queue served by a thread of its own.  The
 * requests themselves are virtio_blk_req.c's.
 *
 * A thread sleeps in poll() on the queue's kick eventfd and on wake_fd
 * (DRIVER_OK, reset, the end of the run).  Woken with the device
 * running, it takes requests until the ring is empty, with the driver's
 * kicks off while it does (virtqueue_disable_kick), and interrupts the
 * driver once per burst rather than once per request.  The disk's I/O
 * therefore never runs on a vCPU thread: the guest's notification costs
 * its vCPU one eventfd write, or nothing at all with VMON_IOEVENTFD.
 *
 * Locking (Documentation/locking.rst, "vmon run"): state is written
 * under lock, a mutex of the device's own that the transport's callbacks
 * take under the device lock (device lock first); the thread reads it
 * with acquire loads between requests.  The thread never holds lock
 * while it calls into the transport (virtqueue_notify, virtio_reset_done
 * take the device lock).
 */
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../machine.h"
#include "../vmon.h"
#include "devices.h"
#include "virtio_blk.h"

/* completions per interrupt at most, so that a long burst still answers early */
#define VBLK_BATCH	16

/* the device configuration layout, virtio 1.2 5.2.4 (little endian) */
struct virtio_blk_config {
	uint64_t capacity;
	uint32_t size_max;
	uint32_t seg_max;
	uint16_t cylinders;
	uint8_t heads;
	uint8_t sectors;
	uint32_t blk_size;
	uint8_t physical_block_exp;
	uint8_t alignment_offset;
	uint16_t min_io_size;
	uint32_t opt_io_size;
	uint8_t writeback;
	uint8_t unused0;
	uint16_t num_queues;
	uint32_t max_discard_sectors;
	uint32_t max_discard_seg;
	uint32_t discard_sector_alignment;
	uint32_t max_write_zeroes_sectors;
	uint32_t max_write_zeroes_seg;
	uint8_t write_zeroes_may_unmap;
	uint8_t unused1[3];
};

/* every field at its natural alignment: no padding up to unused1 */
#define VBLK_CONFIG_SIZE	(offsetof(struct virtio_blk_config, unused1) + 3)
static_assert(VBLK_CONFIG_SIZE == 60, "virtio 1.2 5.2.4 layout");

enum vblk_state {
	VBLK_IDLE,		/* before DRIVER_OK, or reset done */
	VBLK_RUNNING,		/* DRIVER_OK: the rings are the threads' */
	VBLK_BROKEN,		/* the driver broke a ring: wait for the reset */
	VBLK_RESETTING,		/* ops->reset(): each thread stops and says so */
	VBLK_EXIT,		/* the end of the run */
};

struct vblk;

/* one request queue and the thread that serves it */
struct vblk_queue {
	struct vblk *b;			/* set at attach */
	struct virtqueue *vq;		/* set at attach */
	int wake_fd;			/* eventfd: the state changed; set at attach */
	bool enabled;			/* the driver enabled it: set at start, under lock */
	unsigned int reset_acked;	/* the last reset this thread stopped for: the thread's */
	pthread_t thread;
	bool thread_started;		/* set at attach */
	struct virtq_elem elem;		/* the thread's */
};

struct vblk {
	struct virtio_device vdev;
	struct virtio_device_ops ops;	/* vblk_ops with this disk's features and queues */
	struct vmon_machine *m;
	struct vblk_disk disk;		/* fd: set at attach; the rest: see virtio_blk.h */
	struct virtio_blk_config config;	/* set at attach, read-only */
	pthread_mutex_t lock;		/* inside the device lock: guards what says "lock" */
	uint64_t features;		/* negotiated; lock, written at start */
	enum vblk_state state;		/* lock for writes; the threads read it atomically */
	unsigned int reset_gen;		/* lock: resets so far */
	unsigned int nr_acked;		/* lock: threads stopped for the current reset */
	unsigned int nr_queues;		/* set at attach */
	struct vblk_queue q[];		/* nr_queues of them */
};

static enum vblk_state get_state(struct vblk *b)
{
	return __atomic_load_n(&b->state, __ATOMIC_ACQUIRE);
}

/* lock held: move to state and wake every thread */
static void set_state(struct vblk *b, enum vblk_state state)
{
	uint64_t one = 1;
	unsigned int i;

	__atomic_store_n(&b->state, state, __ATOMIC_RELEASE);
	for (i = 0; i < b->nr_queues; i++)
		if (write(b->q[i].wake_fd, &one, sizeof(one)) != sizeof(one))
			vmon_err("virtio-blk %s: cannot wake a device thread: %s",
				 b->disk.path, strerror(errno));
}

static void drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN && errno != EINTR)
		vmon_err("virtio-blk: cannot read an eventfd: %s", strerror(errno));
}

/*
 * Take and answer requests until the ring stays empty with kicks back
 * on.  Returns -EIO when the driver broke the ring or sent a request
 * with no status byte (the device then needs reset), else 0; returns
 * early when the state left RUNNING (reset, end of the run).
 */
static int serve(struct vblk_queue *q)
{
	struct vblk *b = q->b;
	struct virtqueue *vq = q->vq;
	unsigned int pushed = 0;
	uint32_t len;
	int ret = 0;

	do {
		virtqueue_disable_kick(vq);
		while (get_state(b) == VBLK_RUNNING) {
			ret = virtqueue_pop(vq, &q->elem);
			if (ret <= 0)
				break;
			ret = vblk_handle(&b->disk, b->features, &q->elem, &len);
			if (ret)
				break;
			virtqueue_push(vq, &q->elem, len);
			if (++pushed == VBLK_BATCH) {
				virtqueue_notify(vq);
				pushed = 0;
			}
		}
		if (pushed)
			virtqueue_notify(vq);
		pushed = 0;
		if (ret < 0 || get_state(b) != VBLK_RUNNING)
			return ret < 0 ? -EIO : 0;
	} while (virtqueue_enable_kick(vq));
	return 0;
}

/*
 * This thread no longer touches its ring for the current reset; the
 * last of the threads to say so completes the reset (2.4.1).
 */
static void ack_reset(struct vblk_queue *q)
{
	struct vblk *b = q->b;
	bool done = false;

	pthread_mutex_lock(&b->lock);
	if (b->state == VBLK_RESETTING && q->reset_acked != b->reset_gen) {
		q->reset_acked = b->reset_gen;
		if (++b->nr_acked == b->nr_queues) {
			__atomic_store_n(&b->state, VBLK_IDLE, __ATOMIC_RELEASE);
			done = true;
		}
	}
	pthread_mutex_unlock(&b->lock);
	if (done)
		virtio_reset_done(&b->vdev);
}

static void *vblk_thread(void *arg)
{
	struct vblk_queue *q = arg;
	struct vblk *b = q->b;
	struct pollfd pfd[2] = {
		{ .fd = virtqueue_kick_fd(q->vq), .events = POLLIN },
		{ .fd = q->wake_fd, .events = POLLIN },
	};

	for (;;) {
		switch (get_state(b)) {
		case VBLK_EXIT:
			return NULL;
		case VBLK_RESETTING:
			ack_reset(q);
			break;
		case VBLK_RUNNING:
			/*
			 * Say so first, then stop: a reset meanwhile waits for
			 * this thread like any other.
			 */
			if (q->enabled && serve(q)) {
				virtio_needs_reset(&b->vdev);
				pthread_mutex_lock(&b->lock);
				if (b->state == VBLK_RUNNING)
					__atomic_store_n(&b->state, VBLK_BROKEN, __ATOMIC_RELEASE);
				pthread_mutex_unlock(&b->lock);
			}
			break;
		default:
			break;
		}
		if (poll(pfd, 2, -1) < 0)
			continue;	/* EINTR */
		if (pfd[0].revents & POLLIN)
			drain(pfd[0].fd);
		if (pfd[1].revents & POLLIN)
			drain(pfd[1].fd);
	}
}

static void vblk_config_read(struct virtio_device *v, unsigned int offset, void *data,
			     unsigned int len)
{
	struct vblk *b = v->priv;

	memset(data, 0, len);
	if (offset < VBLK_CONFIG_SIZE)
		memcpy(data, (uint8_t *)&b->config + offset,
		       len < VBLK_CONFIG_SIZE - offset ? len : VBLK_CONFIG_SIZE - offset);
}

/* nothing is writable: writeback needs VIRTIO_BLK_F_CONFIG_WCE, not offered */
static void vblk_config_write(struct virtio_device *v, unsigned int offset, const void *data,
			      unsigned int len)
{
}

static void vblk_start(struct virtio_device *v)
{
	struct vblk *b = v->priv;
	unsigned int i;

	pthread_mutex_lock(&b->lock);
	if (b->state == VBLK_IDLE) {
		b->features = virtio_features(v);
		/* a queue the driver left disabled has no ring to serve */
		for (i = 0; i < b->nr_queues; i++)
			b->q[i].enabled = virtqueue_enabled(b->q[i].vq);
		set_state(b, VBLK_RUNNING);
	}
	pthread_mutex_unlock(&b->lock);
}

/*
 * Asynchronous once the threads may touch the rings (virtio.h): each
 * stops after the request in hand, and the last calls
 * virtio_reset_done().  Before DRIVER_OK, or after a completed reset,
 * no thread does and the reset is done at once, so that device_status
 * never reads 0 while the transport still resets.
 */
static void vblk_reset(struct virtio_device *v)
{
	struct vblk *b = v->priv;
	bool done = false;

	pthread_mutex_lock(&b->lock);
	if (b->state == VBLK_RUNNING || b->state == VBLK_BROKEN) {
		b->reset_gen++;
		b->nr_acked = 0;
		set_state(b, VBLK_RESETTING);
	} else if (b->state == VBLK_IDLE) {
		done = true;
	}
	pthread_mutex_unlock(&b->lock);
	if (done)
		virtio_reset_done(v);	/* from inside ops->reset(): allowed */
}

static const struct virtio_device_ops vblk_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.queue_size = VBLK_QUEUE_SIZE,
	.config_size = VBLK_CONFIG_SIZE,
	.config_read = vblk_config_read,
	.config_write = vblk_config_write,
	.start = vblk_start,
	.reset = vblk_reset,
};

/* the end of the run: each thread finishes its request and exits */
static void vblk_release(void *dev)
{
	struct vblk *b = dev;
	unsigned int i;

	pthread_mutex_lock(&b->lock);
	set_state(b, VBLK_EXIT);
	pthread_mutex_unlock(&b->lock);
	for (i = 0; i < b->nr_queues; i++)
		if (b->q[i].thread_started)
			pthread_join(b->q[i].thread, NULL);
	vblk_disk_close(&b->disk);
	for (i = 0; i < b->nr_queues; i++)
		if (b->q[i].wake_fd >= 0)
			close(b->q[i].wake_fd);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static void fill_config(struct vblk *b)
{
	struct virtio_blk_config *c = &b->config;

	c->capacity = htole64(b->disk.capacity);
	c->size_max = htole32(VBLK_SIZE_MAX);
	c->seg_max = htole32(VBLK_SEG_MAX);
	c->blk_size = htole32(1u << VBLK_SECTOR_SHIFT);
	c->num_queues = htole16(b->nr_queues);
	if (b->disk.can_punch) {
		c->max_discard_sectors = htole32(VBLK_MAX_DISCARD_SECTORS);
		c->max_discard_seg = htole32(VBLK_MAX_DISCARD_SEG);
		/* holes come in pages: a hint to the guest, not a rule */
		c->discard_sector_alignment = htole32(4096 >> VBLK_SECTOR_SHIFT);
		c->write_zeroes_may_unmap = 1;
	}
	if (b->disk.can_zero) {
		c->max_write_zeroes_sectors = htole32(VBLK_MAX_DISCARD_SECTORS);
		c->max_write_zeroes_seg = htole32(VBLK_MAX_DISCARD_SEG);
	}
}

/*
 * The threads block every signal: SIGINT and the others belong to the
 * I/O thread's signalfd, the vCPU threads' kick signal to them.
 */
static int start_threads(struct vblk *b, unsigned int index)
{
	sigset_t all, old;
	char name[16];
	unsigned int i;
	int ret = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < b->nr_queues && !ret; i++) {
		ret = pthread_create(&b->q[i].thread, NULL, vblk_thread, &b->q[i]);
		b->q[i].thread_started = !ret;
		/* as ps -T and top -H show it: vblk-vda/0 */
		snprintf(name, sizeof(name), "vblk-vd%c/%c", 'a' + index, '0' + i);
		if (!ret)
			pthread_setname_np(b->q[i].thread, name);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -ret;
}

/* a queue per vCPU (up to VBLK_MAX_QUEUES), so that vCPUs do not share one ring */
static int attach_one(struct vmon_machine *m, const struct machine_disk *md, unsigned int index)
{
	unsigned int i, nr = m->nr_cpus < 1 ? 1 :
			     m->nr_cpus > VBLK_MAX_QUEUES ? VBLK_MAX_QUEUES : m->nr_cpus;
	struct vblk *b = calloc(1, sizeof(*b) + nr * sizeof(b->q[0]));
	int ret;

	if (!b)
		return -ENOMEM;
	b->m = m;
	b->disk.fd = -1;
	b->nr_queues = nr;
	for (i = 0; i < nr; i++) {
		b->q[i].b = b;
		b->q[i].wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	}
	pthread_mutex_init(&b->lock, NULL);
	ret = machine_add_cleanup(m, vblk_release, b);
	if (ret) {
		b->nr_queues = 0;
		for (i = 0; i < nr; i++)
			if (b->q[i].wake_fd >= 0)
				close(b->q[i].wake_fd);
		free(b);
		return ret;
	}
	for (i = 0; i < nr; i++)
		if (b->q[i].wake_fd < 0)
			return -errno;
	if (vblk_disk_open(&b->disk, md, index))
		return -DEVICE_EXPLAINED;	/* it said why */
	fill_config(b);
	/* the features depend on the disk: ro, and what fallocate() can do */
	b->ops = vblk_ops;
	b->ops.nr_queues = nr;
	b->ops.features = vblk_disk_features(&b->disk);
	if (nr > 1)
		b->ops.features |= 1ull << VIRTIO_BLK_F_MQ;
	b->vdev.ops = &b->ops;
	b->vdev.priv = b;
	ret = virtio_pci_register(m, &b->vdev);
	if (ret) {
		vmon_err("--disk %s: cannot put its virtio-blk function on the PCI bus: %s (fewer --disk options?)",
			 md->path, strerror(-ret));
		return -DEVICE_EXPLAINED;
	}
	for (i = 0; i < nr; i++)
		b->q[i].vq = virtio_queue(&b->vdev, i);
	ret = start_threads(b, index);
	if (ret) {
		vmon_err("--disk %s: cannot start the disk's threads: %s", md->path,
			 strerror(-ret));
		return -DEVICE_EXPLAINED;
	}
	return 0;
}

static int virtio_blk_attach(struct vmon_machine *m)
{
	unsigned int i;
	int ret;

	for (i = 0; i < m->nr_disks; i++) {
		ret = attach_one(m, &m->disks[i], i);
		if (ret)
			return ret;
	}
	return 0;
}

const struct vmon_device virtio_blk_device = {
	.name = "virtio-blk",
	.attach = virtio_blk_attach,
};
