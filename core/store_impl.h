/*
 * store_impl: what the store's .c files share (store.c, store_registry.c,
 * store_event.c, store_audience.c). Not for other modules.
 */
#ifndef WIJKCAL_STORE_IMPL_H
#define WIJKCAL_STORE_IMPL_H

#include <sqlite3.h>

#include "core/store.h"

struct store {
	sqlite3 *db;
	char *path;
	enum store_mode mode;
	int version;
};

int store_fail(struct store *st, int rc, const char *what, char **error_r);
sqlite3_stmt *store_prepare(struct store *st, const char *sql, char **error_r);
/* Binds s, or NULL when s is NULL. */
void store_bind_text(sqlite3_stmt *stmt, int i, const char *s);
/* A copy of a text column, or NULL. */
char *store_column_text(sqlite3_stmt *stmt, int i);
/* Steps a statement that returns no rows and finalizes it. */
int store_run(struct store *st, sqlite3_stmt *stmt, const char *what,
              char **error_r);
int store_exec(struct store *st, const char *sql, char **error_r);
/* The id of a slug in table ("wijk", "practice", "org"), or WK_ENOTFOUND
 * with "FIELD: unknown wijk \"x\"" style message. */
int store_slug_id(struct store *st, const char *table, const char *slug,
                  const char *field, int64_t *id_r, char **error_r);

#endif
