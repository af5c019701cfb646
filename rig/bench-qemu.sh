#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# QEMU for the benchmarks' emulated machines, as one tar file: the
# binary in /opt/qemu, its libraries at the paths ldd gives, and the
# firmware "-M pc -kernel" and "-M microvm -kernel" load, in
# /opt/qemu/share (pass -L /opt/qemu/share: QEMU looks for firmware
# next to its binary otherwise).  The guest scripts unpack it at /.
#
#   rig/bench-qemu.sh OUT.tar
set -euo pipefail
out=${1:?usage: rig/bench-qemu.sh OUT.tar}
qemu=$(command -v qemu-system-x86_64 || true)
[ -n "$qemu" ] || { echo "bench: no qemu-system-x86_64: run 'make deps'" >&2; exit 2; }
q=$(mktemp -d "${TMPDIR:-/tmp}/vmon-bench-qemu.XXXXXX")
trap 'rm -rf "$q"' EXIT
mkdir -p "$q/opt/qemu/share"
cp "$qemu" "$q/opt/qemu/"
for lib in $(ldd "$qemu" | grep -o '/[^ ]*'); do
	mkdir -p "$q$(dirname "$lib")"
	cp -L "$lib" "$q$lib"
done
for f in /usr/share/seabios/bios-256k.bin /usr/share/qemu/linuxboot_dma.bin \
	 /usr/share/qemu/pvh.bin /usr/share/qemu/kvmvapic.bin /usr/share/qemu/bios-microvm.bin; do
	cp -L "$f" "$q/opt/qemu/share/"
done
tar -C "$q" -cf "$out" .
