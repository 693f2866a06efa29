/*
 * imip: builds the calendar part with libical (render_event for the
 * VEVENT, then libical again to set METHOD and RSVP), the Dutch texts, and
 * hands both to the MIME writer.
 */
#include "feeds/imip.h"

#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "core/wtime.h"
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

/* "dinsdag 12 januari 2027 12:30" (no time for an all-day event). */
static char *dutch_when(const struct wtime *t)
{
	char date[64];
	wtime_format_dutch(t, true, date, sizeof(date));
	if (t->date_only)
		return xstrdup(date);
	return xasprintf("%s %02d:%02d", date, t->hour, t->minute);
}

/* The start the message is about: the occurrence of a reminder, else the
 * first. */
static struct wtime start_of(const struct imip_message *im)
{
	struct wtime t = im->event->start;
	if (im->recurrence_id && *im->recurrence_id)
		wtime_parse(im->recurrence_id, true, "recurrence-id", &t, NULL);
	return t;
}

char *imip_subject(const struct imip_message *im)
{
	static const char *const words[] = {"Uitnodiging", "Gewijzigd",
	                                    "Geannuleerd", "Herinnering"};
	struct wtime t = start_of(im);
	char *when = dutch_when(&t);
	char *s =
	    xasprintf("%s: %s, %s", words[im->kind], im->event->title, when);
	free(when);
	return s;
}

/* Puts METHOD, drops the feed-only properties, and sets RSVP=TRUE on the
 * attendee of a request. */
static void make_imip(icalcomponent *cal, icalproperty_method method)
{
	static const icalproperty_kind drop[] = {ICAL_METHOD_PROPERTY,
	                                         ICAL_X_PROPERTY,
	                                         ICAL_REFRESHINTERVAL_PROPERTY};
	for (size_t i = 0; i < ARRAY_SIZE(drop); i++) {
		icalproperty *p;
		while ((p = icalcomponent_get_first_property(cal, drop[i]))) {
			icalcomponent_remove_property(cal, p);
			icalproperty_free(p);
		}
	}
	icalcomponent_add_property(cal, icalproperty_new_method(method));
	if (method != ICAL_METHOD_REQUEST)
		return;
	for (icalcomponent *ev =
	         icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	     ev;
	     ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
		for (icalproperty *a = icalcomponent_get_first_property(
		         ev, ICAL_ATTENDEE_PROPERTY);
		     a; a = icalcomponent_get_next_property(
		            ev, ICAL_ATTENDEE_PROPERTY))
			icalproperty_add_parameter(
			    a, icalparameter_new_rsvp(ICAL_RSVP_TRUE));
}

char *imip_calendar(const struct imip_message *im, const struct config *cfg,
                    char **error_r)
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
	                               .attendee_email = im->to_email,
	                               .attendee_name = im->to_name};
	char *block = render_event(&e, &ro);
	const char *tzid = e.tzid;
	struct render_feed_opts fo = {.tzid = tzid};
	char *feed =
	    render_feed(&fo, &tzid, 1, (const char *const *)&block, 1, NULL);
	event_free(&e);
	free(block);
	icalcomponent *cal = icalparser_parse_string(feed);
	free(feed);
	if (cal == NULL) {
		set_error(error_r, "calendar: libical cannot read the event");
		return NULL;
	}
	make_imip(cal, im->kind == OUTBOX_CANCEL ? ICAL_METHOD_CANCEL
	                                         : ICAL_METHOD_REQUEST);
	char *text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	return text;
}

/* Escaped text with its line breaks kept as <br>. */
static void html_escaped(struct strbuf *b, const char *s)
{
	const char *nl;
	while (s && (nl = strchr(s, '\n')) != NULL) {
		char *line = xstrndup(s, (size_t)(nl - s));
		strbuf_append_html(b, line);
		strbuf_append(b, "<br>\n");
		free(line);
		s = nl + 1;
	}
	strbuf_append_html(b, s);
}

/* The lines of the body: label and value pairs, NULL values left out. */
struct line {
	const char *label, *value;
};

static const char *intro(enum outbox_kind kind)
{
	switch (kind) {
	case OUTBOX_INVITE:
		return "U bent uitgenodigd voor de bijeenkomst hieronder.";
	case OUTBOX_UPDATE:
		return "De bijeenkomst hieronder is gewijzigd.";
	case OUTBOX_CANCEL:
		return "De bijeenkomst hieronder gaat niet door, of u staat "
		       "niet meer op de lijst van genodigden.";
	case OUTBOX_REMINDER:
		break;
	}
	return "Een herinnering aan de bijeenkomst hieronder.";
}

static void bodies(const struct imip_message *im, const struct config *cfg,
                   char **text_r, char **html_r)
{
	const struct event *e = im->event;
	struct wtime t = start_of(im);
	char *when = dutch_when(&t);
	const struct line lines[] = {
	    {"Wat", e->title},     {"Wanneer", when},
	    {"Waar", e->location}, {"Online", e->online_url},
	    {"Meer", e->url},      {"Organisator", organizer_of(im, cfg)},
	};
	const char *name = im->to_name && *im->to_name ? im->to_name : NULL;
	struct strbuf t_b = {0}, h_b = {0};
	strbuf_appendf(&t_b, "Beste %s,\n\n%s\n\n", name ? name : "collega",
	               intro(im->kind));
	strbuf_append(&h_b, "<!DOCTYPE html>\n<html><body>\n<p>Beste ");
	html_escaped(&h_b, name ? name : "collega");
	strbuf_appendf(&h_b, ",</p>\n<p>%s</p>\n<table>\n", intro(im->kind));
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		if (lines[i].value == NULL || *lines[i].value == '\0')
			continue;
		strbuf_appendf(&t_b, "%s: %s\n", lines[i].label,
		               lines[i].value);
		strbuf_appendf(&h_b, "<tr><th align=\"left\">%s</th><td>",
		               lines[i].label);
		html_escaped(&h_b, lines[i].value);
		strbuf_append(&h_b, "</td></tr>\n");
	}
	strbuf_append(&h_b, "</table>\n");
	if (e->description && *e->description) {
		strbuf_appendf(&t_b, "\n%s\n", e->description);
		strbuf_append(&h_b, "<p>");
		html_escaped(&h_b, e->description);
		strbuf_append(&h_b, "</p>\n");
	}
	strbuf_append(&t_b, "\nBeantwoorden gaat naar de organisator.\n");
	strbuf_append(&h_b, "<p>Beantwoorden gaat naar de organisator.</p>\n"
	                    "</body></html>\n");
	free(when);
	*text_r = strbuf_take(&t_b);
	*html_r = strbuf_take(&h_b);
}

char *imip_build(const struct imip_message *im, const struct config *cfg,
                 size_t *len_r, char **error_r)
{
	char *cal = NULL;
	if (imip_method(im->kind) &&
	    (cal = imip_calendar(im, cfg, error_r)) == NULL)
		return NULL;
	char *text, *html;
	bodies(im, cfg, &text, &html);
	char *subject = imip_subject(im);
	struct mimemsg m = {
	    .from = {"Wijkagenda", cfg->smtp_from},
	    .reply_to = {NULL, organizer_of(im, cfg)},
	    .to = {im->to_name, im->to_email},
	    .subject = subject,
	    .date = im->date,
	    .message_id = im->message_id,
	    .text = text,
	    .html = html,
	    .calendar = cal,
	    .method = imip_method(im->kind),
	};
	char *msg = mimemsg_build(&m, len_r, error_r);
	free(subject);
	free(text);
	free(html);
	free(cal);
	return msg;
}
