#!/usr/bin/env node
// icaljs_parse.mjs FILE.ics: read an iCalendar file with ical.js (npm).
//
// The second, independent reader beside check_ics.py: the same structural
// checks (CRLF, lines of at most 75 octets, folds that never split a UTF-8
// character, a VTIMEZONE for every TZID used) and the same JSON summary on
// stdout, key for key and in the same value formats, so tests can compare
// the two outputs directly. Exits 1 with a message on stderr on a parse
// problem or a structural violation, 2 on bad usage.
//
// Install once with `npm install --prefix tests/tools`.
import { readFileSync } from 'node:fs';

let ICAL;
try {
	ICAL = (await import('ical.js')).default;
} catch {
	process.stderr.write('icaljs_parse.mjs: ical.js is not installed; run npm install --prefix tests/tools\n');
	process.exit(2);
}

class Problem extends Error {}

// ---- structure, on the raw bytes ----

function physicalLines(buf) {
	const n = buf.length;
	if (n < 2 || buf[n - 2] !== 0x0d || buf[n - 1] !== 0x0a)
		throw new Problem('the file does not end with CRLF');
	const lines = [];
	let start = 0;
	for (let i = 0; i < n; i++) {
		if (buf[i] === 0x0a && (i === 0 || buf[i - 1] !== 0x0d))
			throw new Problem(`line ${lines.length + 1}: bare LF (lines must end with CRLF)`);
		if (buf[i] === 0x0d && buf[i + 1] !== 0x0a)
			throw new Problem(`line ${lines.length + 1}: bare CR`);
		if (buf[i] === 0x0a) {
			lines.push(buf.subarray(start, i - 1));
			start = i + 1;
		}
	}
	return lines;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function checkLines(lines) {
	lines.forEach((line, i) => {
		if (line.length > 75)
			throw new Problem(`line ${i + 1}: ${line.length} octets, more than 75`);
		try {
			strictUtf8.decode(line);
		} catch {
			throw new Problem(`line ${i + 1}: a fold splits a UTF-8 character (or the line is not UTF-8)`);
		}
	});
}

function unfold(lines) {
	const out = [];
	for (const raw of lines) {
		const line = strictUtf8.decode(raw);
		if ((line[0] === ' ' || line[0] === '\t') && out.length)
			out[out.length - 1] += line.slice(1);
		else
			out.push(line);
	}
	return out;
}

// The part of a content line before the value: up to the first colon
// outside a quoted parameter value.
function nameAndParams(line) {
	let quoted = false;
	for (let i = 0; i < line.length; i++) {
		if (line[i] === '"')
			quoted = !quoted;
		else if (line[i] === ':' && !quoted)
			return line.slice(0, i);
	}
	return line;
}

function checkTimezones(logical) {
	const used = new Set(), defined = new Set();
	for (const line of logical) {
		for (const m of nameAndParams(line).matchAll(/;TZID=("[^"]*"|[^;]*)/gi))
			used.add(m[1].replace(/^"|"$/g, ''));
		if (line.toUpperCase().startsWith('TZID:'))
			defined.add(line.slice(5));
	}
	const missing = [...used].filter((t) => !defined.has(t)).sort();
	if (missing.length)
		throw new Problem(`no VTIMEZONE for TZID ${missing.join(', ')}`);
	return [...defined].sort();
}

// ---- values ----

const pad = (n, w = 2) => String(n).padStart(w, '0');

function isoTime(t, tzid) {
	const date = `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`;
	if (t.isDate)
		return date;
	const base = `${date}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
	if (t.zone === ICAL.Timezone.utcTimezone)
		return `${base}Z`;
	if (!tzid)
		return base;
	const off = Math.trunc(t.utcOffset() / 60);
	const sign = off >= 0 ? '+' : '-';
	const a = Math.abs(off);
	return `${base}${sign}${pad(Math.trunc(a / 60))}:${pad(a % 60)}[${tzid}]`;
}

function propTime(comp, name) {
	const prop = comp.getFirstProperty(name);
	if (!prop)
		return null;
	return isoTime(prop.getFirstValue(), prop.getParameter('tzid'));
}

function untilText(t) {
	const d = `${pad(t.year, 4)}${pad(t.month)}${pad(t.day)}`;
	if (t.isDate)
		return d;
	const s = `${d}T${pad(t.hour)}${pad(t.minute)}${pad(t.second)}`;
	return t.zone === ICAL.Timezone.utcTimezone ? `${s}Z` : s;
}

const weekdays = ['', 'SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

function rruleText(comp) {
	const prop = comp.getFirstProperty('rrule');
	if (!prop)
		return null;
	const r = prop.getFirstValue();
	const parts = {};
	if (r.count)
		parts.COUNT = String(r.count);
	if (r.interval && r.interval !== 1)
		parts.INTERVAL = String(r.interval);
	if (r.until)
		parts.UNTIL = untilText(r.until);
	if (r.wkst && weekdays[r.wkst] !== 'MO')
		parts.WKST = weekdays[r.wkst];
	for (const [key, values] of Object.entries(r.parts))
		parts[key.toUpperCase()] = values
			.map((v) => String(v).toUpperCase().replace(/^\+/, ''))
			.join(',');
	const keys = Object.keys(parts).sort();
	return [`FREQ=${r.freq}`, ...keys.map((k) => `${k}=${parts[k]}`)].join(';');
}

function exdates(comp) {
	const out = [];
	for (const prop of comp.getAllProperties('exdate'))
		for (const v of prop.getValues())
			out.push(isoTime(v, prop.getParameter('tzid')));
	return out.sort();
}

const text = (comp, name) => {
	const v = comp.getFirstPropertyValue(name);
	return v === null || v === undefined ? null : String(v);
};

function mailto(value) {
	const s = String(value);
	return s.toLowerCase().startsWith('mailto:') ? s.slice(7) : s;
}

function person(prop, withRole) {
	const out = { email: mailto(prop.getFirstValue()), cn: prop.getParameter('cn') ?? null };
	if (withRole) {
		out.role = prop.getParameter('role') ?? null;
		out.partstat = prop.getParameter('partstat') ?? null;
	}
	return out;
}

function categories(comp) {
	return comp.getAllProperties('categories').flatMap((p) => p.getValues().map(String));
}

function alarms(comp) {
	return comp.getAllSubcomponents('valarm').map((a) => {
		const trig = a.getFirstPropertyValue('trigger');
		const seconds = trig instanceof ICAL.Duration ? trig.toSeconds() : null;
		return { action: text(a, 'action'), trigger_seconds: seconds };
	});
}

function summarise(ev) {
	const uid = text(ev, 'uid');
	if (uid === null || !ev.getFirstProperty('dtstart'))
		throw new Problem('a VEVENT without UID or DTSTART');
	const org = ev.getFirstProperty('organizer');
	const seq = ev.getFirstPropertyValue('sequence');
	return {
		uid,
		recurrence_id: propTime(ev, 'recurrence-id'),
		summary: text(ev, 'summary'),
		location: text(ev, 'location'),
		description: text(ev, 'description'),
		dtstart: propTime(ev, 'dtstart'),
		dtend: propTime(ev, 'dtend'),
		sequence: seq === null ? 0 : Number(seq),
		status: text(ev, 'status'),
		categories: categories(ev),
		url: text(ev, 'url'),
		rrule: rruleText(ev),
		exdates: exdates(ev),
		organizer: org ? person(org, false) : null,
		attendees: ev.getAllProperties('attendee').map((a) => person(a, true)),
		alarms: alarms(ev),
	};
}

// The offset (minutes east of UTC) of an IANA zone at an instant, from
// node's own time zone data; null if node does not know the zone.
function ianaOffset(tzid, utcMillis) {
	let parts;
	try {
		parts = new Intl.DateTimeFormat('en-US', { timeZone: tzid, timeZoneName: 'longOffset' })
			.formatToParts(new Date(utcMillis));
	} catch {
		return null;
	}
	const name = parts.find((p) => p.type === 'timeZoneName').value;
	const m = /^GMT(?:([+-])(\d\d):(\d\d))?$/.exec(name);
	if (!m)
		return null;
	return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

// The file's VTIMEZONE must give the offsets of the IANA zone of the same
// name (checked up to 2037, like check_ics.py).
function checkZoneOffsets(events) {
	const re = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)([+-])(\d\d):(\d\d)\[(.*)\]$/;
	for (const ev of events) {
		for (const value of [ev.dtstart, ev.dtend, ev.recurrence_id, ...ev.exdates]) {
			const m = re.exec(value ?? '');
			if (!m || Number(m[1]) > 2037)
				continue;
			const own = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
			const wall = Date.UTC(m[1], m[2] - 1, m[3], m[4], m[5], m[6]);
			const iana = ianaOffset(m[10], wall - own * 60000);
			if (iana !== null && iana !== own)
				throw new Problem(`VTIMEZONE ${m[10]} gives ${own} minutes at ${value}, the IANA zone ${iana}`);
		}
	}
}

function sortKey(a, b) {
	const ka = [a.uid, a.recurrence_id ?? ''], kb = [b.uid, b.recurrence_id ?? ''];
	for (let i = 0; i < 2; i++)
		if (ka[i] !== kb[i])
			return ka[i] < kb[i] ? -1 : 1;
	return 0;
}

// JSON.stringify with keys sorted at every level, like Python's
// json.dump(sort_keys=True, indent=1), so both tools print the same text.
function sortedJson(value) {
	if (Array.isArray(value))
		return value.map(sortedJson);
	if (value && typeof value === 'object')
		return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedJson(value[k])]));
	return value;
}

function check(path) {
	const buf = readFileSync(path);
	const lines = physicalLines(buf);
	checkLines(lines);
	const tzids = checkTimezones(unfold(lines));
	let cal;
	try {
		cal = new ICAL.Component(ICAL.parse(buf.toString('utf-8')));
	} catch (e) {
		throw new Problem(`ical.js cannot parse it: ${e.message}`);
	}
	if (cal.name !== 'vcalendar')
		throw new Problem(`the top component is ${cal.name.toUpperCase()}, not VCALENDAR`);
	for (const vtz of cal.getAllSubcomponents('vtimezone'))
		ICAL.TimezoneService.register(vtz);
	const events = cal.getAllSubcomponents('vevent').map(summarise).sort(sortKey);
	checkZoneOffsets(events);
	return {
		calendar: {
			name: text(cal, 'x-wr-calname'),
			method: text(cal, 'method'),
			timezones: tzids,
		},
		events,
	};
}

function main(argv) {
	if (argv.length !== 1) {
		process.stderr.write('usage: node icaljs_parse.mjs FILE.ics\n');
		return 2;
	}
	try {
		const summary = check(argv[0]);
		process.stdout.write(JSON.stringify(sortedJson(summary), null, 1) + '\n');
		return 0;
	} catch (e) {
		// A Problem, a file that cannot be read, or ical.js choking on a value.
		const what = e instanceof Problem ? '' : `cannot read it: ${e.name}: `;
		process.stderr.write(`icaljs_parse.mjs: ${argv[0]}: ${what}${e.message}\n`);
		return 1;
	}
}

process.exitCode = main(process.argv.slice(2));
