#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Kernel functions are vmon_*, libvmon's are libvmon_*
# (Documentation/design.rst, "Names").  This renames the library's
# functions that still carry the kernel's prefix, in every caller under
# tools/ and selftests/, and where Documentation/ names them as
# libvmon's.  kmod/ is never touched.  Idempotent: run it again after
# merging a branch that added callers of the old names.
#
#   scripts/rename-libvmon.sh        rename in the working tree
#
# Not rewritten: the sources compiled into vmon.ko as well
# (tools/lib/{decode,gva}.[ch], shared_env.h), which spell the kernel's
# names and compile to the library's through shared_env.h.
set -eu
cd "$(dirname "$0")/.."

NAMES="
vmon_alloc_guest_memory vmon_backend_name vmon_code_size vmon_cpu_create
vmon_cpu_destroy vmon_cpu_run vmon_decode_mov vmon_emulate_mmio
vmon_emulate_mmio_sregs vmon_emulate_string_io vmon_emulate_string_io_sregs
vmon_exit_reason_name vmon_free_guest_memory vmon_get_api_version
vmon_get_caps vmon_get_msr vmon_get_regs vmon_get_sregs vmon_gpa_to_hva
vmon_gva_to_gpa vmon_hw_exit_name vmon_insn_load_value vmon_ip_mask
vmon_open_system vmon_parse_guest_mode vmon_read_gpr vmon_set_cpuid
vmon_set_msr vmon_set_regs vmon_set_sregs vmon_setup_mode
vmon_setup_selectors vmon_vm_create vmon_vm_destroy vmon_vm_ioeventfd
vmon_vm_irqfd vmon_vm_set_memory vmon_walk_gva vmon_write_gpr
"
SHARED="tools/lib/decode.c
tools/lib/decode.h
tools/lib/gva.c
tools/lib/gva.h
tools/lib/shared_env.h"

code=
docs=
for n in $NAMES; do
	code="$code -e s/\\b$n\\b/lib$n/g"
	# ``name()`` on a line that does not point into kmod/ (the kernel
	# has functions of the same old names, e.g. vmon_emulate_mmio())
	docs="$docs -e /kmod\\//!s/\`\`$n()\`\`/\`\`lib$n()\`\`/g"
done

# tracked text files that may call the library
git ls-files -- tools selftests |
	grep -E '(\.[chS]|\.sh|\.mk|\.md|Makefile)$' |
	grep -vxF "$SHARED" |
	while read -r f; do
		[ -f "$f" ] && grep -qE '\bvmon_' "$f" && printf '%s\n' "$f"
	done | xargs -r sed -i $code

git ls-files -- Documentation README.md rig/gen-tables.sh |
	grep -E '(\.rst|\.md|\.sh)$' | xargs -r sed -i $docs
