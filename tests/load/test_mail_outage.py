"""An outage of the SMTP server: 200 messages queued and no server
listening for 2 minutes, then the server up. While it is down wijkcald
tries one connection at a time, not every row: the waits between tries
double from smtp.retry_min up to smtp.retry_max (each within its jitter,
at most a quarter less), it uses under 2 s of CPU, and no message fails.
Once the server is up everything arrives within one retry cap, nothing
twice."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))


import mailload  # noqa: E402
import smtpsink  # noqa: E402
import wk  # noqa: E402
import wkd  # noqa: E402
from wk import check  # noqa: E402

MESSAGES = 200
OUTAGE = 120  # seconds
FIRST, CAP = 2, 20  # smtp.retry_min and smtp.retry_max, seconds
SLACK = 15  # for a busy machine


def main():
    env = wk.Env()
    port = wkd.free_port()  # nothing listens here for now
    smtpsink.configure(env, port, 'retry_min = "%ds"; retry_max = "%ds"; rate_limit = 0;'
                       % (FIRST, CAP))
    mailload.registry(env, MESSAGES)
    env.ok("event", "add", "--kind", "hagro", "--wijk", "noord", "--title", "Hagro Noord",
           "--start", "2027-01-12 12:30")
    d = wkd.Daemon(env)
    pid = d.proc.pid
    cpu0 = mailload.cpu_seconds(pid)
    time.sleep(OUTAGE)
    cpu = mailload.cpu_seconds(pid) - cpu0
    rows = env.ok("--json", "outbox", "list").json()
    check(len(rows) == MESSAGES and all(r["status"] == "queued" for r in rows),
          f"during the outage: {[r for r in rows if r['status'] != 'queued'][:3]}")
    check(all("onnect" in r["error"] for r in rows), f"reasons: {rows[:3]}")
    delays = [int(x) for x in re.findall(r"next try in (\d+) s", d.logtext())]
    print(f"outage of {OUTAGE} s: CPU {cpu:.2f} s, waits between tries {delays}")
    check(cpu < 2.0, f"CPU during the outage: {cpu:.2f} s")
    check(4 <= len(delays) <= 20, f"tries during the outage: {delays}")
    for k, got in enumerate(delays):
        nominal = min(FIRST * 2 ** k, CAP)
        check(0.75 * nominal - 1 <= got <= nominal,
              f"wait {k + 1}: {got} s, expected {nominal} s less jitter: {delays}")
    check(CAP in delays or any(0.75 * CAP <= x <= CAP for x in delays[-2:]),
          f"never reached the cap: {delays}")

    sink = mailload.Sink()
    ctl, _ = smtpsink.start(sink, port)
    t0 = time.monotonic()
    deadline = t0 + CAP + SLACK
    while time.monotonic() < deadline and sink.unique() < MESSAGES:
        time.sleep(0.2)
    took = time.monotonic() - t0
    time.sleep(2)  # anything sent twice would show now
    ids = [mid for _, mid in sink.got]
    print(f"server up: {len(set(ids))} messages in {took:.1f} s, {len(ids)} received")
    check(len(set(ids)) == MESSAGES, f"arrived {len(set(ids))} of {MESSAGES}\n{d.logtext()}")
    check(took <= CAP + SLACK, f"took {took:.1f} s after the server came up")
    check(len(ids) == len(set(ids)), f"{len(ids) - len(set(ids))} sent twice")
    rows = env.ok("--json", "outbox", "list").json()
    check(all(r["status"] == "sent" for r in rows), "not all marked sent")
    check({r["message_id"].encode() for r in rows} == set(ids), "other Message-IDs")
    check(d.stop() == 0, "stop")
    ctl.stop()
    if not wk.FAILURES:
        env.close()
    wk.finish()


main()
