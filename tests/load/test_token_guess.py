"""100,000 random guesses at private feed tokens: not one opens a feed, and
every answer is byte-for-byte the 404 of an unknown path, as are the
answers for a revoked token and a forgotten person's token. The guesses go
over four keep-alive connections, bounded in count and in time."""
import base64
import http.client
import os
import threading
import time

import hostile  # noqa: F401  (puts tests/e2e on the path)
from hostile import check, wk, wkd

GUESSES = 100_000
CONNECTIONS = 4
TIME_LIMIT_S = 300

env = wk.Env()
wk.demo_registry(env)
env.ok("event", "add", "--kind", "hagro", "--wijk", "noord", "--title", "Hagro Noord",
       "--start", "2027-01-12 12:30")
live = env.ok("feed", "url", "--person", "anna@linde.nl").out.strip()
revoked = env.ok("feed", "url", "--person", "bram@eik.nl").out.strip()
env.ok("feed", "revoke", "--person", "bram@eik.nl")
forgotten = env.ok("feed", "url", "--person", "carla@linde.nl").out.strip()
env.ok("person", "forget", "carla@linde.nl")
path_of = lambda url: url[url.index("/feeds/"):]

d = wkd.Daemon(env)


def answer(conn, path):
    conn.request("GET", path)
    r = conn.getresponse()
    headers = {k.lower(): v for k, v in r.getheaders() if k.lower() != "date"}
    return r.status, headers, r.read()


conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
reference = answer(conn, "/no/such/path")
check(reference[0] == 404, f"unknown path: {reference[0]}")
check(answer(conn, path_of(live))[0] == 200, "the live token does not open its feed")
for name, url in [("revoked", revoked), ("forgotten", forgotten)]:
    check(answer(conn, path_of(url)) == reference, f"the {name} token's answer differs")
conn.close()

counts = {"hits": 0, "other": 0, "done": 0}
lock = threading.Lock()
deadline = time.monotonic() + TIME_LIMIT_S


def guesser(n):
    c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
    hits = other = done = 0
    for _ in range(n):
        if time.monotonic() > deadline:
            break
        token = base64.b32encode(os.urandom(20)).decode().lower()
        got = answer(c, f"/feeds/private/{token}.ics")
        done += 1
        if got[0] == 200:
            hits += 1
        elif got != reference:
            other += 1
    c.close()
    with lock:
        counts["hits"] += hits
        counts["other"] += other
        counts["done"] += done


t0 = time.monotonic()
threads = [threading.Thread(target=guesser, args=(GUESSES // CONNECTIONS,))
           for _ in range(CONNECTIONS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.monotonic() - t0
print(f"{counts['done']} guesses in {elapsed:.1f} s: {counts['hits']} hits, "
      f"{counts['other']} answers unlike the reference 404")
check(counts["done"] == GUESSES, f"only {counts['done']} guesses within {TIME_LIMIT_S} s")
check(counts["hits"] == 0, f"{counts['hits']} guesses opened a feed")
check(counts["other"] == 0, f"{counts['other']} answers differ from the reference 404")
check(d.get("/healthz")[0] == 200, "the daemon is unwell after the guesses")
check(d.stop() == 0, "wijkcald did not stop cleanly")
env.close()
wk.finish()
