#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Inside an emulated machine (rig/bench-exits.sh): the exit-cost
# benchmark under vmon, then under Debian's KVM in the same boot
# (to_kvm.sh).  /init loaded vmon.ko; the kvm modules are in /bin.
# rig/bench-exits.sh puts BENCH_MACHINE, BENCH_EXITS and BENCH_RUNS
# in front of this file (/init passes no environment).
args="-n ${BENCH_EXITS:-250} -r ${BENCH_RUNS:-15} -m ${BENCH_MACHINE:-unknown}"
echo "BENCH: vmon"
exit_cost vmon $args -o /tmp/vmon.exits || echo "BENCH: vmon run failed"
. /bin/to_kvm.sh
echo "BENCH: kvm"
exit_cost kvm $args -c /tmp/vmon.exits || echo "BENCH: kvm run failed"
