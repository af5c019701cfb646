// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the device bus (devices/bus.c). */
#include <errno.h>

#include "kselftest_harness.h"
#include "devices/bus.h"

/* a device that records its last access */
struct probe {
	uint64_t offset, value;
	unsigned int size, reads, writes;
	int released;
};

static uint64_t probe_read(void *dev, uint64_t offset, unsigned int size)
{
	struct probe *p = dev;

	p->offset = offset;
	p->size = size;
	p->reads++;
	return 0x0807060504030201ULL + offset;
}

static void probe_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	struct probe *p = dev;

	p->offset = offset;
	p->size = size;
	p->value = value;
	p->writes++;
}

static void probe_release(void *dev)
{
	((struct probe *)dev)->released++;
}

static const struct bus_ops probe_ops = {
	.read = probe_read, .write = probe_write, .release = probe_release,
};

TEST(overlap_rejected)
{
	struct probe a = {}, b = {};
	struct bus bus;

	bus_init(&bus, "port");
	ASSERT_EQ(0, bus_register(&bus, 0x3f8, 8, "a", &probe_ops, &a));
	EXPECT_EQ(-EBUSY, bus_register(&bus, 0x3f8, 1, "b", &probe_ops, &b));
	EXPECT_EQ(-EBUSY, bus_register(&bus, 0x3ff, 1, "b", &probe_ops, &b));
	EXPECT_EQ(-EBUSY, bus_register(&bus, 0x3f0, 9, "b", &probe_ops, &b));
	EXPECT_EQ(-EBUSY, bus_register(&bus, 0x3f0, 0x100, "b", &probe_ops, &b));
	/* touching is not overlapping */
	EXPECT_EQ(0, bus_register(&bus, 0x3f0, 8, "b", &probe_ops, &b));
	EXPECT_EQ(0, bus_register(&bus, 0x400, 1, "b", &probe_ops, &b));
	EXPECT_EQ(3, bus.nr);
	bus_destroy(&bus);
	EXPECT_EQ(1, a.released);
	EXPECT_EQ(2, b.released);
}

TEST(bad_ranges_rejected)
{
	struct probe a = {};
	struct bus bus;

	bus_init(&bus, "MMIO");
	EXPECT_EQ(-EINVAL, bus_register(&bus, 0x1000, 0, "a", &probe_ops, &a));
	EXPECT_EQ(-EINVAL, bus_register(&bus, UINT64_MAX, 2, "a", &probe_ops, &a));
	EXPECT_EQ(-EINVAL, bus_register(&bus, 0x1000, 1, "a", NULL, &a));
	/* the very last byte of the address space is a valid range */
	EXPECT_EQ(0, bus_register(&bus, UINT64_MAX, 1, "a", &probe_ops, &a));
	EXPECT_EQ(-EBUSY, bus_register(&bus, UINT64_MAX - 1, 2, "a", &probe_ops, &a));
	bus_destroy(&bus);
}

TEST(dispatch_by_range_with_offsets)
{
	struct probe a = {}, b = {};
	uint32_t data;
	struct bus bus;
	unsigned int i;

	bus_init(&bus, "port");
	/* registered out of order: the table stays sorted */
	ASSERT_EQ(0, bus_register(&bus, 0x3f8, 8, "b", &probe_ops, &b));
	ASSERT_EQ(0, bus_register(&bus, 0xe9, 1, "a", &probe_ops, &a));
	for (i = 1; i < bus.nr; i++)
		EXPECT_LT(bus.ranges[i - 1].base, bus.ranges[i].base);

	data = 0x41;
	EXPECT_TRUE(bus_access(&bus, 0xe9, &data, 1, true));
	EXPECT_EQ(1, a.writes);
	EXPECT_EQ(0, a.offset);
	EXPECT_EQ(0x41, a.value);
	EXPECT_EQ(0, b.writes);

	data = 0;
	EXPECT_TRUE(bus_access(&bus, 0x3fd, &data, 1, false));
	EXPECT_EQ(1, b.reads);
	EXPECT_EQ(5, b.offset);
	EXPECT_EQ(0x06, data);	/* low byte of the probe's value + offset */

	data = 0xbeef;
	EXPECT_TRUE(bus_access(&bus, 0x3fa, &data, 2, true));
	EXPECT_EQ(2, b.offset);
	EXPECT_EQ(2, b.size);
	EXPECT_EQ(0xbeef, b.value);
	bus_destroy(&bus);
}

TEST(unclaimed_reads_all_ones_writes_dropped)
{
	struct probe a = {};
	uint64_t data = 0;
	struct bus bus;

	bus_init(&bus, "MMIO");
	ASSERT_EQ(0, bus_register(&bus, 0x1000, 4, "a", &probe_ops, &a));
	EXPECT_FALSE(bus_access(&bus, 0x2000, &data, 8, false));
	EXPECT_EQ(UINT64_MAX, data);
	data = 5;
	EXPECT_FALSE(bus_access(&bus, 0x2000, &data, 4, true));
	EXPECT_EQ(0, a.writes);
	EXPECT_EQ(2, bus.unclaimed);
	bus_destroy(&bus);
}

TEST(access_leaving_a_range_goes_bytewise)
{
	struct probe a = {};
	uint32_t data = 0;
	struct bus bus;

	bus_init(&bus, "MMIO");
	/* 2-byte device at 0x1002: a 4-byte read at 0x1000 sees it in bytes 2-3 */
	ASSERT_EQ(0, bus_register(&bus, 0x1002, 2, "a", &probe_ops, &a));
	EXPECT_TRUE(bus_access(&bus, 0x1000, &data, 4, false));
	EXPECT_EQ(2, a.reads);
	EXPECT_EQ(0x0201ffff, data);
	bus_destroy(&bus);
}

TEST(long_accesses_split_into_aligned_pieces)
{
	struct probe a = {};
	uint8_t data[16];
	struct bus bus;

	memset(data, 0, sizeof(data));
	bus_init(&bus, "MMIO");
	ASSERT_EQ(0, bus_register(&bus, 0x1000, 0x100, "a", &probe_ops, &a));
	/* 16 bytes (an SSE move): two 8-byte pieces */
	EXPECT_TRUE(bus_access(&bus, 0x1000, data, 16, false));
	EXPECT_EQ(2, a.reads);
	EXPECT_EQ(8, a.size);
	EXPECT_EQ(8, a.offset);
	/* misaligned 4 bytes at 0x1001: 1 + 2 + 1 */
	a.writes = 0;
	EXPECT_TRUE(bus_access(&bus, 0x1001, data, 4, true));
	EXPECT_EQ(3, a.writes);
	EXPECT_EQ(1, a.size);
	EXPECT_EQ(4, a.offset);
	bus_destroy(&bus);
}

/* a range given back stops answering, frees its place, is not released */
TEST(unregister)
{
	struct probe a = {}, b = {};
	struct bus bus;
	uint32_t v = 0;

	bus_init(&bus, "MMIO");
	ASSERT_EQ(0, bus_register(&bus, 0x1000, 0x100, "a", &probe_ops, &a));
	ASSERT_EQ(0, bus_register(&bus, 0x2000, 0x100, "b", &probe_ops, &b));
	EXPECT_EQ(-ENOENT, bus_unregister(&bus, 0x1000, &b));	/* not b's */
	EXPECT_EQ(-ENOENT, bus_unregister(&bus, 0x1004, &a));	/* not its base */
	EXPECT_EQ(0, bus_unregister(&bus, 0x1000, &a));
	EXPECT_EQ(1, bus.nr);
	EXPECT_EQ(0, a.released);
	EXPECT_FALSE(bus_access(&bus, 0x1000, &v, 4, false));
	EXPECT_EQ(0xffffffff, v);
	EXPECT_EQ(0, a.reads);
	/* b still answers, and a's place may be claimed again */
	EXPECT_TRUE(bus_access(&bus, 0x2004, &v, 4, false));
	EXPECT_EQ(0x04030205, v);
	EXPECT_EQ(0, bus_register(&bus, 0x1000, 0x100, "a", &probe_ops, &a));
	EXPECT_EQ(0x1000, bus.ranges[0].base);
	bus_destroy(&bus);
	EXPECT_EQ(1, a.released);
	EXPECT_EQ(1, b.released);
}

TEST_HARNESS_MAIN
