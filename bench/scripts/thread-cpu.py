#!/usr/bin/env python3
"""thread-cpu.py OUT.csv MARKER: every 100 ms, each thread's CPU time (ms) of every java process whose command line holds
MARKER (e.g. the checkout's path), as time,cp|bench,pid,tid,thread name,ms; until no such process remains (after one
was seen). docs/performance.md, "The first change after the first sync"."""
import os, sys, time
out = open(sys.argv[1], 'w'); marker = sys.argv[2].encode(); seen = False
tck = os.sysconf('SC_CLK_TCK')
while True:
    pids = []
    for p in os.listdir('/proc'):
        if p.isdigit():
            try:
                cl = open(f'/proc/{p}/cmdline', 'rb').read()
            except OSError:
                continue
            if marker in cl and b'java' in cl and b'threadcpu' not in cl:
                kind = 'cp' if b'meshgate-config-server.jar' in cl else 'bench'
                pids.append((p, kind))
    if pids:
        seen = True
    elif seen:
        break
    now = time.time()
    for p, kind in pids:
        try:
            for t in os.listdir(f'/proc/{p}/task'):
                try:
                    st = open(f'/proc/{p}/task/{t}/stat').read()
                except OSError:
                    continue
                comm = st[st.index('(') + 1:st.rindex(')')]
                f = st[st.rindex(')') + 2:].split()
                out.write(f'{now:.3f},{kind},{p},{t},{comm},{(int(f[11]) + int(f[12])) * 1000 // tck}\n')
        except OSError:
            pass
    out.flush()
    time.sleep(0.1)
