/*
 * Tests for feeds/import: broken and hostile files give one message naming
 * the event and property; Outlook, Google and wijkcal exports read back as
 * the events they describe (time zones, all-day, series with EXDATEs and
 * moved or cancelled occurrences); render -> import keeps every field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/recur.h"
#include "core/util.h"
#include "feeds/import.h"
#include "feeds/render.h"

/* ---- helpers ---- */

#define CAL_BEGIN "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//NL\r\n"
#define CAL_END   "END:VCALENDAR\r\n"
#define EV_BEGIN  "BEGIN:VEVENT\r\n"
#define EV_END    "END:VEVENT\r\n"
#define AMS       "TZID=Europe/Amsterdam"

/* Imports text that must be accepted; fails the test with the message. */
static struct event *import_ok(const char *text, size_t *n_r)
{
	struct event *ev = NULL;
	char *err = NULL;
	if (import_ics(text, strlen(text), &ev, n_r, &err) < 0)
		fail_msg("import failed: %s", err);
	assert_null(err);
	return ev;
}

/* Imports text that must be refused with a message containing `want`. */
static void import_bad(const char *text, size_t len, const char *want)
{
	struct event *ev = (struct event *)1;
	size_t n = 99;
	char *err = NULL;
	assert_int_equal(import_ics(text, len, &ev, &n, &err), -1);
	assert_null(ev);
	assert_int_equal(n, 0);
	assert_non_null(err);
	if (!strstr(err, want))
		fail_msg("message \"%s\" lacks \"%s\"", err, want);
	free(err);
}

static void assert_wtime(const struct wtime *t, const char *want)
{
	char buf[WTIME_STRLEN];
	wtime_format(t, buf);
	assert_string_equal(buf, want);
}

/* ---- files that are refused ---- */

static const struct {
	const char *text, *want;
} bad_files[] = {
    {"", "no BEGIN:VCALENDAR"},
    {"hello world\r\n", "no BEGIN:VCALENDAR"},
    {"BEGIN:VEVENT\r\nUID:a\r\nEND:VEVENT\r\n", "no BEGIN:VCALENDAR"},
    /* truncated */
    {CAL_BEGIN EV_BEGIN "UID:a\r\nDTSTART:20270112T123000\r\nSUMM",
     "ends inside BEGIN:VEVENT (is it cut off?)"},
    {CAL_BEGIN EV_BEGIN "UID:a\r\nDTSTART:20270112T123000\r\n" EV_END,
     "ends inside BEGIN:VCALENDAR"},
    /* where libical and a plain reading disagree */
    {CAL_BEGIN "BEGIN;X=1:VEVENT\r\n" EV_END CAL_END,
     "line 4: BEGIN with parameters is not iCalendar"},
    {"\r\n " CAL_BEGIN CAL_END, "line 1: a folded line (starting with a "
                                "space) continues no line"},
    {CAL_BEGIN "BEGIN:VEVENT\r\nEND:VTODO\r\n" CAL_END,
     "END:VTODO where END:VEVENT was expected"},
    {CAL_BEGIN EV_BEGIN "UID:a\r\nSUMMARY:x\r\n" EV_END CAL_END,
     "event 1 (UID a): DTSTART: missing"},
    {CAL_BEGIN EV_BEGIN "UID:a\r\nSUMMARY:x\r\nDTSTART:2027\r\n" EV_END CAL_END,
     "event 1 (UID a): DTSTART: cannot be read (libical: Can't parse"},
    {CAL_BEGIN EV_BEGIN "UID:a\r\nSUMMARY:x\r\nDTSTART;" AMS
                        ":20270112T123000\r\nDTEND;" AMS
                        ":20270112T110000\r\n" EV_END CAL_END,
     "event 1 (UID a): DTEND: expected an end after DTSTART"},
    {CAL_BEGIN EV_BEGIN
     "UID:a\r\nSUMMARY:x\r\nDTSTART:20270112T123000\r\n"
     "DTEND:20270112T140000\r\nRRULE:FREQ=HOURLY\r\n" EV_END CAL_END,
     "event 1 (UID a): RRULE: FREQ=HOURLY is not supported"},
    {CAL_BEGIN EV_BEGIN
     "UID:a\r\nSUMMARY:x\r\nDTSTART:20270112T123000\r\n"
     "DTEND:20270112T140000\r\nRRULE:FREQ=SOMETIMES\r\n" EV_END CAL_END,
     "event 1 (UID a): RRULE: cannot be read"},
    {CAL_BEGIN EV_BEGIN
     "UID:a\r\nSUMMARY:x\r\nDTSTART:20270112T123000\r\n"
     "DTEND:20270112T140000\r\n"
     "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\r\n" EV_END CAL_END,
     "event 1 (UID a): RRULE: never occurs"},
    {CAL_BEGIN EV_BEGIN
     "SUMMARY:x\r\nDTSTART:20270112T123000\r\n" EV_END CAL_END,
     "event 1: UID: missing"},
    {CAL_BEGIN EV_BEGIN "UID:a\r\nSUMMARY:x\r\nDTSTART:20270112T123000\r\n"
                        "DURATION:PT1H\r\n" EV_END EV_BEGIN
                        "UID:a\r\nSUMMARY:y\r\nDTSTART:20270113T123000\r\n"
                        "DURATION:PT1H\r\n" EV_END CAL_END,
     "event 2 (UID a): UID: also used by event 1"},
    {CAL_BEGIN EV_BEGIN "UID:a\r\nDTSTART:20270112T123000\r\n"
                        "DURATION:PT1H\r\n" EV_END CAL_END,
     "event 1 (UID a): SUMMARY: missing"},
    {CAL_BEGIN EV_BEGIN
     "UID:a\r\nSUMMARY:x\r\nDTSTART:20270112T123000\r\n"
     "DTEND:20270112T130000\r\nDURATION:PT1H\r\n" EV_END CAL_END,
     "DTEND and DURATION: expected one of them"},
    {CAL_BEGIN EV_BEGIN
     "UID:a\r\nSUMMARY:x\r\nDTSTART:20270112T123000\r\n" EV_END CAL_END,
     "event 1 (UID a): DTEND: missing (or give a DURATION)"},
    {CAL_BEGIN EV_BEGIN "UID:a\r\nSUMMARY:x\r\n"
                        "DTSTART;VALUE=DATE:20270112\r\n"
                        "DTEND:20270113T000000\r\n" EV_END CAL_END,
     "DTEND: expected a date, like DTSTART"},
    {CAL_BEGIN EV_BEGIN "UID:a\r\nSUMMARY:x\r\nDTSTART:19600112T123000\r\n"
                        "DURATION:PT1H\r\n" EV_END CAL_END,
     "DTSTART: expected a date between 1970 and 2200"},
    {CAL_BEGIN EV_BEGIN "UID:a\r\nSUMMARY:x\r\nDTSTART:20270112T123000\r\n"
                        "DURATION:P400D\r\n" EV_END CAL_END,
     "DURATION: an event lasts at most 366 days"},
    {CAL_BEGIN EV_BEGIN "UID:a\r\nSUMMARY:x\r\n"
                        "DTSTART;TZID=Mars/Olympus:20270112T123000\r\n"
                        "DURATION:PT1H\r\n" EV_END CAL_END,
     "DTSTART: TZID \"Mars/Olympus\" is not an IANA or Windows zone name, "
     "and the file has no VTIMEZONE for it"},
    /* libical would open /usr/share/zoneinfo/../../../dev/stdin */
    {CAL_BEGIN EV_BEGIN "UID:a\r\nSUMMARY:x\r\n"
                        "DTSTART;TZID=../../../dev/stdin:20270112T123000\r\n"
                        "DURATION:PT1H\r\n" EV_END CAL_END,
     "DTSTART: TZID \"../../../dev/stdin\" is not an IANA or Windows zone"},
    {CAL_BEGIN "BEGIN:VTIMEZONE\r\nTZID:Spin\r\nBEGIN:STANDARD\r\n"
               "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\n"
               "TZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=2;"
               "BYMONTHDAY=31\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n" EV_BEGIN
               "UID:a\r\nSUMMARY:x\r\nDTSTART;TZID=Spin:20270112T123000\r\n"
               "DURATION:PT1H\r\n" EV_END CAL_END,
     "VTIMEZONE for it has rules that cannot be used"},
    {CAL_BEGIN EV_BEGIN "UID:a\r\nSUMMARY:x\r\nDTSTART:20270112T123000\r\n"
                        "DURATION:PT1H\r\nRRULE:FREQ=WEEKLY\r\n"
                        "RDATE:20270301T123000\r\n" EV_END CAL_END,
     "RDATE/EXRULE: not supported"},
    {CAL_BEGIN EV_BEGIN
     "UID:a\r\nSUMMARY:x\r\n"
     "RECURRENCE-ID:20270112T123000\r\n"
     "DTSTART:20270113T123000\r\nDURATION:PT1H\r\n" EV_END CAL_END,
     "event 1 (UID a): RECURRENCE-ID: the file has no series with this "
     "UID"},
    {CAL_BEGIN EV_BEGIN "UID:a\r\nSUMMARY:\x01"
                        "x\r\nDTSTART:20270112T123000\r\n"
                        "DURATION:PT1H\r\n" EV_END CAL_END,
     "event 1 (UID a): SUMMARY: expected one line of text"},
    {CAL_BEGIN EV_BEGIN
     "UID:a\r\nSUMMARY:caf\xe9\r\n"
     "DTSTART:20270112T123000\r\nDURATION:PT1H\r\n" EV_END CAL_END,
     "event 1 (UID a): SUMMARY: not valid UTF-8"},
    {CAL_BEGIN EV_BEGIN
     "UID:a\r\nSUMMARY:x\r\nURL:javascript:alert(1)\r\n"
     "DTSTART:20270112T123000\r\nDURATION:PT1H\r\n" EV_END CAL_END,
     "event 1 (UID a): URL: expected an http(s) URL"},
    {CAL_BEGIN EV_BEGIN
     "UID:a\r\nSUMMARY:x\r\nDTSTART:20270112T123000\r\n"
     "DURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=5\r\n" EV_END EV_BEGIN
     "UID:a\r\nSUMMARY:x\r\n"
     "RECURRENCE-ID:20270119T123000\r\n"
     "DTSTART:20270120T123000\r\nDURATION:PT1H\r\n" EV_END EV_BEGIN
     "UID:a\r\nSUMMARY:x\r\n"
     "RECURRENCE-ID:20270119T123000\r\n"
     "DTSTART:20270121T123000\r\nDURATION:PT1H\r\n" EV_END CAL_END,
     "RECURRENCE-ID: occurrence 2027-01-19 12:30 is moved twice"},
    {CAL_BEGIN CAL_END "END:VEVENT\r\n", "END:VEVENT without a BEGIN"},
    {CAL_BEGIN CAL_END "BEGIN:VEVENT\r\nUID:q\r\n" EV_END,
     "BEGIN:VEVENT outside of a VCALENDAR"},
};

static void test_bad_files(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_files); i++)
		import_bad(bad_files[i].text, strlen(bad_files[i].text),
		           bad_files[i].want);
}

static void test_bad_uid(void **state)
{
	char long_uid[300];
	memset(long_uid, 'u', sizeof(long_uid) - 1);
	long_uid[sizeof(long_uid) - 1] = '\0';
	char *text =
	    xasprintf(CAL_BEGIN EV_BEGIN "UID:%s\r\nSUMMARY:x\r\n"
	                                 "DTSTART:20270112T123000\r\n"
	                                 "DURATION:PT1H\r\n" EV_END CAL_END,
	              long_uid);
	import_bad(text, strlen(text), "event 1: UID: expected 1 to 255 bytes");
	free(text);
}

static void test_too_big(void **state)
{
	size_t len = IMPORT_ICS_MAX_BYTES + 1;
	char *text = xmalloc(len);
	memset(text, 'x', len);
	import_bad(text, len, "too large");
	free(text);
}

static void test_too_many_events(void **state)
{
	struct strbuf b = {0};
	strbuf_append(&b, CAL_BEGIN);
	for (int i = 0; i <= IMPORT_ICS_MAX_EVENTS; i++)
		strbuf_append(&b, EV_BEGIN EV_END);
	strbuf_append(&b, CAL_END);
	import_bad(b.data, b.len, "more than 100000 events");
	strbuf_free(&b);
}

static void test_too_deep(void **state)
{
	struct strbuf b = {0};
	strbuf_append(&b, CAL_BEGIN);
	for (int i = 0; i < 100000; i++)
		strbuf_append(&b, "BEGIN:X-DEEP\r\n");
	/* The prescan must see through folding. */
	strbuf_append(&b, "BEG\r\n IN:X-DEEP\r\n");
	import_bad(b.data, b.len, "nested deeper than 8 levels");
	strbuf_free(&b);
}

static void test_nul_bytes(void **state)
{
	static const char text[] = "B\0E\0G\0I\0N\0:\0V\0C\0A\0L\0";
	import_bad(text, sizeof(text) - 1, "NUL bytes (is it UTF-16?");
}

static void test_too_many_exdates(void **state)
{
	struct strbuf b = {0};
	strbuf_append(&b, CAL_BEGIN EV_BEGIN
	              "UID:a\r\nSUMMARY:x\r\nDTSTART:20270101T123000\r\n"
	              "DURATION:PT1H\r\nRRULE:FREQ=DAILY;COUNT=1000\r\n");
	for (int i = 0; i <= IMPORT_ICS_MAX_CHANGES; i++)
		strbuf_append(&b, "EXDATE:20270102T123000\r\n");
	strbuf_append(&b, EV_END CAL_END);
	import_bad(b.data, b.len, "EXDATE: more than 2000");
	strbuf_free(&b);
}

/* ---- files that are read ---- */

/* What Outlook 2016+ writes when a calendar is saved as .ics. */
static const char outlook[] =
    "BEGIN:VCALENDAR\r\n"
    "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n"
    "VERSION:2.0\r\n"
    "METHOD:PUBLISH\r\n"
    "X-CALSTART:20270112T113000Z\r\n"
    "X-WR-RELCALID:{0000002E-1DB1-4C3C-3C8B-B4B8F1F7F1D8}\r\n"
    "X-WR-CALNAME:Agenda\r\n"
    "BEGIN:VTIMEZONE\r\n"
    "TZID:W. Europe Standard Time\r\n"
    "BEGIN:STANDARD\r\n"
    "DTSTART:16011028T030000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"
    "TZOFFSETFROM:+0200\r\n"
    "TZOFFSETTO:+0100\r\n"
    "END:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\n"
    "DTSTART:16010325T020000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
    "TZOFFSETFROM:+0100\r\n"
    "TZOFFSETTO:+0200\r\n"
    "END:DAYLIGHT\r\n"
    "END:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\n"
    "CLASS:PUBLIC\r\n"
    "CREATED:20260915T083012Z\r\n"
    "DESCRIPTION:Beste collega's\\,\\n\\nHierbij de uitnodiging voor de "
    "Hagro\\; w\r\n"
    " e beginnen om half één.\\n\\n\r\n"
    "DTEND;TZID=W. Europe Standard Time:20270112T140000\r\n"
    "DTSTAMP:20260915T083012Z\r\n"
    "DTSTART;TZID=W. Europe Standard Time:20270112T123000\r\n"
    "EXDATE;TZID=W. Europe Standard Time:20270713T123000,20270810T123000\r\n"
    "LAST-MODIFIED:20260915T083012Z\r\n"
    "LOCATION:Praktijk De Linde\\, Utrecht\r\n"
    "PRIORITY:5\r\n"
    "RRULE:FREQ=MONTHLY;COUNT=10;BYDAY=2TU\r\n"
    "SEQUENCE:1\r\n"
    "SUMMARY;LANGUAGE=nl:Hagro Noord\r\n"
    "TRANSP:OPAQUE\r\n"
    "UID:040000008200E00074C5B7101A82E00800000000D0F4D4B5E3D8DA0100000000"
    "00000000100\r\n"
    " 00000A2F2F0A1D39C1A4EB0AC8F6C4C2F3C9A\r\n"
    "X-ALT-DESC;FMTTYPE=text/html:<html><body>Beste collega's</body></html>"
    "\r\n"
    "X-MICROSOFT-CDO-BUSYSTATUS:BUSY\r\n"
    "X-MICROSOFT-CDO-IMPORTANCE:1\r\n"
    "X-MICROSOFT-DISALLOW-COUNTER:FALSE\r\n"
    "X-MS-OLK-AUTOFILLLOCATION:FALSE\r\n"
    "X-MS-OLK-CONFTYPE:0\r\n"
    "BEGIN:VALARM\r\n"
    "TRIGGER:-PT15M\r\n"
    "ACTION:DISPLAY\r\n"
    "DESCRIPTION:Reminder\r\n"
    "END:VALARM\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "CLASS:PUBLIC\r\n"
    "DTEND;TZID=W. Europe Standard Time:20270316T150000\r\n"
    "DTSTAMP:20260915T083012Z\r\n"
    "DTSTART;TZID=W. Europe Standard Time:20270316T130000\r\n"
    "RECURRENCE-ID;TZID=W. Europe Standard Time:20270309T123000\r\n"
    "SEQUENCE:2\r\n"
    "SUMMARY;LANGUAGE=nl:Hagro Noord (verplaatst)\r\n"
    "UID:040000008200E00074C5B7101A82E00800000000D0F4D4B5E3D8DA0100000000"
    "00000000100\r\n"
    " 00000A2F2F0A1D39C1A4EB0AC8F6C4C2F3C9A\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "DTSTART;TZID=W. Europe Standard Time:20270511T123000\r\n"
    "DTEND;TZID=W. Europe Standard Time:20270511T140000\r\n"
    "RECURRENCE-ID;TZID=W. Europe Standard Time:20270511T123000\r\n"
    "STATUS:CANCELLED\r\n"
    "SUMMARY:Hagro Noord\r\n"
    "UID:040000008200E00074C5B7101A82E00800000000D0F4D4B5E3D8DA0100000000"
    "00000000100\r\n"
    " 00000A2F2F0A1D39C1A4EB0AC8F6C4C2F3C9A\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n";

static void test_outlook_export(void **state)
{
	size_t n;
	struct event *ev = import_ok(outlook, &n);
	assert_int_equal(n, 1);
	struct event *e = &ev[0];
	assert_string_equal(e->uid, "040000008200E00074C5B7101A82E00800000000D0"
	                            "F4D4B5E3D8DA010000000000000000100"
	                            "00000A2F2F0A1D39C1A4EB0AC8F6C4C2F3C9A");
	assert_string_equal(e->title, "Hagro Noord");
	assert_string_equal(e->location, "Praktijk De Linde, Utrecht");
	assert_string_equal(e->description,
	                    "Beste collega's,\n\nHierbij de uitnodiging voor "
	                    "de Hagro; we beginnen om half één.");
	assert_string_equal(e->tzid, "Europe/Amsterdam");
	assert_wtime(&e->start, "2027-01-12 12:30");
	assert_int_equal(e->duration_min, 90);
	assert_non_null(strstr(e->rrule, "FREQ=MONTHLY"));
	assert_int_equal(e->sequence, 1);
	assert_false(e->cancelled);
	assert_int_equal(e->points, -1);
	assert_int_equal(e->capacity, -1);
	assert_int_equal(e->nchanges, 4);
	/* Sorted by original start. */
	assert_wtime(&e->changes[0].exc.recurrence_id, "2027-03-09 12:30");
	assert_false(e->changes[0].exc.cancelled);
	assert_wtime(&e->changes[0].exc.start, "2027-03-16 13:00");
	assert_int_equal(e->changes[0].exc.duration_min, 120);
	assert_int_equal(e->changes[0].sequence, 2);
	assert_wtime(&e->changes[1].exc.recurrence_id, "2027-05-11 12:30");
	assert_true(e->changes[1].exc.cancelled);
	assert_wtime(&e->changes[2].exc.recurrence_id, "2027-07-13 12:30");
	assert_true(e->changes[2].exc.cancelled);
	assert_wtime(&e->changes[3].exc.recurrence_id, "2027-08-10 12:30");
	event_array_free(ev, n);
}

/* Older Outlook versions name the zone by its display text; then only the
 * file's VTIMEZONE says what it means. */
static void test_display_name_zone(void **state)
{
	const char *text = CAL_BEGIN
	    "BEGIN:VTIMEZONE\r\n"
	    "TZID:(UTC+01:00) Amsterdam\\, Berlijn\\, Bern\\, Rome\r\n"
	    "BEGIN:STANDARD\r\nDTSTART:16011028T030000\r\n"
	    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"
	    "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"
	    "BEGIN:DAYLIGHT\r\nDTSTART:16010325T020000\r\n"
	    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
	    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\n"
	    "END:VTIMEZONE\r\n"
	    "BEGIN:VTIMEZONE\r\nTZID:Kaapverdië\r\n"
	    "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
	    "TZOFFSETFROM:-0100\r\nTZOFFSETTO:-0100\r\nEND:STANDARD\r\n"
	    "END:VTIMEZONE\r\n" EV_BEGIN "UID:w1\r\nSUMMARY:Zomer\r\n"
	    "DTSTART;TZID=\"(UTC+01:00) Amsterdam, Berlijn, Bern, Rome\":"
	    "20270713T123000\r\n"
	    "DTEND;TZID=\"(UTC+01:00) Amsterdam, Berlijn, Bern, Rome\":"
	    "20270713T140000\r\n" EV_END EV_BEGIN
	    "UID:w2\r\nSUMMARY:Kaapverdië\r\n"
	    "DTSTART;TZID=Kaapverdië:20270112T100000\r\n"
	    "DURATION:PT45M\r\n" EV_END CAL_END;
	size_t n;
	struct event *ev = import_ok(text, &n);
	assert_int_equal(n, 2);
	assert_wtime(&ev[0].start, "2027-07-13 12:30");
	assert_int_equal(ev[0].duration_min, 90);
	/* 10:00 at UTC-1 is 11:00 UTC, 12:00 in Amsterdam in winter. */
	assert_wtime(&ev[1].start, "2027-01-12 12:00");
	assert_int_equal(ev[1].duration_min, 45);
	event_array_free(ev, n);
}

static void test_time_forms(void **state)
{
	const char *text = CAL_BEGIN
	    /* UTC, in winter and in summer */
	    EV_BEGIN
	    "UID:u1\r\nSUMMARY:a\r\nDTSTART:20270112T113000Z\r\n"
	    "DTEND:20270112T130000Z\r\n" EV_END EV_BEGIN
	    "UID:u2\r\nSUMMARY:b\r\nDTSTART:20270713T103000Z\r\n"
	    "DURATION:PT1H30M\r\n" EV_END
	        /* floating: taken as Amsterdam time */
	        EV_BEGIN "UID:u3\r\nSUMMARY:c\r\nDTSTART:20270713T123000\r\n"
	    "DTEND:20270713T130000\r\n" EV_END
	        /* another IANA zone, and libical's prefixed form */
	        EV_BEGIN "UID:u4\r\nSUMMARY:d\r\n"
	    "DTSTART;TZID=America/New_York:20270112T123000\r\n"
	    "DTEND;TZID=America/New_York:20270112T133000\r\n" EV_END EV_BEGIN
	    "UID:u5\r\nSUMMARY:e\r\n"
	    "DTSTART;TZID=/freeassociation.sourceforge.net/Europe/"
	    "Amsterdam:20270112T123000\r\nDURATION:PT1H\r\n" EV_END
	        /* all-day: DTEND, DURATION, neither */
	        EV_BEGIN
	    "UID:d1\r\nSUMMARY:f\r\nDTSTART;VALUE=DATE:20270520\r\n"
	    "DTEND;VALUE=DATE:20270522\r\n" EV_END EV_BEGIN
	    "UID:d2\r\nSUMMARY:g\r\nDTSTART;VALUE=DATE:20270520\r\n"
	    "DURATION:P3D\r\n" EV_END EV_BEGIN
	    "UID:d3\r\nSUMMARY:h\r\nDTSTART;VALUE=DATE:20270520\r\n" EV_END
	        CAL_END;
	static const struct {
		const char *start;
		int64_t minutes;
	} want[] = {{"2027-01-12 12:30", 90}, {"2027-07-13 12:30", 90},
	            {"2027-07-13 12:30", 30}, {"2027-01-12 18:30", 60},
	            {"2027-01-12 12:30", 60}, {"2027-05-20", 2880},
	            {"2027-05-20", 3 * 1440}, {"2027-05-20", 1440}};
	size_t n;
	struct event *ev = import_ok(text, &n);
	assert_int_equal(n, ARRAY_SIZE(want));
	for (size_t i = 0; i < n; i++) {
		assert_wtime(&ev[i].start, want[i].start);
		assert_int_equal(ev[i].duration_min, want[i].minutes);
		assert_string_equal(ev[i].tzid, "Europe/Amsterdam");
	}
	event_array_free(ev, n);
}

static void test_google_style(void **state)
{
	/* Several calendars, a BOM, LF line ends, an EXDATE that a cancelled
	 * override repeats, an unknown CATEGORIES and a known one. */
	const char *text =
	    "\xEF\xBB\xBF"
	    "BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n"
	    "BEGIN:VCALENDAR\nVERSION:2.0\n"
	    "BEGIN:VEVENT\nUID:g1@google.com\nSUMMARY:Wijklunch\n"
	    "CATEGORIES:Werk,wijklunch\n"
	    "DTSTART;TZID=Europe/Amsterdam:20270105T120000\n"
	    "DTEND;TZID=Europe/Amsterdam:20270105T133000\n"
	    "RRULE:FREQ=WEEKLY;COUNT=8;BYDAY=TU\n"
	    "EXDATE;TZID=Europe/Amsterdam:20270119T120000\n"
	    "STATUS:CONFIRMED\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:g1@google.com\nSUMMARY:Wijklunch\n"
	    "RECURRENCE-ID;TZID=Europe/Amsterdam:20270119T120000\n"
	    "DTSTART;TZID=Europe/Amsterdam:20270119T120000\n"
	    "DTEND;TZID=Europe/Amsterdam:20270119T133000\n"
	    "STATUS:CANCELLED\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:g1@google.com\nSUMMARY:Wijklunch\n"
	    "RECURRENCE-ID;TZID=Europe/Amsterdam:20270126T120000\n"
	    "DTSTART;TZID=Europe/Amsterdam:20270126T120000\n"
	    "DTEND;TZID=Europe/Amsterdam:20270126T133000\n"
	    "DESCRIPTION:only the text changed\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:g2@google.com\nSUMMARY:Borrel\n"
	    "CATEGORIES:Privé\nSTATUS:CANCELLED\n"
	    "DTSTART:20270301T160000Z\nDTEND:20270301T180000Z\nEND:VEVENT\n"
	    "END:VCALENDAR\n";
	size_t n;
	struct event *ev = import_ok(text, &n);
	assert_int_equal(n, 2);
	assert_string_equal(ev[0].uid, "g1@google.com");
	assert_string_equal(ev[0].kind, "wijklunch");
	/* The cancelled override and the EXDATE are one change; the override
	 * that only changed the text is no change of time at all. */
	assert_int_equal(ev[0].nchanges, 1);
	assert_true(ev[0].changes[0].exc.cancelled);
	assert_wtime(&ev[0].changes[0].exc.recurrence_id, "2027-01-19 12:00");
	assert_null(ev[1].kind);
	assert_true(ev[1].cancelled);
	assert_wtime(&ev[1].start, "2027-03-01 17:00");
	event_array_free(ev, n);
}

static void test_empty_calendar(void **state)
{
	size_t n = 7;
	struct event *ev = import_ok(CAL_BEGIN CAL_END, &n);
	assert_int_equal(n, 0);
	event_array_free(ev, n);
}

/* ---- round trip ---- */

static struct event_change trip_changes[3] = {
    {.exc = {.recurrence_id = {2027, 2, 9, 12, 30, false}, .cancelled = true},
     .sequence = 4},
    {.exc = {.recurrence_id = {2027, 3, 9, 12, 30, false},
             .start = {2027, 3, 11, 14, 0, false},
             .duration_min = 120},
     .sequence = 5,
     .modified = 1797000000},
    {.exc = {.recurrence_id = {2027, 4, 13, 12, 30, false}, .cancelled = true},
     .sequence = 4},
};

static void trip_events(struct event ev[3])
{
	char *norm = NULL, *err = NULL;
	struct wtime start = {2027, 1, 12, 12, 30, false};
	if (recur_check("FREQ=MONTHLY;BYDAY=2TU;COUNT=10", &start, true, &norm,
	                &err) < 0)
		fail_msg("recur_check: %s", err);
	ev[0] = (struct event){
	    .uid = "wk-trip-1@wijkcal",
	    .kind = "scholing",
	    .title = "Scholing ‘Diabetes’, deel 1; met lunch",
	    .description = "Eerste regel, met komma; puntkomma\n\n"
	                   "Tweede alinea: één 😀 \\ backslash",
	    .location = "Zaal 2, Gezondheidscentrum De Linde",
	    .online_url = "https://meet.example.nl/scholing",
	    .url = "https://wijk.example.nl/e/7",
	    .start = start,
	    .duration_min = 90,
	    .tzid = "Europe/Amsterdam",
	    .rrule = norm,
	    .points = 2,
	    .capacity = 25,
	    .sequence = 4,
	    .created = 1790000000,
	    .modified = 1795000000,
	    .changes = trip_changes,
	    .nchanges = 3};
	ev[1] = (struct event){.uid = "wk-trip-2@wijkcal",
	                       .kind = "wijklunch",
	                       .title = "Wijkdag",
	                       .start = {2027, 5, 20, 0, 0, true},
	                       .duration_min = 2 * 1440,
	                       .tzid = "Europe/Amsterdam",
	                       .points = -1,
	                       .capacity = -1,
	                       .modified = 1795000000};
	ev[2] = (struct event){.uid = "wk-trip-3@wijkcal",
	                       .kind = "fto",
	                       .title = "FTO antibiotica",
	                       .start = {2027, 10, 31, 12, 30, false},
	                       .duration_min = 60,
	                       .tzid = "Europe/Amsterdam",
	                       .points = 1,
	                       .capacity = -1,
	                       .cancelled = true,
	                       .sequence = 2,
	                       .modified = 1795000000};
}

static void assert_same_event(const struct event *a, const struct event *b)
{
	assert_string_equal(a->uid, b->uid);
	assert_string_equal(a->kind, b->kind);
	assert_string_equal(a->title, b->title);
	if (a->description || b->description)
		assert_string_equal(a->description, b->description);
	if (a->location || b->location)
		assert_string_equal(a->location, b->location);
	if (a->online_url || b->online_url)
		assert_string_equal(a->online_url, b->online_url);
	if (a->url || b->url)
		assert_string_equal(a->url, b->url);
	assert_int_equal(wtime_cmp(&a->start, &b->start), 0);
	assert_int_equal(a->start.date_only, b->start.date_only);
	assert_int_equal(a->duration_min, b->duration_min);
	assert_string_equal(a->tzid, b->tzid);
	if (a->rrule || b->rrule)
		assert_string_equal(a->rrule, b->rrule);
	assert_int_equal(a->points, b->points);
	assert_int_equal(a->capacity, b->capacity);
	assert_int_equal(a->cancelled, b->cancelled);
	assert_int_equal(a->sequence, b->sequence);
	assert_int_equal(a->nchanges, b->nchanges);
	for (size_t i = 0; i < a->nchanges; i++) {
		const struct recur_exception *x = &a->changes[i].exc,
		                             *y = &b->changes[i].exc;
		assert_int_equal(
		    wtime_cmp(&x->recurrence_id, &y->recurrence_id), 0);
		assert_int_equal(x->cancelled, y->cancelled);
		if (!x->cancelled) {
			assert_int_equal(wtime_cmp(&x->start, &y->start), 0);
			assert_int_equal(x->duration_min, y->duration_min);
		}
		assert_int_equal(a->changes[i].sequence,
		                 b->changes[i].sequence);
	}
}

static void test_round_trip(void **state)
{
	struct event ev[3];
	trip_events(ev);
	struct render_event_opts o = {.audience = RENDER_PERSONAL,
	                              .attendee_email = "piet@example.nl",
	                              .alarm_minutes = 15};
	char *blocks[3];
	for (int i = 0; i < 3; i++)
		blocks[i] = render_event(&ev[i], &o);
	const char *tz[] = {"Europe/Amsterdam"};
	struct render_feed_opts fo = {.calname = "Noord"};
	size_t len;
	char *feed =
	    render_feed(&fo, tz, 1, (const char *const *)blocks, 3, &len);
	struct event *back = NULL;
	size_t n = 0;
	char *err = NULL;
	if (import_ics(feed, len, &back, &n, &err) < 0)
		fail_msg("%s", err);
	assert_int_equal(n, 3);
	for (int i = 0; i < 3; i++)
		assert_same_event(&ev[i], &back[i]);
	event_array_free(back, n);
	for (int i = 0; i < 3; i++)
		free(blocks[i]);
	free(feed);
	free(ev[0].rrule);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_files),
	    cmocka_unit_test(test_bad_uid),
	    cmocka_unit_test(test_too_big),
	    cmocka_unit_test(test_too_many_events),
	    cmocka_unit_test(test_too_deep),
	    cmocka_unit_test(test_nul_bytes),
	    cmocka_unit_test(test_too_many_exdates),
	    cmocka_unit_test(test_outlook_export),
	    cmocka_unit_test(test_display_name_zone),
	    cmocka_unit_test(test_time_forms),
	    cmocka_unit_test(test_google_style),
	    cmocka_unit_test(test_empty_calendar),
	    cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
