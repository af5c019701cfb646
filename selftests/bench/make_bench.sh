#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Inside an emulated machine (rig/bench-exits.sh, make bench): vmon's
# figures, then Debian's KVM's in the same boot (to_kvm.sh):
#   exit_cost      ns per exit of each kind
#   lapic_latency  APIC timer and IPI latency (two vCPUs)
#   boot_time      a Linux boot to its /init: "vmon run" against
#                  "qemu-system-x86_64 -M microvm -accel kvm", the same
#                  vmlinux (PVH entry in both) and initramfs
# /init loaded vmon.ko; the rest is in /bin.  rig/bench-exits.sh puts
# BENCH_MACHINE, BENCH_EXITS, BENCH_RUNS, BENCH_SAMPLES and BOOT_RUNS in
# front of this file (/init passes no environment).
m=${BENCH_MACHINE:-unknown}
args="-n ${BENCH_EXITS:-250} -r ${BENCH_RUNS:-15} -m $m"
lat="-n ${BENCH_SAMPLES:-200} -t 900 -m $m"
boot="-r ${BOOT_RUNS:-3} -t ${BOOT_TIMEOUT:-600} -m $m"
# the same command line for both; no console chatter to time but /init's
APPEND="console=ttyS0 quiet panic=-1"

echo "BENCH: vmon"
exit_cost vmon $args -o /tmp/vmon.exits || echo "BENCH: vmon run failed"
lapic_latency vmon $lat -o /tmp/vmon.lat || echo "BENCH: vmon lapic_latency failed"
boot_time vmon $boot -o /tmp/vmon.boot -- vmon run --kernel /bin/vmlinux \
	--initrd /bin/boot-init.cpio --append "$APPEND" --mem 256M ||
	echo "BENCH: vmon boot failed"

. /bin/to_kvm.sh
tar -C / -xf /bin/qemu.tar || echo "BENCH: cannot unpack QEMU"
echo "BENCH: kvm"
exit_cost kvm $args -c /tmp/vmon.exits || echo "BENCH: kvm run failed"
lapic_latency kvm $lat -c /tmp/vmon.lat || echo "BENCH: kvm lapic_latency failed"
# microvm: no PCI, the kernel entered through its PVH note by qboot:
# QEMU's quickest way to a Linux /init.  rtc=on: vmon run has a CMOS
# RTC too, and without one Linux's rtc_cmos probe spins on the absent
# ports, an exit to QEMU each, for seconds (17 s in qemu-4lvl)
boot_time kvm $boot -c /tmp/vmon.boot -- /opt/qemu/qemu-system-x86_64 -L /opt/qemu/share \
	-M microvm,rtc=on -accel kvm -cpu host -m 256 -nodefaults -no-user-config -nographic \
	-serial stdio -monitor none -no-reboot \
	-kernel /bin/vmlinux -initrd /bin/boot-init.cpio -append "$APPEND" ||
	echo "BENCH: kvm boot failed"
