/* common: errors, exit codes, opening the database, option parsing and the
 * one printer behind both --json and the tables. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/util.h"

int cli_exit_code(int wk_err)
{
	switch (wk_err) {
	case WK_OK:
		return EX_OK;
	case WK_EINVAL:
		return EX_USAGE;
	case WK_ENOTFOUND:
	case WK_EEXIST:
		return EX_DATAERR;
	case WK_EBUSY:
		return EX_TEMPFAIL;
	default:
		return EX_IOERR;
	}
}

int cli_error(int wk_err, const char *msg)
{
	fprintf(stderr, "wijkcal: %s\n", msg ? msg : "unknown error");
	return cli_exit_code(wk_err);
}

int cli_no_options(void *arg, int code, const char *value, char **err)
{
	return 0;
}

int cli_fail(int wk_err, char **err)
{
	int code = cli_error(wk_err, *err);
	xfree(err);
	return code;
}

static void print_usage(FILE *out, const char *noun, const struct cli_verb *v)
{
	fprintf(out, "usage: wijkcal %s%s%s %s\n", noun, *v->name ? " " : "",
	        v->name, v->usage);
	if (v->help)
		fprintf(out, "  %s\n", v->help);
}

int cli_usage_error(const char *noun, const struct cli_verb *v, const char *fmt,
                    ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("wijkcal: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	print_usage(stderr, noun, v);
	return EX_USAGE;
}

int cli_store(struct cli *c, enum store_mode mode)
{
	if (c->st)
		return 0;
	char *err = NULL;
	int rc = store_open(c->db_path, mode, &c->st, &err);
	/* An organiser's change is written once and must survive a power
	 * loss: the mail derived from it depends on it (README "Durability").
	 */
	if (rc == WK_OK && mode != STORE_READ)
		rc = store_sync_full(c->st, &err);
	if (rc < 0) {
		int code = rc == WK_EIO ? EX_NOINPUT : cli_exit_code(rc);
		cli_error(rc, err);
		free(err);
		return code;
	}
	return 0;
}

int cli_write(struct cli *c, int (*fn)(struct cli *c, void *arg, char **err),
              void *arg)
{
	int code = cli_store(c, STORE_WRITE);
	if (code)
		return code;
	char *err = NULL;
	int rc = store_begin(c->st, &err);
	if (rc == WK_OK) {
		rc = fn(c, arg, &err);
		if (rc == WK_OK)
			rc = store_commit(c->st, &err);
		else
			store_rollback(c->st);
	}
	if (rc < 0) {
		code = cli_error(rc, err);
		free(err);
		return code;
	}
	return EX_OK;
}

int cli_getopt(const char *noun, const struct cli_verb *v, int argc,
               char **argv, const struct option *opts,
               int (*opt)(void *arg, int code, const char *value, char **err),
               void *arg, int *optind_r)
{
	/* Build the short-option string from the table ("h" for help). */
	struct option all[64];
	size_t n = 0;
	for (; opts && opts[n].name && n < ARRAY_SIZE(all) - 2; n++)
		all[n] = opts[n];
	all[n++] = (struct option){"help", no_argument, NULL, 'h'};
	all[n] = (struct option){0};
	/* Options whose code is a letter also work in short form (-o).
	 * Options may come before or after the positional arguments. */
	char shortopts[2 * ARRAY_SIZE(all) + 2] = "";
	size_t ns = 0;
	for (size_t i = 0; i < n; i++) {
		if (all[i].val <= 0 || all[i].val >= 128)
			continue;
		shortopts[ns++] = (char)all[i].val;
		if (all[i].has_arg == required_argument)
			shortopts[ns++] = ':';
	}
	shortopts[ns] = '\0';
	optind = 0;
	opterr = 0;
	int code;
	while ((code = getopt_long(argc, argv, shortopts, all, NULL)) != -1) {
		if (code == 'h') {
			print_usage(stdout, noun, v);
			return CLI_HELP_SHOWN;
		}
		if (code == '?' || code == ':')
			return cli_usage_error(
			    noun, v, "%s: unknown option or missing value",
			    argv[optind - 1]);
		char *err = NULL;
		int rc = opt(arg, code, optarg, &err);
		if (rc < 0) {
			int exit_code = cli_error(rc, err);
			free(err);
			return exit_code;
		}
	}
	*optind_r = optind;
	return 0;
}

/* The text of one JSON value for a table cell. */
static char *cell_text(json_t *v)
{
	if (v == NULL || json_is_null(v))
		return xstrdup("");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_true(v))
		return xstrdup("ja");
	if (json_is_false(v))
		return xstrdup("nee");
	if (json_is_array(v)) {
		struct strbuf b = {0};
		size_t i;
		json_t *item;
		json_array_foreach(v, i, item)
		{
			char *t = cell_text(item);
			strbuf_appendf(&b, "%s%s", i ? "; " : "", t);
			free(t);
		}
		return strbuf_take(&b);
	}
	return json_dumps(v, JSON_COMPACT);
}

/* Display width of UTF-8 text: counts code points, not bytes. */
static size_t text_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void print_cell(const char *text, size_t width, bool last)
{
	fputs(text, stdout);
	if (!last)
		for (size_t w = text_width(text); w < width + 2; w++)
			putchar(' ');
}

void cli_print_table(struct cli *c, json_t *rows, const char *const *columns)
{
	if (c->json) {
		json_dumpf(rows, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(rows);
		return;
	}
	size_t ncols = 0;
	while (columns[ncols])
		ncols++;
	size_t *width = xcalloc(ncols, sizeof(*width));
	size_t nrows = json_array_size(rows);
	char **cells = xcalloc((nrows + 1) * ncols, sizeof(char *));
	for (size_t k = 0; k < ncols; k++)
		cells[k] = xstrdup(columns[k]);
	for (size_t r = 0; r < nrows; r++)
		for (size_t k = 0; k < ncols; k++)
			cells[(r + 1) * ncols + k] = cell_text(json_object_get(
			    json_array_get(rows, r), columns[k]));
	for (size_t i = 0; i < (nrows + 1) * ncols; i++) {
		size_t w = text_width(cells[i]);
		if (w > width[i % ncols])
			width[i % ncols] = w;
	}
	for (size_t r = 0; r <= nrows; r++) {
		for (size_t k = 0; k < ncols; k++)
			print_cell(cells[r * ncols + k], width[k],
			           k + 1 == ncols);
		putchar('\n');
	}
	for (size_t i = 0; i < (nrows + 1) * ncols; i++)
		free(cells[i]);
	free(cells);
	free(width);
	json_decref(rows);
}

void cli_print_object(struct cli *c, json_t *obj)
{
	if (c->json) {
		json_dumpf(obj, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(obj);
		return;
	}
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		if (json_is_null(v))
			continue;
		char *t = cell_text(v);
		printf("%-13s %s\n", key, t);
		free(t);
	}
	json_decref(obj);
}
