#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# driver.sh - the boot tests, run by busybox sh in dom0 of the embedded Xen
# host once our kernel has been started as a PV domU (scripts/check.sh hands
# it to scripts/xen-host/boot.sh --driver).
#
# The domU boots tests/domu/init in agent mode: it runs `xtest serve 7000`,
# and this script drives it with `xtest call`.  Each test prints one line
# "TAP: ok - NAME" or "TAP: not ok - NAME" (check.sh numbers them), and a
# failing test prints the tail of the domU console and of Xen's log.
#
# Environment from boot.sh: DOMU (domain name), DOMU_IP, DOM0_IP, DISK_FILE
# (dom0 path of xvda's backing file) and CONSOLE_LOG (the domU console log).

. /extra/lib.sh

t_boot() {
	wait_init || { say "domU never reached init"; return 1; }
	grep -a 'XTEST-INIT' "$CONSOLE_LOG" | sed 's/^/# /'
	cpus=$(domu 60 'nproc') || { say "agent did not answer"; return 1; }
	say "domU runs with $cpus vCPUs; xl list says $("$XL" list "$DOMU" | awk 'NR == 2 { print $4 }')"
	[ "$cpus" = 2 ] || return 1
	# online vCPUs: running or blocked, not paused (an offline vCPU is --p)
	"$XL" vcpu-list "$DOMU" | awk 'NR > 1 && $5 ~ /^[-r][-b]-$/ { n++ } END { exit n != 2 }' ||
		{ "$XL" vcpu-list "$DOMU" | sed 's/^/# /'; say "Xen does not run 2 vCPUs"; return 1; }
	log_clean 'Booting paravirtualized|xen_netfront|xen[-_]blkfront'
}

# KUnit suites built into the kernel ran at boot (check.sh boots with
# kunit.enable=1).  /extra/kunit-suites.txt (made by make-domu-initrd.sh
# from our sources) names every suite we ship and its number of cases; each
# must report in the console log with all its cases passed.
t_kunit() {
	[ -s /extra/kunit-suites.txt ] || { say "no /extra/kunit-suites.txt"; return 1; }
	tr -d '\r' < "$CONSOLE_LOG" | sed 's/^\[[ 0-9.]*\] //' > /tmp/kunit.out
	grep -E '^(not )?ok [0-9]+ |^# [^ ]+: pass:' /tmp/kunit.out | sed 's/^/# kunit: /'
	st=0
	while read -r name cases; do
		if ! grep -qx "ok [0-9]* $name" /tmp/kunit.out; then
			say "suite $name did not report ok"
			st=1
		elif grep -qx "# $name: pass:$cases fail:0 skip:0 total:$cases" /tmp/kunit.out; then
			:
		# KUnit prints no totals line for a suite of one case: its plan
		# (1..1) and that case's "ok 1" stand for it
		elif [ "$cases" = 1 ] && awk -v s="$name" '
			$0 ~ "^ +# Subtest: " s "$" { on = 1; next }
			on && /^ +1\.\.1$/ { plan = 1 }
			on && /^ +ok 1 / { okc = 1 }
			on && /^(not )?ok [0-9]+ / { exit !(plan && okc) }
			END { if (!on) exit 1 }' /tmp/kunit.out; then
			:
		else
			say "suite $name: expected $cases cases, all passed"
			st=1
		fi
	done < /extra/kunit-suites.txt
	if grep -qE '^not ok [0-9]+ ' /tmp/kunit.out; then
		say "a suite failed"
		st=1
	fi
	return $st
}

# t_disk SEED MIB: a pattern onto xvda through blkfront, read back, and the
# same bytes in dom0's backing file; then a pattern dom0 wrote into the
# backing file, read by the domU.  A block put at the wrong sector, short or
# torn, fails one of the two.
t_disk() {
	pattern_through /dev/xvda "$DISK_FILE" "$1" "$2" &&
		pattern_from "$DISK_FILE" /dev/xvda $(($1 + 1000)) "$2"
}

# ext4 made, filled and checked in the domU, then judged in dom0: e2fsck on
# the backing file finds it clean, and each file, read out of the image by
# debugfs, holds the pattern or the checksum the domU wrote.
t_ext4() {
	domu 900 '
	set -e
	mkfs.ext4 -q -F /dev/xvda
	mount -t ext4 /dev/xvda /mnt
	mkdir /mnt/d
	for i in 1 2 3 4 5 6 7 8; do xtest write /mnt/d/f$i $i 4 2>/dev/null; done
	dd if=/dev/urandom of=/mnt/d/random bs=64k count=64 2>/dev/null
	(cd /mnt/d && sha256sum f* random) > /tmp/sums
	umount /mnt
	e2fsck -fn /dev/xvda
	mount -t ext4 /dev/xvda /mnt
	(cd /mnt/d && sha256sum -c /tmp/sums)
	for i in 1 2 3 4 5 6 7 8; do xtest verify /mnt/d/f$i $i 4; done
	umount /mnt
	cat /tmp/sums' > /tmp/ext4.out 2>&1
	st=$?
	sed 's/^/# domU: /' /tmp/ext4.out | tail -n 30
	[ $st -eq 0 ] || return 1
	e2fsck -fn "$DISK_FILE" > /tmp/fsck.out 2>&1
	st=$?
	sed 's/^/# dom0 e2fsck: /' /tmp/fsck.out | tail -n 3
	[ $st -eq 0 ] || return 1
	for i in 1 2 3 4 5 6 7 8; do
		debugfs -R "dump /d/f$i /tmp/f$i" "$DISK_FILE" > /dev/null 2>&1 &&
			"$XTEST" verify /tmp/f$i "$i" 4 > /dev/null 2>&1 ||
			{ say "dom0: /d/f$i in the image does not hold its pattern"; return 1; }
		rm -f /tmp/f$i
	done
	want=$(grep -E '^[0-9a-f]{64}  random$' /tmp/ext4.out | cut -c1-64)
	got=$(debugfs -R "cat /d/random" "$DISK_FILE" 2>/dev/null | sha256sum | cut -c1-64)
	say "dom0: f1-f8 hold their patterns; random: domU $want, dom0 $got"
	[ -n "$want" ] && [ "$want" = "$got" ]
}

# tcp_both MIB PORT SEED: MIB MiB domU -> dom0 on PORT, then dom0 -> domU on
# PORT+1 (seed SEED+1), each checked byte for byte by the receiver.
tcp_both() {
	t0=$(date +%s)
	timeout 600 "$XTEST" recv "$2" "$3" "$1" > /tmp/recv.out 2>&1 &
	rpid=$!
	domu 600 "xtest send $DOM0_IP $2 $3 $1" | sed 's/^/# domU: /'
	wait $rpid
	st=$?
	sed 's/^/# dom0: /' /tmp/recv.out
	[ $st -eq 0 ] || return 1
	t1=$(date +%s)
	domu 600 "xtest recv $(($2 + 1)) $(($3 + 1)) $1" > /tmp/recv.out 2>&1 &
	rpid=$!
	timeout 600 "$XTEST" send "$DOMU_IP" $(($2 + 1)) $(($3 + 1)) "$1" 2>&1 | sed 's/^/# dom0: /'
	wait $rpid
	st=$?
	sed 's/^/# domU: /' /tmp/recv.out
	say "$1 MiB domU->dom0 in $((t1 - t0)) s, dom0->domU in $(($(date +%s) - t1)) s"
	return $st
}

# t_net MIB: pings both ways, then MIB MiB each way over TCP, checked byte
# for byte against the pattern on the receiving side.
t_net() {
	domu 60 "ping -c 3 -W 5 $DOM0_IP" > /tmp/ping.out 2>&1 ||
		{ sed 's/^/# /' /tmp/ping.out; say "domU cannot ping dom0"; return 1; }
	timeout 30 ping -c 3 -W 5 "$DOMU_IP" > /dev/null ||
		{ say "dom0 cannot ping the domU"; return 1; }
	tcp_both "$1" 7001 21
}

# nf_stat [IF] NAME: the sum over queues of netfront counter NAME in the domU.
nf_stat() {
	if [ $# -eq 1 ]; then set -- eth0 "$1"; fi
	domu 30 "ethtool -S $1" | awk -v k="_$2:" \
		'index($1, k) && $1 ~ /^q[0-9]+_/ { s += $2 } END { print s + 0 }'
}

# nf_qstat Q NAME: counter NAME of queue Q of the domU's eth0.
nf_qstat() {
	domu 30 "ethtool -S eth0" | awk -v k="q$1_$2:" '$1 == k { print $2 }'
}

# vif0: netback's device in dom0 for the domU's eth0 (domid: lib.sh).
vif0() { echo "vif$(domid).0"; }

# vif_stat VIF NAME: a standard counter of a netback device in dom0 (its rx
# is what the domU sent, its tx what the domU was sent).
vif_stat() { cat "/sys/class/net/$1/statistics/$2" 2> /dev/null || echo 0; }

# The device as the domU's ethtool sees it (our driver, two queues, the
# backend's offloads on), against dom0's own evidence: the keys the
# frontend wrote to xenstore (queues, rings, a TX and an RX event channel
# per queue, the features it asks for), netback's side (state, what it
# offers) and netback's interrupts for each queue in dom0's /proc/interrupts.
t_netfront_info() {
	domu 30 'ethtool -i eth0; ethtool -l eth0; ethtool -k eth0' > /tmp/nf.out 2>&1 ||
		{ sed 's/^/# /' /tmp/nf.out; return 1; }
	grep -E '^driver:|Combined:|^scatter-gather:|^tcp-segmentation-offload:|^tx-checksumming:|^rx-checksumming:' \
		/tmp/nf.out | sed 's/^/# ethtool: /'
	grep -q '^driver: xen_netfront' /tmp/nf.out &&
		[ "$(grep -cE 'Combined:[[:space:]]+2$' /tmp/nf.out)" = 2 ] &&
		grep -q '^scatter-gather: on' /tmp/nf.out &&
		grep -q '^tcp-segmentation-offload: on' /tmp/nf.out &&
		grep -q '^tx-checksumming: on' /tmp/nf.out || { say "the domU's ethtool disagrees"; return 1; }
	guest_q=$(awk '/Combined:/ { n = $2 } END { print n }' /tmp/nf.out)
	fe=/local/domain/$(domid)/device/vif/0
	be=$(xenstore-read "$fe/backend")
	st=0
	nq=$(xenstore-read "$fe/multi-queue-num-queues")
	say "xenstore: frontend state $(xenstore-read "$fe/state"), backend state $(xenstore-read "$be/state"), multi-queue-num-queues $nq (backend offers $(xenstore-read "$be/multi-queue-max-queues")), domU uses $guest_q"
	[ "$(xenstore-read "$fe/state")" = 4 ] && [ "$(xenstore-read "$be/state")" = 4 ] ||
		{ say "not both Connected"; st=1; }
	[ "$nq" = 2 ] && [ "$nq" = "$guest_q" ] || { say "queue counts differ"; st=1; }
	ports=
	q=0
	while [ $q -lt "${nq:-0}" ]; do
		line=
		for k in tx-ring-ref rx-ring-ref event-channel-tx event-channel-rx; do
			v=$(xenstore-read "$fe/queue-$q/$k" 2> /dev/null)
			case $v in ''|*[!0-9]*) say "queue-$q/$k is '$v'"; st=1 ;; esac
			line="$line $k=$v"
		done
		say "xenstore queue-$q:$line"
		ports="$ports $(xenstore-read "$fe/queue-$q/event-channel-tx") $(xenstore-read "$fe/queue-$q/event-channel-rx")"
		q=$((q + 1))
	done
	n_ports=$(echo $ports | wc -w)
	[ "$(echo $ports | tr ' ' '\n' | sort -u | wc -l)" = "$n_ports" ] ||
		{ say "event channels shared between queues or rings:$ports"; st=1; }
	feats=
	for k in request-rx-copy feature-rx-notify feature-sg feature-gso-tcpv4 \
		feature-gso-tcpv6 feature-ipv6-csum-offload; do
		v=$(xenstore-read "$fe/$k" 2> /dev/null)
		feats="$feats $k=$v"
		[ "$v" = 1 ] || st=1
	done
	say "xenstore frontend:$feats"
	grep -E "vif$(domid)\.0-q[0-9]+-(tx|rx)\$" /proc/interrupts | awk '{ print $NF }' |
		tr '\n' ' ' > /tmp/irqs.out
	say "dom0 /proc/interrupts, netback's: $(cat /tmp/irqs.out)"
	[ "$(wc -w < /tmp/irqs.out)" = $((2 * ${nq:-0})) ] ||
		{ say "dom0 has not one TX and one RX interrupt per queue"; st=1; }
	return $st
}

# nb_ring Q: "TX RX" ring indexes of netback's queue Q for the domU's eth0,
# from its debugfs file in dom0: the TX requests it has consumed and the RX
# responses it has produced, one per ring slot.
nb_ring() {
	grep -q ' /sys/kernel/debug ' /proc/mounts ||
		mount -t debugfs debugfs /sys/kernel/debug 2> /dev/null
	_f=/sys/kernel/debug/xen-netback/$(vif0)/io_ring_q$1
	[ -r "$_f" ] || { echo "0 0"; return; }
	awk '/^TX:/ { s = "tx" } /^RX:/ { s = "rx" }
		s == "tx" && $1 == "req" && $2 == "prod" { tx = $6 }
		s == "rx" && $1 == "rsp" && $2 == "prod" { rx = $3 }
		END { print tx + 0, rx + 0 }' "$_f"
}

# irq_count NAME: the sum over CPUs of dom0's interrupt line NAME.
irq_count() {
	awk -v n="$1" '$NF == n { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i }
		END { print s + 0 }' /proc/interrupts
}

# Both queues carry traffic.  TX: a UDP sender pinned to each vCPU (XPS maps
# CPU n to queue n; UDP leaves from the sending task's CPU, where TCP's
# ACK-clocked sends may leave from any).  RX: eight TCP flows, which netback
# spreads over the queues by flow hash.  Every datagram and flow is checked.
# Judged in dom0: netback's own ring indexes for each queue must move by at
# least 256 slots (1 MiB) each way, by no fewer slots than the bytes the
# guest counts on that queue need (a slot holds at most 4 KiB), and
# netback's interrupt of each queue's TX ring must have fired.
t_queues() {
	for c in tx rx; do
		for q in 0 1; do eval "before_${c}$q=\$(nf_qstat $q ${c}_bytes)"; done
	done
	for q in 0 1; do
		eval "ring0_$q=\"$(nb_ring $q)\""
		eval "irq0_$q=$(irq_count "$(vif0)-q$q-tx")"
	done
	timeout 120 "$XTEST" urecv 7100 50 400 8000 > /tmp/q0.out 2>&1 &
	r0=$!
	timeout 120 "$XTEST" urecv 7101 51 400 8000 > /tmp/q1.out 2>&1 &
	r1=$!
	sleep 1
	domu 120 "taskset 1 xtest usend $DOM0_IP 7100 50 400 8000 & a=\$!
		taskset 2 xtest usend $DOM0_IP 7101 51 400 8000 & b=\$!
		wait \$a && wait \$b" 2>&1 | sed 's/^/# domU: /'
	st=0
	wait $r0 || st=1
	wait $r1 || st=1
	sed 's/^/# dom0: /' /tmp/q0.out /tmp/q1.out
	[ $st -eq 0 ] || return 1
	domu 300 'st=0; pids=
		for p in 0 1 2 3 4 5 6 7; do xtest recv $((7110 + p)) $((60 + p)) 4 & pids="$pids $!"; done
		for p in $pids; do wait $p || st=1; done; exit $st' > /tmp/qr.out 2>&1 &
	rpid=$!
	for p in 0 1 2 3 4 5 6 7; do
		timeout 300 "$XTEST" send "$DOMU_IP" $((7110 + p)) $((60 + p)) 4 2> /dev/null &
	done
	wait $rpid
	st=$?
	wait
	grep -c ': ok,' /tmp/qr.out | sed 's/^/# domU: TCP flows verified: /'
	[ $st -eq 0 ] || { sed 's/^/# domU: /' /tmp/qr.out; return 1; }
	moved=0
	for q in 0 1; do
		set -- $(eval echo "\$ring0_$q") $(nb_ring $q)
		slots_tx=$((($3 - $1 + 4294967296) % 4294967296))
		slots_rx=$((($4 - $2 + 4294967296) % 4294967296))
		irqs=$(($(irq_count "$(vif0)-q$q-tx") - $(eval echo "\$irq0_$q")))
		for c in tx rx; do
			now=$(nf_qstat $q ${c}_bytes)
			eval "was=\$before_${c}$q"
			eval "slots=\$slots_$c"
			bytes=$((${now:-0} - ${was:-0}))
			say "queue $q $c: the domU counts $bytes bytes, netback $slots ring slots"
			[ "$bytes" -gt 1048576 ] && [ "$slots" -ge 256 ] &&
				[ "$slots" -ge $(((bytes + 4095) / 4096)) ] && moved=$((moved + 1))
		done
		say "queue $q: netback's TX interrupt fired $irqs times"
		[ "$irqs" -gt 0 ] || moved=0
	done
	[ $moved -eq 4 ]	# every queue, each way, seen in dom0 and in the domU
}

# up_frame MIB PORT SEED: MIB MiB of verified TCP from the domU to dom0;
# prints the average size of the frames netback took from the domU meanwhile
# (its vif's rx counters in dom0; a GSO packet counts as one frame).
up_frame() {
	set -- "$@" "$(vif_stat "$(vif0)" rx_packets)" "$(vif_stat "$(vif0)" rx_bytes)"
	timeout 300 "$XTEST" recv "$2" "$3" "$1" > /tmp/recv.out 2>&1 &
	_r=$!
	domu 300 "xtest send $DOM0_IP $2 $3 $1" > /dev/null 2>&1
	wait $_r || { sed 's/^/# dom0: /' /tmp/recv.out >&2; echo 0; return 1; }
	_f=$(($(vif_stat "$(vif0)" rx_packets) - $4))
	echo $((($(vif_stat "$(vif0)" rx_bytes) - $5) / (_f + 1)))
}

# ethtool -K: offloads off, then on again, with verified TCP each time; no
# GSO packet leaves while segmentation is off, and some do once it is back.
# Seen from dom0 too: with the offloads off netback takes no frame bigger
# than 1514 bytes from the domU, and with them on its frames average more
# than 2000 (a GSO packet holds at least two full segments) during a
# transfer from the domU.
t_offloads() {
	domu 30 'ethtool -K eth0 tso off gso off sg off tx off rx off && ethtool -k eth0' \
		> /tmp/k.out 2>&1 || { sed 's/^/# /' /tmp/k.out; return 1; }
	for f in scatter-gather tcp-segmentation-offload generic-segmentation-offload \
		tx-checksumming rx-checksumming; do
		grep -q "^$f: off" /tmp/k.out || { say "$f is not off"; return 1; }
	done
	say "sg, tso, gso, tx and rx checksumming off"
	gso0=$(nf_stat tx_gso)
	tcp_both 32 7200 71 || return 1
	gso1=$(nf_stat tx_gso)
	say "GSO packets sent while off: $((gso1 - gso0))"
	[ "$gso1" = "$gso0" ] || return 1
	avg=$(up_frame 8 7205 72) || return 1
	say "netback's average frame from the domU with the offloads off: $avg bytes"
	[ "$avg" -le 1514 ] || return 1
	domu 30 'ethtool -K eth0 tso on gso on sg on tx on rx on && ethtool -k eth0' \
		> /tmp/k.out 2>&1 || { sed 's/^/# /' /tmp/k.out; return 1; }
	grep -q '^tcp-segmentation-offload: on' /tmp/k.out || return 1
	tcp_both 16 7210 73 || return 1
	gso2=$(nf_stat tx_gso)
	say "GSO packets sent once back on: $((gso2 - gso1))"
	[ "$gso2" -gt "$gso1" ] || return 1
	avg=$(up_frame 8 7215 74) || return 1
	say "netback's average frame from the domU with the offloads on: $avg bytes"
	[ "$avg" -gt 2000 ]
}

# udp_bound dom0|domU PORT: wait (up to 30 s) until a socket is bound to UDP
# PORT there, as /proc/net/udp shows it.
udp_bound() {
	_chk="grep -q ':$(printf %04X "$2") ' /proc/net/udp"
	_i=0
	while [ $_i -lt 30 ]; do
		if [ "$1" = dom0 ]; then
			sh -c "$_chk" && return 0
		else
			domu 10 "$_chk" > /dev/null 2>&1 && return 0
		fi
		sleep 1
		_i=$((_i + 1))
	done
	say "nothing bound to UDP port $2 in $1 after 30 s"
	return 1
}

# vif_frames VIF: "RXPACKETS RXBYTES TXPACKETS TXBYTES" of a netback device.
vif_frames() {
	echo "$(vif_stat "$1" rx_packets) $(vif_stat "$1" rx_bytes)" \
		"$(vif_stat "$1" tx_packets) $(vif_stat "$1" tx_bytes)"
}

# jumbo_pings VIF: five 8900-byte pings each way.  Judged on netback's
# counters in dom0, each way: of F frames totalling B bytes, at least
# (B - 1514 F) / 7500 were over 1514 bytes (none is over 9014), and that
# must be at least 5 of the ten 8942-byte frames the pings make (request
# and reply of each).  At MTU 1500 no frame is over 1514 bytes; the agent's
# own small frames on eth0 do not matter.
jumbo_pings() {
	set -- "$1" $(vif_frames "$1")
	_st=0
	domu 60 "ping -c 5 -W 5 -s 8900 $DOM0_IP" > /tmp/ping.out 2>&1 ||
		{ sed 's/^/# /' /tmp/ping.out; say "domU's 8900-byte pings failed"; _st=1; }
	timeout 30 ping -c 5 -W 5 -s 8900 "$DOMU_IP" > /tmp/ping.out 2>&1 ||
		{ sed 's/^/# /' /tmp/ping.out; say "dom0's 8900-byte pings failed"; _st=1; }
	set -- $(vif_frames "$1") "$2" "$3" "$4" "$5"
	up=$(($1 - $5)) upb=$(($2 - $6)) down=$(($3 - $7)) downb=$(($4 - $8))
	say "netback during the pings: from the domU $up frames, $upb bytes; to the domU $down frames, $downb bytes"
	[ "$up" -gt 0 ] && [ "$down" -gt 0 ] || return 1
	bigup=$(((upb - 1514 * up + 7499) / 7500)) bigdown=$(((downb - 1514 * down + 7499) / 7500))
	say "frames over 1514 bytes, at least: from the domU $bigup, to the domU $bigdown"
	[ $bigup -ge 5 ] && [ $bigdown -ge 5 ] || { say "the pings did not go as jumbo frames"; _st=1; }
	return $_st
}

# jumbo_df PORT: three 8972-byte UDP datagrams (a 9000-byte IP packet) each
# way with don't-fragment set, which no sender may split: each must arrive.
jumbo_df() {
	_st=0
	timeout 60 "$XTEST" urecv "$1" 83 3 8972 > /tmp/u.out 2>&1 &
	_r=$!
	udp_bound dom0 "$1" && domu 60 "xtest usend-df $DOM0_IP $1 83 3 8972" 2>&1 | sed 's/^/# domU: /'
	wait $_r || _st=1
	sed 's/^/# dom0: /' /tmp/u.out
	domu 60 "xtest urecv $(($1 + 1)) 84 3 8972" > /tmp/u.out 2>&1 &
	_r=$!
	udp_bound domU $(($1 + 1)) && "$XTEST" usend-df "$DOMU_IP" $(($1 + 1)) 84 3 8972 2>&1 |
		sed 's/^/# dom0: /'
	wait $_r || _st=1
	sed 's/^/# domU: /' /tmp/u.out
	return $_st
}

# t_jumbo MIB: MTU 9000 on the domU's eth0, its vif and the bridge, each
# read back; jumbo frames proven from dom0 (jumbo_pings), 8972-byte UDP
# datagrams with don't-fragment each way, then MIB MiB of TCP each way.
# Every check runs and prints even after one has failed.
t_jumbo() {
	vif=$(vif0)
	jst=0
	ip link set dev "$vif" mtu 9000 && ip link set dev xenbr0 mtu 9000 || jst=1
	mtu=$(domu 30 'ip link set eth0 mtu 9000; cat /sys/class/net/eth0/mtu')
	say "MTU: domU eth0 ${mtu:-?}, dom0 $vif $(cat "/sys/class/net/$vif/mtu"), xenbr0 $(cat /sys/class/net/xenbr0/mtu)"
	[ "$mtu" = 9000 ] || { say "the domU's eth0 is not at MTU 9000"; jst=1; }
	jumbo_pings "$vif" || jst=1
	jumbo_df 7310 || { say "8972-byte datagrams with don't-fragment did not pass"; jst=1; }
	tcp_both "$1" 7300 81 || jst=1
	domu 30 'ip link set eth0 mtu 1500'
	ip link set dev xenbr0 mtu 1500
	ip link set dev "$vif" mtu 1500
	return $jst
}

# UDP datagrams of 1400 to 60000 bytes each way (IP fragments up to 41 per
# datagram at MTU 1500), each datagram verified; at least 90% must arrive.
# Each sender starts only once its receiver's socket is bound.
t_udp() {
	for size in 1400 8000 30000 60000; do
		timeout 120 "$XTEST" urecv 7400 "$size" 100 "$size" > /tmp/u.out 2>&1 &
		rpid=$!
		udp_bound dom0 7400 || { kill $rpid; return 1; }
		domu 120 "xtest usend $DOM0_IP 7400 $size 100 $size" > /dev/null 2>&1
		wait $rpid
		st=$?
		sed 's/^/# dom0: /' /tmp/u.out
		[ $st -eq 0 ] || return 1
		domu 120 "xtest urecv 7401 $size 100 $size" > /tmp/u.out 2>&1 &
		rpid=$!
		udp_bound domU 7401 || { wait $rpid; return 1; }
		"$XTEST" usend "$DOMU_IP" 7401 "$size" 100 "$size" 2> /dev/null
		wait $rpid
		st=$?
		sed 's/^/# domU: /' /tmp/u.out
		[ $st -eq 0 ] || return 1
	done
}

# console_reads TAG: a line typed into the domU's console in dom0 is read
# by the domU from /dev/hvc0 (its tty echoes it to dom0's console log too).
# dom0's init keeps a xenconsole on the first domain, fed from $CONSOLE_IN;
# xenconsole allows one client a domain, so a domain that came later (by
# restore) gets one of our own.  Writes go from a subshell that ignores
# SIGPIPE: a console client that died must fail the test, not the driver.
console_reads() {
	domu 10 'rm -f /tmp/typed; (head -n 1 /dev/hvc0 > /tmp/typed 2>&1) > /dev/null 2>&1 &' || return 1
	_cp=
	_in=$CONSOLE_IN
	if [ "$(domid)" != "$FIRST_DOMID" ]; then
		_in=/run/cin
		rm -f $_in && mkfifo $_in || return 1
		/usr/lib/xen-4.17/bin/xenconsole --interactive --type pv "$(domid)" < $_in > /tmp/xc.out 2>&1 &
		_cp=$!
		exec 6<> $_in
		sleep 2
		kill -0 $_cp 2> /dev/null || { say "xenconsole: $(cat /tmp/xc.out)"; exec 6>&-; return 1; }
	fi
	(trap '' PIPE; echo "typed-into-hvc0-$1" > "$_in") || say "cannot write to $_in"
	wait_domu 20 "grep -q typed-into-hvc0-$1 /tmp/typed"
	_st=$?
	if [ -n "$_cp" ]; then
		exec 6>&-
		kill $_cp 2> /dev/null
		wait $_cp 2> /dev/null
	fi
	say "domain $(domid): the domU read from hvc0: $(domu 10 'cat /tmp/typed' | head -c 80)"
	return $_st
}

t_console() {
	console_reads boot
}

t_save_restore() {
	img=/var/lib/xen/domu.save
	start=$(date +%s)
	timeout 300 "$XL" save "$DOMU" $img || { say "xl save failed"; return 1; }
	timeout 300 "$XL" restore $img || { say "xl restore failed"; return 1; }
	rm -f $img
	say "save + restore took $(( $(date +%s) - start )) s"
	up=$(domu 120 'cat /proc/uptime') || { say "agent gone after restore"; return 1; }
	say "domU uptime after restore: $up"
	console_reads restored && t_disk 31 64 && t_net 32
}

# flowing WHEN: both transfers are seen moving in dom0 at that moment:
# netback's counters for the domU's eth0 advance by at least 1 MiB each way
# within one second, and the dom0 ends of both transfers are still running.
flowing() {
	_vif=$(vif0)
	set -- "$1" "$(vif_stat "$_vif" rx_bytes)" "$(vif_stat "$_vif" tx_bytes)"
	sleep 1
	_up=$(($(vif_stat "$_vif" rx_bytes) - $2)) _down=$(($(vif_stat "$_vif" tx_bytes) - $3))
	say "$1: in the last second netback took $_up bytes from the domU and gave it $_down"
	kill -0 $p2 2> /dev/null && kill -0 $p3 2> /dev/null ||
		{ say "$1: a transfer had already ended"; return 1; }
	[ $_up -ge 1048576 ] && [ $_down -ge 1048576 ] ||
		{ say "$1: the transfers were not moving"; return 1; }
}

# across MIB RATE PORT SEED CMD...: MIB MiB flow each way at RATE MiB/s;
# once both are seen moving (flowing), CMD runs; afterwards the dom0 ends
# must still be running (the transfers span CMD), then complete intact.
across() {
	mib=$1 rate=$2 port=$3 seed=$4
	shift 4
	domu 900 "xtest recv $port $seed $mib" > /tmp/a1.out 2>&1 &
	p1=$!
	timeout 900 "$XTEST" send "$DOMU_IP" "$port" "$seed" "$mib" "$rate" > /tmp/a2.out 2>&1 &
	p2=$!
	timeout 900 "$XTEST" recv $((port + 1)) $((seed + 1)) "$mib" > /tmp/a3.out 2>&1 &
	p3=$!
	domu 900 "xtest send $DOM0_IP $((port + 1)) $((seed + 1)) $mib $rate" > /tmp/a4.out 2>&1 &
	p4=$!
	sleep 2
	ast=0
	flowing "just before $1" || ast=1
	_t0=$(date +%s)
	"$@" || { say "$1 failed"; ast=1; }
	say "$1 took $(($(date +%s) - _t0)) s"
	if kill -0 $p2 2> /dev/null && kill -0 $p3 2> /dev/null; then
		say "$1 done while both transfers were under way"
	else
		say "a transfer ended before $1 did"
		ast=1
	fi
	for p in $p1 $p2 $p3 $p4; do wait $p || ast=1; done
	sed 's/^/# dom0: /' /tmp/a2.out /tmp/a3.out
	sed 's/^/# domU: /' /tmp/a1.out /tmp/a4.out
	return $ast
}

save_restore() {
	img=/var/lib/xen/domu.save
	timeout 300 "$XL" save "$DOMU" $img > /dev/null &&
		timeout 300 "$XL" restore $img > /dev/null
	st=$?
	rm -f $img
	return $st
}

# xl save -c: a checkpoint; the domU's suspend is cancelled and it runs on
# with the same backend and rings.  (Live migration is tests/boot/migrate.sh,
# on a hypervisor with shadow paging.)
checkpoint() {
	img=/var/lib/xen/domu.ckpt
	timeout 300 "$XL" save -c "$DOMU" $img > /dev/null
	st=$?
	rm -f $img
	return $st
}

# t_save_restore_load MIB: xl save + restore in the middle of MIB MiB
# flowing each way; eth0 keeps its ifindex.  Before it the domU stops
# trusting backends, so the reconnect after restore bounces TX data through
# fresh pages (tx_bounced must move).
t_save_restore_load() {
	domu 30 'echo 0 > /sys/module/xen_netfront/parameters/trusted' || return 1
	idx0=$(domu 30 'cat /sys/class/net/eth0/ifindex')
	across "$1" 8 7500 91 save_restore || return 1
	idx1=$(domu 30 'cat /sys/class/net/eth0/ifindex')
	say "eth0 ifindex before $idx0, after $idx1"
	[ -n "$idx0" ] && [ "$idx0" = "$idx1" ] || return 1
	domu 30 "dmesg | grep 'eth0: connected' | tail -n 1" | sed 's/^/# /'
	b0=$(nf_stat tx_bounced)
	tcp_both 16 7510 93 || return 1
	b1=$(nf_stat tx_bounced)
	say "TX packets bounced (backend untrusted): $b0 -> $b1"
	[ "$b1" -gt "$b0" ]
}

# t_checkpoint MIB: the same across an xl save -c checkpoint.  It runs
# before the save/restore tests: xl's monitor of the domain exits on the
# checkpoint's suspend, and only the xl restore there brings one back to
# destroy the domain when t_shutdown powers it off.
t_checkpoint() {
	across "$1" 8 7520 95 checkpoint || return 1
	domu 60 "ping -c 3 -W 5 $DOM0_IP" > /dev/null
}

# rx_pages_zeroed MAC: the RX pages the new vif with MAC posted at connect
# hold nothing of the domU's old memory.  dom0 maps the vif's RX ring and
# every page posted there and not answered yet (xtest rxpeek, through
# gntdev), before eth1 is up, so none has been handed back; each must be
# all zero, but for at most two the backend may be filling meanwhile.
# (With the backend trusted, netfront used to post pages unzeroed: 50 and
# 218 of about 254 held old data in two runs.)  A page that still holds the domU's marker string
# (written to a file and deleted just before) would name its origin.
rx_pages_zeroed() {
	devid=$("$XL" network-list "$DOMU" | awk -v m="$1" '$3 == m { print $1 }')
	fe=/local/domain/$(domid)/device/vif/$devid
	_i=0
	until [ "$(xenstore-read "$fe/state" 2> /dev/null)" = 4 ]; do
		[ $_i -lt 30 ] || { say "vif $devid never reached Connected"; return 1; }
		sleep 1
		_i=$((_i + 1))
	done
	ref=$(xenstore-read "$fe/rx-ring-ref") || { say "no rx-ring-ref for vif $devid"; return 1; }
	"$XTEST" rxpeek "$(domid)" "$ref" XNF-STALE-PAGE-MARKER > /tmp/peek.out 2>&1
	_st=$?
	sed 's/^/# dom0: /' /tmp/peek.out
	grep -q 'pages posted: [1-9]' /tmp/peek.out || { say "no posted RX page found"; return 1; }
	_other=$(sed -n 's/.* \([0-9]*\) with other data.*/\1/p' /tmp/peek.out)
	[ "${_other:-99}" -le 2 ] || { say "$_other posted RX pages hold old data"; return 1; }
	return $_st
}

# Hot-plug a second vif from a backend with fewer features (netback set to
# one queue and one event channel): eth1 appears with one queue and a
# shared channel, its freshly posted RX pages hold no stale data
# (rx_pages_zeroed, seen from dom0), it carries pings and verified TCP on
# its own subnet, and goes away on detach while eth0 carries on.
t_hotplug() {
	mac=00:16:3e:00:00:03
	nbp=/sys/module/xen_netback/parameters
	echo 1 > $nbp/max_queues && echo N > $nbp/separate_tx_rx_irq ||
		{ say "cannot set netback's parameters"; return 1; }
	ip addr add 10.0.1.1/24 dev xenbr0
	domu 120 'echo 1 > /sys/module/xen_netfront/parameters/trusted
		awk "BEGIN { s = \"XNF-STALE-PAGE-MARKER \"; while (length(s) < 65536) s = s s
			for (i = 0; i < 1150; i++) printf \"%s\", s }" > /tmp/stale
		ls -l /tmp/stale; rm /tmp/stale; grep MemFree /proc/meminfo' |
		sed 's/^/# domU: /'
	timeout 60 "$XL" network-attach "$DOMU" bridge=xenbr0 mac=$mac
	st=$?
	echo 2 > $nbp/max_queues
	echo Y > $nbp/separate_tx_rx_irq
	[ $st -eq 0 ] || { say "xl network-attach failed"; return 1; }
	wait_domu 30 '[ -e /sys/class/net/eth1 ]' || { say "no eth1 in the domU"; return 1; }
	rx_pages_zeroed $mac || st=1
	domu 30 'ip addr add 10.0.1.2/24 dev eth1 && ip link set eth1 up'
	wait_domu 30 'grep -qx 1 /sys/class/net/eth1/carrier' || { say "eth1 has no carrier"; return 1; }
	domu 30 "dmesg | grep 'eth1: connected' | tail -n 1" > /tmp/eth1.out
	sed 's/^/# /' /tmp/eth1.out
	grep -q '1 queue(s), shared event channels' /tmp/eth1.out || return 1
	fe1=/local/domain/$(domid)/device/vif/$devid
	say "xenstore vif $devid: multi-queue-num-queues $(xenstore-read "$fe1/multi-queue-num-queues" 2>&1), event-channel $(xenstore-read "$fe1/event-channel" 2>&1), queue-0/event-channel-tx $(xenstore-read "$fe1/queue-0/event-channel-tx" 2>&1 | head -n 1)"
	say "dom0 /proc/interrupts: $(grep -oE "vif$(domid)\.$devid-q[0-9]+(-tx|-rx)?\$" /proc/interrupts | tr '\n' ' ')"
	xenstore-read "$fe1/event-channel" > /dev/null 2>&1 &&
		! xenstore-read "$fe1/event-channel-tx" > /dev/null 2>&1 &&
		! xenstore-read "$fe1/queue-0/event-channel-tx" > /dev/null 2>&1 &&
		[ "$(grep -cE "vif$(domid)\.$devid-q" /proc/interrupts)" = 1 ] &&
		grep -qE "vif$(domid)\.$devid-q0\$" /proc/interrupts ||
		{ say "dom0 does not see one queue on one shared event channel"; return 1; }
	nb0=$(vif_stat "vif$(domid).$devid" rx_bytes)
	domu 60 'ping -c 3 -W 5 10.0.1.1' > /tmp/ping.out 2>&1 ||
		{ sed 's/^/# /' /tmp/ping.out; return 1; }
	timeout 300 "$XTEST" recv 7600 97 16 > /tmp/recv.out 2>&1 &
	rpid=$!
	domu 300 "xtest send 10.0.1.1 7600 97 16" 2>&1 | sed 's/^/# domU: /'
	wait $rpid || { sed 's/^/# dom0: /' /tmp/recv.out; return 1; }
	sed 's/^/# dom0: /' /tmp/recv.out
	tx=$(nf_stat eth1 tx_bytes)
	nb=$(($(vif_stat "vif$(domid).$devid" rx_bytes) - nb0))
	say "eth1 sent $tx bytes; netback's vif$(domid).$devid took $nb"
	[ "$tx" -gt 16777216 ] && [ "$nb" -gt 16777216 ] || return 1
	timeout 60 "$XL" network-detach "$DOMU" $mac || { say "xl network-detach failed"; return 1; }
	wait_domu 30 '[ ! -e /sys/class/net/eth1 ]' || { say "eth1 still there"; return 1; }
	say "eth1 gone after detach"
	ip addr del 10.0.1.1/24 dev xenbr0
	domu 60 "ping -c 3 -W 5 $DOM0_IP" > /dev/null && return $st
}

# Nothing went wrong in the domU's kernel along the way.
t_log_clean() {
	log_clean netfront
}

t_shutdown() {
	timeout 120 "$XL" shutdown -w "$DOMU" || { say "xl shutdown -w failed"; return 1; }
	# xl's monitor destroys the domain once it has shut down (on_poweroff)
	i=0
	while "$XL" list "$DOMU" > /dev/null 2>&1; do
		[ $i -lt 30 ] || { say "domain still exists"; return 1; }
		sleep 1
		i=$((i + 1))
	done
}

FIRST_DOMID=$(domid)
t_boot;                 result $? "domU boots to init with 2 vCPUs, clean kernel log"
t_kunit;                result $? "KUnit suites built into the domU kernel pass"
t_disk 11 256;          result $? "256 MiB pattern on xvda reads back, dom0 backing file matches"
t_ext4;                 result $? "ext4: mkfs, files, fsck clean, remount, checksums match"
t_console;              result $? "hvc0 input: a line typed into the console in dom0 is read in the domU"
t_net 128;              result $? "ping both ways, 128 MiB TCP each way verified"
t_netfront_info;        result $? "netfront: 2 queues and offloads, alike in the domU's ethtool, xenstore and dom0's interrupts"
t_queues;               result $? "netfront: both queues carry over 1 MiB each way, seen in netback's rings (XPS; flow hash)"
t_offloads;             result $? "netfront: ethtool -K offloads off and on, TCP verified, netback sees no GSO while off, GSO once on"
t_jumbo 64;             result $? "netfront: MTU 9000, jumbo frames seen by netback, DF datagrams, 64 MiB TCP each way"
t_udp;                  result $? "netfront: UDP 1400-60000 byte datagrams (IP fragments) both ways, receivers bound first"
t_checkpoint 192;       result $? "netfront: xl save -c (checkpoint, suspend cancelled) while TCP is seen flowing"
t_save_restore;         result $? "xl save + xl restore, then console input, disk and network checks again"
t_save_restore_load 128; result $? "netfront: save + restore while TCP is seen flowing, untrusted backend"
t_hotplug;              result $? "netfront: network-attach/detach of a vif, 1-queue shared-channel backend, RX pages zeroed"
t_log_clean;            result $? "domU kernel log clean after the network tests"
t_shutdown;             result $? "xl shutdown ends the domain cleanly"

say "boot tests: $failed failed"
exit $failed
