#!/usr/bin/python3
"""Reference renderer: wijkcal's public feeds, made with python3-icalendar.

    /usr/bin/python3 bench/ref_icalendar.py DATA_DIR OUT_DIR

Reads DATA_DIR/events.json (written by gen.py) and writes, like
`wijkcal export ics --all --dir OUT_DIR` does for its public feeds:

  OUT_DIR/feeds/wijk/SLUG.ics      the public events of the wijk
  OUT_DIR/feeds/practice/SLUG.ics  the public events of the practice's wijk

Each feed is built the way one would in Python: a Calendar with its
properties and a VTIMEZONE, one Event per series and per moved occurrence,
then to_ical() and a write. Every feed is built from the event data again
(no VEVENT text is shared between feeds), which is the approach wijkcal's
issue measured ("5,500 feeds of about 13 events each").
"""

import datetime as dt
import json
import os
import sys

import pytz
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, \
    TimezoneStandard
from icalendar.prop import vDuration, vRecur

PRODID = "-//wijkcal//bench reference python-icalendar//NL"
REFRESH = dt.timedelta(hours=1)
ZONE = pytz.timezone("Europe/Amsterdam")


def amsterdam_vtimezone():
    """The compact VTIMEZONE (as Outlook writes it): one STANDARD and one
    DAYLIGHT rule with a yearly RRULE."""
    tz = Timezone()
    tz.add("tzid", "Europe/Amsterdam")
    std = TimezoneStandard()
    std.add("dtstart", dt.datetime(1970, 10, 25, 3, 0))
    std.add("tzoffsetfrom", dt.timedelta(hours=2))
    std.add("tzoffsetto", dt.timedelta(hours=1))
    std.add("tzname", "CET")
    std.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    dst = TimezoneDaylight()
    dst.add("dtstart", dt.datetime(1970, 3, 29, 2, 0))
    dst.add("tzoffsetfrom", dt.timedelta(hours=1))
    dst.add("tzoffsetto", dt.timedelta(hours=2))
    dst.add("tzname", "CEST")
    dst.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    tz.add_component(std)
    tz.add_component(dst)
    return tz


def load(path):
    """events.json with times as aware datetimes (as a database layer
    would hand them over)."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    assert data["tzid"] == ZONE.zone

    def local(s):
        return ZONE.localize(dt.datetime.strptime(s, "%Y-%m-%d %H:%M"))

    def utc(s):
        return pytz.utc.localize(dt.datetime.strptime(s,
                                                      "%Y-%m-%dT%H:%M:%SZ"))

    for e in data["events"]:
        e["start"] = local(e["start"])
        e["exdates"] = [local(x) for x in e["exdates"]]
        e["modified"] = utc(e["modified"])
        for m in e["moved"]:
            m["recurrence_id"] = local(m["recurrence_id"])
            m["start"] = local(m["start"])
            m["modified"] = utc(m["modified"])
    return data


def end_of(start, minutes):
    """start + minutes of wall-clock time (a series is defined in wall
    time), localised again; pytz needs that for the right offset."""
    naive = start.replace(tzinfo=None) + dt.timedelta(minutes=minutes)
    return ZONE.localize(naive)


def add_event(cal, e, label, override=None):
    o = override or e
    ev = Event()
    ev.add("uid", e["uid"])
    ev.add("dtstamp", o["modified"])
    ev.add("sequence", o["sequence"])
    if override:
        ev.add("recurrence-id", override["recurrence_id"])
    ev.add("dtstart", o["start"])
    ev.add("dtend", end_of(o["start"], o["duration"]))
    if not override and e["rrule"]:
        ev.add("rrule", vRecur.from_ical(e["rrule"]))
        if e["exdates"]:
            ev.add("exdate", e["exdates"])
    ev.add("summary", e["title"])
    if e["location"]:
        ev.add("location", e["location"])
    if e["description"]:
        ev.add("description", e["description"])
    ev.add("status", "CONFIRMED")
    ev.add("categories", [label])
    ev.add("last-modified", o["modified"])
    cal.add_component(ev)


def render_feed(calname, events, kinds, vtimezone):
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calname)
    cal.add("x-wr-timezone", "Europe/Amsterdam")
    refresh = vDuration(REFRESH)  # icalendar 4 types it as TEXT otherwise
    refresh.params["VALUE"] = "DURATION"
    cal.add("refresh-interval", refresh)
    cal.add("x-published-ttl", vDuration(REFRESH))
    cal.add_component(vtimezone)
    for e in events:
        label = kinds[e["kind"]]["label"]
        add_event(cal, e, label)
        for m in e["moved"]:
            add_event(cal, e, label, m)
    return cal.to_ical()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: ref_icalendar.py DATA_DIR OUT_DIR")
    data = load(os.path.join(sys.argv[1], "events.json"))
    out = sys.argv[2]
    os.makedirs(os.path.join(out, "feeds", "wijk"), exist_ok=True)
    os.makedirs(os.path.join(out, "feeds", "practice"), exist_ok=True)

    public = {}
    for e in data["events"]:
        if e["public"]:
            public.setdefault(e["wijk"], []).append(e)
    for evs in public.values():
        evs.sort(key=lambda e: (e["start"], e["uid"]))

    vtimezone = amsterdam_vtimezone()
    kinds = data["kinds"]
    nfeeds = nbytes = 0
    for w in data["wijken"]:
        evs = public.get(w["slug"], [])
        body = render_feed(f"Wijkagenda {w['name']}", evs, kinds, vtimezone)
        write(os.path.join(out, "feeds", "wijk", w["slug"] + ".ics"), body)
        nfeeds, nbytes = nfeeds + 1, nbytes + len(body)
        for p in w["practices"]:
            body = render_feed(f"Wijkagenda {p['name']}", evs,
                               kinds, vtimezone)
            write(os.path.join(out, "feeds", "practice", p["slug"] + ".ics"),
                  body)
            nfeeds, nbytes = nfeeds + 1, nbytes + len(body)
    print(f"python-icalendar: {nfeeds} feeds, {nbytes} bytes",
          file=sys.stderr)


if __name__ == "__main__":
    main()
