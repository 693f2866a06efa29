#!/usr/bin/python3
"""Checks a sample of exported feeds against the reference feeds.

    /usr/bin/python3 bench/check_feeds.py REF_DIR TEST_DIR [--sample N]

For a deterministic sample of N wijk feeds and N practice feeds (all of them
when there are fewer), TEST_DIR/feeds/{wijk,practice}/SLUG.ics must exist,
parse with python3-icalendar, be a METHOD:PUBLISH calendar with a VTIMEZONE
for every TZID it uses, carry no e-mail address (public feeds), and expand
(python3-recurring-ical-events, over 2027) to the same occurrences as the
reference feed in REF_DIR: same UID, start, end and summary. Prints one line
per problem and a summary; exits 1 if there was any problem.
"""

import argparse
import datetime as dt
import os
import sys

import icalendar
import recurring_ical_events

SPAN = (dt.date(2027, 1, 1), dt.date(2028, 1, 1))


def sample(names, n):
    names = sorted(names)
    if len(names) <= n:
        return names
    step = len(names) / n
    return [names[int(i * step)] for i in range(n)]


def occurrences(cal):
    out = set()
    for ev in recurring_ical_events.of(cal).between(*SPAN):
        start = ev["DTSTART"].dt
        end = (ev["DTEND"].dt if "DTEND" in ev else
               start + ev["DURATION"].dt)
        out.add((str(ev["UID"]), start.astimezone(dt.timezone.utc),
                 end.astimezone(dt.timezone.utc), str(ev["SUMMARY"])))
    return out


def check(ref_path, test_path):
    """Returns a list of problems with one feed."""
    if not os.path.exists(test_path):
        return ["missing"]
    raw = open(test_path, "rb").read()
    try:
        cal = icalendar.Calendar.from_ical(raw)
    except Exception as e:  # any parse error is a finding
        return [f"does not parse: {e}"]
    problems = []
    if str(cal.get("METHOD", "")).upper() != "PUBLISH":
        problems.append("no METHOD:PUBLISH")
    tzids = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    used = set()
    for ev in cal.walk("VEVENT"):
        for prop in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            if prop in ev and "TZID" in ev[prop].params:
                used.add(ev[prop].params["TZID"])
    if used - tzids:
        problems.append(f"no VTIMEZONE for {', '.join(sorted(used - tzids))}")
    if b"mailto:" in raw.lower() or b"ORGANIZER" in raw or b"ATTENDEE" in raw:
        problems.append("carries e-mail addresses (ORGANIZER/ATTENDEE)")
    ref = icalendar.Calendar.from_ical(open(ref_path, "rb").read())
    want = occurrences(ref)
    try:
        got = occurrences(cal)
    except Exception as e:
        return problems + [f"does not expand: {e!r}"]
    if want != got:
        missing, extra = sorted(want - got), sorted(got - want)
        problems.append(f"occurrences differ: {len(missing)} missing "
                        f"(first {missing[:1]}), {len(extra)} extra "
                        f"(first {extra[:1]})")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ref_dir")
    ap.add_argument("test_dir")
    ap.add_argument("--sample", type=int, default=25)
    args = ap.parse_args()

    nfiles = nbad = 0
    for kind in ("wijk", "practice"):
        ref = os.path.join(args.ref_dir, "feeds", kind)
        for name in sample(os.listdir(ref), args.sample):
            nfiles += 1
            problems = check(os.path.join(ref, name),
                             os.path.join(args.test_dir, "feeds", kind, name))
            for p in problems:
                print(f"feeds/{kind}/{name}: {p}")
            nbad += bool(problems)
    print(f"check_feeds: {nfiles - nbad} of {nfiles} sampled feeds parse and "
          f"match the reference")
    return 1 if nbad else 0


if __name__ == "__main__":
    sys.exit(main())
