"""wijk, practice, org and person: add, list, show, link and forget, as an
organiser types them; --help, --version and --json."""
import json
import os

import wk
from wk import check

env = wk.Env()
wk.demo_registry(env)

# Lists show what was added, in the table and as JSON.
r = env.ok("wijk", "list")
check("Heuvelland-Noord" in r.out and "noord" in r.out, f"wijk list: {r.out}")
rows = env.ok("--json", "practice", "list", "--wijk", "noord").json()
check([p["slug"] for p in rows] == ["eik", "linde"], f"practice list --wijk: {rows}")
check(rows[1]["address"] == "Hoofdstraat 1, Maastricht", f"address kept: {rows}")
orgs = env.ok("--json", "org", "list").json()
check(orgs == [{"slug": "welzijn-noord", "name": "Welzijn Noord", "kind": "welzijn",
                "wijk": "noord"}], f"org list: {orgs}")

# A vaste waarnemer works in a second practice: link adds an affiliation.
env.ok("person", "link", "anna@linde.nl", "--practice", "eik", "--role", "waarnemer")
anna = env.ok("--json", "person", "show", "anna@linde.nl").json()
check(anna["affiliations"] == [
    {"role": "huisarts", "practice": "linde"},
    {"role": "waarnemer", "practice": "eik"}], f"affiliations: {anna}")
r = env.ok("person", "list")
check("huisarts@linde, waarnemer@eik" in r.out, f"person list table: {r.out}")
# Addresses are matched without regard to case.
r = env.ok("person", "show", "Anna@Linde.NL")
check("anna@linde.nl" in r.out, f"case-insensitive lookup: {r.out}")

# Forget a person (AVG): gone from the registry and from audiences.
eid = env.ok("event", "add", "--kind", "overig", "--wijk", "noord", "--title", "Overleg",
             "--start", "2027-02-01 10:00", "--audience", "person:carla@linde.nl,anna@linde.nl",
             "--audience", "person:carla@linde.nl", "--organizer", "carla@linde.nl").out.strip()
r = env.ok("person", "forget", "carla@linde.nl")
check("forgotten" in r.out, f"forget output: {r.out}")
r = env.run("person", "show", "carla@linde.nl")
check(r.code == wk.EX_DATAERR and "unknown person" in r.err, f"forgotten person: {r}")
ev = env.ok("--json", "event", "show", eid).json()
check(ev["audience"] == ["person:anna@linde.nl"], f"audience after forget: {ev['audience']}")
check(ev["organizer"] is None, f"organizer after forget: {ev}")
dump = "\n".join(__import__("sqlite3").connect(env.db).iterdump())
check("carla" not in dump.lower(), "forgotten address still in the database")

# --help for every noun and verb, and --version.
r = env.ok("--version", db=False)
check(r.out.startswith("wijkcal "), f"--version: {r.out}")
r = env.ok("--help", db=False)
for noun in ["init", "wijk", "practice", "org", "person", "event", "agenda", "import",
             "export", "config"]:
    check(noun in r.out, f"--help lacks {noun}")
    h = env.ok(noun, "--help")
    check("usage" in h.out or noun in h.out, f"{noun} --help: {h.out}")
verbs = {"wijk": ["add", "list"], "practice": ["add", "list"], "org": ["add", "list"],
         "person": ["add", "link", "list", "show", "forget"],
         "event": ["add", "publish", "list", "show", "edit", "cancel", "move"],
         "import": ["practices", "persons", "events"], "export": ["ics"],
         "config": ["check"]}
for noun, vs in verbs.items():
    for v in vs:
        h = env.ok(noun, v, "--help")
        check(h.out.startswith(f"usage: wijkcal {noun} {v}"), f"{noun} {v} --help: {h.out}")
for noun in ["init", "agenda", "backup"]:
    h = env.ok(noun, "--help")
    check(h.out.startswith(f"usage: wijkcal {noun}"), f"{noun} --help: {h.out}")

# init on an existing database is harmless (an upgrade is a no-op).
r = env.ok("init")
check("ready (schema " in r.out, f"init again: {r.out}")

env.close()
wk.finish()
