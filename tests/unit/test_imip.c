/*
 * Unit tests for feeds/imip: the calendar part read back with libical
 * (METHOD, UID, SEQUENCE, ORGANIZER, the one ATTENDEE with RSVP=TRUE on a
 * request, STATUS:CANCELLED on a cancellation), the Dutch subjects, and
 * that METHOD always equals the MIME method= of the message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/util.h"
#include "feeds/imip.h"

static struct event sample_event(void)
{
	struct event e = {
	    .uid = "wk-imip-1",
	    .kind = "hagro",
	    .wijk = "noord",
	    .title = "Hagro Noord",
	    .location = "De Linde",
	    .organizer = "secretaris@hagro-noord.nl",
	    .start = {2027, 1, 12, 12, 30, false},
	    .duration_min = 90,
	    .tzid = "Europe/Amsterdam",
	    .points = -1,
	    .capacity = -1,
	    .sequence = 3,
	    .created = 1790000000,
	    .modified = 1795000000,
	};
	return e;
}

static struct imip_message sample(const struct event *e, enum outbox_kind k)
{
	struct imip_message im = {.kind = k,
	                          .event = e,
	                          .recurrence_id = "",
	                          .to_email = "anna@linde.nl",
	                          .to_name = "Anna de Vries",
	                          .message_id = "<abc123@example.nl>",
	                          .date = 1798761600};
	return im;
}

static icalcomponent *calendar(const struct imip_message *im,
                               const struct config *cfg)
{
	char *err = NULL;
	char *text = imip_calendar(im, cfg, &err);
	if (text == NULL)
		fail_msg("%s", err);
	icalcomponent *cal = icalparser_parse_string(text);
	free(text);
	assert_non_null(cal);
	return cal;
}

static void test_request(void **state)
{
	struct config cfg;
	config_defaults(&cfg);
	struct event e = sample_event();
	struct imip_message im = sample(&e, OUTBOX_INVITE);
	icalcomponent *cal = calendar(&im, &cfg);
	assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_REQUEST);
	icalcomponent *ev =
	    icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	assert_string_equal(icalcomponent_get_uid(ev), "wk-imip-1");
	assert_int_equal(icalcomponent_get_sequence(ev), 3);
	icalproperty *org =
	    icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY);
	assert_string_equal(icalproperty_get_organizer(org),
	                    "mailto:secretaris@hagro-noord.nl");
	assert_int_equal(
	    icalcomponent_count_properties(ev, ICAL_ATTENDEE_PROPERTY), 1);
	icalproperty *att =
	    icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
	assert_string_equal(icalproperty_get_attendee(att),
	                    "mailto:anna@linde.nl");
	icalparameter *rsvp =
	    icalproperty_get_first_parameter(att, ICAL_RSVP_PARAMETER);
	assert_non_null(rsvp);
	assert_int_equal(icalparameter_get_rsvp(rsvp), ICAL_RSVP_TRUE);
	/* No feed-only properties. */
	assert_null(icalcomponent_get_first_property(cal, ICAL_X_PROPERTY));
	icalcomponent_free(cal);
	config_free(&cfg);
}

static void test_cancel(void **state)
{
	struct config cfg;
	config_defaults(&cfg);
	struct event e = sample_event();
	struct imip_message im = sample(&e, OUTBOX_CANCEL);
	icalcomponent *cal = calendar(&im, &cfg);
	assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_CANCEL);
	icalcomponent *ev =
	    icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	assert_int_equal(icalcomponent_get_status(ev), ICAL_STATUS_CANCELLED);
	icalcomponent_free(cal);
	config_free(&cfg);
}

static void test_subjects(void **state)
{
	static const struct {
		enum outbox_kind kind;
		const char *rid, *subject;
	} cases[] = {
	    {OUTBOX_INVITE, "",
	     "Uitnodiging: Hagro Noord, dinsdag 12 januari 2027 12:30"},
	    {OUTBOX_UPDATE, "",
	     "Gewijzigd: Hagro Noord, dinsdag 12 januari 2027 12:30"},
	    {OUTBOX_CANCEL, "",
	     "Geannuleerd: Hagro Noord, dinsdag 12 januari 2027 12:30"},
	    {OUTBOX_REMINDER, "2027-02-09 12:30",
	     "Herinnering: Hagro Noord, dinsdag 9 februari 2027 12:30"},
	};
	struct event e = sample_event();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct imip_message im = sample(&e, cases[i].kind);
		im.recurrence_id = cases[i].rid;
		char *s = imip_subject(&im);
		assert_string_equal(s, cases[i].subject);
		free(s);
	}
}

static void test_method_matches_mime(void **state)
{
	struct config cfg;
	config_defaults(&cfg);
	struct event e = sample_event();
	static const enum outbox_kind kinds[] = {OUTBOX_INVITE, OUTBOX_UPDATE,
	                                         OUTBOX_CANCEL};
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		struct imip_message im = sample(&e, kinds[i]);
		char *err = NULL;
		char *msg = imip_build(&im, &cfg, NULL, &err);
		assert_non_null(msg);
		char *want = xasprintf("text/calendar; method=%s;",
		                       imip_method(kinds[i]));
		assert_non_null(strstr(msg, want));
		assert_non_null(
		    strstr(msg, "Reply-To: <secretaris@hagro-noord.nl>"));
		free(want);
		free(msg);
	}
	struct imip_message im = sample(&e, OUTBOX_REMINDER);
	char *err = NULL;
	char *msg = imip_build(&im, &cfg, NULL, &err);
	assert_non_null(msg);
	assert_null(strstr(msg, "text/calendar"));
	free(msg);
	/* A title with a line break never reaches a header. */
	e.title = "Hagro\r\nBcc: x@evil.nl";
	im = sample(&e, OUTBOX_INVITE);
	assert_null(imip_build(&im, &cfg, NULL, &err));
	free(err);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_request),
	    cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_subjects),
	    cmocka_unit_test(test_method_matches_mime),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
