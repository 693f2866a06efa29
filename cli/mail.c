/* mail: hold and release all sending, and show a message before it goes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/planner.h"
#include "core/util.h"
#include "feeds/imip.h"

static int mail_pause(struct cli *c, int argc, char **argv);
static int mail_resume(struct cli *c, int argc, char **argv);
static int mail_preview(struct cli *c, int argc, char **argv);

static const struct cli_verb mail_verbs[] = {
    {"pause", "", "hold all sending (the daemon keeps queueing)", mail_pause},
    {"resume", "", "release what was held", mail_resume},
    {"preview", "EVENT --person EMAIL",
     "print the invitation (or cancellation) the person would get",
     mail_preview},
    {0}};

const struct cli_noun noun_mail = {"mail", "sending mail", mail_verbs};

static int pause_tx(struct cli *c, void *arg, char **err)
{
	return store_mail_set_paused(c->st, *(bool *)arg, err);
}

static int set_paused(struct cli *c, const struct cli_verb *v, int argc,
                      char **argv, bool paused)
{
	int first;
	int code = cli_getopt("mail", v, argc, argv, NULL, NULL, NULL, &first);
	if (code)
		return code;
	if (first != argc)
		return cli_usage_error("mail", v, "unexpected argument \"%s\"",
		                       argv[first]);
	return cli_write(c, pause_tx, &paused);
}

static int mail_pause(struct cli *c, int argc, char **argv)
{
	return set_paused(c, &mail_verbs[0], argc, argv, true);
}

static int mail_resume(struct cli *c, int argc, char **argv)
{
	return set_paused(c, &mail_verbs[1], argc, argv, false);
}

static int person_opt(void *arg, int code, const char *value, char **err)
{
	*(const char **)arg = value;
	return 0;
}

/* Builds and prints the message for the event and person. */
static int print_preview(struct cli *c, const struct event *e,
                         const char *email, const char *name)
{
	struct outbox_row key = {.kind = e->cancelled ? OUTBOX_CANCEL
	                                              : OUTBOX_INVITE,
	                         .event_uid = e->uid,
	                         .recurrence_id = "",
	                         .email = (char *)email,
	                         .seq = e->sequence};
	char *mid = planner_message_id(&key, c->cfg.smtp_from);
	struct imip_message im = {.kind = key.kind,
	                          .event = e,
	                          .recurrence_id = "",
	                          .to_email = email,
	                          .to_name = name,
	                          .message_id = mid,
	                          .date = (int64_t)time(NULL)};
	size_t len;
	char *err = NULL;
	char *msg = imip_build(&im, &c->cfg, &len, &err);
	free(mid);
	if (msg == NULL)
		return cli_fail(WK_EINVAL, &err);
	fwrite(msg, 1, len, stdout);
	free(msg);
	return EX_OK;
}

static int mail_preview(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"person", required_argument, NULL, 'p'}, {0}};
	const char *email = NULL;
	int first;
	int code = cli_getopt("mail", &mail_verbs[2], argc, argv, opts,
	                      person_opt, &email, &first);
	if (code || (code = cli_store(c, STORE_READ)))
		return code;
	if (first + 1 != argc || email == NULL)
		return cli_usage_error("mail", &mail_verbs[2],
		                       "expected an event and --person");
	struct event e;
	struct person p;
	char *err = NULL;
	int rc = store_event_get(c->st, argv[first], &e, &err);
	if (rc < 0)
		return cli_fail(rc, &err);
	rc = store_person_get(c->st, email, &p, &err);
	if (rc < 0) {
		event_free(&e);
		return cli_fail(rc, &err);
	}
	code = print_preview(c, &e, p.email, p.name);
	event_free(&e);
	person_free(&p);
	return code;
}
