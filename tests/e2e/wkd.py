"""A running wijkcald for end-to-end tests that need the daemon beside
something else (nginx, a browser): started in an Env's directory on a free
port of 127.0.0.1, ready once /healthz answers, stopped with SIGTERM."""
import http.client
import os
import signal
import socket
import subprocess
import time

import wk

DAEMON = os.path.join(wk.BIN, "wijkcald")
START_TIMEOUT = 20  # sanitizer builds start slowly


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    def __init__(self, env, *args, port=None):
        self.env = env
        self.port = port or free_port()
        self.logpath = env.path("wijkcald-%d.log" % self.port)
        self.log = open(self.logpath, "wb")
        argv = [DAEMON, "--db", env.db, "--listen", "127.0.0.1:%d" % self.port,
                "--foreground", *[str(a) for a in args]]
        self.proc = subprocess.Popen(argv, env=env.env, cwd=env.dir, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"wijkcald exited {self.proc.returncode}:\n{self.logtext()}")
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"wijkcald not ready:\n{self.logtext()}")

    def logtext(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.logpath, "rb") as f:
            return f.read().decode(errors="replace")

    def get(self, path, headers=None, method="GET", conn=None):
        """One request, on conn or a fresh connection: (status, headers, body)."""
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            c.request(method, path, headers=headers or {})
            r = c.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            if conn is None:
                c.close()

    def stop(self):
        """SIGTERM; returns the exit status."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.log.close()
        return code
