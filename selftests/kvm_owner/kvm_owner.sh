#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# vmon beside KVM, which wants the same VT-x/AMD-V (one owner at a
# time): run inside an emulated machine where vmon.ko is loaded
# (rig/check.sh), busybox sh, root.  Prints TAP.
#
# Unloads vmon, loads Debian's KVM for this CPU (kvm_amd or kvm_intel
# with what it needs: the module files named, in load order, by
# kvm-amd.list or kvm-intel.list next to this script; rig/check.sh
# writes them with rig/linux-guest/modules.sh), then:
#   - when kvm has enable_virt_at_load (Linux 6.12), which is on by
#     default, KVM holds the extension from the moment it loads: insmod
#     vmon.ko must fail with EBUSY, and vmon's message must name the
#     vendor module and kvm.enable_virt_at_load=0;
#   - without that parameter (6.1) KVM holds it only while it has VMs:
#     vmon must load beside the idle KVM;
#   - with kvm loaded with enable_virt_at_load=0, vmon must load (the
#     advice of the message holds);
#   - with KVM unloaded, vmon must load, and stays loaded.
# While KVM is loaded and vmon is not, "vmon doctor" (when vmon is in
# this directory too) must fail and name the vendor module: as holding
# the extension with enable_virt_at_load, as loaded without it.
dir=$(dirname "$0")
ko=${VMON_KO:-/lib/modules/vmon.ko}
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
report() {	# DESCRIPTION PROBLEM (empty: passed)
	if [ -z "$2" ]; then ok "$1"; else not_ok "$1: $2"; fi
}
# kernel messages since mark
mark() { mark=$(dmesg | wc -l); }
since_mark() { dmesg | tail -n +"$((mark + 1))"; }
modname() { basename "$1" .ko | tr - _; }

if grep -q -w svm /proc/cpuinfo; then
	vendor=kvm_amd list=$dir/kvm-amd.list
else
	vendor=kvm_intel list=$dir/kvm-intel.list
fi
echo "1..7"
if [ ! -r "$list" ]; then
	echo "Bail out! no $list: the KVM modules were not gathered for this kernel"
	exit 1
fi
mods=$(cat "$list")

# load KVM's modules (extra arguments go to kvm.ko); 0 when all loaded
kvm_load() {
	local m out
	for m in $mods; do
		if [ "$(modname "$m")" = kvm ]; then
			out=$(insmod "$dir/$m" "$@" 2>&1)
		else
			out=$(insmod "$dir/$m" 2>&1)
		fi || { echo "# insmod $m: $out"; return 1; }
	done
}

kvm_unload() {
	local m
	for m in $(echo "$mods" | tac); do
		rmmod "$(modname "$m")" 2>/dev/null
	done
	! grep -q -e '^kvm ' -e "^$vendor " /proc/modules
}

out=$(rmmod vmon 2>&1)
report "rmmod vmon before KVM loads" "$out"

# 2, 3: KVM with its defaults
# vmon doctor with KVM loaded and vmon not: status 2, a line naming KVM
doctor() {
	local out rc want
	if [ ! -x "$dir/vmon" ]; then
		ok "vmon doctor beside $vendor # SKIP no vmon in $dir"
		return
	fi
	out=$("$dir/vmon" doctor 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	if [ "$at_load" = Y ]; then
		want="^FAIL  hypervisor $vendor holds"
	else
		want="^note  hypervisor $vendor is loaded"
	fi
	if [ "$rc" != 2 ]; then
		not_ok "vmon doctor beside $vendor: status $rc, expected 2"
	elif ! echo "$out" | grep -q "$want"; then
		not_ok "vmon doctor beside $vendor: no line '$want'"
	else
		ok "vmon doctor beside $vendor fails and names it"
	fi
}

if ! kvm_load; then
	not_ok "load $vendor"
	not_ok "vmon with $vendor loaded"
	not_ok "vmon doctor beside $vendor: $vendor did not load"
else
	ok "load $vendor ($(echo "$mods" | xargs))"
	at_load=$(cat /sys/module/kvm/parameters/enable_virt_at_load 2>/dev/null)
	echo "# kvm.enable_virt_at_load: ${at_load:-no such parameter}"
	mark
	out=$(insmod "$ko" 2>&1)
	rc=$?
	msg=$(since_mark | grep 'vmon: .*in use by another hypervisor')
	echo "# insmod: ${out:-succeeded}"
	[ -z "$msg" ] || echo "# kernel: $msg"
	if [ "$at_load" = Y ]; then
		problem=
		if [ "$rc" = 0 ]; then
			problem="vmon loaded although $vendor holds the extension"
			rmmod vmon
		elif ! echo "$out" | grep -q -i 'busy'; then
			problem="insmod failed, but not with EBUSY"
		elif ! echo "$msg" | grep -q "kvm.enable_virt_at_load=0"; then
			problem="vmon's message does not name kvm.enable_virt_at_load=0"
		elif ! echo "$msg" | grep -q "rmmod $vendor"; then
			problem="vmon's message does not name $vendor"
		fi
		report "vmon refuses to load beside $vendor (enable_virt_at_load=Y) and says why" "$problem"
	else
		problem=
		[ "$rc" = 0 ] || problem="insmod failed: $out"
		report "vmon loads beside an idle $vendor (no enable_virt_at_load: KVM holds the extension only for its VMs)" "$problem"
		[ "$rc" = 0 ] && rmmod vmon
	fi
	doctor
fi
if kvm_unload; then
	ok "unload $vendor"
else
	not_ok "unload $vendor: still in /proc/modules"
fi

# 5: the advice of the message
if [ -z "$at_load" ]; then
	ok "vmon beside kvm enable_virt_at_load=0 # SKIP kvm has no enable_virt_at_load (Linux before 6.12)"
elif ! kvm_load enable_virt_at_load=0; then
	not_ok "load $vendor with kvm enable_virt_at_load=0"
else
	out=$(insmod "$ko" 2>&1)
	report "vmon loads beside $vendor loaded with kvm enable_virt_at_load=0" "$out"
	rmmod vmon 2>/dev/null
fi
kvm_unload >/dev/null 2>&1

# 6: vmon again, for whatever runs after this
out=$(insmod "$ko" 2>&1)
problem=$out
[ -n "$problem" ] || [ -c /dev/vmon ] || problem="no /dev/vmon"
report "vmon loads once KVM is gone" "$problem"
exit $failed
