#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bootprof-driver.sh - dom0 driver for a boot profile: boots
# /extra/vmlinux-ours and /extra/vmlinux-base twice each, alternating, with
# initcall_debug, and prints each domU's whole console log with a
# "CON-<kernel>-<n>: " prefix on the serial line.  bench/bootprof.py reads
# that log.  Run it by hand (the build/bench files come from make bench):
#
#   scripts/xen-host/boot.sh --kernel build/obj/vmlinux \
#	--initrd build/bench/initrd.cpio \
#	--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent" \
#	--vcpus 2 --memory 512 --disk2-mb 256 --no-create \
#	--driver bench/bootprof-driver.sh --extra tests/boot/lib.sh \
#	--extra build/bench/xtest --extra build/bench/stage/vmlinux-ours \
#	--extra build/bench/stage/vmlinux-base --log /tmp/prof.log --timeout 900
#   python3 bench/bootprof.py /tmp/prof.log

. /extra/lib.sh
for i in 1 2; do
	for k in ours base; do
		sed -e "s|^kernel = .*|kernel = \"/extra/vmlinux-$k\"|" \
		    -e "s|^extra = \"\(.*\)\"|extra = \"\\1 initcall_debug loglevel=8\"|" \
		    "$DOMU_CFG" > /tmp/p.cfg
		rm -f "$CONSOLE_LOG"
		"$XL" create -q /tmp/p.cfg > /dev/null || { say "$k: xl create failed"; continue; }
		n=0
		while ! grep -qs 'XTEST-INIT: reached init' "$CONSOLE_LOG" && [ $n -lt 600 ]; do
			usleep 100000
			n=$((n + 1))
		done
		tr -d '\r' < "$CONSOLE_LOG" | sed "s/^/CON-$k-$i: /"
		"$XL" destroy "$DOMU" > /dev/null 2>&1
		sleep 2
	done
done
exit 0
