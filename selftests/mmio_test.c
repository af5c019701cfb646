// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMIO exits in real, protected and long mode, emulated by libvmon's
 * libvmon_emulate_mmio(): loads and stores of sizes 1/2/4 (MOV r/m, MOV imm,
 * MOVZX, MOVSX, a store from AH), and a write to a read-only slot, which
 * must exit with VMON_MMIO_READONLY_SLOT while reads of it do not exit.
 * The guest reports register values with OUT to port 0x11.  Every one
 * of these MOV forms arrives decoded by the kernel (VMON_MMIO_DECODED)
 * in every mode; mmio_decode_test looks at the run page itself.
 */
#include "kselftest_harness.h"
#include "test_vm.h"

#define REPORT		0x11
#define RO_GPA		0x90000ULL

/* A(x): the memory operand for MMIO_GPA + x; real mode goes through ES */
#define RW_BODY(setup, A)						\
	setup								\
	"mov " A(0x10) ", %eax\n"					\
	"outl %eax, $0x11\n"						\
	"movw $0xbeef, " A(0x20) "\n"					\
	"mov $0x5a00, %ax\n"						\
	"mov %ah, " A(0x30) "\n"					\
	"movzbl " A(0x40) ", %ecx\n"					\
	"mov %ecx, %eax\n"						\
	"outl %eax, $0x11\n"						\
	"movsbl " A(0x40) ", %edx\n"					\
	"mov %edx, %eax\n"						\
	"outl %eax, $0x11\n"						\
	"hlt\n"

#define RO_BODY(setup, R)						\
	setup								\
	"mov " R(0) ", %eax\n"						\
	"outl %eax, $0x11\n"						\
	"movl $1, " R(4) "\n"						\
	"mov " R(4) ", %eax\n"						\
	"outl %eax, $0x11\n"						\
	"hlt\n"

#define A_REAL(x)	"%es:" #x
#define A_FLAT(x)	"0xa0000 + " #x
#define R_FLAT(x)	"0x90000 + " #x
#define SETUP_A_REAL	"mov $0xa000, %bx\n mov %bx, %es\n"
#define SETUP_R_REAL	"mov $0x9000, %bx\n mov %bx, %es\n"

GUEST_BLOB(mmio_rw16, 16, RW_BODY(SETUP_A_REAL, A_REAL));
GUEST_BLOB(mmio_rw32, 32, RW_BODY("", A_FLAT));
GUEST_BLOB(mmio_rw64, 64, RW_BODY("", A_FLAT));
GUEST_BLOB(mmio_ro16, 16, RO_BODY(SETUP_R_REAL, A_REAL));
GUEST_BLOB(mmio_ro32, 32, RO_BODY("", R_FLAT));
GUEST_BLOB(mmio_ro64, 64, RO_BODY("", R_FLAT));

/* one thing the guest did, as seen by the host */
struct event {
	int kind;		/* VMON_EXIT_MMIO or VMON_EXIT_IO (a report) */
	__u64 addr;
	unsigned int size;
	bool write;
	__u64 data;
	__u32 flags;
};

struct device {
	struct event ev[16];
	unsigned int n;
	__u32 mmio_flags;	/* of the exit being emulated, but DECODED */
	unsigned int undecoded;	/* MMIO exits without VMON_MMIO_DECODED */
};

static int mmio_access(void *opaque, __u64 gpa, void *data, unsigned int len, bool is_write)
{
	struct device *d = opaque;
	struct event *e = &d->ev[d->n < 15 ? d->n++ : 15];
	__u64 v = 0;

	if (is_write) {
		memcpy(&v, data, len);
	} else {
		v = (gpa & 0xff) == 0x10 ? 0x12345678 : (gpa & 0xff) == 0x40 ? 0x80 : 0;
		memcpy(data, &v, len);
	}
	*e = (struct event){ VMON_EXIT_MMIO, gpa, len, is_write, v, d->mmio_flags };
	return 0;
}

FIXTURE(mmio) {
	struct test_vm t;
	struct device dev;
};

FIXTURE_VARIANT(mmio) {
	enum vmon_guest_mode mode;
	const unsigned char *rw, *rw_end, *ro, *ro_end;
};

FIXTURE_VARIANT_ADD(mmio, real) {
	.mode = VMON_GUEST_REAL, .rw = mmio_rw16, .rw_end = mmio_rw16_end,
	.ro = mmio_ro16, .ro_end = mmio_ro16_end,
};

FIXTURE_VARIANT_ADD(mmio, prot) {
	.mode = VMON_GUEST_PROT, .rw = mmio_rw32, .rw_end = mmio_rw32_end,
	.ro = mmio_ro32, .ro_end = mmio_ro32_end,
};

FIXTURE_VARIANT_ADD(mmio, long) {
	.mode = VMON_GUEST_LONG, .rw = mmio_rw64, .rw_end = mmio_rw64_end,
	.ro = mmio_ro64, .ro_end = mmio_ro64_end,
};

FIXTURE_SETUP(mmio)
{
	SKIP_IF_NO_VMON();
	memset(&self->dev, 0, sizeof(self->dev));
	ASSERT_OK(test_vm_create(&self->t, variant->mode));
}

FIXTURE_TEARDOWN(mmio)
{
	if (test_have_vmon())
		test_vm_destroy(&self->t);
}

/* run to HLT, emulating MMIO and logging reports; false on anything else */
static bool run_to_hlt(struct __test_metadata *_metadata, struct test_vm *t,
		       struct device *d)
{
	struct vmon_run *run = t->cpu.run;
	unsigned int guard;

	for (guard = 0; guard < 32; guard++) {
		int r = libvmon_cpu_run(&t->cpu);

		if (r) {
			TH_LOG("VMON_RUN: %s", strerror(-r));
			return false;
		}
		switch (run->exit_reason) {
		case VMON_EXIT_HLT:
			return true;
		case VMON_EXIT_MMIO:
			d->mmio_flags = run->mmio.flags & ~VMON_MMIO_DECODED;
			if (!(run->mmio.flags & VMON_MMIO_DECODED))
				d->undecoded++;
			r = libvmon_emulate_mmio(&t->cpu, mmio_access, d);
			if (r) {
				TH_LOG("libvmon_emulate_mmio: %s on %s", strerror(-r),
				       test_describe_exit(&t->cpu));
				return false;
			}
			break;
		case VMON_EXIT_IO:
			if (run->io.port == REPORT && run->io.direction == VMON_IO_OUT &&
			    d->n < 16) {
				d->ev[d->n++] = (struct event){ VMON_EXIT_IO, REPORT, 4, true,
								run->io.data, 0 };
				break;
			}
			/* fall through */
		default:
			TH_LOG("unexpected exit %s", test_describe_exit(&t->cpu));
			return false;
		}
	}
	TH_LOG("no HLT after %u exits", guard);
	return false;
}

static void check_events(struct __test_metadata *_metadata, const struct device *d,
			 const struct event *want, unsigned int n)
{
	unsigned int i;

	ASSERT_EQ(n, d->n) TH_LOG("expected %u MMIO accesses and reports, got %u", n, d->n);
	for (i = 0; i < n; i++) {
		const struct event *g = &d->ev[i];

		EXPECT_TRUE(g->kind == want[i].kind && g->addr == want[i].addr &&
			    g->size == want[i].size && g->write == want[i].write &&
			    g->data == want[i].data && g->flags == want[i].flags)
			TH_LOG("event %u: expected %s addr 0x%llx size %u %s data 0x%llx "
			       "flags 0x%x, got %s addr 0x%llx size %u %s data 0x%llx flags 0x%x",
			       i, want[i].kind == VMON_EXIT_IO ? "report" : "MMIO",
			       (unsigned long long)want[i].addr, want[i].size,
			       want[i].write ? "write" : "read",
			       (unsigned long long)want[i].data, want[i].flags,
			       g->kind == VMON_EXIT_IO ? "report" : "MMIO",
			       (unsigned long long)g->addr, g->size, g->write ? "write" : "read",
			       (unsigned long long)g->data, g->flags);
	}
}

TEST_F(mmio, read_and_write)
{
	const struct event want[] = {
		{ VMON_EXIT_MMIO, MMIO_GPA + 0x10, 4, false, 0x12345678, 0 },
		{ VMON_EXIT_IO, REPORT, 4, true, 0x12345678, 0 },
		{ VMON_EXIT_MMIO, MMIO_GPA + 0x20, 2, true, 0xbeef, VMON_MMIO_WRITE },
		{ VMON_EXIT_MMIO, MMIO_GPA + 0x30, 1, true, 0x5a, VMON_MMIO_WRITE },
		{ VMON_EXIT_MMIO, MMIO_GPA + 0x40, 1, false, 0x80, 0 },
		{ VMON_EXIT_IO, REPORT, 4, true, 0x80, 0 },
		{ VMON_EXIT_MMIO, MMIO_GPA + 0x40, 1, false, 0x80, 0 },
		{ VMON_EXIT_IO, REPORT, 4, true, 0xffffff80, 0 },
	};

	ASSERT_OK(test_vm_load_blob(&self->t, variant->rw, variant->rw_end));
	ASSERT_TRUE(run_to_hlt(_metadata, &self->t, &self->dev));
	check_events(_metadata, &self->dev, want, sizeof(want) / sizeof(want[0]));
	EXPECT_EQ(0, self->dev.undecoded) TH_LOG("MOV forms the kernel did not decode");
}

TEST_F(mmio, write_to_readonly_slot)
{
	const struct event want[] = {
		{ VMON_EXIT_IO, REPORT, 4, true, 0xfeedface, 0 },
		{ VMON_EXIT_MMIO, RO_GPA + 4, 4, true, 1,
		  VMON_MMIO_WRITE | VMON_MMIO_READONLY_SLOT },
		{ VMON_EXIT_IO, REPORT, 4, true, 0xcafef00d, 0 },
	};
	__u32 *ro = libvmon_alloc_guest_memory(0x1000);

	ASSERT_NE(NULL, ro);
	ro[0] = 0xfeedface;
	ro[1] = 0xcafef00d;
	ASSERT_OK(libvmon_vm_set_memory(&self->t.vm, SLOT_TEST, VMON_MEM_READONLY, RO_GPA,
				     0x1000, ro));
	ASSERT_OK(test_vm_load_blob(&self->t, variant->ro, variant->ro_end));
	ASSERT_TRUE(run_to_hlt(_metadata, &self->t, &self->dev));
	check_events(_metadata, &self->dev, want, sizeof(want) / sizeof(want[0]));
	EXPECT_EQ(0, self->dev.undecoded) TH_LOG("MOV forms the kernel did not decode");
	/* the guest's write did not reach the slot's memory */
	EXPECT_EQ(0xcafef00d, ro[1]);
}

TEST_HARNESS_MAIN
