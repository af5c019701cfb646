#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# "make fuzz": the long form of selftests/fuzz/vmon_fuzz in each emulated
# machine, one boot each, one after the other; logs and summaries in
# build/fuzz/.  Prints per machine the seeds, the ioctl count, the rate
# and the time, and ends with "N passed, N failed" like "make check".
#
# Env (all optional):
#   MACHINES     default "qemu-4lvl qemu-la57 bochs"
#   FUZZ_IOCTLS  ioctls per machine (default 1000000)
#   FUZZ_SEED    first seed (default: the date, so each run explores new seeds)
#   FUZZ_ARGS    more vmon_fuzz options (e.g. --no-races, --chunk N)
#   FUZZ_TIMEOUT seconds per machine (default 3600; Bochs: 4x)
#   FUZZ_VMX_ARGS  vmon.ko's parameters in Bochs (default preemption_timer_us=100)
#   FUZZ_JOBS    boots of each machine run side by side (default 1), each
#                with its share of FUZZ_IOCTLS and its own seeds; a
#                single-CPU emulator such as Bochs uses one host core, so
#                2 on a 2-core host halve the wall time
#   KVER         kernel release the module was built for
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
machines=${MACHINES-qemu-4lvl qemu-la57 bochs}
out=${FUZZ_DIR:-$top/build/fuzz}
ioctls=${FUZZ_IOCTLS:-1000000}
seed=${FUZZ_SEED:-$(date +%Y%m%d)000}
timeout=${FUZZ_TIMEOUT:-3600}
jobs=${FUZZ_JOBS:-1}
# job k starts at seed + k * seed_stride: far more seeds than a job runs
seed_stride=100000
export KVER=${KVER:-}
[ -n "$KVER" ] || unset KVER

mkdir -p "$out"

# One boot of machine $1 running job $2 (0-based) of $jobs: its share of
# the ioctls, from its own range of seeds.
fuzz_job() {
	local m=$1 k=$2 to=$3 name d s n rc t0 secs vmon_args=
	# Bochs only leaves a guest spinning with IF = 0 at the VMX-preemption
	# timer (kmod/vmx/vmx.c): 100 us stints instead of 1 ms keep the
	# guests' spinning from taking most of the run
	[ "$m" = bochs ] && vmon_args=${FUZZ_VMX_ARGS-preemption_timer_us=100}
	name=$m
	[ "$jobs" -gt 1 ] && name=$m-$k
	d="$out/$name"
	s=$((seed + k * seed_stride))
	n=$(((ioctls + jobs - 1) / jobs))
	rm -rf "$d"
	mkdir -p "$d"
	# rig/guest-tests.sh reads this; its TEST_TIMEOUT is guest time
	{
		echo 'TESTS="fuzz_long.sh"'
		echo "TEST_TIMEOUT=$to"
		echo "export FUZZ_ARGS=\"--seed $s --ioctls $n ${FUZZ_ARGS:-}\""
	} >"$d/rig-tests.conf"
	echo "fuzz: $name: seed $s, $n ioctls (log $out/$name.log)"
	t0=$(date +%s)
	RIG_DIR="$d/work" RIG_TIMEOUT=$to RIG_VMON_ARGS=$vmon_args \
		rig/boot.sh "$m" rig/guest-tests.sh selftests/fuzz/vmon_fuzz \
		selftests/fuzz/fuzz_long.sh "$d/rig-tests.conf" >"$out/$name.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	echo "RIG: HOST: run 1 ended with status $rc after $secs s" >>"$out/$name.log"
	rig/tap-summary.sh guest "$m" "$out/$name.log" 0 "$secs" >"$out/$name.summary"
	rm -rf "$d/work"
	echo "$secs" >"$out/$name.secs"
}

pass=0 fail=0
for m in $machines; do
	to=$timeout
	[ "$m" = bochs ] && to=$((timeout * 4))
	names=
	for ((k = 0; k < jobs; k++)); do
		fuzz_job "$m" "$k" "$to" &
		[ "$jobs" -gt 1 ] && names="$names $m-$k" || names=$m
	done
	wait
	total=0
	for name in $names; do
		grep -a '^# [a-z]*: [0-9]* ioctls' "$out/$name.log" | sed "s/^# /fuzz: $name: /"
		n=$(grep -a '^# [a-z]*: [0-9]* ioctls' "$out/$name.log" |
			sed -n 's/^# [a-z]*: \([0-9]*\) ioctls.*/\1/p' | tail -1)
		total=$((total + ${n:-0}))
		echo "fuzz: $name: $(cat "$out/$name.secs") s of wall time"
		sed -n '1p' "$out/$name.summary" | sed 's/^/fuzz: /'
		read -r _ p f _ < <(grep '^TOTALS ' "$out/$name.summary")
		pass=$((pass + p)) fail=$((fail + f))
		grep -a '^# failing seeds\|^# [a-z]*: failing seeds' "$out/$name.log" |
			sed "s/^# /fuzz: $name: /"
	done
	[ "$jobs" -gt 1 ] && echo "fuzz: $m: $total ioctls in $jobs boots"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
