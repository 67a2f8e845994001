#!/usr/bin/env python3
"""Writes a hostile log: the lines of a clean one (bench/gen_apache.py's) with
a share of them replaced by lines built to hurt a log pipeline.

    bench/gen_hostile.py --clean CLEAN.log --rate R [--big N] [--seed S] -o FILE

Each replaced line is one of these kinds, in turn:
  invalid UTF-8 (stray continuation bytes, overlong forms, surrogates, a cut
  sequence at the end), NUL and other control bytes, JSON nested 100,000
  deep and JSON nested just past 1,024, near-misses of COMBINEDAPACHELOG and
  SYSLOGLINE that run long before failing (the catastrophic-backtracking
  shapes: long runs of digits, dots, spaces, colons, quotes and brackets),
  key=value runs of 20,000 pairs, a JSON object of 20,000 keys, absurd syslog priorities and lengths,
  numbers of 10,000 digits where a date or a number is expected, and terminal
  escape sequences. The first N replaced lines (--big, default 4) are 1 MiB
  long instead.

No line contains a newline: one line in is one event out. Same arguments ->
byte-identical output (Python 3 standard library only).
"""
import argparse
import random
import sys

MIB = 1 << 20


def kinds(rng):
    run = lambda unit, n: unit * n
    return [
        lambda: b"GET /\xff\xfe caf\xc3 \xc0\xaf \xed\xa0\x80 user=\x80\x80\x80 " + bytes([0xE2, 0x82]),
        lambda: b"10.0.0.1 - - \x00\x00[03/Dec/2026:10:00:00 +0000]\x00 \"GET / HTTP/1.1\" 200 \x01\x02\x7f 5",
        lambda: run(b"[", 100000) + run(b"]", 100000),
        lambda: run(b'{"a":', 1100) + b"1" + run(b"}", 1100),
        lambda: b"1.1.1.1 - - [" + run(b"1", 20000) + b" \"GET",
        lambda: run(b"1.", 15000) + b" - - [03/Dec/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 x",
        lambda: b"Dec  3 10:00:00 " + run(b"host ", 8000) + b"!",
        lambda: b"127.0.0.1 - - [03/Dec/2026:10:00:00 +0000] \"" + run(b"\\\"", 10000),
        lambda: b" ".join(b"k%d=v%d" % (i, i) for i in range(20000)),
        lambda: b"<99999999999999999999>Dec  3 10:00:00 host app[1]: " + run(b"x", 5000),
        lambda: b"99999999999999 <13>1 2026-12-03T10:00:00Z host app - - - " + run(b"y", 3000),
        lambda: b"10.0.0.2 - - [" + run(b"9", 10000) + b"/Dec/2026:10:00:00 +0000] \"GET / HTTP/1.1\" 200 " + run(b"9", 10000),
        lambda: b"\x1b[31;1mred\x1b[0m \x1b]0;title\x07 \r carriage \x08\x08 bell\x07",
        lambda: run(b"::", 10000) + b"g",
        lambda: b"[" + run(b"[ ", 5000) + b"x=",
        lambda: b"{" + b",".join(b'"k%d":%d' % (i, i) for i in range(20000)) + b"}",
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clean", required=True)
    ap.add_argument("--rate", type=float, required=True)
    ap.add_argument("--big", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    makers = kinds(rng)
    replaced = 0
    with open(a.clean, "rb") as src, open(a.output, "wb") as out:
        for line in src:
            line = line.rstrip(b"\n")
            if rng.random() < a.rate:
                if replaced < a.big:
                    unit = makers[replaced % len(makers)]()
                    line = (unit * (MIB // max(len(unit), 1) + 1))[:MIB]
                else:
                    line = makers[replaced % len(makers)]()
                line = line.replace(b"\n", b" ")
                replaced += 1
            out.write(line + b"\n")
    print("%d lines replaced" % replaced, file=sys.stderr)


if __name__ == "__main__":
    main()
