#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The man pages of vmon, made from the tool's own help texts:
#
#   tools/vmon/gen-man.sh VMON OUTDIR
#
# writes OUTDIR/vmon.1 from "VMON --help" and OUTDIR/vmon-CMD.1 from
# "VMON CMD --help" for every command "VMON --help" lists (but "help",
# which vmon.1 describes).  The help texts in the C sources are the only
# source, so a page cannot say something --help does not.  help2man
# expects one GNU-style program; vmon's help has a command table, a
# synopsis of several lines and options whose text starts on the next
# line, so it is converted here.
#
# The help layout this relies on (test/man_test.sh checks the result):
#   "usage: vmon ..." and its indented continuation lines  -> SYNOPSIS
#   paragraphs separated by blank lines                    -> DESCRIPTION
#   a paragraph whose lines start with "  -"               -> OPTIONS, one
#       item per "  -" line: the option, two spaces, its text
#   a paragraph starting "Exit status"                     -> EXIT STATUS
#   in "vmon --help", "  NAME ARGS  summary" lines after "commands:"
set -eu
vmon=${1:?usage: gen-man.sh VMON OUTDIR}
out=${2:?usage: gen-man.sh VMON OUTDIR}
version=$("$vmon" --version | sed -n '1s/^vmon \([^ ]*\).*/\1/p')
[ -n "$version" ] || { echo "gen-man.sh: no version from '$vmon --version'" >&2; exit 1; }
mkdir -p "$out"

# the help text on stdin -> roff on stdout
to_roff() {	# PAGE SUMMARY
	awk -v page="$1" -v summary="$2" -v version="$version" '
	function esc(s) {
		gsub(/\\/, "\\e", s)
		gsub(/-/, "\\-", s)
		return s
	}
	# a text line for roff: no control character at its start
	function line(s) {
		s = esc(s)
		if (s ~ /^[.\047]/)
			s = "\\&" s
		return s
	}
	function flush_item() {
		if (tag != "") {
			opts = opts ".TP\n.B " line(tag) "\n" body
			tag = ""; body = ""
		}
	}
	function end_para() {
		flush_item()
		if (np == 0)
			return
		if (para[1] ~ /^Exit status/)
			sect = "exit"
		else if (para[1] ~ /^  -/)
			sect = "opts"
		else if (para[1] ~ /^commands:/)
			sect = "cmds"
		else
			sect = "desc"
		for (i = 1; i <= np; i++) {
			l = para[i]
			if (sect == "exit") {
				exitst = exitst line(l) "\n"
			} else if (sect == "desc") {
				desc = desc (i == 1 ? ".PP\n" : "") line(l) "\n"
			} else if (sect == "opts" && l ~ /^  -/) {
				flush_item()
				sub(/^  /, "", l)
				n = match(l, /  +/)
				if (n) {
					tag = substr(l, 1, n - 1)
					body = line(substr(l, n + RLENGTH)) "\n"
				} else {
					tag = l
				}
			} else if (sect == "opts") {
				sub(/^ +/, "", l)
				# "real: ..." lists inside an option keep their lines
				body = body (l ~ /^[a-z]+: / ? ".br\n" : "") line(l) "\n"
			} else if (sect == "cmds" && i > 1) {
				sub(/^  /, "", l)
				n = match(l, /  +/)
				split(substr(l, 1, n - 1), w, " ")
				cmds = cmds ".TP\n.B \"vmon " esc(substr(l, 1, n - 1)) "\"\n" \
				       line(substr(l, n + RLENGTH)) "\n"
				if (w[1] != "help")
					see = see ",\n.BR vmon\\-" w[1] " (1)"
			}
		}
		flush_item()
		np = 0
	}
	/^usage: / {
		syn = syn line(substr($0, 8)) "\n"
		insyn = 1
		next
	}
	insyn && /^ / {
		sub(/^       /, "")
		syn = syn line($0) "\n"
		next
	}
	{ insyn = 0 }
	/^$/ { end_para(); next }
	{ para[++np] = $0 }
	END {
		end_para()
		up = toupper(page)
		gsub(/-/, "\\-", up)
		print ".\\\" SPDX-License-Identifier: GPL-2.0-only"
		print ".\\\" Made by tools/vmon/gen-man.sh from the help text of vmon; do not edit."
		print ".TH " up " 1 \"\" \"vmon " version "\" \"vmon manual\""
		print ".SH NAME"
		print esc(page) " \\- " esc(summary)
		print ".SH SYNOPSIS"
		printf ".nf\n%s.fi\n", syn
		if (desc != "")
			printf ".SH DESCRIPTION\n%s", desc
		if (cmds != "")
			printf ".SH COMMANDS\n%s", cmds
		if (opts != "")
			printf ".SH OPTIONS\n%s", opts
		if (exitst != "")
			printf ".SH \"EXIT STATUS\"\n%s", exitst
		print ".SH \"SEE ALSO\""
		if (page == "vmon")
			print substr(see, 3)
		else
			print ".BR vmon (1)"
	}'
}

help=$("$vmon" --help)
printf '%s\n' "$help" | to_roff vmon "run guests on the vmon hypervisor module" >"$out/vmon.1.tmp"
mv "$out/vmon.1.tmp" "$out/vmon.1"
# "  NAME ARGS  summary" lines of the command table
printf '%s\n' "$help" | awk '
	/^commands:/ { c = 1; next }
	c && /^$/ { exit }
	c {
		sub(/^  /, "")
		n = match($0, /  +/)
		split(substr($0, 1, n - 1), w, " ")
		print w[1], substr($0, n + RLENGTH)
	}' |
while read -r cmd summary; do
	[ "$cmd" != help ] || continue
	"$vmon" "$cmd" --help | to_roff "vmon-$cmd" "$summary" >"$out/vmon-$cmd.1.tmp"
	mv "$out/vmon-$cmd.1.tmp" "$out/vmon-$cmd.1"
done
