#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# blkfront.sh - the tests of drivers/block/xen-blkfront.c, run by busybox sh
# in dom0 of the embedded Xen host (scripts/check.sh hands it to
# scripts/xen-host/boot.sh --driver, with a 320 MiB xvdb and fio in the
# domU's initrd).
#
# What each test proves, seen from dom0 wherever it can be:
#   negotiation  /sys/block/xvda/xen/ says what was agreed with blkback;
#   fsync        a buffered write is not in dom0's backing file until the
#                domU fsyncs, and is there when fsync returns, carried by a
#                flush (blkback's f_req counter moves);
#   discard      blkdiscard of a written range punches a hole in dom0's
#                sparse backing file, and the range reads back as zeroes;
#   fio          1 GiB through fio --verify=crc32c: sequential and random,
#                512 B to 1 MiB blocks, O_DIRECT and buffered;
#   hot-plug     10 rounds of xl block-attach, I/O, xl block-detach (every
#                other round while a write runs), then no leak;
#   ro, resize, 4 KiB sectors: the disk properties blkback publishes;
#   save/restore while fio verifies, and with writes held inside the
#                backend (a slow null_blk disk in dom0), which must be
#                reissued after restore; then again onto a lesser backend
#                (no persistent grants, one queue, one-page ring, no
#                indirect segments), which splits the reissued requests.
#
# Output: one "TAP: ok - NAME" / "TAP: not ok - NAME" line per test.

. /extra/lib.sh

IMG=/run/blkx
SAVE=/var/lib/xen/domu.save
mkdir -p $IMG && mount -t tmpfs -o size=240m tmpfs $IMG

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
# blkback's counter FILE for the domU's vbd DEVID
bestat() {
	cat "/sys/bus/xen-backend/devices/vbd-$($XL domid "$DOMU")-$1/statistics/$2" 2>/dev/null || echo 0
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
save_restore() {
	rm -f $SAVE
	timeout 300 "$XL" save "$DOMU" $SAVE > /dev/null || { say "xl save failed"; return 1; }
	timeout 300 "$XL" restore $SAVE > /dev/null || { say "xl restore failed"; return 1; }
	rm -f $SAVE
}

t_boot() {
	wait_init || { say "the domU never reached init"; return 1; }
	domu 30 'dmesg | grep -E "xen[-_]blkfront|vbd-|xvd"' | sed 's/^/# dmesg: /'
	log_clean 'xvd|blkfront'
}

t_negotiated() {
	for d in xvda xvdb; do
		n=$(negotiated $d) || return 1
		say "$d: $n"
	done
	n=$(negotiated xvda)
	q=$(domu 10 'ls /sys/block/xvda/mq | wc -l')
	say "xvda: $q blk-mq hardware queues"
	# blkback offers all of these; each must have been taken up
	echo "$n" | grep -q 'queues=2 ' && [ "$q" = 2 ] &&
		echo "$n" | grep -q 'persistent_grants=1 ' &&
		echo "$n" | grep -qE 'indirect_segments=[1-9]' &&
		echo "$n" | grep -qE 'flush=(flush-cache|barrier) ' &&
		echo "$n" | grep -qE 'discard=(yes|secure) ' &&
		echo "$n" | grep -qE 'ring_pages=[2-9]'
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
	[ $((b0 - b1)) -ge 65536 ] && [ "$d1" -gt "$d0" ]
}

# 4 x 256 MiB on xvdb, one job after another, each written and verified
t_fio() {
	domu 900 'fio --minimal --filename=/dev/xvdb --size=256m --verify=crc32c \
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
	[ $st -eq 0 ] && [ "$jobs" -eq 4 ]
}

meminfo() { domu 30 'sync; echo 3 > /proc/sys/vm/drop_caches; grep MemAvailable /proc/meminfo' | awk '{ print $2 }'; }

# block-attach, use, block-detach; even rounds detach while a writer loops
# on the disk (it must then stop with an error, not hang).  Leaks are
# measured from the end of round 1, once the first disk's one-time
# allocations are made.
t_hotplug() {
	r=1
	while [ $r -le 10 ]; do
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
			sleep 2
			how="during writes"
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
			say "round $r, writer on the unplugged disk: $(cat /tmp/bg.out)"
		fi
		dropdisk "$L" xvdc
		[ $r -eq 1 ] && m0=$(meminfo) && i0=$(domu 10 'grep -c xen-dyn /proc/interrupts')
		r=$((r + 1))
	done
	m1=$(meminfo)
	i1=$(domu 10 'grep -c xen-dyn /proc/interrupts')
	say "rounds 2-10: domU MemAvailable $m0 -> $m1 KiB, event channel irqs $i0 -> $i1"
	left=$(ls /sys/bus/xen-backend/devices | grep -c -- '-51744$')
	[ "$left" -eq 0 ] || { say "blkback still has $left xvdc devices"; return 1; }
	log_clean 'xvd|blkfront' || return 1
	[ "$i1" -le "$i0" ] && [ $((m0 - m1)) -lt 2048 ]
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

# xl save + restore while fio writes and verifies xvdb
t_save_fio() {
	domu 10 '(fio --minimal --filename=/dev/xvdb --size=192m --verify=crc32c \
		--verify_fatal=1 --ioengine=libaio --iodepth=16 --direct=1 \
		--name=sr --rw=randwrite --bsrange=4k-512k > /tmp/srfio.log 2>&1;
		echo status $? >> /tmp/srfio.log) > /dev/null 2>&1 &' || return 1
	sleep 4
	save_restore || return 1
	i=0
	while [ $i -lt 600 ] && ! domu 10 'cat /tmp/srfio.log' | grep -q '^status'; do
		sleep 3
		i=$((i + 3))
	done
	domu 10 'cat /tmp/srfio.log' > /tmp/srfio.out
	awk -F';' 'NF > 50 { printf "# fio across save/restore: error %s, wrote %s KiB, verified %s KiB\n", $5, $47, $6 }' /tmp/srfio.out
	grep -v ';' /tmp/srfio.out | sed 's/^/# domU: /'
	domu 10 'dmesg | grep -E "I/O error|blkfront" | tail -n 5' | sed 's/^/# dmesg: /'
	grep -q '^status 0' /tmp/srfio.out && awk -F';' 'NF > 50 && $5 == 0 { ok = 1 } END { exit !ok }' /tmp/srfio.out
}

# Writes held inside the backend across save/restore: xvdh is a null_blk
# disk in dom0 that completes each request 12 s late, the domU writes 2 MiB
# to it with native AIO (tests/boot/aiowrite.c), whose sleep in
# io_getevents lets the freezer stop it with the writes still in blkback.
# After restore blkfront must issue them again.  PARAMS: the backend (and
# with front: the frontend) parameters for the connection after restore.
t_save_held() { # SEED PARAMS...
	seed=$1
	shift
	# loaded once: probing a new slow disk's partition table takes minutes
	if ! [ -b /dev/nullb0 ]; then
		modprobe null_blk nr_devices=1 gb=1 memory_backed=1 irqmode=2 \
			completion_nsec=12000000000 || return 1
		echo 120000 > /sys/block/nullb0/queue/io_timeout
	fi
	"$XL" block-attach "$DOMU" "phy:/dev/nullb0,xvdh,w" || return 1
	wait_dev xvdh present 120 || return 1
	domu 10 "xtest gen $seed 2 > /tmp/p$seed;
		(aiowrite /dev/xvdh /tmp/p$seed > /tmp/aio.log 2>&1; echo status \$? >> /tmp/aio.log) > /dev/null 2>&1 &"
	sleep 3
	for kv in "$@"; do
		case $kv in
		front:*) front_params "${kv#front:}" ;;
		*) backend_params "$kv" ;;
		esac
	done
	save_restore || return 1
	i=0
	while [ $i -lt 120 ] && ! domu 10 'cat /tmp/aio.log' | grep -q status; do
		sleep 2
		i=$((i + 2))
	done
	show domU domu 10 'cat /tmp/aio.log; dmesg | grep -E "vbd-51824|I/O error" | tail -n 3'
	say "xvdh after restore: $(negotiated xvdh)"
	# read back in dom0 only: every read of xvdh waits the 12 s too
	domu 10 'cat /tmp/aio.log' | grep -q 'status 0' &&
		show dom0 timeout 200 "$XTEST" verify /dev/nullb0 "$seed" 2
	st=$?
	reissued=$(domu 10 'dmesg | grep "vbd-51824: resuming;" | tail -n 1')
	say "${reissued:-no resume line from blkfront}"
	"$XL" block-detach "$DOMU" xvdh
	[ $st -eq 0 ] && echo "$reissued" | grep -q 'resuming; [1-9]'
}

t_boot;		result $? "blkfront: domU boots with xvda and xvdb, clean log"
t_negotiated;	result $? "blkfront: 2 queues, multi-page ring, indirect, persistent, flush, discard negotiated"
t_fsync;	result $? "blkfront: fsync puts a buffered write in dom0's file, as a flush"
t_discard;	result $? "blkfront: blkdiscard punches a hole in dom0's sparse file"
t_fio;		result $? "blkfront: fio --verify=crc32c over 1 GiB, seq+rand, 512 B-1 MiB, direct+buffered"
t_hotplug;	result $? "blkfront: 10 rounds of block-attach/detach, 5 during writes, no leak"
t_readonly;	result $? "blkfront: read-only disk refuses writes"
t_resize;	result $? "blkfront: a disk grown in dom0 grows in the domU"
t_4k;		result $? "blkfront: 4 KiB logical sectors"
t_save_fio;	result $? "blkfront: xl save/restore while fio verifies: 0 errors"
t_save_held 71;	result $? "blkfront: writes held in the backend over save/restore are reissued"
t_save_held 72 feature_persistent=0 max_queues=1 front:max_ring_page_order=0 front:max_indirect_segments=0
result $? "blkfront: the same onto a lesser backend (no persistent, 1 queue, 1 page, no indirect)"
say "blkfront tests: $failed failed"
exit $failed
