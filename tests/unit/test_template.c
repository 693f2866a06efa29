/*
 * Unit tests for feeds/template: substitution, sections and inverted
 * sections, lines of standalone tags, HTML escaping, and every parse error
 * with its line; then the built-in mail templates (feeds/imip_text) parse
 * and an admin's directory is checked file by file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "feeds/imip_text.h"
#include "feeds/template.h"

static const char *const fields[] = {"name", "title", "body", NULL};

static char *render(const char *text, bool html, const char *name,
                    const char *title, const char *body)
{
	char *err = NULL;
	struct template *t = template_parse(text, "t", fields, html, &err);
	if (t == NULL)
		fail_msg("%s", err);
	const char *values[] = {name, title, body};
	char *out = template_render(t, values);
	template_free(&t);
	assert_null(t);
	return out;
}

static void test_render(void **state)
{
	static const struct {
		const char *text, *name, *title, *body, *want;
	} cases[] = {
	    {"Beste {{name}},", "Anna", NULL, NULL, "Beste Anna,"},
	    {"Beste {{ name }},", "Anna", NULL, NULL, "Beste Anna,"},
	    {"no tags", NULL, NULL, NULL, "no tags"},
	    {"", NULL, NULL, NULL, ""},
	    {"[{{title}}]", NULL, NULL, NULL, "[]"},
	    {"Beste {{#name}}{{name}}{{/name}}{{^name}}collega{{/name}},",
	     "Anna", NULL, NULL, "Beste Anna,"},
	    {"Beste {{#name}}{{name}}{{/name}}{{^name}}collega{{/name}},", "",
	     NULL, NULL, "Beste collega,"},
	    {"a{{! a comment }}b", NULL, NULL, NULL, "ab"},
	    /* Nested sections. */
	    {"{{#name}}<{{#title}}{{title}}{{/title}}>{{/name}}", "x", "T",
	     NULL, "<T>"},
	    {"{{#name}}<{{#title}}{{title}}{{/title}}>{{/name}}", "x", NULL,
	     NULL, "<>"},
	    {"{{#name}}<{{#title}}{{title}}{{/title}}>{{/name}}", NULL, "T",
	     NULL, ""},
	    /* Standalone tags take their line with them... */
	    {"Wat: {{title}}\n{{#name}}\nWie: {{name}}\n{{/name}}\nEind\n",
	     NULL, "Hagro", NULL, "Wat: Hagro\nEind\n"},
	    {"Wat: {{title}}\n  {{#name}}  \nWie: {{name}}\n\t{{/name}}\nEind",
	     "Anna", "Hagro", NULL, "Wat: Hagro\nWie: Anna\nEind"},
	    {"{{! comment line }}\nA\n", NULL, NULL, NULL, "A\n"},
	    {"A\r\n{{#name}}\r\nB\r\n{{/name}}\r\nC", "x", NULL, NULL,
	     "A\r\nB\r\nC"},
	    {"A\n{{#name}}\nB{{/name}}", NULL, NULL, NULL, "A\n"},
	    /* ... but not when they share it with text or another tag. */
	    {"A {{#name}}\nB\n{{/name}} C", "x", NULL, NULL, "A \nB\n C"},
	    {"{{#name}}{{name}}{{/name}}\nB", "x", NULL, NULL, "x\nB"},
	    /* Plain text templates take values as they are. */
	    {"{{title}}", NULL, "<b>&\"x\"</b>", NULL, "<b>&\"x\"</b>"},
	    {"{{body}}", NULL, NULL, "a\nb", "a\nb"},
	    /* A single brace is text. */
	    {"{x} {{title}} }", NULL, "T", NULL, "{x} T }"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *out = render(cases[i].text, false, cases[i].name,
		                   cases[i].title, cases[i].body);
		if (strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, out,
			         cases[i].want);
		free(out);
	}
}

static void test_html(void **state)
{
	char *out = render("<p title=\"{{title}}\">{{body}}</p>", true, NULL,
	                   "\"Q\" & 'A'", "<script>\nx\r\ny");
	assert_string_equal(out, "<p title=\"&quot;Q&quot; &amp; &#39;A&#39;\">"
	                         "&lt;script&gt;<br>\nx<br>\ny</p>");
	free(out);
	/* The template's own markup is not escaped. */
	out = render("<b>{{#name}}&nbsp;{{/name}}</b>", true, "x", NULL, NULL);
	assert_string_equal(out, "<b>&nbsp;</b>");
	free(out);
}

static void test_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	    {"A\nB {{naam}}",
	     "f.txt:2: unknown field {{naam}} (expected one of: name, title, "
	     "body)"},
	    {"{{}}", "f.txt:1: unknown field {{}}"},
	    {"{{#nope}}x{{/nope}}", "f.txt:1: unknown field {{nope}}"},
	    {"x\n\n{{title", "f.txt:3: {{ without }} on the same line"},
	    {"{{title\n}}", "f.txt:1: {{ without }} on the same line"},
	    {"{{/name}}", "f.txt:1: {{/name}} closes no section"},
	    {"{{#name}}\n{{/title}}",
	     "f.txt:2: {{/title}} where {{/name}} was expected"},
	    {"a\n{{#name}}\nb", "f.txt:2: {{#name}} is never closed"},
	    {"{{^title}}", "f.txt:1: {{^title}} is never closed"},
	    {"{{#name}}{{#name}}{{#name}}{{#name}}{{#name}}{{#name}}"
	     "{{#name}}{{#name}}{{#name}}",
	     "f.txt:1: sections nested deeper than 8"},
	    {"\xff\xfe", "f.txt: expected UTF-8 text"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *err = NULL;
		struct template *t =
		    template_parse(cases[i].text, "f.txt", fields, false, &err);
		assert_null(t);
		assert_non_null(err);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err,
			         cases[i].want);
		free(err);
	}
	/* Too long. */
	char *big = xmalloc(TEMPLATE_MAX_BYTES + 2);
	memset(big, 'a', TEMPLATE_MAX_BYTES + 1);
	big[TEMPLATE_MAX_BYTES + 1] = '\0';
	char *err = NULL;
	assert_null(template_parse(big, "big", fields, false, &err));
	assert_non_null(strstr(err, "big: longer than"));
	free(err);
	free(big);
}

static void test_one_line(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"Jan\r\nBcc: evil@x.nl", "Jan Bcc: evil@x.nl"},
	    {"\nSubject: x", "Subject: x"},
	    {"a\xe2\x80\xa8"
	     "b\xc2\x85"
	     "c\xe2\x80\xa9"
	     "d",
	     "a b c d"},
	    {"  Zo\xc3\xab  de \t Vries  ", "Zo\xc3\xab de Vries"},
	    {"%0d%0a", "%0d%0a"},
	    {"\r\n", ""},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *out = imip_text_one_line(cases[i].in);
		assert_string_equal(out, cases[i].want);
		free(out);
	}
}

/* A private directory for template files. */
static char *make_dir(void)
{
	char *dir = xstrdup("/tmp/wijkcal-template-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void put(const char *dir, const char *file, const char *text)
{
	char *path = xasprintf("%s/%s", dir, file);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static void drop(const char *dir, const char *file)
{
	char *path = xasprintf("%s/%s", dir, file);
	unlink(path);
	free(path);
}

static void test_check_dir(void **state)
{
	char *err = NULL;
	char *dir = make_dir();
	/* Empty: every file is built in. */
	assert_int_equal(imip_text_check_dir(dir, &err), 0);
	put(dir, "invite.txt",
	    "Beste {{name}},\n{{#title}}\n{{title}}\n"
	    "{{/title}}\n");
	assert_int_equal(imip_text_check_dir(dir, &err), 0);
	put(dir, "reminder.html", "<p>\n{{wanneer}}</p>\n");
	assert_int_equal(imip_text_check_dir(dir, &err), -1);
	char *want =
	    xasprintf("%s/reminder.html:2: unknown field {{wanneer}}", dir);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("got \"%s\"", err);
	free(want);
	drop(dir, "reminder.html");
	free(err);
	err = NULL;
	assert_int_equal(imip_text_check_dir("/nonexistent/templates", &err),
	                 -1);
	assert_non_null(strstr(err, "/nonexistent/templates: "));
	free(err);
	err = NULL;
	char *file = xasprintf("%s/invite.txt", dir);
	assert_int_equal(imip_text_check_dir(file, &err), -1);
	assert_non_null(strstr(err, "expected a directory"));
	free(err);
	free(file);
	drop(dir, "invite.txt");
	rmdir(dir);
	free(dir);
}

/* The built-in set holds every file, and every one parses. */
static void test_builtin(void **state)
{
	char *err = NULL;
	char *dir = make_dir();
	if (imip_text_check_dir(dir, &err) < 0)
		fail_msg("%s", err);
	rmdir(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_render),    cmocka_unit_test(test_html),
	    cmocka_unit_test(test_errors),    cmocka_unit_test(test_one_line),
	    cmocka_unit_test(test_check_dir), cmocka_unit_test(test_builtin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
