#!/usr/bin/python3
"""HTTP helpers of run_http.sh (stdlib only).

    http_probe.py ready --runs N --port P -- DAEMON ARGS...
        Starts DAEMON ARGS... N times and prints one line per way of telling
        it is ready, "notify MEDIAN_MS MIN_MS MAX_MS" and "healthz ...":
        notify is the time from just before the exec until the daemon sends
        READY=1 to the NOTIFY_SOCKET this script listens on (as systemd
        would); healthz is the time until GET /healthz on 127.0.0.1:P first
        answers 200 (polled every millisecond). Each start is stopped with
        SIGTERM before the next; the two are measured in separate starts so
        that the polling does not delay the notification.

    http_probe.py fetch --port P [--gzip] PATH...
        GETs each PATH (or each line of stdin when PATH is "-") once, over
        one keep-alive connection to 127.0.0.1:P, and prints
        "REQUESTS BYTES"; exits 1 on any answer but 200.
"""

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

TIMEOUT = 20.0


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start(argv, env=None):
    return subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def ready_notify(argv):
    """Milliseconds from exec to READY=1 on our NOTIFY_SOCKET."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        sock.settimeout(TIMEOUT)
        env = dict(os.environ, NOTIFY_SOCKET=path)
        t0 = time.monotonic()
        proc = start(argv, env)
        try:
            while True:
                msg = sock.recv(4096).decode(errors="replace")
                if "READY=1" in msg.split("\n"):
                    return (time.monotonic() - t0) * 1000
        except socket.timeout:
            sys.exit("http_probe.py: no READY=1 within %.0f s" % TIMEOUT)
        finally:
            stop(proc)
            sock.close()


def healthz_ok(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    finally:
        conn.close()


def ready_healthz(argv, port):
    """Milliseconds from exec to the first 200 from /healthz."""
    env = dict(os.environ)
    env.pop("NOTIFY_SOCKET", None)
    t0 = time.monotonic()
    proc = start(argv, env)
    try:
        while time.monotonic() - t0 < TIMEOUT:
            if proc.poll() is not None:
                sys.exit("http_probe.py: daemon exited %d" % proc.returncode)
            try:
                if healthz_ok(port):
                    return (time.monotonic() - t0) * 1000
            except OSError:
                pass
            time.sleep(0.001)
        sys.exit("http_probe.py: /healthz not answered within %.0f s" % TIMEOUT)
    finally:
        stop(proc)


def cmd_ready(args):
    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    for name, fn in (("notify", lambda: ready_notify(argv)),
                     ("healthz", lambda: ready_healthz(argv, args.port))):
        ms = [fn() for _ in range(args.runs)]
        print("%s %.1f %.1f %.1f" % (name, statistics.median(ms), min(ms), max(ms)))


def cmd_fetch(args):
    paths = args.paths
    if paths == ["-"]:
        paths = [line.strip() for line in sys.stdin if line.strip()]
    headers = {"Accept-Encoding": "gzip"} if args.gzip else {}
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
    total = 0
    for path in paths:
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            sys.exit("http_probe.py: GET %s: %d" % (path, r.status))
        total += len(body)
    conn.close()
    print(len(paths), total)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("ready")
    r.add_argument("--runs", type=int, default=5)
    r.add_argument("--port", type=int, required=True)
    r.add_argument("argv", nargs=argparse.REMAINDER)
    f = sub.add_parser("fetch")
    f.add_argument("--port", type=int, required=True)
    f.add_argument("--gzip", action="store_true")
    f.add_argument("paths", nargs="+")
    args = ap.parse_args()
    if args.cmd == "ready":
        cmd_ready(args)
    else:
        cmd_fetch(args)


if __name__ == "__main__":
    main()
