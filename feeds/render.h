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

#include <stdbool.h>
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
	const char *organizer_name;    /* CN of the ORGANIZER; may be NULL */
	/* RENDER_PERSONAL: the subscriber, as ATTENDEE. */
	const char *attendee_email;
	const char *attendee_name;
	/* 0: no VALARM; otherwise a VALARM this many minutes before. */
	int alarm_minutes;
	/* iMIP REQUEST: RSVP=TRUE on the ATTENDEE. */
	bool rsvp;
};

/*
 * Renders an event (not a draft) as its VEVENT block(s): UID, DTSTAMP,
 * SEQUENCE, CREATED, LAST-MODIFIED (both stamps from e->modified, or a
 * change's own modified), DTSTART/DTEND with TZID (VALUE=DATE when all-day,
 * "Z" when tzid is "UTC"), RRULE, EXDATE per cancelled occurrence, SUMMARY,
 * LOCATION, DESCRIPTION (the text, then "Online deelnemen: URL",
 * "Accreditatie: N punten" and "Maximaal N deelnemers" lines as set),
 * URL, STATUS (CONFIRMED or CANCELLED), CATEGORIES (the kind), ORGANIZER
 * and ATTENDEE by audience, a VALARM (not on cancelled events), and one
 * VEVENT with RECURRENCE-ID per moved occurrence (its SEQUENCE never below
 * the series'). Changes are written in order of their original start.
 * Returns CRLF-terminated, folded text; the caller frees. Thread-safe.
 */
char *render_event(const struct event *e, const struct render_event_opts *o);

/*
 * One occurrence of a series on its own, as an iMIP message about it
 * carries it: the VEVENT with RECURRENCE-ID the original start of c, its
 * (moved) DTSTART and DTEND, SEQUENCE and stamps as render_event gives its
 * override, and STATUS:CANCELLED when c is cancelled (DTSTART then the
 * original start). No RRULE or EXDATE. Returns CRLF text; the caller frees.
 */
char *render_occurrence(const struct event *e, const struct event_change *c,
                        const struct render_event_opts *o);

/* The ATTENDEE line a personal rendering has for this email, name (may be
 * NULL) and rsvp, as render_event writes it. Caller frees. */
char *render_attendee(const char *email, const char *name, bool rsvp);

struct render_feed_opts {
	const char *calname; /* X-WR-CALNAME, e.g. "Wijkagenda Noord" */
	const char *tzid;    /* X-WR-TIMEZONE, WIJKCAL_TZID by default */
	int refresh_minutes; /* REFRESH-INTERVAL and X-PUBLISHED-TTL;
	                        60 when 0 or less */
	/* NULL: a feed (METHOD:PUBLISH and the above). "REQUEST" or
	 * "CANCEL": an iMIP message, with that METHOD and none of the
	 * feed's properties. */
	const char *imip_method;
};

/*
 * Assembles a VCALENDAR (VERSION, PRODID, CALSCALE, METHOD:PUBLISH,
 * X-WR-CALNAME, X-WR-TIMEZONE, REFRESH-INTERVAL, X-PUBLISHED-TTL, a compact
 * VTIMEZONE per TZID in tzids) around the given pre-rendered blocks, in
 * order. A TZID given twice gets one VTIMEZONE; "UTC" and unknown zones
 * none. Only copies bytes once the zones are cached. Returns the text; the
 * caller frees. *len_r (may be NULL) gets its length.
 */
char *render_feed(const struct render_feed_opts *o, const char *const *tzids,
                  size_t ntzids, const char *const *blocks, size_t nblocks,
                  size_t *len_r);

/*
 * The VTIMEZONE of an IANA zone in the compact form Outlook writes: one
 * STANDARD and one DAYLIGHT sub-component with a yearly RRULE, DTSTART in
 * 1970, no UNTIL and no RDATE, TZID the plain IANA name; a zone without
 * daylight saving gets one STANDARD. The rules are those in force today,
 * checked against the zone's real transitions in 2030. Returns CRLF text
 * (caller frees), or NULL if the zone is unknown or its rules cannot be
 * written this way (Africa/Casablanca, whose offset follows Ramadan).
 */
char *render_vtimezone(const char *tzid);

#endif
