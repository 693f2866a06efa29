/*
 * Unit tests for core/audience: tables of valid expressions with their
 * canonical text, of invalid ones with the message a user sees, the
 * expansion of "{wijk}" in default audiences, and dropping a person from a
 * group (a group whose person term becomes empty must not widen).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/audience.h"
#include "core/util.h"

#define ROLES_TEXT                                                             \
	"huisarts, waarnemer, poh, pm, assistent, apotheker, partner, regio"
#define ORG_KINDS_TEXT                                                         \
	"welzijn, sociaal-wijkteam, vrijwilligers, gemeente, apotheek, "       \
	"bewoners, regio-organisatie, overig"
#define SLUG_ERROR(v)                                                          \
	"--audience: expected a slug of 1 to 64 lowercase letters, digits "    \
	"and '-' (like noord or de-linde), got \"" v "\""
#define UNKNOWN_TERM(w)                                                        \
	"--audience: unknown term \"" w                                        \
	"\" (expected wijk:, practice:, org:, "                                \
	"org-kind:, role: or person: followed by values separated by commas)"
#define SLUG64                                                                 \
	"a234567890123456789012345678901234567890123456789012345678901234"

/* ---- parse and format ---- */

struct valid_case {
	const char *in;
	const char *canonical; /* audience_format of the parsed group */
};

static const struct valid_case valid_cases[] = {
    {"wijk:noord", "wijk:noord"},
    {"role:huisarts,poh wijk:noord", "wijk:noord role:huisarts,poh"},
    {"  wijk:noord\t role:pm  ", "wijk:noord role:pm"},
    {"person:A.Jansen@Praktijk-Noord.NL", "person:a.jansen@praktijk-noord.nl"},
    {"person:a@x.nl,B@y.nl", "person:a@x.nl,b@y.nl"},
    {"person:a@x.nl role:poh practice:de-linde org:welzijn-west "
     "org-kind:welzijn,gemeente wijk:zuid",
     "wijk:zuid practice:de-linde org:welzijn-west "
     "org-kind:welzijn,gemeente role:poh person:a@x.nl"},
    {"wijk:a,,b,", "wijk:a,b"},
    {"role:huisarts,waarnemer,poh,pm,assistent,apotheker,partner,regio",
     "role:huisarts,waarnemer,poh,pm,assistent,apotheker,partner,regio"},
    {"org-kind:welzijn,sociaal-wijkteam,vrijwilligers,gemeente,apotheek,"
     "bewoners,regio-organisatie,overig",
     "org-kind:welzijn,sociaal-wijkteam,vrijwilligers,gemeente,apotheek,"
     "bewoners,regio-organisatie,overig"},
    {"wijk:0", "wijk:0"},
    {"practice:" SLUG64, "practice:" SLUG64},
    {"wijk:de-linde-", "wijk:de-linde-"},
};

static void test_parse_valid(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(valid_cases); i++) {
		const struct valid_case *vc = &valid_cases[i];
		struct aud_group g;
		char *err = NULL;
		if (audience_parse(vc->in, &g, &err) != 0)
			fail_msg("\"%s\": %s", vc->in, err);
		assert_null(err);
		char *text = audience_format(&g);
		if (strcmp(text, vc->canonical) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", vc->in,
			         text, vc->canonical);
		/* The canonical text means the same group. */
		struct aud_group again;
		assert_int_equal(audience_parse(text, &again, NULL), 0);
		char *text2 = audience_format(&again);
		assert_string_equal(text2, text);
		free(text2);
		audience_group_free(&again);
		free(text);
		audience_group_free(&g);
		assert_null(g.terms);
		assert_int_equal(g.nterms, 0);
	}
}

static void test_parse_structure(void **state)
{
	struct aud_group g;
	assert_int_equal(
	    audience_parse("role:huisarts,poh wijk:noord", &g, NULL), 0);
	assert_int_equal(g.nterms, 2);
	/* Terms keep the order written; format sorts them. */
	assert_int_equal(g.terms[0].key, AUD_ROLE);
	assert_int_equal(g.terms[0].nvalues, 2);
	assert_string_equal(g.terms[0].values[0], "huisarts");
	assert_string_equal(g.terms[0].values[1], "poh");
	assert_int_equal(g.terms[1].key, AUD_WIJK);
	assert_int_equal(g.terms[1].nvalues, 1);
	assert_string_equal(g.terms[1].values[0], "noord");
	audience_group_free(&g);
}

/* Each key as written parses to its enum and prints back by name. */
static void test_key_names(void **state)
{
	static const struct {
		enum aud_key key;
		const char *name, *value;
	} keys[] = {
	    {AUD_WIJK, "wijk", "noord"},
	    {AUD_PRACTICE, "practice", "de-linde"},
	    {AUD_ORG, "org", "welzijn-west"},
	    {AUD_ORG_KIND, "org-kind", "gemeente"},
	    {AUD_ROLE, "role", "pm"},
	    {AUD_PERSON, "person", "a@x.nl"},
	};
	assert_int_equal(ARRAY_SIZE(keys), AUD_NKEYS);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		assert_string_equal(audience_key_name(keys[i].key),
		                    keys[i].name);
		char *expr = xasprintf("%s:%s", keys[i].name, keys[i].value);
		struct aud_group g;
		assert_int_equal(audience_parse(expr, &g, NULL), 0);
		assert_int_equal(g.nterms, 1);
		assert_int_equal(g.terms[0].key, keys[i].key);
		assert_string_equal(g.terms[0].values[0], keys[i].value);
		audience_group_free(&g);
		free(expr);
	}
}

struct invalid_case {
	const char *in;
	const char *error;
};

static const struct invalid_case invalid_cases[] = {
    {"", "--audience: expected terms like \"wijk:noord role:huisarts,poh\""},
    {" \t ",
     "--audience: expected terms like \"wijk:noord role:huisarts,poh\""},
    {"team:x", UNKNOWN_TERM("team:x")},
    {"noord", UNKNOWN_TERM("noord")},
    {":noord", UNKNOWN_TERM(":noord")},
    {"Wijk:noord", UNKNOWN_TERM("Wijk:noord")},
    {"wijken:noord", UNKNOWN_TERM("wijken:noord")},
    {"wijk:noord team:x", UNKNOWN_TERM("team:x")},
    {"wijk:", "--audience: wijk: needs a value"},
    {"role:,,", "--audience: role: needs a value"},
    {"person:", "--audience: person: needs a value"},
    {"role:arts",
     "--audience: unknown role \"arts\" (expected one of " ROLES_TEXT ")"},
    {"role:huisarts,Poh",
     "--audience: unknown role \"Poh\" (expected one of " ROLES_TEXT ")"},
    {"wijk:noord role:arts",
     "--audience: unknown role \"arts\" (expected one of " ROLES_TEXT ")"},
    {"org-kind:school", "--audience: unknown org kind \"school\" (expected "
                        "one of " ORG_KINDS_TEXT ")"},
    {"wijk:Noord", SLUG_ERROR("Noord")},
    {"practice:-linde", SLUG_ERROR("-linde")},
    {"org:welzijn_west", SLUG_ERROR("welzijn_west")},
    {"wijk:noord,zu:id", SLUG_ERROR("zu:id")},
    {"wijk:caf\xc3\xa9", SLUG_ERROR("caf\xc3\xa9")},
    {"wijk:" SLUG64 "5", SLUG_ERROR(SLUG64 "5")},
    {"person:jansen", "--audience: person: expected an e-mail address like "
                      "name@example.nl, got \"jansen\""},
    {"person:a@x.nl,b@", "--audience: person: expected an e-mail address like "
                         "name@example.nl, got \"b@\""},
    {"wijk:noord wijk:zuid",
     "--audience: wijk: given twice in one group; list the values with "
     "commas, like role:huisarts,poh"},
    {"role:huisarts wijk:noord role:poh",
     "--audience: role: given twice in one group; list the values with "
     "commas, like role:huisarts,poh"},
};

static void test_parse_invalid(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(invalid_cases); i++) {
		const struct invalid_case *ic = &invalid_cases[i];
		struct aud_group g = {0};
		char *err = xstrdup("an earlier message");
		if (audience_parse(ic->in, &g, &err) != -1)
			fail_msg("\"%s\": accepted", ic->in);
		if (strcmp(err, ic->error) != 0)
			fail_msg("\"%s\":\n got: %s\nwant: %s", ic->in, err,
			         ic->error);
		/* *g_r is left alone on error. */
		assert_null(g.terms);
		free(err);
		/* error_r may be NULL. */
		assert_int_equal(audience_parse(ic->in, &g, NULL), -1);
	}
}

/* ---- {wijk} expansion ---- */

static void test_expand_wijk(void **state)
{
	static const struct {
		const char *tmpl, *wijk, *want;
	} cases[] = {
	    {"wijk:{wijk}", "noord", "wijk:noord"},
	    {"wijk:{wijk} role:huisarts,waarnemer", "de-linde",
	     "wijk:de-linde role:huisarts,waarnemer"},
	    {"role:pm", "noord", "role:pm"},
	    {"{wijk}{wijk}", "zuid", "zuidzuid"},
	    {"wijk:{wijk},{wijk}-oost", "noord", "wijk:noord,noord-oost"},
	    {"", "noord", ""},
	    {"{wijk", "noord", "{wijk"},
	    {"{WIJK}", "noord", "{WIJK}"},
	    {"wijk:{wijk}", "", "wijk:"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = audience_expand_wijk(cases[i].tmpl, cases[i].wijk);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("\"%s\" with %s: got \"%s\", want \"%s\"",
			         cases[i].tmpl, cases[i].wijk, got,
			         cases[i].want);
		free(got);
	}
}

/* ---- dropping a person ---- */

static void test_drop_person(void **state)
{
	static const struct {
		const char *expr, *email;
		int rc;
		const char *want; /* the group after, when rc is 0 */
	} cases[] = {
	    {"person:a@x.nl,b@x.nl", "a@x.nl", 0, "person:b@x.nl"},
	    {"person:a@x.nl,b@x.nl,c@x.nl", "b@x.nl", 0,
	     "person:a@x.nl,c@x.nl"},
	    {"person:a@x.nl,a@x.nl,b@x.nl", "a@x.nl", 0, "person:b@x.nl"},
	    {"wijk:noord person:a@x.nl,b@x.nl", "b@x.nl", 0,
	     "wijk:noord person:a@x.nl"},
	    /* Case does not matter in an address. */
	    {"person:a@x.nl,b@x.nl", "A@X.NL", 0, "person:b@x.nl"},
	    /* Someone else, or no person term: unchanged. */
	    {"person:a@x.nl", "c@x.nl", 0, "person:a@x.nl"},
	    {"wijk:noord role:huisarts", "a@x.nl", 0,
	     "wijk:noord role:huisarts"},
	    /* The only person goes: the group matches nobody. It must not
	     * become "wijk:noord", which would invite the whole wijk. */
	    {"person:a@x.nl", "a@x.nl", 1, NULL},
	    {"person:a@x.nl", "A@x.NL", 1, NULL},
	    {"wijk:noord person:a@x.nl", "a@x.nl", 1, NULL},
	    {"role:poh person:a@x.nl,a@x.nl", "a@x.nl", 1, NULL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct aud_group g;
		assert_int_equal(audience_parse(cases[i].expr, &g, NULL), 0);
		int rc = audience_drop_person(&g, cases[i].email);
		if (rc != cases[i].rc)
			fail_msg("\"%s\" without %s: rc %d, want %d",
			         cases[i].expr, cases[i].email, rc,
			         cases[i].rc);
		if (cases[i].want) {
			char *text = audience_format(&g);
			if (strcmp(text, cases[i].want) != 0)
				fail_msg("\"%s\" without %s: got \"%s\", want "
				         "\"%s\"",
				         cases[i].expr, cases[i].email, text,
				         cases[i].want);
			free(text);
		}
		audience_group_free(&g);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_valid),
	    cmocka_unit_test(test_parse_structure),
	    cmocka_unit_test(test_key_names),
	    cmocka_unit_test(test_parse_invalid),
	    cmocka_unit_test(test_expand_wijk),
	    cmocka_unit_test(test_drop_person),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
