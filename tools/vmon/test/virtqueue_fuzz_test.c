// SPDX-License-Identifier: GPL-2.0-only
/*
 * Random rings against devices/virtqueue.c: a seeded generator fills
 * the descriptor table, an indirect table and the available ring of a
 * queue with values biased towards the edges (indices around the queue
 * size, buffers straddling the end of guest RAM, every flag
 * combination), and each virtqueue_pop() is compared with a reference
 * walk of the same ring written from the rules of virtio 1.2 2.7
 * (below).  Guest RAM sits between guard pages; the rings themselves
 * must come out of a pop unchanged.  VMON_FUZZ_SEED and
 * VMON_FUZZ_ROUNDS override the seed and the number of rings.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "kselftest_harness.h"
#include "virtio_util.h"

#define IND_MAX		80	/* entries of the random indirect table */
#define NR_ROUNDS	100000

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd_addr(void)
{
	switch (rnd() % 8) {
	case 0:
		return rnd();
	case 1:
		return VT_RAM_SIZE - rnd() % 64;
	case 2:
		return ~0ull - rnd() % 64;
	default:
		return VT_DATA + rnd() % 0x10000;
	}
}

static uint32_t rnd_len(void)
{
	switch (rnd() % 8) {
	case 0:
		return rnd();
	case 1:
		return 0;
	default:
		return rnd() % 512;
	}
}

static uint16_t rnd_flags(void)
{
	uint16_t f = 0;

	if (rnd() % 3)
		f |= VIRTQ_DESC_F_NEXT;
	if (rnd() % 2)
		f |= VIRTQ_DESC_F_WRITE;
	if (rnd() % 10 == 0)
		f |= VIRTQ_DESC_F_INDIRECT;
	if (rnd() % 50 == 0)
		f |= rnd() & 0xfff8;
	return f;
}

static void rnd_desc(struct virtq_desc *d, unsigned int table)
{
	d->flags = rnd_flags();
	d->next = rnd() % 8 ? rnd() % (table + 2) : rnd();
	if (d->flags & VIRTQ_DESC_F_INDIRECT && rnd() % 4) {
		d->addr = VT_INDIRECT;
		d->len = rnd() % 8 ? 16 * (1 + rnd() % IND_MAX) : rnd() % 2048;
	} else {
		d->addr = rnd_addr();
		d->len = rnd_len();
	}
}

/* ------------------------------------------- the reference walk */

struct seg {
	uint64_t gpa;
	uint32_t len;
	bool write;
};

static bool ram_ok(uint64_t gpa, uint64_t len)
{
	return gpa <= VT_RAM_SIZE && len <= VT_RAM_SIZE - gpa;
}

/*
 * 1 and the segments of the chain at head, or -EIO: 2.7.5.2 (indices
 * below the queue size, no loop: a chain has at most the queue size of
 * descriptors), 2.7.4.2 (writable after readable), 2.7.5.3.1 (one
 * indirect table, not chained on, a multiple of 16 bytes long, holding
 * no indirect descriptor; its chain stays inside it) and VIRTQ_MAX_SEGS.
 */
static int ref_walk(struct vt *t, bool indirect_ok, uint16_t head, struct seg *segs,
		    unsigned int *nr)
{
	const struct virtq_desc *table = vt_desc(t, 0);
	unsigned int max = VT_QSIZE, count = 0, idx = head;
	bool in_ind = false, seen_write = false;

	*nr = 0;
	for (;;) {
		const struct virtq_desc *d;

		if (idx >= max || count++ == max)
			return -EIO;
		d = &table[idx];
		if (d->flags & VIRTQ_DESC_F_INDIRECT) {
			if (!indirect_ok || in_ind || d->flags & VIRTQ_DESC_F_NEXT ||
			    d->len == 0 || d->len % 16 || !ram_ok(d->addr, d->len))
				return -EIO;
			table = (const struct virtq_desc *)(t->ram + d->addr);
			max = d->len / 16;
			in_ind = true;
			idx = 0;
			count = 0;
			continue;
		}
		if (*nr == VIRTQ_MAX_SEGS || !ram_ok(d->addr, d->len))
			return -EIO;
		if (d->flags & VIRTQ_DESC_F_WRITE)
			seen_write = true;
		else if (seen_write)
			return -EIO;
		segs[(*nr)++] = (struct seg){ d->addr, d->len, d->flags & VIRTQ_DESC_F_WRITE };
		if (!(d->flags & VIRTQ_DESC_F_NEXT))
			return 1;
		idx = d->next;
	}
}

static int ref_pop(struct vt *t, bool indirect_ok, uint16_t last_avail, struct seg *segs,
		   unsigned int *nr)
{
	struct virtq_avail *a = vt_avail(t, 0);
	uint16_t ahead = a->idx - last_avail;

	if (!ahead)
		return 0;
	if (ahead > VT_QSIZE)
		return -EIO;
	return ref_walk(t, indirect_ok, a->ring[last_avail % VT_QSIZE], segs, nr);
}

/* the rings and the indirect table, which a pop must not change */
#define RINGS_START	VT_DESC(0)
#define RINGS_LEN	(VT_USED(0) - VT_DESC(0))

TEST(random_rings)
{
	static struct virtq_elem elem;
	static struct seg segs[VIRTQ_MAX_SEGS];
	static uint8_t rings[RINGS_LEN], ind[IND_MAX * 16];
	struct vt *t = calloc(1, sizeof(*t));
	unsigned long rounds = NR_ROUNDS, r, popped = 0, broken = 0, empty = 0;
	uint64_t seed = 0x5eed0f5eedull;
	struct virtqueue *vq;
	bool indirect_ok = true;
	const char *e;

	e = getenv("VMON_FUZZ_SEED");
	if (e)
		seed = strtoull(e, NULL, 0);
	e = getenv("VMON_FUZZ_ROUNDS");
	if (e)
		rounds = strtoul(e, NULL, 0);
	rng_state = seed ? seed : 1;
	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, vt_init(t));
	vq = virtio_queue(&t->v, 0);
	ASSERT_EQ(VIRTIO_STATUS_DRIVER_OK, vt_driver_init(t, VT_F_ALL) & 0x44);

	for (r = 0; r < rounds; r++) {
		struct virtq_desc *d = vt_desc(t, 0);
		struct virtq_desc *id = (struct virtq_desc *)(t->ram + VT_INDIRECT);
		struct virtq_avail *a = vt_avail(t, 0);
		uint16_t last = vq->last_avail;
		unsigned int i, nr = 0;
		uint64_t f;
		int want, got;

		for (i = 0; i < VT_QSIZE; i++)
			rnd_desc(&d[i], VT_QSIZE);
		for (i = 0; i < IND_MAX; i++)
			rnd_desc(&id[i], rnd() % 2 ? 4 : IND_MAX);
		for (i = 0; i < VT_QSIZE; i++)
			a->ring[i] = rnd() % 8 ? rnd() % VT_QSIZE : rnd();
		a->idx = last + (rnd() % 8 ? rnd() % 4 : rnd());

		want = ref_pop(t, indirect_ok, last, segs, &nr);
		memcpy(rings, t->ram + RINGS_START, RINGS_LEN);
		memcpy(ind, t->ram + VT_INDIRECT, sizeof(ind));
		got = virtqueue_pop(vq, &elem);
		ASSERT_EQ(want, got) TH_LOG("round %lu (seed %#llx)", r, (unsigned long long)seed);
		ASSERT_EQ(0, memcmp(rings, t->ram + RINGS_START, RINGS_LEN));
		ASSERT_EQ(0, memcmp(ind, t->ram + VT_INDIRECT, sizeof(ind)));
		if (got == 1) {
			uint64_t out = 0, in = 0;

			popped++;
			ASSERT_EQ(nr, elem.nr_out + elem.nr_in);
			for (i = 0; i < nr; i++) {
				ASSERT_EQ(t->ram + segs[i].gpa, elem.iov[i].iov_base);
				ASSERT_EQ(segs[i].len, elem.iov[i].iov_len);
				ASSERT_EQ(segs[i].write, i >= elem.nr_out);
				*(segs[i].write ? &in : &out) += segs[i].len;
			}
			ASSERT_EQ(out, elem.out_len);
			ASSERT_EQ(in, elem.in_len);
			ASSERT_EQ(last + 1, vq->last_avail);
			if (rnd() % 2) {
				virtqueue_push(vq, &elem, rnd());
				virtqueue_notify(vq);
			}
		} else if (got < 0) {
			broken++;
			ASSERT_TRUE(vt_status(t) & VIRTIO_STATUS_NEEDS_RESET);
			/* start over, sometimes without indirect descriptors */
			indirect_ok = rnd() % 4;
			f = VT_F_ALL;
			if (!indirect_ok)
				f &= ~(1ull << VIRTIO_F_RING_INDIRECT_DESC);
			ASSERT_EQ(VIRTIO_STATUS_DRIVER_OK, vt_driver_init(t, f) & 0x44);
			vt_rd(t, VT_ISR, 1);
		} else {
			empty++;
		}
	}
	/* the generator must reach every outcome, or it tests little */
	EXPECT_LT(rounds / 20, popped);
	EXPECT_LT(rounds / 20, broken);
	EXPECT_LT(rounds / 20, empty);
	printf("# %lu rings (seed %#llx): %lu popped, %lu broken, %lu empty\n", rounds,
	       (unsigned long long)seed, popped, broken, empty);
	fflush(stdout);
	vt_fini(t);
	free(t);
}

/*
 * A driver that rewrites the descriptor while the device reads it:
 * whatever pop returns must be one consistent, checked view of it, a
 * buffer wholly inside guest RAM (or -EIO), never a checked address
 * with an unchecked length.
 */
struct flipper {
	struct virtq_desc *d;
	bool stop;
};

static void *flip(void *arg)
{
	struct flipper *f = arg;
	unsigned long i;

	for (i = 0; !__atomic_load_n(&f->stop, __ATOMIC_RELAXED); i++) {
		bool bad = i & 1;

		__atomic_store_n(&f->d->addr, bad ? VT_RAM_SIZE - 4 : VT_DATA, __ATOMIC_RELAXED);
		__atomic_store_n(&f->d->len, bad ? 0xfffffff0u : 64, __ATOMIC_RELAXED);
	}
	return NULL;
}

TEST(descriptor_changed_under_pop)
{
	static struct virtq_elem elem;
	struct vt *t = calloc(1, sizeof(*t));
	struct flipper f = { 0 };
	unsigned long r, popped = 0, broken = 0;
	struct virtqueue *vq;
	time_t end;
	pthread_t th;

	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, vt_init(t));
	vq = virtio_queue(&t->v, 0);
	ASSERT_EQ(VIRTIO_STATUS_DRIVER_OK, vt_driver_init(t, VT_F_BASE) & 0x44);
	f.d = &vt_desc(t, 0)[0];
	vt_set_desc(f.d, VT_DATA, 64, VIRTQ_DESC_F_WRITE, 0);
	ASSERT_EQ(0, pthread_create(&th, NULL, flip, &f));
	/* until both outcomes were seen often, for 10 s at most */
	end = time(NULL) + 10;
	for (r = 0; (popped < 2000 || broken < 2000) && time(NULL) < end; r++) {
		int got;

		vt_kick(t, 0, 0);
		got = virtqueue_pop(vq, &elem);
		if (got == 1) {
			uint8_t *p = elem.iov[0].iov_base;

			popped++;
			ASSERT_EQ(1, elem.nr_in);
			ASSERT_TRUE(p >= t->ram && elem.iov[0].iov_len <= VT_RAM_SIZE &&
				    p + elem.iov[0].iov_len <= t->ram + VT_RAM_SIZE);
			ASSERT_EQ(elem.iov[0].iov_len, elem.in_len);
			virtqueue_push(vq, &elem, 0);
		} else {
			ASSERT_EQ(-EIO, got);
			broken++;
			memset(vt_avail(t, 0), 0, 64);
			ASSERT_EQ(VIRTIO_STATUS_DRIVER_OK, vt_driver_init(t, VT_F_BASE) & 0x44);
		}
	}
	__atomic_store_n(&f.stop, true, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	printf("# %lu pops under a changing descriptor: %lu popped, %lu broken\n",
	       r, popped, broken);
	fflush(stdout);
	EXPECT_LT(0, popped);
	EXPECT_LT(0, broken);
	vt_fini(t);
	free(t);
}

TEST_HARNESS_MAIN
