#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - `make run`: boot our kernel as a PV domU under the embedded Xen
# host, to an interactive busybox shell with xvda and eth0 up.  `poweroff` in
# the domU ends the domain, dom0 powers off and QEMU exits.  The serial log
# (Xen, dom0, the domU console) is kept in $BUILD/run.log.  XEN=debian
# (the default), shadow or debug picks the hypervisor (see README); shadow
# and debug are built from Debian's source on first use.  DOMU=debian boots
# the Debian 12 image (scripts/debian-image.sh) through PVGRUB2 instead.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$top/build}
KOBJ=${KOBJ:-$BUILD/obj}

if [ "${DOMU:-}" = debian ]; then
	# make debian-image has run (the Makefile's run target depends on it)
	echo "  RUN     Xen 4.17 (${XEN:-debian}) + dom0 under QEMU, then the Debian 12 domU"
	echo "          through PVGRUB2 (login root, password xen; several minutes to"
	echo "          the login prompt under TCG; the GRUB menu also offers Debian's"
	echo "          own kernel; log in $BUILD/run.log)"
	exec "$top/scripts/xen-host/boot.sh" --kernel "$BUILD/debian/pvgrub-x86_64.bin" \
		--image "$BUILD/debian/rootfs.img" --cmdline "" \
		--vcpus 2 --memory 512 --interactive --log "$BUILD/run.log" \
		--xen "${XEN:-debian}" --timeout "${RUN_TIMEOUT:-86400}"
fi
"$top/scripts/make-domu-initrd.sh" "$BUILD/domu/initrd.cpio.gz"
echo "  RUN     Xen 4.17 (${XEN:-debian}) + dom0 under QEMU, then our kernel as a PV domU"
echo "          (about a minute under TCG; log in $BUILD/run.log)"
# The hostile backend (tests/hostile; make check builds it) goes into dom0
# as /extra/hostile, for trying a scenario by hand (README, Tests).
extra=()
[ -x "$BUILD/domu/hostile" ] && extra=(--extra "$BUILD/domu/hostile")
exec "$top/scripts/xen-host/boot.sh" --kernel "$KOBJ/vmlinux" "${extra[@]}" \
	--initrd "$BUILD/domu/initrd.cpio.gz" \
	--cmdline "console=hvc0 earlyprintk=xen xtest.mode=shell" \
	--vcpus 2 --memory 512 --interactive --log "$BUILD/run.log" \
	--xen "${XEN:-debian}" --timeout "${RUN_TIMEOUT:-86400}"
