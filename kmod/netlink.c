// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "vmon" (uapi/linux/vmon.h, last section):
 * list VMs, read exit statistics, trace exits, read a vCPU's state.
 *
 * Every command has its own strict policy: unknown attributes, wrong
 * sizes and reserved header bytes are rejected with -EINVAL before a
 * handler runs (resv_start_op covers all commands).  Handlers find the
 * VM in the registry (vm.c) and hold a reference while they read it, so
 * a VM destroyed meanwhile stays valid until they are done.
 *
 * Who may see what: the uid that created a VM, or CAP_SYS_ADMIN;
 * anyone else gets -EPERM (and LIST_VMS leaves the VM out).  Joining
 * the "exits" group needs CAP_SYS_ADMIN (GENL_MCAST_CAP_SYS_ADMIN).
 *
 * The family lives in the initial network namespace only.
 */
#define pr_fmt(fmt) "vmon: " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "observe.h"

enum vmon_genl_group {
	VMON_GRP_EXITS,
};

static const struct genl_multicast_group vmon_genl_mcgrps[] = {
	[VMON_GRP_EXITS] = {
		.name	= VMON_GENL_MCGRP_EXITS,
		.flags	= GENL_MCAST_CAP_SYS_ADMIN,
	},
};

static struct genl_family vmon_genl_family;

/* ------------------------------------------------------------------ */
/* Permissions and lookup                                              */
/* ------------------------------------------------------------------ */

static bool vmon_nl_may_see(const struct vmon_vm *vm, kuid_t uid, bool admin)
{
	return admin || uid_eq(vm->uid, uid);
}

static bool vmon_nl_admin(struct sk_buff *skb)
{
	/* the sender now, and whoever opened the socket */
	return netlink_capable(skb, CAP_SYS_ADMIN);
}

/* the VM named by VMON_A_VM_ID, referenced, if the sender may see it */
static struct vmon_vm *vmon_nl_get_vm(struct sk_buff *skb, struct genl_info *info)
{
	struct vmon_vm *vm;

	if (GENL_REQ_ATTR_CHECK(info, VMON_A_VM_ID))
		return ERR_PTR(-EINVAL);
	vm = vmon_vm_get_by_id(nla_get_u32(info->attrs[VMON_A_VM_ID]));
	if (!vm) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VMON_A_VM_ID], "no such VM");
		return ERR_PTR(-ENOENT);
	}
	if (!vmon_nl_may_see(vm, current_uid(), vmon_nl_admin(skb))) {
		vmon_vm_put(vm);
		NL_SET_ERR_MSG(info->extack, "VM owned by another user: needs CAP_SYS_ADMIN");
		return ERR_PTR(-EPERM);
	}
	return vm;
}

/* ------------------------------------------------------------------ */
/* VM attributes (LIST_VMS, GET_STATS)                                 */
/* ------------------------------------------------------------------ */

static u64 vmon_nl_mem_bytes(struct vmon_vm *vm)
{
	u64 bytes = 0;
	unsigned int i;

	mutex_lock(&vm->mem_lock);
	for (i = 0; i < VMON_MAX_SLOTS; i++)
		if (vm->slots[i])
			bytes += vm->slots[i]->npages << PAGE_SHIFT;
	mutex_unlock(&vm->mem_lock);
	return bytes;
}

static int vmon_nl_put_vm(struct sk_buff *skb, struct vmon_vm *vm)
{
	char name[VMON_NAME_LEN];
	unsigned int nr_vcpus;

	mutex_lock(&vm->lock);
	memcpy(name, vm->name, sizeof(name));
	nr_vcpus = vm->nr_vcpus;
	mutex_unlock(&vm->lock);
	name[VMON_NAME_LEN - 1] = '\0';

	if (nla_put_u32(skb, VMON_A_VM_ID, vm->id) ||
	    nla_put_u32(skb, VMON_A_PID, vm->pid) ||
	    nla_put_u32(skb, VMON_A_UID, from_kuid_munged(current_user_ns(), vm->uid)) ||
	    nla_put_string(skb, VMON_A_NAME, name) ||
	    nla_put_u32(skb, VMON_A_NR_VCPUS, nr_vcpus) ||
	    nla_put_u64_64bit(skb, VMON_A_MEM_BYTES, vmon_nl_mem_bytes(vm), VMON_A_PAD) ||
	    nla_put_string(skb, VMON_A_BACKEND, vmon_ops->name))
		return -EMSGSIZE;
	return 0;
}

/* ------------------------------------------------------------------ */
/* VMON_CMD_LIST_VMS                                                   */
/* ------------------------------------------------------------------ */

/* cb->args: [0] next VM id, [1] the dumper's uid, [2] CAP_SYS_ADMIN */
static int vmon_nl_list_start(struct netlink_callback *cb)
{
	cb->args[0] = 0;
	cb->args[1] = from_kuid(&init_user_ns, current_uid());
	cb->args[2] = netlink_capable(cb->skb, CAP_SYS_ADMIN);
	return 0;
}

static int vmon_nl_list_vms(struct sk_buff *skb, struct netlink_callback *cb)
{
	kuid_t uid = make_kuid(&init_user_ns, cb->args[1]);
	bool admin = cb->args[2];
	struct vmon_vm *vm;
	u32 id = cb->args[0];
	void *hdr;
	int r;

	for (; (vm = vmon_vm_get_next(&id)); id++) {
		if (!vmon_nl_may_see(vm, uid, admin)) {
			vmon_vm_put(vm);
			continue;
		}
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &vmon_genl_family, NLM_F_MULTI, VMON_CMD_LIST_VMS);
		r = hdr ? vmon_nl_put_vm(skb, vm) : -EMSGSIZE;
		vmon_vm_put(vm);
		if (r) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			break;		/* full: continue from this VM next time */
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = id;
	return skb->len;
}

/* ------------------------------------------------------------------ */
/* VMON_CMD_GET_STATS                                                  */
/* ------------------------------------------------------------------ */

/* a nest longer than nla_len can say would be silently cut */
static int vmon_nl_nest_end(struct sk_buff *skb, struct nlattr *nest)
{
	if (skb_tail_pointer(skb) - (unsigned char *)nest > U16_MAX) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int vmon_nl_put_reason(struct sk_buff *skb, unsigned int idx,
			      const struct vmon_reason_stats *rs)
{
	u32 code = vmon_exit_index_code(idx);
	const char *name = vmon_ops->exit_name(code);
	struct nlattr *nest;

	nest = nla_nest_start(skb, VMON_STAT_REASON);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, VMON_RSTAT_CODE, code) ||
	    nla_put_string(skb, VMON_RSTAT_NAME, name ? name : "unknown") ||
	    nla_put_u64_64bit(skb, VMON_RSTAT_COUNT, rs->count, VMON_RSTAT_PAD) ||
	    nla_put_u64_64bit(skb, VMON_RSTAT_GUEST_NS, rs->guest_ns, VMON_RSTAT_PAD) ||
	    nla_put_u64_64bit(skb, VMON_RSTAT_HOST_NS, rs->host_ns, VMON_RSTAT_PAD) ||
	    nla_put_64bit(skb, VMON_RSTAT_HIST, sizeof(rs->hist), rs->hist, VMON_RSTAT_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	return vmon_nl_nest_end(skb, nest);
}

static int vmon_nl_put_stats(struct sk_buff *skb, const struct vmon_vcpu_stats *s)
{
	struct nlattr *nest;
	unsigned int i;

	nest = nla_nest_start(skb, VMON_A_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, VMON_STAT_EXITS, s->exits, VMON_STAT_PAD) ||
	    nla_put_u64_64bit(skb, VMON_STAT_USER_EXITS, s->user_exits, VMON_STAT_PAD) ||
	    nla_put_u64_64bit(skb, VMON_STAT_GUEST_NS, s->guest_ns, VMON_STAT_PAD) ||
	    nla_put_u64_64bit(skb, VMON_STAT_HOST_NS, s->host_ns, VMON_STAT_PAD) ||
	    nla_put_u64_64bit(skb, VMON_STAT_EVENTS_LOST, s->events_lost, VMON_STAT_PAD))
		goto err;
	BUILD_BUG_ON(VMON_STAT_IRQ_SIPI - VMON_STAT_IRQ_IPI != VMON_IRQ_NR - 1);
	for (i = 0; i < VMON_IRQ_NR; i++)
		if (nla_put_u64_64bit(skb, VMON_STAT_IRQ_IPI + i, atomic64_read(&s->irqs[i]),
				      VMON_STAT_PAD))
			goto err;
	for (i = 0; i < VMON_XIDX_NR; i++)
		if (s->reason[i].count && vmon_nl_put_reason(skb, i, &s->reason[i]))
			goto err;
	return vmon_nl_nest_end(skb, nest);
err:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* reasons with a count: sizes the reply */
static unsigned int vmon_nl_nr_reasons(const struct vmon_vcpu_stats *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < VMON_XIDX_NR; i++)
		n += !!s->reason[i].count;
	return n;
}

#define VMON_NL_REASON_SIZE	(512 + VMON_HIST_BUCKETS * sizeof(u64))
#define VMON_NL_STATS_SIZE	256

static int vmon_nl_fill_stats(struct sk_buff *skb, struct genl_info *info, struct vmon_vm *vm,
			      int only_vcpu, struct vmon_vcpu_stats *sum,
			      struct vmon_vcpu_stats *one)
{
	struct vmon_vcpu *vcpu;
	struct nlattr *nest;
	unsigned int i;
	void *hdr;

	hdr = genlmsg_put_reply(skb, info, &vmon_genl_family, 0, VMON_CMD_GET_STATS);
	if (!hdr || vmon_nl_put_vm(skb, vm) || vmon_nl_put_stats(skb, sum))
		return -EMSGSIZE;
	for (i = 0; i < VMON_MAX_VCPUS; i++) {
		/* pairs with the publication in vmon_ioctl_create_vcpu() */
		vcpu = smp_load_acquire(&vm->vcpus[i]);
		if (!vcpu || (only_vcpu >= 0 && i != only_vcpu))
			continue;
		memset(one, 0, sizeof(*one));
		vmon_stats_read(vcpu->stats, one);
		nest = nla_nest_start(skb, VMON_A_VCPU);
		if (!nest || nla_put_u32(skb, VMON_A_VCPU_ID, i) ||
		    vmon_nl_put_stats(skb, one) || vmon_nl_nest_end(skb, nest))
			return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int vmon_nl_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct vmon_vcpu_stats *sum, *one;
	int only_vcpu = -1, attempt, r;
	struct vmon_vcpu *vcpu;
	struct sk_buff *msg;
	unsigned int i, nr;
	struct vmon_vm *vm;
	size_t size;

	vm = vmon_nl_get_vm(skb, info);
	if (IS_ERR(vm))
		return PTR_ERR(vm);

	if (info->attrs[VMON_A_VCPU_ID]) {
		only_vcpu = nla_get_u32(info->attrs[VMON_A_VCPU_ID]);
		/* pairs with the publication in vmon_ioctl_create_vcpu() */
		if (!smp_load_acquire(&vm->vcpus[only_vcpu])) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VMON_A_VCPU_ID],
					    "no such vCPU in this VM");
			r = -ENOENT;
			goto out_put;
		}
	}

	r = -ENOMEM;
	sum = vmon_stats_alloc();
	one = vmon_stats_alloc();
	if (!sum || !one)
		goto out_free;

	/* the whole VM first: also an upper bound for each vCPU's reasons */
	nr = 0;
	for (i = 0; i < VMON_MAX_VCPUS; i++) {
		/* pairs with the publication in vmon_ioctl_create_vcpu() */
		vcpu = smp_load_acquire(&vm->vcpus[i]);
		if (vcpu) {
			vmon_stats_read(vcpu->stats, sum);
			nr++;
		}
	}
	/* a vCPU still running may meet new reasons meanwhile: some slack */
	size = (1 + nr) * (VMON_NL_STATS_SIZE +
			   (vmon_nl_nr_reasons(sum) + 4) * VMON_NL_REASON_SIZE) + 512;

	for (attempt = 0; attempt < 3; attempt++, size *= 2) {
		msg = genlmsg_new(size, GFP_KERNEL);
		if (!msg) {
			r = -ENOMEM;
			break;
		}
		r = vmon_nl_fill_stats(msg, info, vm, only_vcpu, sum, one);
		if (!r) {
			r = genlmsg_reply(msg, info);
			break;
		}
		nlmsg_free(msg);
	}
out_free:
	vmon_stats_free(one);
	vmon_stats_free(sum);
out_put:
	vmon_vm_put(vm);
	return r;
}

/* ------------------------------------------------------------------ */
/* VMON_CMD_TRACE_START / VMON_CMD_TRACE_STOP                          */
/* ------------------------------------------------------------------ */

static int vmon_nl_trace_start(struct sk_buff *skb, struct genl_info *info)
{
	unsigned int nr = 0;
	struct vmon_vm *vm;
	struct nlattr *a;
	u32 *reasons;
	int rem, r;

	vm = vmon_nl_get_vm(skb, info);
	if (IS_ERR(vm))
		return PTR_ERR(vm);

	/* every VMON_A_REASON of the message: the policy checked their size */
	reasons = kcalloc(VMON_XIDX_NR, sizeof(*reasons), GFP_KERNEL);
	r = -ENOMEM;
	if (!reasons)
		goto out_put;
	r = 0;
	nlmsg_for_each_attr(a, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(a) != VMON_A_REASON)
			continue;
		if (nr == VMON_XIDX_NR) {
			NL_SET_ERR_MSG_ATTR(info->extack, a, "too many VMON_A_REASON filters");
			r = -E2BIG;
			break;
		}
		reasons[nr++] = nla_get_u32(a);
	}
	if (!r)
		r = vmon_trace_start(vm, NETLINK_CB(skb).sk, info->snd_portid, reasons, nr);
	kfree(reasons);
out_put:
	vmon_vm_put(vm);
	return r;
}

static int vmon_nl_trace_stop(struct sk_buff *skb, struct genl_info *info)
{
	struct vmon_vm *vm;
	int r;

	vm = vmon_nl_get_vm(skb, info);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	r = vmon_trace_stop(vm, info->snd_portid);
	if (r)
		NL_SET_ERR_MSG(info->extack, "this socket is not tracing the VM");
	vmon_vm_put(vm);
	return r;
}

/* ------------------------------------------------------------------ */
/* VMON_CMD_GET_STATE                                                  */
/* ------------------------------------------------------------------ */

static int vmon_nl_put_field(struct sk_buff *skb, const struct vmon_state_field *f)
{
	const char *name = vmon_state_field_name(f->id);
	struct nlattr *nest;

	nest = nla_nest_start(skb, VMON_A_FIELD);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, VMON_FIELD_ID, f->id) ||
	    (name && nla_put_string(skb, VMON_FIELD_NAME, name)) ||
	    nla_put_u64_64bit(skb, VMON_FIELD_VALUE, f->value, VMON_FIELD_PAD) ||
	    (f->flags && nla_put_u32(skb, VMON_FIELD_FLAGS, f->flags))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* the local APIC: its base, MP state and register page (lapic.c) */
static int vmon_nl_put_lapic(struct sk_buff *skb, const struct vmon_lapic_state *s,
			     u32 mp_state)
{
	struct nlattr *nest = nla_nest_start(skb, VMON_A_LAPIC);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, VMON_LAPIC_A_APIC_BASE, s->apic_base, VMON_LAPIC_A_PAD) ||
	    nla_put_u32(skb, VMON_LAPIC_A_MP_STATE, mp_state) ||
	    nla_put(skb, VMON_LAPIC_A_REGS, sizeof(s->regs), s->regs)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * Waits (killable) while the vCPU is inside VMON_RUN: the state is read
 * between two runs, when it is the state userspace sees.
 */
static int vmon_nl_get_state(struct sk_buff *skb, struct genl_info *info)
{
	struct vmon_state_field *fields = NULL;
	struct vmon_lapic_state *lapic = NULL;
	struct vmon_vcpu *vcpu;
	u32 mp_state = 0;
	struct sk_buff *msg;
	struct vmon_vm *vm;
	u32 i, n = 0;
	void *hdr;
	int r;

	vm = vmon_nl_get_vm(skb, info);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	r = -EINVAL;
	if (GENL_REQ_ATTR_CHECK(info, VMON_A_VCPU_ID))
		goto out;
	i = nla_get_u32(info->attrs[VMON_A_VCPU_ID]);
	/* pairs with the publication in vmon_ioctl_create_vcpu() */
	vcpu = smp_load_acquire(&vm->vcpus[i]);
	r = -ENOENT;
	if (!vcpu) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VMON_A_VCPU_ID],
				    "no such vCPU in this VM");
		goto out;
	}

	r = -ENOMEM;
	fields = kvcalloc(VMON_MAX_STATE_FIELDS, sizeof(*fields), GFP_KERNEL);
	if (!fields)
		goto out;
	r = vmon_vcpu_dump_state(vcpu, fields, VMON_MAX_STATE_FIELDS, &n,
				 vmon_nl_admin(skb));
	if (r)
		goto out;
	r = -ENOMEM;
	lapic = kzalloc(sizeof(*lapic), GFP_KERNEL);
	if (!lapic)
		goto out;
	r = vmon_lapic_read_state(vcpu, lapic, &mp_state);
	if (r)
		goto out;

	r = -ENOMEM;
	/* ID 8, NAME up to 64, VALUE 12 (+4 pad), FLAGS 8, nest 4; the APIC page */
	msg = genlmsg_new(256 + (size_t)n * 96 + VMON_LAPIC_REGS_SIZE + 64, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &vmon_genl_family, 0, VMON_CMD_GET_STATE);
	r = -EMSGSIZE;
	if (!hdr || nla_put_u32(msg, VMON_A_VM_ID, vm->id) ||
	    nla_put_u32(msg, VMON_A_VCPU_ID, vcpu->id) ||
	    nla_put_string(msg, VMON_A_BACKEND, vmon_ops->name))
		goto out_free_msg;
	for (i = 0; i < n; i++)
		if (vmon_nl_put_field(msg, &fields[i]))
			goto out_free_msg;
	if (vmon_nl_put_lapic(msg, lapic, mp_state))
		goto out_free_msg;
	genlmsg_end(msg, hdr);
	r = genlmsg_reply(msg, info);
	goto out;

out_free_msg:
	nlmsg_free(msg);
out:
	kfree(lapic);
	kvfree(fields);
	vmon_vm_put(vm);
	return r;
}

/* ------------------------------------------------------------------ */
/* Exit events (trace.c decides who gets them)                         */
/* ------------------------------------------------------------------ */

/*
 * Exactly what an event holds: an skb sized to fit is never trimmed
 * (netlink_trim() may reallocate with GFP_KERNEL) on its way out.
 */
#define VMON_NL_EVENT_SIZE	(4 * nla_total_size(sizeof(u32)) + \
				 7 * nla_total_size_64bit(sizeof(u64)))

/* GFP_NOWAIT: called by a vCPU thread that must not wait for memory */
struct sk_buff *vmon_netlink_event(struct vmon_vcpu *vcpu, u64 latency_ns, u64 lost)
{
	const struct vmon_vcpu_stats *s = vcpu->stats;
	const struct vmon_exit *x = &vcpu->exit;
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(VMON_NL_EVENT_SIZE, GFP_NOWAIT | __GFP_NOWARN);
	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, 0, 0, &vmon_genl_family, 0, VMON_CMD_EXIT_EVENT);
	if (!hdr)
		goto err;
	if (nla_put_u32(skb, VMON_EV_VM_ID, vcpu->vm->id) ||
	    nla_put_u32(skb, VMON_EV_VCPU_ID, vcpu->id) ||
	    nla_put_u64_64bit(skb, VMON_EV_SEQ, vcpu->exit_count, VMON_EV_PAD) ||
	    nla_put_u32(skb, VMON_EV_REASON, x->hw_reason) ||
	    nla_put_u64_64bit(skb, VMON_EV_QUALIFICATION, x->qualification, VMON_EV_PAD) ||
	    nla_put_u64_64bit(skb, VMON_EV_RIP, s->exit_rip, VMON_EV_PAD) ||
	    nla_put_u64_64bit(skb, VMON_EV_GUEST_TSC, s->exit_guest_tsc, VMON_EV_PAD) ||
	    nla_put_u64_64bit(skb, VMON_EV_LATENCY_NS, latency_ns, VMON_EV_PAD) ||
	    nla_put_u64_64bit(skb, VMON_EV_LOST, lost, VMON_EV_PAD))
		goto err;
	if (x->kind == VMON_X_IO && nla_put_u32(skb, VMON_EV_PORT, x->io.port))
		goto err;
	if (x->kind == VMON_X_TDP_FAULT &&
	    nla_put_u64_64bit(skb, VMON_EV_GPA, x->tdp.gpa, VMON_EV_PAD))
		goto err;
	genlmsg_end(skb, hdr);
	return skb;
err:
	nlmsg_free(skb);
	return NULL;
}

/* never waits for room: a full receive buffer drops (and frees) skb */
int vmon_netlink_unicast(struct sk_buff *skb, u32 portid)
{
	return genlmsg_unicast(&init_net, skb, portid);
}

int vmon_netlink_multicast(struct sk_buff *skb)
{
	return genlmsg_multicast(&vmon_genl_family, skb, 0, VMON_GRP_EXITS, GFP_NOWAIT);
}

bool vmon_netlink_has_listeners(void)
{
	return genl_has_listeners(&vmon_genl_family, &init_net, VMON_GRP_EXITS) > 0;
}

/* ------------------------------------------------------------------ */
/* The family                                                          */
/* ------------------------------------------------------------------ */

static const struct nla_policy vmon_nl_vm_policy[VMON_A_MAX + 1] = {
	[VMON_A_VM_ID]		= { .type = NLA_U32 },
};

static const struct nla_policy vmon_nl_vcpu_policy[VMON_A_MAX + 1] = {
	[VMON_A_VM_ID]		= { .type = NLA_U32 },
	[VMON_A_VCPU_ID]	= NLA_POLICY_MAX(NLA_U32, VMON_MAX_VCPUS - 1),
};

static const struct nla_policy vmon_nl_trace_policy[VMON_A_MAX + 1] = {
	[VMON_A_VM_ID]		= { .type = NLA_U32 },
	[VMON_A_REASON]		= { .type = NLA_U32 },
};

static const struct genl_ops vmon_genl_ops[] = {
	{
		/* no policy: any attribute is rejected */
		.cmd		= VMON_CMD_LIST_VMS,
		.start		= vmon_nl_list_start,
		.dumpit		= vmon_nl_list_vms,
	},
	{
		.cmd		= VMON_CMD_GET_STATS,
		.doit		= vmon_nl_get_stats,
		.policy		= vmon_nl_vcpu_policy,
		.maxattr	= VMON_A_MAX,
	},
	{
		.cmd		= VMON_CMD_TRACE_START,
		.doit		= vmon_nl_trace_start,
		.policy		= vmon_nl_trace_policy,
		.maxattr	= VMON_A_MAX,
	},
	{
		.cmd		= VMON_CMD_TRACE_STOP,
		.doit		= vmon_nl_trace_stop,
		.policy		= vmon_nl_vm_policy,
		.maxattr	= VMON_A_MAX,
	},
	{
		.cmd		= VMON_CMD_GET_STATE,
		.doit		= vmon_nl_get_state,
		.policy		= vmon_nl_vcpu_policy,
		.maxattr	= VMON_A_MAX,
	},
};

static struct genl_family vmon_genl_family __ro_after_init = {
	.name		= VMON_GENL_NAME,
	.version	= VMON_GENL_VERSION,
	.maxattr	= VMON_A_MAX,
	.netnsok	= false,
	/* no handler relies on genl_mutex; GET_STATE may wait for a vCPU */
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= vmon_genl_ops,
	.n_ops		= ARRAY_SIZE(vmon_genl_ops),
	.mcgrps		= vmon_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(vmon_genl_mcgrps),
	/* strict header and policies for every command */
	.resv_start_op	= VMON_CMD_LIST_VMS,
};

int vmon_netlink_init(void)
{
	int r;

	r = vmon_stats_setup();
	if (r)
		return r;
	r = vmon_trace_init();
	if (r)
		return r;
	r = genl_register_family(&vmon_genl_family);
	if (r) {
		vmon_trace_exit_module();
		return r;
	}
	return 0;
}

/* no VM exists any more (main.c); in-flight commands finish first */
void vmon_netlink_exit(void)
{
	genl_unregister_family(&vmon_genl_family);
	vmon_trace_exit_module();
}
