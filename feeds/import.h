/*
 * import: reads events from an .ics file (Outlook, Google or wijkcal
 * exports). The file is untrusted: its size is capped, every RRULE goes
 * through recur_check, and text fields are checked like CLI input.
 */
#ifndef WIJKCAL_IMPORT_H
#define WIJKCAL_IMPORT_H

#include <stddef.h>

#include "core/model.h"

#define IMPORT_ICS_MAX_BYTES (16u * 1024 * 1024)
#define IMPORT_ICS_MAX_EVENTS 100000

/*
 * Parses iCalendar text (len bytes, not necessarily NUL-terminated) into
 * events: one struct event per UID (the series), with moved occurrences
 * (VEVENTs with RECURRENCE-ID) and EXDATEs as changes. Times with a TZID or
 * in UTC are converted to wall time in WIJKCAL_TZID; VALUE=DATE gives
 * all-day events. Filled: uid, title, description, location, url, start,
 * duration_min, tzid, rrule, cancelled (STATUS:CANCELLED), sequence,
 * changes; the caller sets kind, wijk, audience and the rest. On error
 * returns -1 with a message that names the event ("event 3 (UID x): DTSTART:
 * expected a date-time") in *error_r and leaves *events_r NULL.
 */
int import_ics(const char *text, size_t len, struct event **events_r,
	       size_t *nevents_r, char **error_r);

#endif
