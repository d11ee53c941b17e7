#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# driver.sh - the benchmark, run by busybox sh in dom0 of the embedded Xen
# host (bench/run.sh hands it to scripts/xen-host/boot.sh --driver
# --no-create).
#
# First a warm-up boot of each kernel (its numbers are printed as round 0
# and not counted).  Then, for ROUNDS rounds, it boots the baseline kernel
# (upstream's port) and ours, the order alternating from round to round,
# each as the same PV domU (same config, memory, vCPUs, xvda, and a
# RAM-backed xvdb), runs every workload in it through the xtest agent, and
# destroys it.  Each round also boots the baseline a second time as "tuned":
# its blkfront given our ring and indirect-segment defaults on the kernel
# command line, and only the fio workloads run, so the table can tell what
# is design from what is defaults.  Every measurement is printed as one line
#
#     BENCH: <round> <kernel> <metric> <value>
#
# and what each side's disk negotiated (from dom0's xenstore and the domU's
# blkfront parameters) as "NEGOTIATED: <kernel> key=value ...".
# bench/report.py turns them into the table.  A workload that gives no
# value, or a fio run that reports an error, fails the run.

XTEST=/extra/xtest
XL=/usr/lib/xen-4.17/bin/xl
ROUNDS=$(cat /extra/rounds 2>/dev/null || echo 3)
# BENCH_MMU_ONLY=1 (bench/run.sh): boot, fork+exec and anonymous memory only
# ("1"); BENCH_CPU_ONLY=1: those and the two CPU rows ("cpu")
MMU_ONLY=$(cat /extra/mmuonly 2>/dev/null)

say() { echo "# bench: $*"; }
ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }
domu() { timeout "$1" "$XTEST" call "$DOMU_IP" 7000 "$2"; }
missing=0
emit() { # ROUND KERNEL METRIC VALUE: a missing value is an error
	if [ -n "$4" ]; then
		echo "BENCH: $1 $2 $3 $4"
	else
		say "round $1: $2 gave no value for $3"
		missing=$((missing + 1))
	fi
}

# blkfront of the baseline with our defaults (ring of 4 pages, 128 segments)
TUNED="xen_blkfront.max_ring_page_order=2 xen_blkfront.max_indirect_segments=128"

# Boot KERNEL (base|tuned|ours) and print the create-to-init time in ms.
# xl builds the domain paused and then starts it, so that the two parts can
# be told apart: /tmp/create_ms is xl's domain building alone (the same work
# for either kernel: memory, the images loaded, the backends and their
# hotplug scripts), /tmp/start_ms the kernel's own boot to init, from
# `xl unpause` to init's first line on the console, both timed by dom0.
# (boot runs in a command substitution: files, not variables)
boot() {
	v=$1
	[ "$v" = tuned ] && v=base
	sed "s|^kernel = .*|kernel = \"/extra/vmlinux-$v\"|" "$DOMU_CFG" > /tmp/bench.cfg
	if [ "$1" = tuned ]; then
		sed -i "s|^extra = \"\(.*\)\"|extra = \"\\1 $TUNED\"|" /tmp/bench.cfg
		grep -q "$TUNED" /tmp/bench.cfg || return 1
	fi
	rm -f "$CONSOLE_LOG"
	t0=$(ms)
	"$XL" create -q -p /tmp/bench.cfg > /dev/null || return 1
	t1=$(ms)
	echo $((t1 - t0)) > /tmp/create_ms
	"$XL" unpause "$DOMU" || return 1
	while ! grep -qs 'XTEST-INIT: reached init' "$CONSOLE_LOG"; do
		[ $(($(ms) - t0)) -lt 120000 ] || return 1
		usleep 20000
	done
	t2=$(ms)
	echo $((t2 - t1)) > /tmp/start_ms
	echo $((t2 - t0))
}

destroy() {
	"$XL" destroy "$DOMU" > /dev/null 2>&1
	while "$XL" list "$DOMU" > /dev/null 2>&1; do usleep 100000; done
}

# fio on xvdb; prints the value of terse field F (1-based, ';'-separated),
# nothing when fio failed or its error field (5) is not 0.
fio_run() { # NAME RW BS QD FIELD
	domu 120 "fio --name=$1 --filename=/dev/xvdb --direct=1 --ioengine=libaio \
		--rw=$2 --bs=$3 --iodepth=$4 --runtime=10 --time_based \
		--size=200m --minimal" > /tmp/fio.out
	st=$?
	awk -F';' 'NF > 50 && $5 != 0 { print "# bench: fio " $3 ": error " $5 }' /tmp/fio.out
	[ $st -eq 0 ] && awk -F';' -v f="$5" 'NF > 50 && $5 == 0 { print $f }' /tmp/fio.out
}

# What xvdb negotiated, seen from dom0's xenstore (frontend and backend
# keys) and from the domU's blkfront parameters.
# (its variables are global, as all of this file's are: their names start
# with n_, apart from one()'s)
negotiated() { # KERNEL
	n_fe=/local/domain/$("$XL" domid "$DOMU")/device/vbd/51728
	n_be=$(xenstore-read "$n_fe/backend")
	n_line=
	for n_key in ring-page-order multi-queue-num-queues feature-persistent; do
		n_line="$n_line $n_key=$(xenstore-read "$n_fe/$n_key" 2>/dev/null || echo -)"
	done
	n_line="$n_line backend-max-indirect=$(xenstore-read "$n_be/feature-max-indirect-segments" 2>/dev/null || echo -)"
	n_par=$(domu 10 'cd /sys/module/xen_blkfront/parameters &&
		for f in max_indirect_segments max_ring_page_order max_queues; do
		printf "%s=%s " front-$f $(cat $f); done')
	echo "NEGOTIATED: $1$n_line $n_par"
}

# iperf3 to dom0's server for 10 s; prints receiver Gbit/s.
iperf() { # EXTRA_ARGS
	domu 60 "iperf3 -c $DOM0_IP -t 10 -f m $1" |
		awk '/receiver/ { printf "%.3f", $(NF - 2) / 1000 }'
}

fio_all() { # ROUND KERNEL
	# terse v3: read bw KiB/s is field 7, read IOPS 8; write bw 48
	emit "$1" "$2" fio_seqread_mbps "$(fio_run sr read 1m 16 7 | awk '{ printf "%.1f", $1 * 1024 / 1e6 }')"
	emit "$1" "$2" fio_seqwrite_mbps "$(fio_run sw write 1m 16 48 | awk '{ printf "%.1f", $1 * 1024 / 1e6 }')"
	emit "$1" "$2" fio_randread_iops "$(fio_run rr randread 4k 32 8)"
}

one() { # ROUND KERNEL
	r=$1 k=$2
	t=$(boot "$k") || { say "round $r: $k did not boot"; destroy; return 1; }
	emit "$r" "$k" boot_ms "$t"
	emit "$r" "$k" start_to_init_ms "$(cat /tmp/start_ms)"
	domu 60 true || { say "round $r: $k agent not answering"; destroy; return 1; }
	[ "$r" = 1 ] && negotiated "$k"
	if [ "$k" = tuned ]; then
		fio_all "$r" "$k"
		destroy
		return 0
	fi
	emit "$r" "$k" forkexec_us "$(domu 300 'forkexec 2000' | awk '/forkexec_us/ { print $2 }')"
	domu 120 'anonmem 256 5' > /tmp/anon.out
	emit "$r" "$k" anon_gbps "$(awk '/anonmem_gbps/ { print $2 }' /tmp/anon.out)"
	emit "$r" "$k" anon_faults_per_mib "$(awk '/anonmem_faults_per_mib/ { print $2 }' /tmp/anon.out)"
	if [ "$MMU_ONLY" = 1 ]; then
		destroy
		return 0
	fi
	# entering the kernel (a raw getpid) and switching tasks (a byte bounced
	# over two pipes between two processes pinned to one vCPU)
	emit "$r" "$k" getpid_ns "$(domu 120 'cpuops getpid 20000 5' |
		awk '/^getpid_ns/ { print $2 }')"
	emit "$r" "$k" pipe_pingpong_us "$(domu 120 'cpuops pingpong 1000 5' |
		awk '/^pipe_pingpong_us/ { print $2 }')"
	if [ "$MMU_ONLY" = cpu ]; then
		destroy
		return 0
	fi
	fio_all "$r" "$k"
	emit "$r" "$k" iperf_tx_gbps "$(iperf '')"
	emit "$r" "$k" iperf_rx_gbps "$(iperf -R)"
	# event channels: a futex hand-over between the two vCPUs (an IPI
	# each way) and how late a 1 ms nanosleep wakes (the one-shot timer)
	emit "$r" "$k" ipi_rtt_us "$(domu 120 'xcpu pingpong 0 1 20000' |
		awk '/^pingpong:/ { sub(/ us each/, ""); print $NF }')"
	emit "$r" "$k" nanosleep_late_us "$(domu 60 'xcpu nanosleep 500 1000' |
		awk '/^nanosleep:/ { for (i = 1; i < NF; i++) if ($i == "median") print $(i + 1) }')"
	destroy
}

iperf3 -s -D > /dev/null 2>&1 || { say "iperf3 server did not start"; exit 1; }
# fill xvdb once so reads hit real data, not holes
dd if=/dev/zero of="$DISK2_FILE" bs=1M count=200 conv=notrunc 2> /dev/null

fails=0
# BOOT_ONLY=N (from bench/run.sh): boot each kernel N times, alternating,
# and print only boot_ms, start_to_init_ms, kernel_init_ms (the domU's own
# printk time of "Run /init", which leaves out xl's domain building), and
# boot_ms split into its parts
# printk_ms TEXT: the printk time, in ms, of TEXT's first line in the console
printk_ms() {
	tr -d '\r' < "$CONSOLE_LOG" | grep -F "$1" | head -n 1 |
		sed -n 's|^\[ *\([0-9]*\)\.\([0-9]\{3\}\).*|\1\2|p' | sed 's/^0*//; s/^$/0/'
}
n=$(cat /extra/bootonly 2> /dev/null)
case $n in
'') ;;
*[!0-9]*) say "BOOT_ONLY='$n' is not a number"; exit 1 ;;
esac
if [ -n "$n" ]; then
	r=0
	while [ $r -le "$n" ]; do
		for k in base ours; do
			t=$(boot "$k") || { say "boot $r: $k did not boot"; fails=$((fails + 1)); destroy; continue; }
			i=$(printk_ms 'Run /init')
			f=$(printk_ms 'Freeing unused kernel image (initmem)')
			c=$(cat /tmp/create_ms)
			emit "$r" "$k" boot_ms "$t"
			emit "$r" "$k" start_to_init_ms "$(cat /tmp/start_ms)"
			emit "$r" "$k" kernel_init_ms "$i"
			# where boot_ms goes: xl create, the kernel to its initcalls'
			# end, then to /init, and the rest (xl unpause, init's first
			# steps, the console's way to dom0)
			emit "$r" "$k" create_ms "$c"
			emit "$r" "$k" initcalls_ms "$f"
			emit "$r" "$k" initmem_to_init_ms "$((i - f))"
			emit "$r" "$k" rest_ms "$((t - c - i))"
			destroy
		done
		r=$((r + 1))
	done
	say "done, $fails boots failed, $missing values missing"
	exit $((fails + missing))
fi
# warm-up: each kernel once, first boots of the session and cold caches
for k in base ours; do
	say "warm-up: $k"
	one 0 $k || fails=$((fails + 1))
done
r=1
while [ $r -le "$ROUNDS" ]; do
	# the order alternates, so a drift in the host's speed hits both alike
	order="base tuned ours"
	[ $((r % 2)) -eq 0 ] && order="ours tuned base"
	[ -n "$MMU_ONLY" ] && order=$(echo "$order" | sed 's/ tuned//')
	for k in $order; do
		say "round $r/$ROUNDS: $k"
		one $r $k || fails=$((fails + 1))
	done
	r=$((r + 1))
done
say "done, $fails boots failed, $missing values missing"
exit $((fails + missing))
