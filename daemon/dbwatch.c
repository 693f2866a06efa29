/*
 * dbwatch: PRAGMA data_version on a connection of the daemon's own, and
 * then feed_state.version (a counter the schema's triggers keep). This is
 * the daemon's only SQL outside core/store: it asks about the file and
 * that counter, not about the data.
 */
#include "daemon/dbwatch.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/util.h"

struct dbwatch {
	pthread_mutex_t mu;
	sqlite3 *db;
	sqlite3_stmt *version; /* PRAGMA data_version */
	sqlite3_stmt *feeds;   /* feed_state.version */
	sqlite3_stmt *ping;    /* a read of the schema */
	int64_t last;          /* the data_version seen last */
	int64_t last_feeds;    /* the feed_state.version seen last */
};

/* Runs a one-row statement and returns its first column in *v_r. */
static int step_int(struct dbwatch *w, sqlite3_stmt *stmt, int64_t *v_r,
                    char **error_r)
{
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*v_r = sqlite3_column_int64(stmt, 0);
	sqlite3_reset(stmt);
	if (rc != SQLITE_ROW)
		return set_error(error_r, "database: %s",
		                 sqlite3_errmsg(w->db));
	return 0;
}

int dbwatch_open(const char *path, struct dbwatch **w_r, char **error_r)
{
	struct dbwatch *w = xcalloc(1, sizeof(*w));
	pthread_mutex_init(&w->mu, NULL);
	int rc = sqlite3_open_v2(path, &w->db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(w->db, 500);
		rc = sqlite3_prepare_v2(w->db, "PRAGMA data_version", -1,
		                        &w->version, NULL);
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(w->db,
		                        "SELECT count(*) FROM sqlite_schema",
		                        -1, &w->ping, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(w->db, "SELECT version FROM feed_state",
		                        -1, &w->feeds, NULL);
	if (rc == SQLITE_OK &&
	    (step_int(w, w->version, &w->last, error_r) < 0 ||
	     step_int(w, w->feeds, &w->last_feeds, error_r) < 0))
		rc = SQLITE_ERROR;
	else if (rc != SQLITE_OK)
		set_error(error_r, "database %s: cannot open: %s", path,
		          w->db ? sqlite3_errmsg(w->db) : "out of memory");
	if (rc != SQLITE_OK) {
		dbwatch_close(&w);
		return WK_EIO;
	}
	*w_r = w;
	return WK_OK;
}

void dbwatch_close(struct dbwatch **wp)
{
	struct dbwatch *w = *wp;
	if (w == NULL)
		return;
	sqlite3_finalize(w->version);
	sqlite3_finalize(w->feeds);
	sqlite3_finalize(w->ping);
	sqlite3_close(w->db);
	pthread_mutex_destroy(&w->mu);
	free(w);
	*wp = NULL;
}

int dbwatch_poll(struct dbwatch *w, char **error_r)
{
	int64_t v = 0, f = 0;
	pthread_mutex_lock(&w->mu);
	int rc = step_int(w, w->version, &v, error_r);
	if (rc == 0 && v != w->last) {
		w->last = v;
		rc = step_int(w, w->feeds, &f, error_r);
		if (rc == 0)
			rc = f != w->last_feeds ? DBWATCH_FEEDS : DBWATCH_OTHER;
		if (rc > 0)
			w->last_feeds = f;
	}
	pthread_mutex_unlock(&w->mu);
	return rc;
}

int dbwatch_ping(struct dbwatch *w, char **error_r)
{
	int64_t n = 0;
	pthread_mutex_lock(&w->mu);
	int rc = step_int(w, w->ping, &n, error_r);
	pthread_mutex_unlock(&w->mu);
	return rc;
}
