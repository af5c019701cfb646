// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module state through libkmod, as modprobe and lsmod see it.
 */
#include <errno.h>
#include <libkmod.h>
#include <stddef.h>

#include "modstate.h"

int module_state(const char *name, enum module_state *state, const char **source)
{
	struct kmod_module *mod;
	struct kmod_ctx *ctx;
	int ret;

	*source = "libkmod";
	ctx = kmod_new(NULL, NULL);
	if (!ctx)
		return -ENOMEM;
	ret = kmod_module_new_from_name(ctx, name, &mod);
	if (ret < 0)
		goto out_ctx;
	ret = kmod_module_get_initstate(mod);
	switch (ret) {
	case KMOD_MODULE_BUILTIN:
		*state = MODULE_BUILTIN;
		break;
	case KMOD_MODULE_LIVE:
		*state = MODULE_LIVE;
		break;
	case KMOD_MODULE_COMING:
		*state = MODULE_COMING;
		break;
	case KMOD_MODULE_GOING:
		*state = MODULE_GOING;
		break;
	default:
		if (ret != -ENOENT)
			goto out_mod;
		*state = MODULE_NOT_LOADED;
		break;
	}
	ret = 0;
out_mod:
	kmod_module_unref(mod);
out_ctx:
	kmod_unref(ctx);
	return ret;
}
