#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The naming rule of Documentation/design.rst ("Names"), checked on the
# built objects (TAP): no global function is defined in both vmon.ko and
# libvmon.a, and every function libvmon.a exports is libvmon_*.
#
#   scripts/check-names.sh [VMON_KO [LIBVMON_A]]
#
# Defaults: kmod/vmon.ko and tools/lib/libvmon.a; a module that is not
# built skips the first check.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
ko=${1:-$top/kmod/vmon.ko}
lib=${2:-$top/tools/lib/libvmon.a}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# global functions (T) defined in an object, one per line, sorted
defined() {
	nm -g --defined-only "$1" 2>/dev/null | awk '$2 == "T" { print $3 }' | sort -u
}

echo "TAP version 13"
echo "1..2"
if ! defined "$lib" >"$tmp/lib" || [ ! -s "$tmp/lib" ]; then
	echo "Bail out! no functions found in $lib (make -C tools/lib first)"
	exit 1
fi

rc=0
if [ -f "$ko" ]; then
	defined "$ko" >"$tmp/ko"
	comm -12 "$tmp/ko" "$tmp/lib" >"$tmp/both"
	if [ -s "$tmp/both" ]; then
		echo "not ok 1 - a global function is defined in both vmon.ko and libvmon.a"
		sed 's/^/#   both: /' "$tmp/both"
		echo "#   kernel functions are vmon_*, libvmon's libvmon_* (scripts/rename-libvmon.sh)"
		rc=1
	else
		echo "ok 1 - no global function is defined in both vmon.ko ($(wc -l <"$tmp/ko")) and libvmon.a ($(wc -l <"$tmp/lib"))"
	fi
else
	echo "ok 1 # SKIP $ko is not built"
fi

grep -v '^libvmon_' "$tmp/lib" >"$tmp/bad"
if [ -s "$tmp/bad" ]; then
	echo "not ok 2 - libvmon.a exports functions not named libvmon_*"
	sed 's/^/#   /' "$tmp/bad"
	rc=1
else
	echo "ok 2 - every function libvmon.a exports is libvmon_*"
fi
exit $rc
