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
#   4. a second Xen host run boots the Debian 12 domU (make debian-image)
#      with each kernel from xl create to its login prompt, ROUNDS times;
#   5. bench/report.py prints the table, also kept in $BUILD/bench/results.txt.
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
for p in forkexec anonmem cpuops; do
	gcc -O2 -Wall -static -o "$out/$p" "$top/bench/$p.c"
done
gcc -O2 -Wall -static -pthread -o "$out/xcpu" "$top/tests/boot/xcpu.c"
# uncompressed: the domU should not spend its boot gunzipping fio's libraries
"$top/scripts/make-domu-initrd.sh" "$out/initrd.cpio" \
	/usr/bin/fio /usr/bin/iperf3 "$out/forkexec" "$out/anonmem" "$out/cpuops" "$out/xcpu"
cp "$KOBJ/vmlinux" "$stage/vmlinux-ours"
cp "$BUILD/baseline/obj/vmlinux" "$stage/vmlinux-base"
cp "$out/xtest" "$stage/xtest"
echo "$ROUNDS" > "$stage/rounds"
# BOOT_ONLY=N: only boot each kernel N times (after one warm-up boot each)
# (empty unless set: the driver takes any content as a boot-only run)
printf '%s' "${BOOT_ONLY:-}" > "$stage/bootonly"
# BENCH_MMU_ONLY=1: only boot_ms, forkexec_us, anon_gbps and anon_faults_per_mib
# (the PV MMU's rows), no Debian run.  BENCH_CPU_ONLY=1: those and the CPU
# rows, getpid_ns and pipe_pingpong_us (the PV core's), no Debian run.
if [ "${BENCH_MMU_ONLY:-0}" = 1 ]; then
	echo 1
elif [ "${BENCH_CPU_ONLY:-0}" = 1 ]; then
	echo cpu
fi | tr -d '\n' > "$stage/mmuonly"

if [ -n "${BOOT_ONLY:-}" ]; then
	echo "  BENCH   $BOOT_ONLY boots each of baseline and ours, nothing else (about $((BOOT_ONLY / 4 + 3)) minutes)"
else
	echo "  BENCH   $ROUNDS rounds of baseline and ours in one Xen host run (about $((ROUNDS * 5 + 6)) minutes)"
fi
st=0
: > "$out/serial.log"
# BENCH_DEBIAN_ONLY=1: only the Debian domU's row (step 4), its table alone
[ "${BENCH_DEBIAN_ONLY:-0}" = 1 ] ||
"$top/scripts/xen-host/boot.sh" --kernel "$stage/vmlinux-ours" --initrd "$out/initrd.cpio" \
	--cmdline "console=hvc0 earlyprintk=xen xtest.mode=agent" \
	--vcpus 2 --memory 512 --disk2-mb 256 --no-create \
	--driver "$top/bench/driver.sh" \
	--extra "$stage/vmlinux-ours" --extra "$stage/vmlinux-base" \
	--extra "$stage/xtest" --extra "$stage/rounds" --extra "$stage/bootonly" \
	--extra "$stage/mmuonly" \
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
# The Debian 12 domU (make debian-image): xl create to the login prompt
# through PVGRUB2, systemd and getty, ours against the baseline, the same
# image and initramfs, alternating, in a second Xen host run
# (tests/boot/debian.sh in its bench mode).  BENCH_DEBIAN=0 skips it.
: > "$out/debian-serial.log"
if [ "${BENCH_DEBIAN:-1}" = 1 ] && [ "${BENCH_MMU_ONLY:-0}" != 1 ] &&
   [ "${BENCH_CPU_ONLY:-0}" != 1 ]; then
	make --no-print-directory -C "$top" debian-image
	echo "DEBIAN_BENCH_ROUNDS=$ROUNDS" > "$stage/debian.env"
	cp "$BUILD/baseline/obj/arch/x86/boot/bzImage" "$stage/vmlinuz-baseline"
	echo "  BENCH   the Debian domU: $ROUNDS rounds of boot to login, baseline and ours (about $((ROUNDS * 2 + 4)) minutes)"
	"$top/scripts/xen-host/boot.sh" --kernel "$BUILD/debian/pvgrub-x86_64.bin" \
		--image "$BUILD/debian/rootfs.img" --cmdline "" --vcpus 2 --memory 512 \
		--no-create --driver "$top/tests/boot/debian.sh" --extra "$top/tests/boot/lib.sh" \
		--extra "$stage/debian.env" --extra "$stage/vmlinuz-baseline" \
		--log "$out/debian-serial.log" --timeout $((900 + ROUNDS * 900)) \
		> "$out/debian-boot.out" 2>&1 || st=$?
fi
rst=0
cat "$out/serial.log" "$out/debian-serial.log" > "$out/all-serial.log"
only=()
[ "${BENCH_DEBIAN:-1}" = 1 ] || only=(--skip debian_login_s)
[ "${BENCH_DEBIAN_ONLY:-0}" = 1 ] && only=(--only debian_login_s)
[ "${BENCH_MMU_ONLY:-0}" = 1 ] && only=(--only boot_ms,start_to_init_ms,forkexec_us,anon_gbps,anon_faults_per_mib)
[ "${BENCH_CPU_ONLY:-0}" = 1 ] &&
	only=(--only boot_ms,start_to_init_ms,forkexec_us,anon_gbps,anon_faults_per_mib,getpid_ns,pipe_pingpong_us)
python3 "$top/bench/report.py" "${only[@]}" "$out/all-serial.log" > "$out/results.txt" || rst=$?
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
