// SPDX-License-Identifier: GPL-2.0-only
/*
 * Named entry failures: guest state set from userspace that breaks a
 * rule of VM entry (Intel SDM Vol. 3C 27.3.1) or of VMRUN (AMD APM
 * Vol. 2 15.5.1) makes VMON_RUN return VMON_EXIT_FAIL_ENTRY before any
 * entry: kind VMON_FAIL_GUEST_STATE, hw_exit_reason 0, and the rule's
 * id and text from tables/vmx_guest_checks.h or
 * tables/svm_vmrun_checks.h.  Where one architecture has no such rule
 * (VMRUN checks no segment registers) the same state must run.  After
 * each failure the good state runs again: a check never sticks, and a
 * state the CPU refused leaves nothing behind that the next entry
 * depends on (a guest spinning with interrupts off is still interrupted
 * by the host).
 */
#include <cpuid.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "test_vm.h"

GUEST_BLOB(hlt_guest64, 64, "hlt\n");
GUEST_BLOB(hlt_guest32, 32, "hlt\n");
GUEST_BLOB(hlt_guest16, 16, "hlt\n");
GUEST_BLOB(cli_spin64, 64, "cli\n 1: jmp 1b\n");

struct rule {
	unsigned int id;
	const char *name;
	const char *text;
};

static const struct rule vmx_rules[] = {
#define VMX_GUEST_CHECK(id, name, section, text) { id, #name, text },
#include "../tables/vmx_guest_checks.h"
#undef VMX_GUEST_CHECK
};

static const struct rule svm_rules[] = {
#define SVM_VMRUN_CHECK(id, name, scope, section, text) { id, #name, text },
#include "../tables/svm_vmrun_checks.h"
#undef SVM_VMRUN_CHECK
};

static const struct rule *find_rule(const struct rule *rules, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcmp(rules[i].name, name))
			return &rules[i];
	}
	return NULL;
}

static int set_prechecks(bool on);

#define X86_CR0_PE	(1ULL << 0)
#define X86_CR0_NW	(1ULL << 29)
#define X86_CR0_CD	(1ULL << 30)
#define X86_CR4_PAE	(1ULL << 5)

FIXTURE(checks) {
	struct test_vm t;
	struct vmon_sregs good;
	struct vmon_regs good_regs;
};

FIXTURE_SETUP(checks)
{
	SKIP_IF_NO_VMON();
	ASSERT_OK(test_vm_create(&self->t, VMON_GUEST_LONG));
	ASSERT_OK(test_vm_load_blob(&self->t, hlt_guest64, hlt_guest64_end));
	ASSERT_OK(libvmon_get_sregs(&self->t.cpu, &self->good));
	ASSERT_OK(libvmon_get_regs(&self->t.cpu, &self->good_regs));
}

FIXTURE_TEARDOWN(checks)
{
	set_prechecks(true);
	if (test_have_vmon())
		test_vm_destroy(&self->t);
}

#define PRECHECKS_PARAM	"/sys/module/vmon/parameters/entry_prechecks"

/* 0 on success; -errno when the parameter is missing or read-only */
static int set_prechecks(bool on)
{
	FILE *f = fopen(PRECHECKS_PARAM, "w");
	int r = 0;

	if (!f)
		return -errno;
	if (fputs(on ? "Y\n" : "N\n", f) < 0)
		r = -EIO;
	if (fclose(f))
		r = -errno;
	return r;
}

/*
 * What a refused entry looks like, with (software) and without the
 * pre-entry check; the caller ran the vCPU.
 */
static void expect_refused(struct __test_metadata *_metadata, struct test_vm *t,
			   const struct rule *rule, bool software)
{
	bool vmx = t->vm.caps.backend == VMON_BACKEND_VMX;
	struct vmon_run *run = t->cpu.run;
	__u32 hw = software ? 0 : vmx ? 0x80000021 : 0xffffffff;
	__u32 kind = software || vmx ? VMON_FAIL_GUEST_STATE : VMON_FAIL_VMCB_INVALID;

	ASSERT_EQ(VMON_EXIT_FAIL_ENTRY, run->exit_reason)
		TH_LOG("%s: expected FAIL_ENTRY, got %s",
		       software ? "checked before entry" : "refused by the CPU",
		       test_describe_exit(&t->cpu));
	EXPECT_EQ(kind, run->fail_entry.kind);
	EXPECT_EQ(hw, run->hw_exit_reason)
		TH_LOG("%s: hw_exit_reason 0x%x, expected 0x%x", software ? "checked before entry" :
		       "refused by the CPU", run->hw_exit_reason, hw);
	EXPECT_EQ(rule->id, run->fail_entry.rule)
		TH_LOG("expected rule %u %s (\"%s\"), got rule %u (\"%.*s\")",
		       rule->id, rule->name, rule->text, run->fail_entry.rule,
		       VMON_REASON_LEN, run->fail_entry.reason);
	EXPECT_STREQ(rule->text, run->fail_entry.reason);
	EXPECT_EQ(CODE_GPA, run->regs.rip);
	TH_LOG("%s, %s: rule %u: %s", vmx ? "VMX" : "SVM",
	       software ? "before entry" : "after the CPU refused it",
	       run->fail_entry.rule, run->fail_entry.reason);
}

/*
 * Load the bad state and expect the rule the backend's table calls
 * vmx_name or svm_name, or a normal run where that is NULL; then put
 * the good state back and expect the guest's HLT.  Twice: once with
 * the module's pre-entry check, once with the CPU as the judge (the
 * vmon.entry_prechecks parameter off), which must refuse the same
 * state and get the same rule named after the fact.  An emulator known
 * to miss the rule (hw_deviation says which and why) may accept it.
 */
static void check_rule(struct __test_metadata *_metadata, FIXTURE_DATA(checks) *self,
		       const struct vmon_sregs *bad_sregs, const struct vmon_regs *bad_regs,
		       const char *vmx_name, const char *svm_name, const char *hw_deviation)
{
	bool vmx = self->t.vm.caps.backend == VMON_BACKEND_VMX;
	const char *name = vmx ? vmx_name : svm_name;
	struct vmon_run *run = self->t.cpu.run;
	const struct rule *rule = NULL;
	int pass, r;

	if (name) {
		rule = vmx ? find_rule(vmx_rules, ARRAY_SIZE(vmx_rules), name) :
			     find_rule(svm_rules, ARRAY_SIZE(svm_rules), name);
		ASSERT_NE(NULL, rule) TH_LOG("no rule %s in the table", name);
	}

	for (pass = 0; pass < 2; pass++) {
		bool software = pass == 0;

		r = set_prechecks(software);
		if (r && !software) {
			TH_LOG("cannot turn " PRECHECKS_PARAM " off (%s): CPU verdict not tested",
			       strerror(-r));
			break;
		}
		ASSERT_OK(libvmon_set_sregs(&self->t.cpu, bad_sregs));
		ASSERT_OK(libvmon_set_regs(&self->t.cpu, bad_regs));
		if (rule) {
			ASSERT_EQ(0, libvmon_cpu_run(&self->t.cpu));
			if (!software && hw_deviation && run->exit_reason != VMON_EXIT_FAIL_ENTRY) {
				TH_LOG("known emulator deviation: the CPU ran the guest (%s): %s",
				       test_describe_exit(&self->t.cpu), hw_deviation);
				ASSERT_EQ(VMON_EXIT_HLT, run->exit_reason);
				goto restore;
			}
			expect_refused(_metadata, &self->t, rule, software);
			/* still refused: nothing changed */
			RUN_EXPECT_EXIT(&self->t, VMON_EXIT_FAIL_ENTRY);
			expect_refused(_metadata, &self->t, rule, software);
		} else {
			ASSERT_EQ(0, libvmon_cpu_run(&self->t.cpu));
			ASSERT_NE(VMON_EXIT_FAIL_ENTRY, run->exit_reason)
				TH_LOG("%s has no such rule, yet: %s", vmx ? "VMX" : "SVM",
				       test_describe_exit(&self->t.cpu));
			TH_LOG("%s has no such rule; the guest ran: %s", vmx ? "VMX" : "SVM",
			       test_describe_exit(&self->t.cpu));
			/* a guest that faulted its way to a triple fault stays shut down */
			if (run->exit_reason == VMON_EXIT_SHUTDOWN)
				break;
			ASSERT_EQ(VMON_EXIT_HLT, run->exit_reason);
		}
restore:
		ASSERT_OK(libvmon_set_sregs(&self->t.cpu, &self->good));
		ASSERT_OK(libvmon_set_regs(&self->t.cpu, &self->good_regs));
		RUN_EXPECT_EXIT(&self->t, VMON_EXIT_HLT);
	}
	set_prechecks(true);
}

#define CHECK_SREGS(bad, vmx_name, svm_name) \
	check_rule(_metadata, self, &(bad), &self->good_regs, vmx_name, svm_name, NULL)

/* the same text on both backends for the rules the architectures share */
TEST_F(checks, cs_l_and_cs_d_in_64bit_mode)
{
	struct vmon_sregs bad = self->good;

	bad.cs.db = 1;
	CHECK_SREGS(bad, "CS_L_AND_D", "CS_L_AND_D");
	EXPECT_STREQ(find_rule(vmx_rules, ARRAY_SIZE(vmx_rules), "CS_L_AND_D")->text,
		     find_rule(svm_rules, ARRAY_SIZE(svm_rules), "CS_L_AND_D")->text);
}

TEST_F(checks, long_mode_paging_without_pae)
{
	struct vmon_sregs bad = self->good;

	bad.cr4 &= ~X86_CR4_PAE;
	CHECK_SREGS(bad, "IA32E_WITHOUT_PAE", "LME_PG_WITHOUT_PAE");
}

TEST_F(checks, long_mode_paging_without_pe)
{
	struct vmon_sregs bad = self->good;

	bad.cr0 &= ~X86_CR0_PE;
	CHECK_SREGS(bad, "CR0_PG_WITHOUT_PE", "LME_PG_WITHOUT_PE");
}

/* VMRUN canonicalizes segment bases (APM 15.5.1); VM entry refuses them */
TEST_F(checks, non_canonical_fs_base)
{
	struct vmon_sregs bad = self->good;

	bad.fs.base = 0x8000000000000000ULL;
	CHECK_SREGS(bad, "FS_BASE_CANONICAL", NULL);
}

/* in IA-32e mode TR must be a busy 64-bit TSS (type 11), not a 16-bit one */
TEST_F(checks, tr_type_wrong)
{
	struct vmon_sregs bad = self->good;

	bad.tr.type = 3;
	CHECK_SREGS(bad, "TR_TYPE", NULL);
}

/*
 * A non-conforming CS with a DPL other than SS.DPL.  VMRUN takes CPL
 * from the VMCB (SS.DPL here: 3), so the SVM guest runs at CPL 3, where
 * HLT faults: not an entry failure.  Bochs 2.7 checks the rule of older
 * SDM editions (CS.DPL = CS.RPL) instead and enters.
 */
TEST_F(checks, ss_dpl_differs_from_cs_dpl)
{
	struct vmon_sregs bad = self->good;

	bad.ss.dpl = 3;
	bad.ss.selector |= 3;
	check_rule(_metadata, self, &bad, &self->good_regs, "CS_DPL_NONCONFORMING", NULL,
		   "Bochs 2.7 checks CS.DPL = CS.RPL (older SDM) instead of CS.DPL = SS.DPL");
}

/*
 * CS.RPL 1 with a non-conforming CS of DPL 0 in 64-bit mode: valid for
 * the SDM (with unrestricted guest the CS DPL must only equal SS.DPL,
 * the CPL) and for the APM.  Bochs refuses it after an early VMX text,
 * so vmon must never refuse it beforehand, and must name the refusal
 * when the emulator makes one (rule CS_RPL_NONCONFORMING).
 */
TEST_F(checks, cs_rpl_differs_from_dpl_named_only_after_refusal)
{
	const struct rule *rule = find_rule(vmx_rules, ARRAY_SIZE(vmx_rules),
					    "CS_RPL_NONCONFORMING");
	struct vmon_run *run = self->t.cpu.run;
	struct vmon_sregs bad = self->good;

	ASSERT_NE(NULL, rule);
	bad.cs.selector |= 1;
	ASSERT_OK(libvmon_set_sregs(&self->t.cpu, &bad));
	ASSERT_OK(libvmon_set_regs(&self->t.cpu, &self->good_regs));
	ASSERT_EQ(0, libvmon_cpu_run(&self->t.cpu));
	if (run->exit_reason == VMON_EXIT_FAIL_ENTRY) {
		ASSERT_EQ(VMON_BACKEND_VMX, self->t.vm.caps.backend)
			TH_LOG("SVM refused a state the APM allows: %s",
			       test_describe_exit(&self->t.cpu));
		expect_refused(_metadata, &self->t, rule, false);
	} else {
		ASSERT_EQ(VMON_EXIT_HLT, run->exit_reason)
			TH_LOG("expected the guest's HLT: %s", test_describe_exit(&self->t.cpu));
		TH_LOG("the CPU ran the guest with CS.RPL 1");
	}
	ASSERT_OK(libvmon_set_sregs(&self->t.cpu, &self->good));
	ASSERT_OK(libvmon_set_regs(&self->t.cpu, &self->good_regs));
	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_HLT);
}

TEST_F(checks, ldtr_usable_but_not_an_ldt)
{
	struct vmon_sregs bad = self->good;

	bad.ldt.unusable = 0;
	bad.ldt.present = 1;
	bad.ldt.type = 3;
	bad.ldt.s = 0;
	CHECK_SREGS(bad, "LDTR_TYPE", NULL);
}

TEST_F(checks, data_segment_not_accessed)
{
	struct vmon_sregs bad = self->good;

	bad.ds.type &= ~1;
	CHECK_SREGS(bad, "DS_TYPE_ACCESSED", NULL);
}

/* G=1 needs limit[11:0] all ones (SDM 27.3.1.2) */
TEST_F(checks, cs_granularity_does_not_match_limit)
{
	struct vmon_sregs bad = self->good;

	bad.cs.g = 1;
	bad.cs.limit = 0x12345;
	CHECK_SREGS(bad, "CS_G", NULL);
}

TEST_F(checks, ss_not_writable_data)
{
	struct vmon_sregs bad = self->good;

	bad.ss.type = 0xb;	/* execute/read code */
	CHECK_SREGS(bad, "SS_TYPE", NULL);
}

TEST_F(checks, gdtr_base_not_canonical)
{
	struct vmon_sregs bad = self->good;

	bad.gdt.base = 0x0000800000000000ULL;
	CHECK_SREGS(bad, "GDTR_BASE_CANONICAL", NULL);
}

/*
 * EFER.LME with CR0.PG but LMA clear: VMX loads EFER as given and
 * refuses it; the SVM backend derives LMA itself (APM 14.6.2).
 */
TEST_F(checks, efer_lme_without_lma)
{
	struct vmon_sregs bad = self->good;

	bad.efer &= ~(1ULL << 10);
	CHECK_SREGS(bad, "EFER_LME_NOT_LMA", NULL);
}

/* SET_REGS is checked too: RFLAGS bit 1 must be set (SDM 27.3.1.4) */
TEST_F(checks, rflags_bit1_clear)
{
	struct vmon_regs bad = self->good_regs;

	bad.rflags = 0;
	check_rule(_metadata, self, &self->good, &bad, "RFLAGS_RESERVED", NULL, NULL);
}

/* CR0.NW without CR0.CD: a VMRUN rule VMX entry does not have */
TEST_F(checks, cr0_nw_without_cd)
{
	struct vmon_sregs bad = self->good;

	bad.cr0 = (bad.cr0 | X86_CR0_NW) & ~X86_CR0_CD;
	CHECK_SREGS(bad, NULL, "CR0_NW_WITHOUT_CD");
}

/* MAXPHYADDR of this CPU (CPUID 8000_0008h EAX[7:0]), 36 without the leaf */
static unsigned int phys_addr_bits(void)
{
	unsigned int a, b, c, d;

	if (__get_cpuid_max(0x80000000, NULL) < 0x80000008)
		return 36;
	__cpuid(0x80000008, a, b, c, d);
	return a & 0xff;
}

/*
 * In long mode CR3 may not hold bits beyond the physical-address width:
 * VM entry refuses them for any mode (SDM 27.3.1.1), VMRUN in long mode
 * (APM Vol. 2 15.5.1 with 3.1.2: CR3 bits 51:M are reserved, MBZ).
 */
TEST_F(checks, cr3_beyond_physical_address_width)
{
	struct vmon_sregs bad = self->good;
	unsigned int bits = phys_addr_bits();

	if (bits >= 52)
		SKIP(return, "MAXPHYADDR %u: no reserved CR3 bit below 52", bits);
	bad.cr3 |= 1ULL << bits;
	CHECK_SREGS(bad, "CR3_RESERVED", "CR3_MBZ");
}

/*
 * Outside long mode CR3 is a 32-bit register on AMD (APM Vol. 2 3.1.2);
 * only SET_SREGS can set more, and VMRUN refuses it (QEMU for every bit
 * at or above its address width).  VM entry refuses bits beyond the
 * physical-address width in every mode (SDM 27.3.1.1).
 */
TEST_F(checks, cr3_high_bits_in_protected_mode)
{
	unsigned int bits = phys_addr_bits();
	struct vmon_sregs bad;

	if (bits >= 52)
		SKIP(return, "MAXPHYADDR %u: no reserved CR3 bit below 52", bits);
	test_vm_destroy(&self->t);
	ASSERT_OK(test_vm_create(&self->t, VMON_GUEST_PROT));
	ASSERT_OK(test_vm_load_blob(&self->t, hlt_guest32, hlt_guest32_end));
	ASSERT_OK(libvmon_get_sregs(&self->t.cpu, &self->good));
	ASSERT_OK(libvmon_get_regs(&self->t.cpu, &self->good_regs));
	bad = self->good;
	bad.cr3 |= 1ULL << bits;
	CHECK_SREGS(bad, "CR3_RESERVED", "CR3_MBZ");
}

static void on_sigusr1(int sig)
{
}

static void *kick_after_100ms(void *target)
{
	usleep(100 * 1000);
	pthread_kill(*(pthread_t *)target, SIGUSR1);
	return NULL;
}

/*
 * The CPU refuses a state (the pre-entry check is off), then the good
 * state runs a guest that spins with RFLAGS.IF clear.  Host interrupts
 * must still end its stint, so a signal stops VMON_RUN: nothing the
 * refused entry (or an emulator's handling of it) left in the control
 * state may hand the host's interrupts to the guest.  On SVM that is
 * V_INTR_MASKING (APM 15.21.1), which QEMU 7.2 clears on a refused VMRUN.
 */
TEST_F(checks, refused_entry_keeps_host_interrupts)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };	/* no SA_RESTART */
	struct vmon_sregs bad = self->good;
	unsigned int bits = phys_addr_bits();
	struct vmon_run *run = self->t.cpu.run;
	pthread_t self_thread = pthread_self(), th;
	int r;

	if (bits >= 52)
		SKIP(return, "MAXPHYADDR %u: no reserved CR3 bit below 52", bits);
	if (set_prechecks(false))
		SKIP(return, "cannot turn " PRECHECKS_PARAM " off");
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	bad.cr3 |= 1ULL << bits;
	ASSERT_OK(libvmon_set_sregs(&self->t.cpu, &bad));
	RUN_EXPECT_EXIT(&self->t, VMON_EXIT_FAIL_ENTRY);

	ASSERT_OK(libvmon_set_sregs(&self->t.cpu, &self->good));
	ASSERT_OK(test_vm_load_blob(&self->t, cli_spin64, cli_spin64_end));
	ASSERT_EQ(0, pthread_create(&th, NULL, kick_after_100ms, &self_thread));
	r = libvmon_cpu_run(&self->t.cpu);
	pthread_join(th, NULL);
	ASSERT_EQ(-EINTR, r) TH_LOG("VMON_RUN: expected -EINTR, got %d; exit %s", r,
				    test_describe_exit(&self->t.cpu));
	EXPECT_EQ(VMON_EXIT_INTR, run->exit_reason);
	set_prechecks(true);
}

/* the state libvmon sets for every mode passes the checks, and so does the reset state */
TEST(every_setup_mode_passes)
{
	static const struct {
		enum vmon_guest_mode mode;
		const unsigned char *start, *end;
	} modes[] = {
		{ VMON_GUEST_REAL, hlt_guest16, hlt_guest16_end },
		{ VMON_GUEST_PROT, hlt_guest32, hlt_guest32_end },
		{ VMON_GUEST_LONG, hlt_guest64, hlt_guest64_end },
	};
	struct test_vm t;
	unsigned int i;

	SKIP_IF_NO_VMON();
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		ASSERT_OK(test_vm_create(&t, modes[i].mode));
		ASSERT_OK(test_vm_load_blob(&t, modes[i].start, modes[i].end));
		RUN_EXPECT_EXIT(&t, VMON_EXIT_HLT);
		test_vm_destroy(&t);
	}
	ASSERT_OK(test_vm_create_reset(&t));
	ASSERT_OK(test_vm_load_blob(&t, hlt_guest16, hlt_guest16_end));
	RUN_EXPECT_EXIT(&t, VMON_EXIT_HLT);
	test_vm_destroy(&t);
}

TEST_HARNESS_MAIN
