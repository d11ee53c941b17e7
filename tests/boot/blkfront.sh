#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# blkfront.sh - the tests of drivers/block/xen-blkfront.c, run by busybox sh
# in dom0 of the embedded Xen host (scripts/check.sh hands it to
# scripts/xen-host/boot.sh --driver, with a 320 MiB xvdb and fio in the
# domU's initrd).
#
# What each test proves, judged from dom0 (xenstore, blkback's statistics,
# the backing files, the block tracepoints) and compared with what the domU
# says:
#   negotiation  the frontend's xenstore keys (queues, ring order and refs,
#                event channels, persistent grants) and blkback's offer agree
#                with /sys/block/xvd?/xen/; blkback sees requests of more
#                than 11 segments, so indirect segments are in use;
#   FUA          each O_DSYNC write reaches dom0's disk (the loop device
#                under xvdb, traced with block_bio_queue) followed by a
#                flush of its own, never carried by a barrier's pre-flush;
#   fsync        a buffered write is not in dom0's backing file until the
#                domU fsyncs, and is there when fsync returns, carried by a
#                flush (blkback's f_req counter moves);
#   discard      blkdiscard of a written range punches a hole in dom0's
#                sparse backing file, the range reads back as zeroes, and
#                the data on both sides of it is intact;
#   dom0 -> domU a pattern dom0 writes into the backing file is what the
#                domU reads, in 1 MiB direct reads and at odd offsets;
#   fio          4 x FIO_MIB MiB (64; make soak 256) through fio
#                --verify=crc32c: sequential and random, 512 B to 1 MiB
#                blocks, O_DIRECT and buffered; then every byte the domU
#                reads of that area equals dom0's file (fio's blocks carry
#                their own offset, so a misplaced, short or torn block fails
#                one check or the other);
#   hot-plug     HP_ROUNDS (8; make soak 12) rounds of xl block-attach, I/O,
#                xl block-detach (every other round while a writer is seen
#                by blkback to be writing), then no leak, measured per round;
#   ro, resize, 4 KiB sectors: the disk properties blkback publishes;
#   save/restore while fio verifies on one CPU with large blocks, so that
#                its ring is stalled on the grant cap, blkback seeing it
#                write at the moment of the save; dom0's file checked after;
#                with writes held inside the backend (a slow dm-delay disk
#                in dom0), which blkback must see written again after
#                restore; then onto a lesser backend (no persistent grants,
#                one queue, one-page ring, no indirect segments), proven from
#                xenstore, with blkback counting more requests than the domU
#                issued, none over 11 segments;
#   failed reconnect: a disk whose sector size changes across save/restore
#                cannot reconnect; the domU's I/O on it must fail, not hang,
#                and it must detach;
#   log          at the end, dom0's copy of the domU's whole console log
#                holds no oops, warning, lockup or stall (lib.sh's LOG_BAD).
#
# Output: one "TAP: ok - NAME" / "TAP: not ok - NAME" line per test.

. /extra/lib.sh

# make check's counts; make soak hands in the long ones (FIO_MIB=256,
# HP_ROUNDS=12) in /extra/blkfront.env.  HP_ROUNDS is at least 7 (see
# t_hotplug).
FIO_MIB=64
HP_ROUNDS=8
[ -f /extra/blkfront.env ] && . /extra/blkfront.env
[ "$HP_ROUNDS" -ge 7 ] || HP_ROUNDS=7

IMG=/run/blkx
# a domU image (512 MiB of memory) does not fit what rootfs has left once
# the fio initrd is in it: saves go to a tmpfs of their own
SAVE=/run/blksave/domu.save
mkdir -p $IMG /run/blksave && mount -t tmpfs -o size=240m tmpfs $IMG &&
	mount -t tmpfs -o size=640m tmpfs /run/blksave

# show PREFIX CMD...: run CMD, its output prefixed, its status kept
show() {
	p=$1
	shift
	"$@" > /tmp/show.out 2>&1
	st=$?
	sed "s/^/# $p: /" /tmp/show.out
	return $st
}

# After a failure: stop at once if the domU no longer answers.
more_tails() {
	domu 20 true > /dev/null 2>&1 && return
	say "the domU does not answer any more"
	grep -a -B5 -A40 -m1 -E 'BUG|Oops|WARNING|panic' "$CONSOLE_LOG" | sed 's/^/#   /'
	exit 1
}
# newdisk NAME MIB [losetup args]: a loop device over a fresh sparse file
newdisk() {
	f=$IMG/$1.img
	truncate -s "$2M" "$f" || return 1
	shift 2
	/sbin/losetup -f --show "$@" "$f"
}
dropdisk() { # LOOPDEV NAME
	/sbin/losetup -d "$1"
	rm -f "$IMG/$2.img"
}
# wait_dev NAME present|absent SECONDS, as the domU sees it
wait_dev() {
	domu $(($3 + 10)) "i=0; while [ \$i -lt $3 ]; do
		if [ $2 = present ]; then [ -b /dev/$1 ] && exit 0; else [ -b /dev/$1 ] || exit 0; fi
		sleep 1; i=\$((i + 1)); done; exit 1"
}
# xenstore directories of the domU's vbd DEVID: frontend, backend
fe_dir() { echo "/local/domain/$($XL domid "$DOMU")/device/vbd/$1"; }
be_dir() { echo "/local/domain/0/backend/vbd/$($XL domid "$DOMU")/$1"; }
xs() { xenstore-read "$1" 2> /dev/null || echo "${2:--}"; }
# same_bytes DEV FILE MIB: the first MIB MiB the domU reads from DEV (after
# writing back and dropping its cache) are byte for byte dom0's FILE
same_bytes() {
	g=$(domu 600 "sync; echo 3 > /proc/sys/vm/drop_caches;
		dd if=/dev/$1 bs=1M count=$3 2> /dev/null | xtest sha256") || return 1
	d=$(dd if="$2" bs=1M count="$3" 2> /dev/null | "$XTEST" sha256)
	say "first $3 MiB of $1: domU reads ${g%% *}, dom0's file holds ${d%% *}"
	[ -n "$g" ] && [ "${g%% *}" = "${d%% *}" ]
}
# progress DEVID: blkback's sectors written for the vbd now, and a second
# later; fails unless they moved (the domU was writing at that moment)
progress() {
	w0=$(bestat "$1" wr_sect)
	sleep 1
	w1=$(bestat "$1" wr_sect)
	say "blkback wr_sect on vbd $1: $w0 -> $w1 in 1 s"
	[ "$w1" -gt "$w0" ]
}
# wait_moving DEVID SECONDS: until blkback sees the domU write to DEVID
wait_moving() {
	_i=0
	while [ $_i -lt "$2" ]; do
		progress "$1" > /tmp/progress.out && { cat /tmp/progress.out; return 0; }
		_i=$((_i + 1))
	done
	cat /tmp/progress.out
	return 1
}
negotiated() { # DEV: the xen/ attributes on one line
	domu 10 "cd /sys/block/$1/xen && for f in *; do printf '%s=%s ' \$f \$(cat \$f); done"
}
# blkback module parameters (they apply from its next connection)
backend_params() {
	for kv in "$@"; do
		echo "${kv#*=}" > "/sys/module/xen_blkback/parameters/${kv%%=*}" || return 1
	done
	say "blkback: $*"
}
# blkfront's, in the domU
front_params() {
	for kv in "$@"; do
		domu 10 "echo ${kv#*=} > /sys/module/xen_blkfront/parameters/${kv%%=*}" || return 1
	done
	say "blkfront: $*"
}
# after a restore: until the domU's agent answers again
wait_agent() {
	_i=0
	while [ $_i -lt 90 ]; do
		domu_try 10 true > /dev/null 2>&1 && return 0
		sleep 1
		_i=$((_i + 1))
	done
	say "the domU agent did not come back after the restore"
	return 1
}
save_restore() {
	rm -f $SAVE
	say "dom0 before the save: $(free -m | awk '/^Mem:/ { print $4 }') MiB free, $(df -m /run/blksave | awk 'NR == 2 { print $4 }') MiB for the image"
	timeout 300 "$XL" save "$DOMU" $SAVE > /dev/null || { say "xl save failed"; rm -f $SAVE; return 1; }
	timeout 300 "$XL" restore $SAVE > /dev/null || { say "xl restore failed"; rm -f $SAVE; return 1; }
	rm -f $SAVE
	wait_agent
}

t_boot() {
	wait_init || { say "the domU never reached init"; return 1; }
	domu 30 'dmesg | grep -E "xen[-_]blkfront|vbd-|xvd"' | sed 's/^/# dmesg: /'
	log_clean 'xvd|blkfront'
}

t_negotiated() {
	st=0
	bad() { say "mismatch: $*"; st=1; }
	for id in 51712 51728; do
		d=xvda
		[ $id = 51728 ] && d=xvdb
		n=$(negotiated $d) || return 1
		say "$d domU: $n"
		got() { echo "$n" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
		fe=$(fe_dir $id)
		be=$(be_dir $id)
		nq=$(xs "$fe/multi-queue-num-queues" 1)
		order=$(xs "$fe/ring-page-order" 0)
		say "$d xenstore: frontend num-queues $nq, ring-page-order $order, feature-persistent $(xs "$fe/feature-persistent");" \
			"backend state $(xs "$be/state"), max-queues $(xs "$be/multi-queue-max-queues"), max-ring-page-order $(xs "$be/max-ring-page-order")," \
			"persistent $(xs "$be/feature-persistent"), indirect $(xs "$be/feature-max-indirect-segments")," \
			"flush-cache $(xs "$be/feature-flush-cache"), barrier $(xs "$be/feature-barrier"), discard $(xs "$be/feature-discard")"
		[ "$(xs "$be/state")" = 4 ] || bad "$d: backend not Connected"
		[ "$(got queues)" = "$nq" ] || bad "$d: domU has $(got queues) queues, xenstore $nq"
		[ "$(got ring_pages)" = $((1 << order)) ] || bad "$d: domU ring_pages $(got ring_pages), xenstore order $order"
		[ "$nq" = 2 ] || bad "$d: $nq queues, blkback offers $(xs "$be/multi-queue-max-queues")"
		[ "$order" -ge 1 ] || bad "$d: a one-page ring, blkback offers order $(xs "$be/max-ring-page-order")"
		# each queue's ring refs and event channel, as blkback reads them
		q=0
		while [ $q -lt "$nq" ]; do
			qd=$fe/queue-$q
			[ "$nq" = 1 ] && qd=$fe
			r=0
			while [ $r -lt $((1 << order)) ]; do
				key=ring-ref$r
				[ "$order" = 0 ] && key=ring-ref
				[ "$(xs "$qd/$key" x)" -gt 0 ] 2> /dev/null || bad "$d: no $qd/$key"
				r=$((r + 1))
			done
			[ "$(xs "$qd/event-channel" x)" -gt 0 ] 2> /dev/null || bad "$d: no $qd/event-channel"
			q=$((q + 1))
		done
		p=0
		[ "$(xs "$fe/feature-persistent" 0)" = 1 ] && [ "$(xs "$be/feature-persistent" 0)" = 1 ] && p=1
		[ "$(got persistent_grants)" = $p ] || bad "$d: domU persistent_grants $(got persistent_grants), xenstore says $p"
		[ $p = 1 ] || bad "$d: no persistent grants"
		want=none
		[ "$(xs "$be/feature-barrier" 0)" = 1 ] && want=barrier
		[ "$(xs "$be/feature-flush-cache" 0)" = 1 ] && want=flush-cache
		[ "$(got flush)" = $want ] || bad "$d: domU flush $(got flush), blkback offers $want"
		[ $want = flush-cache ] || bad "$d: no flush-cache"
		[ "$(xs "$be/feature-discard" 0)" = 1 ] && [ "$(got discard)" != no ] ||
			bad "$d: discard $(got discard), blkback offers $(xs "$be/feature-discard")"
	done
	# Indirect segments, seen by blkback: a slot without them carries at
	# most 11 pages (88 sectors); 1 MiB direct reads must come in bigger.
	n=$(negotiated xvdb)
	r0=$(bestat 51728 rd_req) s0=$(bestat 51728 rd_sect)
	show domU domu 120 'xtest write /dev/xvdb 60 8 > /dev/null && xtest verify /dev/xvdb 60 8' || return 1
	r1=$(bestat 51728 rd_req) s1=$(bestat 51728 rd_sect)
	say "blkback: 8 MiB of 1 MiB direct reads came as $((r1 - r0)) requests, $((s1 - s0)) sectors"
	[ $((s1 - s0)) -eq 16384 ] || bad "blkback read $((s1 - s0)) sectors, not 16384"
	[ $((r1 - r0)) -gt 0 ] && [ $(((s1 - s0) / (r1 - r0))) -gt 88 ] ||
		bad "no request of more than 11 segments: indirect segments not in use"
	echo "$n" | grep -qE 'indirect_segments=([1-9][0-9][0-9]|[2-9][0-9]) ' ||
		bad "domU reports no indirect segments: $n"
	q=$(domu 10 'ls /sys/block/xvda/mq | wc -l')
	[ "$q" = 2 ] || bad "xvda has $q blk-mq hardware queues"
	return $st
}

# FUA writes must each reach dom0's disk followed by a flush of their own.
# fio writes O_DIRECT + O_SYNC through libaio, one at a time: each write is
# REQ_FUA and nothing else (a synchronous write(2) would add an fsync, and
# its flush, after each).  blkback turns a flush-cache request into a flush;
# a barrier would come as a pre-flush carried by the write itself, leaving
# that write in the cache.  Seen in dom0 with block_bio_queue on the loop
# device under xvdb.
t_fua() {
	T=/sys/kernel/tracing
	[ -d $T/events ] || mount -t tracefs tracefs $T 2> /dev/null ||
		mount -t debugfs debugfs /sys/kernel/debug 2> /dev/null
	[ -d $T/events ] || T=/sys/kernel/debug/tracing
	E=$T/events/block/block_bio_queue
	[ -d $E ] || { say "dom0's kernel has no block_bio_queue tracepoint"; return 1; }
	[ -b "$LOOP2_DEV" ] || { say "no loop device under xvdb"; return 1; }
	set -- $(stat -L -c '%t %T' "$LOOP2_DEV")
	maj=$((0x$1)) min=$((0x$2))
	echo 0 > $T/tracing_on
	echo > $T/trace
	echo "dev == $(((maj << 20) | min))" > $E/filter || return 1
	echo 1 > $E/enable
	echo 1 > $T/tracing_on
	show domU domu 120 'fio --minimal --name=fua --filename=/dev/xvdb --rw=write --bs=4k \
		--offset=1m --size=64k --direct=1 --sync=1 --ioengine=libaio --iodepth=1' > /dev/null
	fst=$?
	echo 0 > $T/tracing_on
	echo 0 > $E/enable
	echo 0 > $E/filter
	grep 'block_bio_queue:' $T/trace > /tmp/fua.trace
	echo > $T/trace
	say "dom0 ($maj,$min = $LOOP2_DEV): $(wc -l < /tmp/fua.trace) bios queued during 16 O_SYNC 4 KiB AIO writes"
	# fields after "block_bio_queue:": dev rwbs sector + count [comm]
	awk '{ for (i = 1; i <= NF; i++) if ($i == "block_bio_queue:") break
		rwbs = $(i + 2); sec = $(i + 3); n = $(i + 5)
		if (n > 0 && rwbs ~ /W/) {
			if (pending) { bad++; printf "# write at %s: no flush before the next write\n", last }
			if (rwbs ~ /^F/) { bad++; printf "# write at %s carries a pre-flush (%s): a barrier\n", sec, rwbs }
			writes++; pending = 1; last = sec
		} else if (n == 0 && rwbs ~ /^F/) {
			if (pending) flushed++
			pending = 0
		}
		if (NR <= 6) printf "# trace: %s %s + %s\n", rwbs, sec, n }
		END { if (pending) { bad++; printf "# write at %s: never followed by a flush\n", last }
			printf "# dom0 saw %d data writes, %d of them followed by their own flush\n", writes, flushed
			exit !(writes == 16 && flushed == 16 && !bad) }' /tmp/fua.trace
	[ $? -eq 0 ] && [ $fst -eq 0 ]
}

# A buffered write stays in the domU's page cache (writeback held off, the
# device held open so closing it does not write back) until fsync.
t_fsync() {
	domu 10 'echo 0 > /proc/sys/vm/dirty_writeback_centisecs;
		echo 360000 > /proc/sys/vm/dirty_expire_centisecs;
		(sleep 600 < /dev/xvdb &) ' || return 1
	f0=$(bestat 51728 f_req)
	show domU domu 60 'xtest gen 61 4 | dd of=/dev/xvdb bs=1M 2>&1 | tail -n1' || return 1
	if "$XTEST" verify "$DISK2_FILE" 61 4 > /dev/null 2>&1; then
		say "the data reached dom0 before any fsync: the test could not tell"
		return 1
	fi
	say "before fsync: dom0's file does not hold the data yet"
	show domU domu 60 'xtest fsync /dev/xvdb' || return 1
	show dom0 "$XTEST" verify "$DISK2_FILE" 61 4 || return 1
	f1=$(bestat 51728 f_req)
	say "blkback flush requests on xvdb: $f0 -> $f1"
	domu 10 'killall sleep; echo 500 > /proc/sys/vm/dirty_writeback_centisecs;
		echo 3000 > /proc/sys/vm/dirty_expire_centisecs'
	[ "$f1" -gt "$f0" ]
}

t_discard() {
	show domU domu 120 'xtest write /dev/xvdb 62 64' || return 1
	b0=$(stat -c %b "$DISK2_FILE")
	d0=$(bestat 51728 ds_req)
	show domU domu 60 'blkdiscard -o 16777216 -l 33554432 /dev/xvdb && echo discarded 32 MiB at 16 MiB' ||
		return 1
	b1=$(stat -c %b "$DISK2_FILE")
	d1=$(bestat 51728 ds_req)
	say "dom0 file blocks $b0 -> $b1 (512 B units), blkback discards $d0 -> $d1"
	# the hole must be the discarded range, and it must read as zeroes
	dd if="$DISK2_FILE" bs=1M skip=16 count=32 2> /dev/null | cmp -s - /dev/zero -n 33554432 ||
		{ say "the discarded range is not zero in dom0"; return 1; }
	dd if="$DISK2_FILE" bs=1M count=16 2> /dev/null | "$XTEST" check 62 16 > /dev/null ||
		{ say "data before the range was harmed"; return 1; }
	# and after it: a discard one sector too long zeroes 48 MiB's first
	"$XTEST" gen 62 64 | dd bs=1M iflag=fullblock skip=48 count=16 of=/tmp/after.want 2> /dev/null
	dd if="$DISK2_FILE" bs=1M skip=48 count=16 of=/tmp/after.got 2> /dev/null
	cmp /tmp/after.want /tmp/after.got > /tmp/after.cmp 2>&1
	st=$?
	rm -f /tmp/after.want /tmp/after.got
	[ $st -eq 0 ] || { say "data after the range was harmed: $(cat /tmp/after.cmp)"; return 1; }
	say "16 MiB before and 16 MiB after the hole still hold their pattern in dom0"
	# the domU sees the same: zeroes in the hole, the pattern around it
	show domU domu 60 'sync; echo 3 > /proc/sys/vm/drop_caches;
		dd if=/dev/xvdb bs=1M skip=16 count=32 2> /dev/null | cmp - /dev/zero -n 33554432 &&
		echo hole reads as zeroes' || return 1
	[ $((b0 - b1)) -ge 65536 ] && [ "$d1" -gt "$d0" ]
}

# 4 x FIO_MIB MiB on xvdb, one job after another, each written and verified
t_fio() {
	domu 900 "fio --minimal --filename=/dev/xvdb --size=${FIO_MIB}m --verify=crc32c "'\
		--do_verify=1 --verify_fatal=1 --ioengine=libaio --iodepth=8 \
		--name=seq-direct --rw=write --bs=1m --direct=1 \
		--name=rand-direct --stonewall --rw=randwrite --direct=1 \
			--bssplit=512/10:4k/30:64k/30:1m/30 \
		--name=seq-buffered --stonewall --rw=write --bsrange=4k-128k --direct=0 \
		--name=rand-buffered --stonewall --rw=randwrite --direct=0 \
			--bssplit=512/20:8k/40:1m/40' > /tmp/fio.out 2>&1
	st=$?
	# terse v3: job name is field 3, errors field 5
	awk -F';' 'NF > 50 { printf "# fio %s: error %s, wrote %s KiB, read %s KiB\n", $3, $5, $47, $6 }' /tmp/fio.out
	grep -v ';' /tmp/fio.out | head -n 20 | sed 's/^/# fio: /'
	jobs=$(awk -F';' 'NF > 50 && $5 == 0' /tmp/fio.out | wc -l)
	[ $st -eq 0 ] && [ "$jobs" -eq 4 ] || return 1
	# what fio verified in the domU is what dom0's file holds, byte for byte
	same_bytes xvdb "$DISK2_FILE" "$FIO_MIB"
}

# The other way: dom0 writes a pattern into xvdb's backing file, and the
# domU must read it, in 1 MiB direct reads and in odd places and sizes
# through its page cache (dropped first).
t_from_dom0() {
	domu 30 'sync; echo 3 > /proc/sys/vm/drop_caches' || return 1
	pattern_from "$DISK2_FILE" /dev/xvdb 64 48 || return 1
	st=0
	for r in 512:12345:7 512:99999:1 4096:1001:33 65536:77:9 1048576:3:20; do
		set -- $(echo "$r" | tr : ' ')
		bs=$1 sk=$2 n=$3
		w=$(dd if="$DISK2_FILE" bs=$bs skip=$sk count=$n 2> /dev/null | "$XTEST" sha256)
		g=$(domu 60 "echo 3 > /proc/sys/vm/drop_caches;
			dd if=/dev/xvdb bs=$bs skip=$sk count=$n 2> /dev/null | xtest sha256")
		if [ -n "$g" ] && [ "${g%% *}" = "${w%% *}" ]; then
			say "$n x $bs B at block $sk: the domU reads dom0's bytes"
		else
			say "$n x $bs B at block $sk: domU ${g%% *}, dom0 ${w%% *}"
			st=1
		fi
	done
	return $st
}

# The domU's free memory in KiB after dropping its caches: the buddy
# allocator's free pages plus those waiting in the per-CPU lists (which
# MemFree and MemAvailable leave out, and which move by megabytes from one
# moment to the next), then MemAvailable for the record.
meminfo() {
	domu 30 'sync; echo 3 > /proc/sys/vm/drop_caches;
		awk "/^ +pages free/ { f += \$3 } /^ +count:/ { f += \$2 } END { printf \"%d \", f * 4 }" /proc/zoneinfo;
		awk "/MemAvailable/ { print \$2 }" /proc/meminfo'
}

# block-attach, use, block-detach; even rounds detach while a writer loops
# on the disk, which blkback must see writing just before the detach (and
# which must then stop with an error, not hang).  Free memory is reported
# per round; a leak is the drop from the lowest of rounds 2-4 (the first
# disk's one-time allocations made) to the highest of the last three
# rounds, so that one noisy sample cannot fail or pass the test: it must
# stay under 48 KiB for each round in between.
t_hotplug() {
	r=1 mems= prev=
	while [ $r -le $HP_ROUNDS ]; do
		L=$(newdisk xvdc 64) || return 1
		"$XL" block-attach "$DOMU" "phy:$L,xvdc,w" || { say "round $r: attach failed"; return 1; }
		wait_dev xvdc present 60 || { say "round $r: xvdc never appeared"; return 1; }
		domu 120 "xtest write /dev/xvdc $r 8 > /dev/null && xtest verify /dev/xvdc $r 8 > /dev/null" ||
			{ say "round $r: data on xvdc wrong"; return 1; }
		"$XTEST" verify "$IMG/xvdc.img" "$r" 8 > /dev/null || { say "round $r: dom0 disagrees"; return 1; }
		how=idle
		if [ $((r % 2)) -eq 0 ]; then
			domu 10 "(n=0; while :; do xtest write /dev/xvdc 99 64 > /dev/null 2>&1 || { st=\$?; break; }
				n=\$((n + 1)); done; echo \"\$n passes, then status \$st\" > /tmp/bg.log) > /dev/null 2>&1 &"
			wait_moving 51744 20 > /tmp/moving.out ||
				{ sed 's/^/#   /' /tmp/moving.out; say "round $r: blkback never saw the writer write"; return 1; }
			how="during writes ($(tail -n 1 /tmp/moving.out | sed 's/^# //'))"
		fi
		timeout 120 "$XL" block-detach "$DOMU" xvdc || { say "round $r: detach $how failed"; return 1; }
		wait_dev xvdc absent 60 || { say "round $r: xvdc still there"; return 1; }
		if [ "$how" != idle ]; then
			domu 70 'i=0; while [ $i -lt 60 ] && ! [ -s /tmp/bg.log ]; do sleep 1; i=$((i + 1)); done; cat /tmp/bg.log; rm -f /tmp/bg.log' > /tmp/bg.out
			if ! grep -q 'then status [1-9]' /tmp/bg.out; then
				say "round $r: the writer did not stop with an error within 60 s: $(cat /tmp/bg.out)"
				domu 30 'ps; echo w > /proc/sysrq-trigger; dmesg | tail -n 60' | sed 's/^/#   /'
				return 1
			fi
		fi
		dropdisk "$L" xvdc
		set -- $(meminfo)
		m=$1
		[ -n "$m" ] && [ -n "$2" ] || { say "round $r: the domU did not report its memory"; return 1; }
		say "round $r, detached $how: free $m KiB${prev:+ ($((m - prev)) KiB)}, MemAvailable $2 KiB"
		prev=$m
		mems="$mems $m"
		[ $r -eq 2 ] && i0=$(domu 10 'grep -c xen-dyn /proc/interrupts')
		r=$((r + 1))
	done
	set -- $mems
	m0=$(echo "$2 $3 $4" | tr ' ' '\n' | sort -n | head -n 1)
	shift $((HP_ROUNDS - 3))
	m1=$(echo "$1 $2 $3" | tr ' ' '\n' | sort -n | tail -n 1)
	i1=$(domu 10 'grep -c xen-dyn /proc/interrupts')
	n=$((HP_ROUNDS - 6))
	say "domU free memory: lowest of rounds 2-4 $m0 KiB, highest of rounds $((HP_ROUNDS - 2))-$HP_ROUNDS $m1 KiB: $(((m0 - m1) / n)) KiB lost a round over $n rounds; event channel irqs $i0 -> $i1"
	left=$(ls /sys/bus/xen-backend/devices | grep -c -- '-51744$')
	[ "$left" -eq 0 ] || { say "blkback still has $left xvdc devices"; return 1; }
	log_clean 'xvd|blkfront' || return 1
	[ "$i1" -le "$i0" ] && [ $((m0 - m1)) -lt $((48 * n)) ]
}

t_readonly() {
	L=$(newdisk xvdd 16) || return 1
	"$XL" block-attach "$DOMU" "phy:$L,xvdd,r" || return 1
	wait_dev xvdd present 60 || return 1
	out=$(domu 60 'echo ro=$(cat /sys/block/xvdd/ro);
		dd if=/dev/zero of=/dev/xvdd bs=4k count=1 oflag=direct 2>&1 && echo WRITE-OK;
		dd if=/dev/xvdd of=/dev/null bs=1M 2>&1 | tail -n1')
	echo "$out" | sed 's/^/# domU: /'
	"$XL" block-detach "$DOMU" xvdd
	dropdisk "$L" xvdd
	echo "$out" | grep -q 'ro=1' && ! echo "$out" | grep -q WRITE-OK
}

t_resize() {
	L=$(newdisk xvde 32) || return 1
	"$XL" block-attach "$DOMU" "phy:$L,xvde,w" || return 1
	wait_dev xvde present 60 || return 1
	s0=$(domu 10 'cat /sys/block/xvde/size')
	truncate -s 64M $IMG/xvde.img && /sbin/losetup -c "$L"
	# blkback looks at the size again when it next handles a request
	s1=$s0
	i=0
	while [ $i -lt 30 ] && [ "$s1" = "$s0" ]; do
		s1=$(domu 10 'dd if=/dev/xvde of=/dev/null bs=4k count=1 iflag=direct 2> /dev/null; cat /sys/block/xvde/size')
		sleep 1
		i=$((i + 1))
	done
	say "xvde: $s0 -> $s1 sectors"
	show domU domu 120 'xtest write /dev/xvde 3 64 && xtest verify /dev/xvde 3 64' || s1=bad
	"$XL" block-detach "$DOMU" xvde
	dropdisk "$L" xvde
	[ "$s1" = 131072 ]
}

t_4k() {
	L=$(newdisk xvdf 32 -b 4096) || return 1
	"$XL" block-attach "$DOMU" "phy:$L,xvdf,w" || return 1
	wait_dev xvdf present 60 || return 1
	out=$(domu 120 'echo lbs=$(cat /sys/block/xvdf/queue/logical_block_size);
		xtest write /dev/xvdf 5 16 && xtest verify /dev/xvdf 5 16')
	st=$?
	echo "$out" | sed 's/^/# domU: /'
	show dom0 "$XTEST" verify "$IMG/xvdf.img" 5 16 || st=1
	"$XL" block-detach "$DOMU" xvdf
	dropdisk "$L" xvdf
	echo "$out" | grep -q 'lbs=4096' && [ $st -eq 0 ]
}

# xl save + restore while fio writes and verifies xvdb.  fio runs on CPU 0
# only, with mostly 512 KiB writes 32 deep: more than the ring's cap of lent
# pages, so its hardware queue is stopped and restarted all the time, and is
# likely stopped at the save; it must run again after the restore.  The
# save is taken only once blkback sees fio writing.
t_save_fio() {
	domu 10 '(fio --minimal --filename=/dev/xvdb --size=256m --verify=crc32c \
		--verify_fatal=1 --ioengine=libaio --iodepth=32 --direct=1 --cpus_allowed=0 \
		--name=sr --rw=randwrite --bssplit=4k/10:64k/20:512k/70 > /tmp/srfio.log 2>&1;
		echo status $? >> /tmp/srfio.log) > /dev/null 2>&1 &' || return 1
	wait_moving 51728 30 || { say "blkback never saw fio write"; return 1; }
	save_restore || return 1
	i=0
	while [ $i -lt 300 ] && ! domu 10 'cat /tmp/srfio.log' | grep -q '^status'; do
		sleep 3
		i=$((i + 3))
	done
	domu 10 'cat /tmp/srfio.log' > /tmp/srfio.out
	awk -F';' 'NF > 50 { printf "# fio across save/restore: error %s, wrote %s KiB, verified %s KiB\n", $5, $47, $6 }' /tmp/srfio.out
	grep -v ';' /tmp/srfio.out | sed 's/^/# domU: /'
	domu 10 'dmesg | grep -E "I/O error|blkfront|vbd-51728" | tail -n 5' | sed 's/^/# dmesg: /'
	say "blkback after restore: $(bestat 51728 wr_sect) sectors written, $(bestat 51728 rd_sect) read"
	if ! grep -q '^status' /tmp/srfio.out; then
		say "fio did not finish within 300 s of the restore"
		domu 30 'cat /sys/block/xvdb/inflight; echo w > /proc/sysrq-trigger; dmesg | tail -n 40' |
			sed 's/^/#   /'
		return 1
	fi
	grep -q '^status 0' /tmp/srfio.out && awk -F';' 'NF > 50 && $5 == 0 { ok = 1 } END { exit !ok }' /tmp/srfio.out &&
		same_bytes xvdb "$DISK2_FILE" 256
}

# SLOW: the disk behind xvdh below, made once: a device-mapper delay target
# over a loop device on a sparse tmpfs file, which passes reads at once and
# holds every write (and flush) 20 s.  Reads stay fast: the domU scans the
# disk's partition table at each attach, and dom0 checks the data after.
SLOW=/dev/mapper/slowwr
slow_disk() {
	[ -b $SLOW ] && return 0
	modprobe dm-delay || return 1
	L=$(newdisk slowwr 1024) || return 1
	DM_DISABLE_UDEV=1 dmsetup create slowwr \
		--table "0 $((1024 * 2048)) delay $L 0 0 $L 0 20000" || return 1
	[ -b $SLOW ] || DM_DISABLE_UDEV=1 dmsetup mknodes slowwr
	[ -b $SLOW ]
}

# Writes held inside the backend across save/restore: xvdh is the slow disk
# (SLOW) in dom0 that completes each write 20 s late, the domU writes 2 MiB
# to it with native AIO (tests/boot/aiowrite.c), whose sleep in
# io_getevents lets the freezer stop it with the writes still in blkback.
# After restore blkfront must issue them again: the new backend must count
# all 4096 sectors written.  PARAMS: the backend (and with front: the
# frontend) parameters for the connection after restore.  With "lesser"
# first, the new connection must be the lesser one (one queue, a one-page
# ring, no persistent grants, seen in xenstore), and blkback must count
# more write requests than the domU completed, none over 11 segments: the
# reissued requests were split.  With "stalled" first, the domU writes 16
# MiB: more than the pages a ring may lend, so blkback holds only part of it
# at the save and the rest waits in a hardware queue the ring has stopped,
# which nothing on the new ring would start again.  The delay must outlast
# the domU's suspend (freezer, devices, stop_machine): at 12 s, a slow
# suspend under TCG let the first writes finish in the old backend.
t_save_held() { # SEED [lesser|stalled] PARAMS...
	seed=$1
	shift
	lesser=0 mib=2
	[ "$1" = lesser ] && lesser=1 && shift
	[ "$1" = stalled ] && mib=16 && shift
	slow_disk || { say "no slow disk (dm-delay) in dom0"; return 1; }
	"$XL" block-attach "$DOMU" "phy:$SLOW,xvdh,w" || return 1
	wait_dev xvdh present 120 || return 1
	fe=$(fe_dir 51824)
	say "xvdh before: xenstore num-queues $(xs "$fe/multi-queue-num-queues" 1), ring-page-order $(xs "$fe/ring-page-order" 0)," \
		"backend persistent $(xs "$(be_dir 51824)/feature-persistent")"
	domu 10 "xtest gen $seed $mib > /tmp/p$seed;
		(aiowrite /dev/xvdh /tmp/p$seed > /tmp/aio.log 2>&1; echo status \$? >> /tmp/aio.log) > /dev/null 2>&1 &"
	# the writes must be with blkback (the delay target holds them) at the save
	i=0
	while [ $i -lt 20 ] && [ "$(bestat 51824 wr_req)" = 0 ]; do
		sleep 1
		i=$((i + 1))
	done
	sleep 1
	w0=$(bestat 51824 wr_req) s0=$(bestat 51824 wr_sect)
	say "xvdh: blkback holds $w0 write requests ($s0 of $((mib * 2048)) sectors) at the save"
	[ "$w0" -gt 0 ] || return 1
	if [ $mib = 16 ]; then
		[ "$s0" -lt $((mib * 2048)) ] || { say "no write was held back in the domU"; return 1; }
		domu 10 'mount -t debugfs debugfs /sys/kernel/debug 2> /dev/null;
			grep -l STOPPED /sys/kernel/debug/block/xvdh/hctx*/state' | sed 's/^/# domU: stopped: /'
	fi
	for kv in "$@"; do
		case $kv in
		front:*) front_params "${kv#front:}" ;;
		*) backend_params "$kv" ;;
		esac
	done
	save_restore || return 1
	fe=$(fe_dir 51824)
	be=$(be_dir 51824)
	nq=$(xs "$fe/multi-queue-num-queues" 1) order=$(xs "$fe/ring-page-order" 0)
	per=$(xs "$be/feature-persistent" 0)
	say "xvdh after restore: xenstore num-queues $nq, ring-page-order $order, backend persistent $per, indirect $(xs "$be/feature-max-indirect-segments" 0)"
	i=0
	while [ $i -lt 180 ] && ! domu 10 'cat /tmp/aio.log' | grep -q status; do
		sleep 2
		i=$((i + 2))
	done
	show domU domu 10 'cat /tmp/aio.log; dmesg | grep -E "vbd-51824|I/O error" | tail -n 3'
	say "xvdh after restore, domU: $(negotiated xvdh)"
	# read back in dom0, where nothing but blkback wrote to the disk
	domu 10 'cat /tmp/aio.log' | grep -q 'status 0' &&
		show dom0 timeout 200 "$XTEST" verify $SLOW "$seed" 2
	st=$?
	reissued=$(domu 10 'dmesg | grep "vbd-51824: resuming;" | tail -n 1')
	say "${reissued:-no resume line from blkfront}"
	wr=$(bestat 51824 wr_req) ws=$(bestat 51824 wr_sect)
	gw=$(domu 10 'cat /sys/block/xvdh/stat' | awk '{ print $5 }')
	say "after restore: blkback (new connection) $wr write requests, $ws sectors; the domU completed ${gw:-?} write requests"
	# the writes held at the save and those held back in the domU, all
	[ "$ws" = $((mib * 2048)) ] || { say "the new backend did not get all $mib MiB written again"; st=1; }
	if [ $lesser = 1 ]; then
		[ "$nq" = 1 ] && [ "$order" = 0 ] && [ "$per" = 0 ] ||
			{ say "the connection after restore is not the lesser one"; st=1; }
		# 4096 sectors in slots of at most 88 need at least 47 of them
		[ "$wr" -ge 47 ] && [ "$wr" -gt "${gw:-0}" ] ||
			{ say "no sign of split requests"; st=1; }
	fi
	"$XL" block-detach "$DOMU" xvdh
	[ $st -eq 0 ] && echo "$reissued" | grep -q 'resuming; [1-9]'
}

# A disk whose logical sector size changes across save/restore (its loop
# device in dom0 set up again with 4 KiB sectors) cannot reconnect.  A writer
# busy on it at the save must then stop with an error, new I/O must fail
# (not sit in D state behind a queue left quiesced), and the disk must detach.
t_reconnect_fail() {
	L=$(newdisk xvdg 32) || return 1
	"$XL" block-attach "$DOMU" "phy:$L,xvdg,w" || return 1
	wait_dev xvdg present 60 || return 1
	domu 10 "(n=0; while :; do xtest write /dev/xvdg 98 16 > /dev/null 2>&1 || { st=\$?; break; }
		n=\$((n + 1)); done; echo \"\$n passes, then status \$st\" > /tmp/bg.log) > /dev/null 2>&1 &"
	wait_moving 51808 20 || { say "blkback never saw the writer write"; return 1; }
	rm -f $SAVE
	timeout 300 "$XL" save "$DOMU" $SAVE > /dev/null || { say "xl save failed"; rm -f $SAVE; return 1; }
	/sbin/losetup -d "$L"
	/sbin/losetup -b 4096 "$L" "$IMG/xvdg.img" || { say "losetup -b 4096 failed"; return 1; }
	say "$L now has $(cat /sys/block/${L#/dev/}/queue/logical_block_size)-byte sectors"
	timeout 300 "$XL" restore $SAVE > /dev/null || { say "xl restore failed"; rm -f $SAVE; return 1; }
	rm -f $SAVE
	wait_agent || return 1
	domu 70 'i=0; while [ $i -lt 60 ] && ! [ -s /tmp/bg.log ]; do sleep 1; i=$((i + 1)); done; cat /tmp/bg.log; rm -f /tmp/bg.log' > /tmp/bg.out
	say "writer on xvdg after restore: $(cat /tmp/bg.out)"
	st=0
	grep -q 'then status [1-9]' /tmp/bg.out || { say "the writer did not stop with an error within 60 s"; st=1; }
	out=$(domu 40 'timeout 30 xtest verify /dev/xvdg 98 1; echo status $?')
	echo "$out" | sed 's/^/# domU: /'
	echo "$out" | grep -q 'status [1-9]' && ! echo "$out" | grep -q 'status 143' ||
		{ say "new I/O on xvdg did not fail within 30 s"; st=1; }
	if [ $st -ne 0 ]; then
		domu 30 'ps; echo w > /proc/sysrq-trigger; dmesg | tail -n 40' | sed 's/^/#   /'
	fi
	domu 10 'dmesg | grep -E "vbd-51808" | tail -n 4' | sed 's/^/# dmesg: /'
	say "xenstore: frontend state $(xs "$(fe_dir 51808)/state"), backend state $(xs "$(be_dir 51808)/state")"
	timeout 120 "$XL" block-detach "$DOMU" xvdg > /dev/null 2>&1 || "$XL" block-detach "$DOMU" xvdg -f 2> /dev/null
	wait_dev xvdg absent 60 || { say "xvdg still there"; st=1; }
	/sbin/losetup -d "$L"
	rm -f "$IMG/xvdg.img"
	return $st
}

t_boot;		result $? "blkfront: domU boots with xvda and xvdb, clean log"
t_negotiated;	result $? "blkfront: 2 queues, multi-page ring, indirect, persistent, flush, discard, from dom0's xenstore and blkback"
t_fua;		result $? "blkfront: each O_SYNC write reaches dom0's disk followed by its own flush (block trace)"
t_fsync;	result $? "blkfront: fsync puts a buffered write in dom0's file, as a flush"
t_discard;	result $? "blkfront: blkdiscard punches exactly its hole in dom0's sparse file"
t_from_dom0;	result $? "blkfront: a pattern dom0 writes is what the domU reads"
t_fio;		result $? "blkfront: fio --verify=crc32c, 4 x $FIO_MIB MiB, seq+rand, 512 B-1 MiB, direct+buffered, = dom0's file"
t_hotplug;	result $? "blkfront: $HP_ROUNDS rounds of block-attach/detach, half during writes, no leak"
t_readonly;	result $? "blkfront: read-only disk refuses writes"
t_resize;	result $? "blkfront: a disk grown in dom0 grows in the domU"
t_4k;		result $? "blkfront: 4 KiB logical sectors"
t_save_fio;	result $? "blkfront: xl save/restore while fio writes on a stalled ring: 0 errors, = dom0's file"
t_save_held 71;	result $? "blkfront: writes held in the backend over save/restore are written again"
t_save_held 73 stalled
result $? "blkfront: the same with more writes waiting on a stopped queue: they go on after restore"
t_save_held 72 lesser feature_persistent=0 max_queues=1 front:max_ring_page_order=0 front:max_indirect_segments=0
result $? "blkfront: the same onto a lesser backend (no persistent, 1 queue, 1 page, no indirect), split"
t_reconnect_fail; result $? "blkfront: a disk that cannot reconnect after restore fails its I/O and detaches"
log_clean 'xvd|blkfront|vbd-'
result $? "blkfront: the domU's whole console log is clean after every test above"
say "blkfront tests: $failed failed"
exit $failed
