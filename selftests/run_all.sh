#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the vmon selftests given as arguments (default: every *_test next
# to this script, else every *_test in /bin, where rig/boot.sh puts the
# FILEs it is given), print each one's TAP, and end with one summary line:
#   selftests: N passed, N failed, N skipped
# Exit status 1 when any test failed or a binary crashed.
# POSIX sh (busybox in the rig's initramfs).
dir=$(dirname "$0")
[ $# -gt 0 ] || set -- "$dir"/*_test
[ -e "$1" ] || set -- /bin/*_test

pass=0 fail=0 skip=0 rc=0
for t in "$@"; do
	name=$(basename "$t")
	echo "# selftest: $name"
	out=$("$t" 2>&1)
	st=$?
	echo "$out"
	p=$(echo "$out" | grep -c '^ok .* # SKIP' )
	a=$(echo "$out" | grep -c '^ok ')
	f=$(echo "$out" | grep -c '^not ok ')
	skip=$((skip + p))
	pass=$((pass + a - p))
	fail=$((fail + f))
	if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok $name # exited with status $st"
		fail=$((fail + 1))
	fi
	[ "$st" -eq 0 ] || rc=1
done
echo "selftests: $pass passed, $fail failed, $skip skipped"
exit $rc
