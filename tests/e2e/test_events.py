"""Events and series through the CLI: add, list, show, edit (SEQUENCE),
drafts and publish, cancel and move occurrences, and the agenda."""
import wk
from wk import check

env = wk.Env()
wk.demo_registry(env)

# The example from the README: a monthly Hagro series.
r = env.ok("event", "add", "--kind", "hagro", "--wijk", "noord", "--title", "Hagro Noord",
           "--start", "2027-01-12 12:30", "--duration", "90m",
           "--rrule", "FREQ=MONTHLY;BYDAY=2TU;COUNT=10",
           "--location", "De Linde, Hoofdstraat 1",
           "--audience", "wijk:noord role:huisarts,waarnemer,poh")
hagro = r.out.strip()
check(hagro.isdigit(), f"event add prints the id: {r.out!r}")
ev = env.ok("--json", "event", "show", hagro).json()
check(ev["start"] == "2027-01-12 12:30" and ev["duration"] == "1h30m", f"show: {ev}")
check(ev["rrule"] == "FREQ=MONTHLY;COUNT=10;BYDAY=2TU" or "BYDAY=2TU" in ev["rrule"], f"rrule: {ev}")
check(ev["public"] is False and ev["sequence"] == 0 and ev["status"] == "confirmed", f"defaults: {ev}")
check(ev["audience"] == ["wijk:noord role:huisarts,waarnemer,poh"], f"audience: {ev}")
check(ev["uid"].endswith("@wijkcal") and len(ev["uid"]) > 32, f"uid: {ev}")
# The UID names the event too.
check(env.ok("--json", "event", "show", ev["uid"]).json()["id"] == int(hagro), "show by UID")

# Kind defaults: a wijklunch is public with the kind's duration and
# audience; an all-day vragenlijst deadline.
lunch = env.ok("event", "add", "--kind", "wijklunch", "--wijk", "noord", "--title",
               "Wijklunch voorjaar", "--start", "2027-03-18 12:00").out.strip()
ev = env.ok("--json", "event", "show", lunch).json()
check(ev["public"] is True and ev["duration"] == "1h30m" and ev["audience"] == ["wijk:noord"],
      f"wijklunch defaults: {ev}")
vl = env.ok("event", "add", "--kind", "vragenlijst", "--wijk", "noord", "--title",
            "Vragenlijst samenwerking", "--date", "2027-06-30").out.strip()
ev = env.ok("--json", "event", "show", vl).json()
check(ev["all_day"] is True and ev["duration"] == "1d", f"all-day: {ev}")
two = env.ok("event", "add", "--kind", "expeditie", "--wijk", "noord", "--title", "Fietstocht",
             "--date", "2027-05-20", "--end", "2027-05-21").out.strip()
check(env.ok("--json", "event", "show", two).json()["duration"] == "2d", "all-day --end is the last day")

# Edit: a visible change raises SEQUENCE, an audience change does not.
env.ok("event", "edit", hagro, "--audience", "wijk:noord role:huisarts")
check(env.ok("--json", "event", "show", hagro).json()["sequence"] == 0, "audience edit bumped SEQUENCE")
r = env.ok("event", "edit", hagro, "--location", "De Eik, Kerkstraat 5")
ev = env.ok("--json", "event", "show", hagro).json()
check(ev["sequence"] == 1 and ev["location"] == "De Eik, Kerkstraat 5", f"edit location: {ev}")
env.ok("event", "edit", hagro, "--description", "Agenda volgt.\nGraag op tijd.")
check(env.ok("--json", "event", "show", hagro).json()["sequence"] == 2, "description bumps")
# An empty value clears an option.
env.ok("event", "edit", lunch, "--location", "Buurthuis")
env.ok("event", "edit", lunch, "--location", "")
check(env.ok("--json", "event", "show", lunch).json()["location"] is None, "--location '' clears")

# Drafts stay out of feeds until published.
draft = env.ok("event", "add", "--kind", "themaavond", "--wijk", "noord", "--title",
               "Thema-avond dementie", "--start", "2027-04-08 19:30", "--draft").out.strip()
feed = env.ok("export", "ics", "--wijk", "noord").out
check("Thema-avond dementie" not in feed, "a draft is in the public feed")
check(env.ok("--json", "event", "show", draft).json()["status"] == "draft", "draft status")
env.ok("event", "publish", draft)
feed = env.ok("export", "ics", "--wijk", "noord").out
check("Thema-avond dementie" in feed, "a published event is missing from the feed")

# Cancel one occurrence, move another; the agenda shows the result.
env.ok("event", "cancel", hagro, "--occurrence", "2027-03-09")
env.ok("event", "move", hagro, "--occurrence", "2027-04-13", "--start", "2027-04-15 16:00")
ag = env.ok("--json", "agenda", "--wijk", "noord", "--kind", "hagro",
            "--from", "2027-01-01", "--to", "2027-12-31").json()
starts = [a["start"] for a in ag]
check(starts == ["2027-01-12 12:30", "2027-02-09 12:30", "2027-04-15 16:00", "2027-05-11 12:30",
                 "2027-06-08 12:30", "2027-07-13 12:30", "2027-08-10 12:30", "2027-09-14 12:30",
                 "2027-10-12 12:30"], f"agenda starts: {starts}")
moved = [a for a in ag if a["status"] == "moved"]
check(len(moved) == 1 and moved[0]["recurrence_id"] == "2027-04-13 12:30", f"moved: {moved}")
# 12:30 in winter is 11:30 UTC, in summer 10:30 UTC.
check(ag[0]["start_utc"] % 86400 == 11 * 3600 + 1800, "winter offset")
check(ag[3]["start_utc"] % 86400 == 10 * 3600 + 1800, "summer offset")
ev = env.ok("--json", "event", "show", hagro).json()
check([c["change"] for c in ev["changes"]] == ["cancelled", "moved"], f"changes: {ev['changes']}")
check(all(c["sequence"] > ev["sequence"] for c in ev["changes"]), f"override sequence: {ev}")

# Cancelling the whole event keeps it, marked cancelled, with SEQUENCE+1.
env.ok("event", "cancel", lunch)
ev = env.ok("--json", "event", "show", lunch).json()
check(ev["status"] == "cancelled" and ev["sequence"] == 3, f"cancel: {ev}")
check("STATUS:CANCELLED" in env.ok("export", "ics", "--wijk", "noord").out, "cancelled in feed")
r = env.run("event", "cancel", lunch)
check(r.code == wk.EX_USAGE and "already cancelled" in r.err, f"cancel twice: {r}")

# List: table and JSON, filtered.
rows = env.ok("--json", "event", "list", "--wijk", "noord", "--kind", "hagro").json()
check([e["id"] for e in rows] == [int(hagro)], f"list filter: {rows}")
r = env.ok("event", "list")
check("Hagro Noord" in r.out and "cancelled" in r.out, f"list table: {r.out}")
r = env.ok("agenda", "--from", "2027-01-01", "--to", "2027-01-31")
check("Hagro Noord" in r.out and "2027-01-12 12:30" in r.out, f"agenda table: {r.out}")

# Changing the rule keeps edits that still apply; SEQUENCE rises above
# every SEQUENCE the series carried (its occurrences' too).
before = env.ok("--json", "event", "show", hagro).json()
seq = max([before["sequence"]] + [c["sequence"] for c in before["changes"]])
env.ok("event", "edit", hagro, "--rrule", "FREQ=MONTHLY;BYDAY=2TU;COUNT=12")
ev = env.ok("--json", "event", "show", hagro).json()
check(ev["sequence"] == seq + 1 and len(ev["changes"]) == 2, f"rrule edit: {ev}")
# Removing the rule makes it a single meeting.
env.ok("event", "edit", hagro, "--rrule", "")
ev = env.ok("--json", "event", "show", hagro).json()
check(ev["rrule"] is None and ev["changes"] == [], f"rrule cleared: {ev}")

env.close()
wk.finish()
