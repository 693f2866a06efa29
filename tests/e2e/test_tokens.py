"""Private feeds and their tokens, end to end: the URL `wijkcal feed url`
prints opens the feed over HTTP in the real daemon, with exactly the bytes
of `wijkcal export ics --person` / `--wijk S --internal`; revoking it, an
unknown token and a forgotten person's token all get the same 404 as any
unknown path; the key file beside the database is created 0640 and refused
when others may read it; a copy of the database without its key file opens
nothing; no token ever reaches the daemon's log; random guesses get 404
while the daemon stays up; `export ics --all --dir` writes the private
feeds under their token paths and removes revoked ones; an old schema is
refused until `wijkcal init` upgrades it."""
import http.client
import os
import random
import re
import sqlite3
import stat
import subprocess
import time

import wk
import wkd
from wk import check

DAEMON = os.path.join(wk.BIN, "wijkcald")
TOKEN_RE = re.compile(r"^http://127\.0\.0\.1:(\d+)/feeds/private/([a-z2-7]{32})\.ics$")


free_port = wkd.free_port


class Daemon(wkd.Daemon):
    """wijkcald -v (the access log at debug level) on a free port."""

    def __init__(self, env, port):
        super().__init__(env, "-v", port=port)


def export(env, *args):
    out = env.path("export-%d.ics" % len(os.listdir(env.dir)))
    env.ok("export", "ics", *args, "-o", out)
    with open(out, "rb") as f:
        return f.read()


def url_of(env, *feed, verb="url"):
    """Runs `feed url|revoke FEED`; returns (URL path, token)."""
    r = env.ok("feed", verb, *feed)
    m = TOKEN_RE.match(r.out.strip())
    check(m is not None and r.out.count("\n") == 1, f"feed {verb} output: {r}")
    return ("/feeds/private/%s.ics" % m.group(2), m.group(2)) if m else ("/x", "x")


def wait_for(fn, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if fn():
            return True
        time.sleep(0.1)
    return fn()


# ---- the data ----

port = free_port()
env = wk.Env()
conf = env.write("wijkcal.conf", 'http = { base_url = "http://127.0.0.1:%d/"; };\n' % port)
env.env["WIJKCAL_CONFIG"] = conf
wk.demo_registry(env)
E = lambda *a: env.ok("event", "add", *a).out.strip()
E("--kind", "hagro", "--wijk", "noord", "--title", "Hagro Noord (besloten)", "--start", "2027-01-12 12:30",
  "--rrule", "FREQ=MONTHLY;BYDAY=2TU;COUNT=4", "--audience", "wijk:noord role:huisarts")
E("--kind", "wijklunch", "--wijk", "noord", "--title", "Wijklunch Noord", "--start", "2027-01-14 12:00")
E("--kind", "fto", "--wijk", "zuid", "--title", "FTO Zuid", "--start", "2027-02-02 13:00",
  "--audience", "person:anna@linde.nl")
keyfile = env.db + ".key"
check(not os.path.exists(keyfile), "a key file before the first use")

# ---- the key file ----

anna_path, anna_token = url_of(env, "--person", "anna@linde.nl")
st = os.stat(keyfile)
check(stat.S_IMODE(st.st_mode) == 0o640 and st.st_size == 32,
      f"key file mode {oct(st.st_mode)}, size {st.st_size}")
again, _ = url_of(env, "--person", "Anna@Linde.NL")
check(again == anna_path, "feed url is not stable (or depends on the e-mail's case)")
noord_path, noord_token = url_of(env, "--wijk", "noord", "--internal")
check(noord_path != anna_path, "two feeds share a URL")

# Refusals: no change to the database, a message that names the problem.
env.refused(["feed", "url", "--wijk", "noord"], wk.EX_USAGE, "--internal")
env.refused(["feed", "url", "--person", "anna@linde.nl", "--internal"], wk.EX_USAGE, "--internal")
env.refused(["feed", "url"], wk.EX_USAGE, "give one feed")
env.refused(["feed", "url", "--person", "nobody@linde.nl"], wk.EX_DATAERR, "nobody@linde.nl")
env.refused(["feed", "revoke", "--wijk", "west", "--internal"], wk.EX_DATAERR, "west")
env.refused(["feed", "url", "--person", "not-an-address"], wk.EX_USAGE, "--person")

os.chmod(keyfile, 0o644)
r = env.refused(["feed", "url", "--person", "anna@linde.nl"], wk.EX_IOERR, ["key file", "open to others"])
check(r.out == "" and anna_token not in r.err, f"refused key file: {r}")
r = env.run("export", "ics", "--all", "--dir", env.path("site-refused"))
check(r.code != 0 and "open to others" in r.err and not os.path.exists(env.path("site-refused")),
      f"export --all with an open key file: {r}")
os.chmod(keyfile, 0o640)

# ---- the daemon serves the URL with the bytes of export ----

d = Daemon(env, port)
for path, args in [(anna_path, ["--person", "anna@linde.nl"]),
                   (noord_path, ["--wijk", "noord", "--internal"])]:
    status, h, body = d.get(path)
    want = export(env, *args)
    check(status == 200 and body == want, f"GET private {args}: {status}, {len(body)} vs {len(want)} bytes")
    check(h.get("content-type") == "text/calendar; charset=utf-8", f"type: {h}")
    check(h.get("cache-control", "").startswith("private, max-age="), f"Cache-Control: {h}")
    status, hh, empty = d.get(path, method="HEAD")
    check(status == 200 and empty == b"" and hh.get("content-length") == str(len(want)),
          f"HEAD private: {status} {hh}")
    status, _, empty = d.get(path, {"If-None-Match": h.get("etag", "")})
    check(status == 304 and empty == b"", f"If-None-Match on a private feed: {status}")
    s = wk.check_ics(env.write("fetched-%d.ics" % len(os.listdir(env.dir)), body, "wb"))
    check(s is not None, f"private feed {args} does not parse")
status, _, body = d.get(anna_path)
check(b"Hagro Noord" in body and b"FTO Zuid" in body and b"anna@linde.nl" in body,
      "anna's feed lacks her events or her ATTENDEE line")

# Printing a URL again writes nothing: the daemon keeps its cache.
def db_changes():
    m = re.search(rb"^wijkcald_database_changes_total (\d+)$", d.get("/metrics")[2], re.M)
    return int(m.group(1)) if m else -1


# The mailer writes the outbox while it sends the first invitations: wait
# until the count holds still.
before = db_changes()
for _ in range(50):
    time.sleep(0.6)
    if db_changes() == before:
        break
    before = db_changes()
url_of(env, "--person", "anna@linde.nl")
url_of(env, "--wijk", "noord", "--internal")
time.sleep(0.6)  # three polls of the daemon
check(before >= 0 and db_changes() == before, "feed url (again) changed the database")

# A change made with the CLI shows in a private feed, as in the public ones.
E("--kind", "scholing", "--wijk", "noord", "--title", "Scholing voor Anna", "--start", "2027-03-03 19:00",
  "--audience", "person:anna@linde.nl")
want = export(env, "--person", "anna@linde.nl")
check(wait_for(lambda: d.get(anna_path)[2] == want), "a CLI change did not reach the private feed")

# ---- 404s: unknown, malformed, revoked, forgotten; all like any 404 ----

_, same_404, not_found = d.get("/no/such/path")
same_404.pop("date", None)
unknown = "/feeds/private/%s.ics" % ("a" * 32)
for path in [unknown, "/feeds/private/%s.ics" % anna_token.upper(), "/feeds/private/%s.ics" % anna_token[:-1],
             "/feeds/private/%s" % anna_token, "/feeds/private/%s1.ics" % noord_token[:-1]]:
    status, h, body = d.get(path)
    h.pop("date", None)
    check(status == 404 and body == not_found and h == same_404, f"GET {path}: {status} {h} {body!r}")

bram_path, bram_token = url_of(env, "--person", "bram@eik.nl")
check(wait_for(lambda: d.get(bram_path)[0] == 200), "bram's URL does not work")
new_path, new_token = url_of(env, "--person", "bram@eik.nl", verb="revoke")
check(new_path != bram_path, "revoke kept the URL")
check(wait_for(lambda: d.get(bram_path)[0] == 404), "a revoked URL still works")
status, h, body = d.get(bram_path)
h.pop("date", None)
check(status == 404 and body == not_found and h == same_404, f"revoked: {status} {h} {body!r}")
status, _, body = d.get(new_path)
check(status == 200 and body == export(env, "--person", "bram@eik.nl"), f"the new URL: {status}")
again, _ = url_of(env, "--person", "bram@eik.nl")
check(again == new_path, "feed url after revoke does not print the new URL")

carla_path, carla_token = url_of(env, "--person", "carla@linde.nl")
check(wait_for(lambda: d.get(carla_path)[0] == 200), "carla's URL does not work")
env.ok("person", "forget", "carla@linde.nl")
check(wait_for(lambda: d.get(carla_path)[0] == 404), "a forgotten person's URL still works")
con = sqlite3.connect(env.db)
rows = con.execute("SELECT kind, key FROM feed_token WHERE key LIKE '%carla%'").fetchall()
con.close()
check(rows == [], f"token rows of a forgotten person: {rows}")

# ---- guesses ----

rng = random.Random(3)
alphabet = "abcdefghijklmnopqrstuvwxyz234567"
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
statuses = set()
for i in range(300):
    guess = "".join(rng.choice(alphabet) for _ in range(32))
    status, _, body = d.get("/feeds/private/%s.ics" % guess, conn=conn)
    statuses.add((status, body))
conn.close()
check(statuses == {(404, not_found)}, f"guesses: {statuses}")
check(d.proc.poll() is None and d.get("/healthz")[0] == 200, "the daemon is down after the guesses")
status, _, metrics = d.get("/metrics")
check(b'route="private",status="404"' in metrics and b'route="private",status="200"' in metrics,
      "no private route in /metrics")

# ---- the log never holds a token ----

log = d.logtext()
for t in [anna_token, noord_token, bram_token, new_token, carla_token]:
    check(t not in log, f"token {t[:4]}... in the daemon's log")
check("/feeds/private/[token] 200" in log and "/feeds/private/[token] 404" in log,
      f"no redacted access lines in the log:\n{log[-2000:]}")
check(d.stop() == 0, "wijkcald did not stop cleanly")

# ---- the database keeps hashes only; a copy without the key opens nothing ----

with open(env.db, "rb") as f:
    raw = f.read()
for t in [anna_token, noord_token, new_token]:
    check(t.encode() not in raw, "a token is stored in the database")
copy = wk.Env(init=False)
copy.env["WIJKCAL_CONFIG"] = conf
src = sqlite3.connect(env.db)
dst = sqlite3.connect(copy.db)
src.backup(dst)
src.close()
dst.close()
copy_path, copy_token = url_of(copy, "--person", "anna@linde.nl")
check(copy_token != anna_token, "a copy of the database gave the same token without the key")
check(os.path.exists(copy.db + ".key"), "no fresh key file beside the copy")
d = Daemon(env, port)
status, _, body = d.get(copy_path)
check(status == 404 and body == not_found, f"a token made from a copy opens the original: {status}")
status, _, _ = d.get(anna_path)
check(status == 200, "the original URL stopped working")
d.stop()
copy.close()

# ---- export --all --dir: the private feeds under their tokens ----

site = env.path("site")
r = env.ok("export", "ics", "--all", "--dir", site)
check("private feeds" in r.err, f"export --all: {r.err}")
private = os.path.join(site, "feeds", "private")
check(stat.S_IMODE(os.stat(private).st_mode) == 0o711, "feeds/private can be listed by others")
files = sorted(os.listdir(private))
persons = [p["email"] for p in env.ok("--json", "person", "list").json()]
wijken = [w["slug"] for w in env.ok("--json", "wijk", "list").json()]
check(len(files) == len(persons) + len(wijken), f"{len(files)} private files for "
      f"{len(persons)} persons and {len(wijken)} wijken")
for args in [["--person", "anna@linde.nl"], ["--person", "bram@eik.nl"], ["--wijk", "noord", "--internal"],
             ["--wijk", "zuid", "--internal"], ["--person", "zoe@beuk.nl"]]:
    path, token = url_of(env, *(a for a in args))
    f = os.path.join(site, path.lstrip("/"))
    with open(f, "rb") as fh:
        check(os.path.exists(f) and fh.read() == export(env, *args), f"export --all differs for {args}")
# A revoked token's file goes at the next export; other files stay.
old_path, _ = url_of(env, "--person", "zoe@beuk.nl")
url_of(env, "--person", "zoe@beuk.nl", verb="revoke")
with open(os.path.join(private, "README.txt"), "w") as f:
    f.write("not a feed\n")
env.ok("export", "ics", "--all", "--dir", site)
check(not os.path.exists(os.path.join(site, old_path.lstrip("/"))), "a revoked feed stays in the export")
check(os.path.exists(os.path.join(private, "README.txt")), "export removed a file that is not a feed")
check(len(os.listdir(private)) == len(files) + 1, "export --all: wrong number of private files")

# ---- an old schema is refused until init ----

old = wk.Env()
old.env["WIJKCAL_CONFIG"] = conf
old.ok("wijk", "add", "noord", "--name", "Noord")
con = sqlite3.connect(old.db)
con.executescript("DROP TABLE feed_token; DROP INDEX practice_wijk; DROP INDEX org_wijk;"
                  "PRAGMA user_version = 1;")
con.close()
r = old.run("feed", "url", "--wijk", "noord", "--internal")
check(r.code == wk.EX_NOINPUT and "wijkcal init" in r.err, f"old schema: {r}")
r = subprocess.run([DAEMON, "--db", old.db, "--listen", "127.0.0.1:%d" % free_port(), "--foreground"],
                   env=old.env, capture_output=True, text=True, timeout=30)
check(r.returncode != 0 and "wijkcal init" in r.stderr, f"daemon on an old schema: {r.returncode} {r.stderr}")
r = old.ok("init")
check("schema 6" in r.out, f"init: {r.out}")
url_of(old, "--wijk", "noord", "--internal")
old.close()

env.close()
wk.finish()
