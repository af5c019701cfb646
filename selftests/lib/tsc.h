/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host TSC's rate, to turn RDTSC differences into ns.  The tests and
 * benchmarks scale no guest's TSC: under vmon and KVM alike it is the
 * host's plus an offset, so guest RDTSC differences convert the same way.
 */
#ifndef SELFTEST_TSC_H
#define SELFTEST_TSC_H

#include <stdint.h>
#include <time.h>
#include <unistd.h>

/* the host TSC in kHz, against CLOCK_MONOTONIC over ms milliseconds */
static inline uint64_t test_tsc_khz(unsigned int ms)
{
	struct timespec a, b;
	uint64_t t0, t1, ns;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t0 = __builtin_ia32_rdtsc();
	usleep(ms * 1000);
	clock_gettime(CLOCK_MONOTONIC, &b);
	t1 = __builtin_ia32_rdtsc();
	ns = (b.tv_sec - a.tv_sec) * 1000000000ULL + b.tv_nsec - a.tv_nsec;
	return (t1 - t0) * 1000000ULL / ns;
}

#endif /* SELFTEST_TSC_H */
