// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest and host extended state stay apart: the guest fills XMM0-15 (and
 * YMM0-15 after enabling AVX with XSETBV) and takes an exit; the host
 * enters again with its own pattern in the same registers, loaded right
 * before the ioctl's SYSCALL and saved right after it.  Each side must
 * find its own values.
 */
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "test_vm.h"

#define FPU_PORT	0x40

#define IRP16	".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
#define XMM_CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
	"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

static uint8_t guest_in[16][32], guest_out[16][32];

static void fill(uint8_t p[16][32], uint8_t seed)
{
	unsigned int i, j;

	for (i = 0; i < 16; i++)
		for (j = 0; j < 32; j++)
			p[i][j] = seed + i * 32 + j * 7;
}

/* guest: load, exit on FPU_PORT, store */
static void guest_xmm_round(void)
{
	__asm__ volatile(IRP16 "movdqu \\i*32(%0), %%xmm\\i\n .endr\n"
			 "outl %%eax, %%dx\n"
			 IRP16 "movdqu %%xmm\\i, \\i*32(%1)\n .endr\n"
			 : : "r"(guest_in), "r"(guest_out), "a"(0), "d"(FPU_PORT)
			 : "memory", XMM_CLOBBERS);
}

static void guest_ymm_round(void)
{
	__asm__ volatile(IRP16 "vmovdqu \\i*32(%0), %%ymm\\i\n .endr\n"
			 "outl %%eax, %%dx\n"
			 IRP16 "vmovdqu %%ymm\\i, \\i*32(%1)\n .endr\n"
			 : : "r"(guest_in), "r"(guest_out), "a"(1), "d"(FPU_PORT)
			 : "memory", XMM_CLOBBERS);
}

/* 0, or 1 + the first register that differs; no libc: the guest runs it too */
static int same(const uint8_t a[16][32], const uint8_t b[16][32], unsigned int width)
{
	unsigned int i, j;

	for (i = 0; i < 16; i++)
		for (j = 0; j < width; j++)
			if (a[i][j] != b[i][j])
				return i + 1;
	return 0;
}

static void guest_sse(uint64_t arg)
{
	guest_xmm_round();
	GUEST_ASSERT_EQ(0, same(guest_in, guest_out, 16));
	GUEST_DONE();
}

static void guest_avx(uint64_t arg)
{
	uint32_t a = 1, b, c = 0, d;
	uint64_t cr4;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	if (!(c & (1u << 26)) || !(c & (1u << 28))) {
		GUEST_SYNC(0);		/* no XSAVE/AVX in the guest's CPUID */
		GUEST_DONE();
	}
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= 1ULL << 18;		/* OSXSAVE */
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
	__asm__ volatile("xsetbv" : : "c"(0), "a"(7), "d"(0));	/* x87 | SSE | AVX */
	GUEST_SYNC(1);
	guest_ymm_round();
	GUEST_ASSERT_EQ(0, same(guest_in, guest_out, 32));
	GUEST_DONE();
}

/* VMON_RUN with the host's registers set to in[] just around the syscall */
static long run_with_xmm(int fd, uint8_t in[16][32], uint8_t out[16][32])
{
	long ret;

	__asm__ volatile(IRP16 "movdqu \\i*32(%[in]), %%xmm\\i\n .endr\n"
			 "syscall\n"
			 IRP16 "movdqu %%xmm\\i, \\i*32(%[out])\n .endr\n"
			 : "=a"(ret)
			 : "0"((long)SYS_ioctl), "D"((long)fd), "S"((long)VMON_RUN), "d"(0L),
			   [in] "r"(in), [out] "r"(out)
			 : "rcx", "r11", "memory", XMM_CLOBBERS);
	return ret;
}

static long run_with_ymm(int fd, uint8_t in[16][32], uint8_t out[16][32])
{
	long ret;

	__asm__ volatile(IRP16 "vmovdqu \\i*32(%[in]), %%ymm\\i\n .endr\n"
			 "syscall\n"
			 IRP16 "vmovdqu %%ymm\\i, \\i*32(%[out])\n .endr\n"
			 "vzeroupper\n"
			 : "=a"(ret)
			 : "0"((long)SYS_ioctl), "D"((long)fd), "S"((long)VMON_RUN), "d"(0L),
			   [in] "r"(in), [out] "r"(out)
			 : "rcx", "r11", "memory", XMM_CLOBBERS);
	return ret;
}

TEST(sse_state_isolated)
{
	uint8_t host_in[16][32], host_out[16][32];
	struct test_vm t;
	struct ucall uc;
	int r;

	SKIP_IF_NO_VMON();
	fill(guest_in, 0x11);
	fill(host_in, 0x80);
	ASSERT_OK(test_vm_create_c(&t, guest_sse, 0));	/* copies guest_in */

	memset(host_out, 0, sizeof(host_out));
	ASSERT_EQ(0, run_with_xmm(t.cpu.fd, host_in, host_out));
	ASSERT_IO(&t, FPU_PORT, 4, VMON_IO_OUT);
	r = same(host_in, host_out, 16);
	EXPECT_EQ(0, r) TH_LOG("host XMM%d changed by running the guest", r - 1);

	memset(host_out, 0, sizeof(host_out));
	ASSERT_EQ(0, run_with_xmm(t.cpu.fd, host_in, host_out));
	r = same(host_in, host_out, 16);
	EXPECT_EQ(0, r) TH_LOG("host XMM%d changed by running the guest", r - 1);
	ASSERT_EQ(UCALL_DONE, test_get_ucall(&t, &uc))
		TH_LOG("guest: %s:%llu: %s: expected 0 (all XMM kept), got XMM%lld - 1 differs; exit %s",
		       uc.file, (unsigned long long)uc.line, uc.expr, (long long)uc.args[1],
		       test_describe_exit(&t.cpu));
	test_vm_destroy(&t);
}

TEST(avx_state_isolated)
{
	uint8_t host_in[16][32], host_out[16][32];
	struct test_vm t;
	struct ucall uc;
	int r;

	SKIP_IF_NO_VMON();
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx"))
		SKIP(return, "the host has no AVX");
	fill(guest_in, 0x23);
	fill(host_in, 0x9c);
	ASSERT_OK(test_vm_create_c(&t, guest_avx, 0));

	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	if (uc.args[0] == 0) {
		test_vm_destroy(&t);
		SKIP(return, "the guest's CPUID has no AVX");
	}
	memset(host_out, 0, sizeof(host_out));
	ASSERT_EQ(0, run_with_ymm(t.cpu.fd, host_in, host_out));
	ASSERT_IO(&t, FPU_PORT, 4, VMON_IO_OUT);
	r = same(host_in, host_out, 32);
	EXPECT_EQ(0, r) TH_LOG("host YMM%d changed by running the guest", r - 1);

	memset(host_out, 0, sizeof(host_out));
	ASSERT_EQ(0, run_with_ymm(t.cpu.fd, host_in, host_out));
	r = same(host_in, host_out, 32);
	EXPECT_EQ(0, r) TH_LOG("host YMM%d changed by running the guest", r - 1);
	ASSERT_EQ(UCALL_DONE, test_get_ucall(&t, &uc))
		TH_LOG("guest: %s:%llu: %s: got %lld (YMM n-1 differs); exit %s",
		       uc.file, (unsigned long long)uc.line, uc.expr, (long long)uc.args[1],
		       test_describe_exit(&t.cpu));
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
