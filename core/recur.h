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
#define RECUR_MAX_YEARS 20   /* UNTIL at most this many years after start */

/*
 * Checks an RRULE value (without the "RRULE:" prefix) for a series that
 * starts at dtstart. Accepts FREQ DAILY, WEEKLY, MONTHLY or YEARLY, with
 * COUNT (<= RECUR_MAX_COUNT) or UNTIL (after dtstart, within
 * RECUR_MAX_YEARS) or neither; refuses BY* parts that can never match
 * (BYMONTH=2;BYMONTHDAY=31), and unless `force`, rules Outlook cannot show
 * (two different ordinal weekdays in one monthly rule, BYSETPOS lists, ...),
 * with an explanation. On success writes the normalised rule (libical's
 * text form) to *normalised_r (caller frees; may be NULL). Returns 0 or -1
 * with "--rrule: ..." in *error_r.
 */
int recur_check(const char *rrule, const struct wtime *dtstart, bool force,
		char **normalised_r, char **error_r);

/* A change to one occurrence of a series, by its original start. */
struct recur_exception {
	struct wtime recurrence_id; /* the original start */
	bool cancelled;             /* an EXDATE */
	struct wtime start;         /* moved: the new start (if !cancelled) */
	int64_t duration_min;       /* moved: the new duration */
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
 * dtstart and lasts duration_min, in zone tzid, applying exceptions
 * (cancelled ones are left out, moved ones appear at their new time). Only
 * occurrences that overlap [from_utc, to_utc) are returned, sorted by
 * start_utc, at most max_out. The rule must have passed recur_check.
 * Returns the number written to *out_r (an array the caller frees), or -1
 * with a message.
 */
int recur_expand(const char *rrule, const struct wtime *dtstart,
		 int64_t duration_min, const char *tzid,
		 const struct recur_exception *exc, size_t nexc,
		 int64_t from_utc, int64_t to_utc, size_t max_out,
		 struct occurrence **out_r, char **error_r);

/*
 * Finds the original occurrence of the series on `date` (a date_only value,
 * as given with --occurrence 2027-03-09), or the one starting exactly at
 * `date` when it carries a time. Checks the rule, not the exceptions.
 * Returns 0 and the occurrence's original start in *recurrence_id_r, or -1
 * with "--occurrence: the series has no occurrence on 2027-03-09".
 */
int recur_find_occurrence(const char *rrule, const struct wtime *dtstart,
			  const struct wtime *date,
			  struct wtime *recurrence_id_r, char **error_r);

/* The end of the last occurrence in UTC, or INT64_MAX for an open-ended
 * series (used to index events by time). */
int64_t recur_last_end_utc(const char *rrule, const struct wtime *dtstart,
			   int64_t duration_min, const char *tzid);

#endif
