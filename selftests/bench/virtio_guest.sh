#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the Linux guest of rig/bench-virtio.sh, the same under vmon
# and under QEMU+KVM: load Debian's virtio modules, measure the disk
# (/dev/vda), send to the emulated machine, receive from it, power off.
# The emulated machine's side is selftests/bench/virtio.sh; they meet
# on the console ("GUEST: ...") and on fd00::/64 over the tap.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
. /bench.conf
# each line twice: "GUEST: ..." on the tty, "bench-guest: ..." through
# the kernel log, which the console prints by polling the UART; the
# emulated machine's side reads the kernel log's copy
report() {
	while read -r l; do
		echo "GUEST: $l"
		echo "bench-guest: $l" > /dev/kmsg
	done
}
say() { echo "$*" | report; }
while read -r ko args; do
	insmod "/lib/modules/$ko" $args || say "cannot load $ko"
done < /lib/modules/load.list
# the drivers probe asynchronously: wait for both devices
i=0
while { [ ! -b /dev/vda ] || [ ! -e /sys/class/net/eth0 ]; } && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -b /dev/vda ] || say "no /dev/vda"
virtio_bench blk /dev/vda "$BLK_MIB" "$BLK_OPS" "$REPS" | report
ip link set lo up
ip link set eth0 up
echo 0 > /proc/sys/net/ipv6/conf/eth0/accept_dad
ip -6 addr add fd00::2/64 dev eth0
ping6 -c 2 -w 20 fd00::1 >/dev/null || say "no reply from fd00::1: $(ip -6 addr show dev eth0 | tr '\n' ' ')"
say "sending"
timeout "$NET_TIMEOUT" virtio_bench send fd00::1 5001 "$NET_MIB" "$REPS" || say "send failed"
say "sent"
timeout "$NET_TIMEOUT" virtio_bench recv 5002 "$REPS" tcp-host-to-guest | report
say "DONE"
sleep 0.2
poweroff -f
