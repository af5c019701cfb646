// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-rng (virtio 1.2 section 5.4): one queue, requestq, whose
 * device-writable buffers the device fills with random bytes from the
 * host's getrandom().  No feature bits, no device configuration.
 *
 * The device has its own thread: it sleeps in poll() on the queue's
 * kick eventfd and on a control eventfd that ops->start() and
 * ops->reset() signal (they run under the device lock and must not
 * block), serves the queue between DRIVER_OK and reset, and calls
 * virtio_reset_done() once it no longer touches the ring.  At the end of
 * the run machine_destroy() has it return and joins it (rng_cleanup()).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/random.h>

#include "../machine.h"
#include "devices.h"
#include "virtio.h"

#define RNG_QUEUE_SIZE	256
/* bytes given per request at most: a driver asking for more gets less */
#define RNG_MAX_FILL	65536

struct virtio_rng {
	struct virtio_device vdev;
	int ctl_fd;		/* eventfd: start or reset happened; set once */
	/* device lock; read by the thread with acquire order */
	bool running;		/* between ops->start() and ops->reset() */
	bool reset_pending;	/* ops->reset() called, virtio_reset_done() not yet */
	bool quit;		/* rng_cleanup(): the thread returns; atomic */
	pthread_t thread;	/* set once at attach */
};

static void rng_start(struct virtio_device *v)
{
	struct virtio_rng *r = v->priv;

	__atomic_store_n(&r->running, true, __ATOMIC_RELEASE);
	eventfd_write(r->ctl_fd, 1);
}

static void rng_reset(struct virtio_device *v)
{
	struct virtio_rng *r = v->priv;

	__atomic_store_n(&r->running, false, __ATOMIC_RELEASE);
	__atomic_store_n(&r->reset_pending, true, __ATOMIC_RELEASE);
	eventfd_write(r->ctl_fd, 1);
}

/* fill the writable buffers of elem; the number of bytes written */
static uint32_t fill(const struct virtq_elem *elem)
{
	uint32_t done = 0;
	unsigned int i;

	for (i = elem->nr_out; i < elem->nr_out + elem->nr_in && done < RNG_MAX_FILL; i++) {
		uint8_t *p = elem->iov[i].iov_base;
		size_t len = elem->iov[i].iov_len, off = 0;

		if (len > RNG_MAX_FILL - done)
			len = RNG_MAX_FILL - done;
		while (off < len) {
			ssize_t n = getrandom(p + off, len - off, 0);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return done + off;
			off += n;
		}
		done += len;
	}
	return done;
}

/* serve the queue until it is empty; false when the driver broke it */
static bool serve(struct virtio_rng *r, struct virtqueue *vq, struct virtq_elem *elem)
{
	int ret = 0;

	do {
		virtqueue_disable_kick(vq);
		while (__atomic_load_n(&r->running, __ATOMIC_ACQUIRE) &&
		       (ret = virtqueue_pop(vq, elem)) > 0)
			virtqueue_push(vq, elem, fill(elem));
		virtqueue_notify(vq);
		if (ret < 0)
			return false;
		if (!__atomic_load_n(&r->running, __ATOMIC_ACQUIRE))
			return true;
	} while (virtqueue_enable_kick(vq));
	return true;
}

static void *rng_thread(void *arg)
{
	struct virtio_rng *r = arg;
	struct virtqueue *vq = virtio_queue(&r->vdev, 0);
	struct pollfd fds[2] = {
		{ .fd = virtqueue_kick_fd(vq), .events = POLLIN },
		{ .fd = r->ctl_fd, .events = POLLIN },
	};
	struct virtq_elem *elem = malloc(sizeof(*elem));
	bool broken = false;
	eventfd_t n;

	if (!elem)
		return NULL;
	for (;;) {
		if (poll(fds, 2, -1) < 0)
			continue;
		eventfd_read(fds[0].fd, &n);
		eventfd_read(fds[1].fd, &n);
		if (__atomic_load_n(&r->quit, __ATOMIC_ACQUIRE))
			break;
		if (__atomic_load_n(&r->reset_pending, __ATOMIC_ACQUIRE)) {
			/* the ring is no longer ours: let the reset finish */
			broken = false;
			__atomic_store_n(&r->reset_pending, false, __ATOMIC_RELAXED);
			virtio_reset_done(&r->vdev);
		}
		if (!broken && __atomic_load_n(&r->running, __ATOMIC_ACQUIRE))
			broken = !serve(r, vq, elem);
	}
	free(elem);
	return NULL;
}

/* the end of the run, before guest memory goes: stop the thread */
static void rng_cleanup(void *arg)
{
	struct virtio_rng *r = arg;

	__atomic_store_n(&r->quit, true, __ATOMIC_RELEASE);
	eventfd_write(r->ctl_fd, 1);
	pthread_join(r->thread, NULL);
}

static const struct virtio_device_ops rng_ops = {
	.device_id = VIRTIO_ID_RNG,
	.nr_queues = 1,
	.queue_size = RNG_QUEUE_SIZE,
	.start = rng_start,
	.reset = rng_reset,
};

static int virtio_rng_attach(struct vmon_machine *m)
{
	struct virtio_rng *r = calloc(1, sizeof(*r));
	sigset_t all, old;
	int ret;

	if (!r)
		return -ENOMEM;
	r->vdev.ops = &rng_ops;
	r->vdev.priv = r;
	r->ctl_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->ctl_fd < 0)
		return -errno;
	ret = virtio_pci_register(m, &r->vdev);
	if (ret)
		return ret;
	/* signals belong to the run's threads (Documentation/locking.rst) */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&r->thread, NULL, rng_thread, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return -ret;
	ret = machine_add_cleanup(m, rng_cleanup, r);
	if (ret)
		rng_cleanup(r);
	return ret;
}

const struct vmon_device virtio_rng_device = {
	.name = "virtio-rng",
	.attach = virtio_rng_attach,
};
