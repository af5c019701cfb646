#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the initramfs of the Linux guest vmon boots in "make check" and
# "make demo": Debian's busybox-static, the /init next to this script,
# and hvinfo (hvinfo.c, linked -static) to show the CPUID hypervisor
# leaf and the guest's TSC.  An uncompressed newc cpio: no decompression
# under emulation.
#
# --disk: the flavour whose root is on a vmon disk: /init is init-disk,
# which loads Debian's virtio and ext4 modules of kernel KVER (env,
# default: rig/kver.sh, the release vmon.ko was built for) from /lib/modules
# (modules.sh resolves what they need) and switches to /dev/vda.
#
#   rig/linux-guest/mkinitramfs.sh [--disk] OUT.cpio
set -eu
disk=
if [ "${1:-}" = --disk ]; then
	disk=1
	shift
fi
out=${1:?usage: rig/linux-guest/mkinitramfs.sh [--disk] OUT.cpio}
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
if [ -n "$disk" ]; then
	kver=$("$top/rig/kver.sh")
	[ -n "$kver" ] || die "no /boot/vmlinuz-*-amd64: run 'make deps' (linux-image-amd64)"
	"$here/modules.sh" "$kver" "$root/lib/modules" virtio_pci virtio_blk virtio_net \
		virtio_rng ext4 || die "cannot gather the modules of $kver"
	cp "$here/init-disk" "$root/init"
else
	# virtio-rng, when Debian builds it as modules: /init loads them
	kver=$("$top/rig/kver.sh")
	if [ -n "$kver" ]; then
		"$here/modules.sh" "$kver" "$root/lib/modules" virtio_pci virtio_rng ||
			die "cannot gather the modules of $kver"
	fi
	cp "$here/init" "$root/init"
	cp "$here/smp-checks" "$root/bin/smp-checks"
fi
chmod +x "$root/init"
# no /dev/console here: the kernel's built-in initramfs has it
(cd "$root" && find . | sort | cpio -o -H newc --quiet -R 0:0) >"$work/initrd.cpio"
mv "$work/initrd.cpio" "$out"
