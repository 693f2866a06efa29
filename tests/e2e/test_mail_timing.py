"""When mail goes, over SMTP: wijkcald delivers to a real SMTP server on
127.0.0.1 (aiosmtpd, no STARTTLS) and is restarted with its clock
(WIJKCAL_NOW) at moments that matter, as a daemon running for weeks would
see them:

  - 2027-01-01: the Hagro (invited at once) is invited, the wijklunch of
    2027-04-01 (invited 6 weeks ahead) is not, no reminder yet;
  - 2027-01-05 13:00 UTC, a week before the Hagro (kinds.hagro.reminders
    = ["7d", "1d"]): the 7-day reminder to the two invited, text only
    (no calendar part), with the time, place, online link and "over 7
    dagen";
  - 2027-01-11 13:00 UTC: the 1-day reminder ("morgen"), and nothing else;
  - 2027-02-19: the wijklunch invitation to the whole wijk, now within its
    6 weeks; no reminder of the Hagro, which is over.

Every message passes tests/e2e/mailcheck.py (wire format, headers, the
calendar parts with python3-icalendar and ical.js); nothing arrives twice."""
import time


import mailcheck
import smtpsink
import wk
import wkd
from wk import check

WAIT = 30
FROM = "agenda@wijk.example.nl"
NOORD = ["anna@linde.nl", "bram@eik.nl", "carla@linde.nl", "kees@welzijn.nl"]


class Sink:
    def __init__(self):
        self.got = []

    async def handle_DATA(self, server, session, envelope):
        self.got.append((envelope.rcpt_tos[0], envelope.original_content))
        return "250 2.0.0 accepted"


def at(env, sink, now, count, label):
    """Runs the daemon at `now` until `count` new messages arrived (and a
    little longer, to see that no more come); returns them as
    [(recipient, parsed message)]."""
    seen = len(sink.got)
    env.env["WIJKCAL_NOW"] = str(now)
    d = wkd.Daemon(env)
    deadline = time.monotonic() + WAIT
    while len(sink.got) < seen + count and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.5)  # a pass more: nothing else may come
    check(d.stop() == 0, f"{label}: daemon stop")
    new = sink.got[seen:]
    check(len(new) == count, f"{label}: {len(new)} message(s), expected {count}: "
          f"{[r for r, _ in new]}\n{d.logtext()[-1500:]}")
    return [(rcpt, mailcheck.check_raw(raw, f"{label} to {rcpt}", smtp_from=FROM))
            for rcpt, raw in new]


def is_reminder(msg, ahead, label):
    """A reminder: Herinnering, text only, with the meeting's details."""
    check(msg["Subject"] == "Herinnering: Hagro Noord, dinsdag 12 januari 2027 12:30",
          f"{label}: subject {msg['Subject']}")
    check(not [p for p in msg.walk() if p.get_content_type() == "text/calendar"],
          f"{label}: a reminder with a calendar part")
    text = mailcheck.text_body(msg) or ""
    for want in (ahead, "De Linde, Hoofdstraat 1", "https://meet.example.nl/hagro",
                 "dinsdag 12 januari 2027 12:30"):
        check(want in text, f"{label}: {want!r} not in the text:\n{text}")


def main():
    sink = Sink()
    ctl, port = smtpsink.start(sink)
    env = wk.Env()
    smtpsink.configure(env, port, "rate_limit = 0;",
                       'kinds = { hagro = { reminders = ["7d", "1d"]; }; };\n', smtp_from=FROM)
    wk.demo_registry(env)
    env.ok("event", "add", "--kind", "hagro", "--wijk", "noord", "--title", "Hagro Noord",
           "--start", "2027-01-12 12:30", "--duration", "90m",
           "--location", "De Linde, Hoofdstraat 1", "--online", "https://meet.example.nl/hagro")
    env.ok("event", "add", "--kind", "wijklunch", "--wijk", "noord", "--title", "Wijklunch",
           "--start", "2027-04-01 12:00", "--location", "Buurthuis De Kring")

    # 2027-01-01 00:00 UTC: the Hagro's invitations only.
    got = at(env, sink, 1798761600, 2, "new year")
    check(sorted(r for r, _ in got) == ["anna@linde.nl", "bram@eik.nl"],
          f"new year: to {sorted(r for r, _ in got)}")
    check(all(m["Subject"].startswith("Uitnodiging: Hagro Noord") for _, m in got),
          f"new year: {[m['Subject'] for _, m in got]}")

    # 2027-01-05 13:00 UTC: a week before (11:30 UTC on the 12th).
    got = at(env, sink, 1799154000, 2, "a week before")
    check(sorted(r for r, _ in got) == ["anna@linde.nl", "bram@eik.nl"],
          f"a week before: to {sorted(r for r, _ in got)}")
    for rcpt, msg in got:
        is_reminder(msg, "over 7 dagen", f"a week before, {rcpt}")

    # 2027-01-11 13:00 UTC: the day before.
    got = at(env, sink, 1799672400, 2, "the day before")
    for rcpt, msg in got:
        is_reminder(msg, "morgen", f"the day before, {rcpt}")

    # 2027-02-19 09:00 UTC: the wijklunch is within its 6 weeks; the whole
    # wijk is invited (its default audience), nothing more of the Hagro.
    got = at(env, sink, 1803027600, len(NOORD), "six weeks before the lunch")
    check(sorted(r for r, _ in got) == NOORD, f"lunch: to {sorted(r for r, _ in got)}")
    check(all(m["Subject"].startswith("Uitnodiging: Wijklunch") for _, m in got),
          f"lunch: {[m['Subject'] for _, m in got]}")

    ids = [m["Message-ID"] for _, raw in sink.got
           for m in [mailcheck.email.message_from_bytes(raw, policy=mailcheck.policy.default)]]
    check(len(ids) == len(set(ids)), "a Message-ID arrived twice")
    rows = env.ok("--json", "outbox", "list").json()
    check(len(rows) == len(sink.got) and all(r["status"] == "sent" for r in rows),
          f"outbox: {[(r['kind'], r['to'], r['status']) for r in rows]}")
    ctl.stop()
    if not wk.FAILURES:
        env.close()
    wk.finish()


main()
