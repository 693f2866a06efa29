"""Mail over SMTP: wijkcald with smtp.url set delivers each invitation to a
real SMTP server on 127.0.0.1 (aiosmtpd), one recipient per transaction,
MAIL FROM smtp.from. A recipient the server refuses with 550 is marked
failed with the server's reply after exactly one attempt, and the others
are delivered; so is one whose message is refused after its data (554); nothing goes to the spool directory. A 451 is retried (after
30 seconds less jitter, on the real clock) and then delivered; with no
server listening, messages stay queued with the reason and are not failed,
and the first refused connection holds the others back. A reminder held
back past the start of its occurrence expires unsent. Each received message
parses with Python's email (policy.default, no defects, CRLF only) and its
calendar part with python3-icalendar."""
import email
import os
import re
import time
from email import policy

import icalendar

import smtpsink
import wk
import wkd
from wk import check

WAIT = 30


class Sink:
    """Accepts everyone but bram@eik.nl (550)."""

    def __init__(self):
        self.got = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == "bram@eik.nl":
            return "550 5.1.1 <bram@eik.nl>: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.got.append((envelope.mail_from, list(envelope.rcpt_tos),
                         envelope.original_content))
        return "250 2.0.0 accepted"


def outbox(env):
    return {r["to"]: r for r in env.ok("--json", "outbox", "list").json()}


class Busy:
    """Answers 451 to the first RCPT of each address, then accepts."""

    def __init__(self):
        self.seen, self.got = set(), []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address not in self.seen:
            self.seen.add(address)
            return "451 4.7.1 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.got.append(list(envelope.rcpt_tos))
        return "250 2.0.0 accepted"


class Spam:
    """Takes every recipient, then refuses bram's message after its data
    (the final reply, as a content filter would)."""

    def __init__(self):
        self.got, self.tries = [], []

    async def handle_DATA(self, server, session, envelope):
        self.tries.append(list(envelope.rcpt_tos))
        if envelope.rcpt_tos == ["bram@eik.nl"]:
            # A multi-line reply, one line far longer than what is kept.
            return ("554-5.7.1 message refused as spam\r\n554-5.7.1 %s\r\n"
                    "554 5.7.1 see https://postmaster.example.nl/spam" % ("x" * 600))
        self.got.append(list(envelope.rcpt_tos))
        return "250 2.0.0 accepted"


def smtp_env(port, real_clock=False):
    env = wk.Env()
    if real_clock:
        del env.env["WIJKCAL_NOW"]
    smtpsink.configure(env, port)
    wk.demo_registry(env)
    env.ok("event", "add", "--kind", "hagro", "--wijk", "noord", "--title", "Hagro Noord",
           "--start", "2027-01-12 12:30")
    return env


def retried_after_451():
    sink = Busy()
    ctl, port = smtpsink.start(sink)
    env = smtp_env(port, real_clock=True)
    d = wkd.Daemon(env)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and len(sink.got) < 2:
        time.sleep(0.5)
    rows = outbox(env)
    check(sorted(r[0] for r in sink.got) == ["anna@linde.nl", "bram@eik.nl"],
          f"after 451: {sink.got}\n{d.logtext()}")
    check(all(r["status"] == "sent" and r["attempts"] == 2 for r in rows.values()),
          f"after 451: {rows}")
    check(d.stop() == 0, "stop")
    ctl.stop()
    if not wk.FAILURES:
        env.close()


def refused_after_data():
    """A 554 to the final dot fails that recipient with the server's reply,
    after one attempt; the other is delivered."""
    sink = Spam()
    ctl, port = smtpsink.start(sink)
    env = smtp_env(port)
    d = wkd.Daemon(env)
    rows = settle(env, lambda rows: len(rows) == 2 and all(
        r["status"] in ("sent", "failed") for r in rows), "refused after the data")
    by = {r["to"]: r for r in rows}
    check(by["anna@linde.nl"]["status"] == "sent", f"anna: {by}")
    bram = by["bram@eik.nl"]
    # The lines of the reply joined, cut to a few hundred bytes.
    err = bram["error"] or ""
    check(bram["status"] == "failed" and bram["attempts"] == 1
          and "554-5.7.1 message refused as spam 5.7.1 xxxx" in err
          and len(err) < 500, f"bram: {bram}\n{d.logtext()}")
    check(sink.got == [["anna@linde.nl"]] and len(sink.tries) == 2,
          f"after the data: got {sink.got}, tries {sink.tries}")
    check("paused" not in d.logtext(), f"paused by a refused message: {d.logtext()}")
    check(d.stop() == 0, "stop")
    ctl.stop()
    if not wk.FAILURES:
        env.close()


def no_server():
    env = smtp_env(wkd.free_port())
    d = wkd.Daemon(env)
    time.sleep(2)
    rows = outbox(env)
    # One connection attempt holds the whole queue: one row counts it, and
    # every row shows why it waits.
    check(len(rows) == 2 and all(r["status"] == "queued" and "onnect" in r["error"]
                                 for r in rows.values())
          and sorted(r["attempts"] for r in rows.values()) == [0, 1],
          f"no server: {rows}")
    check("next try in" in d.logtext(), f"no server: {d.logtext()}")
    check(d.stop() == 0, "stop")
    if not wk.FAILURES:
        env.close()


def settle(env, cond, what):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and not cond(env.ok("--json", "outbox", "list").json()):
        time.sleep(0.2)
    rows = env.ok("--json", "outbox", "list").json()
    check(cond(rows), f"{what}: {rows}")
    return rows


def expired_not_sent_late():
    """Held back by an outage, a reminder expires at the start of its
    occurrence and is never sent late."""
    port = wkd.free_port()
    env = smtp_env(port)

    def done(rows):
        return rows and all(r["status"] in ("sent", "failed") for r in rows)

    def reminders_wait(rows):
        rem = [r for r in rows if r["kind"] == "reminder"]
        return rem and all(r["status"] == "queued" and r["error"] for r in rem)

    sink = Sink()
    ctl, _ = smtpsink.start(sink, port)
    d = wkd.Daemon(env)  # 2027-01-01: the invitations go
    settle(env, done, "invitations")
    check(d.stop() == 0, "stop")
    ctl.stop()
    env.env["WIJKCAL_NOW"] = "1799668800"  # 2027-01-11 12:00 UTC: reminder due
    d = wkd.Daemon(env)  # and no server
    settle(env, reminders_wait, "reminders in an outage")
    check(d.stop() == 0, "stop")
    sink = Sink()
    ctl, _ = smtpsink.start(sink, port)
    env.env["WIJKCAL_NOW"] = "1799755200"  # 2027-01-12 12:00 UTC: began 11:30
    d = wkd.Daemon(env)
    rows = settle(env, lambda rows: all(r["status"] == "expired" for r in rows
                                        if r["kind"] == "reminder"), "after the start")
    time.sleep(1)
    check(not sink.got, f"sent late: {sink.got}")
    check(all("expired" in r["error"] for r in rows if r["kind"] == "reminder"),
          f"reason: {rows}")
    check(d.stop() == 0, "stop")
    ctl.stop()
    if not wk.FAILURES:
        env.close()


def main():
    sink = Sink()
    ctl, port = smtpsink.start(sink)
    env = wk.Env()
    smtpsink.configure(env, port)
    wk.demo_registry(env)
    env.ok("event", "add", "--kind", "hagro", "--wijk", "noord", "--title", "Hagro Noord",
           "--start", "2027-01-12 12:30", "--location", "De Linde")
    d = wkd.Daemon(env)
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        rows = outbox(env)
        if all(r["status"] in ("sent", "failed") for r in rows.values()) and len(rows) == 2:
            break
        time.sleep(0.2)
    rows = outbox(env)
    check(rows.get("anna@linde.nl", {}).get("status") == "sent", f"anna: {rows}\n{d.logtext()}")
    bram = rows.get("bram@eik.nl", {})
    # The server's own reply, text included, is what the organiser reads.
    check(bram.get("status") == "failed"
          and "550 5.1.1 <bram@eik.nl>: no such user" in bram.get("error", "")
          and bram.get("attempts") == 1, f"bram: {bram}")
    failed = env.ok("--json", "outbox", "list", "--failed").json()
    check([r["to"] for r in failed] == ["bram@eik.nl"], f"--failed: {failed}")
    check(len(sink.got) == 1, f"received {len(sink.got)} messages")
    for mail_from, rcpts, raw in sink.got:
        check(mail_from == "agenda@wijk.example.nl", f"MAIL FROM {mail_from}")
        check(rcpts == ["anna@linde.nl"], f"RCPT {rcpts}")
        check(not re.search(rb"(?<!\r)\n|\r(?!\n)", raw), "bare CR or LF")
        msg = email.message_from_bytes(raw, policy=policy.default)
        defects = [x for part in msg.walk() for x in part.defects]
        check(not defects, f"defects {defects}")
        for h in ("From", "To", "Subject", "Date", "Message-ID"):
            check(len(msg.get_all(h) or []) == 1, f"{h} not exactly once")
        cals = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
        check(len(cals) == 1, "one text/calendar part")
        if cals:
            cal = icalendar.Calendar.from_ical(cals[0].get_content())
            check(str(cal["METHOD"]) == "REQUEST" == cals[0].get_param("method"), "METHOD")
    check(not os.path.exists(env.path("spool")), "a spool directory with SMTP configured")
    check(d.stop() == 0, "stop")
    ctl.stop()
    if not wk.FAILURES:
        env.close()
    refused_after_data()
    no_server()
    expired_not_sent_late()
    retried_after_451()
    wk.finish()


main()
