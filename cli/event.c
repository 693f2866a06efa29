/* event: plan, change, cancel and move meetings and series. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/event_opts.h"
#include "core/planner.h"
#include "core/recur.h"
#include "core/util.h"

static int event_add(struct cli *c, int argc, char **argv);
static int event_publish(struct cli *c, int argc, char **argv);
static int event_list(struct cli *c, int argc, char **argv);
static int event_show(struct cli *c, int argc, char **argv);
static int event_edit(struct cli *c, int argc, char **argv);
static int event_cancel(struct cli *c, int argc, char **argv);
static int event_move(struct cli *c, int argc, char **argv);

#define EVENT_ADD_USAGE                                                        \
	"--kind KIND --wijk WIJK --title TEXT (--start \"YYYY-MM-DD HH:MM\" "  \
	"| --date YYYY-MM-DD) [--end TIME | --duration 90m] [--rrule RULE] "   \
	"[--location TEXT] [--description TEXT] [--online URL] [--url URL] "   \
	"[--points N] [--capacity N] [--public | --private] [--organizer "     \
	"EMAIL] [--audience EXPR]... [--draft] [--force]"

static const struct cli_verb event_verbs[] = {
    {"add", EVENT_ADD_USAGE,
     "plan a meeting or series; prints the new event's id", event_add},
    {"publish", "ID", "publish an event added with --draft", event_publish},
    {"list", "[--wijk WIJK] [--kind KIND]", "list events, drafts included",
     event_list},
    {"show", "ID", "show one event (id or UID)", event_show},
    {"edit", "ID [any option of add; \"\" clears one] [--no-notify]",
     "change an event; a change attendees see raises its SEQUENCE and "
     "mails them an update, unless --no-notify (for a typo: the feeds "
     "show it, nobody is mailed)",
     event_edit},
    {"cancel", "ID [--occurrence YYYY-MM-DD]",
     "cancel an event, or one occurrence of a series", event_cancel},
    {"move",
     "ID --occurrence YYYY-MM-DD (--start \"YYYY-MM-DD HH:MM\" | "
     "--date YYYY-MM-DD) [--duration D]",
     "move one occurrence of a series", event_move},
    {0}};

const struct cli_noun noun_event = {"event", "meetings and series",
                                    event_verbs};

static int insert_tx(struct cli *c, void *arg, char **err)
{
	return store_event_insert(c->st, arg, err);
}

static int event_add(struct cli *c, int argc, char **argv)
{
	struct event_opts o = {.is_public = -1};
	int first;
	int code = cli_getopt("event", &event_verbs[0], argc, argv,
	                      event_options, event_opt, &o, &first);
	if (code == 0 && first != argc)
		code =
		    cli_usage_error("event", &event_verbs[0],
		                    "unexpected argument \"%s\"", argv[first]);
	if (code == 0 && o.no_notify)
		code =
		    cli_usage_error("event", &event_verbs[0],
		                    "--no-notify is for event edit; hold the "
		                    "invitations of a new event with --draft");
	if (code == 0)
		code = cli_store(c, STORE_WRITE);
	if (code) {
		event_opts_free(&o);
		return code;
	}
	struct event e = {0};
	char *err = NULL;
	int rc = event_opts_apply(c, &o, &e, NULL, &err);
	event_opts_free(&o);
	if (rc < 0) {
		event_free(&e);
		return cli_fail(rc, &err);
	}
	e.uid = event_new_uid();
	e.created = e.modified = now_utc();
	code = cli_write(c, insert_tx, &e);
	if (code == EX_OK)
		printf("%lld\n", (long long)e.id);
	event_free(&e);
	return code;
}

/* Loads the event named by the single positional argument. */
static int load_event(struct cli *c, const struct cli_verb *v, int argc,
                      char **argv, int first, enum store_mode mode,
                      struct event *e)
{
	if (first + 1 != argc)
		return cli_usage_error("event", v, "expected one event id");
	int code = cli_store(c, mode);
	if (code)
		return code;
	char *err = NULL;
	int rc = store_event_get(c->st, argv[first], e, &err);
	return rc < 0 ? cli_fail(rc, &err) : 0;
}

static int update_tx(struct cli *c, void *arg, char **err)
{
	return store_event_update(c->st, arg, err);
}

static int event_publish(struct cli *c, int argc, char **argv)
{
	int first;
	struct event e = {0};
	int code = cli_getopt("event", &event_verbs[1], argc, argv, NULL,
	                      cli_no_options, NULL, &first);
	if (code || (code = load_event(c, &event_verbs[1], argc, argv, first,
	                               STORE_WRITE, &e)))
		return code;
	if (e.draft) {
		e.draft = false;
		e.modified = now_utc();
		code = cli_write(c, update_tx, &e);
	}
	if (code == EX_OK)
		printf("event %lld published\n", (long long)e.id);
	event_free(&e);
	return code;
}

/* Drops changes whose original start is no longer in the series (after
 * its rule or start changed), and says so. */
static void drop_orphan_changes(struct event *e)
{
	size_t kept = 0;
	for (size_t i = 0; i < e->nchanges; i++) {
		struct wtime rid;
		struct event_change *ch = &e->changes[i];
		bool keep =
		    e->rrule && recur_find_occurrence(e->rrule, &e->start,
		                                      &ch->exc.recurrence_id,
		                                      &rid, NULL) == 0;
		if (keep) {
			e->changes[kept++] = *ch;
		} else {
			char buf[WTIME_STRLEN];
			wtime_format(&ch->exc.recurrence_id, buf);
			fprintf(stderr,
			        "wijkcal: the change to the occurrence of %s "
			        "no longer applies and was dropped\n",
			        buf);
		}
	}
	e->nchanges = kept;
}

static int event_edit(struct cli *c, int argc, char **argv)
{
	struct event_opts o = {.is_public = -1};
	struct event e = {0};
	int first;
	int code = cli_getopt("event", &event_verbs[4], argc, argv,
	                      event_options, event_opt, &o, &first);
	if (code == 0)
		code = load_event(c, &event_verbs[4], argc, argv, first,
		                  STORE_WRITE, &e);
	if (code) {
		event_opts_free(&o);
		return code;
	}
	char *err = NULL;
	bool visible = false;
	bool notify = !o.no_notify;
	int rc = event_opts_apply(c, &o, &e, &visible, &err);
	event_opts_free(&o);
	if (rc < 0) {
		event_free(&e);
		return cli_fail(rc, &err);
	}
	/* The planner mails an update exactly when the SEQUENCE rises
	 * (core/planner.h), so --no-notify keeps it: the change is one
	 * attendees need not be told of (RFC 5545 raises SEQUENCE for
	 * significant revisions only). The feeds show the new text at once,
	 * new invitees get it, and the next change that notifies carries it
	 * to everyone. No flag in the database is needed for that. */
	if (visible && !e.draft && notify)
		e.sequence = planner_series_sequence(&e) + 1;
	drop_orphan_changes(&e);
	e.modified = now_utc();
	code = cli_write(c, update_tx, &e);
	if (code == EX_OK)
		printf("event %lld updated (sequence %d%s)\n", (long long)e.id,
		       e.sequence, notify ? "" : ", nobody mailed");
	event_free(&e);
	return code;
}

/* The change for an original start, added when missing. */
static struct event_change *change_for(struct event *e, const struct wtime *rid)
{
	for (size_t i = 0; i < e->nchanges; i++)
		if (wtime_cmp(&e->changes[i].exc.recurrence_id, rid) == 0)
			return &e->changes[i];
	e->changes =
	    xrealloc(e->changes, (e->nchanges + 1) * sizeof(*e->changes));
	struct event_change *ch = &e->changes[e->nchanges++];
	memset(ch, 0, sizeof(*ch));
	ch->exc.recurrence_id = *rid;
	ch->sequence = e->sequence;
	return ch;
}

/* Resolves --occurrence DATE to the original start of an occurrence. */
static int find_occurrence(const struct event *e, const char *value,
                           struct wtime *rid, char **err)
{
	struct wtime date;
	if (e->rrule == NULL)
		return set_error(err,
		                 "--occurrence: event %lld is not a series",
		                 (long long)e->id);
	if (wtime_parse(value, true, "--occurrence", &date, err) < 0)
		return WK_EINVAL;
	if (recur_find_occurrence(e->rrule, &e->start, &date, rid, err) < 0)
		return WK_ENOTFOUND;
	return WK_OK;
}

struct occ_opts {
	const char *occurrence, *start, *date, *duration;
};

static int occ_opt(void *arg, int code, const char *value, char **err)
{
	struct occ_opts *o = arg;
	const char **slot[] = {&o->occurrence, &o->start, &o->date,
	                       &o->duration};
	*slot[code - 'a'] = value;
	return 0;
}

static const struct option occ_options[] = {
    {"occurrence", required_argument, NULL, 'a'},
    {"start", required_argument, NULL, 'b'},
    {"date", required_argument, NULL, 'c'},
    {"duration", required_argument, NULL, 'd'},
    {0}};

static int cancel_apply(struct event *e, const struct occ_opts *o, char **err)
{
	if (o->occurrence == NULL) {
		if (e->cancelled)
			return set_error(err, "event %lld is already cancelled",
			                 (long long)e->id);
		e->cancelled = true;
		e->sequence = planner_series_sequence(e) + 1;
		return WK_OK;
	}
	struct wtime rid;
	int rc = find_occurrence(e, o->occurrence, &rid, err);
	if (rc < 0)
		return rc;
	struct event_change *ch = change_for(e, &rid);
	if (ch->exc.cancelled)
		return set_error(err, "--occurrence: %s is already cancelled",
		                 o->occurrence);
	/* Above every SEQUENCE of the series, so the planner knows who has
	 * had this change (core/planner.h). */
	ch->sequence = planner_series_sequence(e) + 1;
	ch->exc.cancelled = true;
	ch->modified = now_utc();
	return WK_OK;
}

static int event_cancel(struct cli *c, int argc, char **argv)
{
	struct occ_opts o = {0};
	struct event e = {0};
	int first;
	int code = cli_getopt("event", &event_verbs[5], argc, argv, occ_options,
	                      occ_opt, &o, &first);
	if (code == 0 && (o.start || o.date || o.duration))
		code = cli_usage_error("event", &event_verbs[5],
		                       "cancel takes only --occurrence");
	if (code || (code = load_event(c, &event_verbs[5], argc, argv, first,
	                               STORE_WRITE, &e)))
		return code;
	char *err = NULL;
	int rc = cancel_apply(&e, &o, &err);
	if (rc < 0) {
		event_free(&e);
		return cli_fail(rc, &err);
	}
	e.modified = now_utc();
	code = cli_write(c, update_tx, &e);
	if (code == EX_OK)
		printf("event %lld: %s cancelled\n", (long long)e.id,
		       o.occurrence ? o.occurrence : "event");
	event_free(&e);
	return code;
}

static int move_apply(struct event *e, const struct occ_opts *o, char **err)
{
	struct wtime rid, start;
	int rc = find_occurrence(e, o->occurrence, &rid, err);
	if (rc < 0)
		return rc;
	if ((o->start != NULL) == (o->date != NULL))
		return set_error(err, "event move: give --start (or --date for "
		                      "an all-day event)");
	if (o->start &&
	    wtime_parse(o->start, false, "--start", &start, err) < 0)
		return WK_EINVAL;
	if (o->date && wtime_parse_date(o->date, "--date", &start, err) < 0)
		return WK_EINVAL;
	if (!wtime_exists(&start, e->tzid))
		return set_error(err,
		                 "--start: %s does not exist in %s (the clocks "
		                 "go forward that night)",
		                 o->start, e->tzid);
	if (start.date_only != e->start.date_only)
		return set_error(err, "%s: the series is %s; use %s",
		                 o->start ? "--start" : "--date",
		                 e->start.date_only ? "all-day" : "timed",
		                 e->start.date_only ? "--date" : "--start");
	struct event_change *ch = change_for(e, &rid);
	int64_t minutes =
	    ch->exc.duration_min ? ch->exc.duration_min : e->duration_min;
	if (o->duration && duration_parse(o->duration, "--duration", 366 * 1440,
	                                  &minutes, err) < 0)
		return WK_EINVAL;
	ch->exc.cancelled = false;
	ch->exc.start = start;
	ch->exc.duration_min = minutes;
	ch->sequence = planner_series_sequence(e) + 1;
	ch->modified = now_utc();
	return WK_OK;
}

static int event_move(struct cli *c, int argc, char **argv)
{
	struct occ_opts o = {0};
	struct event e = {0};
	int first;
	int code = cli_getopt("event", &event_verbs[6], argc, argv, occ_options,
	                      occ_opt, &o, &first);
	if (code == 0 && o.occurrence == NULL)
		code = cli_usage_error("event", &event_verbs[6],
		                       "--occurrence is required");
	if (code || (code = load_event(c, &event_verbs[6], argc, argv, first,
	                               STORE_WRITE, &e)))
		return code;
	char *err = NULL;
	int rc = move_apply(&e, &o, &err);
	if (rc < 0) {
		event_free(&e);
		return cli_fail(rc, &err);
	}
	e.modified = now_utc();
	code = cli_write(c, update_tx, &e);
	if (code == EX_OK)
		printf("event %lld: occurrence of %s moved to %s\n",
		       (long long)e.id, o.occurrence,
		       o.start ? o.start : o.date);
	event_free(&e);
	return code;
}

static const char *event_status(const struct event *e)
{
	return e->cancelled ? "cancelled" : e->draft ? "draft" : "confirmed";
}

static json_t *wtime_json(const struct wtime *t)
{
	char buf[WTIME_STRLEN];
	wtime_format(t, buf);
	return json_string(buf);
}

static json_t *changes_json(const struct event *e)
{
	json_t *list = json_array();
	for (size_t i = 0; i < e->nchanges; i++) {
		const struct event_change *ch = &e->changes[i];
		json_t *o =
		    json_pack("{s:o, s:s, s:i}", "occurrence",
		              wtime_json(&ch->exc.recurrence_id), "change",
		              ch->exc.cancelled ? "cancelled" : "moved",
		              "sequence", ch->sequence);
		if (!ch->exc.cancelled) {
			json_object_set_new(o, "start",
			                    wtime_json(&ch->exc.start));
			json_object_set_new(o, "duration_min",
			                    json_integer(ch->exc.duration_min));
		}
		json_array_append_new(list, o);
	}
	return list;
}

static json_t *event_json(const struct event *e)
{
	char dur[32];
	duration_format(e->duration_min, dur);
	json_t *aud = json_array();
	for (size_t i = 0; i < e->naudience; i++)
		json_array_append_new(aud, json_string(e->audience[i]));
	return json_pack(
	    "{s:I, s:s, s:s, s:s, s:s, s:o, s:s, s:b, s:s?, s:s?, s:s?, "
	    "s:s?, s:s?, s:s?, s:o, s:o, s:b, s:s, s:i, s:o, s:o}",
	    "id", (json_int_t)e->id, "uid", e->uid, "kind", e->kind, "wijk",
	    e->wijk, "title", e->title, "start", wtime_json(&e->start),
	    "duration", dur, "all_day", e->start.date_only, "rrule", e->rrule,
	    "location", e->location, "description", e->description, "online",
	    e->online_url, "url", e->url, "organizer", e->organizer, "points",
	    e->points >= 0 ? json_integer(e->points) : json_null(), "capacity",
	    e->capacity >= 0 ? json_integer(e->capacity) : json_null(),
	    "public", e->is_public, "status", event_status(e), "sequence",
	    e->sequence, "audience", aud, "changes", changes_json(e));
}

static int event_show(struct cli *c, int argc, char **argv)
{
	int first;
	struct event e = {0};
	int code = cli_getopt("event", &event_verbs[3], argc, argv, NULL,
	                      cli_no_options, NULL, &first);
	if (code || (code = load_event(c, &event_verbs[3], argc, argv, first,
	                               STORE_READ, &e)))
		return code;
	json_t *obj = event_json(&e);
	event_free(&e);
	cli_print_object(c, obj);
	return EX_OK;
}

struct list_opts {
	struct event_filter f;
};

static int list_opt(void *arg, int code, const char *value, char **err)
{
	struct event_filter *f = &((struct list_opts *)arg)->f;
	if (code == 'w') {
		f->wijk = value;
		return model_check_slug(value, "--wijk", err);
	}
	f->kind = value;
	if (!model_in_list(model_event_kinds, value))
		return set_error(err,
		                 "--kind: unknown kind \"%s\" (expected "
		                 "one of %s)",
		                 value, model_list_text(model_event_kinds));
	return 0;
}

static int event_list(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"wijk", required_argument, NULL, 'w'},
	    {"kind", required_argument, NULL, 'k'},
	    {0}};
	struct list_opts o = {.f.include_drafts = true};
	int first;
	int code = cli_getopt("event", &event_verbs[2], argc, argv, opts,
	                      list_opt, &o, &first);
	if (code || (code = cli_store(c, STORE_READ)))
		return code;
	struct event *list;
	size_t n;
	char *err = NULL;
	int rc = store_event_list(c->st, &o.f, &list, &n, &err);
	if (rc < 0)
		return cli_fail(rc, &err);
	json_t *rows = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rows, event_json(&list[i]));
	event_array_free(list, n);
	static const char *const columns[] = {
	    "id", "kind", "wijk", "start", "title", "rrule", "status", NULL};
	cli_print_table(c, rows, columns);
	return EX_OK;
}
