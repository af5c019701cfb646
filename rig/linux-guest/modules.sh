#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Copy the modules a Debian kernel needs for NAMEs, with everything they
# depend on, into DIR, and write DIR/load.list: one file name a line, in
# an order in which plain insmod can load them (dependencies first).
# The dependencies come from /lib/modules/KVER/modules.dep and the
# "pre:" soft dependencies of modules.softdep (ext4 and jbd2 want
# crypto-crc32c, found through modules.alias); a NAME built into the
# kernel (modules.builtin) needs nothing and is listed in DIR/builtin.
# Compressed modules (.ko.xz, .ko.zst, .ko.gz) are stored uncompressed:
# busybox's insmod does not decompress.
#
#   rig/linux-guest/modules.sh KVER DIR NAME...
set -eu
kver=${1:?usage: modules.sh KVER DIR NAME...}
dir=${2:?usage: modules.sh KVER DIR NAME...}
shift 2
mods=${MODULES_ROOT:-}/lib/modules/$kver

die() { echo "modules.sh: $*" >&2; exit 1; }
[ -r "$mods/modules.dep" ] || die "no $mods/modules.dep: is linux-image-$kver installed?"
mkdir -p "$dir"
: >"$dir/load.list"
: >"$dir/builtin"

# module names compare with '-' and '_' alike
norm() { echo "$1" | tr - _; }

# the modules.dep path of module NAME, or nothing
dep_path() {
	awk -F: -v n="$(norm "$1")" '{
		b = $1; sub(/.*\//, "", b); sub(/\.ko(\.(xz|zst|gz))?$/, "", b)
		gsub(/-/, "_", b)
		if (b == n) { print $1; exit }
	}' "$mods/modules.dep"
}

# the modules an alias (crypto-crc32c) stands for
alias_names() {
	awk -v a="$1" '$1 == "alias" && $2 == a { print $3 }' "$mods/modules.alias"
}

is_builtin() {
	grep -q -E "/$(norm "$1" | sed 's/_/[-_]/g')\\.ko\$" "$mods/modules.builtin"
}

# add NAME (a module or an alias) and what it needs, dependencies first
add() {
	local name p d s base
	name=$1
	p=$(dep_path "$name")
	if [ -z "$p" ]; then
		if is_builtin "$name"; then
			grep -q -x "$(norm "$name")" "$dir/builtin" || norm "$name" >>"$dir/builtin"
			return 0
		fi
		s=$(alias_names "$name")
		[ -n "$s" ] || die "$name: not a module, an alias or built into $kver"
		for d in $s; do
			add "$d"
		done
		return 0
	fi
	base=$(basename "$p" | sed 's/\.\(xz\|zst\|gz\)$//')
	grep -q -x "$base" "$dir/load.list" && return 0
	# soft dependencies first: they are what the module asks for at run time
	for s in $(awk -v n="$(norm "$name")" '$1 == "softdep" && $2 == n {
			pre = 0
			for (i = 3; i <= NF; i++) {
				if ($i == "pre:") { pre = 1; continue }
				if ($i == "post:") { pre = 0; continue }
				if (pre) print $i
			}
		}' "$mods/modules.softdep"); do
		add "$s"
	done
	# modules.dep lists the direct and indirect dependencies; load them
	# from the last (deepest) up
	for d in $(sed -n "s|^$p: *||p" "$mods/modules.dep" | tr ' ' '\n' | sed '/^$/d' | tac); do
		add "$(basename "$d" | sed 's/\.ko.*//')"
	done
	case $p in
	*.xz) xz -dc "$mods/$p" >"$dir/$base" ;;
	*.zst) zstd -qdc "$mods/$p" >"$dir/$base" ;;
	*.gz) gzip -dc "$mods/$p" >"$dir/$base" ;;
	*) cp "$mods/$p" "$dir/$base" ;;
	esac
	echo "$base" >>"$dir/load.list"
}

for n in "$@"; do
	add "$n"
done
