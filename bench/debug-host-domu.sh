# SPDX-License-Identifier: GPL-2.0
#
# debug-host-domu.sh - sourced by the dom0 drivers of the debug-hypervisor
# benches (hypercalls-driver.sh, traps-driver.sh), which get it as
# /extra/debug-host-domu.sh.  The caller defines say().
#
# domu SECONDS CMD        run CMD through the domU's xtest agent
# start_domu KERNEL WARM  boot /extra/vmlinux-KERNEL as the usual domU,
#                         wait for its agent, run WARM fork+execs

XTEST=/extra/xtest
XL=/usr/lib/xen-4.17/bin/xl

domu() { timeout "$1" "$XTEST" call "$DOMU_IP" 7000 "$2"; }

start_domu() {
	sed "s|^kernel = .*|kernel = \"/extra/vmlinux-$1\"|" "$DOMU_CFG" > /tmp/bench-domu.cfg
	rm -f "$CONSOLE_LOG"
	"$XL" create -q /tmp/bench-domu.cfg > /dev/null || { say "$1: xl create failed"; return 1; }
	_i=0
	until domu 10 true > /dev/null 2>&1; do
		_i=$((_i + 1))
		[ $_i -lt 180 ] || { say "$1: no agent"; return 1; }
		sleep 1
	done
	domu 300 "forkexec $2" > /dev/null || { say "$1: warm-up failed"; return 1; }
}
