// SPDX-License-Identifier: GPL-2.0-only
/*
 * Threads racing a running vCPU: VMON_RUN in a loop on one thread while
 * others delete and re-add the guest's memory slot, munmap or madvise
 * its memory, close the vCPU or VM fd, and send the netlink commands
 * (list, statistics, state, tracing) about the same VM.  What happens
 * when is up to the scheduler, so a race op is not replayed exactly;
 * --no-races leaves them out.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "fuzz.h"
#include "libvmon.h"
#include "libvmon_nl.h"

extern __thread bool fz_quiet;

#define RACE_MAX	300	/* calls per thread and race */

struct race {
	struct fz *f;
	struct fz_vm *vm;
	int vcpu_fd, vm_fd;
	uint32_t vcpu_id;
	uint64_t seed;			/* each thread's own stream */
	volatile bool stop;
	bool close_vcpu, close_vm, mem_games;
	void *ram;			/* slot 2's memory, while the race owns it */
	size_t ram_len;
	bool ram_registered;
	uint64_t runs, sets, nl;
};

static uint64_t t_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void block_alarm(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static void *run_thread(void *arg)
{
	struct race *r = arg;

	fz_quiet = true;
	block_alarm();
	/* bounded: in Bochs a few guest milliseconds are thousands of exits */
	while (!r->stop && r->runs < RACE_MAX) {
		long ret;

		__atomic_fetch_add(&r->f->sh->ioctls, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&r->f->sh->race_ioctls, 1, __ATOMIC_RELAXED);
		ret = ioctl(r->vcpu_fd, VMON_RUN, 0);
		fz_check(r->f, FK_RUN, ret < 0 ? -errno : ret, FZ_RACING | FZ_WRONG_FD);
		r->runs++;
		if (ret < 0 && errno != EINTR)
			break;
	}
	return NULL;
}

static void *mem_thread(void *arg)
{
	struct race *r = arg;
	struct vmon_memory_region reg = { .slot = 2, .guest_phys = 0xe000 };
	uint64_t s = r->seed ^ 1;

	fz_quiet = true;
	block_alarm();
	while (!r->stop && r->sets < RACE_MAX) {
		long ret;

		reg.size = r->ram_registered ? 0 : r->ram_len;
		reg.user_addr = (uintptr_t)r->ram;
		if (r->mem_games && t_rand(&s) % 8 == 0) {
			/* drop the pages under the running guest; they stay pinned */
			madvise(r->ram, r->ram_len, MADV_DONTNEED);
			continue;
		}
		__atomic_fetch_add(&r->f->sh->ioctls, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&r->f->sh->race_ioctls, 1, __ATOMIC_RELAXED);
		ret = ioctl(r->vm_fd, VMON_SET_MEMORY, &reg);
		ret = ret < 0 ? -errno : ret;
		fz_check(r->f, FK_SET_MEMORY, ret, FZ_RACING | FZ_WRONG_FD);
		if (ret == 0)
			r->ram_registered = !r->ram_registered;
		r->sets++;
		if (ret == -EBADF || ret == -ENOTTY)
			break;
	}
	return NULL;
}

static void *nl_thread(void *arg)
{
	struct race *r = arg;
	struct libvmon_vm_info *vms;
	struct libvmon_state_dump d;
	struct libvmon_vm_stats st;
	uint64_t s = r->seed ^ 2;
	struct libvmon_nl v;
	unsigned int n;
	int ret;

	fz_quiet = true;
	block_alarm();
	if (libvmon_nl_open(&v))
		return NULL;
	while (!r->stop && r->nl < RACE_MAX) {
		uint32_t id;

		ret = libvmon_nl_list_vms(&v, &vms, &n);
		fz_check(r->f, FK_NETLINK, ret, 0);
		id = !ret && n ? vms[t_rand(&s) % n].id : (uint32_t)t_rand(&s);
		if (!ret)
			free(vms);
		switch (t_rand(&s) % 4) {
		case 0:
			ret = libvmon_nl_get_stats(&v, id, (int)(t_rand(&s) % 4) - 1, &st);
			if (!ret)
				libvmon_vm_stats_free(&st);
			break;
		case 1:
			ret = libvmon_nl_get_state(&v, id, t_rand(&s) % 4, &d);
			if (!ret)
				libvmon_state_dump_free(&d);
			break;
		case 2:
			ret = libvmon_nl_trace_start(&v, id, NULL, 0);
			break;
		default:
			ret = libvmon_nl_trace_stop(&v, id);
			break;
		}
		fz_check(r->f, FK_NETLINK, ret < 0 ? ret : 0, 0);
		r->nl++;
	}
	libvmon_nl_close(&v);
	return NULL;
}

/* the guest: out 0x80, al; jmp back; in real mode at 0xc000 */
static const unsigned char loop_code[] = { 0xe6, 0x80, 0xeb, 0xfc };

void fz_op_race(struct fz *f)
{
	struct fz_vm *vm;
	struct fz_vcpu *c = fz_pick_vcpu(f, &vm, true);
	struct race r = { 0 };
	pthread_t th[3];
	unsigned int i, nth = 0, us;
	uint64_t t0;
	void *code;
	int ok;

	if (!c || vm->fd < 0 || !f->o->races)
		return;
	/* a guest to run: the fuzzing guest's slots, a loop in real mode */
	fz_op_guest(f);
	if (!vm->guest_ok || c->fd < 0 || vm->slots[1].gone || vm->slots[2].gone)
		return;
	code = vm->slots[1].map;
	memcpy(code, loop_code, sizeof(loop_code));
	{
		struct vmon_regs regs = { .rip = 0xc000, .rflags = 2, .rsp = 0xf000 };
		struct vmon_sregs s;

		if (ioctl(c->fd, VMON_GET_SREGS, &s))
			return;
		s.cs.base = 0;
		s.cs.selector = 0;
		fz_op(f, "race: SET_REGS vcpu fd %d rip 0xc000", c->fd);
		fz_ioctl(f, c->fd, VMON_SET_REGS, (unsigned long)&regs, FK_SET_REGS, 0);
	}
	r.f = f;
	r.vm = vm;
	r.vcpu_fd = c->fd;
	r.vm_fd = vm->fd;
	r.seed = fz_rand(f);
	r.close_vcpu = fz_chance(f, 20);
	r.close_vm = fz_chance(f, 20);
	r.mem_games = fz_chance(f, 50);
	r.ram = vm->slots[2].map;
	r.ram_len = vm->slots[2].size;
	r.ram_registered = true;
	/* 1 to 30 ticks (--tick-us: 1 ms on SVM, shorter on Bochs) */
	us = (1 + fz_below(f, 30)) * f->o->tick_us;
	fz_op(f, "race: RUN vcpu fd %d vs SET_MEMORY slot 2%s%s%s, netlink, %u us", c->fd,
	      r.mem_games ? " + madvise" : "", r.close_vcpu ? ", close vCPU" : "",
	      r.close_vm ? ", close VM" : "", us);
	f->sh->races++;
	ok = !pthread_create(&th[nth], NULL, run_thread, &r);
	nth += ok;
	if (fz_chance(f, 70) && !pthread_create(&th[nth], NULL, mem_thread, &r))
		nth++;
	if (fz_chance(f, 50) && !pthread_create(&th[nth], NULL, nl_thread, &r))
		nth++;
	usleep(us);
	/* close under the running threads: the fd numbers stay reserved until they stop */
	if (r.close_vcpu) {
		fz_close_vcpu(f, c);
	}
	if (r.close_vm)
		fz_close_vm(f, vm);
	usleep(fz_below(f, 5000));
	r.stop = true;
	t0 = fz_now_ns();
	for (i = 0; i < nth; i++) {
		/* kick RUN out of the guest until the thread is gone */
		while (pthread_tryjoin_np(th[i], NULL) == EBUSY) {
			pthread_kill(th[i], SIGUSR1);
			usleep(1000);
			if (fz_now_ns() - t0 > f->o->hang_s * 1000000000ULL) {
				fz_fail(f, FZ_FC_HANG, "race thread %u did not stop in %u s", i,
					f->o->hang_s);
				fflush(stdout);
				_exit(3);
			}
		}
	}
	fz_note(f, " runs %llu sets %llu nl %llu", (unsigned long long)r.runs,
		(unsigned long long)r.sets, (unsigned long long)r.nl);
	/* slot 2 as the mem thread left it */
	if (!r.close_vm && vm->fd >= 0 && !r.ram_registered) {
		vm->slots[2].used = false;
		munmap(r.ram, r.ram_len);
		vm->slots[2].map = NULL;
	}
	vm->guest_ok = false;
}
