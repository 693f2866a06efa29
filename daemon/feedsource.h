/*
 * feedsource: where the daemon's feeds come from: the database (a store
 * handle of its own) and the configuration (kind labels, time zone, refresh
 * interval), read under one lock so that a reload on SIGHUP never changes
 * the configuration under a render. Its render function is what the feed
 * cache calls on a miss, and gives exactly the bytes of `wijkcal export
 * ics`: both call feedset_render. A private feed (FEED_TOKEN) is looked up
 * by its token's hash on every render, so a revoked token opens nothing
 * once the cache has seen the change.
 */
#ifndef WIJKCALD_FEEDSOURCE_H
#define WIJKCALD_FEEDSOURCE_H

#include <stddef.h>

#include "core/config.h"
#include "core/store.h"
#include "feeds/feedset.h"

struct feedsource;

/*
 * Opens cfg->database for reading. The source keeps the pointer cfg (the
 * caller's struct, which must outlive it) and reads it during renders.
 * Returns WK_OK, or an error with a message in *error_r (a missing file
 * says to run `wijkcal init`).
 */
int feedsource_open(struct config *cfg, struct feedsource **fs_r,
                    char **error_r);
void feedsource_close(struct feedsource **fs);

/* A feedcache_render_fn: ctx is a struct feedsource. */
int feedsource_render(void *ctx, const struct feed_spec *spec, char **text_r,
                      size_t *len_r, char **error_r);

/*
 * The feed a private token opens (for pages at /private/TOKEN): as
 * feedset_token_spec, under the source's lock. WK_OK with spec_r->key
 * pointing at *id_r (the e-mail or slug; caller frees *id_r), or
 * WK_ENOTFOUND for a malformed, unknown or revoked token, with a message
 * that never holds the token.
 */
int feedsource_token_spec(struct feedsource *fs, const char *token,
                          struct feed_spec *spec_r, char **id_r,
                          char **error_r);

/*
 * Calls fn(st, cfg, arg) under the source's lock with its store and its
 * configuration, and returns what fn returns: for the agenda pages, which
 * read both. fn must not keep either pointer.
 */
typedef int (*feedsource_fn)(struct store *st, const struct config *cfg,
                             void *arg);
int feedsource_with(struct feedsource *fs, feedsource_fn fn, void *arg);

/* Swaps the contents of the source's config and *next under the lock, so
 * that *next holds the old configuration afterwards (the caller frees it). */
void feedsource_swap_config(struct feedsource *fs, struct config *next);

#endif
