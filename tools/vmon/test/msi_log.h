/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For host unit tests of devices that send MSIs (the I/O APIC, PCI
 * MSI-X): a machine hook that records each message instead of
 * delivering it.  Pass a struct msi_log as the hooks' opaque.
 */
#ifndef VMON_TEST_MSI_LOG_H
#define VMON_TEST_MSI_LOG_H

#include <stdint.h>

#include "machine.h"

#define MAX_MSIS	16

struct msi_log {
	unsigned int n;			/* all sent, even beyond MAX_MSIS */
	uint64_t address[MAX_MSIS];
	uint32_t data[MAX_MSIS];
};

static inline int log_msi(void *opaque, uint64_t address, uint32_t data)
{
	struct msi_log *log = opaque;

	if (log->n < MAX_MSIS) {
		log->address[log->n] = address;
		log->data[log->n] = data;
	}
	log->n++;
	return 0;
}

static const struct machine_hooks test_hooks = { .send_msi = log_msi };

#endif /* VMON_TEST_MSI_LOG_H */
