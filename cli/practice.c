/* practice: add and list GP practices. */
#include <stdlib.h>

#include "cli/cli.h"
#include "core/util.h"

static int practice_add(struct cli *c, int argc, char **argv);
static int practice_list(struct cli *c, int argc, char **argv);

static const struct cli_verb practice_verbs[] = {
    {"add", "SLUG --name NAME --wijk WIJK [--address TEXT]",
     "add a huisartsenpraktijk to a wijk", practice_add},
    {"list", "[--wijk WIJK]", "list the practices", practice_list},
    {0}};

const struct cli_noun noun_practice = {"practice", "GP practices",
                                       practice_verbs};

static int practice_opt(void *arg, int code, const char *value, char **err)
{
	struct practice *p = arg;
	switch (code) {
	case 'n':
		p->name = (char *)value;
		return model_check_text(value, "--name", 200, err);
	case 'w':
		p->wijk = (char *)value;
		return model_check_slug(value, "--wijk", err);
	default:
		p->address = (char *)value;
		return model_check_text(value, "--address", 300, err);
	}
}

static int add_tx(struct cli *c, void *arg, char **err)
{
	return store_practice_add(c->st, arg, err);
}

static int practice_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'},
	    {"wijk", required_argument, NULL, 'w'},
	    {"address", required_argument, NULL, 'a'},
	    {0}};
	struct practice p = {0};
	int first;
	int code = cli_getopt("practice", &practice_verbs[0], argc, argv, opts,
	                      practice_opt, &p, &first);
	if (code)
		return code;
	if (first + 1 != argc || !p.name || !p.wijk)
		return cli_usage_error("practice", &practice_verbs[0],
		                       "expected a slug, --name and --wijk");
	char *err = NULL;
	if (model_check_slug(argv[first], "SLUG", &err) < 0)
		return cli_fail(WK_EINVAL, &err);
	p.slug = argv[first];
	return cli_write(c, add_tx, &p);
}

static int practice_list(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"wijk", required_argument, NULL, 'w'}, {0}};
	struct practice filter = {0};
	int first;
	int code = cli_getopt("practice", &practice_verbs[1], argc, argv, opts,
	                      practice_opt, &filter, &first);
	if (code || (code = cli_store(c, STORE_READ)))
		return code;
	struct practice *list;
	size_t n;
	char *err = NULL;
	int rc = store_practice_list(c->st, filter.wijk, &list, &n, &err);
	if (rc < 0)
		return cli_fail(rc, &err);
	json_t *rows = json_array();
	for (size_t i = 0; i < n; i++) {
		json_array_append_new(
		    rows, json_pack("{s:s, s:s, s:s, s:s?}", "slug",
		                    list[i].slug, "name", list[i].name, "wijk",
		                    list[i].wijk, "address", list[i].address));
		practice_free(&list[i]);
	}
	free(list);
	static const char *const columns[] = {"slug", "name", "wijk", "address",
	                                      NULL};
	cli_print_table(c, rows, columns);
	return EX_OK;
}
