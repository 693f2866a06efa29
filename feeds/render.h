/*
 * render: iCalendar text for feeds, made with libical. Each event is
 * rendered once into a block of VEVENTs (the series plus one VEVENT per moved
 * occurrence); a feed is a VCALENDAR header, the VTIMEZONEs it uses, and
 * such blocks. Output is CRLF, folded at 75 octets without splitting a UTF-8
 * character, and byte-for-byte the same for the same data (DTSTAMP and
 * LAST-MODIFIED come from the event's last change, not from the clock).
 */
#ifndef WIJKCAL_RENDER_H
#define WIJKCAL_RENDER_H

#include <stddef.h>

#include "core/model.h"

/* Who reads the feed: decides which fields an event shows. */
enum render_audience {
	RENDER_PUBLIC,   /* no e-mail addresses at all (no ORGANIZER) */
	RENDER_INTERNAL, /* ORGANIZER, no attendees */
	RENDER_PERSONAL, /* ORGANIZER and the one ATTENDEE */
};

struct render_event_opts {
	enum render_audience audience;
	const char *organizer_default; /* used when the event has none */
	/* RENDER_PERSONAL: the subscriber, as ATTENDEE. */
	const char *attendee_email;
	const char *attendee_name;
	/* 0: no VALARM; otherwise a VALARM this many minutes before. */
	int alarm_minutes;
};

/*
 * Renders an event (not a draft) as its VEVENT block(s): UID, DTSTAMP,
 * SEQUENCE, DTSTART/DTEND with TZID (VALUE=DATE when all-day), RRULE, EXDATE,
 * SUMMARY, LOCATION, DESCRIPTION (with the online link and accreditation
 * points), STATUS, CATEGORIES (the kind), URL, LAST-MODIFIED, and one VEVENT
 * with RECURRENCE-ID per moved occurrence (its SEQUENCE never below the
 * series'). Returns CRLF-terminated, folded text; the caller frees.
 */
char *render_event(const struct event *e, const struct render_event_opts *o);

struct render_feed_opts {
	const char *calname;    /* X-WR-CALNAME, e.g. "Wijkagenda Noord" */
	const char *tzid;       /* X-WR-TIMEZONE, WIJKCAL_TZID by default */
	int refresh_minutes;    /* REFRESH-INTERVAL and X-PUBLISHED-TTL */
};

/*
 * Assembles a VCALENDAR (VERSION, PRODID, METHOD:PUBLISH, X-WR-CALNAME,
 * X-WR-TIMEZONE, REFRESH-INTERVAL, X-PUBLISHED-TTL, a compact VTIMEZONE per
 * TZID in tzids) around the given pre-rendered blocks, in order. Returns the
 * text; the caller frees. *len_r (may be NULL) gets its length.
 */
char *render_feed(const struct render_feed_opts *o, const char *const *tzids,
		  size_t ntzids, const char *const *blocks, size_t nblocks,
		  size_t *len_r);

/*
 * The VTIMEZONE of an IANA zone in the compact form Outlook writes: one
 * STANDARD and one DAYLIGHT sub-component with a yearly RRULE, DTSTART in
 * 1970, no UNTIL and no RDATE, TZID the plain IANA name. Returns CRLF text
 * (caller frees), or NULL if the zone is unknown.
 */
char *render_vtimezone(const char *tzid);

#endif
