"""Every bad input gets one clear message naming the field and the expected
form, an exit status from sysexits.h, and leaves the database unchanged."""
import os
import sqlite3
import subprocess
import time

import wk
from wk import check, EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_TEMPFAIL, EX_CONFIG

env = wk.Env()
wk.demo_registry(env)
hagro = ["event", "add", "--kind", "hagro", "--wijk", "noord", "--title", "Hagro Noord"]
series = env.ok(*hagro, "--start", "2027-01-12 12:30", "--rrule",
                "FREQ=MONTHLY;BYDAY=2TU;COUNT=10").out.strip()

cases = [
    # (arguments, exit status, what the message must contain)
    (["wijk", "add", "noord", "--name", "Dubbel"], EX_DATAERR, ['wijk "noord" already exists']),
    (["wijk", "add", "Noord!", "--name", "X"], EX_USAGE, ["SLUG: expected a slug"]),
    (["wijk", "add", "west"], EX_USAGE, ["--name"]),
    (["practice", "add", "linde", "--name", "X", "--wijk", "noord"], EX_DATAERR,
     ['practice "linde" already exists']),
    (["practice", "add", "vlier", "--name", "X", "--wijk", "oost"], EX_DATAERR,
     ['--wijk: unknown wijk "oost"']),
    (["org", "add", "gem", "--name", "Gemeente", "--kind", "stadhuis"], EX_USAGE,
     ['--kind: unknown organisation kind "stadhuis"', "gemeente"]),
    (["person", "add", "--name", "Piet", "--email", "piet-at-linde.nl", "--role", "huisarts",
      "--practice", "linde"], EX_USAGE, ["--email: expected an e-mail address"]),
    (["person", "add", "--name", "Piet", "--email", "piet@linde.nl", "--role", "dokter",
      "--practice", "linde"], EX_USAGE, ['--role: unknown role "dokter"', "huisarts"]),
    (["person", "add", "--name", "Piet", "--email", "anna@linde.nl", "--role", "poh",
      "--practice", "linde"], EX_DATAERR, ["anna@linde.nl already exists"]),
    (["person", "add", "--name", "Piet", "--email", "piet@linde.nl", "--role", "poh",
      "--practice", "vlier"], EX_DATAERR, ['--practice: unknown practice "vlier"']),
    (["person", "add", "--name", "Piet\x07", "--email", "piet@linde.nl", "--role", "poh",
      "--practice", "linde"], EX_USAGE, ["--name: expected one line of text"]),
    (["person", "link", "nobody@linde.nl", "--role", "poh", "--practice", "linde"],
     EX_DATAERR, ['unknown person "nobody@linde.nl"']),
    (hagro[:4] + ["--wijk", "oost", "--title", "X", "--start", "2027-01-12 12:30"],
     EX_DATAERR, ['--wijk: unknown wijk "oost"']),
    (hagro + ["--start", "12-01-2027 12:30"], EX_USAGE, ["--start: expected YYYY-MM-DD HH:MM"]),
    (hagro + ["--start", "2027-02-30 12:30"], EX_USAGE, ["--start: 2027-02-30 is not a date"]),
    (hagro + ["--start", "2027-01-12 25:00"], EX_USAGE, ["--start:", "not a time of day"]),
    (hagro + ["--start", "2027-03-28 02:30"], EX_USAGE,
     ["--start: 2027-03-28 02:30 does not exist in Europe/Amsterdam"]),
    (hagro + ["--start", "2027-01-12 12:30", "--end", "2027-01-12 11:00"], EX_USAGE,
     ["--end: must be after the start"]),
    (hagro + ["--start", "2027-01-12 12:30", "--duration", "90"], EX_USAGE,
     ["--duration: expected a duration like 90m"]),
    (hagro + ["--start", "2027-01-12 12:30", "--rrule", "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=31"],
     EX_USAGE, ["--rrule:"]),
    (hagro + ["--start", "2027-01-12 12:30", "--rrule", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31"],
     EX_USAGE, ["--rrule:"]),
    (hagro + ["--start", "2027-01-04 12:30", "--rrule", "FREQ=MONTHLY;BYDAY=1MO,3WE"],
     EX_USAGE, ["--rrule:", "Outlook"]),
    (hagro + ["--start", "2027-01-13 12:30", "--rrule", "FREQ=MONTHLY;BYDAY=2TU"],
     EX_USAGE, ["--rrule:", "2027-01-13"]),
    (hagro + ["--start", "2027-01-12 12:30", "--rrule", "FREQ=MONTHLY;COUNT=abc"],
     EX_USAGE, ["--rrule:", "COUNT"]),
    (hagro + ["--start", "2027-01-12 12:30", "--audience", "wijk:oost"], EX_DATAERR,
     ['--audience: unknown wijk "oost"']),
    (hagro + ["--start", "2027-01-12 12:30", "--audience", "rol:huisarts"], EX_USAGE,
     ['--audience: unknown term "rol:huisarts"']),
    (hagro + ["--start", "2027-01-12 12:30", "--audience", "role:arts"], EX_USAGE,
     ['--audience: unknown role "arts"']),
    (hagro + ["--start", "2027-01-12 12:30", "--online", "meet.example.nl"], EX_USAGE,
     ["--online: expected an http(s) URL"]),
    (hagro + ["--start", "2027-01-12 12:30", "--points", "many"], EX_USAGE,
     ["--points: expected a number"]),
    (hagro + ["--start", "2027-01-12 12:30", "--location", "Zaal\n2"], EX_USAGE,
     ["--location: expected one line of text"]),
    (["event", "add", "--kind", "lunch", "--wijk", "noord", "--title", "X", "--start",
      "2027-01-12 12:30"], EX_USAGE, ['--kind: unknown kind "lunch"', "wijklunch"]),
    (["event", "add", "--kind", "hagro", "--wijk", "noord", "--start", "2027-01-12 12:30"],
     EX_USAGE, ["--title"]),
    (["event", "show", "999"], EX_DATAERR, ["unknown event 999"]),
    (["event", "cancel", series, "--occurrence", "2027-03-10"], EX_DATAERR,
     ["--occurrence:", "2027-03-10"]),
    (["event", "move", series, "--occurrence", "2027-03-09"], EX_USAGE, ["--start"]),
    (["event", "edit", series, "--start", "2027-01-12"], EX_USAGE, ["--start: expected"]),
    (["event", "frobnicate"], EX_USAGE, ['unknown verb "frobnicate"']),
    (["wijk", "add", "--nonsense"], EX_USAGE, ["--nonsense"]),
    (["agenda", "--from", "2027-13-01"], EX_USAGE, ["--from: 2027-13-01 is not a date"]),
    (["export", "ics", "--wijk", "oost"], EX_DATAERR, ['unknown wijk "oost"']),
    (["export", "ics"], EX_USAGE, ["give one feed"]),
    (["import", "practices", "does-not-exist.csv"], EX_NOINPUT, ["does-not-exist.csv"]),
]
for args, code, needles in cases:
    env.refused(args, code, *needles)

# CSV with a bad row: the line and the column are named, nothing is imported.
env.write("bad.csv", "slug,name,wijk\nvlier,De Vlier,noord\nhazel,De Hazelaar,oost\n")
env.refused(["import", "practices", "bad.csv"], EX_DATAERR, *["bad.csv:3:", 'wijk: unknown wijk "oost"'])
env.write("bad2.csv", "name;email;role;practice\nPiet;piet@linde.nl;huisarts;linde\n"
          "Jan;jan(at)linde.nl;poh;linde\n")
env.refused(["import", "persons", "bad2.csv"], EX_DATAERR, *["bad2.csv:3:", "email: expected an e-mail"])
env.write("latin1.csv", "slug,name,wijk\nvlier,Caf\xe9 De Vlier,noord\n".encode("latin-1"), "wb")
env.refused(["import", "practices", "latin1.csv"], EX_DATAERR, *["UTF-8"])
env.write("ragged.csv", "slug,name,wijk\nvlier,De Vlier\n")
env.refused(["import", "practices", "ragged.csv"], EX_DATAERR, *["line 2"])
env.write("nocol.csv", "slug,naam,wijk\nvlier,De Vlier,noord\n")
env.refused(["import", "practices", "nocol.csv"], EX_DATAERR, *['missing column "name"'])

# A malformed .ics, and one with a rule that would keep libical busy.
env.write("bad.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x1\r\n"
          "SUMMARY:Zonder begin\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
env.refused(["import", "events", "bad.ics", "--wijk", "noord", "--kind", "hagro"],
            EX_DATAERR, *["bad.ics", "DTSTART"])
env.write("spin.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x2\r\n"
          "DTSTART:20270112T120000Z\r\nDTEND:20270112T130000Z\r\nSUMMARY:X\r\n"
          "RRULE:FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=31\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
t0 = time.monotonic()
env.refused(["import", "events", "spin.ics", "--wijk", "noord", "--kind", "hagro"],
            EX_DATAERR, *["spin.ics", "RRULE"])
check(time.monotonic() - t0 < 10, "a hostile RRULE kept the import busy")
env.write("garbage.ics", "this is not a calendar\n")
env.refused(["import", "events", "garbage.ics", "--wijk", "noord", "--kind", "hagro"],
            EX_DATAERR, *["garbage.ics"])

# A missing database: a clear message, not a crash.
r = env.run("--db", env.path("nope.db"), "wijk", "list", db=False)
check(r.code == EX_NOINPUT and "wijkcal init" in r.err, f"missing database: {r}")
check(not os.path.exists(env.path("nope.db")), "a read created the database")

# A locked database: another writer holds the lock for longer than the
# busy timeout.
locker = subprocess.Popen(["/usr/bin/python3", "-c", f"""
import sqlite3, sys, time
con = sqlite3.connect({env.db!r}, isolation_level=None)
con.execute('BEGIN IMMEDIATE')
print('locked', flush=True)
time.sleep(30)
"""], stdout=subprocess.PIPE, text=True)
locker.stdout.readline()
try:
    before = env.dump()
    r = env.run("wijk", "add", "west", "--name", "West")
    check(r.code == EX_TEMPFAIL and "locked" in r.err, f"locked database: {r}")
finally:
    locker.kill()
    locker.wait()
check(env.dump() == before, "locked write changed the database")

# A bad config file: file, line and key are named, the exit status is
# EX_CONFIG, and nothing runs.
conf = env.write("bad.conf", 'database = "x.db";\nfeeds = { refresh = "often"; };\nkinds = { hagro = { duration = 5; }; lunch = { public = true; }; };\n')
r = env.run("-c", conf, "wijk", "list")
check(r.code == EX_CONFIG, f"bad config exit: {r}")
check(f"{conf}:2: feeds.refresh: expected a duration" in r.err, f"bad config message: {r.err}")
check(f"{conf}:3: kinds.hagro.duration: expected" in r.err, f"all errors in one run: {r.err}")
check("kinds.lunch: unknown event kind" in r.err, f"unknown kind: {r.err}")
conf = env.write("syntax.conf", 'database = "x.db"\nfoo = ;\n')
r = env.run("-c", conf, "config", "check")
check(r.code == EX_CONFIG and f"{conf}:2:" in r.err, f"syntax error: {r}")
r = env.run("-c", env.path("missing.conf"), "config", "check")
check(r.code == EX_CONFIG and "missing.conf" in r.err, f"missing config: {r}")

env.close()
wk.finish()
