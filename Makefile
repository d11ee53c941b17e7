# SPDX-License-Identifier: GPL-2.0
#
# Top-level Makefile of the Xen PV guest port.
#
# The port is built inside Debian's linux-source-6.12: scripts/prepare-tree.sh
# unpacks it once into $(BUILD)/linux, takes upstream's Xen port out, lays
# ours in (plus the files still borrowed, see scripts/borrowed-files.txt) and
# the kernel is built out of tree in $(BUILD)/obj.  Every target not named
# here is handed to the kernel's own Makefile (menuconfig, savedefconfig,
# bindeb-pkg, ...).  `make help` lists ours.

BUILD  ?= $(CURDIR)/build
KSRC   := $(BUILD)/linux
KOBJ   := $(BUILD)/obj
DKOBJ  := $(BUILD)/obj-debug
JOBS   ?= $(shell nproc)
KMAKE  := $(MAKE) --no-print-directory -C $(KSRC) O=$(KOBJ) -j$(JOBS)

export BUILD KSRC KOBJ

.PHONY: all prepare xen_defconfig debug-kernel run check soak bench clean distclean help FORCE
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

run: all
	@scripts/run.sh

check: all
	@scripts/check.sh

soak: all
	@scripts/soak.sh

bench: all
	@scripts/install-deps.sh bench
	@bench/run.sh

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
	@echo '  make check          host checks and boot tests; ends with "N passed, N failed"'
	@echo '                      (XEN=debug: every run on the debug hypervisor)'
	@echo '  make soak           the long repetitions: 50 migrations under I/O, the'
	@echo '                      main boot tests 20 times (hours under TCG)'
	@echo '  make bench          our port against upstream'"'"'s, side by side'
	@echo '  make clean          remove build output (keeps the unpacked kernel tree)'
	@echo '  make distclean      remove the whole build folder'
	@echo '  make <target>       anything else goes to the kernel'"'"'s Makefile, e.g.'
	@echo '                      menuconfig, savedefconfig, bindeb-pkg'
	@echo ''
	@echo '  BUILD=$(BUILD)  JOBS=$(JOBS)'

# Anything else: the kernel's own targets.
%: prepare FORCE
	@$(KMAKE) $@

FORCE: ;
# Files of ours that make must never try to remake through the rule above.
Makefile arch/x86/configs/xen_defconfig arch/x86/configs/xen_debug_defconfig: ;
