/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One bus interface for every device model: a device claims a range of
 * I/O ports or of guest-physical MMIO addresses and gets read and write
 * callbacks with the offset into its range.  The run loop forwards port
 * I/O exits to the port bus and MMIO exits to the MMIO bus.
 */
#ifndef VMON_BUS_H
#define VMON_BUS_H

#include <stdbool.h>
#include <stdint.h>

struct bus_ops {
	/* size is 1, 2, 4 or 8; the value is little endian in the low bytes */
	uint64_t (*read)(void *dev, uint64_t offset, unsigned int size);
	void (*write)(void *dev, uint64_t offset, unsigned int size, uint64_t value);
	/* frees dev when the bus goes away; may be NULL */
	void (*release)(void *dev);
};

struct bus_range {
	uint64_t base;
	uint64_t len;
	const char *name;
	const struct bus_ops *ops;
	void *dev;
};

struct bus {
	const char *name;		/* "port", "MMIO": for messages */
	struct bus_range *ranges;	/* sorted by base, never overlapping */
	unsigned int nr;
	unsigned int cap;
	uint64_t unclaimed;		/* accesses no device claimed */
	/* told of every access no device claims (vmon's verbose mode) */
	void (*on_unclaimed)(void *opaque, uint64_t addr, unsigned int size,
			     bool is_write, const void *data);
	void *unclaimed_opaque;
};

void bus_init(struct bus *bus, const char *name);
/* releases every device and the range table */
void bus_destroy(struct bus *bus);
/*
 * Claim [base, base + len).  -EINVAL for an empty or wrapping range,
 * -EBUSY if it overlaps a range already claimed, -ENOMEM.
 */
int bus_register(struct bus *bus, uint64_t base, uint64_t len, const char *name,
		 const struct bus_ops *ops, void *dev);
/*
 * Give back the range that starts at base and was claimed for dev
 * (a PCI BAR the guest moves or stops decoding); its release is not
 * called.  0, or -ENOENT when no such range is claimed.
 */
int bus_unregister(struct bus *bus, uint64_t base, void *dev);
/* the range holding addr, or NULL */
const struct bus_range *bus_find(const struct bus *bus, uint64_t addr);
/*
 * Perform an access of len bytes (any length; split into naturally
 * sized pieces of at most 8 bytes).  Bytes no device claims read as all
 * ones and writes to them are dropped, as on a PC bus with nothing
 * answering.  Returns true if any byte went to a device.
 */
bool bus_access(struct bus *bus, uint64_t addr, void *data, unsigned int len, bool is_write);

#endif /* VMON_BUS_H */
