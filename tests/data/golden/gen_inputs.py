#!/usr/bin/env python3
"""Writes the golden holdout's inputs (deterministic, seed 7): syslog, JSON,
key=value and an escaping torture file, a few thousand lines each. The Apache
combined input comes from bench/gen_apache.py. The expected outputs beside
them were produced by the code of the commit that added them; regenerate both
only on purpose (tests/golden_test.cpp says how).
  tests/data/golden/gen_inputs.py DIR
"""
import json
import random
import sys

R = random.Random(7)
HOSTS = ["web-1", "web-2", "db-01", "cache.example.org", "gw"]
PROGS = ["sshd", "CRON", "kernel", "systemd", "postfix/smtpd", "nginx"]
WORDS = ["alpha", "beta", "gamma", "delta", "kappa", "lambda", "omega", "zeta"]
# Text that the JSON writer has to escape or repair: quotes, backslashes,
# control characters, DEL, multi-byte UTF-8 and bytes that are not UTF-8.
ODD = ['"quoted"', "back\\slash", "tab\there", "bell\x07", "del\x7f", "caf\u00e9",
       "\u65e5\u672c\u8a9e", "emoji \U0001F600", "\x01\x1f", "</script>"]
BAD = [b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf"]


def text(n):
    out = []
    for _ in range(n):
        r = R.random()
        out.append(R.choice(ODD) if r < 0.15 else R.choice(WORDS))
    return " ".join(out)


def maybe_bad(s):
    b = s.encode()
    if R.random() < 0.05:
        i = R.randrange(len(b) + 1)
        b = b[:i] + R.choice(BAD) + b[i:]
    return b


def syslog(n):
    months = ["Jan", "Feb", "Mar", "Nov", "Dec"]
    for i in range(n):
        ts = "%s %2d %02d:%02d:%02d" % (R.choice(months), R.randint(1, 28), R.randint(0, 23),
                                        R.randint(0, 59), R.randint(0, 59))
        prog = R.choice(PROGS)
        pid = "[%d]" % R.randint(1, 65535) if R.random() < 0.7 else ""
        msg = text(R.randint(1, 12))
        line = "%s %s %s%s: %s" % (ts, R.choice(HOSTS), prog, pid, msg)
        if R.random() < 0.03:
            line = "garbage " + line
        yield maybe_bad(line)


def json_lines(n):
    for i in range(n):
        doc = {
            "ts": "2026-%02d-%02dT%02d:%02d:%02d.%03dZ" % (R.randint(1, 12), R.randint(1, 28),
                                                          R.randint(0, 23), R.randint(0, 59),
                                                          R.randint(0, 59), R.randint(0, 999)),
            "level": R.choice(["INFO", "WARN", "ERROR", "DEBUG"]),
            "msg": text(R.randint(1, 10)),
            "took": R.choice([R.randint(0, 10**6), R.random() * 1000, 1e21, -0.0, 3.0]),
            "ok": R.random() < 0.5,
            "tags": [R.choice(WORDS) for _ in range(R.randint(0, 4))],
            "ctx": {"user": R.choice(ODD + WORDS), "nested": {"n": i, "none": None}},
        }
        line = json.dumps(doc, ensure_ascii=R.random() < 0.5)
        r = R.random()
        if r < 0.03:
            line = line[: len(line) // 2]  # truncated: _jsonparsefailure
        elif r < 0.05:
            line = line.replace('"level"', '"lev\\u00e9l"')
        yield maybe_bad(line)


def kv(n):
    for i in range(n):
        pairs = ["id=%d" % i, "user=%s" % R.choice(WORDS), "status=%d" % R.choice([200, 404, 500]),
                 "bytes=%d" % R.randint(0, 10**7), 'msg="%s"' % text(R.randint(1, 6)).replace('"', "'"),
                 "path=/%s/%s" % (R.choice(WORDS), R.choice(WORDS))]
        R.shuffle(pairs)
        if R.random() < 0.1:
            pairs.append("dup=%s" % R.choice(WORDS))
            pairs.append("dup=%s" % R.choice(WORDS))
        yield maybe_bad(" ".join(pairs))


def torture(n):
    # Lengths around 16/32/64-byte block boundaries, the odd byte at every offset.
    for i in range(n):
        length = R.choice([0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 257])
        body = bytearray(R.choice(b"abcdefghijklmnopqrstuvwxyz0123456789 /-.") for _ in range(length))
        if body and R.random() < 0.8:
            odd = R.choice(ODD).encode() if R.random() < 0.6 else R.choice(BAD)
            at = R.randrange(len(body) + 1)
            body[at:at] = odd
        yield bytes(body).replace(b"\n", b" ").replace(b"\r", b" ")


def main():
    out = sys.argv[1]
    for name, gen, n in [("syslog", syslog, 1000), ("json", json_lines, 1000), ("kv", kv, 1000),
                         ("escapes", torture, 1000)]:
        with open("%s/%s.log" % (out, name), "wb") as f:
            for line in gen(n):
                f.write(line + b"\n")


if __name__ == "__main__":
    main()
