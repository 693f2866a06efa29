/*
 * libFuzzer target for core/csv: parses arbitrary bytes and checks what a
 * successful parse promises (rows as wide as the header, unique lowercase
 * column names, UTF-8 fields without NUL), that writing the result back
 * with every field quoted parses to the same fields, and that an error
 * leaves one message and a zeroed struct.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_field(const char *s)
{
	size_t n = strlen(s);
	if (!utf8_valid(s, n))
		abort();
	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		abort();
}

static void check_csv(const struct csv *c)
{
	if (c->sep != ',' && c->sep != ';')
		abort();
	if (c->ncols == 0 || c->ncols > CSV_MAX_FIELDS)
		abort();
	for (size_t i = 0; i < c->ncols; i++) {
		check_field(c->header[i]);
		if (csv_column(c, c->header[i]) != (int)i)
			abort();
		for (const char *p = c->header[i]; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				abort();
	}
	for (size_t r = 0; r < c->nrows; r++) {
		if (c->rows[r].nfields != c->ncols)
			abort();
		if (r > 0 && c->rows[r].line <= c->rows[r - 1].line)
			abort();
		for (size_t i = 0; i < c->ncols; i++)
			check_field(c->rows[r].fields[i]);
	}
}

static void write_row(struct strbuf *b, char *const *fields, size_t n, char sep)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strbuf_appendc(b, sep);
		strbuf_appendc(b, '"');
		for (const char *p = fields[i]; *p; p++) {
			if (*p == '"')
				strbuf_appendc(b, '"');
			strbuf_appendc(b, *p);
		}
		strbuf_appendc(b, '"');
	}
	strbuf_appendc(b, '\n');
}

static void check_same(char *const *a, char *const *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i], b[i]) != 0)
			abort();
}

/* Writes c back out in RFC 4180 form and parses it again. */
static void check_round_trip(const struct csv *c)
{
	struct strbuf b = {0};
	struct csv again;
	write_row(&b, c->header, c->ncols, c->sep);
	for (size_t r = 0; r < c->nrows; r++)
		write_row(&b, c->rows[r].fields, c->ncols, c->sep);
	if (csv_parse(b.data, b.len, &again, NULL) != 0)
		abort();
	if (again.ncols != c->ncols || again.nrows != c->nrows)
		abort();
	check_same(again.header, c->header, c->ncols);
	for (size_t r = 0; r < c->nrows; r++)
		check_same(again.rows[r].fields, c->rows[r].fields, c->ncols);
	csv_free(&again);
	strbuf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv c;
	char *error = NULL;

	if (size > 64 * 1024)
		return 0;
	if (csv_parse((const char *)data, size, &c, &error) == 0) {
		if (error != NULL)
			abort();
		check_csv(&c);
		check_round_trip(&c);
		csv_free(&c);
		return 0;
	}
	if (error == NULL || error[0] == '\0' || c.header != NULL ||
	    c.rows != NULL || c.nrows != 0)
		abort();
	free(error);
	return 0;
}
