"""Shared helpers of the hostile-client checks (tests/load/): a wijkcald
with a config of its own, its memory and file descriptors read from /proc,
and a timed /healthz probe from any 127.x address. These checks are
behaviour checks with generous bounds; the speed targets live in bench/."""
import http.client
import os
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

import wk  # noqa: E402
import wkd  # noqa: E402
from wk import check  # noqa: E402

# Room for the 1,500 sockets of a flood, here and in the daemon and the
# tools started from here (a soft limit of 1,024 is common).
_soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if _hard == resource.RLIM_INFINITY or _hard >= 8192:
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(_soft, 8192), _hard))

RSS_LIMIT_KB = 200 * 1024  # the bound: under 200 MB
PROBE_LIMIT_S = 2.0        # a probe is answered within 2 s
FD_SETTLE_S = 5.0          # fds are back to the baseline within this


def demo_env():
    """A database with the demo wijk `noord` and one event in it."""
    env = wk.Env()
    wk.demo_registry(env)
    env.ok("event", "add", "--kind", "wijklunch", "--wijk", "noord", "--title", "Wijklunch Noord",
           "--start", "2027-01-14 12:00", "--location", "De Linde, Hoofdstraat 1")
    return env


def start_daemon(env, config_text=None):
    """wijkcald on a free port; with config_text, it reads that config (-c)."""
    args = []
    if config_text is not None:
        args = ["-c", env.write("wijkcald-load.conf", config_text)]
    return wkd.Daemon(env, *args)


def status_kb(pid):
    """(VmRSS, VmHWM) of a process in kB."""
    vals = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                vals[key] = int(rest.split()[0])
    return vals.get("VmRSS", 0), vals.get("VmHWM", 0)


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def probe(port, source="127.0.0.1", path="/healthz", tls_context=None, timeout=PROBE_LIMIT_S + 3):
    """(status or None, seconds) of one GET on a fresh connection from
    `source`; None when it failed (refused, reset, timed out)."""
    kw = {"source_address": (source, 0), "timeout": timeout}
    if tls_context is not None:
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=tls_context, **kw)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, **kw)
    t0 = time.monotonic()
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        r.read()
        return r.status, time.monotonic() - t0
    except (OSError, http.client.HTTPException):
        return None, time.monotonic() - t0
    finally:
        conn.close()


def fds_settle(pid, baseline, slack=2, within=FD_SETTLE_S):
    """Waits until the process holds at most baseline + slack fds; returns
    (count, seconds waited)."""
    t0 = time.monotonic()
    n = fd_count(pid)
    while n > baseline + slack and time.monotonic() - t0 < within:
        time.sleep(0.1)
        n = fd_count(pid)
    return n, time.monotonic() - t0


class Sampler:
    """Peak RSS and peak fd count of a process, sampled on demand."""

    def __init__(self, pid):
        self.pid = pid
        self.peak_rss = 0
        self.peak_fds = 0

    def sample(self):
        rss, hwm = status_kb(self.pid)
        self.peak_rss = max(self.peak_rss, rss, hwm)
        self.peak_fds = max(self.peak_fds, fd_count(self.pid))


def report(name, **figures):
    """One line of measured figures in the test's output (ctest -V)."""
    print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()), flush=True)
