"""The agenda pages as a person sees them: wijkcald serves demo-like data
(loaded with the CLI, the clock pinned to 1 January 2027) and headless
Chromium (Debian's chromium) opens "/", /wijk/noord and a private page at a
phone's width. Checked in the DOM Chromium built: the wijk names and links,
the coming public events with their Dutch dates and places (drafts,
private events, other wijken and later events left out), a cancelled
event and a cancelled occurrence marked "geannuleerd", a moved one
"verplaatst", a title holding <script> shown as text and not run, every
subscribe link's href exactly (webcal, Outlook on the web for Microsoft 365
and Outlook.com, Google) and the copy field, and that the
Content-Security-Policy let the page's own style and script through.
Screenshots land in the build's Testing/ folder for a look.
Skipped where chromium is missing (scripts/deps.sh installs it)."""
import html.parser
import os
import shutil
import subprocess
import sys
import urllib.parse

import wk
import wkd
from wk import check

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    print("skipped: no chromium")
    sys.exit(0)

BASE = "https://agenda.example.nl"
SHOTS = os.environ.get("WIJKCAL_SHOTS", os.path.join(wk.BIN, "Testing", "page"))


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children = []

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.walk()

    def find_all(self, tag=None, cls=None):
        return [n for n in self.walk() if (tag is None or n.tag == tag) and
                (cls is None or cls in n.attrs.get("class", "").split())]

    def by_id(self, ident):
        return next((n for n in self.walk() if n.attrs.get("id") == ident), None)


class Tree(html.parser.HTMLParser):
    """The DOM Chromium dumped, as a small tree."""
    VOID = {"meta", "link", "input", "br", "img", "hr"}

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node("#root", [], None)
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in self.VOID:
            self.cur = n

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def chromium(url, *extra):
    """Runs headless Chromium on url; returns (stdout, stderr)."""
    profile = env.path("chromium-%d" % len(os.listdir(env.dir)))
    argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
            "--window-size=390,844", "--hide-scrollbars", "--virtual-time-budget=3000",
            *extra, url]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=env.dir)
    check(r.returncode == 0, f"chromium {url}: exit {r.returncode}: {r.stderr[-2000:]}")
    shutil.rmtree(profile, ignore_errors=True)
    return r.stdout, r.stderr


def open_page(path):
    """The DOM of a page after Chromium ran it, and its console's word on
    the Content-Security-Policy."""
    out, err = chromium(f"http://127.0.0.1:{d.port}{path}", "--dump-dom")
    blocked = [l for l in err.splitlines() if "Content Security Policy" in l or "Refused to" in l]
    check(not blocked, f"{path}: the browser blocked part of the page: {blocked}")
    return Tree(out).root


def screenshot(path, name, height=844):
    os.makedirs(SHOTS, exist_ok=True)
    png = os.path.join(SHOTS, name)
    chromium(f"http://127.0.0.1:{d.port}{path}", "--screenshot=" + png,
             f"--window-size=390,{height}")
    check(os.path.exists(png) and os.path.getsize(png) > 1000, f"no screenshot {png}")
    return png


def links_for(feed_url, name):
    """The hrefs each subscribe button must have, built independently."""
    q = lambda s: urllib.parse.quote(s, safe="")
    webcal = "webcal://" + feed_url.split("://", 1)[1]
    return {
        "sub-outlook": webcal,
        "sub-apple": webcal,
        "sub-m365": f"https://outlook.office.com/calendar/0/addfromweb?url={q(feed_url)}&name={q(name)}",
        "sub-outlookcom": f"https://outlook.live.com/calendar/0/addfromweb?url={q(feed_url)}&name={q(name)}",
        "sub-google": f"https://calendar.google.com/calendar/r?cid={q(webcal)}",
    }


def check_subscribe(root, feed_url, name, where):
    for ident, want in links_for(feed_url, name).items():
        a = root.by_id(ident)
        check(a is not None and a.tag == "a", f"{where}: no link {ident}")
        if a is not None:
            check(a.attrs.get("href") == want, f"{where}: {ident} href {a.attrs.get('href')!r}, want {want!r}")
    labels = {ident: (root.by_id(ident).text().strip() if root.by_id(ident) else None)
              for ident in ["sub-outlook", "sub-m365", "sub-outlookcom", "sub-google", "sub-apple", "kopieer"]}
    check(labels == {"sub-outlook": "Abonneren in Outlook", "sub-m365": "Microsoft 365",
                     "sub-outlookcom": "Outlook.com", "sub-google": "Google Agenda",
                     "sub-apple": "Apple Agenda", "kopieer": "Kopieer link"}, f"{where}: button labels {labels}")
    check("Outlook.com / Microsoft 365" in root.text(), f"{where}: no Outlook.com / Microsoft 365 group")
    field = root.by_id("feed-url")
    check(field is not None and field.attrs.get("value") == feed_url and "readonly" in field.attrs,
          f"{where}: copy field {field.attrs if field else None}")


def events_of(root):
    """[(when, title, badges, location)] of the event list, in order."""
    rows = []
    for li in root.find_all("li", "event"):
        when = li.find_all("time")
        title = li.find_all("span", "title")
        where = li.find_all("p", "where")
        rows.append((when[0].text() if when else None, title[0].text() if title else None,
                     [b.text() for b in li.find_all("span", "badge")],
                     where[0].text() if where else None, "cancelled" in li.attrs.get("class", "")))
    return rows


# ---- the data ----

env = wk.Env()
wk.demo_registry(env)
conf = env.write("wijkcald.conf", f'http = {{ base_url = "{BASE}/"; }};\n')
E = lambda *a: env.ok("event", "add", *a).out.strip()
hagro = E("--kind", "hagro", "--wijk", "noord", "--title", "Hagro Noord", "--public",
          "--start", "2027-01-12 12:30", "--duration", "90m", "--rrule", "FREQ=MONTHLY;BYDAY=2TU;COUNT=10",
          "--location", "De Linde, Hoofdstraat 1")
env.ok("event", "cancel", hagro, "--occurrence", "2027-02-09")
env.ok("event", "move", hagro, "--occurrence", "2027-03-09", "--start", "2027-03-11 16:00")
E("--kind", "wijklunch", "--wijk", "noord", "--title", "Wijklunch Noord", "--start", "2027-01-14 12:00",
  "--duration", "90m", "--location", "Buurthuis 't Hart", "--online", "https://meet.example.nl/wijklunch")
E("--kind", "themaavond", "--wijk", "noord", "--public", "--title", '<script>alert("x")</script> & "Dementie"',
  "--start", "2027-02-04 19:30", "--duration", "2h")
scholing = E("--kind", "scholing", "--wijk", "noord", "--public", "--title", "Scholing COPD",
             "--start", "2027-03-18 19:00", "--duration", "2h")
env.ok("event", "cancel", scholing)
E("--kind", "vragenlijst", "--wijk", "noord", "--public", "--title", "Vragenlijst samenwerking",
  "--date", "2027-03-01")
E("--kind", "fto", "--wijk", "noord", "--title", "FTO besloten", "--private", "--start", "2027-01-20 12:30")
E("--kind", "themaavond", "--wijk", "noord", "--title", "Concept avond", "--draft", "--public",
  "--start", "2027-01-21 19:30")
E("--kind", "wijklunch", "--wijk", "zuid", "--title", "Wijklunch Zuid", "--start", "2027-01-28 12:00")
E("--kind", "wijklunch", "--wijk", "noord", "--title", "Zomerbarbecue", "--start", "2027-06-10 17:00")

d = wkd.Daemon(env, "-c", conf)

# ---- the HTTP answer itself ----

status, h, body = d.get("/wijk/noord")
check(status == 200 and h.get("content-type") == "text/html; charset=utf-8", f"/wijk/noord: {status} {h}")
csp = h.get("content-security-policy", "")
check(csp.startswith("default-src 'none'; style-src 'sha256-") and "script-src 'sha256-" in csp,
      f"CSP: {csp!r}")
check(h.get("referrer-policy") == "no-referrer" and h.get("x-content-type-options") == "nosniff", f"headers: {h}")
status, hh, hbody = d.get("/wijk/noord", method="HEAD")
check(status == 200 and hbody == b"" and hh.get("content-length") == str(len(body)), f"HEAD: {status} {hh}")
for path in ["/wijk/west", "/wijk/Noord", "/private/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "/private/x"]:
    status, _, _ = d.get(path)
    check(status == 404, f"GET {path}: {status}")
status, h405, _ = d.get("/wijk/noord", method="POST")
check(status == 405 and h405.get("allow") == "GET, HEAD", f"POST /wijk/noord: {status}")

# ---- "/" in the browser ----

root = open_page("/")
check(root.find_all("title")[0].text() == "Wijkagenda's", "index title")
wijken = [(a.attrs.get("href"), a.text()) for ul in root.find_all("ul", "wijken") for a in ul.find_all("a")]
check(wijken == [("/wijk/noord", "Heuvelland-Noord"), ("/wijk/zuid", "Heuvelland-Zuid")], f"index links: {wijken}")
screenshot("/", "index.png")

# ---- /wijk/noord in the browser ----

root = open_page("/wijk/noord")
h1 = root.find_all("h1")
check(h1 and h1[0].text() == "Wijkagenda Heuvelland-Noord", f"heading: {h1 and h1[0].text()}")
check(root.find_all("html")[0].attrs.get("lang") == "nl", "lang")
feed_url = BASE + "/feeds/wijk/noord.ics"
check_subscribe(root, feed_url, "Wijkagenda Heuvelland-Noord", "/wijk/noord")
status, hf, _ = d.get("/feeds/wijk/noord.ics")
check(status == 200 and hf.get("content-type") == "text/calendar; charset=utf-8", "the subscribed feed is served")

got = events_of(root)
want = [
    ("dinsdag 12 januari 2027, 12:30–14:00", "Hagro Noord", [], "Locatie: De Linde, Hoofdstraat 1", False),
    ("donderdag 14 januari 2027, 12:00–13:30", "Wijklunch Noord", [], "Locatie: Buurthuis 't Hart", False),
    ("donderdag 4 februari 2027, 19:30–21:30", '<script>alert("x")</script> & "Dementie"', [], None, False),
    ("dinsdag 9 februari 2027, 12:30–14:00", "Hagro Noord", ["geannuleerd"],
     "Locatie: De Linde, Hoofdstraat 1", True),
    ("maandag 1 maart 2027", "Vragenlijst samenwerking", [], None, False),
    ("donderdag 11 maart 2027, 16:00–17:30", "Hagro Noord", ["verplaatst"],
     "Locatie: De Linde, Hoofdstraat 1", False),
    ("donderdag 18 maart 2027, 19:00–21:00", "Scholing COPD", ["geannuleerd"], None, True),
]
check(got == want, "events on /wijk/noord:\n  got  " + "\n       ".join(map(repr, got)) +
      "\n  want " + "\n       ".join(map(repr, want)))
text = root.find_all("body")[0].text()
for absent in ["FTO besloten", "Concept avond", "Wijklunch Zuid", "Zomerbarbecue", "mailto:", "@"]:
    check(absent not in text, f"/wijk/noord shows {absent!r}")
check("Van 1 januari 2027 t/m 1 april 2027." in text, "period line")
online = [a.attrs.get("href") for a in root.find_all("a") if a.text() == "Online deelnemen"]
check(online == ["https://meet.example.nl/wijklunch"], f"online links: {online}")
# The injected title is text: the page's own script is the only one, and
# no element came from the title.
scripts = root.find_all("script")
check(len(scripts) == 1 and "kopieer" in scripts[0].text(), f"scripts in the DOM: {len(scripts)}")
check(not any(n.tag not in {"#root", "html", "head", "meta", "title", "style", "body", "header", "p", "a",
                            "h1", "h2", "h3", "main", "section", "ul", "li", "label", "div", "input",
                            "button", "ol", "time", "span", "footer", "script"} for n in root.walk()),
      "an unexpected element in the DOM")
check("geannuleerd" in text and "Kopieer link" in text, "marks and copy button visible")

shot = screenshot("/wijk/noord", "wijk-noord-phone.png")
screenshot("/wijk/noord", "wijk-noord-full.png", height=3200)

# ---- a private page, by its token ----

r = env.run("-c", conf, "feed", "url", "--person", "anna@linde.nl")
check(r.code == 0 and r.out.startswith(BASE + "/feeds/private/"), f"feed url: {r}")
if r.code == 0:
    private_feed = r.out.strip()
    token = private_feed.rsplit("/", 1)[1][:-len(".ics")]
    root = open_page("/private/" + token)
    h1 = root.find_all("h1")
    check(h1 and h1[0].text() == "Wijkagenda van Anna de Vries", f"private heading: {h1 and h1[0].text()}")
    check_subscribe(root, private_feed, "Wijkagenda van Anna de Vries", "/private/TOKEN")
    titles = [t for _, t, _, _, _ in events_of(root)]
    check("Hagro Noord" in titles and "FTO besloten" in titles and "Concept avond" not in titles,
          f"private page events: {titles}")
    check("persoonlijke link" in root.text(), "private page warns not to share")
    status, hp, _ = d.get("/private/" + token)
    check(hp.get("cache-control") == "private, no-store" and "noindex" in hp.get("x-robots-tag", ""),
          f"private page headers: {hp}")
    check(token not in d.logtext(), "a token in the daemon's log")

print("screenshots:", SHOTS)
code = d.stop()
check(code == 0, f"wijkcald exit {code} at SIGTERM:\n{d.logtext()[-3000:]}")
env.close()
wk.finish()
