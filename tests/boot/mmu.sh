#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mmu.sh - the tests of the PV MMU, the p2m, the memory map and the balloon,
# run by busybox sh in dom0 of the embedded Xen host (scripts/check.sh
# hands it to scripts/xen-host/boot.sh --driver --no-create on the shadow
# hypervisor, with a host big enough for a 3 GiB domU and xmm in the
# domU's initrd).  The driver creates its domUs from boot.sh's config
# (DOMU_CFG), each with its own memory and maxmem.
#
# A PV guest runs on page tables Xen validates and keeps its own table of
# which machine frame backs each of its pages.  A mistake there shows as a
# process that reads another's data, a page-table update Xen refuses (the
# guest logs it; the debug hypervisor also names it in its own log), an
# oops, or memory that never comes back.  So every test checks data, and
# dom0 judges memory from Xen's side (`xl list`) as well as the domU's.
#
# What each test proves:
#   sizes     domUs of 256 MiB (maxmem 512), 1 GiB and 3 GiB boot; Xen
#             gives each the memory asked for; the domU's MemTotal is
#             within 85-100 % of it; xmm fill touches 90 % of its RAM with
#             a tag unique to each page and reads every tag back twice;
#             that memory came in 64 KiB folios, none PMD-sized;
#             the domain shuts down cleanly;
#   storm     on the 256 MiB domU: xmm forkstorm on every vCPU for STORM_S
#             s (fork, copy-on-write checked both ways, half of them exec)
#             and then xmm race for RACE_S s (threads racing mmap/munmap,
#             mprotect, MADV_DONTNEED and faults on a region remapped under
#             them); afterwards the domU's free memory (caches dropped) is
#             back within 4 MiB of where it was after a 5 s warm-up storm
#             (a page lost per mm would be about 10 MiB) and Xen's count of the
#             domain's pages has not moved: no page-table page leaked;
#   balloon   a 48 MiB pattern in the domU's tmpfs; `xl mem-set` to half:
#             Xen's count of the domain's pages falls to it and the domU's
#             MemTotal drops; back to the start; then up to maxmem, where
#             the domU grows past what it booted with and xmm fill uses
#             the new memory; then down again.  The pattern reads back
#             intact after every step;
#   restore   SR_CYCLES xl save/restore cycles and MIGRATIONS local live
#             migrations while xmm forkstorm runs on every vCPU: after
#             each the agent answers, the tmpfs pattern reads back and the
#             storm goes on; at the end the storm reports no failure;
#   log       dom0's console logs of every domain of the run hold no oops,
#             warning or refused update, and Xen's own log names no
#             refused page-table update of a domU;
#   end       the last domU shuts down.
#
# Longer counts for make soak come in /extra/mmu.env (SR_CYCLES=20,
# MIGRATIONS=10, STORM_S=120, RACE_S=60).

. /extra/lib.sh

STORM_S=20
RACE_S=15
SR_CYCLES=3
MIGRATIONS=2
[ -f /extra/mmu.env ] && . /extra/mmu.env

SAVE=/run/mmsave/domu.save
mkdir -p /run/mmsave && mount -t tmpfs -o size=640m tmpfs /run/mmsave

# create MEM MAXMEM: xl create the domU with that memory (and maxmem, when
# not empty) and wait for its agent
create() {
	_cfg=/etc/xen/mm-$1.cfg
	sed -e "s/^memory = .*/memory = $1/" "$DOMU_CFG" > "$_cfg"
	[ -n "$2" ] && echo "maxmem = $2" >> "$_cfg"
	grep -q "^memory = $1\$" "$_cfg" || { say "no memory line in $DOMU_CFG"; return 1; }
	create_cfg "$_cfg"
}

# xen_mib: the domain's memory as Xen counts it (its pages, in MiB)
xen_mib() { "$XL" list "$DOMU" 2> /dev/null | awk 'NR == 2 { print $3 }'; }

# meminfo KEY: the domU's /proc/meminfo value in KiB
meminfo() { num "$(domu 20 "awk '\$1 == \"$1:\" { print \$2 }' /proc/meminfo")"; }

# xen_becomes MIB: until Xen counts MIB MiB for the domain (60 s)
xen_becomes() {
	_i=0
	while [ "$(xen_mib)" != "$1" ]; do
		[ $_i -lt 60 ] || { say "Xen still counts $(xen_mib) MiB, not $1"; return 1; }
		sleep 1
		_i=$((_i + 1))
	done
}

# shut_down: xl shutdown, the domain gone, its console clean
shut_down() {
	timeout 180 "$XL" shutdown -w "$DOMU" > /dev/null 2>&1 || { say "xl shutdown -w failed"; return 1; }
	gone 30 || return 1
	all_console > /tmp/console-all.log
	_bad=$(console_bad /tmp/console-all.log)
	[ -z "$_bad" ] || { echo "$_bad" | sed 's/^/# console: /'; return 1; }
}

# ---------------------------------------------------------------- tests

# t_size MEM MAXMEM SEED: a domU of MEM MiB boots, has its memory and can
# use 90 % of it
t_size() {
	create "$1" "$2" || return 1
	_x=$(xen_mib)
	_t=$(($(meminfo MemTotal) / 1024))
	say "domain $(domid): Xen counts $_x MiB, the domU's MemTotal is $_t MiB (memory $1${2:+, maxmem $2})"
	[ "$_x" = "$1" ] || return 1
	[ "$_t" -le "$1" ] && [ "$_t" -ge $(($1 * 85 / 100)) ] || { say "MemTotal out of range"; return 1; }
	domu 900 "xmm fill 90 $3" > /tmp/fill.out 2>&1
	_st=$?
	sed 's/^/# domU: /' /tmp/fill.out
	[ $_st -eq 0 ] || return 1
	# the fill's memory came in 64 KiB folios (xen_thp_default), never in
	# PMD-sized ones, which a PV guest cannot map
	_f=$(num "$(domu 20 "cat $MTHP/stats/anon_fault_alloc")")
	_h=$(meminfo AnonHugePages)
	say "64 KiB anonymous folios allocated at faults: $_f; AnonHugePages: $_h kB; $MTHP/enabled: $(domu 20 "cat $MTHP/enabled")"
	[ "${_f:-0}" -gt 0 ] && [ "$_h" = 0 ]
}
MTHP=/sys/kernel/mm/transparent_hugepage/hugepages-64kB

# free_kib: the domU's free memory with its caches dropped
free_kib() {
	domu 60 "sync; echo 3 > /proc/sys/vm/drop_caches; sleep 1" > /dev/null
	meminfo MemFree
}

t_storm() {
	# a first short storm warms the slab and page caches, so that what
	# the long one loses is not hidden by what the first one grows
	domu 120 "xmm forkstorm 5" > /dev/null 2>&1 || { say "the warm-up storm failed"; return 1; }
	_f0=$(free_kib) _x0=$(xen_mib)
	domu $((STORM_S + 120)) "xmm forkstorm $STORM_S" > /tmp/storm.out 2>&1
	_st=$?
	sed 's/^/# domU: /' /tmp/storm.out
	[ $_st -eq 0 ] || return 1
	domu $((RACE_S + 120)) "xmm race $RACE_S" > /tmp/storm.out 2>&1
	_st=$?
	sed 's/^/# domU: /' /tmp/storm.out
	[ $_st -eq 0 ] || return 1
	_f1=$(free_kib) _x1=$(xen_mib)
	say "free memory $((_f0 / 1024)) -> $((_f1 / 1024)) MiB in the domU; Xen counts $_x0 -> $_x1 MiB"
	[ "$_x1" = "$_x0" ] && [ "$_f1" -ge $((_f0 - 4096)) ]
}

# pattern_ok: the tmpfs pattern reads back
PAT="/tmp/pat 77 48"
pattern_ok() {
	domu 120 "xtest verify $PAT" > /tmp/pat.out 2>&1 ||
		{ sed 's/^/# domU: /' /tmp/pat.out; say "the tmpfs pattern is damaged"; return 1; }
}

# balloon_to MIB: xl mem-set, Xen's count follows, the pattern reads back
balloon_to() {
	"$XL" mem-set "$DOMU" "${1}m" > /tmp/ms.out 2>&1 || { sed 's/^/# xl: /' /tmp/ms.out; return 1; }
	xen_becomes "$1" || return 1
	sleep 2
	_t=$(($(meminfo MemTotal) / 1024))
	say "mem-set $1: Xen counts $(xen_mib) MiB, the domU's MemTotal is $_t MiB"
	pattern_ok
}

t_balloon() {
	domu 120 "xtest write $PAT" > /dev/null || return 1
	_t0=$(($(meminfo MemTotal) / 1024))
	balloon_to 128 || return 1
	_t1=$(($(meminfo MemTotal) / 1024))
	[ "$_t1" -le $((_t0 - 100)) ] || { say "MemTotal did not drop ($_t0 -> $_t1 MiB)"; return 1; }
	balloon_to 256 || return 1
	[ $(($(meminfo MemTotal) / 1024)) -ge $((_t0 - 4)) ] || { say "MemTotal did not come back"; return 1; }
	balloon_to 512 || return 1
	_t2=$(($(meminfo MemTotal) / 1024))
	[ "$_t2" -ge $((_t0 + 200)) ] || { say "the domU did not grow past its boot memory ($_t0 -> $_t2 MiB)"; return 1; }
	domu 900 "xmm fill 80 5" > /tmp/fill.out 2>&1
	_st=$?
	sed 's/^/# domU: /' /tmp/fill.out
	[ $_st -eq 0 ] || return 1
	pattern_ok && balloon_to 256
}

t_restore() {
	domu 20 "rm -f /tmp/xmm.stop; (xmm forkstorm 100000 > /tmp/storm.out 2>&1; echo status \$? >> /tmp/storm.out) > /dev/null 2>&1 &" > /dev/null || return 1
	sleep 3
	_i=1
	while [ $_i -le "$SR_CYCLES" ]; do
		rm -f $SAVE
		timeout 300 "$XL" save "$DOMU" $SAVE > /tmp/sr.out 2>&1 || { sed 's/^/# xl: /' /tmp/sr.out; return 1; }
		timeout 300 "$XL" restore $SAVE > /tmp/sr.out 2>&1 || { sed 's/^/# xl: /' /tmp/sr.out; return 1; }
		wait_domu 120 true || { say "no agent after restore $_i"; return 1; }
		pattern_ok || return 1
		domu 20 "! grep -q '^status' /tmp/storm.out" || { say "the storm died at restore $_i"; return 1; }
		_i=$((_i + 1))
	done
	rm -f $SAVE
	_i=1
	while [ $_i -le "$MIGRATIONS" ]; do
		_old=$(domid)
		timeout 600 "$XL" migrate -s "" "$DOMU" "exec $XL migrate-receive" > /tmp/sr.out 2>&1 ||
			{ sed 's/^/# xl: /' /tmp/sr.out | tail -n 10; return 1; }
		[ "$(domid)" != "$_old" ] || { say "migration $_i: still domain $_old"; return 1; }
		wait_domu 120 true || { say "no agent after migration $_i"; return 1; }
		pattern_ok || return 1
		domu 20 "! grep -q '^status' /tmp/storm.out" || { say "the storm died at migration $_i"; return 1; }
		_i=$((_i + 1))
	done
	domu 20 "touch /tmp/xmm.stop" > /dev/null
	wait_domu 120 "grep -q '^status' /tmp/storm.out" || { say "the storm did not end"; return 1; }
	domu 20 "cat /tmp/storm.out" > /tmp/storm.log 2>&1
	sed 's/^/# domU: /' /tmp/storm.log
	say "$SR_CYCLES save/restores, $MIGRATIONS migrations under the storm"
	grep -q '^status 0$' /tmp/storm.log && grep -q ', 0 worker(s) failed' /tmp/storm.log
}

t_logs() {
	all_console > /tmp/console-all.log
	say "$(grep -c 'XTEST-INIT: reached init' /tmp/console-all.log) boots in the console logs"
	_bad=$(console_bad /tmp/console-all.log)
	grep -aE 'multicall|mmu_update|p2m|balloon|pin' /tmp/console-all.log | tail -n 6 | sed 's/^/# console: /'
	[ -z "$_bad" ] || { echo "$_bad" | sed 's/^/# console: /'; return 1; }
	# a refused page-table update or type change, as Xen words it
	"$XL" dmesg 2> /dev/null | grep -E 'd[1-9][0-9]*v?[0-9]*.*(Bad type|Bad L[1-4]|Error while validating|Attempt to (change|pin|unpin)|Could not|mm\.c)' > /tmp/xen-bad.log
	[ ! -s /tmp/xen-bad.log ] || { head -n 12 /tmp/xen-bad.log | sed 's/^/# xen: /'; return 1; }
}

S="boots, Xen and the domU agree on its memory, 90 % of RAM touched and read back"
t_size 256 512 11;	result $? "mmu: a 256 MiB domU (maxmem 512) $S"
t_storm;		result $? "mmu: fork+exec storm on every vCPU ($STORM_S s) and threads racing mmap, mprotect, MADV_DONTNEED and faults ($RACE_S s): data intact, no memory lost"
t_balloon;		result $? "mmu: xl mem-set 128, 256, 512 (maxmem) and 256: Xen and the domU follow, a tmpfs pattern survives, grown memory usable"
t_restore;		result $? "mmu: $SR_CYCLES save/restores and $MIGRATIONS live migrations during a fork storm: agent, data and storm intact"
shut_down;		result $? "mmu: the 256 MiB domU shuts down, clean console log"
t_size 1024 "" 12;	result $? "mmu: a 1 GiB domU $S"
shut_down;		result $? "mmu: the 1 GiB domU shuts down, clean console log"
t_size 3072 "" 13;	result $? "mmu: a 3 GiB domU $S"
shut_down;		result $? "mmu: the 3 GiB domU shuts down, clean console log"
t_logs;			result $? "mmu: the console logs of every domain hold nothing bad and Xen refused no page-table update"
exit $failed
