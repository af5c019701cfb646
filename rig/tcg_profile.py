#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Where an exit's time goes under QEMU TCG (rig/profile-tcg.sh).

  tcg_profile.py sample PORT SECONDS OUT   sample every vCPU's RIP
  tcg_profile.py report DIR [TOP]          per-symbol ns per exit

QEMU's gdbstub stops the machine, the sampler reads each vCPU's RIP and
CS, and lets it run again 3 to 12 ms later: a sampling profiler of the
emulated machine that needs nothing inside it.  QEMU stops a vCPU only
between translation blocks, so the time of a block's helpers (a world
switch, XSAVE, a TLB refill) lands on the block that runs next: VMRUN's
on the guest's first instruction, #VMEXIT's on the host instruction
after VMRUN.

The report symbolizes with the guest's own /proc/kallsyms (printed to
the console by profile-tcg.sh, with KASLR off), the modules' symbols of
each phase and exit_cost's symbol table (prefix U:, which is also the
benchmark guest's code: exit_cost runs its own functions in the guest).
A symbol's figure is its share of the samples that were not in the idle
loop, times the median ns per exit that exit_cost printed in the same
phase: what each function costs one exit, on average.
"""
import base64
import bisect
import collections
import gzip
import random
import re
import socket
import subprocess
import sys
import time

IDLE = {'default_idle', 'native_safe_halt', 'arch_cpu_idle', 'default_idle_call',
        'cpuidle_idle_call', 'do_idle'}


class Gdb:
    """The few packets of the GDB remote protocol the sampler needs."""

    def __init__(self, port):
        self.s = socket.create_connection(('127.0.0.1', port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b''

    def recv(self):
        while True:
            i = self.buf.find(b'$')
            j = self.buf.find(b'#', i) if i >= 0 else -1
            if j >= 0 and len(self.buf) >= j + 3:
                pkt = self.buf[i + 1:j]
                self.buf = self.buf[j + 3:]
                self.s.sendall(b'+')
                return pkt.decode()
            data = self.s.recv(65536)
            if not data:
                raise SystemExit('tcg_profile: QEMU closed the gdbstub connection')
            self.buf += data

    def send(self, pkt):
        self.s.sendall(b'$%s#%02x' % (pkt.encode(), sum(pkt.encode()) & 0xff))

    def cmd(self, pkt):
        self.send(pkt)
        return self.recv()


def sample(port, seconds, out):
    g = Gdb(port)
    # QEMU stops the machine on connect and says so before the reply
    reply = g.cmd('qSupported')
    while not reply.startswith('PacketSize'):
        reply = g.recv()
    g.cmd('?')
    threads = []
    reply = g.cmd('qfThreadInfo')
    while reply.startswith('m') and len(threads) < 256:
        threads += reply[1:].split(',')
        reply = g.cmd('qsThreadInfo')
    n = 0
    end = time.time() + seconds
    with open(out, 'w') as f:
        while time.time() < end:
            regs = []
            for t in threads:
                g.cmd('Hg' + t)
                r = g.cmd('g')
                # 64-bit layout: 16 GPRs, RIP, EFLAGS (32 bits), CS (32 bits)
                rip = int.from_bytes(bytes.fromhex(r[256:272]), 'little') if len(r) >= 288 else 0
                cs = int.from_bytes(bytes.fromhex(r[280:288]), 'little') if len(r) >= 288 else 0
                regs.append('%x:%x' % (rip, cs))
            f.write(' '.join(regs) + '\n')
            n += 1
            g.send('c')
            time.sleep(random.uniform(0.003, 0.012))
            g.s.sendall(b'\x03')
            g.recv()
    g.send('D')
    print('tcg_profile: %d samples of %d vCPUs' % (n, len(threads)))


def symbols(log, phase, exit_cost):
    syms = []
    text = log.split('PROFILE: KALLSYMS BEGIN')[1].split('PROFILE: KALLSYMS END')[0]
    b64 = ''.join(line.strip() for line in text.splitlines() if line.strip())
    for line in gzip.decompress(base64.b64decode(b64)).decode().splitlines():
        addr, _, name = line.split()[:3]
        syms.append((int(addr, 16), name))
    for line in log.splitlines():
        m = re.match(r'PROFILE: SYM ' + phase + r' ([0-9a-f]+) [tT] (\S+)\s+\[(\w+)\]', line)
        if m:
            syms.append((int(m.group(1), 16), '%s[%s]' % (m.group(2), m.group(3))))
    for line in subprocess.check_output(['nm', '-n', exit_cost]).decode().splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in 'tTwW':
            syms.append((int(p[0], 16), 'U:' + p[2]))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def report(d, top):
    log = open(d + '/console.log', errors='replace').read()
    for phase in ('vmon', 'kvm'):
        addrs, names = symbols(log, phase, d + '/exit_cost')
        ns = sorted(float(m) for m in re.findall(
            r'^%s \S+\s+median\s+(\d+) ns' % phase, log, re.M))
        if not ns:
            print('tcg_profile: no exit_cost figures of %s' % phase)
            continue
        per_exit = ns[len(ns) // 2]
        count = collections.Counter()
        busy = 0
        for line in open('%s/%s.samples' % (d, phase)):
            for e in line.split():
                rip = int(e.split(':')[0], 16)
                i = bisect.bisect_right(addrs, rip) - 1
                name = names[i] if i >= 0 else '?'
                if name in IDLE:
                    continue
                busy += 1
                count[name] += 1
        print('%s: %.0f ns per exit (median of %d loops), %d busy samples' %
              (phase, per_exit, len(ns), busy))
        for name, c in count.most_common(top):
            print('  %7.0f ns  %5.1f %%  %s' % (c / busy * per_exit, 100.0 * c / busy, name))


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == 'sample':
        sample(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) >= 3 and sys.argv[1] == 'report':
        report(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 40)
    else:
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        sys.exit(2)


if __name__ == '__main__':
    main()
