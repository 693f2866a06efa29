/*
 * Unit tests for core/planner: the rows planned for one event at a fixed
 * "now", fed back as the event's outbox to show that planning again adds
 * nothing; invitations by lead time, drafts, updates after a change,
 * cancellations (whole event, a person who left) and reminders within the
 * horizon.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/config.h"
#include "core/planner.h"
#include "core/schema.sql.h"
#include "core/util.h"

#define START 1799753400 /* 2027-01-12 12:30 Europe/Amsterdam = 11:30Z */
#define HOUR  3600
#define DAY   (24 * HOUR)
#define WEEK  (7 * DAY)

static struct person people[] = {
    {.id = 1, .email = "anna@linde.nl", .name = "Anna de Vries"},
    {.id = 2, .email = "bert@eik.nl", .name = "Bert Bos"},
};

static struct event sample_event(const char *kind)
{
	struct event e = {
	    .id = 7,
	    .uid = "wk-test-1",
	    .kind = (char *)kind,
	    .wijk = "noord",
	    .title = "Hagro Noord",
	    .start = {2027, 1, 12, 12, 30, false},
	    .duration_min = 90,
	    .tzid = "Europe/Amsterdam",
	    .points = -1,
	    .capacity = -1,
	    .sequence = 0,
	};
	return e;
}

/* The planner's state: an event, its audience and its outbox so far. */
struct world {
	struct config cfg;
	struct event e;
	size_t naudience;
	struct outbox_row *outbox; /* rows "inserted" so far */
	size_t noutbox;
};

static int setup(void **state)
{
	struct world *w = xcalloc(1, sizeof(*w));
	config_defaults(&w->cfg);
	w->e = sample_event("hagro");
	w->naudience = 2;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	config_free(&w->cfg);
	outbox_rows_free(w->outbox, w->noutbox);
	free(w);
	return 0;
}

/* Plans at now; the new rows are kept as if inserted, and returned (the
 * world owns them) with their count in *n_r. */
static struct outbox_row *plan(struct world *w, int64_t now, size_t *n_r)
{
	struct planner_event pe = {.event = &w->e,
	                           .audience = people,
	                           .naudience = w->naudience,
	                           .outbox = w->outbox,
	                           .noutbox = w->noutbox};
	struct outbox_row *rows = NULL;
	size_t n = 0;
	char *err = NULL;
	if (planner_plan_event(&pe, &w->cfg, now, &rows, &n, &err) < 0)
		fail_msg("%s", err);
	w->outbox =
	    xrealloc(w->outbox, (w->noutbox + n + 1) * sizeof(*w->outbox));
	for (size_t i = 0; i < n; i++) {
		rows[i].id = (int64_t)(w->noutbox + 1);
		w->outbox[w->noutbox++] = rows[i];
	}
	free(rows);
	/* Planning again at the same moment adds nothing. */
	pe.outbox = w->outbox;
	pe.noutbox = w->noutbox;
	rows = NULL;
	size_t again = 0;
	assert_int_equal(
	    planner_plan_event(&pe, &w->cfg, now, &rows, &again, &err), 0);
	assert_int_equal(again, 0);
	*n_r = n;
	return n ? &w->outbox[w->noutbox - n] : NULL;
}

static void test_hagro_invites_at_once(void **state)
{
	struct world *w = *state;
	int64_t now = START - 20 * WEEK;
	size_t n;
	struct outbox_row *r = plan(w, now, &n);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(r[i].kind, OUTBOX_INVITE);
		assert_string_equal(r[i].email, people[i].email);
		assert_int_equal(r[i].person_id, people[i].id);
		assert_int_equal(r[i].event_id, 7);
		assert_string_equal(r[i].recurrence_id, "");
		assert_int_equal(r[i].seq, 0);
		assert_int_equal(r[i].due, now);
		assert_int_equal(r[i].expires, START + 90 * 60);
		assert_int_equal(r[i].status, OUTBOX_QUEUED);
		assert_true(strncmp(r[i].message_id, "<", 1) == 0);
		assert_non_null(strstr(r[i].message_id, "@example.nl>"));
	}
	assert_string_not_equal(r[0].message_id, r[1].message_id);
}

static void test_draft_sends_nothing(void **state)
{
	struct world *w = *state;
	w->e.draft = true;
	size_t n;
	plan(w, START - WEEK, &n);
	assert_int_equal(n, 0);
}

static void test_lead_time(void **state)
{
	struct world *w = *state;
	w->e.kind = "wijklunch"; /* invite_before 6w */
	size_t n;
	plan(w, START - 7 * WEEK, &n);
	assert_int_equal(n, 0);
	struct outbox_row *r = plan(w, START - 5 * WEEK, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].due, START - 6 * WEEK);
}

static void test_over_sends_nothing(void **state)
{
	struct world *w = *state;
	size_t n;
	plan(w, START + DAY, &n);
	assert_int_equal(n, 0);
}

static void test_update_after_change(void **state)
{
	struct world *w = *state;
	size_t n;
	plan(w, START - 10 * WEEK, &n);
	w->e.sequence = 1;
	struct outbox_row *r = plan(w, START - 9 * WEEK, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].kind, OUTBOX_UPDATE);
	assert_int_equal(r[0].seq, 1);
	assert_int_equal(r[0].due, START - 9 * WEEK);
	/* The same key never twice, and another change another update. */
	w->e.sequence = 2;
	r = plan(w, START - 8 * WEEK, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[1].seq, 2);
	assert_string_not_equal(r[1].message_id, w->outbox[3].message_id);
}

static void test_cancel_goes_to_the_invited(void **state)
{
	struct world *w = *state;
	w->naudience = 1; /* only Anna is invited */
	size_t n;
	plan(w, START - 10 * WEEK, &n);
	assert_int_equal(n, 1);
	w->naudience = 2;
	w->e.cancelled = true;
	w->e.sequence = 1;
	struct outbox_row *r = plan(w, START - 9 * WEEK, &n);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].kind, OUTBOX_CANCEL);
	assert_string_equal(r[0].email, "anna@linde.nl");
	assert_int_equal(r[0].seq, 1);
}

static void test_cancel_for_who_left(void **state)
{
	struct world *w = *state;
	size_t n;
	plan(w, START - 10 * WEEK, &n);
	w->naudience = 1; /* Bert left */
	struct outbox_row *r = plan(w, START - 9 * WEEK, &n);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].kind, OUTBOX_CANCEL);
	assert_string_equal(r[0].email, "bert@eik.nl");
	assert_int_equal(r[0].person_id, 2);
	/* A later change updates Anna only. */
	w->e.sequence = 1;
	r = plan(w, START - 8 * WEEK, &n);
	assert_int_equal(n, 1);
	assert_string_equal(r[0].email, "anna@linde.nl");
}

static void test_reminder_within_horizon(void **state)
{
	struct world *w = *state;
	size_t n;
	plan(w, START - 10 * WEEK, &n);
	/* The default reminder is 1d before: not yet 26 hours ahead of it. */
	plan(w, START - DAY - 26 * HOUR, &n);
	assert_int_equal(n, 0);
	struct outbox_row *r = plan(w, START - DAY - 20 * HOUR, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].kind, OUTBOX_REMINDER);
	assert_string_equal(r[0].recurrence_id, "2027-01-12 12:30");
	assert_int_equal(r[0].seq, 1440);
	assert_int_equal(r[0].due, START - DAY);
	assert_int_equal(r[0].expires, START);
	plan(w, START - HOUR, &n);
	assert_int_equal(n, 0);
}

static void test_no_reminder_due_before_invitation(void **state)
{
	struct world *w = *state;
	size_t n;
	struct outbox_row *r = plan(w, START - 10 * HOUR, &n);
	assert_int_equal(n, 2); /* invitations only */
	assert_int_equal(r[0].kind, OUTBOX_INVITE);
	assert_int_equal(r[1].kind, OUTBOX_INVITE);
}

static void test_series_reminders_nearest_offset(void **state)
{
	struct world *w = *state;
	char *err = NULL;
	config_free(&w->cfg);
	assert_int_equal(config_load_text("kinds = { hagro = { reminders = "
	                                  "[\"7d\", \"1d\"]; }; };",
	                                  "t.conf", &w->cfg, &err),
	                 0);
	w->e.rrule = "FREQ=WEEKLY;COUNT=10";
	size_t n;
	plan(w, START - 10 * WEEK, &n);
	/* 7d before the second occurrence and 1d before the first. */
	struct outbox_row *r = plan(w, START - 2 * HOUR, &n);
	assert_int_equal(n, 4);
	assert_string_equal(r[0].recurrence_id, "2027-01-12 12:30");
	assert_int_equal(r[0].seq, 1440);
	assert_string_equal(r[2].recurrence_id, "2027-01-19 12:30");
	assert_int_equal(r[2].seq, 7 * 1440);
	assert_int_equal(r[2].due, START);
	/* Only what is due within the horizon: the series has 10. */
	for (size_t i = 0; i < w->noutbox; i++)
		assert_true(w->outbox[i].due <= START - 2 * HOUR + DAY);
	assert_int_equal(w->outbox[0].expires, START + 9 * WEEK + 90 * 60);
}

/* Regression: rows of an earlier event in the same run hid the same
 * person's invitation to the next event. */
static void test_two_events_in_one_run(void **state)
{
	struct world *w = *state;
	struct event other = w->e;
	other.uid = "wk-test-2";
	struct planner_event a = {
	    .event = &w->e, .audience = people, .naudience = 2};
	struct planner_event b = {
	    .event = &other, .audience = people, .naudience = 2};
	struct outbox_row *rows = NULL;
	size_t n = 0;
	char *err = NULL;
	assert_int_equal(
	    planner_plan_event(&a, &w->cfg, START - WEEK, &rows, &n, &err), 0);
	assert_int_equal(
	    planner_plan_event(&b, &w->cfg, START - WEEK, &rows, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_string_equal(rows[3].event_uid, "wk-test-2");
	outbox_rows_free(rows, n);
}

/* ---- series with moved and cancelled occurrences ---- */

#define SECOND (START + WEEK) /* 2027-01-19 12:30, the 2nd occurrence */
/* It moved to Wednesday 2027-01-20 14:00: */
#define MOVED (SECOND + DAY + 90 * 60)

/* The series of ten with its second occurrence changed at seq. */
static void change_second(struct world *w, struct event_change *c,
                          bool cancelled, int seq)
{
	w->e.rrule = "FREQ=WEEKLY;COUNT=10";
	*c = (struct event_change){
	    .exc = {.recurrence_id = {2027, 1, 19, 12, 30, false},
	            .cancelled = cancelled},
	    .sequence = seq,
	};
	if (!cancelled)
		c->exc.start = (struct wtime){2027, 1, 20, 14, 0, false};
	w->e.changes = c;
	w->e.nchanges = 1;
}

static void test_moved_occurrence_request(void **state)
{
	struct world *w = *state;
	struct event_change c;
	size_t n;
	w->e.rrule = "FREQ=WEEKLY;COUNT=10";
	plan(w, START - 10 * WEEK, &n);
	assert_int_equal(n, 2);
	change_second(w, &c, false, 1);
	struct outbox_row *r = plan(w, START - 9 * WEEK, &n);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(r[i].kind, OUTBOX_UPDATE);
		assert_string_equal(r[i].recurrence_id, "2027-01-19 12:30");
		assert_string_equal(r[i].email, people[i].email);
		assert_int_equal(r[i].seq, 1);
		assert_int_equal(r[i].due, START - 9 * WEEK);
		assert_int_equal(r[i].expires, MOVED + 90 * 60);
	}
	/* No update of the whole series: its SEQUENCE is the same. Moved
	 * again: a new REQUEST for the occurrence. */
	c.sequence = 2;
	c.exc.start.hour = 16;
	r = plan(w, START - 8 * WEEK, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].kind, OUTBOX_UPDATE);
	assert_int_equal(r[0].seq, 2);
	assert_string_not_equal(r[0].message_id, w->outbox[2].message_id);
	/* Once it is over, nothing more about it. */
	c.sequence = 3;
	plan(w, MOVED + 7 * HOUR, &n);
	for (size_t i = w->noutbox - n; i < w->noutbox; i++)
		assert_int_not_equal(w->outbox[i].kind, OUTBOX_UPDATE);
}

static void test_cancelled_occurrence_cancel(void **state)
{
	struct world *w = *state;
	struct event_change c;
	size_t n;
	w->e.rrule = "FREQ=WEEKLY;COUNT=10";
	plan(w, START - 10 * WEEK, &n);
	change_second(w, &c, true, 1);
	struct outbox_row *r = plan(w, START - 9 * WEEK, &n);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(r[i].kind, OUTBOX_CANCEL);
		assert_string_equal(r[i].recurrence_id, "2027-01-19 12:30");
		assert_int_equal(r[i].seq, 1);
		assert_int_equal(r[i].expires, SECOND + 90 * 60);
	}
	/* The series goes on: a change to it still updates both. */
	w->e.sequence = 2;
	r = plan(w, START - 8 * WEEK, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].kind, OUTBOX_UPDATE);
	assert_string_equal(r[0].recurrence_id, "");
	assert_int_equal(r[0].seq, 2);
}

/* An invitation after the change carries it (the whole series as it
 * stands): no separate message about the occurrence, and its seq is the
 * series' highest. */
static void test_invitation_carries_changes(void **state)
{
	struct world *w = *state;
	struct event_change c;
	change_second(w, &c, false, 1);
	size_t n;
	struct outbox_row *r = plan(w, START - 10 * WEEK, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].kind, OUTBOX_INVITE);
	assert_int_equal(r[1].kind, OUTBOX_INVITE);
	assert_int_equal(r[0].seq, 1);
	assert_int_equal(planner_series_sequence(&w->e), 1);
	/* A later change to the series (SEQUENCE above every change's, as
	 * the CLI sets it) updates both. */
	w->e.sequence = planner_series_sequence(&w->e) + 1;
	r = plan(w, START - 9 * WEEK, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].kind, OUTBOX_UPDATE);
	assert_int_equal(r[0].seq, 2);
	/* A change below the series' SEQUENCE is sent at the series'. */
	assert_int_equal(planner_change_sequence(&w->e, &c), 2);
}

/* Bert leaves, comes back, leaves and comes back: each time a CANCEL and
 * then an invitation again, at the same SEQUENCE. */
static void test_rejoin_is_invited_again(void **state)
{
	struct world *w = *state;
	size_t n;
	plan(w, START - 10 * WEEK, &n);
	const char *first_id = w->outbox[1].message_id;
	for (int round = 1; round <= 2; round++) {
		w->naudience = 1;
		struct outbox_row *r = plan(w, START - 9 * WEEK + round, &n);
		assert_int_equal(n, 1);
		assert_int_equal(r[0].kind, OUTBOX_CANCEL);
		assert_string_equal(r[0].email, "bert@eik.nl");
		w->naudience = 2;
		r = plan(w, START - 8 * WEEK + round, &n);
		assert_int_equal(n, 1);
		assert_int_equal(r[0].kind, OUTBOX_INVITE);
		assert_string_equal(r[0].email, "bert@eik.nl");
		assert_int_equal(r[0].seq, 0);
		assert_int_equal(r[0].due, START - 8 * WEEK + round);
		assert_string_not_equal(r[0].message_id, first_id);
	}
	/* Both are in the audience and invited: a change updates both. */
	w->e.sequence = 1;
	plan(w, START - 7 * WEEK, &n);
	assert_int_equal(n, 2);
	/* Reminders go to Bert too, invited in his last round. */
	plan(w, START - DAY - 20 * HOUR, &n);
	assert_int_equal(n, 2);
}

/* What `event edit --no-notify` leaves: new text, the same SEQUENCE. */
static void test_same_sequence_mails_nobody(void **state)
{
	struct world *w = *state;
	size_t n;
	plan(w, START - 10 * WEEK, &n);
	w->e.title = "Hagro Noord (typo fixed)";
	w->e.location = "De Linde";
	plan(w, START - 9 * WEEK, &n);
	assert_int_equal(n, 0);
}

static void test_reminder_at_moved_time(void **state)
{
	struct world *w = *state;
	struct event_change c;
	size_t n;
	w->e.rrule = "FREQ=WEEKLY;COUNT=10";
	plan(w, START - 10 * WEEK, &n);
	/* Queued for the old time, 1d before. */
	struct outbox_row *r = plan(w, SECOND - DAY - 20 * HOUR, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].due, SECOND - DAY);
	int64_t old_id = r[0].id;
	change_second(w, &c, false, 1);
	struct planner_event pe = {.event = &w->e,
	                           .audience = people,
	                           .naudience = 2,
	                           .outbox = w->outbox,
	                           .noutbox = w->noutbox};
	int64_t *stale;
	size_t nstale;
	planner_stale(&pe, &w->cfg, &stale, &nstale);
	assert_int_equal(nstale, 2);
	assert_int_equal(stale[0], old_id);
	free(stale);
	for (size_t i = 0; i < w->noutbox; i++)
		if (w->outbox[i].kind == OUTBOX_REMINDER)
			w->outbox[i].status = OUTBOX_EXPIRED;
	/* The REQUEST for the occurrence, and a reminder at its new time. */
	r = plan(w, MOVED - DAY - 2 * HOUR, &n);
	assert_int_equal(n, 4);
	assert_int_equal(r[0].kind, OUTBOX_UPDATE);
	assert_int_equal(r[2].kind, OUTBOX_REMINDER);
	assert_string_equal(r[2].recurrence_id, "2027-01-19 12:30");
	assert_int_equal(r[2].due, MOVED - DAY);
	assert_int_equal(r[2].expires, MOVED);
	/* Those are current: nothing stale. */
	pe.outbox = w->outbox;
	pe.noutbox = w->noutbox;
	planner_stale(&pe, &w->cfg, &stale, &nstale);
	assert_int_equal(nstale, 0);
	free(stale);
	/* An edit of the series after the reminder went: updates, and no
	 * second reminder of the moved occurrence. */
	for (size_t i = 0; i < w->noutbox; i++)
		w->outbox[i].status = OUTBOX_SENT;
	w->e.sequence = planner_series_sequence(&w->e) + 1;
	r = plan(w, MOVED - DAY + HOUR, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].kind, OUTBOX_UPDATE);
	assert_int_equal(r[1].kind, OUTBOX_UPDATE);
}

static void test_no_reminder_for_cancelled_occurrence(void **state)
{
	struct world *w = *state;
	struct event_change c;
	size_t n;
	w->e.rrule = "FREQ=WEEKLY;COUNT=10";
	plan(w, START - 10 * WEEK, &n);
	plan(w, SECOND - DAY - 20 * HOUR, &n);
	assert_int_equal(n, 2); /* reminders for the old time */
	change_second(w, &c, true, 1);
	struct planner_event pe = {.event = &w->e,
	                           .audience = people,
	                           .naudience = 2,
	                           .outbox = w->outbox,
	                           .noutbox = w->noutbox};
	int64_t *stale;
	size_t nstale;
	planner_stale(&pe, &w->cfg, &stale, &nstale);
	assert_int_equal(nstale, 2);
	free(stale);
	struct outbox_row *r = plan(w, SECOND - DAY - 19 * HOUR, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].kind, OUTBOX_CANCEL);
	assert_int_equal(r[1].kind, OUTBOX_CANCEL);
	/* The third occurrence gets its reminder, the second none. */
	r = plan(w, SECOND + WEEK - DAY - 20 * HOUR, &n);
	assert_int_equal(n, 2);
	assert_string_equal(r[0].recurrence_id, "2027-01-26 12:30");
}

/* ---- planner_run and the outbox in a real database ---- */

#define OK(call) assert_int_equal((call), 0)

static struct store *fresh_store(char *path)
{
	strcpy(path, "/tmp/wijkcal-planner-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	struct store *st = NULL;
	OK(store_open(path, STORE_CREATE, &st, NULL));
	struct wijk w = {.slug = "noord", .name = "Noord"};
	struct practice pr = {
	    .slug = "linde", .name = "Linde", .wijk = "noord"};
	struct affiliation a = {.practice = "linde", .role = "huisarts"};
	struct person p = {
	    .email = "anna@linde.nl", .name = "Anna", .aff = &a, .naff = 1};
	OK(store_wijk_add(st, &w, NULL));
	OK(store_practice_add(st, &pr, NULL));
	OK(store_person_add(st, &p, NULL));
	char *aud = "wijk:noord";
	struct event e = sample_event("hagro");
	e.audience = &aud;
	e.naudience = 1;
	e.created = e.modified = START - 30 * WEEK;
	OK(store_event_insert(st, &e, NULL));
	return st;
}

static size_t claim(struct store *st, int64_t now, int64_t *id_r)
{
	struct outbox_row *rows;
	size_t n;
	OK(store_outbox_claim(st, now, 10, &rows, &n, NULL));
	if (n && id_r)
		*id_r = rows[0].id;
	outbox_rows_free(rows, n);
	return n;
}

static enum outbox_status status_of(struct store *st)
{
	struct outbox_row *rows;
	size_t n;
	OK(store_outbox_list(st, false, &rows, &n, NULL));
	assert_int_equal(n, 1);
	enum outbox_status s = rows[0].status;
	outbox_rows_free(rows, n);
	return s;
}

static void test_run_and_outbox(void **state)
{
	struct world *w = *state;
	char path[64];
	struct store *st = fresh_store(path);
	int64_t now = START - 20 * WEEK, id = 0;
	size_t added;
	OK(planner_run(st, &w->cfg, now, &added, NULL));
	assert_int_equal(added, 1);
	OK(planner_run(st, &w->cfg, now, &added, NULL));
	assert_int_equal(added, 0);
	/* Paused: nothing is claimed. */
	OK(store_mail_set_paused(st, true, NULL));
	assert_int_equal(claim(st, now, NULL), 0);
	OK(store_mail_set_paused(st, false, NULL));
	assert_int_equal(claim(st, now, &id), 1);
	assert_int_equal(status_of(st), OUTBOX_SENDING);
	assert_int_equal(claim(st, now, NULL), 0);
	/* A temporary failure waits for its next attempt. */
	OK(store_outbox_mark_retry(st, id, now + 60, "451 later", NULL));
	assert_int_equal(claim(st, now + 59, NULL), 0);
	assert_int_equal(claim(st, now + 60, NULL), 1);
	/* A crash leaves it sending: requeued at start. */
	OK(store_outbox_requeue(st, NULL));
	assert_int_equal(status_of(st), OUTBOX_QUEUED);
	assert_int_equal(claim(st, now, NULL), 0); /* still waits */
	assert_int_equal(claim(st, now + 60, NULL), 1);
	OK(store_outbox_mark_failed(st, id, false, "550 no such user", NULL));
	struct outbox_row *rows;
	size_t n;
	OK(store_outbox_list(st, true, &rows, &n, NULL));
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].last_error, "550 no such user");
	assert_int_equal(rows[0].attempts, 2);
	outbox_rows_free(rows, n);
	OK(store_outbox_retry(st, id, now, NULL));
	assert_int_equal(store_outbox_retry(st, id, now, NULL), WK_EINVAL);
	assert_int_equal(store_outbox_retry(st, 999, now, NULL), WK_ENOTFOUND);
	/* An invitation expires at the event's end. */
	assert_int_equal(claim(st, START + 2 * HOUR, NULL), 0);
	assert_int_equal(status_of(st), OUTBOX_EXPIRED);
	/* person forget takes the person's mail with them. */
	OK(store_person_forget(st, "anna@linde.nl", NULL));
	OK(store_outbox_list(st, false, &rows, &n, NULL));
	assert_int_equal(n, 0);
	free(rows);
	store_close(&st);
	unlink(path);
}

/* Sets the audience of the test event in the store. */
static void set_audience(struct store *st, char *expr)
{
	struct event e;
	OK(store_event_get(st, "wk-test-1", &e, NULL));
	free(e.audience[0]);
	e.audience[0] = xstrdup(expr);
	OK(store_begin(st, NULL));
	OK(store_event_update(st, &e, NULL));
	OK(store_commit(st, NULL));
	event_free(&e);
}

/* In a real database (its unique key): Anna leaves and comes back, and
 * is invited again at the same SEQUENCE. */
static void test_run_rejoin(void **state)
{
	struct world *w = *state;
	char path[64];
	struct store *st = fresh_store(path);
	int64_t now = START - 20 * WEEK;
	size_t added;
	for (int round = 0; round < 2; round++) {
		OK(planner_run(st, &w->cfg, now, &added, NULL));
		assert_int_equal(added, 1); /* the invitation */
		set_audience(st, "wijk:noord role:poh");
		OK(planner_run(st, &w->cfg, now, &added, NULL));
		assert_int_equal(added, 1); /* the CANCEL */
		OK(planner_run(st, &w->cfg, now, &added, NULL));
		assert_int_equal(added, 0);
		set_audience(st, "wijk:noord");
	}
	struct outbox_row *rows;
	size_t n;
	OK(store_outbox_list(st, false, &rows, &n, NULL));
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(rows[i].seq, 0);
	outbox_rows_free(rows, n);
	store_close(&st);
	unlink(path);
}

/* A schema 3 database with one invitation sent, made with SQLite
 * directly from the migrations of that time. */
static void make_schema_3(const char *path)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (int v = 0; v < 3; v++)
		assert_int_equal(
		    sqlite3_exec(db, schema_migrations[v], NULL, NULL, NULL),
		    SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(
	        db,
	        "PRAGMA user_version = 3;"
	        "INSERT INTO outbox (kind, event_uid, recurrence_id, "
	        "email, seq, event_id, person_id, message_id, due, "
	        "expires, status, attempts, next_attempt, created, "
	        "sent_at) VALUES ('invite', 'wk-test-1', '', "
	        "'anna@linde.nl', 0, 1, 1, '<0123abcd@example.nl>', 5, "
	        "0, 'sent', 1, 5, 5, 6)",
	        NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
}

/* Schema 3 -> 4: the rows stay; the same (kind, event, occurrence,
 * person, seq) may come again in another round (another Message-ID), the
 * same Message-ID hash under another domain may not. */
static void test_schema_3_upgrade(void **state)
{
	(void)state;
	char path[64];
	strcpy(path, "/tmp/wijkcal-schema3-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	make_schema_3(path);
	struct store *st = NULL;
	char *err = NULL;
	assert_int_equal(store_open(path, STORE_WRITE, &st, &err), WK_EIO);
	free(err);
	OK(store_open(path, STORE_CREATE, &st, NULL));
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	struct outbox_row *rows;
	size_t n, added;
	OK(store_outbox_list(st, false, &rows, &n, NULL));
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].message_id, "<0123abcd@example.nl>");
	assert_int_equal(rows[0].status, OUTBOX_SENT);
	struct outbox_row again = rows[0];
	again.message_id = "<4567cdef@example.nl>";
	OK(store_begin(st, NULL));
	OK(store_outbox_add(st, &again, 1, &added, NULL));
	assert_int_equal(added, 1);
	again.message_id = "<0123abcd@elders.example>";
	OK(store_outbox_add(st, &again, 1, &added, NULL));
	assert_int_equal(added, 0);
	OK(store_commit(st, NULL));
	outbox_rows_free(rows, n);
	store_close(&st);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_hagro_invites_at_once, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_draft_sends_nothing, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_lead_time, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_over_sends_nothing, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_update_after_change, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_cancel_goes_to_the_invited,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cancel_for_who_left, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_reminder_within_horizon, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_no_reminder_due_before_invitation, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_series_reminders_nearest_offset, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_two_events_in_one_run, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_moved_occurrence_request,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cancelled_occurrence_cancel,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_invitation_carries_changes,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rejoin_is_invited_again, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_same_sequence_mails_nobody,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reminder_at_moved_time, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_no_reminder_for_cancelled_occurrence, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_run_and_outbox, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_run_rejoin, setup, teardown),
	    cmocka_unit_test(test_schema_3_upgrade),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
