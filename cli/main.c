/*
 * wijkcal: the organisers' command line. Global options come before the
 * noun, as in git: wijkcal [-c CONFIG] [--db FILE] [--json] NOUN VERB ...
 * It writes to the database and never sends mail or serves HTTP; the daemon
 * notices its changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buildinfo.h"
#include "core/util.h"

static const struct cli_noun *const nouns[] = {
    &noun_init,   &noun_wijk,   &noun_practice, &noun_org,    &noun_person,
    &noun_event,  &noun_agenda, &noun_import,   &noun_export, &noun_feed,
    &noun_config, &noun_backup, &noun_outbox,   &noun_mail,   NULL};

static void usage(FILE *out)
{
	fputs("usage: wijkcal [-c CONFIG] [--db FILE] [--json] NOUN VERB "
	      "[ARGS]\n"
	      "       wijkcal --version | --help | NOUN --help | NOUN VERB "
	      "--help\n\nnouns:\n",
	      out);
	for (size_t i = 0; nouns[i]; i++)
		fprintf(out, "  %-9s %s\n", nouns[i]->name, nouns[i]->help);
	fputs("\nSee wijkcal(1) for every command with an example.\n", out);
}

static void noun_usage(FILE *out, const struct cli_noun *n)
{
	fprintf(out, "%s: %s\n", n->name, n->help);
	for (const struct cli_verb *v = n->verbs; v->name; v++)
		fprintf(out, "  wijkcal %s%s%s %s\n      %s\n", n->name,
		        *v->name ? " " : "", v->name, v->usage, v->help);
}

static const struct cli_noun *find_noun(const char *name)
{
	for (size_t i = 0; nouns[i]; i++)
		if (strcmp(nouns[i]->name, name) == 0)
			return nouns[i];
	return NULL;
}

/* Runs NOUN [VERB] ARGS; argv[0] is the noun. */
static int dispatch(struct cli *c, int argc, char **argv)
{
	const struct cli_noun *n = find_noun(argv[0]);
	if (n == NULL) {
		fprintf(stderr, "wijkcal: unknown command \"%s\"\n", argv[0]);
		usage(stderr);
		return EX_USAGE;
	}
	const struct cli_verb *v = n->verbs;
	if (*v->name == '\0') /* a noun that is its own verb: init, agenda */
		return v->run(c, argc, argv);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		noun_usage(argc < 2 ? stderr : stdout, n);
		return argc < 2 ? EX_USAGE : EX_OK;
	}
	for (; v->name; v++)
		if (strcmp(v->name, argv[1]) == 0)
			return v->run(c, argc - 1, argv + 1);
	fprintf(stderr, "wijkcal: %s: unknown verb \"%s\"\n", n->name, argv[1]);
	noun_usage(stderr, n);
	return EX_USAGE;
}

enum { OPT_DB = 256, OPT_JSON, OPT_VERSION };

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"db", required_argument, NULL, OPT_DB},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"version", no_argument, NULL, OPT_VERSION},
	    {"help", no_argument, NULL, 'h'},
	    {0}};
	const char *config_path = NULL, *db = NULL;
	bool json = false;
	int code;
	opterr = 0;
	while ((code = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (code) {
		case 'c':
			config_path = optarg;
			break;
		case OPT_DB:
			db = optarg;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_VERSION:
			printf("wijkcal %s\n", WIJKCAL_VERSION);
			return EX_OK;
		case 'h':
			usage(stdout);
			return EX_OK;
		default:
			fprintf(
			    stderr,
			    "wijkcal: %s: unknown option or missing value\n",
			    argv[optind - 1]);
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	struct cli c = {.json = json};
	char *err = NULL;
	if (config_load(config_path, &c.cfg, &err) < 0) {
		fprintf(stderr, "wijkcal: %s\n", err);
		free(err);
		return EX_CONFIG;
	}
	c.db_path = db ? db : c.cfg.database;
	int rc = dispatch(&c, argc - optind, argv + optind);
	store_close(&c.st);
	config_free(&c.cfg);
	if (fflush(stdout) != 0 && rc == EX_OK) {
		perror("wijkcal: stdout");
		rc = EX_IOERR;
	}
	return rc == CLI_HELP_SHOWN ? EX_OK : rc;
}
