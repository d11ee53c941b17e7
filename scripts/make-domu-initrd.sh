#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make-domu-initrd.sh - the initramfs our test and `make run` domUs boot.
#
# Usage: scripts/make-domu-initrd.sh OUT.cpio.gz|OUT.cpio [EXTRA_ELF...]
#
# Contents: busybox-static, tests/domu/init as /init, tests/xtest built
# static, e2fsprogs (mke2fs, e2fsck), ethtool (the network tests switch
# offloads and read netfront's counters with it), Debian's xenstore-read,
# -write, -ls, -watch and friends (xenstore-utils: one program that looks at
# its name, talking to xenstore through the domU's /dev/xen/xenbus) and any
# EXTRA_ELF programs, each with the shared libraries ldd names.  The archive
# is written with the kernel's own usr/gen_init_cpio from $KOBJ, so device
# nodes need no root.  A name ending in .cpio gives an uncompressed archive
# (the kernel takes both).

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: $0 OUT.cpio.gz|OUT.cpio [EXTRA_ELF...]}
shift
KOBJ=${KOBJ:-$top/build/obj}
gen=$KOBJ/usr/gen_init_cpio
[ -x "$gen" ] || { echo "make-domu-initrd: $gen missing: build the kernel first" >&2; exit 1; }

"$top/scripts/install-deps.sh" check
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
list=$work/list
xtest=$(dirname "$out")/xtest
mkdir -p "$(dirname "$out")"
if [ ! -x "$xtest" ] || [ "$top/tests/xtest/xtest.c" -nt "$xtest" ]; then
	gcc -O2 -Wall -static -o "$xtest" "$top/tests/xtest/xtest.c"
fi

# The KUnit suites our port ships and their number of cases, one "NAME N"
# a line: the boot test wants each of them to report every case.
suites=$(dirname "$out")/kunit-suites.txt
(cd "$top" && git ls-files -- arch/x86/xen drivers/xen drivers/block drivers/net \
	drivers/tty | grep '\.c$' | xargs -r grep -l 'struct kunit_suite' | LC_ALL=C sort |
	while read -r f; do
	name=$(sed -n 's/^[[:space:]]*\.name = "\(.*\)",$/\1/p' "$f" | tail -n 1)
	echo "$name $(grep -cE '^[[:space:]]*KUNIT_CASE(_PARAM)?\(' "$f")"
done) > "$suites.tmp"
mv "$suites.tmp" "$suites"
declare -A seen
add_dir() {
	local d=$1
	if [ "$d" = / ] || [ -n "${seen[$d]:-}" ]; then return; fi
	seen[$d]=1
	add_dir "$(dirname "$d")"
	echo "dir $d 0755 0 0" >> "$list"
}
add_file() { # DEST SRC MODE
	if [ -n "${seen[$1]:-}" ]; then return; fi
	seen[$1]=1
	add_dir "$(dirname "$1")"
	echo "file $1 $(readlink -f "$2") $3 0 0" >> "$list"
}
add_elf() { # DEST SRC: a program and the shared libraries it loads
	add_file "$1" "$2" 0755
	{ ldd "$2" 2>/dev/null || true; } | { grep -oE '/[^ ]+' || true; } |
		sort -u > "$work/libs"
	while read -r lib; do add_file "$lib" "$lib" 0755; done < "$work/libs"
}

for d in /bin /sbin /etc /proc /sys /dev /tmp /mnt /run /root /lib64; do
	add_dir "$d"
done
echo "nod /dev/console 0600 0 0 c 5 1" >> "$list"
echo "nod /dev/null 0666 0 0 c 1 3" >> "$list"
add_file /init "$top/tests/domu/init" 0755
add_file /etc/profile "$top/tests/domu/profile" 0644
add_file /bin/busybox /bin/busybox 0755
add_file /sbin/poweroff "$top/tests/domu/power" 0755
echo "slink /sbin/reboot poweroff 0777 0 0" >> "$list"
echo "slink /bin/sh busybox 0777 0 0" >> "$list"
add_file /bin/xtest "$xtest" 0755
add_elf /sbin/mke2fs /sbin/mke2fs
add_elf /sbin/e2fsck /sbin/e2fsck
add_elf /sbin/ethtool /usr/sbin/ethtool
for l in mkfs.ext4 mkfs.ext2; do echo "slink /sbin/$l mke2fs 0777 0 0" >> "$list"; done
add_elf /usr/bin/xenstore /usr/bin/xenstore
for c in read write rm ls list exists chmod watch; do
	echo "slink /usr/bin/xenstore-$c xenstore 0777 0 0" >> "$list"
done
echo "slink /sbin/fsck.ext4 e2fsck 0777 0 0" >> "$list"
for p in "$@"; do add_elf "/usr/bin/$(basename "$p")" "$p"; done

case $out in
*.gz) "$gen" "$list" | gzip -1 > "$out.tmp" ;;
*) "$gen" "$list" > "$out.tmp" ;;
esac
mv "$out.tmp" "$out"
echo "  INITRD  $out ($(du -k "$out" | cut -f1) KiB)"
