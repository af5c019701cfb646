// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSRs: SET/GET_MSRS round trips of every MSR the kernel owns; a guest
 * RDMSR of an owned MSR sees what SET_MSRS wrote (and a guest WRMSR is
 * seen by GET_MSRS); RDMSR/WRMSR of an MSR the kernel does not own is a
 * VMON_EXIT_MSR that userspace completes, or turns into #GP(0) with
 * msr.error (the guest's #GP handler counts it).  The MSRs the module
 * emulates for Linux (kmod/msr.c) start at their documented values,
 * round-trip from the guest and from SET/GET_MSRS, and #GP on reserved
 * bits; guest PAT and TSC writes are what GET_MSRS reads, and the guest
 * TSC is the TSC GET_MSRS reports.  EFER.LME cannot change while
 * paging is on, neither by a guest WRMSR (#GP) nor by SET_MSRS (not
 * processed); EFER.LMA is not written by either.  64-bit C guests.
 */
#include <cpuid.h>

#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "test_vm.h"
#include "guest_msr.h"

#define UNOWNED_RD	0x40000010u
#define UNOWNED_WR	0x40000011u

#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)
#define CR0_PG		(1ULL << 31)


static const struct { uint32_t index; uint64_t value; } owned[] = {
	{ VMON_MSR_SYSENTER_CS, 0x10 },
	{ VMON_MSR_SYSENTER_ESP, 0xffffc90000123000ULL },
	{ VMON_MSR_SYSENTER_EIP, 0xffffffff81234560ULL },
	{ VMON_MSR_PAT, 0x0007010600070106ULL },
	{ VMON_MSR_STAR, 0x0023001000000000ULL },
	{ VMON_MSR_LSTAR, 0xffffffff81a00000ULL },
	{ VMON_MSR_CSTAR, 0xffffffff81a00100ULL },
	{ VMON_MSR_SFMASK, 0x47700 },
	{ VMON_MSR_FS_BASE, 0x00007f1234567000ULL },
	{ VMON_MSR_GS_BASE, 0xffff888012345000ULL },
	{ VMON_MSR_KERNEL_GS_BASE, 0x00007ffdeadbe000ULL },
	{ VMON_MSR_EFER, 0xd01 },	/* SCE LME LMA NXE: consistent with long mode */
};
#define NOWNED (sizeof(owned) / sizeof(owned[0]))

static void guest_read_owned(uint64_t arg)
{
	unsigned int i;
	uint64_t tsc;

	for (i = 0; i < NOWNED; i++)
		GUEST_ASSERT_EQ(owned[i].value, guest_rdmsr(owned[i].index));
	tsc = guest_rdmsr(VMON_MSR_TSC);
	GUEST_ASSERT(tsc >= arg);
	GUEST_ASSERT(tsc - arg < (1ULL << 50));
	guest_wrmsr(VMON_MSR_LSTAR, 0xffffffff80001000ULL);
	guest_wrmsr(VMON_MSR_KERNEL_GS_BASE, 0x1234000);
	GUEST_DONE();
}

static void guest_unowned(uint64_t arg)
{
	GUEST_ASSERT_EQ(0x1122334455667788ULL, guest_rdmsr(UNOWNED_RD));
	guest_wrmsr(UNOWNED_WR, 0xabcdef0123456789ULL);
	GUEST_DONE();
}

static void guest_unowned_gp(uint64_t arg)
{
	guest_gp_skip = 1;
	guest_rdmsr(UNOWNED_RD);
	GUEST_ASSERT_EQ(1, guest_gp_count);
	guest_wrmsr(UNOWNED_WR, 1);
	GUEST_ASSERT_EQ(2, guest_gp_count);
	GUEST_DONE();
}

TEST(owned_msrs_round_trip)
{
	struct test_vm t;
	unsigned int i;
	__u64 v;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_LONG));
	for (i = 0; i < NOWNED; i++) {
		ASSERT_OK(libvmon_set_msr(&t.cpu, owned[i].index, owned[i].value));
		ASSERT_OK(libvmon_get_msr(&t.cpu, owned[i].index, &v));
		EXPECT_EQ(owned[i].value, v) TH_LOG("MSR 0x%x: set 0x%llx, got 0x%llx",
						    owned[i].index,
						    (unsigned long long)owned[i].value,
						    (unsigned long long)v);
	}
	ASSERT_OK(libvmon_set_msr(&t.cpu, VMON_MSR_TSC, 1ULL << 40));
	ASSERT_OK(libvmon_get_msr(&t.cpu, VMON_MSR_TSC, &v));
	EXPECT_TRUE(v >= 1ULL << 40 && v < (1ULL << 40) + (1ULL << 36))
		TH_LOG("TSC: set 0x%llx, read back 0x%llx", 1ULL << 40, (unsigned long long)v);
	/* an MSR the kernel does not own is not processed */
	EXPECT_ERRNO(ENOENT, libvmon_get_msr(&t.cpu, UNOWNED_RD, &v));
	EXPECT_ERRNO(ENOENT, libvmon_set_msr(&t.cpu, UNOWNED_RD, 0));
	test_vm_destroy(&t);
}

TEST(guest_rdmsr_sees_set_msrs)
{
	struct test_vm t;
	struct ucall uc;
	unsigned int i;
	__u64 v;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_read_owned, 1ULL << 40));
	for (i = 0; i < NOWNED; i++)
		ASSERT_OK(libvmon_set_msr(&t.cpu, owned[i].index, owned[i].value));
	ASSERT_OK(libvmon_set_msr(&t.cpu, VMON_MSR_TSC, 1ULL << 40));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	ASSERT_OK(libvmon_get_msr(&t.cpu, VMON_MSR_LSTAR, &v));
	EXPECT_EQ(0xffffffff80001000ULL, v);
	ASSERT_OK(libvmon_get_msr(&t.cpu, VMON_MSR_KERNEL_GS_BASE, &v));
	EXPECT_EQ(0x1234000, v);
	test_vm_destroy(&t);
}

TEST(unowned_msr_exits_to_userspace)
{
	struct test_vm t;
	struct ucall uc;
	struct vmon_run *run;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_unowned, 0));
	run = t.cpu.run;
	RUN_EXPECT_EXIT(&t, VMON_EXIT_MSR);
	EXPECT_EQ(UNOWNED_RD, run->msr.index);
	EXPECT_EQ(0, run->msr.is_write);
	run->msr.data = 0x1122334455667788ULL;
	RUN_EXPECT_EXIT(&t, VMON_EXIT_MSR);
	EXPECT_EQ(UNOWNED_WR, run->msr.index);
	EXPECT_EQ(1, run->msr.is_write);
	EXPECT_EQ(0xabcdef0123456789ULL, run->msr.data)
		TH_LOG("WRMSR data: expected 0xabcdef0123456789, got 0x%llx",
		       (unsigned long long)run->msr.data);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

TEST(unowned_msr_error_injects_gp)
{
	struct test_vm t;
	struct ucall uc;
	struct vmon_run *run;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_unowned_gp, 0));
	run = t.cpu.run;
	RUN_EXPECT_EXIT(&t, VMON_EXIT_MSR);
	EXPECT_EQ(0, run->msr.is_write);
	run->msr.error = 1;
	RUN_EXPECT_EXIT(&t, VMON_EXIT_MSR);
	EXPECT_EQ(1, run->msr.is_write);
	run->msr.error = 1;
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

/*
 * The MSRs kmod/msr.c emulates: value at vCPU creation, a legal value
 * that reads back as written, and a value with a reserved bit (#GP for
 * the guest, refused by SET_MSRS).  NONE: a read-only MSR (any guest
 * write #GPs) or no reserved-bit probe.
 */
#define NONE		(~0ULL)
#define MTRR_CAP	0xfe
#define MTRR_DEF_TYPE	0x2ff

struct emu_msr {
	uint32_t index;
	uint64_t reset, write, bad;
};

static const struct emu_msr emu_common[] = {
	/*
	 * APIC_BASE: xAPIC at reset, relocatable; EXTD without EN is no
	 * mode (#GP), bit 7 is reserved; the BSP flag is the vCPU's
	 */
	{ 0x1b, 0xfee00900, 0xfed00900, 0xfee00500 },
	{ 0x1b, 0xfed00900, 0xfee00900, 0xfee00980 },
	{ 0x179, 0, NONE, 0 },			/* MCG_CAP: no banks, read-only */
	{ 0x17a, 0, 0x5, 0x8 },			/* MCG_STATUS: RIPV MCIP; bit 3 reserved */
	{ MTRR_CAP, 0x508, NONE, 0x508 },	/* 8 variable, fixed, WC; read-only */
	{ MTRR_DEF_TYPE, 0x806, 0xc00, 0x802 },	/* enabled, WB; type 2 is reserved */
	{ MTRR_DEF_TYPE, 0xc00, 0xc00, 0x1c00 },	/* bit 12 reserved */
	{ 0x200, 0, 0x80000006, 0x80000106 },	/* PHYSBASE0: bits 11:8 reserved */
	{ 0x201, 0, 0xff0000800, 0xff0000801 },	/* PHYSMASK0: bits 10:0 reserved */
	{ 0x20f, 0, 0xf80000800, 0x8000000000000800ULL },	/* above MAXPHYADDR */
	{ 0x250, 0, 0x0606060606060606ULL, 0x0606060606060602ULL },
	{ 0x26f, 0, 0x0506040100050604ULL, 0x0706040100050604ULL },
};

static const struct emu_msr emu_intel[] = {
	{ 0x3a, 0x1, NONE, 0x1 },		/* FEATURE_CONTROL: locked, VMX off */
	/* MISC_ENABLE: fast strings, BTS/PEBS unavailable, xTPR off */
	{ 0x1a0, 0x801801, 0x1800, 0x401800 },	/* limit CPUID (22): not emulated */
	{ 0x1a0, 0x1800, 0x801801, 0x400801801ULL },	/* XD disable (34): not emulated */
};

static const struct emu_msr emu_amd[] = {
	{ 0xc0010015, 0x1000000, 0x1000040, 0x1000041 },	/* HWCR: FFDIS ok, SMMLOCK not */
	{ 0xc0011029, 0x2, 0x202, 0x22 },			/* DE_CFG: LFENCE serializing */
	{ 0xc001001f, 0, 1ULL << 46, 1 },			/* NB_CFG */
	{ 0xc0010010, 0x140000, 0x1c0000, 0x940000 },		/* SYSCFG: no SME (23) */
	{ 0xc0010055, 0, 0, 0x18000000 },			/* INT_PENDING_MSG: no C1E */
};

struct emu_set {
	const struct emu_msr *e;
	unsigned int n;
};

static bool host_is_amd(void)
{
	unsigned int a, b, c, d;

	__cpuid(0, a, b, c, d);
	return b == 0x68747541;	/* "Auth"enticAMD */
}

static struct emu_set emu_vendor(void)
{
	if (host_is_amd())
		return (struct emu_set){ emu_amd, sizeof(emu_amd) / sizeof(emu_amd[0]) };
	return (struct emu_set){ emu_intel, sizeof(emu_intel) / sizeof(emu_intel[0]) };
}

static void guest_emu_one(const struct emu_msr *e)
{
	uint64_t after = e->write == NONE ? e->reset : e->write;
	uint64_t gp = guest_gp_count;

	GUEST_ASSERT_EQ(e->reset, guest_rdmsr(e->index));
	if (e->write != NONE) {
		guest_wrmsr(e->index, e->write);
		GUEST_ASSERT_EQ(gp, guest_gp_count);
		GUEST_ASSERT_EQ(e->write, guest_rdmsr(e->index));
	}
	if (e->bad != NONE) {
		guest_wrmsr(e->index, e->bad);
		GUEST_ASSERT_EQ(gp + 1, guest_gp_count);
		GUEST_ASSERT_EQ(after, guest_rdmsr(e->index));
	}
	GUEST_ASSERT_EQ(gp + (e->bad != NONE), guest_gp_count);
}

static void guest_emulated(uint64_t arg)
{
	const struct emu_set *vendor = (const struct emu_set *)arg;
	unsigned int i;

	guest_gp_skip = 1;
	for (i = 0; i < sizeof(emu_common) / sizeof(emu_common[0]); i++)
		guest_emu_one(&emu_common[i]);
	for (i = 0; i < vendor->n; i++)
		guest_emu_one(&vendor->e[i]);
	GUEST_DONE();
}

static struct emu_set guest_vendor;

/*
 * In 64-bit mode: clearing EFER.LME by WRMSR is #GP(0) and EFER stays
 * (SDM Vol. 3A 10.8.5, APM Vol. 2 14.6.1); a write that only differs in
 * LMA is no fault and leaves LMA as the CPU keeps it.  efer: the value
 * the host read before the run.
 */
static void guest_efer_lme_locked(uint64_t efer)
{
	GUEST_ASSERT_EQ(efer, guest_rdmsr(VMON_MSR_EFER));
	guest_gp_skip = 1;
	guest_wrmsr(VMON_MSR_EFER, efer & ~EFER_LME);
	GUEST_ASSERT_EQ(1, guest_gp_count);
	GUEST_ASSERT_EQ(efer, guest_rdmsr(VMON_MSR_EFER));
	guest_wrmsr(VMON_MSR_EFER, efer & ~EFER_LMA);
	GUEST_ASSERT_EQ(1, guest_gp_count);
	GUEST_ASSERT_EQ(efer, guest_rdmsr(VMON_MSR_EFER));
	guest_gp_skip = 0;
	GUEST_DONE();
}

TEST(guest_wrmsr_efer_lme_with_paging_is_gp)
{
	struct test_vm t;
	struct ucall uc;
	__u64 efer, v;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_LONG));
	ASSERT_OK(libvmon_get_msr(&t.cpu, VMON_MSR_EFER, &efer));
	test_vm_destroy(&t);
	ASSERT_EQ(EFER_LME | EFER_LMA, efer & (EFER_LME | EFER_LMA));

	ASSERT_OK(test_vm_create_c(&t, guest_efer_lme_locked, efer));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	ASSERT_OK(libvmon_get_msr(&t.cpu, VMON_MSR_EFER, &v));
	EXPECT_EQ(efer, v) TH_LOG("EFER 0x%llx after the guest's writes, expected 0x%llx",
				  (unsigned long long)v, (unsigned long long)efer);
	test_vm_destroy(&t);
}

/*
 * SET_MSRS follows WRMSR: with CR0.PG set an EFER entry that changes
 * LME stops the processing (the entries before it are done); SET_SREGS,
 * which sets CR0 and EFER together, may leave long mode, and with
 * paging off SET_MSRS may set LME again, LMA staying clear.
 */
TEST(set_msrs_efer_lme_with_paging_not_processed)
{
	struct {
		struct vmon_msrs hdr;
		struct vmon_msr_entry e[2];
	} m;
	struct vmon_sregs sregs;
	struct test_vm t;
	__u64 efer, v;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_LONG));
	ASSERT_OK(libvmon_get_msr(&t.cpu, VMON_MSR_EFER, &efer));
	ASSERT_EQ(EFER_LME | EFER_LMA, efer & (EFER_LME | EFER_LMA));

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 2;
	m.e[0].index = VMON_MSR_STAR;
	m.e[0].data = 0x0023001000000000ULL;
	m.e[1].index = VMON_MSR_EFER;
	m.e[1].data = efer & ~(EFER_LME | EFER_LMA);
	EXPECT_EQ(1, ioctl(t.cpu.fd, VMON_SET_MSRS, &m))
		TH_LOG("SET_MSRS of STAR and EFER without LME under paging: expected 1 processed");
	ASSERT_OK(libvmon_get_msr(&t.cpu, VMON_MSR_STAR, &v));
	EXPECT_EQ(0x0023001000000000ULL, v);
	ASSERT_OK(libvmon_get_msr(&t.cpu, VMON_MSR_EFER, &v));
	EXPECT_EQ(efer, v) TH_LOG("EFER 0x%llx, expected it unchanged 0x%llx",
				  (unsigned long long)v, (unsigned long long)efer);

	ASSERT_OK(libvmon_get_sregs(&t.cpu, &sregs));
	sregs.cr0 &= ~CR0_PG;
	sregs.efer &= ~(EFER_LME | EFER_LMA);
	sregs.cs.l = 0;
	ASSERT_OK(libvmon_set_sregs(&t.cpu, &sregs));
	ASSERT_OK(libvmon_set_msr(&t.cpu, VMON_MSR_EFER, sregs.efer | EFER_LME | EFER_LMA));
	ASSERT_OK(libvmon_get_msr(&t.cpu, VMON_MSR_EFER, &v));
	EXPECT_EQ(sregs.efer | EFER_LME, v)
		TH_LOG("EFER 0x%llx with paging off: expected LME set, LMA clear",
		       (unsigned long long)v);
	test_vm_destroy(&t);
}

TEST(emulated_msrs_from_the_guest)
{
	struct test_vm t;
	struct ucall uc;
	unsigned int i;
	__u64 v;

	SKIP_IF_NO_VMON();
	guest_vendor = emu_vendor();
	ASSERT_OK(test_vm_create_c(&t, guest_emulated, (uintptr_t)&guest_vendor));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	/* what the guest wrote last is what userspace reads */
	for (i = 0; i < guest_vendor.n; i++) {
		const struct emu_msr *e = &guest_vendor.e[i];

		if (i + 1 < guest_vendor.n && e[1].index == e->index)
			continue;	/* a later line writes it again */
		ASSERT_OK(libvmon_get_msr(&t.cpu, e->index, &v));
		EXPECT_EQ(e->write == NONE ? e->reset : e->write, v)
			TH_LOG("MSR 0x%x after the guest: 0x%llx", e->index, (unsigned long long)v);
	}
	ASSERT_OK(libvmon_get_msr(&t.cpu, 0x201, &v));
	EXPECT_EQ(0xff0000800ULL, v);
	test_vm_destroy(&t);
}

static void host_emu_one(struct __test_metadata *_metadata, struct test_vm *t,
			 const struct emu_msr *e)
{
	__u64 v;

	ASSERT_OK(libvmon_get_msr(&t->cpu, e->index, &v));
	EXPECT_EQ(e->reset, v) TH_LOG("MSR 0x%x at creation: expected 0x%llx, got 0x%llx",
				      e->index, (unsigned long long)e->reset,
				      (unsigned long long)v);
	if (e->write == NONE) {
		/* userspace may write back what it read */
		EXPECT_OK(libvmon_set_msr(&t->cpu, e->index, e->reset));
		return;
	}
	ASSERT_OK(libvmon_set_msr(&t->cpu, e->index, e->write));
	if (e->bad != NONE)
		EXPECT_NE(0, libvmon_set_msr(&t->cpu, e->index, e->bad))
			TH_LOG("SET_MSRS 0x%x = 0x%llx (reserved bit) accepted", e->index,
			       (unsigned long long)e->bad);
	ASSERT_OK(libvmon_get_msr(&t->cpu, e->index, &v));
	EXPECT_EQ(e->write, v) TH_LOG("MSR 0x%x: wrote 0x%llx, read 0x%llx", e->index,
				      (unsigned long long)e->write, (unsigned long long)v);
}

TEST(emulated_msrs_from_userspace)
{
	struct emu_set vendor = emu_vendor();
	struct test_vm t;
	unsigned int i;
	__u64 v;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&t, VMON_GUEST_LONG));
	for (i = 0; i < sizeof(emu_common) / sizeof(emu_common[0]); i++)
		host_emu_one(_metadata, &t, &emu_common[i]);
	for (i = 0; i < vendor.n; i++)
		host_emu_one(_metadata, &t, &vendor.e[i]);
	/* userspace may set what the guest may not */
	ASSERT_OK(libvmon_set_msr(&t.cpu, 0x1b, 0xfee00000));	/* BSP flag */
	ASSERT_OK(libvmon_get_msr(&t.cpu, 0x1b, &v));
	EXPECT_EQ(0xfee00000, v);
	ASSERT_OK(libvmon_get_msr(&t.cpu, 0x8b, &v));		/* microcode revision */
	ASSERT_OK(libvmon_set_msr(&t.cpu, 0x8b, 0x1234ULL << 32));
	ASSERT_OK(libvmon_get_msr(&t.cpu, 0x8b, &v));
	EXPECT_EQ(0x1234ULL << 32, v);
	EXPECT_NE(0, libvmon_set_msr(&t.cpu, MTRR_CAP, 0x50a));	/* read-only */
	if (!host_is_amd()) {
		ASSERT_OK(libvmon_set_msr(&t.cpu, 0x3a, 0));	/* unlock FEATURE_CONTROL */
		EXPECT_NE(0, libvmon_set_msr(&t.cpu, 0x3a, 0x5));	/* VMX is not offered */
	}
	test_vm_destroy(&t);
}

/* every variable and fixed MTRR is its own storage */
static const uint32_t fixed_mtrrs[] = {
	0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f,
};
#define NFIXED (sizeof(fixed_mtrrs) / sizeof(fixed_mtrrs[0]))

static uint64_t mtrr_var_value(unsigned int n)
{
	static const uint8_t types[] = { 0, 1, 4, 5, 6 };

	if (n & 1)	/* PHYSMASK: a valid 16 MiB range */
		return 0xfff000800ULL;
	return ((uint64_t)(n + 1) << 24) | types[(n / 2) % 5];
}

static uint64_t mtrr_fixed_value(unsigned int n)
{
	return 0x0605040100060504ULL >> (8 * (n % 3)) | 0x0600000000000000ULL;
}

static void guest_all_mtrrs(uint64_t arg)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		guest_wrmsr(0x200 + i, mtrr_var_value(i));
	for (i = 0; i < NFIXED; i++)
		guest_wrmsr(fixed_mtrrs[i], mtrr_fixed_value(i));
	for (i = 0; i < 16; i++)
		GUEST_ASSERT_EQ(mtrr_var_value(i), guest_rdmsr(0x200 + i));
	for (i = 0; i < NFIXED; i++)
		GUEST_ASSERT_EQ(mtrr_fixed_value(i), guest_rdmsr(fixed_mtrrs[i]));
	GUEST_DONE();
}

TEST(every_mtrr_round_trips)
{
	struct test_vm t;
	struct ucall uc;
	unsigned int i;
	__u64 v;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_all_mtrrs, 0));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	for (i = 0; i < 16; i++) {
		ASSERT_OK(libvmon_get_msr(&t.cpu, 0x200 + i, &v));
		EXPECT_EQ(mtrr_var_value(i), v) TH_LOG("MTRR 0x%x", 0x200 + i);
	}
	for (i = 0; i < NFIXED; i++) {
		ASSERT_OK(libvmon_get_msr(&t.cpu, fixed_mtrrs[i], &v));
		EXPECT_EQ(mtrr_fixed_value(i), v) TH_LOG("MTRR 0x%x", fixed_mtrrs[i]);
	}
	test_vm_destroy(&t);
}

/* PAT: the guest's WRMSR is what GET_MSRS reads; a reserved type #GPs */
#define LINUX_PAT	0x0407050600070106ULL	/* WB WC UC- UC WB WP UC- WT */

static void guest_pat(uint64_t arg)
{
	guest_gp_skip = 1;
	guest_wrmsr(VMON_MSR_PAT, LINUX_PAT);
	GUEST_ASSERT_EQ(0, guest_gp_count);
	guest_wrmsr(VMON_MSR_PAT, (LINUX_PAT & ~0xffULL) | 0x02);	/* type 2 is reserved */
	GUEST_ASSERT_EQ(1, guest_gp_count);
	GUEST_ASSERT_EQ(LINUX_PAT, guest_rdmsr(VMON_MSR_PAT));
	GUEST_DONE();
}

TEST(guest_pat_is_what_get_msrs_reads)
{
	struct test_vm t;
	struct ucall uc;
	__u64 v;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_pat, 0));
	ASSERT_OK(libvmon_get_msr(&t.cpu, VMON_MSR_PAT, &v));
	EXPECT_EQ(0x0007040600070406ULL, v);	/* power-up value */
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	ASSERT_OK(libvmon_get_msr(&t.cpu, VMON_MSR_PAT, &v));
	EXPECT_EQ(LINUX_PAT, v);
	test_vm_destroy(&t);
}

/*
 * TSC passthrough: RDTSC is not intercepted and reads host TSC + offset.
 * The guest's RDTSC advances; GET_MSRS(TSC) taken while the guest is
 * stopped lies between the guest's readings before and after; a guest
 * WRMSR to IA32_TSC moves what RDTSC returns.
 */
static inline uint64_t guest_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static void guest_tsc(uint64_t arg)
{
	uint64_t t0, t1, t2;
	volatile unsigned int spin;

	t0 = guest_rdtsc();
	for (spin = 0; spin < 1000; spin++)
		;
	t1 = guest_rdtsc();
	GUEST_ASSERT(t1 > t0);
	GUEST_SYNC_ARGS(1, t0, t1, 0);
	t2 = guest_rdtsc();
	GUEST_SYNC_ARGS(2, t2, 0, 0);
	guest_wrmsr(VMON_MSR_TSC, 1ULL << 45);
	t2 = guest_rdtsc();
	GUEST_ASSERT(t2 >= 1ULL << 45);
	GUEST_ASSERT(t2 - (1ULL << 45) < 1ULL << 40);
	GUEST_DONE();
}

TEST(guest_tsc_is_the_host_tsc_plus_offset)
{
	struct test_vm t;
	struct ucall uc;
	__u64 host_view;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_tsc, 0));
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(1, uc.args[0]);
	ASSERT_OK(libvmon_get_msr(&t.cpu, VMON_MSR_TSC, &host_view));
	EXPECT_TRUE(host_view > uc.args[2])
		TH_LOG("GET_MSRS(TSC) 0x%llx not after the guest's RDTSC 0x%llx",
		       (unsigned long long)host_view, (unsigned long long)uc.args[2]);
	/* the guest's clock started near 0 when the vCPU was created */
	EXPECT_TRUE(uc.args[2] < 1ULL << 44)
		TH_LOG("guest TSC 0x%llx: not offset to start near 0",
		       (unsigned long long)uc.args[2]);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_SYNC);
	ASSERT_EQ(2, uc.args[0]);
	EXPECT_TRUE(uc.args[1] > host_view)
		TH_LOG("guest RDTSC 0x%llx after GET_MSRS(TSC) 0x%llx went back",
		       (unsigned long long)uc.args[1], (unsigned long long)host_view);
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	ASSERT_OK(libvmon_get_msr(&t.cpu, VMON_MSR_TSC, &host_view));
	EXPECT_TRUE(host_view >= 1ULL << 45 && host_view - (1ULL << 45) < 1ULL << 40);
	test_vm_destroy(&t);
}

/*
 * One TSC per VM: vCPUs created 50 ms apart read the same TSC, within
 * the time of the two GET_MSRS calls (SDM Vol. 3B 17.17.1; Linux marks
 * the TSC unstable and stops using it when its CPUs disagree).
 */
TEST(tsc_same_on_every_vcpu)
{
	struct vmon_cpu second;
	__u64 a, b, c, spread;
	struct test_vm t;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_tsc, 0));
	usleep(50000);
	ASSERT_OK(libvmon_cpu_create(&t.vm, 1, &second));
	ASSERT_OK(libvmon_get_msr(&t.cpu, VMON_MSR_TSC, &a));
	ASSERT_OK(libvmon_get_msr(&second, VMON_MSR_TSC, &b));
	ASSERT_OK(libvmon_get_msr(&t.cpu, VMON_MSR_TSC, &c));
	spread = c - a;
	TH_LOG("vCPU 0 0x%llx, vCPU 1 0x%llx, vCPU 0 again 0x%llx",
	       (unsigned long long)a, (unsigned long long)b, (unsigned long long)c);
	/* b was read between a and c: with one TSC it lies between them */
	EXPECT_TRUE(a <= b && b <= c)
		TH_LOG("vCPU 1's TSC is off by %lld cycles (the reads took %llu)",
		       (long long)(b - a), (unsigned long long)spread);
	libvmon_cpu_destroy(&second);
	test_vm_destroy(&t);
}

/*
 * MSRs Linux touches that vmon leaves to userspace (vmon run answers
 * #GP): speculation control, TSC_AUX, PLATFORM_INFO, a PMU counter.
 * Each is a VMON_EXIT_MSR, not handled in the kernel (the x2APIC MSRs
 * are the in-kernel APIC's: lapic_test).
 */
static const uint32_t user_msrs[] = { 0x48, 0x49, 0xc0000103, 0xce, 0xc0010004 };
#define NUSER (sizeof(user_msrs) / sizeof(user_msrs[0]))

static void guest_user_msrs(uint64_t arg)
{
	unsigned int i;

	guest_gp_skip = 1;
	for (i = 0; i < NUSER; i++) {
		guest_rdmsr(user_msrs[i]);
		guest_wrmsr(user_msrs[i], 0);
	}
	GUEST_ASSERT_EQ(2 * NUSER, guest_gp_count);
	GUEST_DONE();
}

TEST(msrs_left_to_userspace_exit)
{
	struct test_vm t;
	struct ucall uc;
	unsigned int i, w;
	__u64 v;

	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create_c(&t, guest_user_msrs, 0));
	for (i = 0; i < NUSER; i++) {
		EXPECT_ERRNO(ENOENT, libvmon_get_msr(&t.cpu, user_msrs[i], &v));
		for (w = 0; w < 2; w++) {
			RUN_EXPECT_EXIT(&t, VMON_EXIT_MSR);
			EXPECT_EQ(user_msrs[i], t.cpu.run->msr.index);
			EXPECT_EQ(w, t.cpu.run->msr.is_write);
			t.cpu.run->msr.error = 1;
		}
	}
	RUN_EXPECT_UCALL(&t, &uc, UCALL_DONE);
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
