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

# domu SECONDS CMD: run CMD in the domU, bounded.
domu() {
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
	if [ "$1" -eq 0 ]; then
		echo "TAP: ok - $2"
	else
		echo "TAP: not ok - $2"
		failed=$((failed + 1))
		tails
	fi
}

# wait_domu SECONDS CMD: until CMD succeeds in the domU.
wait_domu() {
	_n=0
	while [ $_n -lt "$1" ]; do
		domu 30 "$2" > /dev/null 2>&1 && return 0
		sleep 1
		_n=$((_n + 1))
	done
	return 1
}

# The domU's init prints one line when it gets there.
wait_init() {
	_n=0
	while [ $_n -lt 240 ]; do
		grep -q 'XTEST-INIT: reached init on xen' "$CONSOLE_LOG" 2>/dev/null && return 0
		sleep 1
		_n=$((_n + 1))
	done
	return 1
}

# pattern_through DEV FILE SEED MIB: a seeded pattern written to DEV in the
# domU and read back there, then the same bytes found in FILE, its backing
# file in dom0.
pattern_through() {
	domu 900 "xtest write $1 $3 $4 && xtest verify $1 $3 $4" > /tmp/pat.out 2>&1
	_st=$?
	sed 's/^/# domU: /' /tmp/pat.out
	[ $_st -eq 0 ] || return 1
	"$XTEST" verify "$2" "$3" "$4" > /tmp/pat.out 2>&1
	_st=$?
	sed 's/^/# dom0: /' /tmp/pat.out
	return $_st
}

# log_clean PATTERN: no warning, oops or protocol complaint in the domU's
# kernel log; the lines matching PATTERN are shown for the record.
log_clean() {
	_bad=$(domu 30 "dmesg | grep -E 'WARNING|BUG|Oops|Call Trace|broke the protocol|still in use' | head -n 20")
	domu 30 "dmesg | grep -E '$1'" | tail -n 8 | sed 's/^/# /'
	[ -z "$_bad" ] || { echo "$_bad" | sed 's/^/# dmesg: /'; return 1; }
}
