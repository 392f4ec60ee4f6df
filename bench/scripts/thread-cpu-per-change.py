#!/usr/bin/env python3
"""thread-cpu-per-change.py CONFIG_SERVER_LOG THREADS.csv [BIN_S]: per change of a control-plane benchmark run (from the
write, i.e. the reload's start less the debounce, to the control plane's "all N proxies pushed acked" line), the CPU ms
of each process (control plane, benchmark JVM) by thread group, from thread-cpu.py's samples. With BIN_S (e.g. 0.2),
also each change's timeline: the same sums per bin of BIN_S seconds from 1 s before the write to the last ACK, to see
what ran while the change waited (docs/performance.md, "The first change after the first sync, measured again")."""
import sys, re, datetime, collections
log = open(sys.argv[1]).read().splitlines()
day = None
wins = []; start = None
for line in log:
    m = re.match(r'(\d\d:\d\d:\d\d\.\d+) INFO\s+Debouncer\s+reloaded after .* in (\d+) ms', line)
    if m:
        start = (m.group(1), int(m.group(2)) + 100)
    m = re.match(r'(\d\d:\d\d:\d\d\.\d+) INFO\s+DiscoveryServer\s+push snapshot=\S+: all (\d+) proxies pushed acked (\d+) ms', line)
    if m and start:
        wins.append((start, m.group(1), int(m.group(3)))); start = None
rows = [l.rstrip('\n').split(',') for l in open(sys.argv[2])]
import time as _t
def epoch(hms):
    d = datetime.datetime.utcfromtimestamp(float(rows[0][0])).date()
    return datetime.datetime.combine(d, datetime.time.fromisoformat(hms)).replace(tzinfo=datetime.timezone.utc).timestamp()
def group(kind, comm):
    for prefix, g in [('C2 Compiler', 'C2 JIT'), ('C1 Compiler', 'C1 JIT'), ('VM Thread', 'VM/GC'), ('GC ', 'VM/GC'),
                      ('meshgate-push', 'push'), ('meshgate-config', 'reload'), ('reactor-http', 'event loops'),
                      ('light-discovery', 'light clients'), ('boundedElastic', 'full clients'), ('HttpClient', 'http selector'),
                      ('reactor-', 'full clients netty')]:
        if comm.startswith(prefix):
            return g
    return 'other'
snaps = collections.defaultdict(dict)  # time -> (pid,tid) -> (kind, comm, ms)
import bisect
by_kind = collections.defaultdict(lambda: collections.defaultdict(list))
for r in rows:
    by_kind[r[1]][float(r[0])].append(r)
kind_times = {k: sorted(v) for k, v in by_kind.items()}
def state_at(t):
    # each process's last sample at or before t
    out = {}
    for k, times in kind_times.items():
        i = bisect.bisect_right(times, t) - 1
        for r in by_kind[k][times[max(i, 0)]]:
            out[(r[2], r[3])] = (r[1], r[4], int(r[5]))
    return out
for i, ((st, back), end, acked) in enumerate(wins):
    a = epoch(st) - back / 1000.0; b = epoch(end)
    s0 = state_at(a); s1 = state_at(b)
    tot = collections.Counter()
    for k, (kind, comm, ms) in s1.items():
        ms0 = s0.get(k, (kind, comm, 0))[2]
        tot[(kind, group(kind, comm))] += ms - ms0
    cp = {g: v for (k, g), v in tot.items() if k == 'cp'}; be = {g: v for (k, g), v in tot.items() if k == 'bench'}
    print(f'change {i+1}: window {b-a:.2f} s, publication->all acked {acked} ms')
    print('   control plane', sum(cp.values()), 'ms:', dict(sorted(cp.items(), key=lambda x: -x[1])))
    print('   bench clients', sum(be.values()), 'ms:', dict(sorted(be.items(), key=lambda x: -x[1])))
    if len(sys.argv) > 3:
        step = float(sys.argv[3]); t = a - 1.0
        while t < b:
            d0 = state_at(t); d1 = state_at(t + step)
            bins = collections.Counter()
            for k, (kind, comm, ms) in d1.items():
                bins[(kind, group(kind, comm))] += ms - d0.get(k, (kind, comm, ms))[2]
            cpb = {g: v for (k, g), v in bins.items() if k == 'cp' and v}
            beb = {g: v for (k, g), v in bins.items() if k == 'bench' and v}
            print(f'     {t - a:+5.1f} s  control plane {sum(cpb.values()):4d} {cpb}  bench {sum(beb.values()):4d} {beb}')
            t += step
