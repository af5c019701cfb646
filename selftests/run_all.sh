#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the vmon selftests given as arguments (default: every *_test next
# to this script, else every *_test in /bin, where rig/boot.sh puts the
# FILEs it is given), print each one's TAP as it comes, and end with one
# summary line:
#   selftests: N passed, N failed, N skipped
# Exit status 1 when any test failed or a binary crashed.
# POSIX sh (busybox in the rig's initramfs).
dir=$(dirname "$0")
[ $# -gt 0 ] || set -- "$dir"/*_test
[ -e "$1" ] || set -- /bin/*_test

tmp=${TMPDIR:-/tmp}/vmon-selftest.$$
pass=0 fail=0 skip=0 rc=0
for t in "$@"; do
	name=$(basename "$t")
	echo "# selftest: $name"
	# tee: the TAP appears while the test runs, even if it then hangs
	{ "$t" 2>&1; echo $? > "$tmp.st"; } | tee "$tmp.out"
	st=$(cat "$tmp.st")
	s=$(grep -c '^ok .* # SKIP' "$tmp.out")
	a=$(grep -c '^ok ' "$tmp.out")
	f=$(grep -c '^not ok ' "$tmp.out")
	skip=$((skip + s))
	pass=$((pass + a - s))
	fail=$((fail + f))
	if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok $name # exited with status $st"
		fail=$((fail + 1))
	fi
	[ "$st" -eq 0 ] || rc=1
done
rm -f "$tmp.st" "$tmp.out"
echo "selftests: $pass passed, $fail failed, $skip skipped"
exit $rc
