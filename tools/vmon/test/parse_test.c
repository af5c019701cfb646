// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of size and address parsing (parse.c). */
#include <errno.h>

#include "kselftest_harness.h"
#include "parse.h"

TEST(sizes_with_suffixes)
{
	uint64_t v;

	ASSERT_EQ(0, parse_size("64M", &v));
	EXPECT_EQ(64ULL << 20, v);
	ASSERT_EQ(0, parse_size("1G", &v));
	EXPECT_EQ(1ULL << 30, v);
	ASSERT_EQ(0, parse_size("4096k", &v));
	EXPECT_EQ(4096ULL << 10, v);
	ASSERT_EQ(0, parse_size("4096K", &v));
	EXPECT_EQ(4096ULL << 10, v);
	ASSERT_EQ(0, parse_size("2MiB", &v));
	EXPECT_EQ(2ULL << 20, v);
	ASSERT_EQ(0, parse_size("3MB", &v));
	EXPECT_EQ(3ULL << 20, v);
	ASSERT_EQ(0, parse_size("1t", &v));
	EXPECT_EQ(1ULL << 40, v);
	ASSERT_EQ(0, parse_size("65536", &v));
	EXPECT_EQ(65536, v);
	ASSERT_EQ(0, parse_size("0x10000", &v));
	EXPECT_EQ(0x10000, v);
	ASSERT_EQ(0, parse_size("0x10M", &v));
	EXPECT_EQ(16ULL << 20, v);
}

TEST(sizes_rejected)
{
	uint64_t v = 42;

	EXPECT_EQ(-EINVAL, parse_size("5X", &v));
	EXPECT_EQ(-EINVAL, parse_size("", &v));
	EXPECT_EQ(-EINVAL, parse_size("M", &v));
	EXPECT_EQ(-EINVAL, parse_size("-1M", &v));
	EXPECT_EQ(-EINVAL, parse_size(" 64M", &v));
	EXPECT_EQ(-EINVAL, parse_size("64M ", &v));
	EXPECT_EQ(-EINVAL, parse_size("64MM", &v));
	EXPECT_EQ(-EINVAL, parse_size("64Mi", &v));
	EXPECT_EQ(-EINVAL, parse_size("0x", &v));
	EXPECT_EQ(-EINVAL, parse_size(NULL, &v));
	EXPECT_EQ(-ERANGE, parse_size("99999999999999999999", &v));
	/* 2^24 T = 2^64: one too many */
	EXPECT_EQ(-ERANGE, parse_size("16777216T", &v));
	EXPECT_EQ(0, parse_size("16777215T", &v));
	EXPECT_EQ(16777215ULL << 40, v);
}

TEST(addresses)
{
	uint64_t v;

	ASSERT_EQ(0, parse_addr("0x100000", &v));
	EXPECT_EQ(0x100000, v);
	ASSERT_EQ(0, parse_addr("0X7C00", &v));
	EXPECT_EQ(0x7c00, v);
	ASSERT_EQ(0, parse_addr("4096", &v));
	EXPECT_EQ(4096, v);
	/* decimal, not octal: a leading zero changes nothing */
	ASSERT_EQ(0, parse_addr("010", &v));
	EXPECT_EQ(10, v);
	ASSERT_EQ(0, parse_addr("0xffffffffffffffff", &v));
	EXPECT_EQ(UINT64_MAX, v);
	EXPECT_EQ(-ERANGE, parse_addr("0x10000000000000000", &v));
	EXPECT_EQ(-EINVAL, parse_addr("0x", &v));
	EXPECT_EQ(-EINVAL, parse_addr("1000h", &v));
	EXPECT_EQ(-EINVAL, parse_addr("64M", &v));
	EXPECT_EQ(-EINVAL, parse_addr("-4096", &v));
	EXPECT_EQ(-EINVAL, parse_addr("", &v));
	EXPECT_EQ(-EINVAL, parse_addr("0xg", &v));
}

TEST(format_sizes)
{
	char buf[32];

	EXPECT_STREQ("0 bytes", format_size(0, buf, sizeof(buf)));
	EXPECT_STREQ("1 byte", format_size(1, buf, sizeof(buf)));
	EXPECT_STREQ("1023 bytes", format_size(1023, buf, sizeof(buf)));
	EXPECT_STREQ("4 KiB", format_size(4096, buf, sizeof(buf)));
	EXPECT_STREQ("3 MiB", format_size(3 << 20, buf, sizeof(buf)));
	EXPECT_STREQ("1.5 GiB", format_size(3ULL << 29, buf, sizeof(buf)));
	EXPECT_STREQ("2 TiB", format_size(2ULL << 40, buf, sizeof(buf)));
	EXPECT_STREQ("1.5 KiB", format_size(1536, buf, sizeof(buf)));
	EXPECT_STREQ("4097 bytes", format_size(4097, buf, sizeof(buf)));
	EXPECT_STREQ("3.2 MiB", format_size(3355443, buf, sizeof(buf)));
}

TEST_HARNESS_MAIN
