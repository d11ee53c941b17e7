#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# debian-image.sh - the Debian 12 domU: a root filesystem image with our
# kernel package installed, booted through PVGRUB2 the way Debian users boot
# their Xen guests.
#
# Usage: scripts/debian-image.sh BUILD_DIR
#
# Three outputs under BUILD_DIR/debian, each rebuilt only when its inputs
# change:
#
#   base.tar     mmdebstrap of Debian 12 (bookworm) from the archive this
#                machine's apt sources name: systemd, udev, ifupdown,
#                xenstore-utils, e2fsprogs and Debian's own kernel
#                (linux-image-amd64, the control).  Its inputs are the
#                package list below and the apt sources; it is the slow step
#                (a few minutes, mostly downloads).
#   rootfs.img   a 2 GiB ext4 file system, no partition table (the domU sees
#                it as /dev/xvda): base.tar, our linux-image package (the
#                newest BUILD_DIR/linux-image-*-xenport*.deb, from `make
#                bindeb-pkg`) installed with dpkg -i, which also makes its
#                initramfs, and the few files a Debian installer would have
#                written: fstab, hostname, /etc/network/interfaces (eth0
#                static 10.0.0.2/24, dom0 is 10.0.0.1), a root password, a
#                persistent journal, and /boot/grub/grub.cfg.
#   pvgrub-x86_64.bin
#                PVGRUB2, the grub-x86_64-xen.bin of Debian's grub-xen-host
#                (fetched with apt-get download, unpacked, never installed).
#                As the domain's "kernel" it finds /boot/grub/grub.cfg on
#                xvda and boots what that file says.
#
# grub.cfg is written here because update-grub cannot run in a chroot (it
# asks the running system which device holds /).  It has one entry per
# kernel in /boot, ours first, and picks the entry named by the variable
# domu_kernel in /boot/grub/grubenv when set (xenport, debian or baseline):
# that is how the tests choose (dom0 writes grubenv with debugfs); at the
# menu on the console (two seconds) a user picks by hand.
#
# The root password is "xen": this image is for tests on a private bridge,
# never for a network anyone else can reach.

set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: $0 BUILD_DIR}
mkdir -p "$build/debian"
build=$(cd "$build" && pwd)
out=$build/debian

say() { echo "  DEBIAN  $*"; }
die() { echo "debian-image: error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (mmdebstrap, chroot and mkfs -d keep file owners)"
"$top/scripts/install-deps.sh" debian

SUITE=bookworm
IMAGE_MB=2048
PACKAGES=(systemd-sysv udev dbus libpam-systemd kmod procps iproute2
	  iputils-ping ifupdown netbase xenstore-utils e2fsprogs
	  initramfs-tools linux-image-amd64)

exec 9>"$out/.lock"
flock 9

# key WORDS...: one line that changes when any input changes
key() { printf '%s\n' "$@" | sha256sum | cut -d' ' -f1; }

# --- 1. base.tar ------------------------------------------------------------
sources=()
for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list; do
	[ -s "$f" ] || continue
	grep -qs 'deb\.debian\.org\|/debian' "$f" || continue
	sources+=("$f")
done
base_key=$(key "$SUITE" "${PACKAGES[*]}" "$(cat "${sources[@]}" 2>/dev/null)")
if [ ! -s "$out/base.tar" ] || [ "$(cat "$out/base.key" 2>/dev/null)" != "$base_key" ]; then
	say "mmdebstrap $SUITE: ${#PACKAGES[@]} packages and what they need (a few minutes)"
	rm -f "$out/base.tar" "$out/base.key"
	SECONDS=0
	mmdebstrap --quiet --mode=root --variant=minbase --format=tar \
		--include="$(IFS=,; echo "${PACKAGES[*]}")" \
		"$SUITE" "$out/base.tar.tmp" "${sources[@]}" ||
		die "mmdebstrap failed"
	mv "$out/base.tar.tmp" "$out/base.tar"
	echo "$base_key" >"$out/base.key"
	say "base.tar: $(du -h "$out/base.tar" | cut -f1) in ${SECONDS}s"
fi

# --- 2. PVGRUB2 ---------------------------------------------------------------
if [ ! -s "$out/pvgrub-x86_64.bin" ]; then
	say "fetching PVGRUB2 (grub-xen-host)"
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get -o APT::Sandbox::User=root download grub-xen-host >/dev/null) ||
		die "apt-get download grub-xen-host failed"
	dpkg-deb -x "$tmp"/grub-xen-host_*.deb "$tmp/x"
	cp "$tmp/x/usr/lib/grub-xen/grub-x86_64-xen.bin" "$out/pvgrub-x86_64.bin"
	rm -rf "$tmp"
fi

# --- 3. rootfs.img ------------------------------------------------------------
# shellcheck disable=SC2012  # names are ours, no odd characters
deb=$(ls -t "$build"/linux-image-*-xenport_*.deb 2>/dev/null | grep -v -- -dbg_ | head -n1 || true)
[ -n "$deb" ] || die "no linux-image-*-xenport package in $build: run make bindeb-pkg first"
img_key=$(key "$base_key" "$(sha256sum "$deb")" "$(sha256sum "${BASH_SOURCE[0]}")")
if [ -s "$out/rootfs.img" ] && [ "$(cat "$out/rootfs.key" 2>/dev/null)" = "$img_key" ]; then
	say "rootfs.img is up to date (${deb##*/})"
	exit 0
fi

say "rootfs.img: base.tar + ${deb##*/}"
SECONDS=0
root=$out/root
rm -rf "$root" "$out/rootfs.img" "$out/rootfs.key"
mkdir -p "$root"
tar -C "$root" --xattrs --xattrs-include='*' -xpf "$out/base.tar"
cp "$deb" "$root/tmp/"
# dpkg -i in a private mount namespace: /proc, /sys and /dev for the
# maintainer scripts vanish with it
unshare -m sh -ec '
	root=$1; deb=$2
	mount -t proc proc "$root/proc"
	mount -t sysfs sysfs "$root/sys"
	mount --rbind /dev "$root/dev"
	chroot "$root" env DEBIAN_FRONTEND=noninteractive dpkg -i "/tmp/$deb"
' sh "$root" "${deb##*/}" >"$out/dpkg.log" 2>&1 || {
	cat "$out/dpkg.log" >&2
	die "dpkg -i ${deb##*/} failed"
}
rm -f "$root/tmp/${deb##*/}"

ours=$(basename "$(ls -d "$root"/lib/modules/*-xenport* | head -n1)")
theirs=$(basename "$(ls -d "$root"/lib/modules/*-amd64 | head -n1)")
[ -f "$root/boot/vmlinuz-$ours" ] || die "our package left no /boot/vmlinuz-$ours"
[ -f "$root/boot/vmlinuz-$theirs" ] || die "no Debian kernel in the image"

echo debian-domu >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tdebian-domu\n' >"$root/etc/hosts"
echo '/dev/xvda / ext4 errors=remount-ro 0 1' >"$root/etc/fstab"
cat >"$root/etc/network/interfaces" <<'EOF'
source /etc/network/interfaces.d/*

auto lo
iface lo inet loopback

auto eth0
iface eth0 inet static
	address 10.0.0.2/24
	gateway 10.0.0.1
EOF
echo 'root:xen' | chroot "$root" chpasswd
mkdir -p "$root/var/log/journal"
# machine-id is made at first boot, as on any new installation
: >"$root/etc/machine-id"

# entry ID TITLE VERSION: a grub.cfg menu entry for /boot/vmlinuz-VERSION
# (TITLE goes in single quotes: no apostrophes in it)
entry() {
	echo "menuentry '$2' --id $1 {"
	echo "	echo 'Loading Linux $3 ...'"
	echo "	linux /boot/vmlinuz-$3 root=/dev/xvda ro console=hvc0 net.ifnames=0"
	if [ -f "$root/boot/initrd.img-$3" ]; then
		echo "	echo 'Loading initial ramdisk ...'"
		echo "	initrd /boot/initrd.img-$3"
	fi
	echo "}"
}
mkdir -p "$root/boot/grub"
{
	echo "# Written by scripts/debian-image.sh (update-grub's job on an installed"
	echo "# system).  PVGRUB2 reads it.  grubenv's domu_kernel picks the entry."
	echo "set timeout=2"
	echo "set default=xenport"
	echo "load_env -f /boot/grub/grubenv"
	echo 'if [ -n "$domu_kernel" ]; then'
	echo '	echo "grubenv picks $domu_kernel"'
	echo '	set default="$domu_kernel"'
	echo 'fi'
	entry xenport "Debian GNU/Linux, with Linux $ours (our Xen port)" "$ours"
	entry debian "Debian GNU/Linux, with Linux $theirs (the Debian kernel)" "$theirs"
	echo "if [ -f /boot/vmlinuz-baseline ]; then"
	echo "menuentry 'Debian GNU/Linux, with upstream Linux Xen port (bench baseline)' --id baseline {"
	echo "	linux /boot/vmlinuz-baseline root=/dev/xvda ro console=hvc0 net.ifnames=0"
	[ -f "$root/boot/initrd.img-$ours" ] && echo "	initrd /boot/initrd.img-$ours"
	echo "}"
	echo "fi"
} >"$root/boot/grub/grub.cfg"
# a GRUB environment block is exactly 1024 bytes
printf '# GRUB Environment Block\n%s' "$(printf '#%.0s' $(seq 1 999))" >"$root/boot/grub/grubenv"
truncate -s 1024 "$root/boot/grub/grubenv"

mkfs.ext4 -q -F -L debian-root -d "$root" "$out/rootfs.img.tmp" "${IMAGE_MB}M" ||
	die "mkfs.ext4 -d failed"
mv "$out/rootfs.img.tmp" "$out/rootfs.img"
rm -rf "$root"
echo "$img_key" >"$out/rootfs.key"
echo "$ours $theirs" >"$out/kernels"
say "rootfs.img: kernels $ours (ours) and $theirs (Debian's), $(du -h "$out/rootfs.img" | cut -f1) used of ${IMAGE_MB} MiB, in ${SECONDS}s"
