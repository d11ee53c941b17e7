#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# install-deps.sh - install the Debian packages a step needs, if missing.
#
# Usage: scripts/install-deps.sh build|check|bench|pkg|debian ...
#
#   build: the kernel source (linux-source-6.12) and what building it needs;
#   check: what the tests use (QEMU, busybox, e2fsprogs, sparse; fio for
#          the domU's disk tests; xenstore-utils, whose clients the domU
#          runs), qemu-system-xen, whose QEMU the embedded dom0 runs as
#          the qdisk backend, and libxen-dev, the libraries the hostile
#          backend (tests/hostile) is linked with;
#   bench: what the benchmarks put into the domU (fio, iperf3);
#   pkg:   what `make bindeb-pkg` needs beyond build (dpkg-buildpackage,
#          debhelper, rsync, lsb-release for the changelog's suite);
#   debian: what scripts/debian-image.sh needs (mmdebstrap, mkfs.ext4 -d).
#
# Only Debian packages, with apt.  It runs apt-get update once, and only when
# something is missing, so a machine that has everything pays nothing.

set -euo pipefail

pkgs=()
for what in "$@"; do
	case $what in
	build) pkgs+=(linux-source-6.12 build-essential bc bison flex libelf-dev
		      libssl-dev cpio kmod xz-utils python3 perl patch) ;;
	check) pkgs+=(sparse qemu-system-x86 qemu-system-xen busybox-static
		      e2fsprogs cpio gzip ethtool fio xenstore-utils libxen-dev
		      dmsetup) ;;
	bench) pkgs+=(fio iperf3) ;;
	pkg) pkgs+=(dpkg-dev debhelper rsync lsb-release fakeroot) ;;
	debian) pkgs+=(mmdebstrap e2fsprogs tar) ;;
	*) echo "install-deps: unknown set '$what'" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "  APT     installing ${missing[*]}"
sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
