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
#define STORE_SCHEMA_VERSION 2

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
int store_practice_get(struct store *st, const char *slug,
		       struct practice *p_r, char **error_r);
/* wijk NULL: all practices. */
int store_practice_list(struct store *st, const char *wijk,
			struct practice **list_r, size_t *n_r, char **error_r);
int store_org_add(struct store *st, const struct org *o, char **error_r);
int store_org_get(struct store *st, const char *slug, struct org *o_r,
		  char **error_r);
int store_org_list(struct store *st, struct org **list_r, size_t *n_r,
		   char **error_r);

/* Adds a person with the affiliations in p->aff. */
int store_person_add(struct store *st, const struct person *p,
		     char **error_r);
/* Adds one affiliation to an existing person (WK_EEXIST if present). */
int store_person_link(struct store *st, const char *email,
		      const struct affiliation *a, char **error_r);
/* Changes name and BIG number of the person with p->email. */
int store_person_update(struct store *st, const struct person *p,
			char **error_r);
int store_person_get(struct store *st, const char *email,
		     struct person *p_r, char **error_r);
/* All persons (with affiliations), by e-mail. */
int store_person_list(struct store *st, struct person **list_r, size_t *n_r,
		      char **error_r);
/* Erases a person everywhere (AVG): the record, affiliations, person:
 * terms in audiences (a group left without persons is dropped), as
 * organiser (events fall back to the configured organiser), and the token
 * of their private feed. */
int store_person_forget(struct store *st, const char *email, char **error_r);

/*
 * Checks an audience expression against the registry: every slug, kind,
 * role and e-mail named must exist. Returns WK_OK, WK_EINVAL (syntax) or
 * WK_ENOTFOUND ("--audience: unknown wijk zuid").
 */
int store_audience_check(struct store *st, const char *expr,
			 char **error_r);
/* The persons in the union of the groups (ids sorted by e-mail). */
int store_audience_resolve(struct store *st, char *const *exprs, size_t n,
			   struct person **list_r, size_t *n_r,
			   char **error_r);

/*
 * Private feed tokens (core/token.h): per feed, named by kind and id (the
 * e-mail or the wijk slug), a revocation counter and the hash of its live
 * token. store_person_forget deletes a person's row.
 */
/* The counter of a feed; 0 when none is stored. */
int store_token_counter(struct store *st, enum token_kind kind,
			const char *id, int64_t *counter_r, char **error_r);
/* Stores the feed's counter and the hash (token_hash) of its live token,
 * replacing its earlier row: the earlier token opens nothing any more. */
int store_token_set(struct store *st, enum token_kind kind, const char *id,
		    int64_t counter, const char *hash, char **error_r);
/* The feed whose live token has this hash: its kind, and its id in *id_r
 * (caller frees); WK_ENOTFOUND ("unknown feed") when none has. */
int store_token_find(struct store *st, const char *hash,
		     enum token_kind *kind_r, char **id_r, char **error_r);
/* Deletes the row of a feed, if any. */
int store_token_delete(struct store *st, enum token_kind kind,
		       const char *id, char **error_r);

/* Events. insert fills e->id; update replaces every column, the audience
 * and the changes of the event with e->id. */
int store_event_insert(struct store *st, struct event *e, char **error_r);
int store_event_update(struct store *st, const struct event *e,
		       char **error_r);
/* By id ("12") or UID. */
int store_event_get(struct store *st, const char *id_or_uid, struct event *e_r,
		    char **error_r);
/* WK_ENOTFOUND when no event has this UID. */
int store_event_get_by_uid(struct store *st, const char *uid,
			   struct event *e_r, char **error_r);

/* Which events store_event_list returns; NULL/false fields do not filter. */
struct event_filter {
	const char *wijk;
	const char *kind;
	bool public_only;     /* is_public and not draft */
	bool include_drafts;  /* drafts are left out unless set */
	int64_t from_utc;     /* events that may have occurrences at or after */
	int64_t to_utc;       /* ... and before; 0 = no bound */
};
/* Events ordered by start, with audience and changes. */
int store_event_list(struct store *st, const struct event_filter *f,
		     struct event **list_r, size_t *n_r, char **error_r);

#endif
