/* agenda: the occurrences of events in a period, in time order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/recur.h"
#include "core/util.h"

static int agenda_run(struct cli *c, int argc, char **argv);

static const struct cli_verb agenda_verbs[] = {
    {"",
     "[--wijk WIJK] [--kind KIND] [--from YYYY-MM-DD] [--to YYYY-MM-DD] "
     "[--drafts]",
     "occurrences in time order (default: today and the next 90 days; "
     "--to is inclusive)",
     agenda_run},
    {0}};

const struct cli_noun noun_agenda = {"agenda", "what is planned, in time order",
                                     agenda_verbs};

#define AGENDA_MAX 20000 /* occurrences at most in one listing */

struct agenda_opts {
	struct event_filter f;
	const char *from, *to;
};

static int agenda_opt(void *arg, int code, const char *value, char **err)
{
	struct agenda_opts *o = arg;
	switch (code) {
	case 'w':
		o->f.wijk = value;
		return model_check_slug(value, "--wijk", err);
	case 'k':
		o->f.kind = value;
		if (!model_in_list(model_event_kinds, value))
			return set_error(
			    err,
			    "--kind: unknown kind \"%s\" (expected "
			    "one of %s)",
			    value, model_list_text(model_event_kinds));
		return 0;
	case 'f':
		o->from = value;
		return 0;
	case 't':
		o->to = value;
		return 0;
	default:
		o->f.include_drafts = true;
		return 0;
	}
}

/* One occurrence with its event, for sorting. */
struct row {
	struct occurrence occ;
	const struct event *e;
};

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->occ.start_utc != y->occ.start_utc)
		return x->occ.start_utc < y->occ.start_utc ? -1 : 1;
	return (x->e->id > y->e->id) - (x->e->id < y->e->id);
}

static json_t *row_json(const struct row *r)
{
	char start[WTIME_STRLEN], rid[WTIME_STRLEN], end[WTIME_STRLEN];
	const struct event *e = r->e;
	wtime_format(&r->occ.start, start);
	wtime_format(&r->occ.recurrence_id, rid);
	struct wtime end_wall = wtime_from_utc(r->occ.end_utc, e->tzid);
	end_wall.date_only = r->occ.start.date_only;
	if (end_wall.date_only) /* show the last day, not the day after */
		end_wall = wtime_add_minutes(end_wall, -1440);
	wtime_format(&end_wall, end);
	return json_pack(
	    "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s?, "
	    "s:s, s:b}",
	    "event", (json_int_t)e->id, "uid", e->uid, "start", start, "end",
	    end, "recurrence_id", rid, "title", e->title, "kind", e->kind,
	    "start_utc", (json_int_t)r->occ.start_utc, "end_utc",
	    (json_int_t)r->occ.end_utc, "location", e->location, "status",
	    e->cancelled   ? "cancelled"
	    : e->draft     ? "draft"
	    : r->occ.moved ? "moved"
	                   : "confirmed",
	    "all_day", r->occ.start.date_only);
}

static int parse_period(struct agenda_opts *o, const char *tz, int64_t *from,
                        int64_t *to, char **err)
{
	struct wtime t;
	if (o->from) {
		if (wtime_parse_date(o->from, "--from", &t, err) < 0)
			return WK_EINVAL;
	} else {
		t = wtime_from_utc((int64_t)time(NULL), tz);
		t.hour = t.minute = 0;
		t.date_only = true;
	}
	*from = wtime_to_utc(&t, tz);
	if (o->to) {
		if (wtime_parse_date(o->to, "--to", &t, err) < 0)
			return WK_EINVAL;
		t = wtime_add_minutes(t, 1440); /* --to is inclusive */
	} else {
		t = wtime_add_minutes(t, 91 * 1440);
	}
	*to = wtime_to_utc(&t, tz);
	if (*to <= *from)
		return set_error(err, "--to: must not be before --from");
	return WK_OK;
}

/* Expands every event into rows; returns the row count or -1. */
static int expand_all(const struct event *list, size_t n, int64_t from,
                      int64_t to, struct row **rows_r, char **err)
{
	struct row *rows = NULL;
	size_t nrows = 0;
	for (size_t i = 0; i < n; i++) {
		const struct event *e = &list[i];
		struct recur_exception *exc =
		    xcalloc(e->nchanges ? e->nchanges : 1, sizeof(*exc));
		for (size_t k = 0; k < e->nchanges; k++)
			exc[k] = e->changes[k].exc;
		struct occurrence *occ = NULL;
		int got = recur_expand(e->rrule, &e->start, e->duration_min,
		                       e->tzid, exc, e->nchanges, from, to,
		                       AGENDA_MAX, &occ, err);
		free(exc);
		if (got < 0) {
			free(rows);
			return -1;
		}
		rows =
		    xrealloc(rows, (nrows + (size_t)got + 1) * sizeof(*rows));
		for (int k = 0; k < got; k++)
			rows[nrows++] = (struct row){occ[k], e};
		free(occ);
		if (nrows > AGENDA_MAX) {
			free(rows);
			return set_error(err,
			                 "more than %d occurrences: choose "
			                 "a shorter period with --from "
			                 "and --to",
			                 AGENDA_MAX);
		}
	}
	qsort(rows, nrows, sizeof(*rows), cmp_row);
	*rows_r = rows;
	return (int)nrows;
}

static int agenda_run(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"wijk", required_argument, NULL, 'w'},
	    {"kind", required_argument, NULL, 'k'},
	    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},
	    {"drafts", no_argument, NULL, 'd'},
	    {0}};
	struct agenda_opts o = {0};
	int first;
	char *err = NULL;
	int code = cli_getopt("agenda", &agenda_verbs[0], argc, argv, opts,
	                      agenda_opt, &o, &first);
	if (code == 0 && first != argc)
		code =
		    cli_usage_error("agenda", &agenda_verbs[0],
		                    "unexpected argument \"%s\"", argv[first]);
	if (code)
		return code;
	int rc =
	    parse_period(&o, c->cfg.timezone, &o.f.from_utc, &o.f.to_utc, &err);
	if (rc < 0)
		return cli_fail(rc, &err);
	if ((code = cli_store(c, STORE_READ)))
		return code;
	struct event *list;
	size_t n;
	rc = store_event_list(c->st, &o.f, &list, &n, &err);
	if (rc < 0)
		return cli_fail(rc, &err);
	struct row *rows = NULL;
	int nrows = expand_all(list, n, o.f.from_utc, o.f.to_utc, &rows, &err);
	if (nrows < 0) {
		event_array_free(list, n);
		return cli_fail(WK_EINVAL, &err);
	}
	json_t *out = json_array();
	for (int i = 0; i < nrows; i++)
		json_array_append_new(out, row_json(&rows[i]));
	free(rows);
	event_array_free(list, n);
	static const char *const columns[] = {"start", "end",      "title",
	                                      "kind",  "location", "status",
	                                      "event", NULL};
	cli_print_table(c, out, columns);
	return EX_OK;
}
