#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end checks of "vmon run --kernel" on a machine with the module
# loaded (the emulator rig): the multiboot test kernel, the loaders'
# refusals, and the proof of issue 3: Debian's Linux booted with a
# busybox initramfs (rig/linux-guest/) runs uname, sees vmon's CPUID
# hypervisor leaf, writes and reads a file, shows what it made of vmon's
# ACPI tables, and powers off through ACPI S5; booted again, it reboots
# through the FADT's reset register.  Prints TAP,
# plus "# boot:" lines: the boot time to /init and the exits by reason
# until then ("vmon stat" while /init runs), and "# guest:" lines, the
# guest's console as it comes.
#
# Expects in one directory ($1, default /bin): vmon, multiboot.elf (and
# multiboot_low.elf, the same kernel linked at 0x1000), fw_cfg.elf,
# guest.cpio (rig/linux-guest/mkinitramfs.sh), and the guest kernel:
# vmlinux (ELF, no decompression: the fast path under emulation) or
# vmlinuz-* (bzImage).  Without a kernel the Linux checks are skipped.
# Env: BOOT_TIMEOUT (seconds for the Linux boot, default 270), BOOT_MEM
# (default 192M), BOOT_APPEND (extra kernel command line).
dir=${1:-/bin}
vmon=$dir/vmon
boot_timeout=${BOOT_TIMEOUT:-270}
boot_mem=${BOOT_MEM:-192M}
n=0

report() {	# DESCRIPTION WHY (empty: passed)
	n=$((n + 1))
	if [ -z "$2" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1: $2"
	fi
}

# run_vmon OUT ERR ARGS...: vmon's status in $got
run_vmon() {
	out=$1 err=$2
	shift 2
	"$vmon" "$@" >"$out" 2>"$err"
	got=$?
}

# expect DESCRIPTION FILE PATTERN: FILE has a line matching PATTERN
expect() {
	if grep -q -e "$3" "$2"; then
		report "$1" ""
	else
		report "$1" "no '$3' in the output"
		tr -d '\000' <"$2" | tail -n 8 | sed 's/^/# out: /'
	fi
}

expect_status() {	# DESCRIPTION WANT ERRFILE
	if [ "$got" = "$2" ]; then
		report "$1" ""
	else
		report "$1" "status $got, expected $2"
		tail -n 5 "$3" | sed 's/^/# err: /'
	fi
}

kernel=
for k in "$dir/vmlinux" "$dir"/vmlinuz-*; do
	[ -r "$k" ] && { kernel=$k; break; }
done

echo "TAP version 13"
echo "1..24"

# ---------------------------------------------------- multiboot, by content
mod_size=$(wc -c <"$dir/guest.cpio")
run_vmon /tmp/mb.out /tmp/mb.err run --kernel "$dir/multiboot.elf" \
	--initrd "$dir/guest.cpio" --append "hello multiboot" --mem 16M
expect_status "multiboot: kernel exits through port 0xF4 with 0" 1 /tmp/mb.err
expect "multiboot: command line and loader name" /tmp/mb.out "^multiboot: cmdline hello multiboot$"
expect "multiboot: mem_lower/mem_upper of --mem 16M" /tmp/mb.out \
	"mem_lower 639 KiB, mem_upper 15360 KiB"
expect "multiboot: --initrd is module 1 with its size" /tmp/mb.out \
	"modules 1, first $mod_size bytes"
expect "multiboot: finds the RSDP in the BIOS area, and the RSDT's tables" /tmp/mb.out \
	"^multiboot: rsdp 0x0e0000, revision 2, rsdt FACP APIC$"

# the same kernel at 0x1000, where vmon's boot data used to be
run_vmon /tmp/mbl.out /tmp/mbl.err run --kernel "$dir/multiboot_low.elf" \
	--initrd "$dir/guest.cpio" --append "hello low" --mem 16M
expect_status "multiboot at 0x1000: kernel exits through port 0xF4 with 0" 1 /tmp/mbl.err
expect "multiboot at 0x1000: command line" /tmp/mbl.out "^multiboot: cmdline hello low$"
expect "multiboot at 0x1000: --initrd is module 1 with its size" /tmp/mbl.out \
	"modules 1, first $mod_size bytes"

# ---------------------------------------- QEMU's fw_cfg, read by a guest
run_vmon /tmp/fw.out /tmp/fw.err run --kernel "$dir/fw_cfg.elf" --append "fw_cfg says hi" --mem 8M
expect "fw_cfg: signature, interface ID and CPU count" /tmp/fw.out \
	"^fw_cfg: signature QEMU, id 1, cpus 1, max 1$"
expect "fw_cfg: the command line" /tmp/fw.out "^fw_cfg: cmdline fw_cfg says hi$"

# ----------------------------------------------------------------- refusals
run_vmon /tmp/bad.out /tmp/bad.err run --kernel "$dir/boot_e2e.sh"
if [ "$got" = 2 ] && grep -q "kernel $dir/boot_e2e.sh is not a format vmon boots" /tmp/bad.err; then
	report "a file that is no kernel is named and refused (status 2)" ""
else
	report "a file that is no kernel is named and refused (status 2)" \
		"status $got, stderr: $(head -n 1 /tmp/bad.err)"
fi

if [ -z "$kernel" ]; then
	for d in "kernel larger than --mem" "Linux: vmon boots the kernel" \
		 "Linux: reaches /init" "Linux: uname -a" \
		 "Linux: CPUID hypervisor leaf is vmon's" \
		 "Linux: file write and read" "Linux: virtio-rng is the hardware RNG" \
		 "Linux: reads random bytes from virtio-rng" "Linux: finds the RSDP vmon built" \
		 "Linux: lists the FACP, DSDT, FACS and APIC tables once each" \
		 "Linux: ACPI sleep states S0 and S5 (DSDT _S5)" \
		 "Linux: the ACPI PM timer is a clocksource" \
		 "Linux: no ACPI errors or warnings" \
		 "Linux: poweroff through ACPI S5 ends vmon with status 0" \
		 "Linux: reboot through the ACPI reset register ends vmon with status 0"; do
		n=$((n + 1))
		echo "ok $n - $d # SKIP no guest kernel (vmlinux or vmlinuz-*) in $dir"
	done
	exit 0
fi

run_vmon /tmp/big.out /tmp/big.err run --kernel "$kernel" --mem 32M
if [ "$got" = 2 ] && grep -q "raise --mem" /tmp/big.err; then
	report "kernel larger than --mem: refused, says raise --mem" ""
else
	report "kernel larger than --mem: refused, says raise --mem" \
		"status $got, stderr: $(head -n 1 /tmp/big.err)"
fi

# ------------------------------------------------------- Linux to a shell
append="console=ttyS0 panic=-1 quiet cryptomgr.notests rodata=off mitigations=off"
append="$append ${BOOT_APPEND:-}"
# the emulated machine's uptime when the guest's /init says its first line
rm -f /tmp/linux.init /tmp/linux.stat
t0=$(cut -d ' ' -f 1 /proc/uptime)
# a heartbeat: the rig ends a machine whose console stays silent (RIG_STALL)
(
	s=0
	while sleep 30 && kill -0 $$ 2>/dev/null; do
		s=$((s + 30))
		echo "# boot: Linux guest still booting after $s s"
	done
) &
beat=$!
{
	timeout -s KILL "$boot_timeout" "$vmon" run --kernel "$kernel" \
		--initrd "$dir/guest.cpio" --mem "$boot_mem" --append "$append" \
		</dev/null 2>/tmp/linux.err
	echo $? >/tmp/linux.status
} | while IFS= read -r line; do
	printf '%s\n' "$line"
	# the guest's console, live, in the rig's log
	printf '# guest: %s\n' "$line" | tr -d '\000\r' >&2
	case $line in
	hvinfo:\ tsc*)
		if [ ! -e /tmp/linux.init ]; then
			cut -d ' ' -f 1 /proc/uptime >/tmp/linux.init
			# the exits of the boot, while the guest runs /init
			"$vmon" stat >/tmp/linux.stat 2>&1
		fi
		;;
	esac
done >/tmp/linux.raw
got=$(cat /tmp/linux.status)
t1=$(cut -d ' ' -f 1 /proc/uptime)
tr -d '\000\r' </tmp/linux.raw >/tmp/linux.out
[ "$got" = 137 ] && echo "# Linux boot killed after $boot_timeout s (BOOT_TIMEOUT)"

expect "Linux: vmon boots the kernel ($(basename "$kernel"))" /tmp/linux.err \
	"^vmon: booting .* guest TSC at start [0-9]"
expect "Linux: reaches /init" /tmp/linux.out "^hvinfo: tsc [0-9]"
expect "Linux: uname -a" /tmp/linux.out "^guest: uname: Linux .* x86_64"
expect "Linux: CPUID hypervisor leaf is vmon's" /tmp/linux.out "^guest: hypervisor leaf ok"
expect "Linux: file write and read" /tmp/linux.out "^guest: file write and read ok"
# virtio-rng (Documentation/devices.rst): bound by Linux's virtio_pci, and answering
expect "Linux: virtio-rng is the hardware RNG" /tmp/linux.out "^guest: hwrng: virtio_rng\.0$"
expect "Linux: reads random bytes from virtio-rng" /tmp/linux.out \
	"^guest: hwrng: read 64 bytes: [0-9a-f]\{32\}$"
# the ACPI tables (Documentation/linux-guests.rst, "Firmware tables")
if grep -q "^guest: dmesg: ACPI: RSDP 0x00000000000E0000 000024 (v02 VMON" /tmp/linux.out &&
   ! grep -q "A valid RSDP was not found" /tmp/linux.out; then
	report "Linux: finds the RSDP vmon built" ""
else
	report "Linux: finds the RSDP vmon built" "no 'ACPI: RSDP 0x00000000000E0000', or 'A valid RSDP was not found'"
	grep "^guest: dmesg:" /tmp/linux.out | sed 's/^/# /'
fi
# each once: a table listed twice was installed twice
missing=
for t in FACP DSDT FACS APIC; do
	c=$(grep -c "^guest: dmesg: ACPI: $t 0x" /tmp/linux.out)
	[ "$c" = 1 ] || missing="$missing $t($c)"
done
report "Linux: lists the FACP, DSDT, FACS and APIC tables once each" "${missing:+not once:$missing}"
expect "Linux: ACPI sleep states S0 and S5 (DSDT _S5)" /tmp/linux.out \
	"^guest: dmesg: ACPI: PM: (supports S0 S5)"
# (Linux's acpi_pm always masks the counter to 24 bits)
expect "Linux: the ACPI PM timer is a clocksource" /tmp/linux.out \
	"^guest: dmesg: clocksource: acpi_pm: mask: 0xffffff "
bad=$(grep -E "^guest: dmesg: .*ACPI.*(Error|Warning|BIOS bug|FW_BUG|[Ii]nvalid)" /tmp/linux.out)
report "Linux: no ACPI errors or warnings" "${bad:+$(echo "$bad" | head -n 1)}"
if [ "$got" = 0 ] && grep -q "^guest: ALL DONE" /tmp/linux.out &&
   grep -q "guest powered off through ACPI (S5)" /tmp/linux.err; then
	report "Linux: poweroff through ACPI S5 ends vmon with status 0" ""
else
	report "Linux: poweroff through ACPI S5 ends vmon with status 0" "status $got"
	tail -n 25 /tmp/linux.out | sed 's/^/# guest: /'
	tail -n 5 /tmp/linux.err | sed 's/^/# err: /'
fi

# ------------------------------------------------------ and a reboot
timeout -s KILL "$boot_timeout" "$vmon" run --kernel "$kernel" \
	--initrd "$dir/guest.cpio" --mem "$boot_mem" --append "$append vmon_guest.reboot" \
	</dev/null >/tmp/reboot.raw 2>/tmp/reboot.err
got=$?
kill "$beat" 2>/dev/null
tr -d '\000\r' </tmp/reboot.raw >/tmp/reboot.out
if [ "$got" = 0 ] && grep -q "^guest: ALL DONE" /tmp/reboot.out &&
   grep -q "guest reset the machine through port 0xCF9 (reboot)" /tmp/reboot.err; then
	report "Linux: reboot through the ACPI reset register ends vmon with status 0" ""
else
	report "Linux: reboot through the ACPI reset register ends vmon with status 0" "status $got"
	tail -n 10 /tmp/reboot.out | sed 's/^/# guest: /'
	tail -n 5 /tmp/reboot.err | sed 's/^/# err: /'
fi

# boot time to /init: guest TSC cycles (vmon's start to /init's first
# command) and wall seconds of this (emulated) machine for the whole run
tsc0=$(sed -n 's/.*guest TSC at start \([0-9]*\).*/\1/p' /tmp/linux.err | head -n 1)
tsc1=$(sed -n 's/^hvinfo: tsc \([0-9]*\)$/\1/p' /tmp/linux.out | head -n 1)
uptime=$(sed -n 's/^guest: reached \/init after \([0-9.]*\) s.*/\1/p' /tmp/linux.out)
echo "# boot: kernel $(basename "$kernel"), --mem $boot_mem"
# tsc when Linux trusted it (see Documentation/linux-guests.rst, "The guest's clock")
echo "# boot: guest $(grep -m 1 '^guest: clocksource' /tmp/linux.out | cut -d ' ' -f 2-)," \
	"host clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
if [ -n "$tsc0" ] && [ -n "$tsc1" ]; then
	echo "# boot: guest TSC at start $tsc0, at /init $tsc1: $((tsc1 - tsc0)) cycles to /init"
fi
ti=$(cat /tmp/linux.init 2>/dev/null)
if [ -n "$ti" ]; then
	ti="/init after $(echo "$t0 $ti" | awk '{ printf "%.2f", $2 - $1 }') s"
else
	ti="/init not reached"
fi
echo "# boot: wall (the emulated machine's clock): $ti, whole run $(echo "$t0 $t1" |
	awk '{ printf "%.2f", $2 - $1 }') s; the guest's own uptime at /init ${uptime:-?} s"
[ -s /tmp/linux.stat ] && sed 's/^/# boot: exits to \/init: /' /tmp/linux.stat
