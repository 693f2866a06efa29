/*
 * store_token: the feed_token table: per private feed its revocation
 * counter and the hash of its live token (see core/token.h).
 */
#include <stdlib.h>

#include "core/store_impl.h"
#include "core/util.h"

int store_token_counter(struct store *st, enum token_kind kind, const char *id,
                        int64_t *counter_r, char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, "SELECT counter FROM feed_token WHERE kind = ? AND key = ?",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, token_kind_name(kind));
	store_bind_text(stmt, 2, id);
	int rc = sqlite3_step(stmt);
	*counter_r = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	store_finish(st, stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, "feed token", error_r);
	return WK_OK;
}

int store_token_set(struct store *st, enum token_kind kind, const char *id,
                    int64_t counter, const char *hash, char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    "INSERT INTO feed_token (kind, key, counter, token_hash) "
	    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (kind, key) DO UPDATE "
	    "SET counter = ?3, token_hash = ?4 "
	    /* Printing a URL again writes nothing, so the daemon keeps its
	     * cache. */
	    "WHERE counter <> ?3 OR token_hash <> ?4",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, token_kind_name(kind));
	store_bind_text(stmt, 2, id);
	sqlite3_bind_int64(stmt, 3, counter);
	store_bind_text(stmt, 4, hash);
	return store_run(st, stmt, "feed token", error_r);
}

int store_token_find(struct store *st, const char *hash,
                     enum token_kind *kind_r, char **id_r, char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, "SELECT kind, key FROM feed_token WHERE token_hash = ?",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, hash);
	int rc = sqlite3_step(stmt);
	const char *kind = rc == SQLITE_ROW
	                       ? (const char *)sqlite3_column_text(stmt, 0)
	                       : NULL;
	int result = WK_OK;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		result = store_fail(st, rc, "feed token", error_r);
	else if (kind == NULL || token_kind_parse(kind, kind_r) < 0) {
		set_error(error_r, "unknown feed");
		result = WK_ENOTFOUND;
	} else {
		*id_r = store_column_text(stmt, 1);
	}
	store_finish(st, stmt);
	return result;
}

int store_token_delete(struct store *st, enum token_kind kind, const char *id,
                       char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, "DELETE FROM feed_token WHERE kind = ? AND key = ?", error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, token_kind_name(kind));
	store_bind_text(stmt, 2, id);
	return store_run(st, stmt, "feed token", error_r);
}
