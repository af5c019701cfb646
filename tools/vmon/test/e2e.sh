#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end checks of "vmon run" on a machine with the module loaded
# (the emulator rig): every exit path the CLI handles, and its errors.
# Prints TAP.  Expects vmon and the guests (test/guests/*.bin,
# samples/*.bin) in one directory, given as $1 (default /bin).
#
#   rig/boot.sh qemu-4lvl tools/vmon/test/e2e.sh tools/vmon/vmon \
#       tools/vmon/samples/*.bin tools/vmon/test/guests/*.bin
dir=${1:-/bin}
vmon=$dir/vmon
n=0
failed=0

# check DESCRIPTION EXPECTED_STATUS STDOUT_PATTERN STDERR_PATTERN -- ARGS...
check() {
	desc=$1 want=$2 out_pat=$3 err_pat=$4
	shift 5
	n=$((n + 1))
	"$vmon" "$@" >/tmp/e2e.out 2>/tmp/e2e.err
	got=$?
	why=
	[ "$got" = "$want" ] || why="status $got, expected $want"
	if [ -n "$out_pat" ] && ! grep -q -e "$out_pat" /tmp/e2e.out; then
		why="${why:+$why; }stdout lacks '$out_pat'"
	fi
	if [ -n "$err_pat" ] && ! grep -q -e "$err_pat" /tmp/e2e.err; then
		why="${why:+$why; }stderr lacks '$err_pat'"
	fi
	if [ -z "$why" ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc: $why"
		tr -d '\000' </tmp/e2e.out | head -5 | sed 's/^/# stdout: /'
		head -5 /tmp/e2e.err | sed 's/^/# stderr: /'
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
echo "1..14"
check "info finds module and device" 0 "backend:" "" -- info
check "real-mode hello: UART, REP OUTSB, debug-exit 0" 1 \
	"through the 16550 UART" "" -- run --flat "$dir/hello.bin"
check "real-mode hello: debug console line" 1 "debug console at port 0xE9" "" -- \
	run --flat "$dir/hello.bin"
check "long-mode hello" 1 "debug console at port 0xE9" "" -- \
	run --mode long --flat "$dir/hello64.bin"
check "prot-mode UART, REP OUTSB and exit 0x10" 33 "prot: e9" "" -- \
	run --mode prot --flat "$dir/prot_hello.bin"
check "HLT with interrupts off ends with 0" 0 "" "halted with interrupts disabled" -- \
	run --flat "$dir/halt.bin"
check "triple fault: status 6 and one line" 6 "" "triple-faulted (shutdown) at RIP=" -- \
	run --mode long --flat "$dir/triple_fault.bin"
check "unclaimed MMIO reads all ones, writes dropped" 33 "" "" -- \
	run --mode long --flat "$dir/mmio.bin"
check "unknown MSR raises #GP, hypercall returns -ENOSYS" 33 "" "" -- \
	run --mode long --flat "$dir/msr_hypercall.bin"
check "--mem 5X names the problem" 2 "" "vmon: --mem 5X: not a size (use e.g. 64M, 1G)" -- \
	run --flat "$dir/hello.bin" --mem 5X
check "image too big for memory" 2 "" "does not fit in 8 KiB of guest memory at 0x1000 (raise --mem" -- \
	run --flat "$dir/vmon" --mem 8k
check "missing image" 2 "" "cannot open guest image /nonexistent" -- \
	run --flat /nonexistent
check "entry outside memory" 4 "" "outside its memory" -- \
	run --flat "$dir/halt.bin" --mem 16k --entry 0x8000

# a spinning guest stops on SIGINT with status 130; a watchdog ends a
# vmon that ignores it (status 137), so that this check cannot hang
n=$((n + 1))
"$vmon" run --flat "$dir/spin.bin" 2>/tmp/e2e.err &
pid=$!
sleep 1
kill -INT $pid
(sleep 20 && kill -KILL $pid) >/dev/null 2>&1 &
dog=$!
wait $pid
got=$?
kill $dog 2>/dev/null
if [ "$got" = 130 ] && grep -q "stopped by SIGINT" /tmp/e2e.err; then
	echo "ok $n - SIGINT stops a spinning guest with status 130"
else
	echo "not ok $n - SIGINT stops a spinning guest with status 130: status $got"
	sed 's/^/# stderr: /' /tmp/e2e.err
	failed=$((failed + 1))
fi
echo "# vmon e2e: $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
