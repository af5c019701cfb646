// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 8042 keyboard controller at 0x60 (data) and 0x64 (status and
 * command), with nothing plugged into either of its PS/2 ports: the
 * controller answers its own commands, and every byte sent to the
 * keyboard or the mouse comes back as a transmit timeout (status bit 6
 * with 0xFE in the output buffer), the answer of a real 8042 whose port
 * is empty.  Its one job in vmon is the reset line: pulsing it (command
 * 0xFE, or bit 0 of the output port through command 0xD1) is how Linux
 * reboots a PC (arch/x86/kernel/reboot.c, BOOT_KBD), and it ends
 * "vmon run" with status 0.
 *
 * What Linux's i8042 driver then sees (drivers/input/serio/i8042.c):
 * a controller that passes its self test and CTR round trips, the aux
 * loopback (0xD3) with the IRQ 12 delivery test, and two ports whose
 * devices never answer, so atkbd and psmouse give up at their first
 * command and the boot goes on with no keyboard and no mouse.  Input
 * reaches the guest through the serial console instead.
 */
#include <errno.h>
#include <stdlib.h>

#include "../machine.h"
#include "../vmon.h"
#include "devices.h"

#define I8042_DATA	0x60
#define I8042_CMD	0x64
#define KBD_IRQ		1
#define AUX_IRQ		12

/* status register */
#define STR_OBF		0x01
#define STR_SYS		0x04	/* system flag, copied from the CTR */
#define STR_CMD		0x08	/* the last write went to port 0x64 */
#define STR_UNLOCKED	0x10	/* keyboard not inhibited */
#define STR_AUXDATA	0x20
#define STR_TIMEOUT	0x40

/* controller command byte (CTR) */
#define CTR_KBDINT	0x01
#define CTR_AUXINT	0x02
#define CTR_SYS		0x04
#define CTR_KBDDIS	0x10
#define CTR_AUXDIS	0x20

/* controller commands */
#define CMD_READ_CTR	0x20
#define CMD_WRITE_CTR	0x60
#define CMD_AUX_DISABLE	0xa7
#define CMD_AUX_ENABLE	0xa8
#define CMD_AUX_TEST	0xa9
#define CMD_SELF_TEST	0xaa
#define CMD_KBD_TEST	0xab
#define CMD_KBD_DISABLE	0xad
#define CMD_KBD_ENABLE	0xae
#define CMD_READ_INPUT	0xc0
#define CMD_READ_OUTPUT	0xd0
#define CMD_WRITE_OUTPUT 0xd1
#define CMD_KBD_LOOP	0xd2
#define CMD_AUX_LOOP	0xd3
#define CMD_AUX_SEND	0xd4
#define CMD_PULSE_BASE	0xf0	/* 0xF0-0xFF: pulse output port bits 0-3 low */

#define SELF_TEST_OK	0x55
#define OUTPORT_RESET	0x01	/* active low: 0 resets the CPU */
#define OUTPORT_A20	0x02
#define DEVICE_TIMEOUT	0xfe

#define QUEUE_LEN	8

struct out_byte {
	uint8_t data;
	uint8_t status;		/* STR_AUXDATA and STR_TIMEOUT */
};

struct i8042 {
	struct vmon_machine *machine;
	uint8_t ctr;
	uint8_t outport;
	uint8_t pending_cmd;	/* a command waiting for its byte at 0x60 */
	bool last_was_cmd;
	struct out_byte queue[QUEUE_LEN];
	unsigned int head, count;
};

/* IRQ 1 / 12 follow "output buffer full" for their port, when enabled */
static void update_irqs(struct i8042 *k)
{
	bool aux = k->count && (k->queue[k->head].status & STR_AUXDATA);

	machine_set_irq(k->machine, KBD_IRQ, k->count && !aux && (k->ctr & CTR_KBDINT));
	machine_set_irq(k->machine, AUX_IRQ, aux && (k->ctr & CTR_AUXINT));
}

static void queue_byte(struct i8042 *k, uint8_t data, uint8_t status)
{
	if (k->count == QUEUE_LEN)
		return;		/* the guest does not read: later bytes are lost */
	k->queue[(k->head + k->count) % QUEUE_LEN] = (struct out_byte){ data, status };
	k->count++;
	update_irqs(k);
}

static void reset_line(struct i8042 *k)
{
	vmon_err("guest reset the machine through the i8042 (reboot)");
	machine_request_exit(k->machine, VMON_STATUS_OK);
}

static void controller_command(struct i8042 *k, uint8_t cmd)
{
	switch (cmd) {
	case CMD_READ_CTR:
		queue_byte(k, k->ctr, 0);
		break;
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTPUT:
	case CMD_KBD_LOOP:
	case CMD_AUX_LOOP:
	case CMD_AUX_SEND:
		k->pending_cmd = cmd;
		break;
	case CMD_AUX_DISABLE:
		k->ctr |= CTR_AUXDIS;
		break;
	case CMD_AUX_ENABLE:
		k->ctr &= ~CTR_AUXDIS;
		break;
	case CMD_AUX_TEST:
	case CMD_KBD_TEST:
		queue_byte(k, 0x00, 0);		/* interface lines fine */
		break;
	case CMD_SELF_TEST:
		k->ctr |= CTR_SYS;
		queue_byte(k, SELF_TEST_OK, 0);
		break;
	case CMD_KBD_DISABLE:
		k->ctr |= CTR_KBDDIS;
		break;
	case CMD_KBD_ENABLE:
		k->ctr &= ~CTR_KBDDIS;
		break;
	case CMD_READ_INPUT:
		queue_byte(k, 0x00, 0);
		break;
	case CMD_READ_OUTPUT:
		queue_byte(k, k->outport, 0);
		break;
	default:
		if (cmd >= CMD_PULSE_BASE && !(cmd & OUTPORT_RESET))
			reset_line(k);
		/* other commands (vendor specific, password, mux) are ignored */
		break;
	}
	update_irqs(k);
}

static void data_byte(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending_cmd;

	k->pending_cmd = 0;
	switch (cmd) {
	case CMD_WRITE_CTR:
		k->ctr = v;
		update_irqs(k);
		break;
	case CMD_WRITE_OUTPUT:
		k->outport = v;
		if (!(v & OUTPORT_RESET))
			reset_line(k);
		break;
	case CMD_KBD_LOOP:
		queue_byte(k, v, 0);
		break;
	case CMD_AUX_LOOP:
		queue_byte(k, v, STR_AUXDATA);
		break;
	case CMD_AUX_SEND:
		queue_byte(k, DEVICE_TIMEOUT, STR_AUXDATA | STR_TIMEOUT);	/* no mouse */
		break;
	default:
		queue_byte(k, DEVICE_TIMEOUT, STR_TIMEOUT);	/* to the keyboard: none */
		break;
	}
}

static uint8_t read_status(struct i8042 *k)
{
	uint8_t st = STR_UNLOCKED;

	if (k->ctr & CTR_SYS)
		st |= STR_SYS;
	if (k->last_was_cmd)
		st |= STR_CMD;
	if (k->count)
		st |= STR_OBF | k->queue[k->head].status;
	return st;	/* the input buffer is never full: writes are handled at once */
}

static uint8_t read_data(struct i8042 *k)
{
	uint8_t v;

	if (!k->count)
		return k->queue[(k->head + QUEUE_LEN - 1) % QUEUE_LEN].data;
	v = k->queue[k->head].data;
	k->head = (k->head + 1) % QUEUE_LEN;
	k->count--;
	/* drop the lines first so that a next byte is a new edge */
	machine_set_irq(k->machine, KBD_IRQ, false);
	machine_set_irq(k->machine, AUX_IRQ, false);
	update_irqs(k);
	return v;
}

static uint64_t i8042_read(void *dev, uint64_t offset, unsigned int size)
{
	return offset ? read_status(dev) : read_data(dev);
}

static void i8042_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	struct i8042 *k = dev;

	k->last_was_cmd = offset != 0;
	if (offset)
		controller_command(k, (uint8_t)value);
	else
		data_byte(k, (uint8_t)value);
}

static void i8042_release(void *dev)
{
	free(dev);
}

static const struct bus_ops i8042_data_ops = {
	.read = i8042_read,
	.write = i8042_write,
	.release = i8042_release,
};

/* the status/command port at 0x64: offset 1 of the same device */
static uint64_t i8042_cmd_read(void *dev, uint64_t offset, unsigned int size)
{
	return i8042_read(dev, 1, size);
}

static void i8042_cmd_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	i8042_write(dev, 1, size, value);
}

static const struct bus_ops i8042_cmd_ops = {
	.read = i8042_cmd_read,
	.write = i8042_cmd_write,
};

static int i8042_attach(struct vmon_machine *m)
{
	struct i8042 *k = calloc(1, sizeof(*k));
	int ret;

	if (!k)
		return -ENOMEM;
	k->machine = m;
	/* as a BIOS leaves it: both ports' interrupts on, system flag set */
	k->ctr = CTR_KBDINT | CTR_AUXINT | CTR_SYS;
	k->outport = OUTPORT_RESET | OUTPORT_A20;
	ret = bus_register(&m->pio, I8042_DATA, 1, "i8042-data", &i8042_data_ops, k);
	if (ret) {
		free(k);
		return ret;
	}
	return bus_register(&m->pio, I8042_CMD, 1, "i8042-cmd", &i8042_cmd_ops, k);
}

const struct vmon_device i8042_device = {
	.name = "i8042",
	.attach = i8042_attach,
};
