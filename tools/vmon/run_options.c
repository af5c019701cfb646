// SPDX-License-Identifier: GPL-2.0-only
/*
 * Command line of "vmon run".  Options follow QEMU and kvmtool: --mem
 * takes sizes like 64M, addresses are hex (0x...) or decimal.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"
#include "run.h"
#include "vmon.h"

void run_usage(FILE *f)
{
	fprintf(f,
		"usage: vmon run --flat FILE [--load ADDR] [--entry ADDR] [--mode real|prot|long]\n"
		"                [--mem SIZE] [--cpus N] [--disk FILE[,ro]]...\n"
		"                [--net tap=IFNAME[,mac=MAC]]\n"
		"       vmon run --kernel FILE [--initrd FILE] [--append CMDLINE] [--mem SIZE]\n"
		"                [--cpus N] [--disk FILE[,ro]]... [--net tap=IFNAME[,mac=MAC]]\n"
		"\n"
		"Run a flat binary guest, or boot a kernel, until it stops.\n"
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
		"  --kernel FILE  a kernel, told apart by its content: a Linux bzImage (boot\n"
		"                 protocol 2.12+, 64-bit entry), an uncompressed ELF vmlinux\n"
		"                 (entered at startup_64), or a multiboot v1 kernel (32-bit)\n"
		"  --initrd FILE  initial ramdisk (Linux), or the one module (multiboot)\n"
		"  --append LINE  kernel command line, e.g. \"console=ttyS0\"\n"
		"  --mem SIZE     guest memory at guest-physical 0, e.g. 64M, 1G, 4096k\n"
		"                 (default 64M; 256M with --kernel); beyond 3G, the PCI\n"
		"                 hole, it continues at 4G\n"
		"  --cpus N       vCPUs (default 1): vCPU 0 starts at the entry point, the\n"
		"                 others wait for the guest's INIT and SIPI, as on a PC\n"
		"  --name NAME    the VM's name in 'vmon ps', 'stat', 'top' (printable ASCII,\n"
		"                 at most 31 characters)\n"
		"  --disk FILE[,ro]  a virtio-blk disk on the PCI bus backed by FILE (a raw\n"
		"                 image or a block device, never created nor resized); ,ro:\n"
		"                 read-only, the guest's writes fail.  Repeat for more disks\n"
		"                 (at most 16): the guest sees /dev/vda, vdb, ... in order\n"
		"  --net tap=IFNAME[,mac=MAC]\n"
		"                 a virtio-net device (PCI) on the existing tap interface\n"
		"                 IFNAME ('ip tuntap add dev IFNAME mode tap [user U]');\n"
		"                 MAC like 52:54:00:12:34:56, by default 52:54:00 followed\n"
		"                 by the low 24 bits of vmon's process ID (one --net only)\n"
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
	OPT_KERNEL, OPT_INITRD, OPT_APPEND, OPT_NAME, OPT_CPUS, OPT_DISK, OPT_NET,
};

static const struct option run_long_options[] = {
	{ "flat",	required_argument, NULL, OPT_FLAT },
	{ "load",	required_argument, NULL, OPT_LOAD },
	{ "entry",	required_argument, NULL, OPT_ENTRY },
	{ "mode",	required_argument, NULL, OPT_MODE },
	{ "mem",	required_argument, NULL, OPT_MEM },
	{ "kernel",	required_argument, NULL, OPT_KERNEL },
	{ "initrd",	required_argument, NULL, OPT_INITRD },
	{ "append",	required_argument, NULL, OPT_APPEND },
	{ "name",	required_argument, NULL, OPT_NAME },
	{ "cpus",	required_argument, NULL, OPT_CPUS },
	{ "disk",	required_argument, NULL, OPT_DISK },
	{ "net",	required_argument, NULL, OPT_NET },
	{ "help",	no_argument,	   NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

/* what VMON_SET_NAME accepts: 1..VMON_NAME_LEN-1 printable ASCII characters */
static int check_name(const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < len; i++)
		if (name[i] < 0x20 || name[i] > 0x7e)
			break;
	if (len && len < VMON_NAME_LEN && i == len)
		return 0;
	vmon_err("--name '%s': a VM name is 1 to %d printable ASCII characters (e.g. --name web1)",
		 name, VMON_NAME_LEN - 1);
	return -EINVAL;
}

static int parse_cpus(const char *arg, unsigned int *cpus)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (arg[0] >= '0' && arg[0] <= '9' && !*end && !errno && n >= 1 && n <= RUN_MAX_CPUS) {
		*cpus = (unsigned int)n;
		return 0;
	}
	vmon_err("--cpus %s: not a vCPU count (use a number from 1 to %d, e.g. --cpus 4)",
		 arg, RUN_MAX_CPUS);
	return -EINVAL;
}

int run_check_caps(const struct run_options *o, const struct vmon_caps *caps)
{
	if (o->cpus > caps->max_vcpus) {
		vmon_err("--cpus %u: more than the %u vCPUs per VM vmon.ko allows (use --cpus %u or fewer)",
			 o->cpus, caps->max_vcpus, caps->max_vcpus);
		return -EINVAL;
	}
	if (o->cpus > 1 && !(caps->flags & VMON_CAP_LAPIC)) {
		vmon_err("--cpus %u: vmon.ko has no local APIC to start other vCPUs with (use --cpus 1, or load a vmon.ko with VMON_CAP_LAPIC)",
			 o->cpus);
		return -EINVAL;
	}
	return 0;
}

/*
 * --disk FILE[,ro]: FILE ends at the first comma, as in QEMU's -drive.
 * Everything is checked here, before the VM exists, and nothing is
 * opened: the device (devices/virtio_blk.c) opens FILE without O_CREAT
 * or O_TRUNC at attach time.
 */
static int check_disk_file(const char *arg, const char *path, bool readonly)
{
	struct stat st;

	if (!*path) {
		vmon_err("--disk %s: no file name (use --disk FILE or --disk FILE,ro)", arg);
		return -EINVAL;
	}
	if (stat(path, &st)) {
		if (errno == ENOENT)
			vmon_err("--disk %s: no such file (create the image first, e.g. 'truncate -s 1G %s')",
				 arg, path);
		else
			vmon_err("--disk %s: %s (give a raw disk image or a block device)",
				 arg, strerror(errno));
		return -EINVAL;
	}
	if (S_ISDIR(st.st_mode)) {
		vmon_err("--disk %s: is a directory (give a raw disk image file or a block device)",
			 arg);
		return -EINVAL;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		vmon_err("--disk %s: not a regular file or block device (give a raw disk image file or a block device)",
			 arg);
		return -EINVAL;
	}
	if (faccessat(AT_FDCWD, path, R_OK, AT_EACCESS)) {
		vmon_err("--disk %s: cannot read it: %s (fix its permissions, or run vmon as a user who may read it)",
			 arg, strerror(errno));
		return -EINVAL;
	}
	if (!readonly && faccessat(AT_FDCWD, path, W_OK, AT_EACCESS)) {
		vmon_err("--disk %s: cannot write it: %s (attach it read-only with --disk %s,ro, or fix its permissions)",
			 arg, strerror(errno), path);
		return -EINVAL;
	}
	return 0;
}

static int parse_disk(const char *arg, struct run_options *o)
{
	const char *comma = strchr(arg, ',');
	struct machine_disk *d;
	bool readonly = false;
	char *path;

	if (o->nr_disks == MACHINE_MAX_DISKS) {
		vmon_err("--disk %s: more than %d disks (give at most %d --disk options)",
			 arg, MACHINE_MAX_DISKS, MACHINE_MAX_DISKS);
		return -EINVAL;
	}
	if (comma) {
		if (strcmp(comma + 1, "ro")) {
			vmon_err("--disk %s: unknown suboption '%s' (the only one is ro: --disk FILE,ro)",
				 arg, comma + 1);
			return -EINVAL;
		}
		readonly = true;
	}
	path = comma ? strndup(arg, comma - arg) : strdup(arg);
	if (!path) {
		vmon_err("--disk %s: %s", arg, strerror(errno));
		return -EINVAL;
	}
	if (check_disk_file(arg, path, readonly)) {
		free(path);
		return -EINVAL;
	}
	d = &o->disks[o->nr_disks++];
	d->path = path;
	d->readonly = readonly;
	return 0;
}

void run_free_options(struct run_options *o)
{
	unsigned int i;

	for (i = 0; i < o->nr_disks; i++)
		free((char *)o->disks[i].path);
	o->nr_disks = 0;
}

static int bad_addr(const char *opt, const char *arg, int err)
{
	if (err == -ERANGE)
		vmon_err("%s %s: address too large (at most 64 bits)", opt, arg);
	else
		vmon_err("%s %s: not an address (use hex like 0x1000, or decimal)", opt, arg);
	return -EINVAL;
}

static int parse_options(int argc, char **argv, struct run_options *o)
{
	bool have_load = false, have_entry = false, have_mode = false, have_mem = false;
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->mem = RUN_DEFAULT_MEM;
	o->mode = VMON_GUEST_REAL;
	o->cpus = 1;

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
			have_mode = true;
			if (libvmon_parse_guest_mode(optarg, &o->mode)) {
				vmon_err("--mode %s: unknown mode (use real, prot or long)",
					 optarg);
				return -EINVAL;
			}
			break;
		case OPT_MEM:
			have_mem = true;
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
		case OPT_KERNEL:
			o->kernel = optarg;
			break;
		case OPT_INITRD:
			o->initrd = optarg;
			break;
		case OPT_APPEND:
			o->append = optarg;
			break;
		case OPT_CPUS:
			if (parse_cpus(optarg, &o->cpus))
				return -EINVAL;
			break;
		case OPT_DISK:
			if (parse_disk(optarg, o))
				return -EINVAL;
			break;
		case OPT_NET:
			if (run_parse_net(optarg, o))
				return -EINVAL;
			break;
		case OPT_NAME:
			if (check_name(optarg))
				return -EINVAL;
			o->name = optarg;
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
		vmon_err("run: unexpected argument '%s' (give the guest with --flat FILE or --kernel FILE; quote --append's command line)",
			 argv[optind]);
		return -EINVAL;
	}
	if (o->flat && o->kernel) {
		vmon_err("run: --flat and --kernel both given (choose one: --flat for a raw image, --kernel for a kernel)");
		return -EINVAL;
	}
	if (o->kernel) {
		if (have_load || have_entry || have_mode) {
			vmon_err("run: --%s applies to --flat images only (a --kernel's format decides where it loads and how it starts)",
				 have_load ? "load" : have_entry ? "entry" : "mode");
			return -EINVAL;
		}
		if (!have_mem)
			o->mem = RUN_DEFAULT_MEM_KERNEL;
		return 0;
	}
	if (o->initrd || o->append) {
		vmon_err("run: --%s needs --kernel FILE (see 'vmon run --help')",
			 o->initrd ? "initrd" : "append");
		return -EINVAL;
	}
	if (!o->flat) {
		vmon_err("run: no guest image given (use --flat FILE or --kernel FILE; see 'vmon run --help')");
		return -EINVAL;
	}
	if (!have_load)
		o->load = o->mode == VMON_GUEST_REAL ? RUN_DEFAULT_LOAD_REAL :
						       RUN_DEFAULT_LOAD_PROT;
	if (!have_entry)
		o->entry = o->load;
	return 0;
}

int run_parse_options(int argc, char **argv, struct run_options *o)
{
	int ret = parse_options(argc, argv, o);

	if (ret)
		run_free_options(o);
	return ret;
}
