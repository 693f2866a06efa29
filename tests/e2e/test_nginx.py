"""The nginx examples in etc/nginx/: both pass `nginx -t` (with a
self-signed certificate made by openssl), and both do what their comments
say when run for real on free ports of 127.0.0.1, with only the paths and
listen lines changed:
 - wijkcal-proxy.conf in front of the real wijkcald: https answers with the
   daemon's bytes, Content-Type, ETag and Last-Modified; 304 for
   If-None-Match and If-Modified-Since; gzip for clients that accept it
   and plain bytes for those that do not; answers from the cache; GET
   only; plain http redirected to https; private paths not cached.
 - wijkcal-static.conf on `wijkcal export ics --all --dir` output: the
   export's bytes as text/calendar; charset=utf-8 with ETag and 304, the
   pre-compressed .gz for gzip clients, nothing else served.
Skipped where nginx is missing (scripts/deps.sh installs nginx-light)."""
import gzip
import http.client
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import time

import wk
import wkd
from wk import check

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CONF = os.path.join(wk.SRC, "etc", "nginx")
if not os.path.exists(NGINX):
    print("skipped: no nginx")
    sys.exit(0)

env = wk.Env()
tmp = env.path("nginx")
os.makedirs(tmp)
# nginx's workers run as nobody when started by root: let them in.
for d in (env.dir, tmp):
    os.chmod(d, 0o755)

cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=agenda.example.nl", "-keyout", key, "-out", cert],
                   capture_output=True, text=True, timeout=120)
check(r.returncode == 0, f"openssl: {r.stderr}")


def adapt(name, replacements):
    """The example with its certificate paths, and the given other
    strings, replaced; each must occur."""
    with open(os.path.join(CONF, name)) as f:
        text = f.read()
    text = re.sub(r"ssl_certificate /\S+;", f"ssl_certificate {cert};", text)
    text = re.sub(r"ssl_certificate_key /\S+;", f"ssl_certificate_key {key};", text)
    for old, new in replacements:
        check(old in text, f"{name} lacks {old!r}")
        text = text.replace(old, new)
    return text


def main_conf(name, body):
    """A whole nginx.conf in its own prefix that includes the example."""
    prefix = os.path.join(tmp, name)
    os.makedirs(prefix, exist_ok=True)
    with open(os.path.join(prefix, "example.conf"), "w") as f:
        f.write(body)
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 128; }}
http {{
	access_log {prefix}/access.log;
	client_body_temp_path {prefix}/body;
	proxy_temp_path {prefix}/proxy;
	fastcgi_temp_path {prefix}/fastcgi;
	uwsgi_temp_path {prefix}/uwsgi;
	scgi_temp_path {prefix}/scgi;
	include {prefix}/example.conf;
}}
""")
    return prefix, conf


def nginx_test(prefix, conf):
    r = subprocess.run([NGINX, "-t", "-p", prefix, "-e", prefix + "/error.log", "-c", conf],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0 and "test is successful" in r.stderr, f"nginx -t {conf}: {r.stderr}")
    return r.returncode == 0


def start_nginx(prefix, conf, port):
    proc = subprocess.Popen([NGINX, "-p", prefix, "-e", prefix + "/error.log", "-c", conf,
                             "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=2).connect()
            return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.05)
    raise AssertionError(f"nginx did not start: {proc.stderr.read() if proc.poll() is not None else ''}")


def stop_nginx(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE


def fetch(port, path, headers=None, method="GET", tls=True):
    """(status, headers, body) over a fresh https (or http) connection."""
    cls = http.client.HTTPSConnection if tls else http.client.HTTPConnection
    kw = {"context": TLS} if tls else {}
    conn = cls("127.0.0.1", port, timeout=10, **kw)
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def export(*args):
    out = env.path("export-%d.ics" % len(os.listdir(env.dir)))
    env.ok("export", "ics", *args, "-o", out)
    with open(out, "rb") as f:
        return f.read()


def listen_lines(http_port, https_port):
    return [("\tlisten 80;\n", f"\tlisten 127.0.0.1:{http_port};\n"),
            ("\tlisten [::]:80;\n", ""),
            ("\tlisten 443 ssl http2;\n", f"\tlisten 127.0.0.1:{https_port} ssl http2;\n"),
            ("\tlisten [::]:443 ssl http2;\n", "")]


# ---- data ----

wk.demo_registry(env)
env.ok("event", "add", "--kind", "wijklunch", "--wijk", "noord", "--title", "Wijklunch Noord",
       "--start", "2027-01-14 12:00", "--location", "De Linde, Hoofdstraat 1",
       "--description", "Een lange beschrijving " * 20)
env.ok("event", "add", "--kind", "scholing", "--wijk", "noord", "--title", "Scholing Dementie",
       "--start", "2027-02-11 19:00", "--rrule", "FREQ=MONTHLY;BYDAY=2TH;COUNT=3")

# ---- wijkcal-proxy.conf in front of wijkcald ----

daemon = wkd.Daemon(env)
hp, sp = wkd.free_port(), wkd.free_port()
prefix, conf = main_conf("proxy", adapt("wijkcal-proxy.conf", listen_lines(hp, sp) + [
    ("server 127.0.0.1:8080;", f"server 127.0.0.1:{daemon.port};"),
    ("/var/cache/nginx/wijkcal", os.path.join(tmp, "proxy", "cache"))]))
if nginx_test(prefix, conf):
    proc = start_nginx(prefix, conf, sp)
    try:
        feed = export("--wijk", "noord")
        path = "/feeds/wijk/noord.ics"
        _, direct, _ = daemon.get(path)
        status, h, body = fetch(sp, path)
        check(status == 200 and body == feed, f"proxy GET: {status}, {len(body)} bytes")
        check(h.get("content-type") == "text/calendar; charset=utf-8", f"proxy type: {h}")
        check(h.get("etag") == direct.get("etag") and h.get("last-modified") == direct.get("last-modified"),
              f"proxy ETag/Last-Modified {h} vs daemon {direct}")
        check(h.get("vary") == "Accept-Encoding", f"proxy Vary: {h}")
        check("strict-transport-security" in h, f"proxy HSTS: {h}")
        status, h2, body = fetch(sp, path)
        check(status == 200 and body == feed and h2.get("x-cache") == "HIT", f"second GET not cached: {h2}")
        status, _, body = fetch(sp, path, {"If-None-Match": h.get("etag", "")})
        check(status == 304 and body == b"", f"proxy If-None-Match: {status}")
        status, _, body = fetch(sp, path, {"If-None-Match": '"other"'})
        check(status == 200 and body == feed, f"proxy other ETag: {status}")
        status, _, body = fetch(sp, path, {"If-Modified-Since": h.get("last-modified", "")})
        check(status == 304 and body == b"", f"proxy If-Modified-Since: {status}")
        status, hg, body = fetch(sp, path, {"Accept-Encoding": "gzip, deflate, br"})
        check(status == 200 and hg.get("content-encoding") == "gzip" and gzip.decompress(body) == feed,
              f"proxy gzip: {status} {hg}")
        status, _, body = fetch(sp, path, {"Accept-Encoding": "gzip", "If-None-Match": hg.get("etag", "")})
        check(status == 304, f"proxy 304 for the gzip ETag: {status}")
        status, hp_, body = fetch(sp, path, {"Accept-Encoding": "identity"})
        check(status == 200 and "content-encoding" not in hp_ and body == feed, f"proxy identity: {hp_}")
        status, hh, body = fetch(sp, path, method="HEAD")
        check(status == 200 and body == b"" and hh.get("etag") == h.get("etag"), f"proxy HEAD: {status} {hh}")
        status, _, _ = fetch(sp, path, method="POST")
        check(status == 403, f"proxy POST: {status}")
        status, _, _ = fetch(sp, "/feeds/wijk/west.ics")
        check(status == 404, f"proxy unknown feed: {status}")
        status, hr, _ = fetch(hp, path, tls=False)
        check(status == 301 and hr.get("location", "").startswith("https://") and
              hr["location"].endswith(path), f"http redirect: {status} {hr}")
        for i in range(2):
            status, hx, _ = fetch(sp, "/feeds/private/0123456789abcdef0123456789abcdef.ics")
        check(status == 404 and hx.get("x-cache") is None, f"private path went through the cache: {hx}")
        status, hx, page = fetch(sp, "/wijk/noord", {"Accept-Encoding": "gzip"})
        check(status == 200 and hx.get("content-encoding") == "gzip" and
              b"Wijkagenda Heuvelland-Noord" in gzip.decompress(page) and
              hx.get("content-security-policy", "").startswith("default-src 'none'"),
              f"proxy page: {status} {hx}")
        status, hx, feedgz = fetch(sp, path, {"Accept-Encoding": "gzip"})
        check(gzip.decompress(feedgz) == feed, "nginx compressed a feed twice")
        status, _, body = fetch(sp, "/healthz")
        check(status == 200 and body == b"ok\n", f"proxy healthz: {status}")
        with open(os.path.join(prefix, "access.log")) as f:
            log = f.read()
        check("/feeds/wijk/noord.ics" in log and "0123456789abcdef" not in log,
              "access log: the token of a private path was logged, or nothing was")
    finally:
        stop_nginx(proc)
code = daemon.stop()
check(code == 0, f"wijkcald exit {code} at SIGTERM:\n{daemon.logtext()[-3000:]}")

# ---- wijkcal-static.conf on export output ----

staging, site = env.path("staging"), env.path("site")
env.ok("export", "ics", "--all", "--dir", staging)
subprocess.run(["sh", "-c", f"find {staging} -name '*.ics' -exec gzip -9nkf {{}} +"], check=True)
shutil.copytree(staging, site)
with open(os.path.join(site, "feeds", "wijk", "noord.ics.tmp.123"), "w") as f:
    f.write("half a feed")
hp, sp = wkd.free_port(), wkd.free_port()
prefix, conf = main_conf("static", adapt("wijkcal-static.conf", listen_lines(hp, sp) + [
    ("root /srv/wijkcal/site;", f"root {site};")]))
if nginx_test(prefix, conf):
    proc = start_nginx(prefix, conf, sp)
    try:
        with open(os.path.join(site, "feeds", "wijk", "noord.ics"), "rb") as f:
            feed = f.read()
        path = "/feeds/wijk/noord.ics"
        status, h, body = fetch(sp, path)
        check(status == 200 and body == feed, f"static GET: {status}")
        check(h.get("content-type") == "text/calendar; charset=utf-8", f"static type: {h}")
        etag = h.get("etag", "")
        check(etag.startswith('"') and h.get("last-modified", "").endswith("GMT"), f"static ETag: {h}")
        check(h.get("cache-control") == "public, max-age=300", f"static Cache-Control: {h}")
        status, _, body = fetch(sp, path, {"If-None-Match": etag})
        check(status == 304 and body == b"", f"static If-None-Match: {status}")
        status, _, body = fetch(sp, path, {"If-Modified-Since": h.get("last-modified", "")})
        check(status == 304, f"static If-Modified-Since: {status}")
        status, hg, body = fetch(sp, path, {"Accept-Encoding": "gzip"})
        with open(os.path.join(site, "feeds", "wijk", "noord.ics.gz"), "rb") as f:
            gz = f.read()
        check(status == 200 and hg.get("content-encoding") == "gzip" and body == gz
              and gzip.decompress(body) == feed, f"static gzip_static: {status} {hg}")
        check(hg.get("vary") == "Accept-Encoding" and
              hg.get("content-type") == "text/calendar; charset=utf-8", f"static gzip headers: {hg}")
        for p in ["/feeds/wijk/noord.ics.tmp.123", "/feeds/", "/feeds/wijk/", "/", "/index.html",
                  "/feeds/wijk/west.ics"]:
            status, _, _ = fetch(sp, p)
            check(status == 404, f"static {p}: {status}")
        status, _, _ = fetch(sp, path, method="POST")
        check(status == 403, f"static POST: {status}")
        status, hr, _ = fetch(hp, path, tls=False)
        check(status == 301 and hr.get("location", "").startswith("https://"), f"static redirect: {hr}")
    finally:
        stop_nginx(proc)

env.close()
wk.finish()
