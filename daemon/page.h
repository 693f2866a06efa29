/*
 * page: the agenda pages in HTML (Dutch, readable on a phone, no external
 * assets): the list of wijken at "/", and the coming events of one feed
 * with buttons to subscribe to it (a wijk's public feed at /wijk/SLUG, a
 * private feed at /private/TOKEN). Pure functions from data to text: no
 * I/O, no clock, no database; every piece of user data is escaped.
 *
 * The subscribe links, all built from the feed's http(s) URL:
 *  - "Abonneren in Outlook" and "Apple Agenda": the webcal:// form of the
 *    URL (Outlook for Windows and Apple Calendar subscribe to it);
 *  - Microsoft 365 (work accounts) and Outlook.com (personal accounts):
 *    https://outlook.office.com/calendar/0/addfromweb?url=URL&name=NAME and
 *    the same on outlook.live.com, with the https URL (both services only
 *    subscribe to https);
 *  - "Google Agenda": https://calendar.google.com/calendar/r?cid=WEBCAL,
 *    the webcal:// URL percent-encoded (Google takes webcal, http or https);
 *  - "Kopieer link": the http(s) URL in a field, with a button.
 */
#ifndef WIJKCALD_PAGE_H
#define WIJKCALD_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"
#include "core/wtime.h"

#define PAGE_WHEN_SIZE 160 /* enough for any page_format_when text */
#define PAGE_CSP_SIZE  320 /* enough for page_csp's header value */

/* A link to a wijk's page on the index. */
struct page_wijk {
	const char *slug;
	const char *name;
};

/* One occurrence on an agenda page. */
struct page_item {
	const char *title;
	const char *location;   /* may be NULL */
	const char *online_url; /* may be NULL */
	const char *url;        /* more information; may be NULL */
	const char *kind_label; /* "Hagro"; may be NULL */
	struct wtime start;     /* wall time; date_only for an all-day event */
	struct wtime end;       /* wall time; all-day: the last day */
	bool cancelled;         /* the event, or this occurrence */
	bool moved;             /* this occurrence moved from its place */
};

/* An agenda page. */
struct page_agenda {
	const char *heading;   /* "Wijkagenda Heuvelland-Noord" */
	const char *feed_name; /* the calendar's name for Outlook */
	const char *feed_url;  /* the feed's http(s) URL */
	bool is_private;       /* a token page: not to be shared */
	struct wtime from, to; /* the period shown: dates, `to` exclusive */
	const struct page_item *items; /* in time order */
	size_t nitems;
	size_t nmore; /* occurrences in the period not shown (a cap) */
};

/* The page at "/": a link to each wijk's page. Returns the HTML (the
 * caller frees) and its length in *len_r. */
char *page_index(const struct page_wijk *wijken, size_t n, size_t *len_r);

/* An agenda page. Returns the HTML (the caller frees) and its length in
 * *len_r. */
char *page_agenda(const struct page_agenda *a, size_t *len_r);

/*
 * The Content-Security-Policy of every page: nothing from elsewhere, and
 * only this module's own inline style and script (by their SHA-256), so
 * that even markup that slipped through escaping could not run. Writes it
 * into buf (PAGE_CSP_SIZE bytes).
 */
void page_csp(char *buf, size_t size);

/* ---- the pieces, for the tests ---- */

/* Appends s with & < > " ' written as character references. */
void page_escape(struct strbuf *b, const char *s);
/* s percent-encoded as a URL query value: every byte but A-Z a-z 0-9 and
 * "-._~" as %XX. The caller frees. */
char *page_url_encode(const char *s);
/* The URL of a feed: base_url (trailing '/' dropped) "/" path. The caller
 * frees. */
char *page_feed_url(const char *base_url, const char *path);
/* feed_url with its http:// or https:// scheme replaced by webcal://
 * (another scheme is kept as it is). The caller frees. */
char *page_webcal_url(const char *feed_url);
/* The add-from-web link of Outlook on the web on host
 * ("outlook.office.com" or "outlook.live.com"). The caller frees. */
char *page_outlook_url(const char *host, const char *feed_url,
                       const char *name);
/* Google Calendar's link that subscribes to the feed. The caller frees. */
char *page_google_url(const char *feed_url);
/*
 * A Dutch text of when an item takes place, into buf (PAGE_WHEN_SIZE):
 * "dinsdag 12 januari 2027, 12:30–14:00"; ending on a later day "vrijdag
 * 1 oktober 2027, 22:00 – zaterdag 2 oktober 2027, 01:00"; all-day
 * "dinsdag 30 november 2027" or "vrijdag 1 oktober 2027 t/m zondag 3
 * oktober 2027".
 */
void page_format_when(const struct wtime *start, const struct wtime *end,
                      char *buf, size_t size);
/* A Dutch date: "dinsdag 12 januari 2027" (with_weekday) or "12 januari
 * 2027", into buf (at least 48 bytes). */
void page_format_date(const struct wtime *t, bool with_weekday, char *buf,
                      size_t size);

#endif
