#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Where one exit kind's time goes, vmon beside KVM, under QEMU TCG:
#
#   rig/profile-tcg.sh [-k KIND] [-s SECONDS] [-o DIR] [MACHINE]
#
# Boots MACHINE (qemu-4lvl, or qemu-la57) with QEMU's gdbstub and KASLR
# off, runs "exit_cost vmon -k KIND" in a loop, samples every vCPU's RIP
# for SECONDS (default 30) through the gdbstub (rig/tcg_profile.py),
# then hands VMX/SVM to Debian's KVM (to_kvm.sh) and does the same with
# "exit_cost kvm".  Prints, per side, what each function costs one exit
# of KIND (default out) on average; DIR (default build/profile-KIND)
# keeps the console log and the samples.  A profile, not a benchmark:
# the stops slow the machine down, and the exit costs it prints are
# those of the profiled run.  Needs "make" (vmon.ko, selftests).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kind=out
secs=30
out=
while getopts k:s:o: opt; do
	case $opt in
	k) kind=$OPTARG ;;
	s) secs=$OPTARG ;;
	o) out=$OPTARG ;;
	*) echo "usage: $0 [-k KIND] [-s SECONDS] [-o DIR] [qemu-4lvl|qemu-la57]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
machine=${1:-qemu-4lvl}
case $machine in
qemu-4lvl|qemu-la57) ;;
*) echo "profile-tcg: $machine: only the QEMU machines have a gdbstub (qemu-4lvl, qemu-la57)" >&2
   exit 2 ;;
esac
case $secs in
''|*[!0-9]*) echo "profile-tcg: -s $secs: give whole seconds" >&2; exit 2 ;;
esac
exit_cost=$top/selftests/bench/exit_cost
[ -x "$exit_cost" ] || { echo "profile-tcg: no $exit_cost: run 'make' first" >&2; exit 2; }
# exit_cost checks the kind before anything else ("-n 0" then ends it)
case $("$exit_cost" vmon -k "$kind" -n 0 2>&1 || true) in
*"no exit kind"*)
	echo "profile-tcg: -k $kind: no such exit kind (see selftests/bench/exit_cost.c)" >&2
	exit 2 ;;
esac

out=${out:-$top/build/profile-$kind}
kver=$("$top/rig/kver.sh")
list=$("$top/rig/bench-kvm-modules.sh" "$kver") || exit 2
mapfile -t kos <<< "$list"
rm -rf "$out"
mkdir -p "$out"
cp "$exit_cost" "$out/exit_cost"

# the loop runs 10 s longer than the sampling, which starts 3 s in
cat > "$out/script.sh" <<EOF
phase() {
	end=\$((\$(date +%s) + $secs + 10))
	echo "PROFILE: \$1 start"
	while [ \$(date +%s) -lt \$end ]; do
		exit_cost \$1 -k $kind -n 2000 -r 15 -m $machine | grep "^\$1 "
	done
	echo "PROFILE: \$1 end"
}
echo "PROFILE: KALLSYMS BEGIN"
grep -v '\\[' /proc/kallsyms | grep ' [tT] ' | gzip -1 | base64
echo "PROFILE: KALLSYMS END"
grep '\\[vmon\\]' /proc/kallsyms | sed 's/^/PROFILE: SYM vmon /'
phase vmon
. /bin/to_kvm.sh
grep '\\[kvm' /proc/kallsyms | sed 's/^/PROFILE: SYM kvm /'
phase kvm
EOF

port=$((20000 + RANDOM % 20000))
RIG_QEMU_ARGS="-gdb tcp:127.0.0.1:$port" RIG_APPEND=nokaslr RIG_DIR=$out/rig RIG_MEM=1536 \
	RIG_TIMEOUT=$((secs * 4 + 600)) "$top/rig/boot.sh" "$machine" "$out/script.sh" \
	"$exit_cost" "${kos[@]}" "$top/selftests/bench/to_kvm.sh" > "$out/console.log" 2>&1 &
boot=$!
for phase in vmon kvm; do
	until grep -q "PROFILE: $phase start" "$out/console.log"; do
		kill -0 $boot 2>/dev/null || { echo "profile-tcg: the machine stopped before the $phase phase; see $out/console.log" >&2; exit 1; }
		sleep 0.5
	done
	sleep 3
	python3 "$top/rig/tcg_profile.py" sample "$port" "$secs" "$out/$phase.samples"
done
wait $boot || true
python3 "$top/rig/tcg_profile.py" report "$out"
