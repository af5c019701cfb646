// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of the guest page-table walker (32-bit, PAE, 4- and 5-level). */
#include <errno.h>

#include "kselftest_harness.h"
#include "fake_vm.h"

FIXTURE(gva) {
	struct fake_vm f;
};

FIXTURE_SETUP(gva)
{
	fake_vm_init(&self->f);
}

FIXTURE_TEARDOWN(gva)
{
	fake_vm_fini(&self->f);
}

TEST_F(gva, paging_off_is_identity)
{
	__u64 gpa = 0;

	ASSERT_EQ(0, libvmon_gva_to_gpa(&self->f.cpu, &self->f.sregs, 0xabcdef, false, &gpa));
	EXPECT_EQ(0xabcdef, gpa);
}

TEST_F(gva, four_level_4k_2m_1g)
{
	struct fake_vm *f = &self->f;
	__u64 gpa = 0;

	fake_long_mode(f);
	fake_map64(f, f->sregs.cr3, 4, 0x7f0000401000ULL, 0x5000, 1, 0x3);
	fake_map64(f, f->sregs.cr3, 4, 0xffffffff80200000ULL, 0x200000, 2, 0x3);
	fake_map64(f, f->sregs.cr3, 4, 0x40000000ULL, 0x80000000ULL, 3, 0x1);

	ASSERT_EQ(0, libvmon_gva_to_gpa(&f->cpu, &f->sregs, 0x7f0000401abcULL, true, &gpa));
	EXPECT_EQ(0x5abc, gpa);
	ASSERT_EQ(0, libvmon_gva_to_gpa(&f->cpu, &f->sregs, 0xffffffff80312345ULL, false, &gpa));
	EXPECT_EQ(0x312345, gpa);
	ASSERT_EQ(0, libvmon_gva_to_gpa(&f->cpu, &f->sregs, 0x7654321ULL + (1 << 30), false,
				     &gpa));
	EXPECT_EQ(0x87654321ULL, gpa);
	/* not present, non-canonical, read-only with CR0.WP */
	EXPECT_EQ(-EFAULT, libvmon_gva_to_gpa(&f->cpu, &f->sregs, 0x7f0000402000ULL, false, &gpa));
	EXPECT_EQ(-EINVAL, libvmon_gva_to_gpa(&f->cpu, &f->sregs, 0x0000800000000000ULL, false,
					   &gpa));
	EXPECT_EQ(-EACCES, libvmon_gva_to_gpa(&f->cpu, &f->sregs, 0x40000000ULL, true, &gpa));
	f->sregs.cr0 &= ~(1ULL << 16);
	EXPECT_EQ(0, libvmon_gva_to_gpa(&f->cpu, &f->sregs, 0x40000000ULL, true, &gpa));
}

TEST_F(gva, five_level)
{
	struct fake_vm *f = &self->f;
	__u64 gpa = 0;

	fake_long_mode(f);
	f->sregs.cr4 |= 1ULL << 12;	/* LA57 */
	fake_map64(f, f->sregs.cr3, 5, 0x00ff000000003000ULL, 0x7000, 1, 0x3);
	ASSERT_EQ(0, libvmon_gva_to_gpa(&f->cpu, &f->sregs, 0x00ff000000003010ULL, false, &gpa));
	EXPECT_EQ(0x7010, gpa);
	/* canonical with 57 bits, not with 48 */
	f->sregs.cr4 &= ~(1ULL << 12);
	EXPECT_EQ(-EINVAL, libvmon_gva_to_gpa(&f->cpu, &f->sregs, 0x00ff000000003010ULL, false,
					   &gpa));
}

TEST_F(gva, pae)
{
	struct fake_vm *f = &self->f;
	__u64 pdpt = 0x1000, pd = fake_alloc_table(f), pt = fake_alloc_table(f);
	__u64 gpa = 0;

	f->sregs.cr0 = 0x80010011;
	f->sregs.cr4 = 0x20;
	f->sregs.cr3 = pdpt;
	((__u64 *)(f->ram + pdpt))[3] = pd | 1;				/* 3 GiB.. */
	((__u64 *)(f->ram + pd))[1] = pt | 3;				/* +2 MiB */
	((__u64 *)(f->ram + pt))[5] = 0x9000 | 3;			/* +5 pages */
	((__u64 *)(f->ram + pd))[2] = 0x200000 | 0x83;			/* 2 MiB page */
	ASSERT_EQ(0, libvmon_gva_to_gpa(&f->cpu, &f->sregs, 0xc0205123ULL, true, &gpa));
	EXPECT_EQ(0x9123, gpa);
	ASSERT_EQ(0, libvmon_gva_to_gpa(&f->cpu, &f->sregs, 0xc0412345ULL, false, &gpa));
	EXPECT_EQ(0x212345, gpa);
	EXPECT_EQ(-EFAULT, libvmon_gva_to_gpa(&f->cpu, &f->sregs, 0x00205123ULL, false, &gpa));
}

TEST_F(gva, legacy_32bit)
{
	struct fake_vm *f = &self->f;
	__u64 pd = fake_alloc_table(f), pt = fake_alloc_table(f);
	__u64 gpa = 0;

	f->sregs.cr0 = 0x80010011;
	f->sregs.cr4 = 0x10;		/* PSE */
	f->sregs.cr3 = pd;
	((__u32 *)(f->ram + pd))[0x300] = pt | 3;		/* 0xc0000000 */
	((__u32 *)(f->ram + pt))[2] = 0x6000 | 1;		/* read-only */
	((__u32 *)(f->ram + pd))[1] = 0x00400000 | 0x83;	/* 4 MiB page */
	ASSERT_EQ(0, libvmon_gva_to_gpa(&f->cpu, &f->sregs, 0xc0002345ULL, false, &gpa));
	EXPECT_EQ(0x6345, gpa);
	EXPECT_EQ(-EACCES, libvmon_gva_to_gpa(&f->cpu, &f->sregs, 0xc0002345ULL, true, &gpa));
	ASSERT_EQ(0, libvmon_gva_to_gpa(&f->cpu, &f->sregs, 0x00512345ULL, true, &gpa));
	EXPECT_EQ(0x512345, gpa);
	/* a page-table page outside guest RAM */
	((__u32 *)(f->ram + pd))[2] = 0xf0000000 | 3;
	EXPECT_EQ(-EFAULT, libvmon_gva_to_gpa(&f->cpu, &f->sregs, 0x00812345ULL, false, &gpa));
}

TEST_HARNESS_MAIN
