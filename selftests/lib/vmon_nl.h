/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The generic netlink family "vmon" from the selftests, with libnl-3:
 * one request, its replies parsed by a callback, and the kernel's errno.
 */
#ifndef SELFTEST_VMON_NL_H
#define SELFTEST_VMON_NL_H

#include <stdint.h>
#include <netlink/genl/genl.h>
#include <linux/vmon.h>

struct vnl {
	struct nl_sock *sk;
	int family;
	int exits_group;
	/*
	 * Send requests with write(), no destination address, as a program
	 * that was handed the socket as a file would: the kernel then checks
	 * the socket opener's capabilities too (netlink_capable()).
	 */
	int implicit_dest;
};

/* one exit event, as received */
struct vnl_event {
	uint32_t vm_id, vcpu_id, reason, port;
	uint64_t seq, qualification, gpa, rip, guest_tsc, latency_ns, lost;
	int has_port, has_gpa;
};

/* per-reason statistics of one VMON_A_STATS nest */
struct vnl_reason {
	uint32_t code;
	char name[96];
	uint64_t count, guest_ns, host_ns, hist[VMON_HIST_BUCKETS];
};

#define VNL_MAX_REASONS	64
struct vnl_stats {
	uint64_t exits, user_exits, guest_ns, host_ns, events_lost;
	uint64_t irqs[VMON_STAT_IRQ_SIPI - VMON_STAT_IRQ_IPI + 1];	/* VMON_STAT_IRQ_* */
	unsigned int nr_reasons;
	struct vnl_reason reasons[VNL_MAX_REASONS];
};

struct vnl_vm_info {
	uint32_t id, pid, uid, nr_vcpus;
	uint64_t mem_bytes;
	char name[VMON_NAME_LEN];
	char backend[8];
};

#define VNL_MAX_VMS	64

/* 0 or -errno; a socket for requests (and events when tracing) */
int vnl_open(struct vnl *v);
void vnl_close(struct vnl *v);
/* list the VMs this caller may see; returns how many (<= max) or -errno */
int vnl_list_vms(struct vnl *v, struct vnl_vm_info *vms, int max);
/* the VM created by process pid, -ENOENT if not listed */
int vnl_find_vm(struct vnl *v, uint32_t pid, struct vnl_vm_info *info);
/* stats of the VM (vm_stats) and of vCPU vcpu (vcpu_stats, if not NULL) */
int vnl_get_stats(struct vnl *v, uint32_t vm_id, int vcpu, struct vnl_stats *vm_stats,
		  struct vnl_stats *vcpu_stats);
int vnl_trace_start(struct vnl *v, uint32_t vm_id, const uint32_t *reasons, int nr);
int vnl_trace_stop(struct vnl *v, uint32_t vm_id);
int vnl_get_state(struct vnl *v, uint32_t vm_id, uint32_t vcpu, int *nfields);
/* the VMON_A_LAPIC nest of GET_STATE; -ENOENT without one */
struct vnl_lapic {
	int found;
	uint64_t apic_base;
	uint32_t mp_state;
	uint8_t regs[VMON_LAPIC_REGS_SIZE];
};
int vnl_get_lapic(struct vnl *v, uint32_t vm_id, uint32_t vcpu, struct vnl_lapic *lapic);
/* one field of the state dump: its value and VMON_STATE_FIELD_* flags; -ENOENT if absent */
int vnl_get_state_field(struct vnl *v, uint32_t vm_id, uint32_t vcpu, uint32_t id,
			uint64_t *value, uint32_t *flags);
/*
 * A raw request with the given attributes already added to msg (freed).
 * Exit events queued on the socket before the reply are skipped: a
 * tracing socket reads its events before sending another request.
 */
int vnl_request(struct vnl *v, struct nl_msg *msg, int (*parse)(struct nl_msg *, void *),
		void *arg);
struct nl_msg *vnl_msg(struct vnl *v, uint8_t cmd, int flags);
/*
 * Receive pending events without waiting: up to max into ev; returns how
 * many, or -errno.
 */
int vnl_read_events(struct vnl *v, struct vnl_event *ev, int max);
/* the reason entry with this code, or NULL */
const struct vnl_reason *vnl_reason(const struct vnl_stats *s, uint32_t code);

/* hardware codes the tests look for (SDM Vol. 3C App. C, APM Vol. 2 App. C) */
static inline uint32_t vnl_code_cpuid(uint32_t backend)
{
	return backend == VMON_BACKEND_VMX ? 10 : 0x72;
}

static inline uint32_t vnl_code_io(uint32_t backend)
{
	return backend == VMON_BACKEND_VMX ? 30 : 0x7b;
}

#endif
