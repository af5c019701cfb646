// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of virtio-net (devices/virtio_net.c) driven the way a
 * guest driver drives it: PCI configuration, the virtio registers in
 * the BAR its capabilities point to, split rings in guest RAM, and
 * notifications.  The tap is replaced by a SOCK_SEQPACKET socketpair
 * (one packet per frame, the virtio-net header in front, like a tap
 * with IFF_VNET_HDR); the real tap is tried last, in a network
 * namespace of its own, and skipped where /dev/net/tun is missing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "kselftest_harness.h"
#include "devices/devices.h"
#include "devices/tap.h"
#include "devices/virtio_net.h"
#include "devices/virtio_priv.h"
#include "machine.h"
#include "test_util.h"

#define RAM_SIZE	(8u << 20)
#define RING_GPA(q)	(0x10000u * ((q) + 1))	/* desc, avail +0x1000, used +0x2000 */
#define BUF_GPA		0x100000u		/* buffers from here on */
#define QSIZE		VIRTIO_NET_QUEUE_SIZE
#define HDR		TAP_VNET_HDR_LEN
#define TIMEOUT_MS	5000

/* struct virtio_pci_common_cfg, virtio 1.2 4.1.4.3 */
#define CC_DFSELECT	0x00
#define CC_DF		0x04
#define CC_GFSELECT	0x08
#define CC_GF		0x0c
#define CC_NUM_QUEUES	0x12
#define CC_STATUS	0x14
#define CC_Q_SELECT	0x16
#define CC_Q_SIZE	0x18
#define CC_Q_ENABLE	0x1c
#define CC_Q_NOFF	0x1e
#define CC_Q_DESC	0x20
#define CC_Q_DRIVER	0x28
#define CC_Q_DEVICE	0x30

struct ring {
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t next_desc;
	uint16_t avail_idx;
	uint16_t notify_off;
};

FIXTURE(vnet) {
	struct vmon_machine m;
	uint8_t *ram;
	int sv[2];		/* sv[0] is the device's, sv[1] the host's end */
	int console[2];
	struct virtio_net *n;
	struct pci_device *pci;
	uint64_t common, device, notify;
	uint32_t notify_mult;
	struct ring q[2];
	uint64_t next_buf;
};

static uint64_t mmio_rd(struct vmon_machine *m, uint64_t gpa, unsigned int size)
{
	uint64_t v = 0;

	machine_mmio(m, gpa, &v, size, false);
	return v;
}

static void mmio_wr(struct vmon_machine *m, uint64_t gpa, unsigned int size, uint64_t v)
{
	machine_mmio(m, gpa, &v, size, true);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* the BAR address of the virtio structure of cfg_type, from its capability */
static uint64_t find_cap(struct pci_device *d, uint8_t type, uint32_t *extra)
{
	unsigned int c = pci_config_get(d, 0x34, 1);

	while (c) {
		if (pci_config_get(d, c, 1) == 0x09 && pci_config_get(d, c + 3, 1) == type) {
			unsigned int bar = pci_config_get(d, c + 4, 1);

			if (extra)
				*extra = pci_config_get(d, c + 16, 4);
			return (pci_config_get(d, 0x10 + 4 * bar, 4) & ~0xfull) +
			       pci_config_get(d, c + 8, 4);
		}
		c = pci_config_get(d, c + 1, 1);
	}
	return 0;
}

static uint8_t status(struct _test_data_vnet *self)
{
	return (uint8_t)mmio_rd(&self->m, self->common + CC_STATUS, 1);
}

static void set_status(struct _test_data_vnet *self, uint8_t s)
{
	mmio_wr(&self->m, self->common + CC_STATUS, 1, s);
}

/* reset and wait for device_status to read 0 (2.4.1): true when it did */
static bool reset_device(struct _test_data_vnet *self)
{
	uint64_t end = now_ms() + TIMEOUT_MS;

	set_status(self, 0);
	while (status(self)) {
		if (now_ms() > end)
			return false;
		usleep(1000);
	}
	return true;
}

/* the driver's side of 3.1.1 with the given device features */
static bool init_device(struct _test_data_vnet *self, uint64_t features)
{
	struct vmon_machine *m = &self->m;
	unsigned int q;

	if (!reset_device(self)) {
		fprintf(stderr, "# reset: status %x\n", status(self));
		return false;
	}
	set_status(self, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	features |= 1ull << VIRTIO_F_VERSION_1;
	mmio_wr(m, self->common + CC_GFSELECT, 4, 0);
	mmio_wr(m, self->common + CC_GF, 4, (uint32_t)features);
	mmio_wr(m, self->common + CC_GFSELECT, 4, 1);
	mmio_wr(m, self->common + CC_GF, 4, features >> 32);
	set_status(self, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		   VIRTIO_STATUS_FEATURES_OK);
	if (!(status(self) & VIRTIO_STATUS_FEATURES_OK)) {
		fprintf(stderr, "# features refused\n");
		return false;
	}
	memset(self->ram, 0, BUF_GPA);
	for (q = 0; q < 2; q++) {
		struct ring *r = &self->q[q];

		r->desc = (void *)(self->ram + RING_GPA(q));
		r->avail = (void *)(self->ram + RING_GPA(q) + 0x1000);
		r->used = (void *)(self->ram + RING_GPA(q) + 0x2000);
		r->next_desc = 0;
		r->avail_idx = 0;
		mmio_wr(m, self->common + CC_Q_SELECT, 2, q);
		if (mmio_rd(m, self->common + CC_Q_SIZE, 2) != QSIZE) {
			fprintf(stderr, "# queue size %d\n", (int)mmio_rd(m, self->common + CC_Q_SIZE, 2));
			return false;
		}
		r->notify_off = (uint16_t)mmio_rd(m, self->common + CC_Q_NOFF, 2);
		mmio_wr(m, self->common + CC_Q_DESC, 8, RING_GPA(q));
		mmio_wr(m, self->common + CC_Q_DRIVER, 8, RING_GPA(q) + 0x1000);
		mmio_wr(m, self->common + CC_Q_DEVICE, 8, RING_GPA(q) + 0x2000);
		mmio_wr(m, self->common + CC_Q_ENABLE, 2, 1);
	}
	set_status(self, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		   VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	self->next_buf = BUF_GPA;
	return status(self) & VIRTIO_STATUS_DRIVER_OK;
}

/* a buffer of len bytes in guest RAM */
static uint64_t alloc_buf(struct _test_data_vnet *self, uint32_t len)
{
	uint64_t gpa = self->next_buf;

	self->next_buf = (self->next_buf + len + 15) & ~15ull;
	if (self->next_buf > RAM_SIZE) {
		self->next_buf = BUF_GPA;
		return alloc_buf(self, len);
	}
	return gpa;
}

struct seg {
	uint64_t gpa;
	uint32_t len;
	bool write;
};

/* make the chain available; returns its head */
static uint16_t add_chain(struct _test_data_vnet *self, unsigned int q, const struct seg *s,
			  unsigned int nr)
{
	struct ring *r = &self->q[q];
	uint16_t head = r->next_desc % QSIZE, idx = head;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		uint16_t next = (idx + 1) % QSIZE;

		r->desc[idx].addr = s[i].gpa;
		r->desc[idx].len = s[i].len;
		r->desc[idx].flags = (s[i].write ? VIRTQ_DESC_F_WRITE : 0) |
				     (i + 1 < nr ? VIRTQ_DESC_F_NEXT : 0);
		r->desc[idx].next = next;
		idx = next;
	}
	r->next_desc = idx;
	r->avail->ring[r->avail_idx % QSIZE] = head;
	r->avail_idx++;
	__atomic_store_n(&r->avail->idx, r->avail_idx, __ATOMIC_RELEASE);
	return head;
}

/* the same through one indirect descriptor (2.7.5.3) */
static uint16_t add_indirect(struct _test_data_vnet *self, unsigned int q, const struct seg *s,
			     unsigned int nr)
{
	uint64_t table = alloc_buf(self, 16 * nr);
	struct virtq_desc *d = (void *)(self->ram + table);
	unsigned int i;

	for (i = 0; i < nr; i++) {
		d[i].addr = s[i].gpa;
		d[i].len = s[i].len;
		d[i].flags = (s[i].write ? VIRTQ_DESC_F_WRITE : 0) |
			     (i + 1 < nr ? VIRTQ_DESC_F_NEXT : 0);
		d[i].next = (uint16_t)(i + 1);
	}
	add_chain(self, q, (struct seg[]){ { table, 16 * nr, false } }, 1);
	self->q[q].desc[(self->q[q].next_desc + QSIZE - 1) % QSIZE].flags = VIRTQ_DESC_F_INDIRECT;
	return (self->q[q].next_desc + QSIZE - 1) % QSIZE;
}

static void kick(struct _test_data_vnet *self, unsigned int q)
{
	mmio_wr(&self->m, self->notify + self->q[q].notify_off * self->notify_mult, 2, q);
}

/* wait for the used ring of q to reach idx */
static bool wait_used(struct _test_data_vnet *self, unsigned int q, uint16_t idx)
{
	uint64_t end = now_ms() + TIMEOUT_MS;

	while (__atomic_load_n(&self->q[q].used->idx, __ATOMIC_ACQUIRE) != idx) {
		if (now_ms() > end)
			return false;
		usleep(500);
	}
	return true;
}

static uint16_t used_idx(struct _test_data_vnet *self, unsigned int q)
{
	return __atomic_load_n(&self->q[q].used->idx, __ATOMIC_ACQUIRE);
}

/* a frame of len bytes whose bytes count from seed */
static void pattern(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* the host writes one frame to the device, behind a header of junk */
static bool host_send(struct _test_data_vnet *self, size_t len, unsigned int seed)
{
	static uint8_t buf[HDR + 70000];

	memset(buf, 0xee, HDR);
	pattern(buf + HDR, len, seed);
	return send(self->sv[1], buf, HDR + len, 0) == (ssize_t)(HDR + len);
}

/* the host reads one frame; its length (header included), -1 if none within the timeout */
static ssize_t host_recv(struct _test_data_vnet *self, uint8_t *buf, size_t size)
{
	struct pollfd p = { .fd = self->sv[1], .events = POLLIN };

	if (poll(&p, 1, TIMEOUT_MS) != 1)
		return -1;
	return recv(self->sv[1], buf, size, MSG_DONTWAIT);
}

static const uint8_t test_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

FIXTURE_SETUP(vnet)
{
	int bufsize = 1 << 20;

	self->ram = aligned_alloc(4096, RAM_SIZE);
	ASSERT_NE(NULL, self->ram);
	ASSERT_EQ(0, pipe2(self->console, O_NONBLOCK));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, self->sv));
	setsockopt(self->sv[1], SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(bufsize));
	machine_init(&self->m, self->console[1]);
	ASSERT_EQ(0, machine_add_devices(&self->m));
	ASSERT_EQ(0, machine_add_ram(&self->m, 0, RAM_SIZE, self->ram));
	ASSERT_EQ(0, virtio_net_create(&self->m, self->sv[0], test_mac, 1500, &self->n));
	self->pci = &virtio_net_vdev(self->n)->pci;
	self->common = find_cap(self->pci, 1, NULL);
	self->device = find_cap(self->pci, 4, NULL);
	self->notify = find_cap(self->pci, 2, &self->notify_mult);
	ASSERT_NE(0, self->common);
	ASSERT_NE(0, self->device);
	ASSERT_NE(0, self->notify);
}

FIXTURE_TEARDOWN(vnet)
{
	/* the end of the run: joins the threads, whatever they wait for */
	virtio_net_destroy(self->n);
	machine_destroy(&self->m);
	if (self->sv[1] >= 0)
		close(self->sv[1]);
	close(self->console[0]);
	close(self->console[1]);
	free(self->ram);
}

TEST_F(vnet, identity_features_and_config)
{
	struct vmon_machine *m = &self->m;
	uint64_t f;

	EXPECT_EQ(0x10411af4, pci_config_get(self->pci, 0x00, 4));
	EXPECT_EQ(0x020000, pci_config_get(self->pci, 0x08, 4) >> 8);	/* Ethernet */
	mmio_wr(m, self->common + CC_DFSELECT, 4, 0);
	f = mmio_rd(m, self->common + CC_DF, 4);
	mmio_wr(m, self->common + CC_DFSELECT, 4, 1);
	f |= mmio_rd(m, self->common + CC_DF, 4) << 32;
	EXPECT_TRUE(f & 1ull << VIRTIO_NET_F_MAC);
	EXPECT_TRUE(f & 1ull << VIRTIO_NET_F_STATUS);
	EXPECT_TRUE(f & 1ull << VIRTIO_NET_F_MRG_RXBUF);
	EXPECT_TRUE(f & 1ull << VIRTIO_NET_F_MTU);
	EXPECT_TRUE(f & 1ull << VIRTIO_F_VERSION_1);
	/* checksum and TCP segmentation offloads, the tap's */
	EXPECT_TRUE(f & 1ull << VIRTIO_NET_F_CSUM);
	EXPECT_TRUE(f & 1ull << VIRTIO_NET_F_HOST_TSO4);
	EXPECT_TRUE(f & 1ull << VIRTIO_NET_F_HOST_TSO6);
	EXPECT_TRUE(f & 1ull << VIRTIO_NET_F_GUEST_CSUM);
	EXPECT_TRUE(f & 1ull << VIRTIO_NET_F_GUEST_TSO4);
	EXPECT_TRUE(f & 1ull << VIRTIO_NET_F_GUEST_TSO6);
	/* no UFO, ECN or guest offload control (2, 9, 10, 13, 14), no control queue (17) */
	EXPECT_EQ(0, f & (1ull << 2 | 1ull << 9 | 1ull << 10 | 1ull << 13 | 1ull << 14 |
			  1ull << 17));
	EXPECT_EQ(2, mmio_rd(m, self->common + CC_NUM_QUEUES, 2));

	EXPECT_EQ(0x005452, mmio_rd(m, self->device + 0, 4) & 0xffffff);
	EXPECT_EQ(0x12, mmio_rd(m, self->device + 3, 1));
	EXPECT_EQ(0x5634, mmio_rd(m, self->device + 4, 2));
	EXPECT_EQ(VIRTIO_NET_S_LINK_UP, mmio_rd(m, self->device + VIRTIO_NET_CFG_STATUS, 2));
	EXPECT_EQ(1, mmio_rd(m, self->device + VIRTIO_NET_CFG_MAX_PAIRS, 2));
	EXPECT_EQ(1500, mmio_rd(m, self->device + VIRTIO_NET_CFG_MTU, 2));
	/* the MAC is read-only without CTRL_MAC_ADDR */
	mmio_wr(m, self->device + 0, 4, 0xffffffff);
	EXPECT_EQ(0x52, mmio_rd(m, self->device + 0, 1));
	/* and the device works once the driver is done */
	ASSERT_TRUE(init_device(self, 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS));
}

TEST(default_mac_is_local_unicast_and_per_process)
{
	uint8_t mac[6];
	unsigned int pid = (unsigned int)getpid();

	virtio_net_default_mac(mac);
	EXPECT_EQ(0x52, mac[0]);	/* locally administered, unicast */
	EXPECT_EQ(0x54, mac[1]);
	EXPECT_EQ(0x00, mac[2]);
	EXPECT_EQ((pid >> 16) & 0xff, mac[3]);
	EXPECT_EQ((pid >> 8) & 0xff, mac[4]);
	EXPECT_EQ(pid & 0xff, mac[5]);
}

/* transmit the frame of len bytes split as the lengths in split (0-ended); check the tap's copy */
static void tx_chain(struct _test_data_vnet *self, struct __test_metadata *_metadata,
		     size_t len, const uint32_t *split, unsigned int seed, bool indirect)
{
	static uint8_t frame[HDR + 70000], got[HDR + 70000];
	struct seg s[1100];
	uint16_t idx = used_idx(self, 1), head;
	unsigned int nr = 0;
	size_t off = 0;
	uint64_t gpa;

	memset(frame, 0x5a, HDR);	/* junk the device must not pass on */
	pattern(frame + HDR, len, seed);
	while (off < HDR + len) {
		uint32_t l = split[nr] ? split[nr] : (uint32_t)(HDR + len - off);

		if (l > HDR + len - off)
			l = (uint32_t)(HDR + len - off);
		gpa = alloc_buf(self, l);
		memcpy(self->ram + gpa, frame + off, l);
		s[nr].gpa = gpa;
		s[nr].len = l;
		s[nr].write = false;
		off += l;
		nr++;
	}
	head = indirect ? add_indirect(self, 1, s, nr) : add_chain(self, 1, s, nr);
	kick(self, 1);
	ASSERT_EQ((ssize_t)(HDR + len), host_recv(self, got, sizeof(got)));
	ASSERT_EQ(0, memcmp(got, (uint8_t[HDR]){ 0 }, HDR));
	ASSERT_EQ(0, memcmp(got + HDR, frame + HDR, len));
	ASSERT_TRUE(wait_used(self, 1, idx + 1));
	EXPECT_EQ(head, self->q[1].used->ring[idx % QSIZE].id);
	EXPECT_EQ(0, self->q[1].used->ring[idx % QSIZE].len);
}

static void tx_one(struct _test_data_vnet *self, struct __test_metadata *_metadata,
		   size_t len, const uint32_t *split, unsigned int seed)
{
	tx_chain(self, _metadata, len, split, seed, false);
}

TEST_F(vnet, tx_sizes_and_chain_shapes)
{
	static uint32_t many[1100];
	struct virtio_net_stats st;
	unsigned int i;

	ASSERT_TRUE(init_device(self, 1ull << VIRTIO_NET_F_MRG_RXBUF |
				1ull << VIRTIO_F_RING_INDIRECT_DESC));
	/* header and frame in one buffer */
	tx_one(self, _metadata, 60, (uint32_t[]){ 0 }, 1);
	/* header alone, then the frame */
	tx_one(self, _metadata, 1514, (uint32_t[]){ HDR, 0 }, 2);
	/* the header split, the frame in small pieces */
	tx_one(self, _metadata, 1514, (uint32_t[]){ 5, 3, 4, 100, 1, 200, 0 }, 3);
	/* a 64 KiB frame in 1 KiB buffers */
	for (i = 0; i < 80; i++)
		many[i] = 1024;
	many[80] = 0;
	tx_one(self, _metadata, 65000, many, 4);
	/* an indirect table of 1024 buffers, the header in two: beyond IOV_MAX */
	for (i = 0; i < 1024; i++)
		many[i] = i < 2 ? HDR / 2 : 3;
	many[1024] = 0;
	tx_chain(self, _metadata, 1022 * 3, many, 5, true);
	/* the same with the header in one buffer: 1024 iovecs, no copy */
	many[0] = HDR;
	many[1] = 3;
	tx_chain(self, _metadata, 1023 * 3, many, 6, true);
	/* many frames back to back, more than a notify batch */
	for (i = 0; i < 100; i++)
		tx_one(self, _metadata, 60 + i, (uint32_t[]){ HDR, 0 }, i);
	virtio_net_stats(self->n, &st);
	EXPECT_EQ(106, st.tx_frames);
	EXPECT_EQ(0, st.tx_dropped);
}

/* with CSUM the driver's header reaches the tap as it is, but num_buffers */
TEST_F(vnet, tx_passes_the_header_with_csum)
{
	static const uint8_t hdr[HDR] = {
		VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4,
		54, 0, 0xa8, 0x05, 34, 0, 16, 0, 0x77, 0x77
	};
	uint8_t got[HDR + 3000], want[3000];
	uint64_t gpa;

	ASSERT_TRUE(init_device(self, 1ull << VIRTIO_NET_F_CSUM | 1ull << VIRTIO_NET_F_HOST_TSO4));
	gpa = alloc_buf(self, HDR + sizeof(want));
	memcpy(self->ram + gpa, hdr, HDR);
	pattern(want, sizeof(want), 4);
	memcpy(self->ram + gpa + HDR, want, sizeof(want));
	add_chain(self, 1, (struct seg[]){ { gpa, HDR + sizeof(want), false } }, 1);
	kick(self, 1);
	ASSERT_EQ((ssize_t)(HDR + sizeof(want)), host_recv(self, got, sizeof(got)));
	EXPECT_EQ(0, memcmp(got, hdr, 10));
	EXPECT_EQ(0, got[10]);
	EXPECT_EQ(0, got[11]);
	EXPECT_EQ(0, memcmp(got + HDR, want, sizeof(want)));
	ASSERT_TRUE(wait_used(self, 1, 1));
}

TEST_F(vnet, tx_without_a_frame_is_dropped_and_returned)
{
	struct virtio_net_stats st;
	uint8_t got[64];
	uint16_t head;

	ASSERT_TRUE(init_device(self, 0));
	/* a header and nothing after it, and less than a header */
	add_chain(self, 1, (struct seg[]){ { alloc_buf(self, HDR), HDR, false } }, 1);
	head = add_chain(self, 1, (struct seg[]){ { alloc_buf(self, 4), 4, false } }, 1);
	kick(self, 1);
	ASSERT_TRUE(wait_used(self, 1, 2));
	EXPECT_EQ(head, self->q[1].used->ring[1].id);
	EXPECT_EQ(-1, recv(self->sv[1], got, sizeof(got), MSG_DONTWAIT));
	virtio_net_stats(self->n, &st);
	EXPECT_EQ(2, st.tx_dropped);
	EXPECT_EQ(0, st.tx_frames);
}

/* post nr receive buffers of len bytes each */
static void rx_post(struct _test_data_vnet *self, unsigned int nr, uint32_t len, uint64_t *gpa)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		gpa[i] = alloc_buf(self, len);
		memset(self->ram + gpa[i], 0xcc, len);
		add_chain(self, 0, (struct seg[]){ { gpa[i], len, true } }, 1);
	}
	kick(self, 0);
}

static uint16_t num_buffers(struct _test_data_vnet *self, uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, self->ram + gpa + 10, 2);
	return v;
}

TEST_F(vnet, rx_one_buffer_per_frame)
{
	uint8_t want[1000];
	uint64_t gpa[4];

	ASSERT_TRUE(init_device(self, 1ull << VIRTIO_NET_F_MRG_RXBUF));
	rx_post(self, 4, 1526, gpa);
	ASSERT_TRUE(host_send(self, 1000, 9));
	ASSERT_TRUE(wait_used(self, 0, 1));
	EXPECT_EQ(0, self->q[0].used->ring[0].id);
	EXPECT_EQ(HDR + 1000, self->q[0].used->ring[0].len);
	/* the host's header does not pass: zero but num_buffers */
	EXPECT_EQ(0, memcmp(self->ram + gpa[0], (uint8_t[10]){ 0 }, 10));
	EXPECT_EQ(1, num_buffers(self, gpa[0]));
	pattern(want, sizeof(want), 9);
	EXPECT_EQ(0, memcmp(self->ram + gpa[0] + HDR, want, sizeof(want)));
	/* the next frame takes the next buffer */
	ASSERT_TRUE(host_send(self, 60, 10));
	ASSERT_TRUE(wait_used(self, 0, 2));
	EXPECT_EQ(1, self->q[0].used->ring[1].id);
	EXPECT_EQ(HDR + 60, self->q[0].used->ring[1].len);
}

TEST_F(vnet, rx_merges_buffers_for_a_large_frame)
{
	static uint8_t want[3000];
	struct virtio_net_stats st;
	uint64_t gpa[10];
	unsigned int i;

	ASSERT_TRUE(init_device(self, 1ull << VIRTIO_NET_F_MRG_RXBUF));
	rx_post(self, 10, 1000, gpa);
	ASSERT_TRUE(host_send(self, 3000, 77));
	ASSERT_TRUE(wait_used(self, 0, 4));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(i, self->q[0].used->ring[i].id);
		EXPECT_EQ(i < 3 ? 1000 : HDR, self->q[0].used->ring[i].len);
	}
	EXPECT_EQ(4, num_buffers(self, gpa[0]));
	pattern(want, sizeof(want), 77);
	EXPECT_EQ(0, memcmp(self->ram + gpa[0] + HDR, want, 1000 - HDR));
	EXPECT_EQ(0, memcmp(self->ram + gpa[1], want + 1000 - HDR, 1000));
	EXPECT_EQ(0, memcmp(self->ram + gpa[2], want + 2000 - HDR, 1000));
	EXPECT_EQ(0, memcmp(self->ram + gpa[3], want + 3000 - HDR, HDR));
	/* buffers the first frame did not need take the next, in order */
	ASSERT_TRUE(host_send(self, 100, 78));
	ASSERT_TRUE(wait_used(self, 0, 5));
	EXPECT_EQ(4, self->q[0].used->ring[4].id);
	EXPECT_EQ(1, num_buffers(self, gpa[4]));
	/* as many buffers as the frame fills */
	ASSERT_TRUE(host_send(self, 2500, 79));
	ASSERT_TRUE(wait_used(self, 0, 8));
	EXPECT_EQ(3, num_buffers(self, gpa[5]));
	virtio_net_stats(self->n, &st);
	EXPECT_EQ(3, st.rx_frames);
	EXPECT_EQ(0, st.rx_dropped);
}

TEST_F(vnet, rx_frame_waits_for_buffers)
{
	static uint8_t want[3000];
	struct virtio_net_stats st;
	uint64_t gpa[4];

	ASSERT_TRUE(init_device(self, 1ull << VIRTIO_NET_F_MRG_RXBUF));
	/* no buffers: the frames stay queued, nothing is dropped */
	ASSERT_TRUE(host_send(self, 200, 1));
	ASSERT_TRUE(host_send(self, 3000, 2));
	usleep(100 * 1000);
	EXPECT_EQ(0, used_idx(self, 0));
	/* one buffer: the first frame goes, the second needs more */
	rx_post(self, 1, 1000, gpa);
	ASSERT_TRUE(wait_used(self, 0, 1));
	EXPECT_EQ(HDR + 200, self->q[0].used->ring[0].len);
	rx_post(self, 1, 1000, gpa);
	usleep(100 * 1000);
	EXPECT_EQ(1, used_idx(self, 0));
	rx_post(self, 3, 1000, gpa + 1);
	ASSERT_TRUE(wait_used(self, 0, 5));
	EXPECT_EQ(4, num_buffers(self, gpa[0]));
	pattern(want, sizeof(want), 2);
	EXPECT_EQ(0, memcmp(self->ram + gpa[1], want + 1000 - HDR, 1000));
	virtio_net_stats(self->n, &st);
	EXPECT_EQ(2, st.rx_frames);
	EXPECT_EQ(0, st.rx_dropped);
}

TEST_F(vnet, rx_without_mrg_uses_one_chain)
{
	struct virtio_net_stats st;
	uint64_t gpa[2];

	ASSERT_TRUE(init_device(self, 0));
	/* a header buffer and a data buffer in one chain, as Linux posts them */
	gpa[0] = alloc_buf(self, HDR);
	gpa[1] = alloc_buf(self, 1518);
	add_chain(self, 0, (struct seg[]){ { gpa[0], HDR, true }, { gpa[1], 1518, true } }, 2);
	kick(self, 0);
	ASSERT_TRUE(host_send(self, 1514, 5));
	ASSERT_TRUE(wait_used(self, 0, 1));
	EXPECT_EQ(HDR + 1514, self->q[0].used->ring[0].len);
	EXPECT_EQ(1, num_buffers(self, gpa[0]));
	/* too large for the one chain: dropped, the buffer waits for the next frame */
	rx_post(self, 1, 500, gpa);
	ASSERT_TRUE(host_send(self, 1000, 6));
	ASSERT_TRUE(host_send(self, 100, 7));
	ASSERT_TRUE(wait_used(self, 0, 2));
	EXPECT_EQ(HDR + 100, self->q[0].used->ring[1].len);
	EXPECT_EQ(7, self->ram[gpa[0] + HDR]);
	virtio_net_stats(self->n, &st);
	EXPECT_EQ(1, st.rx_dropped);
	EXPECT_EQ(2, st.rx_frames);
}

TEST_F(vnet, rx_drops_frames_beyond_the_mtu)
{
	struct virtio_net_stats st;
	uint64_t gpa[8];

	ASSERT_TRUE(init_device(self, 1ull << VIRTIO_NET_F_MRG_RXBUF | 1ull << VIRTIO_NET_F_MTU));
	rx_post(self, 8, 1000, gpa);
	ASSERT_TRUE(host_send(self, 1500 + 18 + 1, 1));	/* MTU + Ethernet + VLAN headers + 1 */
	ASSERT_TRUE(host_send(self, 1500 + 18, 2));
	ASSERT_TRUE(wait_used(self, 0, 2));
	EXPECT_EQ(2, num_buffers(self, gpa[0]));
	EXPECT_EQ(2 + 2 * 7, self->ram[gpa[0] + HDR + 2]);
	virtio_net_stats(self->n, &st);
	EXPECT_EQ(1, st.rx_dropped);
}

/*
 * With GUEST_CSUM the tap's header reaches the driver (num_buffers the
 * device's), and a TSO frame is not held to the MTU.
 */
TEST_F(vnet, rx_passes_the_header_with_guest_csum)
{
	static uint8_t buf[HDR + 3000], want[3000];
	static const uint8_t hdr[10] = {
		VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV4,
		54, 0, 0xa8, 0x05, 34, 0, 16, 0
	};
	struct virtio_net_stats st;
	uint64_t gpa[8];

	ASSERT_TRUE(init_device(self, 1ull << VIRTIO_NET_F_MRG_RXBUF | 1ull << VIRTIO_NET_F_MTU |
				1ull << VIRTIO_NET_F_GUEST_CSUM | 1ull << VIRTIO_NET_F_GUEST_TSO4));
	rx_post(self, 8, 1000, gpa);
	memcpy(buf, hdr, sizeof(hdr));
	pattern(buf + HDR, sizeof(want), 5);
	ASSERT_EQ((ssize_t)sizeof(buf), send(self->sv[1], buf, sizeof(buf), 0));
	ASSERT_TRUE(wait_used(self, 0, 4));
	EXPECT_EQ(0, memcmp(self->ram + gpa[0], hdr, sizeof(hdr)));
	EXPECT_EQ(4, num_buffers(self, gpa[0]));
	pattern(want, sizeof(want), 5);
	EXPECT_EQ(0, memcmp(self->ram + gpa[0] + HDR, want, 1000 - HDR));
	EXPECT_EQ(0, memcmp(self->ram + gpa[3], want + 3000 - HDR, HDR));
	virtio_net_stats(self->n, &st);
	EXPECT_EQ(0, st.rx_dropped);
	EXPECT_EQ(1, st.rx_frames);
}

TEST_F(vnet, reset_with_buffers_held_and_a_frame_waiting)
{
	uint64_t gpa[4];

	ASSERT_TRUE(init_device(self, 1ull << VIRTIO_NET_F_MRG_RXBUF));
	rx_post(self, 1, 1000, gpa);
	ASSERT_TRUE(host_send(self, 3000, 1));	/* needs 4 buffers, has 1 */
	usleep(50 * 1000);
	EXPECT_EQ(0, used_idx(self, 0));
	ASSERT_TRUE(reset_device(self));
	/* a new driver, new rings: the device works from scratch */
	ASSERT_TRUE(init_device(self, 1ull << VIRTIO_NET_F_MRG_RXBUF));
	rx_post(self, 2, 1000, gpa);
	ASSERT_TRUE(host_send(self, 100, 2));
	ASSERT_TRUE(wait_used(self, 0, 1));
	EXPECT_EQ(HDR + 100, self->q[0].used->ring[0].len);
	EXPECT_EQ(0, self->q[0].used->ring[0].id);
	tx_one(self, _metadata, 80, (uint32_t[]){ 0 }, 3);
	/* and resets again at once, twice in a row */
	ASSERT_TRUE(reset_device(self));
	ASSERT_TRUE(reset_device(self));
}

TEST_F(vnet, reset_while_the_tap_is_full)
{
	uint32_t len = 60000;
	struct virtio_net_stats st;
	uint16_t queued = 0;

	ASSERT_TRUE(init_device(self, 0));
	/*
	 * The host reads nothing: the device's writes soon find the socket
	 * full (its send buffer, about 200 KiB by default).
	 */
	while (queued < 16) {
		uint64_t gpa = alloc_buf(self, HDR + len);

		add_chain(self, 1, (struct seg[]){ { gpa, HDR + len, false } }, 1);
		queued++;
	}
	kick(self, 1);
	usleep(100 * 1000);
	EXPECT_GT(queued, used_idx(self, 1));
	virtio_net_stats(self->n, &st);
	EXPECT_EQ(0, st.tx_dropped);
	EXPECT_EQ(used_idx(self, 1), st.tx_frames);
	/* the tx thread waits for POLLOUT; a reset must not wait for the host */
	ASSERT_TRUE(reset_device(self));
	ASSERT_TRUE(init_device(self, 0));
}

TEST_F(vnet, end_of_run_while_both_threads_wait)
{
	uint32_t len = 60000;
	unsigned int i;

	ASSERT_TRUE(init_device(self, 1ull << VIRTIO_NET_F_MRG_RXBUF));
	/* tx waits for POLLOUT on a full socket, rx for buffers with a frame waiting */
	for (i = 0; i < 16; i++) {
		uint64_t gpa = alloc_buf(self, HDR + len);

		add_chain(self, 1, (struct seg[]){ { gpa, HDR + len, false } }, 1);
	}
	kick(self, 1);
	ASSERT_TRUE(host_send(self, 100, 1));
	usleep(100 * 1000);
	EXPECT_GT(16, used_idx(self, 1));
	/* the teardown's virtio_net_destroy() must wake and join both */
}

TEST_F(vnet, broken_ring_needs_reset)
{
	uint64_t gpa[1];

	ASSERT_TRUE(init_device(self, 0));
	/* an avail index more than a queue ahead (2.7.13.3) */
	__atomic_store_n(&self->q[1].avail->idx, QSIZE + 5, __ATOMIC_RELEASE);
	kick(self, 1);
	usleep(50 * 1000);
	EXPECT_TRUE(status(self) & VIRTIO_STATUS_NEEDS_RESET);
	ASSERT_TRUE(reset_device(self));
	ASSERT_TRUE(init_device(self, 0));
	rx_post(self, 1, 1526, gpa);
	ASSERT_TRUE(host_send(self, 64, 1));
	ASSERT_TRUE(wait_used(self, 0, 1));
}

TEST_F(vnet, rx_stops_when_the_backend_goes_away)
{
	struct virtio_net_stats st;
	uint64_t gpa[2];
	int saved;
	char *msg;

	ASSERT_TRUE(init_device(self, 1ull << VIRTIO_NET_F_MRG_RXBUF));
	rx_post(self, 2, 1526, gpa);
	ASSERT_TRUE(host_send(self, 100, 1));
	ASSERT_TRUE(wait_used(self, 0, 1));
	/* reads now end at once with 0: one message, no spinning, no drops */
	saved = capture_begin(2);
	close(self->sv[1]);
	self->sv[1] = -1;
	usleep(100 * 1000);
	msg = capture_end(2, saved);
	EXPECT_NE(NULL, strstr(msg, "virtio-net: cannot read the tap: end of file"));
	free(msg);
	virtio_net_stats(self->n, &st);
	EXPECT_EQ(1, st.rx_frames);
	EXPECT_EQ(0, st.rx_dropped);
	/* and a reset still completes */
	ASSERT_TRUE(reset_device(self));
}

/*
 * A tap as 'ip tuntap add dev NAME mode tap user root' makes it, in a
 * network namespace of this test's own; false when the machine cannot.
 */
static bool make_tap(const char *name, const char **why)
{
	struct ifreq ifr;
	int tun;

	*why = "no /dev/net/tun";
	if (access("/dev/net/tun", R_OK | W_OK))
		return false;
	*why = "cannot make a network namespace";
	if (unshare(CLONE_NEWNET))
		return false;
	*why = "cannot create a tap";
	tun = open("/dev/net/tun", O_RDWR);
	if (tun < 0)
		return false;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	/* owned by root: without an owner or group anyone may attach */
	if (ioctl(tun, TUNSETIFF, &ifr) || ioctl(tun, TUNSETOWNER, 0) ||
	    ioctl(tun, TUNSETPERSIST, 1)) {
		close(tun);
		return false;
	}
	close(tun);
	return true;
}

/* bring name up without IPv6, whose router solicitations would be noise */
static bool link_up(const char *name)
{
	char path[128];
	struct ifreq ifr;
	int fd, s;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
	fd = open(path, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			return false;
		close(fd);
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, name);
	ifr.ifr_flags = IFF_UP;
	fd = ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
	return fd == 0;
}

/* frames through a real tap, both ways: the kernel parses the 12-byte header */
TEST_F(vnet, real_tap_frames)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	uint8_t frame[1514], got[2048];
	struct virtio_net *n2;
	const char *why;
	unsigned int mtu;
	uint64_t gpa[4];
	int fd, pkt;
	ssize_t len;

	if (!make_tap("vmontap1", &why))
		SKIP(return, "%s", why);
	fd = tap_open("vmontap1", &mtu);
	ASSERT_LE(0, fd);
	ASSERT_TRUE(link_up("vmontap1"));
	/* a second device on the tap; the driver helpers now speak to it */
	ASSERT_EQ(0, virtio_net_create(&self->m, fd, test_mac, mtu, &n2));
	self->pci = &virtio_net_vdev(n2)->pci;
	self->common = find_cap(self->pci, 1, NULL);
	self->notify = find_cap(self->pci, 2, &self->notify_mult);
	ASSERT_TRUE(init_device(self, 1ull << VIRTIO_NET_F_MRG_RXBUF));
	pkt = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	ASSERT_LE(0, pkt);
	sll.sll_ifindex = (int)if_nametoindex("vmontap1");
	ASSERT_EQ(0, bind(pkt, (struct sockaddr *)&sll, sizeof(sll)));

	/* guest to host: the host's stack sees the frame on vmontap1 */
	memcpy(frame, bcast, 6);
	memcpy(frame + 6, test_mac, 6);
	frame[12] = 0x88;	/* the IEEE local experimental EtherType */
	frame[13] = 0xb5;
	pattern(frame + 14, sizeof(frame) - 14, 42);
	memset(self->ram + BUF_GPA, 0, HDR);
	memcpy(self->ram + BUF_GPA + HDR, frame, sizeof(frame));
	add_chain(self, 1, (struct seg[]){ { BUF_GPA, HDR + sizeof(frame), false } }, 1);
	self->next_buf = BUF_GPA + 0x1000;
	kick(self, 1);
	ASSERT_TRUE(wait_used(self, 1, 1));
	do {
		struct pollfd p = { .fd = pkt, .events = POLLIN };

		ASSERT_EQ(1, poll(&p, 1, TIMEOUT_MS));
		len = recv(pkt, got, sizeof(got), 0);
	} while (len > 13 && (got[12] != 0x88 || got[13] != 0xb5));
	ASSERT_EQ(sizeof(frame), len);
	EXPECT_EQ(0, memcmp(frame, got, sizeof(frame)));

	/* host to guest: sent on vmontap1, read by the device */
	rx_post(self, 4, 1526, gpa);
	memcpy(frame, test_mac, 6);
	pattern(frame + 14, sizeof(frame) - 14, 43);
	ASSERT_EQ(sizeof(frame), send(pkt, frame, sizeof(frame), 0));
	ASSERT_TRUE(wait_used(self, 0, 1));
	EXPECT_EQ(HDR + sizeof(frame), self->q[0].used->ring[0].len);
	EXPECT_EQ(1, num_buffers(self, gpa[0]));
	EXPECT_EQ(0, memcmp(self->ram + gpa[0], (uint8_t[10]){ 0 }, 10));
	EXPECT_EQ(0, memcmp(self->ram + gpa[0] + HDR, frame, sizeof(frame)));
	close(pkt);
	virtio_net_destroy(n2);
}

/* tap_open() on a real tap, where this process may make a network namespace */
TEST(real_tap)
{
	struct ifreq ifr;
	unsigned int mtu = 0;
	int fd, flags, sz = 0, saved;
	const char *why;
	char *msg;

	if (!make_tap("vmontap0", &why))
		SKIP(return, "%s", why);
	saved = capture_begin(2);
	EXPECT_EQ(-ENODEV, tap_open("vmontap9", &mtu));
	msg = capture_end(2, saved);
	EXPECT_NE(NULL, strstr(msg, "ip tuntap add dev vmontap9 mode tap"));
	free(msg);

	fd = tap_open("vmontap0", &mtu);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1500, mtu);
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	ASSERT_EQ(0, ioctl(fd, TUNGETVNETHDRSZ, &sz));
	EXPECT_EQ(HDR, sz);
	memset(&ifr, 0, sizeof(ifr));
	ASSERT_EQ(0, ioctl(fd, TUNGETIFF, &ifr));
	flags = ifr.ifr_flags;
	EXPECT_EQ(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, flags & (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR));
	saved = capture_begin(2);
	EXPECT_EQ(-EBUSY, tap_open("vmontap0", &mtu));
	msg = capture_end(2, saved);
	EXPECT_NE(NULL, strstr(msg, "another program has it open"));
	free(msg);
	close(fd);

	/* a tun is not a tap */
	fd = open("/dev/net/tun", O_RDWR);
	ASSERT_LE(0, fd);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "vmontun0");
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	ASSERT_EQ(0, ioctl(fd, TUNSETIFF, &ifr));
	ASSERT_EQ(0, ioctl(fd, TUNSETPERSIST, 1));
	close(fd);
	saved = capture_begin(2);
	EXPECT_EQ(-EINVAL, tap_open("vmontun0", &mtu));
	msg = capture_end(2, saved);
	EXPECT_NE(NULL, strstr(msg, "not a single-queue tap"));
	free(msg);

	/* someone who neither owns the tap nor has CAP_NET_ADMIN */
	ASSERT_EQ(0, setresuid(65534, 65534, 65534));
	saved = capture_begin(2);
	EXPECT_EQ(-EPERM, tap_open("vmontap0", &mtu));
	msg = capture_end(2, saved);
	EXPECT_NE(NULL, strstr(msg, "ip tuntap add dev vmontap0 mode tap user USER"));
	free(msg);
}

TEST_HARNESS_MAIN
