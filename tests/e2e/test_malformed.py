"""A corpus of malformed and hostile requests against the real wijkcald,
sent over raw sockets: encoded "../" in many spellings, NUL and control
bytes, overlong and invalid UTF-8, 16 KiB and longer paths, 64 KiB
headers, header lines without a colon, bad methods and versions, HTTP/0.9,
the HTTP/2 preface, absurd Content-Length, chunked garbage, Host tricks,
duplicate headers, CR/LF in the path, odd private tokens and invalid
percent escapes. Each case is a line in a table or a generated family.

Each request must get a 4xx answer or a closed connection: never a 200,
never a 5xx, never file content, never a raw CR or LF or any of its own
bytes as a response header. The one exception is an HTTP version the
daemon does not speak (HTTP/0.9 in a request line, HTTP/2 and later):
libmicrohttpd answers those itself with 505, the status RFC 9110 gives for
it and the one nginx sends for HTTP/2.0 and HTTP/9.9 too. A raw NUL in the
request line gets 400 (wijkcald checks what libmicrohttpd 0.9.75 would cut
off). libmicrohttpd drops a header line with an empty name before the
daemon sees it; that request must be answered exactly as the one without
the line (REDUCED). The daemon must stay up throughout and be healthy
after. Cheap enough to run under ASan with the
other end-to-end tests."""
import re
import socket
import time

import wk
import wkd
from wk import check

FEED = "/feeds/wijk/noord.ics"
TOKEN = "/feeds/private/"
MARK = "wkinj"  # a request that tries to inject a header carries this
KIB = 1024


def req(target, method="GET", headers=None, version="HTTP/1.1", body=b"", host=True):
    """The bytes of one request; str parts are sent as latin-1 (byte for
    byte), so any byte can be in a target or header."""
    def b(x):
        return x if isinstance(x, bytes) else x.encode("latin-1")
    line = b(method) + b" " + b(target) + (b" " + b(version) if version else b"") + b"\r\n"
    hdrs = ([("Host", "127.0.0.1")] if host else []) + list(headers or [])
    return line + b"".join(b(k) + b": " + b(v) + b"\r\n" for k, v in hdrs) + b"\r\n" + b(body)


# ---- the corpus: (name, request bytes) ----

# "../" spelled many ways: encoded, double-encoded, overlong UTF-8 (%c0%ae
# is an overlong "."), backslashes, IIS %u escapes, NUL and ";" tricks.
DOTDOT = ["../", "..%2f", "..%2F", "%2e%2e/", "%2e%2e%2f", "%2E%2E%2F", "%2e%2E%2f", ".%2e/",
          "%2e./", "%252e%252e%252f", "..%252f", "%c0%ae%c0%ae/", "%c0%ae%c0%ae%c0%af", "..%c0%af",
          "..%c1%9c", "..%e0%80%af", "..\\", "..%5c", "%2e%2e%5c", "..%255c", "....//", "..;/",
          "%u002e%u002e/", "..%00/", ".%00./", "..%u2215", "%%32%65%%32%65/", "..%2f%2f"]
PREFIXES = ["/", "/feeds/wijk/", TOKEN, "/wijk/"]

# Paths that name files or walk out in the plain.
PATHS = ["/etc/passwd", "/../../etc/passwd", "/feeds/../../../etc/passwd", "//etc/passwd",
         FEED + "/../../../../etc/passwd", "/feeds/wijk/..", "/feeds/wijk/../../..",
         "/./././etc/passwd", "/proc/self/environ", "/feeds/wijk/../../proc/self/environ",
         "file:///etc/passwd", "http://127.0.0.1/../../etc/passwd", "etc/passwd", "*",
         "/feeds/wijk/noord.ics\\..\\..\\etc\\passwd", "\\etc\\passwd", "/feeds/wijk/*.ics",
         "/feeds/wijk/.ics", "/feeds/wijk/.", "/feeds/", "/feeds/wijk/", "/wijk/",
         "/feeds/wijk/noord.ics/", "/.git/config", "/feeds/wijk/noord.ics~"]

# Bytes no path may hold: NUL, controls, overlong and invalid UTF-8.
RAW_PATHS = [b"/feeds/wijk/noord\x00.ics", b"/feeds/\x00/../../etc/passwd",
             b"/wijk/\x01", b"/wijk/noord\x7f", b"/wijk/no\tord", b"/wijk/\x1b[2J",
             b"/wijk/\xc0\xae\xc0\xae/etc/passwd", b"/\xc0\xaf", b"/\xe0\x80\xaf",
             b"/\xf0\x80\x80\xaf", b"/wijk/\xff\xfe", b"/wijk/\xed\xa0\x80", b"/\x80",
             b"/feeds/wijk/noord\xc0\xae\xc0\xaeics", b"/wijk/noord\xf8\x88\x80\x80\x80",
             TOKEN.encode() + b"\xc0\xae\xc0\xae.ics"]

# Far too long: paths, queries, and paths made of traversals.
LONG_PATHS = ["/" + "a" * 16 * KIB, "/feeds/wijk/" + "a" * 16 * KIB + ".ics", "/" + "../" * 6000,
              "/" + "%2e%2e%2f" * 2000, "/" + "a/" * 8 * KIB, "/feeds/wijk/noord.ics?" + "x" * 64 * KIB,
              "/healthz?" + "a=b&" * 20000, "/?" + "%" * 40000, "/etc/passwd?" + "q" * 16 * KIB,
              "/wijk/noord?" + "a=" + "%zz" * 12000]

# Private tokens of odd shapes: unknown ones, never a hit.
TOKENS = ["", ".", "..", "%2e%2e", "A" * 1000, "0" * 31, "g" * 32,
          "0123456789ABCDEF0123456789ABCDEF", "0" * 64 + "/../x", "tok en", "tok;en", "tok%00en",
          "tok?x=1", "*", "\\..\\x", "%c0%ae", "0123456789abcdef" * 2 + "%2f"]

# Invalid percent escapes.
PERCENT = ["/%", "/%G0", "/%2", "/%%", "/feeds/wijk/noord%zz.ics", "/wijk/%", "/wijk/noord%"]

# CR and LF, encoded or raw, in the path: an injected header must not
# appear in the answer.
CRLF = [f"/wijk/noord%0d%0aX-Injected:%20{MARK}", f"/feeds/wijk/noord.ics%0d%0aSet-Cookie:{MARK}=1",
        f"/%0aX-Injected:{MARK}", f"/%E5%98%8A%E5%98%8DX-Injected:{MARK}",
        f"/wijk/noord\rX-Injected: {MARK}", f"/wijk/noord\r\nX-Injected: {MARK}",
        f"/wijk/noord\nX-Injected: {MARK}"]

BIG = "a" * 64 * KIB
HEADERS = [  # (name, header list) on a valid feed path
    ("64 KiB header", [("X-Big", BIG)]),
    ("64 KiB Cookie", [("Cookie", "c=" + BIG)]),
    ("64 KiB header name", [(BIG, "x")]),
    ("4000 headers", [(f"X-N{i}", "v") for i in range(4000)]),
    ("If-None-Match 64 KiB", [("If-None-Match", '"x", ' * 10 * KIB)]),
    ("Accept-Encoding 64 KiB", [("Accept-Encoding", "gzip;q=0.5, " * 5 * KIB)]),
]
HEADER_LINES = [  # raw header lines, no Host fix-ups
    b"NoColonHere", b"Bad Name: x", b"Bad\rName: x", b" folded: continuation",
    b"X-Name\x00: 1", b"X-Injected\r: " + MARK.encode(), b"\tX-Tab: 1", b"X-Foo: a\rX-Injected: wkinj",
    b"X-Foo: a\r\n X-Injected: wkinj",
]

METHODS = ["GETT", "get", "PROPFIND", "TRACE", "DELETE", "PUT", "POST", "PATCH", "OPTIONS", "BREW",
           "M" * 10 * KIB, "\x00GET", "G\x01T", "GET /"]

VERSIONS = ["HTTP/0.9", "HTTP/2.0", "HTTP/3", "HTTP/9.9", "HTTP/1.1x", "HTTP/1", "http/1.1",
            "HTTP/1.1 extra", "HTTP/01.1", "HTTP/1.10", "HTTPS/1.1", "HTTP/-1.1", "HTTP/1.1\x00"]

BINARY = [
    ("HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04\x00\x00\x00\x00\x00"),
    ("HTTP/2 preface alone", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
    ("TLS ClientHello", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(range(32)) + b"\x00" * 40),
    ("all bytes", bytes(range(256)) + b"\r\n\r\n"),
    ("NULs", b"\x00" * 4096 + b"\r\n\r\n"),
    ("HTTP/0.9", b"GET " + FEED.encode() + b"\r\n"),
    ("HTTP/0.9 passwd", b"GET /etc/passwd\r\n"),
    ("only CRLF", b"\r\n" * 2000),
    ("LF only", b"GET /etc/passwd HTTP/1.1\nHost: x\n\n"),
    ("SSH banner", b"SSH-2.0-OpenSSH_9.2\r\n"),
]

# Content-Length and Transfer-Encoding that make no sense.
BODIES = [
    ("CL huge", [("Content-Length", "99999999999999999999999")], b""),
    ("CL 2^64", [("Content-Length", "18446744073709551616")], b""),
    ("CL 2^64-1", [("Content-Length", "18446744073709551615")], b""),
    ("CL negative", [("Content-Length", "-1")], b""),
    ("CL word", [("Content-Length", "abc")], b""),
    ("CL float", [("Content-Length", "1e9")], b""),
    ("CL hex", [("Content-Length", "0x10")], b""),
    ("CL plus", [("Content-Length", "+5")], b"hello"),
    ("CL twice", [("Content-Length", "5"), ("Content-Length", "6")], b"hello!"),
    ("CL list", [("Content-Length", "5, 6")], b"hello!"),
    ("chunk size word", [("Transfer-Encoding", "chunked")], b"zz\r\nhello\r\n0\r\n\r\n"),
    ("chunk size huge", [("Transfer-Encoding", "chunked")], b"ffffffffffffffffffffff\r\nx\r\n"),
    ("chunk size negative", [("Transfer-Encoding", "chunked")], b"-1\r\nx\r\n0\r\n\r\n"),
    ("chunk size 0x", [("Transfer-Encoding", "chunked")], b"0x5\r\nhello\r\n0\r\n\r\n"),
    ("chunk extension 40 KiB", [("Transfer-Encoding", "chunked")], b"5;" + b"a" * 40 * KIB + b"\r\n"),
    ("chunk short", [("Transfer-Encoding", "chunked")], b"5\r\nhelloEXTRA\r\n0\r\n\r\n"),
    ("TE chunked, identity", [("Transfer-Encoding", "chunked, identity")], b"0\r\n\r\n"),
    ("TE xchunked", [("Transfer-Encoding", "xchunked")], b"0\r\n\r\n"),
    ("TE gzip", [("Transfer-Encoding", "gzip")], b"\x1f\x8b"),
    ("TE twice", [("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")], b"zz\r\n"),
    ("CL and TE (smuggling)", [("Content-Length", "4"), ("Transfer-Encoding", "chunked")],
     b"0\r\n\r\nGET /etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"),
]

# Host: missing, doubled, odd, with controls; on paths that must fail.
HOSTS = [None, "", " ", "a b", "evil\x00.example", "h" * 10 * KIB, "127.0.0.1:99999999999",
         "[::1", "127.0.0.1@evil.example", f"x\rX-Injected: {MARK}"]

DUPLICATES = [  # (name, path, header list): the headers as given, plus Host
    ("Host twice, path walks", "/../etc/passwd", [("Host", "evil.example")]),
    ("If-None-Match twice, path encoded", "/feeds/wijk/noord%2eics", [("If-None-Match", "*")] * 2),
    ("Accept-Encoding 100 times", "/feeds/wijk/..%2f..%2fetc", [("Accept-Encoding", "gzip")] * 100),
    ("Range twice", "/etc/passwd", [("Range", "bytes=0-"), ("Range", "bytes=0-10")]),
]


# A raw NUL in the request line: libmicrohttpd 0.9.75 would end the method
# or path there; the daemon refuses the request (400).
NULS = [("NUL after a feed path", req(b"/feeds/wijk/noord.ics\x00.txt")),
        ("NUL after /", req(b"/\x00")),
        ("NUL then a walk", req(b"/\x00/../../etc/passwd")),
        ("NUL after /healthz", req(b"/healthz\x00/etc/passwd")),
        ("NUL in the method", req(FEED, method=b"GET\x00X")),
        ("NUL before the version", req(FEED + "\x00", version="HTTP/1.1")),
        ("NUL after a query", req(FEED + "?x=1\x00.txt"))]

# What libmicrohttpd 0.9.75 drops before the daemon sees it: a header line
# with an empty name. Such a request gets what the request without it
# gets, byte for byte, and never more.
REDUCED = [  # (name, request, the request it must be answered like)
    ("header with an empty name", req(FEED, headers=[("", "x")]), req(FEED)),
]

# Versions the daemon does not speak: 505 from libmicrohttpd is allowed.
UNSUPPORTED_VERSION = {"version 'HTTP/0.9'", "version 'HTTP/2.0'", "version 'HTTP/3'",
                       "version 'HTTP/9.9'", "HTTP/2 preface", "HTTP/2 preface alone"}


def corpus():
    """Every case as (name, bytes)."""
    for p in PREFIXES:
        for d in DOTDOT:
            yield f"dotdot {p}{d}", req(p + d * 3 + "etc/passwd")
    for p in PATHS:
        yield f"path {p!r}", req(p)
    for p in RAW_PATHS:
        yield f"raw path {p!r}", req(p)
    for p in LONG_PATHS:
        yield f"long path {p[:20]!r}... ({len(p)} bytes)", req(p)
    for t in TOKENS:
        yield f"token feed {t[:24]!r} ({len(t)})", req(TOKEN + t + ".ics")
        yield f"token page {t[:24]!r} ({len(t)})", req("/private/" + t)
    for p in PERCENT:
        yield f"percent {p!r}", req(p)
    for p in CRLF:
        yield f"crlf {p!r}", req(p)
    for name, hdrs in HEADERS:
        yield name, req(FEED, headers=hdrs)
    for line in HEADER_LINES:
        yield f"header line {line[:20]!r}", req(FEED).replace(b"\r\n\r\n", b"\r\n" + line + b"\r\n\r\n")
    for m in METHODS:
        yield f"method {m[:12]!r}", req(FEED, method=m, headers=[("X-Trace", MARK)])
    for v in VERSIONS:
        yield f"version {v!r}", req(FEED, version=v, host=not v.startswith("HTTP/0"))
    yield from BINARY
    for name, hdrs, body in BODIES:
        yield name, req(FEED, headers=hdrs, body=body)
    for h in HOSTS:
        for p in ("/../etc/passwd", TOKEN + "00.ics"):
            yield f"host {h and h[:16]!r} {p}", req(p, headers=[] if h is None else [("Host", h)], host=False)
    yield "no Host on HTTP/1.1", req(FEED, host=False)
    for name, path, hdrs in DUPLICATES:
        yield name, req(path, headers=hdrs)
    yield from NULS


# ---- sending, and reading what comes back ----

def exchange(port, data):
    """Sends one case; returns (status or None, head bytes, body bytes,
    how): how is "answered", "closed" (no answer, the daemon closed) or
    "hung" (it neither answered nor closed, even after we stopped
    sending)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.settimeout(1.5)
    try:
        try:
            s.sendall(data)
        except OSError:
            pass  # closed while we sent: the read below tells
        buf, shut = b"", False
        while b"\r\n\r\n" not in buf:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                if shut:
                    return None, b"", b"", "hung"
                s.shutdown(socket.SHUT_WR)  # waiting for more? there is none
                shut = True
                continue
            except OSError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
        if b"\r\n\r\n" not in buf:
            return None, buf, b"", "closed" if not buf else "answered"
        head, _, body = buf.partition(b"\r\n\r\n")
        m = re.match(rb"HTTP/1\.[01] (\d{3}) ", head)
        status = int(m.group(1)) if m else None
        m = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
        body += read_rest(s, int(m.group(1)) - len(body) if m else 1 << 20)
        return status, head, body, "answered"
    finally:
        s.close()


def read_rest(s, n):
    """The rest of a body: n more bytes (at most 1 MiB), or what comes
    until the daemon closes or pauses."""
    s.settimeout(0.5)
    out = b""
    try:
        while len(out) < min(n, 1 << 20):
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except OSError:
        pass
    return out


HEADER_LINE = re.compile(rb"^[!#$%&'*+.^_`|~0-9A-Za-z-]+: [\x20-\x7e\t]*$")


def check_answer(name, status, head, body, how):
    check(how != "hung", f"{name}: neither answered nor closed")
    if how != "answered":
        return
    ok = status is not None and (400 <= status <= 499 or (status == 505 and name in UNSUPPORTED_VERSION))
    check(ok, f"{name}: status {status}: {head[:200]!r}")
    check(b"root:" not in body and b"PATH=" not in body, f"{name}: file content in the answer")
    for line in head.split(b"\r\n")[1:]:
        check(HEADER_LINE.match(line) is not None, f"{name}: odd response header line {line[:100]!r}")
        name_ = line.split(b":", 1)[0].lower()
        check(name_ not in (b"x-injected", b"set-cookie", b"x-trace"), f"{name}: injected header {line!r}")
    check(MARK.encode() not in head, f"{name}: request bytes echoed in a response header: {head[:300]!r}")


env = wk.Env()
wk.demo_registry(env)
daemon = wkd.Daemon(env)
cases = list(corpus())
names = [n for n, _ in cases]
check(len(set(names)) == len(names), "two cases share a name")
counts = {"answered": 0, "closed": 0, "hung": 0}
statuses = {}  # of every case, the NUL ones included
t0 = time.monotonic()
for name, data, like in REDUCED:
    got, want = exchange(daemon.port, data), exchange(daemon.port, like)
    check(got[0] == want[0] and got[2] == want[2] and got[3] == want[3],
          f"{name}: {got[0]} {len(got[2])} bytes, not as the request without the line ({want[0]})")
    check(b"root:" not in got[2], f"{name}: file content")
    statuses[got[0]] = statuses.get(got[0], 0) + 1
for name, data in cases:
    status, head, body, how = exchange(daemon.port, data)
    counts[how] += 1
    statuses[status] = statuses.get(status, 0) + 1
    check_answer(name, status, head, body, how)
    if daemon.proc.poll() is not None:
        check(False, f"wijkcald died at {name}:\n{daemon.logtext()[-3000:]}")
        break
print(f"{len(cases)} malformed requests (and {len(REDUCED)} reduced) in {time.monotonic() - t0:.1f} s: {counts}, statuses "
      + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))))
check(len(cases) >= 200, f"only {len(cases)} cases")
check(daemon.proc.poll() is None, "wijkcald died")
status, _, _ = daemon.get("/healthz")
check(status == 200, f"healthz after the corpus: {status}")
status, _, body = daemon.get(FEED)
check(status == 200 and body.startswith(b"BEGIN:VCALENDAR"), f"the feed after the corpus: {status}")
code = daemon.stop()
check(code == 0, f"wijkcald exit {code} at SIGTERM after the corpus")
env.close()
wk.finish()
