"""SMTP with TLS and AUTH against real servers on 127.0.0.1 (aiosmtpd) with
a self-signed certificate made now with the openssl CLI (smtp.ca_file):

- STARTTLS required by the server and AUTH required after it: with the right
  user and password (smtp.password_file, mode 600) the messages arrive;
- a wrong password fails no message: the mailer pauses, and the log,
  `wijkcal outbox list` and /metrics say so; after the password file is
  fixed and wijkcald gets SIGHUP they arrive (smtp.retry_max is long, so
  only the reload can explain it);
- smtp.starttls = "required" against a server without STARTTLS: nothing
  is sent in the clear (the server sees no MAIL FROM) and `outbox list`
  says why;
- smtps:// (implicit TLS) with AUTH delivers too.
No password, right or wrong, ever shows in the log or in /metrics."""
import os
import signal
import ssl
import subprocess
import threading
import time

from aiosmtpd.smtp import AuthResult, LoginPassword

import smtpsink
import wk
import wkd
from wk import check

USER = "agenda"
PASSWORD = "Kl0kkenluider-7f3a9c"
WRONG = "Verkeerd-wachtwoord-51d0"
WAIT = 30


class Sink:
    def __init__(self):
        self.lock = threading.Lock()
        self.got, self.mail_from, self.logins = [], [], []

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.lock:
            self.mail_from.append((address, session.ssl is not None))
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.got.append(list(envelope.rcpt_tos))
        return "250 2.0.0 accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
              and auth_data.password == PASSWORD.encode())
        with self.lock:
            self.logins.append(ok)
        return AuthResult(success=ok, handled=False)


def make_cert(env):
    cert, key = env.path("cert.pem"), env.path("key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return cert, ctx


def setup(url, cert=None, starttls="required", password=PASSWORD, retry_max="10m"):
    env = wk.Env()
    pw = env.write("smtp-password", password + "\n")
    os.chmod(pw, 0o600)
    conf = ('smtp = { url = "%s"; starttls = "%s"; from = "agenda@wijk.example.nl"; '
            'user = "%s"; password_file = "%s"; retry_max = "%s"; rate_limit = 0; %s};\n'
            % (url, starttls, USER, pw, retry_max,
               'ca_file = "%s"; ' % cert if cert else ""))
    env.env["WIJKCAL_CONFIG"] = env.write("wijkcal.conf", conf)
    wk.demo_registry(env)
    env.ok("event", "add", "--kind", "hagro", "--wijk", "noord", "--title", "Hagro Noord",
           "--start", "2027-01-12 12:30")
    return env


def outbox(env):
    return env.ok("--json", "outbox", "list").json()


def wait_for(cond, seconds=WAIT):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.2)
    return cond()


def no_secrets(d, what):
    text = d.logtext() + d.get("/metrics")[2].decode()
    for secret in (PASSWORD, WRONG):
        check(secret not in text, f"{what}: a password in the log or /metrics")


def tls_server(sink, ctx, implicit=False):
    kw = dict(authenticator=sink.authenticate, auth_required=True, auth_require_tls=True)
    if implicit:
        # aiosmtpd 1.4 counts only STARTTLS as TLS for auth_require_tls;
        # here the whole connection is TLS.
        kw["auth_require_tls"] = False
        return smtpsink.start(sink, ssl_context=ctx, **kw)
    return smtpsink.start(sink, tls_context=ctx, require_starttls=True, **kw)


def starttls_and_auth(cert, ctx):
    sink = Sink()
    ctl, port = tls_server(sink, ctx)
    env = setup("smtp://127.0.0.1:%d" % port, cert)
    d = wkd.Daemon(env)
    check(wait_for(lambda: len(sink.got) >= 2), f"STARTTLS: got {sink.got}\n{d.logtext()}")
    check(sorted(r for g in sink.got for r in g) == ["anna@linde.nl", "bram@eik.nl"],
          f"STARTTLS: {sink.got}")
    check(all(tls for _, tls in sink.mail_from), f"MAIL FROM in the clear: {sink.mail_from}")
    check(wait_for(lambda: all(r["status"] == "sent" for r in outbox(env)), 10),
          f"STARTTLS: {outbox(env)}")
    no_secrets(d, "STARTTLS")
    check(d.stop() == 0, "stop")
    ctl.stop()
    return env


def wrong_password_then_sighup(cert, ctx):
    sink = Sink()
    ctl, port = tls_server(sink, ctx)
    env = setup("smtp://127.0.0.1:%d" % port, cert, password=WRONG)
    d = wkd.Daemon(env)
    check(wait_for(lambda: sink.logins and any("paused" in l for l in d.logtext().splitlines())),
          f"wrong password: logins {sink.logins}\n{d.logtext()}")
    time.sleep(1)
    rows = outbox(env)
    check(len(rows) == 2 and all(r["status"] == "queued" for r in rows),
          f"wrong password: a message failed: {rows}")
    check(all("AUTH" in r["error"] and "535" in r["error"] for r in rows),
          f"wrong password: no reason in outbox list: {rows}")
    check(len(sink.logins) == 1 and not sink.logins[0],
          f"wrong password: tried {len(sink.logins)} times")
    body = d.get("/metrics")[2].decode()
    check("wijkcald_mail_paused_by_error 1" in body, "wrong password: not paused in /metrics")
    check("wijkcald_mail_error_info{" in body and "AUTH" in body,
          "wrong password: no reason in /metrics")
    check(not sink.got and not sink.mail_from, f"wrong password: {sink.got}")
    no_secrets(d, "wrong password")
    # The fix: the right password, and a reload.
    with open(env.path("smtp-password"), "w") as f:
        f.write(PASSWORD + "\n")
    d.proc.send_signal(signal.SIGHUP)
    check(wait_for(lambda: len(sink.got) >= 2, 20),
          f"after SIGHUP: got {sink.got}\n{d.logtext()}")
    check(wait_for(lambda: all(r["status"] == "sent" for r in outbox(env)), 10),
          f"after SIGHUP: {outbox(env)}")
    body = d.get("/metrics")[2].decode()
    check("wijkcald_mail_paused_by_error 0" in body, "after SIGHUP: still paused in /metrics")
    no_secrets(d, "after SIGHUP")
    check(d.stop() == 0, "stop")
    ctl.stop()
    return env


def no_starttls_offered():
    sink = Sink()
    ctl, port = smtpsink.start(sink)  # plain, no STARTTLS
    env = setup("smtp://127.0.0.1:%d" % port)
    d = wkd.Daemon(env)
    check(wait_for(lambda: all("STARTTLS" in (r["error"] or "") for r in outbox(env))),
          f"no STARTTLS: {outbox(env)}\n{d.logtext()}")
    rows = outbox(env)
    check(all(r["status"] == "queued" for r in rows), f"no STARTTLS: {rows}")
    check(not sink.mail_from and not sink.got, f"sent in the clear: {sink.mail_from}")
    check("STARTTLS" in d.logtext(), "no STARTTLS: nothing in the log")
    no_secrets(d, "no STARTTLS")
    check(d.stop() == 0, "stop")
    ctl.stop()
    return env


def implicit_tls(cert, ctx):
    sink = Sink()
    ctl, port = tls_server(sink, ctx, implicit=True)
    env = setup("smtps://127.0.0.1:%d" % port, cert)
    d = wkd.Daemon(env)
    check(wait_for(lambda: len(sink.got) >= 2), f"smtps: got {sink.got}\n{d.logtext()}")
    check(sink.logins and all(sink.logins), f"smtps: logins {sink.logins}")
    no_secrets(d, "smtps")
    check(d.stop() == 0, "stop")
    ctl.stop()
    return env


def main():
    certs = wk.Env(init=False)
    cert, ctx = make_cert(certs)
    envs = [starttls_and_auth(cert, ctx), wrong_password_then_sighup(cert, ctx),
            no_starttls_offered(), implicit_tls(cert, ctx)]
    if not wk.FAILURES:
        for env in envs + [certs]:
            env.close()
    wk.finish()


main()
