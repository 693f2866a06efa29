/*
 * imip: the mail a person gets about an event (RFC 6047 iMIP): a Dutch
 * text and HTML body and, for an invitation, update or cancellation, the
 * event as iCalendar (METHOD:REQUEST or CANCEL, made with libical) both in
 * the multipart/alternative and as invite.ics. From is smtp.from, Reply-To
 * and ORGANIZER the organiser, the recipient the one ATTENDEE (RSVP=TRUE
 * on a request). A reminder carries the text only.
 */
#ifndef WIJKCAL_IMIP_H
#define WIJKCAL_IMIP_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/model.h"
#include "core/store.h"

struct imip_message {
	enum outbox_kind kind;
	const struct event *event;
	/* The occurrence a reminder, or a REQUEST or CANCEL for one moved
	 * or cancelled occurrence, is about; "" for the whole event. */
	const char *recurrence_id;
	const char *to_email;
	const char *to_name;    /* may be NULL */
	const char *message_id; /* "<...@...>", stable per outbox row */
	int64_t date;           /* UTC seconds for the Date header */
};

/* "REQUEST" or "CANCEL" for a kind; NULL for a reminder. */
const char *imip_method(enum outbox_kind kind);

/*
 * The calendar part: a VCALENDAR with METHOD, the event's VTIMEZONE and
 * VEVENT(s) with ORGANIZER and the recipient as ATTENDEE. Caller frees;
 * NULL with a message on failure.
 */
char *imip_calendar(const struct imip_message *im, const struct config *cfg,
                    char **error_r);

/*
 * The whole message (feeds/mimemsg.h): its bytes, *len_r their count.
 * Caller frees; NULL with a message (a header value that cannot be sent).
 */
char *imip_build(const struct imip_message *im, const struct config *cfg,
                 size_t *len_r, char **error_r);

/*
 * What a builder of many messages keeps between them. A calendar part
 * differs between the recipients of one event in its ATTENDEE line only:
 * it is rendered once per event, kind, occurrence and database version,
 * and each message gets its own ATTENDEE line (libical's) in it. The
 * parsed templates are kept too (feeds/imip_text.h). Not thread-safe: one
 * cache per thread.
 */
struct imip_cache;
struct imip_cache *imip_cache_new(void);
void imip_cache_free(struct imip_cache **cache);

/* imip_build, the same bytes, with a cache. `version` must change
 * whenever anything the message shows may have (feed_state.version). */
char *imip_build_cached(const struct imip_message *im, const struct config *cfg,
                        struct imip_cache *cache, int64_t version,
                        size_t *len_r, char **error_r);

/* The subject, e.g. "Uitnodiging: Hagro Noord, dinsdag 12 januari 2027
 * 12:30". Caller frees. */
char *imip_subject(const struct imip_message *im);

#endif
