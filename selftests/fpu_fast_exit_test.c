// SPDX-License-Identifier: GPL-2.0-only
/*
 * x87, SSE and AVX state across thousands of exits the kernel handles
 * itself, with the vCPU's CPU shared.  The guest loads a distinct x87
 * stack, control word, MXCSR and XMM0-15 (FXRSTOR) and, when its CPUID
 * offers AVX, the upper halves of YMM0-15; then executes CPUID at least
 * 10,000 times with one exit to userspace in the middle, saves
 * everything (FXSAVE) and compares.  The host's vCPU thread enters with
 * its own distinct values in the same registers, loaded right before
 * the ioctl's SYSCALL and saved right after it, and a second host
 * thread pinned to the same CPU loads its own values, spins, yields and
 * checks them over and over.  Three owners of one register file: each
 * must find its own values every time.  fpu_test covers one exit to
 * userspace with XMM/YMM; this covers the exits that never leave the
 * kernel, the x87 and MXCSR state, and a competing FPU user.  The FXSAVE
 * layout is SDM Vol. 1 10.5.1 (Table 10-2).  64-bit C guest.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "test_vm.h"

#define FPU_PORT	0x40
#define ROUNDS		3
#define HALF_MIN	5000		/* CPUIDs before and after the exit to userspace */
#define HALF_MAX	2000000		/* the most, while the host waits to see a schedule-out */
#define SEEN_WANTED	2
#define WAIT_S		30

#define IRP16	".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
#define FPU_CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
	"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", \
	"st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"

/* an FXSAVE image and the upper 128 bits of YMM0-15 */
struct fpu_image {
	uint8_t fx[512];
	uint8_t hi[16][16];
} __attribute__((aligned(64)));

/* guest's copy, reached by the host through its HVA */
static struct fpu_image guest_in[ROUNDS], guest_out;
static volatile uint64_t guest_progress;	/* CPUIDs done */
static volatile uint64_t guest_stop;		/* host: seen enough, keep to HALF_MIN */

static volatile uint64_t *progress_hva, *stop_hva;
static volatile int host_done, in_run;
static volatile uint64_t seen_mid_burst, hammer_rounds, hammer_bad;
static volatile long hammer_bad_at;
static int host_avx;

/*
 * A distinct image: FCW 0x0f7f (round toward zero, 64-bit precision, all
 * exceptions masked), FSW 0 (TOP 0, nothing pending), all eight tags
 * valid, MXCSR 0xbf80 (flush to zero, round down, all masked), eight
 * normal 80-bit values and sixteen XMM/YMM patterns from seed.
 */
static void make_image(struct fpu_image *im, uint8_t seed)
{
	unsigned int i, j;
	uint64_t m;

	memset(im, 0, sizeof(*im));
	im->fx[0] = 0x7f;
	im->fx[1] = 0x0f;
	im->fx[4] = 0xff;
	im->fx[24] = 0x80;
	im->fx[25] = 0xbf;
	for (i = 0; i < 8; i++) {
		m = (1ULL << 63) | ((uint64_t)seed << 40) | (i * 0x1234567ULL);
		memcpy(&im->fx[32 + 16 * i], &m, 8);
		im->fx[32 + 16 * i + 8] = 0xff - i;	/* exponent 0x3fxx, sign 0 */
		im->fx[32 + 16 * i + 9] = 0x3f;
	}
	for (i = 0; i < 16; i++)
		for (j = 0; j < 16; j++) {
			im->fx[160 + 16 * i + j] = seed + i * 16 + j * 5;
			im->hi[i][j] = seed ^ (0x80 + i * 7 + j * 3);
		}
}

/*
 * 0 when the state matches, else 1 + the offset of the first byte that
 * differs (hi[] counted from 512).  Compared: FCW, FSW, FTW, MXCSR, the
 * 80 bits of each ST register, XMM0-15 and, with avx, YMM0-15[255:128];
 * FOP, FIP and FDP are left out (AMD saves them only with an exception
 * pending).  No libc: the guest runs it too.
 */
static unsigned int image_diff(const struct fpu_image *a, const struct fpu_image *b, int avx)
{
	unsigned int i;

	for (i = 0; i < 416; i++) {
		if ((i >= 6 && i < 24) || (i >= 28 && i < 32))
			continue;
		if (i >= 32 && i < 160 && (i - 32) % 16 >= 10)
			continue;
		if (a->fx[i] != b->fx[i])
			return i + 1;
	}
	for (i = 0; avx && i < 256; i++)
		if (a->hi[i / 16][i % 16] != b->hi[i / 16][i % 16])
			return 512 + i + 1;
	return 0;
}

/* CPUIDs at least HALF_MIN times, and on until the host asks to stop */
#define CPUID_LOOP(l)							\
	"xor %%r8d, %%r8d\n"						\
	#l ": xor %%eax, %%eax\n xor %%ecx, %%ecx\n cpuid\n"		\
	"incq %[prog]\n inc %%r8\n"					\
	"cmp $" __stringify(HALF_MIN) ", %%r8\n jb " #l "b\n"		\
	"cmpq $0, %[stop]\n jne " #l "f\n"				\
	"cmp $" __stringify(HALF_MAX) ", %%r8\n jb " #l "b\n"		\
	#l ":\n"

#define __stringify_1(x) #x
#define __stringify(x) __stringify_1(x)

/* load in, a burst of CPUIDs, an exit to userspace, another burst, save to out */
static void guest_round(const struct fpu_image *in, struct fpu_image *out, uint64_t avx)
{
	__asm__ volatile("fxrstor (%[in])\n"
			 "test %[avx], %[avx]\n jz 10f\n"
			 IRP16 "vinsertf128 $1, 512+\\i*16(%[in]), %%ymm\\i, %%ymm\\i\n .endr\n"
			 "10:\n"
			 CPUID_LOOP(1)
			 "mov $" __stringify(FPU_PORT) ", %%edx\n xor %%eax, %%eax\n"
			 "outl %%eax, %%dx\n"
			 CPUID_LOOP(2)
			 "fxsave (%[out])\n"
			 "test %[avx], %[avx]\n jz 11f\n"
			 IRP16 "vextractf128 $1, %%ymm\\i, 512+\\i*16(%[out])\n .endr\n"
			 "11:\n"
			 : [prog] "+m"(guest_progress)
			 : [in] "r"(in), [out] "r"(out), [avx] "r"(avx), [stop] "m"(guest_stop)
			 : "rax", "rbx", "rcx", "rdx", "r8", "memory", FPU_CLOBBERS);
}

static void guest_main(uint64_t arg)
{
	uint32_t a = 1, b, c = 0, d;
	uint64_t cr4, avx = 0;
	unsigned int r;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	if (arg && (c & (1u << 26)) && (c & (1u << 28))) {
		__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
		cr4 |= 1ULL << 18;		/* OSXSAVE */
		__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
		__asm__ volatile("xsetbv" : : "c"(0), "a"(7), "d"(0));	/* x87 | SSE | AVX */
		avx = 1;
	}
	GUEST_SYNC_ARGS(0, avx, 0, 0);
	for (r = 0; r < ROUNDS; r++) {
		guest_round(&guest_in[r], &guest_out, avx);
		GUEST_ASSERT_EQ(0, image_diff(&guest_in[r], &guest_out, avx));
		GUEST_SYNC(1 + r);
	}
	GUEST_DONE();
}

/*
 * VMON_RUN with the host's state set to in just around the syscall:
 * the thread's own state is saved first and put back after.
 */
static long run_with_fpu(int fd, const struct fpu_image *in, struct fpu_image *out, int avx)
{
	static struct fpu_image keep;
	long ret;

	__asm__ volatile("fxsave (%[keep])\n"
			 "fxrstor (%[in])\n"
			 "test %[avx], %[avx]\n jz 10f\n"
			 IRP16 "vinsertf128 $1, 512+\\i*16(%[in]), %%ymm\\i, %%ymm\\i\n .endr\n"
			 "10:\n"
			 "syscall\n"
			 "fxsave (%[out])\n"
			 "test %[avx], %[avx]\n jz 11f\n"
			 IRP16 "vextractf128 $1, %%ymm\\i, 512+\\i*16(%[out])\n .endr\n"
			 "vzeroupper\n"
			 "11:\n"
			 "fxrstor (%[keep])\n"
			 : "=a"(ret)
			 : "0"((long)SYS_ioctl), "D"((long)fd), "S"((long)VMON_RUN), "d"(0L),
			   [in] "r"(in), [out] "r"(out), [keep] "r"(&keep), [avx] "r"((long)avx)
			 : "rcx", "r11", "memory", FPU_CLOBBERS);
	return ret;
}

/* the second FPU user on the vCPU's CPU: load, spin, save, compare, yield */
static void *hammer(void *arg)
{
	static struct fpu_image in, out, keep;
	uint64_t last = 0, p;
	unsigned int d;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET((int)(long)arg, &set);
	sched_setaffinity(0, sizeof(set), &set);
	make_image(&in, 0xc3);
	while (!host_done) {
		memset(&out, 0, sizeof(out));
		__asm__ volatile("fxsave (%[keep])\n"
				 "fxrstor (%[in])\n"
				 "test %[avx], %[avx]\n jz 10f\n"
				 IRP16 "vinsertf128 $1, 512+\\i*16(%[in]), %%ymm\\i, %%ymm\\i\n"
				 ".endr\n"
				 "10: mov $20000, %%ecx\n"
				 "1: dec %%ecx\n jnz 1b\n"
				 "fxsave (%[out])\n"
				 "test %[avx], %[avx]\n jz 11f\n"
				 IRP16 "vextractf128 $1, %%ymm\\i, 512+\\i*16(%[out])\n .endr\n"
				 "vzeroupper\n"
				 "11:\n"
				 "fxrstor (%[keep])\n"
				 : : [in] "r"(&in), [out] "r"(&out), [keep] "r"(&keep),
				   [avx] "r"((long)host_avx)
				 : "rcx", "memory", FPU_CLOBBERS);
		d = image_diff(&in, &out, host_avx);
		if (d && !hammer_bad++)
			hammer_bad_at = d - 1;
		hammer_rounds++;
		p = *progress_hva;
		if (p != last && in_run && !*stop_hva) {
			last = p;
			seen_mid_burst++;
		}
		if (hammer_rounds & 1)
			sched_yield();
	}
	return NULL;
}

static void *watcher(void *arg)
{
	time_t end = time(NULL) + WAIT_S;

	while (!host_done && time(NULL) < end && seen_mid_burst < SEEN_WANTED)
		usleep(5000);
	*stop_hva = 1;
	return NULL;
}

/* the exit after a RUN: an IN/OUT on port, or a ucall with cmd */
static void check_exit(struct __test_metadata *_metadata, struct test_vm *t, int cmd,
		       long ret, const struct fpu_image *hin, const struct fpu_image *hout)
{
	struct ucall uc;
	unsigned int d;

	memset(&uc, 0, sizeof(uc));
	ASSERT_EQ(0, ret) TH_LOG("VMON_RUN: %ld", ret);
	d = image_diff(hin, hout, host_avx);
	EXPECT_EQ(0, d) TH_LOG("the host thread's FPU state changed across VMON_RUN at "
			       "image offset %u (0-511 FXSAVE, 512+ YMM upper halves)", d - 1);
	if (cmd == UCALL_NONE) {
		ASSERT_NE(UCALL_ASSERT, test_get_ucall(t, &uc))
			TH_LOG("guest: %s:%llu: %s: its FPU image differs at offset %lld",
			       uc.file, (unsigned long long)uc.line, uc.expr,
			       (long long)uc.args[1] - 1);
		ASSERT_IO(t, FPU_PORT, 4, VMON_IO_OUT);
		return;
	}
	ASSERT_EQ(cmd, test_get_ucall(t, &uc))
		TH_LOG("expected ucall %s, got %s (guest: %s:%llu: %s: its FPU image differs "
		       "at offset %lld)", ucall_name(cmd), test_describe_exit(&t->cpu),
		       uc.file ? uc.file : "", (unsigned long long)uc.line,
		       uc.expr ? uc.expr : "", (long long)uc.args[1] - 1);
}

FIXTURE(fpu) {
	int unused;
};

FIXTURE_SETUP(fpu)
{
}

FIXTURE_TEARDOWN(fpu)
{
}

/* tens of thousands of exits under an emulator, with a competitor: allow 2 minutes */
TEST_F_TIMEOUT(fpu, state_across_fast_exits, 120)
{
	struct fpu_image hin, hout;
	struct test_vm t;
	struct ucall uc;
	pthread_t ham, watch;
	cpu_set_t set;
	unsigned int r;
	int cpu, avx;
	long ret;

	SKIP_IF_NO_VMON();
	__builtin_cpu_init();
	host_avx = __builtin_cpu_supports("avx");
	cpu = test_allowed_cpu(-1);
	ASSERT_LE(0, cpu);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	for (r = 0; r < ROUNDS; r++)
		make_image(&guest_in[r], 0x11 + 0x20 * r);
	ASSERT_OK(test_vm_create_c(&t, guest_main, host_avx));	/* copies guest_in */
	progress_hva = libvmon_gpa_to_hva(&t.vm, (uintptr_t)&guest_progress, 8);
	stop_hva = libvmon_gpa_to_hva(&t.vm, (uintptr_t)&guest_stop, 8);
	ASSERT_NE(NULL, progress_hva);
	ASSERT_NE(NULL, stop_hva);

	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	avx = uc.args[1];
	ASSERT_EQ(0, pthread_create(&ham, NULL, hammer, (void *)(long)cpu));
	ASSERT_EQ(0, pthread_create(&watch, NULL, watcher, NULL));
	for (r = 0; r < ROUNDS; r++) {
		make_image(&hin, 0x5a + r);
		memset(&hout, 0, sizeof(hout));
		in_run = 1;
		ret = run_with_fpu(t.cpu.fd, &hin, &hout, host_avx);
		in_run = 0;
		check_exit(_metadata, &t, UCALL_NONE, ret, &hin, &hout);
		make_image(&hin, 0xa5 + r);
		memset(&hout, 0, sizeof(hout));
		in_run = 1;
		ret = run_with_fpu(t.cpu.fd, &hin, &hout, host_avx);
		in_run = 0;
		check_exit(_metadata, &t, UCALL_SYNC, ret, &hin, &hout);
	}
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	host_done = 1;
	pthread_join(ham, NULL);
	pthread_join(watch, NULL);

	TH_LOG("%llu CPUIDs, %llu exits in all, guest AVX %s; the second thread checked "
	       "its state %llu times and saw the guest scheduled out mid-burst %llu times",
	       (unsigned long long)*progress_hva, (unsigned long long)t.cpu.run->exit_count,
	       avx ? "on" : "off", (unsigned long long)hammer_rounds,
	       (unsigned long long)seen_mid_burst);
	EXPECT_LE(2ULL * ROUNDS * HALF_MIN, *progress_hva);
	EXPECT_LE(*progress_hva, t.cpu.run->exit_count)
		TH_LOG("fewer exits than CPUIDs");
	EXPECT_EQ(0, hammer_bad)
		TH_LOG("the second thread on CPU %d found its FPU state changed %llu times "
		       "(first at image offset %ld)", cpu, (unsigned long long)hammer_bad,
		       hammer_bad_at);
	EXPECT_LE(1, seen_mid_burst)
		TH_LOG("the second thread never ran while the guest was inside a burst");
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
