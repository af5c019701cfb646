/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM-instruction error numbers: Intel SDM Vol. 3C, section 31.4
 * "VM Instruction Error Numbers", Table 31-1.  A VMX instruction that
 * ends in VMfailValid (RFLAGS.ZF = 1) stores one of these numbers in the
 * VM-instruction error field of the current VMCS.  Numbers 14, 21 and
 * 27 are not assigned.
 *
 * Use as an X-macro list:
 *	#define VMX_INSN_ERROR(nr, text) ...
 *	#include "vmx_insn_errors.h"
 *	#undef VMX_INSN_ERROR
 *
 * No include guard: the list is meant to be expanded several times.
 */
VMX_INSN_ERROR(1, "VMCALL executed in VMX root operation")
VMX_INSN_ERROR(2, "VMCLEAR with invalid physical address")
VMX_INSN_ERROR(3, "VMCLEAR with VMXON pointer")
VMX_INSN_ERROR(4, "VMLAUNCH with non-clear VMCS")
VMX_INSN_ERROR(5, "VMRESUME with non-launched VMCS")
VMX_INSN_ERROR(6, "VMRESUME after VMXOFF (VMXOFF and VMXON between VMLAUNCH and VMRESUME)")
VMX_INSN_ERROR(7, "VM entry with invalid control field(s)")
VMX_INSN_ERROR(8, "VM entry with invalid host-state field(s)")
VMX_INSN_ERROR(9, "VMPTRLD with invalid physical address")
VMX_INSN_ERROR(10, "VMPTRLD with VMXON pointer")
VMX_INSN_ERROR(11, "VMPTRLD with incorrect VMCS revision identifier")
VMX_INSN_ERROR(12, "VMREAD/VMWRITE from/to unsupported VMCS component")
VMX_INSN_ERROR(13, "VMWRITE to read-only VMCS component")
VMX_INSN_ERROR(15, "VMXON executed in VMX root operation")
VMX_INSN_ERROR(16, "VM entry with invalid executive-VMCS pointer")
VMX_INSN_ERROR(17, "VM entry with non-launched executive VMCS")
VMX_INSN_ERROR(18, "VM entry with executive-VMCS pointer not VMXON pointer")
VMX_INSN_ERROR(19, "VMCALL with non-clear VMCS")
VMX_INSN_ERROR(20, "VMCALL with invalid VM-exit control fields")
VMX_INSN_ERROR(22, "VMCALL with incorrect MSEG revision identifier")
VMX_INSN_ERROR(23, "VMXOFF under dual-monitor treatment of SMIs and SMM")
VMX_INSN_ERROR(24, "VMCALL with invalid SMM-monitor features")
VMX_INSN_ERROR(25, "VM entry with invalid VM-execution control fields in executive VMCS")
VMX_INSN_ERROR(26, "VM entry with events blocked by MOV SS")
VMX_INSN_ERROR(28, "invalid operand to INVEPT/INVVPID")
