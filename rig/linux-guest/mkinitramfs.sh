#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the initramfs of the Linux guest vmon boots in "make check" and
# "make demo": Debian's busybox-static, the /init next to this script,
# and hvinfo (hvinfo.c, linked -static) to show the CPUID hypervisor
# leaf and the guest's TSC.  An uncompressed newc cpio: no decompression
# under emulation.
#
#   rig/linux-guest/mkinitramfs.sh OUT.cpio
set -eu
out=${1:?usage: rig/linux-guest/mkinitramfs.sh OUT.cpio}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
busybox=$(command -v busybox || echo /bin/busybox)

die() { echo "mkinitramfs: $*" >&2; exit 1; }
[ -x "$busybox" ] || die "no busybox: run 'make deps' (busybox-static)"
ldd "$busybox" 2>&1 | grep -q 'not a dynamic' ||
	die "$busybox is not statically linked: run 'make deps' (busybox-static)"
command -v cpio >/dev/null || die "no cpio: run 'make deps'"

work=$(mktemp -d "${TMPDIR:-/tmp}/vmon-guest-initramfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/bin "$root"/dev "$root"/proc "$root"/sys "$root"/tmp
cp "$busybox" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
${CC:-gcc} -static -O2 -Wall -Wextra -I"$top/uapi" -o "$root/bin/hvinfo" "$here/hvinfo.c" ||
	die "cannot build hvinfo"
cp "$here/init" "$root/init"
cp "$here/smp-checks" "$root/bin/smp-checks"
chmod +x "$root/init"
# no /dev/console here: the kernel's built-in initramfs has it
(cd "$root" && find . | sort | cpio -o -H newc --quiet -R 0:0) >"$work/initrd.cpio"
mv "$work/initrd.cpio" "$out"
