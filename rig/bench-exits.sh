#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The exit-cost benchmark (selftests/bench/exit_cost.c) in the emulated
# machines, vmon beside Debian's KVM in the same boot of each:
#
#   rig/bench-exits.sh [MACHINE...]   (default: qemu-4lvl qemu-la57 bochs)
#
# Boots one machine at a time (niced) and prints its comparison lines,
# "exit KIND vmon NS kvm NS ratio R ..." (selftests/bench/exit_cost.c); the whole console log goes to
# build/bench/exits-MACHINE.log.  Env: BENCH_EXITS (exits per timed
# loop), BENCH_RUNS (timed loops per figure), KVER.  QEMU's clock is the
# host's wall clock, shared with everything else the host runs: many
# short loops (250 exits x 15) leave some undisturbed.  Bochs's clock is
# emulated and nearly repeats: 1000 exits x 5.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kver=$("$top/rig/kver.sh")
out=$top/build/bench
machines=${*:-qemu-4lvl qemu-la57 bochs}
bin=$top/selftests/bench/exit_cost

[ -x "$bin" ] || { echo "bench: no $bin: run 'make' first" >&2; exit 2; }
list=$("$top/rig/bench-kvm-modules.sh" "$kver") || exit 2
mapfile -t kos <<< "$list"
kos+=("$top/selftests/bench/to_kvm.sh")
mkdir -p "$out"
script=$(mktemp)
trap 'rm -f "$script"' EXIT
status=0
for m in $machines; do
	case $m in
	bochs) exits=${BENCH_EXITS:-1000} runs=${BENCH_RUNS:-5} ;;
	*) exits=${BENCH_EXITS:-250} runs=${BENCH_RUNS:-15} ;;
	esac
	{
		echo "BENCH_MACHINE=$m BENCH_EXITS=$exits BENCH_RUNS=$runs"
		cat "$top/selftests/bench/exit_cost.sh"
	} > "$script"
	echo "bench: $m"
	rc=0
	RIG_DIR=${RIG_DIR:-$top/build/rig}/bench-exits-$m KVER=$kver \
		nice "$top/rig/boot.sh" "$m" "$script" "$bin" "${kos[@]}" \
		> "$out/exits-$m.log" 2>&1 || rc=$?
	# the figures are all there is to judge: a machine that printed them is done
	if ! grep -q '^exit [a-z-]* vmon .* kvm .* ratio ' "$out/exits-$m.log"; then
		echo "bench: $m: no figures (status $rc), see $out/exits-$m.log"
		status=1
	fi
	grep -a '^exit_cost: \|^vmon \|^kvm \|^exit \|^BENCH: .*fail\|^BENCH: cannot\|^BENCH: no ' \
		"$out/exits-$m.log" | sed 's/\r$//; s/^/  /' || true
done
exit $status
