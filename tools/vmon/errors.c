// SPDX-License-Identifier: GPL-2.0-only
/*
 * One place that prints vmon's error lines, so they all look alike.
 */
#include <stdarg.h>
#include <stdio.h>

#include "vmon.h"

void vmon_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);		/* keep earlier output and the error in order */
	fputs("vmon: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
