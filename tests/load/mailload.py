"""Shared parts of the mail load tests: a registry of many persons made with
the CLI (a CSV import), an SMTP sink that records every message by its
Message-ID, and the daemon's CPU time from /proc."""
import os
import re
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))

import wk  # noqa: E402

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.M | re.I)


def registry(env, persons):
    """Wijk noord, practice linde and `persons` huisartsen there."""
    env.ok("wijk", "add", "noord", "--name", "Heuvelland-Noord")
    env.ok("practice", "add", "linde", "--name", "Huisartsenpraktijk De Linde",
           "--wijk", "noord")
    rows = ["name,email,role,practice"]
    rows += ["Arts %d,arts%d@linde.nl,huisarts,linde" % (i, i) for i in range(persons)]
    env.ok("import", "persons", env.write("persons.csv", "\n".join(rows) + "\n"))


class Sink:
    """Accepts everything; got holds (recipient, Message-ID) per message."""

    def __init__(self):
        self.lock = threading.Lock()
        self.got = []

    async def handle_DATA(self, server, session, envelope):
        m = MESSAGE_ID.search(envelope.original_content)
        with self.lock:
            self.got.append((tuple(envelope.rcpt_tos), m.group(1) if m else None))
        return "250 2.0.0 accepted"

    def unique(self):
        with self.lock:
            return len({mid for _, mid in self.got})


def cpu_seconds(pid):
    """utime + stime of a process, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
