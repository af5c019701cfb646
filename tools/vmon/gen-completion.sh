#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The bash completion of vmon, made from the tool's own help texts as
# the man pages are (gen-man.sh):
#
#   tools/vmon/gen-completion.sh VMON > vmon.bash
#
# The commands come from the table of "VMON --help", each command's
# options from "VMON CMD --help": every "  --option" line of its options
# paragraph.  An option whose argument is a FILE completes file names; one
# whose synopsis lists its values ("--mode real|prot|long") completes
# those.
set -eu
vmon=${1:?usage: gen-completion.sh VMON}

commands=$("$vmon" --help | awk '
	/^commands:/ { c = 1; next }
	c && /^$/ { exit }
	c { print $1 }')

# "--opt" lines of a help text: "--opt" alone, or "--opt ARG"
options() {	# CMD
	"$vmon" "$1" --help | sed -n 's/^  \(--[a-z0-9-]*\)\( [^ ]*\)\?.*/\1\2/p'
}

cat <<'EOF'
# SPDX-License-Identifier: GPL-2.0-only
# bash completion of vmon; made by tools/vmon/gen-completion.sh from the
# help texts of vmon: do not edit.
_vmon()
{
	local cur prev words cword opts
	_init_completion || return

	if [ "$cword" -eq 1 ]; then
EOF
printf '\t\tCOMPREPLY=($(compgen -W "%s --help --version" -- "$cur"))\n' \
	"$(echo $commands)"
printf '\t\treturn\n\tfi\n\tcase ${words[1]} in\n'
for cmd in $commands; do
	if [ "$cmd" = help ]; then
		printf '\thelp)\n\t\t[ "$cword" -eq 2 ] && COMPREPLY=($(compgen -W "%s" -- "$cur"))\n' \
			"$(echo $commands)"
		printf '\t\treturn\n\t\t;;\n'
		continue
	fi
	opts=$(options "$cmd")
	synopsis=$("$vmon" "$cmd" --help | sed -n '/^usage:/,/^$/p')
	printf '\t%s)\n' "$cmd"
	printf '\t\topts="%s"\n' "$(echo $(printf '%s\n' "$opts" --help | cut -d' ' -f1))"
	# what follows an option that takes an argument
	printf '%s\n' "$opts" | while read -r opt arg; do
		[ -n "$arg" ] || continue
		values=$(printf '%s\n' "$synopsis" |
			 sed -n "s/.*\\[$opt \\([a-z0-9]*\\(|[a-z0-9]*\\)\\+\\)\\].*/\\1/p" | head -1)
		case $arg in
		FILE*)	action='_filedir' ;;
		*)	if [ -n "$values" ]; then
				action="COMPREPLY=(\$(compgen -W \"$(echo "$values" | tr '|' ' ')\" -- \"\$cur\"))"
			else
				action=':'	# a value only the user knows
			fi ;;
		esac
		printf '\t\t[ "$prev" = %s ] && { %s; return; }\n' "$opt" "$action"
	done
	printf '\t\t;;\n'
done
cat <<'EOF'
	*)
		return
		;;
	esac
	COMPREPLY=($(compgen -W "$opts" -- "$cur"))
} &&
complete -F _vmon vmon
EOF
