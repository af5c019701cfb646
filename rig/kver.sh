#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Print the kernel release the emulated machines boot (/boot/vmlinuz-KVER
# and the modules of /lib/modules/KVER): KVER when set (a full release,
# or its start such as "6.12" for the newest installed one), else the release
# vmon.ko was built for (VMON_KO, default kmod/vmon.ko), so that the
# module's vermagic matches, when /boot has that kernel; else Debian's
# default kernel (the one linux-image-amd64 depends on), else the newest
# installed.  (A module built for a kernel of one's own, as in
# rig/check-debug.sh, boots with RIG_KERNEL; Linux guests and Debian's
# modules still come from an installed kernel.)
#
#   rig/kver.sh
top=$(cd "$(dirname "$0")/.." && pwd)
ko=${VMON_KO:-$top/kmod/vmon.ko}
if [ -n "${KVER:-}" ]; then
	# a release, or the start of one ("6.12"): the newest installed match
	if [ ! -r "/boot/vmlinuz-$KVER" ]; then
		v=$(ls /boot/vmlinuz-"$KVER"[.-]* 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -n 1)
		[ -n "$v" ] && KVER=$v
	fi
	echo "$KVER"
	exit 0
fi
if [ -r "$ko" ]; then
	v=$(PATH=$PATH:/sbin:/usr/sbin modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)
	[ -n "$v" ] && [ -r "/boot/vmlinuz-$v" ] && { echo "$v"; exit 0; }
fi
v=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
	sed -n 's/^linux-image-\([^ ,]*\).*/\1/p')
if [ -n "$v" ] && [ -r "/boot/vmlinuz-$v" ]; then
	echo "$v"
	exit 0
fi
ls /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -n 1
