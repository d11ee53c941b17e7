#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - every test of the port, as `make check` runs it (after `make`).
#
# Each test prints one TAP line; the run ends with "N passed, N failed" and
# exits non-zero if anything failed.  In order:
#
#   host checks  the prepared kernel tree holds only our files (byte for
#                byte; none is upstream's own) and the core files patches/
#                changes are the tarball's plus those patches, each patch
#                says why it exists, checkpatch --strict, W=1 and
#                sparse are clean on our own port files, and they share no
#                run of six lines with upstream's port
#                (scripts/cleanroom-check.py);
#   boot tests   our kernel boots as a PV domU under the embedded Xen host
#                (scripts/xen-host/boot.sh) and tests/boot/driver.sh runs in
#                dom0 against it: boot, xvda data, ext4, network,
#                save/restore, shutdown;
#   netfront     a second Xen host run with tests/boot/netfront.sh: 128 MiB
#                of TCP each way at MTU 1500 and 9000, offloads on and off,
#                and eight vif hot-plug cycles, four under load (make soak:
#                512 MiB and twenty);
#   blkfront     a third run, tests/boot/blkfront.sh with fio in the domU:
#                fio with verify (4 x 64 MiB; make soak 4 x 256), fsync,
#                discard, 8 hot-plug rounds (make soak 12), save/restore
#                with I/O in flight and with writes held in dom0;
#   qdisk tests  a fourth run where xvdb is served by QEMU's qdisk
#                (boot.sh --disk2-backend qdisk) instead of blkback, driven by
#                tests/boot/qdisk.sh: backend, negotiation, data, fio,
#                discard, detach/attach, shutdown;
#   migrate      a fifth run, tests/boot/migrate.sh: three local live
#                migrations while fio verifies xvdb and TCP flows both ways,
#                a domU dirtying memory fast, hot-plugged devices;
#   xenbus       a sixth run, tests/boot/xenbus.sh, whose domUs the driver
#                creates itself: xenstore-utils in the domU, 8 x 1000
#                xenstore transactions and an exact watch count over
#                /dev/xen/xenbus, `xl console` through a pty, two save/
#                restore cycles under disk, network and xenstore load,
#                xl sysrq, pause, reboot and shutdown, and a domU with
#                max_grant_frames=2 whose grant table I/O fills;
#   events       a seventh run, tests/boot/events.sh, whose domUs the
#                driver creates: 1, 2 and 4 vCPUs with FIFO and 2-level
#                event channels (the ABI as Xen reports it), disk and TCP
#                data, futex ping-pong and TLB-shootdown IPIs, queue
#                interrupts moved between vCPUs under I/O (Xen's notify
#                vCPU and the domU's counts follow), the clock's rate
#                against dom0's, CLOCK_MONOTONIC across two save/restores
#                and a live migration, the wall clock after each, and
#                steal time;
#   mmu          tests/boot/mmu.sh: domUs of 256 MiB (maxmem 512), 1 GiB
#                and 3 GiB each touch 90 % of their RAM; fork+exec storms
#                and threads racing mmap, mprotect and faults, data checked
#                and no memory lost; xl mem-set down, up to maxmem and
#                back with a pattern intact; save/restores and live
#                migrations during a fork storm; no refused page-table
#                update in Xen's log;
#   smp          tests/boot/smp.sh: a domU of 8 vCPUs on 2 CPUs booted
#                from the bzImage the bare run boots, the domU's and Xen's
#                views of the online vCPUs compared, each vCPU seen running;
#                xl vcpu-set 8 -> 4, 4 -> 1 -> 4 under a fork storm and xvdb and TCP
#                I/O; a save/restore and a cancelled save (xl save -c;
#                make soak adds migrations) under that I/O, all vCPUs back, data
#                checked; Xen's log names no fault of a domU;
#   hostile      an eighth run, tests/boot/hostile.sh: tests/hostile, a
#                backend in dom0 that lies, attacks a vbd and a vif of the
#                domU in 13 of its scenarios (all of them in make soak, on
#                the debug kernel); the domU must fail or drop just the
#                attacked device, name the fault once, keep xvda and eth0
#                moving data intact, and give back every event channel,
#                grant and page;
#   debian       only with CHECK_RUNS=debian (make soak runs it; building
#                the image would take a fresh clone past make check's time
#                budget): tests/boot/debian.sh, a Debian 12 domU with our
#                kernel package, booted through PVGRUB2: systemd to login on
#                hvc0, root on xvda, eth0, xenstore-utils, udev, save/
#                restore, reboot, shutdown and fsck (DEBIAN_KERNELS="xenport
#                debian" adds Debian's own kernel, the control);
#   bare boot    the same bzImage boots under plain QEMU, without Xen, to
#                init: paravirt_ops picks native at run time.
#
# Hypervisors (scripts/xen-host/build-xen.sh): the main run boots Debian's
# own Xen binary, the one users run; the others boot the "shadow" build of
# the same Xen from Debian's source (shadow paging, which migration needs).
# XEN=debian|shadow|debug puts every run on that one (XEN=debug: the whole
# suite on the debug hypervisor).
#
# Logs go to $BUILD/check/.

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
KOBJ=${KOBJ:-$BUILD/obj}
KSRC=${KSRC:-$BUILD/linux}
out=$BUILD/check
mkdir -p "$out"

n=0 passed=0 failed=0
tap() { # STATUS NAME
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
	fi
}

"$top/scripts/install-deps.sh" check || exit 1

# CHECK_RUNS="host boot netfront blkfront qdisk migrate xenbus events mmu smp hostile debian bare" (any
# subset) runs only
# those parts, for a developer's quicker loop; make check runs them all but
# debian.
# The debian run is not in make check (fresh clones would spend its time
# budget building the image): only when named here, or in make soak.
want() {
	case " ${CHECK_RUNS:-} " in *" $1 "*) return 0 ;; esac
	[ -z "${CHECK_RUNS:-}" ] && [ "$1" != debian ] && return 0
	return 1
}

# --- host checks -----------------------------------------------------------
if want host; then
	"$top/scripts/prepare-tree.sh" --check "$BUILD" > "$out/tree.log" 2>&1
	st=$?
	sed 's/^/# /' "$out/tree.log"
	tap $st "prepared tree holds only our port files (none of them upstream's)"

	mapfile -t ours < <(cd "$top" && git ls-files -- arch/x86/xen arch/x86/include/asm/xen \
		drivers/xen include/xen drivers/block/xen-blkfront.c \
		drivers/net/xen-netfront.c drivers/tty/hvc/hvc_xen.c | grep -E '\.[chS]$')
	if [ ${#ours[@]} -eq 0 ]; then
		echo "ok $((n + 1)) - checkpatch --strict on our port files # SKIP no port files of ours yet"
		n=$((n + 1))
	else
		(cd "$top" && "$KSRC/scripts/checkpatch.pl" --strict --no-tree --terse \
			--ignore FILE_PATH_CHANGES -f "${ours[@]}") > "$out/checkpatch.log" 2>&1
		st=$?
		# Xen's ABI spells its xenbus states in CamelCase (XenbusStateConnected),
		# which checkpatch cannot know; those CHECKs alone do not fail the test.
		if [ $st -ne 0 ] && grep -q '^total: 0 errors, 0 warnings' "$out/checkpatch.log" &&
			! grep -E ': (ERROR|WARNING|CHECK):' "$out/checkpatch.log" |
			grep -qvE 'CHECK: Avoid CamelCase: <XenbusState[A-Za-z]+>$'; then
			st=0
		fi
		sed 's/^/# /' "$out/checkpatch.log" | tail -n 40
		tap $st "checkpatch --strict on our ${#ours[@]} port files"
	fi

	# Core patches (patches/*.patch): each says why it exists and is
	# checkpatch clean; prepare-tree.sh --check above saw them applied.
	st=0
	for p in "$top"/patches/*.patch; do
		[ -e "$p" ] || continue
		grep -q '^Why this core patch exists' "$p" ||
			{ echo "# ${p##*/}: no 'Why this core patch exists' reason at its top"; st=1; }
		"$KSRC/scripts/checkpatch.pl" --strict --no-tree --terse "$p" > "$out/patch.log" 2>&1 ||
			{ sed "s|^|# |" "$out/patch.log"; st=1; }
	done
	tap $st "core patches: $(ls "$top"/patches/*.patch 2>/dev/null | wc -l), each with its reason, checkpatch clean"

	# W=1 and sparse on our C files: recompile just their objects with both.
	mapfile -t our_c < <(printf '%s\n' "${ours[@]}" | grep '\.c$')
	if [ ${#our_c[@]} -eq 0 ]; then
		echo "ok $((n + 1)) - W=1 and sparse clean on our C files # SKIP none yet"
		n=$((n + 1))
	else
		objs=("${our_c[@]/%.c/.o}")
		make --no-print-directory -C "$KSRC" O="$KOBJ" W=1 C=1 "${objs[@]}" \
			> "$out/w1-sparse.log" 2>&1
		st=$?
		if grep -E "$(IFS='|'; echo "${our_c[*]}")" "$out/w1-sparse.log" | grep -qiE 'warning|error'; then
			st=1
		fi
		grep -iE 'warning|error' "$out/w1-sparse.log" | sed 's/^/# /' | head -n 40
		tap $st "W=1 and sparse (C=1) clean on our ${#our_c[@]} C files"
		# put the objects back to the normal flags for the next build
		make --no-print-directory -C "$KSRC" O="$KOBJ" "${objs[@]}" > /dev/null 2>&1
	fi

	# Clean room: no run of 6+ lines shared with upstream's port, ABI aside.  The
	# checker must first catch an upstream file compared with itself.
	pristine=$BUILD/upstream-port
	if ! python3 "$top/scripts/cleanroom-check.py" "$pristine" \
		"$pristine/drivers/xen/features.c" > /dev/null; then
		if [ ${#ours[@]} -eq 0 ]; then
			st=0; echo "# no port files of ours yet"
		else
			(cd "$top" && python3 scripts/cleanroom-check.py "$pristine" "${ours[@]}") \
				> "$out/cleanroom.log" 2>&1
			st=$?
			sed 's/^/# /' "$out/cleanroom.log"
		fi
	else
		st=1; echo "# the clean-room checker failed to see upstream's own file"
	fi
	tap $st "clean room: our port files share no 6-line run with upstream's port"
fi

# --- boot tests under Xen --------------------------------------------------
vmlinux=$KOBJ/vmlinux
bzimage=$KOBJ/arch/x86/boot/bzImage
initrd=$BUILD/domu/initrd.cpio.gz
"$top/scripts/make-domu-initrd.sh" "$initrd" || exit 1

# xen_for FLAVOUR: the hypervisor a run wants, unless XEN overrides it
xen_for() { echo "${XEN:-$1}"; }

# xen_run NAME DRIVER [BOOT.SH OPTIONS...]: one embedded Xen host run with
# DRIVER in dom0.  Every "TAP: ..." line the driver prints is one test here;
# the driver runs a fixed list of tests (its 'result $? "NAME"' lines), so
# fewer lines mean it never finished, which is one more failure.
xen_run() {
	local name=$1 driver=$2 st want got line t0=$SECONDS
	shift 2
	want "${name#xen-}" || return 0
	for try in 1 2; do
		"$top/scripts/xen-host/boot.sh" --kernel "$vmlinux" --driver "$driver" \
			--extra "$top/tests/boot/lib.sh" --extra "$BUILD/domu/xtest" \
			--extra "$BUILD/domu/kunit-suites.txt" \
			--log "$out/$name.log" "$@" > "$out/$name.out" 2>&1
		st=$?
		# Once, and said: the host itself (QEMU, Xen or dom0) failed or
		# hung before the driver ran a single test, which is no result
		# about our kernel (dom0 has stalled in its own early boot
		# under TCG).  Any test line at all, and the run stands.
		[ $try -eq 1 ] && { [ $st -eq 124 ] || [ $st -eq 125 ]; } &&
			! tr -d '\r' < "$out/$name.log" | grep -aq 'TAP: ' || break
		echo "# ${driver##*/}: the Xen host ended with status $st before any test; once more:"
		tr -d '\r' < "$out/$name.log" | tail -n 5 | sed 's/^/#   /'
		cp "$out/$name.log" "$out/$name.try1.log"
	done
	# The serial line carries Xen, dom0 and the driver; keep the driver's lines.
	tr -d '\r' < "$out/$name.log" | grep -aoE '(TAP: .*|^# .*)' > "$out/$name.tap"
	while IFS= read -r line; do
		case $line in
		"TAP: ok - "*) tap 0 "${line#TAP: ok - }" ;;
		"TAP: not ok - "*) tap 1 "${line#TAP: not ok - }" ;;
		*) echo "$line" ;;
		esac
	done < "$out/$name.tap"
	echo "# ${driver##*/}: the Xen host run took $((SECONDS - t0)) s"
	want=$(grep -c 'result \$? "' "$driver")
	got=$(grep -c '^TAP: ' "$out/$name.tap")
	bad=$(grep -c '^TAP: not ok' "$out/$name.tap")
	if [ "$got" -lt "$want" ]; then
		echo "# boot.sh exited $st after $got of $want tests of ${driver##*/}; the last lines it printed:"
		tr -d '\r' < "$out/$name.log" | tail -n 40 | sed 's/^/#   /'
		tap 1 "the embedded Xen host ran all $want tests of ${driver##*/}"
	elif [ "$st" -ne "$bad" ]; then
		# the driver exits with its number of failures; anything else is
		# boot.sh's own (124 timeout, 125 dom0 or QEMU failed) or a
		# driver that died after its last test
		echo "# boot.sh exited $st, but ${driver##*/} reported $bad failure(s); see $out/$name.out"
		tail -n 20 "$out/$name.out" | sed 's/^/#   /'
		tap 1 "the embedded Xen host run of ${driver##*/} ended cleanly"
	fi
}

want boot && echo "# boot tests: Xen 4.17 ($(xen_for debian)) + dom0 under QEMU, our kernel as a PV domU (about 9 minutes)"
xen_run xen-boot "$top/tests/boot/driver.sh" --xen "$(xen_for debian)" --initrd "$initrd" \
	--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent kunit.enable=1" \
	--vcpus 2 --memory 512 --timeout 1800

# Live migration needs shadow paging: never Debian's binary.
mig=$(xen_for shadow)
[ "$mig" != debian ] || mig=shadow
if want netfront || want blkfront || want qdisk || want migrate || want xenbus || want events || want mmu ||
	want smp; then
	echo "# Xen $mig for the runs below: built from Debian's source on first use (about 4 minutes)"
	"$top/scripts/xen-host/build-xen.sh" "$mig" "$BUILD/xen-host" 2>&1 |
		grep -v '^gpgv:' | sed 's/^/# /'
fi
# NETFRONT_COUNTS and BLKFRONT_COUNTS ("NAME=VALUE ...") give those two runs
# other counts than their drivers' own (make soak hands in the long ones).
echo "${NETFRONT_COUNTS:-}" | tr ' ' '\n' > "$out/netfront.env"
echo "${BLKFRONT_COUNTS:-}" | tr ' ' '\n' > "$out/blkfront.env"
want netfront && echo "# netfront tests ($(xen_for shadow)): TCP each way at MTU 1500 and 9000, offloads on and off, vif hot-plugs (about 4 minutes)${NETFRONT_COUNTS:+; counts $NETFRONT_COUNTS}"
xen_run xen-netfront "$top/tests/boot/netfront.sh" --xen "$(xen_for shadow)" --initrd "$initrd" \
	--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent" \
	--vcpus 2 --memory 512 --timeout 1500 --extra "$out/netfront.env"

# blkfront's own tests want fio and aiowrite in the domU (fio's libraries
# make that initramfs ten times bigger, so the main run goes without it)
gcc -O2 -Wall -static -o "$BUILD/domu/aiowrite" "$top/tests/boot/aiowrite.c" || exit 1
finitrd=$BUILD/domu/initrd-fio.cpio
"$top/scripts/make-domu-initrd.sh" "$finitrd" /usr/bin/fio "$BUILD/domu/aiowrite" || exit 1
want blkfront && echo "# blkfront tests ($(xen_for shadow)): fio, fsync, discard, hot-plug, save/restore (about 12 minutes)${BLKFRONT_COUNTS:+; counts $BLKFRONT_COUNTS}"
xen_run xen-blkfront "$top/tests/boot/blkfront.sh" --xen "$(xen_for shadow)" --initrd "$finitrd" \
	--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent" \
	--vcpus 2 --memory 512 --disk2-mb 320 --timeout 2400 --extra "$out/blkfront.env"

# The same blkfront against QEMU's qdisk backend.
want qdisk && echo "# qdisk tests ($(xen_for shadow)): xvdb served by QEMU's qdisk in dom0 instead of blkback"
xen_run xen-qdisk "$top/tests/boot/qdisk.sh" --xen "$(xen_for shadow)" --initrd "$finitrd" \
	--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent" \
	--vcpus 2 --memory 512 --disk-mb 32 --disk2-mb 128 --disk2-backend qdisk \
	--timeout 600

want migrate && echo "# migration tests ($mig): xl migrate, local, with I/O in flight"
xen_run xen-migrate "$top/tests/boot/migrate.sh" --xen "$mig" --initrd "$finitrd" \
	--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent" \
	--vcpus 2 --memory 512 --disk-mb 32 --disk2-mb 256 --timeout 2400

# The domU layer under the frontends: xenstore, console, domain control,
# grant tables.  The driver creates its domUs (--no-create), with a shell on
# hvc0 that `xl console` types into through ptyexpect, a pty of its own.
gcc -O2 -Wall -static -o "$BUILD/domu/ptyexpect" "$top/tests/boot/ptyexpect.c" || exit 1
want xenbus && echo "# xenbus tests ($(xen_for shadow)): xenstore tools, transactions, watches, xl console, 2 save/restores under I/O, sysrq, pause, reboot, shutdown, grant exhaustion, a grant held after detach, /sys/hypervisor (about 8 minutes)"
xen_run xen-xenbus "$top/tests/boot/xenbus.sh" --xen "$(xen_for shadow)" --initrd "$finitrd" \
	--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent xtest.console=shell" \
	--vcpus 2 --memory 320 --disk-mb 64 --disk2-mb 128 --no-create \
	--extra "$BUILD/domu/ptyexpect" --timeout 1500

# Event channels, IPIs, interrupt affinity, time and steal time: domUs of
# 1, 2 and 4 vCPUs on both event ABIs, created by the driver (--no-create);
# xcpu is in the domU's initrd and in dom0 (its clock readings).
gcc -O2 -Wall -static -pthread -o "$BUILD/domu/xcpu" "$top/tests/boot/xcpu.c" || exit 1
einitrd=$BUILD/domu/initrd-events.cpio.gz
want events && { "$top/scripts/make-domu-initrd.sh" "$einitrd" "$BUILD/domu/xcpu" || exit 1; }
want events && echo "# events tests ($mig): 1/2/4 vCPUs x FIFO/2-level, IPIs, IRQ affinity and vCPU hot-plug under I/O, clock rate, 2 save/restores and a migration, steal time (about 10 minutes)"
xen_run xen-events "$top/tests/boot/events.sh" --xen "$mig" --initrd "$einitrd" \
	--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent" \
	--vcpus 4 --memory 256 --disk-mb 32 --disk2-mb 64 --no-create \
	--extra "$BUILD/domu/xcpu" --timeout 1800

# The PV MMU, the p2m, the memory map and the balloon (tests/boot/mmu.sh):
# domUs of 256 MiB (maxmem 512), 1 GiB and 3 GiB, created by the driver on
# a 5 GiB host; xmm (fork storms, mmap races, RAM fills) in their initrd.
gcc -O2 -Wall -Wextra -Wno-unused-parameter -static -pthread -o "$BUILD/domu/xmm" \
	"$top/tests/boot/xmm.c" || exit 1
minitrd=$BUILD/domu/initrd-mmu.cpio.gz
want mmu && { "$top/scripts/make-domu-initrd.sh" "$minitrd" "$BUILD/domu/xmm" || exit 1; }
want mmu && echo "# mmu tests ($mig): 256 MiB/1 GiB/3 GiB domUs filled, fork storm and mmap races, xl mem-set down, up to maxmem and back, save/restores and migrations under a fork storm (about 9 minutes)"
xen_run xen-mmu "$top/tests/boot/mmu.sh" --xen "$mig" --initrd "$minitrd" \
	--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent" \
	--vcpus 2 --memory 256 --host-mb 5120 --disk-mb 32 --no-create --timeout 2400

# vCPUs (tests/boot/smp.sh): a domU of 8 vCPUs booted from the same
# bzImage the bare run boots (1, 2 and 4 are the events run's), xl vcpu-set
# 8 -> 4, then 4 -> 1 -> 4 under a fork storm and disk and TCP load, then
# a save/restore and a cancelled save (xl save -c) under that load (make
# soak adds live migrations and the longer counts); Xen's log judged too.  The
# driver creates its domUs (--no-create); xmm and xcpu are in their initrd.
# make soak runs it on the debug hypervisor with the full counts.
sinitrd=$BUILD/domu/initrd-smp.cpio.gz
if want smp; then
	"$top/scripts/make-domu-initrd.sh" "$sinitrd" "$BUILD/domu/xmm" "$BUILD/domu/xcpu" || exit 1
	echo "KERNEL_SHA=$(sha256sum < "$bzimage" | cut -d' ' -f1)" > "$out/smp.env"
	echo "# smp tests ($mig): 8 vCPUs from the bzImage, xl vcpu-set 8-4-1-4 under a fork storm and I/O, a save/restore and an xl save -c under I/O (about 5 minutes)"
fi
xen_run xen-smp "$top/tests/boot/smp.sh" --xen "$mig" --initrd "$sinitrd" \
	--kernel "$bzimage" --cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent" \
	--vcpus 8 --memory 256 --disk-mb 32 --disk2-mb 64 --no-create \
	--extra "$BUILD/domu/xcpu" --extra "$out/smp.env" --timeout 1200

# A backend that lies: tests/hostile in dom0 serves a vbd and a vif of the
# domU and attacks them, one scenario at a time (tests/boot/hostile.sh).
# make check runs a third of the scenarios, one of each kind of lie, on this
# kernel; make soak runs them all on the debug kernel (xen_debug_defconfig).
HOSTILE_CHECK="vbd-id-unknown vbd-prod-past-ring vbd-silent vbd-sector-size-zero vbd-keep-mapped
	vbd-limits vbd-closed-midio vbd-fe-readonly vif-rx-overrun vif-tx-id-unknown
	vif-rx-too-many-frags vif-storm vif-nodes-removed"
gcc -O2 -Wall -Wextra -static -o "$BUILD/domu/hostile" "$top"/tests/hostile/*.c \
	-lxenstore -lxengnttab -lxenevtchn -lxentoolcore -lxentoollog -lpthread || exit 1
# HOSTILE_SCENARIOS="NAME ..." picks others (e.g. one, by hand)
HOSTILE_CHECK=${HOSTILE_SCENARIOS:-$HOSTILE_CHECK}
echo "HOSTILE_SCENARIOS='$(echo $HOSTILE_CHECK)'" > "$out/hostile.env"
want hostile && echo "# hostile backend ($(xen_for debian)): $(echo $HOSTILE_CHECK | wc -w) of its scenarios against our blkfront and netfront (about 12 minutes)"
xen_run xen-hostile "$top/tests/boot/hostile.sh" --xen "$(xen_for debian)" --initrd "$initrd" \
	--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent" \
	--vcpus 2 --memory 512 --disk-mb 64 --timeout 1800 \
	--extra "$BUILD/domu/hostile" --extra "$out/hostile.env"

# A real Debian 12 domU: our linux-image package (make bindeb-pkg) installed
# with dpkg -i in a systemd root image (scripts/debian-image.sh), booted
# through PVGRUB2 from the image's grub.cfg; tests/boot/debian.sh logs in
# on hvc0 and follows it through save/restore, reboot and shutdown.
# DEBIAN_KERNELS="xenport debian" adds Debian's own kernel as the control
# (make soak does).  Not part of a plain make check (see want()).
if want debian; then
	make --no-print-directory -C "$top" debian-image 2>&1 | sed 's/^/# /'
	[ "${PIPESTATUS[0]}" -eq 0 ] || tap 1 "make debian-image: our package in a Debian 12 image"
	echo "DEBIAN_KERNELS='${DEBIAN_KERNELS:-xenport}'" > "$out/debian.env"
	echo "# Debian domU ($(xen_for debian)): kernels ${DEBIAN_KERNELS:-xenport}; PVGRUB2, systemd, login on hvc0, save/restore, reboot, shutdown (about 4 minutes a kernel)"
fi
xen_run xen-debian "$top/tests/boot/debian.sh" --xen "$(xen_for debian)" \
	--kernel "$BUILD/debian/pvgrub-x86_64.bin" --image "$BUILD/debian/rootfs.img" \
	--cmdline "" --vcpus 2 --memory 512 --no-create \
	--extra "$BUILD/domu/ptyexpect" --extra "$out/debian.env" \
	--timeout $((900 + 1500 * $(echo ${DEBIAN_KERNELS:-xenport} | wc -w)))

# --- the same image on bare hardware ---------------------------------------
# One CPU is all this can ask for: xen_defconfig has no ACPI (a domU has
# none), and the MP table of plain QEMU's firmware lists only the boot CPU
# whatever -smp says ("Processor #0 (Bootup-CPU)", with -cpu max or
# qemu64); upstream's port built from the same config comes up with one
# CPU here too.
want bare || { echo "1..$n"; echo "$passed passed, $failed failed"; [ $failed -eq 0 ]; exit; }
echo "# bare boot: the same bzImage under plain QEMU, no Xen"
timeout 300 qemu-system-x86_64 -accel tcg -cpu max -m 512 -smp 2 \
	-kernel "$bzimage" -initrd "$initrd" \
	-append "console=ttyS0 xtest.mode=bare panic=-1" \
	-display none -serial stdio -monitor none -no-reboot < /dev/null \
	> "$out/bare.log" 2>&1
tr -d '\r' < "$out/bare.log" > "$out/bare.txt"
grep -E 'Booting paravirtualized kernel|XTEST-INIT' "$out/bare.txt" | sed 's/^/# /'
grep -q 'XTEST-INIT: reached init on bare hardware' "$out/bare.txt" &&
	grep -q 'Booting paravirtualized kernel on bare hardware' "$out/bare.txt" &&
	! grep -qE 'Kernel panic|WARNING|BUG|Oops|Call Trace|detected stall|[Ll]ockup|LOCKUP' "$out/bare.txt"
st=$?
[ $st -eq 0 ] || tail -n 30 "$out/bare.txt" | sed 's/^/#   /'
tap $st "the same bzImage boots without Xen to init (native paravirt_ops)"

echo "1..$n"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
