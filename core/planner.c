/*
 * planner: the rules of core/planner.h as a pure function of one event's
 * state, plus planner_run, which feeds it from the store.
 */
#include "core/planner.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/recur.h"
#include "core/token.h"
#include "core/util.h"

#define MAX_OCCURRENCES 64 /* reminders per event and run at most */

/* A row about the whole event: an invitation, update or cancellation. */
static bool whole_event(const struct outbox_row *r)
{
	return r->kind != OUTBOX_REMINDER && r->recurrence_id[0] == '\0';
}

/*
 * What one person has had for an event so far. A round runs from an
 * invitation to the CANCEL that ends it (the person left, or the event was
 * cancelled); a person who comes back starts the next round.
 */
struct sent {
	bool any;           /* any invite, update or cancel row */
	bool active;        /* the latest of those is an invite or update */
	int round;          /* whole-event CANCELs so far */
	int64_t seq;        /* highest seq invited or updated at, this round */
	int64_t invited_at; /* created of the invitation of this round */
	size_t since;       /* index of the first outbox row of this round */
};

static struct sent sent_to(const struct planner_event *pe, const char *email)
{
	struct sent s = {.seq = -1};
	for (size_t i = 0; i < pe->noutbox; i++) {
		const struct outbox_row *r = &pe->outbox[i];
		if (!whole_event(r) || strcasecmp(r->email, email) != 0)
			continue;
		s.any = true;
		if (r->kind == OUTBOX_CANCEL) {
			s.active = false;
			s.round++;
			s.seq = -1;
			s.since = i + 1;
			continue;
		}
		if (!s.active)
			s.invited_at = r->created;
		s.active = true;
		if (r->seq > s.seq)
			s.seq = r->seq;
	}
	return s;
}

/* The highest seq of this round's messages about one occurrence; -1 if
 * none. */
static int64_t occurrence_seq(const struct planner_event *pe,
                              const struct sent *s, const char *email,
                              const char *rid)
{
	int64_t seq = -1;
	for (size_t i = s->since; i < pe->noutbox; i++) {
		const struct outbox_row *r = &pe->outbox[i];
		if (r->kind != OUTBOX_REMINDER && r->seq > seq &&
		    strcmp(r->recurrence_id, rid) == 0 &&
		    strcasecmp(r->email, email) == 0)
			seq = r->seq;
	}
	return seq;
}

static bool in_audience(const struct planner_event *pe, const char *email)
{
	for (size_t i = 0; i < pe->naudience; i++)
		if (strcasecmp(pe->audience[i].email, email) == 0)
			return true;
	return false;
}

int planner_change_sequence(const struct event *e, const struct event_change *c)
{
	return c->sequence > e->sequence ? c->sequence : e->sequence;
}

int planner_series_sequence(const struct event *e)
{
	int seq = e->sequence;
	for (size_t i = 0; i < e->nchanges; i++)
		if (e->changes[i].sequence > seq)
			seq = e->changes[i].sequence;
	return seq;
}

/* The key text a Message-ID is the hash of. Round 0 adds nothing, so the
 * rows planned before rounds existed keep their ids. */
static char *key_text(const struct outbox_row *r, int64_t round)
{
	char *key = xasprintf("%s\n%s\n%s\n%s\n%lld", outbox_kind_name(r->kind),
	                      r->event_uid, r->recurrence_id, r->email,
	                      (long long)r->seq);
	if (round == 0)
		return key;
	char *more = xasprintf("%s\n%lld", key, (long long)round);
	free(key);
	return more;
}

static char *message_id(const struct outbox_row *r, int64_t round,
                        const char *from)
{
	char *key = key_text(r, round);
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(key, strlen(key), hash);
	free(key);
	const char *at = strrchr(from, '@');
	return xasprintf("<%.32s@%s>", hash, at ? at + 1 : "wijkcal.invalid");
}

char *planner_message_id(const struct outbox_row *r, const char *from)
{
	return message_id(r, 0, from);
}

/* The planning of one event: its inputs and the rows it adds. */
struct plan {
	const struct planner_event *pe;
	const struct config *cfg;
	int64_t now;
	int64_t expires; /* end of the last occurrence, 0 = open-ended */
	struct outbox_row *rows;
	size_t n;
	size_t first; /* rows[first..n) are this event's */
};

/* Who a row goes to. */
struct to {
	const char *email;
	int64_t person_id;
};

static struct to to_person(const struct person *who)
{
	return (struct to){who->email, who->id};
}

/* Two Message-IDs name the same key: the same hash, whatever the domain
 * (smtp.from may change between runs). */
static bool same_key(const char *a, const char *b)
{
	const char *at = strchr(a, '@');
	size_t n = at ? (size_t)(at - a) : strlen(a);
	return strncmp(a, b, n) == 0 && (b[n] == '@' || b[n] == '\0');
}

/* True if the outbox, or this run, holds a row with the key of id. */
static bool exists(const struct plan *p, const char *id)
{
	/* p->rows also holds the rows of events planned before this one;
	 * their keys name another event, so only this event's are looked
	 * at (else a first pass over the nation data set is quadratic). */
	for (size_t i = 0; i < p->pe->noutbox; i++)
		if (same_key(id, p->pe->outbox[i].message_id))
			return true;
	for (size_t i = p->first; i < p->n; i++)
		if (same_key(id, p->rows[i].message_id))
			return true;
	return false;
}

/* A row to add: its key and its timing. */
struct want {
	enum outbox_kind kind;
	const char *rid; /* "" for the whole event */
	struct to to;
	int64_t seq, round, due, expires;
};

/* Adds a row unless its key exists (the store's unique key says the
 * same). */
static void add(struct plan *p, const struct want *w)
{
	const struct event *e = p->pe->event;
	struct outbox_row r = {
	    .kind = w->kind,
	    .event_uid = xstrdup(e->uid),
	    .recurrence_id = xstrdup(w->rid),
	    .email = xstrdup(w->to.email),
	    .seq = w->seq,
	    .event_id = e->id,
	    .person_id = w->to.person_id,
	    .due = w->due,
	    .expires = w->expires,
	    .status = OUTBOX_QUEUED,
	    .next_attempt = w->due,
	    .created = p->now,
	};
	r.message_id = message_id(&r, w->round, p->cfg->smtp_from);
	if (exists(p, r.message_id)) {
		outbox_row_free(&r);
		return;
	}
	p->rows = xrealloc(p->rows, (p->n + 1) * sizeof(*p->rows));
	p->rows[p->n++] = r;
}

/* A CANCEL to everyone invited (all), or to those invited who are no
 * longer in the audience. */
static void plan_cancels(struct plan *p, bool all)
{
	const struct planner_event *pe = p->pe;
	for (size_t i = 0; i < pe->noutbox; i++) {
		const struct outbox_row *r = &pe->outbox[i];
		if (!whole_event(r))
			continue;
		/* Once per address: its first row stands for it. */
		bool first = true;
		for (size_t j = 0; j < i && first; j++)
			first = strcasecmp(pe->outbox[j].email, r->email) != 0;
		if (!first)
			continue;
		struct sent s = sent_to(pe, r->email);
		if (!s.active)
			continue;
		if (all || !in_audience(pe, r->email))
			add(p, &(struct want){OUTBOX_CANCEL,
			                      "",
			                      {r->email, r->person_id},
			                      pe->event->sequence,
			                      s.round,
			                      p->now,
			                      p->expires});
	}
}

/*
 * Invitations that have come due (also to a person who left and came
 * back: the next round), and updates after a change to the series. Both
 * carry the whole series as it stands, moved and cancelled occurrences
 * included, so their seq is the series' highest SEQUENCE: the rule for
 * occurrences below knows from it which changes a person has had.
 */
static void plan_requests(struct plan *p, int64_t first_start)
{
	const struct planner_event *pe = p->pe;
	const struct event *e = pe->event;
	const struct kind_conf *kc = config_kind(p->cfg, e->kind);
	int64_t lead = kc ? kc->invite_before_min * 60 : 0;
	int64_t due = lead ? first_start - lead : 0;
	int64_t seq = planner_series_sequence(e);
	for (size_t i = 0; i < pe->naudience; i++) {
		const struct person *who = &pe->audience[i];
		struct sent s = sent_to(pe, who->email);
		if (!s.active && due <= p->now)
			add(p, &(struct want){OUTBOX_INVITE, "", to_person(who),
			                      seq, s.round,
			                      due > 0 && !s.any ? due : p->now,
			                      p->expires});
		else if (s.active && e->sequence > s.seq)
			add(p,
			    &(struct want){OUTBOX_UPDATE, "", to_person(who),
			                   seq, s.round, p->now, p->expires});
	}
}

/* The end of an occurrence a change is about: the later of its original
 * and its moved end. */
static int64_t change_end(const struct event *e, const struct event_change *c)
{
	int64_t end =
	    wtime_to_utc(&c->exc.recurrence_id, e->tzid) + e->duration_min * 60;
	if (c->exc.cancelled)
		return end;
	int64_t minutes =
	    c->exc.duration_min > 0 ? c->exc.duration_min : e->duration_min;
	int64_t moved = wtime_to_utc(&c->exc.start, e->tzid) + minutes * 60;
	return moved > end ? moved : end;
}

/* True if this run gives the person the whole series (an invitation or
 * update), which carries every change. */
static bool whole_series_now(const struct plan *p, const char *email)
{
	for (size_t i = p->first; i < p->n; i++) {
		const struct outbox_row *r = &p->rows[i];
		if (whole_event(r) && r->kind != OUTBOX_CANCEL &&
		    strcasecmp(r->email, email) == 0)
			return true;
	}
	return false;
}

/*
 * A moved occurrence: a REQUEST (an update row) for its RECURRENCE-ID; a
 * cancelled one: a CANCEL for it, to one person of this round who has not
 * had the change yet: neither in a message about the whole series (seq at
 * least the change's) nor in one about the occurrence.
 */
static void plan_change(struct plan *p, const struct event_change *c,
                        const struct person *who, const struct sent *s)
{
	const struct event *e = p->pe->event;
	int64_t end = change_end(e, c);
	int64_t seq = planner_change_sequence(e, c);
	if (end <= p->now || s->seq >= seq)
		return; /* over, or told with the whole series */
	char rid[WTIME_STRLEN];
	wtime_format(&c->exc.recurrence_id, rid);
	if (occurrence_seq(p->pe, s, who->email, rid) >= seq)
		return;
	add(p, &(struct want){c->exc.cancelled ? OUTBOX_CANCEL : OUTBOX_UPDATE,
	                      rid, to_person(who), seq, s->round, p->now, end});
}

/* The changes, person by person (a person's rows are read once). */
static void plan_changes(struct plan *p)
{
	const struct planner_event *pe = p->pe;
	const struct event *e = pe->event;
	if (e->rrule == NULL || *e->rrule == '\0' || e->nchanges == 0)
		return;
	for (size_t i = 0; i < pe->naudience; i++) {
		const struct person *who = &pe->audience[i];
		struct sent s = sent_to(pe, who->email);
		if (!s.active || whole_series_now(p, who->email))
			continue;
		for (size_t j = 0; j < e->nchanges; j++)
			plan_change(p, &e->changes[j], who, &s);
	}
}

/* When a person was invited: this round's invitation, or one added this
 * run. */
static bool invited_at(const struct plan *p, const char *email, int64_t *at_r)
{
	struct sent s = sent_to(p->pe, email);
	if (s.active) {
		*at_r = s.invited_at;
		return true;
	}
	for (size_t i = p->first; i < p->n; i++)
		if (p->rows[i].kind == OUTBOX_INVITE &&
		    strcasecmp(p->rows[i].email, email) == 0) {
			*at_r = p->now;
			return true;
		}
	return false;
}

/* The change of an occurrence, or NULL. */
static const struct event_change *change_of(const struct event *e,
                                            const struct wtime *rid)
{
	for (size_t i = 0; i < e->nchanges; i++)
		if (wtime_cmp(&e->changes[i].exc.recurrence_id, rid) == 0)
			return &e->changes[i];
	return NULL;
}

/*
 * The round of a reminder's key: 0, or for a moved occurrence the
 * change's own SEQUENCE, so that moving it (again) gives a reminder at the
 * new time (the one planned for the old time is retired, planner_stale).
 * Not the SEQUENCE as sent, which an edit of the series raises: that
 * would remind again of an occurrence whose time stayed.
 */
static int64_t reminder_round(const struct event_change *c)
{
	return c ? c->sequence : 0;
}

/* The reminders of one occurrence: the nearest offset that is due. */
static void plan_occurrence(struct plan *p, const struct occurrence *o,
                            const struct duration_list *offsets)
{
	if (o->start_utc <= p->now)
		return;
	size_t k = offsets->n;
	/* Offsets run largest first: the last one due is the nearest. */
	for (size_t i = 0; i < offsets->n; i++)
		if (o->start_utc - offsets->min[i] * 60 <=
		    p->now + PLANNER_HORIZON)
			k = i;
	if (k == offsets->n)
		return;
	int64_t due = o->start_utc - offsets->min[k] * 60;
	char rid[WTIME_STRLEN];
	wtime_format(&o->recurrence_id, rid);
	int64_t round =
	    reminder_round(change_of(p->pe->event, &o->recurrence_id));
	for (size_t i = 0; i < p->pe->naudience; i++) {
		const struct person *who = &p->pe->audience[i];
		int64_t at;
		if (invited_at(p, who->email, &at) && due >= at)
			add(p, &(struct want){OUTBOX_REMINDER, rid,
			                      to_person(who), offsets->min[k],
			                      round, due, o->start_utc});
	}
}

/* The series' changes as the exceptions recur_expand takes; caller
 * frees. */
static struct recur_exception *exceptions(const struct event *e)
{
	struct recur_exception *exc = xcalloc(e->nchanges + 1, sizeof(*exc));
	for (size_t i = 0; i < e->nchanges; i++)
		exc[i] = e->changes[i].exc;
	return exc;
}

/* Reminders at the occurrences' times as they stand: moved ones at their
 * new start, none for a cancelled one (recur_expand applies the
 * changes). */
static int plan_reminders(struct plan *p, char **error_r)
{
	const struct event *e = p->pe->event;
	const struct kind_conf *kc = config_kind(p->cfg, e->kind);
	if (kc == NULL || kc->reminders.n == 0)
		return 0;
	struct recur_exception *exc = exceptions(e);
	int64_t ahead = kc->reminders.min[0] * 60 + PLANNER_HORIZON;
	struct occurrence *occ = NULL;
	int n = recur_expand(e->rrule, &e->start, e->duration_min, e->tzid, exc,
	                     e->nchanges, p->now, p->now + ahead + 1,
	                     MAX_OCCURRENCES, &occ, error_r);
	free(exc);
	for (int i = 0; i < n; i++)
		plan_occurrence(p, &occ[i], &kc->reminders);
	free(occ);
	return n < 0 ? -1 : 0;
}

int planner_plan_event(const struct planner_event *pe, const struct config *cfg,
                       int64_t now, struct outbox_row **rows_r, size_t *n_r,
                       char **error_r)
{
	const struct event *e = pe->event;
	if (e->draft)
		return 0;
	int64_t last =
	    recur_last_end_utc(e->rrule, &e->start, e->duration_min, e->tzid);
	if (last <= now)
		return 0; /* over: nothing more to say about it */
	struct plan p = {.pe = pe,
	                 .cfg = cfg,
	                 .now = now,
	                 .expires = last == INT64_MAX ? 0 : last,
	                 .rows = *rows_r,
	                 .n = *n_r,
	                 .first = *n_r};
	int rc = 0;
	if (e->cancelled) {
		plan_cancels(&p, true);
	} else {
		plan_requests(&p, wtime_to_utc(&e->start, e->tzid));
		plan_cancels(&p, false);
		plan_changes(&p);
		rc = plan_reminders(&p, error_r);
	}
	*rows_r = p.rows;
	*n_r = p.n;
	return rc;
}

/* The Message-ID a queued reminder of a changed occurrence has now. */
static char *current_reminder_id(const struct outbox_row *r,
                                 const struct event_change *c, const char *from)
{
	if (c->exc.cancelled)
		return NULL; /* none: the occurrence does not take place */
	return message_id(r, reminder_round(c), from);
}

void planner_stale(const struct planner_event *pe, const struct config *cfg,
                   int64_t **ids_r, size_t *n_r)
{
	const struct event *e = pe->event;
	*ids_r = NULL;
	*n_r = 0;
	for (size_t i = 0; i < pe->noutbox; i++) {
		const struct outbox_row *r = &pe->outbox[i];
		struct wtime rid;
		if (r->kind != OUTBOX_REMINDER || r->status != OUTBOX_QUEUED ||
		    wtime_parse(r->recurrence_id, true, "recurrence-id", &rid,
		                NULL) < 0)
			continue;
		const struct event_change *c = change_of(e, &rid);
		if (c == NULL)
			continue;
		char *now_id = current_reminder_id(r, c, cfg->smtp_from);
		bool stale = now_id == NULL || !same_key(now_id, r->message_id);
		free(now_id);
		if (!stale)
			continue;
		*ids_r = xrealloc(*ids_r, (*n_r + 1) * sizeof(**ids_r));
		(*ids_r)[(*n_r)++] = r->id;
	}
}

/* Retires the queued reminders planned for an occurrence's old time. */
static int retire_stale(struct store *st, const struct config *cfg,
                        const struct planner_event *pe, char **error_r)
{
	int64_t *ids;
	size_t n;
	planner_stale(pe, cfg, &ids, &n);
	int rc = WK_OK;
	for (size_t i = 0; rc == WK_OK && i < n; i++)
		rc = store_outbox_mark_failed(
		    st, ids[i], true,
		    "the occurrence was moved or cancelled since", error_r);
	free(ids);
	return rc;
}

/* Plans one event from the store: its audience and outbox rows. */
static int run_event(struct store *st, const struct config *cfg,
                     const struct event *e, int64_t now,
                     struct outbox_row **rows_r, size_t *n_r, char **error_r)
{
	struct planner_event pe = {.event = e};
	struct person *aud = NULL;
	struct outbox_row *have = NULL;
	size_t naud = 0, nhave = 0;
	int rc = store_audience_resolve(st, e->audience, e->naudience, &aud,
	                                &naud, error_r);
	if (rc == WK_OK)
		rc = store_outbox_of_event(st, e->uid, &have, &nhave, error_r);
	if (rc == WK_OK) {
		pe.audience = aud;
		pe.naudience = naud;
		pe.outbox = have;
		pe.noutbox = nhave;
		if (planner_plan_event(&pe, cfg, now, rows_r, n_r, error_r) < 0)
			rc = WK_EINVAL;
	}
	if (rc == WK_OK)
		rc = retire_stale(st, cfg, &pe, error_r);
	for (size_t i = 0; i < naud; i++)
		person_free(&aud[i]);
	free(aud);
	outbox_rows_free(have, nhave);
	return rc;
}

static int run_all(struct store *st, const struct config *cfg, int64_t now,
                   size_t *added_r, char **error_r)
{
	struct event_filter f = {.from_utc = now};
	struct event *events = NULL;
	size_t nevents = 0;
	int rc = store_event_list(st, &f, &events, &nevents, error_r);
	struct outbox_row *rows = NULL;
	size_t n = 0;
	for (size_t i = 0; rc == WK_OK && i < nevents; i++)
		rc = run_event(st, cfg, &events[i], now, &rows, &n, error_r);
	event_array_free(events, nevents);
	if (rc == WK_OK)
		rc = store_outbox_add(st, rows, n, added_r, error_r);
	outbox_rows_free(rows, n);
	return rc;
}

int planner_run(struct store *st, const struct config *cfg, int64_t now,
                size_t *added_r, char **error_r)
{
	int rc = store_begin(st, error_r);
	if (rc < 0)
		return rc;
	rc = run_all(st, cfg, now, added_r, error_r);
	if (rc == WK_OK)
		rc = store_commit(st, error_r);
	if (rc < 0)
		store_rollback(st);
	return rc;
}
