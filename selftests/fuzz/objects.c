// SPDX-License-Identifier: GPL-2.0-only
/*
 * File descriptors and memory: the system fd, VMs, vCPUs and their run
 * pages, memory slots; creating and closing them in random orders,
 * SET_MEMORY with boundary regions, munmap/mremap/madvise of memory
 * while it is registered, unknown ioctl numbers, fork() with the fds
 * shared.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "fuzz.h"

#define PAGE	4096ULL

static void *map_anon(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void fz_objects_init(struct fz *f)
{
	char *area;
	int i, j;

	f->buf = map_anon(65536);
	area = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!f->buf || area == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	f->edge = area;
	f->none = area + PAGE;
	f->ro = area + 2 * PAGE;
	mprotect(f->none, PAGE, PROT_NONE);
	mprotect(f->ro, PAGE, PROT_READ);
	for (i = 0; i < FZ_VMS; i++) {
		f->vms[i].fd = -1;
		for (j = 0; j < FZ_VCPUS; j++)
			f->vms[i].vcpus[j].fd = -1;
	}
	for (i = 0; i < FZ_STALE; i++)
		f->stale[i] = -1;
	f->sys_fd = open("/dev/vmon", O_RDWR | O_CLOEXEC);
	if (f->sys_fd < 0) {
		perror("/dev/vmon");
		exit(2);
	}
	fz_op(f, "GET_API_VERSION sys");
	fz_ioctl(f, f->sys_fd, VMON_GET_API_VERSION, 0, FK_API_VERSION, 0);
	fz_op(f, "GET_CAPS sys");
	if (fz_ioctl(f, f->sys_fd, VMON_GET_CAPS, (unsigned long)&f->caps, FK_GET_CAPS, 0)) {
		fz_fail(f, FZ_FC_OTHER, "GET_CAPS failed");
		exit(2);
	}
	f->svm = f->caps.backend == VMON_BACKEND_SVM;
}

static void remember_stale(struct fz *f, int fd)
{
	f->stale[fz_below(f, FZ_STALE)] = fd;
}

void fz_close_vcpu(struct fz *f, struct fz_vcpu *c)
{
	if (c->fd < 0)
		return;
	/* the run page stays valid after close (api.rst): unmap before or after */
	if (fz_chance(f, 50) && c->run) {
		munmap(c->run, f->caps.run_size);
		c->run = NULL;
	}
	close(c->fd);
	remember_stale(f, c->fd);
	c->fd = -1;
	if (c->run)
		munmap(c->run, f->caps.run_size);
	c->run = NULL;
}

static void forget_slot(struct fz_slot *s)
{
	if (s->map && !s->gone)
		munmap(s->map, s->map_len);
	memset(s, 0, sizeof(*s));
}

void fz_close_vm(struct fz *f, struct fz_vm *vm)
{
	int i;

	if (vm->fd < 0)
		return;
	close(vm->fd);
	remember_stale(f, vm->fd);
	vm->fd = -1;
	vm->guest_ok = false;
	/* the VM lives on while a vCPU fd holds it; its slots with it */
	for (i = 0; i < FZ_VCPUS; i++)
		if (vm->vcpus[i].fd >= 0)
			return;
	for (i = 0; i < FZ_SLOTS; i++)
		forget_slot(&vm->slots[i]);
}

static int create_vm(struct fz *f, struct fz_vm *vm, unsigned long arg)
{
	long r;

	fz_op(f, "CREATE_VM arg %#lx", arg);
	r = fz_ioctl(f, f->sys_fd, VMON_CREATE_VM, arg, FK_CREATE_VM, 0);
	if (r >= 0 && arg)
		fz_fail(f, FZ_FC_OTHER, "CREATE_VM accepted argument %#lx", arg);
	if (r < 0)
		return -1;
	if (vm->fd >= 0 || vm->vcpus[0].fd >= 0 || vm->vcpus[1].fd >= 0 ||
	    vm->vcpus[2].fd >= 0) {
		/* no slot for it: close it again */
		close(r);
		return -1;
	}
	memset(vm, 0, sizeof(*vm));
	vm->fd = r;
	for (int i = 0; i < FZ_VCPUS; i++)
		vm->vcpus[i].fd = -1;
	return 0;
}

struct fz_vm *fz_pick_vm(struct fz *f, bool create)
{
	struct fz_vm *vm = &f->vms[fz_below(f, FZ_VMS)];
	int i;

	/* a closed VM whose vCPUs live on keeps its place */
	for (i = 0; i < FZ_VCPUS; i++)
		if (vm->fd < 0 && vm->vcpus[i].fd >= 0)
			create = false;
	if (vm->fd < 0 && create)
		create_vm(f, vm, 0);
	return vm->fd >= 0 ? vm : NULL;
}

static int create_vcpu(struct fz *f, struct fz_vm *vm, struct fz_vcpu *c, unsigned long id)
{
	void *run;
	long r;

	fz_op(f, "CREATE_VCPU vm fd %d id %lu", vm->fd, id);
	r = fz_ioctl(f, vm->fd, VMON_CREATE_VCPU, id, FK_CREATE_VCPU, 0);
	if (r < 0)
		return -1;
	if (id >= f->caps.max_vcpus)
		fz_fail(f, FZ_FC_OTHER, "CREATE_VCPU accepted id %lu", id);
	run = mmap(NULL, f->caps.run_size, PROT_READ | PROT_WRITE, MAP_SHARED, r, 0);
	if (run == MAP_FAILED) {
		fz_fail(f, FZ_FC_OTHER, "mmap of a new vCPU's run page: %s",
			strerrorname_np(errno) ?: "?");
		close(r);
		return -1;
	}
	c->fd = r;
	c->id = id;
	c->run = run;
	return 0;
}

struct fz_vcpu *fz_pick_vcpu(struct fz *f, struct fz_vm **vmp, bool create)
{
	struct fz_vm *vm = fz_pick_vm(f, create);
	unsigned int i = fz_below(f, FZ_VCPUS);
	struct fz_vcpu *c;

	if (!vm)
		return NULL;
	c = &vm->vcpus[i];
	/* ids are i, i + 3, ...: distinct within the VM */
	if (c->fd < 0 && create)
		create_vcpu(f, vm, c, i + FZ_VCPUS * fz_below(f, 4));
	if (vmp)
		*vmp = vm;
	return c->fd >= 0 ? c : NULL;
}

/* any fd at all: the caller does not know its kind */
int fz_any_fd(struct fz *f, unsigned int *flags)
{
	struct fz_vm *vm = &f->vms[fz_below(f, FZ_VMS)];

	*flags = FZ_WRONG_FD;
	switch (fz_below(f, 6)) {
	case 0: return f->sys_fd;
	case 1: return vm->fd;
	case 2: return vm->vcpus[fz_below(f, FZ_VCPUS)].fd;
	case 3: return f->stale[fz_below(f, FZ_STALE)];
	case 4: return fz_below(f, 3);	/* stdin, stdout, stderr */
	default: return (int)fz_boundary(f);
	}
}

/*
 * One slot, as guest.c and the memory ops use it: fresh anonymous memory
 * of size bytes (not for size 0), registered; the old mapping goes once
 * the kernel has let go of it.
 */
int fz_set_slot(struct fz *f, struct fz_vm *vm, uint32_t slot, uint32_t flags,
		uint64_t gpa, uint64_t size)
{
	struct vmon_memory_region r = { .slot = slot, .flags = flags, .guest_phys = gpa,
					.size = size };
	void *map = size ? map_anon(size) : NULL;
	long ret;

	if (size && !map)
		return -ENOMEM;
	r.user_addr = (uintptr_t)map;
	fz_op(f, "SET_MEMORY vm fd %d slot %u flags %#x gpa %#llx size %#llx", vm->fd, slot,
	      flags, (unsigned long long)gpa, (unsigned long long)size);
	ret = fz_ioctl(f, vm->fd, VMON_SET_MEMORY, (unsigned long)&r, FK_SET_MEMORY, 0);
	if (ret < 0) {
		if (map)
			munmap(map, size);
		return ret;
	}
	if (slot < FZ_SLOTS) {
		forget_slot(&vm->slots[slot]);
		if (size) {
			vm->slots[slot] = (struct fz_slot){ .used = true, .flags = flags,
				.gpa = gpa, .size = size, .map = map, .map_len = size };
		}
	}
	return 0;
}

static const uint64_t gpa_bases[] = {
	0, 0xc000, 0x100000, 0xfee00000, 0xffff0000, 1ULL << 32, (1ULL << 46) - 0x10000,
};

/* SET_MEMORY with regions that overlap, are misaligned, huge, unmapped... */
void fz_op_memory(struct fz *f)
{
	struct fz_vm *vm = fz_pick_vm(f, true);
	struct vmon_memory_region r = { 0 };
	uint64_t pages = 1 + fz_below(f, 16);
	void *map = NULL, *p;
	bool bad;
	long ret;

	if (!vm)
		return;
	r.slot = fz_chance(f, 90) ? fz_below(f, FZ_SLOTS) : fz_boundary(f);
	r.flags = fz_chance(f, 80) ? (fz_chance(f, 30) ? VMON_MEM_READONLY : 0) : fz_boundary(f);
	r.guest_phys = gpa_bases[fz_below(f, 7)] + PAGE * fz_below(f, 32);
	if (fz_chance(f, 5))
		r.guest_phys = fz_boundary(f);
	if (fz_chance(f, 5))
		r.guest_phys += fz_below(f, PAGE);
	r.size = fz_chance(f, 15) ? 0 : pages * PAGE;
	if (fz_chance(f, 5))
		r.size = fz_boundary(f);
	if (fz_chance(f, 20) && r.slot < FZ_SLOTS && vm->slots[r.slot].used) {
		/* replace: same range, or shifted over its old self */
		r.guest_phys = vm->slots[r.slot].gpa + PAGE * fz_below(f, 2);
	}
	if (r.size && r.size <= 16 * PAGE)
		map = map_anon(r.size);
	switch (fz_below(f, 12)) {
	case 0: r.user_addr = (uintptr_t)f->none; break;
	case 1: r.user_addr = (uintptr_t)f->ro; break;		/* writable slot over RO */
	case 2: r.user_addr = fz_boundary(f); break;
	case 3: r.user_addr = (uintptr_t)map + fz_below(f, PAGE); break;
	case 4: r.user_addr = (uintptr_t)f->edge; break;	/* runs into PROT_NONE */
	default: r.user_addr = (uintptr_t)map; break;
	}
	if (fz_chance(f, 3))
		r.reserved[fz_below(f, 2)] = fz_boundary(f);
	p = fz_argp(f, sizeof(r), false, &bad);
	fz_put(f, p, &r, sizeof(r));
	fz_op(f, "SET_MEMORY vm fd %d slot %u flags %#x gpa %#llx size %#llx ua %#llx res %llx,%llx%s",
	      vm->fd, r.slot, r.flags, (unsigned long long)r.guest_phys,
	      (unsigned long long)r.size, (unsigned long long)r.user_addr,
	      (unsigned long long)r.reserved[0], (unsigned long long)r.reserved[1],
	      bad ? " (bad pointer)" : "");
	ret = fz_ioctl(f, vm->fd, VMON_SET_MEMORY, (unsigned long)p, FK_SET_MEMORY, 0);
	if (ret == 0 && p == f->buf && r.slot < FZ_SLOTS) {
		struct fz_slot *s = &vm->slots[r.slot];

		/* the new region pins its pages: ours (map) or someone else's */
		forget_slot(s);
		if (r.size) {
			*s = (struct fz_slot){ .used = true, .flags = r.flags, .gpa = r.guest_phys,
					       .size = r.size };
			if (r.user_addr == (uintptr_t)map) {
				s->map = map;
				s->map_len = r.size;
				map = NULL;
			}
		}
		vm->guest_ok = false;
	} else if (ret == 0) {
		/* not from our buffer: we do not know what changed */
		vm->guest_ok = false;
	}
	if (map)
		munmap(map, r.size);
}

/* Memory of a registered slot goes away, moves or is dropped under it. */
void fz_op_mem_games(struct fz *f)
{
	struct fz_vm *vm = fz_pick_vm(f, false);
	struct fz_slot *s;
	void *n;

	if (!vm)
		return;
	if (fz_chance(f, 5)) {
		struct fz_vcpu *c = &vm->vcpus[fz_below(f, FZ_VCPUS)];

		/* the run page: its fault handler brings it back */
		if (c->run) {
			fz_op(f, "madvise(DONTNEED) run page of vcpu fd %d", c->fd);
			madvise(c->run, f->caps.run_size, MADV_DONTNEED);
			c->run->immediate_exit = 0;
		}
		return;
	}
	s = &vm->slots[fz_below(f, FZ_SLOTS)];
	for (int i = 0; i < FZ_SLOTS && (!s->used || !s->map || s->gone); i++)
		s = &vm->slots[(s - vm->slots + 1) % FZ_SLOTS];
	if (!s->used || !s->map || s->gone)
		return;
	f->sh->mem_games++;
	switch (fz_below(f, 3)) {
	case 0:
		fz_op(f, "munmap slot memory %p+%#zx (registered)", s->map, s->map_len);
		munmap(s->map, s->map_len);
		s->gone = true;
		break;
	case 1:
		n = mremap(s->map, s->map_len, s->map_len * 2, MREMAP_MAYMOVE);
		fz_op(f, "mremap slot memory %p+%#zx -> %p", s->map, s->map_len, n);
		if (n != MAP_FAILED) {
			s->map = n;
			s->map_len *= 2;
		}
		break;
	default:
		fz_op(f, "madvise(DONTNEED) slot memory %p+%#zx", s->map, s->map_len);
		madvise(s->map, s->map_len, MADV_DONTNEED);
		break;
	}
	vm->guest_ok = false;
}

/* create and close in random orders; names; mmap of vCPU fds */
void fz_op_objects(struct fz *f)
{
	struct fz_vm *vm = &f->vms[fz_below(f, FZ_VMS)];
	struct fz_vcpu *c = &vm->vcpus[fz_below(f, FZ_VCPUS)];
	struct vmon_vm_name name;
	unsigned int i, flags;
	int fd;
	long r;
	void *p;
	bool bad;

	switch (fz_below(f, 10)) {
	case 0:
		if (vm->fd < 0)
			create_vm(f, vm, fz_chance(f, 90) ? 0 : fz_boundary(f));
		else {
			fz_op(f, "close VM fd %d", vm->fd);
			fz_close_vm(f, vm);
		}
		break;
	case 1:
		if (c->fd >= 0) {
			fz_op(f, "close vCPU fd %d", c->fd);
			fz_close_vcpu(f, c);
		} else if (vm->fd >= 0) {
			create_vcpu(f, vm, c, fz_chance(f, 70) ? (unsigned long)(c - vm->vcpus) :
				    fz_boundary(f));
		}
		break;
	case 2:
		if (vm->fd < 0)
			break;
		/* a duplicate id: EEXIST */
		fz_op(f, "CREATE_VCPU vm fd %d id %lu (maybe existing)", vm->fd,
		      (unsigned long)fz_below(f, 2 * FZ_VCPUS));
		r = fz_ioctl(f, vm->fd, VMON_CREATE_VCPU, fz_below(f, 2 * FZ_VCPUS),
			     FK_CREATE_VCPU, 0);
		if (r >= 0)
			close(r);
		break;
	case 3:
		if (vm->fd < 0)
			break;
		for (i = 0; i < sizeof(name.name); i++)
			name.name[i] = fz_chance(f, 90) ? 'a' + fz_below(f, 26) : fz_below(f, 256);
		name.name[fz_below(f, sizeof(name.name) + 4) % sizeof(name.name)] =
			fz_chance(f, 90) ? 0 : 'x';
		p = fz_argp(f, sizeof(name), false, &bad);
		fz_put(f, p, &name, sizeof(name));
		fz_op(f, "SET_NAME vm fd %d%s", vm->fd, bad ? " (bad pointer)" : "");
		fz_ioctl(f, vm->fd, VMON_SET_NAME, (unsigned long)p, FK_SET_NAME, 0);
		break;
	case 4:
		fd = fz_any_fd(f, &flags);
		p = fz_argp(f, sizeof(struct vmon_caps), true, &bad);
		fz_op(f, "GET_CAPS fd %d%s", fd, bad ? " (bad pointer)" : "");
		fz_ioctl(f, fd, VMON_GET_CAPS, (unsigned long)p, FK_GET_CAPS,
			 fd == f->sys_fd ? 0 : flags);
		break;
	case 5: {
		/* mmap of a vCPU fd with random offset, length, flags, prot */
		size_t len = fz_chance(f, 60) ? f->caps.run_size : fz_below(f, 4) * PAGE;
		int prot = fz_chance(f, 70) ? PROT_READ | PROT_WRITE : fz_below(f, 8);
		int mflags = fz_chance(f, 80) ? MAP_SHARED : MAP_PRIVATE;
		off_t off = fz_chance(f, 80) ? 0 : PAGE * fz_below(f, 4);

		if (c->fd < 0 || !len)
			break;
		fz_op(f, "mmap vCPU fd %d len %#zx prot %#x flags %#x off %#llx", c->fd, len,
		      prot, mflags, (unsigned long long)off);
		p = mmap(NULL, len, prot, mflags, c->fd, off);
		fz_check(f, FK_MMAP, p == MAP_FAILED ? -errno : 0, 0);
		if (p != MAP_FAILED) {
			if (len != f->caps.run_size || off || mflags != MAP_SHARED ||
			    (prot & PROT_EXEC))
				fz_fail(f, FZ_FC_OTHER, "mmap of the run page accepted len %#zx off %#llx flags %#x prot %#x",
					len, (unsigned long long)off, mflags, prot);
			munmap(p, len);
		}
		break;
	}
	case 6:
		fd = fz_any_fd(f, &flags);
		fz_op(f, "GET_API_VERSION fd %d", fd);
		fz_ioctl(f, fd, VMON_GET_API_VERSION, fz_boundary(f), FK_API_VERSION,
			 fd == f->sys_fd ? 0 : flags);
		break;
	case 7:
		/* a VM ioctl on some other fd */
		fd = fz_any_fd(f, &flags);
		fz_op(f, "CREATE_VCPU on fd %d", fd);
		r = fz_ioctl(f, fd, VMON_CREATE_VCPU, fz_below(f, 70), FK_CREATE_VCPU, flags);
		if (r >= 0)
			close(r);
		break;
	default:
		/* close in random orders: a VM before its vCPUs, or after */
		if (vm->fd >= 0 && fz_chance(f, 50)) {
			fz_op(f, "close VM fd %d then its vCPUs", vm->fd);
			fz_close_vm(f, vm);
		}
		for (i = 0; i < FZ_VCPUS; i++) {
			c = &vm->vcpus[(i + fz_below(f, FZ_VCPUS)) % FZ_VCPUS];
			if (c->fd >= 0 && fz_chance(f, 50)) {
				fz_op(f, "close vCPU fd %d", c->fd);
				fz_close_vcpu(f, c);
			}
		}
		if (vm->fd < 0)
			fz_close_vm(f, vm);	/* forgets slots when no vCPU is left */
		break;
	}
}

/* ioctl numbers no fd knows: other types, unknown numbers, wrong sizes */
void fz_op_unknown(struct fz *f)
{
	static const unsigned int known[] = { 0x00, 0x01, 0x02, 0x10, 0x11, 0x12, 0x20,
		0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b };
	unsigned int nr, type, size, dir, flags, i;
	unsigned long req;
	int fd;

	fd = fz_any_fd(f, &flags);
	if (fz_chance(f, 50)) {
		struct fz_vcpu *c = fz_pick_vcpu(f, NULL, false);

		fd = c ? c->fd : f->sys_fd;
		flags = 0;
	}
	type = fz_chance(f, 70) ? VMONIO : fz_below(f, 256);
	nr = fz_below(f, 256);
	size = fz_chance(f, 50) ? fz_below(f, 16384) : 8 * fz_below(f, 64);
	dir = fz_below(f, 4);
	req = ((unsigned long)dir << 30) | ((unsigned long)size << 16) | (type << 8) | nr;
	if (type == VMONIO) {
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
			/* a known number with another size or direction is unknown too */
			if (nr == known[i] && fz_chance(f, 70))
				nr = 0x80 + fz_below(f, 0x80);
		}
		req = (req & ~0xffUL) | nr;
	}
	if (type == VMONIO) {
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
			if (nr == known[i])
				return;		/* a real request of another size: skip */
		}
	}
	if (type == 'T' || type == 0x54 || type == 0x89 || type == 0x12 ||
	    type == 0x58 || type == 0x94 || fd <= 2)
		return;		/* tty, socket, block, fs ioctls on other fds: not ours */
	fz_op(f, "ioctl fd %d req %#lx (unknown)", fd, req);
	fz_ioctl(f, fd, req, (unsigned long)f->buf, FK_UNKNOWN, flags);
}

/* fork() with the fds shared: the child is not the owner (EIO) */
void fz_op_fork(struct fz *f)
{
	struct fz_vcpu *c = fz_pick_vcpu(f, NULL, false);
	struct fz_vm *vm = fz_pick_vm(f, false);
	uint64_t t0;
	pid_t pid;
	int st;

	fz_op(f, "fork with vm fd %d vcpu fd %d", vm ? vm->fd : -1, c ? c->fd : -1);
	fflush(stdout);
	f->sh->forks++;
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		struct vmon_regs regs;

		/* never outlive the chunk, even if the parent is killed */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		struct fz_vm own = { .fd = -1 };

		for (int i = 0; i < FZ_VCPUS; i++)
			own.vcpus[i].fd = -1;

		if (c) {
			fz_op(f, "child: GET_REGS vcpu fd %d", c->fd);
			fz_ioctl(f, c->fd, VMON_GET_REGS, (unsigned long)&regs, FK_GET_REGS,
				 FZ_FOREIGN);
			fz_op(f, "child: RUN vcpu fd %d", c->fd);
			fz_ioctl(f, c->fd, VMON_RUN, 0, FK_RUN, FZ_FOREIGN);
			if (c->run)
				c->run->immediate_exit = 0;	/* shared page: harmless */
		}
		if (vm) {
			fz_op(f, "child: CREATE_VCPU vm fd %d", vm->fd);
			fz_ioctl(f, vm->fd, VMON_CREATE_VCPU, 7, FK_CREATE_VCPU, FZ_FOREIGN);
			fz_op(f, "child: SET_MEMORY delete slot 0 vm fd %d", vm->fd);
			fz_set_slot(f, vm, 0, 0, 0, 0);
		}
		/* a VM of its own, closed in a random order */
		for (int i = 0; i < FZ_VMS; i++)
			if (fz_chance(f, 50))
				fz_close_vm(f, &f->vms[i]);
		if (create_vm(f, &own, 0) == 0) {
			fz_set_slot(f, &own, 0, 0, 0, PAGE);
			create_vcpu(f, &own, &own.vcpus[0], 0);
			if (fz_chance(f, 50))
				fz_close_vm(f, &own);
		}
		_exit(0);
	}
	t0 = fz_now_ns();
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (fz_now_ns() - t0 > f->o->hang_s * 1000000000ULL) {
			fz_fail(f, FZ_FC_HANG, "forked child %d did not finish in %u s", pid,
				f->o->hang_s);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return;
		}
		usleep(1000);
	}
	if (WIFSIGNALED(st))
		fz_fail(f, FZ_FC_CRASH, "forked child killed by signal %d", WTERMSIG(st));
}
