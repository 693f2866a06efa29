/*
 * model: the domain's records (wijk, practice, organisation, person, event)
 * and the fixed vocabularies (roles, organisation kinds, event kinds). The
 * store reads and writes these; feeds render them.
 */
#ifndef WIJKCAL_MODEL_H
#define WIJKCAL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/recur.h"
#include "core/wtime.h"

/* NULL-terminated vocabularies. */
extern const char *const model_roles[];     /* huisarts, waarnemer, poh, ... */
extern const char *const model_org_kinds[]; /* welzijn, gemeente, ... */
extern const char *const model_event_kinds[]; /* wijklunch, hagro, ... */

/* True if word is in the NULL-terminated list. */
bool model_in_list(const char *const *list, const char *word);
/* The list joined with ", " for error messages; static storage. */
const char *model_list_text(const char *const *list);

/* Slugs: 1..64 of [a-z0-9-], starting with a letter or digit. Error:
 * "FIELD: expected a slug of lowercase letters, digits and '-'". */
int model_check_slug(const char *s, const char *field, char **error_r);
/* A work e-mail address: local@domain, no spaces or control characters,
 * at most 254 bytes. Error: "FIELD: expected an e-mail address like
 * name@example.nl". */
int model_check_email(const char *s, const char *field, char **error_r);
/* A one-line text (name, title, location, address): 1..max bytes of UTF-8
 * without control characters. */
int model_check_text(const char *s, const char *field, size_t max,
                     char **error_r);
/* A multi-line text (description): newlines and tabs allowed. */
int model_check_multiline(const char *s, const char *field, size_t max,
                          char **error_r);
/* An http(s) URL without spaces or control characters. */
int model_check_url(const char *s, const char *field, char **error_r);

struct wijk {
	int64_t id;
	char *slug, *name;
};

struct practice {
	int64_t id;
	char *slug, *name, *wijk,
	    *address; /* wijk: slug; address may be NULL */
};

struct org {
	int64_t id;
	char *slug, *name, *kind, *wijk; /* wijk may be NULL */
};

/* One affiliation: a role at a practice or at an organisation. */
struct affiliation {
	char *practice; /* slug, or NULL */
	char *org;      /* slug, or NULL */
	char *role;
};

struct person {
	int64_t id;
	char *email, *name, *big; /* big (BIG register number) may be NULL */
	struct affiliation *aff;
	size_t naff;
};

/* A moved or cancelled occurrence of a series. */
struct event_change {
	struct recur_exception exc;
	int sequence;     /* SEQUENCE of the override (>= the series') */
	int64_t modified; /* UTC seconds of its last change */
};

struct event {
	int64_t id;
	char *uid;
	char *kind;  /* one of model_event_kinds */
	char *wijk;  /* slug */
	char *title; /* SUMMARY */
	char *description, *location, *online_url, *url; /* may be NULL */
	char *organizer;      /* e-mail, may be NULL (config default) */
	struct wtime start;   /* wall time in tzid; date_only: all-day */
	int64_t duration_min; /* all-day: whole days * 1440 */
	char *tzid;           /* IANA name, WIJKCAL_TZID by default */
	char *rrule;          /* NULL for a single event */
	int points;           /* accreditation points; -1 unset */
	int capacity;         /* -1 unset */
	bool is_public, draft, cancelled;
	int sequence;
	int64_t created, modified; /* UTC seconds */
	char **audience;           /* expressions as written */
	size_t naudience;
	struct event_change *changes; /* EXDATEs and moved occurrences */
	size_t nchanges;
};

void wijk_free(struct wijk *w);
void practice_free(struct practice *p);
void org_free(struct org *o);
void person_free(struct person *p);
/* Frees the members of e (not e itself) and zeroes it. */
void event_free(struct event *e);
/* Frees an array of n events and the array. */
void event_array_free(struct event *events, size_t n);
/* Deep copy. */
void event_copy(struct event *dst, const struct event *src);

#endif
