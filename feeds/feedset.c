/* feedset: selecting events per feed, and writing all public feeds. */
#include "feeds/feedset.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

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
	char *text = render_feed(&fo, tzids, ntzids, (const char *const *)blocks,
				 n, len_r);
	for (size_t i = 0; i < n; i++)
		free(blocks[i]);
	free(blocks);
	return text;
}

/* Keeps the events whose audience holds the person. */
static int select_person(struct store *st, struct event *list, size_t *n,
			 const char *email, char **error_r)
{
	size_t kept = 0;
	int rc = WK_OK;
	for (size_t i = 0; i < *n; i++) {
		struct person *p = NULL;
		size_t np = 0;
		bool in = false;
		if (rc == WK_OK)
			rc = store_audience_resolve(st, list[i].audience,
						    list[i].naudience, &p, &np,
						    error_r);
		for (size_t k = 0; k < np; k++) {
			in |= strcasecmp(p[k].email, email) == 0;
			person_free(&p[k]);
		}
		free(p);
		if (in && rc == WK_OK)
			list[kept++] = list[i];
		else
			event_free(&list[i]);
	}
	*n = kept;
	return rc;
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
	}
	wijk_free(&w);
	practice_free(&p);
	return rc;
}

int feedset_render(struct store *st, const struct config *cfg,
		   const struct feed_spec *spec, char **text_r, size_t *len_r,
		   char **error_r)
{
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
	static const char *const dirs[] = {
		[FEED_WIJK] = "wijk", [FEED_PRACTICE] = "practice",
		[FEED_KIND] = "kind", [FEED_WIJK_INTERNAL] = "private",
		[FEED_PERSON] = "private"};
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
		      const struct rendered *r, bool (*keep)(const struct event *,
							     const char *),
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
		char *calname = xasprintf("%s (alle wijken)",
					  cfg->kinds[i].label);
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
