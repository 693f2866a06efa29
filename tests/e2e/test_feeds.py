"""Exported feeds: what each feed holds, what it must never hold, and that
independent parsers (python3-icalendar and ical.js) read them back alike."""
import os
import re

import wk
from wk import check

env = wk.Env()
wk.demo_registry(env)
E = lambda *a: env.ok("event", "add", *a).out.strip()
hagro = E("--kind", "hagro", "--wijk", "noord", "--title", "Hagro Noord", "--start",
          "2027-01-12 12:30", "--rrule", "FREQ=MONTHLY;BYDAY=2TU;COUNT=10", "--location",
          "De Linde, Hoofdstraat 1", "--organizer", "anna@linde.nl")
env.ok("event", "cancel", hagro, "--occurrence", "2027-03-09")
env.ok("event", "cancel", hagro, "--occurrence", "2027-05-11")
env.ok("event", "move", hagro, "--occurrence", "2027-04-13", "--start", "2027-04-15 16:00")
long_text = ("Scholing over ‘samen beslissen’ met de apotheek, het sociaal wijkteam en "
             "welzijn; daarna een hapje. Zoë, Anaïs en René presenteren 🎉. " * 4 +
             "\nTweede regel, met een komma; en puntkomma.")
scholing = E("--kind", "scholing", "--wijk", "noord", "--title", "Scholing samen beslissen",
             "--start", "2027-03-25 19:00", "--end", "2027-03-25 21:30", "--points", "2",
             "--online", "https://meet.example.nl/scholing", "--description", long_text,
             "--url", "https://regio.example.nl/scholing")
lunch = E("--kind", "wijklunch", "--wijk", "noord", "--title", "Wijklunch", "--start",
          "2027-06-17 12:00")
env.ok("event", "cancel", lunch)
vl = E("--kind", "vragenlijst", "--wijk", "noord", "--title", "Vragenlijst", "--date",
       "2027-06-30", "--public")
zuid = E("--kind", "wijklunch", "--wijk", "zuid", "--title", "Wijklunch Zuid", "--start",
         "2027-05-04 12:00")
draft = E("--kind", "borrel", "--wijk", "noord", "--title", "Geheime borrel", "--start",
          "2027-12-17 17:00", "--draft")
fto = E("--kind", "fto", "--wijk", "noord", "--title", "FTO antibiotica", "--start",
        "2027-02-03 12:30", "--audience", "wijk:noord role:huisarts", "--audience",
        "person:kees@welzijn.nl")

emails = ["anna@linde.nl", "bram@eik.nl", "carla@linde.nl", "kees@welzijn.nl", "zoe@beuk.nl",
          "wijkagenda@example.nl"]


def export(*args):
    out = env.path("feed-%d.ics" % len(os.listdir(env.dir)))
    env.ok("export", "ics", *args, "-o", out)
    with open(out, "rb") as f:
        data = f.read()
    return out, data, wk.check_ics(out)


def by_uid(summary):
    return {e["uid"]: e for e in summary["events"]} if summary else {}


# The public wijk feed: public events of the wijk only, no addresses.
path, data, s = export("--wijk", "noord")
check(b"X-WR-CALNAME:Wijkagenda Heuvelland-Noord\r\n" in data, "calendar name")
check(b"METHOD:PUBLISH\r\n" in data and b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data
      and b"X-PUBLISHED-TTL:PT1H\r\n" in data, "feed header")
titles = sorted(e["summary"] for e in s["events"]) if s else []
check(titles == ["Scholing samen beslissen", "Vragenlijst", "Wijklunch"], f"public titles: {titles}")
for addr in emails:
    check(addr.encode() not in data, f"public feed holds {addr}")
check(b"mailto:" not in data and b"ORGANIZER" not in data, "public feed has ORGANIZER/mailto")
# TZID is the plain IANA name, the VTIMEZONE compact.
check(b"freeassociation" not in data, "libical TZID prefix leaked")
check(b"DTSTART;TZID=Europe/Amsterdam:20270325T190000\r\n" in data, "DTSTART with TZID")
tz = re.search(rb"BEGIN:VTIMEZONE\r\n.*?END:VTIMEZONE\r\n", data, re.S)
check(tz is not None, "no VTIMEZONE")
if tz:
    tz = tz.group(0)
    check(b"TZID:Europe/Amsterdam\r\n" in tz and b"RDATE" not in tz and b"UNTIL" not in tz,
          f"VTIMEZONE not compact: {tz!r}")
    check(tz.count(b"BEGIN:STANDARD") == 1 and tz.count(b"BEGIN:DAYLIGHT") == 1, "one rule each")
    check(b"DTSTART:19701025T030000" in tz and b"DTSTART:19700329T020000" in tz, "1970 rules")
ev = by_uid(s)
sch = [e for e in ev.values() if e["summary"] == "Scholing samen beslissen"]
if sch:
    sch = sch[0]
    check("https://meet.example.nl/scholing" in sch["description"], "online link in DESCRIPTION")
    check(long_text in sch["description"], "description round trip with UTF-8 and newlines")
    check(sch["categories"] == ["scholing"] or "scholing" in str(sch["categories"]), f"categories: {sch}")
check(any(e["status"] == "CANCELLED" for e in ev.values()), "cancelled event kept as CANCELLED")
check(any(e["dtstart"].startswith("2027-06-30") and e.get("all_day") for e in ev.values())
      or b"DTSTART;VALUE=DATE:20270630" in data, "all-day vragenlijst")

# The same data renders to the same bytes, whatever the clock says.
env.ok("export", "ics", "--wijk", "noord", "-o", env.path("again.ics"),
       extra_env={"WIJKCAL_NOW": "1900000000"})
with open(env.path("again.ics"), "rb") as f:
    check(f.read() == data, "re-export differs")
noord_public = data

# Internal feed: all events of the wijk, with ORGANIZER; moved occurrence
# and EXDATEs; the draft never.
path, data, s = export("--wijk", "noord", "--internal")
ev = by_uid(s)
titles = sorted({e["summary"] for e in ev.values()}) if s else []
check("Hagro Noord" in titles and "FTO antibiotica" in titles, f"internal titles: {titles}")
check(b"Geheime borrel" not in data and b"Wijklunch Zuid" not in data, "draft or other wijk in feed")
check(b"ORGANIZER" in data and b"mailto:anna@linde.nl" in data, "ORGANIZER in internal feed")
check(b"ATTENDEE" not in data, "ATTENDEE in internal feed")
hagro_events = [e for e in s["events"] if e["summary"] == "Hagro Noord"] if s else []
check(len(hagro_events) == 2, f"series + one override: {hagro_events}")
master = [e for e in hagro_events if not e.get("recurrence_id")]
over = [e for e in hagro_events if e.get("recurrence_id")]
if master and over:
    check(len(master[0]["exdates"]) == 2, f"EXDATEs: {master[0]}")
    check(over[0]["recurrence_id"].startswith("2027-04-13T12:30"), f"RECURRENCE-ID: {over[0]}")
    check(over[0]["dtstart"].startswith("2027-04-15T16:00"), f"moved DTSTART: {over[0]}")
    check(over[0]["sequence"] >= master[0]["sequence"], "override SEQUENCE below series")

# Practice feed: the practice's wijk, public events.
path, data2, s2 = export("--practice", "linde")
check(sorted(e["summary"] for e in s2["events"]) ==
      sorted(e["summary"] for e in export("--wijk", "noord")[2]["events"]), "practice = wijk public")
check(b"X-WR-CALNAME:Wijkagenda Huisartsenpraktijk De Linde\r\n" in data2, "practice calname")

# Kind feed: public events of one kind, all wijken.
path, data, s = export("--kind", "wijklunch")
check(sorted(e["summary"] for e in s["events"]) == ["Wijklunch", "Wijklunch Zuid"], f"kind feed: {s}")

# A person's feed: the events whose audience holds them, with their own
# ATTENDEE line only.
path, data, s = export("--person", "kees@welzijn.nl")
check(sorted(e["summary"] for e in s["events"]) == ["FTO antibiotica", "Scholing samen beslissen",
                                                    "Vragenlijst", "Wijklunch"]
      or "FTO antibiotica" in [e["summary"] for e in s["events"]], f"person feed: {s}")
check(b"Hagro Noord" not in data, "a partner got the Hagro")
atts = set(re.findall(rb"mailto:([^\r\n]+)", data.replace(b"\r\n ", b"")))
check(atts <= {b"kees@welzijn.nl", b"wijkagenda@example.nl", b"anna@linde.nl"}, f"addresses in person feed: {atts}")
check(data.count(b"ATTENDEE") >= 1 and b"CN=Kees Jansen" in data.replace(b"\r\n ", b""), "ATTENDEE line")
path, data, s = export("--person", "anna@linde.nl")
check(b"Hagro Noord" in data, "anna's feed lacks the Hagro")

# All feeds as files, laid out as the daemon's URL paths.
out = env.path("site")
r = env.ok("export", "ics", "--all", "--dir", out)
for rel in ["feeds/wijk/noord.ics", "feeds/wijk/zuid.ics", "feeds/practice/linde.ics",
            "feeds/practice/eik.ics", "feeds/practice/beuk.ics", "feeds/kind/wijklunch.ics",
            "feeds/kind/hagro.ics"]:
    p = os.path.join(out, rel)
    check(os.path.exists(p), f"--all lacks {rel}")
with open(os.path.join(out, "feeds/wijk/noord.ics"), "rb") as f:
    check(f.read() == noord_public, "--all and --wijk differ")
for root, _, files in os.walk(out):
    for name in files:
        check(name.endswith(".ics"), f"stray file {name}")
        wk.check_ics(os.path.join(root, name))

env.close()
wk.finish()
