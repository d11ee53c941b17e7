#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""profile-sample.py - where the emulated CPUs spend a fork+exec's time.

`make bench-profile` runs `forkexec N` in each kernel on the embedded Xen
host.  Meanwhile this reads every emulated CPU's registers from QEMU's human
monitor (`info registers -a`, some hundreds of times a second) and tags each
sample with the kernel whose run the console says is in progress (the
driver's "PROFILE: begin/end KERNEL" lines).  It sees the whole machine from
outside, so it splits the time between Xen (CPL 0), the PV guests' kernels
(ring 3 at kernel addresses), user space, and halted CPUs, which no tool in
the guest or in dom0 can.  Kernel RIPs become functions with the kernel's
symbol table, and Xen's RIPs too when given the hypervisor's xen-syms.

Under TCG the RIP QEMU shows is the start of a recently entered block, not
the exact instruction: good for functions, not for lines.  Samples of dom0's
kernel fall in the domU's buckets too; dom0 is idle in the runs apart from
the console and the agent's socket.

  sample SOCKET SERIAL_LOG OUT     sample until the monitor closes
  report OUT N VMLINUX-base VMLINUX-ours [XEN-SYMS]
"""
import bisect
import os
import re
import socket
import subprocess
import sys
import time

KERNEL_BASE = 0xffff800000000000


def sample(sock_path, serial, out):
    # the socket appears once QEMU has started
    for _ in range(600):
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(sock_path)
            break
        except OSError:
            time.sleep(0.5)
    else:
        sys.exit("profile: no monitor at " + sock_path)
    buf = b''
    phase, pos, t0 = None, 0, None

    def until_prompt():
        nonlocal buf
        while b'(qemu) ' not in buf:
            d = s.recv(65536)
            if not d:
                raise EOFError
            buf += d
        text, _, buf = buf.partition(b'(qemu) ')
        return text.decode('latin-1')

    rip = re.compile(r'RIP=([0-9a-f]+) .*CPL=(\d) .*HLT=(\d)')
    with open(out, 'w') as f:
        try:
            until_prompt()
            while True:
                # new console lines: the phase markers
                try:
                    with open(serial, 'rb') as lf:
                        lf.seek(pos)
                        new = lf.read()
                    pos += len(new)
                    for m in re.finditer(rb'PROFILE: (begin|end) (\w+)', new):
                        now = time.monotonic()
                        if m.group(1) == b'begin':
                            phase, t0 = m.group(2).decode(), now
                        elif phase:
                            f.write('END %s %.3f\n' % (phase, now - t0))
                            phase = None
                except FileNotFoundError:
                    pass
                s.sendall(b'info registers -a\n')
                text = until_prompt()
                if phase:
                    for m in rip.finditer(text):
                        f.write('%s %s %s %s\n' % (phase, m.group(1),
                                                  m.group(2), m.group(3)))
                time.sleep(0.002)
        except (EOFError, OSError):
            pass


def symbols(vmlinux):
    addrs, names = [], []
    nm = subprocess.run(['nm', '-n', vmlinux], capture_output=True,
                        text=True, check=True).stdout
    for line in nm.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in 'tTwW':
            addrs.append(int(p[0], 16))
            names.append(p[2])
    return addrs, names


def name(table, rip):
    a, nms = table
    i = bisect.bisect_right(a, rip) - 1
    return nms[i] if i >= 0 else hex(rip)


def report(out, n, vmlinux, xen_syms=None):
    n = int(n)
    syms = {k: symbols(v) for k, v in vmlinux.items()}
    xen = symbols(xen_syms) if xen_syms else None
    count = {k: {} for k in vmlinux}
    total = {k: 0 for k in vmlinux}
    secs = {}
    for line in open(out):
        p = line.split()
        if p[0] == 'END':
            secs[p[1]] = float(p[2])
            continue
        k, r, cpl, hlt = p[0], int(p[1], 16), p[2], p[3]
        if k not in count:
            continue
        if hlt == '1':
            b = 'halted'
        elif cpl == '0':
            b = 'xen ' + name(xen, r) if xen else 'xen'
        elif r >= KERNEL_BASE:
            b = 'kernel ' + name(syms[k], r)
        else:
            b = 'user'
        count[k][b] = count[k].get(b, 0) + 1
        total[k] += 1
    # a bucket's share of the samples, times the CPU time of the run
    # (2 emulated CPUs), per iteration
    ncpu = 2
    us = {}
    for k in vmlinux:
        if not total[k] or k not in secs:
            sys.exit('profile: no samples or no end marker for ' + k)
        us[k] = {b: c / total[k] * secs[k] * ncpu * 1e6 / n
                 for b, c in count[k].items()}
    print('# samples: ' + ', '.join('%s %d over %.1f s' % (k, total[k], secs[k])
                                    for k in vmlinux))
    print('# us per fork+exec of CPU time (2 emulated CPUs), by where the '
          'CPUs were')
    for kind in ('halted', 'xen', 'user', 'kernel'):
        row = {k: sum(v for b, v in us[k].items() if b.split()[0] == kind)
               for k in vmlinux}
        print('%-44s %9.0f %9.0f %+9.0f' % (kind + ' (all)', row['base'],
                                            row['ours'], row['ours'] - row['base']))
    keys = set(us['base']) | set(us['ours'])
    rows = sorted(keys, key=lambda b: -max(us['base'].get(b, 0),
                                            us['ours'].get(b, 0)))
    print('%-44s %9s %9s %9s' % ('where', 'base', 'ours', 'ours-base'))
    for b in rows[:int(os.environ.get('PROFILE_ROWS', '80'))]:
        o, bb = us['ours'].get(b, 0), us['base'].get(b, 0)
        print('%-44s %9.0f %9.0f %+9.0f' % (b[:44], bb, o, o - bb))


if __name__ == '__main__':
    if sys.argv[1] == 'sample':
        sample(*sys.argv[2:5])
    else:
        report(sys.argv[2], sys.argv[3],
               {'base': sys.argv[4], 'ours': sys.argv[5]},
               sys.argv[6] if len(sys.argv) > 6 else None)
