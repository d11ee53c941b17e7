#!/bin/bash
# make-dom0.sh OUTDIR
#
# Builds what boot.sh needs to run Debian's Xen 4.17 with a small Debian dom0
# under QEMU:
#   OUTDIR/xen.elf        the hypervisor (multiboot ELF, for qemu -kernel)
#   OUTDIR/dom0.vmlinuz   Debian's 6.1 kernel (the one linux-image-amd64 pulls)
#   OUTDIR/dom0.cpio.gz   dom0 initramfs: busybox-static, the xl toolstack,
#                         xenstored/xenconsoled, real ip/losetup, their shared
#                         libraries, the Xen backend modules, virtio-blk (for
#                         boot.sh --image) and our /init
#   OUTDIR/dom0-qemu.cpio.gz
#                         an overlay for it: Debian's QEMU for Xen (the device
#                         model xl starts for qdisk disks) and the shared
#                         libraries it needs that dom0.cpio.gz lacks; boot.sh
#                         appends it only when a disk uses qdisk, so other
#                         runs do not pay for its size
# The hypervisor and kernel packages are fetched with `apt-get download` and
# unpacked with dpkg-deb into OUTDIR/pkgs (their maintainer scripts never run
# on this host); host tools that are missing are apt-get installed.
# Idempotent: a step is skipped while its output is newer than its inputs.
set -euo pipefail

XENVER=4.17
XENBIN=/usr/lib/xen-$XENVER/bin
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DOM0SRC=$HERE/dom0

say() { echo "dom0: $*" >&2; }
die() { echo "dom0: error: $*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
mkdir -p "$1/pkgs"
OUT=$(cd "$1" && pwd)
PKGS=$OUT/pkgs
# one builder at a time per OUTDIR
exec 9>"$OUT/.lock"
flock 9

# stale OUTPUT INPUT... : true when OUTPUT is missing or older than an input
stale() {
	local out=$1 in
	shift
	[ -e "$out" ] || return 0
	for in in "$@"; do
		[ "$in" -nt "$out" ] && return 0
	done
	return 1
}

# --- host packages ---------------------------------------------------------
HOST_PKGS=(qemu-system-x86 busybox-static "xen-utils-$XENVER" xenstore-utils
	iproute2 mount cpio kmod gzip iperf3 qemu-system-xen)
missing=()
for p in "${HOST_PKGS[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	say "installing host packages: ${missing[*]}"
	if ! apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
		apt-get update >&2
		apt-get install -y --no-install-recommends "${missing[@]}" >&2
	fi
fi

# --- hypervisor and dom0 kernel packages ------------------------------------
apt_updated=0
apt_update_once() {
	if [ "$apt_updated" = 0 ]; then
		say "apt-get update"
		apt-get update >&2
		apt_updated=1
	fi
}

# candidate_version PKG: version apt would install, empty if unknown
candidate_version() {
	apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Version: //p' | head -n1
}

# fetch_deb PKG: prints the path of PKG's .deb in $PKGS, downloading if needed
fetch_deb() {
	local name=$1 ver deb
	ver=$(candidate_version "$name")
	if [ -z "$ver" ]; then
		apt_update_once
		ver=$(candidate_version "$name")
	fi
	[ -n "$ver" ] || die "apt knows no package $name"
	deb=$PKGS/${name}_${ver//:/%3a}_amd64.deb
	if [ ! -s "$deb" ]; then
		say "downloading $name $ver"
		(cd "$PKGS" && apt-get download "$name=$ver") >&2 ||
			die "apt-get download $name=$ver failed"
	fi
	[ -s "$deb" ] || die "download of $name did not produce $deb"
	echo "$deb"
}

# unpack DEB DIR: dpkg-deb -x DEB into a fresh DIR unless DIR/.stamp is newer
unpack() {
	local deb=$1 dir=$2
	if stale "$dir/.stamp" "$deb"; then
		say "unpacking ${deb##*/}"
		rm -rf "$dir"
		mkdir -p "$dir"
		dpkg-deb -x "$deb" "$dir"
		touch "$dir/.stamp"
	fi
}

kpkg_name() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *|\{0,1\}Depends: \(linux-image-6\.1[^ ]*-amd64\) *$/\1/p' | head -n1
}

XEN_DEB=$(fetch_deb "xen-hypervisor-$XENVER-amd64")
KPKG=$(kpkg_name)
if [ -z "$KPKG" ]; then
	apt_update_once
	KPKG=$(kpkg_name)
fi
[ -n "$KPKG" ] || die "cannot tell which linux-image-6.1*-amd64 linux-image-amd64 depends on"
K_DEB=$(fetch_deb "$KPKG")

XDIR=$PKGS/xen-hypervisor
KDIR=$PKGS/linux-image
unpack "$XEN_DEB" "$XDIR"
if stale "$KDIR/.stamp" "$K_DEB"; then
	unpack "$K_DEB" "$KDIR"
	for d in "$KDIR"/lib/modules/*/; do
		v=$(basename "$d")
		say "depmod $v"
		depmod -b "$KDIR" "$v"
	done
	touch "$KDIR/.stamp"
fi

KVER=$(basename "$(find "$KDIR/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n1)")
if [ -z "$KVER" ] || [ ! -f "$KDIR/lib/modules/$KVER/modules.dep" ]; then
	die "no modules.dep in $KDIR/lib/modules"
fi

if stale "$OUT/xen.elf" "$XDIR/.stamp"; then
	say "xen.elf"
	gunzip -c "$XDIR/boot/xen-$XENVER-amd64.gz" >"$OUT/xen.elf.tmp"
	mv "$OUT/xen.elf.tmp" "$OUT/xen.elf"
fi
if stale "$OUT/dom0.vmlinuz" "$KDIR/.stamp"; then
	say "dom0.vmlinuz ($KVER)"
	cp "$KDIR/boot/vmlinuz-$KVER" "$OUT/dom0.vmlinuz.tmp"
	mv "$OUT/dom0.vmlinuz.tmp" "$OUT/dom0.vmlinuz"
fi

# --- dom0 initramfs ---------------------------------------------------------
XEN_TOOLS=(xl xenstored xenconsoled xenconsole xen-init-dom0 libxl-save-helper
	xenstore-control)
XENSTORE_CLIS=(xenstore-read xenstore-write xenstore-rm xenstore-ls xenstore-list
	xenstore-exists xenstore-chmod xenstore-watch)
BUSYBOX=/bin/busybox
REAL_IP=$(command -v ip || echo /sbin/ip)
REAL_LOSETUP=$(command -v losetup || echo /sbin/losetup)
# the device model libxl runs for qdisk disks (strings libxenlight.so)
QEMU_DM=/usr/libexec/xen-qemu-system-i386
# its data files: libxl passes `-vnc none`, and QEMU still loads the default
# keymap (from qemu-system-data), or exits
QEMU_DATA=(/usr/share/qemu/keymaps/en-us)
MODULES=(xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-blkback
	xen-netback bridge loop dm-delay virtio_pci virtio_blk)
# shipped, but loaded by the tests that want them (blkfront.sh's slow disk)
ON_DEMAND=" dm-delay "
# device-mapper's tool, for that slow disk
REAL_DMSETUP=$(command -v dmsetup || echo /sbin/dmsetup)

inputs=("${BASH_SOURCE[0]}" "$KDIR/.stamp" "$BUSYBOX" "$REAL_IP" "$REAL_LOSETUP" "$REAL_DMSETUP"
	/usr/bin/xenstore /usr/bin/iperf3 /sbin/e2fsck /sbin/debugfs /var/lib/dpkg/status)
for t in "${XEN_TOOLS[@]}"; do inputs+=("$XENBIN/$t"); done
while IFS= read -r -d '' f; do inputs+=("$f"); done < <(find "$DOM0SRC" -type f -print0)

R=$OUT/dom0-root

# pack DIR OUT: a gzipped newc archive of DIR's tree, owned by root
pack() {
	(cd "$1" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) | gzip -6 >"$2.tmp"
	mv "$2.tmp" "$2"
}

# qemu_overlay: OUTDIR/dom0-qemu.cpio.gz, if stale.  libxl starts $QEMU_DM
# as the device model of a domain with a qdisk disk (for a PV domain with
# `-machine xenpv`, which loads no firmware or option ROM).  The overlay has
# its own root and holds only what dom0-root lacks.
qemu_overlay() {
	local Q=$OUT/dom0-qemu-root lib rel f
	stale "$OUT/dom0-qemu.cpio.gz" "${BASH_SOURCE[0]}" "$OUT/dom0.cpio.gz" \
		"$QEMU_DM" "${QEMU_DATA[@]}" /var/lib/dpkg/status || return 0
	[ -x "$QEMU_DM" ] || die "missing $QEMU_DM (package qemu-system-xen)"
	say "building the qdisk overlay in $Q"
	rm -rf "$Q"
	mkdir -p "$Q$(dirname "$QEMU_DM")"
	cp -L "$QEMU_DM" "$Q$QEMU_DM"
	chmod 755 "$Q$QEMU_DM"
	while read -r lib; do
		case $lib in
		/usr/*) rel=$lib ;;
		/*) rel=/usr$lib ;;
		*) continue ;;
		esac
		if [ -e "$R$rel" ] || [ -e "$Q$rel" ]; then
			continue
		fi
		mkdir -p "$(dirname "$Q$rel")"
		cp -L "$lib" "$Q$rel"
	done < <(ldd "$QEMU_DM" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p')
	for f in "${QEMU_DATA[@]}"; do
		[ -f "$f" ] || die "missing $f (package qemu-system-data)"
		mkdir -p "$Q$(dirname "$f")"
		cp "$f" "$Q$f"
	done
	pack "$Q" "$OUT/dom0-qemu.cpio.gz"
	say "done: $OUT/dom0-qemu.cpio.gz ($(du -h "$OUT/dom0-qemu.cpio.gz" | cut -f1))"
}

if ! stale "$OUT/dom0.cpio.gz" "${inputs[@]}"; then
	say "dom0.cpio.gz is up to date"
	qemu_overlay
	exit 0
fi

say "building dom0 root in $R"
rm -rf "$R"
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,usr/lib64,proc,sys,dev,run,tmp,root,mnt,etc/xen/scripts,var/log/xen/console,var/lib/xen,var/lib/xenstored,"${XENBIN#/}",hostdata,extra}
ln -s usr/lib "$R/lib"
ln -s usr/lib64 "$R/lib64"
ln -s ../run "$R/var/run"
ln -s ../run/lock "$R/var/lock"
chmod 1777 "$R/tmp"

# busybox and its applet links (applets that we replace by real tools below
# are overwritten)
ldd "$BUSYBOX" >/dev/null 2>&1 && die "$BUSYBOX is not static (install busybox-static)"
cp "$BUSYBOX" "$R/bin/busybox"
"$BUSYBOX" --list-full | while IFS= read -r a; do
	[ "$a" = bin/busybox ] && continue
	mkdir -p "$R/$(dirname "$a")"
	ln -sf /bin/busybox "$R/$a"
done

# copy_lib PATH: put a shared library (dereferenced) at its path in the root;
# /lib and /lib64 are symlinks into /usr there
copy_lib() {
	local src=$1 dst
	case $src in
	/usr/*) dst=$R$src ;;
	/*) dst=$R/usr$src ;;
	*) return 0 ;;
	esac
	[ -e "$dst" ] && return 0
	mkdir -p "$(dirname "$dst")"
	cp -L "$src" "$dst"
}

# copy_bin SRC DST: copy an executable and the libraries ldd finds for it
copy_bin() {
	local src=$1 dst=$2 lib
	rm -f "$R$dst"
	mkdir -p "$(dirname "$R$dst")"
	cp -L "$src" "$R$dst"
	chmod 755 "$R$dst"
	while read -r lib; do
		copy_lib "$lib"
	done < <(ldd "$src" 2>/dev/null | sed -n -e 's/.*=> \(\/[^ ]*\) .*/\1/p' -e 's/^[[:space:]]*\(\/[^ ]*\) .*/\1/p')
}

say "copying Xen tools and libraries"
for t in "${XEN_TOOLS[@]}"; do
	[ -x "$XENBIN/$t" ] || die "missing $XENBIN/$t"
	copy_bin "$XENBIN/$t" "$XENBIN/$t"
done
# xl exits threads via pthread_exit, which dlopens libgcc_s (not in ldd)
libgcc=$(ldconfig -p | sed -n 's/.*libgcc_s\.so\.1 (libc6,x86-64) => \(.*\)$/\1/p' | head -n1)
[ -n "$libgcc" ] || libgcc=/lib/x86_64-linux-gnu/libgcc_s.so.1
[ -e "$libgcc" ] || die "libgcc_s.so.1 not found"
copy_lib "$libgcc"
# the xenstore-* clients are one binary that looks at argv[0]
copy_bin /usr/bin/xenstore /usr/bin/xenstore
for c in "${XENSTORE_CLIS[@]}"; do
	ln -sf xenstore "$R/usr/bin/$c"
done
for t in xl xenstore-control; do
	ln -sf "$XENBIN/$t" "$R/usr/sbin/$t"
done
copy_bin "$REAL_IP" /sbin/ip
copy_bin "$REAL_LOSETUP" /sbin/losetup
copy_bin "$REAL_DMSETUP" /sbin/dmsetup
copy_bin /usr/bin/iperf3 /usr/bin/iperf3
# dom0 judges what the domU wrote to an ext4 disk: e2fsck and debugfs read
# the backing file directly
copy_bin /sbin/e2fsck /sbin/e2fsck
copy_bin /sbin/debugfs /sbin/debugfs

# kernel modules, in load order (dependencies first, from modules.dep)
say "selecting dom0 modules from $KVER"
MODDIR=$KDIR/lib/modules/$KVER
declare -A MODDEP=() SEEN=()
while IFS= read -r line; do
	key=${line%%:*}
	b=${key##*/}
	MODDEP[${b%%.ko*}]=$line
done <"$MODDIR/modules.dep"
ORDER=()
add_mod() { # add_mod PATH (relative to MODDIR)
	local path=$1 b
	b=${path##*/}
	b=${b%%.ko*}
	[ -n "${SEEN[$b]:-}" ] && return 0
	SEEN[$b]=1
	ORDER+=("$path")
}
for m in "${MODULES[@]}"; do
	n=${m//-/_}
	line=${MODDEP[$m]:-${MODDEP[$n]:-}}
	if [ -z "$line" ]; then
		if grep -Eq "/($m|$n)\.ko" "$MODDIR/modules.builtin"; then
			continue
		fi
		die "module $m neither in modules.dep nor built in"
	fi
	read -r -a deps <<<"${line#*:}"
	for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
		add_mod "${deps[i]}"
	done
	add_mod "${line%%:*}"
done
: >"$R/etc/dom0-modules"
mkdir -p "$R/lib/modules/$KVER"
for path in "${ORDER[@]}"; do
	src=$MODDIR/$path
	plain=${path%.ko*}.ko
	mkdir -p "$(dirname "$R/lib/modules/$KVER/$plain")"
	case $path in
	*.ko) cp "$src" "$R/lib/modules/$KVER/$plain" ;;
	*.ko.xz) xz -dc "$src" >"$R/lib/modules/$KVER/$plain" ;;
	*.ko.zst) zstd -qdc "$src" >"$R/lib/modules/$KVER/$plain" ;;
	*.ko.gz) gzip -dc "$src" >"$R/lib/modules/$KVER/$plain" ;;
	*) die "unknown module format $path" ;;
	esac
	b=${plain##*/}
	[[ $ON_DEMAND == *" ${b%.ko} "* ]] ||
		echo "/lib/modules/$KVER/$plain" >>"$R/etc/dom0-modules"
done
# a modules.dep covering what we ship, so busybox modprobe works too
for path in "${ORDER[@]}"; do
	b=${path##*/}
	line=${MODDEP[${b%%.ko*}]}
	line=${line//.ko.xz/.ko}
	line=${line//.ko.zst/.ko}
	echo "${line//.ko.gz/.ko}"
done >"$R/lib/modules/$KVER/modules.dep"
cp "$MODDIR/modules.builtin" "$R/lib/modules/$KVER/"
say "modules: $(sed 's|.*/||' "$R/etc/dom0-modules" | tr '\n' ' ')"

# our init, hotplug scripts and configuration
install -m 755 "$DOM0SRC/init" "$R/init"
install -m 755 "$DOM0SRC/block" "$R/etc/xen/scripts/block"
install -m 755 "$DOM0SRC/vif-bridge" "$R/etc/xen/scripts/vif-bridge"
install -m 644 "$DOM0SRC/xl.conf" "$R/etc/xen/xl.conf"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R/etc/passwd"
printf 'root:x:0:\ntty:x:5:\n' >"$R/etc/group"
echo dom0 >"$R/etc/hostname"
mknod -m 600 "$R/dev/console" c 5 1
mknod -m 666 "$R/dev/null" c 1 3

say "packing dom0.cpio.gz"
pack "$R" "$OUT/dom0.cpio.gz"
say "done: $OUT/xen.elf $OUT/dom0.vmlinuz $OUT/dom0.cpio.gz ($(du -h "$OUT/dom0.cpio.gz" | cut -f1))"
qemu_overlay
