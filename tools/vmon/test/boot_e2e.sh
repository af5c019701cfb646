#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# End-to-end checks of "vmon run --kernel" on a machine with the module
# loaded (the emulator rig): the multiboot test kernel, the loaders'
# refusals, and the proof of issue 3: Debian's Linux booted with a
# busybox initramfs (rig/linux-guest/) runs uname, sees vmon's CPUID
# hypervisor leaf, writes and reads a file, shows what it made of vmon's
# ACPI tables and of the PCI bus, and powers off through ACPI S5; booted
# again, it reboots through the FADT's reset register; booted with RAM
# beyond the PCI hole (when the machine has the memory), it uses it.  Prints TAP,
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
# (default 192M), BOOT_APPEND (extra kernel command line),
# BOOT_MEM_HIGH_MIB (--mem of the boot with RAM beyond the hole, default
# 3328: 256 MiB at 4 GiB).
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
echo "1..30"

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
	"^multiboot: rsdp 0x0e0000, revision 2, rsdt FACP APIC MCFG$"

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
		 "Linux: reads random bytes from virtio-rng" \
		 "Linux: virtio-rng completions arrive as MSI-X interrupts" \
		 "Linux: finds the RSDP vmon built" \
		 "Linux: lists the FACP, DSDT, FACS, APIC and MCFG tables once each" \
		 "Linux: ACPI sleep states S0 and S5 (DSDT _S5)" \
		 "Linux: the ACPI PM timer is a clocksource" \
		 "Linux: ACPI PCI root bridge PCI0" \
		 "Linux: the root bridge's MMIO window is the PCI hole" \
		 "Linux: uses ECAM (MCFG at 0xf0000000, reserved in e820)" \
		 "Linux: finds the host bridge 00:00.0 (8086:1237, class 0x060000)" \
		 "Linux: no ACPI errors or warnings" \
		 "Linux: poweroff through ACPI S5 ends vmon with status 0" \
		 "Linux: reboot through the ACPI reset register ends vmon with status 0" \
		 "Linux with RAM beyond the PCI hole: boots and powers off" \
		 "Linux with RAM beyond the PCI hole: e820 RAM at 4 GiB, all of it in MemTotal"; do
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
expect "Linux: virtio-rng completions arrive as MSI-X interrupts" /tmp/linux.out \
	"^guest: hwrng: queue interrupts: [1-9][0-9]* msi$"
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
for t in MCFG; do
	c=$(grep -c "^guest: dmesg: ACPI: $t 0x" /tmp/linux.out)
	[ "$c" = 1 ] || missing="$missing $t($c)"
done
report "Linux: lists the FACP, DSDT, FACS, APIC and MCFG tables once each" "${missing:+not once:$missing}"
expect "Linux: ACPI sleep states S0 and S5 (DSDT _S5)" /tmp/linux.out \
	"^guest: dmesg: ACPI: PM: (supports S0 S5)"
# (Linux's acpi_pm always masks the counter to 24 bits)
expect "Linux: the ACPI PM timer is a clocksource" /tmp/linux.out \
	"^guest: dmesg: clocksource: acpi_pm: mask: 0xffffff "
# the PCI bus (Documentation/devices.rst, "PCI bus"): the root bridge
# found through the DSDT, with the windows of its _CRS, ECAM through the
# MCFG (Linux uses it only when the e820 map reserves it; 6.1 says
# "MMCONFIG", 6.12 "ECAM"), and the host bridge enumerated
expect "Linux: ACPI PCI root bridge PCI0" /tmp/linux.out \
	"^guest: dmesg: ACPI: PCI Root Bridge \[PCI0\] (domain 0000 \[bus 00\])"
expect "Linux: the root bridge's MMIO window is the PCI hole" /tmp/linux.out \
	"^guest: dmesg: pci_bus 0000:00: root bus resource \[mem 0xc0000000-0xefffffff window\]"
if { grep -q "^guest: dmesg: PCI: MMCONFIG for domain 0000 \[bus 00-00\] at \[mem 0xf0000000-0xf00fffff\]" /tmp/linux.out &&
     grep -q "^guest: dmesg: PCI: MMCONFIG at \[mem 0xf0000000-0xf00fffff\] reserved" /tmp/linux.out; } ||
   { grep -q "^guest: dmesg: PCI: ECAM \[mem 0xf0000000-0xf00fffff\] (base 0xf0000000) for domain 0000 \[bus 00-00\]" /tmp/linux.out &&
     grep -q "^guest: dmesg: PCI: ECAM \[mem 0xf0000000-0xf00fffff\] reserved as E820 entry" /tmp/linux.out; }; then
	report "Linux: uses ECAM (MCFG at 0xf0000000, reserved in e820)" ""
else
	report "Linux: uses ECAM (MCFG at 0xf0000000, reserved in e820)" "no MMCONFIG/ECAM lines"
	grep -E "^guest: dmesg: (PCI|BIOS-e820)" /tmp/linux.out | sed 's/^/# /'
fi
expect "Linux: finds the host bridge 00:00.0 (8086:1237, class 0x060000)" /tmp/linux.out \
	"^guest: pci: 0000:00:00.0 0x8086:0x1237 class 0x060000$"
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
tr -d '\000\r' </tmp/reboot.raw >/tmp/reboot.out
if [ "$got" = 0 ] && grep -q "^guest: ALL DONE" /tmp/reboot.out &&
   grep -q "guest reset the machine through port 0xCF9 (reboot)" /tmp/reboot.err; then
	report "Linux: reboot through the ACPI reset register ends vmon with status 0" ""
else
	report "Linux: reboot through the ACPI reset register ends vmon with status 0" "status $got"
	tail -n 10 /tmp/reboot.out | sed 's/^/# guest: /'
	tail -n 5 /tmp/reboot.err | sed 's/^/# err: /'
fi

# ------------------------------------------- RAM beyond the PCI hole
# --mem above 3G: what lies beyond the hole continues at 4 GiB, in the
# e820 map as RAM, and Linux uses it.  vmon pins every page of guest
# memory, so this needs an emulated machine with that much RAM
# (rig/boot.sh RIG_MEM); a smaller one skips it.
high_mib=${BOOT_MEM_HIGH_MIB:-3328}
avail_mib=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
if [ "$avail_mib" -lt $((high_mib + 256)) ]; then
	for d in "boots and powers off" "e820 RAM at 4 GiB, all of it in MemTotal"; do
		n=$((n + 1))
		echo "ok $n - Linux with RAM beyond the PCI hole: $d # SKIP --mem ${high_mib}M needs more than the $avail_mib MiB available here (RIG_MEM)"
	done
else
	timeout -s KILL "$boot_timeout" "$vmon" run --kernel "$kernel" \
		--initrd "$dir/guest.cpio" --mem "${high_mib}M" --append "$append" \
		</dev/null >/tmp/high.raw 2>/tmp/high.err
	got=$?
	tr -d '\000\r' </tmp/high.raw >/tmp/high.out
	if [ "$got" = 0 ] && grep -q "^guest: ALL DONE" /tmp/high.out; then
		report "Linux with RAM beyond the PCI hole: boots and powers off" ""
	else
		report "Linux with RAM beyond the PCI hole: boots and powers off" "status $got"
		tail -n 10 /tmp/high.out | sed 's/^/# guest: /'
		tail -n 5 /tmp/high.err | sed 's/^/# err: /'
	fi
	# RAM [4 GiB, 4 GiB + what --mem gives beyond 3 GiB)
	high_end=$(printf '%016x' $(((1 << 32) + (high_mib - 3072) * 1048576 - 1)))
	total_kib=$(sed -n 's/^guest: memory: MemTotal: *\([0-9]*\) kB/\1/p' /tmp/high.out)
	if grep -q "^guest: dmesg: BIOS-e820: \[mem 0x0000000100000000-0x$high_end\] usable" /tmp/high.out &&
	   [ "${total_kib:-0}" -gt $((3 * 1024 * 1024)) ]; then
		report "Linux with RAM beyond the PCI hole: e820 RAM at 4 GiB, all of it in MemTotal" ""
	else
		report "Linux with RAM beyond the PCI hole: e820 RAM at 4 GiB, all of it in MemTotal" \
			"no 'BIOS-e820: [mem 0x0000000100000000-0x$high_end] usable', or MemTotal ${total_kib:-?} kB not above 3 GiB"
		grep -E "^guest: (dmesg: BIOS-e820|memory)" /tmp/high.out | sed 's/^/# /'
	fi
fi
kill "$beat" 2>/dev/null

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
