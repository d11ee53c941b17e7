# SPDX-License-Identifier: GPL-2.0
#
# debug-host-stage.sh - sourced by bench/hypercalls.sh, traps.sh and
# profile.sh: what they put together, and how they boot the host with it.
#
# stage_debug_host STAGE [FLAVOUR]: the baseline kernel and the hypervisor
# of FLAVOUR (default debug; debian for none) built on first use,
# bench/forkexec.c in the domU initrd ($out/hc-initrd.cpio.gz), and in
# STAGE: vmlinux-ours, vmlinux-base, xtest and the drivers' shared
# debug-host-domu.sh.  Needs $top, $BUILD, $KOBJ and $out.

stage_debug_host() {
	mkdir -p "$1"
	"$top/scripts/install-deps.sh" check bench
	"$top/bench/build-baseline.sh" "$BUILD"
	[ "${2:-debug}" = debian ] ||
		"$top/scripts/xen-host/build-xen.sh" "${2:-debug}" "$BUILD/xen-host"
	gcc -O2 -Wall -static -o "$out/forkexec" "$top/bench/forkexec.c"
	"$top/scripts/make-domu-initrd.sh" "$out/hc-initrd.cpio.gz" "$out/forkexec"
	cp "$KOBJ/vmlinux" "$1/vmlinux-ours"
	cp "$BUILD/baseline/obj/vmlinux" "$1/vmlinux-base"
	cp "$out/xtest" "$1/xtest"
	cp "$top/bench/debug-host-domu.sh" "$1/debug-host-domu.sh"
}

# boot_debug_host STAGE FLAVOUR DRIVER NAME TIMEOUT [FILE...]: boot the
# embedded host on hypervisor FLAVOUR, with DRIVER run in dom0 and, in its
# /extra, the STAGE's two kernels, xtest, debug-host-domu.sh and each FILE.
# The serial log is $out/NAME-serial.log, boot.sh's own output
# $out/NAME-boot.out; returns boot.sh's status.
boot_debug_host() {
	local stage=$1 flavour=$2 driver=$3 name=$4 timeout=$5 f
	local extras=()

	shift 5
	for f in "$stage/vmlinux-ours" "$stage/vmlinux-base" "$stage/xtest" \
		"$stage/debug-host-domu.sh" "$@"; do
		extras+=(--extra "$f")
	done
	"$top/scripts/xen-host/boot.sh" --xen "$flavour" --kernel "$stage/vmlinux-ours" \
		--initrd "$out/hc-initrd.cpio.gz" \
		--cmdline "console=hvc0 xtest.mode=agent" --vcpus 2 --memory 512 --no-create \
		--driver "$driver" "${extras[@]}" \
		--log "$out/$name-serial.log" --timeout "$timeout" > "$out/$name-boot.out" 2>&1
}
