/*
 * feedset: which events go into which feed, and the feed's bytes. A feed
 * is a pure function of the database: the same data gives the same bytes.
 * Public feeds (wijk, practice, kind) hold public events only and no e-mail
 * address; the internal wijk feed holds all its events; a person's feed the
 * events whose audience holds them, with their own ATTENDEE line. The two
 * private feeds are published under a token (core/token.h): FEED_TOKEN
 * names a feed by its token, and the feedset_token_* functions issue,
 * revoke and look up tokens.
 */
#ifndef WIJKCAL_FEEDSET_H
#define WIJKCAL_FEEDSET_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/store.h"
#include "core/token.h"

enum feed_type {
	FEED_WIJK,          /* public: feeds/wijk/SLUG.ics */
	FEED_WIJK_INTERNAL, /* private: all events of the wijk */
	FEED_PRACTICE,      /* public: the practice's wijk, public events */
	FEED_KIND,          /* public: public events of one kind */
	FEED_PERSON,        /* private: the person's events */
	FEED_TOKEN,         /* private, by its token: feeds/private/TOKEN.ics,
	                       a FEED_PERSON or FEED_WIJK_INTERNAL feed */
};

struct feed_spec {
	enum feed_type type;
	const char *key; /* slug, kind, e-mail or token */
};

/*
 * Renders one feed. Returns WK_OK with the text in *text_r (caller frees)
 * and its length in *len_r, or an error (WK_ENOTFOUND for an unknown wijk,
 * practice, kind or person).
 */
int feedset_render(struct store *st, const struct config *cfg,
                   const struct feed_spec *spec, char **text_r, size_t *len_r,
                   char **error_r);

/*
 * Writes every public feed below dir, laid out as the daemon's URL paths:
 * DIR/feeds/wijk/SLUG.ics, DIR/feeds/practice/SLUG.ics and
 * DIR/feeds/kind/KIND.ics. Each event is rendered once and its text shared
 * by every feed that holds it. Each file is written to a temporary name and
 * renamed, so a reader never sees half a feed. *nfeeds_r and *bytes_r (may
 * be NULL) get the totals.
 */
int feedset_export_all(struct store *st, const struct config *cfg,
                       const char *dir, size_t *nfeeds_r, size_t *bytes_r,
                       char **error_r);

/*
 * Writes every private feed below dir under its token's path,
 * DIR/feeds/private/TOKEN.ics: each person's own feed and each wijk's
 * internal feed, with the tokens `wijkcal feed url` prints (derived under
 * key from the counters in the database, which is only read). Files of
 * earlier runs in that folder whose token is no longer live (revoked, or
 * of a forgotten person) are removed; the folder is mode 0711, so others
 * can open a file they know the name of but cannot list it. *nfeeds_r and
 * *bytes_r (may be NULL) get the totals.
 */
int feedset_export_private(struct store *st, const struct config *cfg,
                           const struct token_key *key, const char *dir,
                           size_t *nfeeds_r, size_t *bytes_r, char **error_r);

/*
 * The live token of a private feed (FEED_PERSON or FEED_WIJK_INTERNAL)
 * into token_r, derived under key. Stores the hash of the token, so that
 * the daemon opens it: a write, to run inside a transaction. With revoke,
 * the feed's counter goes up first, and the earlier token opens nothing
 * any more. Returns WK_OK, WK_ENOTFOUND for an unknown person or wijk,
 * WK_EINVAL for a public feed, or a store error.
 */
int feedset_token_issue(struct store *st, const struct token_key *key,
                        const struct feed_spec *spec, bool revoke,
                        char token_r[TOKEN_LEN + 1], char **error_r);

/*
 * The feed a token opens (for the daemon's private routes). Returns WK_OK
 * with spec_r->type FEED_PERSON or FEED_WIJK_INTERNAL and spec_r->key
 * pointing at *id_r (the e-mail or slug; caller frees *id_r), or
 * WK_ENOTFOUND with the message "unknown feed" (never the token) for a
 * malformed, unknown or revoked token.
 */
int feedset_token_spec(struct store *st, const char *token,
                       struct feed_spec *spec_r, char **id_r, char **error_r);

/* The URL path of a feed ("feeds/wijk/noord.ics"; a FEED_TOKEN feed's is
 * "feeds/private/TOKEN.ics"); caller frees. */
char *feedset_path(const struct feed_spec *spec);

#endif
