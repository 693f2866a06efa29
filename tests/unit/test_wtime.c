/*
 * Unit tests for core/wtime: parsing and formatting tables (valid, invalid
 * with the message expected, edges such as leap days and the year range),
 * calendar arithmetic, conversion to and from UTC around both DST changes,
 * in 2038 and 2100, and durations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "core/wtime.h"

#define TZ WIJKCAL_TZID

/* "2027-01-12 11:30" read as UTC, in seconds since the epoch. */
static int64_t U(int y, int mo, int d, int h, int mi)
{
	struct tm tm = {.tm_year = y - 1900,
	                .tm_mon = mo - 1,
	                .tm_mday = d,
	                .tm_hour = h,
	                .tm_min = mi};
	return (int64_t)timegm(&tm);
}

/* ---------------------------------------------------------------------- */
/* Parsing and formatting                                                 */

struct parse_case {
	const char *in;
	bool allow_date;
	const char *want;  /* formatted result, or NULL */
	const char *error; /* the message when want is NULL */
};

static const struct parse_case parse_cases[] = {
    {"2027-01-12 12:30", false, "2027-01-12 12:30", NULL},
    {"2027-01-12T12:30", false, "2027-01-12 12:30", NULL},
    {"2027-01-12 00:00", false, "2027-01-12 00:00", NULL},
    {"2027-01-12 23:59", false, "2027-01-12 23:59", NULL},
    {"2027-01-12", true, "2027-01-12", NULL},
    {"2028-02-29", true, "2028-02-29", NULL},
    {"2000-02-29 10:00", false, "2000-02-29 10:00", NULL},
    {"1970-01-01 00:00", false, "1970-01-01 00:00", NULL},
    {"2200-12-31 23:59", false, "2200-12-31 23:59", NULL},
    {"2027-01-12", false, NULL,
     "--start: expected YYYY-MM-DD HH:MM (with a time), got \"2027-01-12\""},
    {"", false, NULL, "--start: expected YYYY-MM-DD HH:MM, got \"\""},
    {"", true, NULL,
     "--start: expected YYYY-MM-DD HH:MM or YYYY-MM-DD, got \"\""},
    {"2027-1-12 12:30", false, NULL,
     "--start: expected YYYY-MM-DD HH:MM, got \"2027-1-12 12:30\""},
    {"2027-01-12 12:3", false, NULL,
     "--start: expected YYYY-MM-DD HH:MM, got \"2027-01-12 12:3\""},
    {"2027-01-12 12:30:00", false, NULL,
     "--start: expected YYYY-MM-DD HH:MM, got \"2027-01-12 12:30:00\""},
    {"2027-01-12_12:30", false, NULL,
     "--start: expected YYYY-MM-DD HH:MM, got \"2027-01-12_12:30\""},
    {"2027-01-12 12.30", false, NULL,
     "--start: expected YYYY-MM-DD HH:MM, got \"2027-01-12 12.30\""},
    {"2027-01-12 1a:30", false, NULL,
     "--start: expected YYYY-MM-DD HH:MM, got \"2027-01-12 1a:30\""},
    {"2027/01/12 12:30", false, NULL,
     "--start: expected YYYY-MM-DD HH:MM, got \"2027/01/12 12:30\""},
    {"+027-01-12", true, NULL,
     "--start: expected YYYY-MM-DD HH:MM or YYYY-MM-DD, got \"+027-01-12\""},
    {"2027-02-29", true, NULL, "--start: 2027-02-29 is not a date"},
    {"2100-02-29 10:00", false, NULL, "--start: 2100-02-29 is not a date"},
    {"2027-13-01", true, NULL, "--start: 2027-13-01 is not a date"},
    {"2027-00-10", true, NULL, "--start: 2027-00-10 is not a date"},
    {"2027-04-31", true, NULL, "--start: 2027-04-31 is not a date"},
    {"2027-01-00", true, NULL, "--start: 2027-01-00 is not a date"},
    {"2027-01-12 24:00", false, NULL, "--start: 24:00 is not a time of day"},
    {"2027-01-12 12:60", false, NULL, "--start: 12:60 is not a time of day"},
    {"1969-12-31 23:59", false, NULL,
     "--start: year 1969 is out of range (1970..2200)"},
    {"2201-01-01", true, NULL,
     "--start: year 2201 is out of range (1970..2200)"},
};

static void test_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct wtime t = {1, 1, 1, 1, 1, false};
		char *err = NULL, buf[WTIME_STRLEN];
		int rc = wtime_parse(c->in, c->allow_date, "--start", &t, &err);
		if (c->want) {
			if (rc < 0)
				fail_msg("\"%s\": %s", c->in, err);
			wtime_format(&t, buf);
			assert_string_equal(buf, c->want);
			assert_int_equal(t.date_only, strlen(c->want) == 10);
			assert_null(err);
			continue;
		}
		if (rc == 0)
			fail_msg("\"%s\" parsed", c->in);
		assert_string_equal(err, c->error);
		/* A failed parse leaves the output alone. */
		assert_int_equal(t.year, 1);
		free(err);
	}
}

static void test_parse_date(void **state)
{
	(void)state;
	struct wtime t;
	char *err = NULL;
	assert_int_equal(wtime_parse_date("2027-03-09", "--date", &t, &err), 0);
	assert_true(t.date_only);
	assert_int_equal(t.day, 9);
	assert_int_equal(t.hour, 0);
	assert_int_equal(
	    wtime_parse_date("2027-03-09 12:00", "--date", &t, &err), -1);
	assert_string_equal(err,
	                    "--date: expected YYYY-MM-DD, got \"2027-03-09 "
	                    "12:00\"");
	assert_int_equal(wtime_parse_date("2027-02-30", "--date", &t, &err),
	                 -1);
	assert_string_equal(err, "--date: 2027-02-30 is not a date");
	assert_int_equal(wtime_parse_date("27-03-09", "--date", &t, NULL), -1);
	free(err);
}

static void test_format(void **state)
{
	(void)state;
	char buf[WTIME_STRLEN];
	struct wtime t = {2027, 1, 2, 3, 4, false};
	wtime_format(&t, buf);
	assert_string_equal(buf, "2027-01-02 03:04");
	t.date_only = true;
	wtime_format(&t, buf);
	assert_string_equal(buf, "2027-01-02");
}

/* ---------------------------------------------------------------------- */
/* Calendar arithmetic                                                    */

static void test_days_in_month(void **state)
{
	(void)state;
	static const int days[] = {31, 28, 31, 30, 31, 30,
	                           31, 31, 30, 31, 30, 31};
	for (int m = 1; m <= 12; m++)
		assert_int_equal(wtime_days_in_month(2027, m), days[m - 1]);
	assert_int_equal(wtime_days_in_month(2028, 2), 29);
	assert_int_equal(wtime_days_in_month(2000, 2), 29);
	assert_int_equal(wtime_days_in_month(2100, 2), 28);
	assert_int_equal(wtime_days_in_month(1900, 2), 28);
}

static void test_weekday(void **state)
{
	(void)state;
	static const struct {
		struct wtime t;
		int wd;
	} cases[] = {
	    {{1970, 1, 1, 0, 0, true}, 4},   {{2027, 1, 12, 12, 30, false}, 2},
	    {{2000, 2, 29, 0, 0, true}, 2},  {{2038, 1, 19, 0, 0, true}, 2},
	    {{2100, 3, 1, 0, 0, true}, 1},   {{2200, 12, 31, 0, 0, true}, 3},
	    {{1969, 12, 31, 0, 0, true}, 3},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_int_equal(wtime_weekday(&cases[i].t), cases[i].wd);
}

static void test_cmp(void **state)
{
	(void)state;
	struct wtime a = {2027, 1, 12, 12, 30, false};
	struct wtime b = a, d = {2027, 1, 12, 0, 0, true};
	assert_int_equal(wtime_cmp(&a, &b), 0);
	b.minute = 31;
	assert_int_equal(wtime_cmp(&a, &b), -1);
	assert_int_equal(wtime_cmp(&b, &a), 1);
	b = a;
	b.year = 2026;
	assert_int_equal(wtime_cmp(&a, &b), 1);
	/* A date sorts as 00:00 of its day. */
	assert_int_equal(wtime_cmp(&d, &a), -1);
	b = (struct wtime){2027, 1, 12, 0, 0, false};
	assert_int_equal(wtime_cmp(&d, &b), 0);
}

static void test_add_minutes(void **state)
{
	(void)state;
	static const struct {
		const char *from;
		int64_t minutes;
		const char *want;
	} cases[] = {
	    {"2027-01-12 12:30", 90, "2027-01-12 14:00"},
	    {"2027-01-12 23:30", 30, "2027-01-13 00:00"},
	    {"2027-12-31 23:59", 1, "2028-01-01 00:00"},
	    {"2028-02-28 12:00", 1440, "2028-02-29 12:00"},
	    {"2027-02-28 12:00", 1440, "2027-03-01 12:00"},
	    {"2027-01-12 00:00", -1, "2027-01-11 23:59"},
	    {"2027-01-01 00:30", -60, "2026-12-31 23:30"},
	    {"1970-01-01 00:00", -1, "1969-12-31 23:59"},
	    {"2027-03-28 01:30", 60, "2027-03-28 02:30"}, /* wall time */
	    {"2027-01-12 12:30", 6 * 7 * 1440, "2027-02-23 12:30"},
	    {"2027-01-12 12:30", 0, "2027-01-12 12:30"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct wtime t;
		char buf[WTIME_STRLEN];
		assert_int_equal(
		    wtime_parse(cases[i].from, false, "t", &t, NULL), 0);
		t = wtime_add_minutes(t, cases[i].minutes);
		wtime_format(&t, buf);
		assert_string_equal(buf, cases[i].want);
	}
}

/* ---------------------------------------------------------------------- */
/* UTC                                                                    */

struct utc_case {
	struct wtime t;
	const char *tzid;
	int64_t utc;
};

static void test_to_utc(void **state)
{
	(void)state;
	const struct utc_case cases[] = {
	    {{2027, 1, 12, 12, 30, false}, TZ, U(2027, 1, 12, 11, 30)},
	    {{2027, 7, 1, 12, 30, false}, TZ, U(2027, 7, 1, 10, 30)},
	    {{2027, 1, 12, 0, 0, true}, TZ, U(2027, 1, 11, 23, 0)},
	    {{2027, 7, 1, 0, 0, true}, TZ, U(2027, 6, 30, 22, 0)},
	    /* Spring: 02:00..02:59 do not exist and move forward by the
	     * gap (the offset from before the gap). */
	    {{2027, 3, 28, 1, 59, false}, TZ, U(2027, 3, 28, 0, 59)},
	    {{2027, 3, 28, 2, 0, false}, TZ, U(2027, 3, 28, 1, 0)},
	    {{2027, 3, 28, 2, 30, false}, TZ, U(2027, 3, 28, 1, 30)},
	    {{2027, 3, 28, 3, 0, false}, TZ, U(2027, 3, 28, 1, 0)},
	    /* Autumn: 02:00..02:59 happen twice; the first (summer) counts. */
	    {{2027, 10, 31, 1, 59, false}, TZ, U(2027, 10, 30, 23, 59)},
	    {{2027, 10, 31, 2, 0, false}, TZ, U(2027, 10, 31, 0, 0)},
	    {{2027, 10, 31, 2, 30, false}, TZ, U(2027, 10, 31, 0, 30)},
	    {{2027, 10, 31, 2, 59, false}, TZ, U(2027, 10, 31, 0, 59)},
	    {{2027, 10, 31, 3, 0, false}, TZ, U(2027, 10, 31, 2, 0)},
	    /* 2038 and later; the epoch; the last year we accept. */
	    {{2038, 1, 19, 12, 0, false}, TZ, U(2038, 1, 19, 11, 0)},
	    {{2038, 7, 1, 12, 0, false}, TZ, U(2038, 7, 1, 10, 0)},
	    {{2100, 7, 1, 12, 0, false}, TZ, U(2100, 7, 1, 10, 0)},
	    {{1970, 1, 1, 0, 0, false}, TZ, -3600},
	    {{2200, 12, 31, 23, 59, false}, TZ, U(2200, 12, 31, 22, 59)},
	    /* Another zone, and its own changes. */
	    {{2027, 1, 12, 12, 0, false},
	     "America/New_York",
	     U(2027, 1, 12, 17, 0)},
	    {{2027, 3, 14, 2, 30, false},
	     "America/New_York",
	     U(2027, 3, 14, 7, 30)},
	    {{2027, 11, 7, 1, 30, false},
	     "America/New_York",
	     U(2027, 11, 7, 5, 30)},
	    {{2027, 1, 12, 12, 0, false}, "UTC", U(2027, 1, 12, 12, 0)},
	    /* An unknown zone is UTC. */
	    {{2027, 1, 12, 12, 0, false},
	     "Nowhere/Atlantis",
	     U(2027, 1, 12, 12, 0)},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct utc_case *c = &cases[i];
		char buf[WTIME_STRLEN];
		wtime_format(&c->t, buf);
		int64_t got = wtime_to_utc(&c->t, c->tzid);
		if (got != c->utc)
			fail_msg("%s %s: %lld, want %lld (%+lld s)", buf,
			         c->tzid, (long long)got, (long long)c->utc,
			         (long long)(got - c->utc));
	}
}

static void test_from_utc(void **state)
{
	(void)state;
	const struct utc_case cases[] = {
	    {{2027, 1, 12, 12, 30, false}, TZ, U(2027, 1, 12, 11, 30)},
	    {{2027, 3, 28, 1, 59, false}, TZ, U(2027, 3, 28, 0, 59)},
	    {{2027, 3, 28, 3, 0, false}, TZ, U(2027, 3, 28, 1, 0)},
	    {{2027, 10, 31, 2, 30, false}, TZ, U(2027, 10, 31, 0, 30)},
	    {{2027, 10, 31, 2, 30, false}, TZ, U(2027, 10, 31, 1, 30)},
	    {{2027, 10, 31, 3, 0, false}, TZ, U(2027, 10, 31, 2, 0)},
	    {{1970, 1, 1, 1, 0, false}, TZ, 0},
	    {{2038, 1, 19, 4, 14, false}, TZ, 2147483647},
	    {{2027, 1, 12, 7, 0, false},
	     "America/New_York",
	     U(2027, 1, 12, 12, 0)},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct wtime t = wtime_from_utc(cases[i].utc, cases[i].tzid);
		char got[WTIME_STRLEN], want[WTIME_STRLEN];
		wtime_format(&t, got);
		wtime_format(&cases[i].t, want);
		assert_string_equal(got, want);
		assert_false(t.date_only);
	}
}

/* Every minute of a year survives the round trip, except those in the
 * spring gap, which come back one hour later. */
static void test_round_trip(void **state)
{
	(void)state;
	struct wtime t = {2027, 1, 1, 0, 0, false};
	for (int i = 0; i < 365 * 24 * 4; i++, t = wtime_add_minutes(t, 15)) {
		struct wtime back = wtime_from_utc(wtime_to_utc(&t, TZ), TZ);
		bool gap = t.month == 3 && t.day == 28 && t.hour == 2;
		struct wtime want = gap ? wtime_add_minutes(t, 60) : t;
		if (wtime_cmp(&back, &want) != 0) {
			char a[WTIME_STRLEN], b[WTIME_STRLEN];
			wtime_format(&t, a);
			wtime_format(&back, b);
			fail_msg("%s came back as %s", a, b);
		}
	}
}

/* ---------------------------------------------------------------------- */
/* Durations                                                              */

static void test_duration_parse(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int64_t want; /* -1: refused */
	} cases[] = {
	    {"90m", 90},         {"2h", 120},
	    {"1h30m", 90},       {"7d", 10080},
	    {"6w", 60480},       {"1d2h", 1560},
	    {"1w1d1h1m", 11581}, {"1m", 1},
	    {"0h1m", 1},         {"", -1},
	    {"90", -1},          {"m", -1},
	    {"1.5h", -1},        {"-5m", -1},
	    {"+5m", -1},         {"30m1h", -1},
	    {"1h1h", -1},        {"1H", -1},
	    {"1h 30m", -1},      {"5s", -1},
	    {"0m", -1},          {"99999999m", -1},
	    {"8w", -1}, /* over the maximum below */
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int64_t got = -7;
		char *err = NULL;
		int rc = duration_parse(cases[i].in, "--duration", 7 * 7 * 1440,
		                        &got, &err);
		if (cases[i].want < 0) {
			if (rc == 0)
				fail_msg("\"%s\" parsed as %lld", cases[i].in,
				         (long long)got);
			assert_int_equal(got, -7);
			assert_non_null(strstr(err, "--duration: expected a "
			                            "duration"));
			free(err);
			continue;
		}
		if (rc < 0)
			fail_msg("\"%s\": %s", cases[i].in, err);
		assert_int_equal(got, cases[i].want);
	}
}

static void test_duration_messages(void **state)
{
	(void)state;
	int64_t m;
	char *err = NULL;
	assert_int_equal(duration_parse("1.5h", "--duration", 1440, &m, &err),
	                 -1);
	assert_string_equal(err, "--duration: expected a duration like 90m, "
	                         "2h, 1h30m, 7d or 6w, got \"1.5h\"");
	assert_int_equal(duration_parse("2d", "--duration", 1440, &m, &err),
	                 -1);
	assert_string_equal(err, "--duration: expected a duration between 1m "
	                         "and 1440m, got \"2d\"");
	free(err);
}

static void test_duration_format(void **state)
{
	(void)state;
	static const struct {
		int64_t minutes;
		const char *want;
	} cases[] = {
	    {90, "1h30m"}, {120, "2h"},    {1440, "1d"},
	    {60480, "6w"}, {1560, "1d2h"}, {11581, "1w1d1h1m"},
	    {1, "1m"},     {0, "0m"},      {-5, "0m"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char buf[32];
		int64_t back;
		duration_format(cases[i].minutes, buf);
		assert_string_equal(buf, cases[i].want);
		if (cases[i].minutes > 0) {
			assert_int_equal(
			    duration_parse(buf, "d", INT32_MAX, &back, NULL),
			    0);
			assert_int_equal(back, cases[i].minutes);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_parse_date),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_days_in_month),
	    cmocka_unit_test(test_weekday),
	    cmocka_unit_test(test_cmp),
	    cmocka_unit_test(test_add_minutes),
	    cmocka_unit_test(test_to_utc),
	    cmocka_unit_test(test_from_utc),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_duration_parse),
	    cmocka_unit_test(test_duration_messages),
	    cmocka_unit_test(test_duration_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
