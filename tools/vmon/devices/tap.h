/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host side of virtio-net: a tap interface (devices/tap.c), or in
 * unit tests any fd that keeps packet boundaries (a SOCK_SEQPACKET
 * socketpair).  Either way each read or write is one frame with a
 * TAP_VNET_HDR_LEN-byte virtio-net header in front.
 */
#ifndef VMON_TAP_H
#define VMON_TAP_H

/* struct virtio_net_hdr with num_buffers (virtio 1.2 5.1.6) */
#define TAP_VNET_HDR_LEN	12

/*
 * Open the existing tap interface name, non-blocking, with the
 * virtio-net header on every frame; *mtu gets its MTU.  The fd, or
 * -errno after printing one line that names the cause and the fix.
 */
int tap_open(const char *name, unsigned int *mtu);

/*
 * Which offloads the tap may use in the frames it hands over (TUN_F_*
 * of linux/if_tun.h; 0: every frame checksummed and no larger than the
 * MTU).  0, -ENOTTY when fd is no tap (a unit test's socket), or -errno.
 */
int tap_set_offload(int fd, unsigned int tun_flags);

#endif /* VMON_TAP_H */
