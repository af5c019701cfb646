/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machine vmon emulates around the vCPU: the two buses, the
 * interrupt lines and the chip that turns them into vectors, device
 * timers on one clock, the console in both directions, and how a device
 * asks for the run to end.
 */
#ifndef VMON_MACHINE_H
#define VMON_MACHINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"

struct vmon_machine;
struct ioapic;
struct pci_bus;

/*
 * The interrupt controller (devices/i8259.c) as the machine sees it:
 * devices drive ISA lines 0-15, the run loop asks for a vector.
 */
struct irqchip_ops {
	void (*set_irq)(void *chip, unsigned int irq, bool level);
	/* an unmasked request of higher priority than any in service? */
	bool (*pending)(void *chip);
	/* the CPU's interrupt acknowledge cycle: the vector to deliver */
	uint8_t (*ack)(void *chip);
};

/*
 * A device timer: the run loop calls fire() once the machine clock has
 * reached deadline; fire() may re-arm.  MACHINE_NO_DEADLINE: disarmed.
 */
#define MACHINE_NO_DEADLINE	UINT64_MAX
#define MACHINE_MAX_TIMERS	4
/* devices with threads of their own (virtio): stopped by machine_destroy() */
#define MACHINE_MAX_CLEANUPS	32	/* 16 disks, the network, rng, ... */
/* RAM regions: below the PCI hole, and above 4 GiB */
#define MACHINE_MAX_RAM		2

struct machine_timer {
	uint64_t deadline;	/* ns on the machine clock */
	void (*fire)(void *dev, uint64_t now);
	void *dev;
};

/*
 * Where console input goes (the UART): room() bytes may be pushed now;
 * the device calls machine_console_wants_input() when room appears.
 */
struct console_sink_ops {
	unsigned int (*room)(void *dev);
	void (*push)(void *dev, const uint8_t *buf, unsigned int len);
};

/*
 * What the machine asks of the run (run_loop.c): each may be NULL (unit
 * tests).  Called by machine_unlock() after the device lock is dropped,
 * except send_msi, which devices call with it held.
 */
struct machine_hooks {
	/* deliver an MSI to the local APICs (VMON_SIGNAL_MSI); 0 or -errno */
	int (*send_msi)(void *opaque, uint64_t address, uint32_t data);
	/* the PIC's output rose: vCPU 0 must look before it next enters */
	void (*pic_intr)(void *opaque);
	/* the I/O thread must look: a timer moved earlier, console room, stop */
	void (*wake_io)(void *opaque);
	/*
	 * Have the kernel signal eventfd fd on a guest write of len bytes
	 * (0: any length) to MMIO address addr, resuming the guest at once
	 * (VMON_IOEVENTFD); deassign undoes it.  0, or -errno (-ENOTTY: the
	 * module cannot, the device keeps taking the exit).  Device lock held.
	 */
	int (*ioeventfd)(void *opaque, uint64_t addr, unsigned int len, int fd, bool deassign);
	/*
	 * Have the kernel send MSI (address, data) whenever eventfd fd is
	 * signalled (VMON_IRQFD); deassign undoes it.  0 or -errno.
	 * Device lock held.
	 */
	int (*irqfd)(void *opaque, int fd, uint64_t address, uint32_t data, bool deassign);
};

/* the devices the command line asked for (run_options.c) */
#define MACHINE_MAX_DISKS	16
struct machine_disk {
	const char *path;	/* --disk FILE */
	bool readonly;		/* ,ro */
};

struct machine_net {
	const char *tap;	/* --net tap=IFNAME */
	uint8_t mac[6];
	bool mac_given;		/* ,mac=...; else the device generates one */
};

/*
 * Locking (Documentation/locking.rst, "vmon run"): every field below
 * and every device's state is guarded by lock, the device lock, unless
 * it says otherwise.  The vCPU threads take it around each access to
 * the buses (machine_pio(), machine_mmio()), each EOI and each PIC
 * acknowledge; the I/O thread around running the timers and feeding
 * the console.  Device callbacks (bus read/write, timer fire, console
 * sink, irqchip ops) run with it held and never take it.
 */
struct vmon_machine {
	pthread_mutex_t lock;
	struct bus pio;
	struct bus mmio;
	int console_fd;		/* guest console output (stdout); set once */
	/*
	 * A device or a thread ended the run: written under lock, once;
	 * read without it by machine_stopped() (exit_status is written
	 * before it, with release order).
	 */
	bool stop;
	int exit_status;	/* valid when stop is set */
	unsigned int nr_cpus;	/* vCPUs (the ACPI MADT has one APIC each); 1 */
	const char *cmdline;	/* --append, or NULL (fw_cfg) */
	/* the virtio devices to attach; set once before machine_add_devices() */
	const struct machine_disk *disks;
	unsigned int nr_disks;
	const struct machine_net *net;	/* NULL: no network */

	const struct irqchip_ops *irqchip;	/* the PIC; set once at attach */
	void *irqchip_dev;
	struct ioapic *ioapic;			/* set once at attach, or NULL */
	struct pci_bus *pci;			/* bus 0 (devices/pci.c), or NULL */

	const struct machine_hooks *hooks;	/* set before the threads start */
	void *hooks_opaque;
	bool pic_notified;	/* pic_intr called; vCPU 0 has not yet looked */
	bool io_woken;		/* wake_io called; the I/O thread has not yet run */
	bool stop_notified;	/* wake_io called for stop */
	uint64_t io_armed;	/* the deadline the I/O thread sleeps until */
	bool console_idle;	/* the I/O thread does not watch console input now */

	/* ns, CLOCK_MONOTONIC unless a unit test substitutes its own */
	uint64_t (*clock)(void);
	struct machine_timer timers[MACHINE_MAX_TIMERS];
	unsigned int nr_timers;

	const struct console_sink_ops *console_sink;
	void *console_sink_dev;
	bool console_input_wanted;	/* the sink has room again */

	/*
	 * Guest RAM as devices see it when they read and write guest memory
	 * (virtqueues, DMA): set before the threads start, read-only after,
	 * so read without the lock.
	 */
	struct machine_ram {
		uint64_t gpa;
		uint64_t size;
		uint8_t *hva;
	} ram[MACHINE_MAX_RAM];
	unsigned int nr_ram;

	/*
	 * Run by machine_destroy(), the last added first, before guest
	 * memory goes away: devices that run threads stop and join them.
	 * Added at attach time, before the threads of the run start.
	 */
	struct machine_cleanup {
		void (*fn)(void *arg);
		void *arg;
	} cleanups[MACHINE_MAX_CLEANUPS];
	unsigned int nr_cleanups;

	/* report ports no device claims (VMON_VERBOSE=1): see machine.c */
	bool verbose;
	uint32_t *unclaimed_ports;	/* per-port access counts, when verbose */
};

void machine_init(struct vmon_machine *m, int console_fd);
void machine_set_hooks(struct vmon_machine *m, const struct machine_hooks *hooks,
		       void *opaque);
/*
 * The device lock.  machine_unlock() also tells the run what changed
 * while it was held (the hooks above): PIC output, an earlier timer
 * deadline, console room, a stop.
 */
void machine_lock(struct vmon_machine *m);
void machine_unlock(struct vmon_machine *m);
/* a guest access to the port or MMIO bus, under the device lock */
void machine_pio(struct vmon_machine *m, uint64_t port, void *data, unsigned int len,
		 bool is_write);
void machine_mmio(struct vmon_machine *m, uint64_t gpa, void *data, unsigned int len,
		  bool is_write);
/* has the run been ended?  Any thread, without the lock */
bool machine_stopped(struct vmon_machine *m);
/* the earliest timer deadline, MACHINE_NO_DEADLINE if none */
uint64_t machine_next_deadline(struct vmon_machine *m);
/* an MSI from a device (the I/O APIC); dropped without a send_msi hook */
void machine_send_msi(struct vmon_machine *m, uint64_t address, uint32_t data);
/* a local APIC ended level-triggered vector (VMON_EXIT_EOI) */
void machine_eoi(struct vmon_machine *m, uint8_t vector);
/* attaches every device of devices/devices.c; 0 or -errno (printed) */
int machine_add_devices(struct vmon_machine *m);
void machine_destroy(struct vmon_machine *m);
/* fn(arg) at machine_destroy(); 0, or -ENOSPC beyond MACHINE_MAX_CLEANUPS */
int machine_add_cleanup(struct vmon_machine *m, void (*fn)(void *arg), void *arg);
/*
 * Guest RAM: add the region [gpa, gpa + size) mapped at hva, before the
 * threads start (0, -EINVAL for an empty, wrapping or overlapping
 * region, -ENOSPC beyond MACHINE_MAX_RAM); and translate: the host
 * address of [gpa, gpa + len) when it lies wholly inside one region,
 * else NULL.  machine_gpa_to_hva() takes no lock.
 */
int machine_add_ram(struct vmon_machine *m, uint64_t gpa, uint64_t size, void *hva);
void *machine_gpa_to_hva(const struct vmon_machine *m, uint64_t gpa, uint64_t len);
/* a device ends the run; vmon exits with status */
void machine_request_exit(struct vmon_machine *m, int status);
/* guest output: written at once, unbuffered */
void machine_console_write(struct vmon_machine *m, const void *buf, unsigned int len);

/*
 * Interrupts: drive ISA line irq (to the PIC and to the I/O APIC pin of
 * its GSI, like a PC chipset); is a PIC vector waiting; take it.
 */
void machine_set_irq(struct vmon_machine *m, unsigned int irq, bool level);
bool machine_irq_pending(struct vmon_machine *m);
uint8_t machine_irq_ack(struct vmon_machine *m);
/* a short pulse on an edge-triggered line (PIT output, i8042 OBF) */
void machine_pulse_irq(struct vmon_machine *m, unsigned int irq);

/* the machine clock, in ns */
uint64_t machine_now(struct vmon_machine *m);
/* a timer for dev; NULL when all MACHINE_MAX_TIMERS are taken */
struct machine_timer *machine_add_timer(struct vmon_machine *m,
					void (*fire)(void *dev, uint64_t now), void *dev);
/* fire every timer whose deadline has passed; returns the next deadline */
uint64_t machine_run_timers(struct vmon_machine *m);

/* console input: the sink, and feeding it bytes from the host */
void machine_set_console_sink(struct vmon_machine *m, const struct console_sink_ops *ops,
			      void *dev);
unsigned int machine_console_room(struct vmon_machine *m);
void machine_console_input(struct vmon_machine *m, const uint8_t *buf, unsigned int len);
void machine_console_wants_input(struct vmon_machine *m);

/* VMON_VERBOSE: start counting unclaimed ports; print the summary */
int machine_set_verbose(struct vmon_machine *m, bool verbose);
void machine_report_unclaimed(struct vmon_machine *m);
/* RIP of the exit this thread handles, for the verbose messages */
void machine_set_exit_rip(uint64_t rip);

#endif /* VMON_MACHINE_H */
