#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end checks of vmon's PCI and virtio devices on a machine with
# the module loaded (the emulator rig): Debian's Linux, with only its
# stock modules (rig/linux-guest/mkinitramfs.sh --disk), boots with its
# root filesystem on a vmon disk and a network over a tap.  Two boots:
#   1. root on /dev/vda (an ext4 image built here: mkrootfs.sh), a
#      second disk read-only (/dev/vdb), virtio-rng, virtio-net on the
#      tap vmtap0.  The guest (root-init, vmon_test=checks) lists its
#      PCI devices, reads the RNG, writes and syncs a file, tries to
#      write /dev/vdb, pings the host and moves NET_MB MiB over TCP each
#      way, then powers off; this side pings the guest, serves and
#      receives the TCP data, and reads the file back from the image.
#   2. the same root, the guest writing numbered files and syncing each
#      (vmon_test=writeloop): "vmon run" gets SIGKILL in the middle;
#      e2fsck repairs the image and every file the guest reported as
#      synced is there with its contents.
# Prints TAP, "# guest:" lines (the guest's console) and "# virtio:"
# lines (what each boot cost).
#
# Expects in one directory ($1, default /bin): vmon, vmlinux (or
# vmlinuz-*), guest-disk.cpio, mkrootfs.sh and root-init, e2fsprogs'
# mke2fs, e2fsck and debugfs, and tun.ko unless /dev/net/tun exists.
# Env: BOOT_TIMEOUT (seconds per Linux boot, default 270), BOOT_MEM
# (default 192M), NET_MB (MiB each way over TCP, default 16),
# BOOT_APPEND (extra kernel command line).
dir=${1:-/bin}
vmon=$dir/vmon
boot_timeout=${BOOT_TIMEOUT:-270}
boot_mem=${BOOT_MEM:-192M}
net_mb=${NET_MB:-16}
w=/tmp/virtio_e2e
tap=vmtap0
# fixed MACs, so that each side knows the other's link-local address
tap_mac=02:00:00:76:6d:01
tap_ll=fe80::ff:fe76:6d01
guest_mac=52:54:00:76:6d:02
guest_ll=fe80::5054:ff:fe76:6d02
net6=fd00:766d
n=0

report() {	# DESCRIPTION WHY (empty: passed)
	n=$((n + 1))
	if [ -z "$2" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1: $2"
	fi
}

# a failure whose reason may have come out empty
report_fail() {	# DESCRIPTION WHY
	report "$1" "${2:-no output}"
}

# expect DESCRIPTION FILE PATTERN: FILE has a line matching PATTERN
expect() {
	if grep -q -e "$3" "$2"; then
		report "$1" ""
	else
		report_fail "$1" "no '$3' in the guest's output"
	fi
}

now() { cut -d ' ' -f 1 /proc/uptime; }
secs() { echo "$1 $2" | awk '{ printf "%.1f", $2 - $1 }'; }

# run_boot N ARGS...: "vmon ARGS" with its console in $w/bootN.raw and,
# live, as "# guest:" lines (the rig ends a machine whose console stays
# silent: RIG_STALL), and each line handed to on_line_N as it comes, in
# a subshell (it leaves files, not variables).  vmon's PID is in $w/pid
# (sh -c ... exec: no wrapper in between to be killed instead), its
# status in $got, the time it took in $took.  Lines, not a polling loop
# with sleep: under Bochs the emulated machine's clock hardly moves
# while a guest runs, and timers would come too late.
run_boot() {	# N ARGS...
	local b=$1 t wd
	shift
	rm -f "$w/pid" "$w/status"
	t=$(now)
	# the limit: the emulated machine's clock, only a bound
	(sleep "$boot_timeout"; [ -r "$w/pid" ] && kill -KILL "$(cat "$w/pid")" 2>/dev/null &&
	 echo "# boot $b killed after $boot_timeout s (BOOT_TIMEOUT)") &
	wd=$!
	{
		sh -c 'echo $$ >"$0"; exec "$@"' "$w/pid" "$vmon" "$@" </dev/null 2>"$w/boot$b.err"
		echo $? >"$w/status"
	} | while IFS= read -r line; do
		printf '%s\n' "$line"
		printf '# guest: %s\n' "$line" | tr -d '\000\r' >&2
		"on_line_$b" "$(printf '%s' "$line" | tr -d '\000\r')"
	done >"$w/boot$b.raw"
	kill "$wd" 2>/dev/null
	got=$(cat "$w/status")
	took=$(secs "$t" "$(now)")
	tr -d '\000\r' <"$w/boot$b.raw" >"$w/boot$b.out"
}

kernel=
for k in "$dir/vmlinux" "$dir"/vmlinuz-*; do
	[ -r "$k" ] && { kernel=$k; break; }
done
append="console=ttyS0 panic=-1 quiet cryptomgr.notests rodata=off mitigations=off"
append="$append ${BOOT_APPEND:-}"

echo "TAP version 13"
echo "1..20"
rm -rf "$w"
mkdir -p "$w"

# ------------------------------------------------------------ the disks
t0=$(now)
if [ -z "$kernel" ] || [ ! -r "$dir/guest-disk.cpio" ]; then
	report_fail "root image and guest" "no vmlinux/vmlinuz-* or guest-disk.cpio in $dir"
elif ! "$dir/mkrootfs.sh" "$w/root.img" 48 >"$w/mkrootfs.out" 2>&1; then
	report_fail "root image: an ext4 filesystem built with mke2fs -d" "$(tail -n 1 "$w/mkrootfs.out")"
else
	report "root image: an ext4 filesystem built with mke2fs -d" ""
fi
# the read-only disk: 1 MiB of random bytes, and a copy to compare with
dd if=/dev/urandom of="$w/ro.img" bs=65536 count=16 2>/dev/null
cp "$w/ro.img" "$w/ro.orig"
ro_md5=$(md5sum <"$w/ro.img" | cut -d ' ' -f 1)
echo "# virtio: images built in $(secs "$t0" "$(now)") s"

# -------------------------------------------------------------- the tap
tap_err=
[ -e /dev/net/tun ] || insmod "$dir/tun.ko" 2>"$w/tun.err" ||
	tap_err="insmod tun.ko: $(cat "$w/tun.err")"
if [ -z "$tap_err" ]; then
	ip link del "$tap" 2>/dev/null
	if ! tunctl -t "$tap" >"$w/tap.err" 2>&1; then
		tap_err="tunctl -t $tap: $(cat "$w/tap.err")"
	else
		ip link set "$tap" address "$tap_mac"
		echo 0 >"/proc/sys/net/ipv6/conf/$tap/accept_dad"
		ip link set "$tap" up
		ip -6 addr add "$net6::1/64" dev "$tap" 2>"$w/tap.err" ||
			tap_err="ip addr add: $(cat "$w/tap.err")"
	fi
fi
report "host: tap $tap up with $net6::1 (tun module, tunctl, ip)" "$tap_err"

# the data the host sends, and the two listeners (bounded by the boot).
# busybox nc ends when either side reaches its end: the receiving one
# reads from a FIFO held open here (fd 3), never from an empty stdin,
# or it would close the connection before the data arrived.
dd if=/dev/urandom of="$w/to_guest" bs=1048576 count="$net_mb" 2>/dev/null
to_guest_md5=$(md5sum <"$w/to_guest" | cut -d ' ' -f 1)
mkfifo "$w/hold"
exec 3<>"$w/hold"
timeout "$boot_timeout" nc -l -p 5001 <&3 >"$w/from_guest" 2>"$w/nc1.err" &
nc1=$!
timeout "$boot_timeout" nc -l -p 5002 <"$w/to_guest" >/dev/null 2>"$w/nc2.err" &
nc2=$!

# ------------------------------------------------------- boot 1: checks
# the host pings the guest once the guest's interface is up
on_line_1() {
	case $1 in
	"guest: net: "*" up")
		ping6 -c 5 -w 60 -I "$tap" "$guest_ll" >"$w/hping.out" 2>&1
		;;
	esac
}
run_boot 1 run --kernel "$kernel" --initrd "$dir/guest-disk.cpio" --mem "$boot_mem" \
	--disk "$w/root.img" --disk "$w/ro.img,ro" --net "tap=$tap,mac=$guest_mac" \
	--append "$append vmon_test=checks vmon_test.peer=$tap_ll vmon_test.peer6=$net6::1 vmon_test.net_mb=$net_mb"
echo "# virtio: boot 1 (checks) took $took s of the emulated machine's time"
kill "$nc1" "$nc2" 2>/dev/null
wait "$nc1" "$nc2" 2>/dev/null
exec 3>&-
o=$w/boot1.out

expect "guest: the initramfs loads every module it carries" "$o" \
	"^guest: initramfs: loaded \([0-9]*\) of \1 modules$"
expect "guest: root filesystem is /dev/vda, ext4, read-write" "$o" "^guest: root: /dev/vda ext4 rw"
# lspci -n's view: vendor:device of each function (virtio 1.x IDs: 0x1040 + type)
missing=
for id in "1af4:1042.*driver virtio-pci" "1af4:1041.*driver virtio-pci" \
	  "1af4:1044.*driver virtio-pci" " [0-9a-f]*:[0-9a-f]* class 0600"; do
	grep -q "^guest: pci: .*$id" "$o" || missing="$missing '$id'"
done
c=$(grep -c "^guest: pci: .* 1af4:1042 " "$o")
[ "$c" = 2 ] || missing="$missing (blk functions: $c, want 2)"
report "guest: PCI lists a host bridge, two virtio-blk, virtio-net and virtio-rng (1af4:1042/1041/1044) bound to virtio-pci" \
	"${missing:+missing$missing}"
if grep -q "^guest: rng: current virtio_rng" "$o" && grep -q "^guest: rng: read 32 bytes" "$o"; then
	report "guest: virtio-rng is the current hw_random and /dev/hwrng gives bytes" ""
else
	report_fail "guest: virtio-rng is the current hw_random and /dev/hwrng gives bytes" \
		"$(grep '^guest: rng:' "$o" | tr '\n' ' ')"
fi
# the read-only disk, seen and refused by the guest, unchanged here
if grep -q "^guest: vdb: ro 1 size 2048 sectors" "$o" && grep -q "^guest: vdb: write failed: " "$o"; then
	report "guest: /dev/vdb (,ro) is read-only and a write to it fails" ""
else
	report_fail "guest: /dev/vdb (,ro) is read-only and a write to it fails" \
		"$(grep '^guest: vdb:' "$o" | tr '\n' ' ')"
fi
expect "guest: reads /dev/vdb as the host file is" "$o" "^guest: vdb: md5 $ro_md5$"
if cmp -s "$w/ro.img" "$w/ro.orig"; then
	report "host: the ,ro disk's file is byte for byte unchanged" ""
else
	report_fail "host: the ,ro disk's file is byte for byte unchanged" "$(cmp "$w/ro.img" "$w/ro.orig" 2>&1)"
fi
expect "guest: virtio-net has the MAC of mac=" "$o" "^guest: net: .* mac $guest_mac up$"
expect "guest: ping6 the host's link-local address over the tap" "$o" "^guest: net: ping6 $tap_ll ok"
# replies, not all of them: under Bochs the first may come after ping's wait
if grep -q ' [1-5] packets received' "$w/hping.out" 2>/dev/null; then
	report "host: ping6 the guest's link-local address over the tap" ""
else
	report_fail "host: ping6 the guest's link-local address over the tap" \
		"$(tail -n 2 "$w/hping.out" 2>/dev/null | tr '\n' ' ')"
fi
want=$(sed -n 's/^guest: net: tx md5 \([0-9a-f]*\)$/\1/p' "$o")
got_md5=$(md5sum <"$w/from_guest" | cut -d ' ' -f 1)
if [ -n "$want" ] && [ "$want" = "$got_md5" ] &&
   [ "$(wc -c <"$w/from_guest")" = $((net_mb * 1048576)) ]; then
	report "TCP guest to host: $net_mb MiB, checksums match" ""
else
	report_fail "TCP guest to host: $net_mb MiB, checksums match" \
		"guest md5 ${want:-none}, host got $(wc -c <"$w/from_guest") bytes md5 $got_md5"
fi
expect "TCP host to guest: $net_mb MiB, checksums match" "$o" \
	"^guest: net: rx $((net_mb * 1048576)) bytes md5 $to_guest_md5$"
if [ "$got" = 0 ] && grep -q "^guest: ALL DONE" "$o" &&
   grep -q "guest powered off through ACPI (S5)" "$w/boot1.err"; then
	report "guest: powers off after the checks, vmon ends with status 0" ""
else
	report_fail "guest: powers off after the checks, vmon ends with status 0" "status $got"
	tail -n 5 "$w/boot1.err" | sed 's/^/# err: /'
fi
# the file the guest wrote, read back from the image by e2fsprogs
line=$(sed -n 's/^guest: wrote and synced \/data\/written.txt: //p' "$o")
back=$("$dir/debugfs" -R "cat /data/written.txt" "$w/root.img" 2>/dev/null)
if [ -n "$line" ] && [ "$back" = "$line" ]; then
	report "host: debugfs reads the guest's synced file from the image" ""
else
	report_fail "host: debugfs reads the guest's synced file from the image" \
		"guest wrote '${line:-nothing}', debugfs read '$back'"
fi
# (clean only counts when the guest did run on it)
if ! grep -q "^guest: root: /dev/vda" "$o"; then
	report_fail "host: e2fsck -fn finds the image clean after the guest's power-off" \
		"the guest never ran on the image"
elif "$dir/e2fsck" -fn "$w/root.img" >"$w/fsck1.out" 2>&1; then
	report "host: e2fsck -fn finds the image clean after the guest's power-off" ""
else
	report_fail "host: e2fsck -fn finds the image clean after the guest's power-off" \
		"$(tail -n 3 "$w/fsck1.out" | tr '\n' ' ')"
fi

# ------------------------------------------- boot 2: SIGKILL mid-write
# after KILL_AT synced files, while the guest keeps writing
kill_at=5
on_line_2() {
	case $1 in
	"guest: loop: synced $kill_at")
		kill -KILL "$(cat "$w/pid")" && : >"$w/killed"
		;;
	esac
}
rm -f "$w/killed"
run_boot 2 run --kernel "$kernel" --initrd "$dir/guest-disk.cpio" --mem "$boot_mem" \
	--disk "$w/root.img" --append "$append vmon_test=writeloop"
echo "# virtio: boot 2 (write loop) took $took s of the emulated machine's time"
killed=
[ -e "$w/killed" ] && killed=1
o=$w/boot2.out
synced=$(sed -n 's/^guest: loop: synced \([0-9]*\)$/\1/p' "$o" | tail -n 1)
if [ -n "$killed" ] && [ "$got" = 137 ]; then
	report "SIGKILL to vmon run while the guest writes (after $synced synced files)" ""
else
	report_fail "SIGKILL to vmon run while the guest writes" \
		"status $got, the guest synced ${synced:-no} files"
fi
"$dir/e2fsck" -fy "$w/root.img" >"$w/fsck2.out" 2>&1
fy=$?
sed -n '/^Pass\|^vmonroot:/!p' "$w/fsck2.out" | head -n 10 | sed 's/^/# e2fsck -fy: /'
if [ -z "$killed" ]; then
	report_fail "host: e2fsck -fy repairs the image, then -fn finds it clean" \
		"no image of a killed guest to repair"
elif [ "$fy" -le 1 ] && "$dir/e2fsck" -fn "$w/root.img" >"$w/fsck3.out" 2>&1; then
	report "host: e2fsck -fy repairs the image (status $fy), then -fn finds it clean" ""
else
	report_fail "host: e2fsck -fy repairs the image, then -fn finds it clean" \
		"-fy status $fy; -fn: $(tail -n 3 "$w/fsck3.out" 2>/dev/null | tr '\n' ' ')"
fi
token=$(sed -n 's/^guest: loop: token //p' "$o")
bad=
"$dir/debugfs" -R "rdump /loop $w" "$w/root.img" >/dev/null 2>&1
i=1
while [ -n "$synced" ] && [ "$i" -le "$synced" ]; do
	[ "$(cat "$w/loop/$i" 2>/dev/null)" = "loop file $i $token" ] || bad="$bad $i"
	i=$((i + 1))
done
if [ -n "$synced" ] && [ -n "$token" ] && [ -z "$bad" ]; then
	report "host: all $synced files the guest synced before the kill are intact" ""
else
	report_fail "host: every file the guest synced before the kill is intact" \
		"synced ${synced:-none}, missing or wrong:${bad:- -}"
fi

ip link del "$tap" 2>/dev/null
rm -rf "$w"
