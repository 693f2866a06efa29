#!/usr/bin/python3
"""Mail helpers of run_mail.sh (stdlib only). They drive the binaries from
outside: the daemon is started as a process, its stderr lines are time
stamped as they arrive, smtp-sink's counters are read from its output file,
and the outbox is read with the CLI.

    mail_probe.py deliver --sink-out FILE --count N --cli "WIJKCAL --db DB"
                          [--timeout S] [--log FILE] -- DAEMON ARGS...
        Starts DAEMON ARGS..., then polls FILE (smtp-sink -c output: records
        "sess=S quit=Q mesg=M" separated by CR) every 2 ms until M reaches
        the sink's starting count + N; then runs `CLI --json outbox list`
        until N rows are "sent" (every 50 ms). Prints one line of JSON:
        sink_s (exec to the sink having all N), outbox_s (exec to the outbox
        showing all N sent), sessions (SMTP sessions the sink saw, counted
        from its starting count), first_s (exec to the first message at the
        sink), and the daemon's stderr lines with their times. Stops the
        daemon with SIGTERM. Exits 1 on timeout (default 300 s).

    mail_probe.py spool --dir D --count N [--timeout S] [--log FILE]
                        -- DAEMON ARGS...
        The same for the spool backend: until D holds N *.eml files.

    mail_probe.py planner [--timeout S] [--settle S] [--log FILE]
                          -- DAEMON ARGS...
        Starts DAEMON ARGS... (mail paused, so that the pass only plans)
        and waits for the line "mail: N message(s) queued". Prints JSON:
        queued (N), ready_s (exec to the line "mail: delivering ...", which
        the daemon logs right after starting its mail thread, whose first
        act is the planner pass), queued_s (exec to the "queued" line),
        pass_s (queued_s - ready_s: the first pass's wall time), pass_cpu_s
        (the CPU time of the busiest thread but the main one, i.e. the mail
        thread, at the "queued" line), and steady_cpu_s: that thread's CPU
        over the next S seconds (default 7), in which the daemon runs at
        least one more pass that finds nothing to add (after its own
        commit wakes it, and every 5 s), with the number of such seconds.

    mail_probe.py steady [--settle S] -- DAEMON ARGS...
        Starts the daemon on an already planned database and reports the
        mail thread's CPU seconds after S seconds (default 3): one pass
        that adds nothing (plus opening the database).
"""

import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time

TICK = os.sysconf("SC_CLK_TCK")


RSS_LIMIT_KIB = 2 * 1024 * 1024  # a daemon past this is killed: a runaway


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def stop(proc):
    """SIGTERM, then SIGKILL after 10 s or as soon as its memory runs away."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    while proc.poll() is None and time.monotonic() < deadline:
        if rss_kib(proc.pid) > RSS_LIMIT_KIB:
            break
        time.sleep(0.05)
    if proc.poll() is None:
        sys.stderr.write("mail_probe: the daemon did not stop; killed\n")
        proc.kill()
        proc.wait()


class Daemon:
    """The daemon with its stderr read on a thread, each line time stamped
    (seconds since just before the exec)."""

    def __init__(self, argv, log=None):
        self.lines = []
        self.cond = threading.Condition()
        self.logf = open(log, "w") if log else None
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.runaway, self.peak_kib = False, 0
        threading.Thread(target=self._watch, daemon=True).start()

    def _read(self):
        for raw in self.proc.stdout:
            t = time.monotonic() - self.t0
            line = raw.decode(errors="replace").rstrip("\n")
            with self.cond:
                self.lines.append((round(t, 4), line))
                self.cond.notify_all()
            if self.logf:
                self.logf.write("%.4f %s\n" % (t, line))
                self.logf.flush()

    def now(self):
        return time.monotonic() - self.t0

    def _watch(self):
        """Kills the daemon once its RSS passes the limit (a runaway must
        not take the machine down); records the peak."""
        while self.proc.poll() is None:
            kib = rss_kib(self.proc.pid)
            self.peak_kib = max(self.peak_kib, kib)
            if kib > RSS_LIMIT_KIB:
                sys.stderr.write("mail_probe: the daemon's RSS reached %d MiB;"
                                 " killed\n" % (kib // 1024))
                self.runaway = True
                self.proc.kill()
                return
            time.sleep(0.05)

    def wait_line(self, pattern, timeout):
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for t, line in self.lines:
                    m = rx.search(line)
                    if m:
                        return t, m
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    return None, None
                self.cond.wait(min(left, 0.2))

    def first_line(self, pattern):
        rx = re.compile(pattern)
        with self.cond:
            for t, line in self.lines:
                if rx.search(line):
                    return t
        return None

    def busiest_thread_cpu(self):
        """CPU seconds (user + system) of the busiest thread but the
        main one."""
        best = 0
        pid = self.proc.pid
        try:
            tids = os.listdir("/proc/%d/task" % pid)
        except OSError:
            return None
        for tid in tids:
            if int(tid) == pid:
                continue
            try:
                with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # fields[0] is field 3 (state): utime is 14, stime 15.
            best = max(best, int(fields[11]) + int(fields[12]))
        return best / TICK

    def stop(self):
        stop(self.proc)
        self.reader.join(timeout=5)
        if self.logf:
            self.logf.close()


def sink_counts(path):
    """The last "sess= quit= mesg=" record of smtp-sink -c output."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 256))
            tail = f.read().decode(errors="replace")
    except OSError:
        return 0, 0
    recs = re.findall(r"sess=(\d+) quit=\d+ mesg=(\d+)", tail)
    if not recs:
        return 0, 0
    return int(recs[-1][0]), int(recs[-1][1])


def outbox_sent(cli):
    out = subprocess.run(shlex.split(cli) + ["--json", "outbox", "list"],
                         capture_output=True, timeout=60)
    if out.returncode != 0:
        return -1, out.stderr.decode(errors="replace")
    rows = json.loads(out.stdout)
    return sum(1 for r in rows if r.get("status") == "sent"), len(rows)


def deliver(a):
    sess0, mesg0 = sink_counts(a.sink_out)
    d = Daemon(a.argv, a.log)
    deadline = time.monotonic() + a.timeout
    first = sink_s = None
    ok = False
    try:
        while time.monotonic() < deadline and d.proc.poll() is None:
            sess, mesg = sink_counts(a.sink_out)
            if first is None and mesg > mesg0:
                first = d.now()
            if mesg - mesg0 >= a.count:
                sink_s = d.now()
                break
            time.sleep(0.002)
        outbox_s = None
        if sink_s is not None:
            while time.monotonic() < deadline:
                sent, total = outbox_sent(a.cli)
                if sent >= a.count:
                    outbox_s = d.now()
                    ok = True
                    break
                time.sleep(0.05)
    finally:
        d.stop()
    # A session is counted when it ends: after the daemon has quit.
    time.sleep(0.3)
    sess, mesg = sink_counts(a.sink_out)
    print(json.dumps({"ok": ok, "count": a.count, "first_s": first,
                      "sink_s": sink_s, "outbox_s": outbox_s,
                      "sessions": sess - sess0, "messages": mesg - mesg0,
                      "exit": d.proc.returncode, "runaway": d.runaway,
                      "peak_rss_kib": d.peak_kib, "lines": d.lines}))
    return 0 if ok else 1


def spool(a):
    d = Daemon(a.argv, a.log)
    deadline = time.monotonic() + a.timeout
    done = None
    try:
        while time.monotonic() < deadline and d.proc.poll() is None:
            try:
                n = sum(1 for f in os.listdir(a.dir) if f.endswith(".eml"))
            except OSError:
                n = 0
            if n >= a.count:
                done = d.now()
                break
            time.sleep(0.01)
    finally:
        d.stop()
    print(json.dumps({"ok": done is not None, "count": a.count,
                      "spool_s": done, "exit": d.proc.returncode,
                      "runaway": d.runaway, "peak_rss_kib": d.peak_kib,
                      "lines": d.lines}))
    return 0 if done is not None else 1


def planner(a):
    d = Daemon(a.argv, a.log)
    try:
        t_q, m = d.wait_line(r"mail: (\d+) message\(s\) queued", a.timeout)
        cpu_q = d.busiest_thread_cpu() if t_q is not None else None
        t_r = d.first_line(r"mail: delivering")
        steady = None
        if t_q is not None:
            time.sleep(a.settle)
            cpu_s = d.busiest_thread_cpu()
            if cpu_s is not None and cpu_q is not None:
                steady = cpu_s - cpu_q
    finally:
        d.stop()
    res = {"ok": t_q is not None, "queued": int(m.group(1)) if m else None,
           "now": int(os.environ["WIJKCAL_NOW"]) if os.environ.get("WIJKCAL_NOW") else None,
           "ready_s": t_r, "queued_s": t_q,
           "pass_s": (t_q - t_r) if t_q is not None and t_r is not None else None,
           "pass_cpu_s": cpu_q, "steady_cpu_s": steady,
           "settle_s": a.settle, "exit": d.proc.returncode, "runaway": d.runaway,
                      "peak_rss_kib": d.peak_kib, "lines": d.lines}
    print(json.dumps(res))
    return 0 if res["ok"] else 1


def steady(a):
    d = Daemon(a.argv, a.log)
    try:
        t_r, _ = d.wait_line(r"mail: delivering", 30)
        time.sleep(a.settle)
        cpu = d.busiest_thread_cpu()
    finally:
        d.stop()
    print(json.dumps({"ok": t_r is not None, "cpu_s": cpu, "settle_s": a.settle,
                      "exit": d.proc.returncode, "runaway": d.runaway,
                      "peak_rss_kib": d.peak_kib, "lines": d.lines}))
    return 0 if t_r is not None else 1


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("deliver")
    s.add_argument("--sink-out", required=True)
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--cli", required=True)
    s.add_argument("--timeout", type=float, default=300)
    s.add_argument("--log")
    s.add_argument("argv", nargs="+")
    s = sub.add_parser("spool")
    s.add_argument("--dir", required=True)
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--timeout", type=float, default=300)
    s.add_argument("--log")
    s.add_argument("argv", nargs="+")
    s = sub.add_parser("planner")
    s.add_argument("--timeout", type=float, default=300)
    s.add_argument("--settle", type=float, default=7)
    s.add_argument("--log")
    s.add_argument("argv", nargs="+")
    s = sub.add_parser("steady")
    s.add_argument("--settle", type=float, default=3)
    s.add_argument("--log")
    s.add_argument("argv", nargs="+")
    a = p.parse_args()
    return {"deliver": deliver, "spool": spool, "planner": planner,
            "steady": steady}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
