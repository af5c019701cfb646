#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# "make check": host unit tests, then every selftest and vmon's
# end-to-end checks in each emulated machine, then one summary.  The
# last line of output is always "N passed, N failed"; the exit status
# is non-zero when anything failed.
#
# Bochs (VMX) boots slowly on one core, so it runs in the background
# while the two QEMU machines (SVM, 5-level then 4-level host paging)
# run one after the other.
#
# Env (all optional):
#   MACHINES      machines to use (default "qemu-la57@6.12 qemu-4lvl bochs
#                 qemu-4lvl+mitigations bochs+mitigations@6.12"; "" = host only).
#                 MACHINE+mitigations boots MACHINE with mitigations=auto (the rig's
#                 command line has mitigations=off; the later option wins) and runs
#                 only MITIGATION_TESTS.  MACHINE@K boots the installed kernel whose
#                 release is or starts with K (rig/kver.sh) with a vmon.ko built for
#                 it (rig/build-kmod.sh); without @ a machine boots KVER
#   MITIGATION_TESTS  selftests of the +mitigations runs (default spec_hygiene_test)
#   TESTS         selftest binaries to run, relative to SELFTEST_DIR (default:
#                 every executable ELF file built there)
#   SELFTEST_DIR  where the binaries are (default selftests)
#   HOST_TESTS    0 to skip the host unit tests
#   E2E           0 to skip vmon's end-to-end checks (tools/vmon/test/e2e.sh,
#                 and boot_e2e.sh: kernels, Linux booted to a shell)
#   VIRTIO_E2E    0 to skip tools/vmon/test/virtio_e2e.sh (Linux with its root
#                 on a vmon disk, a tap network; two Linux boots)
#   BOOT_TEST_TIMEOUT  seconds for boot_e2e.sh in QEMU (default 300; Bochs: 2x)
#   STORM         the storms of selftests/storm/storm.sh, run last: "short"
#                 (default), "long" (make storm), or 0 to skip them
#   STORM_TIMEOUT seconds for storm.sh (default: short 120, long 1200; Bochs: 2x)
#   SMP_CPUS      vCPUs of smp_e2e.sh's Linux guest (default: QEMU 4, Bochs 2)
#   STORM_KILLS, STORM_CYCLES, STORM_RELOADS, STORM_NOFILE  the storms' counts
#                 (default: storm.sh's short or long form)
#   KVM_OWNER     0 to skip selftests/kvm_owner/kvm_owner.sh (vmon beside
#                 Debian's KVM, which wants VT-x/AMD-V too)
#   CHECK_DIR     logs and work dirs (default build/check)
#   QEMU_TIMEOUT  seconds per QEMU machine (default 600: 420, plus about a
#                 minute for tools/vmon/test/virtio_e2e.sh and room for a
#                 loaded machine)
#   BOCHS_TIMEOUT seconds for Bochs (default 2700: 900, the two Linux boots of
#                 tools/vmon/test/boot_e2e.sh, about 110 s of host time each,
#                 and virtio_e2e.sh's two boots and 32 MiB over TCP, about
#                 7 minutes, on a build machine where the whole run takes
#                 about 1150 s; a 2-core build machine with slower cores
#                 needed more than 1700 s, and the silence limit ends a
#                 hung machine long before this one)
#   RIG_STALL     end a machine silent this long (default: QEMU 120, Bochs 300)
#   TEST_TIMEOUT  seconds per test binary in QEMU (default 90; Bochs: 2x, guest time)
#   KVER          kernel release the module was built for (boots /boot/vmlinuz-KVER;
#                 default: rig/kver.sh, the release of kmod/vmon.ko)
#   RIG_KERNEL, VMON_KO  another kernel image and module (rig/boot.sh)
#   VMON_FUZZ_OPS ops of selftests/fuzz/vmon_fuzz (default: its short form)
#   KMEMLEAK      1: after the tests, scan for leaks and count any whose
#                 allocation went through vmon as a failure (kernels with
#                 CONFIG_DEBUG_KMEMLEAK: "make check-debug")
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
machines=${MACHINES-qemu-la57@6.12 qemu-4lvl bochs qemu-4lvl+mitigations bochs+mitigations@6.12}
mitigation_tests=${MITIGATION_TESTS:-spec_hygiene_test}
out=${CHECK_DIR:-$top/build/check}
qemu_timeout=${QEMU_TIMEOUT:-600}
bochs_timeout=${BOCHS_TIMEOUT:-2700}
test_timeout=${TEST_TIMEOUT:-90}
selftest_dir=${SELFTEST_DIR:-selftests}
export KVER=${KVER:-}
[ -n "$KVER" ] || unset KVER

rm -rf "$out"
mkdir -p "$out"
summaries=()

now() { date +%s; }

# ---------------------------------------------------------------- host
run_host() {	# NAME DIR
	local name=$1 dir=$2 t0 rc
	t0=$(now)
	echo "check: $name: make -C $dir check"
	make --no-print-directory -C "$dir" check >"$out/$name.log" 2>&1
	rc=$?
	rig/tap-summary.sh host "$name" "$out/$name.log" "$rc" "$(($(now) - t0))" \
		>"$out/$name.summary"
	summaries+=("$name")
}

if [ "${HOST_TESTS:-1}" != 0 ]; then
	run_host host-libvmon tools/lib
	run_host host-vmon tools/vmon
fi

# ------------------------------------------------------------ selftests
is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = 177ELF ]; }

# the list selftests/Makefile builds (its TESTS), else every executable ELF file
if [ -z "${TESTS+x}" ]; then
	TESTS=
	if [ "$selftest_dir" = selftests ]; then
		TESTS=$(make -s --no-print-directory -C selftests -f Makefile \
			-f "$top/rig/print-var.mk" print-TESTS 2>/dev/null)
	fi
	if [ -z "$TESTS" ]; then
		for f in $(find "$selftest_dir" -maxdepth 2 -type f -perm -u+x ! -name '*.o' | sort); do
			is_elf "$f" && TESTS="$TESTS ${f#"$selftest_dir"/}"
		done
	fi
fi
files=()
names=
missing=
for t in $TESTS; do
	f=$selftest_dir/$t
	if [ ! -x "$f" ]; then
		missing="$missing $t"
		continue
	fi
	if readelf -l "$f" 2>/dev/null | grep -q 'program interpreter'; then
		echo "check: warning: $f is not linked -static; it cannot run in the rig" >&2
	fi
	files+=("$f")
	names="$names $(basename "$t")"
done

# vmon's end-to-end checks run as one more test: test/e2e.sh prints TAP
# like a selftest and finds the tool and its guests next to it in /bin.
e2e_missing=
if [ "${E2E:-1}" != 0 ]; then
	e2e_files=(tools/vmon/vmon)
	for f in $(make -s --no-print-directory -C tools/vmon -f Makefile \
		   -f "$top/rig/print-var.mk" print-SAMPLES print-E2E_BINS 2>/dev/null); do
		e2e_files+=("tools/vmon/$f")
	done
	e2e_files+=(tools/vmon/test/e2e.sh)
	for f in "${e2e_files[@]}"; do
		[ -r "$f" ] || e2e_missing="$e2e_missing $f"
	done
	if [ -z "$e2e_missing" ]; then
		files+=("${e2e_files[@]}")
		names="$names e2e.sh"
	fi
fi

# "vmon run --kernel" (tools/vmon/test/boot_e2e.sh): the multiboot test
# kernel, and Debian's Linux with a busybox initramfs built now from
# rig/linux-guest/.  Each machine gets its guest kernel in
# machine_files(): the bzImage in qemu-la57 (boot protocol, in-guest
# decompression), the extracted ELF vmlinux in qemu-4lvl and Bochs
# (Bochs would spend minutes decompressing).  The Linux boot gets its
# own time limit: BOOT_TEST_TIMEOUT (QEMU, default 300 s), twice that
# in Bochs.
boot_kver=$(rig/kver.sh)
boot_timeout=${BOOT_TEST_TIMEOUT:-300}
boot_ready=
if [ "${E2E:-1}" != 0 ] && [ -z "$e2e_missing" ]; then
	if ! rig/linux-guest/mkinitramfs.sh "$out/guest.cpio" >"$out/guest-initramfs.log" 2>&1; then
		echo "check: cannot build the Linux guest's initramfs: see $out/guest-initramfs.log" >&2
	elif [ ! -r "/boot/vmlinuz-$boot_kver" ]; then
		echo "check: no /boot/vmlinuz-$boot_kver for the Linux guest: run 'make deps'" >&2
	elif ! rig/extract-vmlinux.sh "/boot/vmlinuz-$boot_kver" "$out/vmlinux" \
			>"$out/extract-vmlinux.log" 2>&1; then
		echo "check: cannot extract vmlinux: see $out/extract-vmlinux.log" >&2
	elif [ -r tools/vmon/test/guests/multiboot.elf ]; then
		files+=(tools/vmon/test/boot_e2e.sh tools/vmon/test/guests/multiboot.elf
			tools/vmon/test/guests/multiboot_low.elf
			tools/vmon/test/guests/fw_cfg.elf "$out/guest.cpio"
			tools/vmon/test/smp_e2e.sh)
		names="$names boot_e2e.sh smp_e2e.sh"
		boot_ready=1
	fi
	[ -n "$boot_ready" ] || e2e_missing="$e2e_missing boot_e2e.sh"
fi
# The virtio devices end to end (tools/vmon/test/virtio_e2e.sh): the
# guest's initramfs in its disk flavour (Debian's virtio and ext4
# modules), what builds its root image inside the machine (e2fsprogs,
# which rig/boot.sh brings with its libraries), and the tun module for
# the machine's tap.  Two Linux boots, each within BOOT_TIMEOUT.
virtio_ready=
if [ -n "$boot_ready" ] && [ "${VIRTIO_E2E:-1}" != 0 ]; then
	e2fs=()
	for p in mke2fs e2fsck debugfs; do
		for d in /usr/sbin /sbin; do
			[ -x "$d/$p" ] && { e2fs+=("$d/$p"); break; }
		done
	done
	if [ "${#e2fs[@]}" != 3 ]; then
		echo "check: no mke2fs, e2fsck or debugfs for virtio_e2e.sh: run 'make deps' (e2fsprogs)" >&2
		e2e_missing="$e2e_missing virtio_e2e.sh"
	elif ! KVER=$boot_kver rig/linux-guest/mkinitramfs.sh --disk "$out/guest-disk.cpio" \
			>"$out/guest-disk-initramfs.log" 2>&1; then
		echo "check: cannot build the disk guest's initramfs: see $out/guest-disk-initramfs.log" >&2
		e2e_missing="$e2e_missing virtio_e2e.sh"
	else
		files+=(tools/vmon/test/virtio_e2e.sh "$out/guest-disk.cpio"
			rig/linux-guest/mkrootfs.sh rig/linux-guest/root-init "${e2fs[@]}")
		names="$names virtio_e2e.sh"
		virtio_ready=1
	fi
fi
# Each machine's kernel: MACHINE@K boots release $(KVER=K rig/kver.sh)
# with a vmon.ko built for it in $out/kmod-RELEASE; other machines boot
# boot_kver with the tree's module.  Debian's modules the tests load
# into the machine's kernel (KVM's for kvm_owner.sh, tun for
# virtio_e2e.sh) come from the kernel it boots, in $out/mods-RELEASE.
machine_base() { echo "${1%@*}"; }
machine_kver() {
	case $1 in
	*@*) KVER=${1#*@} rig/kver.sh ;;
	*) echo "$boot_kver" ;;
	esac
}
declare -A kver_ko=() kver_mods=()
prepare_kernel() {	# RELEASE: the module and Debian's modules for it
	local rel=$1 kdir v ok=1
	[ -z "${kver_mods[$rel]+x}" ] || return 0
	kver_mods[$rel]=
	if [ "$rel" != "$boot_kver" ]; then
		kdir=/lib/modules/$rel/build
		[ -d "$kdir" ] || kdir=/usr/src/linux-headers-$rel
		if [ ! -r "/boot/vmlinuz-$rel" ] || [ ! -d "$kdir" ]; then
			echo "check: kernel $rel: no /boot/vmlinuz-$rel or headers: run 'make deps'" >&2
			return 1
		fi
		if ! kver_ko[$rel]=$(rig/build-kmod.sh "$kdir" "$out/kmod-$rel" 2>"$out/kmod-$rel.log"); then
			cat "$out/kmod-$rel.log" >&2
			kver_ko[$rel]=
			return 1
		fi
		[ -s "$out/kmod-$rel.log" ] && cat "$out/kmod-$rel.log" >&2
		echo "check: kernel $rel: $(modinfo -F vermagic "${kver_ko[$rel]}" | cut -d' ' -f1) vmon.ko built"
	fi
	local d=$out/mods-$rel
	rm -rf "$d"
	if [ "${KVM_OWNER:-1}" != 0 ] && [ -z "${RIG_KERNEL:-}" ]; then
		for v in amd intel; do
			if rig/linux-guest/modules.sh "$rel" "$d/kvm/$v" "kvm_$v" \
					>>"$out/kvm-modules.log" 2>&1; then
				cp "$d/kvm/$v/load.list" "$d/kvm/kvm-$v.list"
			else
				ok=
			fi
		done
		[ -n "$ok" ] || echo "check: cannot gather Debian's KVM modules of $rel: see $out/kvm-modules.log" >&2
	fi
	if [ -n "$virtio_ready" ] &&
	   ! rig/linux-guest/modules.sh "$rel" "$d/tun" tun >>"$out/guest-disk-initramfs.log" 2>&1; then
		echo "check: cannot gather tun.ko of $rel: see $out/guest-disk-initramfs.log" >&2
	fi
	kver_mods[$rel]=$d
}
# the guest kernel for "vmon run --kernel" in machine $1, and the KVM
# modules of its vendor for kvm_owner.sh (defined here, used later)
machine_files() {
	local base rel d
	base=$(machine_base "$1")
	case $base in *+mitigations) return 0 ;; esac
	rel=$(machine_kver "$1")
	d=${kver_mods[$rel]:-}
	if [ -n "$d" ] && [ -r "$d/kvm/kvm-amd.list" ]; then
		case $base in
		bochs) echo "$d/kvm/kvm-intel.list" "$d"/kvm/intel/*.ko ;;
		*) echo "$d/kvm/kvm-amd.list" "$d"/kvm/amd/*.ko ;;
		esac
	fi
	[ -n "$d" ] && [ -n "$virtio_ready" ] && ls "$d"/tun/*.ko 2>/dev/null
	[ -n "$boot_ready" ] || return 0
	case $base in
	qemu-la57) echo "/boot/vmlinuz-$boot_kver" ;;
	*) echo "$out/vmlinux" ;;
	esac
}

# vmon beside KVM (selftests/kvm_owner/kvm_owner.sh): Debian's KVM
# modules of the kernel the machine boots, with the order to load them
# in (kvm-amd.list, kvm-intel.list); each machine gets its vendor's in
# machine_files().  It unloads and reloads vmon, so it runs after the
# other tests, before the storms.  Not with RIG_KERNEL: that kernel has
# no Debian modules.
kvm_owner_missing=
if [ "${KVM_OWNER:-1}" != 0 ] && [ -n "${RIG_KERNEL:-}" ]; then
	echo "check: kvm_owner.sh: skipped: RIG_KERNEL has no Debian KVM modules"
elif [ "${KVM_OWNER:-1}" != 0 ]; then
	files+=(selftests/kvm_owner/kvm_owner.sh)
	names="$names kvm_owner.sh"
fi
# every machine's kernel, its module and Debian's modules
rm -f "$out/kvm-modules.log"
kernel_missing=
for m in $machines; do
	rel=$(machine_kver "$m")
	if ! prepare_kernel "$rel"; then
		kernel_missing="$kernel_missing $m"
	elif [ "${KVM_OWNER:-1}" != 0 ] && [ -z "${RIG_KERNEL:-}" ] &&
	     [ ! -r "${kver_mods[$rel]}/kvm/kvm-amd.list" ]; then
		kvm_owner_missing=" kvm_owner.sh"
	fi
done

# The storms (kill -9, rmmod, CPU hotplug, limits) run last: they unload
# and reload the module, and leave the machine with what they measured.
storm=${STORM:-short}
storm_timeout=${STORM_TIMEOUT:-$([ "$storm" = long ] && echo 1200 || echo 120)}
storm_missing=
if [ "$storm" != 0 ]; then
	storm_files=(selftests/storm/storm.sh selftests/storm/storm_guest selftests/storm/storm_limits)
	for f in "${storm_files[@]}"; do
		[ -x "$f" ] || storm_missing="$storm_missing $f"
	done
	if [ -z "$storm_missing" ]; then
		files+=("${storm_files[@]}")
		names="$names storm.sh"
	fi
fi

[ -n "$machines" ] && echo "check: selftests:${names:- (none built)}"
if [ -n "$missing$e2e_missing$storm_missing$kvm_owner_missing" ]; then
	{
		nmiss=$(echo $missing ${e2e_missing:+e2e} ${storm_missing:+storm} $kvm_owner_missing | wc -w)
		echo "build: $nmiss tests could not run: their files were not built"
		for t in $missing; do
			echo "    FAIL $t: no binary selftests/$t"
		done
		[ -z "$e2e_missing" ] || echo "    FAIL e2e.sh: not built:$e2e_missing"
		[ -z "$storm_missing" ] || echo "    FAIL storm.sh: not built:$storm_missing"
		[ -z "$kvm_owner_missing" ] || echo "    FAIL kvm_owner.sh: Debian's KVM modules missing: see $out/kvm-modules.log"
		echo "TOTALS 0 $nmiss 0"
	} >"$out/build.summary"
	summaries+=(build)
fi

# one configuration file per run, read by rig/guest-tests.sh
write_conf() {	# FILE TIMEOUT MACHINE TESTS...
	local f=$1 tt=$2 emu=$3
	shift 3
	printf 'TESTS="%s"\nTEST_TIMEOUT=%s\n' "$*" "$tt" >"$f"
	# the Linux boot's own limit (rig/guest-tests.sh: TIMEOUT_<name>)
	local bt=$boot_timeout
	[ "$tt" -gt "$test_timeout" ] && bt=$((boot_timeout * 2))
	# two Linux boots (poweroff, then reboot), each within BOOT_TIMEOUT
	printf 'TIMEOUT_boot_e2e_sh=%s\nBOOT_TIMEOUT=%s\n' "$((2 * bt))" "$((bt - 30))" >>"$f"
	# smp_e2e.sh: two Linux boots on SMP_CPUS vCPUs (4 in QEMU, 2 in
	# Bochs, where every vCPU costs its share of one emulated CPU)
	printf 'TIMEOUT_smp_e2e_sh=%s\nexport SMP_CPUS=%s\n' "$((2 * bt + 60))" \
		"${SMP_CPUS:-$([ "$emu" = bochs ] && echo 2 || echo 4)}" >>"$f"
	# virtio_e2e.sh: two Linux boots, the first moving NET_MB MiB each way
	printf 'TIMEOUT_virtio_e2e_sh=%s\n' "$((2 * bt + 60))" >>"$f"
	printf 'KMEMLEAK=%s\n' "${KMEMLEAK:-0}" >>"$f"
	# the fuzzer's size, where the default short form is not wanted
	[ -z "${VMON_FUZZ_OPS:-}" ] || printf 'export VMON_FUZZ_OPS=%s\n' "$VMON_FUZZ_OPS" >>"$f"
	# the storms: their form and limit; under Bochs, where a millisecond
	# of guest time with a vCPU running costs about 0.3 s, shorter waits
	# (6 kills, one of each kind, and one reload in the short form)
	local st=$storm_timeout v
	printf 'STORM=%s\n' "$storm" >>"$f"
	if [ "$tt" -gt "$test_timeout" ]; then
		st=$((storm_timeout * 2))
		printf 'STORM_DELAY=2000\nSTORM_POLL=1000\n' >>"$f"
		[ "$storm" = long ] || printf 'STORM_KILLS=6\nSTORM_RELOADS=1\n' >>"$f"
	fi
	# counts given to rig/check.sh win (storm.sh: STORM_KILLS, ...)
	for v in STORM_KILLS STORM_CYCLES STORM_RELOADS STORM_NOFILE; do
		[ -z "${!v:-}" ] || printf '%s=%s\n' "$v" "${!v}" >>"$f"
	done
	printf 'TIMEOUT_storm_sh=%s\n' "$st" >>"$f"
}

# the tests after the one that was running when a run ended early
tests_after_unfinished() {	# LOG TESTS...
	local log=$1 t found=
	shift
	local last
	last=$(sed -n 's/^RIG: TEST BEGIN //p' "$log" | tail -n 1)
	[ -n "$last" ] || return 0
	grep -q "^RIG: TEST END $last " "$log" && return 0
	for t in "$@"; do
		[ -n "$found" ] && printf '%s ' "$t"
		[ "$t" = "$last" ] && found=1
	done
}

# Run the selftests in one machine, in the background.  When a test
# hangs or crashes the machine, the run ends early (stall, panic,
# timeout); the tests after it then run in a fresh boot, within what is
# left of the machine's time limit, so one broken test hides no others.
# Each run's host-side end is recorded in the log for rig/tap-summary.sh.
start_machine() {	# MACHINE TIMEOUT TEST_TIMEOUT
	local m=$1 to=$2 tt=$3 d="$out/$1" base emu append=${RIG_APPEND:-} rel ko
	base=$(machine_base "$m")
	emu=${base%+mitigations}
	rel=$(machine_kver "$m")
	ko=${kver_ko[$rel]:-${VMON_KO:-}}
	mkdir -p "$d"
	echo "check: $m: booting (timeout ${to} s, per test ${tt} s, log $out/$m.log)"
	(
		t0=$(now)
		todo=${names# }
		# the host kernel's mitigations on: only the tests of vmon's own
		if [ "$emu" != "$base" ]; then
			append="$append mitigations=auto"
			todo=
			for t in $mitigation_tests; do
				case " $names " in *" $t "*) todo="$todo $t" ;; esac
			done
			todo=${todo# }
		fi
		part=1
		: >"$out/$m.log"
		while :; do
			left=$((to - ($(now) - t0)))
			write_conf "$d/rig-tests.conf" "$tt" "$emu" $todo
			t1=$(now)
			# shellcheck disable=SC2046
			RIG_DIR="$d/work" RIG_TIMEOUT=$left RIG_APPEND=$append \
				KVER=$rel VMON_KO=${ko:-$top/kmod/vmon.ko} rig/boot.sh "$emu" rig/guest-tests.sh "${files[@]}" $(machine_files "$m") \
				"$d/rig-tests.conf" >"$d/part.log" 2>&1
			rc=$?
			cat "$d/part.log" >>"$out/$m.log"
			echo "RIG: HOST: run $part ended with status $rc after $(($(now) - t1)) s" \
				>>"$out/$m.log"
			[ "$rc" -eq 0 ] && break
			# shellcheck disable=SC2086
			todo=$(tests_after_unfinished "$d/part.log" $todo)
			[ -n "$todo" ] || break
			if [ $((to - ($(now) - t0))) -lt 60 ]; then
				echo "RIG: HOST: no time left for: $todo" >>"$out/$m.log"
				break
			fi
			echo "check: $m: run $part ended early (status $rc); booting again for: $todo"
			part=$((part + 1))
		done
		echo "$(($(now) - t0))" >"$d/status"
	)
}

finish_machine() {	# MACHINE
	local m=$1 secs
	read -r secs <"$out/$m/status" || secs=0
	rig/tap-summary.sh guest "$m" "$out/$m.log" 0 "$secs" >"$out/$m.summary"
	summaries+=("$m")
	# the work dir holds a copy of every binary and a boot image
	rm -rf "$out/$m/work"
	sed -n '1p' "$out/$m.summary" | sed 's/^/check: /'
}

# a +mitigations machine runs only MITIGATION_TESTS: none selected, no boot
have_mitigation_tests=
for t in $mitigation_tests; do
	case " $names " in *" $t "*) have_mitigation_tests=1 ;; esac
done

bochs_pid=
bochses=
qemus=
for m in $machines; do
	case " $kernel_missing " in
	*" $m "*)
		echo "$m: kernel $(machine_kver "$m") not ready: see the messages above" >"$out/$m.summary"
		echo "TOTALS 0 1 0" >>"$out/$m.summary"
		summaries+=("$m")
		continue
		;;
	esac
	if [ -z "$have_mitigation_tests" ] && [ "${m%+mitigations*}" != "$m" ]; then
		echo "check: $m: skipped, none of MITIGATION_TESTS ($mitigation_tests) selected"
		continue
	fi
	case $(machine_base "$m") in
	bochs | bochs+mitigations)
		bochses="$bochses $m"
		;;
	qemu-*)
		qemus="$qemus $m"
		;;
	*)
		echo "check: unknown machine '$m'" >&2
		echo "$m: unknown machine" >"$out/$m.summary"
		echo "TOTALS 0 1 0" >>"$out/$m.summary"
		summaries+=("$m")
		;;
	esac
done
# the Bochs machines one after the other, in the background
if [ -n "$bochses" ]; then
	(
		for m in $bochses; do
			start_machine "$m" "$bochs_timeout" $((test_timeout * 2))
		done
	) &
	bochs_pid=$!
fi
for m in $qemus; do
	start_machine "$m" "$qemu_timeout" "$test_timeout"
	finish_machine "$m"
done
if [ -n "$bochs_pid" ]; then
	wait "$bochs_pid"
	for m in $bochses; do
		finish_machine "$m"
	done
fi

# -------------------------------------------------------------- summary
pass=0 fail=0 skip=0
for s in "${summaries[@]}"; do
	read -r _ p f k < <(grep '^TOTALS ' "$out/$s.summary")
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + k))
done
{
	echo
	echo "==================== make check summary ===================="
	for s in "${summaries[@]}"; do
		grep -v '^TOTALS ' "$out/$s.summary"
	done
	echo "logs: $out/*.log"
	if [ "$skip" -gt 0 ]; then
		echo "($skip skipped test cases are counted neither as passed nor failed)"
	fi
	echo "$pass passed, $fail failed"
} | tee "$out/summary.txt"
[ "$fail" -eq 0 ]
