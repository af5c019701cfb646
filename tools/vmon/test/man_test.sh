#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The man pages and the bash completion against the help texts they are
# made from (gen-man.sh, gen-completion.sh), TAP:
#
#   test/man_test.sh VMON MANDIR COMPLETION
#
# For every command of "VMON --help" (but "help", described in vmon.1):
# its page exists, renders without groff warnings, is listed in vmon.1,
# names each option of "VMON CMD --help"; the completion offers the
# command and each of its options.  A command without a page, an option
# the page or the completion lacks, fails.
set -u
vmon=${1:?usage: man_test.sh VMON MANDIR COMPLETION}
mandir=${2:?}
completion=${3:?}
n=0 failed=0

check() {	# DESCRIPTION COMMAND...
	local what=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n $what"
	else
		echo "not ok $n $what"
		failed=1
	fi
}

commands=$("$vmon" --help | awk '
	/^commands:/ { c = 1; next }
	c && /^$/ { exit }
	c { print $1 }')
options() {	# CMD
	"$vmon" "$1" --help | sed -n 's/^  \(--[a-z0-9-]*\).*/\1/p'
}

# "vmon WORD..." completed by the generated function, one word a line
complete_words() {
	bash -c '
		. /usr/share/bash-completion/bash_completion || exit 1
		. "$0" || exit 1
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_vmon vmon "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
		printf "%s\n" "${COMPREPLY[@]}"' "$completion" vmon "$@"
}

renders() {	# PAGE: groff says nothing with all warnings on
	[ -z "$(groff -man -ww -z -Tutf8 "$1" 2>&1)" ]
}

names() {	# PAGE WORD: the rendered page has WORD
	MANWIDTH=200 man -l "$1" 2>/dev/null | col -b | grep -q -e "$2"
}

# the plan comes last: it depends on the commands and options found
check "vmon.1 renders" renders "$mandir/vmon.1"
check "completion is valid bash" bash -n "$completion"
check "completion offers every command" \
	test "$(complete_words "" | sort | xargs)" = \
	     "$(printf '%s\n' $commands --help --version | sort | xargs)"
for cmd in $commands; do
	[ "$cmd" != help ] || continue
	page=$mandir/vmon-$cmd.1
	check "vmon-$cmd.1 exists" test -s "$page"
	check "vmon-$cmd.1 renders" renders "$page"
	check "vmon.1 lists vmon-$cmd(1)" names "$mandir/vmon.1" "vmon-$cmd(1)"
	for opt in $(options "$cmd"); do
		check "vmon-$cmd.1 describes $opt" names "$page" "^ *$opt\\b"
		check "completion of 'vmon $cmd' offers $opt" \
			grep -qx -e "$opt" < <(complete_words "$cmd" "--")
	done
done
echo "1..$n"
exit $failed
