// SPDX-License-Identifier: GPL-2.0-only
/*
 * "vmon run --net tap=IFNAME[,mac=XX:XX:XX:XX:XX:XX]": the network
 * device's options, checked before anything is opened.  The tap itself
 * is opened when the device attaches (devices/tap.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "run.h"
#include "vmon.h"

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* exactly six two-digit hex bytes separated by ':' */
static bool parse_mac(const char *s, size_t len, uint8_t mac[6])
{
	unsigned int i;
	int hi, lo;

	if (len != 17)
		return false;
	for (i = 0; i < 6; i++) {
		hi = hex_digit(s[3 * i]);
		lo = hex_digit(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* what Linux's dev_valid_name() accepts, so that TUNSETIFF cannot refuse it */
static bool valid_ifname(const char *s, size_t len)
{
	size_t i;

	if (!len || (len == 1 && s[0] == '.') || (len == 2 && !strncmp(s, "..", 2)))
		return false;
	for (i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == ':' || isspace((unsigned char)s[i]) ||
		    !isprint((unsigned char)s[i]))
			return false;
	return true;
}

static int check_mac(const char *arg, const char *val, size_t len, struct machine_net *net)
{
	static const uint8_t zero[6];

	if (!parse_mac(val, len, net->mac)) {
		vmon_err("--net %s: mac=%.*s is not a MAC address (use six hex bytes like mac=52:54:00:12:34:56)",
			 arg, (int)len, val);
		return -EINVAL;
	}
	/* IEEE 802 individual/group bit: a station address is never multicast */
	if (net->mac[0] & 1) {
		vmon_err("--net %s: mac=%.*s is a multicast address (make the first byte even, e.g. mac=52:54:00:12:34:56)",
			 arg, (int)len, val);
		return -EINVAL;
	}
	if (!memcmp(net->mac, zero, 6)) {
		vmon_err("--net %s: mac=%.*s is all zero (use e.g. mac=52:54:00:12:34:56)",
			 arg, (int)len, val);
		return -EINVAL;
	}
	net->mac_given = true;
	return 0;
}

static int check_tap(const char *arg, const char *val, size_t len, struct run_options *o)
{
	if (len >= RUN_NET_NAME_MAX) {
		vmon_err("--net %s: interface name '%.*s' is longer than %d characters (use the name 'ip link' shows)",
			 arg, (int)len, val, RUN_NET_NAME_MAX - 1);
		return -EINVAL;
	}
	if (!valid_ifname(val, len)) {
		vmon_err("--net %s: '%.*s' is not an interface name (1 to %d printable characters without '/', ':' or spaces, e.g. tap=tap0)",
			 arg, (int)len, val, RUN_NET_NAME_MAX - 1);
		return -EINVAL;
	}
	memcpy(o->net_tap, val, len);
	o->net_tap[len] = 0;
	o->net.tap = o->net_tap;
	return 0;
}

int run_parse_net(const char *arg, struct run_options *o)
{
	bool have_tap = false, have_mac = false;
	const char *p = arg, *end, *eq;
	size_t klen, vlen;
	int ret;

	if (o->net.tap) {
		vmon_err("--net %s: --net given twice (vmon run has one network device: give --net once)",
			 arg);
		return -EINVAL;
	}
	memset(&o->net, 0, sizeof(o->net));
	for (;;) {
		end = strchrnul(p, ',');
		eq = memchr(p, '=', (size_t)(end - p));
		klen = eq ? (size_t)(eq - p) : (size_t)(end - p);
		vlen = eq ? (size_t)(end - eq - 1) : 0;
		if (eq && klen == 3 && !strncmp(p, "tap", 3) && !have_tap) {
			ret = check_tap(arg, eq + 1, vlen, o);
			have_tap = true;
		} else if (eq && klen == 3 && !strncmp(p, "mac", 3) && !have_mac) {
			ret = check_mac(arg, eq + 1, vlen, &o->net);
			have_mac = true;
		} else if (eq && klen == 3 && (!strncmp(p, "tap", 3) || !strncmp(p, "mac", 3))) {
			vmon_err("--net %s: %.3s= given twice (give it once)", arg, p);
			ret = -EINVAL;
		} else {
			vmon_err("--net %s: unknown suboption '%.*s' (use --net tap=IFNAME[,mac=52:54:00:12:34:56])",
				 arg, (int)(end - p), p);
			ret = -EINVAL;
		}
		if (ret)
			goto fail;
		if (!*end)
			break;
		p = end + 1;
	}
	if (!have_tap) {
		vmon_err("--net %s: no tap= given (name an existing tap interface: --net tap=tap0)",
			 arg);
		goto fail;
	}
	return 0;
fail:
	memset(&o->net, 0, sizeof(o->net));
	return -EINVAL;
}
