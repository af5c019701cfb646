#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# /init of the guest that selftests/bench/boot_time times: say that
# userspace runs, and power off (if that fails, init exits, the kernel
# panics with panic=-1 and reboots, which ends both launchers too).
echo "BOOT-BENCH: init"
poweroff -f
