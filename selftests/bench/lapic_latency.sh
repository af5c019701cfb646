#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Inside an emulated machine (rig/bench.sh): the APIC latency benchmark
# under vmon, then under Debian's KVM in the same boot.  The two modules
# cannot be loaded together (each owns VMX/SVM), so vmon is unloaded
# first.  /init loaded vmon.ko; the kvm modules are in /bin.
n=${BENCH_SAMPLES:-200}
echo "BENCH: vmon"
lapic_latency vmon -n "$n" -o /tmp/vmon.lat || echo "BENCH: vmon run failed"
rmmod vmon || { echo "BENCH: cannot unload vmon"; exit 1; }
insmod /bin/irqbypass.ko && insmod /bin/kvm.ko || { echo "BENCH: cannot load kvm"; exit 1; }
if grep -q -w svm /proc/cpuinfo; then
	insmod /bin/ccp.ko
	insmod /bin/kvm-amd.ko
else
	insmod /bin/kvm-intel.ko
fi
[ -e /dev/kvm ] || { echo "BENCH: no /dev/kvm"; exit 1; }
echo "BENCH: kvm"
lapic_latency kvm -n "$n" -c /tmp/vmon.lat || echo "BENCH: kvm run failed"
