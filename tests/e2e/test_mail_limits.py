"""Two limits of delivery, over SMTP to a real server on 127.0.0.1
(aiosmtpd, no STARTTLS):

  - smtp.rate_limit = 60 (a minute): four invitations arrive about a second
    apart, not at once, and all within a few seconds more than that; a
    change made while they go (`event edit --no-notify`, a new place) is in
    every message sent after it, though the batch was built ahead;
  - smtp.give_up_after (the default, 2 days): a message the server answers
    451 waits to be tried again, and once it has waited longer than that
    (the daemon restarted with its clock 3 days on) it fails with its last
    reason, is not tried again, and `outbox list --failed` shows it;
    `wijkcal outbox retry ID` then sends it once the mailbox takes mail.
"""
import email
import time
from email import policy

import icalendar

import smtpsink
import wk
import wkd
from wk import check

WAIT = 30
NOORD = ["anna@linde.nl", "bram@eik.nl", "carla@linde.nl", "kees@welzijn.nl"]


class Sink:
    """Accepts everyone but the addresses in `busy` (451)."""

    def __init__(self):
        self.got, self.raw, self.busy, self.refused = [], [], set(), 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.busy:
            self.refused += 1
            return "451 4.3.0 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.got.append((time.monotonic(), envelope.rcpt_tos[0]))
        self.raw.append(envelope.original_content)
        return "250 2.0.0 accepted"


def wait_for(cond, seconds=WAIT):
    deadline = time.monotonic() + seconds
    while not cond() and time.monotonic() < deadline:
        time.sleep(0.05)
    return cond()


def location(raw):
    """The LOCATION of a message's text/calendar part."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            cal = icalendar.Calendar.from_ical(part.get_content())
            return str(next(iter(cal.walk("VEVENT")))["LOCATION"])
    return None


def main():
    sink = Sink()
    ctl, port = smtpsink.start(sink)
    env = wk.Env()  # WIJKCAL_NOW: 2027-01-01 00:00 UTC
    smtpsink.configure(env, port, 'rate_limit = 60; retry_min = "1s";')
    wk.demo_registry(env)

    # The rate limit: four invitations, one a second.
    hagro = env.ok("event", "add", "--kind", "hagro", "--wijk", "noord", "--title",
                   "Hagro Noord", "--start", "2027-01-12 12:30", "--audience", "wijk:noord",
                   "--location", "De Linde").out.strip()
    d = wkd.Daemon(env)
    # A new place while the four go: each message sent after the change
    # has it (the rest of the batch is built again).
    check(wait_for(lambda: len(sink.got) >= 1), "rate limit: nothing arrived")
    env.ok("event", "edit", hagro, "--location", "De Eik", "--no-notify")
    edited = time.monotonic()
    check(wait_for(lambda: len(sink.got) == 4), f"rate limit: {len(sink.got)} of 4 arrived")
    late = [location(raw) for (t, _), raw in zip(sink.got, sink.raw) if t > edited + 0.2]
    check(late and all(loc == "De Eik" for loc in late),
          f"sent after the change: locations {late}")
    check(location(sink.raw[0]) == "De Linde", f"first: {location(sink.raw[0])}")
    times = [t for t, _ in sink.got]
    gaps = [round(b - a, 2) for a, b in zip(times, times[1:])]
    check(sorted(r for _, r in sink.got) == NOORD, f"rate limit: to {sink.got}")
    check(gaps and min(gaps) >= 0.8, f"rate limit 60 a minute, but arrivals {gaps} s apart")
    check(gaps and sum(gaps) <= 6, f"rate limit: too slow, {gaps} s apart")

    # Giving up: the server answers 451 for anna's next message.
    sink.busy.add("anna@linde.nl")
    env.ok("event", "add", "--kind", "fto", "--wijk", "noord", "--title", "FTO Noord",
           "--start", "2027-01-20 12:30", "--audience", "person:anna@linde.nl")
    def waiting():
        return [r for r in env.ok("--json", "outbox", "list").json()
                if r["to"] == "anna@linde.nl" and r["status"] == "queued" and r["error"]]
    # The clock stands still (WIJKCAL_NOW), so the retry waits its turn.
    check(wait_for(lambda: sink.refused >= 1 and waiting()), f"give up: {sink.refused} tries")
    rows = waiting()
    check(len(rows) == 1 and "451" in rows[0]["error"] and rows[0]["attempts"] == 1,
          f"give up: waiting row {rows}")
    check(d.stop() == 0, "daemon stop")

    tries = sink.refused
    env.env["WIJKCAL_NOW"] = str(1798761600 + 3 * 86400)  # 3 days on
    d = wkd.Daemon(env)
    def failed_rows():
        return env.ok("--json", "outbox", "list", "--failed").json()
    check(wait_for(failed_rows), "give up: nothing failed after 3 days")
    failed = failed_rows()
    check(len(failed) == 1 and failed[0]["to"] == "anna@linde.nl"
          and "451" in (failed[0]["error"] or ""), f"give up: failed rows {failed}")
    time.sleep(1)
    check(sink.refused == tries, "give up: tried again after giving up")
    check(len(sink.got) == 4, f"give up: delivered anyway: {sink.got}")

    # The organiser asks for it again once the mailbox takes mail: it goes.
    sink.busy.clear()
    if failed:
        env.ok("outbox", "retry", str(failed[0]["id"]))
    check(wait_for(lambda: len(sink.got) == 5), "outbox retry: not delivered")
    check(sink.got[-1][1] == "anna@linde.nl", f"outbox retry: to {sink.got[-1:]}")
    check(not failed_rows(), f"outbox retry: still failed {failed_rows()}")
    check(d.stop() == 0, "daemon stop")
    ctl.stop()
    if not wk.FAILURES:
        env.close()
    wk.finish()


main()
