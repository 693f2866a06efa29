/*
 * import: reads events from an .ics file (Outlook, Google or wijkcal
 * exports). The file is untrusted: its size is capped, every RRULE goes
 * through recur_check, and text fields are checked like CLI input.
 */
#ifndef WIJKCAL_IMPORT_H
#define WIJKCAL_IMPORT_H

#include <stddef.h>

#include "core/model.h"

/* Limits on an untrusted file: its size, its VEVENTs, the EXDATEs and
 * moved occurrences of one series, and how deep BEGIN:... may nest (a
 * VALARM in a VEVENT in the VCALENDAR is 3). */
#define IMPORT_ICS_MAX_BYTES   (16u * 1024 * 1024)
#define IMPORT_ICS_MAX_EVENTS  100000
#define IMPORT_ICS_MAX_CHANGES 2000
#define IMPORT_ICS_MAX_DEPTH   8

/*
 * Parses iCalendar text (len bytes, not necessarily NUL-terminated) into
 * events: one struct event per UID (the series), with moved occurrences
 * (VEVENTs with RECURRENCE-ID) and EXDATEs as changes. Times with a TZID or
 * in UTC are converted to wall time in WIJKCAL_TZID; VALUE=DATE gives
 * all-day events. Filled: uid, title, description, location, url, start,
 * duration_min, tzid, rrule, cancelled (STATUS:CANCELLED), sequence,
 * changes; kind when a CATEGORIES value is one of model_event_kinds; and
 * online_url, points and capacity when the DESCRIPTION ends in the lines
 * render_event writes for them (so a wijkcal feed reads back as it was;
 * otherwise points and capacity are -1). The caller sets wijk, audience and
 * the rest. TZIDs: IANA names, the Windows names Outlook writes ("W. Europe
 * Standard Time"), else the file's own VTIMEZONE; floating times count as
 * WIJKCAL_TZID. On error returns -1 with a message that names the event
 * ("event 3 (UID x): DTSTART: expected a date or date-time") in *error_r and
 * leaves *events_r NULL. The caller frees with event_array_free.
 */
int import_ics(const char *text, size_t len, struct event **events_r,
               size_t *nevents_r, char **error_r);

#endif
