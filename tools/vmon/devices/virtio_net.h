/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * virtio-net (virtio 1.2 section 5.1) on a tap interface: one receive
 * and one transmit queue, each served by a thread of its own
 * (devices/virtio_net.c).  Attached from devices.c when --net is given;
 * unit tests create it on a SOCK_SEQPACKET socketpair instead of a tap.
 */
#ifndef VMON_VIRTIO_NET_H
#define VMON_VIRTIO_NET_H

#include <stdint.h>

#include "virtio.h"

/* feature bits, virtio 1.2 5.1.3 */
#define VIRTIO_NET_F_CSUM		0
#define VIRTIO_NET_F_GUEST_CSUM		1
#define VIRTIO_NET_F_MTU		3
#define VIRTIO_NET_F_MAC		5
#define VIRTIO_NET_F_GUEST_TSO4		7
#define VIRTIO_NET_F_GUEST_TSO6		8
#define VIRTIO_NET_F_HOST_TSO4		11
#define VIRTIO_NET_F_HOST_TSO6		12
#define VIRTIO_NET_F_MRG_RXBUF		15
#define VIRTIO_NET_F_STATUS		16
/* the header in front of every frame, 5.1.6: flags and gso_type */
#define VIRTIO_NET_HDR_FLAGS		0
#define VIRTIO_NET_HDR_GSO_TYPE		1
#define VIRTIO_NET_HDR_F_NEEDS_CSUM	1
#define VIRTIO_NET_HDR_GSO_TCPV4	1
/* the status field of the configuration, 5.1.4 */
#define VIRTIO_NET_S_LINK_UP		1

/* the device configuration, 5.1.4: mac, status, max_virtqueue_pairs, mtu */
#define VIRTIO_NET_CFG_MAC		0
#define VIRTIO_NET_CFG_STATUS		6
#define VIRTIO_NET_CFG_MAX_PAIRS	8
#define VIRTIO_NET_CFG_MTU		10
#define VIRTIO_NET_CFG_SIZE		12

#define VIRTIO_NET_RXQ			0
#define VIRTIO_NET_TXQ			1
#define VIRTIO_NET_QUEUE_SIZE		256

struct virtio_net;

/* what the device did with frames, for tests and messages (atomic counters) */
struct virtio_net_stats {
	uint64_t rx_frames;	/* from the tap into guest buffers */
	uint64_t rx_dropped;	/* too short, too long for the MTU or for one buffer */
	uint64_t tx_frames;	/* from the guest to the tap */
	uint64_t tx_dropped;	/* malformed, or refused by the tap */
};

/*
 * A virtio-net device on fd (a tap opened by tap_open(), or any
 * non-blocking fd that keeps packet boundaries, each packet a 12-byte
 * virtio-net header and a frame), with MAC address mac and MTU mtu.
 * Registers the PCI function and starts the threads; takes fd.  0 or
 * -errno.
 */
int virtio_net_create(struct vmon_machine *m, int fd, const uint8_t mac[6],
		      unsigned int mtu, struct virtio_net **out);
struct virtio_device *virtio_net_vdev(struct virtio_net *n);
void virtio_net_stats(struct virtio_net *n, struct virtio_net_stats *s);
/* stop the threads and close fd; the end of the run (machine_destroy()) */
void virtio_net_destroy(struct virtio_net *n);
/* the MAC of a run without mac=: 52:54:00 and the low 24 bits of the pid */
void virtio_net_default_mac(uint8_t mac[6]);

#endif /* VMON_VIRTIO_NET_H */
