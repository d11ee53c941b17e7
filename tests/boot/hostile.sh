#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hostile.sh - a backend that lies, and a domU that must shrug it off.
#
# tests/hostile/hostile (in dom0 as /extra/hostile) plays the backend of one
# extra device of the domU, a vbd (xvdc and up) or a vif (eth1 and up),
# under a backend path of its own that no dom0 kernel backend watches.  It
# serves honest I/O first, then tells one lie, the scenario.  This driver
# runs the scenarios named in HOSTILE_SCENARIOS (from /extra/hostile.env;
# default: all of them), one device and one hostile process each, and
# prints one TAP line per scenario.  A scenario passes only when, judged
# from dom0:
#
#   - the attacked device did what its class below says;
#   - xvda (blkback) and eth0 (netback) kept moving data the whole time,
#     checked byte for byte at the other end (io_start/io_stop in lib.sh:
#     8 MiB rounds on xvda verified in dom0's backing file, TCP both ways);
#   - the console log since the scenario began has the fault's line (when
#     the class wants one) at most three times, nothing else LOG_BAD names
#     but the attacked device's own complaints, and no more than eight
#     lines of its frontend's at all;
#   - afterwards the device is gone from the domU and from xenstore, the
#     hostile process ended by itself on SIGTERM with nothing left mapped,
#     and the domU's event channels (in Xen's table and in its
#     /proc/interrupts), grant references in use or deferred (its
#     debugfs xen-grants) and memory (Free within 2 MiB, Slab within 512
#     KiB) are back to their level before;
#   - on a kernel with kmemleak (xen_debug_defconfig), two scans after
#     the scenario report nothing.
#
# Classes (the second word of each line of SCENARIOS below):
#   fault   after the lie the device's I/O fails or the device goes away,
#           and the console names the fault (the third field, a regex);
#   refuse  the handshake is a lie: the device never comes up, the console
#           and xenstore's error node for it say why;
#   gone    the backend leaves in the middle of I/O (state Closed, its
#           nodes removed): the I/O fails, the device goes, and the console
#           says how the backend left;
#   drop    the lied-about packets are dropped and the fault named; the
#           frontend may take the good packets around them (a never-ending
#           fragment chain is cut at the end of what the backend produced);
#   works   the lie is clamped or ignored: I/O on the device is correct
#           before and after it (a vif may lose the packets lied about);
#   silent  the backend stops answering: I/O in flight waits, and the
#           unplug (hostile's SIGTERM) still ends it, with an error, and the
#           device within 30 s (a disk names the unanswered requests).
#
# One scenario by hand, in any embedded host run (make run, then in dom0):
#   /extra/hostile list
#   /extra/hostile vbd $(xl domid domu) 51744 vbd-id-unknown &
#   ... I/O on xvdc in the domU ..., kill -USR1 %1 (arm), kill %1 (close)

. /extra/lib.sh
[ -f /extra/hostile.env ] && . /extra/hostile.env
HOSTILE=/extra/hostile

SCENARIOS='
vbd-id-unknown       fault  answered an id not in flight
vbd-id-twice         fault  answered an id not in flight
vbd-op-unknown       fault  wrong operation
vbd-status-unknown   fault  unknown status
vbd-prod-past-ring   fault  response index is out of range
vbd-prod-backwards   fault  response index is out of range
vbd-after-close      works  -
vbd-storm            works  -
vbd-silent           silent left requests unanswered at unplug
vbd-limits           works  -
vbd-sector-size-zero refuse sector-size is not a power of two
vbd-sector-size-odd  refuse sector-size is not a power of two
vbd-sectors-overflow refuse disk size in sectors overflows
vbd-feature-garbage  works  -
vbd-closed-midio     gone   backend closed without closing first
vbd-connected-twice  works  -
vbd-initwait-again   works  -
vbd-nodes-removed    gone   backend vanished from xenstore
vbd-keep-mapped      fault  still maps a page
vbd-write-ro         works  -
vbd-fe-readonly      refuse error 13 setting up rings
vif-rx-overrun       fault  malformed RX packet .response runs past its page
vif-rx-size-zero     fault  malformed RX packet .response of zero bytes
vif-rx-error         works  -
vif-rx-too-many-frags fault malformed RX packet .more fragments than
vif-rx-endless       drop   malformed RX packet .(fragments run past|more fragments)
vif-gso-unknown-type fault  malformed RX packet .extra info of an unknown type
vif-gso-bad-size     fault  malformed RX packet .GSO or checksum
vif-tx-id-unknown    fault  answers no request of ours
vif-tx-id-twice      fault  answers no request of ours
vif-rx-id-unknown    fault  malformed RX packet .response id is not its slot
vif-prod-past-ring   fault  index out of range
vif-prod-backwards   fault  index out of range
vif-storm            works  -
vif-silent           silent -
vif-limits           works  -
vif-feature-garbage  works  -
vif-closed-midio     gone   closed without closing first
vif-nodes-removed    gone   vanished from xenstore
vif-keep-mapped      fault  still in use
vif-write-ro         works  -
vif-after-close      works  -
'
# the lines of SCENARIOS for the names in HOSTILE_SCENARIOS, in its order
picked() {
	[ -n "${HOSTILE_SCENARIOS:-}" ] || { echo "$SCENARIOS" | grep .; return; }
	for _n in $HOSTILE_SCENARIOS; do
		echo "$SCENARIOS" | awk -v n="$_n" '$1 == n' | grep . || echo "$_n unknown -"
	done
}

VBD_BASE=51712		# 202 << 8: xvda; xvd<letter k> is VBD_BASE + 16 k
HOST_IP=10.99.0.1	# hostile's vif answers ARP and ping for this address
KMEMLEAK=/sys/kernel/debug/kmemleak

# levels: the counts a scenario must give back, "name=value ..." on one
# line: the domU's Free and Slab (kB, caches dropped; Free counts the
# per-CPU lists too, see netfront.sh), its xen lines in /proc/interrupts
# and its grant references in use and deferred; Xen's count of its ports.
levels() {
	domu 30 "echo 3 > /proc/sys/vm/drop_caches
		awk '/^Slab:/ { printf \"Slab=%s \", \$2 }' /proc/meminfo
		f=\$(awk '/^MemFree:/ { print \$2 }' /proc/meminfo)
		p=\$(awk '\$1 == \"count:\" { n += \$2 } END { print n + 0 }' /proc/zoneinfo)
		echo Free=\$((f + 4 * p)) irqs=\$(grep -c xen /proc/interrupts) \
			grants=\$(awk '\$1 == \"in_use\" { print \$2 }' /sys/kernel/debug/xen-grants) \
			deferred=\$(awk '\$1 == \"deferred\" { print \$2 }' /sys/kernel/debug/xen-grants)" |
		tr -d '\n'
	echo " ports=$(evtchn_dump | wc -l)"
}

# same_levels BEFORE AFTER: the interrupt and port counts equal, grants in
# use and deferred no more than before (xvda's persistent grants idle for a
# minute are given back meanwhile), memory within its margin
same_levels() {
	eval "$(echo "$1" | sed 's/\([a-zA-Z]*\)=/b_\1=/g')"
	eval "$(echo "$2" | sed 's/\([a-zA-Z]*\)=/a_\1=/g')"
	[ "$a_irqs" = "$b_irqs" ] && [ "$a_ports" = "$b_ports" ] &&
		[ "$(num "$a_grants")" -le "$(num "$b_grants")" ] &&
		[ "$(num "$a_deferred")" -le "$(num "$b_deferred")" ] &&
		[ $((b_Free - a_Free)) -lt 2048 ] && [ $((a_Slab - b_Slab)) -lt 512 ]
}

# dev_name KIND DEVID: the domU's name for the device, empty while it has none
dev_name() {
	domu 20 "ls /sys/bus/xen/devices/$1-$2/$([ "$1" = vbd ] && echo block || echo net) 2> /dev/null" 2> /dev/null
}

# good_io KIND NAME SEED: honest I/O through the device: a 4 MiB pattern
# written and read back on a disk, five pings of 1000 bytes on a vif
good_io() {
	case $1 in
	vbd) domu 90 "xtest write /dev/$2 $3 4 && xtest verify /dev/$2 $3 4" ;;
	vif) domu 60 "ip link set $2 up; ip addr add 10.99.0.2/24 dev $2 2> /dev/null
		ping -c 5 -W 3 -s 1000 $HOST_IP" ;;
	esac
}

# attack_io KIND NAME SEED: the same once the lie is armed, bounded
attack_io() {
	case $1 in
	vbd) domu 120 "timeout 90 xtest write /dev/$2 $3 4 && timeout 90 xtest verify /dev/$2 $3 4" ;;
	vif) domu 60 "ping -c 5 -W 3 -s 1000 $HOST_IP" ;;
	esac
}

# wait_log PATTERN SECONDS: until hostile's log has PATTERN
wait_log() {
	_w=0
	while ! grep -q "$1" /tmp/hostile.log; do
		[ $_w -lt "$2" ] || return 1
		kill -0 "$_hp" 2> /dev/null || { grep -q "$1" /tmp/hostile.log; return; }
		sleep 1
		_w=$((_w + 1))
	done
}

# stop_hostile: SIGTERM, then up to 40 s for an orderly close
stop_hostile() {
	kill -TERM "$_hp" 2> /dev/null
	_w=0
	while kill -0 "$_hp" 2> /dev/null; do
		[ $_w -lt 40 ] || { kill -KILL "$_hp"; say "hostile did not close in 40 s"; return 1; }
		sleep 1
		_w=$((_w + 1))
	done
	wait "$_hp"
}

# scenario I NAME CLASS REGEX: one scenario on device number I
scenario() {
	_s=$2 _class=$3 _re=$4 _kind=${2%%-*} _bad=
	case $_kind in
	vbd) _dev=$((VBD_BASE + 16 * (2 + $1 % 14))) ;;
	vif) _dev=$((1 + $1 % 8)) ;;
	*) say "$_s: no such scenario"; return 1 ;;
	esac
	_d=$(domid)
	_fe=/local/domain/$_d/device/$_kind/$_dev
	_c0=$(wc -l < "$CONSOLE_LOG")
	domu 20 "[ -e $KMEMLEAK ] && echo clear > $KMEMLEAK; true" > /dev/null
	_before=$(levels)
	"$HOSTILE" "$_kind" "$_d" "$_dev" "$_s" > /tmp/hostile.log 2>&1 &
	_hp=$!
	_name= _io=
	if [ "$_class" = refuse ]; then
		# the frontend gives up: it says why in xenstore and goes Closing/Closed
		_w=0
		while ! xenstore-read "/local/domain/$_d/error/device/$_kind/$_dev/error" > /tmp/err 2> /dev/null; do
			[ $_w -lt 60 ] || { _bad="$_bad no error node for $_kind $_dev;"; break; }
			sleep 1
			_w=$((_w + 1))
		done
		say "$_s: xenstore error node: $(cat /tmp/err 2> /dev/null)"
		[ -z "$(dev_name "$_kind" "$_dev")" ] || _bad="$_bad the device came up;"
	elif ! wait_log 'hostile: connected' 90; then
		_bad="$_bad the handshake never completed;"
	else
		_w=0
		while _name=$(dev_name "$_kind" "$_dev") && [ -z "$_name" ]; do
			[ $_w -lt 30 ] || break
			sleep 1
			_w=$((_w + 1))
		done
		if [ -z "$_name" ]; then
			_bad="$_bad no device in the domU;"
		elif ! good_io "$_kind" "$_name" "$(($1 + 100))" > /tmp/io1.out 2>&1; then
			_bad="$_bad honest I/O on $_name failed;"
			sed 's/^/# domU: /' /tmp/io1.out | tail -n 3
		else
			IO_DISK=xvda IO_FILE=$DISK_FILE IO_MIB=8 IO_RATE=2 io_start 6200 $((200 + 2 * $1)) $((300 + 20 * $1)) &&
				_io=1
			kill -USR1 "$_hp"
			case $_class in
			silent)
				domu 20 "rm -f /tmp/silent.st; (timeout 300 sh -c '$(attack_io_cmd "$_kind" "$_name")' > /tmp/silent.out 2>&1
					echo \$? > /tmp/silent.st) > /dev/null 2>&1 &" > /dev/null
				sleep 8
				# a disk's I/O must still wait; a vif's pings just go unanswered
				[ "$_kind" = vif ] || domu 5 "[ ! -f /tmp/silent.st ]" ||
					_bad="$_bad I/O did not wait for the silent backend;" ;;
			works)
				attack_io "$_kind" "$_name" "$(($1 + 500))" > /tmp/io2.out 2>&1
				good_io "$_kind" "$_name" "$(($1 + 600))" > /tmp/io2.out 2>&1 ||
					{ _bad="$_bad I/O after the lie failed;"; sed 's/^/# domU: /' /tmp/io2.out | tail -n 3; } ;;
			drop)
				attack_io "$_kind" "$_name" "$(($1 + 500))" > /tmp/io2.out 2>&1 ;;
			fault | gone)
				# a vif's first ping may be answered before the lie
				# lands: once it has, not one more may be
				attack_io "$_kind" "$_name" "$(($1 + 500))" > /tmp/io2.out 2>&1
				_st=$?
				if [ "$_kind" = vif ]; then
					wait_log 'hostile: attacked' 30
					domu 30 "ping -c 3 -W 2 $HOST_IP" > /tmp/io2.out 2>&1
					_st=$?
				fi
				if [ $_st -eq 0 ] && [ -n "$(dev_name "$_kind" "$_dev")" ]; then
					_bad="$_bad I/O went on as if nothing happened;"
					sed 's/^/# domU: /' /tmp/io2.out | tail -n 3
				fi ;;
			esac
			# (a lie told at the close comes later: judged below)
			wait_log 'hostile: attacked' 30
		fi
	fi
	stop_hostile || _bad="$_bad hostile hung;"
	grep -q 'hostile: attacked' /tmp/hostile.log || _bad="$_bad hostile never told its lie;"
	sed 's/^/# hostile: /' /tmp/hostile.log | grep -v 'served\b' | tail -n 8
	grep -q 'hostile: still mapped [1-9]' /tmp/hostile.log && _bad="$_bad hostile kept pages mapped;"
	if [ "$_class" = silent ] && [ -n "$_name" ]; then
		wait_domu 30 "[ -f /tmp/silent.st ]" || _bad="$_bad I/O on $_name still waits after the unplug;"
		_st=$(domu 10 "cat /tmp/silent.st")
		[ "$(num "$_st")" -ne 0 ] || _bad="$_bad I/O on the silent device succeeded;"
		domu 10 "tail -n 2 /tmp/silent.out" | sed 's/^/# domU: /'
	fi
	wait_domu 30 "[ ! -e /sys/bus/xen/devices/$_kind-$_dev ]" ||
		_bad="$_bad $_kind-$_dev still in the domU;"
	xenstore-exists "$_fe" 2> /dev/null && _bad="$_bad $_fe still in xenstore;"
	if [ -n "$_io" ]; then
		IO_DISK=xvda IO_FILE=$DISK_FILE IO_MIB=8 io_stop $((300 + 20 * $1)) ||
			_bad="$_bad xvda or eth0 lost data;"
	fi
	# the console: the fault named, not too often, and nothing else wrong
	tr -d '\r' < "$CONSOLE_LOG" | tail -n +"$((_c0 + 1))" > /tmp/cons.new
	# our frontends' own lines name the xenbus device (vbd-51744, vif-1);
	# the block layer's "I/O error, dev xvdc" lines are not theirs
	_who="$_kind-$_dev[: ]"
	grep -aE "$_who" /tmp/cons.new | tail -n 8 | sed 's/^/# console: /'
	if [ "$_re" != - ] || [ "$_class" = refuse ]; then
		_k=$(grep -aE "$_who" /tmp/cons.new | grep -acE "${_re#-}")
		[ "$_re" = - ] && _k=1
		[ "$_k" -ge 1 ] && [ "$_k" -le 3 ] || _bad="$_bad the console named the fault $_k times;"
	fi
	[ "$(grep -acE "$_who" /tmp/cons.new)" -le 8 ] || _bad="$_bad the device flooded the console;"
	grep -aE "$LOG_BAD" /tmp/cons.new | grep -avE "($_who).*(broke the protocol|disconnecting|malformed)|xen-grant: .*still in use" \
		> /tmp/cons.bad
	[ -s /tmp/cons.bad ] && { sed 's/^/# console: /' /tmp/cons.bad | head -n 20; _bad="$_bad the kernel complained;"; }
	# what it took must come back (a deferred grant is retried for seconds)
	_w=0
	while _after=$(levels) && ! same_levels "$_before" "$_after"; do
		[ $_w -lt 3 ] || { _bad="$_bad levels not back;"; break; }
		sleep 5
		_w=$((_w + 1))
	done
	say "$_s: before $_before"
	say "$_s: after  $_after"
	if domu 20 "[ -e $KMEMLEAK ]" > /dev/null 2>&1; then
		domu 60 "echo scan > $KMEMLEAK; sleep 6; echo scan > $KMEMLEAK; cat $KMEMLEAK" > /tmp/leak.out 2>&1
		[ -s /tmp/leak.out ] && { sed 's/^/# kmemleak: /' /tmp/leak.out | head -n 30; _bad="$_bad kmemleak found leaks;"; }
	fi
	"$XL" list "$DOMU" > /dev/null 2>&1 && domu 20 true > /dev/null || _bad="$_bad the domU is gone;"
	[ -z "$_bad" ] || { say "$_s:$_bad"; return 1; }
}

# attack_io_cmd KIND NAME: attack_io's command, for a background run
attack_io_cmd() {
	case $1 in
	vbd) echo "xtest write /dev/$2 999 4 && xtest verify /dev/$2 999 4" ;;
	vif) echo "ping -c 10 -w 20 $HOST_IP" ;;
	esac
}

# ---------------------------------------------------------------- tests

wait_init || { say "the domU never reached init"; exit 1; }
wait_domu 120 true || { say "its agent does not answer"; exit 1; }
"$HOSTILE" list > /tmp/list 2>&1 || { cat /tmp/list; exit 1; }
# The background I/O once before any snapshot: xvda's persistent grants
# and the sockets' buffers are then at their working level.
IO_DISK=xvda IO_FILE=$DISK_FILE IO_MIB=8 IO_RATE=2 io_start 6190 190 290 && sleep 10 &&
	IO_DISK=xvda IO_FILE=$DISK_FILE IO_MIB=8 io_stop 290
result $? "hostile: xvda and eth0 carry data, checked in dom0, before any attack"
i=0
picked > /tmp/picked
while read -r name class re; do
	awk -v n="$name" '$1 == n { f = 1 } END { exit !f }' /tmp/list ||
		{ result 1 "hostile: $name (not a scenario of tests/hostile)"; continue; }
	say "--- $name ($class): $(awk -F '\t' -v n="$name" '$1 == n { print $3 }' /tmp/list)"
	scenario $i "$name" "$class" "$re" < /dev/null
	result $? "hostile: $name"
	i=$((i + 1))
done < /tmp/picked
# The whole console, boot included: nothing LOG_BAD names but the attacked
# devices' own complaints and the grant table's notes on pages they held.
tr -d '\r' < "$CONSOLE_LOG" | grep -aE "$LOG_BAD" |
	grep -avE "(vbd-5[0-9]{4}|vif-[0-9]+)[: ].*(broke the protocol|disconnecting|malformed)|xen-grant: .*still in use" \
	> /tmp/cons.bad
sed 's/^/# console: /' /tmp/cons.bad | head -n 20
[ $i -eq "$(grep -c . /tmp/picked)" ] && [ ! -s /tmp/cons.bad ] && domu 20 true > /dev/null
result $? "hostile: all $i scenarios ran, the domU is up and its whole console log clean"
domu 20 poweroff > /dev/null 2>&1
exit $failed
