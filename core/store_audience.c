/*
 * store_audience: checking audience expressions against the registry and
 * resolving them to persons. A group becomes one SELECT: the affiliation
 * terms (wijk, practice, org, org-kind, role) must hold for one and the same
 * affiliation, the person term for the person; the groups are joined with
 * UNION.
 */
#include <stdlib.h>
#include <string.h>

#include "core/audience.h"
#include "core/store_impl.h"
#include "core/util.h"

/* The SQL column each affiliation term compares with. */
static const char *const term_column[AUD_NKEYS] = {
	[AUD_WIJK] = "w.slug",     [AUD_PRACTICE] = "pr.slug",
	[AUD_ORG] = "o.slug",      [AUD_ORG_KIND] = "o.kind",
	[AUD_ROLE] = "a.role",     [AUD_PERSON] = "p.email",
};

static void append_in(struct strbuf *sql, const char *column, size_t n)
{
	strbuf_appendf(sql, " AND %s IN (", column);
	for (size_t i = 0; i < n; i++)
		strbuf_append(sql, i ? ", ?" : "?");
	strbuf_appendc(sql, ')');
}

/* Appends the SELECT of one group; values are bound in term order. */
static void group_sql(const struct aud_group *g, struct strbuf *sql)
{
	bool aff = false;
	for (size_t i = 0; i < g->nterms; i++)
		aff |= g->terms[i].key != AUD_PERSON;
	strbuf_append(sql, "SELECT p.id FROM person p WHERE 1");
	for (size_t i = 0; i < g->nterms; i++)
		if (g->terms[i].key == AUD_PERSON)
			append_in(sql, "p.email", g->terms[i].nvalues);
	if (!aff)
		return;
	strbuf_append(sql,
		      " AND EXISTS (SELECT 1 FROM affiliation a "
		      "LEFT JOIN practice pr ON pr.id = a.practice_id "
		      "LEFT JOIN org o ON o.id = a.org_id "
		      "LEFT JOIN wijk w ON w.id = COALESCE(pr.wijk_id, o.wijk_id) "
		      "WHERE a.person_id = p.id");
	for (size_t i = 0; i < g->nterms; i++)
		if (g->terms[i].key != AUD_PERSON)
			append_in(sql, term_column[g->terms[i].key],
				  g->terms[i].nvalues);
	strbuf_appendc(sql, ')');
}

static void group_bind(const struct aud_group *g, sqlite3_stmt *stmt,
		       int *next)
{
	/* Person terms first, as group_sql writes them first. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < g->nterms; i++) {
			if ((g->terms[i].key == AUD_PERSON) != (pass == 0))
				continue;
			for (size_t v = 0; v < g->terms[i].nvalues; v++)
				store_bind_text(stmt, (*next)++,
						g->terms[i].values[v]);
		}
}

static int check_exists(struct store *st, enum aud_key key, const char *v,
			char **error_r)
{
	int64_t id = 0;
	const char *table = key == AUD_WIJK       ? "wijk"
			    : key == AUD_PRACTICE ? "practice"
						  : "org";
	int rc = store_slug_id(st, table, v, "--audience", &id, error_r);
	return rc;
}

int store_audience_check(struct store *st, const char *expr, char **error_r)
{
	struct aud_group g;
	if (audience_parse(expr, &g, error_r) < 0)
		return WK_EINVAL;
	int rc = WK_OK;
	for (size_t i = 0; rc == WK_OK && i < g.nterms; i++) {
		struct aud_term *t = &g.terms[i];
		for (size_t v = 0; rc == WK_OK && v < t->nvalues; v++) {
			if (t->key == AUD_WIJK || t->key == AUD_PRACTICE ||
			    t->key == AUD_ORG)
				rc = check_exists(st, t->key, t->values[v],
						  error_r);
			else if (t->key == AUD_PERSON) {
				struct person p;
				rc = store_person_get(st, t->values[v], &p,
						      error_r);
				if (rc == WK_OK)
					person_free(&p);
				else if (rc == WK_ENOTFOUND)
					set_error(error_r,
						  "--audience: unknown person "
						  "\"%s\"",
						  t->values[v]);
			}
		}
	}
	audience_group_free(&g);
	return rc;
}

int store_audience_resolve(struct store *st, char *const *exprs, size_t n,
			   struct person **list_r, size_t *n_r, char **error_r)
{
	struct aud_group *groups = xcalloc(n ? n : 1, sizeof(*groups));
	struct strbuf sql = {0};
	size_t ngroups = 0;
	for (size_t i = 0; i < n; i++) {
		if (audience_parse(exprs[i], &groups[ngroups], NULL) < 0)
			continue; /* cannot match anyone */
		strbuf_append(&sql, ngroups ? " UNION " : "");
		group_sql(&groups[ngroups++], &sql);
	}
	int rc = WK_OK;
	*list_r = NULL;
	*n_r = 0;
	if (ngroups > 0) {
		char *q = xasprintf(
			"SELECT p.id, p.email, p.name, p.big, NULL, NULL, NULL "
			"FROM person p WHERE p.id IN (%s) ORDER BY p.email",
			sql.data);
		sqlite3_stmt *stmt = store_prepare(st, q, error_r);
		free(q);
		int next = 1;
		for (size_t i = 0; stmt && i < ngroups; i++)
			group_bind(&groups[i], stmt, &next);
		rc = stmt ? WK_OK : WK_EIO;
		while (stmt && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
			*list_r = xrealloc(*list_r,
					   (*n_r + 1) * sizeof(**list_r));
			struct person *p = &(*list_r)[(*n_r)++];
			memset(p, 0, sizeof(*p));
			p->id = sqlite3_column_int64(stmt, 0);
			p->email = store_column_text(stmt, 1);
			p->name = store_column_text(stmt, 2);
			p->big = store_column_text(stmt, 3);
		}
		if (stmt) {
			sqlite3_finalize(stmt);
			rc = rc == SQLITE_DONE ? WK_OK
					       : store_fail(st, rc, "audience",
							    error_r);
		}
	}
	for (size_t i = 0; i < ngroups; i++)
		audience_group_free(&groups[i]);
	free(groups);
	strbuf_free(&sql);
	return rc;
}
