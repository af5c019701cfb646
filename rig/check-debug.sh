#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# "make check-debug": every selftest and end-to-end check of "make
# check" under a kernel that looks for what a stock kernel lets pass:
# KASAN (out-of-bounds and use-after-free), KFENCE, kmemleak, lockdep
# (PROVE_LOCKING), sleeping in atomic context, list corruption, UBSAN and
# the hung-task and stall detectors.  Any report fails the run, and so
# does a kmemleak record whose allocation went through vmon.
#
# The kernel is built once by rig/debug-kernel.sh and cached outside the
# tree; vmon.ko is built against it in build/debug/ (a copy of the
# module's sources, so the tree's own objects for the stock kernel stay).
#
# Env: MACHINES (default qemu-la57: SVM, bzImage, 5-level host paging),
#      CHECK_DIR (default build/check-debug), and those of rig/check.sh.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

t0=$(date +%s)
kdir=$(rig/debug-kernel.sh) || { echo "check-debug: no debug kernel"; echo "0 passed, 1 failed"; exit 1; }
built=$(date +%s)
krel=$(cat "$kdir/include/config/kernel.release")

src=$top/build/debug/src
mkdir -p "$top/build/debug"
if ! ko=$(rig/build-kmod.sh "$kdir" "$src" 2>"$top/build/debug/module.log"); then
	cat "$top/build/debug/module.log"
	echo "check-debug: vmon.ko does not build against $krel"
	echo "0 passed, 1 failed"
	exit 1
fi
cat "$top/build/debug/module.log"

echo "check-debug: kernel $krel ($kdir), ready after $((built - t0)) s"
# a debug kernel under TCG runs several times slower than the stock one;
# KASAN's shadow (1/8 of memory) and kmemleak leave too little of 512 MiB
# for the 192 MiB Linux guest of boot_e2e.sh; the short storms' CPU
# hotplug cycles take seconds each there; and Linux on 4 vCPUs, two to
# each CPU the tests have, stalls for minutes (soft lockups in the guest)
# where 2 vCPUs, one per CPU, take the same paths.  virtio_e2e.sh needs
# a tap, and Debian's tun.ko does not load into the debug kernel (which
# has no TUN of its own): ioeventfd_test and irqfd_test prove the kernel
# paths of its devices there.
HOST_TESTS=${HOST_TESTS:-0} MACHINES=${MACHINES-qemu-la57} CHECK_DIR=${CHECK_DIR:-$top/build/check-debug} \
QEMU_TIMEOUT=${QEMU_TIMEOUT:-2400} TEST_TIMEOUT=${TEST_TIMEOUT:-400} \
BOOT_TEST_TIMEOUT=${BOOT_TEST_TIMEOUT:-900} RIG_STALL=${RIG_STALL:-300} \
STORM_TIMEOUT=${STORM_TIMEOUT:-600} SMP_CPUS=${SMP_CPUS:-2} VIRTIO_E2E=${VIRTIO_E2E:-0} \
RIG_KERNEL=$kdir/arch/x86/boot/bzImage VMON_KO=$ko KMEMLEAK=1 \
VMON_FUZZ_OPS=${VMON_FUZZ_OPS:-20000} RIG_MEM=${RIG_MEM:-1024} \
	exec rig/check.sh
