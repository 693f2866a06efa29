/*
 * store: the SQLite database, the single source of truth, and the only
 * place with SQL. Writers wrap their changes in store_begin/store_commit
 * (BEGIN IMMEDIATE, with a busy timeout) so every command is all or nothing.
 * Functions return WK_OK or a negative enum wk_err with a message in
 * *error_r. Records returned are owned by the caller (free with the
 * model's *_free functions).
 */
#ifndef WIJKCAL_STORE_H
#define WIJKCAL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "core/token.h"

/* The schema version this build reads and writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 6

struct store;

enum store_mode {
	STORE_READ,   /* must exist with the current schema */
	STORE_WRITE,  /* same, opened for writing */
	STORE_CREATE, /* create or upgrade (wijkcal init) */
};

/* Opens the database file; *st_r gets a handle to close with store_close.
 * A missing file or an old schema says to run `wijkcal init`. */
int store_open(const char *path, enum store_mode mode, struct store **st_r,
               char **error_r);
void store_close(struct store **st);
/* The schema version found in the file (after STORE_CREATE: the current). */
int store_schema_version(struct store *st);
/* PRAGMA data_version: changes when another connection (the CLI, or
 * another thread's handle) has committed since the last call. */
int store_data_version(struct store *st, int64_t *v_r, char **error_r);
/* feed_state.version: changes with every change to the registry, events,
 * audiences, occurrences and tokens (schema 5 triggers), and with nothing
 * else, so that the mailer's own commits leave it as it was. */
int store_feed_version(struct store *st, int64_t *v_r, char **error_r);
/* Makes every later commit of this handle survive a power loss
 * (synchronous=FULL), at about 0.15 ms a commit; README "Durability". */
int store_sync_full(struct store *st, char **error_r);

/* Copies the whole database to a new file at path with SQLite's online
 * backup API: safe while the daemon and other writers run (a writer that
 * interrupts is waited for, and the copy restarts). Fails with WK_EEXIST
 * if path exists. */
int store_backup(struct store *st, const char *path, char **error_r);

int store_begin(struct store *st, char **error_r); /* BEGIN IMMEDIATE */
int store_commit(struct store *st, char **error_r);
void store_rollback(struct store *st);

/* Registry. *_add fails with WK_EEXIST on a duplicate slug or e-mail and
 * WK_ENOTFOUND for an unknown wijk, practice or org named in the record. */
int store_wijk_add(struct store *st, const struct wijk *w, char **error_r);
int store_wijk_get(struct store *st, const char *slug, struct wijk *w_r,
                   char **error_r);
int store_wijk_list(struct store *st, struct wijk **list_r, size_t *n_r,
                    char **error_r);
int store_practice_add(struct store *st, const struct practice *p,
                       char **error_r);
/* Changes name, wijk and address of the practice with p->slug. */
int store_practice_update(struct store *st, const struct practice *p,
                          char **error_r);
int store_practice_get(struct store *st, const char *slug, struct practice *p_r,
                       char **error_r);
/* wijk NULL: all practices. */
int store_practice_list(struct store *st, const char *wijk,
                        struct practice **list_r, size_t *n_r, char **error_r);
int store_org_add(struct store *st, const struct org *o, char **error_r);
int store_org_get(struct store *st, const char *slug, struct org *o_r,
                  char **error_r);
int store_org_list(struct store *st, struct org **list_r, size_t *n_r,
                   char **error_r);

/* Adds a person with the affiliations in p->aff. */
int store_person_add(struct store *st, const struct person *p, char **error_r);
/* Adds one affiliation to an existing person (WK_EEXIST if present). */
int store_person_link(struct store *st, const char *email,
                      const struct affiliation *a, char **error_r);
/* Changes name and BIG number of the person with p->email. */
int store_person_update(struct store *st, const struct person *p,
                        char **error_r);
int store_person_get(struct store *st, const char *email, struct person *p_r,
                     char **error_r);
/* All persons (with affiliations), by e-mail. */
int store_person_list(struct store *st, struct person **list_r, size_t *n_r,
                      char **error_r);
/* Erases a person everywhere (AVG): the record, affiliations, person:
 * terms in audiences (a group left without persons is dropped), as
 * organiser (events fall back to the configured organiser), the token
 * of their private feed, and their outbox rows (queued mail and the
 * record of mail sent). */
int store_person_forget(struct store *st, const char *email, char **error_r);

/*
 * Checks an audience expression against the registry: every slug, kind,
 * role and e-mail named must exist. Returns WK_OK, WK_EINVAL (syntax) or
 * WK_ENOTFOUND ("--audience: unknown wijk zuid").
 */
int store_audience_check(struct store *st, const char *expr, char **error_r);
/* The persons in the union of the groups (ids sorted by e-mail). */
int store_audience_resolve(struct store *st, char *const *exprs, size_t n,
                           struct person **list_r, size_t *n_r, char **error_r);
struct aud_reach;
/* Where the person stands (core/audience.h), to test many audiences
 * against them with audience_exprs_reach; WK_ENOTFOUND if unknown. */
int store_person_reach(struct store *st, const char *email,
                       struct aud_reach *r_r, char **error_r);

/*
 * Private feed tokens (core/token.h): per feed, named by kind and id (the
 * e-mail or the wijk slug), a revocation counter and the hash of its live
 * token. store_person_forget deletes a person's row.
 */
/* The counter of a feed; 0 when none is stored. */
int store_token_counter(struct store *st, enum token_kind kind, const char *id,
                        int64_t *counter_r, char **error_r);
/* Stores the feed's counter and the hash (token_hash) of its live token,
 * replacing its earlier row: the earlier token opens nothing any more. */
int store_token_set(struct store *st, enum token_kind kind, const char *id,
                    int64_t counter, const char *hash, char **error_r);
/* The feed whose live token has this hash: its kind, and its id in *id_r
 * (caller frees); WK_ENOTFOUND ("unknown feed") when none has. */
int store_token_find(struct store *st, const char *hash,
                     enum token_kind *kind_r, char **id_r, char **error_r);
/* Deletes the row of a feed, if any. */
int store_token_delete(struct store *st, enum token_kind kind, const char *id,
                       char **error_r);

/* Events. insert fills e->id; update replaces every column, the audience
 * and the changes of the event with e->id. */
int store_event_insert(struct store *st, struct event *e, char **error_r);
int store_event_update(struct store *st, const struct event *e, char **error_r);
/* By id ("12") or UID. */
int store_event_get(struct store *st, const char *id_or_uid, struct event *e_r,
                    char **error_r);
/* WK_ENOTFOUND when no event has this UID. */
int store_event_get_by_uid(struct store *st, const char *uid, struct event *e_r,
                           char **error_r);

/* Which events store_event_list returns; NULL/false fields do not filter. */
struct event_filter {
	const char *wijk;
	const char *kind;
	bool public_only;    /* is_public and not draft */
	bool include_drafts; /* drafts are left out unless set */
	int64_t from_utc;    /* events that may have occurrences at or after */
	int64_t to_utc;      /* ... and before; 0 = no bound */
};
/* Events ordered by start, with audience and changes. */
int store_event_list(struct store *st, const struct event_filter *f,
                     struct event **list_r, size_t *n_r, char **error_r);

/*
 * The mail outbox (schema 3, keyed by the Message-ID since schema 4): one
 * row per message, planned by core/planner.h and delivered by the daemon's
 * mailer. Status moves
 * queued -> sending (claimed) -> sent, or back to queued with a later
 * next_attempt (a temporary failure), or to failed (permanent) or expired.
 */
enum outbox_kind {
	OUTBOX_INVITE,
	OUTBOX_UPDATE,
	OUTBOX_CANCEL,
	OUTBOX_REMINDER
};
enum outbox_status {
	OUTBOX_QUEUED,
	OUTBOX_SENDING,
	OUTBOX_SENT,
	OUTBOX_FAILED,
	OUTBOX_EXPIRED
};

struct outbox_row {
	int64_t id;
	enum outbox_kind kind;
	char *event_uid;
	char *
	    recurrence_id; /* "" for the whole event, else "YYYY-MM-DD HH:MM" */
	char *email;
	int64_t seq; /* SEQUENCE planned for, or a reminder's offset
	                (minutes) */
	int64_t event_id, person_id;
	char *message_id; /* "<...@domain>", stable per row */
	int64_t due;      /* UTC seconds: not sent before */
	int64_t expires;  /* UTC seconds: given up at; 0 = never */
	enum outbox_status status;
	int attempts;
	int64_t next_attempt;
	char *last_error;         /* may be NULL */
	int64_t created, sent_at; /* sent_at 0 = not sent */
};

/* "invite", "update", "cancel", "reminder" / "queued", "sending", ... */
const char *outbox_kind_name(enum outbox_kind k);
const char *outbox_status_name(enum outbox_status s);
/* Frees the members of r and zeroes it. */
void outbox_row_free(struct outbox_row *r);
/* Frees n rows and the array. */
void outbox_rows_free(struct outbox_row *rows, size_t n);

/* Inserts each row unless one with the same key exists (the row's id,
 * status, attempts and sent_at are ignored: it starts queued). *added_r
 * (may be NULL) gets the number inserted. Call inside store_begin. */
int store_outbox_add(struct store *st, const struct outbox_row *rows, size_t n,
                     size_t *added_r, char **error_r);
/* The rows of one event (any status), by id; caller frees the array. */
int store_outbox_of_event(struct store *st, const char *uid,
                          struct outbox_row **rows_r, size_t *n_r,
                          char **error_r);
/* All rows (failed_only: those failed or expired), newest first. */
int store_outbox_list(struct store *st, bool failed_only,
                      struct outbox_row **rows_r, size_t *n_r, char **error_r);
/*
 * In one transaction: marks queued rows whose expires has passed expired,
 * then takes at most max queued rows with due and next_attempt <= now,
 * sets them sending and returns them (oldest due first). Returns none
 * while mail is paused. Opens its own transaction.
 */
int store_outbox_claim(struct store *st, int64_t now, size_t max,
                       struct outbox_row **rows_r, size_t *n_r, char **error_r);
/* Puts rows left sending by a crash back to queued (at daemon start). */
int store_outbox_requeue(struct store *st, char **error_r);
/* After delivery: sent at `now`. */
int store_outbox_mark_sent(struct store *st, int64_t id, int64_t now,
                           char **error_r);
/* A temporary failure: queued again at next_attempt, attempts + 1. */
int store_outbox_mark_retry(struct store *st, int64_t id, int64_t next_attempt,
                            const char *reason, char **error_r);
/* A permanent failure (failed) or given up (expired) with the reason. */
int store_outbox_mark_failed(struct store *st, int64_t id, bool expired,
                             const char *reason, char **error_r);
/* A failed or expired row queued again now, its last error cleared (or
 * smtp.give_up_after would fail it again before a try); an expired one no
 * longer expires (WK_ENOTFOUND if no such row, WK_EINVAL if it is not
 * failed or expired). */
int store_outbox_retry(struct store *st, int64_t id, int64_t now,
                       char **error_r);
/* The SMTP server cannot take mail now: the rows the mailer holds
 * ("sending") go back to the queue, and they and every due queued row get
 * reason as their last error; tried_id also counts an attempt. */
int store_outbox_hold(struct store *st, int64_t tried_id, int64_t now,
                      const char *reason, char **error_r);
/* Marks failed the queued rows that have failed before (a last error) and
 * were due before due_before; *n_r (may be NULL) gets their number. */
int store_outbox_give_up(struct store *st, int64_t due_before, size_t *n_r,
                         char **error_r);
/* The number of outbox rows in each status (counts_r indexed by enum
 * outbox_status), for /metrics. */
#define OUTBOX_NSTATUS 5
int store_outbox_counts(struct store *st, int64_t counts_r[OUTBOX_NSTATUS],
                        char **error_r);
/* wijkcal mail pause / resume, and whether it is paused. */
int store_mail_set_paused(struct store *st, bool paused, char **error_r);
int store_mail_paused(struct store *st, bool *paused_r, char **error_r);

#endif
