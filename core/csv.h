/*
 * csv: reads the CSV files practice managers export from Excel: UTF-8 with
 * or without a BOM, ',' or ';' as separator (detected from the header line),
 * RFC 4180 quoting (quoted fields may hold separators, "" and newlines), CRLF
 * or LF line ends. Other encodings are refused with a hint to save as UTF-8.
 */
#ifndef WIJKCAL_CSV_H
#define WIJKCAL_CSV_H

#include <stddef.h>

#define CSV_MAX_BYTES (64u * 1024 * 1024)
#define CSV_MAX_FIELDS 64

struct csv_row {
	size_t line;   /* 1-based line in the file where the row starts */
	char **fields; /* nfields strings, trimmed of surrounding blanks */
	size_t nfields;
};

struct csv {
	char **header; /* column names, lowercased and trimmed */
	size_t ncols;
	struct csv_row *rows; /* data rows; empty lines are skipped */
	size_t nrows;
	char sep;
};

/*
 * Parses len bytes of CSV text. Returns 0 and fills *csv_r, or -1 with one
 * message naming the line (and column where it applies), e.g. "line 7: row
 * has 5 fields, the header has 4", "line 3: unterminated quoted field",
 * "not UTF-8 (save the file as \"CSV UTF-8\" in Excel)". Rows whose field
 * count differs from the header are an error.
 */
int csv_parse(const char *data, size_t len, struct csv *csv_r,
	      char **error_r);
/* Index of a column by (lowercase) name, or -1. */
int csv_column(const struct csv *csv, const char *name);
/* Frees the members of csv and zeroes it. */
void csv_free(struct csv *csv);

#endif
