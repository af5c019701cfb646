// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of virtio-blk (devices/virtio_blk.c, virtio_blk_req.c)
 * through the real PCI bus, virtio transport and split virtqueue: the
 * test is the driver, with guest RAM of its own, rings it builds there
 * and the device's registers reached through machine_mmio(), while the
 * device's thread serves the requests on a temporary file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>

#include "kselftest_harness.h"
#include "devices/devices.h"
#include "devices/pci.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_priv.h"
#include "machine.h"
#include "test_util.h"

#define RAM_SIZE	(4u << 20)
#define QSIZE		256
#define MAXQ		4
/* queue i's rings: descriptors, then the driver area, then the device area */
#define DESC_GPA(i)	(0x1000 + (i) * 0x3000)
#define AVAIL_GPA(i)	(DESC_GPA(i) + 0x1000)
#define USED_GPA(i)	(DESC_GPA(i) + 0x2000)
#define BUF_GPA		0x10000

/* virtio 1.2 4.1.4.3, the common configuration structure */
#define COMMON_DFSELECT		0x00
#define COMMON_DF		0x04
#define COMMON_GFSELECT		0x08
#define COMMON_GF		0x0c
#define COMMON_STATUS		0x14
#define COMMON_Q_SELECT		0x16
#define COMMON_Q_SIZE		0x18
#define COMMON_Q_ENABLE		0x1c
#define COMMON_Q_NOFF		0x1e
#define COMMON_Q_DESC		0x20
#define COMMON_Q_AVAIL		0x28
#define COMMON_Q_USED		0x30

#define F(bit)	(1ull << (bit))

struct seg {
	uint64_t gpa;
	uint32_t len;
	bool writable;
};

struct drv {
	struct vmon_machine m;
	struct machine_disk disks[2];
	unsigned int nr_disks;
	unsigned int nr_cpus;	/* the machine's: a queue each */
	uint8_t *ram;
	unsigned int devfn;
	uint64_t common, isr, device, notify;
	uint32_t notify_mult;
	uint64_t features;
	unsigned int nq;	/* queues set up */
	unsigned int cur;	/* the queue post(), kick() and wait_used() use */
	uint16_t noff[MAXQ];
	uint16_t avail_idx[MAXQ], used_seen[MAXQ], next_desc[MAXQ];
	uint64_t buf_next;
};

static uint64_t mmio_rd(struct drv *d, uint64_t addr, unsigned int len)
{
	uint64_t v = 0;

	machine_mmio(&d->m, addr, &v, len, false);	/* takes the device lock */
	return v;
}

static void mmio_wr(struct drv *d, uint64_t addr, unsigned int len, uint64_t v)
{
	machine_mmio(&d->m, addr, &v, len, true);
}

static uint32_t cfg_rd(struct drv *d, unsigned int off, unsigned int len)
{
	uint32_t v;

	machine_lock(&d->m);
	v = pci_config_read(&d->m, d->devfn, off, len);
	machine_unlock(&d->m);
	return v;
}

static void cfg_wr(struct drv *d, unsigned int off, unsigned int len, uint32_t v)
{
	machine_lock(&d->m);
	pci_config_write(&d->m, d->devfn, off, len, v);
	machine_unlock(&d->m);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ull + ts.tv_nsec / 1000000;
}

/* the machine with the PCI bus and one virtio-blk function per disk */
static int drv_attach(struct drv *d)
{
	d->ram = aligned_alloc(4096, RAM_SIZE);
	if (!d->ram)
		return -ENOMEM;
	memset(d->ram, 0, RAM_SIZE);
	machine_init(&d->m, STDOUT_FILENO);
	machine_add_ram(&d->m, 0, RAM_SIZE, d->ram);
	d->m.disks = d->disks;
	d->m.nr_disks = d->nr_disks;
	d->m.nr_cpus = d->nr_cpus;
	if (pci_conf1_device.attach(&d->m))
		return -EIO;
	return virtio_blk_device.attach(&d->m);
}

/* find disk n's function and its structures, as a driver walks the capabilities */
static int drv_find(struct drv *d, unsigned int n)
{
	unsigned int slot, cap, seen = 0;
	uint64_t bar[PCI_NUM_BARS] = { 0 };
	int i;

	for (slot = 1; slot < PCI_MAX_SLOTS; slot++) {
		d->devfn = slot << 3;
		if (cfg_rd(d, 0, 4) == (0x1042u << 16 | 0x1af4) && seen++ == n)
			break;
	}
	if (slot == PCI_MAX_SLOTS)
		return -ENODEV;
	for (i = 0; i < PCI_NUM_BARS; i++)
		bar[i] = cfg_rd(d, 0x10 + 4 * i, 4) & ~0xfull;
	cfg_wr(d, 0x04, 2, 0x0006);	/* memory decoding, bus master */
	for (cap = cfg_rd(d, 0x34, 1); cap; cap = cfg_rd(d, cap + 1, 1)) {
		uint64_t where;

		if (cfg_rd(d, cap, 1) != 0x09)
			continue;
		where = bar[cfg_rd(d, cap + 4, 1)] + cfg_rd(d, cap + 8, 4);
		switch (cfg_rd(d, cap + 3, 1)) {
		case 1:
			d->common = where;
			break;
		case 2:
			d->notify = where;
			d->notify_mult = cfg_rd(d, cap + 16, 4);
			break;
		case 3:
			d->isr = where;
			break;
		case 4:
			d->device = where;
			break;
		}
	}
	return d->common && d->notify && d->isr && d->device ? 0 : -ENODEV;
}

static uint64_t offered(struct drv *d)
{
	mmio_wr(d, d->common + COMMON_DFSELECT, 4, 0);
	uint64_t lo = mmio_rd(d, d->common + COMMON_DF, 4);

	mmio_wr(d, d->common + COMMON_DFSELECT, 4, 1);
	return lo | mmio_rd(d, d->common + COMMON_DF, 4) << 32;
}

static uint8_t status(struct drv *d)
{
	return mmio_rd(d, d->common + COMMON_STATUS, 1);
}

/* reset, and wait for the device to say it is done (2.4.1) */
static int drv_reset(struct drv *d)
{
	uint64_t end = now_ms() + 5000;

	mmio_wr(d, d->common + COMMON_STATUS, 1, 0);
	while (status(d)) {
		if (now_ms() > end)
			return -ETIMEDOUT;
		usleep(1000);
	}
	return 0;
}

/* the driver side of 3.1.1, accepting the offered features in want */
static int drv_init(struct drv *d, uint64_t want)
{
	unsigned int q;

	if (drv_reset(d))
		return -ETIMEDOUT;
	mmio_wr(d, d->common + COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	mmio_wr(d, d->common + COMMON_STATUS, 1, VIRTIO_STATUS_DRIVER);
	d->features = offered(d) & (want | F(VIRTIO_F_VERSION_1));
	mmio_wr(d, d->common + COMMON_GFSELECT, 4, 0);
	mmio_wr(d, d->common + COMMON_GF, 4, (uint32_t)d->features);
	mmio_wr(d, d->common + COMMON_GFSELECT, 4, 1);
	mmio_wr(d, d->common + COMMON_GF, 4, d->features >> 32);
	mmio_wr(d, d->common + COMMON_STATUS, 1, VIRTIO_STATUS_FEATURES_OK);
	if (!(status(d) & VIRTIO_STATUS_FEATURES_OK))
		return -EINVAL;
	memset(d->ram, 0, BUF_GPA);
	d->nq = 1;
	if (d->features & F(VIRTIO_BLK_F_MQ))
		d->nq = mmio_rd(d, d->device + 34, 2);	/* num_queues */
	if (d->nq > MAXQ)
		d->nq = MAXQ;
	for (q = 0; q < d->nq; q++) {
		mmio_wr(d, d->common + COMMON_Q_SELECT, 2, q);
		mmio_wr(d, d->common + COMMON_Q_SIZE, 2, QSIZE);
		mmio_wr(d, d->common + COMMON_Q_DESC, 8, DESC_GPA(q));
		mmio_wr(d, d->common + COMMON_Q_AVAIL, 8, AVAIL_GPA(q));
		mmio_wr(d, d->common + COMMON_Q_USED, 8, USED_GPA(q));
		mmio_wr(d, d->common + COMMON_Q_ENABLE, 2, 1);
		d->noff[q] = mmio_rd(d, d->common + COMMON_Q_NOFF, 2);
		d->avail_idx[q] = 0;
		d->used_seen[q] = 0;
		d->next_desc[q] = 0;
	}
	mmio_wr(d, d->common + COMMON_STATUS, 1, VIRTIO_STATUS_DRIVER_OK);
	d->cur = 0;
	d->buf_next = BUF_GPA;
	return status(d) & VIRTIO_STATUS_DRIVER_OK ? 0 : -EIO;
}

static uint64_t buf_alloc(struct drv *d, uint32_t len)
{
	uint64_t gpa = d->buf_next;

	d->buf_next = (d->buf_next + len + 15) & ~15ull;
	if (d->buf_next > RAM_SIZE)
		abort();
	return gpa;
}

static struct virtq_desc *desc(struct drv *d)
{
	return (struct virtq_desc *)(d->ram + DESC_GPA(d->cur));
}

static struct virtq_avail *avail(struct drv *d)
{
	return (struct virtq_avail *)(d->ram + AVAIL_GPA(d->cur));
}

static struct virtq_used *used(struct drv *d)
{
	return (struct virtq_used *)(d->ram + USED_GPA(d->cur));
}

/* put a chain on the avail ring (without kicking) */
static void post(struct drv *d, const struct seg *s, unsigned int n)
{
	uint16_t head = d->next_desc[d->cur] % QSIZE, i;

	for (i = 0; i < n; i++) {
		struct virtq_desc *e = &desc(d)[(head + i) % QSIZE];

		e->addr = s[i].gpa;
		e->len = s[i].len;
		e->flags = (s[i].writable ? VIRTQ_DESC_F_WRITE : 0) |
			   (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
		e->next = (head + i + 1) % QSIZE;
	}
	d->next_desc[d->cur] += n;
	avail(d)->ring[d->avail_idx[d->cur] % QSIZE] = head;
	__atomic_store_n(&avail(d)->idx, ++d->avail_idx[d->cur], __ATOMIC_RELEASE);
}

static void kick(struct drv *d)
{
	mmio_wr(d, d->notify + d->noff[d->cur] * d->notify_mult, 2, d->cur);
}

/* wait for the next used element: its length, or -1 after 5 s */
static int64_t wait_used(struct drv *d)
{
	uint64_t end = now_ms() + 5000;
	struct virtq_used_elem *e;

	while (__atomic_load_n(&used(d)->idx, __ATOMIC_ACQUIRE) == d->used_seen[d->cur]) {
		if (now_ms() > end)
			return -1;
		usleep(200);
	}
	e = &used(d)->ring[d->used_seen[d->cur]++ % QSIZE];
	return e->len;
}

/*
 * One request in three descriptors: header, data (len bytes, device
 * writable when in), status.  Returns the status byte, 0xee on timeout;
 * *used_len the length the device returned.
 */
static int req(struct drv *d, uint32_t type, uint64_t sector, void *data, uint32_t len,
	       bool in, uint32_t *used_len)
{
	uint64_t h = buf_alloc(d, 16), b = len ? buf_alloc(d, len) : 0, st = buf_alloc(d, 1);
	struct virtio_blk_outhdr hdr = { .type = type, .sector = sector };
	struct seg s[3];
	unsigned int n = 0;
	int64_t got;

	memcpy(d->ram + h, &hdr, sizeof(hdr));
	if (len && !in)
		memcpy(d->ram + b, data, len);
	d->ram[st] = 0xee;
	s[n++] = (struct seg){ h, 16, false };
	if (len)
		s[n++] = (struct seg){ b, len, in };
	s[n++] = (struct seg){ st, 1, true };
	post(d, s, n);
	kick(d);
	got = wait_used(d);
	if (got < 0)
		return 0xee;
	if (used_len)
		*used_len = (uint32_t)got;
	if (len && in)
		memcpy(data, d->ram + b, len);
	d->buf_next = BUF_GPA;
	return d->ram[st];
}

static char *shm_image(size_t size)
{
	char *p = strdup("/dev/shm/vmon-vblk-XXXXXX");
	int fd = mkstemp(p);
	size_t i;
	unsigned char *buf = malloc(size);

	for (i = 0; i < size; i++)
		buf[i] = (unsigned char)(i * 7 + i / 512);
	if (fd < 0 || write(fd, buf, size) != (ssize_t)size)
		abort();
	close(fd);
	free(buf);
	return p;
}

static int file_read(const char *path, void *buf, size_t len, off_t off)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = pread(fd, buf, len, off);

	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* is path among this process's open files? */
static bool fd_open_on(const char *path)
{
	char link[300], target[256];
	struct dirent *e;
	bool found = false;
	DIR *dir = opendir("/proc/self/fd");
	ssize_t n;

	while ((e = readdir(dir))) {
		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = 0;
			found |= !strcmp(target, path);
		}
	}
	closedir(dir);
	return found;
}

#define IMG_SIZE	(64 * 1024)
#define ALL_FEATURES	(F(VIRTIO_BLK_F_SIZE_MAX) | F(VIRTIO_BLK_F_SEG_MAX) | \
			 F(VIRTIO_BLK_F_BLK_SIZE) | F(VIRTIO_BLK_F_FLUSH) | F(VIRTIO_BLK_F_RO) | \
			 F(VIRTIO_BLK_F_DISCARD) | F(VIRTIO_BLK_F_WRITE_ZEROES) | \
			 F(VIRTIO_BLK_F_MQ))

FIXTURE(vblk) {
	struct drv d;
	char *path;
	uint8_t *orig;
};

FIXTURE_SETUP(vblk)
{
	memset(&self->d, 0, sizeof(self->d));
	self->path = shm_image(IMG_SIZE);
	self->orig = malloc(IMG_SIZE);
	ASSERT_EQ(0, file_read(self->path, self->orig, IMG_SIZE, 0));
	self->d.disks[0].path = self->path;
	self->d.nr_disks = 1;
}

FIXTURE_TEARDOWN(vblk)
{
	machine_destroy(&self->d.m);
	EXPECT_FALSE(fd_open_on(self->path));	/* the device closed its file */
	unlink(self->path);
	free(self->path);
	free(self->orig);
	free(self->d.ram);
}

static int start(struct drv *d, uint64_t want)
{
	int ret = drv_attach(d);

	if (!ret)
		ret = drv_find(d, 0);
	return ret ? ret : drv_init(d, want);
}

TEST_F(vblk, config_and_features)
{
	struct drv *d = &self->d;
	uint64_t f;

	ASSERT_EQ(0, start(d, ALL_FEATURES));
	f = offered(d);
	EXPECT_TRUE(f & F(VIRTIO_F_VERSION_1));
	EXPECT_TRUE(f & F(VIRTIO_BLK_F_FLUSH));
	EXPECT_TRUE(f & F(VIRTIO_BLK_F_SEG_MAX));
	EXPECT_TRUE(f & F(VIRTIO_BLK_F_BLK_SIZE));
	EXPECT_FALSE(f & F(VIRTIO_BLK_F_RO));
	EXPECT_EQ(IMG_SIZE / 512, mmio_rd(d, d->device + 0, 8));	/* capacity */
	EXPECT_EQ(VBLK_SIZE_MAX, mmio_rd(d, d->device + 8, 4));
	EXPECT_EQ(QSIZE - 2, mmio_rd(d, d->device + 12, 4));		/* seg_max */
	EXPECT_EQ(512, mmio_rd(d, d->device + 20, 4));			/* blk_size */
	EXPECT_EQ(0x010000, cfg_rd(d, 0x08, 4) >> 8);		/* mass storage */
}

TEST_F(vblk, read_write_flush_get_id)
{
	struct drv *d = &self->d;
	uint8_t buf[2048], file[2048];
	uint32_t len = 0;
	char id[20];
	int i;

	ASSERT_EQ(0, start(d, ALL_FEATURES));
	mmio_rd(d, d->isr, 1);
	ASSERT_EQ(VIRTIO_BLK_S_OK, req(d, VIRTIO_BLK_T_IN, 3, buf, 1024, true, &len));
	EXPECT_EQ(1025, len);
	EXPECT_EQ(0, memcmp(buf, self->orig + 3 * 512, 1024));
	/* without MSI-X, the completion raised INTx and the ISR's queue bit */
	EXPECT_EQ(1, mmio_rd(d, d->isr, 1) & 1);

	for (i = 0; i < 2048; i++)
		buf[i] = (uint8_t)(0xa5 ^ i);
	ASSERT_EQ(VIRTIO_BLK_S_OK, req(d, VIRTIO_BLK_T_OUT, 10, buf, 2048, false, NULL));
	ASSERT_EQ(0, file_read(self->path, file, 2048, 10 * 512));
	EXPECT_EQ(0, memcmp(buf, file, 2048));
	ASSERT_EQ(0, file_read(self->path, file, 512, 9 * 512));	/* neighbours untouched */
	EXPECT_EQ(0, memcmp(file, self->orig + 9 * 512, 512));
	ASSERT_EQ(0, file_read(self->path, file, 512, 14 * 512));
	EXPECT_EQ(0, memcmp(file, self->orig + 14 * 512, 512));
	EXPECT_EQ(VIRTIO_BLK_S_OK, req(d, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, false, NULL));

	memset(id, 0x55, sizeof(id));
	ASSERT_EQ(VIRTIO_BLK_S_OK, req(d, VIRTIO_BLK_T_GET_ID, 0, id, 20, true, &len));
	EXPECT_EQ(21, len);
	EXPECT_STREQ("vmon-vda", id);
	EXPECT_EQ(0, id[19]);
	/* unknown types, and GET_LIFETIME, which is not offered */
	EXPECT_EQ(VIRTIO_BLK_S_UNSUPP, req(d, 10, 0, buf, 48, true, NULL));
	EXPECT_EQ(VIRTIO_BLK_S_UNSUPP, req(d, 0x7fff, 0, NULL, 0, false, NULL));
}

/* the header, the data and the status in any arrangement of descriptors (2.6.4) */
TEST_F(vblk, any_descriptor_layout)
{
	struct drv *d = &self->d;
	struct virtio_blk_outhdr hdr = { .type = VIRTIO_BLK_T_OUT, .sector = 20 };
	uint8_t file[1024];
	uint64_t a, b;
	struct seg s[4];

	ASSERT_EQ(0, start(d, ALL_FEATURES));
	/* header and the first 100 bytes of data in one buffer, the rest in two */
	a = buf_alloc(d, 16 + 100);
	memcpy(d->ram + a, &hdr, 16);
	memset(d->ram + a + 16, 0x11, 100);
	b = buf_alloc(d, 1024 - 100 + 8);
	memset(d->ram + b, 0x22, 1024 - 100);
	s[0] = (struct seg){ a, 16 + 100, false };
	s[1] = (struct seg){ b, 500, false };
	s[2] = (struct seg){ b + 500, 1024 - 600, false };
	/* a writable buffer of 8 bytes: the status is its last byte */
	s[3] = (struct seg){ b + 1024, 8, true };
	d->ram[b + 1024 + 7] = 0xee;
	post(d, s, 4);
	kick(d);
	ASSERT_LE(0, wait_used(d));
	EXPECT_EQ(VIRTIO_BLK_S_OK, d->ram[b + 1024 + 7]);
	ASSERT_EQ(0, file_read(self->path, file, 1024, 20 * 512));
	EXPECT_EQ(0x11, file[0]);
	EXPECT_EQ(0x11, file[99]);
	EXPECT_EQ(0x22, file[100]);
	EXPECT_EQ(0x22, file[1023]);
}

TEST_F(vblk, out_of_range)
{
	struct drv *d = &self->d;
	uint64_t cap = IMG_SIZE / 512;
	uint8_t buf[IMG_SIZE + 512];
	uint8_t now[IMG_SIZE];

	ASSERT_EQ(0, start(d, ALL_FEATURES));
	EXPECT_EQ(VIRTIO_BLK_S_OK, req(d, VIRTIO_BLK_T_IN, cap - 1, buf, 512, true, NULL));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, req(d, VIRTIO_BLK_T_IN, cap, buf, 512, true, NULL));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, req(d, VIRTIO_BLK_T_IN, cap - 1, buf, 1024, true, NULL));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, req(d, VIRTIO_BLK_T_OUT, cap, buf, 512, false, NULL));
	/* a sector whose byte offset wraps around 64 bits */
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, req(d, VIRTIO_BLK_T_IN, 1ull << 55, buf, 512, true, NULL));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, req(d, VIRTIO_BLK_T_OUT, ~0ull, buf, 512, false, NULL));
	/* more than the whole disk, from sector 0: nothing written */
	memset(buf, 0x77, sizeof(buf));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, req(d, VIRTIO_BLK_T_OUT, 0, buf, sizeof(buf), false, NULL));
	/* not whole sectors */
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, req(d, VIRTIO_BLK_T_OUT, 0, buf, 100, false, NULL));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, req(d, VIRTIO_BLK_T_IN, 0, buf, 513, true, NULL));
	ASSERT_EQ(0, file_read(self->path, now, IMG_SIZE, 0));
	EXPECT_EQ(0, memcmp(now, self->orig, IMG_SIZE));
}

TEST_F(vblk, malformed_requests)
{
	struct drv *d = &self->d;
	uint8_t buf[512];
	uint64_t h, st;
	struct seg s[2];

	ASSERT_EQ(0, start(d, ALL_FEATURES));
	/* a header of 8 bytes: answered with IOERR */
	h = buf_alloc(d, 16);
	st = buf_alloc(d, 1);
	d->ram[st] = 0xee;
	s[0] = (struct seg){ h, 8, false };
	s[1] = (struct seg){ st, 1, true };
	post(d, s, 2);
	kick(d);
	ASSERT_LE(0, wait_used(d));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, d->ram[st]);
	/* a writable header and nothing readable: IOERR too */
	s[0] = (struct seg){ h, 16, true };
	post(d, s, 2);
	kick(d);
	ASSERT_LE(0, wait_used(d));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, d->ram[st]);
	/* no writable byte for the status: unanswerable, the device needs reset */
	s[0] = (struct seg){ h, 16, false };
	s[1] = (struct seg){ st, 1, false };
	post(d, s, 2);
	kick(d);
	{
		uint64_t end = now_ms() + 5000;

		while (!(status(d) & VIRTIO_STATUS_NEEDS_RESET) && now_ms() < end)
			usleep(500);
	}
	EXPECT_TRUE(status(d) & VIRTIO_STATUS_NEEDS_RESET);
	/* after a reset, the device serves again */
	ASSERT_EQ(0, drv_init(d, ALL_FEATURES));
	EXPECT_EQ(VIRTIO_BLK_S_OK, req(d, VIRTIO_BLK_T_IN, 0, buf, 512, true, NULL));
	EXPECT_EQ(0, memcmp(buf, self->orig, 512));
}

/* discard and write zeroes: tmpfs punches holes, but has no ZERO_RANGE */
TEST_F(vblk, discard_and_write_zeroes)
{
	struct drv *d = &self->d;
	struct virtio_blk_discard_write_zeroes seg[2];
	uint8_t file[IMG_SIZE], zero[8192] = { 0 };
	struct statfs fs;

	ASSERT_EQ(0, statfs(self->path, &fs));
	if (fs.f_type != TMPFS_MAGIC)
		SKIP(return, "/dev/shm is not tmpfs");
	ASSERT_EQ(0, start(d, ALL_FEATURES));
	ASSERT_TRUE(d->features & F(VIRTIO_BLK_F_DISCARD));
	ASSERT_TRUE(d->features & F(VIRTIO_BLK_F_WRITE_ZEROES));
	EXPECT_NE(0, mmio_rd(d, d->device + 36, 4));	/* max_discard_sectors */
	EXPECT_NE(0, mmio_rd(d, d->device + 48, 4));	/* max_write_zeroes_sectors */

	seg[0] = (struct virtio_blk_discard_write_zeroes){ .sector = 8, .num_sectors = 16 };
	seg[1] = (struct virtio_blk_discard_write_zeroes){ .sector = 40, .num_sectors = 1 };
	EXPECT_EQ(VIRTIO_BLK_S_OK, req(d, VIRTIO_BLK_T_DISCARD, 0, seg, 32, false, NULL));
	seg[0] = (struct virtio_blk_discard_write_zeroes){ .sector = 60, .num_sectors = 2 };
	EXPECT_EQ(VIRTIO_BLK_S_OK, req(d, VIRTIO_BLK_T_WRITE_ZEROES, 0, seg, 16, false, NULL));
	seg[0].flags = VIRTIO_BLK_WZ_F_UNMAP;
	seg[0].sector = 100;
	EXPECT_EQ(VIRTIO_BLK_S_OK, req(d, VIRTIO_BLK_T_WRITE_ZEROES, 0, seg, 16, false, NULL));
	ASSERT_EQ(0, file_read(self->path, file, IMG_SIZE, 0));
	EXPECT_EQ(0, memcmp(file + 8 * 512, zero, 16 * 512));
	EXPECT_EQ(0, memcmp(file + 40 * 512, zero, 512));
	EXPECT_EQ(0, memcmp(file + 60 * 512, zero, 1024));
	EXPECT_EQ(0, memcmp(file + 100 * 512, zero, 1024));
	EXPECT_EQ(0, memcmp(file, self->orig, 8 * 512));	/* the rest is kept */
	EXPECT_EQ(0, memcmp(file + 24 * 512, self->orig + 24 * 512, 16 * 512));
	EXPECT_EQ(0, memcmp(file + 41 * 512, self->orig + 41 * 512, 19 * 512));
	EXPECT_EQ(0, memcmp(file + 62 * 512, self->orig + 62 * 512, 38 * 512));
	EXPECT_EQ(0, memcmp(file + 102 * 512, self->orig + 102 * 512, IMG_SIZE - 102 * 512));

	/* unmap on a discard, unknown flags, beyond the end: refused */
	seg[0] = (struct virtio_blk_discard_write_zeroes){ .sector = 0, .num_sectors = 1,
							   .flags = VIRTIO_BLK_WZ_F_UNMAP };
	EXPECT_EQ(VIRTIO_BLK_S_UNSUPP, req(d, VIRTIO_BLK_T_DISCARD, 0, seg, 16, false, NULL));
	seg[0].flags = 2;
	EXPECT_EQ(VIRTIO_BLK_S_UNSUPP, req(d, VIRTIO_BLK_T_WRITE_ZEROES, 0, seg, 16, false, NULL));
	seg[0] = (struct virtio_blk_discard_write_zeroes){ .sector = IMG_SIZE / 512 - 1,
							   .num_sectors = 2 };
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, req(d, VIRTIO_BLK_T_DISCARD, 0, seg, 16, false, NULL));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, req(d, VIRTIO_BLK_T_DISCARD, 0, seg, 10, false, NULL));
	ASSERT_EQ(0, file_read(self->path, file, 512, 0));
	EXPECT_EQ(0, memcmp(file, self->orig, 512));

	/* a driver that did not accept the features gets UNSUPP */
	ASSERT_EQ(0, drv_init(d, ALL_FEATURES & ~F(VIRTIO_BLK_F_DISCARD)));
	seg[0] = (struct virtio_blk_discard_write_zeroes){ .sector = 0, .num_sectors = 1 };
	EXPECT_EQ(VIRTIO_BLK_S_UNSUPP, req(d, VIRTIO_BLK_T_DISCARD, 0, seg, 16, false, NULL));
	ASSERT_EQ(0, file_read(self->path, file, 512, 0));
	EXPECT_EQ(0, memcmp(file, self->orig, 512));
}

TEST_F(vblk, read_only)
{
	struct drv *d = &self->d;
	struct virtio_blk_discard_write_zeroes seg = { .sector = 0, .num_sectors = 1 };
	uint8_t buf[4096], now[IMG_SIZE];
	struct stat before, after;

	ASSERT_EQ(0, stat(self->path, &before));
	d->disks[0].readonly = true;
	ASSERT_EQ(0, start(d, ALL_FEATURES));
	EXPECT_TRUE(d->features & F(VIRTIO_BLK_F_RO));
	EXPECT_FALSE(d->features & F(VIRTIO_BLK_F_DISCARD));
	EXPECT_FALSE(d->features & F(VIRTIO_BLK_F_WRITE_ZEROES));
	memset(buf, 0x99, sizeof(buf));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, req(d, VIRTIO_BLK_T_OUT, 0, buf, 4096, false, NULL));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, req(d, VIRTIO_BLK_T_OUT, 50, buf, 512, false, NULL));
	EXPECT_EQ(VIRTIO_BLK_S_UNSUPP, req(d, VIRTIO_BLK_T_DISCARD, 0, &seg, 16, false, NULL));
	EXPECT_EQ(VIRTIO_BLK_S_UNSUPP, req(d, VIRTIO_BLK_T_WRITE_ZEROES, 0, &seg, 16, false,
					   NULL));
	EXPECT_EQ(VIRTIO_BLK_S_OK, req(d, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, false, NULL));
	EXPECT_EQ(VIRTIO_BLK_S_OK, req(d, VIRTIO_BLK_T_IN, 50, buf, 512, true, NULL));
	EXPECT_EQ(0, memcmp(buf, self->orig + 50 * 512, 512));
	ASSERT_EQ(0, file_read(self->path, now, IMG_SIZE, 0));
	EXPECT_EQ(0, memcmp(now, self->orig, IMG_SIZE));
	ASSERT_EQ(0, stat(self->path, &after));
	EXPECT_EQ(before.st_size, after.st_size);
	EXPECT_EQ(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
	EXPECT_EQ(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
}

/* a reset while the thread works through a full ring, then the device works again */
TEST_F(vblk, reset_with_requests_in_flight)
{
	struct drv *d = &self->d;
	struct virtio_blk_outhdr hdr = { .type = VIRTIO_BLK_T_IN };
	uint8_t buf[512];
	struct seg s[3];
	int round, i;

	ASSERT_EQ(0, start(d, ALL_FEATURES));
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 80; i++) {
			s[0] = (struct seg){ buf_alloc(d, 16), 16, false };
			memcpy(d->ram + s[0].gpa, &hdr, 16);
			s[1] = (struct seg){ buf_alloc(d, 32768), 32768, true };
			s[2] = (struct seg){ buf_alloc(d, 1), 1, true };
			post(d, s, 3);
		}
		kick(d);
		usleep(round * 50);
		ASSERT_EQ(0, drv_reset(d));
		ASSERT_EQ(0, drv_init(d, ALL_FEATURES));
	}
	EXPECT_EQ(VIRTIO_BLK_S_OK, req(d, VIRTIO_BLK_T_IN, 7, buf, 512, true, NULL));
	EXPECT_EQ(0, memcmp(buf, self->orig + 7 * 512, 512));
}

/*
 * A queue per vCPU: four vCPUs, four queues, each with its own thread;
 * requests on all of them at once, then resets with all of them busy.
 */
TEST_F(vblk, a_queue_per_vcpu)
{
	struct drv *d = &self->d;
	struct virtio_blk_outhdr hdr = { .type = VIRTIO_BLK_T_IN };
	uint64_t st[MAXQ][8];
	unsigned int q, i, round;
	struct seg s[3];
	uint8_t buf[512];

	d->nr_cpus = 4;
	ASSERT_EQ(0, start(d, ALL_FEATURES));
	ASSERT_TRUE(d->features & F(VIRTIO_BLK_F_MQ));
	ASSERT_EQ(4, d->nq);
	/* queue q reads sector 8q + i into its own buffers */
	for (q = 0; q < d->nq; q++) {
		d->cur = q;
		for (i = 0; i < 8; i++) {
			hdr.sector = 8 * q + i;
			s[0] = (struct seg){ buf_alloc(d, 16), 16, false };
			memcpy(d->ram + s[0].gpa, &hdr, 16);
			s[1] = (struct seg){ buf_alloc(d, 512), 512, true };
			st[q][i] = buf_alloc(d, 1);
			d->ram[st[q][i]] = 0xee;
			s[2] = (struct seg){ st[q][i], 1, true };
			post(d, s, 3);
		}
	}
	for (q = 0; q < d->nq; q++) {
		d->cur = q;
		kick(d);
	}
	for (q = 0; q < d->nq; q++) {
		d->cur = q;
		for (i = 0; i < 8; i++) {
			/* the data buffer sits right before the status byte */
			uint64_t data = st[q][i] - 512;

			ASSERT_EQ(513, wait_used(d));
			EXPECT_EQ(VIRTIO_BLK_S_OK, d->ram[st[q][i]]);
			EXPECT_EQ(0, memcmp(d->ram + data, self->orig + (8 * q + i) * 512, 512));
		}
	}
	for (round = 0; round < 10; round++) {
		d->buf_next = BUF_GPA;
		hdr.sector = 0;
		for (q = 0; q < d->nq; q++) {
			d->cur = q;
			for (i = 0; i < 40; i++) {
				s[0] = (struct seg){ buf_alloc(d, 16), 16, false };
				memcpy(d->ram + s[0].gpa, &hdr, 16);
				s[1] = (struct seg){ buf_alloc(d, 16384), 16384, true };
				s[2] = (struct seg){ buf_alloc(d, 1), 1, true };
				post(d, s, 3);
			}
			kick(d);
		}
		usleep(round * 100);
		ASSERT_EQ(0, drv_reset(d));
		ASSERT_EQ(0, drv_init(d, ALL_FEATURES));
	}
	/* a driver without MQ uses queue 0 only; the others stay disabled */
	ASSERT_EQ(0, drv_init(d, ALL_FEATURES & ~F(VIRTIO_BLK_F_MQ)));
	EXPECT_EQ(1, d->nq);
	EXPECT_EQ(VIRTIO_BLK_S_OK, req(d, VIRTIO_BLK_T_IN, 5, buf, 512, true, NULL));
	EXPECT_EQ(0, memcmp(buf, self->orig + 5 * 512, 512));
	EXPECT_FALSE(status(d) & VIRTIO_STATUS_NEEDS_RESET);
}

/* an image that is not whole sectors: rounded down, said once */
TEST(odd_size_rounds_down)
{
	struct drv d;
	char *path = shm_image(IMG_SIZE + 100);
	uint8_t buf[512];
	int saved;
	char *msg;

	memset(&d, 0, sizeof(d));
	d.disks[0].path = path;
	d.disks[1].path = path;
	d.disks[1].readonly = true;	/* a second disk: vdb */
	d.nr_disks = 1;
	saved = capture_begin(2);
	ASSERT_EQ(0, start(&d, ALL_FEATURES));
	msg = capture_end(2, saved);
	EXPECT_NE(NULL, strstr(msg, "not a multiple of 512: the guest sees 128 sectors"));
	EXPECT_NE(NULL, strstr(msg, "the last 100 bytes are left out"));
	EXPECT_EQ(strlen(msg) - 1, strcspn(msg, "\n"));
	EXPECT_EQ(IMG_SIZE / 512, mmio_rd(&d, d.device + 0, 8));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, req(&d, VIRTIO_BLK_T_IN, IMG_SIZE / 512, buf, 512, true,
					  NULL));
	machine_destroy(&d.m);
	free(d.ram);
	unlink(path);
	free(path);
}

/* two disks: two functions in command-line order; one writer per image */
TEST(two_disks_and_image_locking)
{
	struct drv d;
	char *a = shm_image(IMG_SIZE), *b = shm_image(2 * IMG_SIZE);
	char id[20];
	int saved;
	char *msg;

	memset(&d, 0, sizeof(d));
	d.disks[0].path = a;
	d.disks[1].path = b;
	d.nr_disks = 2;
	ASSERT_EQ(0, drv_attach(&d));
	ASSERT_EQ(0, drv_find(&d, 1));
	ASSERT_EQ(0, drv_init(&d, ALL_FEATURES));
	EXPECT_EQ(2 * IMG_SIZE / 512, mmio_rd(&d, d.device + 0, 8));
	ASSERT_EQ(VIRTIO_BLK_S_OK, req(&d, VIRTIO_BLK_T_GET_ID, 0, id, 20, true, NULL));
	EXPECT_STREQ("vmon-vdb", id);
	machine_destroy(&d.m);
	free(d.ram);

	/* the same image twice for writing: the second open is refused */
	memset(&d, 0, sizeof(d));
	d.disks[0].path = a;
	d.disks[1].path = a;
	d.nr_disks = 2;
	saved = capture_begin(2);
	EXPECT_NE(0, drv_attach(&d));
	msg = capture_end(2, saved);
	EXPECT_NE(NULL, strstr(msg, "in use by another process"));
	machine_destroy(&d.m);
	EXPECT_FALSE(fd_open_on(a));
	free(d.ram);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

TEST_HARNESS_MAIN
