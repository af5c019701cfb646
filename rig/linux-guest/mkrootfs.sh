#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the ext4 root filesystem image of the Linux guest that boots
# from a vmon disk (rig/linux-guest/mkinitramfs.sh --disk): busybox with
# its applets, and root-init (found next to this script) as /sbin/init.
# Runs on the build host ("make demo") and inside the emulated machine
# (tools/vmon/test/virtio_e2e.sh), where busybox is /bin/busybox.
#
#   mkrootfs.sh OUT.img [SIZE_MIB, default 48]
set -eu
out=${1:?usage: mkrootfs.sh OUT.img [SIZE_MIB]}
size=${2:-48}
here=$(cd "$(dirname "$0")" && pwd)
# (busybox's sh may answer "busybox", its own applet, not a path)
busybox=$(command -v busybox)
case $busybox in /*) ;; *) busybox=/bin/busybox ;; esac

die() { echo "mkrootfs: $*" >&2; exit 1; }
[ -x "$busybox" ] || die "no busybox: run 'make deps' (busybox-static)"
[ -r "$here/root-init" ] || die "no $here/root-init"
# e2fsprogs' mke2fs: busybox's applet of that name has no -d
mke2fs=
for c in /usr/sbin/mke2fs /sbin/mke2fs "$here/mke2fs"; do
	if "$c" -V 2>&1 | grep -q 'EXT2FS Library'; then
		mke2fs=$c
		break
	fi
done
[ -n "$mke2fs" ] || die "no mke2fs of e2fsprogs: run 'make deps' (e2fsprogs)"

tree=$(mktemp -d "${TMPDIR:-/tmp}/vmon-rootfs.XXXXXX")
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree"/bin "$tree"/sbin "$tree"/dev "$tree"/proc "$tree"/sys \
	"$tree"/tmp "$tree"/data "$tree"/etc
cp "$busybox" "$tree/bin/busybox"
for applet in $("$tree/bin/busybox" --list); do
	[ -e "$tree/bin/$applet" ] || ln -s busybox "$tree/bin/$applet"
done
cp "$here/root-init" "$tree/sbin/init"
# the SMP checks "make demo" shows (vmon_guest.smp), where present
[ ! -r "$here/smp-checks" ] || cp "$here/smp-checks" "$tree/bin/smp-checks"
chmod 755 "$tree/sbin/init"
echo "vmon guest root filesystem" >"$tree/etc/issue"
rm -f "$out"
# -E root_owner: the files belong to root whoever builds the image
"$mke2fs" -q -F -t ext4 -L vmonroot -E root_owner=0:0 -d "$tree" "$out" "${size}M" ||
	die "mke2fs failed"
