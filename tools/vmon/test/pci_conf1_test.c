// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of PCI configuration mechanism #1 (devices/pci_conf1.c)
 * and the deliberately ignored legacy ports (devices/legacy_ports.c).
 */
#include <fcntl.h>

#include "kselftest_harness.h"
#include "devices/devices.h"
#include "machine.h"
#include "test_util.h"

FIXTURE(pci) {
	struct vmon_machine m;
	int pipe[2];
};

static uint32_t in(struct vmon_machine *m, uint16_t port, unsigned int size)
{
	uint32_t v = 0;

	bus_access(&m->pio, port, &v, size, false);
	return v;
}

static void out(struct vmon_machine *m, uint16_t port, unsigned int size, uint32_t v)
{
	bus_access(&m->pio, port, &v, size, true);
}

FIXTURE_SETUP(pci)
{
	ASSERT_EQ(0, pipe2(self->pipe, O_NONBLOCK));
	machine_init(&self->m, self->pipe[1]);
	ASSERT_EQ(0, machine_add_devices(&self->m));
}

FIXTURE_TEARDOWN(pci)
{
	machine_destroy(&self->m);
	close(self->pipe[0]);
	close(self->pipe[1]);
}

/*
 * pci_check_type1(): the address register works, and
 * pci_sanity_check() finds a host bridge on bus 0
 */
TEST_F(pci, host_bridge_behind_a_working_address_register)
{
	out(&self->m, 0xcfb, 1, 0x01);
	out(&self->m, 0xcf8, 4, 0x80000000);
	EXPECT_EQ(0x80000000, in(&self->m, 0xcf8, 4));
	EXPECT_EQ(0x12378086, in(&self->m, 0xcfc, 4));	/* 00:00.0 IDs */
	out(&self->m, 0xcf8, 4, 0x80000008);		/* 00:00.0 class */
	EXPECT_EQ(0x06000002, in(&self->m, 0xcfc, 4));
	EXPECT_EQ(0x0600, in(&self->m, 0xcfe, 2));
	EXPECT_EQ(0x06, in(&self->m, 0xcff, 1));
	EXPECT_EQ(0x02, in(&self->m, 0xcfc, 1));
	out(&self->m, 0xcf8, 4, 0x80000003 | 0x7f000000);	/* low bits, reserved */
	EXPECT_EQ(0x80000000, in(&self->m, 0xcf8, 4));
	EXPECT_EQ(0, self->m.pio.unclaimed);
}

/* no function answers at an empty slot, another bus or with enable clear */
TEST_F(pci, nothing_else_answers)
{
	out(&self->m, 0xcf8, 4, 0x80000800);		/* 00:01.0: virtio-rng */
	EXPECT_EQ(0x10441af4, in(&self->m, 0xcfc, 4));
	out(&self->m, 0xcf8, 4, 0x8000f800);		/* 00:1f.0 */
	EXPECT_EQ(0xffffffff, in(&self->m, 0xcfc, 4));
	out(&self->m, 0xcf8, 4, 0x80000100);		/* 00:00.1 */
	EXPECT_EQ(0xffff, in(&self->m, 0xcfc, 2));
	out(&self->m, 0xcf8, 4, 0x80010000);		/* 01:00.0 */
	EXPECT_EQ(0xffffffff, in(&self->m, 0xcfc, 4));
	out(&self->m, 0xcf8, 4, 0x00000000);		/* enable clear */
	EXPECT_EQ(0xffffffff, in(&self->m, 0xcfc, 4));
	/* and writes there change nothing */
	out(&self->m, 0xcfc, 4, 0);
	out(&self->m, 0xcf8, 4, 0x80000000);
	EXPECT_EQ(0x12378086, in(&self->m, 0xcfc, 4));
}

/* pci_check_type2() must fail: byte reads of 0xCF8/0xCFA are not 0 */
TEST_F(pci, mechanism2_probe_fails)
{
	out(&self->m, 0xcfb, 1, 0x00);
	out(&self->m, 0xcf8, 1, 0x00);
	out(&self->m, 0xcfa, 1, 0x00);
	EXPECT_EQ(0xff, in(&self->m, 0xcf8, 1));
	EXPECT_EQ(0xff, in(&self->m, 0xcfa, 1));
}

TEST_F(pci, cf9_reset)
{
	int saved = capture_begin(2);

	out(&self->m, 0xcf9, 1, 0x02);
	EXPECT_FALSE(self->m.stop);
	out(&self->m, 0xcf9, 1, 0x06);
	free(capture_end(2, saved));
	EXPECT_TRUE(self->m.stop);
	EXPECT_EQ(0, self->m.exit_status);
}

TEST_F(pci, post_port_is_claimed_and_swallows)
{
	out(&self->m, 0x80, 1, 0x42);
	EXPECT_EQ(0xff, in(&self->m, 0x80, 1));
	EXPECT_EQ(0, self->m.pio.unclaimed);
	EXPECT_EQ(0, self->m.stop);
}

TEST_HARNESS_MAIN
