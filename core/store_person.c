/* store_person: persons, their affiliations, and forgetting a person. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/audience.h"
#include "core/store_impl.h"
#include "core/util.h"

static int person_id(struct store *st, const char *email, int64_t *id_r,
                     char **error_r)
{
	sqlite3_stmt *stmt =
	    store_prepare(st, "SELECT id FROM person WHERE email = ?", error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, email);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*id_r = sqlite3_column_int64(stmt, 0);
	store_finish(st, stmt);
	if (rc == SQLITE_ROW)
		return WK_OK;
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "person", error_r);
	set_error(error_r, "unknown person \"%s\"", email);
	return WK_ENOTFOUND;
}

static int link_id(struct store *st, int64_t pid, const struct affiliation *a,
                   char **error_r)
{
	int64_t id = 0;
	int rc = a->practice
	             ? store_slug_id(st, "practice", a->practice, "--practice",
	                             &id, error_r)
	             : store_slug_id(st, "org", a->org, "--org", &id, error_r);
	if (rc < 0)
		return rc;
	/* The table's UNIQUE constraint never fires: one of practice_id and
	 * org_id is always NULL, and NULLs are distinct in SQL. Hence the
	 * INSERT ... SELECT that adds nothing when the row exists. */
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    "INSERT INTO affiliation (person_id, practice_id, org_id, role) "
	    "SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM "
	    "affiliation WHERE person_id = ?1 AND practice_id IS ?2 AND "
	    "org_id IS ?3 AND role = ?4)",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	sqlite3_bind_int64(stmt, 1, pid);
	sqlite3_bind_int64(stmt, a->practice ? 2 : 3, id);
	sqlite3_bind_null(stmt, a->practice ? 3 : 2);
	store_bind_text(stmt, 4, a->role);
	rc = store_run(st, stmt, "affiliation", error_r);
	if (rc == WK_OK && sqlite3_changes(st->db) == 0)
		rc = WK_EEXIST;
	if (rc == WK_EEXIST)
		set_error(error_r, "the person already has role %s at %s",
		          a->role, a->practice ? a->practice : a->org);
	return rc;
}

int store_person_add(struct store *st, const struct person *p, char **error_r)
{
	int64_t pid = 0;
	if (person_id(st, p->email, &pid, NULL) == WK_OK) {
		set_error(error_r,
		          "person %s already exists (add another affiliation "
		          "with `wijkcal person link`)",
		          p->email);
		return WK_EEXIST;
	}
	sqlite3_stmt *stmt = store_prepare(
	    st, "INSERT INTO person (email, name, big) VALUES (?, ?, ?)",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, p->email);
	store_bind_text(stmt, 2, p->name);
	store_bind_text(stmt, 3, p->big);
	int rc = store_run(st, stmt, "person", error_r);
	pid = sqlite3_last_insert_rowid(st->db);
	for (size_t i = 0; rc == WK_OK && i < p->naff; i++)
		rc = link_id(st, pid, &p->aff[i], error_r);
	return rc;
}

int store_person_link(struct store *st, const char *email,
                      const struct affiliation *a, char **error_r)
{
	int64_t pid = 0;
	int rc = person_id(st, email, &pid, error_r);
	return rc < 0 ? rc : link_id(st, pid, a, error_r);
}

int store_person_update(struct store *st, const struct person *p,
                        char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, "UPDATE person SET name = ?, big = ? WHERE email = ?", error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, p->name);
	store_bind_text(stmt, 2, p->big);
	store_bind_text(stmt, 3, p->email);
	return store_run(st, stmt, "person", error_r);
}

#define PERSON_SELECT                                                          \
	"SELECT p.id, p.email, p.name, p.big, pr.slug, o.slug, a.role "        \
	"FROM person p LEFT JOIN affiliation a ON a.person_id = p.id "         \
	"LEFT JOIN practice pr ON pr.id = a.practice_id "                      \
	"LEFT JOIN org o ON o.id = a.org_id "

/* Reads rows ordered by person; consecutive rows of one person become one
 * record with several affiliations. */
static int read_persons(struct store *st, sqlite3_stmt *stmt,
                        struct person **list_r, size_t *n_r, char **error_r)
{
	struct person *list = NULL;
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(stmt, 0);
		if (n == 0 || list[n - 1].id != id) {
			list = xrealloc(list, (n + 1) * sizeof(*list));
			struct person *p = &list[n++];
			memset(p, 0, sizeof(*p));
			p->id = id;
			p->email = store_column_text(stmt, 1);
			p->name = store_column_text(stmt, 2);
			p->big = store_column_text(stmt, 3);
		}
		if (sqlite3_column_type(stmt, 6) == SQLITE_NULL)
			continue;
		struct person *p = &list[n - 1];
		p->aff = xrealloc(p->aff, (p->naff + 1) * sizeof(*p->aff));
		p->aff[p->naff++] =
		    (struct affiliation){.practice = store_column_text(stmt, 4),
		                         .org = store_column_text(stmt, 5),
		                         .role = store_column_text(stmt, 6)};
	}
	store_finish(st, stmt);
	*list_r = list;
	*n_r = n;
	return rc == SQLITE_DONE ? WK_OK
	                         : store_fail(st, rc, "person", error_r);
}

int store_person_get(struct store *st, const char *email, struct person *p_r,
                     char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, PERSON_SELECT "WHERE p.email = ? ORDER BY p.id, a.rowid",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, email);
	struct person *list;
	size_t n;
	int rc = read_persons(st, stmt, &list, &n, error_r);
	if (rc < 0)
		return rc;
	if (n == 0) {
		free(list);
		set_error(error_r, "unknown person \"%s\"", email);
		return WK_ENOTFOUND;
	}
	*p_r = list[0];
	free(list);
	return WK_OK;
}

int store_person_reach(struct store *st, const char *email,
                       struct aud_reach *r_r, char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    "SELECT p.email, coalesce(wp.slug, wo.slug), pr.slug, o.slug, "
	    "o.kind, a.role FROM person p "
	    "LEFT JOIN affiliation a ON a.person_id = p.id "
	    "LEFT JOIN practice pr ON pr.id = a.practice_id "
	    "LEFT JOIN org o ON o.id = a.org_id "
	    "LEFT JOIN wijk wp ON wp.id = pr.wijk_id "
	    "LEFT JOIN wijk wo ON wo.id = o.wijk_id "
	    "WHERE p.email = ? ORDER BY a.rowid",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, email);
	struct aud_reach r = {0};
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (r.email == NULL)
			r.email = store_column_text(stmt, 0);
		if (sqlite3_column_type(stmt, 5) == SQLITE_NULL)
			continue; /* no affiliation */
		r.aff = xrealloc(r.aff, (r.naff + 1) * sizeof(*r.aff));
		r.aff[r.naff++] =
		    (struct reach_aff){.wijk = store_column_text(stmt, 1),
		                       .practice = store_column_text(stmt, 2),
		                       .org = store_column_text(stmt, 3),
		                       .org_kind = store_column_text(stmt, 4),
		                       .role = store_column_text(stmt, 5)};
	}
	store_finish(st, stmt);
	if (rc != SQLITE_DONE) {
		audience_reach_free(&r);
		return store_fail(st, rc, "person", error_r);
	}
	if (r.email == NULL) {
		set_error(error_r, "unknown person \"%s\"", email);
		return WK_ENOTFOUND;
	}
	*r_r = r;
	return WK_OK;
}

int store_person_list(struct store *st, struct person **list_r, size_t *n_r,
                      char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, PERSON_SELECT "ORDER BY p.email, p.id, a.rowid", error_r);
	if (stmt == NULL)
		return WK_EIO;
	return read_persons(st, stmt, list_r, n_r, error_r);
}

/* Rewrites one audience row without the person; drops the row when the
 * group can match nobody any more. */
static int forget_in_audience(struct store *st, int64_t event_id, int pos,
                              const char *expr, const char *email,
                              char **error_r)
{
	struct aud_group g;
	if (audience_parse(expr, &g, NULL) < 0)
		return WK_OK; /* written by an older version: leave it */
	int empty = audience_drop_person(&g, email);
	char *text = audience_format(&g);
	audience_group_free(&g);
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    empty ? "DELETE FROM event_audience WHERE event_id = ?1 AND "
	            "pos = ?2"
	          : "UPDATE event_audience SET expr = ?3 WHERE event_id = "
	            "?1 AND pos = ?2",
	    error_r);
	if (stmt == NULL) {
		free(text);
		return WK_EIO;
	}
	sqlite3_bind_int64(stmt, 1, event_id);
	sqlite3_bind_int(stmt, 2, pos);
	if (!empty)
		store_bind_text(stmt, 3, text);
	free(text);
	return store_run(st, stmt, "audience", error_r);
}

static int forget_audiences(struct store *st, const char *email, char **error_r)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
	                  "SELECT event_id, pos, expr FROM event_audience "
	                  "WHERE expr LIKE '%person:%'",
	                  error_r);
	if (stmt == NULL)
		return WK_EIO;
	int rc = WK_OK, step;
	/* Collect first: rewriting while stepping the same table is unsafe. */
	struct row {
		int64_t event_id;
		int pos;
		char *expr;
	} *rows = NULL;
	size_t n = 0;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		rows = xrealloc(rows, (n + 1) * sizeof(*rows));
		rows[n].event_id = sqlite3_column_int64(stmt, 0);
		rows[n].pos = sqlite3_column_int(stmt, 1);
		rows[n++].expr = store_column_text(stmt, 2);
	}
	store_finish(st, stmt);
	if (step != SQLITE_DONE)
		rc = store_fail(st, step, "audience", error_r);
	for (size_t i = 0; i < n; i++) {
		if (rc == WK_OK)
			rc = forget_in_audience(st, rows[i].event_id,
			                        rows[i].pos, rows[i].expr,
			                        email, error_r);
		free(rows[i].expr);
	}
	free(rows);
	return rc;
}

/* Deletes every outbox row of the person: nothing queued goes out, and
 * no address stays behind in the record of what was sent. */
static int forget_outbox(struct store *st, int64_t pid, const char *email,
                         char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, "DELETE FROM outbox WHERE person_id = ? OR email = ?", error_r);
	if (stmt == NULL)
		return WK_EIO;
	sqlite3_bind_int64(stmt, 1, pid);
	store_bind_text(stmt, 2, email);
	return store_run(st, stmt, "outbox", error_r);
}

int store_person_forget(struct store *st, const char *email, char **error_r)
{
	int64_t pid = 0;
	int rc = person_id(st, email, &pid, error_r);
	if (rc == WK_OK)
		rc = forget_audiences(st, email, error_r);
	if (rc < 0)
		return rc;
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    "UPDATE event SET organizer = NULL WHERE organizer = ? "
	    "COLLATE NOCASE",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, email);
	rc = store_run(st, stmt, "event", error_r);
	if (rc == WK_OK) /* the private feed's URL dies with the person */
		rc = store_token_delete(st, TOKEN_PERSON, email, error_r);
	if (rc == WK_OK) /* their mail: queued, and the record of sent */
		rc = forget_outbox(st, pid, email, error_r);
	if (rc < 0)
		return rc;
	stmt = store_prepare(st, "DELETE FROM person WHERE id = ?", error_r);
	if (stmt == NULL)
		return WK_EIO;
	sqlite3_bind_int64(stmt, 1, pid);
	return store_run(st, stmt, "person", error_r);
}
