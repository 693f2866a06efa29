"""Slowloris (Debian's slowhttptest: 1,000 connections that send a header
line every 10 s, for one minute) against wijkcald, first exposed directly
with its defaults (http.per_ip_limit 16, http.max_connections 1000), then
behind the example nginx (etc/nginx/wijkcal-proxy.conf on test ports).

Alone, the daemon must never crash, stay under 200 MB, get its file
descriptors back to the baseline and answer a probe within 2 s as soon as
the flood stops (libmicrohttpd cannot keep a flood from starving others,
which is why nginx in front is the recommended deployment). Behind nginx,
a probe from another address (127.0.0.2) must be answered within 2 s
throughout the attack. Skipped where slowhttptest or nginx is missing
(scripts/deps.sh installs both)."""
import os
import re
import shutil
import ssl
import subprocess
import sys
import time

import hostile
from hostile import check, wk

SLOW = shutil.which("slowhttptest")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
if SLOW is None:
    print("skipped: no slowhttptest")
    sys.exit(0)

FEED = "/feeds/wijk/noord.ics"
ATTACK_S = 60
PROBE_EVERY_S = 3


def slowloris(url, seconds):
    """Starts one wave; `timeout` bounds it whatever slowhttptest does. Its
    screen goes to a file (a pipe nobody reads could fill up)."""
    argv = ["timeout", "-k", "5", str(seconds + 30), SLOW, "-c", "1000", "-H", "-i", "10",
            "-r", "200", "-l", str(seconds), "-u", url]
    with open(env.path("slowhttptest.out"), "wb") as out:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT)


def last_status(proc):
    """slowhttptest's last status block, on one line."""
    with open(env.path("slowhttptest.out"), "rb") as f:
        out = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", f.read().decode(errors="replace"))
    i = out.rfind("slow HTTP test status")
    return " ".join((out[i:] if i >= 0 else out[-600:]).split())


def attack(url, daemon, probe):
    """Floods for ATTACK_S seconds while sampling the daemon each second
    and calling probe() every few seconds. slowhttptest ends a wave once
    the server has closed all its connections (the daemon and nginx both
    cut slow clients off), so a new wave starts then, until the minute is
    over. Returns (sampler, probes, waves, last wave's status)."""
    sampler = hostile.Sampler(daemon.proc.pid)
    end = time.monotonic() + ATTACK_S
    probes, waves, last = [], 0, ""
    next_probe = time.monotonic() + 1
    proc = None
    while True:
        if proc is not None and proc.poll() is not None:
            last = last_status(proc)
            proc = None
        left = int(end - time.monotonic())
        if proc is None and left < 3:
            break
        if proc is None:
            proc, waves = slowloris(url, left), waves + 1
        sampler.sample()
        if time.monotonic() >= next_probe:
            probes.append(probe())
            next_probe = time.monotonic() + PROBE_EVERY_S
        time.sleep(1)
    sampler.sample()
    return sampler, probes, waves, last


def summary(probes):
    answered = [t for s, t in probes if s == 200]
    worst = max((t for _, t in probes), default=0.0)
    return len(answered), len(probes), worst


env = hostile.demo_env()

# ---- the daemon alone, as exposed directly: the built-in limits ----

daemon = hostile.start_daemon(env)
pid, port = daemon.proc.pid, daemon.port
time.sleep(0.5)
baseline = hostile.fd_count(pid)
sampler, probes, waves, last = attack(f"http://127.0.0.1:{port}{FEED}", daemon,
                               lambda: hostile.probe(port, "127.0.0.2"))
check(daemon.proc.poll() is None, f"wijkcald died under slowloris:\n{daemon.logtext()[-3000:]}")
status, after = hostile.probe(port)
check(status == 200 and after < hostile.PROBE_LIMIT_S,
      f"probe after the flood: {status} in {after:.2f} s")
fds, settle = hostile.fds_settle(pid, baseline)
check(fds <= baseline + 2, f"fds after the flood: {fds}, baseline {baseline}")
check(sampler.peak_rss < hostile.RSS_LIMIT_KB, f"peak RSS {sampler.peak_rss} kB")
ok, n, worst = summary(probes)
hostile.report("slowloris, daemon alone", waves=waves, peak_rss_kb=sampler.peak_rss,
               fds_baseline=baseline, fds_peak=sampler.peak_fds, fds_after=fds,
               fds_settled_s=f"{settle:.1f}", probe_after_s=f"{after:.3f}",
               probes_from_127_0_0_2_during=f"{ok}/{n} answered, slowest {worst:.3f}s")
print("slowhttptest, last wave:", last)
code = daemon.stop()
check(code == 0, f"wijkcald exit {code} at SIGTERM after slowloris")

# ---- the same flood with the example nginx in front ----

if not os.path.exists(NGINX):
    print("skipped the nginx part: no nginx")
    env.close()
    wk.finish()

tmp = env.path("nginx")
os.makedirs(tmp)
for d in (env.dir, tmp):  # nginx's workers run as nobody when started by root
    os.chmod(d, 0o755)
cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=agenda.example.nl", "-keyout", key, "-out", cert],
                   capture_output=True, text=True, timeout=120)
check(r.returncode == 0, f"openssl: {r.stderr}")

# Behind nginx the daemon runs as the example's comment says.
daemon = hostile.start_daemon(env, "http = { per_ip_limit = 0; timeout = 75; };\n")
hp, sp = hostile.wkd.free_port(), hostile.wkd.free_port()
with open(os.path.join(wk.SRC, "etc", "nginx", "wijkcal-proxy.conf")) as f:
    site = f.read()
site = re.sub(r"ssl_certificate /\S+;", f"ssl_certificate {cert};", site)
site = re.sub(r"ssl_certificate_key /\S+;", f"ssl_certificate_key {key};", site)
for old, new in [("\tlisten 80;\n", f"\tlisten 127.0.0.1:{hp};\n"), ("\tlisten [::]:80;\n", ""),
                 ("\tlisten 443 ssl http2;\n", f"\tlisten 127.0.0.1:{sp} ssl http2;\n"),
                 ("\tlisten [::]:443 ssl http2;\n", ""),
                 ("server 127.0.0.1:8080;", f"server 127.0.0.1:{daemon.port};"),
                 ("/var/cache/nginx/wijkcal", os.path.join(tmp, "cache"))]:
    check(old in site, f"wijkcal-proxy.conf lacks {old!r}")
    site = site.replace(old, new)
with open(os.path.join(tmp, "example.conf"), "w") as f:
    f.write(site)
conf = os.path.join(tmp, "nginx.conf")
with open(conf, "w") as f:  # room for the 1,000 attackers and everyone else
    f.write(f"""worker_processes 1;
worker_rlimit_nofile 8192;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
	access_log off;
	client_body_temp_path {tmp}/body;
	proxy_temp_path {tmp}/proxy;
	fastcgi_temp_path {tmp}/fastcgi;
	uwsgi_temp_path {tmp}/uwsgi;
	scgi_temp_path {tmp}/scgi;
	include {tmp}/example.conf;
}}
""")
nginx = subprocess.Popen([NGINX, "-p", tmp, "-e", tmp + "/error.log", "-c", conf, "-g", "daemon off;"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
tls = ssl.create_default_context()
tls.check_hostname = False
tls.verify_mode = ssl.CERT_NONE
try:
    deadline = time.monotonic() + 20
    while hostile.probe(sp, tls_context=tls)[0] != 200 and time.monotonic() < deadline:
        check(nginx.poll() is None, "nginx exited at start")
        time.sleep(0.1)
    pid = daemon.proc.pid
    baseline = hostile.fd_count(pid)
    sampler, probes, waves, last = attack(f"https://127.0.0.1:{sp}{FEED}", daemon,
                                   lambda: hostile.probe(sp, "127.0.0.2", tls_context=tls))
    ok, n, worst = summary(probes)
    check(n >= ATTACK_S // (PROBE_EVERY_S + 1) - 2, f"only {n} probes during the attack")
    check(ok == n and worst < hostile.PROBE_LIMIT_S,
          f"probes through nginx during the attack: {ok}/{n} answered, slowest {worst:.2f} s")
    check(daemon.proc.poll() is None and nginx.poll() is None, "wijkcald or nginx died")
    status, after = hostile.probe(sp, "127.0.0.2", tls_context=tls)
    check(status == 200 and after < hostile.PROBE_LIMIT_S, f"probe after: {status} in {after:.2f} s")
    check(sampler.peak_rss < hostile.RSS_LIMIT_KB, f"peak RSS behind nginx {sampler.peak_rss} kB")
    hostile.report("slowloris, behind nginx", waves=waves, daemon_peak_rss_kb=sampler.peak_rss,
                   daemon_fds_peak=sampler.peak_fds,
                   probes_from_127_0_0_2_during=f"{ok}/{n} answered, slowest {worst:.3f}s",
                   probe_after_s=f"{after:.3f}")
    print("slowhttptest, last wave:", last)
finally:
    nginx.terminate()
    try:
        nginx.wait(timeout=10)
    except subprocess.TimeoutExpired:
        nginx.kill()
        nginx.wait()
code = daemon.stop()
check(code == 0, f"wijkcald exit {code} at SIGTERM")
env.close()
wk.finish()
