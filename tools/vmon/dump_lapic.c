// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmon dump: the local APIC part of a vCPU's state (the VMON_A_LAPIC
 * nest of GET_STATE): its mode, MP state, the registers by name (SDM
 * Vol. 3A Table 11-1) and the vectors set in IRR, ISR and TMR.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "watch.h"

static const struct {
	unsigned int off;
	const char *name;
} lapic_regs[] = {
	{ 0x020, "ID" }, { 0x030, "VERSION" }, { 0x080, "TPR" }, { 0x0a0, "PPR" },
	{ 0x0d0, "LDR" }, { 0x0e0, "DFR" }, { 0x0f0, "SVR" }, { 0x280, "ESR" },
	{ 0x300, "ICR" }, { 0x310, "ICR2" }, { 0x320, "LVT_TIMER" },
	{ 0x330, "LVT_THERMAL" }, { 0x340, "LVT_PERF" }, { 0x350, "LVT_LINT0" },
	{ 0x360, "LVT_LINT1" }, { 0x370, "LVT_ERROR" }, { 0x380, "TIMER_INITIAL" },
	{ 0x390, "TIMER_CURRENT" }, { 0x3e0, "TIMER_DIVIDE" },
};

static const struct {
	unsigned int off;
	const char *name;
} lapic_maps[] = { { 0x200, "IRR" }, { 0x100, "ISR" }, { 0x180, "TMR" } };

static uint32_t reg(const struct libvmon_state_dump *d, unsigned int off)
{
	uint32_t v;

	memcpy(&v, d->lapic_regs + off, sizeof(v));
	return v;
}

static const char *lapic_mode(uint64_t base)
{
	if (!(base & (1ULL << 11)))
		return "disabled";
	return base & (1ULL << 10) ? "x2APIC" : "xAPIC";
}

static const char *mp_state_name(uint32_t s)
{
	static const char * const names[] = { "runnable", "halted", "wait-for-SIPI" };

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* "0x31 0x41": the vectors set in the 256-bit register at off */
static void vectors(const struct libvmon_state_dump *d, unsigned int off, char *buf, size_t len)
{
	unsigned int v;
	size_t n = 0;

	buf[0] = '\0';
	for (v = 0; v < 256 && n + 6 < len; v++)
		if (reg(d, off + 0x10 * (v / 32)) & (1u << (v % 32)))
			n += snprintf(buf + n, len - n, "%s0x%02x", n ? " " : "", v);
}

void dump_print_lapic(FILE *f, const struct libvmon_state_dump *d, struct json_writer *w)
{
	char buf[256 * 5 + 1];
	unsigned int i;

	if (!d->has_lapic)
		return;
	if (w) {
		json_begin_object(w, "lapic");
		json_u64(w, "apic_base", d->apic_base);
		json_str(w, "mode", lapic_mode(d->apic_base));
		json_str(w, "mp_state", mp_state_name(d->mp_state));
		for (i = 0; i < sizeof(lapic_regs) / sizeof(lapic_regs[0]); i++)
			json_u64(w, lapic_regs[i].name, reg(d, lapic_regs[i].off));
		for (i = 0; i < sizeof(lapic_maps) / sizeof(lapic_maps[0]); i++) {
			vectors(d, lapic_maps[i].off, buf, sizeof(buf));
			json_str(w, lapic_maps[i].name, buf);
		}
		json_end_object(w);
		return;
	}
	fprintf(f, "\nLocal APIC: %s, base 0x%llx, %s\n", lapic_mode(d->apic_base),
		(unsigned long long)(d->apic_base & ~0xfffULL), mp_state_name(d->mp_state));
	for (i = 0; i < sizeof(lapic_regs) / sizeof(lapic_regs[0]); i++)
		fprintf(f, "  %-13s = 0x%08x\n", lapic_regs[i].name, reg(d, lapic_regs[i].off));
	for (i = 0; i < sizeof(lapic_maps) / sizeof(lapic_maps[0]); i++) {
		vectors(d, lapic_maps[i].off, buf, sizeof(buf));
		fprintf(f, "  %-13s = %s\n", lapic_maps[i].name, buf[0] ? buf : "-");
	}
}
