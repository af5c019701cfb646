// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of virtio-rng (devices/virtio_rng.c), the function that
 * machine_add_devices() puts at 00:01.0, driven as a guest driver
 * would: its thread fills buffers after a notification and interrupts,
 * a reset after DRIVER_OK completes once the thread has let go of the
 * ring, and a broken ring leaves the device needing reset.
 */
#include <time.h>

#include "kselftest_harness.h"
#include "virtio_util.h"

#define RNG_DEVFN	(1 << 3)
#define RNG_BUF		0x60000u

FIXTURE(rng) {
	struct vt t;
	uint64_t bar;
};

static uint64_t rd(FIXTURE_DATA(rng) *self, uint64_t off, unsigned int size)
{
	uint64_t v = 0;

	machine_mmio(&self->t.m, self->bar + off, &v, size, false);
	return v;
}

static void wr(FIXTURE_DATA(rng) *self, uint64_t off, unsigned int size, uint64_t v)
{
	machine_mmio(&self->t.m, self->bar + off, &v, size, true);
}

FIXTURE_SETUP(rng)
{
	ASSERT_EQ(0, vt_init(&self->t));
	ASSERT_EQ(0x10441af4, pci_config_read(&self->t.m, RNG_DEVFN, 0, 4));
	self->bar = pci_config_read(&self->t.m, RNG_DEVFN, 0x18, 4) & ~0xfull;	/* BAR 2 */
	ASSERT_NE(0, self->bar);
}

FIXTURE_TEARDOWN(rng)
{
	vt_fini(&self->t);	/* machine_destroy() joins the device's thread */
}

/* wait up to a second for cond, evaluated once a millisecond (ISR reads clear) */
#define WAIT_FOR(cond) ({						\
	bool __ok = false;						\
	int __i;							\
	for (__i = 0; __i < 1000 && !(__ok = (cond)); __i++)		\
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL); \
	__ok;								\
})

static void driver_init(struct __test_metadata *_metadata, FIXTURE_DATA(rng) *self)
{
	wr(self, CC_STATUS, 1, 0);
	wr(self, CC_STATUS, 1, 3);
	EXPECT_EQ(0, rd(self, 0x04, 4) & ~(3u << 28));	/* no device features */
	wr(self, 0x08, 4, 0);
	wr(self, 0x0c, 4, 0);
	wr(self, 0x08, 4, 1);
	wr(self, 0x0c, 4, 1);				/* VERSION_1 */
	wr(self, CC_STATUS, 1, 0xb);
	ASSERT_EQ(1, rd(self, 0x12, 2));
	wr(self, CC_QSELECT, 2, 0);
	EXPECT_EQ(256, rd(self, 0x18, 2));
	wr(self, 0x18, 2, VT_QSIZE);
	wr(self, 0x20, 8, VT_DESC(0));
	wr(self, 0x28, 8, VT_AVAIL(0));
	wr(self, 0x30, 8, VT_USED(0));
	wr(self, 0x1c, 2, 1);
	wr(self, CC_STATUS, 1, 0xf);
	ASSERT_EQ(0xf, rd(self, CC_STATUS, 1));
}

static uint16_t used_idx(FIXTURE_DATA(rng) *self)
{
	return __atomic_load_n(&vt_used(&self->t, 0)->idx, __ATOMIC_ACQUIRE);
}

TEST_F(rng, fills_a_buffer_and_interrupts)
{
	static const uint8_t zero[64];
	struct virtq_used *u = vt_used(&self->t, 0);

	driver_init(_metadata, self);
	vt_set_desc(&vt_desc(&self->t, 0)[2], RNG_BUF, 64, VIRTQ_DESC_F_WRITE, 0);
	vt_kick(&self->t, 0, 2);
	wr(self, VT_NOTIFY, 2, 0);
	ASSERT_TRUE(WAIT_FOR(used_idx(self) == 1));
	EXPECT_EQ(2, u->ring[0].id);
	EXPECT_EQ(64, u->ring[0].len);
	EXPECT_NE(0, memcmp(self->t.ram + RNG_BUF, zero, 64));
	/* INTx and ISR bit 0: MSI-X is off */
	EXPECT_TRUE(WAIT_FOR(rd(self, VT_ISR, 1) == 1));
	/* a second request, another kick */
	memset(self->t.ram + RNG_BUF, 0, 64);
	vt_kick(&self->t, 0, 2);
	wr(self, VT_NOTIFY, 2, 0);
	ASSERT_TRUE(WAIT_FOR(used_idx(self) == 2));
	EXPECT_NE(0, memcmp(self->t.ram + RNG_BUF, zero, 64));
}

/* 4.1.4.3.1: status reads 0 only once the thread has let go */
TEST_F(rng, reset_after_driver_ok)
{
	driver_init(_metadata, self);
	wr(self, CC_STATUS, 1, 0);
	ASSERT_TRUE(WAIT_FOR(rd(self, CC_STATUS, 1) == 0));
	EXPECT_EQ(0, rd(self, 0x1c, 2));
	/* and it serves again after a new initialisation */
	memset(self->t.ram + VT_AVAIL(0), 0, 0x2000);
	driver_init(_metadata, self);
	vt_set_desc(&vt_desc(&self->t, 0)[0], RNG_BUF, 16, VIRTQ_DESC_F_WRITE, 0);
	vt_kick(&self->t, 0, 0);
	wr(self, VT_NOTIFY, 2, 0);
	ASSERT_TRUE(WAIT_FOR(used_idx(self) == 1));
}

TEST_F(rng, broken_ring_needs_reset)
{
	driver_init(_metadata, self);
	vt_kick(&self->t, 0, VT_QSIZE);		/* head out of range */
	wr(self, VT_NOTIFY, 2, 0);
	ASSERT_TRUE(WAIT_FOR(rd(self, CC_STATUS, 1) & VIRTIO_STATUS_NEEDS_RESET));
	EXPECT_EQ(0, used_idx(self));
	wr(self, CC_STATUS, 1, 0);
	ASSERT_TRUE(WAIT_FOR(rd(self, CC_STATUS, 1) == 0));
}

TEST_HARNESS_MAIN
