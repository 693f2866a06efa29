/*
 * feedset: which events go into which feed, and the feed's bytes. A feed
 * is a pure function of the database: the same data gives the same bytes.
 * Public feeds (wijk, practice, kind) hold public events only and no e-mail
 * address; the internal wijk feed holds all its events; a person's feed the
 * events whose audience holds them, with their own ATTENDEE line.
 */
#ifndef WIJKCAL_FEEDSET_H
#define WIJKCAL_FEEDSET_H

#include <stddef.h>

#include "core/config.h"
#include "core/store.h"

enum feed_type {
	FEED_WIJK,          /* public: feeds/wijk/SLUG.ics */
	FEED_WIJK_INTERNAL, /* private: all events of the wijk */
	FEED_PRACTICE,      /* public: the practice's wijk, public events */
	FEED_KIND,          /* public: public events of one kind */
	FEED_PERSON,        /* private: the person's events */
};

struct feed_spec {
	enum feed_type type;
	const char *key; /* slug, kind or e-mail */
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

/* The URL path of a public feed ("feeds/wijk/noord.ics"); caller frees. */
char *feedset_path(const struct feed_spec *spec);

#endif
