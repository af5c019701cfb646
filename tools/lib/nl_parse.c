// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Replies and events of the generic netlink family "vmon" into the
 * structs of libvmon_nl.h.  Every message is validated against a policy
 * that mirrors the attribute comments of uapi/linux/vmon.h, so a
 * module that breaks the contract gets an error rather than garbage.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "libvmon_nl.h"

static struct nla_policy vm_policy[VMON_A_MAX + 1] = {
	[VMON_A_VM_ID]		= { .type = NLA_U32 },
	[VMON_A_VCPU_ID]	= { .type = NLA_U32 },
	[VMON_A_PID]		= { .type = NLA_U32 },
	[VMON_A_UID]		= { .type = NLA_U32 },
	[VMON_A_NAME]		= { .type = NLA_STRING },
	[VMON_A_NR_VCPUS]	= { .type = NLA_U32 },
	[VMON_A_MEM_BYTES]	= { .type = NLA_U64 },
	[VMON_A_BACKEND]	= { .type = NLA_STRING },
	[VMON_A_STATS]		= { .type = NLA_NESTED },
	[VMON_A_VCPU]		= { .type = NLA_NESTED },
	[VMON_A_REASON]		= { .type = NLA_U32 },
	[VMON_A_FIELD]		= { .type = NLA_NESTED },
	[VMON_A_LAPIC]		= { .type = NLA_NESTED },
};

static struct nla_policy lapic_policy[VMON_LAPIC_A_MAX + 1] = {
	[VMON_LAPIC_A_APIC_BASE]	= { .type = NLA_U64 },
	[VMON_LAPIC_A_MP_STATE]		= { .type = NLA_U32 },
	[VMON_LAPIC_A_REGS]		= { .minlen = VMON_LAPIC_REGS_SIZE },
};

static struct nla_policy stat_policy[VMON_STAT_MAX + 1] = {
	[VMON_STAT_EXITS]	= { .type = NLA_U64 },
	[VMON_STAT_USER_EXITS]	= { .type = NLA_U64 },
	[VMON_STAT_GUEST_NS]	= { .type = NLA_U64 },
	[VMON_STAT_HOST_NS]	= { .type = NLA_U64 },
	[VMON_STAT_EVENTS_LOST]	= { .type = NLA_U64 },
	[VMON_STAT_REASON]	= { .type = NLA_NESTED },
	[VMON_STAT_IRQ_IPI ... VMON_STAT_IRQ_SIPI] = { .type = NLA_U64 },
};

static struct nla_policy rstat_policy[VMON_RSTAT_MAX + 1] = {
	[VMON_RSTAT_CODE]	= { .type = NLA_U32 },
	[VMON_RSTAT_NAME]	= { .type = NLA_STRING },
	[VMON_RSTAT_COUNT]	= { .type = NLA_U64 },
	[VMON_RSTAT_GUEST_NS]	= { .type = NLA_U64 },
	[VMON_RSTAT_HOST_NS]	= { .type = NLA_U64 },
	[VMON_RSTAT_HIST]	= { .type = NLA_UNSPEC,
				    .minlen = VMON_HIST_BUCKETS * sizeof(uint64_t) },
};

static struct nla_policy event_policy[VMON_EV_MAX + 1] = {
	[VMON_EV_VM_ID]		= { .type = NLA_U32 },
	[VMON_EV_VCPU_ID]	= { .type = NLA_U32 },
	[VMON_EV_SEQ]		= { .type = NLA_U64 },
	[VMON_EV_REASON]	= { .type = NLA_U32 },
	[VMON_EV_QUALIFICATION]	= { .type = NLA_U64 },
	[VMON_EV_GPA]		= { .type = NLA_U64 },
	[VMON_EV_PORT]		= { .type = NLA_U32 },
	[VMON_EV_RIP]		= { .type = NLA_U64 },
	[VMON_EV_GUEST_TSC]	= { .type = NLA_U64 },
	[VMON_EV_LATENCY_NS]	= { .type = NLA_U64 },
	[VMON_EV_LOST]		= { .type = NLA_U64 },
};

static struct nla_policy field_policy[VMON_FIELD_MAX + 1] = {
	[VMON_FIELD_ID]		= { .type = NLA_U32 },
	[VMON_FIELD_NAME]	= { .type = NLA_STRING },
	[VMON_FIELD_VALUE]	= { .type = NLA_U64 },
	[VMON_FIELD_FLAGS]	= { .type = NLA_U32 },
};

static uint64_t get_u64(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static uint32_t get_u32(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static void get_str(struct nlattr *a, char *buf, size_t len)
{
	buf[0] = '\0';
	if (a)
		snprintf(buf, len, "%s", nla_get_string(a));
}

static int parse_top(struct nl_msg *msg, struct nlattr **tb)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);

	if (!genlmsg_valid_hdr(h, 0))
		return -EINVAL;
	if (genlmsg_parse(h, 0, tb, VMON_A_MAX, vm_policy) < 0)
		return -EINVAL;
	return 0;
}

static void fill_vm_info(struct nlattr **tb, struct libvmon_vm_info *vi)
{
	memset(vi, 0, sizeof(*vi));
	vi->id = get_u32(tb[VMON_A_VM_ID]);
	vi->pid = get_u32(tb[VMON_A_PID]);
	vi->uid = get_u32(tb[VMON_A_UID]);
	vi->nr_vcpus = get_u32(tb[VMON_A_NR_VCPUS]);
	vi->mem_bytes = get_u64(tb[VMON_A_MEM_BYTES]);
	get_str(tb[VMON_A_NAME], vi->name, sizeof(vi->name));
	get_str(tb[VMON_A_BACKEND], vi->backend, sizeof(vi->backend));
}

int libvmon_parse_vm_info(struct nl_msg *msg, struct libvmon_vm_info *vi)
{
	struct nlattr *tb[VMON_A_MAX + 1];

	if (parse_top(msg, tb) || !tb[VMON_A_VM_ID])
		return -EINVAL;
	fill_vm_info(tb, vi);
	return 0;
}

static int parse_reason(struct nlattr *nest, struct libvmon_reason_stats *r)
{
	struct nlattr *tb[VMON_RSTAT_MAX + 1];

	if (nla_parse_nested(tb, VMON_RSTAT_MAX, nest, rstat_policy) < 0 ||
	    !tb[VMON_RSTAT_CODE])
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->code = get_u32(tb[VMON_RSTAT_CODE]);
	get_str(tb[VMON_RSTAT_NAME], r->name, sizeof(r->name));
	r->count = get_u64(tb[VMON_RSTAT_COUNT]);
	r->guest_ns = get_u64(tb[VMON_RSTAT_GUEST_NS]);
	r->host_ns = get_u64(tb[VMON_RSTAT_HOST_NS]);
	if (tb[VMON_RSTAT_HIST]) {
		if (nla_len(tb[VMON_RSTAT_HIST]) != sizeof(r->hist))
			return -EINVAL;
		memcpy(r->hist, nla_data(tb[VMON_RSTAT_HIST]), sizeof(r->hist));
	}
	return 0;
}

static int parse_stats(struct nlattr *nest, struct libvmon_exit_stats *s)
{
	struct nlattr *tb[VMON_STAT_MAX + 1];
	struct libvmon_reason_stats *r;
	struct nlattr *a;
	unsigned int n = 0, i;
	int rem, ret;

	memset(s, 0, sizeof(*s));
	if (nla_parse_nested(tb, VMON_STAT_MAX, nest, stat_policy) < 0)
		return -EINVAL;
	s->exits = get_u64(tb[VMON_STAT_EXITS]);
	s->user_exits = get_u64(tb[VMON_STAT_USER_EXITS]);
	s->guest_ns = get_u64(tb[VMON_STAT_GUEST_NS]);
	s->host_ns = get_u64(tb[VMON_STAT_HOST_NS]);
	s->events_lost = get_u64(tb[VMON_STAT_EVENTS_LOST]);
	for (i = 0; i < LIBVMON_NR_IRQ_KINDS; i++)
		s->irqs[i] = get_u64(tb[VMON_STAT_IRQ_IPI + i]);

	/* VMON_STAT_REASON repeats: nla_parse kept only the last one */
	nla_for_each_nested(a, nest, rem)
		if (nla_type(a) == VMON_STAT_REASON)
			n++;
	if (!n)
		return 0;
	s->reasons = calloc(n, sizeof(*s->reasons));
	if (!s->reasons)
		return -ENOMEM;
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != VMON_STAT_REASON)
			continue;
		r = &s->reasons[s->nr_reasons];
		ret = parse_reason(a, r);
		if (ret)
			return ret;
		s->nr_reasons++;
	}
	return 0;
}

static void exit_stats_free(struct libvmon_exit_stats *s)
{
	free(s->reasons);
	s->reasons = NULL;
	s->nr_reasons = 0;
}

void libvmon_vm_stats_free(struct libvmon_vm_stats *st)
{
	unsigned int i;

	exit_stats_free(&st->total);
	for (i = 0; i < st->nr_vcpus; i++)
		exit_stats_free(&st->vcpus[i].s);
	free(st->vcpus);
	st->vcpus = NULL;
	st->nr_vcpus = 0;
}

static int parse_vcpu(struct nlattr *nest, struct libvmon_vcpu_stats *v)
{
	struct nlattr *tb[VMON_A_MAX + 1];

	if (nla_parse_nested(tb, VMON_A_MAX, nest, vm_policy) < 0 ||
	    !tb[VMON_A_VCPU_ID] || !tb[VMON_A_STATS])
		return -EINVAL;
	v->id = nla_get_u32(tb[VMON_A_VCPU_ID]);
	return parse_stats(tb[VMON_A_STATS], &v->s);
}

int libvmon_parse_vm_stats(struct nl_msg *msg, struct libvmon_vm_stats *st)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[VMON_A_MAX + 1];
	struct nlattr *a;
	unsigned int n = 0;
	int rem, ret;

	memset(st, 0, sizeof(*st));
	if (parse_top(msg, tb) || !tb[VMON_A_VM_ID] || !tb[VMON_A_STATS])
		return -EINVAL;
	fill_vm_info(tb, &st->info);
	ret = parse_stats(tb[VMON_A_STATS], &st->total);
	if (ret)
		goto err;

	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(h), 0),
			  genlmsg_attrlen(nlmsg_data(h), 0), rem)
		if (nla_type(a) == VMON_A_VCPU)
			n++;
	if (!n)
		return 0;
	st->vcpus = calloc(n, sizeof(*st->vcpus));
	ret = -ENOMEM;
	if (!st->vcpus)
		goto err;
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(h), 0),
			  genlmsg_attrlen(nlmsg_data(h), 0), rem) {
		if (nla_type(a) != VMON_A_VCPU)
			continue;
		ret = parse_vcpu(a, &st->vcpus[st->nr_vcpus]);
		st->nr_vcpus++;		/* so that libvmon_vm_stats_free() frees its reasons */
		if (ret)
			goto err;
	}
	return 0;

err:
	libvmon_vm_stats_free(st);
	return ret;
}

int libvmon_parse_exit_event(struct nl_msg *msg, struct libvmon_exit_event *ev)
{
#define EV64(attr, flag, field) \
	{ attr, LIBVMON_EV_HAS_##flag, offsetof(struct libvmon_exit_event, field) }
	static const struct {
		unsigned int attr, flag;
		size_t off;
	} opt64[] = {
		EV64(VMON_EV_SEQ, SEQ, seq),
		EV64(VMON_EV_QUALIFICATION, QUAL, qual),
		EV64(VMON_EV_GPA, GPA, gpa),
		EV64(VMON_EV_RIP, RIP, rip),
		EV64(VMON_EV_GUEST_TSC, TSC, guest_tsc),
		EV64(VMON_EV_LATENCY_NS, LATENCY, latency_ns),
		EV64(VMON_EV_LOST, LOST, lost),
	};
#undef EV64
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[VMON_EV_MAX + 1];
	unsigned int i;

	memset(ev, 0, sizeof(*ev));
	if (!genlmsg_valid_hdr(h, 0) ||
	    genlmsg_parse(h, 0, tb, VMON_EV_MAX, event_policy) < 0)
		return -EINVAL;
	if (!tb[VMON_EV_VM_ID] || !tb[VMON_EV_VCPU_ID] || !tb[VMON_EV_REASON])
		return -EINVAL;
	ev->vm_id = nla_get_u32(tb[VMON_EV_VM_ID]);
	ev->vcpu_id = nla_get_u32(tb[VMON_EV_VCPU_ID]);
	ev->reason = nla_get_u32(tb[VMON_EV_REASON]);
	if (tb[VMON_EV_PORT]) {
		ev->port = nla_get_u32(tb[VMON_EV_PORT]);
		ev->has |= LIBVMON_EV_HAS_PORT;
	}
	for (i = 0; i < sizeof(opt64) / sizeof(opt64[0]); i++) {
		if (!tb[opt64[i].attr])
			continue;
		*(uint64_t *)((char *)ev + opt64[i].off) = nla_get_u64(tb[opt64[i].attr]);
		ev->has |= opt64[i].flag;
	}
	return 0;
}

void libvmon_state_dump_free(struct libvmon_state_dump *d)
{
	free(d->fields);
	d->fields = NULL;
	d->nr_fields = 0;
}

int libvmon_parse_state_dump(struct nl_msg *msg, struct libvmon_state_dump *d)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[VMON_A_MAX + 1];
	struct nlattr *ftb[VMON_FIELD_MAX + 1];
	struct libvmon_state_value *v;
	struct nlattr *a;
	unsigned int n = 0;
	int rem;

	memset(d, 0, sizeof(*d));
	if (parse_top(msg, tb) || !tb[VMON_A_VM_ID] || !tb[VMON_A_VCPU_ID] ||
	    !tb[VMON_A_BACKEND])
		return -EINVAL;
	d->vm_id = nla_get_u32(tb[VMON_A_VM_ID]);
	d->vcpu_id = nla_get_u32(tb[VMON_A_VCPU_ID]);
	get_str(tb[VMON_A_BACKEND], d->backend, sizeof(d->backend));
	if (tb[VMON_A_LAPIC]) {
		struct nlattr *lt[VMON_LAPIC_A_MAX + 1];

		if (nla_parse_nested(lt, VMON_LAPIC_A_MAX, tb[VMON_A_LAPIC], lapic_policy) < 0 ||
		    !lt[VMON_LAPIC_A_APIC_BASE] || !lt[VMON_LAPIC_A_MP_STATE] ||
		    !lt[VMON_LAPIC_A_REGS] ||
		    nla_len(lt[VMON_LAPIC_A_REGS]) != VMON_LAPIC_REGS_SIZE)
			return -EINVAL;
		d->has_lapic = true;
		d->apic_base = nla_get_u64(lt[VMON_LAPIC_A_APIC_BASE]);
		d->mp_state = nla_get_u32(lt[VMON_LAPIC_A_MP_STATE]);
		memcpy(d->lapic_regs, nla_data(lt[VMON_LAPIC_A_REGS]), VMON_LAPIC_REGS_SIZE);
	}

	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(h), 0),
			  genlmsg_attrlen(nlmsg_data(h), 0), rem)
		if (nla_type(a) == VMON_A_FIELD)
			n++;
	if (!n)
		return 0;
	d->fields = calloc(n, sizeof(*d->fields));
	if (!d->fields)
		return -ENOMEM;
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(h), 0),
			  genlmsg_attrlen(nlmsg_data(h), 0), rem) {
		if (nla_type(a) != VMON_A_FIELD)
			continue;
		if (nla_parse_nested(ftb, VMON_FIELD_MAX, a, field_policy) < 0 ||
		    !ftb[VMON_FIELD_ID] || !ftb[VMON_FIELD_VALUE]) {
			libvmon_state_dump_free(d);
			return -EINVAL;
		}
		v = &d->fields[d->nr_fields++];
		v->id = nla_get_u32(ftb[VMON_FIELD_ID]);
		v->value = nla_get_u64(ftb[VMON_FIELD_VALUE]);
		v->flags = ftb[VMON_FIELD_FLAGS] ? nla_get_u32(ftb[VMON_FIELD_FLAGS]) : 0;
		get_str(ftb[VMON_FIELD_NAME], v->name, sizeof(v->name));
	}
	return 0;
}

const struct libvmon_reason_stats *libvmon_stats_reason(const struct libvmon_exit_stats *s,
							uint32_t code)
{
	unsigned int i;

	for (i = 0; i < s->nr_reasons; i++)
		if (s->reasons[i].code == code)
			return &s->reasons[i];
	return NULL;
}

const struct libvmon_exit_stats *libvmon_stats_vcpu(const struct libvmon_vm_stats *st,
						    uint32_t vcpu)
{
	unsigned int i;

	for (i = 0; i < st->nr_vcpus; i++)
		if (st->vcpus[i].id == vcpu)
			return &st->vcpus[i].s;
	return NULL;
}

const struct libvmon_state_value *libvmon_state_field(const struct libvmon_state_dump *d,
						      uint32_t id)
{
	unsigned int i;

	for (i = 0; i < d->nr_fields; i++)
		if (d->fields[i].id == id)
			return &d->fields[i];
	return NULL;
}
