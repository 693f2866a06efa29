"""wijkcal backup: a consistent copy while others write, that restores to
the same data and the same private feed URLs."""
import os
import sqlite3
import subprocess
import threading

import wk
from wk import check

env = wk.Env()
wk.demo_registry(env)
for i in range(20):
    env.ok("event", "add", "--kind", "overig", "--wijk", "noord", "--title", f"Overleg {i}",
           "--start", f"2027-02-{i + 1:02d} 10:00")
url = env.ok("feed", "url", "--person", "anna@linde.nl").out.strip()

# Another writer adds events while the backup runs.
stop = threading.Event()


def writer():
    n = 0
    while not stop.is_set() and n < 200:
        env.run("event", "add", "--kind", "overig", "--wijk", "zuid", "--title", f"Druk {n}",
                "--start", "2027-03-01 09:00")
        n += 1


t = threading.Thread(target=writer)
t.start()
backup = env.path("backup.db")
try:
    r = env.ok("backup", backup)
finally:
    stop.set()
    t.join()
check("database copied to" in r.out and os.path.exists(backup), f"backup: {r}")
check(os.path.exists(backup + ".key"), "the key file was not copied")
check(oct(os.stat(backup + ".key").st_mode & 0o777) == "0o640", "key file mode")
con = sqlite3.connect(backup)
check(con.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "backup not intact")
titles = {r[0] for r in con.execute("SELECT title FROM event")}
con.close()
check({f"Overleg {i}" for i in range(20)} <= titles, "backup lacks events")

# Restore: the copy (with its key) is a working database with the same URL.
restored = wk.Env(init=False)
os.replace(backup, restored.db)
os.replace(backup + ".key", restored.db + ".key")
restored.ok("init")
rows = restored.ok("--json", "event", "list", "--wijk", "noord").json()
check(len(rows) == 20, f"restored events: {len(rows)}")
check(restored.ok("feed", "url", "--person", "anna@linde.nl").out.strip() == url,
      "private feed URL changed by the restore")

# A backup never overwrites a file.
env.write("exists.db", "keep me")
r = env.run("backup", env.path("exists.db"))
check(r.code == wk.EX_DATAERR and "already exists" in r.err, f"overwrite: {r}")
with open(env.path("exists.db")) as f:
    check(f.read() == "keep me", "backup overwrote a file")

env.close()
restored.close()
wk.finish()
