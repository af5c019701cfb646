#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Inside an emulated machine (rig/bench-virtio.sh): the same Linux guest
# (bench-guest.cpio, /init = virtio_guest.sh) with a virtio disk and a
# virtio network on a tap, first under vmon run, then under QEMU with
# Debian's KVM modules in the same boot.  The disk image lives in this
# machine's tmpfs, so the figures measure the virtualization path, not
# a disk.  /init loaded vmon.ko; the rest is in /bin.
. /bin/bench.conf
insmod /bin/tun.ko 2>/dev/null
MAC=52:54:00:12:34:56
# the uncompressed kernel (PVH entry in both): no decompressor in the guest
KERNEL=/bin/vmlinux
APPEND="console=ttyS0 tsc=reliable"
tunctl -t vtap0 >/dev/null || { echo "BENCH: no tap (tun module?)"; exit 1; }
ip link set vtap0 up
# busybox ip knows no "nodad": no duplicate address detection on a point-to-point link
echo 0 > /proc/sys/net/ipv6/conf/vtap0/accept_dad
ip -6 addr add fd00::1/64 dev vtap0
dd if=/dev/zero of=/tmp/bench.img bs=1M count=$((BLK_MIB + 4)) 2>/dev/null

# one run: $1 = vmon | kvm, the rest the command that boots the guest
# with its console on stdout
bench_one() {
	name=$1
	shift
	echo "BENCH: $name"
	# both files exist before tail -f looks: busybox's tail gives up
	# on a file that is not there yet
	: > /tmp/recv.$name
	: > /tmp/console.$name
	virtio_bench recv 5001 "$REPS" tcp-guest-to-host >> /tmp/recv.$name &
	recv=$!
	timeout "$VM_TIMEOUT" "$@" >> /tmp/console.$name 2>&1 &
	vm=$!
	# the guest's console and this side's samples, also here: the rig
	# ends a machine whose console stays silent too long
	tail -f /tmp/console.$name 2>/dev/null | while read -r l; do echo "$name: $l"; done &
	tailpid=$!
	tail -f /tmp/recv.$name 2>/dev/null | while read -r l; do echo "$name host: $l"; done &
	tailpid2=$!
	# the guest listens once it has sent: then this side sends (the
	# guest's run is bounded by VM_TIMEOUT)
	until grep -q 'bench-guest: bench: listening' /tmp/console.$name; do
		kill -0 $vm 2>/dev/null || break
		sleep 1
	done
	grep -q 'bench-guest: bench: listening' /tmp/console.$name &&
		timeout "$NET_TIMEOUT" virtio_bench send fd00::2 5002 "$NET_MIB" "$REPS"
	wait $vm
	echo "BENCH: $name exited with status $?"
	# a guest that never connected leaves the receiver waiting
	kill $recv $tailpid $tailpid2 2>/dev/null
	wait $recv
	# one "figure vmon|kvm NAME VALUE UNIT" line per sample
	tr -d '\r' < /tmp/console.$name |
		sed -n "s/^.*\] bench-guest: bench: \([a-z0-9-]* [0-9.]* \)/figure $name \1/p"
	grep -E '^bench: tcp-[a-z-]+ [0-9.]+ ' /tmp/recv.$name | sed "s/^bench: /figure $name /"
	grep -q 'bench-guest: DONE' /tmp/console.$name || echo "BENCH: $name guest did not finish"

}

bench_one vmon vmon run --kernel "$KERNEL" --initrd /bin/bench-guest.cpio \
	--append "$APPEND" --mem 256M --disk /tmp/bench.img --net tap=vtap0,mac=$MAC

. /bin/to_kvm.sh
tar -C / -xf /bin/qemu.tar || { echo "BENCH: cannot unpack QEMU"; exit 1; }
# QEMU as close to vmon run's machine as it gets: no firmware ROMs, the
# same devices, the page cache of this machine behind the disk as vmon's
# pread/pwrite have (cache=writeback, aio=threads: QEMU's defaults)
bench_one kvm /opt/qemu/qemu-system-x86_64 -L /opt/qemu/share -accel kvm -cpu host -m 256 \
	-nodefaults -no-user-config -nographic -serial stdio -monitor none \
	-kernel "$KERNEL" -initrd /bin/bench-guest.cpio -append "$APPEND" \
	-drive file=/tmp/bench.img,if=none,id=d0,format=raw \
	-device virtio-blk-pci,drive=d0,disable-legacy=on \
	-netdev tap,id=n0,ifname=vtap0,script=no,downscript=no \
	-device virtio-net-pci,netdev=n0,mac=$MAC,romfile=,disable-legacy=on
