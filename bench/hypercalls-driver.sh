#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hypercalls-driver.sh - counts the hypercalls a fork+exec costs, from
# Xen's own counters.  Run by busybox sh in dom0 of the embedded Xen host on
# the debug hypervisor, which is built with CONFIG_PERF_COUNTERS and
# PERF_ARRAYS (bench/hypercalls.sh hands it to boot.sh --driver --no-create).
#
# For each kernel (the baseline, upstream's port, then ours) it boots the
# same PV domU, warms up with 200 fork+execs, then:
#   idle   resets Xen's counters ('P' debug key), lets the domU sit for as
#          long as the work will take, and reads them ('p'): what dom0,
#          Xen's timers and an idle domU cost meanwhile;
#   work   resets them, runs `forkexec N` in the domU, and reads them again.
# work minus idle, divided by N, is what one fork+exec+exit+wait costs.
# The counters are Xen-wide (all domains, all CPUs): hence the idle run.
#
# Output: "HCALL: <kernel> <counter> <per fork+exec>" lines for
# bench/hypercalls.sh to tabulate, for every hypercall number that moved
# and exception vector that moved (13 is #GP, an instruction Xen emulates;
# 14 is #PF) and for Xen's mmu_update, mmuext_op, update_va_mapping and
# multicall counters.

# shellcheck source=bench/debug-host-domu.sh
. /extra/debug-host-domu.sh
N=$(cat /extra/hc-iterations 2>/dev/null || echo 1000)

say() { echo "# hypercalls: $*"; }

# counters: Xen's perf counters as "name value" lines: one per counter
# (its TOTAL) and "hypercall-NN value" for each hypercall number
counters() {
	"$XL" dmesg -c > /dev/null 2>&1
	"$XL" debug-keys p > /dev/null 2>&1
	sleep 1
	"$XL" dmesg 2> /dev/null | sed 's/^(XEN) *\(\[[^]]*\] *\)\{0,1\}//' | awk '
		/TOTAL\[/ { name = $0; sub(/ *TOTAL\[.*/, "", name); gsub(/ +/, "_", name)
			v = $0; sub(/.*TOTAL\[ */, "", v); sub(/\].*/, "", v); print name, v + 0 }
		name == "hypercalls" || name == "exceptions" {
			s = $0
			while (match(s, /ARR[0-9]+\[ *[0-9]+\]/)) {
				f = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
				i = f; sub(/^ARR/, "", i); sub(/\[.*/, "", i)
				c = f; sub(/.*\[ */, "", c); sub(/\]/, "", c)
				if (c + 0) print (name == "hypercalls" ? "hypercall-" : "exception-") i, c + 0
			} }'
}

reset() { "$XL" debug-keys P > /dev/null 2>&1; }

measure() { # KERNEL
	start_domu "$1" 200 || return 1
	reset
	t0=$(awk '{ print int($1) }' /proc/uptime)
	domu 900 "forkexec $N" > /tmp/hc.fe || { say "$1: forkexec failed"; return 1; }
	t=$(($(awk '{ print int($1) }' /proc/uptime) - t0 + 1))
	counters > /tmp/hc.work
	reset
	sleep "$t"
	counters > /tmp/hc.idle
	say "$1: $(cat /tmp/hc.fe) over $N iterations, $t s; idle $t s subtracted"
	awk -v k="$1" -v n="$N" 'NR == FNR { idle[$1] = $2; next }
		{ d = $2 - idle[$1]; if (d < 0) d = 0; printf "HCALL: %s %s %.2f\n", k, $1, d / n }' \
		/tmp/hc.idle /tmp/hc.work
	"$XL" destroy "$DOMU" > /dev/null 2>&1
	sleep 2
}

"$XL" debug-keys p > /dev/null 2>&1
"$XL" dmesg | grep -q 'TOTAL\[' || { say "this Xen has no perf counters (build-xen.sh debug)"; exit 1; }
st=0
for k in base ours; do
	measure "$k" || st=1
done
exit $st
