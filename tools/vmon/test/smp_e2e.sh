#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end checks of "vmon run --cpus N" on a machine with the module
# loaded (the emulator rig): --cpus is checked against the module before
# anything is created; a run whose application processors never got
# their SIPI still stops on SIGTERM; and Debian's Linux booted on N vCPUs
# (rig/linux-guest/, /init's smp-checks) brings every CPU up, takes
# local timer interrupts on each, runs a worker pinned to each, takes
# CPU 1 offline and back, and ends with an ACPI power-off, and booted
# again, with a reboot.  Prints TAP, "# boot:" lines (the boot time to
# /init on N vCPUs, the per-vCPU exits of "vmon stat") and "# guest:"
# lines.
#
# Expects in one directory ($1, default /bin): vmon, spin.bin,
# guest.cpio and vmlinux or vmlinuz-*.  Env: SMP_CPUS (default 4),
# BOOT_TIMEOUT (seconds per Linux boot, default 270), BOOT_MEM (192M).
dir=${1:-/bin}
vmon=$dir/vmon
cpus=${SMP_CPUS:-4}
boot_timeout=${BOOT_TIMEOUT:-270}
boot_mem=${BOOT_MEM:-192M}
last=$((cpus - 1))
n=0

report() {	# DESCRIPTION WHY (empty: passed)
	n=$((n + 1))
	if [ -z "$2" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1: $2"
	fi
}

expect() {	# DESCRIPTION FILE PATTERN
	if grep -q -e "$3" "$2"; then
		report "$1" ""
	else
		report "$1" "no '$3' in the output"
		tr -d '\000' <"$2" | grep "$4" | tail -n 8 | sed 's/^/# out: /'
	fi
}

kernel=
for k in "$dir/vmlinux" "$dir"/vmlinuz-*; do
	[ -r "$k" ] && { kernel=$k; break; }
done

echo "TAP version 13"
echo "1..13"

# ------------------------------------------------------------ the option
"$vmon" run --flat "$dir/spin.bin" --cpus 254 >/tmp/smp.out 2>/tmp/smp.err
got=$?
if [ "$got" = 2 ] && grep -q "^vmon: --cpus 254: more than the [0-9]* vCPUs per VM vmon.ko allows (use --cpus [0-9]* or fewer)$" /tmp/smp.err &&
   [ "$(wc -l </tmp/smp.err)" = 1 ]; then
	report "--cpus above the module's max_vcpus: one line, status 2" ""
else
	report "--cpus above the module's max_vcpus: one line, status 2" \
		"status $got, stderr: $(head -n 2 /tmp/smp.err)"
fi

# APs waiting for a SIPI that never comes, the BSP spinning: SIGTERM
# still ends every thread, with the signal's status
"$vmon" run --flat "$dir/spin.bin" --cpus "$cpus" --name smp-stop </dev/null \
	>/tmp/smp.out 2>/tmp/smp.err &
pid=$!
# the VM is named before its vCPUs exist: wait for all of them, then a
# little longer for the threads (a signal before vmon blocks it kills
# vmon without its message)
i=0 vcpus=
while [ $i -lt 50 ] && [ "$vcpus" != "$cpus" ]; do
	sleep 0.2
	vcpus=$("$vmon" ps --json 2>/dev/null |
		sed -n 's/.*"name":"smp-stop","pid":[0-9]*,"uid":[0-9]*,"user":"[^"]*","vcpus":\([0-9]*\).*/\1/p')
	i=$((i + 1))
done
sleep 1
kill -TERM "$pid"
( sleep 20; kill -KILL "$pid" 2>/dev/null ) &
watchdog=$!
wait "$pid"
got=$?
kill "$watchdog" 2>/dev/null
if [ "$got" = 143 ] && [ "$vcpus" = "$cpus" ] && grep -q "stopped by SIGTERM" /tmp/smp.err; then
	report "SIGTERM stops a run of $cpus vCPUs whose APs wait for SIPI (status 143)" ""
else
	report "SIGTERM stops a run of $cpus vCPUs whose APs wait for SIPI (status 143)" \
		"status $got, vmon ps saw ${vcpus:-no} vCPUs, stderr: $(head -n 2 /tmp/smp.err)"
fi

if [ -z "$kernel" ]; then
	while [ $n -lt 13 ]; do
		n=$((n + 1))
		echo "ok $n - Linux on $cpus vCPUs # SKIP no guest kernel (vmlinux or vmlinuz-*) in $dir"
	done
	exit 0
fi

# ------------------------------------------------- Linux on N vCPUs
append="console=ttyS0 panic=-1 quiet cryptomgr.notests rodata=off mitigations=off"
append="$append ${BOOT_APPEND:-} vmon_guest.smp"
rm -f /tmp/smp.init /tmp/smp.stat
t0=$(cut -d ' ' -f 1 /proc/uptime)
# a heartbeat: the rig ends a machine whose console stays silent (RIG_STALL)
(
	s=0
	while sleep 30 && kill -0 $$ 2>/dev/null; do
		s=$((s + 30))
		echo "# boot: Linux guest on $cpus vCPUs still running after $s s"
	done
) &
beat=$!
{
	timeout -s KILL "$boot_timeout" "$vmon" run --kernel "$kernel" --cpus "$cpus" \
		--initrd "$dir/guest.cpio" --mem "$boot_mem" --append "$append" \
		</dev/null 2>/tmp/smp.err
	echo $? >/tmp/smp.status
} | while IFS= read -r line; do
	printf '%s\n' "$line"
	printf '# guest: %s\n' "$line" | tr -d '\000\r' >&2
	case $line in
	hvinfo:\ tsc*)
		if [ ! -e /tmp/smp.init ]; then
			cut -d ' ' -f 1 /proc/uptime >/tmp/smp.init
			"$vmon" stat >/tmp/smp.stat 2>&1
		fi
		;;
	esac
done >/tmp/smp.raw
got=$(cat /tmp/smp.status)
t1=$(cut -d ' ' -f 1 /proc/uptime)
tr -d '\000\r' </tmp/smp.raw >/tmp/smp.out
[ "$got" = 137 ] && echo "# Linux boot killed after $boot_timeout s (BOOT_TIMEOUT)"

expect "Linux: nproc prints $cpus" /tmp/smp.out "^guest: smp nproc $cpus$" "smp"
online=0-$last
[ "$cpus" = 2 ] && online=0-1
expect "Linux: CPUs $online online" /tmp/smp.out "^guest: smp online $online$" "smp"
expect "Linux: local timer interrupts (LOC) rise on every CPU" /tmp/smp.out \
	"^guest: smp LOC rose on every cpu: yes$" "LOC"
missing=
cpu=0
while [ $cpu -lt "$cpus" ]; do
	grep -q "^guest: smp worker done on cpu $cpu$" /tmp/smp.out || missing="$missing $cpu"
	cpu=$((cpu + 1))
done
report "Linux: a worker pinned to each CPU finishes there" "${missing:+none on cpu$missing}"
off=0
[ "$cpus" -gt 2 ] && off="0,2-$last"
[ "$cpus" = 3 ] && off="0,2"
expect "Linux: CPU 1 goes offline" /tmp/smp.out "^guest: smp cpu1 offline, online $off$" "smp"
expect "Linux: CPU 1 comes back online" /tmp/smp.out "^guest: smp cpu1 back, online $online$" "smp"
if grep -q "^guest: dmesg: ACPI: RSDP" /tmp/smp.out && ! grep -q "A valid RSDP was not found" /tmp/smp.out; then
	report "Linux: finds the RSDP (no 'A valid RSDP was not found')" ""
else
	report "Linux: finds the RSDP (no 'A valid RSDP was not found')" "RSDP line missing or error printed"
fi
expect "Linux: takes device interrupts through the I/O APIC" /tmp/smp.out \
	"^guest: smp interrupts: .* IO-APIC " "interrupts"
if grep -q "VM [0-9]* .*$cpus vCPUs" /tmp/smp.stat 2>/dev/null &&
   [ "$(grep -c "^  [0-9][0-9]* " /tmp/smp.stat)" -ge "$cpus" ]; then
	report "vmon stat shows all $cpus vCPUs of the running guest" ""
else
	report "vmon stat shows all $cpus vCPUs of the running guest" "$(head -n 1 /tmp/smp.stat 2>/dev/null)"
fi
if [ "$got" = 0 ] && grep -q "^guest: ALL DONE" /tmp/smp.out &&
   grep -q "guest powered off through ACPI (S5)" /tmp/smp.err; then
	report "Linux on $cpus vCPUs: poweroff ends vmon with status 0" ""
else
	report "Linux on $cpus vCPUs: poweroff ends vmon with status 0" "status $got"
	tail -n 25 /tmp/smp.out | sed 's/^/# guest: /'
	tail -n 5 /tmp/smp.err | sed 's/^/# err: /'
fi

# ------------------------------------------------------ and a reboot
timeout -s KILL "$boot_timeout" "$vmon" run --kernel "$kernel" --cpus "$cpus" \
	--initrd "$dir/guest.cpio" --mem "$boot_mem" \
	--append "${append% vmon_guest.smp} vmon_guest.reboot" \
	</dev/null >/tmp/smp-reboot.raw 2>/tmp/smp-reboot.err
got=$?
kill "$beat" 2>/dev/null
tr -d '\000\r' </tmp/smp-reboot.raw >/tmp/smp-reboot.out
if [ "$got" = 0 ] && grep -q "^guest: ALL DONE" /tmp/smp-reboot.out &&
   grep -q "guest reset the machine through port 0xCF9 (reboot)" /tmp/smp-reboot.err; then
	report "Linux on $cpus vCPUs: reboot ends vmon with status 0" ""
else
	report "Linux on $cpus vCPUs: reboot ends vmon with status 0" "status $got"
	tail -n 10 /tmp/smp-reboot.out | sed 's/^/# guest: /'
	tail -n 5 /tmp/smp-reboot.err | sed 's/^/# err: /'
fi

# boot time to /init on N vCPUs (boot_e2e.sh prints it for one)
tsc0=$(sed -n 's/.*guest TSC at start \([0-9]*\).*/\1/p' /tmp/smp.err | head -n 1)
tsc1=$(sed -n 's/^hvinfo: tsc \([0-9]*\)$/\1/p' /tmp/smp.out | head -n 1)
if [ -n "$tsc0" ] && [ -n "$tsc1" ]; then
	echo "# boot: $cpus vCPUs: guest TSC at start $tsc0, at /init $tsc1: $((tsc1 - tsc0)) cycles to /init"
fi
ti=$(cat /tmp/smp.init 2>/dev/null)
if [ -n "$ti" ]; then
	ti="/init after $(echo "$t0 $ti" | awk '{ printf "%.2f", $2 - $1 }') s"
else
	ti="/init not reached"
fi
echo "# boot: $cpus vCPUs: wall (the emulated machine's clock): $ti, whole run $(echo "$t0 $t1" |
	awk '{ printf "%.2f", $2 - $1 }') s"
[ -s /tmp/smp.stat ] && sed 's/^/# boot: vmon stat at \/init: /' /tmp/smp.stat
exit 0
