#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The APIC latency benchmark (selftests/bench/lapic_latency.c) in the
# emulated machines, vmon beside Debian's KVM in the same boot:
#
#   rig/bench.sh [MACHINE...]     (default: qemu-4lvl bochs)
#
# Prints each machine's figures and the ratio vmon / KVM; the whole
# console log goes to build/bench/MACHINE.log.  Bochs runs with two
# CPUs here, so that the two vCPU threads of the IPI figures run in
# parallel; a two-CPU Bochs machine does not power off at the end, the
# silence limit ends it (RIG_STALL, 120 s here).  Env: BENCH_SAMPLES (per
# figure, default 200), KVER.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kver=$("$top/rig/kver.sh")
out=$top/build/bench
machines=${*:-qemu-4lvl bochs}
bin=$top/selftests/bench/lapic_latency

[ -x "$bin" ] || { echo "bench: no $bin: run 'make' first" >&2; exit 2; }
list=$("$top/rig/bench-kvm-modules.sh" "$kver") || exit 2
mapfile -t kos <<< "$list"
kos+=("$top/selftests/bench/to_kvm.sh")
mkdir -p "$out"
# the guest script reads BENCH_SAMPLES from a file: /init passes no environment
script=$(mktemp)
trap 'rm -f "$script"' EXIT
{ echo "BENCH_SAMPLES=${BENCH_SAMPLES:-200}"; cat "$top/selftests/bench/lapic_latency.sh"; } > "$script"
status=0
for m in $machines; do
	echo "bench: $m"
	rc=0
	RIG_DIR=${RIG_DIR:-$top/build/rig}/bench-$m RIG_BOCHS_CPUS=2 RIG_STALL=${RIG_STALL:-120} \
		"$top/rig/boot.sh" "$m" "$script" "$bin" "${kos[@]}" > "$out/$m.log" 2>&1 || rc=$?
	# the figures are all there is to judge: a machine that printed them is done
	if ! grep -q '^BENCH: kvm$' "$out/$m.log" || ! grep -q 'ratio vmon/kvm' "$out/$m.log"; then
		echo "bench: $m: no figures (status $rc), see $out/$m.log"
		status=1
	fi
	sed -n 's/^\(BENCH: .*\|lapic_latency.*\|figure .*\|timer-.*\|ipi-.*\)$/  \1/p' "$out/$m.log"
done
exit $status
