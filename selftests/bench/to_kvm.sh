#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Sourced by the benchmarks' scripts inside an emulated machine: hand
# VMX/SVM from vmon to Debian's KVM.  The two cannot be loaded together
# (each owns VMX/SVM), so vmon is unloaded first; the KVM modules are in
# /bin (rig/bench-kvm-modules.sh lists them).
rmmod vmon || { echo "BENCH: cannot unload vmon"; exit 1; }
insmod /bin/irqbypass.ko && insmod /bin/kvm.ko || { echo "BENCH: cannot load kvm"; exit 1; }
if grep -q -w svm /proc/cpuinfo; then
	insmod /bin/ccp.ko
	insmod /bin/kvm-amd.ko
else
	insmod /bin/kvm-intel.ko
fi
[ -e /dev/kvm ] || { echo "BENCH: no /dev/kvm"; exit 1; }
