/* store: opening, migrations, transactions and the registry tables. */
#include "core/store.h"

#include <errno.h>
#include <stdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/schema.sql.h"
#include "core/store_impl.h"
#include "core/util.h"

/* Maps an SQLite result to a wk_err with a message. */
int store_fail(struct store *st, int rc, const char *what, char **error_r)
{
	int prim = rc & 0xff;
	if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED) {
		set_error(error_r,
		          "database %s is locked by another writer; try again",
		          st->path);
		return WK_EBUSY;
	}
	if (prim == SQLITE_CONSTRAINT) {
		set_error(error_r, "%s: already exists", what);
		return WK_EEXIST;
	}
	set_error(error_r, "database %s: %s: %s", st->path, what,
	          sqlite3_errmsg(st->db));
	return WK_EIO;
}

/* The slot to keep a new statement in: an empty one, else the least
 * recently used that is not in use; NULL if all are in use. */
static struct stmt_slot *free_slot(struct store *st)
{
	struct stmt_slot *best = NULL;
	for (size_t i = 0; i < STORE_STMT_CACHE; i++) {
		struct stmt_slot *s = &st->cache[i];
		if (s->sql == NULL)
			return s;
		if (!s->busy && (best == NULL || s->used < best->used))
			best = s;
	}
	return best;
}

sqlite3_stmt *store_prepare(struct store *st, const char *sql, char **error_r)
{
	for (size_t i = 0; i < STORE_STMT_CACHE; i++) {
		struct stmt_slot *s = &st->cache[i];
		if (s->sql && !s->busy && strcmp(s->sql, sql) == 0) {
			s->busy = true;
			s->used = ++st->tick;
			return s->stmt;
		}
	}
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	                            &stmt, NULL);
	if (rc != SQLITE_OK) {
		store_fail(st, rc, "prepare", error_r);
		return NULL;
	}
	struct stmt_slot *s = free_slot(st);
	if (s) {
		if (s->sql) {
			sqlite3_finalize(s->stmt);
			free(s->sql);
		}
		*s = (struct stmt_slot){xstrdup(sql), stmt, true, ++st->tick};
	}
	return stmt;
}

void store_finish(struct store *st, sqlite3_stmt *stmt)
{
	if (stmt == NULL)
		return;
	for (size_t i = 0; i < STORE_STMT_CACHE; i++) {
		struct stmt_slot *s = &st->cache[i];
		if (s->stmt == stmt && s->sql) {
			sqlite3_reset(stmt);
			sqlite3_clear_bindings(stmt);
			s->busy = false;
			return;
		}
	}
	sqlite3_finalize(stmt);
}

void store_cache_clear(struct store *st)
{
	for (size_t i = 0; i < STORE_STMT_CACHE; i++) {
		struct stmt_slot *s = &st->cache[i];
		if (s->sql) {
			sqlite3_finalize(s->stmt);
			free(s->sql);
		}
		memset(s, 0, sizeof(*s));
	}
}

void store_bind_text(sqlite3_stmt *stmt, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(stmt, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(stmt, i);
}

char *store_column_text(sqlite3_stmt *stmt, int i)
{
	const unsigned char *s = sqlite3_column_text(stmt, i);
	return s ? xstrdup((const char *)s) : NULL;
}

/* Runs a statement that returns no rows, then finalizes it. */
int store_run(struct store *st, sqlite3_stmt *stmt, const char *what,
              char **error_r)
{
	int rc = sqlite3_step(stmt);
	store_finish(st, stmt);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, what, error_r);
	return WK_OK;
}

int store_exec(struct store *st, const char *sql, char **error_r)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "exec", error_r);
	return WK_OK;
}

/* The one integer a one-row statement returns. */
static int one_int(struct store *st, const char *sql, const char *what,
                   int64_t *v_r, char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(st, sql, error_r);
	if (stmt == NULL)
		return WK_EIO;
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*v_r = sqlite3_column_int64(stmt, 0);
	store_finish(st, stmt);
	return rc == SQLITE_ROW ? WK_OK : store_fail(st, rc, what, error_r);
}

static int read_version(struct store *st, char **error_r)
{
	int64_t v = 0;
	int rc = one_int(st, "PRAGMA user_version", "version", &v, error_r);
	st->version = (int)v;
	return rc;
}

/* Applies the migrations from the file's version up to the current. */
static int migrate(struct store *st, char **error_r)
{
	int rc = store_begin(st, error_r);
	if (rc < 0)
		return rc;
	rc = read_version(st, error_r);
	if (rc == WK_OK && st->version > STORE_SCHEMA_VERSION) {
		set_error(error_r,
		          "database %s has schema version %d, newer than this "
		          "wijkcal (%d); upgrade wijkcal",
		          st->path, st->version, STORE_SCHEMA_VERSION);
		rc = WK_EIO;
	}
	for (int v = st->version; rc == WK_OK && v < STORE_SCHEMA_VERSION;
	     v++) {
		rc = store_exec(st, schema_migrations[v], error_r);
		if (rc == WK_OK) {
			char sql[64];
			snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
			         v + 1);
			rc = store_exec(st, sql, error_r);
		}
	}
	if (rc == WK_OK)
		rc = store_commit(st, error_r);
	else
		store_rollback(st);
	if (rc == WK_OK)
		st->version = STORE_SCHEMA_VERSION;
	return rc;
}

static int check_version(struct store *st, char **error_r)
{
	int rc = read_version(st, error_r);
	if (rc < 0)
		return rc;
	if (st->version > STORE_SCHEMA_VERSION)
		return set_error(error_r,
		                 "database %s has schema version %d, newer "
		                 "than this wijkcal (%d); upgrade wijkcal",
		                 st->path, st->version, STORE_SCHEMA_VERSION),
		       WK_EIO;
	if (st->version < STORE_SCHEMA_VERSION)
		return set_error(error_r,
		                 "database %s has schema version %d; run "
		                 "`wijkcal init` to upgrade it to %d",
		                 st->path, st->version, STORE_SCHEMA_VERSION),
		       WK_EIO;
	return WK_OK;
}

static int configure(struct store *st, char **error_r)
{
	sqlite3_busy_timeout(st->db, 5000);
	/* WAL lets the daemon read while the CLI writes. NORMAL survives a
	 * crash of any process; the CLI asks for FULL (store_sync_full), see
	 * README "Durability" for power loss. */
	int rc = store_exec(st,
	                    "PRAGMA foreign_keys = ON;"
	                    "PRAGMA synchronous = NORMAL;",
	                    error_r);
	if (rc == WK_OK && st->mode != STORE_READ)
		rc = store_exec(st, "PRAGMA journal_mode = WAL;", error_r);
	return rc;
}

int store_data_version(struct store *st, int64_t *v_r, char **error_r)
{
	return one_int(st, "PRAGMA data_version", "data_version", v_r, error_r);
}

int store_feed_version(struct store *st, int64_t *v_r, char **error_r)
{
	return one_int(st, "SELECT version FROM feed_state", "feed_state", v_r,
	               error_r);
}

int store_sync_full(struct store *st, char **error_r)
{
	return store_exec(st, "PRAGMA synchronous = FULL;", error_r);
}

int store_open(const char *path, enum store_mode mode, struct store **st_r,
               char **error_r)
{
	struct stat sb;
	if (mode != STORE_CREATE && stat(path, &sb) < 0) {
		set_error(error_r,
		          "database %s: %s; create it with `wijkcal init`",
		          path, strerror(errno));
		return WK_EIO;
	}
	struct store *st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	st->mode = mode;
	int flags =
	    mode == STORE_READ ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (mode == STORE_CREATE)
		flags |= SQLITE_OPEN_CREATE;
	int rc = sqlite3_open_v2(path, &st->db, flags, NULL);
	if (rc != SQLITE_OK) {
		set_error(error_r, "database %s: cannot open: %s", path,
		          st->db ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(&st);
		return WK_EIO;
	}
	rc = configure(st, error_r);
	if (rc == WK_OK)
		rc = mode == STORE_CREATE ? migrate(st, error_r)
		                          : check_version(st, error_r);
	if (rc < 0) {
		store_close(&st);
		return rc;
	}
	*st_r = st;
	return WK_OK;
}

void store_close(struct store **stp)
{
	struct store *st = *stp;
	if (st == NULL)
		return;
	store_cache_clear(st);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
	*stp = NULL;
}

int store_schema_version(struct store *st)
{
	return st->version;
}

int store_begin(struct store *st, char **error_r)
{
	return store_exec(st, "BEGIN IMMEDIATE", error_r);
}

int store_commit(struct store *st, char **error_r)
{
	return store_exec(st, "COMMIT", error_r);
}

void store_rollback(struct store *st)
{
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_backup(struct store *st, const char *path, char **error_r)
{
	struct stat sb;
	if (stat(path, &sb) == 0) {
		set_error(error_r, "%s: already exists; choose a new file",
		          path);
		return WK_EEXIST;
	}
	sqlite3 *dst = NULL;
	int rc = sqlite3_open_v2(
	    path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	sqlite3_backup *b =
	    rc == SQLITE_OK ? sqlite3_backup_init(dst, "main", st->db, "main")
	                    : NULL;
	if (b) {
		/* Copy in steps, so other writers get their turn between. */
		while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK ||
		       rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(rc == SQLITE_OK ? 0 : 20);
		sqlite3_backup_finish(b);
	}
	int result = WK_OK;
	if (b == NULL || rc != SQLITE_DONE) {
		set_error(error_r, "backup to %s: %s", path,
		          dst ? sqlite3_errmsg(dst) : "cannot open");
		result = WK_EIO;
	}
	sqlite3_close(dst);
	if (result != WK_OK)
		unlink(path);
	return result;
}
