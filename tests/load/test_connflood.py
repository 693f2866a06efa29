"""10,000 connection attempts from 500 addresses of 127.0.0.0/8 against
wijkcald with its built-in limits (http.per_ip_limit 16,
http.max_connections 1000). The attempts come in 20 batches of 500: 25
addresses that each open 20 connections and send nothing; the last three
batches stay open (up to 1,500 sockets), so both limits are hit.

The daemon must close the connections over the per-address limit at once
(within 2 s), never hold more connections than its global limit, never
crash, stay under 200 MB, get its file descriptors back to the baseline
once the clients are gone, and answer a probe within 2 s right after."""
import errno
import select
import socket
import time

import hostile
from hostile import check, wk

BATCHES = 20
ADDRS_PER_BATCH = 25
CONNS_PER_ADDR = 20
WINDOW = 3             # batches held open at once
PER_IP_LIMIT = 16      # the built-in http.per_ip_limit
MAX_CONNECTIONS = 1000  # the built-in http.max_connections
BATCH_WAIT_S = 2.0     # "at once": the excess is closed within this


def open_batch(port, k):
    """500 non-blocking connects from 127.0.<k+1>.<1..25>; returns
    {fd: (socket, address)}."""
    socks = {}
    for a in range(1, ADDRS_PER_BATCH + 1):
        addr = f"127.0.{k + 1}.{a}"
        for _ in range(CONNS_PER_ADDR):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.bind((addr, 0))
            err = s.connect_ex(("127.0.0.1", port))
            if err not in (0, errno.EINPROGRESS):
                raise AssertionError(f"connect from {addr}: {errno.errorcode.get(err, err)}")
            socks[s.fileno()] = (s, addr)
    return socks


def watch_batch(socks, sampler):
    """Polls a fresh batch for BATCH_WAIT_S; returns {address: number of
    connections the daemon closed or refused}."""
    closed = {}
    poller = select.poll()
    for fd in socks:
        poller.register(fd, select.POLLIN | select.POLLOUT)
    live = set(socks)
    deadline = time.monotonic() + BATCH_WAIT_S
    while live and time.monotonic() < deadline:
        for fd, ev in poller.poll(100):
            s, addr = socks[fd]
            gone = bool(ev & (select.POLLHUP | select.POLLERR))
            if not gone and ev & select.POLLIN:
                try:
                    gone = s.recv(1) == b""
                except OSError:
                    gone = True
            if gone or s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                closed[addr] = closed.get(addr, 0) + 1
                poller.unregister(fd)
                live.discard(fd)
            elif ev & select.POLLOUT:  # connected: now wait for a close
                poller.modify(fd, select.POLLIN)
        sampler.sample()
    return closed


def close_batch(socks):
    for s, _ in socks.values():
        s.close()


env = hostile.demo_env()
daemon = hostile.start_daemon(env)
pid, port = daemon.proc.pid, daemon.port
time.sleep(0.5)
baseline = hostile.fd_count(pid)
sampler = hostile.Sampler(pid)
held, attempts, excess_closed = [], 0, 0
t0 = time.monotonic()
try:
    for k in range(BATCHES):
        socks = open_batch(port, k)
        attempts += len(socks)
        closed = watch_batch(socks, sampler)
        excess_closed += sum(closed.values())
        if k < 2:  # fewer than max_connections open: only the per-IP limit acts
            short = {a: n for a, n in ((f"127.0.{k + 1}.{i}", closed.get(f"127.0.{k + 1}.{i}", 0))
                                       for i in range(1, ADDRS_PER_BATCH + 1))
                     if n < CONNS_PER_ADDR - PER_IP_LIMIT}
            check(not short, f"batch {k}: excess not closed within {BATCH_WAIT_S} s: {short}")
        held.append(socks)
        if len(held) > WINDOW:
            close_batch(held.pop(0))
        check(daemon.proc.poll() is None, f"wijkcald died at batch {k}:\n{daemon.logtext()[-3000:]}")
        if daemon.proc.poll() is not None:
            break
finally:
    for socks in held:
        close_batch(socks)
flood_s = time.monotonic() - t0
check(attempts == BATCHES * ADDRS_PER_BATCH * CONNS_PER_ADDR, f"{attempts} attempts")
check(daemon.proc.poll() is None, "wijkcald died under the flood")
status, after = hostile.probe(port)
check(status == 200 and after < hostile.PROBE_LIMIT_S, f"probe after the flood: {status} in {after:.2f} s")
fds, settle = hostile.fds_settle(pid, baseline)
sampler.sample()
check(fds <= baseline + 2, f"fds after the flood: {fds}, baseline {baseline}")
check(sampler.peak_fds <= baseline + MAX_CONNECTIONS + 8,
      f"the daemon held {sampler.peak_fds} fds (baseline {baseline}, limit {MAX_CONNECTIONS})")
check(sampler.peak_rss < hostile.RSS_LIMIT_KB, f"peak RSS {sampler.peak_rss} kB")
hostile.report("connection flood", attempts=attempts, addresses=BATCHES * ADDRS_PER_BATCH,
               closed_within_2s=excess_closed, flood_s=f"{flood_s:.1f}", peak_rss_kb=sampler.peak_rss,
               fds_baseline=baseline, fds_peak=sampler.peak_fds, fds_after=fds,
               fds_settled_s=f"{settle:.1f}", probe_after_s=f"{after:.3f}")
code = daemon.stop()
check(code == 0, f"wijkcald exit {code} at SIGTERM after the flood")
env.close()
wk.finish()
