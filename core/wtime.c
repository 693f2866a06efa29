/* wtime: wall times, dates and durations; UTC conversion through libical. */
#include "core/wtime.h"

#include <ctype.h>
#include <libical/ical.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "core/zone.h"

int wtime_days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
	                           31, 31, 30, 31, 30, 31};
	if (month == 2 &&
	    (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
		return 29;
	return days[month - 1];
}

/* Reads exactly n digits; returns -1 if they are not all digits. */
static int read_digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int parse_date_part(const char *s, struct wtime *t)
{
	if (strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	t->year = read_digits(s, 4);
	t->month = read_digits(s + 5, 2);
	t->day = read_digits(s + 8, 2);
	if (t->year < 0 || t->month < 0 || t->day < 0)
		return -1;
	return 0;
}

static int check_range(const struct wtime *t, const char *s, const char *field,
                       char **error_r)
{
	if (t->year < 1970 || t->year > 2200)
		return set_error(error_r,
		                 "%s: year %d is out of range "
		                 "(1970..2200)",
		                 field, t->year);
	if (t->month < 1 || t->month > 12 || t->day < 1 ||
	    t->day > wtime_days_in_month(t->year, t->month))
		return set_error(error_r, "%s: %.10s is not a date", field, s);
	if (t->hour > 23 || t->minute > 59)
		return set_error(error_r, "%s: %s is not a time of day", field,
		                 s + 11);
	return 0;
}

int wtime_parse(const char *s, bool allow_date, const char *field,
                struct wtime *t_r, char **error_r)
{
	struct wtime t = {0};
	const char *expected =
	    allow_date ? "YYYY-MM-DD HH:MM or YYYY-MM-DD" : "YYYY-MM-DD HH:MM";
	size_t n = strlen(s);
	if (parse_date_part(s, &t) < 0 || (n != 10 && n != 16))
		return set_error(error_r, "%s: expected %s, got \"%s\"", field,
		                 expected, s);
	if (n == 10) {
		if (!allow_date)
			return set_error(error_r,
			                 "%s: expected %s (with a time), got "
			                 "\"%s\"",
			                 field, expected, s);
		t.date_only = true;
	} else {
		if ((s[10] != ' ' && s[10] != 'T') || s[13] != ':' ||
		    (t.hour = read_digits(s + 11, 2)) < 0 ||
		    (t.minute = read_digits(s + 14, 2)) < 0)
			return set_error(error_r, "%s: expected %s, got \"%s\"",
			                 field, expected, s);
	}
	if (check_range(&t, s, field, error_r) < 0)
		return -1;
	*t_r = t;
	return 0;
}

int wtime_parse_date(const char *s, const char *field, struct wtime *t_r,
                     char **error_r)
{
	struct wtime t = {0};
	if (strlen(s) != 10 || parse_date_part(s, &t) < 0)
		return set_error(error_r, "%s: expected YYYY-MM-DD, got \"%s\"",
		                 field, s);
	t.date_only = true;
	if (check_range(&t, s, field, error_r) < 0)
		return -1;
	*t_r = t;
	return 0;
}

void wtime_format(const struct wtime *t, char *buf)
{
	/* The unsigned modulos let the compiler see that the text fits. */
	unsigned y = (unsigned)t->year % 10000u, mo = (unsigned)t->month % 100u,
	         d = (unsigned)t->day % 100u, h = (unsigned)t->hour % 100u,
	         mi = (unsigned)t->minute % 100u;
	if (t->date_only)
		snprintf(buf, WTIME_STRLEN, "%04u-%02u-%02u", y, mo, d);
	else
		snprintf(buf, WTIME_STRLEN, "%04u-%02u-%02u %02u:%02u", y, mo,
		         d, h, mi);
}

void wtime_format_dutch(const struct wtime *t, bool with_weekday, char *buf,
                        size_t size)
{
	static const char *const weekdays[7] = {
	    "zondag",    "maandag", "dinsdag", "woensdag",
	    "donderdag", "vrijdag", "zaterdag"};
	static const char *const months[12] = {
	    "januari",   "februari", "maart",    "april",
	    "mei",       "juni",     "juli",     "augustus",
	    "september", "oktober",  "november", "december"};
	const char *month = months[(unsigned)(t->month - 1) % 12u];
	if (with_weekday)
		snprintf(buf, size, "%s %d %s %d", weekdays[wtime_weekday(t)],
		         t->day, month, t->year);
	else
		snprintf(buf, size, "%d %s %d", t->day, month, t->year);
}

int wtime_cmp(const struct wtime *a, const struct wtime *b)
{
	int ka[5] = {a->year, a->month, a->day, a->hour, a->minute};
	int kb[5] = {b->year, b->month, b->day, b->hour, b->minute};
	for (int i = 0; i < 5; i++)
		if (ka[i] != kb[i])
			return ka[i] < kb[i] ? -1 : 1;
	return 0;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
int64_t wtime_day_number(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void wtime_day_civil(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

struct wtime wtime_add_minutes(struct wtime t, int64_t minutes)
{
	int64_t total = wtime_day_number(t.year, t.month, t.day) * 1440 +
	                t.hour * 60 + t.minute + minutes;
	int64_t days = total >= 0 ? total / 1440 : -((-total + 1439) / 1440);
	int64_t rest = total - days * 1440;
	wtime_day_civil(days, &t.year, &t.month, &t.day);
	t.hour = (int)(rest / 60);
	t.minute = (int)(rest % 60);
	return t;
}

int wtime_weekday(const struct wtime *t)
{
	int64_t days = wtime_day_number(t->year, t->month, t->day);
	/* 1970-01-01 was a Thursday (4). */
	return (int)(((days % 7) + 7 + 4) % 7);
}

/* Unknown names fall back to UTC; zone_builtin keeps names from files
 * away from libical's path lookup. */
static icaltimezone *zone(const char *tzid)
{
	icaltimezone *z = zone_builtin(tzid);
	return z ? z : icaltimezone_get_utc_timezone();
}

bool wtime_exists(const struct wtime *t, const char *tzid)
{
	if (t->date_only)
		return true;
	struct wtime back = wtime_from_utc(wtime_to_utc(t, tzid), tzid);
	return wtime_cmp(&back, t) == 0;
}

bool wtime_zone_known(const char *tzid)
{
	return strcmp(tzid, "UTC") == 0 || zone_builtin(tzid) != NULL;
}

/* The zone's offset from UTC (seconds east) at a UTC instant. */
static int utc_offset_at(icaltimezone *z, int64_t utc)
{
	struct icaltimetype it = icaltime_null_time();
	int64_t days = utc >= 0 ? utc / 86400 : -((-utc + 86399) / 86400);
	int64_t secs = utc - days * 86400;
	int is_daylight;
	wtime_day_civil(days, &it.year, &it.month, &it.day);
	it.hour = (int)(secs / 3600);
	it.minute = (int)(secs / 60 % 60);
	it.second = (int)(secs % 60);
	it.zone = icaltimezone_get_utc_timezone();
	return icaltimezone_get_utc_offset_of_utc_time(z, &it, &is_daylight);
}

/*
 * libical's icaltime_as_timet_with_zone() moves a time in the spring gap
 * backwards and takes the second instant of an ambiguous autumn time, so
 * we resolve both as RFC 5545 (3.3.5) and the header say: try the offsets
 * in force a day before and a day after (zones change at most once in
 * between); a time valid under both is ambiguous and takes the earlier
 * instant; a time valid under neither is in the gap and takes the offset
 * from before the gap, which moves it forward.
 */
int64_t wtime_to_utc(const struct wtime *t, const char *tzid)
{
	icaltimezone *z = zone(tzid);
	int64_t local = wtime_day_number(t->year, t->month, t->day) * 86400 +
	                (t->date_only ? 0 : t->hour * 3600 + t->minute * 60);
	int before = utc_offset_at(z, local - 86400);
	int after = utc_offset_at(z, local + 86400);
	if (before == after)
		return local - before;
	int64_t u1 = local - before, u2 = local - after;
	bool ok1 = utc_offset_at(z, u1) == before;
	bool ok2 = utc_offset_at(z, u2) == after;
	if (ok1 && ok2)
		return u1 < u2 ? u1 : u2;
	if (ok2)
		return u2;
	return u1;
}

struct wtime wtime_from_utc(int64_t utc, const char *tzid)
{
	struct icaltimetype it =
	    icaltime_from_timet_with_zone((time_t)utc, 0, zone(tzid));
	struct wtime t = {.year = it.year,
	                  .month = it.month,
	                  .day = it.day,
	                  .hour = it.hour,
	                  .minute = it.minute};
	return t;
}

static const struct {
	char unit;
	int64_t minutes;
} duration_units[] = {{'w', 7 * 1440}, {'d', 1440}, {'h', 60}, {'m', 1}};

int duration_parse(const char *s, const char *field, int64_t max_minutes,
                   int64_t *minutes_r, char **error_r)
{
	const char *p = s;
	int64_t total = 0;
	size_t next_unit = 0; /* units must come in order w, d, h, m */
	if (*p == '\0')
		goto bad;
	while (*p) {
		if (!isdigit((unsigned char)*p))
			goto bad;
		int64_t v = 0;
		while (isdigit((unsigned char)*p)) {
			v = v * 10 + (*p++ - '0');
			if (v > 10000000)
				goto bad;
		}
		size_t u = next_unit;
		while (u < ARRAY_SIZE(duration_units) &&
		       duration_units[u].unit != *p)
			u++;
		if (u == ARRAY_SIZE(duration_units))
			goto bad;
		total += v * duration_units[u].minutes;
		next_unit = u + 1;
		p++;
	}
	if (total < 1 || total > max_minutes)
		return set_error(error_r,
		                 "%s: expected a duration between 1m and "
		                 "%lldm, got \"%s\"",
		                 field, (long long)max_minutes, s);
	*minutes_r = total;
	return 0;
bad:
	return set_error(error_r,
	                 "%s: expected a duration like 90m, 2h, 1h30m, 7d or "
	                 "6w, got \"%s\"",
	                 field, s);
}

void duration_format(int64_t minutes, char *buf)
{
	struct strbuf b = {0};
	if (minutes <= 0) {
		snprintf(buf, 32, "0m");
		return;
	}
	for (size_t u = 0; u < ARRAY_SIZE(duration_units); u++) {
		int64_t n = minutes / duration_units[u].minutes;
		if (n > 0)
			strbuf_appendf(&b, "%lld%c", (long long)n,
			               duration_units[u].unit);
		minutes -= n * duration_units[u].minutes;
	}
	snprintf(buf, 32, "%s", b.data);
	strbuf_free(&b);
}
