#!/usr/bin/python3
"""Benchmark data generator for wijkcal (stdlib only, deterministic).

    /usr/bin/python3 bench/gen.py --scale region|nation --out DIR [--seed N]

region: 15 wijken, 150 practices, 1,500 persons; nation: 500 wijken, 5,000
practices, 40,000 persons. Every wijk gets a year (2027) of events: a monthly
Hagro, FTO five times a year, a quarterly wijklunch, scholing with
accreditation, a campagne series, a few single events; series skip holidays
with EXDATE and some have a moved occurrence (RECURRENCE-ID). About 13 event
masters per wijk.

Writes to DIR:
  wijken.tsv        slug<TAB>name
  orgs.tsv          slug<TAB>name<TAB>kind<TAB>wijk (wijk empty for the
                    regional organisations)
  practices.csv     slug,name,wijk,address (RFC 4180, UTF-8, CRLF)
  persons.csv       name,email,role,practice,org,big (one row per
                    affiliation; exactly one of practice/org is filled)
  events/WIJK-KIND.ics   one VCALENDAR per wijk and kind
  events/index.tsv  file<TAB>wijk<TAB>kind, the files above
  events.json       all events as plain data, for the reference renderers

The same seed and scale give byte-identical output (per-wijk random streams
are seeded from the seed and the wijk's slug).
"""

import argparse
import csv
import datetime as dt
import json
import os
import random
import sys
import unicodedata

YEAR = 2027
TZID = "Europe/Amsterdam"

SCALES = {
    "region": {"wijken": 15, "practices": 150, "persons": 1500},
    "nation": {"wijken": 500, "practices": 5000, "persons": 40000},
}

# Labels and default visibility, as wijkcal's built-in kind defaults.
KINDS = {
    "wijklunch": ("Wijklunch", True),
    "themaavond": ("Thema-avond", True),
    "expeditie": ("Expeditie in de wijk", True),
    "scholing": ("Scholing", True),
    "borrel": ("Borrel", True),
    "hagro": ("Hagro", False),
    "fto": ("FTO", False),
    "hoed": ("HOED-vergadering", False),
    "campagne": ("Campagne", True),
    "evaluatie": ("Evaluatie samenwerking", False),
    "praktijkbezoek": ("Praktijkbezoek", False),
    "intervisie": ("Intervisie", False),
}

# The first region is the one used at region scale.
REGIONS = [
    ("Heuvelland", ["Heuvelland", "Maastricht", "Valkenburg", "Meerssen",
                    "Eijsden", "Vaals"]),
    ("Midden-Brabant", ["Tilburg", "Oisterwijk", "Dongen", "Goirle",
                        "Waalwijk"]),
    ("Utrecht", ["Utrecht", "Nieuwegein", "Houten", "Zeist", "IJsselstein"]),
    ("Amstelland", ["Amsterdam", "Amstelveen", "Diemen", "Zaandam"]),
    ("Rijnmond", ["Rotterdam", "Schiedam", "Vlaardingen", "Capelle",
                  "Barendrecht"]),
    ("Haaglanden", ["Den Haag", "Delft", "Rijswijk", "Zoetermeer",
                    "Leidschendam"]),
    ("Groningen", ["Groningen", "Haren", "Hoogezand", "Veendam"]),
    ("Friesland", ["Leeuwarden", "Sneek", "Heerenveen", "Drachten"]),
    ("Twente", ["Enschede", "Hengelo", "Almelo", "Oldenzaal"]),
    ("Gelderland-Zuid", ["Arnhem", "Nijmegen", "Wageningen", "Ede",
                         "Doetinchem"]),
    ("Zuidoost-Brabant", ["Eindhoven", "Veldhoven", "Best", "Helmond",
                          "Geldrop"]),
    ("Noord-Limburg", ["Venlo", "Venray", "Roermond", "Weert"]),
    ("Zeeland", ["Middelburg", "Vlissingen", "Goes", "Terneuzen"]),
    ("West-Brabant", ["Breda", "Roosendaal", "Bergen op Zoom",
                      "Oosterhout"]),
    ("Noordoost-Brabant", ["'s-Hertogenbosch", "Oss", "Vught", "Uden"]),
    ("Holland Rijnland", ["Leiden", "Katwijk", "Alphen aan den Rijn",
                          "Oegstgeest"]),
    ("Kennemerland", ["Haarlem", "Heemstede", "Velsen", "Bloemendaal"]),
    ("Noord-Holland Noord", ["Alkmaar", "Hoorn", "Den Helder",
                             "Heerhugowaard"]),
    ("IJsselland", ["Zwolle", "Kampen", "Deventer", "Apeldoorn"]),
    ("Drenthe", ["Assen", "Emmen", "Hoogeveen", "Meppel"]),
    ("Flevoland", ["Almere", "Lelystad", "Dronten"]),
    ("Eemland", ["Amersfoort", "Soest", "Leusden", "Veenendaal",
                 "Barneveld"]),
    ("Gooi en Vecht", ["Hilversum", "Huizen", "Bussum", "Weesp"]),
    ("Drechtsteden", ["Dordrecht", "Zwijndrecht", "Papendrecht",
                      "Gorinchem"]),
    ("Parkstad", ["Heerlen", "Kerkrade", "Sittard", "Geleen", "Brunssum"]),
    ("Midden-Holland", ["Gouda", "Waddinxveen", "Bodegraven"]),
]

PARTS = ["Noord", "Oost", "Zuid", "West", "Centrum", "Noordoost",
         "Noordwest", "Zuidoost", "Zuidwest", "Binnenstad"]

PRACTICE_CORES = [
    "De Linde", "De Eik", "De Beuk", "De Wilg", "De Es", "De Kastanje",
    "De Berk", "De Hazelaar", "De Meidoorn", "De Vlier", "De Zwaluw",
    "De Reiger", "Het Anker", "De Brug", "De Poort", "De Bron", "Het Baken",
    "De Vaart", "De Molen", "Het Hofje", "De Akker", "De Horst",
    "De Boomgaard", "De Regenboog", "Het Kompas", "De Schakel", "De Wieken",
    "De Toren", "Het Park", "De Singel", "De Dijk", "Het Veer",
    "'t Hoogveld", "De Kring", "Het Palet", "De Hoeksteen", "Maasoever",
    "Beekdal", "Heideweg", "Zonnehof",
]
PRACTICE_PREFIXES = ["Huisartsenpraktijk"] * 5 + [
    "Gezondheidscentrum", "Huisartsen", "Medisch Centrum",
    "Huisartsengroep"]

FIRST_NAMES = [
    "Anna", "Emma", "Sophie", "Julia", "Lisa", "Eva", "Sanne", "Lotte",
    "Fleur", "Anouk", "Iris", "Femke", "Marloes", "Inge", "Esther", "Karin",
    "Monique", "Ingrid", "Marieke", "Nicole", "Chloë", "Noëlle", "Zoë",
    "Joëlle", "Loïs", "Inès", "Fatima", "Samira", "Yasmina", "Leyla",
    "Mei", "Priya", "Hanneke", "Wilma", "Petra", "Renée", "Daan", "Bram",
    "Sem", "Lucas", "Thomas", "Ruben", "Jeroen", "Maarten", "Sjoerd",
    "Pieter", "Jan", "Kees", "Henk", "Erik", "Marco", "Bas", "Tim", "Joris",
    "Wouter", "Niels", "Frank", "Martijn", "Stefan", "Rob", "André", "René",
    "Mohamed", "Youssef", "Ahmet", "Mehmet", "Karim", "Omar", "Tarik",
    "Ravi", "Minh", "Jesse", "Thijs", "Stijn", "Gijs", "Koen", "Hidde",
    "Friso", "Wietske", "Jelle",
]
# (tussenvoegsel, surname)
SURNAMES = [
    ("de", "Vries"), ("van den", "Berg"), ("van", "Dijk"), ("", "Bakker"),
    ("", "Janssen"), ("", "Visser"), ("", "Smit"), ("", "Meijer"),
    ("de", "Boer"), ("", "Mulder"), ("de", "Groot"), ("", "Bos"),
    ("", "Vos"), ("", "Peters"), ("", "Hendriks"), ("van", "Leeuwen"),
    ("", "Dekker"), ("", "Brouwer"), ("de", "Wit"), ("", "Dijkstra"),
    ("", "Smits"), ("de", "Graaf"), ("van der", "Meer"), ("van der", "Linden"),
    ("", "Kok"), ("", "Jacobs"), ("de", "Haan"), ("", "Vermeulen"),
    ("van den", "Heuvel"), ("van der", "Veen"), ("van den", "Broek"),
    ("de", "Bruijn"), ("de", "Jong"), ("", "Schouten"), ("van", "Beek"),
    ("", "Willems"), ("van", "Vliet"), ("", "Hoekstra"), ("", "Maas"),
    ("", "Verhoeven"), ("", "Koster"), ("van", "Dam"), ("van der", "Wal"),
    ("", "Prins"), ("", "Blom"), ("", "Huisman"), ("", "Peeters"),
    ("de", "Lange"), ("", "Kuipers"), ("van", "Wijk"), ("", "Postma"),
    ("", "Kramer"), ("", "Schipper"), ("ter", "Horst"), ("", "Claessens"),
    ("", "Goossens"), ("", "Lemmens"), ("", "Frissen"), ("", "Wouters"),
    ("", "Yılmaz"), ("", "Kaya"), ("", "Öztürk"), ("", "Demir"),
    ("el", "Amrani"), ("", "Bouzid"), ("", "Nguyen"), ("", "Tran"),
    ("", "Ramdin"), ("", "Sewdien"), ("", "Kowalski"), ("", "Müller"),
    ("van", "Oosterhout"), ("", "Zwart"), ("", "Bosman"), ("", "Hermans"),
]

STREETS = [
    "Lindelaan", "Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg",
    "Schoolstraat", "Julianalaan", "Wilhelminastraat", "Beatrixlaan",
    "Marktplein", "Emmaplein", "Prins Hendrikstraat", "Nieuwe Gracht",
    "Burgemeester Visserstraat", "Parallelweg", "Brinkstraat", "Hoofdstraat",
    "Kastanjelaan", "Eikenlaan", "Zandweg", "Akkerstraat", "Meidoornplein",
    "Van Goghlaan", "Rembrandtplein", "Koningsweg", "Sint Jozefstraat",
    "Vondelstraat", "Spoorlaan", "Havenkade", "Weverstraat",
]
VENUES = [
    "Buurthuis De Ontmoeting", "Wijkcentrum Het Trefpunt",
    "Bibliotheek {place}", "Buurtcentrum De Kern", "Sporthal De Wissel",
    "Cultuurhuis De Koepel", "Zalencentrum Het Wapen",
]

SCHOLING_TOPICS = [
    ("Diabetes type 2: nieuwe NHG-standaard", "dr. {n}, internist"),
    ("Hartfalen in de eerste lijn", "{n}, cardioloog"),
    ("Kwetsbare ouderen en valpreventie", "{n}, specialist ouderengeneeskunde"),
    ("Depressie en angst: samenwerking met de POH-GGZ", "{n}, psychiater"),
    ("Palliatieve zorg thuis", "{n}, consulent palliatieve zorg"),
    ("Astma en COPD: inhalatie-instructie", "{n}, longarts"),
    ("Huiselijk geweld: signaleren en de meldcode", "{n}, Veilig Thuis"),
    ("Dementie: vroegsignalering in de wijk", "{n}, geriater"),
    ("Wondzorg en decubitus", "{n}, wondconsulent"),
    ("Licht verstandelijke beperking herkennen", "{n}, orthopedagoog"),
]
FTO_THEMES = [
    "antistolling", "inhalatiemedicatie bij COPD", "polyfarmacie bij "
    "ouderen", "antibiotica bij luchtweginfecties", "opioïden en "
    "afbouw", "medicatie bij diabetes type 2", "deprescribing van "
    "benzodiazepinen", "cardiovasculair risicomanagement",
]
CAMPAIGNS = [
    ("Gezondheidsvaardigheden", "gezondheidsvaardigheden: informatie over "
     "gezondheid vinden, begrijpen en gebruiken"),
    ("Samen beslissen", "samen beslissen met je huisarts: welke keuzes heb "
     "je?"),
    ("Zelfredzaam in de wijk", "zelfredzaamheid: zelf en met je omgeving "
     "regelen wat je nodig hebt"),
    ("Gezond ouder worden", "gezond ouder worden: bewegen, voeding, "
     "eenzaamheid en vallen voorkomen"),
    ("Digitaal naar de dokter", "digitale vaardigheden voor e-health: de "
     "app van de praktijk, online afspraken en herhaalrecepten"),
    ("Preventie: bewegen en voeding", "preventie van diabetes en hart- en "
     "vaatziekten door bewegen en gezond eten"),
]
THEMA_AVONDEN = [
    "Eenzaamheid bij ouderen", "Armoede en gezondheid", "Mantelzorgers "
    "ontlasten", "Jongeren en mentale gezondheid", "Laaggeletterdheid in de "
    "spreekkamer", "Schulden en stress", "Positieve gezondheid in de wijk",
    "Statushouders en zorg",
]

# Dutch public holidays in 2027 and (approximate, region midden) school
# holidays: series skip or move occurrences that fall on them.
HOLIDAYS = {dt.date(2027, 1, 1), dt.date(2027, 3, 26), dt.date(2027, 3, 28),
            dt.date(2027, 3, 29), dt.date(2027, 4, 27), dt.date(2027, 5, 5),
            dt.date(2027, 5, 6), dt.date(2027, 5, 16), dt.date(2027, 5, 17),
            dt.date(2027, 12, 25), dt.date(2027, 12, 26)}
SUMMER = (dt.date(2027, 7, 10), dt.date(2027, 8, 29))
SCHOOL_HOLIDAYS = [(dt.date(2027, 2, 13), dt.date(2027, 2, 21)),
                   (dt.date(2027, 4, 24), dt.date(2027, 5, 2)), SUMMER,
                   (dt.date(2027, 10, 16), dt.date(2027, 10, 24)),
                   (dt.date(2027, 12, 24), dt.date(2027, 12, 31))]

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Amsterdam\r\n"
    "BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\nTZNAME:CET\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
    "END:VTIMEZONE\r\n")


# ---------------------------------------------------------------- helpers

def ascii_fold(s):
    s = s.replace("ı", "i")  # dotless i has no decomposition
    return unicodedata.normalize("NFKD", s).encode("ascii",
                                                   "ignore").decode()


def slugify(s):
    out, dash = [], False
    for c in ascii_fold(s).lower():
        if c.isalnum():
            out.append(c)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def in_ranges(d, ranges):
    return any(a <= d <= b for a, b in ranges)


def fmt_local(t):
    return t.strftime("%Y-%m-%d %H:%M")


def fmt_utc(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def nth_weekday(year, month, wd, n):
    """The n-th (1..4, or -1 for last) weekday wd (0 = Monday) of a month."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(wd - first.weekday()) % 7 +
                                    7 * (n - 1))
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - wd) % 7)


def rand_modified(rng, start, end):
    """A UTC timestamp between two dates, on a working-day hour."""
    days = (end - start).days
    d = start + dt.timedelta(days=rng.randrange(max(days, 1)))
    return dt.datetime(d.year, d.month, d.day, rng.randrange(7, 17),
                       rng.randrange(60), rng.randrange(60))


# ---------------------------------------------------------------- people

class Names:
    """Unique person names and e-mail addresses."""

    def __init__(self, rng):
        self.rng = rng
        self.emails = set()
        self.bigs = set()

    def person(self, domain):
        first = self.rng.choice(FIRST_NAMES)
        tv, sur = self.rng.choice(SURNAMES)
        name = " ".join(p for p in (first, tv, sur) if p)
        base = (ascii_fold(first).lower() + "." +
                ascii_fold(tv + sur).lower().replace(" ", ""))
        local, n = base, 1
        while f"{local}@{domain}" in self.emails:
            n += 1
            local = f"{base}{n}"
        email = f"{local}@{domain}"
        self.emails.add(email)
        return name, email

    def big(self):
        while True:
            b = str(self.rng.randrange(10**10, 10**11))
            if b not in self.bigs:
                self.bigs.add(b)
                return b


def postcode(rng):
    letters = "ABCEGHJKLMNPRTVWXZ"
    return (f"{rng.randrange(1000, 9999)} "
            f"{rng.choice(letters)}{rng.choice(letters)}")


def address(rng, place):
    return (f"{rng.choice(STREETS)} {rng.randrange(1, 180)}, "
            f"{postcode(rng)} {place}")


# ---------------------------------------------------------------- places

def make_wijken(scale, rng):
    regions = REGIONS[:1] if scale == "region" else REGIONS
    combos = [(ri, pi, qi) for ri, (_, places) in enumerate(regions)
              for pi in range(len(places)) for qi in range(len(PARTS))]
    rng.shuffle(combos)
    combos = sorted(combos[:SCALES[scale]["wijken"]])
    wijken = []
    for ri, pi, qi in combos:
        region, places = regions[ri]
        place = places[pi]
        name = f"{place}-{PARTS[qi]}"
        wijken.append({"slug": slugify(name), "name": name, "place": place,
                       "part": PARTS[qi], "region": region})
    return wijken


def split_total(rng, total, n, low):
    """n random shares (each >= low) that add up to total."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(n)]
    s = sum(weights)
    shares = [max(low, int(total * w / s)) for w in weights]
    i = 0
    while sum(shares) != total:
        j = i % n
        if sum(shares) < total:
            shares[j] += 1
        elif shares[j] > low:
            shares[j] -= 1
        i += 1
    return shares


def make_practices(wijk, count, rng, used_slugs):
    cores = rng.sample(PRACTICE_CORES, min(count, len(PRACTICE_CORES)))
    practices = []
    for i in range(count):
        if i < len(cores) and rng.random() < 0.75:
            core = cores[i]
            name = f"{rng.choice(PRACTICE_PREFIXES)} {core}"
            key = " ".join(w for w in core.split()
                           if w.lower() not in ("de", "het", "'t"))
        else:  # named after the GPs
            # Without a first name the tussenvoegsel is capitalised.
            sur = [f"{tv[:1].upper()}{tv[1:]} {s}" if tv else s for tv, s
                   in rng.sample(SURNAMES, rng.choice([1, 2, 3]))]
            if len(sur) == 1:
                name = f"Huisartsenpraktijk {sur[0]}"
            elif len(sur) == 2:
                name = f"Huisartsenpraktijk {sur[0]} & {sur[1]}"
            else:
                name = f"Huisartsen {sur[0]}, {sur[1]} en {sur[2]}"
            key = "-".join(sur)
        base = f"{slugify(key)}-{wijk['slug']}"[:60].strip("-")
        slug, n = base, 1
        while slug in used_slugs:
            n += 1
            slug = f"{base}-{n}"
        used_slugs.add(slug)
        practices.append({"slug": slug, "name": name, "wijk": wijk["slug"],
                          "address": address(rng, wijk["place"]),
                          "domain": f"{slug}.nl"})
    return practices


def make_orgs(wijk, rng):
    w = wijk["slug"]
    orgs = [
        {"slug": f"welzijn-{w}", "name": f"Stichting Welzijn {wijk['name']}",
         "kind": "welzijn", "wijk": w, "staff": ("partner", 2)},
        {"slug": f"gemeente-{w}",
         "name": f"Gemeente {wijk['place']}, wijkteam {wijk['part']}",
         "kind": "gemeente", "wijk": w, "staff": ("partner", 1)},
    ]
    for core in rng.sample(PRACTICE_CORES, rng.choice([1, 1, 2])):
        orgs.append({"slug": f"apotheek-{slugify(core)}-{w}"[:64],
                     "name": f"Apotheek {core}", "kind": "apotheek",
                     "wijk": w, "staff": ("apotheker", 2),
                     "address": address(rng, wijk["place"])})
    if rng.random() < 0.4:
        orgs.append({"slug": f"wijkteam-{w}",
                     "name": f"Sociaal wijkteam {wijk['name']}",
                     "kind": "sociaal-wijkteam", "wijk": w,
                     "staff": ("partner", 2)})
    if rng.random() < 0.25:
        orgs.append({"slug": f"bewoners-{w}",
                     "name": f"Bewonersinitiatief {wijk['part']} Actief",
                     "kind": "bewoners", "wijk": w, "staff": ("partner", 1)})
    return orgs


def practice_roles(n):
    """Roles for a practice with n staff, owner GP first."""
    cycle = ["huisarts", "assistent", "poh", "huisarts", "assistent", "poh",
             "pm", "waarnemer", "assistent", "huisarts", "poh", "assistent"]
    return [cycle[i % len(cycle)] for i in range(n)]


# ---------------------------------------------------------------- events

class Series:
    """A rule of one of the forms the generator writes, and its dates."""

    def __init__(self, freq, interval, wd, ordinal, first, count):
        self.freq, self.interval, self.wd = freq, interval, wd
        self.ordinal, self.first, self.count = ordinal, first, count

    def rrule(self):
        parts = [f"FREQ={self.freq}"]
        if self.interval > 1:
            parts.append(f"INTERVAL={self.interval}")
        day = WEEKDAYS[self.wd]
        parts.append(f"BYDAY={self.ordinal}{day}" if self.ordinal else
                     f"BYDAY={day}")
        parts.append(f"COUNT={self.count}")
        return ";".join(parts)

    def dates(self):
        out = []
        if self.freq == "WEEKLY":
            for i in range(self.count):
                out.append(self.first + dt.timedelta(weeks=i * self.interval))
        else:
            y, m = self.first.year, self.first.month
            while len(out) < self.count:
                out.append(nth_weekday(y, m, self.wd, self.ordinal))
                m += self.interval
                y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
        return out


class WijkEvents:
    """Builds the events of one wijk."""

    def __init__(self, wijk, practices, orgs, rng):
        self.wijk, self.practices, self.orgs, self.rng = (wijk, practices,
                                                          orgs, rng)
        self.events = []

    def venue(self):
        v = self.rng.choice(VENUES).format(place=self.wijk["place"])
        return f"{v}, {address(self.rng, self.wijk['place'])}"

    def at_practice(self):
        p = self.rng.choice(self.practices)
        return f"{p['name']}, {p['address']}"

    def add(self, kind, title, description, location, start, duration,
            series=None, skip_school=False):
        rng = self.rng
        n = len(self.events) + 1
        modified = rand_modified(rng, dt.date(2026, 9, 1),
                                 dt.date(2026, 12, 20))
        ev = {
            "uid": f"gen-{self.wijk['slug']}-{n}@bench.wijkcal",
            "wijk": self.wijk["slug"], "kind": kind, "title": title,
            "description": description, "location": location,
            "start": fmt_local(start), "duration": duration,
            "rrule": None, "exdates": [], "moved": [],
            "public": KINDS[kind][1], "sequence": rng.choice([0, 0, 0, 1, 2]),
            "modified": fmt_utc(modified),
        }
        if series:
            ev["rrule"] = series.rrule()
            self.plan_changes(ev, series, start.time(), modified,
                              skip_school)
        self.events.append(ev)
        return ev

    def plan_changes(self, ev, series, at, modified, skip_school):
        """EXDATEs for holidays, a moved occurrence now and then."""
        rng = self.rng
        dates = series.dates()
        skip = SCHOOL_HOLIDAYS if skip_school else [SUMMER]
        moved_one = False
        for d in dates:
            start = dt.datetime.combine(d, at)
            if in_ranges(d, skip):
                ev["exdates"].append(fmt_local(start))
            elif d in HOLIDAYS and not moved_one:
                self.move(ev, start, start + dt.timedelta(days=7), modified)
                moved_one = True
            elif d in HOLIDAYS:
                ev["exdates"].append(fmt_local(start))
        if not moved_one and len(dates) >= 3 and rng.random() < 0.35:
            candidates = [d for d in dates[1:]
                          if fmt_local(dt.datetime.combine(d, at))
                          not in ev["exdates"]]
            d = rng.choice(candidates)
            start = dt.datetime.combine(d, at)
            shift = rng.choice([dt.timedelta(days=1), dt.timedelta(days=-1),
                                dt.timedelta(days=7), dt.timedelta(hours=1),
                                dt.timedelta(minutes=-30)])
            new = start + shift
            if new.date() in HOLIDAYS:
                new = start + dt.timedelta(days=14)
            self.move(ev, start, new, modified)
        if len(dates) >= 4 and rng.random() < 0.15:
            d = rng.choice(dates[1:])
            s = fmt_local(dt.datetime.combine(d, at))
            if s not in ev["exdates"] and all(m["recurrence_id"] != s
                                              for m in ev["moved"]):
                ev["exdates"].append(s)
        ev["exdates"].sort()

    def move(self, ev, original, new, modified):
        rng = self.rng
        later = modified + dt.timedelta(days=rng.randrange(10, 60))
        ev["moved"].append({
            "recurrence_id": fmt_local(original), "start": fmt_local(new),
            "duration": ev["duration"],
            "sequence": ev["sequence"] + 1, "modified": fmt_utc(later)})

    def single_date(self, months, weekdays=(1, 2, 3)):
        """A working day in one of the months, off holidays."""
        rng = self.rng
        while True:
            m = rng.choice(months)
            d = dt.date(YEAR, m, rng.randrange(1, 29))
            if (d.weekday() in weekdays and d not in HOLIDAYS and
                    not in_ranges(d, SCHOOL_HOLIDAYS)):
                return d

    def build(self, regio_name):
        rng, w = self.rng, self.wijk
        name = w["name"]
        welzijn = next(o for o in self.orgs if o["kind"] == "welzijn")
        gemeente = next(o for o in self.orgs if o["kind"] == "gemeente")
        apotheek = next(o for o in self.orgs if o["kind"] == "apotheek")

        # Hagro: monthly, an ordinal weekday, over lunch or after hours.
        wd = rng.choice([1, 1, 2, 3])
        ordinal = rng.choice([1, 2, 2, 3, -1])
        at = rng.choice([dt.time(12, 30), dt.time(17, 30), dt.time(19, 0)])
        s = Series("MONTHLY", 1, wd, ordinal, dt.date(YEAR, 1, 1),
                   rng.choice([10, 11, 12]))
        self.add("hagro", f"Hagro {name}",
                 f"Maandelijkse Hagro van de huisartsen en vaste waarnemers "
                 f"in {name}.\nVast op de agenda: waarneemafspraken, "
                 f"ANW-rooster, casuïstiek en nieuws uit {regio_name}.\n"
                 f"De voorzitter rouleert per praktijk.",
                 self.at_practice(), dt.datetime.combine(s.dates()[0], at),
                 90, s)

        # FTO: every other month from February, five sessions.
        wd = rng.choice([1, 3])
        s = Series("MONTHLY", 2, wd, rng.choice([1, 2]), dt.date(YEAR, 2, 1),
                   6)
        themes = rng.sample(FTO_THEMES, 5)
        self.add("fto", f"FTO {name}",
                 f"Farmacotherapeutisch overleg van de huisartsen en "
                 f"apothekers in {name}.\nOnderwerpen dit jaar: "
                 f"{', '.join(themes)}.\nAccreditatie: 2 punten per "
                 f"bijeenkomst (ABAN).",
                 f"{apotheek['name']}, {apotheek['address']}",
                 dt.datetime.combine(s.dates()[0], dt.time(17, 30)), 90, s)

        # Wijklunch: quarterly.
        s = Series("MONTHLY", 3, rng.choice([1, 2, 3]), rng.choice([2, 3]),
                   dt.date(YEAR, 3, 1), 4)
        self.add("wijklunch", f"Wijklunch {name}",
                 f"Lunch voor alle professionals van de praktijken in {name} "
                 f"en hun partners in het sociaal domein: elkaar kennen en "
                 f"weten te vinden.\nMet {welzijn['name']} en "
                 f"{gemeente['name']}.\nAanmelden is niet nodig.",
                 self.venue(),
                 dt.datetime.combine(s.dates()[0], dt.time(12, 0)), 90, s,
                 skip_school=True)

        # Scholing with accreditation: one or two, sometimes in two parts.
        for topic, speaker in rng.sample(SCHOLING_TOPICS,
                                         rng.choice([1, 1, 2])):
            first, tv, sur = (rng.choice(FIRST_NAMES), *rng.choice(SURNAMES))
            who = speaker.format(n=" ".join(p for p in (first, tv, sur) if p))
            pts = rng.choice([2, 3])
            d = self.single_date([2, 3, 4, 5, 6, 9, 10, 11])
            desc = (f"{topic}.\nSpreker: {who}.\nAccreditatie: {pts} punten "
                    f"aangevraagd bij ABAN (huisartsen), {pts} punten bij "
                    f"het Kwaliteitsregister V&VN (POH).\nAanmelden bij de "
                    f"praktijkmanager; maximaal 40 deelnemers.")
            start = dt.datetime.combine(d, dt.time(18, 30))
            if rng.random() < 0.3:
                self.add("scholing", f"Scholing: {topic} (2 delen)", desc,
                         self.venue(), start, 180,
                         Series("WEEKLY", 1, d.weekday(), 0, d, 2))
            else:
                self.add("scholing", f"Scholing: {topic}", desc,
                         self.venue(), start, 180)

        # Campagne: a series of N sessions, each practice gives a lecture.
        short, theme = rng.choice(CAMPAIGNS)
        n = rng.choice([4, 5, 6, 6, 8])
        d = self.single_date([2, 3] if rng.random() < 0.5 else [9],
                             weekdays=(1, 2))
        at = rng.choice([dt.time(14, 0), dt.time(19, 30)])
        s = Series("WEEKLY", 2, d.weekday(), 0, d, n)
        lecturers = [self.practices[i % len(self.practices)]["name"]
                     for i in range(n)]
        rng.shuffle(lecturers)
        lines = "\n".join(f"{i + 1}. {x.strftime('%d-%m')}: {p}" for i, (x, p)
                          in enumerate(zip(s.dates(), lecturers)))
        self.add("campagne", f"{short}: bijeenkomst voor bewoners",
                 f"Reeks van {n} bijeenkomsten over {theme}, georganiseerd "
                 f"door {gemeente['name']} en {welzijn['name']}.\nIedere "
                 f"deelnemende praktijk verzorgt een bijeenkomst:\n{lines}\n"
                 f"Gratis toegankelijk, koffie en thee staan klaar.",
                 self.venue(), dt.datetime.combine(d, at), 90, s,
                 skip_school=True)

        # Single public events.
        for theme in rng.sample(THEMA_AVONDEN, rng.choice([1, 1, 2])):
            d = self.single_date([3, 4, 5, 10, 11])
            self.add("themaavond", f"Thema-avond: {theme}",
                     f"Avond over {theme.lower()} voor huisartsen, POH's en "
                     f"partners in {name}, met een inleiding en gesprek in "
                     f"kleine groepen.\nOrganisatie: {welzijn['name']}.",
                     self.venue(), dt.datetime.combine(d, dt.time(19, 30)),
                     120)
        if rng.random() < 0.6:
            kind = rng.choice(["nieuwjaars", "zomer", "najaars"])
            d = self.single_date({"nieuwjaars": [1], "zomer": [6],
                                  "najaars": [11]}[kind], weekdays=(3, 4))
            self.add("borrel", f"{kind.capitalize()}borrel {name}",
                     f"Informele borrel voor iedereen die in {name} met "
                     f"zorg en welzijn bezig is.",
                     self.venue(), dt.datetime.combine(d, dt.time(17, 0)),
                     120)
        if rng.random() < 0.5:
            d = self.single_date([5, 6, 9])
            stops = [o["name"] for o in self.orgs if o["kind"] != "gemeente"]
            self.add("expeditie", f"Fietstocht langs de partners in {name}",
                     f"In gemengde groepen fietsen we langs de partners in de "
                     f"wijk; elke groep bezoekt alle stops.\nStops: "
                     f"{'; '.join(stops)}.\nNeem een fiets mee of leen er "
                     f"een bij de start.",
                     self.venue(), dt.datetime.combine(d, dt.time(13, 30)),
                     180)

        # Internal: evaluation of the collaboration, practice visits, HOED,
        # intervisie.
        d = self.single_date([1, 2])
        s = Series("MONTHLY", 3, d.weekday(), 2, d, 4)
        self.add("evaluatie", f"Evaluatie samenwerkingsverband {name}",
                 f"Evaluatie van de afspraken van het samenwerkingsverband "
                 f"(PDCA): wat loopt goed, wat passen we aan?\n"
                 f"Met de praktijkhouders, praktijkmanagers en "
                 f"{regio_name}.",
                 "Online (Microsoft Teams)",
                 dt.datetime.combine(s.dates()[0], dt.time(16, 0)), 60, s)
        for p in rng.sample(self.practices, min(len(self.practices),
                                                rng.choice([2, 3, 3, 4]))):
            d = self.single_date(list(range(1, 13)),
                                 weekdays=(0, 1, 2, 3, 4))
            self.add("praktijkbezoek", f"Praktijkbezoek {p['name']}",
                     f"Jaarlijks praktijkbezoek door {regio_name}: "
                     f"afspraken uit het samenwerkingsverband, "
                     f"vragenlijst en verbeterpunten.",
                     f"{p['name']}, {p['address']}",
                     dt.datetime.combine(d, dt.time(rng.choice([9, 13, 15]),
                                                    0)), 60)
        if rng.random() < 0.3:
            s = Series("MONTHLY", 1, 0, 1, dt.date(YEAR, 1, 1), 11)
            self.add("hoed", f"HOED-vergadering Gezondheidscentrum "
                     f"{w['part']}",
                     "Overleg van de praktijken onder één dak: gebouw, "
                     "roosters, gezamenlijke inkoop.",
                     self.at_practice(),
                     dt.datetime.combine(s.dates()[0], dt.time(12, 30)), 60,
                     s)
        if rng.random() < 0.5:
            d = self.single_date([1, 2])
            s = Series("WEEKLY", 6, d.weekday(), 0, d, 8)
            self.add("intervisie", f"Intervisie praktijkmanagers {name}",
                     "Intervisiegroep van de praktijkmanagers: casuïstiek "
                     "volgens de incidentmethode.",
                     self.at_practice(),
                     dt.datetime.combine(d, dt.time(14, 0)), 90, s)
        return self.events


# ---------------------------------------------------------------- writing

def ics_escape(s):
    return (s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fold(line):
    """Folds a content line at 75 octets, never inside a UTF-8 character."""
    b = line.encode()
    if len(b) <= 75:
        return line + "\r\n"
    out, cur, n = [], [], 0
    for ch in line:
        k = len(ch.encode())
        if n + k > (75 if not out else 74):
            out.append("".join(cur))
            cur, n = [], 0
        cur.append(ch)
        n += k
    out.append("".join(cur))
    return "\r\n ".join(out) + "\r\n"


def ics_local(s):
    return s.replace("-", "").replace(" ", "T").replace(":", "") + "00"


def ics_utc(s):
    return s.replace("-", "").replace(":", "")


def ics_end(start, minutes):
    t = dt.datetime.strptime(start, "%Y-%m-%d %H:%M")
    return fmt_local(t + dt.timedelta(minutes=minutes))


def vevent_lines(ev, override=None):
    o = override
    lines = ["BEGIN:VEVENT", f"UID:{ev['uid']}",
             f"DTSTAMP:{ics_utc((o or ev)['modified'])}",
             f"SEQUENCE:{(o or ev)['sequence']}"]
    if o:
        lines.append(f"RECURRENCE-ID;TZID={TZID}:"
                     f"{ics_local(o['recurrence_id'])}")
    start, dur = (o or ev)["start"], (o or ev)["duration"]
    lines.append(f"DTSTART;TZID={TZID}:{ics_local(start)}")
    lines.append(f"DTEND;TZID={TZID}:{ics_local(ics_end(start, dur))}")
    if not o and ev["rrule"]:
        lines.append(f"RRULE:{ev['rrule']}")
        if ev["exdates"]:
            lines.append(f"EXDATE;TZID={TZID}:" +
                         ",".join(ics_local(x) for x in ev["exdates"]))
    lines += [f"SUMMARY:{ics_escape(ev['title'])}",
              f"LOCATION:{ics_escape(ev['location'])}",
              f"DESCRIPTION:{ics_escape(ev['description'])}",
              "STATUS:CONFIRMED",
              f"LAST-MODIFIED:{ics_utc((o or ev)['modified'])}",
              "END:VEVENT"]
    return lines


def write_ics(path, events):
    out = ["BEGIN:VCALENDAR\r\n", "VERSION:2.0\r\n",
           "PRODID:-//wijkcal//bench gen.py//NL\r\n", "CALSCALE:GREGORIAN\r\n",
           VTIMEZONE]
    for ev in events:
        for line in vevent_lines(ev):
            out.append(fold(line))
        for o in ev["moved"]:
            for line in vevent_lines(ev, o):
                out.append(fold(line))
    out.append("END:VCALENDAR\r\n")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("".join(out))


def write_tsv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        for row in rows:
            assert not any("\t" in c or "\n" in c for c in row)
            f.write("\t".join(row) + "\n")


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)


# ---------------------------------------------------------------- main

def generate(scale, seed):
    conf = SCALES[scale]
    rng = random.Random(f"{seed}-{scale}")
    wijken = make_wijken(scale, rng)
    shares = split_total(rng, conf["practices"], len(wijken), 4)
    names = Names(random.Random(f"{seed}-{scale}-names"))

    regio_orgs = {}
    for w in wijken:
        if w["region"] not in regio_orgs:
            regio_orgs[w["region"]] = {
                "slug": f"regio-{slugify(w['region'])}",
                "name": f"Eerstelijnszorg {w['region']}",
                "kind": "regio-organisatie", "wijk": "",
                "staff": ("regio", 5)}

    practices, orgs, events, used = [], [], [], set()
    per_wijk = []
    for w, share in zip(wijken, shares):
        wrng = random.Random(f"{seed}-{w['slug']}")
        ps = make_practices(w, share, wrng, used)
        os_ = make_orgs(w, wrng)
        practices += ps
        orgs += os_
        per_wijk.append((w, ps, os_, wrng))
    orgs = list(regio_orgs.values()) + orgs

    # Persons: the organisations' staff first, then the practices share the
    # rest; some work at two places (same e-mail, two rows).
    rows = []
    for o in orgs:
        role, n = o["staff"]
        domain = f"{o['slug']}.nl"
        for _ in range(n):
            name, email = names.person(domain)
            big = names.big() if role == "apotheker" else ""
            rows.append([name, email, role, "", o["slug"], big])
    left = conf["persons"] - len(rows)
    staff = split_total(rng, left, len(practices), 3)
    by_wijk = {}
    for p, n in zip(practices, staff):
        by_wijk.setdefault(p["wijk"], []).append(p)
        for role in practice_roles(n):
            name, email = names.person(p["domain"])
            big = (names.big() if role in ("huisarts", "waarnemer") or
                   (role == "poh" and rng.random() < 0.5) else "")
            rows.append([name, email, role, p["slug"], "", big])
    wijk_of = {p["slug"]: p["wijk"] for p in practices}
    region_of = {w["slug"]: w["region"] for w in wijken}
    extra = []
    for r in rows:
        role, home = r[2], r[3]
        others = [x for x in by_wijk.get(wijk_of.get(home), [])
                  if x["slug"] != home]
        if role == "waarnemer" and others and rng.random() < 0.5:
            # A vaste waarnemer at a second practice of the same wijk.
            extra.append([r[0], r[1], "waarnemer", rng.choice(others)["slug"],
                          "", r[5]])
        elif role == "pm" and others and rng.random() < 0.1:
            extra.append([r[0], r[1], "pm", rng.choice(others)["slug"], "",
                          ""])
        elif role == "huisarts" and rng.random() < 0.01:
            # A kaderhuisarts who also works for the regional organisation.
            org = regio_orgs[region_of[wijk_of[home]]]["slug"]
            extra.append([r[0], r[1], "regio", "", org, r[5]])
    rows += extra

    for w, ps, os_, wrng in per_wijk:
        events += WijkEvents(w, ps, os_, wrng).build(
            regio_orgs[w["region"]]["name"])
    return wijken, practices, orgs, rows, events


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", choices=sorted(SCALES), required=True)
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--seed", type=int, default=2027)
    args = ap.parse_args()

    wijken, practices, orgs, persons, events = generate(args.scale,
                                                        args.seed)
    out = args.out
    os.makedirs(os.path.join(out, "events"), exist_ok=True)
    write_tsv(os.path.join(out, "wijken.tsv"),
              [[w["slug"], w["name"]] for w in wijken])
    write_tsv(os.path.join(out, "orgs.tsv"),
              [[o["slug"], o["name"], o["kind"], o["wijk"]] for o in orgs])
    write_csv(os.path.join(out, "practices.csv"),
              ["slug", "name", "wijk", "address"],
              [[p["slug"], p["name"], p["wijk"], p["address"]]
               for p in practices])
    write_csv(os.path.join(out, "persons.csv"),
              ["name", "email", "role", "practice", "org", "big"], persons)

    index = []
    groups = {}
    for ev in events:
        groups.setdefault((ev["wijk"], ev["kind"]), []).append(ev)
    for (wijk, kind), evs in groups.items():
        fname = f"{wijk}-{kind}.ics"
        write_ics(os.path.join(out, "events", fname), evs)
        index.append([fname, wijk, kind])
    write_tsv(os.path.join(out, "events", "index.tsv"), index)

    practices_of = {}
    for p in practices:
        practices_of.setdefault(p["wijk"], []).append(
            {"slug": p["slug"], "name": p["name"]})
    data = {
        "scale": args.scale, "seed": args.seed, "year": YEAR, "tzid": TZID,
        "kinds": {k: {"label": v[0], "public": v[1]}
                  for k, v in KINDS.items()},
        "wijken": [{"slug": w["slug"], "name": w["name"],
                    "practices": practices_of[w["slug"]]} for w in wijken],
        "events": events,
    }
    with open(os.path.join(out, "events.json"), "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.write("\n")

    n_override = sum(len(e["moved"]) for e in events)
    n_public = sum(e["public"] for e in events)
    print(f"{args.scale}: {len(wijken)} wijken, {len(practices)} practices, "
          f"{len(orgs)} orgs, {len({r[1] for r in persons})} persons "
          f"({len(persons)} rows), {len(events)} events "
          f"({n_public} public, {n_override} moved occurrences, "
          f"{len(index)} .ics files) in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
