// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-blk requests on the host file (virtio 1.2 5.2.6): the disk's
 * open and probe, and one request at a time as the device's thread
 * hands them over.  Nothing here knows the transport: a request is a
 * struct virtq_elem, whatever its descriptors look like (the device
 * makes no assumption about how the driver split the header, the data
 * and the status byte, 2.6.4.1).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../machine.h"
#include "../vmon.h"
#include "virtio_blk.h"

#define SECTOR_SIZE	(1u << VBLK_SECTOR_SHIFT)

/* dst = bytes [off, off + len) of iov[0 .. n); returns dst's entries */
static unsigned int iov_slice(const struct iovec *iov, unsigned int n, uint64_t off,
			      uint64_t len, struct iovec *dst)
{
	unsigned int nr = 0;
	size_t chunk;

	for (; n && len; iov++, n--) {
		if (off >= iov->iov_len) {
			off -= iov->iov_len;
			continue;
		}
		chunk = iov->iov_len - off;
		if (chunk > len)
			chunk = len;
		dst[nr].iov_base = (char *)iov->iov_base + off;
		dst[nr++].iov_len = chunk;
		len -= chunk;
		off = 0;
	}
	return nr;
}

/*
 * preadv/pwritev until every byte is moved: a signal (EINTR) or a
 * short transfer only moves the cursor on; end of file (the file shrank
 * under the guest) is an error.
 */
static int rw_full(int fd, struct iovec *iov, unsigned int n, uint64_t off, bool write)
{
	ssize_t r;

	while (n) {
		if (!iov->iov_len) {
			iov++;
			n--;
			continue;
		}
		if (write)
			r = pwritev(fd, iov, (int)n, (off_t)off);
		else
			r = preadv(fd, iov, (int)n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r ? -errno : -EIO;
		off += r;
		while (n && (size_t)r >= iov->iov_len) {
			r -= iov->iov_len;
			iov++;
			n--;
		}
		if (n) {
			iov->iov_base = (char *)iov->iov_base + r;
			iov->iov_len -= r;
		}
	}
	return 0;
}

/* [sector, sector + nr) lies inside the disk */
static bool in_range(const struct vblk_disk *d, uint64_t sector, uint64_t nr)
{
	return sector <= d->capacity && nr <= d->capacity - sector;
}

/* T_IN and T_OUT: the data follows the header (OUT) or precedes the status (IN) */
static uint8_t do_rw(struct vblk_disk *d, struct virtq_elem *e, uint64_t sector, bool write,
		     uint32_t *len)
{
	struct iovec data[VIRTQ_MAX_SEGS];	/* 16 KiB of the device thread's stack */
	const struct virtio_blk_outhdr *h = NULL;
	uint64_t bytes = write ? e->out_len - sizeof(*h) : e->in_len - 1;
	unsigned int nr;

	if (write && d->readonly)
		return VIRTIO_BLK_S_IOERR;
	/* whole sectors, inside the disk, and a length the used ring can say */
	if (bytes % SECTOR_SIZE || !in_range(d, sector, bytes >> VBLK_SECTOR_SHIFT) ||
	    bytes >= UINT32_MAX)
		return VIRTIO_BLK_S_IOERR;
	if (write)
		nr = iov_slice(e->iov, e->nr_out, sizeof(*h), bytes, data);
	else
		nr = iov_slice(e->iov + e->nr_out, e->nr_in, 0, bytes, data);
	if (rw_full(d->fd, data, nr, sector << VBLK_SECTOR_SHIFT, write))
		return VIRTIO_BLK_S_IOERR;
	if (!write)
		*len = (uint32_t)bytes + 1;
	return VIRTIO_BLK_S_OK;
}

static int write_zeroes_by_hand(int fd, uint64_t off, uint64_t bytes)
{
	static const char zeroes[64 << 10];
	struct iovec iov;
	int ret;

	while (bytes) {
		iov.iov_base = (void *)zeroes;
		iov.iov_len = bytes < sizeof(zeroes) ? bytes : sizeof(zeroes);
		ret = rw_full(fd, &iov, 1, off, true);
		if (ret)
			return ret;
		off += iov.iov_len;
		bytes -= iov.iov_len;
	}
	return 0;
}

static int fallocate_retry(int fd, int mode, uint64_t off, uint64_t bytes)
{
	int ret;

	do
		ret = fallocate(fd, mode, (off_t)off, (off_t)bytes);
	while (ret && errno == EINTR);
	return ret ? -errno : 0;
}

/*
 * One range of zeroes.  With the unmap flag the blocks may go
 * (PUNCH_HOLE); without it they must stay allocated, so that a later
 * write cannot fail for want of space: ZERO_RANGE, or zeroes written
 * when the file system lacks it (tmpfs).
 */
static int zero_range(struct vblk_disk *d, uint64_t off, uint64_t bytes, bool unmap)
{
	const int keep = FALLOC_FL_KEEP_SIZE;
	int ret;

	if (unmap && d->can_punch)
		return fallocate_retry(d->fd, FALLOC_FL_PUNCH_HOLE | keep, off, bytes);
	if (!__atomic_load_n(&d->zero_range_failed, __ATOMIC_RELAXED)) {
		ret = fallocate_retry(d->fd, FALLOC_FL_ZERO_RANGE | keep, off, bytes);
		if (ret != -EOPNOTSUPP)
			return ret;
		__atomic_store_n(&d->zero_range_failed, true, __ATOMIC_RELAXED);
	}
	return write_zeroes_by_hand(d->fd, off, bytes);
}

/* T_DISCARD and T_WRITE_ZEROES: an array of ranges after the header (5.2.6.2) */
static uint8_t do_discard_zeroes(struct vblk_disk *d, struct virtq_elem *e, bool discard)
{
	struct virtio_blk_discard_write_zeroes seg;
	uint64_t bytes = e->out_len - sizeof(struct virtio_blk_outhdr), off, i, nr;
	uint64_t sector;
	uint32_t flags, num;

	if (d->readonly)
		return VIRTIO_BLK_S_IOERR;
	nr = bytes / sizeof(seg);
	if (!nr || bytes % sizeof(seg) || nr > VBLK_MAX_DISCARD_SEG)
		return VIRTIO_BLK_S_IOERR;
	for (i = 0; i < nr; i++) {
		off = sizeof(struct virtio_blk_outhdr) + i * sizeof(seg);
		virtq_iov_to_buf(e->iov, e->nr_out, off, &seg, sizeof(seg));
		sector = le64toh(seg.sector);
		num = le32toh(seg.num_sectors);
		flags = le32toh(seg.flags);
		/* unknown flags, or unmap on a discard: 5.2.6.2 device requirements */
		if (flags & ~VIRTIO_BLK_WZ_F_UNMAP || (discard && flags))
			return VIRTIO_BLK_S_UNSUPP;
		if (num > VBLK_MAX_DISCARD_SECTORS || !in_range(d, sector, num))
			return VIRTIO_BLK_S_IOERR;
		if (!num)
			continue;
		if (discard ? fallocate_retry(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					      sector << VBLK_SECTOR_SHIFT,
					      (uint64_t)num << VBLK_SECTOR_SHIFT) :
			      zero_range(d, sector << VBLK_SECTOR_SHIFT,
					 (uint64_t)num << VBLK_SECTOR_SHIFT,
					 flags & VIRTIO_BLK_WZ_F_UNMAP))
			return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

static uint8_t do_get_id(struct vblk_disk *d, struct virtq_elem *e, uint32_t *len)
{
	uint64_t room = e->in_len - 1;
	size_t n = room < VBLK_ID_BYTES ? room : VBLK_ID_BYTES;

	*len = virtq_buf_to_iov(e->iov + e->nr_out, e->nr_in, 0, d->id, n) + 1;
	return VIRTIO_BLK_S_OK;
}

static uint8_t dispatch(struct vblk_disk *d, uint64_t features, struct virtq_elem *e,
			uint32_t *len)
{
	struct virtio_blk_outhdr h;
	uint64_t sector;

	virtq_iov_to_buf(e->iov, e->nr_out, 0, &h, sizeof(h));
	sector = le64toh(h.sector);
	switch (le32toh(h.type)) {
	case VIRTIO_BLK_T_IN:
		return do_rw(d, e, sector, false, len);
	case VIRTIO_BLK_T_OUT:
		return do_rw(d, e, sector, true, len);
	case VIRTIO_BLK_T_FLUSH:
		/* the data and the metadata needed to read it back: durable */
		return fdatasync(d->fd) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		return do_get_id(d, e, len);
	case VIRTIO_BLK_T_DISCARD:
		if (!(features & (1ull << VIRTIO_BLK_F_DISCARD)))
			return VIRTIO_BLK_S_UNSUPP;
		return do_discard_zeroes(d, e, true);
	case VIRTIO_BLK_T_WRITE_ZEROES:
		if (!(features & (1ull << VIRTIO_BLK_F_WRITE_ZEROES)))
			return VIRTIO_BLK_S_UNSUPP;
		return do_discard_zeroes(d, e, false);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

int vblk_handle(struct vblk_disk *d, uint64_t features, struct virtq_elem *e, uint32_t *len)
{
	uint8_t status;

	/* the status byte is the last writable byte: without one, no answer */
	if (!e->in_len)
		return -EIO;
	*len = 1;
	if (e->out_len < sizeof(struct virtio_blk_outhdr))
		status = VIRTIO_BLK_S_IOERR;
	else
		status = dispatch(d, features, e, len);
	if (status != VIRTIO_BLK_S_OK)
		*len = 1;
	virtq_buf_to_iov(e->iov + e->nr_out, e->nr_in, e->in_len - 1, &status, 1);
	return 0;
}

uint64_t vblk_disk_features(const struct vblk_disk *d)
{
	uint64_t f = 1ull << VIRTIO_BLK_F_SIZE_MAX | 1ull << VIRTIO_BLK_F_SEG_MAX |
		     1ull << VIRTIO_BLK_F_BLK_SIZE | 1ull << VIRTIO_BLK_F_FLUSH;

	if (d->readonly)
		return f | 1ull << VIRTIO_BLK_F_RO;
	if (d->can_punch)
		f |= 1ull << VIRTIO_BLK_F_DISCARD;
	if (d->can_zero)
		f |= 1ull << VIRTIO_BLK_F_WRITE_ZEROES;
	return f;
}

/*
 * Can this file punch holes?  Asked past its end, where a hole changes
 * nothing (KEEP_SIZE: the size stays; ext4, xfs, btrfs and tmpfs return
 * at once), while a file system without the operation says EOPNOTSUPP.
 * Block devices are not asked: their discard may not read back zeroes,
 * so they offer write zeroes only (ZERO_RANGE, which the block layer
 * always carries out, by writing zeroes if it must).
 */
static void probe_fallocate(struct vblk_disk *d, uint64_t size)
{
	uint64_t beyond = (size + 4095) & ~4095ull;

	if (d->readonly)
		return;
	if (d->blkdev) {
		d->can_zero = true;
		return;
	}
	d->can_punch = !fallocate_retry(d->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					beyond, 4096);
	d->can_zero = d->can_punch;
}

static int disk_size(struct vblk_disk *d, const char *opt, uint64_t *size)
{
	struct stat st;

	if (fstat(d->fd, &st)) {
		vmon_err("--disk %s: %s", opt, strerror(errno));
		return -errno;
	}
	d->blkdev = S_ISBLK(st.st_mode);
	if (!d->blkdev && !S_ISREG(st.st_mode)) {
		vmon_err("--disk %s: not a regular file or block device (give a raw disk image file or a block device)",
			 opt);
		return -EINVAL;
	}
	*size = (uint64_t)st.st_size;
	if (d->blkdev && ioctl(d->fd, BLKGETSIZE64, size)) {
		vmon_err("--disk %s: cannot read the block device's size: %s", opt,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

int vblk_disk_open(struct vblk_disk *d, const struct machine_disk *md, unsigned int index)
{
	uint64_t size;
	int ret;

	memset(d, 0, sizeof(*d));
	d->path = md->path;
	d->readonly = md->readonly;
	/* never O_CREAT nor O_TRUNC: the image is the user's */
	d->fd = open(md->path, (md->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY);
	if (d->fd < 0) {
		ret = -errno;
		vmon_err("--disk %s: cannot open it %s: %s (check that it exists and its permissions%s)",
			 md->path, md->readonly ? "read-only" : "for writing", strerror(errno),
			 md->readonly ? "" : ", or add ,ro");
		return ret;
	}
	ret = disk_size(d, md->path, &size);
	/*
	 * Two writers of one image corrupt it: a shared lock per reader,
	 * an exclusive one for the writer, as QEMU does for its images.
	 */
	if (!ret && flock(d->fd, (md->readonly ? LOCK_SH : LOCK_EX) | LOCK_NB)) {
		ret = -errno;
		vmon_err("--disk %s: %s by another process (another vmon or QEMU using it? give it to one VM only, or add ,ro everywhere)",
			 md->path, md->readonly ? "being written" : "in use");
	}
	if (ret) {
		close(d->fd);
		d->fd = -1;
		return ret;
	}
	d->capacity = size >> VBLK_SECTOR_SHIFT;
	if (size % SECTOR_SIZE)
		fprintf(stderr, "vmon: --disk %s: %llu bytes, not a multiple of 512: the guest sees %llu sectors, the last %llu bytes are left out\n",
			md->path, (unsigned long long)size, (unsigned long long)d->capacity,
			(unsigned long long)(size % SECTOR_SIZE));
	probe_fallocate(d, size);
	/* /dev/disk/by-id/virtio-vmon-vda in the guest */
	snprintf(d->id, sizeof(d->id), "vmon-vd%c", 'a' + index);
	return 0;
}

void vblk_disk_close(struct vblk_disk *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}
