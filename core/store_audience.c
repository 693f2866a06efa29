/*
 * store_audience: checking audience expressions against the registry and
 * resolving them to persons. A group becomes one SELECT: the affiliation
 * terms (wijk, practice, org, org-kind, role) must hold for one and the same
 * affiliation, the person term for the person; the groups are joined with
 * UNION. The SQL is shaped so that SQLite starts from the most selective
 * term by index instead of visiting every person.
 */
#include <stdlib.h>
#include <string.h>

#include "core/audience.h"
#include "core/store_impl.h"
#include "core/util.h"

/*
 * An affiliation is with a practice or with an organisation, never both,
 * so the affiliation terms of a group are matched in two branches, one
 * per kind, each joined from the most selective table by index (wijk
 * slug -> practice or org -> affiliation). A branch that a term rules out
 * (an org term for the practice branch) is left out.
 */
enum aud_branch { BRANCH_PRACTICE, BRANCH_ORG, NBRANCHES };

/* The SQL column each affiliation term compares with, per branch; NULL:
 * the term rules the branch out. */
static const char *const term_column[NBRANCHES][AUD_NKEYS] = {
    [BRANCH_PRACTICE] = {[AUD_WIJK] = "w.slug",
                         [AUD_PRACTICE] = "pr.slug",
                         [AUD_ROLE] = "a.role"},
    [BRANCH_ORG] = {[AUD_WIJK] = "w.slug",
                    [AUD_ORG] = "o.slug",
                    [AUD_ORG_KIND] = "o.kind",
                    [AUD_ROLE] = "a.role"},
};

static const char *const branch_from[NBRANCHES] = {
    [BRANCH_PRACTICE] = "SELECT a.person_id FROM practice pr "
                        "JOIN affiliation a ON a.practice_id = pr.id",
    [BRANCH_ORG] = "SELECT a.person_id FROM org o "
                   "JOIN affiliation a ON a.org_id = o.id",
};

static const char *const branch_wijk[NBRANCHES] = {
    [BRANCH_PRACTICE] = " JOIN wijk w ON w.id = pr.wijk_id",
    [BRANCH_ORG] = " JOIN wijk w ON w.id = o.wijk_id",
};

static bool is_aff_term(const struct aud_term *t)
{
	return t->key != AUD_PERSON;
}

/* True if every affiliation term of g has a column in branch b. */
static bool branch_used(const struct aud_group *g, enum aud_branch b)
{
	for (size_t i = 0; i < g->nterms; i++)
		if (is_aff_term(&g->terms[i]) &&
		    term_column[b][g->terms[i].key] == NULL)
			return false;
	return true;
}

static void append_in(struct strbuf *sql, const char *column, size_t n)
{
	strbuf_appendf(sql, " AND %s IN (", column);
	for (size_t i = 0; i < n; i++)
		strbuf_append(sql, i ? ", ?" : "?");
	strbuf_appendc(sql, ')');
}

/* Appends one branch's SELECT of person ids; values bound in term order. */
static void branch_sql(const struct aud_group *g, enum aud_branch b,
                       struct strbuf *sql)
{
	bool wijk = false;
	for (size_t i = 0; i < g->nterms; i++)
		wijk |= g->terms[i].key == AUD_WIJK;
	strbuf_append(sql, branch_from[b]);
	strbuf_append(sql, wijk ? branch_wijk[b] : "");
	strbuf_append(sql, " WHERE 1");
	for (size_t i = 0; i < g->nterms; i++)
		if (is_aff_term(&g->terms[i]))
			append_in(sql, term_column[b][g->terms[i].key],
			          g->terms[i].nvalues);
}

/* Appends the SELECT of one group; values are bound by group_bind. */
static void group_sql(const struct aud_group *g, struct strbuf *sql)
{
	bool aff = false;
	for (size_t i = 0; i < g->nterms; i++)
		aff |= is_aff_term(&g->terms[i]);
	strbuf_append(sql, "SELECT p.id FROM person p WHERE 1");
	for (size_t i = 0; i < g->nterms; i++)
		if (!is_aff_term(&g->terms[i]))
			append_in(sql, "p.email", g->terms[i].nvalues);
	if (!aff)
		return;
	strbuf_append(sql, " AND p.id IN (");
	size_t used = 0;
	for (int b = 0; b < NBRANCHES; b++) {
		if (!branch_used(g, (enum aud_branch)b))
			continue;
		strbuf_append(sql, used++ ? " UNION ALL " : "");
		branch_sql(g, (enum aud_branch)b, sql);
	}
	/* Practice and org terms together: no affiliation has both. */
	strbuf_append(sql, used ? ")" : "SELECT NULL WHERE 0)");
}

static void bind_term(const struct aud_term *t, sqlite3_stmt *stmt, int *next)
{
	for (size_t v = 0; v < t->nvalues; v++)
		store_bind_text(stmt, (*next)++, t->values[v]);
}

/* Binds the values in the order group_sql writes them: person terms,
 * then the affiliation terms once per branch used. */
static void group_bind(const struct aud_group *g, sqlite3_stmt *stmt, int *next)
{
	for (size_t i = 0; i < g->nterms; i++)
		if (!is_aff_term(&g->terms[i]))
			bind_term(&g->terms[i], stmt, next);
	for (int b = 0; b < NBRANCHES; b++) {
		if (!branch_used(g, (enum aud_branch)b))
			continue;
		for (size_t i = 0; i < g->nterms; i++)
			if (is_aff_term(&g->terms[i]))
				bind_term(&g->terms[i], stmt, next);
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
			*list_r =
			    xrealloc(*list_r, (*n_r + 1) * sizeof(**list_r));
			struct person *p = &(*list_r)[(*n_r)++];
			memset(p, 0, sizeof(*p));
			p->id = sqlite3_column_int64(stmt, 0);
			p->email = store_column_text(stmt, 1);
			p->name = store_column_text(stmt, 2);
			p->big = store_column_text(stmt, 3);
		}
		if (stmt) {
			store_finish(st, stmt);
			rc = rc == SQLITE_DONE
			         ? WK_OK
			         : store_fail(st, rc, "audience", error_r);
		}
	}
	for (size_t i = 0; i < ngroups; i++)
		audience_group_free(&groups[i]);
	free(groups);
	strbuf_free(&sql);
	return rc;
}
