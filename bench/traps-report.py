#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""traps-report.py - the table of bench/traps.sh.

Reads "TRAPS: <kernel> <kind> <high> <low> <count>" lines (kernel base or
ours; kind emulated, ptwr, pagefault, hypercall or iterations) on stdin,
maps each kernel address to its function with addr2line on that kernel's
vmlinux (argv[1] base, argv[2] ours), and prints, per kind, every site
with its count per iteration in both kernels, largest first.
"""
import collections
import subprocess
import sys

HYPERCALLS = {1: "mmu_update", 3: "stack_switch", 4: "set_callbacks",
              5: "fpu_taskswitch", 10: "update_descriptor", 12: "memory_op",
              13: "multicall", 14: "update_va_mapping", 15: "set_timer_op",
              17: "xen_version", 18: "console_io", 20: "grant_table_op",
              21: "vm_assist", 23: "iret", 24: "vcpu_op",
              25: "set_segment_base", 26: "mmuext_op", 29: "sched_op",
              30: "callback_op", 32: "event_channel_op", 33: "physdev_op"}
KERNEL_BASE = 0xffff800000000000


def symbols(vmlinux, addrs):
    """Function name of each kernel address (a RIP after the instruction
    for "emulated": look one byte back)."""
    if not addrs:
        return {}
    res = subprocess.run(["addr2line", "-f", "-e", vmlinux] +
                         ["%x" % a for a in addrs],
                         capture_output=True, text=True, check=False)
    names = res.stdout.split("\n")[0::2]
    return {a: (names[i] if i < len(names) else "?")
            for i, a in enumerate(addrs)}


def main():
    vmlinux = {"base": sys.argv[1], "ours": sys.argv[2]}
    raw = collections.defaultdict(collections.Counter)
    iters = {}
    for line in sys.stdin:
        f = line.split()
        if len(f) != 6:
            continue
        k, kind, hi, lo, n = f[1], f[2], int(f[3]), int(f[4]), int(f[5])
        if kind == "iterations":
            iters[k] = hi
            continue
        raw[k][(kind, (hi << 32) | lo)] += n
    table = collections.defaultdict(collections.Counter)
    for k, counts in raw.items():
        kaddrs = sorted({a - (1 if kind == "emulated" else 0)
                         for kind, a in counts if kind != "hypercall" and
                         a >= KERNEL_BASE})
        names = symbols(vmlinux[k], kaddrs)
        for (kind, a), n in counts.items():
            if kind == "hypercall":
                site = HYPERCALLS.get(a >> 32, "hypercall %d" % (a >> 32))
            elif a >= KERNEL_BASE:
                site = names[a - (1 if kind == "emulated" else 0)]
            else:
                site = "user"
            table[kind][(site, k)] += n / iters.get(k, 1)
    print("%-10s %-34s %9s %9s" % ("per fork+exec", "site", "baseline", "ours"))
    for kind in ("hypercall", "emulated", "ptwr", "pagefault"):
        sites = {s for s, _ in table[kind]}
        total = {k: sum(v for (s, kk), v in table[kind].items() if kk == k)
                 for k in ("base", "ours")}
        print("%-10s %-34s %9.1f %9.1f" % (kind, "(all)", total["base"],
                                           total["ours"]))
        rows = sorted(sites, key=lambda s: -max(table[kind][(s, "base")],
                                                table[kind][(s, "ours")]))
        for s in rows:
            b, o = table[kind][(s, "base")], table[kind][(s, "ours")]
            if max(b, o) >= 0.5:
                print("%-10s %-34s %9.1f %9.1f" % ("", s[:34], b, o))


if __name__ == "__main__":
    main()
