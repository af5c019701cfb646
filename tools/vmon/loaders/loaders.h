/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Loaders put a guest image into guest memory.  They print one line
 * naming the problem and what to do when they fail.
 */
#ifndef VMON_LOADERS_H
#define VMON_LOADERS_H

#include <stdint.h>

/*
 * Is [load, load + size) inside guest memory [0, mem_size)?  Written
 * without load + size so that huge values cannot wrap around.
 */
static inline int flat_image_fits(uint64_t size, uint64_t load, uint64_t mem_size)
{
	return load <= mem_size && size <= mem_size - load;
}

/*
 * Copy the file at path byte for byte to guest-physical load in the
 * memory mem of mem_size bytes (mapped at guest-physical 0).  Stores the
 * image size.  Returns 0 or -errno.
 */
int flat_load(const char *path, void *mem, uint64_t mem_size, uint64_t load,
	      uint64_t *image_size);

#endif /* VMON_LOADERS_H */
