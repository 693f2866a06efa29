"""Header safety: names, titles and locations that try to add a header or a
recipient never do. The CLI refuses CR and LF in them (one message naming
the option, a non-zero exit, the database as it was); values written into
the database by hand (sqlite3) with CR/LF, and values the CLI accepts
(U+2028, U+0085, "%0d%0a", very long titles, non-ASCII names), go through
wijkcald to a real SMTP server on 127.0.0.1 (aiosmtpd). Every received
message passes tests/e2e/mailcheck.py (CRLF only, short lines, no parser
defects, one From/To/Subject/Date/Message-ID, no other headers, From is
smtp.from, Reply-To the organiser, Auto-Submitted, the calendar part read
by python3-icalendar and ical.js); it has exactly one envelope recipient,
the person's own; a name or subject arrives on one line and decodes back
to what was stored (line breaks as spaces); and a message whose recipient
or organiser address holds a line break is not sent but marked failed."""
import re
import sqlite3
import time


import mailcheck
import smtpsink
import wk
import wkd
from wk import check

FROM = "agenda@wijk.example.nl"
ORGANIZER = "secretaris@hagro-noord.nl"
# Seconds for all messages: smtp.rate_limit sends 30 a minute, and
# sanitizer builds are slow.
WAIT = 150

# Persons added with the CLI: address -> name as stored.
NAMES = {
    "ozlem@linde.nl": "Özlem Çelik",
    "zoe@linde.nl": "Zoë de Vries",
    "piet@linde.nl": "Piet\u2028Bcc: evil@x.nl",
    "ria@linde.nl": "Ria\u0085Subject: x",
    "kees@linde.nl": "Kees%0d%0aBcc: evil@x.nl",
    "lang@linde.nl": "Maria " + "van der Heijden-Ëlsinga " * 7 + "Smit",
}
# Names written into the database by hand.
TAMPERED = {
    "jan@linde.nl": "Jan\r\nBcc: evil@x.nl",
    "lies@linde.nl": "\nSubject: x",
}
BAD_EMAIL = "eve@linde.nl\r\nBcc: evil@x.nl"
LONG_TITLE = " ".join(["FTO Heuvelland: antibiotica, één voorschrift per indicatie, "
                       "en de nieuwe NHG-standaard"] * 10)


class Sink:
    def __init__(self):
        self.got = []

    async def handle_DATA(self, server, session, envelope):
        self.got.append((envelope.mail_from, list(envelope.rcpt_tos),
                         envelope.original_content))
        return "250 2.0.0 accepted"


def one_line(s):
    """What the mail path makes of a value for a header: every run of
    control characters, Unicode line separators and spaces one space."""
    return re.sub(r"[\x00-\x20\x7f-\x9f\u2028\u2029]+", " ", s).strip()


def refusals(env):
    """CR/LF at the CLI: refused with one message naming the option."""
    cases = [
        (["person", "add", "--name", "Jan\r\nBcc: evil@x.nl", "--email", "jan2@linde.nl",
          "--role", "huisarts", "--practice", "linde"], "--name"),
        (["person", "add", "--name", "\nSubject: x", "--email", "jan3@linde.nl",
          "--role", "huisarts", "--practice", "linde"], "--name"),
        (["event", "add", "--kind", "hagro", "--wijk", "noord", "--start", "2027-01-20 12:30",
          "--title", "Hagro\r\nBcc: evil@x.nl"], "--title"),
        (["event", "add", "--kind", "hagro", "--wijk", "noord", "--start", "2027-01-20 12:30",
          "--title", "Hagro", "--location", "De Linde\nSubject: x"], "--location"),
    ]
    for args, field in cases:
        before = env.dump()
        r = env.run(*args)
        check(r.code != 0, f"accepted: {r}")
        check(field in r.err and r.err.startswith("wijkcal: "), f"message lacks {field}: {r}")
        check(len(r.err.strip().splitlines()) == 1, f"not one line of error: {r}")
        check(r.out == "", f"output on a refusal: {r}")
        check(env.dump() == before, f"database changed by a refused command: {r}")
    # An address with a line break is refused too; its message quotes the
    # value as it was given, so it is not checked for being one line.
    before = env.dump()
    r = env.run("event", "add", "--kind", "hagro", "--wijk", "noord", "--start",
                "2027-01-20 12:30", "--title", "Hagro", "--organizer",
                "a@b.nl\r\nBcc: evil@x.nl")
    check(r.code != 0 and r.err.startswith("wijkcal: --organizer: "), f"organizer: {r}")
    check(env.dump() == before, f"database changed by a refused command: {r}")


def setup(env):
    env.ok("wijk", "add", "noord", "--name", "Heuvelland-Noord")
    env.ok("practice", "add", "linde", "--name", "Huisartsenpraktijk De Linde",
           "--wijk", "noord")
    for addr, name in NAMES.items():
        env.ok("person", "add", "--name", name, "--email", addr, "--role", "huisarts",
               "--practice", "linde")
    for addr in list(TAMPERED) + ["eve@linde.nl"]:
        env.ok("person", "add", "--name", "Te Veranderen", "--email", addr,
               "--role", "huisarts", "--practice", "linde")
    refusals(env)
    add = ["event", "add", "--kind", "hagro", "--wijk", "noord", "--organizer", ORGANIZER]
    env.ok(*add, "--title", "Hagro\u2028Bcc: evil@x.nl %0d%0a Noord",
           "--start", "2027-01-12 12:30", "--location", "De Linde\u0085Subject: x")
    env.ok(*add, "--title", "Te veranderen", "--start", "2027-01-14 12:30")
    env.ok(*add, "--title", "Organisator kapot", "--start", "2027-01-15 12:30")
    con = sqlite3.connect(env.db)
    with con:
        for addr, name in TAMPERED.items():
            con.execute("UPDATE person SET name = ? WHERE email = ?", (name, addr))
        con.execute("UPDATE person SET email = ? WHERE email = ?", (BAD_EMAIL, "eve@linde.nl"))
        con.execute("UPDATE event SET title = ?, location = ?, description = ? "
                    "WHERE title = 'Te veranderen'",
                    (LONG_TITLE + "\r\nBcc: evil@x.nl", "\nSubject: x",
                     "Regel 1\r\n.\r\nMAIL FROM:<evil@x.nl>"))
        con.execute("UPDATE event SET organizer = ? WHERE title = 'Organisator kapot'",
                    ("org@x.nl\r\nBcc: evil@x.nl",))
    titles = {uid: title for uid, title in con.execute("SELECT uid, title FROM event")}
    con.close()
    return titles


def wait_done(env, total):
    """Waits until the outbox holds `total` rows, each sent or failed."""
    deadline = time.monotonic() + WAIT
    rows = []
    while time.monotonic() < deadline:
        rows = env.ok("--json", "outbox", "list").json()
        if len(rows) == total and all(r["status"] in ("sent", "failed") for r in rows):
            break
        time.sleep(0.5)
    return rows


def check_message(raw, row, title):
    label = f"{row['to']} / {title[:30]!r}"
    msg = mailcheck.check_raw(raw, label, smtp_from=FROM, reply_to=ORGANIZER)
    name = NAMES.get(row["to"]) or TAMPERED.get(row["to"])
    to = mailcheck.mailbox(raw, "To")
    check(to == (one_line(name), row["to"]), f"{label}: To {to}, want {one_line(name)!r}")
    subject = str(msg["Subject"])
    want = "Uitnodiging: " + one_line(title)
    check(subject.startswith(want + ", "), f"{label}: Subject {subject!r}, want {want!r}")
    check(not any(c in subject for c in "\r\n\u2028\u2029\u0085"), f"{label}: Subject {subject!r}")
    if not row["to"].isascii() or not name.isascii():
        head = raw.split(b"\r\n\r\n", 1)[0]
        check(b"=?UTF-8?B?" in head, f"{label}: no RFC 2047 word for a non-ASCII name")
    body = mailcheck.text_body(msg) or ""
    check(("Beste " + one_line(name) + ",") in body, f"{label}: greeting in {body[:200]!r}")


def main():
    sink = Sink()
    ctl, port = smtpsink.start(sink)
    env = wk.Env()
    smtpsink.configure(env, port, smtp_from=FROM)
    titles = setup(env)
    people = len(NAMES) + len(TAMPERED)
    d = wkd.Daemon(env)
    rows = wait_done(env, (people + 1) * len(titles))
    check(d.stop() == 0, "stop")
    ctl.stop()
    broken = [uid for uid, t in titles.items() if t == "Organisator kapot"]
    sent = [r for r in rows if r["status"] == "sent"]
    failed = [r for r in rows if r["status"] == "failed"]
    # Every person but eve gets the two good events; eve's messages and
    # those of the broken organiser fail without reaching the server.
    good = len(titles) - len(broken)
    check(len(sent) == good * people, f"{len(sent)} sent, expected {good * people}: "
          f"{[(r['to'], r['status'], r['error']) for r in rows]}\n{d.logtext()}")
    for r in failed:
        check(r["event"] in broken or r["to"] == BAD_EMAIL, f"failed: {r}")
        check(r["error"], f"failed without a reason: {r}")
    check(len(failed) == people + len(titles), f"{len(failed)} failed: {failed}")
    check(len(sink.got) == len(sent), f"received {len(sink.got)}, sent {len(sent)}")
    by_id = {r["message_id"]: r for r in rows}
    for mail_from, rcpts, raw in sink.got:
        check(mail_from == FROM, f"MAIL FROM {mail_from}")
        mid = raw.split(b"\r\nMessage-ID: ", 1)[-1].split(b"\r\n", 1)[0].decode()
        row = by_id.get(mid)
        check(row is not None, f"a message no outbox row sent: {mid}")
        if row is None:
            continue
        check(rcpts == [row["to"]], f"RCPT {rcpts} for {row['to']}")
        check_message(raw, row, titles[row["event"]])
    everyone = [a for _, rcpts, _ in sink.got for a in rcpts]
    check(not any("evil" in a for a in everyone), f"recipients {everyone}")
    if not wk.FAILURES:
        env.close()
    wk.finish()


main()
