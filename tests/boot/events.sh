#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# events.sh - the tests of the layer every wake-up in the domU rides on:
# event channels (FIFO and 2-level), IPIs, interrupt affinity, the clock,
# the timer and steal time.  Run by busybox sh in dom0 of the embedded Xen
# host (scripts/check.sh hands it to scripts/xen-host/boot.sh --driver
# --no-create, with xvda, a 64 MiB xvdb and xcpu in the domU's initrd and
# in dom0's /extra).
#
# The driver creates its domUs itself, from boot.sh's config (DOMU_CFG),
# each with its own vCPU count and, for 2-level, xen.fifo_events=0 added to
# its command line.  Xen's own account of a domain's event channels (the
# 'e' debug key, read with xl dmesg) is the outside evidence: it names the
# ABI (its per-port state column is one selector bit for 2-level, more for
# FIFO) and the vCPU each port notifies.
#
# What each test proves:
#   matrix     1 vCPU FIFO, 1 and 2 vCPUs 2-level, 4 vCPUs 2-level, then 4
#              vCPUs FIFO (the main boot run is 2 vCPUs FIFO): the domU boots; xl and
#              the domU agree on the vCPU count; Xen shows the ABI asked
#              for; 8 MiB of seeded pattern on xvda is dom0's file both
#              ways; 16 MiB of TCP each way arrives intact; with 2 vCPUs or
#              more, two threads on the first and last vCPU hand a token
#              back and forth through a futex PINGPONGS times (each hand-
#              over an IPI) within PING_S s, and a read-only flip and
#              expedited membarrier loop (TLB shootdown and call-function
#              IPIs) runs 5 s on every vCPU; the domain shuts down cleanly;
#   affinity   on the last (4 vCPU, FIFO) domU, while the domU writes and
#              verifies xvdb and TCP flows both ways, each blkfront and
#              netfront queue interrupt (the first AFF_PER_DEV of each
#              device: 2; make soak all) is moved to every vCPU in turn
#              through /proc/irq/N/smp_affinity: Xen reports the port's
#              notify vCPU as the one chosen, the domU's count for that
#              interrupt grows on that vCPU, and afterwards xvdb equals
#              dom0's file and both streams arrived byte for byte;
#   hotplug    on that domU, with every queue interrupt sent to the last
#              vCPU and the same I/O running, `xl vcpu-set` takes it down
#              to 2 vCPUs and back, HOTPLUGS times: with 2 online Xen
#              notifies only vCPUs 0 and 1 and both devices' events still
#              come; with all back online (the domU onlines them) Xen
#              notifies every vCPU again, the last one's timer ticks and a
#              futex ping-pong to it ends; the data is intact at the end;
#   rate       `sleep 10` in the domU, timed by dom0's clock, lasts 10 s
#              within 1 % (plus one agent call), and the domU's clock,
#              read before and after, advanced as far as dom0's did within
#              1 % (dom0 brackets each reading with its own); 200
#              nanosleeps of 1 ms all end;
#   restore    a checker reads CLOCK_MONOTONIC on every vCPU through
#              SR_CYCLES xl save/restore cycles and MIGRATIONS local live
#              migrations and never sees it go backwards; after each the
#              domU's wall clock is within 2 s of dom0's;
#   steal      with busy loops on dom0's vCPUs and the domU's on the same
#              two physical CPUs for STEAL_S s, the steal time in the
#              domU's /proc/stat grows by at least a tenth of that time;
#   log        dom0's console logs of every domain of the run are clean;
#   end        the last domU shuts down.
#
# Longer counts for make soak come in /extra/events.env (SR_CYCLES=20,
# MIGRATIONS=5, HOTPLUGS=10, PINGPONGS=100000, AFF_PER_DEV=99).

. /extra/lib.sh

XCPU=/extra/xcpu
PINGPONGS=30000
PING_S=300
SR_CYCLES=2
MIGRATIONS=1
STEAL_S=20
HOTPLUGS=1
# queue interrupts of each device moved around the vCPUs (make soak: all)
AFF_PER_DEV=2
[ -f /extra/events.env ] && . /extra/events.env

MEM=$(awk -F' = ' '$1 == "memory" { print $2 }' "$DOMU_CFG")
SAVE=/run/evsave/domu.save
mkdir -p /run/evsave && mount -t tmpfs -o size=$((${MEM:-256} + 64))m tmpfs /run/evsave

# abi_of_dump: "2l" when every port's state column is a lone selector bit,
# "fifo" otherwise (FIFO prints more there)
abi_of_dump() {
	awk '{ s = $2; sub(/^\[[0-9]\/[0-9]\//, "", s); sub(/\]:?$/, "", s)
		if (s !~ /^[01]$/) fifo = 1; n++ }
		END { if (!n) print "none"; else print (fifo ? "fifo" : "2l") }'
}

# ---------------------------------------------------------------- tests

# t_config VCPUS ABI SEED: one domU of the matrix, created and shut down
t_config() {
	_cfg=/etc/xen/ev-$1-$2.cfg
	_args=
	[ "$2" = 2l ] && _args=" xen.fifo_events=0"
	sed -e "s/^vcpus = .*/vcpus = $1/" -e "s/^\(extra = .\)\(.*\)\(.\)$/\1\2$_args\3/" \
		"$DOMU_CFG" > "$_cfg"
	grep -q "^vcpus = $1\$" "$_cfg" || { say "no vcpus line in $DOMU_CFG"; return 1; }
	create_cfg "$_cfg" || return 1
	_xl=$("$XL" list "$DOMU" | awk 'NR == 2 { print $4 }')
	_in=$(domu 30 "grep -c ^processor /proc/cpuinfo")
	say "domain $(domid): xl says $_xl vCPUs, the domU sees $_in"
	[ "$_xl" = "$1" ] && [ "$(num "$_in")" = "$1" ] || return 1
	evtchn_dump > /tmp/ev.dump
	_abi=$(abi_of_dump < /tmp/ev.dump)
	say "Xen: $(wc -l < /tmp/ev.dump) ports, ABI $_abi; first: $(head -n 1 /tmp/ev.dump)"
	[ "$_abi" = "$2" ] || { sed 's/^/# xen: /' /tmp/ev.dump | head -n 12; return 1; }
	pattern_through /dev/xvda "$DISK_FILE" "$3" 8 > /dev/null || { say "xvda: domU to dom0 failed"; return 1; }
	pattern_from "$DISK_FILE" /dev/xvda $(($3 + 1)) 8 > /dev/null || { say "xvda: dom0 to domU failed"; return 1; }
	tcp_each 16 $((5000 + $3)) "$3" || { say "TCP failed"; return 1; }
	say "xvda 8 MiB both ways and 16 MiB TCP each way intact"
	if [ "$1" -gt 1 ]; then
		domu "$PING_S" "xcpu pingpong 0 $(($1 - 1)) $PINGPONGS" > /tmp/ping.out 2>&1
		_st=$?
		sed 's/^/# domU: /' /tmp/ping.out
		[ $_st -eq 0 ] || return 1
		domu 60 "xcpu shootdown 5" > /tmp/ping.out 2>&1
		_st=$?
		sed 's/^/# domU: /' /tmp/ping.out
		[ $_st -eq 0 ] || return 1
	fi
	return 0
}

# end_config: shut the domU down and check what it wrote meanwhile
end_config() {
	timeout 120 "$XL" shutdown -w "$DOMU" > /dev/null 2>&1 || { say "xl shutdown -w failed"; return 1; }
	gone 30 || return 1
	all_console > /tmp/console-all.log
	_bad=$(console_bad /tmp/console-all.log)
	[ -z "$_bad" ] || { echo "$_bad" | sed 's/^/# console: /'; return 1; }
}

# the domU's interrupt NAME: its Linux irq number; and the counts of IRQ
# on each of the domU's NCPU vCPUs, on one line
irq_of() { domu 20 "awk '\$NF == \"$1\" { sub(\":\", \"\", \$1); print \$1 }' /proc/interrupts"; }
counts_of() { # IRQ NCPU
	domu 20 "awk '\$1 == \"$1:\" { for (i = 2; i <= $2 + 1; i++) printf \"%s \", \$i; print \"\" }' /proc/interrupts"
}

# xs_port NAME: the event channel the domU wrote to xenstore for its
# interrupt NAME (xvdb-qI for blkfront's queue I, eth0-qI-tx/-rx, eth0-qI)
xs_port() {
	_dom=/local/domain/$(domid)/device
	case $1 in
	xvdb-q*) _d=$_dom/vbd/51728 _q=${1#xvdb-q} _k=event-channel ;;
	eth0-q*-tx) _d=$_dom/vif/0 _q=${1#eth0-q} _q=${_q%-tx} _k=event-channel-tx ;;
	eth0-q*-rx) _d=$_dom/vif/0 _q=${1#eth0-q} _q=${_q%-rx} _k=event-channel-rx ;;
	eth0-q*) _d=$_dom/vif/0 _q=${1#eth0-q} _k=event-channel ;;
	esac
	xenstore-read "$_d/queue-$_q/$_k" 2> /dev/null || xenstore-read "$_d/$_k" 2> /dev/null
}

t_affinity() {
	_n=$(domu 20 "grep -c ^processor /proc/cpuinfo")
	[ "$(num "$_n")" -ge 2 ] || { say "the domU has $_n vCPUs"; return 1; }
	domu 20 "awk '\$NF ~ /^(xvdb-q[0-9]+|eth0-q[0-9]+(-tx|-rx)?)\$/ { print \$NF }' /proc/interrupts" > /tmp/names
	say "queue interrupts: $(tr '\n' ' ' < /tmp/names)"
	grep -q '^xvdb-q' /tmp/names && grep -q '^eth0-q' /tmp/names || return 1
	{ grep '^xvdb' /tmp/names | head -n "$AFF_PER_DEV"
	  grep '^eth0' /tmp/names | head -n "$AFF_PER_DEV"; } > /tmp/affnames
	io_start 6100 61 900 || return 1
	# Each interrupt (the first AFF_PER_DEV of each device) to each vCPU
	# in turn: Xen must then notify that vCPU,
	# and what the domU counts for it from then on must land there (a
	# stream may leave a queue idle: that queue is then judged by Xen alone,
	# but each device must have moved events on some vCPU it was sent to).
	_ok=0 _bad=0 _blk=0 _net=0
	while read -r _name; do
		_irq=$(irq_of "$_name")
		_port=$(xs_port "$_name")
		[ -n "$_irq" ] && [ -n "$_port" ] || { say "$_name: irq '$_irq' port '$_port'"; _bad=$((_bad + 1)); continue; }
		_c=0
		while [ $_c -lt "$_n" ]; do
			domu 20 "printf %x $((1 << _c)) > /proc/irq/$_irq/smp_affinity" > /dev/null ||
				{ say "$_name: setting irq $_irq to CPU $_c refused"; _bad=$((_bad + 1)); }
			_before=$(counts_of "$_irq" "$_n")
			sleep 2
			_after=$(counts_of "$_irq" "$_n")
			_xen=$(evtchn_dump | awk -v p="$_port" '$1 == p { for (i = 1; i <= NF; i++) if ($i ~ /^n=/) print substr($i, 3) }')
			# here: events on vCPU _c; away: on any other (2 in flight allowed)
			_moved=$(echo "$_before / $_after" | awk -v c="$_c" -v n="$_n" '{
				for (i = 1; i <= n; i++) { d = $(n + 1 + i) - $i; if (i - 1 == c) here = d; else away += d }
				print (here + 0) " " (away + 0) }')
			if [ "$_xen" = "$_c" ] && [ "${_moved#* }" -le 2 ]; then
				_ok=$((_ok + 1))
				[ "${_moved% *}" -gt 0 ] && case $_name in xvdb*) _blk=$((_blk + 1)) ;; *) _net=$((_net + 1)) ;; esac
			else
				say "$_name (irq $_irq, port $_port) sent to CPU $_c: Xen notifies vCPU '$_xen'; events there, elsewhere: $_moved"
				_bad=$((_bad + 1))
			fi
			_c=$((_c + 1))
		done
	done < /tmp/affnames
	say "$_ok moves seen by Xen with the domU's counts following, $_bad not; moves with events: xvdb $_blk, eth0 $_net"
	[ $_blk -gt 0 ] && [ $_net -gt 0 ] || _bad=$((_bad + 1))
	io_stop 900 || _bad=$((_bad + 1))
	[ $_bad -eq 0 ] && [ $_ok -gt 0 ]
}

# total_of IRQ: the domU's count of IRQ summed over its online vCPUs (the
# columns of /proc/interrupts are the online ones)
total_of() {
	domu 20 "awk '\$1 == \"$1:\" { for (i = 2; i <= NF && \$i ~ /^[0-9]+\$/; i++) s += \$i; print s + 0 }' /proc/interrupts"
}

# queue_totals: the summed counts of the domU's xvdb and eth0 queue
# interrupts (the names in /tmp/names), "XVDB ETH0"
queue_totals() {
	_x=0 _e=0
	while read -r _name; do
		_t=$(num "$(total_of "$(irq_of "$_name")")")
		case $_name in xvdb*) _x=$((_x + _t)) ;; *) _e=$((_e + _t)) ;; esac
	done < /tmp/names
	echo "$_x $_e"
}

# xen_vcpus: the vCPUs Xen notifies for the domU's ports, e.g. "0 1 "
xen_vcpus() {
	evtchn_dump | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^n=/) print substr($i, 3) }' |
		sort -un | tr '\n' ' '
}

# xen_vcpus_become LIST: until xen_vcpus is LIST, 10 tries (a CPU leaves
# the online mask before its ports are closed); prints the last answer
xen_vcpus_become() {
	_w=0
	until _used=$(xen_vcpus) && [ "$_used" = "$1" ] || [ $_w -ge 10 ]; do
		sleep 1
		_w=$((_w + 1))
	done
	echo "$_used"
}

# wait_online LIST: until the domU's online CPUs are LIST, 60 s at most
wait_online() {
	_w=0
	until [ "$(domu 20 "cat /sys/devices/system/cpu/online")" = "$1" ]; do
		[ $_w -lt 60 ] || { say "online CPUs: '$(domu 20 "cat /sys/devices/system/cpu/online")', not $1"; return 1; }
		sleep 1
		_w=$((_w + 1))
	done
}

t_hotplug() {
	_n=$(num "$(domu 20 "grep -c ^processor /proc/cpuinfo")")
	[ "$_n" -ge 3 ] || { say "the domU has $_n vCPUs"; return 1; }
	_last=$((_n - 1)) _bad=0
	# every queue interrupt on the last vCPU, which is about to go
	while read -r _name; do
		domu 20 "printf %x $((1 << _last)) > /proc/irq/$(irq_of "$_name")/smp_affinity" > /dev/null ||
			{ say "$_name: cannot be sent to CPU $_last"; _bad=$((_bad + 1)); }
	done < /tmp/names
	io_start 6110 71 2900 || return 1
	_round=1
	while [ $_round -le "$HOTPLUGS" ] && [ $_bad -eq 0 ]; do
		# down to 2 vCPUs: Xen must notify none of the others, and the
		# queues' events must still come (to the CPUs left)
		"$XL" vcpu-set "$DOMU" 2 > /tmp/vs.out 2>&1 || { sed 's/^/# xl: /' /tmp/vs.out; _bad=1; break; }
		wait_online 0-1 || { _bad=1; break; }
		_used=$(xen_vcpus_become "0 1 ")
		_q0=$(queue_totals)
		sleep 3
		_q1=$(queue_totals)
		say "round $_round, 2 vCPUs online: Xen notifies vCPUs $_used; queue events (xvdb eth0) $_q0 -> $_q1"
		[ "$_used" = "0 1 " ] || _bad=$((_bad + 1))
		echo "$_q0 $_q1" | awk '{ exit !($3 > $1 && $4 > $2) }' || _bad=$((_bad + 1))
		# back to all: online again, each ticks, takes IPIs and has ports
		"$XL" vcpu-set --ignore-host "$DOMU" "$_n" > /tmp/vs.out 2>&1 || { sed 's/^/# xl: /' /tmp/vs.out; _bad=1; break; }
		# (Xen's hotplug watch makes them present, user space onlines them)
		domu 90 "c=2; while [ \$c -lt $_n ]; do t=0
			until echo 1 > /sys/devices/system/cpu/cpu\$c/online; do
				t=\$((t + 1)); [ \$t -lt 30 ] || break; sleep 1; done
			c=\$((c + 1)); done" > /dev/null 2>&1
		wait_online "0-$_last" || { _bad=1; break; }
		_t0=$(num "$(total_of "$(irq_of "timer$_last")")")
		domu 60 "xcpu pingpong 0 $_last 2000" > /tmp/ping.out 2>&1 || { sed 's/^/# domU: /' /tmp/ping.out; _bad=$((_bad + 1)); }
		_t1=$(num "$(total_of "$(irq_of "timer$_last")")")
		_used=$(xen_vcpus_become "$(seq 0 $_last | tr '\n' ' ')")
		say "round $_round, $_n vCPUs online: Xen notifies vCPUs $_used; timer$_last $_t0 -> $_t1; $(tail -n 1 /tmp/ping.out)"
		[ "$_used" = "$(seq 0 $_last | tr '\n' ' ')" ] || _bad=$((_bad + 1))
		[ "$_t1" -gt "$_t0" ] || _bad=$((_bad + 1))
		_round=$((_round + 1))
	done
	io_stop 2900 || _bad=$((_bad + 1))
	[ $_bad -eq 0 ]
}

# now_of WHERE: CLOCK_MONOTONIC and CLOCK_REALTIME in the domU or dom0
dom0_now() { "$XCPU" now; }
domu_now() { domu 20 "xcpu now"; }

t_rate() {
	# A: the domU reads its clock (m0) inside a call dom0 brackets [a0, a1]
	_a0=$(dom0_now) && _m0=$(domu_now) && _a1=$(dom0_now) || return 1
	# B: `sleep 10` in the domU, the whole call bracketed [b0, b1]
	_b0=$(dom0_now) && domu 30 "sleep 10" > /dev/null && _b1=$(dom0_now) || return 1
	# C: its clock again (m2), bracketed [c0, c1]
	_c0=$(dom0_now) && _m2=$(domu_now) && _c1=$(dom0_now) || return 1
	# The time between the domU's two readings is, by dom0's clock,
	# between c0 - a1 and c1 - a0: the domU's own count must fall there
	# (1 % either way).  The sleep, by dom0's clock, must last 10 s
	# (1 % either way) plus at most one call's cost (a1 - a0) and 0.1 s.
	echo "${_a0% *} ${_a1% *} ${_m0% *} ${_b0% *} ${_b1% *} ${_c0% *} ${_c1% *} ${_m2% *}" | awk '{
		lo = $6 - $2; hi = $7 - $1; d = $8 - $3; call = $2 - $1; s = $5 - $4
		printf "# domU: %.3f s between its readings; dom0: between %.3f and %.3f s\n", d, lo, hi
		printf "# dom0: the sleep 10 call took %.3f s, a call without it %.3f s\n", s, call
		exit !(hi - lo <= 0.5 && d >= lo * 0.99 && d <= hi * 1.01 &&
		       s >= 9.9 && s <= 10.1 + call + 0.1) }' || return 1
	domu 120 "xcpu nanosleep 200 1000" > /tmp/ns.out 2>&1 || return 1
	sed 's/^/# domU: /' /tmp/ns.out
}

# wallclock_gap: |domU's CLOCK_REALTIME - dom0's|, in seconds
wallclock_gap() {
	_d0=$(dom0_now) && _u=$(domu_now) && _d1=$(dom0_now) || { echo 999; return; }
	echo "${_d0#* } ${_u#* } ${_d1#* }" | awk '{ g = $2 - ($1 + $3) / 2; if (g < 0) g = -g; printf "%.3f\n", g }'
}

t_restore() {
	domu 20 "xcpu monotonic 0 > /tmp/mono.out 2>&1 & echo \$! > /tmp/mono.pid" > /dev/null || return 1
	sleep 2
	_i=1 _worst=0
	while [ $_i -le "$SR_CYCLES" ]; do
		rm -f $SAVE
		timeout 300 "$XL" save "$DOMU" $SAVE > /tmp/sr.out 2>&1 || { sed 's/^/# xl: /' /tmp/sr.out; return 1; }
		sleep 2
		timeout 300 "$XL" restore $SAVE > /tmp/sr.out 2>&1 || { sed 's/^/# xl: /' /tmp/sr.out; return 1; }
		wait_domu 120 true || { say "no agent after restore $_i"; return 1; }
		_gap=$(wallclock_gap)
		say "restore $_i: wall clock $_gap s from dom0's"
		awk -v g="$_gap" 'BEGIN { exit !(g <= 2) }' || return 1
		domu 20 "kill -0 \$(cat /tmp/mono.pid)" > /dev/null || { say "the checker died"; return 1; }
		_i=$((_i + 1))
	done
	# and local live migrations (the run's hypervisor is the shadow build)
	_i=1
	while [ $_i -le "$MIGRATIONS" ]; do
		_old=$(domid)
		timeout 600 "$XL" migrate -s "" "$DOMU" "exec $XL migrate-receive" > /tmp/sr.out 2>&1 ||
			{ sed 's/^/# xl: /' /tmp/sr.out | tail -n 10; return 1; }
		[ "$(domid)" != "$_old" ] || { say "migration $_i: still domain $_old"; return 1; }
		wait_domu 120 true || { say "no agent after migration $_i"; return 1; }
		_gap=$(wallclock_gap)
		say "migration $_i: domain $_old -> $(domid), wall clock $_gap s from dom0's"
		awk -v g="$_gap" 'BEGIN { exit !(g <= 2) }' || return 1
		_i=$((_i + 1))
	done
	domu 60 "kill -USR1 \$(cat /tmp/mono.pid); sleep 3; cat /tmp/mono.out" > /tmp/mono.out 2>&1
	sed 's/^/# domU: /' /tmp/mono.out
	grep -q ' 0 went backwards' /tmp/mono.out && grep -q '[1-9][0-9]* readings' /tmp/mono.out
}

steal_ticks() { domu 20 "awk '\$1 == \"cpu\" { print \$9 }' /proc/stat"; }

t_steal() {
	_s0=$(num "$(steal_ticks)")
	domu 20 "for c in \$(seq 1 \$(grep -c ^processor /proc/cpuinfo)); do
		(timeout $STEAL_S sh -c 'while :; do :; done' < /dev/null > /dev/null 2>&1 &); done" > /dev/null || return 1
	for c in 1 2; do timeout "$STEAL_S" sh -c 'while :; do :; done' & done
	sleep $((STEAL_S + 2))
	wait
	_s1=$(num "$(steal_ticks)")
	say "steal in the domU's /proc/stat: $_s0 -> $_s1 ticks of 1/100 s over ${STEAL_S} s of contention"
	[ $((_s1 - _s0)) -ge $((STEAL_S * 10)) ]
}

t_logs() {
	all_console > /tmp/console-all.log
	say "$(grep -c 'XTEST-INIT: reached init' /tmp/console-all.log) boots in the console logs"
	CONSOLE_LOG=/tmp/console-all.log log_clean 'events|evtchn|FIFO|clocksource|resum'
}

t_end() {
	timeout 120 "$XL" shutdown -w "$DOMU" > /dev/null || { say "xl shutdown -w failed"; return 1; }
	gone 30
}

# M, P: the words each domU of the matrix is judged by
M="Xen shows that ABI, xvda both ways and TCP each way intact"
P="$PINGPONGS futex ping-pongs and a TLB shootdown loop across vCPUs"
t_config 1 fifo 100;	result $? "events: 1 vCPU, FIFO: $M"
end_config;		result $? "events: the 1 vCPU FIFO domU shuts down, clean console log"
t_config 1 2l 110;	result $? "events: 1 vCPU, 2-level: $M"
end_config;		result $? "events: the 1 vCPU 2-level domU shuts down, clean console log"
t_config 2 2l 120;	result $? "events: 2 vCPUs, 2-level: $M; $P"
end_config;		result $? "events: the 2 vCPU 2-level domU shuts down, clean console log"
t_config 4 2l 130;	result $? "events: 4 vCPUs, 2-level: $M; $P"
end_config;		result $? "events: the 4 vCPU 2-level domU shuts down, clean console log"
t_config 4 fifo 140;	result $? "events: 4 vCPUs, FIFO: $M; $P"
t_affinity;	result $? "blkfront and netfront queue interrupts moved to each vCPU under I/O: Xen notifies that vCPU, its count grows, data intact"
t_hotplug;	result $? "xl vcpu-set 2 and back, $HOTPLUGS times, queue interrupts on the last vCPU, under I/O: Xen notifies only online vCPUs, events go on, the vCPUs return and tick, data intact"
t_rate;		result $? "sleep 10 in the domU is 10 s of dom0's clock within 1 %; 200 nanosleeps of 1 ms end"
t_restore;	result $? "$SR_CYCLES save/restores and $MIGRATIONS live migration(s): CLOCK_MONOTONIC never backwards on any vCPU, wall clock within 2 s of dom0's"
t_steal;	result $? "with dom0 busy on the same CPUs the domU's steal time grows"
t_logs;		result $? "the console logs of every domain of the events run are clean"
t_end;		result $? "the last domU of the events run shuts down"
say "events tests: $failed failed"
exit $failed
