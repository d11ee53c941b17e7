#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# soak.sh - `make soak`: the soak-length repetitions that `make check` runs
# once.  Run it before calling a change to the Xen host runs done.
#
#   1. the migration run (tests/boot/migrate.sh) with SOAK_MIGRATIONS
#      (default 50) live migrations under I/O instead of three, on the
#      shadow hypervisor (or XEN=debug);
#   2. the xenbus run (tests/boot/xenbus.sh) with SOAK_SR_CYCLES (default
#      20) save/restore cycles under disk, network and xenstore load
#      instead of two, and SOAK_XS_TXNS (default 3000) transactions for
#      each of the 8 processes instead of 1000;
#   3. scripts/flake-rate.sh SOAK_BOOTS (default 20): the main boot tests
#      that many times, failures counted per run;
#   4. the events run (tests/boot/events.sh) with SOAK_SR_CYCLES save/
#      restore cycles and 5 live migrations under the CLOCK_MONOTONIC
#      checker instead of two and one, 10 vCPU unplug/replug rounds
#      under I/O instead of one, and every queue interrupt moved around
#      the vCPUs instead of two of each device;
#   5. the hostile-backend suite (tests/boot/hostile.sh): every scenario
#      (or those in SOAK_HOSTILE) on the debug kernel, built first with
#      `make debug-kernel` (xen_debug_defconfig: kmemleak, lockdep, KFENCE,
#      DEBUG_PAGEALLOC, SLUB debugging), instead of make check's third on
#      the normal kernel;
#   6. the Debian domU run (tests/boot/debian.sh) with our kernel and then
#      Debian's own, the control, in the same image and the same Xen host
#      run (make check boots ours alone);
#   7. the MMU run (tests/boot/mmu.sh) on the debug hypervisor, whose log
#      names any page-table update it refuses, with SOAK_SR_CYCLES save/
#      restores and SOAK_MMU_MIGRATIONS (default 10) live migrations during
#      the fork storm, and 120 s storms and 60 s races, instead of make
#      check's 3, 2, 20 s and 15 s.
#   8. the vCPU run (tests/boot/smp.sh) on the debug hypervisor, whose log
#      it judges, booting the bzImage: SOAK_SR_CYCLES save/restores,
#      SOAK_SMP_MIGRATIONS (default 10) live migrations and SOAK_SMP_CANCELS
#      (default 10) cancelled saves (xl save -c) under disk and TCP I/O, and
#      5 rounds of xl vcpu-set 4 -> 1 -> 4 (after 8 -> 4) under a fork storm and that I/O,
#      instead of make check's 1, 1, 1 and 1.
#   9. the netfront and blkfront runs at their long counts: 512 MiB of TCP
#      each way in each of the four settings and 10 + 10 vif hot-plug
#      cycles, fio --verify over 4 x 256 MiB and 12 disk hot-plug rounds
#      (make check: 128 MiB, 4 + 4, 4 x 64 MiB and 8).
#
# SOAK_STEPS (default "1 2 3 4 5 6 7 8 9") picks the steps to run, e.g. SOAK_STEPS=1
# for the migrations alone.  Each step prints its own summary; the exit
# status is non-zero if any failed.  Under TCG on 2 cores: about 40 s a migration with I/O (so about
# 40 minutes for step 1), about 35 s a save/restore cycle with I/O (step 2:
# about 20 minutes) and 4 to 9 minutes a boot run (step 3: 1.5 to 3
# hours).  Logs in $BUILD/soak/ and $BUILD/flake/.

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
KOBJ=${KOBJ:-$BUILD/obj}
out=$BUILD/soak
mkdir -p "$out" "$BUILD/domu"
migrations=${SOAK_MIGRATIONS:-50}
cycles=${SOAK_SR_CYCLES:-20}
txns=${SOAK_XS_TXNS:-3000}
boots=${SOAK_BOOTS:-20}
steps=" ${SOAK_STEPS:-1 2 3 4 5 6 7 8 9} "
xen=${XEN:-shadow}
[ "$xen" != debian ] || xen=shadow
st=0

gcc -O2 -Wall -static -o "$BUILD/domu/aiowrite" "$top/tests/boot/aiowrite.c" || exit 1
finitrd=$BUILD/domu/initrd-fio.cpio
"$top/scripts/make-domu-initrd.sh" "$finitrd" /usr/bin/fio "$BUILD/domu/aiowrite" || exit 1
step() { case $steps in *" $1 "*) return 0 ;; esac; echo "# soak $1: skipped (SOAK_STEPS)"; return 1; }

if step 1; then
	echo "MIGRATIONS=$migrations" > "$out/migrate.env"
	echo "# soak 1/9: $migrations live migrations under I/O on Xen $xen (log $out/migrate.log)"
	"$top/scripts/xen-host/boot.sh" --xen "$xen" --kernel "$KOBJ/vmlinux" --initrd "$finitrd" \
		--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent" \
		--vcpus 2 --memory 512 --disk-mb 32 --disk2-mb 256 \
		--driver "$top/tests/boot/migrate.sh" --extra "$top/tests/boot/lib.sh" \
		--extra "$BUILD/domu/xtest" --extra "$out/migrate.env" \
		--log "$out/migrate.log" --timeout $((1800 + migrations * 120)) > "$out/migrate.out" 2>&1
	mst=$?
	tr -d '\r' < "$out/migrate.log" | grep -aE '^(TAP: |# migration times|# fio: )' | sed 's/^/  /'
	echo "# soak 1/9: boot.sh exited $mst"
	[ $mst -eq 0 ] || st=1
fi

if step 2; then
	gcc -O2 -Wall -static -o "$BUILD/domu/ptyexpect" "$top/tests/boot/ptyexpect.c" || exit 1
	printf 'SR_CYCLES=%s\nXS_TXNS=%s\n' "$cycles" "$txns" > "$out/xenbus.env"
	echo "# soak 2/9: the xenbus run with $cycles save/restore cycles, $txns transactions a process, on Xen $xen (log $out/xenbus.log)"
	"$top/scripts/xen-host/boot.sh" --xen "$xen" --kernel "$KOBJ/vmlinux" --initrd "$finitrd" \
		--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent xtest.console=shell" \
		--vcpus 2 --memory 320 --disk-mb 64 --disk2-mb 128 --no-create \
		--driver "$top/tests/boot/xenbus.sh" --extra "$top/tests/boot/lib.sh" \
		--extra "$BUILD/domu/xtest" --extra "$BUILD/domu/ptyexpect" --extra "$out/xenbus.env" \
		--log "$out/xenbus.log" --timeout $((1500 + cycles * 90 + txns / 4)) > "$out/xenbus.out" 2>&1
	xst=$?
	tr -d '\r' < "$out/xenbus.log" | grep -aE '^(TAP: |# save \+ restore times|# domU: xtest: xs-txn: (ok|FAILED))' | sed 's/^/  /'
	echo "# soak 2/9: boot.sh exited $xst"
	[ $xst -eq 0 ] || st=1
fi

if step 3; then
	echo "# soak 3/9: the main boot tests $boots times"
	"$top/scripts/flake-rate.sh" "$boots" || st=1
fi

if step 4; then
	gcc -O2 -Wall -static -pthread -o "$BUILD/domu/xcpu" "$top/tests/boot/xcpu.c" || exit 1
	einitrd=$BUILD/domu/initrd-events.cpio.gz
	"$top/scripts/make-domu-initrd.sh" "$einitrd" "$BUILD/domu/xcpu" || exit 1
	printf 'SR_CYCLES=%s\nMIGRATIONS=5\nHOTPLUGS=10\nPINGPONGS=100000\nAFF_PER_DEV=99\n' "$cycles" > "$out/events.env"
	echo "# soak 4/9: the events run with $cycles save/restore cycles on Xen $xen (log $out/events.log)"
	"$top/scripts/xen-host/boot.sh" --xen "$xen" --kernel "$KOBJ/vmlinux" --initrd "$einitrd" \
		--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent" \
		--vcpus 4 --memory 256 --disk-mb 32 --disk2-mb 64 --no-create \
		--driver "$top/tests/boot/events.sh" --extra "$top/tests/boot/lib.sh" \
		--extra "$BUILD/domu/xtest" --extra "$BUILD/domu/xcpu" --extra "$out/events.env" \
		--log "$out/events.log" --timeout $((1800 + cycles * 60)) > "$out/events.out" 2>&1
	est=$?
	tr -d '\r' < "$out/events.log" | grep -aE '^(TAP: |# restore [0-9]+:|# migration [0-9]+:|# domU: monotonic)' | sed 's/^/  /'
	echo "# soak 4/9: boot.sh exited $est"
	[ $est -eq 0 ] || st=1
fi

if step 5; then
	echo "# soak 5/9: the debug kernel (make debug-kernel; 10-20 min the first time)"
	make --no-print-directory -C "$top" debug-kernel > "$out/debug-kernel.log" 2>&1 ||
		{ tail -n 20 "$out/debug-kernel.log"; exit 1; }
	gcc -O2 -Wall -Wextra -static -o "$BUILD/domu/hostile" "$top"/tests/hostile/*.c \
		-lxenstore -lxengnttab -lxenevtchn -lxentoolcore -lxentoollog -lpthread || exit 1
	"$top/scripts/make-domu-initrd.sh" "$BUILD/domu/initrd.cpio.gz" || exit 1
	echo "HOSTILE_SCENARIOS='${SOAK_HOSTILE:-}'" > "$out/hostile.env"
	echo "# soak 5/9: every hostile-backend scenario on the debug kernel, Xen debian (log $out/hostile.log)"
	"$top/scripts/xen-host/boot.sh" --xen debian --kernel "$BUILD/obj-debug/vmlinux" \
		--initrd "$BUILD/domu/initrd.cpio.gz" \
		--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent" \
		--vcpus 2 --memory 512 --disk-mb 64 \
		--driver "$top/tests/boot/hostile.sh" --extra "$top/tests/boot/lib.sh" \
		--extra "$BUILD/domu/xtest" --extra "$BUILD/domu/hostile" --extra "$out/hostile.env" \
		--log "$out/hostile.log" --timeout 5400 > "$out/hostile.out" 2>&1
	hst=$?
	tr -d '\r' < "$out/hostile.log" | grep -aE '^(TAP: |# --- )' | sed 's/^/  /'
	echo "# soak 5/9: boot.sh exited $hst"
	[ $hst -eq 0 ] || st=1
fi

if step 6; then
	echo "# soak 6/9: the Debian domU, our kernel then Debian's (the control), one Xen host run"
	CHECK_RUNS=debian DEBIAN_KERNELS="xenport debian" "$top/scripts/check.sh" 2>&1 |
		tee "$out/debian.out" | grep -E '^(ok|not ok|# debian|[0-9]+ passed)'
	[ "${PIPESTATUS[0]}" -eq 0 ] || st=1
fi

if step 7; then
	mxen=${XEN:-debug}
	[ "$mxen" != debian ] || mxen=debug
	printf 'SR_CYCLES=%s\nMIGRATIONS=%s\nSTORM_S=120\nRACE_S=60\n' "$cycles" \
		"${SOAK_MMU_MIGRATIONS:-10}" > "$out/mmu.env"
	gcc -O2 -Wall -Wextra -Wno-unused-parameter -static -pthread -o "$BUILD/domu/xmm" \
		"$top/tests/boot/xmm.c" || exit 1
	minitrd=$BUILD/domu/initrd-mmu.cpio.gz
	"$top/scripts/make-domu-initrd.sh" "$minitrd" "$BUILD/domu/xmm" || exit 1
	echo "# soak 7/9: the MMU run with $cycles save/restores and ${SOAK_MMU_MIGRATIONS:-10} migrations under a fork storm on Xen $mxen (log $out/mmu.log)"
	"$top/scripts/xen-host/boot.sh" --xen "$mxen" --kernel "$KOBJ/vmlinux" --initrd "$minitrd" \
		--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent" \
		--vcpus 2 --memory 256 --host-mb 5120 --disk-mb 32 --no-create \
		--driver "$top/tests/boot/mmu.sh" --extra "$top/tests/boot/lib.sh" \
		--extra "$BUILD/domu/xtest" --extra "$out/mmu.env" \
		--log "$out/mmu.log" --timeout $((2400 + cycles * 60)) > "$out/mmu.out" 2>&1
	mst=$?
	tr -d '\r' < "$out/mmu.log" | grep -aE '^(TAP: |# domU: (forkstorm|race|fill):|# mem-set)' | sed 's/^/  /'
	echo "# soak 7/9: boot.sh exited $mst"
	[ $mst -eq 0 ] || st=1
fi
if step 8; then
	sxen=${XEN:-debug}
	[ "$sxen" != debian ] || sxen=debug
	smig=${SOAK_SMP_MIGRATIONS:-10} scan=${SOAK_SMP_CANCELS:-10}
	gcc -O2 -Wall -static -pthread -o "$BUILD/domu/xcpu" "$top/tests/boot/xcpu.c" || exit 1
	gcc -O2 -Wall -Wextra -Wno-unused-parameter -static -pthread -o "$BUILD/domu/xmm" \
		"$top/tests/boot/xmm.c" || exit 1
	sinitrd=$BUILD/domu/initrd-smp.cpio.gz
	"$top/scripts/make-domu-initrd.sh" "$sinitrd" "$BUILD/domu/xmm" "$BUILD/domu/xcpu" || exit 1
	printf 'SR_CYCLES=%s\nMIGRATIONS=%s\nCANCELS=%s\nHOTPLUGS=5\nPINGS=300\nKERNEL_SHA=%s\n' "$cycles" "$smig" \
		"$scan" "$(sha256sum < "$KOBJ/arch/x86/boot/bzImage" | cut -d' ' -f1)" > "$out/smp.env"
	echo "# soak 8/9: the vCPU run with $cycles save/restores, $smig migrations, $scan cancelled saves and 5 vcpu-set rounds on Xen $sxen (log $out/smp.log)"
	"$top/scripts/xen-host/boot.sh" --xen "$sxen" --kernel "$KOBJ/arch/x86/boot/bzImage" \
		--initrd "$sinitrd" --cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent" \
		--vcpus 8 --memory 256 --disk-mb 32 --disk2-mb 64 --no-create \
		--driver "$top/tests/boot/smp.sh" --extra "$top/tests/boot/lib.sh" \
		--extra "$BUILD/domu/xtest" --extra "$BUILD/domu/xcpu" --extra "$out/smp.env" \
		--log "$out/smp.log" --timeout $((1800 + (cycles + smig + scan) * 90)) > "$out/smp.out" 2>&1
	sst=$?
	tr -d '\r' < "$out/smp.log" | grep -aE '^(TAP: |# (save|migrate|cancel)(:| [0-9]+:)|# round )' | sed 's/^/  /'
	echo "# soak 8/9: boot.sh exited $sst"
	[ $sst -eq 0 ] || st=1
fi

if step 9; then
	echo "# soak 9/9: the netfront and blkfront runs at their long counts"
	CHECK_RUNS="netfront blkfront" NETFRONT_COUNTS="BULK_MIB=512 HP_LOADED=10 HP_REST=10" \
		BLKFRONT_COUNTS="FIO_MIB=256 HP_ROUNDS=12" "$top/scripts/check.sh" 2>&1 |
		tee "$out/frontends.out" | grep -E '^(ok|not ok|# (netfront|blkfront)|[0-9]+ passed)'
	[ "${PIPESTATUS[0]}" -eq 0 ] || st=1
fi
exit $st
