/* outbox: the mail the daemon has queued, sent or given up on. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/util.h"

static int outbox_list(struct cli *c, int argc, char **argv);
static int outbox_retry(struct cli *c, int argc, char **argv);

static const struct cli_verb outbox_verbs[] = {
    {"list", "[--failed]",
     "list the messages, newest first (--failed: failed or expired only)",
     outbox_list},
    {"retry", "ID", "queue a failed or expired message again", outbox_retry},
    {0}};

const struct cli_noun noun_outbox = {"outbox", "mail queued and sent",
                                     outbox_verbs};

static int failed_opt(void *arg, int code, const char *value, char **err)
{
	*(bool *)arg = true;
	return 0;
}

/* "2027-01-12 12:30" in the configured zone, or "" for 0. */
static void local_time(const struct cli *c, int64_t utc, char *buf)
{
	if (utc == 0) {
		buf[0] = '\0';
		return;
	}
	struct wtime t = wtime_from_utc(utc, c->cfg.timezone);
	wtime_format(&t, buf);
}

static json_t *row_json(const struct cli *c, const struct outbox_row *r)
{
	char due[WTIME_STRLEN], sent[WTIME_STRLEN];
	local_time(c, r->due, due);
	local_time(c, r->sent_at, sent);
	return json_pack(
	    "{s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:i, s:s, "
	    "s:s, s:s}",
	    "id", (json_int_t)r->id, "kind", outbox_kind_name(r->kind),
	    "status", outbox_status_name(r->status), "event", r->event_uid,
	    "occurrence", r->recurrence_id, "seq", (json_int_t)r->seq, "to",
	    r->email, "due", due, "attempts", r->attempts, "sent", sent,
	    "message_id", r->message_id, "error",
	    r->last_error ? r->last_error : "");
}

static int outbox_list(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {{"failed", no_argument, NULL, 'f'},
	                                     {0}};
	bool failed = false;
	int first;
	int code = cli_getopt("outbox", &outbox_verbs[0], argc, argv, opts,
	                      failed_opt, &failed, &first);
	if (code || (code = cli_store(c, STORE_READ)))
		return code;
	if (first != argc)
		return cli_usage_error("outbox", &outbox_verbs[0],
		                       "unexpected argument \"%s\"",
		                       argv[first]);
	struct outbox_row *rows;
	size_t n;
	char *err = NULL;
	int rc = store_outbox_list(c->st, failed, &rows, &n, &err);
	if (rc < 0)
		return cli_fail(rc, &err);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, row_json(c, &rows[i]));
	outbox_rows_free(rows, n);
	static const char *const columns[] = {"id",       "kind",  "status",
	                                      "to",       "event", "due",
	                                      "attempts", "error", NULL};
	cli_print_table(c, out, columns);
	return EX_OK;
}

static int retry_tx(struct cli *c, void *arg, char **err)
{
	return store_outbox_retry(c->st, *(int64_t *)arg, (int64_t)time(NULL),
	                          err);
}

static int outbox_retry(struct cli *c, int argc, char **argv)
{
	int first;
	int code = cli_getopt("outbox", &outbox_verbs[1], argc, argv, NULL,
	                      failed_opt, NULL, &first);
	if (code)
		return code;
	char *end = NULL;
	long long id = first + 1 == argc ? strtoll(argv[first], &end, 10) : 0;
	if (id <= 0 || end == NULL || *end != '\0')
		return cli_usage_error("outbox", &outbox_verbs[1],
		                       "expected the ID of a message (outbox "
		                       "list shows it)");
	int64_t id64 = id;
	return cli_write(c, retry_tx, &id64);
}
