#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot Debian's kernel in an emulator with an initramfs that holds
# vmon.ko and the given files, run one shell script inside, and copy
# the guest's serial console to stdout.
#
#   rig/boot.sh MACHINE SCRIPT [FILE...]
#
# MACHINE: qemu-la57  QEMU TCG, AMD SVM, bzImage (host uses 5-level paging)
#          qemu-4lvl  QEMU TCG, AMD SVM, vmlinux via PVH (4-level paging)
#          bochs      Bochs, Intel VMX with EPT and unrestricted guest; boots the
#                     uncompressed vmlinux via rig/pvhboot (RIG_BOCHS_BOOT=bzimage:
#                     the bzImage, ~70 s slower)
# SCRIPT:  shell script run by /init after "insmod vmon.ko"; FILEs are
#          copied to /bin of the initramfs, and the shared libraries of a
#          dynamically linked one (e2fsprogs) to where ldd finds them.
# Env:     VMON_KO (default kmod/vmon.ko), KVER (default: the release
#          VMON_KO was built for, rig/kver.sh), RIG_KERNEL (a bzImage to
#          boot instead of /boot/vmlinuz-KVER), RIG_DIR (work dir),
#          RIG_TIMEOUT (seconds, default 900), RIG_STALL (seconds without
#          console output before the run is ended: 120, Bochs 300),
#          RIG_APPEND (extra cmdline), RIG_BOCHS_BOOT (pvh or bzimage),
#          RIG_MEM (MiB of the machine, default 512),
#          RIG_BOCHS_CPUS (CPUs of the Bochs machine, default 1),
#          RIG_QEMU_CPUS (CPUs of the QEMU machines, default 3; SCRIPT
#          runs on all but CPU 0, see "QEMU's CPU 0" below),
#          RIG_LOG_MAX (bytes kept of each emulator's own output, Bochs's
#          log included, default 64 MiB; the rest is read and dropped),
#          RIG_VMON_ARGS (module parameters for the first insmod of vmon.ko),
#          RIG_QEMU_ARGS (more QEMU options, split at spaces: "-gdb tcp::1234"
#          for rig/profile-tcg.sh, "-d ..." for QEMU's own logs)
set -euo pipefail

machine=${1:?usage: rig/boot.sh MACHINE SCRIPT [FILE...]}
script=${2:?usage: rig/boot.sh MACHINE SCRIPT [FILE...]}
shift 2

top=$(cd "$(dirname "$0")/.." && pwd)
kver=$("$top/rig/kver.sh")
vmlinuz=${RIG_KERNEL:-/boot/vmlinuz-$kver}
ko=${VMON_KO:-$top/kmod/vmon.ko}
work=${RIG_DIR:-$top/build/rig/$machine}
timeout_s=${RIG_TIMEOUT:-900}

die() { echo "rig: $*" >&2; exit 2; }

# Copy the serial console to stdout while the emulator (PID) runs, and
# end the run early when the console stays silent for STALL seconds: a
# kernel that hangs with interrupts off never reaches the per-test
# timeout inside the guest.  Exit status: 0 when the machine powered
# off, 124 on RIG_TIMEOUT, 125 on a stall, else the emulator's status.
follow_console() {	# PID STALL
	local pid=$1 stall=$2 rc=0 size last=-1 idle=0
	tail -n +1 -f "$work/serial.out" --pid="$pid" | console_filter &
	local tailpid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 5
		size=$(stat -c %s "$work/serial.out" 2>/dev/null || echo 0)
		if [ "$size" != "$last" ]; then
			last=$size idle=0
			continue
		fi
		idle=$((idle + 5))
		if [ "$idle" -ge "$stall" ]; then
			: > "$work/stalled"
			kill -TERM "$pid" 2>/dev/null
			break
		fi
	done
	wait "$pid" || rc=$?
	wait "$tailpid" 2>/dev/null || true
	if [ -e "$work/stalled" ]; then
		echo "rig: $machine stalled: no console output for ${stall} s (RIG_STALL); killed" >&2
		exit 125
	fi
	if [ "$rc" -eq 124 ]; then
		echo "rig: $machine killed after ${timeout_s} s (RIG_TIMEOUT)" >&2
		exit 124
	fi
	# Bochs exits 1 on ACPI power-off even when all went well: the
	# serial output is the verdict
	if [ "$rc" -ne 0 ] && ! grep -q 'RIG: END' "$work/serial.out"; then
		echo "rig: $machine exited with status $rc:" >&2
		tail -n 5 "$work/emulator.out" >&2
		exit "$rc"
	fi
	exit 0
}

# Copy stdin to FILE up to RIG_LOG_MAX bytes and drop the rest, reading
# to the end so that the writer never blocks or gets SIGPIPE: a guest
# can make an emulator log without end (Bochs logs every #UD of a guest
# looping on XSETBV), and the disk must not fill up.
cap_log() {	# FILE
	{ head -c "${RIG_LOG_MAX:-67108864}" > "$1"; cat > /dev/null; }
}

# the Multiboot-to-PVH loader for Bochs (rig/pvhboot/pvhboot.c)
build_pvhboot() {
	local src=$top/rig/pvhboot o=$work/pvhboot
	mkdir -p "$o"
	gcc -m32 -ffreestanding -fno-pic -fno-stack-protector -fno-asynchronous-unwind-tables \
		-mno-sse -mno-mmx -O2 -Wall -Wextra -nostdlib -c "$src/pvhboot.c" -o "$o/pvhboot.o" &&
	gcc -m32 -c "$src/entry.S" -o "$o/entry.o" &&
	ld -m elf_i386 -z noexecstack --no-warn-rwx-segments -T "$src/pvhboot.lds" \
		-o "$1" "$o/entry.o" "$o/pvhboot.o" || die "cannot build rig/pvhboot"
}
# carriage returns and the firmware's terminal escapes make logs hard to read
console_filter() { sed -u 's/\r//g; s/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g'; }
[ -r "$vmlinuz" ] || die "no $vmlinuz: run 'make deps' (linux-image-amd64)"
[ -r "$ko" ] || die "no $ko: run 'make' first"
command -v busybox >/dev/null || [ -x /bin/busybox ] || die "no busybox: run 'make deps'"

rm -rf "$work"
mkdir -p "$work/root"/{bin,dev,proc,sys,tmp,lib/modules}
root=$work/root
cp /bin/busybox "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
cp "$ko" "$root/lib/modules/vmon.ko"
for f in "$@"; do
	# a file named like a busybox applet (mke2fs) replaces the link, not busybox
	rm -f "$root/bin/$(basename "$f")"
	cp -L "$f" "$root/bin/"
	# a dynamic executable brings its libraries and its ELF interpreter
	if ldd "$f" >/dev/null 2>&1; then
		for lib in $(ldd "$f" | sed -n 's|.*=> \(/[^ ]*\).*|\1|p; s|^[[:space:]]*\(/[^ ]*\) (.*|\1|p'); do
			mkdir -p "$root$(dirname "$lib")"
			[ -e "$root$lib" ] || cp -L "$lib" "$root$lib"
		done
	fi
done
cp "$script" "$root/run.sh"
chmod +x "$root/run.sh"

# QEMU's CPU 0: QEMU 7.2 TCG clears the IGNNE bit of CPU 0's hflags2 with
# a plain read-modify-write from whichever emulated CPU restores FPU
# state (cpu_set_fpus() -> cpu_clear_ignne(), on every FRSTOR, FXRSTOR
# and XRSTOR), racing with CPU 0's own writes of the same word at VMRUN
# and #VMEXIT.  A lost write leaves CPU 0 in the guest without nested
# paging, or in the host with it: guests triple-fault, lose interrupts,
# or a second #VMEXIT stores the host's registers into the VMCB
# (Documentation/testing.rst, "Emulator deviations").  Silicon has no
# such race, so the rig steers around it: the QEMU machines get one CPU
# more, and /init runs SCRIPT in a cgroup-v2 cpuset without CPU 0, so no
# VMRUN ever executes there; /rig-cpus names the CPUs.
qemu_cpus=${RIG_QEMU_CPUS:-3}
case $machine in
qemu-*) [ "$qemu_cpus" -ge 2 ] && echo "1-$((qemu_cpus - 1))" > "$root/rig-cpus" ;;
esac

echo "${RIG_VMON_ARGS:-}" > "$root/vmon-args"

cat > "$root/init" <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
# the firmware's last line has no newline
echo
echo "RIG: BEGIN $(uname -r) $(grep -o -w -m1 -e vmx -e svm /proc/cpuinfo)"
# Judge only what the kernel says from here on: Bochs' emulated CPU makes
# the boot itself print an xstate WARNING that has nothing to do with vmon.
dmesg -c >/dev/null
# the CPUs the script may use (rig/boot.sh, "QEMU's CPU 0")
if [ -r /rig-cpus ]; then
	cpus=$(cat /rig-cpus)
	if mkdir -p /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup &&
	   echo +cpuset > /sys/fs/cgroup/cgroup.subtree_control &&
	   mkdir /sys/fs/cgroup/rig && echo "$cpus" > /sys/fs/cgroup/rig/cpuset.cpus; then
		echo "RIG: script on CPUs $cpus"
	else
		echo "RIG: CPUSET FAILED: the script runs on every CPU"
	fi
fi
# shellcheck disable=SC2046
if insmod /lib/modules/vmon.ko $(cat /vmon-args); then
	echo "RIG: MODULE LOADED"
	cd /tmp && sh -c '[ -d /sys/fs/cgroup/rig ] && echo $$ > /sys/fs/cgroup/rig/cgroup.procs
		exec sh /run.sh'
	echo "RIG: SCRIPT EXIT $?"
else
	echo "RIG: MODULE FAILED"
fi
dmesg | grep -i -e vmon -e 'BUG:' -e 'WARNING:' -e 'Oops' -e 'RIP:' -e 'Call Trace' \
	-e 'UBSAN:' -e 'blocked for more than' | sed 's/^/RIG: dmesg: /'
echo "RIG: END"
# let the UART drain: poweroff -f does not wait for the console
sleep 1
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) > "$work/initrd.cpio"

append="console=ttyS0,115200 panic=-1 quiet cryptomgr.notests rodata=off mitigations=off ${RIG_APPEND:-}"

case $machine in
qemu-la57|qemu-4lvl)
	kernel=$vmlinuz
	if [ "$machine" = qemu-4lvl ]; then
		kernel=$work/vmlinux
		"$top/rig/extract-vmlinux.sh" "$vmlinuz" "$kernel"
	fi
	: > "$work/serial.out"
	timeout -k 10 "$timeout_s" qemu-system-x86_64 -cpu max -m "${RIG_MEM:-512}" -smp "$qemu_cpus" \
		-display none -monitor none -serial "file:$work/serial.out" ${RIG_QEMU_ARGS:-} \
		-no-reboot -kernel "$kernel" -initrd "$work/initrd.cpio" -append "$append" \
		</dev/null > >(cap_log "$work/emulator.out") 2>&1 &
	follow_console $! "${RIG_STALL:-120}"
	;;
bochs)
	iso=$work/iso
	mkdir -p "$iso/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$iso/isolinux/"
	cp "$work/initrd.cpio" "$iso/initrd"
	if [ "${RIG_BOCHS_BOOT:-pvh}" = pvh ]; then
		# vmlinux through its PVH entry (rig/pvhboot): no decompression
		"$top/rig/extract-vmlinux.sh" "$vmlinuz" "$iso/vmlinux"
		build_pvhboot "$iso/pvhboot.elf"
		cp /usr/lib/syslinux/modules/bios/mboot.c32 \
		   /usr/lib/syslinux/modules/bios/libcom32.c32 "$iso/isolinux/"
		kernel_line="kernel /isolinux/mboot.c32"
		append_line="append /pvhboot.elf $append --- /vmlinux --- /initrd"
	else
		cp "$vmlinuz" "$iso/vmlinuz"
		kernel_line="kernel /vmlinuz"
		append_line="append initrd=/initrd $append"
	fi
	cat > "$iso/isolinux/isolinux.cfg" <<EOF
default vmon
prompt 0
timeout 0
label vmon
  $kernel_line
  $append_line
EOF
	xorriso -as mkisofs -quiet -o "$work/boot.iso" -b isolinux/isolinux.bin \
		-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table "$iso" 2>/dev/null
	# relative paths: Bochs aborts on some long absolute ones
	cat > "$work/bochsrc" <<EOF
megs: ${RIG_MEM:-512}
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
cpu: model=corei7_skylake_x, count=${RIG_BOCHS_CPUS:-1}, ips=50000000, reset_on_triple_fault=1
ata0-master: type=cdrom, path=boot.iso, status=inserted
boot: cdrom
clock: sync=none
com1: enabled=1, mode=file, dev=serial.out
log: /dev/stdout
# the ALSA sound plugin aborts when the machine has no sound card
sound: driver=dummy
display_library: rfb, options="timeout=0"
EOF
	echo c > "$work/cmds"
	: > "$work/serial.out"
	cd "$work"
	# Bochs logs to its stdout: emulator.out keeps the first RIG_LOG_MAX bytes
	timeout -k 10 "$timeout_s" bochs -q -f bochsrc -rc cmds </dev/null \
		> >(cap_log "$work/emulator.out") 2>&1 &
	follow_console $! "${RIG_STALL:-300}"
	;;
*)
	die "unknown machine '$machine' (qemu-la57, qemu-4lvl, bochs)"
	;;
esac
