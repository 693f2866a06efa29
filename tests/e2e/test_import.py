"""Importing what practice managers have: CSV files from Excel (with or
without BOM, ',' or ';', quoted fields) and .ics files; all or nothing,
--dry-run, and a second import updates instead of duplicating."""
import wk
from wk import check

env = wk.Env()
env.ok("wijk", "add", "noord", "--name", "Heuvelland-Noord")
env.ok("wijk", "add", "zuid", "--name", "Heuvelland-Zuid")
env.ok("org", "add", "apotheek-noord", "--name", "Apotheek Noord", "--kind", "apotheek")

# Dutch Excel: ';' separator, UTF-8 BOM, CRLF, quoted field with ';'.
practices = ("\ufeffSlug;Name;Wijk;Address\r\n"
             "linde;Huisartsenpraktijk De Linde;noord;\"Hoofdstraat 1; Maastricht\"\r\n"
             "eik;\"Praktijk \"\"De Eik\"\"\";noord;\r\n"
             "beuk;Praktijk De Beuk;zuid;Kerkstraat 5\r\n")
env.write("praktijken.csv", practices)
r = env.ok("import", "practices", "praktijken.csv", "--dry-run")
check("dry run" in r.out and "3 added" in r.out, f"dry run output: {r.out}")
check(env.ok("--json", "practice", "list").json() == [], "dry run wrote something")
r = env.ok("import", "practices", "praktijken.csv")
check("3 added, 0 updated" in r.out, f"import output: {r.out}")
rows = {p["slug"]: p for p in env.ok("--json", "practice", "list").json()}
check(rows["linde"]["address"] == "Hoofdstraat 1; Maastricht", f"quoted ';': {rows['linde']}")
check(rows["eik"]["name"] == 'Praktijk "De Eik"', f"doubled quotes: {rows['eik']}")
check(rows["eik"].get("address") is None, f"empty address: {rows['eik']}")
# Again, with a changed name: updated, not duplicated.
env.write("praktijken.csv", practices.replace("Praktijk De Beuk", "Huisartsen De Beuk"))
r = env.ok("import", "practices", "praktijken.csv")
check("0 added, 3 updated" in r.out, f"re-import: {r.out}")
check(len(env.ok("--json", "practice", "list").json()) == 3, "re-import duplicated")

# Persons, ',' separator, no BOM; a waarnemer with two rows.
env.write("personen.csv",
          "name,email,role,practice,org,big\n"
          "Anna de Vries,Anna@Linde.nl,huisarts,linde,,12345678901\n"
          "Anna de Vries,anna@linde.nl,waarnemer,eik,,\n"
          "\"Jansen, Kees\",kees@apotheek.nl,apotheker,,apotheek-noord,\n"
          "Zoë Dijkstra,zoe@beuk.nl,poh,beuk,,\n")
r = env.ok("import", "persons", "personen.csv")
check("3 added" in r.out, f"persons import: {r.out}")
anna = env.ok("--json", "person", "show", "anna@linde.nl").json()
check(len(anna["affiliations"]) == 2 and anna["big"] == "12345678901", f"anna: {anna}")
check(env.ok("--json", "person", "show", "kees@apotheek.nl").json()["name"] == "Jansen, Kees",
      "quoted comma")
r = env.ok("import", "persons", "personen.csv")
check(len(env.ok("--json", "person", "list").json()) == 3, "persons re-import duplicated")

# A bad row anywhere: nothing of the file is imported.
env.write("half.csv", "name,email,role,practice\nPiet,piet@linde.nl,poh,linde\n"
          "Jan,jan@linde.nl,chirurg,linde\n")
env.refused(["import", "persons", "half.csv"], wk.EX_DATAERR, ["half.csv:3:", "role"])
r = env.run("person", "show", "piet@linde.nl")
check(r.code != 0, "first row of a refused file was imported")

# .ics import: UIDs are kept, a second import updates.
ics = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r
BEGIN:VTIMEZONE\r
TZID:W. Europe Standard Time\r
BEGIN:STANDARD\r
DTSTART:16010101T030000\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010101T020000\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r
END:DAYLIGHT\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:040000008200E00074C5B7101A82E00800000000@outlook\r
SUMMARY:FTO Noord\r
DTSTART;TZID=W. Europe Standard Time:20270203T123000\r
DTEND;TZID=W. Europe Standard Time:20270203T140000\r
RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=1WE;COUNT=5\r
EXDATE;TZID=W. Europe Standard Time:20270407T123000\r
LOCATION:Apotheek Noord\r
SEQUENCE:0\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:040000008200E00074C5B7101A82E00800000000@outlook\r
RECURRENCE-ID;TZID=W. Europe Standard Time:20270602T123000\r
SUMMARY:FTO Noord\r
DTSTART;TZID=W. Europe Standard Time:20270609T123000\r
DTEND;TZID=W. Europe Standard Time:20270609T140000\r
SEQUENCE:1\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:lunch-2027@example.nl\r
SUMMARY:Wijklunch\r
DTSTART:20270615T100000Z\r
DTEND:20270615T113000Z\r
END:VEVENT\r
END:VCALENDAR\r
"""
env.write("fto.ics", ics)
r = env.ok("import", "events", "fto.ics", "--wijk", "noord", "--kind", "fto")
check("2 added" in r.out, f"ics import: {r.out}")
ev = env.ok("--json", "event", "show", "040000008200E00074C5B7101A82E00800000000@outlook").json()
check(ev["start"] == "2027-02-03 12:30" and ev["duration"] == "1h30m", f"imported times: {ev}")
check(ev["kind"] == "fto" and ev["public"] is False, f"kind defaults: {ev}")
check(ev["audience"] == ["wijk:noord role:huisarts,waarnemer,apotheker"], f"kind audience: {ev}")
check(sorted(c["change"] for c in ev["changes"]) == ["cancelled", "moved"], f"changes: {ev}")
lunch = env.ok("--json", "event", "show", "lunch-2027@example.nl").json()
check(lunch["start"] == "2027-06-15 12:00", f"UTC converted to wall time: {lunch}")
ag = env.ok("--json", "agenda", "--kind", "fto", "--from", "2027-01-01", "--to", "2027-12-31").json()
ag = [a for a in ag if a["title"] == "FTO Noord"]
check([a["start"] for a in ag] == ["2027-02-03 12:30", "2027-06-09 12:30", "2027-08-04 12:30",
                                   "2027-10-06 12:30"], f"imported series: {[a['start'] for a in ag]}")
env.write("fto.ics", ics.replace("LOCATION:Apotheek Noord", "LOCATION:Gezondheidscentrum"))
r = env.ok("import", "events", "fto.ics", "--wijk", "noord", "--kind", "fto")
check("0 added, 2 updated" in r.out, f"ics re-import: {r.out}")
ev2 = env.ok("--json", "event", "show", ev["uid"]).json()
check(ev2["id"] == ev["id"] and ev2["location"] == "Gezondheidscentrum", f"updated: {ev2}")
check(ev2["sequence"] > ev["sequence"], "changed location did not raise SEQUENCE")
check(len(env.ok("--json", "event", "list").json()) == 2, "ics re-import duplicated")

env.close()
wk.finish()
