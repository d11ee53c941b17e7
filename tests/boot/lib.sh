# SPDX-License-Identifier: GPL-2.0
#
# lib.sh - what every boot-test driver in tests/boot shares.  A driver runs
# under busybox sh in dom0 of the embedded Xen host and starts with
#
#     . /extra/lib.sh
#
# (scripts/check.sh hands this file to boot.sh with --extra).  It drives the
# domU, whose init runs `xtest serve 7000`, through `xtest call`, and prints
# one line "TAP: ok - NAME" or "TAP: not ok - NAME" per test through
# result(); check.sh numbers them.  A driver may define more_tails() to add
# its own logs to what a failure prints.
#
# Environment from boot.sh: DOMU (domain name), DOMU_IP, DOM0_IP, DISK_FILE,
# DISK2_FILE, CONSOLE_LOG (the domU's console log); see
# scripts/xen-host/README.md.

XTEST=${XTEST:-/extra/xtest}
XL=${XL:-/usr/lib/xen-4.17/bin/xl}
failed=0

say() { echo "# $*"; }

# The domU as dom0 sees it, for drivers that follow it through save,
# restore, migration and reboot (its domain id changes each time).
CONS_DIR=${CONS_DIR:-/var/log/xen/console}
domid() { "$XL" domid "$DOMU" 2> /dev/null; }
# blkback's counter FILE for the domU's vbd DEVID; netback's for its vif N
bestat() { cat "/sys/bus/xen-backend/devices/vbd-$(domid)-$1/statistics/$2" 2> /dev/null || echo 0; }
vifstat() { cat "/sys/class/net/vif$(domid).$1/statistics/$2" 2> /dev/null || echo 0; }

# every console log dom0 keeps of the domU's domains, oldest first
# (xenconsoled names a log after the domain's name when it first sees it;
# a domain that arrives by migration is "domu--incoming" then)
all_console() {
	# shellcheck disable=SC2045
	for f in $(ls -tr "$CONS_DIR"/guest-"$DOMU"*.log 2> /dev/null); do
		tr -d '\r' < "$f"
	done
}

# console_reaches TEXT: the domU writes TEXT to hvc0; dom0's log gets it
console_reaches() {
	domu 20 "echo $1 > /dev/hvc0" || return 1
	lib_i=0
	while [ $lib_i -lt 20 ]; do
		all_console | grep -q "$1" && return 0
		sleep 1
		lib_i=$((lib_i + 1))
	done
	say "'$1' never reached dom0's console logs"
	return 1
}

# domu SECONDS CMD: run CMD in the domU, bounded; CMD's status.  A call
# that timed out (124), found no agent (254) or lost it before CMD's status
# came back (255) is written to $AGENT_LOST, and result() fails the test it
# happened in, whatever the test then made of the status.
AGENT_LOST=/tmp/agent-lost
: > "$AGENT_LOST"
domu() {
	timeout "$1" "$XTEST" call "$DOMU_IP" 7000 "$2"
	_dst=$?
	case $_dst in
	124 | 254 | 255) echo "status $_dst after ${1}s: $2" | head -c 300 >> "$AGENT_LOST"
		echo >> "$AGENT_LOST" ;;
	esac
	return $_dst
}

# domu_try SECONDS CMD: the same, for a call that may find no agent yet
# (wait_domu, a domU that is being restored); nothing is recorded.
domu_try() {
	timeout "$1" "$XTEST" call "$DOMU_IP" 7000 "$2"
}

more_tails() { :; }

tails() {
	echo "# --- domU console tail ---"
	tail -n 40 "$CONSOLE_LOG" | sed 's/^/#   /'
	more_tails
	echo "# --- Xen log tail ---"
	"$XL" dmesg 2>&1 | tail -n 25 | sed 's/^/#   /'
}

result() { # STATUS NAME
	_rst=$1
	if [ -s "$AGENT_LOST" ]; then
		say "the domU agent did not answer during this test:"
		sed 's/^/#   /' "$AGENT_LOST" | head -n 5
		_rst=1
		: > "$AGENT_LOST"
	fi
	if [ "$_rst" -eq 0 ]; then
		echo "TAP: ok - $2"
	else
		echo "TAP: not ok - $2"
		failed=$((failed + 1))
		tails
	fi
}

# wait_domu SECONDS CMD: until CMD succeeds in the domU.
wait_domu() {
	lib_n=0
	while [ $lib_n -lt "$1" ]; do
		domu_try 30 "$2" > /dev/null 2>&1 && return 0
		sleep 1
		lib_n=$((lib_n + 1))
	done
	return 1
}

# The domU's init prints one line when it gets there.
wait_init() {
	lib_n=0
	while [ $lib_n -lt 240 ]; do
		grep -q 'XTEST-INIT: reached init on xen' "$CONSOLE_LOG" 2>/dev/null && return 0
		sleep 1
		lib_n=$((lib_n + 1))
	done
	return 1
}

# boots: how many times a domU reached init, in dom0's console logs
boots() { all_console | grep -c "XTEST-INIT: reached init on xen"; }

# create_cfg CFG: xl create the domU from that config, then wait (5
# minutes at most) for a new "reached init" in the console logs and for
# its agent to answer
create_cfg() {
	lib_b=$(boots)
	"$XL" create -q "$1" > /tmp/create.out 2>&1 || { sed 's/^/# xl: /' /tmp/create.out; return 1; }
	lib_n=0
	until [ "$(boots)" -gt "$lib_b" ]; do
		[ $lib_n -lt 300 ] || { say "the domU never reached init"; return 1; }
		sleep 1
		lib_n=$((lib_n + 1))
	done
	wait_domu 120 true || { say "its agent does not answer"; return 1; }
}

# num VALUE: VALUE if it is a number, else 0 (busybox sh ends on bad arithmetic)
num() { case $1 in '' | *[!0-9]*) echo 0 ;; *) echo "$1" ;; esac; }

# gone SECONDS: until no domain of that name is left
gone() {
	lib_i=0
	while "$XL" list "$DOMU" > /dev/null 2>&1; do
		[ $lib_i -lt "$1" ] || { "$XL" list | sed 's/^/# /'; return 1; }
		sleep 1
		lib_i=$((lib_i + 1))
	done
}

# tcp_each MIB PORT SEED: MIB MiB domU -> dom0, then dom0 -> domU, each
# checked byte for byte by its receiver
tcp_each() {
	timeout 300 "$XTEST" recv "$2" "$3" "$1" > /tmp/tcp.out 2>&1 &
	lib_r=$!
	domu 300 "xtest send $DOM0_IP $2 $3 $1" > /dev/null 2>&1
	wait $lib_r || { sed 's/^/# dom0: /' /tmp/tcp.out; return 1; }
	sed 's/^/# dom0: /' /tmp/tcp.out
	domu 300 "xtest recv $(($2 + 1)) $(($3 + 1)) $1" > /tmp/tcp.out 2>&1 &
	lib_r=$!
	timeout 300 "$XTEST" send "$DOMU_IP" $(($2 + 1)) $(($3 + 1)) "$1" 2> /dev/null
	wait $lib_r
	lib_st=$?
	sed 's/^/# domU: /' /tmp/tcp.out
	return $lib_st
}

# pattern_through DEV FILE SEED MIB: a seeded pattern written to DEV in the
# domU and read back there, then the same bytes found in FILE, its backing
# file in dom0.
pattern_through() {
	domu 900 "xtest write $1 $3 $4 && xtest verify $1 $3 $4" > /tmp/pat.out 2>&1
	lib_st=$?
	sed 's/^/# domU: /' /tmp/pat.out
	[ $lib_st -eq 0 ] || return 1
	"$XTEST" verify "$2" "$3" "$4" > /tmp/pat.out 2>&1
	lib_st=$?
	sed 's/^/# dom0: /' /tmp/pat.out
	return $lib_st
}

# pattern_from FILE DEV SEED MIB: the other way round: dom0 writes a seeded
# pattern into FILE, the backing file of the domU's DEV, and the domU reads
# it through blkfront (O_DIRECT, past its page cache) and finds every byte.
pattern_from() {
	"$XTEST" write "$1" "$3" "$4" > /tmp/pat.out 2>&1
	lib_st=$?
	sed 's/^/# dom0: /' /tmp/pat.out
	[ $lib_st -eq 0 ] || return 1
	domu 900 "xtest verify $2 $3 $4" > /tmp/pat.out 2>&1
	lib_st=$?
	sed 's/^/# domU: /' /tmp/pat.out
	return $lib_st
}

# What no kernel log of ours may hold: oopses, BUGs, WARN()s, panics,
# lockups, RCU stalls, hung tasks, KASAN, KFENCE, kmemleak (its leak
# reports, not its banner) and lockdep
# reports, sleeping in atomic context, and our frontends' complaints about
# a backend.
LOG_BAD='Kernel panic|BUG:|kernel BUG|WARNING:|Oops|Call Trace|soft lockup|hard LOCKUP|detected stall|KASAN|KFENCE|suspected memory leak|broke the protocol|malformed RX packet|still in use|possible circular locking|inconsistent lock state|sleeping function called|hung_task|blocked for more than|Firmware Bug'

# LOG_EXPECT: one line, without its printk time stamp, that a driver's test
# provoked on purpose and that LOG_BAD would catch (xenbus.sh's held grant:
# grant-table.c's warning that names the reference dom0 holds).  Its first
# occurrence in a log is let through, any other is not.  Empty in every
# other run.
LOG_EXPECT=

# console_bad FILE: the lines of FILE that match LOG_BAD, but for the
# first that is exactly LOG_EXPECT
console_bad() {
	tr -d '\r' < "$1" | grep -aE "$LOG_BAD" |
		LOG_EXPECT=$LOG_EXPECT awk '{ l = $0; sub(/^\[[ 0-9.]*\] /, "", l) }
			!seen && ENVIRON["LOG_EXPECT"] != "" && l == ENVIRON["LOG_EXPECT"] { seen = 1; next }
			{ print }' | head -n 20
}

# log_clean PATTERN: dom0's copy of everything the domU wrote to its
# console since it was created (it survives a dmesg ring that wrapped, a
# save/restore and a dead domU) holds nothing of LOG_BAD, and the domU's
# agent still answers.  Lines matching PATTERN are shown for the record.
log_clean() {
	_bad=$(console_bad "$CONSOLE_LOG")
	tr -d '\r' < "$CONSOLE_LOG" | grep -aE "$1" | tail -n 8 | sed 's/^/# console: /'
	say "console log: $(wc -l < "$CONSOLE_LOG") lines read"
	domu 30 true || { say "the domU agent does not answer"; return 1; }
	[ -z "$_bad" ] || { echo "$_bad" | sed 's/^/# console: /'; return 1; }
}

# io_start PORT TSEED DSEED: I/O that runs until io_stop.  The domU writes
# and verifies the disk IO_DISK (default xvdb, backed by IO_FILE, default
# DISK2_FILE) in a loop (IO_MIB, default 48, MiB patterns of seed DSEED,
# DSEED + 1, ...), and TCP flows both ways on eth0: the domU sends to dom0's
# PORT (seed TSEED), dom0 sends to the domU's PORT + 1 (seed TSEED + 1),
# each at most IO_RATE MiB/s when that is set.
io_start() {
	domu 20 "rm -f /tmp/stop /tmp/io.err /tmp/io.rounds /tmp/send.out /tmp/recv.out
		(i=0; while [ ! -f /tmp/stop ]; do xtest write /dev/${IO_DISK:-xvdb} \$(($3 + i)) ${IO_MIB:-48} &&
		xtest verify /dev/${IO_DISK:-xvdb} \$(($3 + i)) ${IO_MIB:-48} || { echo FAIL > /tmp/io.err; break; }
		i=\$((i + 1)); done; echo \$i > /tmp/io.rounds) > /dev/null 2>&1 &" > /dev/null || return 1
	timeout 900 "$XTEST" recv "$1" "$2" 0 > /tmp/io-in.out 2>&1 &
	_io_r=$!
	domu 20 "(xtest send $DOM0_IP $1 $2 0 ${IO_RATE:-} > /tmp/send.out 2>&1 & echo \$! > /tmp/send.pid
		wait \$!; echo send-status \$? >> /tmp/send.out) > /dev/null 2>&1 &" > /dev/null
	domu 20 "(xtest recv $(($1 + 1)) $(($2 + 1)) 0 > /tmp/recv.out 2>&1; echo recv-status \$? >> /tmp/recv.out) > /dev/null 2>&1 &" > /dev/null
	sleep 1
	timeout 900 "$XTEST" send "$DOMU_IP" $(($1 + 1)) $(($2 + 1)) 0 ${IO_RATE:-} > /dev/null 2>&1 &
	_io_s=$!
}

# io_stop DSEED: stop io_start's I/O and judge it: both streams arrived
# byte for byte, every disk round verified, and dom0's backing file holds
# the last pattern written
io_stop() {
	domu 20 "touch /tmp/stop; kill -USR1 \$(cat /tmp/send.pid)" > /dev/null
	kill -USR1 $_io_s 2> /dev/null
	wait $_io_r
	_st1=$?
	wait $_io_s
	wait_domu 120 "[ -f /tmp/io.rounds ] && grep -q recv-status /tmp/recv.out &&
		grep -q send-status /tmp/send.out" || say "the domU's I/O did not end"
	domu 60 "cat /tmp/send.out /tmp/recv.out; echo rounds \$(cat /tmp/io.rounds);
		[ ! -f /tmp/io.err ] && grep -q 'send-status 0' /tmp/send.out &&
		grep -q 'recv-status 0' /tmp/recv.out" > /tmp/io.out 2>&1
	_st2=$?
	sed 's/^/# domU: /' /tmp/io.out
	sed 's/^/# dom0: /' /tmp/io-in.out | tail -n 2
	grep -q 'rounds [1-9]' /tmp/io.out || { say "${IO_DISK:-xvdb} was not written and verified once"; _st2=1; }
	"$XTEST" verify "${IO_FILE:-$DISK2_FILE}" \
		"$(($(num "$(sed -n 's/^rounds //p' /tmp/io.out)") + $1 - 1))" "${IO_MIB:-48}" > /dev/null 2>&1 ||
		{ say "dom0's ${IO_DISK:-xvdb} file does not hold the last pattern"; _st2=1; }
	[ $_st1 -eq 0 ] && [ $_st2 -eq 0 ]
}

# evtchn_dump: Xen's table of the domU's event channels, one line a port,
# "PORT [p/m/STATE]: s=KIND n=VCPU ..." (the console prefix taken off)
evtchn_dump() {
	"$XL" dmesg -c > /dev/null 2>&1
	"$XL" debug-keys e > /dev/null 2>&1
	sleep 1
	"$XL" dmesg 2> /dev/null | sed 's/^(XEN) *\(\[[^]]*\] *\)\{0,1\}//' |
		awk -v d="$(domid)" '/^Event channel information for domain/ { on = ($NF == d ":") ; next }
			on && /^ *[0-9]+ \[/ { sub(/^ */, ""); print }'
}
