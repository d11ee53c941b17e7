#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-baseline.sh - build the benchmark's baseline: upstream Linux's own
# Xen port, complete, from the same linux-source-6.12 tarball and with the
# same arch/x86/configs/xen_defconfig as ours, in its own build folder.
#
# Usage: bench/build-baseline.sh BUILD_DIR
# Output: BUILD_DIR/baseline/obj/{vmlinux,arch/x86/boot/bzImage}.
# The tree is unpacked once; later runs only rebuild what changed (the
# defconfig, mostly).  A first build takes as long as a clean build of ours.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: $0 BUILD_DIR}
mkdir -p "$build"
build=$(cd "$build" && pwd)
base=$build/baseline
tarball=/usr/src/linux-source-6.12.tar.xz

"$top/scripts/install-deps.sh" build
stamp="$(stat -c '%s %Y' "$tarball") $tarball"
if [ ! -f "$base/linux/.baseline-unpacked" ] ||
   [ "$(cat "$base/linux/.baseline-unpacked")" != "$stamp" ]; then
	echo "  BENCH   unpacking upstream's tree for the baseline into $base/linux"
	rm -rf "$base/linux"
	mkdir -p "$base/linux"
	tar -xJf "$tarball" -C "$base/linux" --strip-components=1
	echo "$stamp" > "$base/linux/.baseline-unpacked"
fi
# Our defconfig, plus what keeps upstream's port to the same built-in
# drivers as ours: our Kconfig does not offer the toolstack devices, and
# upstream's would otherwise default xenfs (and with it privcmd, which
# logs an error at every domU boot) into the image.  They stay modules or
# off, as our defconfig had them before they left the port.
want=$(mktemp)
{
	cat "$top/arch/x86/configs/xen_defconfig"
	printf '%s\n' 'CONFIG_XENFS=m' '# CONFIG_XEN_GNTDEV is not set' \
		'# CONFIG_XEN_GRANT_DEV_ALLOC is not set'
} > "$want"
cmp -s "$want" "$base/linux/arch/x86/configs/xen_defconfig" ||
	cp "$want" "$base/linux/arch/x86/configs/xen_defconfig"
rm -f "$want"

kmake=(make --no-print-directory -C "$base/linux" O="$base/obj" -j"$(nproc)")
if [ ! -f "$base/obj/.config" ] ||
   [ "$base/linux/arch/x86/configs/xen_defconfig" -nt "$base/obj/.config" ]; then
	"${kmake[@]}" -s xen_defconfig
fi
echo "  BENCH   building the baseline kernel (upstream's port) in $base/obj"
"${kmake[@]}" bzImage vmlinux
