/*
 * feed: the URLs of private feeds (a person's own feed, a wijk's internal
 * feed), and revoking them. The token in such a URL is derived under the
 * key file beside the database (core/token.h), so `feed url` prints the
 * same URL every time until `feed revoke`; the database keeps only the
 * token's hash, which is what lets the daemon open it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/token.h"
#include "core/util.h"
#include "feeds/feedset.h"

static int feed_url(struct cli *c, int argc, char **argv);
static int feed_revoke(struct cli *c, int argc, char **argv);

#define FEED_USAGE "(--person EMAIL | --wijk SLUG --internal)"

static const struct cli_verb feed_verbs[] = {
    {"url", FEED_USAGE,
     "print the URL of a private feed; the same URL every time, until it "
     "is revoked",
     feed_url},
    {"revoke", FEED_USAGE,
     "make the feed's URL stop working, and print its new URL", feed_revoke},
    {0}};

const struct cli_noun noun_feed = {"feed", "URLs of private feeds", feed_verbs};

struct feed_opts {
	struct feed_spec spec;
	int nspecs;
	bool internal;
	bool revoke;
	char email[256];
	struct token_key key;
	char token[TOKEN_LEN + 1];
};

/* E-mail addresses are kept in lower case, as `person add` stores them. */
static int set_person(struct feed_opts *o, const char *value, char **err)
{
	if (model_check_email(value, "--person", err) < 0)
		return WK_EINVAL;
	size_t i = 0;
	for (; value[i] && i + 1 < sizeof(o->email); i++)
		o->email[i] = (char)tolower((unsigned char)value[i]);
	o->email[i] = '\0';
	o->spec = (struct feed_spec){FEED_PERSON, o->email};
	o->nspecs++;
	return 0;
}

static int feed_opt(void *arg, int code, const char *value, char **err)
{
	struct feed_opts *o = arg;
	switch (code) {
	case 'e':
		return set_person(o, value, err);
	case 'w':
		o->spec = (struct feed_spec){FEED_WIJK, value};
		o->nspecs++;
		return model_check_slug(value, "--wijk", err);
	case 'i':
		o->internal = true;
		return 0;
	}
	return 0;
}

/* Checks the combination of options; 0 or EX_USAGE after the message. */
static int check_opts(const struct cli_verb *v, struct feed_opts *o)
{
	if (o->nspecs != 1)
		return cli_usage_error("feed", v, "give one feed");
	if (o->spec.type == FEED_PERSON && o->internal)
		return cli_usage_error("feed", v,
		                       "--internal goes with --wijk");
	if (o->spec.type == FEED_WIJK && !o->internal)
		return cli_usage_error(
		    "feed", v,
		    "--wijk needs --internal: the public feed of a wijk "
		    "has no token (it is at /feeds/wijk/%s.ics)",
		    o->spec.key);
	if (o->internal)
		o->spec.type = FEED_WIJK_INTERNAL;
	return 0;
}

static int issue_tx(struct cli *c, void *arg, char **err)
{
	struct feed_opts *o = arg;
	return feedset_token_issue(c->st, &o->key, &o->spec, o->revoke,
	                           o->token, err);
}

/* The feed's public URL: http.base_url, then the token's path. */
static char *feed_url_of(const struct cli *c, const char *token)
{
	const char *base = c->cfg.http_base_url;
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	return xasprintf("%.*s/feeds/private/%s.ics", (int)n, base, token);
}

static void print_url(struct cli *c, const struct feed_opts *o)
{
	char *url = feed_url_of(c, o->token);
	if (c->json) {
		json_t *obj = json_pack(
		    "{s:s, s:s, s:s}", "feed",
		    o->spec.type == FEED_PERSON ? "person" : "wijk-internal",
		    "key", o->spec.key, "url", url);
		cli_print_object(c, obj);
	} else {
		printf("%s\n", url);
	}
	free(url);
}

/* Loads (or creates) the key file beside the database. */
static int load_key(struct cli *c, struct token_key *key_r)
{
	char *path = token_key_path(c->db_path), *err = NULL;
	int rc = token_key_load(path, key_r, &err);
	free(path);
	return rc < 0 ? cli_fail(rc, &err) : 0;
}

static int feed_run(struct cli *c, const struct cli_verb *v, bool revoke,
                    int argc, char **argv)
{
	static const struct option opts[] = {
	    {"person", required_argument, NULL, 'e'},
	    {"wijk", required_argument, NULL, 'w'},
	    {"internal", no_argument, NULL, 'i'},
	    {0}};
	struct feed_opts o = {.revoke = revoke};
	int first;
	int code =
	    cli_getopt("feed", v, argc, argv, opts, feed_opt, &o, &first);
	if (code)
		return code;
	if (first != argc)
		return cli_usage_error("feed", v, "unexpected argument \"%s\"",
		                       argv[first]);
	/* The database first: a missing one must not get a key file. */
	if ((code = check_opts(v, &o)) || (code = cli_store(c, STORE_WRITE)) ||
	    (code = load_key(c, &o.key)))
		return code;
	code = cli_write(c, issue_tx, &o);
	explicit_bzero(&o.key, sizeof(o.key));
	if (code == EX_OK)
		print_url(c, &o);
	return code;
}

static int feed_url(struct cli *c, int argc, char **argv)
{
	return feed_run(c, &feed_verbs[0], false, argc, argv);
}

static int feed_revoke(struct cli *c, int argc, char **argv)
{
	int code = feed_run(c, &feed_verbs[1], true, argc, argv);
	if (code == EX_OK && !c->json)
		fputs("wijkcal: the feed's earlier URL no longer works\n",
		      stderr);
	return code;
}
