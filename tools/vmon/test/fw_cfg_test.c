// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the fw_cfg device (devices/fw_cfg.c) through the port
 * bus, as a guest sees it: the selector at 0x510, bytes from 0x511, per
 * QEMU's docs/specs/fw_cfg.txt.
 */
#include <fcntl.h>

#include "kselftest_harness.h"
#include "devices/devices.h"
#include "machine.h"

FIXTURE(fw_cfg) {
	struct vmon_machine m;
	int pipe[2];
};

FIXTURE_SETUP(fw_cfg)
{
	ASSERT_EQ(0, pipe2(self->pipe, O_NONBLOCK));
	machine_init(&self->m, self->pipe[1]);
	ASSERT_EQ(0, machine_add_devices(&self->m));
}

FIXTURE_TEARDOWN(fw_cfg)
{
	machine_destroy(&self->m);
	close(self->pipe[0]);
	close(self->pipe[1]);
}

static void select_key(struct vmon_machine *m, uint16_t key)
{
	bus_access(&m->pio, 0x510, &key, 2, true);
}

/* n bytes from the data port, one IN each */
static void read_bytes(struct vmon_machine *m, void *buf, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		bus_access(&m->pio, 0x511, (uint8_t *)buf + i, 1, false);
}

static uint32_t read_le(struct vmon_machine *m, uint16_t key, unsigned int n)
{
	uint8_t b[4] = { 0 };

	select_key(m, key);
	read_bytes(m, b, n);
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

TEST_F(fw_cfg, signature_and_id)
{
	char sig[5] = { 0 };

	/* the signature is selected at power-on, and again by key 0 */
	read_bytes(&self->m, sig, 4);
	EXPECT_STREQ("QEMU", sig);
	select_key(&self->m, 0x0000);
	memset(sig, 0, sizeof(sig));
	read_bytes(&self->m, sig, 4);
	EXPECT_STREQ("QEMU", sig);
	/* traditional interface only: no DMA (bit 1) */
	EXPECT_EQ(1, read_le(&self->m, 0x0001, 4));
}

TEST_F(fw_cfg, cpu_count_follows_the_machine)
{
	EXPECT_EQ(1, read_le(&self->m, 0x0005, 2));
	EXPECT_EQ(1, read_le(&self->m, 0x000f, 2));
	self->m.nr_cpus = 4;
	EXPECT_EQ(4, read_le(&self->m, 0x0005, 2));
	EXPECT_EQ(4, read_le(&self->m, 0x000f, 2));
}

TEST_F(fw_cfg, command_line)
{
	char buf[32];

	/* no --append: an empty item */
	EXPECT_EQ(0, read_le(&self->m, 0x0014, 4));
	self->m.cmdline = "console=ttyS0 quiet";
	EXPECT_EQ(sizeof("console=ttyS0 quiet"), read_le(&self->m, 0x0014, 4));
	memset(buf, 0x55, sizeof(buf));
	select_key(&self->m, 0x0015);
	read_bytes(&self->m, buf, sizeof("console=ttyS0 quiet"));
	EXPECT_STREQ("console=ttyS0 quiet", buf);
	/* past the end: zeros */
	read_bytes(&self->m, buf, 3);
	EXPECT_EQ(0, buf[0] | buf[1] | buf[2]);
}

TEST_F(fw_cfg, reselect_restarts_at_offset_0)
{
	char sig[3] = { 0 };

	select_key(&self->m, 0x0000);
	read_bytes(&self->m, sig, 2);
	EXPECT_EQ(0, memcmp(sig, "QE", 2));
	select_key(&self->m, 0x0000);
	read_bytes(&self->m, sig, 2);
	EXPECT_EQ(0, memcmp(sig, "QE", 2));
	read_bytes(&self->m, sig, 2);
	EXPECT_EQ(0, memcmp(sig, "MU", 2));
}

TEST_F(fw_cfg, empty_file_directory_and_unknown_keys)
{
	uint8_t b[8];

	/* FW_CFG_FILE_DIR: a big-endian count of 0, then nothing */
	memset(b, 0x55, sizeof(b));
	select_key(&self->m, 0x0019);
	read_bytes(&self->m, b, 8);
	EXPECT_EQ(0, b[0] | b[1] | b[2] | b[3] | b[4] | b[5] | b[6] | b[7]);
	/* a key nobody set, and an architecture-local one: empty */
	EXPECT_EQ(0, read_le(&self->m, 0x0123, 4));
	EXPECT_EQ(0, read_le(&self->m, 0x8003, 4));
}

TEST_F(fw_cfg, writes_are_ignored)
{
	uint8_t v = 0x41, w = 0x42;

	/* data writes change nothing, even through the write channel */
	select_key(&self->m, 0x4000);
	bus_access(&self->m.pio, 0x511, &v, 1, true);
	select_key(&self->m, 0x0000);
	read_bytes(&self->m, &w, 1);
	EXPECT_EQ('Q', w);
	/* an 8-bit write to the selector does not select */
	select_key(&self->m, 0x0005);
	v = 0x00;
	bus_access(&self->m.pio, 0x510, &v, 1, true);
	read_bytes(&self->m, &w, 1);
	EXPECT_EQ(1, w);	/* still NB_CPUS, not the signature's 'Q' */
}

TEST_HARNESS_MAIN
