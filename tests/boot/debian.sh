# SPDX-License-Identifier: GPL-2.0
#
# debian.sh - dom0 driver: a real Debian 12 domU.  The domU's disk is the
# image scripts/debian-image.sh made (our linux-image package installed with
# dpkg -i, Debian's own kernel beside it), its "kernel" is PVGRUB2, which
# reads the image's /boot/grub/grub.cfg.  boot.sh runs this with --image
# (xvda is QEMU's virtio disk /dev/vda in dom0, a throw-away snapshot) and
# --no-create: the driver picks the kernel, creates the domain, and follows
# it through save, restore, reboot and shutdown.
#
# For each kernel K in DEBIAN_KERNELS (from /extra/debian.env: xenport, ours,
# and debian, Debian's, the control, whose failures are not ours):
#
#   pick     dom0 writes domu_kernel=K into /boot/grub/grubenv on the disk
#            (debugfs), which grub.cfg reads; the domain does not exist then
#   boot     xl create; PVGRUB2 reads grub.cfg and boots K's kernel; the
#            console reaches "debian-domu login:" (time printed: the bench
#            has its own row for it)
#   login    root logs in on hvc0 through `xl console` on a pseudo-terminal
#            (ptyexpect's dialogue: login:, Password:, the shell prompt),
#            and every command typed answers; the answers that matter are
#            written with xenstore-write under the domain's data/t/ and read
#            here by dom0, so the guest's words are checked, not trusted
#   systemd  systemctl is-system-running --wait says "running" and no unit
#            failed
#   rootfs   / is /dev/xvda, ext4, mounted read-write (blkback's counters
#            show sectors read and written); /dev/xvda exists and
#            is the only xvd node (udev made it); /sys/hypervisor/type: xen
#   udev     the xen bus devices' modaliases are xen:vbd and xen:vif, kmod
#            resolves them to xen_blkfront and xen_netfront (built in, for
#            ours), udev loaded no module beyond the expected ones, and
#            kmod's indexes from the package name the frontends (built in
#            for ours, .ko files for Debian's)
#   network  eth0 is UP with 10.0.0.2/24 from /etc/network/interfaces, the
#            guest pings dom0 and dom0 pings the guest, netback counted both
#   xenstore xenstore-read (xenstore-utils) in the guest read the domain's
#            name, which dom0 compares with its own
#   klog     no line of the whole console (boot included) matches LOG_BAD
#            or a systemd [FAILED]; the guest's journalctl -k has no
#            warning or worse (for Debian's kernel, whose own messages are
#            not ours to judge, its warnings are listed)
#   save     xl save + xl restore with systemd running; the same boot
#            (boot_id) logs in again and pings dom0
#   reboot   xl reboot: a new domain, PVGRUB2 again, a new boot_id, login;
#            journalctl -b -1 shows the boot before reached the reboot
#            targets
#   shutdown xl shutdown: systemd powers off (System Power Off reached on
#            the console), the domain goes, and e2fsck -fn of xvda in dom0
#            finds the file system clean
#
# When more kernels follow, the next one's journalctl -b -1 checks that the
# previous kernel's poweroff reached its targets too.

. /extra/lib.sh
[ -f /extra/debian.env ] && . /extra/debian.env
DEBIAN_KERNELS=${DEBIAN_KERNELS:-xenport}
PTY=/extra/ptyexpect
XS=/usr/bin/xenstore-read
PROMPT="debian-domu login:"
DATA=/tmp/debian-data
mkdir -p $DATA

# a failure shows the end of every console log of the domU, not just the
# current domain's
more_tails() {
	echo "# --- the last console lines (all domains) ---"
	all_console | tail -n 30 | sed 's/^/#   /'
}

sed -i -e 's/^on_crash = .*/on_crash = "preserve"/' "$DOMU_CFG"
grep -q '^on_reboot' "$DOMU_CFG" || echo 'on_reboot = "restart"' >> "$DOMU_CFG"

now() { cut -d' ' -f1 /proc/uptime; }
secs_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
count() { all_console | grep -c "$1"; }

# the guest's answers: data/t/KEY of the running domain
val() { $XS "/local/domain/$(domid)/data/t/$1" 2>/dev/null; }

# pick K: the next boot of PVGRUB2 takes grub.cfg's entry K
pick() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	printf '# GRUB Environment Block\ndomu_kernel=%s\n' "$1" > /tmp/grubenv
	_sz=$(wc -c < /tmp/grubenv)
	dd if=/dev/zero bs=1 count=$((1024 - _sz)) 2>/dev/null | tr '\0' '#' >> /tmp/grubenv
	debugfs -w -R "rm /boot/grub/grubenv" "$DISK_FILE" > /tmp/debugfs.out 2>&1
	debugfs -w -R "write /tmp/grubenv /boot/grub/grubenv" "$DISK_FILE" >> /tmp/debugfs.out 2>&1
	# debugfs leaves its writes dirty in dom0's page cache of the disk,
	# where blkback (which reads the device itself) would never see them
	sync
	echo 3 > /proc/sys/vm/drop_caches
	debugfs -R "cat /boot/grub/grubenv" "$DISK_FILE" 2>/dev/null | grep -q "^domu_kernel=$1\$" ||
		{ sed 's/^/# debugfs: /' /tmp/debugfs.out; return 1; }
}

# wait_for TEXT N SECONDS: until the console logs hold N lines with TEXT
wait_for() {
	_i=0
	while [ "$(count "$1")" -lt "$2" ]; do
		[ $_i -lt "$3" ] || return 1
		sleep 1
		_i=$((_i + 1))
	done
}

# session NAME LINE...: log in as root on hvc0 through `xl console` (on a
# pty), type each LINE once the one before has answered, and log out.
# Each LINE is followed by "; echo NAME-I-$((6 * 7))" and done when
# "NAME-I-42" comes back (computed in the guest: the echo of what was typed
# cannot pass).  The login prompt is back at the end (after exit).
session() {
	_n=$1
	shift
	_steps=/tmp/session.$_n
	: > $_steps
	_i=0
	for _l in "$@"; do
		_i=$((_i + 1))
		printf '%s\n%s\n' "$_l; echo $_n-$_i-\$((6 * 7))" "$_n-$_i-42" >> $_steps
	done
	# the dialogue's arguments, one per line of $_steps
	set -- "" "login:" root "Password:" xen ":~#"
	while IFS= read -r _a; do
		set -- "$@" "$_a"
	done < $_steps
	set -- "$@" exit "login:"
	"$PTY" 400 "$@" -- "$XL" console -t pv "$DOMU" > /tmp/pty.$_n 2>&1
	_st=$?
	grep -E 'step|seen' /tmp/pty.$_n | sed 's/^/# /'
	[ $_st -eq 0 ] || sed 's/^/# /' /tmp/pty.$_n | tail -n 30
	return $_st
}

# The commands typed after login: each writes what it found to xenstore.
W='w() { xenstore-write "data/t/$1" "$2"; }'
L_ID='w name "$(xenstore-read name)"; w uname "$(uname -r)"; w bootid "$(cat /proc/sys/kernel/random/boot_id)"'
L_SYSTEMD='w sysrun "$(systemctl is-system-running --wait)"; w failed "$(systemctl list-units --failed --plain --no-legend | cut -d" " -f1 | tr "\n" " ")"'
L_ROOT='w root "$(findmnt -rno SOURCE,FSTYPE,OPTIONS /)"; w xvd "$(ls /dev/xvd* | tr "\n" " ")"; w virt "$(cat /sys/hypervisor/type) $(systemd-detect-virt)"'
L_UDEV='w modalias "$(cat /sys/bus/xen/devices/*/modalias | sort | tr "\n" " ")"; w resolve "$(for a in xen:vbd xen:vif; do modprobe -R $a; done | tr "\n" " ")"; w modules "$(lsmod | tail -n +2 | cut -d" " -f1 | sort | tr "\n" " ")"; w moddeps "$(for m in xen-blkfront xen-netfront; do modprobe -D $m; done | sed "s|.*/||" | tr "\n" " ")"'
L_NET='w addr "$(ip -4 -br addr show dev eth0)"; ping -c 3 -W 5 10.0.0.1 > /dev/null; w ping $?'
L_KLOG='w kwarn "$(journalctl -k -p warning -o cat --no-pager | head -n 20 | tr "\n" "|")"'
L_PREV='w prev "$(journalctl -b -1 -o cat --no-pager | grep -E "^(Reached target|Finished) .*(Reboot|Power Off|Shutdown)" | sort -u | tr "\n" "|")"'

# modules udev may load for a kernel: none for ours (xen_defconfig builds
# the frontends in); Debian's loads its frontends and what they need
expected_modules() {
	case $1 in
	xenport) echo "" ;;
	*) echo "ANY" ;;
	esac
}

# --- one kernel: every step ---------------------------------------------------
one_kernel() {
	K=$1
	case $K in
	xenport) KVER_RE='-xenport' ;;
	debian) KVER_RE='-amd64' ;;
	*) KVER_RE="$K" ;;
	esac

	pick "$K"
	result $? "$K: grubenv on xvda names the kernel PVGRUB2 is to boot (dom0 writes it with debugfs)"

	logins=$(count "$PROMPT")
	grubs=$(count 'Reading (.*)/boot/grub/grub.cfg')
	picks=$(count "grubenv picks $K")
	t0=$(now)
	st=1
	if "$XL" create "$DOMU_CFG" > /tmp/create.out 2>&1; then
		wait_for "$PROMPT" $((logins + 1)) 900 && st=0
	else
		sed 's/^/# /' /tmp/create.out
	fi
	took=$(secs_since "$t0")
	say "debian: $K: xl create to the login prompt in $took s"
	echo "BENCH-DEBIAN: $K login_s $took"
	all_console | grep -E 'Reading \(|grubenv picks|Loading Linux|Linux version' | tail -n 4 |
		cut -c1-160 | sed 's/^/# /'
	[ $st -eq 0 ] && [ "$(count 'Reading (.*)/boot/grub/grub.cfg')" -gt "$grubs" ] &&
		[ "$(count "grubenv picks $K")" -gt "$picks" ] &&
		all_console | grep 'Linux version' | tail -n 1 | grep -q -- "$KVER_RE" || st=1
	if [ $st -ne 0 ]; then
		ls -l "$CONS_DIR" | sed 's/^/# /'
		all_console | grep -naE 'Reading \(|grubenv picks|Loading Linux|Linux version|login:' | tail -n 12 |
			cut -c1-160 | sed 's/^/# console: /'
	fi
	result $st "$K: xl create, PVGRUB2 reads the image's grub.cfg and grubenv and boots that kernel to the login prompt on hvc0"
	[ $st -eq 0 ] || return 1

	session boot "$W" "$L_ID" "$L_SYSTEMD" "$L_ROOT" "$L_UDEV" "$L_NET" "$L_KLOG" "$L_PREV"
	st=$?
	for k in name uname bootid sysrun failed root xvd virt modalias resolve modules moddeps addr ping kwarn prev; do
		val $k > $DATA/$K.$k
		say "guest: $k = '$(cat $DATA/$K.$k)'"
	done
	[ $st -eq 0 ] && [ "$(cat $DATA/$K.name)" = "$DOMU" ] &&
		grep -q -- "$KVER_RE" $DATA/$K.uname
	result $? "$K: root logs in on hvc0 through xl console (a pty), typed commands answer, xenstore-read in the guest reads the domain's name"

	[ "$(cat $DATA/$K.sysrun)" = running ] && [ -z "$(cat $DATA/$K.failed)" ]
	result $? "$K: systemd reached multi-user.target: is-system-running says running, no failed unit"

	case "$(cat $DATA/$K.root)" in
	"/dev/xvda ext4 rw,"*) st=0 ;;
	*) st=1 ;;
	esac
	[ "$(cat $DATA/$K.xvd)" = "/dev/xvda " ] || st=1
	# and blkback served it: sectors read and written on xvda (51712)
	rd=$(num "$(bestat 51712 rd_sect)")
	wr=$(num "$(bestat 51712 wr_sect)")
	say "blkback vbd-$(domid)-51712: rd_sect $rd, wr_sect $wr"
	[ "$rd" -gt 0 ] && [ "$wr" -gt 0 ] || st=1
	# systemd-detect-virt (printed above) believes CPUID first, which a PV
	# guest under TCG reads from the outer QEMU: /sys/hypervisor is ours
	case "$(cat $DATA/$K.virt)" in
	"xen "*) ;;
	*) st=1 ;;
	esac
	result $st "$K: / is /dev/xvda, ext4, read-write, blkback counted its reads and writes; udev made /dev/xvda; /sys/hypervisor/type says xen"

	st=0
	[ "$(cat $DATA/$K.modalias)" = "xen:vbd xen:vif " ] || st=1
	[ "$(cat $DATA/$K.resolve)" = "xen_blkfront xen_netfront " ] || st=1
	exp=$(expected_modules "$K")
	[ "$exp" = ANY ] || [ "$(cat $DATA/$K.modules)" = "$exp" ] || st=1
	# the package's module indexes are installed and depmod'ed: kmod knows
	# the frontends by name, from modules.builtin (ours: no module is
	# built, xenfs and privcmd are out of scope) or as .ko files (Debian's)
	case $K:"$(cat $DATA/$K.moddeps)" in
	xenport:"builtin xen_blkfront builtin xen_netfront ") ;;
	xenport:*) st=1 ;;
	*:*xen?blkfront*xen?netfront*) ;;
	*) st=1 ;;
	esac
	result $st "$K: xen bus modaliases xen:vbd and xen:vif resolve to the frontends; udev loaded nothing unexpected; modprobe -D finds the frontends in the package's module indexes"

	rx0=$(num "$(vifstat 0 rx_packets)")
	ping -c 3 -W 5 "$DOMU_IP" > /tmp/ping.out 2>&1
	st=$?
	tail -n 2 /tmp/ping.out | sed 's/^/# dom0: /'
	rx1=$(num "$(vifstat 0 rx_packets)")
	say "netback vif$(domid).0 rx_packets $rx0 -> $rx1"
	case "$(cat $DATA/$K.addr)" in
	*UP*10.0.0.2/24*) ;;
	*) st=1 ;;
	esac
	[ "$(cat $DATA/$K.ping)" = 0 ] && [ "$rx1" -gt "$rx0" ] || st=1
	result $st "$K: eth0 UP with 10.0.0.2/24 from /etc/network/interfaces; guest pings dom0, dom0 pings guest"

	# save and restore with systemd running
	bootid=$(cat $DATA/$K.bootid)
	st=1
	mkdir -p /run/dsave && mount -t tmpfs -o size=640m tmpfs /run/dsave 2>/dev/null
	if timeout 300 "$XL" save "$DOMU" /run/dsave/domu > /tmp/sr.out 2>&1 &&
		timeout 300 "$XL" restore /run/dsave/domu >> /tmp/sr.out 2>&1; then
		st=0
	fi
	rm -f /run/dsave/domu
	sed 's/^/# /' /tmp/sr.out | tail -n 5
	if [ $st -eq 0 ]; then
		session restored "$W" "$L_ID" "$L_NET"
		st=$?
		say "after restore: bootid '$(val bootid)' (before '$bootid'), ping $(val ping)"
		[ "$(val bootid)" = "$bootid" ] && [ "$(val ping)" = 0 ] || st=1
	fi
	result $st "$K: xl save + xl restore with systemd running; the same boot logs in again and pings dom0"

	# reboot through PVGRUB2
	old=$(domid)
	logins=$(count "$PROMPT")
	grubs=$(count 'Reading (.*)/boot/grub/grub.cfg')
	t0=$(now)
	st=1
	"$XL" reboot "$DOMU" > /tmp/reboot.out 2>&1 && wait_for "$PROMPT" $((logins + 1)) 900 && st=0
	sed 's/^/# /' /tmp/reboot.out
	say "xl reboot: domain $old -> $(domid), login prompt after $(secs_since "$t0") s"
	[ $st -eq 0 ] && [ "$(domid)" != "$old" ] &&
		[ "$(count 'Reading (.*)/boot/grub/grub.cfg')" -gt "$grubs" ] || st=1
	if [ $st -eq 0 ]; then
		session rebooted "$W" "$L_ID" "$L_SYSTEMD" "$L_PREV"
		st=$?
		say "after reboot: bootid '$(val bootid)', is-system-running '$(val sysrun)'"
		say "journalctl -b -1: '$(val prev)'"
		[ "$(val bootid)" != "$bootid" ] && [ -n "$(val bootid)" ] &&
			[ "$(val sysrun)" = running ] || st=1
		case "$(val prev)" in
		*"System Reboot"*) ;;
		*) st=1 ;;
		esac
	fi
	result $st "$K: xl reboot comes back through PVGRUB2 to login (new boot_id); journalctl -b -1 shows the System Reboot target reached"

	# shutdown: a systemd poweroff
	lines=$(all_console | wc -l)
	st=0
	timeout 300 "$XL" shutdown -w "$DOMU" > /tmp/shutdown.out 2>&1 || st=1
	sed 's/^/# /' /tmp/shutdown.out
	gone 60 || st=1
	all_console | tail -n +$((lines + 1)) > /tmp/shutdown.log
	grep -E 'Reached target|Power down|Stopped target' /tmp/shutdown.log | tail -n 6 | sed 's/^/# console: /'
	# the kernel's last words ("reboot: Power down") may die with the
	# domain before xenconsoled reads them: not required
	grep -q 'Reached target.*System Power Off' /tmp/shutdown.log || st=1
	[ $st -eq 0 ] || tail -n 15 /tmp/shutdown.log | sed 's/^/# console: /'
	sync
	echo 3 > /proc/sys/vm/drop_caches
	e2fsck -fn "$DISK_FILE" > /tmp/fsck.out 2>&1 || st=1
	sed 's/^/# e2fsck: /' /tmp/fsck.out | tail -n 4
	result $st "$K: xl shutdown is a systemd poweroff (System Power Off reached, the domain gone); e2fsck -fn of xvda in dom0 is clean"

	# the kernel logs: the whole console, and the guest's own view
	# (Debian's own kernel warns about things of its own at every boot:
	# listed, not held against the control)
	all_console > /tmp/console.$K
	bad=$(console_bad /tmp/console.$K)
	bad2=$(grep -E "\\[FAILED\\]|Failed to start|emergency mode|Give root password" /tmp/console.$K)
	kwarn=$(tr '|' '\n' < $DATA/$K.kwarn | grep -c .)
	say "$K: journalctl -k -p warning: $kwarn line(s)"
	[ -z "$bad" ] && [ -z "$bad2" ] && { [ "$kwarn" -eq 0 ] || [ $K = debian ]; }
	st=$?
	{ echo "$bad"; echo "$bad2"; tr '|' '\n' < $DATA/$K.kwarn; } | grep . | head -n 20 | sed 's/^/# kernel log: /'
	if [ $K = debian ]; then
		result $st "$K: console clean: no line (boot to poweroff) matches LOG_BAD or a failed unit (its journalctl -k warnings listed above)"
	else
		result $st "$K: kernel log clean: no console line (boot to poweroff) matches LOG_BAD or a failed unit; journalctl -k has no warning"
	fi
	return 0
}

# --- bench mode (bench/run.sh): boot-to-login time, ours against baseline ----
# DEBIAN_BENCH_ROUNDS=N: /extra/vmlinuz-baseline (upstream's port, same
# config) goes into the image as /boot/vmlinuz-baseline, grub.cfg's
# "baseline" entry; then a warm-up round 0 and N rounds, the order
# alternating, each kernel booted from xl create to the login prompt and
# shut down; one "BENCH: ROUND base|ours debian_login_s SECONDS" line each
# for bench/report.py.  No test lines.
if [ -n "${DEBIAN_BENCH_ROUNDS:-}" ]; then
	echo 3 > /proc/sys/vm/drop_caches
	debugfs -w -R "write /extra/vmlinuz-baseline /boot/vmlinuz-baseline" "$DISK_FILE" > /tmp/debugfs.out 2>&1
	sync
	echo 3 > /proc/sys/vm/drop_caches
	debugfs -R "stat /boot/vmlinuz-baseline" "$DISK_FILE" 2>/dev/null | grep -q 'Size: [1-9]' ||
		{ say "bench: could not put the baseline into the image"; cat /tmp/debugfs.out; exit 1; }
	r=0
	while [ $r -le "$DEBIAN_BENCH_ROUNDS" ]; do
		order="baseline xenport"
		[ $((r % 2)) -eq 1 ] && order="xenport baseline"
		for K in $order; do
			pick "$K" || { say "bench: grubenv not written"; exit 1; }
			logins=$(count "$PROMPT")
			picks=$(count "grubenv picks $K")
			t0=$(now)
			"$XL" create "$DOMU_CFG" > /dev/null 2>&1 && wait_for "$PROMPT" $((logins + 1)) 900 ||
				{ say "bench: $K did not reach the login prompt"; exit 1; }
			took=$(secs_since "$t0")
			[ "$(count "grubenv picks $K")" -gt "$picks" ] ||
				{ say "bench: PVGRUB2 did not boot $K"; exit 1; }
			name=ours
			[ $K = baseline ] && name=base
			echo "BENCH: $r $name debian_login_s $took"
			timeout 300 "$XL" shutdown -w "$DOMU" > /dev/null 2>&1 || "$XL" destroy "$DOMU"
			gone 60
		done
		r=$((r + 1))
	done
	exit 0
fi

PREV_K=
ran=0
for K in $DEBIAN_KERNELS; do
	[ -n "$PREV_K" ] && say "$K's boot also checks $PREV_K's poweroff in journalctl -b -1"
	one_kernel "$K" && ran=$((ran + 1))
	if [ -n "$PREV_K" ]; then
		case "$(cat $DATA/$K.prev 2>/dev/null)" in
		*"System Power Off"*) st=0 ;;
		*) st=1 ;;
		esac
		result $st "$PREV_K: journalctl -b -1 in the next boot ($K) shows its poweroff reached the System Power Off target"
	fi
	PREV_K=$K
done
[ $ran -eq "$(echo $DEBIAN_KERNELS | wc -w)" ]
result $? "debian: every step ran to the end for each kernel ($DEBIAN_KERNELS)"
exit $failed
