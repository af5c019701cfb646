// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of "vmon run" options (run_options.c) and layout (layout.c). */
#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "run.h"
#include "test_util.h"
#include "vmon.h"

#define ARGV(...) ((char *[]){ "run", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "run", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, ...) run_parse_options(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), o)

/* parse, expect failure, and return what was printed */
#define PARSE_ERR(o, ...) ({						\
	int __saved = capture_begin(2);					\
	int __ret = PARSE(o, __VA_ARGS__);				\
	char *__msg = capture_end(2, __saved);				\
	EXPECT_EQ(-EINVAL, __ret);					\
	__msg;								\
})

TEST(defaults_real_mode)
{
	struct run_options o;

	ASSERT_EQ(0, PARSE(&o, "--flat", "g.bin"));
	EXPECT_STREQ("g.bin", o.flat);
	EXPECT_EQ(64ULL << 20, o.mem);
	EXPECT_EQ(VMON_GUEST_REAL, o.mode);
	EXPECT_EQ(0x1000, o.load);
	EXPECT_EQ(0x1000, o.entry);
	EXPECT_FALSE(o.help);
}

TEST(defaults_prot_and_long_load_at_1m)
{
	struct run_options o;

	ASSERT_EQ(0, PARSE(&o, "--mode", "long", "--flat", "g.bin"));
	EXPECT_EQ(VMON_GUEST_LONG, o.mode);
	EXPECT_EQ(0x100000, o.load);
	EXPECT_EQ(0x100000, o.entry);
	ASSERT_EQ(0, PARSE(&o, "--mode=prot", "--flat=g.bin", "--entry", "0x100010"));
	EXPECT_EQ(VMON_GUEST_PROT, o.mode);
	EXPECT_EQ(0x100000, o.load);
	EXPECT_EQ(0x100010, o.entry);
}

TEST(explicit_values)
{
	struct run_options o;

	ASSERT_EQ(0, PARSE(&o, "--flat", "g.bin", "--load", "31744", "--mem", "1G"));
	EXPECT_EQ(0x7c00, o.load);
	EXPECT_EQ(0x7c00, o.entry);	/* entry follows load */
	EXPECT_EQ(1ULL << 30, o.mem);
	ASSERT_EQ(0, PARSE(&o, "--entry", "0x2000", "--load", "0x1000", "--flat", "g.bin"));
	EXPECT_EQ(0x1000, o.load);
	EXPECT_EQ(0x2000, o.entry);
}

TEST(help)
{
	struct run_options o;

	ASSERT_EQ(0, PARSE(&o, "--help"));
	EXPECT_TRUE(o.help);
	ASSERT_EQ(0, PARSE(&o, "-h"));
	EXPECT_TRUE(o.help);
}

TEST(errors_name_the_problem)
{
	struct run_options o;

	EXPECT_STREQ("vmon: --mem 5X: not a size (use e.g. 64M, 1G)\n",
		     PARSE_ERR(&o, "--flat", "g.bin", "--mem", "5X"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--mem", "1000"),
			       "multiple of 4 KiB"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--mem", "0"),
			       "multiple of 4 KiB"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--load", "zz"),
			       "--load zz: not an address"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--entry", "1k"),
			       "--entry 1k: not an address"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--mode", "virt86"),
			       "use real, prot or long"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--smp", "2"),
			       "unknown option '--smp'"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "-x"),
			       "unknown option '-x'"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat"), "--flat needs a value"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--mem", "64M"), "use --flat FILE"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "extra"),
			       "unexpected argument 'extra'"));
}

static struct run_options opts(enum vmon_guest_mode mode, uint64_t mem, uint64_t load)
{
	struct run_options o = {
		.flat = "g", .mem = mem, .load = load, .entry = load, .mode = mode,
	};
	return o;
}

TEST(layout_real_mode)
{
	struct run_options o = opts(VMON_GUEST_REAL, 64 << 20, 0x7c00);
	struct run_layout l;

	ASSERT_EQ(0, run_plan_layout(&o, 512, &l));
	EXPECT_EQ(0x7c00, l.stack);	/* below the image, as a BIOS does */
	o = opts(VMON_GUEST_REAL, 64 << 20, 0x20000);
	o.entry = 0x100;
	ASSERT_EQ(0, run_plan_layout(&o, 512, &l));
	EXPECT_EQ(0, l.stack);		/* top of the first 64 KiB */
	o = opts(VMON_GUEST_REAL, 64 << 20, 0x20000);
	EXPECT_EQ(-EINVAL, run_plan_layout(&o, 512, &l));	/* entry above 64 KiB */
}

TEST(layout_tables_at_top_of_memory)
{
	struct run_options o = opts(VMON_GUEST_LONG, 64 << 20, 0x100000);
	struct run_layout l;

	ASSERT_EQ(0, run_plan_layout(&o, 4096, &l));
	EXPECT_EQ((64 << 20) - VMON_SETUP_TABLES_SIZE, l.tables_gpa);
	EXPECT_EQ(l.tables_gpa, l.stack);
	EXPECT_EQ(4ULL << 30, l.map_size);	/* at least 4 GiB: MMIO reachable */

	/* the top is where the PCI hole begins, 3 GiB */
	o = opts(VMON_GUEST_PROT, 8ULL << 30, 0x100000);
	ASSERT_EQ(0, run_plan_layout(&o, 4096, &l));
	EXPECT_EQ((3ULL << 30) - VMON_SETUP_TABLES_SIZE, l.tables_gpa);
	EXPECT_EQ(0, l.map_size);

	/* RAM beyond the hole continues at 4 GiB: the map reaches its end */
	o = opts(VMON_GUEST_LONG, 3ULL << 30, 0x100000);
	ASSERT_EQ(0, run_plan_layout(&o, 4096, &l));
	EXPECT_EQ(4ULL << 30, l.map_size);
	o = opts(VMON_GUEST_LONG, (3ULL << 30) + 4096, 0x100000);
	ASSERT_EQ(0, run_plan_layout(&o, 4096, &l));
	EXPECT_EQ((3ULL << 30) - VMON_SETUP_TABLES_SIZE, l.tables_gpa);
	EXPECT_EQ(5ULL << 30, l.map_size);
	o = opts(VMON_GUEST_LONG, 64ULL << 30, 0x100000);
	ASSERT_EQ(0, run_plan_layout(&o, 4096, &l));
	EXPECT_EQ(VMON_SETUP_MAX_MAP, l.map_size);
}

TEST(layout_image_must_not_cover_tables)
{
	struct run_options o = opts(VMON_GUEST_LONG, 2 << 20, 0x100000);
	struct run_layout l;
	int saved;
	char *msg;

	/* exactly up to the tables: fine; one byte more: refused */
	ASSERT_EQ(0, run_plan_layout(&o, (1 << 20) - VMON_SETUP_TABLES_SIZE, &l));
	saved = capture_begin(2);
	EXPECT_EQ(-EINVAL, run_plan_layout(&o, (1 << 20) - VMON_SETUP_TABLES_SIZE + 1, &l));
	msg = capture_end(2, saved);
	EXPECT_NE(NULL, strstr(msg, "GDT and page tables (raise --mem"));

	o = opts(VMON_GUEST_PROT, 16 << 10, 0);
	EXPECT_EQ(-EINVAL, run_plan_layout(&o, 16, &l));	/* no room for tables */
	o = opts(VMON_GUEST_PROT, 64 << 20, 0x100000);
	o.entry = 1ULL << 32;
	EXPECT_EQ(-EINVAL, run_plan_layout(&o, 16, &l));
}

TEST(kernel_options)
{
	struct run_options o;

	ASSERT_EQ(0, PARSE(&o, "--kernel", "bzImage", "--initrd", "rd.cpio",
			   "--append", "console=ttyS0 quiet"));
	EXPECT_STREQ("bzImage", o.kernel);
	EXPECT_STREQ("rd.cpio", o.initrd);
	EXPECT_STREQ("console=ttyS0 quiet", o.append);
	EXPECT_EQ(NULL, o.flat);
	EXPECT_EQ(256ULL << 20, o.mem);	/* the --kernel default */
	ASSERT_EQ(0, PARSE(&o, "--mem", "128M", "--kernel", "vmlinux"));
	EXPECT_EQ(128ULL << 20, o.mem);
	EXPECT_EQ(NULL, o.initrd);
	EXPECT_EQ(NULL, o.append);
}

TEST(kernel_option_conflicts_are_named)
{
	struct run_options o;

	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--kernel", "k", "--flat", "g.bin"),
			       "--flat and --kernel both given"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--kernel", "k", "--load", "0x1000"),
			       "--load applies to --flat images only"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--kernel", "k", "--mode", "long"),
			       "--mode applies to --flat images only"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g.bin", "--initrd", "rd"),
			       "--initrd needs --kernel FILE"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g.bin", "--append", "x"),
			       "--append needs --kernel FILE"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--kernel", "k", "console=ttyS0"),
			       "quote --append's command line"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--kernel"), "option --kernel needs a value"));
}

TEST(cpus_parsed_and_bounded)
{
	struct run_options o;

	ASSERT_EQ(0, PARSE(&o, "--flat", "g.bin"));
	EXPECT_EQ(1, o.cpus);
	ASSERT_EQ(0, PARSE(&o, "--kernel", "k", "--cpus", "4"));
	EXPECT_EQ(4, o.cpus);
	ASSERT_EQ(0, PARSE(&o, "--cpus=254", "--flat", "g.bin"));
	EXPECT_EQ(254, o.cpus);
	EXPECT_STREQ("vmon: --cpus 0: not a vCPU count (use a number from 1 to 254, e.g. --cpus 4)\n",
		     PARSE_ERR(&o, "--flat", "g.bin", "--cpus", "0"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--cpus", "255"), "not a vCPU count"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--cpus", "2x"), "not a vCPU count"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--cpus", "-1"), "not a vCPU count"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--cpus", ""), "not a vCPU count"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--cpus", "99999999999999999999"),
			       "not a vCPU count"));
}

/* run_check_caps() is one line naming the option, the limit and the fix */
TEST(cpus_checked_against_the_module)
{
	struct vmon_caps caps = { .max_vcpus = 8, .flags = VMON_CAP_LAPIC };
	struct run_options o;
	int saved, ret;
	char *msg;

	ASSERT_EQ(0, PARSE(&o, "--kernel", "k", "--cpus", "8"));
	EXPECT_EQ(0, run_check_caps(&o, &caps));
	ASSERT_EQ(0, PARSE(&o, "--kernel", "k", "--cpus", "9"));
	saved = capture_begin(2);
	ret = run_check_caps(&o, &caps);
	msg = capture_end(2, saved);
	EXPECT_EQ(-EINVAL, ret);
	EXPECT_STREQ("vmon: --cpus 9: more than the 8 vCPUs per VM vmon.ko allows (use --cpus 8 or fewer)\n",
		     msg);
	/* more than one vCPU needs the kernel's local APIC (INIT/SIPI) */
	caps.flags = 0;
	ASSERT_EQ(0, PARSE(&o, "--kernel", "k", "--cpus", "2"));
	saved = capture_begin(2);
	ret = run_check_caps(&o, &caps);
	msg = capture_end(2, saved);
	EXPECT_EQ(-EINVAL, ret);
	EXPECT_NE(NULL, strstr(msg, "--cpus 2: vmon.ko has no local APIC"));
	EXPECT_NE(NULL, strstr(msg, "use --cpus 1"));
	ASSERT_EQ(0, PARSE(&o, "--kernel", "k"));
	EXPECT_EQ(0, run_check_caps(&o, &caps));
}

/* a file's bytes and size, to see that a refused --disk left it alone */
static long file_sum(const char *path, off_t *size)
{
	struct stat st;
	long sum = 0;
	int c;
	FILE *f = fopen(path, "r");

	if (!f || fstat(fileno(f), &st))
		return -1;
	while ((c = fgetc(f)) != EOF)
		sum = sum * 31 + c;
	fclose(f);
	*size = st.st_size;
	return sum;
}

TEST(disks_in_order)
{
	char *a = make_image(4096), *b = make_image(1024);
	struct run_options o;
	char arg[64];

	snprintf(arg, sizeof(arg), "%s,ro", b);
	ASSERT_EQ(0, PARSE(&o, "--kernel", "k", "--disk", a, "--disk", arg, "--disk", a));
	EXPECT_EQ(3, o.nr_disks);
	EXPECT_STREQ(a, o.disks[0].path);
	EXPECT_FALSE(o.disks[0].readonly);
	EXPECT_STREQ(b, o.disks[1].path);
	EXPECT_TRUE(o.disks[1].readonly);
	EXPECT_STREQ(a, o.disks[2].path);
	run_free_options(&o);
	EXPECT_EQ(0, o.nr_disks);
	ASSERT_EQ(0, PARSE(&o, "--kernel", "k"));
	EXPECT_EQ(0, o.nr_disks);
	unlink(a);
	unlink(b);
	free(a);
	free(b);
}

TEST(disk_errors_name_the_option_and_the_fix)
{
	char *img = make_image(512);
	struct run_options o;
	char arg[64], *msg;
	off_t size;
	long sum = file_sum(img, &size);

	msg = PARSE_ERR(&o, "--kernel", "k", "--disk", "/nonexistent/disk.img");
	EXPECT_STREQ("vmon: --disk /nonexistent/disk.img: no such file (create the image first, e.g. 'truncate -s 1G /nonexistent/disk.img')\n",
		     msg);
	EXPECT_NE(0, access("/nonexistent", F_OK));	/* nothing created */
	msg = PARSE_ERR(&o, "--kernel", "k", "--disk", "/tmp");
	EXPECT_NE(NULL, strstr(msg, "--disk /tmp: is a directory"));
	msg = PARSE_ERR(&o, "--kernel", "k", "--disk", "/dev/null");
	EXPECT_NE(NULL, strstr(msg, "--disk /dev/null: not a regular file or block device"));
	snprintf(arg, sizeof(arg), "%s,rw", img);
	msg = PARSE_ERR(&o, "--kernel", "k", "--disk", arg);
	EXPECT_NE(NULL, strstr(msg, "unknown suboption 'rw' (the only one is ro"));
	snprintf(arg, sizeof(arg), "%s,ro,x", img);
	msg = PARSE_ERR(&o, "--kernel", "k", "--disk", arg);
	EXPECT_NE(NULL, strstr(msg, "unknown suboption 'ro,x'"));
	msg = PARSE_ERR(&o, "--kernel", "k", "--disk", ",ro");
	EXPECT_NE(NULL, strstr(msg, "--disk ,ro: no file name"));
	msg = PARSE_ERR(&o, "--kernel", "k", "--disk");
	EXPECT_NE(NULL, strstr(msg, "--disk needs a value"));
	/* one line each */
	EXPECT_EQ(strlen(msg) - 1, strcspn(msg, "\n"));

	EXPECT_EQ(sum, file_sum(img, &size));
	EXPECT_EQ(512, size);
	unlink(img);
	free(img);
}

TEST(at_most_16_disks)
{
	char *argv[3 + 2 * (MACHINE_MAX_DISKS + 1) + 1] = { "run", "--kernel", "k" };
	char *img = make_image(512), *msg;
	int argc = 3, saved, ret, i;
	struct run_options o;

	for (i = 0; i <= MACHINE_MAX_DISKS; i++) {
		argv[argc++] = "--disk";
		argv[argc++] = img;
	}
	argv[argc] = NULL;
	saved = capture_begin(2);
	ret = run_parse_options(argc, argv, &o);
	msg = capture_end(2, saved);
	EXPECT_EQ(-EINVAL, ret);
	EXPECT_NE(NULL, strstr(msg, "more than 16 disks"));
	EXPECT_EQ(0, o.nr_disks);	/* freed on error */
	argc -= 2;
	argv[argc] = NULL;
	ASSERT_EQ(0, run_parse_options(argc, argv, &o));
	EXPECT_EQ(MACHINE_MAX_DISKS, o.nr_disks);
	run_free_options(&o);
	unlink(img);
	free(img);
}

/*
 * Permissions, checked as an unprivileged user (root may write anything
 * that is not on a read-only mount): a child drops to nobody.
 */
TEST(disk_permissions)
{
	char *img = make_image(1024);
	char arg[64], *msg;
	struct run_options o;
	off_t size;
	long sum = file_sum(img, &size);
	int status;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to create files another user cannot write");
	chmod(img, 0444);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int bad = 0, saved;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		/* 0444: readable, not writable */
		saved = capture_begin(2);
		bad |= PARSE(&o, "--kernel", "k", "--disk", img) != -EINVAL;
		msg = capture_end(2, saved);
		bad |= !strstr(msg, "cannot write it: Permission denied (attach it read-only with --disk ");
		snprintf(arg, sizeof(arg), "%s,ro", img);
		bad |= PARSE(&o, "--kernel", "k", "--disk", arg) != 0;
		bad |= !o.disks[0].readonly;
		_exit(bad ? 11 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);

	chmod(img, 0200);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int bad = 0, saved;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		/* 0200: not even readable, ro or not */
		snprintf(arg, sizeof(arg), "%s,ro", img);
		saved = capture_begin(2);
		bad |= PARSE(&o, "--kernel", "k", "--disk", arg) != -EINVAL;
		msg = capture_end(2, saved);
		bad |= !strstr(msg, "cannot read it: Permission denied (fix its permissions");
		_exit(bad ? 11 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	chmod(img, 0600);
	EXPECT_EQ(sum, file_sum(img, &size));
	EXPECT_EQ(1024, size);
	unlink(img);
	free(img);
}

TEST(net_tap_and_mac)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
	struct run_options o;

	ASSERT_EQ(0, PARSE(&o, "--flat", "g.bin"));
	EXPECT_EQ(NULL, o.net.tap);
	ASSERT_EQ(0, PARSE(&o, "--flat", "g.bin", "--net", "tap=tap0"));
	EXPECT_STREQ("tap0", o.net.tap);
	EXPECT_FALSE(o.net.mac_given);
	ASSERT_EQ(0, PARSE(&o, "--net=mac=52:54:00:AB:cd:ef,tap=vmon-tap-012345", "--flat", "g"));
	EXPECT_STREQ("vmon-tap-012345", o.net.tap);
	EXPECT_TRUE(o.net.mac_given);
	EXPECT_EQ(0, memcmp(mac, o.net.mac, 6));
}

TEST(net_errors_name_the_fix)
{
	struct run_options o;

	EXPECT_STREQ("vmon: --net mac=52:54:00:12:34:56: no tap= given (name an existing tap interface: --net tap=tap0)\n",
		     PARSE_ERR(&o, "--flat", "g", "--net", "mac=52:54:00:12:34:56"));
	EXPECT_STREQ("vmon: --net tap=t0,vhost=on: unknown suboption 'vhost=on' (use --net tap=IFNAME[,mac=52:54:00:12:34:56])\n",
		     PARSE_ERR(&o, "--flat", "g", "--net", "tap=t0,vhost=on"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--net", "tap0"),
			       "unknown suboption 'tap0'"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--net", "tap=t0,"),
			       "unknown suboption ''"));
	EXPECT_STREQ("vmon: --net tap=a23456789abcdef0: interface name 'a23456789abcdef0' is longer than 15 characters (use the name 'ip link' shows)\n",
		     PARSE_ERR(&o, "--flat", "g", "--net", "tap=a23456789abcdef0"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--net", "tap="),
			       "is not an interface name"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--net", "tap=a/b"),
			       "is not an interface name"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--net", "tap=t0,tap=t1"),
			       "tap= given twice"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--net", "tap=t0", "--net", "tap=t1"),
			       "--net given twice"));
}

TEST(net_bad_macs)
{
	struct run_options o;

	EXPECT_STREQ("vmon: --net tap=t0,mac=52:54:00:12:34: mac=52:54:00:12:34 is not a MAC address (use six hex bytes like mac=52:54:00:12:34:56)\n",
		     PARSE_ERR(&o, "--flat", "g", "--net", "tap=t0,mac=52:54:00:12:34"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--net", "tap=t0,mac=52:54:00:12:34:5g"),
			       "is not a MAC address"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--net", "tap=t0,mac=52-54-00-12-34-56"),
			       "is not a MAC address"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--net", "tap=t0,mac=52:54:00:12:34:567"),
			       "is not a MAC address"));
	EXPECT_STREQ("vmon: --net tap=t0,mac=01:00:5e:00:00:01: mac=01:00:5e:00:00:01 is a multicast address (make the first byte even, e.g. mac=52:54:00:12:34:56)\n",
		     PARSE_ERR(&o, "--flat", "g", "--net", "tap=t0,mac=01:00:5e:00:00:01"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--net", "tap=t0,mac=ff:ff:ff:ff:ff:ff"),
			       "multicast"));
	EXPECT_NE(NULL, strstr(PARSE_ERR(&o, "--flat", "g", "--net", "tap=t0,mac=00:00:00:00:00:00"),
			       "all zero"));
	/* a failed --net leaves no half-parsed device behind */
	EXPECT_EQ(NULL, o.net.tap);
}

TEST_HARNESS_MAIN
