#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Storms against vmon.ko, run inside an emulated machine (or any machine
# where the module is loaded and may be unloaded): busybox sh, root.
# Prints TAP, two lines per storm: what the storm checked, and whether
# the machine came back to its baseline afterwards, with the figures as
# "#" lines.
#
#   storm.sh [short|long]
#
#   kill     kill -9 of storm_guest processes in VMON_RUN: spinning,
#            halting, looping on MMIO or IN exits (killed at a random
#            moment), and stopped between an MMIO or IN exit and the next
#            VMON_RUN (killed while stopped); each must die and be reaped
#            within KILL_WAIT seconds and leave the module refcount at 0
#   rmmod    rmmod vmon while a VM runs and while /dev/vmon is open must
#            fail and leave the module in place; after the VM is killed
#            it must succeed; insmod brings the module back, which must
#            then run a guest again
#   hotplug  CPU 1 taken offline and online repeatedly while three vCPUs
#            run (two of them bound to CPU 1, so they are migrated); the
#            vCPUs must survive and keep making exits (skipped on one CPU)
#   limits   storm_limits: vCPUs per VM, VMs up to RLIMIT_NOFILE, slots
#            up to RLIMIT_MEMLOCK, each limit a clean errno
#
# Baseline after each storm: module refcount 0, Mlocked and Unevictable
# unchanged, no page left pinned (nr_foll_pin_acquired - released in
# /proc/vmstat unchanged), SUnreclaim within SLAB_TOL kB and the kmalloc
# caches of /proc/slabinfo within KMALLOC_TOL kB of before (reclaimable
# caches are dropped and SLUB's empty slabs freed before each reading).
# Slab, Percpu and MemFree are reported too.
#
# The form comes from $1, else STORM in /bin/rig-tests.conf (rig/check.sh
# writes it), else "short".  Counts can be overridden from the
# environment: STORM_KILLS, STORM_CYCLES, STORM_RELOADS, STORM_NOFILE.
# Needs storm_guest and storm_limits next to this script, and the module
# file for insmod at VMON_KO (default /lib/modules/vmon.ko, where
# rig/boot.sh puts it).
dir=$(dirname "$0")
ko=${VMON_KO:-/lib/modules/vmon.ko}
# shellcheck disable=SC1091
[ -r /bin/rig-tests.conf ] && . /bin/rig-tests.conf
form=${1:-${STORM:-short}}
out=/tmp/storm.out

case $form in
short)	kills=12 cycles=10 reloads=2 nofile=128 ;;
long)	kills=100 cycles=200 reloads=20 nofile=1024 ;;
*)	echo "usage: storm.sh [short|long]" >&2; exit 2 ;;
esac
kills=${STORM_KILLS:-$kills}
cycles=${STORM_CYCLES:-$cycles}
reloads=${STORM_RELOADS:-$reloads}
nofile=${STORM_NOFILE:-$nofile}
# the longest random wait before a kill or between hotplug steps, and
# the polling interval, in microseconds: under Bochs every millisecond
# of guest time with a vCPU running costs about 0.3 s of wall time
delay=${STORM_DELAY:-40000}
poll=${STORM_POLL:-10000}
KILL_WAIT=${KILL_WAIT:-30}
HP_WAIT=${HP_WAIT:-30}
# Slab noise between two readings of an idle machine, seen in the rig:
# SUnreclaim -232..+336 kB, the kmalloc caches (where vmon allocates)
# -72..+60 kB
SLAB_TOL=${SLAB_TOL:-512}
KMALLOC_TOL=${KMALLOC_TOL:-160}
n=0

# tap WHY DESCRIPTION: ok when WHY is empty
tap() {
	n=$((n + 1))
	if [ -z "$1" ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2:$1"
	fi
}

# one line of numbers: refcnt Mlocked Unevictable Slab SUnreclaim Percpu
# MemFree (kB) pinned-pages kmalloc-kB; /proc/slabinfo is kept in
# /tmp/storm.slab.NAME when a NAME is given
figures() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	# SLUB keeps empty slabs on its per-CPU and partial lists: give them
	# back, so that Slab counts what is allocated
	for f in /sys/kernel/slab/*/shrink; do
		echo 1 >"$f"
	done 2>/dev/null
	# fold the per-CPU vmstat deltas into the global counters: without
	# this, the pin counters drift by a few pages between readings
	echo 1 >/proc/sys/vm/stat_refresh
	[ -z "$1" ] || cat /proc/slabinfo >"/tmp/storm.slab.$1" 2>/dev/null
	printf '%s %s %s %s\n' "$(cat /sys/module/vmon/refcnt 2>/dev/null || echo -)" \
		"$(awk '/^Mlocked:/ { m = $2 } /^Unevictable:/ { u = $2 }
			/^Slab:/ { s = $2 } /^SUnreclaim:/ { su = $2 }
			/^Percpu:/ { p = $2 } /^MemFree:/ { f = $2 }
			END { print m + 0, u + 0, s + 0, su + 0, p + 0, f + 0 }' /proc/meminfo)" \
		"$(awk '/^nr_foll_pin_acquired / { a = $2 } /^nr_foll_pin_released / { r = $2 }
			END { print a - r }' /proc/vmstat)" \
		"$(awk '$1 ~ /^kmalloc-/ { t += $2 * $4 } END { print int(t / 1024) }' \
			/proc/slabinfo 2>/dev/null || echo -)"
}

# baseline STORM "BEFORE" "AFTER": the figures, and one TAP line
baseline() {
	name=$1
	# shellcheck disable=SC2086
	set -- $2 $3
	echo "# $name: module refcnt $1 -> ${10}; Mlocked $2 -> ${11} kB;" \
		"Unevictable $3 -> ${12} kB; pinned pages $8 -> ${17}"
	echo "# $name: Slab $4 -> ${13} kB; SUnreclaim $5 -> ${14} kB" \
		"($((${14} - $5)) kB); Percpu $6 -> ${15} kB; MemFree $7 -> ${16} kB;" \
		"kmalloc caches $9 -> ${18} kB"
	why=
	[ "${10}" = 0 ] || why="$why module refcnt ${10};"
	[ "${11}" = "$2" ] || why="$why Mlocked $2 -> ${11} kB;"
	[ "${12}" = "$3" ] || why="$why Unevictable $3 -> ${12} kB;"
	[ "${17}" = "$8" ] || why="$why $((${17} - $8)) pages left pinned;"
	[ $((${14} - $5)) -le "$SLAB_TOL" ] ||
		why="$why SUnreclaim grew $((${14} - $5)) kB (> SLAB_TOL $SLAB_TOL);"
	[ "$9" = - ] || [ $((${18} - $9)) -le "$KMALLOC_TOL" ] ||
		why="$why kmalloc caches grew $((${18} - $9)) kB (> KMALLOC_TOL $KMALLOC_TOL);"
	tap "$why" "$name: refcount, Mlocked, Unevictable, pins and slab back to baseline"
	# the caches that grew most, to tell a leak from noise
	[ -z "$why" ] ||
		awk 'FNR == NR { b[$1] = $3 * $4; next }
		     FNR > 2 { d = ($3 * $4 - b[$1]) / 1024; if (d > 8) printf "%d %s\n", d, $1 }' \
			/tmp/storm.slab.before /tmp/storm.slab.after 2>/dev/null |
			sort -rn | head -n 8 | awk '{ printf "# %s: slab cache %s grew %d kB\n", n, $2, $1 }' n="$name"
}

# launch FILE ARGS...: storm_guest ARGS in the background, output in
# FILE (emptied first, so that no word of an earlier run is seen); $pid
launch() {
	local f=$1
	shift
	: >"$f"
	"$dir/storm_guest" "$@" >>"$f" 2>&1 &
	pid=$!
}

pstate() {	# PID: its state letter (R, S, D, T, Z) or "-" when gone
	local line
	line=$(cat "/proc/$1/stat" 2>/dev/null) || { echo -; return; }
	# shellcheck disable=SC2086
	set -- $line
	echo "$3"
}

# wait_for PID WORD [FILE]: until storm_guest printed WORD (0) or died (1)
wait_for() {
	local w=0 s
	while ! grep -q "^$2" "${3:-$out}"; do
		kill -0 "$1" 2>/dev/null || return 1
		[ $w -lt $((20000000 / poll)) ] || return 1
		usleep "$poll"
		w=$((w + 1))
	done
}

# wait_state PID LETTER: until the process is in that state (up to 10 s)
wait_state() {
	local w=0 s
	while [ "$(pstate "$1")" != "$2" ]; do
		[ $w -lt $((10000000 / poll)) ] || return 1
		usleep "$poll"
		w=$((w + 1))
	done
}

# Kill PID with SIGKILL and reap it, within KILL_WAIT seconds.  Sets
# reap_why to what went wrong, if anything (a task that stays in D after
# SIGKILL is a hung task: its kernel stack goes to the log).
kill_reap() {
	reap_why=
	kill -9 "$1" 2>/dev/null
	local w=0 s rc
	while :; do
		s=$(pstate "$1")
		[ "$s" = Z ] || [ "$s" = - ] && break
		if [ $w -ge $((KILL_WAIT * 1000000 / poll)) ]; then
			reap_why=" pid $1 still in state $s ${KILL_WAIT} s after SIGKILL;"
			sed 's/^/# stack: /' "/proc/$1/stack"
			return 1
		fi
		usleep "$poll"
		w=$((w + 1))
	done
	wait "$1"
	rc=$?
	[ "$rc" = 137 ] || reap_why=" pid $1 ended with status $rc, not 137 (SIGKILL);"
}

refcnt() { cat /sys/module/vmon/refcnt 2>/dev/null || echo -; }

# ------------------------------------------------------------------ kill
kill_storm() {
	before=$(figures before)
	t0=$(date +%s)
	bad='' i=0 states=''
	while [ "$i" -lt "$kills" ]; do
		case $((i % 6)) in
		0) m=spin ;; 1) m=hlt ;; 2) m=mmio ;; 3) m=in ;; 4) m=mmio:stop ;; 5) m=in:stop ;;
		esac
		mode=${m%:stop}
		i=$((i + 1))
		if [ "$mode" != "$m" ]; then
			# stop after 1 to 64 exits: between that exit and the next RUN
			launch "$out" "$mode" --stop-after $((RANDOM % 64 + 1))
			if ! wait_for "$pid" stopped || ! wait_state "$pid" T; then
				bad="$bad $m: did not stop ($(head -c 160 "$out"));"
				kill_reap "$pid"
				continue
			fi
		else
			launch "$out" "$mode"
			if ! wait_for "$pid" ready; then
				bad="$bad $m: no VM ($(head -c 160 "$out"));"
				kill_reap "$pid"
				continue
			fi
			# 0-40 ms into its VMON_RUN loop
			usleep $((RANDOM % delay))
		fi
		st=$(pstate "$pid")
		states="$states $st"
		kill_reap "$pid"
		[ -z "$reap_why" ] || bad="$bad $m:$reap_why"
		grep -q -e '^unexpected' -e '^VMON_RUN' -e '^vmon_' "$out" &&
			bad="$bad $m: $(head -c 160 "$out");"
		r=$(refcnt)
		[ "$r" = 0 ] || bad="$bad $m: module refcnt $r after the kill;"
	done
	after=$(figures after)
	cnt() { echo "$states" | tr ' ' '\n' | grep -c "^$1\$"; }
	echo "# kill: $kills kills in $(($(date +%s) - t0)) s (spin, hlt, mmio, in;" \
		"mmio and in stopped mid-exit); state at the kill: R $(cnt R), S $(cnt S)," \
		"T $(cnt T), other $(echo "$states" | tr ' ' '\n' | grep -c '^[^RST]')"
	tap "$bad" "kill: $kills kill -9 of processes in VMON_RUN, each reaped, refcount 0"
	baseline kill "$before" "$after"
}

# ----------------------------------------------------------------- rmmod
rmmod_storm() {
	before=$(figures before)
	t0=$(date +%s)
	bad='' i=0 msg=''
	while [ "$i" -lt "$reloads" ]; do
		i=$((i + 1))
		launch "$out" spin
		wait_for "$pid" ready || bad="$bad no VM ($(head -c 160 "$out"));"
		if msg=$(rmmod vmon 2>&1); then
			bad="$bad rmmod succeeded while a VM ran;"
		fi
		[ -d /sys/module/vmon ] && [ -e /dev/vmon ] ||
			bad="$bad module or /dev/vmon gone after the refused rmmod;"
		exec 3</dev/vmon
		if rmmod vmon 2>/dev/null; then
			bad="$bad rmmod succeeded while /dev/vmon was open;"
		fi
		# storm_guest's /dev/vmon, VM and vCPU files, and ours
		r=$(refcnt)
		[ "$r" = 4 ] || bad="$bad module refcnt $r with the VM and /dev/vmon open, not 4;"
		kill_reap "$pid"
		[ -z "$reap_why" ] || bad="$bad$reap_why"
		exec 3<&-
		if ! m2=$(rmmod vmon 2>&1); then
			bad="$bad rmmod refused after the last fd closed: $m2 (refcnt $(refcnt));"
			continue
		fi
		[ ! -d /sys/module/vmon ] || bad="$bad /sys/module/vmon still there after rmmod;"
		if ! m2=$(insmod "$ko" 2>&1); then
			bad="$bad insmod $ko failed: $m2;"
			break
		fi
		j=0
		while [ ! -e /dev/vmon ] && [ $j -lt $((1000000 / poll)) ]; do
			usleep "$poll"
			j=$((j + 1))
		done
	done
	# the module that came back runs guests
	"$dir/storm_guest" in --exits 100 >"$out" 2>&1 ||
		bad="$bad a guest after insmod: $(head -c 160 "$out");"
	after=$(figures after)
	echo "# rmmod: $reloads refusals with a VM and with /dev/vmon open, then" \
		"rmmod + insmod, in $(($(date +%s) - t0)) s; rmmod said: $msg"
	tap "$bad" "rmmod: refused while a VM or /dev/vmon exists, succeeds after, insmod again"
	baseline rmmod "$before" "$after"
}

# --------------------------------------------------------------- hotplug
# cpu_write FILE VALUE: write, within HP_WAIT seconds; when the write
# hangs, set hp_why and put the writer's kernel stack, every blocked
# task (SysRq w) and every CPU's backtrace (SysRq l) in the log
cpu_write() {
	local w=0 wpid
	hp_why=''
	(echo "$2" >"$1") 2>/dev/null &
	wpid=$!
	while [ -d "/proc/$wpid" ] && [ "$(pstate "$wpid")" != Z ]; do
		if [ $w -ge $((HP_WAIT * 1000000 / poll)) ]; then
			hp_why=" echo $2 >$1 still running after $HP_WAIT s;"
			sed 's/^/# stack: /' "/proc/$wpid/stack"
			echo w >/proc/sysrq-trigger
			echo l >/proc/sysrq-trigger
			dmesg | tail -n 150 | sed 's/^/# dmesg: /'
			return 1
		fi
		usleep "$poll"
		w=$((w + 1))
	done
	wait "$wpid" || hp_why=" echo $2 >$1 failed;"
	[ -z "$hp_why" ]
}

hotplug_storm() {
	cpu=/sys/devices/system/cpu/cpu1/online
	if [ ! -w "$cpu" ]; then
		echo "ok $((n + 1)) # SKIP hotplug: no CPU 1 to take offline ($(nproc) CPU)"
		echo "ok $((n + 2)) # SKIP hotplug: baseline"
		n=$((n + 2))
		return
	fi
	before=$(figures before)
	t0=$(date +%s)
	bad='' pids='' c=0
	for g in "in --cpu 1" "spin --cpu 1" "in"; do
		# shellcheck disable=SC2086
		launch "$out.$c" $g
		pids="$pids $pid"
		wait_for "$pid" ready "$out.$c" || bad="$bad $g: no VM;"
		c=$((c + 1))
	done
	c=0 offline=0 progress=20
	[ "$cycles" -le 20 ] && progress=1
	while [ "$c" -lt "$cycles" ]; do
		c=$((c + 1))
		if cpu_write "$cpu" 0; then
			offline=$((offline + 1))
		else
			bad="$bad cycle $c:$hp_why"
			case $hp_why in *"still running"*) break ;; esac
		fi
		usleep $((RANDOM % delay / 2))
		if ! cpu_write "$cpu" 1; then
			bad="$bad cycle $c:$hp_why"
			break
		fi
		# progress: a 2-CPU Bochs needs about 30 s per cycle
		[ $((c % progress)) = 0 ] && echo "# hotplug: cycle $c of $cycles"
		usleep $((RANDOM % delay / 2))
	done
	[ "$(cat "$cpu")" = 1 ] || bad="$bad CPU 1 not online at the end;"
	exits=
	c=0
	for pid in $pids; do
		kill -0 "$pid" 2>/dev/null || bad="$bad vCPU process $pid died during the storm;"
		kill -TERM "$pid"
		wait "$pid"
		rc=$?
		e=$(sed -n 's/^exits //p' "$out.$c")
		exits="$exits ${e:-?}"
		[ "$rc" = 0 ] || bad="$bad vCPU process $pid: status $rc ($(head -c 160 "$out.$c"));"
		c=$((c + 1))
	done
	# shellcheck disable=SC2086
	set -- $exits
	[ "${1:-0}" -gt 0 ] 2>/dev/null && [ "${3:-0}" -gt 0 ] 2>/dev/null ||
		bad="$bad the IN loops made no exits ($exits);"
	after=$(figures after)
	echo "# hotplug: $cycles offline/online cycles of CPU 1 ($offline offline) in" \
		"$(($(date +%s) - t0)) s; vCPU exits (in on CPU 1, spin on CPU 1, in):$exits"
	tap "$bad" "hotplug: vCPUs survive $cycles offline/online cycles of their CPU"
	baseline hotplug "$before" "$after"
}

# ---------------------------------------------------------------- limits
limits_storm() {
	before=$(figures before)
	t0=$(date +%s)
	"$dir/storm_limits" "$nofile" >"$out" 2>&1
	rc=$?
	grep '^# ' "$out" | sed 's/^# /# limits: /'
	bad=$(grep -v '^# ' "$out" | tr '\n' ';' | head -c 600)
	[ "$rc" = 0 ] || [ -n "$bad" ] || bad=" status $rc"
	after=$(figures after)
	echo "# limits: $(($(date +%s) - t0)) s"
	tap "${bad:+ $bad}" "limits: vCPUs, VMs and slots up to their limit, each a clean errno"
	baseline limits "$before" "$after"
}

echo "TAP version 13"
if [ ! -e /dev/vmon ] || [ ! -d /sys/module/vmon ]; then
	echo "1..0 # SKIP vmon.ko is not loaded"
	exit 0
fi
echo "1..8"
echo "# storm.sh $form: $kills kills, $reloads reloads, $cycles hotplug cycles, RLIMIT_NOFILE $nofile"
# one VM first: what the first VM of a boot allocates once is not a leak
"$dir/storm_guest" in --exits 10 >/dev/null 2>&1
kill_storm
rmmod_storm
hotplug_storm
limits_storm
