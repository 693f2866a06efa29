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

/* What one person has had for an event so far. */
struct sent {
	bool any;           /* any invite, update or cancel row */
	bool active;        /* the latest of those is an invite or update */
	int64_t seq;        /* highest SEQUENCE invited or updated at */
	int64_t invited_at; /* created of the first invitation */
};

static struct sent sent_to(const struct planner_event *pe, const char *email)
{
	struct sent s = {0};
	for (size_t i = 0; i < pe->noutbox; i++) {
		const struct outbox_row *r = &pe->outbox[i];
		if (r->kind == OUTBOX_REMINDER ||
		    strcasecmp(r->email, email) != 0 || r->recurrence_id[0])
			continue;
		if (!s.any && r->kind != OUTBOX_CANCEL)
			s.invited_at = r->created;
		s.any = true;
		s.active = r->kind != OUTBOX_CANCEL;
		if (r->kind != OUTBOX_CANCEL && r->seq > s.seq)
			s.seq = r->seq;
	}
	return s;
}

static bool in_audience(const struct planner_event *pe, const char *email)
{
	for (size_t i = 0; i < pe->naudience; i++)
		if (strcasecmp(pe->audience[i].email, email) == 0)
			return true;
	return false;
}

char *planner_message_id(const struct outbox_row *r, const char *from)
{
	char *key = xasprintf("%s\n%s\n%s\n%s\n%lld", outbox_kind_name(r->kind),
	                      r->event_uid, r->recurrence_id, r->email,
	                      (long long)r->seq);
	char hash[TOKEN_HASH_LEN + 1];
	token_hash(key, strlen(key), hash);
	free(key);
	const char *at = strrchr(from, '@');
	return xasprintf("<%.32s@%s>", hash, at ? at + 1 : "wijkcal.invalid");
}

/* The planning of one event: its inputs and the rows it adds. */
struct plan {
	const struct planner_event *pe;
	const struct config *cfg;
	int64_t now;
	int64_t expires; /* end of the last occurrence, 0 = open-ended */
	struct outbox_row *rows;
	size_t n;
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

static bool same_key(const struct outbox_row *r, const char *uid,
                     enum outbox_kind kind, const char *rid, const char *email,
                     int64_t seq)
{
	return r->kind == kind && r->seq == seq &&
	       strcmp(r->event_uid, uid) == 0 &&
	       strcmp(r->recurrence_id, rid) == 0 &&
	       strcasecmp(r->email, email) == 0;
}

/* True if the outbox, or this run, holds a row with the key. */
static bool exists(const struct plan *p, enum outbox_kind kind, const char *rid,
                   const char *email, int64_t seq)
{
	/* p->rows also holds the rows of events planned before this one. */
	const char *uid = p->pe->event->uid;
	for (size_t i = 0; i < p->pe->noutbox; i++)
		if (same_key(&p->pe->outbox[i], uid, kind, rid, email, seq))
			return true;
	for (size_t i = 0; i < p->n; i++)
		if (same_key(&p->rows[i], uid, kind, rid, email, seq))
			return true;
	return false;
}

/* Adds a row unless its key exists (the store's UNIQUE says the same). */
static void add(struct plan *p, enum outbox_kind kind, const char *rid,
                struct to to, int64_t seq, int64_t due, int64_t expires)
{
	if (exists(p, kind, rid, to.email, seq))
		return;
	const struct event *e = p->pe->event;
	p->rows = xrealloc(p->rows, (p->n + 1) * sizeof(*p->rows));
	struct outbox_row *r = &p->rows[p->n++];
	*r = (struct outbox_row){
	    .kind = kind,
	    .event_uid = xstrdup(e->uid),
	    .recurrence_id = xstrdup(rid),
	    .email = xstrdup(to.email),
	    .seq = seq,
	    .event_id = e->id,
	    .person_id = to.person_id,
	    .due = due,
	    .expires = expires,
	    .status = OUTBOX_QUEUED,
	    .next_attempt = due,
	    .created = p->now,
	};
	r->message_id = planner_message_id(r, p->cfg->smtp_from);
}

/* A CANCEL to everyone invited (all), or to those invited who are no
 * longer in the audience. */
static void plan_cancels(struct plan *p, bool all)
{
	const struct planner_event *pe = p->pe;
	for (size_t i = 0; i < pe->noutbox; i++) {
		const struct outbox_row *r = &pe->outbox[i];
		if (r->kind == OUTBOX_REMINDER || r->recurrence_id[0])
			continue;
		/* Once per address: its first row stands for it. */
		bool first = true;
		for (size_t j = 0; j < i && first; j++)
			first = strcasecmp(pe->outbox[j].email, r->email) != 0;
		if (!first || !sent_to(pe, r->email).active)
			continue;
		if (all || !in_audience(pe, r->email))
			add(p, OUTBOX_CANCEL, "",
			    (struct to){r->email, r->person_id},
			    pe->event->sequence, p->now, p->expires);
	}
}

/* Invitations that have come due, and updates after a change. */
static void plan_requests(struct plan *p, int64_t first_start)
{
	const struct planner_event *pe = p->pe;
	const struct event *e = pe->event;
	const struct kind_conf *kc = config_kind(p->cfg, e->kind);
	int64_t lead = kc ? kc->invite_before_min * 60 : 0;
	int64_t due = lead ? first_start - lead : 0;
	for (size_t i = 0; i < pe->naudience; i++) {
		const struct person *who = &pe->audience[i];
		struct sent s = sent_to(pe, who->email);
		if (!s.any && due <= p->now)
			add(p, OUTBOX_INVITE, "", to_person(who), e->sequence,
			    due > 0 ? due : p->now, p->expires);
		else if (s.active && e->sequence > s.seq)
			add(p, OUTBOX_UPDATE, "", to_person(who), e->sequence,
			    p->now, p->expires);
	}
}

/* When a person was invited: their first row, or one added this run. */
static bool invited_at(const struct plan *p, const char *email, int64_t *at_r)
{
	struct sent s = sent_to(p->pe, email);
	if (s.active) {
		*at_r = s.invited_at;
		return true;
	}
	for (size_t i = 0; i < p->n; i++)
		if (p->rows[i].kind == OUTBOX_INVITE &&
		    strcmp(p->rows[i].event_uid, p->pe->event->uid) == 0 &&
		    strcasecmp(p->rows[i].email, email) == 0) {
			*at_r = p->now;
			return true;
		}
	return false;
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
	for (size_t i = 0; i < p->pe->naudience; i++) {
		const struct person *who = &p->pe->audience[i];
		int64_t at;
		if (invited_at(p, who->email, &at) && due >= at)
			add(p, OUTBOX_REMINDER, rid, to_person(who),
			    offsets->min[k], due, o->start_utc);
	}
}

static int plan_reminders(struct plan *p, char **error_r)
{
	const struct event *e = p->pe->event;
	const struct kind_conf *kc = config_kind(p->cfg, e->kind);
	if (kc == NULL || kc->reminders.n == 0)
		return 0;
	struct recur_exception *exc = xcalloc(e->nchanges + 1, sizeof(*exc));
	for (size_t i = 0; i < e->nchanges; i++)
		exc[i] = e->changes[i].exc;
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
	                 .n = *n_r};
	int rc = 0;
	if (e->cancelled) {
		plan_cancels(&p, true);
	} else {
		plan_requests(&p, wtime_to_utc(&e->start, e->tzid));
		plan_cancels(&p, false);
		rc = plan_reminders(&p, error_r);
	}
	*rows_r = p.rows;
	*n_r = p.n;
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
