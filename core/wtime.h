/*
 * wtime: local wall-clock times ("2027-01-12 12:30" in Europe/Amsterdam),
 * dates, durations, and their conversion to UTC instants. Series are defined
 * in wall time with a TZID, so "12:30" stays 12:30 across DST changes.
 */
#ifndef WIJKCAL_WTIME_H
#define WIJKCAL_WTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIJKCAL_TZID "Europe/Amsterdam"

/* A wall time, or a date when date_only is set (hour and minute 0). */
struct wtime {
	int year, month, day; /* 1..12, 1..31 */
	int hour, minute;     /* 0..23, 0..59 */
	bool date_only;
};

/* Text form: "YYYY-MM-DD HH:MM", or "YYYY-MM-DD" when date_only. */
#define WTIME_STRLEN 17

/*
 * Parses "YYYY-MM-DD HH:MM" (a 'T' instead of the space is accepted).
 * With allow_date, a bare "YYYY-MM-DD" gives a date_only value. Years
 * 1970..2200. Returns 0, or -1 with "FIELD: expected YYYY-MM-DD HH:MM" (or
 * a reason such as "2027-02-30 is not a date") in *error_r; `field` names the
 * option or column in that message.
 */
int wtime_parse(const char *s, bool allow_date, const char *field,
                struct wtime *t_r, char **error_r);
/* Parses "YYYY-MM-DD" only. */
int wtime_parse_date(const char *s, const char *field, struct wtime *t_r,
                     char **error_r);
/* Writes the text form into buf (at least WTIME_STRLEN bytes). */
void wtime_format(const struct wtime *t, char *buf);
/* The Dutch long form of the date, for what people read: "dinsdag 12
 * januari 2027", or "12 januari 2027" without the weekday. */
void wtime_format_dutch(const struct wtime *t, bool with_weekday, char *buf,
                        size_t size);
/* Compares two wall times; dates sort as 00:00 of that day. */
int wtime_cmp(const struct wtime *a, const struct wtime *b);
/* Adds minutes (may be negative) in wall time, normalising the date. */
struct wtime wtime_add_minutes(struct wtime t, int64_t minutes);
/* Day numbers: days since 1970-01-01 of a date (proleptic Gregorian), and
 * back. For code that steps through many days. */
int64_t wtime_day_number(int year, int month, int day);
void wtime_day_civil(int64_t n, int *year_r, int *month_r, int *day_r);
/* Day of week, 0 = Sunday. */
int wtime_weekday(const struct wtime *t);
/* Days in a month of a year (leap years included). */
int wtime_days_in_month(int year, int month);

/*
 * The UTC instant (seconds since the epoch) of a wall time in zone tzid
 * (an IANA name). A time that does not exist (the DST gap) moves forward
 * by the gap; an ambiguous one takes the first (summer time) instant. A
 * date counts as its 00:00.
 */
int64_t wtime_to_utc(const struct wtime *t, const char *tzid);
/* False for a wall time in the gap of a daylight-saving change (02:30 on
 * the night the clocks go forward): no instant has it. Dates exist. */
bool wtime_exists(const struct wtime *t, const char *tzid);
/* True if tzid names a zone libical knows (an IANA name). */
bool wtime_zone_known(const char *tzid);
/* The wall time in tzid of a UTC instant. */
struct wtime wtime_from_utc(int64_t utc, const char *tzid);

/*
 * Parses a duration: "90m", "2h", "1h30m", "7d", "6w", "1d2h"; the result is
 * in minutes, 1..max_minutes. Error: "FIELD: expected a duration like 90m,
 * 2h, 1h30m, 7d or 6w".
 */
int duration_parse(const char *s, const char *field, int64_t max_minutes,
                   int64_t *minutes_r, char **error_r);
/* Formats minutes in the shortest such form ("1h30m", "6w"); buf >= 32. */
void duration_format(int64_t minutes, char *buf);

#endif
