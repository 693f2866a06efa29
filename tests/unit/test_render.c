/*
 * Tests for feeds/render: the fields of each kind of event, who sees which
 * e-mail addresses, the compact VTIMEZONE, the wire format (CRLF, 75-octet
 * folds that keep UTF-8 characters whole, escaping), byte-for-byte stable
 * output, and a feed read back by python3-icalendar and ical.js.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "feeds/render.h"

/* ---- helpers ---- */

/* Undoes the folding: drops every CRLF followed by a space. */
static char *unfold(const char *text)
{
	struct strbuf b = {0};
	for (const char *p = text; *p; p++) {
		if (p[0] == '\r' && p[1] == '\n' && p[2] == ' ') {
			p += 2;
			continue;
		}
		strbuf_appendc(&b, *p);
	}
	return strbuf_take(&b);
}

/* How many unfolded lines are exactly `line`. */
static int count_line(const char *text, const char *line)
{
	char *u = unfold(text);
	size_t n = strlen(line);
	int count = 0;
	for (const char *p = u; *p;) {
		const char *end = strstr(p, "\r\n");
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && memcmp(p, line, n) == 0)
			count++;
		p += len + (end ? 2 : 0);
	}
	free(u);
	return count;
}

/* How many unfolded lines start with `prefix`. */
static int count_prefix(const char *text, const char *prefix)
{
	char *u = unfold(text);
	int count = 0;
	size_t n = strlen(prefix);
	for (const char *p = u; p && *p;) {
		if (strncmp(p, prefix, n) == 0)
			count++;
		p = strstr(p, "\r\n");
		p = p ? p + 2 : NULL;
	}
	free(u);
	return count;
}

/* CRLF only, every physical line at most 75 octets and valid UTF-8 on its
 * own (so no fold split a character). */
static void assert_wire_format(const char *text)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true(nl > p && nl[-1] == '\r');
		size_t len = (size_t)(nl - 1 - p);
		if (len > 75)
			fail_msg("line of %zu octets: %.*s", len, (int)len, p);
		assert_null(memchr(p, '\r', len));
		if (!utf8_valid(p, len))
			fail_msg("fold splits a character: %.*s", (int)len, p);
		p = nl + 1;
	}
}

static struct event sample_event(void)
{
	struct event e = {
	    .uid = "wk-20270112-hagro-noord",
	    .kind = "hagro",
	    .wijk = "noord",
	    .title = "Hagro Noord",
	    .description = "Casuïstiek en afspraken",
	    .location = "Gezondheidscentrum De Linde, Utrecht",
	    .url = "https://wijk.example.nl/e/12",
	    .organizer = "secretaris@hagro-noord.nl",
	    .start = {2027, 1, 12, 12, 30, false},
	    .duration_min = 90,
	    .tzid = "Europe/Amsterdam",
	    .points = -1,
	    .capacity = -1,
	    .sequence = 2,
	    .created = 1790000000,  /* 2026-09-21T14:13:20Z */
	    .modified = 1795000000, /* 2026-11-18T11:06:40Z */
	};
	return e;
}

static const struct render_event_opts public_opts = {.audience = RENDER_PUBLIC};

/* Wraps blocks in a calendar and lets libical read them back. */
static icalcomponent *parse_block(const char *block)
{
	char *text = xasprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n%s"
	                       "END:VCALENDAR\r\n",
	                       block);
	icalcomponent *c = icalparser_parse_string(text);
	free(text);
	assert_non_null(c);
	return c;
}

/* ---- fields ---- */

static void test_timed_event_fields(void **state)
{
	struct event e = sample_event();
	char *b = render_event(&e, &public_opts);
	assert_wire_format(b);
	assert_int_equal(count_line(b, "BEGIN:VEVENT"), 1);
	assert_int_equal(count_line(b, "UID:wk-20270112-hagro-noord"), 1);
	assert_int_equal(count_line(b, "DTSTAMP:20261118T110640Z"), 1);
	assert_int_equal(count_line(b, "LAST-MODIFIED:20261118T110640Z"), 1);
	assert_int_equal(count_line(b, "CREATED:20260921T141320Z"), 1);
	assert_int_equal(count_line(b, "SEQUENCE:2"), 1);
	assert_int_equal(
	    count_line(b, "DTSTART;TZID=Europe/Amsterdam:20270112T123000"), 1);
	assert_int_equal(
	    count_line(b, "DTEND;TZID=Europe/Amsterdam:20270112T140000"), 1);
	assert_int_equal(count_line(b, "SUMMARY:Hagro Noord"), 1);
	assert_int_equal(
	    count_line(b, "LOCATION:Gezondheidscentrum De Linde\\, Utrecht"),
	    1);
	assert_int_equal(count_line(b, "DESCRIPTION:Casuïstiek en afspraken"),
	                 1);
	assert_int_equal(count_line(b, "URL:https://wijk.example.nl/e/12"), 1);
	assert_int_equal(count_line(b, "STATUS:CONFIRMED"), 1);
	assert_int_equal(count_line(b, "CATEGORIES:hagro"), 1);
	assert_int_equal(count_prefix(b, "RRULE"), 0);
	assert_int_equal(count_prefix(b, "BEGIN:VALARM"), 0);
	assert_null(strstr(b, "freeassociation"));
	free(b);
}

static void test_description_lines(void **state)
{
	struct event e = sample_event();
	e.online_url = "https://meet.example.nl/hagro";
	e.points = 2;
	e.capacity = 20;
	char *b = render_event(&e, &public_opts);
	assert_int_equal(
	    count_line(b, "DESCRIPTION:Casuïstiek en afspraken\\n\\nOnline "
	                  "deelnemen: https://meet.example.nl/hagro\\n"
	                  "Accreditatie: 2 punten\\nMaximaal 20 deelnemers"),
	    1);
	free(b);
	e.description = NULL;
	e.online_url = NULL;
	e.points = 1;
	e.capacity = -1;
	b = render_event(&e, &public_opts);
	assert_int_equal(count_line(b, "DESCRIPTION:Accreditatie: 1 punt"), 1);
	free(b);
	e.points = -1;
	b = render_event(&e, &public_opts);
	assert_int_equal(count_prefix(b, "DESCRIPTION"), 0);
	free(b);
}

static void test_all_day_event(void **state)
{
	struct event e = sample_event();
	e.start = (struct wtime){2027, 3, 1, 0, 0, true};
	e.duration_min = 2 * 1440;
	char *b = render_event(&e, &public_opts);
	assert_int_equal(count_line(b, "DTSTART;VALUE=DATE:20270301"), 1);
	assert_int_equal(count_line(b, "DTEND;VALUE=DATE:20270303"), 1);
	assert_int_equal(count_prefix(b, "DTSTART;TZID"), 0);
	free(b);
}

static void test_utc_event(void **state)
{
	struct event e = sample_event();
	e.tzid = "UTC";
	char *b = render_event(&e, &public_opts);
	assert_int_equal(count_line(b, "DTSTART:20270112T123000Z"), 1);
	assert_int_equal(count_line(b, "DTEND:20270112T140000Z"), 1);
	free(b);
}

/* A record missing fields the store always fills renders what it has. */
static void test_missing_fields(void **state)
{
	struct event e = {.uid = "x",
	                  .start = {2027, 1, 12, 12, 30, false},
	                  .duration_min = 60,
	                  .points = -1,
	                  .capacity = -1};
	struct render_event_opts o = {.audience = RENDER_PERSONAL,
	                              .alarm_minutes = 5};
	char *b = render_event(&e, &o);
	assert_wire_format(b);
	assert_int_equal(
	    count_line(b, "DTSTART;TZID=Europe/Amsterdam:20270112T123000"), 1);
	assert_int_equal(count_prefix(b, "SUMMARY"), 0);
	assert_int_equal(count_prefix(b, "ORGANIZER"), 0);
	assert_int_equal(count_prefix(b, "ATTENDEE"), 0);
	free(b);
}

/* A monthly series (second Tuesday) with two cancelled occurrences and one
 * moved one; changes deliberately out of order. */
static struct event_change series_changes[3];

static struct event series_event(void)
{
	struct event e = sample_event();
	e.rrule = "FREQ=MONTHLY;BYDAY=2TU;COUNT=10";
	series_changes[0] = (struct event_change){
	    .exc = {.recurrence_id = {2027, 4, 13, 12, 30, false},
	            .cancelled = true},
	    .sequence = 3,
	    .modified = 1796000000};
	series_changes[1] = (struct event_change){
	    .exc = {.recurrence_id = {2027, 3, 9, 12, 30, false},
	            .start = {2027, 3, 11, 14, 0, false},
	            .duration_min = 120},
	    .sequence = 1, /* below the series': must not show */
	    .modified = 1797000000};
	series_changes[2] = (struct event_change){
	    .exc = {.recurrence_id = {2027, 2, 9, 12, 30, false},
	            .cancelled = true},
	    .sequence = 3,
	    .modified = 1796000000};
	e.changes = series_changes;
	e.nchanges = 3;
	return e;
}

static void test_series_exdates_and_moved(void **state)
{
	struct event e = series_event();
	char *b = render_event(&e, &public_opts);
	assert_wire_format(b);
	assert_int_equal(count_line(b, "BEGIN:VEVENT"), 2);
	assert_int_equal(count_line(b, "UID:wk-20270112-hagro-noord"), 2);
	assert_int_equal(count_line(b, "RRULE:FREQ=MONTHLY;COUNT=10;BYDAY=2TU"),
	                 1);
	const char *ex1 = "EXDATE;TZID=Europe/Amsterdam:20270209T123000";
	const char *ex2 = "EXDATE;TZID=Europe/Amsterdam:20270413T123000";
	assert_int_equal(count_line(b, ex1), 1);
	assert_int_equal(count_line(b, ex2), 1);
	assert_true(strstr(b, ex1) < strstr(b, ex2)); /* sorted */
	assert_int_equal(
	    count_line(b,
	               "RECURRENCE-ID;TZID=Europe/Amsterdam:20270309T123000"),
	    1);
	assert_int_equal(
	    count_line(b, "DTSTART;TZID=Europe/Amsterdam:20270311T140000"), 1);
	assert_int_equal(
	    count_line(b, "DTEND;TZID=Europe/Amsterdam:20270311T160000"), 1);
	/* The override: its own DTSTAMP, and SEQUENCE never below 2. */
	assert_int_equal(count_line(b, "DTSTAMP:20261211T144000Z"), 1);
	assert_int_equal(count_line(b, "SEQUENCE:2"), 2);
	/* The override comes after the master. */
	assert_true(strstr(b, "RRULE:") < strstr(b, "RECURRENCE-ID"));
	free(b);
}

static void test_override_sequence_above_series(void **state)
{
	struct event e = series_event();
	series_changes[1].sequence = 7;
	char *b = render_event(&e, &public_opts);
	assert_int_equal(count_line(b, "SEQUENCE:7"), 1);
	assert_int_equal(count_line(b, "SEQUENCE:2"), 1);
	free(b);
}

static void test_all_day_series_exdate(void **state)
{
	struct event e = series_event();
	e.start = (struct wtime){2027, 1, 12, 0, 0, true};
	e.duration_min = 1440;
	series_changes[1].exc.start = (struct wtime){2027, 3, 11, 0, 0, true};
	series_changes[1].exc.duration_min = 1440;
	char *b = render_event(&e, &public_opts);
	assert_int_equal(count_line(b, "EXDATE;VALUE=DATE:20270209"), 1);
	assert_int_equal(count_line(b, "RECURRENCE-ID;VALUE=DATE:20270309"), 1);
	assert_int_equal(count_line(b, "DTSTART;VALUE=DATE:20270311"), 1);
	free(b);
}

static void test_cancelled_event(void **state)
{
	struct event e = series_event();
	e.cancelled = true;
	struct render_event_opts o = {.audience = RENDER_INTERNAL,
	                              .alarm_minutes = 30};
	char *b = render_event(&e, &o);
	assert_int_equal(count_line(b, "STATUS:CANCELLED"), 2);
	assert_int_equal(count_prefix(b, "STATUS:CONFIRMED"), 0);
	assert_int_equal(count_prefix(b, "BEGIN:VALARM"), 0);
	free(b);
}

/* ---- who sees which addresses ---- */

static void test_public_has_no_email(void **state)
{
	struct event e = series_event();
	struct render_event_opts o = {.audience = RENDER_PUBLIC,
	                              .organizer_default = "wijk@example.nl",
	                              .organizer_name = "Wijkteam",
	                              .attendee_email = "piet@example.nl",
	                              .attendee_name = "Piet",
	                              .alarm_minutes = 15};
	char *b = render_event(&e, &o);
	assert_null(strchr(b, '@'));
	assert_null(strstr(b, "mailto"));
	assert_null(strstr(b, "Wijkteam"));
	assert_int_equal(count_prefix(b, "ORGANIZER"), 0);
	assert_int_equal(count_prefix(b, "ATTENDEE"), 0);
	free(b);
	e.organizer = NULL;
	b = render_event(&e, &o);
	assert_null(strchr(b, '@'));
	free(b);
}

static void test_internal_has_organizer(void **state)
{
	struct event e = sample_event();
	struct render_event_opts o = {.audience = RENDER_INTERNAL,
	                              .organizer_name = "Hagro Noord",
	                              .attendee_email = "piet@example.nl"};
	char *b = render_event(&e, &o);
	assert_int_equal(count_line(b, "ORGANIZER;CN=Hagro Noord:mailto:"
	                               "secretaris@hagro-noord.nl"),
	                 1);
	assert_int_equal(count_prefix(b, "ATTENDEE"), 0);
	free(b);
	e.organizer = NULL;
	o.organizer_default = "wijk@example.nl";
	o.organizer_name = NULL;
	b = render_event(&e, &o);
	assert_int_equal(count_line(b, "ORGANIZER:mailto:wijk@example.nl"), 1);
	free(b);
}

static void test_personal_has_one_attendee(void **state)
{
	struct event e = series_event();
	struct render_event_opts o = {.audience = RENDER_PERSONAL,
	                              .attendee_email = "piet@example.nl",
	                              .attendee_name = "Piet de Vries"};
	char *b = render_event(&e, &o);
	const char *line = "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-"
	                   "ACTION;CN=Piet de Vries:mailto:piet@example.nl";
	/* One per VEVENT: the series and its moved occurrence. */
	assert_int_equal(count_line(b, line), 2);
	assert_int_equal(count_prefix(b, "ATTENDEE"), 2);
	assert_int_equal(count_line(b, "ORGANIZER:mailto:secretaris@hagro-"
	                               "noord.nl"),
	                 2);
	free(b);
}

static void test_alarm(void **state)
{
	struct event e = sample_event();
	struct render_event_opts o = {.audience = RENDER_PUBLIC,
	                              .alarm_minutes = 15};
	char *b = render_event(&e, &o);
	assert_int_equal(count_line(b, "BEGIN:VALARM"), 1);
	assert_int_equal(count_line(b, "ACTION:DISPLAY"), 1);
	assert_int_equal(count_line(b, "TRIGGER:-PT15M"), 1);
	assert_int_equal(count_line(b, "DESCRIPTION:Hagro Noord"), 1);
	assert_int_equal(count_line(b, "END:VALARM"), 1);
	free(b);
}

/* ---- stable bytes ---- */

static void test_same_bytes_twice(void **state)
{
	struct event e = series_event();
	struct render_event_opts o = {.audience = RENDER_PERSONAL,
	                              .attendee_email = "piet@example.nl",
	                              .alarm_minutes = 10};
	char *a = render_event(&e, &o);
	sleep(1); /* a clock in the output would now show */
	char *b = render_event(&e, &o);
	assert_string_equal(a, b);
	const char *tz[] = {"Europe/Amsterdam"};
	const char *blocks[] = {a, b};
	struct render_feed_opts fo = {.calname = "Noord",
	                              .refresh_minutes = 30};
	size_t n1, n2;
	char *f1 = render_feed(&fo, tz, 1, blocks, 2, &n1);
	char *f2 = render_feed(&fo, tz, 1, blocks, 2, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(f1, f2, n1);
	free(f1);
	free(f2);
	free(a);
	free(b);
}

/* ---- wire format ---- */

static const char *long_dutch =
    "Wij nodigen alle huisartsen, POH’s en praktijkmanagers uit voor de "
    "‘wijklunch’ in café De Brücke; we bespreken de coöperatie, de "
    "naïeve ideeën van het jaarplan én de financiën 😀🎉.\n"
    "Tweede alinea: één, twee; drie – vier “vijf” ëëëëëëëëëëëëëëëëëëëëëë"
    "ëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëë😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀"
    "\\ backslash, komma, puntkomma; dubbelepunt: einde.";

static void test_fold_long_utf8(void **state)
{
	struct event e = sample_event();
	e.description = (char *)long_dutch;
	e.title = "Scholing ‘Diabetes’ – één middag voor huisartsen en POH’s "
	          "uit de wijk Noord-Oost, met lunch 😀";
	char *b = render_event(&e, &public_opts);
	assert_wire_format(b);
	icalcomponent *cal = parse_block(b);
	icalcomponent *v =
	    icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	assert_string_equal(icalcomponent_get_description(v), long_dutch);
	assert_string_equal(icalcomponent_get_summary(v), e.title);
	icalcomponent_free(cal);
	free(b);
}

/* Random text of multibyte characters and escapes, folded at every
 * possible position: always whole characters, always read back the same. */
static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void random_text(char *buf, size_t max, bool newlines)
{
	static const char *const pieces[] = {"a",  "b",  " ", "é", "ë", "‘",
	                                     "’",  "😀",  ",", ";", ":", "\\",
	                                     "\n", "中", "ß", "x", "  "};
	size_t n = 0, want = 1 + rng() % (max - 8);
	while (n < want) {
		const char *p = pieces[rng() % ARRAY_SIZE(pieces)];
		if (!newlines && *p == '\n')
			continue;
		size_t len = strlen(p);
		memcpy(buf + n, p, len);
		n += len;
	}
	buf[n] = '\0';
	/* Text fields are trimmed where they are entered. */
	if (buf[0] == ' ')
		buf[0] = 'x';
	if (buf[n - 1] == ' ')
		buf[n - 1] = 'x';
}

static void test_fold_random_text(void **state)
{
	for (int i = 0; i < 400; i++) {
		char desc[600], loc[300];
		random_text(desc, sizeof(desc), true);
		random_text(loc, sizeof(loc), false);
		struct event e = sample_event();
		e.description = desc;
		e.location = loc;
		char *b = render_event(&e, &public_opts);
		assert_wire_format(b);
		icalcomponent *cal = parse_block(b);
		icalcomponent *v = icalcomponent_get_first_component(
		    cal, ICAL_VEVENT_COMPONENT);
		assert_string_equal(icalcomponent_get_description(v), desc);
		assert_string_equal(icalcomponent_get_location(v), loc);
		icalcomponent_free(cal);
		free(b);
	}
}

/* ---- VTIMEZONE ---- */

static void test_vtimezone_amsterdam(void **state)
{
	char *v = render_vtimezone("Europe/Amsterdam");
	assert_non_null(v);
	assert_string_equal(v, "BEGIN:VTIMEZONE\r\n"
	                       "TZID:Europe/Amsterdam\r\n"
	                       "BEGIN:STANDARD\r\n"
	                       "DTSTART:19701025T030000\r\n"
	                       "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"
	                       "TZNAME:CET\r\n"
	                       "TZOFFSETFROM:+0200\r\n"
	                       "TZOFFSETTO:+0100\r\n"
	                       "END:STANDARD\r\n"
	                       "BEGIN:DAYLIGHT\r\n"
	                       "DTSTART:19700329T020000\r\n"
	                       "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
	                       "TZNAME:CEST\r\n"
	                       "TZOFFSETFROM:+0100\r\n"
	                       "TZOFFSETTO:+0200\r\n"
	                       "END:DAYLIGHT\r\n"
	                       "END:VTIMEZONE\r\n");
	free(v);
}

static void assert_compact(const char *v, const char *tzid)
{
	char *line = xasprintf("TZID:%s", tzid);
	assert_int_equal(count_line(v, line), 1);
	free(line);
	assert_null(strstr(v, "UNTIL"));
	assert_null(strstr(v, "RDATE"));
	assert_null(strstr(v, "freeassociation"));
	assert_wire_format(v);
}

static void test_vtimezone_other_zones(void **state)
{
	char *v = render_vtimezone("America/New_York");
	assert_compact(v, "America/New_York");
	assert_int_equal(count_line(v, "DTSTART:19700308T020000"), 1);
	assert_int_equal(count_line(v, "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"),
	                 1);
	assert_int_equal(count_line(v, "DTSTART:19701101T020000"), 1);
	free(v);
	/* Southern hemisphere: daylight time starts in October. */
	v = render_vtimezone("Australia/Sydney");
	assert_compact(v, "Australia/Sydney");
	assert_true(strstr(v, "BEGIN:DAYLIGHT\r\nDTSTART:19701004T020000"));
	free(v);
	/* tzdata gives Ireland a negative saving; Outlook's labels win. */
	v = render_vtimezone("Europe/Dublin");
	assert_compact(v, "Europe/Dublin");
	assert_true(strstr(v, "BEGIN:DAYLIGHT\r\nDTSTART:19700329T010000"));
	assert_int_equal(count_line(v, "TZNAME:IST"), 1);
	free(v);
	/* libical's own DTSTART for this rule is broken (2038 overflow). */
	v = render_vtimezone("Pacific/Chatham");
	assert_compact(v, "Pacific/Chatham");
	assert_int_equal(count_line(v, "DTSTART:19700927T024500"), 1);
	free(v);
}

static void test_vtimezone_without_dst(void **state)
{
	char *v = render_vtimezone("Asia/Tokyo");
	assert_compact(v, "Asia/Tokyo");
	assert_int_equal(count_line(v, "BEGIN:STANDARD"), 1);
	assert_int_equal(count_prefix(v, "BEGIN:DAYLIGHT"), 0);
	assert_int_equal(count_line(v, "TZOFFSETTO:+0900"), 1);
	assert_int_equal(count_line(v, "TZNAME:JST"), 1);
	free(v);
	assert_null(render_vtimezone("Europe/Nowhere"));
	assert_null(render_vtimezone("../../../etc/passwd"));
	assert_null(render_vtimezone(""));
}

/* ---- the feed ---- */

static void test_feed_layout(void **state)
{
	const char *tz[] = {"Europe/Amsterdam", "America/New_York",
	                    "Europe/Amsterdam", "Mars/Olympus"};
	const char *blocks[] = {"BEGIN:VEVENT\r\nUID:1\r\nEND:VEVENT\r\n",
	                        "BEGIN:VEVENT\r\nUID:2\r\nEND:VEVENT\r\n"};
	struct render_feed_opts o = {.calname = "Wijkagenda Noord"};
	size_t len;
	char *f = render_feed(&o, tz, 4, blocks, 2, &len);
	assert_int_equal(len, strlen(f));
	assert_wire_format(f);
	assert_true(strncmp(f, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 30) == 0);
	assert_int_equal(count_line(f, "PRODID:-//wijkcal//wijkcal 0.1//NL"),
	                 1);
	assert_int_equal(count_line(f, "METHOD:PUBLISH"), 1);
	assert_int_equal(count_line(f, "X-WR-CALNAME:Wijkagenda Noord"), 1);
	assert_int_equal(count_line(f, "X-WR-TIMEZONE:Europe/Amsterdam"), 1);
	assert_int_equal(count_line(f, "REFRESH-INTERVAL;VALUE=DURATION:PT1H"),
	                 1);
	assert_int_equal(count_line(f, "X-PUBLISHED-TTL:PT1H"), 1);
	assert_int_equal(count_line(f, "BEGIN:VTIMEZONE"), 2);
	assert_int_equal(count_line(f, "TZID:Europe/Amsterdam"), 1);
	assert_int_equal(count_line(f, "TZID:America/New_York"), 1);
	assert_true(strstr(f, "END:VTIMEZONE") < strstr(f, "UID:1"));
	assert_true(strstr(f, "UID:1") < strstr(f, "UID:2"));
	assert_int_equal(count_line(f, "END:VCALENDAR"), 1);
	const char *end = "END:VEVENT\r\nEND:VCALENDAR\r\n";
	assert_string_equal(f + len - strlen(end), end);
	free(f);
	/* No events, other refresh interval; a line break in the name would
	 * end the line. */
	o.refresh_minutes = 90;
	o.tzid = "Europe/Brussels";
	o.calname = "Noord\nOost";
	f = render_feed(&o, NULL, 0, NULL, 0, NULL);
	assert_int_equal(
	    count_line(f, "REFRESH-INTERVAL;VALUE=DURATION:PT1H30M"), 1);
	assert_int_equal(count_line(f, "X-WR-TIMEZONE:Europe/Brussels"), 1);
	assert_int_equal(count_line(f, "X-WR-CALNAME:Noord Oost"), 1);
	assert_wire_format(f);
	free(f);
}

/* ---- read back by two independent parsers ---- */

static char *sample_feed(void)
{
	struct event ev[3] = {series_event(), sample_event(), sample_event()};
	ev[0].description = (char *)long_dutch;
	ev[0].online_url = "https://meet.example.nl/hagro";
	ev[0].points = 2;
	ev[1].uid = "wk-allday";
	ev[1].title = "Wijkdag, met lunch; iedereen welkom";
	ev[1].start = (struct wtime){2027, 5, 20, 0, 0, true};
	ev[1].duration_min = 1440;
	ev[2].uid = "wk-cancelled";
	ev[2].title = "FTO antibiotica";
	ev[2].kind = "fto";
	ev[2].cancelled = true;
	ev[2].start = (struct wtime){2027, 7, 1, 9, 0, false};
	struct render_event_opts o = {.audience = RENDER_PERSONAL,
	                              .attendee_email = "piet@example.nl",
	                              .attendee_name = "Vries, Piet de",
	                              .alarm_minutes = 15};
	char *blocks[3];
	for (int i = 0; i < 3; i++)
		blocks[i] = render_event(&ev[i], &o);
	const char *tz[] = {"Europe/Amsterdam"};
	struct render_feed_opts fo = {.calname = "Wijkagenda Noord"};
	char *f = render_feed(&fo, tz, 1, (const char *const *)blocks, 3, NULL);
	for (int i = 0; i < 3; i++)
		free(blocks[i]);
	return f;
}

/* Runs a command, returns its stdout (NULL if it failed). */
static char *run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	struct strbuf b = {0};
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		strbuf_appendn(&b, buf, n);
	int rc = pclose(p);
	char *out = strbuf_take(&b);
	if (rc != 0) {
		fprintf(stderr, "%s: exit %d\n", cmd, rc);
		free(out);
		return NULL;
	}
	return out;
}

static json_t *event_by(json_t *events, const char *uid, bool override)
{
	size_t i;
	json_t *ev;
	json_array_foreach(events, i, ev)
	{
		const char *u = json_string_value(json_object_get(ev, "uid"));
		bool o = !json_is_null(json_object_get(ev, "recurrence_id"));
		if (strcmp(u, uid) == 0 && o == override)
			return ev;
	}
	fail_msg("no event %s", uid);
	return NULL;
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void check_summary(const char *out)
{
	json_error_t jerr;
	json_t *root = json_loads(out, 0, &jerr);
	assert_non_null(root);
	json_t *events = json_object_get(root, "events");
	assert_int_equal(json_array_size(events), 4);
	json_t *s = event_by(events, "wk-20270112-hagro-noord", false);
	assert_string_equal(jstr(s, "dtstart"),
	                    "2027-01-12T12:30:00+01:00[Europe/Amsterdam]");
	assert_string_equal(jstr(s, "rrule"),
	                    "FREQ=MONTHLY;BYDAY=2TU;COUNT=10");
	json_t *ex = json_object_get(s, "exdates");
	assert_int_equal(json_array_size(ex), 2);
	assert_string_equal(json_string_value(json_array_get(ex, 1)),
	                    "2027-04-13T12:30:00+02:00[Europe/Amsterdam]");
	assert_true(strncmp(jstr(s, "description"), long_dutch,
	                    strlen(long_dutch)) == 0);
	json_t *m = event_by(events, "wk-20270112-hagro-noord", true);
	assert_string_equal(jstr(m, "recurrence_id"),
	                    "2027-03-09T12:30:00+01:00[Europe/Amsterdam]");
	assert_string_equal(jstr(m, "dtstart"),
	                    "2027-03-11T14:00:00+01:00[Europe/Amsterdam]");
	json_t *a = event_by(events, "wk-allday", false);
	assert_string_equal(jstr(a, "dtstart"), "2027-05-20");
	assert_string_equal(jstr(a, "summary"),
	                    "Wijkdag, met lunch; iedereen welkom");
	json_t *c = event_by(events, "wk-cancelled", false);
	assert_string_equal(jstr(c, "status"), "CANCELLED");
	json_t *att = json_array_get(json_object_get(c, "attendees"), 0);
	assert_string_equal(jstr(att, "email"), "piet@example.nl");
	assert_string_equal(jstr(att, "cn"), "Vries, Piet de");
	json_decref(root);
}

static void test_independent_parsers(void **state)
{
	const char *src = getenv("WIJKCAL_SRC");
	if (!src || access("/usr/bin/python3", X_OK) != 0)
		skip();
	char *mod = xasprintf("%s/tests/tools/node_modules/ical.js", src);
	bool have_node = access(mod, R_OK) == 0;
	free(mod);
	if (!have_node) {
		fprintf(stderr, "ical.js not installed: run npm install "
		                "--prefix tests/tools\n");
		skip();
	}
	char path[] = "/tmp/test_render_XXXXXX.ics";
	int fd = mkstemps(path, 4);
	assert_true(fd >= 0);
	char *feed = sample_feed();
	assert_int_equal(write(fd, feed, strlen(feed)), (ssize_t)strlen(feed));
	close(fd);
	char *cmd = xasprintf("/usr/bin/python3 %s/tests/tools/check_ics.py %s",
	                      src, path);
	char *py = run(cmd);
	free(cmd);
	cmd = xasprintf("node %s/tests/tools/icaljs_parse.mjs %s", src, path);
	char *js = run(cmd);
	free(cmd);
	unlink(path);
	assert_non_null(py);
	assert_non_null(js);
	assert_string_equal(py, js);
	check_summary(py);
	free(py);
	free(js);
	free(feed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timed_event_fields),
	    cmocka_unit_test(test_description_lines),
	    cmocka_unit_test(test_all_day_event),
	    cmocka_unit_test(test_utc_event),
	    cmocka_unit_test(test_missing_fields),
	    cmocka_unit_test(test_series_exdates_and_moved),
	    cmocka_unit_test(test_override_sequence_above_series),
	    cmocka_unit_test(test_all_day_series_exdate),
	    cmocka_unit_test(test_cancelled_event),
	    cmocka_unit_test(test_public_has_no_email),
	    cmocka_unit_test(test_internal_has_organizer),
	    cmocka_unit_test(test_personal_has_one_attendee),
	    cmocka_unit_test(test_alarm),
	    cmocka_unit_test(test_same_bytes_twice),
	    cmocka_unit_test(test_fold_long_utf8),
	    cmocka_unit_test(test_fold_random_text),
	    cmocka_unit_test(test_vtimezone_amsterdam),
	    cmocka_unit_test(test_vtimezone_other_zones),
	    cmocka_unit_test(test_vtimezone_without_dst),
	    cmocka_unit_test(test_feed_layout),
	    cmocka_unit_test(test_independent_parsers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
