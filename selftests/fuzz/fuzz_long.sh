#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The long form of the fuzzer ("make fuzz", rig/fuzz.sh), run inside an
# emulated machine by rig/guest-tests.sh: vmon_fuzz with FUZZ_ARGS from
# the run's configuration file.
exec /bin/vmon_fuzz $FUZZ_ARGS
