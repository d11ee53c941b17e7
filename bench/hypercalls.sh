#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# hypercalls.sh - `make bench-hypercalls`: what one fork+exec+exit+wait
# costs in hypercalls, ours against upstream's port, counted by Xen itself.
#
# The debug hypervisor (scripts/xen-host/build-xen.sh debug: built on first
# use, 5-10 minutes) counts every hypercall by number, and the calls made
# inside multicalls, mmu_update requests, mmuext ops and update_va_mapping
# calls.  bench/hypercalls-driver.sh boots the baseline (upstream's port from
# the same tarball and xen_defconfig, bench/build-baseline.sh) and ours as
# the same PV domU and runs bench/forkexec.c in each; the table below gives
# each counter per iteration and the ratio baseline / ours (above 1: we
# enter Xen less often).
#
# HC_ITERATIONS (default 1000) sets the number of fork+execs.  Output also
# kept in $BUILD/bench/hypercalls.txt.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
KOBJ=${KOBJ:-$BUILD/obj}
out=$BUILD/bench
stage=$out/hc-stage

# shellcheck source=bench/debug-host-stage.sh
. "$top/bench/debug-host-stage.sh"
stage_debug_host "$stage"
echo "${HC_ITERATIONS:-1000}" > "$stage/hc-iterations"

echo "  BENCH   hypercalls per fork+exec on the debug hypervisor, baseline then ours (about 8 minutes)"
st=0
boot_debug_host "$stage" debug "$top/bench/hypercalls-driver.sh" hc 2400 \
	"$stage/hc-iterations" || st=$?
tr -d '\r' < "$out/hc-serial.log" | grep -a '^# hypercalls:' || true
# Hypercall numbers as Xen's public ABI (xen.h) names them
tr -d '\r' < "$out/hc-serial.log" | grep -a '^HCALL: ' | awk '
	BEGIN { split("set_trap_table mmu_update set_gdt stack_switch set_callbacks fpu_taskswitch sched_op_compat platform_op set_debugreg get_debugreg update_descriptor - memory_op multicall update_va_mapping set_timer_op event_channel_op_compat xen_version console_io physdev_op_compat grant_table_op vm_assist update_va_mapping_otherdomain iret vcpu_op set_segment_base mmuext_op xsm_op nmi_op sched_op callback_op xenoprof_op event_channel_op physdev_op", nm, " ") }
	{ k = $3; if (k ~ /^hypercall-/) { i = substr(k, 11) + 0; k = "hypercall " (((i + 1) in nm && nm[i + 1] != "-") ? nm[i + 1] : i) }
	  if (k ~ /^exception-/) { i = substr(k, 11) + 0; k = "exception " (i == 13 ? "#GP" : i == 14 ? "#PF" : i) }
	  v[k, $2] = $4; keys[k] = 1 }
	END {
		printf "%-36s %10s %10s %7s\n", "per fork+exec", "baseline", "ours", "ratio"
		for (k in keys) {
			b = v[k, "base"] + 0; o = v[k, "ours"] + 0
			if (b < 0.05 && o < 0.05) continue
			printf "%-36s %10.2f %10.2f %7s\n", k, b, o, (o > 0 ? sprintf("%.2f", b / o) : "-")
		}
	}' | (read -r h; echo "$h"; sort) | tee "$out/hypercalls.txt"
exit "$st"
