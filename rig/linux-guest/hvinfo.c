// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvinfo: what a guest of vmon sees of its hypervisor, for the Linux
 * boot check (rig/linux-guest/init).  Linked -static: the guest's
 * initramfs has no C library.
 *
 *   hvinfo tsc     "hvinfo: tsc N": the guest's time-stamp counter now
 *   hvinfo cpuid   "hvinfo: hypervisor bit 1, leaf 0x40000000: max 0x4000000N,
 *                  signature 'vmonvmonvmon'"; exit status 0 only when
 *                  CPUID.1:ECX[31] is set and the signature is the uapi's
 *                  VMON_CPUID_SIGNATURE
 */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>
#include <x86intrin.h>

#include <linux/vmon.h>

#define CPUID1_ECX_HYPERVISOR	(1u << 31)

static int print_cpuid(void)
{
	unsigned int eax, ebx, ecx, edx, hv;
	char sig[13];

	__cpuid(1, eax, ebx, ecx, edx);
	hv = !!(ecx & CPUID1_ECX_HYPERVISOR);
	__cpuid(VMON_CPUID_HYPERVISOR_LEAF, eax, ebx, ecx, edx);
	memcpy(sig, &ebx, 4);
	memcpy(sig + 4, &ecx, 4);
	memcpy(sig + 8, &edx, 4);
	sig[12] = 0;
	printf("hvinfo: hypervisor bit %u, leaf 0x%x: max 0x%x, signature '%s'\n",
	       hv, VMON_CPUID_HYPERVISOR_LEAF, eax, sig);
	if (!hv || strcmp(sig, VMON_CPUID_SIGNATURE)) {
		printf("hvinfo: expected the hypervisor bit and signature '%s'\n",
		       VMON_CPUID_SIGNATURE);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "tsc")) {
		printf("hvinfo: tsc %llu\n", (unsigned long long)__rdtsc());
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "cpuid"))
		return print_cpuid();
	fprintf(stderr, "usage: hvinfo tsc|cpuid\n");
	return 2;
}
