#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Extract the uncompressed ELF vmlinux from a bzImage, using the
# payload_offset/payload_length fields of the setup header (Linux boot
# protocol 2.08+, Documentation/x86/boot.rst).  QEMU boots the result
# through its PVH ELF note, which skips the decompressor; the guest
# kernel then runs with 4-level paging.  The payload is xz (Debian's
# 6.1) or zstd (Debian's 6.12), followed by its uncompressed size (the
# kernel's size_append, 4 bytes), which is left out.
#
#   rig/extract-vmlinux.sh BZIMAGE OUT
set -euo pipefail
bz=${1:?usage: extract-vmlinux.sh BZIMAGE OUT}
out=${2:?usage: extract-vmlinux.sh BZIMAGE OUT}

le32() { od -An -tu4 -j "$1" -N4 "$bz" | tr -d ' '; }
setup_sects=$(od -An -tu1 -j 0x1f1 -N1 "$bz" | tr -d ' ')
[ "$setup_sects" -eq 0 ] && setup_sects=4
[ "$(od -An -c -j 0x202 -N4 "$bz" | tr -d ' ')" = HdrS ] ||
	{ echo "extract-vmlinux: $bz is not a bzImage" >&2; exit 1; }
payload_offset=$(le32 0x248)
payload_length=$(le32 0x24c)
start=$(( (setup_sects + 1) * 512 + payload_offset ))
case $(od -An -tx1 -j "$start" -N4 "$bz" | tr -d ' \n') in
fd377a58) unpack="xz -dc" ;;
28b52ffd) unpack="zstd -dcq" ;;
*)
	echo "extract-vmlinux: payload of $bz is neither xz nor zstd" >&2
	exit 1
	;;
esac
dd if="$bz" bs=64K iflag=skip_bytes,count_bytes skip="$start" count=$((payload_length - 4)) \
	status=none | $unpack > "$out.tmp"
[ "$(head -c 4 "$out.tmp" | od -An -c | tr -d ' ')" = 177ELF ] ||
	{ echo "extract-vmlinux: payload of $bz is not a compressed ELF" >&2; exit 1; }
mv "$out.tmp" "$out"
