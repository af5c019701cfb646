#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The life of the Debian packages on this machine, as root, TAP output:
# install vmon-dkms and vmon of version VMON_VERSION~cycle, check that
# DKMS built vmon.ko for every kernel with headers and that the udev
# rule, the group, the man pages and the bash completion are in place;
# upgrade to VMON_VERSION (the packages of "make deb"), check again; purge
# both and check that nothing is left: no file of theirs, no DKMS tree,
# no vmon.ko under /lib/modules/*/updates/dkms.  The group vmon stays, as
# Debian leaves system groups after a purge (debian/vmon-dkms.postinst).
#
#   rig/deb-cycle.sh
#
# It refuses to start when vmon is already installed here (packages, or
# "make dkms-install"), and purges what it installed if it stops early.
#
# Env (all optional):
#   DEB_DIR     the packages of "make deb" (default build/deb; built when
#               missing)
#   CYCLE_DIR   where the first version is built (default build/deb-cycle)
#   KERNELS     the kernels DKMS must build for (default: every
#               /lib/modules/KVER with a build tree)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
export DEBIAN_FRONTEND=noninteractive
version=$(make -s --no-print-directory -f Makefile -f rig/print-var.mk print-VMON_VERSION)
old=$version~cycle
deb_dir=${DEB_DIR:-$top/build/deb}
cycle_dir=${CYCLE_DIR:-$top/build/deb-cycle}
kernels=${KERNELS:-$(ls -d /lib/modules/*/build/Makefile 2>/dev/null |
		     sed 's|^/lib/modules/\([^/]*\)/build/Makefile$|\1|')}
apt="apt-get -y -q -o Dpkg::Use-Pty=0"
n=0 failed=0 t_start=$(date +%s) t_phase=$t_start

ok() {	# DESCRIPTION COMMAND...: one TAP result
	local what=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n $what"
	else
		echo "not ok $n $what"
		failed=$((failed + 1))
	fi
}

phase() {	# NAME: the time the last phase took
	local now
	now=$(date +%s)
	echo "# $1: $((now - t_phase)) s"
	t_phase=$now
}

bail() {
	echo "not ok $((n + 1)) $*"
	echo "1..$((n + 1))"
	exit 1
}

installed() {	# PACKAGE VERSION
	[ "$(dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null)" = \
	  "install ok installed $2" ]
}

gone() {	# PACKAGE: not installed, no configuration left
	! dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q .
}

# the module DKMS installed for KVER (6.12's DKMS compresses it, as the
# kernel's own modules)
ko_of() {	# KVER
	ls "/lib/modules/$1"/updates/dkms/vmon.ko* 2>/dev/null | head -n 1
}

dkms_built() {	# VERSION KVER
	local ko
	ko=$(ko_of "$2")
	dkms status -m vmon -v "$1" -k "$2" 2>/dev/null | grep -q ': installed' &&
		[ -n "$ko" ] && [ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$2" ]
}

no_vmon_in_modules_dep() {
	local k
	for k in $kernels; do
		! grep -q 'vmon\.ko' "/lib/modules/$k/modules.dep" || return 1
	done
}

# every module_param of kmod/ has a description in the built module
params_described() {	# KO
	local p missing=
	for p in $(grep -rhoE 'module_param(_cb|_named|_array)?\([a-z0-9_]+' kmod |
		   sed 's/.*(//' | sort -u); do
		modinfo -F parm "$1" | grep -q "^$p:[^ ]" || missing="$missing $p"
	done
	[ -z "$missing" ] || { echo "# no MODULE_PARM_DESC:$missing"; return 1; }
}

has_pages() {	# every command of "vmon --help" has its page (man -w finds it)
	local c
	man -w vmon >/dev/null || return 1
	for c in $(/usr/bin/vmon --help | awk '/^commands:/ { c = 1; next }
					       c && /^$/ { exit } c { print $1 }'); do
		[ "$c" = help ] || man -w "vmon-$c" >/dev/null || return 1
	done
}

completes() {	# bash-completion loads vmon's completion and it offers "run"
	bash -c '. /usr/share/bash-completion/bash_completion && __load_completion vmon &&
		 COMP_WORDS=(vmon ru) COMP_CWORD=1 COMP_LINE="vmon ru" COMP_POINT=7 &&
		 _vmon vmon ru vmon && [ "${COMPREPLY[*]}" = run ]'
}

check_installed() {	# VERSION
	local v=$1 k
	ok "vmon-dkms $v installed" installed vmon-dkms "$v"
	ok "vmon $v installed" installed vmon "$v"
	for k in $kernels; do
		ok "DKMS built vmon.ko $v for $k" dkms_built "$v" "$k"
		ok "modinfo: vmon.ko for $k is version $v" \
			test "$(modinfo -F version "$(ko_of "$k")" 2>/dev/null)" = "$v"
	done
	ok "only vmon $v in DKMS" \
		test -z "$(dkms status vmon 2>/dev/null | grep -v "^vmon/$v, ")"
	ok "/usr/src/vmon-$v only" test "$(echo /usr/src/vmon-*)" = "/usr/src/vmon-$v"
	for k in $kernels; do
		ok "modinfo describes every module parameter ($k)" \
			params_described "$(ko_of "$k")"
	done
	ok "udev rule gives /dev/vmon to group vmon" \
		grep -q 'KERNEL=="vmon".*GROUP="vmon"' /lib/udev/rules.d/60-vmon.rules
	ok "group vmon exists" getent group vmon
	ok "vmon --version says $v" \
		sh -c "/usr/bin/vmon --version | grep -q '^vmon $v '"
	ok "man pages of vmon and every command" has_pages
	ok "bash completion" completes
}

# ---------------------------------------------------------------- start
[ "$(id -u)" = 0 ] || bail "rig/deb-cycle.sh must run as root"
[ -n "$kernels" ] || bail "no kernel with headers in /lib/modules"
for p in vmon vmon-dkms; do
	gone "$p" || bail "package $p is installed here: 'apt-get purge vmon vmon-dkms' first"
done
[ -z "$(dkms status vmon 2>/dev/null)" ] ||
	bail "vmon is in DKMS already ('make dkms-uninstall' or 'dkms remove vmon/VERSION --all')"

cleanup() {
	if ! gone vmon || ! gone vmon-dkms; then
		echo "# purging what the cycle installed"
		$apt purge vmon vmon-dkms >/dev/null 2>&1
	fi
}
trap cleanup EXIT

new_debs="$deb_dir/vmon-dkms_${version}_all.deb $deb_dir/vmon_${version}_amd64.deb"
old_debs="$cycle_dir/vmon-dkms_${old}_all.deb $cycle_dir/vmon_${old}_amd64.deb"
if ! ls $new_debs >/dev/null 2>&1; then
	make --no-print-directory deb DEB_DIR="$deb_dir" >"$top/build/deb-cycle-build.log" 2>&1 ||
		bail "make deb failed: see build/deb-cycle-build.log"
	phase "make deb"
fi
DEB_BUILD_OPTIONS="noautodbgsym ${DEB_BUILD_OPTIONS:-}" \
	make --no-print-directory deb VMON_VERSION="$old" DEB_DIR="$cycle_dir" \
	>"$top/build/deb-cycle-build.log" 2>&1 ||
	bail "make deb VMON_VERSION=$old failed: see build/deb-cycle-build.log"
phase "make deb VMON_VERSION=$old"

# -------------------------------------------------------------- install
# shellcheck disable=SC2086
ok "apt-get install vmon-dkms vmon $old" $apt install $old_debs
phase "install $old (DKMS builds for: $(echo $kernels))"
check_installed "$old"
files=$(dpkg -L vmon vmon-dkms | sort -u)

# -------------------------------------------------------------- upgrade
# shellcheck disable=SC2086
ok "apt-get install (upgrade to) vmon-dkms vmon $version" $apt install $new_debs
phase "upgrade to $version"
check_installed "$version"
ok "no /usr/src/vmon-$old after the upgrade" test ! -e "/usr/src/vmon-$old"
files=$(printf '%s\n' "$files" "$(dpkg -L vmon vmon-dkms)" | sort -u)

# ---------------------------------------------------------------- purge
ok "apt-get purge vmon vmon-dkms" $apt purge vmon vmon-dkms
phase "purge"
ok "vmon-dkms gone, with its configuration" gone vmon-dkms
ok "vmon gone, with its configuration" gone vmon
left=$(printf '%s\n' "$files" | while read -r f; do
	[ -e "$f" ] && [ ! -d "$f" ] && echo "$f"; done)
ok "no file of the packages is left" test -z "$left"
[ -z "$left" ] || printf '# left: %s\n' $left
ok "DKMS knows no vmon" test -z "$(dkms status vmon 2>/dev/null)"
ok "no DKMS tree /var/lib/dkms/vmon" test ! -e /var/lib/dkms/vmon
ok "no /usr/src/vmon-*" test -z "$(ls -d /usr/src/vmon-* 2>/dev/null)"
ok "no vmon.ko under /lib/modules/*/updates/dkms" \
	test -z "$(ls /lib/modules/*/updates/dkms/vmon.ko* 2>/dev/null)"
ok "modules.dep of every kernel forgot vmon" no_vmon_in_modules_dep
ok "group vmon kept (Debian keeps system groups after a purge)" getent group vmon
rm -rf "$cycle_dir"

echo "# total: $(($(date +%s) - t_start)) s"
echo "1..$n"
[ "$failed" -eq 0 ]
