#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# profile.sh - `make bench-profile`: where a fork+exec+exit+wait spends its
# time, ours against upstream's port, seen from outside the whole machine.
#
# Boots the embedded Xen host with QEMU's monitor on a socket: by default
# Xen built here from Debian's source and config with its symbol table kept
# (build-xen.sh syms, 5-10 min on first use), so that Xen's time is split by
# function too; PROFILE_XEN=debian takes Debian's binary, as `make bench`
# does, and counts Xen's time as one row. bench/profile-driver.sh runs `forkexec N`
# (PROFILE_ITERATIONS, default 3000) in each kernel while
# bench/profile-sample.py samples the emulated CPUs' registers.  The table
# gives, per fork+exec, the CPU time spent halted, in Xen, in user space and
# in each kernel function, and ours minus the baseline.  Samples perturb the
# run a little (the monitor stops no CPU, but competes for the host's), so
# the times are for comparing the two kernels, not for the bench's rows.
# Output also kept in $BUILD/bench/profile.txt.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
KOBJ=${KOBJ:-$BUILD/obj}
out=$BUILD/bench
stage=$out/profile-stage
N=${PROFILE_ITERATIONS:-3000}
XENF=${PROFILE_XEN:-syms}
xsyms=()
[ "$XENF" != syms ] || xsyms=("$BUILD/xen-host/xen-syms.syms")

# shellcheck source=bench/debug-host-stage.sh
. "$top/bench/debug-host-stage.sh"
stage_debug_host "$stage" "$XENF"
echo "$N" > "$stage/profile-iterations"

mon=$stage/monitor.sock
rm -f "$mon" "$out/profile-serial.log" "$stage/samples"
python3 "$top/bench/profile-sample.py" sample "$mon" "$out/profile-serial.log" \
	"$stage/samples" &
sampler=$!
echo "  BENCH   where a fork+exec's time goes, sampled from QEMU, baseline then ours (about 10 minutes)"
st=0
export XEN_HOST_MONITOR=$mon
boot_debug_host "$stage" "$XENF" "$top/bench/profile-driver.sh" profile 1800 \
	"$stage/profile-iterations" || st=$?
wait "$sampler" || st=1
tr -d '\r' < "$out/profile-serial.log" | grep -a '^# profile:' || true
python3 "$top/bench/profile-sample.py" report "$stage/samples" "$N" \
	"$stage/vmlinux-base" "$stage/vmlinux-ours" "${xsyms[@]}" | tee "$out/profile.txt"
exit "$st"
