// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the flat binary loader (loaders/flat.c). */
#include <errno.h>

#include "kselftest_harness.h"
#include "loaders/loaders.h"
#include "test_util.h"

TEST(fits_arithmetic)
{
	EXPECT_TRUE(flat_image_fits(4096, 0, 4096));
	EXPECT_FALSE(flat_image_fits(4097, 0, 4096));
	EXPECT_TRUE(flat_image_fits(1, 4095, 4096));
	EXPECT_FALSE(flat_image_fits(1, 4096, 4096));
	EXPECT_TRUE(flat_image_fits(0, 4096, 4096));
	/* would wrap around if computed as load + size */
	EXPECT_FALSE(flat_image_fits(2, UINT64_MAX, 4096));
	EXPECT_FALSE(flat_image_fits(UINT64_MAX, 2, 4096));
}

TEST(loads_bytes_at_address)
{
	static uint8_t mem[8192];
	char *path = make_image(300);
	uint64_t size = 0;

	memset(mem, 0xaa, sizeof(mem));
	ASSERT_EQ(0, flat_load(path, mem, sizeof(mem), 0x1000, &size));
	EXPECT_EQ(300, size);
	EXPECT_EQ(0xaa, mem[0xfff]);
	EXPECT_EQ(0, mem[0x1000]);
	EXPECT_EQ(299 & 0xff, mem[0x1000 + 299]);
	EXPECT_EQ(0xaa, mem[0x1000 + 300]);
	unlink(path);
}

TEST(exact_fit_at_end)
{
	static uint8_t mem[8192];
	char *path = make_image(4096);
	uint64_t size = 0;

	ASSERT_EQ(0, flat_load(path, mem, sizeof(mem), 4096, &size));
	EXPECT_EQ(255, mem[8191]);
	unlink(path);
}

TEST(too_big_is_refused_with_advice)
{
	static uint8_t mem[8192];
	char *path = make_image(4097), *msg;
	uint64_t size = 0;
	int saved;

	saved = capture_begin(2);
	EXPECT_EQ(-EFBIG, flat_load(path, mem, sizeof(mem), 4096, &size));
	msg = capture_end(2, saved);
	EXPECT_NE(NULL, strstr(msg, "(4097 bytes) does not fit in 8 KiB of guest memory at 0x1000 (raise --mem"));
	EXPECT_EQ(0, size);
	EXPECT_EQ(0, mem[4096]);	/* nothing written */

	/* load address beyond memory */
	EXPECT_EQ(-EFBIG, flat_load(path, mem, sizeof(mem), 1 << 20, &size));
	unlink(path);
}

TEST(missing_and_empty_files)
{
	static uint8_t mem[4096];
	char *path = make_image(0), *msg;
	uint64_t size = 0;
	int saved;

	saved = capture_begin(2);
	EXPECT_EQ(-EINVAL, flat_load(path, mem, sizeof(mem), 0, &size));
	EXPECT_EQ(-ENOENT, flat_load("/nonexistent/guest.bin", mem, sizeof(mem), 0, &size));
	EXPECT_EQ(-EINVAL, flat_load("/tmp", mem, sizeof(mem), 0, &size));
	msg = capture_end(2, saved);
	EXPECT_NE(NULL, strstr(msg, "is empty"));
	EXPECT_NE(NULL, strstr(msg, "cannot open guest image /nonexistent/guest.bin: No such file or directory"));
	EXPECT_NE(NULL, strstr(msg, "/tmp is not a regular file"));
	unlink(path);
}

TEST_HARNESS_MAIN
