#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# migrate.sh - live migration of our domU, run by busybox sh in dom0 of the
# embedded Xen host on a hypervisor with shadow paging (boot.sh --xen
# shadow; scripts/check.sh hands it to boot.sh with a 256 MiB xvdb and fio
# in the domU's initrd).
#
# A migration here is local: `xl migrate -s "" domu "xl migrate-receive"`
# has xl pipe the stream into a receiving xl on the same dom0 instead of
# over ssh (OSSTest's "local migration").  The domain goes live: Xen's
# log-dirty mode (shadow paging, for a PV guest) tracks the pages the domU
# writes while it runs, xl sends them in rounds, then suspends the domU
# (our kernel's suspend path: frontends, xenbus, events, time), sends the
# rest and resumes it as a new domain with a new id, new backends and new
# event channels.  The old domain is destroyed.
#
# What each test proves, judged from dom0:
#   hypervisor   the Xen that runs is the one built here, with shadow
#                paging: the config Xen itself holds (its hypervisor file
#                system, /buildinfo/config) is the build's and has
#                CONFIG_SHADOW_PAGING=y, and `xl info` gives the build's
#                build-id;
#   under I/O    three migrations in a row (make soak: fifty) while fio verifies
#                (crc32c) xvdb and TCP flows each way: before each one
#                blkback and netback are seen moving data, after each one
#                the new domain has a new id, its backends move data again,
#                its agent answers over the network and what it writes to
#                hvc0 reaches dom0's console log; at the end fio found no
#                error, every byte of both streams arrived, and what the
#                domU reads of xvdb is dom0's file;
#   dirty memory a domU writing over 288 MiB of its memory as fast as it
#                can, pass after pass, is migrated, and every word of every
#                pass reads back as written;
#   hot-plugged  a disk and a vif attached after boot come along: xvdc's
#                data and eth1's traffic work on the new domain;
#   log          dom0's copies of the console logs of every domain the
#                domU has been hold no oops, warning, lockup or stall;
#   shutdown     the last domain shuts down and nothing of the old ones is
#                left.
#
# Output: one "TAP: ok - NAME" / "TAP: not ok - NAME" line per test.

. /extra/lib.sh

XLBIN=$XL
IMG=/run/migx
mkdir -p $IMG && mount -t tmpfs -o size=96m tmpfs $IMG
MIGRATIONS=3
# make soak hands in a longer series
[ -f /extra/migrate.env ] && . /extra/migrate.env


# moving: within 2 s blkback moves sectors of xvdb (fio writes, or reads
# to verify) and netback carries traffic both ways on eth0, for the domain
# that is the domU now
io_now() { echo $(($(bestat 51728 wr_sect) + $(bestat 51728 rd_sect))) "$(vifstat 0 rx_bytes)" "$(vifstat 0 tx_bytes)"; }
moving() {
	set -- $(io_now)
	sleep 2
	set -- "$@" $(io_now)
	set -- $(($4 - $1)) $(($5 - $2)) $(($6 - $3))
	say "domain $(domid) in 2 s: blkback moved $1 sectors; netback took $2 bytes, gave $3"
	[ "$1" -gt 0 ] && [ "$2" -gt 65536 ] && [ "$3" -gt 65536 ]
}

# migrate N: one local live migration; the domain must come back under a
# new id, alone, answering on its agent and its console
migrate() {
	_old=$(domid)
	_t=$(date +%s)
	timeout 600 "$XL" migrate -s "" "$DOMU" "exec $XLBIN migrate-receive" > /tmp/mig.out 2>&1
	_st=$?
	_new=$(domid)
	_secs=$(($(date +%s) - _t))
	say "migration $1: domain $_old -> ${_new:-none}, $_secs s, xl status $_st"
	grep -iE 'error|fail|warn' /tmp/mig.out | head -n 5 | sed 's/^/#   xl: /'
	echo "$_secs" >> /tmp/mig.times
	[ $_st -eq 0 ] && [ -n "$_new" ] && [ "$_new" != "$_old" ] ||
		{ sed 's/^/#   /' /tmp/mig.out | tail -n 20; return 1; }
	"$XL" list | awk 'NR > 1 { print $1 }' > /tmp/doms
	[ "$(grep -c . /tmp/doms)" -eq 2 ] && grep -qx "$DOMU" /tmp/doms ||
		{ say "domains after migration $1: $(tr '\n' ' ' < /tmp/doms)"; return 1; }
	wait_domu 60 true || { say "the agent does not answer after migration $1"; return 1; }
	console_reaches "MIGRATION-$1-CONSOLE-OK"
}

# The running hypervisor, asked for its own config and build-id.
t_hypervisor() {
	say "Xen $("$XL" info | awk -F': ' '/^xen_version/ { print $2 }'), flavour $XEN_FLAVOUR"
	"$XTEST" hypfs /buildinfo/config > /tmp/xen.config.gz || return 1
	gunzip -c /tmp/xen.config.gz > /tmp/xen.config || { say "Xen's config is not gzip"; return 1; }
	say "Xen's own config: $(grep -c '^CONFIG_' /tmp/xen.config) options, $(grep -E '^CONFIG_(SHADOW_PAGING|DEBUG)=' /tmp/xen.config | tr '\n' ' ')"
	grep -qx 'CONFIG_SHADOW_PAGING=y' /tmp/xen.config || { say "no shadow paging"; return 1; }
	# the build's .config, less the comment lines at its top
	grep '^CONFIG_' /extra/xen.config > /tmp/a && grep '^CONFIG_' /tmp/xen.config > /tmp/b &&
		cmp -s /tmp/a /tmp/b || { say "Xen's config is not the build's"; return 1; }
	id=$("$XL" info | awk -F': ' '/^build_id/ { print $2 }')
	say "build-id: Xen says $id, the build made $(cat /extra/xen.build-id 2> /dev/null)"
	[ -n "$id" ] && [ "$id" = "$(cat /extra/xen.build-id 2> /dev/null)" ]
}

# fio in the domU, round after round until /tmp/stop: 160 MiB of random
# writes (4 KiB to 512 KiB, 16 deep, O_DIRECT) then their verification,
# each round's status and terse line in /tmp/migfio.log
FIO='fio --minimal --name=mig --filename=/dev/xvdb --size=160m --rw=randwrite'
FIO="$FIO --bssplit=4k/30:64k/40:512k/30 --ioengine=libaio --iodepth=16 --direct=1"
FIO="$FIO --verify=crc32c --do_verify=1 --verify_fatal=1"

t_under_io() {
	: > /tmp/mig.times
	domu 10 "rm -f /tmp/stop /tmp/migfio.log; (r=0; while [ ! -e /tmp/stop ]; do
		r=\$((r + 1)); $FIO > /tmp/f.out 2>&1; echo \"round \$r status \$?\" >> /tmp/migfio.log
		grep ';' /tmp/f.out >> /tmp/migfio.log; done; echo done >> /tmp/migfio.log) > /dev/null 2>&1 &" ||
		return 1
	# TCP both ways, 2 MiB/s, until SIGUSR1 (the senders run without
	# timeout(1), whose pid would not be theirs)
	timeout $((900 + MIGRATIONS * 150)) "$XTEST" recv 7701 72 0 > /tmp/d0recv.out 2>&1 &
	rp=$!
	domu 10 "(xtest recv 7700 71 0 > /tmp/mrecv.log 2>&1; echo status \$? >> /tmp/mrecv.log) > /dev/null 2>&1 &
		(xtest send $DOM0_IP 7701 72 0 2 > /tmp/msend.log 2>&1 & echo \$! > /tmp/msend.pid
		wait \$!; echo status \$? >> /tmp/msend.log) > /dev/null 2>&1 &" || return 1
	sleep 1
	"$XTEST" send "$DOMU_IP" 7700 71 0 2 > /tmp/d0send.out 2>&1 &
	sp=$!
	st=0
	n=1
	while [ $n -le "$MIGRATIONS" ]; do
		_i=0
		until moving > /tmp/mv.out; do
			_i=$((_i + 1))
			[ $_i -lt 10 ] || break
		done
		cat /tmp/mv.out
		if [ $_i -ge 10 ]; then
			say "before migration $n: I/O was not moving"
			st=1
			break
		fi
		migrate $n || { st=1; break; }
		_i=0
		until moving > /tmp/mv.out; do
			_i=$((_i + 1))
			[ $_i -lt 15 ] || break
		done
		sed 's/^# /# after: /' /tmp/mv.out
		if [ $_i -ge 15 ]; then
			say "after migration $n: I/O did not resume"
			kill -0 $rp 2> /dev/null || say "dom0's TCP receiver had already ended"
			st=1
			break
		fi
		n=$((n + 1))
	done
	say "migration times (s): $(tr '\n' ' ' < /tmp/mig.times)"
	# stop: the streams end at a MiB boundary, fio after its round
	domu 10 'touch /tmp/stop; kill -USR1 $(cat /tmp/msend.pid)'
	kill -USR1 $sp 2> /dev/null
	wait $sp
	sst=$?
	wait $rp
	rst=$?
	sed 's/^/# dom0: /' /tmp/d0send.out /tmp/d0recv.out
	wait_domu 600 'grep -q "^done" /tmp/migfio.log' || { say "fio did not end"; st=1; }
	wait_domu 60 'grep -q "^status" /tmp/mrecv.log && grep -q "^status" /tmp/msend.log' ||
		{ say "the domU's streams did not end"; st=1; }
	domu 30 'cat /tmp/mrecv.log /tmp/msend.log' | sed 's/^/# domU: /'
	domu 30 'cat /tmp/migfio.log' > /tmp/migfio.out
	awk -F';' 'NF > 50 { n++; e += $5; w += $47; r += $6 }
		END { printf "# fio: %d rounds, errors %d, wrote %d KiB, verified %d KiB\n", n, e, w, r }' /tmp/migfio.out
	grep -v ';' /tmp/migfio.out | grep -v 'status 0$' | grep -v '^done' | head -n 10 | sed 's/^/# fio: /'
	[ $st -eq 0 ] && [ $sst -eq 0 ] && [ $rst -eq 0 ] || return 1
	domu 10 'grep -q "^status 0" /tmp/mrecv.log && grep -q "^status 0" /tmp/msend.log' || return 1
	# every round ended 0 with no error, and some verified what they wrote
	grep -q '^round' /tmp/migfio.out && ! grep '^round' /tmp/migfio.out | grep -qv 'status 0$' &&
		awk -F';' 'NF > 50 { n++; if ($5 != 0) bad = 1; r += $6 } END { exit bad || !n || !r }' \
			/tmp/migfio.out || return 1
	# what the domU reads of xvdb now is dom0's file, byte for byte
	g=$(domu 300 'echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/xvdb bs=1M count=160 2> /dev/null | xtest sha256')
	d=$(dd if="$DISK2_FILE" bs=1M count=160 2> /dev/null | "$XTEST" sha256)
	say "xvdb's first 160 MiB: domU reads ${g%% *}, dom0's file holds ${d%% *}"
	[ -n "$g" ] && [ "${g%% *}" = "${d%% *}" ]
}

# A domU dirtying memory as fast as it can; the migration must still end
# (xl's rounds give up and stop the domain for the rest), and no pass may
# find a word it did not write.
t_dirty() {
	domu 10 '(xtest dirty 288 900 > /tmp/dirty.log 2>&1 & echo $! > /tmp/dirty.pid
		wait $!; echo status $? >> /tmp/dirty.log) > /dev/null 2>&1 &' || return 1
	wait_domu 60 'grep -q "pass 1 " /tmp/dirty.log' || { say "the dirtier never finished a pass"; return 1; }
	p0=$(domu 10 'grep -c "^xtest: dirty: pass" /tmp/dirty.log')
	sleep 3
	p1=$(domu 10 'grep -c "^xtest: dirty: pass" /tmp/dirty.log')
	say "passes before the migration: $p0, 3 s later $p1"
	[ "$p1" -gt "$p0" ] || { say "the dirtier is not running"; return 1; }
	migrate dirty || return 1
	p2=$(domu 10 'grep -c "^xtest: dirty: pass" /tmp/dirty.log')
	wait_domu 120 "[ \$(grep -c '^xtest: dirty: pass' /tmp/dirty.log) -ge $((p2 + 2)) ]" ||
		{ say "the dirtier did not go on after the migration"; return 1; }
	say "passes: $p2 right after the migration, two more since"
	domu 10 'kill -USR1 $(cat /tmp/dirty.pid)'
	wait_domu 120 'grep -q "^status" /tmp/dirty.log' || { say "the dirtier did not end"; return 1; }
	domu 10 'tail -n 2 /tmp/dirty.log' | sed 's/^/# domU: /'
	domu 10 'grep -q "^status 0" /tmp/dirty.log'
}

# A disk and a vif hot-plugged before the migration come along.
t_hotplugged() {
	truncate -s 64M $IMG/xvdc.img && L=$(/sbin/losetup -f --show $IMG/xvdc.img) || return 1
	"$XL" block-attach "$DOMU" "phy:$L,xvdc,w" || { say "block-attach failed"; return 1; }
	ip addr add 10.0.1.1/24 dev xenbr0
	"$XL" network-attach "$DOMU" bridge=xenbr0 mac=00:16:3e:00:00:05 || { say "network-attach failed"; return 1; }
	wait_domu 60 '[ -b /dev/xvdc ] && [ -e /sys/class/net/eth1 ]' || { say "xvdc or eth1 never appeared"; return 1; }
	domu 60 'ip addr add 10.0.1.2/24 dev eth1 && ip link set eth1 up' || return 1
	wait_domu 30 'ping -c 1 -W 2 10.0.1.1' || { say "eth1 does not ping before"; return 1; }
	domu 120 'xtest write /dev/xvdc 81 48' | sed 's/^/# domU: /'
	migrate hotplug || return 1
	"$XL" block-list "$DOMU" | sed 's/^/# /'
	"$XL" network-list "$DOMU" | sed 's/^/# /'
	[ -d "/sys/bus/xen-backend/devices/vbd-$(domid)-51744" ] &&
		[ -d "/sys/class/net/vif$(domid).1" ] || { say "no backend for xvdc or eth1 of the new domain"; return 1; }
	domu 120 'xtest verify /dev/xvdc 81 48' > /tmp/v.out 2>&1 || { sed 's/^/# domU: /' /tmp/v.out; return 1; }
	sed 's/^/# domU: /' /tmp/v.out
	"$XTEST" verify $IMG/xvdc.img 81 48 > /tmp/v.out 2>&1
	_st=$?
	sed 's/^/# dom0: /' /tmp/v.out
	[ $_st -eq 0 ] || return 1
	domu 120 'xtest write /dev/xvdc 82 16 > /dev/null' || { say "xvdc cannot be written after"; return 1; }
	"$XTEST" verify $IMG/xvdc.img 82 16 > /tmp/v.out || { cat /tmp/v.out; return 1; }
	say "xvdc written after the migration: dom0's file holds it"
	wait_domu 30 'ping -c 1 -W 2 10.0.1.1' || { say "eth1 does not ping after"; return 1; }
	rx0=$(vifstat 1 rx_bytes)
	timeout 300 "$XTEST" recv 7710 83 16 > /tmp/recv.out 2>&1 &
	rpid=$!
	domu 300 "xtest send 10.0.1.1 7710 83 16" | sed 's/^/# domU: /'
	wait $rpid || { sed 's/^/# dom0: /' /tmp/recv.out; return 1; }
	sed 's/^/# dom0: /' /tmp/recv.out
	rx=$(($(vifstat 1 rx_bytes) - rx0))
	say "netback's vif$(domid).1 took $rx bytes from the new domain's eth1"
	[ "$rx" -gt 16777216 ] || return 1
	"$XL" network-detach "$DOMU" 00:16:3e:00:00:05 && "$XL" block-detach "$DOMU" xvdc ||
		{ say "detach after migration failed"; return 1; }
	ip addr del 10.0.1.1/24 dev xenbr0
	wait_domu 30 '[ ! -b /dev/xvdc ] && [ ! -e /sys/class/net/eth1 ]' || return 1
	/sbin/losetup -d "$L"
}

t_log_clean() {
	all_console > /tmp/console-all.log
	CONSOLE_LOG=/tmp/console-all.log log_clean 'suspend|resum|migrat|connected'
}

t_shutdown() {
	timeout 120 "$XL" shutdown -w "$DOMU" || { say "xl shutdown -w failed"; return 1; }
	i=0
	while [ "$("$XL" list | wc -l)" -gt 2 ]; do
		[ $i -lt 30 ] || { "$XL" list | sed 's/^/# /'; return 1; }
		sleep 1
		i=$((i + 1))
	done
}

wait_init || { say "the domU never reached init"; }
wait_domu 120 true

t_hypervisor;	result $? "Xen here is the build from Debian's source: its own config has shadow paging, its build-id"
t_under_io;	result $? "$MIGRATIONS live migrations while fio verifies xvdb and TCP flows both ways: 0 errors, every byte"
t_dirty;	result $? "migration of a domU dirtying 288 MiB of memory as fast as it can: every word intact"
t_hotplugged;	result $? "a hot-plugged disk and vif work after migration, their data intact"
t_log_clean;	result $? "the console logs of every domain the domU has been are clean"
t_shutdown;	result $? "the migrated domU shuts down, no domain left behind"
exit $failed
