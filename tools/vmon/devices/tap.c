// SPDX-License-Identifier: GPL-2.0-only
/*
 * Opening a Linux tap interface for virtio-net (devices/virtio_net.c).
 *
 * vmon attaches to an interface that already exists, as Firecracker
 * does: creating one needs CAP_NET_ADMIN, while an interface made with
 * "ip tuntap add dev X mode tap user U" can be opened by U alone, so a
 * VM never needs more privilege than its owner has.  Every frame crosses
 * the fd with a 12-byte virtio-net header in front (IFF_VNET_HDR,
 * TUNSETVNETHDRSZ): the header of virtio 1.2 section 5.1.6 with
 * num_buffers, which a VERSION_1 device always has.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../vmon.h"
#include "tap.h"

static int tap_error(const char *name, int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
		vmon_err("--net tap=%s: cannot open /dev/net/tun: %s (load the tun module: 'modprobe tun')",
			 name, strerror(err));
		break;
	case EPERM:
	case EACCES:
		vmon_err("--net tap=%s: %s (the tap's owner may open it: 'ip tuntap add dev %s mode tap user USER', or run with CAP_NET_ADMIN)",
			 name, strerror(err), name);
		break;
	case EBUSY:
		vmon_err("--net tap=%s: %s (another program has it open: stop it, or create another tap for this VM)",
			 name, strerror(err));
		break;
	case EINVAL:
		vmon_err("--net tap=%s: not a single-queue tap (%s: a tun, multi_queue, or another kind of link; create a tap: 'ip tuntap add dev %s mode tap')",
			 name, strerror(err), name);
		break;
	default:
		vmon_err("--net tap=%s: cannot open: %s", name, strerror(err));
		break;
	}
	return -err;
}

int tap_open(const char *name, unsigned int *mtu)
{
	int fd, sock, hdr_len = TAP_VNET_HDR_LEN;
	struct ifreq ifr;

	if (strlen(name) >= IFNAMSIZ || !if_nametoindex(name)) {
		vmon_err("--net tap=%s: no such interface (create it: 'ip tuntap add dev %s mode tap')",
			 name, name);
		return -ENODEV;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return tap_error(name, errno);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, name);
	/*
	 * IFF_TUN_EXCL is not set: it only refuses to create.  An existing
	 * interface that is not a tap, or is a multi-queue one, fails with
	 * EINVAL; one that another fd has attached, with EBUSY.
	 */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 ||
	    ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0) {
		int err = errno;

		close(fd);
		return tap_error(name, err);
	}
	/* the interface's MTU, which virtio-net offers the driver (VIRTIO_NET_F_MTU) */
	*mtu = 1500;
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock >= 0) {
		memset(&ifr, 0, sizeof(ifr));
		strcpy(ifr.ifr_name, name);
		if (!ioctl(sock, SIOCGIFMTU, &ifr) && ifr.ifr_mtu >= 68 && ifr.ifr_mtu <= 65535)
			*mtu = (unsigned int)ifr.ifr_mtu;
		close(sock);
	}
	return fd;
}

int tap_set_offload(int fd, unsigned int tun_flags)
{
	return ioctl(fd, TUNSETOFFLOAD, (unsigned long)tun_flags) < 0 ? -errno : 0;
}
