/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The versions of the tool and of the module, and the refusal to work
 * with a module of another ABI (VMON_GET_API_VERSION).  The release
 * (VMON_VERSION) is written once, in dkms.conf, for both.
 */
#ifndef VMON_VERSION_H
#define VMON_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* what to do when the ABI versions differ */
#define VMON_API_ADVICE \
	"install vmon and vmon.ko of one release (the packages of one 'make deb', or " \
	"'make install' in one tree), then reload the module: 'modprobe -r vmon; modprobe vmon'"

/* the loaded vmon.ko's release (/sys/module/vmon/version), or NULL */
const char *vmon_module_release(char *buf, size_t len);
/* "vmon.ko 0.2 speaks ABI version 3, this vmon 0.1 speaks ABI version 2" */
void vmon_api_mismatch_msg(char *buf, size_t len, int module_api, const char *module_release);
/*
 * 0 when module_api is this vmon's; else one error line naming both
 * versions and what to do (quiet: none), and -EPROTO.
 */
int vmon_check_api(int module_api, const char *module_release, bool quiet);
/* vmon --version: the tool's and the module's release and ABI */
void vmon_print_versions(FILE *f);

#endif /* VMON_VERSION_H */
