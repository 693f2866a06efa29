/* event_opts: parsing, defaults and validation of event options. */
#include "cli/event_opts.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/audience.h"
#include "core/recur.h"
#include "core/util.h"
#include "core/wtime.h"

enum {
	O_KIND = 256,
	O_WIJK,
	O_TITLE,
	O_START,
	O_DATE,
	O_END,
	O_DURATION,
	O_RRULE,
	O_LOCATION,
	O_DESCRIPTION,
	O_ONLINE,
	O_URL,
	O_POINTS,
	O_CAPACITY,
	O_ORGANIZER,
	O_AUDIENCE,
	O_PUBLIC,
	O_PRIVATE,
	O_DRAFT,
	O_FORCE,
	O_NO_NOTIFY,
};

const struct option event_options[] = {
    {"kind", required_argument, NULL, O_KIND},
    {"wijk", required_argument, NULL, O_WIJK},
    {"title", required_argument, NULL, O_TITLE},
    {"start", required_argument, NULL, O_START},
    {"date", required_argument, NULL, O_DATE},
    {"end", required_argument, NULL, O_END},
    {"duration", required_argument, NULL, O_DURATION},
    {"rrule", required_argument, NULL, O_RRULE},
    {"location", required_argument, NULL, O_LOCATION},
    {"description", required_argument, NULL, O_DESCRIPTION},
    {"online", required_argument, NULL, O_ONLINE},
    {"url", required_argument, NULL, O_URL},
    {"points", required_argument, NULL, O_POINTS},
    {"capacity", required_argument, NULL, O_CAPACITY},
    {"organizer", required_argument, NULL, O_ORGANIZER},
    {"audience", required_argument, NULL, O_AUDIENCE},
    {"public", no_argument, NULL, O_PUBLIC},
    {"private", no_argument, NULL, O_PRIVATE},
    {"draft", no_argument, NULL, O_DRAFT},
    {"force", no_argument, NULL, O_FORCE},
    {"no-notify", no_argument, NULL, O_NO_NOTIFY},
    {0}};

int event_opt(void *arg, int code, const char *value, char **err)
{
	struct event_opts *o = arg;
	const char **slot[] = {
	    [O_KIND - O_KIND] = &o->kind,
	    [O_WIJK - O_KIND] = &o->wijk,
	    [O_TITLE - O_KIND] = &o->title,
	    [O_START - O_KIND] = &o->start,
	    [O_DATE - O_KIND] = &o->date,
	    [O_END - O_KIND] = &o->end,
	    [O_DURATION - O_KIND] = &o->duration,
	    [O_RRULE - O_KIND] = &o->rrule,
	    [O_LOCATION - O_KIND] = &o->location,
	    [O_DESCRIPTION - O_KIND] = &o->description,
	    [O_ONLINE - O_KIND] = &o->online,
	    [O_URL - O_KIND] = &o->url,
	    [O_POINTS - O_KIND] = &o->points,
	    [O_CAPACITY - O_KIND] = &o->capacity,
	    [O_ORGANIZER - O_KIND] = &o->organizer,
	};
	switch (code) {
	case O_AUDIENCE:
		o->audience_given = true;
		if (*value == '\0')
			return 0; /* --audience "" clears */
		o->audience =
		    xrealloc(o->audience, (o->naudience + 1) * sizeof(char *));
		o->audience[o->naudience++] = value;
		return 0;
	case O_PUBLIC:
	case O_PRIVATE:
		o->is_public = code == O_PUBLIC;
		return 0;
	case O_DRAFT:
		o->draft = true;
		return 0;
	case O_FORCE:
		o->force = true;
		return 0;
	case O_NO_NOTIFY:
		o->no_notify = true;
		return 0;
	}
	*slot[code - O_KIND] = value;
	return 0;
}

void event_opts_free(struct event_opts *o)
{
	free(o->audience);
	o->audience = NULL;
}

char *event_new_uid(void)
{
	unsigned char r[16];
	if (getrandom(r, sizeof(r), 0) != sizeof(r))
		abort(); /* the kernel always has 16 bytes for us */
	struct strbuf b = {0};
	for (size_t i = 0; i < sizeof(r); i++)
		strbuf_appendf(&b, "%02x", r[i]);
	strbuf_append(&b, "@wijkcal");
	return strbuf_take(&b);
}

/* Sets *field to a copy of value; "" clears it (NULL). Returns whether the
 * text changed. */
static bool set_text(char **field, const char *value)
{
	const char *v = *value ? value : NULL;
	bool changed =
	    (*field == NULL) != (v == NULL) || (v && strcmp(*field, v) != 0);
	free(*field);
	*field = xstrdup_or_null(v);
	return changed;
}

static int parse_count(const char *value, const char *field, int max, int *out,
                       char **err)
{
	if (*value == '\0') {
		*out = -1;
		return 0;
	}
	char *end;
	long v = strtol(value, &end, 10);
	if (*end || v < 0 || v > max)
		return set_error(err, "%s: expected a number from 0 to %d",
		                 field, max);
	*out = (int)v;
	return 0;
}

/* Title, place, texts and links. */
static int apply_texts(const struct event_opts *o, struct event *e,
                       bool *visible, char **err)
{
	static const struct {
		size_t opt, field;
		size_t max;
		bool multiline, is_url, required;
		const char *name;
	} texts[] = {
	    {offsetof(struct event_opts, title), offsetof(struct event, title),
	     200, false, false, true, "--title"},
	    {offsetof(struct event_opts, location),
	     offsetof(struct event, location), 300, false, false, false,
	     "--location"},
	    {offsetof(struct event_opts, description),
	     offsetof(struct event, description), 8000, true, false, false,
	     "--description"},
	    {offsetof(struct event_opts, online),
	     offsetof(struct event, online_url), 2048, false, true, false,
	     "--online"},
	    {offsetof(struct event_opts, url), offsetof(struct event, url),
	     2048, false, true, false, "--url"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		const char *v =
		    *(const char *const *)((const char *)o + texts[i].opt);
		if (v == NULL)
			continue;
		if (*v == '\0' && texts[i].required)
			return set_error(err, "%s: must not be empty",
			                 texts[i].name);
		if (*v &&
		    (texts[i].is_url ? model_check_url(v, texts[i].name, err)
		     : texts[i].multiline
		         ? model_check_multiline(v, texts[i].name, texts[i].max,
		                                 err)
		         : model_check_text(v, texts[i].name, texts[i].max,
		                            err)) < 0)
			return WK_EINVAL;
		char **field = (char **)((char *)e + texts[i].field);
		if (set_text(field, v))
			*visible = true;
	}
	return WK_OK;
}

#define MAX_EVENT_MINUTES (366LL * 1440)

/* --end as a wall time (timed) or last day (all-day) -> duration. */
static int end_to_duration(const struct event *e, const char *value,
                           int64_t *minutes, char **err)
{
	struct wtime end;
	if (wtime_parse(value, e->start.date_only, "--end", &end, err) < 0)
		return WK_EINVAL;
	if (end.date_only != e->start.date_only)
		return set_error(err, "--end: expected %s",
		                 e->start.date_only
		                     ? "YYYY-MM-DD (the last day) for an "
		                       "all-day event"
		                     : "YYYY-MM-DD HH:MM"),
		       WK_EINVAL;
	int64_t diff =
	    (wtime_to_utc(&end, "UTC") - wtime_to_utc(&e->start, "UTC")) / 60;
	if (e->start.date_only)
		diff += 1440; /* the last day counts */
	if (diff <= 0)
		return set_error(err, "--end: must be after the start (%s)",
		                 value),
		       WK_EINVAL;
	*minutes = diff;
	return WK_OK;
}

static int apply_duration(const struct event_opts *o, struct event *e,
                          bool was_all_day, char **err)
{
	int64_t minutes = e->duration_min;
	if (o->end && o->duration)
		return set_error(err, "--end and --duration: give one of them"),
		       WK_EINVAL;
	if (o->duration && duration_parse(o->duration, "--duration",
	                                  MAX_EVENT_MINUTES, &minutes, err) < 0)
		return WK_EINVAL;
	if (o->end && end_to_duration(e, o->end, &minutes, err) < 0)
		return WK_EINVAL;
	if (e->start.date_only) {
		if (minutes % 1440 != 0) {
			if (o->duration)
				return set_error(err,
				                 "--duration: an all-day event "
				                 "lasts whole days, like 1d or "
				                 "2d"),
				       WK_EINVAL;
			minutes = 1440; /* a timed default on a --date event */
		}
	} else if (was_all_day && !o->duration && !o->end) {
		/* An all-day event given a time gets the length of an hour
		 * rather than of its days. */
		minutes = 60;
	}
	e->duration_min = minutes;
	return WK_OK;
}

/* --start or --date; returns whether the start changed. */
static int apply_start(const struct event_opts *o, struct event *e,
                       bool *changed, char **err)
{
	if (o->start && o->date)
		return set_error(err, "--start and --date: give one of them "
		                      "(--date for an all-day event)"),
		       WK_EINVAL;
	struct wtime t = e->start;
	if (o->start && wtime_parse(o->start, false, "--start", &t, err) < 0)
		return WK_EINVAL;
	if (o->date && wtime_parse_date(o->date, "--date", &t, err) < 0)
		return WK_EINVAL;
	if (!wtime_exists(&t, e->tzid))
		return set_error(err,
		                 "--start: %s does not exist in %s (the clocks "
		                 "go forward that night)",
		                 o->start, e->tzid),
		       WK_EINVAL;
	*changed =
	    wtime_cmp(&t, &e->start) != 0 || t.date_only != e->start.date_only;
	e->start = t;
	return WK_OK;
}

static int apply_rrule(const struct event_opts *o, struct event *e,
                       bool start_changed, bool *visible, char **err)
{
	const char *rule = o->rrule ? o->rrule : e->rrule;
	if (rule == NULL || *rule == '\0') {
		if (e->rrule)
			*visible = true;
		xfree(&e->rrule);
		return WK_OK;
	}
	if (o->rrule == NULL && !start_changed)
		return WK_OK;
	char *norm = NULL;
	if (recur_check(rule, &e->start, o->force, &norm, err) < 0)
		return WK_EINVAL;
	if (set_text(&e->rrule, norm))
		*visible = true;
	free(norm);
	return WK_OK;
}

/* Kind, wijk and the kind's defaults for a new event. */
static int apply_kind(struct cli *c, const struct event_opts *o,
                      struct event *e, char **err)
{
	if (o->kind) {
		if (!model_in_list(model_event_kinds, o->kind))
			return set_error(
			           err,
			           "--kind: unknown kind \"%s\" (expected "
			           "one of %s)",
			           o->kind, model_list_text(model_event_kinds)),
			       WK_EINVAL;
		set_text(&e->kind, o->kind);
	}
	if (o->wijk) {
		if (model_check_slug(o->wijk, "--wijk", err) < 0)
			return WK_EINVAL;
		struct wijk w;
		int rc = store_wijk_get(c->st, o->wijk, &w, err);
		if (rc < 0)
			return set_error(err, "--wijk: unknown wijk \"%s\"",
			                 o->wijk),
			       rc;
		wijk_free(&w);
		set_text(&e->wijk, o->wijk);
	}
	if (e->uid)
		return WK_OK;
	if (!e->kind || !e->wijk || (!o->start && !o->date) || !o->title)
		return set_error(err, "event add: --kind, --wijk, --title and "
		                      "--start (or --date) are required"),
		       WK_EINVAL;
	const struct kind_conf *kc = config_kind(&c->cfg, e->kind);
	e->duration_min = kc->duration_min;
	e->is_public = kc->is_public;
	e->points = kc->points;
	e->capacity = -1;
	if (kc->audience && !o->audience_given) {
		e->audience = xcalloc(1, sizeof(char *));
		e->audience[0] = audience_expand_wijk(kc->audience, e->wijk);
		e->naudience = 1;
	}
	return WK_OK;
}

static int apply_audience(struct cli *c, const struct event_opts *o,
                          struct event *e, char **err)
{
	if (!o->audience_given)
		return WK_OK;
	for (size_t i = 0; i < o->naudience; i++) {
		int rc = store_audience_check(c->st, o->audience[i], err);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < e->naudience; i++)
		free(e->audience[i]);
	free(e->audience);
	e->audience = xcalloc(o->naudience ? o->naudience : 1, sizeof(char *));
	e->naudience = o->naudience;
	for (size_t i = 0; i < o->naudience; i++) {
		struct aud_group g;
		audience_parse(o->audience[i], &g, NULL);
		e->audience[i] = audience_format(&g);
		audience_group_free(&g);
	}
	return WK_OK;
}

static int apply_numbers(const struct event_opts *o, struct event *e,
                         char **err)
{
	if (o->points &&
	    parse_count(o->points, "--points", 100, &e->points, err) < 0)
		return WK_EINVAL;
	if (o->capacity && parse_count(o->capacity, "--capacity", 100000,
	                               &e->capacity, err) < 0)
		return WK_EINVAL;
	if (o->is_public >= 0)
		e->is_public = o->is_public;
	if (o->organizer) {
		if (*o->organizer &&
		    model_check_email(o->organizer, "--organizer", err) < 0)
			return WK_EINVAL;
		set_text(&e->organizer, o->organizer);
	}
	return WK_OK;
}

int event_opts_apply(struct cli *c, const struct event_opts *o, struct event *e,
                     bool *visible_r, char **err)
{
	bool visible = false, start_changed = false;
	int64_t old_duration = e->duration_min;
	if (!e->tzid)
		e->tzid = xstrdup(c->cfg.timezone);
	int rc = apply_kind(c, o, e, err);
	/* A new event has no earlier form; its kind default is not a day. */
	bool was_all_day = e->uid && e->start.date_only;
	if (rc == WK_OK)
		rc = apply_start(o, e, &start_changed, err);
	if (rc == WK_OK)
		rc = apply_duration(o, e, was_all_day && !e->start.date_only,
		                    err);
	if (rc == WK_OK)
		rc = apply_rrule(o, e, start_changed, &visible, err);
	if (rc == WK_OK)
		rc = apply_texts(o, e, &visible, err);
	if (rc == WK_OK)
		rc = apply_numbers(o, e, err);
	if (rc == WK_OK)
		rc = apply_audience(c, o, e, err);
	if (rc < 0)
		return rc;
	if (o->draft)
		e->draft = true;
	if (start_changed || old_duration != e->duration_min)
		visible = true;
	if (visible_r)
		*visible_r = visible;
	return WK_OK;
}
