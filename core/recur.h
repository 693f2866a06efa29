/*
 * recur: recurrence rules as untrusted input, and the expansion of a series
 * into occurrences. libical expands; this module makes sure it is only ever
 * handed rules it can expand quickly (libical 3.0 spins for seconds on an
 * unsatisfiable rule), and refuses rules Outlook cannot show unless forced.
 */
#ifndef WIJKCAL_RECUR_H
#define WIJKCAL_RECUR_H

#include <stddef.h>
#include <stdint.h>

#include "core/wtime.h"

#define RECUR_MAX_COUNT 1000 /* COUNT at most */
#define RECUR_MAX_YEARS                                                        \
	20 /* UNTIL (and the COUNT-th occurrence) at most                      \
	      this many years after start */
#define RECUR_MAX_GAP_YEARS                                                    \
	10 /* consecutive occurrences at most this far                         \
	      apart, which bounds each libical step */
#define RECUR_PROBE_YEARS                                                      \
	29                /* checked ahead of the start: one 28-year           \
	                     calendar cycle and a bit */
#define RECUR_MAX_LEN 512 /* bytes in an RRULE value */
#define RECUR_MAX_STEPS                                                        \
	20000 /* original occurrences one recur_expand                         \
	         walks through at most */

/*
 * Checks an RRULE value (without the "RRULE:" prefix) for a series that
 * starts at dtstart in zone tzid. Accepts FREQ DAILY, WEEKLY, MONTHLY or
 * YEARLY with INTERVAL, COUNT (<= RECUR_MAX_COUNT), UNTIL (a date, a UTC
 * time or a floating time in tzid; not before dtstart, within
 * RECUR_MAX_YEARS), BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS and WKST. Refuses:
 *  - unknown, repeated or empty parts and malformed values, BYSECOND,
 *    BYMINUTE, BYHOUR (the time comes from dtstart), BYYEARDAY, BYWEEKNO;
 *  - BY* parts that never match (BYMONTH=2;BYMONTHDAY=31), a dtstart that
 *    is not itself an occurrence (calendar programs disagree on those),
 *    occurrences more than RECUR_MAX_GAP_YEARS apart, and a COUNT that runs
 *    past RECUR_MAX_YEARS;
 *  - unless `force`, rules Outlook cannot show (two ordinal weekdays in one
 *    monthly rule, 5TU, BYSETPOS lists, BYMONTH with MONTHLY, day 29..31
 *    in months that lack it, ...), with an explanation.
 * On success writes the normalised rule (libical's text form, lists
 * sorted, UNTIL as UTC time or, for an all-day series, a date) to
 * *normalised_r (caller frees; may be NULL). Returns 0 or -1 with
 * "--rrule: ..." in *error_r. Fast (well under a millisecond) for any input.
 */
int recur_check_tz(const char *rrule, const struct wtime *dtstart,
                   const char *tzid, bool force, char **normalised_r,
                   char **error_r);
/* recur_check_tz in WIJKCAL_TZID. */
int recur_check(const char *rrule, const struct wtime *dtstart, bool force,
                char **normalised_r, char **error_r);

/* A change to one occurrence of a series, by its original start. */
struct recur_exception {
	struct wtime recurrence_id; /* the original start */
	bool cancelled;             /* an EXDATE */
	struct wtime start;         /* moved: the new start (if !cancelled) */
	int64_t duration_min;       /* moved: the new duration (<= 0: the
	                               series' duration) */
};

/* One occurrence in the expansion. */
struct occurrence {
	struct wtime recurrence_id; /* the original start (the series' start
	                               for a single event) */
	struct wtime start;         /* where it takes place (moved or not) */
	int64_t start_utc;
	int64_t end_utc;
	int64_t duration_min;
	bool moved;
};

/*
 * Expands a series (rrule NULL or "" for a single event) that starts at
 * dtstart and lasts duration_min, in zone tzid (NULL: WIJKCAL_TZID). The
 * series is defined in wall time: "12:30" stays 12:30 across DST. A timed
 * occurrence ends duration_min after its start; an all-day one (dtstart
 * date_only) runs from local midnight to the local midnight
 * duration_min / 1440 days later. Exceptions: cancelled originals are left
 * out; moved ones appear at their new start and duration with moved set,
 * if their original start is an occurrence of the series (COUNT counts the
 * originals). A cancellation wins over a move of the same original, and of
 * two moves the later in exc wins.
 * Only occurrences that overlap [from_utc, to_utc) are returned, sorted by
 * start_utc, at most max_out (the first ones). The rule is checked again
 * as by recur_check with force. Returns the number written to *out_r (an
 * array the caller frees; NULL when there are none), or -1 with a message,
 * also when the window holds more than RECUR_MAX_STEPS originals.
 */
int recur_expand(const char *rrule, const struct wtime *dtstart,
                 int64_t duration_min, const char *tzid,
                 const struct recur_exception *exc, size_t nexc,
                 int64_t from_utc, int64_t to_utc, size_t max_out,
                 struct occurrence **out_r, char **error_r);

/*
 * Finds the original occurrence of the series on `date` (a date_only value,
 * as given with --occurrence 2027-03-09), or the one starting exactly at
 * `date` when it carries a time. Checks the rule (COUNT and UNTIL included,
 * in zone tzid), not the exceptions. Returns 0 and the occurrence's
 * original start in *recurrence_id_r, or -1 with "--occurrence: the series
 * has no occurrence on 2027-03-09" (or the rule's own error).
 */
int recur_find_occurrence_tz(const char *rrule, const struct wtime *dtstart,
                             const char *tzid, const struct wtime *date,
                             struct wtime *recurrence_id_r, char **error_r);
/* recur_find_occurrence_tz in WIJKCAL_TZID. */
int recur_find_occurrence(const char *rrule, const struct wtime *dtstart,
                          const struct wtime *date,
                          struct wtime *recurrence_id_r, char **error_r);

/* The end of the last original occurrence in UTC, or INT64_MAX for an
 * open-ended series or a rule that fails the checks (used to index events
 * by time; moved occurrences are not considered). */
int64_t recur_last_end_utc(const char *rrule, const struct wtime *dtstart,
                           int64_t duration_min, const char *tzid);

/*
 * For tests and the fuzzer: expands a rule that passes recur_check (with
 * force) both with this module's own day-level model and with libical's
 * iterator, for `years` years from dtstart, and compares them day by day.
 * Returns 0 if they agree, else -1 with the rule's error or the first
 * difference in *error_r.
 */
int recur_compare_libical(const char *rrule, const struct wtime *dtstart,
                          const char *tzid, int years, char **error_r);

#endif
