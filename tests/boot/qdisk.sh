#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# qdisk.sh - our blkfront against QEMU's qdisk backend, run by busybox sh in
# dom0 of the embedded Xen host (scripts/check.sh hands it to
# scripts/xen-host/boot.sh --driver ... --disk2-backend qdisk).
#
# xvda is blkback's as usual; xvdb is served by QEMU (xl's backendtype=qdisk)
# from the raw file DISK2_FILE.  The tests check that xvdb really is qdisk's,
# that blkfront negotiated only what qdisk offers, move seeded patterns
# through it both ways (written in the domU and found in dom0's file, written
# by dom0 and read in the domU), run fio's verifying random writes and find
# the same bytes in dom0's file, discard (the hole zero, the data after it
# intact), detach and re-attach it, and shut the domU down.  Each test prints "TAP: ok - NAME" or
# "TAP: not ok - NAME"; a failure adds the tails of the domU console, of
# QEMU's log and of Xen's log.
#
# Environment from boot.sh: DOMU, DOMU_IP, CONSOLE_LOG, DISK2_FILE,
# DISK2_BACKEND (must be qdisk).

. /extra/lib.sh

QEMU_DM=/usr/libexec/xen-qemu-system-i386
QEMU_LOG=/var/log/xen/qemu-dm-$DOMU.log
VDEV=51728			# xvdb: 202 << 8 | 16

more_tails() {
	echo "# --- $QEMU_LOG tail ---"
	tail -n 20 "$QEMU_LOG" 2>&1 | sed 's/^/#   /'
}

# be_key KEY DEFAULT: KEY of xvdb's backend directory, DEFAULT if absent.
be_key() {
	xenstore-read "$BE/$1" 2>/dev/null || echo "$2"
}

# same_bytes MIB: the first MIB MiB the domU reads from xvdb (after writing
# back and dropping its cache) are byte for byte dom0's file
same_bytes() {
	g=$(domu 600 "sync; echo 3 > /proc/sys/vm/drop_caches;
		dd if=/dev/xvdb bs=1M count=$1 2> /dev/null | xtest sha256") || return 1
	d=$(dd if="$DISK2_FILE" bs=1M count="$1" 2> /dev/null | "$XTEST" sha256)
	say "first $1 MiB of xvdb: domU reads ${g%% *}, dom0's file holds ${d%% *}"
	[ -n "$g" ] && [ "${g%% *}" = "${d%% *}" ]
}

# qemu_pid: the device model's pid, if it runs.
qemu_pid() {
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" = "$QEMU_DM" ] && { echo "${p#/proc/}"; return 0; }
	done
	return 1
}

t_boot() {
	[ "$DISK2_BACKEND" = qdisk ] || { say "boot.sh was not given --disk2-backend qdisk"; return 1; }
	wait_init || { say "domU never reached init"; return 1; }
	grep 'XTEST-INIT' "$CONSOLE_LOG" | sed 's/^/# /'
	domu 60 true || { say "agent did not answer"; return 1; }
	domu 30 '[ -b /dev/xvda ] && [ -b /dev/xvdb ]' || { say "no xvda or xvdb in the domU"; return 1; }
}

# xvdb's frontend points at a qdisk backend directory, both ends are
# Connected, QEMU runs, and xvda is still blkback's.
t_backend() {
	DOMID=$("$XL" domid "$DOMU") || return 1
	FE=/local/domain/$DOMID/device/vbd/$VDEV
	BE=$(xenstore-read "$FE/backend") || { say "no $FE/backend"; return 1; }
	say "xvdb: frontend $FE, backend $BE"
	case $BE in
	/local/domain/0/backend/qdisk/"$DOMID"/"$VDEV") ;;
	*) say "xvdb's backend is not under /local/domain/0/backend/qdisk/"; return 1 ;;
	esac
	xvda_be=$(xenstore-read "/local/domain/$DOMID/device/vbd/51712/backend")
	say "xvda: backend $xvda_be"
	case $xvda_be in */backend/vbd/*) ;; *) say "xvda is not blkback's"; return 1 ;; esac
	fs=$(xenstore-read "$FE/state") bs=$(xenstore-read "$BE/state")
	say "xvdb states: frontend $fs, backend $bs; backend params $(be_key params '?')"
	[ "$fs" = 4 ] && [ "$bs" = 4 ] || return 1
	pid=$(qemu_pid) || { say "$QEMU_DM is not running"; return 1; }
	say "device model: pid $pid, $(tr '\0' ' ' < /proc/"$pid"/cmdline | cut -c1-200)"
	# xvdb's size is the file's
	sectors=$(domu 30 'cat /sys/block/xvdb/size') || return 1
	bytes=$(stat -c %s "$DISK2_FILE")
	say "xvdb: $sectors sectors; $DISK2_FILE: $bytes bytes"
	[ "$((sectors * 512))" = "$bytes" ]
}

# What /sys/block/xvdb/xen/ shows must follow from what the qdisk backend
# offers in xenstore (blkback's xvda, for comparison, offers more).
t_negotiated() {
	domu 30 'cd /sys/block && for d in xvda xvdb; do
		for a in $d/xen/*; do echo "$d ${a##*/} $(cat $a)"; done; done' > /tmp/neg.out 2>&1 ||
		{ sed 's/^/# /' /tmp/neg.out; return 1; }
	sed 's/^/# domU: /' /tmp/neg.out
	got() { awk -v a="$1" '$1 == "xvdb" && $2 == a { print $3 }' /tmp/neg.out; }
	for k in multi-queue-max-queues max-ring-page-order feature-max-indirect-segments \
		feature-persistent feature-flush-cache feature-barrier feature-discard discard-secure; do
		echo "# qdisk offers: $k=$(be_key $k -)"
	done
	st=0
	mismatch() { say "mismatch: $*"; st=1; }
	mq=$(be_key multi-queue-max-queues 1)
	q=$(got queues)
	[ "${q:-0}" -ge 1 ] && [ "$q" -le "$mq" ] ||
		mismatch "queues $q, backend allows $mq"
	order=$(be_key max-ring-page-order 0)
	r=$(got ring_pages)
	[ "${r:-0}" -ge 1 ] && [ "$r" -le $((1 << order)) ] ||
		mismatch "ring_pages $r, backend allows order $order"
	i=$(got indirect_segments)
	[ "$(be_key feature-max-indirect-segments 0)" -gt 0 ] || [ "$i" = 0 ] ||
		mismatch "indirect_segments $i, backend has none"
	p=$(got persistent_grants)
	[ "$(be_key feature-persistent 0)" = 1 ] || [ "$p" = 0 ] ||
		mismatch "persistent_grants $p, backend has none"
	want=none
	[ "$(be_key feature-barrier 0)" = 1 ] && want=barrier
	[ "$(be_key feature-flush-cache 0)" = 1 ] && want=flush-cache
	[ "$(got flush)" = $want ] || mismatch "flush $(got flush), expected $want"
	want=no
	[ "$(be_key feature-discard 0)" = 1 ] && want=yes
	[ $want = yes ] && [ "$(be_key discard-secure 0)" = 1 ] && want=secure
	[ "$(got discard)" = $want ] || mismatch "discard $(got discard), expected $want"
	return $st
}

# t_pattern SEED MIB: a pattern onto xvdb through blkfront and qdisk, read
# back in the domU, and the same bytes in dom0's backing file.
t_pattern() {
	pattern_through /dev/xvdb "$DISK2_FILE" "$1" "$2"
}

# fio's random writes of 512 B to 256 KiB, O_DIRECT, each block checked by
# crc32c when read back (check.sh puts fio in this run's initrd).
t_fio() {
	domu 600 'fio --filename=/dev/xvdb --rw=randwrite --bsrange=512-256k --direct=1 \
		--verify=crc32c --size=64m --name=q' > /tmp/fio.out 2>&1
	st=$?
	grep -E 'err=|WRITE:|READ:|verify|error' /tmp/fio.out | sed 's/^/# fio: /'
	[ $st -eq 0 ] || { tail -n 20 /tmp/fio.out | sed 's/^/# fio: /'; return 1; }
	grep -q 'err= *0' /tmp/fio.out && ! grep -qE 'err= *[1-9]|verify:.*bad|fio: .*error' /tmp/fio.out ||
		return 1
	# what fio verified in the domU is what qdisk put in dom0's file
	same_bytes 64
}

# The other way: a pattern dom0 writes into the file is what the domU reads.
t_from_dom0() {
	domu 30 'sync; echo 3 > /proc/sys/vm/drop_caches' || return 1
	pattern_from "$DISK2_FILE" /dev/xvdb 24 32
}

# Discard through qdisk punches a hole in dom0's file: those bytes read back
# as zeroes at both ends and the file's allocation shrinks.  QEMU's qdisk
# offers discard on a raw file, so its absence is a failure.
t_discard() {
	[ "$(be_key feature-discard 0)" = 1 ] || { say "qdisk offers no discard"; return 1; }
	zero=$(dd if=/dev/zero bs=1M count=16 2>/dev/null | md5sum | cut -d' ' -f1)
	domu 300 'xtest write /dev/xvdb 26 32' | sed 's/^/# domU: /'
	before=$(du -k "$DISK2_FILE" | cut -f1)
	domu 120 "blkdiscard -o 0 -l 16777216 /dev/xvdb &&
		dd if=/dev/xvdb bs=1M count=16 2>/dev/null | md5sum" > /tmp/disc.out 2>&1
	st=$?
	sed 's/^/# domU: /' /tmp/disc.out
	[ $st -eq 0 ] || { say "blkdiscard failed"; return 1; }
	grep -q "^$zero " /tmp/disc.out || { say "xvdb does not read back zeroes"; return 1; }
	after=$(du -k "$DISK2_FILE" | cut -f1)
	say "$DISK2_FILE: $before KiB allocated before, $after KiB after"
	[ "$(dd if="$DISK2_FILE" bs=1M count=16 2>/dev/null | md5sum | cut -d' ' -f1)" = "$zero" ] ||
		{ say "the file does not read back zeroes"; return 1; }
	# the 16 MiB after the hole keep their data: a discard too long fails
	"$XTEST" gen 26 32 | dd bs=1M iflag=fullblock skip=16 count=16 2> /dev/null | md5sum > /tmp/after.want
	dd if="$DISK2_FILE" bs=1M skip=16 count=16 2> /dev/null | md5sum > /tmp/after.got
	cmp -s /tmp/after.want /tmp/after.got || { say "the data after the hole was harmed"; return 1; }
	say "the 16 MiB after the hole still hold their pattern in dom0"
	[ "$after" -lt "$before" ]
}

# xl block-detach takes xvdb away (QEMU releases it), xl block-attach with
# backendtype=qdisk brings it back, and the data is still there.
t_reattach() {
	domu 300 'xtest write /dev/xvdb 41 16' | sed 's/^/# domU: /'
	timeout 60 "$XL" block-detach "$DOMU" xvdb || { say "xl block-detach failed"; return 1; }
	wait_domu 30 '[ ! -e /sys/block/xvdb ]' || { say "xvdb still in the domU"; return 1; }
	xenstore-exists "$BE" 2>/dev/null && { say "$BE still exists"; return 1; }
	say "xvdb detached"
	timeout 60 "$XL" block-attach "$DOMU" \
		"format=raw,vdev=xvdb,access=rw,backendtype=qdisk,target=$DISK2_FILE" ||
		{ say "xl block-attach failed"; return 1; }
	wait_domu 30 '[ -b /dev/xvdb ]' || { say "xvdb did not come back"; return 1; }
	say "xvdb attached again: backend $(xenstore-read "$FE/backend")"
	[ "$(xenstore-read "$FE/backend")" = "$BE" ] || return 1
	domu 300 'xtest verify /dev/xvdb 41 16' > /tmp/re.out 2>&1
	st=$?
	sed 's/^/# domU: /' /tmp/re.out
	return $st
}

t_log_clean() {
	log_clean 'xvd[ab]|blkfront'
}

# The domain goes away and its device model with it.
t_shutdown() {
	timeout 120 "$XL" shutdown -w "$DOMU" || { say "xl shutdown -w failed"; return 1; }
	i=0
	while "$XL" list "$DOMU" > /dev/null 2>&1 || qemu_pid > /dev/null; do
		[ $i -lt 30 ] || { say "domain or QEMU still there"; return 1; }
		sleep 1
		i=$((i + 1))
	done
}

t_boot;                 result $? "qdisk: domU boots with xvda (blkback) and xvdb (qdisk)"
t_backend;              result $? "qdisk: xvdb's backend is QEMU under backend/qdisk, both ends Connected"
t_negotiated;           result $? "qdisk: /sys/block/xvdb/xen matches what qdisk offers"
t_pattern 23 96;        result $? "qdisk: 96 MiB pattern on xvdb reads back, dom0 file matches"
t_fio;                  result $? "qdisk: fio randwrite 512B-256KiB, direct, crc32c verify, no errors, = dom0's file"
t_from_dom0;            result $? "qdisk: a pattern dom0 writes into the file is what the domU reads"
t_discard;              result $? "qdisk: blkdiscard punches a hole in dom0's file"
t_reattach;             result $? "qdisk: xl block-detach and block-attach of xvdb, data intact"
t_log_clean;            result $? "qdisk: domU kernel log clean"
t_shutdown;             result $? "qdisk: xl shutdown ends the domU and its QEMU"

say "qdisk tests: $failed failed"
exit $failed
