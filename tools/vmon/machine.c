// SPDX-License-Identifier: GPL-2.0-only
/*
 * The machine around the vCPU: buses, interrupt lines, device timers,
 * the console, run-ending requests, and the verbose report of ports no
 * device claims.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "devices/ioapic.h"
#include "machine.h"
#include "vmon.h"

#define NR_PORTS	65536

/* per vCPU thread: the exits of several vCPUs are handled at once */
static __thread uint64_t exit_rip;

void machine_set_exit_rip(uint64_t rip)
{
	exit_rip = rip;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void machine_init(struct vmon_machine *m, int console_fd)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	bus_init(&m->pio, "port");
	bus_init(&m->mmio, "MMIO");
	m->console_fd = console_fd;
	m->clock = monotonic_ns;
	m->io_armed = MACHINE_NO_DEADLINE;
	m->nr_cpus = 1;
}

void machine_set_hooks(struct vmon_machine *m, const struct machine_hooks *hooks,
		       void *opaque)
{
	m->hooks = hooks;
	m->hooks_opaque = opaque;
}

void machine_lock(struct vmon_machine *m)
{
	pthread_mutex_lock(&m->lock);
}

/*
 * Decide under the lock whom to tell, tell them after dropping it.
 * Each flag is cleared by the thread told, under the lock, when it has
 * looked: one notification per change, not one per access.
 */
void machine_unlock(struct vmon_machine *m)
{
	const struct machine_hooks *h = m->hooks;
	bool pic = false, io = false;

	if (!h) {
		pthread_mutex_unlock(&m->lock);
		return;
	}
	if (!m->pic_notified && machine_irq_pending(m)) {
		m->pic_notified = true;
		pic = true;
	}
	if (!m->io_woken &&
	    ((m->stop && !m->stop_notified) || machine_next_deadline(m) < m->io_armed ||
	     (m->console_input_wanted && m->console_idle))) {
		m->io_woken = true;
		m->stop_notified = m->stop;
		io = true;
	}
	pthread_mutex_unlock(&m->lock);
	if (pic && h->pic_intr)
		h->pic_intr(m->hooks_opaque);
	if (io && h->wake_io)
		h->wake_io(m->hooks_opaque);
}

void machine_pio(struct vmon_machine *m, uint64_t port, void *data, unsigned int len,
		 bool is_write)
{
	machine_lock(m);
	bus_access(&m->pio, port, data, len, is_write);
	machine_unlock(m);
}

void machine_mmio(struct vmon_machine *m, uint64_t gpa, void *data, unsigned int len,
		  bool is_write)
{
	machine_lock(m);
	bus_access(&m->mmio, gpa, data, len, is_write);
	machine_unlock(m);
}

bool machine_stopped(struct vmon_machine *m)
{
	return __atomic_load_n(&m->stop, __ATOMIC_ACQUIRE);
}

void machine_send_msi(struct vmon_machine *m, uint64_t address, uint32_t data)
{
	if (m->hooks && m->hooks->send_msi)
		m->hooks->send_msi(m->hooks_opaque, address, data);
}

void machine_eoi(struct vmon_machine *m, uint8_t vector)
{
	ioapic_eoi(m->ioapic, vector);
}

int machine_add_ram(struct vmon_machine *m, uint64_t gpa, uint64_t size, void *hva)
{
	unsigned int i;

	if (!size || !hva || gpa + size - 1 < gpa)
		return -EINVAL;
	for (i = 0; i < m->nr_ram; i++) {
		const struct machine_ram *r = &m->ram[i];

		if (gpa <= r->gpa + r->size - 1 && r->gpa <= gpa + size - 1)
			return -EINVAL;
	}
	if (m->nr_ram == MACHINE_MAX_RAM)
		return -ENOSPC;
	m->ram[m->nr_ram++] = (struct machine_ram){ .gpa = gpa, .size = size, .hva = hva };
	return 0;
}

/*
 * The guest chooses gpa and len (descriptor addresses and lengths), so
 * both are checked without overflow: len may be anything up to 2^64-1.
 */
void *machine_gpa_to_hva(const struct vmon_machine *m, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < m->nr_ram; i++) {
		const struct machine_ram *r = &m->ram[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size && len <= r->size - (gpa - r->gpa))
			return r->hva + (gpa - r->gpa);
	}
	return NULL;
}

int machine_add_cleanup(struct vmon_machine *m, void (*fn)(void *arg), void *arg)
{
	if (m->nr_cleanups == MACHINE_MAX_CLEANUPS)
		return -ENOSPC;
	m->cleanups[m->nr_cleanups].fn = fn;
	m->cleanups[m->nr_cleanups].arg = arg;
	m->nr_cleanups++;
	return 0;
}

void machine_destroy(struct vmon_machine *m)
{
	/* device threads may still take the lock until they are joined */
	while (m->nr_cleanups) {
		m->nr_cleanups--;
		m->cleanups[m->nr_cleanups].fn(m->cleanups[m->nr_cleanups].arg);
	}
	bus_destroy(&m->pio);
	bus_destroy(&m->mmio);
	free(m->unclaimed_ports);
	m->unclaimed_ports = NULL;
	m->irqchip = NULL;
	m->ioapic = NULL;
	m->console_sink = NULL;
	m->nr_timers = 0;
	pthread_mutex_destroy(&m->lock);
}

void machine_request_exit(struct vmon_machine *m, int status)
{
	if (m->stop)
		return;		/* the first request wins */
	m->exit_status = status;
	__atomic_store_n(&m->stop, true, __ATOMIC_RELEASE);
}

void machine_console_write(struct vmon_machine *m, const void *buf, unsigned int len)
{
	const char *p = buf;

	/*
	 * Output the user cannot see (closed pipe, full disk) must not stop
	 * the guest: drop it, as a UART with no cable attached would.
	 */
	while (len) {
		ssize_t n = write(m->console_fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (unsigned int)n;
	}
}

/*
 * A machine without an interrupt controller (unit tests of one device)
 * drops IRQs.  Both chips see every line, as on a PC: which one the
 * guest listens to is its choice (PIC masks, redirection entry masks).
 */
void machine_set_irq(struct vmon_machine *m, unsigned int irq, bool level)
{
	if (m->irqchip)
		m->irqchip->set_irq(m->irqchip_dev, irq, level);
	if (m->ioapic)
		ioapic_set_irq(m->ioapic, ioapic_isa_gsi(irq), level);
}

void machine_pulse_irq(struct vmon_machine *m, unsigned int irq)
{
	machine_set_irq(m, irq, true);
	machine_set_irq(m, irq, false);
}

bool machine_irq_pending(struct vmon_machine *m)
{
	return m->irqchip && m->irqchip->pending(m->irqchip_dev);
}

uint8_t machine_irq_ack(struct vmon_machine *m)
{
	return m->irqchip->ack(m->irqchip_dev);
}

uint64_t machine_now(struct vmon_machine *m)
{
	return m->clock();
}

struct machine_timer *machine_add_timer(struct vmon_machine *m,
					void (*fire)(void *dev, uint64_t now), void *dev)
{
	struct machine_timer *t;

	if (m->nr_timers == MACHINE_MAX_TIMERS)
		return NULL;
	t = &m->timers[m->nr_timers++];
	t->deadline = MACHINE_NO_DEADLINE;
	t->fire = fire;
	t->dev = dev;
	return t;
}

uint64_t machine_next_deadline(struct vmon_machine *m)
{
	uint64_t next = MACHINE_NO_DEADLINE;
	unsigned int i;

	for (i = 0; i < m->nr_timers; i++)
		if (m->timers[i].deadline < next)
			next = m->timers[i].deadline;
	return next;
}

uint64_t machine_run_timers(struct vmon_machine *m)
{
	uint64_t now = machine_now(m), next = MACHINE_NO_DEADLINE;
	unsigned int i;

	for (i = 0; i < m->nr_timers; i++) {
		struct machine_timer *t = &m->timers[i];

		if (t->deadline <= now) {
			t->deadline = MACHINE_NO_DEADLINE;
			t->fire(t->dev, now);
		}
		if (t->deadline < next)
			next = t->deadline;
	}
	return next;
}

void machine_set_console_sink(struct vmon_machine *m, const struct console_sink_ops *ops,
			      void *dev)
{
	m->console_sink = ops;
	m->console_sink_dev = dev;
	m->console_input_wanted = true;
}

unsigned int machine_console_room(struct vmon_machine *m)
{
	return m->console_sink ? m->console_sink->room(m->console_sink_dev) : 0;
}

void machine_console_input(struct vmon_machine *m, const uint8_t *buf, unsigned int len)
{
	if (m->console_sink)
		m->console_sink->push(m->console_sink_dev, buf, len);
}

void machine_console_wants_input(struct vmon_machine *m)
{
	m->console_input_wanted = true;
}

/*
 * Verbose mode: the first access to each port no device claims is
 * printed at once (what the guest probed, and from where), and every
 * access is counted for the summary at the end of the run.
 */
static void note_unclaimed_port(void *opaque, uint64_t addr, unsigned int size,
				bool is_write, const void *data)
{
	struct vmon_machine *m = opaque;
	uint64_t value = 0;

	if (addr >= NR_PORTS)
		return;
	if (!m->unclaimed_ports[addr]++) {
		memcpy(&value, data, size);
		if (is_write)
			vmon_err("unclaimed port 0x%04llx: first access OUT%s 0x%llx at RIP=0x%llx",
				 (unsigned long long)addr, size == 1 ? "B" : size == 2 ? "W" : "L",
				 (unsigned long long)value, (unsigned long long)exit_rip);
		else
			vmon_err("unclaimed port 0x%04llx: first access IN%s at RIP=0x%llx",
				 (unsigned long long)addr, size == 1 ? "B" : size == 2 ? "W" : "L",
				 (unsigned long long)exit_rip);
	}
}

int machine_set_verbose(struct vmon_machine *m, bool verbose)
{
	m->verbose = verbose;
	if (!verbose)
		return 0;
	if (!m->unclaimed_ports) {
		m->unclaimed_ports = calloc(NR_PORTS, sizeof(*m->unclaimed_ports));
		if (!m->unclaimed_ports)
			return -ENOMEM;
	}
	m->pio.on_unclaimed = note_unclaimed_port;
	m->pio.unclaimed_opaque = m;
	return 0;
}

void machine_report_unclaimed(struct vmon_machine *m)
{
	unsigned int port, n = 0;

	if (!m->unclaimed_ports)
		return;
	for (port = 0; port < NR_PORTS; port++) {
		if (!m->unclaimed_ports[port])
			continue;
		if (!n++)
			vmon_err("ports the guest touched that no device claims (accesses):");
		vmon_err("  0x%04x: %u", port, m->unclaimed_ports[port]);
	}
	if (!n)
		vmon_err("the guest touched no unclaimed port");
}
