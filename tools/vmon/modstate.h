/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Is a kernel module loaded?  Two implementations, one per link variant
 * of vmon: modstate_kmod.c asks libkmod (the dynamic vmon that
 * "make install" installs), modstate_sysfs.c reads /sys/module itself
 * (the static vmon for initramfs images, where no libkmod.so exists:
 * Debian ships libkmod only as a shared library).
 */
#ifndef VMON_MODSTATE_H
#define VMON_MODSTATE_H

enum module_state {
	MODULE_NOT_LOADED,
	MODULE_BUILTIN,
	MODULE_LIVE,
	MODULE_COMING,		/* its init function is still running */
	MODULE_GOING,		/* being unloaded */
};

/* 0 and *state, or -errno; *source names where the answer came from */
int module_state(const char *name, enum module_state *state, const char **source);

#endif /* VMON_MODSTATE_H */
