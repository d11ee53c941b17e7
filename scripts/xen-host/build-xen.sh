#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-xen.sh FLAVOUR OUTDIR
#
# Builds the Xen 4.17 hypervisor (xen/ only; the toolstack stays Debian's
# xen-utils-4.17) from Debian's own source package, with Debian's own
# hypervisor config plus what the flavour needs:
#
#   shadow  CONFIG_SHADOW_PAGING=y.  Debian's binary leaves shadow paging
#           out, and a PV guest's log-dirty mode (what `xl migrate` and a
#           live `xl save` use) needs it.
#   debug   shadow, plus CONFIG_DEBUG and CONFIG_VERBOSE_DEBUG: assertions,
#           more checks of what a guest asks for, and a domU's console_io
#           writes (earlyprintk=xen) printed on Xen's serial line, so a guest
#           that dies before its console ring works still says why; and
#           CONFIG_PERF_COUNTERS with PERF_ARRAYS: Xen counts every
#           hypercall by number ('p' debug key prints, 'P' resets), which
#           bench/hypercalls.sh reads.
#
# Output, in OUTDIR:
#   xen-FLAVOUR.elf      the multiboot image QEMU loads with -kernel
#   xen-FLAVOUR.config   the config it was built with
#   xen-FLAVOUR.build-id its GNU build-id, as `xl info` prints it
#   xen-FLAVOUR.inputs   what the build was made from; the build runs again
#                        only when this would change
#
# Source: `apt-get source` of the newest Debian version of package xen that
# the mirror serves (a deb-src line for the suites apt already uses is added
# when there is none), unpacked with dpkg-source (Debian's patches applied)
# under OUTDIR/xen-src.  The config is the one Debian ships in
# xen-hypervisor-4.17-amd64 of that same version, fetched with `apt-get
# download`.  Missing build tools are installed with apt.
set -euo pipefail

XENVER=4.17

say() { echo "xen-build: $*" >&2; }
die() {
	echo "xen-build: error: $*" >&2
	exit 1
}

[ $# -eq 2 ] || {
	echo "usage: $0 shadow|debug|syms OUTDIR" >&2
	exit 2
}
FLAVOUR=$1
case $FLAVOUR in
shadow) EXTRA_CONFIG=(CONFIG_SHADOW_PAGING=y) ;;
debug) EXTRA_CONFIG=(CONFIG_SHADOW_PAGING=y CONFIG_DEBUG=y CONFIG_VERBOSE_DEBUG=y
	CONFIG_PERF_COUNTERS=y CONFIG_PERF_ARRAYS=y) ;;
# Debian's own config, with its symbol table kept beside it (xen-syms.syms):
# for profiles that name Xen's functions (bench/profile.sh)
syms) EXTRA_CONFIG=() ;;
*) die "flavour must be shadow, debug or syms, not '$FLAVOUR'" ;;
esac
mkdir -p "$2"
OUT=$(cd "$2" && pwd)
SRCROOT=$OUT/xen-src
mkdir -p "$SRCROOT"
# one builder at a time per OUTDIR (make-dom0.sh takes .lock)
exec 8>"$OUT/.xen-build.lock"
flock 8

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive

# --- build tools -----------------------------------------------------------
TOOLS=(dpkg-dev build-essential flex bison python3 xz-utils binutils gzip)
missing=()
for p in "${TOOLS[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	say "installing build tools: ${missing[*]}"
	$sudo apt-get update -qq >&2
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# --- deb-src ---------------------------------------------------------------
# A deb-src line for each archive and suite apt gets Xen's binaries from
# (as apt-cache policy names them), so the source is the one Debian built
# those from.
source_versions() {
	apt-cache showsrc xen 2>/dev/null | sed -n 's/^Version: //p' |
		grep "^$XENVER\." | sort -u
}
if [ -z "$(source_versions)" ]; then
	list=/etc/apt/sources.list.d/xen-host-deb-src.list
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	opt=
	[ -f "$keyring" ] && opt="[signed-by=$keyring] "
	lines=$(apt-cache policy "xen-utils-$XENVER" "xen-hypervisor-$XENVER-amd64" |
		awk -v o="$opt" '$1 ~ /^[0-9]+$/ && $2 ~ /^[a-z]+:\/\// && $3 ~ /\// {
			split($3, s, "/"); print "deb-src " o $2 " " s[1] " " s[2] }' | sort -u)
	[ -n "$lines" ] || die "apt knows no archive that serves xen-utils-$XENVER"
	say "adding deb-src lines to $list:"
	printf '%s\n' "$lines" | sed 's/^/xen-build:   /' >&2
	printf '# added by scripts/xen-host/build-xen.sh: apt-get source xen\n%s\n' \
		"$lines" | $sudo tee "$list" >/dev/null
	$sudo apt-get update -qq >&2
	[ -n "$(source_versions)" ] || die "apt still knows no source of xen $XENVER.x"
fi

# --- the source: the newest version the mirror really serves -----------------
VER=
for v in $(source_versions | sort -r -V); do
	dsc=$SRCROOT/xen_${v#*:}.dsc
	if [ -s "$dsc" ]; then
		VER=$v
		break
	fi
	say "apt-get source xen=$v"
	if (cd "$SRCROOT" && apt-get source --download-only -qq "xen=$v") >"$SRCROOT/apt.log" 2>&1; then
		VER=$v
		break
	fi
	say "  not served by this mirror ($(grep -m1 -o '[0-9][0-9][0-9] *Not Found' "$SRCROOT/apt.log" ||
		echo "see $SRCROOT/apt.log")); trying an older version"
done
[ -n "$VER" ] || die "no version of Debian's xen $XENVER source could be downloaded"
DSC=$SRCROOT/xen_${VER#*:}.dsc

# Debian's config for this version, from its hypervisor package
HV_DEB=$(find "$SRCROOT" -maxdepth 1 -name "xen-hypervisor-${XENVER}-amd64_${VER//:/%3a}_amd64.deb" | head -n1)
if [ -z "$HV_DEB" ]; then
	say "apt-get download xen-hypervisor-$XENVER-amd64=$VER (for Debian's config)"
	(cd "$SRCROOT" && apt-get download -qq "xen-hypervisor-$XENVER-amd64=$VER") >"$SRCROOT/apt.log" 2>&1 ||
		die "cannot download xen-hypervisor-$XENVER-amd64=$VER ($SRCROOT/apt.log)"
	HV_DEB=$(find "$SRCROOT" -maxdepth 1 -name "xen-hypervisor-${XENVER}-amd64_*${VER#*:}*_amd64.deb" | head -n1)
fi
[ -s "$HV_DEB" ] || die "no xen-hypervisor deb for $VER in $SRCROOT"
BASECONF=$SRCROOT/debian-$VER.config
if [ ! -s "$BASECONF" ]; then
	dpkg-deb --fsys-tarfile "$HV_DEB" | tar -xO "./boot/xen-$XENVER-amd64.config" >"$BASECONF.tmp"
	mv "$BASECONF.tmp" "$BASECONF"
fi

# --- up to date? ---------------------------------------------------------------
inputs() {
	echo "flavour $FLAVOUR"
	echo "source $VER $(sha256sum <"$DSC" | cut -d' ' -f1)"
	echo "config $(sha256sum <"$BASECONF" | cut -d' ' -f1) + ${EXTRA_CONFIG[*]}"
	echo "recipe 1"	# raise when the way of building below changes
	echo "gcc $(gcc -dumpfullversion) binutils $(ld --version | head -n1)"
}
ELF=$OUT/xen-$FLAVOUR.elf
if [ -s "$ELF" ] && [ -s "$OUT/xen-$FLAVOUR.build-id" ] &&
	{ [ "$FLAVOUR" != syms ] || [ -s "$OUT/xen-syms.syms" ]; } &&
	[ "$(inputs)" = "$(cat "$OUT/xen-$FLAVOUR.inputs" 2>/dev/null)" ]; then
	say "xen-$FLAVOUR.elf is up to date (Xen $VER)"
	exit 0
fi

# --- build -----------------------------------------------------------------------
T=$SRCROOT/build-$FLAVOUR
say "unpacking Debian's xen $VER into $T (Debian's patches applied)"
rm -rf "$T"
# (dpkg-source cannot check the .dsc's signature without Debian's developer
# keys; apt checked the download against the archive's signed index)
dpkg-source -q -x "$DSC" "$T" >"$SRCROOT/dpkg-source.log" 2>&1 ||
	die "dpkg-source -x failed: $(tail -n 3 "$SRCROOT/dpkg-source.log")"
cp "$BASECONF" "$T/xen/.config"
for c in "${EXTRA_CONFIG[@]}"; do
	sed -i "/^${c%%=*}=/d; /^# ${c%%=*} is not set/d" "$T/xen/.config"
	echo "$c" >>"$T/xen/.config"
done
MK=(make -C "$T/xen" XEN_TARGET_ARCH=x86_64 XEN_COMPILE_ARCH=x86_64
	WGET=/bin/false GIT=/bin/false)
"${MK[@]}" -s olddefconfig >&2
for c in "${EXTRA_CONFIG[@]}"; do
	grep -qx "$c" "$T/xen/.config" || die "$c did not survive olddefconfig"
done
start=$SECONDS
say "building the $FLAVOUR hypervisor (${EXTRA_CONFIG[*]}), -j$(nproc); 5-10 min on 2 cores"
if ! "${MK[@]}" -j"$(nproc)" >"$T/build.log" 2>&1; then
	tail -n 30 "$T/build.log" >&2
	die "the build failed; whole log in $T/build.log"
fi
[ -s "$T/xen/xen" ] || die "the build made no $T/xen/xen"
id=$(readelf -n "$T/xen/xen-syms" | sed -n 's/^ *Build ID: *//p' | head -n1)
[ -n "$id" ] || die "xen-syms has no GNU build-id note"
cp "$T/xen/xen" "$ELF.tmp"
mv "$ELF.tmp" "$ELF"
cp "$T/xen/.config" "$OUT/xen-$FLAVOUR.config"
[ "$FLAVOUR" != syms ] || cp "$T/xen/xen-syms" "$OUT/xen-syms.syms"
echo "$id" >"$OUT/xen-$FLAVOUR.build-id"
inputs >"$OUT/xen-$FLAVOUR.inputs"
# the tree is 200+ MiB once built; only the image and its config are kept
rm -rf "$T"
say "done in $((SECONDS - start)) s: $ELF (Xen $VER, build-id $id)"
