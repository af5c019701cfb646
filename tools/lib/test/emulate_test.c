// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of MMIO and string-I/O emulation on a fake vCPU. */
#include <errno.h>

#include "kselftest_harness.h"
#include "fake_vm.h"

struct dev {
	__u64 last_gpa;
	unsigned int last_len;
	bool last_write;
	__u64 written;
	__u64 read_value;
	__u8 port_out[64];
	unsigned int nout;
	__u16 last_port;
	__u8 next_in;
};

static int mmio(void *opaque, __u64 gpa, void *data, unsigned int len, bool is_write)
{
	struct dev *d = opaque;

	d->last_gpa = gpa;
	d->last_len = len;
	d->last_write = is_write;
	if (is_write) {
		d->written = 0;
		memcpy(&d->written, data, len);
	} else {
		memcpy(data, &d->read_value, len);
	}
	return 0;
}

static int pio(void *opaque, __u16 port, void *data, unsigned int size, bool is_in)
{
	struct dev *d = opaque;
	unsigned int i;

	d->last_port = port;
	for (i = 0; i < size; i++) {
		if (is_in)
			((__u8 *)data)[i] = d->next_in++;
		else if (d->nout < sizeof(d->port_out))
			d->port_out[d->nout++] = ((__u8 *)data)[i];
	}
	return 0;
}

FIXTURE(emu) {
	struct fake_vm f;
	struct dev dev;
};

FIXTURE_SETUP(emu)
{
	fake_vm_init(&self->f);
	memset(&self->dev, 0, sizeof(self->dev));
	self->f.run.exit_reason = VMON_EXIT_MMIO;
}

FIXTURE_TEARDOWN(emu)
{
	fake_vm_fini(&self->f);
}

static void set_insn(struct vmon_run *run, const __u8 *b, unsigned int n)
{
	memcpy(run->mmio.insn, b, n);
	run->mmio.insn_len = n;
}

/*
 * Exits the kernel decoded: one access, no ioctl (the fake vCPU has no
 * fd, so VMON_GET_SREGS would fail), no register edits.
 */
TEST_F(emu, decoded_store_is_one_access)
{
	struct vmon_run *run = &self->f.run;

	run->mmio.flags = VMON_MMIO_WRITE | VMON_MMIO_DECODED;
	run->mmio.gpa = 0xd0000020;
	run->mmio.len = 2;
	run->mmio.data = 0xbeef;
	run->regs.rip = 0x1234;
	ASSERT_EQ(0, libvmon_emulate_mmio(&self->f.cpu, mmio, &self->dev));
	EXPECT_TRUE(self->dev.last_write);
	EXPECT_EQ(0xd0000020, self->dev.last_gpa);
	EXPECT_EQ(2, self->dev.last_len);
	EXPECT_EQ(0xbeef, self->dev.written);
	EXPECT_EQ(0x1234, run->regs.rip);
	EXPECT_EQ(0, run->regs_dirty);
}

TEST_F(emu, decoded_load_leaves_the_value_in_the_run_page)
{
	struct vmon_run *run = &self->f.run;

	run->mmio.flags = VMON_MMIO_DECODED;
	run->mmio.gpa = 0xd0000030;
	run->mmio.len = 4;
	run->mmio.data = 0;
	run->regs.rax = 0x1111;
	self->dev.read_value = 0x123456789abcdef0ULL;
	ASSERT_EQ(0, libvmon_emulate_mmio(&self->f.cpu, mmio, &self->dev));
	EXPECT_FALSE(self->dev.last_write);
	EXPECT_EQ(4, self->dev.last_len);
	/* only len bytes come from the device; the kernel writes the register */
	EXPECT_EQ(0x9abcdef0ULL, run->mmio.data);
	EXPECT_EQ(0x1111, run->regs.rax);
	EXPECT_EQ(0, run->regs_dirty);
}

TEST_F(emu, decoded_exit_with_a_bad_length_is_refused)
{
	struct vmon_run *run = &self->f.run;

	run->mmio.flags = VMON_MMIO_DECODED;
	run->mmio.len = 3;
	EXPECT_EQ(-EINVAL, libvmon_emulate_mmio(&self->f.cpu, mmio, &self->dev));
	EXPECT_EQ(0, self->dev.last_len);
}

TEST_F(emu, load_word_keeps_upper_bits)
{
	static const __u8 insn[] = { 0x66, 0x8b, 0x03 };	/* mov (%rbx),%ax */
	struct vmon_run *run = &self->f.run;

	fake_long_mode(&self->f);
	set_insn(run, insn, sizeof(insn));
	run->mmio.gpa = 0xc0000010;
	run->regs.rax = 0xffffffffffffffffULL;
	run->regs.rip = 0x1000;
	self->dev.read_value = 0x1234;
	ASSERT_EQ(0, libvmon_emulate_mmio_sregs(&self->f.cpu, &self->f.sregs, mmio, &self->dev));
	EXPECT_EQ(0xffffffffffff1234ULL, run->regs.rax);
	EXPECT_EQ(0x1003, run->regs.rip);
	EXPECT_EQ(1, run->regs_dirty);
	EXPECT_EQ(0xc0000010, self->dev.last_gpa);
	EXPECT_EQ(2, self->dev.last_len);
	EXPECT_FALSE(self->dev.last_write);
}

TEST_F(emu, movsx_and_32bit_zero_extension)
{
	static const __u8 sx[] = { 0x48, 0x0f, 0xbe, 0x03 };	/* movsbq (%rbx),%rax */
	static const __u8 ld[] = { 0x8b, 0x0b };		/* mov (%rbx),%ecx */
	struct vmon_run *run = &self->f.run;

	fake_long_mode(&self->f);
	set_insn(run, sx, sizeof(sx));
	self->dev.read_value = 0x80;
	ASSERT_EQ(0, libvmon_emulate_mmio_sregs(&self->f.cpu, &self->f.sregs, mmio, &self->dev));
	EXPECT_EQ(0xffffffffffffff80ULL, run->regs.rax);
	EXPECT_EQ(4, run->regs.rip);

	set_insn(run, ld, sizeof(ld));
	run->regs.rcx = 0xdeadbeef00000000ULL;
	self->dev.read_value = 0x87654321;
	ASSERT_EQ(0, libvmon_emulate_mmio_sregs(&self->f.cpu, &self->f.sregs, mmio, &self->dev));
	EXPECT_EQ(0x87654321ULL, run->regs.rcx);
}

TEST_F(emu, store_fetched_through_page_tables)
{
	/* movl $0xcafe, 0x10(%rdi) at a non-identity-mapped RIP */
	static const __u8 insn[] = { 0xc7, 0x47, 0x10, 0xfe, 0xca, 0x00, 0x00 };
	struct fake_vm *f = &self->f;
	struct vmon_run *run = &f->run;

	fake_long_mode(f);
	/* the instruction straddles two pages mapped to distant frames */
	fake_map64(f, f->sregs.cr3, 4, 0x400000, 0x3000, 1, 0x1);
	fake_map64(f, f->sregs.cr3, 4, 0x401000, 0x9000, 1, 0x1);
	memcpy(f->ram + 0x3ffd, insn, 3);
	memcpy(f->ram + 0x9000, insn + 3, sizeof(insn) - 3);
	run->regs.rip = 0x400ffd;
	run->mmio.flags = VMON_MMIO_WRITE;
	run->mmio.gpa = 0xd0000010;
	ASSERT_EQ(0, libvmon_emulate_mmio_sregs(&f->cpu, &f->sregs, mmio, &self->dev));
	EXPECT_TRUE(self->dev.last_write);
	EXPECT_EQ(4, self->dev.last_len);
	EXPECT_EQ(0xcafe, self->dev.written);
	EXPECT_EQ(0x401004, run->regs.rip);
}

TEST_F(emu, real_mode_store_high_byte)
{
	static const __u8 insn[] = { 0x26, 0x88, 0x27 };	/* mov %ah,%es:(%bx) */
	struct fake_vm *f = &self->f;
	struct vmon_run *run = &f->run;

	f->sregs.cs.base = 0x10000;
	memcpy(f->ram + 0x10000 + 0xfff0, insn, sizeof(insn));
	run->regs.rip = 0xfff0;
	run->regs.rax = 0x5a00;
	run->mmio.flags = VMON_MMIO_WRITE;
	run->mmio.gpa = 0xa0000;
	ASSERT_EQ(0, libvmon_emulate_mmio_sregs(&f->cpu, &f->sregs, mmio, &self->dev));
	EXPECT_EQ(0x5a, self->dev.written);
	EXPECT_EQ(1, self->dev.last_len);
	EXPECT_EQ(0xfff3, run->regs.rip);
}

TEST_F(emu, direction_mismatch_and_unknown)
{
	static const __u8 ld[] = { 0x8b, 0x03 };
	static const __u8 add[] = { 0x01, 0x03 };
	struct vmon_run *run = &self->f.run;

	fake_long_mode(&self->f);
	set_insn(run, ld, sizeof(ld));
	run->mmio.flags = VMON_MMIO_WRITE;
	EXPECT_EQ(-EINVAL, libvmon_emulate_mmio_sregs(&self->f.cpu, &self->f.sregs, mmio,
						   &self->dev));
	set_insn(run, add, sizeof(add));
	EXPECT_EQ(-EOPNOTSUPP, libvmon_emulate_mmio_sregs(&self->f.cpu, &self->f.sregs, mmio,
						       &self->dev));
	EXPECT_EQ(0, run->regs.rip);
	EXPECT_EQ(0, run->regs_dirty);
}

static void string_exit(struct vmon_run *run, bool in, unsigned int size, unsigned int ad,
			bool rep, unsigned int insn_len)
{
	run->exit_reason = VMON_EXIT_IO;
	run->io.port = 0xe9;
	run->io.size = size;
	run->io.direction = in ? VMON_IO_IN : VMON_IO_OUT;
	run->io.flags = VMON_IO_STRING | (rep ? VMON_IO_REP : 0);
	run->io.addr_size = ad;
	run->io.insn_len = insn_len;
	run->io.seg = VMON_SEG_DS;
}

TEST_F(emu, rep_outsb_real_mode)
{
	struct fake_vm *f = &self->f;
	struct vmon_run *run = &f->run;

	f->sregs.ds.base = 0x20000;
	memcpy(f->ram + 0x20000 + 0x100, "hello", 5);
	string_exit(run, false, 1, 2, true, 2);
	run->regs.rsi = 0xabcd0100;	/* bits above SI must stay */
	run->regs.rcx = 0x55550005;
	run->regs.rip = 0x7c00;
	ASSERT_EQ(0, libvmon_emulate_string_io_sregs(&f->cpu, &f->sregs, pio, &self->dev));
	EXPECT_EQ(5, self->dev.nout);
	EXPECT_EQ(0, memcmp(self->dev.port_out, "hello", 5));
	EXPECT_EQ(0xabcd0105, run->regs.rsi);
	EXPECT_EQ(0x55550000, run->regs.rcx);
	EXPECT_EQ(0x7c02, run->regs.rip);
	EXPECT_EQ(1, run->regs_dirty);
}

TEST_F(emu, rep_insw_backwards_long_mode)
{
	struct fake_vm *f = &self->f;
	struct vmon_run *run = &f->run;

	fake_long_mode(f);
	fake_map64(f, f->sregs.cr3, 4, 0x600000, 0x200000, 2, 0x3);
	string_exit(run, true, 2, 8, true, 3);
	run->regs.rflags = 0x402;	/* DF */
	run->regs.rdi = 0x600104;
	run->regs.rcx = 3;
	ASSERT_EQ(0, libvmon_emulate_string_io_sregs(&f->cpu, &f->sregs, pio, &self->dev));
	/* three words stored at 0x104, 0x102, 0x100 */
	EXPECT_EQ(0x0100, *(__u16 *)(f->ram + 0x200104));
	EXPECT_EQ(0x0302, *(__u16 *)(f->ram + 0x200102));
	EXPECT_EQ(0x0504, *(__u16 *)(f->ram + 0x200100));
	EXPECT_EQ(0x6000fe, run->regs.rdi);
	EXPECT_EQ(0, run->regs.rcx);
	EXPECT_EQ(3, run->regs.rip);
}

TEST_F(emu, addr32_count_and_zero_count)
{
	struct fake_vm *f = &self->f;
	struct vmon_run *run = &f->run;

	fake_long_mode(f);
	fake_map64(f, f->sregs.cr3, 4, 0, 0, 2, 0x3);
	/* addr32 rep outsl: RCX bits 63:32 are not part of the count */
	string_exit(run, false, 4, 4, true, 3);
	run->regs.rcx = 0x100000002ULL;
	run->regs.rsi = 0x1000;
	ASSERT_EQ(0, libvmon_emulate_string_io_sregs(&f->cpu, &f->sregs, pio, &self->dev));
	EXPECT_EQ(8, self->dev.nout);
	EXPECT_EQ(0, run->regs.rcx);
	EXPECT_EQ(0x1008, run->regs.rsi);

	/* count 0: nothing moves, RIP still advances */
	self->dev.nout = 0;
	run->regs.rip = 0;
	ASSERT_EQ(0, libvmon_emulate_string_io_sregs(&f->cpu, &f->sregs, pio, &self->dev));
	EXPECT_EQ(0, self->dev.nout);
	EXPECT_EQ(3, run->regs.rip);

	/* a source outside guest RAM is an error, RIP stays */
	run->regs.rcx = 1;
	run->regs.rip = 0;
	fake_map64(f, f->sregs.cr3, 4, 0x40000000, 0xf0000000, 2, 0x3);
	run->regs.rsi = 0x40000000;
	EXPECT_EQ(-EFAULT, libvmon_emulate_string_io_sregs(&f->cpu, &f->sregs, pio, &self->dev));
	EXPECT_EQ(0, run->regs.rip);
}

TEST_HARNESS_MAIN
