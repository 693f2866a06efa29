/*
 * feedcache: the rendered bytes of each feed, kept until the database
 * changes, so that a subscriber's poll is answered from memory.
 *
 * Per feed path the cache keeps a `struct feed`: the bytes, their gzip
 * form, an ETag (the first 128 bits of the SHA-256 of the bytes) and a
 * Last-Modified time (when the bytes last changed). All entries share one
 * memory bound; the least recently used go first. feedcache_invalidate
 * (the database changed) drops every body but keeps each path's ETag and
 * Last-Modified, so a feed that renders to the same bytes as before keeps
 * its Last-Modified and clients keep their copy.
 *
 * Thread-safe: lookups run in parallel; renders run one at a time, so that
 * many clients missing the same feed at once render it once.
 */
#ifndef WIJKCALD_FEEDCACHE_H
#define WIJKCALD_FEEDCACHE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "feeds/feedset.h"

#define FEED_ETAG_SIZE 40 /* "\"" 32 hex digits "-gz\"" and NUL */

/*
 * One rendered feed. Immutable once returned, so any thread may read it;
 * each holder owns one reference and gives it back with feed_unref.
 */
struct feed {
	char *body; /* the feed's bytes (NUL-terminated) */
	size_t body_len;
	char *gz; /* gzip (RFC 1952) of body, or NULL if zlib failed */
	size_t gz_len;
	char etag[FEED_ETAG_SIZE];    /* "\"<hex>\"", of body */
	char etag_gz[FEED_ETAG_SIZE]; /* "\"<hex>-gz\"", of gz */
	time_t last_modified;         /* when these bytes were first seen */
	atomic_int refs;              /* private to feedcache.c */
};

/*
 * Renders the feed `spec` into *text_r (malloc'd; the cache takes it) and
 * *len_r, or returns an enum wk_err with a message in *error_r. Called
 * with no cache lock held, one call at a time.
 */
typedef int (*feedcache_render_fn)(void *ctx, const struct feed_spec *spec,
                                   char **text_r, size_t *len_r,
                                   char **error_r);

struct feedcache;

struct feedcache_stats {
	uint64_t hits;          /* lookups answered from memory */
	uint64_t misses;        /* lookups that had to wait for a render */
	uint64_t renders;       /* successful renders */
	uint64_t render_errors; /* renders that failed (unknown slug too) */
	uint64_t evictions;     /* entries dropped for the memory bound */
	uint64_t invalidations; /* feedcache_invalidate calls */
	size_t entries;         /* paths known now */
	size_t bytes;           /* memory charged to the entries now */
	size_t limit;           /* the bound */
};

/* A cache holding at most limit_bytes; render(ctx, ...) fills misses.
 * Free it with feedcache_free. */
struct feedcache *feedcache_new(size_t limit_bytes, feedcache_render_fn render,
                                void *ctx);
/* Frees the cache; feeds still referenced elsewhere live on until their
 * last feed_unref. Sets *c to NULL. */
void feedcache_free(struct feedcache **c);

/*
 * The feed of `spec`, from memory or rendered now; `now` is the time for
 * Last-Modified of bytes never seen before. Returns WK_OK and a reference
 * in *feed_r (give it back with feed_unref), or the render's error
 * (WK_ENOTFOUND for an unknown slug or kind) with a message in *error_r.
 * A feed larger than the whole bound is returned but not kept.
 */
int feedcache_get(struct feedcache *c, const struct feed_spec *spec, time_t now,
                  struct feed **feed_r, char **error_r);

/* The database changed: drops every body (a render running now is not
 * kept either). */
void feedcache_invalidate(struct feedcache *c);
/* Sets a new memory bound, evicting at once if needed. */
void feedcache_set_limit(struct feedcache *c, size_t limit_bytes);
void feedcache_stats(struct feedcache *c, struct feedcache_stats *s_r);

/* A new reference to f. */
struct feed *feed_ref(struct feed *f);
/* Gives back one reference; the last frees the feed. Sets *f to NULL. */
void feed_unref(struct feed **f);

#endif
