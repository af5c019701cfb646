// SPDX-License-Identifier: GPL-2.0
/*
 * The VMCB as id/value pairs (VMON_GET_STATE_DUMP): every field of
 * tables/vmcb_fields.h, read from the vCPU's VMCB by the table's byte
 * offset and size.  Ids are the offsets (APM Vol. 2 Appendix B).
 */
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <asm/svm.h>

#include "core.h"
#include "svm.h"

struct svm_field {
	u16 offset;
	u8 size;
	const char *name;
};

static const struct svm_field svm_fields[] = {
#define VMCB_FIELD(offset, name, size, group, text) { offset, size, #name },
#include "vmcb_fields.h"
#undef VMCB_FIELD
};

/* the table against the kernel's struct vmcb, for a few landmarks of each area */
static void __maybe_unused svm_dump_layout_checks(void)
{
	BUILD_BUG_ON(offsetof(struct vmcb, control.iopm_base_pa) != 0x040);
	BUILD_BUG_ON(offsetof(struct vmcb, control.asid) != 0x058);
	BUILD_BUG_ON(offsetof(struct vmcb, control.exit_code) != 0x070);
	BUILD_BUG_ON(offsetof(struct vmcb, control.nested_cr3) != 0x0b0);
	BUILD_BUG_ON(offsetof(struct vmcb, control.next_rip) != 0x0c8);
	BUILD_BUG_ON(offsetof(struct vmcb, save.cs) != 0x410);
	BUILD_BUG_ON(offsetof(struct vmcb, save.tr) != 0x490);
	BUILD_BUG_ON(offsetof(struct vmcb, save.cpl) != 0x4cb);
	BUILD_BUG_ON(offsetof(struct vmcb, save.efer) != 0x4d0);
	BUILD_BUG_ON(offsetof(struct vmcb, save.cr4) != 0x548);
	BUILD_BUG_ON(offsetof(struct vmcb, save.rip) != 0x578);
	BUILD_BUG_ON(offsetof(struct vmcb, save.rsp) != 0x5d8);
	BUILD_BUG_ON(offsetof(struct vmcb, save.rax) != 0x5f8);
	BUILD_BUG_ON(offsetof(struct vmcb, save.cr2) != 0x640);
	BUILD_BUG_ON(offsetof(struct vmcb, save.g_pat) != 0x668);
	BUILD_BUG_ON(offsetof(struct vmcb, save.spec_ctrl) != 0x6e0);
	BUILD_BUG_ON(ARRAY_SIZE(svm_fields) > VMON_MAX_STATE_FIELDS);
}

/*
 * RAX, RSP, RIP and RFLAGS are copied into the VMCB only at entry
 * (svm_run()); between exits vcpu->regs holds the current values.
 */
static u64 svm_current_value(struct vmon_vcpu *vcpu, u16 offset, u64 value)
{
	switch (offset) {
	case offsetof(struct vmcb, save.rax):
		return vcpu->regs.rax;
	case offsetof(struct vmcb, save.rsp):
		return vcpu->regs.rsp;
	case offsetof(struct vmcb, save.rip):
		return vcpu->regs.rip;
	case offsetof(struct vmcb, save.rflags):
		return vcpu->regs.rflags;
	}
	return value;
}

/* host-physical addresses of vmon's pages in the control area (APM Table B-1) */
static bool svm_host_address(u16 offset)
{
	switch (offset) {
	case offsetof(struct vmcb, control.iopm_base_pa):
	case offsetof(struct vmcb, control.msrpm_base_pa):
	case offsetof(struct vmcb, control.nested_cr3):
	case offsetof(struct vmcb, control.avic_backing_page):
	case offsetof(struct vmcb, control.avic_logical_id):
	case offsetof(struct vmcb, control.avic_physical_id):
	case offsetof(struct vmcb, control.vmsa_pa):
		return true;
	}
	return false;
}

/* loaded (the VMCB is memory: the vCPU's mutex is what keeps it still) */
int svm_dump_state(struct vmon_vcpu *vcpu, struct vmon_state_field *out, u32 cap,
		   bool show_host)
{
	const u8 *vmcb = (const u8 *)to_svm(vcpu)->vmcb;
	u32 i;

	for (i = 0; i < ARRAY_SIZE(svm_fields) && i < cap; i++) {
		const struct svm_field *f = &svm_fields[i];
		u64 value = 0;

		/* little endian, like the VMCB */
		if (!WARN_ON_ONCE(f->size > sizeof(value) ||
				  f->offset + f->size > sizeof(struct vmcb)))
			memcpy(&value, vmcb + f->offset, f->size);
		out[i].id = f->offset;
		out[i].flags = 0;
		out[i].value = svm_current_value(vcpu, f->offset, value);
		if (!show_host && svm_host_address(f->offset)) {
			out[i].flags = VMON_STATE_FIELD_REDACTED;
			out[i].value = 0;
		}
	}
	return ARRAY_SIZE(svm_fields);
}

const char *svm_state_field_name(u32 id)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(svm_fields); i++) {
		if (svm_fields[i].offset == id)
			return svm_fields[i].name;
	}
	return NULL;
}
