/*
 * imip_text: fills the template fields from the message, the event and the
 * config, and renders the templates of feeds/imip_text.h. Without a cache
 * the templates are read and parsed for every message; with one, a file
 * is parsed again when it changed, so an admin's edit still applies
 * without a restart.
 */
#include "feeds/imip_text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/model.h"
#include "core/util.h"
#include "core/wtime.h"
#include "feeds/template.h"
#include "feeds/templates_builtin.h"

enum field {
	F_NAME,
	F_EMAIL,
	F_TITLE,
	F_KIND,
	F_WHEN,
	F_START,
	F_LOCATION,
	F_ONLINE_URL,
	F_URL,
	F_DESCRIPTION,
	F_ORGANIZER,
	F_POINTS,
	F_AHEAD,
	F_OCCURRENCE,
	F_SERIES,
	F_COUNT
};

const char *const imip_text_fields[F_COUNT + 1] = {
    [F_NAME] = "name",
    [F_EMAIL] = "email",
    [F_TITLE] = "title",
    [F_KIND] = "kind",
    [F_WHEN] = "when",
    [F_START] = "start",
    [F_LOCATION] = "location",
    [F_ONLINE_URL] = "online_url",
    [F_URL] = "url",
    [F_DESCRIPTION] = "description",
    [F_ORGANIZER] = "organizer",
    [F_POINTS] = "points",
    [F_AHEAD] = "ahead",
    [F_OCCURRENCE] = "occurrence",
    [F_SERIES] = "series",
    [F_COUNT] = NULL,
};

/* The message kinds in enum outbox_kind order, as in the file names. */
static const char *const kind_files[] = {"invite", "update", "cancel",
                                         "reminder"};

enum part { PART_SUBJECT, PART_TEXT, PART_HTML, NPARTS };
static const char *const part_ext[NPARTS] = {"subject", "txt", "html"};

/* ---- loading ---- */

static const char *builtin_text(const char *file)
{
	for (size_t i = 0; i < ARRAY_SIZE(builtin_templates); i++)
		if (strcmp(builtin_templates[i].file, file) == 0)
			return builtin_templates[i].text;
	return NULL;
}

/*
 * The text of one template file: from dir when it has the file, else
 * built in. *name_r names it for messages. Returns NULL with a message.
 */
static char *template_text(const char *dir, const char *file, char **name_r,
                           char **error_r)
{
	struct stat st;
	char *path = dir ? xasprintf("%s/%s", dir, file) : NULL;
	if (path == NULL || (stat(path, &st) < 0 && errno == ENOENT)) {
		free(path);
		*name_r = xasprintf("built-in template %s", file);
		const char *text = builtin_text(file);
		if (text == NULL)
			set_error(error_r, "%s: missing from the build",
			          *name_r);
		return text ? xstrdup(text) : NULL;
	}
	*name_r = path;
	size_t len;
	char *text = read_file_max(path, TEMPLATE_MAX_BYTES, &len, error_r);
	if (text && strlen(text) != len) {
		set_error(error_r, "%s: expected text, found a NUL byte", path);
		xfree(&text);
	}
	return text;
}

static struct template *load_one(const char *dir, enum outbox_kind kind,
                                 enum part part, char **error_r)
{
	char *file = xasprintf("%s.%s", kind_files[kind], part_ext[part]);
	char *name = NULL;
	char *text = template_text(dir, file, &name, error_r);
	struct template *t = NULL;
	if (text)
		t = template_parse(text, name, imip_text_fields,
		                   part == PART_HTML, error_r);
	free(text);
	free(name);
	free(file);
	return t;
}

int imip_text_check_dir(const char *dir, char **error_r)
{
	struct stat st;
	if (stat(dir, &st) < 0)
		return set_error(error_r, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return set_error(error_r, "%s: expected a directory", dir);
	for (size_t k = 0; k < ARRAY_SIZE(kind_files); k++)
		for (int p = 0; p < NPARTS; p++) {
			struct template *t = load_one(dir, (enum outbox_kind)k,
			                              (enum part)p, error_r);
			if (t == NULL)
				return -1;
			template_free(&t);
		}
	return 0;
}

/* ---- the fields ---- */

char *imip_text_one_line(const char *s)
{
	struct strbuf b = {0};
	bool gap = false;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = 0;
		if (*p < 0x20 || *p == 0x7f || *p == ' ')
			n = 1;
		else if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
			n = 2; /* C1 controls, U+0085 NEL among them */
		else if (p[0] == 0xE2 && p[1] == 0x80 &&
		         (p[2] == 0xA8 || p[2] == 0xA9)) /* U+2028, U+2029 */
			n = 3;
		if (n) {
			gap = b.len > 0;
			p += n;
			continue;
		}
		if (gap)
			strbuf_appendc(&b, ' ');
		gap = false;
		strbuf_appendc(&b, (char)*p++);
	}
	return strbuf_take(&b);
}

/* The start and duration the message is about: those of the occurrence
 * with the message's recurrence id (where it was moved to, if it was),
 * else the event's (the first of a series). */
static struct wtime start_of(const struct imip_message *im, int64_t *duration_r)
{
	const struct event *e = im->event;
	struct wtime t = e->start;
	*duration_r = e->duration_min;
	if (im->recurrence_id == NULL || *im->recurrence_id == '\0' ||
	    wtime_parse(im->recurrence_id, true, "recurrence-id", &t, NULL) < 0)
		return e->start;
	for (size_t i = 0; i < e->nchanges; i++) {
		const struct recur_exception *x = &e->changes[i].exc;
		if (wtime_cmp(&x->recurrence_id, &t) != 0 || x->cancelled)
			continue;
		if (x->duration_min > 0)
			*duration_r = x->duration_min;
		return x->start;
	}
	return t;
}

/* "dinsdag 12 januari 2027 12:30" (no time for an all-day event). */
static char *dutch_start(const struct wtime *t)
{
	char date[64];
	wtime_format_dutch(t, true, date, sizeof(date));
	if (t->date_only)
		return xstrdup(date);
	return xasprintf("%s %02d:%02d", date, t->hour, t->minute);
}

/* "dinsdag 12 januari 2027 12:30–13:30"; all-day events of several days
 * as "maandag 11 januari 2027 t/m woensdag 13 januari 2027". */
static char *dutch_when(const struct wtime *t, int64_t duration_min)
{
	char first[64], last[64];
	wtime_format_dutch(t, true, first, sizeof(first));
	if (t->date_only) {
		if (duration_min <= 1440)
			return xstrdup(first);
		struct wtime end = wtime_add_minutes(*t, duration_min - 1440);
		wtime_format_dutch(&end, true, last, sizeof(last));
		return xasprintf("%s t/m %s", first, last);
	}
	if (duration_min <= 0)
		return dutch_start(t);
	struct wtime end = wtime_add_minutes(*t, duration_min);
	if (end.year == t->year && end.month == t->month && end.day == t->day)
		return xasprintf("%s %02d:%02d–%02d:%02d", first, t->hour,
		                 t->minute, end.hour, end.minute);
	wtime_format_dutch(&end, true, last, sizeof(last));
	return xasprintf("%s %02d:%02d – %s %02d:%02d", first, t->hour,
	                 t->minute, last, end.hour, end.minute);
}

/* For a reminder, how far ahead the meeting is, in calendar days of the
 * event's zone as of the message's date: "morgen", "over 7 dagen". */
static char *ahead_text(const struct imip_message *im, const struct wtime *t)
{
	if (im->kind != OUTBOX_REMINDER)
		return NULL;
	const char *tzid = im->event->tzid ? im->event->tzid : WIJKCAL_TZID;
	struct wtime now = wtime_from_utc(im->date, tzid);
	int64_t days = wtime_day_number(t->year, t->month, t->day) -
	               wtime_day_number(now.year, now.month, now.day);
	if (days < 0)
		return NULL;
	if (days == 0)
		return xstrdup("vandaag");
	if (days == 1)
		return xstrdup("morgen");
	if (days == 2)
		return xstrdup("overmorgen");
	if (days >= 14 && days % 7 == 0)
		return xasprintf("over %lld weken", (long long)(days / 7));
	return xasprintf("over %lld dagen", (long long)days);
}

static char *points_text(int points)
{
	if (points <= 0)
		return NULL;
	return xasprintf(points == 1 ? "%d accreditatiepunt"
	                             : "%d accreditatiepunten",
	                 points);
}

/* A link only when it is an http(s) URL: a template puts it in href. */
static const char *safe_url(const char *url)
{
	return url && *url && model_check_url(url, "url", NULL) == 0 ? url
	                                                             : NULL;
}

/* The values of the fields; the allocated ones are listed in owned[]. */
struct values {
	const char *v[F_COUNT];
	char *owned[F_COUNT];
};

static void own(struct values *vals, enum field f, char *value)
{
	vals->owned[f] = value;
	vals->v[f] = value;
}

static void fill(struct values *vals, const struct imip_message *im,
                 const struct config *cfg)
{
	const struct event *e = im->event;
	const struct kind_conf *kc = config_kind(cfg, e->kind ? e->kind : "");
	int64_t duration;
	struct wtime t = start_of(im, &duration);
	bool series = e->rrule && *e->rrule;
	/* A message about one occurrence of a series (a reminder, or a change
	 * to that occurrence alone). */
	bool occurrence = series && im->recurrence_id && *im->recurrence_id;
	memset(vals, 0, sizeof(*vals));
	if (im->to_name)
		own(vals, F_NAME, imip_text_one_line(im->to_name));
	vals->v[F_EMAIL] = im->to_email;
	vals->v[F_TITLE] = e->title;
	vals->v[F_KIND] = kc ? kc->label : e->kind;
	own(vals, F_WHEN, dutch_when(&t, duration));
	own(vals, F_START, dutch_start(&t));
	vals->v[F_LOCATION] = e->location;
	vals->v[F_ONLINE_URL] = safe_url(e->online_url);
	vals->v[F_URL] = safe_url(e->url);
	vals->v[F_DESCRIPTION] = e->description;
	vals->v[F_ORGANIZER] =
	    e->organizer && *e->organizer ? e->organizer : cfg->organizer;
	own(vals, F_POINTS, points_text(e->points));
	own(vals, F_AHEAD, ahead_text(im, &t));
	struct wtime rid;
	if (occurrence && wtime_parse(im->recurrence_id, true, "recurrence-id",
	                              &rid, NULL) == 0) {
		/* The original date names the occurrence, also when it moved.
		 */
		char date[64];
		wtime_format_dutch(&rid, true, date, sizeof(date));
		own(vals, F_OCCURRENCE, xstrdup(date));
	}
	if (series && !occurrence)
		vals->v[F_SERIES] = "ja";
}

static void values_free(struct values *vals)
{
	for (int i = 0; i < F_COUNT; i++)
		free(vals->owned[i]);
}

/* ---- the cache ---- */

/* One parsed template and the file it came from. */
struct kept {
	struct template *t; /* NULL: nothing kept */
	char *dir;          /* the templates_dir it was looked up in */
	bool builtin;       /* the directory had no such file */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

struct imip_text_cache {
	struct kept kept[ARRAY_SIZE(kind_files)][NPARTS];
};

struct imip_text_cache *imip_text_cache_new(void)
{
	return xcalloc(1, sizeof(struct imip_text_cache));
}

static void kept_clear(struct kept *k)
{
	template_free(&k->t);
	free(k->dir);
	memset(k, 0, sizeof(*k));
}

void imip_text_cache_free(struct imip_text_cache **cp)
{
	struct imip_text_cache *c = *cp;
	if (c == NULL)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(kind_files); i++)
		for (int p = 0; p < NPARTS; p++)
			kept_clear(&c->kept[i][p]);
	free(c);
	*cp = NULL;
}

/* The kept template when the file it came from is still the same. */
static const struct template *kept_current(const struct kept *k,
                                           const char *dir,
                                           const struct stat *st, bool found)
{
	if (k->t == NULL || strcmp(k->dir ? k->dir : "", dir ? dir : "") != 0)
		return NULL;
	if (!found)
		return k->builtin ? k->t : NULL;
	bool same = !k->builtin && k->dev == st->st_dev &&
	            k->ino == st->st_ino && k->size == st->st_size &&
	            k->mtime.tv_sec == st->st_mtim.tv_sec &&
	            k->mtime.tv_nsec == st->st_mtim.tv_nsec;
	return same ? k->t : NULL;
}

/* The template of kind and part: the kept one, or parsed and kept. */
static const struct template *cached(struct imip_text_cache *c, const char *dir,
                                     enum outbox_kind kind, enum part part,
                                     char **error_r)
{
	struct kept *k = &c->kept[kind][part];
	struct stat st = {0};
	bool found = false, known = true; /* known: st says what the file is */
	if (dir) {
		char *path = xasprintf("%s/%s.%s", dir, kind_files[kind],
		                       part_ext[part]);
		found = stat(path, &st) == 0 || errno != ENOENT;
		known = !found || st.st_ino != 0;
		free(path);
	}
	const struct template *t =
	    known ? kept_current(k, dir, &st, found) : NULL;
	if (t)
		return t;
	kept_clear(k);
	k->t = load_one(dir, kind, part, error_r);
	if (k->t == NULL)
		return NULL;
	k->dir = xstrdup_or_null(dir);
	k->builtin = !found;
	if (found) {
		k->dev = st.st_dev;
		k->ino = st.st_ino;
		k->size = st.st_size;
		k->mtime = st.st_mtim;
	}
	return k->t;
}

/* ---- rendering ---- */

static char *render_part(struct imip_text_cache *c, const char *dir,
                         enum outbox_kind kind, enum part part,
                         const struct values *vals, char **error_r)
{
	if (c) {
		const struct template *t = cached(c, dir, kind, part, error_r);
		return t ? template_render(t, vals->v) : NULL;
	}
	struct template *t = load_one(dir, kind, part, error_r);
	if (t == NULL)
		return NULL;
	char *out = template_render(t, vals->v);
	template_free(&t);
	return out;
}

int imip_text_render(const struct imip_message *im, const struct config *cfg,
                     struct imip_text_cache *cache, struct imip_texts *r,
                     char **error_r)
{
	memset(r, 0, sizeof(*r));
	if ((unsigned)im->kind >= ARRAY_SIZE(kind_files))
		return set_error(error_r, "kind: expected a message kind");
	const char *dir = cfg->mail_templates_dir;
	struct values vals;
	fill(&vals, im, cfg);
	char *subject =
	    render_part(cache, dir, im->kind, PART_SUBJECT, &vals, error_r);
	if (subject) {
		r->subject = imip_text_one_line(subject);
		free(subject);
		r->text = render_part(cache, dir, im->kind, PART_TEXT, &vals,
		                      error_r);
	}
	if (r->text)
		r->html = render_part(cache, dir, im->kind, PART_HTML, &vals,
		                      error_r);
	values_free(&vals);
	if (r->html == NULL) {
		imip_texts_free(r);
		return -1;
	}
	return 0;
}

void imip_texts_free(struct imip_texts *t)
{
	free(t->subject);
	free(t->text);
	free(t->html);
	memset(t, 0, sizeof(*t));
}

char *imip_subject(const struct imip_message *im)
{
	struct config cfg;
	config_defaults(&cfg);
	struct imip_texts tx;
	char *subject = NULL;
	if (imip_text_render(im, &cfg, NULL, &tx, NULL) == 0) {
		subject = tx.subject;
		tx.subject = NULL;
		imip_texts_free(&tx);
	}
	config_free(&cfg);
	return subject ? subject : xstrdup(im->event->title);
}
