/*
 * planner: which mail should exist, derived from state (DESIGN.md,
 * "Delivery without loss or duplicates"). For each event it compares what
 * should have been sent (its audience, SEQUENCE, cancellation, reminder
 * offsets) with the event's outbox rows and returns the rows missing.
 * Rows carry a unique key, so inserting them twice queues nothing twice.
 *
 * Rules, per event that is not a draft and not over:
 *  - invite: to each person in the audience with no row yet, once
 *    kinds.K.invite_before before the first occurrence has come (0: at
 *    once); it expires at the end of the last occurrence.
 *  - update: to each person invited at a lower SEQUENCE than the event's.
 *  - cancel: to everyone invited (and not yet cancelled) when the event is
 *    cancelled, and to an invited person who left the audience.
 *  - reminder: at each of kinds.K.reminders before each occurrence, to
 *    those invited, queued only once due within PLANNER_HORIZON, never one
 *    that fell due before the person was invited; it expires at the
 *    occurrence's start.
 * Not yet: moved or cancelled single occurrences (RECURRENCE-ID), and an
 * invitation again for a person who left and came back.
 */
#ifndef WIJKCAL_PLANNER_H
#define WIJKCAL_PLANNER_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/model.h"
#include "core/store.h"

#define PLANNER_HORIZON (24 * 3600) /* seconds ahead reminders are queued */

/* What the planner knows of one event. */
struct planner_event {
	const struct event *event;
	const struct person *audience; /* resolved now */
	size_t naudience;
	const struct outbox_row *outbox; /* the event's rows, any status */
	size_t noutbox;
};

/*
 * The rows to add for one event at `now` (UTC seconds), appended to
 * *rows_r (an array of *n_r rows the caller frees with outbox_rows_free).
 * Message-IDs are "<HASH@DOMAIN>" with DOMAIN from smtp.from. Pure: no
 * clock, no database. Returns 0 or -1 with a message (a rule that cannot
 * be expanded).
 */
int planner_plan_event(const struct planner_event *pe, const struct config *cfg,
                       int64_t now, struct outbox_row **rows_r, size_t *n_r,
                       char **error_r);

/* The Message-ID of a row's key: "<HASH@DOMAIN>", DOMAIN that of `from`;
 * the same key always gives the same id. Caller frees. */
char *planner_message_id(const struct outbox_row *r, const char *from);

/*
 * Plans every event and inserts the missing rows in one transaction.
 * *added_r (may be NULL) gets the number of rows queued.
 */
int planner_run(struct store *st, const struct config *cfg, int64_t now,
                size_t *added_r, char **error_r);

#endif
