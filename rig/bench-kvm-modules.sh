#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The modules the benchmarks load inside an emulated machine to run KVM
# (selftests/bench/to_kvm.sh), plus any named on the command line, as
# paths of kernel KVER, one per line:
#
#   rig/bench-kvm-modules.sh KVER [MODULE-PATH...]   (e.g. drivers/net/tun)
set -euo pipefail
kver=${1:?usage: rig/bench-kvm-modules.sh KVER [MODULE-PATH...]}
shift
mods=/lib/modules/$kver/kernel
for m in virt/lib/irqbypass arch/x86/kvm/kvm arch/x86/kvm/kvm-amd arch/x86/kvm/kvm-intel \
	 drivers/crypto/ccp/ccp "$@"; do
	[ -r "$mods/$m.ko" ] || { echo "bench: no $mods/$m.ko (linux-image-$kver)" >&2; exit 2; }
	echo "$mods/$m.ko"
done
