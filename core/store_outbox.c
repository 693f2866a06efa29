/*
 * store_outbox: the outbox and mail_state tables (schema 3): queueing
 * planned messages idempotently, claiming due ones for the mailer, and
 * recording each outcome.
 */
#include <stdlib.h>
#include <string.h>

#include "core/store_impl.h"
#include "core/util.h"

static const char *const kind_names[] = {"invite", "update", "cancel",
                                         "reminder"};
static const char *const status_names[] = {"queued", "sending", "sent",
                                           "failed", "expired"};

const char *outbox_kind_name(enum outbox_kind k)
{
	return kind_names[k];
}

const char *outbox_status_name(enum outbox_status s)
{
	return status_names[s];
}

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return 0;
}

void outbox_row_free(struct outbox_row *r)
{
	free(r->event_uid);
	free(r->recurrence_id);
	free(r->email);
	free(r->message_id);
	free(r->last_error);
	memset(r, 0, sizeof(*r));
}

void outbox_rows_free(struct outbox_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		outbox_row_free(&rows[i]);
	free(rows);
}

int store_outbox_add(struct store *st, const struct outbox_row *rows, size_t n,
                     size_t *added_r, char **error_r)
{
	size_t added = 0;
	for (size_t i = 0; i < n; i++) {
		const struct outbox_row *r = &rows[i];
		sqlite3_stmt *stmt = store_prepare(
		    st,
		    "INSERT INTO outbox (kind, event_uid, recurrence_id, "
		    "email, seq, event_id, person_id, message_id, due, "
		    "expires, status, attempts, next_attempt, created) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, "
		    "?9, ?11) ON CONFLICT DO NOTHING",
		    error_r);
		if (stmt == NULL)
			return WK_EIO;
		store_bind_text(stmt, 1, outbox_kind_name(r->kind));
		store_bind_text(stmt, 2, r->event_uid);
		store_bind_text(stmt, 3,
		                r->recurrence_id ? r->recurrence_id : "");
		store_bind_text(stmt, 4, r->email);
		sqlite3_bind_int64(stmt, 5, r->seq);
		sqlite3_bind_int64(stmt, 6, r->event_id);
		sqlite3_bind_int64(stmt, 7, r->person_id);
		store_bind_text(stmt, 8, r->message_id);
		sqlite3_bind_int64(stmt, 9, r->due);
		sqlite3_bind_int64(stmt, 10, r->expires);
		sqlite3_bind_int64(stmt, 11, r->created);
		int rc = store_run(st, stmt, "outbox", error_r);
		if (rc < 0)
			return rc;
		added += (size_t)sqlite3_changes(st->db);
	}
	if (added_r)
		*added_r = added;
	return WK_OK;
}

#define OUTBOX_SELECT                                                          \
	"SELECT id, kind, event_uid, recurrence_id, email, seq, event_id, "    \
	"person_id, message_id, due, expires, status, attempts, "              \
	"next_attempt, last_error, created, coalesce(sent_at, 0) FROM outbox "

static void read_row(sqlite3_stmt *stmt, struct outbox_row *r)
{
	r->id = sqlite3_column_int64(stmt, 0);
	r->kind = (enum outbox_kind)name_index(
	    kind_names, ARRAY_SIZE(kind_names),
	    (const char *)sqlite3_column_text(stmt, 1));
	r->event_uid = store_column_text(stmt, 2);
	r->recurrence_id = store_column_text(stmt, 3);
	r->email = store_column_text(stmt, 4);
	r->seq = sqlite3_column_int64(stmt, 5);
	r->event_id = sqlite3_column_int64(stmt, 6);
	r->person_id = sqlite3_column_int64(stmt, 7);
	r->message_id = store_column_text(stmt, 8);
	r->due = sqlite3_column_int64(stmt, 9);
	r->expires = sqlite3_column_int64(stmt, 10);
	r->status = (enum outbox_status)name_index(
	    status_names, ARRAY_SIZE(status_names),
	    (const char *)sqlite3_column_text(stmt, 11));
	r->attempts = sqlite3_column_int(stmt, 12);
	r->next_attempt = sqlite3_column_int64(stmt, 13);
	r->last_error = store_column_text(stmt, 14);
	r->created = sqlite3_column_int64(stmt, 15);
	r->sent_at = sqlite3_column_int64(stmt, 16);
}

/* Steps a prepared OUTBOX_SELECT to its end and finalizes it. */
static int read_rows(struct store *st, sqlite3_stmt *stmt,
                     struct outbox_row **rows_r, size_t *n_r, char **error_r)
{
	struct outbox_row *rows = NULL;
	size_t n = 0;
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		rows = xrealloc(rows, (n + 1) * sizeof(*rows));
		read_row(stmt, &rows[n++]);
	}
	store_finish(st, stmt);
	if (step != SQLITE_DONE) {
		outbox_rows_free(rows, n);
		return store_fail(st, step, "outbox", error_r);
	}
	*rows_r = rows;
	*n_r = n;
	return WK_OK;
}

int store_outbox_of_event(struct store *st, const char *uid,
                          struct outbox_row **rows_r, size_t *n_r,
                          char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, OUTBOX_SELECT "WHERE event_uid = ? ORDER BY id", error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, uid);
	return read_rows(st, stmt, rows_r, n_r, error_r);
}

int store_outbox_list(struct store *st, bool failed_only,
                      struct outbox_row **rows_r, size_t *n_r, char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    failed_only ? OUTBOX_SELECT "WHERE status IN ('failed', "
	                                "'expired') ORDER BY id DESC"
	                : OUTBOX_SELECT "ORDER BY id DESC",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	return read_rows(st, stmt, rows_r, n_r, error_r);
}

/* The claim's two steps: expire what is too late, take what is due. */
static int claim_rows(struct store *st, int64_t now, size_t max,
                      struct outbox_row **rows_r, size_t *n_r, char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    "UPDATE outbox SET status = 'expired', last_error = "
	    "'expired before it could be delivered' WHERE status = "
	    "'queued' AND expires > 0 AND expires <= ?",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	sqlite3_bind_int64(stmt, 1, now);
	int rc = store_run(st, stmt, "outbox", error_r);
	if (rc < 0)
		return rc;
	stmt = store_prepare(
	    st,
	    "UPDATE outbox SET status = 'sending' WHERE id IN (SELECT id "
	    "FROM outbox WHERE status = 'queued' AND due <= ?1 AND "
	    "next_attempt <= ?1 AND NOT (SELECT paused FROM mail_state) "
	    "ORDER BY due, id LIMIT ?2) "
	    "RETURNING id, kind, event_uid, recurrence_id, email, seq, "
	    "event_id, person_id, message_id, due, expires, status, "
	    "attempts, next_attempt, last_error, created, "
	    "coalesce(sent_at, 0)",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int64(stmt, 2, (int64_t)max);
	return read_rows(st, stmt, rows_r, n_r, error_r);
}

int store_outbox_claim(struct store *st, int64_t now, size_t max,
                       struct outbox_row **rows_r, size_t *n_r, char **error_r)
{
	*rows_r = NULL;
	*n_r = 0;
	int rc = store_begin(st, error_r);
	if (rc < 0)
		return rc;
	rc = claim_rows(st, now, max, rows_r, n_r, error_r);
	if (rc == WK_OK)
		rc = store_commit(st, error_r);
	if (rc < 0) {
		store_rollback(st);
		outbox_rows_free(*rows_r, *n_r);
		*rows_r = NULL;
		*n_r = 0;
	}
	return rc;
}

int store_outbox_requeue(struct store *st, char **error_r)
{
	return store_exec(st,
	                  "UPDATE outbox SET status = 'queued' WHERE status = "
	                  "'sending'",
	                  error_r);
}

/* Runs an UPDATE of one row by id (?1); WK_ENOTFOUND if none changed. */
static int update_one(struct store *st, sqlite3_stmt *stmt, int64_t id,
                      char **error_r)
{
	sqlite3_bind_int64(stmt, 1, id);
	int rc = store_run(st, stmt, "outbox", error_r);
	if (rc == WK_OK && sqlite3_changes(st->db) == 0) {
		set_error(error_r, "outbox: no message %lld", (long long)id);
		return WK_ENOTFOUND;
	}
	return rc;
}

int store_outbox_mark_sent(struct store *st, int64_t id, int64_t now,
                           char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    "UPDATE outbox SET status = 'sent', sent_at = ?2, attempts = "
	    "attempts + 1, last_error = NULL WHERE id = ?1",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	sqlite3_bind_int64(stmt, 2, now);
	return update_one(st, stmt, id, error_r);
}

int store_outbox_mark_retry(struct store *st, int64_t id, int64_t next_attempt,
                            const char *reason, char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    "UPDATE outbox SET status = 'queued', next_attempt = ?2, "
	    "attempts = attempts + 1, last_error = ?3 WHERE id = ?1",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	sqlite3_bind_int64(stmt, 2, next_attempt);
	store_bind_text(stmt, 3, reason);
	return update_one(st, stmt, id, error_r);
}

int store_outbox_mark_failed(struct store *st, int64_t id, bool expired,
                             const char *reason, char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    "UPDATE outbox SET status = ?2, attempts = attempts + ?4, "
	    "last_error = ?3 WHERE id = ?1",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 2, expired ? "expired" : "failed");
	store_bind_text(stmt, 3, reason);
	sqlite3_bind_int(stmt, 4, expired ? 0 : 1);
	return update_one(st, stmt, id, error_r);
}

int store_outbox_retry(struct store *st, int64_t id, int64_t now,
                       char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, "SELECT status FROM outbox WHERE id = ?", error_r);
	if (stmt == NULL)
		return WK_EIO;
	sqlite3_bind_int64(stmt, 1, id);
	int step = sqlite3_step(stmt);
	char *status = step == SQLITE_ROW ? store_column_text(stmt, 0) : NULL;
	store_finish(st, stmt);
	int rc = WK_OK;
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		rc = store_fail(st, step, "outbox", error_r);
	} else if (status == NULL) {
		set_error(error_r, "outbox: no message %lld", (long long)id);
		rc = WK_ENOTFOUND;
	} else if (strcmp(status, "failed") != 0 &&
	           strcmp(status, "expired") != 0) {
		set_error(error_r,
		          "outbox: message %lld is %s, not failed or expired",
		          (long long)id, status);
		rc = WK_EINVAL;
	}
	free(status);
	if (rc < 0)
		return rc;
	stmt = store_prepare(st,
	                     /* An expired row was too late: asked for
	                      * again, it goes whenever it can; the old
	                      * reason goes, or smtp.give_up_after would
	                      * fail it again before a try. */
	                     "UPDATE outbox SET status = 'queued', "
	                     "last_error = NULL, next_attempt = ?2, "
	                     "expires = CASE status WHEN "
	                     "'expired' THEN 0 ELSE expires END WHERE id = ?1",
	                     error_r);
	if (stmt == NULL)
		return WK_EIO;
	sqlite3_bind_int64(stmt, 2, now);
	return update_one(st, stmt, id, error_r);
}

int store_outbox_hold(struct store *st, int64_t tried_id, int64_t now,
                      const char *reason, char **error_r)
{
	/* One statement: the batch in hand goes back to the queue, and every
	 * due row shows why it waits. */
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    "UPDATE outbox SET status = 'queued', last_error = ?1, "
	    "attempts = attempts + (id = ?2) WHERE status = 'sending' OR "
	    "(status = 'queued' AND due <= ?3 AND next_attempt <= ?3)",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	store_bind_text(stmt, 1, reason);
	sqlite3_bind_int64(stmt, 2, tried_id);
	sqlite3_bind_int64(stmt, 3, now);
	return store_run(st, stmt, "outbox", error_r);
}

int store_outbox_give_up(struct store *st, int64_t due_before, size_t *n_r,
                         char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st,
	    "UPDATE outbox SET status = 'failed', last_error = 'gave up "
	    "(smtp.give_up_after): ' || last_error WHERE status = 'queued' "
	    "AND last_error IS NOT NULL AND due <= ?",
	    error_r);
	if (stmt == NULL)
		return WK_EIO;
	sqlite3_bind_int64(stmt, 1, due_before);
	int rc = store_run(st, stmt, "outbox", error_r);
	if (n_r)
		*n_r = rc == WK_OK ? (size_t)sqlite3_changes(st->db) : 0;
	return rc;
}

int store_mail_set_paused(struct store *st, bool paused, char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, "UPDATE mail_state SET paused = ? WHERE id = 1", error_r);
	if (stmt == NULL)
		return WK_EIO;
	sqlite3_bind_int(stmt, 1, paused ? 1 : 0);
	return store_run(st, stmt, "mail_state", error_r);
}

int store_mail_paused(struct store *st, bool *paused_r, char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, "SELECT paused FROM mail_state WHERE id = 1", error_r);
	if (stmt == NULL)
		return WK_EIO;
	int step = sqlite3_step(stmt);
	*paused_r = step == SQLITE_ROW && sqlite3_column_int(stmt, 0) != 0;
	store_finish(st, stmt);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_fail(st, step, "mail_state", error_r);
	return WK_OK;
}

int store_outbox_counts(struct store *st, int64_t counts_r[OUTBOX_NSTATUS],
                        char **error_r)
{
	sqlite3_stmt *stmt = store_prepare(
	    st, "SELECT status, count(*) FROM outbox GROUP BY status", error_r);
	if (stmt == NULL)
		return WK_EIO;
	for (size_t i = 0; i < OUTBOX_NSTATUS; i++)
		counts_r[i] = 0;
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(stmt, 0);
		for (size_t i = 0; name && i < OUTBOX_NSTATUS; i++)
			if (strcmp(name, status_names[i]) == 0)
				counts_r[i] = sqlite3_column_int64(stmt, 1);
	}
	store_finish(st, stmt);
	return rc == SQLITE_DONE ? WK_OK
	                         : store_fail(st, rc, "outbox", error_r);
}
