// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-net (virtio 1.2 section 5.1) on a tap interface.
 *
 * Two queues: receiveq (0) and transmitq (1); no control queue.  The
 * device offers MAC, STATUS (the link is always up), MTU (the tap's),
 * MRG_RXBUF, and the checksum and TCP segmentation offloads the tap
 * itself understands (CSUM, HOST_TSO4/6, GUEST_CSUM, GUEST_TSO4/6):
 * the tap's virtio-net header is the same structure, so with an offload
 * negotiated the header passes between driver and tap as it is (but
 * num_buffers, which the device fills).  Without CSUM the header a
 * driver sends is replaced by a zero one before the frame goes to the
 * tap (5.1.6.2: the driver may not ask for an offload it did not
 * negotiate); without GUEST_CSUM every header the device writes is zero
 * but num_buffers (5.1.6.4.1), and the tap is told to hand over only
 * checksummed frames within the MTU (TUNSETOFFLOAD 0).  The offloads
 * matter for speed: a TSO frame of up to 64 KiB crosses the ring, the
 * notification and the tap once instead of some 45 times.
 *
 * Each queue has a thread (virtio.h: one thread per queue owns its
 * ring between start and reset):
 * - rx: takes a frame off the tap only once the receive queue has a
 *   buffer, into a bounce buffer; then pops as many buffers as the
 *   frame needs (with MRG_RXBUF: several, num_buffers in the first
 *   header, 5.1.6.3.2; without: the frame must fit one chain or is
 *   dropped).  Buffers popped but not yet needed stay with the thread
 *   for the next frame, and a frame waiting for buffers stays in the
 *   bounce buffer until the driver adds some: the tap's own queue holds
 *   the rest, nothing is dropped because the guest was slow.
 * - tx: pops a chain, writes the frame to the tap (waiting for POLLOUT
 *   when it is full), pushes the chain back.
 *
 * Reset (virtio.h): ops->reset() clears running and wakes both threads
 * through their control eventfds; each drops what it held and parks,
 * and the second one to park calls virtio_reset_done().  When both are
 * parked already, ops->reset() completes the reset itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../machine.h"
#include "../vmon.h"
#include "devices.h"
#include "tap.h"
#include "virtio_net.h"

#define HDR_LEN			TAP_VNET_HDR_LEN
#define HDR_NUM_BUFFERS		10	/* offset of num_buffers in the header */
/* the largest frame sent to the tap: a 64 KiB packet and its link headers */
#define VNET_MAX_FRAME		65550
/* room for any frame a tap hands over; a read that fills it may be cut short */
#define VNET_BOUNCE		(HDR_LEN + 65536 + 64)
/* beyond the MTU: Ethernet header and a VLAN tag (5.1.4.2, "low level ethernet header length") */
#define VNET_LINK_HDR		18
#define VNET_NOTIFY_BATCH	64
#define VNET_NR_THREADS		2

struct vnet_rx {
	/* popped from receiveq, not yet used: held[0] takes the next frame */
	struct virtq_elem *held[VIRTIO_NET_QUEUE_SIZE];
	unsigned int nr_held;
	uint8_t *buf;		/* the frame waiting for buffers, header first */
	size_t len;		/* its length, 0: none */
};

struct virtio_net {
	struct virtio_device vdev;
	struct vmon_machine *m;		/* set once */
	int fd;				/* the tap; set once */
	uint8_t config[VIRTIO_NET_CFG_SIZE];	/* set once */
	unsigned int mtu;		/* set once */

	/* after the device lock: taken inside ops callbacks */
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* parked threads wait on it, with lock */
	bool running;			/* lock; read atomically by the threads */
	bool reset_pending;		/* lock: virtio_reset_done() is owed */
	bool quit;			/* lock: the end of the run */
	unsigned int nr_parked;		/* lock: threads that leave the rings alone */
	int rx_ctl, tx_ctl;		/* eventfds: look at running; set once */
	pthread_t rx_thread, tx_thread;

	struct vnet_rx rx;		/* the rx thread's */
	struct virtq_elem *tx_elem;	/* the tx thread's */
	uint8_t *tx_buf;		/* the tx thread's: a chain beyond IOV_MAX */
	uint8_t tx_hdr[HDR_LEN];	/* the tx thread's: the driver's header (CSUM) */
	struct iovec tx_iov[VIRTQ_MAX_SEGS + 1];	/* the tx thread's */

	struct virtio_net_stats stats;	/* atomic */
};

static const uint8_t zero_hdr[HDR_LEN];

static void count(uint64_t *counter)
{
	__atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);
}

static bool vnet_running(struct virtio_net *n)
{
	return __atomic_load_n(&n->running, __ATOMIC_ACQUIRE);
}

static void ctl_signal(int fd)
{
	uint64_t one = 1;

	/* an eventfd cannot overflow from a few writes: nothing to handle */
	if (write(fd, &one, sizeof(one)) < 0)
		return;
}

static void fd_drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0)
		return;		/* EAGAIN: someone else read it first */
}

/*
 * Sleep until fd is ready for events, or ctl is signalled (running may
 * have changed).  Returns true when fd is ready.
 */
static bool vnet_wait(int fd, short events, int ctl)
{
	struct pollfd p[2] = {
		{ .fd = fd, .events = events },
		{ .fd = ctl, .events = POLLIN },
	};

	if (poll(p, 2, -1) < 0)
		return false;
	if (p[1].revents & POLLIN)
		fd_drain(ctl);
	return p[0].revents != 0;
}

/*
 * Wait for the driver to add buffers to vq: ask for a kick first
 * (virtio.h: enable, then look again), and stop asking once woken.
 */
static void vnet_wait_kick(struct virtqueue *vq, int ctl)
{
	int kick = virtqueue_kick_fd(vq);

	if (!virtqueue_enable_kick(vq) && vnet_wait(kick, POLLIN, ctl))
		fd_drain(kick);
	virtqueue_disable_kick(vq);
}

/*
 * The thread leaves the rings alone from now on; the last of the
 * threads to get here after ops->reset() completes the reset.
 */
static void vnet_parked(struct virtio_net *n)
{
	bool done;

	pthread_mutex_lock(&n->lock);
	n->nr_parked++;
	done = n->reset_pending && n->nr_parked == VNET_NR_THREADS;
	if (done)
		n->reset_pending = false;
	pthread_mutex_unlock(&n->lock);
	/* without our lock: the device lock comes first (virtio.h) */
	if (done)
		virtio_reset_done(&n->vdev);
}

/* wait for the driver to start the device: false at the end of the run */
static bool vnet_wait_start(struct virtio_net *n)
{
	bool go;

	pthread_mutex_lock(&n->lock);
	while (!n->quit && !n->running)
		pthread_cond_wait(&n->cond, &n->lock);
	go = !n->quit;
	if (go)
		n->nr_parked--;
	pthread_mutex_unlock(&n->lock);
	return go;
}

/* the driver broke a ring: it must reset us; until then touch nothing */
static void vnet_broken(struct virtio_net *n, int ctl)
{
	while (vnet_running(n))
		vnet_wait(ctl, POLLIN, ctl);
}

/* ---- receive ---- */

/*
 * Make sure at least want buffers are held (the first, or one more for
 * a merged frame): 1 when they are, 0 when the ring has no more, -EIO
 * when the driver broke it.  A chain without writable buffers holds no
 * frame: it goes straight back, used with 0 bytes.
 */
static int rx_hold(struct virtio_net *n, struct virtqueue *vq, unsigned int want)
{
	struct vnet_rx *rx = &n->rx;
	struct virtq_elem *e;
	int ret;

	while (rx->nr_held < want) {
		if (rx->nr_held == VIRTIO_NET_QUEUE_SIZE)
			return 0;	/* cannot happen: no more than the queue size is popped */
		e = rx->held[rx->nr_held];
		if (!e) {
			e = malloc(sizeof(*e));
			if (!e)
				return 0;
			rx->held[rx->nr_held] = e;
		}
		ret = virtqueue_pop(vq, e);
		if (ret <= 0)
			return ret;
		if (!e->in_len) {
			virtqueue_push(vq, e, 0);
			virtqueue_notify(vq);
			continue;
		}
		rx->nr_held++;
	}
	return 1;
}

/* hand the first k held buffers back; the others move to the front */
static void rx_release(struct vnet_rx *rx, unsigned int k)
{
	struct virtq_elem *tmp[VIRTIO_NET_QUEUE_SIZE];

	memcpy(tmp, rx->held, k * sizeof(tmp[0]));
	memmove(rx->held, rx->held + k, (VIRTIO_NET_QUEUE_SIZE - k) * sizeof(tmp[0]));
	memcpy(rx->held + VIRTIO_NET_QUEUE_SIZE - k, tmp, k * sizeof(tmp[0]));
	rx->nr_held -= k;
}

/*
 * Put the waiting frame into held buffers: 1 delivered (or dropped),
 * 0 the ring has too few buffers yet, -EIO the ring is broken.
 */
static int rx_deliver(struct virtio_net *n, struct virtqueue *vq, bool mrg)
{
	struct vnet_rx *rx = &n->rx;
	unsigned int k = 0, i;
	uint64_t room = 0;
	size_t done = 0;
	int ret;

	/* how many buffers the frame needs: one without MRG_RXBUF */
	while (room < rx->len) {
		if (k && !mrg) {
			count(&n->stats.rx_dropped);	/* cannot fit in one chain */
			rx->len = 0;
			return 1;
		}
		ret = rx_hold(n, vq, k + 1);
		if (ret <= 0)
			return ret;
		room += rx->held[k]->in_len;
		k++;
	}
	rx->buf[HDR_NUM_BUFFERS] = (uint8_t)k;
	rx->buf[HDR_NUM_BUFFERS + 1] = (uint8_t)(k >> 8);
	for (i = 0; i < k; i++) {
		const struct virtq_elem *e = rx->held[i];
		size_t len = virtq_buf_to_iov(e->iov + e->nr_out, e->nr_in, 0,
					      rx->buf + done, rx->len - done);

		virtqueue_push(vq, e, (uint32_t)len);
		done += len;
	}
	rx_release(rx, k);
	rx->len = 0;
	count(&n->stats.rx_frames);
	virtqueue_notify(vq);
	return 1;
}

/*
 * Take one frame off the tap into the bounce buffer: 1 taken (or
 * dropped), 0 none waiting, -EPIPE the tap failed.
 */
static int rx_read(struct virtio_net *n, bool mtu, bool offload)
{
	struct vnet_rx *rx = &n->rx;
	ssize_t len;

	len = read(n->fd, rx->buf, VNET_BOUNCE);
	if (len < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (len <= 0) {
		/*
		 * The interface was deleted (EBADFD), or the other end of a
		 * socket closed (0): polling it again would spin.
		 */
		vmon_err("virtio-net: cannot read the tap: %s (receiving stops until the guest resets the device)",
			 len ? strerror(errno) : "end of file");
		return -EPIPE;
	}
	/* no offloads negotiated: flags, gso_type, lengths all 0 (5.1.6.4.1) */
	if (!offload && len > HDR_LEN)
		memset(rx->buf, 0, HDR_LEN);
	/* a TSO frame is larger than the MTU: its segments are not */
	if (len <= HDR_LEN || len == VNET_BOUNCE ||
	    (mtu && !rx->buf[VIRTIO_NET_HDR_GSO_TYPE] &&
	     (size_t)len > HDR_LEN + n->mtu + VNET_LINK_HDR)) {
		count(&n->stats.rx_dropped);
		return 1;
	}
	rx->len = (size_t)len;
	return 1;
}

/*
 * One step: 1 progress, 0 wait for buffers, -EAGAIN wait for the tap,
 * another -errno: stop until reset.
 */
static int rx_step(struct virtio_net *n, struct virtqueue *vq, bool mrg, bool mtu,
		   bool offload)
{
	int ret;

	if (n->rx.len)
		return rx_deliver(n, vq, mrg);
	/* a buffer first: a frame the guest has no room for stays in the tap */
	ret = rx_hold(n, vq, 1);
	if (ret <= 0)
		return ret;
	ret = rx_read(n, mtu, offload);
	return ret ? ret : -EAGAIN;
}

static void rx_run(struct virtio_net *n)
{
	struct virtqueue *vq = virtio_queue(&n->vdev, VIRTIO_NET_RXQ);
	bool mrg = virtio_has_feature(&n->vdev, VIRTIO_NET_F_MRG_RXBUF);
	bool mtu = virtio_has_feature(&n->vdev, VIRTIO_NET_F_MTU);
	bool offload = virtio_has_feature(&n->vdev, VIRTIO_NET_F_GUEST_CSUM);
	int ret;

	/*
	 * The tap hands over what the driver accepts: partly checksummed
	 * frames with GUEST_CSUM, TSO frames with GUEST_TSO4/6 (which the
	 * driver may only take with GUEST_CSUM, 5.1.3.1), else neither.
	 * The tap keeps the setting between users, so it is always made.
	 */
	ret = tap_set_offload(n->fd, (offload ? TUN_F_CSUM : 0) |
			      (offload && virtio_has_feature(&n->vdev, VIRTIO_NET_F_GUEST_TSO4) ?
			       TUN_F_TSO4 : 0) |
			      (offload && virtio_has_feature(&n->vdev, VIRTIO_NET_F_GUEST_TSO6) ?
			       TUN_F_TSO6 : 0));
	if (ret && ret != -ENOTTY)
		vmon_err("virtio-net: cannot set the tap's offloads: %s", strerror(-ret));

	/* kicks only when out of buffers (vnet_wait_kick()) */
	virtqueue_disable_kick(vq);
	while (vnet_running(n)) {
		ret = rx_step(n, vq, mrg, mtu, offload);
		if (ret == -EAGAIN) {
			vnet_wait(n->fd, POLLIN, n->rx_ctl);
		} else if (!ret) {
			vnet_wait_kick(vq, n->rx_ctl);
		} else if (ret < 0) {
			vnet_broken(n, n->rx_ctl);
			break;
		}
	}
	/* a reset ring forgets what the driver had given */
	n->rx.nr_held = 0;
	n->rx.len = 0;
}

static void *rx_thread(void *arg)
{
	struct virtio_net *n = arg;

	while (vnet_wait_start(n)) {
		rx_run(n);
		vnet_parked(n);
	}
	return NULL;
}

/* ---- transmit ---- */

/*
 * The frame of e behind the driver's header (csum: CSUM negotiated) or
 * a zero one, as an iovec over guest memory; copied into tx_buf when
 * the chain has more buffers than writev takes.  Returns the number of
 * iovecs, 0 for a chain that holds no frame.  The tap checks the
 * header it gets (a bad one fails the write: the frame is dropped).
 */
static int tx_gather(struct virtio_net *n, const struct virtq_elem *e, bool csum)
{
	size_t skip = HDR_LEN, off = 0;
	unsigned int i;
	int cnt = 1;

	if (e->out_len <= HDR_LEN || e->out_len > HDR_LEN + VNET_MAX_FRAME)
		return 0;
	n->tx_iov[0].iov_base = (void *)zero_hdr;
	n->tx_iov[0].iov_len = HDR_LEN;
	if (csum) {
		virtq_iov_to_buf(e->iov, e->nr_out, 0, n->tx_hdr, HDR_LEN);
		/* num_buffers is the device's field on receive only */
		n->tx_hdr[HDR_NUM_BUFFERS] = 0;
		n->tx_hdr[HDR_NUM_BUFFERS + 1] = 0;
		n->tx_iov[0].iov_base = n->tx_hdr;
	}
	for (i = 0; i < e->nr_out; i++) {
		size_t len = e->iov[i].iov_len;

		if (len <= skip) {
			skip -= len;
			continue;
		}
		n->tx_iov[cnt].iov_base = (uint8_t *)e->iov[i].iov_base + skip;
		n->tx_iov[cnt].iov_len = len - skip;
		skip = 0;
		cnt++;
	}
	if (cnt <= IOV_MAX)
		return cnt;
	for (i = 1; i < (unsigned int)cnt; i++) {
		memcpy(n->tx_buf + off, n->tx_iov[i].iov_base, n->tx_iov[i].iov_len);
		off += n->tx_iov[i].iov_len;
	}
	n->tx_iov[1].iov_base = n->tx_buf;
	n->tx_iov[1].iov_len = off;
	return 2;
}

/* false: a reset or the end of the run came while the tap was full */
static bool tx_send(struct virtio_net *n, const struct virtq_elem *e, bool csum)
{
	int cnt = tx_gather(n, e, csum);

	if (!cnt) {
		count(&n->stats.tx_dropped);
		return true;
	}
	while (writev(n->fd, n->tx_iov, cnt) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			/* the interface is down (EIO) or refused the frame */
			count(&n->stats.tx_dropped);
			return true;
		}
		vnet_wait(n->fd, POLLOUT, n->tx_ctl);
		if (!vnet_running(n))
			return false;
	}
	count(&n->stats.tx_frames);
	return true;
}

static void tx_run(struct virtio_net *n)
{
	struct virtqueue *vq = virtio_queue(&n->vdev, VIRTIO_NET_TXQ);
	bool csum = virtio_has_feature(&n->vdev, VIRTIO_NET_F_CSUM);
	unsigned int pushed = 0;
	int ret;

	while (vnet_running(n)) {
		ret = virtqueue_pop(vq, n->tx_elem);
		if (ret < 0) {
			vnet_broken(n, n->tx_ctl);
			break;
		}
		if (!ret) {
			if (pushed)
				virtqueue_notify(vq);
			pushed = 0;
			vnet_wait_kick(vq, n->tx_ctl);
			continue;
		}
		if (!tx_send(n, n->tx_elem, csum))
			break;
		/* the device writes nothing into a transmitted chain */
		virtqueue_push(vq, n->tx_elem, 0);
		if (++pushed == VNET_NOTIFY_BATCH) {
			virtqueue_notify(vq);
			pushed = 0;
		}
	}
}

static void *tx_thread(void *arg)
{
	struct virtio_net *n = arg;

	while (vnet_wait_start(n)) {
		tx_run(n);
		vnet_parked(n);
	}
	return NULL;
}

/* ---- the transport's callbacks: device lock held ---- */

static struct virtio_net *to_net(struct virtio_device *v)
{
	return v->priv;
}

static void net_config_read(struct virtio_device *v, unsigned int offset, void *data,
			    unsigned int len)
{
	struct virtio_net *n = to_net(v);

	memset(data, 0, len);
	if (offset < VIRTIO_NET_CFG_SIZE)
		memcpy(data, n->config + offset,
		       len < VIRTIO_NET_CFG_SIZE - offset ? len : VIRTIO_NET_CFG_SIZE - offset);
}

/* every field is read-only without VIRTIO_NET_F_CTRL_MAC_ADDR (5.1.4.2) */
static void net_config_write(struct virtio_device *v, unsigned int offset, const void *data,
			     unsigned int len)
{
}

static void net_start(struct virtio_device *v)
{
	struct virtio_net *n = to_net(v);

	pthread_mutex_lock(&n->lock);
	__atomic_store_n(&n->running, true, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&n->cond);
	pthread_mutex_unlock(&n->lock);
}

static void net_reset(struct virtio_device *v)
{
	struct virtio_net *n = to_net(v);
	bool idle;

	pthread_mutex_lock(&n->lock);
	__atomic_store_n(&n->running, false, __ATOMIC_RELEASE);
	/*
	 * Both threads parked (never started, or started but not yet
	 * awake): nothing touches the rings, the reset is done now.  So a
	 * driver's first reset, from status 0, is complete before it next
	 * writes device_status.
	 */
	idle = n->nr_parked == VNET_NR_THREADS;
	if (!idle)
		n->reset_pending = true;
	pthread_mutex_unlock(&n->lock);
	if (idle) {
		virtio_reset_done(v);
		return;
	}
	ctl_signal(n->rx_ctl);
	ctl_signal(n->tx_ctl);
}

static const struct virtio_device_ops virtio_net_ops = {
	.device_id = VIRTIO_ID_NET,
	.nr_queues = 2,
	.queue_size = VIRTIO_NET_QUEUE_SIZE,
	.features = 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS |
		    1ull << VIRTIO_NET_F_MRG_RXBUF | 1ull << VIRTIO_NET_F_MTU |
		    1ull << VIRTIO_NET_F_CSUM | 1ull << VIRTIO_NET_F_HOST_TSO4 |
		    1ull << VIRTIO_NET_F_HOST_TSO6 | 1ull << VIRTIO_NET_F_GUEST_CSUM |
		    1ull << VIRTIO_NET_F_GUEST_TSO4 | 1ull << VIRTIO_NET_F_GUEST_TSO6,
	.config_size = VIRTIO_NET_CFG_SIZE,
	.config_read = net_config_read,
	.config_write = net_config_write,
	.start = net_start,
	.reset = net_reset,
};

/* ---- life cycle ---- */

void virtio_net_default_mac(uint8_t mac[6])
{
	/*
	 * 52:54:00 is locally administered (bit 1 of the first byte) and
	 * unicast.  Linux's PID_MAX_LIMIT is 2^22, so the low 24 bits of
	 * the pid differ between any two vmon runs alive at once on a host.
	 */
	uint32_t pid = (uint32_t)getpid();

	mac[0] = 0x52;
	mac[1] = 0x54;
	mac[2] = 0x00;
	mac[3] = (uint8_t)(pid >> 16);
	mac[4] = (uint8_t)(pid >> 8);
	mac[5] = (uint8_t)pid;
}

static int start_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int ret;

	/* only the I/O thread takes the run's signals (io_thread.c) */
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGABRT);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	ret = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -ret;
}

static void net_free(struct virtio_net *n)
{
	unsigned int i;

	for (i = 0; i < VIRTIO_NET_QUEUE_SIZE; i++)
		free(n->rx.held[i]);
	free(n->rx.buf);
	free(n->tx_elem);
	free(n->tx_buf);
	if (n->rx_ctl >= 0)
		close(n->rx_ctl);
	if (n->tx_ctl >= 0)
		close(n->tx_ctl);
	close(n->fd);
	pthread_cond_destroy(&n->cond);
	pthread_mutex_destroy(&n->lock);
	free(n);
}

static struct virtio_net *net_alloc(int fd, const uint8_t mac[6], unsigned int mtu)
{
	struct virtio_net *n = calloc(1, sizeof(*n));

	if (!n) {
		close(fd);
		return NULL;
	}
	n->fd = fd;
	n->mtu = mtu;
	n->nr_parked = VNET_NR_THREADS;	/* until the driver starts the device */
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->cond, NULL);
	n->rx_ctl = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	n->tx_ctl = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	n->rx.buf = malloc(VNET_BOUNCE);
	n->tx_buf = malloc(VNET_MAX_FRAME);
	n->tx_elem = malloc(sizeof(*n->tx_elem));
	if (n->rx_ctl < 0 || n->tx_ctl < 0 || !n->rx.buf || !n->tx_buf || !n->tx_elem) {
		net_free(n);
		return NULL;
	}
	memcpy(n->config + VIRTIO_NET_CFG_MAC, mac, 6);
	n->config[VIRTIO_NET_CFG_STATUS] = VIRTIO_NET_S_LINK_UP;
	n->config[VIRTIO_NET_CFG_MAX_PAIRS] = 1;
	n->config[VIRTIO_NET_CFG_MTU] = (uint8_t)mtu;
	n->config[VIRTIO_NET_CFG_MTU + 1] = (uint8_t)(mtu >> 8);
	n->vdev.ops = &virtio_net_ops;
	n->vdev.priv = n;
	return n;
}

int virtio_net_create(struct vmon_machine *m, int fd, const uint8_t mac[6],
		      unsigned int mtu, struct virtio_net **out)
{
	struct virtio_net *n;
	int ret;

	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		close(fd);
		return -errno;
	}
	n = net_alloc(fd, mac, mtu);
	if (!n)
		return -ENOMEM;
	n->m = m;
	ret = virtio_pci_register(m, &n->vdev);
	if (ret) {
		net_free(n);
		return ret;
	}
	ret = start_thread(&n->rx_thread, rx_thread, n);
	if (!ret) {
		ret = start_thread(&n->tx_thread, tx_thread, n);
		if (ret) {
			pthread_mutex_lock(&n->lock);
			n->quit = true;
			pthread_cond_broadcast(&n->cond);
			pthread_mutex_unlock(&n->lock);
			pthread_join(n->rx_thread, NULL);
		}
	}
	if (ret) {
		/* registered with the bus: its callbacks may still find n */
		return ret;
	}
	*out = n;
	return 0;
}

struct virtio_device *virtio_net_vdev(struct virtio_net *n)
{
	return &n->vdev;
}

void virtio_net_stats(struct virtio_net *n, struct virtio_net_stats *s)
{
	s->rx_frames = __atomic_load_n(&n->stats.rx_frames, __ATOMIC_RELAXED);
	s->rx_dropped = __atomic_load_n(&n->stats.rx_dropped, __ATOMIC_RELAXED);
	s->tx_frames = __atomic_load_n(&n->stats.tx_frames, __ATOMIC_RELAXED);
	s->tx_dropped = __atomic_load_n(&n->stats.tx_dropped, __ATOMIC_RELAXED);
}

void virtio_net_destroy(struct virtio_net *n)
{
	pthread_mutex_lock(&n->lock);
	n->quit = true;
	__atomic_store_n(&n->running, false, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&n->cond);
	pthread_mutex_unlock(&n->lock);
	ctl_signal(n->rx_ctl);
	ctl_signal(n->tx_ctl);
	pthread_join(n->rx_thread, NULL);
	pthread_join(n->tx_thread, NULL);
	/*
	 * n stays allocated: the PCI function is registered with the
	 * machine, which goes next, and the transport may look at it.
	 */
	close(n->fd);
	n->fd = -1;
}

static void net_cleanup(void *arg)
{
	virtio_net_destroy(arg);
}

static int virtio_net_attach(struct vmon_machine *m)
{
	const struct machine_net *cfg = m->net;
	struct virtio_net *n;
	unsigned int mtu;
	uint8_t mac[6];
	int fd, ret;

	if (!cfg)
		return 0;
	fd = tap_open(cfg->tap, &mtu);
	if (fd < 0)
		return -DEVICE_EXPLAINED;	/* tap_open() said why */
	if (cfg->mac_given)
		memcpy(mac, cfg->mac, 6);
	else
		virtio_net_default_mac(mac);
	ret = virtio_net_create(m, fd, mac, mtu, &n);
	if (ret)
		return ret;
	ret = machine_add_cleanup(m, net_cleanup, n);
	if (ret)
		virtio_net_destroy(n);
	return ret;
}

const struct vmon_device virtio_net_device = {
	.name = "virtio-net",
	.attach = virtio_net_attach,
};
