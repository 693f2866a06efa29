/* config: check the configuration file and print the effective config. */
#include <stdio.h>

#include "cli/cli.h"

static int config_check(struct cli *c, int argc, char **argv);

static const struct cli_verb config_verbs[] = {
    {"check", "",
     "validate the config file and print the effective configuration",
     config_check},
    {0}};

const struct cli_noun noun_config = {"config", "the configuration file",
                                     config_verbs};

/* main() already loaded the file and stopped on errors; what is left is to
 * say so and show the result. */
static int config_check(struct cli *c, int argc, char **argv)
{
	int first;
	int code = cli_getopt("config", &config_verbs[0], argc, argv, NULL,
	                      cli_no_options, NULL, &first);
	if (code)
		return code;
	config_print(&c->cfg, stdout);
	fprintf(stderr, "configuration OK (%s)\n",
	        c->cfg.path ? c->cfg.path : "built-in defaults");
	return EX_OK;
}
