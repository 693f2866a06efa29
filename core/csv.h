/*
 * csv: reads the CSV files practice managers export from Excel: UTF-8 with
 * or without a BOM, ',' or ';' as separator (detected from the header line),
 * RFC 4180 quoting (quoted fields may hold separators, "" and newlines), CRLF
 * or LF line ends. Other encodings are refused with a hint to save as UTF-8.
 */
#ifndef WIJKCAL_CSV_H
#define WIJKCAL_CSV_H

#include <stddef.h>

#define CSV_MAX_BYTES  (16u * 1024 * 1024)
#define CSV_MAX_FIELDS 64

struct csv_row {
	size_t line;   /* 1-based physical line where the row starts */
	char **fields; /* nfields strings, trimmed of surrounding blanks */
	size_t nfields;
};

/*
 * Owned by the struct: header and each row's fields are one allocation
 * (the pointer array followed by its strings), so never free a single
 * string; copy one to keep it past csv_free().
 */
struct csv {
	char **header; /* column names, lowercased (ASCII) and trimmed */
	size_t ncols;
	struct csv_row *rows; /* data rows; empty lines are skipped */
	size_t nrows;
	char sep; /* ',' or ';' */
};

/*
 * Parses len bytes of CSV text (data need not be NUL-terminated). Returns 0
 * and fills *csv_r (free with csv_free), or -1 with *csv_r zeroed and one
 * message in *error_r (caller frees) naming the physical line, and the
 * column in characters where it applies:
 *   "the file is too large (N bytes, at most CSV_MAX_BYTES)"
 *   "the file is UTF-16: save it as \"CSV UTF-8 (door komma's
 *    gescheiden)\" in Excel"
 *   "line 4, column 7: not UTF-8 (save it as ...)", "... NUL byte ..."
 *   "the file is empty: expected a header line"
 *   "line 1: cannot tell the separator: ..." (as many ',' as ';')
 *   "line 1: column 3 of the header has no name"
 *   "line 1: column name \"datum\" appears twice (columns 1 and 4)",
 *   or "line 1: columns 1 and 4 have the same name" for a long name
 *   "line 3, column 5: quote inside an unquoted field (...)"
 *   "line 3, column 9: text after the closing quote (...)"
 *   "line 3, column 9: carriage return without a line feed (...)"
 *   "line 3: unterminated quoted field (a closing quote is missing)"
 *   "line 5: more than CSV_MAX_FIELDS fields"
 *   "line 7: 5 fields, the header has 4"
 * The separator is whichever of ',' and ';' occurs more often outside
 * quotes in the header; a header with neither is a single column. Line
 * numbers count physical lines, so a newline inside quotes advances them.
 * Fields (quoted ones too) are trimmed of spaces, tabs and line ends; a
 * line end inside quotes (CRLF, LF or a lone CR) becomes LF. Only truly
 * empty lines are skipped: a line of blanks or separators is a row. Blanks
 * before an opening quote are allowed.
 */
int csv_parse(const char *data, size_t len, struct csv *csv_r, char **error_r);
/* Index of a column by (lowercase) name, or -1. */
int csv_column(const struct csv *csv, const char *name);
/* Frees the members of csv and zeroes it; NULL and a zeroed csv are fine. */
void csv_free(struct csv *csv);

#endif
