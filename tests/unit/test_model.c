/*
 * Unit tests for core/model: the field checks (slug, e-mail, one-line and
 * multi-line text, URL) as tables of valid and invalid values with the
 * message a user sees, the vocabularies, and deep copying and freeing of
 * records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "core/util.h"

typedef int (*check_fn)(const char *s, const char *field, char **error_r);

struct check_case {
	const char *in;
	const char *error; /* NULL: valid */
};

/* Runs a table through a check: valid values leave *error_r alone, invalid
 * ones give exactly the message, also when error_r is NULL. */
static void run_cases(check_fn check, const struct check_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *err = NULL;
		int rc = check(cases[i].in, "--field", &err);
		if (cases[i].error == NULL) {
			if (rc != 0)
				fail_msg("\"%s\" refused: %s", cases[i].in,
				         err);
			assert_null(err);
			continue;
		}
		if (rc != -1)
			fail_msg("\"%s\" accepted", cases[i].in);
		if (strcmp(err, cases[i].error) != 0)
			fail_msg("\"%s\":\n got: %s\nwant: %s", cases[i].in,
			         err, cases[i].error);
		free(err);
		assert_int_equal(check(cases[i].in, "--field", NULL), -1);
	}
}

/* A string of n copies of c, with prefix and suffix; the caller frees. */
static char *repeat(const char *prefix, char c, size_t n, const char *suffix)
{
	size_t p = strlen(prefix), s = strlen(suffix);
	char *out = xmalloc(p + n + s + 1);
	memcpy(out, prefix, p);
	memset(out + p, c, n);
	memcpy(out + p + n, suffix, s + 1);
	return out;
}

/* ---- slugs ---- */

#define SLUG_ERROR(v)                                                          \
	"--field: expected a slug of 1 to 64 lowercase letters, digits and "   \
	"'-' (like noord or de-linde), got \"" v "\""

static const struct check_case slug_cases[] = {
    {"noord", NULL},
    {"de-linde", NULL},
    {"a", NULL},
    {"0", NULL},
    {"2e-lijn", NULL},
    {"", SLUG_ERROR("")},
    {"-noord", SLUG_ERROR("-noord")},
    {"Noord", SLUG_ERROR("Noord")},
    {"de linde", SLUG_ERROR("de linde")},
    {"de_linde", SLUG_ERROR("de_linde")},
    {"de.linde", SLUG_ERROR("de.linde")},
    {"a/b", SLUG_ERROR("a/b")},
    {"caf\xc3\xa9", SLUG_ERROR("caf\xc3\xa9")},
    {"noord\n", SLUG_ERROR("noord\n")},
};

static void test_check_slug(void **state)
{
	run_cases(model_check_slug, slug_cases, ARRAY_SIZE(slug_cases));
	char *max = repeat("", 'a', 64, "");
	char *over = repeat("", 'a', 65, "");
	char *err = NULL;
	assert_int_equal(model_check_slug(max, "slug", &err), 0);
	assert_int_equal(model_check_slug(over, "slug", &err), -1);
	assert_true(strncmp(err, "slug: expected a slug", 21) == 0);
	free(err);
	free(max);
	free(over);
}

/* ---- e-mail addresses ---- */

#define EMAIL_ERROR(v)                                                         \
	"--field: expected an e-mail address like name@example.nl, got \"" v   \
	"\""

static const struct check_case email_cases[] = {
    {"a@b.nl", NULL},
    {"a.jansen@praktijk-noord.nl", NULL},
    {"A.Jansen@Praktijk.NL", NULL},
    {"poh+hagro@x.nl", NULL},
    {"info@sub.domein.example.nl", NULL},
    {"", EMAIL_ERROR("")},
    {"jansen", EMAIL_ERROR("jansen")},
    {"@x.nl", EMAIL_ERROR("@x.nl")},
    {"a@", EMAIL_ERROR("a@")},
    {"a@localhost", EMAIL_ERROR("a@localhost")},
    {"a@x.nl.", EMAIL_ERROR("a@x.nl.")},
    {"a@@x.nl", EMAIL_ERROR("a@@x.nl")},
    {"a@b@x.nl", EMAIL_ERROR("a@b@x.nl")},
    {"a jansen@x.nl", EMAIL_ERROR("a jansen@x.nl")},
    {"a@x.nl ", EMAIL_ERROR("a@x.nl ")},
    {"<a@x.nl>", EMAIL_ERROR("<a@x.nl>")},
    {"Jansen <a@x.nl>", EMAIL_ERROR("Jansen <a@x.nl>")},
    {"a,b@x.nl", EMAIL_ERROR("a,b@x.nl")},
    {"a;b@x.nl", EMAIL_ERROR("a;b@x.nl")},
    {"a:b@x.nl", EMAIL_ERROR("a:b@x.nl")},
    {"\"a\"@x.nl", EMAIL_ERROR("\"a\"@x.nl")},
    {"a\\b@x.nl", EMAIL_ERROR("a\\b@x.nl")},
    {"a@x.nl\n", EMAIL_ERROR("a@x.nl\n")},
    {"a@x.nl\r\nBcc: b@y.nl", EMAIL_ERROR("a@x.nl\r\nBcc: b@y.nl")},
    {"jos\xc3\xa9@x.nl", EMAIL_ERROR("jos\xc3\xa9@x.nl")},
};

static void test_check_email(void **state)
{
	run_cases(model_check_email, email_cases, ARRAY_SIZE(email_cases));
	/* At most 254 bytes. */
	char *max = repeat("", 'a', 254 - 5, "@x.nl");
	char *over = repeat("", 'a', 255 - 5, "@x.nl");
	assert_int_equal(strlen(max), 254);
	assert_int_equal(model_check_email(max, "e", NULL), 0);
	assert_int_equal(model_check_email(over, "e", NULL), -1);
	free(max);
	free(over);
}

/* ---- text ---- */

static int check_title(const char *s, const char *field, char **error_r)
{
	return model_check_text(s, field, 20, error_r);
}

static int check_description(const char *s, const char *field, char **error_r)
{
	return model_check_multiline(s, field, 20, error_r);
}

#define ONE_LINE "--field: expected one line of text without control characters"

static const struct check_case text_cases[] = {
    {"Wijklunch", NULL},
    {"Caf\xc3\xa9 \xe2\x80\x98t Hoekje", NULL}, /* 18 bytes */
    {"12345678901234567890", NULL},             /* exactly 20 */
    {"\xf0\x9f\x8d\xb4 lunch", NULL},           /* 4-byte UTF-8 */
    {" ", NULL},
    {"", "--field: must not be empty"},
    {"123456789012345678901", "--field: longer than 20 bytes"},
    {"a\xff", "--field: not valid UTF-8"},
    {"a\xc3", "--field: not valid UTF-8"},            /* cut short */
    {"\xc0\xaf", "--field: not valid UTF-8"},         /* overlong '/' */
    {"\xed\xa0\x80", "--field: not valid UTF-8"},     /* surrogate */
    {"\xf4\x90\x80\x80", "--field: not valid UTF-8"}, /* > U+10FFFF */
    {"a\nb", ONE_LINE},
    {"a\tb", ONE_LINE},
    {"a\rb", ONE_LINE},
    {"a\x1b[31m", ONE_LINE},
    {"a\x7f", ONE_LINE},
};

static const struct check_case multiline_cases[] = {
    {"Agenda:\n- a\n\t- b", NULL},
    {"\n", NULL},
    {"", "--field: must not be empty"},
    {"123456789012345678901", "--field: longer than 20 bytes"},
    {"a\xff", "--field: not valid UTF-8"},
    {"a\r\nb", "--field: contains a control character"},
    {"a\x01", "--field: contains a control character"},
    {"a\x7f", "--field: contains a control character"},
};

static void test_check_text(void **state)
{
	run_cases(check_title, text_cases, ARRAY_SIZE(text_cases));
}

static void test_check_multiline(void **state)
{
	run_cases(check_description, multiline_cases,
	          ARRAY_SIZE(multiline_cases));
}

/* ---- URLs ---- */

#define URL_ERROR(v)                                                           \
	"--field: expected an http(s) URL like https://meet.example.nl/abc, "  \
	"got \"" v "\""

static const struct check_case url_cases[] = {
    {"https://meet.example.nl/abc", NULL},
    {"http://wijk.nl", NULL},
    {"https://teams.microsoft.com/l/meetup-join/19%3ameeting?a=b&c=d#x", NULL},
    {"", URL_ERROR("")},
    {"https://", URL_ERROR("https://")},
    {"meet.example.nl/abc", URL_ERROR("meet.example.nl/abc")},
    {"ftp://example.nl/a", URL_ERROR("ftp://example.nl/a")},
    {"javascript:alert(1)", URL_ERROR("javascript:alert(1)")},
    {"https://example.nl/a b", URL_ERROR("https://example.nl/a b")},
    {"https://example.nl/\n", URL_ERROR("https://example.nl/\n")},
    {"https://caf\xc3\xa9.nl/", URL_ERROR("https://caf\xc3\xa9.nl/")},
    {" https://example.nl", URL_ERROR(" https://example.nl")},
};

static void test_check_url(void **state)
{
	run_cases(model_check_url, url_cases, ARRAY_SIZE(url_cases));
	char *max = repeat("https://x.nl/", 'a', 2048 - 13, "");
	char *over = repeat("https://x.nl/", 'a', 2049 - 13, "");
	assert_int_equal(strlen(max), 2048);
	assert_int_equal(model_check_url(max, "u", NULL), 0);
	assert_int_equal(model_check_url(over, "u", NULL), -1);
	free(max);
	free(over);
}

/* ---- vocabularies ---- */

static void assert_vocabulary(const char *const *list, const char *const *want,
                              const char *text)
{
	size_t n = 0;
	for (; list[n]; n++) {
		assert_non_null(want[n]);
		assert_string_equal(list[n], want[n]);
		/* Words appear in audience terms and on the command line. */
		assert_int_equal(model_check_slug(list[n], "word", NULL), 0);
		assert_true(model_in_list(list, list[n]));
		for (size_t k = 0; k < n; k++)
			assert_string_not_equal(list[k], list[n]);
	}
	assert_null(want[n]);
	assert_string_equal(model_list_text(list), text);
}

static void test_vocabularies(void **state)
{
	static const char *const roles[] = {
	    "huisarts",  "waarnemer", "poh",   "pm", "assistent",
	    "apotheker", "partner",   "regio", NULL};
	static const char *const org_kinds[] = {
	    "welzijn",           "sociaal-wijkteam", "vrijwilligers",
	    "gemeente",          "apotheek",         "bewoners",
	    "regio-organisatie", "overig",           NULL};
	static const char *const event_kinds[] = {
	    "wijklunch",  "themaavond",     "expeditie",
	    "scholing",   "borrel",         "hagro",
	    "fto",        "hoed",           "campagne",
	    "evaluatie",  "praktijkbezoek", "vragenlijst",
	    "intervisie", "overig",         NULL};
	assert_vocabulary(model_roles, roles,
	                  "huisarts, waarnemer, poh, pm, assistent, "
	                  "apotheker, partner, regio");
	assert_vocabulary(model_org_kinds, org_kinds,
	                  "welzijn, sociaal-wijkteam, vrijwilligers, "
	                  "gemeente, apotheek, bewoners, regio-organisatie, "
	                  "overig");
	assert_vocabulary(model_event_kinds, event_kinds,
	                  "wijklunch, themaavond, expeditie, scholing, "
	                  "borrel, hagro, fto, hoed, campagne, evaluatie, "
	                  "praktijkbezoek, vragenlijst, intervisie, overig");
}

static void test_in_list_is_exact(void **state)
{
	static const char *const misses[] = {"",     "Huisarts",   "huisarts ",
	                                     "huis", "huisartsen", "POH"};
	for (size_t i = 0; i < ARRAY_SIZE(misses); i++)
		assert_false(model_in_list(model_roles, misses[i]));
	static const char *const empty[] = {NULL};
	assert_false(model_in_list(empty, "huisarts"));
	assert_string_equal(model_list_text(empty), "");
}

/* ---- copying and freeing ---- */

static void fill_event(struct event *e)
{
	memset(e, 0, sizeof(*e));
	e->id = 12;
	e->uid = xstrdup("uid-12@wijkcal");
	e->kind = xstrdup("hagro");
	e->wijk = xstrdup("noord");
	e->title = xstrdup("Hagro Noord");
	e->description = xstrdup("Casu\xc3\xafstiek\nen koffie");
	e->location = xstrdup("De Linde");
	e->online_url = xstrdup("https://meet.example.nl/h");
	e->url = xstrdup("https://wijk.example.nl/hagro");
	e->organizer = xstrdup("pm@delinde.nl");
	e->start = (struct wtime){2027, 1, 12, 12, 30, false};
	e->duration_min = 90;
	e->tzid = xstrdup("Europe/Amsterdam");
	e->rrule = xstrdup("FREQ=MONTHLY;BYDAY=2TU");
	e->points = 2;
	e->capacity = 20;
	e->is_public = false;
	e->draft = true;
	e->sequence = 3;
	e->created = 1800000000;
	e->modified = 1800000100;
	e->naudience = 2;
	e->audience = xcalloc(2, sizeof(char *));
	e->audience[0] = xstrdup("wijk:noord role:huisarts,waarnemer");
	e->audience[1] = xstrdup("person:gast@welzijn.nl");
	e->nchanges = 2;
	e->changes = xcalloc(2, sizeof(*e->changes));
	e->changes[0].exc.recurrence_id =
	    (struct wtime){2027, 2, 9, 12, 30, false};
	e->changes[0].exc.cancelled = true;
	e->changes[0].sequence = 4;
	e->changes[1].exc.recurrence_id =
	    (struct wtime){2027, 3, 9, 12, 30, false};
	e->changes[1].exc.start = (struct wtime){2027, 3, 10, 13, 0, false};
	e->changes[1].exc.duration_min = 60;
	e->changes[1].sequence = 5;
	e->changes[1].modified = 1800000200;
}

static void assert_same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL) {
		assert_ptr_equal(a, b);
		return;
	}
	assert_string_equal(a, b);
	assert_ptr_not_equal(a, b); /* a copy, not shared */
}

static void test_event_copy_is_deep(void **state)
{
	struct event src, dst;
	fill_event(&src);
	event_copy(&dst, &src);
	assert_same_text(dst.uid, src.uid);
	assert_same_text(dst.kind, src.kind);
	assert_same_text(dst.wijk, src.wijk);
	assert_same_text(dst.title, src.title);
	assert_same_text(dst.description, src.description);
	assert_same_text(dst.location, src.location);
	assert_same_text(dst.online_url, src.online_url);
	assert_same_text(dst.url, src.url);
	assert_same_text(dst.organizer, src.organizer);
	assert_same_text(dst.tzid, src.tzid);
	assert_same_text(dst.rrule, src.rrule);
	assert_int_equal(dst.naudience, 2);
	assert_ptr_not_equal(dst.audience, src.audience);
	for (size_t i = 0; i < 2; i++)
		assert_same_text(dst.audience[i], src.audience[i]);
	assert_int_equal(dst.nchanges, 2);
	assert_ptr_not_equal(dst.changes, src.changes);
	assert_memory_equal(dst.changes, src.changes, 2 * sizeof(*src.changes));

	/* The copy outlives the original. */
	event_free(&src);
	assert_null(src.uid);
	assert_null(src.audience);
	assert_int_equal(src.naudience, 0);
	assert_int_equal(src.nchanges, 0);
	assert_string_equal(dst.title, "Hagro Noord");
	assert_string_equal(dst.audience[1], "person:gast@welzijn.nl");
	assert_int_equal(dst.start.day, 12);
	assert_int_equal(dst.duration_min, 90);
	assert_int_equal(dst.points, 2);
	assert_int_equal(dst.capacity, 20);
	assert_true(dst.draft);
	assert_int_equal(dst.sequence, 3);
	assert_int_equal(dst.changes[1].exc.start.day, 10);
	assert_int_equal(dst.changes[1].exc.duration_min, 60);
	event_free(&dst);
}

static void test_event_copy_minimal(void **state)
{
	struct event src = {.id = 1, .points = -1, .capacity = -1};
	src.uid = xstrdup("u1");
	struct event dst;
	event_copy(&dst, &src);
	assert_string_equal(dst.uid, "u1");
	assert_null(dst.title);
	assert_null(dst.rrule);
	assert_null(dst.audience);
	assert_null(dst.changes);
	assert_int_equal(dst.points, -1);
	event_free(&src);
	event_free(&dst);
	/* Freeing twice is harmless: the struct was zeroed. */
	event_free(&dst);
}

static void test_event_array_free(void **state)
{
	struct event *list = xcalloc(3, sizeof(*list));
	fill_event(&list[0]);
	event_copy(&list[1], &list[0]);
	list[2].uid = xstrdup("only-uid");
	event_array_free(list, 3);
	event_array_free(NULL, 0);
}

static void test_record_free_zeroes(void **state)
{
	struct wijk w = {1, xstrdup("noord"), xstrdup("Noord")};
	wijk_free(&w);
	assert_null(w.slug);
	assert_int_equal(w.id, 0);

	struct practice p = {2, xstrdup("de-linde"), xstrdup("De Linde"),
	                     xstrdup("noord"), NULL};
	practice_free(&p);
	assert_null(p.name);

	struct org o = {3, xstrdup("welzijn-west"), xstrdup("Welzijn West"),
	                xstrdup("welzijn"), NULL};
	org_free(&o);
	assert_null(o.kind);

	struct person pe = {4, xstrdup("a@x.nl"), xstrdup("A"), NULL, NULL, 0};
	pe.naff = 2;
	pe.aff = xcalloc(2, sizeof(*pe.aff));
	pe.aff[0] = (struct affiliation){xstrdup("de-linde"), NULL,
	                                 xstrdup("huisarts")};
	pe.aff[1] = (struct affiliation){NULL, xstrdup("welzijn-west"),
	                                 xstrdup("partner")};
	person_free(&pe);
	assert_null(pe.aff);
	assert_int_equal(pe.naff, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check_slug),
	    cmocka_unit_test(test_check_email),
	    cmocka_unit_test(test_check_text),
	    cmocka_unit_test(test_check_multiline),
	    cmocka_unit_test(test_check_url),
	    cmocka_unit_test(test_vocabularies),
	    cmocka_unit_test(test_in_list_is_exact),
	    cmocka_unit_test(test_event_copy_is_deep),
	    cmocka_unit_test(test_event_copy_minimal),
	    cmocka_unit_test(test_event_array_free),
	    cmocka_unit_test(test_record_free_zeroes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
