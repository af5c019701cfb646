// SPDX-License-Identifier: GPL-2.0-only
/*
 * The port-I/O and MMIO buses: a sorted table of claimed ranges.
 * A handful of devices makes a linear table the clearest choice.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"

void bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
}

void bus_destroy(struct bus *bus)
{
	unsigned int i;

	for (i = 0; i < bus->nr; i++) {
		struct bus_range *r = &bus->ranges[i];

		if (r->ops->release)
			r->ops->release(r->dev);
	}
	free(bus->ranges);
	bus_init(bus, bus->name);
}

int bus_register(struct bus *bus, uint64_t base, uint64_t len, const char *name,
		 const struct bus_ops *ops, void *dev)
{
	struct bus_range *r;
	unsigned int i;

	if (!len || base + len - 1 < base || !ops || !ops->read || !ops->write)
		return -EINVAL;
	for (i = 0; i < bus->nr; i++) {
		r = &bus->ranges[i];
		if (base <= r->base + r->len - 1 && r->base <= base + len - 1)
			return -EBUSY;
	}
	if (bus->nr == bus->cap) {
		unsigned int cap = bus->cap ? 2 * bus->cap : 8;

		r = realloc(bus->ranges, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		bus->ranges = r;
		bus->cap = cap;
	}
	for (i = bus->nr; i > 0 && bus->ranges[i - 1].base > base; i--)
		bus->ranges[i] = bus->ranges[i - 1];
	bus->ranges[i] = (struct bus_range){
		.base = base, .len = len, .name = name, .ops = ops, .dev = dev,
	};
	bus->nr++;
	return 0;
}

int bus_unregister(struct bus *bus, uint64_t base, void *dev)
{
	unsigned int i;

	for (i = 0; i < bus->nr; i++) {
		if (bus->ranges[i].base != base || bus->ranges[i].dev != dev)
			continue;
		bus->nr--;
		memmove(&bus->ranges[i], &bus->ranges[i + 1], (bus->nr - i) * sizeof(*bus->ranges));
		return 0;
	}
	return -ENOENT;
}

const struct bus_range *bus_find(const struct bus *bus, uint64_t addr)
{
	unsigned int i;

	for (i = 0; i < bus->nr; i++) {
		const struct bus_range *r = &bus->ranges[i];

		if (addr >= r->base && addr - r->base < r->len)
			return r;
	}
	return NULL;
}

/* does any range start inside [addr, addr + size)? */
static bool bus_find_in(const struct bus *bus, uint64_t addr, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < bus->nr; i++)
		if (bus->ranges[i].base > addr && bus->ranges[i].base - addr < size)
			return true;
	return false;
}

/* the largest naturally aligned power of two <= 8 that fits */
static unsigned int piece_size(uint64_t addr, unsigned int len)
{
	unsigned int size = 8;

	while (size > len || (addr & (size - 1)))
		size >>= 1;
	return size;
}

static bool bus_access_one(struct bus *bus, uint64_t addr, uint8_t *data,
			   unsigned int size, bool is_write)
{
	const struct bus_range *r = bus_find(bus, addr);
	uint64_t value = 0;

	/* a piece not wholly inside one device goes byte by byte */
	if (size > 1 && (!r || addr - r->base + size > r->len) &&
	    (r || bus_find_in(bus, addr, size))) {
		bool any = false;
		unsigned int i;

		for (i = 0; i < size; i++)
			any |= bus_access_one(bus, addr + i, data + i, 1, is_write);
		return any;
	}
	if (!r) {
		bus->unclaimed++;
		if (bus->on_unclaimed)
			bus->on_unclaimed(bus->unclaimed_opaque, addr, size, is_write, data);
		if (!is_write)
			memset(data, 0xff, size);
		return false;
	}
	if (is_write) {
		memcpy(&value, data, size);
		r->ops->write(r->dev, addr - r->base, size, value);
	} else {
		value = r->ops->read(r->dev, addr - r->base, size);
		memcpy(data, &value, size);
	}
	return true;
}

bool bus_access(struct bus *bus, uint64_t addr, void *data, unsigned int len, bool is_write)
{
	uint8_t *p = data;
	bool any = false;

	while (len) {
		unsigned int size = piece_size(addr, len);

		any |= bus_access_one(bus, addr, p, size, is_write);
		addr += size;
		p += size;
		len -= size;
	}
	return any;
}
