#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# driver.sh - the benchmark, run by busybox sh in dom0 of the embedded Xen
# host (bench/run.sh hands it to scripts/xen-host/boot.sh --driver
# --no-create).
#
# For ROUNDS rounds it boots the baseline kernel (upstream's port) and ours,
# in ABBA order, each as the same PV domU (same config, memory, vCPUs, xvda, and a
# RAM-backed xvdb), runs every workload in it through the xtest agent, and
# destroys it.  Every measurement is printed as one line
#
#     BENCH: <round> <kernel> <metric> <value>
#
# which bench/report.py turns into the table.  Nothing here judges a value.

XTEST=/extra/xtest
XL=/usr/lib/xen-4.17/bin/xl
ROUNDS=$(cat /extra/rounds 2>/dev/null || echo 3)

say() { echo "# bench: $*"; }
ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
domu() { timeout "$1" "$XTEST" call "$DOMU_IP" 7000 "$2"; }
emit() { [ -n "$4" ] && echo "BENCH: $1 $2 $3 $4"; }

# Boot KERNEL (base|ours) and print the create-to-init time in ms.
boot() {
	sed "s|^kernel = .*|kernel = \"/extra/vmlinux-$1\"|" "$DOMU_CFG" > /tmp/bench.cfg
	rm -f "$CONSOLE_LOG"
	t0=$(ms)
	"$XL" create -q /tmp/bench.cfg > /dev/null || return 1
	while ! grep -qs 'XTEST-INIT: reached init' "$CONSOLE_LOG"; do
		[ $(($(ms) - t0)) -lt 120000 ] || return 1
		usleep 20000
	done
	echo $(($(ms) - t0))
}

destroy() {
	"$XL" destroy "$DOMU" > /dev/null 2>&1
	while "$XL" list "$DOMU" > /dev/null 2>&1; do usleep 100000; done
}

# fio on xvdb; prints the value of terse field F (1-based, ';'-separated).
fio_run() { # NAME RW BS QD FIELD
	domu 120 "fio --name=$1 --filename=/dev/xvdb --direct=1 --ioengine=libaio \
		--rw=$2 --bs=$3 --iodepth=$4 --runtime=10 --time_based \
		--size=200m --minimal" | awk -F';' -v f="$5" 'NF > 50 { print $f }'
}

# iperf3 to dom0's server for 10 s; prints receiver Gbit/s.
iperf() { # EXTRA_ARGS
	domu 60 "iperf3 -c $DOM0_IP -t 10 -f m $1" |
		awk '/receiver/ { printf "%.3f", $(NF - 2) / 1000 }'
}

one() { # ROUND KERNEL
	r=$1 k=$2
	t=$(boot "$k") || { say "round $r: $k did not boot"; destroy; return 1; }
	emit "$r" "$k" boot_ms "$t"
	domu 60 true || { say "round $r: $k agent not answering"; destroy; return 1; }
	emit "$r" "$k" forkexec_us "$(domu 300 'forkexec 2000' | awk '/forkexec_us/ { print $2 }')"
	domu 120 'anonmem 256 5' > /tmp/anon.out
	emit "$r" "$k" anon_gbps "$(awk '/anonmem_gbps/ { print $2 }' /tmp/anon.out)"
	emit "$r" "$k" anon_faults_per_s "$(awk '/anonmem_faults/ { print $2 }' /tmp/anon.out)"
	# terse v3: read bw KiB/s is field 7, read IOPS 8; write bw 48
	emit "$r" "$k" fio_seqread_mbps "$(fio_run sr read 1m 16 7 | awk '{ printf "%.1f", $1 * 1024 / 1e6 }')"
	emit "$r" "$k" fio_seqwrite_mbps "$(fio_run sw write 1m 16 48 | awk '{ printf "%.1f", $1 * 1024 / 1e6 }')"
	emit "$r" "$k" fio_randread_iops "$(fio_run rr randread 4k 32 8)"
	emit "$r" "$k" iperf_tx_gbps "$(iperf '')"
	emit "$r" "$k" iperf_rx_gbps "$(iperf -R)"
	destroy
}

iperf3 -s -D > /dev/null 2>&1 || { say "iperf3 server did not start"; exit 1; }
# fill xvdb once so reads hit real data, not holes
dd if=/dev/zero of="$DISK2_FILE" bs=1M count=200 conv=notrunc 2> /dev/null

fails=0
r=1
while [ $r -le "$ROUNDS" ]; do
	# ABBA order, so a drift in the host's speed hits both sides alike
	order="base ours"
	[ $((r % 2)) -eq 0 ] && order="ours base"
	for k in $order; do
		say "round $r/$ROUNDS: $k"
		one $r $k || fails=$((fails + 1))
	done
	r=$((r + 1))
done
say "done, $fails boots failed"
exit $fails
