/* SPDX-License-Identifier: GPL-2.0-only */
/* RDMSR and WRMSR for guest code compiled into the test binaries */
#ifndef SELFTEST_GUEST_MSR_H
#define SELFTEST_GUEST_MSR_H

#include <stdint.h>

static inline uint64_t guest_rdmsr(uint32_t idx)
{
	uint32_t lo = 0, hi = 0;

	__asm__ volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(idx) : "memory");
	return (uint64_t)hi << 32 | lo;
}

static inline void guest_wrmsr(uint32_t idx, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(idx), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

#endif /* SELFTEST_GUEST_MSR_H */
