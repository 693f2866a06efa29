/*
 * imip: builds the calendar part with the libical renderer of
 * feeds/render.h (the event as the recipient's own, RSVP=TRUE on a
 * request, in a VCALENDAR with the message's METHOD), takes the Dutch
 * texts from the templates (feeds/imip_text.c), and hands both to the MIME
 * writer.
 */
#include "feeds/imip.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "core/wtime.h"
#include "feeds/imip_text.h"
#include "feeds/mimemsg.h"
#include "feeds/render.h"

const char *imip_method(enum outbox_kind kind)
{
	switch (kind) {
	case OUTBOX_INVITE:
	case OUTBOX_UPDATE:
		return "REQUEST";
	case OUTBOX_CANCEL:
		return "CANCEL";
	case OUTBOX_REMINDER:
		break;
	}
	return NULL;
}

static const char *organizer_of(const struct imip_message *im,
                                const struct config *cfg)
{
	const char *o = im->event->organizer;
	return o && *o ? o : cfg->organizer;
}

/* The change of the occurrence a message is about; false if it has none
 * (the change was dropped since, when the series' rule changed). */
static bool find_change(const struct event *e, const char *rid,
                        struct event_change *c_r)
{
	for (size_t i = 0; i < e->nchanges; i++) {
		char buf[WTIME_STRLEN];
		wtime_format(&e->changes[i].exc.recurrence_id, buf);
		if (strcmp(buf, rid) == 0) {
			*c_r = e->changes[i];
			return true;
		}
	}
	return false;
}

/* The VEVENT(s) of the message: the whole series as it stands (moved
 * occurrences and EXDATEs included), or the one occurrence a message with
 * a recurrence id is about. NULL with a message on failure. */
static char *calendar_block(const struct event *e,
                            const struct imip_message *im,
                            const struct render_event_opts *ro, char **error_r)
{
	const char *rid = im->recurrence_id;
	if (rid == NULL || *rid == '\0')
		return render_event(e, ro);
	struct event_change c = {.sequence = e->sequence};
	if (!find_change(e, rid, &c)) {
		if (wtime_parse(rid, true, "recurrence-id",
		                &c.exc.recurrence_id, error_r) < 0)
			return NULL;
		c.exc.start = c.exc.recurrence_id;
	}
	/* A REQUEST cannot say CANCELLED (RFC 5546 3.2.2): the occurrence's
	 * CANCEL, planned after this, says it. */
	if (c.exc.cancelled && im->kind != OUTBOX_CANCEL) {
		set_error(error_r,
		          "calendar: the occurrence of %s was cancelled after "
		          "this message was planned; its cancellation follows",
		          rid);
		return NULL;
	}
	return render_occurrence(e, &c, ro);
}

/* The calendar part with attendee as the ATTENDEE (name may be NULL). */
static char *render_calendar(const struct imip_message *im,
                             const struct config *cfg, const char *attendee,
                             const char *name, char **error_r)
{
	const char *method = imip_method(im->kind);
	if (method == NULL) {
		set_error(error_r, "a reminder has no calendar part");
		return NULL;
	}
	struct event e;
	event_copy(&e, im->event);
	e.draft = false;
	if (im->kind == OUTBOX_CANCEL)
		e.cancelled =
		    true; /* STATUS:CANCELLED: the client removes it */
	struct render_event_opts ro = {.audience = RENDER_PERSONAL,
	                               .organizer_default = cfg->organizer,
	                               .attendee_email = attendee,
	                               .attendee_name = name,
	                               .rsvp = im->kind != OUTBOX_CANCEL};
	char *block = calendar_block(&e, im, &ro, error_r);
	if (block == NULL) {
		event_free(&e);
		return NULL;
	}
	/* The VCALENDAR of an iMIP message: METHOD, the zone, the event; none
	 * of a feed's own properties. */
	const char *tzid = e.tzid;
	struct render_feed_opts fo = {.tzid = tzid, .imip_method = method};
	char *text =
	    render_feed(&fo, &tzid, 1, (const char *const *)&block, 1, NULL);
	event_free(&e);
	free(block);
	return text;
}

char *imip_calendar(const struct imip_message *im, const struct config *cfg,
                    char **error_r)
{
	return render_calendar(im, cfg, im->to_email, im->to_name, error_r);
}

/* ---- the cache of a builder of many messages ---- */

/* The attendee of the kept calendar: a name of the reserved .invalid
 * domain (RFC 2606), so no real address can look like it. */
#define PLACEHOLDER "attendee@wijkcal.invalid"

struct imip_cache {
	char *calendar; /* NULL: nothing kept; else for PLACEHOLDER */
	char *line;     /* CRLF, then PLACEHOLDER's ATTENDEE line */
	/* What the kept calendar is of. */
	int64_t version;
	char *uid, *rid, *organizer;
	enum outbox_kind kind;
	struct imip_text_cache *texts; /* the parsed templates */
};

struct imip_cache *imip_cache_new(void)
{
	struct imip_cache *c = xcalloc(1, sizeof(*c));
	c->texts = imip_text_cache_new();
	return c;
}

/* Forgets the kept calendar. */
static void cache_clear(struct imip_cache *c)
{
	free(c->calendar);
	free(c->line);
	free(c->uid);
	free(c->rid);
	free(c->organizer);
	c->calendar = c->line = c->uid = c->rid = c->organizer = NULL;
}

void imip_cache_free(struct imip_cache **cp)
{
	if (*cp == NULL)
		return;
	cache_clear(*cp);
	imip_text_cache_free(&(*cp)->texts);
	free(*cp);
	*cp = NULL;
}

static bool same_text(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool cache_fits(const struct imip_cache *c,
                       const struct imip_message *im, const struct config *cfg,
                       int64_t version)
{
	return c->calendar && c->version == version && c->kind == im->kind &&
	       same_text(c->uid, im->event->uid) &&
	       same_text(c->rid, im->recurrence_id) &&
	       same_text(c->organizer, cfg->organizer);
}

/* text with every occurrence of `from` replaced by `to`; NULL if none. */
static char *replace_all(const char *text, const char *from, const char *to)
{
	struct strbuf b = {0};
	size_t n = strlen(from);
	const char *p = text, *hit;
	while ((hit = strstr(p, from)) != NULL) {
		strbuf_appendn(&b, p, (size_t)(hit - p));
		strbuf_append(&b, to);
		p = hit + n;
	}
	if (p == text)
		return NULL;
	strbuf_append(&b, p);
	return strbuf_take(&b);
}

/* The calendar part of im from the cache: rendered once for the
 * placeholder, then this recipient's ATTENDEE line (libical's, as
 * render_event writes it) in its place. */
static char *cached_calendar(const struct imip_message *im,
                             const struct config *cfg, struct imip_cache *c,
                             int64_t version, char **error_r)
{
	bool rsvp = im->kind != OUTBOX_CANCEL;
	if (!cache_fits(c, im, cfg, version)) {
		cache_clear(c);
		c->calendar =
		    render_calendar(im, cfg, PLACEHOLDER, NULL, error_r);
		if (c->calendar == NULL)
			return NULL;
		char *line = render_attendee(PLACEHOLDER, NULL, rsvp);
		c->line = xasprintf("\r\n%s", line);
		free(line);
		c->version = version;
		c->kind = im->kind;
		c->uid = xstrdup_or_null(im->event->uid);
		c->rid = xstrdup_or_null(im->recurrence_id);
		c->organizer = xstrdup_or_null(cfg->organizer);
	}
	char *mine = render_attendee(im->to_email, im->to_name, rsvp);
	char *line = xasprintf("\r\n%s", mine);
	char *text = replace_all(c->calendar, c->line, line);
	free(line);
	free(mine);
	/* Never without its attendee: render it whole. */
	return text ? text : imip_calendar(im, cfg, error_r);
}

/* ---- the message ---- */

/* The message with its calendar part cal (NULL for a reminder), its
 * texts from the templates kept in texts (may be NULL); frees cal. */
static char *build(const struct imip_message *im, const struct config *cfg,
                   struct imip_text_cache *texts, char *cal, size_t *len_r,
                   char **error_r)
{
	struct imip_texts tx; /* feeds/imip_text.h: from the templates */
	if (imip_text_render(im, cfg, texts, &tx, error_r) < 0) {
		free(cal);
		return NULL;
	}
	/* A name with a line break (written to the database by hand) is
	 * sent on one line rather than refused. */
	char *to_name = im->to_name ? imip_text_one_line(im->to_name) : NULL;
	struct mimemsg m = {
	    .from = {"Wijkagenda", cfg->smtp_from},
	    .reply_to = {NULL, organizer_of(im, cfg)},
	    .to = {to_name, im->to_email},
	    .subject = tx.subject,
	    .date = im->date,
	    .message_id = im->message_id,
	    .text = tx.text,
	    .html = tx.html,
	    .calendar = cal,
	    .method = imip_method(im->kind),
	};
	char *msg = mimemsg_build(&m, len_r, error_r);
	imip_texts_free(&tx);
	free(to_name);
	free(cal);
	return msg;
}

char *imip_build(const struct imip_message *im, const struct config *cfg,
                 size_t *len_r, char **error_r)
{
	char *cal = NULL;
	if (imip_method(im->kind) &&
	    (cal = imip_calendar(im, cfg, error_r)) == NULL)
		return NULL;
	return build(im, cfg, NULL, cal, len_r, error_r);
}

char *imip_build_cached(const struct imip_message *im, const struct config *cfg,
                        struct imip_cache *cache, int64_t version,
                        size_t *len_r, char **error_r)
{
	char *cal = NULL;
	if (imip_method(im->kind) &&
	    (cal = cached_calendar(im, cfg, cache, version, error_r)) == NULL)
		return NULL;
	return build(im, cfg, cache->texts, cal, len_r, error_r);
}
