/* export: feeds as .ics files, the same bytes the daemon serves. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/token.h"
#include "core/util.h"
#include "feeds/feedset.h"

static int export_ics(struct cli *c, int argc, char **argv);

static const struct cli_verb export_verbs[] = {
    {"ics",
     "(--wijk SLUG [--internal] | --practice SLUG | --person EMAIL | "
     "--kind KIND) [-o FILE]\n       wijkcal export ics --all --dir DIR "
     "[--public-only]",
     "write a feed (to stdout or FILE), or every feed below DIR laid out "
     "as the daemon's URL paths (private feeds under their tokens, unless "
     "--public-only)",
     export_ics},
    {0}};

const struct cli_noun noun_export = {"export", "iCalendar feeds as files",
                                     export_verbs};

struct export_opts {
	struct feed_spec spec;
	int nspecs;
	bool internal, all, public_only;
	const char *out, *dir;
};

static int export_opt(void *arg, int code, const char *value, char **err)
{
	struct export_opts *o = arg;
	switch (code) {
	case 'i':
		o->internal = true;
		return 0;
	case 'a':
		o->all = true;
		return 0;
	case 'P':
		o->public_only = true;
		return 0;
	case 'o':
		o->out = value;
		return 0;
	case 'd':
		o->dir = value;
		return 0;
	}
	o->nspecs++;
	o->spec.key = value;
	o->spec.type = code == 'w'   ? FEED_WIJK
	               : code == 'p' ? FEED_PRACTICE
	               : code == 'k' ? FEED_KIND
	                             : FEED_PERSON;
	return code == 'e' ? model_check_email(value, "--person", err)
	       : code == 'k'
	           ? 0
	           : model_check_slug(
	                 value, code == 'w' ? "--wijk" : "--practice", err);
}

/* Writes to FILE through a temporary name, so a failed run leaves the old
 * file as it was. */
static int write_output(const char *out, const char *text, size_t len)
{
	if (out == NULL) {
		if (fwrite(text, 1, len, stdout) != len) {
			perror("wijkcal: stdout");
			return EX_IOERR;
		}
		return EX_OK;
	}
	char *tmp = xasprintf("%s.tmp.%ld", out, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	bool ok = f && fwrite(text, 1, len, f) == len;
	ok = f && fclose(f) == 0 && ok;
	ok = ok && rename(tmp, out) == 0;
	if (!ok) {
		fprintf(stderr, "wijkcal: -o %s: %s\n", out, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ok ? EX_OK : EX_CANTCREAT;
}

/* The private feeds, under the tokens of the site key. */
static int export_private(struct cli *c, const struct export_opts *o,
                          const struct token_key *key)
{
	size_t nfeeds = 0, bytes = 0;
	char *err = NULL;
	int rc = feedset_export_private(c->st, &c->cfg, key, o->dir, &nfeeds,
	                                &bytes, &err);
	if (rc < 0)
		return cli_fail(rc, &err);
	fprintf(stderr,
	        "wrote %zu private feeds (%zu bytes) below %s/feeds/private/\n",
	        nfeeds, bytes, o->dir);
	return EX_OK;
}

/* Every public feed, then every private one. The key file beside the
 * database (created on first use, as by `wijkcal feed url`) is read
 * first, so that a refused key writes nothing. */
static int export_all(struct cli *c, const struct export_opts *o)
{
	struct token_key key = {0};
	size_t nfeeds = 0, bytes = 0;
	char *err = NULL, *path = token_key_path(c->db_path);
	int rc = o->public_only ? WK_OK : token_key_load(path, &key, &err);
	free(path);
	if (rc == WK_OK)
		rc = feedset_export_all(c->st, &c->cfg, o->dir, &nfeeds, &bytes,
		                        &err);
	int code = rc < 0 ? cli_fail(rc, &err) : EX_OK;
	if (code == EX_OK) {
		fprintf(stderr, "wrote %zu feeds (%zu bytes) below %s/feeds/\n",
		        nfeeds, bytes, o->dir);
		if (!o->public_only)
			code = export_private(c, o, &key);
	}
	explicit_bzero(&key, sizeof(key));
	return code;
}

static int export_ics(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"wijk", required_argument, NULL, 'w'},
	    {"practice", required_argument, NULL, 'p'},
	    {"person", required_argument, NULL, 'e'},
	    {"kind", required_argument, NULL, 'k'},
	    {"internal", no_argument, NULL, 'i'},
	    {"all", no_argument, NULL, 'a'},
	    {"public-only", no_argument, NULL, 'P'},
	    {"dir", required_argument, NULL, 'd'},
	    {"output", required_argument, NULL, 'o'},
	    {0}};
	struct export_opts o = {0};
	int first;
	int code = cli_getopt("export", &export_verbs[0], argc, argv, opts,
	                      export_opt, &o, &first);
	if (code)
		return code;
	if (first != argc)
		return cli_usage_error("export", &export_verbs[0],
		                       "unexpected argument \"%s\"",
		                       argv[first]);
	if (o.all != (o.dir != NULL) || (o.all && o.nspecs) ||
	    (!o.all && o.nspecs != 1))
		return cli_usage_error("export", &export_verbs[0],
		                       "give one feed, or --all with --dir");
	if (o.public_only && !o.all)
		return cli_usage_error("export", &export_verbs[0],
		                       "--public-only goes with --all");
	if (o.internal && o.spec.type != FEED_WIJK)
		return cli_usage_error("export", &export_verbs[0],
		                       "--internal goes with --wijk");
	if (o.internal)
		o.spec.type = FEED_WIJK_INTERNAL;
	if ((code = cli_store(c, STORE_READ)))
		return code;
	if (o.all)
		return export_all(c, &o);
	char *text = NULL, *err = NULL;
	size_t len = 0;
	int rc = feedset_render(c->st, &c->cfg, &o.spec, &text, &len, &err);
	if (rc < 0)
		return cli_fail(rc, &err);
	code = write_output(o.out, text, len);
	free(text);
	return code;
}
