/*
 * csv: parses the CSV files practice managers export from Excel into a
 * header and rows of trimmed strings. The input is checked as a whole first
 * (size, encoding, NUL bytes), then the separator is taken from the header
 * line, then rows are read one at a time. Every error names the physical
 * line (and the column, in characters, where one applies).
 */
#include "core/csv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

#define UTF8_HINT "save it as \"CSV UTF-8 (door komma's gescheiden)\" in Excel"

/*
 * Reading state. The current row's fields are collected in buf, each ended
 * by a NUL; offs[] holds where each one starts.
 */
struct parser {
	const char *s;
	size_t n;
	size_t pos;
	size_t line;       /* 1-based physical line of pos */
	size_t line_start; /* offset where that line starts */
	char sep;
	struct strbuf buf;
	size_t offs[CSV_MAX_FIELDS];
	size_t nfields;
	char **error_r;
};

/* Length of the UTF-8 sequence a lead byte starts; 0 if it cannot lead. */
static size_t utf8_seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		return 2;
	if ((c & 0xf0) == 0xe0)
		return 3;
	if ((c & 0xf8) == 0xf0)
		return 4;
	return 0;
}

/* Refuses NUL bytes and invalid UTF-8, naming the first bad line and
 * column, so that a Windows-1252 file is caught before parsing. */
static int check_text(const char *s, size_t n, char **error_r)
{
	size_t line = 1, col = 1, i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t len = utf8_seq_len(c);
		if (c == '\0')
			return set_error(error_r,
			                 "line %zu, column %zu: NUL byte, the "
			                 "file is not text (" UTF8_HINT ")",
			                 line, col);
		if (len == 0 || len > n - i || !utf8_valid(s + i, len))
			return set_error(error_r,
			                 "line %zu, column %zu: not UTF-8 "
			                 "(" UTF8_HINT ")",
			                 line, col);
		if (c == '\n') {
			line++;
			col = 0;
		}
		col++;
		i += len;
	}
	return 0;
}

/* Refuses oversized and UTF-16 input; skips a UTF-8 BOM. */
static int check_input(const char **s, size_t *n, char **error_r)
{
	const unsigned char *u = (const unsigned char *)*s;
	if (*n > CSV_MAX_BYTES)
		return set_error(error_r,
		                 "the file is too large (%zu bytes, at most "
		                 "%u)",
		                 *n, CSV_MAX_BYTES);
	if (*n >= 2 &&
	    ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff)))
		return set_error(error_r, "the file is UTF-16: " UTF8_HINT);
	if (*n >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
		*s += 3;
		*n -= 3;
	}
	return check_text(*s, *n, error_r);
}

/* Column of pos in characters, 1-based: UTF-8 continuation bytes do not
 * start a character. */
static size_t parser_column(const struct parser *p)
{
	size_t col = 1;
	for (size_t i = p->line_start; i < p->pos; i++)
		if (((unsigned char)p->s[i] & 0xc0) != 0x80)
			col++;
	return col;
}

/* A line ends at LF, CRLF, or a CR that ends the file. */
static bool parser_at_line_end(const struct parser *p)
{
	if (p->pos == p->n || p->s[p->pos] == '\n')
		return true;
	return p->s[p->pos] == '\r' &&
	       (p->pos + 1 == p->n || p->s[p->pos + 1] == '\n');
}

static void parser_next_line(struct parser *p)
{
	p->line++;
	p->line_start = p->pos;
}

/* Steps over the line end at pos, if there is one. */
static void parser_skip_line_end(struct parser *p)
{
	if (p->pos < p->n && p->s[p->pos] == '\r')
		p->pos++;
	if (p->pos < p->n && p->s[p->pos] == '\n') {
		p->pos++;
		parser_next_line(p);
	}
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Picks the separator from the header line at pos: the one of ',' and ';'
 * found more often outside quotes. A header without either is one column;
 * a tie cannot be decided.
 */
static int parser_detect_sep(struct parser *p)
{
	size_t commas = 0, semicolons = 0;
	bool quoted = false;
	for (size_t i = p->pos; i < p->n; i++) {
		char c = p->s[i];
		if (c == '"')
			quoted = !quoted;
		else if (!quoted && c == '\n')
			break;
		else if (!quoted && c == ',')
			commas++;
		else if (!quoted && c == ';')
			semicolons++;
	}
	if (commas > 0 && commas == semicolons)
		return set_error(p->error_r,
		                 "line %zu: cannot tell the separator: the "
		                 "header has as many ',' as ';' outside quotes",
		                 p->line);
	p->sep = semicolons > commas ? ';' : ',';
	return 0;
}

/* Copies quoted text up to the next quote or line end. */
static void parser_copy_quoted_span(struct parser *p)
{
	size_t start = p->pos;
	while (p->pos < p->n && p->s[p->pos] != '"' && p->s[p->pos] != '\n' &&
	       p->s[p->pos] != '\r')
		p->pos++;
	strbuf_appendn(&p->buf, p->s + start, p->pos - start);
}

/*
 * Reads a quoted field from its opening quote up to the closing one. A
 * doubled quote stands for one. Line ends inside (CRLF, LF, or a lone CR
 * from an old Mac) all become LF; only LF counts as a physical line.
 */
static int parser_read_quoted(struct parser *p)
{
	size_t start_line = p->line;
	p->pos++;
	for (;;) {
		parser_copy_quoted_span(p);
		if (p->pos == p->n)
			return set_error(p->error_r,
			                 "line %zu: unterminated quoted field "
			                 "(a closing quote is missing)",
			                 start_line);
		char c = p->s[p->pos];
		if (c == '\r' || c == '\n') {
			strbuf_appendc(&p->buf, '\n');
			parser_skip_line_end(p);
		} else if (p->pos + 1 < p->n && p->s[p->pos + 1] == '"') {
			strbuf_appendc(&p->buf, '"');
			p->pos += 2;
		} else {
			p->pos++;
			return 0;
		}
	}
}

/* After a closing quote only blanks may follow before the separator. */
static int parser_after_quote(struct parser *p)
{
	while (p->pos < p->n && is_blank(p->s[p->pos]))
		p->pos++;
	if (parser_at_line_end(p) || p->s[p->pos] == p->sep)
		return 0;
	return set_error(p->error_r,
	                 "line %zu, column %zu: text after the closing quote "
	                 "(write a quote inside a quoted field as \"\")",
	                 p->line, parser_column(p));
}

/* Reads an unquoted field up to the separator or the line end. */
static int parser_read_unquoted(struct parser *p)
{
	size_t start = p->pos;
	while (p->pos < p->n) {
		char c = p->s[p->pos];
		if (c == p->sep || c == '\n' ||
		    (c == '\r' && parser_at_line_end(p)))
			break;
		if (c == '"')
			return set_error(p->error_r,
			                 "line %zu, column %zu: quote inside "
			                 "an unquoted field (put the field in "
			                 "quotes and double the quote)",
			                 p->line, parser_column(p));
		if (c == '\r')
			return set_error(
			    p->error_r,
			    "line %zu, column %zu: carriage return "
			    "without a line feed (" UTF8_HINT ")",
			    p->line, parser_column(p));
		p->pos++;
	}
	strbuf_appendn(&p->buf, p->s + start, p->pos - start);
	return 0;
}

/* Trims the field that starts at off and ends it with a NUL. */
static void parser_end_field(struct parser *p, size_t off)
{
	strbuf_appendn(&p->buf, "", 0); /* data is never NULL after this */
	str_trim(p->buf.data + off);
	p->buf.len = off + strlen(p->buf.data + off);
	strbuf_appendc(&p->buf, '\0');
}

/* Reads one field. Blanks before an opening quote are allowed, as people
 * type "a, \"b\"" by hand. */
static int parser_read_field(struct parser *p)
{
	size_t off = p->buf.len;
	size_t q = p->pos;
	while (q < p->n && is_blank(p->s[q]))
		q++;
	int ret;
	if (q < p->n && p->s[q] == '"') {
		p->pos = q;
		ret = parser_read_quoted(p);
		if (ret == 0)
			ret = parser_after_quote(p);
	} else {
		ret = parser_read_unquoted(p);
	}
	if (ret < 0)
		return ret;
	p->offs[p->nfields++] = off;
	parser_end_field(p, off);
	return 0;
}

/* Reads the fields of one row into p->buf, up to and past its line end. */
static int parser_read_row(struct parser *p, size_t row_line)
{
	p->buf.len = 0;
	p->nfields = 0;
	for (;;) {
		if (p->nfields == CSV_MAX_FIELDS)
			return set_error(p->error_r,
			                 "line %zu: more than %d fields",
			                 row_line, CSV_MAX_FIELDS);
		if (parser_read_field(p) < 0)
			return -1;
		if (parser_at_line_end(p))
			break;
		p->pos++; /* the separator */
	}
	parser_skip_line_end(p);
	return 0;
}

/* Moves the row just read into one allocation: the pointer array followed
 * by the strings it points to. */
static char **parser_take_row(struct parser *p)
{
	size_t ptrs = p->nfields * sizeof(char *);
	char **fields = xmalloc(ptrs + p->buf.len);
	char *text = (char *)fields + ptrs;
	memcpy(text, p->buf.data, p->buf.len);
	for (size_t i = 0; i < p->nfields; i++)
		fields[i] = text + p->offs[i];
	return fields;
}

/* Skips truly empty lines; a line of blanks or separators is a row. */
static void parser_skip_empty_lines(struct parser *p)
{
	while (p->pos < p->n && parser_at_line_end(p))
		parser_skip_line_end(p);
}

static void lowercase_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* Names a duplicate column; a long or multi-line name is left out so the
 * message stays one short line. */
static int duplicate_error(const struct csv *c, size_t line, size_t first,
                           size_t second, char **error_r)
{
	const char *name = c->header[second];
	if (strlen(name) > 40 || strchr(name, '\n') != NULL)
		return set_error(error_r,
		                 "line %zu: columns %zu and %zu have the same "
		                 "name",
		                 line, first + 1, second + 1);
	return set_error(error_r,
	                 "line %zu: column name \"%s\" appears twice "
	                 "(columns %zu and %zu)",
	                 line, name, first + 1, second + 1);
}

/* Column names must be present and unique. */
static int check_header(const struct csv *c, size_t line, char **error_r)
{
	for (size_t i = 0; i < c->ncols; i++) {
		if (c->header[i][0] == '\0')
			return set_error(error_r,
			                 "line %zu: column %zu of the header "
			                 "has no name",
			                 line, i + 1);
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->header[i], c->header[j]) == 0)
				return duplicate_error(c, line, j, i, error_r);
	}
	return 0;
}

static int parser_read_header(struct parser *p, struct csv *c)
{
	parser_skip_empty_lines(p);
	if (p->pos == p->n)
		return set_error(p->error_r,
		                 "the file is empty: expected a header line");
	size_t line = p->line;
	if (parser_detect_sep(p) < 0 || parser_read_row(p, line) < 0)
		return -1;
	c->sep = p->sep;
	c->header = parser_take_row(p);
	c->ncols = p->nfields;
	for (size_t i = 0; i < c->ncols; i++)
		lowercase_ascii(c->header[i]);
	return check_header(c, line, p->error_r);
}

static void csv_add_row(struct csv *c, size_t *cap, struct csv_row row)
{
	if (c->nrows == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		c->rows = xrealloc(c->rows, *cap * sizeof(*c->rows));
	}
	c->rows[c->nrows++] = row;
}

static int parser_read_rows(struct parser *p, struct csv *c)
{
	size_t cap = 0;
	for (parser_skip_empty_lines(p); p->pos < p->n;
	     parser_skip_empty_lines(p)) {
		size_t line = p->line;
		if (parser_read_row(p, line) < 0)
			return -1;
		if (p->nfields != c->ncols)
			return set_error(p->error_r,
			                 "line %zu: %zu field%s, the header "
			                 "has %zu",
			                 line, p->nfields,
			                 p->nfields == 1 ? "" : "s", c->ncols);
		struct csv_row row = {line, parser_take_row(p), p->nfields};
		csv_add_row(c, &cap, row);
	}
	return 0;
}

int csv_parse(const char *data, size_t len, struct csv *csv_r, char **error_r)
{
	struct csv c = {0};
	memset(csv_r, 0, sizeof(*csv_r));
	if (data == NULL)
		len = 0;
	if (check_input(&data, &len, error_r) < 0)
		return -1;
	struct parser p = {.s = data, .n = len, .line = 1, .error_r = error_r};
	int ret = parser_read_header(&p, &c);
	if (ret == 0)
		ret = parser_read_rows(&p, &c);
	strbuf_free(&p.buf);
	if (ret < 0) {
		csv_free(&c);
		return -1;
	}
	*csv_r = c;
	return 0;
}

int csv_column(const struct csv *csv, const char *name)
{
	if (csv == NULL || name == NULL)
		return -1;
	for (size_t i = 0; i < csv->ncols; i++)
		if (strcmp(csv->header[i], name) == 0)
			return (int)i;
	return -1;
}

void csv_free(struct csv *csv)
{
	if (csv == NULL)
		return;
	free(csv->header);
	for (size_t i = 0; i < csv->nrows; i++)
		free(csv->rows[i].fields);
	free(csv->rows);
	memset(csv, 0, sizeof(*csv));
}
