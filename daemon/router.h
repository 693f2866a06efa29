/*
 * router: from a request's method and raw path to a route, plus the small
 * parsers of request headers the daemon needs (Accept-Encoding,
 * If-None-Match, If-Modified-Since) and the redaction of paths for the
 * access log. Pure functions: no I/O, no allocation, no global state, so
 * they are unit tested and fuzzed (tests/fuzz/fuzz_router.c).
 *
 * The path is the raw one from the request line, not percent-decoded: no
 * valid route needs an escape, so any '%' (and with it %2e%2e, %2f and
 * %00), a NUL, a backslash, a control or non-ASCII byte, "//", "." or ".."
 * segments are refused with 400 before any route is looked at.
 */
#ifndef WIJKCALD_ROUTER_H
#define WIJKCALD_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "feeds/feedset.h"

#define ROUTER_MAX_PATH 1024        /* longer paths get 414 */
#define ROUTER_KEY_MAX  64          /* a slug or kind, as model_check_slug */
#define ROUTER_ALLOW    "GET, HEAD" /* the Allow header of a 405 */

enum route_kind {
	ROUTE_FEED,         /* a feed: r->feed and r->key (FEED_TOKEN: the token
	                       of /feeds/private/TOKEN.ics, well formed) */
	ROUTE_HEALTHZ,      /* /healthz */
	ROUTE_METRICS,      /* /metrics */
	ROUTE_INDEX,        /* the agenda page "/": the list of wijken */
	ROUTE_WIJK_PAGE,    /* the agenda page /wijk/SLUG: r->key is the slug */
	ROUTE_PRIVATE_PAGE, /* the agenda page /private/TOKEN: r->key is the
	                       token, well formed */
	ROUTE_ERROR, /* answer r->status (400, 404, 405 or 414) at once */
};

/* What a request counts as in the metrics, by its path. */
enum route_label {
	LABEL_WIJK,
	LABEL_PRACTICE,
	LABEL_KIND,
	LABEL_PRIVATE,
	LABEL_HEALTHZ,
	LABEL_METRICS,
	LABEL_PAGE, /* the agenda pages */
	LABEL_OTHER,
	ROUTE_LABELS /* the number of labels */
};

struct route {
	enum route_kind kind;
	enum route_label label;
	int status;                   /* ROUTE_ERROR only */
	enum feed_type feed;          /* ROUTE_FEED only */
	char key[ROUTER_KEY_MAX + 1]; /* ROUTE_FEED: slug, kind or token;
	                                 the pages: slug or token */
};

/*
 * Matches a request. `path` holds `len` bytes (it may contain NUL bytes,
 * which are refused); `method` is NUL-terminated. Fills *r_out; never
 * fails. GET and HEAD are the only methods of every route; another method
 * on a known route gives 405, on an unknown path 404.
 */
void router_match(const char *method, const char *path, size_t len,
                  struct route *r_out);

/* The metrics label of a route: "wijk", "practice", ..., "other". */
const char *router_label_name(enum route_label label);

/*
 * True if an Accept-Encoding header value (NULL: no header) lets us answer
 * with gzip: "gzip" or "x-gzip" with a q above 0, or "*" with a q above 0
 * when gzip is not named.
 */
bool router_accepts_gzip(const char *accept_encoding);

/*
 * True if an If-None-Match header value matches either entity tag (given
 * with their quotes, like "\"abc\""); weak comparison, so W/"abc" matches
 * too, and "*" matches anything. etag_b may be NULL.
 */
bool router_etag_match(const char *if_none_match, const char *etag_a,
                       const char *etag_b);

/* An HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT", IMF-fixdate): returns 0
 * and the time in *t_r, or -1 for anything else. */
int router_parse_http_date(const char *s, time_t *t_r);
/* Formats t as an IMF-fixdate into buf (at least ROUTER_DATE_SIZE bytes). */
#define ROUTER_DATE_SIZE 64
void router_format_http_date(time_t t, char *buf);

/*
 * Copies a path into buf (size bytes, at least 32) for a log line: the
 * token of /feeds/private/TOKEN... and /private/TOKEN... is replaced by
 * "[token]", bytes outside printable ASCII are written as \xNN, and a long
 * path is cut and ends in "...". `len` is the path's length.
 */
void router_log_path(const char *path, size_t len, char *buf, size_t size);

#endif
