/*
 * store_impl: what the store's .c files share (store.c, store_registry.c,
 * store_event.c, store_audience.c). Not for other modules.
 */
#ifndef WIJKCAL_STORE_IMPL_H
#define WIJKCAL_STORE_IMPL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/store.h"

/*
 * Prepared statements are kept for reuse: preparing one costs more than
 * running it (the mailer runs the same few per message). store_prepare
 * hands out a kept statement of the same SQL that is not in use, or
 * prepares one and keeps it in place of the least recently used; every
 * statement goes back with store_finish (reset, or finalized if not
 * kept).
 */
#define STORE_STMT_CACHE 48

struct stmt_slot {
	char *sql; /* NULL: empty */
	sqlite3_stmt *stmt;
	bool busy;     /* handed out and not finished */
	uint64_t used; /* store.tick when last handed out */
};

struct store {
	sqlite3 *db;
	char *path;
	enum store_mode mode;
	int version;
	struct stmt_slot cache[STORE_STMT_CACHE];
	uint64_t tick;
};

int store_fail(struct store *st, int rc, const char *what, char **error_r);
sqlite3_stmt *store_prepare(struct store *st, const char *sql, char **error_r);
/* Gives back a statement of store_prepare (NULL is fine). */
void store_finish(struct store *st, sqlite3_stmt *stmt);
/* Finalizes every kept statement (before a close or a migration). */
void store_cache_clear(struct store *st);
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
