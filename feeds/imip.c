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
	                               .attendee_name = im->to_name,
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
