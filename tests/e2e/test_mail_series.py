"""The whole life of a series, as its audience receives it over SMTP: wijkcald
delivers to a real SMTP server on 127.0.0.1 (aiosmtpd, no STARTTLS), and the
CLI changes the series step by step:

  1. a weekly series with an audience: a REQUEST (SEQUENCE 0) to each;
  2. a new title: a REQUEST with SEQUENCE 1 to each;
  3. one occurrence moved: a REQUEST for its RECURRENCE-ID, new DTSTART and
     DTEND, SEQUENCE 2;
  4. one occurrence cancelled: a CANCEL for its RECURRENCE-ID, STATUS
     CANCELLED, SEQUENCE 3;
  5. a person joins: to them alone an invitation with the series as it
     stands (RRULE, the EXDATE, the moved occurrence as its own VEVENT);
  6. they leave (the audience changes): a CANCEL to them alone;
  7. they come back: the invitation again;
  8. `event edit --no-notify` and a `--draft` event: nothing;
  9. the series cancelled under `mail pause`: the CANCELs wait, queued,
     until `mail resume`, then go (SEQUENCE 4, with the --no-notify text)
     to everyone invited.

Every text/calendar part is read by python3-icalendar and by ical.js
(tests/tools, which must agree and find a VTIMEZONE for every TZID), and
checked: METHOD equals the MIME method= parameter, UID, SEQUENCE,
RECURRENCE-ID, ATTENDEE the recipient (RSVP=TRUE on a request), ORGANIZER,
times in Europe/Amsterdam. The daemon notices each change within a second,
so the test waits for the mail it expects (bounded) and never sleeps a fixed
time; nothing extra may arrive by the time the next step's mail has.
"""
import email
import time
from email import policy

import icalendar

import smtpsink
import wk
import wkd
from wk import check

WAIT = 30  # seconds a step's mail may take (sanitizer builds are slow)
TZ = "+01:00[Europe/Amsterdam]"
ORGANIZER = "wijkagenda@example.nl"


class Sink:
    def __init__(self):
        self.got = []  # (recipient, raw bytes)

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            self.got.append((rcpt, envelope.original_content))
        return "250 2.0.0 accepted"


def at(day, hm):
    return "2027-01-%02dT%s:00%s" % (day, hm, TZ)


class Series:
    """The test's state: the environment, daemon, sink and what has been
    read so far."""

    def __init__(self, env, daemon, sink):
        self.env, self.d, self.sink = env, daemon, sink
        self.seen = 0
        self.files = 0

    def wait(self, count, step):
        """The next `count` messages (bounded wait): {recipient: raw}."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and len(self.sink.got) < self.seen + count:
            time.sleep(0.05)
        new = self.sink.got[self.seen:]
        self.seen = len(self.sink.got)
        check(len(new) == count,
              f"{step}: {len(new)} message(s), expected {count}: "
              f"{[r for r, _ in new]}\n{self.d.logtext()[-2000:]}")
        got = {}
        for rcpt, raw in new:
            check(rcpt not in got, f"{step}: two messages to {rcpt}")
            got[rcpt] = raw
        return got

    def calendar(self, raw, rcpt, step):
        """Checks the MIME and both parsers; returns (method, icalendar
        Calendar, the summary both parsers agree on)."""
        msg = email.message_from_bytes(raw, policy=policy.default)
        check(not [d for p in msg.walk() for d in p.defects], f"{step}: MIME defects")
        check(msg["To"].addresses[0].addr_spec == rcpt, f"{step}: To {msg['To']}")
        parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
        check(len(parts) == 1, f"{step}: {len(parts)} text/calendar parts in the mail to {rcpt}")
        if not parts:
            return None, None, None
        part = parts[0]
        data = part.get_payload(decode=True)
        self.files += 1
        path = self.env.write("msg-%02d.ics" % self.files, data, "wb")
        summary = wk.check_ics(path)
        cal = icalendar.Calendar.from_ical(data)
        method = part.get_param("method")
        check(str(cal.get("METHOD")) == method,
              f"{step}: METHOD {cal.get('METHOD')} but method={method} to {rcpt}")
        if summary:
            check(summary["calendar"]["method"] == method, f"{step}: ical.js METHOD")
            check(summary["calendar"]["timezones"] == ["Europe/Amsterdam"],
                  f"{step}: VTIMEZONE {summary['calendar']['timezones']}")
        self.people(cal, method, rcpt, step)
        return method, cal, summary

    def people(self, cal, method, rcpt, step):
        """ORGANIZER, and the recipient as the one ATTENDEE of each VEVENT
        (RSVP=TRUE on a request)."""
        for ev in cal.walk("VEVENT"):
            org = str(ev.get("ORGANIZER", "")).lower()
            check(org == "mailto:" + ORGANIZER, f"{step}: ORGANIZER {org}")
            att = ev.get("ATTENDEE")
            check(att is not None and not isinstance(att, list)
                  and str(att).lower() == "mailto:" + rcpt,
                  f"{step}: ATTENDEE {att} to {rcpt}")
            if att is not None and not isinstance(att, list):
                rsvp = att.params.get("RSVP")
                check(rsvp == ("TRUE" if method == "REQUEST" else None),
                      f"{step}: RSVP {rsvp} on a {method}")

    def expect(self, got, step, method, events):
        """Each message: its method and VEVENTs; events is a list of dicts
        of the summary keys expected, one per VEVENT, in the parsers'
        order (UID, then RECURRENCE-ID)."""
        for rcpt, raw in sorted(got.items()):
            m, cal, summary = self.calendar(raw, rcpt, step)
            check(m == method, f"{step}: method {m} to {rcpt}, expected {method}")
            if summary is None:
                continue
            evs = summary["events"]
            check(len(evs) == len(events),
                  f"{step}: {len(evs)} VEVENT(s) to {rcpt}, expected {len(events)}: {evs}")
            for ev, want in zip(evs, events):
                for key, value in want.items():
                    check(ev.get(key) == value,
                          f"{step}: {key} {ev.get(key)!r} to {rcpt}, expected {value!r}")


def main():
    sink = Sink()
    ctl, port = smtpsink.start(sink)
    env = wk.Env()  # WIJKCAL_NOW: 2027-01-01 00:00 UTC, before the series
    smtpsink.configure(env, port)
    wk.demo_registry(env)
    huisartsen = "wijk:noord role:huisarts"  # anna and bram
    d = wkd.Daemon(env)
    s = Series(env, d, sink)
    try:
        life(env, s, huisartsen)
    finally:
        check(d.stop() == 0, "daemon stop")
        ctl.stop()
    if not wk.FAILURES:
        env.close()
    wk.finish()


def life(env, s, huisartsen):
    both = ["anna@linde.nl", "bram@eik.nl"]
    eid = env.ok("event", "add", "--kind", "hagro", "--wijk", "noord", "--title",
                 "Hagro Noord", "--start", "2027-01-12 12:30", "--duration", "90m",
                 "--rrule", "FREQ=WEEKLY;COUNT=6", "--location", "De Linde",
                 "--audience", huisartsen).out.strip()
    uid = env.ok("--json", "event", "show", eid).json()["uid"]
    master = {"uid": uid, "recurrence_id": None, "rrule": "FREQ=WEEKLY;COUNT=6",
              "dtstart": at(12, "12:30"), "dtend": at(12, "14:00")}

    # 1. Invited: the series, SEQUENCE 0.
    got = s.wait(2, "invite")
    check(sorted(got) == both, f"invite: to {sorted(got)}")
    s.expect(got, "invite", "REQUEST",
             [dict(master, sequence=0, summary="Hagro Noord", status="CONFIRMED")])

    # 2. A new title: SEQUENCE 1, the whole series again.
    env.ok("event", "edit", eid, "--title", "Hagro Noord-Oost")
    got = s.wait(2, "edit")
    check(sorted(got) == both, f"edit: to {sorted(got)}")
    s.expect(got, "edit", "REQUEST",
             [dict(master, sequence=1, summary="Hagro Noord-Oost", exdates=[])])

    # 3. The second occurrence moves to Wednesday 14:00: a REQUEST for it.
    env.ok("event", "move", eid, "--occurrence", "2027-01-19", "--start", "2027-01-20 14:00")
    moved = {"uid": uid, "recurrence_id": at(19, "12:30"), "dtstart": at(20, "14:00"),
             "dtend": at(20, "15:30"), "sequence": 2, "rrule": None,
             "summary": "Hagro Noord-Oost", "status": "CONFIRMED"}
    got = s.wait(2, "move")
    check(sorted(got) == both, f"move: to {sorted(got)}")
    s.expect(got, "move", "REQUEST", [moved])

    # 4. The third is cancelled: a CANCEL for it.
    env.ok("event", "cancel", eid, "--occurrence", "2027-01-26")
    got = s.wait(2, "cancel occurrence")
    check(sorted(got) == both, f"cancel occurrence: to {sorted(got)}")
    s.expect(got, "cancel occurrence", "CANCEL",
             [{"uid": uid, "recurrence_id": at(26, "12:30"), "dtstart": at(26, "12:30"),
               "sequence": 3, "status": "CANCELLED", "rrule": None}])

    # 5. Dirk joins the audience: the series as it stands, to him alone.
    env.ok("person", "add", "--name", "Dirk Vos", "--email", "dirk@eik.nl",
           "--role", "huisarts", "--practice", "eik")
    standing = [dict(master, sequence=1, summary="Hagro Noord-Oost",
                     exdates=[at(26, "12:30")], status="CONFIRMED"), moved]
    got = s.wait(1, "join")
    check(list(got) == ["dirk@eik.nl"], f"join: to {list(got)}")
    s.expect(got, "join", "REQUEST", standing)

    # 6. The audience leaves him out: a CANCEL to him alone.
    env.ok("event", "edit", eid, "--audience", "person:anna@linde.nl",
           "--audience", "person:bram@eik.nl")
    got = s.wait(1, "leave")
    check(list(got) == ["dirk@eik.nl"], f"leave: to {list(got)}")
    s.expect(got, "leave", "CANCEL",
             [dict(master, sequence=1, status="CANCELLED"),
              dict(moved, status="CANCELLED")])

    # 7. And takes him back: invited again.
    env.ok("event", "edit", eid, "--audience", huisartsen)
    got = s.wait(1, "back")
    check(list(got) == ["dirk@eik.nl"], f"back: to {list(got)}")
    s.expect(got, "back", "REQUEST", standing)

    # 8. A typo fixed without mail, and a draft: nothing is sent (checked
    # with the next step: the planner has seen both by then).
    r = env.ok("event", "edit", eid, "--no-notify", "--title", "Hagro Noord-Oost (zaal 2)")
    check("sequence 1, nobody mailed" in r.out, f"--no-notify: {r.out}")
    shown = env.ok("--json", "event", "show", eid).json()
    check(shown["title"] == "Hagro Noord-Oost (zaal 2)" and shown["sequence"] == 1,
          f"--no-notify: {shown}")
    env.ok("event", "add", "--kind", "hagro", "--wijk", "noord", "--title", "Concept",
           "--start", "2027-02-02 12:30", "--audience", huisartsen, "--draft")
    r = env.run("event", "add", "--kind", "hagro", "--wijk", "noord", "--title", "X",
                "--start", "2027-02-02 12:30", "--no-notify")
    check(r.code == wk.EX_USAGE and "--no-notify" in r.err, f"add --no-notify: {r}")

    # 9. The series is cancelled while the organiser holds all mail: the
    # CANCELs are queued but not sent until `mail resume`; then they go to
    # the three invited, SEQUENCE 4, showing the text fixed without mail.
    env.ok("mail", "pause")
    env.ok("event", "cancel", eid)
    deadline = time.monotonic() + WAIT
    held = []
    while time.monotonic() < deadline and len(held) < 3:
        held = [r for r in env.ok("--json", "outbox", "list").json()
                if r["kind"] == "cancel" and not r["occurrence"] and r["status"] == "queued"]
        time.sleep(0.2)
    time.sleep(2)  # a paused mailer that sent anyway would have done so by now
    check(len(held) == 3 and len(s.sink.got) == s.seen,
          f"mail pause: {len(held)} CANCELs queued, {len(s.sink.got) - s.seen} sent")
    env.ok("mail", "resume")
    got = s.wait(3, "cancel series")
    check(sorted(got) == ["anna@linde.nl", "bram@eik.nl", "dirk@eik.nl"],
          f"cancel series: to {sorted(got)}")
    s.expect({k: v for k, v in got.items() if k != "dirk@eik.nl"}, "cancel series", "CANCEL",
             [dict(master, sequence=4, status="CANCELLED",
                   summary="Hagro Noord-Oost (zaal 2)", exdates=[at(26, "12:30")]),
              dict(moved, sequence=4, status="CANCELLED",
                   summary="Hagro Noord-Oost (zaal 2)")])

    rows = env.ok("--json", "outbox", "list").json()
    check(len(rows) == s.seen and all(r["status"] == "sent" for r in rows),
          f"outbox: {len(rows)} rows, {s.seen} received: "
          f"{[(r['kind'], r['to'], r['status']) for r in rows]}")
    check(all(r["event"] == uid for r in rows), "mail about another event (the draft?)")
    kinds = sorted((r["kind"], r["occurrence"], r["to"]) for r in rows)
    check(kinds.count(("update", "2027-01-19 12:30", "anna@linde.nl")) == 1
          and kinds.count(("cancel", "2027-01-26 12:30", "bram@eik.nl")) == 1
          and kinds.count(("invite", "", "dirk@eik.nl")) == 2
          and kinds.count(("cancel", "", "dirk@eik.nl")) == 2, f"outbox rows: {kinds}")


main()
