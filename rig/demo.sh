#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# "make demo": run the bundled sample guest with the vmon tool.
#
# Where this CPU has VT-x or AMD-V and vmon.ko can be loaded, the guest
# runs here.  Otherwise (no hardware virtualization, not root, or a
# kernel the module was not built for) the same module, tool and sample
# go into an emulated machine with AMD SVM (QEMU TCG) and run there.
#
# Env: DEMO_SAMPLE (default tools/vmon/samples/hello.bin),
#      DEMO_ARGS (default "run --flat SAMPLE"), DEMO_MACHINE (default
#      qemu-4lvl), DEMO_EMULATE=1 to skip the host attempt, KVER.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

sample=${DEMO_SAMPLE:-tools/vmon/samples/hello.bin}
vmon=tools/vmon/vmon
ko=kmod/vmon.ko
machine=${DEMO_MACHINE:-qemu-4lvl}

for f in "$vmon" "$ko" "$sample"; do
	[ -r "$f" ] || { echo "demo: $f is missing: run 'make' first" >&2; exit 1; }
done

# ------------------------------------------------------ on this machine
try_host() {
	local loaded_here=0 rc
	grep -q -w -e vmx -e svm /proc/cpuinfo || {
		echo "demo: this CPU offers neither VT-x (vmx) nor AMD-V (svm)"
		return 1
	}
	if [ ! -d /sys/module/vmon ]; then
		[ "$(id -u)" = 0 ] || { echo "demo: loading vmon.ko needs root"; return 1; }
		if ! insmod "$ko" 2>/tmp/vmon-demo-insmod.$$; then
			echo "demo: insmod $ko failed: $(cat /tmp/vmon-demo-insmod.$$)"
			dmesg 2>/dev/null | grep vmon | tail -n 3 | sed 's/^/demo:   /'
			rm -f /tmp/vmon-demo-insmod.$$
			return 1
		fi
		rm -f /tmp/vmon-demo-insmod.$$
		loaded_here=1
	fi
	echo "demo: running on this CPU: $vmon ${DEMO_ARGS:-run --flat $sample}"
	# shellcheck disable=SC2086
	"$vmon" ${DEMO_ARGS:-run --flat "$sample"}
	rc=$?
	echo "demo: vmon exited with status $rc"
	# leave the machine as we found it
	[ $loaded_here = 1 ] && rmmod vmon
	exit $rc
}

if [ "${DEMO_EMULATE:-0}" != 1 ]; then
	try_host
fi

# ------------------------------------------------- in an emulated machine
work=$top/build/demo
mkdir -p "$work"
bin=$(basename "$sample")
cat >"$work/demo.sh" <<EOF
echo "demo: ===== output of 'vmon ${DEMO_ARGS:-run --flat $bin}' ====="
/bin/vmon ${DEMO_ARGS:-run --flat /bin/$bin}
echo
echo "demo: ===== vmon exited with status \$? ====="
EOF
echo "demo: no usable VT-x/AMD-V here, so the sample runs inside an emulator:"
echo "demo: $machine (QEMU TCG, emulated AMD SVM); full console log: $work/console.log"
RIG_DIR=$work/rig RIG_TIMEOUT=${DEMO_TIMEOUT:-180} \
	rig/boot.sh "$machine" "$work/demo.sh" "$vmon" "$sample" >"$work/console.log" 2>&1
rc=$?
# the guest's lines between the markers, and any kernel trouble
sed -n '/^demo: =====/,/^demo: ===== vmon exited/p; /^RIG: MODULE FAILED/p; /^RIG: dmesg: /p' \
	"$work/console.log" | awk '!/^RIG: dmesg: / || /vmon: using|BUG:|WARNING:|Oops|Call Trace/'
status=$(sed -n 's/^demo: ===== vmon exited with status \([0-9]*\) =====$/\1/p' "$work/console.log")
if [ -z "$status" ]; then
	echo "demo: the emulated machine did not finish the demo (status $rc): see $work/console.log"
	exit 1
fi
echo "demo: this ran inside an emulator because this machine has no usable VT-x/AMD-V"
exit "$status"
