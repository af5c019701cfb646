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
#          bochs      Bochs, Intel VMX with EPT and unrestricted guest
# SCRIPT:  shell script run by /init after "insmod vmon.ko"; FILEs are
#          copied to /bin of the initramfs.
# Env:     VMON_KO (default kmod/vmon.ko), KVER, RIG_DIR (work dir),
#          RIG_TIMEOUT (seconds, default 900), RIG_APPEND (extra cmdline)
set -euo pipefail

machine=${1:?usage: rig/boot.sh MACHINE SCRIPT [FILE...]}
script=${2:?usage: rig/boot.sh MACHINE SCRIPT [FILE...]}
shift 2

top=$(cd "$(dirname "$0")/.." && pwd)
kver=${KVER:-$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -1)}
vmlinuz=/boot/vmlinuz-$kver
ko=${VMON_KO:-$top/kmod/vmon.ko}
work=${RIG_DIR:-$top/build/rig/$machine}
timeout_s=${RIG_TIMEOUT:-900}

die() { echo "rig: $*" >&2; exit 2; }
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
	cp -L "$f" "$root/bin/"
done
cp "$script" "$root/run.sh"
chmod +x "$root/run.sh"

cat > "$root/init" <<'EOF'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
echo "RIG: BEGIN $(uname -r) $(grep -o -w -m1 -e vmx -e svm /proc/cpuinfo)"
# Judge only what the kernel says from here on: Bochs' emulated CPU makes
# the boot itself print an xstate WARNING that has nothing to do with vmon.
dmesg -c >/dev/null
if insmod /lib/modules/vmon.ko; then
	echo "RIG: MODULE LOADED"
	cd /tmp && sh /run.sh
	echo "RIG: SCRIPT EXIT $?"
else
	echo "RIG: MODULE FAILED"
fi
dmesg | grep -i -e vmon -e 'BUG:' -e 'WARNING:' -e 'Oops' -e 'RIP:' -e 'Call Trace' | sed 's/^/RIG: dmesg: /'
echo "RIG: END"
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
	timeout "$timeout_s" qemu-system-x86_64 -cpu max -m 512 -smp 2 -nographic -no-reboot \
		-kernel "$kernel" -initrd "$work/initrd.cpio" -append "$append" \
		</dev/null 2>&1 | tr -d '\r'
	;;
bochs)
	iso=$work/iso
	mkdir -p "$iso/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$iso/isolinux/"
	cp "$vmlinuz" "$iso/vmlinuz"
	cp "$work/initrd.cpio" "$iso/initrd"
	cat > "$iso/isolinux/isolinux.cfg" <<EOF
default vmon
prompt 0
timeout 0
label vmon
  kernel /vmlinuz
  append initrd=/initrd $append
EOF
	xorriso -as mkisofs -quiet -o "$work/boot.iso" -b isolinux/isolinux.bin \
		-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 -boot-info-table "$iso" 2>/dev/null
	# relative paths: Bochs aborts on some long absolute ones
	cat > "$work/bochsrc" <<EOF
megs: 256
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
cpu: model=corei7_skylake_x, count=1, ips=50000000, reset_on_triple_fault=1
ata0-master: type=cdrom, path=boot.iso, status=inserted
boot: cdrom
clock: sync=none
com1: enabled=1, mode=file, dev=serial.out
log: bochs.log
# the ALSA sound plugin aborts when the machine has no sound card
sound: driver=dummy
display_library: rfb, options="timeout=0"
EOF
	echo c > "$work/cmds"
	: > "$work/serial.out"
	# Bochs exits 1 on ACPI power-off even when all went well: the
	# serial output is the verdict.
	(cd "$work" && timeout "$timeout_s" bochs -q -f bochsrc -rc cmds </dev/null \
		>"$work/bochs.stdout" 2>&1) &
	pid=$!
	tail -n +1 -f "$work/serial.out" --pid=$pid | tr -d '\r'
	wait $pid || true
	;;
*)
	die "unknown machine '$machine' (qemu-la57, qemu-4lvl, bochs)"
	;;
esac
