#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# flake-rate.sh - run the boot tests N times (default 20) and count, per
# test, how often it failed: a suite that fails at random hides real bugs.
#
# Usage: scripts/flake-rate.sh [N [FIRST]]   (after `make`; ~3 minutes a run)
# FIRST numbers the runs from there (to run a long series in batches).
# Each run's output is kept in $BUILD/flake/run-K.log.

set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
runs=${1:-20}
first=${2:-1}
out=$BUILD/flake
mkdir -p "$out"
"$top/scripts/make-domu-initrd.sh" "$BUILD/domu/initrd.cpio.gz" > /dev/null || exit 1

bad_runs=0
for k in $(seq "$first" $((first + runs - 1))); do
	start=$SECONDS
	"$top/scripts/xen-host/boot.sh" --kernel "${KOBJ:-$BUILD/obj}/vmlinux" \
		--initrd "$BUILD/domu/initrd.cpio.gz" \
		--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent kunit.enable=1" \
		--vcpus 2 --memory 512 \
		--driver "$top/tests/boot/driver.sh" --extra "$top/tests/boot/lib.sh" \
		--extra "$BUILD/domu/xtest" --extra "$BUILD/domu/kunit-suites.txt" \
		--log "$out/run-$k.log" --timeout 1800 > /dev/null 2>&1
	st=$?
	oks=$(tr -d '\r' < "$out/run-$k.log" | grep -ac 'TAP: ok')
	fails=$(tr -d '\r' < "$out/run-$k.log" | grep -a 'TAP: not ok' | sed 's/.*TAP: not ok - //')
	[ $st -eq 0 ] || bad_runs=$((bad_runs + 1))
	echo "run $k: status $st, $oks ok, $((SECONDS - start)) s${fails:+, failed: $fails}"
done
echo "flake rate: $bad_runs of $runs runs failed"
[ $bad_runs -eq 0 ]
