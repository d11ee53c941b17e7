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

XTEST=${XTEST:-/extra/xtest}
XL=${XL:-/usr/lib/xen-4.17/bin/xl}
failed=0

say() { echo "# $*"; }

# domu SECONDS CMD: run CMD in the domU, bounded.
domu() {
	timeout "$1" "$XTEST" call "$DOMU_IP" 7000 "$2"
}

tails() {
	echo "# --- domU console tail ---"
	tail -n 40 "$CONSOLE_LOG" | sed 's/^/#   /'
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

# The domU's init prints one line when it gets there.
wait_init() {
	i=0
	while [ $i -lt 180 ]; do
		if grep -q 'XTEST-INIT: reached init on xen' "$CONSOLE_LOG" 2>/dev/null; then
			return 0
		fi
		sleep 1
		i=$((i + 1))
	done
	return 1
}

t_boot() {
	wait_init || { say "domU never reached init"; return 1; }
	grep 'XTEST-INIT' "$CONSOLE_LOG" | sed 's/^/# /'
	cpus=$(domu 60 'nproc') || { say "agent did not answer"; return 1; }
	say "domU runs with $cpus vCPUs"
	[ "$cpus" = 2 ] || return 1
	bad=$(domu 30 "dmesg | grep -E 'WARNING|BUG|Oops|Call Trace' | head -n 20")
	[ -z "$bad" ] || { echo "$bad" | sed 's/^/# dmesg: /'; return 1; }
}

# KUnit suites built into the kernel ran at boot (check.sh boots with
# kunit.enable=1); each top-level "ok N suite" / "not ok N suite" counts.
t_kunit() {
	domu 30 'dmesg' > /tmp/dmesg.out || return 1
	suites=$(grep -cE '\] (not )?ok [0-9]+ ' /tmp/dmesg.out)
	failed_suites=$(grep -E '\] not ok [0-9]+ ' /tmp/dmesg.out)
	grep -E '\] (not )?ok [0-9]+ |# .*pass:' /tmp/dmesg.out | sed 's/^/# kunit: /'
	if grep -q 'kunit: disabled' /tmp/dmesg.out || [ "$suites" -eq 0 ]; then
		say "no KUnit suites ran (none built in, or kunit not enabled)"
	fi
	[ -z "$failed_suites" ]
}

# t_disk SEED MIB: pattern onto xvda through blkfront, read back, and the
# same bytes in dom0's backing file.
t_disk() {
	domu 900 "xtest write /dev/xvda $1 $2 && xtest verify /dev/xvda $1 $2" \
		> /tmp/disk.out 2>&1
	st=$?
	sed 's/^/# domU: /' /tmp/disk.out
	[ $st -eq 0 ] || return 1
	"$XTEST" verify "$DISK_FILE" "$1" "$2" > /tmp/disk.out 2>&1
	st=$?
	sed 's/^/# dom0: /' /tmp/disk.out
	return $st
}

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
	umount /mnt' > /tmp/ext4.out 2>&1
	st=$?
	sed 's/^/# domU: /' /tmp/ext4.out | tail -n 30
	return $st
}

# t_net MIB: pings both ways, then MIB MiB each way over TCP, checked byte
# for byte against the pattern on the receiving side.
t_net() {
	domu 60 "ping -c 3 -W 5 $DOM0_IP" > /tmp/ping.out 2>&1 ||
		{ sed 's/^/# /' /tmp/ping.out; say "domU cannot ping dom0"; return 1; }
	timeout 30 ping -c 3 -W 5 "$DOMU_IP" > /dev/null ||
		{ say "dom0 cannot ping the domU"; return 1; }
	# domU -> dom0
	timeout 600 "$XTEST" recv 7001 21 "$1" > /tmp/recv.out 2>&1 &
	rpid=$!
	domu 600 "xtest send $DOM0_IP 7001 21 $1" | sed 's/^/# domU: /'
	wait $rpid
	st=$?
	sed 's/^/# dom0: /' /tmp/recv.out
	[ $st -eq 0 ] || return 1
	# dom0 -> domU
	domu 600 "xtest recv 7002 22 $1" > /tmp/recv.out 2>&1 &
	rpid=$!
	timeout 600 "$XTEST" send "$DOMU_IP" 7002 22 "$1" 2>&1 | sed 's/^/# dom0: /'
	wait $rpid
	st=$?
	sed 's/^/# domU: /' /tmp/recv.out
	return $st
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
	t_disk 31 64 && t_net 32
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

t_boot;                 result $? "domU boots to init with 2 vCPUs, clean kernel log"
t_kunit;                result $? "KUnit suites built into the domU kernel pass"
t_disk 11 256;          result $? "256 MiB pattern on xvda reads back, dom0 backing file matches"
t_ext4;                 result $? "ext4: mkfs, files, fsck clean, remount, checksums match"
t_net 128;              result $? "ping both ways, 128 MiB TCP each way verified"
t_save_restore;         result $? "xl save + xl restore, then disk and network checks again"
t_shutdown;             result $? "xl shutdown ends the domain cleanly"

say "boot tests: $failed failed"
exit $failed
