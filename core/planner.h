/*
 * planner: which mail should exist, derived from state (DESIGN.md,
 * "Delivery without loss or duplicates"). For each event it compares what
 * should have been sent (its audience, SEQUENCE, cancellation, reminder
 * offsets) with the event's outbox rows and returns the rows missing.
 * Rows carry a unique key, so inserting them twice queues nothing twice.
 *
 * Rules, per event that is not a draft and not over. A person's round
 * runs from an invitation to the whole-event CANCEL that ends it; every
 * key below carries it (in the Message-ID's hash, schema 4), so that a
 * person who comes back is invited again.
 *  - invite: to each person in the audience with no row yet, once
 *    kinds.K.invite_before before the first occurrence has come (0: at
 *    once), and at once to one who left (and got a CANCEL) and came back.
 *    It carries the series as it stands (moved occurrences as VEVENTs
 *    with RECURRENCE-ID, cancelled ones as EXDATEs), so its seq is the
 *    series' highest SEQUENCE (planner_series_sequence); it expires at the
 *    end of the last occurrence.
 *  - update: to each person of this round invited or updated at a lower
 *    seq than the event's SEQUENCE; the whole series again, like an
 *    invitation. A change made with `event edit --no-notify` keeps the
 *    SEQUENCE, so it sends nothing.
 *  - cancel: to everyone invited (and not yet cancelled) when the event is
 *    cancelled, and to an invited person who left the audience.
 *  - a moved occurrence: an update row with its RECURRENCE-ID (a REQUEST
 *    for that occurrence) at the change's SEQUENCE; a cancelled one: a
 *    cancel row with its RECURRENCE-ID. To each person of this round who
 *    has had neither a whole-series message at that seq or higher nor one
 *    about the occurrence; expires at the occurrence's end.
 *  - reminder: at each of kinds.K.reminders before each occurrence as it
 *    stands (moved: at its new start; cancelled: none), to those invited,
 *    queued only once due within PLANNER_HORIZON, never one that fell due
 *    before the person was invited; it expires at the occurrence's start.
 *    A queued reminder of an occurrence moved or cancelled since is
 *    retired (expired), and a moved one gets its own.
 * These rules need every change to raise the SEQUENCE above all the
 * series carries (planner_series_sequence + 1), as wijkcal event does:
 * then a message at seq S has told a person every change up to S.
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

/* The highest SEQUENCE the series carries: its own or a moved or
 * cancelled occurrence's. A change to the series or one occurrence gets
 * this + 1. */
int planner_series_sequence(const struct event *e);
/* The SEQUENCE of an occurrence's change as sent: never below the
 * series'. */
int planner_change_sequence(const struct event *e,
                            const struct event_change *c);

/*
 * The ids of the event's queued reminders that were planned for an
 * occurrence's time before it was moved or cancelled; *ids_r (caller
 * frees) holds *n_r of them. Pure.
 */
void planner_stale(const struct planner_event *pe, const struct config *cfg,
                   int64_t **ids_r, size_t *n_r);

/*
 * Plans every event and inserts the missing rows in one transaction,
 * retiring the stale reminders (planner_stale) in the same one.
 * *added_r (may be NULL) gets the number of rows queued.
 */
int planner_run(struct store *st, const struct config *cfg, int64_t now,
                size_t *added_r, char **error_r);

#endif
