// SPDX-License-Identifier: GPL-2.0-only
/*
 * Module state from /sys/module/NAME/initstate, the file libkmod itself
 * reads: for the static vmon, which cannot link libkmod.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "modstate.h"

int module_state(const char *name, enum module_state *state, const char **source)
{
	char path[256], word[16] = "";
	struct stat st;
	FILE *f;

	*source = "/sys/module";
	snprintf(path, sizeof(path), "/sys/module/%s", name);
	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			return -errno;
		*state = MODULE_NOT_LOADED;
		return 0;
	}
	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	f = fopen(path, "r");
	if (!f) {
		/* built-in modules have a directory but no initstate */
		if (errno != ENOENT)
			return -errno;
		*state = MODULE_BUILTIN;
		return 0;
	}
	if (!fgets(word, sizeof(word), f))
		word[0] = 0;
	fclose(f);
	word[strcspn(word, "\n")] = 0;
	if (!strcmp(word, "live"))
		*state = MODULE_LIVE;
	else if (!strcmp(word, "coming"))
		*state = MODULE_COMING;
	else if (!strcmp(word, "going"))
		*state = MODULE_GOING;
	else
		return -EPROTO;
	return 0;
}
