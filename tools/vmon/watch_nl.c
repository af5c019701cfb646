// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the watching commands add to libvmon's netlink client
 * (libvmon_nl.h): opening it with a message that says what to do,
 * explaining a refused request in one line, and resolving a VM
 * argument.  The library prints nothing; these do.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "vmon.h"
#include "watch.h"

int watch_nl_open(struct libvmon_nl *nl)
{
	int ret = libvmon_nl_open(nl);

	switch (ret) {
	case 0:
		break;
	case -ENOMEM:
		vmon_err("cannot allocate a netlink socket: out of memory");
		break;
	case -ENOENT:
		vmon_err("vmon.ko is not loaded or too old (no generic netlink family \"%s\"): run modprobe vmon",
			 VMON_GENL_NAME);
		break;
	case -EPROTO:
		vmon_err("vmon.ko is not loaded or too old (netlink version %u, this vmon needs %u): run modprobe vmon with a current module",
			 nl->version, VMON_GENL_VERSION);
		break;
	default:
		vmon_err("cannot open a generic netlink socket: %s (is this kernel built with netlink?)",
			 strerror(-ret));
		break;
	}
	return ret;
}

void watch_nl_explain(const struct libvmon_nl *nl, int err, const char *what,
		      int64_t vm_id, int64_t vcpu_id)
{
	char vm[64] = "", why[300] = "";

	if (vm_id >= 0 && vcpu_id >= 0)
		snprintf(vm, sizeof(vm), " VM %lld vCPU %lld", (long long)vm_id, (long long)vcpu_id);
	else if (vm_id >= 0)
		snprintf(vm, sizeof(vm), " VM %lld", (long long)vm_id);
	if (nl->errmsg[0])
		snprintf(why, sizeof(why), " (vmon.ko: %s)", nl->errmsg);

	switch (err) {
	case -EPERM:
	case -EACCES:
		vmon_err("%s%s: permission denied%s: the VM belongs to another user, and watching other users' VMs needs CAP_SYS_ADMIN (run as root, or as the user who started the VM)",
			 what, vm, why);
		break;
	case -ENOENT:
	case -ESRCH:
		if (vcpu_id >= 0)
			vmon_err("%s%s: no such VM or vCPU%s (see 'vmon ps' for VMs and 'vmon stat %lld' for their vCPUs)",
				 what, vm, why, (long long)vm_id);
		else
			vmon_err("%s%s: no such VM%s (see 'vmon ps' for the VMs you can watch)",
				 what, vm, why);
		break;
	case -EOPNOTSUPP:
		vmon_err("%s%s: not supported by this vmon.ko%s (load a current module: modprobe vmon)",
			 what, vm, why);
		break;
	case -EINVAL:
		vmon_err("%s%s: vmon.ko rejected the request as invalid%s (do vmon and vmon.ko come from the same build?)",
			 what, vm, why);
		break;
	case -EBUSY:
	case -EAGAIN:
		vmon_err("%s%s: busy%s (try again)", what, vm, why);
		break;
	default:
		vmon_err("%s%s: %s%s", what, vm, strerror(-err), why);
		break;
	}
}

int parse_count(const char *cmd, const char *opt, const char *arg, uint64_t max, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!arg || arg[0] < '0' || arg[0] > '9')
		goto bad;
	errno = 0;
	x = strtoull(arg, &end, 0);
	if (*end || errno || x > max)
		goto bad;
	*v = x;
	return 0;

bad:
	vmon_err("%s: %s %s: not a number from 0 to %llu", cmd, opt, arg ? arg : "",
		 (unsigned long long)max);
	return -EINVAL;
}

int resolve_vm(struct libvmon_nl *nl, const char *cmd, const char *arg, uint32_t *id)
{
	struct libvmon_vm_info *vms = NULL;
	unsigned int n = 0, i, found = 0;
	uint64_t v;
	int ret;

	if (arg[0] >= '0' && arg[0] <= '9') {
		ret = parse_count(cmd, "VM", arg, UINT32_MAX, &v);
		if (!ret)
			*id = (uint32_t)v;
		return ret;
	}
	ret = libvmon_nl_list_vms(nl, &vms, &n);
	if (ret) {
		watch_nl_explain(nl, ret, cmd, -1, -1);
		return ret;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(vms[i].name, arg))
			continue;
		if (found++)
			break;
		*id = vms[i].id;
	}
	free(vms);
	if (found == 1)
		return 0;
	if (found)
		vmon_err("%s: more than one VM is called '%s' (give its id; see 'vmon ps')",
			 cmd, arg);
	else
		vmon_err("%s: no VM called '%s' that you may watch (see 'vmon ps'; names come from 'vmon run --name')",
			 cmd, arg);
	return -ENOENT;
}
