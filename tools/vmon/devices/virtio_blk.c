// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-blk (virtio 1.2 section 5.2): one PCI function per --disk, in
 * command-line order, each with one request queue served by a thread of
 * its own.  The requests themselves are virtio_blk_req.c's.
 *
 * The thread sleeps in poll() on the queue's kick eventfd and on wake_fd
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
	VBLK_RUNNING,		/* DRIVER_OK: the rings are the thread's */
	VBLK_BROKEN,		/* the driver broke the ring: wait for the reset */
	VBLK_RESETTING,		/* ops->reset(): the thread stops and says so */
	VBLK_EXIT,		/* the end of the run */
};

struct vblk {
	struct virtio_device vdev;
	struct virtio_device_ops ops;	/* vblk_ops with this disk's features */
	struct vmon_machine *m;
	struct vblk_disk disk;		/* fd: set at attach; the rest: see virtio_blk.h */
	struct virtio_blk_config config;	/* set at attach, read-only */
	uint64_t features;		/* negotiated; written at start under lock */
	pthread_mutex_t lock;		/* guards state and features, inside the device lock */
	enum vblk_state state;		/* lock for writes; the thread reads it atomically */
	int wake_fd;			/* eventfd: state changed */
	pthread_t thread;
	bool thread_started;		/* set at attach */
	struct virtq_elem elem;		/* the thread's */
};

static enum vblk_state get_state(struct vblk *b)
{
	return __atomic_load_n(&b->state, __ATOMIC_ACQUIRE);
}

/* lock held: move to state and wake the thread */
static void set_state(struct vblk *b, enum vblk_state state)
{
	uint64_t one = 1;

	__atomic_store_n(&b->state, state, __ATOMIC_RELEASE);
	if (write(b->wake_fd, &one, sizeof(one)) != sizeof(one))
		vmon_err("virtio-blk %s: cannot wake the device thread: %s", b->disk.path,
			 strerror(errno));
}

/* the thread: from -> to unless someone moved the state meanwhile */
static bool move_state(struct vblk *b, enum vblk_state from, enum vblk_state to)
{
	bool moved = false;

	pthread_mutex_lock(&b->lock);
	if (b->state == from) {
		__atomic_store_n(&b->state, to, __ATOMIC_RELEASE);
		moved = true;
	}
	pthread_mutex_unlock(&b->lock);
	return moved;
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
static int serve(struct vblk *b, struct virtqueue *vq)
{
	unsigned int pushed = 0;
	uint32_t len;
	int ret = 0;

	do {
		virtqueue_disable_kick(vq);
		while (get_state(b) == VBLK_RUNNING) {
			ret = virtqueue_pop(vq, &b->elem);
			if (ret <= 0)
				break;
			ret = vblk_handle(&b->disk, b->features, &b->elem, &len);
			if (ret)
				break;
			virtqueue_push(vq, &b->elem, len);
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

static void *vblk_thread(void *arg)
{
	struct vblk *b = arg;
	struct virtqueue *vq = virtio_queue(&b->vdev, 0);
	struct pollfd pfd[2] = {
		{ .fd = virtqueue_kick_fd(vq), .events = POLLIN },
		{ .fd = b->wake_fd, .events = POLLIN },
	};

	for (;;) {
		switch (get_state(b)) {
		case VBLK_EXIT:
			return NULL;
		case VBLK_RESETTING:
			/* nothing touches the rings any more: 2.4.1, the reset completes */
			if (move_state(b, VBLK_RESETTING, VBLK_IDLE))
				virtio_reset_done(&b->vdev);
			continue;
		case VBLK_RUNNING:
			/*
			 * Say so first, then stop: a reset meanwhile finds the
			 * state RUNNING and waits for this thread.
			 */
			if (serve(b, vq)) {
				virtio_needs_reset(&b->vdev);
				move_state(b, VBLK_RUNNING, VBLK_BROKEN);
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

	pthread_mutex_lock(&b->lock);
	if (b->state == VBLK_IDLE) {
		b->features = virtio_features(v);
		set_state(b, VBLK_RUNNING);
	}
	pthread_mutex_unlock(&b->lock);
}

/*
 * Asynchronous while the thread serves the ring (virtio.h): it stops
 * after the request in hand and calls virtio_reset_done().  Otherwise
 * no thread touches the rings and the reset is done at once, so that
 * device_status never reads 0 while the transport still resets.
 */
static void vblk_reset(struct virtio_device *v)
{
	struct vblk *b = v->priv;
	bool done = false;

	pthread_mutex_lock(&b->lock);
	if (b->state == VBLK_RUNNING) {
		set_state(b, VBLK_RESETTING);
	} else if (b->state == VBLK_IDLE || b->state == VBLK_BROKEN) {
		__atomic_store_n(&b->state, VBLK_IDLE, __ATOMIC_RELEASE);
		done = true;
	}
	pthread_mutex_unlock(&b->lock);
	if (done)
		virtio_reset_done(v);	/* from inside ops->reset(): allowed */
}

static const struct virtio_device_ops vblk_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.nr_queues = 1,
	.queue_size = VBLK_QUEUE_SIZE,
	.config_size = VBLK_CONFIG_SIZE,
	.config_read = vblk_config_read,
	.config_write = vblk_config_write,
	.start = vblk_start,
	.reset = vblk_reset,
};

/* the end of the run: the thread finishes its request and exits */
static void vblk_release(void *dev)
{
	struct vblk *b = dev;

	if (b->thread_started) {
		pthread_mutex_lock(&b->lock);
		set_state(b, VBLK_EXIT);
		pthread_mutex_unlock(&b->lock);
		pthread_join(b->thread, NULL);
	}
	vblk_disk_close(&b->disk);
	if (b->wake_fd >= 0)
		close(b->wake_fd);
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
	c->num_queues = htole16(1);
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
 * The thread blocks every signal: SIGINT and the others belong to the
 * I/O thread's signalfd, the vCPU threads' kick signal to them.
 */
static int start_thread(struct vblk *b)
{
	sigset_t all, old;
	int ret;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	ret = pthread_create(&b->thread, NULL, vblk_thread, b);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return -ret;
	b->thread_started = true;
	return 0;
}

static int attach_one(struct vmon_machine *m, const struct machine_disk *md, unsigned int index)
{
	struct vblk *b = calloc(1, sizeof(*b));
	int ret;

	if (!b)
		return -ENOMEM;
	b->m = m;
	b->disk.fd = -1;
	b->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	pthread_mutex_init(&b->lock, NULL);
	ret = machine_add_cleanup(m, vblk_release, b);
	if (ret) {
		if (b->wake_fd >= 0)
			close(b->wake_fd);
		free(b);
		return ret;
	}
	if (b->wake_fd < 0)
		return -errno;
	ret = vblk_disk_open(&b->disk, md, index);
	if (ret)
		return ret;
	fill_config(b);
	/* the features depend on the disk: ro, and what fallocate() can do */
	b->ops = vblk_ops;
	b->ops.features = vblk_disk_features(&b->disk);
	b->vdev.ops = &b->ops;
	b->vdev.priv = b;
	ret = virtio_pci_register(m, &b->vdev);
	if (ret) {
		vmon_err("--disk %s: cannot put its virtio-blk function on the PCI bus: %s (fewer --disk options?)",
			 md->path, strerror(-ret));
		return ret;
	}
	return start_thread(b);
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
