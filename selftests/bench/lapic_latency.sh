#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Inside an emulated machine (rig/bench.sh): the APIC latency benchmark
# under vmon, then under Debian's KVM in the same boot (to_kvm.sh).
# /init loaded vmon.ko; the kvm modules are in /bin.
n=${BENCH_SAMPLES:-200}
echo "BENCH: vmon"
lapic_latency vmon -n "$n" -o /tmp/vmon.lat || echo "BENCH: vmon run failed"
. /bin/to_kvm.sh
echo "BENCH: kvm"
lapic_latency kvm -n "$n" -c /tmp/vmon.lat || echo "BENCH: kvm run failed"
