#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build, once, the debug kernel "make check-debug" boots: Debian's
# linux-source-6.1 with x86_64_defconfig, the options the rig and KVM
# need, and the kernel's memory, locking and undefined-behaviour
# checkers.  The result is cached outside the tree and reused while its
# configuration and source are unchanged.
#
#   rig/debug-kernel.sh            build if needed; print the build dir
#
# Env: VMON_DEBUG_KERNEL_DIR  cache (default /var/cache/vmon/debug-kernel)
#      JOBS                   make -j (default: the number of CPUs)
# The build dir holds arch/x86/boot/bzImage and is a KDIR for vmon.ko.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${VMON_DEBUG_KERNEL_DIR:-/var/cache/vmon/debug-kernel}
tarball=/usr/src/linux-source-6.1.tar.xz
jobs=${JOBS:-$(nproc)}
src=$cache/linux-source-6.1

die() { echo "debug-kernel: $*" >&2; exit 2; }
[ -r "$tarball" ] || die "no $tarball: run 'make deps' (linux-source-6.1)"
for tool in flex bison bc; do
	command -v "$tool" >/dev/null || die "no $tool: run 'make deps'"
done

# What is switched on, and why.  "y" options, one per line; scripts/config
# and olddefconfig then resolve dependencies.
options=(
	# the rig: serial console, initramfs, devtmpfs, modules that unload
	SERIAL_8250 SERIAL_8250_CONSOLE BLK_DEV_INITRD DEVTMPFS DEVTMPFS_MOUNT
	MODULES MODULE_UNLOAD MODULE_FORCE_UNLOAD PROC_FS SYSFS TMPFS
	# what vmon uses: SVM/VMX detection, generic netlink, hotplug of CPUs
	HOTPLUG_CPU NET NETLINK_DIAG SMP X86_5LEVEL HIGH_RES_TIMERS
	KVM_GUEST PARAVIRT PVH
	# preemption everywhere, so that sleeping in atomic context shows
	PREEMPT
	# the checkers
	KASAN KASAN_GENERIC KASAN_INLINE
	DEBUG_KMEMLEAK
	PROVE_LOCKING DEBUG_LOCKDEP DEBUG_ATOMIC_SLEEP DEBUG_LIST DEBUG_OBJECTS
	DEBUG_OBJECTS_FREE DEBUG_OBJECTS_TIMERS DEBUG_OBJECTS_WORK DEBUG_OBJECTS_RCU_HEAD
	UBSAN UBSAN_BOUNDS UBSAN_SHIFT UBSAN_BOOL UBSAN_ENUM
	KFENCE
	DEBUG_FS DEBUG_KERNEL DEBUG_VM DEBUG_PREEMPT LOCKUP_DETECTOR SOFTLOCKUP_DETECTOR
	HARDLOCKUP_DETECTOR DETECT_HUNG_TASK RCU_CPU_STALL_TIMEOUT_DEFAULT
	KALLSYMS KALLSYMS_ALL
)
modules=(KVM KVM_AMD KVM_INTEL)	# the yardstick, as modules like Debian's
off=(
	# speed: no debug info, no signing, no BTF, no self-tests at boot
	DEBUG_INFO DEBUG_INFO_DWARF5 DEBUG_INFO_BTF MODULE_SIG RANDOMIZE_BASE
	DEBUG_KMEMLEAK_DEFAULT_OFF KASAN_VMALLOC
)
stamp_text=$(printf '%s\n' "${options[@]}" -- "${modules[@]}" -- "${off[@]}" \
	     "$(stat -c %s:%Y "$tarball")")
stamp=$(printf '%s' "$stamp_text" | sha256sum | cut -c1-16)

if [ -r "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$stamp" ] &&
   [ -r "$src/arch/x86/boot/bzImage" ] && [ -r "$src/Module.symvers" ]; then
	echo "$src"
	exit 0
fi

mkdir -p "$cache"
rm -f "$cache/stamp"
if [ ! -d "$src" ]; then
	echo "debug-kernel: extracting $tarball into $cache" >&2
	tar -xJf "$tarball" -C "$cache"
fi
cd "$src"
echo "debug-kernel: configuring (x86_64_defconfig + rig, KVM and checkers)" >&2
make -s x86_64_defconfig >&2
args=()
for o in "${options[@]}"; do args+=(--enable "$o"); done
for o in "${modules[@]}"; do args+=(--module "$o"); done
for o in "${off[@]}"; do args+=(--disable "$o"); done
scripts/config "${args[@]}" --set-val RCU_CPU_STALL_TIMEOUT 30 \
	--set-str LOCALVERSION -vmon-debug
make -s olddefconfig >&2
missing=
for o in KASAN DEBUG_KMEMLEAK PROVE_LOCKING DEBUG_ATOMIC_SLEEP DEBUG_LIST UBSAN KFENCE KVM_AMD; do
	grep -q "^CONFIG_$o=[ym]" .config || missing="$missing $o"
done
[ -z "$missing" ] || die "the configuration lost:$missing"

echo "debug-kernel: building with -j$jobs (about 30 minutes on 2 cores)" >&2
start=$(date +%s)
make -j"$jobs" bzImage modules >"$cache/build.log" 2>&1 ||
	die "the build failed: see $cache/build.log"
echo "debug-kernel: built in $(($(date +%s) - start)) s: $src/arch/x86/boot/bzImage" >&2
echo "$stamp" > "$cache/stamp"
echo "$src"
