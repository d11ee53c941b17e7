#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bootprof.py LOG - what bench/bootprof-driver.sh's boots spent their time on.

For each kernel (ours, base): the printk time of "Run /init" of each boot,
the 25 initcalls that took longest (their mean over the boots), and the 30
largest gaps of more than 15 ms between one console line and the next
(time the kernel spent without printing: early setup, waits).
"""
import collections
import re
import sys

logs = collections.defaultdict(list)
with open(sys.argv[1], errors="replace") as f:
    for line in f:
        m = re.match(r"CON-(\w+)-(\d+): (.*)", line.replace("\r", "").rstrip("\n"))
        if m:
            logs[(m.group(1), m.group(2))].append(m.group(3))

calls = collections.defaultdict(lambda: collections.defaultdict(list))
gaps = collections.defaultdict(list)
for (kernel, boot), lines in sorted(logs.items()):
    prev_t, prev_text = None, ""
    for line in lines:
        m = re.match(r"\[\s*(\d+\.\d+)\] (.*)", line)
        if not m:
            continue
        t, text = float(m.group(1)), m.group(2)
        c = re.search(r"initcall (\S+?)\+\S+ returned \S+ after (\d+) usecs", text)
        if c:
            calls[kernel][c.group(1)].append(int(c.group(2)))
        if prev_t is not None and t - prev_t > 0.015:
            gaps[kernel].append((round((t - prev_t) * 1000), boot, prev_text[:80], text[:80]))
        prev_t, prev_text = t, text
    run = [l for l in lines if "Run /init" in l]
    print(f"{kernel} boot {boot}: {len(lines)} lines, {run[0] if run else 'no Run /init'}")

for kernel, byname in calls.items():
    print(f"== {kernel}: slowest initcalls (mean us)")
    top = sorted(((sum(v) / len(v), n) for n, v in byname.items()), reverse=True)[:25]
    for us, name in top:
        print(f"{us:9.0f} {name}")
for kernel, g in gaps.items():
    print(f"== {kernel}: gaps over 15 ms (ms, boot, line before, line after)")
    for row in sorted(g, reverse=True)[:30]:
        print(row)
