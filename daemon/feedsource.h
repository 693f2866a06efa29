/*
 * feedsource: where the daemon's feeds come from: the database (a store
 * handle of its own) and the configuration (kind labels, time zone, refresh
 * interval), read under one lock so that a reload on SIGHUP never changes
 * the configuration under a render. Its render function is what the feed
 * cache calls on a miss, and gives exactly the bytes of `wijkcal export
 * ics`: both call feedset_render.
 */
#ifndef WIJKCALD_FEEDSOURCE_H
#define WIJKCALD_FEEDSOURCE_H

#include <stddef.h>

#include "core/config.h"
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

/* Swaps the contents of the source's config and *next under the lock, so
 * that *next holds the old configuration afterwards (the caller frees it). */
void feedsource_swap_config(struct feedsource *fs, struct config *next);

#endif
