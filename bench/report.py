#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report.py - turn the driver's "BENCH: round kernel metric value" lines
into the table: per metric the baseline and our medians, the ratio oriented
so that above 1.00 means ours is better, and each side's min-max spread.

Usage: bench/report.py SERIAL_LOG > table
"""
import re
import statistics
import sys

# metric: (unit, True if higher is better)
METRICS = {
    "boot_ms": ("ms", False),
    "forkexec_us": ("us/iter", False),
    "anon_gbps": ("GB/s", True),
    "anon_faults_per_s": ("faults/s", True),
    "fio_seqread_mbps": ("MB/s", True),
    "fio_seqwrite_mbps": ("MB/s", True),
    "fio_randread_iops": ("IOPS", True),
    "iperf_tx_gbps": ("Gbit/s", True),
    "iperf_rx_gbps": ("Gbit/s", True),
}


def num(v):
    """A value in at most 4 significant digits, without exponents."""
    return f"{v:.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def main():
    values = {}
    line_re = re.compile(r"BENCH: (\d+) (base|ours) (\w+) ([0-9.eE+-]+)")
    with open(sys.argv[1], "rb") as f:
        for raw in f:
            m = line_re.search(raw.decode("utf-8", "replace"))
            if m:
                values.setdefault((m[3], m[2]), []).append(float(m[4]))
    rounds = max((len(v) for v in values.values()), default=0)
    print(f"ours/baseline over {rounds} rounds; ratio > 1.00 means ours is better")
    print(f"{'metric':<20} {'unit':<9} {'better':<7} {'baseline':>10} {'ours':>10} "
          f"{'ratio':>6}  {'baseline min-max':>20}  {'ours min-max':>20}")
    bad = 0
    for name, (unit, higher) in METRICS.items():
        base, ours = values.get((name, "base"), []), values.get((name, "ours"), [])
        if not base or not ours:
            print(f"{name:<20} {unit:<9} missing samples (baseline {len(base)}, ours {len(ours)})")
            bad += 1
            continue
        mb, mo = statistics.median(base), statistics.median(ours)
        ratio = (mo / mb if higher else mb / mo) if mb and mo else float("nan")
        spread_b, spread_o = (f"{num(min(v))}-{num(max(v))}" for v in (base, ours))
        print(f"{name:<20} {unit:<9} {'higher' if higher else 'lower':<7} {num(mb):>10} "
              f"{num(mo):>10} {ratio:>6.2f}  {spread_b:>20}  {spread_o:>20}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
