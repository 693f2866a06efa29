/*
 * recur: recurrence rules as untrusted input, and their expansion.
 *
 * libical 3.0 walks candidate days one by one until the year 2582 when a
 * rule cannot match (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31 takes 0.4 s, HOURLY
 * seconds), silently ignores parts it does not understand, and gets some
 * combinations wrong. So a rule passes three gates of our own before
 * libical expands anything:
 *
 *  1. A strict parser: unknown, repeated or empty parts and malformed values
 *     are refused with a message naming the part.
 *  2. Structural checks: FREQ DAILY..YEARLY only (the time of day comes from
 *     the start), INTERVAL, COUNT and UNTIL capped, and no combination that
 *     libical or other calendar programs read differently (each refusal
 *     says which).
 *  3. A day-level model of RFC 5545 (the "engine" below) that walks one
 *     28-year calendar cycle ahead of the start. It proves that the start
 *     is an occurrence (implementations disagree on a start that is not)
 *     and that occurrences are never more than RECUR_MAX_GAP_YEARS apart.
 *
 * libical's iterator then does the expansion, on a floating start in wall
 * time, in step with the engine: libical is asked for the next occurrence
 * only after the engine has found it within the window, so no call into
 * libical ever searches far, and each answer is checked. This module turns
 * each occurrence into UTC with the series' zone and applies UNTIL (in UTC)
 * and the exceptions itself. Tests and the fuzzer compare engine and
 * libical day by day (recur_compare_libical).
 */
#include "core/recur.h"

#include <ctype.h>
#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define LIST_MAX          64  /* values in one BY* list */
#define PERIOD_MAX        372 /* candidate days in one period (a year) */
#define CROSSCHECK_MAX    8   /* occurrences compared with libical on check */
#define MAX_GAP_DAYS      ((int64_t)RECUR_MAX_GAP_YEARS * 366)
#define FAST_FORWARD_DAYS 400  /* skip ahead when the window starts later */
#define LAST_YEAR         2582 /* libical's iterator stops after this year */

/* ---------------------------------------------------------------------- */
/* The parsed rule                                                        */

enum freq { FREQ_DAILY, FREQ_WEEKLY, FREQ_MONTHLY, FREQ_YEARLY };

static const struct {
	const char *name;
	int max_interval; /* Outlook's own limits, and at most a 10-year gap */
} freqs[] = {
    [FREQ_DAILY] = {"DAILY", 999},
    [FREQ_WEEKLY] = {"WEEKLY", 99},
    [FREQ_MONTHLY] = {"MONTHLY", 99},
    [FREQ_YEARLY] = {"YEARLY", RECUR_MAX_GAP_YEARS},
};

enum part {
	PART_FREQ,
	PART_INTERVAL,
	PART_COUNT,
	PART_UNTIL,
	PART_BYDAY,
	PART_BYMONTHDAY,
	PART_BYMONTH,
	PART_BYSETPOS,
	PART_WKST,
	NPARTS
};

enum until_kind {
	UNTIL_NONE,
	UNTIL_DATE,  /* 20271231: through that local day */
	UNTIL_LOCAL, /* 20271231T120000: wall time in the series' zone */
	UNTIL_UTC,   /* 20271231T110000Z */
};

/* A BYDAY value: ord 0 means every such weekday; wd 0 is Sunday. */
struct byday {
	int ord;
	int wd;
};

struct rule {
	unsigned seen; /* 1 << PART_* for each part given */
	enum freq freq;
	int interval;
	int count; /* 0: no COUNT */
	enum until_kind until_kind;
	struct wtime until; /* as written; the date in UTC for UNTIL_UTC */
	int until_second;
	unsigned months; /* BYMONTH: bit m set for month m */
	int monthdays[LIST_MAX];
	size_t nmonthdays;
	struct byday days[LIST_MAX];
	size_t ndays;
	int setpos[LIST_MAX];
	size_t nsetpos;
	int wkst; /* 0 = Sunday; RFC 5545's default is Monday */
};

#define HAS(r, p) (((r)->seen & (1u << (p))) != 0)

static const char *const weekday_names[] = {"SU", "MO", "TU", "WE",
                                            "TH", "FR", "SA"};
static const char *const month_names[] = {
    "",     "January", "February",  "March",   "April",    "May",     "June",
    "July", "August",  "September", "October", "November", "December"};

/* ---------------------------------------------------------------------- */
/* Day numbers: days since 1970-01-01. The engine works on these because  */
/* it steps through thousands of days per check.                          */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int day_weekday(int64_t n)
{
	return (int)(((n % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
}

static int64_t wtime_day(const struct wtime *t)
{
	return wtime_day_number(t->year, t->month, t->day);
}

/* The wall time on day n at the time of day of `like`. */
static struct wtime day_wtime(int64_t n, const struct wtime *like)
{
	struct wtime t = *like;
	wtime_day_civil(n, &t.year, &t.month, &t.day);
	return t;
}

/* The same day `years` later (28 February for 29 February). */
static int64_t day_years_later(const struct wtime *t, int years)
{
	int y = t->year + years;
	int dim = wtime_days_in_month(y, t->month);
	return wtime_day_number(y, t->month, t->day > dim ? dim : t->day);
}

/* A valid wall time in years 1970..max_year. */
static bool wtime_valid_until(const struct wtime *t, int max_year)
{
	if (t->year < 1970 || t->year > max_year || t->month < 1 ||
	    t->month > 12 || t->day < 1 ||
	    t->day > wtime_days_in_month(t->year, t->month))
		return false;
	return t->date_only || (t->hour >= 0 && t->hour <= 23 &&
	                        t->minute >= 0 && t->minute <= 59);
}

/* A series starts in 1970..2200, as wtime_parse accepts. */
static bool wtime_valid(const struct wtime *t)
{
	return wtime_valid_until(t, 2200);
}

/* Its occurrences (and moves) run on until libical's last year. */
static bool occurrence_valid(const struct wtime *t)
{
	return wtime_valid_until(t, LAST_YEAR);
}

/* ---------------------------------------------------------------------- */
/* Parsing                                                                */

/* Reads [+-]digits (at most maxdigits), nothing else. */
static bool parse_number(const char *s, bool sign_ok, int maxdigits, int *v_r)
{
	int sign = 1, v = 0, n = 0;
	if (sign_ok && (*s == '+' || *s == '-'))
		sign = *s++ == '-' ? -1 : 1;
	for (; isdigit((unsigned char)*s); s++) {
		if (++n > maxdigits)
			return false;
		v = v * 10 + (*s - '0');
	}
	if (n == 0 || *s != '\0')
		return false;
	*v_r = sign * v;
	return true;
}

static int parse_weekday(const char *s)
{
	for (int i = 0; i < 7; i++)
		if (strcasecmp(s, weekday_names[i]) == 0)
			return i;
	return -1;
}

static int parse_freq(struct rule *r, const char *v, char **error_r)
{
	for (size_t i = 0; i < ARRAY_SIZE(freqs); i++) {
		if (strcasecmp(v, freqs[i].name) == 0) {
			r->freq = (enum freq)i;
			return 0;
		}
	}
	if (strcasecmp(v, "HOURLY") == 0 || strcasecmp(v, "MINUTELY") == 0 ||
	    strcasecmp(v, "SECONDLY") == 0)
		return set_error(error_r,
		                 "--rrule: FREQ=%s is not supported: expected "
		                 "FREQ=DAILY, WEEKLY, MONTHLY or YEARLY (the "
		                 "time of day comes from --start)",
		                 v);
	return set_error(error_r,
	                 "--rrule: FREQ: expected DAILY, WEEKLY, MONTHLY or "
	                 "YEARLY, got \"%s\"",
	                 v);
}

static int parse_interval(struct rule *r, const char *v, char **error_r)
{
	if (!parse_number(v, false, 4, &r->interval) || r->interval < 1)
		return set_error(error_r,
		                 "--rrule: INTERVAL: expected a number from 1, "
		                 "got \"%s\"",
		                 v);
	return 0;
}

static int parse_count(struct rule *r, const char *v, char **error_r)
{
	if (!parse_number(v, false, 4, &r->count) || r->count < 1 ||
	    r->count > RECUR_MAX_COUNT)
		return set_error(error_r,
		                 "--rrule: COUNT: expected a number from 1 to "
		                 "%d, got \"%s\"",
		                 RECUR_MAX_COUNT, v);
	return 0;
}

/* Reads YYYYMMDD[THHMMSS[Z]] into r->until. */
static bool parse_until_text(struct rule *r, const char *v)
{
	char buf[16];
	size_t n = strlen(v);
	int sec = 0;
	struct wtime *t = &r->until;
	if (n != 8 && n != 15 && n != 16)
		return false;
	memcpy(buf, v, 4), buf[4] = '\0';
	if (!parse_number(buf, false, 4, &t->year))
		return false;
	int *fields[] = {&t->month, &t->day, &t->hour, &t->minute, &sec};
	for (size_t i = 0; i < (n == 8 ? 2u : 5u); i++) {
		size_t at = 4 + 2 * i + (i >= 2);
		memcpy(buf, v + at, 2), buf[2] = '\0';
		if (!parse_number(buf, false, 2, fields[i]))
			return false;
	}
	if (n > 8 && toupper((unsigned char)v[8]) != 'T')
		return false;
	if (n == 16 && toupper((unsigned char)v[15]) != 'Z')
		return false;
	r->until_kind = n == 8 ? UNTIL_DATE : n == 15 ? UNTIL_LOCAL : UNTIL_UTC;
	t->date_only = n == 8;
	r->until_second = sec;
	return t->year >= 1970 && t->month >= 1 && t->month <= 12 &&
	       t->day >= 1 &&
	       t->day <= wtime_days_in_month(t->year, t->month) &&
	       t->hour <= 23 && t->minute <= 59 && sec <= 59;
}

static int parse_until(struct rule *r, const char *v, char **error_r)
{
	if (!parse_until_text(r, v))
		return set_error(
		    error_r,
		    "--rrule: UNTIL: expected a date YYYYMMDD or a "
		    "time YYYYMMDDTHHMMSSZ, got \"%s\"",
		    v);
	return 0;
}

static int parse_wkst(struct rule *r, const char *v, char **error_r)
{
	if ((r->wkst = parse_weekday(v)) < 0)
		return set_error(error_r,
		                 "--rrule: WKST: expected a weekday (MO, TU, "
		                 "WE, TH, FR, SA or SU), got \"%s\"",
		                 v);
	return 0;
}

/* One BYDAY value: [+-][n]WD, e.g. MO, 2TU, -1FR. */
static int byday_item(struct rule *r, const char *v, char **error_r)
{
	size_t n = strlen(v);
	struct byday d = {0, -1};
	char num[8];
	if (n >= 2 && n <= 5)
		d.wd = parse_weekday(v + n - 2);
	if (d.wd >= 0 && n > 2) {
		memcpy(num, v, n - 2);
		num[n - 2] = '\0';
		if (!parse_number(num, true, 2, &d.ord) || d.ord == 0)
			d.wd = -1;
	}
	if (d.wd < 0)
		return set_error(error_r,
		                 "--rrule: BYDAY: expected weekdays like MO, "
		                 "2TU or -1FR, got \"%s\"",
		                 v);
	for (size_t i = 0; i < r->ndays; i++)
		if (r->days[i].ord == d.ord && r->days[i].wd == d.wd)
			return set_error(error_r,
			                 "--rrule: BYDAY lists %s twice", v);
	r->days[r->ndays++] = d;
	return 0;
}

static int monthday_item(struct rule *r, const char *v, char **error_r)
{
	int d;
	if (!parse_number(v, true, 2, &d) || d == 0 || d < -31 || d > 31)
		return set_error(error_r,
		                 "--rrule: BYMONTHDAY: expected days 1..31 or "
		                 "-31..-1 (from the end), got \"%s\"",
		                 v);
	for (size_t i = 0; i < r->nmonthdays; i++)
		if (r->monthdays[i] == d)
			return set_error(
			    error_r, "--rrule: BYMONTHDAY lists %d twice", d);
	r->monthdays[r->nmonthdays++] = d;
	return 0;
}

static int month_item(struct rule *r, const char *v, char **error_r)
{
	int m;
	if (!parse_number(v, false, 2, &m) || m < 1 || m > 12)
		return set_error(error_r,
		                 "--rrule: BYMONTH: expected months 1..12, got "
		                 "\"%s\"",
		                 v);
	if (r->months & (1u << m))
		return set_error(error_r, "--rrule: BYMONTH lists %d twice", m);
	r->months |= 1u << m;
	return 0;
}

static int setpos_item(struct rule *r, const char *v, char **error_r)
{
	int p;
	if (!parse_number(v, true, 3, &p) || p == 0 || p < -366 || p > 366)
		return set_error(error_r,
		                 "--rrule: BYSETPOS: expected positions 1..366 "
		                 "or -366..-1, got \"%s\"",
		                 v);
	for (size_t i = 0; i < r->nsetpos; i++)
		if (r->setpos[i] == p)
			return set_error(error_r,
			                 "--rrule: BYSETPOS lists %d twice", p);
	r->setpos[r->nsetpos++] = p;
	return 0;
}

typedef int item_parser(struct rule *r, const char *v, char **error_r);

/* Splits a comma-separated list (in place) and parses each value. */
static int parse_list(struct rule *r, const char *name, char *v,
                      item_parser *item, char **error_r)
{
	size_t n = 0;
	for (char *p = v, *comma; p; p = comma ? comma + 1 : NULL) {
		comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (*p == '\0')
			return set_error(error_r,
			                 "--rrule: %s: empty value in the list",
			                 name);
		if (++n > LIST_MAX)
			return set_error(error_r,
			                 "--rrule: %s: more than %d values",
			                 name, LIST_MAX);
		if (item(r, p, error_r) < 0)
			return -1;
	}
	return 0;
}

static int parse_byday(struct rule *r, const char *v, char **error_r)
{
	char *copy = xstrdup(v);
	int rc = parse_list(r, "BYDAY", copy, byday_item, error_r);
	free(copy);
	return rc;
}

static int parse_bymonthday(struct rule *r, const char *v, char **error_r)
{
	char *copy = xstrdup(v);
	int rc = parse_list(r, "BYMONTHDAY", copy, monthday_item, error_r);
	free(copy);
	return rc;
}

static int parse_bymonth(struct rule *r, const char *v, char **error_r)
{
	char *copy = xstrdup(v);
	int rc = parse_list(r, "BYMONTH", copy, month_item, error_r);
	free(copy);
	return rc;
}

static int parse_bysetpos(struct rule *r, const char *v, char **error_r)
{
	char *copy = xstrdup(v);
	int rc = parse_list(r, "BYSETPOS", copy, setpos_item, error_r);
	free(copy);
	return rc;
}

static const struct {
	const char *name;
	item_parser *parse;
} parsers[NPARTS] = {
    [PART_FREQ] = {"FREQ", parse_freq},
    [PART_INTERVAL] = {"INTERVAL", parse_interval},
    [PART_COUNT] = {"COUNT", parse_count},
    [PART_UNTIL] = {"UNTIL", parse_until},
    [PART_BYDAY] = {"BYDAY", parse_byday},
    [PART_BYMONTHDAY] = {"BYMONTHDAY", parse_bymonthday},
    [PART_BYMONTH] = {"BYMONTH", parse_bymonth},
    [PART_BYSETPOS] = {"BYSETPOS", parse_bysetpos},
    [PART_WKST] = {"WKST", parse_wkst},
};

/* Parts of RFC 5545 and RFC 7529 that we refuse, and why. */
static const struct {
	const char *name;
	const char *why;
} refused_parts[] = {
    {"BYSECOND", "the time of day comes from --start, and Outlook cannot "
                 "show it"},
    {"BYMINUTE", "the time of day comes from --start, and Outlook cannot "
                 "show it"},
    {"BYHOUR", "the time of day comes from --start, and Outlook cannot "
               "show it"},
    {"BYYEARDAY", "Outlook cannot show days of the year; use BYMONTH with "
                  "BYMONTHDAY"},
    {"BYWEEKNO", "Outlook cannot show week numbers; use FREQ=WEEKLY with "
                 "INTERVAL"},
    {"RSCALE", "only the Gregorian calendar is supported"},
    {"SKIP", "only the Gregorian calendar is supported"},
};

static int parse_part(struct rule *r, char *part, char **error_r)
{
	char *eq = strchr(part, '=');
	if (eq == NULL || eq == part)
		return set_error(
		    error_r, "--rrule: expected NAME=VALUE, got \"%s\"", part);
	*eq = '\0';
	const char *value = eq + 1;
	for (size_t i = 0; i < ARRAY_SIZE(refused_parts); i++)
		if (strcasecmp(part, refused_parts[i].name) == 0)
			return set_error(
			    error_r, "--rrule: %s is not supported: %s",
			    refused_parts[i].name, refused_parts[i].why);
	for (int p = 0; p < NPARTS; p++) {
		if (strcasecmp(part, parsers[p].name) != 0)
			continue;
		if (HAS(r, p))
			return set_error(error_r, "--rrule: %s is given twice",
			                 parsers[p].name);
		if (*value == '\0')
			return set_error(error_r, "--rrule: %s has no value",
			                 parsers[p].name);
		r->seen |= 1u << p;
		return parsers[p].parse(r, value, error_r);
	}
	return set_error(error_r,
	                 "--rrule: unknown part \"%s\" (expected FREQ, "
	                 "INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, "
	                 "BYSETPOS or WKST)",
	                 part);
}

/* Refuses what no part may contain, so that messages can quote input. */
static int check_characters(const char *text, char **error_r)
{
	size_t n = strlen(text);
	if (n == 0)
		return set_error(error_r, "--rrule: empty rule (expected "
		                          "FREQ=DAILY, WEEKLY, MONTHLY or "
		                          "YEARLY with optional parts)");
	if (n > RECUR_MAX_LEN)
		return set_error(error_r,
		                 "--rrule: too long (at most %d characters)",
		                 RECUR_MAX_LEN);
	if (strncasecmp(text, "RRULE:", 6) == 0)
		return set_error(error_r, "--rrule: give the rule without the "
		                          "\"RRULE:\" prefix");
	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (!isalnum(c) && c != '=' && c != ';' && c != ',' &&
		    c != '+' && c != '-')
			return set_error(error_r,
			                 "--rrule: unexpected character at "
			                 "\"%.20s\" (expected NAME=VALUE parts "
			                 "separated by ';', without spaces)",
			                 p);
	}
	return 0;
}

static int rule_parse(const char *text, struct rule *r, char **error_r)
{
	memset(r, 0, sizeof(*r));
	r->interval = 1;
	r->wkst = 1;
	if (check_characters(text, error_r) < 0)
		return -1;
	char *copy = xstrdup(text);
	int rc = 0;
	for (char *p = copy, *semi; p && rc == 0; p = semi ? semi + 1 : NULL) {
		semi = strchr(p, ';');
		if (semi)
			*semi = '\0';
		if (*p == '\0')
			rc = set_error(error_r, "--rrule: empty part (two ';' "
			                        "in a row, or one at an end)");
		else
			rc = parse_part(r, p, error_r);
	}
	free(copy);
	if (rc == 0 && !HAS(r, PART_FREQ))
		rc = set_error(error_r, "--rrule: FREQ is missing (expected "
		                        "FREQ=DAILY, WEEKLY, MONTHLY or "
		                        "YEARLY)");
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Structural checks: what the engine and libical can expand alike        */

static void byday_text(const struct byday *d, char *buf, size_t size)
{
	if (d->ord)
		snprintf(buf, size, "%d%s", d->ord, weekday_names[d->wd]);
	else
		snprintf(buf, size, "%s", weekday_names[d->wd]);
}

static size_t ordinal_count(const struct rule *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->ndays; i++)
		n += r->days[i].ord != 0;
	return n;
}

static int check_byday_ordinals(const struct rule *r, char **error_r)
{
	char buf[8];
	bool in_month = r->freq == FREQ_MONTHLY || r->months != 0;
	size_t numbered = ordinal_count(r);
	/* RFC 5545 means either, dateutil (and so Google) both. */
	if (numbered && numbered < r->ndays)
		return set_error(error_r, "--rrule: BYDAY mixes numbered and "
		                          "plain weekdays (like 1MO,WE), which "
		                          "calendar programs read differently; "
		                          "use two events");
	for (size_t i = 0; i < r->ndays; i++) {
		const struct byday *d = &r->days[i];
		if (d->ord == 0)
			continue;
		byday_text(d, buf, sizeof(buf));
		if (r->freq == FREQ_DAILY || r->freq == FREQ_WEEKLY)
			return set_error(
			    error_r,
			    "--rrule: BYDAY=%s: a numbered weekday "
			    "needs FREQ=MONTHLY or YEARLY",
			    buf);
		if (in_month && abs(d->ord) > 5)
			return set_error(error_r,
			                 "--rrule: BYDAY=%s: a month has at "
			                 "most 5 of each weekday",
			                 buf);
		if (abs(d->ord) > 53)
			return set_error(
			    error_r,
			    "--rrule: BYDAY=%s: a year has at most "
			    "53 of each weekday",
			    buf);
	}
	return 0;
}

static bool has_negative_monthday(const struct rule *r)
{
	for (size_t i = 0; i < r->nmonthdays; i++)
		if (r->monthdays[i] < 0)
			return true;
	return false;
}

static bool has_positive_monthday(const struct rule *r)
{
	for (size_t i = 0; i < r->nmonthdays; i++)
		if (r->monthdays[i] > 0)
			return true;
	return false;
}

static int check_setpos(const struct rule *r, char **error_r)
{
	static const int period_days[] = {1, 7, 31, 366};
	if (r->nsetpos == 0)
		return 0;
	/* libical 3.0 ignores BYSETPOS in a weekly rule. */
	if (r->freq == FREQ_DAILY || r->freq == FREQ_WEEKLY)
		return set_error(error_r,
		                 "--rrule: BYSETPOS chooses within a "
		                 "month or year; it does not work "
		                 "with FREQ=%s",
		                 freqs[r->freq].name);
	if (r->ndays == 0 && r->nmonthdays == 0 && r->months == 0)
		return set_error(error_r, "--rrule: BYSETPOS needs BYDAY, "
		                          "BYMONTHDAY or BYMONTH to choose "
		                          "from");
	/* 15 and -14 name the same day in February; libical then counts
	 * that day twice. */
	if (has_negative_monthday(r) && has_positive_monthday(r))
		return set_error(error_r, "--rrule: BYSETPOS with BYMONTHDAY "
		                          "counted from both ends of the "
		                          "month is not supported (libical "
		                          "counts a day that two values name "
		                          "twice)");
	for (size_t i = 0; i < r->nsetpos; i++)
		if (abs(r->setpos[i]) > period_days[r->freq])
			return set_error(error_r,
			                 "--rrule: BYSETPOS=%d: a %s period "
			                 "has at most %d days",
			                 r->setpos[i], freqs[r->freq].name,
			                 period_days[r->freq]);
	return 0;
}

/* WKST decides where a week starts, which only matters for FREQ=WEEKLY with
 * INTERVAL > 1 (BYSETPOS is refused in weekly rules), so elsewhere it is
 * dropped. Where it matters only MO and SU are accepted: libical 3.0 starts
 * other weeks in the wrong place (WKST=SA;INTERVAL=2 from a Thursday skips
 * that Thursday). */
static int check_wkst(struct rule *r, char **error_r)
{
	if (r->freq != FREQ_WEEKLY || r->interval == 1)
		r->wkst = 1;
	else if (r->wkst != 0 && r->wkst != 1)
		return set_error(error_r,
		                 "--rrule: WKST=%s is not supported here: a "
		                 "week starts on MO or SU",
		                 weekday_names[r->wkst]);
	return 0;
}

static int check_structure(struct rule *r, char **error_r)
{
	if (check_wkst(r, error_r) < 0)
		return -1;
	if (HAS(r, PART_COUNT) && HAS(r, PART_UNTIL))
		return set_error(error_r, "--rrule: COUNT and UNTIL cannot "
		                          "both be given");
	if (r->interval > freqs[r->freq].max_interval)
		return set_error(error_r,
		                 "--rrule: INTERVAL=%d is too large for "
		                 "FREQ=%s (at most %d)",
		                 r->interval, freqs[r->freq].name,
		                 freqs[r->freq].max_interval);
	if (r->nmonthdays && r->freq == FREQ_WEEKLY)
		return set_error(error_r, "--rrule: BYMONTHDAY does not work "
		                          "with FREQ=WEEKLY; use "
		                          "FREQ=MONTHLY");
	if (r->freq == FREQ_DAILY && has_negative_monthday(r))
		return set_error(error_r,
		                 "--rrule: BYMONTHDAY counted from the "
		                 "end of the month does not work "
		                 "with FREQ=DAILY (libical never "
		                 "matches it); use FREQ=MONTHLY");
	/* libical takes the start's month here, dateutil every month. */
	if (r->nmonthdays && r->freq == FREQ_YEARLY && r->months == 0)
		return set_error(error_r, "--rrule: BYMONTHDAY with "
		                          "FREQ=YEARLY needs BYMONTH (calendar "
		                          "programs disagree on the months "
		                          "meant), or use FREQ=MONTHLY");
	if (check_byday_ordinals(r, error_r) < 0)
		return -1;
	return check_setpos(r, error_r);
}

/* ---------------------------------------------------------------------- */
/* The engine: RFC 5545 at day level, period by period.                   */
/*                                                                        */
/* A period is the day, week (from WKST), month or year that FREQ names;  */
/* INTERVAL picks every n-th period counted from the start's. Within a    */
/* period, BYMONTH/BYMONTHDAY/BYDAY expand or limit the candidate days as */
/* RFC 5545 section 3.3.10 tabulates, BYSETPOS then picks among them, and */
/* days before the start are dropped. No BYHOUR and the like, so each     */
/* occurrence is one day at the start's time of day.                      */

struct engine {
	const struct rule *r;
	int64_t d0;      /* the start's day */
	int start_day;   /* day of the month implied by the start */
	int start_wd;    /* weekday implied by the start */
	int start_month; /* month implied by the start */
	int64_t unit0;   /* the start's day, week start, month index or year */
	int64_t period;  /* the next period to expand, in INTERVAL steps */
	int64_t min_day; /* occurrences before this day are skipped */
	int64_t days[PERIOD_MAX];
	size_t n, pos;
};

static int64_t unit_of(const struct engine *e, int64_t day)
{
	int y, m, d;
	switch (e->r->freq) {
	case FREQ_DAILY:
		return day;
	case FREQ_WEEKLY:
		return day - (day_weekday(day) - e->r->wkst + 7) % 7;
	case FREQ_MONTHLY:
		wtime_day_civil(day, &y, &m, &d);
		return (int64_t)y * 12 + m - 1;
	case FREQ_YEARLY:
		wtime_day_civil(day, &y, &m, &d);
		return y;
	}
	return day;
}

static int64_t unit_step(const struct engine *e)
{
	return e->r->freq == FREQ_WEEKLY ? 7 * e->r->interval : e->r->interval;
}

static int64_t period_first_day(const struct engine *e, int64_t p)
{
	int64_t u = e->unit0 + p * unit_step(e);
	switch (e->r->freq) {
	case FREQ_MONTHLY:
		return wtime_day_number((int)floor_div(u, 12),
		                        (int)(u % 12) + 1, 1);
	case FREQ_YEARLY:
		return wtime_day_number((int)u, 1, 1);
	default:
		return u;
	}
}

static bool month_ok(const struct rule *r, int m)
{
	return r->months == 0 || (r->months & (1u << m));
}

static bool monthday_ok(const struct rule *r, int d, int dim)
{
	if (r->nmonthdays == 0)
		return true;
	for (size_t i = 0; i < r->nmonthdays; i++) {
		int v = r->monthdays[i];
		if ((v > 0 ? v : dim + 1 + v) == d)
			return true;
	}
	return false;
}

/* BYDAY: nth and nth_last count this weekday from the start or the end of
 * the month or year that ordinals refer to. */
static bool byday_ok(const struct rule *r, int wd, int nth, int nth_last)
{
	if (r->ndays == 0)
		return true;
	for (size_t i = 0; i < r->ndays; i++) {
		const struct byday *d = &r->days[i];
		if (d->wd == wd &&
		    (d->ord == 0 || d->ord == nth || d->ord == -nth_last))
			return true;
	}
	return false;
}

static void add_day(struct engine *e, int64_t day)
{
	if (e->n < PERIOD_MAX)
		e->days[e->n++] = day;
}

static void expand_daily(struct engine *e, int64_t day)
{
	int y, m, d;
	wtime_day_civil(day, &y, &m, &d);
	if (month_ok(e->r, m) &&
	    monthday_ok(e->r, d, wtime_days_in_month(y, m)) &&
	    byday_ok(e->r, day_weekday(day), 0, 0))
		add_day(e, day);
}

static void expand_weekly(struct engine *e, int64_t first)
{
	int y, m, d;
	for (int64_t day = first; day < first + 7; day++) {
		int wd = day_weekday(day);
		if (e->r->ndays ? !byday_ok(e->r, wd, 0, 0) : wd != e->start_wd)
			continue;
		wtime_day_civil(day, &y, &m, &d);
		if (month_ok(e->r, m))
			add_day(e, day);
	}
}

/* The candidate days of one month (for MONTHLY, or YEARLY with BYMONTH). */
static void expand_month(struct engine *e, int y, int m)
{
	const struct rule *r = e->r;
	int dim = wtime_days_in_month(y, m);
	int64_t first = wtime_day_number(y, m, 1);
	bool implied = r->nmonthdays == 0 && r->ndays == 0;
	for (int d = 1; d <= dim; d++) {
		bool ok =
		    implied ? d == e->start_day
		            : monthday_ok(r, d, dim) &&
		                  byday_ok(r, day_weekday(first + d - 1),
		                           (d - 1) / 7 + 1, (dim - d) / 7 + 1);
		if (ok)
			add_day(e, first + d - 1);
	}
}

static void expand_yearly(struct engine *e, int y)
{
	const struct rule *r = e->r;
	if (r->months) {
		for (int m = 1; m <= 12; m++)
			if (r->months & (1u << m))
				expand_month(e, y, m);
		return;
	}
	if (r->ndays == 0) {
		/* Only the start's date; 29 February is skipped in other
		 * years. */
		if (e->start_day <= wtime_days_in_month(y, e->start_month))
			add_day(e, wtime_day_number(y, e->start_month,
			                            e->start_day));
		return;
	}
	int64_t first = wtime_day_number(y, 1, 1);
	int len = (int)(wtime_day_number(y + 1, 1, 1) - first);
	for (int i = 0; i < len; i++)
		if (byday_ok(r, day_weekday(first + i), i / 7 + 1,
		             (len - 1 - i) / 7 + 1))
			add_day(e, first + i);
}

/* BYSETPOS: keeps the n-th (or n-th from last) of the sorted candidates. */
static void apply_setpos(struct engine *e)
{
	const struct rule *r = e->r;
	size_t kept = 0;
	int n = (int)e->n;
	if (r->nsetpos == 0)
		return;
	for (int i = 0; i < n; i++) {
		bool keep = false;
		for (size_t k = 0; k < r->nsetpos && !keep; k++)
			keep = r->setpos[k] == i + 1 || r->setpos[k] == i - n;
		if (keep)
			e->days[kept++] = e->days[i];
	}
	e->n = kept;
}

static void expand_period(struct engine *e, int64_t p)
{
	int64_t first = period_first_day(e, p);
	int y, m, d;
	e->n = e->pos = 0;
	switch (e->r->freq) {
	case FREQ_DAILY:
		expand_daily(e, first);
		break;
	case FREQ_WEEKLY:
		expand_weekly(e, first);
		break;
	case FREQ_MONTHLY:
		wtime_day_civil(first, &y, &m, &d);
		if (month_ok(e->r, m))
			expand_month(e, y, m);
		break;
	case FREQ_YEARLY:
		wtime_day_civil(first, &y, &m, &d);
		expand_yearly(e, y);
		break;
	}
	apply_setpos(e);
}

static void engine_init(struct engine *e, const struct rule *r,
                        const struct wtime *start)
{
	memset(e, 0, sizeof(*e));
	e->r = r;
	e->d0 = wtime_day(start);
	e->start_day = start->day;
	e->start_month = start->month;
	e->start_wd = day_weekday(e->d0);
	e->unit0 = unit_of(e, e->d0);
	e->min_day = e->d0;
}

/* Continues from the period that holds `day`, skipping days before it. */
static void engine_seek(struct engine *e, int64_t day)
{
	if (day <= e->d0)
		return;
	e->period = (unit_of(e, day) - e->unit0) / unit_step(e);
	e->n = e->pos = 0;
	e->min_day = day;
}

/* The next occurrence day (ignoring COUNT and UNTIL) in *day_r; false if
 * there is none up to `limit` (a later call with a later limit goes on). */
static bool engine_next(struct engine *e, int64_t limit, int64_t *day_r)
{
	for (;;) {
		while (e->pos < e->n) {
			int64_t d = e->days[e->pos];
			if (d > limit)
				return false;
			e->pos++;
			if (d >= e->min_day) {
				*day_r = d;
				return true;
			}
		}
		if (period_first_day(e, e->period) > limit)
			return false;
		expand_period(e, e->period++);
	}
}

/* True if `day` is an occurrence of the rule (ignoring COUNT and UNTIL). */
static bool engine_has_day(const struct rule *r, const struct wtime *start,
                           int64_t day)
{
	struct engine e;
	int64_t found;
	engine_init(&e, r, start);
	if (day < e.d0 || (unit_of(&e, day) - e.unit0) % unit_step(&e) != 0)
		return false;
	engine_seek(&e, day);
	return engine_next(&e, day, &found) && found == day;
}

/* ---------------------------------------------------------------------- */
/* A series: the engine plus COUNT and UNTIL, in the series' zone.         */

struct series {
	struct engine e;
	const struct rule *r;
	struct wtime start;
	const char *tzid;
	int64_t until_utc; /* timed series: last instant; INT64_MAX if none */
	int64_t until_day; /* local day of UNTIL; INT64_MAX if none */
	int produced;
};

static int64_t utc_seconds(const struct wtime *t, int second)
{
	return wtime_day(t) * 86400 + t->hour * 3600 + t->minute * 60 + second;
}

/* UNTIL as a local day and (for a timed series) a UTC instant. */
static void until_resolve(const struct rule *r, const char *tzid,
                          int64_t *day_r, int64_t *utc_r)
{
	struct wtime t = r->until;
	*day_r = *utc_r = INT64_MAX;
	switch (r->until_kind) {
	case UNTIL_NONE:
		return;
	case UNTIL_DATE:
		/* Through the end of that day: the next midnight, less 1 s. */
		*day_r = wtime_day(&t);
		t = day_wtime(*day_r + 1, &t);
		*utc_r = wtime_to_utc(&t, tzid) - 1;
		return;
	case UNTIL_LOCAL:
		*day_r = wtime_day(&t);
		*utc_r = wtime_to_utc(&t, tzid) + r->until_second;
		return;
	case UNTIL_UTC:
		*utc_r = utc_seconds(&t, r->until_second);
		t = wtime_from_utc(*utc_r, tzid);
		*day_r = wtime_day(&t);
		return;
	}
}

static void series_init(struct series *s, const struct rule *r,
                        const struct wtime *start, const char *tzid)
{
	memset(s, 0, sizeof(*s));
	engine_init(&s->e, r, start);
	s->r = r;
	s->start = *start;
	s->tzid = tzid;
	until_resolve(r, tzid, &s->until_day, &s->until_utc);
}

static int64_t occurrence_utc(const struct wtime *t, const char *tzid)
{
	return wtime_to_utc(t, tzid);
}

static bool series_within_until(const struct series *s, int64_t day)
{
	if (s->until_day == INT64_MAX)
		return true;
	if (s->start.date_only)
		return day <= s->until_day;
	/* A zone offset is less than a day, so only days next to UNTIL's
	 * need the conversion. */
	if (day < s->until_day - 1)
		return true;
	if (day > s->until_day + 1)
		return false;
	struct wtime t = day_wtime(day, &s->start);
	return occurrence_utc(&t, s->tzid) <= s->until_utc;
}

/* The next original occurrence day: 1, 0 when the periods searched start
 * after `limit`, or -1 when the series has ended. */
static int series_next(struct series *s, int64_t limit, int64_t *day_r)
{
	int64_t d;
	if (s->r->count && s->produced >= s->r->count)
		return -1;
	if (!engine_next(&s->e, limit, &d))
		return 0;
	if (!series_within_until(s, d))
		return -1;
	s->produced++;
	*day_r = d;
	return 1;
}

/* The day of the last occurrence, or INT64_MAX for an open-ended series
 * (or one that runs past the horizon checked by recur_check). */
static int64_t series_last_day(const struct rule *r, const struct wtime *start,
                               const char *tzid)
{
	struct series s;
	int64_t d, last = INT64_MAX;
	if (r->count == 0 && r->until_kind == UNTIL_NONE)
		return INT64_MAX;
	series_init(&s, r, start, tzid);
	int64_t limit = day_years_later(start, RECUR_MAX_YEARS + 1);
	int rc;
	while ((rc = series_next(&s, limit, &d)) == 1)
		last = d;
	return rc < 0 ? last : INT64_MAX;
}

/* ---------------------------------------------------------------------- */
/* Checks on the series: the start, UNTIL, COUNT and gaps                 */

static void ordinal_text(int n, char *buf, size_t size)
{
	const char *suffix = "th";
	if (n % 10 == 1 && n != 11)
		suffix = "st";
	else if (n % 10 == 2 && n != 12)
		suffix = "nd";
	else if (n % 10 == 3 && n != 13)
		suffix = "rd";
	snprintf(buf, size, "%d%s", n, suffix);
}

/* Appends "a, b or c". */
static void append_joined(struct strbuf *b, const char *item, size_t i,
                          size_t n)
{
	if (i > 0)
		strbuf_append(b, i + 1 == n ? " or " : ", ");
	strbuf_append(b, item);
}

static bool monthday_exists(int m, int v)
{
	return abs(v) <= wtime_days_in_month(2000, m); /* 2000: a leap year */
}

/* "no February has a 30th or 31st day" when BYMONTH and BYMONTHDAY never
 * meet, else NULL. The caller frees. */
static char *impossible_monthdays(const struct rule *r)
{
	struct strbuf b = {0};
	char buf[16];
	size_t nmonths = 0, k = 0, npos = 0;
	if (r->months == 0 || r->nmonthdays == 0)
		return NULL;
	for (int m = 1; m <= 12; m++)
		for (size_t i = 0; i < r->nmonthdays && (r->months >> m & 1);
		     i++)
			if (monthday_exists(m, r->monthdays[i]))
				return NULL;
	for (int m = 1; m <= 12; m++)
		nmonths += (r->months >> m) & 1;
	strbuf_append(&b, "no ");
	for (int m = 1; m <= 12; m++)
		if ((r->months >> m) & 1)
			append_joined(&b, month_names[m], k++, nmonths);
	for (size_t i = 0; i < r->nmonthdays; i++)
		npos += r->monthdays[i] > 0;
	strbuf_append(&b, npos == r->nmonthdays ? " has a " : " has ");
	for (size_t i = 0, j = 0; i < r->nmonthdays; i++) {
		if (npos == r->nmonthdays)
			ordinal_text(r->monthdays[i], buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "%d", abs(r->monthdays[i]));
		append_joined(&b, buf, j++, r->nmonthdays);
	}
	strbuf_append(&b, npos == r->nmonthdays ? " day" : " days");
	return strbuf_take(&b);
}

/* The start must be an occurrence: RFC 5545 leaves the set undefined
 * otherwise, and libical drops such a start while dateutil keeps it. */
static int check_start(const struct rule *r, const struct wtime *start,
                       char **error_r)
{
	struct engine e;
	int64_t first;
	char a[WTIME_STRLEN], b[WTIME_STRLEN];
	engine_init(&e, r, start);
	if (!engine_next(&e, day_years_later(start, RECUR_PROBE_YEARS),
	                 &first)) {
		char *why = impossible_monthdays(r);
		if (why == NULL)
			return set_error(error_r,
			                 "--rrule: never occurs: the rule "
			                 "produces no occurrence in the %d "
			                 "years after --start",
			                 RECUR_PROBE_YEARS);
		set_error(error_r, "--rrule: never occurs: %s", why);
		free(why);
		return -1;
	}
	if (first == e.d0)
		return 0;
	struct wtime t = day_wtime(first, start);
	wtime_format(start, a);
	wtime_format(&t, b);
	return set_error(error_r,
	                 "--rrule: the series must start on an occurrence: "
	                 "--start %s is not one; the first after it is %s",
	                 a, b);
}

static int check_until(const struct rule *r, const struct wtime *start,
                       const char *tzid, char **error_r)
{
	char a[WTIME_STRLEN], b[WTIME_STRLEN];
	int64_t day, utc;
	if (r->until_kind == UNTIL_NONE)
		return 0;
	wtime_format(&r->until, a);
	wtime_format(start, b);
	/* Range first, so that no far-away year reaches the zone code. */
	if (wtime_day(&r->until) > day_years_later(start, RECUR_MAX_YEARS))
		return set_error(
		    error_r,
		    "--rrule: UNTIL %s is more than %d years after "
		    "--start %s (leave UNTIL out for an open-ended "
		    "series)",
		    a, RECUR_MAX_YEARS, b);
	until_resolve(r, tzid, &day, &utc);
	bool before = start->date_only ? day < wtime_day(start)
	                               : utc < occurrence_utc(start, tzid);
	if (before)
		return set_error(
		    error_r, "--rrule: UNTIL %s is before --start %s", a, b);
	return 0;
}

static int gap_error(const struct wtime *start, int64_t last, int64_t next,
                     char **error_r)
{
	char a[WTIME_STRLEN], b[WTIME_STRLEN];
	struct wtime t = day_wtime(last, start);
	wtime_format(&t, a);
	if (next == INT64_MAX)
		return set_error(error_r,
		                 "--rrule: after %s the rule does not occur "
		                 "for more than %d years; occurrences may be "
		                 "at most %d years apart",
		                 a, RECUR_MAX_GAP_YEARS, RECUR_MAX_GAP_YEARS);
	t = day_wtime(next, start);
	wtime_format(&t, b);
	return set_error(error_r,
	                 "--rrule: after %s the rule next occurs on %s; "
	                 "occurrences may be at most %d years apart",
	                 a, b, RECUR_MAX_GAP_YEARS);
}

/* Walks the series for one calendar cycle (or to its end): no gap may
 * exceed RECUR_MAX_GAP_YEARS, and COUNT must end within RECUR_MAX_YEARS. */
static int check_walk(const struct rule *r, const struct wtime *start,
                      const char *tzid, char **error_r)
{
	struct series s;
	int64_t d, last, horizon = day_years_later(start, RECUR_MAX_YEARS);
	int64_t limit = day_years_later(start, RECUR_PROBE_YEARS);
	int rc;
	series_init(&s, r, start, tzid);
	last = s.e.d0;
	while ((rc = series_next(&s, limit, &d)) == 1) {
		if (d - last > MAX_GAP_DAYS)
			return gap_error(start, last, d, error_r);
		if (r->count && d > horizon) {
			char buf[WTIME_STRLEN];
			struct wtime t = day_wtime(horizon, start);
			wtime_format(&t, buf);
			return set_error(error_r,
			                 "--rrule: COUNT=%d runs past %s, more "
			                 "than %d years after --start; use a "
			                 "smaller COUNT, or UNTIL",
			                 r->count, buf, RECUR_MAX_YEARS);
		}
		last = d;
	}
	if (rc == 0 && limit - last > MAX_GAP_DAYS)
		return gap_error(start, last, INT64_MAX, error_r);
	return 0;
}

/* Everything that keeps expansion fast and well defined; Outlook aside. */
static int check_rule(const char *rrule, const struct wtime *start,
                      const char *tzid, struct rule *r, char **error_r)
{
	if (!wtime_valid(start))
		return set_error(error_r, "--start: not a valid start of a "
		                          "series (years 1970..2200)");
	if (rule_parse(rrule, r, error_r) < 0 ||
	    check_structure(r, error_r) < 0 ||
	    check_start(r, start, error_r) < 0 ||
	    check_until(r, start, tzid, error_r) < 0)
		return -1;
	return check_walk(r, start, tzid, error_r);
}

/* ---------------------------------------------------------------------- */
/* Outlook: which rules its recurrence dialog can show                    */

static unsigned weekday_mask(const struct rule *r)
{
	unsigned mask = 0;
	for (size_t i = 0; i < r->ndays; i++)
		mask |= 1u << r->days[i].wd;
	return mask;
}

static bool outlook_position(int n)
{
	return (n >= 1 && n <= 4) || n == -1;
}

#define MASK_WEEKDAYS 0x3eu /* MO..FR */
#define MASK_WEEKEND  0x41u /* SA, SU */
#define MASK_ALL      0x7fu

#define DAYS_TEXT_MAX (LIST_MAX * 5)

/* BYDAY as written in a message ("1MO,3WE"); returns buf. */
static const char *days_text(const struct rule *r, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < r->ndays && len + 6 < size; i++) {
		if (i)
			buf[len++] = ',';
		byday_text(&r->days[i], buf + len, size - len);
		len += strlen(buf + len);
	}
	return buf;
}

static int outlook_daily(const struct rule *r, char **error_r)
{
	if (r->months || r->nmonthdays || r->nsetpos ||
	    (r->ndays && (weekday_mask(r) != MASK_WEEKDAYS || r->interval > 1)))
		return set_error(error_r,
		                 "--rrule: Outlook can show a daily rule only "
		                 "as every N days (FREQ=DAILY;INTERVAL=2) or "
		                 "every weekday (FREQ=DAILY;BYDAY=MO,TU,WE,TH,"
		                 "FR); use FREQ=WEEKLY, or --force");
	return 0;
}

static int outlook_weekly(const struct rule *r, char **error_r)
{
	if (r->months)
		return set_error(error_r,
		                 "--rrule: Outlook can show a weekly rule only "
		                 "as every N weeks on some weekdays "
		                 "(FREQ=WEEKLY;BYDAY=MO,TH), without BYMONTH; "
		                 "use --force to keep it");
	return 0;
}

/* BYDAY=<days>;BYSETPOS=n: "the first weekday", "the last day", ... */
static int outlook_setpos(const struct rule *r, char **error_r)
{
	unsigned mask = weekday_mask(r);
	char d[DAYS_TEXT_MAX];
	if (r->nmonthdays || r->ndays == 0 || ordinal_count(r))
		return set_error(error_r,
		                 "--rrule: Outlook can use BYSETPOS only with "
		                 "plain weekdays in BYDAY "
		                 "(BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1); use "
		                 "--force to keep it");
	if (r->nsetpos > 1 || !outlook_position(r->setpos[0]))
		return set_error(error_r,
		                 "--rrule: Outlook can show only one BYSETPOS, "
		                 "1 to 4 or -1 (the first to fourth, or the "
		                 "last); use two events or --force");
	if (r->ndays > 1 && mask != MASK_WEEKDAYS && mask != MASK_WEEKEND &&
	    mask != MASK_ALL)
		return set_error(
		    error_r,
		    "--rrule: with BYSETPOS Outlook can show one weekday, "
		    "MO,TU,WE,TH,FR (a weekday), SA,SU (a weekend day) or "
		    "all seven days (a day), not BYDAY=%s; use --force to "
		    "keep it",
		    days_text(r, d, sizeof(d)));
	return 0;
}

/* BYDAY alone in a month: one "nth weekday" such as 2TU or -1FR. */
static int outlook_nth_weekday(const struct rule *r, char **error_r)
{
	char d[DAYS_TEXT_MAX];
	if (r->nmonthdays)
		return set_error(error_r, "--rrule: Outlook cannot combine "
		                          "BYMONTHDAY and BYDAY; use --force "
		                          "to keep it");
	if (ordinal_count(r) == 0)
		return set_error(
		    error_r,
		    "--rrule: Outlook cannot show every %s of a month; "
		    "use FREQ=WEEKLY, a numbered weekday (BYDAY=2TU), or "
		    "--force",
		    days_text(r, d, sizeof(d)));
	if (r->ndays > 1)
		return set_error(
		    error_r,
		    "--rrule: Outlook can show only one \"nth "
		    "weekday\" per monthly rule, not BYDAY=%s: use "
		    "two events or --force",
		    days_text(r, d, sizeof(d)));
	if (!outlook_position(r->days[0].ord))
		return set_error(
		    error_r,
		    "--rrule: BYDAY=%s: Outlook can show only the first "
		    "to fourth or the last weekday of a month (1..4 or "
		    "-1); use --force to keep it",
		    days_text(r, d, sizeof(d)));
	return 0;
}

/* Outlook puts day 29..31 on the last day of a shorter month, where RFC
 * 5545 (and so the feed) skips that month. */
static int outlook_day(int day, unsigned months, char **error_r)
{
	bool february = false, other = false;
	for (int m = 1; m <= 12; m++) {
		int shortest = m == 2 ? 28 : wtime_days_in_month(2001, m);
		if ((months >> m & 1) && day > shortest)
			*(m == 2 ? &february : &other) = true;
	}
	if (!february && !other)
		return 0;
	return set_error(error_r,
	                 "--rrule: day %d: Outlook moves it to the last day "
	                 "of %s, while the feed skips such months; use a day "
	                 "up to 28, BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=-1 "
	                 "for the last day, or --force",
	                 day, other ? "shorter months" : "February");
}

/* BYMONTHDAY (one positive day) or the start's day. */
static int outlook_monthday(const struct rule *r, const struct wtime *start,
                            unsigned months, char **error_r)
{
	if (r->nmonthdays > 1)
		return set_error(error_r,
		                 "--rrule: Outlook can show only one "
		                 "BYMONTHDAY per rule; use two events or "
		                 "--force");
	if (r->nmonthdays && r->monthdays[0] < 0)
		return set_error(error_r,
		                 "--rrule: Outlook cannot show BYMONTHDAY=%d; "
		                 "for the last day of the month use "
		                 "BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=-1, or "
		                 "--force",
		                 r->monthdays[0]);
	return outlook_day(r->nmonthdays ? r->monthdays[0] : start->day, months,
	                   error_r);
}

/* The months a monthly rule visits, as a BYMONTH-style mask. */
static unsigned visited_months(const struct rule *r, int start_month)
{
	unsigned mask = 0;
	for (int j = 0; j < 12; j++)
		mask |= 1u << ((start_month - 1 + j * r->interval) % 12 + 1);
	return mask;
}

static int outlook_monthly(const struct rule *r, const struct wtime *start,
                           char **error_r)
{
	if (r->months)
		return set_error(error_r,
		                 "--rrule: Outlook cannot limit a monthly rule "
		                 "to some months (BYMONTH); use INTERVAL "
		                 "(FREQ=MONTHLY;INTERVAL=3) or --force");
	if (r->nsetpos)
		return outlook_setpos(r, error_r);
	if (r->ndays)
		return outlook_nth_weekday(r, error_r);
	return outlook_monthday(r, start, visited_months(r, start->month),
	                        error_r);
}

static int outlook_yearly(const struct rule *r, const struct wtime *start,
                          char **error_r)
{
	unsigned months = r->months ? r->months : 1u << start->month;
	if (r->months == 0 && (r->ndays || r->nsetpos))
		return set_error(error_r,
		                 "--rrule: Outlook can show a yearly rule only "
		                 "within one month: add BYMONTH "
		                 "(FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU), or use "
		                 "--force");
	if (months & (months - 1))
		return set_error(error_r,
		                 "--rrule: Outlook can show a yearly rule only "
		                 "in one month (one BYMONTH value); use two "
		                 "events or --force");
	if (r->nsetpos)
		return outlook_setpos(r, error_r);
	if (r->ndays)
		return outlook_nth_weekday(r, error_r);
	return outlook_monthday(r, start, months, error_r);
}

static int check_outlook(const struct rule *r, const struct wtime *start,
                         char **error_r)
{
	switch (r->freq) {
	case FREQ_DAILY:
		return outlook_daily(r, error_r);
	case FREQ_WEEKLY:
		return outlook_weekly(r, error_r);
	case FREQ_MONTHLY:
		return outlook_monthly(r, start, error_r);
	case FREQ_YEARLY:
		return outlook_yearly(r, start, error_r);
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* libical                                                                */

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* The rule as text in a fixed order, with sorted lists. `until` is the
 * UNTIL value to write, or NULL; COUNT only if with_count. */
static char *rule_text(const struct rule *r, const char *until, bool with_count)
{
	struct strbuf b = {0};
	int v[LIST_MAX];
	char buf[8];
	strbuf_appendf(&b, "FREQ=%s", freqs[r->freq].name);
	if (r->interval > 1)
		strbuf_appendf(&b, ";INTERVAL=%d", r->interval);
	if (with_count && r->count)
		strbuf_appendf(&b, ";COUNT=%d", r->count);
	if (until)
		strbuf_appendf(&b, ";UNTIL=%s", until);
	for (int m = 1, k = 0; m <= 12; m++)
		if ((r->months >> m) & 1)
			strbuf_appendf(&b, "%s%d", k++ ? "," : ";BYMONTH=", m);
	memcpy(v, r->monthdays, r->nmonthdays * sizeof(int));
	qsort(v, r->nmonthdays, sizeof(int), cmp_int);
	for (size_t i = 0; i < r->nmonthdays; i++)
		strbuf_appendf(&b, "%s%d", i ? "," : ";BYMONTHDAY=", v[i]);
	/* BYDAY in week order from WKST, as libical sorts it. */
	for (int k = 0, n = 0; k < 7; k++) {
		for (size_t i = 0; i < r->ndays; i++) {
			if (r->days[i].wd != (r->wkst + k) % 7)
				continue;
			byday_text(&r->days[i], buf, sizeof(buf));
			strbuf_appendf(&b, "%s%s", n++ ? "," : ";BYDAY=", buf);
		}
	}
	memcpy(v, r->setpos, r->nsetpos * sizeof(int));
	qsort(v, r->nsetpos, sizeof(int), cmp_int);
	for (size_t i = 0; i < r->nsetpos; i++)
		strbuf_appendf(&b, "%s%d", i ? "," : ";BYSETPOS=", v[i]);
	if (r->wkst != 1)
		strbuf_appendf(&b, ";WKST=%s", weekday_names[r->wkst]);
	return strbuf_take(&b);
}

/* True if libical's BY* array holds exactly our n values. */
static bool same_values(const short *lib, size_t size, const int *ours,
                        size_t n)
{
	size_t k = 0;
	for (; k < size && lib[k] != ICAL_RECURRENCE_ARRAY_MAX; k++) {
		bool found = false;
		for (size_t i = 0; i < n && !found; i++)
			found = lib[k] == ours[i];
		if (!found)
			return false;
	}
	return k == n;
}

/* Reads our own text with libical and checks that it read every part the
 * way the engine does. */
static bool lib_read(const struct rule *r, const char *text, int count,
                     struct icalrecurrencetype *rt)
{
	static const icalrecurrencetype_frequency lib_freqs[] = {
	    ICAL_DAILY_RECURRENCE, ICAL_WEEKLY_RECURRENCE,
	    ICAL_MONTHLY_RECURRENCE, ICAL_YEARLY_RECURRENCE};
	int days[LIST_MAX], months[12];
	size_t nmonths = 0;
	*rt = icalrecurrencetype_from_string(text);
	icalerror_clear_errno();
	if (rt->freq != lib_freqs[r->freq] || rt->interval != r->interval ||
	    rt->count != count || (int)rt->week_start != r->wkst + 1)
		return false;
	/* libical's encoding: (weekday 1..7 + 8 * |ordinal|) * sign. */
	for (size_t i = 0; i < r->ndays; i++)
		days[i] = (abs(r->days[i].ord) * 8 + r->days[i].wd + 1) *
		          (r->days[i].ord < 0 ? -1 : 1);
	for (int m = 1; m <= 12; m++)
		if ((r->months >> m) & 1)
			months[nmonths++] = m;
	return same_values(rt->by_day, ARRAY_SIZE(rt->by_day), days,
	                   r->ndays) &&
	       same_values(rt->by_month_day, ARRAY_SIZE(rt->by_month_day),
	                   r->monthdays, r->nmonthdays) &&
	       same_values(rt->by_month, ARRAY_SIZE(rt->by_month), months,
	                   nmonths) &&
	       same_values(rt->by_set_pos, ARRAY_SIZE(rt->by_set_pos),
	                   r->setpos, r->nsetpos);
}

/* A floating UNTIL the day after `day`, for libical's iterator. */
static void lib_until_text(int64_t day, char *buf, size_t size)
{
	int y, m, d;
	wtime_day_civil(day + 1, &y, &m, &d);
	snprintf(buf, size, "%04d%02d%02dT235959", y % 10000, m % 100, d % 100);
}

static struct icaltimetype lib_time(const struct wtime *t)
{
	struct icaltimetype it = icaltime_null_time();
	it.year = t->year;
	it.month = t->month;
	it.day = t->day;
	it.hour = t->date_only ? 0 : t->hour;
	it.minute = t->date_only ? 0 : t->minute;
	return it; /* floating: no zone */
}

/*
 * An iterator over the series from `from` (the start, or a later
 * occurrence when the series has no COUNT), or NULL. The caller asks for
 * no occurrence after `last_day`; without COUNT (libical refuses COUNT
 * with UNTIL) libical gets a floating UNTIL just after it, or after the
 * series' own UNTIL if that is earlier. We apply the exact UNTIL in UTC
 * ourselves; this one stops libical's search there, should it ever miss an
 * occurrence the engine found.
 */
static icalrecur_iterator *
lib_iterator(const struct series *s, const struct wtime *from, int64_t last_day)
{
	char until[24];
	struct icalrecurrencetype rt;
	bool count = s->r->count && wtime_cmp(from, &s->start) == 0;
	if (s->until_day < last_day)
		last_day = s->until_day;
	if (!count)
		lib_until_text(last_day, until, sizeof(until));
	char *text = rule_text(s->r, count ? NULL : until, count);
	bool ok = lib_read(s->r, text, count ? s->r->count : 0, &rt);
	free(text);
	if (!ok)
		return NULL;
	icalrecur_iterator *it = icalrecur_iterator_new(rt, lib_time(from));
	icalerror_clear_errno();
	return it;
}

/* The day of libical's next occurrence, or -1 at the end. */
static int64_t lib_next_day(icalrecur_iterator *it)
{
	struct icaltimetype t = icalrecur_iterator_next(it);
	if (icaltime_is_null_time(t))
		return -1;
	return wtime_day_number(t.year, t.month, t.day);
}

/* Compares libical's first occurrences with the engine's, so that a rule
 * they read differently is refused rather than expanded two ways. Never
 * asks libical for more than the engine found, so that it never searches
 * past the end of the series. */
static int lib_crosscheck(const struct rule *r, const struct wtime *start,
                          const char *tzid, char **error_r)
{
	struct series s;
	int64_t want[CROSSCHECK_MAX], d;
	size_t n = 0;
	series_init(&s, r, start, tzid);
	/* The start and the next one, then what falls in two years: each
	 * libical call searches from one occurrence to the next, and sparse
	 * rules would make many such searches slow. */
	int64_t limit = day_years_later(start, RECUR_PROBE_YEARS);
	int64_t soon = day_years_later(start, 2);
	while (n < CROSSCHECK_MAX && series_next(&s, limit, &d) == 1 &&
	       (n < 2 || d <= soon))
		want[n++] = d;
	icalrecur_iterator *it = lib_iterator(&s, start, want[n - 1]);
	bool same = it != NULL;
	for (size_t i = 0; i < n && same; i++)
		same = lib_next_day(it) == want[i];
	if (it)
		icalrecur_iterator_free(it);
	if (!same)
		return set_error(error_r, "--rrule: this combination of parts "
		                          "is not supported (libical expands "
		                          "it differently)");
	return 0;
}

/* UNTIL as it is stored: UTC for a timed series, a date for an all-day
 * one, as RFC 5545 requires with a DTSTART that has a TZID. */
static void normal_until_text(const struct rule *r, const struct wtime *start,
                              const char *tzid, char *buf, size_t size)
{
	int64_t day, utc;
	int y, m, d;
	until_resolve(r, tzid, &day, &utc);
	if (start->date_only) {
		wtime_day_civil(day, &y, &m, &d);
		snprintf(buf, size, "%04d%02d%02d", y % 10000, m % 100,
		         d % 100);
		return;
	}
	int64_t days = floor_div(utc, 86400), secs = utc - days * 86400;
	wtime_day_civil(days, &y, &m, &d);
	snprintf(buf, size, "%04d%02d%02dT%02d%02d%02dZ", y % 10000, m % 100,
	         d % 100, (int)(secs / 3600), (int)(secs / 60 % 60),
	         (int)(secs % 60));
}

/* libical's text form of the rule, with UNTIL normalised. */
static int normalise(const struct rule *r, const struct wtime *start,
                     const char *tzid, char **normalised_r, char **error_r)
{
	char until[24];
	struct icalrecurrencetype rt;
	if (r->until_kind != UNTIL_NONE)
		normal_until_text(r, start, tzid, until, sizeof(until));
	char *text =
	    rule_text(r, r->until_kind != UNTIL_NONE ? until : NULL, true);
	bool ok = lib_read(r, text, r->count, &rt);
	free(text);
	if (!ok)
		return set_error(error_r, "--rrule: libical cannot read the "
		                          "rule");
	char *lib = icalrecurrencetype_as_string_r(&rt);
	if (normalised_r)
		*normalised_r = xstrdup(lib);
	icalmemory_free_buffer(lib);
	return 0;
}

/* Compares the engine with libical day by day for `years` years. Like the
 * expansion, it asks libical only for occurrences the engine has found. */
static int compare_walk(const struct rule *r, const struct wtime *start,
                        const char *tzid, int years, char **error_r)
{
	struct series s;
	int64_t d = -1, lib = -1, limit = day_years_later(start, years);
	char a[WTIME_STRLEN] = "nothing", b[WTIME_STRLEN] = "nothing";
	bool same = true;
	series_init(&s, r, start, tzid);
	icalrecur_iterator *it = lib_iterator(&s, start, limit);
	if (it == NULL)
		return set_error(error_r, "libical cannot read the rule");
	while (same && series_next(&s, limit, &d) == 1)
		same = (lib = lib_next_day(it)) == d;
	icalrecur_iterator_free(it);
	if (same)
		return 0;
	struct wtime t = day_wtime(d, start), u = day_wtime(lib, start);
	wtime_format(&t, a);
	if (lib >= 0)
		wtime_format(&u, b);
	return set_error(error_r, "the engine gives %s where libical gives %s",
	                 a, b);
}

int recur_compare_libical(const char *rrule, const struct wtime *dtstart,
                          const char *tzid, int years, char **error_r)
{
	struct rule r;
	if (check_rule(rrule, dtstart, tzid, &r, error_r) < 0)
		return -1;
	return compare_walk(&r, dtstart, tzid, years, error_r);
}

/* ---------------------------------------------------------------------- */
/* recur_check                                                            */

int recur_check_tz(const char *rrule, const struct wtime *dtstart,
                   const char *tzid, bool force, char **normalised_r,
                   char **error_r)
{
	struct rule r;
	if (normalised_r)
		*normalised_r = NULL;
	if (check_rule(rrule, dtstart, tzid, &r, error_r) < 0)
		return -1;
	if (!force && check_outlook(&r, dtstart, error_r) < 0)
		return -1;
	if (lib_crosscheck(&r, dtstart, tzid, error_r) < 0)
		return -1;
	return normalise(&r, dtstart, tzid, normalised_r, error_r);
}

int recur_check(const char *rrule, const struct wtime *dtstart, bool force,
                char **normalised_r, char **error_r)
{
	return recur_check_tz(rrule, dtstart, WIJKCAL_TZID, force, normalised_r,
	                      error_r);
}

/* ---------------------------------------------------------------------- */
/* Expansion                                                              */

struct expansion {
	const struct rule *r; /* NULL for a single event */
	struct wtime start;
	int64_t duration_min;
	const char *tzid;
	const struct recur_exception *exc;
	const struct recur_exception **by_rid; /* exc sorted by original */
	size_t nexc;
	int64_t from_utc, to_utc;
	size_t max_out;
	int64_t last_day; /* the last original's day, or INT64_MAX */
	struct occurrence *out;
	size_t nout, cap;
};

/* UTC start and end of an occurrence at wall time t. An all-day one runs
 * from local midnight to local midnight, however long the days are. */
static void occurrence_span(const struct expansion *x, const struct wtime *t,
                            int64_t duration_min, int64_t *start_r,
                            int64_t *end_r)
{
	*start_r = occurrence_utc(t, x->tzid);
	if (!t->date_only) {
		*end_r = *start_r + duration_min * 60;
		return;
	}
	struct wtime end = *t;
	end.date_only = false;
	end.hour = end.minute = 0;
	end = wtime_add_minutes(end, duration_min);
	*end_r = occurrence_utc(&end, x->tzid);
}

static bool overlaps(const struct expansion *x, int64_t start, int64_t end)
{
	if (start >= x->to_utc)
		return false;
	return end > x->from_utc || (end == start && start >= x->from_utc);
}

static void add_occurrence(struct expansion *x, const struct wtime *rid,
                           const struct wtime *start, int64_t duration_min,
                           bool moved)
{
	int64_t s, e;
	occurrence_span(x, start, duration_min, &s, &e);
	if (!overlaps(x, s, e))
		return;
	if (x->nout == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 16;
		x->out = xrealloc(x->out, x->cap * sizeof(*x->out));
	}
	x->out[x->nout++] = (struct occurrence){.recurrence_id = *rid,
	                                        .start = *start,
	                                        .start_utc = s,
	                                        .end_utc = e,
	                                        .duration_min = duration_min,
	                                        .moved = moved};
}

static int cmp_exc(const void *a, const void *b)
{
	const struct recur_exception *x =
	    *(const struct recur_exception *const *)a;
	const struct recur_exception *y =
	    *(const struct recur_exception *const *)b;
	int c = wtime_cmp(&x->recurrence_id, &y->recurrence_id);
	/* Then by position, so that the last of equal ones comes last. */
	return c ? c : (x > y) - (x < y);
}

/* The first exception for this original start, or NULL. */
static const struct recur_exception **find_exc(const struct expansion *x,
                                               const struct wtime *rid)
{
	size_t lo = 0, hi = x->nexc;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (wtime_cmp(&x->by_rid[mid]->recurrence_id, rid) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < x->nexc && wtime_cmp(&x->by_rid[lo]->recurrence_id, rid) == 0)
		return &x->by_rid[lo];
	return NULL;
}

/* True if this original occurrence is part of the series. */
static bool is_original(const struct expansion *x, const struct wtime *rid)
{
	int64_t day = wtime_day(rid);
	if (!occurrence_valid(rid))
		return false;
	if (x->r == NULL)
		return wtime_cmp(rid, &x->start) == 0;
	if (!x->start.date_only &&
	    (rid->hour != x->start.hour || rid->minute != x->start.minute))
		return false;
	if (day > x->last_day || !engine_has_day(x->r, &x->start, day))
		return false;
	struct series s;
	series_init(&s, x->r, &x->start, x->tzid);
	return series_within_until(&s, day);
}

/* Moved occurrences come from the exception list, not from the iterator:
 * their new time may lie in the window while the original does not. A
 * cancellation of the same original wins; of two moves, the last. */
static void add_moved(struct expansion *x)
{
	for (size_t i = 0; i < x->nexc; i++) {
		const struct recur_exception *e = x->by_rid[i];
		size_t j = i;
		bool cancelled = false;
		while (j < x->nexc && wtime_cmp(&x->by_rid[j]->recurrence_id,
		                                &e->recurrence_id) == 0)
			cancelled |= x->by_rid[j++]->cancelled;
		e = x->by_rid[j - 1];
		i = j - 1;
		if (cancelled || !occurrence_valid(&e->start) ||
		    !is_original(x, &e->recurrence_id))
			continue;
		add_occurrence(x, &e->recurrence_id, &e->start,
		               e->duration_min > 0 ? e->duration_min
		                                   : x->duration_min,
		               true);
	}
}

/* The local day of a UTC instant, with the window's ends (which may be 0
 * or INT64_MAX) kept within the years libical and the zone code handle. */
static int64_t local_day(const struct expansion *x, int64_t utc)
{
	const int64_t lo = wtime_day_number(1969, 1, 1) * 86400;
	const int64_t hi = wtime_day_number(LAST_YEAR, 12, 31) * 86400;
	struct wtime w = wtime_from_utc(utc < lo   ? lo
	                                : utc > hi ? hi
	                                           : utc,
	                                x->tzid);
	return wtime_day(&w);
}

/* The day to start from: the start, or (without COUNT, which counts from
 * the start) the first occurrence shortly before the window, so that a
 * long-running series is not walked from its beginning. -1 if the window
 * holds no original at all. */
static int64_t first_day_to_walk(const struct expansion *x, int64_t to_day)
{
	struct engine e;
	int64_t d0 = wtime_day(&x->start), found;
	int64_t target = local_day(x, x->from_utc) - 2 - x->duration_min / 1440;
	if (target > x->last_day)
		return -1; /* the series ended before the window */
	if (x->r->count || target - d0 < FAST_FORWARD_DAYS)
		return d0;
	engine_init(&e, x->r, &x->start);
	engine_seek(&e, target);
	return engine_next(&e, to_day, &found) ? found : -1;
}

/* The original in libical's next answer, checked against the engine's. */
static int walk_one(struct expansion *x, icalrecur_iterator *it, int64_t day,
                    size_t *unmoved)
{
	struct wtime t = day_wtime(day, &x->start);
	if (lib_next_day(it) != day)
		return -1;
	if (occurrence_utc(&t, x->tzid) >= x->to_utc || *unmoved >= x->max_out)
		return 1;
	if (find_exc(x, &t) == NULL) {
		size_t before = x->nout;
		add_occurrence(x, &t, &t, x->duration_min, false);
		*unmoved += x->nout - before;
	}
	return 0;
}

/*
 * Walks the originals from day `from` (an occurrence) to the end of the
 * window. The engine goes first and libical is asked for the next
 * occurrence only when the engine has found one, so libical never searches
 * past the window or the end of the series, and every answer is checked.
 * Returns 0, -1 if they disagree, -2 after RECUR_MAX_STEPS.
 */
static int walk_originals(struct expansion *x, int64_t from, int64_t to_day)
{
	struct series s;
	struct wtime t = day_wtime(from, &x->start);
	int64_t day;
	size_t unmoved = 0;
	int rc = -2;
	series_init(&s, x->r, &x->start, x->tzid);
	engine_seek(&s.e, from);
	icalrecur_iterator *it = lib_iterator(&s, &t, to_day);
	if (it == NULL)
		return -1;
	for (size_t step = 0; step < RECUR_MAX_STEPS; step++) {
		if (series_next(&s, to_day, &day) != 1) {
			rc = 0;
			break;
		}
		int one = walk_one(x, it, day, &unmoved);
		if (one != 0) {
			rc = one > 0 ? 0 : -1;
			break;
		}
	}
	icalrecur_iterator_free(it);
	return rc;
}

static int add_originals(struct expansion *x, char **error_r)
{
	int64_t last = wtime_day_number(LAST_YEAR, 12, 31);
	int64_t to_day = local_day(x, x->to_utc) + 1;
	if (to_day > last)
		to_day = last; /* where libical ends the series */
	int64_t from = first_day_to_walk(x, to_day);
	if (from < 0)
		return 0;
	int rc = walk_originals(x, from, to_day);
	if (rc == -1)
		return set_error(error_r, "recur: libical expands the rule "
		                          "differently from its check; please "
		                          "report this rule");
	if (rc == -2)
		return set_error(error_r,
		                 "recur: more than %d occurrences between "
		                 "--from and --to; choose a shorter period",
		                 RECUR_MAX_STEPS);
	return 0;
}

static int cmp_occurrence(const void *a, const void *b)
{
	const struct occurrence *x = a, *y = b;
	if (x->start_utc != y->start_utc)
		return x->start_utc < y->start_utc ? -1 : 1;
	return wtime_cmp(&x->recurrence_id, &y->recurrence_id);
}

static void add_single(struct expansion *x)
{
	if (find_exc(x, &x->start) == NULL)
		add_occurrence(x, &x->start, &x->start, x->duration_min, false);
}

/* Checks the series again (the store may hold rules from older versions)
 * and fills in what the expansion needs. */
static int expansion_init(struct expansion *x, struct rule *r,
                          const char *rrule, char **error_r)
{
	if (rrule == NULL || *rrule == '\0') {
		if (!wtime_valid(&x->start))
			return set_error(error_r, "recur: not a valid start");
		return 0;
	}
	if (check_rule(rrule, &x->start, x->tzid, r, error_r) < 0)
		return -1;
	x->r = r;
	x->last_day = series_last_day(r, &x->start, x->tzid);
	return 0;
}

static int expansion_run(struct expansion *x, char **error_r)
{
	int rc = 0;
	x->by_rid = xcalloc(x->nexc ? x->nexc : 1, sizeof(*x->by_rid));
	for (size_t i = 0; i < x->nexc; i++)
		x->by_rid[i] = &x->exc[i];
	qsort(x->by_rid, x->nexc, sizeof(*x->by_rid), cmp_exc);
	if (x->r == NULL)
		add_single(x);
	else
		rc = add_originals(x, error_r);
	if (rc == 0)
		add_moved(x);
	free(x->by_rid);
	return rc;
}

int recur_expand(const char *rrule, const struct wtime *dtstart,
                 int64_t duration_min, const char *tzid,
                 const struct recur_exception *exc, size_t nexc,
                 int64_t from_utc, int64_t to_utc, size_t max_out,
                 struct occurrence **out_r, char **error_r)
{
	struct rule r;
	struct expansion x = {.start = *dtstart,
	                      .duration_min = duration_min,
	                      .tzid = tzid ? tzid : WIJKCAL_TZID,
	                      .exc = exc,
	                      .nexc = nexc,
	                      .from_utc = from_utc,
	                      .to_utc = to_utc,
	                      .max_out = max_out,
	                      .last_day = INT64_MAX};
	*out_r = NULL;
	if (expansion_init(&x, &r, rrule, error_r) < 0)
		return -1;
	if (from_utc >= to_utc || max_out == 0)
		return 0;
	if (expansion_run(&x, error_r) < 0) {
		free(x.out);
		return -1;
	}
	if (x.nout > 0)
		qsort(x.out, x.nout, sizeof(*x.out), cmp_occurrence);
	*out_r = x.out;
	return (int)(x.nout < max_out ? x.nout : max_out);
}

/* ---------------------------------------------------------------------- */
/* Finding one occurrence, and the end of a series                        */

int recur_find_occurrence_tz(const char *rrule, const struct wtime *dtstart,
                             const char *tzid, const struct wtime *date,
                             struct wtime *recurrence_id_r, char **error_r)
{
	struct rule r;
	struct expansion x = {
	    .start = *dtstart, .tzid = tzid, .last_day = INT64_MAX};
	struct wtime rid = *dtstart;
	char buf[WTIME_STRLEN];
	bool single = rrule == NULL || *rrule == '\0';
	if (!single && check_rule(rrule, dtstart, tzid, &r, error_r) < 0)
		return -1;
	if (!single) {
		x.r = &r;
		x.last_day = series_last_day(&r, dtstart, tzid);
	}
	if (occurrence_valid(date))
		wtime_day_civil(wtime_day(date), &rid.year, &rid.month,
		                &rid.day);
	/* A time must be the series' own; a date picks that day's one. */
	bool time_ok =
	    date->date_only ||
	    (dtstart->date_only ? date->hour == 0 && date->minute == 0
	                        : date->hour == dtstart->hour &&
	                              date->minute == dtstart->minute);
	if (occurrence_valid(date) && time_ok && is_original(&x, &rid)) {
		*recurrence_id_r = rid;
		return 0;
	}
	wtime_format(date, buf);
	return set_error(error_r,
	                 "--occurrence: the series has no occurrence %s %s",
	                 date->date_only ? "on" : "at", buf);
}

int recur_find_occurrence(const char *rrule, const struct wtime *dtstart,
                          const struct wtime *date,
                          struct wtime *recurrence_id_r, char **error_r)
{
	return recur_find_occurrence_tz(rrule, dtstart, WIJKCAL_TZID, date,
	                                recurrence_id_r, error_r);
}

int64_t recur_last_end_utc(const char *rrule, const struct wtime *dtstart,
                           int64_t duration_min, const char *tzid)
{
	struct rule r;
	struct expansion x = {.tzid = tzid ? tzid : WIJKCAL_TZID};
	struct wtime last = *dtstart;
	int64_t start, end;
	if (!wtime_valid(dtstart))
		return INT64_MAX;
	if (rrule != NULL && *rrule != '\0') {
		/* A rule that fails the checks is indexed as open-ended, so
		 * that it is never missed. */
		if (check_rule(rrule, dtstart, x.tzid, &r, NULL) < 0)
			return INT64_MAX;
		int64_t day = series_last_day(&r, dtstart, x.tzid);
		if (day == INT64_MAX)
			return INT64_MAX;
		last = day_wtime(day, dtstart);
	}
	occurrence_span(&x, &last, duration_min, &start, &end);
	return end;
}
