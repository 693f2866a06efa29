/*
 * zone: libical's builtin time zones, looked up by a name that may come from
 * an untrusted file. libical 3.0 turns an unknown name into a path under
 * /usr/share/zoneinfo and opens it ("../../../dev/stdin" included), so only
 * names shaped like IANA names ever reach it.
 */
#ifndef WIJKCAL_ZONE_H
#define WIJKCAL_ZONE_H

#include <libical/ical.h>
#include <stdbool.h>

/* True if name looks like an IANA zone name: 1..64 bytes of letters,
 * digits, '_', '-', '+' and '/' between parts; no '.', so no "..". */
bool zone_name_ok(const char *name);

/* libical's builtin zone for an IANA name ("UTC" and "Etc/UTC" give the
 * UTC zone), or NULL if unknown or not shaped like a zone name. libical
 * owns the zone; it is loaded once per process. */
icaltimezone *zone_builtin(const char *name);

#endif
