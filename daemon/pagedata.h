/*
 * pagedata: what the agenda pages show, read from the database and the
 * configuration and handed to page.c for the HTML. "/" lists the wijken;
 * /wijk/SLUG shows the occurrences of the wijk's public feed (public
 * events, drafts left out, cancelled ones marked) from the start of today
 * for PAGEDATA_DAYS days, cancelled occurrences of a series included and
 * marked; /private/TOKEN the same for the private feed the token opens (a
 * person's own events, or every event of a wijk). The subscribe links use
 * http.base_url. Rendered per request (a page is cheap, and depends on the
 * day as well as the data).
 */
#ifndef WIJKCALD_PAGEDATA_H
#define WIJKCALD_PAGEDATA_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/feedsource.h"
#include "daemon/router.h"

#define PAGEDATA_DAYS      91  /* the period shown, from today */
#define PAGEDATA_MAX_ITEMS 400 /* occurrences on one page at most */

/*
 * The HTML of the page of route kind `kind` (ROUTE_INDEX, ROUTE_WIJK_PAGE
 * or ROUTE_PRIVATE_PAGE) with key (the slug or token; unused for the
 * index), for the day of `now` (UTC seconds, from now_utc() so that tests
 * can pin it) in the configured zone. Reads under fs's lock. Returns WK_OK with
 * the HTML in *html_r (the caller frees) and its length in *len_r; WK_ENOTFOUND
 * for an unknown wijk or a malformed, unknown or revoked token (the message
 * never holds the token); or another error with a message.
 */
int pagedata_render(struct feedsource *fs, enum route_kind kind,
                    const char *key, int64_t now, char **html_r, size_t *len_r,
                    char **error_r);

#endif
