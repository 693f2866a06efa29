/* init: create the database, or upgrade it to the current schema. */
#include <stdio.h>

#include "cli/cli.h"

static int init_run(struct cli *c, int argc, char **argv);

static const struct cli_verb init_verbs[] = {
    {"", "", "create the database, or upgrade it to the current schema",
     init_run},
    {0}};

const struct cli_noun noun_init = {"init", "create or upgrade the database",
                                   init_verbs};

static int init_run(struct cli *c, int argc, char **argv)
{
	int first;
	int code = cli_getopt("init", &init_verbs[0], argc, argv, NULL,
	                      cli_no_options, NULL, &first);
	if (code)
		return code;
	if (first < argc)
		return cli_usage_error("init", &init_verbs[0],
		                       "unexpected argument \"%s\"",
		                       argv[first]);
	code = cli_store(c, STORE_CREATE);
	if (code)
		return code;
	printf("database %s ready (schema %d)\n", c->db_path,
	       store_schema_version(c->st));
	return EX_OK;
}
