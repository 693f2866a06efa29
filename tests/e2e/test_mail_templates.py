"""Mail templates: an admin's directory (mail.templates_dir) replaces the
texts it holds and leaves the others built in, in what wijkcald writes to
the spool and in `wijkcal mail preview`; values are HTML-escaped in an
HTML template. A template with an unknown field, a relative or missing
directory are refused when the configuration is read: `wijkcal config
check` and wijkcald both exit with EX_CONFIG and one message naming the
config file's line, the key, and the template's file and line. The
built-in templates from the source tree are what an admin copies: the
installed examples (etc/templates) parse as a directory too."""
import glob
import os
import subprocess
import time

import mailcheck
import wk
import wkd
from wk import check

WAIT = 30


def spool(env):
    return sorted(glob.glob(os.path.join(env.dir, "spool", "*.eml")))


def use_dir(env, tdir):
    env.env["WIJKCAL_CONFIG"] = env.write(
        "wijkcal.conf",
        'smtp = { from = "agenda@wijk.example.nl"; };\n'
        'mail = {\n\ttemplates_dir = "%s";\n};\n' % tdir)


def write_templates(tdir):
    os.makedirs(tdir, exist_ok=True)
    with open(os.path.join(tdir, "invite.subject"), "w") as f:
        f.write("Kom je ook? {{title}} ({{kind}})\n")
    with open(os.path.join(tdir, "invite.txt"), "w") as f:
        f.write("Hoi {{#name}}{{name}}{{/name}}{{^name}}allemaal{{/name}}!\n"
                "{{! een opmerking voor de beheerder }}\n"
                "{{title}} is op {{when}}.\n"
                "{{#location}}\nWaar: {{location}}\n{{/location}}\n"
                "Groet, het wijkteam\n")
    with open(os.path.join(tdir, "update.html"), "w") as f:
        f.write("<p>{{title}}</p>\n")


def override(env, tdir):
    write_templates(tdir)
    use_dir(env, tdir)
    r = env.ok("config", "check")
    wk.demo_registry(env)
    env.ok("event", "add", "--kind", "hagro", "--wijk", "noord",
           "--title", "Hagro <Noord> & co", "--start", "2027-01-12 12:30",
           "--location", "De Linde")
    r = env.ok("mail", "preview", "1", "--person", "anna@linde.nl")
    raw = r.out.encode().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    msg = mailcheck.check_raw(raw, "preview", smtp_from="agenda@wijk.example.nl")
    check(str(msg["Subject"]) == "Kom je ook? Hagro <Noord> & co (Hagro)",
          f"preview subject {msg['Subject']}")
    d = wkd.Daemon(env)
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline and len(spool(env)) < 2:
        time.sleep(0.2)
    check(d.stop() == 0, "stop")
    files = spool(env)
    check(len(files) == 2, f"{len(files)} messages in the spool\n{d.logtext()}")
    for path in files:
        raw = open(path, "rb").read()
        msg = mailcheck.check_raw(raw, os.path.basename(path),
                                  smtp_from="agenda@wijk.example.nl")
        name, addr = mailcheck.mailbox(raw, "To")
        check(str(msg["Subject"]) == "Kom je ook? Hagro <Noord> & co (Hagro)",
              f"subject {msg['Subject']}")
        want = (f"Hoi {name}!\nHagro <Noord> & co is op dinsdag 12 januari 2027 "
                "12:30\u201314:00.\nWaar: De Linde\nGroet, het wijkteam\n")
        text = (mailcheck.text_body(msg) or "").replace("\r\n", "\n")
        check(text == want, f"text {text!r}, want {want!r}")
        html = mailcheck.html_body(msg) or ""
        # invite.html is not in the directory: the built-in one, escaped.
        check("Graag nodigen wij u uit" in html, f"built-in html: {html[:300]}")
        check("Hagro &lt;Noord&gt; &amp; co" in html and "<Noord>" not in html,
              f"html not escaped: {html[:600]}")


def refused(env, tdir, *needles):
    """config check and wijkcald both refuse the configuration."""
    use_dir(env, tdir)
    conf = env.env["WIJKCAL_CONFIG"]
    r = env.run("config", "check")
    check(r.code == wk.EX_CONFIG, f"config check: {r}")
    check(len(r.err.strip().splitlines()) == 1, f"not one line: {r}")
    for n in (conf + ":3: mail.templates_dir: ",) + needles:
        check(n in r.err, f"config check lacks {n!r}: {r}")
    p = subprocess.run([wkd.DAEMON, "--db", env.db, "--listen", "127.0.0.1:%d" % wkd.free_port(),
                        "--foreground"], env=env.env, cwd=env.dir, capture_output=True,
                       text=True, timeout=60)
    check(p.returncode == wk.EX_CONFIG, f"wijkcald exit {p.returncode}: {p.stderr}")
    for n in needles:
        check(n in p.stderr, f"wijkcald lacks {n!r}: {p.stderr}")


def bad_templates(env, tdir):
    with open(os.path.join(tdir, "reminder.txt"), "w") as f:
        f.write("Beste {{name}},\n\nMorgen: {{titel}}\n")
    refused(env, tdir, tdir + "/reminder.txt:3: unknown field {{titel}} (expected one of: ")
    with open(os.path.join(tdir, "reminder.txt"), "w") as f:
        f.write("Beste {{name}},\n{{#location}}\nWaar: {{location}}\n")
    refused(env, tdir, tdir + "/reminder.txt:2: {{#location}} is never closed")
    os.unlink(os.path.join(tdir, "reminder.txt"))
    refused(env, "templates", "expected an absolute directory path")
    refused(env, tdir + "/nope", tdir + "/nope: No such file or directory")


def examples(env):
    """The source tree's etc/templates, as installed, is a valid directory."""
    use_dir(env, os.path.join(os.path.abspath(wk.SRC), "etc", "templates"))
    r = env.run("config", "check")
    check(r.code == 0, f"etc/templates refused: {r}")


def main():
    env = wk.Env()
    tdir = env.path("templates")
    override(env, tdir)
    bad_templates(env, tdir)
    examples(env)
    if not wk.FAILURES:
        env.close()
    wk.finish()


main()
