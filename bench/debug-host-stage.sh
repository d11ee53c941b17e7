# SPDX-License-Identifier: GPL-2.0
#
# debug-host-stage.sh - sourced by bench/hypercalls.sh, traps.sh and profile.sh:
# what both put together before booting the debug hypervisor.
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
