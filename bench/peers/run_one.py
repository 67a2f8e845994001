#!/usr/bin/env python3
"""One timed run for bench/compare.sh; prints `name wall_s cpu_s peak_rss_kib lines`.

  run_one.py NAME exits  -- COMMAND...   the command ends by itself: CPU and peak
                                         RSS of the whole process from wait4()
  run_one.py NAME daemon OUT LINES -- COMMAND...
                                         a daemon that never ends: OUT is polled
                                         every 10 ms until it holds LINES lines; CPU
                                         (all threads) and VmHWM are read from /proc
                                         at that moment, then SIGTERM
"""
import os, resource, signal, subprocess, sys, time

name, mode = sys.argv[1], sys.argv[2]
rest = sys.argv[3:]
tck = os.sysconf("SC_CLK_TCK")
if mode == "exits":
    cmd = rest[rest.index("--") + 1:]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    if status != 0:
        sys.exit("%s: exit status %d" % (name, status))
    print("%s %.3f %.3f %d -" % (name, wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss))
else:
    out, want = rest[0], int(rest[1])
    cmd = rest[rest.index("--") + 1:]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen, pos, deadline = 0, 0, t0 + 900
    while seen < want:
        if p.poll() is not None:
            sys.exit("%s: exited early (%d)" % (name, p.returncode))
        if time.monotonic() > deadline:
            p.kill()
            sys.exit("%s: %d of %d lines after 900 s" % (name, seen, want))
        try:
            with open(out, "rb") as f:
                f.seek(pos)
                chunk = f.read()
            pos += len(chunk)
            seen += chunk.count(b"\n")
        except FileNotFoundError:
            pass
        if seen < want:
            time.sleep(0.01)
    wall = time.monotonic() - t0
    with open("/proc/%d/stat" % p.pid) as f:
        st = f.read()
    fields = st[st.rindex(")") + 2:].split()
    cpu = (int(fields[11]) + int(fields[12])) / tck
    hwm = next(int(l.split()[1]) for l in open("/proc/%d/status" % p.pid) if l.startswith("VmHWM:"))
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(15)
    except subprocess.TimeoutExpired:
        p.kill()
    print("%s %.3f %.3f %d %d" % (name, wall, cpu, hwm, seen))
