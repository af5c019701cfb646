// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests of the name tables (exit reasons, backends, hardware exits). */
#include "kselftest_harness.h"
#include "libvmon.h"

TEST(exit_reason_names)
{
	__u32 r;

	EXPECT_STREQ("IO", libvmon_exit_reason_name(VMON_EXIT_IO));
	EXPECT_STREQ("FAIL_ENTRY", libvmon_exit_reason_name(VMON_EXIT_FAIL_ENTRY));
	EXPECT_STREQ("INTERNAL_ERROR", libvmon_exit_reason_name(VMON_EXIT_INTERNAL_ERROR));
	EXPECT_STREQ("UNKNOWN", libvmon_exit_reason_name(VMON_EXIT_NR));
	EXPECT_STREQ("UNKNOWN", libvmon_exit_reason_name(~0u));
	/* every reason up to VMON_EXIT_NR has its own name */
	for (r = 0; r < VMON_EXIT_NR; r++)
		EXPECT_STRNE("UNKNOWN", libvmon_exit_reason_name(r));
}

TEST(backend_names)
{
	EXPECT_STREQ("vmx", libvmon_backend_name(VMON_BACKEND_VMX));
	EXPECT_STREQ("svm", libvmon_backend_name(VMON_BACKEND_SVM));
	EXPECT_STREQ("none", libvmon_backend_name(VMON_BACKEND_NONE));
	EXPECT_STREQ("unknown", libvmon_backend_name(77));
}

TEST(hw_exit_names_from_tables)
{
	EXPECT_STREQ("HLT", libvmon_hw_exit_name(VMON_BACKEND_VMX, 12));
	EXPECT_STREQ("IO_INSTRUCTION", libvmon_hw_exit_name(VMON_BACKEND_VMX, 30));
	/* bit 31 (entry failure) is not part of the basic reason */
	EXPECT_STREQ("INVALID_GUEST_STATE", libvmon_hw_exit_name(VMON_BACKEND_VMX, 0x80000021));
	EXPECT_STREQ("UNKNOWN", libvmon_hw_exit_name(VMON_BACKEND_VMX, 35));
	EXPECT_STREQ("IOIO", libvmon_hw_exit_name(VMON_BACKEND_SVM, 0x7b));
	EXPECT_STREQ("HLT", libvmon_hw_exit_name(VMON_BACKEND_SVM, 0x78));
	EXPECT_STREQ("INVALID", libvmon_hw_exit_name(VMON_BACKEND_SVM, 0xffffffff));
	EXPECT_STREQ("UNKNOWN", libvmon_hw_exit_name(VMON_BACKEND_NONE, 12));
}

TEST_HARNESS_MAIN
