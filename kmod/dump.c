// SPDX-License-Identifier: GPL-2.0
/*
 * Decoded state dumps: the backend's hardware guest state as id/value
 * pairs, for VMON_GET_STATE_DUMP and the netlink VMON_CMD_GET_STATE.
 *
 * Ids and names come from the backend's decode table (tables/), the
 * same table the tools and Documentation/state-fields.rst use.  What a
 * dump holds, and what it does not (the general registers other than
 * those the hardware keeps), is described in Documentation/api.rst.
 */
#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "core.h"

/*
 * Works for any caller that holds a reference on the vCPU's VM: the
 * owner's ioctl and netlink requests from other processes alike.  Host
 * addresses (the host-state area, physical addresses of vmon's tables)
 * would tell an unprivileged owner where the kernel and its memory are:
 * only CAP_SYS_ADMIN may see them, and the caller decides who has it
 * (show_host): the ioctl asks about the calling task, netlink about the
 * sender and the socket's opener alike (netlink_capable()), so that a
 * socket opened without the capability and handed to a privileged
 * process cannot read them.  The backend state is per CPU, so it is
 * loaded here for the reads.
 */
static int vmon_vcpu_dump_state_locked(struct vmon_vcpu *vcpu, struct vmon_state_field *fields,
				       u32 cap, u32 *nfields, bool show_host)
{
	int n;

	lockdep_assert_held(&vcpu->mutex);
	n = vmon_ops->dump_state(vcpu, fields, min_t(u32, cap, VMON_MAX_STATE_FIELDS),
				 show_host);

	if (n < 0)
		return n;
	if (WARN_ON_ONCE(n > VMON_MAX_STATE_FIELDS))
		return -EIO;
	*nfields = n;
	return (u32)n > cap ? -E2BIG : 0;
}

/* netlink: another task, so the vCPU's mutex is taken here */
int vmon_vcpu_dump_state(struct vmon_vcpu *vcpu, struct vmon_state_field *fields,
			 u32 cap, u32 *nfields, bool show_host)
{
	int r;

	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	vmon_vcpu_access_begin(vcpu);
	r = vmon_vcpu_dump_state_locked(vcpu, fields, cap, nfields, show_host);
	vmon_vcpu_access_end(vcpu);
	mutex_unlock(&vcpu->mutex);
	return r;
}

const char *vmon_state_field_name(u32 id)
{
	return vmon_ops->state_field_name(id);
}

/*
 * VMON_GET_STATE_DUMP.  In: nfields = capacity of fields[].  Out: the
 * header with nfields and backend, then the fields.  When the capacity
 * is too small only the header is written, with the number needed, and
 * the call fails with -E2BIG; a capacity of 0 asks for that number.
 */
int vmon_ioctl_state_dump(struct vmon_vcpu *vcpu, void __user *argp)
{
	struct vmon_state_dump __user *udump = argp;
	struct vmon_state_field *fields;
	struct vmon_state_dump hdr;
	u32 n = 0;
	int r, r2;

	if (copy_from_user(&hdr, udump, sizeof(hdr)))
		return -EFAULT;
	/* backend is output only: a reused struct may hold the last answer */
	if (hdr.reserved[0] || hdr.reserved[1])
		return -EINVAL;

	fields = kvcalloc(VMON_MAX_STATE_FIELDS, sizeof(*fields), GFP_KERNEL_ACCOUNT);
	if (!fields)
		return -ENOMEM;
	r = vmon_vcpu_dump_state_locked(vcpu, fields, hdr.nfields, &n, capable(CAP_SYS_ADMIN));
	if (r && r != -E2BIG)
		goto out;

	hdr.nfields = n;
	hdr.backend = vmon_ops->id;
	r2 = 0;
	if (copy_to_user(udump, &hdr, sizeof(hdr)))
		r2 = -EFAULT;
	else if (!r && n && copy_to_user(udump->fields, fields, array_size(n, sizeof(*fields))))
		r2 = -EFAULT;
	if (r2)
		r = r2;
out:
	kvfree(fields);
	return r;
}
