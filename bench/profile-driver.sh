#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# profile-driver.sh - the dom0 half of `make bench-profile`.  Run by busybox
# sh in dom0 of the embedded Xen host (bench/profile.sh hands it to boot.sh
# --driver --no-create) while bench/profile-sample.py reads the emulated
# CPUs' registers from QEMU's monitor.
#
# For each kernel (the baseline, upstream's port, then ours) it boots the
# same PV domU, warms up with 200 fork+execs, then runs `forkexec N` between
# a "PROFILE: begin KERNEL" and a "PROFILE: end KERNEL" line on the console:
# the sampler counts only the samples taken between the two.

# shellcheck source=bench/debug-host-domu.sh
. /extra/debug-host-domu.sh
N=$(cat /extra/profile-iterations 2>/dev/null || echo 3000)

say() { echo "# profile: $*"; }

st=0
for k in base ours; do
	start_domu "$k" 200 || { st=1; continue; }
	sleep 2
	echo "PROFILE: begin $k"
	domu 900 "forkexec $N" > /tmp/prof.fe || { say "$k: forkexec failed"; st=1; }
	echo "PROFILE: end $k"
	say "$k: $(cat /tmp/prof.fe)"
	"$XL" destroy "$DOMU" > /dev/null 2>&1
	sleep 2
done
exit $st
