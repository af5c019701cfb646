#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: vmon beside Debian's KVM in the same boot of each emulated
# machine (selftests/bench/make_bench.sh inside):
#
#   rig/bench-exits.sh [MACHINE...]   (default: qemu-4lvl qemu-la57 bochs)
#
# Boots one machine at a time (niced) and prints its comparison lines:
# "exit KIND vmon NS kvm NS ratio R ..." per exit kind
# (selftests/bench/exit_cost.c), "lapic FIGURE vmon NS kvm NS ratio R
# ..." per APIC timer and IPI figure (lapic_latency.c) and "boot init
# vmon NS kvm NS ratio R ..." for a Linux boot to /init under vmon run
# and under QEMU -M microvm with KVM (boot_time.c); the whole console
# log goes to build/bench/exits-MACHINE.log.  Env: BENCH_EXITS (exits
# per timed loop), BENCH_RUNS (timed loops per figure), BENCH_SAMPLES
# (samples per APIC figure), BOOT_RUNS (Linux boots per launcher),
# BOOT_TIMEOUT (seconds of one boot, default 600), KVER.
# QEMU's clock is the host's wall clock, shared with everything else
# the host runs: many short loops (250 exits x 15) leave some
# undisturbed.  Bochs's clock is emulated and nearly repeats: 1000
# exits x 5, one Linux boot each, on one CPU (BENCH_BOCHS_CPUS=2 gives
# the IPI figures two CPUs, as make bench-lapic does, but a Linux boot
# under vmon then takes a Bochs machine on a loaded 2-core host well
# over half an hour; a two-CPU Bochs machine does not power off at the
# end either: the silence limit ends it).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kver=$("$top/rig/kver.sh")
out=$top/build/bench
machines=${*:-qemu-4lvl qemu-la57 bochs}
b=$top/selftests/bench
vmon=$top/tools/vmon/vmon

for f in "$b/exit_cost" "$b/lapic_latency" "$b/boot_time" "$vmon"; do
	[ -x "$f" ] || { echo "bench: no $f: run 'make' first" >&2; exit 2; }
done
list=$("$top/rig/bench-kvm-modules.sh" "$kver") || exit 2
mapfile -t kos <<< "$list"
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/vmon-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# the Linux guest of the boot figure: the uncompressed kernel (both
# launchers enter it through its PVH note, neither runs the
# decompressor) and busybox with an /init that prints a line and powers off
g=$work/guest
mkdir -p "$g/bin"
cp /bin/busybox "$g/bin/"
ln -s busybox "$g/bin/sh"
ln -s busybox "$g/bin/poweroff"
cp "$b/boot_init.sh" "$g/init"
chmod +x "$g/init"
(cd "$g" && find . | sort | cpio -o -H newc --quiet -R 0:0) > "$work/boot-init.cpio"
"$top/rig/extract-vmlinux.sh" "/boot/vmlinuz-$kver" "$work/vmlinux"
"$top/rig/bench-qemu.sh" "$work/qemu.tar"

status=0
# a vmon/KVM comparison line of exit_cost: the machine got past the hand-over
compared='^exit [a-z-]* vmon .* kvm .* ratio '
for m in $machines; do
	case $m in
	bochs) exits=${BENCH_EXITS:-1000} runs=${BENCH_RUNS:-5} boots=${BOOT_RUNS:-1}
	       timeout=${RIG_TIMEOUT:-5400} stall=${RIG_STALL:-600} ;;
	*) exits=${BENCH_EXITS:-250} runs=${BENCH_RUNS:-15} boots=${BOOT_RUNS:-3}
	   timeout=${RIG_TIMEOUT:-1800} stall=${RIG_STALL:-120} ;;
	esac
	{
		echo "BENCH_MACHINE=$m BENCH_EXITS=$exits BENCH_RUNS=$runs"
		echo "BENCH_SAMPLES=${BENCH_SAMPLES:-200} BOOT_RUNS=$boots BOOT_TIMEOUT=${BOOT_TIMEOUT:-600}"
		cat "$b/make_bench.sh"
	} > "$work/script.sh"
	echo "bench: $m"
	# A QEMU machine that went silent (status 125) before its first
	# comparison is booted once more: QEMU TCG now and then hangs every
	# CPU on a stale INT3 after Linux patches a static key, as it does when
	# vmon's module unloads or KVM creates a VM (testing.rst, "Emulator
	# deviations").  Bochs emulates one CPU: its silence is never that.
	for try in 1 2; do
		rc=0
		RIG_DIR=${RIG_DIR:-$top/build/rig}/bench-exits-$m KVER=$kver RIG_MEM=1536 \
			RIG_BOCHS_CPUS=${BENCH_BOCHS_CPUS:-1} RIG_STALL=$stall RIG_TIMEOUT=$timeout \
			nice "$top/rig/boot.sh" "$m" "$work/script.sh" "$b/exit_cost" \
			"$b/lapic_latency" "$b/boot_time" "$vmon" "$work/vmlinux" \
			"$work/boot-init.cpio" "$work/qemu.tar" "${kos[@]}" "$b/to_kvm.sh" \
			> "$out/exits-$m.log" 2>&1 || rc=$?
		if [ "$try" = 2 ] || [ "$rc" != 125 ] || [ "$m" = bochs ] ||
		   grep -q "$compared" "$out/exits-$m.log"; then
			break
		fi
		mv "$out/exits-$m.log" "$out/exits-$m.silent.log"
		echo "bench: $m: went silent before its figures (see $out/exits-$m.silent.log); booting it again"
	done
	# the figures are all there is to judge: a machine that printed them is done
	if ! grep -q "$compared" "$out/exits-$m.log"; then
		echo "bench: $m: no figures (status $rc), see $out/exits-$m.log"
		status=1
	fi
	for fig in lapic boot; do
		grep -q "^$fig [a-z-]* vmon .* kvm .* ratio " "$out/exits-$m.log" ||
			echo "bench: $m: no $fig figures, see $out/exits-$m.log"
	done
	grep -a '^exit_cost: \|^vmon \|^kvm \|^exit \|^lapic \|^boot [a-z]* median \|^boot init \|^BENCH: .*fail\|^BENCH: cannot\|^BENCH: no ' \
		"$out/exits-$m.log" | sed 's/\r$//; s/^/  /' || true
done
exit $status
