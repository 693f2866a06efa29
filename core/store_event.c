/* store_event: events, their audience groups and their changed
 * occurrences. */
#include <stdlib.h>
#include <string.h>

#include "core/recur.h"
#include "core/store_impl.h"
#include "core/util.h"

#define EVENT_COLUMNS                                                          \
	"e.id, e.uid, e.kind, w.slug, e.title, e.description, e.location, "    \
	"e.online_url, e.url, e.organizer, e.start, e.duration_min, e.tzid, "  \
	"e.rrule, e.points, e.capacity, e.public, e.draft, e.cancelled, "      \
	"e.sequence, e.created, e.modified"

static void bind_int_or_null(sqlite3_stmt *stmt, int i, int v)
{
	if (v >= 0)
		sqlite3_bind_int(stmt, i, v);
	else
		sqlite3_bind_null(stmt, i);
}

/* Binds the columns shared by INSERT and UPDATE, as ?1..?24. */
static void bind_event(sqlite3_stmt *stmt, const struct event *e,
                       int64_t wijk_id)
{
	char start[WTIME_STRLEN];
	wtime_format(&e->start, start);
	int64_t last =
	    recur_last_end_utc(e->rrule, &e->start, e->duration_min, e->tzid);
	store_bind_text(stmt, 1, e->uid);
	store_bind_text(stmt, 2, e->kind);
	sqlite3_bind_int64(stmt, 3, wijk_id);
	store_bind_text(stmt, 4, e->title);
	store_bind_text(stmt, 5, e->description);
	store_bind_text(stmt, 6, e->location);
	store_bind_text(stmt, 7, e->online_url);
	store_bind_text(stmt, 8, e->url);
	store_bind_text(stmt, 9, e->organizer);
	store_bind_text(stmt, 10, start);
	sqlite3_bind_int64(stmt, 11, e->duration_min);
	store_bind_text(stmt, 12, e->tzid);
	store_bind_text(stmt, 13, e->rrule);
	bind_int_or_null(stmt, 14, e->points);
	bind_int_or_null(stmt, 15, e->capacity);
	sqlite3_bind_int(stmt, 16, e->is_public);
	sqlite3_bind_int(stmt, 17, e->draft);
	sqlite3_bind_int(stmt, 18, e->cancelled);
	sqlite3_bind_int(stmt, 19, e->sequence);
	sqlite3_bind_int64(stmt, 20, e->created);
	sqlite3_bind_int64(stmt, 21, e->modified);
	sqlite3_bind_int64(stmt, 22, wtime_to_utc(&e->start, e->tzid));
	if (last == INT64_MAX)
		sqlite3_bind_null(stmt, 23);
	else
		sqlite3_bind_int64(stmt, 23, last);
	sqlite3_bind_int64(stmt, 24, e->id);
}

/* Replaces the audience rows and change rows of an event. */
static int write_children(struct store *st, const struct event *e,
                          char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, "DELETE FROM event_audience WHERE event_id = ?", error_r);
	if (stmt == NULL)
		return WK_EIO;
	sqlite3_bind_int64(stmt, 1, e->id);
	int rc = store_run(st, stmt, "audience", error_r);
	for (size_t i = 0; rc == WK_OK && i < e->naudience; i++) {
		stmt = store_prepare(st,
		                     "INSERT INTO event_audience (event_id, "
		                     "pos, expr) VALUES (?, ?, ?)",
		                     error_r);
		if (stmt == NULL)
			return WK_EIO;
		sqlite3_bind_int64(stmt, 1, e->id);
		sqlite3_bind_int(stmt, 2, (int)i);
		store_bind_text(stmt, 3, e->audience[i]);
		rc = store_run(st, stmt, "audience", error_r);
	}
	if (rc < 0)
		return rc;
	stmt = store_prepare(st, "DELETE FROM event_change WHERE event_id = ?",
	                     error_r);
	if (stmt == NULL)
		return WK_EIO;
	sqlite3_bind_int64(stmt, 1, e->id);
	rc = store_run(st, stmt, "change", error_r);
	for (size_t i = 0; rc == WK_OK && i < e->nchanges; i++) {
		const struct event_change *c = &e->changes[i];
		char rid[WTIME_STRLEN], start[WTIME_STRLEN];
		wtime_format(&c->exc.recurrence_id, rid);
		wtime_format(&c->exc.start, start);
		stmt = store_prepare(
		    st,
		    "INSERT INTO event_change (event_id, recurrence_id, "
		    "cancelled, start, duration_min, sequence, modified) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?)",
		    error_r);
		if (stmt == NULL)
			return WK_EIO;
		sqlite3_bind_int64(stmt, 1, e->id);
		store_bind_text(stmt, 2, rid);
		sqlite3_bind_int(stmt, 3, c->exc.cancelled);
		store_bind_text(stmt, 4, c->exc.cancelled ? NULL : start);
		sqlite3_bind_int64(stmt, 5, c->exc.duration_min);
		sqlite3_bind_int(stmt, 6, c->sequence);
		sqlite3_bind_int64(stmt, 7, c->modified);
		rc = store_run(st, stmt, "change", error_r);
	}
	return rc;
}

int store_event_insert(struct store *st, struct event *e, char **error_r)
{
	int64_t wijk_id = 0;
	int rc =
	    store_slug_id(st, "wijk", e->wijk, "--wijk", &wijk_id, error_r);
	if (rc < 0)
		return rc;
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    "INSERT INTO event (uid, kind, wijk_id, title, description, "
	    "location, online_url, url, organizer, start, duration_min, "
	    "tzid, rrule, points, capacity, public, draft, cancelled, "
	    "sequence, created, modified, first_utc, last_utc) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	bind_event(stmt, e, wijk_id);
	rc = store_run(st, stmt, "event", error_r);
	if (rc == WK_EEXIST)
		set_error(error_r, "an event with UID %s already exists",
		          e->uid);
	if (rc < 0)
		return rc;
	e->id = sqlite3_last_insert_rowid(st->db);
	return write_children(st, e, error_r);
}

int store_event_update(struct store *st, const struct event *e, char **error_r)
{
	int64_t wijk_id = 0;
	int rc =
	    store_slug_id(st, "wijk", e->wijk, "--wijk", &wijk_id, error_r);
	if (rc < 0)
		return rc;
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    "UPDATE event SET uid = ?1, kind = ?2, wijk_id = ?3, title = ?4, "
	    "description = ?5, location = ?6, online_url = ?7, url = ?8, "
	    "organizer = ?9, start = ?10, duration_min = ?11, tzid = ?12, "
	    "rrule = ?13, points = ?14, capacity = ?15, public = ?16, "
	    "draft = ?17, cancelled = ?18, sequence = ?19, created = ?20, "
	    "modified = ?21, first_utc = ?22, last_utc = ?23 WHERE id = ?24",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	bind_event(stmt, e, wijk_id);
	rc = store_run(st, stmt, "event", error_r);
	return rc < 0 ? rc : write_children(st, e, error_r);
}

static int column_int_or(sqlite3_stmt *stmt, int i, int none)
{
	return sqlite3_column_type(stmt, i) == SQLITE_NULL
	           ? none
	           : sqlite3_column_int(stmt, i);
}

static void read_event(sqlite3_stmt *stmt, struct event *e)
{
	memset(e, 0, sizeof(*e));
	e->id = sqlite3_column_int64(stmt, 0);
	e->uid = store_column_text(stmt, 1);
	e->kind = store_column_text(stmt, 2);
	e->wijk = store_column_text(stmt, 3);
	e->title = store_column_text(stmt, 4);
	e->description = store_column_text(stmt, 5);
	e->location = store_column_text(stmt, 6);
	e->online_url = store_column_text(stmt, 7);
	e->url = store_column_text(stmt, 8);
	e->organizer = store_column_text(stmt, 9);
	const char *start = (const char *)sqlite3_column_text(stmt, 10);
	wtime_parse(start ? start : "", true, "start", &e->start, NULL);
	e->duration_min = sqlite3_column_int64(stmt, 11);
	e->tzid = store_column_text(stmt, 12);
	e->rrule = store_column_text(stmt, 13);
	e->points = column_int_or(stmt, 14, -1);
	e->capacity = column_int_or(stmt, 15, -1);
	e->is_public = sqlite3_column_int(stmt, 16);
	e->draft = sqlite3_column_int(stmt, 17);
	e->cancelled = sqlite3_column_int(stmt, 18);
	e->sequence = sqlite3_column_int(stmt, 19);
	e->created = sqlite3_column_int64(stmt, 20);
	e->modified = sqlite3_column_int64(stmt, 21);
}

static void add_audience(struct event *e, sqlite3_stmt *stmt)
{
	e->audience =
	    xrealloc(e->audience, (e->naudience + 1) * sizeof(char *));
	e->audience[e->naudience++] = store_column_text(stmt, 1);
}

static void add_change(struct event *e, sqlite3_stmt *stmt)
{
	e->changes =
	    xrealloc(e->changes, (e->nchanges + 1) * sizeof(*e->changes));
	struct event_change *c = &e->changes[e->nchanges++];
	memset(c, 0, sizeof(*c));
	const char *rid = (const char *)sqlite3_column_text(stmt, 1);
	const char *start = (const char *)sqlite3_column_text(stmt, 3);
	wtime_parse(rid ? rid : "", true, "recurrence_id",
	            &c->exc.recurrence_id, NULL);
	c->exc.cancelled = sqlite3_column_int(stmt, 2);
	if (start)
		wtime_parse(start, true, "start", &c->exc.start, NULL);
	c->exc.duration_min = sqlite3_column_int64(stmt, 4);
	c->sequence = sqlite3_column_int(stmt, 5);
	c->modified = sqlite3_column_int64(stmt, 6);
}

/* The WHERE clause of a filter over event e JOIN wijk w, with ?1..?4. */
#define FILTER_WHERE                                                           \
	"(?1 IS NULL OR w.slug = ?1) AND (?2 IS NULL OR e.kind = ?2) "         \
	"AND (?3 = 0 OR (e.public = 1 AND e.draft = 0)) "                      \
	"AND (?4 = 1 OR e.draft = 0) "                                         \
	"AND (?5 IS NULL OR e.last_utc IS NULL OR e.last_utc > ?5) "           \
	"AND (?6 IS NULL OR e.first_utc < ?6) "                                \
	"AND (?7 IS NULL OR e.id = ?7)"

struct list_query {
	const struct event_filter *f;
	int64_t id; /* 0: any */
};

static void bind_filter(sqlite3_stmt *stmt, const struct list_query *q)
{
	const struct event_filter *f = q->f;
	store_bind_text(stmt, 1, f->wijk);
	store_bind_text(stmt, 2, f->kind);
	sqlite3_bind_int(stmt, 3, f->public_only);
	sqlite3_bind_int(stmt, 4, f->include_drafts || q->id);
	if (f->from_utc)
		sqlite3_bind_int64(stmt, 5, f->from_utc);
	if (f->to_utc)
		sqlite3_bind_int64(stmt, 6, f->to_utc);
	if (q->id)
		sqlite3_bind_int64(stmt, 7, q->id);
}

struct id_index {
	int64_t id;
	struct event *e;
};

static int cmp_index(const void *a, const void *b)
{
	int64_t x = ((const struct id_index *)a)->id;
	int64_t y = ((const struct id_index *)b)->id;
	return (x > y) - (x < y);
}

/* Loads one child table (audience or changes) of the listed events in one
 * query, and attaches each row to its event. */
static int load_children(struct store *st, const struct list_query *q,
                         struct id_index *index, size_t n, const char *sql,
                         void (*add)(struct event *, sqlite3_stmt *),
                         char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(st, sql, error_r);
	if (stmt == NULL)
		return WK_EIO;
	bind_filter(stmt, q);
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct id_index key = {.id = sqlite3_column_int64(stmt, 0)};
		struct id_index *hit =
		    bsearch(&key, index, n, sizeof(*index), cmp_index);
		if (hit)
			add(hit->e, stmt);
	}
	store_finish(st, stmt);
	return rc == SQLITE_DONE ? WK_OK : store_fail(st, rc, "event", error_r);
}

#define EVENT_FROM " FROM event e JOIN wijk w ON w.id = e.wijk_id WHERE "

static int list_events(struct store *st, const struct list_query *q,
                       struct event **list_r, size_t *n_r, char **error_r)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
	                  "SELECT " EVENT_COLUMNS EVENT_FROM FILTER_WHERE
	                  " ORDER BY e.first_utc, e.id",
	                  error_r);
	if (stmt == NULL)
		return WK_EIO;
	bind_filter(stmt, q);
	struct event *list = NULL;
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		list = xrealloc(list, (n + 1) * sizeof(*list));
		read_event(stmt, &list[n++]);
	}
	store_finish(st, stmt);
	if (rc != SQLITE_DONE) {
		event_array_free(list, n);
		return store_fail(st, rc, "event", error_r);
	}
	struct id_index *index = xcalloc(n ? n : 1, sizeof(*index));
	for (size_t i = 0; i < n; i++)
		index[i] = (struct id_index){list[i].id, &list[i]};
	qsort(index, n, sizeof(*index), cmp_index);
	rc = load_children(
	    st, q, index, n,
	    "SELECT a.event_id, a.expr FROM event_audience a "
	    "WHERE a.event_id IN (SELECT e.id" EVENT_FROM FILTER_WHERE
	    ") ORDER BY a.event_id, a.pos",
	    add_audience, error_r);
	if (rc == WK_OK)
		rc = load_children(
		    st, q, index, n,
		    "SELECT c.event_id, c.recurrence_id, c.cancelled, "
		    "c.start, c.duration_min, c.sequence, c.modified FROM "
		    "event_change c WHERE c.event_id IN (SELECT e.id" EVENT_FROM
		        FILTER_WHERE ") ORDER BY c.event_id, "
		    "c.recurrence_id",
		    add_change, error_r);
	free(index);
	if (rc < 0) {
		event_array_free(list, n);
		return rc;
	}
	*list_r = list;
	*n_r = n;
	return WK_OK;
}

int store_event_list(struct store *st, const struct event_filter *f,
                     struct event **list_r, size_t *n_r, char **error_r)
{
	struct list_query q = {.f = f};
	return list_events(st, &q, list_r, n_r, error_r);
}

static int get_by_id(struct store *st, int64_t id, struct event *e_r,
                     char **error_r)
{
	struct event_filter f = {.include_drafts = true};
	struct list_query q = {.f = &f, .id = id};
	struct event *list;
	size_t n;
	int rc = list_events(st, &q, &list, &n, error_r);
	if (rc < 0)
		return rc;
	if (n == 0) {
		free(list);
		set_error(error_r, "unknown event %lld", (long long)id);
		return WK_ENOTFOUND;
	}
	*e_r = list[0];
	free(list);
	return WK_OK;
}

int store_event_get_by_uid(struct store *st, const char *uid, struct event *e_r,
                           char **error_r)
{
	sqlite3_stmt *stmt =
	    store_prepare(st, "SELECT id FROM event WHERE uid = ?", error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, uid);
	int rc = sqlite3_step(stmt);
	int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	store_finish(st, stmt);
	if (rc == SQLITE_ROW)
		return get_by_id(st, id, e_r, error_r);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "event", error_r);
	set_error(error_r, "unknown event \"%s\"", uid);
	return WK_ENOTFOUND;
}

int store_event_get(struct store *st, const char *id_or_uid, struct event *e_r,
                    char **error_r)
{
	char *end;
	long long id = strtoll(id_or_uid, &end, 10);
	if (*id_or_uid && *end == '\0' && id > 0)
		return get_by_id(st, id, e_r, error_r);
	return store_event_get_by_uid(st, id_or_uid, e_r, error_r);
}
