"""Crashes while mailing: 2,000 messages (20 events x 100 persons) sent at
smtp.rate_limit, so that each kill lands while unsent messages remain.
wijkcald is killed with SIGKILL 0.1 to 2 s after each start and started
again, 50 times; then it runs to the end. Every message arrives; a message
arrives twice at most once per kill, and then with the same Message-ID
and recipient; PRAGMA integrity_check says ok after every kill."""
import os
import random
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))


import mailload  # noqa: E402
import smtpsink  # noqa: E402
import wk  # noqa: E402
import wkd  # noqa: E402
from wk import check  # noqa: E402

PERSONS, EVENTS = 100, 20
MESSAGES = PERSONS * EVENTS
KILLS = 50
RATE = 1500  # a minute: 25 a second
FINISH = 200  # seconds at most for the rest after the last kill


def integrity(db):
    con = sqlite3.connect(db, timeout=10)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def main():
    rnd = random.Random(int(os.environ.get("WIJKCAL_SEED", "4")))
    sink = mailload.Sink()
    ctl, port = smtpsink.start(sink)
    env = wk.Env()
    smtpsink.configure(env, port, 'retry_min = "1s"; retry_max = "5s"; rate_limit = %d;' % RATE)
    mailload.registry(env, PERSONS)
    for i in range(EVENTS):
        env.ok("event", "add", "--kind", "hagro", "--wijk", "noord",
               "--title", "Hagro %d" % i, "--start", "2027-01-%02d 12:30" % (5 + i))
    kills, early = 0, []
    t0 = time.monotonic()
    for k in range(KILLS):
        d = wkd.Daemon(env)
        time.sleep(rnd.uniform(0.1, 2.0))
        before = sink.unique()
        d.proc.kill()
        d.proc.wait(timeout=30)
        d.log.close()
        kills += 1
        if before >= MESSAGES:
            early.append(k)
        ok = integrity(env.db)
        check(ok == "ok", f"integrity_check after kill {k + 1}: {ok}")
    at_last_kill = sink.unique()
    d = wkd.Daemon(env)
    deadline = time.monotonic() + FINISH
    while time.monotonic() < deadline and sink.unique() < MESSAGES:
        time.sleep(0.5)
    time.sleep(1)
    check(d.stop() == 0, "stop")
    ctl.stop()

    ids = [mid for _, mid in sink.got]
    unique = set(ids)
    dups = len(ids) - len(unique)
    print(f"{kills} kills in {time.monotonic() - t0:.0f} s; {at_last_kill} of {MESSAGES} "
          f"had arrived at the last kill; {len(unique)} arrived, {dups} twice")
    check(not early, f"kills after everything had arrived: {early}")
    check(len(unique) == MESSAGES, f"arrived {len(unique)} of {MESSAGES}\n{d.logtext()}")
    check(dups <= kills, f"{dups} duplicates for {kills} kills")
    rcpt = {}
    for to, mid in sink.got:
        check(rcpt.setdefault(mid, to) == to, f"{mid} to {to} and {rcpt[mid]}")
    con = sqlite3.connect(env.db)
    rows = con.execute("SELECT message_id, status FROM outbox").fetchall()
    con.close()
    check(len(rows) == MESSAGES, f"{len(rows)} rows in the outbox")
    check({m.encode() for m, _ in rows} == unique, "Message-IDs differ from the outbox's")
    check(all(s == "sent" for _, s in rows), "rows not marked sent")
    check(integrity(env.db) == "ok", "integrity_check at the end")
    if not wk.FAILURES:
        env.close()
    wk.finish()


main()
