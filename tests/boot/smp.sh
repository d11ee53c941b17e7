#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# smp.sh - the tests of the domU's vCPUs: secondary vCPUs brought up at
# boot, vCPUs taken away and given back by the toolstack while the domU
# works, and every vCPU coming back after a suspend (save/restore, live
# migration, a cancelled save).  Run by busybox sh in dom0 of the embedded
# Xen host (scripts/check.sh hands it to scripts/xen-host/boot.sh --driver
# --no-create on a hypervisor with shadow paging, with the same bzImage the
# bare run boots as the domU's kernel, a 64 MiB xvdb, and xmm and xcpu in
# the domU's initrd).
#
# The toolstack speaks to the domU about its vCPUs through xenstore:
# `xl vcpu-set` writes "online" or "offline" to cpu/N/availability under the
# domain's path, the domU's hotplug watch takes the CPU down (the vCPU then
# stops itself in Xen) or makes it present again (and user space onlines
# it).  Xen's account of each vCPU (`xl vcpu-list`: on a physical CPU or
# not, and the CPU time it has used) is the outside evidence that the domU
# did what it says in /sys/devices/system/cpu/online.
#
# Boots with 1, 2 and 4 vCPUs are the events run's (tests/boot/events.sh:
# xl and the domU agree on the count, IPIs across them); this run boots
# the 8-vCPU domU and keeps it, so that the hotplug and suspend tests also
# see a domU with vCPUs it booted with and then lost.
#
# What each test proves:
#   kernel    the domU's kernel is the bzImage the bare run boots (its
#             SHA-256, handed in as KERNEL_SHA), not vmlinux;
#   boot      a domU of 8 vCPUs (on a 2-CPU host) boots: init counts them,
#             the domU's online mask is all of them, Xen has every one
#             online and every one uses CPU time while a thread spins on
#             each CPU of the domU (flipping a shared page read-only: TLB
#             shootdowns, expedited membarriers), a futex ping-pong between
#             the first and last vCPU ends, 8 MiB of seeded pattern the domU
#             writes on xvda is in dom0's file and 8 MiB of TCP each way
#             arrives intact;
#   hotplug   `xl vcpu-set` takes it to 4 (both views agree), then, while
#             xmm forkstorm forks on every vCPU (copy-on-write checked both
#             ways, half the children exec) and the domU writes and
#             verifies xvdb and TCP flows both ways, to 1 vCPU and back to
#             4, HOTPLUGS times: at 1, the domU's mask is "0", Xen has
#             vCPUs 1-7 down and blkback and netback still move data; back
#             at 4, the domU's mask is 0-3, Xen has 0-3 online and 4-7
#             down, and each returned vCPU takes a ping-pong with vCPU 0
#             and uses CPU time; at the end the storm found no bad child or
#             page, both streams arrived byte for byte and dom0's xvdb file
#             holds the last pattern;
#   suspend   SR_CYCLES xl save + xl restore, MIGRATIONS local live
#             migrations and CANCELS cancelled saves (`xl save -c`: the
#             domU suspends, the toolstack takes its snapshot, and the
#             same domain resumes in place), interleaved, in batches of at
#             most BATCH each under its own disk and TCP load: after each
#             one the domain is the one expected (a new one after a restore
#             or migration, the same one after a cancelled save), its
#             backends move data again, and the domU and Xen both have
#             vCPUs 0-3 online and 4-7 down; after each batch the data of
#             the batch is intact and every online vCPU uses CPU time;
#   log       dom0's copies of the console logs of every domain of the run
#             hold nothing LOG_BAD matches, and Xen's own log names no
#             fault (on the debug hypervisor, make soak: no assertion, no
#             refused page-table or descriptor update, no crash);
#   end       the last domU shuts down.
#
# make check's counts (one save/restore, one cancelled save, one hotplug
# round, 100 round trips a ping-pong) keep the run near 6 minutes on a
# 2-core TCG host: live migration of this domain alone took 4 minutes
# there, and the migrate and events runs already migrate a domU with I/O.
# Longer counts for make soak come in /extra/smp.env (SR_CYCLES=20,
# MIGRATIONS=10, CANCELS=10, HOTPLUGS=5, PINGS=300).
#
# Output: one "TAP: ok - NAME" / "TAP: not ok - NAME" line per test.

. /extra/lib.sh

SR_CYCLES=1
MIGRATIONS=0
CANCELS=1
HOTPLUGS=1
PINGS=100
BATCH=5
# the TCP streams under the hotplug and suspend tests, MiB/s each way
IO_RATE=4
[ -f /extra/smp.env ] && . /extra/smp.env

MEM=$(awk -F' = ' '$1 == "memory" { print $2 }' "$DOMU_CFG")
SAVE=/run/smpsave/domu.save
mkdir -p /run/smpsave && mount -t tmpfs -o size=$((${MEM:-256} + 64))m tmpfs /run/smpsave
# what Xen printed before the first domU (its own boot, dom0's) is not
# judged; from here on XENLOG collects all of it
XENLOG=/tmp/xen-all.log
"$XL" dmesg -c > /tmp/xen-boot.log 2>&1
: > $XENLOG

# xen_log_take: move what Xen's console ring holds into XENLOG (the ring
# is small; taking it after each test keeps all of it)
xen_log_take() { "$XL" dmesg -c >> $XENLOG 2> /dev/null; }

# create VCPUS: xl create the domU with that many vCPUs, wait for its agent
create() {
	_cfg=/etc/xen/smp-$1.cfg
	sed -e "s/^vcpus = .*/vcpus = $1/" "$DOMU_CFG" > "$_cfg"
	grep -q "^vcpus = $1\$" "$_cfg" || { say "no vcpus line in $DOMU_CFG"; return 1; }
	_t=$(date +%s)
	create_cfg "$_cfg" || return 1
	say "domain $(domid) with $1 vCPU(s) answers $(($(date +%s) - _t)) s after xl create"
}

# xen_online: the domU's vCPUs Xen has online (on a physical CPU), e.g.
# "0 1 2 3 "; xen_times: "VCPU SECONDS" a line for every vCPU Xen lists
xen_online() { "$XL" vcpu-list "$DOMU" 2> /dev/null | awk 'NR > 1 && $4 ~ /^[0-9]+$/ { printf "%s ", $3 }'; }
xen_times() { "$XL" vcpu-list "$DOMU" 2> /dev/null | awk 'NR > 1 { print $3, $6 }'; }
domu_online() { domu 20 "cat /sys/devices/system/cpu/online"; }

# upto N: "0 1 ... N-1 "; mask_of N: the domU's online mask for 0..N-1
upto() { seq 0 $(($1 - 1)) | tr '\n' ' '; }
mask_of() { if [ "$1" -eq 1 ]; then echo 0; else echo "0-$(($1 - 1))"; fi; }

# agree N: within 60 s the domU's online mask is mask_of N and Xen has
# exactly vCPUs 0..N-1 online
agree() {
	_w=0
	until _in=$(domu_online) && _xen=$(xen_online) &&
		[ "$_in" = "$(mask_of "$1")" ] && [ "$_xen" = "$(upto "$1")" ]; do
		[ $_w -lt 60 ] || { say "online: the domU says '$_in', Xen has vCPUs '$_xen'; wanted $1"; return 1; }
		sleep 1
		_w=$((_w + 1))
	done
}

# all_run N: while a thread spins on every CPU of the domU (and flips a
# page read-only under the others: TLB shootdowns), Xen sees each of the
# vCPUs 0..N-1 use CPU time
all_run() {
	xen_times > /tmp/t0
	domu 60 "xcpu shootdown 3" > /tmp/sd.out 2>&1 || { sed 's/^/# domU: /' /tmp/sd.out; return 1; }
	xen_times > /tmp/t1
	_idle=$(awk -v n="$1" 'NR == FNR { t[$1] = $2; next }
		$1 < n && $2 <= t[$1] { printf "%s ", $1 } END { }' /tmp/t0 /tmp/t1)
	_ran=$(awk -v n="$1" '$1 < n' /tmp/t1 | wc -l)
	[ -z "$_idle" ] && [ "$_ran" -eq "$1" ] ||
		{ say "vCPUs that used no CPU time under load: '$_idle' ($_ran of $1 listed)"; return 1; }
}

# ping_each N: a futex ping-pong between vCPU 0 and each of 1..N-1
ping_each() {
	_c=1
	while [ $_c -lt "$1" ]; do
		domu 120 "xcpu pingpong 0 $_c $PINGS" > /tmp/ping.out 2>&1 ||
			{ sed 's/^/# domU: /' /tmp/ping.out; return 1; }
		_c=$((_c + 1))
	done
}

# moving: within 60 s blkback moves sectors of xvdb and netback carries
# traffic both ways on eth0 for the domain that is the domU now
io_now() { echo $(($(bestat 51728 wr_sect) + $(bestat 51728 rd_sect))) "$(vifstat 0 rx_bytes)" "$(vifstat 0 tx_bytes)"; }
moving() {
	set -- $(io_now)
	_w=0
	while [ $_w -lt 60 ]; do
		sleep 1
		set -- $1 $2 $3 $(io_now)
		[ "$4" -gt "$1" ] && [ "$5" -gt "$2" ] && [ "$6" -gt "$3" ] && return 0
		set -- $1 $2 $3
		_w=$((_w + 1))
	done
	say "domain $(domid): disk or network I/O did not move in 60 s"
	return 1
}

# shut_down: xl shutdown; the domain powers off and goes, its console
# clean.  A domain that had a cancelled save (xl save -c) has no xl left
# watching it (xl's watcher ends when its domain suspends), so nothing
# destroys it when it shuts down: when Xen shows it shut down ("s") and
# its console says it powered off, dom0 destroys it.
shut_down() {
	"$XL" shutdown "$DOMU" > /tmp/down.out 2>&1 || { sed 's/^/# xl: /' /tmp/down.out; return 1; }
	_w=0
	while "$XL" list "$DOMU" > /tmp/down.out 2>&1; do
		if awk 'NR == 2 { exit !($5 ~ /s/) }' /tmp/down.out &&
			all_console | tail -n 5 | grep -qE 'reboot: (Power down|Power off not available)'; then
			say "domain $(domid) shut down with no xl watching it: destroyed by dom0"
			"$XL" destroy "$DOMU" > /dev/null 2>&1
		fi
		[ $_w -lt 180 ] || { say "the domain did not shut down"; sed 's/^/# /' /tmp/down.out; return 1; }
		sleep 1
		_w=$((_w + 1))
	done
	gone 30 || return 1
	all_console > /tmp/console-all.log
	_bad=$(console_bad /tmp/console-all.log)
	xen_log_take
	[ -z "$_bad" ] || { echo "$_bad" | sed 's/^/# console: /'; return 1; }
}

# ---------------------------------------------------------------- tests

# t_boot N SEED: a domU of N vCPUs
t_boot() {
	create "$1" || return 1
	_init=$(all_console | grep "XTEST-INIT: reached init on xen" | tail -n 1)
	say "${_init#*XTEST-INIT: }"
	case $_init in *" on xen, $1 cpus,"*) ;; *) say "init did not count $1 CPUs"; return 1 ;; esac
	agree "$1" || return 1
	"$XL" vcpu-list "$DOMU" | sed 's/^/# /'
	if [ "$1" -gt 1 ]; then
		all_run "$1" || return 1
		domu 120 "xcpu pingpong 0 $(($1 - 1)) $PINGS" > /tmp/ping.out 2>&1
		_st=$?
		sed 's/^/# domU: /' /tmp/ping.out /tmp/sd.out
		[ $_st -eq 0 ] || return 1
	fi
	pattern_through /dev/xvda "$DISK_FILE" "$2" 8 > /dev/null || { say "xvda: the domU's pattern is not in dom0's file"; return 1; }
	tcp_each 8 $((5200 + $2)) "$2" > /dev/null || { say "TCP failed"; return 1; }
	say "xvda 8 MiB in dom0's file, 8 MiB TCP each way intact"
	xen_log_take
}

# vcpu_set N: xl vcpu-set to N (past the host's CPUs too); going up, the
# domU makes the vCPUs present and user space onlines them, as udev would
vcpu_set() {
	"$XL" vcpu-set --ignore-host "$DOMU" "$1" > /tmp/vs.out 2>&1 || { sed 's/^/# xl: /' /tmp/vs.out; return 1; }
	[ "$1" -gt 1 ] || return 0
	domu 120 "c=1; while [ \$c -lt $1 ]; do t=0
		until [ \"\$(cat /sys/devices/system/cpu/cpu\$c/online)\" = 1 ] ||
			echo 1 > /sys/devices/system/cpu/cpu\$c/online; do
			t=\$((t + 1)); [ \$t -lt 60 ] || break; sleep 1; done
		c=\$((c + 1)); done" > /dev/null 2>&1
}

storm_alive() { domu 20 "! grep -q '^status' /tmp/storm.out"; }

t_hotplug() {
	vcpu_set 4 && agree 4 || return 1
	say "from 8 to 4 vCPUs; Xen: $(xen_online)"
	domu 20 "rm -f /tmp/xmm.stop; (xmm forkstorm 100000 > /tmp/storm.out 2>&1; echo status \$? >> /tmp/storm.out) > /dev/null 2>&1 &" > /dev/null || return 1
	io_start 6300 31 3100 || return 1
	_bad=0 _r=1
	while [ $_r -le "$HOTPLUGS" ] && [ $_bad -eq 0 ]; do
		_t=$(date +%s)
		vcpu_set 1 || { _bad=1; break; }
		agree 1 || { _bad=1; break; }
		say "round $_r: down to 1 vCPU in $(($(date +%s) - _t)) s; Xen: $(xen_online)"
		"$XL" vcpu-list "$DOMU" | sed 's/^/# /'
		moving || _bad=1
		storm_alive || { say "the storm ended at 1 vCPU"; _bad=1; }
		_t=$(date +%s)
		vcpu_set 4 || { _bad=1; break; }
		agree 4 || { _bad=1; break; }
		say "round $_r: back to 4 vCPUs in $(($(date +%s) - _t)) s; Xen: $(xen_online)"
		_t=$(date +%s)
		ping_each 4 || _bad=1
		all_run 4 || _bad=1
		moving || _bad=1
		storm_alive || { say "the storm ended at 4 vCPUs"; _bad=1; }
		say "round $_r: ping-pongs, spins and I/O on 4 vCPUs in $(($(date +%s) - _t)) s"
		_r=$((_r + 1))
	done
	_t=$(date +%s)
	domu 20 "touch /tmp/xmm.stop" > /dev/null
	wait_domu 120 "grep -q '^status' /tmp/storm.out" || { say "the storm did not end"; _bad=1; }
	say "the storm ended $(($(date +%s) - _t)) s after it was told to"
	domu 20 "cat /tmp/storm.out" > /tmp/storm.log 2>&1
	sed 's/^/# domU: /' /tmp/storm.log
	grep -q '^status 0$' /tmp/storm.log && grep -q ', 0 worker(s) failed' /tmp/storm.log || _bad=1
	io_stop 3100 || _bad=1
	xen_log_take
	[ $_bad -eq 0 ]
}

# one OP N: one suspend of the domU (save, migrate or cancel), then the
# domain it must be, its backends moving and all four vCPUs online
one() {
	_old=$(domid)
	_t=$(date +%s)
	case $1 in
	save)
		rm -f $SAVE
		timeout 300 "$XL" save "$DOMU" $SAVE > /tmp/sr.out 2>&1 || { sed 's/^/# xl: /' /tmp/sr.out; return 1; }
		"$XL" list "$DOMU" > /dev/null 2>&1 && { say "the domain is still there after xl save"; return 1; }
		timeout 300 "$XL" restore $SAVE > /tmp/sr.out 2>&1 || { sed 's/^/# xl: /' /tmp/sr.out; return 1; }
		rm -f $SAVE ;;
	migrate)
		timeout 600 "$XL" migrate -s "" "$DOMU" "exec $XL migrate-receive" > /tmp/sr.out 2>&1 ||
			{ sed 's/^/# xl: /' /tmp/sr.out | tail -n 10; return 1; } ;;
	cancel)
		rm -f $SAVE
		timeout 300 "$XL" save -c "$DOMU" $SAVE > /tmp/sr.out 2>&1 || { sed 's/^/# xl: /' /tmp/sr.out; return 1; }
		[ -s $SAVE ] || { say "xl save -c wrote no snapshot"; return 1; }
		rm -f $SAVE ;;
	esac
	_new=$(domid)
	say "$1 $2: domain $_old -> ${_new:-none} in $(($(date +%s) - _t)) s"
	echo "$1 $(($(date +%s) - _t))" >> /tmp/sr.times
	[ -n "$_new" ] || return 1
	if [ "$1" = cancel ]; then
		[ "$_new" = "$_old" ] || { say "a cancelled save must resume the same domain"; return 1; }
	else
		[ "$_new" != "$_old" ] || { say "still domain $_old"; return 1; }
	fi
	wait_domu 120 true || { say "no agent after $1 $2"; return 1; }
	agree 4 || return 1
	moving
}

# next_op: the next kind of suspend into sus_op, taking turns while each has
# some left (counts in sus_ns, sus_nm, sus_nc; not in a subshell, which would lose
# them)
next_op() {
	sus_k=$((sus_k + 1))
	for sus_try in 1 2 3; do
		case $(((sus_k + sus_try) % 3)) in
		1) [ "$sus_ns" -gt 0 ] && { sus_ns=$((sus_ns - 1)) sus_op=save; return; } ;;
		2) [ "$sus_nm" -gt 0 ] && { sus_nm=$((sus_nm - 1)) sus_op=migrate; return; } ;;
		0) [ "$sus_nc" -gt 0 ] && { sus_nc=$((sus_nc - 1)) sus_op=cancel; return; } ;;
		esac
	done
}

t_suspend() {
	: > /tmp/sr.times
	agree 4 || return 1
	sus_ns=$SR_CYCLES sus_nm=$MIGRATIONS sus_nc=$CANCELS sus_k=0 sus_n=0 sus_b=0
	sus_total=$((SR_CYCLES + MIGRATIONS + CANCELS))
	while [ $sus_n -lt $sus_total ]; do
		sus_b=$((sus_b + 1))
		io_start $((6400 + sus_b * 2)) $((40 + sus_b)) $((4000 + sus_b * 100)) || return 1
		sus_j=0
		while [ $sus_j -lt "$BATCH" ] && [ $sus_n -lt $sus_total ]; do
			next_op
			sus_n=$((sus_n + 1)) sus_j=$((sus_j + 1))
			one "$sus_op" $sus_n || { io_stop $((4000 + sus_b * 100)) > /dev/null 2>&1; return 1; }
		done
		io_stop $((4000 + sus_b * 100)) || return 1
		all_run 4 || return 1
	done
	ping_each 4 || return 1
	awk '{ n[$1]++; s[$1] += $2; if ($2 > m[$1]) m[$1] = $2 }
		END { for (k in n) printf "# %s: %d, %.1f s each on average, %d s at most\n", k, n[k], s[k] / n[k], m[k] }' /tmp/sr.times
	xen_log_take
}

# What in Xen's own log is a fault of a domU or of Xen: an assertion, a
# BUG or WARN, a crash, a refused page-table, descriptor or grant
# operation, an unhandled trap.  Lines the domU itself wrote through the
# console hypercall ("(d3) ...") are its console, judged with the others.
XEN_BAD='Assertion|Xen BUG|Xen WARN|FATAL|[Pp]anic|crash|Bad L[1-4]|Bad type|[Ee]rror while validating|Attempt to|Could not|not a page table|[Uu]nhandled|[Ii]nvalid|[Ff]ailed|[Rr]efus|page fault'

t_logs() {
	all_console > /tmp/console-all.log
	say "$(grep -c 'XTEST-INIT: reached init' /tmp/console-all.log) boots in the console logs"
	_bad=$(console_bad /tmp/console-all.log)
	[ -z "$_bad" ] || { echo "$_bad" | sed 's/^/# console: /'; return 1; }
	xen_log_take
	say "Xen's log: $(wc -l < $XENLOG) lines, $(grep -c 'd[1-9][0-9]*' $XENLOG) of them about a domU"
	grep -v '(d[0-9]*)' $XENLOG | grep -E 'd[1-9][0-9]*' | tail -n 6 | sed 's/^/# xen: /'
	grep -v '(d[0-9]*)' $XENLOG | grep -E "$XEN_BAD" > /tmp/xen-bad.log
	[ ! -s /tmp/xen-bad.log ] || { head -n 12 /tmp/xen-bad.log | sed 's/^/# xen: /'; return 1; }
}

# t_kernel: the kernel xl boots is the bzImage check.sh was given (its
# SHA-256 in KERNEL_SHA), a bzImage (the "HdrS" boot header), not vmlinux
t_kernel() {
	_k=$(awk -F' = ' '$1 == "kernel" { gsub(/"/, "", $2); print $2 }' "$DOMU_CFG")
	_h=$("$XTEST" sha256 < "$_k")
	say "the domU's kernel $_k: $(wc -c < "$_k") bytes, header '$(dd if="$_k" bs=1 skip=514 count=4 2> /dev/null)', sha256 ${_h%% *}"
	[ "$(dd if="$_k" bs=1 skip=514 count=4 2> /dev/null)" = HdrS ] && [ "${_h%% *}" = "${KERNEL_SHA:-none}" ]
}

# lap: how long the test just ended took, for the next person who has to
# fit this run into make check
lap() { _now=$(date +%s); say "(that took $((_now - ${_lap:-$_now})) s)"; _lap=$_now; }

lap
t_kernel;	result $? "smp: the domU kernel is the bzImage the bare run boots (same SHA-256)"
t_boot 8 13;	result $? "smp: 8 vCPUs boot on 2 CPUs: init counts them, the domU and Xen agree all are online, each runs, a ping-pong across them, xvda and TCP data intact"
lap
t_hotplug;	result $? "smp: xl vcpu-set 8 -> 4, then 4 -> 1 -> 4 ($HOTPLUGS time(s)) under a fork storm and xvdb and TCP I/O: the domU and Xen agree at each step, returned vCPUs run, storm and data intact"
lap
t_suspend;	result $? "smp: $SR_CYCLES save/restores, $MIGRATIONS live migration(s), $CANCELS cancelled saves (xl save -c) under xvdb and TCP I/O: vCPUs 0-3 back and 4-7 still down each time, data intact"
lap
t_logs;		result $? "smp: the console logs of every domain are clean and Xen's log names no fault"
lap
shut_down;	result $? "smp: the domU shuts down, clean console log"
lap
say "smp tests: $failed failed"
exit $failed
