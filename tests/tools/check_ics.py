#!/usr/bin/python3
"""check_ics.py FILE.ics: read an iCalendar file with python3-icalendar.

Checks the structure first (CRLF line endings, lines of at most 75 octets,
folds that never split a UTF-8 character, a VTIMEZONE for every TZID used
and one that agrees with the IANA zone of that name), then prints a JSON
summary of the calendar and its events to stdout. Exits 1 with a message on
stderr on a parse problem or a structural violation, 2 on bad usage.

The summary has the same keys and value formats as icaljs_parse.mjs prints,
so the two can be compared directly:
  times: "2027-01-12" (date), "2027-01-12T11:30:00Z" (UTC),
         "2027-01-12T12:30:00" (floating),
         "2027-01-12T12:30:00+01:00[Europe/Amsterdam]" (with TZID);
  rrule: FREQ first, then the other parts in alphabetical order, without
         INTERVAL=1 and WKST=MO, UNTIL as 20271231T230000Z or 20271231.
Run it with Debian's /usr/bin/python3, which has python3-icalendar.
"""

import datetime
import json
import re
import sys

import pytz
from icalendar import Calendar


class Problem(Exception):
    pass


# ---- structure, on the raw bytes ----

def physical_lines(data):
    """Splits on CRLF; a bare LF or CR anywhere is a violation."""
    if not data.endswith(b"\r\n"):
        raise Problem("the file does not end with CRLF")
    lines = data[:-2].split(b"\r\n")
    for no, line in enumerate(lines, 1):
        if b"\n" in line:
            raise Problem("line %d: bare LF (lines must end with CRLF)" % no)
        if b"\r" in line:
            raise Problem("line %d: bare CR" % no)
    return lines


def check_lines(lines):
    for no, line in enumerate(lines, 1):
        if len(line) > 75:
            raise Problem("line %d: %d octets, more than 75" %
                          (no, len(line)))
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            raise Problem("line %d: a fold splits a UTF-8 character (or "
                          "the line is not UTF-8)" % no)


def unfold(lines):
    out = []
    for line in lines:
        if line[:1] in (b" ", b"\t") and out:
            out[-1] += line[1:]
        else:
            out.append(line)
    return [l.decode("utf-8") for l in out]


def name_and_params(line):
    """The part of a content line before the value: up to the first colon
    outside a quoted parameter value."""
    quoted = False
    for i, c in enumerate(line):
        if c == '"':
            quoted = not quoted
        elif c == ":" and not quoted:
            return line[:i]
    return line


TZID_PARAM = re.compile(r';TZID=("[^"]*"|[^;]*)', re.IGNORECASE)


def check_timezones(logical):
    """Every TZID parameter needs a VTIMEZONE with that TZID."""
    used, defined = set(), set()
    for line in logical:
        for m in TZID_PARAM.finditer(name_and_params(line)):
            used.add(m.group(1).strip('"'))
        if line.upper().startswith("TZID:"):
            defined.add(line[5:])
    missing = sorted(used - defined)
    if missing:
        raise Problem("no VTIMEZONE for TZID %s" % ", ".join(missing))
    return sorted(defined)


# ---- values ----

def iso_time(dt, tzid=None):
    if isinstance(dt, datetime.datetime):
        base = dt.strftime("%Y-%m-%dT%H:%M:%S")
        if dt.tzinfo is None:
            return base
        if dt.tzinfo is pytz.utc or (tzid is None and
                                     dt.utcoffset() == datetime.timedelta(0)):
            return base + "Z"
        off = int(dt.utcoffset().total_seconds()) // 60
        sign = "+" if off >= 0 else "-"
        off = abs(off)
        return "%s%s%02d:%02d[%s]" % (base, sign, off // 60, off % 60, tzid)
    if isinstance(dt, datetime.date):
        return dt.strftime("%Y-%m-%d")
    raise Problem("expected a date or date-time, got %r" % (dt,))


def prop_time(prop):
    if prop is None:
        return None
    return iso_time(prop.dt, prop.params.get("TZID"))


def until_text(dt):
    if isinstance(dt, datetime.datetime):
        s = dt.strftime("%Y%m%dT%H%M%S")
        return s + "Z" if dt.tzinfo is not None else s
    return dt.strftime("%Y%m%d")


def rrule_text(rrule):
    if rrule is None:
        return None
    parts = {}
    for key, values in rrule.items():
        key = key.upper()
        if not isinstance(values, list):
            values = [values]
        if key == "UNTIL":
            vals = [until_text(v) for v in values]
        elif key in ("BYDAY", "WKST"):
            vals = [str(v).upper().lstrip("+") for v in values]
        else:
            vals = [str(v).upper() for v in values]
        if (key, vals) in (("INTERVAL", ["1"]), ("WKST", ["MO"])):
            continue
        parts[key] = ",".join(vals)
    keys = ["FREQ"] + sorted(k for k in parts if k != "FREQ")
    return ";".join("%s=%s" % (k, parts[k]) for k in keys if k in parts)


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def exdates(event):
    out = []
    for prop in as_list(event.get("EXDATE")):
        tzid = prop.params.get("TZID")
        out.extend(iso_time(d.dt, tzid) for d in prop.dts)
    return sorted(out)


def rfc6868(text):
    """Parameter values may carry ^' ^n ^^ (RFC 6868), which
    python3-icalendar 4.0.3 leaves as they are and ical.js decodes."""
    if text is None:
        return None
    return re.sub(r"\^(['n^])",
                  lambda m: {"'": '"', "n": "\n", "^": "^"}[m.group(1)],
                  str(text))


def mailto(value):
    s = str(value)
    return s[7:] if s.lower().startswith("mailto:") else s


def person(prop, with_role):
    out = {"email": mailto(prop), "cn": rfc6868(prop.params.get("CN"))}
    if with_role:
        out["role"] = prop.params.get("ROLE")
        out["partstat"] = prop.params.get("PARTSTAT")
    return out


def text(event, name):
    value = event.get(name)
    return None if value is None else str(value)


def categories(event):
    out = []
    for prop in as_list(event.get("CATEGORIES")):
        out.extend(str(c) for c in getattr(prop, "cats", [prop]))
    return out


def alarms(event):
    out = []
    for alarm in event.walk("VALARM"):
        trigger = alarm.get("TRIGGER")
        seconds = None
        if trigger is not None and isinstance(trigger.dt, datetime.timedelta):
            seconds = int(trigger.dt.total_seconds())
        out.append({"action": text(alarm, "ACTION"),
                    "trigger_seconds": seconds})
    return out


def summarise(event):
    if event.errors:
        raise Problem("VEVENT %s: %s" % (event.get("UID"), event.errors))
    if event.get("UID") is None or event.get("DTSTART") is None:
        raise Problem("a VEVENT without UID or DTSTART")
    org = event.get("ORGANIZER")
    return {
        "uid": str(event["UID"]),
        "recurrence_id": prop_time(event.get("RECURRENCE-ID")),
        "summary": text(event, "SUMMARY"),
        "location": text(event, "LOCATION"),
        "description": text(event, "DESCRIPTION"),
        "dtstart": prop_time(event.get("DTSTART")),
        "dtend": prop_time(event.get("DTEND")),
        "sequence": int(event.get("SEQUENCE", 0)),
        "status": text(event, "STATUS"),
        "categories": categories(event),
        "url": text(event, "URL"),
        "rrule": rrule_text(event.get("RRULE")),
        "exdates": exdates(event),
        "organizer": None if org is None else person(org, False),
        "attendees": [person(a, True)
                      for a in as_list(event.get("ATTENDEE"))],
        "alarms": alarms(event),
    }


def check_zone_offsets(cal, events):
    """The file's VTIMEZONE must give the offsets of the IANA zone of the
    same name (as far as pytz-style expansion reaches, up to 2037)."""
    zones = {}
    for vtz in cal.walk("VTIMEZONE"):
        tzid = str(vtz["TZID"])
        if tzid in pytz.all_timezones:
            zones[tzid] = (vtz.to_tz(), pytz.timezone(tzid))
    for ev in events:
        values = [ev["dtstart"], ev["dtend"], ev["recurrence_id"]]
        for value in values + ev["exdates"]:
            m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)"
                         r"[+-]\d\d:\d\d\[(.*)\]$", value or "")
            if not m or m.group(7) not in zones or int(m.group(1)) > 2037:
                continue
            naive = datetime.datetime(*map(int, m.groups()[:6]))
            own, iana = zones[m.group(7)]
            a = own.localize(naive).utcoffset()
            b = iana.localize(naive).utcoffset()
            if a != b:
                raise Problem("VTIMEZONE %s gives %s at %s, the IANA zone "
                              "%s" % (m.group(7), a, naive, b))


def sort_key(ev):
    return (ev["uid"], ev["recurrence_id"] or "")


def check(path):
    with open(path, "rb") as f:
        data = f.read()
    lines = physical_lines(data)
    check_lines(lines)
    tzids = check_timezones(unfold(lines))
    try:
        cal = Calendar.from_ical(data)
    except Exception as e:  # python3-icalendar raises ValueError and more
        raise Problem("python3-icalendar cannot parse it: %s" % e)
    if cal.name != "VCALENDAR":
        raise Problem("the top component is %s, not VCALENDAR" % cal.name)
    if cal.errors:
        raise Problem("VCALENDAR: %s" % cal.errors)
    events = sorted((summarise(e) for e in cal.walk("VEVENT")), key=sort_key)
    check_zone_offsets(cal, events)
    name = cal.get("X-WR-CALNAME")
    return {
        "calendar": {
            "name": None if name is None else str(name),
            "method": text(cal, "METHOD"),
            "timezones": tzids,
        },
        "events": events,
    }


def main(argv):
    if len(argv) != 2:
        print("usage: check_ics.py FILE.ics", file=sys.stderr)
        return 2
    try:
        summary = check(argv[1])
    except (Problem, OSError) as e:
        print("check_ics.py: %s: %s" % (argv[1], e), file=sys.stderr)
        return 1
    except Exception as e:  # python3-icalendar choking on a value
        print("check_ics.py: %s: cannot read it: %s: %s" %
              (argv[1], type(e).__name__, e), file=sys.stderr)
        return 1
    json.dump(summary, sys.stdout, ensure_ascii=False, indent=1,
              sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
