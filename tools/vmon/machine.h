/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The machine vmon emulates around the vCPU: the two buses, the
 * interrupt lines and the chip that turns them into vectors, device
 * timers on one clock, the console in both directions, and how a device
 * asks for the run to end.
 */
#ifndef VMON_MACHINE_H
#define VMON_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"

struct vmon_machine;

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

struct vmon_machine {
	struct bus pio;
	struct bus mmio;
	int console_fd;		/* guest console output (stdout) */
	bool stop;		/* a device ended the run */
	int exit_status;	/* valid when stop is set */
	unsigned int nr_cpus;	/* vCPUs (the ACPI MADT has one APIC each); 1 */
	const char *cmdline;	/* --append, or NULL (fw_cfg) */

	const struct irqchip_ops *irqchip;
	void *irqchip_dev;

	/* ns, CLOCK_MONOTONIC unless a unit test substitutes its own */
	uint64_t (*clock)(void);
	struct machine_timer timers[MACHINE_MAX_TIMERS];
	unsigned int nr_timers;

	const struct console_sink_ops *console_sink;
	void *console_sink_dev;
	bool console_input_wanted;	/* the sink has room again */

	/* report ports no device claims (VMON_VERBOSE=1): see machine.c */
	bool verbose;
	uint64_t rip;		/* RIP of the exit being handled, for messages */
	uint32_t *unclaimed_ports;	/* per-port access counts, when verbose */
};

void machine_init(struct vmon_machine *m, int console_fd);
/* attaches every device of devices/devices.c; 0 or -errno (printed) */
int machine_add_devices(struct vmon_machine *m);
void machine_destroy(struct vmon_machine *m);
/* a device ends the run; vmon exits with status */
void machine_request_exit(struct vmon_machine *m, int status);
/* guest output: written at once, unbuffered */
void machine_console_write(struct vmon_machine *m, const void *buf, unsigned int len);

/* interrupts: drive ISA line irq; is a vector waiting; take it */
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

#endif /* VMON_MACHINE_H */
