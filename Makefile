# SPDX-License-Identifier: GPL-2.0
#
# Top-level Makefile of the Xen PV guest port.
#
# The port is built inside Debian's linux-source-6.12: scripts/prepare-tree.sh
# unpacks it once into $(BUILD)/linux, takes upstream's Xen port out, lays
# ours in (all of it: nothing is borrowed) and the kernel is built out of
# tree in $(BUILD)/obj.  Every target not named
# here is handed to the kernel's own Makefile (menuconfig, savedefconfig,
# ...).  `make help` lists ours.

BUILD  ?= $(CURDIR)/build
KSRC   := $(BUILD)/linux
KOBJ   := $(BUILD)/obj
DKOBJ  := $(BUILD)/obj-debug
JOBS   ?= $(shell nproc)
KMAKE  := $(MAKE) --no-print-directory -C $(KSRC) O=$(KOBJ) -j$(JOBS)

export BUILD KSRC KOBJ

# One build number for every build (uname -v says #1 unless set): bindeb-pkg
# stamps its package's revision into the kernel, so with the kernel's own
# counter make and make bindeb-pkg would each relink what the other linked.
export KBUILD_BUILD_VERSION ?= 1

.PHONY: all prepare xen_defconfig debug-kernel run check soak bench clean distclean help bench-hypercalls bench-traps bench-profile FORCE \
	bindeb-pkg debian-image
.DEFAULT_GOAL := all

prepare:
	@scripts/prepare-tree.sh $(BUILD)

# A new xen_defconfig from the repository replaces the config; a config
# edited later (menuconfig) is newer than it and is kept.
$(KOBJ)/.config: arch/x86/configs/xen_defconfig
	@$(MAKE) --no-print-directory xen_defconfig

xen_defconfig: prepare
	@echo "  CONFIG  xen_defconfig -> $(KOBJ)/.config"
	@$(KMAKE) -s xen_defconfig

all: prepare $(KOBJ)/.config
	@echo "  BUILD   bzImage and vmlinux in $(KOBJ) (-j$(JOBS); a clean build takes 5-15 min)"
	@$(KMAKE) bzImage vmlinux modules
	@echo "  DONE    $(KOBJ)/arch/x86/boot/bzImage"

# The debug kernel (xen_debug_defconfig: kmemleak, lockdep, KFENCE, ...)
# beside the normal one, for the hostile-backend suite in make soak.
$(DKOBJ)/.config: arch/x86/configs/xen_debug_defconfig
	@echo "  CONFIG  xen_debug_defconfig -> $(DKOBJ)/.config"
	@$(MAKE) --no-print-directory -C $(KSRC) O=$(DKOBJ) -s xen_debug_defconfig

debug-kernel: prepare
	@$(MAKE) --no-print-directory $(DKOBJ)/.config
	@echo "  BUILD   the debug kernel in $(DKOBJ) (-j$(JOBS); a clean build takes 10-20 min)"
	@$(MAKE) --no-print-directory -C $(KSRC) O=$(DKOBJ) -j$(JOBS) bzImage vmlinux
	@echo "  DONE    $(DKOBJ)/vmlinux"

# Debian's way: our kernel as a linux-image package (and linux-headers),
# written to $(BUILD).  A build folder made by `make` is reused.
bindeb-pkg: prepare $(KOBJ)/.config
	@scripts/install-deps.sh pkg
	@rm -f $(BUILD)/linux-*.deb $(BUILD)/linux-upstream_*
	@$(KMAKE) KDEB_PKGVERSION=$$($(KMAKE) -s kernelversion)-$(KBUILD_BUILD_VERSION) bindeb-pkg
	@touch $(BUILD)/.deb-stamp
	@echo "  DONE    $$(cd $(BUILD) && ls linux-image-*.deb | grep -v -- -dbg_)"

# The Debian 12 domU image with our package installed (scripts/debian-image.sh);
# the package is rebuilt first when vmlinux changed since the last one.
debian-image: all
	@if [ ! -e $(BUILD)/.deb-stamp ] || [ $(KOBJ)/vmlinux -nt $(BUILD)/.deb-stamp ] || \
	    ! ls $(BUILD)/linux-image-*-xenport_*.deb >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory bindeb-pkg; fi
	@scripts/debian-image.sh $(BUILD)

# DOMU=debian: boot the Debian image through PVGRUB2 instead of busybox
run: all $(if $(filter debian,$(DOMU)),debian-image)
	@scripts/run.sh

check: all
	@scripts/check.sh

soak: all
	@scripts/soak.sh

bench: all
	@scripts/install-deps.sh bench
	@bench/run.sh

bench-hypercalls: all
	@scripts/install-deps.sh bench
	@bench/hypercalls.sh

bench-traps: all
	@scripts/install-deps.sh bench
	@bench/traps.sh

bench-profile: all
	@scripts/install-deps.sh bench
	@bench/profile.sh

clean:
	rm -rf $(KOBJ) $(DKOBJ) $(BUILD)/host $(BUILD)/domu $(BUILD)/check

distclean:
	rm -rf $(BUILD)

help:
	@echo 'Xen PV guest port for Linux 6.12 (x86_64)'
	@echo ''
	@echo '  make xen_defconfig  write the domU config into $(KOBJ)/.config'
	@echo '  make                build bzImage and vmlinux (runs xen_defconfig if .config is missing or older)'
	@echo '  make debug-kernel   the same with xen_debug_defconfig (kmemleak, lockdep,'
	@echo '                      KFENCE, DEBUG_PAGEALLOC) in $(DKOBJ), for make soak'
	@echo '  make run            boot our kernel as a PV domU under the embedded Xen host,'
	@echo '                      to a shell; poweroff in the domU ends the run'
	@echo '                      (XEN=debian|shadow|debug picks the hypervisor, see README)'
	@echo '  make run DOMU=debian'
	@echo '                      the same with a Debian 12 domU: our kernel package in'
	@echo '                      a systemd root image, booted through PVGRUB2, to login'
	@echo '                      (root, password xen)'
	@echo '  make bindeb-pkg     our kernel as Debian packages (linux-image, linux-headers)'
	@echo '                      in $(BUILD)'
	@echo '  make debian-image   the Debian domU image alone, in $(BUILD)/debian'
	@echo '  make check          host checks and boot tests; ends with "N passed, N failed"'
	@echo '                      (XEN=debug: every run on the debug hypervisor)'
	@echo '  make soak           the long repetitions: 50 migrations under I/O, the'
	@echo '                      main boot tests 20 times (hours under TCG)'
	@echo '  make bench          our port against upstream'"'"'s, side by side'
	@echo '  make bench-hypercalls  hypercalls per fork+exec, ours and upstream'"'"'s, counted by the debug Xen'
	@echo '  make bench-traps    where Xen steps in per fork+exec, by guest function, from Xen'"'"'s trace buffer'
	@echo '  make bench-profile  where a fork+exec'"'"'s time goes (Xen, kernel functions, user), sampled from QEMU'
	@echo '  make clean          remove build output (keeps the unpacked kernel tree)'
	@echo '  make distclean      remove the whole build folder'
	@echo '  make <target>       anything else goes to the kernel'"'"'s Makefile, e.g.'
	@echo '                      menuconfig, savedefconfig'
	@echo ''
	@echo '  BUILD=$(BUILD)  JOBS=$(JOBS)'

# Anything else: the kernel's own targets.
%: prepare FORCE
	@$(KMAKE) $@

FORCE: ;
# Files of ours that make must never try to remake through the rule above.
Makefile arch/x86/configs/xen_defconfig arch/x86/configs/xen_debug_defconfig: ;
