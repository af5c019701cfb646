// SPDX-License-Identifier: GPL-2.0
/*
 * Module init and exit: choose a backend, enable virtualization on every
 * online CPU (and on CPUs that come online later), then open /dev/vmon.
 *
 * Backends are tried in a fixed order; the first whose check_support()
 * returns 0 is used for the lifetime of the module.  -ENODEV means "not
 * this vendor" and lets the next backend try; any other error means the
 * extension exists but cannot be used (firmware, another hypervisor) and
 * the backend has already printed why.
 */
#define pr_fmt(fmt) "vmon: " fmt

#include <linux/cpuhotplug.h>
#include <linux/module.h>
#include <linux/preempt.h>

#include "core.h"
#include "observe.h"
#include "spec.h"

const struct vmon_backend_ops *vmon_ops;

/* the static calls of the exit path (backend.h), one per operation */
DEFINE_STATIC_CALL_NULL(vmon_op_vcpu_load, *vmon_ops->vcpu_load);
DEFINE_STATIC_CALL_NULL(vmon_op_vcpu_put, *vmon_ops->vcpu_put);
DEFINE_STATIC_CALL_NULL(vmon_op_run, *vmon_ops->run);
DEFINE_STATIC_CALL_NULL(vmon_op_skip_instruction, *vmon_ops->skip_instruction);
DEFINE_STATIC_CALL_NULL(vmon_op_event_pending, *vmon_ops->event_pending);
DEFINE_STATIC_CALL_NULL(vmon_op_interrupt_allowed, *vmon_ops->interrupt_allowed);
DEFINE_STATIC_CALL_NULL(vmon_op_nmi_allowed, *vmon_ops->nmi_allowed);
DEFINE_STATIC_CALL_NULL(vmon_op_inject_irq, *vmon_ops->inject_irq);
DEFINE_STATIC_CALL_NULL(vmon_op_inject_nmi, *vmon_ops->inject_nmi);
DEFINE_STATIC_CALL_NULL(vmon_op_set_event_windows, *vmon_ops->set_event_windows);
DEFINE_STATIC_CALL_NULL(vmon_op_get_cr8, *vmon_ops->get_cr8);
DEFINE_STATIC_CALL_NULL(vmon_op_set_cr8, *vmon_ops->set_cr8);

/* the chosen backend's functions into them: a NULL static call does nothing */
static void vmon_set_static_ops(void)
{
	static_call_update(vmon_op_vcpu_load, vmon_ops->vcpu_load);
	static_call_update(vmon_op_vcpu_put, vmon_ops->vcpu_put);
	static_call_update(vmon_op_run, vmon_ops->run);
	static_call_update(vmon_op_skip_instruction, vmon_ops->skip_instruction);
	static_call_update(vmon_op_event_pending, vmon_ops->event_pending);
	static_call_update(vmon_op_interrupt_allowed, vmon_ops->interrupt_allowed);
	static_call_update(vmon_op_nmi_allowed, vmon_ops->nmi_allowed);
	static_call_update(vmon_op_inject_irq, vmon_ops->inject_irq);
	static_call_update(vmon_op_inject_nmi, vmon_ops->inject_nmi);
	static_call_update(vmon_op_set_event_windows, vmon_ops->set_event_windows);
	static_call_update(vmon_op_get_cr8, vmon_ops->get_cr8);
	static_call_update(vmon_op_set_cr8, vmon_ops->set_cr8);
}

static const struct vmon_backend_ops *const vmon_backends[] = {
#ifdef VMON_WITH_VMX
	&vmx_backend_ops,
#endif
#ifdef VMON_WITH_SVM
	&svm_backend_ops,
#endif
};

/* the dynamic cpuhp state returned by cpuhp_setup_state() */
static int vmon_cpuhp_state;

/*
 * cpuhp callbacks of an AP state run in the hotplug thread bound to the
 * CPU concerned, with preemption enabled; the backend contract asks for
 * preemption off, so that per-CPU state cannot be torn by a migration.
 */
static int vmon_cpu_online(unsigned int cpu)
{
	int r;

	preempt_disable();
	r = vmon_ops->cpu_enable();
	preempt_enable();
	return r;
}

static int vmon_cpu_offline(unsigned int cpu)
{
	preempt_disable();
	vmon_ops->cpu_disable();
	preempt_enable();
	return 0;
}

static int vmon_choose_backend(void)
{
	unsigned int i;
	int r;

	for (i = 0; i < ARRAY_SIZE(vmon_backends); i++) {
		r = vmon_backends[i]->check_support();
		if (!r) {
			vmon_ops = vmon_backends[i];
			vmon_set_static_ops();
			return 0;
		}
		if (r != -ENODEV)
			return r;	/* the backend printed the reason */
	}
	if (!ARRAY_SIZE(vmon_backends))
		pr_err("built without a backend (VMON_VMX=n VMON_SVM=n)\n");
	else
		pr_err("this CPU has neither Intel VT-x nor AMD-V\n");
	return -ENODEV;
}

static int __init vmon_init(void)
{
	const struct vmon_tdp_format *fmt;
	int r;

	r = vmon_choose_backend();
	if (r)
		return r;

	r = vmon_fpu_setup();
	if (r)
		return r;

	r = vmon_ops->hardware_setup();
	if (r)
		return r;

	r = vmon_spec_setup(vmon_ops->id);	/* after the backend: VMX is usable */
	if (r)
		goto err_unsetup;

	fmt = vmon_ops->tdp_format();
	if (WARN_ON(!fmt || (fmt->levels != 4 && fmt->levels != 5))) {
		r = -EINVAL;
		goto err_unsetup;
	}

	r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "vmon:online",
			      vmon_cpu_online, vmon_cpu_offline);
	if (r < 0)
		goto err_unsetup;
	vmon_cpuhp_state = r;

	r = vmon_irqfd_setup();
	if (r)
		goto err_cpuhp;

	r = vmon_netlink_init();		/* before /dev/vmon: no VM exists yet */
	if (r)
		goto err_irqfd;

	/* the run loop keeps a vCPU loaded across reschedules (vcpu.c) */
	preempt_notifier_inc();
	r = vmon_dev_init();
	if (r)
		goto err_notifier;

	pr_info("using %s, %s with %u levels\n", vmon_ops->name, fmt->name, fmt->levels);
	return 0;

err_notifier:
	preempt_notifier_dec();
	vmon_netlink_exit();
err_irqfd:
	vmon_irqfd_unsetup();
err_cpuhp:
	cpuhp_remove_state(vmon_cpuhp_state);
err_unsetup:
	vmon_spec_unsetup();
	vmon_ops->hardware_unsetup();
	return r;
}

/*
 * No VM can exist here: every VM and vCPU fd holds a reference on this
 * module (their file_operations have .owner = THIS_MODULE), so exit runs
 * only after the last of them was released.
 */
static void __exit vmon_exit(void)
{
	vmon_dev_exit();
	preempt_notifier_dec();
	vmon_netlink_exit();
	vmon_irqfd_unsetup();
	cpuhp_remove_state(vmon_cpuhp_state);
	vmon_spec_unsetup();
	vmon_ops->hardware_unsetup();
}

module_init(vmon_init);
module_exit(vmon_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("vmon developers");
MODULE_DESCRIPTION("vmon: a small hypervisor on Intel VT-x and AMD-V");
MODULE_VERSION(VMON_VERSION);
