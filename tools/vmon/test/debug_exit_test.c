// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the debug-exit port 0xF4 (devices/debug_exit.c). */
#include "kselftest_harness.h"
#include "devices/devices.h"
#include "machine.h"

TEST(status_mapping_like_qemu)
{
	EXPECT_EQ(1, debug_exit_status(0));
	EXPECT_EQ(3, debug_exit_status(1));
	EXPECT_EQ(33, debug_exit_status(0x10));
	EXPECT_EQ(0xff, debug_exit_status(0x7f));
	/* the OS keeps 8 bits of the status, as for QEMU */
	EXPECT_EQ(1, debug_exit_status(0x80));
	EXPECT_EQ(0xff, debug_exit_status(0xffffffff));
}

FIXTURE(machine) {
	struct vmon_machine m;
};

FIXTURE_SETUP(machine)
{
	machine_init(&self->m, -1);
	ASSERT_EQ(0, machine_add_devices(&self->m));
}

FIXTURE_TEARDOWN(machine)
{
	machine_destroy(&self->m);
}

TEST_F(machine, out_of_byte_word_dword_ends_run)
{
	uint32_t v = 0x10;

	EXPECT_FALSE(self->m.stop);
	EXPECT_TRUE(bus_access(&self->m.pio, 0xf4, &v, 1, true));
	EXPECT_TRUE(self->m.stop);
	EXPECT_EQ(33, self->m.exit_status);
}

TEST_F(machine, dword_write)
{
	uint32_t v = 0x2a;

	EXPECT_TRUE(bus_access(&self->m.pio, 0xf4, &v, 4, true));
	EXPECT_TRUE(self->m.stop);
	EXPECT_EQ(0x55, self->m.exit_status);
}

TEST_F(machine, first_request_wins)
{
	uint32_t v = 1;

	bus_access(&self->m.pio, 0xf4, &v, 1, true);
	v = 2;
	bus_access(&self->m.pio, 0xf4, &v, 1, true);
	EXPECT_EQ(3, self->m.exit_status);
}

TEST_F(machine, reads_do_not_end_the_run)
{
	uint32_t v = 0;

	bus_access(&self->m.pio, 0xf4, &v, 1, false);
	EXPECT_FALSE(self->m.stop);
}

TEST_HARNESS_MAIN
