// SPDX-License-Identifier: GPL-2.0-only
/*
 * String port I/O (REP OUTSB / REP INSB) in real, protected and long
 * mode, emulated by libvmon_emulate_string_io(): every byte goes through the
 * device callback, RSI/RDI/RCX and RIP end where the CPU would put them.
 */
#include "kselftest_harness.h"
#include "test_vm.h"

#define PORT_OUT	0xe9
#define PORT_IN		0xea
#define BUF_GPA		0x6000ULL
#define MSG		"Hello from the guest!"
#define MSG_LEN		(sizeof(MSG) - 1)
#define IN_LEN		9

/* si/cx/di: the registers of the guest's address size */
#define STR_BODY(name, si, cx, di)					\
	"cld\n"								\
	"mov $(" CODE_GPA_S " + 1f - " #name "), %" si "\n"		\
	"mov $21, %" cx "\n"						\
	"mov $0xe9, %dx\n"						\
	"rep outsb\n"							\
	"mov $0x6000, %" di "\n"					\
	"mov $9, %" cx "\n"						\
	"mov $0xea, %dx\n"						\
	"rep insb\n"							\
	"hlt\n"								\
	"1: .ascii \"" MSG "\"\n"

GUEST_BLOB(str_guest16, 16, STR_BODY(str_guest16, "si", "cx", "di"));
GUEST_BLOB(str_guest32, 32, STR_BODY(str_guest32, "esi", "ecx", "edi"));
GUEST_BLOB(str_guest64, 64, STR_BODY(str_guest64, "rsi", "rcx", "rdi"));

struct port_dev {
	char out[64];
	unsigned int nout, nin;
	unsigned int calls;
};

static int pio(void *opaque, __u16 port, void *data, unsigned int size, bool is_in)
{
	struct port_dev *d = opaque;

	d->calls++;
	if (size != 1)
		return -EINVAL;
	if (is_in && port == PORT_IN) {
		*(char *)data = 'a' + d->nin++;
		return 0;
	}
	if (!is_in && port == PORT_OUT && d->nout < sizeof(d->out) - 1) {
		d->out[d->nout++] = *(char *)data;
		return 0;
	}
	return -EINVAL;
}

FIXTURE(str) {
	struct test_vm t;
};

FIXTURE_VARIANT(str) {
	enum vmon_guest_mode mode;
	const unsigned char *start, *end;
	unsigned int addr_size;
};

FIXTURE_VARIANT_ADD(str, real) {
	.mode = VMON_GUEST_REAL, .start = str_guest16, .end = str_guest16_end, .addr_size = 2,
};

FIXTURE_VARIANT_ADD(str, prot) {
	.mode = VMON_GUEST_PROT, .start = str_guest32, .end = str_guest32_end, .addr_size = 4,
};

FIXTURE_VARIANT_ADD(str, long) {
	.mode = VMON_GUEST_LONG, .start = str_guest64, .end = str_guest64_end, .addr_size = 8,
};

FIXTURE_SETUP(str)
{
	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&self->t, variant->mode));
	ASSERT_OK(test_vm_load_blob(&self->t, variant->start, variant->end));
}

FIXTURE_TEARDOWN(str)
{
	if (test_have_vmon())
		test_vm_destroy(&self->t);
}

TEST_F(str, rep_outsb_and_rep_insb)
{
	struct test_vm *t = &self->t;
	struct vmon_run *run = t->cpu.run;
	struct port_dev dev = { 0 };
	__u64 msg_gpa = CODE_GPA + (variant->end - variant->start) - MSG_LEN;
	char *buf = libvmon_gpa_to_hva(&t->vm, BUF_GPA, IN_LEN);

	ASSERT_NE(NULL, buf);

	RUN_EXPECT_EXIT(t, VMON_EXIT_IO);
	ASSERT_IO(t, PORT_OUT, 1, VMON_IO_OUT);
	EXPECT_EQ(VMON_IO_STRING | VMON_IO_REP, run->io.flags);
	EXPECT_EQ(variant->addr_size, run->io.addr_size);
	EXPECT_EQ(VMON_SEG_DS, run->io.seg);
	EXPECT_EQ(2, run->io.insn_len);		/* F3 6E */
	ASSERT_OK(libvmon_emulate_string_io(&t->cpu, pio, &dev));
	EXPECT_STREQ(MSG, dev.out);

	RUN_EXPECT_EXIT(t, VMON_EXIT_IO);
	ASSERT_IO(t, PORT_IN, 1, VMON_IO_IN);
	EXPECT_EQ(VMON_IO_STRING | VMON_IO_REP, run->io.flags);
	/* the OUTS left the registers as the CPU would */
	EXPECT_EQ(msg_gpa + MSG_LEN, run->regs.rsi & 0xffffffff);
	ASSERT_OK(libvmon_emulate_string_io(&t->cpu, pio, &dev));

	RUN_EXPECT_EXIT(t, VMON_EXIT_HLT);
	EXPECT_EQ(0, memcmp(buf, "abcdefghi", IN_LEN)) TH_LOG("guest buffer: %.9s", buf);
	EXPECT_EQ(0, run->regs.rcx & 0xffff);
	EXPECT_EQ(BUF_GPA + IN_LEN, run->regs.rdi & 0xffffffff);
	EXPECT_EQ(MSG_LEN + IN_LEN, dev.calls);
	EXPECT_EQ(msg_gpa, run->regs.rip) TH_LOG("expected RIP past the HLT at 0x%llx, got 0x%llx",
						 (unsigned long long)msg_gpa,
						 (unsigned long long)run->regs.rip);
}

TEST_HARNESS_MAIN
