/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-blk (virtio 1.2 section 5.2), in two files: the disk and its
 * requests on a host file or block device (virtio_blk_req.c, testable
 * without a transport), and the PCI function with its thread around
 * them (virtio_blk.c).
 */
#ifndef VMON_VIRTIO_BLK_H
#define VMON_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio.h"

struct machine_disk;

/* feature bits, virtio 1.2 5.2.3 */
#define VIRTIO_BLK_F_SIZE_MAX		1
#define VIRTIO_BLK_F_SEG_MAX		2
#define VIRTIO_BLK_F_RO			5
#define VIRTIO_BLK_F_BLK_SIZE		6
#define VIRTIO_BLK_F_FLUSH		9
#define VIRTIO_BLK_F_MQ			12
#define VIRTIO_BLK_F_DISCARD		13
#define VIRTIO_BLK_F_WRITE_ZEROES	14

/* request types and status values, virtio 1.2 5.2.6 */
#define VIRTIO_BLK_T_IN			0
#define VIRTIO_BLK_T_OUT		1
#define VIRTIO_BLK_T_FLUSH		4
#define VIRTIO_BLK_T_GET_ID		8
#define VIRTIO_BLK_T_DISCARD		11
#define VIRTIO_BLK_T_WRITE_ZEROES	13
#define VIRTIO_BLK_S_OK			0
#define VIRTIO_BLK_S_IOERR		1
#define VIRTIO_BLK_S_UNSUPP		2
#define VIRTIO_BLK_WZ_F_UNMAP		1	/* discard/write-zeroes segment flag */

#define VBLK_SECTOR_SHIFT	9		/* sectors are 512 bytes, whatever blk_size says */
#define VBLK_ID_BYTES		20		/* VIRTIO_BLK_ID_BYTES */
#define VBLK_QUEUE_SIZE		256
#define VBLK_MAX_QUEUES		8		/* one per vCPU, up to this */
/* data segments per request: the queue size less the header and the status */
#define VBLK_SEG_MAX		(VBLK_QUEUE_SIZE - 2)
#define VBLK_SIZE_MAX		(1u << 20)	/* bytes in one segment */
/* discard and write zeroes: sectors per segment, segments per request */
#define VBLK_MAX_DISCARD_SECTORS	(1u << 22)	/* 2 GiB */
#define VBLK_MAX_DISCARD_SEG		32

/* the request header, virtio 1.2 5.2.6 (little endian) */
struct virtio_blk_outhdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* one range of a discard or write-zeroes request (little endian) */
struct virtio_blk_discard_write_zeroes {
	uint64_t sector;
	uint32_t num_sectors;
	uint32_t flags;
};

/*
 * The backing file.  Set at open, read-only afterwards, except
 * zero_range_failed, which only the device's thread touches.
 */
struct vblk_disk {
	int fd;
	const char *path;		/* for messages */
	bool readonly;			/* --disk FILE,ro: fd is O_RDONLY */
	bool blkdev;			/* a block device, not a regular file */
	uint64_t capacity;		/* 512-byte sectors */
	bool can_punch;			/* fallocate(PUNCH_HOLE) works: discard */
	bool can_zero;			/* write zeroes offered */
	bool zero_range_failed;		/* ZERO_RANGE refused once: any thread, atomic */
	char id[VBLK_ID_BYTES];		/* VIRTIO_BLK_T_GET_ID, NUL padded */
};

/*
 * Open disk number index of the command line (never creating or
 * truncating it), find its size and what fallocate() can do on it.
 * 0, or -errno after one line naming the option.
 */
int vblk_disk_open(struct vblk_disk *d, const struct machine_disk *md, unsigned int index);
void vblk_disk_close(struct vblk_disk *d);
/* the VIRTIO_BLK_F_* bits this disk offers */
uint64_t vblk_disk_features(const struct vblk_disk *d);

/*
 * Carry out the request in elem with the negotiated features, write
 * its status byte and set *len to the bytes written to its writable
 * buffers.  0, or -EIO when the request has no status byte to answer
 * in (the device then needs reset).
 */
int vblk_handle(struct vblk_disk *d, uint64_t features, struct virtq_elem *elem,
		uint32_t *len);

#endif /* VMON_VIRTIO_BLK_H */
