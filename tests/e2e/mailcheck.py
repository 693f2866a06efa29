"""Checks of one raw e-mail as wijkcald sends it (a spool file's bytes or
what an SMTP server received), for every mail test to share. Problems are
recorded with wk.check, named after the message.

check_raw(raw) checks the wire format (CRLF only, lines of at most 998
octets), that Python's email parser (policy.default) finds no defect in
any part or header, exactly one From, To, Subject, Date and Message-ID and
no header outside the set wijkcal writes (so nothing was injected), From
and Reply-To when given, Auto-Submitted, and that every text/calendar part
parses with python3-icalendar and with ical.js, which agree (wk.check_ics).
It returns the parsed message."""
import email
import email.header
import email.utils
import os
import re
import tempfile
from email import policy

import wk
from wk import check

# The headers of a message and of its parts; any other is a fault.
TOP_HEADERS = {"from", "reply-to", "to", "subject", "date", "message-id", "mime-version",
               "auto-submitted", "x-auto-response-suppress", "content-type"}
PART_HEADERS = {"content-type", "content-transfer-encoding", "content-disposition"}
ONCE = ("From", "To", "Subject", "Date", "Message-ID")


def defects(msg):
    """Every defect the parser found: in parts and in header values."""
    found = []
    for part in msg.walk():
        found += [f"{type(d).__name__}" for d in part.defects]
        for name, value in part.items():
            found += [f"{name}: {type(d).__name__}" for d in getattr(value, "defects", ())]
    return found


def addresses(msg, name):
    """The addresses of a header as (display name, address) pairs."""
    value = msg[name]
    if value is None:
        return []
    return [(a.display_name, a.addr_spec) for a in value.addresses]


def mailbox(raw, name):
    """The (display name, address) of a one-mailbox header, decoded as RFC
    2047 says: the space between two encoded-words is dropped. (Python's
    policy.default keeps it in display names, so it is not used here.)"""
    value = email.message_from_bytes(raw)[name]
    if value is None:
        return None
    value = re.sub(r"\r?\n[ \t]", " ", str(value)).strip()
    m = re.fullmatch(r"(.*?)\s*<([^<>]*)>", value)
    if m is None:
        return None
    phrase, addr = m.groups()
    if phrase.startswith('"') and phrase.endswith('"'):
        return re.sub(r"\\(.)", r"\1", phrase[1:-1]), addr
    return str(email.header.make_header(email.header.decode_header(phrase))), addr


def check_wire(raw, label):
    check(not re.search(rb"(?<!\r)\n|\r(?!\n)", raw), f"{label}: bare CR or LF")
    longest = max(len(line) for line in raw.split(b"\r\n"))
    check(longest <= 998, f"{label}: a line of {longest} octets (over 998)")
    head = raw.split(b"\r\n\r\n", 1)[0]
    check(all(b < 0x80 for b in head), f"{label}: 8-bit bytes in the header")


def check_headers(msg, label, smtp_from, reply_to):
    for name in ONCE:
        n = len(msg.get_all(name) or [])
        check(n == 1, f"{label}: {name} {n} times, expected once")
    extra = {k.lower() for k in msg.keys()} - TOP_HEADERS
    check(not extra, f"{label}: unexpected headers {sorted(extra)}")
    for part in list(msg.walk())[1:]:
        extra = {k.lower() for k in part.keys()} - PART_HEADERS
        check(not extra, f"{label}: unexpected part headers {sorted(extra)}")
    check(msg["Auto-Submitted"] == "auto-generated", f"{label}: Auto-Submitted")
    for name in ("From", "To", "Reply-To"):
        n = len(addresses(msg, name))
        check(n <= 1, f"{label}: {n} addresses in {name}")
    if smtp_from is not None:
        got = [a for _, a in addresses(msg, "From")]
        check(got == [smtp_from], f"{label}: From {got}, expected {smtp_from}")
    if reply_to is not None:
        got = [a for _, a in addresses(msg, "Reply-To")]
        check(got == [reply_to], f"{label}: Reply-To {got}, expected {reply_to}")


def check_calendars(msg, label):
    """Every text/calendar part through both iCalendar readers."""
    for part in msg.walk():
        if part.get_content_type() != "text/calendar":
            continue
        fd, path = tempfile.mkstemp(suffix=".ics")
        with os.fdopen(fd, "wb") as f:
            f.write(part.get_payload(decode=True))
        summary = wk.check_ics(path)
        check(summary is not None, f"{label}: its calendar part is refused")
        if summary is not None:
            method = summary.get("calendar", {}).get("method")
            if method is not None:
                check(method == part.get_param("method"),
                      f"{label}: METHOD {method} vs method={part.get_param('method')}")
        os.unlink(path)


def check_raw(raw, label="message", smtp_from=None, reply_to=None):
    """All checks on one message's bytes; returns the parsed message."""
    check_wire(raw, label)
    msg = email.message_from_bytes(raw, policy=policy.default)
    found = defects(msg)
    check(not found, f"{label}: defects {found}")
    check_headers(msg, label, smtp_from, reply_to)
    check_calendars(msg, label)
    return msg


def text_body(msg):
    """The plain-text body, decoded."""
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            return part.get_content()
    return None


def html_body(msg):
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            return part.get_content()
    return None
