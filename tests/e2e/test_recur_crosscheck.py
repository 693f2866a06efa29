"""`wijkcal agenda` must list the same occurrences as
python3-recurring-ical-events finds in the exported feed, for many rules
over two years: daylight-saving changes, EXDATEs, moved occurrences, UNTIL
and COUNT."""
import datetime
import json
import subprocess
import sys

import wk
from wk import check

# (start, rrule, cancelled occurrences, moved occurrences: (date, new start))
CASES = [
    ("2027-01-12 12:30", "FREQ=MONTHLY;BYDAY=2TU;COUNT=10", ["2027-03-09"], [("2027-04-13", "2027-04-15 16:00")]),
    ("2027-01-05 08:00", "FREQ=WEEKLY;BYDAY=TU", ["2027-03-30"], []),
    ("2027-01-04 17:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", [], [("2027-03-29", "2027-03-30 17:00")]),
    ("2027-01-01 09:00", "FREQ=DAILY;COUNT=120", ["2027-03-28", "2027-03-27"], []),
    ("2027-01-04 07:45", "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20270415T000000Z", [], []),
    ("2027-01-29 16:00", "FREQ=MONTHLY;BYDAY=-1FR", [], []),
    ("2027-01-31 12:00", "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=24", [], []),
    ("2027-01-15 12:00", "FREQ=MONTHLY;BYMONTHDAY=15;INTERVAL=2", [], []),
    ("2027-02-01 19:30", "FREQ=MONTHLY;BYDAY=1MO;UNTIL=20281231", ["2027-11-01"], []),
    ("2027-03-01 12:30", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1", [], []),
    ("2027-01-29 12:30", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", [], []),
    ("2027-03-28 10:00", "FREQ=YEARLY;COUNT=3", [], []),
    ("2027-10-31 03:30", "FREQ=WEEKLY;COUNT=6", [], []),
    ("2027-10-30 23:00", "FREQ=DAILY;COUNT=3", [], []),
    ("2027-03-27 23:30", "FREQ=DAILY;COUNT=4", [], []),
    ("2027-01-20 14:00", "FREQ=YEARLY;BYMONTH=1;BYDAY=3WE;COUNT=2", [], []),
    ("2027-06-10 12:00", "FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=10", [], []),
    ("2027-02-16 12:30", "FREQ=WEEKLY;INTERVAL=6;BYDAY=TU", [], [("2027-05-11", "2027-05-12 12:30")]),
    ("2027-01-07 12:00", "FREQ=MONTHLY;INTERVAL=3;BYDAY=1TH", [], []),
    ("2027-01-06 18:00", "FREQ=WEEKLY;BYDAY=WE;UNTIL=20271231T230000Z", ["2027-10-27"], []),
    ("2027-03-20", "FREQ=MONTHLY;BYDAY=3SA;COUNT=6", ["2027-05-15"], []),
    ("2027-04-01", "FREQ=DAILY;INTERVAL=10;COUNT=20", [], [("2027-04-11", "2027-04-12")]),
    ("2027-01-13 12:30", "FREQ=MONTHLY;BYDAY=2WE;BYMONTH=1,3,5,7,9,11", [], []),
    ("2027-02-28 20:00", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28,29;COUNT=4", [], []),
    ("2027-09-01 12:00", "FREQ=WEEKLY;INTERVAL=4;BYDAY=WE;WKST=MO;COUNT=8", [], []),
]

env = wk.Env()
wk.demo_registry(env)
for i, (start, rule, cancels, moves) in enumerate(CASES):
    timed = " " in start
    eid = env.ok("event", "add", "--kind", "overig", "--wijk", "noord", "--title", f"Reeks {i}",
                 "--start" if timed else "--date", start, "--rrule", rule,
                 "--duration", "75m" if timed else "1d", "--force").out.strip()
    for d in cancels:
        env.ok("event", "cancel", eid, "--occurrence", d)
    for d, new in moves:
        env.ok("event", "move", eid, "--occurrence", d, "--start" if timed else "--date", new)

feed = env.path("noord.ics")
env.ok("export", "ics", "--wijk", "noord", "--internal", "-o", feed)
wk.check_ics(feed)

ours = env.ok("--json", "agenda", "--wijk", "noord", "--from", "2027-01-01", "--to",
              "2028-12-31").json()
ours = sorted((o["title"], o["start"], o["end"]) for o in ours)

# The independent expansion, in Debian's python with recurring_ical_events.
script = r'''
import datetime, json, sys
import icalendar, recurring_ical_events
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
out = []
for ev in recurring_ical_events.of(cal).between(datetime.date(2027, 1, 1), datetime.date(2029, 1, 1)):
    s, e = ev["DTSTART"].dt, ev["DTEND"].dt
    if isinstance(s, datetime.datetime):
        fmt = lambda t: t.strftime("%Y-%m-%d %H:%M")
    else:
        fmt = lambda t: t.strftime("%Y-%m-%d")
        e = e - datetime.timedelta(days=1)
    out.append([str(ev["SUMMARY"]), fmt(s), fmt(e)])
print(json.dumps(sorted(out)))
'''
r = subprocess.run(["/usr/bin/python3", "-c", script, feed], capture_output=True, text=True)
check(r.returncode == 0, f"recurring_ical_events failed: {r.stderr}")
theirs = sorted(tuple(x) for x in json.loads(r.stdout or "[]"))

check(len(ours) > 500, f"too few occurrences to mean anything: {len(ours)}")
for i in range(len(CASES)):
    a = [o for o in ours if o[0] == f"Reeks {i}"]
    b = [o for o in theirs if o[0] == f"Reeks {i}"]
    check(a == b, f"case {i} {CASES[i][1]}: agenda and recurring-ical-events differ:\n"
          f"  only agenda: {sorted(set(a) - set(b))[:5]}\n  only r-i-e: {sorted(set(b) - set(a))[:5]}")
print(f"{len(CASES)} rules, {len(ours)} occurrences compared")
env.close()
wk.finish()
