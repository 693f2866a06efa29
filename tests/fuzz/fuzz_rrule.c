/*
 * libFuzzer target for core/recur: an RRULE is untrusted input.
 *
 * Input: an optional first line with the series' start ("2027-01-12 12:30"
 * or "2027-01-12" for all-day; 2027-01-12 12:30 otherwise), then the rule;
 * a leading '!' on the rule means --force. When the start is not an
 * occurrence the check names the first one, and the target tries again
 * from there, so that the fuzzer reaches the expansion.
 *
 * Checked: a refusal has one "--rrule:" message and no result; an accepted
 * rule normalises to a rule that is accepted again unchanged, the module's
 * own rule model agrees with libical day by day, the expansion is sorted,
 * starts at the start and holds only occurrences recur_find_occurrence
 * finds, and the last end is not before the first. Slow inputs show up
 * under -timeout; recur.h promises no call takes long.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/recur.h"
#include "core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TZ     WIJKCAL_TZID
#define YEAR_S (366 * 86400LL)

/* Splits the input into a start and a rule; false if unusable. */
static bool read_input(const char *text, struct wtime *start, bool *force,
                       const char **rule)
{
	const char *nl = strchr(text, '\n');
	*start = (struct wtime){2027, 1, 12, 12, 30, false};
	*rule = text;
	if (nl) {
		char *line = xstrndup(text, (size_t)(nl - text));
		bool ok = wtime_parse(line, true, "start", start, NULL) == 0;
		free(line);
		if (!ok)
			return false;
		*rule = nl + 1;
	}
	*force = **rule == '!';
	*rule += *force;
	return true;
}

static void check_refusal(int rc, const char *norm, const char *err)
{
	if (rc != -1 || norm != NULL || err == NULL)
		abort();
	if (strncmp(err, "--rrule: ", 9) != 0 &&
	    strncmp(err, "--start: ", 9) != 0)
		abort();
}

/* recur_check, once more from the first occurrence it suggests. */
static int check(const char *rule, struct wtime *start, bool force, char **norm)
{
	char *err = NULL;
	int rc = recur_check(rule, start, force, norm, &err);
	const char *hint = err ? strstr(err, "the first after it is ") : NULL;
	char buf[WTIME_STRLEN];
	if (hint)
		snprintf(buf, sizeof(buf), "%.*s", start->date_only ? 10 : 16,
		         hint + 22);
	/* A suggestion after 2200 is no start; the refusal stands. */
	if (rc < 0 && hint &&
	    wtime_parse(buf, true, "hint", start, NULL) == 0) {
		xfree(&err);
		rc = recur_check(rule, start, force, norm, &err);
		/* The suggestion must be an occurrence. */
		if (rc < 0 && strstr(err, "is not one"))
			abort();
	}
	if (rc < 0)
		check_refusal(rc, *norm, err);
	else if (err != NULL || *norm == NULL)
		abort();
	free(err);
	return rc;
}

static void check_normalised(const char *norm, struct wtime *start, bool force)
{
	char *again = NULL;
	if (recur_check(norm, start, force, &again, NULL) < 0)
		abort();
	if (strcmp(again, norm) != 0)
		abort();
	free(again);
}

/* Sorted, the first is the start, each is an original of the series. */
static void check_expansion(const char *rule, const struct wtime *start,
                            int64_t from, int64_t to, bool from_start)
{
	struct occurrence *occ = NULL;
	int n = recur_expand(rule, start, 60, TZ, NULL, 0, from, to, 500, &occ,
	                     NULL);
	if (n < 0 || n > 500)
		abort();
	if (from_start && (n == 0 || wtime_cmp(&occ[0].start, start) != 0))
		abort();
	for (int i = 0; i < n; i++) {
		struct wtime rid;
		if (i > 0 && occ[i].start_utc < occ[i - 1].start_utc)
			abort();
		if (occ[i].end_utc <= from || occ[i].start_utc >= to)
			abort();
		if (i % 16 == 0 &&
		    recur_find_occurrence(rule, start, &occ[i].start, &rid,
		                          NULL) < 0)
			abort();
	}
	free(occ);
}

static void check_accepted(const char *norm, struct wtime *start, bool force)
{
	char *err = NULL;
	check_normalised(norm, start, force);
	if (recur_compare_libical(norm, start, TZ, 3, &err) < 0)
		abort();
	int64_t s = wtime_to_utc(start, TZ);
	check_expansion(norm, start, s - 86400, s + YEAR_S, true);
	check_expansion(norm, start, s + 40 * YEAR_S, s + 41 * YEAR_S, false);
	if (recur_last_end_utc(norm, start, 60, TZ) < s + 3600)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wtime start;
	const char *rule;
	char *norm = NULL;
	bool force;
	if (size > RECUR_MAX_LEN + 64)
		return 0;
	char *text = xstrndup((const char *)data, size);
	if (read_input(text, &start, &force, &rule) &&
	    check(rule, &start, force, &norm) == 0)
		check_accepted(norm, &start, force);
	free(norm);
	free(text);
	return 0;
}
