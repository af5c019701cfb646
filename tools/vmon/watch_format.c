// SPDX-License-Identifier: GPL-2.0-only
/*
 * Formatting shared by the watching commands: durations, quantiles of
 * the module's log2 latency histograms, user names.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_tables.h"
#include "watch.h"

const char *format_ns(uint64_t ns, char *buf, size_t len)
{
	if (ns < 1000)
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.2fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

uint64_t hist_total(const uint64_t hist[VMON_HIST_BUCKETS])
{
	uint64_t total = 0;
	unsigned int i;

	for (i = 0; i < VMON_HIST_BUCKETS; i++)
		total += hist[i];
	return total;
}

uint64_t hist_quantile(const uint64_t hist[VMON_HIST_BUCKETS], double q)
{
	uint64_t total = hist_total(hist), cum = 0;
	double rank, lo, hi, frac;
	unsigned int i;

	if (!total || q <= 0)
		return 0;
	if (q > 1)
		q = 1;
	/* the rank-th smallest sample, 1-based (nearest-rank definition) */
	rank = ceil(q * (double)total);
	for (i = 0; i < VMON_HIST_BUCKETS; i++) {
		if (!hist[i] || (double)(cum + hist[i]) < rank) {
			cum += hist[i];
			continue;
		}
		lo = i ? ldexp(1, i) : 0;
		hi = ldexp(1, i + 1);
		/* samples spread evenly over [lo, hi): the k-th of n sits at (k - 0.5) / n */
		frac = (rank - (double)cum - 0.5) / (double)hist[i];
		return (uint64_t)(lo + frac * (hi - lo));
	}
	return (uint64_t)ldexp(1, VMON_HIST_BUCKETS);
}

const char *format_user(uint32_t uid, char *buf, size_t len)
{
	char line[512], *name, *p;
	FILE *f = fopen("/etc/passwd", "re");

	snprintf(buf, len, "%u", uid);
	if (!f)
		return buf;
	while (fgets(line, sizeof(line), f)) {
		/* name:password:uid:... (passwd(5)) */
		name = line;
		p = strchr(line, ':');
		if (!p)
			continue;
		*p++ = '\0';
		p = strchr(p, ':');
		if (!p)
			continue;
		if (strtoul(p + 1, NULL, 10) == uid && p[1] >= '0' && p[1] <= '9') {
			snprintf(buf, len, "%s", name);
			break;
		}
	}
	fclose(f);
	return buf;
}

const char *reason_stats_name(const char *backend, const struct libvmon_reason_stats *r)
{
	const char *name = exit_name(backend_from_name(backend), r->code);

	if (!strcmp(name, "UNKNOWN") && r->name[0])
		return r->name;
	return name;
}
