/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Device models.  Each lives in its own file and has one attach
 * function that claims its bus ranges; devices.c lists them.
 *
 * Locking: a device's state is guarded by the machine's device lock
 * (struct vmon_machine.lock).  Every callback into a device runs with
 * it held, from a vCPU thread or the I/O thread; a device never takes
 * it, never blocks, and has no thread of its own (machine_add_timer()),
 * except the virtio devices, whose threads follow virtio.h and are
 * stopped by a machine_add_cleanup() function at the end of the run.
 */
#ifndef VMON_DEVICES_H
#define VMON_DEVICES_H

#include <stdint.h>

struct vmon_machine;

struct vmon_device {
	const char *name;
	/*
	 * 0 or -errno; -DEVICE_EXPLAINED after printing one line that
	 * names the cause and the fix (a tap that does not exist).
	 */
	int (*attach)(struct vmon_machine *m);
};
#define DEVICE_EXPLAINED	ECANCELED

extern const struct vmon_device debugcon_device;	/* port 0xE9 */
extern const struct vmon_device debug_exit_device;	/* port 0xF4 */
extern const struct vmon_device uart8250_device;	/* COM1, port 0x3F8 */
extern const struct vmon_device i8259_device;		/* PIC pair, 0x20, 0xA0, ELCR 0x4D0 */
extern const struct vmon_device ioapic_device;		/* 82093AA I/O APIC, MMIO 0xFEC00000 */
extern const struct vmon_device i8254_device;		/* PIT 0x40-0x43, port 0x61 */
extern const struct vmon_device rtc_device;		/* CMOS RTC 0x70-0x71 */
extern const struct vmon_device i8042_device;		/* keyboard controller 0x60, 0x64 */
extern const struct vmon_device pci_conf1_device;	/* PCI bus 0: 0xCF8, ECAM */
extern const struct vmon_device virtio_rng_device;	/* virtio-rng on PCI */
extern const struct vmon_device virtio_blk_device;	/* a PCI function per --disk */
extern const struct vmon_device virtio_net_device;	/* virtio-net on a tap (--net) */
extern const struct vmon_device acpi_pm_device;		/* ACPI PM1a and PM timer, 0x600 */
extern const struct vmon_device legacy_ports_device;	/* POST 0x80 and other no-ops */
extern const struct vmon_device fw_cfg_device;		/* QEMU's fw_cfg, 0x510-0x511 */

/* debug-exit: the vmon exit status for a guest's OUT of value */
int debug_exit_status(uint64_t value);

/* every device vmon run attaches, NULL terminated */
extern const struct vmon_device *const vmon_devices[];

#endif /* VMON_DEVICES_H */
