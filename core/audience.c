/* audience: parsing and formatting of audience groups. */
#include "core/audience.h"

#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <strings.h>

#include "core/model.h"
#include "core/util.h"

static const char *const key_names[AUD_NKEYS] = {
    "wijk", "practice", "org", "org-kind", "role", "person"};

const char *audience_key_name(enum aud_key key)
{
	return key_names[key];
}

static int find_key(const char *word, size_t n)
{
	for (int k = 0; k < AUD_NKEYS; k++)
		if (strlen(key_names[k]) == n &&
		    strncmp(word, key_names[k], n) == 0)
			return k;
	return -1;
}

/* Checks one value of a term by the key's vocabulary or form. */
static int check_value(enum aud_key key, const char *v, char **error_r)
{
	switch (key) {
	case AUD_ROLE:
		if (!model_in_list(model_roles, v))
			return set_error(error_r,
			                 "--audience: unknown role \"%s\" "
			                 "(expected one of %s)",
			                 v, model_list_text(model_roles));
		return 0;
	case AUD_ORG_KIND:
		if (!model_in_list(model_org_kinds, v))
			return set_error(error_r,
			                 "--audience: unknown org kind \"%s\" "
			                 "(expected one of %s)",
			                 v, model_list_text(model_org_kinds));
		return 0;
	case AUD_PERSON:
		return model_check_email(v, "--audience: person", error_r);
	default:
		return model_check_slug(v, "--audience", error_r);
	}
}

static int parse_term(const char *word, struct aud_term *t, char **error_r)
{
	const char *colon = strchr(word, ':');
	int key = colon ? find_key(word, (size_t)(colon - word)) : -1;
	if (key < 0)
		return set_error(error_r,
		                 "--audience: unknown term \"%s\" (expected "
		                 "wijk:, practice:, org:, org-kind:, role: or "
		                 "person: followed by values separated by "
		                 "commas)",
		                 word);
	t->key = (enum aud_key)key;
	char *copy = xstrdup(colon + 1);
	char *save = NULL;
	for (char *v = strtok_r(copy, ",", &save); v;
	     v = strtok_r(NULL, ",", &save)) {
		if (t->key == AUD_PERSON)
			for (char *c = v; *c; c++)
				*c = (char)tolower((unsigned char)*c);
		if (check_value(t->key, v, error_r) < 0) {
			free(copy);
			return -1;
		}
		t->values =
		    xrealloc(t->values, (t->nvalues + 1) * sizeof(char *));
		t->values[t->nvalues++] = xstrdup(v);
	}
	free(copy);
	if (t->nvalues == 0)
		return set_error(error_r, "--audience: %s: needs a value",
		                 key_names[key]);
	return 0;
}

int audience_parse(const char *expr, struct aud_group *g_r, char **error_r)
{
	struct aud_group g = {0};
	char *copy = xstrdup(expr);
	char *save = NULL;
	int rc = 0;
	for (char *w = strtok_r(copy, " \t", &save); w && rc == 0;
	     w = strtok_r(NULL, " \t", &save)) {
		struct aud_term t = {0};
		rc = parse_term(w, &t, error_r);
		for (size_t i = 0; rc == 0 && i < g.nterms; i++)
			if (g.terms[i].key == t.key)
				rc = set_error(error_r,
				               "--audience: %s: given twice in "
				               "one group; list the values "
				               "with commas, like "
				               "role:huisarts,poh",
				               key_names[t.key]);
		g.terms = xrealloc(g.terms, (g.nterms + 1) * sizeof(t));
		g.terms[g.nterms++] = t;
	}
	free(copy);
	if (rc == 0 && g.nterms == 0)
		rc = set_error(error_r,
		               "--audience: expected terms like \"wijk:noord "
		               "role:huisarts,poh\"");
	if (rc < 0) {
		audience_group_free(&g);
		return -1;
	}
	*g_r = g;
	return 0;
}

char *audience_format(const struct aud_group *g)
{
	struct strbuf b = {0};
	for (int k = 0; k < AUD_NKEYS; k++) {
		for (size_t i = 0; i < g->nterms; i++) {
			const struct aud_term *t = &g->terms[i];
			if ((int)t->key != k)
				continue;
			if (b.len)
				strbuf_appendc(&b, ' ');
			strbuf_appendf(&b, "%s:", key_names[k]);
			for (size_t v = 0; v < t->nvalues; v++)
				strbuf_appendf(&b, "%s%s", v ? "," : "",
				               t->values[v]);
		}
	}
	return strbuf_take(&b);
}

char *audience_expand_wijk(const char *tmpl, const char *wijk)
{
	struct strbuf b = {0};
	const char *p = tmpl, *hit;
	while ((hit = strstr(p, "{wijk}")) != NULL) {
		strbuf_appendn(&b, p, (size_t)(hit - p));
		strbuf_append(&b, wijk);
		p = hit + 6;
	}
	strbuf_append(&b, p);
	return strbuf_take(&b);
}

int audience_drop_person(struct aud_group *g, const char *email)
{
	for (size_t i = 0; i < g->nterms; i++) {
		struct aud_term *t = &g->terms[i];
		if (t->key != AUD_PERSON)
			continue;
		size_t kept = 0;
		for (size_t v = 0; v < t->nvalues; v++) {
			if (strcasecmp(t->values[v], email) == 0)
				free(t->values[v]);
			else
				t->values[kept++] = t->values[v];
		}
		t->nvalues = kept;
		if (kept == 0)
			return 1;
	}
	return 0;
}

void audience_group_free(struct aud_group *g)
{
	for (size_t i = 0; i < g->nterms; i++) {
		for (size_t v = 0; v < g->terms[i].nvalues; v++)
			free(g->terms[i].values[v]);
		free(g->terms[i].values);
	}
	free(g->terms);
	memset(g, 0, sizeof(*g));
}

/* ---- testing one person ---- */

static bool in_values(const struct aud_term *t, const char *v)
{
	for (size_t i = 0; v && i < t->nvalues; i++)
		if (strcmp(t->values[i], v) == 0)
			return true;
	return false;
}

/* The affiliation's value for an affiliation term (NULL: it has none). */
static const char *aff_value(const struct reach_aff *a, enum aud_key key)
{
	switch (key) {
	case AUD_WIJK:
		return a->wijk;
	case AUD_PRACTICE:
		return a->practice;
	case AUD_ORG:
		return a->org;
	case AUD_ORG_KIND:
		return a->org_kind;
	case AUD_ROLE:
		return a->role;
	default:
		return NULL;
	}
}

/* Every affiliation term holds for this one affiliation. */
static bool aff_matches(const struct aud_group *g, const struct reach_aff *a)
{
	for (size_t i = 0; i < g->nterms; i++) {
		const struct aud_term *t = &g->terms[i];
		if (t->key != AUD_PERSON && !in_values(t, aff_value(a, t->key)))
			return false;
	}
	return true;
}

bool audience_reaches(const struct aud_group *g, const struct aud_reach *r)
{
	bool aff_terms = false;
	for (size_t i = 0; i < g->nterms; i++) {
		const struct aud_term *t = &g->terms[i];
		if (t->key != AUD_PERSON) {
			aff_terms = true;
			continue;
		}
		bool found = false;
		for (size_t v = 0; v < t->nvalues && !found; v++)
			found = strcmp(t->values[v], r->email) == 0;
		if (!found)
			return false;
	}
	if (!aff_terms)
		return true;
	for (size_t k = 0; k < r->naff; k++)
		if (aff_matches(g, &r->aff[k]))
			return true;
	return false;
}

bool audience_exprs_reach(char *const *exprs, size_t n,
                          const struct aud_reach *r)
{
	bool in = false;
	for (size_t i = 0; i < n && !in; i++) {
		struct aud_group g;
		if (audience_parse(exprs[i], &g, NULL) < 0)
			continue;
		in = audience_reaches(&g, r);
		audience_group_free(&g);
	}
	return in;
}

void audience_reach_free(struct aud_reach *r)
{
	for (size_t i = 0; i < r->naff; i++) {
		struct reach_aff *a = &r->aff[i];
		free(a->wijk);
		free(a->practice);
		free(a->org);
		free(a->org_kind);
		free(a->role);
	}
	free(r->aff);
	free(r->email);
	memset(r, 0, sizeof(*r));
}
