// SPDX-License-Identifier: GPL-2.0-only
/*
 * Command line of "vmon run".  Options follow QEMU and kvmtool: --mem
 * takes sizes like 64M, addresses are hex (0x...) or decimal.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "run.h"
#include "vmon.h"

void run_usage(FILE *f)
{
	fprintf(f,
		"usage: vmon run --flat FILE [--load ADDR] [--entry ADDR] [--mode real|prot|long]\n"
		"                [--mem SIZE]\n"
		"\n"
		"Run a flat binary guest on one vCPU until it stops.\n"
		"\n"
		"  --flat FILE    guest image, copied byte for byte to guest memory at --load\n"
		"  --load ADDR    guest-physical load address (default 0x1000 in real mode,\n"
		"                 0x100000 in prot and long mode)\n"
		"  --entry ADDR   first instruction (default: the load address)\n"
		"  --mode MODE    real: 16-bit, CS base 0, stack below the load address\n"
		"                 prot: 32-bit flat segments, paging off\n"
		"                 long: 64-bit, the first 4 GiB (or --mem) identity mapped\n"
		"                 (default real; prot and long place a GDT and page tables in\n"
		"                 the top 32 KiB of guest memory, the stack grows down below)\n"
		"  --mem SIZE     guest memory at guest-physical 0, e.g. 64M, 1G, 4096k\n"
		"                 (default 64M)\n"
		"\n"
		"Devices: 16550 UART at 0x3F8 and debug console at 0xE9 print to stdout;\n"
		"writing v to port 0xF4 (QEMU's isa-debug-exit) ends the run.\n"
		"\n"
		"Exit status: (v << 1) | 1 after the guest wrote v to port 0xF4; 0 when the\n"
		"guest halted; 2 bad command line or setup failure; 4 VM entry failure or an\n"
		"exit vmon cannot handle; 6 guest triple fault; 128+N after signal N.\n");
}

enum {
	OPT_FLAT = 256, OPT_LOAD, OPT_ENTRY, OPT_MODE, OPT_MEM, OPT_HELP,
};

static const struct option run_long_options[] = {
	{ "flat",	required_argument, NULL, OPT_FLAT },
	{ "load",	required_argument, NULL, OPT_LOAD },
	{ "entry",	required_argument, NULL, OPT_ENTRY },
	{ "mode",	required_argument, NULL, OPT_MODE },
	{ "mem",	required_argument, NULL, OPT_MEM },
	{ "help",	no_argument,	   NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

static int bad_addr(const char *opt, const char *arg, int err)
{
	if (err == -ERANGE)
		vmon_err("%s %s: address too large (at most 64 bits)", opt, arg);
	else
		vmon_err("%s %s: not an address (use hex like 0x1000, or decimal)", opt, arg);
	return -EINVAL;
}

int run_parse_options(int argc, char **argv, struct run_options *o)
{
	bool have_load = false, have_entry = false;
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->mem = RUN_DEFAULT_MEM;
	o->mode = VMON_GUEST_REAL;

	opterr = 0;	/* our own one-line messages instead of getopt's */
	optind = 0;	/* full reset: run may be parsed more than once (tests) */
	while ((c = getopt_long(argc, argv, "+:h", run_long_options, NULL)) != -1) {
		switch (c) {
		case OPT_FLAT:
			o->flat = optarg;
			break;
		case OPT_LOAD:
			ret = parse_addr(optarg, &o->load);
			if (ret)
				return bad_addr("--load", optarg, ret);
			have_load = true;
			break;
		case OPT_ENTRY:
			ret = parse_addr(optarg, &o->entry);
			if (ret)
				return bad_addr("--entry", optarg, ret);
			have_entry = true;
			break;
		case OPT_MODE:
			if (vmon_parse_guest_mode(optarg, &o->mode)) {
				vmon_err("--mode %s: unknown mode (use real, prot or long)",
					 optarg);
				return -EINVAL;
			}
			break;
		case OPT_MEM:
			ret = parse_size(optarg, &o->mem);
			if (ret == -ERANGE) {
				vmon_err("--mem %s: too large (use e.g. 64M, 1G)", optarg);
				return -EINVAL;
			}
			if (ret) {
				vmon_err("--mem %s: not a size (use e.g. 64M, 1G)", optarg);
				return -EINVAL;
			}
			if (!o->mem || o->mem % 4096) {
				vmon_err("--mem %s: guest memory must be a non-zero multiple of 4 KiB (use e.g. 64M)",
					 optarg);
				return -EINVAL;
			}
			break;
		case 'h':
		case OPT_HELP:
			o->help = true;
			return 0;
		case ':':
			vmon_err("run: option %s needs a value (see 'vmon run --help')",
				 argv[optind - 1]);
			return -EINVAL;
		default:
			if (optopt > 0 && optopt < 256)
				vmon_err("run: unknown option '-%c' (see 'vmon run --help')",
					 optopt);
			else
				vmon_err("run: unknown option '%s' (see 'vmon run --help')",
					 argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		vmon_err("run: unexpected argument '%s' (give the guest image with --flat FILE)",
			 argv[optind]);
		return -EINVAL;
	}
	if (!o->flat) {
		vmon_err("run: no guest image given (use --flat FILE; see 'vmon run --help')");
		return -EINVAL;
	}
	if (!have_load)
		o->load = o->mode == VMON_GUEST_REAL ? RUN_DEFAULT_LOAD_REAL :
						       RUN_DEFAULT_LOAD_PROT;
	if (!have_entry)
		o->entry = o->load;
	return 0;
}
