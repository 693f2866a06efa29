/*
 * audience: who an event is for. An expression is one group: terms separated
 * by spaces, each `key:value[,value...]`; a person is in the group when they
 * match every term (wijk, practice, org, org-kind and role are matched
 * against one and the same affiliation; person against the e-mail). An
 * event's audience is the union of its groups. Expressions are stored as
 * written and resolved when used (store_audience_resolve), so someone who
 * joins a practice later is invited to its future meetings.
 */
#ifndef WIJKCAL_AUDIENCE_H
#define WIJKCAL_AUDIENCE_H

#include <stdbool.h>
#include <stddef.h>

enum aud_key {
	AUD_WIJK,
	AUD_PRACTICE,
	AUD_ORG,
	AUD_ORG_KIND,
	AUD_ROLE,
	AUD_PERSON,
	AUD_NKEYS
};

struct aud_term {
	enum aud_key key;
	char **values; /* nvalues >= 1 */
	size_t nvalues;
};

struct aud_group {
	struct aud_term *terms; /* at most one per key, nterms >= 1 */
	size_t nterms;
};

/* The term's key as written ("wijk", "org-kind", ...). */
const char *audience_key_name(enum aud_key key);
/*
 * Parses one group. Errors name the option and the expected form, e.g.
 * "--audience: unknown term \"team:x\" (expected wijk:, practice:, org:,
 * org-kind:, role: or person:)", "--audience: unknown role \"arts\"
 * (expected one of huisarts, ...)". Returns 0 or -1.
 */
int audience_parse(const char *expr, struct aud_group *g_r, char **error_r);
/* The canonical text of a group (terms in key order); caller frees. */
char *audience_format(const struct aud_group *g);
/* Replaces every "{wijk}" in a default audience by the slug; caller frees. */
char *audience_expand_wijk(const char *tmpl, const char *wijk);
/* Removes `email` from person: terms. Returns 1 when the group can no
 * longer match anyone (a person: term became empty), else 0. */
int audience_drop_person(struct aud_group *g, const char *email);
void audience_group_free(struct aud_group *g);

/*
 * Where one person stands in the registry, for testing many audiences
 * against them without a query each (a person's feed): their e-mail and,
 * per affiliation, its wijk, practice or org, org kind and role. Filled by
 * store_person_reach; freed with audience_reach_free.
 */
struct reach_aff {
	char *wijk;     /* of the practice or org; NULL if it has none */
	char *practice; /* slug, or NULL */
	char *org;      /* slug, or NULL */
	char *org_kind; /* NULL for a practice */
	char *role;
};

struct aud_reach {
	char *email;
	struct reach_aff *aff;
	size_t naff;
};

/* True if the person is in the group: the same answer as resolving the
 * group with store_audience_resolve and looking for them. */
bool audience_reaches(const struct aud_group *g, const struct aud_reach *r);
/* True if the person is in the union of the expressions; one that does
 * not parse holds no one (as in store_audience_resolve). */
bool audience_exprs_reach(char *const *exprs, size_t n,
                          const struct aud_reach *r);
void audience_reach_free(struct aud_reach *r);

#endif
