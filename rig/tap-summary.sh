#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Count the TAP results in one log and say what failed.
#
#   rig/tap-summary.sh host  NAME LOG RC SECS   host unit tests (make ... check)
#   rig/tap-summary.sh guest NAME LOG RC SECS   serial console of rig/boot.sh
#                                               running rig/guest-tests.sh
#
# Prints "NAME: P passed, F failed, S skipped (SECS s)" followed by one
# indented line per failure, and as its last line "TOTALS P F S" for
# rig/check.sh to add up.  RC is the exit status of the make or emulator
# run (124: killed by the overall timeout).
#
# A test case counts as passed on "ok N ...", skipped on "ok N ... # SKIP",
# failed on "not ok N ...".  Also failures, one each:
#   - a test binary that exits non-zero without a failing case (crash,
#     per-test timeout), or ends with fewer results than its plan said;
#   - a test binary that prints no TAP at all;
#   - kernel BUG/Oops/WARNING/panic lines while a test runs (or anywhere
#     after /init started, once per log, outside tests);
#   - an emulator that timed out or stalled (RC 124, 125), or whose kernel never reached
#     "RIG: END", or where vmon.ko failed to load;
#   - a log with no results at all.
set -eu
mode=${1:?usage: tap-summary.sh host|guest NAME LOG RC SECS}
name=${2:?} log=${3:?} rc=${4:?} secs=${5:?}

[ -r "$log" ] || { echo "$name: no log $log"; echo "TOTALS 0 1 0"; exit 0; }

tr -d '\r' < "$log" | awk -v mode="$mode" -v name="$name" -v rc="$rc" -v secs="$secs" '
function fail(what) {
	failed++
	why[failed] = what
}
function start_bin(t) {
	cur = t; plan = 0; nres = 0; nfail = 0; nskip = 0
}
# close one test binary: compare what it reported with how it ended
function end_bin(t, code, timedout) {
	if (nres == 0 && code == 0)
		fail(t ": printed no TAP results")
	else if (timedout)
		fail(t ": killed after the per-test timeout")
	else if (code != 0 && code != 4 && nfail == 0)
		fail(t ": exited with status " code " without a failing test case")
	if (plan > nres && !timedout)
		fail(t ": " plan - nres " of " plan " planned test cases never reported")
	cur = ""
}
# one boot of the machine ended: what did it leave unfinished?
function close_run(prc, psecs) {
	if (cur != "")
		fail(cur ": did not finish (the machine stopped while it ran)")
	cur = ""
	if (!began)
		fail("the kernel never reached the rig'"'"'s /init")
	else if (!ended && prc != 124 && prc != 125)
		fail("the machine stopped before the end of the run (status " prc ")")
	if (prc == 124)
		fail("timed out after " psecs " s")
	if (prc == 125)
		fail("stalled: no console output for RIG_STALL seconds; killed after " psecs " s")
	began = ended = 0
	runs++
}
function kernel_problem(line, t) {
	if (t == "")
		t = "(outside tests)"
	if (!(t in kbad)) {
		kbad[t] = 1
		fail(t ": kernel problem: " line)
	}
}
BEGIN {
	# what a kernel prints when something is wrong; the debug kernel of
	# "make check-debug" adds lockdep, UBSAN and hung-task reports
	splat = "(BUG:|Oops|Kernel panic|general protection fault|WARNING: CPU|Call Trace|double fault|" \
		"WARNING: possible|WARNING: inconsistent|WARNING: suspicious|UBSAN:|blocked for more than)"
	passed = failed = skipped = 0
	cur = ""; began = ended = loaded = runs = 0
}
{
	line = $0
	if (line ~ /RIG: BEGIN /)
		began = 1
	if (mode == "guest" && line ~ /^RIG: /) {
		if (line ~ /^RIG: HOST: run [0-9]+ ended with status /)
			close_run($8 + 0, $10 + 0)
		else if (line ~ /^RIG: HOST: no time left for: /)
			fail("not run, no time left: " substr(line, 30))
		else if (line ~ /^RIG: BEGIN/) began = 1	# also glued to firmware output, below
		else if (line ~ /^RIG: MODULE LOADED/) loaded = 1
		else if (line ~ /^RIG: MODULE FAILED/) fail("vmon.ko failed to load (see the log)")
		else if (line ~ /^RIG: END/) ended = 1
		else if (line ~ /^RIG: TEST BEGIN /) {
			if (cur != "")
				fail(cur ": no end marker")
			start_bin($4)
		} else if (line ~ /^RIG: TEST END /) {
			code = $5; sub(/^rc=/, "", code)
			end_bin($4, code + 0, line ~ / timeout$/)
		} else if (line ~ /^RIG: kmsg /) {
			t = $3; sub(/:$/, "", t)
			if (line ~ splat)
				kernel_problem(substr(line, length("RIG: kmsg " t ": ") + 1), t)
		} else if (line ~ /^RIG: dmesg: / && line ~ splat)
			kernel_problem(substr(line, 13), cur)
		next
	}
	# before /init the kernel boots alone: nothing of vmon runs yet (a
	# boot that never reaches /init fails anyway), and the debug kernel
	# reports its own early-boot findings there
	if (mode == "guest" && !began)
		next
	if (line ~ /(BUG: |Oops: |Kernel panic|general protection fault|WARNING: CPU|double fault|UBSAN: )/) {
		kernel_problem(line, cur)
		next
	}
	if (line ~ /^1\.\.[0-9]+/) {
		n = substr(line, 4) + 0
		plan += n
		next
	}
	if (line ~ /^not ok [0-9]+/) {
		# "not ok N name # TODO" is an expected failure in TAP
		if (line ~ /# *TODO/) { nres++; next }
		nres++; nfail++
		fail((cur != "" ? cur ": " : "") line)
		next
	}
	if (line ~ /^ok [0-9]+/) {
		nres++
		if (toupper(line) ~ /# *SKIP/) { nskip++; skipped++ }
		else passed++
		next
	}
}
END {
	if (mode == "guest") {
		# logs of rig/check.sh record each run'"'"'s end; plain boot.sh logs do not
		if (runs == 0)
			close_run(rc, secs)
	} else {
		if (rc != 0 && failed == 0)
			fail("exited with status " rc " without a failing test")
		if (rc == 124)
			fail("timed out after " secs " s")
	}
	if (passed + failed + skipped == 0)
		fail("produced no test results")
	printf "%s: %d passed, %d failed, %d skipped (%d s)\n", name, passed, failed, skipped, secs
	for (i = 1; i <= failed; i++)
		printf "    FAIL %s\n", substr(why[i], 1, 160)
	printf "TOTALS %d %d %d\n", passed, failed, skipped
}'
