/*
 * Unit tests for core/recur: tables of refused rules with the message
 * expected (hostile rules among them), of accepted rules with their
 * normalised form, expansions worked out by hand and checked against
 * python3-recurring-ical-events (DST, COUNT, UNTIL, numbered weekdays,
 * all-day), exceptions and the window, finding one occurrence, the last
 * end, agreement of the module's own rule model with libical, and timing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/recur.h"
#include "core/util.h"

#define TZ      WIJKCAL_TZID
#define MAX_OCC 12

/* "2027-01-12 12:30" (or a date) as a wall time. */
static struct wtime T(const char *s) {
	struct wtime t;
	char *err = NULL;
	if (wtime_parse(s, true, "test", &t, &err) < 0)
		fail_msg("bad time in test: %s", err);
	return t;
}

/* "2027-01-12 11:30" read as UTC, in seconds since the epoch. */
static int64_t
U(const char *s)
{
	struct wtime t = T(s);
	struct tm tm = {.tm_year = t.year - 1900,
	                .tm_mon = t.month - 1,
	                .tm_mday = t.day,
	                .tm_hour = t.hour,
	                .tm_min = t.minute};
	return (int64_t)timegm(&tm);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---------------------------------------------------------------------- */
/* Refused rules                                                          */

struct refused_case {
	const char *rule;
	const char *start;
	bool force;
	const char *want; /* a substring of the message */
};

static const struct refused_case refused_cases[] = {
    /* Grammar: nothing is silently ignored. */
    {"", "2027-01-12 12:30", true, "--rrule: empty rule"},
    {"COUNT=2", "2027-01-12 12:30", true, "--rrule: FREQ is missing"},
    {"FREQ", "2027-01-12 12:30", true, "expected NAME=VALUE, got \"FREQ\""},
    {"=DAILY", "2027-01-12 12:30", true, "expected NAME=VALUE"},
    {"FREQ=DAILY;", "2027-01-12 12:30", true, "--rrule: empty part"},
    {"FREQ=DAILY;;COUNT=2", "2027-01-12 12:30", true, "empty part"},
    {"FREQ=DAILY; COUNT=2", "2027-01-12 12:30", true,
     "--rrule: unexpected character at \" COUNT=2\""},
    {"FREQ=WEEKLY;BYDAY=MO, TH", "2027-01-04 12:30", true,
     "unexpected character"},
    {"FREQ=DAILY\n", "2027-01-12 12:30", true, "unexpected character"},
    {"RRULE:FREQ=DAILY", "2027-01-12 12:30", true,
     "without the \"RRULE:\" prefix"},
    {"FREQ=DAILY;X-NAME=1", "2027-01-12 12:30", true,
     "--rrule: unknown part \"X-NAME\""},
    {"FREQ=DAILY;FREQ=WEEKLY", "2027-01-12 12:30", true,
     "--rrule: FREQ is given twice"},
    {"FREQ=DAILY;count=2;COUNT=3", "2027-01-12 12:30", true,
     "COUNT is given twice"},
    {"FREQ=DAILY;BYDAY=", "2027-01-12 12:30", true,
     "--rrule: BYDAY has no value"},
    {"FREQ=DAILY;BYDAY=MO,,TU", "2027-01-12 12:30", true,
     "--rrule: BYDAY: empty value in the list"},
    {"FREQ=DAILY;BYDAY=MO,", "2027-01-12 12:30", true, "empty value"},
    {"FREQ=DAILY;BYDAY=XX", "2027-01-12 12:30", true,
     "--rrule: BYDAY: expected weekdays like MO, 2TU or -1FR, got \"XX\""},
    {"FREQ=MONTHLY;BYDAY=0MO", "2027-01-04 12:30", true,
     "BYDAY: expected weekdays"},
    {"FREQ=MONTHLY;BYDAY=100MO", "2027-01-04 12:30", true,
     "BYDAY: expected weekdays"},
    {"FREQ=DAILY;BYDAY=MO,MO", "2027-01-04 12:30", true,
     "--rrule: BYDAY lists MO twice"},
    {"FREQ=FORTNIGHTLY", "2027-01-12 12:30", true,
     "--rrule: FREQ: expected DAILY, WEEKLY, MONTHLY or YEARLY, got "
     "\"FORTNIGHTLY\""},
    {"FREQ=DAILY;INTERVAL=x", "2027-01-12 12:30", true,
     "--rrule: INTERVAL: expected a number from 1, got \"x\""},
    {"FREQ=DAILY;INTERVAL=0", "2027-01-12 12:30", true,
     "INTERVAL: expected a number"},
    {"FREQ=DAILY;INTERVAL=-1", "2027-01-12 12:30", true,
     "INTERVAL: expected a number"},
    {"FREQ=DAILY;COUNT=0", "2027-01-12 12:30", true,
     "--rrule: COUNT: expected a number from 1 to 1000, got \"0\""},
    {"FREQ=DAILY;COUNT=1001", "2027-01-12 12:30", true,
     "COUNT: expected a number from 1 to 1000"},
    {"FREQ=DAILY;COUNT=2x", "2027-01-12 12:30", true,
     "COUNT: expected a number"},
    {"FREQ=DAILY;UNTIL=2028", "2027-01-12 12:30", true,
     "--rrule: UNTIL: expected a date YYYYMMDD or a time YYYYMMDDTHHMMSSZ"},
    {"FREQ=DAILY;UNTIL=20280230", "2027-01-12 12:30", true,
     "UNTIL: expected a date"},
    {"FREQ=DAILY;UNTIL=20280101T250000Z", "2027-01-12 12:30", true,
     "UNTIL: expected a date"},
    {"FREQ=DAILY;UNTIL=20280101X120000Z", "2027-01-12 12:30", true,
     "UNTIL: expected a date"},
    {"FREQ=MONTHLY;BYMONTHDAY=0", "2027-01-12 12:30", true,
     "--rrule: BYMONTHDAY: expected days 1..31 or -31..-1"},
    {"FREQ=MONTHLY;BYMONTHDAY=32", "2027-01-12 12:30", true,
     "BYMONTHDAY: expected days"},
    {"FREQ=MONTHLY;BYMONTHDAY=12,12", "2027-01-12 12:30", true,
     "BYMONTHDAY lists 12 twice"},
    {"FREQ=YEARLY;BYMONTH=13", "2027-01-12 12:30", true,
     "--rrule: BYMONTH: expected months 1..12, got \"13\""},
    {"FREQ=YEARLY;BYMONTH=1,01", "2027-01-12 12:30", true,
     "BYMONTH lists 1 twice"},
    {"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0", "2027-01-04 12:30", true,
     "--rrule: BYSETPOS: expected positions"},
    {"FREQ=DAILY;WKST=XX", "2027-01-12 12:30", true,
     "--rrule: WKST: expected a weekday"},

    /* Parts that are never accepted, and why. */
    {"FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=31", "2027-01-12 12:30", true,
     "--rrule: FREQ=HOURLY is not supported: expected FREQ=DAILY, WEEKLY, "
     "MONTHLY or YEARLY (the time of day comes from --start)"},
    {"FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=31", "2027-01-12 12:30", true,
     "FREQ=MINUTELY is not supported"},
    {"FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=31", "2027-01-12 12:30", true,
     "FREQ=SECONDLY is not supported"},
    {"FREQ=DAILY;BYHOUR=9", "2027-01-12 12:30", true,
     "--rrule: BYHOUR is not supported: the time of day comes from "
     "--start, and Outlook cannot show it"},
    {"FREQ=DAILY;BYMINUTE=0", "2027-01-12 12:30", true,
     "BYMINUTE is not supported"},
    {"FREQ=DAILY;BYSECOND=0", "2027-01-12 12:30", true,
     "BYSECOND is not supported"},
    {"FREQ=YEARLY;BYYEARDAY=1", "2027-01-01 12:30", true,
     "--rrule: BYYEARDAY is not supported: Outlook cannot show days of the "
     "year"},
    {"FREQ=YEARLY;BYWEEKNO=1", "2027-01-04 12:30", true,
     "--rrule: BYWEEKNO is not supported: Outlook cannot show week numbers"},
    {"FREQ=MONTHLY;RSCALE=HEBREW", "2027-01-04 12:30", true,
     "RSCALE is not supported"},

    /* Structure. */
    {"FREQ=DAILY;COUNT=5;UNTIL=20280101", "2027-01-12 12:30", true,
     "--rrule: COUNT and UNTIL cannot both be given"},
    {"FREQ=DAILY;INTERVAL=1000", "2027-01-12 12:30", true,
     "--rrule: INTERVAL=1000 is too large for FREQ=DAILY (at most 999)"},
    {"FREQ=WEEKLY;INTERVAL=100", "2027-01-12 12:30", true,
     "INTERVAL=100 is too large for FREQ=WEEKLY (at most 99)"},
    {"FREQ=MONTHLY;INTERVAL=100", "2027-01-12 12:30", true,
     "too large for FREQ=MONTHLY (at most 99)"},
    {"FREQ=YEARLY;INTERVAL=11", "2027-01-12 12:30", true,
     "too large for FREQ=YEARLY (at most 10)"},
    {"FREQ=WEEKLY;BYDAY=2TU", "2027-01-12 12:30", true,
     "--rrule: BYDAY=2TU: a numbered weekday needs FREQ=MONTHLY or YEARLY"},
    {"FREQ=DAILY;BYDAY=-1FR", "2027-01-29 12:30", true,
     "numbered weekday needs"},
    {"FREQ=MONTHLY;BYDAY=6TU", "2027-01-12 12:30", true,
     "--rrule: BYDAY=6TU: a month has at most 5 of each weekday"},
    {"FREQ=YEARLY;BYMONTH=3;BYDAY=-6SU", "2027-03-28 12:30", true,
     "a month has at most 5"},
    {"FREQ=YEARLY;BYDAY=54TU", "2027-01-12 12:30", true,
     "--rrule: BYDAY=54TU: a year has at most 53 of each weekday"},
    {"FREQ=MONTHLY;BYDAY=1MO,WE", "2027-01-04 12:30", true,
     "--rrule: BYDAY mixes numbered and plain weekdays"},
    {"FREQ=WEEKLY;BYMONTHDAY=1", "2027-01-01 12:30", true,
     "--rrule: BYMONTHDAY does not work with FREQ=WEEKLY"},
    {"FREQ=YEARLY;BYMONTHDAY=1", "2027-01-01 12:30", true,
     "--rrule: BYMONTHDAY with FREQ=YEARLY needs BYMONTH"},
    {"FREQ=DAILY;BYMONTHDAY=-1", "2027-01-31 12:30", true,
     "--rrule: BYMONTHDAY counted from the end of the month does not work "
     "with FREQ=DAILY"},
    {"FREQ=DAILY;BYMONTHDAY=1;BYSETPOS=1", "2027-01-01 12:30", true,
     "--rrule: BYSETPOS chooses within a month or year; it does not work "
     "with FREQ=DAILY"},
    {"FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=1", "2027-01-04 12:30", true,
     "does not work with FREQ=WEEKLY"},
    {"FREQ=MONTHLY;BYSETPOS=1", "2027-01-04 12:30", true,
     "--rrule: BYSETPOS needs BYDAY, BYMONTHDAY or BYMONTH"},
    {"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=32", "2027-01-04 12:30", true,
     "--rrule: BYSETPOS=32: a MONTHLY period has at most 31 days"},
    {"FREQ=MONTHLY;BYMONTHDAY=15,-14;BYSETPOS=1", "2027-01-15 12:30", true,
     "--rrule: BYSETPOS with BYMONTHDAY counted from both ends"},
    {"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH,FR;WKST=SA", "2027-11-11 12:30", true,
     "--rrule: WKST=SA is not supported here: a week starts on MO or "
     "SU"},

    /* Rules that never match: refused before libical sees them. */
    {"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31", "2027-01-12 12:30", true,
     "--rrule: never occurs: no February has a 31st day"},
    {"FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6,9,11", "2027-01-12 12:30", true,
     "--rrule: never occurs: no April, June, September or November has a "
     "31st day"},
    {"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30,31", "2027-01-12 12:30", true,
     "never occurs: no February has a 30th or 31st day"},
    {"FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=-30", "2027-01-12 12:30", true,
     "never occurs: no February has 30 days"},
    {"FREQ=MONTHLY;BYDAY=5MO;BYMONTH=2;BYMONTHDAY=1,2,3,4,5,6,7",
     "2027-01-12 12:30", true,
     "--rrule: never occurs: the rule produces no occurrence in the 29 "
     "years after --start"},

    /* The start must be an occurrence; occurrences not far apart. */
    {"FREQ=MONTHLY;BYDAY=2TU", "2027-01-13 12:30", true,
     "--rrule: the series must start on an occurrence: --start 2027-01-13 "
     "12:30 is not one; the first after it is 2027-02-09 12:30"},
    {"FREQ=WEEKLY;BYDAY=MO", "2027-01-12", true,
     "--start 2027-01-12 is not one; the first after it is 2027-01-18"},
    {"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", "2016-02-29 10:00", true,
     "--rrule: after 2016-02-29 10:00 the rule next occurs on 2044-02-29 "
     "10:00; occurrences may be at most 10 years apart"},
    {"FREQ=YEARLY;INTERVAL=10;BYMONTH=2;BYMONTHDAY=29", "2028-02-29 12:00",
     true, "the rule next occurs on 2048-02-29 12:00"},
    {"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", "2016-02-29 10:00", true,
     "next occurs on 2044-02-29"},

    /* UNTIL and COUNT bounds. */
    {"FREQ=DAILY;UNTIL=20261231", "2027-01-12 12:30", true,
     "--rrule: UNTIL 2026-12-31 is before --start 2027-01-12 12:30"},
    {"FREQ=DAILY;UNTIL=20270112T110000Z", "2027-01-12 12:30", true,
     "is before --start"},
    {"FREQ=DAILY;UNTIL=20270112T120000", "2027-01-12 12:30", true,
     "is before --start"},
    {"FREQ=DAILY;UNTIL=20470113", "2027-01-12 12:30", true,
     "--rrule: UNTIL 2047-01-13 is more than 20 years after --start "
     "2027-01-12 12:30"},
    {"FREQ=DAILY;UNTIL=99991231", "2027-01-12 12:30", true,
     "more than 20 years"},
    {"FREQ=YEARLY;COUNT=22", "2027-01-12 12:30", true,
     "--rrule: COUNT=22 runs past 2047-01-12 12:30, more than 20 years "
     "after --start"},
    {"FREQ=MONTHLY;INTERVAL=3;COUNT=100", "2027-01-12 12:30", true,
     "COUNT=100 runs past"},

    /* Outlook cannot show these (refused unless forced). */
    {"FREQ=MONTHLY;BYDAY=1MO,3WE", "2027-01-04 12:30", false,
     "--rrule: Outlook can show only one \"nth weekday\" per monthly rule, "
     "not BYDAY=1MO,3WE: use two events or --force"},
    {"FREQ=MONTHLY;BYDAY=5FR", "2027-01-29 12:30", false,
     "--rrule: BYDAY=5FR: Outlook can show only the first to fourth or the "
     "last weekday of a month (1..4 or -1)"},
    {"FREQ=MONTHLY;BYDAY=-2MO", "2027-01-18 12:30", false,
     "BYDAY=-2MO: Outlook can show only the first to fourth or the last"},
    {"FREQ=YEARLY;BYMONTH=5;BYDAY=5SA", "2027-05-29 12:30", false,
     "BYDAY=5SA: Outlook can show only"},
    {"FREQ=MONTHLY;BYMONTHDAY=-1", "2027-01-31 12:30", false,
     "--rrule: Outlook cannot show BYMONTHDAY=-1; for the last day of the "
     "month use BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=-1, or --force"},
    {"FREQ=MONTHLY;BYMONTHDAY=1,15", "2027-01-01 12:30", false,
     "--rrule: Outlook can show only one BYMONTHDAY per rule"},
    {"FREQ=MONTHLY;BYMONTHDAY=31", "2027-01-31 12:30", false,
     "--rrule: day 31: Outlook moves it to the last day of shorter months, "
     "while the feed skips such months"},
    {"FREQ=MONTHLY", "2027-01-30 12:30", false,
     "day 30: Outlook moves it to the last day of February"},
    {"FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=29", "2028-02-29 12:30", false,
     "day 29: Outlook moves it to the last day of February"},
    {"FREQ=YEARLY", "2028-02-29 12:30", false,
     "day 29: Outlook moves it to the last day of February"},
    {"FREQ=MONTHLY;BYMONTH=1,4,7,10", "2027-01-04 12:30", false,
     "--rrule: Outlook cannot limit a monthly rule to some months (BYMONTH); "
     "use INTERVAL"},
    {"FREQ=MONTHLY;BYDAY=MO", "2027-01-04 12:30", false,
     "--rrule: Outlook cannot show every MO of a month; use FREQ=WEEKLY"},
    {"FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=2,-1", "2027-01-05 12:30", false,
     "--rrule: Outlook can show only one BYSETPOS, 1 to 4 or -1"},
    {"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=5", "2027-01-07 12:30", false,
     "Outlook can show only one BYSETPOS"},
    {"FREQ=MONTHLY;BYDAY=MO,WE;BYSETPOS=1", "2027-01-04 12:30", false,
     "--rrule: with BYSETPOS Outlook can show one weekday, MO,TU,WE,TH,FR "
     "(a weekday), SA,SU (a weekend day) or all seven days (a day), not "
     "BYDAY=MO,WE"},
    {"FREQ=MONTHLY;BYDAY=2TU;BYSETPOS=1", "2027-01-12 12:30", false,
     "Outlook can use BYSETPOS only with plain weekdays"},
    {"FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR", "2027-08-13 12:30", false,
     "--rrule: Outlook cannot combine BYMONTHDAY and BYDAY"},
    {"FREQ=DAILY;BYMONTH=1", "2027-01-04 12:30", false,
     "--rrule: Outlook can show a daily rule only as every N days "
     "(FREQ=DAILY;INTERVAL=2) or every weekday"},
    {"FREQ=DAILY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR", "2027-01-04 12:30", false,
     "Outlook can show a daily rule only"},
    {"FREQ=DAILY;BYDAY=MO,WE", "2027-01-04 12:30", false,
     "Outlook can show a daily rule only"},
    {"FREQ=WEEKLY;BYMONTH=2;BYDAY=MO", "2027-02-01 12:30", false,
     "--rrule: Outlook can show a weekly rule only as every N weeks on some "
     "weekdays (FREQ=WEEKLY;BYDAY=MO,TH), without BYMONTH"},
    {"FREQ=YEARLY;BYDAY=20MO", "2027-05-17 12:30", false,
     "--rrule: Outlook can show a yearly rule only within one month: add "
     "BYMONTH"},
    {"FREQ=YEARLY;BYMONTH=3,9", "2027-03-12 12:30", false,
     "--rrule: Outlook can show a yearly rule only in one month"},
    {"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "2028-02-29 12:30", false,
     "day 29: Outlook moves it to the last day of February"},
};

static void check_refused(const struct refused_case *c)
{
	struct wtime start = T(c->start);
	char *norm = (char *)"untouched", *err = NULL;
	int rc = recur_check(c->rule, &start, c->force, &norm, &err);
	if (rc == 0)
		fail_msg("accepted \"%s\" @ %s as %s", c->rule, c->start, norm);
	assert_null(norm);
	assert_non_null(err);
	if (strstr(err, c->want) == NULL)
		fail_msg("\"%s\" @ %s:\n  got  %s\n  want %s", c->rule,
		         c->start, err, c->want);
	if (strncmp(err, "--rrule: ", 9) != 0)
		fail_msg("message does not name --rrule: %s", err);
	free(err);
}

static void test_refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(refused_cases); i++)
		check_refused(&refused_cases[i]);
}

static void test_refused_without_error_r(void **state)
{
	(void)state;
	struct wtime start = T("2027-01-12 12:30");
	assert_int_equal(recur_check("FREQ=HOURLY", &start, true, NULL, NULL),
	                 -1);
}

static void test_too_long(void **state)
{
	(void)state;
	struct strbuf b = {0};
	struct wtime start = T("2027-01-12 12:30");
	char *err = NULL;
	strbuf_append(&b, "FREQ=MONTHLY;BYMONTHDAY=12");
	while (b.len <= RECUR_MAX_LEN)
		strbuf_append(&b, ",1");
	assert_int_equal(recur_check(b.data, &start, true, NULL, &err), -1);
	assert_non_null(strstr(err, "--rrule: too long (at most 512"));
	free(err);
	strbuf_free(&b);
}

static void test_bad_start(void **state)
{
	(void)state;
	struct wtime start = {2027, 2, 30, 12, 0, false};
	char *err = NULL;
	assert_int_equal(recur_check("FREQ=DAILY", &start, true, NULL, &err),
	                 -1);
	assert_non_null(strstr(err, "--start: not a valid start"));
	free(err);
}

/* ---------------------------------------------------------------------- */
/* Accepted rules                                                         */

struct accepted_case {
	const char *rule;
	const char *start;
	bool force;
	const char *normalised;
};

static const struct accepted_case accepted_cases[] = {
    {"FREQ=MONTHLY;BYDAY=2TU;COUNT=10", "2027-01-12 12:30", false,
     "FREQ=MONTHLY;COUNT=10;BYDAY=2TU"},
    {"freq=weekly;byday=th,mo;interval=2", "2027-01-04 12:30", false,
     "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"},
    {"FREQ=WEEKLY;BYDAY=MO,SU;INTERVAL=2;WKST=SU", "2027-01-03 12:30", false,
     "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,MO;WKST=SU"},
    {"FREQ=WEEKLY", "2027-01-04 12:30", false, "FREQ=WEEKLY"},
    /* WKST is dropped where it does not matter. */
    {"FREQ=DAILY;WKST=SA", "2027-01-04 12:30", false, "FREQ=DAILY"},
    {"FREQ=WEEKLY;BYDAY=TU,TH;WKST=SA", "2027-11-11 12:30", false,
     "FREQ=WEEKLY;BYDAY=TU,TH"},
    {"FREQ=DAILY;INTERVAL=1", "2027-01-04 12:30", false, "FREQ=DAILY"},
    {"FREQ=DAILY;INTERVAL=999", "2027-01-04 12:30", false,
     "FREQ=DAILY;INTERVAL=999"},
    {"FREQ=DAILY;COUNT=1000", "2027-01-04 12:30", false,
     "FREQ=DAILY;COUNT=1000"},
    {"FREQ=DAILY;BYDAY=FR,MO,TU,WE,TH", "2027-01-04 12:30", false,
     "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"},
    {"FREQ=MONTHLY;BYDAY=+2TU", "2027-01-12 12:30", false,
     "FREQ=MONTHLY;BYDAY=2TU"},
    {"FREQ=MONTHLY;BYDAY=-1FR", "2027-01-29 09:30", false,
     "FREQ=MONTHLY;BYDAY=-1FR"},
    {"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "2027-01-29 12:30", false,
     "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"},
    {"FREQ=MONTHLY;BYDAY=SU,MO,TU,WE,TH,FR,SA;BYSETPOS=-1", "2027-01-31 12:30",
     false, "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=-1"},
    {"FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15", "2027-01-15 12:30", false,
     "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15"},
    {"FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=31", "2027-01-31 12:30", false,
     "FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=31"},
    {"FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "2027-03-28 10:00", false,
     "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"},
    {"FREQ=YEARLY;BYMONTHDAY=15;BYMONTH=6", "2027-06-15 12:30", false,
     "FREQ=YEARLY;BYMONTHDAY=15;BYMONTH=6"},
    {"FREQ=YEARLY;BYMONTH=6;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1",
     "2027-06-01 12:30", false,
     "FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR;BYMONTH=6;BYSETPOS=1"},
    {"FREQ=YEARLY;INTERVAL=2", "2027-05-21 14:00", false,
     "FREQ=YEARLY;INTERVAL=2"},
    /* UNTIL is stored in UTC for a timed series, as a date otherwise. */
    {"FREQ=WEEKLY;UNTIL=20270331", "2027-03-03 19:00", false,
     "FREQ=WEEKLY;UNTIL=20270331T215959Z"},
    {"FREQ=WEEKLY;UNTIL=20270331T190000", "2027-03-03 19:00", false,
     "FREQ=WEEKLY;UNTIL=20270331T170000Z"},
    {"FREQ=WEEKLY;UNTIL=20270331t170000z", "2027-03-03 19:00", false,
     "FREQ=WEEKLY;UNTIL=20270331T170000Z"},
    {"FREQ=WEEKLY;UNTIL=20270303", "2027-03-03 19:00", false,
     "FREQ=WEEKLY;UNTIL=20270303T225959Z"},
    {"FREQ=WEEKLY;UNTIL=20270331T120000Z", "2027-03-03", false,
     "FREQ=WEEKLY;UNTIL=20270331"},
    {"FREQ=WEEKLY;UNTIL=20270331T230000Z", "2027-03-03", false,
     "FREQ=WEEKLY;UNTIL=20270401"},
    {"FREQ=DAILY;UNTIL=20470112", "2027-01-12 12:30", false,
     "FREQ=DAILY;UNTIL=20470112T225959Z"},
    /* Forced: valid, but not something Outlook can show. */
    {"FREQ=MONTHLY;BYDAY=1MO,3WE", "2027-01-04 12:30", true,
     "FREQ=MONTHLY;BYDAY=1MO,3WE"},
    {"FREQ=MONTHLY;BYMONTHDAY=-1", "2027-01-31 17:00", true,
     "FREQ=MONTHLY;BYMONTHDAY=-1"},
    {"FREQ=MONTHLY;BYMONTHDAY=31", "2027-01-31 17:00", true,
     "FREQ=MONTHLY;BYMONTHDAY=31"},
    {"FREQ=YEARLY;BYDAY=20MO", "2027-05-17 10:00", true,
     "FREQ=YEARLY;BYDAY=20MO"},
    {"FREQ=YEARLY", "2028-02-29 12:30", true, "FREQ=YEARLY"},
    {"FREQ=MONTHLY;BYMONTH=1,4,7,10;BYMONTHDAY=1", "2027-01-01 12:30", true,
     "FREQ=MONTHLY;BYMONTHDAY=1;BYMONTH=1,4,7,10"},
    {"FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=2,-1", "2027-01-05 10:00", true,
     "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1,2"},
    {"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29", "2028-02-29 12:30", true,
     "FREQ=DAILY;BYMONTHDAY=29;BYMONTH=2"},
    {"FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR", "2027-08-13 12:30", true,
     "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13"},
    {"FREQ=WEEKLY;BYMONTH=2;BYDAY=MO", "2027-02-01 12:30", true,
     "FREQ=WEEKLY;BYDAY=MO;BYMONTH=2"},
};

static void check_accepted(const struct accepted_case *c)
{
	struct wtime start = T(c->start);
	char *norm = NULL, *again = NULL, *err = NULL;
	if (recur_check(c->rule, &start, c->force, &norm, &err) < 0)
		fail_msg("refused \"%s\" @ %s: %s", c->rule, c->start, err);
	assert_null(err);
	if (strcmp(norm, c->normalised) != 0)
		fail_msg("\"%s\": got %s, want %s", c->rule, norm,
		         c->normalised);
	/* The normalised rule passes again, unchanged. */
	assert_int_equal(recur_check(norm, &start, c->force, &again, &err), 0);
	assert_string_equal(again, norm);
	free(norm);
	free(again);
}

static void test_accepted(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(accepted_cases); i++)
		check_accepted(&accepted_cases[i]);
}

static void test_other_zone(void **state)
{
	(void)state;
	struct wtime start = T("2027-03-03 19:00");
	char *norm = NULL;
	assert_int_equal(recur_check_tz("FREQ=WEEKLY;UNTIL=20270331", &start,
	                                "America/New_York", false, &norm, NULL),
	                 0);
	/* New York is on summer time (-4) from 14 March 2027. */
	assert_string_equal(norm, "FREQ=WEEKLY;UNTIL=20270401T035959Z");
	free(norm);
}

/* ---------------------------------------------------------------------- */
/* Expansion, checked by hand against python3-recurring-ical-events       */

struct expand_case {
	const char *name;
	const char *rule;
	const char *start;
	int64_t duration_min;
	/* "local start|UTC start", in order; NULL ends the list. */
	const char *want[MAX_OCC + 1];
};

static const struct expand_case expand_cases[] = {
    {"second Tuesday, 12:30 stays 12:30 across DST",
     "FREQ=MONTHLY;BYDAY=2TU;COUNT=10",
     "2027-01-12 12:30",
     60,
     {"2027-01-12 12:30|2027-01-12 11:30", "2027-02-09 12:30|2027-02-09 11:30",
      "2027-03-09 12:30|2027-03-09 11:30", "2027-04-13 12:30|2027-04-13 10:30",
      "2027-05-11 12:30|2027-05-11 10:30", "2027-06-08 12:30|2027-06-08 10:30",
      "2027-07-13 12:30|2027-07-13 10:30", "2027-08-10 12:30|2027-08-10 10:30",
      "2027-09-14 12:30|2027-09-14 10:30",
      "2027-10-12 12:30|2027-10-12 10:30"}},
    {"last Friday",
     "FREQ=MONTHLY;BYDAY=-1FR;COUNT=6",
     "2027-01-29 09:30",
     60,
     {"2027-01-29 09:30|2027-01-29 08:30", "2027-02-26 09:30|2027-02-26 08:30",
      "2027-03-26 09:30|2027-03-26 08:30", "2027-04-30 09:30|2027-04-30 07:30",
      "2027-05-28 09:30|2027-05-28 07:30",
      "2027-06-25 09:30|2027-06-25 07:30"}},
    {"last day of the month",
     "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=6",
     "2027-01-31 17:00",
     60,
     {"2027-01-31 17:00|2027-01-31 16:00", "2027-02-28 17:00|2027-02-28 16:00",
      "2027-03-31 17:00|2027-03-31 15:00", "2027-04-30 17:00|2027-04-30 15:00",
      "2027-05-31 17:00|2027-05-31 15:00",
      "2027-06-30 17:00|2027-06-30 15:00"}},
    {"every other week on Monday and Thursday",
     "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=8",
     "2027-01-04 08:30",
     45,
     {"2027-01-04 08:30|2027-01-04 07:30", "2027-01-07 08:30|2027-01-07 07:30",
      "2027-01-18 08:30|2027-01-18 07:30", "2027-01-21 08:30|2027-01-21 07:30",
      "2027-02-01 08:30|2027-02-01 07:30", "2027-02-04 08:30|2027-02-04 07:30",
      "2027-02-15 08:30|2027-02-15 07:30",
      "2027-02-18 08:30|2027-02-18 07:30"}},
    {"yearly",
     "FREQ=YEARLY;COUNT=4",
     "2027-05-21 14:00",
     60,
     {"2027-05-21 14:00|2027-05-21 12:00", "2028-05-21 14:00|2028-05-21 12:00",
      "2029-05-21 14:00|2029-05-21 12:00",
      "2030-05-21 14:00|2030-05-21 12:00"}},
    {"29 February only in leap years",
     "FREQ=YEARLY;COUNT=3",
     "2028-02-29 12:00",
     60,
     {"2028-02-29 12:00|2028-02-29 11:00", "2032-02-29 12:00|2032-02-29 11:00",
      "2036-02-29 12:00|2036-02-29 11:00"}},
    {"day 31 skips shorter months",
     "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4",
     "2027-01-31 12:00",
     60,
     {"2027-01-31 12:00|2027-01-31 11:00", "2027-03-31 12:00|2027-03-31 10:00",
      "2027-05-31 12:00|2027-05-31 10:00",
      "2027-07-31 12:00|2027-07-31 10:00"}},
    {"UNTIL as a date includes that day",
     "FREQ=WEEKLY;UNTIL=20270331",
     "2027-03-03 19:00",
     60,
     {"2027-03-03 19:00|2027-03-03 18:00", "2027-03-10 19:00|2027-03-10 18:00",
      "2027-03-17 19:00|2027-03-17 18:00", "2027-03-24 19:00|2027-03-24 18:00",
      "2027-03-31 19:00|2027-03-31 17:00"}},
    {"UNTIL in UTC is exact",
     "FREQ=WEEKLY;UNTIL=20270331T165959Z",
     "2027-03-03 19:00",
     60,
     {"2027-03-03 19:00|2027-03-03 18:00", "2027-03-10 19:00|2027-03-10 18:00",
      "2027-03-17 19:00|2027-03-17 18:00",
      "2027-03-24 19:00|2027-03-24 18:00"}},
    {"floating UNTIL is wall time",
     "FREQ=WEEKLY;UNTIL=20270331T190000",
     "2027-03-03 19:00",
     60,
     {"2027-03-03 19:00|2027-03-03 18:00", "2027-03-10 19:00|2027-03-10 18:00",
      "2027-03-17 19:00|2027-03-17 18:00", "2027-03-24 19:00|2027-03-24 18:00",
      "2027-03-31 19:00|2027-03-31 17:00"}},
    {"all-day: local midnights",
     "FREQ=WEEKLY;BYDAY=WE;COUNT=5",
     "2027-03-10",
     1440,
     {"2027-03-10|2027-03-09 23:00", "2027-03-17|2027-03-16 23:00",
      "2027-03-24|2027-03-23 23:00", "2027-03-31|2027-03-30 22:00",
      "2027-04-07|2027-04-06 22:00"}},
    {"daily into summer time",
     "FREQ=DAILY;COUNT=5",
     "2027-03-26 12:30",
     60,
     {"2027-03-26 12:30|2027-03-26 11:30", "2027-03-27 12:30|2027-03-27 11:30",
      "2027-03-28 12:30|2027-03-28 10:30", "2027-03-29 12:30|2027-03-29 10:30",
      "2027-03-30 12:30|2027-03-30 10:30"}},
    {"daily into winter time",
     "FREQ=DAILY;COUNT=5",
     "2027-10-29 12:30",
     60,
     {"2027-10-29 12:30|2027-10-29 10:30", "2027-10-30 12:30|2027-10-30 10:30",
      "2027-10-31 12:30|2027-10-31 11:30", "2027-11-01 12:30|2027-11-01 11:30",
      "2027-11-02 12:30|2027-11-02 11:30"}},
    {"02:30 in the spring gap moves forward by the gap",
     "FREQ=DAILY;COUNT=3",
     "2027-03-27 02:30",
     60,
     {"2027-03-27 02:30|2027-03-27 01:30", "2027-03-28 02:30|2027-03-28 01:30",
      "2027-03-29 02:30|2027-03-29 00:30"}},
    {"02:30 on the autumn change is its first (summer) instant",
     "FREQ=DAILY;COUNT=3",
     "2027-10-30 02:30",
     60,
     {"2027-10-30 02:30|2027-10-30 00:30", "2027-10-31 02:30|2027-10-31 00:30",
      "2027-11-01 02:30|2027-11-01 01:30"}},
    {"every weekday",
     "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=6",
     "2027-01-07 09:00",
     60,
     {"2027-01-07 09:00|2027-01-07 08:00", "2027-01-08 09:00|2027-01-08 08:00",
      "2027-01-11 09:00|2027-01-11 08:00", "2027-01-12 09:00|2027-01-12 08:00",
      "2027-01-13 09:00|2027-01-13 08:00",
      "2027-01-14 09:00|2027-01-14 08:00"}},
    {"last weekday of the month",
     "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=4",
     "2027-01-29 16:00",
     60,
     {"2027-01-29 16:00|2027-01-29 15:00", "2027-02-26 16:00|2027-02-26 15:00",
      "2027-03-31 16:00|2027-03-31 14:00",
      "2027-04-30 16:00|2027-04-30 14:00"}},
    {"last Sunday of March",
     "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;COUNT=3",
     "2027-03-28 10:00",
     60,
     {"2027-03-28 10:00|2027-03-28 08:00", "2028-03-26 10:00|2028-03-26 08:00",
      "2029-03-25 10:00|2029-03-25 08:00"}},
    {"every third month",
     "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15;COUNT=4",
     "2027-01-15 12:00",
     60,
     {"2027-01-15 12:00|2027-01-15 11:00", "2027-04-15 12:00|2027-04-15 10:00",
      "2027-07-15 12:00|2027-07-15 10:00",
      "2027-10-15 12:00|2027-10-15 10:00"}},
    {"into 2038 and beyond",
     "FREQ=YEARLY;COUNT=3",
     "2037-07-01 12:00",
     60,
     {"2037-07-01 12:00|2037-07-01 10:00", "2038-07-01 12:00|2038-07-01 10:00",
      "2039-07-01 12:00|2039-07-01 10:00"}},
    {"single event",
     NULL,
     "2027-06-01 10:00",
     30,
     {"2027-06-01 10:00|2027-06-01 08:00"}},
};

/* Parses "2027-01-12 12:30|2027-01-12 11:30". */
static void parse_want(const char *s, struct wtime *local, int64_t *utc)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", s);
	char *bar = strchr(buf, '|');
	assert_non_null(bar);
	*bar = '\0';
	*local = T(buf);
	*utc = U(bar + 1);
}

static void check_expand(const struct expand_case *c)
{
	struct wtime start = T(c->start);
	struct occurrence *occ = NULL;
	char *err = NULL;
	size_t n = 0;
	while (n < MAX_OCC && c->want[n])
		n++;
	int got = recur_expand(c->rule, &start, c->duration_min, TZ, NULL, 0,
	                       U("2020-01-01 00:00"), U("2040-01-01 00:00"),
	                       100, &occ, &err);
	if (got != (int)n)
		fail_msg("%s: %d occurrences, want %zu (%s)", c->name, got, n,
		         err ? err : "");
	for (size_t i = 0; i < n; i++) {
		struct wtime local;
		int64_t utc;
		char buf[WTIME_STRLEN];
		parse_want(c->want[i], &local, &utc);
		wtime_format(&occ[i].start, buf);
		if (wtime_cmp(&occ[i].start, &local) != 0 ||
		    occ[i].start.date_only != start.date_only)
			fail_msg("%s: #%zu is %s, want %s", c->name, i, buf,
			         c->want[i]);
		if (occ[i].start_utc != utc)
			fail_msg("%s: #%zu (%s) starts at %lld, want %lld",
			         c->name, i, buf, (long long)occ[i].start_utc,
			         (long long)utc);
		assert_int_equal(wtime_cmp(&occ[i].recurrence_id, &local), 0);
		assert_false(occ[i].moved);
		assert_int_equal(occ[i].duration_min, c->duration_min);
		if (!start.date_only)
			assert_int_equal(occ[i].end_utc,
			                 utc + c->duration_min * 60);
	}
	free(occ);
}

static void test_expand(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(expand_cases); i++)
		check_expand(&expand_cases[i]);
}

/* All-day occurrences run from local midnight to local midnight, which is
 * 23 hours on the day summer time starts. */
static void test_all_day_ends(void **state)
{
	(void)state;
	struct wtime start = T("2027-03-27");
	struct occurrence *occ = NULL;
	int got = recur_expand("FREQ=DAILY;COUNT=3", &start, 1440, TZ, NULL, 0,
	                       0, INT64_MAX, 10, &occ, NULL);
	assert_int_equal(got, 3);
	assert_int_equal(occ[0].start_utc, U("2027-03-26 23:00"));
	assert_int_equal(occ[0].end_utc, U("2027-03-27 23:00"));
	assert_int_equal(occ[1].start_utc, U("2027-03-27 23:00"));
	assert_int_equal(occ[1].end_utc, U("2027-03-28 22:00"));
	assert_int_equal(occ[2].end_utc, U("2027-03-29 22:00"));
	assert_true(occ[1].start.date_only);
	free(occ);
}

/* ---------------------------------------------------------------------- */
/* Exceptions and the window                                              */

#define SECOND_TUESDAY "FREQ=MONTHLY;BYDAY=2TU;COUNT=10"

static int expand_2tu(const struct recur_exception *exc, size_t nexc,
                      const char *from, const char *to, size_t max_out,
                      struct occurrence **occ)
{
	struct wtime start = T("2027-01-12 12:30");
	char *err = NULL;
	int got = recur_expand(SECOND_TUESDAY, &start, 60, TZ, exc, nexc,
	                       U(from), U(to), max_out, occ, &err);
	if (got < 0)
		fail_msg("%s", err);
	return got;
}

static struct recur_exception cancel(const char *rid)
{
	return (struct recur_exception){.recurrence_id = T(rid),
	                                .cancelled = true};
}

static struct recur_exception move(const char *rid, const char *to,
                                   int64_t duration)
{
	return (struct recur_exception){
	    .recurrence_id = T(rid), .start = T(to), .duration_min = duration};
}

static void test_cancelled(void **state)
{
	(void)state;
	struct recur_exception exc[] = {cancel("2027-03-09 12:30"),
	                                cancel("2027-03-10 12:30")};
	struct occurrence *occ = NULL;
	int got = expand_2tu(exc, 2, "2027-01-01 00:00", "2028-01-01 00:00",
	                     100, &occ);
	assert_int_equal(got, 9);
	for (int i = 0; i < got; i++)
		assert_int_not_equal(occ[i].start.month, 3);
	free(occ);
}

static void test_moved(void **state)
{
	(void)state;
	struct recur_exception exc[] = {
	    move("2027-04-13 12:30", "2027-04-14 09:00", 30)};
	struct occurrence *occ = NULL;
	int got = expand_2tu(exc, 1, "2027-04-01 00:00", "2027-06-01 00:00",
	                     100, &occ);
	assert_int_equal(got, 2);
	assert_true(occ[0].moved);
	assert_int_equal(wtime_cmp(&occ[0].recurrence_id,
	                           &(struct wtime){2027, 4, 13, 12, 30, false}),
	                 0);
	assert_int_equal(occ[0].start_utc, U("2027-04-14 07:00"));
	assert_int_equal(occ[0].end_utc, U("2027-04-14 07:30"));
	assert_int_equal(occ[0].duration_min, 30);
	assert_false(occ[1].moved);
	assert_int_equal(occ[1].start_utc, U("2027-05-11 10:30"));
	free(occ);
}

/* A move takes an occurrence out of the window, or into it; sorting follows
 * the new times. */
static void test_moved_across_window(void **state)
{
	(void)state;
	struct recur_exception exc[] = {
	    move("2027-04-13 12:30", "2027-05-03 12:30", 0),
	    move("2027-05-11 12:30", "2027-04-01 08:00", 0),
	    move("2027-06-08 12:30", "2027-04-20 12:30", 90)};
	struct occurrence *occ = NULL;
	int got = expand_2tu(exc, 3, "2027-04-01 00:00", "2027-05-01 00:00",
	                     100, &occ);
	assert_int_equal(got, 2);
	assert_int_equal(occ[0].start_utc, U("2027-04-01 06:00"));
	assert_int_equal(occ[0].duration_min, 60); /* 0: the series' */
	assert_int_equal(occ[0].recurrence_id.month, 5);
	assert_int_equal(occ[1].start_utc, U("2027-04-20 10:30"));
	assert_int_equal(occ[1].end_utc, U("2027-04-20 12:00"));
	free(occ);
}

/* Changes to starts that are not originals are ignored: a day the rule does
 * not produce, another time, and the 11th of a COUNT=10 series. */
static void test_moved_not_original(void **state)
{
	(void)state;
	struct recur_exception exc[] = {
	    move("2027-04-14 12:30", "2027-04-15 12:30", 0),
	    move("2027-04-13 12:00", "2027-04-16 12:30", 0),
	    move("2027-11-09 12:30", "2027-04-17 12:30", 0)};
	struct occurrence *occ = NULL;
	int got = expand_2tu(exc, 3, "2027-04-01 00:00", "2027-05-01 00:00",
	                     100, &occ);
	assert_int_equal(got, 1);
	assert_false(occ[0].moved);
	assert_int_equal(occ[0].start.day, 13);
	free(occ);
}

static void test_cancel_wins_last_move_wins(void **state)
{
	(void)state;
	struct recur_exception exc[] = {
	    move("2027-04-13 12:30", "2027-04-14 12:30", 0),
	    cancel("2027-04-13 12:30"),
	    move("2027-05-11 12:30", "2027-05-12 12:30", 0),
	    move("2027-05-11 12:30", "2027-05-13 12:30", 0)};
	struct occurrence *occ = NULL;
	int got = expand_2tu(exc, 4, "2027-04-01 00:00", "2027-06-01 00:00",
	                     100, &occ);
	assert_int_equal(got, 1);
	assert_true(occ[0].moved);
	assert_int_equal(occ[0].start.day, 13);
	assert_int_equal(occ[0].start.month, 5);
	free(occ);
}

static void test_max_out(void **state)
{
	(void)state;
	struct occurrence *occ = NULL;
	int got = expand_2tu(NULL, 0, "2027-01-01 00:00", "2028-01-01 00:00", 3,
	                     &occ);
	assert_int_equal(got, 3);
	assert_int_equal(occ[2].start.month, 3);
	free(occ);
	/* A move into the first three still counts. */
	struct recur_exception exc[] = {
	    move("2027-10-12 12:30", "2027-01-20 12:30", 0)};
	got =
	    expand_2tu(exc, 1, "2027-01-01 00:00", "2028-01-01 00:00", 3, &occ);
	assert_int_equal(got, 3);
	assert_true(occ[1].moved);
	assert_int_equal(occ[2].start.month, 2);
	free(occ);
}

/* An occurrence that overlaps the window's start is in; [from, to). */
static void test_window_edges(void **state)
{
	(void)state;
	struct occurrence *occ = NULL;
	assert_int_equal(expand_2tu(NULL, 0, "2027-01-12 12:29",
	                            "2027-01-12 12:30", 10, &occ),
	                 1);
	free(occ);
	assert_int_equal(expand_2tu(NULL, 0, "2027-01-12 12:30",
	                            "2027-02-09 11:30", 10, &occ),
	                 0);
	assert_null(occ);
	assert_int_equal(expand_2tu(NULL, 0, "2027-01-12 11:29",
	                            "2027-01-12 11:30", 10, &occ),
	                 0);
	assert_int_equal(expand_2tu(NULL, 0, "2027-02-09 11:30",
	                            "2027-01-01 00:00", 10, &occ),
	                 0);
	assert_int_equal(expand_2tu(NULL, 0, "2027-01-01 00:00",
	                            "2028-01-01 00:00", 0, &occ),
	                 0);
}

static void test_single_event(void **state)
{
	(void)state;
	struct wtime start = T("2027-06-01 10:00");
	struct occurrence *occ = NULL;
	struct recur_exception exc = cancel("2027-06-01 10:00");
	assert_int_equal(recur_expand("", &start, 30, TZ, &exc, 1, 0, INT64_MAX,
	                              10, &occ, NULL),
	                 0);
	exc = move("2027-06-01 10:00", "2027-06-02 11:00", 45);
	assert_int_equal(recur_expand(NULL, &start, 30, TZ, &exc, 1, 0,
	                              INT64_MAX, 10, &occ, NULL),
	                 1);
	assert_true(occ[0].moved);
	assert_int_equal(occ[0].start_utc, U("2027-06-02 09:00"));
	assert_int_equal(occ[0].end_utc, U("2027-06-02 09:45"));
	free(occ);
}

/* Far from the start the expansion resumes near the window; the result
 * must equal a walk from the start. */
static void test_fast_forward(void **state)
{
	(void)state;
	static const struct {
		const char *rule, *start;
	} cases[] = {
	    {"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "2027-01-04 08:30"},
	    {"FREQ=WEEKLY;INTERVAL=3;BYDAY=SA,SU;WKST=SU", "2027-01-03 08:30"},
	    {"FREQ=MONTHLY;INTERVAL=5;BYDAY=-1FR", "2027-01-29 09:00"},
	    {"FREQ=MONTHLY;BYMONTHDAY=31", "2027-01-31 09:00"},
	    {"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2",
	     "2027-01-28 09:00"},
	    {"FREQ=DAILY;INTERVAL=3;BYMONTH=2,3", "2027-02-01 09:00"},
	    {"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "2028-02-29 09:00"},
	    {"FREQ=YEARLY;INTERVAL=3;BYMONTH=6;BYDAY=2SA", "2027-06-12 09:00"},
	    {"FREQ=WEEKLY;UNTIL=20460101", "2027-01-04 08:30"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct wtime start = T(cases[i].start);
		struct occurrence *all = NULL, *part = NULL;
		int64_t from = U("2043-03-01 00:00"),
		        to = U("2045-03-01 00:00");
		char *err = NULL;
		int n =
		    recur_expand(cases[i].rule, &start, 60, TZ, NULL, 0,
		                 U("2027-01-01 00:00"), to, 100000, &all, &err);
		int m = recur_expand(cases[i].rule, &start, 60, TZ, NULL, 0,
		                     from, to, 100000, &part, &err);
		if (n < 0 || m < 0)
			fail_msg("%s: %s", cases[i].rule, err);
		int k = 0;
		while (k < n && all[k].end_utc <= from)
			k++;
		if (n - k != m)
			fail_msg("%s: %d occurrences, want %d", cases[i].rule,
			         m, n - k);
		for (int j = 0; j < m; j++)
			assert_int_equal(part[j].start_utc,
			                 all[k + j].start_utc);
		free(all);
		free(part);
	}
}

static void test_too_many_steps(void **state)
{
	(void)state;
	struct wtime start = T("2027-01-01 09:00");
	struct occurrence *occ = NULL;
	char *err = NULL;
	assert_int_equal(recur_expand("FREQ=DAILY", &start, 60, TZ, NULL, 0,
	                              U("2027-01-01 00:00"),
	                              U("2090-01-01 00:00"), SIZE_MAX, &occ,
	                              &err),
	                 -1);
	assert_non_null(strstr(err, "more than 20000 occurrences"));
	assert_null(occ);
	free(err);
	/* max_out stops it earlier. */
	assert_int_equal(recur_expand("FREQ=DAILY", &start, 60, TZ, NULL, 0,
	                              U("2027-01-01 00:00"),
	                              U("2090-01-01 00:00"), 50, &occ, NULL),
	                 50);
	free(occ);
}

static void test_expand_refuses_bad_rule(void **state)
{
	(void)state;
	struct wtime start = T("2027-01-12 12:30");
	struct occurrence *occ = NULL;
	char *err = NULL;
	assert_int_equal(recur_expand("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31",
	                              &start, 60, TZ, NULL, 0, 0, INT64_MAX, 10,
	                              &occ, &err),
	                 -1);
	assert_non_null(strstr(err, "never occurs"));
	assert_null(occ);
	free(err);
}

/* ---------------------------------------------------------------------- */
/* recur_find_occurrence and recur_last_end_utc                           */

static void test_find_occurrence(void **state)
{
	(void)state;
	static const struct {
		const char *rule, *start, *date, *want; /* want NULL: none */
	} cases[] = {
	    {SECOND_TUESDAY, "2027-01-12 12:30", "2027-03-09",
	     "2027-03-09 12:30"},
	    {SECOND_TUESDAY, "2027-01-12 12:30", "2027-03-09 12:30",
	     "2027-03-09 12:30"},
	    {SECOND_TUESDAY, "2027-01-12 12:30", "2027-01-12",
	     "2027-01-12 12:30"},
	    {SECOND_TUESDAY, "2027-01-12 12:30", "2027-10-12",
	     "2027-10-12 12:30"},
	    {SECOND_TUESDAY, "2027-01-12 12:30", "2027-11-09", NULL},
	    {SECOND_TUESDAY, "2027-01-12 12:30", "2027-03-10", NULL},
	    {SECOND_TUESDAY, "2027-01-12 12:30", "2027-03-09 13:00", NULL},
	    {SECOND_TUESDAY, "2027-01-12 12:30", "2026-12-08", NULL},
	    {"FREQ=WEEKLY;UNTIL=20270331", "2027-03-03 19:00", "2027-03-31",
	     "2027-03-31 19:00"},
	    {"FREQ=WEEKLY;UNTIL=20270331", "2027-03-03 19:00", "2027-04-07",
	     NULL},
	    {"FREQ=WEEKLY;BYDAY=WE", "2027-03-10", "2030-05-01", "2030-05-01"},
	    {"FREQ=WEEKLY;BYDAY=WE", "2027-03-10", "2030-05-01 00:00",
	     "2030-05-01"},
	    {"FREQ=WEEKLY;BYDAY=WE", "2027-03-10", "2030-05-01 10:00", NULL},
	    {"FREQ=DAILY", "2027-03-10 09:00", "2199-12-31",
	     "2199-12-31 09:00"},
	    {"", "2027-06-01 10:00", "2027-06-01", "2027-06-01 10:00"},
	    {"", "2027-06-01 10:00", "2027-06-01 10:00", "2027-06-01 10:00"},
	    {"", "2027-06-01 10:00", "2027-06-02", NULL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct wtime start = T(cases[i].start), date = T(cases[i].date);
		struct wtime rid;
		char *err = NULL;
		int rc = recur_find_occurrence(cases[i].rule, &start, &date,
		                               &rid, &err);
		if (cases[i].want == NULL) {
			if (rc == 0)
				fail_msg("%s: found %s", cases[i].rule,
				         cases[i].date);
			char msg[80];
			snprintf(msg, sizeof(msg),
			         "--occurrence: the series has no occurrence "
			         "%s %s",
			         date.date_only ? "on" : "at", cases[i].date);
			assert_string_equal(err, msg);
			free(err);
			continue;
		}
		if (rc < 0)
			fail_msg("%s %s: %s", cases[i].rule, cases[i].date,
			         err);
		struct wtime want = T(cases[i].want);
		assert_int_equal(wtime_cmp(&rid, &want), 0);
		assert_int_equal(rid.date_only, want.date_only);
	}
}

static void test_find_occurrence_bad_rule(void **state)
{
	(void)state;
	struct wtime start = T("2027-01-12 12:30"), date = T("2027-01-12");
	struct wtime rid;
	char *err = NULL;
	assert_int_equal(
	    recur_find_occurrence("FREQ=HOURLY", &start, &date, &rid, &err),
	    -1);
	assert_non_null(strstr(err, "--rrule: FREQ=HOURLY"));
	free(err);
}

static void test_last_end(void **state)
{
	(void)state;
	struct wtime t = T("2027-01-12 12:30");
	assert_int_equal(recur_last_end_utc(SECOND_TUESDAY, &t, 90, TZ),
	                 U("2027-10-12 12:00"));
	assert_int_equal(recur_last_end_utc(NULL, &t, 90, TZ),
	                 U("2027-01-12 13:00"));
	assert_int_equal(
	    recur_last_end_utc("FREQ=MONTHLY;BYDAY=2TU", &t, 90, TZ),
	    INT64_MAX);
	assert_int_equal(recur_last_end_utc("FREQ=HOURLY", &t, 90, TZ),
	                 INT64_MAX);
	t = T("2027-03-03 19:00");
	assert_int_equal(
	    recur_last_end_utc("FREQ=WEEKLY;UNTIL=20270331", &t, 60, TZ),
	    U("2027-03-31 18:00"));
	assert_int_equal(recur_last_end_utc(
	                     "FREQ=WEEKLY;UNTIL=20270331T170000Z", &t, 60, TZ),
	                 U("2027-03-31 18:00"));
	t = T("2027-03-10");
	assert_int_equal(recur_last_end_utc("FREQ=WEEKLY;BYDAY=WE;COUNT=3", &t,
	                                    2 * 1440, TZ),
	                 U("2027-03-25 23:00"));
}

/* ---------------------------------------------------------------------- */
/* The module's rule model agrees with libical                            */

static const struct {
	const char *rule, *start;
} agree_cases[] = {
    {"FREQ=DAILY", "2027-01-12 12:30"},
    {"FREQ=DAILY;INTERVAL=7;BYMONTH=2,8", "2027-02-01 12:30"},
    {"FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "2027-01-04 12:30"},
    {"FREQ=DAILY;BYMONTHDAY=1,15,31;BYDAY=MO,FR", "2027-01-01 12:30"},
    {"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29", "2028-02-29 12:30"},
    {"FREQ=DAILY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=29", "2028-02-29 12:30"},
    {"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "2027-01-07 08:30"},
    {"FREQ=WEEKLY;INTERVAL=3;BYDAY=SU,SA;WKST=SU", "2027-01-09 08:30"},
    {"FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,SA", "2027-01-09 08:30"},
    {"FREQ=WEEKLY;BYMONTH=12;BYDAY=MO,WE,FR", "2027-12-01 08:30"},
    {"FREQ=MONTHLY;BYDAY=2TU", "2027-01-12 12:30"},
    {"FREQ=MONTHLY;BYDAY=5FR,-5MO", "2027-01-29 12:30"},
    {"FREQ=MONTHLY;BYMONTHDAY=-1,-31,15", "2027-01-01 12:30"},
    {"FREQ=MONTHLY;BYMONTHDAY=29,30,31;BYSETPOS=-1", "2027-01-31 12:30"},
    {"FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR", "2027-08-13 12:30"},
    {"FREQ=MONTHLY;BYDAY=-1FR;BYMONTHDAY=-7,-6,-5,-4,-3,-2,-1",
     "2027-01-29 12:30"},
    {"FREQ=MONTHLY;INTERVAL=7;BYDAY=SA,SU;BYSETPOS=1,-1", "2027-01-02 12:30"},
    {"FREQ=MONTHLY;BYDAY=5SU", "2027-01-31 12:30"},
    {"FREQ=YEARLY;COUNT=21", "2027-01-12 12:30"},
    {"FREQ=YEARLY;BYDAY=20MO", "2027-05-17 10:00"},
    {"FREQ=YEARLY;BYDAY=-53SU,1MO", "2027-01-04 10:00"},
    {"FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=1,100,-1",
     "2027-01-01 10:00"},
    {"FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU", "2027-03-28 10:00"},
    {"FREQ=YEARLY;BYMONTH=1,2;BYSETPOS=-1", "2027-02-15 10:00"},
    {"FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=-1;BYDAY=MO,TU", "2027-05-31 10:00"},
    {"FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", "2028-02-29 10:00"},
    {"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=5", "2028-02-29 10:00"},
    {"FREQ=DAILY;UNTIL=20300101T000000Z", "2027-01-12 12:30"},
    {"FREQ=WEEKLY;BYDAY=WE;COUNT=100", "2027-03-10"},
};

static void test_agrees_with_libical(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(agree_cases); i++) {
		struct wtime start = T(agree_cases[i].start);
		char *err = NULL;
		if (recur_compare_libical(agree_cases[i].rule, &start, TZ, 30,
		                          &err) < 0)
			fail_msg("%s @ %s: %s", agree_cases[i].rule,
			         agree_cases[i].start, err);
	}
}

/* Random rules from the parts we accept, from random starts moved to the
 * first occurrence (the fast-forward may resume at any occurrence). */
static void random_rule(char *buf, size_t size, unsigned *seed)
{
	static const char *const wd[] = {"SU", "MO", "TU", "WE",
	                                 "TH", "FR", "SA"};
	static const char *const fq[] = {"DAILY", "WEEKLY", "MONTHLY",
	                                 "YEARLY"};
	int f = rand_r(seed) % 4;
	int n = snprintf(buf, size, "FREQ=%s;INTERVAL=%d", fq[f],
	                 1 + rand_r(seed) % 3);
	if (rand_r(seed) % 3 == 0)
		n += snprintf(buf + n, size - n, ";BYMONTH=%d,%d",
		              1 + rand_r(seed) % 12, 1 + rand_r(seed) % 12);
	if (f >= 2 && rand_r(seed) % 3 == 0)
		n += snprintf(buf + n, size - n, ";BYMONTHDAY=%d",
		              (1 + rand_r(seed) % 31) *
		                  (rand_r(seed) % 3 ? 1 : -1));
	if (rand_r(seed) % 2) {
		int ord = f >= 2 && rand_r(seed) % 2 ? 1 + rand_r(seed) % 4 : 0;
		if (ord)
			n += snprintf(buf + n, size - n, ";BYDAY=%d%s,-%d%s",
			              ord, wd[rand_r(seed) % 7], ord,
			              wd[rand_r(seed) % 7]);
		else
			n += snprintf(buf + n, size - n, ";BYDAY=%s,%s",
			              wd[rand_r(seed) % 7],
			              wd[rand_r(seed) % 7]);
	}
	if (f >= 2 && rand_r(seed) % 4 == 0)
		n += snprintf(buf + n, size - n, ";BYSETPOS=%d",
		              rand_r(seed) % 2 ? 1 : -1);
	if (rand_r(seed) % 4 == 0)
		snprintf(buf + n, size - n, ";WKST=SU");
}

static void test_agrees_with_libical_random(void **state)
{
	(void)state;
	unsigned seed = 20270112;
	int compared = 0;
	for (int i = 0; i < 400; i++) {
		char rule[256], *err = NULL;
		random_rule(rule, sizeof(rule), &seed);
		struct wtime start = {2020 + rand_r(&seed) % 20,
		                      1 + rand_r(&seed) % 12,
		                      1 + rand_r(&seed) % 28,
		                      9,
		                      0,
		                      false};
		int rc = recur_compare_libical(rule, &start, TZ, 12, &err);
		const char *hint =
		    err ? strstr(err, "the first after it is ") : NULL;
		if (hint) {
			char buf[WTIME_STRLEN];
			snprintf(buf, sizeof(buf), "%.16s", hint + 22);
			start = T(buf);
			free(err);
			err = NULL;
			rc = recur_compare_libical(rule, &start, TZ, 12, &err);
		}
		if (rc < 0 && strstr(err, "the engine gives"))
			fail_msg("%s @ %d-%02d-%02d: %s", rule, start.year,
			         start.month, start.day, err);
		compared += rc == 0;
		free(err);
	}
	assert_true(compared > 100);
}

/* ---------------------------------------------------------------------- */
/* Timing: nothing keeps a call busy                                      */

/* Generous for sanitizers and a busy machine; typically a few ms. */
#define SLOW_MS 100.0

static const char *const hostile_accepted[] = {
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29|2028-02-29 12:30",
    "FREQ=DAILY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=29|2028-02-29 12:30",
    "FREQ=DAILY;COUNT=1000|2027-01-12 12:30",
    "FREQ=DAILY;UNTIL=20470112|2027-01-12 12:30",
    "FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY=1,2,3,4,5,6,7,"
    "8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31|"
    "2027-01-01 12:30",
    "FREQ=YEARLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=-366|2028-01-01 12:30",
    "FREQ=YEARLY;BYDAY=53SU|2034-12-31 12:30",
    "FREQ=MONTHLY;INTERVAL=99;BYMONTHDAY=28|2027-01-28 12:30",
    "FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=29|2028-02-29 12:30",
    "FREQ=WEEKLY;INTERVAL=99;BYDAY=SU,MO,TU,WE,TH,FR,SA|2027-02-07 12:30",
    "FREQ=MONTHLY;BYDAY=5SU|2027-01-31 12:30",
    "FREQ=DAILY|2200-12-31 23:59",
};

static const char *const hostile_refused[] = {
    "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=31",
    "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=31",
    "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=31",
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31",
    "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6,9,11",
    "FREQ=DAILY;BYMONTHDAY=-1",
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
    "FREQ=MONTHLY;BYDAY=5MO;BYMONTH=2;BYMONTHDAY=1,2,3,4,5,6,7",
    "FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=1",
    "FREQ=MONTHLY;INTERVAL=99;BYMONTHDAY=31",
    "FREQ=MONTHLY;BYMONTH=2;BYDAY=5SU",
    "FREQ=WEEKLY;INTERVAL=99;BYMONTH=2;BYDAY=SU",
};

static void time_accepted(const char *line)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", line);
	char *bar = strchr(buf, '|');
	*bar = '\0';
	struct wtime start = T(bar + 1);
	struct occurrence *occ = NULL;
	char *err = NULL;
	double t0 = now_ms();
	if (recur_check(buf, &start, true, NULL, &err) < 0)
		fail_msg("%s: %s", buf, err);
	double t1 = now_ms();
	int64_t from = wtime_to_utc(&start, TZ);
	int got = recur_expand(buf, &start, 60, TZ, NULL, 0, from,
	                       from + 2 * 366 * 86400LL, 100000, &occ, &err);
	double t2 = now_ms();
	if (got < 0)
		fail_msg("%s: %s", buf, err);
	free(occ);
	if (t1 - t0 > SLOW_MS || t2 - t1 > SLOW_MS)
		fail_msg("%s: check %.1f ms, expand %.1f ms", buf, t1 - t0,
		         t2 - t1);
}

static void test_timing(void **state)
{
	(void)state;
	struct wtime start = T("2027-01-12 12:30");
	for (size_t i = 0; i < ARRAY_SIZE(hostile_accepted); i++)
		time_accepted(hostile_accepted[i]);
	for (size_t i = 0; i < ARRAY_SIZE(accepted_cases); i++) {
		char line[256];
		snprintf(line, sizeof(line), "%s|%s", accepted_cases[i].rule,
		         accepted_cases[i].start);
		time_accepted(line);
	}
	for (size_t i = 0; i < ARRAY_SIZE(hostile_refused); i++) {
		double t0 = now_ms();
		assert_int_equal(
		    recur_check(hostile_refused[i], &start, true, NULL, NULL),
		    -1);
		struct occurrence *occ = NULL;
		assert_int_equal(recur_expand(hostile_refused[i], &start, 60,
		                              TZ, NULL, 0, 0, INT64_MAX, 10,
		                              &occ, NULL),
		                 -1);
		if (now_ms() - t0 > SLOW_MS)
			fail_msg("%s took %.1f ms", hostile_refused[i],
			         now_ms() - t0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_refused_without_error_r),
	    cmocka_unit_test(test_too_long),
	    cmocka_unit_test(test_bad_start),
	    cmocka_unit_test(test_accepted),
	    cmocka_unit_test(test_other_zone),
	    cmocka_unit_test(test_expand),
	    cmocka_unit_test(test_all_day_ends),
	    cmocka_unit_test(test_cancelled),
	    cmocka_unit_test(test_moved),
	    cmocka_unit_test(test_moved_across_window),
	    cmocka_unit_test(test_moved_not_original),
	    cmocka_unit_test(test_cancel_wins_last_move_wins),
	    cmocka_unit_test(test_max_out),
	    cmocka_unit_test(test_window_edges),
	    cmocka_unit_test(test_single_event),
	    cmocka_unit_test(test_fast_forward),
	    cmocka_unit_test(test_too_many_steps),
	    cmocka_unit_test(test_expand_refuses_bad_rule),
	    cmocka_unit_test(test_find_occurrence),
	    cmocka_unit_test(test_find_occurrence_bad_rule),
	    cmocka_unit_test(test_last_end),
	    cmocka_unit_test(test_agrees_with_libical),
	    cmocka_unit_test(test_agrees_with_libical_random),
	    cmocka_unit_test(test_timing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
