#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - `make bench`: our port against upstream's, side by side, in one run
# of the embedded Xen host.
#
#   1. ours is built by `make` (the Makefile's bench target depends on it);
#   2. the baseline, upstream's complete Xen port from the same
#      linux-source-6.12 with the same xen_defconfig, is built in
#      $BUILD/baseline (bench/build-baseline.sh);
#   3. one QEMU + Xen + dom0 boots each kernel once to warm up, then as the
#      same PV domU ROUNDS times, the order alternating, and bench/driver.sh
#      runs the workloads in it (also fio on the baseline with our blkfront
#      defaults on its command line);
#   4. bench/report.py prints the table, also kept in $BUILD/bench/results.txt.
#
# ROUNDS (default 5) sets the number of rounds.  See bench/README.md.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
KOBJ=${KOBJ:-$BUILD/obj}
ROUNDS=${ROUNDS:-5}
out=$BUILD/bench
stage=$out/stage

"$top/scripts/install-deps.sh" check bench
"$top/bench/build-baseline.sh" "$BUILD"

rm -rf "$stage"
mkdir -p "$stage"
for p in forkexec anonmem; do
	gcc -O2 -Wall -static -o "$out/$p" "$top/bench/$p.c"
done
gcc -O2 -Wall -static -pthread -o "$out/xcpu" "$top/tests/boot/xcpu.c"
# uncompressed: the domU should not spend its boot gunzipping fio's libraries
"$top/scripts/make-domu-initrd.sh" "$out/initrd.cpio" \
	/usr/bin/fio /usr/bin/iperf3 "$out/forkexec" "$out/anonmem" "$out/xcpu"
cp "$KOBJ/vmlinux" "$stage/vmlinux-ours"
cp "$BUILD/baseline/obj/vmlinux" "$stage/vmlinux-base"
cp "$out/xtest" "$stage/xtest"
echo "$ROUNDS" > "$stage/rounds"
# BOOT_ONLY=N: only boot each kernel N times (after one warm-up boot each)
# (empty unless set: the driver takes any content as a boot-only run)
printf '%s' "${BOOT_ONLY:-}" > "$stage/bootonly"

if [ -n "${BOOT_ONLY:-}" ]; then
	echo "  BENCH   $BOOT_ONLY boots each of baseline and ours, nothing else (about $((BOOT_ONLY / 4 + 3)) minutes)"
else
	echo "  BENCH   $ROUNDS rounds of baseline and ours in one Xen host run (about $((ROUNDS * 5 + 6)) minutes)"
fi
st=0
"$top/scripts/xen-host/boot.sh" --kernel "$stage/vmlinux-ours" --initrd "$out/initrd.cpio" \
	--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent" \
	--vcpus 2 --memory 512 --disk2-mb 256 --no-create \
	--driver "$top/bench/driver.sh" \
	--extra "$stage/vmlinux-ours" --extra "$stage/vmlinux-base" \
	--extra "$stage/xtest" --extra "$stage/rounds" --extra "$stage/bootonly" \
	--log "$out/serial.log" --timeout $((1500 + ROUNDS * 900)) > "$out/boot.out" 2>&1 || st=$?
tr -d '\r' < "$out/serial.log" | grep -a '# bench:' || true
if [ -n "${BOOT_ONLY:-}" ]; then
	# medians of rounds 1..N per kernel and metric
	tr -d '\r' < "$out/serial.log" | awk '$1 == "BENCH:" && $2 > 0 { print $3, $4, $5 }' |
		sort -k1,1 -k2,2 -k3n | awk '{ v[$1 " " $2] = v[$1 " " $2] " " $3; n[$1 " " $2]++ }
		END { for (k in v) { split(substr(v[k], 2), a, " "); m = int((n[k] + 1) / 2);
		      printf "%-22s median %6d ms of %d:%s\n", k, a[m], n[k], v[k] } }' | sort
	exit "$st"
fi
rst=0
python3 "$top/bench/report.py" "$out/serial.log" > "$out/results.txt" || rst=$?
cat "$out/results.txt"
echo "  BENCH   table in $out/results.txt, raw lines in $out/serial.log"
if [ "$rst" -ne 0 ]; then
	echo "bench: samples are missing from the table (see $out/serial.log)" >&2
	exit 1
fi
if [ "$st" -ne 0 ]; then
	echo "bench: the Xen host run ended with status $st (see $out/boot.out)" >&2
	exit 1
fi
