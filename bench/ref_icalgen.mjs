#!/usr/bin/env node
// Reference renderer: wijkcal's public feeds, made with ical-generator.
//
//     node bench/ref_icalgen.mjs DATA_DIR OUT_DIR
//
// Reads DATA_DIR/events.json (written by gen.py) and writes the same feeds
// as ref_icalendar.py: OUT_DIR/feeds/wijk/SLUG.ics (the public events of the
// wijk) and OUT_DIR/feeds/practice/SLUG.ics (those of the practice's wijk).
// Every feed is built from the event data again: a new ICalCalendar, one
// createEvent() per series and per moved occurrence, toString(), a write.
//
// Times: ical-generator formats a native Date with a TZID from the Date's
// local fields, so this process runs in Europe/Amsterdam and builds each
// Date from the wall time.
import fs from 'node:fs';
import path from 'node:path';
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';

process.env.TZ = 'Europe/Amsterdam'; // before any Date is made

const TZID = 'Europe/Amsterdam';

// ical-generator takes a VTIMEZONE generator function; this one gives the
// compact form (one STANDARD and one DAYLIGHT rule with a yearly RRULE),
// like wijkcal and ref_icalendar.py, instead of a long list of transitions.
const VTIMEZONE = {
  'Europe/Amsterdam': [
    'BEGIN:VTIMEZONE', 'TZID:Europe/Amsterdam',
    'BEGIN:STANDARD', 'DTSTART:19701025T030000', 'TZOFFSETFROM:+0200',
    'TZOFFSETTO:+0100', 'TZNAME:CET', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
    'END:STANDARD',
    'BEGIN:DAYLIGHT', 'DTSTART:19700329T020000', 'TZOFFSETFROM:+0100',
    'TZOFFSETTO:+0200', 'TZNAME:CEST', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
    'END:DAYLIGHT', 'END:VTIMEZONE',
  ].join('\r\n'),
};
const vtimezone = (tz) => VTIMEZONE[tz] ?? null;

// "2027-03-09 12:30" as a Date at that wall time in the process zone.
function local(s) {
  const [d, t] = s.split(' ');
  const [y, mo, da] = d.split('-').map(Number);
  const [h, mi] = t.split(':').map(Number);
  return new Date(y, mo - 1, da, h, mi);
}

function plusMinutes(date, minutes) {
  // Wall-clock arithmetic: a series is defined in local time.
  const d = new Date(date);
  d.setMinutes(d.getMinutes() + minutes);
  return d;
}

// The RRULE forms gen.py writes (FREQ, INTERVAL, COUNT, BYDAY with an
// optional ordinal) as ical-generator repeating options; an ordinal weekday
// ("2TU") becomes BYDAY=TU;BYSETPOS=2, which means the same.
function repeating(rrule, exdates) {
  const r = {};
  if (exdates.length) r.exclude = exdates; // [] would give an empty EXDATE
  for (const part of rrule.split(';')) {
    const [k, v] = part.split('=');
    if (k === 'FREQ') r.freq = v;
    else if (k === 'INTERVAL') r.interval = Number(v);
    else if (k === 'COUNT') r.count = Number(v);
    else if (k === 'BYDAY') {
      const m = /^(-?\d)?([A-Z]{2})$/.exec(v);
      if (!m) throw new Error(`unsupported BYDAY ${v}`);
      r.byDay = [m[2]];
      if (m[1]) r.bySetPos = [Number(m[1])];
    } else throw new Error(`unsupported RRULE part ${part}`);
  }
  return r;
}

function load(file) {
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const e of data.events) {
    e.start = local(e.start);
    e.exdates = e.exdates.map(local);
    e.modified = new Date(e.modified);
    for (const m of e.moved) {
      m.recurrence_id = local(m.recurrence_id);
      m.start = local(m.start);
      m.modified = new Date(m.modified);
    }
  }
  return data;
}

function addEvent(cal, e, label, override) {
  const o = override ?? e;
  const ev = cal.createEvent({
    id: e.uid,
    sequence: o.sequence,
    stamp: o.modified,
    start: o.start,
    end: plusMinutes(o.start, o.duration),
    timezone: TZID,
    summary: e.title,
    location: e.location || null,
    description: e.description || null,
    status: ICalEventStatus.CONFIRMED,
    categories: [{ name: label }],
    lastModified: o.modified,
  });
  if (override) ev.recurrenceId(override.recurrence_id);
  else if (e.rrule) ev.repeating(repeating(e.rrule, e.exdates));
}

function renderFeed(calname, events, kinds) {
  // The calendar's timezone name stays null: with a name set, ical-generator
  // writes DTSTAMP and LAST-MODIFIED as local times without 'Z'. The
  // generator still emits the VTIMEZONE for the events' TZID.
  const cal = ical({
    prodId: { company: 'wijkcal', product: 'bench reference ical-generator',
      language: 'NL' },
    method: ICalCalendarMethod.PUBLISH,
    name: calname,
    ttl: 3600,
    timezone: { name: null, generator: vtimezone },
  });
  cal.x('X-WR-TIMEZONE', TZID);
  for (const e of events) {
    const label = kinds[e.kind].label;
    addEvent(cal, e, label);
    for (const m of e.moved) addEvent(cal, e, label, m);
  }
  return cal.toString();
}

function main() {
  if (process.argv.length !== 4) {
    console.error('usage: ref_icalgen.mjs DATA_DIR OUT_DIR');
    process.exit(64);
  }
  const data = load(path.join(process.argv[2], 'events.json'));
  const out = process.argv[3];
  fs.mkdirSync(path.join(out, 'feeds', 'wijk'), { recursive: true });
  fs.mkdirSync(path.join(out, 'feeds', 'practice'), { recursive: true });

  const pub = new Map();
  for (const e of data.events) {
    if (!e.public) continue;
    if (!pub.has(e.wijk)) pub.set(e.wijk, []);
    pub.get(e.wijk).push(e);
  }
  for (const evs of pub.values()) {
    evs.sort((a, b) => a.start - b.start || (a.uid < b.uid ? -1 : 1));
  }

  let nfeeds = 0;
  let nbytes = 0;
  const write = (file, text) => {
    const buf = Buffer.from(text, 'utf8');
    fs.writeFileSync(file, buf);
    nfeeds += 1;
    nbytes += buf.length;
  };
  for (const w of data.wijken) {
    const evs = pub.get(w.slug) ?? [];
    write(path.join(out, 'feeds', 'wijk', `${w.slug}.ics`),
      renderFeed(`Wijkagenda ${w.name}`, evs, data.kinds));
    for (const p of w.practices) {
      write(path.join(out, 'feeds', 'practice', `${p.slug}.ics`),
        renderFeed(`Wijkagenda ${p.name}`, evs, data.kinds));
    }
  }
  console.error(`ical-generator: ${nfeeds} feeds, ${nbytes} bytes`);
}

main();
