/* feedset: selecting events per feed, writing all feeds, and the tokens
 * of private feeds. */
#include "feeds/feedset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/audience.h"
#include "core/util.h"
#include "feeds/render.h"

/* Feed-wide settings from the config. */
static struct render_feed_opts feed_opts(const struct config *cfg,
                                         const char *calname)
{
	return (struct render_feed_opts){.calname = calname,
	                                 .tzid = cfg->timezone,
	                                 .refresh_minutes =
	                                     (int)cfg->feed_refresh_min};
}

/* Renders events into a feed, each with the same options. */
static char *assemble(const struct config *cfg, const char *calname,
                      const struct event *list, size_t n,
                      const struct render_event_opts *eo, size_t *len_r)
{
	char **blocks = xcalloc(n ? n : 1, sizeof(char *));
	const char *tzids[8];
	size_t ntzids = 0;
	tzids[ntzids++] = cfg->timezone;
	for (size_t i = 0; i < n; i++) {
		blocks[i] = render_event(&list[i], eo);
		bool seen = false;
		for (size_t k = 0; k < ntzids; k++)
			seen |= strcmp(tzids[k], list[i].tzid) == 0;
		if (!seen && ntzids < ARRAY_SIZE(tzids))
			tzids[ntzids++] = list[i].tzid;
	}
	struct render_feed_opts fo = feed_opts(cfg, calname);
	char *text = render_feed(&fo, tzids, ntzids,
	                         (const char *const *)blocks, n, len_r);
	for (size_t i = 0; i < n; i++)
		free(blocks[i]);
	free(blocks);
	return text;
}

/* Keeps the events whose audience holds the person: their place in the
 * registry is read once and each audience tested in memory. */
static int select_person(struct store *st, struct event *list, size_t *n,
                         const char *email, char **error_r)
{
	struct aud_reach r;
	int rc = store_person_reach(st, email, &r, error_r);
	if (rc < 0)
		return rc;
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++) {
		if (audience_exprs_reach(list[i].audience, list[i].naudience,
		                         &r))
			list[kept++] = list[i];
		else
			event_free(&list[i]);
	}
	*n = kept;
	audience_reach_free(&r);
	return WK_OK;
}

/* Finds the calendar name and the event filter of a feed. */
static int feed_setup(struct store *st, const struct config *cfg,
                      const struct feed_spec *spec, struct event_filter *f,
                      char **calname_r, struct person *who, char **error_r)
{
	struct wijk w = {0};
	struct practice p = {0};
	const struct kind_conf *kc;
	int rc = WK_OK;
	switch (spec->type) {
	case FEED_WIJK:
	case FEED_WIJK_INTERNAL:
		rc = store_wijk_get(st, spec->key, &w, error_r);
		f->wijk = spec->key;
		f->public_only = spec->type == FEED_WIJK;
		if (rc == WK_OK)
			*calname_r = xasprintf(
			    "Wijkagenda %s%s", w.name,
			    spec->type == FEED_WIJK ? "" : " (intern)");
		break;
	case FEED_PRACTICE:
		rc = store_practice_get(st, spec->key, &p, error_r);
		if (rc == WK_OK) {
			*calname_r = xasprintf("Wijkagenda %s", p.name);
			/* The filter needs the slug beyond p's lifetime. */
			f->wijk = xstrdup(p.wijk);
		}
		f->public_only = true;
		break;
	case FEED_KIND:
		kc = config_kind(cfg, spec->key);
		if (kc == NULL)
			return set_error(error_r, "unknown kind \"%s\"",
			                 spec->key),
			       WK_ENOTFOUND;
		f->kind = spec->key;
		f->public_only = true;
		*calname_r = xasprintf("%s (alle wijken)", kc->label);
		break;
	case FEED_PERSON:
		rc = store_person_get(st, spec->key, who, error_r);
		if (rc == WK_OK)
			*calname_r = xasprintf("Wijkagenda van %s", who->name);
		break;
	case FEED_TOKEN: /* resolved by feedset_render first */
		set_error(error_r, "unknown feed");
		rc = WK_ENOTFOUND;
		break;
	}
	wijk_free(&w);
	practice_free(&p);
	return rc;
}

/* A private feed by its token: the feed it opens, rendered. */
static int render_token(struct store *st, const struct config *cfg,
                        const char *token, char **text_r, size_t *len_r,
                        char **error_r)
{
	struct feed_spec real;
	char *id = NULL;
	int rc = feedset_token_spec(st, token, &real, &id, error_r);
	if (rc == WK_OK)
		rc = feedset_render(st, cfg, &real, text_r, len_r, error_r);
	free(id);
	return rc;
}

int feedset_render(struct store *st, const struct config *cfg,
                   const struct feed_spec *spec, char **text_r, size_t *len_r,
                   char **error_r)
{
	if (spec->type == FEED_TOKEN)
		return render_token(st, cfg, spec->key, text_r, len_r, error_r);
	struct event_filter f = {0};
	struct person who = {0};
	char *calname = NULL;
	int rc = feed_setup(st, cfg, spec, &f, &calname, &who, error_r);
	struct event *list = NULL;
	size_t n = 0;
	if (rc == WK_OK)
		rc = store_event_list(st, &f, &list, &n, error_r);
	if (rc == WK_OK && spec->type == FEED_PERSON)
		rc = select_person(st, list, &n, who.email, error_r);
	if (rc == WK_OK) {
		struct render_event_opts eo = {
		    .audience = spec->type == FEED_PERSON ? RENDER_PERSONAL
		                : spec->type == FEED_WIJK_INTERNAL
		                    ? RENDER_INTERNAL
		                    : RENDER_PUBLIC,
		    .organizer_default = cfg->organizer,
		    .attendee_email = who.email,
		    .attendee_name = who.name,
		    .alarm_minutes = spec->type == FEED_PERSON
		                         ? (int)cfg->feed_alarm_min
		                         : 0,
		};
		*text_r = assemble(cfg, calname, list, n, &eo, len_r);
	}
	if (spec->type == FEED_PRACTICE)
		free((char *)f.wijk);
	event_array_free(list, n);
	person_free(&who);
	free(calname);
	return rc;
}

char *feedset_path(const struct feed_spec *spec)
{
	/* A private feed's URL holds its token. The paths of FEED_PERSON and
	 * FEED_WIJK_INTERNAL are served by no route; they only name the feeds
	 * apart (in the daemon's cache), also from every token. */
	static const char *const dirs[] = {[FEED_WIJK] = "wijk",
	                                   [FEED_PRACTICE] = "practice",
	                                   [FEED_KIND] = "kind",
	                                   [FEED_WIJK_INTERNAL] =
	                                       "by-name/wijk",
	                                   [FEED_PERSON] = "by-name/person",
	                                   [FEED_TOKEN] = "private"};
	return xasprintf("feeds/%s/%s.ics", dirs[spec->type], spec->key);
}

/* Writes data to dir/path through a temporary file and rename(2). */
static int write_atomic(const char *dir, const char *path, const char *data,
                        size_t len, char **error_r)
{
	char *full = xasprintf("%s/%s", dir, path);
	char *tmp = xasprintf("%s.tmp.%ld", full, (long)getpid());
	int rc = WK_OK;
	FILE *f = fopen(tmp, "wb");
	bool ok = f && fwrite(data, 1, len, f) == len;
	ok = f && fclose(f) == 0 && ok;
	ok = ok && rename(tmp, full) == 0;
	if (!ok) {
		set_error(error_r, "%s: %s", full, strerror(errno));
		rc = WK_EIO;
	}
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	free(full);
	return rc;
}

static int make_dirs(const char *dir, char **error_r)
{
	static const char *const subdirs[] = {"", "/feeds", "/feeds/wijk",
	                                      "/feeds/practice", "/feeds/kind"};
	for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++) {
		char *path = xasprintf("%s%s", dir, subdirs[i]);
		int r = mkdir(path, 0755);
		if (r < 0 && errno != EEXIST) {
			set_error(error_r, "%s: %s", path, strerror(errno));
			free(path);
			return WK_EIO;
		}
		free(path);
	}
	return WK_OK;
}

/* The public events, each rendered once; feeds pick blocks from here. */
struct rendered {
	struct event *events;
	char **blocks;
	size_t n;
};

static void write_one(const struct config *cfg, const char *dir,
                      const struct feed_spec *spec, const char *calname,
                      const struct rendered *r,
                      bool (*keep)(const struct event *, const char *),
                      const char *key, int *rc, size_t *nfeeds, size_t *bytes,
                      char **error_r)
{
	if (*rc < 0)
		return;
	const char **blocks = xcalloc(r->n ? r->n : 1, sizeof(char *));
	size_t nb = 0, len = 0;
	for (size_t i = 0; i < r->n; i++)
		if (keep(&r->events[i], key))
			blocks[nb++] = r->blocks[i];
	struct render_feed_opts fo = feed_opts(cfg, calname);
	const char *tzids[] = {cfg->timezone};
	char *text = render_feed(&fo, tzids, 1, blocks, nb, &len);
	char *path = feedset_path(spec);
	*rc = write_atomic(dir, path, text, len, error_r);
	*nfeeds += 1;
	*bytes += len;
	free(path);
	free(text);
	free(blocks);
}

static bool in_wijk(const struct event *e, const char *wijk)
{
	return strcmp(e->wijk, wijk) == 0;
}

static bool of_kind(const struct event *e, const char *kind)
{
	return strcmp(e->kind, kind) == 0;
}

static int render_public(struct store *st, const struct config *cfg,
                         struct rendered *r, char **error_r)
{
	struct event_filter f = {.public_only = true};
	int rc = store_event_list(st, &f, &r->events, &r->n, error_r);
	if (rc < 0)
		return rc;
	struct render_event_opts eo = {.audience = RENDER_PUBLIC,
	                               .organizer_default = cfg->organizer};
	r->blocks = xcalloc(r->n ? r->n : 1, sizeof(char *));
	for (size_t i = 0; i < r->n; i++)
		r->blocks[i] = render_event(&r->events[i], &eo);
	return WK_OK;
}

int feedset_export_all(struct store *st, const struct config *cfg,
                       const char *dir, size_t *nfeeds_r, size_t *bytes_r,
                       char **error_r)
{
	struct rendered r = {0};
	struct wijk *wijken = NULL;
	struct practice *practices = NULL;
	size_t nw = 0, np = 0, nfeeds = 0, bytes = 0;
	int rc = make_dirs(dir, error_r);
	if (rc == WK_OK)
		rc = render_public(st, cfg, &r, error_r);
	if (rc == WK_OK)
		rc = store_wijk_list(st, &wijken, &nw, error_r);
	if (rc == WK_OK)
		rc = store_practice_list(st, NULL, &practices, &np, error_r);
	for (size_t i = 0; rc == WK_OK && i < nw; i++) {
		struct feed_spec spec = {FEED_WIJK, wijken[i].slug};
		char *calname = xasprintf("Wijkagenda %s", wijken[i].name);
		write_one(cfg, dir, &spec, calname, &r, in_wijk, wijken[i].slug,
		          &rc, &nfeeds, &bytes, error_r);
		free(calname);
	}
	for (size_t i = 0; rc == WK_OK && i < np; i++) {
		struct feed_spec spec = {FEED_PRACTICE, practices[i].slug};
		char *calname = xasprintf("Wijkagenda %s", practices[i].name);
		write_one(cfg, dir, &spec, calname, &r, in_wijk,
		          practices[i].wijk, &rc, &nfeeds, &bytes, error_r);
		free(calname);
	}
	for (size_t i = 0; rc == WK_OK && i < cfg->nkinds; i++) {
		struct feed_spec spec = {FEED_KIND, cfg->kinds[i].kind};
		char *calname =
		    xasprintf("%s (alle wijken)", cfg->kinds[i].label);
		write_one(cfg, dir, &spec, calname, &r, of_kind,
		          cfg->kinds[i].kind, &rc, &nfeeds, &bytes, error_r);
		free(calname);
	}
	for (size_t i = 0; i < r.n; i++)
		free(r.blocks[i]);
	free(r.blocks);
	event_array_free(r.events, r.n);
	for (size_t i = 0; i < nw; i++)
		wijk_free(&wijken[i]);
	free(wijken);
	for (size_t i = 0; i < np; i++)
		practice_free(&practices[i]);
	free(practices);
	if (nfeeds_r)
		*nfeeds_r = nfeeds;
	if (bytes_r)
		*bytes_r = bytes;
	return rc;
}

/* ---- private feeds: tokens ---- */

/* The token kind of a private feed; -1 for a public one. */
static int token_kind_of(enum feed_type type, enum token_kind *kind_r)
{
	if (type == FEED_PERSON)
		*kind_r = TOKEN_PERSON;
	else if (type == FEED_WIJK_INTERNAL)
		*kind_r = TOKEN_WIJK_INTERNAL;
	else
		return -1;
	return 0;
}

/* The identity of a private feed as the database spells it (the e-mail in
 * lower case, the slug); WK_ENOTFOUND if it does not exist. */
static int token_identity(struct store *st, const struct feed_spec *spec,
                          char **id_r, char **error_r)
{
	struct person p = {0};
	struct wijk w = {0};
	int rc;
	if (spec->type == FEED_PERSON) {
		rc = store_person_get(st, spec->key, &p, error_r);
		if (rc == WK_OK)
			*id_r = xstrdup(p.email);
		person_free(&p);
	} else {
		rc = store_wijk_get(st, spec->key, &w, error_r);
		if (rc == WK_OK)
			*id_r = xstrdup(w.slug);
		wijk_free(&w);
	}
	return rc;
}

int feedset_token_issue(struct store *st, const struct token_key *key,
                        const struct feed_spec *spec, bool revoke,
                        char token_r[TOKEN_LEN + 1], char **error_r)
{
	enum token_kind kind;
	if (token_kind_of(spec->type, &kind) < 0)
		return set_error(error_r, "a public feed has no token"),
		       WK_EINVAL;
	char *id = NULL;
	int64_t counter = 0;
	int rc = token_identity(st, spec, &id, error_r);
	if (rc == WK_OK)
		rc = store_token_counter(st, kind, id, &counter, error_r);
	if (rc == WK_OK) {
		char hash[TOKEN_HASH_LEN + 1];
		counter += revoke;
		token_derive(key, kind, id, counter, token_r);
		token_hash(token_r, TOKEN_LEN, hash);
		rc = store_token_set(st, kind, id, counter, hash, error_r);
	}
	free(id);
	return rc;
}

int feedset_token_spec(struct store *st, const char *token,
                       struct feed_spec *spec_r, char **id_r, char **error_r)
{
	size_t len = strlen(token);
	if (!token_well_formed(token, len))
		return set_error(error_r, "unknown feed"), WK_ENOTFOUND;
	char hash[TOKEN_HASH_LEN + 1];
	enum token_kind kind;
	token_hash(token, len, hash);
	int rc = store_token_find(st, hash, &kind, id_r, error_r);
	if (rc < 0)
		return rc;
	spec_r->type = kind == TOKEN_PERSON ? FEED_PERSON : FEED_WIJK_INTERNAL;
	spec_r->key = *id_r;
	return WK_OK;
}

/* ---- private feeds: export ---- */

/* What an export of the private feeds has written so far. */
struct private_run {
	const struct config *cfg;
	const struct token_key *key;
	const char *dir;
	char (*tokens)[TOKEN_LEN + 1]; /* the files written, by token */
	size_t ntokens, captokens;
	size_t nfeeds, bytes;
};

/* Writes one private feed's text under the token of its current counter. */
static int write_private(struct store *st, struct private_run *run,
                         enum token_kind kind, const char *id, const char *text,
                         size_t len, char **error_r)
{
	int64_t counter = 0;
	int rc = store_token_counter(st, kind, id, &counter, error_r);
	if (rc < 0)
		return rc;
	if (run->ntokens == run->captokens) {
		run->captokens = run->captokens ? 2 * run->captokens : 64;
		run->tokens = xrealloc(run->tokens,
		                       run->captokens * sizeof(*run->tokens));
	}
	char *token = run->tokens[run->ntokens++];
	token_derive(run->key, kind, id, counter, token);
	char *path = xasprintf("feeds/private/%s.ics", token);
	rc = write_atomic(run->dir, path, text, len, error_r);
	free(path);
	run->nfeeds++;
	run->bytes += len;
	return rc;
}

static int export_internal(struct store *st, struct private_run *run,
                           char **error_r)
{
	struct wijk *wijken = NULL;
	size_t nw = 0;
	int rc = store_wijk_list(st, &wijken, &nw, error_r);
	for (size_t i = 0; rc == WK_OK && i < nw; i++) {
		struct feed_spec spec = {FEED_WIJK_INTERNAL, wijken[i].slug};
		char *text = NULL;
		size_t len = 0;
		rc = feedset_render(st, run->cfg, &spec, &text, &len, error_r);
		if (rc == WK_OK)
			rc = write_private(st, run, TOKEN_WIJK_INTERNAL,
			                   wijken[i].slug, text, len, error_r);
		free(text);
	}
	for (size_t i = 0; i < nw; i++)
		wijk_free(&wijken[i]);
	free(wijken);
	return rc;
}

/*
 * Who gets which event: per person (an index into persons, which is
 * sorted by e-mail) the indices of the events whose audience holds them,
 * in event order. Each audience is resolved once, not once per person.
 */
struct members {
	size_t **events;
	size_t *n;
};

static int by_email(const void *a, const void *b)
{
	return strcasecmp(((const struct person *)a)->email,
	                  ((const struct person *)b)->email);
}

/* Files event i under the person of persons who is p, if there is one. */
static void add_member(struct members *m, const struct person *persons,
                       size_t np, const struct person *p, size_t i)
{
	const struct person *found =
	    bsearch(p, persons, np, sizeof(*persons), by_email);
	if (found == NULL)
		return;
	size_t j = (size_t)(found - persons);
	m->events[j] = xrealloc(m->events[j], (m->n[j] + 1) * sizeof(size_t));
	m->events[j][m->n[j]++] = i;
}

static int resolve_members(struct store *st, const struct event *events,
                           size_t ne, const struct person *persons, size_t np,
                           struct members *m, char **error_r)
{
	m->events = xcalloc(np ? np : 1, sizeof(*m->events));
	m->n = xcalloc(np ? np : 1, sizeof(*m->n));
	int rc = WK_OK;
	for (size_t i = 0; rc == WK_OK && i < ne; i++) {
		struct person *in = NULL;
		size_t nin = 0;
		rc = store_audience_resolve(st, events[i].audience,
		                            events[i].naudience, &in, &nin,
		                            error_r);
		for (size_t k = 0; k < nin; k++) {
			add_member(m, persons, np, &in[k], i);
			person_free(&in[k]);
		}
		free(in);
	}
	return rc;
}

static void members_free(struct members *m, size_t np)
{
	for (size_t i = 0; m->events && i < np; i++)
		free(m->events[i]);
	free(m->events);
	free(m->n);
}

/* One person's feed, the bytes feedset_render gives for FEED_PERSON. */
static char *render_person(const struct config *cfg, const struct person *p,
                           const struct event *events, const size_t *mine,
                           size_t n, size_t *len_r)
{
	struct event *list = xcalloc(n ? n : 1, sizeof(*list));
	for (size_t i = 0; i < n; i++)
		list[i] = events[mine[i]]; /* borrowed: not freed here */
	struct render_event_opts eo = {
	    .audience = RENDER_PERSONAL,
	    .organizer_default = cfg->organizer,
	    .attendee_email = p->email,
	    .attendee_name = p->name,
	    .alarm_minutes = (int)cfg->feed_alarm_min,
	};
	char *calname = xasprintf("Wijkagenda van %s", p->name);
	char *text = assemble(cfg, calname, list, n, &eo, len_r);
	free(calname);
	free(list);
	return text;
}

static int export_persons(struct store *st, struct private_run *run,
                          char **error_r)
{
	struct person *persons = NULL;
	struct event *events = NULL;
	struct members m = {0};
	size_t np = 0, ne = 0;
	struct event_filter f = {0}; /* as feed_setup for FEED_PERSON */
	int rc = store_person_list(st, &persons, &np, error_r);
	if (rc == WK_OK)
		rc = store_event_list(st, &f, &events, &ne, error_r);
	if (rc == WK_OK)
		rc = resolve_members(st, events, ne, persons, np, &m, error_r);
	for (size_t i = 0; rc == WK_OK && i < np; i++) {
		size_t len = 0;
		char *text = render_person(run->cfg, &persons[i], events,
		                           m.events[i], m.n[i], &len);
		rc = write_private(st, run, TOKEN_PERSON, persons[i].email,
		                   text, len, error_r);
		free(text);
	}
	members_free(&m, np);
	event_array_free(events, ne);
	for (size_t i = 0; i < np; i++)
		person_free(&persons[i]);
	free(persons);
	return rc;
}

static int by_token(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* True if name is "TOKEN.ics" for some token. */
static bool token_file(const char *name)
{
	size_t n = strlen(name);
	return n == TOKEN_LEN + 4 && strcmp(name + TOKEN_LEN, ".ics") == 0 &&
	       token_well_formed(name, TOKEN_LEN);
}

/* Removes the token files in DIR/feeds/private that this run did not
 * write: their tokens were revoked, or their person forgotten. */
static int prune_private(struct private_run *run, char **error_r)
{
	qsort(run->tokens, run->ntokens, sizeof(*run->tokens), by_token);
	char *folder = xasprintf("%s/feeds/private", run->dir);
	DIR *d = opendir(folder);
	int rc = WK_OK;
	if (d == NULL) {
		set_error(error_r, "%s: %s", folder, strerror(errno));
		rc = WK_EIO;
	}
	for (struct dirent *de; rc == WK_OK && (de = readdir(d)) != NULL;) {
		char token[TOKEN_LEN + 1];
		if (!token_file(de->d_name))
			continue;
		memcpy(token, de->d_name, TOKEN_LEN);
		token[TOKEN_LEN] = '\0';
		if (bsearch(token, run->tokens, run->ntokens,
		            sizeof(*run->tokens), by_token) == NULL &&
		    unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT) {
			set_error(error_r, "%s/%s: %s", folder, de->d_name,
			          strerror(errno));
			rc = WK_EIO;
		}
	}
	if (d)
		closedir(d);
	free(folder);
	return rc;
}

/* DIR/feeds/private, listable by its owner only (see feedset.h). */
static int make_private_dir(const char *dir, char **error_r)
{
	char *path = xasprintf("%s/feeds/private", dir);
	int rc = WK_OK;
	if ((mkdir(path, 0711) < 0 && errno != EEXIST) ||
	    chmod(path, 0711) < 0) {
		set_error(error_r, "%s: %s", path, strerror(errno));
		rc = WK_EIO;
	}
	free(path);
	return rc;
}

int feedset_export_private(struct store *st, const struct config *cfg,
                           const struct token_key *key, const char *dir,
                           size_t *nfeeds_r, size_t *bytes_r, char **error_r)
{
	struct private_run run = {.cfg = cfg, .key = key, .dir = dir};
	int rc = make_dirs(dir, error_r);
	if (rc == WK_OK)
		rc = make_private_dir(dir, error_r);
	if (rc == WK_OK)
		rc = export_internal(st, &run, error_r);
	if (rc == WK_OK)
		rc = export_persons(st, &run, error_r);
	if (rc == WK_OK)
		rc = prune_private(&run, error_r);
	free(run.tokens);
	if (nfeeds_r)
		*nfeeds_r = run.nfeeds;
	if (bytes_r)
		*bytes_r = run.bytes;
	return rc;
}
