"""wijkcald end to end: the real daemon on 127.0.0.1 and a free port, driven
over real HTTP (http.client, curl and raw sockets) while the CLI changes the
database. Checks that each feed is byte for byte what `wijkcal export ics`
writes and that independent parsers read it; the HTTP semantics (ETag,
Last-Modified, 304, HEAD, gzip, Cache-Control, 404, 405); that a CLI change
shows within a second or two with no signal; SIGHUP with a bad and a good
config; a clean, prompt stop on SIGTERM; refusals at start (bad config,
missing database, port in use); the background mode; and that malformed
requests get an error or a closed connection while the daemon stays up."""
import gzip
import http.client
import os
import signal
import socket
import subprocess
import time

import wk
from wk import check

DAEMON = os.path.join(wk.BIN, "wijkcald")
# Sanitizer builds start and answer more slowly: generous bounds.
START_TIMEOUT = 20


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    """A running wijkcald on a free port, its log in the env's directory."""

    def __init__(self, env, *args, port=None, wait=True, extra_env=None):
        self.env = env
        self.port = port or free_port()
        self.logpath = env.path("wijkcald-%d.log" % self.port)
        self.argv = [DAEMON, "--db", env.db, "--listen", "127.0.0.1:%d" % self.port,
                     "--foreground", "-v", *[str(a) for a in args]]
        self.log = open(self.logpath, "wb")
        self.proc = subprocess.Popen(self.argv, env=dict(env.env, **(extra_env or {})), cwd=env.dir,
                                     stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        if wait:
            self.wait_ready()

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"wijkcald exited {self.proc.returncode}:\n{self.logtext()}")
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"wijkcald not ready:\n{self.logtext()}")

    def logtext(self):
        self.log.flush()
        with open(self.logpath, "rb") as f:
            return f.read().decode(errors="replace")

    def request(self, method, path, headers=None):
        """One request on a fresh connection: (status, headers, body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, headers=headers or {})
            r = conn.getresponse()
            body = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, body
        finally:
            conn.close()

    def get(self, path, headers=None):
        return self.request("GET", path, headers)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Sends sig and waits; returns (exit status, seconds taken)."""
        t0 = time.monotonic()
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.log.close()
        return code, time.monotonic() - t0


def export(env, *args, config=None):
    """The bytes `wijkcal export ics ARGS` writes."""
    out = env.path("export-%d.ics" % len(os.listdir(env.dir)))
    pre = ["-c", config] if config else []
    argv = [os.path.join(wk.BIN, "wijkcal"), *pre, "--db", env.db, "export", "ics", *args, "-o", out]
    r = subprocess.run(argv, env=env.env, cwd=env.dir, capture_output=True, timeout=120)
    if r.returncode != 0:
        raise AssertionError(f"{argv}: {r.stderr}")
    with open(out, "rb") as f:
        return f.read()


def parse_feed(env, data):
    path = env.path("fetched-%d.ics" % len(os.listdir(env.dir)))
    with open(path, "wb") as f:
        f.write(data)
    return wk.check_ics(path)


def raw(port, data, timeout=6):
    """Sends raw bytes; returns what came back until the server closed
    (b"" for a closed connection with no answer, None if it stayed open)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    out = b""
    try:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        while True:
            try:
                b = s.recv(65536)
            except ConnectionResetError:
                break
            except socket.timeout:
                return None
            if not b:
                break
            out += b
    finally:
        s.close()
    return out


def status_of(answer):
    if not answer or not answer.startswith(b"HTTP/1."):
        return None
    return int(answer.split(b" ", 2)[1])


# ---- the data: two wijken, a few events ----

env = wk.Env()
wk.demo_registry(env)
E = lambda *a: env.ok("event", "add", *a).out.strip()
E("--kind", "wijklunch", "--wijk", "noord", "--title", "Wijklunch Noord", "--start", "2027-01-14 12:00",
  "--location", "De Linde, Hoofdstraat 1")
E("--kind", "scholing", "--wijk", "noord", "--title", "Scholing Dementie", "--start", "2027-02-11 19:00",
  "--rrule", "FREQ=MONTHLY;BYDAY=2TH;COUNT=3", "--description", "Zoë en René vertellen ‘alles’.")
E("--kind", "hagro", "--wijk", "noord", "--title", "Hagro Noord (besloten)", "--start", "2027-01-12 12:30")
E("--kind", "wijklunch", "--wijk", "zuid", "--title", "Wijklunch Zuid", "--start", "2027-03-04 12:00")
conf = env.write("wijkcald.conf", 'http = { timeout = 3; };\nfeeds = { refresh = "2h"; };\n')

d = Daemon(env, "-c", conf)

# ---- every public feed: the bytes of export, parsed by two parsers ----

for path, args in [("/feeds/wijk/noord.ics", ["--wijk", "noord"]),
                   ("/feeds/wijk/zuid.ics", ["--wijk", "zuid"]),
                   ("/feeds/practice/linde.ics", ["--practice", "linde"]),
                   ("/feeds/kind/scholing.ics", ["--kind", "scholing"]),
                   ("/feeds/kind/hagro.ics", ["--kind", "hagro"])]:
    status, h, body = d.get(path)
    check(status == 200, f"GET {path}: {status}")
    check(body == export(env, *args, config=conf), f"GET {path} differs from export ics {args}")
    check(h.get("content-type") == "text/calendar; charset=utf-8", f"{path} type: {h}")
    check(h.get("content-length") == str(len(body)), f"{path} length: {h}")
    s = parse_feed(env, body)
    if path == "/feeds/wijk/noord.ics" and s:
        titles = sorted(e["summary"] for e in s["events"])
        check(titles == ["Scholing Dementie", "Wijklunch Noord"], f"noord titles: {titles}")
status, h, noord = d.get("/feeds/wijk/noord.ics")
check(b"Hagro" not in noord and b"mailto:" not in noord, "private event or address in public feed")

# ---- headers, conditional GET, HEAD ----

etag, lastmod = h.get("etag", ""), h.get("last-modified", "")
check(len(etag) == 34 and etag.startswith('"') and etag.endswith('"'), f"ETag: {etag!r}")
check(lastmod.endswith(" GMT"), f"Last-Modified: {lastmod!r}")
check(h.get("cache-control") == "public, max-age=300", f"Cache-Control: {h}")
check(h.get("vary") == "Accept-Encoding", f"Vary: {h}")
status2, h2, _ = d.get("/feeds/wijk/noord.ics")
check(h2.get("etag") == etag and h2.get("last-modified") == lastmod, "ETag or Last-Modified unstable")

for inm in [etag, "W/" + etag, '"other", ' + etag, "*"]:
    status, h304, body = d.get("/feeds/wijk/noord.ics", {"If-None-Match": inm})
    check(status == 304 and body == b"", f"If-None-Match {inm}: {status} {len(body)}")
    check(h304.get("etag") == etag and h304.get("vary") == "Accept-Encoding", f"304 headers: {h304}")
status, _, body = d.get("/feeds/wijk/noord.ics", {"If-None-Match": '"other"'})
check(status == 200 and body == noord, f"If-None-Match other: {status}")
status, _, body = d.get("/feeds/wijk/noord.ics", {"If-Modified-Since": lastmod})
check(status == 304 and body == b"", f"If-Modified-Since: {status}")
status, _, body = d.get("/feeds/wijk/noord.ics", {"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})
check(status == 200 and body == noord, f"If-Modified-Since 2000: {status}")
# If-None-Match decides when both are given.
status, _, _ = d.get("/feeds/wijk/noord.ics", {"If-None-Match": '"other"', "If-Modified-Since": lastmod})
check(status == 200, f"If-None-Match must win over If-Modified-Since: {status}")

status, hh, body = d.request("HEAD", "/feeds/wijk/noord.ics")
check(status == 200 and body == b"", f"HEAD: {status} {len(body)}")
check(hh.get("content-length") == str(len(noord)) and hh.get("etag") == etag
      and hh.get("content-type") == "text/calendar; charset=utf-8", f"HEAD headers: {hh}")
curl = subprocess.run(["curl", "-sS", "-I", "http://127.0.0.1:%d/feeds/wijk/noord.ics" % d.port],
                      capture_output=True, timeout=30)
check(curl.returncode == 0 and b"200 OK" in curl.stdout and b"ETag: " + etag.encode() in curl.stdout,
      f"curl -I: {curl.stdout!r} {curl.stderr!r}")

# ---- gzip ----

status, hg, body = d.get("/feeds/wijk/noord.ics", {"Accept-Encoding": "gzip, deflate"})
check(status == 200 and hg.get("content-encoding") == "gzip", f"gzip answer: {hg}")
check(gzip.decompress(body) == noord if body else False, "gzip does not decode to the feed")
check(hg.get("vary") == "Accept-Encoding" and hg.get("etag", "").endswith('-gz"')
      and hg.get("etag") != etag, f"gzip ETag/Vary: {hg}")
status, _, body = d.get("/feeds/wijk/noord.ics",
                        {"Accept-Encoding": "gzip", "If-None-Match": hg.get("etag", "")})
check(status == 304 and body == b"", f"304 for the gzip ETag: {status}")
status, hq, body = d.get("/feeds/wijk/noord.ics", {"Accept-Encoding": "gzip;q=0, identity"})
check(status == 200 and "content-encoding" not in hq and body == noord, f"gzip;q=0: {hq}")
curl = subprocess.run(["curl", "-sS", "--compressed", "-D", env.path("curl-headers"),
                       "http://127.0.0.1:%d/feeds/wijk/noord.ics" % d.port],
                      capture_output=True, timeout=30)
with open(env.path("curl-headers"), "rb") as f:
    curl_headers = f.read()
check(curl.returncode == 0 and curl.stdout == noord, f"curl --compressed: {curl.stderr!r}")
check(b"Content-Encoding: gzip" in curl_headers, f"curl got no gzip: {curl_headers!r}")

# ---- 404, 405, healthz, metrics ----

for path in ["/feeds/wijk/west.ics", "/feeds/practice/nergens.ics", "/feeds/kind/feest.ics",
             "/feeds/private/0123456789abcdef.ics", "/feeds/", "/feeds/wijk/", "/feeds/wijk/NOORD.ics",
             "/feeds/wijk/noord", "/index.html", "/healthz/x", "/wijk/west"]:
    status, _, body = d.get(path)
    check(status == 404 and body == b"not found\n", f"GET {path}: {status} {body!r}")
for method, path in [("POST", "/feeds/wijk/noord.ics"), ("PUT", "/feeds/wijk/noord.ics"),
                     ("DELETE", "/feeds/kind/scholing.ics"), ("PATCH", "/healthz"),
                     ("OPTIONS", "/metrics"), ("TRACE", "/feeds/wijk/noord.ics")]:
    status, h405, _ = d.request(method, path)
    check(status == 405 and h405.get("allow") == "GET, HEAD", f"{method} {path}: {status} {h405}")
status, hz, body = d.get("/healthz")
check(status == 200 and body == b"ok\n" and hz.get("cache-control") == "no-store", f"healthz: {status} {body!r}")
status, hm, body = d.get("/metrics")
metrics = body.decode()
check(status == 200 and hm.get("content-type", "").startswith("text/plain; version=0.0.4"), f"metrics: {hm}")
for needle in ['wijkcald_http_requests_total{route="wijk",status="200"}',
               'wijkcald_http_requests_total{route="wijk",status="304"}',
               'wijkcald_http_requests_total{route="kind",status="404"}',
               'wijkcald_http_requests_total{route="wijk",status="405"}',
               "wijkcald_feed_renders_total", "wijkcald_feed_cache_hits_total",
               "# TYPE wijkcald_http_requests_total counter"]:
    check(needle in metrics, f"metrics lack {needle}")


def metric(name):
    for line in d.get("/metrics")[2].decode().splitlines():
        if line.startswith(name + " "):
            return int(line.split()[1])
    return None


renders = metric("wijkcald_feed_renders_total")
for _ in range(5):
    d.get("/feeds/wijk/noord.ics")
check(metric("wijkcald_feed_renders_total") == renders, "a cached feed was rendered again")

# ---- a change made with the CLI shows within a second or two, no signal ----

t0 = time.monotonic()
env.ok("event", "add", "--kind", "borrel", "--wijk", "noord", "--title", "Nieuwjaarsborrel",
       "--start", "2027-01-08 17:00")
fresh = export(env, "--wijk", "noord", config=conf)
seen = None
while time.monotonic() - t0 < 2.0:
    status, hc, body = d.get("/feeds/wijk/noord.ics", {"If-None-Match": etag})
    if status == 200:
        seen = time.monotonic() - t0
        break
    time.sleep(0.05)
check(seen is not None, "a CLI change did not show within 2 s")
if seen is not None:
    check(body == fresh and b"Nieuwjaarsborrel" in body, "changed feed differs from export")
    check(hc.get("etag") != etag, "ETag unchanged after a change")
    print(f"CLI change visible after {seen:.2f} s")
# A change elsewhere re-renders noord to the same bytes: ETag and
# Last-Modified stay, so subscribers keep their copy.
status, hn, _ = d.get("/feeds/wijk/noord.ics")
env.ok("event", "add", "--kind", "wijklunch", "--wijk", "zuid", "--title", "Lunch Zuid 2",
       "--start", "2027-05-04 12:00")
time.sleep(0.6)
status, hn2, _ = d.get("/feeds/wijk/noord.ics")
check(hn2.get("etag") == hn.get("etag") and hn2.get("last-modified") == hn.get("last-modified"),
      f"unchanged feed got new validators: {hn} {hn2}")
check(metric("wijkcald_database_changes_total") >= 2, "database changes not counted")

# ---- malformed requests: an error or a closed connection, never a crash ----

H = b"Host: x\r\nConnection: close\r\n"
malformed = [
    # (request bytes, exact status expected or None for "an error or closed")
    (b"GET /feeds/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n" + H + b"\r\n", 400),
    (b"GET /feeds/wijk/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd HTTP/1.1\r\n" + H + b"\r\n", 400),
    (b"GET /feeds/wijk/..%2fnoord.ics HTTP/1.1\r\n" + H + b"\r\n", 400),
    (b"GET /feeds/wijk/noord%2fx.ics HTTP/1.1\r\n" + H + b"\r\n", 400),
    (b"GET /../../etc/passwd HTTP/1.1\r\n" + H + b"\r\n", 400),
    (b"GET /feeds/wijk/../../../etc/passwd HTTP/1.1\r\n" + H + b"\r\n", 400),
    (b"GET //etc/passwd HTTP/1.1\r\n" + H + b"\r\n", 400),
    (b"GET /feeds/wijk/noord.ics%00.txt HTTP/1.1\r\n" + H + b"\r\n", 400),
    (b"GET /feeds/wijk/no\x00rd.ics HTTP/1.1\r\n" + H + b"\r\n", None),
    (b"GET /feeds\\..\\..\\etc\\passwd HTTP/1.1\r\n" + H + b"\r\n", 400),
    (b"GET /feeds/wijk/%c0%ae%c0%ae/x.ics HTTP/1.1\r\n" + H + b"\r\n", 400),
    (b"GET /feeds/wijk/\xc0\xae\xc0\xae/x.ics HTTP/1.1\r\n" + H + b"\r\n", 400),
    (b"GET /healthz%0d%0aX-Injected:%20yes HTTP/1.1\r\n" + H + b"\r\n", 400),
    (b"GET http://evil.example/feeds/wijk/noord.ics HTTP/1.1\r\n" + H + b"\r\n", 400),
    (b"GET * HTTP/1.1\r\n" + H + b"\r\n", 400),
    (b"GET /" + b"a" * 16384 + b" HTTP/1.1\r\n" + H + b"\r\n", 414),
    (b"GET /feeds/wijk/" + b"a" * 2000 + b".ics HTTP/1.1\r\n" + H + b"\r\n", 414),
    (b"GET /healthz HTTP/1.1\r\n" + H + b"X-Big: " + b"a" * 65536 + b"\r\n\r\n", None),
    (b"GET /healthz HTTP/1.1\r\n" + H + b"".join(b"X-%d: y\r\n" % i for i in range(3000)) + b"\r\n", None),
    (b"G@T /healthz HTTP/1.1\r\n" + H + b"\r\n", 405),
    (b"FOO /feeds/wijk/noord.ics HTTP/1.1\r\n" + H + b"\r\n", 405),
    (b"POST /feeds/wijk/noord.ics HTTP/1.1\r\n" + H + b"Content-Length: 5\r\n\r\nhello", 405),
    (b"CONNECT evil.example:443 HTTP/1.1\r\n" + H + b"\r\n", None),
    (b"GET /healthz HTTP/9.9\r\n" + H + b"\r\n", None),
    (b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", 400),  # no Host
    (b"GET /healthz HTTP/1.1\r\nHo\rst: x\r\nConnection: close\r\n\r\n", None),
    (b"GET /healthz HTTP/1.1\r\nHost x\r\nConnection: close\r\n\r\n", None),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\n folded\r\nConnection: close\r\n\r\n", None),
    (b"GET /healthz HTTP/1.1\r\n" + H + b"Content-Length: abc\r\n\r\n", None),
    (b"GET /healthz HTTP/1.1\r\n" + H + b"Content-Length: -1\r\n\r\n", None),
    (b"GET /healthz HTTP/1.1\r\n" + H + b"Content-Length: 99999999999999999999999\r\n\r\n", None),
    (b"GET /healthz HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", None),
    (b"GET /feeds/wijk/no rd.ics HTTP/1.1\r\n" + H + b"\r\n", None),
    (b"GET /feeds/wijk/no\trd.ics HTTP/1.1\r\n" + H + b"\r\n", None),
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)), None),
    (b"GET\r\n\r\n", None),
    (b"\r\n\r\n", None),
    (bytes(range(256)) * 8, None),
    (b"", None),
]
for data, want in malformed:
    answer = raw(d.port, data)
    status = status_of(answer)
    what = repr(data[:60])
    if want is not None:
        check(status == want, f"{what}: {status}, expected {want}: {answer[:200] if answer else answer!r}")
    else:
        check(answer == b"" or (status is not None and 400 <= status < 600),
              f"{what}: neither an error nor a close: {answer[:200] if answer else answer!r}")
    if answer:
        head = answer.split(b"\r\n\r\n", 1)[0]
        check(b"X-Injected" not in head, f"{what}: header injected")
    check(d.proc.poll() is None, f"wijkcald died on {what}:\n{d.logtext()}")
status, _, body = d.get("/healthz")
check(status == 200, f"healthz after malformed requests: {status}")
check(d.get("/feeds/wijk/noord.ics")[2] == fresh, "feed after malformed requests")

# ---- SIGHUP: a bad config is refused and the old one kept; a good one applies ----

env.write("wijkcald.conf", "http = { timeout = 3; ;;; this is not libconfig\n")
d.proc.send_signal(signal.SIGHUP)
time.sleep(0.8)
check(d.proc.poll() is None, "wijkcald died on SIGHUP with a bad config")
check("reload refused" in d.logtext(), f"no log line for a refused reload:\n{d.logtext()}")
check(d.get("/feeds/wijk/noord.ics")[2] == fresh, "feed changed after a refused reload")
env.write("wijkcald.conf", 'http = { timeout = 3; threads = 3; };\nfeeds = { refresh = "2h"; };\n'
          'kinds = { scholing = { label = "Nascholing"; }; };\n')
d.proc.send_signal(signal.SIGHUP)
want = export(env, "--kind", "scholing", config=conf)
check(b"X-WR-CALNAME:Nascholing (alle wijken)" in want, "the new label is not in export")
t0 = time.monotonic()
body = None
while time.monotonic() - t0 < 3:
    body = d.get("/feeds/kind/scholing.ics")[2]
    if body == want:
        break
    time.sleep(0.05)
check(body == want, "the reloaded config did not reach the feed")
log = d.logtext()
check("configuration read from" in log, f"no log line for the reload:\n{log}")
check("http.threads changed; restart" in log, f"no line for a key that needs a restart:\n{log}")

# ---- the access log: one line per request, no token ----

d.get("/feeds/private/s3cr3t-t0ken-value.ics")
time.sleep(0.1)
log = d.logtext()
check("GET /feeds/wijk/noord.ics 200" in log, "no access line")
check("s3cr3t" not in log and "/feeds/private/[token] 404" in log, "token in the log")

# ---- SIGTERM: a clean and prompt stop, even with a connection open ----

idle = socket.create_connection(("127.0.0.1", d.port))
code, took = d.stop(signal.SIGTERM)
idle.close()
with open(d.logpath) as f:
    log = f.read()
check(code == 0, f"SIGTERM: exit {code}:\n{log}")
check(took < 3.0, f"SIGTERM took {took:.1f} s")
check("stopping" in log and "ERROR" not in log and "LeakSanitizer" not in log, f"stop log:\n{log}")

# ---- systemd: READY, WATCHDOG, RELOADING and STOPPING on $NOTIFY_SOCKET ----

notify_path = env.path("notify.sock")
notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
notify.bind(notify_path)
notify.settimeout(0.05)


def notifications(seconds):
    got, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            got += notify.recv(4096).decode().split("\n")
        except socket.timeout:
            pass
    return got


d = Daemon(env, extra_env={"NOTIFY_SOCKET": notify_path, "WATCHDOG_USEC": "400000"})
got = notifications(1.2)
check("READY=1" in got, f"no READY=1: {got}")
check(got.count("WATCHDOG=1") >= 2, f"no WATCHDOG=1 every 200 ms: {got}")
d.proc.send_signal(signal.SIGHUP)
got = notifications(0.6)
check("RELOADING=1" in got and "READY=1" in got[got.index("RELOADING=1"):] if "RELOADING=1" in got else False,
      f"reload not notified: {got}")
code, took = d.stop(signal.SIGINT)
got = notifications(0.2)
check("STOPPING=1" in got, f"no STOPPING=1: {got}")
check(code == 0 and took < 3.0, f"SIGINT: exit {code} after {took:.1f} s")
notify.close()

# ---- IPv6 ----

d = Daemon(env, "--listen", "[::1]:%d" % free_port(), wait=False)
time.sleep(0.3)
if d.proc.poll() is None:
    port6 = int(d.argv[-1].rsplit(":", 1)[1])
    try:
        conn = http.client.HTTPConnection("::1", port6, timeout=10)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                conn.request("GET", "/feeds/wijk/noord.ics")
                r = conn.getresponse()
                check(r.status == 200 and r.read() == export(env, "--wijk", "noord"),
                      "feed over IPv6")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    except OSError as e:
        print(f"IPv6 not available here: {e}")
    conn.close()
code, _ = d.stop()
check(code == 0 or "cannot listen" in open(d.logpath).read(), f"IPv6 daemon: exit {code}")

# ---- refusals at start: one message, the exit status ----


def refused(args, code, needle, extra_env=None):
    r = subprocess.run([DAEMON, "--foreground", *args], env=dict(env.env, **(extra_env or {})),
                       cwd=env.dir, capture_output=True, text=True, timeout=60)
    check(r.returncode == code, f"wijkcald {args}: exit {r.returncode}, expected {code}: {r.stderr}")
    check(r.stderr.startswith("wijkcald: ") and needle in r.stderr, f"wijkcald {args}: {r.stderr!r}")


bad = env.write("bad.conf", 'http = { threads = 0; listen = 8080; };\nunknown = 1;\n')
refused(["-c", bad, "--db", env.db], wk.EX_CONFIG, "http.threads")
r = subprocess.run([DAEMON, "--foreground", "-c", bad], env=env.env, capture_output=True, text=True)
check("bad.conf:1" in r.stderr and "http.listen" in r.stderr and "unknown" in r.stderr,
      f"every problem with file and line: {r.stderr!r}")
refused(["-c", env.path("nope.conf"), "--db", env.db], wk.EX_CONFIG, "nope.conf")
refused(["--db", env.db, "--listen", "localhost"], wk.EX_CONFIG, "http.listen")
refused(["--db", env.db, "--listen", "127.0.0.1:99999"], wk.EX_CONFIG, "http.listen")
refused(["--db", env.path("missing.db"), "--listen", "127.0.0.1:%d" % free_port()], wk.EX_NOINPUT,
        "missing.db")
busy = socket.socket()
busy.bind(("127.0.0.1", 0))
busy.listen(1)
refused(["--db", env.db, "--listen", "127.0.0.1:%d" % busy.getsockname()[1]], 69, "cannot listen")
busy.close()
r = subprocess.run([DAEMON, "--bogus"], capture_output=True, text=True)
check(r.returncode == wk.EX_USAGE and "usage: wijkcald" in r.stderr, f"--bogus: {r.returncode} {r.stderr}")
r = subprocess.run([DAEMON, "--version"], capture_output=True, text=True)
check(r.returncode == 0 and r.stdout.startswith("wijkcald "), f"--version: {r.stdout!r}")
r = subprocess.run([DAEMON, "--help"], capture_output=True, text=True)
check(r.returncode == 0 and "--listen" in r.stdout, f"--help: {r.stdout!r}")

# ---- without --foreground: the parent exits 0 once the child serves ----


def alive(pid):
    """True while pid runs (a zombie waiting for its reaper has stopped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


port = free_port()
# The child keeps stderr: a file, not a pipe that would never reach EOF.
with open(env.path("background.log"), "wb") as bglog:
    r = subprocess.run([DAEMON, "--db", env.db, "--listen", "127.0.0.1:%d" % port], env=env.env,
                       cwd=env.dir, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=bglog, timeout=60)
check(r.returncode == 0, f"background start: {r.returncode}")
child = None
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().split(b"\0")
        except OSError:
            continue
        if cmd[:1] == [DAEMON.encode()] and b"127.0.0.1:%d" % port in cmd:
            child = int(pid)
if child:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/healthz")
        check(conn.getresponse().status == 200, "background daemon does not answer")
        conn.close()
    finally:
        os.kill(child, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    check(not alive(child), "background daemon did not stop on SIGTERM")
else:
    check(False, "background daemon not found")

env.close()
wk.finish()
