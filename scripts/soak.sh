#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# soak.sh - `make soak`: the soak-length repetitions that `make check` runs
# once.  Run it before calling a change to the Xen host runs done.
#
#   1. the migration run (tests/boot/migrate.sh) with SOAK_MIGRATIONS
#      (default 50) live migrations under I/O instead of ten, on the
#      shadow hypervisor (or XEN=debug);
#   2. scripts/flake-rate.sh SOAK_BOOTS (default 20): the main boot tests
#      that many times, failures counted per run.
#
# Each step prints its own summary; the exit status is non-zero if any
# failed.  Under TCG on 2 cores: about 40 s a migration with I/O (so about
# 40 minutes for step 1) and 4 to 9 minutes a boot run (step 2: 1.5 to 3
# hours).  Logs in $BUILD/soak/ and $BUILD/flake/.

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
KOBJ=${KOBJ:-$BUILD/obj}
out=$BUILD/soak
mkdir -p "$out" "$BUILD/domu"
migrations=${SOAK_MIGRATIONS:-50}
boots=${SOAK_BOOTS:-20}
xen=${XEN:-shadow}
[ "$xen" != debian ] || xen=shadow
st=0

gcc -O2 -Wall -static -o "$BUILD/domu/aiowrite" "$top/tests/boot/aiowrite.c" || exit 1
finitrd=$BUILD/domu/initrd-fio.cpio
"$top/scripts/make-domu-initrd.sh" "$finitrd" /usr/bin/fio "$BUILD/domu/aiowrite" || exit 1
echo "MIGRATIONS=$migrations" > "$out/migrate.env"
echo "# soak 1/2: $migrations live migrations under I/O on Xen $xen (log $out/migrate.log)"
"$top/scripts/xen-host/boot.sh" --xen "$xen" --kernel "$KOBJ/vmlinux" --initrd "$finitrd" \
	--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent" \
	--vcpus 2 --memory 512 --disk-mb 32 --disk2-mb 256 \
	--driver "$top/tests/boot/migrate.sh" --extra "$top/tests/boot/lib.sh" \
	--extra "$BUILD/domu/xtest" --extra "$out/migrate.env" \
	--log "$out/migrate.log" --timeout $((1800 + migrations * 120)) > "$out/migrate.out" 2>&1
mst=$?
tr -d '\r' < "$out/migrate.log" | grep -aE '^(TAP: |# migration times|# fio: )' | sed 's/^/  /'
echo "# soak 1/2: boot.sh exited $mst"
[ $mst -eq 0 ] || st=1

echo "# soak 2/2: the main boot tests $boots times"
"$top/scripts/flake-rate.sh" "$boots" || st=1
exit $st
