#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""cleanroom-check.py - do our port files share runs of lines with upstream's?

Usage: scripts/cleanroom-check.py UPSTREAM_PORT_DIR FILE...

Every FILE (a path relative to the repository, one of our port files) is
compared with every file of upstream's port under UPSTREAM_PORT_DIR (the
pristine copy scripts/prepare-tree.sh keeps).  Lines are compared after
squeezing white space; blank lines and lines of punctuation only ("}",
"};", "*/", "{") are skipped, since they match everywhere.  A run of RUN
(6) or more such lines in the same order in both files is reported.

Runs inside an ABI definition are fact, not expression, and allowed: a run
is allowed when every line of it is a #define of a constant, a struct or
union member declaration, or a struct/union/enum opening, which is what
restating Xen's public ABI in our own header looks like.

Exits 1 when anything is reported.
"""
import os
import re
import sys

RUN = 6
TRIVIAL = re.compile(r"^[\s{}();,*/\\]*$")
ABI_LINE = re.compile(
    r"^(#define\s+\w+\s+\(?[-\w<>|&+ ()]*\)?$"       # constant
    r"|(struct|union|enum)\s+\w+\s*\{?$"              # opening
    r"|(const\s+)?(u?int\d+_t|__u\d+|uint\w*|u\d+|s\d+|\w+_t|struct\s+\w+|char|int|unsigned\s+\w+|long)"
    r"\s+\**\w+(\[[\w\s+*/-]*\])?(\s*:\s*\d+)?;$"  # member
    r"|\w+\s*(=\s*[-\w<>|()]+)?,?$)"                 # enum member
)


def significant(path):
    """[(lineno, normalised text)] of the lines that count."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for no, line in enumerate(f, 1):
            text = " ".join(line.split())
            if text and not TRIVIAL.match(text):
                out.append((no, text))
    return out


def windows(lines):
    """Map of each RUN-line window's text to its start indexes."""
    index = {}
    for i in range(len(lines) - RUN + 1):
        key = "\n".join(t for _, t in lines[i:i + RUN])
        index.setdefault(key, []).append(i)
    return index


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    up_dir, ours = sys.argv[1], sys.argv[2:]
    upstream = {}
    for root, _, files in os.walk(up_dir):
        for name in files:
            path = os.path.join(root, name)
            upstream[os.path.relpath(path, up_dir)] = windows(significant(path))
    reported = 0
    for mine in ours:
        lines = significant(mine)
        i = 0
        while i <= len(lines) - RUN:
            key = "\n".join(t for _, t in lines[i:i + RUN])
            hit = next((u for u, idx in upstream.items() if key in idx), None)
            if not hit:
                i += 1
                continue
            # grow the run as far as it goes in that upstream file
            j = i + RUN
            while j < len(lines) and "\n".join(t for _, t in lines[j - RUN + 1:j + 1]) in upstream[hit]:
                j += 1
            run = lines[i:j]
            if not all(ABI_LINE.match(t) for _, t in run):
                print(f"{mine}:{run[0][0]}-{run[-1][0]}: {len(run)} lines also in upstream {hit}")
                reported += 1
            i = j
    return 1 if reported else 0


if __name__ == "__main__":
    sys.exit(main())
