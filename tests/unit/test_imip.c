/*
 * Unit tests for feeds/imip: the calendar part read back with libical
 * (METHOD, UID, SEQUENCE, ORGANIZER, the one ATTENDEE with RSVP=TRUE on a
 * request, STATUS:CANCELLED on a cancellation), the Dutch subjects and
 * texts from the built-in templates and from an admin's directory, header
 * values kept on one line, and that METHOD always equals the MIME method=
 * of the message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/util.h"
#include "feeds/imip.h"
#include "feeds/imip_text.h"

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

/* The cache of a builder gives the very bytes of imip_build, for every
 * recipient, kind and occurrence, with its calendar rendered once; a new
 * version renders it again. */
static void test_cache(void **state)
{
	(void)state;
	struct config cfg;
	config_defaults(&cfg);
	struct event e = sample_event();
	/* A series with a moved occurrence: two VEVENTs, two ATTENDEEs. */
	e.rrule = "FREQ=WEEKLY;COUNT=6";
	struct event_change moved = {
	    .exc = {.recurrence_id = {2027, 1, 19, 12, 30, false},
	            .start = {2027, 1, 20, 13, 0, false}},
	    .sequence = 4,
	    .modified = 1796000000};
	e.changes = &moved;
	e.nchanges = 1;
	static const struct {
		const char *email, *name;
	} to[] = {
	    {"anna@linde.nl", "Anna de Vries"},
	    {"bram+wijk@eik.nl", NULL},
	    {"els@eik.nl", "Els van Übach-Ørsted"},
	    {"k@welzijn.nl", "Kees Jansen-van der Berg-Uitdenbogaard, "
	                     "wijkverpleegkundige Heuvelland-Noord"},
	};
	static const enum outbox_kind kinds[] = {OUTBOX_INVITE, OUTBOX_UPDATE,
	                                         OUTBOX_CANCEL};
	static const char *const rids[] = {"", "2027-01-19 12:30"};
	struct imip_cache *cache = imip_cache_new();
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++)
		for (size_t r = 0; r < ARRAY_SIZE(rids); r++)
			for (size_t i = 0; i < ARRAY_SIZE(to); i++) {
				struct imip_message im = sample(&e, kinds[k]);
				im.recurrence_id = rids[r];
				im.to_email = to[i].email;
				im.to_name = to[i].name;
				size_t n1 = 0, n2 = 0;
				char *err = NULL;
				char *plain = imip_build(&im, &cfg, &n1, &err);
				char *kept = imip_build_cached(&im, &cfg, cache,
				                               7, &n2, &err);
				assert_non_null(plain);
				assert_non_null(kept);
				assert_int_equal(n1, n2);
				assert_string_equal(plain, kept);
				assert_null(strstr(kept, "wijkcal.invalid"));
				free(plain);
				free(kept);
			}
	/* A change comes with a new version: the new title, not the kept. */
	e.title = "Hagro Noord (verzet)";
	struct imip_message im = sample(&e, OUTBOX_UPDATE);
	size_t n = 0;
	char *msg = imip_build_cached(&im, &cfg, cache, 8, &n, NULL);
	char *cal = imip_calendar(&im, &cfg, NULL);
	assert_non_null(msg);
	assert_non_null(strstr(cal, "SUMMARY:Hagro Noord (verzet)"));
	char *plain = imip_build(&im, &cfg, &n, NULL);
	assert_string_equal(msg, plain);
	free(plain);
	free(cal);
	free(msg);
	imip_cache_free(&cache);
	assert_null(cache);
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
	/* A title or name with a line break (written to the database by
	 * hand) reaches the headers as one line, and no header is added. */
	e.title = "Hagro\r\nBcc: x@evil.nl";
	im = sample(&e, OUTBOX_INVITE);
	im.to_name = "Jan\nCc: y@evil.nl";
	msg = imip_build(&im, &cfg, NULL, &err);
	assert_non_null(msg);
	assert_null(strstr(msg, "\r\nBcc:"));
	assert_null(strstr(msg, "\r\nCc:"));
	assert_non_null(strstr(msg, "\r\nTo: \"Jan Cc: y@evil.nl\"\r\n"));
	free(msg);
	/* A recipient address with one is refused. */
	im.to_email = "anna@linde.nl\r\nBcc: x@evil.nl";
	assert_null(imip_build(&im, &cfg, NULL, &err));
	assert_non_null(strstr(err, "To"));
	free(err);
	config_free(&cfg);
}

static struct imip_texts texts(const struct imip_message *im,
                               const struct config *cfg)
{
	struct imip_texts tx;
	char *err = NULL;
	if (imip_text_render(im, cfg, NULL, &tx, &err) < 0)
		fail_msg("%s", err);
	return tx;
}

static void assert_has(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("\"%s\" not in:\n%s", needle, hay);
}

/* The built-in Dutch texts: greeting, when with its end, the fields shown
 * only when set, and HTML escaping. */
static void test_texts(void **state)
{
	struct config cfg;
	config_defaults(&cfg);
	struct event e = sample_event();
	e.title = "Hagro <Noord> & co";
	e.points = 2;
	e.online_url = "https://meet.example.nl/hagro";
	e.description = "Agenda:\n1. Opening";
	struct imip_message im = sample(&e, OUTBOX_INVITE);
	struct imip_texts tx = texts(&im, &cfg);
	assert_string_equal(tx.subject, "Uitnodiging: Hagro <Noord> & co, "
	                                "dinsdag 12 januari 2027 12:30");
	assert_has(tx.text, "Beste Anna de Vries,\n");
	assert_has(tx.text, "dinsdag 12 januari 2027 12:30\xe2\x80\x93"
	                    "14:00\n");
	assert_has(tx.text, "Hagro <Noord> & co (Hagro)");
	assert_has(tx.text, "Waar:         De Linde\n");
	assert_has(tx.text, "2 accreditatiepunten");
	assert_has(tx.text, "https://meet.example.nl/hagro");
	assert_has(tx.text, "Agenda:\n1. Opening");
	assert_has(tx.text, "secretaris@hagro-noord.nl");
	assert_null(strstr(tx.text, "{{"));
	assert_null(strstr(tx.text, "Meer info"));
	assert_has(tx.html, "Hagro &lt;Noord&gt; &amp; co");
	assert_has(tx.html, "Agenda:<br>\n1. Opening");
	assert_has(tx.html, "<a href=\"https://meet.example.nl/hagro\">");
	assert_null(strstr(tx.html, "<Noord>"));
	imip_texts_free(&tx);
	/* No name: a greeting without one; no points, no location. */
	e.points = -1;
	e.location = NULL;
	e.online_url = "javascript:alert(1)"; /* never a link */
	im.to_name = NULL;
	tx = texts(&im, &cfg);
	assert_has(tx.text, "Beste collega,\n");
	assert_null(strstr(tx.text, "accreditatie"));
	assert_null(strstr(tx.text, "Waar:"));
	assert_null(strstr(tx.html, "javascript:"));
	imip_texts_free(&tx);
	config_free(&cfg);
}

/* A reminder says how far ahead the occurrence is, in days of the event's
 * zone, and which occurrence of a series it is about. */
static void test_reminder_texts(void **state)
{
	static const struct {
		int64_t date;
		const char *ahead;
	} cases[] = {
	    {1801566000, "over 7 dagen"}, /* 2027-02-02 12:00 CET */
	    {1802124000, "morgen"},       /* 2027-02-08 23:00 CET */
	    {1802034000, "overmorgen"},   /* 2027-02-07 22:00 CET */
	    {1799751600, "over 4 weken"}, /* 2027-01-12 12:00 CET */
	    {1802156400, "vandaag"},      /* 2027-02-09 08:00 CET */
	    /* 2027-02-09 00:30 CET, still the 8th in UTC. */
	    {1802129400, "vandaag"},
	};
	struct config cfg;
	config_defaults(&cfg);
	struct event e = sample_event();
	e.rrule = "FREQ=WEEKLY;INTERVAL=4";
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct imip_message im = sample(&e, OUTBOX_REMINDER);
		im.recurrence_id = "2027-02-09 12:30";
		im.date = cases[i].date;
		struct imip_texts tx = texts(&im, &cfg);
		char *want = xasprintf("Een korte herinnering: %s vindt",
		                       cases[i].ahead);
		assert_has(tx.text, want);
		assert_has(tx.text, "dinsdag 9 februari 2027 12:30");
		assert_has(tx.text, "bijeenkomst van\n              dinsdag 9 "
		                    "februari 2027 uit de reeks");
		free(want);
		imip_texts_free(&tx);
	}
	/* An invitation to the series says it is one. */
	struct imip_message im = sample(&e, OUTBOX_INVITE);
	struct imip_texts tx = texts(&im, &cfg);
	assert_has(tx.text, "terugkerende bijeenkomst");
	imip_texts_free(&tx);
	config_free(&cfg);
}

/* All-day and multi-day events. */
static void test_when(void **state)
{
	struct config cfg;
	config_defaults(&cfg);
	struct event e = sample_event();
	e.start = (struct wtime){2027, 3, 1, 0, 0, true};
	e.duration_min = 3 * 1440;
	struct imip_message im = sample(&e, OUTBOX_INVITE);
	struct imip_texts tx = texts(&im, &cfg);
	assert_has(tx.text, "maandag 1 maart 2027 t/m woensdag 3 maart 2027\n");
	assert_string_equal(tx.subject,
	                    "Uitnodiging: Hagro Noord, maandag 1 maart 2027");
	imip_texts_free(&tx);
	e.start = (struct wtime){2027, 3, 1, 22, 0, false};
	e.duration_min = 180;
	tx = texts(&im, &cfg);
	assert_has(tx.text, "maandag 1 maart 2027 22:00 \xe2\x80\x93 dinsdag "
	                    "2 maart 2027 01:00\n");
	imip_texts_free(&tx);
	config_free(&cfg);
}

/* An admin's directory replaces the files it holds; the others stay
 * built in. A broken file fails the message with its name and line. */
/* Writes text to path (replacing it). */
static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *cached_subject(const struct imip_message *im,
                            const struct config *cfg, struct imip_text_cache *c)
{
	struct imip_texts tx;
	char *err = NULL;
	if (imip_text_render(im, cfg, c, &tx, &err) < 0)
		fail_msg("%s", err);
	char *subject = xstrdup(tx.subject);
	imip_texts_free(&tx);
	return subject;
}

/* Kept templates follow the files: an edit at once, a removed file falls
 * back to the built-in text, a broken one is refused. */
static void test_text_cache(void **state)
{
	(void)state;
	char dir[] = "/tmp/wijkcal-imip-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/invite.subject", dir);
	write_text(path, "Kom je ook? {{title}}\n");
	struct config cfg;
	config_defaults(&cfg);
	cfg.mail_templates_dir = xstrdup(dir);
	struct event e = sample_event();
	struct imip_message im = sample(&e, OUTBOX_INVITE);
	struct imip_text_cache *c = imip_text_cache_new();
	char *s1 = cached_subject(&im, &cfg, c);
	char *s2 = cached_subject(&im, &cfg, c);
	assert_string_equal(s1, "Kom je ook? Hagro Noord");
	assert_string_equal(s2, s1);
	/* An edit of the same size, saved as editors do (a new file put in
	 * place), in the same millisecond. */
	char *tmp = xasprintf("%s.new", path);
	write_text(tmp, "Doe je mee? {{title}}\n");
	assert_int_equal(rename(tmp, path), 0);
	free(tmp);
	char *s3 = cached_subject(&im, &cfg, c);
	assert_string_equal(s3, "Doe je mee? Hagro Noord");
	unlink(path);
	char *s4 = cached_subject(&im, &cfg, c);
	char *builtin = imip_subject(&im);
	assert_string_equal(s4, builtin);
	write_text(path, "Kom je ook? {{titel}}\n");
	struct imip_texts tx;
	char *err = NULL;
	assert_int_equal(imip_text_render(&im, &cfg, c, &tx, &err), -1);
	assert_has(err, "unknown field {{titel}}");
	free(err);
	free(s1);
	free(s2);
	free(s3);
	free(s4);
	free(builtin);
	imip_text_cache_free(&c);
	assert_null(c);
	unlink(path);
	rmdir(dir);
	free(path);
	config_free(&cfg);
}

static void test_admin_dir(void **state)
{
	char dir[] = "/tmp/wijkcal-imip-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/invite.subject", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("Kom je ook? {{title}}\n", f);
	fclose(f);
	struct config cfg;
	config_defaults(&cfg);
	cfg.mail_templates_dir = xstrdup(dir);
	struct event e = sample_event();
	struct imip_message im = sample(&e, OUTBOX_INVITE);
	struct imip_texts tx = texts(&im, &cfg);
	assert_string_equal(tx.subject, "Kom je ook? Hagro Noord");
	assert_has(tx.text, "Beste Anna de Vries,");
	imip_texts_free(&tx);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("Kom je ook?\n{{titel}}\n", f);
	fclose(f);
	char *err = NULL;
	assert_null(imip_build(&im, &cfg, NULL, &err));
	char *want = xasprintf("%s:2: unknown field {{titel}}", path);
	assert_has(err, want);
	free(want);
	free(err);
	unlink(path);
	rmdir(dir);
	free(path);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_request),
	    cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_cache),
	    cmocka_unit_test(test_subjects),
	    cmocka_unit_test(test_method_matches_mime),
	    cmocka_unit_test(test_texts),
	    cmocka_unit_test(test_reminder_texts),
	    cmocka_unit_test(test_when),
	    cmocka_unit_test(test_admin_dir),
	    cmocka_unit_test(test_text_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
