"""Mail without an SMTP server: wijkcald writes each message of the outbox
as an .eml file into the spool directory (beside the database). Checks that
a new event's audience is invited, that restarting queues nothing twice, a
draft and an event whose invitation time has not come send nothing, an edit
sends an update with SEQUENCE+1, a cancellation METHOD:CANCEL, `mail pause`
holds and `mail resume` releases, and `outbox list` shows it all. Commits
that change no feed (`mail pause`, the mailer marking messages sent) keep
the feed cache, while a cancellation reaches the feed within seconds. Every file
is read with Python's email parser (policy.default, no defects; exactly one
From, To, Subject, Date and Message-ID; CRLF only, short lines) and its
calendar part with python3-icalendar (METHOD, UID, SEQUENCE, ATTENDEE,
ORGANIZER)."""
import email
import glob
import os
import re
import time
from email import policy

import icalendar

import wk
import wkd
from wk import check

WAIT = 30  # seconds a message may take (sanitizer builds are slow)


def spool(env):
    return sorted(glob.glob(os.path.join(env.dir, "spool", "*.eml")))


def wait_files(env, count):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and len(spool(env)) < count:
        time.sleep(0.2)
    return spool(env)


def all_defects(msg):
    found = list(msg.defects)
    for part in msg.walk():
        found += part.defects
    return found


def read_eml(path):
    """Checks one file's wire format and MIME; returns (msg, calendar)."""
    raw = open(path, "rb").read()
    name = os.path.basename(path)
    check(not re.search(rb"(?<!\r)\n|\r(?!\n)", raw), f"{name}: bare CR or LF")
    check(max(len(l) for l in raw.split(b"\r\n")) <= 998, f"{name}: line over 998")
    msg = email.message_from_bytes(raw, policy=policy.default)
    check(not all_defects(msg), f"{name}: defects {all_defects(msg)}")
    for h in ("From", "To", "Subject", "Date", "Message-ID"):
        check(len(msg.get_all(h) or []) == 1, f"{name}: {h} not exactly once")
    check(msg["Auto-Submitted"] == "auto-generated", f"{name}: Auto-Submitted")
    check(msg.get_content_type() == "multipart/mixed", f"{name}: {msg.get_content_type()}")
    cal = None
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            method = part.get_param("method")
            cal = icalendar.Calendar.from_ical(part.get_content())
            check(str(cal.get("METHOD")) == method,
                  f"{name}: METHOD {cal.get('METHOD')} vs method={method}")
    check(cal is not None, f"{name}: no text/calendar part")
    return msg, cal


def vevent(cal):
    return [c for c in cal.walk() if c.name == "VEVENT"][0]


def check_message(path, method, uid, seq, to):
    msg, cal = read_eml(path)
    name = os.path.basename(path)
    if cal is None:
        return msg
    ev = vevent(cal)
    check(str(cal["METHOD"]) == method, f"{name}: METHOD {cal['METHOD']}")
    check(str(ev["UID"]) == uid, f"{name}: UID {ev['UID']}")
    check(int(ev["SEQUENCE"]) == seq, f"{name}: SEQUENCE {ev['SEQUENCE']}, want {seq}")
    att = ev.get("ATTENDEE")
    check(str(att).lower() == "mailto:" + to, f"{name}: ATTENDEE {att}")
    if method == "REQUEST":
        check(att.params.get("RSVP") == "TRUE", f"{name}: RSVP {att.params}")
    check(str(ev.get("ORGANIZER")).lower() == "mailto:wijkagenda@example.nl",
          f"{name}: ORGANIZER {ev.get('ORGANIZER')}")
    check(msg["To"].addresses[0].addr_spec == to, f"{name}: To {msg['To']}")
    check(msg["From"].addresses[0].addr_spec == "wijkagenda@example.nl", f"{name}: From")
    return msg


def renders(d):
    """wijkcald_feed_renders_total from /metrics."""
    text = d.get("/metrics")[2].decode()
    m = re.search(r"^wijkcald_feed_renders_total (\d+)$", text, re.M)
    return int(m.group(1)) if m else -1


def recipients(paths):
    return sorted(email.message_from_bytes(open(p, "rb").read(), policy=policy.default)["To"]
                  .addresses[0].addr_spec for p in paths)


def main():
    env = wk.Env()  # WIJKCAL_NOW: 2027-01-01 00:00 UTC
    wk.demo_registry(env)
    # hagro: invited at once; its audience is the huisartsen of noord.
    eid = env.ok("event", "add", "--kind", "hagro", "--wijk", "noord", "--title",
                 "Hagro Noord", "--start", "2027-01-12 12:30", "--duration", "90m",
                 "--location", "De Linde").out.strip()
    env.ok("event", "add", "--kind", "hagro", "--wijk", "noord", "--title", "Concept",
           "--start", "2027-01-19 12:30", "--draft")
    # A wijklunch is invited 6 weeks ahead: not yet on 2027-01-01.
    env.ok("event", "add", "--kind", "wijklunch", "--wijk", "noord", "--title", "Lunch",
           "--start", "2027-04-01 12:00")
    uid = env.ok("--json", "event", "show", eid).json()["uid"]

    d = wkd.Daemon(env)
    files = wait_files(env, 2)
    check(len(files) == 2, f"invitations: {files}\n{d.logtext()}")
    check(recipients(files) == ["anna@linde.nl", "bram@eik.nl"], f"to {recipients(files)}")
    for f in files:
        msg = check_message(f, "REQUEST", uid, 0, recipients([f])[0])
        check(msg["Subject"] == "Uitnodiging: Hagro Noord, dinsdag 12 januari 2027 12:30",
              f"subject {msg['Subject']}")
    ids = {email.message_from_bytes(open(f, "rb").read(), policy=policy.default)["Message-ID"]
           for f in files}
    check(len(ids) == 2, f"Message-IDs {ids}")
    # /metrics shows the queue: both sent, none waiting, not paused.
    deadline = time.monotonic() + 5
    while True:
        status, _, body = d.get("/metrics")
        text = body.decode()
        if 'wijkcald_mail_outbox_messages{status="sent"} 2' in text or \
                time.monotonic() > deadline:
            break
        time.sleep(0.1)
    check(status == 200 and 'wijkcald_mail_outbox_messages{status="sent"} 2\n' in text
          and 'wijkcald_mail_outbox_messages{status="queued"} 0\n' in text
          and "wijkcald_mail_paused 0\n" in text, f"mail in /metrics: {text}")

    # A restart queues nothing again.
    check(d.stop() == 0, "stop")
    d = wkd.Daemon(env)
    time.sleep(3)
    check(len(spool(env)) == 2, f"after restart: {spool(env)}")

    # An edit: an update with SEQUENCE 1 to both.
    env.ok("event", "edit", eid, "--location", "De Eik, Kerkstraat 5")
    files = wait_files(env, 4)
    new = files[2:]
    check(len(new) == 2, f"updates: {files}\n{d.logtext()}")
    for f in new:
        msg = check_message(f, "REQUEST", uid, 1, recipients([f])[0])
        check(msg["Subject"].startswith("Gewijzigd: Hagro Noord"), f"subject {msg['Subject']}")

    # Commits that change no feed (mail pause, the mailer's own) keep the
    # feed cache: the feed is not rendered again.
    feed = "/feeds/wijk/noord.ics"
    check(d.get(feed)[0] == 200, "feed")
    before = renders(d)
    env.ok("mail", "pause")
    time.sleep(1)  # the daemon polls the database every 200 ms
    check(d.get(feed)[0] == 200 and renders(d) == before,
          f"mail pause emptied the feed cache: {before} -> {renders(d)} renders")

    # Paused: nothing leaves, but it is queued; resumed: it goes.
    # A change to an event does empty it: the next GET renders again.
    before = renders(d)
    env.ok("event", "cancel", eid)
    deadline = time.monotonic() + 5
    while renders(d) == before and time.monotonic() < deadline:
        time.sleep(0.1)
        d.get(feed)
    check(renders(d) > before, "a cancellation did not reach the feed within 5 s")
    time.sleep(3)
    check(len(spool(env)) == 4, f"sent while paused: {spool(env)}")
    queued = [r for r in env.ok("--json", "outbox", "list").json() if r["status"] == "queued"]
    check(len(queued) == 2 and all(r["kind"] == "cancel" for r in queued), f"queued {queued}")
    env.ok("mail", "resume")
    files = wait_files(env, 6)
    check(len(files) == 6, f"cancellations: {files}\n{d.logtext()}")
    for f in files[4:]:
        msg = check_message(f, "CANCEL", uid, 2, recipients([f])[0])
        check(msg["Subject"].startswith("Geannuleerd: Hagro Noord"), f"subject {msg['Subject']}")
        check(str(vevent(read_eml(f)[1])["STATUS"]) == "CANCELLED", "STATUS")

    rows = env.ok("--json", "outbox", "list").json()
    check(len(rows) == 6 and all(r["status"] == "sent" for r in rows), f"outbox {rows}")
    time.sleep(1)
    before = renders(d)
    check(d.get(feed)[0] == 200 and renders(d) == before,
          f"sending emptied the feed cache: {before} -> {renders(d)} renders")
    check(env.ok("outbox", "list", "--failed").out.count("\n") <= 1, "failed rows")
    r = env.run("outbox", "retry", str(rows[0]["id"]))
    check(r.code != 0 and "not failed" in r.err, f"retry of a sent message: {r}")

    # The preview prints the message a person would get.
    out = env.ok("mail", "preview", eid, "--person", "anna@linde.nl").out
    check("Subject: Geannuleerd: Hagro Noord" in out, f"preview: {out[:400]}")
    check(d.stop() == 0, "stop")
    if not wk.FAILURES:
        env.close()
    wk.finish()


main()
