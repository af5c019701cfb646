#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The virtio-blk and virtio-net benchmark in the emulated machines: the
# same Linux guest and the same measuring program (selftests/bench/
# virtio_bench.c) under vmon run and under QEMU with Debian's KVM, in
# the same boot of the same machine.
#
#   rig/bench-virtio.sh [MACHINE...]     (default: qemu-4lvl bochs)
#
# Prints per machine: sequential write and read MB/s and 4 KiB random
# read IOPS of the disk, TCP MB/s in both directions, each for vmon and
# KVM as the median of REPS samples taken in the same boot with their
# spread (lowest-highest), and the ratio of the medians vmon/KVM (above
# 1: vmon is faster).  The console log goes to OUT/virtio-MACHINE.log.
# Env: KVER; BLK_MIB, BLK_OPS, NET_MIB (sizes; Bochs gets a quarter of
# each by default), REPS (samples per figure, default 5, Bochs 3),
# OUT (default build/bench), RIG_DIR, RIG_STALL, RIG_TIMEOUT.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kver=$("$top/rig/kver.sh")
out=${OUT:-$top/build/bench}
machines=${*:-qemu-4lvl bochs}
bench=$top/selftests/bench/virtio_bench
vmon=$top/tools/vmon/vmon

die() { echo "bench-virtio: $*" >&2; exit 2; }
[ -x "$bench" ] || die "no $bench: run 'make' first"
[ -x "$vmon" ] || die "no $vmon: run 'make' first"
list=$("$top/rig/bench-kvm-modules.sh" "$kver" drivers/net/tun) || exit 2
mapfile -t kos <<< "$list"
kos+=("$top/selftests/bench/to_kvm.sh")
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/vmon-bench-virtio.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The guest: busybox, virtio_bench, and Debian's virtio modules in the
# order modprobe resolves them (load.list: file and arguments per line).
g=$work/guest
mkdir -p "$g"/{bin,dev,proc,sys,lib/modules}
cp /bin/busybox "$g/bin/"
for a in $("$g/bin/busybox" --list); do
	[ -e "$g/bin/$a" ] || ln -s busybox "$g/bin/$a"
done
cp "$bench" "$g/bin/"
cp "$top/selftests/bench/virtio_guest.sh" "$g/init"
: > "$g/lib/modules/load.list"
for m in virtio_pci virtio_blk virtio_net; do
	modprobe -S "$kver" --show-depends "$m" | while read -r cmd path args; do
		[ "$cmd" = insmod ] || continue
		f=$(basename "$path")
		grep -q "^$f" "$g/lib/modules/load.list" && continue
		case $f in
		*.xz) xz -dc "$path" > "$g/lib/modules/${f%.xz}"; f=${f%.xz} ;;
		*) cp "$path" "$g/lib/modules/" ;;
		esac
		echo "$f $args" >> "$g/lib/modules/load.list"
	done
done

# QEMU for the emulated machine, unpacked by virtio.sh
"$top/rig/bench-qemu.sh" "$work/qemu.tar"
# the guest kernel uncompressed: vmon and QEMU both enter it through its
# PVH note, so neither guest spends its time in the decompressor
"$top/rig/extract-vmlinux.sh" "/boot/vmlinuz-$kver" "$work/vmlinux"

status=0
for m in $machines; do
	div=1 reps=5 stall=600
	[ "$m" = bochs ] && div=4 reps=3 stall=900
	conf=$work/bench.conf
	{
		echo "BLK_MIB=${BLK_MIB:-$((64 / div))}"
		echo "BLK_OPS=${BLK_OPS:-$((4000 / div))}"
		echo "NET_MIB=${NET_MIB:-$((8 / div))}"
		echo "REPS=${REPS:-$reps}"
		# bounds: one guest's whole run, and each direction's transfers
		echo "VM_TIMEOUT=${VM_TIMEOUT:-$((600 * div))}"
		echo "NET_TIMEOUT=${NET_TIMEOUT:-$((300 * div))}"
	} > "$conf"
	cp "$conf" "$g/bench.conf"
	(cd "$g" && find . | sort | cpio -o -H newc --quiet -R 0:0) > "$work/bench-guest.cpio"
	echo "bench-virtio: $m"
	rc=0
	RIG_DIR=${RIG_DIR:-$top/build/rig}/bench-virtio-$m RIG_MEM=1536 RIG_STALL=${RIG_STALL:-$stall} \
		RIG_TIMEOUT=${RIG_TIMEOUT:-$((3600 * div))} \
		"$top/rig/boot.sh" "$m" "$top/selftests/bench/virtio.sh" "$conf" "$bench" "$vmon" \
		"$work/bench-guest.cpio" "$work/qemu.tar" "$work/vmlinux" "${kos[@]}" \
		> "$out/virtio-$m.log" 2>&1 || rc=$?
	if ! grep -q '^figure kvm' "$out/virtio-$m.log" || ! grep -q '^figure vmon' "$out/virtio-$m.log"; then
		echo "bench-virtio: $m: no figures (status $rc), see $out/virtio-$m.log"
		status=1
	fi
	awk -v machine="$m" -f "$top/selftests/bench/virtio_table.awk" "$out/virtio-$m.log"
done
exit $status
