"""A server that refuses our MAIL FROM (550) is a configuration error, not
a failed recipient: wijkcald fails no message, pauses the mailer and says
why in its log, in `wijkcal outbox list` and in /metrics, tries again after
smtp.retry_max (not sooner), and delivers everything once the server
accepts, each message once, all over one connection (counted by the EHLOs
the server sees). A server that never answers holds the queue after
smtp.timeout, tried over one connection, not one per message."""
import socket
import threading
import time


import smtpsink
import wk
import wkd
from wk import check

CAP = 6  # smtp.retry_max in seconds
PERSONS = 10


class Picky:
    """Refuses MAIL FROM while `refuse` is set; counts connections."""

    def __init__(self):
        self.refuse = True
        self.lock = threading.Lock()
        self.ehlo, self.mail_tries, self.got = 0, [], []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.ehlo += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.lock:
            self.mail_tries.append(time.monotonic())
        if self.refuse:
            return "550 5.7.1 <%s>: sender not allowed from this host" % address
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.got.append(list(envelope.rcpt_tos))
        return "250 2.0.0 accepted"


def outbox(env):
    return env.ok("--json", "outbox", "list").json()


def metric(d, name):
    body = d.get("/metrics")[2].decode()
    for line in body.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return line
    return ""


def wait_for(cond, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.2)
    return cond()


def silent_server():
    """A server that accepts the connection and never answers: after
    smtp.timeout the whole queue waits (one connection, not one per
    message), with the reason, and nothing fails."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []

    def accept():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    env = wk.Env()
    smtpsink.configure(env, listener.getsockname()[1],
                       'timeout = "5s"; retry_min = "60s"; rate_limit = 0;')
    wk.demo_registry(env)
    env.ok("event", "add", "--kind", "hagro", "--wijk", "noord", "--title", "Hagro Noord",
           "--start", "2027-01-12 12:30")
    d = wkd.Daemon(env)
    check(wait_for(lambda: all(r["error"] for r in outbox(env)), 30),
          f"silent server: {outbox(env)}\n{d.logtext()}")
    time.sleep(2)
    rows = outbox(env)
    check(len(rows) == 2 and all(r["status"] == "queued" and "timed out" in r["error"]
                                 for r in rows),
          f"silent server: {rows}")
    check(len(accepted) == 1, f"silent server: {len(accepted)} connections")
    check(d.stop() == 0, "stop")
    listener.close()
    for c in accepted:
        c.close()
    if not wk.FAILURES:
        env.close()


def main():
    sink = Picky()
    ctl, port = smtpsink.start(sink)
    env = wk.Env()
    smtpsink.configure(env, port, 'retry_min = "1s"; retry_max = "%ds"; rate_limit = 0;' % CAP)
    wk.demo_registry(env)
    for i in range(PERSONS - 2):  # anna and bram are the other two
        env.ok("person", "add", "--name", "Arts %d" % i, "--email", "arts%d@linde.nl" % i,
               "--role", "huisarts", "--practice", "linde")
    env.ok("event", "add", "--kind", "hagro", "--wijk", "noord", "--title", "Hagro Noord",
           "--start", "2027-01-12 12:30")
    d = wkd.Daemon(env)

    # Refused: two tries of MAIL FROM, the second after the cap (less
    # at most a quarter of jitter), and no more in between.
    check(wait_for(lambda: len(sink.mail_tries) >= 2, CAP + 20),
          f"tries of MAIL FROM: {sink.mail_tries}\n{d.logtext()}")
    if len(sink.mail_tries) >= 2:
        gap = sink.mail_tries[1] - sink.mail_tries[0]
        check(0.75 * CAP - 0.5 <= gap <= CAP + 6, f"retried after {gap:.1f} s, cap {CAP} s")
        print(f"paused: second MAIL FROM {gap:.1f} s after the first (cap {CAP} s)")
    rows = outbox(env)
    check(len(rows) == PERSONS, f"outbox: {rows}")
    check(all(r["status"] == "queued" for r in rows), f"a message failed: {rows}")
    check(all("550 5.7.1" in r["error"] and "sender not allowed" in r["error"]
              and "MAIL FROM" in r["error"] for r in rows),
          f"no reason in outbox list: {rows}")
    check(sum(r["attempts"] for r in rows) <= len(sink.mail_tries),
          f"attempts {[r['attempts'] for r in rows]} for {len(sink.mail_tries)} tries")
    log = d.logtext()
    check("paused" in log and "550" in log, f"log: {log}")
    check(metric(d, "wijkcald_mail_paused_by_error") == "wijkcald_mail_paused_by_error 1",
          f"metrics: {metric(d, 'wijkcald_mail_paused_by_error')!r}")
    info = metric(d, "wijkcald_mail_error_info")
    check("550" in info and "MAIL FROM" in info, f"error info: {info!r}")
    check(not sink.got, f"delivered while refused: {sink.got}")

    # Accepted: everything within one cap, once each, over one connection.
    with sink.lock:
        sink.refuse = False
        ehlo_before = sink.ehlo
    t0 = time.monotonic()
    check(wait_for(lambda: len(sink.got) >= PERSONS, CAP + 20),
          f"after the server accepts: {len(sink.got)} of {PERSONS}\n{d.logtext()}")
    took = time.monotonic() - t0
    time.sleep(1)
    rcpts = sorted(r for got in sink.got for r in got)
    check(len(rcpts) == PERSONS and len(set(rcpts)) == PERSONS, f"received {rcpts}")
    connections = sink.ehlo - ehlo_before
    check(connections == 1, f"{connections} connections for one batch of {PERSONS}")
    print(f"delivered {len(rcpts)} messages {took:.1f} s after the server accepted, "
          f"over {connections} connection(s)")
    rows = outbox(env)
    check(all(r["status"] == "sent" for r in rows), f"after: {rows}")
    check(metric(d, "wijkcald_mail_paused_by_error") == "wijkcald_mail_paused_by_error 0",
          "still paused in /metrics")
    check(metric(d, "wijkcald_mail_sent_total") == "wijkcald_mail_sent_total %d" % PERSONS,
          f"sent_total: {metric(d, 'wijkcald_mail_sent_total')!r}")
    check(metric(d, "wijkcald_mail_failed_total") == "wijkcald_mail_failed_total 0",
          "failed_total")
    check("takes mail again" in d.logtext(), "no log line for the end of the pause")
    check(d.stop() == 0, "stop")
    ctl.stop()
    if not wk.FAILURES:
        env.close()
    silent_server()
    wk.finish()


main()
