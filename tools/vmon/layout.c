// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest-memory layout of "vmon run": where the GDT, page tables and
 * stack go, around the image the user loaded.
 *
 * Guest memory starts at guest-physical 0 and stops at the PCI hole
 * (devices/pci.h), 3 GiB; what --mem asks beyond that continues at
 * 4 GiB.  Images load below the hole.
 *   real mode  No tables.  RSP = the load address when it is below
 *              64 KiB (the stack grows down below the image, as a BIOS
 *              does for a boot sector at 0x7C00), else 0, i.e. the top
 *              of the first 64 KiB (SS base is 0).  CS base is 0, so
 *              the entry point must lie below 64 KiB.
 *   prot/long  The VMON_SETUP_TABLES_SIZE (32 KiB) of tables sit at the
 *              top of guest memory below the hole (the tables must be
 *              reachable with paging off), and the stack grows down
 *              right below them.  The top is the place least likely to
 *              collide with an image: images load low, at 1 MiB by
 *              default.  Long mode identity-maps at least 4 GiB, so the
 *              guest can reach the hole's MMIO, up to the end of the RAM
 *              above 4 GiB, and at most what the tables hold
 *              (VMON_SETUP_MAX_MAP).
 */
#include <errno.h>

#include "devices/pci.h"
#include "parse.h"
#include "run.h"
#include "vmon.h"

#define SZ_64K		0x10000ULL
#define SZ_1G		(1ULL << 30)
#define SZ_4G		(1ULL << 32)

int run_plan_layout(const struct run_options *o, uint64_t image_size, struct run_layout *l)
{
	uint64_t top, image_end = o->load + image_size;
	char buf[32];

	l->tables_gpa = 0;
	l->map_size = 0;

	if (o->mode == VMON_GUEST_REAL) {
		if (o->entry >= SZ_64K) {
			vmon_err("--entry 0x%llx: real mode starts with CS base 0, so the entry point must lie below 0x10000 (lower --load/--entry, or use --mode prot)",
				 (unsigned long long)o->entry);
			return -EINVAL;
		}
		l->stack = o->load < SZ_64K ? o->load : 0;
		return 0;
	}

	if (o->entry >= SZ_4G && o->mode == VMON_GUEST_PROT) {
		vmon_err("--entry 0x%llx: beyond 4 GiB, unreachable in 32-bit protected mode (use --mode long)",
			 (unsigned long long)o->entry);
		return -EINVAL;
	}
	top = pci_ram_below_hole(o->mem);
	if (top < 2 * VMON_SETUP_TABLES_SIZE) {
		vmon_err("--mem %s: too small for prot/long mode, which needs 32 KiB for tables and some stack (raise --mem)",
			 format_size(o->mem, buf, sizeof(buf)));
		return -EINVAL;
	}
	if (o->load < top && image_end > top - VMON_SETUP_TABLES_SIZE) {
		vmon_err("guest image (%s at 0x%llx) reaches into the top 32 KiB of %s, where vmon puts the GDT and page tables (raise --mem or lower --load)",
			 format_size(image_size, buf, sizeof(buf)),
			 (unsigned long long)o->load,
			 o->mem <= PCI_HOLE_START ? "guest memory" : "RAM below the PCI hole");
		return -EINVAL;
	}
	l->tables_gpa = top - VMON_SETUP_TABLES_SIZE;
	l->stack = l->tables_gpa;
	if (o->mode == VMON_GUEST_LONG) {
		l->map_size = (pci_ram_end(o->mem) + SZ_1G - 1) & ~(SZ_1G - 1);
		if (l->map_size < SZ_4G)
			l->map_size = SZ_4G;
		if (l->map_size > VMON_SETUP_MAX_MAP)
			l->map_size = VMON_SETUP_MAX_MAP;
	}
	return 0;
}
