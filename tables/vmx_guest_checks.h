/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest-state rules of VM entry that vmon checks in software:
 * Intel SDM Vol. 3C, 27.3.1 "Checks on the Guest State Area" (27.3.1.1
 * control registers, debug registers and MSRs; 27.3.1.2 segment
 * registers; 27.3.1.3 descriptor-table registers; 27.3.1.4 RIP and
 * RFLAGS; 27.3.1.5 non-register state; 27.3.1.6 PDPTEs).  Section
 * numbers follow the SDM editions from 2023 on; older editions number
 * the same sections 26.3.1.x.
 *
 * kmod/vmx/checks.c evaluates the rows in this order and reports the
 * first one the state breaks, before an entry when userspace set the
 * state (SET_REGS, SET_SREGS, SET_MSRS of EFER) and after the CPU
 * refused an entry (exit reason 33).  The text is what the entry
 * failure reports in run->fail_entry.reason and what the kernel log
 * says; id goes to run->fail_entry.rule.  Ids are stable ABI: never
 * renumber, only append (SVM rules use ids from 200 on).
 *
 * Wording: "usable" is the VMX notion (access-rights bit 16 clear,
 * SDM 25.4.1); a limit "matches" G when limit[11:0] is all ones
 * whenever G is 1 and limit[31:20] is zero whenever G is 0; "64-bit
 * mode" is IA-32e mode with CS.L set.
 *
 * Use as an X-macro list:
 *	#define VMX_GUEST_CHECK(id, name, section, text) ...
 *	#include "vmx_guest_checks.h"
 *	#undef VMX_GUEST_CHECK
 *
 * No include guard: the list is meant to be expanded several times.
 */
/* Control registers, debug registers and MSRs */
VMX_GUEST_CHECK(1, CR0_FIXED0, "27.3.1.1",
		"CR0 has a bit clear that VMX requires set (IA32_VMX_CR0_FIXED0)")
VMX_GUEST_CHECK(2, CR0_FIXED1, "27.3.1.1",
		"CR0 has a bit set that VMX requires clear (IA32_VMX_CR0_FIXED1)")
VMX_GUEST_CHECK(3, CR0_PG_WITHOUT_PE, "27.3.1.1", "CR0.PG set with CR0.PE clear")
VMX_GUEST_CHECK(4, CR4_FIXED0, "27.3.1.1",
		"CR4 has a bit clear that VMX requires set (IA32_VMX_CR4_FIXED0)")
VMX_GUEST_CHECK(5, CR4_FIXED1, "27.3.1.1",
		"CR4 has a bit set that VMX requires clear (IA32_VMX_CR4_FIXED1)")
VMX_GUEST_CHECK(6, CR4_CET_WITHOUT_WP, "27.3.1.1", "CR4.CET set with CR0.WP clear")
VMX_GUEST_CHECK(7, IA32E_WITHOUT_PG, "27.3.1.1", "IA-32e mode guest (EFER.LMA) with CR0.PG clear")
VMX_GUEST_CHECK(8, IA32E_WITHOUT_PAE, "27.3.1.1", "IA-32e mode guest (EFER.LMA) with CR4.PAE clear")
VMX_GUEST_CHECK(9, PCIDE_OUTSIDE_IA32E, "27.3.1.1", "CR4.PCIDE set outside IA-32e mode")
VMX_GUEST_CHECK(10, CR3_RESERVED, "27.3.1.1", "CR3 has bits set beyond the physical-address width")
VMX_GUEST_CHECK(11, DR7_HIGH, "27.3.1.1", "DR7[63:32] not zero")
VMX_GUEST_CHECK(12, SYSENTER_ESP_CANONICAL, "27.3.1.1", "IA32_SYSENTER_ESP not canonical")
VMX_GUEST_CHECK(13, SYSENTER_EIP_CANONICAL, "27.3.1.1", "IA32_SYSENTER_EIP not canonical")
VMX_GUEST_CHECK(14, PAT_INVALID, "27.3.1.1",
		"IA32_PAT holds an invalid memory type (2, 3 or above 7)")
VMX_GUEST_CHECK(15, EFER_RESERVED, "27.3.1.1", "IA32_EFER reserved bits set")
VMX_GUEST_CHECK(16, EFER_LMA_NOT_IA32E, "27.3.1.1",
		"IA32_EFER.LMA differs from the IA-32e mode guest entry control")
VMX_GUEST_CHECK(17, EFER_LME_NOT_LMA, "27.3.1.1",
		"IA32_EFER.LME differs from EFER.LMA with CR0.PG set")

/* Segment registers: selectors and bases */
VMX_GUEST_CHECK(18, TR_TI, "27.3.1.2", "TR selector has TI set")
VMX_GUEST_CHECK(19, LDTR_TI, "27.3.1.2", "LDTR selector has TI set (LDTR usable)")
VMX_GUEST_CHECK(20, SS_RPL_NE_CS_RPL, "27.3.1.2", "SS.RPL differs from CS.RPL")
VMX_GUEST_CHECK(21, V86_BASE, "27.3.1.2", "virtual-8086 mode: a segment base is not selector * 16")
VMX_GUEST_CHECK(22, V86_LIMIT, "27.3.1.2", "virtual-8086 mode: a segment limit is not FFFFh")
VMX_GUEST_CHECK(23, V86_ACCESS_RIGHTS, "27.3.1.2",
		"virtual-8086 mode: a segment's access rights are not F3h")
VMX_GUEST_CHECK(24, TR_BASE_CANONICAL, "27.3.1.2", "TR base not canonical")
VMX_GUEST_CHECK(25, FS_BASE_CANONICAL, "27.3.1.2", "FS base not canonical")
VMX_GUEST_CHECK(26, GS_BASE_CANONICAL, "27.3.1.2", "GS base not canonical")
VMX_GUEST_CHECK(27, LDTR_BASE_CANONICAL, "27.3.1.2", "LDTR base not canonical (LDTR usable)")
VMX_GUEST_CHECK(28, CS_BASE_HIGH, "27.3.1.2", "CS base[63:32] not zero")
VMX_GUEST_CHECK(29, SS_BASE_HIGH, "27.3.1.2", "SS base[63:32] not zero (SS usable)")
VMX_GUEST_CHECK(30, DS_BASE_HIGH, "27.3.1.2", "DS base[63:32] not zero (DS usable)")
VMX_GUEST_CHECK(31, ES_BASE_HIGH, "27.3.1.2", "ES base[63:32] not zero (ES usable)")

/* Segment registers: access rights of CS */
VMX_GUEST_CHECK(32, CS_TYPE, "27.3.1.2",
		"CS type is not accessed code (9, 11, 13, 15; or 3 with unrestricted guest)")
VMX_GUEST_CHECK(33, CS_S, "27.3.1.2", "CS.S clear (CS must be a code or data segment)")
VMX_GUEST_CHECK(34, CS_DPL_DATA, "27.3.1.2",
		"CS is a read/write data segment (type 3) with DPL not 0")
VMX_GUEST_CHECK(35, CS_DPL_NONCONFORMING, "27.3.1.2",
		"CS.DPL differs from SS.DPL (non-conforming code segment)")
VMX_GUEST_CHECK(36, CS_DPL_CONFORMING, "27.3.1.2",
		"CS.DPL greater than SS.DPL (conforming code segment)")
VMX_GUEST_CHECK(37, CS_P, "27.3.1.2", "CS not present")
VMX_GUEST_CHECK(38, CS_RESERVED, "27.3.1.2", "CS access rights reserved bits (11:8, 31:17) set")
VMX_GUEST_CHECK(39, CS_L_AND_D, "27.3.1.2", "CS.L and CS.D both set in 64-bit mode")
VMX_GUEST_CHECK(40, CS_G, "27.3.1.2", "CS.G does not match CS limit")

/* Segment registers: access rights of SS */
VMX_GUEST_CHECK(41, SS_TYPE, "27.3.1.2",
		"SS type is not read/write accessed data (3 or 7) (SS usable)")
VMX_GUEST_CHECK(42, SS_S, "27.3.1.2", "SS.S clear (SS usable)")
VMX_GUEST_CHECK(43, SS_DPL_NE_RPL, "27.3.1.2", "SS.DPL differs from SS.RPL")
VMX_GUEST_CHECK(44, SS_DPL_REAL, "27.3.1.2",
		"SS.DPL not 0 with CR0.PE clear or a data-segment CS (type 3)")
VMX_GUEST_CHECK(45, SS_P, "27.3.1.2", "SS not present (SS usable)")
VMX_GUEST_CHECK(46, SS_RESERVED, "27.3.1.2",
		"SS access rights reserved bits (11:8, 31:17) set (SS usable)")
VMX_GUEST_CHECK(47, SS_G, "27.3.1.2", "SS.G does not match SS limit (SS usable)")

/* Segment registers: access rights of DS */
VMX_GUEST_CHECK(48, DS_TYPE_ACCESSED, "27.3.1.2",
		"DS type not accessed (type bit 0 clear) (DS usable)")
VMX_GUEST_CHECK(49, DS_TYPE_EXEC_ONLY, "27.3.1.2", "DS is an execute-only code segment (DS usable)")
VMX_GUEST_CHECK(50, DS_S, "27.3.1.2", "DS.S clear (DS usable)")
VMX_GUEST_CHECK(51, DS_DPL_LT_RPL, "27.3.1.2",
		"DS.DPL less than DS.RPL for a data or non-conforming code segment")
VMX_GUEST_CHECK(52, DS_P, "27.3.1.2", "DS not present (DS usable)")
VMX_GUEST_CHECK(53, DS_RESERVED, "27.3.1.2",
		"DS access rights reserved bits (11:8, 31:17) set (DS usable)")
VMX_GUEST_CHECK(54, DS_G, "27.3.1.2", "DS.G does not match DS limit (DS usable)")

/* Segment registers: access rights of ES */
VMX_GUEST_CHECK(55, ES_TYPE_ACCESSED, "27.3.1.2",
		"ES type not accessed (type bit 0 clear) (ES usable)")
VMX_GUEST_CHECK(56, ES_TYPE_EXEC_ONLY, "27.3.1.2", "ES is an execute-only code segment (ES usable)")
VMX_GUEST_CHECK(57, ES_S, "27.3.1.2", "ES.S clear (ES usable)")
VMX_GUEST_CHECK(58, ES_DPL_LT_RPL, "27.3.1.2",
		"ES.DPL less than ES.RPL for a data or non-conforming code segment")
VMX_GUEST_CHECK(59, ES_P, "27.3.1.2", "ES not present (ES usable)")
VMX_GUEST_CHECK(60, ES_RESERVED, "27.3.1.2",
		"ES access rights reserved bits (11:8, 31:17) set (ES usable)")
VMX_GUEST_CHECK(61, ES_G, "27.3.1.2", "ES.G does not match ES limit (ES usable)")

/* Segment registers: access rights of FS */
VMX_GUEST_CHECK(62, FS_TYPE_ACCESSED, "27.3.1.2",
		"FS type not accessed (type bit 0 clear) (FS usable)")
VMX_GUEST_CHECK(63, FS_TYPE_EXEC_ONLY, "27.3.1.2", "FS is an execute-only code segment (FS usable)")
VMX_GUEST_CHECK(64, FS_S, "27.3.1.2", "FS.S clear (FS usable)")
VMX_GUEST_CHECK(65, FS_DPL_LT_RPL, "27.3.1.2",
		"FS.DPL less than FS.RPL for a data or non-conforming code segment")
VMX_GUEST_CHECK(66, FS_P, "27.3.1.2", "FS not present (FS usable)")
VMX_GUEST_CHECK(67, FS_RESERVED, "27.3.1.2",
		"FS access rights reserved bits (11:8, 31:17) set (FS usable)")
VMX_GUEST_CHECK(68, FS_G, "27.3.1.2", "FS.G does not match FS limit (FS usable)")

/* Segment registers: access rights of GS */
VMX_GUEST_CHECK(69, GS_TYPE_ACCESSED, "27.3.1.2",
		"GS type not accessed (type bit 0 clear) (GS usable)")
VMX_GUEST_CHECK(70, GS_TYPE_EXEC_ONLY, "27.3.1.2", "GS is an execute-only code segment (GS usable)")
VMX_GUEST_CHECK(71, GS_S, "27.3.1.2", "GS.S clear (GS usable)")
VMX_GUEST_CHECK(72, GS_DPL_LT_RPL, "27.3.1.2",
		"GS.DPL less than GS.RPL for a data or non-conforming code segment")
VMX_GUEST_CHECK(73, GS_P, "27.3.1.2", "GS not present (GS usable)")
VMX_GUEST_CHECK(74, GS_RESERVED, "27.3.1.2",
		"GS access rights reserved bits (11:8, 31:17) set (GS usable)")
VMX_GUEST_CHECK(75, GS_G, "27.3.1.2", "GS.G does not match GS limit (GS usable)")

/* Segment registers: TR and LDTR */
VMX_GUEST_CHECK(76, TR_TYPE, "27.3.1.2", "TR type is not a busy TSS (11; or 3 outside IA-32e mode)")
VMX_GUEST_CHECK(77, TR_S, "27.3.1.2", "TR.S set (TR must be a system segment)")
VMX_GUEST_CHECK(78, TR_P, "27.3.1.2", "TR not present")
VMX_GUEST_CHECK(79, TR_RESERVED, "27.3.1.2", "TR access rights reserved bits (11:8, 31:17) set")
VMX_GUEST_CHECK(80, TR_G, "27.3.1.2", "TR.G does not match TR limit")
VMX_GUEST_CHECK(81, TR_UNUSABLE, "27.3.1.2", "TR marked unusable")
VMX_GUEST_CHECK(82, LDTR_TYPE, "27.3.1.2", "LDTR type is not an LDT (2) (LDTR usable)")
VMX_GUEST_CHECK(83, LDTR_S, "27.3.1.2", "LDTR.S set (LDTR usable)")
VMX_GUEST_CHECK(84, LDTR_P, "27.3.1.2", "LDTR not present (LDTR usable)")
VMX_GUEST_CHECK(85, LDTR_RESERVED, "27.3.1.2",
		"LDTR access rights reserved bits (11:8, 31:17) set (LDTR usable)")
VMX_GUEST_CHECK(86, LDTR_G, "27.3.1.2", "LDTR.G does not match LDTR limit (LDTR usable)")

/* Descriptor-table registers */
VMX_GUEST_CHECK(87, GDTR_BASE_CANONICAL, "27.3.1.3", "GDTR base not canonical")
VMX_GUEST_CHECK(88, IDTR_BASE_CANONICAL, "27.3.1.3", "IDTR base not canonical")
VMX_GUEST_CHECK(89, GDTR_LIMIT_HIGH, "27.3.1.3", "GDTR limit[31:16] not zero")
VMX_GUEST_CHECK(90, IDTR_LIMIT_HIGH, "27.3.1.3", "IDTR limit[31:16] not zero")

/* RIP and RFLAGS */
VMX_GUEST_CHECK(91, RIP_HIGH, "27.3.1.4", "RIP[63:32] not zero outside 64-bit mode")
VMX_GUEST_CHECK(92, RIP_CANONICAL, "27.3.1.4", "RIP not canonical in 64-bit mode")
VMX_GUEST_CHECK(93, RFLAGS_RESERVED, "27.3.1.4",
		"RFLAGS reserved bits (63:22, 15, 5, 3) set or bit 1 clear")
VMX_GUEST_CHECK(94, RFLAGS_VM, "27.3.1.4", "RFLAGS.VM set in IA-32e mode or with CR0.PE clear")
VMX_GUEST_CHECK(95, RFLAGS_IF_INJECT, "27.3.1.4",
		"RFLAGS.IF clear with an external interrupt to inject")

/* Non-register state */
VMX_GUEST_CHECK(96, ACTIVITY_UNSUPPORTED, "27.3.1.5",
		"activity state not supported by this CPU (IA32_VMX_MISC)")
VMX_GUEST_CHECK(97, ACTIVITY_HLT_DPL, "27.3.1.5", "activity state HLT with SS.DPL not 0")
VMX_GUEST_CHECK(98, INTR_RESERVED, "27.3.1.5", "interruptibility state reserved bits (31:5) set")
VMX_GUEST_CHECK(99, INTR_STI_AND_MOV_SS, "27.3.1.5",
		"blocking by STI and blocking by MOV SS both set")
VMX_GUEST_CHECK(100, INTR_STI_WITHOUT_IF, "27.3.1.5", "blocking by STI with RFLAGS.IF clear")
VMX_GUEST_CHECK(101, INTR_INJECT_BLOCKED, "27.3.1.5",
		"external interrupt to inject while blocked by STI or MOV SS")
VMX_GUEST_CHECK(102, NMI_INJECT_MOV_SS, "27.3.1.5", "NMI to inject while blocked by MOV SS")
VMX_GUEST_CHECK(103, PENDING_DBG_RESERVED, "27.3.1.5",
		"pending debug exceptions reserved bits (11:4, 13, 15, 63:17) set")
VMX_GUEST_CHECK(104, PENDING_DBG_BS, "27.3.1.5",
		"pending debug exceptions BS does not match RFLAGS.TF (STI/MOV SS shadow or HLT)")
VMX_GUEST_CHECK(105, LINK_POINTER, "27.3.1.5", "VMCS link pointer is not FFFFFFFF_FFFFFFFFh")

/* PDPTEs (PAE paging with EPT) */
VMX_GUEST_CHECK(106, PDPTE_RESERVED, "27.3.1.6",
		"a present PDPTE has reserved bits set (PAE paging)")

/*
 * Rules of no current SDM edition that an emulator still enforces
 * (Bochs 2.7, cpu/vmx.cc, after text of early VMX editions).  They only
 * name an entry the CPU already refused (vmx_name_broken_rule()); they
 * never stop an entry beforehand, so a guest that silicon accepts is
 * never refused.
 */
VMX_GUEST_CHECK(107, CS_RPL_NONCONFORMING, "27.3.1.2 (Bochs)",
		"CS.RPL not the DPL of a non-conforming CS (refused by Bochs, not by the SDM)")
VMX_GUEST_CHECK(108, CS_RPL_CONFORMING, "27.3.1.2 (Bochs)",
		"CS.RPL below the DPL of a conforming CS (refused by Bochs, not by the SDM)")
