/*
 * import: practices and persons from CSV (as exported from Excel), events
 * from .ics. Each import is one transaction: all rows or none. Importing
 * the same file again updates instead of duplicating (slugs, e-mail
 * addresses and UIDs are the keys).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/event_opts.h"
#include "core/csv.h"
#include "core/util.h"
#include "feeds/import.h"

static int import_practices(struct cli *c, int argc, char **argv);
static int import_persons(struct cli *c, int argc, char **argv);
static int import_events(struct cli *c, int argc, char **argv);

static const struct cli_verb import_verbs[] = {
    {"practices", "FILE.csv [--dry-run]",
     "import practices: columns slug,name,wijk[,address]", import_practices},
    {"persons", "FILE.csv [--dry-run]",
     "import persons: columns name,email,role,practice|org[,big]; a "
     "person with several affiliations has several rows",
     import_persons},
    {"events",
     "FILE.ics --wijk SLUG --kind KIND [--audience EXPR]... [--public | "
     "--private] [--dry-run]",
     "import events from iCalendar; UIDs are kept, so a second import "
     "updates",
     import_events},
    {0}};

const struct cli_noun noun_import = {"import",
                                     "practices, persons (CSV) and events "
                                     "(.ics)",
                                     import_verbs};

struct import_ctx {
	const char *file;
	struct csv csv;
	bool dry_run;
	size_t added, updated;
	struct event_opts eo; /* import events: --wijk, --kind, ... */
	struct event *events;
	size_t nevents;
};

static int dry_run_opt(void *arg, int code, const char *value, char **err)
{
	((struct import_ctx *)arg)->dry_run = true;
	return 0;
}

/* Runs fn in one transaction; rolls back on error or --dry-run. */
static int run_tx(struct cli *c, struct import_ctx *ic,
                  int (*fn)(struct cli *, struct import_ctx *, char **))
{
	int code = cli_store(c, STORE_WRITE);
	if (code)
		return code;
	char *err = NULL;
	int rc = store_begin(c->st, &err);
	if (rc == WK_OK)
		rc = fn(c, ic, &err);
	if (rc == WK_OK && !ic->dry_run)
		rc = store_commit(c->st, &err);
	else if (rc != WK_EBUSY || err == NULL)
		store_rollback(c->st);
	if (rc < 0) {
		/* A bad file is bad input data, whatever the row's error. */
		fprintf(stderr, "wijkcal: %s\n", err);
		free(err);
		return rc == WK_EBUSY ? EX_TEMPFAIL
		       : rc == WK_EIO ? EX_IOERR
		                      : EX_DATAERR;
	}
	printf("%s%zu added, %zu updated\n",
	       ic->dry_run ? "dry run, nothing written: " : "", ic->added,
	       ic->updated);
	return EX_OK;
}

/* Reads and parses a CSV file; prints the error itself. */
static int load_csv(struct import_ctx *ic, const char *const *required)
{
	char *err = NULL;
	size_t len;
	char *data = read_file_max(ic->file, CSV_MAX_BYTES, &len, &err);
	if (data == NULL) {
		cli_error(WK_EIO, err);
		free(err);
		return EX_NOINPUT;
	}
	int rc = csv_parse(data, len, &ic->csv, &err);
	free(data);
	for (size_t i = 0; rc == 0 && required[i]; i++)
		if (csv_column(&ic->csv, required[i]) < 0)
			rc = set_error(&err, "line 1: missing column \"%s\"",
			               required[i]);
	if (rc < 0) {
		fprintf(stderr, "wijkcal: %s: %s\n", ic->file, err);
		free(err);
		csv_free(&ic->csv);
		return EX_DATAERR;
	}
	return 0;
}

/* The field of a row by column name; NULL when the column is absent or
 * the field empty. */
static const char *field(const struct import_ctx *ic, const struct csv_row *row,
                         const char *name)
{
	int k = csv_column(&ic->csv, name);
	if (k < 0 || row->fields[k][0] == '\0')
		return NULL;
	return row->fields[k];
}

/* Prefixes the message with FILE:LINE. */
static int row_error(const struct import_ctx *ic, const struct csv_row *row,
                     int rc, char **err)
{
	char *msg = xasprintf("%s:%zu: %s", ic->file, row->line,
	                      *err ? *err : "invalid row");
	free(*err);
	*err = msg;
	return rc < 0 ? rc : WK_EINVAL;
}

static int practice_row(struct cli *c, struct import_ctx *ic,
                        const struct csv_row *row, char **err)
{
	struct practice p = {.slug = (char *)field(ic, row, "slug"),
	                     .name = (char *)field(ic, row, "name"),
	                     .wijk = (char *)field(ic, row, "wijk"),
	                     .address = (char *)field(ic, row, "address")};
	struct wijk w;
	struct practice old;
	if (!p.slug || !p.name || !p.wijk)
		return set_error(err, "%s: must not be empty",
		                 !p.slug   ? "slug"
		                 : !p.name ? "name"
		                           : "wijk");
	if (model_check_slug(p.slug, "slug", err) < 0 ||
	    model_check_text(p.name, "name", 200, err) < 0 ||
	    model_check_slug(p.wijk, "wijk", err) < 0 ||
	    (p.address && model_check_text(p.address, "address", 300, err) < 0))
		return WK_EINVAL;
	int rc = store_wijk_get(c->st, p.wijk, &w, err);
	if (rc < 0)
		return set_error(err, "wijk: unknown wijk \"%s\"", p.wijk), rc;
	wijk_free(&w);
	rc = store_practice_get(c->st, p.slug, &old, NULL);
	if (rc == WK_OK) {
		practice_free(&old);
		ic->updated++;
		return store_practice_update(c->st, &p, err);
	}
	ic->added++;
	return store_practice_add(c->st, &p, err);
}

static int practices_tx(struct cli *c, struct import_ctx *ic, char **err)
{
	for (size_t i = 0; i < ic->csv.nrows; i++) {
		int rc = practice_row(c, ic, &ic->csv.rows[i], err);
		if (rc < 0)
			return row_error(ic, &ic->csv.rows[i], rc, err);
	}
	return WK_OK;
}

static int import_csv(struct cli *c, int argc, char **argv, int verb,
                      const char *const *required,
                      int (*tx)(struct cli *, struct import_ctx *, char **))
{
	static const struct option opts[] = {
	    {"dry-run", no_argument, NULL, 'n'}, {0}};
	struct import_ctx ic = {0};
	int first;
	int code = cli_getopt("import", &import_verbs[verb], argc, argv, opts,
	                      dry_run_opt, &ic, &first);
	if (code)
		return code;
	if (first + 1 != argc)
		return cli_usage_error("import", &import_verbs[verb],
		                       "expected one FILE.csv");
	ic.file = argv[first];
	if ((code = load_csv(&ic, required)))
		return code;
	code = run_tx(c, &ic, tx);
	csv_free(&ic.csv);
	return code;
}

static int import_practices(struct cli *c, int argc, char **argv)
{
	static const char *const required[] = {"slug", "name", "wijk", NULL};
	return import_csv(c, argc, argv, 0, required, practices_tx);
}

/* Lower-cases an e-mail address in place (addresses are kept lower case). */
static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static int check_person_row(const struct person *p, const struct affiliation *a,
                            char **err)
{
	if (!p->name || !p->email || !a->role)
		return set_error(err, "%s: must not be empty",
		                 !p->name    ? "name"
		                 : !p->email ? "email"
		                             : "role");
	if ((a->practice != NULL) == (a->org != NULL))
		return set_error(err, "practice, org: fill in exactly one of "
		                      "them");
	if (model_check_text(p->name, "name", 200, err) < 0 ||
	    model_check_email(p->email, "email", err) < 0 ||
	    (p->big && model_check_text(p->big, "big", 32, err) < 0) ||
	    (a->practice &&
	     model_check_slug(a->practice, "practice", err) < 0) ||
	    (a->org && model_check_slug(a->org, "org", err) < 0))
		return WK_EINVAL;
	if (!model_in_list(model_roles, a->role))
		return set_error(err,
		                 "role: unknown role \"%s\" (expected one "
		                 "of %s)",
		                 a->role, model_list_text(model_roles));
	return WK_OK;
}

static int person_row(struct cli *c, struct import_ctx *ic,
                      const struct csv_row *row, char **err)
{
	char email[256];
	const char *e = field(ic, row, "email");
	snprintf(email, sizeof(email), "%s", e ? e : "");
	lower(email);
	struct affiliation a = {.practice = (char *)field(ic, row, "practice"),
	                        .org = (char *)field(ic, row, "org"),
	                        .role = (char *)field(ic, row, "role")};
	struct person p = {.email = e ? email : NULL,
	                   .name = (char *)field(ic, row, "name"),
	                   .big = (char *)field(ic, row, "big")};
	int rc = check_person_row(&p, &a, err);
	if (rc < 0)
		return rc;
	struct person old;
	if (store_person_get(c->st, email, &old, NULL) == WK_OK) {
		/* A second row of a person may leave the BIG number empty. */
		if (p.big == NULL)
			p.big = old.big;
		ic->updated++;
		rc = store_person_update(c->st, &p, err);
		person_free(&old);
		if (rc == WK_OK)
			rc = store_person_link(c->st, email, &a, err);
		if (rc == WK_EEXIST) { /* the affiliation is known already */
			xfree(err);
			rc = WK_OK;
		}
		return rc;
	}
	ic->added++;
	p.aff = &a;
	p.naff = 1;
	return store_person_add(c->st, &p, err);
}

static int persons_tx(struct cli *c, struct import_ctx *ic, char **err)
{
	for (size_t i = 0; i < ic->csv.nrows; i++) {
		int rc = person_row(c, ic, &ic->csv.rows[i], err);
		if (rc < 0)
			return row_error(ic, &ic->csv.rows[i], rc, err);
	}
	return WK_OK;
}

static int import_persons(struct cli *c, int argc, char **argv)
{
	static const char *const required[] = {"name", "email", "role", NULL};
	return import_csv(c, argc, argv, 1, required, persons_tx);
}

static int event_import_opt(void *arg, int code, const char *value, char **err)
{
	struct import_ctx *ic = arg;
	if (code == 'n') {
		ic->dry_run = true;
		return 0;
	}
	return event_opt(&ic->eo, code, value, err);
}

/* The imported event's fields as the options of `event edit`, so that an
 * imported event goes through the same checks as a typed one. */
static struct event_opts file_opts(const struct import_ctx *ic,
                                   const struct event *in, char *start,
                                   char *duration)
{
	struct event_opts o = ic->eo;
	wtime_format(&in->start, start);
	duration_format(in->duration_min, duration);
	o.title = in->title;
	o.start = in->start.date_only ? NULL : start;
	o.date = in->start.date_only ? start : NULL;
	o.duration = duration;
	o.end = NULL;
	o.rrule = in->rrule ? in->rrule : "";
	o.location = in->location ? in->location : "";
	o.description = in->description ? in->description : "";
	o.url = in->url ? in->url : "";
	o.force = true; /* import_ics checked the rule for safety */
	return o;
}

static int event_row(struct cli *c, struct import_ctx *ic,
                     const struct event *in, char **err)
{
	char start[WTIME_STRLEN], duration[32];
	struct event_opts o = file_opts(ic, in, start, duration);
	struct event e = {0};
	int rc = store_event_get_by_uid(c->st, in->uid, &e, NULL);
	bool exists = rc == WK_OK, visible = false;
	rc = event_opts_apply(c, &o, &e, &visible, err);
	if (rc == WK_OK) {
		int64_t now = now_utc();
		if (!exists) {
			e.uid = xstrdup(in->uid);
			e.created = now;
		}
		e.sequence = exists && visible ? e.sequence + 1 : e.sequence;
		if (in->sequence > e.sequence)
			e.sequence = in->sequence;
		e.cancelled = in->cancelled;
		e.modified = now;
		free(e.changes);
		e.changes = xcalloc(in->nchanges ? in->nchanges : 1,
		                    sizeof(*e.changes));
		e.nchanges = in->nchanges;
		for (size_t i = 0; i < in->nchanges; i++) {
			e.changes[i] = in->changes[i];
			if (e.changes[i].sequence < e.sequence)
				e.changes[i].sequence = e.sequence;
			e.changes[i].modified = now;
		}
		rc = exists ? store_event_update(c->st, &e, err)
		            : store_event_insert(c->st, &e, err);
		*(exists ? &ic->updated : &ic->added) += 1;
	}
	event_free(&e);
	return rc;
}

static int events_tx(struct cli *c, struct import_ctx *ic, char **err)
{
	for (size_t i = 0; i < ic->nevents; i++) {
		int rc = event_row(c, ic, &ic->events[i], err);
		if (rc < 0) {
			char *msg =
			    xasprintf("%s: event %zu (UID %s): %s", ic->file,
			              i + 1, ic->events[i].uid, *err);
			free(*err);
			*err = msg;
			return rc;
		}
	}
	return WK_OK;
}

static int load_ics(struct import_ctx *ic)
{
	char *err = NULL;
	size_t len;
	char *data = read_file_max(ic->file, IMPORT_ICS_MAX_BYTES, &len, &err);
	if (data == NULL) {
		cli_error(WK_EIO, err);
		free(err);
		return EX_NOINPUT;
	}
	int rc = import_ics(data, len, &ic->events, &ic->nevents, &err);
	free(data);
	if (rc < 0) {
		fprintf(stderr, "wijkcal: %s: %s\n", ic->file, err);
		free(err);
		return EX_DATAERR;
	}
	return 0;
}

static int import_events(struct cli *c, int argc, char **argv)
{
	struct option opts[32];
	size_t n = 0;
	static const char *const allowed[] = {"wijk",   "kind",    "audience",
	                                      "public", "private", NULL};
	for (size_t i = 0; event_options[i].name; i++)
		if (model_in_list(allowed, event_options[i].name))
			opts[n++] = event_options[i];
	opts[n++] = (struct option){"dry-run", no_argument, NULL, 'n'};
	opts[n] = (struct option){0};
	struct import_ctx ic = {.eo.is_public = -1};
	int first;
	int code = cli_getopt("import", &import_verbs[2], argc, argv, opts,
	                      event_import_opt, &ic, &first);
	if (code == 0 && (first + 1 != argc || !ic.eo.wijk || !ic.eo.kind))
		code = cli_usage_error("import", &import_verbs[2],
		                       "expected FILE.ics, --wijk and --kind");
	if (code == 0) {
		ic.file = argv[first];
		code = load_ics(&ic);
	}
	if (code == 0)
		code = run_tx(c, &ic, events_tx);
	event_array_free(ic.events, ic.nevents);
	event_opts_free(&ic.eo);
	return code;
}
