/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The consistency checks of VMRUN that vmon checks in software: AMD64
 * Architecture Programmer's Manual Vol. 2, 15.5.1 "Basic Operation",
 * "Canonicalization and Consistency Checks".  A VMCB that breaks one of
 * them makes VMRUN exit at once with VMEXIT_INVALID.  VMRUN does not
 * check segment registers the way VMX does: it canonicalizes the bases
 * and loads the rest as given (APM 15.5.1).
 *
 * kmod/svm/checks.c evaluates the rows in this order and reports the
 * first one the VMCB breaks.  scope says whose state a rule is about:
 * GUEST rules concern the guest's registers and are also checked
 * before an entry when userspace set them (SET_REGS, SET_SREGS,
 * SET_MSRS of EFER); CONTROL rules concern the control area vmon
 * itself builds and are checked only after VMRUN refused the VMCB.
 * The text is what run->fail_entry.reason and the kernel log say; id
 * goes to run->fail_entry.rule.  Ids are stable ABI: never renumber,
 * only append (VMX rules use ids below 200).  Where VMX has the same
 * rule, the text is the same.
 *
 * Use as an X-macro list:
 *	#define SVM_VMRUN_CHECK(id, name, scope, section, text) ...
 *	#include "svm_vmrun_checks.h"
 *	#undef SVM_VMRUN_CHECK
 *
 * No include guard: the list is meant to be expanded several times.
 */
SVM_VMRUN_CHECK(200, EFER_SVME, GUEST, "15.5.1", "EFER.SVME clear")
SVM_VMRUN_CHECK(201, CR0_NW_WITHOUT_CD, GUEST, "15.5.1", "CR0.NW set with CR0.CD clear")
SVM_VMRUN_CHECK(202, CR0_HIGH, GUEST, "15.5.1", "CR0[63:32] not zero")
SVM_VMRUN_CHECK(203, CR3_MBZ, GUEST, "15.5.1",
		"CR3 reserved bits set (from MAXPHYADDR in long mode, 63:32 outside it)")
SVM_VMRUN_CHECK(204, CR4_MBZ, GUEST, "15.5.1", "CR4 reserved or unsupported bits set")
SVM_VMRUN_CHECK(205, DR6_HIGH, GUEST, "15.5.1", "DR6[63:32] not zero")
SVM_VMRUN_CHECK(206, DR7_HIGH, GUEST, "15.5.1", "DR7[63:32] not zero")
SVM_VMRUN_CHECK(207, EFER_MBZ, GUEST, "15.5.1", "EFER reserved bits set")
SVM_VMRUN_CHECK(208, EFER_NO_LONG_MODE, GUEST, "15.5.1",
		"EFER.LME or EFER.LMA set on a CPU without long mode")
SVM_VMRUN_CHECK(209, LME_PG_WITHOUT_PAE, GUEST, "15.5.1",
		"EFER.LME and CR0.PG set with CR4.PAE clear")
SVM_VMRUN_CHECK(210, LME_PG_WITHOUT_PE, GUEST, "15.5.1",
		"EFER.LME and CR0.PG set with CR0.PE clear")
SVM_VMRUN_CHECK(211, CS_L_AND_D, GUEST, "15.5.1", "CS.L and CS.D both set in 64-bit mode")
SVM_VMRUN_CHECK(212, VMRUN_INTERCEPT, CONTROL, "15.5.1", "VMRUN intercept clear")
SVM_VMRUN_CHECK(213, PERMISSION_MAP, CONTROL, "15.5.1",
		"MSR or I/O permission map reaches beyond the physical-address width")
SVM_VMRUN_CHECK(214, EVENTINJ, CONTROL, "15.20",
		"illegal event injection (EVENTINJ vector or type)")
SVM_VMRUN_CHECK(215, ASID_ZERO, CONTROL, "15.5.1", "guest ASID is 0")
