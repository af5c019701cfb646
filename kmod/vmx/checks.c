// SPDX-License-Identifier: GPL-2.0
/*
 * The guest-state checks of VM entry, in software: Intel SDM Vol. 3C
 * 27.3.1 "Checks on the Guest State Area", one function per
 * subsection, each rule a row of tables/vmx_guest_checks.h, evaluated
 * in the table's order.  The first broken rule is returned; NULL means
 * the state passes every rule vmon knows, not that the entry will
 * succeed (the control and host-state checks, SDM 27.2, are vmon's own
 * business and are not repeated here).
 *
 * Every check follows the SDM text, including its conditions ("if the
 * unrestricted guest control is 0", "if SS is usable"): a rule applied
 * where the SDM does not apply it would stop a guest the CPU accepts.
 * Guest state comes from the current VMCS, except RIP and RFLAGS,
 * which live in vcpu->regs until vmx_run() writes them.
 */
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>

#include "vmx_priv.h"

enum vmx_rule_index {
#define VMX_GUEST_CHECK(id, name, section, text) VMX_RULE_##name,
#include "vmx_guest_checks.h"
#undef VMX_GUEST_CHECK
	VMX_NR_RULES
};

static const struct vmon_state_rule vmx_rules[VMX_NR_RULES] = {
#define VMX_GUEST_CHECK(_id, name, _section, _text) \
	[VMX_RULE_##name] = { .id = _id, .section = "SDM Vol. 3C " _section, .text = _text },
#include "vmx_guest_checks.h"
#undef VMX_GUEST_CHECK
};

#define VMX_BROKEN(name)	(&vmx_rules[VMX_RULE_##name])

/* access-rights bits (SDM 25.4.1, Table 25-2) the kernel header does not name */
#define VMX_AR_TYPE_ACCESSED	BIT(0)
#define VMX_AR_TYPE_WRITE_READ	BIT(1)	/* writable data / readable code */
#define VMX_AR_TYPE_CONFORMING	BIT(2)	/* code segments */
#define VMX_AR_TYPE_CODE	BIT(3)

enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR, SEG_NR };

struct vmx_seg_state {
	u16 selector;
	u64 base;
	u32 limit;
	u32 ar;
};

/* the guest state the rules look at, read once */
struct vmx_guest_state {
	u64 cr0, cr3, cr4, dr7, efer, pat, debugctl;
	u64 sysenter_esp, sysenter_eip;
	u64 rip, rflags;
	u64 gdtr_base, idtr_base, gdtr_limit, idtr_limit;
	u64 pending_dbg, link_pointer;
	u32 activity, interruptibility, entry_intr_info;
	u32 entry_controls;
	bool unrestricted, ept, ia32e;
	struct vmx_seg_state seg[SEG_NR];
};

static const unsigned long vmx_seg_fields[SEG_NR][4] = {
	[SEG_ES] = { GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR_BYTES },
	[SEG_CS] = { GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR_BYTES },
	[SEG_SS] = { GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR_BYTES },
	[SEG_DS] = { GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR_BYTES },
	[SEG_FS] = { GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR_BYTES },
	[SEG_GS] = { GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR_BYTES },
	[SEG_LDTR] = { GUEST_LDTR_SELECTOR, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT,
		       GUEST_LDTR_AR_BYTES },
	[SEG_TR] = { GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR_BYTES },
};

static void vmx_read_guest_state(struct vmon_vcpu *vcpu, struct vmx_guest_state *g)
{
	u32 proc = vmcs_read(CPU_BASED_VM_EXEC_CONTROL);
	u32 proc2 = (proc & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) ?
		    vmcs_read(SECONDARY_VM_EXEC_CONTROL) : 0;
	int i;

	g->entry_controls = vmcs_read(VM_ENTRY_CONTROLS);
	g->unrestricted = proc2 & SECONDARY_EXEC_UNRESTRICTED_GUEST;
	g->ept = proc2 & SECONDARY_EXEC_ENABLE_EPT;
	g->ia32e = g->entry_controls & VM_ENTRY_IA32E_MODE;
	g->cr0 = vmcs_read(GUEST_CR0);
	g->cr3 = vmcs_read(GUEST_CR3);
	g->cr4 = vmcs_read(GUEST_CR4);
	g->dr7 = vmcs_read(GUEST_DR7);
	g->efer = vmcs_read(GUEST_IA32_EFER);
	g->pat = vmcs_read(GUEST_IA32_PAT);
	g->debugctl = vmcs_read(GUEST_IA32_DEBUGCTL);
	g->sysenter_esp = vmcs_read(GUEST_SYSENTER_ESP);
	g->sysenter_eip = vmcs_read(GUEST_SYSENTER_EIP);
	g->rip = vcpu->regs.rip;
	g->rflags = vcpu->regs.rflags;
	g->gdtr_base = vmcs_read(GUEST_GDTR_BASE);
	g->idtr_base = vmcs_read(GUEST_IDTR_BASE);
	g->gdtr_limit = vmcs_read(GUEST_GDTR_LIMIT);
	g->idtr_limit = vmcs_read(GUEST_IDTR_LIMIT);
	g->pending_dbg = vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS);
	g->link_pointer = vmcs_read(VMCS_LINK_POINTER);
	g->activity = vmcs_read(GUEST_ACTIVITY_STATE);
	g->interruptibility = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);
	g->entry_intr_info = vmcs_read(VM_ENTRY_INTR_INFO_FIELD);
	for (i = 0; i < SEG_NR; i++) {
		g->seg[i].selector = vmcs_read(vmx_seg_fields[i][0]);
		g->seg[i].base = vmcs_read(vmx_seg_fields[i][1]);
		g->seg[i].limit = vmcs_read(vmx_seg_fields[i][2]);
		g->seg[i].ar = vmcs_read(vmx_seg_fields[i][3]);
	}
}

/* linear-address width of the CPU (CPUID 80000008H:EAX[15:8]) */
static bool vmx_canonical_addr(u64 addr)
{
	unsigned int bits = boot_cpu_data.x86_virt_bits;

	return (u64)((s64)(addr << (64 - bits)) >> (64 - bits)) == addr;
}

/* bits 63:MAXPHYADDR (CPUID 80000008H:EAX[7:0]) */
u64 vmx_phys_reserved(void)
{
	unsigned int bits = cpuid_eax(0x80000008) & 0xff;

	return bits >= 64 ? 0 : ~0ull << bits;
}

static bool vmx_usable(const struct vmx_seg_state *s)
{
	return !(s->ar & VMX_AR_UNUSABLE_MASK);
}

static unsigned int vmx_type(const struct vmx_seg_state *s)
{
	return s->ar & VMX_AR_TYPE_MASK;
}

static unsigned int vmx_dpl(const struct vmx_seg_state *s)
{
	return VMX_AR_DPL(s->ar);
}

static unsigned int vmx_rpl(const struct vmx_seg_state *s)
{
	return s->selector & 3;
}

/* SDM 27.3.1.2: G must be 0 unless limit[11:0] is all ones, 1 if limit[31:20] is not 0 */
static bool vmx_g_matches_limit(const struct vmx_seg_state *s)
{
	bool g = s->ar & VMX_AR_G_MASK;

	if (g && (s->limit & 0xfff) != 0xfff)
		return false;
	if (!g && (s->limit & 0xfff00000))
		return false;
	return true;
}

/* SDM 27.3.1.1 */
static const struct vmon_state_rule *vmx_check_control_regs(const struct vmx_guest_state *g)
{
	u64 cr0_fixed0 = vmx_config.cr0_fixed0;
	u64 misc_efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NX;

	/* unrestricted guest frees PE and PG from IA32_VMX_CR0_FIXED0 */
	if (g->unrestricted)
		cr0_fixed0 &= ~(u64)(X86_CR0_PE | X86_CR0_PG);
	if ((g->cr0 & cr0_fixed0) != cr0_fixed0)
		return VMX_BROKEN(CR0_FIXED0);
	if (g->cr0 & ~vmx_config.cr0_fixed1)
		return VMX_BROKEN(CR0_FIXED1);
	if (g->unrestricted && (g->cr0 & X86_CR0_PG) && !(g->cr0 & X86_CR0_PE))
		return VMX_BROKEN(CR0_PG_WITHOUT_PE);
	if ((g->cr4 & vmx_config.cr4_fixed0) != vmx_config.cr4_fixed0)
		return VMX_BROKEN(CR4_FIXED0);
	if (g->cr4 & ~vmx_config.cr4_fixed1)
		return VMX_BROKEN(CR4_FIXED1);
	if ((g->cr4 & X86_CR4_CET) && !(g->cr0 & X86_CR0_WP))
		return VMX_BROKEN(CR4_CET_WITHOUT_WP);
	if (g->ia32e && !(g->cr0 & X86_CR0_PG))
		return VMX_BROKEN(IA32E_WITHOUT_PG);
	if (g->ia32e && !(g->cr4 & X86_CR4_PAE))
		return VMX_BROKEN(IA32E_WITHOUT_PAE);
	if (!g->ia32e && (g->cr4 & X86_CR4_PCIDE))
		return VMX_BROKEN(PCIDE_OUTSIDE_IA32E);
	if (g->cr3 & vmx_phys_reserved())
		return VMX_BROKEN(CR3_RESERVED);
	if ((g->entry_controls & VM_ENTRY_LOAD_DEBUG_CONTROLS) && (g->dr7 >> 32))
		return VMX_BROKEN(DR7_HIGH);
	if (!vmx_canonical_addr(g->sysenter_esp))
		return VMX_BROKEN(SYSENTER_ESP_CANONICAL);
	if (!vmx_canonical_addr(g->sysenter_eip))
		return VMX_BROKEN(SYSENTER_EIP_CANONICAL);
	if (g->entry_controls & VM_ENTRY_LOAD_IA32_PAT) {
		int i;

		/* SDM 13.12.2: 2, 3 and 8-255 are not memory types */
		for (i = 0; i < 8; i++) {
			u8 type = g->pat >> (i * 8);

			if (type == 2 || type == 3 || type > 7)
				return VMX_BROKEN(PAT_INVALID);
		}
	}
	if (g->entry_controls & VM_ENTRY_LOAD_IA32_EFER) {
		if (g->efer & ~misc_efer)
			return VMX_BROKEN(EFER_RESERVED);
		if (!!(g->efer & EFER_LMA) != g->ia32e)
			return VMX_BROKEN(EFER_LMA_NOT_IA32E);
		if ((g->cr0 & X86_CR0_PG) && !!(g->efer & EFER_LME) != !!(g->efer & EFER_LMA))
			return VMX_BROKEN(EFER_LME_NOT_LMA);
	}
	return NULL;
}

/* SDM 27.3.1.2, virtual-8086 mode: CS, SS, DS, ES, FS, GS as real-mode segments */
static const struct vmon_state_rule *vmx_check_v86_segs(const struct vmx_guest_state *g)
{
	static const int segs[] = { SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS };
	int i;

	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		if (g->seg[segs[i]].base != (u64)g->seg[segs[i]].selector << 4)
			return VMX_BROKEN(V86_BASE);
	}
	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		if (g->seg[segs[i]].limit != 0xffff)
			return VMX_BROKEN(V86_LIMIT);
	}
	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		if (g->seg[segs[i]].ar != 0xf3)
			return VMX_BROKEN(V86_ACCESS_RIGHTS);
	}
	return NULL;
}

/* SDM 27.3.1.2: selectors, then base addresses */
static const struct vmon_state_rule *vmx_check_selectors_bases(const struct vmx_guest_state *g)
{
	const struct vmx_seg_state *s = g->seg;
	bool v86 = g->rflags & X86_EFLAGS_VM;
	const struct vmon_state_rule *rule;

	if (s[SEG_TR].selector & BIT(2))
		return VMX_BROKEN(TR_TI);
	if (vmx_usable(&s[SEG_LDTR]) && (s[SEG_LDTR].selector & BIT(2)))
		return VMX_BROKEN(LDTR_TI);
	if (!v86 && !g->unrestricted && vmx_rpl(&s[SEG_SS]) != vmx_rpl(&s[SEG_CS]))
		return VMX_BROKEN(SS_RPL_NE_CS_RPL);
	if (v86) {
		rule = vmx_check_v86_segs(g);
		if (rule)
			return rule;
	}
	if (!vmx_canonical_addr(s[SEG_TR].base))
		return VMX_BROKEN(TR_BASE_CANONICAL);
	if (!vmx_canonical_addr(s[SEG_FS].base))
		return VMX_BROKEN(FS_BASE_CANONICAL);
	if (!vmx_canonical_addr(s[SEG_GS].base))
		return VMX_BROKEN(GS_BASE_CANONICAL);
	if (vmx_usable(&s[SEG_LDTR]) && !vmx_canonical_addr(s[SEG_LDTR].base))
		return VMX_BROKEN(LDTR_BASE_CANONICAL);
	if (s[SEG_CS].base >> 32)
		return VMX_BROKEN(CS_BASE_HIGH);
	if (vmx_usable(&s[SEG_SS]) && (s[SEG_SS].base >> 32))
		return VMX_BROKEN(SS_BASE_HIGH);
	if (vmx_usable(&s[SEG_DS]) && (s[SEG_DS].base >> 32))
		return VMX_BROKEN(DS_BASE_HIGH);
	if (vmx_usable(&s[SEG_ES]) && (s[SEG_ES].base >> 32))
		return VMX_BROKEN(ES_BASE_HIGH);
	return NULL;
}

/* SDM 27.3.1.2, access rights of CS (not in virtual-8086 mode) */
static const struct vmon_state_rule *vmx_check_cs(const struct vmx_guest_state *g)
{
	const struct vmx_seg_state *cs = &g->seg[SEG_CS], *ss = &g->seg[SEG_SS];
	unsigned int type = vmx_type(cs);

	if (!(type == 9 || type == 11 || type == 13 || type == 15 ||
	      (g->unrestricted && type == 3)))
		return VMX_BROKEN(CS_TYPE);
	if (!(cs->ar & VMX_AR_S_MASK))
		return VMX_BROKEN(CS_S);
	if (type == 3 && vmx_dpl(cs))
		return VMX_BROKEN(CS_DPL_DATA);
	if ((type == 9 || type == 11) && vmx_dpl(cs) != vmx_dpl(ss))
		return VMX_BROKEN(CS_DPL_NONCONFORMING);
	if ((type == 13 || type == 15) && vmx_dpl(cs) > vmx_dpl(ss))
		return VMX_BROKEN(CS_DPL_CONFORMING);
	if (!(cs->ar & VMX_AR_P_MASK))
		return VMX_BROKEN(CS_P);
	if (cs->ar & VMX_AR_RESERVD_MASK)
		return VMX_BROKEN(CS_RESERVED);
	if (g->ia32e && (cs->ar & VMX_AR_L_MASK) && (cs->ar & VMX_AR_DB_MASK))
		return VMX_BROKEN(CS_L_AND_D);
	if (!vmx_g_matches_limit(cs))
		return VMX_BROKEN(CS_G);
	return NULL;
}

/* SDM 27.3.1.2, access rights of SS; the DPL rules hold even for an unusable SS */
static const struct vmon_state_rule *vmx_check_ss(const struct vmx_guest_state *g)
{
	const struct vmx_seg_state *ss = &g->seg[SEG_SS];
	bool usable = vmx_usable(ss);

	if (usable && vmx_type(ss) != 3 && vmx_type(ss) != 7)
		return VMX_BROKEN(SS_TYPE);
	if (usable && !(ss->ar & VMX_AR_S_MASK))
		return VMX_BROKEN(SS_S);
	if (!g->unrestricted && vmx_dpl(ss) != vmx_rpl(ss))
		return VMX_BROKEN(SS_DPL_NE_RPL);
	if ((vmx_type(&g->seg[SEG_CS]) == 3 || !(g->cr0 & X86_CR0_PE)) && vmx_dpl(ss))
		return VMX_BROKEN(SS_DPL_REAL);
	if (usable && !(ss->ar & VMX_AR_P_MASK))
		return VMX_BROKEN(SS_P);
	if (usable && (ss->ar & VMX_AR_RESERVD_MASK))
		return VMX_BROKEN(SS_RESERVED);
	if (usable && !vmx_g_matches_limit(ss))
		return VMX_BROKEN(SS_G);
	return NULL;
}

/* the rules DS, ES, FS and GS share, one row per segment in the table */
struct vmx_data_seg_rules {
	int seg;
	u8 accessed, exec_only, s, dpl, p, reserved, g;
};

#define VMX_DATA_SEG(name) { SEG_##name, VMX_RULE_##name##_TYPE_ACCESSED,		\
	VMX_RULE_##name##_TYPE_EXEC_ONLY, VMX_RULE_##name##_S, VMX_RULE_##name##_DPL_LT_RPL, \
	VMX_RULE_##name##_P, VMX_RULE_##name##_RESERVED, VMX_RULE_##name##_G }

static const struct vmx_data_seg_rules vmx_data_segs[] = {
	VMX_DATA_SEG(DS), VMX_DATA_SEG(ES), VMX_DATA_SEG(FS), VMX_DATA_SEG(GS),
};

/* SDM 27.3.1.2, access rights of DS, ES, FS, GS: only usable ones are checked */
static const struct vmon_state_rule *vmx_check_data_seg(const struct vmx_guest_state *g,
							const struct vmx_data_seg_rules *r)
{
	const struct vmx_seg_state *s = &g->seg[r->seg];
	unsigned int type = vmx_type(s);

	if (!vmx_usable(s))
		return NULL;
	if (!(type & VMX_AR_TYPE_ACCESSED))
		return &vmx_rules[r->accessed];
	if ((type & VMX_AR_TYPE_CODE) && !(type & VMX_AR_TYPE_WRITE_READ))
		return &vmx_rules[r->exec_only];
	if (!(s->ar & VMX_AR_S_MASK))
		return &vmx_rules[r->s];
	/* data and non-conforming code: types 0-11 */
	if (!g->unrestricted && type <= 11 && vmx_dpl(s) < vmx_rpl(s))
		return &vmx_rules[r->dpl];
	if (!(s->ar & VMX_AR_P_MASK))
		return &vmx_rules[r->p];
	if (s->ar & VMX_AR_RESERVD_MASK)
		return &vmx_rules[r->reserved];
	if (!vmx_g_matches_limit(s))
		return &vmx_rules[r->g];
	return NULL;
}

/* SDM 27.3.1.2, access rights of TR and LDTR (checked in virtual-8086 mode too) */
static const struct vmon_state_rule *vmx_check_tr_ldtr(const struct vmx_guest_state *g)
{
	const struct vmx_seg_state *tr = &g->seg[SEG_TR], *ldtr = &g->seg[SEG_LDTR];
	unsigned int type = vmx_type(tr);

	if (!(type == VMX_AR_TYPE_BUSY_64_TSS || (!g->ia32e && type == VMX_AR_TYPE_BUSY_16_TSS)))
		return VMX_BROKEN(TR_TYPE);
	if (tr->ar & VMX_AR_S_MASK)
		return VMX_BROKEN(TR_S);
	if (!(tr->ar & VMX_AR_P_MASK))
		return VMX_BROKEN(TR_P);
	if (tr->ar & VMX_AR_RESERVD_MASK)
		return VMX_BROKEN(TR_RESERVED);
	if (!vmx_g_matches_limit(tr))
		return VMX_BROKEN(TR_G);
	if (!vmx_usable(tr))
		return VMX_BROKEN(TR_UNUSABLE);

	if (!vmx_usable(ldtr))
		return NULL;
	if (vmx_type(ldtr) != VMX_AR_TYPE_LDT)
		return VMX_BROKEN(LDTR_TYPE);
	if (ldtr->ar & VMX_AR_S_MASK)
		return VMX_BROKEN(LDTR_S);
	if (!(ldtr->ar & VMX_AR_P_MASK))
		return VMX_BROKEN(LDTR_P);
	if (ldtr->ar & VMX_AR_RESERVD_MASK)
		return VMX_BROKEN(LDTR_RESERVED);
	if (!vmx_g_matches_limit(ldtr))
		return VMX_BROKEN(LDTR_G);
	return NULL;
}

static const struct vmon_state_rule *vmx_check_segments(const struct vmx_guest_state *g)
{
	const struct vmon_state_rule *rule;
	int i;

	rule = vmx_check_selectors_bases(g);
	if (rule)
		return rule;
	/* the access-rights rules of CS, SS, DS, ES, FS, GS outside virtual-8086 mode */
	if (!(g->rflags & X86_EFLAGS_VM)) {
		rule = vmx_check_cs(g);
		if (!rule)
			rule = vmx_check_ss(g);
		for (i = 0; !rule && i < ARRAY_SIZE(vmx_data_segs); i++)
			rule = vmx_check_data_seg(g, &vmx_data_segs[i]);
		if (rule)
			return rule;
	}
	return vmx_check_tr_ldtr(g);
}

/* SDM 27.3.1.3 */
static const struct vmon_state_rule *vmx_check_dtables(const struct vmx_guest_state *g)
{
	if (!vmx_canonical_addr(g->gdtr_base))
		return VMX_BROKEN(GDTR_BASE_CANONICAL);
	if (!vmx_canonical_addr(g->idtr_base))
		return VMX_BROKEN(IDTR_BASE_CANONICAL);
	if (g->gdtr_limit >> 16)
		return VMX_BROKEN(GDTR_LIMIT_HIGH);
	if (g->idtr_limit >> 16)
		return VMX_BROKEN(IDTR_LIMIT_HIGH);
	return NULL;
}

/* SDM 25.8.3: VM-entry interruption information, valid bit and type */
static bool vmx_injecting(const struct vmx_guest_state *g, u32 type)
{
	return (g->entry_intr_info & INTR_INFO_VALID_MASK) &&
	       (g->entry_intr_info & INTR_INFO_INTR_TYPE_MASK) == type;
}

/* RFLAGS bits 63:22, 15, 5 and 3 are reserved; bit 1 reads as 1 (SDM Vol. 1 3.4.3) */
#define VMX_RFLAGS_RESERVED	(GENMASK_ULL(63, 22) | BIT(15) | BIT(5) | BIT(3))

/* SDM 27.3.1.4 */
static const struct vmon_state_rule *vmx_check_rip_rflags(const struct vmx_guest_state *g)
{
	bool cs_l = g->seg[SEG_CS].ar & VMX_AR_L_MASK;

	if ((!g->ia32e || !cs_l) && (g->rip >> 32))
		return VMX_BROKEN(RIP_HIGH);
	if (g->ia32e && cs_l && !vmx_canonical_addr(g->rip))
		return VMX_BROKEN(RIP_CANONICAL);
	if ((g->rflags & VMX_RFLAGS_RESERVED) || !(g->rflags & X86_EFLAGS_FIXED))
		return VMX_BROKEN(RFLAGS_RESERVED);
	if ((g->rflags & X86_EFLAGS_VM) && (g->ia32e || !(g->cr0 & X86_CR0_PE)))
		return VMX_BROKEN(RFLAGS_VM);
	if (vmx_injecting(g, INTR_TYPE_EXT_INTR) && !(g->rflags & X86_EFLAGS_IF))
		return VMX_BROKEN(RFLAGS_IF_INJECT);
	return NULL;
}

/* pending debug exceptions (SDM Table 25-4): B3-B0, enabled breakpoint, BS, RTM */
#define VMX_PENDING_DBG_VALID	(GENMASK_ULL(3, 0) | BIT(12) | BIT(14) | BIT(16))
#define VMX_PENDING_DBG_BS	BIT(14)

/* SDM 27.3.1.5 */
static const struct vmon_state_rule *vmx_check_non_register(const struct vmx_guest_state *g)
{
	u32 intr = g->interruptibility;
	bool shadow = intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
	u64 misc;

	rdmsrl(MSR_IA32_VMX_MISC, misc);
	/* SDM A.6: IA32_VMX_MISC bits 6, 7, 8 say HLT, shutdown, wait-for-SIPI exist */
	if (g->activity > GUEST_ACTIVITY_WAIT_SIPI ||
	    (g->activity && !(misc & BIT_ULL(5 + g->activity))))
		return VMX_BROKEN(ACTIVITY_UNSUPPORTED);
	if (g->activity == GUEST_ACTIVITY_HLT && vmx_dpl(&g->seg[SEG_SS]))
		return VMX_BROKEN(ACTIVITY_HLT_DPL);
	if (intr & ~GENMASK(4, 0))
		return VMX_BROKEN(INTR_RESERVED);
	if ((intr & GUEST_INTR_STATE_STI) && (intr & GUEST_INTR_STATE_MOV_SS))
		return VMX_BROKEN(INTR_STI_AND_MOV_SS);
	if ((intr & GUEST_INTR_STATE_STI) && !(g->rflags & X86_EFLAGS_IF))
		return VMX_BROKEN(INTR_STI_WITHOUT_IF);
	if (vmx_injecting(g, INTR_TYPE_EXT_INTR) && shadow)
		return VMX_BROKEN(INTR_INJECT_BLOCKED);
	if (vmx_injecting(g, INTR_TYPE_NMI_INTR) && (intr & GUEST_INTR_STATE_MOV_SS))
		return VMX_BROKEN(NMI_INJECT_MOV_SS);
	if (g->pending_dbg & ~VMX_PENDING_DBG_VALID)
		return VMX_BROKEN(PENDING_DBG_RESERVED);
	if (shadow || g->activity == GUEST_ACTIVITY_HLT) {
		bool tf = g->rflags & X86_EFLAGS_TF;
		bool btf = g->debugctl & DEBUGCTLMSR_BTF;
		bool bs = g->pending_dbg & VMX_PENDING_DBG_BS;

		if (bs != (tf && !btf))
			return VMX_BROKEN(PENDING_DBG_BS);
	}
	/* no VMCS shadowing: the link pointer must be all ones (SDM 27.3.1.5) */
	if (g->link_pointer != ~0ull)
		return VMX_BROKEN(LINK_POINTER);
	return NULL;
}

/* SDM 27.3.1.6: with EPT, PAE paging takes its PDPTEs from the VMCS */
static const struct vmon_state_rule *vmx_check_pdptes(const struct vmx_guest_state *g)
{
	u64 reserved = vmx_pdpte_reserved();
	int i;

	if (!g->ept || g->ia32e || !(g->cr0 & X86_CR0_PG) || !(g->cr4 & X86_CR4_PAE))
		return NULL;
	for (i = 0; i < 4; i++) {
		u64 pdpte = vmcs_read(GUEST_PDPTR0 + 2 * i);

		if ((pdpte & _PAGE_PRESENT) && (pdpte & reserved))
			return VMX_BROKEN(PDPTE_RESERVED);
	}
	return NULL;
}

/* loaded: the first rule of tables/vmx_guest_checks.h the guest state breaks */
const struct vmon_state_rule *vmx_check_guest_state(struct vmon_vcpu *vcpu)
{
	const struct vmon_state_rule *rule;
	struct vmx_guest_state g;

	vmx_read_guest_state(vcpu, &g);
	rule = vmx_check_control_regs(&g);
	if (!rule)
		rule = vmx_check_segments(&g);
	if (!rule)
		rule = vmx_check_dtables(&g);
	if (!rule)
		rule = vmx_check_rip_rflags(&g);
	if (!rule)
		rule = vmx_check_non_register(&g);
	if (!rule)
		rule = vmx_check_pdptes(&g);
	return rule;
}

/*
 * The rows of tables/vmx_guest_checks.h no SDM edition from 2023 on
 * states, which Bochs 2.7 enforces on CS: RPL equal to the DPL of a
 * non-conforming code segment, not below that of a conforming one
 * (with unrestricted guest the SDM ties the CS DPL to SS.DPL only).
 * Evaluated only after an entry failed, to name it.
 */
static const struct vmon_state_rule *vmx_check_after_refusal(struct vmon_vcpu *vcpu)
{
	struct vmx_guest_state g;
	const struct vmx_seg_state *cs = &g.seg[SEG_CS];
	unsigned int type;

	vmx_read_guest_state(vcpu, &g);
	type = vmx_type(cs);
	if ((type == 9 || type == 11) && vmx_rpl(cs) != vmx_dpl(cs))
		return VMX_BROKEN(CS_RPL_NONCONFORMING);
	if ((type == 13 || type == 15) && vmx_rpl(cs) < vmx_dpl(cs))
		return VMX_BROKEN(CS_RPL_CONFORMING);
	return NULL;
}

/*
 * Loaded, after an entry failed with exit reason 33 (SDM 27.8): put the
 * broken rule's name in place of the hardware's "invalid guest state".
 * If vmon's rules find nothing, the hardware's text stays.
 */
void vmx_name_broken_rule(struct vmon_vcpu *vcpu)
{
	const struct vmon_state_rule *rule = vmx_check_guest_state(vcpu);
	struct vmon_exit *x = &vcpu->exit;

	if (!rule)
		rule = vmx_check_after_refusal(vcpu);

	if (!rule) {
		pr_info_ratelimited("vmon: VM %u vCPU %u: VM entry failed: %s (qualification %llu; no rule of SDM 27.3.1 found broken)\n",
				    vcpu->vm->id, vcpu->id, x->fail.reason, x->fail.qualification);
		return;
	}
	vmon_report_rule(vcpu, rule, false);
	x->fail.reason = rule->text;
	x->fail.rule = rule->id;
}
