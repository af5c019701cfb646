#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the emulated machine (rig/boot.sh SCRIPT), after vmon.ko
# is loaded: every test named in /bin/rig-tests.conf (a selftest binary
# or a script printing TAP), one after the other, each bounded by
# TEST_TIMEOUT seconds.  Markers for rig/tap-summary.sh:
#   RIG: TEST BEGIN name
#   RIG: kmsg name: <kernel log line printed while the test ran>
#   RIG: TEST END name rc=N secs=N [timeout]
. /bin/rig-tests.conf
export BOOT_TIMEOUT	# tools/vmon/test/boot_e2e.sh: Linux boot limit

kmsg_lines() { dmesg | wc -l; }

echo "RIG: TESTS $TESTS"
seen=$(kmsg_lines)
for t in $TESTS; do
	echo "RIG: TEST BEGIN $t"
	start=$(date +%s)
	# KILL: a test stuck in VMON_RUN must still be bounded; the
	# harness' own per-case alarm is the finer limit.
	# a test may have its own limit: TIMEOUT_<name, non-alphanumerics as _>
	tt=$(eval echo "\${TIMEOUT_$(echo "$t" | tr -c 'a-zA-Z0-9\n' _):-$TEST_TIMEOUT}")
	timeout -s KILL "$tt" "/bin/$t" </dev/null 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	now=$(kmsg_lines)
	if [ "$now" -gt "$seen" ]; then
		dmesg | tail -n "$((now - seen))" | sed "s/^/RIG: kmsg $t: /"
	fi
	seen=$now
	note=
	[ "$rc" -eq 137 ] && [ "$secs" -ge "$tt" ] && note=" timeout"
	# on a line of its own even if the test left one unfinished
	printf "\nRIG: TEST END %s rc=%s secs=%s%s\n" "$t" "$rc" "$secs" "$note"
done
# everything above is reported; boot.sh's final dump shows only the rest
dmesg -c >/dev/null

# Leaks (CONFIG_DEBUG_KMEMLEAK): objects nothing points to any more.  An
# object counts against vmon when its allocation backtrace runs through
# the module; scanning twice, after kmemleak's minimum age of 5 s, keeps
# objects that were merely in flight out of the report.
if [ "${KMEMLEAK:-0}" = 1 ]; then
	echo "RIG: TEST BEGIN kmemleak"
	echo "1..1"
	mount -t debugfs none /sys/kernel/debug 2>/dev/null
	k=/sys/kernel/debug/kmemleak
	if [ ! -w "$k" ]; then
		echo "not ok 1 kmemleak: no $k (kernel without CONFIG_DEBUG_KMEMLEAK?)"
	else
		sleep 6; echo scan > "$k"; sleep 6; echo scan > "$k"
		cat "$k" > /tmp/kmemleak.txt
		total=$(grep -c '^unreferenced object' /tmp/kmemleak.txt)
		# one record per object: header, then its backtrace
		awk '/^unreferenced object/ { if (rec ~ /vmon/) print rec; rec = "" }
		     { rec = rec $0 "\n" }
		     END { if (rec ~ /vmon/) print rec }' /tmp/kmemleak.txt > /tmp/kmemleak-vmon.txt
		ours=$(grep -c '^unreferenced object' /tmp/kmemleak-vmon.txt)
		echo "# kmemleak: $total unreferenced objects, $ours allocated through vmon"
		if [ "$ours" -eq 0 ]; then
			echo "ok 1 kmemleak: nothing attributable to vmon"
		else
			sed 's/^/# /' /tmp/kmemleak-vmon.txt | head -n 200
			echo "not ok 1 kmemleak: $ours objects allocated through vmon leaked"
		fi
	fi
	printf "\nRIG: TEST END kmemleak rc=0 secs=12\n"
fi
echo "RIG: TESTS DONE"
