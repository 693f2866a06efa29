/*
 * event_opts: the options of `event add` and `event edit`, and how they are
 * applied to an event. Shared by event.c and import.c.
 */
#ifndef WIJKCAL_CLI_EVENT_OPTS_H
#define WIJKCAL_CLI_EVENT_OPTS_H

#include <getopt.h>

#include "cli/cli.h"
#include "core/model.h"

/* Every option as given: NULL = not given, "" = clear it (edit). */
struct event_opts {
	const char *kind, *wijk, *title, *start, *date, *end, *duration;
	const char *rrule, *location, *description, *online, *url;
	const char *points, *capacity, *organizer;
	const char **audience; /* repeated --audience */
	size_t naudience;
	bool audience_given;
	int is_public; /* -1 not given, 0 --private, 1 --public */
	bool draft, force;
	bool no_notify; /* edit: keep the SEQUENCE, mail nobody */
};

extern const struct option event_options[];
/* getopt callback for event_options. */
int event_opt(void *arg, int code, const char *value, char **err);
void event_opts_free(struct event_opts *o);

/*
 * Applies the options to e: a new event (e->uid NULL) gets the kind's
 * defaults from the config first. Validates every field and the RRULE, and
 * checks audience expressions against the registry. Returns WK_OK or an
 * error naming the option. *visible_r (may be NULL) tells whether a field
 * attendees see changed (title, time, place, description, rule, link).
 */
int event_opts_apply(struct cli *c, const struct event_opts *o, struct event *e,
                     bool *visible_r, char **err);

/* A new random UID ("<32 hex digits>@wijkcal"); caller frees. */
char *event_new_uid(void);

#endif
