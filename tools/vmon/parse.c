// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sizes and addresses as users type them, and sizes as users read them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "vmon.h"

/* digits only: strtoull alone would accept "-1", " 5" and octal "010" */
static int parse_number(const char *s, const char **end, uint64_t *out)
{
	int base = 10;
	char *e;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!isxdigit((unsigned char)*s))
			return -EINVAL;
	} else if (!isdigit((unsigned char)*s)) {
		return -EINVAL;
	}
	errno = 0;
	*out = strtoull(s, &e, base);
	if (errno == ERANGE)
		return -ERANGE;
	*end = e;
	return 0;
}

int parse_addr(const char *s, uint64_t *out)
{
	const char *end;
	int ret;

	if (!s)
		return -EINVAL;
	ret = parse_number(s, &end, out);
	if (ret)
		return ret;
	return *end ? -EINVAL : 0;
}

int parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "kmgt";
	const char *end, *unit;
	unsigned int shift = 0;
	uint64_t n;
	int ret;

	if (!s)
		return -EINVAL;
	ret = parse_number(s, &end, &n);
	if (ret)
		return ret;
	if (*end) {
		unit = strchr(units, tolower((unsigned char)*end));
		if (!unit)
			return -EINVAL;
		shift = 10 * (unsigned int)(unit - units + 1);
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
		if (*end)
			return -EINVAL;
	}
	if (shift && n > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = n << shift;
	return 0;
}

const char *format_size(uint64_t size, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned int i = 0;
	uint64_t unit = 1024;

	if (size < 1024) {
		snprintf(buf, len, "%llu byte%s", (unsigned long long)size,
			 size == 1 ? "" : "s");
		return buf;
	}
	while (i + 1 < ARRAY_SIZE(units) && size / unit >= 1024) {
		unit *= 1024;
		i++;
	}
	if (size % unit == 0)
		snprintf(buf, len, "%llu %s", (unsigned long long)(size / unit), units[i]);
	else if ((uint64_t)((double)size / (double)unit * 10 + 0.5) % 10 == 0)
		/* "4.0 KiB" for 4097 bytes would hide the difference */
		snprintf(buf, len, "%llu bytes", (unsigned long long)size);
	else
		snprintf(buf, len, "%.1f %s", (double)size / (double)unit, units[i]);
	return buf;
}
