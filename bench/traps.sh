#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# traps.sh - `make bench-traps`: where one fork+exec+exit+wait makes Xen
# step in, by the guest code that caused it, ours against upstream's port.
#
# bench/hypercalls.sh counts how often Xen is entered; this says from
# where.  bench/traps-driver.sh runs `forkexec N` (TRAPS_ITERATIONS,
# default 200) in each kernel on the debug hypervisor under Xen's trace
# buffer and tallies, by guest RIP, the instructions Xen emulated after a
# #GP, the trapped page-table writes and the page faults it bounced, and
# the hypercalls by number.  Here each kernel RIP becomes its function
# (addr2line on that kernel's vmlinux; user addresses count as "user"),
# and the table gives each per iteration.  The trace window is a little
# longer than the run (3 s before it), so idle timer work shows too.
# Output also kept in $BUILD/bench/traps.txt.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
KOBJ=${KOBJ:-$BUILD/obj}
out=$BUILD/bench
stage=$out/traps-stage

# shellcheck source=bench/debug-host-stage.sh
. "$top/bench/debug-host-stage.sh"
stage_debug_host "$stage"
cp /usr/lib/xen-4.17/bin/xentrace "$stage/xentrace"
echo "${TRAPS_ITERATIONS:-200}" > "$stage/traps-iterations"

echo "  BENCH   where Xen steps in per fork+exec, traced on the debug hypervisor, baseline then ours (about 6 minutes)"
st=0
boot_debug_host "$stage" debug "$top/bench/traps-driver.sh" traps 1800 \
	"$stage/xentrace" "$stage/traps-iterations" || st=$?
tr -d '\r' < "$out/traps-serial.log" | grep -a '^# traps:' || true
tr -d '\r' < "$out/traps-serial.log" | grep -a '^TRAPS: ' |
	python3 "$top/bench/traps-report.py" "$stage/vmlinux-base" "$stage/vmlinux-ours" |
	tee "$out/traps.txt"
exit "$st"
