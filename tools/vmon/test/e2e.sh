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
echo "1..51"
check "info finds module and device" 0 "backend:" "" -- info
check "doctor: a guest can run here" 0 "^verdict: vmon can run guests" "" -- doctor
sed 's/^/# /' /tmp/e2e.out
check "--version names the loaded module's release and ABI" 0 \
	"^vmon.ko [0-9][^ ]* (ABI version [0-9]*)$" "" -- --version
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
check "PIT IRQ 0 through the PIC wakes HLT ten times" 33 "" "" -- \
	run --flat "$dir/pit_irq.bin"
check "i8042 reset (reboot) ends with 0" 0 "" "reset the machine through the i8042" -- \
	run --flat "$dir/kbd_reset.bin"
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
check "--disk of a missing file: status 2, nothing created" 2 "" \
	"vmon: --disk /tmp/e2e-nodisk.img: no such file (create the image first" -- \
	run --flat "$dir/halt.bin" --disk /tmp/e2e-nodisk.img
[ -e /tmp/e2e-nodisk.img ] && echo "# /tmp/e2e-nodisk.img was created" && failed=$((failed + 1))
check "--disk of a directory" 2 "" "vmon: --disk /tmp: is a directory" -- \
	run --flat "$dir/halt.bin" --disk /tmp
check "--disk with an unknown suboption" 2 "" "unknown suboption 'cache=none'" -- \
	run --flat "$dir/halt.bin" --disk "$dir/halt.bin,cache=none"
check "entry outside memory" 4 "" "outside its memory" -- \
	run --flat "$dir/halt.bin" --mem 16k --entry 0x8000

# a spinning guest stops on SIGINT with status 130; a watchdog ends a
# vmon that ignores it (status 137), so that this check cannot hang.
# The signal goes once vmon has blocked SIGINT for its signalfd
# (SigBlk bit 1): before that, a shell's background job ignores SIGINT
# (POSIX), and a slow start would lose it.
n=$((n + 1))
"$vmon" run --flat "$dir/spin.bin" 2>/tmp/e2e.err &
pid=$!
i=0
while blk=$(sed -n 's/^SigBlk:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null) &&
      [ $(( 0x${blk:-0} & 2 )) = 0 ] && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
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

# On a terminal (test/ptyrun.c gives vmon one): raw mode sends Ctrl-C to
# the guest instead of killing vmon, Ctrl-A x quits with status 0, and the
# terminal is restored afterwards
# (the rig's initramfs mounts no devpts: the check mounts one for itself)
n=$((n + 1))
if [ ! -e /dev/pts/ptmx ] && [ "$(id -u)" = 0 ]; then
	mkdir -p /dev/pts
	mount -t devpts -o ptmxmode=0666 devpts /dev/pts 2>/dev/null
	[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
fi
"$dir/ptyrun" 1500 030178 -- "$vmon" run --flat "$dir/spin.bin" >/tmp/e2e.out 2>&1
got=$?
if [ "$got" = 2 ] && grep -q "ptyrun: pty:" /tmp/e2e.out; then
	echo "ok $n - on a terminal: Ctrl-A x # SKIP no pseudo-terminals here"
elif [ "$got" = 0 ] && grep -q "quit by Ctrl-A x" /tmp/e2e.out &&
   grep -q "ptyrun: terminal restored" /tmp/e2e.out; then
	echo "ok $n - on a terminal: Ctrl-C goes to the guest, Ctrl-A x quits, terminal restored"
else
	echo "not ok $n - on a terminal: Ctrl-C goes to the guest, Ctrl-A x quits, terminal restored: status $got"
	tr -d '\000' </tmp/e2e.out | tail -5 | sed 's/^/# output: /'
	failed=$((failed + 1))
fi

# The watching commands (ps, stat, top, trace, dump) on a guest with a
# known number of exits (test/guests/exits.S): 10 CPUIDs, 5 OUTs to port
# 0x80, then forever a delay and one MMIO read of 0x10000000.

# passes when FILE has exactly COUNT lines matching PATTERN
check_lines() {	# DESCRIPTION FILE PATTERN COUNT
	n=$((n + 1))
	got=$(grep -c -e "$3" "$2")
	if [ "$got" = "$4" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1: $got lines match '$3', expected $4"
		head -8 "$2" | sed 's/^/# out: /'
		failed=$((failed + 1))
	fi
}

# user names for the USER columns, and a second user for the permission check
mkdir -p /etc
grep -q '^root:' /etc/passwd 2>/dev/null || echo 'root:x:0:0:root:/:/bin/sh' >>/etc/passwd
grep -q '^nobody:' /etc/passwd || echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd

"$vmon" run --mode prot --flat "$dir/exits.bin" --name e2e-exits >/tmp/e2e-guest.out 2>&1 &
guest=$!
i=0
while [ $i -lt 20 ] && ! "$vmon" ps 2>/dev/null | grep -q ' e2e-exits '; do
	sleep 1
	i=$((i + 1))
done
sleep 1		# the 10 CPUIDs and 5 OUTs are long done, MMIO reads go on
"$vmon" ps --json >/tmp/e2e-ps.json 2>&1
vm=$(sed -n 's/.*"id":\([0-9]*\),"name":"e2e-exits".*/\1/p' /tmp/e2e-ps.json)
backend=$(sed -n 's/.*"name":"e2e-exits"[^}]*"backend":"\([a-z]*\)".*/\1/p' /tmp/e2e-ps.json)
# the names of tables/vmx_exit_reasons.h and tables/svm_exit_codes.h
if [ "$backend" = vmx ]; then
	io=IO_INSTRUCTION mmio=EPT_VIOLATION other=npf
else
	io=IOIO mmio=NPF other=io_instruction
fi
echo "# watching VM ${vm:-?} ($backend), guest pid $guest"

check "ps lists the VM by name, owner and backend" 0 \
	"^ *$vm  e2e-exits  *$guest  root  *1  64 MiB  *$backend  *[0-9][0-9]*$" "" -- ps
check "ps --json" 0 \
	"\"id\":$vm,\"name\":\"e2e-exits\",\"pid\":$guest,\"uid\":0,\"user\":\"root\",\"vcpus\":1,\"mem_bytes\":67108864,\"backend\":\"$backend\",\"exits\":[0-9]" \
	"" -- ps --json
check "stat counts exactly 10 CPUIDs" 0 "^  CPUID  *0x[0-9a-f]*  *10 " "" -- stat e2e-exits
check "stat --json: 10 CPUIDs, 5 port writes, MMIO reads" 0 \
	"\"name\":\"CPUID\",\"count\":10,.*\"name\":\"$io\",\"count\":5,\|\"name\":\"$io\",\"count\":5,.*\"name\":\"CPUID\",\"count\":10," \
	"" -- stat "$vm" --json
check "stat --json sees the MMIO reads" 0 "\"name\":\"$mmio\",\"count\":[1-9]" "" -- stat "$vm" --json
check "stat --vcpu 0 and the per-vCPU lines" 0 "^  0  *[0-9]*  *[0-9]* .*  [A-Z_]*$" "" -- \
	stat e2e-exits --vcpu 0
check "trace --count 3: three exits and a summary" 0 "^-- 3 exits from 1 VM" "" -- \
	trace --vm e2e-exits --count 3
check "trace without --vm traces every VM you may watch" 0 "^-- 2 exits from 1 VM" "" -- \
	trace --count 2
check "trace --reason (lower case) decodes the GPA" 0 \
	"^ *[0-9.]*  *$vm/0  *[0-9]*  $mmio  *read gpa 0x10000000  *0x1000[0-9a-f]* " "" -- \
	trace --vm "$vm" --reason "$(echo $mmio | tr A-Z a-z)" --count 2
"$vmon" trace --vm "$vm" --reason "$mmio" --count 4 >/tmp/e2e-trace.out 2>&1
check_lines "trace --reason shows only that reason" /tmp/e2e-trace.out "  $mmio  " 4
check "trace --json: exit events and a summary" 0 \
	"{\"type\":\"summary\",\"time_s\":[0-9.e+-]*,\"events\":2,\"lost\":0,\"vms\":1,\"reasons\":\[{\"reason\":[0-9]*,\"name\":\"$mmio\",\"count\":2}\]}" \
	"" -- trace --vm "$vm" --json --count 2 --reason "$mmio"
"$vmon" trace --vm "$vm" --json --count 2 >/tmp/e2e-trace.out 2>&1
check_lines "trace --json: one document per exit" /tmp/e2e-trace.out \
	"^{\"type\":\"exit\",\"time_s\":[0-9.e+-]*,\"vm\":$vm,\"vcpu\":0,\"seq\":[0-9]*,\"reason\":[0-9]*,\"name\":\"[A-Z_]*\"" 2
# a tracer that stops reading loses events: the module counts them and
# the next event says how many (trace reports it, stat sums it up)
# (stopped as soon as its header shows that tracing has begun, long
# before it could read its 1000 exits; a short trace, because printing
# thousands of exits a second starves a one-CPU Bochs machine)
"$vmon" trace --vm "$vm" --buffer 1k --count 1000 >/tmp/e2e-lost.out 2>&1 &
tracer=$!
i=0
while [ $i -lt 1000 ] && ! grep -q 'GUEST TSC' /tmp/e2e-lost.out; do
	usleep 10000
	i=$((i + 1))
done
kill -STOP $tracer
sleep 1
kill -CONT $tracer
wait $tracer
got=$?
n=$((n + 1))
if [ "$got" = 0 ] && grep -q "^ *[0-9.]*  *$vm  *[1-9][0-9]* events\{0,1\} lost: the listener was too slow$" /tmp/e2e-lost.out &&
   grep -q "^-- [0-9]* exits from 1 VM in [0-9.]*s, [1-9][0-9]* events\{0,1\} lost" /tmp/e2e-lost.out; then
	echo "ok $n - a stopped tracer's lost events are reported as they happen"
else
	echo "not ok $n - a stopped tracer's lost events are reported as they happen: status $got"
	grep -v '  0x' /tmp/e2e-lost.out | head -8 | sed 's/^/# out: /'
	failed=$((failed + 1))
fi
check "stat counts the lost events" 0 " [1-9][0-9]* trace events lost" "" -- stat "$vm"
check "trace --reason with an unknown name" 2 "" "trace: --reason bogus: no such $backend exit reason (see 'vmon trace --reason list')" -- \
	trace --vm "$vm" --reason bogus --count 1
check "trace --reason of the other backend" 2 "" "an exit reason of the other backend; this machine runs $backend" -- \
	trace --vm "$vm" --reason "$other" --count 1
check "trace --reason list" 0 "^ *0xa  CPUID \|^ *0x72  CPUID " "" -- trace --reason list
check "dump: guest RIP inside the guest" 0 "^  \(GUEST_\)\{0,1\}RIP  *= 0x0*1000[0-9a-f][0-9a-f]$" "" -- \
	dump e2e-exits 0
check "dump: groups of the decode table" 0 "^guest state:$" "" -- dump "$vm" 0
check "dump: the local APIC" 0 "^Local APIC: \(xAPIC\|x2APIC\|disabled\), base 0x[0-9a-f]*, [a-zA-Z-]*$" "" -- \
	dump "$vm" 0
check "dump --json" 0 "^{\"vm\":$vm,\"vcpu\":0,\"backend\":\"$backend\",\"fields\":{\"control\":{.*\"guest\":{" "" -- \
	dump "$vm" 0 --json
check "dump of a vCPU the VM lacks" 2 "" "dump VM $vm vCPU 5: no such VM or vCPU (vmon.ko: no such vCPU in this VM)" -- \
	dump "$vm" 5
check "stat of a VM that does not exist" 2 "" "stat VM 4000000: no such VM (vmon.ko: no such VM)" -- \
	stat 4000000
check "stat of an unknown name" 2 "" "no VM called 'no-such-vm' that you may watch" -- stat no-such-vm
"$vmon" top --iterations 2 --delay 0.5 >/tmp/e2e-top.out 2>&1
check_lines "top: two refreshes, plain text when not a terminal" /tmp/e2e-top.out \
	"^ *$vm  e2e-exits  *root  *1  *[0-9]*  *[0-9]*  *[0-9.]*  [A-Z_]* (" 2
check "top --json" 0 "{\"id\":$vm,\"name\":\"e2e-exits\",\"user\":\"root\",\"vcpus\":1,\"exits\":[0-9]*,\"exits_per_s\":[0-9.e+]*," \
	"" -- top --iterations 1 --delay 0.2 --json

# another user sees neither the VM nor its statistics
n=$((n + 1))
su nobody -s /bin/sh -c "$vmon stat $vm" >/tmp/e2e.out 2>/tmp/e2e.err
got=$?
su nobody -s /bin/sh -c "$vmon ps" >>/tmp/e2e.out 2>>/tmp/e2e.err
if [ "$got" = 2 ] && grep -q "stat VM $vm: permission denied.*CAP_SYS_ADMIN" /tmp/e2e.err &&
   ! grep -q e2e-exits /tmp/e2e.out; then
	echo "ok $n - another user can neither list nor read the VM"
else
	echo "not ok $n - another user can neither list nor read the VM: status $got"
	sed 's/^/# /' /tmp/e2e.out /tmp/e2e.err | head -8
	failed=$((failed + 1))
fi

kill -INT $guest 2>/dev/null
wait $guest
check "the VM is gone from ps once it ended" 0 "^  ID  NAME " "" -- ps
n=$((n + 1))
if grep -q e2e-exits /tmp/e2e.out; then
	echo "not ok $n - ps no longer lists the VM"
	failed=$((failed + 1))
else
	echo "ok $n - ps no longer lists the VM"
fi
echo "# vmon e2e: $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
