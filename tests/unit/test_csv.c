/*
 * Unit tests for core/csv: tables of valid input with the header and rows
 * expected, of invalid input with the one message expected, and edge cases
 * (size and field caps, ownership on error, csv_column, many rows).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/util.h"

/* A string literal and its length, so inputs may hold NUL bytes. */
#define IN(s) s, sizeof(s) - 1

#define HINT "(save it as \"CSV UTF-8 (door komma's gescheiden)\" in Excel)"

#define MAX_COLS 5
#define MAX_ROWS 4

struct want_row {
	size_t line; /* 0 ends the list */
	const char *fields[MAX_COLS + 1];
};

struct valid_case {
	const char *name;
	const char *in;
	size_t len;
	char sep;
	const char *header[MAX_COLS + 1];
	struct want_row rows[MAX_ROWS + 1];
};

static const struct valid_case valid_cases[] = {
    {"comma, LF",
     IN("Datum,Tijd,Titel\n2025-03-04,12:00,Wijklunch\n"),
     ',',
     {"datum", "tijd", "titel"},
     {{2, {"2025-03-04", "12:00", "Wijklunch"}}}},
    {"semicolon, CRLF, BOM",
     IN("\xef\xbb\xbf"
        "Datum;Tijd\r\n2025-03-04;12:00\r\n"),
     ';',
     {"datum", "tijd"},
     {{2, {"2025-03-04", "12:00"}}}},
    {"no newline at the end",
     IN("a,b\n1,2"),
     ',',
     {"a", "b"},
     {{2, {"1", "2"}}}},
    {"CR at the end of the file",
     IN("a,b\r\n1,2\r"),
     ',',
     {"a", "b"},
     {{2, {"1", "2"}}}},
    {"quoted separator and doubled quotes",
     IN("naam;notitie\n\"Jansen; J.\";\"zei \"\"hoi\"\"\"\n"),
     ';',
     {"naam", "notitie"},
     {{2, {"Jansen; J.", "zei \"hoi\""}}}},
    {"only a doubled quote",
     IN("a\n\"\"\"q\"\"\"\n"),
     ',',
     {"a"},
     {{2, {"\"q\""}}}},
    {"empty quoted field",
     IN("a,b\n\"\",x\n"),
     ',',
     {"a", "b"},
     {{2, {"", "x"}}}},
    {"quoted newline advances the line count",
     IN("a,b\n\"x\ny\",1\nz,2\n\"p\n\nq\",3\nr,4\n"),
     ',',
     {"a", "b"},
     {{2, {"x\ny", "1"}},
      {4, {"z", "2"}},
      {5, {"p\n\nq", "3"}},
      {8, {"r", "4"}}}},
    {"quoted CRLF becomes LF",
     IN("a,b\r\n\"x\r\ny\",1\r\n"),
     ',',
     {"a", "b"},
     {{2, {"x\ny", "1"}}}},
    {"lone CR inside quotes becomes LF",
     IN("a,b\n\"x\ry\",1\n"),
     ',',
     {"a", "b"},
     {{2, {"x\ny", "1"}}}},
    /* Fuzz regression: CR CR LF gave "\r\n", which did not survive a
     * write and re-read. */
    {"CR CR LF inside quotes",
     IN("\"A;\r\r\n\r\r\r(\"\r"),
     ',',
     {"a;\n\n\n\n\n("},
     {{0, {NULL}}}},
    {"quoted newline in the header",
     IN("\"Start\ndatum\";b\n1;2\n"),
     ';',
     {"start\ndatum", "b"},
     {{3, {"1", "2"}}}},
    {"fields and names trimmed",
     IN("  Naam , Rol \n  Jan  ,\t huisarts\t\n"),
     ',',
     {"naam", "rol"},
     {{2, {"Jan", "huisarts"}}}},
    {"blanks around quotes, quoted text trimmed",
     IN("a,b\n  \" x \" , y\n"),
     ',',
     {"a", "b"},
     {{2, {"x", "y"}}}},
    {"empty lines skipped, line numbers kept",
     IN("\n\na,b\n\n1,2\r\n\r\n3,4\n\n"),
     ',',
     {"a", "b"},
     {{5, {"1", "2"}}, {7, {"3", "4"}}}},
    {"empty fields",
     IN("a;b;c\n;;\n"),
     ';',
     {"a", "b", "c"},
     {{2, {"", "", ""}}}},
    {"a line of blanks is a row",
     IN("a\n  \nb\n"),
     ',',
     {"a"},
     {{2, {""}}, {3, {"b"}}}},
    {"comma inside quotes does not count",
     IN("\"x,y\";z\n1;2\n"),
     ';',
     {"x,y", "z"},
     {{2, {"1", "2"}}}},
    {"the more frequent separator wins",
     IN("Datum;Tijd;Onderwerp, kort\n1;2;a, b\n"),
     ';',
     {"datum", "tijd", "onderwerp, kort"},
     {{2, {"1", "2", "a, b"}}}},
    {"a comma beats a semicolon",
     IN("a,b,c;d\n1,2,3;4\n"),
     ',',
     {"a", "b", "c;d"},
     {{2, {"1", "2", "3;4"}}}},
    {"single column, data not lowercased",
     IN("E-mail\nA@B.nl\n"),
     ',',
     {"e-mail"},
     {{2, {"A@B.nl"}}}},
    {"header only", IN("a;b\r\n"), ';', {"a", "b"}, {{0, {NULL}}}},
    {"UTF-8 text",
     IN("naam;plaats\nJos\xc3\xa9;Zo\xc3\xab\n"),
     ';',
     {"naam", "plaats"},
     {{2, {"Jos\xc3\xa9", "Zo\xc3\xab"}}}},
    {"only ASCII is lowercased",
     IN("\xc3\x89\xc3\xa9N,b\n1,2\n"),
     ',',
     {"\xc3\x89\xc3\xa9n", "b"},
     {{2, {"1", "2"}}}},
};

struct invalid_case {
	const char *name;
	const char *in;
	size_t len;
	const char *want;
};

static const struct invalid_case invalid_cases[] = {
    {"UTF-16 LE BOM",
     IN("\xff\xfe"
        "a\0,\0b\0\n\0"),
     "the file is UTF-16: save it as \"CSV UTF-8 (door komma's "
     "gescheiden)\" in Excel"},
    {"UTF-16 BE BOM", IN("\xfe\xff\0a\0,\0b"),
     "the file is UTF-16: save it as \"CSV UTF-8 (door komma's "
     "gescheiden)\" in Excel"},
    {"UTF-16 without BOM", IN("a\0,\0b\0"),
     "line 1, column 2: NUL byte, the file is not text " HINT},
    {"NUL byte", IN("a,b\n1,\0\n"),
     "line 2, column 3: NUL byte, the file is not text " HINT},
    {"Windows-1252 e-acute", IN("naam\nJos\xe9\n"),
     "line 2, column 4: not UTF-8 " HINT},
    {"bad byte after a multibyte character", IN("naam\nZo\xc3\xab\xff\n"),
     "line 2, column 4: not UTF-8 " HINT},
    {"truncated sequence at the end", IN("a\n\xc3"),
     "line 2, column 1: not UTF-8 " HINT},
    {"overlong slash", IN("a\n\xc0\xaf\n"),
     "line 2, column 1: not UTF-8 " HINT},
    {"UTF-16 surrogate", IN("a\nb\xed\xa0\x80\n"),
     "line 2, column 2: not UTF-8 " HINT},
    {"bad UTF-8 inside quotes", IN("a\n\"x\ny\xe9\"\n"),
     "line 3, column 2: not UTF-8 " HINT},
    {"empty", IN(""), "the file is empty: expected a header line"},
    {"only a BOM", IN("\xef\xbb\xbf"),
     "the file is empty: expected a header line"},
    {"only empty lines", IN("\r\n\n"),
     "the file is empty: expected a header line"},
    {"quote inside an unquoted field", IN("a,b\n1,x\"y\n"),
     "line 2, column 4: quote inside an unquoted field (put the field in "
     "quotes and double the quote)"},
    {"quote inside an unquoted header name", IN("na\"am\n"),
     "line 1, column 3: quote inside an unquoted field (put the field in "
     "quotes and double the quote)"},
    {"column counts characters, not bytes",
     IN("naam;plaats\nJos\xc3\xa9;Zo\"\xc3\xab\n"),
     "line 2, column 8: quote inside an unquoted field (put the field in "
     "quotes and double the quote)"},
    {"text after the closing quote", IN("a,b\n\"x\"y,1\n"),
     "line 2, column 4: text after the closing quote (write a quote "
     "inside a quoted field as \"\")"},
    {"column after a quoted newline", IN("a,b\n\"x\nyz\" w,1\n"),
     "line 3, column 5: text after the closing quote (write a quote "
     "inside a quoted field as \"\")"},
    {"unterminated quote names the line it starts on",
     IN("a,b\n1,2\n\"x,\n\nmore\n"),
     "line 3: unterminated quoted field (a closing quote is missing)"},
    {"unterminated quote in the header", IN("\"a"),
     "line 1: unterminated quoted field (a closing quote is missing)"},
    {"bare carriage return", IN("a,b\rc\n"),
     "line 1, column 4: carriage return without a line feed " HINT},
    {"too many fields", IN("a;b;c;d\n1;2;3;4\n\n\n\n\n1;2;3;4;5\n"),
     "line 7: 5 fields, the header has 4"},
    {"too few fields", IN("a,b\n1\n"), "line 2: 1 field, the header has 2"},
    {"count after a quoted newline", IN("a,b\n\"x\ny\",1\n1,2,3\n"),
     "line 4: 3 fields, the header has 2"},
    {"a line of separators is a row", IN("a;b;c\n;\n"),
     "line 2: 2 fields, the header has 3"},
    {"a line of blanks counts as a row", IN("a;b\n \n"),
     "line 2: 1 field, the header has 2"},
    {"empty header name", IN("a,,c\n"),
     "line 1: column 2 of the header has no name"},
    {"trailing separator in the header", IN("a;b;\n1;2;\n"),
     "line 1: column 3 of the header has no name"},
    {"blank header", IN("  \n1\n"),
     "line 1: column 1 of the header has no name"},
    {"duplicate name after trimming and lowercasing", IN("Datum, datum \n"),
     "line 1: column name \"datum\" appears twice (columns 1 and 2)"},
    {"long duplicate names are not repeated",
     IN("a,Nog een hele lange kolomnaam van meer dan veertig tekens,"
        "nog een hele lange kolomnaam van meer dan veertig tekens\n"),
     "line 1: columns 2 and 3 have the same name"},
    {"multi-line duplicate names are not repeated", IN("\"x\ny\";\"x\ny\"\n"),
     "line 1: columns 1 and 2 have the same name"},
    {"header line after empty lines", IN("\n\nx;A;a\n"),
     "line 3: column name \"a\" appears twice (columns 2 and 3)"},
    {"separator tie", IN("a;b,c\n"),
     "line 1: cannot tell the separator: the header has as many ',' as "
     "';' outside quotes"},
};

static size_t count_strings(const char *const *v)
{
	size_t n = 0;
	while (v[n] != NULL)
		n++;
	return n;
}

static void check_strings(const char *name, const char *what, size_t line,
                          char *const *got, size_t ngot,
                          const char *const *want)
{
	size_t nwant = count_strings(want);
	if (ngot != nwant)
		fail_msg("%s: %s %zu: %zu fields, want %zu", name, what, line,
		         ngot, nwant);
	for (size_t i = 0; i < nwant; i++)
		if (strcmp(got[i], want[i]) != 0)
			fail_msg("%s: %s %zu field %zu: got \"%s\", want "
			         "\"%s\"",
			         name, what, line, i + 1, got[i], want[i]);
}

static void check_valid(const struct valid_case *t)
{
	struct csv c;
	char *error = NULL;
	if (csv_parse(t->in, t->len, &c, &error) != 0)
		fail_msg("%s: unexpected error: %s", t->name, error);
	assert_null(error);
	if (c.sep != t->sep)
		fail_msg("%s: separator '%c', want '%c'", t->name, c.sep,
		         t->sep);
	check_strings(t->name, "header", 0, c.header, c.ncols, t->header);
	size_t nrows = 0;
	while (t->rows[nrows].line != 0)
		nrows++;
	if (c.nrows != nrows)
		fail_msg("%s: %zu rows, want %zu", t->name, c.nrows, nrows);
	for (size_t i = 0; i < nrows; i++) {
		if (c.rows[i].line != t->rows[i].line)
			fail_msg("%s: row %zu on line %zu, want %zu", t->name,
			         i + 1, c.rows[i].line, t->rows[i].line);
		check_strings(t->name, "line", c.rows[i].line, c.rows[i].fields,
		              c.rows[i].nfields, t->rows[i].fields);
	}
	csv_free(&c);
}

static void test_valid(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(valid_cases); i++)
		check_valid(&valid_cases[i]);
}

static bool all_zero(const struct csv *c)
{
	return c->header == NULL && c->ncols == 0 && c->rows == NULL &&
	       c->nrows == 0 && c->sep == 0;
}

static void check_invalid(const struct invalid_case *t)
{
	struct csv c;
	memset(&c, 0x5a, sizeof(c));
	char *error = NULL;
	if (csv_parse(t->in, t->len, &c, &error) != -1)
		fail_msg("%s: parsed, want error \"%s\"", t->name, t->want);
	if (error == NULL || strcmp(error, t->want) != 0)
		fail_msg("%s:\n got \"%s\"\nwant \"%s\"", t->name,
		         error ? error : "(null)", t->want);
	if (!all_zero(&c))
		fail_msg("%s: *csv_r not zeroed on error", t->name);
	free(error);
}

static void test_invalid(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(invalid_cases); i++)
		check_invalid(&invalid_cases[i]);
}

/* Builds a line of n fields "p1;p2;...;pn". */
static char *fields_line(size_t n, const char *prefix)
{
	struct strbuf b = {0};
	for (size_t i = 1; i <= n; i++)
		strbuf_appendf(&b, "%s%s%zu", i > 1 ? ";" : "", prefix, i);
	strbuf_appendc(&b, '\n');
	return strbuf_take(&b);
}

static void test_field_cap(void **state)
{
	char *head = fields_line(CSV_MAX_FIELDS, "c");
	char *row = fields_line(CSV_MAX_FIELDS, "v");
	char *wide = fields_line(CSV_MAX_FIELDS + 1, "c");
	char *in = xasprintf("%s%s", head, row);
	struct csv c;
	char *error = NULL;

	assert_int_equal(csv_parse(in, strlen(in), &c, &error), 0);
	assert_int_equal(c.ncols, CSV_MAX_FIELDS);
	assert_string_equal(c.rows[0].fields[CSV_MAX_FIELDS - 1], "v64");
	csv_free(&c);
	free(in);

	assert_int_equal(csv_parse(wide, strlen(wide), &c, &error), -1);
	assert_string_equal(error, "line 1: more than 64 fields");

	in = xasprintf("%s%s", head, wide);
	assert_int_equal(csv_parse(in, strlen(in), &c, &error), -1);
	assert_string_equal(error, "line 2: more than 64 fields");
	free(in);
	free(error);
	free(head);
	free(row);
	free(wide);
}

static void test_size_cap(void **state)
{
	size_t n = CSV_MAX_BYTES + 1;
	char *in = xmalloc(n);
	memset(in, 'x', n);
	memcpy(in, "naam\n", 5);
	struct csv c;
	char *error = NULL;

	assert_int_equal(csv_parse(in, n, &c, &error), -1);
	assert_string_equal(error, "the file is too large (16777217 bytes, "
	                           "at most 16777216)");
	xfree(&error);

	/* Exactly at the cap is accepted: one field as large as the cap. */
	assert_int_equal(csv_parse(in, n - 1, &c, &error), 0);
	assert_int_equal(c.nrows, 1);
	assert_int_equal(strlen(c.rows[0].fields[0]), n - 1 - 5);
	csv_free(&c);
	free(in);
}

static void test_many_rows(void **state)
{
	struct strbuf b = {0};
	strbuf_append(&b, "nr;tekst\r\n");
	for (int i = 0; i < 10000; i++)
		strbuf_appendf(&b, "%d;\"regel\r\n%d\"\r\n", i, i);
	struct csv c;
	assert_int_equal(csv_parse(b.data, b.len, &c, NULL), 0);
	assert_int_equal(c.nrows, 10000);
	assert_int_equal(c.rows[9999].line, 2 + 2 * 9999);
	assert_string_equal(c.rows[9999].fields[0], "9999");
	assert_string_equal(c.rows[9999].fields[1], "regel\n9999");
	csv_free(&c);
	strbuf_free(&b);
}

/* An error in a late row frees the rows read so far (ASan checks this),
 * replaces an earlier message and works without error_r. */
static void test_error_ownership(void **state)
{
	const char in[] = "a,b\n1,2\n3,4\n5\n";
	struct csv c;
	char *error = xstrdup("an earlier message");

	assert_int_equal(csv_parse(in, strlen(in), &c, &error), -1);
	assert_string_equal(error, "line 4: 1 field, the header has 2");
	assert_true(all_zero(&c));
	csv_free(&c); /* harmless on a zeroed csv */
	free(error);

	assert_int_equal(csv_parse(in, strlen(in), &c, NULL), -1);
	assert_int_equal(csv_parse(NULL, 0, &c, NULL), -1);
}

static void test_success_keeps_error_null(void **state)
{
	struct csv c;
	char *error = NULL;
	assert_int_equal(csv_parse("a\n1\n", 4, &c, &error), 0);
	assert_null(error);
	csv_free(&c);
	assert_true(all_zero(&c));
	csv_free(&c);
	csv_free(NULL);
}

/* data need not be NUL-terminated: parse a prefix of a longer buffer. */
static void test_length_bounds_input(void **state)
{
	const char in[] = "a,b\n1,2\n\"never";
	struct csv c;
	assert_int_equal(csv_parse(in, 8, &c, NULL), 0);
	assert_int_equal(c.nrows, 1);
	csv_free(&c);
}

static void test_column(void **state)
{
	const char in[] = "Datum;Tijd;Titel\n";
	struct csv c;
	assert_int_equal(csv_parse(in, strlen(in), &c, NULL), 0);
	assert_int_equal(csv_column(&c, "datum"), 0);
	assert_int_equal(csv_column(&c, "titel"), 2);
	assert_int_equal(csv_column(&c, "Titel"), -1);
	assert_int_equal(csv_column(&c, "locatie"), -1);
	assert_int_equal(csv_column(&c, NULL), -1);
	assert_int_equal(csv_column(NULL, "datum"), -1);
	csv_free(&c);
	assert_int_equal(csv_column(&c, "datum"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_invalid),
	    cmocka_unit_test(test_field_cap),
	    cmocka_unit_test(test_size_cap),
	    cmocka_unit_test(test_many_rows),
	    cmocka_unit_test(test_error_ownership),
	    cmocka_unit_test(test_success_keeps_error_null),
	    cmocka_unit_test(test_length_bounds_input),
	    cmocka_unit_test(test_column),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
