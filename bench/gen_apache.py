#!/usr/bin/env python3
"""Writes a deterministic Apache httpd access log in the "combined" format:

    LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"" combined

    bench/gen_apache.py -n LINES [--malformed-rate R] [--seed S] -o FILE

The traffic looks like a busy web shop's: a few thousand returning clients
(IPv4 and some IPv6) with a long tail of one-off ones, crawlers and scripts,
pages, assets, API calls and vulnerability probes, time advancing a fraction
of a second per request, mostly 200s with redirects, 304s, 404s and some
errors, "-" sizes where Apache writes them, referrers from the site itself and
from search engines.

Every line written without --malformed-rate matches %{COMBINEDAPACHELOG}.
With --malformed-rate R, each line is replaced by a malformed one with
probability R (truncated lines, a non-numeric status or size, a tab between
fields, an ISO 8601 or unbracketed time, an unclosed request quote, an error
log or JSON line that landed in the access log): lines COMBINEDAPACHELOG must
not match. The malformed lines use their own random stream, so the good lines
are the same with and without them.

Same arguments -> byte-identical output (Python 3 standard library only).
"""
import argparse
import datetime
import random
import sys

# --- vocabulary ---------------------------------------------------------------

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

BROWSERS = [
    # (weight, template); {c} Chrome major, {f} Firefox major, {s} Safari/iOS version
    (22, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/{c}.0.0.0 Safari/537.36"),
    (8, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{c}.0.0.0 Safari/537.36"),
    (6, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/{s} Safari/605.1.15"),
    (9, "Mozilla/5.0 (iPhone; CPU iPhone OS {su} like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/{s} Mobile/15E148 Safari/604.1"),
    (9, "Mozilla/5.0 (Linux; Android {a}; {phone}) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{c}.0.0.0 Mobile Safari/537.36"),
    (5, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{f}.0) Gecko/20100101 Firefox/{f}.0"),
    (2, "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:{f}.0) Gecko/20100101 Firefox/{f}.0"),
    (3, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/{c}.0.0.0 Safari/537.36 Edg/{c}.0.{b}.{p}"),
    (4, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    (2, "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"),
    (1, "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)"),
    (1, "Mozilla/5.0 (compatible; DotBot/1.2; +https://opensiteexplorer.org/dotbot)"),
    (2, "curl/{curl}"),
    (2, "python-requests/{req}"),
    (1, "Go-http-client/2.0"),
    (1, "Wget/1.21.4"),
    (1, "Java/17.0.{p}"),
    (1, "kube-probe/1.29"),
    (1, "Zabbix"),
    (1, "-"),
]
PHONES = ["SM-S918B", "SM-A546B", "Pixel 8", "Pixel 7a", "moto g54 5G", "2201117TG", "K"]
CURL_VERSIONS = ["7.74.0", "7.88.1", "8.2.1", "8.5.0", "8.7.1"]
REQUESTS_VERSIONS = ["2.25.1", "2.31.0", "2.32.3"]

TOPICS = ["espresso", "kettle", "teapot", "grinder", "filter", "beans", "arabica", "robusta",
          "ceramic", "mug", "travel", "cup", "descaler", "milk", "frother", "scale", "gift",
          "set", "organic", "decaf", "cold", "brew", "pour", "over", "glass", "steel"]
ASSETS = ["app", "vendor", "runtime", "styles", "checkout", "product-gallery", "fonts/inter",
          "logo", "sprite", "hero-winter"]
ASSET_TYPES = ["js", "css", "png", "webp", "svg", "woff2", "jpg", "js.map"]
API = ["cart", "products", "reviews", "stock", "wishlist", "orders", "customers", "coupons"]
PROBES = ["/wp-login.php", "/.env", "/.git/HEAD", "/xmlrpc.php", "/phpinfo.php",
          "/cgi-bin/test.cgi", "/admin/.env", "/server-status", "/owa/auth/logon.aspx",
          "/solr/admin/info/system", "/HNAP1/", "/.aws/credentials"]
PAGES = ["/", "/", "/", "/about", "/contact", "/cart", "/checkout", "/login", "/logout",
         "/account", "/account/orders", "/robots.txt", "/favicon.ico", "/sitemap.xml",
         "/shipping-and-returns"]
SEARCH_ENGINES = ["https://www.google.com/search?q=", "https://www.bing.com/search?q=",
                  "https://duckduckgo.com/?q=", "https://search.brave.com/search?q="]
OTHER_REFERRERS = ["https://www.instagram.com/", "https://l.facebook.com/", "https://t.co/x7Yq2",
                   "https://www.pinterest.com/", "android-app://com.google.android.gm/",
                   "https://news.ycombinator.com/item?id=38412093"]
SITE = "https://www.brewandbean.example"
USERS = ["anna", "b.keller", "jsmith", "ops", "admin", "marta.lopez@example.org", "svc_backup",
         "ci-runner", "lee.w"]
IDENTS = ["www-data", "nobody", "root", "identd"]

# Status codes by kind of request: (weight, code).
PAGE_STATUS = [(780, 200), (70, 304), (35, 301), (30, 302), (50, 404), (5, 403), (4, 400),
               (8, 500), (3, 502), (4, 503), (1, 408), (1, 414)]
API_STATUS = [(700, 200), (60, 201), (40, 204), (40, 400), (40, 401), (20, 403), (50, 404),
              (10, 409), (10, 422), (15, 429), (15, 500)]
PROBE_STATUS = [(70, 404), (20, 403), (5, 301), (5, 400)]
CRAWLER_HINTS = ("bot", "Bot", "crawler")

# Error-log and application lines that end up in access logs by mistake.
STRAY_LINES = [
    "[Tue Dec 01 08:14:07.301562 2026] [proxy_fcgi:error] [pid 21204:tid 140121] [client "
    "10.4.0.17:51234] AH01071: Got error 'Primary script unknown'",
    "[Tue Dec 01 08:14:09.110042 2026] [mpm_event:notice] [pid 881:tid 140188] AH00489: "
    "Apache/2.4.62 (Debian) configured -- resuming normal operations",
    '{"ts":"2026-12-01T08:14:10.552Z","level":"warn","msg":"upstream slow","ms":1840}',
    "PHP Warning:  Undefined array key \"sku\" in /srv/shop/cart.php on line 118",
    "AH00558: apache2: Could not reliably determine the server's fully qualified domain name",
]


def weighted(rng, table):
    """One value of a [(weight, value)] table."""
    x = rng.random() * sum(w for w, _ in table)
    for w, v in table:
        x -= w
        if x < 0:
            return v
    return table[-1][1]


class Traffic:
    """The good lines: one object per run, all randomness from one stream."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        r = self.rng
        self.regulars = [self.new_ipv4() for _ in range(4000)]
        self.regulars6 = [self.new_ipv6() for _ in range(400)]
        # The server writes local time at UTC+01:00; time starts at a fixed instant.
        self.zone = datetime.timezone(datetime.timedelta(hours=1))
        self.now = datetime.datetime(2026, 12, 1, 8, 0, 0, tzinfo=datetime.timezone.utc)
        self.agent_of = {}  # a client keeps its user agent

    def new_ipv4(self):
        r = self.rng
        a = r.choice([2, 5, 24, 31, 37, 46, 62, 78, 79, 80, 82, 84, 86, 88, 91, 92, 93, 95, 109,
                      128, 141, 145, 151, 176, 178, 185, 188, 193, 195, 212, 213, 217])
        return "%d.%d.%d.%d" % (a, r.randrange(256), r.randrange(256), r.randrange(1, 255))

    def new_ipv6(self):
        r = self.rng
        prefix = r.choice(["2a02:8108", "2001:16b8", "2a01:c22", "2003:e8", "2a00:1450", "2604:a880"])
        tail = [format(r.randrange(1, 0x10000), "x") for _ in range(r.choice([1, 2, 4]))]
        if len(tail) == 4:
            mid = [format(r.randrange(0x10000), "x") for _ in range(2)]
            return "%s:%s:%s" % (prefix, ":".join(mid), ":".join(tail))
        return "%s::%s" % (prefix, ":".join(tail))

    def client(self):
        r = self.rng
        x = r.random()
        if x < 0.05:
            return r.choice(self.regulars6)
        if x < 0.07:
            return self.new_ipv6()
        if x < 0.82:
            # a few heavy clients, a long tail of occasional ones
            return self.regulars[int(len(self.regulars) * r.random() ** 4)]
        return self.new_ipv4()

    def agent(self, client):
        r = self.rng
        if client in self.agent_of and r.random() < 0.9:
            return self.agent_of[client]
        ua = weighted(r, BROWSERS).format(
            c=r.randrange(116, 132), f=r.randrange(115, 134), s="%d.%d" % (r.randrange(16, 19), r.randrange(0, 6)),
            su="%d_%d" % (r.randrange(16, 19), r.randrange(0, 6)), a=r.randrange(11, 15),
            phone=r.choice(PHONES), b=r.randrange(1000, 2900), p=r.randrange(10, 250),
            curl=r.choice(CURL_VERSIONS), req=r.choice(REQUESTS_VERSIONS))
        self.agent_of[client] = ua
        return ua

    def words(self, lo, hi, sep):
        r = self.rng
        return sep.join(r.choice(TOPICS) for _ in range(r.randrange(lo, hi + 1)))

    def target(self):
        """(kind, request target)"""
        r = self.rng
        x = r.random()
        if x < 0.32:
            t = "/assets/%s.%07x.%s" % (r.choice(ASSETS), r.getrandbits(28), r.choice(ASSET_TYPES))
            return "asset", t + ("?v=%d" % r.randrange(1, 90) if r.random() < 0.15 else "")
        if x < 0.52:
            t = "/api/v%d/%s" % (r.choice([1, 2, 2]), r.choice(API))
            if r.random() < 0.55:
                t += "/%d" % r.randrange(1, 5_000_000)
            if r.random() < 0.4:
                t += "?page=%d&per_page=%d" % (r.randrange(1, 30), r.choice([12, 24, 48]))
            return "api", t
        if x < 0.66:
            t = "/shop/%s-%d" % (self.words(1, 3, "-"), r.randrange(100, 99999))
            if r.random() < 0.3:
                t += "?utm_source=%s&utm_medium=%s" % (r.choice(["newsletter", "google", "instagram"]),
                                                       r.choice(["email", "cpc", "social"]))
            return "page", t
        if x < 0.74:
            return "page", "/journal/%d/%02d/%s" % (r.choice([2025, 2026]), r.randrange(1, 13),
                                                    self.words(2, 6, "-"))
        if x < 0.81:
            return "page", "/search?q=%s&sort=%s" % (self.words(1, 3, "+"),
                                                    r.choice(["relevance", "price_asc", "newest"]))
        if x < 0.92:
            return "page", r.choice(PAGES)
        if x < 0.95:
            return "probe", r.choice(PROBES)
        return "asset", "/media/catalog/%d/%d-%s.jpg" % (r.randrange(1, 400), r.randrange(10**6),
                                                         r.choice(["thumb", "small", "large"]))

    def method(self, kind):
        r = self.rng
        if kind == "api":
            return weighted(r, [(62, "GET"), (20, "POST"), (8, "PUT"), (4, "PATCH"), (4, "DELETE"),
                                (2, "OPTIONS")])
        if kind == "probe":
            return weighted(r, [(80, "GET"), (18, "POST"), (2, "HEAD")])
        return weighted(r, [(94, "GET"), (3, "POST"), (3, "HEAD")])

    def referrer(self, kind):
        r = self.rng
        x = r.random()
        if kind == "probe" or x < 0.35:
            return "-"
        if x < 0.82:  # a page of the site itself
            kind, target = self.target()
            return SITE + (target if kind == "page" else r.choice(PAGES))
        if x < 0.94:
            return r.choice(SEARCH_ENGINES) + self.words(1, 3, "+")
        return r.choice(OTHER_REFERRERS)

    def timestamp(self):
        r = self.rng
        self.now += datetime.timedelta(microseconds=int(r.expovariate(1 / 45_000)))  # ~22 req/s
        t = self.now.astimezone(self.zone)  # strftime's %b would follow the locale
        return "%02d/%s/%04d:%02d:%02d:%02d +0100" % (t.day, MONTHS[t.month - 1], t.year, t.hour,
                                                       t.minute, t.second)

    def line(self):
        r = self.rng
        host = self.client()
        ident = "-" if r.random() < 0.985 else r.choice(IDENTS)
        user = "-" if r.random() < 0.94 else r.choice(USERS)
        when = self.timestamp()
        kind, target = self.target()
        method = self.method(kind)
        agent = self.agent(host)
        if any(h in agent for h in CRAWLER_HINTS) and kind == "api":
            kind, target = "page", r.choice(PAGES)
        status = weighted(r, {"api": API_STATUS, "probe": PROBE_STATUS}.get(kind, PAGE_STATUS))
        version = weighted(r, [(64, "HTTP/1.1"), (33, "HTTP/2.0"), (3, "HTTP/1.0")])
        request = "%s %s %s" % (method, target, version)
        if status in (400, 408) and r.random() < 0.5:
            request = "-"  # the client sent no (complete) request line: Apache logs "-"
        if method == "HEAD" or status in (204, 304) or request == "-":
            size = "-"
        elif status in (301, 302):
            size = "-" if r.random() < 0.6 else str(r.randrange(200, 260))
        elif status >= 400:
            size = str(r.randrange(180, 1400))
        elif kind == "asset":
            size = str(int(r.lognormvariate(9.6, 1.4)) + 120)
        else:
            size = str(int(r.lognormvariate(8.8, 0.9)) + 300)
        return '%s %s %s [%s] "%s" %d %s "%s" "%s"' % (
            host, ident, user, when, request, status, size, self.referrer(kind), agent)


def malformed(good, r):
    """A line that COMBINEDAPACHELOG does not match, made from a good one."""
    head, rest = good.split(" [", 1)
    stamp, rest = rest.split("] ", 1)
    request, rest = rest[1:].split('" ', 1)  # rest: STATUS SIZE "REFERRER" "AGENT"
    status, size, tail = rest.split(" ", 2)
    kind = r.randrange(9)
    if kind == 0:  # cut short: writer killed, disk full, rotated mid-line
        return good[: r.randrange(8, len(good) - 1)]
    if kind == 1:  # a status that is not a number
        return '%s [%s] "%s" %s %s %s' % (head, stamp, request, r.choice(["OK", "2xx", "HTTP"]), size, tail)
    if kind == 2:  # a size with a unit
        return '%s [%s] "%s" %s %skB %s' % (head, stamp, request, status, r.randrange(1, 900), tail)
    if kind == 3:  # a tab where the format has a space
        return '%s [%s] "%s" %s\t%s %s' % (head, stamp, request, status, size, tail)
    if kind == 4:  # an ISO 8601 time (a LogFormat with %{%FT%T}t)
        return '%s [2026-12-01T%02d:%02d:%02d+01:00] "%s" %s %s %s' % (
            head, r.randrange(24), r.randrange(60), r.randrange(60), request, status, size, tail)
    if kind == 5:  # the time without its brackets
        return '%s %s "%s" %s %s %s' % (head, stamp, request, status, size, tail)
    if kind == 6:  # the request's closing quote lost
        return '%s [%s] "%s %s %s %s' % (head, stamp, request, status, size, tail)
    if kind == 7:  # the agent's closing quote lost
        return good[:-1]
    return r.choice(STRAY_LINES)  # not an access-log line at all


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--lines", type=int, default=1_000_000, help="lines to write")
    ap.add_argument("--malformed-rate", type=float, default=0.0,
                    help="share of lines replaced by malformed ones, e.g. 0.01")
    ap.add_argument("--seed", type=int, default=1, help="same seed, same output")
    ap.add_argument("-o", "--output", default="-", help="file to write; - for stdout")
    args = ap.parse_args()
    if not 0.0 <= args.malformed_rate <= 1.0:
        ap.error("--malformed-rate must be between 0 and 1")

    traffic = Traffic(args.seed)
    damage = random.Random(args.seed * 7919 + 17)
    out = sys.stdout.buffer if args.output == "-" else open(args.output, "wb")
    chunk = []
    for _ in range(args.lines):
        line = traffic.line()
        if args.malformed_rate > 0 and damage.random() < args.malformed_rate:
            line = malformed(line, damage)
        chunk.append(line)
        if len(chunk) == 8192:
            out.write(("\n".join(chunk) + "\n").encode("utf-8"))
            chunk = []
    if chunk:
        out.write(("\n".join(chunk) + "\n").encode("utf-8"))
    if out is not sys.stdout.buffer:
        out.close()


if __name__ == "__main__":
    main()
