// SPDX-License-Identifier: GPL-2.0
/*
 * Named entry failures, the common part.
 *
 * A VM entry that refuses the guest state says little: VMX gives exit
 * reason 33 with no hint of which of about a hundred rules broke, SVM
 * gives VMEXIT_INVALID.  Each backend therefore checks the rules of its
 * architecture in software (vmx/checks.c, svm/checks.c, from the rule
 * tables in tables/) and names the first one the state breaks:
 *
 *  - before an entry, when userspace set registers since the last
 *    check (SET_REGS, SET_SREGS, SET_MSRS of EFER): the vCPU does not
 *    enter, and VMON_RUN returns VMON_EXIT_FAIL_ENTRY with kind
 *    VMON_FAIL_GUEST_STATE, hw_exit_reason 0, the rule's id and text;
 *  - after the CPU refused an entry, in the backend's exit decoding,
 *    with the hardware's own description as the fallback.
 *
 * State the guest reaches by itself is never checked before entry: the
 * CPU already enforces the rules on the guest's own instructions.
 */
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/string.h>

#include "core.h"

/*
 * Off, userspace's state goes to the CPU unchecked and only the naming
 * after a failed entry remains: the selftests use it to hold the
 * software rules against what the CPU (or emulator) really refuses.
 */
static bool entry_prechecks = true;
module_param(entry_prechecks, bool, 0644);
MODULE_PARM_DESC(entry_prechecks,
		 "check guest state set from userspace before entering (default: on)");

void vmon_report_rule(struct vmon_vcpu *vcpu, const struct vmon_state_rule *rule,
		      bool before_entry)
{
	pr_info_ratelimited("vmon: VM %u vCPU %u: %s: %s (%s, rule %u)\n",
			    vcpu->vm->id, vcpu->id,
			    before_entry ? "guest state refused before entry" :
					   "VM entry failed",
			    rule->text, rule->section, rule->id);
}

/*
 * Caller: VMON_RUN, vcpu->mutex held, before the first entry.  The
 * flag stays set while the state is bad, so every VMON_RUN reports it
 * again until userspace fixes the registers.
 */
bool vmon_check_user_state(struct vmon_vcpu *vcpu)
{
	const struct vmon_state_rule *rule;
	struct vmon_run *run = vcpu->run;

	if (!READ_ONCE(entry_prechecks)) {
		vcpu->state_dirty = false;
		return false;
	}
	rule = vmon_ops->check_guest_state(vcpu);
	if (!rule) {
		vcpu->state_dirty = false;
		return false;
	}

	vmon_report_rule(vcpu, rule, true);
	run->exit_reason = VMON_EXIT_FAIL_ENTRY;
	run->hw_exit_reason = 0;
	memset(&run->fail_entry, 0, sizeof(run->fail_entry));
	run->fail_entry.kind = VMON_FAIL_GUEST_STATE;
	run->fail_entry.rule = rule->id;
	strscpy(run->fail_entry.reason, rule->text, sizeof(run->fail_entry.reason));
	return true;
}
