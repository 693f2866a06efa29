/*
 * imip: builds the calendar part with libical (render_event for the
 * VEVENT, then libical again to set METHOD and RSVP), takes the Dutch
 * texts from the templates (feeds/imip_text.c), and hands both to the MIME
 * writer.
 */
#include "feeds/imip.h"

#include <libical/ical.h>
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
	char *block = calendar_block(&e, im, &ro, error_r);
	if (block == NULL) {
		event_free(&e);
		return NULL;
	}
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

char *imip_build(const struct imip_message *im, const struct config *cfg,
                 size_t *len_r, char **error_r)
{
	char *cal = NULL;
	if (imip_method(im->kind) &&
	    (cal = imip_calendar(im, cfg, error_r)) == NULL)
		return NULL;
	struct imip_texts tx; /* feeds/imip_text.h: from the templates */
	if (imip_text_render(im, cfg, &tx, error_r) < 0) {
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
