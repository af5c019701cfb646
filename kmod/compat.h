/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel APIs vmon uses that changed between the kernels it builds
 * for (Debian's 6.1 and 6.12).  Every version check lives here, with the
 * reason for it; the rest of the module is written against the newer API
 * and this header supplies it on older kernels.  Where the newer kernel
 * kept a name but changed its arguments, vmon calls a vmon_* wrapper.
 */
#ifndef VMON_COMPAT_H
#define VMON_COMPAT_H

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/version.h>

/*
 * 6.3: vm_area_struct.vm_flags became const; writers use
 * vm_flags_set()/vm_flags_clear(), which also assert the mmap lock.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * 6.4: rcu_virt_note_context_switch() lost its unused CPU argument.
 * Irqs off: the caller is on the CPU that enters the guest.
 */
static __always_inline void vmon_rcu_note_guest_entry(void)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
	rcu_virt_note_context_switch(smp_processor_id());
#else
	rcu_virt_note_context_switch();
#endif
}

/*
 * 6.4: smp_send_reschedule() became a macro that fires the ipi_send_cpu
 * tracepoint, which <linux/smp.h> uses without declaring it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#include <trace/events/ipi.h>
#endif

/*
 * 6.8: eventfd_signal() lost its count argument (every caller but one
 * passed 1) and returns nothing.
 */
static inline void vmon_eventfd_signal(struct eventfd_ctx *ctx)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
	eventfd_signal(ctx, 1);
#else
	eventfd_signal(ctx);
#endif
}

/*
 * 6.12: kvm_intel/kvm_amd turn VT-x/AMD-V on in every CPU as soon as
 * they load (kvm.enable_virt_at_load, default on), not only while KVM
 * has VMs.  With enable_virt_at_load=0 KVM takes the extension only for
 * its VMs again, and vmon can load while they are idle.  The advice of
 * vmon's refusal to load, for KVM's vendor module MOD.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define VMON_KVM_ADVICE(mod) \
	"'rmmod " mod "' first, or load kvm with enable_virt_at_load=0 " \
	"(kvm.enable_virt_at_load=0 on the kernel command line) so that KVM " \
	"holds it only while it runs VMs"
#else
#define VMON_KVM_ADVICE(mod) \
	"stop KVM's VMs or 'rmmod " mod "' first"
#endif

/*
 * 6.12: struct fd packs the file pointer and its flags into one word;
 * fd_file() is the only way to the file.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
#define fd_file(f) ((f).file)
#endif

#endif /* VMON_COMPAT_H */
