/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest creation for the selftests, on top of libvmon.
 *
 * Guest-physical layout (the same in every mode):
 *   0x00000-0x7ffff  RAM, slot 0
 *       0x01000      libvmon_setup_mode() tables (GDT, TSS, page tables)
 *       0x09000      IDT (test_vm_install_idt)
 *       0x0a000      CODE_GPA: assembly blobs are copied here
 *       0x0f000      real-mode stack top; 0x7f000 stack top otherwise
 *   0x80000-0xfffff  hole: MMIO_GPA = 0xa0000, tests may add slots here
 *   0x100000-...     RAM, slot 1: holds a copy of this binary's PT_LOAD
 *                    segments at their link addresses (static, non-PIE),
 *                    so 64-bit guests are plain C functions of the test
 * Long mode identity-maps the first 4 GiB with 2 MiB pages.
 */
#ifndef SELFTEST_TEST_VM_H
#define SELFTEST_TEST_VM_H

#include <errno.h>
#include <string.h>

#include "libvmon.h"
#include "ucall.h"

#define LOW_RAM_SIZE	0x80000ULL
#define HIGH_RAM_GPA	0x100000ULL
#define TABLES_GPA	0x1000ULL
#define IDT_GPA		0x9000ULL
#define CODE_GPA	0xa000ULL
#define CODE_MAX	0x5000ULL
#define REAL_STACK_TOP	0xf000ULL
#define STACK_TOP	0x7f000ULL
#define MMIO_GPA	0xa0000ULL
#define LONG_MAP_SIZE	(4ULL << 30)

#define SLOT_LOW	0
#define SLOT_HIGH	1
#define SLOT_TEST	2	/* first slot free for tests */

struct test_vm {
	struct vmon_vm vm;
	struct vmon_cpu cpu;
	enum vmon_guest_mode mode;
	void *low;
	void *high;
	size_t high_size;
};

/* exception stubs and #GP bookkeeping (exceptions.S), in guest memory */
extern char exc_stubs[];
extern volatile unsigned char guest_gp_skip;
extern volatile uint64_t guest_gp_count;

/*
 * An assembly guest: body assembled for a 16-, 32- or 64-bit CPU mode into
 * .rodata, between name[] and name_end[]; test_vm_load_blob() copies it
 * to CODE_GPA.  CODE_GPA_S is CODE_GPA for use inside the asm text.
 */
#define CODE_GPA_S	"0xa000"
#define GUEST_BLOB(name, bits, body)					\
	extern const unsigned char name[], name##_end[];		\
	__asm__(".pushsection .rodata." #name ",\"a\"\n"		\
		".globl " #name ", " #name "_end\n"			\
		#name ":\n"						\
		".code" #bits "\n"					\
		body "\n"						\
		".code64\n"						\
		#name "_end:\n"					\
		".popsection\n")

/* 0 or -errno; on failure nothing is left allocated */
int test_vm_create(struct test_vm *t, enum vmon_guest_mode mode);
/* the same RAM, the vCPU left in vmon's reset state (real mode, CS base 0) */
int test_vm_create_reset(struct test_vm *t);
void test_vm_destroy(struct test_vm *t);
/* copy an assembly blob to CODE_GPA and start there */
int test_vm_load_blob(struct test_vm *t, const void *start, const void *end);
/* long mode, this binary's image in guest RAM, IDT, RIP = guest(arg) */
int test_vm_create_c(struct test_vm *t, void (*guest)(uint64_t), uint64_t arg);
/* copy a host global into the guest's copy of the image */
int test_sync_to_guest(struct test_vm *t, const void *host_addr, size_t len);
int test_sync_from_guest(struct test_vm *t, void *host_addr, size_t len);
/* the vCPU's RIP etc. after creation */
int test_vm_set_entry(struct test_vm *t, uint64_t rip, uint64_t rdi);

/* exit as one line of text, for assertion messages */
const char *test_describe_exit(struct vmon_cpu *cpu);
/* if the last exit was a ucall, copy it to uc and return its command, else UCALL_NONE */
int test_get_ucall(struct test_vm *t, struct ucall *uc);
int test_cpu_get_ucall(struct test_vm *t, struct vmon_cpu *cpu, struct ucall *uc);
const char *ucall_name(int cmd);
/* true when /dev/vmon exists (the module is loaded) */
int test_have_vmon(void);
/*
 * Raise (on) or drop capability cap in the effective set only; -EPERM
 * when raising one that is not permitted, -errno on other failures.
 */
int test_set_effective_cap(int cap, int on);
/* /sys/module/vmon/refcnt: module references held by open fds; -1 if not visible */
int test_module_refcnt(void);
/*
 * The lowest CPU the calling thread may run on other than @not (-1: no
 * exception), or -1 if there is none.  Tests pin to CPUs from their own
 * affinity mask, never to fixed numbers: the rig keeps them off CPU 0 of
 * its QEMU machines (rig/boot.sh).
 */
int test_allowed_cpu(int not);

/*
 * Harness helpers; need _metadata in scope (inside TEST/TEST_F).
 */
#define SKIP_IF_NO_VMON() do {						\
	if (!test_have_vmon())						\
		SKIP(return, "no " VMON_DEVICE_PATH ": vmon.ko not loaded"); \
} while (0)

#define ASSERT_OK(expr) do {						\
	int __r = (expr);						\
	ASSERT_EQ(0, __r) TH_LOG("%s: expected 0, got %d (%s)", #expr, __r, \
				 strerror(__r < 0 ? -__r : __r));	\
} while (0)

#define EXPECT_OK(expr) do {						\
	int __r = (expr);						\
	EXPECT_EQ(0, __r) TH_LOG("%s: expected 0, got %d (%s)", #expr, __r, \
				 strerror(__r < 0 ? -__r : __r));	\
} while (0)

#define ASSERT_ERRNO(err, expr) do {					\
	int __r = (expr);						\
	ASSERT_EQ(-(err), __r) TH_LOG("%s: expected -%s, got %d (%s)", #expr, \
				      strerrorname_np(err), __r,	\
				      __r < 0 ? strerrorname_np(-__r) : "success"); \
} while (0)

#define EXPECT_ERRNO(err, expr) do {					\
	int __r = (expr);						\
	EXPECT_EQ(-(err), __r) TH_LOG("%s: expected -%s, got %d (%s)", #expr, \
				      strerrorname_np(err), __r,	\
				      __r < 0 ? strerrorname_np(-__r) : "success"); \
} while (0)

/* run once and require a given exit reason */
#define RUN_EXPECT_EXIT(t, reason) do {					\
	int __r = libvmon_cpu_run(&(t)->cpu);				\
	ASSERT_EQ(0, __r) TH_LOG("VMON_RUN: expected 0, got %d (%s)", __r, \
				 strerror(-__r));			\
	ASSERT_EQ((reason), (t)->cpu.run->exit_reason)			\
		TH_LOG("expected exit %s, got %s",			\
		       libvmon_exit_reason_name(reason),			\
		       test_describe_exit(&(t)->cpu));			\
} while (0)

/* run once and require a ucall with command cmd; guest asserts fail the test */
#define RUN_EXPECT_UCALL(t, uc, cmd) do {				\
	int __c;							\
	RUN_EXPECT_EXIT(t, VMON_EXIT_IO);				\
	__c = test_get_ucall(t, uc);					\
	ASSERT_NE(UCALL_ASSERT, __c)					\
		TH_LOG("guest assertion failed at %s:%llu: %s: expected 0x%llx, got 0x%llx", \
		       (uc)->file, (unsigned long long)(uc)->line, (uc)->expr, \
		       (unsigned long long)(uc)->args[0],		\
		       (unsigned long long)(uc)->args[1]);		\
	ASSERT_EQ((cmd), __c) TH_LOG("expected ucall %s, got %s",	\
				     ucall_name(cmd),			\
				     test_describe_exit(&(t)->cpu));	\
} while (0)

/* expect an I/O exit with the given port, size, direction and (OUT) data */
#define ASSERT_IO(t, _port, _size, _dir) do {				\
	struct vmon_run *__run = (t)->cpu.run;				\
	ASSERT_EQ(VMON_EXIT_IO, __run->exit_reason)			\
		TH_LOG("expected an IO exit, got %s", test_describe_exit(&(t)->cpu)); \
	ASSERT_TRUE(__run->io.port == (_port) && __run->io.size == (_size) && \
		    __run->io.direction == (_dir))			\
		TH_LOG("expected %s port 0x%x size %d, got %s",	\
		       (_dir) == VMON_IO_IN ? "IN" : "OUT", (_port), (_size), \
		       test_describe_exit(&(t)->cpu));			\
} while (0)

#endif /* SELFTEST_TEST_VM_H */
