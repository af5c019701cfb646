// SPDX-License-Identifier: GPL-2.0-only
/*
 * Notifications without exits: VMON_IOEVENTFD and VMON_IRQFD with
 * random and boundary arguments, on a small pool of eventfds that are
 * also signalled (irqfd delivery from this thread), closed and
 * replaced (the EPOLLHUP teardown) between the ops.  The guest ops
 * (guest.c) then run with whatever registrations are left, so random
 * guest writes meet the kernel's ioeventfd path.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fuzz.h"

#define FZ_EFDS		4

/* this chunk's eventfds (the child's own); -1: closed */
static int efds[FZ_EFDS];
static bool efds_ready;

static const uint64_t notify_addrs[] = {
	0, 0x80, 0x3f8, 0xcf8, 0xcfc, 0xfff8, 0xffff, 0x10000,
	0xa0000, 0xc000, 0xfec00000, 0xfee00000, 0xfee00300, 1ULL << 32, (1ULL << 46) - 8,
};

static int pick_efd(struct fz *f, unsigned int *flags)
{
	unsigned int i = fz_below(f, FZ_EFDS);

	*flags = 0;
	if (!efds_ready) {
		for (i = 0; i < FZ_EFDS; i++)
			efds[i] = -1;
		efds_ready = true;
		i = 0;
	}
	if (fz_chance(f, 10))
		return fz_any_fd(f, flags);	/* not an eventfd, stale, out of range */
	if (efds[i] < 0)
		efds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return efds[i];
}

static uint64_t pick_addr(struct fz *f)
{
	uint64_t a = notify_addrs[fz_below(f, sizeof(notify_addrs) / sizeof(notify_addrs[0]))];

	if (fz_chance(f, 10))
		return fz_boundary(f);
	return a + (fz_chance(f, 50) ? 0 : fz_below(f, 16));
}

static void op_ioeventfd(struct fz *f, struct fz_vm *vm)
{
	static const uint32_t lens[] = { 0, 1, 2, 4, 8 };
	struct vmon_ioeventfd io = { 0 };
	unsigned int flags;
	bool bad;
	void *p;

	io.fd = pick_efd(f, &flags);
	io.addr = pick_addr(f);
	io.len = fz_chance(f, 90) ? lens[fz_below(f, 5)] : (uint32_t)fz_boundary(f);
	/* mostly well-formed: a port below 64K, a value with a length */
	if (fz_chance(f, 30)) {
		io.flags |= VMON_IOEVENTFD_PIO;
		if (fz_chance(f, 90))
			io.addr &= 0xfff8;
	}
	if (io.len && fz_chance(f, 40))
		io.flags |= VMON_IOEVENTFD_DATAMATCH;
	if (fz_chance(f, 30))
		io.flags |= VMON_IOEVENTFD_DEASSIGN;
	if (fz_chance(f, 5))
		io.flags = (uint32_t)fz_boundary(f);
	io.datamatch = fz_chance(f, 90) ? fz_below(f, 256) : fz_boundary(f);
	if (fz_chance(f, 3))
		io.pad = fz_boundary(f);
	if (fz_chance(f, 3))
		io.reserved[fz_below(f, 2)] = fz_boundary(f);
	p = fz_argp(f, sizeof(io), false, &bad);
	fz_put(f, p, &io, sizeof(io));
	fz_op(f, "IOEVENTFD vm fd %d addr %#llx len %u fd %d match %#llx flags %#x%s",
	      vm->fd, (unsigned long long)io.addr, io.len, io.fd,
	      (unsigned long long)io.datamatch, io.flags, bad ? " (bad pointer)" : "");
	fz_ioctl(f, vm->fd, VMON_IOEVENTFD, (unsigned long)p, FK_IOEVENTFD, 0);
}

static void op_irqfd(struct fz *f, struct fz_vm *vm)
{
	struct vmon_irqfd a = { 0 };
	unsigned int flags;
	bool bad;
	void *p;

	a.fd = pick_efd(f, &flags);
	a.flags = fz_chance(f, 80) ? (fz_chance(f, 30) ? VMON_IRQFD_DEASSIGN : 0) :
				     (uint32_t)fz_boundary(f);
	a.msi_address = 0xfee00000ULL | fz_below(f, 4) << 12 | fz_below(f, 2) << 2;
	if (fz_chance(f, 10))
		a.msi_address = fz_boundary(f);
	/* mostly fixed and lowest priority; NMI and INIT messages now and then */
	a.msi_data = (0x20 + fz_below(f, 0xe0)) | (fz_chance(f, 90) ? fz_below(f, 2) :
						   fz_below(f, 8)) << 8;
	if (fz_chance(f, 5))
		a.msi_data = fz_boundary(f);
	if (fz_chance(f, 3))
		a.pad = fz_boundary(f);
	if (fz_chance(f, 3))
		a.reserved[fz_below(f, 2)] = fz_boundary(f);
	p = fz_argp(f, sizeof(a), false, &bad);
	fz_put(f, p, &a, sizeof(a));
	fz_op(f, "IRQFD vm fd %d fd %d address %#llx data %#x flags %#x%s", vm->fd, a.fd,
	      (unsigned long long)a.msi_address, a.msi_data, a.flags,
	      bad ? " (bad pointer)" : "");
	fz_ioctl(f, vm->fd, VMON_IRQFD, (unsigned long)p, FK_IRQFD, 0);
}

void fz_op_notify(struct fz *f)
{
	struct fz_vm *vm = fz_pick_vm(f, true);
	unsigned int flags, i;
	uint64_t one = 1;
	ssize_t n;
	int fd;

	if (!vm)
		return;
	switch (fz_below(f, 8)) {
	case 0:
	case 1:
	case 2:
		op_ioeventfd(f, vm);
		break;
	case 3:
	case 4:
		op_irqfd(f, vm);
		break;
	case 5:
	case 6:
		/* an irqfd bound to it delivers its MSI from here */
		fd = pick_efd(f, &flags);
		if (flags)
			break;
		fz_op(f, "signal eventfd %d", fd);
		n = write(fd, &one, sizeof(one));
		fz_note(f, " -> %zd", n);
		break;
	default:
		/* the last file goes: bindings see EPOLLHUP */
		i = fz_below(f, FZ_EFDS);
		if (!efds_ready || efds[i] < 0)
			break;
		fz_op(f, "close eventfd %d", efds[i]);
		close(efds[i]);
		efds[i] = -1;
		break;
	}
}
