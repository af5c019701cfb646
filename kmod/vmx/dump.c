// SPDX-License-Identifier: GPL-2.0
/*
 * The VMCS as id/value pairs (VMON_GET_STATE_DUMP): every field of
 * tables/vmcs_fields.h that this CPU implements, read with VMREAD from
 * the vCPU's current VMCS.  Ids are the field encodings (SDM Vol. 3C
 * Appendix B).
 *
 * Which fields a CPU implements: IA32_VMX_VMCS_ENUM[9:1] is the highest
 * index of any encoding it supports (SDM A.9), and VMREAD of a field it
 * does not support fails with VM-instruction error 12 (SDM 31.4); both
 * leave a field out.
 */
#include <linux/build_bug.h>
#include <asm/msr.h>
#include <asm/msr-index.h>

#include "vmx_priv.h"

enum { VMX_W16, VMX_W32, VMX_W64, VMX_WNAT };
enum { VMX_G_CONTROL, VMX_G_EXIT_INFO, VMX_G_GUEST, VMX_G_HOST };

struct vmx_field {
	u16 encoding;
	u8 width;
	u8 group;
	const char *name;
};

#define VMX_WIDTH_16	VMX_W16
#define VMX_WIDTH_32	VMX_W32
#define VMX_WIDTH_64	VMX_W64
#define VMX_WIDTH_NAT	VMX_WNAT

static const struct vmx_field vmx_fields[] = {
#define VMCS_FIELD(enc, name, width, group) \
	{ enc, VMX_WIDTH_##width, VMX_G_##group, #name },
#include "vmcs_fields.h"
#undef VMCS_FIELD
};

/* SDM 25.11.2: bits 14:13 of the encoding are the width, 11:10 the type */
static const u8 vmx_width_of_bits[] = { VMX_W16, VMX_W64, VMX_W32, VMX_WNAT };

static bool vmx_field_consistent(const struct vmx_field *f)
{
	return vmx_width_of_bits[(f->encoding >> 13) & 3] == f->width &&
	       ((f->encoding >> 10) & 3) == f->group && !(f->encoding & 1);
}

/* VMREAD that reports VMfailValid/VMfailInvalid (CF or ZF) instead of trusting the field */
static bool vmx_vmread_checked(unsigned long field, unsigned long *value)
{
	unsigned long v;
	bool fail;

	asm volatile("vmread %2, %1" CC_SET(be)
		     : CC_OUT(be)(fail), "=rm"(v) : "r"(field) : "cc");
	*value = fail ? 0 : v;
	return !fail;
}

/*
 * RIP, RSP and RFLAGS are written into the VMCS only at entry
 * (vmx_run()); between exits vcpu->regs is the current value.
 */
static unsigned long vmx_current_value(struct vmon_vcpu *vcpu, u16 encoding,
				       unsigned long value)
{
	switch (encoding) {
	case GUEST_RIP:
		return vcpu->regs.rip;
	case GUEST_RSP:
		return vcpu->regs.rsp;
	case GUEST_RFLAGS:
		return vcpu->regs.rflags;
	}
	return value;
}

/*
 * Host addresses: the host-state area (kernel text, stacks, per-CPU
 * data, page tables) and the control fields that hold physical
 * addresses of vmon's own pages (SDM 25.6).
 */
static bool vmx_host_address(const struct vmx_field *f)
{
	if (f->group == VMX_G_HOST)
		return true;
	switch (f->encoding) {
	case IO_BITMAP_A:
	case IO_BITMAP_B:
	case MSR_BITMAP:
	case VM_EXIT_MSR_STORE_ADDR:
	case VM_EXIT_MSR_LOAD_ADDR:
	case VM_ENTRY_MSR_LOAD_ADDR:
	case PML_ADDRESS:
	case VIRTUAL_APIC_PAGE_ADDR:
	case APIC_ACCESS_ADDR:
	case POSTED_INTR_DESC_ADDR:
	case EPT_POINTER:
	case EPTP_LIST_ADDRESS:
	case VMREAD_BITMAP:
	case VMWRITE_BITMAP:
	case PID_POINTER_TABLE:
	case 0x202a:	/* virtualization-exception information address */
	case 0x2030:	/* sub-page-permission-table pointer */
	case 0x2038:	/* low PASID directory address */
	case 0x203a:	/* high PASID directory address */
	case 0x203c:	/* shared-EPT pointer */
	case 0x2040:	/* HLAT pointer */
		return true;
	}
	return false;
}

/* loaded */
int vmx_dump_state(struct vmon_vcpu *vcpu, struct vmon_state_field *out, u32 cap,
		   bool show_host)
{
	unsigned long value, insn_error;
	unsigned int i, max_index;
	u64 vmcs_enum;
	u32 n = 0;

	BUILD_BUG_ON(ARRAY_SIZE(vmx_fields) > VMON_MAX_STATE_FIELDS);
	rdmsrl(MSR_IA32_VMX_VMCS_ENUM, vmcs_enum);
	max_index = (vmcs_enum >> 1) & 0x1ff;
	/* a failing VMREAD below overwrites it: report the value from before */
	insn_error = vmcs_read(VM_INSTRUCTION_ERROR);

	for (i = 0; i < ARRAY_SIZE(vmx_fields); i++) {
		const struct vmx_field *f = &vmx_fields[i];

		if (WARN_ON_ONCE(!vmx_field_consistent(f)))
			continue;
		if (((f->encoding >> 1) & 0x1ff) > max_index)
			continue;
		if (f->encoding == VM_INSTRUCTION_ERROR)
			value = insn_error;
		else if (!vmx_vmread_checked(f->encoding, &value))
			continue;
		if (n < cap) {
			out[n].id = f->encoding;
			out[n].flags = 0;
			out[n].value = vmx_current_value(vcpu, f->encoding, value);
			if (!show_host && vmx_host_address(f)) {
				out[n].flags = VMON_STATE_FIELD_REDACTED;
				out[n].value = 0;
			}
		}
		n++;
	}
	return n;
}

const char *vmx_state_field_name(u32 id)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmx_fields); i++) {
		if (vmx_fields[i].encoding == id)
			return vmx_fields[i].name;
	}
	return NULL;
}
