/* store_registry: wijken, practices, organisations and persons. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store_impl.h"
#include "core/util.h"

int store_slug_id(struct store *st, const char *table, const char *slug,
                  const char *field, int64_t *id_r, char **error_r)
{
	/* table is one of our own constants, never input. */
	char sql[64];
	snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE slug = ?", table);
	sqlite3_stmt *stmt = store_prepare(st, sql, error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, slug);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*id_r = sqlite3_column_int64(stmt, 0);
	store_finish(st, stmt);
	if (rc == SQLITE_ROW)
		return WK_OK;
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, table, error_r);
	set_error(error_r, "%s: unknown %s \"%s\"", field,
	          strcmp(table, "org") == 0 ? "organisation" : table, slug);
	return WK_ENOTFOUND;
}

/* Fails with WK_EEXIST when the slug is taken in table. */
static int slug_free(struct store *st, const char *table, const char *slug,
                     char **error_r)
{
	int64_t id = 0;
	int rc = store_slug_id(st, table, slug, "slug", &id, NULL);
	if (rc == WK_OK) {
		set_error(error_r, "%s \"%s\" already exists",
		          strcmp(table, "org") == 0 ? "organisation" : table,
		          slug);
		return WK_EEXIST;
	}
	return rc == WK_ENOTFOUND ? WK_OK : rc;
}

int store_wijk_add(struct store *st, const struct wijk *w, char **error_r)
{
	int rc = slug_free(st, "wijk", w->slug, error_r);
	if (rc < 0)
		return rc;
	sqlite3_stmt *stmt = store_prepare(
	    st, "INSERT INTO wijk (slug, name) VALUES (?, ?)", error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, w->slug);
	store_bind_text(stmt, 2, w->name);
	return store_run(st, stmt, "wijk", error_r);
}

static void read_wijk(sqlite3_stmt *stmt, struct wijk *w)
{
	w->id = sqlite3_column_int64(stmt, 0);
	w->slug = store_column_text(stmt, 1);
	w->name = store_column_text(stmt, 2);
}

int store_wijk_get(struct store *st, const char *slug, struct wijk *w_r,
                   char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, "SELECT id, slug, name FROM wijk WHERE slug = ?", error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, slug);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		read_wijk(stmt, w_r);
	store_finish(st, stmt);
	if (rc == SQLITE_ROW)
		return WK_OK;
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "wijk", error_r);
	set_error(error_r, "unknown wijk \"%s\"", slug);
	return WK_ENOTFOUND;
}

int store_wijk_list(struct store *st, struct wijk **list_r, size_t *n_r,
                    char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, "SELECT id, slug, name FROM wijk ORDER BY slug", error_r);
	if (stmt == NULL)
		return WK_EIO;
	struct wijk *list = NULL;
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		list = xrealloc(list, (n + 1) * sizeof(*list));
		read_wijk(stmt, &list[n++]);
	}
	store_finish(st, stmt);
	*list_r = list;
	*n_r = n;
	return rc == SQLITE_DONE ? WK_OK : store_fail(st, rc, "wijk", error_r);
}

int store_practice_add(struct store *st, const struct practice *p,
                       char **error_r)
{
	int64_t wijk_id = 0;
	int rc = slug_free(st, "practice", p->slug, error_r);
	if (rc == WK_OK)
		rc = store_slug_id(st, "wijk", p->wijk, "--wijk", &wijk_id,
		                   error_r);
	if (rc < 0)
		return rc;
	sqlite3_stmt *stmt =
	    store_prepare(st,
	                  "INSERT INTO practice (slug, name, wijk_id, address) "
	                  "VALUES (?, ?, ?, ?)",
	                  error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, p->slug);
	store_bind_text(stmt, 2, p->name);
	sqlite3_bind_int64(stmt, 3, wijk_id);
	store_bind_text(stmt, 4, p->address);
	return store_run(st, stmt, "practice", error_r);
}

int store_practice_update(struct store *st, const struct practice *p,
                          char **error_r)
{
	int64_t wijk_id = 0;
	int rc = store_slug_id(st, "wijk", p->wijk, "wijk", &wijk_id, error_r);
	if (rc < 0)
		return rc;
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    "UPDATE practice SET name = ?, wijk_id = ?, address = ? "
	    "WHERE slug = ?",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, p->name);
	sqlite3_bind_int64(stmt, 2, wijk_id);
	store_bind_text(stmt, 3, p->address);
	store_bind_text(stmt, 4, p->slug);
	return store_run(st, stmt, "practice", error_r);
}

#define PRACTICE_SELECT                                                        \
	"SELECT p.id, p.slug, p.name, w.slug, p.address FROM practice p "      \
	"JOIN wijk w ON w.id = p.wijk_id "

static void read_practice(sqlite3_stmt *stmt, struct practice *p)
{
	p->id = sqlite3_column_int64(stmt, 0);
	p->slug = store_column_text(stmt, 1);
	p->name = store_column_text(stmt, 2);
	p->wijk = store_column_text(stmt, 3);
	p->address = store_column_text(stmt, 4);
}

int store_practice_get(struct store *st, const char *slug, struct practice *p_r,
                       char **error_r)
{
	sqlite3_stmt *stmt =
	    store_prepare(st, PRACTICE_SELECT "WHERE p.slug = ?", error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, slug);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		read_practice(stmt, p_r);
	store_finish(st, stmt);
	if (rc == SQLITE_ROW)
		return WK_OK;
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "practice", error_r);
	set_error(error_r, "unknown practice \"%s\"", slug);
	return WK_ENOTFOUND;
}

int store_practice_list(struct store *st, const char *wijk,
                        struct practice **list_r, size_t *n_r, char **error_r)
{
	sqlite3_stmt *stmt =
	    store_prepare(st,
	                  PRACTICE_SELECT "WHERE ?1 IS NULL OR w.slug = ?1 "
	                                  "ORDER BY p.slug",
	                  error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, wijk);
	struct practice *list = NULL;
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		list = xrealloc(list, (n + 1) * sizeof(*list));
		read_practice(stmt, &list[n++]);
	}
	store_finish(st, stmt);
	*list_r = list;
	*n_r = n;
	return rc == SQLITE_DONE ? WK_OK
	                         : store_fail(st, rc, "practice", error_r);
}

int store_org_add(struct store *st, const struct org *o, char **error_r)
{
	int64_t wijk_id = 0;
	int rc = slug_free(st, "org", o->slug, error_r);
	if (rc == WK_OK && o->wijk)
		rc = store_slug_id(st, "wijk", o->wijk, "--wijk", &wijk_id,
		                   error_r);
	if (rc < 0)
		return rc;
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    "INSERT INTO org (slug, name, kind, wijk_id) VALUES (?, ?, ?, ?)",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, o->slug);
	store_bind_text(stmt, 2, o->name);
	store_bind_text(stmt, 3, o->kind);
	if (o->wijk)
		sqlite3_bind_int64(stmt, 4, wijk_id);
	else
		sqlite3_bind_null(stmt, 4);
	return store_run(st, stmt, "org", error_r);
}

#define ORG_SELECT                                                             \
	"SELECT o.id, o.slug, o.name, o.kind, w.slug FROM org o "              \
	"LEFT JOIN wijk w ON w.id = o.wijk_id "

static void read_org(sqlite3_stmt *stmt, struct org *o)
{
	o->id = sqlite3_column_int64(stmt, 0);
	o->slug = store_column_text(stmt, 1);
	o->name = store_column_text(stmt, 2);
	o->kind = store_column_text(stmt, 3);
	o->wijk = store_column_text(stmt, 4);
}

int store_org_get(struct store *st, const char *slug, struct org *o_r,
                  char **error_r)
{
	sqlite3_stmt *stmt =
	    store_prepare(st, ORG_SELECT "WHERE o.slug = ?", error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, slug);
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		read_org(stmt, o_r);
	store_finish(st, stmt);
	if (rc == SQLITE_ROW)
		return WK_OK;
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "org", error_r);
	set_error(error_r, "unknown organisation \"%s\"", slug);
	return WK_ENOTFOUND;
}

int store_org_list(struct store *st, struct org **list_r, size_t *n_r,
                   char **error_r)
{
	sqlite3_stmt *stmt =
	    store_prepare(st, ORG_SELECT "ORDER BY o.slug", error_r);
	if (stmt == NULL)
		return WK_EIO;
	struct org *list = NULL;
	size_t n = 0;
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		list = xrealloc(list, (n + 1) * sizeof(*list));
		read_org(stmt, &list[n++]);
	}
	store_finish(st, stmt);
	*list_r = list;
	*n_r = n;
	return rc == SQLITE_DONE ? WK_OK : store_fail(st, rc, "org", error_r);
}
