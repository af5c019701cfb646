// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ACPI fixed hardware the FADT describes (acpi.c), at ACPI_PM_BASE
 * (0x600, as on QEMU's pc machine):
 *   +0  PM1a_STS  16 bits, write 1 to clear (ACPI 6.5 4.8, table 4.11)
 *   +2  PM1a_EN   16 bits (table 4.12)
 *   +4  PM1a_CNT  16 bits (table 4.13): SCI_EN, SLP_TYP, SLP_EN
 *   +8  PM_TMR    32 bits, read only (4.8, "Power Management Timer")
 *
 * Sleeping: writing SLP_EN with the SLP_TYP of the DSDT's \_S5 is soft
 * off (G2/S5, ACPI 6.5 chapter 16): the run ends with status 0, as the other
 * ways a guest stops its machine do.  The DSDT offers no other sleeping
 * state, so any other SLP_TYP is ignored, as a chipset ignores a type
 * it does not implement.  Reset is not here: the FADT's reset register
 * is port 0xCF9 (devices/pci_conf1.c).
 *
 * The PM timer counts at 3.579545 MHz from the machine clock, 32 bits
 * wide (the FADT sets TMR_VAL_EXT).  TMR_STS is set each time the
 * counter's bit 31 changes; computed when the status is read, and, while
 * TMR_EN asks for an SCI, set on time by a machine timer.
 *
 * The machine is always in ACPI mode (the FADT has no SMI_CMD): SCI_EN
 * reads 1 and cannot be cleared.  The SCI is ISA IRQ 9, a level that
 * stays high while an enabled status bit is set (5.2.9, SCI_INT).  Nothing
 * outside the guest sets PWRBTN_STS yet; its enable bit is kept so that
 * the guest's driver reads back what it wrote.
 */
#include <errno.h>
#include <stdlib.h>

#include "../acpi.h"
#include "../machine.h"
#include "../vmon.h"
#include "devices.h"

#define REG_STS		0
#define REG_EN		2
#define REG_CNT		4
#define REG_TMR		8

#define NS_PER_SEC	1000000000ULL
/* PM1_STS bits the guest may clear; PM1_EN bits it may set */
#define STS_BITS	(ACPI_PM1_TMR_STS | ACPI_PM1_PWRBTN_STS | ACPI_PM1_WAK_STS)
/* TMR_EN, GBL_EN, PWRBTN_EN, SLPBTN_EN, RTC_EN, PCIEXP_WAKE_DIS */
#define EN_BITS		0x4721
/* BM_RLD and SLP_TYP keep what is written; GBL_RLS and SLP_EN read 0 */
#define CNT_RW_BITS	(0x0002 | ACPI_PM1_SLP_TYP_MASK)
/* the sources of an SCI: status bits with an enable bit at the same place */
#define SCI_BITS	(ACPI_PM1_TMR_STS | ACPI_PM1_PWRBTN_STS)

/* device state: reached only through the bus and the machine timer */
struct acpi_pm {
	struct vmon_machine *machine;
	struct machine_timer *timer;
	uint64_t start;		/* machine clock when the timer read 0 */
	uint16_t sts, en, cnt;
	uint64_t tmr_epoch;	/* bit-31 changes seen when TMR_STS was last cleared */
	bool sci;		/* the level on IRQ 9 */
	bool warned_slp_typ;
};

static uint64_t pm_ticks(struct acpi_pm *pm, uint64_t now)
{
	/* 128 bits: ns * 3579545 outgrows 64 bits after 85 minutes */
	return (uint64_t)((__uint128_t)(now - pm->start) * ACPI_PM_TIMER_HZ / NS_PER_SEC);
}

/* the machine clock at which tick count ticks is reached */
static uint64_t pm_tick_time(struct acpi_pm *pm, uint64_t ticks)
{
	return pm->start + (uint64_t)(((__uint128_t)ticks * NS_PER_SEC +
				       ACPI_PM_TIMER_HZ - 1) / ACPI_PM_TIMER_HZ);
}

/* fold the bit-31 changes up to now into TMR_STS */
static void pm_update_tmr_sts(struct acpi_pm *pm, uint64_t now)
{
	if (pm_ticks(pm, now) >> 31 != pm->tmr_epoch)
		pm->sts |= ACPI_PM1_TMR_STS;
}

static void pm_update(struct acpi_pm *pm)
{
	uint64_t now = machine_now(pm->machine);
	bool sci;

	pm_update_tmr_sts(pm, now);
	sci = (pm->cnt & ACPI_PM1_SCI_EN) && (pm->sts & pm->en & SCI_BITS);
	if (sci != pm->sci) {
		pm->sci = sci;
		machine_set_irq(pm->machine, ACPI_SCI_IRQ, sci);
	}
	/* wake at the next change of bit 31 while it would raise the SCI */
	if ((pm->en & ACPI_PM1_TMR_EN) && !(pm->sts & ACPI_PM1_TMR_STS))
		pm->timer->deadline = pm_tick_time(pm, (pm->tmr_epoch + 1) << 31);
	else
		pm->timer->deadline = MACHINE_NO_DEADLINE;
}

static void pm_timer_fire(void *dev, uint64_t now)
{
	pm_update(dev);
}

static void pm_sleep(struct acpi_pm *pm)
{
	unsigned int typ = (pm->cnt & ACPI_PM1_SLP_TYP_MASK) >> ACPI_PM1_SLP_TYP_SHIFT;

	if (typ == ACPI_SLP_TYP_S5) {
		vmon_err("guest powered off through ACPI (S5)");
		machine_request_exit(pm->machine, VMON_STATUS_OK);
		return;
	}
	if (!pm->warned_slp_typ) {
		vmon_err("guest asked for sleeping state SLP_TYP %u, which vmon's DSDT does not offer: ignored",
			 typ);
		pm->warned_slp_typ = true;
	}
}

static uint8_t pm_read_byte(struct acpi_pm *pm, uint64_t offset, uint32_t tmr)
{
	uint16_t reg;

	if (offset >= REG_TMR)
		return (uint8_t)(tmr >> (8 * (offset - REG_TMR)));
	if (offset < REG_EN)
		reg = pm->sts;
	else if (offset < REG_CNT)
		reg = pm->en;
	else if (offset < REG_CNT + ACPI_PM1_CNT_LEN)
		reg = pm->cnt;
	else
		return 0xff;		/* 6-7: no register */
	return (uint8_t)(reg >> (8 * (offset & 1)));
}

static uint64_t pm_read(void *dev, uint64_t offset, unsigned int size)
{
	struct acpi_pm *pm = dev;
	uint64_t now = machine_now(pm->machine), v = 0;
	uint32_t tmr = (uint32_t)pm_ticks(pm, now);
	unsigned int i;

	pm_update_tmr_sts(pm, now);
	for (i = 0; i < size && offset + i < ACPI_PM_LEN; i++)
		v |= (uint64_t)pm_read_byte(pm, offset + i, tmr) << (8 * i);
	for (; i < size; i++)
		v |= 0xffULL << (8 * i);
	return v;
}

/* the bytes of a write that fall in the 16-bit register at reg: mask, value */
static bool pm_lane(uint64_t offset, unsigned int size, uint64_t value, uint64_t reg,
		    uint16_t *mask, uint16_t *val)
{
	unsigned int i;

	*mask = 0;
	*val = 0;
	for (i = 0; i < size; i++) {
		uint64_t at = offset + i;

		if (at == reg || at == reg + 1) {
			*mask |= (uint16_t)(0xff << (8 * (at - reg)));
			*val |= (uint16_t)(((value >> (8 * i)) & 0xff) << (8 * (at - reg)));
		}
	}
	return *mask;
}

static void pm_write(void *dev, uint64_t offset, unsigned int size, uint64_t value)
{
	struct acpi_pm *pm = dev;
	uint16_t mask, val;

	if (pm_lane(offset, size, value, REG_STS, &mask, &val)) {
		uint16_t clear = val & mask & STS_BITS;

		/* clearing TMR_STS: a new period of bit 31 starts counting */
		if (clear & ACPI_PM1_TMR_STS)
			pm->tmr_epoch = pm_ticks(pm, machine_now(pm->machine)) >> 31;
		pm->sts &= ~clear;
	}
	if (pm_lane(offset, size, value, REG_EN, &mask, &val))
		pm->en = (pm->en & ~mask) | (val & mask & EN_BITS);
	if (pm_lane(offset, size, value, REG_CNT, &mask, &val)) {
		pm->cnt = (pm->cnt & ~(mask & CNT_RW_BITS)) | (val & mask & CNT_RW_BITS);
		if (val & mask & ACPI_PM1_SLP_EN)
			pm_sleep(pm);
	}
	/* the timer is read only */
	pm_update(pm);
}

static void pm_release(void *dev)
{
	free(dev);
}

static const struct bus_ops pm_ops = {
	.read = pm_read,
	.write = pm_write,
	.release = pm_release,
};

static int pm_attach(struct vmon_machine *m)
{
	struct acpi_pm *pm = calloc(1, sizeof(*pm));
	int ret;

	if (!pm)
		return -ENOMEM;
	pm->machine = m;
	pm->cnt = ACPI_PM1_SCI_EN;
	pm->start = machine_now(m);
	pm->timer = machine_add_timer(m, pm_timer_fire, pm);
	if (!pm->timer) {
		free(pm);
		return -ENOSPC;
	}
	pm->timer->deadline = MACHINE_NO_DEADLINE;
	ret = bus_register(&m->pio, ACPI_PM_BASE, ACPI_PM_LEN, "acpi-pm", &pm_ops, pm);
	if (ret)
		free(pm);
	return ret;
}

const struct vmon_device acpi_pm_device = {
	.name = "acpi-pm",
	.attach = pm_attach,
};
