// SPDX-License-Identifier: GPL-2.0
/*
 * Guest state the common code reads and writes through the backend:
 * segment and control registers (struct vmon_sregs) and the MSRs the
 * hardware switches (VMON_MSR_* in the uapi).
 */
#include <linux/build_bug.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/page.h>
#include <asm/processor-flags.h>

#include "vmx_priv.h"

struct vmx_seg_fields {
	unsigned long selector, base, limit, ar;
};

#define VMX_SEG(seg) { GUEST_##seg##_SELECTOR, GUEST_##seg##_BASE, \
		       GUEST_##seg##_LIMIT, GUEST_##seg##_AR_BYTES }

enum { VMX_CS, VMX_DS, VMX_ES, VMX_FS, VMX_GS, VMX_SS, VMX_TR, VMX_LDTR };

static const struct vmx_seg_fields vmx_seg[] = {
	[VMX_CS] = VMX_SEG(CS), [VMX_DS] = VMX_SEG(DS), [VMX_ES] = VMX_SEG(ES),
	[VMX_FS] = VMX_SEG(FS), [VMX_GS] = VMX_SEG(GS), [VMX_SS] = VMX_SEG(SS),
	[VMX_TR] = VMX_SEG(TR), [VMX_LDTR] = VMX_SEG(LDTR),
};

/*
 * The reset state's segments: selector and base 0, limit 0xffff, in
 * the access-rights format directly.  Legal under unrestricted guest
 * (SDM 26.3.1.2): CS an accessed execute/read code segment (type 11),
 * data segments accessed read/write (type 3), TR a busy 32-bit TSS
 * (type 11: a guest that later enters IA-32e mode keeps it), LDTR an
 * LDT (type 2).
 */
static const u32 vmx_reset_ar[] = {
	[VMX_CS] = 0x9b, [VMX_DS] = 0x93, [VMX_ES] = 0x93, [VMX_FS] = 0x93,
	[VMX_GS] = 0x93, [VMX_SS] = 0x93, [VMX_TR] = 0x8b, [VMX_LDTR] = 0x82,
};

void vmx_write_reset_segments(void)
{
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(vmx_reset_ar) != ARRAY_SIZE(vmx_seg));
	for (i = 0; i < ARRAY_SIZE(vmx_seg); i++) {
		vmcs_write(vmx_seg[i].selector, 0);
		vmcs_write(vmx_seg[i].base, 0);
		vmcs_write(vmx_seg[i].limit, 0xffff);
		vmcs_write(vmx_seg[i].ar, vmx_reset_ar[i]);
	}
}

/* SDM 25.4.1, Table 25-2: the access-rights format of the VMCS */
static u32 vmx_segment_ar(const struct vmon_segment *s)
{
	if (s->unusable)
		return VMX_AR_UNUSABLE_MASK;
	return (s->type & VMX_AR_TYPE_MASK) | (s->s ? VMX_AR_S_MASK : 0) |
	       ((s->dpl & 3) << VMX_AR_DPL_SHIFT) | (s->present ? VMX_AR_P_MASK : 0) |
	       (s->avl ? BIT(12) : 0) | (s->l ? VMX_AR_L_MASK : 0) |
	       (s->db ? VMX_AR_DB_MASK : 0) | (s->g ? VMX_AR_G_MASK : 0);
}

static void vmx_get_segment(int i, struct vmon_segment *s)
{
	u32 ar = vmcs_read(vmx_seg[i].ar);

	memset(s, 0, sizeof(*s));
	s->selector = vmcs_read(vmx_seg[i].selector);
	s->base = vmcs_read(vmx_seg[i].base);
	s->limit = vmcs_read(vmx_seg[i].limit);
	s->type = ar & VMX_AR_TYPE_MASK;
	s->s = !!(ar & VMX_AR_S_MASK);
	s->dpl = VMX_AR_DPL(ar);
	s->present = !!(ar & VMX_AR_P_MASK);
	s->avl = !!(ar & BIT(12));
	s->l = !!(ar & VMX_AR_L_MASK);
	s->db = !!(ar & VMX_AR_DB_MASK);
	s->g = !!(ar & VMX_AR_G_MASK);
	s->unusable = !!(ar & VMX_AR_UNUSABLE_MASK);
}

static void vmx_set_segment(int i, const struct vmon_segment *s)
{
	vmcs_write(vmx_seg[i].selector, s->selector);
	vmcs_write(vmx_seg[i].base, s->base);
	vmcs_write(vmx_seg[i].limit, s->limit);
	vmcs_write(vmx_seg[i].ar, vmx_segment_ar(s));
}

/* guest-visible CR0/CR4: owned bits from the read shadow (SDM 25.6.6) */
u64 vmx_guest_cr0(void)
{
	unsigned long mask = vmcs_read(CR0_GUEST_HOST_MASK);

	return (vmcs_read(GUEST_CR0) & ~mask) | (vmcs_read(CR0_READ_SHADOW) & mask);
}

u64 vmx_guest_cr4(void)
{
	unsigned long mask = vmcs_read(CR4_GUEST_HOST_MASK);

	return (vmcs_read(GUEST_CR4) & ~mask) | (vmcs_read(CR4_READ_SHADOW) & mask);
}

/*
 * The guest's value goes to the read shadow; the real register gets the
 * bits VMX forces (SDM A.7, A.8; unrestricted guest frees PE and PG,
 * SDM 26.3.1.1).  Bits the CPU cannot hold stay in the value so that
 * an entry with them fails and is reported.
 */
void vmx_set_guest_cr0(struct vmx_vcpu *vmx, u64 cr0)
{
	u64 fixed0 = vmx_config.cr0_fixed0 & ~(X86_CR0_PE | X86_CR0_PG);

	vmcs_write(CR0_READ_SHADOW, cr0);
	vmcs_write(GUEST_CR0, cr0 | fixed0);
}

void vmx_set_guest_cr4(struct vmx_vcpu *vmx, u64 cr4)
{
	vmcs_write(CR4_READ_SHADOW, cr4);
	vmcs_write(GUEST_CR4, cr4 | vmx_config.cr4_fixed0);
}

/* 64-bit mode: IA-32e mode active and CS.L (SDM 2.2.1, 5.2.1) */
bool vmx_guest_64bit_mode(void)
{
	return (vmcs_read(GUEST_IA32_EFER) & EFER_LMA) &&
	       (vmcs_read(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK);
}

void vmx_get_sregs(struct vmon_vcpu *vcpu, struct vmon_sregs *sregs)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	memset(sregs, 0, sizeof(*sregs));
	vmx_get_segment(VMX_CS, &sregs->cs);
	vmx_get_segment(VMX_DS, &sregs->ds);
	vmx_get_segment(VMX_ES, &sregs->es);
	vmx_get_segment(VMX_FS, &sregs->fs);
	vmx_get_segment(VMX_GS, &sregs->gs);
	vmx_get_segment(VMX_SS, &sregs->ss);
	vmx_get_segment(VMX_TR, &sregs->tr);
	vmx_get_segment(VMX_LDTR, &sregs->ldt);
	sregs->gdt.base = vmcs_read(GUEST_GDTR_BASE);
	sregs->gdt.limit = vmcs_read(GUEST_GDTR_LIMIT);
	sregs->idt.base = vmcs_read(GUEST_IDTR_BASE);
	sregs->idt.limit = vmcs_read(GUEST_IDTR_LIMIT);
	sregs->cr0 = vmx_guest_cr0();
	sregs->cr2 = vmx->cr2;
	sregs->cr3 = vmcs_read(GUEST_CR3);
	sregs->cr4 = vmx_guest_cr4();
	sregs->cr8 = vmx->cr8;
	sregs->efer = vmcs_read(GUEST_IA32_EFER);
}

void vmx_get_fetch_state(struct vmon_vcpu *vcpu, struct vmon_sregs *sregs)
{
	u32 ar = vmcs_read(GUEST_CS_AR_BYTES);

	sregs->cs.base = vmcs_read(GUEST_CS_BASE);
	sregs->cs.l = !!(ar & VMX_AR_L_MASK);
	sregs->cs.db = !!(ar & VMX_AR_DB_MASK);
	sregs->cr0 = vmx_guest_cr0();
	sregs->cr3 = vmcs_read(GUEST_CR3);
	sregs->cr4 = vmx_guest_cr4();
	sregs->efer = vmcs_read(GUEST_IA32_EFER);
}

/* EFER bits a VMX guest may hold: SCE, LME, LMA, NXE (SDM 2.2.1) */
#define VMX_EFER_VALID	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

/*
 * Only values that no entry could use are refused.  Inconsistent but
 * encodable states (CS.L with CS.D in IA-32e mode, a CR0 without the
 * bits VMX needs, ...) are stored as given: the entry then fails and
 * userspace sees why.
 *
 * PAE paging takes its PDPTEs from the VMCS (pae.c).  They are loaded
 * from guest memory when the new values would make the CPU load them,
 * so that a GET_SREGS/SET_SREGS round trip keeps the ones in use, as
 * the CPU keeps them until the next MOV to CR.  A present PDPTE with
 * reserved bits is stored too, and the entry check names it; a table
 * outside guest RAM cannot be read at all: -EINVAL, nothing changed.
 */
int vmx_set_sregs(struct vmon_vcpu *vcpu, const struct vmon_sregs *sregs)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_paging before, after = {
		.cr0 = sregs->cr0, .cr3 = sregs->cr3, .cr4 = sregs->cr4, .efer = sregs->efer,
	};
	u64 pdptes[VMX_NR_PDPTES];
	bool reload;

	if (vmon_sregs_check(sregs, VMX_EFER_VALID))
		return -EINVAL;
	vmx_read_paging(&before);
	reload = vmx_pdptes_reload(&before, &after);
	if (reload && vmx_read_pdptes(vcpu, after.cr3, pdptes) == -EFAULT)
		return -EINVAL;

	vmx_set_segment(VMX_CS, &sregs->cs);
	vmx_set_segment(VMX_DS, &sregs->ds);
	vmx_set_segment(VMX_ES, &sregs->es);
	vmx_set_segment(VMX_FS, &sregs->fs);
	vmx_set_segment(VMX_GS, &sregs->gs);
	vmx_set_segment(VMX_SS, &sregs->ss);
	vmx_set_segment(VMX_TR, &sregs->tr);
	vmx_set_segment(VMX_LDTR, &sregs->ldt);
	vmcs_write(GUEST_GDTR_BASE, sregs->gdt.base);
	vmcs_write(GUEST_GDTR_LIMIT, sregs->gdt.limit);
	vmcs_write(GUEST_IDTR_BASE, sregs->idt.base);
	vmcs_write(GUEST_IDTR_LIMIT, sregs->idt.limit);
	vmx_set_guest_cr0(vmx, sregs->cr0);
	vmx->cr2 = sregs->cr2;
	vmcs_write(GUEST_CR3, sregs->cr3);
	vmx_set_guest_cr4(vmx, sregs->cr4);
	vmx->cr8 = sregs->cr8;
	vmcs_write(GUEST_IA32_EFER, sregs->efer);
	vmx_update_ia32e_mode(vmx);
	if (reload)
		vmx_write_pdptes(pdptes);
	vmx_paging_changed(vmx, &before, &after);
	return 0;
}

static bool vmx_canonical(u64 addr)
{
	unsigned int bits = (__read_cr4() & X86_CR4_LA57) ? 57 : 48;

	return (u64)((s64)(addr << (64 - bits)) >> (64 - bits)) == addr;
}

/* SDM 13.12.2: each PAT entry must be UC, WC, WT, WP, WB or UC- */
static bool vmx_pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 type = pat >> (i * 8);

		if (type == 2 || type == 3 || type > 7)
			return false;
	}
	return true;
}

static int vmx_switched_slot(u32 index)
{
	switch (index) {
	case VMON_MSR_STAR:
		return VMX_MSR_STAR;
	case VMON_MSR_LSTAR:
		return VMX_MSR_LSTAR;
	case VMON_MSR_CSTAR:
		return VMX_MSR_CSTAR;
	case VMON_MSR_SFMASK:
		return VMX_MSR_SFMASK;
	case VMON_MSR_KERNEL_GS_BASE:
		return VMX_MSR_KERNEL_GS_BASE;
	default:
		return -1;
	}
}

int vmx_get_msr(struct vmon_vcpu *vcpu, u32 index, u64 *data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int slot = vmx_switched_slot(index);

	if (slot >= 0) {
		*data = vmx->guest_msrs[slot].value;
		return 0;
	}
	switch (index) {
	case VMON_MSR_TSC:
		*data = rdtsc() + vmcs_read(TSC_OFFSET);
		return 0;
	case VMON_MSR_SYSENTER_CS:
		*data = vmcs_read(GUEST_SYSENTER_CS);
		return 0;
	case VMON_MSR_SYSENTER_ESP:
		*data = vmcs_read(GUEST_SYSENTER_ESP);
		return 0;
	case VMON_MSR_SYSENTER_EIP:
		*data = vmcs_read(GUEST_SYSENTER_EIP);
		return 0;
	case VMON_MSR_PAT:
		*data = vmcs_read(GUEST_IA32_PAT);
		return 0;
	case VMON_MSR_EFER:
		*data = vmcs_read(GUEST_IA32_EFER);
		return 0;
	case VMON_MSR_FS_BASE:
		*data = vmcs_read(GUEST_FS_BASE);
		return 0;
	case VMON_MSR_GS_BASE:
		*data = vmcs_read(GUEST_GS_BASE);
		return 0;
	default:
		return -ENOENT;
	}
}

/*
 * WRMSR/SET_MSRS of EFER: the rules are common (vmon_efer_write()).
 * LME cannot change with paging on, so LMA and the PDPTEs stay; a
 * change of NXE under paging drops the cached translations, as
 * SET_SREGS does.
 */
static int vmx_set_efer(struct vmx_vcpu *vmx, u64 data)
{
	struct vmx_paging before, after;

	vmx_read_paging(&before);
	if (vmon_efer_write(before.efer, &data, before.cr0, VMX_EFER_VALID))
		return -EINVAL;
	after = before;
	after.efer = data;
	vmcs_write(GUEST_IA32_EFER, data);
	vmx_update_ia32e_mode(vmx);
	vmx_paging_changed(vmx, &before, &after);
	return 0;
}

int vmx_set_msr(struct vmon_vcpu *vcpu, u32 index, u64 data)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	int slot = vmx_switched_slot(index);

	if (slot >= 0) {
		/* WRMSR would #GP on these (SDM 2.2.1); loading them fails the entry */
		if ((index == VMON_MSR_LSTAR || index == VMON_MSR_CSTAR ||
		     index == VMON_MSR_KERNEL_GS_BASE) && !vmx_canonical(data))
			return -EINVAL;
		if (index == VMON_MSR_SFMASK && (data >> 32))
			return -EINVAL;
		vmx->guest_msrs[slot].value = data;
		return 0;
	}
	switch (index) {
	case VMON_MSR_TSC:
		vmcs_write(TSC_OFFSET, data - rdtsc());
		return 0;
	case VMON_MSR_SYSENTER_CS:
		if (data >> 32)
			return -EINVAL;
		vmcs_write(GUEST_SYSENTER_CS, data);
		return 0;
	case VMON_MSR_SYSENTER_ESP:
	case VMON_MSR_SYSENTER_EIP:
		/* SDM 26.3.1.1: the entry checks these for canonical form */
		if (!vmx_canonical(data))
			return -EINVAL;
		vmcs_write(index == VMON_MSR_SYSENTER_ESP ? GUEST_SYSENTER_ESP :
			   GUEST_SYSENTER_EIP, data);
		return 0;
	case VMON_MSR_PAT:
		if (!vmx_pat_valid(data))
			return -EINVAL;
		vmcs_write(GUEST_IA32_PAT, data);
		return 0;
	case VMON_MSR_EFER:
		return vmx_set_efer(vmx, data);
	case VMON_MSR_FS_BASE:
	case VMON_MSR_GS_BASE:
		if (!vmx_canonical(data))
			return -EINVAL;
		vmcs_write(index == VMON_MSR_FS_BASE ? GUEST_FS_BASE : GUEST_GS_BASE, data);
		return 0;
	default:
		return -ENOENT;
	}
}

/*
 * CR8 without a TPR shadow: MOV to/from CR8 exits (vmx.c) and is
 * emulated on vmx->cr8; the common code keeps it equal to the local
 * APIC's TPR[7:4] (SDM Vol. 3A 11.8.6.1).
 */
u8 __vmon_hot vmx_get_cr8(struct vmon_vcpu *vcpu)
{
	return to_vmx(vcpu)->cr8;
}

void __vmon_hot vmx_set_cr8(struct vmon_vcpu *vcpu, u8 cr8)
{
	to_vmx(vcpu)->cr8 = cr8 & 0xf;
}
