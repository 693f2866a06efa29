/* pagedata: the database and configuration behind the agenda pages. */
#include "daemon/pagedata.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/audience.h"
#include "core/log.h"
#include "core/recur.h"
#include "core/util.h"
#include "daemon/page.h"
#include "feeds/feedset.h"

/* One request for a page, carried through feedsource_with. */
struct job {
	enum route_kind kind;
	const char *key;
	int64_t now;
	char **html_r;
	size_t *len_r;
	char **error_r;
};

/* What a feed's page shows. Owns its strings. */
struct view {
	char *name;   /* the calendar's name, also the heading */
	char *path;   /* the URL path of the feed */
	char *wijk;   /* the filter's wijk, or NULL */
	char *person; /* FEED_PERSON: whose events, or NULL */
	bool public_only, is_private;
};

/* An occurrence on the page, for sorting. */
struct row {
	struct page_item item;
	int64_t start_utc;
	int64_t event_id;
};

struct rows {
	struct row *v;
	size_t n, cap;
};

/* ---- the index ---- */

static int render_index(struct store *st, const struct job *j)
{
	struct wijk *list = NULL;
	size_t n = 0;
	int rc = store_wijk_list(st, &list, &n, j->error_r);
	if (rc < 0)
		return rc;
	struct page_wijk *links = xcalloc(n ? n : 1, sizeof(*links));
	for (size_t i = 0; i < n; i++)
		links[i] = (struct page_wijk){list[i].slug, list[i].name};
	*j->html_r = page_index(links, n, j->len_r);
	free(links);
	for (size_t i = 0; i < n; i++)
		wijk_free(&list[i]);
	free(list);
	return WK_OK;
}

/* ---- which feed ---- */

static void view_free(struct view *v)
{
	free(v->name);
	free(v->path);
	free(v->wijk);
	free(v->person);
	memset(v, 0, sizeof(*v));
}

/* A wijk's feed: public (FEED_WIJK) or internal (FEED_WIJK_INTERNAL). */
static int view_wijk(struct store *st, const char *slug, bool internal,
                     struct view *v, char **error_r)
{
	struct wijk w = {0};
	int rc = store_wijk_get(st, slug, &w, error_r);
	if (rc < 0)
		return rc;
	/* The same names as the feeds' X-WR-CALNAME (feedset.c). */
	v->name =
	    xasprintf("Wijkagenda %s%s", w.name, internal ? " (intern)" : "");
	v->wijk = xstrdup(w.slug);
	v->public_only = !internal;
	wijk_free(&w);
	return WK_OK;
}

static int view_person(struct store *st, const char *email, struct view *v,
                       char **error_r)
{
	struct person p = {0};
	int rc = store_person_get(st, email, &p, error_r);
	if (rc < 0)
		return rc;
	v->name = xasprintf("Wijkagenda van %s", p.name);
	v->person = xstrdup(p.email);
	person_free(&p);
	return WK_OK;
}

/* The private feed a token opens. Messages never hold the token. */
static int view_private(struct store *st, const char *token, struct view *v,
                        char **error_r)
{
	struct feed_spec spec;
	char *id = NULL;
	int rc = feedset_token_spec(st, token, &spec, &id, error_r);
	if (rc == WK_OK && spec.type == FEED_PERSON)
		rc = view_person(st, id, v, error_r);
	else if (rc == WK_OK)
		rc = view_wijk(st, id, true, v, error_r);
	free(id);
	if (rc == WK_OK) {
		struct feed_spec by_token = {FEED_TOKEN, token};
		v->path = feedset_path(&by_token);
		v->is_private = true;
	}
	return rc;
}

static int view_of(struct store *st, const struct job *j, struct view *v)
{
	if (j->kind == ROUTE_PRIVATE_PAGE)
		return view_private(st, j->key, v, j->error_r);
	int rc = view_wijk(st, j->key, false, v, j->error_r);
	if (rc == WK_OK) {
		struct feed_spec spec = {FEED_WIJK, j->key};
		v->path = feedset_path(&spec);
	}
	return rc;
}

/* ---- occurrences ---- */

static void rows_add(struct rows *r, const struct row *row)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	r->v[r->n++] = *row;
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->start_utc != y->start_utc)
		return x->start_utc < y->start_utc ? -1 : 1;
	return (x->event_id > y->event_id) - (x->event_id < y->event_id);
}

/* An item of e starting at `start` (wall time) and ending at `end`. */
static struct row make_row(const struct config *cfg, const struct event *e,
                           struct wtime start, struct wtime end,
                           int64_t start_utc)
{
	const struct kind_conf *kc = config_kind(cfg, e->kind);
	struct row row = {.start_utc = start_utc, .event_id = e->id};
	row.item = (struct page_item){
	    .title = e->title,
	    .location = e->location,
	    .online_url = e->online_url,
	    .url = e->url,
	    .kind_label = kc ? kc->label : NULL,
	    .start = start,
	    .end = end,
	    .cancelled = e->cancelled,
	};
	return row;
}

/* The wall time an occurrence ends; for an all-day one, its last day. */
static struct wtime end_wall(const struct event *e, const struct wtime *start,
                             int64_t end_utc)
{
	struct wtime t = wtime_from_utc(end_utc, e->tzid);
	if (!start->date_only)
		return t;
	t.hour = t.minute = 0;
	t = wtime_add_minutes(t, -1440);
	t.date_only = true;
	return t;
}

/* The occurrences of e in [from, to). */
static int add_occurrences(const struct config *cfg, const struct event *e,
                           int64_t from, int64_t to, struct rows *r,
                           char **error_r)
{
	struct recur_exception *exc =
	    xcalloc(e->nchanges ? e->nchanges : 1, sizeof(*exc));
	for (size_t k = 0; k < e->nchanges; k++)
		exc[k] = e->changes[k].exc;
	struct occurrence *occ = NULL;
	int got =
	    recur_expand(e->rrule, &e->start, e->duration_min, e->tzid, exc,
	                 e->nchanges, from, to, RECUR_MAX_STEPS, &occ, error_r);
	free(exc);
	for (int k = 0; k < got; k++) {
		struct row row =
		    make_row(cfg, e, occ[k].start,
		             end_wall(e, &occ[k].start, occ[k].end_utc),
		             occ[k].start_utc);
		row.item.moved = occ[k].moved;
		rows_add(r, &row);
	}
	free(occ);
	return got < 0 ? -1 : 0;
}

/* The cancelled occurrences of a series in [from, to), marked. */
static void add_cancellations(const struct config *cfg, const struct event *e,
                              int64_t from, int64_t to, struct rows *r)
{
	for (size_t k = 0; e->rrule && k < e->nchanges; k++) {
		const struct recur_exception *x = &e->changes[k].exc;
		struct wtime found;
		int64_t at = wtime_to_utc(&x->recurrence_id, e->tzid);
		if (!x->cancelled || at < from || at >= to ||
		    recur_find_occurrence_tz(e->rrule, &e->start, e->tzid,
		                             &x->recurrence_id, &found,
		                             NULL) < 0)
			continue;
		struct wtime end = wtime_add_minutes(found, e->duration_min);
		if (found.date_only) {
			end = wtime_add_minutes(end, -1440);
			end.date_only = true;
		}
		struct row row = make_row(cfg, e, found, end, at);
		row.item.cancelled = true;
		rows_add(r, &row);
	}
}

/* Every occurrence in the period of the view's events, sorted. */
static int collect(struct store *st, const struct config *cfg,
                   const struct view *v, int64_t from, int64_t to,
                   struct event **list_r, size_t *n_r, struct rows *r,
                   char **error_r)
{
	struct event_filter f = {.wijk = v->wijk,
	                         .public_only = v->public_only,
	                         .from_utc = from,
	                         .to_utc = to};
	struct aud_reach who = {0};
	int rc = store_event_list(st, &f, list_r, n_r, error_r);
	if (rc == WK_OK && v->person)
		rc = store_person_reach(st, v->person, &who, error_r);
	for (size_t i = 0; rc == WK_OK && i < *n_r; i++) {
		const struct event *e = &(*list_r)[i];
		/* The events of a person's feed (feedset's select_person). */
		if (v->person &&
		    !audience_exprs_reach(e->audience, e->naudience, &who))
			continue;
		char *err = NULL;
		if (add_occurrences(cfg, e, from, to, r, &err) < 0)
			log_warnx("page: event %s left out: %s", e->uid, err);
		free(err);
		add_cancellations(cfg, e, from, to, r);
	}
	qsort(r->v, r->n, sizeof(*r->v), cmp_row);
	audience_reach_free(&who);
	return rc;
}

/* ---- a feed's page ---- */

/* Today in the configured zone, and PAGEDATA_DAYS days on. */
static void period(const char *tz, int64_t now, struct wtime *from_r,
                   struct wtime *to_r)
{
	*from_r = wtime_from_utc(now, tz);
	from_r->hour = from_r->minute = 0;
	from_r->date_only = true;
	*to_r = wtime_add_minutes(*from_r, (int64_t)PAGEDATA_DAYS * 1440);
	to_r->date_only = true;
}

static void render_view(const struct config *cfg, const struct view *v,
                        const struct wtime *from, const struct wtime *to,
                        const struct rows *r, const struct job *j)
{
	size_t shown = r->n < PAGEDATA_MAX_ITEMS ? r->n : PAGEDATA_MAX_ITEMS;
	struct page_item *items = xcalloc(shown ? shown : 1, sizeof(*items));
	for (size_t i = 0; i < shown; i++)
		items[i] = r->v[i].item;
	char *url = page_feed_url(cfg->http_base_url, v->path);
	struct page_agenda a = {
	    .heading = v->name,
	    .feed_name = v->name,
	    .feed_url = url,
	    .is_private = v->is_private,
	    .from = *from,
	    .to = *to,
	    .items = items,
	    .nitems = shown,
	    .nmore = r->n - shown,
	};
	*j->html_r = page_agenda(&a, j->len_r);
	free(url);
	free(items);
}

static int render_feed_page(struct store *st, const struct config *cfg,
                            const struct job *j)
{
	struct view v = {0};
	int rc = view_of(st, j, &v);
	if (rc < 0)
		return rc;
	struct wtime from, to;
	period(cfg->timezone, j->now, &from, &to);
	struct event *list = NULL;
	size_t n = 0;
	struct rows r = {0};
	rc = collect(st, cfg, &v, wtime_to_utc(&from, cfg->timezone),
	             wtime_to_utc(&to, cfg->timezone), &list, &n, &r,
	             j->error_r);
	if (rc == WK_OK)
		render_view(cfg, &v, &from, &to, &r, j);
	free(r.v);
	event_array_free(list, n);
	view_free(&v);
	return rc;
}

static int render_locked(struct store *st, const struct config *cfg, void *arg)
{
	const struct job *j = arg;
	if (j->kind == ROUTE_INDEX)
		return render_index(st, j);
	return render_feed_page(st, cfg, j);
}

int pagedata_render(struct feedsource *fs, enum route_kind kind,
                    const char *key, int64_t now, char **html_r, size_t *len_r,
                    char **error_r)
{
	struct job j = {kind, key, now, html_r, len_r, error_r};
	return feedsource_with(fs, render_locked, &j);
}
