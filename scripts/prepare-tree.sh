#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# prepare-tree.sh - make the kernel tree our port builds in.
#
# Usage: scripts/prepare-tree.sh [--check] BUILD_DIR
#
# The kernel is Debian's linux-source-6.12 (Linux 6.12 LTS).  The first run
# unpacks its tarball into BUILD_DIR/linux, deletes upstream's Xen guest port
# from it (the PORT_PATHS below) and keeps a pristine copy of just those port
# files in BUILD_DIR/upstream-port (for the clean-room check and the bench's
# baseline, never for the build).  Every run then lays the port back in:
# every file of this repository under PORT_PATHS, plus the overlay files in
# OVERLAY (our two defconfigs).  The whole port is ours: nothing of
# upstream's is borrowed any more.
#
# A file is copied only when its content differs from the tree's copy, so an
# unchanged file keeps its timestamp and make rebuilds only what changed.
# Port files in the tree that are not ours (left over from an older tree,
# say) are removed, and the last step re-checks the whole tree: the build
# stops if any port file there is not ours, or if a file of ours is
# byte for byte a file of upstream's port.  The one-line hooks that core files keep for the port (head_64.S
# including xen-head.S, the Kconfig "source" lines and Makefile "obj-" lines
# naming the port's directories and frontend files) are not port files: they
# name paths, and whatever we put at those paths is what gets built.
#
# The few core files outside the port that the port needs changed are
# patched from patches/*.patch (step 5; each patch says at its top why it
# exists).
#
# It ends by printing "port: all N files ours, K core patches".
# With --check it changes nothing and only runs the final check on the
# existing tree.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
check_only=
if [ "${1:-}" = --check ]; then check_only=1; shift; fi
build=${1:?usage: $0 [--check] BUILD_DIR}
mkdir -p "$build"
build=$(cd "$build" && pwd)

tarball=/usr/src/linux-source-6.12.tar.xz
ksrc=$build/linux
pristine=$build/upstream-port

PORT_PATHS=(arch/x86/xen arch/x86/include/asm/xen drivers/xen include/xen
	    drivers/block/xen-blkfront.c drivers/net/xen-netfront.c
	    drivers/tty/hvc/hvc_xen.c)
OVERLAY=(arch/x86/configs/xen_defconfig arch/x86/configs/xen_debug_defconfig)

say() { echo "  PREP    $*"; }
die() { echo "prepare-tree: error: $*" >&2; exit 1; }

[ -n "$check_only" ] || "$top/scripts/install-deps.sh" build

# 1. Unpack once.  The marker records which tarball the tree came from.
stamp="$(stat -c '%s %Y' "$tarball") $tarball"
if [ -n "$check_only" ] && [ ! -f "$ksrc/.port-unpacked" ]; then
	die "no prepared tree in $ksrc"
fi
if [ ! -f "$ksrc/.port-unpacked" ] || [ "$(cat "$ksrc/.port-unpacked")" != "$stamp" ]; then
	say "unpacking $tarball into $ksrc (once; about a minute)"
	rm -rf "$ksrc" "$pristine"
	mkdir -p "$ksrc" "$pristine"
	tar -xJf "$tarball" -C "$ksrc" --strip-components=1
	members=()
	for p in "${PORT_PATHS[@]}"; do members+=("linux-source-6.12/$p"); done
	say "keeping upstream's port files in $pristine"
	tar -xJf "$tarball" -C "$pristine" --strip-components=1 "${members[@]}"
	say "deleting upstream's Xen guest port from the tree"
	for p in "${PORT_PATHS[@]}"; do rm -rf "${ksrc:?}/$p"; done
	echo "$stamp" > "$ksrc/.port-unpacked"
fi

# 2. Who provides each port file.
ours=$(mktemp) wanted=$(mktemp) intree=$(mktemp)
trap 'rm -f "$ours" "$wanted" "$intree"' EXIT

(cd "$top" && for p in "${PORT_PATHS[@]}"; do
	if [ -e "$p" ]; then find "$p" -type f; fi
done) | LC_ALL=C sort > "$ours"
# No file of ours may be upstream's own, byte for byte.
while read -r f; do
	if [ -f "$pristine/$f" ] && cmp -s "$pristine/$f" "$top/$f"; then
		die "$f is upstream's file, not ours"
	fi
done < "$ours"
cp "$ours" "$wanted"

list_tree() {
	(cd "$ksrc" && for p in "${PORT_PATHS[@]}"; do
		if [ -e "$p" ]; then find "$p" -type f; fi
	done) | LC_ALL=C sort
}

# The core patches, and patched_copies DIR FILES: the tarball's copies of
# the files listed in FILES, in DIR, with every patch applied.
shopt -s nullglob
patches=("$top"/patches/*.patch)
shopt -u nullglob
pstamp=$ksrc/.port-patches
psum=$(cat /dev/null "${patches[@]}" | sha256sum | cut -d' ' -f1)
ptouched=$(mktemp)
trap 'rm -f "$ours" "$wanted" "$intree" "$ptouched"' EXIT
patched_copies() {
	mkdir -p "$1"
	if [ -s "$2" ]; then
		tar -xJf "$tarball" -C "$1" --strip-components=1 \
			$(sed 's|^|linux-source-6.12/|' "$2") || return 1
	fi
	for p in "${patches[@]}"; do
		[ -n "$check_only" ] || say "core patch ${p##*/}"
		patch -d "$1" -p1 --batch --forward --no-backup-if-mismatch -s < "$p" ||
			{ echo "prepare-tree: error: ${p##*/} does not apply to $tarball" >&2; return 1; }
	done
}

if [ -z "$check_only" ]; then
# 3. Remove port files nobody provides any more.
list_tree > "$intree"
LC_ALL=C comm -23 "$intree" "$wanted" | while read -r f; do
	say "removing $f (not ours)"
	rm -f "$ksrc/$f"
done

# 4. Lay in ours, touching only what changed.
copy_changed() { # FROM_DIR FILE
	if ! cmp -s "$1/$2" "$ksrc/$2"; then
		mkdir -p "$(dirname "$ksrc/$2")"
		cp "$1/$2" "$ksrc/$2"
		echo "$2"
	fi
}
changed=0
while read -r f; do
	if [ -n "$(copy_changed "$top" "$f")" ]; then changed=$((changed + 1)); fi
done < <(cat "$ours"; printf '%s\n' "${OVERLAY[@]}")
if [ "$changed" -gt 0 ]; then say "$changed port files updated in the tree"; fi

# 5. Core patches: patches/*.patch, in name order, each with the reason it
#    exists at its top.  When the set changes, every core file a patch
#    touches (now or before) is taken fresh from the tarball, the patches
#    are applied to those copies, and the results are copied into the tree
#    where they differ, so a file no patch touches any more goes back to
#    upstream's and make rebuilds only what changed.
if [ ${#patches[@]} -gt 0 ]; then
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "${patches[@]}" | LC_ALL=C sort -u > "$ptouched"
fi
if [ ! -f "$pstamp" ] || [ "$(head -n1 "$pstamp")" != "$psum" ]; then
	ptmp=$(mktemp -d)
	tail -n +2 "$pstamp" 2>/dev/null | LC_ALL=C sort -u -m - "$ptouched" > "$ptmp/files" || true
	[ -s "$ptmp/files" ] || cp "$ptouched" "$ptmp/files"
	patched_copies "$ptmp/tree" "$ptmp/files" || { rm -rf "$ptmp"; exit 1; }
	while read -r f; do copy_changed "$ptmp/tree" "$f" > /dev/null; done < "$ptmp/files"
	{ echo "$psum"; cat "$ptouched"; } > "$pstamp"
	rm -rf "$ptmp"
fi
fi

# 6. The rule, checked on the result: every port file in the tree is ours or
#    listed, byte for byte.
list_tree > "$intree"
stray=$(LC_ALL=C comm -23 "$intree" "$wanted")
[ -z "$stray" ] || die "the tree holds port files that are not ours:
$stray"
while read -r f; do
	cmp -s "$top/$f" "$ksrc/$f" || die "$f in the tree differs from ours"
done < "$ours"
if [ -n "$check_only" ] && [ ${#patches[@]} -gt 0 ]; then
	[ "$(head -n1 "$pstamp" 2>/dev/null)" = "$psum" ] ||
		die "patches/ changed since the tree was prepared"
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "${patches[@]}" | LC_ALL=C sort -u > "$ptouched"
	ptmp=$(mktemp -d)
	patched_copies "$ptmp" "$ptouched" || { rm -rf "$ptmp"; exit 1; }
	while read -r f; do
		cmp -s "$ptmp/$f" "$ksrc/$f" ||
			{ rm -rf "$ptmp"; die "core file $f in the tree is not the tarball's plus patches/"; }
	done < "$ptouched"
	rm -rf "$ptmp"
fi

echo "port: all $(wc -l < "$ours") files ours, $(find "$top/patches" -name '*.patch' 2>/dev/null | wc -l) core patches"
