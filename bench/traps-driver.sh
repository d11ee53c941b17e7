#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# traps-driver.sh - where a fork+exec makes Xen step in, by guest address,
# from Xen's trace buffer.  Run by busybox sh in dom0 of the embedded Xen
# host on the debug hypervisor (bench/traps.sh hands it to boot.sh --driver
# --no-create, with Xen's own xentrace as /extra/xentrace).
#
# For each kernel (the baseline, then ours) it boots the same PV domU,
# warms up with 100 fork+execs, starts xentrace on the PV trace class
# (TRC_PV, mask 0x0020f000), runs `forkexec N` and stops it.  A trace
# record is a header word (event id in bits 0-27, extra words in bits
# 28-30, bit 31 when a 64-bit TSC follows) and its extra words.  Of the
# PV events this tallies, by the guest RIP each carries (64-bit guests):
#   2101510 (0x201106)  an instruction Xen emulated after a #GP (rdtsc,
#                       rdmsr, ...): the RIP after it
#   2101515 (0x20110b)  a trapped write to a page table (ptwr emulation):
#                       words pte(2), addr(2), rip(2)
#   2101508 (0x201104)  a page fault Xen bounced to the guest: rip(2), ...
#   2101261 (0x20100d)  a hypercall: the low byte of word 0 is its number
# and prints "TRAPS: <kernel> <kind> <rip high> <rip low> <count>" and
# "TRAPS: <kernel> hypercall <nr> 0 <count>" for bench/traps.sh to map to
# symbols.  busybox awk prints numbers past 2^31 wrongly in hex, so the
# RIP's two halves go out as od printed them, in decimal.

# shellcheck source=bench/debug-host-domu.sh
. /extra/debug-host-domu.sh
N=$(cat /extra/traps-iterations 2>/dev/null || echo 200)

say() { echo "# traps: $*"; }

measure() { # KERNEL
	start_domu "$1" 100 || return 1
	rm -f /tmp/tr.bin
	/extra/xentrace -D -S 256 -e 0x0020f000 /tmp/tr.bin > /tmp/xt.log 2>&1 &
	xp=$!
	sleep 3
	domu 900 "forkexec $N" > /tmp/tr.fe || { say "$1: forkexec failed"; kill -INT $xp; return 1; }
	kill -INT $xp
	wait $xp
	say "$1: $(cat /tmp/tr.fe) over $N iterations; trace $(wc -c < /tmp/tr.bin) bytes"
	echo "TRAPS: $1 iterations $N 0 1"
	od -An -v -tu4 /tmp/tr.bin | awk -v k="$1" '
	{ for (f = 1; f <= NF; f++) w[nw++] = $f }
	END {
		i = 0
		while (i < nw) {
			h = w[i]; ev = h % 268435456; n = int(h / 268435456) % 8
			d = i + 1 + (h >= 2147483648 ? 2 : 0)
			if (ev == 2101510) c["emulated " w[d + 1] " " w[d]]++
			else if (ev == 2101515) c["ptwr " w[d + 5] " " w[d + 4]]++
			else if (ev == 2101508) c["pagefault " w[d + 1] " " w[d]]++
			else if (ev == 2101261) c["hypercall " (w[d] % 256) " 0"]++
			i = d + n
		}
		for (x in c) print "TRAPS:", k, x, c[x]
	}'
	rm -f /tmp/tr.bin
	"$XL" destroy "$DOMU" > /dev/null 2>&1
	sleep 2
}

st=0
for k in base ours; do
	measure "$k" || st=1
done
exit $st
