#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report.py - turn the driver's "BENCH: round kernel metric value" lines
into the table: per metric the baseline and our medians, the ratio oriented
so that above 1.00 means ours is better, and each side's min-max spread.

Round 0 is the warm-up and is not counted.  The "tuned" kernel is the
baseline with our blkfront ring and indirect-segment defaults given on its
command line; its fio rows come after the main table.  What each side
negotiated ("NEGOTIATED:" lines) is printed under the table.  A metric
with fewer samples than rounds on either side is an error: the table says
which, and the exit status is 1.

Usage: bench/report.py [--only|--skip METRIC[,METRIC...]] SERIAL_LOG > table

--only METRIC[,...] prints those rows alone (bench/run.sh with BENCH_DEBIAN_ONLY=1
or BENCH_MMU_ONLY=1); --skip METRIC[,...] leaves those rows out of the full
report (bench/run.sh with BENCH_DEBIAN=0: no debian_login_s to expect).
"""
import re
import statistics
import sys

# metric: (unit, True if higher is better)
METRICS = {
    "boot_ms": ("ms", False),
    "start_to_init_ms": ("ms", False),
    "forkexec_us": ("us/iter", False),
    "anon_gbps": ("GB/s", True),
    "anon_faults_per_mib": ("faults/MiB", False),
    "getpid_ns": ("ns/call", False),
    "pipe_pingpong_us": ("us/trip", False),
    "fio_seqread_mbps": ("MB/s", True),
    "fio_seqwrite_mbps": ("MB/s", True),
    "fio_randread_iops": ("IOPS", True),
    "iperf_tx_gbps": ("Gbit/s", True),
    "iperf_rx_gbps": ("Gbit/s", True),
    "ipi_rtt_us": ("us", False),
    "nanosleep_late_us": ("us", False),
    "debian_login_s": ("s", False),
}
FIO = [m for m in METRICS if m.startswith("fio_")]


def num(v):
    """A value in at most 4 significant digits, without exponents."""
    return f"{v:.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def row(name, base, ours, rounds):
    """One table line, or a complaint; returns (text, ok)."""
    unit, higher = METRICS[name]
    if not rounds or len(base) != rounds or len(ours) != rounds:
        return (f"{name:<20} {unit:<9} MISSING samples: baseline {len(base)}, "
                f"ours {len(ours)}, of {rounds} rounds"), False
    mb, mo = statistics.median(base), statistics.median(ours)
    ratio = (mo / mb if higher else mb / mo) if mb and mo else float("nan")
    spread_b, spread_o = (f"{num(min(v))}-{num(max(v))}" for v in (base, ours))
    return (f"{name:<20} {unit:<9} {'higher' if higher else 'lower':<7} {num(mb):>10} "
            f"{num(mo):>10} {ratio:>6.2f}  {spread_b:>20}  {spread_o:>20}"), True


def table(values, other, label, metrics, rounds):
    """Print @metrics of kernel @other (headed @label) against ours; the
    number of rows with samples missing."""
    print(f"{'metric':<20} {'unit':<9} {'better':<7} {label:>10} {'ours':>10} "
          f"{'ratio':>6}  {label + ' min-max':>20}  {'ours min-max':>20}")
    bad = 0
    for name in metrics:
        text, ok = row(name, values.get((name, other), []),
                       values.get((name, "ours"), []), rounds)
        print(text)
        bad += not ok
    return bad


def main():
    args = sys.argv[1:]
    only, skip = None, []
    if len(args) == 3 and args[0] in ("--only", "--skip") and \
            all(m in METRICS for m in args[1].split(",")):
        if args[0] == "--only":
            only = args[1].split(",")
        else:
            skip = args[1].split(",")
        args = args[2:]
    if len(args) != 1:
        sys.exit("usage: bench/report.py [--only|--skip METRIC[,...]] SERIAL_LOG")
    values, negotiated = {}, []
    line_re = re.compile(r"BENCH: (\d+) (base|tuned|ours) (\w+) ([0-9.eE+-]+)")
    with open(args[0], "rb") as f:
        for raw in f:
            text = raw.decode("utf-8", "replace").replace("\r", "")
            m = line_re.search(text)
            if m and m[1] != "0":
                values.setdefault((m[3], m[2]), []).append(float(m[4]))
            n = text.find("NEGOTIATED: ")
            if n >= 0:
                negotiated.append(text[n + 12:].strip())
    rounds = max((len(v) for v in values.values()), default=0)
    print(f"ours/baseline over {rounds} rounds after a warm-up boot of each; "
          "ratio > 1.00 means ours is better")
    bad = 0 if rounds else 1
    if only:
        bad += table(values, "base", "baseline", only, rounds)
        return 1 if bad else 0
    bad += table(values, "base", "baseline",
                 [m for m in METRICS if m not in skip], rounds)
    print()
    print("baseline's blkfront given our defaults on its command line "
          "(max_ring_page_order=2, max_indirect_segments=128) against ours:")
    bad += table(values, "tuned", "tuned", FIO, rounds)
    print()
    print("negotiated on xvdb (dom0's xenstore; the domU's blkfront parameters):")
    for n in negotiated:
        print(f"  {n}")
    if len(negotiated) < 3:
        print("  MISSING: fewer than 3 kernels reported what they negotiated")
        bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
