"""Shared helpers for the end-to-end tests: run the real `wijkcal` binary in
a private directory and check what a user sees (stdout, stderr, exit status,
the files it writes, and that a refused command leaves the database as it
was)."""
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

BIN = os.environ.get("WIJKCAL_BIN", os.path.join(os.path.dirname(__file__), "../../build"))
SRC = os.environ.get("WIJKCAL_SRC", os.path.join(os.path.dirname(__file__), "../.."))
TOOLS = os.path.join(SRC, "tests", "tools")

# sysexits.h
EX_OK, EX_USAGE, EX_DATAERR, EX_NOINPUT = 0, 64, 65, 66
EX_CANTCREAT, EX_IOERR, EX_TEMPFAIL, EX_CONFIG = 73, 74, 75, 78

FAILURES = []


class Result:
    def __init__(self, argv, proc):
        self.argv = argv
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return f"{' '.join(self.argv)} -> {self.code}\nstdout: {self.out}\nstderr: {self.err}"


class Env:
    """A private directory with a database; run() calls wijkcal on it."""

    def __init__(self, init=True):
        self.dir = tempfile.mkdtemp(prefix="wijkcal-e2e-")
        self.db = os.path.join(self.dir, "wijkcal.db")
        # No system config may leak into a test; a fixed clock keeps
        # DTSTAMPs reproducible.
        self.env = dict(os.environ, WIJKCAL_CONFIG=os.path.join(self.dir, "none.conf"),
                        WIJKCAL_NOW="1798761600", TZ="UTC")
        with open(self.env["WIJKCAL_CONFIG"], "w") as f:
            f.write("# empty: built-in defaults\n")
        if init:
            self.ok("init")

    def run(self, *args, stdin=None, db=True, extra_env=None):
        argv = [os.path.join(BIN, "wijkcal")]
        if db:
            argv += ["--db", self.db]
        argv += [str(a) for a in args]
        env = dict(self.env, **(extra_env or {}))
        proc = subprocess.run(argv, input=stdin, capture_output=True, text=True,
                              env=env, cwd=self.dir, timeout=120)
        return Result(argv, proc)

    def ok(self, *args, **kw):
        r = self.run(*args, **kw)
        if r.code != 0:
            raise AssertionError(f"command failed: {r}")
        return r

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data, mode="w"):
        p = self.path(name)
        with open(p, mode) as f:
            f.write(data)
        return p

    def dump(self):
        """A fingerprint of the database's whole content."""
        con = sqlite3.connect(self.db)
        try:
            text = "\n".join(con.iterdump())
        finally:
            con.close()
        return hashlib.sha256(text.encode()).hexdigest()

    def refused(self, args, code, *needles):
        """Runs a command that must be refused: the exit status, one message
        on stderr naming the field, nothing on stdout, the database as it
        was."""
        before = self.dump()
        r = self.run(*args)
        check(r.code == code, f"exit {r.code}, expected {code}: {r}")
        for n in [x for n in needles for x in (n if isinstance(n, list) else [n])]:
            check(n in r.err, f"stderr lacks {n!r}: {r}")
        check(r.err.startswith("wijkcal: "), f"message not prefixed: {r}")
        check(self.dump() == before, f"database changed by refused command: {r}")
        return r

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def check(cond, msg):
    if not cond:
        FAILURES.append(msg)
        print("FAIL:", msg, file=sys.stderr)


def demo_registry(env):
    """A small wijk with two practices, a partner and a few persons."""
    env.ok("wijk", "add", "noord", "--name", "Heuvelland-Noord")
    env.ok("wijk", "add", "zuid", "--name", "Heuvelland-Zuid")
    env.ok("practice", "add", "linde", "--name", "Huisartsenpraktijk De Linde",
           "--wijk", "noord", "--address", "Hoofdstraat 1, Maastricht")
    env.ok("practice", "add", "eik", "--name", "Huisartsenpraktijk De Eik", "--wijk", "noord")
    env.ok("practice", "add", "beuk", "--name", "Praktijk De Beuk", "--wijk", "zuid")
    env.ok("org", "add", "welzijn-noord", "--name", "Welzijn Noord", "--kind", "welzijn",
           "--wijk", "noord")
    env.ok("person", "add", "--name", "Anna de Vries", "--email", "anna@linde.nl",
           "--role", "huisarts", "--practice", "linde")
    env.ok("person", "add", "--name", "Bram Peters", "--email", "bram@eik.nl",
           "--role", "huisarts", "--practice", "eik")
    env.ok("person", "add", "--name", "Carla Smeets", "--email", "carla@linde.nl",
           "--role", "poh", "--practice", "linde")
    env.ok("person", "add", "--name", "Kees Jansen", "--email", "kees@welzijn.nl",
           "--role", "partner", "--org", "welzijn-noord")
    env.ok("person", "add", "--name", "Zoë Dijkstra", "--email", "zoe@beuk.nl",
           "--role", "huisarts", "--practice", "beuk")


def check_ics(path):
    """Parses a feed with python3-icalendar (tests/tools/check_ics.py) and
    with ical.js; both must accept it and agree. Returns the summary."""
    py = subprocess.run(["/usr/bin/python3", os.path.join(TOOLS, "check_ics.py"), path],
                        capture_output=True, text=True, timeout=120)
    check(py.returncode == 0, f"python3-icalendar rejects {path}: {py.stderr}")
    js = subprocess.run(["node", os.path.join(TOOLS, "icaljs_parse.mjs"), path],
                        capture_output=True, text=True, timeout=120)
    check(js.returncode == 0, f"ical.js rejects {path}: {js.stderr}")
    if py.returncode or js.returncode:
        return None
    a, b = json.loads(py.stdout), json.loads(js.stdout)
    if a != b:
        ea, eb = a.get("events", []), b.get("events", [])
        diffs = [(x, y) for x, y in zip(ea, eb) if x != y][:2]
        diffs = [{k: (x.get(k), y.get(k)) for k in set(x) | set(y) if x.get(k) != y.get(k)}
                 for x, y in diffs]
        check(False, f"python3-icalendar and ical.js disagree on {path}: "
              f"{len(ea)} vs {len(eb)} events; first differences (icalendar, ical.js): {diffs}; "
              f"calendar: {a.get('calendar')} vs {b.get('calendar')}")
    return a


def finish():
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("all checks passed")
    sys.exit(0)
