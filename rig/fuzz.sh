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
#   KVER         kernel release the module was built for
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
machines=${MACHINES-qemu-4lvl qemu-la57 bochs}
out=${FUZZ_DIR:-$top/build/fuzz}
ioctls=${FUZZ_IOCTLS:-1000000}
seed=${FUZZ_SEED:-$(date +%Y%m%d)000}
timeout=${FUZZ_TIMEOUT:-3600}
export KVER=${KVER:-}
[ -n "$KVER" ] || unset KVER

mkdir -p "$out"
pass=0 fail=0
for m in $machines; do
	to=$timeout
	[ "$m" = bochs ] && to=$((timeout * 4))
	d="$out/$m"
	rm -rf "$d"
	mkdir -p "$d"
	# rig/guest-tests.sh reads this; its TEST_TIMEOUT is guest time
	{
		echo 'TESTS="fuzz_long.sh"'
		echo "TEST_TIMEOUT=$to"
		echo "export FUZZ_ARGS=\"--seed $seed --ioctls $ioctls ${FUZZ_ARGS:-}\""
	} >"$d/rig-tests.conf"
	echo "fuzz: $m: seed $seed, $ioctls ioctls (log $out/$m.log)"
	t0=$(date +%s)
	RIG_DIR="$d/work" RIG_TIMEOUT=$to \
		rig/boot.sh "$m" rig/guest-tests.sh selftests/fuzz/vmon_fuzz \
		selftests/fuzz/fuzz_long.sh "$d/rig-tests.conf" >"$out/$m.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	echo "RIG: HOST: run 1 ended with status $rc after $secs s" >>"$out/$m.log"
	rig/tap-summary.sh guest "$m" "$out/$m.log" 0 "$secs" >"$out/$m.summary"
	rm -rf "$d/work"
	grep -a '^# [a-z]*: [0-9]* ioctls' "$out/$m.log" | sed "s/^# /fuzz: $m: /"
	echo "fuzz: $m: $secs s of wall time"
	sed -n '1p' "$out/$m.summary" | sed 's/^/fuzz: /'
	read -r _ p f _ < <(grep '^TOTALS ' "$out/$m.summary")
	pass=$((pass + p)) fail=$((fail + f))
	grep -a '^# failing seeds\|^# [a-z]*: failing seeds' "$out/$m.log" | sed "s/^# /fuzz: $m: /"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
