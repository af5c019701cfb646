#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build vmon.ko against another kernel than the tree's own build does,
# in a copy of the module's sources, so that the tree's kmod/vmon.ko
# stays the one "make" built: rig/check.sh for a machine that boots
# another kernel (MACHINES="qemu-la57@6.12"), rig/check-debug.sh for the
# debug kernel.  Prints the module's path; warnings go to stderr.
#
#   rig/build-kmod.sh KDIR OUTDIR
set -uo pipefail

kdir=$1 src=$2
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

rm -rf "$src"
mkdir -p "$src/tools/lib"
# dkms.conf: kmod/Kbuild reads the module's version (PACKAGE_VERSION) there
cp -r Kbuild dkms.conf kmod uapi tables "$src/"
# the module compiles libvmon's decoder and page walker (kmod/decode.c, gva.c)
cp tools/lib/*.[ch] "$src/tools/lib/"
find "$src" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \) -delete
if ! make -C "$kdir" M="$src" CONFIG_DEBUG_INFO_BTF_MODULES= modules >"$src/build.log" 2>&1; then
	echo "build-kmod: vmon.ko does not build against $kdir: see $src/build.log" >&2
	exit 1
fi
if grep -q 'warning:' "$src/build.log"; then
	echo "build-kmod: warnings building vmon.ko against $kdir:" >&2
	grep 'warning:' "$src/build.log" >&2
fi
echo "$src/kmod/vmon.ko"
