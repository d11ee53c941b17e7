#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# netfront.sh - the long netfront tests, in an embedded Xen host run of their
# own (scripts/check.sh boots a second domU for them, after driver.sh's run):
#
#   - BULK_MIB (128; make soak 512) MiB of TCP each way at MTU 1500 and
#     9000, with the offloads on and off; each receiver checks every byte
#     against the pattern, and both ends print the SHA-256 of what they
#     sent or received, which must agree;
#   - HP_LOADED (4; make soak 10) hot-plug / hot-unplug cycles of a second
#     vif while TCP flows each way on eth0 (seen moving across each detach
#     in netback's counters), then HP_REST (4; make soak 10) at rest, with
#     pings through eth1 each time it is up; after every cycle no leak of
#     event channels, netback devices or interrupts or xenstore entries,
#     and after every cycle at rest none of free memory beyond 512 KiB
#     plus 32 KiB per cycle (Slab 128 + 12 KiB).
#
# It runs under busybox sh in dom0 like driver.sh (see there and
# scripts/xen-host/README.md for the environment), drives the domU through
# `xtest call`, and prints one "TAP: ok|not ok - NAME" line per test.

. /extra/lib.sh

# make check's counts; make soak hands in the long ones (BULK_MIB=512,
# HP_LOADED=10, HP_REST=10) in /extra/netfront.env
BULK_MIB=128
HP_LOADED=4
HP_REST=4
[ -f /extra/netfront.env ] && . /extra/netfront.env

# nf_stat NAME: the sum over eth0's queues of netfront counter NAME.
nf_stat() {
	domu 30 "ethtool -S eth0" | awk -v k="_$1:" \
		'index($1, k) && $1 ~ /^q[0-9]+_/ { s += $2 } END { print s + 0 }'
}

# nf_qstats: "q0_tx_bytes=N q1_tx_bytes=N ..." for eth0's byte counters.
nf_qstats() {
	domu 30 "ethtool -S eth0" |
		awk '$1 ~ /^q[0-9]+_(tx|rx)_bytes:$/ { sub(":", "", $1); printf "%s=%s ", $1, $2 }'
}

# now_cs: dom0's uptime in hundredths of a second.
now_cs() {
	awk '{ split($1, t, "."); print t[1] * 100 + t[2] }' /proc/uptime
}

# field LINE-FILE WORD: the token after WORD in an xtest result line.
field() {
	sed -n "s/.* $2 \([^ ,]*\).*/\1/p" "$1" | head -n 1
}

t_boot() {
	wait_init || { say "domU never reached init"; return 1; }
	grep 'XTEST-INIT' "$CONSOLE_LOG" | sed 's/^/# /'
	cpus=$(domu 60 'nproc') || { say "agent did not answer"; return 1; }
	queues=$(domu 30 'ls -d /sys/class/net/eth0/queues/tx-* | wc -l')
	say "domU runs with $cpus vCPUs, eth0 has $queues TX queues"
	[ "$cpus" = 2 ] && [ "$queues" = 2 ]
}

# xtest's SHA-256 (used by the transfers below) agrees with busybox's
# sha256sum on 16 MiB of pattern, in dom0 and in the domU.
t_sha() {
	a=$("$XTEST" gen 7 16 2> /dev/null | "$XTEST" sha256)
	b=$("$XTEST" gen 7 16 2> /dev/null | sha256sum)
	c=$(domu 60 'xtest gen 7 16 2> /dev/null | xtest sha256; xtest gen 7 16 2> /dev/null | sha256sum')
	# how long hashing takes here, against generating the pattern alone
	domu 120 'for c in "cat > /dev/null" "xtest sha256" sha256sum; do
		t0=$(cut -d " " -f 1 /proc/uptime)
		xtest gen 9 64 2> /dev/null | sh -c "$c" > /dev/null
		echo "$c|$t0|$(cut -d " " -f 1 /proc/uptime)"
	done' | awk -F '|' '{ printf "# domU: 64 MiB of pattern into %s: %.2f s\n", $1, $3 - $2 }'
	grep -q sha_ni /proc/cpuinfo && say "dom0 CPUs have sha_ni" || say "dom0 CPUs lack sha_ni"
	say "dom0 xtest:     $a"
	say "dom0 sha256sum: $b"
	echo "$c" | sed 's/^/# domU:           /'
	[ -n "$a" ] && [ "$a" = "$b" ] && [ "$(echo "$c" | uniq)" = "$a" ]
}

# set_mtu MTU: on the domU's eth0, its vif and the bridge (growing from the
# dom0 side, shrinking from the domU side, so no frame is ever too big).
set_mtu() {
	vif=vif$("$XL" domid "$DOMU").0
	if [ "$1" -gt 1500 ]; then
		ip link set dev "$vif" mtu "$1" && ip link set dev xenbr0 mtu "$1" &&
			domu 30 "ip link set eth0 mtu $1"
	else
		domu 30 "ip link set eth0 mtu $1" && ip link set dev xenbr0 mtu "$1" &&
			ip link set dev "$vif" mtu "$1"
	fi
}

# set_offloads on|off: sg, tso, gso, tx and rx checksumming, then check
# with ethtool -k that they are.  Above MTU 1500 the driver keeps sg on
# (a jumbo frame spans several ring slots), so there sg must stay on.
set_offloads() {
	domu 30 "ethtool -K eth0 sg $1 tso $1 gso $1 tx $1 rx $1 2>&1; ethtool -k eth0" \
		> /tmp/k.out 2>&1
	mtu=$(domu 30 'cat /sys/class/net/eth0/mtu')
	for f in scatter-gather tcp-segmentation-offload generic-segmentation-offload \
		tx-checksumming rx-checksumming; do
		want=$1
		[ $f = scatter-gather ] && [ "$mtu" -gt 1500 ] && want=on
		grep -q "^$f: $want" /tmp/k.out ||
			{ say "$f is not $want"; sed 's/^/# /' /tmp/k.out | head -n 30; return 1; }
	done
	say "ethtool -k: $(grep -E '^(scatter-gather|tcp-segmentation-offload|generic-segmentation-offload|tx-checksumming|rx-checksumming):' \
		/tmp/k.out | tr '\n' ' ')"
}

# xfer FROM PORT SEED MIB: MIB MiB over TCP from FROM (domU or dom0) to the
# other side, with -s: the receiver checks every byte against the pattern,
# and the SHA-256 each end printed must be the same.
xfer() {
	if [ "$1" = domU ]; then
		timeout 900 "$XTEST" -s recv "$2" "$3" "$4" > /tmp/x.recv 2>&1 &
		rpid=$!
		domu 900 "xtest -s send $DOM0_IP $2 $3 $4" > /tmp/x.send 2>&1
		sst=$?
		wait $rpid
		rst=$?
		to=dom0
	else
		domu 900 "xtest -s recv $2 $3 $4" > /tmp/x.recv 2>&1 &
		rpid=$!
		timeout 900 "$XTEST" -s send "$DOMU_IP" "$2" "$3" "$4" > /tmp/x.send 2>&1
		sst=$?
		wait $rpid
		rst=$?
		to=domU
	fi
	sed "s/^/# $1: /" /tmp/x.send
	sed "s/^/# $to: /" /tmp/x.recv
	[ $sst -eq 0 ] && [ $rst -eq 0 ] && grep -q ': ok, ' /tmp/x.recv || return 1
	s1=$(field /tmp/x.send sha256)
	s2=$(field /tmp/x.recv sha256)
	[ ${#s1} -eq 64 ] && [ "$s1" = "$s2" ] ||
		{ say "SHA-256 differs: sent $s1, received $s2"; return 1; }
	secs=$(sed -n 's/.*, \([0-9.]*\) s, .*/\1/p' /tmp/x.recv)
	rate=$(sed -n 's/.*, \([0-9.]*\) MiB\/s.*/\1/p' /tmp/x.recv)
	say "$1 -> $to: $4 MiB in $secs s, $rate MiB/s; SHA-256 equal at both ends"
}

# t_bulk MTU on|off MIB PORT SEED: MIB MiB each way at that MTU with the
# offloads on or off.  With them off no GSO packet may leave; with them on
# some must.  With them off, every frame the domU sends is one TCP segment,
# so netback's average frame from the domU (its vif's rx counters in dom0)
# shows the MTU: over 6000 bytes at MTU 9000, at most 1514 at MTU 1500.
# At MTU 1500 with sg off, MTU 9000 must be refused.
t_bulk() {
	set_offloads on > /dev/null && set_mtu "$1" && set_offloads "$2" || return 1
	mtu=$(domu 30 'cat /sys/class/net/eth0/mtu')
	[ "$mtu" = "$1" ] || { say "the domU's eth0 has MTU $mtu, not $1"; return 1; }
	q0=$(nf_qstats)
	gso0=$(nf_stat tx_gso)
	t0=$(now_cs)
	vs=/sys/class/net/vif$("$XL" domid "$DOMU").0/statistics
	set -- "$@" "$(cat $vs/rx_packets)" "$(cat $vs/rx_bytes)"
	xfer domU "$4" "$5" "$3" || return 1
	frames=$(($(cat $vs/rx_packets) - $6)) fbytes=$(($(cat $vs/rx_bytes) - $7))
	say "netback took $frames frames, $((fbytes / (frames + 1))) bytes each on average, from the domU"
	if [ "$2" = off ]; then
		if [ "$1" -gt 1500 ]; then
			[ $((fbytes / (frames + 1))) -gt 6000 ] || { say "no jumbo frames at MTU $1"; return 1; }
		else
			[ $((fbytes / (frames + 1))) -le 1514 ] || { say "frames over 1514 bytes at MTU $1"; return 1; }
		fi
	fi
	xfer dom0 $(($4 + 1)) $(($5 + 1)) "$3" || return 1
	gso1=$(nf_stat tx_gso)
	say "both ways in $((($(now_cs) - t0) / 100)) s; GSO packets sent: $((gso1 - gso0))"
	say "per-queue bytes before: $q0"
	say "per-queue bytes after:  $(nf_qstats)"
	if [ "$2" = off ]; then
		[ "$gso1" = "$gso0" ] || return 1
		if [ "$1" -le 1500 ]; then
			if domu 30 'ip link set eth0 mtu 9000' > /dev/null 2>&1; then
				say "MTU 9000 accepted with sg off"
				set_mtu 1500
				return 1
			fi
			say "MTU 9000 refused while sg is off, as it must be"
		fi
	else
		[ "$gso1" -gt "$gso0" ] || return 1
	fi
}

# snapshot: what the hot-plug test compares, "name=value ..." in one line:
# the domU's MemAvailable, Slab and Free (kB, after dropping caches; Free
# is MemFree plus the pages waiting in per-CPU lists, which MemFree leaves
# out and which move by a megabyte or two from one reading to the next)
# and its Xen event channel lines in /proc/interrupts; in dom0, netback's
# devices for the domain, netback's interrupt lines and the backend vif
# entries in xenstore.
snapshot() {
	_d=$("$XL" domid "$DOMU")
	domu 30 "echo 3 > /proc/sys/vm/drop_caches
		awk '/^(MemAvailable|Slab):/ { printf \"%s=%s \", \$1, \$2 }' /proc/meminfo
		f=\$(awk '/^MemFree:/ { print \$2 }' /proc/meminfo)
		p=\$(awk '\$1 == \"count:\" { n += \$2 } END { print n + 0 }' /proc/zoneinfo)
		echo Free=\$((f + 4 * p)) irqs=\$(grep -c xen /proc/interrupts)" | tr -d ':\n'
	echo " vifs=$(ls -d /sys/class/net/vif"$_d".* 2> /dev/null | wc -l)" \
		"nbirqs=$(grep -cE "vif$_d\.[0-9]+-q" /proc/interrupts)" \
		"xsvifs=$(xenstore-list "/local/domain/0/backend/vif/$_d" 2> /dev/null | wc -l)"
}

# vif0_bytes: "RX TX" byte counters of netback's device for the domU's eth0.
vif0_bytes() {
	_v=/sys/class/net/vif$("$XL" domid "$DOMU").0/statistics
	echo "$(cat $_v/rx_bytes 2> /dev/null || echo 0) $(cat $_v/tx_bytes 2> /dev/null || echo 0)"
}

# one_cycle I MAC [loaded]: attach a vif, find eth1 and ping through it
# both ways, detach it, and see eth1 go.  When loaded, netback's counters
# for eth0 must advance by at least 256 KiB each way from just before the
# detach until eth1 is gone: the load on eth0 was moving when it happened.
one_cycle() {
	c0=$(now_cs)
	timeout 60 "$XL" network-attach "$DOMU" bridge=xenbr0 "mac=$2" ||
		{ say "cycle $1: xl network-attach failed"; return 1; }
	devid=$("$XL" network-list "$DOMU" | awk -v m="$2" '$3 == m { print $1 }')
	[ -n "$devid" ] || { say "cycle $1: no devid with mac $2"; return 1; }
	wait_domu 30 '[ -e /sys/class/net/eth1 ]' || { say "cycle $1: no eth1"; return 1; }
	c1=$(now_cs)
	domu 30 'ip addr add 10.0.1.2/24 dev eth1 && ip link set eth1 up && cat /sys/class/net/eth1/address' \
		> /tmp/eth1.out 2>&1
	grep -qx "$2" /tmp/eth1.out || { say "cycle $1: eth1 is not $2"; sed 's/^/# /' /tmp/eth1.out; return 1; }
	wait_domu 30 'grep -qx 1 /sys/class/net/eth1/carrier' || { say "cycle $1: no carrier"; return 1; }
	irq1=$(domu 30 'grep -c eth1 /proc/interrupts')
	domu 60 'ping -c 2 -W 5 10.0.1.1' > /tmp/ping.out 2>&1 ||
		{ say "cycle $1: the domU cannot ping 10.0.1.1 through eth1"; sed 's/^/# /' /tmp/ping.out; return 1; }
	timeout 30 ping -c 2 -W 5 10.0.1.2 > /tmp/ping.out 2>&1 ||
		{ say "cycle $1: dom0 cannot ping 10.0.1.2"; sed 's/^/# /' /tmp/ping.out; return 1; }
	c2=$(now_cs)
	set -- "$1" "$2" "${3:-idle}" $(vif0_bytes)
	timeout 60 "$XL" network-detach "$DOMU" "$devid" ||
		{ say "cycle $1: xl network-detach $devid failed"; return 1; }
	wait_domu 30 '[ ! -e /sys/class/net/eth1 ]' || { say "cycle $1: eth1 still there"; return 1; }
	set -- "$@" $(vif0_bytes)
	moved="$((($6 - $4) / 1024)) KiB from the domU, $((($7 - $5) / 1024)) KiB to it"
	say "cycle $1: devid $devid; eth1 up with $irq1 event channels after $(((c1 - c0) / 100)) s, pinged both ways, gone $((($(now_cs) - c2) / 100)) s after detach; eth0 meanwhile $moved"
	[ "$3" != loaded ] || { [ $(($6 - $4)) -ge 262144 ] && [ $(($7 - $5)) -ge 262144 ]; } ||
		{ say "cycle $1: eth0's load was not moving across the detach"; return 1; }
}

# leak_check N BEFORE AFTER WHAT: AFTER against BEFORE (snapshots) over N
# cycles: the domU's Free may drop by less than 512 KiB plus 32 KiB per
# cycle (one leaked vif would keep 1 MiB of RX pages per queue), its Slab
# grow by less than 128 KiB plus 12 KiB per cycle, and every count of event
# channels, netback devices, netback interrupts and xenstore entries must
# be the same.  (In three runs, ten cycles at rest moved Free by -220 to -8
# kB and Slab by -24 to +92 kB, while MemAvailable moved by up to 2.3 MiB
# from one reading to the next.)  Prints one line, and one more per
# failure.
leak_check() {
	eval "$(echo "$2" | sed 's/\([a-zA-Z]*\)=/b_\1=/g')"
	eval "$(echo "$3" | sed 's/\([a-zA-Z]*\)=/a_\1=/g')"
	_mem=$((a_Free - b_Free)) _slab=$((a_Slab - b_Slab))
	say "$4: Free ${_mem} kB (MemAvailable $((a_MemAvailable - b_MemAvailable))), Slab ${_slab} kB; domU event channels $b_irqs -> $a_irqs, dom0 vifs $b_vifs -> $a_vifs, netback irqs $b_nbirqs -> $a_nbirqs, xenstore vifs $b_xsvifs -> $a_xsvifs"
	_st=0
	[ $((-_mem)) -lt $((512 + 32 * $1)) ] ||
		{ say "$4: Free dropped by $((512 + 32 * $1)) kB or more"; _st=1; }
	[ $_slab -lt $((128 + 12 * $1)) ] ||
		{ say "$4: Slab grew by $((128 + 12 * $1)) kB or more"; _st=1; }
	[ "$a_irqs" = "$b_irqs" ] && [ "$a_vifs" = "$b_vifs" ] &&
		[ "$a_nbirqs" = "$b_nbirqs" ] && [ "$a_xsvifs" = "$b_xsvifs" ] ||
		{ say "$4: a count of devices, interrupts or xenstore entries changed"; _st=1; }
	return $_st
}

# t_hotplug_cycles N M: N attach/detach cycles of a second vif while TCP
# flows each way on eth0 at 4 MiB/s (open-ended: stopped with SIGUSR1 after
# the last cycle); both flows must still be running at the end and arrive
# intact with equal SHA-256 at both ends, and each detach must happen with
# them moving.  After each cycle the counts of event channels, netback
# devices and interrupts and xenstore entries must be back to those after
# a warm-up cycle (memory moves with the flows' socket buffers, by up to
# half a megabyte, so it is only printed).  Then M cycles at rest, each
# followed by a snapshot
# printed against the one before the first: memory must be back within
# the leak_check margins for M cycles, and the counts the same, every
# cycle.  Finally xenstore holds only vif 0 on both sides.
t_hotplug_cycles() {
	mac=00:16:3e:00:00:03
	domid=$("$XL" domid "$DOMU")
	ip addr add 10.0.1.1/24 dev xenbr0 || return 1
	domu 900 'xtest -s recv 7700 101 0' > /tmp/h1.out 2>&1 &
	p1=$!
	timeout 900 "$XTEST" -s send "$DOMU_IP" 7700 101 0 4 > /tmp/h2.out 2>&1 &
	p2=$!
	timeout 900 "$XTEST" -s recv 7701 102 0 > /tmp/h3.out 2>&1 &
	p3=$!
	domu 900 "xtest -s send $DOM0_IP 7701 102 0 4 & echo \$! > /tmp/hsend.pid; wait \$!" \
		> /tmp/h4.out 2>&1 &
	p4=$!
	sleep 3
	st=0
	# a first cycle warms the caches a new device grows
	one_cycle 0 $mac loaded || st=1
	snap0=$(snapshot)
	say "after the warm-up cycle: $snap0"
	cyc=1
	while [ $st -eq 0 ] && [ $cyc -le "$1" ]; do
		one_cycle $cyc $mac loaded || { st=1; break; }
		leak_check "$cyc" "$snap0" "$(snapshot)" "cycle $cyc, flows running" > /tmp/leak.out
		sed -n '1p' /tmp/leak.out
		# the flows' socket buffers move memory; the counts must hold
		grep -q 'count of devices' /tmp/leak.out &&
			{ sed -n '2,$p' /tmp/leak.out; st=1; }
		cyc=$((cyc + 1))
	done
	if kill -0 $p2 && kill -0 $p3; then
		say "both TCP flows on eth0 ran through all the cycles"
	else
		say "a TCP flow on eth0 ended early"
		st=1
	fi
	kill -USR1 $p2
	domu 30 'kill -USR1 $(cat /tmp/hsend.pid)'
	for p in $p1 $p2 $p3 $p4; do wait $p || st=1; done
	sed 's/^/# domU: /' /tmp/h1.out /tmp/h4.out
	sed 's/^/# dom0: /' /tmp/h2.out /tmp/h3.out
	for pair in h2:h1 h4:h3; do
		s=/tmp/${pair%:*}.out r=/tmp/${pair#*:}.out
		grep -q ': ok, ' "$r" && [ "$(field "$s" wrote)" = "$(field "$r" ok,)" ] &&
			[ -n "$(field "$s" sha256)" ] &&
			[ "$(field "$s" sha256)" = "$(field "$r" sha256)" ] ||
			{ say "flow ${pair%:*} -> ${pair#*:}: bytes or SHA-256 differ"; st=1; }
	done
	[ $st -eq 0 ] && say "both flows arrived whole, SHA-256 equal at both ends"

	# one cycle at rest first: the flows' memory is still coming back
	one_cycle r0 $mac || st=1
	snap1=$(snapshot)
	say "at rest: $snap1"
	rest=1
	while [ $rest -le "$2" ]; do
		one_cycle "r$rest" $mac || { st=1; break; }
		leak_check "$rest" "$snap1" "$(snapshot)" "cycle r$rest at rest, total" || st=1
		rest=$((rest + 1))
	done
	ip addr del 10.0.1.1/24 dev xenbr0
	be=$(xenstore-list "/local/domain/0/backend/vif/$domid" | tr '\n' ' ')
	fe=$(xenstore-list "/local/domain/$domid/device/vif" | tr '\n' ' ')
	say "xenstore vifs: backend $be, frontend $fe"
	[ "$be" = "0 " ] && [ "$fe" = "0 " ] || st=1
	return $st
}

# Nothing went wrong in the domU's kernel along the way.
t_log_clean() {
	log_clean 'eth[01]: connected'
}

start=$(now_cs)
t_boot;                   result $? "netfront run: domU boots with 2 vCPUs, eth0 has 2 queues"
t_sha;                    result $? "netfront run: xtest's SHA-256 agrees with sha256sum in dom0 and the domU"
t_bulk 1500 on $BULK_MIB 7601 111;  result $? "netfront: MTU 1500, offloads on, $BULK_MIB MiB TCP each way, SHA-256 equal at both ends"
t_bulk 1500 off $BULK_MIB 7611 113; result $? "netfront: MTU 1500, offloads off, $BULK_MIB MiB TCP each way, SHA-256 equal at both ends"
t_bulk 9000 off $BULK_MIB 7621 115; result $? "netfront: MTU 9000, offloads off (sg stays on for jumbo frames), $BULK_MIB MiB TCP each way, SHA-256 equal at both ends"
t_bulk 9000 on $BULK_MIB 7631 117;  result $? "netfront: MTU 9000, offloads on, $BULK_MIB MiB TCP each way, SHA-256 equal at both ends"
set_mtu 1500; set_offloads on > /dev/null
t_hotplug_cycles $HP_LOADED $HP_REST; result $? "netfront: $HP_LOADED hot-plug/unplug cycles of a second vif under TCP load on eth0, $HP_REST at rest, no leak in any"
t_log_clean;              result $? "netfront run: domU kernel log clean"

say "netfront tests: $failed failed, $((($(now_cs) - start) / 100)) s"
exit $failed
