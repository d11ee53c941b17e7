#!/bin/bash
# boot.sh: boots a Xen 4.17 hypervisor (Debian's binary, or one built here
# from Debian's source by build-xen.sh) with our small Debian dom0 (from
# make-dom0.sh) under QEMU, and has dom0 start a given kernel as a PV domU
# (one blkback disk on a loop device, optionally a second disk served by
# blkback or by QEMU's qdisk, one vif on bridge xenbr0).  The domU
# console is either this terminal (--interactive) or a log that a dom0-side
# driver script watches (--driver).  Run with --help for the options.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

usage() {
	cat <<'EOF'
usage: boot.sh --kernel PATH [options]

  --xen debian|shadow|debug|syms
                    which hypervisor (default $XEN, else debian):
                      debian  Debian's xen-hypervisor-4.17-amd64 binary
                      shadow  built here from Debian's source and config,
                              plus shadow paging (xl migrate, live save)
                      debug   shadow plus CONFIG_DEBUG and VERBOSE_DEBUG:
                              assertions, and the domU's console_io writes
                              (earlyprintk=xen) on the serial log
                      syms    Debian's config built here, its symbol table
                              kept (bench/profile.sh names Xen's functions)
                    shadow, debug and syms are built on first use (build-xen.sh,
                    5-10 min) and cached in the --outdir
  --kernel PATH     domU kernel (uncompressed ELF vmlinux preferred; a bzImage
                    works but xl unpacks it slowly under TCG)
  --initrd PATH     domU initramfs (cpio.gz)
  --cmdline STR     domU kernel arguments (default "console=hvc0 earlyprintk=xen")
  --vcpus N         domU vCPUs (default 2)
  --memory MB       domU memory (default 512)
  --host-mb MB      memory of the QEMU machine Xen runs on (default 3072;
                    dom0 takes 1536 of it, Xen gives domUs the rest)
  --disk-mb N       size of xvda, a sparse file in dom0 tmpfs on a loop
                    device (default 320)
  --image FILE      xvda is FILE instead (a raw disk image, such as the
                    Debian domU's rootfs.img): QEMU gives it to dom0 as a
                    virtio disk with snapshot=on, so writes land in a
                    throw-away overlay and FILE never changes; dom0 serves
                    /dev/vda to the domU through blkback.  With --interactive
                    the domU may reboot (on_reboot="restart"): the console
                    follows it
  --disk2-mb N      also give the domU an xvdb of N MiB, the same way
                    (RAM-backed: for benchmarks where the disk must not be
                    the limit); default none
  --disk2-backend blkback|qdisk
                    who serves xvdb: the kernel's blkback on a loop device
                    (the default) or QEMU's qdisk (xl's backendtype=qdisk)
                    straight from the raw file; qdisk makes xl start Debian's
                    QEMU for Xen in dom0 as the domU's device model
  --no-create       driver mode only: dom0 writes the domU config to
                    DOMU_CFG but does not create the domU; the driver
                    creates (and destroys) domUs itself
  --interactive     domU console on this terminal (the default); poweroff in
                    the domU ends the run.  Ctrl-] leaves the domU console,
                    Ctrl-A x quits QEMU.
  --driver SCRIPT   run SCRIPT with busybox sh in dom0 once the domU exists,
                    with DOMU, DOMU_IP, DOM0_IP, DISK_FILE, CONSOLE_LOG,
                    CONSOLE_IN (fifo: text written there is typed into the
                    domU console), LOOP_DEV, DOMU_CFG, DISK2_FILE, LOOP2_DEV
                    (blkback only) and DISK2_BACKEND set; dom0 powers off
                    when it exits and boot.sh exits with its status
  --extra FILE      (repeatable) copy FILE into dom0 as /extra/NAME
  --log FILE        also write everything on QEMU's serial line to FILE
  --timeout SEC     overall time limit (default 600); QEMU is killed and
                    boot.sh exits 124 when it is reached
  --outdir DIR      where make-dom0.sh keeps its output
                    (default $XEN_HOST_OUT or <repo>/build/xen-host)
  --accel tcg|kvm   override the accelerator choice
  --xen-args STR    extra Xen command line arguments
  --dom0-args STR   extra dom0 kernel arguments

exit status: the driver's status (driver mode); 0 when the domU ended
(interactive); 124 on timeout; 125 when dom0 or QEMU failed; 2 on bad usage.
EOF
}

say() { echo "boot: $*" >&2; }
die() {
	echo "boot: error: $*" >&2
	exit 2
}

XEN_FLAVOUR=${XEN:-debian}
KERNEL=
INITRD=
CMDLINE="console=hvc0 earlyprintk=xen"
VCPUS=2
MEMORY=512
HOST_MB=3072
DISK_MB=320
DISK2_MB=0
DISK2_BACKEND=blkback
IMAGE=
NO_CREATE=0
MODE=interactive
DRIVER=
EXTRAS=()
LOG=
TIMEOUT=600
OUTDIR=${XEN_HOST_OUT:-$REPO/build/xen-host}
ACCEL=
XEN_EXTRA=
DOM0_EXTRA=

while [ $# -gt 0 ]; do
	opt=$1
	case $opt in
	--*=*)
		set -- "${opt%%=*}" "${opt#*=}" "${@:2}"
		continue
		;;
	-h | --help)
		usage
		exit 0
		;;
	--interactive)
		MODE=interactive
		shift
		continue
		;;
	--no-create)
		NO_CREATE=1
		shift
		continue
		;;
	esac
	[ $# -ge 2 ] || die "$opt needs an argument (see --help)"
	val=$2
	case $opt in
	--xen) XEN_FLAVOUR=$val ;;
	--kernel) KERNEL=$val ;;
	--initrd) INITRD=$val ;;
	--cmdline) CMDLINE=$val ;;
	--vcpus) VCPUS=$val ;;
	--memory) MEMORY=$val ;;
	--host-mb) HOST_MB=$val ;;
	--disk-mb) DISK_MB=$val ;;
	--disk2-mb) DISK2_MB=$val ;;
	--disk2-backend) DISK2_BACKEND=$val ;;
	--image) IMAGE=$val ;;
	--driver)
		MODE=driver
		DRIVER=$val
		;;
	--extra) EXTRAS+=("$val") ;;
	--log) LOG=$val ;;
	--timeout) TIMEOUT=$val ;;
	--outdir) OUTDIR=$val ;;
	--accel) ACCEL=$val ;;
	--xen-args) XEN_EXTRA=$val ;;
	--dom0-args) DOM0_EXTRA=$val ;;
	*) die "unknown option $opt (see --help)" ;;
	esac
	shift 2
done

isnum() { case $1 in '' | *[!0-9]*) return 1 ;; *) return 0 ;; esac }
[ -n "$KERNEL" ] || die "--kernel is required (see --help)"
[ -f "$KERNEL" ] || die "no such kernel: $KERNEL"
[ -z "$INITRD" ] || [ -f "$INITRD" ] || die "no such initrd: $INITRD"
[ -z "$IMAGE" ] || [ -f "$IMAGE" ] || die "no such disk image: $IMAGE"
[ "$MODE" != driver ] || [ -f "$DRIVER" ] || die "no such driver script: $DRIVER"
for n in VCPUS MEMORY HOST_MB DISK_MB TIMEOUT; do
	if ! isnum "${!n}" || [ "${!n}" -eq 0 ]; then
		die "$n must be a positive number"
	fi
done
case $CMDLINE in *\"*\'* | *\'*\"*) die "--cmdline cannot hold both ' and \"" ;; esac
for f in "${EXTRAS[@]}"; do
	[ -e "$f" ] || die "no such extra file: $f"
done
case $ACCEL in '' | tcg | kvm) ;; *) die "--accel must be tcg or kvm" ;; esac
case $XEN_FLAVOUR in debian | shadow | debug | syms) ;; *) die "--xen must be debian, shadow, debug or syms" ;; esac
isnum "$DISK2_MB" || die "DISK2_MB must be a number"
case $DISK2_BACKEND in
blkback) ;;
qdisk) [ "$DISK2_MB" -gt 0 ] || die "--disk2-backend qdisk needs --disk2-mb N" ;;
*) die "--disk2-backend must be blkback or qdisk" ;;
esac

# ------------------------------------------------------------------ cleanup
TMPD=
qpid=
STTY_SAVED=
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		say "stopping QEMU (pid $qpid)"
		kill -TERM "$qpid" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$qpid" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	if [ -n "$STTY_SAVED" ]; then
		stty "$STTY_SAVED" 2>/dev/null || true
	fi
	if [ -n "$TMPD" ]; then
		rm -rf "$TMPD"
	fi
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM HUP

# -------------------------------------------------------------- hypervisor
# A hypervisor built here is made (or found up to date) before the clock
# of --timeout starts: the first build takes minutes.
if [ "$XEN_FLAVOUR" != debian ]; then
	mkdir -p "$OUTDIR"
	"$HERE/build-xen.sh" "$XEN_FLAVOUR" "$OUTDIR" || {
		echo "boot: building the $XEN_FLAVOUR hypervisor failed" >&2
		exit 125
	}
	SECONDS=0
fi

# -------------------------------------------------------------- dom0 image
left=$((TIMEOUT - SECONDS))
timeout "$left" "$HERE/make-dom0.sh" "$OUTDIR" || {
	echo "boot: make-dom0.sh failed" >&2
	exit 125
}
OUTDIR=$(cd "$OUTDIR" && pwd)

# ---------------------------------------------------------- host -> dom0 data
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/xen-host-boot.XXXXXX")
case "$TMPD$OUTDIR" in *[[:space:],]*) die "paths must not contain spaces or commas: $TMPD $OUTDIR" ;; esac
S=$TMPD/stage
mkdir -p "$S/hostdata" "$S/extra"
cp "$KERNEL" "$S/hostdata/kernel"
[ -z "$INITRD" ] || cp "$INITRD" "$S/hostdata/initrd"
[ "$MODE" != driver ] || cp "$DRIVER" "$S/hostdata/driver"
printf '%s\n' "$CMDLINE" >"$S/hostdata/cmdline"
printf 'MODE=%s\nVCPUS=%s\nMEMORY=%s\nDISK_MB=%s\nDISK2_MB=%s\nDISK2_BACKEND=%s\nNO_CREATE=%s\nXEN_FLAVOUR=%s\nDISK_IMAGE=%s\n' \
	"$MODE" "$VCPUS" "$MEMORY" "$DISK_MB" "$DISK2_MB" "$DISK2_BACKEND" "$NO_CREATE" "$XEN_FLAVOUR" \
	"${IMAGE:+1}" >"$S/hostdata/params"
for f in "${EXTRAS[@]}"; do
	cp -a "$f" "$S/extra/"
done
# what the driver may check the running hypervisor against: the config it
# was built with and, for one built here, its GNU build-id
if [ "$XEN_FLAVOUR" = debian ]; then
	XEN_ELF=$OUTDIR/xen.elf
	cp "$OUTDIR/pkgs/xen-hypervisor/boot/xen-4.17-amd64.config" "$S/extra/xen.config"
	XEN_WHAT="Debian's binary"
else
	XEN_ELF=$OUTDIR/xen-$XEN_FLAVOUR.elf
	cp "$OUTDIR/xen-$XEN_FLAVOUR.config" "$S/extra/xen.config"
	cp "$OUTDIR/xen-$XEN_FLAVOUR.build-id" "$S/extra/xen.build-id"
	XEN_WHAT="built here from Debian's source, build-id $(cat "$OUTDIR/xen-$XEN_FLAVOUR.build-id")"
fi
# dom0.cpio.gz, padded to a multiple of 4, [the QEMU overlay for qdisk, the
# same way,] then our archive uncompressed (the kernel unpacks concatenated
# archives; no gunzip under TCG for it)
INITRAMFS=$TMPD/initramfs.cpio
cp "$OUTDIR/dom0.cpio.gz" "$INITRAMFS"
truncate -s %4 "$INITRAMFS"
if [ "$DISK2_BACKEND" = qdisk ]; then
	cat "$OUTDIR/dom0-qemu.cpio.gz" >>"$INITRAMFS"
	truncate -s %4 "$INITRAMFS"
fi
(cd "$S" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >>"$INITRAMFS"

# ------------------------------------------------------------- accelerator
if [ -z "$ACCEL" ]; then
	if [ -e /sys/module/kvm_pvm ] || grep -qs '^kvm_pvm ' /proc/modules; then
		ACCEL=tcg
		why="/dev/kvm is KVM-PVM (kvm_pvm), which cannot run a Xen dom0"
	elif [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
		{ [ -e /sys/module/kvm_intel ] || [ -e /sys/module/kvm_amd ]; }; then
		ACCEL=kvm
		why="/dev/kvm with hardware virtualisation"
	else
		ACCEL=tcg
		why="no usable /dev/kvm"
	fi
else
	why="--accel"
fi
say "accelerator: $ACCEL ($why)"

# ------------------------------------------------------------------- QEMU
XEN_CMDLINE="console=com1 com1=115200,8n1 console_timestamps=boot loglvl=all guest_loglvl=all dom0_mem=1536M,max:1536M dom0_max_vcpus=2 sched=credit2 ucode=no spec-ctrl=eager-fpu${XEN_EXTRA:+ $XEN_EXTRA}"
DOM0_CMDLINE="console=hvc0 earlyprintk=xen${DOM0_EXTRA:+ $DOM0_EXTRA}"
SERIAL_LOG=${LOG:-$TMPD/serial.log}
: >"$SERIAL_LOG"
SERIAL_LOG=$(cd "$(dirname "$SERIAL_LOG")" && pwd)/$(basename "$SERIAL_LOG")

# shellcheck disable=SC2054  # the commas belong to QEMU option values
QEMU=(qemu-system-x86_64 -nodefaults -no-user-config -machine pc -accel "$ACCEL"
	-cpu max,-smap -m "$HOST_MB" -smp 2 -no-reboot -display none
	-kernel "$XEN_ELF" -append "$XEN_CMDLINE"
	-initrd "$OUTDIR/dom0.vmlinuz ${DOM0_CMDLINE//,/,,},$INITRAMFS"
	-serial chardev:con)
if [ "$MODE" = interactive ]; then
	# shellcheck disable=SC2054
	QEMU+=(-chardev "stdio,id=con,mux=on,signal=off,logfile=${SERIAL_LOG//,/,,}"
		-mon chardev=con,mode=readline)
else
	QEMU+=(-chardev "stdio,id=con,signal=off,logfile=${SERIAL_LOG//,/,,}")
fi
if [ -n "$IMAGE" ]; then
	IMAGE=$(cd "$(dirname "$IMAGE")" && pwd)/$(basename "$IMAGE")
	# shellcheck disable=SC2054
	QEMU+=(-drive "file=${IMAGE//,/,,},format=raw,if=none,id=xvda,snapshot=on,cache=unsafe"
		-device virtio-blk-pci,drive=xvda)
fi
# XEN_HOST_MONITOR=PATH: QEMU's human monitor on a Unix socket at PATH, for
# tools that watch the emulated CPUs from outside (bench/profile.sh)
if [ -n "${XEN_HOST_MONITOR:-}" ]; then
	QEMU+=(-monitor "unix:${XEN_HOST_MONITOR//,/,,},server=on,wait=off")
fi
# have the kernel kill QEMU should this script die without running its trap
if setpriv --help 2>/dev/null | grep -q -- --pdeathsig; then
	QEMU=(setpriv --pdeathsig KILL -- "${QEMU[@]}")
fi

say "hypervisor: $XEN_FLAVOUR ($XEN_WHAT)"
say "domU kernel $KERNEL${INITRD:+, initrd $INITRD}, mode $MODE, timeout ${TIMEOUT}s"
if [ "$MODE" = interactive ]; then
	if [ -t 0 ]; then
		STTY_SAVED=$(stty -g 2>/dev/null || true)
	fi
	"${QEMU[@]}" <&0 &
else
	"${QEMU[@]}" </dev/null &
fi
qpid=$!
# A host that has not started the driver after START_LIMIT s stalled in its
# own boot (dom0 has, under TCG): that is no result about the domU, and
# waiting for the whole --timeout would only spend the caller's time.
START_LIMIT=${XEN_HOST_START_LIMIT:-420}
qstart=$SECONDS started=0
[ "$MODE" = driver ] || started=1
timed_out=0
while kill -0 "$qpid" 2>/dev/null; do
	if [ "$SECONDS" -ge "$TIMEOUT" ]; then
		timed_out=1
		break
	fi
	if [ "$started" = 0 ] && [ $((SECONDS % 5)) -eq 0 ]; then
		if tr -d '\r' <"$SERIAL_LOG" 2>/dev/null | grep -aq 'dom0-init\[[0-9.]*\]: running driver'; then
			started=1
		elif [ $((SECONDS - qstart)) -ge "$START_LIMIT" ]; then
			echo >&2
			say "dom0 had not started the driver ${START_LIMIT}s after QEMU started: the host stalled; killing QEMU"
			exit 125
		fi
	fi
	sleep 1
done
if [ "$timed_out" = 1 ]; then
	echo >&2
	say "timeout after ${TIMEOUT}s, killing QEMU"
	exit 124
fi
qrc=0
wait "$qpid" || qrc=$?
qpid=
if [ -n "$STTY_SAVED" ]; then
	stty "$STTY_SAVED" 2>/dev/null || true
fi

# ----------------------------------------------------------------- verdict
marker() { tr -d '\r' <"$SERIAL_LOG" | grep -a -o "$1" | tail -n1; }
if [ "$qrc" -ne 0 ]; then
	say "QEMU exited with status $qrc"
fi
if [ -n "$(marker 'DOM0-SETUP-FAILED.*')" ]; then
	say "dom0 failed: $(marker 'DOM0-SETUP-FAILED.*')"
	exit 125
fi
if [ "$MODE" = driver ]; then
	m=$(marker 'DOM0-DRIVER-EXIT=[0-9]*')
	if [ -z "$m" ]; then
		say "no driver exit status seen (dom0 crashed or QEMU died)"
		exit 125
	fi
	say "driver exit status ${m#*=}"
	exit "${m#*=}"
fi
if [ -n "$(marker 'DOM0-DOMU-DONE')" ]; then
	say "domU ended"
	exit 0
fi
say "dom0 did not finish normally"
exit 125
