/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Raw hardware exit codes the netlink tests look for in statistics and
 * exit events (SDM Vol. 3C Appendix C, APM Vol. 2 Appendix C).
 */
#ifndef SELFTEST_EXIT_CODES_H
#define SELFTEST_EXIT_CODES_H

#include <stdint.h>
#include <linux/vmon.h>

/* VMX basic exit reason 10 / SVM exit code 0x72: CPUID */
static inline uint32_t exit_code_cpuid(uint32_t backend)
{
	return backend == VMON_BACKEND_VMX ? 10 : 0x72;
}

/* VMX basic exit reason 30 / SVM exit code 0x7b: I/O instruction */
static inline uint32_t exit_code_io(uint32_t backend)
{
	return backend == VMON_BACKEND_VMX ? 30 : 0x7b;
}

/* VMX basic exit reason 40 / SVM exit code 0x77: PAUSE */
static inline uint32_t exit_code_pause(uint32_t backend)
{
	return backend == VMON_BACKEND_VMX ? 40 : 0x77;
}

#endif
