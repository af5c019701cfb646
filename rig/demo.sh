#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# "make demo": boot Debian's Linux kernel on DEMO_CPUS vCPUs under vmon
# with its root filesystem on a vmon disk: the initramfs
# (rig/linux-guest/mkinitramfs.sh --disk) loads Debian's own virtio and
# ext4 modules and switches to /dev/vda, an ext4 image built here
# (mkrootfs.sh), whose /sbin/init shows uname, the PCI devices, the
# virtio RNG, a file written and synced to the disk, every CPU at work
# (nproc, local timer interrupts, one worker per CPU, CPU 1 offline and
# back), then powers off.
# DEMO=initramfs boots the same kernel with a busybox initramfs only;
# DEMO=hello runs the bundled flat sample guest instead.
#
# Where this CPU has VT-x or AMD-V and vmon.ko can be loaded, the guest
# runs here.  Otherwise (no hardware virtualization, not root, or a
# kernel the module was not built for) the same module, tool and guest
# go into an emulated machine with AMD SVM (QEMU TCG) and run there.
#
# Env: DEMO (linux, the default, initramfs or hello), DEMO_ARGS (vmon's arguments;
#      default: boot the Linux guest, or "run --flat SAMPLE"),
#      DEMO_SAMPLE (default tools/vmon/samples/hello.bin), DEMO_MACHINE
#      (default qemu-4lvl), DEMO_CPUS (vCPUs of the Linux guest, default 2),
#      DEMO_EMULATE=1 to skip the host attempt,
#      DEMO_TIMEOUT (seconds in the emulator, default 300), KVER.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

demo=${DEMO:-linux}
vmon=tools/vmon/vmon
ko=kmod/vmon.ko
machine=${DEMO_MACHINE:-qemu-4lvl}
work=$top/build/demo
kver=$(rig/kver.sh)
vmlinuz=/boot/vmlinuz-$kver
cpus=${DEMO_CPUS:-2}
append="console=ttyS0 panic=-1 quiet cryptomgr.notests rodata=off mitigations=off"
[ "$cpus" -gt 1 ] && append="$append vmon_guest.smp"
mkdir -p "$work"

# the files that build the root image where the guest runs
root_tools=(rig/linux-guest/mkrootfs.sh rig/linux-guest/root-init rig/linux-guest/smp-checks)
case $demo in
linux)
	guest_files=("$vmlinuz" "$work/guest.cpio")
	[ -r "$vmlinuz" ] || { echo "demo: $vmlinuz is missing: run 'make deps'" >&2; exit 1; }
	KVER=$kver rig/linux-guest/mkinitramfs.sh --disk "$work/guest.cpio" || exit 1
	append="$append vmon_test=demo"
	;;
initramfs)
	guest_files=("$vmlinuz" "$work/guest.cpio")
	[ -r "$vmlinuz" ] || { echo "demo: $vmlinuz is missing: run 'make deps'" >&2; exit 1; }
	rig/linux-guest/mkinitramfs.sh "$work/guest.cpio" || exit 1
	;;
hello)
	sample=${DEMO_SAMPLE:-tools/vmon/samples/hello.bin}
	guest_files=("$sample")
	;;
*)
	echo "demo: DEMO=$demo: unknown demo (use linux, initramfs or hello)" >&2
	exit 1
	;;
esac
for f in "$vmon" "$ko" "${guest_files[@]}"; do
	[ -r "$f" ] || { echo "demo: $f is missing: run 'make' first" >&2; exit 1; }
done

# vmon's arguments, given the directory that holds the guest's files
# and the one where its root image is
demo_args() {	# DIR KERNEL IMAGE_DIR
	if [ -n "${DEMO_ARGS:-}" ]; then
		echo "$DEMO_ARGS"
	elif [ "$demo" = linux ]; then
		echo "run --kernel $1/$2 --initrd $1/guest.cpio --mem 192M --cpus $cpus --disk $3/root.img --append '$append'"
	elif [ "$demo" = initramfs ]; then
		echo "run --kernel $1/$2 --initrd $1/guest.cpio --mem 192M --cpus $cpus --append '$append'"
	else
		echo "run --flat $1/$(basename "$sample")"
	fi
}

# ------------------------------------------------------ on this machine
try_host() {
	local loaded_here=0 rc args
	grep -q -w -e vmx -e svm /proc/cpuinfo || {
		echo "demo: this CPU offers neither VT-x (vmx) nor AMD-V (svm)"
		return 1
	}
	if [ ! -d /sys/module/vmon ]; then
		[ "$(id -u)" = 0 ] || { echo "demo: loading vmon.ko needs root"; return 1; }
		if ! insmod "$ko" 2>/tmp/vmon-demo-insmod.$$; then
			echo "demo: insmod $ko failed: $(cat /tmp/vmon-demo-insmod.$$)"
			dmesg 2>/dev/null | grep vmon | tail -n 3 | sed 's/^/demo:   /'
			rm -f /tmp/vmon-demo-insmod.$$
			return 1
		fi
		rm -f /tmp/vmon-demo-insmod.$$
		loaded_here=1
	fi
	if [ "$demo" = linux ]; then
		cp "$vmlinuz" "$work/"
		rig/linux-guest/mkrootfs.sh "$work/root.img" || { [ $loaded_here = 1 ] && rmmod vmon; return 1; }
	elif [ "$demo" = initramfs ]; then
		cp "$vmlinuz" "$work/"
	elif [ -z "${DEMO_ARGS:-}" ]; then
		cp "$sample" "$work/"
	fi
	args=$(demo_args "$work" "$(basename "$vmlinuz")" "$work")
	echo "demo: running on this CPU: $vmon $args"
	eval "\"$vmon\" $args"
	rc=$?
	echo "demo: vmon exited with status $rc"
	# leave the machine as we found it
	[ $loaded_here = 1 ] && rmmod vmon
	exit $rc
}

if [ "${DEMO_EMULATE:-0}" != 1 ]; then
	try_host
fi

# ------------------------------------------------- in an emulated machine
kernel_name=$(basename "$vmlinuz")
mkroot=
if [ "$demo" != hello ]; then
	# the ELF vmlinux: no decompression inside the emulator
	rig/extract-vmlinux.sh "$vmlinuz" "$work/vmlinux" || exit 1
	guest_files=("$work/vmlinux" "$work/guest.cpio")
	kernel_name=vmlinux
fi
if [ "$demo" = linux ]; then
	# the root image is built in the emulated machine: e2fsprogs' mke2fs
	# goes in with its libraries (rig/boot.sh), the image stays sparse
	mke2fs=$(command -v /usr/sbin/mke2fs /sbin/mke2fs | head -n 1)
	[ -n "$mke2fs" ] || { echo "demo: no mke2fs: run 'make deps' (e2fsprogs)" >&2; exit 1; }
	guest_files+=("${root_tools[@]}" "$mke2fs")
	mkroot="/bin/mkrootfs.sh /tmp/root.img || exit 1"
fi
args=$(demo_args /bin "$kernel_name" /tmp)
cat >"$work/demo.sh" <<EOF
$mkroot
echo "demo: ===== output of 'vmon $args' ====="
eval "/bin/vmon $args"
echo "demo: ===== vmon exited with status \$? ====="
EOF
echo "demo: no usable VT-x/AMD-V here, so the guest runs inside an emulator:"
echo "demo: $machine (QEMU TCG, emulated AMD SVM); full console log: $work/console.log"
RIG_DIR=$work/rig RIG_TIMEOUT=${DEMO_TIMEOUT:-300} \
	rig/boot.sh "$machine" "$work/demo.sh" "$vmon" "${guest_files[@]}" \
	>"$work/console.log" 2>&1
rc=$?
# the guest's lines between the markers, and any kernel trouble
sed -n '/^demo: =====/,/^demo: ===== vmon exited/p; /^RIG: MODULE FAILED/p; /^RIG: dmesg: /p' \
	"$work/console.log" | tr -d '\000' |
	awk '!/^RIG: dmesg: / || /vmon: using|BUG:|WARNING:|Oops|Call Trace/'
status=$(sed -n 's/^demo: ===== vmon exited with status \([0-9]*\) =====$/\1/p' "$work/console.log")
if [ -z "$status" ]; then
	echo "demo: the emulated machine did not finish the demo (status $rc): see $work/console.log"
	exit 1
fi
echo "demo: this ran inside an emulator because this machine has no usable VT-x/AMD-V"
exit "$status"
